//! Per-variant sufficient statistics from a polars `DataFrame` or `LazyFrame` (feature
//! `polars`).
//!
//! Each adapter takes a frame with one row per randomization unit and computes, in one polars
//! group-by pass, the sums that the statistics types need (n, Σx, Σx², Σxy): the rows are never
//! iterated in Rust. [`readout_stats_by_variant`] computes every statistic of a readout (means,
//! conversions, ratios, CUPED) in a single pass, so the variant column is hashed once however
//! many metrics there are; the four single-metric adapters are shorthands for it. The query runs on polars' streaming engine (feature `streaming`), which
//! sums in its hash aggregation, and a `LazyFrame` from `scan_parquet` reads only the columns
//! used.
//!
//! Value columns may be any numeric type (cast to `f64`) or, for conversions, boolean. The
//! variant column may be of any type; its values are turned into strings for the map keys.
//!
//! **Nulls are rejected, not dropped.** Dropping a unit's missing value would shrink n in one
//! metric but not another and bias every comparison without a trace, so a null in the variant
//! column or in any value column is an [`ExperimentError::InvalidInput`] that names the column
//! and the number of nulls. Fill or filter them explicitly before calling an adapter.
//!
//! # Examples
//!
//! ```
//! use polars::prelude::*;
//! use prodops_experiment::{Analysis, frame};
//!
//! let df = DataFrame::new_infer_height(vec![
//!     Column::new("variant".into(), ["control", "treatment", "control", "treatment"]),
//!     Column::new("metric".into(), [1.0, 2.0, 3.0, 5.0]),
//! ])?;
//! let stats = frame::mean_stats_by_variant(df.lazy(), "variant", "metric")?;
//! assert_eq!(stats["control"].n(), 2);
//! assert_eq!(stats["treatment"].sum(), 7.0);
//! let outcome = Analysis::default().compare(&stats["control"], &stats["treatment"])?;
//! assert!((outcome.estimate - 1.5).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::readout::{GroupSums, Plan, column_error, non_binary_values, null_values};
pub use crate::readout::{ReadoutColumns, VariantStats};
use crate::{CupedStats, ExperimentError, MeanStats, ProportionStats, RatioStats};

/// Prefix of the aggregation columns, chosen not to collide with the user's column names.
const PREFIX: &str = "__prodops_";

/// Maps a polars error to the crate's error type.
fn polars_error(e: PolarsError) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: "dataframe".into(),
        reason: e.to_string(),
    }
}

fn agg_name(kind: &str, i: usize) -> String {
    format!("{PREFIX}{kind}_{i}")
}

fn u64_at(df: &DataFrame, name: &str, row: usize) -> Result<u64, ExperimentError> {
    df.column(name)
        .and_then(|c| c.u64().map(|ca| ca.get(row)))
        .map_err(polars_error)?
        .ok_or_else(|| column_error(name, "aggregate is null"))
}

fn f64_at(df: &DataFrame, name: &str, row: usize) -> Result<f64, ExperimentError> {
    // The sum of an all-null or empty group is 0, never null; a null here is a bug upstream.
    df.column(name)
        .and_then(|c| c.f64().map(|ca| ca.get(row)))
        .map_err(polars_error)?
        .ok_or_else(|| column_error(name, "aggregate is null"))
}

/// Checks that the columns exist with a usable type, and marks the boolean ones.
fn check_schema(lf: &mut LazyFrame, plan: &mut Plan<'_>) -> Result<(), ExperimentError> {
    let schema = lf.collect_schema().map_err(polars_error)?;
    let missing = |name: &str| {
        let available: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
        column_error(
            name,
            format!("not found; the frame has {}", available.join(", ")),
        )
    };
    if schema.get(plan.variant()).is_none() {
        return Err(missing(plan.variant()));
    }
    for column in &mut plan.columns {
        let name = column.name;
        let dtype = schema.get(name).ok_or_else(|| missing(name))?;
        let usable = dtype.is_primitive_numeric() || dtype.is_bool() || dtype.is_null();
        if !usable {
            return Err(column_error(
                name,
                format!("has type {dtype}, expected a numeric or boolean column"),
            ));
        }
        column.boolean = dtype.is_bool();
    }
    Ok(())
}

/// The error for nulls in the value columns, naming the first column that has any. Runs only
/// once the group-by has counted rows with a null, so its extra scan costs nothing on valid
/// data.
fn null_error(lf: LazyFrame, plan: &Plan<'_>) -> ExperimentError {
    let counts = plan
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            col(c.name)
                .null_count()
                .cast(DataType::UInt64)
                .alias(agg_name("nulls", i))
        })
        .collect::<Vec<_>>();
    let df = match lf.select(counts).collect() {
        Ok(df) => df,
        Err(e) => return polars_error(e),
    };
    for (i, column) in plan.columns.iter().enumerate() {
        match u64_at(&df, &agg_name("nulls", i), 0) {
            Ok(0) => {}
            Ok(count) => return null_values(column.name, count),
            Err(e) => return e,
        }
    }
    column_error(plan.variant(), "rows with null values")
}

/// Runs the plan as one group-by and returns the sums of each variant, with nulls rejected.
fn group_sums(
    mut lf: LazyFrame,
    plan: &mut Plan<'_>,
) -> Result<BTreeMap<String, GroupSums>, ExperimentError> {
    check_schema(&mut lf, plan)?;
    let plan = &*plan;
    // Elementwise work first (casts, squares, products, checks) as plain columns, so that the
    // group-by only runs simple sums, which polars aggregates on its fast path. Nulls and
    // values other than 0/1 in conversion columns are counted, not located: one flag per row
    // for a null in any value column, one per numeric conversion column for a value that is
    // neither 0 nor 1. The sums of a conversion column are then its number of ones.
    let x = |i: usize| col(plan.columns[i].name).cast(DataType::Float64);
    let mut values = vec![col(plan.variant())];
    let mut aggs = vec![len().cast(DataType::UInt64).alias(format!("{PREFIX}n"))];
    let sum_of = |name: String| col(name.clone()).sum().alias(name);
    let count_of = |name: String| col(name.clone()).sum().cast(DataType::UInt64).alias(name);
    let null_rows = format!("{PREFIX}null_rows");
    let any_null = plan
        .columns
        .iter()
        .map(|c| col(c.name).is_null())
        .reduce(Expr::or);
    if let Some(any_null) = any_null {
        values.push(any_null.alias(null_rows.clone()));
        aggs.push(count_of(null_rows.clone()));
    }
    for (i, column) in plan.columns.iter().enumerate() {
        values.push(x(i).alias(agg_name("sum", i)));
        aggs.push(sum_of(agg_name("sum", i)));
        if column.binary && !column.boolean {
            let other = x(i).neq(lit(0.0)).and(x(i).neq(lit(1.0)));
            values.push(other.alias(agg_name("non_binary", i)));
            aggs.push(count_of(agg_name("non_binary", i)));
        }
        if column.squares {
            values.push((x(i) * x(i)).alias(agg_name("sum_sq", i)));
            aggs.push(sum_of(agg_name("sum_sq", i)));
        }
    }
    for (k, &(i, j)) in plan.products.iter().enumerate() {
        values.push((x(i) * x(j)).alias(agg_name("prod", k)));
        aggs.push(sum_of(agg_name("prod", k)));
    }
    // The streaming engine fuses the sums into its hash aggregation; the in-memory engine
    // gathers every aggregated column by group index, several times slower on 10M rows.
    // A plan with one sink always gives a single frame, so `unwrap_single` cannot panic.
    let df = lf
        .clone()
        .select(values)
        .group_by([col(plan.variant())])
        .agg(aggs)
        .collect_with_engine(Engine::Streaming)
        .map_err(polars_error)?
        .unwrap_single();

    let keys = df
        .column(plan.variant())
        .and_then(|c| c.cast(&DataType::String))
        .map_err(polars_error)?;
    let keys = keys.str().map_err(polars_error)?;
    let n_name = format!("{PREFIX}n");
    let width = plan.columns.len();
    let mut null_variant_rows = 0;
    let mut rows_with_nulls = 0;
    let mut non_binary = vec![0u64; width];
    let mut out = BTreeMap::new();
    for row in 0..df.height() {
        let n = u64_at(&df, &n_name, row)?;
        if width > 0 {
            rows_with_nulls += u64_at(&df, &null_rows, row)?;
        }
        let mut sums = GroupSums {
            n,
            sum: Vec::with_capacity(width),
            sum_sq: Vec::with_capacity(width),
            products: Vec::with_capacity(plan.products.len()),
        };
        for (i, column) in plan.columns.iter().enumerate() {
            sums.sum.push(f64_at(&df, &agg_name("sum", i), row)?);
            if column.binary && !column.boolean {
                non_binary[i] += u64_at(&df, &agg_name("non_binary", i), row)?;
            }
            let sum_sq = if column.squares {
                f64_at(&df, &agg_name("sum_sq", i), row)?
            } else {
                0.0
            };
            sums.sum_sq.push(sum_sq);
        }
        for k in 0..plan.products.len() {
            sums.products.push(f64_at(&df, &agg_name("prod", k), row)?);
        }
        match keys.get(row) {
            Some(key) => {
                out.insert(key.to_owned(), sums);
            }
            None => null_variant_rows += n,
        }
    }
    if null_variant_rows > 0 {
        return Err(column_error(
            plan.variant(),
            format!("{null_variant_rows} null values; every unit needs a variant"),
        ));
    }
    if rows_with_nulls > 0 {
        return Err(null_error(lf, plan));
    }
    for (column, count) in plan.columns.iter().zip(&non_binary) {
        if *count > 0 {
            return Err(non_binary_values(column.name, *count));
        }
    }
    Ok(out)
}

/// Every statistic of `spec` for each value of its variant column, in one polars group-by.
///
/// The result maps each variant (as a string) to its [`VariantStats`], whose vectors follow the
/// order of the matching fields of `spec`. The sums are the same as those of
/// [`mean_stats_by_variant`], [`proportion_stats_by_variant`], [`ratio_stats_by_variant`] and
/// [`cuped_stats_by_variant`], but the frame is scanned and the variant column hashed once, and
/// a column shared by several statistics is summed once.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when a column is missing or of the wrong type, a column
/// holds nulls (naming it and the count), a conversion column holds values other than 0 and
/// 1, a sum is not finite (naming the columns and the variant), or polars fails (`what` is
/// `"dataframe"`).
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// use prodops_experiment::Analysis;
/// use prodops_experiment::frame::{ReadoutColumns, readout_stats_by_variant};
///
/// let df = DataFrame::new_infer_height(vec![
///     Column::new("variant".into(), ["control", "treatment", "control", "treatment"]),
///     Column::new("metric".into(), [1.0, 2.0, 3.0, 5.0]),
///     Column::new("pre".into(), [1.5, 1.0, 2.5, 4.0]),
///     Column::new("converted".into(), [true, true, false, true]),
/// ])?;
/// let spec = ReadoutColumns::new("variant")
///     .mean("metric")
///     .conversion("converted")
///     .ratio("metric", "pre")
///     .cuped("metric", "pre");
/// let stats = readout_stats_by_variant(df.lazy(), &spec)?;
/// let (control, treatment) = (&stats["control"], &stats["treatment"]);
/// assert_eq!(treatment.n, 2);
/// assert_eq!(treatment.means[0].sum(), 7.0);
/// assert_eq!(control.conversions[0].successes(), 1);
/// let outcome = Analysis::default().compare(&control.means[0], &treatment.means[0])?;
/// assert!((outcome.estimate - 1.5).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn readout_stats_by_variant(
    lf: LazyFrame,
    spec: &ReadoutColumns,
) -> Result<BTreeMap<String, VariantStats>, ExperimentError> {
    let mut plan = Plan::new(spec);
    let sums = group_sums(lf, &mut plan)?;
    plan.stats(sums)
}

/// Runs a one-statistic readout and keeps that statistic of each variant.
fn single<T>(
    lf: LazyFrame,
    spec: &ReadoutColumns,
    pick: impl Fn(VariantStats) -> Option<T>,
) -> Result<BTreeMap<String, T>, ExperimentError> {
    readout_stats_by_variant(lf, spec)?
        .into_iter()
        .map(|(variant, stats)| {
            let stat = pick(stats).ok_or_else(|| ExperimentError::InvalidInput {
                what: format!("variant `{variant}`"),
                reason: "statistic missing from the readout".into(),
            })?;
            Ok((variant, stat))
        })
        .collect()
}

/// [`MeanStats`] (n, Σx, Σx²) of `value_col` for each value of `variant_col`.
///
/// A shorthand for [`readout_stats_by_variant`] with one mean.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when a column is missing or not numeric, a column holds
/// nulls (naming it and the count), a sum is not finite, or polars fails (`what` is
/// `"dataframe"`).
pub fn mean_stats_by_variant(
    lf: LazyFrame,
    variant_col: &str,
    value_col: &str,
) -> Result<BTreeMap<String, MeanStats>, ExperimentError> {
    let spec = ReadoutColumns::new(variant_col).mean(value_col);
    single(lf, &spec, |s| s.means.into_iter().next())
}

/// [`ProportionStats`] (n, successes) of `converted_col` for each value of `variant_col`.
///
/// The column is boolean or numeric with values 0 and 1 only. A shorthand for
/// [`readout_stats_by_variant`] with one conversion.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when a column is missing or of the wrong type, holds nulls
/// (naming it and the count) or values other than 0 and 1, or polars fails.
pub fn proportion_stats_by_variant(
    lf: LazyFrame,
    variant_col: &str,
    converted_col: &str,
) -> Result<BTreeMap<String, ProportionStats>, ExperimentError> {
    let spec = ReadoutColumns::new(variant_col).conversion(converted_col);
    single(lf, &spec, |s| s.conversions.into_iter().next())
}

/// [`RatioStats`] of `numerator_col / denominator_col` (per-unit sums, Σm·d) for each value
/// of `variant_col`.
///
/// A shorthand for [`readout_stats_by_variant`] with one ratio.
///
/// # Errors
///
/// As [`mean_stats_by_variant`], for either column.
pub fn ratio_stats_by_variant(
    lf: LazyFrame,
    variant_col: &str,
    numerator_col: &str,
    denominator_col: &str,
) -> Result<BTreeMap<String, RatioStats>, ExperimentError> {
    let spec = ReadoutColumns::new(variant_col).ratio(numerator_col, denominator_col);
    single(lf, &spec, |s| s.ratios.into_iter().next())
}

/// [`CupedStats`] of the outcome `value_col` with the pre-period covariate `covariate_col`
/// (sums of each, Σxy) for each value of `variant_col`.
///
/// A shorthand for [`readout_stats_by_variant`] with one CUPED pair.
///
/// # Errors
///
/// As [`mean_stats_by_variant`], for either column.
pub fn cuped_stats_by_variant(
    lf: LazyFrame,
    variant_col: &str,
    value_col: &str,
    covariate_col: &str,
) -> Result<BTreeMap<String, CupedStats>, ExperimentError> {
    let spec = ReadoutColumns::new(variant_col).cuped(value_col, covariate_col);
    single(lf, &spec, |s| s.cuped.into_iter().next())
}
