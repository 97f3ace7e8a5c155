//! Time grains and calendar periods.
//!
//! A [`Period`] is one aligned calendar bucket (a day, an ISO week starting on Monday, a month,
//! a quarter or a year). Every period maps to an integer *index* on its grain's axis, so
//! period-over-period arithmetic (`offset`, `periods_until`) is exact integer arithmetic rather
//! than date arithmetic with its month-length and leap-year corner cases.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};

use crate::CoreError;

/// The width of a reporting bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    /// A calendar day.
    Day,
    /// An ISO 8601 week, Monday to Sunday, labelled by its ISO week-year.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January–March is Q1).
    Quarter,
    /// A calendar year.
    Year,
}

impl Grain {
    /// Every grain, finest first.
    pub const ALL: [Grain; 5] = [
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::Year,
    ];

    /// The lowercase name used in configuration files and labels (`"week"`).
    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
}

impl fmt::Display for Grain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Grain {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Grain::ALL
            .into_iter()
            .find(|g| g.name() == lower || format!("{}s", g.name()) == lower)
            .ok_or_else(|| CoreError::Parse {
                what: "grain",
                input: s.to_owned(),
                reason: "expected one of day, week, month, quarter, year".to_owned(),
            })
    }
}

/// One aligned calendar bucket of a given [`Grain`].
///
/// The invariant that `start` is the first day of its bucket is kept by construction: the only
/// ways to build a period are [`Period::containing`] and the functions derived from it.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_core::{Grain, Period};
///
/// let day = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("bad date")?;
/// let q = Period::containing(Grain::Quarter, day);
/// assert_eq!(q.to_string(), "2026-Q4");
/// assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 10, 1).ok_or("bad date")?);
/// assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2026, 12, 31).ok_or("bad date")?);
/// assert_eq!(q.offset(-4)?.to_string(), "2025-Q4");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PeriodRepr", into = "PeriodRepr")]
pub struct Period {
    grain: Grain,
    start: NaiveDate,
}

impl Period {
    /// The period of `grain` that contains `date`.
    pub fn containing(grain: Grain, date: NaiveDate) -> Period {
        let start = match grain {
            Grain::Day => date,
            Grain::Week => date.week(Weekday::Mon).first_day(),
            // Day 1 of the date's own month, quarter or year always exists.
            Grain::Month => date.with_day(1).unwrap_or(date),
            Grain::Quarter => {
                first_of_month(date.year(), date.month0() / 3 * 3 + 1).unwrap_or(date)
            }
            Grain::Year => first_of_month(date.year(), 1).unwrap_or(date),
        };
        Period { grain, start }
    }

    /// The period of `grain` that contains the naive timestamp `ts`.
    pub fn containing_datetime(grain: Grain, ts: NaiveDateTime) -> Period {
        Period::containing(grain, ts.date())
    }

    /// The period of `grain` that contains `ts`, judged by the calendar of `ts`'s own time zone.
    ///
    /// Bucketing by the local calendar is what a report reader expects: a response given at
    /// 23:30 on Monday in New York belongs to Monday, even though it is Tuesday in UTC. Convert
    /// the timestamp to the reporting time zone first to choose another calendar.
    pub fn containing_instant<Tz: TimeZone>(grain: Grain, ts: &DateTime<Tz>) -> Period {
        Period::containing(grain, ts.date_naive())
    }

    /// The grain of this period.
    pub fn grain(&self) -> Grain {
        self.grain
    }

    /// The first day of the period.
    pub fn first_day(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        // The day before the next period's start; at the end of chrono's range, the last
        // representable day.
        match self.next() {
            Ok(next) => next.start.pred_opt().unwrap_or(NaiveDate::MAX),
            Err(_) => NaiveDate::MAX,
        }
    }

    /// The number of days in the period.
    pub fn len_days(&self) -> u32 {
        let days = (self.last_day() - self.start).num_days() + 1;
        u32::try_from(days).unwrap_or(u32::MAX)
    }

    /// The first instant of the period, as a naive timestamp (midnight of the first day).
    pub fn start_datetime(&self) -> NaiveDateTime {
        self.start.and_time(NaiveTime::MIN)
    }

    /// The first instant after the period (midnight of the next period's first day), or
    /// `None` at the end of the supported calendar range.
    pub fn end_datetime_exclusive(&self) -> Option<NaiveDateTime> {
        self.next().ok().map(|p| p.start_datetime())
    }

    /// Whether `date` falls in this period.
    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.last_day()
    }

    /// Whether the naive timestamp `ts` falls in `[start, end)` of this period.
    pub fn contains(&self, ts: NaiveDateTime) -> bool {
        self.contains_date(ts.date())
    }

    /// The position of this period on its grain's integer axis.
    ///
    /// Consecutive periods have consecutive indexes, so `b.index() - a.index()` is the number
    /// of periods from `a` to `b`. Days count from 0001-01-01 (index 1), weeks from the week of
    /// 0001-01-01 (a Monday, index 0), months as `12 * year + month0`, quarters as
    /// `4 * year + quarter0`, years as the year.
    pub fn index(&self) -> i64 {
        let d = self.start;
        match self.grain {
            Grain::Day => i64::from(d.num_days_from_ce()),
            Grain::Week => (i64::from(d.num_days_from_ce()) - 1).div_euclid(7),
            Grain::Month => 12 * i64::from(d.year()) + i64::from(d.month0()),
            Grain::Quarter => 4 * i64::from(d.year()) + i64::from(d.month0() / 3),
            Grain::Year => i64::from(d.year()),
        }
    }

    /// The period of `grain` at `index` (the inverse of [`Period::index`]).
    ///
    /// # Errors
    ///
    /// [`CoreError::PeriodOutOfRange`] when the index lies outside chrono's calendar.
    pub fn from_index(grain: Grain, index: i64) -> Result<Period, CoreError> {
        let out_of_range = || CoreError::PeriodOutOfRange(format!("{grain} index {index}"));
        let start = match grain {
            Grain::Day => i32::try_from(index)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt),
            Grain::Week => index
                .checked_mul(7)
                .and_then(|d| d.checked_add(1))
                .and_then(|d| i32::try_from(d).ok())
                .and_then(NaiveDate::from_num_days_from_ce_opt),
            Grain::Month => i32::try_from(index.div_euclid(12))
                .ok()
                .and_then(|y| first_of_month(y, index.rem_euclid(12) as u32 + 1)),
            Grain::Quarter => i32::try_from(index.div_euclid(4))
                .ok()
                .and_then(|y| first_of_month(y, index.rem_euclid(4) as u32 * 3 + 1)),
            Grain::Year => i32::try_from(index).ok().and_then(|y| first_of_month(y, 1)),
        }
        .ok_or_else(out_of_range)?;
        Ok(Period { grain, start })
    }

    /// The period `n` steps away on the same grain (`n` may be negative).
    ///
    /// # Errors
    ///
    /// [`CoreError::PeriodOutOfRange`] when the result lies outside chrono's calendar.
    pub fn offset(&self, n: i64) -> Result<Period, CoreError> {
        let index = self.index().checked_add(n).ok_or_else(|| {
            CoreError::PeriodOutOfRange(format!("{self} offset by {n} overflows"))
        })?;
        Period::from_index(self.grain, index)
    }

    /// The next period.
    ///
    /// # Errors
    ///
    /// [`CoreError::PeriodOutOfRange`] at the end of the supported calendar.
    pub fn next(&self) -> Result<Period, CoreError> {
        self.offset(1)
    }

    /// The previous period.
    ///
    /// # Errors
    ///
    /// [`CoreError::PeriodOutOfRange`] at the start of the supported calendar.
    pub fn prev(&self) -> Result<Period, CoreError> {
        self.offset(-1)
    }

    /// The number of periods from `self` to `later` (negative if `later` is earlier).
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] when the two periods have different grains, which have no common
    /// unit.
    pub fn periods_until(&self, later: &Period) -> Result<i64, CoreError> {
        if self.grain != later.grain {
            return Err(CoreError::Parse {
                what: "period distance",
                input: format!("{self} .. {later}"),
                reason: "the two periods have different grains".to_owned(),
            });
        }
        Ok(later.index() - self.index())
    }

    /// The same period `years` years earlier or later, for year-over-year comparison.
    ///
    /// Months, quarters and years shift by whole years. An ISO week keeps its week number in
    /// the target ISO year (week 53 becomes week 52 where the target year has none). A day keeps
    /// its month and day, with 29 February becoming 28 February in a non-leap year.
    ///
    /// # Errors
    ///
    /// [`CoreError::PeriodOutOfRange`] when the result lies outside chrono's calendar.
    pub fn shift_years(&self, years: i32) -> Result<Period, CoreError> {
        let out_of_range =
            || CoreError::PeriodOutOfRange(format!("{self} shifted by {years} years"));
        match self.grain {
            Grain::Month => self.offset(12 * i64::from(years)),
            Grain::Quarter => self.offset(4 * i64::from(years)),
            Grain::Year => self.offset(i64::from(years)),
            Grain::Week => {
                let iso = self.start.iso_week();
                let year = iso.year().checked_add(years).ok_or_else(out_of_range)?;
                let start = NaiveDate::from_isoywd_opt(year, iso.week(), Weekday::Mon)
                    .or_else(|| NaiveDate::from_isoywd_opt(year, 52, Weekday::Mon))
                    .ok_or_else(out_of_range)?;
                Ok(Period {
                    grain: Grain::Week,
                    start,
                })
            }
            Grain::Day => {
                let d = self.start;
                let year = d.year().checked_add(years).ok_or_else(out_of_range)?;
                let start = NaiveDate::from_ymd_opt(year, d.month(), d.day())
                    .or_else(|| NaiveDate::from_ymd_opt(year, d.month(), 28))
                    .ok_or_else(out_of_range)?;
                Ok(Period {
                    grain: Grain::Day,
                    start,
                })
            }
        }
    }

    /// An iterator over the periods from `self` to `last`, both inclusive.
    ///
    /// Empty when `last` is earlier than `self` or has another grain.
    pub fn through(&self, last: Period) -> PeriodRange {
        let end = if last.grain == self.grain {
            last.index()
        } else {
            self.index() - 1
        };
        PeriodRange {
            grain: self.grain,
            next: self.index(),
            end,
        }
    }

    /// The label used in reports and accepted by [`FromStr`]: `2026-11-23`, `2026-W48`,
    /// `2026-11`, `2026-Q4`, `2026`.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    /// Periods order by start date, then by grain (finer first) for equal starts.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.start, self.grain).cmp(&(other.start, other.grain))
    }
}

fn first_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.start;
        match self.grain {
            Grain::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            Grain::Week => {
                let iso = d.iso_week();
                write!(f, "{:04}-W{:02}", iso.year(), iso.week())
            }
            Grain::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Grain::Quarter => write!(f, "{:04}-Q{}", d.year(), d.month0() / 3 + 1),
            Grain::Year => write!(f, "{:04}", d.year()),
        }
    }
}

impl FromStr for Period {
    type Err = CoreError;

    /// Parses the labels written by [`Period`]'s `Display`; the grain is inferred from the
    /// label's shape.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| CoreError::Parse {
            what: "period",
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        let t = s.trim();
        let num = |part: &str| -> Result<i64, CoreError> {
            part.parse::<i64>()
                .map_err(|_| err("expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www or YYYY-Qn"))
        };
        let parts: Vec<&str> = t.split('-').collect();
        let period = match parts.as_slice() {
            [y] => Period::from_index(Grain::Year, num(y)?)?,
            [y, q] if q.starts_with('Q') => {
                let q = num(&q[1..])?;
                if !(1..=4).contains(&q) {
                    return Err(err("quarter must be 1 to 4"));
                }
                Period::from_index(Grain::Quarter, 4 * num(y)? + q - 1)?
            }
            [y, w] if w.starts_with('W') => {
                let year = i32::try_from(num(y)?).map_err(|_| err("year out of range"))?;
                let week = u32::try_from(num(&w[1..])?).map_err(|_| err("week out of range"))?;
                let start = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
                    .ok_or_else(|| err("no such ISO week in that year"))?;
                Period {
                    grain: Grain::Week,
                    start,
                }
            }
            [y, m] => {
                let m = num(m)?;
                if !(1..=12).contains(&m) {
                    return Err(err("month must be 1 to 12"));
                }
                Period::from_index(Grain::Month, 12 * num(y)? + m - 1)?
            }
            [_, _, _] => {
                let date = NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|e| err(&format!("not a date: {e}")))?;
                Period::containing(Grain::Day, date)
            }
            _ => {
                return Err(err(
                    "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www or YYYY-Qn",
                ));
            }
        };
        Ok(period)
    }
}

/// Serialized form of a period: its grain and label, so JSON stays readable.
#[derive(Serialize, Deserialize)]
struct PeriodRepr {
    grain: Grain,
    label: String,
}

impl From<Period> for PeriodRepr {
    fn from(p: Period) -> Self {
        PeriodRepr {
            grain: p.grain,
            label: p.label(),
        }
    }
}

impl TryFrom<PeriodRepr> for Period {
    type Error = CoreError;

    fn try_from(r: PeriodRepr) -> Result<Self, Self::Error> {
        let p: Period = r.label.parse()?;
        if p.grain != r.grain {
            return Err(CoreError::Parse {
                what: "period",
                input: r.label,
                reason: format!("label is a {}, but grain says {}", p.grain, r.grain),
            });
        }
        Ok(p)
    }
}

/// An iterator over consecutive periods, built by [`Period::through`].
#[derive(Debug, Clone)]
pub struct PeriodRange {
    grain: Grain,
    next: i64,
    end: i64,
}

impl Iterator for PeriodRange {
    type Item = Period;

    fn next(&mut self) -> Option<Period> {
        while self.next <= self.end {
            let index = self.next;
            self.next += 1;
            // Indexes between two valid periods are valid; the guard only protects the ends of
            // chrono's range.
            if let Ok(p) = Period::from_index(self.grain, index) {
                return Some(p);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.next + 1).unwrap_or(0);
        (n, Some(n))
    }
}

impl ExactSizeIterator for PeriodRange {}

/// The change of a KPI from one period to the next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Change {
    /// The earlier value.
    pub previous: f64,
    /// The later value.
    pub current: f64,
    /// `current - previous`.
    pub absolute: f64,
    /// `(current - previous) / |previous|`, or `None` when `previous` is zero and the relative
    /// change is undefined.
    pub relative: Option<f64>,
}

impl Change {
    /// The change from `previous` to `current`.
    ///
    /// The relative change divides by `|previous|` so that a move from -10 to -5 reads as a
    /// 50% improvement rather than a 50% decline.
    ///
    /// # Errors
    ///
    /// [`CoreError::NonFinite`] if either value is NaN or infinite.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_core::Change;
    ///
    /// let c = Change::between(40.0, 50.0)?;
    /// assert_eq!(c.absolute, 10.0);
    /// assert_eq!(c.relative, Some(0.25));
    /// assert_eq!(Change::between(0.0, 3.0)?.relative, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn between(previous: f64, current: f64) -> Result<Change, CoreError> {
        for (what, value) in [("previous value", previous), ("current value", current)] {
            if !value.is_finite() {
                return Err(CoreError::NonFinite { what, value });
            }
        }
        let absolute = current - previous;
        let relative = (previous != 0.0).then(|| absolute / previous.abs());
        Ok(Change {
            previous,
            current,
            absolute,
            relative,
        })
    }
}
