//! Rosner's generalized extreme Studentized deviate (ESD) test (Rosner 1983,
//! *Technometrics* 25(2)), with the "hybrid" median/MAD variant of Vallis, Hochenbaum and
//! Kejariwal (2014) that S-H-ESD runs on seasonal residuals.
//!
//! For i = 1..k (k = ⌊n·max_anoms⌋): compute the centre and scale of the points still in the
//! sample, remove the point farthest from the centre, and record Rᵢ = its distance / scale. The
//! critical value is λᵢ = (n − i)·t_{p, n−i−1}/√((n − i − 1 + t²)(n − i + 1)) with
//! p = 1 − α/(2(n − i + 1)) (two-sided) or 1 − α/(n − i + 1) (one-sided). The number of
//! anomalies is the largest i with Rᵢ > λᵢ, so a masked outlier found late still counts the
//! ones removed before it.

use serde::{Deserialize, Serialize};

use super::{
    Detection, Detector, DetectorWarning, Direction, check_finite, mad_about, mean, median, need,
    num, std_dev, two_sided_probability,
};
use crate::KpiError;
use crate::error::invalid_input;

/// Rosner's critical value λᵢ for step `i` (1-based) of a generalized ESD test on `n` points.
///
/// # Errors
///
/// [`KpiError::InvalidInput`] unless `1 ≤ i ≤ n − 2` and `0 < alpha < 1`.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::esd_critical_value;
///
/// // Rosner (1983), table 2: n = 20, α = 0.05, two-sided, first step: λ₁ ≈ 2.71.
/// let l1 = esd_critical_value(20, 1, 0.05, true)?;
/// assert!((l1 - 2.7082).abs() < 1e-3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn esd_critical_value(
    n: usize,
    i: usize,
    alpha: f64,
    two_sided: bool,
) -> Result<f64, KpiError> {
    if i == 0 || i + 2 > n {
        return Err(invalid_input(
            "ESD step",
            format!("step {i} needs 1 ≤ step ≤ n − 2 with n = {n}"),
        ));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(invalid_input(
            "ESD alpha",
            format!("must be in (0, 1), got {alpha}"),
        ));
    }
    let rest = (n - i) as f64;
    let tail = if two_sided {
        alpha / (2.0 * (rest + 1.0))
    } else {
        alpha / (rest + 1.0)
    };
    let df = rest - 1.0;
    // prodops-experiment's t quantile stays accurate at large df, where statrs' drifts.
    let t = prodops_experiment::dist::t_ppf(1.0 - tail, df)
        .map_err(|e| invalid_input("ESD degrees of freedom", e.to_string()))?;
    Ok(rest * t / ((df + t * t) * (rest + 1.0)).sqrt())
}

/// The generalized ESD test as a [`Detector`].
///
/// Defaults: α = 0.05, at most 10% of the points anomalous, both directions, classic mean and
/// sample sd. [`GeneralizedEsdBuilder::hybrid`] switches to the median and 1.4826·MAD
/// (R's `mad`), which S-H-ESD uses so that the outliers do not inflate the scale that judges
/// them.
///
/// `score` is Rᵢ for a point removed at step i, else its distance from the full sample's centre
/// in scale units; `probability` = erf(score/√2); `baseline` is the centre used.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Detector, GeneralizedEsd};
///
/// let mut series = vec![10.0, 11.0, 9.0, 10.5, 9.5, 10.0, 10.2, 9.8, 10.1, 9.9];
/// series.extend([10.3, 9.7, 10.0, 10.4, 9.6, 10.0, 10.1, 9.9, 10.2, 30.0]);
/// let found = GeneralizedEsd::builder().build()?.anomalies(&series)?;
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].index, 19);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneralizedEsd {
    alpha: f64,
    max_anoms: f64,
    direction: Direction,
    hybrid: bool,
}

/// Builds a [`GeneralizedEsd`]; validation happens in [`GeneralizedEsdBuilder::build`].
#[derive(Debug, Clone)]
pub struct GeneralizedEsdBuilder {
    inner: GeneralizedEsd,
}

impl GeneralizedEsd {
    /// α = 0.05, max_anoms = 0.10, both directions, mean/sd.
    pub fn builder() -> GeneralizedEsdBuilder {
        GeneralizedEsdBuilder {
            inner: GeneralizedEsd {
                alpha: 0.05,
                max_anoms: 0.10,
                direction: Direction::Both,
                hybrid: false,
            },
        }
    }

    /// The fewest points the test runs on: enough for one step (⌊n·max_anoms⌋ ≥ 1, n ≥ 3).
    pub fn min_history(&self) -> usize {
        ((1.0 / self.max_anoms).ceil() as usize).max(3)
    }

    /// The centre and scale of a sample.
    fn center_scale(&self, xs: &[f64]) -> (f64, f64) {
        if self.hybrid {
            let m = median(xs);
            (m, 1.4826 * mad_about(xs, m))
        } else {
            (mean(xs), std_dev(xs, 1))
        }
    }

    fn deviation(&self, x: f64, center: f64) -> f64 {
        match self.direction {
            Direction::Up => x - center,
            Direction::Down => center - x,
            Direction::Both => (x - center).abs(),
        }
    }
}

impl GeneralizedEsdBuilder {
    /// The significance level α of the whole test.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.inner.alpha = alpha;
        self
    }

    /// The largest share of points that may be anomalies, in (0, 0.5).
    pub fn max_anoms(mut self, share: f64) -> Self {
        self.inner.max_anoms = share;
        self
    }

    /// Which side may fire; one side makes the test one-sided.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.inner.direction = direction;
        self
    }

    /// Median and 1.4826·MAD instead of mean and sd.
    pub fn hybrid(mut self, yes: bool) -> Self {
        self.inner.hybrid = yes;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for α outside (0, 1) or max_anoms outside (0, 0.5).
    pub fn build(self) -> Result<GeneralizedEsd, KpiError> {
        let e = self.inner;
        if !(e.alpha > 0.0 && e.alpha < 1.0) {
            return Err(invalid_input(
                "ESD alpha",
                format!("must be in (0, 1), got {}", e.alpha),
            ));
        }
        if !(e.max_anoms > 0.0 && e.max_anoms < 0.5) {
            return Err(invalid_input(
                "ESD max_anoms",
                format!("must be in (0, 0.5), got {}", e.max_anoms),
            ));
        }
        Ok(e)
    }
}

/// One step of the test: which point was removed and its statistic.
struct Step {
    index: usize,
    r: f64,
    lambda: f64,
    center: f64,
    scale: f64,
}

impl Detector for GeneralizedEsd {
    /// Scores every point.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value; [`KpiError::InsufficientHistory`]
    /// below [`GeneralizedEsd::min_history`] points.
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        need(series, self.min_history())?;
        let n = series.len();
        let k = ((n as f64 * self.max_anoms).floor() as usize).clamp(1, n - 2);
        let two_sided = self.direction == Direction::Both;
        let mut remaining: Vec<usize> = (0..n).collect();
        let mut steps: Vec<Step> = Vec::with_capacity(k);
        for i in 1..=k {
            let xs: Vec<f64> = remaining.iter().map(|&j| series[j]).collect();
            let (center, scale) = self.center_scale(&xs);
            if scale == 0.0 {
                // Twitter's S-H-ESD stops here too: with no spread nothing can be Studentized.
                break;
            }
            let (pos, dev) = remaining
                .iter()
                .enumerate()
                .map(|(p, &j)| (p, self.deviation(series[j], center)))
                .fold((0, f64::NEG_INFINITY), |best, cur| {
                    if cur.1 > best.1 { cur } else { best }
                });
            let index = remaining.remove(pos);
            steps.push(Step {
                index,
                r: dev / scale,
                lambda: esd_critical_value(n, i, self.alpha, two_sided)?,
                center,
                scale,
            });
        }
        let found = steps
            .iter()
            .rposition(|s| s.r > s.lambda)
            .map_or(0, |p| p + 1);
        let (center, scale) = self.center_scale(series);
        let sided = if two_sided { "two-sided" } else { "one-sided" };
        let (cname, sname) = if self.hybrid {
            ("median", "1.4826·MAD")
        } else {
            ("mean", "sd")
        };
        let mut out: Vec<Detection> = series
            .iter()
            .enumerate()
            .map(|(index, &x)| {
                let (score, warnings, reason) = if scale > 0.0 {
                    let s = (x - center).abs() / scale;
                    (
                        s,
                        Vec::new(),
                        format!(
                            "value {} is {} {sname}s from the {cname} {}; not among the {} most extreme points tested (at most {k})",
                            num(x),
                            num(s),
                            num(center),
                            steps.len()
                        ),
                    )
                } else {
                    (
                        0.0,
                        vec![DetectorWarning::ZeroSpread],
                        format!(
                            "value {}: the {sname} of the series is 0, so no point can be tested",
                            num(x)
                        ),
                    )
                };
                Detection {
                    index,
                    value: x,
                    score,
                    probability: two_sided_probability(score),
                    is_anomaly: false,
                    baseline: center,
                    reason,
                    warnings,
                }
            })
            .collect();
        for (i, s) in steps.iter().enumerate() {
            let d = &mut out[s.index];
            d.score = s.r;
            d.probability = two_sided_probability(s.r);
            d.baseline = s.center;
            d.is_anomaly = i < found;
            d.warnings.clear();
            let verdict = if d.is_anomaly {
                format!("anomaly {} of {found}", i + 1)
            } else {
                format!("not an anomaly: only {found} of {} steps pass", steps.len())
            };
            d.reason = format!(
                "value {} is the most extreme point at ESD step {}: R = |x − {cname} {}|/{sname} {} = {} {} λ = {} (α {}, {sided}); {verdict}",
                num(d.value),
                i + 1,
                num(s.center),
                num(s.scale),
                num(s.r),
                if s.r > s.lambda { ">" } else { "≤" },
                num(s.lambda),
                num(self.alpha)
            );
        }
        Ok(out)
    }
}
