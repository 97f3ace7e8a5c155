//! # prodops-experiment
//!
//! The statistics of online controlled experiments (A/B tests), computed from mergeable
//! sufficient statistics: fixed-horizon Welch, Student and z tests of absolute and relative
//! effects, two-proportion and χ² tests, ratio metrics by the delta method, CUPED,
//! post-stratification, capping and winsorization, Fieller intervals, non-inferiority margins,
//! sample-ratio mismatch, always-valid sequential tests, Lan–DeMets group-sequential
//! boundaries, a Gaussian Bayesian model and the exact Beta–Binomial P(B > A), the
//! Mann–Whitney U test on raw samples, multiple-comparison corrections over an explicit family,
//! a power and sample-size planner with mid-experiment power, scaled impact, and a scorecard
//! that turns it all into a verdict.
//!
//! Every formula is checked against scipy, statsmodels or GrowthBook's gbstats (fixtures and
//! the scripts that made them are in `fixtures/`), and every convention that differs between
//! those references is a named parameter. Where they return NaN, 0 or a blank, this crate
//! returns an [`ExperimentError`] that names the arm and what is wrong. `docs/methods/
//! experiment.md` in the repository states each method with its reference.
//!
//! ```toml
//! [dependencies]
//! prodops-experiment = "0.1"
//! ```
//!
//! ## Example: read out an experiment
//!
//! Sums per arm are all the crate needs, so they can come from a warehouse query, a stream, or
//! shards merged with `+`:
//!
//! ```
//! use prodops_experiment::{
//!     Analysis, CupedStats, MetricSpec, ProportionStats, Scale, Scorecard, SrmConfig,
//!     VerdictKind, sample_ratio_mismatch,
//! };
//!
//! // Revenue per user with last month's revenue as the CUPED covariate: (outcome, covariate).
//! let control = CupedStats::from_pairs(&[(10.0, 9.0), (12.0, 11.0), (8.0, 8.5), (11.0, 10.0), (9.5, 9.0)])?;
//! let day_one = CupedStats::from_pairs(&[(11.5, 9.5), (13.0, 11.0)])?;
//! let day_two = CupedStats::from_pairs(&[(9.5, 8.0), (12.5, 10.5), (10.5, 8.5)])?;
//! let treatment = day_one + day_two; // shards merge exactly
//!
//! let analysis = Analysis::builder().alpha(0.05).scale(Scale::Relative).build()?;
//! let revenue = analysis.cuped(&control, &treatment)?;
//! assert!(revenue.variance_reduction > 0.5);
//!
//! let srm = sample_ratio_mismatch(&[5, 5], &[0.5, 0.5], SrmConfig::default())?;
//! let mut card = Scorecard::builder("pricing-page", analysis, srm);
//! card.add_outcome(MetricSpec::success("revenue"), "treatment", revenue.adjusted);
//! card.add(
//!     MetricSpec::guardrail("conversion"),
//!     "treatment",
//!     &ProportionStats::new(5, 2)?,
//!     &ProportionStats::new(5, 2)?,
//! )?;
//! let scorecard = card.build()?;
//! assert_eq!(scorecard.verdict, VerdictKind::Ship);
//! println!("{}", scorecard.to_markdown());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Extending
//!
//! Implement [`Metric`] to reduce your own metric type to [`ArmMoments`] and every test,
//! correction and the scorecard work on it; implement [`DecisionRule`] to decide rows your
//! way.
//!
//! ## Crate features
//!
//! - `parquet` (off by default): per-variant sufficient statistics read straight from Parquet
//!   files in parallel, without polars (`parquet::readout_stats_from_parquet`).
//! - `polars` (off by default): adapters from polars frames to sufficient statistics. The core
//!   of the crate does not depend on polars.

mod bayes;
pub mod bootstrap;
mod capping;
mod config;
mod cuped;
mod cuped_multi;
mod cuped_ratio;
pub mod dist;
mod error;
#[cfg(feature = "polars")]
pub mod frame;
mod frequentist;
mod group_sequential;
mod mann_whitney;
mod moments;
pub mod multitest;
#[cfg(feature = "parquet")]
pub mod parquet;
mod post_stratification;
pub mod power;
pub mod quantile;
mod ratio;
mod readout;
mod scorecard;
mod sequential;
mod srm;
mod stats;

pub use bayes::{BayesOutcome, MetricDirection, Prior, Risk, beta_binomial_win_probability};
pub use capping::{CapBound, CapThresholds, Capping};
pub use config::{Alpha, Alternative, Interval, Probability, Scale};
pub use cuped::{CupedOutcome, CupedStats, pooled_theta};
pub use cuped_multi::{CovariateStats, RegressionAdjustedOutcome, pooled_thetas};
pub use cuped_ratio::{RatioCupedRow, RatioCupedStats, pooled_ratio_theta};
pub use error::ExperimentError;
pub use frequentist::{
    Analysis, AnalysisBuilder, ChiSquareOutcome, EquivalenceOutcome, FiellerInterval, MeanTest,
    ProportionSe, ScaledImpact, TestMethod, TestOutcome, Warning, chi_square_2x2, fieller_interval,
};
pub use group_sequential::{Look, Spending, group_sequential_boundaries};
pub use mann_whitney::{
    MannWhitneyConfig, MannWhitneyMethod, MannWhitneyOutcome, MannWhitneyUsed, mann_whitney_u,
};
pub use moments::{ArmMoments, Metric};
pub use post_stratification::{PostStratifiedOutcome, Stratum};
pub use ratio::RatioStats;
pub use readout::{ReadoutColumns, VariantStats};
pub use scorecard::{
    Decision, DecisionRule, MetricSpec, RowContext, Scorecard, ScorecardBuilder, ScorecardRow,
    SignificanceRule, VerdictKind,
};
pub use sequential::{Sequential, SequentialMonitor, SequentialOutcome};
pub use srm::{SrmConfig, SrmOutcome, SrmStatus, sample_ratio_mismatch};
pub use stats::{MeanStats, ProportionStats};
