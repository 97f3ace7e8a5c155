//! A team prioritization framework: cost of delay per engineer-week with a confidence penalty.
//!
//! Cost of delay divided by duration ("CD3", Don Reinertsen's weighted shortest job first in
//! money) ranks work by how much value each week of waiting loses per week of effort. The
//! team multiplies it by its confidence in the value estimate raised to a penalty exponent γ:
//!
//! ```text
//! score = value_per_week / engineer_weeks × confidence^γ
//! ```
//!
//! γ = 1 is a plain expected value; γ = 2 makes a half-confident estimate count a quarter, for
//! teams whose value estimates have proved optimistic. Implementing
//! [`Prioritizer::score`] and [`Prioritizer::perturb`] is all it takes for
//! [`prodops_process::prioritize::rank`] (ties by id, competition ranks) and
//! [`prodops_process::prioritize::sensitivity`] to work as for the built-in frameworks.

use prodops_process::prioritize::{InputError, Prioritizer};

use crate::error::ExtensionError;

/// One item's inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostOfDelayInput {
    /// Value lost per week the item is not shipped (money per week, ≥ 0).
    pub value_per_week: f64,
    /// Effort in engineer-weeks (> 0).
    pub engineer_weeks: f64,
    /// Confidence in the value estimate, in (0, 1].
    pub confidence: f64,
}

impl CostOfDelayInput {
    /// Inputs; [`CostOfDelay`] checks them when it scores, so a bad item is reported by id.
    pub fn new(value_per_week: f64, engineer_weeks: f64, confidence: f64) -> CostOfDelayInput {
        CostOfDelayInput {
            value_per_week,
            engineer_weeks,
            confidence,
        }
    }
}

/// Cost of delay per engineer-week × confidence^γ (module docs).
///
/// # Examples
///
/// ```
/// use prodops_example_extension::prioritize::{CostOfDelay, CostOfDelayInput};
/// use prodops_process::prioritize::{Item, rank};
///
/// let items = vec![
///     // 12000 / 6 × 0.5 = 1000 per engineer-week.
///     Item::new("sso", CostOfDelayInput::new(12_000.0, 6.0, 0.5)),
///     // 3000 / 2 × 1.0 = 1500 per engineer-week.
///     Item::new("export", CostOfDelayInput::new(3_000.0, 2.0, 1.0)),
/// ];
/// let ranking = rank(&CostOfDelay::default(), &items)?;
/// assert_eq!(ranking.ids(), ["export", "sso"]);
/// assert_eq!(ranking.method, "cd3-confidence");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostOfDelay {
    penalty: f64,
}

impl Default for CostOfDelay {
    /// γ = 1.
    fn default() -> Self {
        CostOfDelay { penalty: 1.0 }
    }
}

impl CostOfDelay {
    /// The framework with confidence penalty exponent `penalty` (γ ≥ 0; 0 ignores confidence).
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InvalidInput`] for a negative or non-finite exponent.
    pub fn with_penalty(penalty: f64) -> Result<CostOfDelay, ExtensionError> {
        if !(penalty.is_finite() && penalty >= 0.0) {
            return Err(crate::error::invalid(
                "confidence penalty",
                format!("must be a finite number ≥ 0, got {penalty}"),
            ));
        }
        Ok(CostOfDelay { penalty })
    }

    /// The exponent γ.
    pub fn penalty(&self) -> f64 {
        self.penalty
    }
}

impl Prioritizer for CostOfDelay {
    type Input = CostOfDelayInput;

    fn score(&self, input: &CostOfDelayInput) -> Result<f64, InputError> {
        let CostOfDelayInput {
            value_per_week,
            engineer_weeks,
            confidence,
        } = *input;
        if !(value_per_week.is_finite() && value_per_week >= 0.0) {
            return Err(InputError::new(
                "value_per_week",
                format!("must be a finite number ≥ 0, got {value_per_week}"),
            ));
        }
        if !(engineer_weeks.is_finite() && engineer_weeks > 0.0) {
            return Err(InputError::new(
                "engineer_weeks",
                format!("must be a finite number > 0, got {engineer_weeks}"),
            ));
        }
        if !(confidence > 0.0 && confidence <= 1.0) {
            return Err(InputError::new(
                "confidence",
                format!("must be in (0, 1], got {confidence}"),
            ));
        }
        Ok(value_per_week / engineer_weeks * confidence.powf(self.penalty))
    }

    fn name(&self) -> &str {
        "cd3-confidence"
    }

    /// Each input ±`fraction`; confidence is capped at 1, its largest valid value.
    fn perturb(&self, input: &CostOfDelayInput, fraction: f64) -> Vec<(String, CostOfDelayInput)> {
        let pct = fraction * 100.0;
        let mut out = Vec::with_capacity(6);
        for (sign, factor) in [("+", 1.0 + fraction), ("-", 1.0 - fraction)] {
            out.push((
                format!("value_per_week {sign}{pct}%"),
                CostOfDelayInput {
                    value_per_week: input.value_per_week * factor,
                    ..*input
                },
            ));
            out.push((
                format!("engineer_weeks {sign}{pct}%"),
                CostOfDelayInput {
                    engineer_weeks: input.engineer_weeks * factor,
                    ..*input
                },
            ));
            out.push((
                format!("confidence {sign}{pct}%"),
                CostOfDelayInput {
                    confidence: (input.confidence * factor).min(1.0),
                    ..*input
                },
            ));
        }
        out
    }
}
