//! Funnel results: per-step counts, conversions and timings, their mergeable sums, and the
//! frames they render to.

use std::collections::BTreeMap;

use polars::prelude::*;
use prodops_core::{Grain, Period};

use super::kernel::{Outcome, SKIPPED};
use crate::error::KpiError;

/// The label of one breakdown bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BreakdownLabel {
    /// No breakdown: everyone.
    Total,
    /// Persons attributed this value.
    Value(String),
    /// Values beyond the top N.
    Other,
    /// Persons without a value.
    Null,
}

/// One step of a funnel result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FunnelStep {
    /// The step's label (event name and filter).
    pub name: String,
    /// Whether the step may be skipped.
    pub optional: bool,
    /// Persons reaching this step or further.
    pub persons: u64,
    /// Of those, persons whose best attempt has not finished the funnel and whose window is
    /// still open at `now` (zero when no `now` was given).
    pub in_progress: u64,
    /// `persons / persons at step 0`; `None` when nobody entered.
    pub conversion_from_first: Option<f64>,
    /// `persons / persons at the previous step` (step 0: as `conversion_from_first`).
    pub conversion_from_previous: Option<f64>,
    /// Persons at the previous step who did not reach this one (0 at step 0).
    pub drop_off: u64,
    /// Mean seconds from the previous step to this one over persons reaching it; `None` at
    /// step 0 or when nobody reached it.
    pub mean_time_to_convert: Option<f64>,
    /// Median seconds from the previous step to this one (mean of the two middle values for
    /// an even count).
    pub median_time_to_convert: Option<f64>,
    durations: Vec<i64>,
}

/// The funnel of one breakdown bucket.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FunnelSeries {
    /// Which persons this series counts.
    pub label: BreakdownLabel,
    /// One entry per step.
    pub steps: Vec<FunnelStep>,
}

/// The result of [`Funnel::run`](super::Funnel::run): one series without a breakdown, or one per bucket.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FunnelResult {
    /// The series; without a breakdown a single [`BreakdownLabel::Total`] series.
    pub series: Vec<FunnelSeries>,
    /// The conversion window in microseconds.
    pub window_micros: i64,
    /// The `now` used for in-progress entries.
    pub now: Option<i64>,
}

/// Per-bucket sufficient statistics: counts per step and the durations behind the timings.
#[derive(Debug, Clone)]
pub(super) struct Acc {
    pub(super) optional: Vec<bool>,
    pub(super) persons: Vec<u64>,
    in_progress: Vec<u64>,
    durations: Vec<Vec<i64>>,
}

impl Acc {
    pub(super) fn new(optional: &[bool]) -> Acc {
        let n = optional.len();
        Acc {
            optional: optional.to_vec(),
            persons: vec![0; n],
            in_progress: vec![0; n],
            durations: vec![Vec::new(); n],
        }
    }

    pub(super) fn add(&mut self, other: &Acc) {
        for (a, b) in self.persons.iter_mut().zip(&other.persons) {
            *a += b;
        }
        for (a, b) in self.in_progress.iter_mut().zip(&other.in_progress) {
            *a += b;
        }
        for (a, b) in self.durations.iter_mut().zip(&other.durations) {
            a.extend_from_slice(b);
        }
    }

    pub(super) fn record(&mut self, out: &Outcome, times: &[i64], window: i64, now: Option<i64>) {
        if out.depth == 0 || out.excluded {
            return;
        }
        let n = self.persons.len();
        let open = out.depth < n && now.is_some_and(|now| now.saturating_sub(out.t0) < window);
        let mut last_required = 0;
        for i in 0..out.depth {
            if self.optional[i] {
                if times[i] != SKIPPED {
                    self.persons[i] += 1;
                    if open {
                        self.in_progress[i] += 1;
                    }
                }
                continue;
            }
            self.persons[i] += 1;
            if open {
                self.in_progress[i] += 1;
            }
            if i > 0 {
                self.durations[i].push(times[i].saturating_sub(times[last_required]));
            }
            last_required = i;
        }
    }

    pub(super) fn series(&self, label: BreakdownLabel, names: &[String]) -> FunnelSeries {
        let first = self.persons.first().copied().unwrap_or(0);
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        let mut last_required = 0;
        let steps = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let persons = self.persons[i];
                let previous = if i == 0 {
                    persons
                } else {
                    self.persons[last_required]
                };
                if !self.optional[i] {
                    last_required = i;
                }
                let mut d = self.durations[i].clone();
                d.sort_unstable();
                FunnelStep {
                    name: name.clone(),
                    optional: self.optional[i],
                    persons,
                    in_progress: self.in_progress[i],
                    conversion_from_first: ratio(persons, first),
                    conversion_from_previous: ratio(persons, previous),
                    drop_off: previous.saturating_sub(persons),
                    mean_time_to_convert: mean_seconds(&d),
                    median_time_to_convert: median_seconds(&d),
                    durations: d,
                }
            })
            .collect();
        FunnelSeries { label, steps }
    }

    pub(super) fn from_series(s: &FunnelSeries) -> Acc {
        Acc {
            optional: s.steps.iter().map(|x| x.optional).collect(),
            persons: s.steps.iter().map(|x| x.persons).collect(),
            in_progress: s.steps.iter().map(|x| x.in_progress).collect(),
            durations: s.steps.iter().map(|x| x.durations.clone()).collect(),
        }
    }
}

fn mean_seconds(d: &[i64]) -> Option<f64> {
    if d.is_empty() {
        return None;
    }
    let sum: i128 = d.iter().map(|&x| i128::from(x)).sum();
    Some(sum as f64 / d.len() as f64 / 1e6)
}

/// Median of sorted durations, in seconds.
fn median_seconds(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0
    };
    Some(mid / 1e6)
}

impl FunnelResult {
    /// The series with this label.
    pub fn series(&self, label: &BreakdownLabel) -> Option<&FunnelSeries> {
        self.series.iter().find(|s| &s.label == label)
    }

    /// Adds the counts and timings of a result computed on another shard of keys (shards
    /// partitioned by key add up exactly). Buckets are matched by label; merge results computed
    /// without a top-N, since each shard's top N may differ.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the two results have different steps or windows.
    pub fn merge(&self, other: &FunnelResult) -> Result<FunnelResult, KpiError> {
        let names = |r: &FunnelResult| -> Vec<String> {
            r.series
                .first()
                .map(|s| s.steps.iter().map(|x| x.name.clone()).collect())
                .unwrap_or_default()
        };
        let (a, b) = (names(self), names(other));
        if self.window_micros != other.window_micros || (!a.is_empty() && !b.is_empty() && a != b) {
            return Err(KpiError::IncompatibleOptions {
                reason: "funnel results with different steps or windows cannot be merged".into(),
            });
        }
        let names = if a.is_empty() { b } else { a };
        let mut accs: BTreeMap<BreakdownLabel, Acc> = BTreeMap::new();
        for s in self.series.iter().chain(&other.series) {
            let acc = Acc::from_series(s);
            accs.entry(s.label.clone())
                .or_insert_with(|| Acc::new(&acc.optional))
                .add(&acc);
        }
        Ok(FunnelResult {
            series: accs
                .into_iter()
                .map(|(label, acc)| acc.series(label, &names))
                .collect(),
            window_micros: self.window_micros,
            now: self.now,
        })
    }

    /// One row per series and step: `breakdown` (only with a breakdown; null for the `Null`
    /// bucket), `step` (0-based), `name`, `persons`, `in_progress`, `conversion_from_first`,
    /// `conversion_from_previous`, `drop_off`, `mean_time_to_convert_s`,
    /// `median_time_to_convert_s`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let has_breakdown = self.series.iter().any(|s| s.label != BreakdownLabel::Total);
        let mut breakdown: Vec<Option<String>> = Vec::new();
        let mut step = Vec::new();
        let mut name = Vec::new();
        let mut persons = Vec::new();
        let mut in_progress = Vec::new();
        let mut conv_first = Vec::new();
        let mut conv_prev = Vec::new();
        let mut drop_off = Vec::new();
        let mut mean_t = Vec::new();
        let mut median_t = Vec::new();
        for s in &self.series {
            let label = match &s.label {
                BreakdownLabel::Value(v) => Some(v.clone()),
                BreakdownLabel::Other => Some("Other".to_string()),
                BreakdownLabel::Null | BreakdownLabel::Total => None,
            };
            for (i, x) in s.steps.iter().enumerate() {
                breakdown.push(label.clone());
                step.push(i as u32);
                name.push(x.name.clone());
                persons.push(x.persons);
                in_progress.push(x.in_progress);
                conv_first.push(x.conversion_from_first);
                conv_prev.push(x.conversion_from_previous);
                drop_off.push(x.drop_off);
                mean_t.push(x.mean_time_to_convert);
                median_t.push(x.median_time_to_convert);
            }
        }
        let mut columns = Vec::new();
        if has_breakdown {
            columns.push(Column::new("breakdown".into(), breakdown));
        }
        columns.extend([
            Column::new("step".into(), step),
            Column::new("name".into(), name),
            Column::new("persons".into(), persons),
            Column::new("in_progress".into(), in_progress),
            Column::new("conversion_from_first".into(), conv_first),
            Column::new("conversion_from_previous".into(), conv_prev),
            Column::new("drop_off".into(), drop_off),
            Column::new("mean_time_to_convert_s".into(), mean_t),
            Column::new("median_time_to_convert_s".into(), median_t),
        ]);
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

/// Conversion of the persons entering in one period (see [`Funnel::trends`](super::Funnel::trends)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FunnelTrendPoint {
    /// The entry period.
    pub period: Period,
    /// Persons with an attempt starting in the period.
    pub entered: u64,
    /// Of those, persons completing every step.
    pub converted: u64,
    /// Of the non-converted, persons whose window is still open at `now`.
    pub in_progress: u64,
    /// `converted / entered`; `None` when nobody entered.
    pub conversion: Option<f64>,
}

/// Funnel trends: conversion by entry period.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FunnelTrends {
    /// The grain of the entry periods.
    pub grain: Grain,
    /// One point per period with at least one entry, in time order.
    pub points: Vec<FunnelTrendPoint>,
}

impl FunnelTrends {
    /// Columns `period` (label), `entered`, `converted`, `in_progress`, `conversion`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let p = &self.points;
        Ok(DataFrame::new_infer_height(vec![
            Column::new(
                "period".into(),
                p.iter().map(|x| x.period.label()).collect::<Vec<_>>(),
            ),
            Column::new(
                "entered".into(),
                p.iter().map(|x| x.entered).collect::<Vec<_>>(),
            ),
            Column::new(
                "converted".into(),
                p.iter().map(|x| x.converted).collect::<Vec<_>>(),
            ),
            Column::new(
                "in_progress".into(),
                p.iter().map(|x| x.in_progress).collect::<Vec<_>>(),
            ),
            Column::new(
                "conversion".into(),
                p.iter().map(|x| x.conversion).collect::<Vec<_>>(),
            ),
        ])?)
    }
}
