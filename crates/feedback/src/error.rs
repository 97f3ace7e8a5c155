//! The errors of feedback processing.

use prodops_core::CoreError;
use thiserror::Error;

/// What can go wrong when building, loading or analysing feedback.
///
/// Every variant names the ids, line or field involved. Row-level problems during ingestion do
/// not surface here: they become rejected rows in the [`prodops_core::IngestReport`].
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FeedbackError {
    /// A core value (id, money, period) was invalid.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An input value is outside its domain.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which input, such as `"half-life"`.
        what: String,
        /// Why it is invalid.
        reason: String,
    },
    /// An importance level outside 0..=3.
    #[error("invalid importance {0}: expected 0 (not important) to 3 (critical)")]
    InvalidImportance(i64),
    /// A score outside the range of its scale.
    #[error("invalid {scale} score {value}: expected {min}..={max}")]
    InvalidScore {
        /// The scale, such as `"NPS"`.
        scale: &'static str,
        /// The rejected value.
        value: f64,
        /// Lowest allowed value.
        min: f64,
        /// Highest allowed value.
        max: f64,
    },
    /// Feedback text that is empty after whitespace clean-up.
    #[error("feedback {id}: text is empty")]
    EmptyText {
        /// The item's id.
        id: String,
    },
    /// A reference to an account that is not known.
    #[error("unknown account {account} referenced by {by}")]
    UnknownAccount {
        /// The missing account.
        account: String,
        /// The item or link that referenced it.
        by: String,
    },
    /// A reference to a feature request that is not known.
    #[error("unknown feature request {0}")]
    UnknownRequest(String),
    /// A reference to a theme that is not in the taxonomy.
    #[error("unknown theme {theme} referenced by {by}")]
    UnknownTheme {
        /// The missing theme id.
        theme: String,
        /// What referenced it (a parent theme, a rule, an item).
        by: String,
    },
    /// A theme id defined twice in a taxonomy.
    #[error("theme {0} is defined twice")]
    DuplicateTheme(String),
    /// A status change the workflow does not allow.
    #[error("request {request}: cannot move from {from} to {to}")]
    InvalidTransition {
        /// The request.
        request: String,
        /// Current status.
        from: String,
        /// Requested status.
        to: String,
    },
    /// A vote or link on a request whose status is closed.
    #[error("request {request} is {status}: it accepts no votes or links")]
    VoteOnClosedRequest {
        /// The request.
        request: String,
        /// Its status.
        status: String,
    },
    /// A request merged into itself.
    #[error("request {0} cannot be merged into itself")]
    SelfMerge(String),
    /// A merge that would make a cycle of duplicates.
    #[error("merging {from} into {into} would make a cycle")]
    MergeCycle {
        /// The request being merged away.
        from: String,
        /// The target.
        into: String,
    },
    /// A malformed line in a lexicon or overlay file.
    #[error("{file} line {line}: {reason}")]
    LexiconLine {
        /// The file, such as `"vader_lexicon.txt"`.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A file or stream could not be read or parsed as a whole (not a row-level problem).
    #[error("cannot read {source_name}: {reason}")]
    Ingest {
        /// The source, such as a file path.
        source_name: String,
        /// Why.
        reason: String,
    },
    /// A column named in the mapping is missing from the input.
    #[error("{source_name}: column {column:?} (for {field}) is missing")]
    MissingColumn {
        /// The source.
        source_name: String,
        /// The expected column name.
        column: String,
        /// The field it maps to.
        field: &'static str,
    },
}
