//! The polars adapters of `frame` against sums computed from the same rows in Rust.
//!
//! Counts must match exactly; sums to 1e-12 relative (polars sums in another order).
//! Reading `data/experiment.csv` uses polars' `csv` feature, which the `prodops-sample`
//! dev-dependency turns on.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use prodops_experiment::frame::{
    ReadoutColumns, VariantStats, cuped_stats_by_variant, mean_stats_by_variant,
    proportion_stats_by_variant, ratio_stats_by_variant, readout_stats_by_variant,
};
use prodops_experiment::{CupedStats, ExperimentError, MeanStats, ProportionStats, RatioStats};
use prodops_sample::{ExperimentUnit, SampleSpec, experiment_units};

use crate::fixtures::assert_close;

const REL: f64 = 1e-12;

/// Per-unit values, as read from a file or generated.
struct Unit {
    variant: String,
    pre_metric: f64,
    metric: f64,
    converted: bool,
    sessions: f64,
    clicks: f64,
}

impl From<&ExperimentUnit> for Unit {
    fn from(u: &ExperimentUnit) -> Self {
        Unit {
            variant: u.variant.clone(),
            pre_metric: u.pre_metric,
            metric: u.metric,
            converted: u.converted,
            sessions: f64::from(u.sessions),
            clicks: f64::from(u.clicks),
        }
    }
}

/// The sums each adapter should return, computed row by row.
#[derive(Default)]
struct Expected {
    mean: BTreeMap<String, MeanStats>,
    proportion: BTreeMap<String, (u64, u64)>,
    ratio: BTreeMap<String, (Vec<f64>, Vec<f64>)>,
    cuped: BTreeMap<String, (Vec<f64>, Vec<f64>)>,
}

fn expected(units: &[Unit]) -> Expected {
    let mut e = Expected::default();
    let mut metric: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for u in units {
        metric.entry(u.variant.clone()).or_default().push(u.metric);
        let p = e.proportion.entry(u.variant.clone()).or_default();
        p.0 += 1;
        p.1 += u64::from(u.converted);
        let r = e.ratio.entry(u.variant.clone()).or_default();
        r.0.push(u.clicks);
        r.1.push(u.sessions);
        let c = e.cuped.entry(u.variant.clone()).or_default();
        c.0.push(u.metric);
        c.1.push(u.pre_metric);
    }
    e.mean = metric
        .into_iter()
        .map(|(k, v)| (k, MeanStats::from_values(&v).unwrap()))
        .collect();
    e
}

#[track_caller]
fn assert_mean(actual: &MeanStats, expected: &MeanStats, case: &str) {
    assert_eq!(actual.n(), expected.n(), "{case}: n");
    assert_close(actual.sum(), expected.sum(), REL, &format!("{case}: sum"));
    assert_close(
        actual.sum_sq(),
        expected.sum_sq(),
        REL,
        &format!("{case}: sum_sq"),
    );
}

/// Checks every adapter on `df` against sums of `units`.
fn check_all(df: &DataFrame, units: &[Unit], converted_col: &str) {
    let want = expected(units);

    let mean = mean_stats_by_variant(df.clone().lazy(), "variant", "metric").unwrap();
    assert_eq!(
        mean.keys().collect::<Vec<_>>(),
        want.mean.keys().collect::<Vec<_>>()
    );
    for (variant, stats) in &mean {
        assert_mean(stats, &want.mean[variant], &format!("metric/{variant}"));
    }

    let proportion =
        proportion_stats_by_variant(df.clone().lazy(), "variant", converted_col).unwrap();
    for (variant, stats) in &proportion {
        let (n, successes) = want.proportion[variant];
        assert_eq!(
            *stats,
            ProportionStats::new(n, successes).unwrap(),
            "{variant}"
        );
    }
    assert_eq!(proportion.len(), want.proportion.len());

    let ratio = ratio_stats_by_variant(df.clone().lazy(), "variant", "clicks", "sessions").unwrap();
    assert_eq!(ratio.len(), want.ratio.len());
    for (variant, stats) in &ratio {
        let (m, d) = &want.ratio[variant];
        let pairs: Vec<(f64, f64)> = m.iter().copied().zip(d.iter().copied()).collect();
        let reference = RatioStats::from_pairs(&pairs).unwrap();
        let case = format!("ratio/{variant}");
        assert_mean(stats.numerator(), reference.numerator(), &case);
        assert_mean(stats.denominator(), reference.denominator(), &case);
        assert_close(
            stats.sum_products(),
            reference.sum_products(),
            REL,
            &format!("{case}: Σmd"),
        );
    }

    let cuped =
        cuped_stats_by_variant(df.clone().lazy(), "variant", "metric", "pre_metric").unwrap();
    assert_eq!(cuped.len(), want.cuped.len());
    for (variant, stats) in &cuped {
        let (y, x) = &want.cuped[variant];
        let pairs: Vec<(f64, f64)> = y.iter().copied().zip(x.iter().copied()).collect();
        let reference = CupedStats::from_pairs(&pairs).unwrap();
        let case = format!("cuped/{variant}");
        assert_mean(stats.post(), reference.post(), &case);
        assert_mean(stats.pre(), reference.pre(), &case);
        assert_close(
            stats.sum_products(),
            reference.sum_products(),
            REL,
            &format!("{case}: Σxy"),
        );
    }
}

fn generated(rows: usize) -> Vec<Unit> {
    let cfg = SampleSpec::with_rows(rows).experiment();
    experiment_units(&cfg, 0..rows)
        .unwrap()
        .iter()
        .map(Unit::from)
        .collect()
}

fn frame_of(units: &[Unit]) -> DataFrame {
    let f = |get: fn(&Unit) -> f64| units.iter().map(get).collect::<Vec<f64>>();
    DataFrame::new_infer_height(vec![
        Column::new(
            "variant".into(),
            units.iter().map(|u| u.variant.as_str()).collect::<Vec<_>>(),
        ),
        Column::new("pre_metric".into(), f(|u| u.pre_metric)),
        Column::new("metric".into(), f(|u| u.metric)),
        Column::new(
            "converted".into(),
            units.iter().map(|u| u.converted).collect::<Vec<_>>(),
        ),
        Column::new(
            "converted_int".into(),
            units
                .iter()
                .map(|u| i64::from(u.converted))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "sessions".into(),
            units.iter().map(|u| u.sessions as u32).collect::<Vec<_>>(),
        ),
        Column::new(
            "clicks".into(),
            units.iter().map(|u| u.clicks as u32).collect::<Vec<_>>(),
        ),
    ])
    .unwrap()
}

#[test]
fn generated_rows_match_sums_computed_in_rust() {
    let units = generated(50_000);
    let df = frame_of(&units);
    check_all(&df, &units, "converted");
    // A 0/1 integer column gives the same proportions as the boolean one.
    check_all(&df, &units, "converted_int");
}

#[test]
fn lazy_filters_run_before_the_group_by() {
    let units = generated(5_000);
    let df = frame_of(&units);
    let lf = df.lazy().filter(col("sessions").gt(lit(3u32)));
    let kept: Vec<Unit> = units.into_iter().filter(|u| u.sessions > 3.0).collect();
    let want = expected(&kept);
    let mean = mean_stats_by_variant(lf, "variant", "metric").unwrap();
    for (variant, stats) in &mean {
        assert_mean(stats, &want.mean[variant], variant);
    }
}

/// `data/experiment.csv` read with polars against the same file parsed by hand.
#[test]
fn bundled_csv_matches_rows_summed_by_hand() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/experiment.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "unit_id",
            "variant",
            "assigned_at",
            "pre_metric",
            "metric",
            "converted",
            "sessions",
            "clicks"
        ]
    );
    let units: Vec<Unit> = lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Unit {
                variant: f[1].to_owned(),
                pre_metric: f[3].parse().unwrap(),
                metric: f[4].parse().unwrap(),
                converted: f[5].parse().unwrap(),
                sessions: f[6].parse().unwrap(),
                clicks: f[7].parse().unwrap(),
            }
        })
        .collect();
    assert_eq!(units.len(), 10_000);

    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(df.height(), units.len());
    check_all(&df, &units, "converted");
}

fn small_frame(metric: Vec<Option<f64>>, variant: Vec<Option<&str>>) -> DataFrame {
    DataFrame::new_infer_height(vec![
        Column::new("variant".into(), variant),
        Column::new("metric".into(), metric),
    ])
    .unwrap()
}

#[track_caller]
fn invalid_input(e: ExperimentError) -> (String, String) {
    match e {
        ExperimentError::InvalidInput { what, reason } => (what, reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn nulls_in_a_value_column_are_rejected_with_their_count() {
    let df = small_frame(
        vec![Some(1.0), None, Some(3.0), None, Some(2.0), None],
        vec![
            Some("a"),
            Some("a"),
            Some("b"),
            Some("b"),
            Some("a"),
            Some("b"),
        ],
    );
    let (what, reason) =
        invalid_input(mean_stats_by_variant(df.clone().lazy(), "variant", "metric").unwrap_err());
    assert_eq!(what, "column `metric`");
    assert!(reason.starts_with("3 null values"), "{reason}");

    // The covariate of CUPED and the denominator of a ratio are checked too.
    let df2 = DataFrame::new_infer_height(vec![
        Column::new("variant".into(), ["a", "a", "b", "b"]),
        Column::new("y".into(), [1.0, 2.0, 3.0, 4.0]),
        Column::new("x".into(), [Some(1.0), Some(2.0), None, Some(4.0)]),
    ])
    .unwrap();
    let (what, reason) =
        invalid_input(cuped_stats_by_variant(df2.clone().lazy(), "variant", "y", "x").unwrap_err());
    assert_eq!(what, "column `x`");
    assert!(reason.starts_with("1 null values"), "{reason}");
    let (what, _) =
        invalid_input(ratio_stats_by_variant(df2.lazy(), "variant", "y", "x").unwrap_err());
    assert_eq!(what, "column `x`");

    // Filled or filtered explicitly, the same data is accepted.
    let filtered = df.lazy().filter(col("metric").is_not_null());
    let stats = mean_stats_by_variant(filtered, "variant", "metric").unwrap();
    assert_eq!(stats["a"], MeanStats::from_values(&[1.0, 2.0]).unwrap());
    assert_eq!(stats["b"], MeanStats::from_values(&[3.0]).unwrap());
}

#[test]
fn nulls_in_the_variant_column_are_rejected_with_their_count() {
    let df = small_frame(
        vec![Some(1.0), Some(2.0), Some(3.0), Some(4.0)],
        vec![Some("a"), None, Some("b"), None],
    );
    let (what, reason) =
        invalid_input(mean_stats_by_variant(df.lazy(), "variant", "metric").unwrap_err());
    assert_eq!(what, "column `variant`");
    assert!(reason.starts_with("2 null values"), "{reason}");
}

#[test]
fn nulls_in_a_conversion_column_are_rejected() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("variant".into(), ["a", "a", "b"]),
        Column::new("converted".into(), [Some(true), None, Some(false)]),
    ])
    .unwrap();
    let (what, reason) =
        invalid_input(proportion_stats_by_variant(df.lazy(), "variant", "converted").unwrap_err());
    assert_eq!(what, "column `converted`");
    assert!(reason.starts_with("1 null values"), "{reason}");
}

#[test]
fn missing_columns_are_named() {
    let df = small_frame(vec![Some(1.0)], vec![Some("a")]);
    let (what, reason) =
        invalid_input(mean_stats_by_variant(df.clone().lazy(), "variant", "revenue").unwrap_err());
    assert_eq!(what, "column `revenue`");
    assert!(reason.contains("not found"), "{reason}");
    assert!(
        reason.contains("metric"),
        "lists the columns present: {reason}"
    );
    let (what, _) =
        invalid_input(mean_stats_by_variant(df.clone().lazy(), "arm", "metric").unwrap_err());
    assert_eq!(what, "column `arm`");
    let (what, _) = invalid_input(
        ratio_stats_by_variant(df.lazy(), "variant", "metric", "sessions").unwrap_err(),
    );
    assert_eq!(what, "column `sessions`");
}

#[test]
fn wrong_types_and_non_binary_conversions_are_rejected() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("variant".into(), ["a", "a", "b", "b"]),
        Column::new("label".into(), ["x", "y", "z", "w"]),
        Column::new("score".into(), [0.0, 1.0, 2.0, 0.5]),
    ])
    .unwrap();
    let (what, reason) =
        invalid_input(mean_stats_by_variant(df.clone().lazy(), "variant", "label").unwrap_err());
    assert_eq!(what, "column `label`");
    assert!(reason.contains("numeric"), "{reason}");
    let (what, reason) =
        invalid_input(proportion_stats_by_variant(df.lazy(), "variant", "score").unwrap_err());
    assert_eq!(what, "column `score`");
    assert!(
        reason.starts_with("2 values are neither 0 nor 1"),
        "{reason}"
    );
}

#[test]
fn non_finite_values_are_rejected_naming_the_variant() {
    let df = small_frame(
        vec![Some(1.0), Some(f64::INFINITY), Some(3.0), Some(4.0)],
        vec![Some("a"), Some("a"), Some("b"), Some("b")],
    );
    let (what, _) =
        invalid_input(mean_stats_by_variant(df.lazy(), "variant", "metric").unwrap_err());
    assert_eq!(what, "column `metric` in variant `a`");
}

#[test]
fn integer_variants_become_string_keys_and_empty_frames_give_no_variants() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("arm".into(), [0i64, 1, 0, 1]),
        Column::new("metric".into(), [1.0, 2.0, 3.0, 4.0]),
    ])
    .unwrap();
    let stats = mean_stats_by_variant(df.clone().lazy(), "arm", "metric").unwrap();
    assert_eq!(stats.keys().collect::<Vec<_>>(), ["0", "1"]);
    assert_eq!(stats["1"], MeanStats::from_values(&[2.0, 4.0]).unwrap());

    let empty = df.lazy().filter(col("metric").gt(lit(10.0)));
    assert!(
        mean_stats_by_variant(empty, "arm", "metric")
            .unwrap()
            .is_empty()
    );
}

#[track_caller]
fn assert_ratio(actual: &RatioStats, expected: &RatioStats, case: &str) {
    assert_mean(actual.numerator(), expected.numerator(), case);
    assert_mean(actual.denominator(), expected.denominator(), case);
    assert_close(
        actual.sum_products(),
        expected.sum_products(),
        REL,
        &format!("{case}: Σmd"),
    );
}

#[track_caller]
fn assert_cuped(actual: &CupedStats, expected: &CupedStats, case: &str) {
    assert_mean(actual.post(), expected.post(), case);
    assert_mean(actual.pre(), expected.pre(), case);
    assert_close(
        actual.sum_products(),
        expected.sum_products(),
        REL,
        &format!("{case}: Σxy"),
    );
}

/// One pass gives the statistics of the four single-metric adapters, in the order asked for,
/// including several statistics of each kind and columns shared between them.
#[test]
fn single_pass_readout_matches_the_separate_adapters() {
    let units = generated(50_000);
    let df = frame_of(&units);
    let spec = ReadoutColumns::new("variant")
        .mean("metric")
        .mean("sessions")
        .conversion("converted")
        .conversion("converted_int")
        .ratio("clicks", "sessions")
        .ratio("metric", "sessions")
        .cuped("metric", "pre_metric")
        .cuped("clicks", "sessions");
    let readout = readout_stats_by_variant(df.clone().lazy(), &spec).unwrap();
    let lf = || df.clone().lazy();

    let metric = mean_stats_by_variant(lf(), "variant", "metric").unwrap();
    assert_eq!(
        readout.keys().collect::<Vec<_>>(),
        metric.keys().collect::<Vec<_>>()
    );
    let sessions = mean_stats_by_variant(lf(), "variant", "sessions").unwrap();
    let converted = proportion_stats_by_variant(lf(), "variant", "converted").unwrap();
    let converted_int = proportion_stats_by_variant(lf(), "variant", "converted_int").unwrap();
    let ctr = ratio_stats_by_variant(lf(), "variant", "clicks", "sessions").unwrap();
    let per_session = ratio_stats_by_variant(lf(), "variant", "metric", "sessions").unwrap();
    let cuped = cuped_stats_by_variant(lf(), "variant", "metric", "pre_metric").unwrap();
    let cuped_clicks = cuped_stats_by_variant(lf(), "variant", "clicks", "sessions").unwrap();

    for (variant, stats) in &readout {
        assert_eq!(stats.n, metric[variant].n(), "{variant}: n");
        assert_eq!(stats.means.len(), 2);
        assert_mean(
            &stats.means[0],
            &metric[variant],
            &format!("metric/{variant}"),
        );
        assert_mean(
            &stats.means[1],
            &sessions[variant],
            &format!("sessions/{variant}"),
        );
        assert_eq!(
            stats.conversions,
            [converted[variant], converted_int[variant]]
        );
        assert_eq!(stats.ratios.len(), 2);
        assert_ratio(&stats.ratios[0], &ctr[variant], &format!("ctr/{variant}"));
        assert_ratio(
            &stats.ratios[1],
            &per_session[variant],
            &format!("metric per session/{variant}"),
        );
        assert_eq!(stats.cuped.len(), 2);
        assert_cuped(
            &stats.cuped[0],
            &cuped[variant],
            &format!("cuped/{variant}"),
        );
        assert_cuped(
            &stats.cuped[1],
            &cuped_clicks[variant],
            &format!("cuped clicks/{variant}"),
        );
    }

    // A spec without statistics still counts the units of each variant.
    let counts = readout_stats_by_variant(df.lazy(), &ReadoutColumns::new("variant")).unwrap();
    assert_eq!(counts.len(), readout.len());
    for (variant, stats) in &counts {
        assert_eq!(stats.n, readout[variant].n, "{variant}");
        assert!(stats.means.is_empty() && stats.conversions.is_empty());
        assert!(stats.ratios.is_empty() && stats.cuped.is_empty());
    }
}

#[test]
fn single_pass_readout_rejects_nulls_and_missing_columns() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("variant".into(), ["a", "a", "b", "b"]),
        Column::new("y".into(), [1.0, 2.0, 3.0, 4.0]),
        Column::new("x".into(), [Some(1.0), Some(2.0), None, Some(4.0)]),
        Column::new("converted".into(), [true, false, true, true]),
    ])
    .unwrap();
    // A null in any column of any statistic fails the whole readout, naming the column.
    let spec = ReadoutColumns::new("variant")
        .mean("y")
        .conversion("converted")
        .cuped("y", "x");
    let (what, reason) =
        invalid_input(readout_stats_by_variant(df.clone().lazy(), &spec).unwrap_err());
    assert_eq!(what, "column `x`");
    assert!(reason.starts_with("1 null values"), "{reason}");

    let spec = ReadoutColumns::new("variant")
        .mean("y")
        .ratio("clicks", "sessions");
    let (what, reason) =
        invalid_input(readout_stats_by_variant(df.clone().lazy(), &spec).unwrap_err());
    assert_eq!(what, "column `clicks`");
    assert!(reason.contains("not found"), "{reason}");

    let spec = ReadoutColumns::new("arm").mean("y");
    let (what, _) = invalid_input(readout_stats_by_variant(df.clone().lazy(), &spec).unwrap_err());
    assert_eq!(what, "column `arm`");

    // A numeric conversion column with other values than 0 and 1 is rejected.
    let spec = ReadoutColumns::new("variant").mean("y").conversion("y");
    let (what, reason) = invalid_input(readout_stats_by_variant(df.lazy(), &spec).unwrap_err());
    assert_eq!(what, "column `y`");
    assert!(reason.contains("neither 0 nor 1"), "{reason}");
}

#[test]
fn readout_types_round_trip_through_json() {
    let df = small_frame(
        vec![Some(1.0), Some(2.0), Some(3.0)],
        vec![Some("a"), Some("b"), Some("a")],
    );
    let spec = ReadoutColumns::new("variant").mean("metric");
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<ReadoutColumns>(&json).unwrap(), spec);
    let stats = readout_stats_by_variant(df.lazy(), &spec).unwrap();
    let json = serde_json::to_string(&stats).unwrap();
    let back: BTreeMap<String, VariantStats> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, stats);
    assert_eq!(
        stats["a"].means,
        [MeanStats::from_values(&[1.0, 3.0]).unwrap()]
    );
}
