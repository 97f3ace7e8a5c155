//! Bucketing timestamps into periods with `prodops_core::Period`, by grain and input size.

use std::hint::black_box;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prodops::core::{Grain, Period};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` timestamps spread uniformly over three years, in random order.
fn timestamps(n: usize) -> Vec<NaiveDateTime> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    (0..n)
        .map(|_| start + TimeDelta::seconds(rng.random_range(0..3 * 365 * 86_400)))
        .collect()
}

fn bucketing(c: &mut Criterion) {
    let mut group = c.benchmark_group("period_containing");
    for n in [1_000usize, 100_000] {
        let ts = timestamps(n);
        group.throughput(Throughput::Elements(n as u64));
        for grain in Grain::ALL {
            group.bench_with_input(BenchmarkId::new(grain.name(), n), &ts, |b, ts| {
                b.iter(|| {
                    // Summing the indexes keeps the work observable without allocating.
                    ts.iter()
                        .map(|t| Period::containing_datetime(grain, *t).index())
                        .fold(0i64, |acc, i| acc.wrapping_add(black_box(i)))
                })
            });
        }
    }
    group.finish();
}

fn iteration_and_labels(c: &mut Criterion) {
    let mut group = c.benchmark_group("period_walk");
    let first = Period::containing(
        Grain::Day,
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
    );
    let last = Period::containing(
        Grain::Day,
        NaiveDate::from_ymd_opt(2029, 12, 31).unwrap_or_default(),
    );
    let days = first.through(last).len() as u64;
    group.throughput(Throughput::Elements(days));
    group.bench_function("through_30_years_of_days", |b| {
        b.iter(|| first.through(black_box(last)).count())
    });
    group.bench_function("label_30_years_of_days", |b| {
        b.iter(|| first.through(last).map(|p| p.label().len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, bucketing, iteration_and_labels);
criterion_main!(benches);
