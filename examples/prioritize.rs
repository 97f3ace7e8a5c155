//! Ranks candidate features with RICE (or WSJF) and checks how stable the ranking is.
//!
//! ```text
//! cargo run --example prioritize
//! cargo run --example prioritize -- --framework wsjf --sensitivity 0.1
//! cargo run --example prioritize -- --input candidates.toml      # [[candidate]] tables
//! ```
//!
//! Input: a CSV with one row per candidate, or a TOML file of `[[candidate]]` tables, with the
//! fields `id`, `title` and the framework's inputs: RICE `reach` (per quarter), `impact`
//! (3, 2, 1, 0.5, 0.25), `confidence` (0–1), `effort` (person-months); WSJF
//! `business_value`, `time_criticality`, `risk_reduction`, `job_size`. Prints the ranking with
//! each score, the best and worst position each item reaches when any single input of any
//! item moves by ±the sensitivity fraction, and the moves that change the top item
//! (`prodops::process::prioritize::{rank, sensitivity}`).

use clap::{Parser, ValueEnum};
use prodops::process::prioritize::{
    Item, Prioritizer, Rice, RiceInput, Wsjf, WsjfInput, sensitivity,
};
use serde::Deserialize;

/// The framework to rank with.
#[derive(Clone, Copy, ValueEnum)]
enum Framework {
    /// reach × impact × confidence ÷ effort (Intercom).
    Rice,
    /// cost of delay ÷ job size (SAFe).
    Wsjf,
}

/// Rank candidate features.
#[derive(Parser)]
struct Args {
    /// Candidates, `.csv` or `.toml`.
    #[arg(long, default_value = "data/candidates.csv")]
    input: String,
    /// Prioritization framework.
    #[arg(long, value_enum, default_value = "rice")]
    framework: Framework,
    /// Relative move of each input for the sensitivity check, in (0, 1).
    #[arg(long, default_value_t = 0.2)]
    sensitivity: f64,
}

/// One candidate: every framework's inputs, each optional until a framework needs it.
#[derive(Deserialize)]
struct Candidate {
    id: String,
    title: String,
    reach: Option<f64>,
    impact: Option<f64>,
    confidence: Option<f64>,
    effort: Option<f64>,
    business_value: Option<f64>,
    time_criticality: Option<f64>,
    risk_reduction: Option<f64>,
    job_size: Option<f64>,
}

#[derive(Deserialize)]
struct TomlFile {
    candidate: Vec<Candidate>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let candidates: Vec<Candidate> = if args.input.ends_with(".toml") {
        toml::from_str::<TomlFile>(&std::fs::read_to_string(&args.input)?)?.candidate
    } else {
        csv::Reader::from_path(&args.input)?
            .deserialize()
            .collect::<Result<_, _>>()?
    };
    let need = |c: &Candidate, field: &str, v: Option<f64>| {
        v.ok_or_else(|| format!("{}: candidate {:?} has no {field}", args.input, c.id))
    };
    let titles = |id: &str| {
        candidates
            .iter()
            .find(|c| c.id == id)
            .map_or("", |c| c.title.as_str())
    };
    match args.framework {
        Framework::Rice => {
            let items = candidates.iter().map(|c| {
                let input = RiceInput::new(
                    need(c, "reach", c.reach)?,
                    need(c, "impact", c.impact)?,
                    need(c, "confidence", c.confidence)?,
                    need(c, "effort", c.effort)?,
                );
                Ok(Item::new(&c.id, input))
            });
            report(
                &Rice::default(),
                &items.collect::<Result<Vec<_>, String>>()?,
                args.sensitivity,
                titles,
            )
        }
        Framework::Wsjf => {
            let items = candidates.iter().map(|c| {
                let input = WsjfInput {
                    business_value: need(c, "business_value", c.business_value)?,
                    time_criticality: need(c, "time_criticality", c.time_criticality)?,
                    risk_reduction: need(c, "risk_reduction", c.risk_reduction)?,
                    job_size: need(c, "job_size", c.job_size)?,
                };
                Ok(Item::new(&c.id, input))
            });
            report(
                &Wsjf::default(),
                &items.collect::<Result<Vec<_>, String>>()?,
                args.sensitivity,
                titles,
            )
        }
    }
}

/// Prints the ranking and its sensitivity.
fn report<'a, P: Prioritizer>(
    p: &P,
    items: &[Item<P::Input>],
    fraction: f64,
    title: impl Fn(&str) -> &'a str,
) -> Result<(), Box<dyn std::error::Error>> {
    let s = sensitivity(p, items, fraction)?;
    println!(
        "{} ranking; positions when any one input moves by ±{:.0}%:\n",
        s.ranking.method,
        100.0 * fraction
    );
    println!(
        "{:>4}  {:<22} {:<32} {:>8}  {}",
        "rank", "id", "title", "score", "range"
    );
    for (e, i) in s.ranking.entries.iter().zip(&s.items) {
        let range = if i.is_stable() {
            "stable".to_owned()
        } else {
            format!("{}–{}", i.best_position, i.worst_position)
        };
        println!(
            "{:>4}  {:<22} {:<32} {:>8.2}  {range}",
            e.rank,
            e.id,
            title(&e.id),
            e.score
        );
    }
    match s.top_changes.is_empty() {
        true => println!("\nThe top item holds under every single move."),
        false => println!("\nThe top item changes when:"),
    }
    for c in &s.top_changes {
        println!("  {} {} → {} on top", c.item, c.change, c.new_top);
    }
    Ok(())
}
