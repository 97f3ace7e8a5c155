//! Rust side of the `funnel_retention` comparison: from an event Parquet file, the 4-step
//! onboarding funnel (ordered, 14-day window from the step-1 event, PostHog re-entry) and
//! weekly recurring retention of `session_started`, with `prodops_kpi::events`.
//!
//! Run through `benches/compare/run.sh funnel_retention 121000000` (about 100M events), which
//! runs the DuckDB and polars-python peers on the same file in the same run and prints the
//! ratios. By hand: `cargo bench --bench compare_funnel_retention -- FILE.parquet [REPEATS]`.
//!
//! The timed job is the whole pipeline: scan the Parquet file keeping the five events the two
//! analyses use (the peers filter the same way), load them into an `EventTable` (grouped by
//! person, sorted by time), run the funnel and the retention kernels. Output is one JSON
//! object: the best wall time, the funnel counts and the retention cells keyed by the Monday
//! of the cohort week, which the harness checks against the peers'.

use std::time::Instant;

use polars::prelude::*;
use prodops::core::{Grain, Period};
use prodops_kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel, WindowUnit};
use prodops_kpi::events::retention::{Retention, RetentionPeriod};
use prodops_kpi::events::{EventSchema, EventTable};

const STEPS: [&str; 4] = [
    "signed_up",
    "project_created",
    "teammate_invited",
    "subscription_started",
];
const ACTIVE: &str = "session_started";
const WEEKS: usize = 8;

struct Timings {
    load: f64,
    funnel: f64,
    retention: f64,
}

/// Persons reaching each funnel step, and the non-empty retention cells by key.
struct Output {
    funnel: Vec<u64>,
    retention: Vec<(String, u64)>,
    timings: Timings,
}

fn run(path: &str) -> Result<Output, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut names: Vec<&str> = STEPS.to_vec();
    names.push(ACTIVE);
    let wanted = Series::new("wanted".into(), names);
    let lf = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?
        .filter(col("event").is_in(lit(wanted).implode(false), false));
    let loaded = EventTable::from_lazy(lf, &EventSchema::new("user_id", "timestamp", "event"))?;
    if !loaded.report.is_clean() {
        return Err(format!("{} rows rejected", loaded.report.rejected().len()).into());
    }
    let table = loaded.table;
    let load = started.elapsed().as_secs_f64();

    let funnel = Funnel::builder()
        .steps(STEPS.iter().map(|s| EventMatcher::event(*s)))
        .window(ConversionWindow::new(14, WindowUnit::Day)?)
        .build()?
        .run(&table)?;
    let counts: Vec<u64> = funnel.series[0].steps.iter().map(|s| s.persons).collect();
    let funnel_done = started.elapsed().as_secs_f64();

    // The whole file is the range, as the peers' queries have no date bounds.
    let (first, last) = table.time_range().ok_or("no events")?;
    let retention = Retention::builder(EventMatcher::event(ACTIVE), EventMatcher::event(ACTIVE))
        .period(RetentionPeriod::Week)
        .intervals(WEEKS)
        .range(first, last + 1)
        .build()?
        .run(&table)?;
    let mut cells = Vec::new();
    for cohort in &retention.cohorts {
        let monday = Period::from_index(Grain::Week, cohort.index)?.first_day();
        for (k, retained) in cohort.retained.iter().enumerate() {
            // The peers' joins yield only non-empty cells.
            if let Some(n) = retained.filter(|&n| n > 0) {
                cells.push((format!("{monday}|{k}"), n));
            }
        }
    }
    cells.sort();
    let done = started.elapsed().as_secs_f64();
    let timings = Timings {
        load,
        funnel: funnel_done - load,
        retention: done - funnel_done,
    };
    Ok(Output {
        funnel: counts,
        retention: cells,
        timings,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: compare_funnel_retention FILE.parquet [REPEATS]");
        return Ok(());
    };
    let repeats: usize = args.get(1).map_or(Ok(5), |r| r.parse())?;
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let out = run(path)?;
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "prodops: load {:.3} s, funnel {:.3} s, retention {:.3} s",
            out.timings.load, out.timings.funnel, out.timings.retention
        );
        best = best.min(seconds);
        result = Some(out);
    }
    let Output {
        funnel: counts,
        retention: cells,
        ..
    } = result.ok_or("no run")?;
    let funnel: Vec<String> = counts.iter().map(u64::to_string).collect();
    let retention: Vec<String> = cells.iter().map(|(k, n)| format!("\"{k}\": {n}")).collect();
    println!(
        "{{\"impl\": \"prodops (Rust)\", \"seconds\": {best:.6}, \"funnel\": [{}], \"retention\": {{{}}}}}",
        funnel.join(", "),
        retention.join(", ")
    );
    Ok(())
}
