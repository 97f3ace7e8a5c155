//! Group-sequential designs: planned looks with Lan–DeMets alpha spending.
//!
//! At look k with information fraction t_k (units so far ÷ planned units of that
//! comparison), the spending function gives the cumulative type I error α(t_k) allowed so
//! far; the boundary b_k is the z value at which P(no crossing before k, |Z_k| ≥ b_k) =
//! α(t_k) − α(t_{k−1}) (Lan and DeMets 1983, "Discrete sequential boundaries for clinical
//! trials"). The probabilities come from the recursive numerical integration of Armitage,
//! McPherson and Rowe (1969) over the score process S_k = √t_k·Z_k, a Brownian motion in
//! information time.

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::config::Alpha;
use crate::dist::{norm_cdf, norm_ppf, norm_sf};
use crate::error::invalid_config;

/// How the type I error is spent over the information fraction t ∈ (0, 1] (two-sided).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Spending {
    /// O'Brien–Fleming type, spending α/2 on each side with the one-sided Lan–DeMets function
    /// 2 − 2Φ(z_{1−α/4}/√t), so α(t) = 4·Φ.sf(z_{1−α/4}/√t) in total (R `ldbounds` with two
    /// sides). Spends almost nothing early, so the final look keeps nearly the fixed-horizon
    /// boundary.
    OBrienFleming,
    /// Pocock type: α(t) = α·ln(1 + (e − 1)t). Spends evenly, so early stops are easier but
    /// the final boundary is higher.
    Pocock,
    /// Power family: α(t) = α·t^ρ (Spotify's default with ρ = 2).
    Power {
        /// The exponent ρ > 0.
        rho: f64,
    },
}

impl Spending {
    /// The cumulative two-sided α spent by information fraction `t` (clamped to [0, 1]).
    pub fn spent(&self, alpha: Alpha, t: f64) -> f64 {
        let t = t.clamp(0.0, 1.0);
        let a = alpha.get();
        if t == 0.0 {
            return 0.0;
        }
        match *self {
            Spending::OBrienFleming => 4.0 * norm_sf(norm_ppf(1.0 - a / 4.0) / t.sqrt()),
            Spending::Pocock => a * (1.0 + (std::f64::consts::E - 1.0) * t).ln(),
            Spending::Power { rho } => a * t.powf(rho),
        }
    }
}

/// One look's boundary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Look {
    /// Information fraction of the look.
    pub fraction: f64,
    /// Reject at this look when |z| ≥ this boundary.
    pub z_boundary: f64,
    /// The nominal two-sided significance level of the boundary, 2·Φ.sf(b). Never rounded
    /// (avast/ep-stats PR #97).
    pub nominal_alpha: f64,
    /// Cumulative α spent through this look.
    pub cumulative_alpha: f64,
}

/// Grid points per unit of the score process; 1e-7-level accuracy for the boundaries of
/// typical designs, which tests check against an independent multivariate-normal computation.
const GRID_PER_SD: f64 = 64.0;
/// The density is negligible beyond this many standard deviations.
const TRUNCATE_Z: f64 = 8.0;

/// Two-sided boundaries for looks at the given increasing information fractions.
///
/// `comparisons` > 1 splits α over that many comparisons (Bonferroni) before spending, as
/// Spotify does for several treatment arms. Fractions are per comparison: units in its two
/// arms so far ÷ its planned units (Spotify PR #77). A fraction ≥ 1 is treated as the final
/// look and spends the rest of α.
///
/// # Errors
///
/// [`ExperimentError::InvalidConfig`] when fractions are empty, not increasing, not in
/// (0, 1] after clamping, `comparisons` is 0, or a power-family ρ is not positive;
/// [`ExperimentError::NotConverged`] if a boundary cannot be bracketed.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{group_sequential_boundaries, Alpha, Spending};
///
/// let looks = group_sequential_boundaries(&[0.2, 0.4, 0.6, 0.8, 1.0], Alpha::new(0.05)?, Spending::OBrienFleming, 1)?;
/// // The published Lan–DeMets O'Brien–Fleming boundaries: 4.877, 3.357, 2.680, 2.290, 2.031.
/// assert!((looks[0].z_boundary - 4.877).abs() < 1e-3);
/// assert!((looks[4].z_boundary - 2.031).abs() < 1e-3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn group_sequential_boundaries(
    fractions: &[f64],
    alpha: Alpha,
    spending: Spending,
    comparisons: usize,
) -> Result<Vec<Look>, ExperimentError> {
    if fractions.is_empty() {
        return Err(invalid_config(
            "looks",
            "need at least one information fraction",
        ));
    }
    if comparisons == 0 {
        return Err(invalid_config("comparisons", "must be at least 1"));
    }
    if let Spending::Power { rho } = spending
        && !(rho.is_finite() && rho > 0.0)
    {
        return Err(invalid_config(
            "spending ρ",
            format!("must be positive, got {rho}"),
        ));
    }
    let alpha = Alpha::new(alpha.get() / comparisons as f64)?;
    let mut ts = Vec::with_capacity(fractions.len());
    for (i, &t) in fractions.iter().enumerate() {
        if !(t.is_finite() && t > 0.0) {
            return Err(invalid_config(
                "looks",
                format!("fraction {i} must be positive, got {t}"),
            ));
        }
        let t = t.min(1.0);
        if ts.last().is_some_and(|&prev| t <= prev) {
            return Err(invalid_config("looks", "fractions must increase"));
        }
        ts.push(t);
    }
    if let Some(last) = ts.last_mut()
        && (fractions[fractions.len() - 1] >= 1.0)
    {
        *last = 1.0;
    }

    let mut looks = Vec::with_capacity(ts.len());
    // The sub-density of the score process on the continuation region, on a uniform grid.
    let mut grid: Vec<f64> = Vec::new();
    let mut density: Vec<f64> = Vec::new();
    let mut spent_before = 0.0;
    let mut t_prev = 0.0;
    for &t in &ts {
        let cumulative = spending.spent(alpha, t);
        let increment = (cumulative - spent_before).max(0.0);
        let dt = t - t_prev;
        let sd = dt.sqrt();
        // P(cross at this look) for a boundary b (on the z scale).
        let crossing = |b: f64| -> f64 {
            let c = b * t.sqrt();
            if grid.is_empty() {
                2.0 * norm_sf(c / sd)
            } else {
                let h = grid[1] - grid[0];
                let mut total = 0.0;
                for (i, (&u, &f)) in grid.iter().zip(&density).enumerate() {
                    let w = simpson_weight(i, grid.len()) * h / 3.0;
                    total += w * f * (norm_sf((c - u) / sd) + norm_cdf((-c - u) / sd));
                }
                total
            }
        };
        let b = solve_boundary(increment, crossing)?;
        let c = b * t.sqrt();
        // Propagate the density to this look's continuation region (−c, c).
        let points = ((2.0 * c / sd) * GRID_PER_SD).ceil() as usize | 1;
        let points = points.max(33);
        let new_grid: Vec<f64> = (0..points)
            .map(|i| -c + 2.0 * c * i as f64 / (points - 1) as f64)
            .collect();
        let new_density: Vec<f64> = if grid.is_empty() {
            new_grid.iter().map(|s| normal_density(*s, sd)).collect()
        } else {
            let h = grid[1] - grid[0];
            new_grid
                .iter()
                .map(|s| {
                    grid.iter()
                        .zip(&density)
                        .enumerate()
                        .map(|(i, (&u, &f))| {
                            simpson_weight(i, grid.len()) * h / 3.0 * f * normal_density(s - u, sd)
                        })
                        .sum()
                })
                .collect()
        };
        grid = new_grid;
        density = new_density;
        spent_before += increment;
        t_prev = t;
        looks.push(Look {
            fraction: t,
            z_boundary: b,
            nominal_alpha: 2.0 * norm_sf(b),
            cumulative_alpha: spent_before,
        });
    }
    Ok(looks)
}

fn normal_density(x: f64, sd: f64) -> f64 {
    crate::dist::norm_pdf(x / sd) / sd
}

/// Composite Simpson weights 1, 4, 2, 4, …, 4, 1 over an odd number of points.
fn simpson_weight(i: usize, n: usize) -> f64 {
    if i == 0 || i == n - 1 {
        1.0
    } else if i % 2 == 1 {
        4.0
    } else {
        2.0
    }
}

/// The boundary b with crossing(b) = target, by bisection on [0, TRUNCATE_Z] (crossing
/// decreases in b). A target of 0 (nothing to spend at this look) gives the truncation point.
fn solve_boundary(target: f64, crossing: impl Fn(f64) -> f64) -> Result<f64, ExperimentError> {
    if target <= 0.0 {
        return Ok(TRUNCATE_Z);
    }
    let (mut lo, mut hi) = (0.0, TRUNCATE_Z);
    if crossing(hi) > target {
        return Ok(TRUNCATE_Z);
    }
    if crossing(lo) < target {
        return Err(ExperimentError::NotConverged {
            what: "group-sequential boundary (α increment too large)".into(),
        });
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if crossing(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-10 {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}
