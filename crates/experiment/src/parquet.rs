//! Per-variant sufficient statistics read straight from a Parquet file (feature `parquet`),
//! without polars.
//!
//! [`readout_stats_from_parquet`] computes every statistic of a [`ReadoutColumns`] in one pass
//! over a Parquet file with one row per randomization unit. It reads only the columns the
//! readout uses, decodes the row groups in parallel (one rayon task per row group), and folds
//! each batch of rows into per-variant sums (n, Σx, Σx², Σxy) as soon as it is decoded, so
//! memory stays at a few batches whatever the file's size. A string variant column is read as
//! a dictionary: each row costs an index lookup, not a string comparison. The sums of the row
//! groups merge by addition, which is also how shards in several files combine:
//! [`readout_stats_from_parquet_files`].
//!
//! Value columns may be any integer or floating-point type (read as `f64`) or, for conversions,
//! boolean. The variant column may be of any type that converts to a string.
//!
//! **Nulls are rejected, not dropped**, as in the polars adapter: a null variant or a null
//! value is an [`ExperimentError::InvalidInput`] naming the column and the number of nulls.
//!
//! # Examples
//!
//! ```no_run
//! use prodops_experiment::parquet::readout_stats_from_parquet;
//! use prodops_experiment::{Analysis, ReadoutColumns};
//!
//! let spec = ReadoutColumns::new("variant")
//!     .mean("metric")
//!     .conversion("converted")
//!     .cuped("metric", "pre_metric");
//! let stats = readout_stats_from_parquet("data/experiment.parquet", &spec)?;
//! let (control, treatment) = (&stats["control"], &stats["treatment"]);
//! let outcome = Analysis::default().cuped(&control.cuped[0], &treatment.cuped[0])?;
//! println!("CUPED effect {:.3} ± {:.3}", outcome.adjusted.estimate, outcome.adjusted.std_error);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;

use crate::ExperimentError;
use crate::readout::{Accumulator, NULL_VARIANT, Plan, ReadoutColumns, VariantStats, column_error};

/// Rows per decoded batch: small enough that a batch's columns stay in the core's cache while
/// they are summed, large enough that per-batch overhead is negligible.
const BATCH_ROWS: usize = 8 * 1024;

/// Every statistic of `spec` for each value of its variant column, read from the Parquet file
/// at `path` in one parallel pass.
///
/// The result maps each variant (as a string) to its [`VariantStats`], whose vectors follow
/// the order of the matching fields of `spec`; the sums are those of
/// `frame::readout_stats_by_variant` (feature `polars`) on the same data.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when the file cannot be opened or is not valid Parquet
/// (`what` names the file), a column is missing or of the wrong type, a column holds nulls
/// (naming it and the count), a conversion column holds values other than 0 and 1, or a sum
/// is not finite (naming the columns and the variant).
///
/// # Examples
///
/// See the [module documentation](self).
pub fn readout_stats_from_parquet(
    path: impl AsRef<Path>,
    spec: &ReadoutColumns,
) -> Result<BTreeMap<String, VariantStats>, ExperimentError> {
    readout_stats_from_parquet_files([path], spec)
}

/// [`readout_stats_from_parquet`] over several files (shards, days) with the same columns,
/// combined exactly: the per-variant sums of all files are added before the statistics are
/// formed.
///
/// # Errors
///
/// As [`readout_stats_from_parquet`], for any of the files; also when `paths` is empty.
///
/// # Examples
///
/// ```no_run
/// use prodops_experiment::ReadoutColumns;
/// use prodops_experiment::parquet::readout_stats_from_parquet_files;
///
/// let spec = ReadoutColumns::new("variant").conversion("converted");
/// let days = ["units-2026-11-01.parquet", "units-2026-11-02.parquet"];
/// let stats = readout_stats_from_parquet_files(days, &spec)?;
/// println!("{:?}", stats.keys().collect::<Vec<_>>());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn readout_stats_from_parquet_files<P: AsRef<Path>>(
    paths: impl IntoIterator<Item = P>,
    spec: &ReadoutColumns,
) -> Result<BTreeMap<String, VariantStats>, ExperimentError> {
    let mut plan = Plan::new(spec);
    let mut total: Option<Accumulator> = None;
    for path in paths {
        let part = fold_file(path.as_ref(), &mut plan)?;
        match total.as_mut() {
            Some(total) => total.merge(part),
            None => total = Some(part),
        }
    }
    let total = total.ok_or_else(|| ExperimentError::InvalidInput {
        what: "Parquet files".into(),
        reason: "no file given".into(),
    })?;
    total.finish(&plan)
}

/// An error about the file at `path`.
fn file_error(path: &Path, reason: impl ToString) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: format!("Parquet file `{}`", path.display()),
        reason: reason.to_string(),
    }
}

/// Where the readout's columns are in the file, and how to read them.
struct Layout {
    metadata: ArrowReaderMetadata,
    projection: ProjectionMask,
}

/// Checks the file's schema against the plan, marks boolean columns, and asks for a string
/// variant column as a dictionary, so that each row is an index into its distinct values.
fn layout(file: &File, path: &Path, plan: &mut Plan<'_>) -> Result<Layout, ExperimentError> {
    let metadata = ArrowReaderMetadata::load(file, ArrowReaderOptions::new())
        .map_err(|e| file_error(path, e))?;
    let schema = metadata.schema();
    let index_of = |name: &str| {
        schema.index_of(name).map_err(|_| {
            let available: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            column_error(
                name,
                format!("not found; the file has {}", available.join(", ")),
            )
        })
    };
    let mut roots = vec![index_of(plan.variant())?];
    for column in &mut plan.columns {
        let i = index_of(column.name)?;
        let dtype = schema.field(i).data_type();
        if !(dtype.is_numeric() || *dtype == DataType::Boolean || *dtype == DataType::Null) {
            return Err(column_error(
                column.name,
                format!("has type {dtype}, expected a numeric or boolean column"),
            ));
        }
        column.boolean = *dtype == DataType::Boolean;
        roots.push(i);
    }
    let variant = roots[0];
    let is_string = matches!(
        schema.field(variant).data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    );
    let metadata = if is_string {
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == variant {
                    f.as_ref().clone().with_data_type(dictionary_type())
                } else {
                    f.as_ref().clone()
                }
            })
            .collect();
        let hint = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        ArrowReaderMetadata::try_new(
            Arc::clone(metadata.metadata()),
            ArrowReaderOptions::new().with_schema(hint),
        )
        .map_err(|e| file_error(path, e))?
    } else {
        metadata
    };
    let projection = ProjectionMask::roots(metadata.parquet_schema(), roots);
    Ok(Layout {
        metadata,
        projection,
    })
}

/// The type the variant column is read as: dictionary indices into its distinct strings.
fn dictionary_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The sums of one file, its row groups folded in parallel.
fn fold_file(path: &Path, plan: &mut Plan<'_>) -> Result<Accumulator, ExperimentError> {
    let file = File::open(path).map_err(|e| file_error(path, e))?;
    let layout = layout(&file, path, plan)?;
    let plan = &*plan;
    let row_groups = layout.metadata.metadata().num_row_groups();
    (0..row_groups)
        .into_par_iter()
        .map(|row_group| {
            // A handle of its own: cloned handles share one file offset, and the reader seeks.
            let file = File::open(path).map_err(|e| file_error(path, e))?;
            let reader =
                ParquetRecordBatchReaderBuilder::new_with_metadata(file, layout.metadata.clone())
                    .with_projection(layout.projection.clone())
                    .with_row_groups(vec![row_group])
                    .with_batch_size(BATCH_ROWS)
                    .build()
                    .map_err(|e| file_error(path, e))?;
            let mut folder = BatchFolder::new(plan);
            for batch in reader {
                let batch = batch.map_err(|e| file_error(path, e))?;
                folder.fold(&batch).map_err(|e| file_error(path, e))?;
            }
            Ok(folder.accumulator)
        })
        .try_reduce_with(|mut a, b| {
            a.merge(b);
            Ok(a)
        })
        .unwrap_or_else(|| Ok(Accumulator::new(plan)))
}

/// Folds decoded batches into an [`Accumulator`], reusing its buffers between batches.
struct BatchFolder<'p, 'a> {
    plan: &'p Plan<'a>,
    accumulator: Accumulator,
    /// Each row's variant code.
    codes: Vec<u32>,
    /// The code of each dictionary entry of the current batch.
    entry_codes: Vec<u32>,
    /// Each plan column's values as `f64`.
    values: Vec<Vec<f64>>,
}

impl<'p, 'a> BatchFolder<'p, 'a> {
    fn new(plan: &'p Plan<'a>) -> Self {
        BatchFolder {
            plan,
            accumulator: Accumulator::new(plan),
            codes: Vec::with_capacity(BATCH_ROWS),
            entry_codes: Vec::new(),
            values: vec![Vec::with_capacity(BATCH_ROWS); plan.columns.len()],
        }
    }

    /// Adds one batch (the variant column first, then the plan's columns, by name).
    fn fold(&mut self, batch: &RecordBatch) -> Result<(), arrow_schema::ArrowError> {
        let variant = column(batch, self.plan.variant())?;
        let variant = if variant.data_type() == &dictionary_type() {
            variant
        } else {
            arrow_cast::cast(&variant, &dictionary_type())?
        };
        let unexpected = || {
            arrow_schema::ArrowError::CastError(format!(
                "variant column `{}` is not readable as strings",
                self.plan.variant()
            ))
        };
        let dictionary = variant
            .as_dictionary_opt::<Int32Type>()
            .ok_or_else(unexpected)?;
        let entries = dictionary
            .values()
            .as_string_opt::<i32>()
            .ok_or_else(unexpected)?;
        self.entry_codes.clear();
        for entry in entries.iter() {
            let code = match entry {
                Some(key) => self.accumulator.code(key),
                None => NULL_VARIANT,
            };
            self.entry_codes.push(code);
        }
        // The dictionary indices are the batch's local codes; a null index (a null variant)
        // is given a code past the dictionary, which `add_batch` counts as null.
        let keys = dictionary.keys();
        self.codes.clear();
        // A negative index (never valid) wraps past the dictionary and so counts as null.
        self.codes.extend(keys.values().iter().map(|&k| k as u32));
        if keys.null_count() > 0 {
            for (code, valid) in self.codes.iter_mut().zip(keys.iter()) {
                if valid.is_none() {
                    *code = NULL_VARIANT;
                }
            }
        }
        let mut arrays = Vec::with_capacity(self.plan.columns.len());
        for (c, plan_column) in self.plan.columns.iter().enumerate() {
            let array = column(batch, plan_column.name)?;
            self.accumulator.nulls[c] += array.null_count() as u64;
            // f64 columns are summed in place; the others are converted into a reused buffer.
            if array.data_type() != &DataType::Float64 {
                to_f64(&array, &mut self.values[c])?;
            }
            arrays.push(array);
        }
        let columns: Vec<&[f64]> = arrays
            .iter()
            .zip(&self.values)
            .map(
                |(array, converted)| match array.as_primitive_opt::<Float64Type>() {
                    Some(values) => values.values().as_ref(),
                    None => converted.as_slice(),
                },
            )
            .collect();
        self.accumulator
            .add_batch(&self.codes, &self.entry_codes, &columns);
        Ok(())
    }
}

/// Writes the values of a numeric or boolean `array` into `out` as `f64` (a null's slot holds
/// whatever the array stores there; nulls are counted separately). The common types convert
/// in a plain loop into a reused buffer; the rest go through arrow's cast.
fn to_f64(array: &ArrayRef, out: &mut Vec<f64>) -> Result<(), arrow_schema::ArrowError> {
    out.clear();
    match array.data_type() {
        DataType::Float64 => out.extend_from_slice(array.as_primitive::<Float64Type>().values()),
        DataType::Float32 => extend(out, array.as_primitive::<Float32Type>().values(), f64::from),
        DataType::Int32 => extend(out, array.as_primitive::<Int32Type>().values(), f64::from),
        DataType::UInt32 => extend(out, array.as_primitive::<UInt32Type>().values(), f64::from),
        DataType::Int16 => extend(out, array.as_primitive::<Int16Type>().values(), f64::from),
        DataType::UInt16 => extend(out, array.as_primitive::<UInt16Type>().values(), f64::from),
        DataType::Int8 => extend(out, array.as_primitive::<Int8Type>().values(), f64::from),
        DataType::UInt8 => extend(out, array.as_primitive::<UInt8Type>().values(), f64::from),
        // Counts and amounts above 2⁵³ lose their last digits, as in any f64 sum.
        DataType::Int64 => extend(out, array.as_primitive::<Int64Type>().values(), |v| {
            v as f64
        }),
        DataType::UInt64 => extend(out, array.as_primitive::<UInt64Type>().values(), |v| {
            v as f64
        }),
        DataType::Boolean => {
            // Word by word: 64 bits at a time, each bit turned into 0.0 or 1.0 by arithmetic
            // on the float's bits (iterating bit by bit costs several times more).
            let bits = array.as_boolean().values();
            let one = 1.0f64.to_bits();
            for word in bits.bit_chunks().iter_padded() {
                out.extend((0..64).map(|i| f64::from_bits(((word >> i) & 1) * one)));
            }
            out.truncate(bits.len());
        }
        _ => {
            let cast = arrow_cast::cast(array, &DataType::Float64)?;
            let values = cast.as_primitive_opt::<Float64Type>().ok_or_else(|| {
                arrow_schema::ArrowError::CastError("a value column is not numeric".into())
            })?;
            out.extend_from_slice(values.values());
        }
    }
    Ok(())
}

/// Appends `values` converted by `convert`.
fn extend<T: Copy>(out: &mut Vec<f64>, values: &[T], convert: impl Fn(T) -> f64) {
    out.extend(values.iter().map(|&v| convert(v)));
}

/// The column `name` of a batch read with the readout's projection.
fn column(batch: &RecordBatch, name: &str) -> Result<ArrayRef, arrow_schema::ArrowError> {
    batch
        .column_by_name(name)
        .cloned()
        .ok_or_else(|| arrow_schema::ArrowError::SchemaError(format!("no column `{name}`")))
}
