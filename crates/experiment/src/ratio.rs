//! Ratio metrics (clicks per session, revenue per order) by the delta method.

use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::{finite, invalid_input};
use crate::moments::{ArmMoments, Metric};
use crate::stats::{MeanStats, pair_sums, pair_sums_iter};

/// Sufficient statistics of a ratio metric Σm / Σd in one arm, where each unit (a user)
/// contributes a numerator m (clicks) and a denominator d (sessions): n, Σm, Σm², Σd, Σd²,
/// Σmd.
///
/// The unit of randomization is the user, not the session, so the variance of the ratio comes
/// from the delta method over per-user sums (Deng, Knoblich and Lu 2018, "Applying the delta
/// method in metric analytics"), not from treating sessions as independent.
///
/// # Examples
///
/// ```
/// use prodops_experiment::RatioStats;
///
/// // Three users: (clicks, sessions) = (1, 4), (0, 2), (3, 5).
/// let stats = RatioStats::from_pairs(&[(1.0, 4.0), (0.0, 2.0), (3.0, 5.0)])?;
/// assert_eq!(stats.ratio()?, 4.0 / 11.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RatioStats {
    numerator: MeanStats,
    denominator: MeanStats,
    sum_products: f64,
}

impl RatioStats {
    /// Validated sums. `numerator` and `denominator` must cover the same units (the same n):
    /// capping or filtering one side alone biases the ratio (GrowthBook #6331).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when the two sides have different n or Σmd is not
    /// finite.
    pub fn new(
        numerator: MeanStats,
        denominator: MeanStats,
        sum_products: f64,
    ) -> Result<RatioStats, ExperimentError> {
        if numerator.n() != denominator.n() {
            return Err(invalid_input(
                "ratio statistics",
                format!(
                    "numerator has n = {} but denominator has n = {}: both must cover the same units",
                    numerator.n(),
                    denominator.n()
                ),
            ));
        }
        finite("sum of products", sum_products)?;
        Ok(RatioStats {
            numerator,
            denominator,
            sum_products,
        })
    }

    /// The sums of per-unit `(numerator, denominator)` pairs.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite (naming its index).
    pub fn from_pairs(pairs: &[(f64, f64)]) -> Result<RatioStats, ExperimentError> {
        let (numerator, denominator, sum_products) =
            pair_sums(pairs, ["numerator", "denominator"])?;
        Ok(RatioStats {
            numerator,
            denominator,
            sum_products,
        })
    }

    /// The sums of per-unit `(numerator, denominator)` pairs from an iterator, in one pass;
    /// equal to [`RatioStats::from_pairs`] on the same pairs, to the last bit.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is not finite (naming its index).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::RatioStats;
    ///
    /// let users = [(1u32, 4u32), (0, 2), (3, 5)]; // (clicks, sessions)
    /// let stats = RatioStats::from_pair_iter(users.iter().map(|&(c, s)| (f64::from(c), f64::from(s))))?;
    /// assert_eq!(stats.ratio()?, 4.0 / 11.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pair_iter(
        pairs: impl IntoIterator<Item = (f64, f64)>,
    ) -> Result<RatioStats, ExperimentError> {
        let (numerator, denominator, sum_products) =
            pair_sums_iter(pairs, ["numerator", "denominator"])?;
        Ok(RatioStats {
            numerator,
            denominator,
            sum_products,
        })
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        self.numerator.n()
    }

    /// The numerator's sums.
    pub fn numerator(&self) -> &MeanStats {
        &self.numerator
    }

    /// The denominator's sums.
    pub fn denominator(&self) -> &MeanStats {
        &self.denominator
    }

    /// Σmd.
    pub fn sum_products(&self) -> f64 {
        self.sum_products
    }

    /// The ratio Σm / Σd.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::ZeroDenominator`] when Σd = 0.
    pub fn ratio(&self) -> Result<f64, ExperimentError> {
        if self.denominator.sum() == 0.0 {
            return Err(ExperimentError::ZeroDenominator { arm: "arm".into() });
        }
        Ok(self.numerator.sum() / self.denominator.sum())
    }
}

impl Metric for RatioStats {
    /// Ratio Σm/Σd with per-unit variance
    /// s²_m/d̄² + s²_d·m̄²/d̄⁴ − 2·cov(m, d)·m̄/d̄³ (gbstats `RatioStatistic`).
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        let n = self.n();
        if n < 2 {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n,
                min: 2,
            });
        }
        if self.denominator.sum() == 0.0 {
            return Err(ExperimentError::ZeroDenominator {
                arm: arm.to_owned(),
            });
        }
        let nf = n as f64;
        let m_bar = self.numerator.sum() / nf;
        let d_bar = self.denominator.sum() / nf;
        // Zero variance on one side is legitimate (every user has one session); the combined
        // variance is checked below.
        let var = |s: &MeanStats| (s.sum_sq() - s.sum() * s.sum() / nf) / (nf - 1.0);
        let cov =
            (self.sum_products - self.numerator.sum() * self.denominator.sum() / nf) / (nf - 1.0);
        let unit_variance = var(&self.numerator) / (d_bar * d_bar)
            + var(&self.denominator) * m_bar * m_bar / d_bar.powi(4)
            - 2.0 * cov * m_bar / d_bar.powi(3);
        ArmMoments::new(arm, n, m_bar / d_bar, unit_variance)
    }
}

impl Add for RatioStats {
    type Output = RatioStats;

    fn add(self, rhs: RatioStats) -> RatioStats {
        RatioStats {
            numerator: self.numerator + rhs.numerator,
            denominator: self.denominator + rhs.denominator,
            sum_products: self.sum_products + rhs.sum_products,
        }
    }
}

impl AddAssign for RatioStats {
    fn add_assign(&mut self, rhs: RatioStats) {
        *self = *self + rhs;
    }
}

impl Sum for RatioStats {
    fn sum<I: Iterator<Item = RatioStats>>(iter: I) -> RatioStats {
        iter.fold(RatioStats::default(), Add::add)
    }
}
