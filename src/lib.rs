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
//!
//! The other domain crates (`kpi`, `feedback`, `process`) join this table, each as a
//! default-on cargo feature, as they land.
//!
//! ## Crate features
//!
//! `core` is always present. Each domain crate is a default-on feature, so
//! `default-features = false` plus the features you name keeps compile times down:
//!
//! - `experiment` (default): [`experiment`], pure Rust on statrs, no polars.

pub use prodops_core as core;

/// A/B experiment statistics (crate `prodops-experiment`).
#[cfg(feature = "experiment")]
pub use prodops_experiment as experiment;
