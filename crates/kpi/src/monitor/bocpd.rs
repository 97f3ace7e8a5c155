//! Bayesian online change-point detection (Adams and MacKay 2007, "Bayesian Online
//! Changepoint Detection", arXiv:0710.3742, Algorithm 1), written from the paper with a
//! Normal-Gamma model and a constant hazard.
//!
//! After each point the posterior over the run length rₜ (how many of the latest points belong
//! to the current regime) is updated: every run grows with probability 1 − H, or ends with
//! probability H = 1/λ, each weighted by the Student-t predictive of the point under that run's
//! posterior. The regimes reported are the maximum a posteriori segmentation read backwards
//! from the last point: the most probable run length at the end gives where the last regime
//! started, the most probable run length just before that gives the previous start, and so on.

use serde::{Deserialize, Serialize};

use super::{Baseline, Detection, Detector, Direction, check_finite, mean, need, num};
use crate::KpiError;
use crate::error::invalid_input;

/// A change-point detector: each detected regime start is an anomaly.
///
/// The Normal-Gamma prior is centred on μ₀ with κ₀ = 1 pseudo-observation, α₀ = 1 and
/// β₀ = σ², so the prior expected precision is 1/σ² (μ₀ and σ from the [`Baseline`]; with a
/// training window, only the points after it are segmented). Defaults: expected run length
/// λ = 100 (hazard 1/100), the default baseline, both directions.
///
/// For a regime start, `score` is the shift of the mean from the previous regime in σ units,
/// `probability` the posterior probability of that run length when it was read, `baseline`
/// the previous regime's mean. Other points score 0. Time and memory are O(n²) and O(n).
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Baseline, Bocpd, Detector};
///
/// let mut series = vec![10.0, 10.4, 9.7, 10.1, 9.9, 10.2, 9.8, 10.0, 10.3, 9.6];
/// series.extend([14.1, 13.8, 14.2, 13.9, 14.0, 14.3, 13.7, 14.1]);
/// let bocpd = Bocpd::builder().baseline(Baseline::Known { mean: 10.0, sd: 0.3 }).build()?;
/// let starts: Vec<usize> = bocpd.anomalies(&series)?.iter().map(|d| d.index).collect();
/// assert_eq!(starts, vec![10]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bocpd {
    expected_run: f64,
    baseline: Baseline,
    direction: Direction,
}

/// Builds a [`Bocpd`]; validation happens in [`BocpdBuilder::build`].
#[derive(Debug, Clone)]
pub struct BocpdBuilder {
    inner: Bocpd,
}

impl Bocpd {
    /// λ = 100, the default baseline, both directions.
    pub fn builder() -> BocpdBuilder {
        BocpdBuilder {
            inner: Bocpd {
                expected_run: 100.0,
                baseline: Baseline::default(),
                direction: Direction::Both,
            },
        }
    }

    /// For each point, the most probable run length rₜ ≥ 1 and its posterior probability,
    /// over the points after the training window (`mu`, `sigma` the prior's centre and scale).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `sigma` is not positive.
    pub fn map_run_lengths(
        &self,
        points: &[f64],
        mu: f64,
        sigma: f64,
    ) -> Result<Vec<(usize, f64)>, KpiError> {
        if !(sigma > 0.0 && sigma.is_finite()) {
            return Err(invalid_input(
                "BOCPD prior",
                format!("needs a positive sd, got {sigma} (the baseline has no spread)"),
            ));
        }
        let h = 1.0 / self.expected_run;
        let (log_h, log_1h) = (h.ln(), (1.0 - h).ln());
        // Posterior parameters per run length, r = 0 first.
        let (k0, a0, b0) = (1.0, 1.0, sigma * sigma);
        let mut mus = vec![mu];
        let mut kappas = vec![k0];
        let mut alphas = vec![a0];
        let mut betas = vec![b0];
        let mut log_r = vec![0.0_f64];
        let mut out = Vec::with_capacity(points.len());
        for &x in points {
            let log_pred: Vec<f64> = (0..log_r.len())
                .map(|r| student_t_ln_pdf(x, mus[r], kappas[r], alphas[r], betas[r]))
                .collect();
            let joint: Vec<f64> = log_r.iter().zip(&log_pred).map(|(a, b)| a + b).collect();
            let mut next = Vec::with_capacity(joint.len() + 1);
            next.push(log_sum_exp(&joint) + log_h);
            next.extend(joint.iter().map(|j| j + log_1h));
            let norm = log_sum_exp(&next);
            next.iter_mut().for_each(|v| *v -= norm);
            log_r = next;
            // Conjugate updates: run r + 1 is run r plus x; run 0 restarts at the prior.
            let mut m2 = Vec::with_capacity(mus.len() + 1);
            let mut k2 = Vec::with_capacity(mus.len() + 1);
            let mut a2 = Vec::with_capacity(mus.len() + 1);
            let mut b2 = Vec::with_capacity(mus.len() + 1);
            m2.push(mu);
            k2.push(k0);
            a2.push(a0);
            b2.push(b0);
            for r in 0..mus.len() {
                let (m, k, a, b) = (mus[r], kappas[r], alphas[r], betas[r]);
                m2.push((k * m + x) / (k + 1.0));
                k2.push(k + 1.0);
                a2.push(a + 0.5);
                b2.push(b + k * (x - m) * (x - m) / (2.0 * (k + 1.0)));
            }
            (mus, kappas, alphas, betas) = (m2, k2, a2, b2);
            let (best, lp) =
                log_r
                    .iter()
                    .enumerate()
                    .skip(1)
                    .fold(
                        (1, f64::NEG_INFINITY),
                        |acc, (r, &v)| if v > acc.1 { (r, v) } else { acc },
                    );
            out.push((best, lp.exp()));
        }
        Ok(out)
    }
}

/// log of the Student-t predictive of a Normal-Gamma posterior: 2α degrees of freedom,
/// location μ, squared scale β(κ + 1)/(ακ).
fn student_t_ln_pdf(x: f64, mu: f64, kappa: f64, alpha: f64, beta: f64) -> f64 {
    let nu = 2.0 * alpha;
    let scale2 = beta * (kappa + 1.0) / (alpha * kappa);
    let z2 = (x - mu) * (x - mu) / scale2;
    libm::lgamma((nu + 1.0) / 2.0)
        - libm::lgamma(nu / 2.0)
        - 0.5 * (nu * std::f64::consts::PI * scale2).ln()
        - (nu + 1.0) / 2.0 * (1.0 + z2 / nu).ln()
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

impl BocpdBuilder {
    /// The expected run length λ between changes (hazard 1/λ), greater than 1.
    pub fn expected_run_length(mut self, lambda: f64) -> Self {
        self.inner.expected_run = lambda;
        self
    }

    /// Where the prior's μ₀ and σ come from.
    pub fn baseline(mut self, baseline: Baseline) -> Self {
        self.inner.baseline = baseline;
        self
    }

    /// Which mean shifts count.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.inner.direction = direction;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for λ ≤ 1 or not finite, or an invalid baseline.
    pub fn build(self) -> Result<Bocpd, KpiError> {
        let b = self.inner;
        if !(b.expected_run.is_finite() && b.expected_run > 1.0) {
            return Err(invalid_input(
                "BOCPD expected run length",
                format!("must be finite and > 1, got {}", b.expected_run),
            ));
        }
        b.baseline.validate()?;
        Ok(b)
    }
}

impl Detector for Bocpd {
    /// Segments the points after the training window (all points for a known baseline).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value or a baseline with no spread;
    /// [`KpiError::InsufficientHistory`] when no point follows the training window.
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        need(series, 1)?;
        let (mu, sigma, start, how) = self.baseline.fit(series)?;
        let points = &series[start..];
        let runs = self.map_run_lengths(points, mu, sigma)?;
        // Read the MAP segmentation backwards: (first point, probability) of each regime.
        let mut starts: Vec<(usize, f64)> = Vec::new();
        let mut t = points.len();
        while t > 0 {
            let (len, p) = runs[t - 1];
            let first = t.saturating_sub(len);
            starts.push((first, p));
            t = first;
        }
        starts.reverse();
        let mut out: Vec<Detection> = points
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                Detection::new(start + i, x, "no change point here".to_owned()).with_baseline(mu)
            })
            .collect();
        for w in 0..starts.len() {
            let (first, p) = starts[w];
            let end = starts.get(w + 1).map_or(points.len(), |s| s.0);
            let seg_mean = mean(&points[first..end]);
            for d in &mut out[first..end] {
                d.reason = format!(
                    "part of the regime from index {} (mean {})",
                    start + first,
                    num(seg_mean)
                );
            }
            if w == 0 {
                continue;
            }
            let prev = starts[w - 1].0;
            let prev_mean = mean(&points[prev..first]);
            let shift = (seg_mean - prev_mean) / sigma;
            let allowed = self.direction.allows(seg_mean, prev_mean);
            let d = &mut out[first];
            d.score = shift.abs();
            d.probability = p;
            d.is_anomaly = allowed;
            d.baseline = prev_mean;
            d.reason = format!(
                "a new regime starts at index {}: mean {} over {} points vs {} over the {} before, a shift of {}σ (σ {} from {how}); run-length posterior {} when read{}",
                start + first,
                num(seg_mean),
                end - first,
                num(prev_mean),
                first - prev,
                num(shift),
                num(sigma),
                num(p),
                if allowed {
                    ""
                } else {
                    "; not an alert: direction not monitored"
                }
            );
        }
        Ok(out)
    }
}
