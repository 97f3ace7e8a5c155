//! Stickiness: how many intervals of a range each person was active in (PostHog's
//! stickiness insight), and the DAU/MAU ratio it implies.
//!
//! # Definitions
//!
//! - The range `from ..= to` is split into N intervals of the grain (days by default), in the
//!   calendar's time zone; the first and last may be partial.
//! - A person is active in an interval when their number of selected events there meets the
//!   [`Criterion`] (PostHog's "at least / exactly / at most n time(s) per interval"; the
//!   default is at least once).
//! - x = the number of intervals a person is active in, 1 ..= N. [`Stickiness::persons`]
//!   counts persons per x; [`Stickiness::cumulative`] counts persons with x or more, so it
//!   never increases with x. Persons active in no interval are not counted.
//! - [`Stickiness::dau_mau_ratio`]: at the day grain, the mean DAU over the range divided by
//!   the distinct persons active in the range is Σₓ x·persons(x) / (N · Σₓ persons(x)),
//!   the mean share of days a person is active.
//!
//! Results from tables split by key add up: [`Stickiness::merge`].
//!
//! # Examples
//!
//! ```
//! use chrono::NaiveDate;
//! use prodops_kpi::events::{EventTableBuilder, utc_micros};
//! use prodops_kpi::events::stickiness::StickinessQuery;
//! use prodops_kpi::events::trends::EventSelector;
//!
//! let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).ok_or("bad date");
//! let mut events = EventTableBuilder::new(Vec::<String>::new());
//! for (who, d) in [("ann", 1), ("ann", 2), ("ann", 2), ("bob", 3)] {
//!     events.push(who, utc_micros(day(d)?.and_hms_opt(9, 0, 0).ok_or("bad time")?), "view", &[])?;
//! }
//! let table = events.build();
//! let sticky = StickinessQuery::builder(day(1)?, day(4)?, EventSelector::event("view"))
//!     .build()?
//!     .run(&table)?;
//! assert_eq!(sticky.persons, vec![1, 1, 0, 0]); // bob on 1 day, ann on 2 of 4
//! assert_eq!(sticky.cumulative(), vec![2, 1, 0, 0]);
//! assert_eq!(sticky.dau_mau_ratio(), Some(3.0 / 8.0)); // (1·1 + 2·1) / (4 · 2)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::NaiveDate;
use polars::prelude::*;
use prodops_core::{Grain, Period};

use crate::error::{KpiError, invalid_input};
use crate::events::trends::EventSelector;
use crate::events::trends::grid::{Buckets, NO_BUCKET};
use crate::events::trends::kernels::{Slots, Visitor, scan};
use crate::events::{Calendar, EventTable};

/// When a person's events in one interval make the interval count as active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Criterion {
    /// At least this many events (PostHog `gte`).
    Gte(u32),
    /// At most this many events, and at least one (PostHog `lte`).
    Lte(u32),
    /// Exactly this many events (PostHog `exact`).
    Exact(u32),
}

impl Default for Criterion {
    fn default() -> Self {
        Criterion::Gte(1)
    }
}

impl Criterion {
    #[inline]
    fn holds(self, events: u64) -> bool {
        events > 0
            && match self {
                Criterion::Gte(n) => events >= u64::from(n),
                Criterion::Lte(n) => events <= u64::from(n),
                Criterion::Exact(n) => events == u64::from(n),
            }
    }
}

/// A stickiness query, built with [`StickinessQuery::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct StickinessQuery {
    from: NaiveDate,
    to: NaiveDate,
    grain: Grain,
    calendar: Calendar,
    selector: EventSelector,
    criterion: Criterion,
}

/// Builds a [`StickinessQuery`].
#[derive(Debug, Clone)]
pub struct StickinessQueryBuilder {
    query: StickinessQuery,
}

impl StickinessQueryBuilder {
    /// The interval grain (default [`Grain::Day`]).
    pub fn grain(mut self, grain: Grain) -> Self {
        self.query.grain = grain;
        self
    }

    /// The time zone and week start (default UTC, Monday).
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.query.calendar = calendar;
        self
    }

    /// The per-interval criterion (default at least one event).
    pub fn criterion(mut self, criterion: Criterion) -> Self {
        self.query.criterion = criterion;
        self
    }

    /// Validates the query.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `from` is after `to`, or the criterion is `Gte(0)`
    /// (every person would be active everywhere), `Lte(0)` or `Exact(0)` (nobody would be).
    pub fn build(self) -> Result<StickinessQuery, KpiError> {
        let q = self.query;
        if q.from > q.to {
            return Err(invalid_input(
                "date range",
                format!("from {} is after to {}", q.from, q.to),
            ));
        }
        if matches!(
            q.criterion,
            Criterion::Gte(0) | Criterion::Lte(0) | Criterion::Exact(0)
        ) {
            return Err(invalid_input(
                "stickiness criterion",
                "the number of events per interval must be at least 1",
            ));
        }
        Ok(q)
    }
}

impl StickinessQuery {
    /// A query over the civil dates `from ..= to` counting the selected events.
    pub fn builder(
        from: NaiveDate,
        to: NaiveDate,
        selector: EventSelector,
    ) -> StickinessQueryBuilder {
        StickinessQueryBuilder {
            query: StickinessQuery {
                from,
                to,
                grain: Grain::Day,
                calendar: Calendar::utc(),
                selector,
                criterion: Criterion::default(),
            },
        }
    }

    /// Runs the query in one linear scan.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] for a filter on an unknown property;
    /// [`KpiError::InvalidInput`] for dates outside the calendar.
    pub fn run(&self, table: &EventTable) -> Result<Stickiness, KpiError> {
        let buckets = Buckets::new(&self.calendar, self.from, self.to, self.grain, 0)?;
        let matcher = self.selector.resolve(table)?;
        let mut kernel = Kernel {
            bucket_of_day: &buckets.bucket_of_day,
            criterion: self.criterion,
            bucket: NO_BUCKET,
            events: 0,
            active: 0,
            persons: vec![0; buckets.len()],
        };
        scan(table, &matcher, &buckets.grid, &Slots::Single, &mut kernel);
        Ok(Stickiness {
            periods: buckets.periods.clone(),
            persons: kernel.persons,
        })
    }
}

struct Kernel<'b> {
    bucket_of_day: &'b [u32],
    criterion: Criterion,
    bucket: u32,
    events: u64,
    active: usize,
    persons: Vec<u64>,
}

impl Kernel<'_> {
    #[inline]
    fn close_interval(&mut self) {
        if self.criterion.holds(self.events) {
            self.active += 1;
        }
        self.events = 0;
    }
}

impl Visitor for Kernel<'_> {
    #[inline]
    fn event(&mut self, _key: u32, _row: usize, day: usize, _slot: usize) {
        let b = self.bucket_of_day[day];
        if b != self.bucket {
            self.close_interval();
            self.bucket = b;
        }
        self.events += 1;
    }

    fn end_key(&mut self, _key: u32) {
        self.close_interval();
        if self.active > 0 {
            self.persons[self.active - 1] += 1;
        }
        self.active = 0;
        self.bucket = NO_BUCKET;
    }
}

/// The result of a [`StickinessQuery`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stickiness {
    /// The N intervals.
    pub periods: Vec<Period>,
    /// `persons[x − 1]` = persons active in exactly x intervals, x = 1 ..= N.
    pub persons: Vec<u64>,
}

impl Stickiness {
    /// The number of intervals N.
    pub fn n_intervals(&self) -> usize {
        self.periods.len()
    }

    /// `cumulative[x − 1]` = persons active in x or more intervals (PostHog's cumulative
    /// stickiness); non-increasing in x.
    pub fn cumulative(&self) -> Vec<u64> {
        let mut out = self.persons.clone();
        for i in (0..out.len().saturating_sub(1)).rev() {
            out[i] += out[i + 1];
        }
        out
    }

    /// Persons active in at least one interval.
    pub fn total_persons(&self) -> u64 {
        self.persons.iter().sum()
    }

    /// Mean active intervals per person over N: at the day grain, the mean DAU over the range
    /// divided by the distinct persons of the range. `None` without persons.
    pub fn dau_mau_ratio(&self) -> Option<f64> {
        let persons = self.total_persons();
        if persons == 0 {
            return None;
        }
        let person_intervals: u64 = self
            .persons
            .iter()
            .enumerate()
            .map(|(i, &n)| (i as u64 + 1) * n)
            .sum();
        Some(person_intervals as f64 / (self.n_intervals() as f64 * persons as f64))
    }

    /// Adds the result of a query on a disjoint set of keys (a shard of the table partitioned
    /// by key).
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the intervals differ.
    pub fn merge(&mut self, other: &Stickiness) -> Result<(), KpiError> {
        if self.periods != other.periods {
            return Err(KpiError::IncompatibleOptions {
                reason: "stickiness results over different intervals cannot be merged".into(),
            });
        }
        for (a, b) in self.persons.iter_mut().zip(&other.persons) {
            *a += b;
        }
        Ok(())
    }

    /// One row per x: `intervals` (x), `persons`, `cumulative`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let x: Vec<u32> = (1..=self.persons.len() as u32).collect();
        Ok(DataFrame::new_infer_height(vec![
            Column::new("intervals".into(), x),
            Column::new("persons".into(), self.persons.clone()),
            Column::new("cumulative".into(), self.cumulative()),
        ])?)
    }
}
