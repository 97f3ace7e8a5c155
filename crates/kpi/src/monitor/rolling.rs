//! Rolling-window detectors: PostHog's z-score and MAD detectors, and the Iglewicz–Hoaglin
//! modified z score.
//!
//! Each point is compared with the `window` points that end `training_offset` points before it
//! (offset 1: the points just before it), after optional first differencing. This is PostHog's
//! `detect_batch`: with differencing the series becomes xₜ − xₜ₋₁ and the first point, which
//! has no difference, never enters a window.

use serde::{Deserialize, Serialize};

use super::{
    Detection, Detector, DetectorWarning, Direction, check_finite, mad_about, mean, median, need,
    num, side, std_dev, two_sided_probability,
};
use crate::KpiError;
use crate::error::invalid_input;

/// The statistic of a [`Rolling`] detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RollingMethod {
    /// z = |x − mean|/sd with the population sd (numpy `std`); probability = min-max of z
    /// against the window's own z scores (PostHog `ZScoreDetector`).
    ZScore,
    /// s = 0.6745·|x − median|/MAD (pyod `MAD`, PostHog `MADDetector`); probability by
    /// [`MadProbability`].
    Mad,
    /// M = 0.6745·(x − median)/MAD, anomaly when |M| > threshold (3.5, Iglewicz and Hoaglin
    /// 1993); MAD = 0 falls back to (x − median)/(1.253314·mean absolute deviation) with a
    /// [`DetectorWarning`]. probability = erf(|M|/√2).
    ModifiedZ,
}

/// How the MAD detector turns its score into a probability (pyod `predict_proba`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MadProbability {
    /// pyod `method="linear"`: min-max scaling against the window's own scores (a zero range
    /// scales by 1, as scikit-learn's `MinMaxScaler`), clipped to [0, 1]. This is what
    /// PostHog's detector calls. The default.
    #[default]
    MinMax,
    /// pyod `method="unify"`: erf((s − μ)/(σ√2)) clipped to [0, 1], μ and σ the mean and
    /// population sd of the window's scores.
    Erf,
}

/// A rolling-window detector: z score, MAD, or modified z.
///
/// Defaults (PostHog): window 30, first differencing on for z and MAD (off for modified z,
/// which is a test on levels), training offset 1, probability threshold 0.95 (3.5 on |M| for
/// modified z), both directions.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Detector, Rolling};
///
/// let series = [10.0, 12.0, 11.0, 13.0, 12.0, 11.0, 12.0, 40.0];
/// let detector = Rolling::modified_z().window(7).build()?;
/// let last = detector.latest(&series)?;
/// // median 12, MAD 1: M = 0.6745 × (40 − 12)/1 = 18.886 > 3.5
/// assert!((last.score - 18.886).abs() < 1e-9);
/// assert!(last.is_anomaly);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rolling {
    method: RollingMethod,
    window: usize,
    differencing: bool,
    training_offset: usize,
    threshold: f64,
    direction: Direction,
    mad_probability: MadProbability,
}

/// Builds a [`Rolling`] detector; validation happens in [`RollingBuilder::build`].
#[derive(Debug, Clone)]
pub struct RollingBuilder {
    inner: Rolling,
}

impl Rolling {
    fn with(method: RollingMethod, differencing: bool, threshold: f64) -> RollingBuilder {
        RollingBuilder {
            inner: Rolling {
                method,
                window: 30,
                differencing,
                training_offset: 1,
                threshold,
                direction: Direction::Both,
                mad_probability: MadProbability::MinMax,
            },
        }
    }

    /// PostHog's rolling z-score detector.
    pub fn z_score() -> RollingBuilder {
        Rolling::with(RollingMethod::ZScore, true, 0.95)
    }

    /// PostHog's MAD detector (pyod `MAD`).
    pub fn mad() -> RollingBuilder {
        Rolling::with(RollingMethod::Mad, true, 0.95)
    }

    /// The Iglewicz–Hoaglin modified z score on levels, threshold 3.5.
    pub fn modified_z() -> RollingBuilder {
        Rolling::with(RollingMethod::ModifiedZ, false, 3.5)
    }

    /// The method.
    pub fn method(&self) -> RollingMethod {
        self.method
    }

    /// The shortest series this detector scores: window + training offset + 1 if differencing.
    pub fn min_history(&self) -> usize {
        self.window + self.training_offset + usize::from(self.differencing)
    }
}

impl RollingBuilder {
    /// Points in each training window (default 30).
    pub fn window(mut self, window: usize) -> Self {
        self.inner.window = window;
        self
    }

    /// Whether to score first differences xₜ − xₜ₋₁ instead of levels.
    pub fn differencing(mut self, yes: bool) -> Self {
        self.inner.differencing = yes;
        self
    }

    /// How many points before the scored one the window ends (default 1: the window is the
    /// points just before). A larger offset keeps a slow ramp out of its own baseline.
    pub fn training_offset(mut self, offset: usize) -> Self {
        self.inner.training_offset = offset;
        self
    }

    /// The probability threshold (z, MAD; default 0.95) or the |M| threshold (modified z;
    /// default 3.5). A point fires when its statistic is strictly greater.
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.inner.threshold = threshold;
        self
    }

    /// Which side may fire (default both).
    pub fn direction(mut self, direction: Direction) -> Self {
        self.inner.direction = direction;
        self
    }

    /// The MAD detector's probability mapping (default min-max, as PostHog).
    pub fn mad_probability(mut self, mapping: MadProbability) -> Self {
        self.inner.mad_probability = mapping;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a window under 3, a training offset of 0, a probability
    /// threshold outside [0, 1), or a modified-z threshold that is not positive.
    pub fn build(self) -> Result<Rolling, KpiError> {
        let r = self.inner;
        if r.window < 3 {
            return Err(invalid_input(
                "rolling window",
                format!("needs at least 3 points, got {}", r.window),
            ));
        }
        if r.training_offset == 0 {
            return Err(invalid_input(
                "training offset",
                "must be at least 1, or the scored point would be in its own window",
            ));
        }
        let ok = match r.method {
            RollingMethod::ModifiedZ => r.threshold.is_finite() && r.threshold > 0.0,
            RollingMethod::ZScore | RollingMethod::Mad => (0.0..1.0).contains(&r.threshold),
        };
        if !ok {
            return Err(invalid_input(
                "threshold",
                format!("{} is out of range for {:?}", r.threshold, r.method),
            ));
        }
        Ok(r)
    }
}

/// The scored quantity of one point: its level or its change, in words.
fn describe(differencing: bool, x: f64, value: f64) -> String {
    if differencing {
        let sign = if x > 0.0 { "+" } else { "" };
        format!("change {sign}{} (value {})", num(x), num(value))
    } else {
        format!("value {}", num(value))
    }
}

impl Rolling {
    fn fires(&self, crossed: bool, x: f64, baseline: f64) -> bool {
        crossed && self.direction.allows(x, baseline)
    }

    fn direction_note(&self, x: f64, baseline: f64, crossed: bool) -> &'static str {
        if crossed && !self.direction.allows(x, baseline) {
            match self.direction {
                Direction::Up => "; not an alert: only increases are monitored",
                Direction::Down => "; not an alert: only decreases are monitored",
                Direction::Both => "",
            }
        } else {
            ""
        }
    }

    fn score_point(&self, x: f64, value: f64, index: usize, window: &[f64]) -> Detection {
        let w = self.window;
        let what = describe(self.differencing, x, value);
        let of = if self.differencing { " change" } else { "" };
        match self.method {
            RollingMethod::ZScore => {
                let m = mean(window);
                let sd = std_dev(window, 0);
                if sd == 0.0 {
                    return self.zero_spread(x, value, index, m, "sd", "mean", of);
                }
                let z = (x - m).abs() / sd;
                let (lo, hi) = window.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
                    let zi = (v - m).abs() / sd;
                    (lo.min(zi), hi.max(zi))
                });
                let p = if hi == lo {
                    if z > hi { 1.0 } else { 0.0 }
                } else {
                    ((z - lo) / (hi - lo)).clamp(0.0, 1.0)
                };
                let crossed = p > self.threshold;
                let is_anomaly = self.fires(crossed, x, m);
                let reason = format!(
                    "{what} is {} rolling SDs {} the {w}-point mean{of} {} (sd {}); probability {} {} {}{}",
                    num(z),
                    side(x, m),
                    num(m),
                    num(sd),
                    num(p),
                    if crossed { ">" } else { "≤" },
                    num(self.threshold),
                    self.direction_note(x, m, crossed)
                );
                Detection {
                    index,
                    value,
                    score: z,
                    probability: p,
                    is_anomaly,
                    baseline: m,
                    reason,
                    warnings: Vec::new(),
                }
            }
            RollingMethod::Mad => {
                let med = median(window);
                let mad = mad_about(window, med);
                if mad == 0.0 {
                    return self.zero_spread(x, value, index, med, "MAD", "median", of);
                }
                let score = |v: f64| 0.6745 * (v - med).abs() / mad;
                let s = score(x);
                let train: Vec<f64> = window.iter().map(|&v| score(v)).collect();
                let p = match self.mad_probability {
                    MadProbability::MinMax => {
                        let lo = train.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = train.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let range = if hi > lo { hi - lo } else { 1.0 };
                        ((s - lo) / range).clamp(0.0, 1.0)
                    }
                    MadProbability::Erf => {
                        let mu = mean(&train);
                        let sigma = std_dev(&train, 0);
                        if sigma == 0.0 {
                            if s > mu { 1.0 } else { 0.0 }
                        } else {
                            libm::erf((s - mu) / (sigma * std::f64::consts::SQRT_2)).clamp(0.0, 1.0)
                        }
                    }
                };
                let crossed = p > self.threshold;
                let is_anomaly = self.fires(crossed, x, med);
                let reason = format!(
                    "{what} is {} robust SDs (0.6745·|x − median|/MAD) {} the {w}-point median{of} {} (MAD {}); probability {} {} {}{}",
                    num(s),
                    side(x, med),
                    num(med),
                    num(mad),
                    num(p),
                    if crossed { ">" } else { "≤" },
                    num(self.threshold),
                    self.direction_note(x, med, crossed)
                );
                Detection {
                    index,
                    value,
                    score: s,
                    probability: p,
                    is_anomaly,
                    baseline: med,
                    reason,
                    warnings: Vec::new(),
                }
            }
            RollingMethod::ModifiedZ => {
                let med = median(window);
                let mad = mad_about(window, med);
                let mut warnings = Vec::new();
                let (m, scale_words) = if mad > 0.0 {
                    (0.6745 * (x - med) / mad, format!("MAD {}", num(mad)))
                } else {
                    let mean_ad =
                        window.iter().map(|v| (v - med).abs()).sum::<f64>() / window.len() as f64;
                    if mean_ad == 0.0 {
                        return self.zero_spread(x, value, index, med, "MAD", "median", of);
                    }
                    warnings.push(DetectorWarning::MadZeroMeanAbsoluteDeviationUsed {
                        mean_absolute_deviation: mean_ad,
                    });
                    (
                        (x - med) / (1.253314 * mean_ad),
                        format!(
                            "MAD 0, so 1.253314 × mean absolute deviation {}",
                            num(mean_ad)
                        ),
                    )
                };
                let crossed = m.abs() > self.threshold;
                let is_anomaly = self.fires(crossed, x, med);
                let reason = format!(
                    "{what} has modified z {} ({} the {w}-point median{of} {}, {scale_words}); |M| {} {}{}",
                    num(m),
                    side(x, med),
                    num(med),
                    if crossed { ">" } else { "≤" },
                    num(self.threshold),
                    self.direction_note(x, med, crossed)
                );
                Detection {
                    index,
                    value,
                    score: m.abs(),
                    probability: two_sided_probability(m),
                    is_anomaly,
                    baseline: med,
                    reason,
                    warnings,
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn zero_spread(
        &self,
        x: f64,
        value: f64,
        index: usize,
        center: f64,
        spread: &str,
        center_name: &str,
        of: &str,
    ) -> Detection {
        let deviates = x != center;
        let is_anomaly = deviates && self.direction.allows(x, center);
        let what = describe(self.differencing, x, value);
        let w = self.window;
        let reason = if deviates {
            format!(
                "{what} differs from the {w}-point {center_name}{of} {} whose {spread} is 0, so any deviation counts{}",
                num(center),
                self.direction_note(x, center, true)
            )
        } else {
            format!(
                "{what} equals the {w}-point {center_name}{of} {} ({spread} 0)",
                num(center)
            )
        };
        let p = if is_anomaly { 1.0 } else { 0.0 };
        Detection {
            index,
            value,
            score: p,
            probability: p,
            is_anomaly,
            baseline: center,
            reason,
            warnings: vec![DetectorWarning::ZeroSpread],
        }
    }
}

impl Detector for Rolling {
    /// Scores points from index `window + training_offset − 1` (+1 with differencing) on.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value; [`KpiError::InsufficientHistory`]
    /// when the series is shorter than [`Rolling::min_history`].
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        need(series, self.min_history())?;
        let shift = usize::from(self.differencing);
        let values: Vec<f64> = if self.differencing {
            series.windows(2).map(|p| p[1] - p[0]).collect()
        } else {
            series.to_vec()
        };
        let span = self.window + self.training_offset;
        Ok((span - 1..values.len())
            .map(|i| {
                let window = &values[i + 1 - span..=i - self.training_offset];
                self.score_point(values[i], series[i + shift], i + shift, window)
            })
            .collect())
    }
}
