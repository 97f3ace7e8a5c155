//! # prodops-experiment
//!
//! The statistics of online controlled experiments (A/B tests), computed from mergeable
//! sufficient statistics.

mod config;
pub mod dist;
mod error;
mod frequentist;
mod moments;
pub mod multitest;
pub mod power;
mod ratio;
mod srm;
mod stats;

pub use config::{Alpha, Alternative, Interval, Probability, Scale};
pub use error::ExperimentError;
pub use frequentist::{
    Analysis, AnalysisBuilder, ChiSquareOutcome, FiellerInterval, MeanTest, ProportionSe,
    TestMethod, TestOutcome, Warning, chi_square_2x2, fieller_interval,
};
pub use moments::{ArmMoments, Metric};
pub use ratio::RatioStats;
pub use srm::{SrmConfig, SrmOutcome, SrmStatus, sample_ratio_mismatch};
pub use stats::{MeanStats, ProportionStats};
