//! # prodops
//!
//! A toolkit for product operations: customer feedback, NPS and product KPIs, A/B experiment
//! statistics and process templates, as small crates that this facade re-exports. Depend on
//! `prodops` for everything, or on a single `prodops-*` crate for one job.
//!
//! ```toml
//! [dependencies]
//! prodops = "0.1"
//! ```
//!
//! ## Example
//!
//! ```
//! use prodops::core::{Grain, Period};
//!
//! let month: Period = "2026-11".parse()?;
//! assert_eq!(month.grain(), Grain::Month);
//! assert_eq!(month.prev()?.label(), "2026-10");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Crates
//!
//! | module | crate | what it does |
//! | --- | --- | --- |
//! | [`core`] | `prodops-core` | periods and time grains, ids, segments, `Money`, the ingestion report |
//! | `experiment` | `prodops-experiment` | A/B statistics: tests, CUPED, sequential, Bayesian, corrections, planning, SRM |
//! | `kpi` | `prodops-kpi` | NPS, CSAT, CES with intervals; trends, funnels, retention, lifecycle; MRR bridge; monitoring; change explanation |
//! | `process` | `prodops-process` | process templates (TOML, YAML, JSON), validation, scheduling on business calendars, prioritization frameworks, rendering |
//! | `report` | `prodops-report` | one self-contained HTML dashboard (inline SVG charts, escaped text) or Markdown |
//! | `feedback` | `prodops-feedback` | feedback ingestion (CSV, JSON, JSONL, polars), cleaning and near-duplicates, PII redaction, VADER-exact sentiment with a product overlay, themes, customer-weighted demand |
//!
//! ## Crate features
//!
//! `core` is always present. Each domain crate is a default-on feature, so
//! `default-features = false` plus the features you name keeps compile times down:
//!
//! - `experiment` (default): [`experiment`], pure Rust on statrs, no polars.
//! - `kpi` (default): `kpi`, built on polars (the largest compile-time cost of the workspace);
//!   turn it off if you need only the statistics or the templates.
//! - `feedback` (default): `feedback`, no polars unless its own `polars` feature is on.
//! - `process` (default): `process`, no polars and no statistics.
//! - `report` (default): `report`, dashboards as HTML with inline SVG or as Markdown; no polars.

pub use prodops_core as core;

/// A/B experiment statistics (crate `prodops-experiment`).
#[cfg(feature = "experiment")]
pub use prodops_experiment as experiment;

/// NPS and product-KPI analytics on polars (crate `prodops-kpi`).
#[cfg(feature = "kpi")]
pub use prodops_kpi as kpi;

/// Process templates, scheduling and prioritization (crate `prodops-process`).
#[cfg(feature = "process")]
pub use prodops_process as process;

/// Customer feedback from raw text to ranked demand (crate `prodops-feedback`).
#[cfg(feature = "feedback")]
pub use prodops_feedback as feedback;

/// Self-contained HTML and Markdown dashboards (crate `prodops-report`).
#[cfg(feature = "report")]
pub use prodops_report as report;
