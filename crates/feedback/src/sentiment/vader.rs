//! A faithful port of vaderSentiment 3.3.2 (Hutto & Gilbert, ICWSM-14), with an optional
//! domain overlay.
//!
//! With no overlay, [`Vader::polarity_scores`] returns the same `neg`, `neu`, `pos` and
//! `compound` as Python's `SentimentIntensityAnalyzer().polarity_scores` to the last printed
//! digit; the integration tests check this on VADER's own examples, the bundled feedback
//! sample, generated edge cases and the 23,703 texts of the ICWSM-14 ground-truth sets.
//!
//! Python semantics copied on purpose: `str.split()` whitespace (which includes U+001C to
//! U+001F), `str.isupper()` (at least one cased character, none lower or title case),
//! `list.index` in the "but" rule (the first equal value is the one rescaled), and `round` to
//! nearest with ties to even on the exact binary value.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::FeedbackError;
use crate::sentiment::overlay::Overlay;

/// Mean rating increase of a booster word ("very", "extremely").
const B_INCR: f64 = 0.293;
/// Mean rating decrease of a dampener ("barely", "kind of").
const B_DECR: f64 = -0.293;
/// Mean rating increase of an ALL-CAPS word among mixed-case text.
const C_INCR: f64 = 0.733;
/// Factor applied to a negated valence.
const N_SCALAR: f64 = -0.74;
/// Normalisation constant of the compound score, S / sqrt(S² + ALPHA).
const ALPHA: f64 = 15.0;

/// The lexicon of vaderSentiment 3.3.2 (MIT; see `data/VADER_LICENSE.txt`).
pub const VADER_LEXICON: &str = include_str!("../../data/vader_lexicon.txt");
/// The emoji descriptions of vaderSentiment 3.3.2 (MIT; see `data/VADER_LICENSE.txt`).
pub const EMOJI_LEXICON: &str = include_str!("../../data/emoji_utf8_lexicon.txt");

/// Words that negate the valence of a following lexicon word, as VADER's `NEGATE`.
const NEGATE: [&str; 59] = [
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

/// VADER's `BOOSTER_DICT` for single tokens.
fn booster(word: &str) -> Option<f64> {
    Some(match word {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably"
        | "decidedly" | "deeply" | "effing" | "enormous" | "enormously" | "entirely"
        | "especially" | "exceptional" | "exceptionally" | "extreme" | "extremely"
        | "fabulously" | "flipping" | "flippin" | "frackin" | "fracking" | "fricking"
        | "frickin" | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin"
        | "fugging" | "greatly" | "hella" | "highly" | "hugely" | "incredible" | "incredibly"
        | "intensely" | "major" | "majorly" | "more" | "most" | "particularly" | "purely"
        | "quite" | "really" | "remarkably" | "so" | "substantially" | "thoroughly" | "total"
        | "totally" | "tremendous" | "tremendously" | "uber" | "unbelievably" | "unusually"
        | "utter" | "utterly" | "very" => B_INCR,
        "almost" | "barely" | "hardly" | "kinda" | "kindof" | "kind-of" | "less" | "little"
        | "marginal" | "marginally" | "occasional" | "occasionally" | "partly" | "scarce"
        | "scarcely" | "slight" | "slightly" | "somewhat" | "sorta" | "sortof" | "sort-of" => {
            B_DECR
        }
        _ => return None,
    })
}

/// VADER's two-word `BOOSTER_DICT` keys ("just enough", "kind of", "sort of").
fn booster2(a: &str, b: &str) -> Option<f64> {
    match (a, b) {
        ("just", "enough") | ("kind", "of") | ("sort", "of") => Some(B_DECR),
        _ => None,
    }
}

/// VADER's two-word `SPECIAL_CASES` idioms. (The one-word key "badass" can never match a
/// two- or three-token sequence, so it has no effect in 3.3.2 and is left out.)
fn special2(a: &str, b: &str) -> Option<f64> {
    Some(match (a, b) {
        ("the", "shit") | ("the", "bomb") => 3.0,
        ("bad", "ass") => 1.5,
        ("bus", "stop") => 0.0,
        ("yeah", "right") => -2.0,
        ("beating", "heart") => 3.5,
        _ => return None,
    })
}

/// VADER's three-word `SPECIAL_CASES` idioms.
fn special3(a: &str, b: &str, c: &str) -> Option<f64> {
    Some(match (a, b, c) {
        ("kiss", "of", "death") => -1.5,
        ("to", "die", "for") => 3.0,
        _ => return None,
    })
}

/// Python's `str.isspace` for one character: Unicode `White_Space` plus U+001C..U+001F.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Unicode titlecase letters (category Lt), which make Python's `isupper` false.
fn is_titlecase(c: char) -> bool {
    matches!(c,
        '\u{01C5}' | '\u{01C8}' | '\u{01CB}' | '\u{01F2}' | '\u{1F88}'..='\u{1F8F}'
        | '\u{1F98}'..='\u{1F9F}' | '\u{1FA8}'..='\u{1FAF}' | '\u{1FBC}' | '\u{1FCC}' | '\u{1FFC}')
}

/// Python's `str.isupper`: at least one cased character and none lower or title case.
fn py_isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// Python's `round(x, digits)`: the nearest decimal with ties to even on the exact binary
/// value, which is what Rust's formatting with a precision computes.
pub(crate) fn py_round(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// VADER's `_strip_punc_if_word`: strip ASCII punctuation at both ends unless that leaves two
/// characters or fewer (which keeps emoticons such as `:)` whole).
fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().take(3).count() <= 2 {
        token
    } else {
        stripped
    }
}

/// Whether a lowercase token negates, as VADER's `negated([word])`.
fn negated(word: &str) -> bool {
    NEGATE.contains(&word) || word.contains("n't")
}

/// The four scores of VADER's `polarity_scores`, rounded as Python rounds them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct VaderScores {
    /// Share of negative valence, rounded to 3 decimals.
    pub neg: f64,
    /// Share of neutral tokens, rounded to 3 decimals.
    pub neu: f64,
    /// Share of positive valence, rounded to 3 decimals.
    pub pos: f64,
    /// Normalised sum of valences in [-1, 1], rounded to 4 decimals.
    pub compound: f64,
}

/// The VADER analyser: lexicon, emoji descriptions and an optional overlay.
///
/// # Examples
///
/// ```
/// use prodops_feedback::sentiment::Vader;
///
/// let vader = Vader::stock()?;
/// let s = vader.polarity_scores("VADER is smart, handsome, and funny!");
/// // vaderSentiment 3.3.2 prints {'neg': 0.0, 'neu': 0.248, 'pos': 0.752, 'compound': 0.8439}
/// assert_eq!((s.neg, s.neu, s.pos, s.compound), (0.0, 0.248, 0.752, 0.8439));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Vader {
    lexicon: HashMap<String, f64>,
    emojis: HashMap<char, String>,
    overlay: Option<Overlay>,
}

/// The parsed stock lexicons, shared by every [`Vader::stock`] call.
type Lexicons = (HashMap<String, f64>, HashMap<char, String>);
static STOCK: OnceLock<Result<Lexicons, FeedbackError>> = OnceLock::new();

impl Vader {
    /// The stock vaderSentiment 3.3.2 analyser with its bundled lexicons.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::LexiconLine`] if a bundled lexicon line is malformed (the tests parse
    /// both files, so this signals a corrupted build).
    pub fn stock() -> Result<Vader, FeedbackError> {
        let parsed = STOCK.get_or_init(|| {
            Ok((
                parse_lexicon("vader_lexicon.txt", VADER_LEXICON)?,
                parse_emoji(EMOJI_LEXICON)?,
            ))
        });
        let (lexicon, emojis) = parsed.clone()?;
        Ok(Vader {
            lexicon,
            emojis,
            overlay: None,
        })
    }

    /// An analyser from a custom lexicon in VADER's tab-separated format (token, mean rating,
    /// further columns ignored) and the stock emoji descriptions.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::LexiconLine`] naming the first malformed line.
    pub fn with_lexicon(lexicon_tsv: &str) -> Result<Vader, FeedbackError> {
        let mut v = Vader::stock()?;
        v.lexicon = parse_lexicon("custom lexicon", lexicon_tsv)?;
        Ok(v)
    }

    /// Adds a domain overlay: word additions and overrides plus phrase rules that change a
    /// word's valence in context (see [`Overlay`]).
    pub fn with_overlay(mut self, overlay: Overlay) -> Vader {
        self.overlay = Some(overlay);
        self
    }

    /// The overlay in use, if any.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// The model id, `vader-3.3.2` or `vader-3.3.2+overlay-<version>`.
    pub fn model_id(&self) -> String {
        match &self.overlay {
            None => "vader-3.3.2".to_owned(),
            Some(o) => format!("vader-3.3.2+overlay-{}", o.version()),
        }
    }

    /// The valence of a lowercase word in the base lexicon, if it has one.
    pub fn lexicon_value(&self, word: &str) -> Option<f64> {
        self.lexicon.get(word).copied()
    }

    /// Scores one text as vaderSentiment 3.3.2's `polarity_scores` does (plus the overlay, if
    /// one is set).
    pub fn polarity_scores(&self, text: &str) -> VaderScores {
        let text = self.replace_emoji(text);
        let text = text.trim_matches(is_py_space);
        let tokens: Vec<&str> = text
            .split(is_py_space)
            .filter(|t| !t.is_empty())
            .map(strip_punc_if_word)
            .collect();
        let lower: Vec<String> = tokens.iter().map(|t| t.to_lowercase()).collect();
        let lex = self.lexicon_values(&lower);
        let upper: Vec<bool> = tokens.iter().map(|t| py_isupper(t)).collect();
        let n_upper = upper.iter().filter(|u| **u).count();
        let is_cap_diff = n_upper > 0 && n_upper < tokens.len();
        let ctx = Ctx {
            lower: &lower,
            lex: &lex,
            upper: &upper,
            is_cap_diff,
        };
        let mut sentiments = Vec::with_capacity(tokens.len());
        for i in 0..tokens.len() {
            let w = lower[i].as_str();
            if booster(w).is_some() || (i + 1 < tokens.len() && w == "kind" && lower[i + 1] == "of")
            {
                sentiments.push(0.0);
                continue;
            }
            sentiments.push(ctx.valence(i));
        }
        but_check(&lower, &mut sentiments);
        score_valence(&sentiments, text)
    }

    /// The per-token lexicon values, with the overlay's additions, overrides and phrase rules.
    fn lexicon_values(&self, lower: &[String]) -> Vec<Option<f64>> {
        match &self.overlay {
            None => lower
                .iter()
                .map(|w| self.lexicon.get(w.as_str()).copied())
                .collect(),
            Some(o) => (0..lower.len())
                .map(|i| o.value(lower, i, |w| self.lexicon.get(w).copied()))
                .collect(),
        }
    }

    /// VADER's emoji pass: each emoji in the lexicon becomes its description, preceded by a
    /// space unless at the start or after a space.
    fn replace_emoji(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        let mut prev_space = true;
        for c in text.chars() {
            match (!c.is_ascii()).then(|| self.emojis.get(&c)).flatten() {
                Some(desc) => {
                    if !prev_space {
                        out.push(' ');
                    }
                    out.push_str(desc);
                    prev_space = false;
                }
                None => {
                    out.push(c);
                    prev_space = c == ' ';
                }
            }
        }
        out
    }
}

/// The per-text arrays the valence rules read.
struct Ctx<'a> {
    lower: &'a [String],
    lex: &'a [Option<f64>],
    upper: &'a [bool],
    is_cap_diff: bool,
}

impl Ctx<'_> {
    fn w(&self, i: usize) -> &str {
        self.lower[i].as_str()
    }

    /// VADER's `sentiment_valence` for token `i` (not a booster).
    fn valence(&self, i: usize) -> f64 {
        let n = self.lower.len();
        let Some(lex_value) = self.lex[i] else {
            return 0.0;
        };
        let mut v = lex_value;
        if self.w(i) == "no" && i != n - 1 && self.lex[i + 1].is_some() {
            v = 0.0;
        }
        if (i > 0 && self.w(i - 1) == "no")
            || (i > 1 && self.w(i - 2) == "no")
            || (i > 2 && self.w(i - 3) == "no" && matches!(self.w(i - 1), "or" | "nor"))
        {
            v = lex_value * N_SCALAR;
        }
        if self.upper[i] && self.is_cap_diff {
            if v > 0.0 {
                v += C_INCR;
            } else {
                v -= C_INCR;
            }
        }
        for start_i in 0..3 {
            let j = start_i + 1;
            if i > start_i && self.lex[i - j].is_none() {
                let mut s = self.scalar_inc_dec(i - j, v);
                if start_i == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start_i == 2 && s != 0.0 {
                    s *= 0.9;
                }
                v += s;
                v = self.negation_check(v, start_i, i);
                if start_i == 2 {
                    v = self.special_idioms_check(v, i);
                }
            }
        }
        self.least_check(v, i)
    }

    /// VADER's `scalar_inc_dec` for the word at `k` modifying valence `v`.
    fn scalar_inc_dec(&self, k: usize, v: f64) -> f64 {
        let Some(b) = booster(self.w(k)) else {
            return 0.0;
        };
        let mut scalar = if v < 0.0 { -b } else { b };
        if self.upper[k] && self.is_cap_diff {
            if v > 0.0 {
                scalar += C_INCR;
            } else {
                scalar -= C_INCR;
            }
        }
        scalar
    }

    /// VADER's `_negation_check`, including its operator-precedence quirk at distance 3
    /// ("so"/"this" right before the word scales by 1.25 on its own).
    fn negation_check(&self, v: f64, start_i: usize, i: usize) -> f64 {
        match start_i {
            0 => {
                if negated(self.w(i - 1)) {
                    return v * N_SCALAR;
                }
            }
            1 => {
                if self.w(i - 2) == "never" && matches!(self.w(i - 1), "so" | "this") {
                    return v * 1.25;
                } else if self.w(i - 2) == "without" && self.w(i - 1) == "doubt" {
                    return v;
                } else if negated(self.w(i - 2)) {
                    return v * N_SCALAR;
                }
            }
            _ => {
                if (self.w(i - 3) == "never" && matches!(self.w(i - 2), "so" | "this"))
                    || matches!(self.w(i - 1), "so" | "this")
                {
                    return v * 1.25;
                } else if self.w(i - 3) == "without"
                    && (self.w(i - 2) == "doubt" || self.w(i - 1) == "doubt")
                {
                    return v;
                } else if negated(self.w(i - 3)) {
                    return v * N_SCALAR;
                }
            }
        }
        v
    }

    /// VADER's `_special_idioms_check` (only reached with `i >= 3`).
    fn special_idioms_check(&self, mut v: f64, i: usize) -> f64 {
        let n = self.lower.len();
        let (w3, w2, w1, w0) = (self.w(i - 3), self.w(i - 2), self.w(i - 1), self.w(i));
        let hit = special2(w1, w0)
            .or_else(|| special3(w2, w1, w0))
            .or_else(|| special2(w2, w1))
            .or_else(|| special3(w3, w2, w1))
            .or_else(|| special2(w3, w2));
        if let Some(x) = hit {
            v = x;
        }
        if n - 1 > i
            && let Some(x) = special2(w0, self.w(i + 1))
        {
            v = x;
        }
        if n - 1 > i + 1
            && let Some(x) = special3(w0, self.w(i + 1), self.w(i + 2))
        {
            v = x;
        }
        // Booster n-grams among the three preceding words; the three-word key never exists.
        for (a, b) in [(w3, w2), (w2, w1)] {
            if let Some(x) = booster2(a, b) {
                v += x;
            }
        }
        v
    }

    /// VADER's `_least_check`: "least" before a word negates it unless "at least"/"very least".
    fn least_check(&self, v: f64, i: usize) -> f64 {
        if i > 0 && self.lex[i - 1].is_none() && self.w(i - 1) == "least" {
            if i > 1 {
                if self.w(i - 2) != "at" && self.w(i - 2) != "very" {
                    return v * N_SCALAR;
                }
            } else {
                return v * N_SCALAR;
            }
        }
        v
    }
}

/// VADER's `_but_check`, replaying Python's `list.index` lookups exactly.
fn but_check(lower: &[String], sentiments: &mut [f64]) {
    let Some(bi) = lower.iter().position(|w| w == "but") else {
        return;
    };
    for k in 0..sentiments.len() {
        let v = sentiments[k];
        let j = sentiments.iter().position(|x| *x == v).unwrap_or(k);
        if j < bi {
            sentiments[j] = v * 0.5;
        } else if j > bi {
            sentiments[j] = v * 1.5;
        }
    }
}

/// VADER's punctuation emphasis: up to four `!` at 0.292 each; 2–3 `?` at 0.18 each, more at 0.96.
fn punctuation_emphasis(text: &str) -> f64 {
    let ep = text.matches('!').count().min(4) as f64 * 0.292;
    let qm_count = text.matches('?').count();
    let qm = match qm_count {
        0 | 1 => 0.0,
        2 | 3 => qm_count as f64 * 0.18,
        _ => 0.96,
    };
    ep + qm
}

/// VADER's `score_valence`.
fn score_valence(sentiments: &[f64], text: &str) -> VaderScores {
    if sentiments.is_empty() {
        return VaderScores {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    let mut sum_s: f64 = sentiments.iter().fold(0.0, |a, b| a + b);
    let punct = punctuation_emphasis(text);
    if sum_s > 0.0 {
        sum_s += punct;
    } else if sum_s < 0.0 {
        sum_s -= punct;
    }
    let compound = (sum_s / (sum_s * sum_s + ALPHA).sqrt()).clamp(-1.0, 1.0);
    let (mut pos_sum, mut neg_sum, mut neu_count) = (0.0_f64, 0.0_f64, 0_usize);
    for &s in sentiments {
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += punct;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct;
    }
    let total = pos_sum + neg_sum.abs() + neu_count as f64;
    VaderScores {
        neg: py_round((neg_sum / total).abs(), 3),
        neu: py_round((neu_count as f64 / total).abs(), 3),
        pos: py_round((pos_sum / total).abs(), 3),
        compound: py_round(compound, 4),
    }
}

/// Parses a VADER-format lexicon: `token<TAB>mean[<TAB>...]`; later duplicates win.
pub(crate) fn parse_lexicon(file: &str, text: &str) -> Result<HashMap<String, f64>, FeedbackError> {
    let mut out = HashMap::with_capacity(8192);
    for (k, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = |reason: String| FeedbackError::LexiconLine {
            file: file.to_owned(),
            line: k + 1,
            reason,
        };
        let mut parts = line.trim_matches(is_py_space).split('\t');
        let word = parts.next().unwrap_or_default();
        let measure = parts
            .next()
            .ok_or_else(|| bad("expected token<TAB>mean rating".to_owned()))?;
        let value: f64 = measure
            .trim()
            .parse()
            .map_err(|_| bad(format!("rating {measure:?} is not a number")))?;
        if !value.is_finite() {
            return Err(bad(format!("rating {measure:?} is not finite")));
        }
        out.insert(word.to_owned(), value);
    }
    Ok(out)
}

/// Parses the emoji lexicon: `emoji<TAB>description`. Keys of more than one code point can
/// never match VADER's character-by-character scan, so they are skipped.
fn parse_emoji(text: &str) -> Result<HashMap<char, String>, FeedbackError> {
    let mut out = HashMap::with_capacity(4096);
    for (k, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        let mut parts = line.trim_matches(is_py_space).split('\t');
        let key = parts.next().unwrap_or_default();
        let desc = parts.next().ok_or_else(|| FeedbackError::LexiconLine {
            file: "emoji_utf8_lexicon.txt".to_owned(),
            line: k + 1,
            reason: "expected emoji<TAB>description".to_owned(),
        })?;
        let mut chars = key.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            out.insert(c, desc.to_owned());
        }
    }
    Ok(out)
}
