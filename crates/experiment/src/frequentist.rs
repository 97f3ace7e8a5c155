//! Fixed-horizon frequentist tests: Welch, Student and z tests of absolute and relative
//! effects, two-proportion tests, Fieller intervals, non-inferiority margins.

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::config::{Alpha, Alternative, Interval, Scale};
use crate::dist::{norm_ppf, t_ppf, t_sf};
use crate::error::{finite, invalid_config};
use crate::moments::{ArmMoments, Metric};
use crate::stats::ProportionStats;

/// The reference distribution of a test of means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeanTest {
    /// Welch's unequal-variance t test with Welch–Satterthwaite degrees of freedom (gbstats,
    /// `scipy.stats.ttest_ind(equal_var=False)`). The default.
    #[default]
    Welch,
    /// Student's equal-variance t test (`equal_var=True`).
    Student,
    /// The z test: Welch's variance with the normal distribution (Spotify `ZTest`).
    Z,
}

/// How the standard error of a two-proportion z test's *p-value* is computed. Confidence
/// intervals always use the unpooled (Wald) standard error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProportionSe {
    /// √(p_A(1 − p_A)/n_A + p_B(1 − p_B)/n_B), as Spotify's `ZTest` and gbstats. The default.
    #[default]
    Unpooled,
    /// √(p̄(1 − p̄)(1/n_A + 1/n_B)) with p̄ the pooled rate, as statsmodels'
    /// `proportions_ztest` and the uncorrected χ² test.
    Pooled,
}

/// Which test produced an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TestMethod {
    /// Welch's t test.
    WelchT,
    /// Student's t test.
    StudentT,
    /// A z test with the unpooled variance.
    Z,
    /// A two-proportion z test whose p-value uses the pooled variance.
    PooledZ,
}

/// A warning attached to an outcome: the result exists but deserves a second look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Warning {
    /// The control mean is within `multiple` standard errors of zero, so a relative effect is
    /// unstable (Eppo docs PR #457).
    BaselineNearZero {
        /// |control mean| / its standard error.
        ratio: f64,
    },
}

/// The result of a frequentist comparison of treatment (B) with control (A).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TestOutcome {
    /// The estimated effect, x̄_B − x̄_A or (x̄_B − x̄_A)/|x̄_A|.
    pub estimate: f64,
    /// The standard error of the estimate.
    pub std_error: f64,
    /// The 1 − α confidence interval (one-sided intervals have one infinite bound).
    pub ci: Interval,
    /// The p-value against the null value, from the survival function.
    pub p_value: f64,
    /// Degrees of freedom for t tests; `None` for z tests.
    pub df: Option<f64>,
    /// Absolute or relative.
    pub scale: Scale,
    /// The test used.
    pub method: TestMethod,
    /// The alternative tested.
    pub alternative: Alternative,
    /// The effect under the null hypothesis (0, or a non-inferiority margin).
    pub null_value: f64,
    /// Control's estimate.
    pub control_mean: f64,
    /// Treatment's estimate.
    pub treatment_mean: f64,
    /// Warnings, if any.
    pub warnings: Vec<Warning>,
}

impl TestOutcome {
    /// Whether the null hypothesis is rejected at `alpha`.
    pub fn significant(&self, alpha: Alpha) -> bool {
        self.p_value <= alpha.get()
    }
}

/// The settings of a frequentist analysis, built with [`Analysis::builder`].
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Alternative, Analysis, MeanStats, Scale};
///
/// let control = MeanStats::new(1_000, 10_000.0, 110_000.0)?;    // mean 10, sd ≈ 3.16
/// let treatment = MeanStats::new(1_000, 10_400.0, 118_000.0)?;  // mean 10.4
/// let analysis = Analysis::builder().alpha(0.05).scale(Scale::Relative).build()?;
/// let outcome = analysis.compare(&control, &treatment)?;
/// assert!((outcome.estimate - 0.04).abs() < 1e-12);
/// assert!(outcome.ci.contains(outcome.estimate));
/// assert!(outcome.p_value < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    alpha: Alpha,
    alternative: Alternative,
    scale: Scale,
    test: MeanTest,
    null_value: f64,
    baseline_warning_multiple: f64,
}

/// Builder of [`Analysis`]; every setting has a default.
#[derive(Debug, Clone)]
pub struct AnalysisBuilder {
    alpha: f64,
    alternative: Alternative,
    scale: Scale,
    test: MeanTest,
    null_value: f64,
    baseline_warning_multiple: f64,
}

impl Default for AnalysisBuilder {
    fn default() -> Self {
        AnalysisBuilder {
            alpha: 0.05,
            alternative: Alternative::TwoSided,
            scale: Scale::Absolute,
            test: MeanTest::Welch,
            null_value: 0.0,
            baseline_warning_multiple: 2.0,
        }
    }
}

impl AnalysisBuilder {
    /// The significance level α (default 0.05); the confidence level is 1 − α.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The alternative hypothesis (default two-sided).
    pub fn alternative(mut self, alternative: Alternative) -> Self {
        self.alternative = alternative;
        self
    }

    /// Absolute or relative effects (default absolute).
    pub fn scale(mut self, scale: Scale) -> Self {
        self.scale = scale;
        self
    }

    /// The test of means (default Welch).
    pub fn test(mut self, test: MeanTest) -> Self {
        self.test = test;
        self
    }

    /// The effect under the null hypothesis, in the analysis' scale (default 0).
    ///
    /// For a non-inferiority test where higher is better and a loss of up to δ is acceptable,
    /// use [`Alternative::Greater`] with null value −δ: the null "Δ ≤ −δ" is rejected when the
    /// treatment is shown to be no worse than δ. With [`Scale::Relative`] the margin is a
    /// fraction of the control mean, as Spotify's relative NIMs.
    pub fn null_value(mut self, null_value: f64) -> Self {
        self.null_value = null_value;
        self
    }

    /// A non-inferiority test with margin `margin > 0`: if `higher_is_better`, H0 is Δ ≤ −margin
    /// against Δ > −margin; otherwise H0 is Δ ≥ margin against Δ < margin.
    pub fn non_inferiority(mut self, margin: f64, higher_is_better: bool) -> Self {
        if higher_is_better {
            self.alternative = Alternative::Greater;
            self.null_value = -margin;
        } else {
            self.alternative = Alternative::Less;
            self.null_value = margin;
        }
        self
    }

    /// Warn when |control mean| is within this many of its standard errors of 0 in a relative
    /// analysis (default 2).
    pub fn baseline_warning_multiple(mut self, multiple: f64) -> Self {
        self.baseline_warning_multiple = multiple;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] for α outside (0, 1) or a non-finite null value or
    /// warning multiple.
    pub fn build(self) -> Result<Analysis, ExperimentError> {
        let alpha = Alpha::new(self.alpha)?;
        if !self.null_value.is_finite() {
            return Err(invalid_config(
                "null value",
                format!("must be finite, got {}", self.null_value),
            ));
        }
        if !(self.baseline_warning_multiple.is_finite() && self.baseline_warning_multiple >= 0.0) {
            return Err(invalid_config(
                "baseline warning multiple",
                "must be a finite number ≥ 0",
            ));
        }
        Ok(Analysis {
            alpha,
            alternative: self.alternative,
            scale: self.scale,
            test: self.test,
            null_value: self.null_value,
            baseline_warning_multiple: self.baseline_warning_multiple,
        })
    }
}

impl Default for Analysis {
    /// Two-sided Welch test of the absolute effect at α = 0.05.
    fn default() -> Self {
        Analysis {
            alpha: Alpha::default(),
            alternative: Alternative::TwoSided,
            scale: Scale::Absolute,
            test: MeanTest::Welch,
            null_value: 0.0,
            baseline_warning_multiple: 2.0,
        }
    }
}

/// The estimate and variance of an effect, with the distribution it is referred to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Effect {
    pub(crate) estimate: f64,
    pub(crate) variance: f64,
    /// `None` for the normal distribution.
    pub(crate) df: Option<f64>,
}

/// Welch–Satterthwaite degrees of freedom from the per-arm variances of the means.
pub(crate) fn welch_df(a: &ArmMoments, b: &ArmMoments) -> f64 {
    let va = a.variance_of_mean();
    let vb = b.variance_of_mean();
    (va + vb).powi(2) / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0))
}

/// The absolute or relative effect of `b` over `a` and its variance by the delta method.
///
/// The relative effect divides by |ā| (the unadjusted control mean) so that it has the sign of
/// the absolute difference even for a negative baseline (gbstats PR #6658).
pub(crate) fn effect(
    a: &ArmMoments,
    b: &ArmMoments,
    scale: Scale,
    test: MeanTest,
) -> Result<Effect, ExperimentError> {
    let (va, vb) = match test {
        MeanTest::Student => {
            let (na, nb) = (a.n as f64, b.n as f64);
            let pooled =
                ((na - 1.0) * a.unit_variance + (nb - 1.0) * b.unit_variance) / (na + nb - 2.0);
            (pooled / na, pooled / nb)
        }
        MeanTest::Welch | MeanTest::Z => (a.variance_of_mean(), b.variance_of_mean()),
    };
    let df = match test {
        MeanTest::Welch => Some(welch_df(a, b)),
        MeanTest::Student => Some(a.n as f64 + b.n as f64 - 2.0),
        MeanTest::Z => None,
    };
    let diff = b.mean - a.mean;
    let (estimate, variance) = match scale {
        Scale::Absolute => (diff, va + vb),
        Scale::Relative => {
            let base = a.unadjusted_mean;
            if base == 0.0 {
                return Err(ExperimentError::ZeroBaseline {
                    arm: "control".into(),
                });
            }
            let mb = b.unadjusted_mean;
            // Var((B − A)/|A|) ≈ V_B/A² + V_A·B²/A⁴ (first-order delta method).
            (
                diff / base.abs(),
                vb / (base * base) + va * mb * mb / base.powi(4),
            )
        }
    };
    finite("effect estimate", estimate)?;
    finite("effect variance", variance)?;
    Ok(Effect {
        estimate,
        variance,
        df,
    })
}

/// The p-value and confidence interval of an effect: the one code path of every fixed-horizon
/// test.
pub(crate) fn infer(
    effect: Effect,
    alternative: Alternative,
    alpha: Alpha,
    null_value: f64,
) -> Result<(f64, Interval), ExperimentError> {
    let se = effect.variance.sqrt();
    let df = effect.df.unwrap_or(f64::INFINITY);
    let t = (effect.estimate - null_value) / se;
    let a = alpha.get();
    let (p, ci) = match alternative {
        Alternative::TwoSided => {
            let q = t_ppf(1.0 - a / 2.0, df)?;
            let p = (2.0 * t_sf(t.abs(), df)?).min(1.0);
            (
                p,
                Interval {
                    lower: effect.estimate - q * se,
                    upper: effect.estimate + q * se,
                },
            )
        }
        Alternative::Greater => {
            let q = t_ppf(1.0 - a, df)?;
            (
                t_sf(t, df)?,
                Interval {
                    lower: effect.estimate - q * se,
                    upper: f64::INFINITY,
                },
            )
        }
        Alternative::Less => {
            let q = t_ppf(1.0 - a, df)?;
            (
                t_sf(-t, df)?,
                Interval {
                    lower: f64::NEG_INFINITY,
                    upper: effect.estimate + q * se,
                },
            )
        }
    };
    Ok((finite("p-value", p)?, ci))
}

impl Analysis {
    /// Starts a builder with the defaults: α = 0.05, two-sided, absolute, Welch, null 0.
    pub fn builder() -> AnalysisBuilder {
        AnalysisBuilder::default()
    }

    /// The significance level.
    pub fn alpha(&self) -> Alpha {
        self.alpha
    }

    /// The alternative hypothesis.
    pub fn alternative(&self) -> Alternative {
        self.alternative
    }

    /// The effect scale.
    pub fn scale(&self) -> Scale {
        self.scale
    }

    /// Compares treatment with control for any metric type with the configured test of means
    /// (Welch by default).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::TooFewUnits`] or [`ExperimentError::ZeroOrNegativeVariance`] naming
    /// the arm, [`ExperimentError::ZeroBaseline`] for a relative effect on a zero control
    /// mean, and any error of the metric's own reduction.
    pub fn compare(
        &self,
        control: &impl Metric,
        treatment: &impl Metric,
    ) -> Result<TestOutcome, ExperimentError> {
        let a = control.moments("control")?;
        let b = treatment.moments("treatment")?;
        self.compare_moments(&a, &b)
    }

    /// [`Analysis::compare`] on moments already reduced.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`].
    pub fn compare_moments(
        &self,
        a: &ArmMoments,
        b: &ArmMoments,
    ) -> Result<TestOutcome, ExperimentError> {
        let effect = effect(a, b, self.scale, self.test)?;
        let (p_value, ci) = infer(effect, self.alternative, self.alpha, self.null_value)?;
        let method = match self.test {
            MeanTest::Welch => TestMethod::WelchT,
            MeanTest::Student => TestMethod::StudentT,
            MeanTest::Z => TestMethod::Z,
        };
        Ok(self.outcome(a, b, effect, p_value, ci, method))
    }

    /// A two-proportion z test. The confidence interval uses the unpooled (Wald) standard error;
    /// the p-value uses `se` (unpooled by default, pooled to match statsmodels'
    /// `proportions_ztest` and the uncorrected χ² test).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::TooFewUnits`] when an arm has fewer than 2 units,
    /// [`ExperimentError::ZeroOrNegativeVariance`] when both arms' rates are 0 or 1 (no
    /// variance at all), [`ExperimentError::ZeroBaseline`] for a relative effect when the
    /// control rate is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, ProportionSe, ProportionStats};
    ///
    /// let control = ProportionStats::new(10_000, 1_000)?;
    /// let treatment = ProportionStats::new(10_000, 1_100)?;
    /// let outcome = Analysis::default().proportions(&control, &treatment, ProportionSe::Pooled)?;
    /// assert!((outcome.estimate - 0.01).abs() < 1e-12);
    /// assert!(outcome.p_value < 0.05);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proportions(
        &self,
        control: &ProportionStats,
        treatment: &ProportionStats,
        se: ProportionSe,
    ) -> Result<TestOutcome, ExperimentError> {
        let raw = |s: &ProportionStats, arm: &str| -> Result<ArmMoments, ExperimentError> {
            if s.n() < 2 {
                return Err(ExperimentError::TooFewUnits {
                    arm: arm.into(),
                    n: s.n(),
                    min: 2,
                });
            }
            let p = s.successes() as f64 / s.n() as f64;
            Ok(ArmMoments {
                n: s.n(),
                mean: p,
                unit_variance: p * (1.0 - p),
                unadjusted_mean: p,
            })
        };
        let a = raw(control, "control")?;
        let b = raw(treatment, "treatment")?;
        if a.unit_variance == 0.0 && b.unit_variance == 0.0 {
            return Err(ExperimentError::ZeroOrNegativeVariance {
                arm: "control and treatment".into(),
                detail: format!("rates {} and {} leave no variance", a.mean, b.mean),
            });
        }
        let ci_effect = effect(&a, &b, self.scale, MeanTest::Z)?;
        let (mut p_value, ci) = infer(ci_effect, self.alternative, self.alpha, self.null_value)?;
        let method = match se {
            ProportionSe::Unpooled => TestMethod::Z,
            ProportionSe::Pooled => {
                let pooled = (control.successes() + treatment.successes()) as f64
                    / (control.n() + treatment.n()) as f64;
                let pooled_arm = |m: &ArmMoments| ArmMoments {
                    unit_variance: pooled * (1.0 - pooled),
                    ..*m
                };
                let p_effect = effect(&pooled_arm(&a), &pooled_arm(&b), self.scale, MeanTest::Z)?;
                p_value = infer(p_effect, self.alternative, self.alpha, self.null_value)?.0;
                TestMethod::PooledZ
            }
        };
        Ok(self.outcome(&a, &b, ci_effect, p_value, ci, method))
    }

    fn outcome(
        &self,
        a: &ArmMoments,
        b: &ArmMoments,
        effect: Effect,
        p_value: f64,
        ci: Interval,
        method: TestMethod,
    ) -> TestOutcome {
        let mut warnings = Vec::new();
        if self.scale == Scale::Relative {
            let se_base = a.variance_of_mean().sqrt();
            let ratio = a.unadjusted_mean.abs() / se_base;
            if ratio < self.baseline_warning_multiple {
                warnings.push(Warning::BaselineNearZero { ratio });
            }
        }
        TestOutcome {
            estimate: effect.estimate,
            std_error: effect.variance.sqrt(),
            ci,
            p_value,
            df: effect.df,
            scale: self.scale,
            method,
            alternative: self.alternative,
            null_value: self.null_value,
            control_mean: a.mean,
            treatment_mean: b.mean,
            warnings,
        }
    }
}

/// Fieller's confidence set for the relative effect μ_B/μ_A − 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum FiellerInterval {
    /// A finite interval for the relative effect.
    Bounded {
        /// The interval.
        ci: Interval,
    },
    /// The control mean is not distinguishable from 0 at this level (x̄_A² ≤ z²·V_A), so the
    /// confidence set is unbounded: no finite interval for the relative effect exists.
    Unbounded,
}

/// Fieller's 1 − α interval for the relative effect (x̄_B − x̄_A)/|x̄_A|, from independent arms
/// with normal approximations (z quantile).
///
/// It solves (x̄_A² − z²V_A)θ² − 2x̄_A x̄_B θ + (x̄_B² − z²V_B) ≤ 0 for θ = μ_B/μ_A and reports
/// θ − 1 (its negative when the control mean is negative, keeping the sign convention of the
/// delta-method lift). Unlike the delta method it is exact under normality and becomes
/// asymmetric, or unbounded, as the control mean nears zero.
///
/// # Errors
///
/// As [`Analysis::compare`], and [`ExperimentError::ZeroBaseline`] when the control mean is 0.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{fieller_interval, Alpha, FiellerInterval, MeanStats};
///
/// let control = MeanStats::new(1_000, 10_000.0, 110_000.0)?;
/// let treatment = MeanStats::new(1_000, 10_400.0, 118_000.0)?;
/// let FiellerInterval::Bounded { ci } = fieller_interval(&control, &treatment, Alpha::new(0.05)?)? else {
///     return Err("expected a bounded interval".into());
/// };
/// assert!(ci.contains(0.04));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fieller_interval(
    control: &impl Metric,
    treatment: &impl Metric,
    alpha: Alpha,
) -> Result<FiellerInterval, ExperimentError> {
    let a = control.moments("control")?;
    let b = treatment.moments("treatment")?;
    if a.mean == 0.0 {
        return Err(ExperimentError::ZeroBaseline {
            arm: "control".into(),
        });
    }
    let z = norm_ppf(1.0 - alpha.get() / 2.0);
    let z2 = z * z;
    let qa = a.mean * a.mean - z2 * a.variance_of_mean();
    let qb = -2.0 * a.mean * b.mean;
    let qc = b.mean * b.mean - z2 * b.variance_of_mean();
    let disc = qb * qb - 4.0 * qa * qc;
    if qa <= 0.0 || disc < 0.0 {
        return Ok(FiellerInterval::Unbounded);
    }
    let root = disc.sqrt();
    // The numerically stable pair of quadratic roots.
    let q = -0.5 * (qb + qb.signum() * root);
    let (r1, r2) = (q / qa, qc / q);
    let (lo, hi) = if r1 < r2 { (r1, r2) } else { (r2, r1) };
    let ci = if a.mean > 0.0 {
        Interval {
            lower: lo - 1.0,
            upper: hi - 1.0,
        }
    } else {
        Interval {
            lower: 1.0 - hi,
            upper: 1.0 - lo,
        }
    };
    Ok(FiellerInterval::Bounded { ci })
}

/// The result of Pearson's χ² test of independence on a 2×2 table of converted / not
/// converted by arm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChiSquareOutcome {
    /// The χ² statistic (1 degree of freedom).
    pub statistic: f64,
    /// P(χ²₁ > statistic).
    pub p_value: f64,
    /// Whether Yates' continuity correction was applied.
    pub yates: bool,
}

/// Pearson's χ² test on the 2×2 table of successes and failures of two arms.
///
/// `yates` applies the continuity correction as `scipy.stats.chi2_contingency` does by
/// default (each cell moves towards its expectation by at most 0.5). Spotify's `ChiSquared`
/// does not correct; without the correction the statistic is the square of the pooled z.
///
/// # Errors
///
/// [`ExperimentError::TooFewUnits`] when an arm is empty and
/// [`ExperimentError::ZeroOrNegativeVariance`] when a row or column of the table is all zero
/// (no successes or no failures at all).
///
/// # Examples
///
/// ```
/// use prodops_experiment::{chi_square_2x2, ProportionStats};
///
/// let a = ProportionStats::new(1_000, 100)?;
/// let b = ProportionStats::new(1_000, 130)?;
/// let plain = chi_square_2x2(&a, &b, false)?;
/// let corrected = chi_square_2x2(&a, &b, true)?;
/// assert!(corrected.statistic < plain.statistic);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn chi_square_2x2(
    control: &ProportionStats,
    treatment: &ProportionStats,
    yates: bool,
) -> Result<ChiSquareOutcome, ExperimentError> {
    for (arm, s) in [("control", control), ("treatment", treatment)] {
        if s.n() == 0 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.into(),
                n: 0,
                min: 1,
            });
        }
    }
    let cells = [
        [
            control.successes() as f64,
            (control.n() - control.successes()) as f64,
        ],
        [
            treatment.successes() as f64,
            (treatment.n() - treatment.successes()) as f64,
        ],
    ];
    let rows = [cells[0][0] + cells[0][1], cells[1][0] + cells[1][1]];
    let cols = [cells[0][0] + cells[1][0], cells[0][1] + cells[1][1]];
    let total = rows[0] + rows[1];
    if cols[0] == 0.0 || cols[1] == 0.0 {
        return Err(ExperimentError::ZeroOrNegativeVariance {
            arm: "control and treatment".into(),
            detail: "every unit has the same outcome".into(),
        });
    }
    let mut statistic = 0.0;
    for (i, row) in cells.iter().enumerate() {
        for (j, observed) in row.iter().enumerate() {
            let expected = rows[i] * cols[j] / total;
            let mut diff = (observed - expected).abs();
            if yates {
                diff -= diff.min(0.5);
            }
            statistic += diff * diff / expected;
        }
    }
    Ok(ChiSquareOutcome {
        statistic,
        p_value: crate::dist::chi2_sf(statistic, 1.0)?,
        yates,
    })
}

/// The result of two one-sided tests (TOST) of equivalence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EquivalenceOutcome {
    /// The effect estimate.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// max of the two one-sided p-values: equivalence is shown when it is at most α.
    pub p_value: f64,
    /// p-value of H0: Δ ≤ lower.
    pub p_lower: f64,
    /// p-value of H0: Δ ≥ upper.
    pub p_upper: f64,
    /// The 1 − 2α interval whose inclusion in (lower, upper) is equivalent to the test.
    pub ci: Interval,
}

impl Analysis {
    /// Two one-sided tests of equivalence: H0 Δ ≤ `lower` or Δ ≥ `upper` against
    /// `lower` < Δ < `upper`, with the analysis' test of means and scale (statsmodels
    /// `ttost_ind`; `usevar="unequal"` is the Welch default here).
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`], and [`ExperimentError::InvalidConfig`] unless
    /// `lower < upper` and both are finite.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, ArmMoments};
    ///
    /// let a = ArmMoments::new("control", 5_000, 10.0, 4.0)?;
    /// let b = ArmMoments::new("treatment", 5_000, 10.01, 4.0)?;
    /// let tost = Analysis::default().equivalence(&a, &b, -0.2, 0.2)?;
    /// assert!(tost.p_value < 0.05);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn equivalence(
        &self,
        control: &impl Metric,
        treatment: &impl Metric,
        lower: f64,
        upper: f64,
    ) -> Result<EquivalenceOutcome, ExperimentError> {
        if !(lower.is_finite() && upper.is_finite() && lower < upper) {
            return Err(invalid_config(
                "equivalence bounds",
                format!("need finite lower < upper, got ({lower}, {upper})"),
            ));
        }
        let a = control.moments("control")?;
        let b = treatment.moments("treatment")?;
        let e = effect(&a, &b, self.scale, self.test)?;
        let (p_lower, _) = infer(e, Alternative::Greater, self.alpha, lower)?;
        let (p_upper, _) = infer(e, Alternative::Less, self.alpha, upper)?;
        let df = e.df.unwrap_or(f64::INFINITY);
        let q = t_ppf(1.0 - self.alpha.get(), df)?;
        let se = e.variance.sqrt();
        Ok(EquivalenceOutcome {
            estimate: e.estimate,
            std_error: se,
            p_value: p_lower.max(p_upper),
            p_lower,
            p_upper,
            ci: Interval {
                lower: e.estimate - q * se,
                upper: e.estimate + q * se,
            },
        })
    }
}

/// An absolute effect scaled from per unit to a total per day (gbstats'
/// `difference_type="scaled"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScaledImpact {
    /// The per-unit absolute comparison the impact is scaled from.
    pub per_unit: TestOutcome,
    /// The multiplier n_B / w_B / days.
    pub factor: f64,
    /// The scaled effect: per-unit effect × factor.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// The per-unit interval × factor.
    pub ci: Interval,
    /// The per-unit p-value (scaling by a known constant does not change the test).
    pub p_value: f64,
}

impl Analysis {
    /// The treatment's impact in metric units per day if every unit in the experiment got it:
    /// the absolute per-unit effect (whatever the analysis' scale) times n_B/w_B/days, where
    /// n_B/w_B estimates the experiment's total units from the treatment arm's size and its
    /// planned share w_B, as gbstats 0.8.0 does for `difference_type="scaled"`
    /// (`traffic_proportion_b`, `phase_length_days`). The estimate, standard error and interval
    /// scale; the p-value does not.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`], and [`ExperimentError::InvalidConfig`] unless
    /// 0 < `treatment_share` ≤ 1 and `days` is finite and positive (gbstats returns a blank
    /// result for a zero share).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, MeanStats};
    ///
    /// let control = MeanStats::new(5_000, 50_000.0, 560_000.0)?;
    /// let treatment = MeanStats::new(5_100, 52_000.0, 590_000.0)?;
    /// // Half the traffic to treatment, over a week: 5,100 / 0.5 / 7 units a day.
    /// let impact = Analysis::default().scaled_impact(&control, &treatment, 0.5, 7.0)?;
    /// assert!((impact.factor - 5_100.0 / 0.5 / 7.0).abs() < 1e-9);
    /// assert_eq!(impact.p_value, impact.per_unit.p_value);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scaled_impact(
        &self,
        control: &impl Metric,
        treatment: &impl Metric,
        treatment_share: f64,
        days: f64,
    ) -> Result<ScaledImpact, ExperimentError> {
        if !(treatment_share > 0.0 && treatment_share <= 1.0) {
            return Err(invalid_config(
                "treatment share",
                format!("must be in (0, 1], got {treatment_share}"),
            ));
        }
        if !(days.is_finite() && days > 0.0) {
            return Err(invalid_config(
                "days",
                format!("must be finite and > 0, got {days}"),
            ));
        }
        let absolute = Analysis {
            scale: Scale::Absolute,
            ..self.clone()
        };
        let a = control.moments("control")?;
        let b = treatment.moments("treatment")?;
        let per_unit = absolute.compare_moments(&a, &b)?;
        let factor = b.n as f64 / treatment_share / days;
        Ok(ScaledImpact {
            estimate: per_unit.estimate * factor,
            std_error: per_unit.std_error * factor,
            ci: Interval {
                lower: per_unit.ci.lower * factor,
                upper: per_unit.ci.upper * factor,
            },
            p_value: per_unit.p_value,
            factor,
            per_unit,
        })
    }
}
