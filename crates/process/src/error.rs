//! The one error type of prodops-process.

use std::fmt;

use prodops_core::CoreError;
use thiserror::Error;

/// One problem found in a template, located in its file.
///
/// `path` is the place inside the file in the usual dotted form (`stages[2].tasks[4].depends_on[0]`),
/// `message` says what is wrong and `suggestion`, where one exists, what was probably meant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The file (or source name) the element came from.
    pub file: String,
    /// The path of the element inside that file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What was probably meant, such as "did you mean `qa-signoff`?".
    pub suggestion: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(file: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            path: path.into(),
            message: message.into(),
            suggestion: None,
        }
    }

    pub(crate) fn suggest(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " ({s})")?;
        }
        Ok(())
    }
}

/// Every problem validation found, in file order. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationErrors {
    /// The problems.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s) in template", self.diagnostics.len())?;
        for d in &self.diagnostics {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

/// What can go wrong when loading, validating, instantiating, scoring or rendering.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// A template, calendar or progress file could not be parsed.
    #[error("{file}: cannot parse {format}: {message}")]
    Parse {
        /// The file or source name.
        file: String,
        /// The format, such as `"TOML"`.
        format: &'static str,
        /// The parser's message, which carries the line and column where it has them.
        message: String,
    },
    /// A file could not be read.
    #[error("{file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's message.
        message: String,
    },
    /// A file name has no extension that says its format.
    #[error("{0}: unknown template format (expected .toml, .yaml, .yml or .json)")]
    UnknownFormat(String),
    /// The template has problems; all of them are listed.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// A template id is not in the library.
    #[error("no template `{id}` in the library{}", suggestion.as_ref().map(|s| format!(" ({s})")).unwrap_or_default())]
    UnknownTemplate {
        /// The requested id.
        id: String,
        /// The closest known id, phrased as a suggestion.
        suggestion: Option<String>,
    },
    /// A template with this id is already in the library.
    #[error("template `{0}` is already in the library")]
    DuplicateTemplate(String),
    /// A parameter binding is wrong: unknown name, wrong kind, a value not allowed, or missing.
    #[error("parameter `{name}`: {reason}")]
    Parameter {
        /// The parameter.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Instantiation cannot produce a plan (for example an offset anchored on a task that the
    /// parameters excluded, or a date outside the supported range).
    #[error("cannot schedule `{task}`: {reason}")]
    Schedule {
        /// The task.
        task: String,
        /// Why.
        reason: String,
    },
    /// Progress mentions a task or gate that the plan does not have.
    #[error("progress refers to unknown {kind} `{id}`")]
    UnknownProgressItem {
        /// `"task"` or `"gate"`.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A prioritization input is out of its domain.
    #[error("item `{item}`: {what} {reason}")]
    Score {
        /// The item id.
        item: String,
        /// The input, such as `"effort"`.
        what: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A prioritization method was configured wrongly (weights, scale).
    #[error("invalid {what}: {reason}")]
    Config {
        /// What was configured.
        what: String,
        /// Why it is rejected.
        reason: String,
    },
    /// Two items to rank share an id.
    #[error("duplicate item id `{0}` in a ranking")]
    DuplicateItem(String),
    /// A user renderer template failed to compile or render.
    #[error("render template: {0}")]
    Render(String),
    /// A core value was rejected.
    #[error(transparent)]
    Core(#[from] CoreError),
}
