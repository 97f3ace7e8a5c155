//! The civil-day grid every event kernel maps timestamps onto, and the buckets of a range.
//!
//! Day boundaries are computed once per query in the calendar's time zone, so a kernel maps
//! an event to its civil day with an estimate and at most a step or two of correction
//! (offsets vary by hours, never by days): O(1) per event and no chrono call in the loop.

use chrono::{Days, NaiveDate, TimeZone};
use chrono_tz::Tz;
use prodops_core::{Grain, Period};

use crate::error::{KpiError, invalid_input};
use crate::events::{Calendar, MICROS_PER_DAY};

/// Consecutive civil days `first ..= last` with the instant each one starts.
#[derive(Debug, Clone)]
pub(crate) struct DayGrid {
    first: NaiveDate,
    /// `starts[d]` is the first instant of day `d`; one extra entry ends the last day.
    starts: Vec<i64>,
}

fn add_days(date: NaiveDate, n: u64) -> Result<NaiveDate, KpiError> {
    date.checked_add_days(Days::new(n))
        .ok_or_else(|| invalid_input("date range", format!("{date} + {n} days overflows")))
}

pub(crate) fn sub_days(date: NaiveDate, n: u64) -> Result<NaiveDate, KpiError> {
    date.checked_sub_days(Days::new(n))
        .ok_or_else(|| invalid_input("date range", format!("{date} - {n} days underflows")))
}

/// The first instant of a civil date in `tz`. Where midnight does not exist (a DST jump at
/// 00:00) the day starts at the first local hour that does.
fn day_start(tz: Tz, date: NaiveDate) -> Result<i64, KpiError> {
    for hour in 0..24 {
        if let Some(local) = date.and_hms_opt(hour, 0, 0)
            && let Some(instant) = tz.from_local_datetime(&local).earliest()
        {
            return Ok(instant.timestamp_micros());
        }
    }
    Err(invalid_input(
        "date range",
        format!("{date} has no representable start in {tz}"),
    ))
}

impl DayGrid {
    /// The days `first ..= last` in the calendar's zone.
    pub(crate) fn new(
        calendar: &Calendar,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<DayGrid, KpiError> {
        let n = u64::try_from((last - first).num_days())
            .map_err(|_| invalid_input("date range", format!("{first} is after {last}")))?;
        let tz = calendar.time_zone();
        let mut starts = Vec::with_capacity(n as usize + 2);
        let mut date = first;
        for _ in 0..=n + 1 {
            starts.push(day_start(tz, date)?);
            date = add_days(date, 1)?;
        }
        Ok(DayGrid { first, starts })
    }

    /// Number of days.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The civil date of day `d`.
    pub(crate) fn date(&self, d: usize) -> NaiveDate {
        self.first
            .checked_add_days(Days::new(d as u64))
            .unwrap_or(self.first)
    }

    /// The day of an instant, `None` outside the grid.
    #[inline]
    pub(crate) fn day(&self, ts: i64) -> Option<usize> {
        let n = self.len();
        let (start, end) = (self.starts[0], self.starts[n]);
        if ts < start || ts >= end {
            return None;
        }
        let mut d = (((ts - start) / MICROS_PER_DAY) as usize).min(n - 1);
        while d > 0 && self.starts[d] > ts {
            d -= 1;
        }
        while d + 1 < n && self.starts[d + 1] <= ts {
            d += 1;
        }
        Some(d)
    }

    /// The first instant of the grid.
    pub(crate) fn start_instant(&self) -> i64 {
        self.starts[0]
    }

    /// The first instant after the grid.
    pub(crate) fn end_instant(&self) -> i64 {
        self.starts[self.len()]
    }
}

/// The buckets of a range `from ..= to` at a grain, over a day grid that may start
/// `lookback` days before `from`.
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    pub(crate) grid: DayGrid,
    /// Grid days before `from` (history for trailing windows or the lifecycle's prior period).
    pub(crate) lookback: usize,
    /// The periods, in order.
    pub(crate) periods: Vec<Period>,
    /// The first civil day of each period in the calendar (a Sunday for Sunday weeks, where
    /// the period itself is the ISO week it is labelled by).
    pub(crate) starts: Vec<NaiveDate>,
    /// Bucket of each grid day; `u32::MAX` for days before `from`.
    pub(crate) bucket_of_day: Vec<u32>,
    /// The last grid day of each bucket.
    pub(crate) last_day: Vec<usize>,
    /// In-range days of each bucket.
    pub(crate) days: Vec<u32>,
}

/// Marks a grid day outside the buckets.
pub(crate) const NO_BUCKET: u32 = u32::MAX;

impl Buckets {
    /// Buckets of `grain` covering `from ..= to`, with `lookback` days of history before
    /// `from` on the grid.
    pub(crate) fn new(
        calendar: &Calendar,
        from: NaiveDate,
        to: NaiveDate,
        grain: Grain,
        lookback: usize,
    ) -> Result<Buckets, KpiError> {
        if from > to {
            return Err(invalid_input(
                "date range",
                format!("from {from} is after to {to}"),
            ));
        }
        let grid = DayGrid::new(calendar, sub_days(from, lookback as u64)?, to)?;
        let first = calendar.period_of_date(from, grain);
        let last = calendar.period_of_date(to, grain);
        let periods: Vec<Period> = first.through(last).collect();
        let shift = match grain {
            Grain::Week => u64::from((7 - calendar.week_start().num_days_from_monday()) % 7),
            _ => 0,
        };
        let starts = periods
            .iter()
            .map(|p| sub_days(p.first_day(), shift))
            .collect::<Result<Vec<_>, _>>()?;
        let mut bucket_of_day = vec![NO_BUCKET; grid.len()];
        let mut last_day = vec![0usize; periods.len()];
        let mut days = vec![0u32; periods.len()];
        for (d, slot) in bucket_of_day.iter_mut().enumerate().skip(lookback) {
            let period = calendar.period_of_date(grid.date(d), grain);
            let b = usize::try_from(period.index() - first.index()).map_err(|_| {
                invalid_input(
                    "calendar",
                    format!("day {} precedes its range", grid.date(d)),
                )
            })?;
            *slot = b as u32;
            last_day[b] = d;
            days[b] += 1;
        }
        Ok(Buckets {
            grid,
            lookback,
            periods,
            starts,
            bucket_of_day,
            last_day,
            days,
        })
    }

    /// Number of buckets.
    pub(crate) fn len(&self) -> usize {
        self.periods.len()
    }
}
