//! The errors of experiment analysis.

use thiserror::Error;

/// What can go wrong when building experiment statistics or analysing them.
///
/// Every variant names the arm or input at fault. Where another library would return NaN, 0 or
/// a blank, this crate returns one of these.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// An input value is outside its domain (a negative count, successes above n, a NaN sum).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which input, such as `"treatment successes"`.
        what: String,
        /// Why it is invalid.
        reason: String,
    },
    /// An arm's variance is zero or negative (constant data, n ≤ 1, or sums that are
    /// inconsistent with each other), so no test statistic exists.
    #[error("{arm}: variance is zero or negative ({detail})")]
    ZeroOrNegativeVariance {
        /// The arm, such as `"control"`.
        arm: String,
        /// What was computed.
        detail: String,
    },
    /// The control mean is zero, so a relative lift is undefined.
    #[error("{arm}: mean is zero, so a relative effect is undefined")]
    ZeroBaseline {
        /// The baseline arm.
        arm: String,
    },
    /// A ratio metric's denominator sums to zero.
    #[error("{arm}: the denominator of the ratio sums to zero")]
    ZeroDenominator {
        /// The arm.
        arm: String,
    },
    /// Too few units for the method.
    #[error("{arm}: {n} units, but the method needs at least {min}")]
    TooFewUnits {
        /// The arm.
        arm: String,
        /// Units present.
        n: u64,
        /// Units needed.
        min: u64,
    },
    /// An iterative computation did not converge.
    #[error("{what} did not converge")]
    NotConverged {
        /// What was being solved.
        what: String,
    },
    /// No minimum detectable effect exists for the given sample size and power.
    #[error("no minimum detectable effect: {reason}")]
    NoMdeSolution {
        /// Why.
        reason: String,
    },
    /// A configuration value is invalid (α outside (0, 1), weights that do not sum to 1).
    #[error("invalid configuration: {what}: {reason}")]
    InvalidConfig {
        /// The setting.
        what: String,
        /// Why it is invalid.
        reason: String,
    },
}

/// Shorthand for [`ExperimentError::InvalidInput`].
pub(crate) fn invalid_input(what: impl Into<String>, reason: impl Into<String>) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: what.into(),
        reason: reason.into(),
    }
}

/// Shorthand for [`ExperimentError::InvalidConfig`].
pub(crate) fn invalid_config(
    what: impl Into<String>,
    reason: impl Into<String>,
) -> ExperimentError {
    ExperimentError::InvalidConfig {
        what: what.into(),
        reason: reason.into(),
    }
}

/// Checks that `value` is finite, naming it in the error.
pub(crate) fn finite(what: &str, value: f64) -> Result<f64, ExperimentError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(invalid_input(what, format!("must be finite, got {value}")))
    }
}
