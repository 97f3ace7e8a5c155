//! The errors of KPI analytics.

use thiserror::Error;

/// What can go wrong when computing a survey metric, an event analysis, a revenue bridge, a
/// detector or a decomposition.
///
/// Every variant names the input at fault. Where a dashboard would show NaN or a blank, this
/// crate returns one of these (or, for a ratio that is undefined in one cell of a table, `None`
/// with a reason).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KpiError {
    /// No observations where at least one is needed.
    #[error("empty sample: {what}")]
    EmptySample {
        /// What was empty, such as `"segment plan=Pro, month 2026-10"`.
        what: String,
    },
    /// A rated-scale answer outside the scale.
    #[error("row {row}: score {value} is outside the scale {min}..={max}")]
    ScoreOutOfRange {
        /// Zero-based row of the offending value.
        row: u64,
        /// The value found.
        value: f64,
        /// Lowest valid score.
        min: i32,
        /// Highest valid score.
        max: i32,
    },
    /// A column the analysis needs is absent from the frame.
    #[error("missing column {column:?} ({purpose})")]
    MissingColumn {
        /// The column name looked for.
        column: String,
        /// What the column is for.
        purpose: String,
    },
    /// A column has the wrong type or null values where none are allowed.
    #[error("column {column:?}: {reason}")]
    InvalidColumn {
        /// The column name.
        column: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two options that cannot be combined.
    #[error("incompatible options: {reason}")]
    IncompatibleOptions {
        /// Which options and why.
        reason: String,
    },
    /// An input value or setting is outside its domain.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which input or setting.
        what: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A detector or model needs more history than the series has.
    #[error("insufficient history: needs {needed} points, got {got}")]
    InsufficientHistory {
        /// Points needed.
        needed: usize,
        /// Points available.
        got: usize,
    },
    /// A relative change or rate is undefined because its baseline is zero.
    #[error("zero baseline: {what}")]
    ZeroBaseline {
        /// What the baseline was.
        what: String,
    },
    /// Amounts in different currencies were combined.
    #[error("currency mismatch: {what}")]
    CurrencyMismatch {
        /// Where the currencies differ.
        what: String,
    },
    /// An error from a shared core type.
    #[error(transparent)]
    Core(#[from] prodops_core::CoreError),
    /// An error from the experiment statistics used for a test.
    #[error(transparent)]
    Experiment(#[from] prodops_experiment::ExperimentError),
    /// An error from polars while reading or transforming a frame.
    #[error(transparent)]
    Polars(#[from] polars::error::PolarsError),
}

/// Shorthand for [`KpiError::InvalidInput`].
pub(crate) fn invalid_input(what: impl Into<String>, reason: impl Into<String>) -> KpiError {
    KpiError::InvalidInput {
        what: what.into(),
        reason: reason.into(),
    }
}
