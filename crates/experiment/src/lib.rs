//! # prodops-experiment
//!
//! The statistics of online controlled experiments (A/B tests), computed from mergeable
//! sufficient statistics.

mod bayes;
mod config;
mod cuped;
pub mod dist;
mod error;
mod frequentist;
mod group_sequential;
mod moments;
pub mod multitest;
pub mod power;
mod ratio;
mod scorecard;
mod sequential;
mod srm;
mod stats;

pub use bayes::{BayesOutcome, MetricDirection, Prior, Risk, beta_binomial_win_probability};
pub use config::{Alpha, Alternative, Interval, Probability, Scale};
pub use cuped::{CupedOutcome, CupedStats, pooled_theta};
pub use error::ExperimentError;
pub use frequentist::{
    Analysis, AnalysisBuilder, ChiSquareOutcome, FiellerInterval, MeanTest, ProportionSe,
    TestMethod, TestOutcome, Warning, chi_square_2x2, fieller_interval,
};
pub use group_sequential::{Look, Spending, group_sequential_boundaries};
pub use moments::{ArmMoments, Metric};
pub use ratio::RatioStats;
pub use sequential::{Sequential, SequentialOutcome};
pub use srm::{SrmConfig, SrmOutcome, SrmStatus, sample_ratio_mismatch};
pub use stats::{MeanStats, ProportionStats};
pub use scorecard::{
    Decision, DecisionRule, MetricSpec, RowContext, Scorecard, ScorecardBuilder, ScorecardRow,
    SignificanceRule, VerdictKind,
};
