//! Throughput of the sample-data generators, by table and size.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prodops_sample::{
    SampleSpec, accounts_and_mrr, experiment_units, feedback_items, product_events,
    survey_responses,
};

fn generators(c: &mut Criterion) {
    let spec = SampleSpec::with_rows(1_000_000);
    let accounts = match accounts_and_mrr(&spec.accounts()) {
        Ok((accounts, _)) => accounts,
        Err(e) => panic!("accounts: {e}"),
    };
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for rows in [16_384usize, 131_072] {
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::new("surveys", rows), &rows, |b, &rows| {
            b.iter(|| {
                black_box(survey_responses(&spec.surveys(), &accounts, 0..rows)).map(|v| v.len())
            })
        });
        group.bench_with_input(BenchmarkId::new("feedback", rows), &rows, |b, &rows| {
            b.iter(|| {
                black_box(feedback_items(&spec.feedback(), &accounts, 0..rows)).map(|v| v.len())
            })
        });
        group.bench_with_input(BenchmarkId::new("experiment", rows), &rows, |b, &rows| {
            b.iter(|| black_box(experiment_units(&spec.experiment(), 0..rows)).map(|v| v.len()))
        });
        // Users, not events: about 18 events each; throughput counts users.
        let users = rows / 18;
        group.throughput(Throughput::Elements(users as u64));
        group.bench_with_input(
            BenchmarkId::new("events_users", users),
            &users,
            |b, &users| {
                b.iter(|| black_box(product_events(&spec.events(), 0..users)).map(|v| v.len()))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, generators);
criterion_main!(benches);
