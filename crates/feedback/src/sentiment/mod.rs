//! Sentiment behind the [`SentimentModel`] trait, with VADER as the built-in model.
//!
//! - [`Vader`] is an exact port of vaderSentiment 3.3.2; [`Overlay`] adds a versioned domain
//!   lexicon ([`Overlay::product`] for product feedback).
//! - [`VaderModel`] wraps it as a [`SentimentModel`] in whole-text or sentence mode: long
//!   texts pile up valence until |compound| nears 1 whatever the balance, so sentence mode
//!   scores each UAX #29 sentence and averages, as the VADER README recommends.
//! - [`SentimentModel::score_batch`] scores many texts in parallel with rayon.

mod overlay;
mod vader;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

pub use overlay::{Overlay, PRODUCT_OVERLAY};
pub use vader::{EMOJI_LEXICON, VADER_LEXICON, Vader, VaderScores};

use crate::FeedbackError;

/// Polarity label from the compound score with VADER's README thresholds (±0.05).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// compound ≥ 0.05.
    Positive,
    /// -0.05 < compound < 0.05.
    Neutral,
    /// compound ≤ -0.05.
    Negative,
}

impl Label {
    /// The label of a compound score.
    pub fn of(compound: f64) -> Label {
        if compound >= 0.05 {
            Label::Positive
        } else if compound <= -0.05 {
            Label::Negative
        } else {
            Label::Neutral
        }
    }

    /// The label's name, as in the sample data (`positive`, `neutral`, `negative`).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Positive => "positive",
            Label::Neutral => "neutral",
            Label::Negative => "negative",
        }
    }
}

/// The score of one sentence in sentence mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SentenceScore {
    /// Byte offset of the sentence in the scored text.
    pub start: usize,
    /// Byte length of the sentence.
    pub len: usize,
    /// Compound score of the sentence.
    pub compound: f64,
}

/// A sentiment result: VADER-style shares and compound, the label and the model behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sentiment {
    /// Compound polarity in [-1, 1] (the mean over sentences in sentence mode).
    pub compound: f64,
    /// Positive share in [0, 1].
    pub pos: f64,
    /// Neutral share in [0, 1].
    pub neu: f64,
    /// Negative share in [0, 1].
    pub neg: f64,
    /// Label from the compound score.
    pub label: Label,
    /// The model and lexicon version, such as `vader-3.3.2+overlay-2026.1`.
    pub model_id: String,
    /// Per-sentence scores in sentence mode (empty in whole-text mode).
    pub sentences: Vec<SentenceScore>,
}

impl Sentiment {
    /// The lowest sentence compound (the whole-text compound without sentences).
    pub fn min_sentence(&self) -> f64 {
        self.sentences
            .iter()
            .map(|s| s.compound)
            .fold(self.compound, f64::min)
    }

    /// Share of sentences labelled negative (0 or 1 from the whole text without sentences).
    pub fn negative_share(&self) -> f64 {
        if self.sentences.is_empty() {
            return f64::from(u8::from(self.label == Label::Negative));
        }
        let neg = self
            .sentences
            .iter()
            .filter(|s| s.compound <= -0.05)
            .count();
        neg as f64 / self.sentences.len() as f64
    }
}

/// A sentiment model: one text in, one [`Sentiment`] out.
///
/// Implement [`SentimentModel::score`] and [`SentimentModel::model_id`]; batch scoring in
/// parallel comes for free.
///
/// # Examples
///
/// A user model that calls everything neutral:
///
/// ```
/// use prodops_feedback::FeedbackError;
/// use prodops_feedback::sentiment::{Sentiment, SentimentModel, VaderModel};
///
/// struct Flat;
/// impl SentimentModel for Flat {
///     fn score(&self, text: &str) -> Result<Sentiment, FeedbackError> {
///         // Reuse VADER's result type through a neutral text.
///         VaderModel::stock()?.score(if text.is_empty() { "" } else { "the" })
///     }
///     fn model_id(&self) -> String { "flat-1".into() }
/// }
/// let out = Flat.score_batch(&["great", "awful"]);
/// assert_eq!(out.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SentimentModel: Send + Sync {
    /// Scores one text.
    ///
    /// # Errors
    ///
    /// Model-specific; the built-in model never fails on text.
    fn score(&self, text: &str) -> Result<Sentiment, FeedbackError>;

    /// The model and lexicon version, recorded with every score.
    fn model_id(&self) -> String;

    /// Scores many texts in parallel (rayon), in input order.
    fn score_batch(&self, texts: &[&str]) -> Vec<Result<Sentiment, FeedbackError>> {
        texts.par_iter().map(|t| self.score(t)).collect()
    }
}

impl<T: SentimentModel + ?Sized> SentimentModel for &T {
    fn score(&self, text: &str) -> Result<Sentiment, FeedbackError> {
        (**self).score(text)
    }
    fn model_id(&self) -> String {
        (**self).model_id()
    }
}

impl<T: SentimentModel + ?Sized> SentimentModel for Box<T> {
    fn score(&self, text: &str) -> Result<Sentiment, FeedbackError> {
        (**self).score(text)
    }
    fn model_id(&self) -> String {
        (**self).model_id()
    }
}

/// How [`VaderModel`] treats a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Mode {
    /// One VADER score for the whole text (vaderSentiment's behaviour).
    #[default]
    Whole,
    /// Long texts (see [`VaderModel::with_sentence_min_words`]) of two sentences or more are
    /// scored per UAX #29 sentence; the result is the mean of the sentence scores. Other
    /// texts score as in `Whole`.
    Sentences,
}

/// Default word count from which [`Mode::Sentences`] splits a text.
pub const DEFAULT_SENTENCE_MIN_WORDS: usize = 40;

/// VADER as a [`SentimentModel`].
///
/// # Examples
///
/// ```
/// use prodops_feedback::sentiment::{Label, Mode, SentimentModel, VaderModel};
///
/// let stock = VaderModel::stock()?;
/// let product = VaderModel::product()?.with_mode(Mode::Sentences).with_sentence_min_words(0);
/// let text = "Customer support was quick. The app is buggy and slow.";
/// assert_eq!(stock.score(text)?.label, Label::Positive);
/// let s = product.score(text)?;
/// assert_eq!(s.label, Label::Negative);
/// assert_eq!(s.sentences.len(), 2);
/// assert_eq!(s.model_id, "vader-3.3.2+overlay-2026.1/sentences");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct VaderModel {
    vader: Vader,
    mode: Mode,
    sentence_min_words: usize,
    /// `model_id()`, computed when the mode changes rather than for every text.
    model_id: String,
}

impl VaderModel {
    /// Stock vaderSentiment 3.3.2 in whole-text mode.
    ///
    /// # Errors
    ///
    /// See [`Vader::stock`].
    pub fn stock() -> Result<VaderModel, FeedbackError> {
        Ok(VaderModel::new(Vader::stock()?))
    }

    /// VADER with the bundled product overlay, whole-text mode.
    ///
    /// # Errors
    ///
    /// See [`Vader::stock`] and [`Overlay::product`].
    pub fn product() -> Result<VaderModel, FeedbackError> {
        Ok(VaderModel::new(
            Vader::stock()?.with_overlay(Overlay::product()?),
        ))
    }

    /// Wraps a configured analyser.
    pub fn new(vader: Vader) -> VaderModel {
        VaderModel {
            model_id: vader.model_id(),
            vader,
            mode: Mode::Whole,
            sentence_min_words: DEFAULT_SENTENCE_MIN_WORDS,
        }
    }

    /// In sentence mode, texts with fewer whitespace-separated words than this are scored
    /// whole (default [`DEFAULT_SENTENCE_MIN_WORDS`]): on short multi-sentence texts such as
    /// tweets, averaging sentences dampens strong sentiment and lowers the correlation with
    /// human ratings (measured in the tests and `docs/methods/feedback.md`).
    pub fn with_sentence_min_words(mut self, words: usize) -> VaderModel {
        self.sentence_min_words = words;
        self
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: Mode) -> VaderModel {
        self.mode = mode;
        self.model_id = match mode {
            Mode::Whole => self.vader.model_id(),
            Mode::Sentences => format!("{}/sentences", self.vader.model_id()),
        };
        self
    }

    /// The underlying analyser.
    pub fn vader(&self) -> &Vader {
        &self.vader
    }
}

impl SentimentModel for VaderModel {
    fn score(&self, text: &str) -> Result<Sentiment, FeedbackError> {
        let model_id = self.model_id();
        if self.mode == Mode::Sentences
            && text
                .split_whitespace()
                .nth(self.sentence_min_words.saturating_sub(1))
                .is_some()
        {
            let sentences: Vec<(usize, &str)> = text
                .split_sentence_bound_indices()
                .filter(|(_, s)| {
                    s.chars()
                        .any(|c| c.is_alphanumeric() || (!c.is_ascii() && !c.is_whitespace()))
                })
                .collect();
            if sentences.len() > 1 {
                let scores: Vec<VaderScores> = sentences
                    .iter()
                    .map(|(_, s)| self.vader.polarity_scores(s))
                    .collect();
                let n = scores.len() as f64;
                let mean = |f: fn(&VaderScores) -> f64| scores.iter().map(f).sum::<f64>() / n;
                let compound = mean(|s| s.compound);
                return Ok(Sentiment {
                    compound,
                    pos: mean(|s| s.pos),
                    neu: mean(|s| s.neu),
                    neg: mean(|s| s.neg),
                    label: Label::of(compound),
                    model_id,
                    sentences: sentences
                        .iter()
                        .zip(&scores)
                        .map(|((start, s), v)| SentenceScore {
                            start: *start,
                            len: s.len(),
                            compound: v.compound,
                        })
                        .collect(),
                });
            }
        }
        let s = self.vader.polarity_scores(text);
        Ok(Sentiment {
            compound: s.compound,
            pos: s.pos,
            neu: s.neu,
            neg: s.neg,
            label: Label::of(s.compound),
            model_id,
            sentences: Vec::new(),
        })
    }

    fn model_id(&self) -> String {
        self.model_id.clone()
    }

    /// In rayon tasks of at least 64 texts: a short text scores in about a microsecond, less
    /// than the cost of scheduling it alone.
    fn score_batch(&self, texts: &[&str]) -> Vec<Result<Sentiment, FeedbackError>> {
        texts
            .par_iter()
            .with_min_len(64)
            .map(|t| self.score(t))
            .collect()
    }
}
