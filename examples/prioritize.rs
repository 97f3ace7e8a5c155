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
use serde::de::DeserializeOwned;

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
    #[arg(long, default_value = "data/backlog.csv")]
    input: String,
    /// Prioritization framework.
    #[arg(long, value_enum, default_value = "rice")]
    framework: Framework,
    /// Relative move of each input for the sensitivity check, in (0, 1).
    #[arg(long, default_value_t = 0.2)]
    sensitivity: f64,
}

/// One row of the input: an id, a title and the framework's inputs (other columns ignored).
#[derive(Deserialize)]
struct Candidate<I> {
    id: String,
    title: String,
    #[serde(flatten)]
    input: I,
}

#[derive(Deserialize)]
struct TomlFile<I> {
    candidate: Vec<Candidate<I>>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let (path, f) = (args.input.as_str(), args.sensitivity);
    match args.framework {
        Framework::Rice => report(&Rice::default(), &load::<RiceInput>(path)?, f),
        Framework::Wsjf => report(&Wsjf::default(), &load::<WsjfInput>(path)?, f),
    }
}

/// Reads the candidates with the inputs of one framework; a missing column is an error.
fn load<I: DeserializeOwned>(path: &str) -> Result<Vec<Candidate<I>>, Box<dyn std::error::Error>> {
    Ok(if path.ends_with(".toml") {
        let text = std::fs::read_to_string(path)?;
        toml::from_str::<TomlFile<I>>(&text)
            .map_err(|e| format!("{path}: {e}"))?
            .candidate
    } else {
        let mut reader = csv::Reader::from_path(path)?;
        reader
            .deserialize()
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{path}: {e}"))?
    })
}

/// Prints the ranking and its sensitivity.
fn report<P: Prioritizer>(
    p: &P,
    rows: &[Candidate<P::Input>],
    fraction: f64,
) -> Result<(), Box<dyn std::error::Error>>
where
    P::Input: Clone,
{
    let items: Vec<_> = rows
        .iter()
        .map(|c| Item::new(&c.id, c.input.clone()))
        .collect();
    let s = sensitivity(p, &items, fraction)?;
    let percent = 100.0 * fraction;
    println!(
        "{} ranking; positions when any one input moves by ±{percent:.0}%:\n",
        s.ranking.method
    );
    println!(
        "{:>4}  {:<22} {:<32} {:>8}  range",
        "rank", "id", "title", "score"
    );
    for (e, i) in s.ranking.entries.iter().zip(&s.items) {
        let title = rows
            .iter()
            .find(|c| c.id == e.id)
            .map_or("", |c| c.title.as_str());
        let range = match i.is_stable() {
            true => "stable".to_owned(),
            false => format!("{}–{}", i.best_position, i.worst_position),
        };
        println!(
            "{:>4}  {:<22} {title:<32} {:>8.2}  {range}",
            e.rank, e.id, e.score
        );
    }
    if s.top_changes.is_empty() {
        println!("\nThe top item holds under every single move.");
    } else {
        println!("\nThe top item changes when:");
    }
    for c in &s.top_changes {
        println!("  {} {} → {} on top", c.item, c.change, c.new_top);
    }
    Ok(())
}
