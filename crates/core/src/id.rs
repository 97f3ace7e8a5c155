//! Identifiers and segments.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// Checks that an identifier is non-empty after trimming, carries no control characters and
/// fits in 256 bytes; returns the trimmed text.
fn validate_id(kind: &'static str, value: &str) -> Result<String, CoreError> {
    let reject = |reason| CoreError::InvalidId {
        kind,
        value: value.to_owned(),
        reason,
    };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(reject("must not be empty"));
    }
    if trimmed.len() > 256 {
        return Err(reject("must be at most 256 bytes"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(reject("must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Defines a validated string identifier newtype.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an identifier: surrounding whitespace is trimmed; the rest
            /// must be non-empty, at most 256 bytes and free of control characters.
            ///
            /// # Errors
            ///
            /// [`CoreError::InvalidId`] naming the rule that failed.
            pub fn new(value: impl AsRef<str>) -> Result<Self, CoreError> {
                validate_id($kind, value.as_ref()).map($name)
            }

            /// The identifier's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = CoreError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CoreError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// The identifier of a customer account (a company or workspace that pays).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_core::AccountId;
    ///
    /// let id = AccountId::new("  acct-0042 ")?;
    /// assert_eq!(id.as_str(), "acct-0042");
    /// assert!(AccountId::new("   ").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    AccountId,
    "account id"
);

string_id!(
    /// The identifier of an individual user (a person, or an anonymous device id).
    UserId,
    "user id"
);

/// The name of a dimension that data can be broken down by, such as `plan` or `region`.
///
/// Names are identifiers: an ASCII letter or `_` first, then letters, digits or `_`, at most
/// 64 bytes. This keeps them safe as column names in polars and SQL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DimensionName(String);

impl DimensionName {
    /// Validates a dimension name.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidId`] when the name is empty, too long or not an identifier.
    pub fn new(value: impl AsRef<str>) -> Result<Self, CoreError> {
        let value = value.as_ref();
        let reject = |reason| CoreError::InvalidId {
            kind: "dimension name",
            value: value.to_owned(),
            reason,
        };
        let mut chars = value.chars();
        match chars.next() {
            None => return Err(reject("must not be empty")),
            Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
                return Err(reject("must start with an ASCII letter or '_'"));
            }
            Some(_) => {}
        }
        if value.len() > 64 {
            return Err(reject("must be at most 64 bytes"));
        }
        if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(reject("may contain only ASCII letters, digits and '_'"));
        }
        Ok(DimensionName(value.to_owned()))
    }

    /// The name's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DimensionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DimensionName {
    type Error = CoreError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        DimensionName::new(s)
    }
}

impl From<DimensionName> for String {
    fn from(d: DimensionName) -> String {
        d.0
    }
}

/// A segment: a set of `dimension = value` pairs that picks out a slice of the data.
///
/// The empty segment is the whole population. Pairs are kept sorted by dimension name and each
/// dimension appears at most once, so two segments built in different orders compare equal and
/// hash alike, which makes `Segment` a safe key for grouped results.
///
/// # Examples
///
/// ```
/// use prodops_core::Segment;
///
/// let a = Segment::all().with("region", "EMEA")?.with("plan", "Pro")?;
/// let b = Segment::all().with("plan", "Pro")?.with("region", "EMEA")?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "plan=Pro, region=EMEA");
/// assert_eq!(a.get("plan"), Some("Pro"));
/// assert_eq!(Segment::all().to_string(), "all");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, String>",
    into = "BTreeMap<String, String>"
)]
pub struct Segment {
    pairs: Vec<(DimensionName, String)>,
}

impl Segment {
    /// The whole population: no dimension fixed.
    pub fn all() -> Segment {
        Segment::default()
    }

    /// This segment with `dimension` fixed to `value`, replacing any earlier value of that
    /// dimension.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidId`] when `dimension` is not a valid [`DimensionName`].
    pub fn with(
        mut self,
        dimension: impl AsRef<str>,
        value: impl Into<String>,
    ) -> Result<Segment, CoreError> {
        let name = DimensionName::new(dimension)?;
        let value = value.into();
        match self.pairs.binary_search_by(|(d, _)| d.cmp(&name)) {
            Ok(i) => self.pairs[i].1 = value,
            Err(i) => self.pairs.insert(i, (name, value)),
        }
        Ok(self)
    }

    /// The value of `dimension` in this segment, if it is fixed.
    pub fn get(&self, dimension: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(d, _)| d.as_str() == dimension)
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is the whole population.
    pub fn is_all(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The `(dimension, value)` pairs, sorted by dimension name.
    pub fn pairs(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&DimensionName, &str)> + ExactSizeIterator {
        self.pairs.iter().map(|(d, v)| (d, v.as_str()))
    }

    /// Whether every pair of `self` is also in `other`: `self` is the same slice or a wider
    /// one that contains `other`.
    pub fn contains(&self, other: &Segment) -> bool {
        self.pairs.iter().all(|p| other.pairs.contains(p))
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pairs.is_empty() {
            return f.write_str("all");
        }
        for (i, (d, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}={v}")?;
        }
        Ok(())
    }
}

impl TryFrom<BTreeMap<String, String>> for Segment {
    type Error = CoreError;

    fn try_from(map: BTreeMap<String, String>) -> Result<Self, Self::Error> {
        map.into_iter()
            .try_fold(Segment::all(), |seg, (d, v)| seg.with(d, v))
    }
}

impl From<Segment> for BTreeMap<String, String> {
    fn from(seg: Segment) -> Self {
        seg.pairs.into_iter().map(|(d, v)| (d.0, v)).collect()
    }
}
