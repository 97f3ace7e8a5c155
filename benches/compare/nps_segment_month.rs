//! Rust side of the `nps_segment_month` comparison: NPS with its adjusted-Wald 95% interval
//! (Rocks 2016, the crate's default) per customer segment and calendar month, from a survey
//! Parquet file, with `prodops_kpi::survey::SurveyQuery`.
//!
//! Run through `benches/compare/run.sh nps_segment_month 50000000`, which runs the DuckDB and
//! polars-python peers on the same file in the same run and prints the ratios. By hand:
//! `cargo bench --bench compare_nps_segment_month -- FILE.parquet [REPEATS]`.
//!
//! The timed job is the whole query: scan the three columns, count answers per (segment,
//! day, score) in one polars group-by, fold days into months, and summarise each cell (P/A/D
//! counts, NPS, interval). Output is one JSON object keyed "segment|YYYY-MM", values as the
//! peers format them, which the harness checks against the peers'.

use std::time::Instant;

use polars::prelude::*;
use prodops::core::Grain;
use prodops_kpi::survey::{RatedScale, ScaleSummary, SurveyQuery, SurveyTable};

fn run(path: &str) -> Result<SurveyTable, Box<dyn std::error::Error>> {
    let query = SurveyQuery::builder("score", RatedScale::nps())
        .segments(["segment"])
        .time("answered_at", Grain::Month)
        .build()?;
    let lf = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?;
    let table = query.run_lazy(lf)?;
    if !table.report.is_clean() {
        return Err(format!("{} rows rejected", table.report.rejected().len()).into());
    }
    Ok(table)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: compare_nps_segment_month FILE.parquet [REPEATS]");
        return Ok(());
    };
    let repeats: usize = args.get(1).map_or(Ok(5), |r| r.parse())?;
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let table = run(path)?;
        best = best.min(started.elapsed().as_secs_f64());
        result = Some(table);
    }
    let table = result.ok_or("no run")?;
    let mut rows = Vec::new();
    for group in &table.groups {
        let ScaleSummary::Net(nps) = &group.summary else {
            return Err("NPS scale without a net summary".into());
        };
        let segment = group.segment.get("segment").ok_or("no segment value")?;
        let month = group.period.ok_or("no period")?.label();
        rows.push(format!(
            "\"{segment}|{month}\": [{}, {}, {}, {}, \"{:.6}\", \"{:.6}\", \"{:.6}\"]",
            nps.n,
            nps.promoters,
            nps.passives,
            nps.detractors,
            nps.score,
            nps.ci.lower,
            nps.ci.upper
        ));
    }
    rows.sort();
    println!(
        "{{\"impl\": \"prodops (Rust)\", \"seconds\": {best:.6}, \"nps\": {{{}}}}}",
        rows.join(", ")
    );
    Ok(())
}
