//! Retention cohorts with PostHog's semantics: recurring, first-time and first-ever cohorts,
//! "on" and "on or after" counting, calendar periods or 24-hour windows, a reference of cohort
//! size or previous offset, and a weighted or simple average curve.
//!
//! # Definitions
//!
//! Cohorts are the periods (hour, day, week or month, civil periods of a [`Calendar`]) from the
//! period containing `from` to the period containing the last instant before `to`; the last
//! of them is the *last observed period*. Events at or after `to` are ignored.
//!
//! - **Kinds** ([`RetentionKind`]): `Recurring` puts a person in the cohort of every period in
//!   which they do the start event; `FirstTime` only in the period of their first start event
//!   ever (history before `from` counts, so a person who started before `from` is in no
//!   cohort); `FirstEverOccurrence` takes the first event with the start event's *name*,
//!   ignoring the start filter, and keeps the person only if that event passes the filter.
//! - **Cell (c, k)**: persons of cohort `c` with a return event in period `c + k`
//!   ([`Counting::On`], default) or in any period `≥ c + k` ([`Counting::OnOrAfter`],
//!   PostHog's `cumulative`, per its docs, #13748). With a minimum of `m` occurrences, a period
//!   counts only if it holds at least `m` return events.
//! - **Period 0**: when the start and return events are the same matcher it is the cohort
//!   (100%). Otherwise it counts returns at or after the person's first start event of the
//!   period, the same instant included (PostHog #14239).
//! - **Unobserved cells** (`c + k` after the last observed period) are `None`, never 0, and are
//!   left out of the averages (#25297).
//! - **24-hour windows** ([`TimeWindowMode::Rolling24h`], Amplitude's default): `t₀` is the
//!   cohort's start event and the offset of a return at `t` is `⌊(t − t₀)/span⌋` with a span of
//!   1 hour, 24 hours, 7 days or 30 days; the cohort is still the calendar period of `t₀`, and
//!   observability is judged on calendar periods. It cannot be combined with
//!   `OnOrAfter` ([`KpiError::IncompatibleOptions`]).
//! - **Reference** ([`RetentionReference`]): rates over the cohort size, or over the previous
//!   offset's count (offset 0 over the cohort size).
//! - **Average curve** ([`AverageKind`]): per offset, Σ retained / Σ reference over the cohorts
//!   where the offset is observable and the reference is positive (weighted, default), or the
//!   plain mean of those cohorts' rates (simple).
//!
//! - **Brackets** ([`RetentionBuilder::brackets`], Amplitude): columns covering ranges of
//!   offsets, counting a person once if they return in any period of the bracket.
//! - **Breakdowns** ([`Retention::run_breakdown`]): one table per value of an event property;
//!   start and return events must carry the same value, in calendar and 24-hour modes alike.
//!
//! Counts add up across shards partitioned by key ([`RetentionTable::merge`]).
//!
//! # Examples
//!
//! ```
//! use prodops_kpi::events::{EventTableBuilder, MICROS_PER_DAY};
//! use prodops_kpi::events::funnel::EventMatcher;
//! use prodops_kpi::events::retention::{Retention, RetentionPeriod};
//!
//! let day = MICROS_PER_DAY;
//! let mut b = EventTableBuilder::new(Vec::<String>::new());
//! // ann: active on days 0 and 1; bob: day 0 only; cara: day 1 only.
//! b.push("ann", 0, "use", &[])?.push("ann", day, "use", &[])?;
//! b.push("bob", 0, "use", &[])?;
//! b.push("cara", day + 5, "use", &[])?;
//! let retention = Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
//!     .period(RetentionPeriod::Day)
//!     .intervals(3)
//!     .range(0, 2 * day)
//!     .build()?;
//! let table = retention.run(&b.build())?;
//! let day0 = &table.cohorts[0];
//! assert_eq!(day0.size, 2); // ann, bob
//! assert_eq!(day0.retained, vec![Some(2), Some(1), None]); // day 2 is not observed yet
//! assert_eq!(table.average[1], Some(0.5)); // only the day-0 cohort can show offset 1
//! println!("{}", table.to_frame()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;
use prodops_core::{Grain, Period};

use super::funnel::{BreakdownLabel, EventMatcher, ResolvedMatcher};
use super::table::{Calendar, EventTable, KeyEvents, MICROS_PER_DAY, MICROS_PER_HOUR, NULL_CODE};
use crate::error::{KpiError, invalid_input};

/// The width of a retention period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetentionPeriod {
    /// An hour of absolute time (equal to local hours in zones with whole-hour offsets).
    Hour,
    /// A civil day (default).
    #[default]
    Day,
    /// A civil week starting on the calendar's week start.
    Week,
    /// A civil month.
    Month,
}

impl RetentionPeriod {
    fn grain(self) -> Option<Grain> {
        match self {
            RetentionPeriod::Hour => None,
            RetentionPeriod::Day => Some(Grain::Day),
            RetentionPeriod::Week => Some(Grain::Week),
            RetentionPeriod::Month => Some(Grain::Month),
        }
    }

    /// The span of one offset in 24-hour mode.
    fn span_micros(self) -> i64 {
        match self {
            RetentionPeriod::Hour => MICROS_PER_HOUR,
            RetentionPeriod::Day => MICROS_PER_DAY,
            RetentionPeriod::Week => 7 * MICROS_PER_DAY,
            RetentionPeriod::Month => 30 * MICROS_PER_DAY,
        }
    }
}

/// Which start events form cohorts (PostHog's names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetentionKind {
    /// A cohort for every period with a start event (default).
    #[default]
    Recurring,
    /// Only the period of the person's first start event (matching the filter).
    FirstTime,
    /// Only the period of the person's first event with the start event's name, kept only if
    /// that event passes the start filter.
    FirstEverOccurrence,
}

/// Whether offset `k` counts returns in period `c + k` only, or in any later period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Counting {
    /// Returned in period `c + k` ("N-day" retention; default).
    #[default]
    On,
    /// Returned in some period `≥ c + k` ("unbounded"; PostHog's `cumulative`).
    OnOrAfter,
}

/// How offsets are measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeWindowMode {
    /// Civil periods of the calendar (PostHog's default).
    #[default]
    Calendar,
    /// Spans of absolute time from the start event (Amplitude's default).
    Rolling24h,
}

/// The denominator of a retention rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetentionReference {
    /// The cohort size (default).
    #[default]
    CohortSize,
    /// The previous offset's count.
    PreviousOffset,
}

/// How cohorts are averaged into one curve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AverageKind {
    /// Σ retained / Σ reference (cohorts weighted by size; default).
    #[default]
    Weighted,
    /// The mean of the cohorts' rates.
    Simple,
}

/// A validated retention query. Build one with [`Retention::builder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    start: EventMatcher,
    returning: EventMatcher,
    period: RetentionPeriod,
    intervals: usize,
    kind: RetentionKind,
    counting: Counting,
    mode: TimeWindowMode,
    reference: RetentionReference,
    average: AverageKind,
    min_occurrences: u32,
    range: (i64, i64),
    calendar: Calendar,
    brackets: Option<Vec<RetentionColumn>>,
}

/// Builds a [`Retention`]; validation happens in [`RetentionBuilder::build`].
#[derive(Debug, Clone)]
pub struct RetentionBuilder {
    start: EventMatcher,
    returning: EventMatcher,
    period: RetentionPeriod,
    intervals: usize,
    kind: RetentionKind,
    counting: Counting,
    mode: TimeWindowMode,
    reference: RetentionReference,
    average: AverageKind,
    min_occurrences: u32,
    range: Option<(i64, i64)>,
    calendar: Calendar,
    brackets: Option<Vec<RetentionColumn>>,
}

impl RetentionBuilder {
    /// The period (default day).
    pub fn period(mut self, period: RetentionPeriod) -> RetentionBuilder {
        self.period = period;
        self
    }

    /// Offsets per cohort, period 0 included (default 11, as PostHog).
    pub fn intervals(mut self, intervals: usize) -> RetentionBuilder {
        self.intervals = intervals;
        self
    }

    /// The cohort kind (default recurring).
    pub fn kind(mut self, kind: RetentionKind) -> RetentionBuilder {
        self.kind = kind;
        self
    }

    /// "On" or "on or after" (default on).
    pub fn counting(mut self, counting: Counting) -> RetentionBuilder {
        self.counting = counting;
        self
    }

    /// Calendar periods or 24-hour windows (default calendar).
    pub fn time_mode(mut self, mode: TimeWindowMode) -> RetentionBuilder {
        self.mode = mode;
        self
    }

    /// The rate denominator (default cohort size).
    pub fn reference(mut self, reference: RetentionReference) -> RetentionBuilder {
        self.reference = reference;
        self
    }

    /// How the average curve weighs cohorts (default weighted).
    pub fn average(mut self, average: AverageKind) -> RetentionBuilder {
        self.average = average;
        self
    }

    /// Return events a period needs to count (default 1).
    pub fn min_occurrences(mut self, m: u32) -> RetentionBuilder {
        self.min_occurrences = m;
        self
    }

    /// Cohorts from the period containing `from` to the one containing `to − 1 µs`; events at
    /// or after `to` are ignored (microseconds, UTC). Required.
    pub fn range(mut self, from: i64, to: i64) -> RetentionBuilder {
        self.range = Some((from, to));
        self
    }

    /// Time zone and week start of the periods (default UTC, Monday).
    pub fn calendar(mut self, calendar: Calendar) -> RetentionBuilder {
        self.calendar = calendar;
        self
    }

    /// Custom brackets (Amplitude): each `(first, last)` range of offsets becomes one column,
    /// counting persons with a return in any period of it; a bracket is observed once its last
    /// period is. Replaces [`RetentionBuilder::intervals`].
    pub fn brackets<I: IntoIterator<Item = (usize, usize)>>(
        mut self,
        brackets: I,
    ) -> RetentionBuilder {
        self.brackets = Some(
            brackets
                .into_iter()
                .map(|(first_offset, last_offset)| RetentionColumn {
                    first_offset,
                    last_offset,
                })
                .collect(),
        );
        self
    }

    /// Validates the query. (A range spanning more than [`MAX_COHORTS`] periods is rejected
    /// when the query runs, since the count depends on the calendar.)
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] without a range or with `from ≥ to`, zero intervals or a
    /// minimum of zero occurrences; [`KpiError::IncompatibleOptions`] for 24-hour windows
    /// with "on or after" counting.
    pub fn build(self) -> Result<Retention, KpiError> {
        let range = self
            .range
            .ok_or_else(|| invalid_input("retention range", "required"))?;
        if range.0 >= range.1 {
            return Err(invalid_input(
                "retention range",
                format!("start {} is not before end {}", range.0, range.1),
            ));
        }
        if self.intervals == 0 {
            return Err(invalid_input("retention intervals", "must be at least 1"));
        }
        let mut intervals = self.intervals;
        if let Some(brackets) = &self.brackets {
            if self.counting == Counting::OnOrAfter {
                return Err(KpiError::IncompatibleOptions {
                    reason: "brackets count returns within each bracket; \"on or after\" counting has no brackets".into(),
                });
            }
            let mut next = 0;
            for (i, b) in brackets.iter().enumerate() {
                if b.first_offset < next || b.first_offset > b.last_offset {
                    return Err(invalid_input(
                        format!("retention bracket {i}"),
                        format!(
                            "offsets {}..={} must be ordered and not overlap the previous bracket",
                            b.first_offset, b.last_offset
                        ),
                    ));
                }
                next = b.last_offset + 1;
            }
            if next == 0 {
                return Err(invalid_input(
                    "retention brackets",
                    "at least one is needed",
                ));
            }
            intervals = next;
        }
        if self.min_occurrences == 0 {
            return Err(invalid_input(
                "retention minimum occurrences",
                "must be at least 1",
            ));
        }
        if self.mode == TimeWindowMode::Rolling24h && self.counting == Counting::OnOrAfter {
            return Err(KpiError::IncompatibleOptions {
                reason: "24-hour windows count returns in one window; \"on or after\" (cumulative) counting needs calendar periods".into(),
            });
        }
        Ok(Retention {
            start: self.start,
            returning: self.returning,
            period: self.period,
            intervals,
            kind: self.kind,
            counting: self.counting,
            mode: self.mode,
            reference: self.reference,
            average: self.average,
            min_occurrences: self.min_occurrences,
            range,
            calendar: self.calendar,
            brackets: self.brackets,
        })
    }
}

/// The offsets one column of a [`RetentionTable`] covers: a single offset, or a bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetentionColumn {
    /// The first offset.
    pub first_offset: usize,
    /// The last offset (inclusive).
    pub last_offset: usize,
}

/// One cohort row of a [`RetentionTable`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetentionCohort {
    /// The cohort period's index ([`Period::index`] for day, week and month; hours since
    /// the Unix epoch for hours).
    pub index: i64,
    /// The cohort period's label (`2026-11-23`, `2026-W48`, `2026-11`, `2026-11-23T14:00Z`).
    pub label: String,
    /// Persons in the cohort.
    pub size: u64,
    /// Persons retained in each column (offset or bracket); `None` where it is not observed
    /// yet.
    pub retained: Vec<Option<u64>>,
    /// Retained over the reference; `None` where unobserved or the reference is zero.
    pub rates: Vec<Option<f64>>,
}

/// The result of [`Retention::run`]: one row per cohort and the average curve.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetentionTable {
    /// The period.
    pub period: RetentionPeriod,
    /// The rate denominator used.
    pub reference: RetentionReference,
    /// How the average was taken.
    pub average_kind: AverageKind,
    /// The offsets of each column.
    pub columns: Vec<RetentionColumn>,
    /// Cohorts in time order, empty ones included.
    pub cohorts: Vec<RetentionCohort>,
    /// The average rate per offset over observable cohorts; `None` where no cohort has a
    /// positive reference at that offset.
    pub average: Vec<Option<f64>>,
}

impl RetentionTable {
    fn from_counts(
        retention: &Retention,
        first: i64,
        last: i64,
        counts: Vec<(u64, Vec<u64>)>,
    ) -> RetentionTable {
        let columns = retention.columns();
        let cohorts = counts
            .into_iter()
            .enumerate()
            .map(|(i, (size, cells))| {
                let index = first + i as i64;
                let retained: Vec<Option<u64>> = cells
                    .iter()
                    .zip(&columns)
                    .map(|(&v, col)| (index + col.last_offset as i64 <= last).then_some(v))
                    .collect();
                RetentionCohort {
                    index,
                    label: period_label(retention.period, index),
                    size,
                    rates: Vec::new(),
                    retained,
                }
            })
            .collect();
        let mut table = RetentionTable {
            period: retention.period,
            reference: retention.reference,
            average_kind: retention.average,
            columns,
            cohorts,
            average: Vec::new(),
        };
        table.derive();
        table
    }

    /// The reference of a cohort at offset `k`.
    fn reference_of(&self, c: &RetentionCohort, k: usize) -> Option<u64> {
        match (self.reference, k) {
            (RetentionReference::CohortSize, _) | (RetentionReference::PreviousOffset, 0) => {
                Some(c.size)
            }
            (RetentionReference::PreviousOffset, _) => c.retained[k - 1],
        }
    }

    /// Recomputes rates and the average from the counts.
    fn derive(&mut self) {
        let intervals = self.cohorts.first().map_or(0, |c| c.retained.len());
        let mut rates_all = Vec::with_capacity(self.cohorts.len());
        for c in &self.cohorts {
            let rates: Vec<Option<f64>> = (0..intervals)
                .map(|k| match (c.retained[k], self.reference_of(c, k)) {
                    (Some(r), Some(d)) if d > 0 => Some(r as f64 / d as f64),
                    _ => None,
                })
                .collect();
            rates_all.push(rates);
        }
        let mut average = Vec::with_capacity(intervals);
        for k in 0..intervals {
            let (mut num, mut den, mut sum, mut n) = (0u64, 0u64, 0.0f64, 0u64);
            for (c, rates) in self.cohorts.iter().zip(&rates_all) {
                if let (Some(r), Some(d), Some(rate)) =
                    (c.retained[k], self.reference_of(c, k), rates[k])
                {
                    num += r;
                    den += d;
                    sum += rate;
                    n += 1;
                }
            }
            average.push(match self.average_kind {
                AverageKind::Weighted => (den > 0).then(|| num as f64 / den as f64),
                AverageKind::Simple => (n > 0).then(|| sum / n as f64),
            });
        }
        for (c, rates) in self.cohorts.iter_mut().zip(rates_all) {
            c.rates = rates;
        }
        self.average = average;
    }

    /// Adds the counts of a table computed with the same query on another shard of keys.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the cohorts or offsets differ.
    pub fn merge(&self, other: &RetentionTable) -> Result<RetentionTable, KpiError> {
        let same_shape = self.cohorts.len() == other.cohorts.len()
            && self.period == other.period
            && self.reference == other.reference
            && self.average_kind == other.average_kind
            && self.columns == other.columns
            && self.cohorts.iter().zip(&other.cohorts).all(|(a, b)| {
                a.index == b.index
                    && a.retained.len() == b.retained.len()
                    && a.retained
                        .iter()
                        .zip(&b.retained)
                        .all(|(x, y)| x.is_some() == y.is_some())
            });
        if !same_shape {
            return Err(KpiError::IncompatibleOptions {
                reason:
                    "retention tables with different cohorts, offsets or settings cannot be merged"
                        .into(),
            });
        }
        let mut merged = self.clone();
        for (a, b) in merged.cohorts.iter_mut().zip(&other.cohorts) {
            a.size += b.size;
            for (x, y) in a.retained.iter_mut().zip(&b.retained) {
                if let (Some(x), Some(y)) = (x.as_mut(), y) {
                    *x += y;
                }
            }
        }
        merged.derive();
        Ok(merged)
    }

    /// The cohort table in long form: `cohort` (label), `cohort_size`, `offset` (the column),
    /// `first_offset` and `last_offset` (its offsets; equal to `offset` without brackets),
    /// `retained` and `rate` (null where unobserved or undefined).
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let mut cohort = Vec::new();
        let mut size = Vec::new();
        let mut offset = Vec::new();
        let mut first_offset = Vec::new();
        let mut last_offset = Vec::new();
        let mut retained = Vec::new();
        let mut rate = Vec::new();
        for c in &self.cohorts {
            for (k, ((r, p), col)) in c
                .retained
                .iter()
                .zip(&c.rates)
                .zip(&self.columns)
                .enumerate()
            {
                cohort.push(c.label.clone());
                size.push(c.size);
                offset.push(k as u32);
                first_offset.push(col.first_offset as u64);
                last_offset.push(col.last_offset as u64);
                retained.push(*r);
                rate.push(*p);
            }
        }
        Ok(DataFrame::new_infer_height(vec![
            Column::new("cohort".into(), cohort),
            Column::new("cohort_size".into(), size),
            Column::new("offset".into(), offset),
            Column::new("first_offset".into(), first_offset),
            Column::new("last_offset".into(), last_offset),
            Column::new("retained".into(), retained),
            Column::new("rate".into(), rate),
        ])?)
    }

    /// The average curve: `offset` and `rate` (null where no cohort is observable).
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn average_frame(&self) -> Result<DataFrame, KpiError> {
        Ok(DataFrame::new_infer_height(vec![
            Column::new(
                "offset".into(),
                (0..self.average.len() as u32).collect::<Vec<_>>(),
            ),
            Column::new("rate".into(), self.average.clone()),
        ])?)
    }
}

fn period_label(period: RetentionPeriod, index: i64) -> String {
    match period.grain() {
        Some(grain) => Period::from_index(grain, index)
            .map(|p| p.label())
            .unwrap_or_else(|_| format!("{grain} {index}")),
        None => chrono::DateTime::from_timestamp_micros(index.saturating_mul(MICROS_PER_HOUR))
            .map(|t| t.format("%Y-%m-%dT%H:00Z").to_string())
            .unwrap_or_else(|| format!("hour {index}")),
    }
}

/// The most cohort periods a range may span (a century of days), so a mistyped range fails
/// instead of allocating a table for millennia.
pub const MAX_COHORTS: usize = 36_525;

/// Days from 0001-01-01 (day 1) to 1970-01-01: [`Period::index`] of the Unix epoch's day.
const EPOCH_DAY_INDEX: i64 = 719_163;

/// Maps instants to period indices ([`Period::index`]; hours since the epoch for hours),
/// caching the bounds of the last period so a key's events, sorted by time, mostly cost two
/// comparisons instead of a calendar conversion.
#[derive(Debug, Clone)]
pub(crate) struct PeriodIndexer {
    calendar: Calendar,
    grain: Option<Grain>,
    lo: i64,
    hi: i64,
    index: i64,
}

impl PeriodIndexer {
    pub(crate) fn new(calendar: Calendar, grain: Option<Grain>) -> PeriodIndexer {
        PeriodIndexer {
            calendar,
            grain,
            lo: 0,
            hi: 0,
            index: 0,
        }
    }

    #[inline]
    pub(crate) fn index(&mut self, t: i64) -> Result<i64, KpiError> {
        if t >= self.lo && t < self.hi {
            return Ok(self.index);
        }
        let Some(grain) = self.grain else {
            return Ok(t.div_euclid(MICROS_PER_HOUR));
        };
        let tz = self.calendar.time_zone();
        if tz == Tz::UTC && grain == Grain::Day {
            let day = t.div_euclid(MICROS_PER_DAY);
            (self.lo, self.hi) = match day.checked_mul(MICROS_PER_DAY) {
                Some(lo) => (lo, lo.saturating_add(MICROS_PER_DAY)),
                None => (0, 0),
            };
            self.index = day + EPOCH_DAY_INDEX;
            return Ok(self.index);
        }
        let date = self.calendar.civil_date(t)?;
        let period = self.calendar.period_of_date(date, grain);
        self.index = period.index();
        // The civil dates the period covers: [first, next). A week starting on another day
        // than Monday is labelled by the ISO week it overlaps most, so it starts `shift` days
        // before that ISO Monday.
        let (first, next) = match grain {
            Grain::Week => {
                let shift = (7 - self.calendar.week_start().num_days_from_monday()) % 7;
                let first = period
                    .first_day()
                    .checked_sub_days(Days::new(u64::from(shift)));
                (first, first.and_then(|d| d.checked_add_days(Days::new(7))))
            }
            _ => (
                Some(period.first_day()),
                period.next().ok().map(|p| p.first_day()),
            ),
        };
        let midnight = |d: NaiveDate| -> Option<i64> {
            if tz == Tz::UTC {
                Some(i64::from(d.to_epoch_days()) * MICROS_PER_DAY)
            } else {
                tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
                    .earliest()
                    .map(|x| x.timestamp_micros())
            }
        };
        // Cache only bounds that provably contain `t` (a zone may skip a midnight).
        (self.lo, self.hi) = match (first.and_then(midnight), next.and_then(midnight)) {
            (Some(lo), Some(hi)) if lo <= t && t < hi => (lo, hi),
            _ => (0, 0),
        };
        Ok(self.index)
    }
}

/// Per-period aggregates of one key: start and return events.
#[derive(Debug, Clone, Copy)]
struct PeriodAgg {
    index: i64,
    /// The first start event of the period.
    first_start: Option<i64>,
    returns: u32,
    /// Returns at or after `first_start`.
    returns_after_start: u32,
    /// Returns at the latest timestamp seen in the period (to count same-instant returns
    /// that precede the start event in table order).
    last_ts: i64,
    returns_at_last_ts: u32,
}

impl Retention {
    /// The table's columns: the brackets, or one per offset.
    fn columns(&self) -> Vec<RetentionColumn> {
        self.brackets.clone().unwrap_or_else(|| {
            (0..self.intervals)
                .map(|k| RetentionColumn {
                    first_offset: k,
                    last_offset: k,
                })
                .collect()
        })
    }

    /// Starts a retention query on these start and return events.
    pub fn builder(start: EventMatcher, returning: EventMatcher) -> RetentionBuilder {
        RetentionBuilder {
            start,
            returning,
            period: RetentionPeriod::Day,
            intervals: 11,
            kind: RetentionKind::Recurring,
            counting: Counting::On,
            mode: TimeWindowMode::Calendar,
            reference: RetentionReference::CohortSize,
            average: AverageKind::Weighted,
            min_occurrences: 1,
            range: None,
            calendar: Calendar::utc(),
            brackets: None,
        }
    }

    /// Computes the cohort table: one linear pass per key over its sorted events.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] when a filter property is not a property column;
    /// [`KpiError::InvalidInput`] for a timestamp outside the calendar's range or a range of
    /// more than [`MAX_COHORTS`] periods.
    pub fn run(&self, table: &EventTable) -> Result<RetentionTable, KpiError> {
        let mut scan = Scan::new(self, table)?;
        for key in table.keys() {
            scan.key(table, &key, None)?;
        }
        Ok(scan.finish(self))
    }

    /// One cohort table per value of an event property, where start and return events must
    /// carry the value (events without it form the [`BreakdownLabel::Null`] series). For the
    /// first-time kinds the defining start event decides the person's value. Series are
    /// ordered by total cohort size, largest first (ties by value), `Null` last.
    ///
    /// # Errors
    ///
    /// As [`Retention::run`], and [`KpiError::MissingColumn`] when `property` is not a
    /// property column of the table.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_kpi::events::{EventTableBuilder, MICROS_PER_DAY};
    /// use prodops_kpi::events::funnel::{BreakdownLabel, EventMatcher};
    /// use prodops_kpi::events::retention::Retention;
    ///
    /// let mut b = EventTableBuilder::new(["app"]);
    /// b.push("ann", 0, "use", &[Some("ios")])?;
    /// b.push("ann", MICROS_PER_DAY, "use", &[Some("web")])?; // a return on another app
    /// let retention = Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
    ///     .intervals(2)
    ///     .range(0, 2 * MICROS_PER_DAY)
    ///     .build()?;
    /// let series = retention.run_breakdown(&b.build(), "app")?;
    /// let ios = series.iter().find(|s| s.label == BreakdownLabel::Value("ios".into())).ok_or("ios")?;
    /// assert_eq!(ios.table.cohorts[0].retained, vec![Some(1), Some(0)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_breakdown(
        &self,
        table: &EventTable,
        property: &str,
    ) -> Result<Vec<RetentionSeries>, KpiError> {
        let prop = table
            .property(property)
            .ok_or_else(|| KpiError::MissingColumn {
                column: property.to_string(),
                purpose: "retention breakdown".into(),
            })?;
        let codes = prop.codes();
        let null_slot = prop.values().len();
        let mut scans: Vec<Option<Scan>> = vec![None; null_slot + 1];
        let start = ResolvedMatcher::resolve(&self.start, table)?;
        let mut values: Vec<u32> = Vec::new();
        for key in table.keys() {
            values.clear();
            for row in key.range() {
                if start.event == Some(table.events()[row]) && !values.contains(&codes[row]) {
                    values.push(codes[row]);
                }
            }
            for &v in &values {
                let slot = if v == NULL_CODE {
                    null_slot
                } else {
                    v as usize
                };
                let scan = match &mut scans[slot] {
                    Some(scan) => scan,
                    empty => empty.insert(Scan::new(self, table)?),
                };
                scan.key(table, &key, Some((codes, v)))?;
            }
        }
        let mut series: Vec<(BreakdownLabel, u64, RetentionTable)> = Vec::new();
        for (slot, scan) in scans.into_iter().enumerate() {
            let Some(scan) = scan else { continue };
            let t = scan.finish(self);
            let total: u64 = t.cohorts.iter().map(|c| c.size).sum();
            let label = match prop.values().get(slot) {
                Some(v) => BreakdownLabel::Value(v.clone()),
                None => BreakdownLabel::Null,
            };
            series.push((label, total, t));
        }
        series.sort_by(|a, b| {
            let null = |l: &BreakdownLabel| *l == BreakdownLabel::Null;
            null(&a.0)
                .cmp(&null(&b.0))
                .then(b.1.cmp(&a.1))
                .then_with(|| a.0.cmp(&b.0))
        });
        Ok(series
            .into_iter()
            .map(|(label, _, table)| RetentionSeries { label, table })
            .collect())
    }
}

/// The cohort table of one breakdown value (see [`Retention::run_breakdown`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetentionSeries {
    /// The property value, or `Null` for events without one.
    pub label: BreakdownLabel,
    /// The cohorts of persons with that value.
    pub table: RetentionTable,
}

/// The per-run state of the retention kernel: resolved matchers, the period cache, buffers
/// reused across keys, and the cohort counts.
#[derive(Debug, Clone)]
struct Scan {
    start: ResolvedMatcher,
    ret: ResolvedMatcher,
    same: bool,
    indexer: PeriodIndexer,
    to: i64,
    first: i64,
    last: i64,
    kind: RetentionKind,
    counting: Counting,
    rolling: bool,
    span: i64,
    min: u32,
    intervals: usize,
    columns: Vec<RetentionColumn>,
    /// Per offset, whether the current cohort member returned (reused across cohorts).
    hits: Vec<bool>,
    counts: Vec<(u64, Vec<u64>)>,
    periods: Vec<PeriodAgg>,
    return_times: Vec<i64>,
    offsets: Vec<u32>,
    /// The key's latest period with enough returns ("on or after" reaches up to it).
    last_qualifying: Option<i64>,
}

impl Scan {
    fn new(r: &Retention, table: &EventTable) -> Result<Scan, KpiError> {
        let mut indexer = PeriodIndexer::new(r.calendar, r.period.grain());
        let (from, to) = r.range;
        let first = indexer.index(from)?;
        let last = indexer.index(to - 1)?;
        let n_cohorts = usize::try_from(last - first + 1).unwrap_or(0);
        if n_cohorts > MAX_COHORTS {
            return Err(invalid_input(
                "retention range",
                format!("{n_cohorts} cohort periods, at most {MAX_COHORTS} are supported"),
            ));
        }
        Ok(Scan {
            start: ResolvedMatcher::resolve(&r.start, table)?,
            ret: ResolvedMatcher::resolve(&r.returning, table)?,
            same: r.start == r.returning,
            indexer,
            to,
            first,
            last,
            kind: r.kind,
            counting: r.counting,
            rolling: r.mode == TimeWindowMode::Rolling24h,
            span: r.period.span_micros(),
            min: r.min_occurrences,
            intervals: r.intervals,
            columns: r.columns(),
            hits: vec![false; r.intervals],
            counts: vec![(0, vec![0; r.columns().len()]); n_cohorts],
            periods: Vec::new(),
            return_times: Vec::new(),
            offsets: vec![0; r.intervals],
            last_qualifying: None,
        })
    }

    fn finish(self, r: &Retention) -> RetentionTable {
        RetentionTable::from_counts(r, self.first, self.last, self.counts)
    }

    /// Adds one key's cohorts. With `value = Some((codes, v))`, only start and return events
    /// whose property code is `v` count (the first-time kinds find the defining start event
    /// among all start events, then keep the person only if it carries `v`).
    fn key(
        &mut self,
        table: &EventTable,
        key: &KeyEvents<'_>,
        value: Option<(&[u32], u32)>,
    ) -> Result<(), KpiError> {
        self.periods.clear();
        self.return_times.clear();
        let events = table.events();
        let timestamps = table.timestamps();
        // First-time kinds: the period and instant of the defining start event.
        let mut first_time: Option<(i64, i64)> = None;
        let mut first_seen = false;
        for row in key.range() {
            let t = timestamps[row];
            if t >= self.to {
                break;
            }
            let code = Some(events[row]);
            let carries = value.is_none_or(|(codes, v)| codes[row] == v);
            let is_start_name = code == self.start.event;
            let is_start_any = is_start_name && self.start.filter_passes(table, row);
            let is_start = is_start_any && carries;
            let is_return = carries && code == self.ret.event && self.ret.filter_passes(table, row);
            if !(is_start || is_return || (is_start_name && !first_seen)) {
                continue;
            }
            let p = self.indexer.index(t)?;
            match self.kind {
                RetentionKind::FirstTime if is_start_any && !first_seen => {
                    first_seen = true;
                    if carries {
                        first_time = Some((p, t));
                    }
                }
                RetentionKind::FirstEverOccurrence if is_start_name && !first_seen => {
                    first_seen = true;
                    if is_start {
                        first_time = Some((p, t));
                    }
                }
                _ => {}
            }
            if !is_start && !is_return {
                continue;
            }
            if self.periods.last().is_none_or(|a| a.index != p) {
                self.periods.push(PeriodAgg {
                    index: p,
                    first_start: None,
                    returns: 0,
                    returns_after_start: 0,
                    last_ts: i64::MIN,
                    returns_at_last_ts: 0,
                });
            }
            let Some(agg) = self.periods.last_mut() else {
                continue;
            };
            if is_start && agg.first_start.is_none() {
                agg.first_start = Some(t);
                agg.returns_after_start = if agg.last_ts == t {
                    agg.returns_at_last_ts
                } else {
                    0
                };
            }
            if is_return {
                agg.returns += 1;
                if agg.first_start.is_some() {
                    agg.returns_after_start += 1;
                }
                if agg.last_ts == t {
                    agg.returns_at_last_ts += 1;
                } else {
                    agg.last_ts = t;
                    agg.returns_at_last_ts = 1;
                }
                if self.rolling {
                    self.return_times.push(t);
                }
            }
        }
        self.last_qualifying = self
            .periods
            .iter()
            .rev()
            .find(|a| a.returns >= self.min)
            .map(|a| a.index);
        match self.kind {
            RetentionKind::Recurring => {
                for pos in 0..self.periods.len() {
                    if let Some(t0) = self.periods[pos].first_start {
                        self.cohort(self.periods[pos].index, t0, pos);
                    }
                }
            }
            RetentionKind::FirstTime | RetentionKind::FirstEverOccurrence => {
                if let Some((p, t0)) = first_time
                    && let Some(pos) = self.periods.iter().position(|a| a.index == p)
                {
                    self.cohort(p, t0, pos);
                }
            }
        }
        Ok(())
    }

    /// Counts one person in cohort `c` whose start event is at `t0` (the period aggregate at
    /// `pos`).
    fn cohort(&mut self, c: i64, t0: i64, pos: usize) {
        let Some(slot) = usize::try_from(c - self.first)
            .ok()
            .filter(|&s| s < self.counts.len())
        else {
            return;
        };
        let m = self.min;
        let observable = usize::try_from(self.last - c + 1)
            .unwrap_or(0)
            .min(self.intervals);
        self.hits.fill(false);
        if self.rolling {
            self.offsets.fill(0);
            let begin = self.return_times.partition_point(|&x| x < t0);
            for &t in &self.return_times[begin..] {
                let k = usize::try_from(t.saturating_sub(t0) / self.span).unwrap_or(usize::MAX);
                if k >= self.intervals {
                    break;
                }
                self.offsets[k] += 1;
            }
            for (k, hit) in self.hits.iter_mut().enumerate().take(observable) {
                *hit = (k == 0 && self.same) || self.offsets[k] >= m;
            }
        } else {
            let zero = self.same || self.periods[pos].returns_after_start >= m;
            match self.counting {
                Counting::On => {
                    if observable > 0 {
                        self.hits[0] = zero;
                    }
                    for a in &self.periods[pos + 1..] {
                        let k = usize::try_from(a.index - c).unwrap_or(usize::MAX);
                        if k >= observable {
                            break;
                        }
                        self.hits[k] = a.returns >= m;
                    }
                }
                Counting::OnOrAfter => {
                    // The latest period with enough returns decides every offset up to it.
                    let reach = self.last_qualifying.map_or(-1, |l| l - c);
                    for (k, hit) in self.hits.iter_mut().enumerate().take(observable) {
                        *hit = (k == 0 && zero) || ((k as i64) <= reach && (k > 0 || reach > 0));
                    }
                }
            }
        }
        let (size, cells) = &mut self.counts[slot];
        *size += 1;
        for (cell, col) in cells.iter_mut().zip(&self.columns) {
            if col.last_offset < observable
                && self.hits[col.first_offset..=col.last_offset].contains(&true)
            {
                *cell += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    /// The cached indexer agrees with the calendar's own period lookup on walks of sorted and
    /// unsorted instants across DST changes, zones, grains and week starts.
    #[test]
    fn cached_period_index_agrees_with_the_calendar() -> Result<(), KpiError> {
        let zones = [
            Tz::UTC,
            chrono_tz::America::New_York,
            chrono_tz::Asia::Kolkata,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for tz in zones {
            for ws in [Weekday::Mon, Weekday::Sun, Weekday::Wed] {
                let cal = Calendar::new(tz, ws);
                for grain in [Grain::Day, Grain::Week, Grain::Month] {
                    let mut indexer = PeriodIndexer::new(cal, Some(grain));
                    // 2026-01-01 plus steps of up to ~1.5 days, with occasional jumps back.
                    let mut t: i64 = 1_767_225_600_000_000;
                    for _ in 0..2_000 {
                        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        let step = (x >> 20) as i64 % (36 * MICROS_PER_HOUR);
                        t += if x.is_multiple_of(17) {
                            -3 * step
                        } else {
                            step
                        };
                        assert_eq!(
                            indexer.index(t)?,
                            cal.period(t, grain)?.index(),
                            "{tz} {ws} {grain} {t}"
                        );
                    }
                }
            }
        }
        Ok(())
    }
}
