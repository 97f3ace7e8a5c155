//! Trends: hand-worked scenarios with the arithmetic in comments, a cross-check against
//! pandas on data/events.csv (fixtures/trends_reference.py), and properties.

use std::error::Error;
use std::path::PathBuf;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use polars::prelude::*;
use prodops_core::Grain;
use prodops_experiment::Alpha;
use prodops_kpi::KpiError;
use prodops_kpi::events::trends::{
    BreakdownValue, ChangeTest, EventSelector, Formula, Math, PerKeyMath, PropertyFilter,
    PropertyMath, Series, TrendsQuery, active_keys, count_change, poisson_rate_p_value,
    rate_change,
};
use prodops_kpi::events::{Calendar, EventSchema, EventTable, EventTableBuilder, parse_timestamp};
use proptest::prelude::*;

pub(crate) type TestResult = Result<(), Box<dyn Error>>;

pub(crate) fn date(s: &str) -> Result<NaiveDate, Box<dyn Error>> {
    Ok(NaiveDate::parse_from_str(s, "%Y-%m-%d")?)
}

pub(crate) fn at(s: &str) -> Result<i64, Box<dyn Error>> {
    parse_timestamp(s).ok_or_else(|| format!("bad timestamp {s}").into())
}

/// data/events.csv with its three properties.
pub(crate) fn sample_events() -> Result<EventTable, Box<dyn Error>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/events.csv");
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path))?
        .finish()?;
    let schema = EventSchema::default().with_properties(["platform", "country", "plan"]);
    let loaded = EventTable::from_frame(&df, &schema)?;
    assert!(loaded.report.rejected().is_empty());
    Ok(loaded.table)
}

pub(crate) fn fixture() -> Result<serde_json::Value, Box<dyn Error>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/trends_events.json");
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

pub(crate) fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default()
}

fn some(v: &[f64]) -> Vec<Option<f64>> {
    v.iter().copied().map(Some).collect()
}

fn values<'a>(
    trends: &'a prodops_kpi::events::trends::Trends,
    label: &str,
    breakdown: Option<&BreakdownValue>,
) -> Result<&'a [Option<f64>], Box<dyn Error>> {
    trends
        .values(label, breakdown)
        .ok_or_else(|| format!("no row {label} {breakdown:?}").into())
}

#[test]
fn weekly_and_monthly_active_at_window_edges() -> TestResult {
    // Range: the single day t = 2026-10-31. WAU covers [t−6, t] = Oct 25..31; MAU covers
    // [t−29, t] = Oct 2..31.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    b.push("six_days_before", at("2026-10-25 00:00:00")?, "view", &[])?; // t−6: in WAU
    b.push("seven_days_before", at("2026-10-24 23:59:59")?, "view", &[])?; // t−7: out of WAU
    b.push("29_days_before", at("2026-10-02 00:00:00")?, "view", &[])?; // t−29: in MAU
    b.push("30_days_before", at("2026-10-01 23:59:59")?, "view", &[])?; // t−30: out of MAU
    b.push("on_t", at("2026-10-31 23:59:59")?, "view", &[])?;
    b.push("after_t", at("2026-11-01 00:00:00")?, "view", &[])?; // after the range
    let table = b.build();
    let t = date("2026-10-31")?;
    let trends = TrendsQuery::builder(t, t)
        .series(Series::new("WAU", EventSelector::any(), Math::WeeklyActive))
        .series(Series::new(
            "MAU",
            EventSelector::any(),
            Math::MonthlyActive,
        ))
        .series(Series::new("DAU", EventSelector::any(), Math::UniqueKeys))
        .build()?
        .run(&table)?;
    // WAU = six_days_before + on_t = 2.
    assert_eq!(values(&trends, "WAU", None)?, &[Some(2.0)]);
    // MAU = six_days_before + seven_days_before + 29_days_before + on_t = 4.
    assert_eq!(values(&trends, "MAU", None)?, &[Some(4.0)]);
    assert_eq!(values(&trends, "DAU", None)?, &[Some(1.0)]);
    let any = EventSelector::any();
    assert_eq!(active_keys(&table, &any, &Calendar::utc(), t, 7)?, 2);
    assert_eq!(active_keys(&table, &any, &Calendar::utc(), t, 30)?, 4);
    Ok(())
}

#[test]
fn coarser_grains_report_the_window_ending_on_the_last_day() -> TestResult {
    // Weekly buckets Mon Oct 19..Sun Oct 25 and Mon Oct 26..Sat Oct 31 (range ends Saturday).
    // ann is active Oct 19 only, bob Oct 30 only. WAU for week 1 = window Oct 19..25 = {ann};
    // week 2's last in-range day is Oct 31: window Oct 25..31 = {bob}.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    b.push("ann", at("2026-10-19 12:00:00")?, "view", &[])?;
    b.push("bob", at("2026-10-30 12:00:00")?, "view", &[])?;
    let table = b.build();
    let trends = TrendsQuery::builder(date("2026-10-19")?, date("2026-10-31")?)
        .grain(Grain::Week)
        .series(Series::new("WAU", EventSelector::any(), Math::WeeklyActive))
        .build()?
        .run(&table)?;
    assert_eq!(values(&trends, "WAU", None)?, &[Some(1.0), Some(1.0)]);
    assert_eq!(trends.bucket_days, vec![7, 6]);
    Ok(())
}

#[test]
fn time_zone_buckets_follow_civil_dates() -> TestResult {
    // 02:00 UTC on Oct 2 is 22:00 EDT on Oct 1 (UTC−4): New York counts it on Oct 1.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    b.push("ann", at("2026-10-02 02:00:00")?, "view", &[])?;
    b.push("bob", at("2026-10-02 05:00:00")?, "view", &[])?; // 01:00 EDT, Oct 2
    let table = b.build();
    let query = |cal: Calendar| {
        TrendsQuery::builder(date("2026-10-01")?, date("2026-10-02")?)
            .calendar(cal)
            .series(Series::new("DAU", EventSelector::any(), Math::UniqueKeys))
            .build()?
            .run(&table)
            .map_err(Box::<dyn Error>::from)
    };
    let ny = query(Calendar::new(Tz::America__New_York, Weekday::Mon))?;
    assert_eq!(values(&ny, "DAU", None)?, &[Some(1.0), Some(1.0)]);
    let utc = query(Calendar::utc())?;
    assert_eq!(values(&utc, "DAU", None)?, &[Some(0.0), Some(2.0)]);
    Ok(())
}

#[test]
fn sunday_weeks_start_on_sunday() -> TestResult {
    // With Sunday weeks, Sun Oct 18..Sat Oct 24 and Sun Oct 25..Sat Oct 31: the Saturday and
    // the Sunday fall in different weeks, and the frame's period_start is the Sunday.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    b.push("ann", at("2026-10-24 12:00:00")?, "view", &[])?; // Saturday
    b.push("ann", at("2026-10-25 12:00:00")?, "view", &[])?; // Sunday
    b.push("bob", at("2026-10-25 13:00:00")?, "view", &[])?;
    let table = b.build();
    let trends = TrendsQuery::builder(date("2026-10-18")?, date("2026-10-31")?)
        .grain(Grain::Week)
        .calendar(Calendar::new(Tz::UTC, Weekday::Sun))
        .series(Series::new("n", EventSelector::any(), Math::Total))
        .build()?
        .run(&table)?;
    assert_eq!(values(&trends, "n", None)?, &[Some(1.0), Some(2.0)]);
    assert_eq!(
        trends.period_starts,
        vec![date("2026-10-18")?, date("2026-10-25")?]
    );
    let frame = trends.to_frame()?;
    let starts = frame.column("period_start")?.cast(&DataType::String)?;
    let starts: Vec<&str> = starts.str()?.iter().flatten().collect();
    assert_eq!(starts, vec!["2026-10-18", "2026-10-25"]);
    Ok(())
}

#[test]
fn daylight_saving_day_has_25_hours() -> TestResult {
    // New York leaves DST on Sun Nov 1 2026 at 02:00 EDT: the day runs 04:00 UTC Nov 1 to
    // 05:00 UTC Nov 2. An event at 04:30 UTC Nov 2 (23:30 EST) is still Nov 1.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    b.push("ann", at("2026-11-01 04:00:00")?, "view", &[])?; // 00:00 EDT Nov 1
    b.push("bob", at("2026-11-02 04:30:00")?, "view", &[])?; // 23:30 EST Nov 1
    b.push("cy", at("2026-11-02 05:00:00")?, "view", &[])?; // 00:00 EST Nov 2
    let table = b.build();
    let trends = TrendsQuery::builder(date("2026-11-01")?, date("2026-11-02")?)
        .calendar(Calendar::new(Tz::America__New_York, Weekday::Mon))
        .series(Series::new("n", EventSelector::any(), Math::Total))
        .build()?
        .run(&table)?;
    assert_eq!(values(&trends, "n", None)?, &[Some(2.0), Some(1.0)]);
    Ok(())
}

fn breakdown_table() -> Result<EventTable, Box<dyn Error>> {
    // Country volumes on Oct 1: US 4, GB 3, FR 2, DE 1, missing 2.
    let mut b = EventTableBuilder::new(["country"]);
    let rows: [(&str, Option<&str>); 12] = [
        ("u1", Some("US")),
        ("u1", Some("US")),
        ("u2", Some("US")),
        ("u3", Some("US")),
        ("u1", Some("GB")),
        ("u4", Some("GB")),
        ("u4", Some("GB")),
        ("u5", Some("FR")),
        ("u6", Some("FR")),
        ("u5", Some("DE")),
        ("u7", None),
        ("u8", None),
    ];
    for (i, (who, country)) in rows.iter().enumerate() {
        b.push(
            who,
            at(&format!("2026-10-01 {:02}:00:00", i + 1))?,
            "view",
            &[*country],
        )?;
    }
    Ok(b.build())
}

#[test]
fn breakdown_keeps_top_n_merges_other_and_separates_null() -> TestResult {
    let table = breakdown_table()?;
    let d = date("2026-10-01")?;
    let trends = TrendsQuery::builder(d, d)
        .series(Series::new("views", EventSelector::any(), Math::Total))
        .series(Series::new("users", EventSelector::any(), Math::UniqueKeys))
        .breakdown("country", 2)
        .build()?
        .run(&table)?;
    let value = |s: &str| BreakdownValue::Value(s.to_string());
    let labels: Vec<_> = trends
        .rows
        .iter()
        .filter(|r| r.label == "views")
        .map(|r| r.breakdown.clone())
        .collect();
    // Top 2 by volume: US (4), GB (3); Other = FR + DE; Null last.
    assert_eq!(
        labels,
        vec![
            Some(value("US")),
            Some(value("GB")),
            Some(BreakdownValue::Other),
            Some(BreakdownValue::Null)
        ]
    );
    assert_eq!(values(&trends, "views", Some(&value("US")))?, &[Some(4.0)]);
    assert_eq!(values(&trends, "views", Some(&value("GB")))?, &[Some(3.0)]);
    // Other: FR 2 + DE 1 = 3 events; users {u5, u6} = 2 (u5 is in both FR and DE, once).
    assert_eq!(
        values(&trends, "views", Some(&BreakdownValue::Other))?,
        &[Some(3.0)]
    );
    assert_eq!(
        values(&trends, "users", Some(&BreakdownValue::Other))?,
        &[Some(2.0)]
    );
    // Null: u7, u8.
    assert_eq!(
        values(&trends, "views", Some(&BreakdownValue::Null))?,
        &[Some(2.0)]
    );
    // US users {u1, u2, u3} = 3; u1 is also under GB: event-level breakdowns.
    assert_eq!(values(&trends, "users", Some(&value("US")))?, &[Some(3.0)]);
    assert_eq!(values(&trends, "users", Some(&value("GB")))?, &[Some(2.0)]);

    let frame = trends.to_frame()?;
    assert_eq!(frame.height(), 8); // 2 series × 4 breakdown values × 1 day
    let kinds = frame
        .column("breakdown_kind")?
        .str()?
        .iter()
        .flatten()
        .collect::<Vec<_>>();
    assert_eq!(kinds[..4], ["value", "value", "other", "null"]);
    assert_eq!(frame.column("breakdown")?.null_count(), 4); // Other and Null × 2 series
    Ok(())
}

#[test]
fn formulas_give_none_on_division_by_zero() -> TestResult {
    // Oct 1: 2 signups, 1 payment; Oct 2: 0 signups, 1 payment; Oct 3: 4 signups, 0 payments.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for (who, ts, ev) in [
        ("a", "2026-10-01 09:00:00", "signup"),
        ("b", "2026-10-01 10:00:00", "signup"),
        ("a", "2026-10-01 11:00:00", "pay"),
        ("b", "2026-10-02 11:00:00", "pay"),
        ("c", "2026-10-03 09:00:00", "signup"),
        ("d", "2026-10-03 09:00:00", "signup"),
        ("e", "2026-10-03 09:00:00", "signup"),
        ("f", "2026-10-03 09:00:00", "signup"),
    ] {
        b.push(who, at(ts)?, ev, &[])?;
    }
    let table = b.build();
    let trends = TrendsQuery::builder(date("2026-10-01")?, date("2026-10-03")?)
        .series(Series::new(
            "signups",
            EventSelector::event("signup"),
            Math::Total,
        ))
        .series(Series::new(
            "payments",
            EventSelector::event("pay"),
            Math::Total,
        ))
        .formula(
            "pay per signup %",
            Formula::constant(100.0) * Formula::series(1) / Formula::series(0),
        )
        .formula("sum", Formula::series(0) + Formula::series(1))
        .formula("diff", Formula::series(0) - Formula::series(1))
        .build()?
        .run(&table)?;
    // 100·1/2 = 50; 100·1/0 → None; 100·0/4 = 0.
    assert_eq!(
        values(&trends, "pay per signup %", None)?,
        &[Some(50.0), None, Some(0.0)]
    );
    assert_eq!(
        values(&trends, "sum", None)?,
        &[Some(3.0), Some(1.0), Some(4.0)]
    );
    assert_eq!(
        values(&trends, "diff", None)?,
        &[Some(1.0), Some(-1.0), Some(4.0)]
    );
    let missing = TrendsQuery::builder(date("2026-10-01")?, date("2026-10-03")?)
        .series(Series::new(
            "signups",
            EventSelector::event("signup"),
            Math::Total,
        ))
        .formula("bad", Formula::series(0) / Formula::series(3))
        .build();
    assert!(matches!(missing, Err(KpiError::InvalidInput { .. })));
    Ok(())
}

#[test]
fn smoothing_is_a_trailing_mean_over_defined_values() -> TestResult {
    // Daily totals 3, 0, 6, 3. With k = 3: [3], [3, 0], [3, 0, 6], [0, 6, 3]
    // → 3, 1.5, 3, 3.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for (d, n) in [(1, 3), (3, 6), (4, 3)] {
        for i in 0..n {
            b.push("a", at(&format!("2026-10-0{d} 0{i}:00:00"))?, "view", &[])?;
        }
    }
    let table = b.build();
    let trends = TrendsQuery::builder(date("2026-10-01")?, date("2026-10-04")?)
        .series(Series::new("views", EventSelector::any(), Math::Total))
        .formula("inverse", Formula::constant(1.0) / Formula::series(0))
        .smoothing(3)
        .build()?
        .run(&table)?;
    assert_eq!(
        values(&trends, "views", None)?,
        &some(&[3.0, 1.5, 3.0, 3.0])
    );
    let row = trends.row("views", None).ok_or("row")?;
    assert_eq!(row.unsmoothed, some(&[3.0, 0.0, 6.0, 3.0]));
    // 1/x: 1/3, None, 1/6, 1/3; smoothed over the defined values:
    // 1/3, 1/3, (1/3 + 1/6)/2 = 1/4, (1/6 + 1/3)/2 = 1/4.
    let inv = values(&trends, "inverse", None)?;
    let expected = [1.0 / 3.0, 1.0 / 3.0, 0.25, 0.25];
    for (got, want) in inv.iter().zip(expected) {
        assert!((got.ok_or("undefined")? - want).abs() < 1e-15);
    }
    Ok(())
}

#[test]
fn last_bucket_is_incomplete_until_the_range_ends() -> TestResult {
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    b.push("a", at("2026-10-01 09:00:00")?, "view", &[])?;
    let table = b.build();
    let run = |now: &str| -> Result<bool, Box<dyn Error>> {
        Ok(
            TrendsQuery::builder(date("2026-10-01")?, date("2026-10-02")?)
                .series(Series::new("views", EventSelector::any(), Math::Total))
                .now(at(now)?)
                .build()?
                .run(&table)?
                .last_incomplete,
        )
    };
    assert!(run("2026-10-02 12:00:00")?); // mid last day
    assert!(run("2026-10-02 23:59:59")?);
    assert!(!run("2026-10-03 00:00:00")?); // the range has ended
    let trends = TrendsQuery::builder(date("2026-10-01")?, date("2026-10-02")?)
        .series(Series::new("views", EventSelector::any(), Math::Total))
        .now(at("2026-10-02 12:00:00")?)
        .build()?
        .run(&table)?;
    let frame = trends.to_frame()?;
    let flags: Vec<bool> = frame
        .column("incomplete")?
        .bool()?
        .iter()
        .flatten()
        .collect();
    assert_eq!(flags, vec![false, true]);
    // One complete bucket is not enough for a period-over-period change.
    assert!(matches!(
        trends.period_change(0, Alpha::new(0.05)?),
        Err(KpiError::InsufficientHistory { needed: 2, got: 1 })
    ));
    Ok(())
}

#[test]
fn property_math_aggregates_numeric_values() -> TestResult {
    // Amounts 1, 2, 3, 4, 10 and one event without an amount.
    // sum 20, avg 4, min 1, max 10; sorted quantiles by h = (n − 1)q = 4q:
    // median h = 2 → 3; p90 h = 3.6 → 4 + 0.6·(10 − 4) = 7.6; p95 h = 3.8 → 8.8;
    // p99 h = 3.96 → 9.76.
    let mut b = EventTableBuilder::new(["amount"]);
    for (i, v) in [
        Some("4"),
        Some("1"),
        Some("10"),
        None,
        Some("3"),
        Some("2.0"),
    ]
    .into_iter()
    .enumerate()
    {
        b.push("a", at(&format!("2026-10-01 0{i}:00:00"))?, "pay", &[v])?;
    }
    let table = b.build();
    let d = date("2026-10-01")?;
    let mut query = TrendsQuery::builder(d, d);
    let maths = [
        (PropertyMath::Sum, 20.0),
        (PropertyMath::Avg, 4.0),
        (PropertyMath::Min, 1.0),
        (PropertyMath::Max, 10.0),
        (PropertyMath::Median, 3.0),
        (PropertyMath::P90, 7.6),
        (PropertyMath::P95, 8.8),
        (PropertyMath::P99, 9.76),
    ];
    for (i, (math, _)) in maths.iter().enumerate() {
        query = query.series(Series::new(
            format!("m{i}"),
            EventSelector::event("pay"),
            Math::Property {
                property: "amount".into(),
                math: *math,
            },
        ));
    }
    let trends = query.build()?.run(&table)?;
    for (i, (_, want)) in maths.iter().enumerate() {
        let got = values(&trends, &format!("m{i}"), None)?[0].ok_or("undefined")?;
        assert!((got - want).abs() < 1e-12, "m{i}: {got} vs {want}");
    }

    // A value that is not a number is an error naming the column and the value.
    let mut b = EventTableBuilder::new(["amount"]);
    b.push("a", at("2026-10-01 01:00:00")?, "pay", &[Some("12,50")])?;
    let bad = TrendsQuery::builder(d, d)
        .series(Series::new(
            "sum",
            EventSelector::any(),
            Math::Property {
                property: "amount".into(),
                math: PropertyMath::Sum,
            },
        ))
        .build()?
        .run(&b.build());
    match bad {
        Err(KpiError::InvalidColumn { column, reason }) => {
            assert_eq!(column, "amount");
            assert!(reason.contains("12,50"));
        }
        other => panic!("expected InvalidColumn, got {other:?}"),
    }
    Ok(())
}

#[test]
fn per_key_math_aggregates_events_per_person() -> TestResult {
    // Oct 1: a 3 views, b 1, c 2 → counts sorted 1, 2, 3: avg 2, min 1, max 3, median 2,
    // p90 h = 2·0.9 = 1.8 → 2 + 0.8·(3 − 2) = 2.8. Oct 2: nobody → undefined.
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for (who, h) in [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("c", 5), ("c", 6)] {
        b.push(who, at(&format!("2026-10-01 0{h}:00:00"))?, "view", &[])?;
    }
    let table = b.build();
    let maths = [
        (PerKeyMath::Avg, 2.0),
        (PerKeyMath::Min, 1.0),
        (PerKeyMath::Max, 3.0),
        (PerKeyMath::Median, 2.0),
        (PerKeyMath::P90, 2.8),
    ];
    let mut query = TrendsQuery::builder(date("2026-10-01")?, date("2026-10-02")?);
    for (i, (math, _)) in maths.iter().enumerate() {
        query = query.series(Series::new(
            format!("k{i}"),
            EventSelector::any(),
            Math::PerKey(*math),
        ));
    }
    let trends = query.build()?.run(&table)?;
    for (i, (_, want)) in maths.iter().enumerate() {
        let v = values(&trends, &format!("k{i}"), None)?;
        assert!((v[0].ok_or("undefined")? - want).abs() < 1e-12);
        assert_eq!(v[1], None);
    }
    Ok(())
}

#[test]
fn property_filters_and_unknown_names() -> TestResult {
    let table = breakdown_table()?;
    let d = date("2026-10-01")?;
    let run = |selector: EventSelector| -> Result<f64, Box<dyn Error>> {
        let t = TrendsQuery::builder(d, d)
            .series(Series::new("n", selector, Math::Total))
            .build()?
            .run(&table)?;
        Ok(values(&t, "n", None)?[0].ok_or("undefined")?)
    };
    let views = EventSelector::event("view");
    assert_eq!(
        run(views
            .clone()
            .with_filter(PropertyFilter::equals("country", "US")))?,
        4.0
    );
    assert_eq!(
        run(views.clone().with_filter(PropertyFilter::NoneOf {
            property: "country".into(),
            values: vec!["US".into(), "GB".into()],
        }))?,
        3.0 // FR 2 + DE 1; missing values are not "none of"
    );
    assert_eq!(
        run(views.clone().with_filter(PropertyFilter::IsNotSet {
            property: "country".into()
        }))?,
        2.0
    );
    assert_eq!(
        run(views.clone().with_filter(PropertyFilter::IsSet {
            property: "country".into()
        }))?,
        10.0
    );
    assert_eq!(run(EventSelector::event("never happened"))?, 0.0);
    let unknown = TrendsQuery::builder(d, d)
        .series(Series::new(
            "n",
            views.with_filter(PropertyFilter::equals("colour", "red")),
            Math::Total,
        ))
        .build()?
        .run(&table);
    assert!(matches!(unknown, Err(KpiError::MissingColumn { column, .. }) if column == "colour"));
    let backwards = TrendsQuery::builder(d, date("2026-09-30")?)
        .series(Series::new("n", EventSelector::any(), Math::Total))
        .build();
    assert!(matches!(backwards, Err(KpiError::InvalidInput { .. })));
    Ok(())
}

#[test]
fn poisson_exact_conditional_test_matches_scipy_and_statsmodels() -> TestResult {
    let fx = fixture()?;
    for case in fx["poisson_exact_cond"].as_array().ok_or("cases")? {
        let c1 = case["count1"].as_u64().ok_or("count1")?;
        let c2 = case["count2"].as_u64().ok_or("count2")?;
        let e1 = case["exposure1"].as_f64().ok_or("e1")?;
        let e2 = case["exposure2"].as_f64().ok_or("e2")?;
        let want = case["p_value"].as_f64().ok_or("p")?;
        let got = poisson_rate_p_value(c1, e1, c2, e2)?;
        assert!(
            (got - want).abs() <= 1e-9 * want.max(1e-3),
            "{case}: {got} vs {want}"
        );
    }
    assert!(matches!(
        poisson_rate_p_value(1, 0.0, 1, 1.0),
        Err(KpiError::InvalidInput { .. })
    ));
    Ok(())
}

#[test]
fn changes_are_tested_where_a_test_applies() -> TestResult {
    let alpha = Alpha::new(0.05)?;
    // 120 → 160 events over 7 days each: rate ratio 160/120 − 1 = 1/3; scipy binomtest
    // (160 of 280, p = ½) gives p = 0.0196.
    let change = count_change(120, 7.0, 160, 7.0, alpha)?;
    assert_eq!(change.absolute, 40.0);
    assert!((change.relative.ok_or("relative")? - 1.0 / 3.0).abs() < 1e-12);
    let sig = change.significance.ok_or("tested")?;
    assert_eq!(sig.test, ChangeTest::PoissonExactConditional);
    assert!((sig.p_value - 0.019606727290281328).abs() < 1e-9);
    assert!(sig.significant);
    // DAU/MAU share 300/1000 → 360/1000: statsmodels proportions_ztest([360, 300],
    // [1000, 1000]) gives z = 2.85326, p = 0.0043273.
    let share = rate_change((300, 1000), (360, 1000), alpha)?;
    let sig = share.significance.ok_or("tested")?;
    assert_eq!(sig.test, ChangeTest::TwoProportionZ);
    assert!((sig.p_value - 0.004327272365904393).abs() < 1e-9);
    assert!((share.absolute - 0.06).abs() < 1e-12);

    // From a trend: weekly totals, the last two complete weeks.
    let table = sample_events()?;
    let trends = TrendsQuery::builder(date("2026-10-05")?, date("2026-10-25")?)
        .grain(Grain::Week)
        .series(Series::new(
            "views",
            EventSelector::event("dashboard_viewed"),
            Math::Total,
        ))
        .series(Series::new(
            "users",
            EventSelector::event("dashboard_viewed"),
            Math::UniqueKeys,
        ))
        .build()?
        .run(&table)?;
    let v = values(&trends, "views", None)?;
    let (prev, cur) = (v[1].ok_or("v1")?, v[2].ok_or("v2")?);
    let change = trends.period_change(0, alpha)?;
    let p = poisson_rate_p_value(cur as u64, 7.0, prev as u64, 7.0)?;
    assert_eq!(change.significance.ok_or("tested")?.p_value, p);
    assert_eq!((change.previous, change.current), (prev, cur));
    // Distinct users are not Poisson counts: no test.
    assert!(trends.period_change(1, alpha)?.significance.is_none());
    Ok(())
}

#[test]
fn unique_sessions_count_distinct_property_values() -> TestResult {
    // Oct 1: ann in s1 (twice) and s2, bob in s3, cy without a session → 3 sessions.
    // Oct 2: ann still in s1 after midnight → 1 session (counted again on its own day).
    let mut b = EventTableBuilder::new(["session"]);
    for (who, ts, session) in [
        ("ann", "2026-10-01 09:00:00", Some("s1")),
        ("ann", "2026-10-01 09:05:00", Some("s1")),
        ("ann", "2026-10-01 13:00:00", Some("s2")),
        ("bob", "2026-10-01 10:00:00", Some("s3")),
        ("cy", "2026-10-01 11:00:00", None),
        ("ann", "2026-10-02 00:10:00", Some("s1")),
    ] {
        b.push(who, at(ts)?, "view", &[session])?;
    }
    let table = b.build();
    let trends = TrendsQuery::builder(date("2026-10-01")?, date("2026-10-02")?)
        .series(Series::new(
            "sessions",
            EventSelector::any(),
            Math::UniqueValues {
                property: "session".into(),
            },
        ))
        .build()?
        .run(&table)?;
    assert_eq!(values(&trends, "sessions", None)?, &[Some(3.0), Some(1.0)]);
    Ok(())
}

#[test]
fn share_change_tests_the_dau_mau_share() -> TestResult {
    let table = sample_events()?;
    let trends = TrendsQuery::builder(date("2026-10-29")?, date("2026-10-31")?)
        .dau_mau("stickiness", EventSelector::any())
        .now(at("2026-10-31 12:00:00")?)
        .build()?
        .run(&table)?;
    // Rows: 0 DAU, 1 MAU, 2 the formula. Oct 31 is incomplete, so Oct 29 → Oct 30.
    let dau = values(&trends, "stickiness DAU", None)?;
    let mau = values(&trends, "stickiness MAU", None)?;
    let pair = |b: usize| -> Result<(u64, u64), Box<dyn Error>> {
        Ok((dau[b].ok_or("dau")? as u64, mau[b].ok_or("mau")? as u64))
    };
    let alpha = Alpha::new(0.05)?;
    let change = trends.share_change(0, 1, alpha)?;
    let expected = rate_change(pair(0)?, pair(1)?, alpha)?;
    assert_eq!(change, expected);
    let (d0, m0) = pair(0)?;
    assert!((change.previous - d0 as f64 / m0 as f64).abs() < 1e-15);
    // A numerator above its denominator is not a share.
    assert!(matches!(
        trends.share_change(1, 0, alpha),
        Err(KpiError::InvalidInput { .. })
    ));
    Ok(())
}

fn check_series(got: &[Option<f64>], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let g = g.unwrap_or(f64::NAN);
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn daily_counts_match_pandas_on_the_sample_events() -> TestResult {
    let table = sample_events()?;
    let fx = fixture()?;
    let (from, to) = (date("2026-09-01")?, date("2026-10-31")?);
    let any = EventSelector::any();
    let trends = TrendsQuery::builder(from, to)
        .series(Series::new("total", any.clone(), Math::Total))
        .series(Series::new("dau", any.clone(), Math::UniqueKeys))
        .series(Series::new("wau", any.clone(), Math::WeeklyActive))
        .series(Series::new("mau", any.clone(), Math::MonthlyActive))
        .series(Series::new(
            "trailing30",
            any.clone(),
            Math::TrailingCount30,
        ))
        .series(Series::new(
            "dash",
            EventSelector::event("dashboard_viewed"),
            Math::UniqueKeys,
        ))
        .dau_mau("stickiness", any.clone())
        .build()?
        .run(&table)?;
    let daily = &fx["daily"];
    check_series(
        values(&trends, "total", None)?,
        &numbers(&daily["total"]),
        "total",
    );
    check_series(
        values(&trends, "dau", None)?,
        &numbers(&daily["dau"]),
        "dau",
    );
    check_series(
        values(&trends, "wau", None)?,
        &numbers(&daily["wau"]),
        "wau",
    );
    check_series(
        values(&trends, "mau", None)?,
        &numbers(&daily["mau"]),
        "mau",
    );
    check_series(
        values(&trends, "trailing30", None)?,
        &numbers(&daily["trailing30_count"]),
        "trailing30",
    );
    check_series(
        values(&trends, "dash", None)?,
        &numbers(&daily["dashboard_dau"]),
        "dash",
    );
    let ratio: Vec<f64> = numbers(&daily["dau"])
        .iter()
        .zip(numbers(&daily["mau"]))
        .map(|(d, m)| d / m)
        .collect();
    check_series(values(&trends, "stickiness", None)?, &ratio, "dau/mau");

    let ny = TrendsQuery::builder(from, to)
        .calendar(Calendar::new(Tz::America__New_York, Weekday::Mon))
        .series(Series::new("dau", any.clone(), Math::UniqueKeys))
        .build()?
        .run(&table)?;
    check_series(
        values(&ny, "dau", None)?,
        &numbers(&daily["dau_ny"]),
        "dau NY",
    );

    let single = &fx["single_number"];
    assert_eq!(
        active_keys(&table, &any, &Calendar::utc(), to, 7)? as f64,
        single["wau_at_end"].as_f64().ok_or("wau")?
    );
    assert_eq!(
        active_keys(&table, &any, &Calendar::utc(), to, 30)? as f64,
        single["mau_at_end"].as_f64().ok_or("mau")?
    );
    Ok(())
}

#[test]
fn weekly_breakdowns_and_per_person_counts_match_pandas() -> TestResult {
    let table = sample_events()?;
    let fx = fixture()?;
    let (from, to) = (date("2026-09-01")?, date("2026-10-31")?);
    let trends = TrendsQuery::builder(from, to)
        .grain(Grain::Week)
        .series(Series::new("events", EventSelector::any(), Math::Total))
        .series(Series::new("users", EventSelector::any(), Math::UniqueKeys))
        .breakdown("country", 3)
        .build()?
        .run(&table)?;
    let labels: Vec<String> = trends
        .periods
        .iter()
        .map(|p| p.first_day().to_string())
        .collect();
    let weeks: Vec<String> = fx["weeks"]
        .as_array()
        .ok_or("weeks")?
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    assert_eq!(labels, weeks);
    let bd = &fx["country_breakdown"];
    for top in bd["top"].as_array().ok_or("top")? {
        let name = top.as_str().ok_or("name")?;
        let v = BreakdownValue::Value(name.to_string());
        check_series(
            values(&trends, "events", Some(&v))?,
            &numbers(&bd["values"][name]),
            name,
        );
    }
    check_series(
        values(&trends, "events", Some(&BreakdownValue::Other))?,
        &numbers(&bd["values"]["__other__"]),
        "other",
    );
    check_series(
        values(&trends, "users", Some(&BreakdownValue::Other))?,
        &numbers(&bd["unique_other"]),
        "other users",
    );
    assert!(trends.row("events", Some(&BreakdownValue::Null)).is_none()); // no missing countries

    let countries = TrendsQuery::builder(from, to)
        .grain(Grain::Week)
        .series(Series::new(
            "countries",
            EventSelector::event("subscription_started"),
            Math::UniqueValues {
                property: "country".into(),
            },
        ))
        .build()?
        .run(&table)?;
    check_series(
        values(&countries, "countries", None)?,
        &numbers(&fx["unique_countries_weekly"]),
        "distinct countries",
    );

    let dash = EventSelector::event("dashboard_viewed");
    let per = TrendsQuery::builder(from, to)
        .grain(Grain::Week)
        .series(Series::new(
            "median",
            dash.clone(),
            Math::PerKey(PerKeyMath::Median),
        ))
        .series(Series::new(
            "p90",
            dash.clone(),
            Math::PerKey(PerKeyMath::P90),
        ))
        .series(Series::new(
            "avg",
            dash.clone(),
            Math::PerKey(PerKeyMath::Avg),
        ))
        .series(Series::new("max", dash, Math::PerKey(PerKeyMath::Max)))
        .build()?
        .run(&table)?;
    let pw = &fx["per_person_weekly"];
    for name in ["median", "p90", "avg", "max"] {
        check_series(values(&per, name, None)?, &numbers(&pw[name]), name);
    }
    Ok(())
}

/// Events as (key, day offset 0..days, hour) from a strategy.
fn build(events: &[(u8, u8, u8)]) -> Result<EventTable, Box<dyn Error>> {
    let base = at("2026-09-01 00:00:00")?;
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for &(k, d, h) in events {
        let ts = base + i64::from(d) * 86_400_000_000 + i64::from(h) * 3_600_000_000;
        b.push(&format!("k{k}"), ts, "view", &[])?;
    }
    Ok(b.build())
}

fn event_strategy() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    prop::collection::vec((0u8..12, 0u8..70, 0u8..24), 0..120)
}

proptest! {
    #[test]
    fn trailing_distinct_sweep_equals_brute_force(events in event_strategy(), window_ix in 0usize..2) {
        let table = build(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (math, w) = [(Math::WeeklyActive, 7i64), (Math::MonthlyActive, 30)][window_ix].clone();
        // Range: days 35..69, so windows reach back into days before the range.
        let from = NaiveDate::from_ymd_opt(2026, 10, 6).ok_or_else(|| TestCaseError::fail("date"))?;
        let to = NaiveDate::from_ymd_opt(2026, 11, 9).ok_or_else(|| TestCaseError::fail("date"))?;
        let trends = TrendsQuery::builder(from, to)
            .series(Series::new("w", EventSelector::any(), math))
            .build().map_err(|e| TestCaseError::fail(e.to_string()))?
            .run(&table).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got = trends.values("w", None).ok_or_else(|| TestCaseError::fail("row"))?;
        for (i, g) in got.iter().enumerate() {
            let t = 35 + i as i64;
            let mut keys: Vec<u8> = events.iter()
                .filter(|(_, d, _)| { let d = i64::from(*d); d <= t && d > t - w })
                .map(|(k, _, _)| *k).collect();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(*g, Some(keys.len() as f64), "day {}", t);
        }
    }

    #[test]
    fn shards_by_key_add_up_to_the_whole(events in event_strategy(), grain_ix in 0usize..3) {
        let grain = [Grain::Day, Grain::Week, Grain::Month][grain_ix];
        let from = NaiveDate::from_ymd_opt(2026, 9, 20).ok_or_else(|| TestCaseError::fail("date"))?;
        let to = NaiveDate::from_ymd_opt(2026, 11, 9).ok_or_else(|| TestCaseError::fail("date"))?;
        let run = |evs: &[(u8, u8, u8)]| -> Result<Vec<Vec<Option<f64>>>, Box<dyn Error>> {
            let t = TrendsQuery::builder(from, to)
                .grain(grain)
                .series(Series::new("total", EventSelector::any(), Math::Total))
                .series(Series::new("dau", EventSelector::any(), Math::UniqueKeys))
                .series(Series::new("wau", EventSelector::any(), Math::WeeklyActive))
                .series(Series::new("mau", EventSelector::any(), Math::MonthlyActive))
                .series(Series::new("t30", EventSelector::any(), Math::TrailingCount30))
                .build()?
                .run(&build(evs)?)?;
            Ok(t.rows.iter().map(|r| r.values.clone()).collect())
        };
        let whole = run(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (even, odd): (Vec<_>, Vec<_>) = events.iter().partition(|(k, _, _)| k % 2 == 0);
        let a = run(&even).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = run(&odd).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for ((w, x), y) in whole.iter().zip(&a).zip(&b) {
            for ((w, x), y) in w.iter().zip(x).zip(y) {
                prop_assert_eq!(*w, Some(x.unwrap_or(0.0) + y.unwrap_or(0.0)));
            }
        }
    }
}

fn country_strategy() -> impl Strategy<Value = Vec<(u8, u8, u8, Option<u8>)>> {
    prop::collection::vec(
        (0u8..10, 0u8..40, 0u8..24, prop::option::of(0u8..4)),
        0..100,
    )
}

proptest! {
    #[test]
    fn breakdown_rows_equal_filtered_series(events in country_strategy()) {
        // A breakdown row counts what a series filtered to its values counts: a top value
        // ↔ equals, Other ↔ none of the top values (and set), Null ↔ not set.
        let check = || -> Result<(), Box<dyn Error>> {
            let names = ["AT", "BE", "CH", "DK"];
            let base = at("2026-09-01 00:00:00")?;
            let mut b = EventTableBuilder::new(["country"]);
            for &(k, d, h, c) in &events {
                let ts = base + i64::from(d) * 86_400_000_000 + i64::from(h) * 3_600_000_000;
                b.push(&format!("k{k}"), ts, "view", &[c.map(|c| names[c as usize])])?;
            }
            let table = b.build();
            let (from, to) = (date("2026-09-10")?, date("2026-10-10")?);
            let maths = [Math::Total, Math::UniqueKeys, Math::WeeklyActive, Math::MonthlyActive];
            let mut query = TrendsQuery::builder(from, to).breakdown("country", 2);
            for (i, m) in maths.iter().enumerate() {
                query = query.series(Series::new(format!("s{i}"), EventSelector::any(), m.clone()));
            }
            let broken = query.build()?.run(&table)?;
            let top: Vec<String> = broken
                .rows
                .iter()
                .filter_map(|r| match &r.breakdown {
                    Some(BreakdownValue::Value(v)) if r.label == "s0" => Some(v.clone()),
                    _ => None,
                })
                .collect();
            for row in &broken.rows {
                let filter = match row.breakdown.clone().ok_or("breakdown")? {
                    BreakdownValue::Value(v) => PropertyFilter::equals("country", v),
                    BreakdownValue::Other => PropertyFilter::NoneOf { property: "country".into(), values: top.clone() },
                    BreakdownValue::Null => PropertyFilter::IsNotSet { property: "country".into() },
                };
                let i: usize = row.label[1..].parse()?;
                let filtered = TrendsQuery::builder(from, to)
                    .series(Series::new("f", EventSelector::any().with_filter(filter), maths[i].clone()))
                    .build()?
                    .run(&table)?;
                assert_eq!(Some(row.values.as_slice()), filtered.values("f", None), "{:?} {}", row.breakdown, row.label);
            }
            Ok(())
        };
        check().map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}
