//! Versioned domain overlays for the VADER lexicon.
//!
//! An overlay is a small tab-separated file (tabs shown as spaces here):
//!
//! ```text
//! # comment lines start with '#'
//! @version 2026.1
//! buggy    -1.9    source or note (ignored by the parser)
//! customer [support]    0    "support" as a noun is not praise
//! ```
//!
//! A line whose term is one word adds the word or overrides its lexicon valence; a value of 0
//! removes the word from the lexicon (so it is neutral and does not block boosters). A line
//! whose term has several words marks one of them in brackets: wherever the phrase occurs,
//! the marked word takes the value (0 again means "not a lexicon word there"). Phrases are
//! matched on VADER's lowercase tokens.

use std::collections::HashMap;

use crate::FeedbackError;

/// The product-domain overlay shipped with the crate (`data/product_overlay.tsv`).
pub const PRODUCT_OVERLAY: &str = include_str!("../../data/product_overlay.tsv");

/// One phrase rule: the phrase's words and which of them takes the value.
#[derive(Debug, Clone, PartialEq)]
struct PhraseRule {
    words: Vec<String>,
    target: usize,
    value: f64,
}

/// A parsed overlay: word additions/overrides and context phrase rules, with a version that
/// becomes part of the model id.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    version: String,
    words: HashMap<String, f64>,
    phrases: HashMap<String, Vec<PhraseRule>>,
}

impl Overlay {
    /// The bundled product-domain overlay.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::LexiconLine`] if the bundled file is malformed (a corrupted build).
    pub fn product() -> Result<Overlay, FeedbackError> {
        Overlay::parse("product_overlay.tsv", PRODUCT_OVERLAY)
    }

    /// Parses an overlay file (format in the module docs). `file` names it in errors.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::LexiconLine`] for a line without a value, a value that is not a finite
    /// number in -4..=4, a phrase without exactly one bracketed word, or a missing `@version`.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_feedback::sentiment::{Overlay, Vader};
    ///
    /// let overlay = Overlay::parse("mine.tsv", "@version 1\nlaggy\t-1.7\ncustomer [support]\t0\n")?;
    /// let vader = Vader::stock()?.with_overlay(overlay);
    /// assert!(vader.polarity_scores("The app is laggy").compound < 0.0);
    /// assert_eq!(vader.polarity_scores("customer support").compound, 0.0);
    /// assert_eq!(vader.model_id(), "vader-3.3.2+overlay-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Overlay, FeedbackError> {
        let mut version = None;
        let mut words = HashMap::new();
        let mut phrases: HashMap<String, Vec<PhraseRule>> = HashMap::new();
        for (k, raw) in text.lines().enumerate() {
            let bad = |reason: String| FeedbackError::LexiconLine {
                file: file.to_owned(),
                line: k + 1,
                reason,
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(v) = line.strip_prefix("@version") {
                let v = v.trim();
                if v.is_empty() {
                    return Err(bad("@version needs a value".to_owned()));
                }
                version = Some(v.to_owned());
                continue;
            }
            let mut parts = line.split('\t');
            let term = parts.next().unwrap_or_default().trim().to_lowercase();
            let value_text = parts
                .next()
                .ok_or_else(|| bad("expected term<TAB>value".to_owned()))?;
            let value: f64 = value_text
                .trim()
                .parse()
                .map_err(|_| bad(format!("value {value_text:?} is not a number")))?;
            if !value.is_finite() || !(-4.0..=4.0).contains(&value) {
                return Err(bad(format!("value {value} is outside -4..=4")));
            }
            let tokens: Vec<&str> = term.split_whitespace().collect();
            match tokens.as_slice() {
                [] => return Err(bad("empty term".to_owned())),
                [one] if !one.starts_with('[') => {
                    words.insert((*one).to_owned(), value);
                }
                _ => {
                    let marked: Vec<usize> = tokens
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| t.starts_with('[') && t.ends_with(']'))
                        .map(|(i, _)| i)
                        .collect();
                    let [target] = marked.as_slice() else {
                        return Err(bad(format!(
                            "phrase {term:?} must mark exactly one word in brackets"
                        )));
                    };
                    let words_of: Vec<String> = tokens
                        .iter()
                        .map(|t| t.trim_matches(|c| c == '[' || c == ']').to_owned())
                        .collect();
                    let key = words_of[*target].clone();
                    phrases.entry(key).or_default().push(PhraseRule {
                        words: words_of,
                        target: *target,
                        value,
                    });
                }
            }
        }
        let version = version.ok_or_else(|| FeedbackError::LexiconLine {
            file: file.to_owned(),
            line: 0,
            reason: "missing @version line".to_owned(),
        })?;
        Ok(Overlay {
            version,
            words,
            phrases,
        })
    }

    /// The overlay's version, as in the model id.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Number of word entries and phrase rules.
    pub fn len(&self) -> usize {
        self.words.len() + self.phrases.values().map(Vec::len).sum::<usize>()
    }

    /// Whether the overlay changes nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lexicon value of token `i` among lowercase `tokens`, given the base lexicon.
    /// Phrase rules win over word entries, which win over the base lexicon; 0 means "not a
    /// lexicon word".
    pub(crate) fn value(
        &self,
        tokens: &[&str],
        i: usize,
        base: impl Fn(&str) -> Option<f64>,
    ) -> Option<f64> {
        let w = tokens[i];
        if let Some(rules) = self.phrases.get(w) {
            for r in rules {
                if i >= r.target && i - r.target + r.words.len() <= tokens.len() {
                    let start = i - r.target;
                    if r.words.iter().zip(&tokens[start..]).all(|(a, b)| a == b) {
                        return (r.value != 0.0).then_some(r.value);
                    }
                }
            }
        }
        match self.words.get(w) {
            Some(v) => (*v != 0.0).then_some(*v),
            None => base(w),
        }
    }
}
