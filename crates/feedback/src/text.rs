//! Text clean-up and language detection.
//!
//! [`clean`] applies Unicode NFKC normalisation (compatibility characters such as full-width
//! letters, ligatures and non-breaking spaces fold to their plain forms), removes control and
//! zero-width characters, and collapses runs of whitespace to one space. Sentiment should see
//! the cleaned text with case, punctuation and emoji intact; [`fold`] (lowercase, alphanumeric
//! words only) is for matching, themes and deduplication.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// NFKC, control and zero-width characters removed, whitespace runs collapsed to one space,
/// trimmed.
///
/// # Examples
///
/// ```
/// use prodops_feedback::text::clean;
/// assert_eq!(clean("  Ｓｌｏｗ\u{00A0}\u{00A0}app\u{200B}!\n\n"), "Slow app!");
/// assert_eq!(clean("ﬁle"), "file");
/// ```
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkc() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}') {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Lowercase alphanumeric words of the NFKC form, joined by single spaces: the key for exact
/// duplicate detection and the input of theme matching.
///
/// # Examples
///
/// ```
/// use prodops_feedback::text::fold;
/// assert_eq!(fold("The App CRASHES!!  (again)"), "the app crashes again");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// The lowercase alphanumeric words of the NFKC form (apostrophes inside words are dropped,
/// so "don't" becomes "dont").
pub fn words(text: &str) -> Vec<String> {
    // NFKC leaves ASCII unchanged, so ASCII text skips the normalizer.
    let norm: String = if text.is_ascii() {
        text.chars()
            .filter(|c| *c != '\'')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    } else {
        text.nfkc()
            .filter(|c| *c != '\'' && *c != '’')
            .collect::<String>()
            .to_lowercase()
    };
    norm.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A detected language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Language {
    /// ISO 639-3 code, such as `eng` or `deu`.
    pub code: String,
    /// ISO 639-1 code where one exists, such as `en`.
    pub code_639_1: Option<String>,
    /// Detector confidence in [0, 1].
    pub confidence: f64,
    /// Whether the detector considers the result reliable.
    pub reliable: bool,
}

/// A language detector.
pub trait LanguageDetector: Send + Sync {
    /// The language of `text`, or `None` when it cannot tell.
    fn detect(&self, text: &str) -> Option<Language>;
}

/// Language detection with `whatlang` (trigram profiles, 69 languages).
#[derive(Debug, Clone, Copy, Default)]
pub struct Whatlang;

impl LanguageDetector for Whatlang {
    fn detect(&self, text: &str) -> Option<Language> {
        let info = whatlang::detect(text)?;
        let code = info.lang().code().to_owned();
        Some(Language {
            code_639_1: iso_639_1(&code).map(str::to_owned),
            code,
            confidence: info.confidence(),
            reliable: info.is_reliable(),
        })
    }
}

/// ISO 639-1 codes for the languages most feedback arrives in.
fn iso_639_1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "eng" => "en",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" => "nl",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "no",
        "fin" => "fi",
        "pol" => "pl",
        "ces" => "cs",
        "rus" => "ru",
        "ukr" => "uk",
        "tur" => "tr",
        "ara" => "ar",
        "heb" => "he",
        "hin" => "hi",
        "jpn" => "ja",
        "kor" => "ko",
        "cmn" => "zh",
        "vie" => "vi",
        "ind" => "id",
        "ron" => "ro",
        "hun" => "hu",
        "ell" => "el",
        _ => return None,
    })
}
