//! Regenerates the bundled sample data under `data/`, or a larger set for benchmarks, and
//! prints what was written next to the truth the generators planted.
//!
//! ```text
//! cargo run --example generate_sample_data                      # data/, the committed set
//! cargo run --release --example generate_sample_data -- \
//!     --rows 10000000 --only surveys --out bench-data/10m       # a benchmark input
//! ```

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use prodops_sample::{Dataset, Format, SampleSpec, write_sample_set};

/// Generate prodops sample data.
#[derive(Parser)]
struct Args {
    /// Output folder.
    #[arg(long, default_value = "data")]
    out: PathBuf,
    /// Rows per large table; omit for the small committed set.
    #[arg(long)]
    rows: Option<usize>,
    /// Seed of every random stream.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Tables to write (comma-separated: accounts, mrr, surveys, feedback, events, experiment,
    /// experiment_srm); all when omitted.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Formats to write (comma-separated: csv, parquet).
    #[arg(long, value_delimiter = ',', default_value = "csv,parquet")]
    format: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let spec = args
        .rows
        .map_or_else(SampleSpec::small, SampleSpec::with_rows)
        .seeded(args.seed);
    let datasets = if args.only.is_empty() {
        Dataset::ALL.to_vec()
    } else {
        args.only
            .iter()
            .map(|name| Dataset::from_name(name).ok_or(format!("unknown table {name:?}")))
            .collect::<Result<_, _>>()?
    };
    let formats = args
        .format
        .iter()
        .map(|f| match f.as_str() {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!("unknown format {other:?}: expected csv or parquet")),
        })
        .collect::<Result<Vec<_>, _>>()?;

    let started = Instant::now();
    let summary = write_sample_set(&spec, &args.out, &formats, &datasets)?;
    print!("{summary}");
    println!("wrote {} in {:.2?}", args.out.display(), started.elapsed());
    Ok(())
}
