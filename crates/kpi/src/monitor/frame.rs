//! A thin polars bridge: read a KPI column into a series, and turn detections into a frame.
//! The detectors themselves stay on plain slices.

use polars::prelude::*;

use super::{Detection, Detector};
use crate::KpiError;

/// Runs `detector` on a numeric column of `frame` (rows in time order) and returns one row
/// per scored point: the frame's row index, `value`, `score`, `probability`, `is_anomaly`,
/// `baseline` and `reason`.
///
/// # Errors
///
/// [`KpiError::MissingColumn`] when the column is absent; [`KpiError::InvalidColumn`] when it
/// is not numeric or holds nulls; whatever the detector returns.
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// use prodops_kpi::monitor::{Threshold, detect_column};
///
/// let df = DataFrame::new_infer_height(vec![
///     Column::new("day".into(), [1i32, 2, 3]),
///     Column::new("signups".into(), [120.0, 95.0, 40.0]),
/// ])?;
/// let alerts = detect_column(&df, "signups", &Threshold::absolute(Some(50.0), None).build()?)?;
/// let fired = alerts.column("is_anomaly")?.bool()?;
/// assert_eq!(fired.get(2), Some(true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn detect_column<D: Detector + ?Sized>(
    frame: &DataFrame,
    column: &str,
    detector: &D,
) -> Result<DataFrame, KpiError> {
    let col = frame.column(column).map_err(|_| KpiError::MissingColumn {
        column: column.to_owned(),
        purpose: "the KPI series to monitor".to_owned(),
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
            reason: format!("{} null values; fill or drop them first", col.null_count()),
        });
    }
    let values: Vec<f64> = col
        .cast(&DataType::Float64)?
        .f64()?
        .into_no_null_iter()
        .collect();
    detections_frame(&detector.detect(&values)?)
}

/// Detections as a frame with columns `index` (u64), `value`, `score`, `probability`,
/// `baseline` (f64), `is_anomaly` (bool) and `reason` (string).
///
/// # Errors
///
/// [`KpiError::Polars`] if the frame cannot be assembled.
pub fn detections_frame(detections: &[Detection]) -> Result<DataFrame, KpiError> {
    let f = |g: fn(&Detection) -> f64| detections.iter().map(g).collect::<Vec<f64>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "index".into(),
            detections
                .iter()
                .map(|d| d.index as u64)
                .collect::<Vec<u64>>(),
        ),
        Column::new("value".into(), f(|d| d.value)),
        Column::new("score".into(), f(|d| d.score)),
        Column::new("probability".into(), f(|d| d.probability)),
        Column::new("baseline".into(), f(|d| d.baseline)),
        Column::new(
            "is_anomaly".into(),
            detections
                .iter()
                .map(|d| d.is_anomaly)
                .collect::<Vec<bool>>(),
        ),
        Column::new(
            "reason".into(),
            detections
                .iter()
                .map(|d| d.reason.as_str())
                .collect::<Vec<&str>>(),
        ),
    ])?)
}
