//! Quantile metrics (median, p90, p99 latency or spend) from upstream order statistics, as
//! gbstats' `QuantileStatistic`.
//!
//! A warehouse computes, per arm, the sample quantile q̂ at level ν and a 95% confidence
//! interval [L, U] for it from order statistics at a sample size n* ≤ n. The interval's width
//! gives the per-unit variance of q̂ (a normal approximation), so quantile treatment effects
//! run through [`Analysis::compare`](crate::Analysis::compare) like any other [`Metric`].
//!
//! [`QuantileStats::from_values`] computes the same summary from raw values, the way
//! GrowthBook's SQL does with `PERCENTILE_CONT`.

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::dist::norm_ppf;
use crate::error::{finite, invalid_config, invalid_input};
use crate::moments::{ArmMoments, Metric};

/// The floor gbstats puts under the per-unit variance of a quantile when n ≥ 100.
const VARIANCE_FLOOR: f64 = 1e-5;

/// Below this many units gbstats does not floor the variance.
const FLOOR_MIN_N: u64 = 100;

/// From this many units on, gbstats accepts a zero interval width (using the floor) instead of
/// rejecting the arm for zero variance.
const ZERO_WIDTH_MIN_N: u64 = 1_000;

/// GrowthBook clamps the levels of the interval's bounds into [1e-8, 1 − 1e-8].
const LEVEL_CLAMP: f64 = 1e-8;

/// The z quantile of the 95% intervals gbstats' quantile statistics are built on.
fn z_975() -> f64 {
    norm_ppf(0.975)
}

/// The sample quantile of sorted, finite, non-empty `sorted` at level `p ∈ [0, 1]` by linear
/// interpolation between order statistics: with h = (n − 1)·p, the value
/// x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) (0-based order statistics). This is SQL's
/// `PERCENTILE_CONT`, numpy's default `'linear'` method and R's type 7.
pub(crate) fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor();
    let i = lo as usize;
    let frac = h - lo;
    match (sorted.get(i), sorted.get(i + 1)) {
        (Some(&a), Some(&b)) if frac > 0.0 => a + frac * (b - a),
        (Some(&a), _) => a,
        _ => sorted.last().copied().unwrap_or(0.0),
    }
}

/// Validates a quantile level in the open interval (0, 1).
pub(crate) fn check_level(level: f64) -> Result<f64, ExperimentError> {
    if level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(invalid_config(
            "quantile level",
            format!("must be in (0, 1), got {level}"),
        ))
    }
}

/// Checks that every value is finite and returns them sorted ascending.
pub(crate) fn sorted_finite(what: &str, values: &[f64]) -> Result<Vec<f64>, ExperimentError> {
    for (i, &x) in values.iter().enumerate() {
        finite(&format!("{what} value at index {i}"), x)?;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(sorted)
}

/// The summary of a quantile metric in one arm, as gbstats' `QuantileStatistic`: the number of
/// units n, the level ν, the sample quantile q̂, and a 95% confidence interval [L, U] for the
/// quantile computed upstream from order statistics at sample size n* (GrowthBook evaluates the
/// bounds on a grid of n* values and keeps the largest one below n).
///
/// Its [`Metric`] reduction has mean q̂ and per-unit variance
///
/// v = (n*/n)·(n − 1)·((U − L)/(2·z₀.₉₇₅))²,
///
/// floored at 10⁻⁵ when n ≥ 100, exactly as gbstats: for n < 100 the unfloored value is used;
/// for 100 ≤ n < 1000 a zero width U − L still makes the arm's variance zero (an error), while
/// from n = 1000 on the floor replaces it.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Analysis;
/// use prodops_experiment::quantile::QuantileStats;
///
/// // Median latency: n, level, estimate, 95% bounds, and the n* the bounds were computed at.
/// let control = QuantileStats::new(12_345, 0.5, 42.0, 41.2, 42.9, 10_000)?;
/// let treatment = QuantileStats::new(13_002, 0.5, 43.5, 42.6, 44.3, 10_000)?;
/// let outcome = Analysis::default().compare(&control, &treatment)?;
/// assert!((outcome.estimate - 1.5).abs() < 1e-12);
/// assert!(outcome.p_value < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuantileStats {
    n: u64,
    level: f64,
    estimate: f64,
    lower: f64,
    upper: f64,
    n_star: u64,
}

impl QuantileStats {
    /// Validated quantile statistics: `n` units, level `level` = ν, sample quantile `estimate`,
    /// and the bounds `lower` ≤ `upper` of a 95% interval computed at sample size `n_star`.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] when the level is not in (0, 1);
    /// [`ExperimentError::InvalidInput`] when a value is not finite, `lower > upper`, or
    /// `n_star` is 0 while `n` is not.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::quantile::QuantileStats;
    ///
    /// let p90 = QuantileStats::new(5_000, 0.9, 120.0, 115.0, 126.0, 5_000)?;
    /// assert_eq!(p90.estimate(), 120.0);
    /// assert!(QuantileStats::new(5_000, 0.9, 120.0, 126.0, 115.0, 5_000).is_err());
    /// assert!(QuantileStats::new(5_000, 1.0, 120.0, 115.0, 126.0, 5_000).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        n: u64,
        level: f64,
        estimate: f64,
        lower: f64,
        upper: f64,
        n_star: u64,
    ) -> Result<QuantileStats, ExperimentError> {
        check_level(level)?;
        finite("quantile estimate", estimate)?;
        finite("quantile lower bound", lower)?;
        finite("quantile upper bound", upper)?;
        if lower > upper {
            return Err(invalid_input(
                "quantile bounds",
                format!("lower bound {lower} exceeds upper bound {upper}"),
            ));
        }
        if n_star == 0 && n > 0 {
            return Err(invalid_input(
                "n*",
                "the sample size the bounds were computed at must be positive",
            ));
        }
        Ok(QuantileStats {
            n,
            level,
            estimate,
            lower,
            upper,
            n_star,
        })
    }

    /// The summary of raw values, computed as GrowthBook's SQL does with `PERCENTILE_CONT`
    /// and n* = n.
    ///
    /// With z = z₀.₉₇₅ and s = z·√(ν(1 − ν)/n), the bounds are the sample quantiles at the
    /// levels ν_L = max(ν − s, 10⁻⁸) and ν_U = min(ν + s, 1 − 10⁻⁸): the normal approximation
    /// of the binomial ranks n·ν ∓ z·√(n·ν(1 − ν)) of the order statistics that bracket the
    /// quantile with 95% confidence. Every sample quantile (q̂ at ν, L at ν_L, U at ν_U) uses
    /// linear interpolation between order statistics: with the values sorted as x₍₀₎ ≤ … ≤
    /// x₍ₙ₋₁₎ and h = (n − 1)·p, the quantile at level p is
    /// x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) — `PERCENTILE_CONT` (PostgreSQL, Redshift,
    /// Snowflake), numpy's default `'linear'` method, R's type 7. Warehouses that use an
    /// approximate percentile (BigQuery's `APPROX_QUANTILES`) give slightly different values.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] when the level is not in (0, 1);
    /// [`ExperimentError::TooFewUnits`] for an empty slice; [`ExperimentError::InvalidInput`]
    /// when a value is NaN or infinite (naming its index).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::quantile::QuantileStats;
    ///
    /// let values: Vec<f64> = (1..=1_000).map(f64::from).collect();
    /// let median = QuantileStats::from_values(&values, 0.5)?;
    /// assert_eq!(median.estimate(), 500.5);
    /// assert_eq!(median.n_star(), 1_000);
    /// assert!(median.lower() < 500.5 && median.upper() > 500.5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_values(values: &[f64], level: f64) -> Result<QuantileStats, ExperimentError> {
        check_level(level)?;
        if values.is_empty() {
            return Err(ExperimentError::TooFewUnits {
                arm: "arm".into(),
                n: 0,
                min: 1,
            });
        }
        let sorted = sorted_finite("quantile", values)?;
        let n = sorted.len() as u64;
        let s = z_975() * (level * (1.0 - level) / n as f64).sqrt();
        let lower_level = (level - s).max(LEVEL_CLAMP);
        let upper_level = (level + s).min(1.0 - LEVEL_CLAMP);
        QuantileStats::new(
            n,
            level,
            percentile_sorted(&sorted, level),
            percentile_sorted(&sorted, lower_level),
            percentile_sorted(&sorted, upper_level),
            n,
        )
    }

    /// Number of units n.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The quantile level ν.
    pub fn level(&self) -> f64 {
        self.level
    }

    /// The sample quantile q̂.
    pub fn estimate(&self) -> f64 {
        self.estimate
    }

    /// The lower bound L of the 95% interval.
    pub fn lower(&self) -> f64 {
        self.lower
    }

    /// The upper bound U of the 95% interval.
    pub fn upper(&self) -> f64 {
        self.upper
    }

    /// The sample size n* at which the bounds were computed.
    pub fn n_star(&self) -> u64 {
        self.n_star
    }

    /// The smallest n for which a 95% interval at level ν stays inside (0, 1) in both
    /// directions: gbstats requires n > z²ν/(1 − ν) and n > z²(1 − ν)/ν.
    fn min_units(&self) -> u64 {
        let z2 = z_975().powi(2);
        let nu = self.level;
        let bound = (z2 * nu / (1.0 - nu)).max(z2 * (1.0 - nu) / nu);
        // The smallest integer strictly above the bound.
        (bound.floor() + 1.0).max(2.0) as u64
    }

    /// The per-unit variance of q̂ (see the type's documentation for the formula and gbstats'
    /// flooring rule).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::TooFewUnits`] (naming "arm") when n ≤ z²ν/(1 − ν) or
    /// n ≤ z²(1 − ν)/ν (z = z₀.₉₇₅), or n < 2; [`ExperimentError::ZeroOrNegativeVariance`]
    /// when the interval has zero width and n < 1000, or the variance is zero for n < 100.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::quantile::QuantileStats;
    ///
    /// // A collapsed interval at n ≥ 1000 gets gbstats' floor of 1e-5.
    /// let stats = QuantileStats::new(5_000, 0.5, 3.0, 3.0, 3.0, 5_000)?;
    /// assert_eq!(stats.unit_variance()?, 1e-5);
    /// // At n = 380 the 99th percentile's interval would leave (0, 1).
    /// assert!(QuantileStats::new(380, 0.99, 50.0, 45.0, 60.0, 380)?.unit_variance().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unit_variance(&self) -> Result<f64, ExperimentError> {
        self.unit_variance_for("arm")
    }

    fn unit_variance_for(&self, arm: &str) -> Result<f64, ExperimentError> {
        let min = self.min_units();
        if self.n < min {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.to_owned(),
                n: self.n,
                min,
            });
        }
        let n = self.n as f64;
        let half_width = (self.upper - self.lower) / (2.0 * z_975());
        let raw = (self.n_star as f64 / n) * (n - 1.0) * half_width * half_width;
        finite(&format!("{arm} quantile variance"), raw)?;
        let zero = || ExperimentError::ZeroOrNegativeVariance {
            arm: arm.to_owned(),
            detail: format!(
                "quantile interval [{}, {}] has zero width at n = {}",
                self.lower, self.upper, self.n
            ),
        };
        if raw <= 0.0 && self.n < ZERO_WIDTH_MIN_N {
            return Err(zero());
        }
        let variance = if self.n < FLOOR_MIN_N {
            raw
        } else {
            raw.max(VARIANCE_FLOOR)
        };
        if variance > 0.0 {
            Ok(variance)
        } else {
            Err(zero())
        }
    }
}

impl Metric for QuantileStats {
    /// Mean q̂ and per-unit variance (n*/n)·(n − 1)·((U − L)/(2·z₀.₉₇₅))², floored as gbstats
    /// ([`QuantileStats::unit_variance`]).
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        let variance = self.unit_variance_for(arm)?;
        ArmMoments::new(arm, self.n, self.estimate, variance)
    }
}
