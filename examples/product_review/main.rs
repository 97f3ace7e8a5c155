//! The product review: the whole product-ops loop on one folder of data, as the README's main
//! job.
//!
//! ```text
//! cargo run --example product_review                       # the bundled data/, into report/
//! cargo run --example product_review -- --input my-data --out my-report
//! cargo run --example product_review -- --help
//! ```
//!
//! 1. **feedback** (`prodops::feedback`): ingest `feedback.csv` against `accounts.csv`, redact
//!    PII, score sentiment (VADER with the product overlay), tag themes from a taxonomy, and
//!    compute each theme's demand: unique accounts, ARR-weighted and importance-weighted.
//! 2. **kpi** (`prodops::kpi`): NPS with its interval and CSAT by segment and month, DAU, WAU
//!    and MAU, the onboarding funnel, weekly retention, the MRR bridge by segment and month,
//!    anomaly alerts (DAU after its weekly cycle; significant NPS moves by region) and a
//!    mix/rate explanation of the largest monthly NPS change by region.
//! 3. **process** (`prodops::process`): rank the candidate features by RICE with reach from
//!    the demand of their theme, and schedule the top one's launch from the built-in
//!    `launch-tier-N` template on a business calendar.
//! 4. **experiment** (`prodops::experiment`): plan the top feature's A/B test (sample size and
//!    duration from daily traffic), and read out the finished experiment with CUPED, the SRM
//!    check and an always-valid (sequential) interval, as a scorecard.
//! 5. **report**: a screenful in the terminal, and `report.md`, `report.json` and a
//!    self-contained `dashboard.html` in the output folder.
//!
//! # Input files (`--input DIR`, default `data/`)
//!
//! Each table is read from `NAME.parquet` if present, else `NAME.csv` (feedback and accounts
//! are CSV only). Times are `YYYY-MM-DD HH:MM:SS` (UTC) or ISO 8601; extra columns are ignored.
//!
//! | file | columns |
//! | --- | --- |
//! | `accounts.csv` | `account_id, name, segment, region, plan, arr` (ARR in USD) |
//! | `feedback.csv` | `feedback_id, channel, received_at, account_id, author_id, text` (an unknown `account_id` rejects the row) |
//! | `surveys` | `answered_at, score` (0–10), `segment, region` |
//! | `events` | `user_id, event, timestamp`; the funnel's event names (`--funnel`) and `session_started` for retention |
//! | `mrr` | `account_id, month` (a date or `YYYY-MM`), `mrr` (USD, one row per paying month), `segment` |
//! | `experiment` | one row per unit: `variant` (`control`, `treatment`), `assigned_at, pre_metric, metric, converted` (bool), `sessions, clicks` |
//! | `experiment_srm` | optional, as `experiment`: only its sample-ratio check is reported |
//! | `taxonomy.json` | optional: themes `[{"id", "parent", "name", "phrases"}]`; default `examples/product_review/taxonomy.json` |
//! | `candidates.csv` | optional: `feature, theme, impact, confidence, effort, description`; reach comes from the theme's demand |
//! | `calendar.toml` | optional: `weekend = ["Sat", "Sun"]`, `holidays = ["2026-12-25"]` |
//!
//! Rejected rows do not stop the review: each table's ingestion report is in `report.json`.
//!
//! # Time
//!
//! On the bundled data (2,000 feedback items, 5,000 survey answers, 15,500 events, 4,600 MRR
//! rows, 10,000 experiment units), after the build, on the 2-core development machine while
//! other builds ran (load average 4–5), measured 2026-11-23 as the wall time of the whole
//! `cargo run` command (five runs, cargo lock waits excluded):
//!
//! | build | `cargo run` wall time | of which the review itself |
//! | --- | --- | --- |
//! | `--release` | 0.8–1.2 s | 0.3–0.5 s |
//! | debug (the default) | 2.5–5 s | 1.1–2 s |
//!
//! The debug run stays this short because `whatlang` (language detection) is compiled with
//! `opt-level = 3` in the dev profile; unoptimized it alone took 5 s.

mod review;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use prodops::feedback::demand::ReachBasis;

use review::{Config, CsatScale, STEPS};

/// Run the product-ops loop (feedback, KPIs, prioritization, launch plan, experiment) on a
/// folder of CSV/Parquet files and write a report.
///
/// Input files (in --input; tables as NAME.parquet or NAME.csv):
///   accounts.csv   account_id, name, segment, region, plan, arr
///   feedback.csv   feedback_id, channel, received_at, account_id, author_id, text
///   surveys        answered_at, score (0-10), segment, region
///   events         user_id, event, timestamp
///   mrr            account_id, month, mrr, segment
///   experiment     variant (control/treatment), assigned_at, pre_metric, metric,
///                  converted (bool), sessions, clicks
/// Optional: experiment_srm, taxonomy.json, candidates.csv, calendar.toml.
#[derive(Parser)]
#[command(verbatim_doc_comment)]
struct Args {
    /// Folder of the input files.
    #[arg(long, default_value = "data")]
    input: PathBuf,
    /// Folder the report is written to (created if missing).
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// What RICE reach counts, from the demand of each candidate's theme.
    #[arg(long, value_enum, default_value_t = Reach::Accounts)]
    reach: Reach,
    /// Significance level of every interval and test.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Power of the planned experiment.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Minimum detectable effect of the planned experiment, relative to the baseline.
    #[arg(long, default_value_t = 0.10)]
    relative_mde: f64,
    /// Eligible units per day for the planned experiment [default: the finished experiment's
    /// enrolment rate].
    #[arg(long)]
    daily_units: Option<f64>,
    /// Launch tier of the top feature (the built-in launch-tier-N template).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
    tier: u8,
    /// Launch date [default: 10 business days after the planned experiment ends].
    #[arg(long)]
    launch: Option<NaiveDate>,
    /// Funnel steps (event names, comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "signed_up,project_created,teammate_invited,subscription_started"
    )]
    funnel: Vec<String>,
    /// Conversion window of the funnel, in days.
    #[arg(long, default_value_t = 14)]
    funnel_days: u32,
    /// Weeks of retention after the cohort week.
    #[arg(long, default_value_t = 8)]
    retention_weeks: usize,
    /// Scale of the survey score for CSAT: 0-10 (satisfied = 8-10) or 1-5 (satisfied = 4-5).
    #[arg(long, value_enum, default_value_t = Csat::ZeroToTen)]
    csat: Csat,
}

/// The `--reach` values.
#[derive(Clone, Copy, ValueEnum)]
enum Reach {
    /// Unique accounts.
    Accounts,
    /// ARR-weighted demand.
    Arr,
    /// Importance-weighted demand.
    Importance,
    /// Recency-decayed accounts.
    Decayed,
}

/// The `--csat` values.
#[derive(Clone, Copy, ValueEnum)]
enum Csat {
    /// 0–10, satisfied = 8–10.
    ZeroToTen,
    /// 1–5, satisfied = 4–5.
    OneToFive,
}

fn main() -> Result<(), review::Error> {
    let args = Args::parse();
    let mut cfg = Config::new(&args.input);
    cfg.reach = match args.reach {
        Reach::Accounts => ReachBasis::Accounts,
        Reach::Arr => ReachBasis::Arr,
        Reach::Importance => ReachBasis::Importance,
        Reach::Decayed => ReachBasis::Decayed,
    };
    cfg.alpha = args.alpha;
    cfg.power = args.power;
    cfg.relative_mde = args.relative_mde;
    cfg.daily_units = args.daily_units;
    cfg.tier = args.tier;
    cfg.launch = args.launch;
    cfg.funnel = args.funnel;
    cfg.funnel_days = args.funnel_days;
    cfg.retention_weeks = args.retention_weeks;
    cfg.csat = match args.csat {
        Csat::ZeroToTen => CsatScale::TopThreeOfEleven,
        Csat::OneToFive => CsatScale::FivePoint,
    };

    let started = Instant::now();
    let bar = ProgressBar::new(STEPS.len() as u64);
    bar.set_style(ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:20} {pos}/{len} {msg}",
    )?);
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut step = |i: usize| {
        bar.set_position(i as u64);
        bar.set_message(STEPS[i]);
    };
    let review = review::run(&cfg, &mut step)?;
    step(STEPS.len() - 1);
    let written = review::write_report(&review, &args.out)?;
    bar.finish_and_clear();

    print!("{}", review::summary(&review));
    println!(
        "report    {} ({:.1} s)",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
