//! Intent tags, kept apart from sentiment so that a polite request ("please add dark mode")
//! is never counted as satisfaction and a calm bug report is still a bug.
//!
//! Rules are phrase lists matched as whole-word sequences on the [`fold`](crate::text::fold())
//! of the text (lowercase words, apostrophes dropped, so "doesn't" is `doesnt`), plus a
//! question mark or a leading interrogative for questions. An item can carry several intents.

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// What the author wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Intent {
    /// Asks for something new.
    Request,
    /// Reports a defect.
    Bug,
    /// Praises the product or the team.
    Praise,
    /// Asks a question.
    Question,
}

const REQUEST: &[&str] = &[
    "please add",
    "could you add",
    "can you add",
    "would be nice",
    "would be great",
    "would love",
    "would make it perfect",
    "i wish",
    "we wish",
    "we need",
    "i need",
    "badly need",
    "feature request",
    "add support for",
    "please support",
    "please make",
    "it would help",
    "still no",
    "is missing",
    "are missing",
    "missing half",
    "cherry on top",
    "ajouter",
    "hinzufügen",
    "añadir",
];
const BUG: &[&str] = &[
    "doesnt work",
    "does not work",
    "not working",
    "stopped working",
    "is broken",
    "broken again",
    "are broken",
    "crash",
    "crashes",
    "crashing",
    "crashed",
    "error",
    "errors",
    "bug",
    "bugs",
    "buggy",
    "fails",
    "failed",
    "failing",
    "wont load",
    "disappear",
    "freezes",
    "outage",
    "charged twice",
    "is wrong",
    "stürzt",
    "se bloquea",
    "ne fonctionne plus",
];
const PRAISE: &[&str] = &[
    "love",
    "loves",
    "great",
    "amazing",
    "excellent",
    "awesome",
    "fantastic",
    "thanks",
    "thank you",
    "beautiful",
    "perfect",
    "rock solid",
    "very stable",
    "smooth",
    "helpful",
    "generous",
    "super fast",
    "snappy",
    "großartig",
    "excelente",
    "merci",
];
const QUESTION_OPENERS: &[&str] = &[
    "how",
    "what",
    "why",
    "when",
    "where",
    "who",
    "which",
    "is there",
    "are there",
    "can we",
    "can i",
    "can you",
    "do you",
    "does",
    "is it",
    "could you",
];

/// Whether `phrase` occurs in the folded text `hay` as a whole-word sequence.
fn has(hay: &str, phrase: &str) -> bool {
    let padded = format!(" {hay} ");
    padded.contains(&format!(" {phrase} "))
}

/// The intents of a text, in the order Request, Bug, Praise, Question.
///
/// # Examples
///
/// ```
/// use prodops_feedback::intent::{Intent, intents};
///
/// assert_eq!(intents("Please add dark mode, I love the app!"), [Intent::Request, Intent::Praise]);
/// assert_eq!(intents("Export doesn't work since Monday"), [Intent::Bug]);
/// assert_eq!(intents("How do I change the billing contact?"), [Intent::Question]);
/// ```
pub fn intents(text: &str) -> Vec<Intent> {
    let f = fold(text);
    let mut out = Vec::new();
    if REQUEST.iter().any(|p| has(&f, &fold(p))) {
        out.push(Intent::Request);
    }
    if BUG.iter().any(|p| has(&f, &fold(p))) {
        out.push(Intent::Bug);
    }
    if PRAISE.iter().any(|p| has(&f, &fold(p))) {
        out.push(Intent::Praise);
    }
    let sentences = text.split(['.', '!', '\n']).map(fold);
    let asks = text.contains('?')
        || sentences.into_iter().any(|s| {
            QUESTION_OPENERS
                .iter()
                .any(|q| s.starts_with(&format!("{q} ")))
        });
    if asks {
        out.push(Intent::Question);
    }
    out
}
