//! Sample-ratio mismatch: are the arms' sizes consistent with the planned allocation?

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::dist::chi2_sf;
use crate::error::{invalid_config, invalid_input};

/// Settings of the SRM check. The defaults are GrowthBook's: flag at p < 0.001 and test only
/// when every planned arm has at least 8 units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SrmConfig {
    /// Flag a mismatch when the p-value is below this.
    pub threshold: f64,
    /// Skip the test while any planned arm has fewer units than this.
    pub min_count: u64,
}

impl Default for SrmConfig {
    fn default() -> Self {
        SrmConfig {
            threshold: 0.001,
            min_count: 8,
        }
    }
}

impl SrmConfig {
    /// A configuration with the given threshold and minimum count.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] unless `0 < threshold < 1`.
    pub fn new(threshold: f64, min_count: u64) -> Result<SrmConfig, ExperimentError> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(invalid_config(
                "SRM threshold",
                format!("must be in (0, 1), got {threshold}"),
            ));
        }
        Ok(SrmConfig {
            threshold,
            min_count,
        })
    }
}

/// The verdict of an SRM check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SrmStatus {
    /// No evidence of a mismatch.
    Pass,
    /// The observed split is very unlikely under the planned allocation: the experiment's
    /// results should not be trusted until the cause is found.
    Mismatch,
    /// Too few units to test yet.
    NotTested,
}

/// The result of a χ² goodness-of-fit test of the arm counts against the planned allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SrmOutcome {
    /// Σ (o − e)² / e over arms with positive weight.
    pub statistic: f64,
    /// Degrees of freedom: arms with positive weight − 1.
    pub df: u32,
    /// P(χ²_df > statistic), from the survival function.
    pub p_value: f64,
    /// The observed share of each arm (0 when no units at all).
    pub observed_shares: Vec<f64>,
    /// The planned share of each arm.
    pub expected_shares: Vec<f64>,
    /// The verdict.
    pub status: SrmStatus,
}

/// Tests the observed arm counts against planned weights that sum to 1.
///
/// Arms with weight 0 are not part of the test (as gbstats); with very unequal weights and
/// large samples even tiny imbalances are significant, so the observed and expected shares are
/// reported beside the p-value (mozilla/experimenter #16010).
///
/// # Errors
///
/// [`ExperimentError::InvalidConfig`] when the weights and counts differ in length, a weight
/// is negative or not finite, fewer than two weights are positive, or the weights do not sum
/// to 1 (within 1e-9).
///
/// # Examples
///
/// ```
/// use prodops_experiment::{sample_ratio_mismatch, SrmConfig, SrmStatus};
///
/// let ok = sample_ratio_mismatch(&[5_020, 4_980], &[0.5, 0.5], SrmConfig::default())?;
/// assert_eq!(ok.status, SrmStatus::Pass);
/// let bad = sample_ratio_mismatch(&[5_000, 4_600], &[0.5, 0.5], SrmConfig::default())?;
/// assert_eq!(bad.status, SrmStatus::Mismatch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sample_ratio_mismatch(
    counts: &[u64],
    weights: &[f64],
    config: SrmConfig,
) -> Result<SrmOutcome, ExperimentError> {
    if counts.len() != weights.len() {
        return Err(invalid_config(
            "allocation",
            format!("{} weights for {} arms", weights.len(), counts.len()),
        ));
    }
    for (i, w) in weights.iter().enumerate() {
        if !(w.is_finite() && *w >= 0.0) {
            return Err(invalid_input(
                format!("weight of arm {i}"),
                format!("must be finite and ≥ 0, got {w}"),
            ));
        }
    }
    let total_weight: f64 = weights.iter().sum();
    if (total_weight - 1.0).abs() > 1e-9 {
        return Err(invalid_config(
            "allocation",
            format!("weights sum to {total_weight}, not 1"),
        ));
    }
    let planned = weights.iter().filter(|w| **w > 0.0).count();
    if planned < 2 {
        return Err(invalid_config(
            "allocation",
            "at least two arms need a positive weight",
        ));
    }
    let total: u64 = counts
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w > 0.0)
        .map(|(c, _)| c)
        .sum();
    let all: u64 = counts.iter().sum();
    let observed_shares = counts
        .iter()
        .map(|c| {
            if all == 0 {
                0.0
            } else {
                *c as f64 / all as f64
            }
        })
        .collect();
    let enough = counts
        .iter()
        .zip(weights)
        .all(|(c, w)| *w == 0.0 || *c >= config.min_count);
    let mut statistic = 0.0;
    for (c, w) in counts.iter().zip(weights) {
        if *w > 0.0 {
            let expected = total as f64 * w;
            let d = *c as f64 - expected;
            statistic += d * d / expected;
        }
    }
    let df = (planned - 1) as u32;
    let (p_value, status) = if enough && total > 0 {
        let p = chi2_sf(statistic, f64::from(df))?;
        (
            p,
            if p < config.threshold {
                SrmStatus::Mismatch
            } else {
                SrmStatus::Pass
            },
        )
    } else {
        (1.0, SrmStatus::NotTested)
    };
    Ok(SrmOutcome {
        statistic: if total > 0 { statistic } else { 0.0 },
        df,
        p_value,
        observed_shares,
        expected_shares: weights.to_vec(),
        status,
    })
}
