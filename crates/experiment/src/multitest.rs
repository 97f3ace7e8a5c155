//! Multiple-comparison corrections over an explicit family of tests.
//!
//! [`adjust`] returns adjusted p-values that match
//! `statsmodels.stats.multitest.multipletests(p, method=...)[1]` (statsmodels 0.15), in the
//! order the p-values were given. [`reject`] compares them with α. [`adjusted_interval`] widens
//! a confidence interval so it agrees with an adjusted p-value,
//! [`simultaneous_one_sided_bounds`] gives one-sided bounds compatible with Holm, Hochberg and
//! Hommel (Spotify confidence), and [`Family`] states which
//! tests are corrected together, so guardrail and secondary metrics need not dilute α.
//!
//! Every method here is a function of the sorted p-values p₍₁₎ ≤ … ≤ p₍ₘ₎; ties get equal
//! adjusted values, so the result does not depend on how ties are ordered.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::dist::norm_ppf;
use crate::error::{invalid_config, invalid_input};
use crate::{Alpha, Alternative, ExperimentError, Interval, TestOutcome};

/// A multiple-comparison correction.
///
/// FWER methods bound the probability of any false rejection in the family; FDR methods bound
/// the expected share of false rejections among the rejections, which is weaker but keeps more
/// power when many tests are run. The default is [`Correction::Holm`]: it controls the FWER
/// under any dependence between tests and dominates Bonferroni.
///
/// # Examples
///
/// ```
/// use prodops_experiment::multitest::Correction;
///
/// assert_eq!(Correction::BenjaminiHochberg.statsmodels_method(), Some("fdr_bh"));
/// assert_eq!(Correction::None.statsmodels_method(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// No adjustment: each p-value stands as computed. Controls neither FWER nor FDR across
    /// the family.
    None,
    /// Bonferroni, statsmodels `bonferroni`: min(1, m·p). Controls the FWER under any
    /// dependence.
    Bonferroni,
    /// Šidák, statsmodels `sidak`: 1 − (1 − p)^m. Controls the FWER for independent (or
    /// non-negatively dependent) tests.
    Sidak,
    /// Holm's step-down, statsmodels `holm`. Controls the FWER under any dependence and is
    /// never less powerful than Bonferroni.
    #[default]
    Holm,
    /// Holm's step-down with Šidák's per-step levels, statsmodels `holm-sidak`. Controls the
    /// FWER for independent (or non-negatively dependent) tests.
    HolmSidak,
    /// Hochberg's step-up, statsmodels `simes-hochberg`. Controls the FWER for independent or
    /// positively dependent (PRDS) tests.
    Hochberg,
    /// Hommel's closed Simes procedure, statsmodels `hommel`. Controls the FWER for
    /// independent or positively dependent (PRDS) tests and is never less powerful than
    /// Hochberg.
    Hommel,
    /// Benjamini–Hochberg step-up, statsmodels `fdr_bh`. Controls the FDR for independent or
    /// positively dependent (PRDS) tests.
    BenjaminiHochberg,
    /// Benjamini–Yekutieli, statsmodels `fdr_by`: Benjamini–Hochberg scaled by Σⱼ 1/j.
    /// Controls the FDR under any dependence.
    BenjaminiYekutieli,
    /// Two-stage Benjamini–Hochberg, statsmodels `fdr_tsbh` (with its default
    /// `maxiter=1`): a first BH pass at `alpha` rejects r₁ hypotheses, which estimates the
    /// number of true nulls as m₀ = m − r₁, and the BH adjusted values are scaled by m₀/m
    /// (unscaled when r₁ is 0 or m). The adjusted values depend on the first-stage `alpha`,
    /// so compare them with the same α. Because m₀/m < 1 when some hypotheses are rejected,
    /// an adjusted value can be *below* its raw p-value. Adaptive FDR control for independent
    /// tests.
    TwoStageBenjaminiHochberg {
        /// The FDR level of the first stage (and of the decision).
        alpha: Alpha,
    },
    /// The two-stage procedure of Benjamini, Krieger and Yekutieli (2006), statsmodels
    /// `fdr_tsbky` (`maxiter=1`): as [`Correction::TwoStageBenjaminiHochberg`] with the first
    /// stage at α/(1 + α) and the scaled values multiplied by 1 + α. Proven to control the
    /// FDR at α for independent tests, and robust to positive correlation in BKY's
    /// simulations.
    TwoStageBenjaminiKriegerYekutieli {
        /// The FDR level of the procedure.
        alpha: Alpha,
    },
}

impl Correction {
    /// Every correction that does not depend on α, in declaration order (handy for reports
    /// and tests). The two-stage FDR corrections carry their α and are not listed.
    pub const ALL: [Correction; 9] = [
        Correction::None,
        Correction::Bonferroni,
        Correction::Sidak,
        Correction::Holm,
        Correction::HolmSidak,
        Correction::Hochberg,
        Correction::Hommel,
        Correction::BenjaminiHochberg,
        Correction::BenjaminiYekutieli,
    ];

    /// The `method` string of `statsmodels.stats.multitest.multipletests` that computes the
    /// same adjusted p-values, or `None` for [`Correction::None`], which statsmodels lacks.
    pub fn statsmodels_method(self) -> Option<&'static str> {
        match self {
            Correction::None => None,
            Correction::Bonferroni => Some("bonferroni"),
            Correction::Sidak => Some("sidak"),
            Correction::Holm => Some("holm"),
            Correction::HolmSidak => Some("holm-sidak"),
            Correction::Hochberg => Some("simes-hochberg"),
            Correction::Hommel => Some("hommel"),
            Correction::BenjaminiHochberg => Some("fdr_bh"),
            Correction::BenjaminiYekutieli => Some("fdr_by"),
            Correction::TwoStageBenjaminiHochberg { .. } => Some("fdr_tsbh"),
            Correction::TwoStageBenjaminiKriegerYekutieli { .. } => Some("fdr_tsbky"),
        }
    }
}

/// Adjusted p-values for a family of tests, in the order the p-values were given.
///
/// With m tests and sorted p-values p₍₁₎ ≤ … ≤ p₍ₘ₎ (j is the 1-based rank):
///
/// | correction | adjusted p₍ᵢ₎ |
/// |---|---|
/// | Bonferroni | min(1, m·p₍ᵢ₎) |
/// | Šidák | 1 − (1 − p₍ᵢ₎)^m |
/// | Holm | max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎) |
/// | Holm–Šidák | max_{j ≤ i} 1 − (1 − p₍ⱼ₎)^(m − j + 1) |
/// | Hochberg | min_{j ≥ i} min(1, (m − j + 1)·p₍ⱼ₎) |
/// | Hommel | statsmodels' closed-Simes algorithm, O(m²) |
/// | Benjamini–Hochberg | min_{j ≥ i} min(1, m·p₍ⱼ₎ / j) |
/// | Benjamini–Yekutieli | min(1, BH₍ᵢ₎ · Σ_{j=1..m} 1/j) |
/// | two-stage BH | min(1, min(1, BH₍ᵢ₎) · m₀/m), m₀ = m − r₁ from BH at α (m₀ = m if r₁ ∈ {0, m}) |
/// | two-stage BKY | as two-stage BH with r₁ from BH at α/(1 + α), times (1 + α) |
///
/// An empty slice gives an empty vector.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`], naming the index, when a p-value is NaN or outside
/// [0, 1].
///
/// # Examples
///
/// ```
/// use prodops_experiment::multitest::{adjust, Correction};
///
/// let adjusted = adjust(&[0.01, 0.04, 0.03], Correction::Holm)?;
/// // Sorted: 3 × 0.01 = 0.03, then max(0.03, 2 × 0.03) = 0.06, then max(0.06, 1 × 0.04).
/// assert!((adjusted[0] - 0.03).abs() < 1e-15);
/// assert!((adjusted[1] - 0.06).abs() < 1e-15);
/// assert!((adjusted[2] - 0.06).abs() < 1e-15);
/// assert!(adjust(&[f64::NAN], Correction::Holm).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn adjust(p_values: &[f64], correction: Correction) -> Result<Vec<f64>, ExperimentError> {
    let p = validated(p_values)?;
    if p.is_empty() {
        return Ok(p);
    }
    // A stable sort, so the permutation is deterministic; values never depend on it because
    // every method gives tied p-values equal adjusted values.
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| p[i]).collect();

    let adjusted_sorted = adjust_sorted(&sorted, correction);

    let mut out = vec![0.0; p.len()];
    for (rank, &index) in order.iter().enumerate() {
        // The clip at 1 is statsmodels' final step; the operands are never NaN, so `min` is
        // exact.
        out[index] = adjusted_sorted[rank].min(1.0);
    }
    Ok(out)
}

/// Which hypotheses are rejected at level α after the correction: adjusted p ≤ α.
///
/// # Errors
///
/// As [`adjust`]: a p-value that is NaN or outside [0, 1].
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_experiment::multitest::{reject, Correction};
///
/// let decisions = reject(&[0.01, 0.04, 0.03], Correction::BenjaminiHochberg, Alpha::new(0.05)?)?;
/// assert_eq!(decisions, vec![true, true, true]);
/// let decisions = reject(&[0.01, 0.04, 0.03], Correction::Holm, Alpha::new(0.05)?)?;
/// assert_eq!(decisions, vec![true, false, false]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reject(
    p_values: &[f64],
    correction: Correction,
    alpha: Alpha,
) -> Result<Vec<bool>, ExperimentError> {
    Ok(adjust(p_values, correction)?
        .into_iter()
        .map(|p| p <= alpha.get())
        .collect())
}

/// Checks every p-value and turns −0.0 into 0.0 (so no adjusted value prints as "-0").
fn validated(p_values: &[f64]) -> Result<Vec<f64>, ExperimentError> {
    p_values
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            if (0.0..=1.0).contains(&p) {
                Ok(p + 0.0)
            } else {
                Err(invalid_input(
                    format!("p_values[{i}]"),
                    format!("a p-value must be in [0, 1], got {p}"),
                ))
            }
        })
        .collect()
}

/// The adjusted values of ascending, validated, non-empty p-values, before the clip at 1.
///
/// The arithmetic follows statsmodels operation by operation (for instance BH divides by
/// j/m rather than multiplying by m/j) so that results agree to the last bit or two.
fn adjust_sorted(sorted: &[f64], correction: Correction) -> Vec<f64> {
    let m = sorted.len();
    let mf = m as f64;
    // Number of hypotheses still in play at 0-based rank i: m − j + 1 with j = i + 1.
    let remaining = |i: usize| (m - i) as f64;
    match correction {
        Correction::None => sorted.to_vec(),
        Correction::Bonferroni => sorted.iter().map(|&p| p * mf).collect(),
        Correction::Sidak => sorted.iter().map(|&p| sidak(p, mf)).collect(),
        Correction::Holm => running_max(sorted.iter().enumerate().map(|(i, &p)| p * remaining(i))),
        Correction::HolmSidak => running_max(
            sorted
                .iter()
                .enumerate()
                .map(|(i, &p)| sidak(p, remaining(i))),
        ),
        Correction::Hochberg => {
            running_min_from_right(sorted.iter().enumerate().map(|(i, &p)| remaining(i) * p))
        }
        Correction::Hommel => hommel(sorted),
        Correction::BenjaminiHochberg => benjamini_hochberg(sorted),
        Correction::BenjaminiYekutieli => {
            let harmonic: f64 = (1..=m).map(|j| 1.0 / j as f64).sum();
            running_min_from_right(
                sorted
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| p / ((i + 1) as f64 / mf / harmonic)),
            )
        }
        Correction::TwoStageBenjaminiHochberg { alpha } => two_stage(sorted, alpha.get(), false),
        Correction::TwoStageBenjaminiKriegerYekutieli { alpha } => {
            two_stage(sorted, alpha.get(), true)
        }
    }
}

/// Benjamini–Hochberg adjusted values of ascending p-values, before the clip at 1.
fn benjamini_hochberg(sorted: &[f64]) -> Vec<f64> {
    let mf = sorted.len() as f64;
    running_min_from_right(
        sorted
            .iter()
            .enumerate()
            .map(|(i, &p)| p / ((i + 1) as f64 / mf)),
    )
}

/// The two-stage adaptive BH of statsmodels' `fdrcorrection_twostage` with `maxiter=1`,
/// operation by operation: BH values clipped at 1, then scaled by the estimated share of
/// true nulls m₀/m, then by the BKY factor.
fn two_stage(sorted: &[f64], alpha: f64, bky: bool) -> Vec<f64> {
    let m = sorted.len();
    let mf = m as f64;
    let factor = if bky { 1.0 + alpha } else { 1.0 };
    let first_stage = alpha / factor;
    // The step-up rejection count: the largest rank whose p-value is under its BH line.
    let rejected = sorted
        .iter()
        .enumerate()
        .filter(|&(i, &p)| p <= (i + 1) as f64 / mf * first_stage)
        .map(|(i, _)| i + 1)
        .max()
        .unwrap_or(0);
    let clipped = benjamini_hochberg(sorted).into_iter().map(|v| v.min(1.0));
    if rejected == 0 || rejected == m {
        return clipped.map(|v| v * factor).collect();
    }
    let null_share = (m - rejected) as f64 / mf;
    clipped.map(|v| v * null_share * factor).collect()
}

/// 1 − (1 − p)^k without cancellation: for tiny p, (1 − p)^k rounds to 1 and the naive form
/// returns 0. p = 1 gives ln_1p(−1) = −∞ and exp_m1(−∞) = −1, so the result is exactly 1.
fn sidak(p: f64, k: f64) -> f64 {
    -(k * (-p).ln_1p()).exp_m1()
}

/// The running maximum from the smallest p upwards (step-down methods).
fn running_max(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = f64::NEG_INFINITY;
    values
        .map(|v| {
            acc = acc.max(v);
            acc
        })
        .collect()
}

/// The running minimum from the largest p downwards (step-up methods).
fn running_min_from_right(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut out: Vec<f64> = values.collect();
    let mut acc = f64::INFINITY;
    for v in out.iter_mut().rev() {
        acc = acc.min(*v);
        *v = acc;
    }
    out
}

/// Hommel's adjusted p-values, transcribed from statsmodels' `multipletests(method="hommel")`.
///
/// For each subset size k = m, …, 2 it takes the Simes p-value of the k largest p-values,
/// c_k = min_{l=1..k} k·p₍ₘ₋ₖ₊ₗ₎ / l, raises those k adjusted values to at least c_k, and
/// raises each of the m − k smaller ones to at least min(k·p, c_k). O(m²).
fn hommel(sorted: &[f64]) -> Vec<f64> {
    let m = sorted.len();
    let mut adjusted = sorted.to_vec();
    for k in (2..=m).rev() {
        let kf = k as f64;
        let start = m - k;
        let simes = sorted[start..]
            .iter()
            .enumerate()
            .map(|(l, &p)| kf * p / (l + 1) as f64)
            .fold(f64::INFINITY, f64::min);
        for a in &mut adjusted[start..] {
            *a = a.max(simes);
        }
        for (a, &p) in adjusted[..start].iter_mut().zip(&sorted[..start]) {
            *a = a.max((kf * p).min(simes));
        }
    }
    adjusted
}

/// Adjusted p-values at or above this are treated as 1: the matching interval is the whole
/// line, and computing Φ⁻¹ near 1/2 would only amplify rounding.
const P_ONE: f64 = 1.0 - 1e-12;

/// A confidence interval widened to agree with a multiplicity-adjusted p-value (GrowthBook's
/// construction).
///
/// The standard error implied by the adjusted two-sided p-value is
/// SE_adj = |Δ̂| / Φ⁻¹(1 − p_adj/2), and the adjusted interval is Δ̂ ± z_{1−α/2}·SE_adj. Each
/// bound is kept only where it is wider than `raw`, so the result always contains `raw`
/// (a correction never makes an interval shorter). Then:
///
/// - `adjusted_p ≥ 1 − 1e-12`, or an implied SE that is not finite: (−∞, ∞), since such a
///   p-value is consistent with any effect.
/// - `estimate == 0`: SE_adj is 0, so `raw` is returned (unless `adjusted_p` ≈ 1, above).
/// - `adjusted_p == 0`: SE_adj is 0, so `raw` is returned.
/// - Inputs outside the domain (a non-finite estimate, `adjusted_p` NaN or outside [0, 1], a
///   NaN bound in `raw`): (−∞, ∞), the conservative answer, rather than NaN.
///
/// When `raw` is the symmetric Wald interval of the same test and `adjusted_p` is at least
/// the raw p-value, the result excludes 0 exactly when `adjusted_p < α`, so the interval and
/// the adjusted decision never disagree.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Alpha, Interval};
/// use prodops_experiment::multitest::adjusted_interval;
///
/// let alpha = Alpha::new(0.05)?;
/// // Δ̂ = 2 with SE 1: raw 95% CI 2 ± 1.96, raw p ≈ 0.0455; Bonferroni over 2 tests doubles p.
/// let raw = Interval { lower: 2.0 - 1.959963984540054, upper: 2.0 + 1.959963984540054 };
/// let adjusted = adjusted_interval(2.0, raw, 0.0910, alpha);
/// assert!(adjusted.lower < 0.0 && adjusted.upper > raw.upper);
/// assert!(adjusted_interval(2.0, raw, 1.0, alpha).upper.is_infinite());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn adjusted_interval(estimate: f64, raw: Interval, adjusted_p: f64, alpha: Alpha) -> Interval {
    let whole_line = Interval {
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    };
    let valid_p = (0.0..=1.0).contains(&adjusted_p);
    if !estimate.is_finite() || !valid_p || raw.lower.is_nan() || raw.upper.is_nan() {
        return whole_line;
    }
    if adjusted_p >= P_ONE {
        return whole_line;
    }
    // Φ⁻¹(1 − p/2) written as −Φ⁻¹(p/2): 1 − p/2 would round away a tiny p.
    let z_p = -norm_ppf(adjusted_p / 2.0);
    let se = estimate.abs() / z_p;
    if !se.is_finite() {
        return whole_line;
    }
    let z_alpha = -norm_ppf(alpha.get() / 2.0);
    let half_width = z_alpha * se;
    Interval {
        lower: raw.lower.min(estimate - half_width),
        upper: raw.upper.max(estimate + half_width),
    }
}

/// Simultaneous one-sided confidence bounds compatible with a step-down or step-up
/// correction, as Spotify confidence's `ci_for_multiple_comparison_methods` (with its default
/// weight w = 1); for Holm these are the bounds of Strassburger and Bretz (2008, "Compatible
/// simultaneous lower confidence bounds for the Holm procedure and other Bonferroni-based
/// closed tests", Statistics in Medicine).
///
/// Each outcome must be one-sided ([`Alternative::Greater`] gives a lower bound,
/// [`Alternative::Less`] an upper bound); its p-value is corrected over the m outcomes and
/// compared with α. With r the number not rejected, and z(q) the standard normal quantile:
///
/// - rejected, when every hypothesis is rejected: the bound Δ̂ ∓ z(q)·SE at q = 1 − α/m
///   (Holm) or (1 − α)^{1/m} (Hochberg and Hommel), but never beyond the null value;
/// - rejected, when some are not: the null value itself (the test shows only that the
///   effect lies beyond it);
/// - not rejected: Δ̂ ∓ z(1 − α/r)·SE.
///
/// [`Correction::Bonferroni`] gives the plain bound at 1 − α/m for every outcome. The normal
/// quantile is used whatever the test, as Spotify does. Two-sided simultaneous intervals
/// compatible with these procedures do not exist in this simple form; use
/// [`adjusted_interval`] or [`bonferroni_alpha`] for those.
///
/// # Errors
///
/// [`ExperimentError::InvalidConfig`] for a correction other than Bonferroni, Holm, Hochberg
/// or Hommel; [`ExperimentError::InvalidInput`] naming the index of a two-sided outcome or
/// of an invalid p-value.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Alpha, Alternative, Analysis, ArmMoments};
/// use prodops_experiment::multitest::{simultaneous_one_sided_bounds, Correction};
///
/// let greater = Analysis::builder().alternative(Alternative::Greater).build()?;
/// let a = ArmMoments::new("control", 1_000, 10.0, 4.0)?;
/// let outcomes = [
///     greater.compare(&a, &ArmMoments::new("treatment", 1_000, 10.5, 4.0)?)?,
///     greater.compare(&a, &ArmMoments::new("treatment", 1_000, 10.05, 4.0)?)?,
/// ];
/// let bounds = simultaneous_one_sided_bounds(&outcomes, Correction::Holm, Alpha::new(0.05)?)?;
/// // The first is significant, the second not: the first bound sits at the null value 0, and
/// // the second, the only one retained (r = 1), keeps its bound at level 1 − α.
/// assert_eq!(bounds[0].lower, 0.0);
/// let z = 1.6448536269514722; // Φ⁻¹(0.95)
/// assert!((bounds[1].lower - (0.05 - z * outcomes[1].std_error)).abs() < 1e-9);
/// assert!(bounds[1].upper.is_infinite());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simultaneous_one_sided_bounds(
    outcomes: &[TestOutcome],
    correction: Correction,
    alpha: Alpha,
) -> Result<Vec<Interval>, ExperimentError> {
    let m = outcomes.len();
    let a = alpha.get();
    let mf = m as f64;
    let all_rejected_level = match correction {
        Correction::Bonferroni | Correction::Holm => 1.0 - a / mf,
        Correction::Hochberg | Correction::Hommel => (1.0 - a).powf(1.0 / mf),
        other => {
            return Err(invalid_config(
                "correction",
                format!(
                    "simultaneous one-sided bounds exist for Bonferroni, Holm, Hochberg and \
                     Hommel, not {other:?}"
                ),
            ));
        }
    };
    let mut sides = Vec::with_capacity(m);
    for (i, outcome) in outcomes.iter().enumerate() {
        match outcome.alternative {
            Alternative::Greater => sides.push(1.0),
            Alternative::Less => sides.push(-1.0),
            Alternative::TwoSided => {
                return Err(invalid_input(
                    format!("outcomes[{i}]"),
                    "simultaneous bounds need one-sided tests (Greater or Less)",
                ));
            }
        }
    }
    let p: Vec<f64> = outcomes.iter().map(|o| o.p_value).collect();
    let rejected: Vec<bool> = adjust(&p, correction)?
        .into_iter()
        .map(|q| q <= a)
        .collect();
    let not_rejected = rejected.iter().filter(|r| !**r).count();
    Ok(outcomes
        .iter()
        .zip(&rejected)
        .zip(sides)
        .map(|((outcome, &rejected), side)| {
            let at = |level: f64| outcome.estimate - side * norm_ppf(level) * outcome.std_error;
            let bound = if correction == Correction::Bonferroni {
                at(all_rejected_level)
            } else if !rejected {
                at(1.0 - a / not_rejected as f64)
            } else if not_rejected == 0 {
                // Never beyond the null value: a rejection only shows the effect lies past it.
                let b = at(all_rejected_level);
                if side > 0.0 {
                    b.max(outcome.null_value)
                } else {
                    b.min(outcome.null_value)
                }
            } else {
                outcome.null_value
            };
            if side > 0.0 {
                Interval {
                    lower: bound,
                    upper: f64::INFINITY,
                }
            } else {
                Interval {
                    lower: f64::NEG_INFINITY,
                    upper: bound,
                }
            }
        })
        .collect())
}

/// The per-test level α/m of a Bonferroni correction, for Bonferroni-style confidence
/// intervals at level 1 − α/m.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `m` is 0 (there is no family to correct).
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_experiment::multitest::bonferroni_alpha;
///
/// let per_test = bonferroni_alpha(Alpha::new(0.05)?, 4)?;
/// assert!((per_test.get() - 0.0125).abs() < 1e-15);
/// assert!(bonferroni_alpha(Alpha::new(0.05)?, 0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bonferroni_alpha(alpha: Alpha, m: usize) -> Result<Alpha, ExperimentError> {
    if m == 0 {
        return Err(invalid_input(
            "number of tests",
            "must be at least 1 for a Bonferroni level",
        ));
    }
    // α/m lies in (0, α) for any m ≥ 1, so this cannot fail; Alpha::new still checks it.
    Alpha::new(alpha.get() / m as f64)
}

/// The role a metric plays in an experiment's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricRole {
    /// A success (goal) metric: the one the ship decision rests on.
    Success,
    /// A guardrail metric: watched for harm, not for a win.
    Guardrail,
    /// A secondary (exploratory) metric: reported but not decisive.
    Secondary,
}

/// Which members of a [`Family`] are corrected together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FamilyScope {
    /// Only success metrics (across all variants) form the family; guardrail and secondary
    /// metrics keep their raw p-values and do not dilute α (GrowthBook's and Spotify's
    /// default).
    #[default]
    SuccessMetricsOnly,
    /// Every variant × metric comparison forms the family.
    AllMetrics,
}

/// One comparison in a family: a variant against control on one metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FamilyMember {
    /// The treatment variant, such as `"B"`.
    pub variant: String,
    /// The metric, such as `"conversion"`.
    pub metric: String,
    /// The metric's role.
    pub role: MetricRole,
}

impl FamilyMember {
    /// A member from its parts.
    pub fn new(variant: impl Into<String>, metric: impl Into<String>, role: MetricRole) -> Self {
        FamilyMember {
            variant: variant.into(),
            metric: metric.into(),
            role,
        }
    }
}

/// An explicit family of comparisons and the scope of the correction.
///
/// Stating the family makes the correction reproducible: the same p-values adjusted over a
/// different family give different answers, and an implicit family ("whatever was on the
/// dashboard") is the usual way corrections go wrong.
///
/// # Examples
///
/// ```
/// use prodops_experiment::multitest::{Family, FamilyMember, FamilyScope, MetricRole};
///
/// let family = Family::new(
///     vec![
///         FamilyMember::new("B", "conversion", MetricRole::Success),
///         FamilyMember::new("B", "latency", MetricRole::Guardrail),
///         FamilyMember::new("C", "conversion", MetricRole::Success),
///     ],
///     FamilyScope::SuccessMetricsOnly,
/// )?;
/// assert_eq!(family.members_in_scope(), vec![0, 2]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FamilySpec")]
pub struct Family {
    members: Vec<FamilyMember>,
    scope: FamilyScope,
}

/// The unchecked shape of a [`Family`], so deserialisation goes through [`Family::new`].
#[derive(Deserialize)]
struct FamilySpec {
    members: Vec<FamilyMember>,
    scope: FamilyScope,
}

impl TryFrom<FamilySpec> for Family {
    type Error = ExperimentError;

    fn try_from(spec: FamilySpec) -> Result<Self, Self::Error> {
        Family::new(spec.members, spec.scope)
    }
}

impl Family {
    /// A family from its members, in the order their p-values will be given.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when two members share a (variant, metric) pair: a
    /// comparison counted twice would inflate m and silently over-correct.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::multitest::{Family, FamilyMember, FamilyScope, MetricRole};
    ///
    /// let twice = vec![
    ///     FamilyMember::new("B", "conversion", MetricRole::Success),
    ///     FamilyMember::new("B", "conversion", MetricRole::Success),
    /// ];
    /// assert!(Family::new(twice, FamilyScope::AllMetrics).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(members: Vec<FamilyMember>, scope: FamilyScope) -> Result<Self, ExperimentError> {
        let mut seen = HashSet::new();
        for (i, member) in members.iter().enumerate() {
            if !seen.insert((member.variant.as_str(), member.metric.as_str())) {
                return Err(invalid_input(
                    format!("family member {i}"),
                    format!(
                        "variant {:?} on metric {:?} appears more than once",
                        member.variant, member.metric
                    ),
                ));
            }
        }
        Ok(Family { members, scope })
    }

    /// The members, in order.
    pub fn members(&self) -> &[FamilyMember] {
        &self.members
    }

    /// The scope of the correction.
    pub fn scope(&self) -> FamilyScope {
        self.scope
    }

    /// The number of members (in scope or not).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the family has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The indices of the members that are corrected together, ascending.
    pub fn members_in_scope(&self) -> Vec<usize> {
        self.members
            .iter()
            .enumerate()
            .filter(|(_, member)| match self.scope {
                FamilyScope::AllMetrics => true,
                FamilyScope::SuccessMetricsOnly => member.role == MetricRole::Success,
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// Adjusts the p-values of a family: `Some(adjusted p)` for members in scope (corrected
/// together, with m = the number in scope) and `None` for members outside it, whose raw
/// p-value stands.
///
/// `p_values[i]` belongs to `family.members()[i]`. Every p-value is validated, in scope or
/// not, since an invalid one signals an upstream bug either way.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `p_values` and the family differ in length, or a
/// p-value is NaN or outside [0, 1].
///
/// # Examples
///
/// ```
/// use prodops_experiment::multitest::{
///     adjust_family, Correction, Family, FamilyMember, FamilyScope, MetricRole,
/// };
///
/// let family = Family::new(
///     vec![
///         FamilyMember::new("B", "conversion", MetricRole::Success),
///         FamilyMember::new("B", "latency", MetricRole::Guardrail),
///     ],
///     FamilyScope::SuccessMetricsOnly,
/// )?;
/// let adjusted = adjust_family(&family, &[0.02, 0.01], Correction::Bonferroni)?;
/// assert_eq!(adjusted, vec![Some(0.02), None]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn adjust_family(
    family: &Family,
    p_values: &[f64],
    correction: Correction,
) -> Result<Vec<Option<f64>>, ExperimentError> {
    if p_values.len() != family.len() {
        return Err(invalid_input(
            "p_values",
            format!(
                "{} p-values for a family of {} members",
                p_values.len(),
                family.len()
            ),
        ));
    }
    validated(p_values)?;
    let in_scope = family.members_in_scope();
    let scoped: Vec<f64> = in_scope.iter().map(|&i| p_values[i]).collect();
    let adjusted = adjust(&scoped, correction)?;
    let mut out = vec![None; p_values.len()];
    for (&i, &p) in in_scope.iter().zip(&adjusted) {
        out[i] = Some(p);
    }
    Ok(out)
}
