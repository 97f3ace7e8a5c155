//! The crate's one error type.

use prodops_feedback::FeedbackError;
use prodops_kpi::KpiError;
use prodops_process::ProcessError;
use thiserror::Error;

/// What can go wrong when building or running one of the team's extensions.
///
/// Inside a trait method the extension returns the trait's own error type (a
/// [`FeedbackError`] from a sentiment model, a [`KpiError`] from a detector); this enum covers
/// the team's own constructors and helpers, and wraps the prodops errors they pass on.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExtensionError {
    /// A setting or an input value outside its domain.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which setting or input, such as `"tolerance"`.
        what: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A malformed line in a keyword list.
    #[error("{file} line {line}: {reason}")]
    KeywordLine {
        /// The list's file name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A column the extension needs is absent from the frame, or has the wrong type.
    #[error("column {column:?} ({purpose}): {reason}")]
    Column {
        /// The column name.
        column: String,
        /// What the column is for.
        purpose: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An error from prodops-feedback.
    #[error(transparent)]
    Feedback(#[from] FeedbackError),
    /// An error from prodops-kpi.
    #[error(transparent)]
    Kpi(#[from] KpiError),
    /// An error from prodops-process.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// An error from polars while preparing a frame.
    #[error(transparent)]
    Polars(#[from] polars::error::PolarsError),
}

/// Shorthand for [`ExtensionError::InvalidInput`].
pub(crate) fn invalid(what: impl Into<String>, reason: impl Into<String>) -> ExtensionError {
    ExtensionError::InvalidInput {
        what: what.into(),
        reason: reason.into(),
    }
}
