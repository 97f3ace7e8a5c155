//! The Parquet adapter (`parquet::readout_stats_from_parquet`) against sums computed row by
//! row from the values written to the file.
//!
//! Counts must match exactly; sums to 1e-12 relative (the adapter sums in lanes and blocks,
//! the reference in row order). Files are written with arrow-rs' `ArrowWriter` into a temp
//! directory, with row groups small enough that several row groups (folded in parallel) and
//! several batches per row group are exercised.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array,
    RecordBatch, StringArray, UInt32Array,
};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use prodops_experiment::parquet::{readout_stats_from_parquet, readout_stats_from_parquet_files};
use prodops_experiment::{
    CupedStats, ExperimentError, MeanStats, ProportionStats, RatioStats, ReadoutColumns,
    VariantStats,
};
use prodops_sample::{SampleSpec, experiment_units};
use proptest::prelude::*;

use crate::fixtures::assert_close;

const REL: f64 = 1e-12;

/// One unit as written to the file.
#[derive(Debug, Clone)]
struct Unit {
    variant: String,
    pre_metric: f64,
    metric: f64,
    converted: bool,
    sessions: u32,
    clicks: u32,
}

fn generated(rows: usize) -> Vec<Unit> {
    let cfg = SampleSpec::with_rows(rows).experiment();
    experiment_units(&cfg, 0..rows)
        .unwrap()
        .into_iter()
        .map(|u| Unit {
            variant: u.variant,
            pre_metric: u.pre_metric,
            metric: u.metric,
            converted: u.converted,
            sessions: u.sessions,
            clicks: u.clicks,
        })
        .collect()
}

/// Writes `columns` to `path` in row groups of `row_group_rows`.
fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, row_group_rows: usize) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_size(row_group_rows)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// The units as columns of the types a Parquet writer would use: strings, f64, boolean (and
/// the same as 0/1 Int64), UInt32 counts.
fn unit_columns(units: &[Unit]) -> Vec<(&'static str, ArrayRef)> {
    let f = |get: fn(&Unit) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from(
            units.iter().map(get).collect::<Vec<_>>(),
        ))
    };
    let u = |get: fn(&Unit) -> u32| -> ArrayRef {
        Arc::new(UInt32Array::from(units.iter().map(get).collect::<Vec<_>>()))
    };
    vec![
        (
            "variant",
            Arc::new(StringArray::from_iter_values(
                units.iter().map(|u| u.variant.as_str()),
            )) as ArrayRef,
        ),
        ("pre_metric", f(|u| u.pre_metric)),
        ("metric", f(|u| u.metric)),
        (
            "converted",
            Arc::new(BooleanArray::from(
                units.iter().map(|u| u.converted).collect::<Vec<_>>(),
            )),
        ),
        (
            "converted_int",
            Arc::new(Int64Array::from(
                units
                    .iter()
                    .map(|u| i64::from(u.converted))
                    .collect::<Vec<_>>(),
            )),
        ),
        ("sessions", u(|u| u.sessions)),
        ("clicks", u(|u| u.clicks)),
    ]
}

fn spec(converted: &str) -> ReadoutColumns {
    ReadoutColumns::new("variant")
        .mean("metric")
        .conversion(converted)
        .ratio("clicks", "sessions")
        .cuped("metric", "pre_metric")
}

/// The statistics of each variant, computed row by row with the slice constructors.
fn expected(
    units: &[Unit],
) -> BTreeMap<String, (MeanStats, ProportionStats, RatioStats, CupedStats)> {
    let mut by_variant: BTreeMap<String, Vec<&Unit>> = BTreeMap::new();
    for u in units {
        by_variant.entry(u.variant.clone()).or_default().push(u);
    }
    by_variant
        .into_iter()
        .map(|(variant, rows)| {
            let metric: Vec<f64> = rows.iter().map(|u| u.metric).collect();
            let ones = rows.iter().filter(|u| u.converted).count() as u64;
            let ratio: Vec<(f64, f64)> = rows
                .iter()
                .map(|u| (f64::from(u.clicks), f64::from(u.sessions)))
                .collect();
            let cuped: Vec<(f64, f64)> = rows.iter().map(|u| (u.metric, u.pre_metric)).collect();
            let stats = (
                MeanStats::from_values(&metric).unwrap(),
                ProportionStats::new(rows.len() as u64, ones).unwrap(),
                RatioStats::from_pairs(&ratio).unwrap(),
                CupedStats::from_pairs(&cuped).unwrap(),
            );
            (variant, stats)
        })
        .collect()
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

#[track_caller]
fn assert_matches(actual: &BTreeMap<String, VariantStats>, units: &[Unit]) {
    let want = expected(units);
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (variant, (mean, proportion, ratio, cuped)) in &want {
        let got = &actual[variant];
        assert_eq!(got.n, mean.n(), "{variant}: n");
        assert_mean(&got.means[0], mean, &format!("{variant}: metric"));
        assert_eq!(got.conversions[0], *proportion, "{variant}: converted");
        let r = &got.ratios[0];
        assert_mean(
            r.numerator(),
            ratio.numerator(),
            &format!("{variant}: clicks"),
        );
        assert_mean(
            r.denominator(),
            ratio.denominator(),
            &format!("{variant}: sessions"),
        );
        assert_close(
            r.sum_products(),
            ratio.sum_products(),
            REL,
            "Σ clicks·sessions",
        );
        let c = &got.cuped[0];
        assert_mean(c.post(), cuped.post(), &format!("{variant}: cuped post"));
        assert_mean(c.pre(), cuped.pre(), &format!("{variant}: cuped pre"));
        assert_close(c.sum_products(), cuped.sum_products(), REL, "Σ metric·pre");
    }
}

fn temp_file(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn generated_units_match_sums_computed_row_by_row() {
    // 150,000 rows in row groups of 70,000: three row groups, each read in batches of up to
    // 8,192 rows, so batch and row-group boundaries both fall mid-data.
    let units = generated(150_000);
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "units.parquet");
    write(&path, unit_columns(&units), 70_000);
    assert_matches(
        &readout_stats_from_parquet(&path, &spec("converted")).unwrap(),
        &units,
    );
    // A 0/1 integer column gives the same proportions as the boolean one.
    assert_matches(
        &readout_stats_from_parquet(&path, &spec("converted_int")).unwrap(),
        &units,
    );
}

#[test]
fn shards_in_several_files_combine_exactly() {
    let units = generated(30_000);
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = units.split_at(12_345);
    let paths = [temp_file(&dir, "a.parquet"), temp_file(&dir, "b.parquet")];
    write(&paths[0], unit_columns(first), 5_000);
    write(&paths[1], unit_columns(second), 5_000);
    let combined = readout_stats_from_parquet_files(&paths, &spec("converted")).unwrap();
    assert_matches(&combined, &units);
}

#[test]
fn integer_variants_and_narrow_numeric_types_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "narrow.parquet");
    // Arms 0 and 1; metric as f32 (values exact in f32), a count as i16.
    let arms = [0, 1, 0, 1, 1, 0, 1];
    let metric = [1.5f32, 2.0, 3.25, -4.0, 0.5, 8.0, 1.0];
    let count = [3i16, -2, 0, 7, 1, 1, 4];
    write(
        &path,
        vec![
            ("arm", Arc::new(Int32Array::from(arms.to_vec())) as ArrayRef),
            ("metric", Arc::new(Float32Array::from(metric.to_vec()))),
            ("count", Arc::new(Int16Array::from(count.to_vec()))),
        ],
        3,
    );
    let spec = ReadoutColumns::new("arm").mean("metric").mean("count");
    let stats = readout_stats_from_parquet(&path, &spec).unwrap();
    assert_eq!(stats.keys().collect::<Vec<_>>(), ["0", "1"]);
    // Arm 0: rows 0, 2, 5. metric 1.5 + 3.25 + 8.0 = 12.75, squares 2.25 + 10.5625 + 64
    // = 76.8125; count 3 + 0 + 1 = 4, squares 9 + 0 + 1 = 10.
    let arm0 = &stats["0"];
    assert_eq!(arm0.means[0], MeanStats::new(3, 12.75, 76.8125).unwrap());
    assert_eq!(arm0.means[1], MeanStats::new(3, 4.0, 10.0).unwrap());
    // Arm 1: rows 1, 3, 4, 6. metric 2 − 4 + 0.5 + 1 = −0.5, squares 4 + 16 + 0.25 + 1 =
    // 21.25; count −2 + 7 + 1 + 4 = 10, squares 4 + 49 + 1 + 16 = 70.
    let arm1 = &stats["1"];
    assert_eq!(arm1.means[0], MeanStats::new(4, -0.5, 21.25).unwrap());
    assert_eq!(arm1.means[1], MeanStats::new(4, 10.0, 70.0).unwrap());
}

#[test]
fn many_variants_are_summed_row_by_row() {
    // 20 variants exceed the masked path's limit, so rows are scattered one by one.
    let mut units = generated(4_000);
    for (i, u) in units.iter_mut().enumerate() {
        u.variant = format!("arm-{:02}", i % 20);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "many.parquet");
    write(&path, unit_columns(&units), 1_000);
    let stats = readout_stats_from_parquet(&path, &spec("converted")).unwrap();
    assert_eq!(stats.len(), 20);
    assert_matches(&stats, &units);
}

fn invalid_input(e: ExperimentError) -> (String, String) {
    match e {
        ExperimentError::InvalidInput { what, reason } => (what, reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// A two-variant file with an optional-valued metric and variant.
fn small_file(
    dir: &tempfile::TempDir,
    metric: Vec<Option<f64>>,
    variant: Vec<Option<&str>>,
) -> PathBuf {
    let path = temp_file(dir, "small.parquet");
    write(
        &path,
        vec![
            ("variant", Arc::new(StringArray::from(variant)) as ArrayRef),
            ("metric", Arc::new(Float64Array::from(metric))),
        ],
        2,
    );
    path
}

#[test]
fn nulls_are_rejected_with_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ReadoutColumns::new("variant").mean("metric");

    let path = small_file(
        &dir,
        vec![Some(1.0), None, Some(3.0), None, Some(5.0)],
        vec![Some("a"), Some("b"), Some("a"), Some("b"), Some("a")],
    );
    let (what, reason) = invalid_input(readout_stats_from_parquet(&path, &spec).unwrap_err());
    assert_eq!(what, "column `metric`");
    assert!(reason.starts_with("2 null values"), "{reason}");

    let path = small_file(
        &dir,
        vec![Some(1.0), Some(2.0), Some(3.0)],
        vec![Some("a"), None, Some("b")],
    );
    let (what, reason) = invalid_input(readout_stats_from_parquet(&path, &spec).unwrap_err());
    assert_eq!(what, "column `variant`");
    assert!(reason.starts_with("1 null values"), "{reason}");
}

#[test]
fn non_binary_conversions_and_wrong_types_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "types.parquet");
    write(
        &path,
        vec![
            (
                "variant",
                Arc::new(StringArray::from(vec!["a", "b", "a"])) as ArrayRef,
            ),
            ("converted", Arc::new(Int64Array::from(vec![0, 2, 1]))),
            ("label", Arc::new(StringArray::from(vec!["x", "y", "z"]))),
        ],
        10,
    );
    let conversion = ReadoutColumns::new("variant").conversion("converted");
    let (what, reason) = invalid_input(readout_stats_from_parquet(&path, &conversion).unwrap_err());
    assert_eq!(what, "column `converted`");
    assert!(
        reason.starts_with("1 values are neither 0 nor 1"),
        "{reason}"
    );

    let text = ReadoutColumns::new("variant").mean("label");
    let (what, reason) = invalid_input(readout_stats_from_parquet(&path, &text).unwrap_err());
    assert_eq!(what, "column `label`");
    assert!(
        reason.contains("expected a numeric or boolean column"),
        "{reason}"
    );

    let missing = ReadoutColumns::new("variant").mean("revenue");
    let (what, reason) = invalid_input(readout_stats_from_parquet(&path, &missing).unwrap_err());
    assert_eq!(what, "column `revenue`");
    assert_eq!(reason, "not found; the file has variant, converted, label");
}

#[test]
fn non_finite_values_are_rejected_naming_the_variant() {
    let dir = tempfile::tempdir().unwrap();
    // The infinity is in variant `b`; both variants share the batch, so the masked sums of
    // `a` would see 0 · ∞ = NaN if the batch were not summed again row by row.
    let path = small_file(
        &dir,
        vec![Some(1.0), Some(f64::INFINITY), Some(3.0), Some(4.0)],
        vec![Some("a"), Some("b"), Some("a"), Some("b")],
    );
    let spec = ReadoutColumns::new("variant").mean("metric");
    let (what, _) = invalid_input(readout_stats_from_parquet(&path, &spec).unwrap_err());
    assert_eq!(what, "column `metric` in variant `b`");
}

#[test]
fn unreadable_files_and_empty_file_lists_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ReadoutColumns::new("variant").mean("metric");

    let absent = temp_file(&dir, "absent.parquet");
    let (what, _) = invalid_input(readout_stats_from_parquet(&absent, &spec).unwrap_err());
    assert_eq!(what, format!("Parquet file `{}`", absent.display()));

    let text = temp_file(&dir, "not-parquet.parquet");
    std::fs::write(&text, "variant,metric\na,1\n").unwrap();
    let (what, _) = invalid_input(readout_stats_from_parquet(&text, &spec).unwrap_err());
    assert_eq!(what, format!("Parquet file `{}`", text.display()));

    let none: [&Path; 0] = [];
    let (what, reason) = invalid_input(readout_stats_from_parquet_files(none, &spec).unwrap_err());
    assert_eq!(
        (what.as_str(), reason.as_str()),
        ("Parquet files", "no file given")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any split of any finite data into two files gives the sums of the whole, which match
    /// the row-by-row reference.
    #[test]
    fn split_files_match_the_whole(
        rows in prop::collection::vec(
            (0usize..3, -1e3f64..1e3, -1e3f64..1e3, any::<bool>(), 1u32..20, 0u32..20),
            2..300,
        ),
        cut in 0.0f64..1.0,
    ) {
        let units: Vec<Unit> = rows
            .into_iter()
            .map(|(v, pre_metric, metric, converted, sessions, clicks)| Unit {
                variant: ["control", "treatment", "b2"][v].to_owned(),
                pre_metric,
                metric,
                converted,
                sessions,
                clicks,
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let at = ((units.len() as f64) * cut) as usize;
        let (first, second) = units.split_at(at);
        let whole = temp_file(&dir, "whole.parquet");
        write(&whole, unit_columns(&units), 64);
        let mut parts = Vec::new();
        for (i, part) in [first, second].into_iter().enumerate() {
            if !part.is_empty() {
                let path = temp_file(&dir, &format!("part-{i}.parquet"));
                write(&path, unit_columns(part), 64);
                parts.push(path);
            }
        }
        let spec = spec("converted");
        let from_whole = readout_stats_from_parquet(&whole, &spec).unwrap();
        assert_matches(&from_whole, &units);
        let from_parts = readout_stats_from_parquet_files(&parts, &spec).unwrap();
        assert_matches(&from_parts, &units);
    }
}
