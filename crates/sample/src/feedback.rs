//! Customer feedback texts across channels, with known themes, sentiment and planted PII.

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use rand::RngExt;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;

use crate::accounts::Account;
use crate::error::invalid;
use crate::phrases::{self, FIRST_NAMES, FOREIGN, LAST_NAMES, MAIL_DOMAINS};
use crate::rng::{Stream, generate_blocks};
use crate::surveys::{weekday_weighted_days, working_hours_time};
use crate::table::{Table, datetime_column, str_column};
use crate::vocab::{Channel, PiiKind, Sentiment, Theme};
use crate::{SampleError, day_offset, pick};

/// Channel mix of feedback items.
pub const CHANNEL_WEIGHTS: [(Channel, f64); 4] = [
    (Channel::SurveyComment, 0.35),
    (Channel::SupportTicket, 0.30),
    (Channel::AppReview, 0.20),
    (Channel::SocialPost, 0.15),
];

/// Sentiment mix `[negative, neutral, positive]` by channel: tickets skew negative, survey
/// comments and reviews are mixed, social posts are polarised.
pub const SENTIMENT_BY_CHANNEL: [(Channel, [f64; 3]); 4] = [
    (Channel::SurveyComment, [0.35, 0.25, 0.40]),
    (Channel::SupportTicket, [0.60, 0.35, 0.05]),
    (Channel::AppReview, [0.40, 0.15, 0.45]),
    (Channel::SocialPost, [0.50, 0.10, 0.40]),
];

/// Base prevalence of each theme. [`Theme::MobileApp`] rises over the last 30% of the window
/// (up to three times its base weight at the end), a planted trend for rising-theme detection.
pub const THEME_WEIGHTS: [(Theme, f64); 10] = [
    (Theme::Performance, 0.16),
    (Theme::Reliability, 0.12),
    (Theme::Pricing, 0.12),
    (Theme::Onboarding, 0.09),
    (Theme::Integrations, 0.11),
    (Theme::Reporting, 0.10),
    (Theme::MobileApp, 0.07),
    (Theme::Support, 0.08),
    (Theme::Billing, 0.05),
    (Theme::FeatureRequest, 0.10),
];

/// How much feedback to generate, and how much of it is planted with PII, duplicates and
/// foreign languages.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FeedbackConfig {
    /// Number of items.
    pub items: usize,
    /// The first day items can arrive.
    pub start: NaiveDate,
    /// The number of days items arrive over.
    pub days: u32,
    /// Probability that an item carries one piece of PII.
    pub pii_rate: f64,
    /// Probability that an item is a near-duplicate of an earlier one from another account.
    pub duplicate_rate: f64,
    /// Probability that an item is written in Spanish, German or French.
    pub foreign_rate: f64,
    /// Seed of the random streams.
    pub seed: u64,
}

impl FeedbackConfig {
    /// `items` items over `days` days from `start`, with 15% PII, 4% near-duplicates and 5%
    /// non-English items.
    pub fn new(items: usize, start: NaiveDate, days: u32, seed: u64) -> Self {
        FeedbackConfig {
            items,
            start,
            days,
            pii_rate: 0.15,
            duplicate_rate: 0.04,
            foreign_rate: 0.05,
            seed,
        }
    }
}

/// One piece of customer feedback with its ground truth.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FeedbackItem {
    /// `fb-000001`-style identifier.
    pub feedback_id: String,
    /// Where it came from.
    pub channel: Channel,
    /// When it arrived (UTC).
    pub received_at: NaiveDateTime,
    /// The customer's account.
    pub account_id: String,
    /// The author.
    pub author_id: String,
    /// The text, including any planted PII.
    pub text: String,
    /// An NPS score (survey comments) or a 1–5 star rating (app reviews).
    pub score: Option<u8>,
    /// ISO 639-1 language code of the text.
    pub language: &'static str,
    /// The themes the text talks about (truth).
    pub themes: Vec<Theme>,
    /// The sentiment it was written with (truth).
    pub sentiment: Sentiment,
    /// The kinds of PII planted in the text (truth).
    pub pii: Vec<PiiKind>,
    /// For a planted near-duplicate, the id of the item it copies (truth).
    pub duplicate_of: Option<String>,
}

/// Generates the feedback items numbered `rows` (0-based, end exclusive) from `accounts`.
///
/// # Errors
///
/// [`SampleError::InvalidConfig`] when there are no accounts or days, or a rate is outside
/// `0..=1`.
pub fn feedback_items(
    cfg: &FeedbackConfig,
    accounts: &[Account],
    rows: std::ops::Range<usize>,
) -> Result<Vec<FeedbackItem>, SampleError> {
    if accounts.is_empty() {
        return Err(invalid("feedback.accounts", "must not be empty"));
    }
    for (field, rate) in [
        ("feedback.pii_rate", cfg.pii_rate),
        ("feedback.duplicate_rate", cfg.duplicate_rate),
        ("feedback.foreign_rate", cfg.foreign_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(invalid(field, format!("must be in 0..=1, got {rate}")));
        }
    }
    let day_index = weekday_weighted_days(cfg.start, cfg.days.max(1))?;
    let account_index = WeightedIndex::new(accounts.iter().map(|a| f64::from(a.seats).sqrt()))
        .map_err(|e| invalid("feedback.accounts", e.to_string()))?;
    let days = f64::from(cfg.days.max(1));
    let rows = rows.start.min(cfg.items)..rows.end.min(cfg.items);
    Ok(generate_blocks(
        cfg.seed,
        Stream::Feedback,
        rows,
        |rng, first, n, out: &mut Vec<FeedbackItem>| {
            for i in first..first + n {
                let account = &accounts[account_index.sample(rng)];
                let day_no = day_index.sample(rng) as u32;
                let received_at = day_offset(cfg.start, day_no).and_time(working_hours_time(rng));
                let feedback_id = format!("fb-{:06}", i + 1);
                let author_id = format!(
                    "{}-u{:04}",
                    account.account_id,
                    rng.random_range(1..=account.seats)
                );
                // A near-duplicate copies an earlier item of the same block, so blocks stay
                // independent, and comes from another account: the same ask, another customer.
                let block_offset = i - first;
                if block_offset > 0 && rng.random_bool(cfg.duplicate_rate) {
                    let original: FeedbackItem = out[rng.random_range(0..block_offset)].clone();
                    out.push(FeedbackItem {
                        feedback_id,
                        received_at,
                        account_id: account.account_id.clone(),
                        author_id,
                        text: perturb(&original.text, rng),
                        duplicate_of: Some(original.duplicate_of.unwrap_or(original.feedback_id)),
                        ..original
                    });
                    continue;
                }
                let channel = pick(rng, &CHANNEL_WEIGHTS);
                let item = compose(cfg, rng, channel, f64::from(day_no) / days);
                out.push(FeedbackItem {
                    feedback_id,
                    channel,
                    received_at,
                    account_id: account.account_id.clone(),
                    author_id,
                    text: item.text,
                    score: item.score,
                    language: item.language,
                    themes: item.themes,
                    sentiment: item.sentiment,
                    pii: item.pii,
                    duplicate_of: None,
                });
            }
        },
    ))
}

struct Composed {
    text: String,
    score: Option<u8>,
    language: &'static str,
    themes: Vec<Theme>,
    sentiment: Sentiment,
    pii: Vec<PiiKind>,
}

fn compose(
    cfg: &FeedbackConfig,
    rng: &mut ChaCha8Rng,
    channel: Channel,
    progress: f64,
) -> Composed {
    let mix = SENTIMENT_BY_CHANNEL
        .iter()
        .find(|(c, _)| *c == channel)
        .map_or([0.4, 0.2, 0.4], |(_, m)| *m);
    let mut sentiment = pick(
        rng,
        &[
            (Sentiment::Negative, mix[0]),
            (Sentiment::Neutral, mix[1]),
            (Sentiment::Positive, mix[2]),
        ],
    );
    let (language, mut themes, mut body) = if rng.random_bool(cfg.foreign_rate) {
        let (lang, theme, s, text) = FOREIGN[rng.random_range(0..FOREIGN.len())];
        sentiment = s;
        (lang, vec![theme], text.to_owned())
    } else {
        let first = draw_theme(rng, progress);
        let mut themes = vec![first];
        if rng.random_bool(0.3) {
            let second = draw_theme(rng, progress);
            if second != first {
                themes.push(second);
            }
        }
        let body = themes
            .iter()
            .map(|t| {
                let bank = phrases::english(*t, sentiment);
                bank[rng.random_range(0..bank.len())]
            })
            .collect::<Vec<_>>()
            .join(" ");
        ("en", themes, body)
    };
    themes.sort();

    let mut pii = Vec::new();
    let pii_rate = if channel == Channel::SupportTicket {
        (cfg.pii_rate * 2.0).min(1.0)
    } else {
        cfg.pii_rate
    };
    if rng.random_bool(pii_rate) {
        let (kind, sentence) = plant_pii(rng);
        pii.push(kind);
        body.push(' ');
        body.push_str(&sentence);
    }

    let score = match channel {
        Channel::SurveyComment => Some(match sentiment {
            Sentiment::Negative => rng.random_range(0..=6),
            Sentiment::Neutral => rng.random_range(7..=8),
            Sentiment::Positive => rng.random_range(9..=10),
        }),
        Channel::AppReview => Some(match sentiment {
            Sentiment::Negative => rng.random_range(1..=2),
            Sentiment::Neutral => 3,
            Sentiment::Positive => rng.random_range(4..=5),
        }),
        _ => None,
    };
    let text = match channel {
        Channel::SupportTicket => format!("[Ticket #{}] {body}", rng.random_range(10_000..99_999)),
        Channel::SocialPost => format!("@acmeapp {body} #{}", themes[0].label().replace('_', "")),
        Channel::SurveyComment | Channel::AppReview => body,
    };
    Composed {
        text,
        score,
        language,
        themes,
        sentiment,
        pii,
    }
}

fn draw_theme(rng: &mut ChaCha8Rng, progress: f64) -> Theme {
    let ramp = 1.0 + 2.0 * ((progress - 0.7) / 0.3).clamp(0.0, 1.0);
    let mut weights = THEME_WEIGHTS;
    for (theme, w) in &mut weights {
        if *theme == Theme::MobileApp {
            *w *= ramp;
        }
    }
    pick(rng, &weights)
}

/// A small edit that keeps the text a near-duplicate: a prefix, a suffix or a case change.
fn perturb(text: &str, rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..4) {
        0 => format!("Same here: {text}"),
        1 => format!("{text} +1"),
        2 => text.to_lowercase(),
        _ => format!("{text}!!"),
    }
}

/// One planted piece of PII and the sentence that carries it.
fn plant_pii(rng: &mut ChaCha8Rng) -> (PiiKind, String) {
    match rng.random_range(0..3) {
        0 => {
            let email = format!(
                "{}.{}@{}",
                FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
                LAST_NAMES[rng.random_range(0..LAST_NAMES.len())],
                MAIL_DOMAINS[rng.random_range(0..MAIL_DOMAINS.len())]
            );
            (PiiKind::Email, format!("You can reach me at {email}."))
        }
        1 => {
            let phone = match rng.random_range(0..3) {
                0 => format!("+1 415-555-{:04}", rng.random_range(0..10_000)),
                1 => format!("(212) 555-{:04}", rng.random_range(0..10_000)),
                _ => format!("+44 20 7946 {:04}", rng.random_range(0..10_000)),
            };
            (PiiKind::Phone, format!("Call me on {phone} if needed."))
        }
        _ => {
            let digits = luhn_card(rng);
            let sep = if rng.random_bool(0.5) { " " } else { "-" };
            let grouped = digits
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap_or(""))
                .collect::<Vec<_>>()
                .join(sep);
            (
                PiiKind::CardNumber,
                format!("My card {grouped} was charged."),
            )
        }
    }
}

/// A 16-digit Visa-style number (leading 4) whose last digit is its Luhn check digit.
pub(crate) fn luhn_card(rng: &mut ChaCha8Rng) -> String {
    let mut digits: Vec<u32> = vec![4];
    digits.extend((0..14).map(|_| rng.random_range(0..10u32)));
    // The check digit makes the Luhn sum of all 16 digits a multiple of 10. Counting from the
    // right with the check digit at position 1, the 15 payload digits sit at positions 2..=16,
    // and the even positions are doubled.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}

fn joined<T: Copy>(items: &[T], label: impl Fn(T) -> &'static str) -> String {
    items
        .iter()
        .map(|t| label(*t))
        .collect::<Vec<_>>()
        .join(";")
}

impl Table for FeedbackItem {
    const NAME: &'static str = "feedback";

    /// Multi-valued truth columns (`themes`, `pii`) are `;`-separated so the CSV stays flat.
    fn frame(rows: &[Self]) -> PolarsResult<DataFrame> {
        let themes: Vec<String> = rows
            .iter()
            .map(|r| joined(&r.themes, Theme::label))
            .collect();
        let pii: Vec<String> = rows
            .iter()
            .map(|r| joined(&r.pii, PiiKind::label))
            .collect();
        DataFrame::new_infer_height(vec![
            str_column("feedback_id", rows, |r| r.feedback_id.as_str()),
            str_column("channel", rows, |r| r.channel.label()),
            datetime_column("received_at", rows, |r| r.received_at)?,
            str_column("account_id", rows, |r| r.account_id.as_str()),
            str_column("author_id", rows, |r| r.author_id.as_str()),
            str_column("text", rows, |r| r.text.as_str()),
            Column::new(
                "score".into(),
                rows.iter()
                    .map(|r| r.score.map(i32::from))
                    .collect::<Vec<_>>(),
            ),
            str_column("language", rows, |r| r.language),
            Column::new("themes".into(), themes),
            str_column("sentiment", rows, |r| r.sentiment.label()),
            Column::new("pii".into(), pii),
            Column::new(
                "duplicate_of".into(),
                rows.iter()
                    .map(|r| r.duplicate_of.as_deref())
                    .collect::<Vec<_>>(),
            ),
        ])
    }
}
