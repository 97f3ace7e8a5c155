//! An experiment readout on 10M units held in memory as columns, in three stages:
//!
//! - `plain_column_sums`: the baseline, a plain loop summing each column per variant (Σ metric,
//!   Σ converted, Σ sessions, Σ clicks, Σ pre_metric): what any readout must at least pay.
//! - `sufficient_stats`: prodops' statistics from the same data through the public API:
//!   `MeanStats::from_values` (metric), `ProportionStats::from_outcomes` (converted),
//!   `RatioStats::from_pairs` (clicks / sessions) and `CupedStats::from_pairs` (metric with
//!   pre_metric). The `from_pairs` constructors take `(f64, f64)` pairs, so the pairs are laid
//!   out once before timing (as a row-oriented source would hand them over);
//!   `sufficient_stats_zipping_columns` includes zipping the columns into those pairs, the cost
//!   for columnar data.
//! - `scorecard_from_stats`: the analysis from the statistics: Welch tests of the metric,
//!   the conversion rate and the ratio, CUPED, the SRM check and a Holm correction.
//!
//! Throughput is in units (rows), so the stages compare directly.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prodops_experiment::multitest::{Correction, adjust};
use prodops_experiment::{
    Analysis, CupedStats, MeanStats, ProportionStats, RatioStats, SrmConfig, sample_ratio_mismatch,
};
use prodops_sample::{SampleSpec, experiment_units};

const UNITS: usize = 10_000_000;
const CHUNK: usize = 1_000_000;

/// The columns of one variant.
#[derive(Default)]
struct Arm {
    name: String,
    metric: Vec<f64>,
    pre_metric: Vec<f64>,
    converted: Vec<bool>,
    sessions: Vec<u32>,
    clicks: Vec<u32>,
    /// `(clicks, sessions)` pairs for `RatioStats::from_pairs`.
    click_pairs: Vec<(f64, f64)>,
    /// `(metric, pre_metric)` pairs for `CupedStats::from_pairs`.
    cuped_pairs: Vec<(f64, f64)>,
}

/// The statistics of one variant.
#[derive(Clone, Copy)]
struct ArmStats {
    metric: MeanStats,
    converted: ProportionStats,
    ctr: RatioStats,
    cuped: CupedStats,
}

fn or_panic<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// 10M generated units as columns grouped by variant, generated a million at a time.
fn arms() -> Vec<Arm> {
    let cfg = SampleSpec::with_rows(UNITS).experiment();
    let mut arms: Vec<Arm> = Vec::new();
    for start in (0..UNITS).step_by(CHUNK) {
        let units = or_panic(
            experiment_units(&cfg, start..(start + CHUNK).min(UNITS)),
            "generating units",
        );
        for u in units {
            let i = match arms.iter().position(|a| a.name == u.variant) {
                Some(i) => i,
                None => {
                    arms.push(Arm {
                        name: u.variant.clone(),
                        ..Arm::default()
                    });
                    arms.len() - 1
                }
            };
            let arm = &mut arms[i];
            arm.metric.push(u.metric);
            arm.pre_metric.push(u.pre_metric);
            arm.converted.push(u.converted);
            arm.sessions.push(u.sessions);
            arm.clicks.push(u.clicks);
            arm.click_pairs
                .push((f64::from(u.clicks), f64::from(u.sessions)));
            arm.cuped_pairs.push((u.metric, u.pre_metric));
        }
    }
    arms.sort_by(|a, b| a.name.cmp(&b.name));
    arms
}

/// Σ of each column of one arm: the baseline.
fn plain_sums(arm: &Arm) -> (f64, u64, u64, u64, f64) {
    (
        arm.metric.iter().sum::<f64>(),
        arm.converted.iter().map(|&c| u64::from(c)).sum::<u64>(),
        arm.sessions.iter().map(|&s| u64::from(s)).sum::<u64>(),
        arm.clicks.iter().map(|&c| u64::from(c)).sum::<u64>(),
        arm.pre_metric.iter().sum::<f64>(),
    )
}

fn stats(arm: &Arm) -> ArmStats {
    ArmStats {
        metric: or_panic(MeanStats::from_values(&arm.metric), "metric"),
        converted: ProportionStats::from_outcomes(&arm.converted),
        ctr: or_panic(RatioStats::from_pairs(&arm.click_pairs), "ctr"),
        cuped: or_panic(CupedStats::from_pairs(&arm.cuped_pairs), "cuped"),
    }
}

fn stats_zipping_columns(arm: &Arm) -> ArmStats {
    let clicks: Vec<(f64, f64)> = arm
        .clicks
        .iter()
        .zip(&arm.sessions)
        .map(|(&c, &s)| (f64::from(c), f64::from(s)))
        .collect();
    let cuped: Vec<(f64, f64)> = arm
        .metric
        .iter()
        .copied()
        .zip(arm.pre_metric.iter().copied())
        .collect();
    ArmStats {
        metric: or_panic(MeanStats::from_values(&arm.metric), "metric"),
        converted: ProportionStats::from_outcomes(&arm.converted),
        ctr: or_panic(RatioStats::from_pairs(&clicks), "ctr"),
        cuped: or_panic(CupedStats::from_pairs(&cuped), "cuped"),
    }
}

/// The p-values of the scorecard, Holm-adjusted, and the SRM p-value.
fn scorecard(control: &ArmStats, treatment: &ArmStats) -> (Vec<f64>, f64) {
    let analysis = Analysis::default();
    let metric = or_panic(
        analysis.compare(&control.metric, &treatment.metric),
        "metric",
    );
    let converted = or_panic(
        analysis.compare(&control.converted, &treatment.converted),
        "converted",
    );
    let ctr = or_panic(analysis.compare(&control.ctr, &treatment.ctr), "ctr");
    let cuped = or_panic(analysis.cuped(&control.cuped, &treatment.cuped), "cuped");
    let srm = or_panic(
        sample_ratio_mismatch(
            &[control.metric.n(), treatment.metric.n()],
            &[0.5, 0.5],
            SrmConfig::default(),
        ),
        "srm",
    );
    let adjusted = or_panic(
        adjust(
            &[
                metric.p_value,
                converted.p_value,
                ctr.p_value,
                cuped.adjusted.p_value,
            ],
            Correction::Holm,
        ),
        "holm",
    );
    (adjusted, srm.p_value)
}

fn readout(c: &mut Criterion) {
    let arms = arms();
    let units: usize = arms.iter().map(|a| a.metric.len()).sum();
    let mut group = c.benchmark_group("experiment_readout_10m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(units as u64));
    group.bench_function("plain_column_sums", |b| {
        b.iter(|| {
            arms.iter()
                .map(|a| plain_sums(black_box(a)))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("sufficient_stats", |b| {
        b.iter(|| arms.iter().map(|a| stats(black_box(a))).collect::<Vec<_>>())
    });
    group.bench_function("sufficient_stats_zipping_columns", |b| {
        b.iter(|| {
            arms.iter()
                .map(|a| stats_zipping_columns(black_box(a)))
                .collect::<Vec<_>>()
        })
    });
    let all: Vec<ArmStats> = arms.iter().map(stats).collect();
    let (control, treatment) = match all.as_slice() {
        [control, treatment] => (*control, *treatment),
        other => panic!("expected two arms, got {}", other.len()),
    };
    group.bench_function("scorecard_from_stats", |b| {
        b.iter(|| scorecard(black_box(&control), black_box(&treatment)))
    });
    group.finish();
}

criterion_group!(benches, readout);
criterion_main!(benches);
