//! CUPED for ratio metrics: the delta method over post- and pre-period numerators and
//! denominators (as gbstats' `RegressionAdjustedRatioStatistic`).

use nalgebra::{Matrix4, Vector4};
use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::cuped::CupedOutcome;
use crate::error::{finite, invalid_input};
use crate::frequentist::{Analysis, MeanTest};
use crate::moments::{ArmMoments, Metric};
use crate::ratio::RatioStats;
use crate::stats::{MeanStats, finite_at, iter_sums};

/// One unit's `((numerator, denominator), (pre-period numerator, pre-period denominator))`.
pub type RatioCupedRow = ((f64, f64), (f64, f64));

/// The delta-method ingredients of one arm: the means of (m, d, m′, d′), their covariance,
/// and the gradients of the post and pre ratios.
struct Delta {
    mean: Vector4<f64>,
    cov: Matrix4<f64>,
    g_post: Vector4<f64>,
    g_pre: Vector4<f64>,
}

/// Sufficient statistics of a ratio metric with its own pre-period value: the post- and
/// pre-period [`RatioStats`] of the same units and the four cross sums between them
/// (Σ m·m′, Σ m·d′, Σ d·m′, Σ d·d′, primes for the pre-period).
///
/// # Examples
///
/// ```
/// use prodops_experiment::RatioCupedStats;
///
/// // (clicks, sessions) this month and last month, per user.
/// let arm = RatioCupedStats::from_rows(&[((2.0, 5.0), (1.0, 4.0)), ((0.0, 2.0), (0.0, 3.0)), ((3.0, 6.0), (2.0, 5.0))])?;
/// assert_eq!(arm.n(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RatioCupedStats {
    post: RatioStats,
    pre: RatioStats,
    /// Σ m·m′, Σ m·d′, Σ d·m′, Σ d·d′.
    cross: [f64; 4],
}

impl RatioCupedStats {
    /// Validated sums over the same units.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when the periods have different n or a cross sum is
    /// not finite.
    pub fn new(
        post: RatioStats,
        pre: RatioStats,
        cross: [f64; 4],
    ) -> Result<RatioCupedStats, ExperimentError> {
        if post.n() != pre.n() {
            return Err(invalid_input(
                "ratio CUPED statistics",
                format!("post has n = {} but pre has n = {}", post.n(), pre.n()),
            ));
        }
        for (i, c) in cross.iter().enumerate() {
            finite(&format!("cross sum {i}"), *c)?;
        }
        Ok(RatioCupedStats { post, pre, cross })
    }

    /// The sums of per-unit `((numerator, denominator), (pre numerator, pre denominator))`.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite.
    pub fn from_rows(rows: &[RatioCupedRow]) -> Result<RatioCupedStats, ExperimentError> {
        let post: Vec<(f64, f64)> = rows.iter().map(|r| r.0).collect();
        let pre: Vec<(f64, f64)> = rows.iter().map(|r| r.1).collect();
        let cross =
            crate::stats::lane_sums(rows, |&((m, d), (mp, dp))| [m * mp, m * dp, d * mp, d * dp]);
        RatioCupedStats::new(
            RatioStats::from_pairs(&post)?,
            RatioStats::from_pairs(&pre)?,
            cross,
        )
    }

    /// The sums of per-unit rows from an iterator, in one pass without collecting them.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite (naming its index).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::RatioCupedStats;
    ///
    /// let rows = [((2.0, 5.0), (1.0, 4.0)), ((0.0, 2.0), (0.0, 3.0)), ((3.0, 6.0), (2.0, 5.0))];
    /// let arm = RatioCupedStats::from_row_iter(rows.iter().copied())?;
    /// assert_eq!(arm.n(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_row_iter(
        rows: impl IntoIterator<Item = RatioCupedRow>,
    ) -> Result<RatioCupedStats, ExperimentError> {
        let (n, s) = iter_sums(
            rows,
            |i, &((m, d), (mp, dp))| {
                finite_at(
                    i,
                    &[
                        ("numerator", m),
                        ("denominator", d),
                        ("pre-period numerator", mp),
                        ("pre-period denominator", dp),
                    ],
                )
            },
            |&((m, d), (mp, dp))| {
                [
                    m,
                    m * m,
                    d,
                    d * d,
                    m * d,
                    mp,
                    mp * mp,
                    dp,
                    dp * dp,
                    mp * dp,
                    m * mp,
                    m * dp,
                    d * mp,
                    d * dp,
                ]
            },
        )?;
        let side = |o: usize| -> Result<RatioStats, ExperimentError> {
            RatioStats::new(
                MeanStats::new(n, s[o], s[o + 1])?,
                MeanStats::new(n, s[o + 2], s[o + 3])?,
                s[o + 4],
            )
        };
        RatioCupedStats::new(side(0)?, side(5)?, [s[10], s[11], s[12], s[13]])
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        self.post.n()
    }

    /// The post-period ratio statistics.
    pub fn post(&self) -> &RatioStats {
        &self.post
    }

    /// The pre-period ratio statistics.
    pub fn pre(&self) -> &RatioStats {
        &self.pre
    }

    /// The per-unit means of (m, d, m′, d′), their 4 × 4 sample covariance, and the gradients
    /// of the post ratio m̄/d̄ and the pre ratio m̄′/d̄′ with respect to the four means.
    fn delta(&self, arm: &str) -> Result<Delta, ExperimentError> {
        let n = self.n();
        if n < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n,
                min: 2,
            });
        }
        let nf = n as f64;
        let (pm, pd, qm, qd) = (
            self.post.numerator(),
            self.post.denominator(),
            self.pre.numerator(),
            self.pre.denominator(),
        );
        if pd.sum() == 0.0 || qd.sum() == 0.0 {
            return Err(ExperimentError::ZeroDenominator {
                arm: arm.to_owned(),
            });
        }
        let sums = [pm.sum(), pd.sum(), qm.sum(), qd.sum()];
        let squares = [pm.sum_sq(), pd.sum_sq(), qm.sum_sq(), qd.sum_sq()];
        // Σ of products for each pair (i, j), i < j, in the order of `sums`.
        let product = |i: usize, j: usize| -> f64 {
            match (i, j) {
                (0, 1) => self.post.sum_products(),
                (2, 3) => self.pre.sum_products(),
                (0, 2) => self.cross[0],
                (0, 3) => self.cross[1],
                (1, 2) => self.cross[2],
                (1, 3) => self.cross[3],
                _ => 0.0,
            }
        };
        let cov = Matrix4::from_fn(|i, j| {
            let sij = if i == j {
                squares[i]
            } else {
                product(i.min(j), i.max(j))
            };
            (sij - sums[i] * sums[j] / nf) / (nf - 1.0)
        });
        let mean = Vector4::from_fn(|i, _| sums[i] / nf);
        let g_post = Vector4::new(1.0 / mean[1], -mean[0] / (mean[1] * mean[1]), 0.0, 0.0);
        let g_pre = Vector4::new(0.0, 0.0, 1.0 / mean[3], -mean[2] / (mean[3] * mean[3]));
        Ok(Delta {
            mean,
            cov,
            g_post,
            g_pre,
        })
    }
}

impl Metric for RatioCupedStats {
    /// The unadjusted post-period ratio, as [`RatioStats`].
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        self.post.moments(arm)
    }
}

/// θ for ratio CUPED from both arms: the value minimising Var(adjusted effect) =
/// Σ_arms (V_post − 2θC + θ²V_pre)/n, i.e. θ = Σ(C/n) / Σ(V_pre/n), with V and C the per-unit
/// delta-method variances and covariance of the post and pre ratios. `None` when the pre-period
/// ratio has no variance.
pub fn pooled_ratio_theta(
    control: &RatioCupedStats,
    treatment: &RatioCupedStats,
) -> Result<Option<f64>, ExperimentError> {
    let mut cross = 0.0;
    let mut pre = 0.0;
    for (arm, s) in [("control", control), ("treatment", treatment)] {
        let Delta {
            cov, g_post, g_pre, ..
        } = s.delta(arm)?;
        let n = s.n() as f64;
        cross += g_post.dot(&(cov * g_pre)) / n;
        pre += g_pre.dot(&(cov * g_pre)) / n;
    }
    Ok((pre > 0.0 && pre.is_finite()).then(|| cross / pre))
}

fn adjusted(s: &RatioCupedStats, arm: &str, theta: f64) -> Result<ArmMoments, ExperimentError> {
    let Delta {
        mean,
        cov,
        g_post,
        g_pre,
    } = s.delta(arm)?;
    let g = g_post - g_pre * theta;
    let post_ratio = mean[0] / mean[1];
    let pre_ratio = mean[2] / mean[3];
    ArmMoments::adjusted(
        arm,
        s.n(),
        post_ratio - theta * pre_ratio,
        g.dot(&(cov * g)),
        post_ratio,
    )
}

impl Analysis {
    /// CUPED for a ratio metric, using the same metric's pre-period ratio as the covariate.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`], and [`ExperimentError::ZeroDenominator`] when a period's
    /// denominator sums to zero in an arm.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, RatioCupedStats};
    ///
    /// let rows = |shift: f64| -> Vec<((f64, f64), (f64, f64))> {
    ///     (0..200).map(|i| {
    ///         let sessions = f64::from(1 + i % 5);
    ///         let habit = f64::from(i % 3);
    ///         let noise = 0.2 * f64::from(i % 7);
    ///         ((habit + noise + shift * sessions, sessions), (habit, sessions))
    ///     }).collect()
    /// };
    /// let a = RatioCupedStats::from_rows(&rows(0.0))?;
    /// let b = RatioCupedStats::from_rows(&rows(0.1))?;
    /// let out = Analysis::default().cuped_ratio(&a, &b)?;
    /// assert!(out.variance_reduction > 0.5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cuped_ratio(
        &self,
        control: &RatioCupedStats,
        treatment: &RatioCupedStats,
    ) -> Result<CupedOutcome, ExperimentError> {
        let unadjusted = self.compare(&control.post, &treatment.post)?;
        let (theta, theta_degenerate) = match pooled_ratio_theta(control, treatment)? {
            Some(t) => (t, false),
            None => (0.0, true),
        };
        let adjusted_outcome = self.compare_moments(
            &adjusted(control, "control", theta)?,
            &adjusted(treatment, "treatment", theta)?,
        )?;
        let balance = Analysis::builder()
            .alpha(self.alpha().get())
            .test(MeanTest::Welch)
            .build()?
            .compare(&control.pre, &treatment.pre)
            .ok();
        let variance_reduction = 1.0 - (adjusted_outcome.std_error / unadjusted.std_error).powi(2);
        let sign_flipped = adjusted_outcome.estimate * unadjusted.estimate < 0.0;
        Ok(CupedOutcome {
            adjusted: adjusted_outcome,
            unadjusted,
            theta,
            variance_reduction,
            pre_period_balance: balance,
            sign_flipped,
            theta_degenerate,
        })
    }
}
