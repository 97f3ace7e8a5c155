//! Per-variant sufficient statistics from a polars `DataFrame` or `LazyFrame` (feature
//! `polars`).
//!
//! Each adapter takes a frame with one row per randomization unit and computes, in one polars
//! group-by pass, the sums that the statistics types need (n, Σx, Σx², Σxy): the rows are never
//! iterated in Rust. The query runs on polars' streaming engine (feature `streaming`), which
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

/// An error about one column of the frame.
fn column_error(column: &str, reason: impl Into<String>) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: format!("column `{column}`"),
        reason: reason.into(),
    }
}

/// Adds the column and variant to an error from a statistics constructor.
fn in_variant(columns: &str, variant: &str, e: ExperimentError) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: format!("{columns} in variant `{variant}`"),
        reason: e.to_string(),
    }
}

/// What to aggregate for one request.
struct Plan<'a> {
    variant: &'a str,
    /// The value columns, cast to `f64`.
    columns: &'a [&'a str],
    /// Whether to sum squares (every column) or count 0/1 values (conversion columns).
    binary: bool,
    /// Pairs of `columns` indices whose products are summed.
    products: &'a [(usize, usize)],
}

/// The sums of one variant.
struct GroupSums {
    n: u64,
    sum: Vec<f64>,
    /// Σx² per column (empty for a binary plan).
    sum_sq: Vec<f64>,
    /// Count of values equal to 1 per column (binary plan only).
    ones: Vec<u64>,
    products: Vec<f64>,
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

/// Checks that the columns exist with a usable type.
fn check_schema(lf: &mut LazyFrame, plan: &Plan<'_>) -> Result<(), ExperimentError> {
    let schema = lf.collect_schema().map_err(polars_error)?;
    let missing = |name: &str| {
        let available: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
        column_error(
            name,
            format!("not found; the frame has {}", available.join(", ")),
        )
    };
    if schema.get(plan.variant).is_none() {
        return Err(missing(plan.variant));
    }
    for name in plan.columns {
        let dtype = schema.get(name).ok_or_else(|| missing(name))?;
        let usable = dtype.is_primitive_numeric() || dtype.is_bool() || dtype.is_null();
        if !usable {
            return Err(column_error(
                name,
                format!("has type {dtype}, expected a numeric or boolean column"),
            ));
        }
    }
    Ok(())
}

/// Runs the plan as one group-by and returns the sums of each variant, with nulls rejected.
fn group_sums(
    mut lf: LazyFrame,
    plan: &Plan<'_>,
) -> Result<BTreeMap<String, GroupSums>, ExperimentError> {
    check_schema(&mut lf, plan)?;
    // Elementwise work first (casts, squares, products) as plain columns, so that the
    // group-by only runs simple sums, which polars aggregates on its fast path.
    let x = |i: usize| col(plan.columns[i]).cast(DataType::Float64);
    let mut values = vec![col(plan.variant)];
    let mut aggs = vec![len().cast(DataType::UInt64).alias(format!("{PREFIX}n"))];
    let sum_of = |name: String| col(name.clone()).sum().alias(name);
    let count_of = |name: String| col(name.clone()).sum().cast(DataType::UInt64).alias(name);
    for i in 0..plan.columns.len() {
        values.push(x(i).alias(agg_name("sum", i)));
        aggs.push(
            col(agg_name("sum", i))
                .null_count()
                .cast(DataType::UInt64)
                .alias(agg_name("nulls", i)),
        );
        aggs.push(sum_of(agg_name("sum", i)));
        if plan.binary {
            values.push(x(i).eq(lit(1.0)).alias(agg_name("ones", i)));
            values.push(x(i).eq(lit(0.0)).alias(agg_name("zeros", i)));
            aggs.push(count_of(agg_name("ones", i)));
            aggs.push(count_of(agg_name("zeros", i)));
        } else {
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
        .select(values)
        .group_by([col(plan.variant)])
        .agg(aggs)
        .collect_with_engine(Engine::Streaming)
        .map_err(polars_error)?
        .unwrap_single();

    let keys = df
        .column(plan.variant)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(polars_error)?;
    let keys = keys.str().map_err(polars_error)?;
    let n_name = format!("{PREFIX}n");
    let mut null_variant_rows = 0;
    let mut nulls = vec![0u64; plan.columns.len()];
    let mut non_binary = vec![0u64; plan.columns.len()];
    let mut out = BTreeMap::new();
    for row in 0..df.height() {
        let n = u64_at(&df, &n_name, row)?;
        let mut sums = GroupSums {
            n,
            sum: Vec::with_capacity(plan.columns.len()),
            sum_sq: Vec::new(),
            ones: Vec::new(),
            products: Vec::with_capacity(plan.products.len()),
        };
        for (i, count) in nulls.iter_mut().enumerate() {
            let column_nulls = u64_at(&df, &agg_name("nulls", i), row)?;
            *count += column_nulls;
            sums.sum.push(f64_at(&df, &agg_name("sum", i), row)?);
            if plan.binary {
                let ones = u64_at(&df, &agg_name("ones", i), row)?;
                let zeros = u64_at(&df, &agg_name("zeros", i), row)?;
                non_binary[i] += n.saturating_sub(column_nulls + ones + zeros);
                sums.ones.push(ones);
            } else {
                sums.sum_sq.push(f64_at(&df, &agg_name("sum_sq", i), row)?);
            }
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
            plan.variant,
            format!("{null_variant_rows} null values; every unit needs a variant"),
        ));
    }
    for (name, count) in plan.columns.iter().zip(&nulls) {
        if *count > 0 {
            return Err(column_error(
                name,
                format!(
                    "{count} null values; fill or filter them before computing statistics \
                     (dropping them silently would bias the comparison)"
                ),
            ));
        }
    }
    for (name, count) in plan.columns.iter().zip(&non_binary) {
        if *count > 0 {
            return Err(column_error(
                name,
                format!("{count} values are neither 0 nor 1 (nor true/false)"),
            ));
        }
    }
    Ok(out)
}

/// [`MeanStats`] (n, Σx, Σx²) of `value_col` for each value of `variant_col`.
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
    let plan = Plan {
        variant: variant_col,
        columns: &[value_col],
        binary: false,
        products: &[],
    };
    group_sums(lf, &plan)?
        .into_iter()
        .map(|(variant, s)| {
            let stats = MeanStats::new(s.n, s.sum[0], s.sum_sq[0])
                .map_err(|e| in_variant(&format!("column `{value_col}`"), &variant, e))?;
            Ok((variant, stats))
        })
        .collect()
}

/// [`ProportionStats`] (n, successes) of `converted_col` for each value of `variant_col`.
///
/// The column is boolean or numeric with values 0 and 1 only.
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
    let plan = Plan {
        variant: variant_col,
        columns: &[converted_col],
        binary: true,
        products: &[],
    };
    group_sums(lf, &plan)?
        .into_iter()
        .map(|(variant, s)| {
            let stats = ProportionStats::new(s.n, s.ones[0])
                .map_err(|e| in_variant(&format!("column `{converted_col}`"), &variant, e))?;
            Ok((variant, stats))
        })
        .collect()
}

/// [`RatioStats`] of `numerator_col / denominator_col` (per-unit sums, Σm·d) for each value
/// of `variant_col`.
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
    let plan = Plan {
        variant: variant_col,
        columns: &[numerator_col, denominator_col],
        binary: false,
        products: &[(0, 1)],
    };
    let what = format!("columns `{numerator_col}` / `{denominator_col}`");
    group_sums(lf, &plan)?
        .into_iter()
        .map(|(variant, s)| {
            let stats = MeanStats::new(s.n, s.sum[0], s.sum_sq[0])
                .and_then(|m| {
                    let d = MeanStats::new(s.n, s.sum[1], s.sum_sq[1])?;
                    RatioStats::new(m, d, s.products[0])
                })
                .map_err(|e| in_variant(&what, &variant, e))?;
            Ok((variant, stats))
        })
        .collect()
}

/// [`CupedStats`] of the outcome `value_col` with the pre-period covariate `covariate_col`
/// (sums of each, Σxy) for each value of `variant_col`.
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
    let plan = Plan {
        variant: variant_col,
        columns: &[value_col, covariate_col],
        binary: false,
        products: &[(0, 1)],
    };
    let what = format!("columns `{value_col}`, `{covariate_col}`");
    group_sums(lf, &plan)?
        .into_iter()
        .map(|(variant, s)| {
            let stats = MeanStats::new(s.n, s.sum[0], s.sum_sq[0])
                .and_then(|post| {
                    let pre = MeanStats::new(s.n, s.sum[1], s.sum_sq[1])?;
                    CupedStats::new(post, pre, s.products[0])
                })
                .map_err(|e| in_variant(&what, &variant, e))?;
            Ok((variant, stats))
        })
        .collect()
}
