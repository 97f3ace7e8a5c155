//! NPS with its confidence interval by segment and month, from a survey CSV.
//!
//! ```text
//! cargo run --example nps_report
//! cargo run --example nps_report -- --input my-surveys.csv --segment plan --grain quarter --out nps.csv
//! ```
//!
//! Prints one line per (segment × period): the answers `n`, the NPS and its 95% adjusted-Wald
//! interval, then the rows that were rejected (a score off the 0–10 scale, a bad timestamp).
//! `--out FILE.csv` also writes the full table (promoters, passives, detractors, standard
//! error, ...) as CSV. The counting is `prodops::kpi::survey::SurveyQuery`, one polars pass.

use std::path::PathBuf;

use clap::Parser;
use polars::prelude::*;
use prodops::core::Grain;
use prodops::kpi::survey::{RatedScale, ScaleSummary, SurveyQuery};

/// NPS by segment and period from a survey CSV.
#[derive(Parser)]
struct Args {
    /// Survey answers, one row per response.
    #[arg(long, default_value = "data/surveys.csv")]
    input: String,
    /// Column with the 0–10 score.
    #[arg(long, default_value = "score")]
    score: String,
    /// Segment columns (comma-separated; empty for the whole population).
    #[arg(long, value_delimiter = ',', default_value = "segment")]
    segment: Vec<String>,
    /// Column with the answer's timestamp.
    #[arg(long, default_value = "answered_at")]
    time: String,
    /// Period grain: day, week, month, quarter or year.
    #[arg(long, default_value = "month")]
    grain: Grain,
    /// Also write the full table to this CSV file.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let segments: Vec<&String> = args.segment.iter().filter(|s| !s.is_empty()).collect();
    let surveys = LazyCsvReader::new(PlRefPath::new(args.input.as_str())).finish()?;
    let mut table = SurveyQuery::builder(&args.score, RatedScale::nps())
        .segments(segments.iter().map(|s| s.as_str()))
        .time(&args.time, args.grain)
        .build()?
        .run_lazy(surveys)?;

    println!(
        "{:<12} {:<10} {:>6} {:>7} {:>18}",
        "segment", "period", "n", "NPS", "95% CI"
    );
    for group in &table.groups {
        let ScaleSummary::Net(nps) = &group.summary else {
            return Err("NPS is a net scale, so every group has an NPS summary".into());
        };
        let mut values: Vec<&str> = group.segment.pairs().map(|(_, v)| v).collect();
        if values.is_empty() {
            values.push("all");
        }
        let period = group.period.map_or_else(|| "all".to_owned(), |p| p.label());
        let ci = format!("[{:+.1}, {:+.1}]", nps.ci.lower, nps.ci.upper);
        println!(
            "{:<12} {:<10} {:>6} {:>+7.1} {:>18}",
            values.join(", "),
            period,
            nps.n,
            nps.score,
            ci
        );
    }
    println!("\n{}", table.report);
    if let Some(out) = &args.out {
        CsvWriter::new(std::fs::File::create(out)?).finish(&mut table.frame)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}
