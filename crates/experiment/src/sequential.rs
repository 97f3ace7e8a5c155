//! Always-valid sequential inference: results that stay valid however often you peek.
//!
//! Asymptotic confidence sequences (Waudby-Smith, Arnold, Wu, Wang and Ramdas 2023,
//! arXiv:2103.06476, as in gbstats' `SequentialTwoSidedTTest`), which are the normal-mixture
//! mSPRT of Johari, Pekelis and Walsh ("Always valid inference") with mixing variance
//! τ² = ρ²σ̂².

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::config::{Alpha, Interval};
use crate::error::invalid_config;
use crate::frequentist::{Analysis, MeanTest, effect};
use crate::moments::Metric;

/// Settings of an always-valid test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sequential {
    /// The tuning parameter N*: the total sample size (both arms) at which the confidence
    /// sequence is tightest. gbstats' default is 5,000; set it near the expected size at the
    /// decision.
    pub tuning: f64,
}

impl Default for Sequential {
    fn default() -> Self {
        Sequential { tuning: 5_000.0 }
    }
}

impl Sequential {
    /// Settings with tuning parameter `tuning` (N*).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] unless N* is positive and finite.
    pub fn new(tuning: f64) -> Result<Sequential, ExperimentError> {
        if !(tuning.is_finite() && tuning > 0.0) {
            return Err(invalid_config(
                "sequential tuning parameter",
                format!("must be positive, got {tuning}"),
            ));
        }
        Ok(Sequential { tuning })
    }

    /// ρ of eq. 161: the mixing scale that makes the sequence tightest at N*.
    pub fn rho(&self, alpha: Alpha) -> f64 {
        let l = -2.0 * alpha.get().ln();
        ((l + (l + 1.0).ln()) / self.tuning).sqrt()
    }
}

/// An always-valid result at the current sample size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SequentialOutcome {
    /// The effect estimate (as the fixed-horizon test).
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// The 1 − α confidence sequence at this n (eq. 9): valid simultaneously over all n.
    pub ci: Interval,
    /// The always-valid p-value min(1, 1/e) with e the mixture likelihood ratio (eq. 155).
    pub p_value: f64,
    /// Total units in both arms.
    pub n: u64,
}

impl Analysis {
    /// A two-sided always-valid test of the analysis' effect (absolute or relative; CUPED
    /// composes by passing adjusted moments).
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`].
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, MeanStats, Sequential};
    ///
    /// let a = MeanStats::new(2_000, 20_000.0, 2_000.0 * 100.0 + 1_999.0 * 4.0)?;
    /// let b = MeanStats::new(2_000, 20_400.0, 2_000.0 * 104.04 + 1_999.0 * 4.0)?;
    /// let fixed = Analysis::default().compare(&a, &b)?;
    /// let seq = Analysis::default().sequential(&a, &b, Sequential::default())?;
    /// // The price of peeking: a wider interval and a larger p-value.
    /// assert!(seq.ci.half_width() > fixed.ci.half_width());
    /// assert!(seq.p_value >= fixed.p_value);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sequential(
        &self,
        control: &impl Metric,
        treatment: &impl Metric,
        settings: Sequential,
    ) -> Result<SequentialOutcome, ExperimentError> {
        let a = control.moments("control")?;
        let b = treatment.moments("treatment")?;
        let e = effect(&a, &b, self.scale(), MeanTest::Z)?;
        let n = a.n + b.n;
        let nf = n as f64;
        let alpha = self.alpha().get();
        let rho = settings.rho(self.alpha());
        let rho2 = rho * rho;
        let s2 = e.variance * nf;
        let t = nf * rho2 + 1.0;
        // eq. 9: half-width of the two-sided asymptotic confidence sequence.
        let half = (s2 * 2.0 * t / (nf * nf * rho2) * (t.sqrt() / alpha).ln()).sqrt();
        // eq. 155: the mixture e-value, on the log scale so large effects do not overflow.
        let st2 = e.estimate.powi(2) * nf / e.variance;
        let ln_e = rho2 * st2 / (2.0 * t) - 0.5 * t.ln();
        let p_value = (-ln_e).exp().min(1.0);
        Ok(SequentialOutcome {
            estimate: e.estimate,
            std_error: e.variance.sqrt(),
            ci: Interval {
                lower: e.estimate - half,
                upper: e.estimate + half,
            },
            p_value,
            n,
        })
    }
}

impl Analysis {
    /// The always-valid p-value of the normal-mixture mSPRT with an explicit mixing variance
    /// τ² on the effect's scale (Johari, Pekelis and Walsh, "Always valid inference"):
    /// Λ = √(V/(V + τ²))·exp(τ²Δ̂²/(2V(V + τ²))), p = min(1, 1/Λ). [`Analysis::sequential`]
    /// is this test with τ² = ρ²·V·n.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`], and [`ExperimentError::InvalidConfig`] unless τ² is positive
    /// and finite.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, ArmMoments};
    ///
    /// let a = ArmMoments::new("a", 1_000, 10.0, 9.0)?;
    /// let b = ArmMoments::new("b", 1_000, 10.8, 9.0)?;
    /// let p = Analysis::default().msprt_p_value(&a, &b, 0.01)?;
    /// assert!(p < 0.05);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn msprt_p_value(
        &self,
        control: &impl Metric,
        treatment: &impl Metric,
        tau2: f64,
    ) -> Result<f64, ExperimentError> {
        if !(tau2.is_finite() && tau2 > 0.0) {
            return Err(invalid_config(
                "mSPRT mixing variance",
                format!("must be positive, got {tau2}"),
            ));
        }
        let a = control.moments("control")?;
        let b = treatment.moments("treatment")?;
        let e = effect(&a, &b, self.scale(), MeanTest::Z)?;
        let v = e.variance;
        let ln_lambda =
            0.5 * (v / (v + tau2)).ln() + tau2 * e.estimate * e.estimate / (2.0 * v * (v + tau2));
        Ok((-ln_lambda).exp().min(1.0))
    }
}

/// Tracks an always-valid test across looks: the reported p-value is the running minimum
/// p_n = min(p_{n−1}, 1/Λ_n) and the interval the running intersection of the confidence
/// sequence, both of which stay valid under continuous monitoring.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Analysis, ArmMoments, Sequential, SequentialMonitor};
///
/// let mut monitor = SequentialMonitor::new(Analysis::default(), Sequential::default());
/// let first = monitor.update(&ArmMoments::new("a", 500, 10.0, 4.0)?, &ArmMoments::new("b", 500, 10.3, 4.0)?)?;
/// let second = monitor.update(&ArmMoments::new("a", 1_000, 10.0, 4.0)?, &ArmMoments::new("b", 1_000, 10.2, 4.0)?)?;
/// assert!(second.p_value <= first.p_value);
/// assert!(second.ci.lower >= first.ci.lower && second.ci.upper <= first.ci.upper);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequentialMonitor {
    analysis: Analysis,
    settings: Sequential,
    state: Option<(f64, Interval)>,
}

impl SequentialMonitor {
    /// A monitor with no looks yet.
    pub fn new(analysis: Analysis, settings: Sequential) -> SequentialMonitor {
        SequentialMonitor {
            analysis,
            settings,
            state: None,
        }
    }

    /// Analyses the cumulative data of a new look and returns the running result.
    ///
    /// An empty intersection (possible only by chance under a true null, at rate ≤ α) is
    /// reported as the degenerate interval at the latest estimate.
    ///
    /// # Errors
    ///
    /// As [`Analysis::sequential`].
    pub fn update(
        &mut self,
        control: &impl Metric,
        treatment: &impl Metric,
    ) -> Result<SequentialOutcome, ExperimentError> {
        let mut out = self
            .analysis
            .sequential(control, treatment, self.settings)?;
        if let Some((p, ci)) = self.state {
            out.p_value = out.p_value.min(p);
            let lower = out.ci.lower.max(ci.lower);
            let upper = out.ci.upper.min(ci.upper);
            out.ci = if lower <= upper {
                Interval { lower, upper }
            } else {
                Interval {
                    lower: out.estimate,
                    upper: out.estimate,
                }
            };
        }
        self.state = Some((out.p_value, out.ci));
        Ok(out)
    }
}
