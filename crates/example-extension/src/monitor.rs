//! A team anomaly detector: seasonal naive, "compare with the same weekday last week".
//!
//! For a daily KPI with a weekly rhythm, the simplest honest baseline of today is the same
//! weekday a week ago. [`SeasonalNaive`] compares every point with the point one season
//! (`period`, 7 by default) earlier and fires when the relative change exceeds a tolerance and,
//! optionally, the absolute change exceeds a floor (so a move from 2 to 3 sign-ups does not
//! page anyone):
//!
//! ```text
//! baseline = x[t − period]
//! change   = (x[t] − baseline) / |baseline|
//! fires when |change| > tolerance  and  |x[t] − baseline| > min_abs_change
//!            and the direction allows it
//! ```
//!
//! The score is |change| and the probability is 1 when the point fires, 0 otherwise (a rule,
//! as the built-in threshold detector). A zero baseline makes the relative change undefined:
//! then any non-zero value counts as a full change (score 1) with a
//! [`DetectorWarning::ZeroSpread`] warning, as the built-in detectors do with a zero spread.

use prodops_kpi::KpiError;
use prodops_kpi::monitor::{Detection, Detector, DetectorWarning, Direction};

use crate::error::{ExtensionError, invalid};

/// Seasonal-naive detector (module docs).
///
/// # Examples
///
/// ```
/// use prodops_example_extension::monitor::SeasonalNaive;
/// use prodops_kpi::monitor::Detector;
///
/// // Two weeks of daily sign-ups; the second Wednesday (index 9) drops from 100 to 60.
/// let series = [100.0, 110.0, 100.0, 105.0, 98.0, 40.0, 35.0,
///               101.0, 108.0, 60.0, 104.0, 99.0, 42.0, 36.0];
/// let detector = SeasonalNaive::builder().tolerance(0.25).build()?;
/// let alerts = detector.anomalies(&series)?;
/// assert_eq!(alerts.len(), 1);
/// assert_eq!(alerts[0].index, 9);
/// // (60 − 100) / 100 = −40%.
/// assert_eq!(alerts[0].reason, "value 60 is 40.0% below 100 one season (7 points) earlier; tolerance 25.0%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonalNaive {
    period: usize,
    tolerance: f64,
    min_abs_change: f64,
    direction: Direction,
}

/// Builds a [`SeasonalNaive`]; defaults: period 7, tolerance 0.2 (20%), no absolute floor,
/// both directions.
#[derive(Debug, Clone)]
pub struct SeasonalNaiveBuilder {
    period: usize,
    tolerance: f64,
    min_abs_change: f64,
    direction: Direction,
}

impl SeasonalNaive {
    /// A builder with the defaults of [`SeasonalNaiveBuilder`].
    pub fn builder() -> SeasonalNaiveBuilder {
        SeasonalNaiveBuilder {
            period: 7,
            tolerance: 0.2,
            min_abs_change: 0.0,
            direction: Direction::Both,
        }
    }

    /// The season length in points.
    pub fn period(&self) -> usize {
        self.period
    }
}

impl SeasonalNaiveBuilder {
    /// Points per season (7 for daily data with a weekly rhythm).
    pub fn period(mut self, period: usize) -> Self {
        self.period = period;
        self
    }

    /// The relative change that fires, as a fraction (0.2 = 20%).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The absolute change a point must also exceed to fire.
    pub fn min_abs_change(mut self, min: f64) -> Self {
        self.min_abs_change = min;
        self
    }

    /// Which side may fire.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// The detector.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InvalidInput`] for a period of 0, a tolerance that is not a finite
    /// number > 0, or a negative or non-finite absolute floor.
    pub fn build(self) -> Result<SeasonalNaive, ExtensionError> {
        if self.period == 0 {
            return Err(invalid("period", "must be at least 1"));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(invalid(
                "tolerance",
                format!("must be a finite number > 0, got {}", self.tolerance),
            ));
        }
        if !(self.min_abs_change.is_finite() && self.min_abs_change >= 0.0) {
            return Err(invalid(
                "minimum absolute change",
                format!("must be a finite number ≥ 0, got {}", self.min_abs_change),
            ));
        }
        Ok(SeasonalNaive {
            period: self.period,
            tolerance: self.tolerance,
            min_abs_change: self.min_abs_change,
            direction: self.direction,
        })
    }
}

impl Detector for SeasonalNaive {
    /// One detection per point from index `period` on.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] naming the first non-finite value;
    /// [`KpiError::InsufficientHistory`] for fewer than `period + 1` points.
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        if let Some(i) = series.iter().position(|x| !x.is_finite()) {
            return Err(KpiError::InvalidInput {
                what: format!("series value at index {i}"),
                reason: format!("must be finite, got {}", series[i]),
            });
        }
        if series.len() <= self.period {
            return Err(KpiError::InsufficientHistory {
                needed: self.period + 1,
                got: series.len(),
            });
        }
        let season = format!("one season ({} points) earlier", self.period);
        Ok(series
            .iter()
            .enumerate()
            .skip(self.period)
            .map(|(i, &value)| {
                let baseline = series[i - self.period];
                let diff = value - baseline;
                let allowed = self.direction.allows(value, baseline);
                let big_enough = diff.abs() > self.min_abs_change;
                if baseline == 0.0 {
                    let fires = diff != 0.0 && big_enough && allowed;
                    let reason = if diff == 0.0 {
                        format!("value 0 equals the value {season}")
                    } else {
                        format!(
                            "value {} vs 0 {season}: the relative change is undefined, counted \
                             as a full change",
                            num(value)
                        )
                    };
                    let score = if diff == 0.0 { 0.0 } else { 1.0 };
                    let mut d = Detection::new(i, value, reason)
                        .with_baseline(baseline)
                        .with_score(score, if fires { 1.0 } else { 0.0 })
                        .with_anomaly(fires);
                    if diff != 0.0 {
                        d = d.with_warning(DetectorWarning::ZeroSpread);
                    }
                    return d;
                }
                let change = diff / baseline.abs();
                let fires = change.abs() > self.tolerance && big_enough && allowed;
                let reason = if change == 0.0 {
                    format!("value {} equals the value {season}", num(value))
                } else {
                    format!(
                        "value {} is {:.1}% {} {} {season}; tolerance {:.1}%",
                        num(value),
                        100.0 * change.abs(),
                        if change > 0.0 { "above" } else { "below" },
                        num(baseline),
                        100.0 * self.tolerance
                    )
                };
                Detection::new(i, value, reason)
                    .with_baseline(baseline)
                    .with_score(change.abs(), if fires { 1.0 } else { 0.0 })
                    .with_anomaly(fires)
            })
            .collect())
    }
}

/// A number without a trailing `.0` for whole values.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}
