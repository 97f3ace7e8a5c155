//! Per-arm moments: the common currency of every metric type.
//!
//! Each metric type (mean, proportion, ratio, regression-adjusted, or a user's own through
//! [`Metric`]) reduces an arm to its unit count, its mean estimate and the per-unit variance
//! of that estimate. Every test then runs on these moments, so each formula has one code path.

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::finite;
use crate::stats::{MeanStats, ProportionStats};

/// An arm reduced to what a test needs: n, the estimate of the arm's metric, and the per-unit
/// variance (the variance of the estimate is `unit_variance / n`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ArmMoments {
    /// Units in the arm.
    pub n: u64,
    /// The arm's metric estimate (a mean, a rate, a ratio, an adjusted mean).
    pub mean: f64,
    /// Per-unit variance of the estimate.
    pub unit_variance: f64,
    /// The unadjusted mean, which differs from `mean` only for regression-adjusted metrics and
    /// is the denominator of a relative effect.
    pub unadjusted_mean: f64,
}

impl ArmMoments {
    /// Validated moments for an arm named `arm` (used in error messages).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a non-finite value,
    /// [`ExperimentError::TooFewUnits`] when n < 2, and
    /// [`ExperimentError::ZeroOrNegativeVariance`] when the variance is not positive.
    pub fn new(
        arm: &str,
        n: u64,
        mean: f64,
        unit_variance: f64,
    ) -> Result<ArmMoments, ExperimentError> {
        ArmMoments::adjusted(arm, n, mean, unit_variance, mean)
    }

    /// Moments of a regression-adjusted arm, whose relative effect divides by the unadjusted
    /// mean.
    ///
    /// # Errors
    ///
    /// As [`ArmMoments::new`].
    pub fn adjusted(
        arm: &str,
        n: u64,
        mean: f64,
        unit_variance: f64,
        unadjusted_mean: f64,
    ) -> Result<ArmMoments, ExperimentError> {
        finite(&format!("{arm} mean"), mean)?;
        finite(&format!("{arm} variance"), unit_variance)?;
        finite(&format!("{arm} unadjusted mean"), unadjusted_mean)?;
        if n < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n,
                min: 2,
            });
        }
        if unit_variance <= 0.0 {
            return Err(ExperimentError::ZeroOrNegativeVariance {
                arm: arm.to_owned(),
                detail: format!("per-unit variance {unit_variance}"),
            });
        }
        Ok(ArmMoments {
            n,
            mean,
            unit_variance,
            unadjusted_mean,
        })
    }

    /// The variance of the arm's estimate, `unit_variance / n`.
    pub fn variance_of_mean(&self) -> f64 {
        self.unit_variance / self.n as f64
    }
}

/// A metric type: anything that reduces one arm's data to [`ArmMoments`].
///
/// The built-in statistics implement it; a user crate implements it for its own metric (a
/// trimmed mean, a metric computed in a warehouse) and gets every test, correction and the
/// scorecard for free.
pub trait Metric {
    /// The arm's moments; `arm` names the arm in errors.
    ///
    /// # Errors
    ///
    /// Whatever makes the moments undefined for this arm (too few units, zero variance).
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError>;
}

impl<T: Metric + ?Sized> Metric for &T {
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        (**self).moments(arm)
    }
}

impl<T: Metric + ?Sized> Metric for Box<T> {
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        (**self).moments(arm)
    }
}

impl Metric for ArmMoments {
    fn moments(&self, _arm: &str) -> Result<ArmMoments, ExperimentError> {
        Ok(*self)
    }
}

impl Metric for MeanStats {
    /// Mean Σx/n and sample variance (Σx² − (Σx)²/n)/(n − 1).
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        if self.n() < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n: self.n(),
                min: 2,
            });
        }
        let variance =
            self.sample_variance()
                .ok_or_else(|| ExperimentError::ZeroOrNegativeVariance {
                    arm: arm.to_owned(),
                    detail: format!(
                        "n = {}, Σx = {}, Σx² = {}",
                        self.n(),
                        self.sum(),
                        self.sum_sq()
                    ),
                })?;
        ArmMoments::new(arm, self.n(), self.sum() / self.n() as f64, variance)
    }
}

impl Metric for ProportionStats {
    /// Rate p = successes/n and per-unit variance p(1 − p), as gbstats.
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        if self.n() < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n: self.n(),
                min: 2,
            });
        }
        let p = self.successes() as f64 / self.n() as f64;
        ArmMoments::new(arm, self.n(), p, p * (1.0 - p))
    }
}
