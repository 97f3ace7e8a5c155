//! Control charts: EWMA and tabular CUSUM (Montgomery, *Introduction to Statistical Quality
//! Control*, ch. 9), with the in-control mean μ₀ and σ known or estimated from a training
//! window at the start of the series.

use serde::{Deserialize, Serialize};

use super::{
    Detection, Detector, DetectorWarning, Direction, check_finite, mad_about, mean, median, need,
    num, side, std_dev, two_sided_probability,
};
use crate::KpiError;
use crate::error::invalid_input;

/// How μ₀ and σ are estimated from a training window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineEstimator {
    /// The mean and the sample sd (n − 1). The default.
    #[default]
    MeanSd,
    /// The median and 1.4826·MAD, robust to outliers in the training window (1.4826 makes the
    /// MAD consistent for σ under normality).
    MedianMad,
}

/// Where a control chart's μ₀ and σ come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Baseline {
    /// Estimated from the first `points` values, which are then not charted.
    Training {
        /// Length of the training window (at least 2).
        points: usize,
        /// The estimator.
        estimator: BaselineEstimator,
    },
    /// Given: every point is charted.
    Known {
        /// The in-control mean μ₀.
        mean: f64,
        /// The in-control standard deviation σ (≥ 0).
        sd: f64,
    },
}

impl Default for Baseline {
    /// The first 20 points, by mean and sd.
    fn default() -> Self {
        Baseline::Training {
            points: 20,
            estimator: BaselineEstimator::MeanSd,
        }
    }
}

impl Baseline {
    pub(super) fn validate(self) -> Result<Self, KpiError> {
        match self {
            Baseline::Training { points, .. } if points < 2 => Err(invalid_input(
                "training window",
                format!("needs at least 2 points, got {points}"),
            )),
            Baseline::Known { mean, sd } if !mean.is_finite() || !sd.is_finite() || sd < 0.0 => {
                Err(invalid_input(
                    "known baseline",
                    format!("mean {mean} and sd {sd} must be finite with sd ≥ 0"),
                ))
            }
            b => Ok(b),
        }
    }

    /// (μ₀, σ, index of the first charted point, words for the reason).
    pub(super) fn fit(self, series: &[f64]) -> Result<(f64, f64, usize, String), KpiError> {
        match self {
            Baseline::Known { mean, sd } => Ok((mean, sd, 0, "given".to_owned())),
            Baseline::Training { points, estimator } => {
                need(series, points + 1)?;
                let train = &series[..points];
                let (mu, sigma, how) = match estimator {
                    BaselineEstimator::MeanSd => (mean(train), std_dev(train, 1), "mean/sd"),
                    BaselineEstimator::MedianMad => {
                        let m = median(train);
                        (m, 1.4826 * mad_about(train, m), "median/1.4826·MAD")
                    }
                };
                Ok((
                    mu,
                    sigma,
                    points,
                    format!("{how} of the first {points} points"),
                ))
            }
        }
    }
}

/// The EWMA chart: zₜ = λxₜ + (1 − λ)zₜ₋₁ with z₀ = μ₀, limits
/// μ₀ ± Lσ√(λ/(2 − λ)·[1 − (1 − λ)^{2t}]) (the exact, time-varying limits, so the first points
/// are not judged by the wider asymptotic ones).
///
/// `score` is |zₜ − μ₀| in units of the EWMA's sd, so a point fires when it exceeds L;
/// `probability` = erf(score/√2); `baseline` = μ₀.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Baseline, Detector, Ewma};
///
/// let ewma = Ewma::builder().baseline(Baseline::Known { mean: 100.0, sd: 10.0 }).build()?;
/// let d = ewma.detect(&[135.0])?;
/// // z₁ = 0.2 × 135 + 0.8 × 100 = 107; σ₁ = 10·√(0.2/1.8 × (1 − 0.8²)) = 2; (107 − 100)/2 = 3.5.
/// assert!((d[0].score - 3.5).abs() < 1e-12);
/// assert!(d[0].is_anomaly); // beyond L = 3
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ewma {
    lambda: f64,
    l: f64,
    baseline: Baseline,
    direction: Direction,
}

/// Builds an [`Ewma`] chart; validation happens in [`EwmaBuilder::build`].
#[derive(Debug, Clone)]
pub struct EwmaBuilder {
    inner: Ewma,
}

impl Ewma {
    /// λ = 0.2, L = 3, the default [`Baseline`], both directions.
    pub fn builder() -> EwmaBuilder {
        EwmaBuilder {
            inner: Ewma {
                lambda: 0.2,
                l: 3.0,
                baseline: Baseline::default(),
                direction: Direction::Both,
            },
        }
    }
}

impl EwmaBuilder {
    /// The smoothing weight λ in (0, 1] (0.2–0.3 detects shifts of about 1σ).
    pub fn lambda(mut self, lambda: f64) -> Self {
        self.inner.lambda = lambda;
        self
    }

    /// The limit width L in EWMA standard deviations.
    pub fn limit_width(mut self, l: f64) -> Self {
        self.inner.l = l;
        self
    }

    /// Where μ₀ and σ come from.
    pub fn baseline(mut self, baseline: Baseline) -> Self {
        self.inner.baseline = baseline;
        self
    }

    /// Which side may fire.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.inner.direction = direction;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for λ outside (0, 1], L not positive, or an invalid baseline.
    pub fn build(self) -> Result<Ewma, KpiError> {
        let e = self.inner;
        if !(e.lambda > 0.0 && e.lambda <= 1.0) {
            return Err(invalid_input(
                "EWMA lambda",
                format!("must be in (0, 1], got {}", e.lambda),
            ));
        }
        if !(e.l.is_finite() && e.l > 0.0) {
            return Err(invalid_input(
                "EWMA limit width L",
                format!("must be positive, got {}", e.l),
            ));
        }
        e.baseline.validate()?;
        Ok(e)
    }
}

impl Detector for Ewma {
    /// Charts every point after the training window (every point for a known baseline).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value; [`KpiError::InsufficientHistory`]
    /// when no point follows the training window (or the series is empty).
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        need(series, 1)?;
        let (mu, sigma, start, how) = self.baseline.fit(series)?;
        let lam = self.lambda;
        let mut z = mu;
        let mut out = Vec::with_capacity(series.len() - start);
        for (t, (index, &x)) in series.iter().enumerate().skip(start).enumerate() {
            let t = t + 1;
            z = lam * x + (1.0 - lam) * z;
            let sd_t = sigma * (lam / (2.0 - lam) * (1.0 - (1.0 - lam).powi(2 * t as i32))).sqrt();
            let half = self.l * sd_t;
            let (score, probability, crossed, warnings) = if sd_t > 0.0 {
                let s = (z - mu).abs() / sd_t;
                (s, two_sided_probability(s), s > self.l, Vec::new())
            } else {
                let dev = z != mu;
                let p = if dev { 1.0 } else { 0.0 };
                (p, p, dev, vec![DetectorWarning::ZeroSpread])
            };
            let is_anomaly = crossed && self.direction.allows(z, mu);
            let limit = if z >= mu { mu + half } else { mu - half };
            let reason = format!(
                "EWMA {} (value {}) is {} the {} control limit {} (μ₀ {} {} {}·{} with σ {} from {how}, point {t} of the chart){}",
                num(z),
                num(x),
                if crossed { "beyond" } else { "within" },
                if z >= mu { "upper" } else { "lower" },
                num(limit),
                num(mu),
                if z >= mu { "+" } else { "−" },
                num(self.l),
                num(sd_t),
                num(sigma),
                if crossed && !is_anomaly {
                    "; not an alert: direction not monitored"
                } else {
                    ""
                }
            );
            out.push(Detection {
                index,
                value: x,
                score,
                probability,
                is_anomaly,
                baseline: mu,
                reason,
                warnings,
            });
        }
        Ok(out)
    }
}

/// The tabular CUSUM: C⁺ₜ = max(0, xₜ − μ₀ − k + C⁺ₜ₋₁), C⁻ₜ = max(0, μ₀ − k − xₜ + C⁻ₜ₋₁),
/// alarm when a sum exceeds h, then both sums restart at 0. k and h are given in σ units
/// (defaults k = 0.5σ, h = 5σ: an average run length near 465 in control, about 10 for a 1σ
/// shift).
///
/// `score` is the larger monitored sum in σ units, `probability` = min(1, C/h) (how far the sum
/// has climbed towards the decision interval), `baseline` = μ₀. With `Direction::Up` only C⁺ is
/// kept, with `Down` only C⁻.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Baseline, Cusum, Detector};
///
/// let cusum = Cusum::builder().baseline(Baseline::Known { mean: 0.0, sd: 1.0 }).build()?;
/// // A 2σ shift: C⁺ grows by 2 − 0.5 = 1.5 per point and passes h = 5 at the 4th (6 > 5).
/// let d = cusum.detect(&[2.0, 2.0, 2.0, 2.0, 2.0])?;
/// assert_eq!(d.iter().position(|x| x.is_anomaly), Some(3));
/// assert!((d[4].score - 1.5).abs() < 1e-12); // restarted after the alarm
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cusum {
    k: f64,
    h: f64,
    baseline: Baseline,
    direction: Direction,
}

/// Builds a [`Cusum`] chart; validation happens in [`CusumBuilder::build`].
#[derive(Debug, Clone)]
pub struct CusumBuilder {
    inner: Cusum,
}

impl Cusum {
    /// k = 0.5σ, h = 5σ, the default [`Baseline`], both directions.
    pub fn builder() -> CusumBuilder {
        CusumBuilder {
            inner: Cusum {
                k: 0.5,
                h: 5.0,
                baseline: Baseline::default(),
                direction: Direction::Both,
            },
        }
    }
}

impl CusumBuilder {
    /// The slack k in σ units (half the shift to detect).
    pub fn slack(mut self, k: f64) -> Self {
        self.inner.k = k;
        self
    }

    /// The decision interval h in σ units (4–5 is usual).
    pub fn decision_interval(mut self, h: f64) -> Self {
        self.inner.h = h;
        self
    }

    /// Where μ₀ and σ come from.
    pub fn baseline(mut self, baseline: Baseline) -> Self {
        self.inner.baseline = baseline;
        self
    }

    /// Which side may fire.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.inner.direction = direction;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a negative k, an h that is not positive, or an invalid
    /// baseline.
    pub fn build(self) -> Result<Cusum, KpiError> {
        let c = self.inner;
        if !(c.k.is_finite() && c.k >= 0.0) {
            return Err(invalid_input(
                "CUSUM slack k",
                format!("must be ≥ 0, got {}", c.k),
            ));
        }
        if !(c.h.is_finite() && c.h > 0.0) {
            return Err(invalid_input(
                "CUSUM decision interval h",
                format!("must be positive, got {}", c.h),
            ));
        }
        c.baseline.validate()?;
        Ok(c)
    }
}

impl Detector for Cusum {
    /// Charts every point after the training window (every point for a known baseline).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value; [`KpiError::InsufficientHistory`]
    /// when no point follows the training window (or the series is empty).
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        need(series, 1)?;
        let (mu, sigma, start, how) = self.baseline.fit(series)?;
        let up = self.direction != Direction::Down;
        let down = self.direction != Direction::Up;
        let (k, h) = (self.k * sigma, self.h * sigma);
        let (mut hi, mut lo) = (0.0_f64, 0.0_f64);
        let mut out = Vec::with_capacity(series.len() - start);
        for (index, &x) in series.iter().enumerate().skip(start) {
            if up {
                hi = (x - mu - k + hi).max(0.0);
            }
            if down {
                lo = (mu - k - x + lo).max(0.0);
            }
            let (c, which) = if hi >= lo { (hi, "C⁺") } else { (lo, "C⁻") };
            let (score, probability, is_anomaly, warnings) = if sigma > 0.0 {
                let fired = c > h;
                (c / sigma, (c / h).min(1.0), fired, Vec::new())
            } else {
                let fired = c > 0.0;
                let p = if fired { 1.0 } else { 0.0 };
                (p, p, fired, vec![DetectorWarning::ZeroSpread])
            };
            let reason = format!(
                "value {} is {} μ₀ {}; {which} = {}σ {} h = {}σ (k = {}σ, σ {} from {how}){}",
                num(x),
                side(x, mu),
                num(mu),
                num(if sigma > 0.0 { c / sigma } else { c }),
                if is_anomaly { ">" } else { "≤" },
                num(self.h),
                num(self.k),
                num(sigma),
                if is_anomaly {
                    "; both sums restart at 0"
                } else {
                    ""
                }
            );
            out.push(Detection {
                index,
                value: x,
                score,
                probability,
                is_anomaly,
                baseline: mu,
                reason,
                warnings,
            });
            if is_anomaly {
                hi = 0.0;
                lo = 0.0;
            }
        }
        Ok(out)
    }
}
