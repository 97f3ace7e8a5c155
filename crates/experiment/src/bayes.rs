//! Bayesian read-outs: a Gaussian model of the effect, and the exact Beta–Binomial
//! probability that B beats A.

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::config::{Interval, Scale};
use crate::dist::{norm_cdf, norm_pdf, norm_ppf, norm_sf};
use crate::error::{invalid_config, invalid_input};
use crate::frequentist::{Analysis, MeanTest, effect};
use crate::moments::Metric;
use crate::stats::ProportionStats;

/// Whether a larger metric value is good (conversion) or bad (latency, churn).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricDirection {
    /// Larger is better.
    #[default]
    HigherIsBetter,
    /// Smaller is better.
    LowerIsBetter,
}

/// A Gaussian prior on the effect, stated on an explicit scale.
///
/// gbstats states priors on the relative lift; an absolute analysis converts it with the
/// control mean (mean × |x̄_A|, variance × x̄_A²) and the reverse for an absolute prior in a
/// relative analysis. The conversion is explicit here and tested both ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Prior {
    /// An improper flat prior: the posterior is the likelihood. The default.
    #[default]
    Flat,
    /// N(mean, variance) on the effect in `scale`.
    Normal {
        /// Prior mean.
        mean: f64,
        /// Prior variance (> 0).
        variance: f64,
        /// The scale the prior is stated in.
        scale: Scale,
    },
}

impl Prior {
    /// The prior in `target` scale, converting with the control mean where the scales differ.
    fn in_scale(
        self,
        target: Scale,
        control_mean: f64,
    ) -> Result<Option<(f64, f64)>, ExperimentError> {
        match self {
            Prior::Flat => Ok(None),
            Prior::Normal {
                mean,
                variance,
                scale,
            } => {
                if !(variance.is_finite() && variance > 0.0 && mean.is_finite()) {
                    return Err(invalid_config(
                        "prior",
                        "needs a finite mean and a positive finite variance",
                    ));
                }
                let c = control_mean;
                Ok(Some(match (scale, target) {
                    (a, b) if a == b => (mean, variance),
                    (Scale::Relative, Scale::Absolute) => (mean * c.abs(), variance * c * c),
                    _ => {
                        if c == 0.0 {
                            return Err(ExperimentError::ZeroBaseline {
                                arm: "control".into(),
                            });
                        }
                        (mean / c.abs(), variance / (c * c))
                    }
                }))
            }
        }
    }
}

/// Expected loss of each decision under the posterior.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Risk {
    /// Expected loss of keeping control: E[max(Δ, 0)] for higher-is-better.
    pub control: f64,
    /// Expected loss of shipping treatment: E[max(−Δ, 0)] for higher-is-better.
    pub treatment: f64,
}

/// The posterior of the effect under a Gaussian model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BayesOutcome {
    /// Posterior mean of the effect.
    pub estimate: f64,
    /// Posterior standard deviation.
    pub std_error: f64,
    /// The central 1 − α credible interval.
    pub credible_interval: Interval,
    /// P(treatment is better | data). This is not 1 − p (GrowthBook #2737): it is a posterior
    /// probability under the stated prior.
    pub chance_to_win: f64,
    /// Expected loss of each decision.
    pub risk: Risk,
    /// Absolute or relative.
    pub scale: Scale,
}

impl Analysis {
    /// The Gaussian Bayesian model of gbstats' `EffectBayesianABTest`: the likelihood of the
    /// effect is N(Δ̂, V) with the same Δ̂ and V as the frequentist test in the analysis' scale,
    /// combined with `prior`.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`], and [`ExperimentError::InvalidConfig`] for a prior with a
    /// non-positive variance.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, MetricDirection, Prior, ProportionStats};
    ///
    /// let a = ProportionStats::new(10_000, 1_000)?;
    /// let b = ProportionStats::new(10_000, 1_080)?;
    /// let out = Analysis::default().bayesian(&a, &b, Prior::Flat, MetricDirection::HigherIsBetter)?;
    /// assert!(out.chance_to_win > 0.95);
    /// assert!(out.risk.treatment < out.risk.control);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bayesian(
        &self,
        control: &impl Metric,
        treatment: &impl Metric,
        prior: Prior,
        direction: MetricDirection,
    ) -> Result<BayesOutcome, ExperimentError> {
        let a = control.moments("control")?;
        let b = treatment.moments("treatment")?;
        let likelihood = effect(&a, &b, self.scale(), MeanTest::Z)?;
        let (m, s) = match prior.in_scale(self.scale(), a.unadjusted_mean)? {
            None => (likelihood.estimate, likelihood.variance.sqrt()),
            Some((mu0, v0)) => {
                let precision = 1.0 / likelihood.variance + 1.0 / v0;
                (
                    (likelihood.estimate / likelihood.variance + mu0 / v0) / precision,
                    (1.0 / precision).sqrt(),
                )
            }
        };
        let higher = norm_sf(-m / s);
        let chance_to_win = match direction {
            MetricDirection::HigherIsBetter => higher,
            MetricDirection::LowerIsBetter => norm_cdf(-m / s),
        };
        let z = m / s;
        // E[max(Δ, 0)] = mΦ(z) + sφ(z) and E[max(−Δ, 0)] = −mΦ(−z) + sφ(z); far in the tails the
        // products lose all precision, so use their limits as gbstats does.
        let (up, down) = if z.abs() > 37.0 {
            (m.max(0.0), (-m).max(0.0))
        } else {
            (
                m * norm_cdf(z) + s * norm_pdf(z),
                -m * norm_cdf(-z) + s * norm_pdf(z),
            )
        };
        let risk = match direction {
            MetricDirection::HigherIsBetter => Risk {
                control: up,
                treatment: down,
            },
            MetricDirection::LowerIsBetter => Risk {
                control: down,
                treatment: up,
            },
        };
        let q = norm_ppf(1.0 - self.alpha().get() / 2.0);
        Ok(BayesOutcome {
            estimate: m,
            std_error: s,
            credible_interval: Interval {
                lower: m - q * s,
                upper: m + q * s,
            },
            chance_to_win,
            risk,
            scale: self.scale(),
        })
    }
}

/// The exact probability that treatment's conversion rate exceeds control's under independent
/// Beta posteriors, P(p_B > p_A), in closed form (Evan Miller, "Formulas for Bayesian A/B
/// testing"):
///
/// P = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i)·B(1 + i, β_B)·B(α_A, β_A)),
///
/// with α = successes + prior_α and β = failures + prior_β, summed in log space. The sum runs
/// over α_B terms, so the prior's α must be a positive integer (Beta(1, 1), the uniform prior,
/// is the usual choice); β may be any positive number.
///
/// # Errors
///
/// [`ExperimentError::InvalidConfig`] when `prior_alpha` is not a positive integer or
/// `prior_beta` is not positive and finite.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{beta_binomial_win_probability, ProportionStats};
///
/// let a = ProportionStats::new(100, 10)?;
/// let b = ProportionStats::new(100, 10)?;
/// let p = beta_binomial_win_probability(&a, &b, 1, 1.0)?;
/// assert!((p - 0.5).abs() < 0.05);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn beta_binomial_win_probability(
    control: &ProportionStats,
    treatment: &ProportionStats,
    prior_alpha: u64,
    prior_beta: f64,
) -> Result<f64, ExperimentError> {
    if prior_alpha == 0 {
        return Err(invalid_config("prior α", "must be a positive integer"));
    }
    if !(prior_beta.is_finite() && prior_beta > 0.0) {
        return Err(invalid_input(
            "prior β",
            format!("must be positive and finite, got {prior_beta}"),
        ));
    }
    let alpha_a = (control.successes() + prior_alpha) as f64;
    let beta_a = (control.n() - control.successes()) as f64 + prior_beta;
    let alpha_b = treatment.successes() + prior_alpha;
    let beta_b = (treatment.n() - treatment.successes()) as f64 + prior_beta;
    let ln_beta = |x: f64, y: f64| {
        statrs::function::gamma::ln_gamma(x) + statrs::function::gamma::ln_gamma(y)
            - statrs::function::gamma::ln_gamma(x + y)
    };
    let constant = ln_beta(alpha_a, beta_a);
    let mut total = 0.0;
    for i in 0..alpha_b {
        let i = i as f64;
        let term = ln_beta(alpha_a + i, beta_a + beta_b)
            - (beta_b + i).ln()
            - ln_beta(1.0 + i, beta_b)
            - constant;
        total += term.exp();
    }
    Ok(total.clamp(0.0, 1.0))
}
