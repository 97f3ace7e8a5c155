//! Trends and active users with PostHog's semantics: a value per series, per bucket and per
//! breakdown value.
//!
//! A [`TrendsQuery`] holds one or more [`Series`] (events picked by an [`EventSelector`],
//! aggregated by a [`Math`]), a date range in a [`Calendar`] and a [`Grain`]. Running it on an
//! [`EventTable`] gives [`Trends`]: one [`TrendRow`] per series and breakdown value, then
//! one per [`Formula`].
//!
//! # Definitions
//!
//! - Buckets are the periods of the grain containing `from ..= to`, in the calendar's time
//!   zone: an event at 02:00 UTC on the 2nd is on the 1st in `America/New_York`. The first
//!   and last buckets hold only the range's days.
//! - [`Math::Total`] counts events; [`Math::UniqueKeys`] counts distinct keys (DAU at the day
//!   grain; the key is the schema's key, so a person, a group or a session);
//!   [`Math::UniqueValues`] counts distinct values of a property such as a session or group
//!   id.
//! - [`Math::WeeklyActive`] at day t counts distinct keys with an event in [t − 6, t];
//!   [`Math::MonthlyActive`] in [t − 29, t]; [`Math::TrailingCount30`] counts events in
//!   [t − 29, t] (PostHog #20430). Events before `from` count toward the first days' windows.
//!   At a coarser grain, a bucket's value is the window ending on its last day in the range.
//!   The counts are exact: each key's active days become covers [d, d + w − 1], merged and
//!   summed by a difference array, O(person-days).
//! - [`Math::Property`] aggregates a numeric property over the selected events that carry it;
//!   quantiles interpolate between order statistics (numpy's default), exactly rather than
//!   ClickHouse's sampled `quantile`.
//! - [`Math::PerKey`] aggregates each key's event count in the bucket over the keys with at
//!   least one event.
//! - A breakdown keeps the `top_n` values by selected-event volume over all series, merges
//!   the rest into [`BreakdownValue::Other`], and keeps missing values as
//!   [`BreakdownValue::Null`]. An event is counted under its own value, so a person can be
//!   under several values.
//! - Formulas combine series point-wise per breakdown value; a zero divisor gives `None`.
//! - Smoothing replaces each value by the mean of the defined values among the last `k`
//!   buckets (fewer at the start), as PostHog's moving average (PR #19578).
//! - The last bucket is flagged incomplete when the range ends after `now`.
//! - The single-number WAU or MAU is [`active_keys`]: a true distinct count over the window
//!   ending at the range end (PostHog #12986), not a sum or mean of daily values.
//!
//! # Examples
//!
//! ```
//! use chrono::NaiveDate;
//! use prodops_core::Grain;
//! use prodops_kpi::events::{EventTableBuilder, utc_micros};
//! use prodops_kpi::events::trends::{EventSelector, Math, Series, TrendsQuery};
//!
//! let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).ok_or("bad date");
//! let at = |d: u32, h: u32| -> Result<i64, Box<dyn std::error::Error>> {
//!     Ok(utc_micros(day(d)?.and_hms_opt(h, 0, 0).ok_or("bad time")?))
//! };
//! let mut events = EventTableBuilder::new(Vec::<String>::new());
//! events.push("ann", at(1, 9)?, "view", &[])?;
//! events.push("ann", at(1, 10)?, "view", &[])?;
//! events.push("bob", at(2, 9)?, "view", &[])?;
//! events.push("ann", at(3, 9)?, "view", &[])?;
//! let table = events.build();
//!
//! let trends = TrendsQuery::builder(day(1)?, day(3)?)
//!     .grain(Grain::Day)
//!     .series(Series::new("views", EventSelector::event("view"), Math::Total))
//!     .series(Series::new("DAU", EventSelector::event("view"), Math::UniqueKeys))
//!     .series(Series::new("WAU", EventSelector::event("view"), Math::WeeklyActive))
//!     .build()?
//!     .run(&table)?;
//! assert_eq!(trends.values("views", None).ok_or("row")?, &[Some(2.0), Some(1.0), Some(1.0)]);
//! assert_eq!(trends.values("DAU", None).ok_or("row")?, &[Some(1.0), Some(1.0), Some(1.0)]);
//! assert_eq!(trends.values("WAU", None).ok_or("row")?, &[Some(1.0), Some(2.0), Some(2.0)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod change;
mod formula;
pub(crate) mod grid;
pub(crate) mod kernels;
mod selector;

use chrono::NaiveDate;
use polars::prelude::*;
use prodops_core::{Grain, Period};
use prodops_experiment::Alpha;

pub use change::{
    ChangeTest, PeriodChange, Significance, count_change, poisson_rate_p_value, rate_change,
};
pub use formula::Formula;
pub use selector::{EventSelector, PropertyFilter};

use crate::error::{KpiError, invalid_input};
use crate::events::{Calendar, EventTable};
use grid::{Buckets, DayGrid, sub_days};
use kernels::{
    DayCounts, DistinctValues, NO_SLOT, PerKeyCounts, PropertyValues, Slots, TrailingDistinct,
    Uniques, Volume, quantile_sorted, reduce_pairs, scan,
};

/// An aggregate of a numeric event property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PropertyMath {
    /// Sum (0 for a bucket without values).
    Sum,
    /// Mean.
    Avg,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Median.
    Median,
    /// 90th percentile.
    P90,
    /// 95th percentile.
    P95,
    /// 99th percentile.
    P99,
}

/// An aggregate of the number of events each key did in a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PerKeyMath {
    /// Mean events per active key.
    Avg,
    /// Fewest events of an active key.
    Min,
    /// Most events of a key.
    Max,
    /// Median events per active key.
    Median,
    /// 90th percentile of events per active key.
    P90,
}

/// How a series aggregates its events in a bucket (PostHog's `math`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Math {
    /// Number of events.
    Total,
    /// Distinct keys (DAU at the day grain).
    UniqueKeys,
    /// Distinct non-null values of a property, such as a session or a group (account) id:
    /// unique sessions or groups when the table's key is a person.
    UniqueValues {
        /// The property column holding the session or group id.
        property: String,
    },
    /// Distinct keys active in the 7 days ending on the bucket's last day.
    WeeklyActive,
    /// Distinct keys active in the 30 days ending on the bucket's last day.
    MonthlyActive,
    /// Events in the 30 days ending on the bucket's last day.
    TrailingCount30,
    /// An aggregate of a numeric property.
    Property {
        /// The property column (its values must parse as numbers).
        property: String,
        /// The aggregate.
        math: PropertyMath,
    },
    /// An aggregate of events per key.
    PerKey(PerKeyMath),
}

impl Math {
    /// Days of history before the range the math needs.
    fn lookback(&self) -> usize {
        match self {
            Math::WeeklyActive => 6,
            Math::MonthlyActive | Math::TrailingCount30 => 29,
            _ => 0,
        }
    }
}

/// One line of a trend: the events to count and how to aggregate them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Series {
    /// The label in results.
    pub label: String,
    /// The events.
    pub selector: EventSelector,
    /// The aggregate.
    pub math: Math,
}

impl Series {
    /// A series.
    pub fn new(label: impl Into<String>, selector: EventSelector, math: Math) -> Series {
        Series {
            label: label.into(),
            selector,
            math,
        }
    }
}

/// Which breakdown value a row is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BreakdownValue {
    /// A value among the top N.
    Value(String),
    /// Every other value, merged.
    Other,
    /// Events without the property.
    Null,
}

impl BreakdownValue {
    fn kind(&self) -> &'static str {
        match self {
            BreakdownValue::Value(_) => "value",
            BreakdownValue::Other => "other",
            BreakdownValue::Null => "null",
        }
    }
}

/// Where a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowSource {
    /// The series at this index of the query.
    Series(usize),
    /// The formula at this index of the query.
    Formula(usize),
}

/// One line of a trend result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TrendRow {
    /// The series or formula label.
    pub label: String,
    /// The series or formula it comes from.
    pub source: RowSource,
    /// The breakdown value, `None` without a breakdown.
    pub breakdown: Option<BreakdownValue>,
    /// One value per bucket, smoothed if the query asks; `None` where undefined (a mean of no
    /// values, a division by zero).
    pub values: Vec<Option<f64>>,
    /// The values before smoothing.
    pub unsmoothed: Vec<Option<f64>>,
}

/// A trends query, built with [`TrendsQuery::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrendsQuery {
    from: NaiveDate,
    to: NaiveDate,
    grain: Grain,
    calendar: Calendar,
    series: Vec<Series>,
    formulas: Vec<(String, Formula)>,
    breakdown: Option<(String, usize)>,
    smoothing: usize,
    now: Option<i64>,
}

/// Builds a [`TrendsQuery`]; validation happens in [`TrendsQueryBuilder::build`].
#[derive(Debug, Clone)]
pub struct TrendsQueryBuilder {
    query: TrendsQuery,
}

impl TrendsQueryBuilder {
    /// The bucket grain (default [`Grain::Day`]).
    pub fn grain(mut self, grain: Grain) -> Self {
        self.query.grain = grain;
        self
    }

    /// The time zone and week start (default UTC, Monday).
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.query.calendar = calendar;
        self
    }

    /// Adds a series.
    pub fn series(mut self, series: Series) -> Self {
        self.query.series.push(series);
        self
    }

    /// Adds a formula over the series, by index in the order they were added.
    pub fn formula(mut self, label: impl Into<String>, formula: Formula) -> Self {
        self.query.formulas.push((label.into(), formula));
        self
    }

    /// Adds the DAU/MAU ratio of the selected events (PostHog #2008): two series, `"{label}
    /// DAU"` ([`Math::UniqueKeys`]) and `"{label} MAU"` ([`Math::MonthlyActive`]), and the
    /// formula `label` = DAU ÷ MAU. Meaningful at the day grain.
    pub fn dau_mau(mut self, label: impl Into<String>, selector: EventSelector) -> Self {
        let label = label.into();
        let i = self.query.series.len();
        self.query.series.push(Series::new(
            format!("{label} DAU"),
            selector.clone(),
            Math::UniqueKeys,
        ));
        self.query.series.push(Series::new(
            format!("{label} MAU"),
            selector,
            Math::MonthlyActive,
        ));
        self.query
            .formulas
            .push((label, Formula::series(i) / Formula::series(i + 1)));
        self
    }

    /// Breaks every series down by an event property, keeping the `top_n` values by volume.
    pub fn breakdown(mut self, property: impl Into<String>, top_n: usize) -> Self {
        self.query.breakdown = Some((property.into(), top_n));
        self
    }

    /// Smooths every row with a trailing mean over `k` buckets (1 = none, the default).
    pub fn smoothing(mut self, k: usize) -> Self {
        self.query.smoothing = k;
        self
    }

    /// The current instant (µs since the epoch, UTC): a range ending after it has an
    /// incomplete last bucket.
    pub fn now(mut self, micros: i64) -> Self {
        self.query.now = Some(micros);
        self
    }

    /// Validates the query.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `from` is after `to`, there is no series, a formula
    /// refers to a missing series, `top_n` is 0 or the smoothing window is 0.
    pub fn build(self) -> Result<TrendsQuery, KpiError> {
        let q = self.query;
        if q.from > q.to {
            return Err(invalid_input(
                "date range",
                format!("from {} is after to {}", q.from, q.to),
            ));
        }
        if q.series.is_empty() {
            return Err(invalid_input("series", "a trend needs at least one series"));
        }
        for (label, f) in &q.formulas {
            if let Some(i) = f.max_series()
                && i >= q.series.len()
            {
                return Err(invalid_input(
                    format!("formula {label:?}"),
                    format!("refers to series {i}, but there are {}", q.series.len()),
                ));
            }
        }
        if let Some((property, 0)) = &q.breakdown {
            return Err(invalid_input(
                format!("breakdown by {property:?}"),
                "top_n must be at least 1",
            ));
        }
        if q.smoothing == 0 {
            return Err(invalid_input("smoothing", "the window must be at least 1"));
        }
        Ok(q)
    }
}

impl TrendsQuery {
    /// A query over the civil dates `from ..= to`.
    pub fn builder(from: NaiveDate, to: NaiveDate) -> TrendsQueryBuilder {
        TrendsQueryBuilder {
            query: TrendsQuery {
                from,
                to,
                grain: Grain::Day,
                calendar: Calendar::utc(),
                series: Vec::new(),
                formulas: Vec::new(),
                breakdown: None,
                smoothing: 1,
                now: None,
            },
        }
    }

    /// Runs the query: one linear scan of the table per series (plus one to rank breakdown
    /// values).
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] when a filter, breakdown or property math names a property
    /// the table does not carry; [`KpiError::InvalidColumn`] when a property math meets a
    /// value that is not a number; [`KpiError::InvalidInput`] for dates outside the calendar.
    pub fn run(&self, table: &EventTable) -> Result<Trends, KpiError> {
        let lookback = self.series.iter().map(|s| s.math.lookback()).max();
        let buckets = Buckets::new(
            &self.calendar,
            self.from,
            self.to,
            self.grain,
            lookback.unwrap_or(0),
        )?;
        let (slots, labels) = self.breakdown_slots(table, &buckets)?;
        let n_slots = labels.len();
        let mut rows = Vec::with_capacity((self.series.len() + self.formulas.len()) * n_slots);
        for (i, series) in self.series.iter().enumerate() {
            let values = series_values(table, series, &buckets, &slots, n_slots)?;
            for (slot, values) in values.into_iter().enumerate() {
                rows.push(TrendRow {
                    label: series.label.clone(),
                    source: RowSource::Series(i),
                    breakdown: labels[slot].clone(),
                    unsmoothed: values.clone(),
                    values,
                });
            }
        }
        for (i, (label, formula)) in self.formulas.iter().enumerate() {
            for (slot, breakdown) in labels.iter().enumerate() {
                let mut point = vec![None; self.series.len()];
                let values: Vec<Option<f64>> = (0..buckets.len())
                    .map(|b| {
                        for (s, v) in point.iter_mut().enumerate() {
                            *v = rows[s * n_slots + slot].unsmoothed[b];
                        }
                        formula.evaluate(&point)
                    })
                    .collect();
                rows.push(TrendRow {
                    label: label.clone(),
                    source: RowSource::Formula(i),
                    breakdown: breakdown.clone(),
                    unsmoothed: values.clone(),
                    values,
                });
            }
        }
        if self.smoothing > 1 {
            for row in &mut rows {
                row.values = smooth(&row.unsmoothed, self.smoothing);
            }
        }
        let last_incomplete = self.now.is_some_and(|now| buckets.grid.end_instant() > now);
        Ok(Trends {
            periods: buckets.periods.clone(),
            period_starts: buckets.starts.clone(),
            bucket_days: buckets.days.clone(),
            rows,
            last_incomplete,
            series_math: self.series.iter().map(|s| s.math.clone()).collect(),
            smoothed: self.smoothing > 1,
        })
    }

    /// The breakdown slot of every event and the label of each slot: the top values by
    /// selected-event volume in the range (ties by value), then "Other", then null, each only
    /// if some selected event on the grid has it.
    fn breakdown_slots<'t>(
        &self,
        table: &'t EventTable,
        buckets: &Buckets,
    ) -> Result<(Slots<'t>, Vec<Option<BreakdownValue>>), KpiError> {
        let Some((property, top_n)) = &self.breakdown else {
            return Ok((Slots::Single, vec![None]));
        };
        let column = table
            .property(property)
            .ok_or_else(|| KpiError::MissingColumn {
                column: property.clone(),
                purpose: "breakdown property".into(),
            })?;
        let n_values = column.values().len();
        let mut volume = Volume::new(buckets, column.codes(), n_values);
        for series in &self.series {
            let matcher = series.selector.resolve(table)?;
            scan(table, &matcher, &buckets.grid, &Slots::Single, &mut volume);
        }
        let mut ranked: Vec<usize> = (0..n_values).filter(|&c| volume.in_range[c] > 0).collect();
        ranked.sort_by(|&a, &b| {
            volume.in_range[b]
                .cmp(&volume.in_range[a])
                .then_with(|| column.values()[a].cmp(&column.values()[b]))
        });
        let mut slot_of_code = vec![NO_SLOT; n_values];
        let mut labels = Vec::new();
        for &code in ranked.iter().take(*top_n) {
            slot_of_code[code] = labels.len() as u32;
            labels.push(Some(BreakdownValue::Value(column.values()[code].clone())));
        }
        // Every other value that occurs, in the range or only in the history a trailing
        // window reads, is "Other".
        let other = labels.len() as u32;
        let mut any_other = false;
        for (code, slot) in slot_of_code.iter_mut().enumerate() {
            if *slot == NO_SLOT && volume.in_grid[code] > 0 {
                *slot = other;
                any_other = true;
            }
        }
        if any_other {
            labels.push(Some(BreakdownValue::Other));
        }
        let null_slot = if volume.in_grid[n_values] > 0 {
            labels.push(Some(BreakdownValue::Null));
            (labels.len() - 1) as u32
        } else {
            NO_SLOT
        };
        Ok((
            Slots::ByCode {
                codes: column.codes(),
                slot_of_code,
                null_slot,
            },
            labels,
        ))
    }
}

/// Values of one series, `[slot][bucket]`.
fn series_values(
    table: &EventTable,
    series: &Series,
    buckets: &Buckets,
    slots: &Slots<'_>,
    n_slots: usize,
) -> Result<Vec<Vec<Option<f64>>>, KpiError> {
    let matcher = series.selector.resolve(table)?;
    let grid = &buckets.grid;
    let n_buckets = buckets.len();
    let as_f64 = |v: Vec<u64>| v.into_iter().map(|x| Some(x as f64)).collect::<Vec<_>>();
    let per_cell = |cells: Vec<Option<f64>>| -> Vec<Vec<Option<f64>>> {
        cells.chunks(n_buckets.max(1)).map(<[_]>::to_vec).collect()
    };
    Ok(match &series.math {
        Math::Total | Math::TrailingCount30 => {
            let mut counts = DayCounts::new(n_slots, grid.len());
            scan(table, &matcher, grid, slots, &mut counts);
            (0..n_slots)
                .map(|s| {
                    as_f64(if series.math == Math::Total {
                        counts.per_bucket(s, buckets)
                    } else {
                        counts.trailing(s, buckets, 30)
                    })
                })
                .collect()
        }
        Math::UniqueKeys => {
            let mut uniques = Uniques::new(n_slots, buckets);
            scan(table, &matcher, grid, slots, &mut uniques);
            per_cell(uniques.counts.into_iter().map(|c| Some(c as f64)).collect())
        }
        Math::UniqueValues { property } => {
            let column = table
                .property(property)
                .ok_or_else(|| KpiError::MissingColumn {
                    column: property.clone(),
                    purpose: format!("distinct values of series {:?}", series.label),
                })?;
            let mut acc = DistinctValues::new(buckets, column.codes(), table.len());
            scan(table, &matcher, grid, slots, &mut acc);
            let counts = acc.counts(n_slots * n_buckets);
            per_cell(counts.into_iter().map(|c| Some(c as f64)).collect())
        }
        Math::WeeklyActive | Math::MonthlyActive => {
            let window = series.math.lookback() + 1;
            let mut sweep = TrailingDistinct::new(n_slots, grid.len(), window);
            scan(table, &matcher, grid, slots, &mut sweep);
            (0..n_slots)
                .map(|s| {
                    let per_day = sweep.per_day(s, grid.len());
                    buckets
                        .last_day
                        .iter()
                        .map(|&d| Some(per_day[d] as f64))
                        .collect()
                })
                .collect()
        }
        Math::Property { property, math } => {
            let column = table
                .property(property)
                .ok_or_else(|| KpiError::MissingColumn {
                    column: property.clone(),
                    purpose: format!("numeric property of series {:?}", series.label),
                })?;
            let numeric: Vec<Option<f64>> = column
                .values()
                .iter()
                .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect();
            let quantile = match math {
                PropertyMath::Median => Some(0.5),
                PropertyMath::P90 => Some(0.9),
                PropertyMath::P95 => Some(0.95),
                PropertyMath::P99 => Some(0.99),
                _ => None,
            };
            let mut acc = PropertyValues::new(
                n_slots,
                buckets,
                column.codes(),
                &numeric,
                quantile.is_some(),
                table.len(),
            );
            scan(table, &matcher, grid, slots, &mut acc);
            if let Some(code) = acc.bad_code {
                return Err(KpiError::InvalidColumn {
                    column: property.clone(),
                    reason: format!(
                        "value {:?} is not a number (series {:?})",
                        column.value(code).unwrap_or_default(),
                        series.label
                    ),
                });
            }
            let cells = n_slots * n_buckets;
            let values = match quantile {
                Some(q) => reduce_pairs(&mut acc.pairs, cells, |v| quantile_sorted(v, q)),
                None => (0..cells)
                    .map(|c| match math {
                        PropertyMath::Sum => Some(acc.sum[c]),
                        _ if acc.n[c] == 0 => None,
                        PropertyMath::Avg => Some(acc.sum[c] / acc.n[c] as f64),
                        PropertyMath::Min => Some(acc.min[c]),
                        _ => Some(acc.max[c]),
                    })
                    .collect(),
            };
            per_cell(values)
        }
        Math::PerKey(math) => {
            let mut acc = PerKeyCounts::new(n_slots, buckets);
            scan(table, &matcher, grid, slots, &mut acc);
            let cells = n_slots * n_buckets;
            let values = reduce_pairs(&mut acc.pairs, cells, |v| match math {
                PerKeyMath::Avg => Some(v.iter().sum::<f64>() / v.len() as f64),
                PerKeyMath::Min => v.first().copied(),
                PerKeyMath::Max => v.last().copied(),
                PerKeyMath::Median => quantile_sorted(v, 0.5),
                PerKeyMath::P90 => quantile_sorted(v, 0.9),
            });
            per_cell(values)
        }
    })
}

/// Trailing mean over `k` values, of those defined; `None` where none is.
fn smooth(values: &[Option<f64>], k: usize) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|i| {
            let window = &values[(i + 1).saturating_sub(k)..=i];
            let (sum, n) = window
                .iter()
                .flatten()
                .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            (n > 0).then(|| sum / n as f64)
        })
        .collect()
}

/// The result of a [`TrendsQuery`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Trends {
    /// The buckets, in order.
    pub periods: Vec<Period>,
    /// The first civil day of each bucket's period (a Sunday for Sunday-start weeks).
    pub period_starts: Vec<NaiveDate>,
    /// Rows: every series × breakdown value, then every formula × breakdown value.
    pub rows: Vec<TrendRow>,
    /// Whether the last bucket is still in progress (the range ends after `now`).
    pub last_incomplete: bool,
    /// Days of the range in each bucket (the first and last may be partial).
    pub bucket_days: Vec<u32>,
    series_math: Vec<Math>,
    smoothed: bool,
}

impl Trends {
    /// The row with this label and breakdown value.
    pub fn row(&self, label: &str, breakdown: Option<&BreakdownValue>) -> Option<&TrendRow> {
        self.rows
            .iter()
            .find(|r| r.label == label && r.breakdown.as_ref() == breakdown)
    }

    /// The values of the row with this label and breakdown value.
    pub fn values(
        &self,
        label: &str,
        breakdown: Option<&BreakdownValue>,
    ) -> Option<&[Option<f64>]> {
        self.row(label, breakdown).map(|r| r.values.as_slice())
    }

    /// The change of a row from the next-to-last to the last complete bucket. Event counts
    /// ([`Math::Total`], unsmoothed) are tested as Poisson rates per day of the buckets;
    /// other measures carry no test (see [`count_change`] and [`rate_change`] to test a rate
    /// you assemble).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for an unknown row or an undefined value;
    /// [`KpiError::InsufficientHistory`] with fewer than two complete buckets.
    pub fn period_change(&self, row: usize, alpha: Alpha) -> Result<PeriodChange, KpiError> {
        let r = self.row_at(row)?;
        let (b0, b1) = self.last_complete_pair()?;
        let (prev, cur) = (self.value_at(r, b0)?, self.value_at(r, b1)?);
        let counts_events =
            matches!(r.source, RowSource::Series(i) if self.series_math[i] == Math::Total);
        if counts_events {
            count_change(
                prev as u64,
                f64::from(self.bucket_days[b0]),
                cur as u64,
                f64::from(self.bucket_days[b1]),
                alpha,
            )
        } else {
            Ok(PeriodChange::untested(prev, cur))
        }
    }

    /// The change of the share `numerator / denominator` (two rows holding counts, such as the
    /// DAU and MAU series [`TrendsQueryBuilder::dau_mau`] adds, or converted and entered
    /// persons) from the next-to-last to the last complete bucket, tested by the
    /// two-proportion z test ([`rate_change`]).
    ///
    /// # Errors
    ///
    /// As [`Trends::period_change`], plus [`KpiError::InvalidInput`] when a value is not a
    /// whole count or the numerator exceeds the denominator, and [`KpiError::Experiment`]
    /// when the test is undefined (fewer than 2 in a denominator, no variance).
    pub fn share_change(
        &self,
        numerator: usize,
        denominator: usize,
        alpha: Alpha,
    ) -> Result<PeriodChange, KpiError> {
        let (num, den) = (self.row_at(numerator)?, self.row_at(denominator)?);
        let (b0, b1) = self.last_complete_pair()?;
        let count = |r: &TrendRow, b: usize| -> Result<u64, KpiError> {
            let v = self.value_at(r, b)?;
            if v < 0.0 || v.fract() != 0.0 {
                return Err(invalid_input(
                    format!("row {:?}", r.label),
                    format!("{v} in {} is not a count", self.periods[b]),
                ));
            }
            Ok(v as u64)
        };
        let mut pair = [(0, 0); 2];
        for (slot, b) in pair.iter_mut().zip([b0, b1]) {
            let (x, n) = (count(num, b)?, count(den, b)?);
            if x > n {
                return Err(invalid_input(
                    "share",
                    format!(
                        "{x} {:?} exceed {n} {:?} in {}",
                        num.label, den.label, self.periods[b]
                    ),
                ));
            }
            *slot = (x, n);
        }
        rate_change(pair[0], pair[1], alpha)
    }

    fn row_at(&self, row: usize) -> Result<&TrendRow, KpiError> {
        self.rows
            .get(row)
            .ok_or_else(|| invalid_input("row", format!("no row {row} of {}", self.rows.len())))
    }

    /// The next-to-last and last complete buckets.
    fn last_complete_pair(&self) -> Result<(usize, usize), KpiError> {
        let complete = self.periods.len() - usize::from(self.last_incomplete);
        if complete < 2 {
            return Err(KpiError::InsufficientHistory {
                needed: 2,
                got: complete,
            });
        }
        Ok((complete - 2, complete - 1))
    }

    fn value_at(&self, row: &TrendRow, b: usize) -> Result<f64, KpiError> {
        row.unsmoothed[b].ok_or_else(|| {
            invalid_input(
                format!("row {:?}", row.label),
                format!("undefined in {}", self.periods[b]),
            )
        })
    }

    /// Whether the rows were smoothed.
    pub fn is_smoothed(&self) -> bool {
        self.smoothed
    }

    /// The result in long form, one row per (series or formula, breakdown value, bucket):
    /// `period` (label such as `2026-10-18` or `2026-W42`), `period_start` (the first day of
    /// the period in the calendar, even when the range starts later), `series`,
    /// `breakdown` (the value, null for none and for the null bucket), `breakdown_kind`
    /// (`none`, `value`, `other` or `null`), `value` (null where undefined) and `incomplete`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let n = self.rows.len() * self.periods.len();
        let mut period = Vec::with_capacity(n);
        let mut start = Vec::with_capacity(n);
        let mut series = Vec::with_capacity(n);
        let mut breakdown: Vec<Option<String>> = Vec::with_capacity(n);
        let mut kind = Vec::with_capacity(n);
        let mut value = Vec::with_capacity(n);
        let mut incomplete = Vec::with_capacity(n);
        let last = self.periods.len().saturating_sub(1);
        for row in &self.rows {
            for (b, (p, first)) in self.periods.iter().zip(&self.period_starts).enumerate() {
                period.push(p.label());
                start.push(first.to_epoch_days());
                series.push(row.label.clone());
                breakdown.push(match &row.breakdown {
                    Some(BreakdownValue::Value(v)) => Some(v.clone()),
                    _ => None,
                });
                kind.push(row.breakdown.as_ref().map_or("none", BreakdownValue::kind));
                value.push(row.values[b]);
                incomplete.push(self.last_incomplete && b == last);
            }
        }
        let df = DataFrame::new_infer_height(vec![
            Column::new("period".into(), period),
            Column::new("period_start".into(), start).cast(&DataType::Date)?,
            Column::new("series".into(), series),
            Column::new("breakdown".into(), breakdown),
            Column::new("breakdown_kind".into(), kind),
            Column::new("value".into(), value),
            Column::new("incomplete".into(), incomplete),
        ])?;
        Ok(df)
    }
}

/// Distinct keys with a selected event in the `window_days` days ending on `end` (inclusive),
/// in the calendar's zone: the single-number WAU (7) or MAU (30) at the end of a range.
///
/// # Errors
///
/// [`KpiError::InvalidInput`] when `window_days` is 0 or the window leaves the calendar;
/// [`KpiError::MissingColumn`] for a filter on an unknown property.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_kpi::events::{Calendar, EventTableBuilder, utc_micros};
/// use prodops_kpi::events::trends::{EventSelector, active_keys};
///
/// let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).ok_or("bad date");
/// let mut events = EventTableBuilder::new(Vec::<String>::new());
/// for (who, d) in [("ann", 1), ("bob", 2), ("ann", 8)] {
///     events.push(who, utc_micros(day(d)?.and_hms_opt(12, 0, 0).ok_or("bad time")?), "view", &[])?;
/// }
/// let table = events.build();
/// // The 7 days ending on the 8th are the 2nd to the 8th: bob and ann.
/// let wau = active_keys(&table, &EventSelector::any(), &Calendar::utc(), day(8)?, 7)?;
/// assert_eq!(wau, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn active_keys(
    table: &EventTable,
    selector: &EventSelector,
    calendar: &Calendar,
    end: NaiveDate,
    window_days: u32,
) -> Result<u64, KpiError> {
    if window_days == 0 {
        return Err(invalid_input("window_days", "must be at least 1"));
    }
    let grid = DayGrid::new(calendar, sub_days(end, u64::from(window_days) - 1)?, end)?;
    let matcher = selector.resolve(table)?;
    struct Keys(u64);
    impl kernels::Visitor for Keys {
        fn event(&mut self, _key: u32, _row: usize, _day: usize, _slot: usize) {}
        fn end_key(&mut self, _key: u32) {
            self.0 += 1;
        }
    }
    let mut keys = Keys(0);
    scan(table, &matcher, &grid, &Slots::Single, &mut keys);
    Ok(keys.0)
}
