//! proptest strategies for core types (feature `proptest`).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;

use crate::{Currency, Decimal, Grain, Money, Period, Segment};

/// Any grain.
pub fn grain() -> impl Strategy<Value = Grain> {
    prop::sample::select(Grain::ALL.to_vec())
}

/// A date between years 1 and 9999, the range reporting data plausibly covers, with extra
/// weight on the edges of months and years where bucketing bugs live.
pub fn date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).map_or(0, |d| d.num_days_from_ce());
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).map_or(0, |d| d.num_days_from_ce());
    let any_day =
        (first..=last).prop_filter_map("day in range", NaiveDate::from_num_days_from_ce_opt);
    let edge = (
        1i32..=9999,
        1u32..=12,
        prop::sample::select(vec![1u32, 28, 29, 30, 31]),
    )
        .prop_filter_map("existing edge day", |(y, m, d)| {
            NaiveDate::from_ymd_opt(y, m, d)
        });
    prop_oneof![3 => any_day, 1 => edge]
}

/// A naive timestamp on a [`date`], to the second.
pub fn datetime() -> impl Strategy<Value = NaiveDateTime> {
    (date(), 0u32..86_400).prop_map(|(d, s)| {
        d.and_time(NaiveTime::from_num_seconds_from_midnight_opt(s, 0).unwrap_or(NaiveTime::MIN))
    })
}

/// A period of any grain containing a [`date`].
pub fn period() -> impl Strategy<Value = Period> {
    (grain(), date()).prop_map(|(g, d)| Period::containing(g, d))
}

/// A segment of up to three dimensions drawn from a small vocabulary, so that equal segments
/// occur often enough to exercise hashing and ordering.
pub fn segment() -> impl Strategy<Value = Segment> {
    let dims = prop::sample::select(vec!["plan", "region", "segment", "channel"]);
    let values = prop::sample::select(vec!["Free", "Pro", "EMEA", "NA", "SMB", "web"]);
    prop::collection::vec((dims, values), 0..=3).prop_map(|pairs| {
        pairs
            .into_iter()
            .try_fold(Segment::all(), |s, (d, v)| s.with(d, v))
            .unwrap_or_default()
    })
}

/// An amount with up to 4 decimal places in one of a few currencies.
pub fn money() -> impl Strategy<Value = Money> {
    let currency = prop::sample::select(vec![Currency::USD, Currency::EUR, Currency::JPY]);
    (-1_000_000_000_000i64..1_000_000_000_000, 0u32..=4, currency)
        .prop_map(|(units, scale, c)| Money::new(Decimal::new(units, scale), c))
}
