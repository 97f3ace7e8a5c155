//! A thin polars bridge: segments from a frame, and a decomposition as a frame. The
//! decomposition itself stays on plain numbers.

use polars::prelude::*;

use super::{Decomposition, Period, Segment};
use crate::KpiError;

/// The numeric values of a column, with nulls rejected.
fn numbers(frame: &DataFrame, column: &str, purpose: &str) -> Result<Vec<f64>, KpiError> {
    let col = frame.column(column).map_err(|_| KpiError::MissingColumn {
        column: column.to_owned(),
        purpose: purpose.to_owned(),
    })?;
    if !col.dtype().is_primitive_numeric() {
        return Err(KpiError::InvalidColumn {
            column: column.to_owned(),
            reason: format!("must be numeric, got {}", col.dtype()),
        });
    }
    if col.null_count() > 0 {
        return Err(KpiError::InvalidColumn {
            column: column.to_owned(),
            reason: format!("{} null values", col.null_count()),
        });
    }
    Ok(col
        .cast(&DataType::Float64)?
        .f64()?
        .into_no_null_iter()
        .collect())
}

/// Segments from a frame with one row per segment: a label column and the volume and
/// numerator of each period, named `[volume0, numerator0, volume1, numerator1]`.
///
/// # Errors
///
/// [`KpiError::MissingColumn`] or [`KpiError::InvalidColumn`] for an absent, non-numeric or
/// null-holding column; [`KpiError::InvalidInput`] for a row [`Segment::new`] rejects (the
/// message names the segment).
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// use prodops_kpi::explain::{Decomposer, Shapley, segments_from_frame};
///
/// let df = DataFrame::new_infer_height(vec![
///     Column::new("platform".into(), ["desktop", "mobile"]),
///     Column::new("visits_sep".into(), [600i64, 400]),
///     Column::new("orders_sep".into(), [60i64, 20]),
///     Column::new("visits_oct".into(), [400i64, 600]),
///     Column::new("orders_oct".into(), [40i64, 30]),
/// ])?;
/// let segments = segments_from_frame(
///     &df,
///     "platform",
///     ["visits_sep", "orders_sep", "visits_oct", "orders_oct"],
/// )?;
/// let d = Shapley.decompose(&segments)?;
/// assert!((d.mix - (-0.01)).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn segments_from_frame(
    frame: &DataFrame,
    label: &str,
    counts: [&str; 4],
) -> Result<Vec<Segment>, KpiError> {
    let labels = frame
        .column(label)
        .map_err(|_| KpiError::MissingColumn {
            column: label.to_owned(),
            purpose: "segment labels".to_owned(),
        })?
        .cast(&DataType::String)?;
    let labels = labels.str()?;
    let purposes = [
        "base-period volume",
        "base-period numerator",
        "current-period volume",
        "current-period numerator",
    ];
    let mut cols = Vec::with_capacity(4);
    for (c, p) in counts.iter().zip(purposes) {
        cols.push(numbers(frame, c, p)?);
    }
    (0..frame.height())
        .map(|i| {
            let name = labels.get(i).unwrap_or("null");
            Segment::new(name, cols[0][i], cols[1][i], cols[2][i], cols[3][i])
        })
        .collect()
}

/// A decomposition's segment rows as a frame: `segment`, `share0`, `share1`, `rate0`, `rate1`
/// (null where the segment is absent), `mix`, `rate_effect`, `interaction` and `absent_in`
/// (`"before"`, `"after"` or null).
///
/// # Errors
///
/// [`KpiError::Polars`] if the frame cannot be assembled.
pub fn decomposition_frame(d: &Decomposition) -> Result<DataFrame, KpiError> {
    let rows = &d.segments;
    let f = |g: &dyn Fn(&super::SegmentEffect) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    let o = |p: usize| rows.iter().map(|r| r.rate[p]).collect::<Vec<Option<f64>>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "segment".into(),
            rows.iter().map(|r| r.label.as_str()).collect::<Vec<&str>>(),
        ),
        Column::new("share0".into(), f(&|r| r.share[0])),
        Column::new("share1".into(), f(&|r| r.share[1])),
        Column::new("rate0".into(), o(0)),
        Column::new("rate1".into(), o(1)),
        Column::new("mix".into(), f(&|r| r.effects.mix)),
        Column::new("rate_effect".into(), f(&|r| r.effects.rate)),
        Column::new("interaction".into(), f(&|r| r.effects.interaction)),
        Column::new(
            "absent_in".into(),
            rows.iter()
                .map(|r| {
                    r.absent_in.map(|p| match p {
                        Period::Before => "before",
                        Period::After => "after",
                    })
                })
                .collect::<Vec<Option<&str>>>(),
        ),
    ])?)
}
