//! The error type shared by core's constructors.

use thiserror::Error;

/// What can go wrong when building or combining core values.
///
/// Each prodops crate has its own error enum and wraps this one with `#[from]`, so a caller
/// matching on, say, an experiment error still sees which core value was rejected and why.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// An identifier (account, user, dimension name) failed validation.
    #[error("invalid {kind} {value:?}: {reason}")]
    InvalidId {
        /// Which kind of identifier, such as `"account id"`.
        kind: &'static str,
        /// The rejected input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A currency code is not three ASCII letters.
    #[error("invalid currency code {0:?}: expected three letters such as \"USD\"")]
    InvalidCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// Currency of the left operand.
        left: String,
        /// Currency of the right operand.
        right: String,
    },
    /// A decimal amount could not be parsed or an operation overflowed.
    #[error("invalid amount {input:?}: {reason}")]
    InvalidAmount {
        /// The input or operation that failed.
        input: String,
        /// Why it failed.
        reason: String,
    },
    /// A period or date arithmetic result falls outside the supported calendar range.
    #[error("period out of range: {0}")]
    PeriodOutOfRange(String),
    /// A period label or grain name could not be parsed.
    #[error("cannot parse {what} from {input:?}: {reason}")]
    Parse {
        /// What was being parsed, such as `"period"`.
        what: &'static str,
        /// The rejected input.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A numeric input was NaN or infinite.
    #[error("{what} must be finite, got {value}")]
    NonFinite {
        /// The name of the rejected quantity.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
}
