//! A finished A/B experiment with known true effects.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use polars::prelude::*;
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Normal, Poisson};

use crate::SampleError;
use crate::error::invalid;
use crate::rng::{Stream, generate_blocks};
use crate::table::{Table, datetime_column, str_column};

/// One arm of the experiment and its true parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ArmSpec {
    /// The variant name, such as `"control"`.
    pub name: String,
    /// The planned share of traffic, relative to the other arms' weights.
    pub weight: f64,
    /// The true probability that a unit converts.
    pub conversion_rate: f64,
    /// The true click-through rate: the probability that a session has a click.
    pub click_rate: f64,
    /// The true additive effect on the continuous `metric` (0 for control).
    pub metric_effect: f64,
}

impl ArmSpec {
    /// An arm with the given name, traffic weight, conversion rate, click rate and metric
    /// effect.
    pub fn new(
        name: &str,
        weight: f64,
        conversion_rate: f64,
        click_rate: f64,
        metric_effect: f64,
    ) -> Self {
        ArmSpec {
            name: name.to_owned(),
            weight,
            conversion_rate,
            click_rate,
            metric_effect,
        }
    }
}

/// A planted sample-ratio mismatch: units assigned to `arm` are lost with probability
/// `1 - keep`, as when a redirect or a logging bug drops some of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SrmPlant {
    /// Index of the arm that loses units.
    pub arm: usize,
    /// Probability that a unit of that arm is kept.
    pub keep: f64,
}

/// The metric model shared by all arms. With the defaults the pre-period covariate and the
/// outcome have correlation 0.8 in every arm, so CUPED should remove about 64% of the
/// outcome's variance.
pub mod model {
    /// Mean of the pre-period covariate `pre_metric`.
    pub const PRE_MEAN: f64 = 50.0;
    /// Standard deviation of `pre_metric`.
    pub const PRE_SD: f64 = 15.0;
    /// Slope of `metric` on `pre_metric`.
    pub const SLOPE: f64 = 0.8;
    /// Intercept of `metric`.
    pub const INTERCEPT: f64 = 10.0;
    /// Standard deviation of the noise in `metric`. Var(metric) = 0.8²·15² + 9² = 225, so
    /// corr(pre_metric, metric) = 0.8·15² / (15·15) = 0.8.
    pub const NOISE_SD: f64 = 9.0;
    /// Mean number of sessions per unit is `1 + SESSIONS_EXTRA_MEAN`.
    pub const SESSIONS_EXTRA_MEAN: f64 = 3.0;
}

/// The experiment to simulate.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ExperimentConfig {
    /// Units assigned (before any planted loss).
    pub units: usize,
    /// The first day of the experiment.
    pub start: NaiveDate,
    /// How many days units are assigned over.
    pub days: u32,
    /// The arms; the first is the control.
    pub arms: Vec<ArmSpec>,
    /// An optional planted sample-ratio mismatch.
    pub srm: Option<SrmPlant>,
    /// Seed of the random streams.
    pub seed: u64,
}

impl ExperimentConfig {
    /// A 50/50 test of `units` units over `days` days: control converts at 10% and clicks at
    /// 20%; treatment lifts conversion by 5% relative (10.5%), clicks to 21%, and the metric
    /// by +1.0.
    pub fn two_arm(units: usize, start: NaiveDate, days: u32, seed: u64) -> Self {
        ExperimentConfig {
            units,
            start,
            days,
            arms: vec![
                ArmSpec::new("control", 1.0, 0.10, 0.20, 0.0),
                ArmSpec::new("treatment", 1.0, 0.105, 0.21, 1.0),
            ],
            srm: None,
            seed,
        }
    }

    /// The same experiment with a planted sample-ratio mismatch.
    pub fn with_srm(mut self, srm: SrmPlant) -> Self {
        self.srm = Some(srm);
        self
    }

    fn validate(&self) -> Result<(), SampleError> {
        if self.arms.len() < 2 {
            return Err(invalid("experiment.arms", "needs at least two arms"));
        }
        if self.days == 0 {
            return Err(invalid("experiment.days", "must be at least 1"));
        }
        for arm in &self.arms {
            let probability = |p: f64| (0.0..=1.0).contains(&p);
            if !(arm.weight.is_finite() && arm.weight > 0.0) {
                return Err(invalid(
                    "experiment.arms.weight",
                    format!("{} must be positive", arm.name),
                ));
            }
            if !probability(arm.conversion_rate) || !probability(arm.click_rate) {
                return Err(invalid(
                    "experiment.arms",
                    format!("{} has a rate outside 0..=1", arm.name),
                ));
            }
            if !arm.metric_effect.is_finite() {
                return Err(invalid(
                    "experiment.arms.metric_effect",
                    format!("{} is not finite", arm.name),
                ));
            }
        }
        if let Some(srm) = self.srm
            && (srm.arm >= self.arms.len() || !(0.0..=1.0).contains(&srm.keep))
        {
            return Err(invalid(
                "experiment.srm",
                "arm out of range or keep outside 0..=1",
            ));
        }
        Ok(())
    }
}

/// One experimental unit (a user) and its outcomes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ExperimentUnit {
    /// `unit-000001`-style id; ids of units lost to a planted SRM are missing.
    pub unit_id: String,
    /// The assigned arm's name.
    pub variant: String,
    /// When the unit was assigned (UTC).
    pub assigned_at: NaiveDateTime,
    /// The pre-period covariate (the same metric measured before the test).
    pub pre_metric: f64,
    /// The continuous outcome.
    pub metric: f64,
    /// The binary outcome.
    pub converted: bool,
    /// Sessions during the test (denominator of the click-through ratio metric).
    pub sessions: u32,
    /// Sessions with a click (numerator of the ratio metric).
    pub clicks: u32,
}

/// Generates the units numbered `rows` (0-based, end exclusive), leaving out those lost to a
/// planted SRM.
///
/// # Errors
///
/// [`SampleError::InvalidConfig`] when the arms or the SRM plant are invalid.
pub fn experiment_units(
    cfg: &ExperimentConfig,
    rows: std::ops::Range<usize>,
) -> Result<Vec<ExperimentUnit>, SampleError> {
    cfg.validate()?;
    let weights: Vec<(usize, f64)> = cfg.arms.iter().map(|a| a.weight).enumerate().collect();
    let pre =
        Normal::new(model::PRE_MEAN, model::PRE_SD).map_err(|e| invalid("model", e.to_string()))?;
    let noise = Normal::new(0.0, model::NOISE_SD).map_err(|e| invalid("model", e.to_string()))?;
    let sessions =
        Poisson::new(model::SESSIONS_EXTRA_MEAN).map_err(|e| invalid("model", e.to_string()))?;
    let start = cfg.start.and_time(chrono::NaiveTime::MIN);
    let span = i64::from(cfg.days) * 86_400;
    let rows = rows.start.min(cfg.units)..rows.end.min(cfg.units);
    let units = generate_blocks(cfg.seed, Stream::Experiment, rows, |rng, first, n, out| {
        for i in first..first + n {
            let arm_index = crate::pick(rng, &weights);
            let arm = &cfg.arms[arm_index];
            let assigned_at = start + Duration::seconds(rng.random_range(0..span));
            let pre_metric = pre.sample(rng);
            let metric = model::INTERCEPT
                + model::SLOPE * pre_metric
                + arm.metric_effect
                + noise.sample(rng);
            let converted = rng.random_bool(arm.conversion_rate);
            let n_sessions = 1 + sessions.sample(rng) as u32;
            let clicks = Binomial::new(u64::from(n_sessions), arm.click_rate)
                .map_or(0, |b| b.sample(rng) as u32);
            // The loss draw is made for every unit so the other units' numbers do not depend
            // on whether an SRM is planted.
            let lost = rng.random::<f64>();
            let kept = cfg.srm.is_none_or(|s| s.arm != arm_index || lost < s.keep);
            out.push(kept.then(|| ExperimentUnit {
                unit_id: format!("unit-{:06}", i + 1),
                variant: arm.name.clone(),
                assigned_at,
                pre_metric: round4(pre_metric),
                metric: round4(metric),
                converted,
                sessions: n_sessions,
                clicks,
            }));
        }
    });
    Ok(units.into_iter().flatten().collect())
}

/// Rounds to 4 decimals so written files are compact and identical across platforms.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Table for ExperimentUnit {
    const NAME: &'static str = "experiment";

    fn frame(rows: &[Self]) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            str_column("unit_id", rows, |r| r.unit_id.as_str()),
            str_column("variant", rows, |r| r.variant.as_str()),
            datetime_column("assigned_at", rows, |r| r.assigned_at)?,
            Column::new(
                "pre_metric".into(),
                rows.iter().map(|r| r.pre_metric).collect::<Vec<_>>(),
            ),
            Column::new(
                "metric".into(),
                rows.iter().map(|r| r.metric).collect::<Vec<_>>(),
            ),
            Column::new(
                "converted".into(),
                rows.iter().map(|r| r.converted).collect::<Vec<_>>(),
            ),
            Column::new(
                "sessions".into(),
                rows.iter().map(|r| r.sessions).collect::<Vec<_>>(),
            ),
            Column::new(
                "clicks".into(),
                rows.iter().map(|r| r.clicks).collect::<Vec<_>>(),
            ),
        ])
    }
}
