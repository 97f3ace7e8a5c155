//! The whole sample set: sizes, dates, and writing every table.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;

use crate::accounts::{AccountsConfig, accounts_and_mrr};
use crate::events::{EventsConfig, product_events};
use crate::experiment::{ExperimentConfig, ExperimentUnit, SrmPlant, experiment_units};
use crate::feedback::{FeedbackConfig, feedback_items};
use crate::rng::BLOCK_ROWS;
use crate::surveys::{Incident, SurveyConfig, SurveyResponse, survey_responses};
use crate::table::{Format, Written, write_table};
use crate::vocab::{CustomerSegment, Region};
use crate::{SampleError, day_offset};

/// Rows generated and written per batch: 64 blocks, about a million rows.
const BATCH_ROWS: usize = 64 * BLOCK_ROWS;

/// Average events per user in [`crate::product_events`], used to size the user count so the
/// events table has about as many rows as the others.
const EVENTS_PER_USER: usize = 18;

/// One table of the sample set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dataset {
    /// `accounts`: one row per customer account.
    Accounts,
    /// `mrr`: one row per paying account and month.
    Mrr,
    /// `surveys`: NPS responses.
    Surveys,
    /// `feedback`: feedback texts.
    Feedback,
    /// `events`: product analytics events.
    Events,
    /// `experiment`: a clean finished A/B test.
    Experiment,
    /// `experiment_srm`: the same test with a planted sample-ratio mismatch.
    ExperimentSrm,
}

impl Dataset {
    /// Every table, in writing order.
    pub const ALL: [Dataset; 7] = [
        Dataset::Accounts,
        Dataset::Mrr,
        Dataset::Surveys,
        Dataset::Feedback,
        Dataset::Events,
        Dataset::Experiment,
        Dataset::ExperimentSrm,
    ];

    /// The file stem of the table.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Accounts => "accounts",
            Dataset::Mrr => "mrr",
            Dataset::Surveys => "surveys",
            Dataset::Feedback => "feedback",
            Dataset::Events => "events",
            Dataset::Experiment => "experiment",
            Dataset::ExperimentSrm => "experiment_srm",
        }
    }

    /// The table with file stem `name`, if any.
    pub fn from_name(name: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// The sizes, dates and seed of a sample set.
///
/// The calendar is fixed so the committed data and the docs agree: twelve months of surveys
/// and feedback from 2025-11-01 to 2026-10-31, 24 months of MRR, 90 days of product events
/// ending 2026-10-31, and an experiment running 28 days from 2026-10-01. An incident in EMEA
/// for the 14 days from 2026-06-08 drags its NPS down.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SampleSpec {
    /// Seed of every random stream.
    pub seed: u64,
    /// Customer accounts.
    pub accounts: usize,
    /// Survey responses.
    pub surveys: usize,
    /// Feedback items.
    pub feedback: usize,
    /// Users in the product-events table.
    pub users: usize,
    /// Units in each experiment table.
    pub experiment_units: usize,
}

/// The first day of the survey and feedback window.
const WINDOW_START: (i32, u32, u32) = (2025, 11, 1);
const WINDOW_DAYS: u32 = 365;

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl SampleSpec {
    /// The committed sample: 400 accounts, 5,000 survey responses, 2,000 feedback items,
    /// 1,000 users (about 18,000 events) and 10,000 experiment units, seed 42.
    pub fn small() -> SampleSpec {
        SampleSpec {
            seed: 42,
            accounts: 400,
            surveys: 5_000,
            feedback: 2_000,
            users: 1_000,
            experiment_units: 10_000,
        }
    }

    /// A set in which each large table has about `rows` rows: `rows` survey responses,
    /// feedback items and experiment units, `rows / 18` users (about `rows` events), and one
    /// account per 50 responses (at least 400, at most 200,000).
    pub fn with_rows(rows: usize) -> SampleSpec {
        SampleSpec {
            accounts: (rows / 50).clamp(400, 200_000),
            surveys: rows,
            feedback: rows,
            users: (rows / EVENTS_PER_USER).max(1),
            experiment_units: rows,
            ..SampleSpec::small()
        }
    }

    /// The same spec with another seed.
    pub fn seeded(mut self, seed: u64) -> SampleSpec {
        self.seed = seed;
        self
    }

    /// The accounts and MRR configuration: 24 months ending 2026-10.
    pub fn accounts(&self) -> AccountsConfig {
        AccountsConfig::new(self.accounts, ymd((2024, 11, 1)), 24, self.seed)
    }

    /// The survey configuration, with the EMEA incident planted.
    pub fn surveys(&self) -> SurveyConfig {
        SurveyConfig::new(self.surveys, ymd(WINDOW_START), WINDOW_DAYS, self.seed).with_incident(
            Incident {
                region: Region::Emea,
                start: ymd((2026, 6, 8)),
                days: 14,
            },
        )
    }

    /// The feedback configuration.
    pub fn feedback(&self) -> FeedbackConfig {
        FeedbackConfig::new(self.feedback, ymd(WINDOW_START), WINDOW_DAYS, self.seed)
    }

    /// The product-events configuration: the 90 days ending 2026-10-31.
    pub fn events(&self) -> EventsConfig {
        EventsConfig::new(
            self.users,
            day_offset(ymd(WINDOW_START), WINDOW_DAYS - 90),
            90,
            self.seed,
        )
    }

    /// The clean experiment: [`ExperimentConfig::two_arm`] over 28 days from 2026-10-01.
    pub fn experiment(&self) -> ExperimentConfig {
        ExperimentConfig::two_arm(self.experiment_units, ymd((2026, 10, 1)), 28, self.seed)
    }

    /// The same experiment with 10% of treatment units lost: a sample-ratio mismatch that a
    /// χ² test should flag at this size.
    pub fn experiment_with_srm(&self) -> ExperimentConfig {
        self.experiment().with_srm(SrmPlant { arm: 1, keep: 0.90 })
    }
}

/// What [`write_sample_set`] wrote, with a few observed figures to compare with the planted
/// truth.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SetSummary {
    /// Every table written.
    pub written: Vec<Written>,
    /// Survey responses per segment: `(responses, detractors, promoters)`.
    pub nps_counts: BTreeMap<CustomerSegment, (u64, u64, u64)>,
    /// Experiment units per `(table, variant)`: `(units, conversions, sum of metric)`.
    pub experiment_arms: BTreeMap<(String, String), (u64, u64, f64)>,
}

impl fmt::Display for SetSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tables written:")?;
        for w in &self.written {
            let files: Vec<String> = w
                .files
                .iter()
                .map(|(p, bytes)| {
                    let name = p
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    format!("{name} ({:.1} kB)", *bytes as f64 / 1e3)
                })
                .collect();
            writeln!(
                f,
                "  {:<15} {:>11} rows  {}",
                w.table,
                w.rows,
                files.join(", ")
            )?;
        }
        if !self.nps_counts.is_empty() {
            writeln!(
                f,
                "observed NPS by segment (planted: SMB +22, Mid-Market +38, Enterprise +14, EMEA incident −26):"
            )?;
            for (segment, (n, det, pro)) in &self.nps_counts {
                let nps = 100.0 * (*pro as f64 - *det as f64) / (*n).max(1) as f64;
                writeln!(f, "  {:<11} n = {n:>9}  NPS = {nps:+.1}", segment.label())?;
            }
        }
        if !self.experiment_arms.is_empty() {
            writeln!(
                f,
                "experiment arms (planted: conversion 10.0% vs 10.5%, metric effect +1.0, SRM: 10% of treatment lost):"
            )?;
            for ((table, variant), (n, conv, sum)) in &self.experiment_arms {
                let n1 = (*n).max(1) as f64;
                writeln!(
                    f,
                    "  {table:<15} {variant:<10} n = {n:>9}  conversion = {:.2}%  mean metric = {:.3}",
                    100.0 * *conv as f64 / n1,
                    sum / n1
                )?;
            }
        }
        Ok(())
    }
}

/// Splits `0..total` into batch ranges of [`BATCH_ROWS`].
fn batches(total: usize, per_batch: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..total.div_ceil(per_batch)).map(move |b| b * per_batch..((b + 1) * per_batch).min(total))
}

/// Generates the tables in `datasets` and writes each to `dir` in every format in `formats`,
/// streaming in batches of about a million rows.
///
/// # Errors
///
/// [`SampleError::Io`] when `dir` cannot be created or a file written,
/// [`SampleError::InvalidConfig`] for an invalid spec, [`SampleError::Polars`] when polars
/// fails to serialize a batch.
pub fn write_sample_set(
    spec: &SampleSpec,
    dir: &Path,
    formats: &[Format],
    datasets: &[Dataset],
) -> Result<SetSummary, SampleError> {
    std::fs::create_dir_all(dir).map_err(|source| SampleError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut summary = SetSummary::default();
    let wants = |d: Dataset| datasets.contains(&d);
    let needs_accounts = [
        Dataset::Accounts,
        Dataset::Mrr,
        Dataset::Surveys,
        Dataset::Feedback,
    ]
    .into_iter()
    .any(wants);
    let (accounts, mrr) = if needs_accounts {
        accounts_and_mrr(&spec.accounts())?
    } else {
        (Vec::new(), Vec::new())
    };
    if wants(Dataset::Accounts) {
        summary
            .written
            .push(write_table(dir, None, formats, [Ok(accounts.clone())])?);
    }
    if wants(Dataset::Mrr) {
        summary
            .written
            .push(write_table(dir, None, formats, [Ok(mrr)])?);
    }
    if wants(Dataset::Surveys) {
        let cfg = spec.surveys();
        let counts = &mut summary.nps_counts;
        let stream = batches(cfg.responses, BATCH_ROWS).map(|rows| {
            let batch = survey_responses(&cfg, &accounts, rows)?;
            tally_scores(counts, &batch);
            Ok(batch)
        });
        let written = write_table(dir, None, formats, stream)?;
        summary.written.push(written);
    }
    if wants(Dataset::Feedback) {
        let cfg = spec.feedback();
        let stream =
            batches(cfg.items, BATCH_ROWS).map(|rows| feedback_items(&cfg, &accounts, rows));
        summary
            .written
            .push(write_table(dir, None, formats, stream)?);
    }
    if wants(Dataset::Events) {
        let cfg = spec.events();
        let stream = batches(cfg.users, BATCH_ROWS / EVENTS_PER_USER)
            .map(|users| product_events(&cfg, users));
        summary
            .written
            .push(write_table(dir, None, formats, stream)?);
    }
    for (dataset, cfg) in [
        (Dataset::Experiment, spec.experiment()),
        (Dataset::ExperimentSrm, spec.experiment_with_srm()),
    ] {
        if !wants(dataset) {
            continue;
        }
        let arms = &mut summary.experiment_arms;
        let stream = batches(cfg.units, BATCH_ROWS).map(|rows| {
            let batch = experiment_units(&cfg, rows)?;
            tally_arms(arms, dataset.name(), &batch);
            Ok(batch)
        });
        summary
            .written
            .push(write_table(dir, Some(dataset.name()), formats, stream)?);
    }
    Ok(summary)
}

fn tally_scores(counts: &mut BTreeMap<CustomerSegment, (u64, u64, u64)>, batch: &[SurveyResponse]) {
    for r in batch {
        let entry = counts.entry(r.segment).or_default();
        entry.0 += 1;
        entry.1 += u64::from(r.score <= 6);
        entry.2 += u64::from(r.score >= 9);
    }
}

fn tally_arms(
    arms: &mut BTreeMap<(String, String), (u64, u64, f64)>,
    table: &str,
    batch: &[ExperimentUnit],
) {
    for u in batch {
        let entry = arms
            .entry((table.to_owned(), u.variant.clone()))
            .or_default();
        entry.0 += 1;
        entry.1 += u64::from(u.converted);
        entry.2 += u.metric;
    }
}
