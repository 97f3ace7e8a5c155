//! Regression adjustment with several pre-period covariates: CUPED generalised to an OLS
//! adjustment computed from summed cross-products (as Eppo's "CUPED++" and Spotify's
//! `ZTestLinreg`).

use std::ops::Add;

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::{finite, invalid_input};
use crate::frequentist::{Analysis, TestOutcome};
use crate::moments::ArmMoments;

/// Sufficient statistics of an outcome y and k covariates x in one arm: n, Σy, Σy², Σx,
/// ΣxxT (k × k) and Σxy. They add across shards like every other statistic here.
///
/// # Examples
///
/// ```
/// use prodops_experiment::CovariateStats;
///
/// let mut arm = CovariateStats::new(2);
/// arm.push(12.0, &[10.0, 3.0])?;
/// arm.push(15.0, &[14.0, 4.0])?;
/// assert_eq!(arm.n(), 2);
/// assert!(arm.push(1.0, &[1.0]).is_err()); // wrong number of covariates
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CovariateStats {
    n: u64,
    sum_y: f64,
    sum_yy: f64,
    sum_x: Vec<f64>,
    /// Row-major k × k.
    sum_xx: Vec<f64>,
    sum_xy: Vec<f64>,
}

impl CovariateStats {
    /// Empty statistics for `k` covariates.
    pub fn new(k: usize) -> CovariateStats {
        CovariateStats {
            n: 0,
            sum_y: 0.0,
            sum_yy: 0.0,
            sum_x: vec![0.0; k],
            sum_xx: vec![0.0; k * k],
            sum_xy: vec![0.0; k],
        }
    }

    /// Adds one unit's outcome and covariates.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite or `x` has the wrong
    /// length.
    pub fn push(&mut self, y: f64, x: &[f64]) -> Result<(), ExperimentError> {
        let k = self.k();
        if x.len() != k {
            return Err(invalid_input(
                "covariates",
                format!("expected {k} values, got {}", x.len()),
            ));
        }
        finite("outcome", y)?;
        // The message is only formatted for a bad value: this runs once per unit.
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            finite(&format!("covariate {i}"), x[i])?;
        }
        self.n += 1;
        self.sum_y += y;
        self.sum_yy += y * y;
        for i in 0..k {
            self.sum_x[i] += x[i];
            self.sum_xy[i] += x[i] * y;
            for j in 0..k {
                self.sum_xx[i * k + j] += x[i] * x[j];
            }
        }
        Ok(())
    }

    /// The statistics of `(outcome, covariates)` rows from an iterator, each row with `k`
    /// covariates.
    ///
    /// # Errors
    ///
    /// As [`CovariateStats::push`], naming the row's index.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::CovariateStats;
    ///
    /// let rows = [(12.0, [10.0, 3.0]), (15.0, [14.0, 4.0]), (9.0, [8.0, 2.0])];
    /// let arm = CovariateStats::from_rows(2, rows)?;
    /// assert_eq!(arm.n(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_rows<R: AsRef<[f64]>>(
        k: usize,
        rows: impl IntoIterator<Item = (f64, R)>,
    ) -> Result<CovariateStats, ExperimentError> {
        let mut stats = CovariateStats::new(k);
        for (i, (y, x)) in rows.into_iter().enumerate() {
            stats.push(y, x.as_ref()).map_err(|e| match e {
                ExperimentError::InvalidInput { what, reason } => ExperimentError::InvalidInput {
                    what: format!("{what} in row {i}"),
                    reason,
                },
                other => other,
            })?;
        }
        Ok(stats)
    }

    /// Number of covariates.
    pub fn k(&self) -> usize {
        self.sum_x.len()
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Merges another shard with the same covariates.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when the shards have different numbers of covariates.
    pub fn merge(&self, other: &CovariateStats) -> Result<CovariateStats, ExperimentError> {
        if self.k() != other.k() {
            return Err(invalid_input(
                "covariate statistics",
                format!("cannot merge {} with {} covariates", self.k(), other.k()),
            ));
        }
        let add = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x + y).collect::<Vec<_>>();
        Ok(CovariateStats {
            n: self.n + other.n,
            sum_y: self.sum_y + other.sum_y,
            sum_yy: self.sum_yy + other.sum_yy,
            sum_x: add(&self.sum_x, &other.sum_x),
            sum_xx: add(&self.sum_xx, &other.sum_xx),
            sum_xy: add(&self.sum_xy, &other.sum_xy),
        })
    }

    /// Sample covariance matrix of x, cov(x, y) and var(y) (all over n − 1).
    fn moments(&self) -> (DMatrix<f64>, DVector<f64>, f64) {
        let k = self.k();
        let n = self.n as f64;
        let sxx = DMatrix::from_fn(k, k, |i, j| {
            (self.sum_xx[i * k + j] - self.sum_x[i] * self.sum_x[j] / n) / (n - 1.0)
        });
        let sxy = DVector::from_fn(k, |i, _| {
            (self.sum_xy[i] - self.sum_x[i] * self.sum_y / n) / (n - 1.0)
        });
        let syy = (self.sum_yy - self.sum_y * self.sum_y / n) / (n - 1.0);
        (sxx, sxy, syy)
    }

    fn adjusted_moments(
        &self,
        arm: &str,
        theta: &DVector<f64>,
    ) -> Result<ArmMoments, ExperimentError> {
        if self.n < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n: self.n,
                min: 2,
            });
        }
        let n = self.n as f64;
        let (sxx, sxy, syy) = self.moments();
        let x_bar = DVector::from_fn(self.k(), |i, _| self.sum_x[i] / n);
        let y_bar = self.sum_y / n;
        let variance = syy + (theta.transpose() * &sxx * theta)[(0, 0)] - 2.0 * theta.dot(&sxy);
        ArmMoments::adjusted(arm, self.n, y_bar - theta.dot(&x_bar), variance, y_bar)
    }
}

impl Add for CovariateStats {
    type Output = Result<CovariateStats, ExperimentError>;

    fn add(self, rhs: CovariateStats) -> Self::Output {
        self.merge(&rhs)
    }
}

/// The result of a regression-adjusted comparison with several covariates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegressionAdjustedOutcome {
    /// The adjusted comparison.
    pub adjusted: TestOutcome,
    /// The comparison without covariates.
    pub unadjusted: TestOutcome,
    /// The pooled coefficients θ, one per covariate: the OLS slopes of y on x over both arms.
    pub theta: Vec<f64>,
    /// 1 − Var(adjusted) / Var(unadjusted).
    pub variance_reduction: f64,
}

/// The pooled coefficients θ = S_xx⁻¹ s_xy from both arms' statistics, by Cholesky
/// factorisation; `None` when S_xx is not positive definite (a constant or collinear
/// covariate).
pub fn pooled_thetas(
    control: &CovariateStats,
    treatment: &CovariateStats,
) -> Result<Option<Vec<f64>>, ExperimentError> {
    let joint = control.merge(treatment)?;
    if joint.n < 3 {
        return Ok(None);
    }
    let (sxx, sxy, _) = joint.moments();
    let scale = sxx.diagonal().max();
    let Some(chol) = sxx.clone().cholesky() else {
        return Ok(None);
    };
    // Rounding lets an exactly collinear matrix factor with a tiny pivot; a pivot² below 1e-10
    // of the largest variance means the covariates carry (numerically) redundant information.
    let min_pivot = chol.l().diagonal().min();
    if scale.is_nan() || scale <= 0.0 || min_pivot * min_pivot < 1e-10 * scale {
        return Ok(None);
    }
    Ok(Some(chol.solve(&sxy).iter().copied().collect()))
}

impl Analysis {
    /// A comparison adjusted for several pre-period covariates with pooled OLS coefficients.
    /// With one covariate it equals [`Analysis::cuped`]'s adjusted result.
    ///
    /// # Errors
    ///
    /// As [`Analysis::compare`]; [`ExperimentError::InvalidInput`] when the arms have
    /// different covariates or the covariates are collinear or constant.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, CovariateStats};
    ///
    /// let mut a = CovariateStats::new(2);
    /// let mut b = CovariateStats::new(2);
    /// for (i, arm) in [&mut a, &mut b].into_iter().enumerate() {
    ///     for u in 0..50 {
    ///         let (x1, x2) = (f64::from(u % 7), f64::from(u % 5));
    ///         arm.push(2.0 * x1 + x2 + i as f64 + 0.1 * f64::from(u % 3), &[x1, x2])?;
    ///     }
    /// }
    /// let out = Analysis::default().regression_adjusted(&a, &b)?;
    /// assert!(out.variance_reduction > 0.9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn regression_adjusted(
        &self,
        control: &CovariateStats,
        treatment: &CovariateStats,
    ) -> Result<RegressionAdjustedOutcome, ExperimentError> {
        let unadjusted = {
            let plain = |s: &CovariateStats, arm: &str| -> Result<ArmMoments, ExperimentError> {
                if s.n < 2 {
                    return Err(ExperimentError::TooFewUnits {
                        arm: arm.to_owned(),
                        n: s.n,
                        min: 2,
                    });
                }
                let (_, _, syy) = s.moments();
                ArmMoments::new(arm, s.n, s.sum_y / s.n as f64, syy)
            };
            self.compare_moments(&plain(control, "control")?, &plain(treatment, "treatment")?)?
        };
        let theta = pooled_thetas(control, treatment)?.ok_or_else(|| {
            invalid_input(
                "covariates",
                "constant or collinear covariates: the pooled covariance matrix is singular",
            )
        })?;
        let t = DVector::from_vec(theta.clone());
        let adjusted = self.compare_moments(
            &control.adjusted_moments("control", &t)?,
            &treatment.adjusted_moments("treatment", &t)?,
        )?;
        let variance_reduction = 1.0 - (adjusted.std_error / unadjusted.std_error).powi(2);
        Ok(RegressionAdjustedOutcome {
            adjusted,
            unadjusted,
            theta,
            variance_reduction,
        })
    }
}
