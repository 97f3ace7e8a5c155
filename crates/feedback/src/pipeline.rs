//! The text pipeline in the order the design fixes: clean (NFKC, whitespace) → language →
//! redact → sentiment and intent → themes.
//!
//! Sentiment sees the redacted, cleaned text with case, punctuation and emoji intact (a
//! placeholder such as `[EMAIL]` is one neutral token). Items whose language is reliably
//! detected as not English get no sentiment, with the reason recorded, because VADER is an
//! English lexicon.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::FeedbackError;
use crate::intent::{Intent, intents};
use crate::model::{FeedbackItem, ThemeId};
use crate::pii::{PiiKind, Redactor};
use crate::sentiment::{Sentiment, SentimentModel};
use crate::text::{Language, LanguageDetector, clean};
use crate::themes::ThemeTagger;

/// One processed item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Processed {
    /// The cleaned, redacted text.
    pub text: String,
    /// Redactions per kind.
    pub redactions: BTreeMap<PiiKind, usize>,
    /// Detected language, if any.
    pub language: Option<Language>,
    /// Sentiment, unless skipped.
    pub sentiment: Option<Sentiment>,
    /// Why sentiment was skipped.
    pub sentiment_skipped: Option<String>,
    /// Themes.
    pub themes: Vec<ThemeId>,
    /// Intents (request, bug, praise, question).
    pub intents: Vec<Intent>,
}

/// The configured pipeline.
pub struct Pipeline<'a> {
    redactor: &'a Redactor,
    sentiment: &'a dyn SentimentModel,
    language: &'a dyn LanguageDetector,
    tagger: Option<&'a dyn ThemeTagger>,
}

impl std::fmt::Debug for Pipeline<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("redactor", self.redactor)
            .field("sentiment", &self.sentiment.model_id())
            .field("tagger", &self.tagger.is_some())
            .finish()
    }
}

impl<'a> Pipeline<'a> {
    /// A pipeline from its parts.
    pub fn new(
        redactor: &'a Redactor,
        sentiment: &'a dyn SentimentModel,
        language: &'a dyn LanguageDetector,
    ) -> Pipeline<'a> {
        Pipeline {
            redactor,
            sentiment,
            language,
            tagger: None,
        }
    }

    /// Adds a theme tagger.
    pub fn with_tagger(mut self, tagger: &'a dyn ThemeTagger) -> Pipeline<'a> {
        self.tagger = Some(tagger);
        self
    }

    /// Processes one text.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::EmptyText`] when nothing is left after clean-up; errors of the
    /// sentiment model.
    pub fn process_text(&self, id: &str, text: &str) -> Result<Processed, FeedbackError> {
        let cleaned = clean(text);
        if cleaned.is_empty() {
            return Err(FeedbackError::EmptyText { id: id.to_owned() });
        }
        let language = self.language.detect(&cleaned);
        let redacted = self.redactor.redact(&cleaned);
        let foreign = language.as_ref().filter(|l| l.reliable && l.code != "eng");
        let (sentiment, sentiment_skipped) = match foreign {
            Some(l) => (None, Some(format!("language {} is not English", l.code))),
            None => (Some(self.sentiment.score(&redacted.text)?), None),
        };
        let themes = self
            .tagger
            .map(|t| t.assign(&redacted.text))
            .unwrap_or_default();
        let intents = intents(&redacted.text);
        Ok(Processed {
            text: redacted.text,
            redactions: redacted.counts,
            language,
            sentiment,
            sentiment_skipped,
            themes,
            intents,
        })
    }

    /// Processes items in parallel, in input order.
    pub fn process(&self, items: &[FeedbackItem]) -> Vec<Result<Processed, FeedbackError>> {
        items
            .par_iter()
            .map(|it| self.process_text(it.id.as_str(), &it.text))
            .collect()
    }
}
