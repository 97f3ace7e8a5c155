//! A team sentiment model: any base model (VADER) plus the team's own phrase list.
//!
//! VADER scores words; some of the signals a support team cares about are phrases without a
//! sentiment word in them ("considering alternatives", "charged twice"). [`PhraseBoost`]
//! scores the text with the base model, then adds each listed phrase's weight to the compound
//! score, once per occurrence, and clamps the sum to [-1, 1]. The label follows the new
//! compound; the positive, neutral and negative shares and the per-sentence scores stay the
//! base model's, because the phrases do not say which words they move.
//!
//! The list is a small tab-separated file, like the built-in VADER overlay:
//!
//! ```text
//! # comment lines start with '#'
//! @version billing-2026.1
//! charged twice    -0.5    note (ignored)
//! ```
//!
//! Phrases are matched on lowercase alphanumeric word tokens, so "Charged twice!" matches
//! `charged twice` and "overcharged twice" does not.

use prodops_feedback::FeedbackError;
use prodops_feedback::sentiment::{Label, Sentiment, SentimentModel};

use crate::error::ExtensionError;

/// The billing and churn-risk phrase list shipped with this crate (`keywords/billing.tsv`).
pub const BILLING_PHRASES: &str = include_str!("../keywords/billing.tsv");

/// One phrase and the weight it adds to the compound score.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    text: String,
    tokens: Vec<String>,
    weight: f64,
}

impl Phrase {
    /// A phrase with its weight in compound units.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InvalidInput`] for a phrase without a word or a weight that is not a
    /// finite number in -1..=1.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_example_extension::sentiment::Phrase;
    ///
    /// let p = Phrase::new("Charged  Twice", -0.5)?;
    /// assert_eq!(p.text(), "charged twice");
    /// assert!(Phrase::new("...", -0.5).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(text: &str, weight: f64) -> Result<Phrase, ExtensionError> {
        let tokens = tokens(text);
        if tokens.is_empty() {
            return Err(crate::error::invalid(
                format!("phrase {text:?}"),
                "has no word in it",
            ));
        }
        if !weight.is_finite() || !(-1.0..=1.0).contains(&weight) {
            return Err(crate::error::invalid(
                format!("weight of phrase {text:?}"),
                format!("must be a finite number in -1..=1, got {weight}"),
            ));
        }
        Ok(Phrase {
            text: tokens.join(" "),
            tokens,
            weight,
        })
    }

    /// The phrase as matched: its lowercase tokens joined by single spaces.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The weight added per occurrence.
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// How often the phrase occurs in a tokenized text (overlapping occurrences count).
    fn count_in(&self, words: &[String]) -> usize {
        words
            .windows(self.tokens.len())
            .filter(|w| *w == self.tokens.as_slice())
            .count()
    }
}

/// A versioned list of phrases; the version becomes part of the model id.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseList {
    version: String,
    phrases: Vec<Phrase>,
}

impl PhraseList {
    /// A list from phrases.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InvalidInput`] for an empty version or a phrase listed twice.
    pub fn new(
        version: impl Into<String>,
        phrases: Vec<Phrase>,
    ) -> Result<PhraseList, ExtensionError> {
        let version = version.into();
        if version.trim().is_empty() {
            return Err(crate::error::invalid(
                "phrase list version",
                "must not be empty",
            ));
        }
        for (i, p) in phrases.iter().enumerate() {
            if phrases[..i].iter().any(|q| q.text == p.text) {
                return Err(crate::error::invalid(
                    format!("phrase {:?}", p.text),
                    "is listed twice",
                ));
            }
        }
        Ok(PhraseList { version, phrases })
    }

    /// The bundled billing and churn-risk list ([`BILLING_PHRASES`]).
    ///
    /// # Errors
    ///
    /// As [`PhraseList::parse`]; the crate's tests parse the bundled file.
    pub fn billing() -> Result<PhraseList, ExtensionError> {
        PhraseList::parse("billing.tsv", BILLING_PHRASES)
    }

    /// Parses a list file (format in the module docs); `file` names it in errors.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::KeywordLine`] naming the line for a missing weight, a weight that is
    /// not a number in -1..=1, an empty phrase, a phrase listed twice, or a missing `@version`
    /// (line 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_example_extension::sentiment::PhraseList;
    ///
    /// let list = PhraseList::parse("mine.tsv", "@version 3\nnot renewing\t-0.6\n")?;
    /// assert_eq!(list.version(), "3");
    /// assert_eq!(list.adjustment("We are not renewing. Not renewing!"), -1.2);
    /// let err = PhraseList::parse("mine.tsv", "@version 3\nnot renewing\t-6\n")
    ///     .err()
    ///     .map(|e| e.to_string());
    /// assert_eq!(
    ///     err.as_deref(),
    ///     Some("mine.tsv line 2: invalid weight of phrase \"not renewing\": must be a finite number in -1..=1, got -6")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<PhraseList, ExtensionError> {
        let mut version = None;
        let mut phrases: Vec<Phrase> = Vec::new();
        for (k, raw) in text.lines().enumerate() {
            let bad = |reason: String| ExtensionError::KeywordLine {
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
            let phrase = parts.next().unwrap_or_default();
            let weight_text = parts
                .next()
                .ok_or_else(|| bad("expected phrase<TAB>weight".to_owned()))?;
            let weight: f64 = weight_text
                .trim()
                .parse()
                .map_err(|_| bad(format!("weight {weight_text:?} is not a number")))?;
            let p = Phrase::new(phrase, weight).map_err(|e| bad(e.to_string()))?;
            if phrases.iter().any(|q| q.text == p.text) {
                return Err(bad(format!("phrase {:?} is listed twice", p.text)));
            }
            phrases.push(p);
        }
        let version = version.ok_or_else(|| ExtensionError::KeywordLine {
            file: file.to_owned(),
            line: 0,
            reason: "missing @version line".to_owned(),
        })?;
        Ok(PhraseList { version, phrases })
    }

    /// The list's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The phrases in file order.
    pub fn phrases(&self) -> &[Phrase] {
        &self.phrases
    }

    /// The phrases found in `text` with their number of occurrences, in list order.
    pub fn matches(&self, text: &str) -> Vec<(&Phrase, usize)> {
        let words = tokens(text);
        self.phrases
            .iter()
            .map(|p| (p, p.count_in(&words)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The sum of the weights of every occurrence in `text` (before clamping).
    pub fn adjustment(&self, text: &str) -> f64 {
        self.matches(text)
            .iter()
            .map(|(p, n)| p.weight * *n as f64)
            .sum()
    }
}

/// Lowercase runs of alphanumeric characters.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A base [`SentimentModel`] with a [`PhraseList`] on top; itself a [`SentimentModel`], so it
/// goes wherever the built-in VADER model goes (the feedback pipeline, batch scoring).
///
/// # Examples
///
/// ```
/// use prodops_example_extension::sentiment::{PhraseBoost, PhraseList};
/// use prodops_feedback::sentiment::{Label, SentimentModel, VaderModel};
///
/// let model = PhraseBoost::new(VaderModel::stock()?, PhraseList::billing()?);
/// // No VADER word in this text, so VADER says 0; "considering alternatives" adds -0.4.
/// let s = model.score("We are considering alternatives")?;
/// assert_eq!(s.compound, -0.4);
/// assert_eq!(s.label, Label::Negative);
/// assert_eq!(s.model_id, "vader-3.3.2+phrases-billing-2026.1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PhraseBoost<M> {
    base: M,
    phrases: PhraseList,
}

impl<M: SentimentModel> PhraseBoost<M> {
    /// `base` with `phrases` on top.
    pub fn new(base: M, phrases: PhraseList) -> PhraseBoost<M> {
        PhraseBoost { base, phrases }
    }

    /// The base model.
    pub fn base(&self) -> &M {
        &self.base
    }

    /// The phrase list.
    pub fn phrases(&self) -> &PhraseList {
        &self.phrases
    }
}

impl<M: SentimentModel> SentimentModel for PhraseBoost<M> {
    /// The base score with the phrase weights added to the compound and the label redone.
    ///
    /// `Sentiment` has no public constructor, so an extension model adjusts the one its base
    /// model returns; its fields are public.
    fn score(&self, text: &str) -> Result<Sentiment, FeedbackError> {
        let mut s = self.base.score(text)?;
        let adjustment = self.phrases.adjustment(text);
        if adjustment != 0.0 {
            s.compound = (s.compound + adjustment).clamp(-1.0, 1.0);
            s.label = Label::of(s.compound);
        }
        s.model_id = self.model_id();
        Ok(s)
    }

    fn model_id(&self) -> String {
        format!(
            "{}+phrases-{}",
            self.base.model_id(),
            self.phrases.version()
        )
    }
}
