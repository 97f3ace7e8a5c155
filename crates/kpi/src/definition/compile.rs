//! Compiling definitions to polars expressions, with the schema checks that come first.

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use prodops_core::Grain;

use super::{Aggregation, Filter, FilterOp, FilterValue, Measure, Scalar, schema_dtype};
use crate::error::KpiError;

/// Structural checks of an aggregation, recursively; the error is the reason.
pub(super) fn validate_aggregation(agg: &Aggregation) -> Result<(), String> {
    match agg {
        Aggregation::Count => Ok(()),
        Aggregation::DistinctCount { column }
        | Aggregation::Sum { column }
        | Aggregation::Mean { column } => {
            if column.trim().is_empty() {
                Err("empty column name".into())
            } else {
                Ok(())
            }
        }
        Aggregation::Ratio {
            numerator,
            denominator,
        } => {
            for (part, m) in [("numerator", numerator), ("denominator", denominator)] {
                validate_aggregation(&m.aggregation).map_err(|r| format!("{part}: {r}"))?;
                for f in &m.filters {
                    validate_filter(f)
                        .map_err(|r| format!("{part}, filter on {:?}: {r}", f.column))?;
                }
            }
            Ok(())
        }
    }
}

/// Checks that a filter has a value exactly when its operator takes one.
pub(super) fn validate_filter(f: &Filter) -> Result<(), String> {
    if f.column.trim().is_empty() {
        return Err("empty column name".into());
    }
    let finite = |s: &Scalar| !matches!(s, Scalar::Float(x) if !x.is_finite());
    match (f.op, &f.value) {
        (FilterOp::IsNull | FilterOp::NotNull, None) => Ok(()),
        (FilterOp::IsNull | FilterOp::NotNull, Some(_)) => {
            Err("is_null and not_null take no value".into())
        }
        (FilterOp::In, Some(FilterValue::List(values))) if values.iter().all(finite) => Ok(()),
        (FilterOp::In, _) => Err("in takes a list of finite values".into()),
        (_, Some(FilterValue::One(v))) if finite(v) => Ok(()),
        (op, _) => Err(format!("{op:?} takes one finite value")),
    }
}

/// The first day of the `grain` bucket of a date or date-time column, as a `Date`.
pub(super) fn bucket(column: &str, grain: Grain, dtype: &DataType) -> Result<Expr, KpiError> {
    let every = match grain {
        Grain::Day => "1d",
        Grain::Week => "1w",
        Grain::Month => "1mo",
        Grain::Quarter => "1q",
        Grain::Year => "1y",
    };
    match dtype {
        DataType::Date => Ok(col(column).dt().truncate(lit(every))),
        // Take the civil date first, so the bucket is that of the value's own calendar.
        DataType::Datetime(_, _) => Ok(col(column).dt().date().dt().truncate(lit(every))),
        other => Err(KpiError::InvalidColumn {
            column: column.to_owned(),
            reason: format!("a time column must be a Date or Datetime, found {other}"),
        }),
    }
}

/// The conjunction of `filters`, nulls read as false; `None` when there are none.
pub(super) fn conjunction(filters: &[Filter], schema: &Schema) -> Result<Option<Expr>, KpiError> {
    let mut out: Option<Expr> = None;
    for f in filters {
        let e = filter(f, schema)?.fill_null(lit(false));
        out = Some(match out {
            None => e,
            Some(acc) => acc.and(e),
        });
    }
    Ok(out)
}

fn and(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.and(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The aggregate over the rows where `predicate` holds (all rows without one).
pub(super) fn aggregation(
    agg: &Aggregation,
    predicate: Option<Expr>,
    schema: &Schema,
) -> Result<Expr, KpiError> {
    let masked = |e: Expr, predicate: Option<Expr>| match predicate {
        Some(p) => e.filter(p),
        None => e,
    };
    match agg {
        Aggregation::Count => Ok(match predicate {
            None => len(),
            Some(p) => p.sum(),
        }),
        Aggregation::DistinctCount { column } => {
            schema_dtype(schema, column, "distinct count")?;
            Ok(masked(col(column.as_str()), predicate)
                .drop_nulls()
                .n_unique())
        }
        Aggregation::Sum { column } => {
            let c = numeric(schema, column, "sum")?;
            Ok(masked(c, predicate).sum())
        }
        Aggregation::Mean { column } => {
            let c = numeric(schema, column, "mean")?;
            Ok(finite_or_null(masked(c, predicate).mean()))
        }
        Aggregation::Ratio {
            numerator,
            denominator,
        } => {
            let n = measure(numerator, predicate.clone(), schema)?.cast(DataType::Float64);
            let d = measure(denominator, predicate, schema)?.cast(DataType::Float64);
            Ok(when(d.clone().eq(lit(0.0)))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(finite_or_null(n / d)))
        }
    }
}

fn measure(m: &Measure, predicate: Option<Expr>, schema: &Schema) -> Result<Expr, KpiError> {
    let own = conjunction(&m.filters, schema)?;
    aggregation(&m.aggregation, and(predicate, own), schema)
}

/// A float expression with NaN and ±∞ replaced by null.
fn finite_or_null(e: Expr) -> Expr {
    when(e.clone().is_nan().or(e.clone().is_infinite()))
        .then(lit(NULL).cast(DataType::Float64))
        .otherwise(e)
}

/// A numeric or boolean column, NaN read as null.
fn numeric(schema: &Schema, column: &str, purpose: &str) -> Result<Expr, KpiError> {
    let dtype = schema_dtype(schema, column, purpose)?;
    let c = col(column);
    if dtype.is_float() {
        Ok(c.clone().fill_nan(lit(NULL)))
    } else if dtype.is_primitive_numeric() || dtype.is_bool() {
        Ok(c)
    } else {
        Err(KpiError::InvalidColumn {
            column: column.to_owned(),
            reason: format!("a {purpose} needs a numeric column, found {dtype}"),
        })
    }
}

fn filter(f: &Filter, schema: &Schema) -> Result<Expr, KpiError> {
    let dtype = schema_dtype(schema, &f.column, "filter")?;
    let c = col(f.column.as_str());
    let wrong = |reason: String| KpiError::InvalidColumn {
        column: f.column.clone(),
        reason,
    };
    match (f.op, &f.value) {
        (FilterOp::IsNull, _) => Ok(c.is_null()),
        (FilterOp::NotNull, _) => Ok(c.is_not_null()),
        (FilterOp::In, Some(FilterValue::List(values))) => in_list(c, dtype, values, &f.column),
        (op, Some(FilterValue::One(v))) => {
            let rhs = literal(v, dtype, &f.column)?;
            Ok(match op {
                FilterOp::Eq => c.eq(rhs),
                FilterOp::Ne => c.neq(rhs),
                FilterOp::Lt => c.lt(rhs),
                FilterOp::Le => c.lt_eq(rhs),
                FilterOp::Gt => c.gt(rhs),
                _ => c.gt_eq(rhs),
            })
        }
        (op, _) => Err(wrong(format!("{op:?} has no suitable value"))),
    }
}

fn mismatch(column: &str, dtype: &DataType, v: &Scalar) -> KpiError {
    KpiError::InvalidColumn {
        column: column.to_owned(),
        reason: format!("cannot compare a {dtype} column with {v:?}"),
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| parse_date(s).map(|d| d.and_time(chrono::NaiveTime::MIN)))
}

/// A literal of `v` comparable with a column of `dtype`.
fn literal(v: &Scalar, dtype: &DataType, column: &str) -> Result<Expr, KpiError> {
    let err = || mismatch(column, dtype, v);
    match (v, dtype) {
        (Scalar::Int(i), d) if d.is_primitive_numeric() => Ok(lit(*i)),
        (Scalar::Float(x), d) if d.is_primitive_numeric() => Ok(lit(*x)),
        (Scalar::Bool(b), DataType::Boolean) => Ok(lit(*b)),
        (Scalar::Text(s), DataType::String) => Ok(lit(s.as_str())),
        (Scalar::Text(s), DataType::Date) => parse_date(s).map(lit).ok_or_else(err),
        (Scalar::Text(s), DataType::Datetime(_, _)) => parse_datetime(s)
            .map(|t| lit(t).cast(dtype.clone()))
            .ok_or_else(err),
        _ => Err(err()),
    }
}

/// `column in values`, with the list typed to match the column.
fn in_list(c: Expr, dtype: &DataType, values: &[Scalar], column: &str) -> Result<Expr, KpiError> {
    let name = PlSmallStr::from_static("values");
    let first_bad = |ok: fn(&Scalar) -> bool| values.iter().find(|v| !ok(v));
    let series = if dtype.is_primitive_numeric() {
        if let Some(v) = first_bad(|v| matches!(v, Scalar::Int(_) | Scalar::Float(_))) {
            return Err(mismatch(column, dtype, v));
        }
        let ints: Option<Vec<i64>> = values
            .iter()
            .map(|v| match v {
                Scalar::Int(i) => Some(*i),
                _ => None,
            })
            .collect();
        match ints {
            // Integers against an integer column compare exactly in the column's type;
            // integers outside its range become null and match nothing.
            Some(ints) if dtype.is_integer() => Series::new(name, ints).cast(dtype)?,
            _ => {
                let floats: Vec<f64> = values
                    .iter()
                    .map(|v| match v {
                        Scalar::Int(i) => *i as f64,
                        Scalar::Float(x) => *x,
                        _ => f64::NAN,
                    })
                    .collect();
                let floats = Series::new(name, floats);
                if dtype.is_integer() {
                    return Ok(c
                        .cast(DataType::Float64)
                        .is_in(lit(floats).implode(true), false));
                }
                floats.cast(dtype)?
            }
        }
    } else {
        match dtype {
            DataType::String => {
                let texts: Result<Vec<&str>, KpiError> = values
                    .iter()
                    .map(|v| match v {
                        Scalar::Text(s) => Ok(s.as_str()),
                        other => Err(mismatch(column, dtype, other)),
                    })
                    .collect();
                Series::new(name, texts?)
            }
            DataType::Boolean => {
                let bools: Result<Vec<bool>, KpiError> = values
                    .iter()
                    .map(|v| match v {
                        Scalar::Bool(b) => Ok(*b),
                        other => Err(mismatch(column, dtype, other)),
                    })
                    .collect();
                Series::new(name, bools?)
            }
            _ => {
                // Dates and date-times: a disjunction of equalities.
                let mut out = lit(false);
                for v in values {
                    out = out.or(c.clone().eq(literal(v, dtype, column)?));
                }
                return Ok(out);
            }
        }
    };
    Ok(c.is_in(lit(series).implode(true), false))
}
