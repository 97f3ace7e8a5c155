//! An A/B experiment read-out: one CSV or Parquet row per randomized unit in, a Markdown
//! scorecard with its verdict out.
//!
//! ```text
//! cargo run --example ab_readout
//! cargo run --example ab_readout -- --input data/experiment_srm.csv    # the SRM makes it Invalid
//! cargo run --example ab_readout -- --input units.csv --variant arm --control A --covariate ""
//! ```
//!
//! The per-variant sums come from one polars pass (`frame::readout_stats_by_variant`); the
//! scorecard checks the sample ratio against the planned split (χ²), compares every other
//! variant with the control on conversion (success), on the metric (success; CUPED-adjusted
//! with the covariate column when it exists) and on the ratio metric (guardrail), applies
//! Holm's correction over the success metrics and prints the Markdown scorecard. A metric
//! whose column is absent (or named "") is left out. The format is chosen by the extension.
//! The CUPED row's control and treatment columns are the adjusted estimates ȳ − θ·x̄ (as in
//! gbstats), not on the metric's scale, and its relative effect divides by the unadjusted
//! control mean; the line under the table gives the unadjusted comparison.

use clap::Parser;
use polars::prelude::*;
use prodops::experiment::frame::{ReadoutColumns, readout_stats_by_variant};
use prodops::experiment::parquet::readout_stats_from_parquet;
use prodops::experiment::sample_ratio_mismatch;
use prodops::experiment::{Analysis, MetricSpec, Scale, Scorecard, SrmConfig};

/// Read out a finished experiment.
#[derive(Parser)]
struct Args {
    /// Units file, `.csv` or `.parquet`.
    #[arg(long, default_value = "data/experiment.parquet")]
    input: String,
    /// Experiment name in the scorecard.
    #[arg(long, default_value = "one-page checkout")]
    name: String,
    /// Variant column.
    #[arg(long, default_value = "variant")]
    variant: String,
    /// The control's value in the variant column.
    #[arg(long, default_value = "control")]
    control: String,
    /// Conversion column (boolean, or 0 and 1).
    #[arg(long, default_value = "converted")]
    conversion: String,
    /// Numeric metric column.
    #[arg(long, default_value = "metric")]
    metric: String,
    /// The metric's pre-period covariate, for CUPED.
    #[arg(long, default_value = "pre_metric")]
    covariate: String,
    /// Guardrail ratio metric `numerator/denominator`, summed per variant (clicks per session).
    #[arg(long, default_value = "clicks/sessions")]
    ratio: String,
    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let path = PlRefPath::new(args.input.as_str());
    let mut lf = match args.input.ends_with(".parquet") {
        true => LazyFrame::scan_parquet(path, Default::default())?,
        false => LazyCsvReader::new(path).finish()?,
    };
    let schema = lf.collect_schema()?;
    let has = |c: &str| !c.is_empty() && schema.get(c).is_some();
    let mut spec = ReadoutColumns::new(&args.variant);
    if has(&args.conversion) {
        spec = spec.conversion(&args.conversion);
    }
    if has(&args.metric) && has(&args.covariate) {
        spec = spec.cuped(&args.metric, &args.covariate);
    } else if has(&args.metric) {
        spec = spec.mean(&args.metric);
    }
    if let Some((num, den)) = args.ratio.split_once('/').filter(|(n, d)| has(n) && has(d)) {
        spec = spec.ratio(num, den);
    }
    // Parquet is read without polars, row groups in parallel; CSV through polars' scan.
    let stats = match args.input.ends_with(".parquet") {
        true => readout_stats_from_parquet(&args.input, &spec)?,
        false => readout_stats_by_variant(lf, &spec)?,
    };
    let control = (stats.get(&args.control)).ok_or(format!("no control {:?}", args.control))?;

    // The control first, then the treatments; the planned split is equal shares.
    let mut names = vec![&args.control];
    names.extend(stats.keys().filter(|v| **v != args.control));
    let counts: Vec<u64> = names.iter().map(|v| stats[*v].n).collect();
    let weights = vec![1.0 / counts.len() as f64; counts.len()];
    let srm = sample_ratio_mismatch(&counts, &weights, SrmConfig::default())?;

    let analysis = Analysis::builder()
        .alpha(args.alpha)
        .scale(Scale::Relative)
        .build()?;
    let mut card = Scorecard::builder(&args.name, analysis.clone(), srm);
    let mut notes = Vec::new();
    for variant in &names[1..] {
        let treatment = &stats[*variant];
        if let (Some(c), Some(t)) = (control.conversions.first(), treatment.conversions.first()) {
            card.add(MetricSpec::success(&args.conversion), variant, c, t)?;
        }
        if let (Some(c), Some(t)) = (control.cuped.first(), treatment.cuped.first()) {
            let cuped = analysis.cuped(c, t)?;
            let (u, m, theta) = (&cuped.unadjusted, &args.metric, cuped.theta);
            let (a, b, lift, p) = (
                u.control_mean,
                u.treatment_mean,
                100.0 * u.estimate,
                u.p_value,
            );
            notes.push(format!(
                "{variant}: {m} unadjusted {a:.3} vs {b:.3} ({lift:+.2}%, p = {p:.4}); CUPED θ = {theta:.3}"
            ));
            let reduction = 100.0 * cuped.variance_reduction;
            let name = format!("{m} (CUPED, variance −{reduction:.0}%)");
            card.add_outcome(MetricSpec::success(name), variant, cuped.adjusted);
        } else if let (Some(c), Some(t)) = (control.means.first(), treatment.means.first()) {
            card.add(MetricSpec::success(&args.metric), variant, c, t)?;
        }
        if let (Some(c), Some(t)) = (control.ratios.first(), treatment.ratios.first()) {
            card.add(MetricSpec::guardrail(&args.ratio), variant, c, t)?;
        }
    }
    println!("{}\n{}", card.build()?.to_markdown(), notes.join("\n"));
    Ok(())
}
