//! Integration tests of prodops-experiment against reference fixtures, properties and
//! seeded simulations.
#![allow(missing_docs, dead_code, clippy::unwrap_used, clippy::expect_used)]

mod bootstrap;
mod capping;
mod fixtures;
#[cfg(feature = "polars")]
mod frame;
mod frequentist;
mod group_sequential;
mod iterators;
mod mann_whitney;
mod mid_experiment;
mod models;
mod multitest;
#[cfg(feature = "parquet")]
mod parquet_readout;
mod post_stratification;
mod power;
mod scorecard;
mod simulation;
mod stats;
