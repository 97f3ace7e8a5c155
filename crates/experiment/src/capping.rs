//! Capping (winsorization) of a metric before its sufficient statistics are computed, so a few
//! extreme units (a bulk buyer, a bot) do not dominate the variance.
//!
//! As GrowthBook does it: a cap is a fixed value or a percentile of the metric over the units
//! of **all arms pooled**, so every arm is capped at the same threshold and capping cannot
//! itself create a difference between arms; values beyond it are replaced by the threshold,
//! no unit is dropped. GrowthBook caps from above; a lower cap (two-sided winsorization) is
//! available too. Percentiles are SQL's `PERCENTILE_CONT` (numpy's default `'linear'`),
//! optionally over the non-zero values only (GrowthBook's "ignore zeros", for metrics where
//! most units have 0). For ratio metrics the numerator and the denominator are capped per unit
//! with their own thresholds, and the capped values feed every sum including Σmd (PostHog PR
//! #60120), over the same units (GrowthBook #6331); capping only the numerator is allowed
//! (GrowthBook #2421).

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::{finite, invalid_config};
use crate::quantile::{check_level, percentile_sorted};
use crate::ratio::RatioStats;
use crate::stats::MeanStats;

/// Where a cap sits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum CapBound {
    /// A fixed threshold in the metric's units.
    Value(f64),
    /// A percentile level in (0, 1) of the pooled values, such as 0.99.
    Percentile(f64),
}

impl CapBound {
    fn validated(self) -> Result<CapBound, ExperimentError> {
        match self {
            CapBound::Value(v) => finite("cap value", v).map(CapBound::Value),
            CapBound::Percentile(p) => check_level(p).map(CapBound::Percentile),
        }
    }
}

/// A capping rule, resolved into thresholds from the pooled data by
/// [`Capping::thresholds`].
///
/// # Examples
///
/// ```
/// use prodops_experiment::{CapBound, Capping};
///
/// let control = [1.0, 2.0, 3.0, 4.0, 500.0];
/// let treatment = [2.0, 3.0, 4.0, 5.0, 6.0];
/// // Cap at the 90th percentile of all ten values: 9 · 0.9 = 8.1 → 6 + 0.1 · (500 − 6).
/// let caps = Capping::upper(CapBound::Percentile(0.9))?.thresholds(&[&control, &treatment])?;
/// assert!((caps.upper().unwrap_or(f64::NAN) - 55.4).abs() < 1e-9);
/// let capped = caps.mean_stats(&control)?;
/// assert!((capped.sum() - 65.4).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Capping {
    lower: Option<CapBound>,
    upper: Option<CapBound>,
    ignore_zeros: bool,
}

impl Capping {
    /// Caps values from above (GrowthBook's capping).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a non-finite value, and
    /// [`ExperimentError::InvalidConfig`] for a percentile level outside (0, 1).
    pub fn upper(bound: CapBound) -> Result<Capping, ExperimentError> {
        Ok(Capping {
            lower: None,
            upper: Some(bound.validated()?),
            ignore_zeros: false,
        })
    }

    /// Two-sided winsorization at the `lower` and `upper` percentile levels, such as 0.01 and
    /// 0.99.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] unless 0 < `lower` < `upper` < 1.
    pub fn winsorize(lower: f64, upper: f64) -> Result<Capping, ExperimentError> {
        if lower >= upper {
            return Err(invalid_config(
                "winsorization levels",
                format!("need lower < upper, got {lower} and {upper}"),
            ));
        }
        Capping::upper(CapBound::Percentile(upper))?.with_lower(CapBound::Percentile(lower))
    }

    /// Adds a cap from below.
    ///
    /// # Errors
    ///
    /// As [`Capping::upper`].
    pub fn with_lower(mut self, bound: CapBound) -> Result<Capping, ExperimentError> {
        self.lower = Some(bound.validated()?);
        Ok(self)
    }

    /// Computes percentiles over the non-zero values only (GrowthBook's "ignore zeros"); the
    /// zeros themselves are kept and capped like any value.
    pub fn ignore_zeros(mut self, ignore: bool) -> Capping {
        self.ignore_zeros = ignore;
        self
    }

    /// Resolves the rule into thresholds from the values of every arm, pooled.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a non-finite value (naming arm and index), and
    /// [`ExperimentError::InvalidConfig`] when a percentile has no values to come from or the
    /// lower threshold ends up above the upper one.
    pub fn thresholds(&self, arms: &[&[f64]]) -> Result<CapThresholds, ExperimentError> {
        let needs_data = matches!(self.lower, Some(CapBound::Percentile(_)))
            || matches!(self.upper, Some(CapBound::Percentile(_)));
        let mut pooled = Vec::new();
        if needs_data {
            for (a, values) in arms.iter().enumerate() {
                for (i, &x) in values.iter().enumerate() {
                    finite(&format!("arm {a} value at index {i}"), x)?;
                    if !(self.ignore_zeros && x == 0.0) {
                        pooled.push(x);
                    }
                }
            }
            if pooled.is_empty() {
                return Err(invalid_config(
                    "capping",
                    "a percentile cap needs at least one (non-zero, if zeros are ignored) value",
                ));
            }
            pooled.sort_unstable_by(f64::total_cmp);
        }
        let resolve = |bound: Option<CapBound>| {
            bound.map(|b| match b {
                CapBound::Value(v) => v,
                CapBound::Percentile(p) => percentile_sorted(&pooled, p),
            })
        };
        let (lower, upper) = (resolve(self.lower), resolve(self.upper));
        if let (Some(l), Some(u)) = (lower, upper)
            && l > u
        {
            return Err(invalid_config(
                "capping",
                format!("the lower threshold {l} is above the upper threshold {u}"),
            ));
        }
        Ok(CapThresholds { lower, upper })
    }
}

/// Resolved capping thresholds; `CapThresholds::default()` caps nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CapThresholds {
    lower: Option<f64>,
    upper: Option<f64>,
}

impl CapThresholds {
    /// The lower threshold, if any.
    pub fn lower(&self) -> Option<f64> {
        self.lower
    }

    /// The upper threshold, if any.
    pub fn upper(&self) -> Option<f64> {
        self.upper
    }

    /// `x` moved inside the thresholds. NaN stays NaN (so the statistics constructors can
    /// report it).
    pub fn apply(&self, x: f64) -> f64 {
        let mut x = x;
        if let Some(l) = self.lower
            && x < l
        {
            x = l;
        }
        if let Some(u) = self.upper
            && x > u
        {
            x = u;
        }
        x
    }

    /// Caps finite values only, so ±∞ reaches the statistics constructors, which report it,
    /// instead of becoming a threshold.
    fn apply_finite(&self, x: f64) -> f64 {
        if x.is_finite() { self.apply(x) } else { x }
    }

    /// The sufficient statistics of `values` after capping.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a non-finite value (naming its index).
    pub fn mean_stats(&self, values: &[f64]) -> Result<MeanStats, ExperimentError> {
        MeanStats::from_value_iter(values.iter().map(|&x| self.apply_finite(x)))
    }

    /// The sufficient statistics of per-unit `(numerator, denominator)` pairs after capping the
    /// numerator with `self` and the denominator with `denominator` (pass
    /// `&CapThresholds::default()` to cap the numerator only). Every sum, Σmd included, uses
    /// the capped values of the same units.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for a non-finite value (naming its index).
    pub fn ratio_stats(
        &self,
        denominator: &CapThresholds,
        pairs: &[(f64, f64)],
    ) -> Result<RatioStats, ExperimentError> {
        RatioStats::from_pair_iter(
            pairs
                .iter()
                .map(|&(m, d)| (self.apply_finite(m), denominator.apply_finite(d))),
        )
    }
}
