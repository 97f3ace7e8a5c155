//! # prodops-sample
//!
//! Deterministic synthetic product-ops data for examples, tests and benchmarks: customer
//! accounts and their MRR history, NPS survey responses, multi-channel feedback texts with
//! planted PII, product analytics events with a funnel and retention, and a finished A/B
//! experiment with known true effects and an optional sample-ratio mismatch.
//!
//! Every generator is seeded and draws from fixed-size blocks of independent ChaCha8
//! streams (see [`BLOCK_ROWS`]), so the same seed gives the same rows on every machine, a
//! large file begins with the rows of the small one, and sizes run from the few thousand
//! rows committed under `data/` to 100M rows written on demand for benchmarks, streamed to
//! CSV and Parquet through polars one batch at a time.
//!
//! Each generator documents the truth it plants (score distributions, conversion rates,
//! effects, correlations, incidents, rising themes), so tests downstream can check an
//! estimator against a known answer.
//!
//! ## Example
//!
//! ```
//! use prodops_sample::{SampleSpec, survey_responses, accounts_and_mrr};
//!
//! let spec = SampleSpec::small();
//! let (accounts, mrr) = accounts_and_mrr(&spec.accounts())?;
//! let responses = survey_responses(&spec.surveys(), &accounts, 0..1_000)?;
//! assert_eq!(responses.len(), 1_000);
//! assert!(responses.iter().all(|r| r.score <= 10));
//! assert!(mrr.iter().all(|row| row.mrr > 0.0));
//!
//! // Same seed, same data.
//! let again = survey_responses(&spec.surveys(), &accounts, 0..1_000)?;
//! assert_eq!(responses, again);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To write the whole sample set as files, use [`write_sample_set`].

mod accounts;
mod error;
mod events;
mod experiment;
mod feedback;
mod phrases;
mod rng;
mod set;
mod surveys;
mod table;
mod vocab;

use chrono::NaiveDate;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

pub use accounts::{
    Account, AccountsConfig, MONTHLY_CHURN, MONTHLY_CONTRACTION, MONTHLY_EXPANSION,
    MONTHLY_FREE_UPGRADE, MONTHLY_REACTIVATION, MrrRow, accounts_and_mrr,
};
pub use error::SampleError;
pub use events::{
    ACTIVITY_EVENTS, EventsConfig, FUNNEL, ProductEvent, STEP_CONVERSION, activity_probability,
    product_events,
};
pub use experiment::{
    ArmSpec, ExperimentConfig, ExperimentUnit, SrmPlant, experiment_units, model,
};
pub use feedback::{
    CHANNEL_WEIGHTS, FeedbackConfig, FeedbackItem, SENTIMENT_BY_CHANNEL, THEME_WEIGHTS,
    feedback_items,
};
pub use rng::BLOCK_ROWS;
pub use set::{Dataset, SampleSpec, SetSummary, write_sample_set};
pub use surveys::{
    INCIDENT_SCORE_WEIGHTS, Incident, SCORE_WEIGHTS, SurveyConfig, SurveyResponse, survey_responses,
};
pub use table::{Format, Table, Written, write_table};
pub use vocab::{Channel, CustomerSegment, PiiKind, Plan, Region, Sentiment, Theme};

/// Draws one value from `(value, weight)` pairs by a linear scan, which for the handful of
/// categories used here is faster than building an alias table.
pub(crate) fn pick<T: Copy>(rng: &mut ChaCha8Rng, weights: &[(T, f64)]) -> T {
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    let mut u = rng.random::<f64>() * total;
    for (value, w) in weights {
        if u < *w {
            return *value;
        }
        u -= w;
    }
    // Rounding can leave `u` a hair above the last weight.
    weights[weights.len() - 1].0
}

/// `start` plus `days` days, saturating at the end of the calendar.
pub(crate) fn day_offset(start: NaiveDate, days: u32) -> NaiveDate {
    start
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}
