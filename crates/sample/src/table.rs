//! Turning generated rows into polars frames and writing them as CSV and Parquet.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

use crate::SampleError;

/// A generated row type that knows its table name and its columnar form.
pub trait Table: Sized {
    /// The file stem the table is written under, such as `"surveys"`.
    const NAME: &'static str;

    /// The rows as a polars frame, one column per field.
    ///
    /// # Errors
    ///
    /// Any polars error from building the columns.
    fn frame(rows: &[Self]) -> PolarsResult<DataFrame>;
}

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet, zstd-compressed.
    Parquet,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// What was written for one table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Written {
    /// The table name (the file stem).
    pub table: String,
    /// Rows written.
    pub rows: u64,
    /// Each file written and its size in bytes.
    pub files: Vec<(PathBuf, u64)>,
}

pub(crate) fn str_column<T>(name: &str, rows: &[T], f: impl Fn(&T) -> &str) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<&str>>())
}

pub(crate) fn date_column<T>(
    name: &str,
    rows: &[T],
    f: impl Fn(&T) -> NaiveDate,
) -> PolarsResult<Column> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days: Vec<i32> = rows
        .iter()
        .map(|r| (f(r) - epoch).num_days() as i32)
        .collect();
    Column::new(name.into(), days).cast(&DataType::Date)
}

pub(crate) fn datetime_column<T>(
    name: &str,
    rows: &[T],
    f: impl Fn(&T) -> NaiveDateTime,
) -> PolarsResult<Column> {
    let millis: Vec<i64> = rows
        .iter()
        .map(|r| f(r).and_utc().timestamp_millis())
        .collect();
    Column::new(name.into(), millis).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
}

enum Sink {
    Csv(polars::io::csv::write::BatchedWriter<File>),
    // Boxed: the Parquet writer is several times the size of the CSV one.
    Parquet(Box<polars::io::parquet::write::BatchedWriter<File>>),
}

/// Opens an output file unbuffered: both polars writers serialize whole batches before
/// writing, and an unbuffered file reports every write error instead of losing one in a
/// buffer's drop.
fn create(path: &Path) -> Result<File, SampleError> {
    File::create(path).map_err(|source| SampleError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes batches of rows of one table to `dir/<name>.<ext>` in each format, streaming: only
/// one batch is in memory at a time, so the 100M-row sizes fit in a small machine. `name`
/// defaults to [`Table::NAME`] when `None`.
///
/// # Errors
///
/// [`SampleError::Io`] when a file cannot be created, [`SampleError::Polars`] when a batch
/// cannot be built or serialized, or any error a batch carries.
pub fn write_table<T: Table>(
    dir: &Path,
    name: Option<&str>,
    formats: &[Format],
    batches: impl IntoIterator<Item = Result<Vec<T>, SampleError>>,
) -> Result<Written, SampleError> {
    let name = name.unwrap_or(T::NAME);
    let polars_err = |source| SampleError::Polars {
        what: name.to_owned(),
        source,
    };
    let paths: Vec<PathBuf> = formats
        .iter()
        .map(|f| dir.join(format!("{name}.{}", f.extension())))
        .collect();
    let mut sinks: Vec<Sink> = Vec::new();
    let mut rows = 0u64;
    let open = |df: &DataFrame, sinks: &mut Vec<Sink>| -> Result<(), SampleError> {
        for (format, path) in formats.iter().zip(&paths) {
            let out = create(path)?;
            let sink = match format {
                Format::Csv => Sink::Csv(
                    CsvWriter::new(out)
                        .with_datetime_format(Some("%Y-%m-%d %H:%M:%S".into()))
                        .batched(df.schema())
                        .map_err(polars_err)?,
                ),
                Format::Parquet => Sink::Parquet(Box::new(
                    ParquetWriter::new(out)
                        .with_compression(ParquetCompression::Zstd(None))
                        .batched(df.schema())
                        .map_err(polars_err)?,
                )),
            };
            sinks.push(sink);
        }
        Ok(())
    };
    for batch in batches {
        let batch = batch?;
        let mut df = T::frame(&batch).map_err(polars_err)?;
        if sinks.is_empty() {
            open(&df, &mut sinks)?;
        }
        if df.height() == 0 {
            continue;
        }
        df.rechunk_mut();
        rows += df.height() as u64;
        for sink in &mut sinks {
            match sink {
                Sink::Csv(w) => w.write_batch(&df).map_err(polars_err)?,
                Sink::Parquet(w) => w.write_batch(&df).map_err(polars_err)?,
            }
        }
    }
    if sinks.is_empty() {
        // No batch at all: still write the header / schema so readers see an empty table.
        let df = T::frame(&[]).map_err(polars_err)?;
        open(&df, &mut sinks)?;
    }
    for sink in &mut sinks {
        match sink {
            Sink::Csv(w) => w.finish().map_err(polars_err)?,
            Sink::Parquet(w) => {
                w.finish().map_err(polars_err)?;
            }
        }
    }
    drop(sinks);
    let files = paths
        .into_iter()
        .map(|p| {
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            (p, len)
        })
        .collect();
    Ok(Written {
        table: name.to_owned(),
        rows,
        files,
    })
}
