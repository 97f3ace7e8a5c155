//! An experiment planning calculator: units per arm and days to run.
//!
//! ```text
//! cargo run --example sample_size
//! cargo run --example sample_size -- --baseline 0.12 --mde 0.01 --absolute --variants 3 --sequential
//! cargo run --example sample_size -- --metric mean --baseline 50 --sd 12 --mde 0.02 --allocation 2
//! ```
//!
//! Prints the plan's inputs, the units per arm (control and each treatment), the total, and the
//! days needed at the daily traffic; with `--sequential`, also the larger plan for an
//! always-valid (peek-any-time) read-out. With several treatment arms α is split by
//! Bonferroni over the comparisons with the control. The planner is
//! `prodops::experiment::power` (normal approximation, two-sided by default).

use clap::{Parser, ValueEnum};
use prodops::experiment::power::{
    Design, PlanConfig, duration, sample_size, sequential_sample_size,
};
use prodops::experiment::{Alternative, Probability};

/// The kind of metric being planned.
#[derive(Clone, Copy, ValueEnum)]
enum Metric {
    /// A conversion rate; the baseline is the control's rate.
    Proportion,
    /// A mean; the baseline is the control's mean and `--sd` its standard deviation.
    Mean,
}

/// Plan an A/B test.
#[derive(Parser)]
struct Args {
    /// Metric kind.
    #[arg(long, value_enum, default_value = "proportion")]
    metric: Metric,
    /// Control's conversion rate or mean.
    #[arg(long, default_value_t = 0.10)]
    baseline: f64,
    /// Standard deviation per unit (means only).
    #[arg(long, default_value_t = 1.0)]
    sd: f64,
    /// Minimum detectable effect, relative to the baseline unless `--absolute`.
    #[arg(long, default_value_t = 0.05)]
    mde: f64,
    /// Read `--mde` as an absolute difference (rate points or metric units).
    #[arg(long)]
    absolute: bool,
    /// Significance level (family-wise over the treatment arms).
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Power at the minimum detectable effect.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// One-sided test (treatment better) instead of two-sided.
    #[arg(long)]
    one_sided: bool,
    /// Control units per unit of each treatment arm.
    #[arg(long, default_value_t = 1.0)]
    allocation: f64,
    /// Number of treatment arms, each compared with the control (Bonferroni).
    #[arg(long, default_value_t = 1)]
    variants: usize,
    /// Also plan an always-valid sequential read-out.
    #[arg(long)]
    sequential: bool,
    /// Eligible units per day.
    #[arg(long, default_value_t = 20_000.0)]
    daily_traffic: f64,
    /// Share of eligible traffic enrolled, in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    share: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let effect = args.mde * if args.absolute { 1.0 } else { args.baseline };
    let design = match args.metric {
        Metric::Proportion => Design::proportion(args.baseline)?,
        Metric::Mean => Design::mean(args.sd)?,
    };
    let alternative = match args.one_sided {
        true => Alternative::Greater,
        false => Alternative::TwoSided,
    };
    let config = PlanConfig::builder()
        .alpha(args.alpha)
        .alternative(alternative)
        .variants(args.variants)
        .allocation_ratio(args.allocation)
        .build()?;
    let power = Probability::new(args.power)?;

    let (base, target, relative) = (
        args.baseline,
        args.baseline + effect,
        effect / args.baseline,
    );
    println!(
        "baseline {base:.4} → {target:.4} (MDE {effect:+.4} absolute, {:+.2}% relative)",
        100.0 * relative
    );
    let (alpha, k, each) = (args.alpha, args.variants, config.alpha_per_comparison());
    println!(
        "α = {alpha} over {k} comparison(s): {each:.4} each; power {}; {alternative:?} test; {} control unit(s) per treatment unit",
        args.power, args.allocation
    );
    let mut plans = vec![(
        "fixed horizon",
        sample_size(&design, effect, power, &config)?,
    )];
    if args.sequential {
        plans.push((
            "sequential",
            sequential_sample_size(&design, effect, power, &config)?,
        ));
    }
    for (name, n) in plans {
        let days = duration(n.total, args.daily_traffic, args.share)?;
        println!(
            "{name:>13}: {} control + {} × {} treatment = {} units, {} days at {:.0} enrolled a day",
            n.control, n.variants, n.treatment, n.total, days.days, days.units_per_day
        );
    }
    Ok(())
}
