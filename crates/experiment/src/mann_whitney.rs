//! The Mann–Whitney U test (Wilcoxon rank-sum) on raw samples, as `scipy.stats.mannwhitneyu`.
//!
//! A rank test needs the values themselves, not sums, so it does not merge across shards; it
//! suits small experiments and heavy-tailed metrics where a test of means is fragile.

use serde::{Deserialize, Serialize};

use crate::dist::norm_sf;
use crate::error::{finite, invalid_config};
use crate::{Alternative, ExperimentError};

/// How the p-value of a Mann–Whitney test is computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MannWhitneyMethod {
    /// scipy's `method="auto"`: exact when an arm has at most 8 values and there are no ties,
    /// otherwise the normal approximation. The default.
    #[default]
    Auto,
    /// The exact null distribution of U (no ties allowed).
    Exact,
    /// The normal approximation with the tie correction of the variance.
    Asymptotic,
}

/// The settings of a Mann–Whitney test; the default is scipy's: two-sided, `Auto`, with the
/// continuity correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MannWhitneyConfig {
    /// The alternative: [`Alternative::Greater`] means treatment values tend to be larger.
    pub alternative: Alternative,
    /// Exact, asymptotic, or chosen by sample size and ties.
    pub method: MannWhitneyMethod,
    /// Subtract 0.5 from |U − mean| in the normal approximation (scipy `use_continuity`).
    pub continuity: bool,
}

impl Default for MannWhitneyConfig {
    fn default() -> Self {
        MannWhitneyConfig {
            alternative: Alternative::TwoSided,
            method: MannWhitneyMethod::Auto,
            continuity: true,
        }
    }
}

impl MannWhitneyConfig {
    /// A configuration from its parts.
    pub fn new(
        alternative: Alternative,
        method: MannWhitneyMethod,
        continuity: bool,
    ) -> MannWhitneyConfig {
        MannWhitneyConfig {
            alternative,
            method,
            continuity,
        }
    }
}

/// Which computation produced a Mann–Whitney p-value (never [`MannWhitneyMethod::Auto`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MannWhitneyUsed {
    /// The exact null distribution.
    Exact,
    /// The normal approximation, with or without the continuity correction.
    Asymptotic {
        /// Whether the continuity correction was applied.
        continuity: bool,
    },
}

/// The result of a Mann–Whitney U test of treatment against control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MannWhitneyOutcome {
    /// U of the treatment sample: the number of (treatment, control) pairs where treatment is
    /// larger, ties counting one half (scipy's `statistic` with `x` = treatment).
    pub u: f64,
    /// U / (n_treatment · n_control): an estimate of P(T > C) + P(T = C)/2, 0.5 under the
    /// null (the common-language effect size).
    pub probability_of_superiority: f64,
    /// The p-value.
    pub p_value: f64,
    /// The standardized statistic of the normal approximation (`None` for the exact test).
    pub z: Option<f64>,
    /// How the p-value was computed.
    pub method: MannWhitneyUsed,
    /// The alternative tested.
    pub alternative: Alternative,
}

/// Mid-ranks of `values` (1-based, ties averaged) and the sizes of the tie groups.
fn mid_ranks(values: &[f64]) -> (Vec<f64>, Vec<u64>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start + 1 ..= end share their average.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        if end - start > 1 {
            ties.push((end - start) as u64);
        }
        start = end;
    }
    (ranks, ties)
}

/// Counts of U = 0..=k under the null for sample sizes m and n, as exact integers: the first
/// k + 1 coefficients of the Gaussian binomial [m + n choose m]_q = Π_{i=1..m} (1 − q^{n+i}) /
/// (1 − q^i), built one factor at a time so every intermediate is a Gaussian binomial too.
/// `None` when a count overflows u128.
fn exact_counts(m: usize, n: usize, k: usize) -> Option<Vec<u128>> {
    let mut c = vec![0u128; k + 1];
    c[0] = 1;
    let mut signed: Vec<i128> = vec![0; k + 1];
    for i in 1..=m {
        for (s, &v) in signed.iter_mut().zip(&c) {
            *s = i128::try_from(v).ok()?;
        }
        // Multiply by (1 − q^{n+i}), highest degree first.
        for u in (n + i..=k).rev() {
            signed[u] = signed[u].checked_sub(signed[u - n - i])?;
        }
        // Divide by (1 − q^i): a running sum with stride i.
        for u in i..=k {
            signed[u] = signed[u].checked_add(signed[u - i])?;
        }
        for (v, &s) in c.iter_mut().zip(&signed) {
            *v = u128::try_from(s).ok()?;
        }
    }
    Some(c)
}

/// binom(n, k) in u128, `None` on overflow.
fn binomial(n: usize, k: usize) -> Option<u128> {
    let k = k.min(n - k);
    let mut acc: u128 = 1;
    for i in 0..k {
        // acc·(n − i)/(i + 1) is an integer at every step.
        acc = acc.checked_mul((n - i) as u128)? / (i as u128 + 1);
    }
    Some(acc)
}

/// P(U ≥ u) under the exact null distribution, by the symmetry U ↔ mn − U as scipy does.
fn exact_sf(u: u64, m: usize, n: usize) -> Result<f64, ExperimentError> {
    let too_large = || {
        invalid_config(
            "Mann–Whitney method",
            format!(
                "the exact distribution for samples of {m} and {n} is too large; use Asymptotic"
            ),
        )
    };
    let mn = (m * n) as u64;
    let complement = mn - u;
    let total = binomial(m + n, m).ok_or_else(too_large)? as f64;
    if u < complement {
        // 1 − P(U ≤ u − 1), summing the short left tail.
        let counts = exact_counts(m, n, u as usize).ok_or_else(too_large)?;
        let below: u128 = counts[..u as usize].iter().sum();
        Ok(1.0 - below as f64 / total)
    } else {
        let counts = exact_counts(m, n, complement as usize).ok_or_else(too_large)?;
        let tail: u128 = counts.iter().sum();
        Ok(tail as f64 / total)
    }
}

/// The Mann–Whitney U test of `treatment` against `control`, as
/// `scipy.stats.mannwhitneyu(treatment, control, use_continuity, alternative, method)`.
///
/// U is the treatment's rank sum minus n_T(n_T + 1)/2 with mid-ranks for ties. The exact test
/// uses the null distribution of U, counted exactly in integers; the normal approximation
/// has mean n_T·n_C/2 and variance n_T·n_C/12·((N + 1) − Σ(t³ − t)/(N(N − 1))) over tie groups
/// of size t, with the continuity correction optional. Two-sided p-values double the upper
/// tail of max(U, n_T·n_C − U), capped at 1.
///
/// # Errors
///
/// [`ExperimentError::TooFewUnits`] for an empty arm, [`ExperimentError::InvalidInput`] for a
/// non-finite value (naming arm and index), [`ExperimentError::ZeroOrNegativeVariance`] when
/// every value is tied (scipy returns p = 1, or NaN without the continuity correction), and
/// [`ExperimentError::InvalidConfig`] for the exact method with ties or with samples whose
/// null distribution overflows 128-bit counts.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{mann_whitney_u, MannWhitneyConfig, MannWhitneyUsed};
///
/// let control = [1.1, 2.3, 0.7, 1.9, 3.0];
/// let treatment = [2.8, 3.9, 2.2, 4.4, 3.1];
/// let out = mann_whitney_u(&control, &treatment, MannWhitneyConfig::default())?;
/// // Treatment beats control in 22 of the 25 pairs; small samples without ties: exact.
/// assert_eq!(out.u, 22.0);
/// assert_eq!(out.method, MannWhitneyUsed::Exact);
/// assert!((out.p_value - 0.05555555555555555).abs() < 1e-15); // scipy: 2 · 7/252
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn mann_whitney_u(
    control: &[f64],
    treatment: &[f64],
    config: MannWhitneyConfig,
) -> Result<MannWhitneyOutcome, ExperimentError> {
    for (arm, values) in [("control", control), ("treatment", treatment)] {
        if values.is_empty() {
            return Err(ExperimentError::TooFewUnits {
                arm: arm.into(),
                n: 0,
                min: 1,
            });
        }
        for (i, &x) in values.iter().enumerate() {
            finite(&format!("{arm} value at index {i}"), x)?;
        }
    }
    let (nt, nc) = (treatment.len(), control.len());
    let combined: Vec<f64> = treatment.iter().chain(control).copied().collect();
    let (ranks, ties) = mid_ranks(&combined);
    let rank_sum: f64 = ranks[..nt].iter().sum();
    let (ntf, ncf) = (nt as f64, nc as f64);
    let u1 = rank_sum - ntf * (ntf + 1.0) / 2.0;
    let u2 = ntf * ncf - u1;
    let (u, factor) = match config.alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let n = ntf + ncf;
    let tie_term: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
    let variance = ntf * ncf / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    let all_tied = ties.first() == Some(&((nt + nc) as u64));
    if all_tied || variance <= 0.0 {
        return Err(ExperimentError::ZeroOrNegativeVariance {
            arm: "control and treatment".into(),
            detail: "every value is tied, so ranks carry no information".into(),
        });
    }
    let exact = match config.method {
        MannWhitneyMethod::Exact => true,
        MannWhitneyMethod::Asymptotic => false,
        MannWhitneyMethod::Auto => (nt <= 8 || nc <= 8) && ties.is_empty(),
    };
    let (p, z, method) = if exact {
        if !ties.is_empty() {
            return Err(invalid_config(
                "Mann–Whitney method",
                "the exact distribution assumes no ties; use Asymptotic",
            ));
        }
        // Without ties U is an integer.
        let p = exact_sf(u.round() as u64, nt.min(nc), nt.max(nc))?;
        (p, None, MannWhitneyUsed::Exact)
    } else {
        let mut numerator = u - ntf * ncf / 2.0;
        if config.continuity {
            numerator -= 0.5;
        }
        let z = numerator / variance.sqrt();
        (
            norm_sf(z),
            Some(z),
            MannWhitneyUsed::Asymptotic {
                continuity: config.continuity,
            },
        )
    };
    Ok(MannWhitneyOutcome {
        u: u1,
        probability_of_superiority: u1 / (ntf * ncf),
        p_value: (p * factor).clamp(0.0, 1.0),
        z,
        method,
        alternative: config.alternative,
    })
}
