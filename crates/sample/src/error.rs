//! Errors of the sample-data generators.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong while generating or writing sample data.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SampleError {
    /// A configuration value is out of its allowed range.
    #[error("invalid sample configuration: {field} {reason}")]
    InvalidConfig {
        /// The offending field, such as `"experiment.arms"`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Creating or writing an output file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// polars failed to build or serialize a frame.
    #[error("polars error while writing {what}: {source}")]
    Polars {
        /// The table being written.
        what: String,
        /// The underlying error.
        source: polars::error::PolarsError,
    },
    /// A core value could not be built.
    #[error(transparent)]
    Core(#[from] prodops_core::CoreError),
}

/// Shorthand for an invalid-configuration error.
pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> SampleError {
    SampleError::InvalidConfig {
        field,
        reason: reason.into(),
    }
}
