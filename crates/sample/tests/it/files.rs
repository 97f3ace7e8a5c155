use std::path::Path;

use polars::prelude::*;
use prodops_sample::{Dataset, Format, SampleSpec, SurveyResponse, write_sample_set, write_table};

fn committed_data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

#[test]
fn committed_csv_files_match_the_generator() {
    // `data/` must be exactly what `generate_sample_data` writes for the small spec, so the
    // docs and examples describe the files that are really there.
    let dir = tempfile::tempdir().unwrap();
    let summary = write_sample_set(
        &SampleSpec::small(),
        dir.path(),
        &[Format::Csv],
        &Dataset::ALL,
    )
    .unwrap();
    assert_eq!(summary.written.len(), Dataset::ALL.len());
    for dataset in Dataset::ALL {
        let name = format!("{}.csv", dataset.name());
        let fresh = std::fs::read(dir.path().join(&name)).unwrap();
        let committed = std::fs::read(committed_data().join(&name)).unwrap_or_else(|e| {
            panic!("data/{name}: {e}; run `cargo run --example generate_sample_data`")
        });
        assert!(
            fresh == committed,
            "data/{name} is stale: run `cargo run --example generate_sample_data`"
        );
    }
}

#[test]
fn parquet_and_csv_hold_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SampleSpec::small();
    write_sample_set(
        &spec,
        dir.path(),
        &[Format::Csv, Format::Parquet],
        &[Dataset::Experiment],
    )
    .unwrap();
    let parquet =
        ParquetReader::new(std::fs::File::open(dir.path().join("experiment.parquet")).unwrap())
            .finish()
            .unwrap();
    let csv = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(dir.path().join("experiment.csv")))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(parquet.height(), 10_000);
    assert_eq!(csv.height(), 10_000);
    assert_eq!(parquet.get_column_names(), csv.get_column_names());
    let sum = |df: &DataFrame| {
        df.column("metric")
            .unwrap()
            .as_materialized_series()
            .sum::<f64>()
            .unwrap()
    };
    assert!((sum(&parquet) - sum(&csv)).abs() < 1e-6);
}

#[test]
fn an_empty_table_still_gets_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let written =
        write_table::<SurveyResponse>(dir.path(), None, &[Format::Csv], std::iter::empty())
            .unwrap();
    assert_eq!(written.rows, 0);
    let text = std::fs::read_to_string(dir.path().join("surveys.csv")).unwrap();
    assert_eq!(
        text.trim(),
        "response_id,answered_at,account_id,user_id,score,segment,region,plan,arr"
    );
}

#[test]
fn unwritable_output_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = write_sample_set(
        &SampleSpec::small(),
        &file,
        &[Format::Csv],
        &[Dataset::Accounts],
    )
    .unwrap_err();
    assert!(
        matches!(err, prodops_sample::SampleError::Io { .. }),
        "{err}"
    );
}
