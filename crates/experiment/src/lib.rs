//! # prodops-experiment
//!
//! The statistics of online controlled experiments (A/B tests), computed from mergeable
//! sufficient statistics.

mod config;
pub mod dist;
mod error;
pub mod multitest;
pub mod power;
mod stats;

pub use config::{Alpha, Alternative, Interval, Probability, Scale};
pub use error::ExperimentError;
pub use stats::{MeanStats, ProportionStats};
