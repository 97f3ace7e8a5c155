//! Validation and scheduling of large generated templates, and ranking 100,000 items with each
//! framework. Results go to docs/performance.md.
#![allow(missing_docs)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prodops_process::prioritize::{
    Ice, IceInput, Item, Kano, KanoAnswer, Moscow, MoscowInput, MoscowPriority, Opportunity,
    OpportunityInput, Rice, RiceInput, Weighted, WeightedInput, Wsjf, WsjfInput, rank,
};
use prodops_process::{Format, Plan, Template, validate};

/// A template of `n` tasks in 10 stages, each task depending on 5 of the 50 tasks before it
/// (5n − 15 dependencies), every tenth of the first 7,000 with an offset, deterministic.
fn template(n: usize) -> Template {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut text = String::from(
        "{\"id\":\"big\",\"version\":\"1\",\"name\":\"Big\",\"roles\":[{\"id\":\"r\",\"name\":\"R\"}],\"stages\":[",
    );
    let per_stage = n.div_ceil(10);
    for stage in 0..10 {
        if stage > 0 {
            text.push(',');
        }
        text.push_str(&format!("{{\"id\":\"s{stage}\",\"name\":\"S\",\"tasks\":["));
        for k in stage * per_stage..((stage + 1) * per_stage).min(n) {
            if k > stage * per_stage {
                text.push(',');
            }
            let mut deps: Vec<usize> = Vec::with_capacity(5);
            while deps.len() < 5.min(k) {
                let d = k - 1 - (next() as usize % 50.min(k));
                if !deps.contains(&d) {
                    deps.push(d);
                }
            }
            deps.sort_unstable();
            let deps: Vec<String> = deps.iter().map(|d| format!("\"t{d}\"")).collect();
            // Offsets five working days apart per ten tasks never contradict a 1–5 day dependency.
            let due = if k % 10 == 0 && k < 7_000 {
                format!(",\"due\":\"T+{}bd\"", k / 2)
            } else {
                String::new()
            };
            text.push_str(&format!(
                "{{\"id\":\"t{k}\",\"name\":\"Task {k}\",\"duration\":{},\"depends_on\":[{}]{due},\"raci\":{{\"responsible\":[\"r\"],\"accountable\":\"r\"}}}}",
                1 + next() % 5,
                deps.join(",")
            ));
        }
        text.push_str("]}");
    }
    text.push_str("]}");
    Template::from_str_as(&text, Format::Json, "big.json").unwrap_or_else(|e| panic!("{e}"))
}

fn bench_schedule(c: &mut Criterion) {
    let anchor = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap_or_default();
    let mut group = c.benchmark_group("validate_and_schedule");
    group.sample_size(10);
    for n in [2_500usize, 5_000, 10_000] {
        let t = template(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate", n), &t, |b, t| {
            b.iter(|| validate(black_box(t)).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("validate+schedule", n), &t, |b, t| {
            b.iter(|| {
                Plan::builder(black_box(t))
                    .anchor(anchor)
                    .build()
                    .map(|p| p.duration)
            })
        });
    }
    group.finish();
}

fn items<I>(n: usize, f: impl Fn(usize) -> I) -> Vec<Item<I>> {
    (0..n)
        .map(|i| Item::new(format!("item-{i:06}"), f(i)))
        .collect()
}

fn bench_rank(c: &mut Criterion) {
    const N: usize = 100_000;
    let mut group = c.benchmark_group("rank_100k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    let v = |i: usize, m: usize| ((i * 7919) % m) as f64;
    let rice = items(N, |i| {
        RiceInput::new(
            v(i, 5000),
            [3.0, 2.0, 1.0, 0.5, 0.25][i % 5],
            [1.0, 0.8, 0.5][i % 3],
            0.5 + v(i, 12),
        )
    });
    group.bench_function("rice", |b| {
        b.iter(|| rank(&Rice::default(), black_box(&rice)).map(|r| r.entries.len()))
    });
    let ice = items(N, |i| IceInput {
        impact: 1.0 + v(i, 10),
        confidence: 1.0 + v(i + 3, 10),
        ease: 1.0 + v(i + 7, 10),
    });
    group.bench_function("ice", |b| {
        b.iter(|| rank(&Ice::default(), black_box(&ice)).map(|r| r.entries.len()))
    });
    let fib = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0];
    let wsjf = items(N, |i| WsjfInput {
        business_value: fib[i % 7],
        time_criticality: fib[(i / 7) % 7],
        risk_reduction: fib[(i / 49) % 7],
        job_size: fib[(i / 343) % 7],
    });
    group.bench_function("wsjf", |b| {
        b.iter(|| rank(&Wsjf::fibonacci(), black_box(&wsjf)).map(|r| r.entries.len()))
    });
    let answers = [
        KanoAnswer::Like,
        KanoAnswer::Expect,
        KanoAnswer::Neutral,
        KanoAnswer::LiveWith,
        KanoAnswer::Dislike,
    ];
    let kano = items(N, |i| {
        (0..10)
            .map(|r| (answers[(i + r) % 5], answers[(i * 3 + r) % 5]))
            .collect::<Vec<_>>()
    });
    group.bench_function("kano_10_respondents", |b| {
        b.iter(|| rank(&Kano, black_box(&kano)).map(|r| r.entries.len()))
    });
    let prios = [
        MoscowPriority::Must,
        MoscowPriority::Should,
        MoscowPriority::Could,
        MoscowPriority::Wont,
    ];
    let moscow = items(N, |i| MoscowInput {
        priority: prios[i % 4],
        effort: v(i, 20),
    });
    group.bench_function("moscow", |b| {
        b.iter(|| rank(&Moscow, black_box(&moscow)).map(|r| r.entries.len()))
    });
    let weighted_fw = Weighted::new(
        [
            ("revenue", 3.0),
            ("strategy", 2.0),
            ("risk", 1.0),
            ("effort", 1.0),
        ],
        true,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let weighted = items(N, |i| -> WeightedInput {
        [
            ("revenue", v(i, 10)),
            ("strategy", v(i + 1, 10)),
            ("risk", v(i + 2, 10)),
            ("effort", v(i + 3, 10)),
        ]
        .into_iter()
        .map(|(k, x)| (k.to_owned(), x))
        .collect()
    });
    group.bench_function("weighted_4_criteria", |b| {
        b.iter(|| rank(&weighted_fw, black_box(&weighted)).map(|r| r.entries.len()))
    });
    let opp = items(N, |i| OpportunityInput {
        importance: v(i, 11),
        satisfaction: v(i + 5, 11),
    });
    group.bench_function("opportunity", |b| {
        b.iter(|| rank(&Opportunity, black_box(&opp)).map(|r| r.entries.len()))
    });
    group.finish();
}

criterion_group!(benches, bench_schedule, bench_rank);
criterion_main!(benches);
