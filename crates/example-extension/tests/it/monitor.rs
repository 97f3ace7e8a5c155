//! The seasonal-naive detector: hand-derived detections, zero baselines, settings, errors,
//! prodops' `detect_column` on a KPI from the bundled events against pandas, and properties.

use polars::prelude::*;
use prodops_core::Grain;
use prodops_example_extension::ExtensionError;
use prodops_example_extension::activation::read_events_csv;
use prodops_example_extension::monitor::SeasonalNaive;
use prodops_kpi::KpiError;
use prodops_kpi::definition::{Aggregation, KpiDefinition, evaluate};
use prodops_kpi::monitor::{Detector, DetectorWarning, Direction, detect_column};
use proptest::prelude::*;

use crate::{TestResult, data};

/// Two weeks of a daily KPI with a weekend dip, then a third Monday and Tuesday.
const SERIES: [f64; 16] = [
    100.0, 110.0, 100.0, 105.0, 98.0, 40.0, 35.0, // week 1
    101.0, 108.0, 60.0, 104.0, 99.0, 42.0, 52.0, // week 2
    126.0, 108.0, // week 3
];

#[test]
fn compares_with_the_same_weekday_last_week() -> TestResult {
    let detector = SeasonalNaive::builder().tolerance(0.25).build()?;
    let all = detector.detect(&SERIES)?;
    // Indices 7..=15 are scored; 0..=6 are the first season.
    assert_eq!(all.first().map(|d| d.index), Some(7));
    assert_eq!(all.len(), 9);
    // Index 9: (60 − 100) / 100 = −0.40; index 13: (52 − 35) / 35 = +0.4857;
    // index 14: (126 − 101) / 101 = +0.2475 < 0.25, quiet; the rest move by under 8%.
    let fired: Vec<(usize, f64, f64)> = detector
        .anomalies(&SERIES)?
        .iter()
        .map(|d| (d.index, d.baseline, d.score))
        .collect();
    assert_eq!(fired.len(), 2);
    assert_eq!((fired[0].0, fired[0].1), (9, 100.0));
    assert!((fired[0].2 - 0.40).abs() < 1e-12);
    assert_eq!((fired[1].0, fired[1].1), (13, 35.0));
    assert!((fired[1].2 - 17.0 / 35.0).abs() < 1e-12);
    let d14 = &all[14 - 7];
    assert!(!d14.is_anomaly);
    assert!((d14.score - 25.0 / 101.0).abs() < 1e-12);
    assert_eq!(
        d14.reason,
        "value 126 is 24.8% above 101 one season (7 points) earlier; tolerance 25.0%"
    );
    assert_eq!(d14.probability, 0.0);
    assert_eq!(detector.anomalies(&SERIES)?[1].probability, 1.0);
    Ok(())
}

#[test]
fn direction_and_absolute_floor() -> TestResult {
    // Only drops: index 9 (−40%).
    let down = SeasonalNaive::builder()
        .tolerance(0.25)
        .direction(Direction::Down)
        .build()?;
    let idx: Vec<usize> = down.anomalies(&SERIES)?.iter().map(|d| d.index).collect();
    assert_eq!(idx, [9]);
    // A floor of 20: index 9 moves by 40, index 13 by 17 only.
    let floor = SeasonalNaive::builder()
        .tolerance(0.25)
        .min_abs_change(20.0)
        .build()?;
    let idx: Vec<usize> = floor.anomalies(&SERIES)?.iter().map(|d| d.index).collect();
    assert_eq!(idx, [9]);
    // Period 1 compares with the day before: 110 vs 100 is +10%, 40 vs 98 is −59.2%, ...
    let daily = SeasonalNaive::builder().period(1).tolerance(0.5).build()?;
    let idx: Vec<usize> = daily
        .anomalies(&SERIES[..7])?
        .iter()
        .map(|d| d.index)
        .collect();
    assert_eq!(idx, [5]);
    Ok(())
}

#[test]
fn a_zero_baseline_counts_as_a_full_change() -> TestResult {
    let detector = SeasonalNaive::builder().period(2).build()?;
    let out = detector.detect(&[0.0, 0.0, 0.0, 3.0])?;
    // Index 2: 0 vs 0, no change. Index 3: 3 vs 0, undefined relative change → score 1.
    assert!(!out[0].is_anomaly);
    assert_eq!(out[0].score, 0.0);
    assert!(out[0].warnings.is_empty());
    assert!(out[1].is_anomaly);
    assert_eq!(out[1].score, 1.0);
    assert_eq!(out[1].warnings, [DetectorWarning::ZeroSpread]);
    assert!(out[1].reason.contains("undefined"));
    Ok(())
}

#[test]
fn bad_series_and_settings_are_typed_errors() -> TestResult {
    let detector = SeasonalNaive::builder().build()?;
    assert!(matches!(
        detector.detect(&[1.0; 7]),
        Err(KpiError::InsufficientHistory { needed: 8, got: 7 })
    ));
    match detector.detect(&[1.0, 2.0, f64::NAN, 1.0, 1.0, 1.0, 1.0, 1.0]) {
        Err(KpiError::InvalidInput { what, .. }) => assert_eq!(what, "series value at index 2"),
        other => return Err(format!("expected an invalid input, got {other:?}").into()),
    }
    // `latest` comes with the trait.
    assert_eq!(detector.latest(&SERIES)?.index, 15);
    for builder in [
        SeasonalNaive::builder().period(0),
        SeasonalNaive::builder().tolerance(0.0),
        SeasonalNaive::builder().tolerance(f64::INFINITY),
        SeasonalNaive::builder().min_abs_change(-1.0),
    ] {
        assert!(matches!(
            builder.build(),
            Err(ExtensionError::InvalidInput { .. })
        ));
    }
    Ok(())
}

#[test]
fn daily_active_users_of_the_bundled_events_match_pandas() -> TestResult {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference.json");
    let reference: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    // A built-in declarative KPI gives the series; the team's detector watches it.
    let dau = KpiDefinition::new(
        "dau",
        Aggregation::DistinctCount {
            column: "user_id".into(),
        },
    )
    .by_period("timestamp", Grain::Day);
    let series = evaluate(&dau, read_events_csv(data("events.csv"))?)?;
    let values: Vec<f64> = series
        .column("value")?
        .cast(&DataType::Float64)?
        .f64()?
        .into_no_null_iter()
        .collect();
    let want: Vec<f64> = reference["dau"]["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    assert_eq!(values, want);
    let detector = SeasonalNaive::builder().tolerance(0.3).build()?;
    let alerts = detect_column(&series, "value", &detector)?;
    let fired: Vec<u64> = alerts
        .column("index")?
        .u64()?
        .into_no_null_iter()
        .zip(alerts.column("is_anomaly")?.bool()?.iter())
        .filter(|(_, a)| *a == Some(true))
        .map(|(i, _)| i)
        .collect();
    let want: Vec<u64> = reference["dau"]["fires_at_30pct"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_u64)
        .collect();
    assert_eq!(fired, want);
    Ok(())
}

proptest! {
    /// A constant series never fires, whatever the settings.
    #[test]
    fn a_constant_series_never_fires(
        c in -1e6f64..1e6,
        len in 1usize..60,
        period in 1usize..10,
        tolerance in 0.001f64..2.0,
    ) {
        let detector = SeasonalNaive::builder().period(period).tolerance(tolerance).build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let series = vec![c; len + period];
        let flagged = detector.anomalies(&series).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(flagged.is_empty());
    }

    /// Scaling a series by a power of two (exact in floating point) fires on the same points:
    /// the rule is on relative change.
    #[test]
    fn scaling_keeps_the_alerts(
        series in prop::collection::vec(1.0f64..1000.0, 8..40),
        k in -10i32..10,
    ) {
        let detector = SeasonalNaive::builder().build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let scaled: Vec<f64> = series.iter().map(|x| x * 2f64.powi(k)).collect();
        let idx = |s: &[f64]| -> Result<Vec<usize>, TestCaseError> {
            Ok(detector.anomalies(s).map_err(|e| TestCaseError::fail(e.to_string()))?
                .iter().map(|d| d.index).collect())
        };
        prop_assert_eq!(idx(&series)?, idx(&scaled)?);
    }
}
