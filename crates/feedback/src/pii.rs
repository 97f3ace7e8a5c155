//! PII redaction without a model: patterns, checksums and context words.
//!
//! Each [`Recognizer`] proposes spans with a score, as Presidio's pattern recognizers do: a
//! pattern gives a base score, a validator confirms (1.0) or drops the match (Luhn for cards,
//! ISO 7064 mod 97 for IBANs, `std::net` parsers for IP addresses), and context words in the
//! five words before a match raise its score by 0.35 (floor 0.4, cap 1.0). Overlapping spans
//! are resolved by higher score, then longer span, then earlier start. [`Redactor`] replaces
//! the kept spans with typed placeholders (`[EMAIL]`), numbered ones (`[EMAIL_1]`, equal values
//! sharing a number) or a mask that keeps the last four characters, counts them per kind, and
//! can keep the originals so that an authorised caller can [`Redacted::restore`] the text.

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The kind of personal data a span holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PiiKind {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A payment-card number that passes the Luhn check.
    CreditCard,
    /// An IBAN that passes the mod-97 check.
    Iban,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A URL carrying a token, key or session in its query or path.
    UrlToken,
    /// A kind defined by a user recognizer (upper-case name used in placeholders).
    Custom(String),
}

impl PiiKind {
    /// The placeholder name, such as `EMAIL`.
    pub fn tag(&self) -> &str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::CreditCard => "CREDIT_CARD",
            PiiKind::Iban => "IBAN",
            PiiKind::IpAddress => "IP_ADDRESS",
            PiiKind::UrlToken => "URL",
            PiiKind::Custom(s) => s,
        }
    }
}

/// A candidate span found by a recognizer (byte offsets into the scanned text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PiiMatch {
    /// Kind.
    pub kind: PiiKind,
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Confidence in [0, 1].
    pub score: f64,
}

impl PiiMatch {
    /// A match; the score is clamped to [0, 1].
    pub fn new(kind: PiiKind, start: usize, end: usize, score: f64) -> PiiMatch {
        PiiMatch {
            kind,
            start,
            end,
            score: score.clamp(0.0, 1.0),
        }
    }
}

/// A PII recognizer: finds candidate spans of one kind.
///
/// # Examples
///
/// A recognizer for employee ids such as `EMP-12345`:
///
/// ```
/// use prodops_feedback::pii::{PiiKind, PiiMatch, Recognizer, Redactor};
///
/// struct EmployeeId;
/// impl Recognizer for EmployeeId {
///     fn kind(&self) -> PiiKind { PiiKind::Custom("EMPLOYEE_ID".into()) }
///     fn find(&self, text: &str) -> Vec<PiiMatch> {
///         text.match_indices("EMP-").filter_map(|(i, _)| {
///             let digits = text[i + 4..].chars().take_while(char::is_ascii_digit).count();
///             (digits == 5).then(|| PiiMatch::new(self.kind(), i, i + 9, 0.9))
///         }).collect()
///     }
/// }
/// let r = Redactor::builtin().with_recognizer(Box::new(EmployeeId));
/// assert_eq!(r.redact("ask EMP-12345").text, "ask [EMPLOYEE_ID]");
/// ```
pub trait Recognizer: Send + Sync {
    /// The kind this recognizer reports.
    fn kind(&self) -> PiiKind;
    /// Candidate spans in `text`.
    fn find(&self, text: &str) -> Vec<PiiMatch>;
}

/// The Luhn checksum (ISO/IEC 7812-1): from the right, double every second digit, subtract 9
/// from results above 9, and require the sum to be a multiple of 10. Non-digits are skipped
/// (spaces and dashes are common separators); fewer than two digits fail.
///
/// # Examples
///
/// ```
/// use prodops_feedback::pii::luhn_valid;
/// assert!(luhn_valid("4095-2609-9393-4932")); // Presidio's demo card
/// assert!(!luhn_valid("4095-2609-9393-4933"));
/// ```
pub fn luhn_valid(number: &str) -> bool {
    let mut sum = 0u32;
    let mut n = 0;
    for c in number.chars().rev() {
        let Some(d) = c.to_digit(10) else { continue };
        let v = if n % 2 == 1 {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
        sum += v;
        n += 1;
    }
    n >= 2 && sum.is_multiple_of(10)
}

/// The IBAN check (ISO 13616, ISO 7064 mod 97-10): two letters, two check digits, up to 30
/// alphanumerics (15–34 characters in all, spaces ignored); move the first four characters to
/// the end, replace A–Z by 10–35 and require the number mod 97 to be 1, computed digit by digit.
///
/// # Examples
///
/// ```
/// use prodops_feedback::pii::iban_valid;
/// assert!(iban_valid("IL150120690000003111111")); // Presidio's demo IBAN
/// assert!(iban_valid("DE89 3704 0044 0532 0130 00"));
/// assert!(!iban_valid("DE88 3704 0044 0532 0130 00"));
/// ```
pub fn iban_valid(iban: &str) -> bool {
    let s: Vec<char> = iban.chars().filter(|c| *c != ' ').collect();
    if !(15..=34).contains(&s.len())
        || !s[..2].iter().all(char::is_ascii_uppercase)
        || !s[2..4].iter().all(char::is_ascii_digit)
        || !s
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let mut rem = 0u32;
    for c in s[4..].iter().chain(&s[..4]) {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Compiles a built-in pattern once.
fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// Whether the characters just around `[start, end)` are not alphanumeric (a word boundary
/// that also treats `_` and letters as joining).
fn isolated(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Presidio's context enhancement: +0.35 when one of `words` occurs among the five words
/// before the match (case-insensitive), with a floor of 0.4 and a cap of 1.0.
fn context_boost(text: &str, start: usize, score: f64, words: &[&str]) -> f64 {
    let before: Vec<String> = text[..start]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .rev()
        .take(5)
        .map(str::to_lowercase)
        .collect();
    if before.iter().any(|w| words.contains(&w.as_str())) {
        (score + 0.35).clamp(0.4, 1.0)
    } else {
        score
    }
}

/// Email addresses: local part, `@`, dotted domain ending in a 2+ letter label.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailRecognizer;

impl Recognizer for EmailRecognizer {
    fn kind(&self) -> PiiKind {
        PiiKind::Email
    }
    fn find(&self, text: &str) -> Vec<PiiMatch> {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = re(
            &RE,
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        ) else {
            return Vec::new();
        };
        re.find_iter(text)
            .filter(|m| isolated(text, m.start(), m.end()))
            .map(|m| PiiMatch::new(PiiKind::Email, m.start(), m.end(), 1.0))
            .collect()
    }
}

/// Phone numbers: E.164 (`+` and country code), NANP `(212) 555-1234`, or grouped digits;
/// 10–15 digits (7–9 with a context word such as "call" or "phone").
#[derive(Debug, Clone, Copy, Default)]
pub struct PhoneRecognizer;

const PHONE_CONTEXT: [&str; 11] = [
    "phone",
    "call",
    "tel",
    "telephone",
    "mobile",
    "cell",
    "fax",
    "whatsapp",
    "sms",
    "text",
    "number",
];

impl Recognizer for PhoneRecognizer {
    fn kind(&self) -> PiiKind {
        PiiKind::Phone
    }
    fn find(&self, text: &str) -> Vec<PiiMatch> {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = re(
            &RE,
            r"(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{1,5}(?:[ .\-]\d{1,5}){0,5}",
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in re.find_iter(text) {
            let s = m.as_str().trim_end_matches([' ', '.', '-']);
            let (start, end) = (m.start(), m.start() + s.len());
            if !isolated(text, start, end) {
                continue;
            }
            let digits = s.chars().filter(char::is_ascii_digit).count();
            let formatted = s.starts_with('+') || s.contains('(') || s.contains([' ', '-', '.']);
            let base = match digits {
                10..=15 if formatted => 0.5,
                10..=15 => 0.3,
                7..=9 if formatted => 0.1,
                _ => continue,
            };
            // A dotted quad is an IP address or a version, not a phone number.
            if s.split('.').count() == 4 && !s.contains([' ', '-']) {
                continue;
            }
            let score = context_boost(text, start, base, &PHONE_CONTEXT);
            out.push(PiiMatch::new(PiiKind::Phone, start, end, score));
        }
        out
    }
}

/// Payment cards: 13–19 digits, optionally grouped by spaces or dashes, not preceded by `+`
/// (which starts an international phone number), kept only when the Luhn check passes (score
/// 1.0). One random digit string in ten passes Luhn, so the length and `+` rules keep phone
/// numbers such as `+44 20 7946 7084` out.
#[derive(Debug, Clone, Copy, Default)]
pub struct CardRecognizer;

impl Recognizer for CardRecognizer {
    fn kind(&self) -> PiiKind {
        PiiKind::CreditCard
    }
    fn find(&self, text: &str) -> Vec<PiiMatch> {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = re(&RE, r"\d(?:[ \-]?\d){12,18}") else {
            return Vec::new();
        };
        re.find_iter(text)
            .filter(|m| {
                isolated(text, m.start(), m.end())
                    && !text[..m.start()].ends_with('+')
                    && luhn_valid(m.as_str())
            })
            .map(|m| PiiMatch::new(PiiKind::CreditCard, m.start(), m.end(), 1.0))
            .collect()
    }
}

/// IBANs: country code, check digits and 11–30 alphanumerics, optionally in groups of four;
/// kept only when the mod-97 check passes (score 1.0). Trailing groups are dropped one by
/// one until the check passes, so a following upper-case word does not hide an IBAN.
#[derive(Debug, Clone, Copy, Default)]
pub struct IbanRecognizer;

impl Recognizer for IbanRecognizer {
    fn kind(&self) -> PiiKind {
        PiiKind::Iban
    }
    fn find(&self, text: &str) -> Vec<PiiMatch> {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = re(&RE, r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in re.find_iter(text) {
            let mut s = m.as_str();
            loop {
                if isolated(text, m.start(), m.start() + s.len()) && iban_valid(s) {
                    out.push(PiiMatch::new(
                        PiiKind::Iban,
                        m.start(),
                        m.start() + s.len(),
                        1.0,
                    ));
                    break;
                }
                match s.rfind(' ') {
                    Some(k) if k >= 15 => s = &s[..k],
                    _ => break,
                }
            }
        }
        out
    }
}

/// IPv4 and IPv6 addresses, validated by the standard library's parsers (so an octet above
/// 255 is not an address). IPv4 scores 0.6 (a dotted quad can be a version number), raised by
/// context words such as "ip" or "server".
#[derive(Debug, Clone, Copy, Default)]
pub struct IpRecognizer;

impl Recognizer for IpRecognizer {
    fn kind(&self) -> PiiKind {
        PiiKind::IpAddress
    }
    fn find(&self, text: &str) -> Vec<PiiMatch> {
        static V4: OnceLock<Option<Regex>> = OnceLock::new();
        static V6: OnceLock<Option<Regex>> = OnceLock::new();
        let mut out = Vec::new();
        if let Some(re) = re(&V4, r"\d{1,3}(?:\.\d{1,3}){3}") {
            for m in re.find_iter(text) {
                if isolated(text, m.start(), m.end()) && m.as_str().parse::<Ipv4Addr>().is_ok() {
                    let score = context_boost(
                        text,
                        m.start(),
                        0.6,
                        &["ip", "address", "server", "host", "from"],
                    );
                    out.push(PiiMatch::new(PiiKind::IpAddress, m.start(), m.end(), score));
                }
            }
        }
        if let Some(re) = re(
            &V6,
            r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z]+)?",
        ) {
            for m in re.find_iter(text) {
                let s = m.as_str();
                if s.chars().filter(|c| c.is_ascii_hexdigit()).count() >= 2
                    && isolated(text, m.start(), m.end())
                    && s.parse::<Ipv6Addr>().is_ok()
                {
                    out.push(PiiMatch::new(PiiKind::IpAddress, m.start(), m.end(), 0.9));
                }
            }
        }
        out
    }
}

/// Names of query parameters that carry credentials or sessions.
const TOKEN_PARAMS: [&str; 17] = [
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "authorization",
    "key",
    "api_key",
    "apikey",
    "secret",
    "password",
    "pwd",
    "sig",
    "signature",
    "session",
    "sessionid",
    "code",
];

/// URLs (with a scheme or `www.`) that carry a credential: a query or fragment parameter
/// named like a token (`token`, `api_key`, `sig`, ...), user info (`user:pass@`), or a path
/// segment or parameter value of 20+ characters mixing letters and digits.
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlTokenRecognizer;

fn looks_like_token(s: &str) -> bool {
    s.len() >= 20
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=%".contains(c))
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_alphabetic())
}

impl Recognizer for UrlTokenRecognizer {
    fn kind(&self) -> PiiKind {
        PiiKind::UrlToken
    }
    fn find(&self, text: &str) -> Vec<PiiMatch> {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = re(&RE, r#"(?i)(?:https?://|www\.)[^\s<>"'\]\[]+"#) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in re.find_iter(text) {
            let url = m
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            let lower = url.to_ascii_lowercase();
            let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let userinfo = authority.contains('@');
            let (path, query) = match rest.find(['?', '#']) {
                Some(k) => (&rest[..k], &rest[k + 1..]),
                None => (rest, ""),
            };
            let param_hit = query.split(['&', '#', ';']).any(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                TOKEN_PARAMS.contains(&k) && !v.is_empty() || looks_like_token(v)
            });
            let path_hit = path.split('/').skip(1).any(looks_like_token);
            if userinfo || param_hit || path_hit {
                out.push(PiiMatch::new(
                    PiiKind::UrlToken,
                    m.start(),
                    m.start() + url.len(),
                    0.9,
                ));
            }
        }
        out
    }
}

/// How a kept span is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Placeholder {
    /// `[EMAIL]`.
    #[default]
    Typed,
    /// `[EMAIL_1]`, `[EMAIL_2]`; equal values share a number within one text.
    Numbered,
    /// Every alphanumeric character but the last four becomes `*` (as card receipts show).
    MaskKeepLast4,
}

/// One replaced span in the redacted text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RedactedSpan {
    /// Kind.
    pub kind: PiiKind,
    /// Start byte of the placeholder in the redacted text.
    pub start: usize,
    /// End byte of the placeholder in the redacted text.
    pub end: usize,
    /// Score of the match.
    pub score: f64,
    /// The original value, only when the redactor keeps the reversible map.
    pub original: Option<String>,
}

/// The result of redacting one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// Spans replaced, in order.
    pub spans: Vec<RedactedSpan>,
    /// Number of spans per kind.
    pub counts: BTreeMap<PiiKind, usize>,
}

impl Redacted {
    /// The original text, when the redactor kept the reversible map; `None` otherwise.
    pub fn restore(&self) -> Option<String> {
        let mut out = String::with_capacity(self.text.len());
        let mut pos = 0;
        for s in &self.spans {
            out.push_str(&self.text[pos..s.start]);
            out.push_str(s.original.as_deref()?);
            pos = s.end;
        }
        out.push_str(&self.text[pos..]);
        Some(out)
    }

    /// Total number of spans replaced.
    pub fn total(&self) -> usize {
        self.spans.len()
    }
}

/// Runs recognizers, resolves overlaps and replaces what it keeps.
///
/// # Examples
///
/// ```
/// use prodops_feedback::pii::{PiiKind, Placeholder, Redactor};
///
/// let r = Redactor::builtin().placeholder(Placeholder::Numbered).keep_map(true);
/// let out = r.redact("Mail jo@example.com or call (212) 555-1234; card 4095-2609-9393-4932. jo@example.com");
/// assert_eq!(out.text, "Mail [EMAIL_1] or call [PHONE_1]; card [CREDIT_CARD_1]. [EMAIL_1]");
/// assert_eq!(out.counts[&PiiKind::Email], 2);
/// assert_eq!(out.restore().as_deref(), Some("Mail jo@example.com or call (212) 555-1234; card 4095-2609-9393-4932. jo@example.com"));
/// ```
pub struct Redactor {
    recognizers: Vec<Box<dyn Recognizer>>,
    placeholder: Placeholder,
    keep_map: bool,
    min_score: f64,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field(
                "kinds",
                &self
                    .recognizers
                    .iter()
                    .map(|r| r.kind())
                    .collect::<Vec<_>>(),
            )
            .field("placeholder", &self.placeholder)
            .field("keep_map", &self.keep_map)
            .field("min_score", &self.min_score)
            .finish()
    }
}

impl Redactor {
    /// The built-in recognizers (email, phone, card, IBAN, IP, URL with token), typed
    /// placeholders, no reversible map, minimum score 0.4.
    pub fn builtin() -> Redactor {
        Redactor {
            recognizers: vec![
                Box::new(EmailRecognizer),
                Box::new(CardRecognizer),
                Box::new(IbanRecognizer),
                Box::new(UrlTokenRecognizer),
                Box::new(IpRecognizer),
                Box::new(PhoneRecognizer),
            ],
            placeholder: Placeholder::Typed,
            keep_map: false,
            min_score: 0.4,
        }
    }

    /// Adds a recognizer.
    pub fn with_recognizer(mut self, r: Box<dyn Recognizer>) -> Redactor {
        self.recognizers.push(r);
        self
    }

    /// Sets the placeholder style.
    pub fn placeholder(mut self, p: Placeholder) -> Redactor {
        self.placeholder = p;
        self
    }

    /// Keeps the original values in the result (for authorised use only).
    pub fn keep_map(mut self, keep: bool) -> Redactor {
        self.keep_map = keep;
        self
    }

    /// Sets the minimum score a span needs to be redacted (clamped to [0, 1]).
    pub fn min_score(mut self, s: f64) -> Redactor {
        self.min_score = if s.is_nan() { 0.4 } else { s.clamp(0.0, 1.0) };
        self
    }

    /// The kept spans in `text` after scoring and overlap resolution, in text order.
    pub fn analyze(&self, text: &str) -> Vec<PiiMatch> {
        let mut all: Vec<PiiMatch> = self
            .recognizers
            .iter()
            .flat_map(|r| r.find(text))
            .filter(|m| m.score >= self.min_score && m.start < m.end && m.end <= text.len())
            .filter(|m| text.is_char_boundary(m.start) && text.is_char_boundary(m.end))
            .collect();
        all.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(a.start.cmp(&b.start))
        });
        let mut kept: Vec<PiiMatch> = Vec::new();
        for m in all {
            if kept.iter().all(|k| m.end <= k.start || m.start >= k.end) {
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.start);
        kept
    }

    /// Redacts one text.
    pub fn redact(&self, text: &str) -> Redacted {
        let kept = self.analyze(text);
        let mut out = String::with_capacity(text.len());
        let mut spans = Vec::with_capacity(kept.len());
        let mut counts: BTreeMap<PiiKind, usize> = BTreeMap::new();
        let mut numbers: HashMap<(PiiKind, &str), usize> = HashMap::new();
        let mut next: HashMap<PiiKind, usize> = HashMap::new();
        let mut pos = 0;
        for m in kept {
            out.push_str(&text[pos..m.start]);
            let value = &text[m.start..m.end];
            let rep = match self.placeholder {
                Placeholder::Typed => format!("[{}]", m.kind.tag()),
                Placeholder::Numbered => {
                    let n = *numbers.entry((m.kind.clone(), value)).or_insert_with(|| {
                        let c = next.entry(m.kind.clone()).or_insert(0);
                        *c += 1;
                        *c
                    });
                    format!("[{}_{n}]", m.kind.tag())
                }
                Placeholder::MaskKeepLast4 => mask_keep_last4(value),
            };
            let start = out.len();
            out.push_str(&rep);
            *counts.entry(m.kind.clone()).or_insert(0) += 1;
            spans.push(RedactedSpan {
                kind: m.kind,
                start,
                end: out.len(),
                score: m.score,
                original: self.keep_map.then(|| value.to_owned()),
            });
            pos = m.end;
        }
        out.push_str(&text[pos..]);
        Redacted {
            text: out,
            spans,
            counts,
        }
    }
}

/// Masks every alphanumeric character except the last four with `*`.
fn mask_keep_last4(value: &str) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen + 4 <= total { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}
