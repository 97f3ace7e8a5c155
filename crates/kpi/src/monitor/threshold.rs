//! Threshold alerts: absolute bounds, or bounds on the relative change from the previous
//! interval (PostHog `InsightThreshold` with `type: absolute | percentage`).

use serde::{Deserialize, Serialize};

use super::{Detection, Detector, check_finite, need, num};
use crate::KpiError;
use crate::error::invalid_input;

/// What a [`Threshold`] bounds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdKind {
    /// The value itself.
    #[default]
    Absolute,
    /// The relative change (xₜ − xₜ₋₁)/|xₜ₋₁| as a fraction: 0.2 is +20%.
    RelativeChange,
}

/// Fires when a value (or its relative change) leaves `[lower, upper]`; each bound is
/// optional and a value equal to a bound does not fire.
///
/// A KPI's current interval is usually still filling up, so comparing it with a bound would
/// fire on every partial day. With [`ThresholdBuilder::last_incomplete`] the last point is not
/// scored, and [`Detector::latest`] fails; [`Threshold::check`] returns the verdict on the last
/// *complete* interval, which is what PostHog evaluates.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Detector, Threshold};
///
/// // Signups must not drop more than 20% from one week to the next; the current week is open.
/// let alert = Threshold::relative(Some(-0.2), None).last_incomplete(true).build()?;
/// let weekly = [500.0, 480.0, 360.0, 20.0];
/// let verdict = alert.check(&weekly)?;
/// assert_eq!(verdict.index, 2); // 360 vs 480 is −25%
/// assert!(verdict.is_anomaly);
/// assert!(verdict.reason.contains("-25%"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    kind: ThresholdKind,
    lower: Option<f64>,
    upper: Option<f64>,
    last_incomplete: bool,
}

/// Builds a [`Threshold`]; validation happens in [`ThresholdBuilder::build`].
#[derive(Debug, Clone)]
pub struct ThresholdBuilder {
    inner: Threshold,
}

impl Threshold {
    /// Bounds on the value itself.
    pub fn absolute(lower: Option<f64>, upper: Option<f64>) -> ThresholdBuilder {
        ThresholdBuilder {
            inner: Threshold {
                kind: ThresholdKind::Absolute,
                lower,
                upper,
                last_incomplete: false,
            },
        }
    }

    /// Bounds on the relative change from the previous interval, as fractions (−0.2 = −20%).
    pub fn relative(lower: Option<f64>, upper: Option<f64>) -> ThresholdBuilder {
        ThresholdBuilder {
            inner: Threshold {
                kind: ThresholdKind::RelativeChange,
                lower,
                upper,
                last_incomplete: false,
            },
        }
    }

    /// The verdict on the last complete interval.
    ///
    /// # Errors
    ///
    /// As [`Detector::detect`]; [`KpiError::InsufficientHistory`] when no complete interval
    /// can be scored.
    pub fn check(&self, series: &[f64]) -> Result<Detection, KpiError> {
        let scored = self.detect(series)?;
        scored
            .into_iter()
            .last()
            .ok_or(KpiError::InsufficientHistory {
                needed: self.min_len(),
                got: series.len(),
            })
    }

    fn min_len(&self) -> usize {
        let base = match self.kind {
            ThresholdKind::Absolute => 1,
            ThresholdKind::RelativeChange => 2,
        };
        base + usize::from(self.last_incomplete)
    }
}

impl ThresholdBuilder {
    /// Whether the last point is an interval still in progress, left unscored.
    pub fn last_incomplete(mut self, yes: bool) -> Self {
        self.inner.last_incomplete = yes;
        self
    }

    /// Validates the bounds.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when neither bound is set, a bound is not finite, or
    /// `lower > upper`.
    pub fn build(self) -> Result<Threshold, KpiError> {
        let t = self.inner;
        if t.lower.is_none() && t.upper.is_none() {
            return Err(invalid_input(
                "threshold bounds",
                "set a lower or an upper bound",
            ));
        }
        for (name, b) in [("lower bound", t.lower), ("upper bound", t.upper)] {
            if let Some(b) = b
                && !b.is_finite()
            {
                return Err(invalid_input(name, format!("must be finite, got {b}")));
            }
        }
        if let (Some(lo), Some(hi)) = (t.lower, t.upper)
            && lo > hi
        {
            return Err(invalid_input(
                "threshold bounds",
                format!("lower {lo} exceeds upper {hi}"),
            ));
        }
        Ok(t)
    }
}

impl Detector for Threshold {
    /// Scores every complete interval (from the second one for relative changes). `score` is
    /// the value or the relative change; `probability` is 1 when a bound is crossed, else 0;
    /// `baseline` is the previous value (relative) or the nearest bound (absolute).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value; [`KpiError::InsufficientHistory`]
    /// for a series with no complete interval to score; [`KpiError::ZeroBaseline`] when a
    /// relative change is taken from a previous value of 0.
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        need(series, self.min_len())?;
        let end = series.len() - usize::from(self.last_incomplete);
        let start = match self.kind {
            ThresholdKind::Absolute => 0,
            ThresholdKind::RelativeChange => 1,
        };
        let mut out = Vec::with_capacity(end - start);
        for i in start..end {
            let value = series[i];
            let (stat, baseline, what) = match self.kind {
                ThresholdKind::Absolute => {
                    let nearest = match (self.lower, self.upper) {
                        (Some(lo), Some(hi)) => {
                            if (value - lo).abs() <= (value - hi).abs() {
                                lo
                            } else {
                                hi
                            }
                        }
                        (Some(b), None) | (None, Some(b)) => b,
                        (None, None) => value,
                    };
                    (value, nearest, format!("value {}", num(value)))
                }
                ThresholdKind::RelativeChange => {
                    let prev = series[i - 1];
                    if prev == 0.0 {
                        return Err(KpiError::ZeroBaseline {
                            what: format!(
                                "relative change at index {i}: the previous value (index {}) is 0",
                                i - 1
                            ),
                        });
                    }
                    let change = (value - prev) / prev.abs();
                    (
                        change,
                        prev,
                        format!(
                            "change {}% (value {} vs previous {})",
                            signed(100.0 * change),
                            num(value),
                            num(prev)
                        ),
                    )
                }
            };
            let unit = |b: f64| match self.kind {
                ThresholdKind::Absolute => num(b),
                ThresholdKind::RelativeChange => format!("{}%", signed(100.0 * b)),
            };
            let below = self.lower.filter(|&lo| stat < lo);
            let above = self.upper.filter(|&hi| stat > hi);
            let (is_anomaly, reason) = match (below, above) {
                (Some(lo), _) => (
                    true,
                    format!("{what} is below the lower bound {}", unit(lo)),
                ),
                (_, Some(hi)) => (
                    true,
                    format!("{what} is above the upper bound {}", unit(hi)),
                ),
                _ => {
                    let bounds = match (self.lower, self.upper) {
                        (Some(lo), Some(hi)) => format!("within [{}, {}]", unit(lo), unit(hi)),
                        (Some(lo), None) => format!("not below {}", unit(lo)),
                        (None, Some(hi)) => format!("not above {}", unit(hi)),
                        (None, None) => "unbounded".to_owned(),
                    };
                    (false, format!("{what} is {bounds}"))
                }
            };
            out.push(Detection {
                index: i,
                value,
                score: stat,
                probability: if is_anomaly { 1.0 } else { 0.0 },
                is_anomaly,
                baseline,
                reason,
                warnings: Vec::new(),
            });
        }
        Ok(out)
    }
}

/// A percentage with an explicit sign for increases.
fn signed(x: f64) -> String {
    let s = num(x);
    if x > 0.0 { format!("+{s}") } else { s }
}
