//! Planning: power, sample size, minimum detectable effect and duration.
//!
//! Every planner here uses the normal (z) approximation of a two-sample test and states its
//! conventions on the item. The ones that hold throughout:
//!
//! - **Raw effects.** The effect δ is the raw treatment-minus-control difference μ_B − μ_A in
//!   the metric's units (a difference of conversion rates for proportions), not Cohen's d or
//!   h. [`cohens_d`] and [`cohens_h`] convert when a standardised effect is wanted.
//! - **Power is always an input.** Nothing here assumes 80 %: [`sample_size`], [`mde`] and
//!   [`sequential_sample_size`] take the target power explicitly, and [`PlanConfig`] has no
//!   default α either.
//! - **Critical values.** A one-sided test rejects beyond z_{1−α}; a two-sided test beyond
//!   z_{1−α/2}, and its power counts both tails: π = Φ̄(z_{1−α/2} − δ/σ_Δ) + Φ(−z_{1−α/2} −
//!   δ/σ_Δ), with σ_Δ² = σ_A²/n_A + σ_B²/n_B. The second term (rejecting in the wrong
//!   direction) is what statsmodels' `NormalIndPower` also counts.
//! - **Exact inversion.** [`sample_size`] and [`mde`] invert that same power function, so the
//!   three functions agree with each other to rounding. For one-sided tests the inverse is the
//!   textbook closed form with z_{1−α} + z_π; for two-sided tests the textbook z_{1−α/2} + z_π
//!   ignores the wrong tail, so it is only the starting bracket and the standardised effect is
//!   refined by bisection (the difference is below 10⁻⁴ relative in n for usual α and π).
//! - **Several treatments.** With `variants` treatment arms, each compared with the shared
//!   control, α is split by Bonferroni: every comparison is planned at α / variants.

use serde::{Deserialize, Serialize};

use crate::dist::{norm_cdf, norm_ppf, norm_sf};
use crate::error::{finite, invalid_config, invalid_input};
use crate::{Alpha, Alternative, ExperimentError, Probability, Scale};

/// gbstats' default sequential tuning parameter N*: the total sample size at which its
/// confidence sequence is tightest.
pub const DEFAULT_SEQUENTIAL_TUNING: f64 = 5000.0;

/// Relative tolerance of every bisection in this module (on the standardised effect and on
/// the sequential sample size). A bisection that cannot reach it returns
/// [`ExperimentError::NotConverged`].
pub const ROOT_TOLERANCE: f64 = 1e-12;

/// Bisection steps allowed. Halving an interval 200 times shrinks it by 2⁻²⁰⁰, far below
/// [`ROOT_TOLERANCE`], so hitting this limit means the function misbehaved.
const MAX_BISECTION_STEPS: usize = 200;

/// The largest sample size returned: 2⁵³, beyond which an `f64` no longer counts units
/// exactly and the conversion to `u64` would be meaningless.
const MAX_SAMPLE_SIZE: f64 = 9_007_199_254_740_992.0;

/// Cohen's d = δ / σ: a raw difference of means in units of the standard deviation.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `delta` is not finite or `sd` is not finite and
/// positive.
///
/// # Examples
///
/// ```
/// use prodops_experiment::power::cohens_d;
///
/// assert_eq!(cohens_d(0.5, 2.0)?, 0.25);
/// assert!(cohens_d(0.5, 0.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cohens_d(delta: f64, sd: f64) -> Result<f64, ExperimentError> {
    finite("effect", delta)?;
    positive_sd("standard deviation", sd)?;
    Ok(delta / sd)
}

/// Cohen's h = 2·asin(√p2) − 2·asin(√p1): the arcsine-scale difference of a treatment rate
/// `p2` and a control rate `p1`.
///
/// The sign convention is treatment minus control, the same as the raw effects of this
/// module. It equals statsmodels' `proportion_effectsize(p2, p1)` (note the argument order:
/// statsmodels computes `2·asin(√prop1) − 2·asin(√prop2)`).
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] unless both rates are in [0, 1].
///
/// # Examples
///
/// ```
/// use prodops_experiment::power::cohens_h;
///
/// let h = cohens_h(0.10, 0.12)?;
/// assert!((h - 0.0640).abs() < 1e-4);
/// assert!(cohens_h(0.1, 1.2).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cohens_h(p1: f64, p2: f64) -> Result<f64, ExperimentError> {
    for (what, p) in [("control rate", p1), ("treatment rate", p2)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(invalid_input(what, format!("must be in [0, 1], got {p}")));
        }
    }
    Ok(2.0 * p2.sqrt().asin() - 2.0 * p1.sqrt().asin())
}

/// What is measured, and the per-unit spread the planner needs.
///
/// The fields are public so a design can be written literally; every planner validates them
/// again, so an invalid literal is reported as an error, not used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Design {
    /// A continuous metric with per-unit standard deviations σ_A (control) and σ_B
    /// (treatment). Use [`Design::mean`] for a common σ.
    Mean {
        /// The control mean μ_A. Needed only for a relative MDE.
        control_mean: Option<f64>,
        /// σ_A, per unit.
        sd_control: f64,
        /// σ_B, per unit.
        sd_treatment: f64,
    },
    /// A conversion rate with control rate p_A = `baseline`.
    ///
    /// The per-unit variances are p_A(1 − p_A) in control and p_B(1 − p_B) in treatment,
    /// with p_B = p_A + δ the rate under the alternative (unpooled, as Spotify's
    /// `SampleSizeCalculator`). This dependence on δ is specific to binary metrics and is
    /// never applied to [`Design::Mean`].
    Proportion {
        /// The control conversion rate p_A.
        baseline: Probability,
    },
}

impl Design {
    /// A continuous metric with a common standard deviation σ in both arms.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] unless `sd` is finite and positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::Design;
    ///
    /// let design = Design::mean(2.5)?;
    /// assert!(Design::mean(0.0).is_err());
    /// # let _ = design;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mean(sd: f64) -> Result<Design, ExperimentError> {
        Design::mean_unequal(sd, sd)
    }

    /// A continuous metric with different standard deviations in control and treatment.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] unless both are finite and positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::Design;
    ///
    /// let design = Design::mean_unequal(2.0, 3.0)?;
    /// # let _ = design;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mean_unequal(sd_control: f64, sd_treatment: f64) -> Result<Design, ExperimentError> {
        positive_sd("control standard deviation", sd_control)?;
        positive_sd("treatment standard deviation", sd_treatment)?;
        Ok(Design::Mean {
            control_mean: None,
            sd_control,
            sd_treatment,
        })
    }

    /// A design for any metric type, from its moments on historical or pilot data: σ is the
    /// per-unit standard deviation of the metric's estimator (the delta-method σ for a ratio
    /// metric, the adjusted σ for CUPED, the quantile's σ), and the control mean is set for
    /// relative MDEs. This is how the planner covers every test the crate runs.
    ///
    /// # Errors
    ///
    /// Whatever the metric's reduction to moments returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::RatioStats;
    /// use prodops_experiment::power::Design;
    ///
    /// // Clicks per session from last month's users.
    /// let history = RatioStats::from_pairs(&[(1.0, 4.0), (0.0, 2.0), (3.0, 5.0), (2.0, 3.0)])?;
    /// let design = Design::from_metric(&history)?;
    /// # let _ = design;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_metric(metric: &impl crate::Metric) -> Result<Design, ExperimentError> {
        let m = metric.moments("history")?;
        Design::mean(m.unit_variance.sqrt())?.with_control_mean(m.unadjusted_mean)
    }

    /// A continuous metric analysed with CUPED: σ shrinks to σ·√(1 − ρ²), where ρ is the
    /// correlation between the metric and its pre-period covariate (Deng et al. 2013).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] unless `sd` is finite and positive and `|ρ| < 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::{Design, PlanConfig, sample_size};
    /// use prodops_experiment::Probability;
    ///
    /// // ρ = 0.8 removes 64% of the variance, and so 64% of the units.
    /// let cfg = PlanConfig::builder().alpha(0.05).build()?;
    /// let power = Probability::new(0.8)?;
    /// let plain = sample_size(&Design::mean(15.0)?, 1.0, power, &cfg)?;
    /// let cuped = sample_size(&Design::cuped(15.0, 0.8)?, 1.0, power, &cfg)?;
    /// let ratio = cuped.continuous_treatment / plain.continuous_treatment;
    /// assert!((ratio - 0.36).abs() < 1e-9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cuped(sd: f64, correlation: f64) -> Result<Design, ExperimentError> {
        if !(correlation.is_finite() && correlation.abs() < 1.0) {
            return Err(crate::error::invalid_input(
                "covariate correlation",
                format!("must be in (-1, 1), got {correlation}"),
            ));
        }
        Design::mean(sd * (1.0 - correlation * correlation).sqrt())
    }

    /// A conversion rate with control rate `baseline`.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] unless `0 < baseline < 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::Design;
    ///
    /// let design = Design::proportion(0.1)?;
    /// assert!(Design::proportion(1.0).is_err());
    /// # let _ = design;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proportion(baseline: f64) -> Result<Design, ExperimentError> {
        Ok(Design::Proportion {
            baseline: Probability::new(baseline)?,
        })
    }

    /// Sets the control mean μ_A of a [`Design::Mean`], needed for a relative MDE.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when `mean` is not finite or the design is a
    /// proportion (whose control mean is its baseline).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::Design;
    ///
    /// let design = Design::mean(2.0)?.with_control_mean(10.0)?;
    /// # let _ = design;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_control_mean(self, mean: f64) -> Result<Design, ExperimentError> {
        finite("control mean", mean)?;
        match self {
            Design::Mean {
                sd_control,
                sd_treatment,
                ..
            } => Ok(Design::Mean {
                control_mean: Some(mean),
                sd_control,
                sd_treatment,
            }),
            Design::Proportion { .. } => Err(invalid_input(
                "control mean",
                "a proportion design's control mean is its baseline",
            )),
        }
    }
}

/// Per-unit variances σ_A² and σ_B² under the alternative.
struct Variances {
    control: f64,
    treatment: f64,
}

/// Validates the design and the effect, and returns the per-unit variances under the
/// alternative δ = `effect`.
fn variances(design: &Design, effect: f64) -> Result<Variances, ExperimentError> {
    validate_effect(effect)?;
    match *design {
        Design::Mean {
            control_mean,
            sd_control,
            sd_treatment,
        } => {
            validate_mean_design(control_mean, sd_control, sd_treatment)?;
            Ok(Variances {
                control: sd_control * sd_control,
                treatment: sd_treatment * sd_treatment,
            })
        }
        Design::Proportion { baseline } => {
            let p = baseline.get();
            let p_b = p + effect;
            if !(p_b > 0.0 && p_b < 1.0) {
                return Err(invalid_input(
                    "effect",
                    format!("baseline {p} + effect {effect} = {p_b} must be in (0, 1)"),
                ));
            }
            Ok(Variances {
                control: p * (1.0 - p),
                treatment: p_b * (1.0 - p_b),
            })
        }
    }
}

fn validate_mean_design(
    control_mean: Option<f64>,
    sd_control: f64,
    sd_treatment: f64,
) -> Result<(), ExperimentError> {
    positive_sd("control standard deviation", sd_control)?;
    positive_sd("treatment standard deviation", sd_treatment)?;
    if let Some(m) = control_mean {
        finite("control mean", m)?;
    }
    Ok(())
}

fn positive_sd(what: &str, sd: f64) -> Result<f64, ExperimentError> {
    if sd.is_finite() && sd > 0.0 {
        Ok(sd)
    } else {
        Err(invalid_input(
            what,
            format!("must be finite and > 0, got {sd}"),
        ))
    }
}

fn validate_effect(effect: f64) -> Result<f64, ExperimentError> {
    finite("effect", effect)?;
    if effect == 0.0 {
        // No sample size detects a zero effect, and its "power" is just α.
        return Err(invalid_input("effect", "effect must be non-zero"));
    }
    Ok(effect)
}

fn validate_n(what: &str, n: f64) -> Result<f64, ExperimentError> {
    if n.is_finite() && n > 0.0 {
        Ok(n)
    } else {
        Err(invalid_input(
            what,
            format!("must be finite and > 0, got {n}"),
        ))
    }
}

/// The settings shared by every planner: α, the alternative, the number of treatment arms,
/// the allocation ratio and the sequential tuning parameter.
///
/// Built with [`PlanConfig::builder`]; `build()` validates every field. α has no default: it
/// must be set.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alternative;
/// use prodops_experiment::power::PlanConfig;
///
/// let config = PlanConfig::builder()
///     .alpha(0.05)
///     .alternative(Alternative::Greater)
///     .variants(2)
///     .build()?;
/// assert_eq!(config.alpha_per_comparison(), 0.025);
/// assert!(PlanConfig::builder().build().is_err()); // α is required
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PlanConfigBuilder", into = "PlanConfigBuilder")]
pub struct PlanConfig {
    alpha: Alpha,
    alternative: Alternative,
    variants: usize,
    allocation_ratio: f64,
    sequential_tuning: f64,
}

impl PlanConfig {
    /// A builder with alternative two-sided, one treatment, allocation ratio 1 and sequential
    /// tuning [`DEFAULT_SEQUENTIAL_TUNING`]; α must be set.
    pub fn builder() -> PlanConfigBuilder {
        PlanConfigBuilder::default()
    }

    /// The family-wise α.
    pub fn alpha(&self) -> Alpha {
        self.alpha
    }

    /// The alternative hypothesis about δ = μ_B − μ_A.
    pub fn alternative(&self) -> Alternative {
        self.alternative
    }

    /// The number of treatment arms, each compared with the one control.
    pub fn variants(&self) -> usize {
        self.variants
    }

    /// κ = n_A / n_B: control units per unit of each treatment arm.
    pub fn allocation_ratio(&self) -> f64 {
        self.allocation_ratio
    }

    /// N*, the total sample size at which the sequential confidence sequence is tightest.
    pub fn sequential_tuning(&self) -> f64 {
        self.sequential_tuning
    }

    /// The Bonferroni level of each comparison, α / variants.
    pub fn alpha_per_comparison(&self) -> f64 {
        // variants ≥ 1 is checked in build(), and a usize is exactly representable as f64 for
        // any realistic number of arms.
        self.alpha.get() / self.variants as f64
    }
}

/// Builder of [`PlanConfig`]. Its fields are also the serialised form of a config, so a
/// deserialised config is validated the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanConfigBuilder {
    alpha: Option<f64>,
    alternative: Alternative,
    variants: usize,
    allocation_ratio: f64,
    sequential_tuning: f64,
}

impl Default for PlanConfigBuilder {
    fn default() -> Self {
        PlanConfigBuilder {
            alpha: None,
            alternative: Alternative::TwoSided,
            variants: 1,
            allocation_ratio: 1.0,
            sequential_tuning: DEFAULT_SEQUENTIAL_TUNING,
        }
    }
}

impl PlanConfigBuilder {
    /// The family-wise significance level α (required).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// The alternative hypothesis (default two-sided).
    pub fn alternative(mut self, alternative: Alternative) -> Self {
        self.alternative = alternative;
        self
    }

    /// The number of treatment arms (default 1). α is split over them by Bonferroni.
    pub fn variants(mut self, variants: usize) -> Self {
        self.variants = variants;
        self
    }

    /// κ = n_A / n_B, control units per unit of each treatment arm (default 1).
    pub fn allocation_ratio(mut self, ratio: f64) -> Self {
        self.allocation_ratio = ratio;
        self
    }

    /// N* for the sequential planner (default [`DEFAULT_SEQUENTIAL_TUNING`], as gbstats).
    pub fn sequential_tuning(mut self, tuning: f64) -> Self {
        self.sequential_tuning = tuning;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] when α is missing or outside (0, 1), `variants` is
    /// 0, or the allocation ratio or the tuning parameter is not finite and positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::PlanConfig;
    ///
    /// let config = PlanConfig::builder().alpha(0.05).allocation_ratio(2.0).build()?;
    /// assert_eq!(config.allocation_ratio(), 2.0);
    /// assert!(PlanConfig::builder().alpha(0.05).allocation_ratio(0.0).build().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Result<PlanConfig, ExperimentError> {
        let alpha = match self.alpha {
            Some(a) => Alpha::new(a)?,
            None => return Err(invalid_config("alpha", "is required: there is no default")),
        };
        if self.variants == 0 {
            return Err(invalid_config("variants", "must be at least 1"));
        }
        if !(self.allocation_ratio.is_finite() && self.allocation_ratio > 0.0) {
            return Err(invalid_config(
                "allocation ratio",
                format!("must be finite and > 0, got {}", self.allocation_ratio),
            ));
        }
        if !(self.sequential_tuning.is_finite() && self.sequential_tuning > 0.0) {
            return Err(invalid_config(
                "sequential tuning",
                format!("must be finite and > 0, got {}", self.sequential_tuning),
            ));
        }
        Ok(PlanConfig {
            alpha,
            alternative: self.alternative,
            variants: self.variants,
            allocation_ratio: self.allocation_ratio,
            sequential_tuning: self.sequential_tuning,
        })
    }
}

impl TryFrom<PlanConfigBuilder> for PlanConfig {
    type Error = ExperimentError;

    fn try_from(builder: PlanConfigBuilder) -> Result<Self, Self::Error> {
        builder.build()
    }
}

impl From<PlanConfig> for PlanConfigBuilder {
    fn from(c: PlanConfig) -> Self {
        PlanConfigBuilder {
            alpha: Some(c.alpha.get()),
            alternative: c.alternative,
            variants: c.variants,
            allocation_ratio: c.allocation_ratio,
            sequential_tuning: c.sequential_tuning,
        }
    }
}

/// A planned sample size.
///
/// The continuous solution is computed first and each arm is then rounded up separately
/// (`control = ⌈n_A⌉`, `treatment = ⌈n_B⌉`), so both arms are at least their continuous
/// value and the power at the integers is at least the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SampleSize {
    /// Control units, ⌈n_A⌉.
    pub control: u64,
    /// Units in each treatment arm, ⌈n_B⌉.
    pub treatment: u64,
    /// The number of treatment arms.
    pub variants: usize,
    /// `control + variants × treatment`.
    pub total: u64,
    /// The continuous control size n_A = κ·n_B before rounding.
    pub continuous_control: f64,
    /// The continuous size n_B of each treatment arm before rounding.
    pub continuous_treatment: f64,
    /// The Bonferroni level each comparison was planned at, α / variants.
    pub alpha_per_comparison: f64,
}

/// A minimum detectable effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Mde {
    /// The MDE on the requested scale (signed: negative when the alternative is
    /// [`Alternative::Less`]).
    pub effect: f64,
    /// The scale of `effect`.
    pub scale: Scale,
    /// The same MDE as a raw difference μ_B − μ_A.
    pub absolute: f64,
    /// The Bonferroni level each comparison was planned at, α / variants.
    pub alpha_per_comparison: f64,
}

/// How long an experiment must run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DurationPlan {
    /// Whole days needed, rounded up.
    pub days: u64,
    /// Units entering the experiment per day (daily units × share in the experiment).
    pub units_per_day: f64,
}

/// The critical value z_{1−q}, computed as −Φ⁻¹(q) so that a small tail probability keeps its
/// relative precision (1 − q would round).
fn upper_quantile(q: f64) -> f64 {
    -norm_ppf(q)
}

/// Power of a z-test at standardised effect s = δ / σ_Δ and level `alpha`.
fn power_at_standardized(s: f64, alpha: f64, alternative: Alternative) -> f64 {
    match alternative {
        Alternative::TwoSided => two_sided_power(s, upper_quantile(alpha / 2.0)),
        Alternative::Greater => norm_sf(upper_quantile(alpha) - s),
        // P(Z < −z_{1−α} − s) = Φ̄(z_{1−α} + s), written as an upper tail.
        Alternative::Less => norm_sf(upper_quantile(alpha) + s),
    }
}

/// Two-sided power with critical value `z`: the correct tail plus the wrong one.
fn two_sided_power(s: f64, z: f64) -> f64 {
    norm_sf(z - s) + norm_cdf(-z - s)
}

/// The standardised effect x* > 0 at which a level-`alpha` test has power `power` (for
/// [`Alternative::Less`], the effect −x* does).
///
/// One-sided, x* = z_{1−α} + z_π exactly. Two-sided, the power g(x) = Φ̄(z − x) + Φ(−z − x)
/// with z = z_{1−α/2} increases on x > 0 (g′ = φ(z − x) − φ(z + x) > 0), with g(0) = α and
/// g(z + z_π) = π + Φ(−2z − z_π) ≥ π, so bisection on [0, z + z_π] finds the unique root.
fn standardized_effect(
    alpha: f64,
    alternative: Alternative,
    power: Probability,
) -> Result<f64, ExperimentError> {
    let power = power.get();
    if power <= alpha {
        return Err(invalid_input(
            "power",
            format!(
                "{power} must exceed the per-comparison α = {alpha}: a test has power α at δ = 0"
            ),
        ));
    }
    let z_power = norm_ppf(power);
    match alternative {
        Alternative::Greater | Alternative::Less => Ok(upper_quantile(alpha) + z_power),
        Alternative::TwoSided => {
            let z = upper_quantile(alpha / 2.0);
            bisect_increasing(
                |x| two_sided_power(x, z) >= power,
                0.0,
                z + z_power,
                "two-sided standardised effect",
            )
        }
    }
}

/// The smallest x in [lo, hi] (to [`ROOT_TOLERANCE`] relative) at which the monotone
/// predicate `reached` becomes true, given `reached(hi)`. Returns the upper end of the final
/// bracket, so `reached` holds at the returned value.
fn bisect_increasing(
    reached: impl Fn(f64) -> bool,
    mut lo: f64,
    mut hi: f64,
    what: &str,
) -> Result<f64, ExperimentError> {
    for _ in 0..MAX_BISECTION_STEPS {
        if hi - lo <= ROOT_TOLERANCE * hi.abs() {
            return Ok(hi);
        }
        let mid = 0.5 * (lo + hi);
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Err(ExperimentError::NotConverged { what: what.into() })
}

/// Power of the planned test for a raw effect δ with `n_control` and `n_treatment` units.
///
/// π = Φ̄(z_{1−α/2} − δ/σ_Δ) + Φ(−z_{1−α/2} − δ/σ_Δ) two-sided (both tails, so the wrong
/// direction counts too, as statsmodels), Φ̄(z_{1−α} − δ/σ_Δ) for [`Alternative::Greater`]
/// and Φ(−z_{1−α} − δ/σ_Δ) for [`Alternative::Less`], where σ_Δ² = σ_A²/n_A + σ_B²/n_B and α
/// is the per-comparison level α / variants. Sizes may be fractional. The allocation ratio of
/// the config is not used: the sizes are given.
///
/// Very large effects give exactly 1.0 (the missing probability is below f64 resolution). A
/// one-sided power for an effect in the wrong direction is below α.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] for an invalid design, a zero or non-finite effect, a
/// proportion p_A + δ outside (0, 1), or sizes that are not finite and positive.
///
/// # Examples
///
/// ```
/// use prodops_experiment::power::{power, Design, PlanConfig};
///
/// let config = PlanConfig::builder().alpha(0.05).build()?;
/// // σ = 1, δ = 0.2, 393 per arm: just above 80 %.
/// let p = power(&Design::mean(1.0)?, 0.2, 393.0, 393.0, &config)?;
/// assert!(p > 0.80 && p < 0.81);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn power(
    design: &Design,
    effect: f64,
    n_control: f64,
    n_treatment: f64,
    config: &PlanConfig,
) -> Result<f64, ExperimentError> {
    let v = variances(design, effect)?;
    validate_n("control size", n_control)?;
    validate_n("treatment size", n_treatment)?;
    let se = (v.control / n_control + v.treatment / n_treatment).sqrt();
    Ok(power_at_standardized(
        effect / se,
        config.alpha_per_comparison(),
        config.alternative,
    ))
}

/// Rejects a one-sided plan whose effect points away from its alternative: no sample size
/// gives it power above α.
fn check_direction(effect: f64, alternative: Alternative) -> Result<(), ExperimentError> {
    match alternative {
        Alternative::Greater if effect < 0.0 => Err(invalid_input(
            "effect",
            format!("{effect} is negative but the alternative is Greater"),
        )),
        Alternative::Less if effect > 0.0 => Err(invalid_input(
            "effect",
            format!("{effect} is positive but the alternative is Less"),
        )),
        _ => Ok(()),
    }
}

/// Rounds a continuous plan up to whole units.
fn round_up(
    continuous_control: f64,
    continuous_treatment: f64,
    config: &PlanConfig,
) -> Result<SampleSize, ExperimentError> {
    for (what, n) in [
        ("control size", continuous_control),
        ("treatment size", continuous_treatment),
    ] {
        if !(n.is_finite() && n <= MAX_SAMPLE_SIZE) {
            return Err(invalid_input(
                "effect",
                format!("too small to plan: the {what} would be {n:e}, above 2^53"),
            ));
        }
    }
    // Both values are finite, positive and at most 2⁵³, so the casts are exact.
    let control = continuous_control.ceil() as u64;
    let treatment = continuous_treatment.ceil() as u64;
    let total = u64::try_from(config.variants)
        .ok()
        .and_then(|k| k.checked_mul(treatment))
        .and_then(|t| t.checked_add(control))
        .ok_or_else(|| invalid_input("variants", "the total sample size overflows u64"))?;
    Ok(SampleSize {
        control,
        treatment,
        variants: config.variants,
        total,
        continuous_control,
        continuous_treatment,
        alpha_per_comparison: config.alpha_per_comparison(),
    })
}

/// The sample size that gives a raw effect δ the target power.
///
/// n_B = x*²·(σ_A²/κ + σ_B²)/δ² and n_A = κ·n_B, with κ the config's allocation ratio
/// (control per treatment) and x* the standardised effect at which [`power`] equals the
/// target: z_{1−α} + z_π one-sided, and the root of the two-tailed power just below
/// z_{1−α/2} + z_π two-sided (bisection to [`ROOT_TOLERANCE`]). α is the per-comparison level
/// α / variants; `total = control + variants × treatment`. Rounding up comes after this
/// continuous solution, which is kept in the result.
///
/// For a proportion, σ_A² = p_A(1 − p_A) and σ_B² = p_B(1 − p_B) with p_B = p_A + δ
/// (unpooled, under the alternative).
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] for an invalid design or effect (zero, non-finite,
/// p_A + δ outside (0, 1), or pointing away from a one-sided alternative), a power not above
/// α, or a plan above 2⁵³ units; [`ExperimentError::NotConverged`] if the bisection fails.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Probability;
/// use prodops_experiment::power::{sample_size, Design, PlanConfig};
///
/// let config = PlanConfig::builder().alpha(0.05).build()?;
/// let plan = sample_size(&Design::mean(1.0)?, 0.2, Probability::new(0.8)?, &config)?;
/// assert_eq!((plan.control, plan.treatment, plan.total), (393, 393, 786));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sample_size(
    design: &Design,
    effect: f64,
    power: Probability,
    config: &PlanConfig,
) -> Result<SampleSize, ExperimentError> {
    let v = variances(design, effect)?;
    check_direction(effect, config.alternative)?;
    let x = standardized_effect(config.alpha_per_comparison(), config.alternative, power)?;
    let kappa = config.allocation_ratio;
    let n_treatment = x * x * (v.control / kappa + v.treatment) / (effect * effect);
    round_up(kappa * n_treatment, n_treatment, config)
}

/// The stable roots of A·u² + B·u + C = 0 with A > 0 and C < 0 (so one root is positive and
/// one negative), as (positive, negative). Each root is computed without subtracting nearly
/// equal numbers.
fn opposite_roots(a: f64, b: f64, c: f64) -> (f64, f64) {
    let sqrt_disc = (b * b - 4.0 * a * c).sqrt();
    let positive = if b <= 0.0 {
        (-b + sqrt_disc) / (2.0 * a)
    } else {
        2.0 * c / (-b - sqrt_disc)
    };
    let negative = if b >= 0.0 {
        (-b - sqrt_disc) / (2.0 * a)
    } else {
        2.0 * c / (-b + sqrt_disc)
    };
    (positive, negative)
}

/// The minimum detectable effect with `n_control` and `n_treatment` units at the target power.
///
/// The MDE is the effect at which [`power`] equals the target, in the direction of the
/// alternative: upward (δ > 0) for two-sided and [`Alternative::Greater`], downward for
/// [`Alternative::Less`]. With x* the standardised effect of [`sample_size`]:
///
/// - **Mean, absolute:** δ = x*·σ_Δ, σ_Δ² = σ_A²/n_A + σ_B²/n_B (x* = z_{1−α} + z_π
///   one-sided, slightly below z_{1−α/2} + z_π two-sided).
/// - **Proportion:** σ_B² = p_B(1 − p_B) depends on δ, so δ solves
///   δ² = x*²·(p_A(1 − p_A)/n_A + (p_A + δ)(1 − p_A − δ)/n_B), a quadratic solved in
///   closed form. `Relative` returns δ / p_A, still tested on the absolute scale.
/// - **Mean, relative (GrowthBook):** the test is on the lift u = (μ_B − μ_A)/|μ_A| with the
///   delta-method variance σ_B²/(n_B μ_A²) + σ_A² μ_B²/(n_A μ_A⁴) (gbstats'
///   `frequentist_variance`). Requires the design's control mean; see the derivation in the
///   source. With equal arms and common σ this is GrowthBook's quadratic
///   μ_B²(1 − σ²k²/(Nμ_A²)) − 2μ_Aμ_B + (μ_A² − k²σ²/N) = 0 with k = x*.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] for an invalid design or sizes, a power not above α, or
/// a relative MDE of a mean design without a control mean;
/// [`ExperimentError::ZeroBaseline`] for a relative MDE with control mean 0;
/// [`ExperimentError::NoMdeSolution`] when no effect reaches the power: the relative MDE needs
/// n_A > x*²σ_A²/μ_A², and a proportion's MDE must keep p_A + δ inside (0, 1);
/// [`ExperimentError::NotConverged`] if the bisection fails.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Probability, Scale};
/// use prodops_experiment::power::{mde, Design, PlanConfig};
///
/// let config = PlanConfig::builder().alpha(0.05).build()?;
/// let m = mde(&Design::mean(1.0)?, 393.0, 393.0, Probability::new(0.8)?, Scale::Absolute, &config)?;
/// assert!((m.effect - 0.19989).abs() < 1e-4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn mde(
    design: &Design,
    n_control: f64,
    n_treatment: f64,
    power: Probability,
    scale: Scale,
    config: &PlanConfig,
) -> Result<Mde, ExperimentError> {
    validate_n("control size", n_control)?;
    validate_n("treatment size", n_treatment)?;
    let alpha = config.alpha_per_comparison();
    let x = standardized_effect(alpha, config.alternative, power)?;
    let upward = config.alternative != Alternative::Less;
    let direction = if upward { 1.0 } else { -1.0 };
    let (effect, absolute) = match *design {
        Design::Mean {
            control_mean,
            sd_control,
            sd_treatment,
        } => {
            validate_mean_design(control_mean, sd_control, sd_treatment)?;
            let (var_a, var_b) = (sd_control * sd_control, sd_treatment * sd_treatment);
            match scale {
                Scale::Absolute => {
                    let delta = direction * x * (var_a / n_control + var_b / n_treatment).sqrt();
                    (delta, delta)
                }
                Scale::Relative => {
                    let mu_a = control_mean.ok_or_else(|| {
                        invalid_input(
                            "control mean",
                            "a relative MDE of a mean needs the control mean",
                        )
                    })?;
                    let u =
                        relative_mean_mde(mu_a, var_a / n_control, var_b / n_treatment, x, upward)?;
                    (u, u * mu_a.abs())
                }
            }
        }
        Design::Proportion { baseline } => {
            let delta = proportion_mde(baseline.get(), n_control, n_treatment, x, upward)?;
            match scale {
                Scale::Absolute => (delta, delta),
                Scale::Relative => (delta / baseline.get(), delta),
            }
        }
    };
    Ok(Mde {
        effect,
        scale,
        absolute,
        alpha_per_comparison: alpha,
    })
}

/// The relative MDE u = (μ_B − μ_A)/|μ_A| of a mean, given the per-arm variances of the means
/// `var_mean_a` = σ_A²/n_A and `var_mean_b` = σ_B²/n_B.
fn relative_mean_mde(
    mu_a: f64,
    var_mean_a: f64,
    var_mean_b: f64,
    x: f64,
    upward: bool,
) -> Result<f64, ExperimentError> {
    if mu_a == 0.0 {
        return Err(ExperimentError::ZeroBaseline {
            arm: "control".into(),
        });
    }
    // Derivation. The delta-method variance of the estimated lift is
    //   V(u) = σ_B²/(n_B μ_A²) + σ_A² μ_B²/(n_A μ_A⁴)   (gbstats' frequentist_variance),
    // and the MDE is the u with u = ±x*·√V(u). Write μ_B = μ_A + u|μ_A|, so
    // μ_B²/μ_A² = (s + u)² with s = sign(μ_A), and let
    //   c_B = x*²σ_B²/(n_B μ_A²),  c_A = x*²σ_A²/(n_A μ_A²).
    // Squaring gives u² = c_B + c_A(s + u)², i.e.
    //   (1 − c_A)·u² − 2 c_A s·u − (c_A + c_B) = 0.
    // Multiplying by μ_A² (equal arms n, common σ, μ_A > 0) is GrowthBook's
    //   μ_B²(1 − σ²k²/(nμ_A²)) − 2μ_Aμ_B + (μ_A² − k²σ²/n) = 0, k = x*.
    // For c_A ≥ 1 the variance grows with the lift as fast as the lift itself, so no effect
    // reaches the power; for c_A < 1 the product of the roots, −(c_A + c_B)/(1 − c_A), is
    // negative: one root is the upward MDE and the other the downward one.
    let mu2 = mu_a * mu_a;
    let c_a = x * x * var_mean_a / mu2;
    let c_b = x * x * var_mean_b / mu2;
    if c_a >= 1.0 {
        return Err(ExperimentError::NoMdeSolution {
            reason: format!(
                "the control needs n_A > x*²σ_A²/μ_A² (here x*²σ_A²/(n_A μ_A²) = {c_a:.6} ≥ 1): \
                 the lift's standard error grows as fast as the lift"
            ),
        });
    }
    let s = mu_a.signum();
    let (up, down) = opposite_roots(1.0 - c_a, -2.0 * c_a * s, -(c_a + c_b));
    Ok(if upward { up } else { down })
}

/// The absolute MDE δ of a proportion with baseline p and the δ-dependent variance of the
/// treatment arm.
fn proportion_mde(
    p: f64,
    n_a: f64,
    n_b: f64,
    x: f64,
    upward: bool,
) -> Result<f64, ExperimentError> {
    // δ² = x²(a + (p + δ)(1 − p − δ)/n_B) with a = p(1 − p)/n_A; with w = x²/n_B and
    // (p + δ)(1 − p − δ) = p(1 − p) + δ(1 − 2p) − δ²:
    //   (1 + w)δ² − w(1 − 2p)δ − (x²a + w·p(1 − p)) = 0.
    // The constant term is negative, so there is one positive (upward) and one negative
    // (downward) root; each satisfies |δ| = x·σ_Δ(δ) as long as p + δ stays in (0, 1).
    let w = x * x / n_b;
    let var_a = p * (1.0 - p);
    let (up, down) = opposite_roots(
        1.0 + w,
        -w * (1.0 - 2.0 * p),
        -(x * x * var_a / n_a + w * var_a),
    );
    let delta = if upward { up } else { down };
    let p_b = p + delta;
    if p_b > 0.0 && p_b < 1.0 {
        Ok(delta)
    } else {
        Err(ExperimentError::NoMdeSolution {
            reason: format!(
                "with baseline {p}, the effect that reaches the power would move the rate to {p_b}, \
                 outside (0, 1)"
            ),
        })
    }
}

/// How many days an experiment needs to collect `total` units.
///
/// days = ⌈total / (daily_units × share_in_experiment)⌉. The share is in (0, 1]: 1 means all
/// traffic enters the experiment (which is why it is not a [`Probability`], an open interval).
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `total` is 0, `daily_units` is not finite and
/// positive, the share is outside (0, 1], or the number of days overflows.
///
/// # Examples
///
/// ```
/// use prodops_experiment::power::duration;
///
/// // 786 units at 1000 visitors a day, 10 % of them in the experiment: 7.86 → 8 days.
/// assert_eq!(duration(786, 1000.0, 0.1)?.days, 8);
/// assert!(duration(786, 0.0, 0.1).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn duration(
    total: u64,
    daily_units: f64,
    share_in_experiment: f64,
) -> Result<DurationPlan, ExperimentError> {
    if total == 0 {
        return Err(invalid_input("total sample size", "must be at least 1"));
    }
    if !(daily_units.is_finite() && daily_units > 0.0) {
        return Err(invalid_input(
            "daily units",
            format!("traffic must be finite and > 0, got {daily_units}"),
        ));
    }
    if !(share_in_experiment > 0.0 && share_in_experiment <= 1.0) {
        return Err(invalid_input(
            "share in experiment",
            format!("must be in (0, 1], got {share_in_experiment}"),
        ));
    }
    let units_per_day = daily_units * share_in_experiment;
    if units_per_day <= 0.0 {
        // Two tiny positive factors can underflow to 0.
        return Err(invalid_input(
            "daily units",
            "traffic in the experiment rounds to 0",
        ));
    }
    let days = (total as f64 / units_per_day).ceil();
    if days > MAX_SAMPLE_SIZE {
        return Err(invalid_input(
            "daily units",
            format!("{days:e} days is too many to plan"),
        ));
    }
    // days is a whole number in [1, 2⁵³], so the cast is exact.
    Ok(DurationPlan {
        days: days as u64,
        units_per_day,
    })
}

/// z_seq(n) = hw(n)/σ_Δ(n), the sequential critical value at total size n.
///
/// With σ̂² = V·n (V the variance of the effect estimate), the asymptotic confidence sequence
/// of Waudby-Smith et al. (eq. 9, as gbstats' `SequentialTwoSidedTTest`) has half-width
/// hw(n) = √(σ̂²·2(nρ² + 1)/(n²ρ²)·ln(√(nρ² + 1)/α)), so hw/√V depends on n only:
/// z_seq = √(2(nρ² + 1)/(nρ²)·ln(√(nρ² + 1)/α)).
fn sequential_critical_value(n_total: f64, alpha: f64, tuning: f64) -> f64 {
    // ρ² from eq. 161: (−2 ln α + ln(−2 ln α + 1)) / N*.
    let minus_2_ln_alpha = -2.0 * alpha.ln();
    let rho2 = (minus_2_ln_alpha + minus_2_ln_alpha.ln_1p()) / tuning;
    let t = n_total * rho2;
    // ln(√(t + 1)/α) = ½·ln(1 + t) − ln α, positive because α < 1.
    let log_term = 0.5 * t.ln_1p() - alpha.ln();
    (2.0 * (t + 1.0) / t * log_term).sqrt()
}

fn require_two_sided(config: &PlanConfig) -> Result<(), ExperimentError> {
    if config.alternative == Alternative::TwoSided {
        Ok(())
    } else {
        Err(invalid_config(
            "alternative",
            "sequential planning supports only two-sided tests (gbstats' confidence sequence is two-sided)",
        ))
    }
}

/// Power of a sequential (always-valid) two-sided test at the given sizes.
///
/// An approximation: the fixed-horizon power formula with the fixed critical distance
/// z_{1−α/2}·σ_Δ replaced by the half-width of the asymptotic confidence sequence at the
/// planned n (Waudby-Smith et al., eq. 9, as gbstats), i.e. the power of a single look at
/// the end. gbstats' power module makes the same substitution. The tuning parameter N* is the
/// config's `sequential_tuning`; α is the per-comparison level.
///
/// # Errors
///
/// As [`power`], and [`ExperimentError::InvalidConfig`] unless the alternative is two-sided.
///
/// # Examples
///
/// ```
/// use prodops_experiment::power::{power, sequential_power, Design, PlanConfig};
///
/// let config = PlanConfig::builder().alpha(0.05).build()?;
/// let design = Design::mean(1.0)?;
/// let fixed = power(&design, 0.2, 393.0, 393.0, &config)?;
/// let sequential = sequential_power(&design, 0.2, 393.0, 393.0, &config)?;
/// assert!(sequential < fixed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sequential_power(
    design: &Design,
    effect: f64,
    n_control: f64,
    n_treatment: f64,
    config: &PlanConfig,
) -> Result<f64, ExperimentError> {
    require_two_sided(config)?;
    let v = variances(design, effect)?;
    validate_n("control size", n_control)?;
    validate_n("treatment size", n_treatment)?;
    let se = (v.control / n_control + v.treatment / n_treatment).sqrt();
    let z = sequential_critical_value(
        n_control + n_treatment,
        config.alpha_per_comparison(),
        config.sequential_tuning,
    );
    Ok(two_sided_power(effect / se, z))
}

/// The sample size at which [`sequential_power`] reaches the target.
///
/// The total n is split as n_A = κn/(1 + κ), n_B = n/(1 + κ) (equal for κ = 1). Starting
/// from the fixed-horizon total of [`sample_size`] (the sequential critical value exceeds
/// z_{1−α/2} for usual α, so the sequential plan is larger), the upper bracket is doubled
/// until the target is reached and the crossing is located by bisection to
/// [`ROOT_TOLERANCE`] relative. It assumes the sequential power increases with n beyond the
/// fixed-horizon size, which holds because δ/σ_Δ grows like √n while z_seq grows like
/// √(ln n). The continuous total is then split and each arm rounded up.
///
/// This is an approximation (see [`sequential_power`]); only the two-sided test is planned.
///
/// # Errors
///
/// As [`sample_size`], [`ExperimentError::InvalidConfig`] unless the alternative is
/// two-sided, and [`ExperimentError::NotConverged`] if the bracket or the bisection fails.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Probability;
/// use prodops_experiment::power::{sample_size, sequential_sample_size, Design, PlanConfig};
///
/// let config = PlanConfig::builder().alpha(0.05).build()?;
/// let design = Design::mean(1.0)?;
/// let power = Probability::new(0.8)?;
/// let fixed = sample_size(&design, 0.2, power, &config)?;
/// let sequential = sequential_sample_size(&design, 0.2, power, &config)?;
/// assert!(sequential.total > fixed.total);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sequential_sample_size(
    design: &Design,
    effect: f64,
    power: Probability,
    config: &PlanConfig,
) -> Result<SampleSize, ExperimentError> {
    require_two_sided(config)?;
    let fixed = sample_size(design, effect, power, config)?;
    let v = variances(design, effect)?;
    let kappa = config.allocation_ratio;
    let alpha = config.alpha_per_comparison();
    let target = power.get();
    let reached = |n_total: f64| {
        let n_b = n_total / (1.0 + kappa);
        let n_a = kappa * n_b;
        let se = (v.control / n_a + v.treatment / n_b).sqrt();
        let z = sequential_critical_value(n_total, alpha, config.sequential_tuning);
        two_sided_power(effect / se, z) >= target
    };
    let lo = fixed.continuous_control + fixed.continuous_treatment;
    let n_total = if reached(lo) {
        lo
    } else {
        let mut hi = 2.0 * lo;
        while !reached(hi) {
            hi *= 2.0;
            if hi > MAX_SAMPLE_SIZE {
                return Err(ExperimentError::NotConverged {
                    what: "sequential sample size (no total below 2^53 reaches the power)".into(),
                });
            }
        }
        bisect_increasing(reached, hi / 2.0, hi, "sequential sample size")?
    };
    let n_treatment = n_total / (1.0 + kappa);
    round_up(kappa * n_treatment, n_treatment, config)
}

/// How a running experiment will be read out: at a fixed horizon, or with the always-valid
/// confidence sequence (which is wider, so needs more units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Horizon {
    /// A fixed-horizon z interval at the per-comparison α.
    #[default]
    Fixed,
    /// The asymptotic confidence sequence of Waudby-Smith et al. (eq. 9) with the config's
    /// tuning parameter N*.
    Sequential,
}

/// How many more units a running experiment needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MidExperimentPlan {
    /// Additional units as a multiple of the units so far (0 when the target is already met).
    pub scaling_factor: f64,
    /// Additional units, in both arms together, in the same split as so far.
    pub additional_units: f64,
    /// Units so far plus the additional ones.
    pub total_units: f64,
}

/// A running comparison seen mid-experiment: the standard error of its effect estimate now
/// and the units (both arms) it rests on. Planning from it uses the *observed* variance,
/// which is GrowthBook's mid-experiment power (`MidExperimentPower`, GrowthBook #3047), not
/// the guesses made before launch.
///
/// If s times the current units join in the same split, the effect's variance becomes
/// V/(1 + s). Everything here follows from that.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Analysis, MeanStats, Probability};
/// use prodops_experiment::power::{Horizon, PlanConfig, RunningExperiment};
///
/// let control = MeanStats::new(1_000, 10_000.0, 140_000.0)?;   // mean 10, sd ≈ 6.3
/// let treatment = MeanStats::new(1_000, 10_300.0, 146_000.0)?;
/// let outcome = Analysis::default().compare(&control, &treatment)?;
/// let running = RunningExperiment::from_outcome(&outcome, 2_000)?;
/// let config = PlanConfig::builder().alpha(0.05).build()?;
/// let plan = running.units_for_power(0.5, Probability::new(0.8)?, Horizon::Fixed, &config)?;
/// assert!(plan.additional_units > 0.0);
/// let reached = running.power(0.5, plan.scaling_factor, Horizon::Fixed, &config)?;
/// assert!((reached - 0.8).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunningExperiment {
    variance: f64,
    units: f64,
}

impl RunningExperiment {
    /// From the standard error of the effect estimate now and the units so far.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] unless both are finite and positive.
    pub fn new(std_error: f64, units: f64) -> Result<RunningExperiment, ExperimentError> {
        let se = positive_sd("standard error", std_error)?;
        Ok(RunningExperiment {
            variance: se * se,
            units: validate_n("units", units)?,
        })
    }

    /// From a comparison's outcome (its standard error, in its scale) and the units it rests
    /// on.
    ///
    /// # Errors
    ///
    /// As [`RunningExperiment::new`].
    pub fn from_outcome(
        outcome: &crate::TestOutcome,
        units: u64,
    ) -> Result<RunningExperiment, ExperimentError> {
        RunningExperiment::new(outcome.std_error, units as f64)
    }

    /// The critical value (half-width over standard error) once s times the current units
    /// have joined.
    fn critical_value(&self, s: f64, horizon: Horizon, config: &PlanConfig) -> f64 {
        let alpha = config.alpha_per_comparison();
        match horizon {
            Horizon::Fixed => upper_quantile(alpha / 2.0),
            Horizon::Sequential => {
                sequential_critical_value(self.units * (1.0 + s), alpha, config.sequential_tuning)
            }
        }
    }

    /// Two-sided power to detect an effect of size `mde` (in the outcome's scale) once
    /// `scaling_factor` times the current units have joined: with V′ = V/(1 + s) and h the
    /// half-width, Φ̄((h − mde)/√V′) + Φ(−(h + mde)/√V′), as gbstats' `MidExperimentPower`
    /// with a flat prior. α is the config's per-comparison level.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a zero or non-finite `mde` or a negative or
    /// non-finite scaling factor; [`ExperimentError::InvalidConfig`] for a one-sided config.
    pub fn power(
        &self,
        mde: f64,
        scaling_factor: f64,
        horizon: Horizon,
        config: &PlanConfig,
    ) -> Result<f64, ExperimentError> {
        require_two_sided(config)?;
        let mde = validate_effect(mde)?.abs();
        if !(scaling_factor.is_finite() && scaling_factor >= 0.0) {
            return Err(invalid_input(
                "scaling factor",
                format!("must be finite and ≥ 0, got {scaling_factor}"),
            ));
        }
        Ok(self.power_unchecked(mde, scaling_factor, horizon, config))
    }

    fn power_unchecked(&self, mde: f64, s: f64, horizon: Horizon, config: &PlanConfig) -> f64 {
        let se = (self.variance / (1.0 + s)).sqrt();
        two_sided_power(mde / se, self.critical_value(s, horizon, config))
    }

    /// The additional units needed for `power` to detect `mde`: the smallest scaling factor s
    /// with [`RunningExperiment::power`] ≥ `power`, by doubling and then bisection to
    /// 10⁻¹² relative. Zero when the experiment is already powered.
    ///
    /// # Errors
    ///
    /// As [`RunningExperiment::power`], and [`ExperimentError::NotConverged`] when not even
    /// 2⁵³ units would do.
    pub fn units_for_power(
        &self,
        mde: f64,
        power: Probability,
        horizon: Horizon,
        config: &PlanConfig,
    ) -> Result<MidExperimentPlan, ExperimentError> {
        self.power(mde, 0.0, horizon, config)?;
        let mde = mde.abs();
        self.solve(
            |s| self.power_unchecked(mde, s, horizon, config) >= power.get(),
            "mid-experiment units for the target power",
        )
    }

    /// The additional units needed for the confidence interval's half-width to shrink to
    /// `half_width` (GrowthBook #3047, time to a target margin of error). Fixed horizon:
    /// s = (z_{1−α/2}·√V / half_width)² − 1 in closed form; sequential: the half-width at
    /// n(1 + s) units solved by doubling and bisection. Zero when already that narrow.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] unless `half_width` is finite and positive,
    /// [`ExperimentError::InvalidConfig`] for a one-sided config, and
    /// [`ExperimentError::NotConverged`] when not even 2⁵³ units would do.
    pub fn units_for_half_width(
        &self,
        half_width: f64,
        horizon: Horizon,
        config: &PlanConfig,
    ) -> Result<MidExperimentPlan, ExperimentError> {
        require_two_sided(config)?;
        let target = positive_sd("half-width", half_width)?;
        let width =
            |s: f64| self.critical_value(s, horizon, config) * (self.variance / (1.0 + s)).sqrt();
        match horizon {
            Horizon::Fixed => {
                let ratio = width(0.0) / target;
                Ok(self.plan((ratio * ratio - 1.0).max(0.0)))
            }
            Horizon::Sequential => self.solve(
                |s| width(s) <= target,
                "mid-experiment units for the target half-width",
            ),
        }
    }

    /// Conditional power (Lan and Wittes 1988, "The B-value: a tool for monitoring data",
    /// Biometrics): the probability that the fixed-horizon two-sided test rejects at the end,
    /// once `scaling_factor` (> 0) times the current units have joined, given the current
    /// estimate and assuming the true effect is `assumed_effect` (pass the current estimate
    /// for "the current trend", 0 for futility under the null).
    ///
    /// With information fraction t = 1/(1 + s), B = (Δ̂/√V)·√t and drift
    /// η = θ/√(V/(1 + s)), the final z statistic is N(B + η(1 − t), 1 − t), so
    /// CP = Φ̄((z − B − η(1 − t))/√(1 − t)) + Φ((−z − B − η(1 − t))/√(1 − t)), z = z_{1−α/2}
    /// at the config's per-comparison α.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a non-finite estimate or assumed effect or a
    /// scaling factor that is not finite and positive; [`ExperimentError::InvalidConfig`] for
    /// a one-sided config.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::power::{PlanConfig, RunningExperiment};
    ///
    /// let running = RunningExperiment::new(0.2, 2_000.0)?;
    /// let config = PlanConfig::builder().alpha(0.05).build()?;
    /// // Estimate 0.3 (z = 1.5) now; doubling the sample under the current trend.
    /// let trend = running.conditional_power(0.3, 0.3, 1.0, &config)?;
    /// let null = running.conditional_power(0.3, 0.0, 1.0, &config)?;
    /// assert!(trend > 0.5 && null < trend);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conditional_power(
        &self,
        estimate: f64,
        assumed_effect: f64,
        scaling_factor: f64,
        config: &PlanConfig,
    ) -> Result<f64, ExperimentError> {
        require_two_sided(config)?;
        finite("current estimate", estimate)?;
        finite("assumed effect", assumed_effect)?;
        let s = validate_n("scaling factor", scaling_factor)?;
        let t = 1.0 / (1.0 + s);
        let b = estimate / self.variance.sqrt() * t.sqrt();
        let drift = assumed_effect / (self.variance / (1.0 + s)).sqrt();
        let mean = b + drift * (1.0 - t);
        let sd = (1.0 - t).sqrt();
        let z = upper_quantile(config.alpha_per_comparison() / 2.0);
        Ok(norm_sf((z - mean) / sd) + norm_cdf((-z - mean) / sd))
    }

    fn plan(&self, s: f64) -> MidExperimentPlan {
        MidExperimentPlan {
            scaling_factor: s,
            additional_units: s * self.units,
            total_units: self.units * (1.0 + s),
        }
    }

    /// The smallest s ≥ 0 where the monotone `reached` holds.
    fn solve(
        &self,
        reached: impl Fn(f64) -> bool,
        what: &str,
    ) -> Result<MidExperimentPlan, ExperimentError> {
        if reached(0.0) {
            return Ok(self.plan(0.0));
        }
        let limit = MAX_SAMPLE_SIZE / self.units;
        let mut hi = 1.0;
        while !reached(hi) {
            hi *= 2.0;
            if hi > limit {
                return Err(ExperimentError::NotConverged { what: what.into() });
            }
        }
        bisect_increasing(reached, 0.0, hi, what).map(|s| self.plan(s))
    }
}
