//! Rust side of the `experiment_readout` comparison: read an experiment Parquet file (one row
//! per unit) with polars, reduce it to per-variant sufficient statistics with
//! `prodops_experiment::frame::readout_stats_by_variant` (one polars group-by over a lazy
//! Parquet scan that reads only the columns used), and compute the readout: Welch tests of
//! `metric` and of `converted` (variance p(1 − p), as gbstats), the ratio clicks / sessions by
//! the delta method, CUPED of `metric` on `pre_metric`, the SRM χ² test and Holm-adjusted
//! p-values.
//!
//! Run through `benches/compare/run.sh experiment_readout`, which runs the Python peer
//! (`peers/experiment_readout.py`: pandas + gbstats + scipy + statsmodels) on the same file in
//! the same run and prints the ratio. By hand:
//! `cargo bench --bench compare_experiment_readout -- FILE.parquet [REPEATS]`.
//!
//! Output is one JSON object: the best wall time over the repeats (read + reduce + analyse,
//! process start-up excluded) and the results. Estimates, standard errors, degrees of freedom
//! and θ are rounded to 9 significant digits; p-values to 9 decimal places, because the peer
//! computes them as 1 − cdf, which is exact to about 1e-16 absolute, not relative.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use prodops_experiment::multitest::{Correction, adjust};
use prodops_experiment::parquet::readout_stats_from_parquet;
use prodops_experiment::{
    Analysis, ReadoutColumns, SrmConfig, TestOutcome, VariantStats, sample_ratio_mismatch,
};

type BoxError = Box<dyn std::error::Error>;

/// 9 significant digits, as Python's `float(f"{x:.9g}")`.
fn sig9(x: f64) -> Result<f64, BoxError> {
    Ok(format!("{x:.8e}").parse()?)
}

/// 9 decimal places, as Python's `float(f"{p:.9f}")`.
fn dp9(x: f64) -> Result<f64, BoxError> {
    Ok(format!("{x:.9}").parse()?)
}

/// A finite number as JSON.
fn num(x: f64) -> Result<String, BoxError> {
    if x.is_finite() {
        Ok(format!("{x}"))
    } else {
        Err(format!("non-finite result {x}").into())
    }
}

/// The statistics of one arm.
fn arm<'a>(
    stats: &'a BTreeMap<String, VariantStats>,
    name: &str,
) -> Result<&'a VariantStats, BoxError> {
    stats
        .get(name)
        .ok_or_else(|| format!("no {name} arm").into())
}

fn test_json(t: &TestOutcome) -> Result<String, BoxError> {
    Ok(format!(
        "{{\"estimate\": {}, \"std_error\": {}, \"df\": {}, \"p_value\": {}}}",
        num(sig9(t.estimate)?)?,
        num(sig9(t.std_error)?)?,
        num(sig9(t.df.ok_or("Welch test without df")?)?)?,
        num(dp9(t.p_value)?)?
    ))
}

/// The readout as the JSON result keys (without `impl` and `seconds`).
fn run(path: &str) -> Result<String, BoxError> {
    let spec = ReadoutColumns::new("variant")
        .mean("metric")
        .conversion("converted")
        .ratio("clicks", "sessions")
        .cuped("metric", "pre_metric");
    // Reads only the columns the readout uses, row groups in parallel, and folds each decoded
    // batch into per-variant sums.
    let stats = readout_stats_from_parquet(path, &spec)?;
    let (control, treatment) = (arm(&stats, "control")?, arm(&stats, "treatment")?);

    let analysis = Analysis::default();
    let metric_t = analysis.compare(&control.means[0], &treatment.means[0])?;
    let converted_t = analysis.compare(&control.conversions[0], &treatment.conversions[0])?;
    let ctr_t = analysis.compare(&control.ratios[0], &treatment.ratios[0])?;
    let cuped_o = analysis.cuped(&control.cuped[0], &treatment.cuped[0])?;
    let counts: Vec<u64> = stats.values().map(|s| s.n).collect();
    let srm = sample_ratio_mismatch(&counts, &[0.5, 0.5], SrmConfig::default())?;
    let holm = adjust(
        &[
            metric_t.p_value,
            converted_t.p_value,
            ctr_t.p_value,
            cuped_o.adjusted.p_value,
        ],
        Correction::Holm,
    )?;

    let mut out = String::new();
    let units: Vec<String> = stats
        .iter()
        .map(|(k, s)| format!("\"{k}\": {}", s.n))
        .collect();
    write!(out, "\"units\": {{{}}}", units.join(", "))?;
    write!(out, ", \"metric\": {}", test_json(&metric_t)?)?;
    write!(out, ", \"converted\": {}", test_json(&converted_t)?)?;
    write!(out, ", \"ctr\": {}", test_json(&ctr_t)?)?;
    let adjusted = test_json(&cuped_o.adjusted)?;
    write!(
        out,
        ", \"metric_cuped\": {{\"theta\": {}, {}",
        num(sig9(cuped_o.theta)?)?,
        &adjusted[1..]
    )?;
    write!(out, ", \"srm_p_value\": {}", num(dp9(srm.p_value)?)?)?;
    let holm: Vec<String> = holm
        .iter()
        .map(|p| dp9(*p).and_then(num))
        .collect::<Result<_, _>>()?;
    write!(out, ", \"holm\": [{}]", holm.join(", "))?;
    Ok(out)
}

fn main() -> Result<(), BoxError> {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: compare_experiment_readout FILE.parquet [REPEATS]");
        return Ok(());
    };
    let repeats: usize = args.get(1).map_or(Ok(5), |r| r.parse())?;
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let readout = run(path)?;
        best = best.min(started.elapsed().as_secs_f64());
        result = Some(readout);
    }
    let result = result.ok_or("no run")?;
    println!("{{\"impl\": \"prodops (Rust)\", \"seconds\": {best:.6}, {result}}}");
    Ok(())
}
