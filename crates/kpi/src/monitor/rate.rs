//! Significance-aware alerts for rate KPIs across breakdowns.
//!
//! A raw % change on a conversion rate fires on noise in small segments and misses real shifts
//! in large ones. Here a segment alerts only when the change between two periods is
//! statistically significant (the pooled two-proportion z test of `prodops-experiment`, as
//! statsmodels' `proportions_ztest`), after a multiple-comparison correction across the
//! segments (Benjamini–Hochberg by default, since one alert per segment is a family of tests),
//! **and** at least a minimum effect.

use prodops_experiment::multitest::{Correction, adjust};
use prodops_experiment::{Alpha, Analysis, ExperimentError, ProportionSe, ProportionStats};
use serde::{Deserialize, Serialize};

use super::{Direction, num};
use crate::KpiError;
use crate::error::invalid_input;

/// The smallest change worth an alert.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum MinEffect {
    /// |r₁ − r₀| in rate units: 0.01 is one percentage point.
    Absolute(f64),
    /// |r₁ − r₀|/r₀: 0.1 is a 10% relative change (a segment with r₀ = 0 meets any relative
    /// minimum when its rate moved at all).
    Relative(f64),
}

/// One segment's counts in the previous and the current period.
#[derive(Debug, Clone, PartialEq)]
pub struct RateComparison {
    /// The segment, such as `"country=FR"`.
    pub label: String,
    /// The previous period.
    pub previous: ProportionStats,
    /// The current period.
    pub current: ProportionStats,
}

impl RateComparison {
    /// A segment's counts.
    pub fn new(
        label: impl Into<String>,
        previous: ProportionStats,
        current: ProportionStats,
    ) -> Self {
        RateComparison {
            label: label.into(),
            previous,
            current,
        }
    }
}

/// The verdict on one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateAlert {
    /// The segment.
    pub label: String,
    /// r₀.
    pub previous_rate: f64,
    /// r₁.
    pub current_rate: f64,
    /// r₁ − r₀.
    pub change: f64,
    /// (r₁ − r₀)/r₀, `None` when r₀ = 0.
    pub relative_change: Option<f64>,
    /// The two-sided pooled z test's p-value.
    pub p_value: f64,
    /// The p-value after the correction across segments.
    pub adjusted_p_value: f64,
    /// Whether the adjusted p-value is at most α.
    pub significant: bool,
    /// Whether the change reaches the minimum effect.
    pub meets_min_effect: bool,
    /// Significant, large enough, and in a monitored direction.
    pub is_anomaly: bool,
    /// Why, in words.
    pub reason: String,
}

/// Alerts on rate changes that are significant and large enough, per segment.
///
/// Defaults: α = 0.05, Benjamini–Hochberg across segments, a minimum effect of one percentage
/// point, both directions.
///
/// # Examples
///
/// ```
/// use prodops_experiment::ProportionStats;
/// use prodops_kpi::monitor::{MinEffect, RateChangeAlerts, RateComparison};
///
/// let alerts = RateChangeAlerts::builder().min_effect(MinEffect::Absolute(0.01)).build()?;
/// let segments = [
///     // 10% → 8% on 10,000 visitors a week: significant and 2 points.
///     RateComparison::new("web", ProportionStats::new(10_000, 1_000)?, ProportionStats::new(10_000, 800)?),
///     // 10% → 5% on 40 visitors: large, but not significant.
///     RateComparison::new("kiosk", ProportionStats::new(40, 4)?, ProportionStats::new(40, 2)?),
/// ];
/// let verdicts = alerts.evaluate(&segments)?;
/// assert!(verdicts[0].is_anomaly);
/// assert!(!verdicts[1].is_anomaly);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RateChangeAlerts {
    alpha: Alpha,
    min_effect: MinEffect,
    direction: Direction,
    correction: Correction,
}

/// Builds [`RateChangeAlerts`]; validation happens in [`RateChangeAlertsBuilder::build`].
#[derive(Debug, Clone)]
pub struct RateChangeAlertsBuilder {
    alpha: f64,
    min_effect: MinEffect,
    direction: Direction,
    correction: Correction,
}

impl RateChangeAlerts {
    /// The defaults: α = 0.05, Benjamini–Hochberg, one percentage point, both directions.
    pub fn builder() -> RateChangeAlertsBuilder {
        RateChangeAlertsBuilder {
            alpha: 0.05,
            min_effect: MinEffect::Absolute(0.01),
            direction: Direction::Both,
            correction: Correction::BenjaminiHochberg,
        }
    }

    /// Tests every segment and corrects across them.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] for no segments; [`KpiError::Experiment`] when a segment has
    /// fewer than 2 units in a period.
    pub fn evaluate(&self, segments: &[RateComparison]) -> Result<Vec<RateAlert>, KpiError> {
        if segments.is_empty() {
            return Err(KpiError::EmptySample {
                what: "rate comparisons: no segments".into(),
            });
        }
        let analysis = Analysis::builder().alpha(self.alpha.get()).build()?;
        let mut p_values = Vec::with_capacity(segments.len());
        for s in segments {
            let p = match analysis.proportions(&s.previous, &s.current, ProportionSe::Pooled) {
                Ok(outcome) => outcome.p_value,
                // Both periods at 0% or 100%: no variance, so the test is undefined; equal
                // rates are certainly no change, and 0% → 100% is as clear as a change gets.
                Err(ExperimentError::ZeroOrNegativeVariance { .. }) => {
                    if s.previous.rate()? == s.current.rate()? {
                        1.0
                    } else {
                        0.0
                    }
                }
                Err(e) => return Err(e.into()),
            };
            p_values.push(p);
        }
        let adjusted = adjust(&p_values, self.correction)?;
        segments
            .iter()
            .zip(p_values.iter().zip(&adjusted))
            .map(|(s, (&p, &adj))| {
                let r0 = s.previous.rate()?;
                let r1 = s.current.rate()?;
                let change = r1 - r0;
                let relative_change = (r0 != 0.0).then(|| change / r0);
                let meets_min_effect = match self.min_effect {
                    MinEffect::Absolute(m) => change.abs() >= m,
                    MinEffect::Relative(m) => relative_change.map_or(change != 0.0, |rc| rc.abs() >= m),
                };
                let significant = adj <= self.alpha.get();
                let allowed = self.direction.allows(r1, r0);
                let is_anomaly = significant && meets_min_effect && allowed;
                let min_words = match self.min_effect {
                    MinEffect::Absolute(m) => format!("{} pp", num(100.0 * m)),
                    MinEffect::Relative(m) => format!("{}% relative", num(100.0 * m)),
                };
                let rel = relative_change
                    .map_or_else(String::new, |rc| format!(", {}% relative", num(100.0 * rc)));
                let mut reason = format!(
                    "{}: rate {}% → {}% ({} pp{rel}); p = {}, adjusted p = {} {} α {}; minimum effect {min_words} {}",
                    s.label,
                    num(100.0 * r0),
                    num(100.0 * r1),
                    num(100.0 * change),
                    num(p),
                    num(adj),
                    if significant { "≤" } else { ">" },
                    num(self.alpha.get()),
                    if meets_min_effect { "met" } else { "not met" },
                );
                if significant && meets_min_effect && !allowed {
                    reason.push_str("; not an alert: direction not monitored");
                }
                Ok(RateAlert {
                    label: s.label.clone(),
                    previous_rate: r0,
                    current_rate: r1,
                    change,
                    relative_change,
                    p_value: p,
                    adjusted_p_value: adj,
                    significant,
                    meets_min_effect,
                    is_anomaly,
                    reason,
                })
            })
            .collect()
    }
}

impl RateChangeAlertsBuilder {
    /// The significance level after correction.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The smallest change worth an alert.
    pub fn min_effect(mut self, min_effect: MinEffect) -> Self {
        self.min_effect = min_effect;
        self
    }

    /// Which side may fire.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// The correction across segments (Benjamini–Hochberg by default; `Correction::None` for
    /// a single KPI).
    pub fn correction(mut self, correction: Correction) -> Self {
        self.correction = correction;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::Experiment`] for α outside (0, 1); [`KpiError::InvalidInput`] for a
    /// negative or non-finite minimum effect.
    pub fn build(self) -> Result<RateChangeAlerts, KpiError> {
        let m = match self.min_effect {
            MinEffect::Absolute(m) | MinEffect::Relative(m) => m,
        };
        if !(m.is_finite() && m >= 0.0) {
            return Err(invalid_input(
                "minimum effect",
                format!("must be ≥ 0, got {m}"),
            ));
        }
        Ok(RateChangeAlerts {
            alpha: Alpha::new(self.alpha)?,
            min_effect: self.min_effect,
            direction: self.direction,
            correction: self.correction,
        })
    }
}
