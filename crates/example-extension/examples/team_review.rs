//! A team's weekly review on the bundled sample data, with the team's own extensions in place
//! of (or next to) the built-ins: feedback sentiment with billing phrases, a cost-of-delay
//! ranking, 7-day activation by platform, a same-weekday-last-week alert on daily active users,
//! a pricing-change plan, and an experiment read-out with a minimum worthwhile effect.
//!
//! ```text
//! cargo run -p prodops-example-extension --example team_review [-- DATA_DIR]
//! ```
//!
//! `DATA_DIR` defaults to the repository's `data/` folder (`feedback.csv`, `events.csv`,
//! `experiment.csv`).

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::*;
use prodops_core::Grain;
use prodops_example_extension::activation::{ActivationRate, read_events_csv};
use prodops_example_extension::decision::PracticalSignificance;
use prodops_example_extension::monitor::SeasonalNaive;
use prodops_example_extension::prioritize::{CostOfDelay, CostOfDelayInput};
use prodops_example_extension::sentiment::{PhraseBoost, PhraseList};
use prodops_example_extension::template::team_library;
use prodops_experiment::{
    Analysis, CupedStats, MetricSpec, Scorecard, SrmConfig, sample_ratio_mismatch,
};
use prodops_feedback::ingest::FeedbackReader;
use prodops_feedback::sentiment::{SentimentModel, VaderModel};
use prodops_kpi::definition::{Aggregation, KpiDefinition, evaluate};
use prodops_kpi::monitor::Detector;
use prodops_process::Plan;
use prodops_process::prioritize::{Item, sensitivity};

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data"),
        PathBuf::from,
    );

    // 1. Feedback: the team's phrases on top of VADER with the product overlay, scored in
    //    parallel batches; the feedback `Pipeline` takes the model the same way.
    let loaded = FeedbackReader::default().read_csv_path(dir.join("feedback.csv"))?;
    let texts: Vec<&str> = loaded.data.iter().map(|item| item.text.as_str()).collect();
    let vader = VaderModel::product()?;
    let team = PhraseBoost::new(vader.clone(), PhraseList::billing()?);
    let (mut labels, mut changed) = (BTreeMap::new(), 0);
    for (ours, base) in team
        .score_batch(&texts)
        .into_iter()
        .zip(vader.score_batch(&texts))
    {
        let (ours, base) = (ours?, base?);
        *labels.entry(ours.label.as_str()).or_insert(0) += 1;
        changed += usize::from(ours.label != base.label);
    }
    let mut phrases: BTreeMap<&str, usize> = BTreeMap::new();
    for text in &texts {
        for (phrase, n) in team.phrases().matches(text) {
            *phrases.entry(phrase.text()).or_insert(0) += n;
        }
    }
    println!(
        "== Feedback: {} items, model {}",
        texts.len(),
        team.model_id()
    );
    println!("   labels {labels:?}; the billing phrases changed {changed} of VADER's labels");
    println!("   phrases found {phrases:?}");

    // 2. Prioritization: the team's cost of delay per engineer-week, confidence squared.
    let backlog = vec![
        Item::new("sso", CostOfDelayInput::new(12_000.0, 6.0, 0.6)),
        Item::new("billing-fixes", CostOfDelayInput::new(6_000.0, 2.0, 0.9)),
        Item::new("dark-mode", CostOfDelayInput::new(2_000.0, 1.5, 0.8)),
        Item::new("salesforce-sync", CostOfDelayInput::new(9_000.0, 5.0, 0.7)),
        Item::new("mobile-offline", CostOfDelayInput::new(5_000.0, 8.0, 0.5)),
    ];
    let check = sensitivity(&CostOfDelay::with_penalty(2.0)?, &backlog, 0.2)?;
    println!("\n== Prioritization ({})", check.ranking.method);
    for e in &check.ranking.entries {
        println!(
            "   {}. {:<16} {:>8.1} per engineer-week",
            e.rank, e.id, e.score
        );
    }
    println!(
        "   top item under ±20% on any input: {}",
        if check.top_is_sensitive() {
            "can change"
        } else {
            "holds"
        }
    );

    // 3. KPI: 7-day activation of weekly signup cohorts by platform, complete windows only.
    let events = read_events_csv(dir.join("events.csv"))?;
    let end = NaiveDate::from_ymd_opt(2026, 11, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or("bad end date")?;
    let activation = ActivationRate::builder()
        .key_event("project_created")
        .breakdown(["platform"])
        .observed_until(end)
        .build()?
        .run(events.clone())?;
    let periods: Vec<Option<NaiveDate>> = activation
        .column("period")?
        .date()?
        .as_date_iter()
        .collect();
    let last_cohort = periods.iter().flatten().max().copied().ok_or("no cohort")?;
    println!("\n== 7-day activation, cohort of the week of {last_cohort}");
    let platforms = activation.column("platform")?.str()?;
    let values = activation.column("value")?.f64()?;
    for ((period, platform), value) in periods.iter().zip(platforms.iter()).zip(values.iter()) {
        if *period == Some(last_cohort) {
            let pct = 100.0 * value.unwrap_or(0.0);
            println!("   {:<8} {pct:.1}%", platform.unwrap_or("?"));
        }
    }

    // 4. Monitoring: daily active users against the same weekday last week.
    let dau = evaluate(
        &KpiDefinition::new(
            "dau",
            Aggregation::DistinctCount {
                column: "user_id".into(),
            },
        )
        .by_period("timestamp", Grain::Day),
        events,
    )?;
    let days: Vec<Option<NaiveDate>> = dau.column("period")?.date()?.as_date_iter().collect();
    let series: Vec<f64> = dau
        .column("value")?
        .cast(&DataType::Float64)?
        .f64()?
        .into_no_null_iter()
        .collect();
    let detector = SeasonalNaive::builder()
        .tolerance(0.3)
        .min_abs_change(8.0)
        .build()?;
    let alerts = detector.anomalies(&series)?;
    println!(
        "\n== Daily active users: {} days, {} alerts",
        series.len(),
        alerts.len()
    );
    for a in alerts.iter().rev().take(3).rev() {
        let day = days.get(a.index).copied().flatten();
        println!(
            "   {}: {}",
            day.map_or("?".into(), |d| d.to_string()),
            a.reason
        );
    }

    // 5. Process: the team's pricing-change template, composed over the built-in launch.
    let template = team_library()?.resolve("pricing-change")?;
    let plan = Plan::builder(&template)
        .anchor(NaiveDate::from_ymd_opt(2027, 3, 1).ok_or("bad date")?)
        .param("product", "Atlas")
        .param("new_price", "$12 per seat per month")
        .build()?;
    let notice = plan.task("customer-notice").ok_or("no notice task")?;
    println!("\n== Plan: {}", plan.name);
    println!(
        "   {} tasks from {} to {}; {} conflicts",
        plan.tasks().count(),
        plan.start(),
        plan.finish(),
        plan.conflicts.len()
    );
    println!("   customer notice due {}", notice.due);
    println!("   critical path: {}", plan.critical_path.join(" → "));

    // 6. Experiment: the bundled finished test read out with CUPED, under the built-in
    //    decision rule and under the team's minimum worthwhile effect of 0.5.
    let units = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(dir.join("experiment.csv")))?
        .finish()?;
    let variant = units.column("variant")?.str()?;
    let post = units.column("metric")?.f64()?;
    let pre = units.column("pre_metric")?.f64()?;
    let mut arms: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for ((v, y), x) in variant.iter().zip(post.iter()).zip(pre.iter()) {
        if let (Some(v), Some(y), Some(x)) = (v, y, x) {
            arms.entry(v).or_default().push((y, x));
        }
    }
    let control = CupedStats::from_pairs(arms.get("control").ok_or("no control arm")?)?;
    let treatment = CupedStats::from_pairs(arms.get("treatment").ok_or("no treatment arm")?)?;
    let cuped = Analysis::default().cuped(&control, &treatment)?;
    let srm = sample_ratio_mismatch(
        &[control.n(), treatment.n()],
        &[0.5, 0.5],
        SrmConfig::default(),
    )?;
    let mut card = Scorecard::builder("bundled-experiment", Analysis::default(), srm);
    card.add_outcome(
        MetricSpec::success("metric"),
        "treatment",
        cuped.adjusted.clone(),
    );
    let built_in = card.build()?.verdict;
    card.rule(PracticalSignificance::new(0.5)?);
    let team_rule = card.build()?.verdict;
    let ci = cuped.adjusted.ci;
    println!(
        "\n== Experiment (CUPED, {:.0}% variance removed)",
        100.0 * cuped.variance_reduction
    );
    println!(
        "   effect {:+.3} [{:.3}, {:.3}]: built-in rule {built_in:?}, team rule (δ = 0.5) {team_rule:?}",
        cuped.adjusted.estimate, ci.lower, ci.upper
    );
    Ok(())
}
