//! Business calendars: weekends and holidays, per region.
//!
//! A day is a working day unless its weekday is in the weekend or it is a holiday. Weekends are
//! configurable (Saturday–Sunday by default; Friday–Saturday for much of the Middle East), and
//! holidays are data supplied by the user (no network look-ups). A plan across several regions
//! works on the days that are working days in every one of them, so its calendar is the union of
//! the regions' weekends and holidays.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::ProcessError;
use crate::suggest::did_you_mean;
use crate::template::{Format, parse_as};

/// Weekend days and holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarRepr", into = "CalendarRepr")]
pub struct BusinessCalendar {
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarRepr {
    #[serde(default = "sat_sun")]
    weekend: Vec<Weekday>,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
}

fn sat_sun() -> Vec<Weekday> {
    vec![Weekday::Sat, Weekday::Sun]
}

impl TryFrom<CalendarRepr> for BusinessCalendar {
    type Error = String;
    fn try_from(r: CalendarRepr) -> Result<Self, String> {
        BusinessCalendar::new(&r.weekend, r.holidays).map_err(|e| e.to_string())
    }
}

impl From<BusinessCalendar> for CalendarRepr {
    fn from(c: BusinessCalendar) -> Self {
        CalendarRepr {
            weekend: c.weekend_days(),
            holidays: c.holidays.into_iter().collect(),
        }
    }
}

impl Default for BusinessCalendar {
    /// Saturday and Sunday off, no holidays.
    fn default() -> Self {
        BusinessCalendar {
            weekend: weekend_mask(&sat_sun()),
            holidays: BTreeSet::new(),
        }
    }
}

fn weekend_mask(days: &[Weekday]) -> [bool; 7] {
    let mut m = [false; 7];
    for d in days {
        m[d.num_days_from_monday() as usize] = true;
    }
    m
}

impl BusinessCalendar {
    /// A calendar with the given weekend days and holidays.
    ///
    /// # Errors
    /// [`ProcessError::Config`] if every weekday is a weekend day.
    ///
    /// # Examples
    /// ```
    /// use chrono::{NaiveDate, Weekday};
    /// use prodops_process::BusinessCalendar;
    /// let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).ok_or("date")?;
    /// let cal = BusinessCalendar::new(&[Weekday::Sat, Weekday::Sun], [christmas])?;
    /// // Thursday 24 December + 1 business day skips the holiday and the weekend.
    /// let eve = NaiveDate::from_ymd_opt(2026, 12, 24).ok_or("date")?;
    /// assert_eq!(cal.add_business_days(eve, 1)?, NaiveDate::from_ymd_opt(2026, 12, 28).ok_or("date")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        weekend: &[Weekday],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, ProcessError> {
        let mask = weekend_mask(weekend);
        if mask.iter().all(|w| *w) {
            return Err(ProcessError::Config {
                what: "business calendar".into(),
                reason: "every weekday is a weekend day, so no day is a working day".into(),
            });
        }
        Ok(BusinessCalendar {
            weekend: mask,
            holidays: holidays.into_iter().collect(),
        })
    }

    /// Reads a calendar (`weekend = ["Sat", "Sun"]`, `holidays = ["2026-12-25"]`) from text.
    ///
    /// # Errors
    /// [`ProcessError::Parse`] on malformed input.
    pub fn from_str_as(text: &str, format: Format, file: &str) -> Result<Self, ProcessError> {
        parse_as(text, format, file)
    }

    /// The weekend days, Monday first.
    pub fn weekend_days(&self) -> Vec<Weekday> {
        let all = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        all.into_iter()
            .filter(|d| self.weekend[d.num_days_from_monday() as usize])
            .collect()
    }

    /// The holidays in date order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// Adds holidays.
    pub fn with_holidays(mut self, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(holidays);
        self
    }

    /// Whether a date is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.weekend[date.weekday().num_days_from_monday() as usize]
            && !self.holidays.contains(&date)
    }

    /// The calendar whose working days are working days in both.
    pub fn union(&self, other: &BusinessCalendar) -> BusinessCalendar {
        let mut weekend = self.weekend;
        for (w, o) in weekend.iter_mut().zip(other.weekend) {
            *w |= o;
        }
        BusinessCalendar {
            weekend,
            holidays: self.holidays.union(&other.holidays).copied().collect(),
        }
    }

    fn step(date: NaiveDate, forward: bool) -> Result<NaiveDate, ProcessError> {
        let next = if forward {
            date.checked_add_days(Days::new(1))
        } else {
            date.checked_sub_days(Days::new(1))
        };
        next.ok_or_else(|| {
            ProcessError::Core(prodops_core::CoreError::PeriodOutOfRange(format!(
                "a day next to {date}"
            )))
        })
    }

    /// `n` working days after `date` (before it when `n` is negative). The start date itself
    /// does not count, so +1 from a Friday is the next working Monday; 0 returns `date`
    /// unchanged, even when it is not a working day.
    ///
    /// # Errors
    /// [`ProcessError::Core`] if the result leaves chrono's date range; the number of holidays
    /// is finite, so a working day is always reached otherwise.
    pub fn add_business_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate, ProcessError> {
        let mut d = date;
        let mut left = n.unsigned_abs();
        while left > 0 {
            d = Self::step(d, n > 0)?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// `date` if it is a working day, else the last working day before it.
    ///
    /// # Errors
    /// As [`BusinessCalendar::add_business_days`].
    pub fn roll_back(&self, date: NaiveDate) -> Result<NaiveDate, ProcessError> {
        let mut d = date;
        while !self.is_working_day(d) {
            d = Self::step(d, false)?;
        }
        Ok(d)
    }

    /// `date` if it is a working day, else the first working day after it.
    ///
    /// # Errors
    /// As [`BusinessCalendar::add_business_days`].
    pub fn roll_forward(&self, date: NaiveDate) -> Result<NaiveDate, ProcessError> {
        let mut d = date;
        while !self.is_working_day(d) {
            d = Self::step(d, true)?;
        }
        Ok(d)
    }

    /// Working days in `(from, to]` (negative when `to` is before `from`).
    pub fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let count = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .filter(|d| self.is_working_day(*d))
            .count();
        sign * i64::try_from(count).unwrap_or(i64::MAX)
    }
}

/// Calendars per region, and the default for plans without regions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionalCalendars {
    /// Used when no region is bound.
    #[serde(default)]
    pub default: BusinessCalendar,
    /// Calendar of each region, by the names used in the `regions` parameter.
    #[serde(default)]
    pub regions: BTreeMap<String, BusinessCalendar>,
}

impl RegionalCalendars {
    /// Reads regional calendars from text (`[regions.DE] holidays = [...]`).
    ///
    /// # Errors
    /// [`ProcessError::Parse`] on malformed input.
    pub fn from_str_as(text: &str, format: Format, file: &str) -> Result<Self, ProcessError> {
        parse_as(text, format, file)
    }

    /// Adds or replaces a region's calendar.
    pub fn with_region(mut self, region: impl Into<String>, calendar: BusinessCalendar) -> Self {
        self.regions.insert(region.into(), calendar);
        self
    }

    /// The combined calendar of the regions (the default when the list is empty).
    ///
    /// # Errors
    /// [`ProcessError::Parameter`] naming an unknown region, with a suggestion.
    pub fn for_regions<S: AsRef<str>>(
        &self,
        regions: &[S],
    ) -> Result<BusinessCalendar, ProcessError> {
        let mut cal: Option<BusinessCalendar> = None;
        for r in regions {
            let r = r.as_ref();
            let c = self.regions.get(r).ok_or_else(|| ProcessError::Parameter {
                name: "regions".into(),
                reason: format!(
                    "no calendar for region `{r}`{}",
                    did_you_mean(r, self.regions.keys().map(String::as_str))
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                ),
            })?;
            cal = Some(match cal {
                Some(acc) => acc.union(c),
                None => c.clone(),
            });
        }
        Ok(cal.unwrap_or_else(|| self.default.clone()))
    }
}
