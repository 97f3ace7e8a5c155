//! A team experiment decision rule: ship only on a win that is large enough to matter.
//!
//! The built-in [`SignificanceRule`] calls a success metric a win when its (corrected)
//! p-value is at most α and the effect goes the right way. A team with a minimum worthwhile
//! effect δ wants more: the whole confidence interval must clear δ, so a significant but tiny
//! lift stays inconclusive. [`PracticalSignificance`] decides
//!
//! ```text
//! win           significant, improving, and the interval's near bound clears δ
//!               (lower ≥ δ when higher is better, upper ≤ −δ when lower is better)
//! loss          significant and worsening
//! inconclusive  otherwise
//! ```
//!
//! for success and secondary metrics, and leaves guardrails to the built-in rule. The interval
//! is the test's own; the family correction enters through the adjusted p-value, which is
//! what [`RowContext`] carries. Plugged into a [`Scorecard`](prodops_experiment::Scorecard)
//! with `ScorecardBuilder::rule`, it drives the verdict like the built-in rule.

use prodops_experiment::multitest::MetricRole;
use prodops_experiment::{Decision, DecisionRule, MetricDirection, RowContext, SignificanceRule};

use crate::error::{ExtensionError, invalid};

/// A win needs the interval to clear a minimum effect (module docs).
///
/// # Examples
///
/// ```
/// use prodops_example_extension::decision::PracticalSignificance;
/// use prodops_experiment::{
///     Analysis, MeanStats, MetricSpec, Scorecard, SrmConfig, VerdictKind, sample_ratio_mismatch,
/// };
///
/// // Means 10 and 10.5 with variance 100 in two arms of 10,000: the 95% interval of the
/// // difference is 0.5 ± 1.96 × sqrt(2 × 100 / 10,000) = [0.223, 0.777].
/// let control = MeanStats::new(10_000, 100_000.0, 1_999_900.0)?;
/// let treatment = MeanStats::new(10_000, 105_000.0, 2_102_400.0)?;
/// let srm = sample_ratio_mismatch(&[10_000, 10_000], &[0.5, 0.5], SrmConfig::default())?;
/// let mut card = Scorecard::builder("onboarding-v2", Analysis::default(), srm);
/// card.add(MetricSpec::success("projects"), "treatment", &control, &treatment)?;
/// assert_eq!(card.build()?.verdict, VerdictKind::Ship); // significant
/// card.rule(PracticalSignificance::new(0.3)?);
/// assert_eq!(card.build()?.verdict, VerdictKind::Inconclusive); // 0.223 < 0.3
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PracticalSignificance {
    min_effect: f64,
}

impl PracticalSignificance {
    /// The rule with minimum worthwhile effect `min_effect`, on the scale of the analysis
    /// (absolute units, or a fraction for relative effects).
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InvalidInput`] for a negative or non-finite effect.
    pub fn new(min_effect: f64) -> Result<PracticalSignificance, ExtensionError> {
        if !(min_effect.is_finite() && min_effect >= 0.0) {
            return Err(invalid(
                "minimum effect",
                format!("must be a finite number ≥ 0, got {min_effect}"),
            ));
        }
        Ok(PracticalSignificance { min_effect })
    }

    /// The minimum worthwhile effect.
    pub fn min_effect(&self) -> f64 {
        self.min_effect
    }
}

impl DecisionRule for PracticalSignificance {
    fn decide(&self, row: &RowContext<'_>) -> Decision {
        if row.spec.role == MetricRole::Guardrail {
            return SignificanceRule.decide(row);
        }
        let p = row.adjusted_p.unwrap_or(row.outcome.p_value);
        if p > row.alpha.get() {
            return Decision::Inconclusive;
        }
        if !row.improves() {
            return Decision::Loss;
        }
        let ci = row.outcome.ci;
        let clears = match row.spec.direction {
            MetricDirection::HigherIsBetter => ci.lower >= self.min_effect,
            MetricDirection::LowerIsBetter => ci.upper <= -self.min_effect,
        };
        if clears {
            Decision::Win
        } else {
            Decision::Inconclusive
        }
    }
}
