//! CUPED: variance reduction with a pre-period covariate (Deng, Xu, Kohavi and Walker 2013,
//! "Improving the sensitivity of online controlled experiments by utilizing pre-experiment
//! data").

use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::{finite, invalid_input};
use crate::frequentist::{Analysis, MeanTest, TestOutcome};
use crate::moments::ArmMoments;
use crate::stats::{MeanStats, pair_sums, pair_sums_iter};

/// Sufficient statistics of an outcome y with a pre-period covariate x in one arm: the sums
/// of y, of x, and Σxy.
///
/// # Examples
///
/// ```
/// use prodops_experiment::CupedStats;
///
/// let stats = CupedStats::from_pairs(&[(12.0, 10.0), (15.0, 14.0), (9.0, 8.0)])?;
/// assert_eq!(stats.n(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CupedStats {
    post: MeanStats,
    pre: MeanStats,
    sum_products: f64,
}

impl CupedStats {
    /// Validated sums: `post` (the outcome) and `pre` (the covariate) over the same units,
    /// and Σxy.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when the two sides have different n or Σxy is not
    /// finite.
    pub fn new(
        post: MeanStats,
        pre: MeanStats,
        sum_products: f64,
    ) -> Result<CupedStats, ExperimentError> {
        if post.n() != pre.n() {
            return Err(invalid_input(
                "CUPED statistics",
                format!(
                    "outcome has n = {} but covariate has n = {}",
                    post.n(),
                    pre.n()
                ),
            ));
        }
        finite("sum of products", sum_products)?;
        Ok(CupedStats {
            post,
            pre,
            sum_products,
        })
    }

    /// The sums of per-unit `(outcome, covariate)` pairs.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite (naming its index).
    pub fn from_pairs(pairs: &[(f64, f64)]) -> Result<CupedStats, ExperimentError> {
        let (post, pre, sum_products) = pair_sums(pairs, ["outcome", "covariate"])?;
        Ok(CupedStats {
            post,
            pre,
            sum_products,
        })
    }

    /// The sums of per-unit `(outcome, covariate)` pairs from an iterator, in one pass;
    /// equal to [`CupedStats::from_pairs`] on the same pairs, to the last bit.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite (naming its index).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::CupedStats;
    ///
    /// let outcome = [12.0, 15.0, 9.0];
    /// let last_month = [10.0, 14.0, 8.0];
    /// let stats = CupedStats::from_pair_iter(outcome.into_iter().zip(last_month))?;
    /// assert_eq!(stats, CupedStats::from_pairs(&[(12.0, 10.0), (15.0, 14.0), (9.0, 8.0)])?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pair_iter(
        pairs: impl IntoIterator<Item = (f64, f64)>,
    ) -> Result<CupedStats, ExperimentError> {
        let (post, pre, sum_products) = pair_sums_iter(pairs, ["outcome", "covariate"])?;
        Ok(CupedStats {
            post,
            pre,
            sum_products,
        })
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        self.post.n()
    }

    /// The outcome's sums.
    pub fn post(&self) -> &MeanStats {
        &self.post
    }

    /// The covariate's sums.
    pub fn pre(&self) -> &MeanStats {
        &self.pre
    }

    /// Σxy.
    pub fn sum_products(&self) -> f64 {
        self.sum_products
    }

    /// Sample covariance of outcome and covariate.
    fn covariance(&self) -> f64 {
        let n = self.n() as f64;
        (self.sum_products - self.post.sum() * self.pre.sum() / n) / (n - 1.0)
    }

    /// The arm's moments after subtracting θ·(x − x̄): mean ȳ − θx̄ and per-unit variance
    /// s²_y + θ²s²_x − 2θ·s_xy; the unadjusted mean ȳ stays the denominator of relative
    /// effects (gbstats `RegressionAdjustedStatistic`).
    fn adjusted_moments(&self, arm: &str, theta: f64) -> Result<ArmMoments, ExperimentError> {
        let n = self.n();
        if n < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n,
                min: 2,
            });
        }
        let nf = n as f64;
        let var = |s: &MeanStats| (s.sum_sq() - s.sum() * s.sum() / nf) / (nf - 1.0);
        let y_bar = self.post.sum() / nf;
        let x_bar = self.pre.sum() / nf;
        let unit_variance =
            var(&self.post) + theta * theta * var(&self.pre) - 2.0 * theta * self.covariance();
        ArmMoments::adjusted(arm, n, y_bar - theta * x_bar, unit_variance, y_bar)
    }
}

impl Analysis {
    /// An always-valid CUPED comparison: [`Analysis::sequential`] on the regression-adjusted
    /// arms, with θ pooled as in [`Analysis::cuped`] (0 when a pooled variance is 0). The
    /// confidence sequence stays valid however often the experiment is looked at, and is
    /// narrower than the unadjusted one by about the variance CUPED removes. Relative effects
    /// divide by the unadjusted control mean, as gbstats' `SequentialTwoSidedTTest` on
    /// `RegressionAdjustedStatistic` arms does.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::TooFewUnits`] for an arm with fewer than 2 units; as
    /// [`Analysis::sequential`] for the adjusted arms.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, CupedStats, Sequential};
    ///
    /// let control = CupedStats::from_pairs(&[(10.0, 9.0), (12.0, 11.5), (8.0, 7.0), (11.0, 10.0)])?;
    /// let treatment = CupedStats::from_pairs(&[(12.0, 10.0), (13.5, 11.0), (9.5, 7.5), (12.0, 9.5)])?;
    /// let analysis = Analysis::default();
    /// let fixed = analysis.cuped(&control, &treatment)?.adjusted;
    /// let always_valid = analysis.sequential_cuped(&control, &treatment, Sequential::default())?;
    /// assert_eq!(always_valid.estimate, fixed.estimate);
    /// assert!(always_valid.ci.half_width() > fixed.ci.half_width()); // the price of peeking
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sequential_cuped(
        &self,
        control: &CupedStats,
        treatment: &CupedStats,
        settings: crate::Sequential,
    ) -> Result<crate::SequentialOutcome, ExperimentError> {
        let theta = pooled_theta(control, treatment).unwrap_or(0.0);
        let a = control.adjusted_moments("control", theta)?;
        let b = treatment.adjusted_moments("treatment", theta)?;
        self.sequential(&a, &b, settings)
    }
}

impl Add for CupedStats {
    type Output = CupedStats;

    fn add(self, rhs: CupedStats) -> CupedStats {
        CupedStats {
            post: self.post + rhs.post,
            pre: self.pre + rhs.pre,
            sum_products: self.sum_products + rhs.sum_products,
        }
    }
}

impl AddAssign for CupedStats {
    fn add_assign(&mut self, rhs: CupedStats) {
        *self = *self + rhs;
    }
}

impl Sum for CupedStats {
    fn sum<I: Iterator<Item = CupedStats>>(iter: I) -> CupedStats {
        iter.fold(CupedStats::default(), Add::add)
    }
}

/// The adjusted and unadjusted results of a CUPED analysis, with its health checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CupedOutcome {
    /// The regression-adjusted comparison.
    pub adjusted: TestOutcome,
    /// The same comparison without the covariate.
    pub unadjusted: TestOutcome,
    /// θ = cov(y, x) / var(x) from both arms pooled (0 when either pooled variance is 0).
    pub theta: f64,
    /// 1 − Var(adjusted estimate) / Var(unadjusted estimate): the share of variance removed.
    pub variance_reduction: f64,
    /// A Welch test of the covariate itself between arms: randomization should leave it
    /// balanced, so a small p-value means the adjustment is correcting a pre-period imbalance
    /// (GrowthBook #4586). `None` when the covariate has no variance in an arm, where no test
    /// exists (and θ is 0, so nothing is adjusted).
    pub pre_period_balance: Option<TestOutcome>,
    /// The adjustment changed the sign of the estimate (GrowthBook #4587).
    pub sign_flipped: bool,
    /// θ was set to 0 because a pooled variance was 0; the adjusted result equals the
    /// unadjusted one.
    pub theta_degenerate: bool,
}

/// θ from the pooled statistics of both arms, as gbstats `compute_theta`: one θ for both
/// arms keeps the adjusted difference unbiased.
pub fn pooled_theta(control: &CupedStats, treatment: &CupedStats) -> Option<f64> {
    let joint = *control + *treatment;
    let (var_x, var_y) = (joint.pre.sample_variance()?, joint.post.sample_variance()?);
    (var_x > 0.0 && var_y > 0.0).then(|| joint.covariance() / var_x)
}

impl Analysis {
    /// A CUPED (regression-adjusted) comparison with a pooled θ, returned with the unadjusted
    /// comparison, the variance reduction and the health checks.
    ///
    /// Relative effects divide by the *unadjusted* control mean, as gbstats does.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`] for either arm's outcome and adjusted outcome.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, CupedStats};
    ///
    /// let control = CupedStats::from_pairs(&[(10.0, 9.0), (12.0, 11.5), (8.0, 7.0), (11.0, 10.0)])?;
    /// let treatment = CupedStats::from_pairs(&[(12.0, 10.0), (13.5, 11.0), (9.5, 7.5), (12.0, 9.5)])?;
    /// let out = Analysis::default().cuped(&control, &treatment)?;
    /// assert!(out.variance_reduction > 0.5);
    /// assert!(out.adjusted.std_error < out.unadjusted.std_error);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cuped(
        &self,
        control: &CupedStats,
        treatment: &CupedStats,
    ) -> Result<CupedOutcome, ExperimentError> {
        let unadjusted = self.compare(&control.post, &treatment.post)?;
        let (theta, theta_degenerate) = match pooled_theta(control, treatment) {
            Some(t) => (t, false),
            None => (0.0, true),
        };
        let a = control.adjusted_moments("control", theta)?;
        let b = treatment.adjusted_moments("treatment", theta)?;
        let adjusted = self.compare_moments(&a, &b)?;
        let balance = Analysis::builder()
            .alpha(self.alpha().get())
            .test(MeanTest::Welch)
            .build()?
            .compare(&control.pre, &treatment.pre)
            .ok();
        let variance_reduction = 1.0 - (adjusted.std_error / unadjusted.std_error).powi(2);
        let sign_flipped = adjusted.estimate.signum() != unadjusted.estimate.signum()
            && adjusted.estimate != 0.0
            && unadjusted.estimate != 0.0;
        Ok(CupedOutcome {
            adjusted,
            unadjusted,
            theta,
            variance_reduction,
            pre_period_balance: balance,
            sign_flipped,
            theta_degenerate,
        })
    }
}
