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
//!
//! Speed: one pass tokenizes, lowercases every token into one buffer (ASCII tokens without a
//! copy through `str::to_lowercase`) and looks each token up once in a single table that holds
//! both its lexicon valence and its role in the rules (booster, negator, keyword, first word
//! of an idiom), so the rules compare flags instead of strings. Emoji replacement only copies
//! the text when it holds an emoji, and the token buffers are per-thread and reused, so
//! scoring an ASCII text allocates nothing.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

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
/// Texts per rayon task in [`Vader::polarity_scores_batch`]: a text takes about a
/// microsecond, so one task per text would cost more in scheduling than in scoring.
const BATCH_MIN_LEN: usize = 256;

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
/// VADER's `BOOSTER_DICT` for single tokens (the two-word keys are in `booster2`).
const BOOSTERS: [(&str, f64); 81] = [
    ("absolutely", B_INCR),
    ("amazingly", B_INCR),
    ("awfully", B_INCR),
    ("completely", B_INCR),
    ("considerable", B_INCR),
    ("considerably", B_INCR),
    ("decidedly", B_INCR),
    ("deeply", B_INCR),
    ("effing", B_INCR),
    ("enormous", B_INCR),
    ("enormously", B_INCR),
    ("entirely", B_INCR),
    ("especially", B_INCR),
    ("exceptional", B_INCR),
    ("exceptionally", B_INCR),
    ("extreme", B_INCR),
    ("extremely", B_INCR),
    ("fabulously", B_INCR),
    ("flipping", B_INCR),
    ("flippin", B_INCR),
    ("frackin", B_INCR),
    ("fracking", B_INCR),
    ("fricking", B_INCR),
    ("frickin", B_INCR),
    ("frigging", B_INCR),
    ("friggin", B_INCR),
    ("fully", B_INCR),
    ("fuckin", B_INCR),
    ("fucking", B_INCR),
    ("fuggin", B_INCR),
    ("fugging", B_INCR),
    ("greatly", B_INCR),
    ("hella", B_INCR),
    ("highly", B_INCR),
    ("hugely", B_INCR),
    ("incredible", B_INCR),
    ("incredibly", B_INCR),
    ("intensely", B_INCR),
    ("major", B_INCR),
    ("majorly", B_INCR),
    ("more", B_INCR),
    ("most", B_INCR),
    ("particularly", B_INCR),
    ("purely", B_INCR),
    ("quite", B_INCR),
    ("really", B_INCR),
    ("remarkably", B_INCR),
    ("so", B_INCR),
    ("substantially", B_INCR),
    ("thoroughly", B_INCR),
    ("total", B_INCR),
    ("totally", B_INCR),
    ("tremendous", B_INCR),
    ("tremendously", B_INCR),
    ("uber", B_INCR),
    ("unbelievably", B_INCR),
    ("unusually", B_INCR),
    ("utter", B_INCR),
    ("utterly", B_INCR),
    ("very", B_INCR),
    ("almost", B_DECR),
    ("barely", B_DECR),
    ("hardly", B_DECR),
    ("kinda", B_DECR),
    ("kindof", B_DECR),
    ("kind-of", B_DECR),
    ("less", B_DECR),
    ("little", B_DECR),
    ("marginal", B_DECR),
    ("marginally", B_DECR),
    ("occasional", B_DECR),
    ("occasionally", B_DECR),
    ("partly", B_DECR),
    ("scarce", B_DECR),
    ("scarcely", B_DECR),
    ("slight", B_DECR),
    ("slightly", B_DECR),
    ("somewhat", B_DECR),
    ("sorta", B_DECR),
    ("sortof", B_DECR),
    ("sort-of", B_DECR),
];

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

/// The first words of the patterns of `special2`, `special3` and `booster2`: the idiom rule
/// can only fire when one of the words it reads is one of these.
const IDIOM_STARTS: [&str; 10] = [
    "the", "bad", "bus", "yeah", "beating", "kiss", "to", "just", "kind", "sort",
];

/// The words the valence rules test by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kw {
    /// Any other word.
    #[default]
    Other,
    No,
    But,
    Kind,
    Of,
    Or,
    Nor,
    Never,
    So,
    This,
    Without,
    Doubt,
    Least,
    At,
    Very,
}

/// The keywords with their names, to build the word table.
const KEYWORDS: [(&str, Kw); 14] = [
    ("no", Kw::No),
    ("but", Kw::But),
    ("kind", Kw::Kind),
    ("of", Kw::Of),
    ("or", Kw::Or),
    ("nor", Kw::Nor),
    ("never", Kw::Never),
    ("so", Kw::So),
    ("this", Kw::This),
    ("without", Kw::Without),
    ("doubt", Kw::Doubt),
    ("least", Kw::Least),
    ("at", Kw::At),
    ("very", Kw::Very),
];

/// What the rules need to know about a lowercase word besides its lexicon valence.
#[derive(Debug, Clone, Copy, Default)]
struct WordInfo {
    /// `BOOSTER_DICT` value of a one-word booster.
    booster: Option<f64>,
    /// In `NEGATE` (the "n't" test is made per token).
    negate: bool,
    /// The word's name, if a rule tests it.
    kw: Kw,
    /// First word of an idiom or two-word booster.
    idiom: bool,
}

impl WordInfo {
    /// The rule flags of `word`, from the lists above.
    fn of(word: &str) -> WordInfo {
        WordInfo {
            booster: BOOSTERS.iter().find(|(w, _)| *w == word).map(|(_, b)| *b),
            negate: NEGATE.contains(&word),
            kw: KEYWORDS
                .iter()
                .find(|(w, _)| *w == word)
                .map_or(Kw::Other, |(_, k)| *k),
            idiom: IDIOM_STARTS.contains(&word),
        }
    }
}

/// One entry of the word table: lexicon valence (`None` for a word that only the rules know)
/// and rule flags.
#[derive(Debug, Clone, Copy)]
struct Entry {
    value: Option<f64>,
    info: WordInfo,
}

/// The word table: every lexicon word and every word the rules name, so that one hash lookup
/// per token answers every question the rules ask about it.
type Words = FxHashMap<Box<str>, Entry>;

/// Builds the word table from a parsed lexicon.
fn word_table(lexicon: FxHashMap<Box<str>, f64>) -> Words {
    let mut words: Words = FxHashMap::default();
    words.reserve(lexicon.len() + 128);
    for (w, v) in lexicon {
        let info = WordInfo::of(&w);
        words.insert(
            w,
            Entry {
                value: Some(v),
                info,
            },
        );
    }
    let named = NEGATE
        .iter()
        .copied()
        .chain(BOOSTERS.iter().map(|(w, _)| *w))
        .chain(KEYWORDS.iter().map(|(w, _)| *w))
        .chain(IDIOM_STARTS);
    for w in named {
        words.entry(w.into()).or_insert_with(|| Entry {
            value: None,
            info: WordInfo::of(w),
        });
    }
    words
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

/// Powers of ten for `py_round`.
const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// Python's `round(x, digits)`: the double nearest to the decimal nearest to `x`, with ties
/// to even on the exact binary value.
///
/// Fast path: `y = x·10^digits` is within `|y|·2⁻⁵³` of the exact product, so when its
/// fractional part is farther than that from one half, rounding `y` picks the same integer
/// `k` as exact arithmetic, and `k / 10^digits` (one correctly rounded division) is the
/// double nearest to that decimal, as Python's string round trip gives. Near a tie the
/// exact decimal expansion decides, through Rust's formatting (correctly rounded, ties to
/// even on the exact value).
pub(crate) fn py_round(x: f64, digits: usize) -> f64 {
    if let Some(&scale) = POW10.get(digits) {
        let y = x * scale;
        if y.is_finite() && y.abs() < 4.0e15 {
            // Truncation then a step down for negatives: `f64::floor` is a library call on
            // the baseline x86-64 target.
            let t = y as i64 as f64;
            let floor = if t > y { t - 1.0 } else { t };
            let frac = y - floor;
            if (frac - 0.5).abs() > y.abs() * 4.0e-16 + f64::MIN_POSITIVE {
                let k = if frac > 0.5 { floor + 1.0 } else { floor };
                // Python keeps the sign of a negative number that rounds to zero.
                return (k / scale).copysign(if k == 0.0 { x } else { k });
            }
        }
    }
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// VADER's `_strip_punc_if_word`: strip ASCII punctuation at both ends unless that leaves two
/// characters or fewer (which keeps emoticons such as `:)` whole). `flags` are the token's
/// byte classes from `PyWords`.
fn strip_punc_if_word(token: &str, flags: u8) -> &str {
    // ASCII bytes are character boundaries, so trimming bytes keeps a valid `str`.
    let b = token.as_bytes();
    let start = b
        .iter()
        .position(|c| !c.is_ascii_punctuation())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_punctuation())
        .map_or(start, |e| e + 1);
    let stripped = token.get(start..end).unwrap_or(token);
    // Without non-ASCII bytes the length in bytes is the length in characters.
    let short = if flags & NON_ASCII == 0 {
        stripped.len() <= 2
    } else {
        stripped.len() <= 2 || (stripped.len() <= 8 && stripped.chars().take(3).count() <= 2)
    };
    if short { token } else { stripped }
}

/// Byte classes for the tokenizer: Python whitespace, ASCII upper case, ASCII lower case,
/// apostrophe, the bytes of non-ASCII characters (decoded only then), and `!` or `?` (so
/// that punctuation emphasis counts only in the tokens that hold one).
const SPACE: u8 = 1;
const UPPER: u8 = 2;
const LOWER: u8 = 4;
const APOSTROPHE: u8 = 8;
const NON_ASCII: u8 = 16;
const EMPHASIS: u8 = 32;

/// The class of every byte value.
const CLASS: [u8; 256] = {
    let mut t = [0_u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            // Tab, LF, VT, FF, CR, the separators U+001C..U+001F and the space.
            b'\t'..=b'\r' | 0x1c..=b' ' => SPACE,
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => LOWER,
            b'\'' => APOSTROPHE,
            b'!' | b'?' => EMPHASIS,
            0x80..=0xff => NON_ASCII,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Python's `str.split()` with no argument: calls `f` on each non-empty run between
/// whitespace characters (`is_py_space`), with the OR of its bytes' classes. Scans bytes
/// through `CLASS` and decodes only non-ASCII characters; one loop over the text, so the
/// caller's per-token work is inlined into it.
#[inline(always)]
fn py_words(text: &str, mut f: impl FnMut(&str, u8)) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut start = None;
    let mut flags = 0;
    while let Some(&byte) = b.get(i) {
        let class = CLASS[usize::from(byte)];
        let (space, width) = if class & NON_ASCII == 0 {
            (class & SPACE != 0, 1)
        } else {
            text.get(i..)
                .and_then(|rest| rest.chars().next())
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8()))
        };
        if space {
            if let Some(w) = start.take().and_then(|s| text.get(s..i)) {
                f(w, flags);
            }
            flags = 0;
        } else {
            start.get_or_insert(i);
            flags |= class;
        }
        i += width;
    }
    if let Some(w) = start.and_then(|s| text.get(s..)) {
        f(w, flags);
    }
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
    words: Arc<Words>,
    emojis: Arc<FxHashMap<char, Box<str>>>,
    overlay: Option<Overlay>,
}

/// The parsed stock tables, shared by every [`Vader::stock`] call.
type Tables = (Arc<Words>, Arc<FxHashMap<char, Box<str>>>);
static STOCK: OnceLock<Result<Tables, FeedbackError>> = OnceLock::new();

/// Per-thread working buffers of [`Vader::polarity_scores`], reused from text to text so
/// that scoring does not allocate.
#[derive(Debug, Default)]
struct Scratch {
    /// The lowercase tokens, back to back.
    lower: String,
    toks: Vec<Tok>,
    sentiments: Vec<f64>,
}

impl Scratch {
    /// Buffers kept between texts stay below this many bytes each, so one huge text does not
    /// pin its memory on the thread.
    const KEEP_BYTES: usize = 1 << 20;

    fn release_if_large(&mut self) {
        if self.lower.capacity() > Self::KEEP_BYTES
            || self.toks.capacity() * size_of::<Tok>() > Self::KEEP_BYTES
            || self.sentiments.capacity() * size_of::<f64>() > Self::KEEP_BYTES
        {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// One token of a text: where its lowercase form sits in the text's lowercase buffer, and
/// everything the rules read about it.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    /// Python's `isupper` of the token as written.
    upper: bool,
    /// Lexicon valence (after the overlay, if any).
    lex: Option<f64>,
    booster: Option<f64>,
    /// VADER's `negated([word])`: in `NEGATE` or containing "n't".
    negated: bool,
    kw: Kw,
    idiom: bool,
}

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
                Arc::new(word_table(parse_lexicon(
                    "vader_lexicon.txt",
                    VADER_LEXICON,
                )?)),
                Arc::new(parse_emoji(EMOJI_LEXICON)?),
            ))
        });
        let (words, emojis) = parsed.clone()?;
        Ok(Vader {
            words,
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
        v.words = Arc::new(word_table(parse_lexicon("custom lexicon", lexicon_tsv)?));
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
        self.words.get(word).and_then(|e| e.value)
    }

    /// Scores many texts in parallel (rayon, in tasks of a few hundred texts), in input
    /// order; each result equals [`Vader::polarity_scores`] of its text.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_feedback::sentiment::Vader;
    ///
    /// let vader = Vader::stock()?;
    /// let scores = vader.polarity_scores_batch(&["The book was good.", "Poor direction."]);
    /// // vaderSentiment 3.3.2: compound 0.4404 and -0.4767
    /// assert_eq!((scores[0].compound, scores[1].compound), (0.4404, -0.4767));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn polarity_scores_batch(&self, texts: &[&str]) -> Vec<VaderScores> {
        texts
            .par_iter()
            .with_min_len(BATCH_MIN_LEN)
            .map(|t| self.polarity_scores(t))
            .collect()
    }

    /// Scores one text as vaderSentiment 3.3.2's `polarity_scores` does (plus the overlay, if
    /// one is set).
    pub fn polarity_scores(&self, text: &str) -> VaderScores {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let scores = self.score_into(text, &mut scratch);
                scratch.release_if_large();
                scores
            }
            // Only reachable if scoring re-entered itself on this thread; stay correct.
            Err(_) => self.score_into(text, &mut Scratch::default()),
        })
    }

    /// [`Vader::polarity_scores`] with the working buffers supplied by the caller.
    fn score_into(&self, text: &str, scratch: &mut Scratch) -> VaderScores {
        let text = self.replace_emoji(text);
        let Scratch {
            lower,
            toks,
            sentiments,
        } = scratch;
        lower.clear();
        toks.clear();
        sentiments.clear();
        let mut n_upper = 0;
        // Counts of `!` and `?`: whitespace never holds one, so the tokens hold them all.
        let mut emphasis = (0_usize, 0_usize);
        py_words(&text, |token, flags| {
            // Stripping removes only ASCII punctuation, whose only class bits are the
            // apostrophe (used only to skip the "n't" search) and emphasis (counted before
            // stripping), so the flags still describe the stripped token.
            if flags & EMPHASIS != 0 {
                for b in token.bytes() {
                    emphasis.0 += usize::from(b == b'!');
                    emphasis.1 += usize::from(b == b'?');
                }
            }
            let token = strip_punc_if_word(token, flags);
            let start = lower.len();
            let upper = if flags & NON_ASCII == 0 {
                lower.push_str(token);
                if flags & UPPER != 0 {
                    lower[start..].make_ascii_lowercase();
                }
                flags & (UPPER | LOWER) == UPPER
            } else {
                lower.push_str(&token.to_lowercase());
                py_isupper(token)
            };
            n_upper += usize::from(upper);
            let w = &lower[start..];
            let (lex, info) = match self.words.get(w) {
                Some(e) => (e.value, e.info),
                None => (None, WordInfo::default()),
            };
            toks.push(Tok {
                start,
                end: lower.len(),
                upper,
                lex,
                booster: info.booster,
                negated: info.negate || (flags & APOSTROPHE != 0 && w.contains("n't")),
                kw: info.kw,
                idiom: info.idiom,
            });
        });
        if let Some(o) = &self.overlay {
            let words: Vec<&str> = toks.iter().map(|t| &lower[t.start..t.end]).collect();
            for (i, t) in toks.iter_mut().enumerate() {
                t.lex = o.value(&words, i, |w| self.lexicon_value(w));
            }
        }
        let n = toks.len();
        let ctx = Ctx {
            lower: lower.as_str(),
            toks: toks.as_slice(),
            is_cap_diff: n_upper > 0 && n_upper < n,
        };
        for (i, t) in toks.iter().enumerate() {
            if t.booster.is_some() || (t.kw == Kw::Kind && i + 1 < n && toks[i + 1].kw == Kw::Of) {
                sentiments.push(0.0);
            } else {
                sentiments.push(ctx.valence(i));
            }
        }
        but_check(toks, sentiments);
        score_valence(sentiments, punctuation_emphasis(emphasis.0, emphasis.1))
    }

    /// VADER's emoji pass: each emoji in the lexicon becomes its description, preceded by a
    /// space unless at the start or after a space. Text without such an emoji is returned
    /// as is.
    fn replace_emoji<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let Some(first) = text
            .char_indices()
            .find(|(_, c)| !c.is_ascii() && self.emojis.contains_key(c))
            .map(|(i, _)| i)
        else {
            return Cow::Borrowed(text);
        };
        let mut out = String::with_capacity(text.len() + 32);
        out.push_str(&text[..first]);
        let mut prev_space = first == 0 || out.ends_with(' ');
        for c in text[first..].chars() {
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
        Cow::Owned(out)
    }
}

/// The per-text tokens the valence rules read.
struct Ctx<'a> {
    lower: &'a str,
    toks: &'a [Tok],
    is_cap_diff: bool,
}

impl Ctx<'_> {
    /// The lowercase text of token `i`.
    fn w(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.lower[t.start..t.end]
    }

    fn kw(&self, i: usize) -> Kw {
        self.toks[i].kw
    }

    /// VADER's `sentiment_valence` for token `i` (not a booster).
    fn valence(&self, i: usize) -> f64 {
        let n = self.toks.len();
        let Some(lex_value) = self.toks[i].lex else {
            return 0.0;
        };
        let mut v = lex_value;
        if self.kw(i) == Kw::No && i != n - 1 && self.toks[i + 1].lex.is_some() {
            v = 0.0;
        }
        if (i > 0 && self.kw(i - 1) == Kw::No)
            || (i > 1 && self.kw(i - 2) == Kw::No)
            || (i > 2 && self.kw(i - 3) == Kw::No && matches!(self.kw(i - 1), Kw::Or | Kw::Nor))
        {
            v = lex_value * N_SCALAR;
        }
        if self.toks[i].upper && self.is_cap_diff {
            if v > 0.0 {
                v += C_INCR;
            } else {
                v -= C_INCR;
            }
        }
        for start_i in 0..3 {
            let j = start_i + 1;
            if i > start_i && self.toks[i - j].lex.is_none() {
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
        let Some(b) = self.toks[k].booster else {
            return 0.0;
        };
        let mut scalar = if v < 0.0 { -b } else { b };
        if self.toks[k].upper && self.is_cap_diff {
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
        let so_this = |k: usize| matches!(self.kw(k), Kw::So | Kw::This);
        match start_i {
            0 => {
                if self.toks[i - 1].negated {
                    return v * N_SCALAR;
                }
            }
            1 => {
                if self.kw(i - 2) == Kw::Never && so_this(i - 1) {
                    return v * 1.25;
                } else if self.kw(i - 2) == Kw::Without && self.kw(i - 1) == Kw::Doubt {
                    return v;
                } else if self.toks[i - 2].negated {
                    return v * N_SCALAR;
                }
            }
            _ => {
                if (self.kw(i - 3) == Kw::Never && so_this(i - 2)) || so_this(i - 1) {
                    return v * 1.25;
                } else if self.kw(i - 3) == Kw::Without
                    && (self.kw(i - 2) == Kw::Doubt || self.kw(i - 1) == Kw::Doubt)
                {
                    return v;
                } else if self.toks[i - 3].negated {
                    return v * N_SCALAR;
                }
            }
        }
        v
    }

    /// VADER's `_special_idioms_check` (only reached with `i >= 3`). Every pattern it
    /// matches starts at one of the tokens `i-3..=i`, so without an idiom start there it
    /// cannot change `v`.
    fn special_idioms_check(&self, mut v: f64, i: usize) -> f64 {
        if !self.toks[i - 3..=i].iter().any(|t| t.idiom) {
            return v;
        }
        let n = self.toks.len();
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
        if i > 0 && self.toks[i - 1].lex.is_none() && self.kw(i - 1) == Kw::Least {
            if i > 1 {
                if !matches!(self.kw(i - 2), Kw::At | Kw::Very) {
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
fn but_check(toks: &[Tok], sentiments: &mut [f64]) {
    let Some(bi) = toks.iter().position(|t| t.kw == Kw::But) else {
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

/// VADER's punctuation emphasis from the counts of `!` and `?` in the text: up to four `!`
/// at 0.292 each; 2–3 `?` at 0.18 each, more at 0.96.
fn punctuation_emphasis(ep_count: usize, qm_count: usize) -> f64 {
    let ep = ep_count.min(4) as f64 * 0.292;
    let qm = match qm_count {
        0 | 1 => 0.0,
        2 | 3 => qm_count as f64 * 0.18,
        _ => 0.96,
    };
    ep + qm
}
/// VADER's `score_valence`.
fn score_valence(sentiments: &[f64], punct: f64) -> VaderScores {
    if sentiments.is_empty() {
        return VaderScores {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    let mut sum_s: f64 = sentiments.iter().fold(0.0, |a, b| a + b);
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
pub(crate) fn parse_lexicon(
    file: &str,
    text: &str,
) -> Result<FxHashMap<Box<str>, f64>, FeedbackError> {
    let mut out = FxHashMap::default();
    out.reserve(8192);
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
        out.insert(word.into(), value);
    }
    Ok(out)
}

/// Parses the emoji lexicon: `emoji<TAB>description`. Keys of more than one code point can
/// never match VADER's character-by-character scan, so they are skipped.
fn parse_emoji(text: &str) -> Result<FxHashMap<char, Box<str>>, FeedbackError> {
    let mut out = FxHashMap::default();
    out.reserve(4096);
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
            out.insert(c, desc.into());
        }
    }
    Ok(out)
}
