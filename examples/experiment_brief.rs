//! The experiment brief with its pre-registration filled by the experiment planner.
//!
//! `prodops-process` ships the `experiment-brief` template (hypothesis, metrics, power
//! analysis, pre-registration, launch, read-out) and only *asks* for the planner's numbers, so
//! it depends on no statistics code. This example connects the two through their public APIs:
//! it plans a conversion test with `prodops::experiment::power` (sample size per arm at the
//! chosen α, power and minimum detectable effect, then the duration from daily traffic), and
//! schedules the brief from the start date with `prodops::process`.
//!
//! ```text
//! cargo run --example experiment_brief
//! cargo run --example experiment_brief -- --baseline 0.12 --relative-mde 0.05 --daily-users 40000 --start 2027-01-11
//! ```

use chrono::NaiveDate;
use clap::Parser;
use prodops::experiment::power::{Design, PlanConfig, duration, sample_size};
use prodops::experiment::{Alternative, Probability};
use prodops::process::render::markdown_plan;
use prodops::process::{Library, Plan};

/// Plan a conversion experiment and print its scheduled brief with the pre-registration.
#[derive(Parser)]
struct Args {
    /// Short name of the experiment.
    #[arg(long, default_value = "one-page checkout")]
    experiment: String,
    /// Control conversion rate.
    #[arg(long, default_value_t = 0.10)]
    baseline: f64,
    /// Minimum detectable effect, relative to the baseline.
    #[arg(long, default_value_t = 0.05)]
    relative_mde: f64,
    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Power at the minimum detectable effect.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Eligible users per day.
    #[arg(long, default_value_t = 25_000.0)]
    daily_users: f64,
    /// Share of eligible users enrolled, in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    share: f64,
    /// Planned start date (T of the template).
    #[arg(long, default_value = "2027-01-11")]
    start: NaiveDate,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let config = PlanConfig::builder()
        .alpha(args.alpha)
        .alternative(Alternative::TwoSided)
        .build()?;
    let effect = args.baseline * args.relative_mde;
    let n = sample_size(
        &Design::proportion(args.baseline)?,
        effect,
        Probability::new(args.power)?,
        &config,
    )?;
    let days = duration(n.total, args.daily_users, args.share)?;

    let library = Library::builtin()?;
    let template = library.resolve("experiment-brief")?;
    let plan = Plan::builder(&template)
        .anchor(args.start)
        .param("experiment", args.experiment.as_str())
        .build()?;

    println!("{}", markdown_plan(&plan));
    println!("## Pre-registration (from the planner)\n");
    println!("| field | value |\n| --- | --- |");
    let rows = [
        (
            "primary_metric",
            "conversion (two-proportion z test, unpooled)".to_owned(),
        ),
        ("baseline", format!("{:.4}", args.baseline)),
        (
            "mde",
            format!(
                "{:+.4} absolute ({:+.1}% relative)",
                effect,
                100.0 * args.relative_mde
            ),
        ),
        ("alpha", format!("{} (two-sided)", args.alpha)),
        ("power", format!("{}", args.power)),
        (
            "sample_size_per_arm",
            format!("{} control, {} treatment", n.control, n.treatment),
        ),
        (
            "duration_days",
            format!(
                "{} at {:.0} enrolled users a day",
                days.days, days.units_per_day
            ),
        ),
    ];
    for (field, value) in rows {
        println!("| {field} | {value} |");
    }
    Ok(())
}
