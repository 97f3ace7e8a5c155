//! Intent tags, kept apart from sentiment so that a polite request ("please add dark mode")
//! is never counted as satisfaction and a calm bug report is still a bug.
//!
//! Rules are phrase lists matched as whole-word sequences on the [`fold`](crate::text::fold())
//! of the text (lowercase words, apostrophes dropped, so "doesn't" is `doesnt`), plus a
//! question mark or a leading interrogative for questions. An item can carry several intents.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
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

/// The phrases of every list, folded and padded with one space on each side, so that a
/// match in the padded folded text is a whole-word sequence; `kinds[k]` is pattern `k`'s
/// intent. Built once: folding is an NFKC pass, too dear to repeat per phrase and text.
struct Phrases {
    patterns: Vec<String>,
    kinds: Vec<Intent>,
    /// All patterns in one automaton; `None` only if it could not be built, in which case
    /// each pattern is searched on its own (same answers, slower).
    automaton: Option<AhoCorasick>,
}

fn phrases() -> &'static Phrases {
    static PHRASES: OnceLock<Phrases> = OnceLock::new();
    PHRASES.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut kinds = Vec::new();
        for (kind, list) in [
            (Intent::Request, REQUEST),
            (Intent::Bug, BUG),
            (Intent::Praise, PRAISE),
        ] {
            for p in list {
                patterns.push(format!(" {} ", fold(p)));
                kinds.push(kind);
            }
        }
        Phrases {
            automaton: AhoCorasick::new(&patterns).ok(),
            patterns,
            kinds,
        }
    })
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
    let phrases = phrases();
    let padded = format!(" {} ", fold(text));
    // Overlapping matches: adjacent phrases share the space between them.
    let mut found = [false; 3];
    let mut mark = |k: usize| match phrases.kinds[k] {
        Intent::Request => found[0] = true,
        Intent::Bug => found[1] = true,
        _ => found[2] = true,
    };
    match &phrases.automaton {
        Some(ac) => ac
            .find_overlapping_iter(&padded)
            .for_each(|m| mark(m.pattern().as_usize())),
        None => (0..phrases.patterns.len())
            .filter(|&k| padded.contains(&phrases.patterns[k]))
            .for_each(&mut mark),
    }
    let mut out: Vec<Intent> = [Intent::Request, Intent::Bug, Intent::Praise]
        .into_iter()
        .zip(found)
        .filter_map(|(intent, hit)| hit.then_some(intent))
        .collect();
    let asks = text.contains('?')
        || text.split(['.', '!', '\n']).any(|s| {
            let s = fold(s);
            QUESTION_OPENERS
                .iter()
                .any(|q| s.strip_prefix(q).is_some_and(|rest| rest.starts_with(' ')))
        });
    if asks {
        out.push(Intent::Question);
    }
    out
}
