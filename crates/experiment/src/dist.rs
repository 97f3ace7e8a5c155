//! Thin wrappers over statrs' distributions, so the rest of the crate names what it computes
//! (an upper-tail probability, a quantile) and never writes `1 - cdf`.
//!
//! Upper tails come from `sf`, which keeps full relative precision far into the tail where
//! `1 - cdf` rounds to 0 (gbstats' `1 - t.cdf(|t|)` does, GrowthBook #1320).

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

use crate::ExperimentError;
use crate::error::invalid_input;

fn standard_normal() -> Normal {
    // Mean 0 and sd 1 are always valid parameters.
    Normal::standard()
}

/// Φ(x), the standard normal CDF.
///
/// Computed as erfc(−x/√2)/2 with libm's erfc (a port of the FreeBSD/musl implementation,
/// accurate to about 1 ulp): statrs' own normal CDF is accurate only to about 1e-10 relative,
/// short of the 1e-9-or-better agreement with scipy that the tests demand of closed forms.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// 1 − Φ(x), computed directly as erfc(x/√2)/2, so the upper tail keeps full relative
/// precision.
pub fn norm_sf(x: f64) -> f64 {
    0.5 * libm::erfc(x / std::f64::consts::SQRT_2)
}

/// φ(x), the standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Φ⁻¹(p), the standard normal quantile.
pub fn norm_ppf(p: f64) -> f64 {
    standard_normal().inverse_cdf(p)
}

/// Student's t with `df` degrees of freedom; `df = ∞` is the standard normal.
fn students_t(df: f64) -> Result<StudentsT, ExperimentError> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|e| invalid_input("degrees of freedom", format!("{df}: {e}")))
}

/// P(T > x) for Student's t with `df` degrees of freedom (the standard normal when `df` is
/// infinite).
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `df` is not positive.
pub fn t_sf(x: f64, df: f64) -> Result<f64, ExperimentError> {
    if df.is_infinite() {
        return Ok(norm_sf(x));
    }
    Ok(students_t(df)?.sf(x))
}

/// Degrees of freedom above which the t quantile comes from its Cornish–Fisher expansion.
const T_EXPANSION_DF: f64 = 1e4;

/// The `p` quantile of Student's t with `df` degrees of freedom.
///
/// Up to 10⁴ degrees of freedom this is statrs' inverse CDF, which matches scipy to better
/// than 1e-12 there. Beyond, statrs loses accuracy (at df ≈ 5·10⁵ it returns 1.95989 for the
/// 0.975 quantile, below the normal's 1.95996), so the quantile comes from the Cornish–Fisher
/// expansion of t around the normal quantile z (Abramowitz and Stegun 26.7.5), whose first
/// omitted term is below 1e-15 relative at these df.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `df` is not positive.
pub fn t_ppf(p: f64, df: f64) -> Result<f64, ExperimentError> {
    if df.is_infinite() {
        return Ok(norm_ppf(p));
    }
    if df > T_EXPANSION_DF {
        let z = norm_ppf(p);
        let z2 = z * z;
        let g1 = (z2 + 1.0) * z / 4.0;
        let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
        let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
        let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92_160.0;
        return Ok(z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4));
    }
    Ok(students_t(df)?.inverse_cdf(p))
}

/// P(X > x) for a χ² distribution with `df` degrees of freedom.
///
/// # Errors
///
/// [`ExperimentError::InvalidInput`] when `df` is not positive.
pub fn chi2_sf(x: f64, df: f64) -> Result<f64, ExperimentError> {
    let chi2 = ChiSquared::new(df)
        .map_err(|e| invalid_input("degrees of freedom", format!("{df}: {e}")))?;
    Ok(chi2.sf(x))
}
