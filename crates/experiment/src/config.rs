//! Validated configuration values shared by every test and planner.

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::invalid_config;

/// A significance level α in the open interval (0, 1).
///
/// One α drives the p-value threshold, the confidence level (1 − α) and the planner, so the
/// three can never disagree (GrowthBook PR #1736, issue #4528).
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
///
/// let alpha = Alpha::new(0.05)?;
/// assert_eq!(alpha.confidence(), 0.95);
/// assert!(Alpha::new(1.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Alpha(f64);

impl Alpha {
    /// Validates a significance level.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] unless `0 < alpha < 1`.
    pub fn new(alpha: f64) -> Result<Alpha, ExperimentError> {
        if alpha > 0.0 && alpha < 1.0 {
            Ok(Alpha(alpha))
        } else {
            Err(invalid_config(
                "alpha",
                format!("must be in (0, 1), got {alpha}"),
            ))
        }
    }

    /// The level as a number.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The confidence level 1 − α.
    pub fn confidence(self) -> f64 {
        1.0 - self.0
    }
}

impl Default for Alpha {
    /// α = 0.05.
    fn default() -> Self {
        Alpha(0.05)
    }
}

impl TryFrom<f64> for Alpha {
    type Error = ExperimentError;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Alpha::new(value)
    }
}

impl From<Alpha> for f64 {
    fn from(a: Alpha) -> f64 {
        a.0
    }
}

/// A probability in the open interval (0, 1), used for power and for planned conversion
/// rates.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Probability(f64);

impl Probability {
    /// Validates a probability strictly between 0 and 1.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] unless `0 < p < 1`.
    pub fn new(p: f64) -> Result<Probability, ExperimentError> {
        if p > 0.0 && p < 1.0 {
            Ok(Probability(p))
        } else {
            Err(invalid_config(
                "probability",
                format!("must be in (0, 1), got {p}"),
            ))
        }
    }

    /// The probability as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Probability {
    type Error = ExperimentError;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Probability::new(value)
    }
}

impl From<Probability> for f64 {
    fn from(p: Probability) -> f64 {
        p.0
    }
}

/// The alternative hypothesis about the treatment-minus-control effect Δ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alternative {
    /// Δ ≠ 0 (or ≠ the margin).
    #[default]
    TwoSided,
    /// Δ > 0: the treatment is higher.
    Greater,
    /// Δ < 0: the treatment is lower.
    Less,
}

/// Whether the effect is reported in the metric's units or relative to the control mean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// x̄_B − x̄_A.
    #[default]
    Absolute,
    /// (x̄_B − x̄_A) / |x̄_A|.
    Relative,
}

/// A confidence or credible interval. A bound is infinite only on the open side of a one-sided
/// interval or for an unbounded Fieller set, as documented where it can happen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound (may be −∞).
    pub lower: f64,
    /// Upper bound (may be +∞).
    pub upper: f64,
}

impl Interval {
    /// Whether `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }

    /// Half the width (infinite for a one-sided interval).
    pub fn half_width(&self) -> f64 {
        (self.upper - self.lower) / 2.0
    }
}
