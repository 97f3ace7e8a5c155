//! KPI monitoring: anomaly detectors that score a series and say, in words, why each alert fired.
//!
//! A series is a plain `&[f64]`, one value per interval, oldest first. Every detector implements
//! [`Detector`] and returns one [`Detection`] per point it can score; points it cannot score
//! (the warm-up of a rolling window, the training window of a control chart) are left out, and a
//! series too short to score anything is [`KpiError::InsufficientHistory`], never a silent pass.
//!
//! | detector | statistic | fires when |
//! |---|---|---|
//! | [`Threshold`] | the value, or its % change vs the previous interval | outside the bounds |
//! | [`Rolling::z_score`] (PostHog `zscore`) | \|x − mean\|/sd over the previous 30 points | min-max probability > 0.95 |
//! | [`Rolling::mad`] (PostHog `mad`, pyod `MAD`) | 0.6745·\|x − median\|/MAD | probability > 0.95 |
//! | [`Rolling::modified_z`] (Iglewicz–Hoaglin) | 0.6745·(x − median)/MAD | \|M\| > 3.5 |
//! | [`Ewma`] | zₜ = λxₜ + (1 − λ)zₜ₋₁ | outside μ₀ ± Lσ√(λ/(2 − λ)·[1 − (1 − λ)^{2t}]) |
//! | [`Cusum`] | C⁺, C⁻ with slack k | C > h (then both sums reset) |
//! | [`Bocpd`] (Adams and MacKay 2007) | run-length posterior, MAP segmentation | a new regime starts |
//! | [`GeneralizedEsd`] (Rosner 1983) | max \|x − mean\|/sd, repeated (or median and MAD) | Rᵢ > λᵢ |
//! | `StlResidual` (feature `stl`) | any detector on STL remainders | the inner detector fires |
//! | `SeasonalHybridEsd` (feature `stl`, Vallis et al. 2014) | ESD on x − seasonal − median(x) | Rᵢ > λᵢ |
//!
//! [`detect_column`] runs a detector on a polars column and returns the detections as a frame.
//!
//! Rate KPIs (conversion, activation) get [`RateChangeAlerts`]: an alert needs a statistically
//! significant change (a two-proportion z test from `prodops-experiment`, Benjamini–Hochberg
//! across breakdowns) *and* a minimum effect, so a 0.1-point wobble on a million users and a
//! 30% jump on ten users both stay quiet.
//!
//! # Examples
//!
//! ```
//! use prodops_kpi::monitor::{Detector, Direction, Rolling};
//!
//! // A flat-ish daily KPI with a spike on the last day.
//! let mut series: Vec<f64> = (0..40).map(|i| 200.0 + (i % 5) as f64).collect();
//! series.push(312.0);
//! let detector = Rolling::z_score().direction(Direction::Up).build()?;
//! let last = detector.latest(&series)?;
//! assert!(last.is_anomaly);
//! assert_eq!(last.index, 40);
//! assert!(last.reason.contains("above"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bocpd;
mod control;
mod esd;
mod frame;
mod rate;
mod rolling;
#[cfg(feature = "stl")]
mod stl;
mod threshold;

use serde::{Deserialize, Serialize};

use crate::KpiError;
use crate::error::invalid_input;

pub use bocpd::{Bocpd, BocpdBuilder};
pub use control::{Baseline, BaselineEstimator, Cusum, CusumBuilder, Ewma, EwmaBuilder};
pub use esd::{GeneralizedEsd, GeneralizedEsdBuilder, esd_critical_value};
pub use frame::{detect_column, detections_frame};
pub use rate::{MinEffect, RateAlert, RateChangeAlerts, RateChangeAlertsBuilder, RateComparison};
pub use rolling::{MadProbability, Rolling, RollingBuilder, RollingMethod};
#[cfg(feature = "stl")]
pub use stl::{SeasonalHybridEsd, SeasonalHybridEsdBuilder, StlResidual, stl_residuals};
pub use threshold::{Threshold, ThresholdBuilder, ThresholdKind};

/// Which deviations may raise an alert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Only values above the baseline.
    Up,
    /// Only values below the baseline.
    Down,
    /// Either side. The default.
    #[default]
    Both,
}

impl Direction {
    /// Whether a value on this side of the baseline may fire: `Up` needs `value > baseline`,
    /// `Down` needs `value < baseline` (PostHog's `_direction_allows`).
    pub fn allows(self, value: f64, baseline: f64) -> bool {
        match self {
            Direction::Up => value > baseline,
            Direction::Down => value < baseline,
            Direction::Both => true,
        }
    }
}

/// A caveat attached to a detection: the score exists but rests on a fallback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum DetectorWarning {
    /// The median absolute deviation of the window was 0, so the modified z score used
    /// 1.253314 × the mean absolute deviation instead (Iglewicz and Hoaglin).
    MadZeroMeanAbsoluteDeviationUsed {
        /// The mean absolute deviation used.
        mean_absolute_deviation: f64,
    },
    /// The spread of the baseline was 0, so any deviation from it fires (PostHog).
    ZeroSpread,
}

/// The verdict of a detector on one point of a series.
///
/// `score` is the detector's own statistic (|z|, the modified z, the EWMA distance in limit
/// units, the CUSUM sum in σ, ESD's R); `probability` maps it to [0, 1] as the detector
/// documents. Neither is ever NaN. When the baseline's spread is 0 the statistic is undefined:
/// then `score` = `probability` = 1 if the point deviates at all and 0 otherwise, as PostHog
/// does, and `warnings` holds [`DetectorWarning::ZeroSpread`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Detection {
    /// Position of the point in the series given to the detector.
    pub index: usize,
    /// The series value at `index`.
    pub value: f64,
    /// The detector's statistic.
    pub score: f64,
    /// The anomaly probability in [0, 1].
    pub probability: f64,
    /// Whether the point is an anomaly (the threshold is crossed and the direction allows it).
    pub is_anomaly: bool,
    /// The baseline the point was compared with (mean, median, μ₀, the EWMA centre line).
    pub baseline: f64,
    /// Why the detector fired or stayed quiet, in words, for the alert message.
    pub reason: String,
    /// Fallbacks used for this point.
    pub warnings: Vec<DetectorWarning>,
}

impl Detection {
    /// A detection for a custom [`Detector`]: score and probability 0, not an anomaly, the
    /// baseline equal to the value, no warnings. Set the rest with the `with_` methods.
    pub fn new(index: usize, value: f64, reason: impl Into<String>) -> Detection {
        Detection {
            index,
            value,
            score: 0.0,
            probability: 0.0,
            is_anomaly: false,
            baseline: value,
            reason: reason.into(),
            warnings: Vec::new(),
        }
    }

    /// Sets the statistic and the probability. A non-finite score becomes 0 and the
    /// probability is clamped to [0, 1] (NaN becomes 0), so a detection never carries NaN.
    pub fn with_score(mut self, score: f64, probability: f64) -> Detection {
        self.score = if score.is_finite() { score } else { 0.0 };
        self.probability = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        self
    }

    /// Marks the point as an anomaly or not.
    pub fn with_anomaly(mut self, is_anomaly: bool) -> Detection {
        self.is_anomaly = is_anomaly;
        self
    }

    /// Sets the baseline the point was compared with.
    pub fn with_baseline(mut self, baseline: f64) -> Detection {
        self.baseline = baseline;
        self
    }

    /// Adds a warning.
    pub fn with_warning(mut self, warning: DetectorWarning) -> Detection {
        self.warnings.push(warning);
        self
    }
}

/// An anomaly detector for a KPI series.
///
/// Implement [`Detector::detect`]; [`Detector::latest`] and [`Detector::anomalies`] come for
/// free. Implementations validate their input (finite values, enough history) and return one
/// [`Detection`] per scored point, in series order.
///
/// # Examples
///
/// A custom detector: a value more than `factor` times the previous one.
///
/// ```
/// use prodops_kpi::KpiError;
/// use prodops_kpi::monitor::{Detection, Detector};
///
/// struct Jump {
///     factor: f64,
/// }
///
/// impl Detector for Jump {
///     fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
///         if series.len() < 2 {
///             return Err(KpiError::InsufficientHistory { needed: 2, got: series.len() });
///         }
///         Ok(series
///             .windows(2)
///             .enumerate()
///             .map(|(i, w)| {
///                 let ratio = if w[0] > 0.0 { w[1] / w[0] } else { 0.0 };
///                 Detection::new(i + 1, w[1], format!("value {} is {ratio:.1}× the previous", w[1]))
///                     .with_score(ratio, if ratio > self.factor { 1.0 } else { 0.0 })
///                     .with_anomaly(ratio > self.factor)
///                     .with_baseline(w[0])
///             })
///             .collect())
///     }
/// }
///
/// let flagged = Jump { factor: 2.0 }.anomalies(&[50.0, 120.0, 60.0])?;
/// assert_eq!(flagged.len(), 1);
/// assert_eq!(flagged[0].index, 1);
/// assert_eq!(flagged[0].reason, "value 120 is 2.4× the previous");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Detector {
    /// Scores every point the detector can score.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value, [`KpiError::InsufficientHistory`]
    /// when the series is too short, or a detector-specific error.
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError>;

    /// The verdict on the last point, the one a scheduled alert checks.
    ///
    /// # Errors
    ///
    /// As [`Detector::detect`]; [`KpiError::InsufficientHistory`] when the last point is not
    /// scored.
    fn latest(&self, series: &[f64]) -> Result<Detection, KpiError> {
        let last = series.len().checked_sub(1);
        self.detect(series)?
            .into_iter()
            .rfind(|d| Some(d.index) == last)
            .ok_or(KpiError::InsufficientHistory {
                needed: series.len() + 1,
                got: series.len(),
            })
    }

    /// Only the detections that are anomalies.
    ///
    /// # Errors
    ///
    /// As [`Detector::detect`].
    fn anomalies(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        Ok(self
            .detect(series)?
            .into_iter()
            .filter(|d| d.is_anomaly)
            .collect())
    }
}

impl<D: Detector + ?Sized> Detector for &D {
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        (**self).detect(series)
    }
}

impl<D: Detector + ?Sized> Detector for Box<D> {
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        (**self).detect(series)
    }
}

/// Rejects NaN and infinite values, naming the first offending index.
pub(crate) fn check_finite(series: &[f64]) -> Result<(), KpiError> {
    match series.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(invalid_input(
            format!("series value at index {i}"),
            format!("must be finite, got {}", series[i]),
        )),
        None => Ok(()),
    }
}

/// Errors unless the series has at least `needed` points.
pub(crate) fn need(series: &[f64], needed: usize) -> Result<(), KpiError> {
    if series.len() < needed {
        Err(KpiError::InsufficientHistory {
            needed,
            got: series.len(),
        })
    } else {
        Ok(())
    }
}

/// Arithmetic mean; callers guarantee a non-empty slice.
pub(crate) fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Standard deviation with `ddof` degrees of freedom removed (numpy `std(ddof=...)`).
pub(crate) fn std_dev(xs: &[f64], ddof: usize) -> f64 {
    let m = mean(xs);
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    (ss / (xs.len() - ddof) as f64).sqrt()
}

/// Median (the mean of the two middle values for an even count, as numpy); callers guarantee
/// a non-empty slice of finite values.
pub(crate) fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The raw median absolute deviation about `center`: median(|x − center|).
pub(crate) fn mad_about(xs: &[f64], center: f64) -> f64 {
    let dev: Vec<f64> = xs.iter().map(|x| (x - center).abs()).collect();
    median(&dev)
}

/// A number for a sentence: two decimals above 1, four below, scientific notation under
/// 0.001 (so a tiny p-value does not print as 0), no trailing zeros.
pub(crate) fn num(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        return format!("{x:.2e}");
    }
    let s = if x.abs() >= 1000.0 || x == x.trunc() {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// "above" or "below" for a deviation's sign.
pub(crate) fn side(value: f64, baseline: f64) -> &'static str {
    if value >= baseline { "above" } else { "below" }
}

/// The normal-equivalent probability P(|N(0, 1)| < s) = erf(s/√2), clipped to [0, 1].
pub(crate) fn two_sided_probability(s: f64) -> f64 {
    libm::erf(s.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}
