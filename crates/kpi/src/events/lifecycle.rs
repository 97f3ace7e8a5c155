//! Lifecycle: per period, how many persons are new, returning, resurrecting or dormant
//! (PostHog's lifecycle insight).
//!
//! # The four states
//!
//! These states confuse readers of lifecycle charts (PostHog PR #8028), so each is defined
//! exactly here.
//!
//! Periods are the grain's calendar periods covering the range (the first is taken whole),
//! in the calendar's time zone. A person is *active* in a period when they did a selected
//! event in it. A person's creation period is their `created_at` truncated to the grain.
//!
//! - **new**: active in period t, and t is the creation period. This takes precedence: a
//!   person created in t is new in t even if they were somehow active before.
//! - **returning**: active in t and in t − 1 (and not new in t). These persons kept using the
//!   product without a gap.
//! - **resurrecting**: active in t, not active in t − 1, and not new in t. This includes a
//!   person whose first ever activity comes after their creation period (signed up in one
//!   week, first used the product two weeks later): they were "created" but inactive, and
//!   come back.
//! - **dormant**: not active in t but active in t − 1. Reported as a negative count, as
//!   PostHog charts it below the axis. A person is dormant once per gap, in the first period
//!   of the gap.
//!
//! Every count is computed from activity in the range plus one period before it, so the
//! first period's returning and dormant counts are right. The identities
//! active(t) = new + returning + resurrecting and
//! active(t) = active(t − 1) − |dormant(t)| + new(t) + resurrecting(t) hold for every t
//! ([`Lifecycle::active_before`] is active in the period before the first). The second
//! assumes nobody is active before their creation period: a person whose creation time comes
//! after some of their activity is new in the creation period even if active just before it,
//! so they count neither as returning nor as dormant there.
//!
//! # Persons without a creation time
//!
//! PostHog gives personless events an epoch `created_at`, so they all show as resurrecting
//! (PostHog #25367, #26319). Here a [`MissingCreation`] policy is required: leave such
//! persons out (counted in [`Lifecycle::excluded_keys`]), or take the time of their first
//! event in the table as the creation time.
//!
//! One pass over each person's time-sorted events; no per-period join, the query PostHog
//! timed out on at scale (#5995, #6606).
//!
//! # Examples
//!
//! ```
//! use std::collections::HashMap;
//! use chrono::NaiveDate;
//! use prodops_core::Grain;
//! use prodops_kpi::events::{EventTableBuilder, utc_micros};
//! use prodops_kpi::events::lifecycle::{LifecycleQuery, MissingCreation, PersonCreation};
//! use prodops_kpi::events::trends::EventSelector;
//!
//! let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).ok_or("bad date");
//! let at = |d: u32| -> Result<i64, Box<dyn std::error::Error>> {
//!     Ok(utc_micros(day(d)?.and_hms_opt(9, 0, 0).ok_or("bad time")?))
//! };
//! let mut events = EventTableBuilder::new(Vec::<String>::new());
//! // ann signs up on the 1st and is active on the 1st and 2nd; bob, created long ago, on
//! // the 2nd only.
//! events.push("ann", at(1)?, "view", &[])?;
//! events.push("ann", at(2)?, "view", &[])?;
//! events.push("bob", at(2)?, "view", &[])?;
//! let table = events.build();
//! let created = PersonCreation::from_map(HashMap::from([
//!     ("ann".to_string(), at(1)?),
//!     ("bob".to_string(), 0),
//! ]));
//! let lifecycle = LifecycleQuery::builder(day(1)?, day(3)?, EventSelector::event("view"))
//!     .grain(Grain::Day)
//!     .persons(created, MissingCreation::Exclude)
//!     .build()?
//!     .run(&table)?;
//! assert_eq!(lifecycle.new, vec![1, 0, 0]);          // ann on the 1st
//! assert_eq!(lifecycle.returning, vec![0, 1, 0]);    // ann on the 2nd
//! assert_eq!(lifecycle.resurrecting, vec![0, 1, 0]); // bob on the 2nd
//! assert_eq!(lifecycle.dormant, vec![0, 0, -2]);     // both on the 3rd
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;
use prodops_core::{Grain, Period};

use crate::error::{KpiError, invalid_input};
use crate::events::trends::EventSelector;
use crate::events::trends::grid::{Buckets, NO_BUCKET, sub_days};
use crate::events::trends::kernels::{Slots, Visitor, scan};
use crate::events::{Calendar, EventTable, MICROS_PER_DAY, parse_timestamp};

/// What to do with a person who has events but no creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MissingCreation {
    /// Leave the person out of every count.
    Exclude,
    /// Use the time of the person's first event in the table (of any name) as creation.
    FirstSeen,
}

/// Creation times of persons (µs since the epoch, UTC), by key name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonCreation {
    created_at: HashMap<String, i64>,
}

impl PersonCreation {
    /// No creation times: every person falls under the [`MissingCreation`] policy.
    pub fn none() -> PersonCreation {
        PersonCreation::default()
    }

    /// Creation times by key name.
    pub fn from_map(created_at: HashMap<String, i64>) -> PersonCreation {
        PersonCreation { created_at }
    }

    /// Reads a person frame: a key column and a `created_at` column that is a date-time
    /// (naive values read as UTC), a date (midnight UTC) or text such as
    /// `2026-10-18 08:15:19`. Rows with a null key or creation time are skipped (those persons
    /// fall under the policy). A key listed twice keeps its earliest creation time.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] for an absent column; [`KpiError::InvalidColumn`] for a
    /// column of another type or text that is not a timestamp (naming the row).
    pub fn from_frame(
        df: &DataFrame,
        key: &str,
        created_at: &str,
    ) -> Result<PersonCreation, KpiError> {
        let column = |name: &str, purpose: &str| {
            df.column(name).map_err(|_| KpiError::MissingColumn {
                column: name.to_string(),
                purpose: purpose.to_string(),
            })
        };
        let keys = column(key, "person key")?.cast(&DataType::String)?;
        let created = column(created_at, "person creation time")?;
        let micros: Vec<Option<i64>> = match created.dtype() {
            DataType::Datetime(unit, _) => {
                let per_micro = |v: i64| match unit {
                    TimeUnit::Nanoseconds => v.div_euclid(1_000),
                    TimeUnit::Microseconds => v,
                    TimeUnit::Milliseconds => v * 1_000,
                };
                created
                    .datetime()?
                    .physical()
                    .iter()
                    .map(|v| v.map(per_micro))
                    .collect()
            }
            DataType::Date => created
                .date()?
                .physical()
                .iter()
                .map(|v| v.map(|d| i64::from(d) * MICROS_PER_DAY))
                .collect(),
            DataType::String => created
                .str()?
                .iter()
                .enumerate()
                .map(|(row, v)| match v {
                    None => Ok(None),
                    Some(raw) => {
                        parse_timestamp(raw)
                            .map(Some)
                            .ok_or_else(|| KpiError::InvalidColumn {
                                column: created_at.to_string(),
                                reason: format!("row {row}: {raw:?} is not a timestamp"),
                            })
                    }
                })
                .collect::<Result<_, _>>()?,
            other => {
                return Err(KpiError::InvalidColumn {
                    column: created_at.to_string(),
                    reason: format!("expected a date-time, date or text, found {other}"),
                });
            }
        };
        let mut map = HashMap::with_capacity(micros.len());
        for (k, t) in keys.str()?.iter().zip(micros) {
            if let (Some(k), Some(t)) = (k, t) {
                map.entry(k.to_string())
                    .and_modify(|e: &mut i64| *e = (*e).min(t))
                    .or_insert(t);
            }
        }
        Ok(PersonCreation { created_at: map })
    }

    /// The creation time of a key.
    pub fn get(&self, key: &str) -> Option<i64> {
        self.created_at.get(key).copied()
    }
}

/// A lifecycle query, built with [`LifecycleQuery::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleQuery {
    from: NaiveDate,
    to: NaiveDate,
    grain: Grain,
    calendar: Calendar,
    selector: EventSelector,
    persons: Option<(PersonCreation, MissingCreation)>,
}

/// Builds a [`LifecycleQuery`].
#[derive(Debug, Clone)]
pub struct LifecycleQueryBuilder {
    query: LifecycleQuery,
}

impl LifecycleQueryBuilder {
    /// The period grain (default [`Grain::Week`]).
    pub fn grain(mut self, grain: Grain) -> Self {
        self.query.grain = grain;
        self
    }

    /// The time zone and week start (default UTC, Monday).
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.query.calendar = calendar;
        self
    }

    /// Creation times and the policy for persons without one. Required.
    pub fn persons(mut self, created: PersonCreation, missing: MissingCreation) -> Self {
        self.query.persons = Some((created, missing));
        self
    }

    /// Validates the query.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `from` is after `to` or [`LifecycleQueryBuilder::persons`]
    /// was not called.
    pub fn build(self) -> Result<LifecycleQuery, KpiError> {
        let q = self.query;
        if q.from > q.to {
            return Err(invalid_input(
                "date range",
                format!("from {} is after to {}", q.from, q.to),
            ));
        }
        if q.persons.is_none() {
            return Err(invalid_input(
                "lifecycle persons",
                "creation times and a policy for persons without one are required",
            ));
        }
        Ok(q)
    }
}

/// The first civil date of the period of `grain` containing `date` (honouring the week start).
fn period_start(calendar: &Calendar, date: NaiveDate, grain: Grain) -> Result<NaiveDate, KpiError> {
    let period = calendar.period_of_date(date, grain);
    let mut start = date;
    while let Some(prev) = start.pred_opt() {
        if calendar.period_of_date(prev, grain) != period {
            break;
        }
        start = prev;
    }
    Ok(start)
}

impl LifecycleQuery {
    /// A query over the periods containing `from ..= to`, counting the selected events.
    pub fn builder(
        from: NaiveDate,
        to: NaiveDate,
        selector: EventSelector,
    ) -> LifecycleQueryBuilder {
        LifecycleQueryBuilder {
            query: LifecycleQuery {
                from,
                to,
                grain: Grain::Week,
                calendar: Calendar::utc(),
                selector,
                persons: None,
            },
        }
    }

    /// Runs the query in one linear scan.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] for a filter on an unknown property;
    /// [`KpiError::InvalidInput`] for dates or creation times outside the calendar.
    pub fn run(&self, table: &EventTable) -> Result<Lifecycle, KpiError> {
        let Some((created, missing)) = &self.persons else {
            return Err(invalid_input("lifecycle persons", "required"));
        };
        let first = period_start(&self.calendar, self.from, self.grain)?;
        let before = period_start(&self.calendar, sub_days(first, 1)?, self.grain)?;
        let lookback = (first - before).num_days() as usize;
        let buckets = Buckets::new(&self.calendar, first, self.to, self.grain, lookback)?;
        let base = buckets.periods[0].index() - 1;
        let mut creation = Vec::with_capacity(table.n_keys());
        for key in table.keys() {
            let name = &table.key_names()[key.key as usize];
            let at = match (created.get(name), missing) {
                (Some(t), _) => Some(t),
                (None, MissingCreation::FirstSeen) => key.timestamps.first().copied(),
                (None, MissingCreation::Exclude) => None,
            };
            creation.push(match at {
                // `Period::index` rather than `Calendar::period_index`, whose UTC day fast
                // path counts from 1970 instead of Period's origin.
                Some(t) => Some(self.calendar.period(t, self.grain)?.index() - base),
                None => None,
            });
        }
        let n = buckets.len();
        let matcher = self.selector.resolve(table)?;
        let mut kernel = Kernel {
            bucket_of_day: &buckets.bucket_of_day,
            lookback: buckets.lookback,
            creation: &creation,
            last: n as i64,
            key: u32::MAX,
            prev: None,
            excluded: false,
            new: vec![0; n + 1],
            returning: vec![0; n + 1],
            resurrecting: vec![0; n + 1],
            dormant: vec![0; n + 2],
            excluded_keys: 0,
        };
        scan(table, &matcher, &buckets.grid, &Slots::Single, &mut kernel);
        Ok(Lifecycle {
            periods: buckets.periods.clone(),
            period_starts: buckets.starts.clone(),
            active_before: kernel.new[0] + kernel.returning[0] + kernel.resurrecting[0],
            new: kernel.new[1..].to_vec(),
            returning: kernel.returning[1..].to_vec(),
            resurrecting: kernel.resurrecting[1..].to_vec(),
            dormant: kernel.dormant[1..=n].iter().map(|&d| -(d as i64)).collect(),
            excluded_keys: kernel.excluded_keys,
        })
    }
}

/// Periods are numbered 0 (the one before the range) to `last`.
struct Kernel<'b> {
    bucket_of_day: &'b [u32],
    lookback: usize,
    creation: &'b [Option<i64>],
    last: i64,
    key: u32,
    prev: Option<i64>,
    excluded: bool,
    new: Vec<u64>,
    returning: Vec<u64>,
    resurrecting: Vec<u64>,
    dormant: Vec<u64>,
    excluded_keys: u64,
}

impl Visitor for Kernel<'_> {
    #[inline]
    fn event(&mut self, key: u32, _row: usize, day: usize, _slot: usize) {
        if key != self.key {
            self.key = key;
            self.prev = None;
            self.excluded = false;
        }
        let Some(created) = self.creation[key as usize] else {
            self.excluded = true;
            return;
        };
        let p = if day < self.lookback {
            0
        } else {
            let b = self.bucket_of_day[day];
            debug_assert_ne!(b, NO_BUCKET);
            i64::from(b) + 1
        };
        if self.prev == Some(p) {
            return;
        }
        if let Some(q) = self.prev
            && q + 1 < p
        {
            self.dormant[(q + 1) as usize] += 1;
        }
        let t = p as usize;
        if p == created {
            self.new[t] += 1;
        } else if self.prev == Some(p - 1) {
            self.returning[t] += 1;
        } else {
            self.resurrecting[t] += 1;
        }
        self.prev = Some(p);
    }

    fn end_key(&mut self, _key: u32) {
        if self.excluded {
            self.excluded_keys += 1;
        } else if let Some(q) = self.prev
            && q < self.last
        {
            self.dormant[(q + 1) as usize] += 1;
        }
        self.key = u32::MAX;
    }
}

/// The result of a [`LifecycleQuery`]: one count per period and state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lifecycle {
    /// The periods, in order.
    pub periods: Vec<Period>,
    /// The first civil day of each period (a Sunday for Sunday-start weeks).
    pub period_starts: Vec<NaiveDate>,
    /// New persons per period.
    pub new: Vec<u64>,
    /// Returning persons per period.
    pub returning: Vec<u64>,
    /// Resurrecting persons per period.
    pub resurrecting: Vec<u64>,
    /// Dormant persons per period, negative (or zero).
    pub dormant: Vec<i64>,
    /// Persons active in the period before the first.
    pub active_before: u64,
    /// Persons with selected events left out for lack of a creation time.
    pub excluded_keys: u64,
}

impl Lifecycle {
    /// Persons active in period `t`: new + returning + resurrecting.
    pub fn active(&self, t: usize) -> u64 {
        self.new[t] + self.returning[t] + self.resurrecting[t]
    }

    /// Adds the result of a query on a disjoint set of keys (a shard partitioned by key).
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the periods differ.
    pub fn merge(&mut self, other: &Lifecycle) -> Result<(), KpiError> {
        if self.periods != other.periods {
            return Err(KpiError::IncompatibleOptions {
                reason: "lifecycle results over different periods cannot be merged".into(),
            });
        }
        let add = |a: &mut Vec<u64>, b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.new, &other.new);
        add(&mut self.returning, &other.returning);
        add(&mut self.resurrecting, &other.resurrecting);
        for (a, b) in self.dormant.iter_mut().zip(&other.dormant) {
            *a += b;
        }
        self.active_before += other.active_before;
        self.excluded_keys += other.excluded_keys;
        Ok(())
    }

    /// One row per period and state: `period` (label), `period_start` (its first civil
    /// day), `status` (`new`, `returning`, `resurrecting`, `dormant`) and `count`
    /// (negative for dormant).
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let mut period = Vec::new();
        let mut start = Vec::new();
        let mut status = Vec::new();
        let mut count = Vec::new();
        for (t, (p, first)) in self.periods.iter().zip(&self.period_starts).enumerate() {
            for (name, c) in [
                ("new", self.new[t] as i64),
                ("returning", self.returning[t] as i64),
                ("resurrecting", self.resurrecting[t] as i64),
                ("dormant", self.dormant[t]),
            ] {
                period.push(p.label());
                start.push(first.to_epoch_days());
                status.push(name);
                count.push(c);
            }
        }
        Ok(DataFrame::new_infer_height(vec![
            Column::new("period".into(), period),
            Column::new("period_start".into(), start).cast(&DataType::Date)?,
            Column::new("status".into(), status),
            Column::new("count".into(), count),
        ])?)
    }
}
