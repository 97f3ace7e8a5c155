use chrono::FixedOffset;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use prodops_core::strategies;
use prodops_core::{Change, CoreError, Grain, Period};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn p(label: &str) -> Period {
    label.parse().unwrap()
}

#[test]
fn iso_weeks_follow_iso_8601_at_year_boundaries() {
    // ISO 8601: week 1 is the week holding the year's first Thursday. Hand-checked against a
    // calendar: 2020 has 53 weeks, 2021-01-03 (a Sunday) is still in 2020-W53, and
    // 2024-12-30 (a Monday) starts 2025-W01.
    let cases = [
        (d(2020, 12, 31), "2020-W53", d(2020, 12, 28)),
        (d(2021, 1, 3), "2020-W53", d(2020, 12, 28)),
        (d(2021, 1, 4), "2021-W01", d(2021, 1, 4)),
        (d(2024, 12, 30), "2025-W01", d(2024, 12, 30)),
        (d(2026, 11, 23), "2026-W48", d(2026, 11, 23)),
        (d(2026, 11, 29), "2026-W48", d(2026, 11, 23)),
    ];
    for (date, label, monday) in cases {
        let w = Period::containing(Grain::Week, date);
        assert_eq!(w.label(), label, "{date}");
        assert_eq!(w.first_day(), monday, "{date}");
        assert_eq!(w.len_days(), 7);
    }
}

#[test]
fn months_quarters_years_have_calendar_lengths() {
    assert_eq!(p("2024-02").len_days(), 29);
    assert_eq!(p("2100-02").len_days(), 28); // divisible by 100, not by 400
    assert_eq!(p("2000-02").len_days(), 29); // divisible by 400
    assert_eq!(p("2024-Q1").len_days(), 31 + 29 + 31);
    assert_eq!(p("2025-Q4").len_days(), 31 + 30 + 31);
    assert_eq!(p("2024").len_days(), 366);
    assert_eq!(p("2026-Q3").first_day(), d(2026, 7, 1));
    assert_eq!(p("2026-Q3").last_day(), d(2026, 9, 30));
    assert_eq!(
        Period::containing(Grain::Quarter, d(2026, 6, 30)).label(),
        "2026-Q2"
    );
}

#[test]
fn offsets_cross_year_boundaries() {
    assert_eq!(p("2026-01").offset(-1).unwrap().label(), "2025-12");
    assert_eq!(p("2026-Q1").offset(-5).unwrap().label(), "2024-Q4");
    assert_eq!(p("2020-W53").next().unwrap().label(), "2021-W01");
    assert_eq!(p("2024-02-28").offset(2).unwrap().label(), "2024-03-01");
    assert_eq!(p("2025-11").periods_until(&p("2026-02")).unwrap(), 3);
    assert!(matches!(
        p("2025-11").periods_until(&p("2026-Q1")),
        Err(CoreError::Parse { .. })
    ));
}

#[test]
fn shift_years_handles_leap_days_and_week_53() {
    assert_eq!(
        p("2024-02-29").shift_years(1).unwrap().label(),
        "2025-02-28"
    );
    assert_eq!(
        p("2024-02-29").shift_years(4).unwrap().label(),
        "2028-02-29"
    );
    assert_eq!(p("2020-W53").shift_years(1).unwrap().label(), "2021-W52");
    assert_eq!(p("2026-W48").shift_years(-1).unwrap().label(), "2025-W48");
    assert_eq!(p("2026-11").shift_years(-1).unwrap().label(), "2025-11");
    assert_eq!(p("2026-Q4").shift_years(-2).unwrap().label(), "2024-Q4");
}

#[test]
fn iteration_is_inclusive_and_empty_when_reversed() {
    let months: Vec<String> = p("2025-11")
        .through(p("2026-02"))
        .map(|p| p.label())
        .collect();
    assert_eq!(months, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    assert_eq!(p("2026-02").through(p("2025-11")).count(), 0);
    assert_eq!(p("2026-02").through(p("2026")).count(), 0);
    assert_eq!(p("2026-01-01").through(p("2026-12-31")).len(), 365);
}

#[test]
fn instants_bucket_by_their_own_calendar() {
    // 2026-11-23 23:30 in New York (UTC-5) is already 2026-11-24 in UTC.
    let ny = FixedOffset::west_opt(5 * 3600).unwrap();
    let local = ny.with_ymd_and_hms(2026, 11, 23, 23, 30, 0).unwrap();
    assert_eq!(
        Period::containing_instant(Grain::Day, &local).label(),
        "2026-11-23"
    );
    let utc = local.with_timezone(&Utc);
    assert_eq!(
        Period::containing_instant(Grain::Day, &utc).label(),
        "2026-11-24"
    );
}

#[test]
fn bad_labels_are_rejected_with_the_reason() {
    for bad in [
        "2026-13",
        "2026-Q5",
        "2026-W54",
        "2025-W53",
        "2026-02-30",
        "",
        "26-1-1-1",
        "abc",
    ] {
        let err = bad.parse::<Period>().unwrap_err();
        assert!(matches!(err, CoreError::Parse { .. }), "{bad}: {err}");
    }
    assert!("fortnight".parse::<Grain>().is_err());
    assert_eq!("Weeks".parse::<Grain>().unwrap(), Grain::Week);
}

#[test]
fn periods_serialize_as_grain_and_label() {
    let json = serde_json::to_string(&p("2026-Q4")).unwrap();
    assert_eq!(json, r#"{"grain":"quarter","label":"2026-Q4"}"#);
    assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p("2026-Q4"));
    let mismatched = r#"{"grain":"month","label":"2026-Q4"}"#;
    assert!(serde_json::from_str::<Period>(mismatched).is_err());
}

#[test]
fn change_is_relative_to_the_magnitude_of_the_previous_value() {
    let c = Change::between(-10.0, -5.0).unwrap();
    assert_eq!(c.absolute, 5.0);
    assert_eq!(c.relative, Some(0.5));
    assert!(matches!(
        Change::between(f64::NAN, 1.0),
        Err(CoreError::NonFinite { .. })
    ));
    assert!(Change::between(1.0, f64::INFINITY).is_err());
}

proptest! {
    #[test]
    fn bucketing_contains_the_timestamp(g in strategies::grain(), ts in strategies::datetime()) {
        let period = Period::containing_datetime(g, ts);
        prop_assert!(period.contains(ts));
        prop_assert!(period.start_datetime() <= ts);
        if let Some(end) = period.end_datetime_exclusive() {
            prop_assert!(ts < end);
        }
        prop_assert!(period.first_day() <= ts.date() && ts.date() <= period.last_day());
    }

    #[test]
    fn bucketing_is_idempotent(period in strategies::period()) {
        prop_assert_eq!(Period::containing(period.grain(), period.first_day()), period);
        prop_assert_eq!(Period::containing(period.grain(), period.last_day()), period);
    }

    #[test]
    fn consecutive_periods_tile_the_calendar(period in strategies::period()) {
        if let Ok(next) = period.next() {
            prop_assert_eq!(period.last_day().succ_opt(), Some(next.first_day()));
            prop_assert_eq!(next.prev().unwrap(), period);
        }
    }

    #[test]
    fn index_round_trips_and_offsets_add(period in strategies::period(), a in -500i64..500, b in -500i64..500) {
        prop_assert_eq!(Period::from_index(period.grain(), period.index()).unwrap(), period);
        if let (Ok(pa), Ok(pab)) = (period.offset(a), period.offset(a + b)) {
            if let Ok(pa_b) = pa.offset(b) {
                prop_assert_eq!(pa_b, pab);
            }
            prop_assert_eq!(period.periods_until(&pa).unwrap(), a);
        }
    }

    #[test]
    fn labels_round_trip(period in strategies::period()) {
        prop_assume!(period.first_day().year() >= 1000);
        prop_assert_eq!(period.label().parse::<Period>().unwrap(), period);
    }

    #[test]
    fn period_lengths_are_calendar_lengths(period in strategies::period()) {
        let len = period.len_days();
        let ok = match period.grain() {
            Grain::Day => len == 1,
            Grain::Week => len == 7,
            Grain::Month => (28..=31).contains(&len),
            Grain::Quarter => (90..=92).contains(&len),
            Grain::Year => len == 365 || len == 366,
        };
        prop_assert!(ok, "{} has {} days", period, len);
    }
}
