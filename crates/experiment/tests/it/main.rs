//! Integration tests of prodops-experiment against reference fixtures, properties and
//! seeded simulations.
#![allow(missing_docs, dead_code, clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod frequentist;
mod models;
mod simulation;
mod multitest;
mod power;
mod stats;
