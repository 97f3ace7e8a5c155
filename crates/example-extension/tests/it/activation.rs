//! The activation-rate KPI: a hand-built cohort, prodops' `evaluate` on an unprepared frame,
//! errors, and the bundled events against pandas (`fixtures/reference.py`).

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use prodops_core::Grain;
use prodops_example_extension::ExtensionError;
use prodops_example_extension::activation::{ActivationRate, SIGNUP_AT, read_events_csv};
use prodops_kpi::KpiError;
use prodops_kpi::definition::{Kpi, evaluate};

use crate::{TestResult, data};

fn at(s: &str) -> Result<NaiveDateTime, Box<dyn std::error::Error>> {
    Ok(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")?)
}

fn day(s: &str) -> Result<NaiveDate, Box<dyn std::error::Error>> {
    Ok(NaiveDate::parse_from_str(s, "%Y-%m-%d")?)
}

/// Seven users over two signup weeks (weeks start on Monday 5 and 12 October 2026):
/// - a (web): signs up Mon 5 Oct 09:00, creates a project a day later: activated.
/// - b (ios): signs up Tue 6 Oct 10:00, project exactly 7 days later: outside [signup, +7 d).
/// - c (web): signs up Wed 7 Oct 12:00, project 6 d 23:59:59 later (on ios): activated, and
///   counted as web, the platform of the signup.
/// - d (web): signs up Thu 8 Oct, only views dashboards: not activated.
/// - e (ios): creates a project on 4 Oct, before signing up on Fri 9 Oct: not activated.
/// - f (web): signs up Mon 12 Oct 08:00, project a minute later: activated.
/// - g: creates a project but never signs up: in no cohort.
fn events() -> Result<LazyFrame, Box<dyn std::error::Error>> {
    let rows = [
        ("a", "signed_up", "2026-10-05 09:00:00", "web"),
        ("a", "project_created", "2026-10-06 09:00:00", "web"),
        ("b", "signed_up", "2026-10-06 10:00:00", "ios"),
        ("b", "project_created", "2026-10-13 10:00:00", "ios"),
        ("c", "project_created", "2026-10-14 11:59:59", "ios"),
        ("c", "signed_up", "2026-10-07 12:00:00", "web"),
        ("d", "signed_up", "2026-10-08 08:00:00", "web"),
        ("d", "dashboard_viewed", "2026-10-09 08:00:00", "web"),
        ("e", "project_created", "2026-10-04 10:00:00", "ios"),
        ("e", "signed_up", "2026-10-09 10:00:00", "ios"),
        ("f", "signed_up", "2026-10-12 08:00:00", "web"),
        ("f", "project_created", "2026-10-12 08:01:00", "web"),
        ("g", "project_created", "2026-10-12 09:00:00", "web"),
    ];
    let mut times = Vec::new();
    for r in &rows {
        times.push(at(r.2)?);
    }
    Ok(df!(
        "user_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "event" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "timestamp" => times,
        "platform" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )?
    .lazy())
}

fn values(df: &DataFrame) -> Result<Vec<Option<f64>>, Box<dyn std::error::Error>> {
    Ok(df.column("value")?.f64()?.iter().collect())
}

fn periods(df: &DataFrame) -> Result<Vec<Option<NaiveDate>>, Box<dyn std::error::Error>> {
    Ok(df.column("period")?.date()?.as_date_iter().collect())
}

#[test]
fn weekly_cohorts_by_hand() -> TestResult {
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .build()?;
    let out = kpi.run(events()?)?;
    // Week of 5 Oct: a, b, c, d, e signed up; a and c activated: 2 / 5 = 0.4.
    // Week of 12 Oct: f: 1 / 1.
    assert_eq!(
        periods(&out)?,
        [Some(day("2026-10-05")?), Some(day("2026-10-12")?)]
    );
    assert_eq!(values(&out)?, [Some(0.4), Some(1.0)]);
    assert_eq!(kpi.name(), "activation_rate_7d");
    Ok(())
}

#[test]
fn the_breakdown_is_the_value_at_signup() -> TestResult {
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .breakdown(["platform"])
        .build()?;
    let out = kpi.run(events()?)?;
    // Week of 5 Oct, ios: b, e → 0 / 2; web: a, c (its project was on ios), d → 2 / 3.
    // Week of 12 Oct, web: f → 1 / 1.
    let platforms: Vec<Option<&str>> = out.column("platform")?.str()?.iter().collect();
    assert_eq!(platforms, [Some("ios"), Some("web"), Some("web")]);
    assert_eq!(values(&out)?, [Some(0.0), Some(2.0 / 3.0), Some(1.0)]);
    Ok(())
}

#[test]
fn young_cohorts_are_left_out_with_an_end_of_data() -> TestResult {
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .observed_until(at("2026-10-15 00:00:00")?)
        .build()?;
    let out = kpi.run(events()?)?;
    // Windows ending by 15 Oct 00:00: a (12 Oct 09:00), b (13 Oct 10:00), c (14 Oct 12:00);
    // d's ends 15 Oct 08:00, e's 16 Oct, f's 19 Oct. Week of 5 Oct: a, c of a, b, c = 2 / 3;
    // the week of 12 Oct has no complete window and no row.
    assert_eq!(periods(&out)?, [Some(day("2026-10-05")?)]);
    assert_eq!(values(&out)?, [Some(2.0 / 3.0)]);
    Ok(())
}

#[test]
fn window_and_grain_are_settings() -> TestResult {
    // A 1-day window: a (1 day exactly, excluded) and c no longer count; f does. Monthly
    // cohorts: October holds a to f: 1 / 6.
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .window_days(1)
        .grain(Grain::Month)
        .build()?;
    let out = kpi.run(events()?)?;
    assert_eq!(periods(&out)?, [Some(day("2026-10-01")?)]);
    assert_eq!(values(&out)?, [Some(1.0 / 6.0)]);
    assert_eq!(kpi.name(), "activation_rate_1d");
    Ok(())
}

#[test]
fn evaluate_needs_the_prepared_frame() -> TestResult {
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .build()?;
    match evaluate(&kpi, events()?) {
        // The time column is checked first: it is the signup time.
        Err(KpiError::MissingColumn { column, .. }) => assert_eq!(column, SIGNUP_AT),
        other => return Err(format!("expected a missing column, got {other:?}").into()),
    }
    // Prepared, prodops' evaluate gives what run gives.
    let prepared = evaluate(&kpi, kpi.prepare(events()?)?)?;
    assert_eq!(values(&prepared)?, [Some(0.4), Some(1.0)]);
    Ok(())
}

#[test]
fn bad_frames_are_typed_errors() -> TestResult {
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .breakdown(["country"])
        .build()?;
    match kpi.run(events()?) {
        Err(ExtensionError::Column {
            column, purpose, ..
        }) => {
            assert_eq!(
                (column.as_str(), purpose.as_str()),
                ("country", "breakdown")
            );
        }
        other => return Err(format!("expected a column error, got {other:?}").into()),
    }
    let text_times = df!(
        "user_id" => ["a"], "event" => ["signed_up"], "timestamp" => ["2026-10-05 09:00:00"],
    )?;
    let kpi = ActivationRate::builder()
        .key_event("project_created")
        .build()?;
    assert!(matches!(
        kpi.run(text_times.lazy()),
        Err(ExtensionError::Column { column, .. }) if column == "timestamp"
    ));
    Ok(())
}

#[test]
fn bad_settings_are_typed_errors() {
    let invalid = |b: prodops_example_extension::activation::ActivationRateBuilder| {
        matches!(b.build(), Err(ExtensionError::InvalidInput { .. }))
    };
    assert!(invalid(ActivationRate::builder()));
    assert!(invalid(ActivationRate::builder().key_event("signed_up")));
    assert!(invalid(
        ActivationRate::builder().key_event("x").window_days(0)
    ));
    assert!(invalid(ActivationRate::builder().key_event(" ")));
    assert!(invalid(
        ActivationRate::builder()
            .key_event("x")
            .breakdown(["user_id"])
    ));
    assert!(invalid(
        ActivationRate::builder()
            .key_event("x")
            .breakdown(["value"])
    ));
    assert!(invalid(
        ActivationRate::builder()
            .key_event("x")
            .breakdown(["plan", "plan"])
    ));
}

fn fixture() -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference.json");
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// A cohort row: (week, platform or "", value).
type Row = (String, String, f64);

/// Rows of the fixture.
fn expected(rows: &serde_json::Value) -> Vec<Row> {
    rows.as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["week"].as_str().unwrap_or_default().to_owned(),
                r["platform"].as_str().unwrap_or_default().to_owned(),
                r["value"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

fn actual(df: &DataFrame, platform: bool) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let periods = periods(df)?;
    let values = values(df)?;
    let platforms: Vec<String> = if platform {
        df.column("platform")?
            .str()?
            .iter()
            .map(|p| p.unwrap_or_default().to_owned())
            .collect()
    } else {
        vec![String::new(); df.height()]
    };
    Ok(periods
        .into_iter()
        .zip(platforms)
        .zip(values)
        .map(|((p, pl), v)| {
            (
                p.map(|d| d.to_string()).unwrap_or_default(),
                pl,
                v.unwrap_or(f64::NAN),
            )
        })
        .collect())
}

fn assert_close(got: &[Row], want: &[Row]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((&g.0, &g.1), (&w.0, &w.1));
        // Both sides divide the same two integer counts.
        assert!((g.2 - w.2).abs() < 1e-12, "{g:?} vs {w:?}");
    }
}

#[test]
fn bundled_events_match_pandas() -> TestResult {
    let reference = fixture()?;
    let events = read_events_csv(data("events.csv"))?;
    let by_platform = ActivationRate::builder()
        .key_event("project_created")
        .breakdown(["platform"])
        .observed_until(at("2026-11-01 00:00:00")?)
        .build()?
        .run(events.clone())?;
    assert_close(
        &actual(&by_platform, true)?,
        &expected(&reference["activation_by_platform"]),
    );
    let by_week = ActivationRate::builder()
        .key_event("project_created")
        .build()?
        .run(events)?;
    assert_close(
        &actual(&by_week, false)?,
        &expected(&reference["activation_by_week"]),
    );
    Ok(())
}
