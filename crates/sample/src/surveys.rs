//! NPS survey responses.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use polars::prelude::*;
use rand::RngExt;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;

use crate::accounts::Account;
use crate::error::invalid;
use crate::rng::{Stream, generate_blocks};
use crate::table::{Table, datetime_column, str_column};
use crate::vocab::{CustomerSegment, Plan, Region};
use crate::{SampleError, day_offset};

/// Probability weights (in percent) of the scores 0 to 10, by segment, outside an incident.
///
/// SMB: 24% detractors, 30% passives, 46% promoters: true NPS +22.
/// Mid-market: 17% / 28% / 55%: true NPS +38.
/// Enterprise: 27% / 32% / 41%: true NPS +14.
pub const SCORE_WEIGHTS: [(CustomerSegment, [u32; 11]); 3] = [
    (CustomerSegment::Smb, [2, 1, 2, 3, 3, 5, 8, 12, 18, 24, 22]),
    (
        CustomerSegment::MidMarket,
        [1, 1, 1, 2, 2, 4, 6, 11, 17, 27, 28],
    ),
    (
        CustomerSegment::Enterprise,
        [2, 1, 2, 3, 4, 6, 9, 13, 19, 22, 19],
    ),
];

/// Score weights during a planted incident, whatever the segment: 50% detractors,
/// 26% passives, 24% promoters: true NPS −26.
pub const INCIDENT_SCORE_WEIGHTS: [u32; 11] = [6, 4, 5, 7, 7, 9, 12, 12, 14, 13, 11];

/// A planted incident: for `days` days from `start`, respondents in `region` answer from
/// [`INCIDENT_SCORE_WEIGHTS`], so monitoring has a real dip to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incident {
    /// The affected region.
    pub region: Region,
    /// The first affected day.
    pub start: NaiveDate,
    /// How many days it lasts.
    pub days: u32,
}

/// How many survey responses to generate, over which days.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SurveyConfig {
    /// Number of responses.
    pub responses: usize,
    /// The first day responses can arrive.
    pub start: NaiveDate,
    /// The number of days responses arrive over.
    pub days: u32,
    /// An optional planted incident.
    pub incident: Option<Incident>,
    /// Seed of the random streams.
    pub seed: u64,
}

impl SurveyConfig {
    /// `responses` responses over `days` days from `start`, with no incident.
    pub fn new(responses: usize, start: NaiveDate, days: u32, seed: u64) -> Self {
        SurveyConfig {
            responses,
            start,
            days,
            incident: None,
            seed,
        }
    }

    /// The same configuration with a planted incident.
    pub fn with_incident(mut self, incident: Incident) -> Self {
        self.incident = Some(incident);
        self
    }
}

/// One answer to "How likely are you to recommend us to a friend or colleague?".
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SurveyResponse {
    /// 1-based response number.
    pub response_id: u64,
    /// When the answer was given (UTC).
    pub answered_at: NaiveDateTime,
    /// The respondent's account.
    pub account_id: String,
    /// The respondent.
    pub user_id: String,
    /// The 0–10 score.
    pub score: u8,
    /// The account's size class.
    pub segment: CustomerSegment,
    /// The account's region.
    pub region: Region,
    /// The account's plan.
    pub plan: Plan,
    /// The account's ARR in USD.
    pub arr: f64,
}

/// Generates the responses numbered `rows` (0-based, end exclusive) against `accounts`.
///
/// Accounts answer in proportion to the square root of their seats, so large accounts answer
/// more often but do not swamp the survey. Weekends get 40% of a weekday's volume, and answers
/// cluster in working hours.
///
/// # Errors
///
/// [`SampleError::InvalidConfig`] when there are no accounts or no days.
pub fn survey_responses(
    cfg: &SurveyConfig,
    accounts: &[Account],
    rows: std::ops::Range<usize>,
) -> Result<Vec<SurveyResponse>, SampleError> {
    if accounts.is_empty() {
        return Err(invalid("surveys.accounts", "must not be empty"));
    }
    if cfg.days == 0 {
        return Err(invalid("surveys.days", "must be at least 1"));
    }
    let account_index = WeightedIndex::new(accounts.iter().map(|a| f64::from(a.seats).sqrt()))
        .map_err(|e| invalid("surveys.accounts", e.to_string()))?;
    let day_index = weekday_weighted_days(cfg.start, cfg.days)?;
    let score_dists = SCORE_WEIGHTS
        .iter()
        .map(|(s, w)| WeightedIndex::new(w).map(|d| (*s, d)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("surveys.weights", e.to_string()))?;
    let incident_dist = WeightedIndex::new(INCIDENT_SCORE_WEIGHTS)
        .map_err(|e| invalid("surveys.incident", e.to_string()))?;

    let rows = rows.start.min(cfg.responses)..rows.end.min(cfg.responses);
    Ok(generate_blocks(
        cfg.seed,
        Stream::Surveys,
        rows,
        |rng, first, n, out| {
            for i in first..first + n {
                let account = &accounts[account_index.sample(rng)];
                let day = day_offset(cfg.start, day_index.sample(rng) as u32);
                let answered_at = day.and_time(working_hours_time(rng));
                let in_incident = cfg.incident.is_some_and(|inc| {
                    inc.region == account.region
                        && day >= inc.start
                        && (day - inc.start).num_days() < i64::from(inc.days)
                });
                let score = if in_incident {
                    incident_dist.sample(rng)
                } else {
                    score_dists
                        .iter()
                        .find(|(s, _)| *s == account.segment)
                        .map_or(0, |(_, d)| d.sample(rng))
                };
                let seat = rng.random_range(1..=account.seats);
                out.push(SurveyResponse {
                    response_id: i as u64 + 1,
                    answered_at,
                    account_id: account.account_id.clone(),
                    user_id: format!("{}-u{seat:04}", account.account_id),
                    score: score as u8,
                    segment: account.segment,
                    region: account.region,
                    plan: account.plan,
                    arr: account.arr,
                });
            }
        },
    ))
}

/// A distribution over day offsets `0..days` in which Saturdays and Sundays weigh 0.4.
pub(crate) fn weekday_weighted_days(
    start: NaiveDate,
    days: u32,
) -> Result<WeightedIndex<f64>, SampleError> {
    use chrono::{Datelike, Weekday};
    WeightedIndex::new((0..days).map(|d| match day_offset(start, d).weekday() {
        Weekday::Sat | Weekday::Sun => 0.4,
        _ => 1.0,
    }))
    .map_err(|e| invalid("days", e.to_string()))
}

/// A time of day concentrated in 08:00–18:00 (80%), otherwise uniform.
pub(crate) fn working_hours_time(rng: &mut ChaCha8Rng) -> NaiveTime {
    let secs = if rng.random_bool(0.8) {
        rng.random_range(8 * 3600..18 * 3600)
    } else {
        rng.random_range(0..24 * 3600)
    };
    NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN)
}

impl Table for SurveyResponse {
    const NAME: &'static str = "surveys";

    fn frame(rows: &[Self]) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new(
                "response_id".into(),
                rows.iter().map(|r| r.response_id).collect::<Vec<_>>(),
            ),
            datetime_column("answered_at", rows, |r| r.answered_at)?,
            str_column("account_id", rows, |r| r.account_id.as_str()),
            str_column("user_id", rows, |r| r.user_id.as_str()),
            Column::new(
                "score".into(),
                rows.iter().map(|r| i32::from(r.score)).collect::<Vec<_>>(),
            ),
            str_column("segment", rows, |r| r.segment.label()),
            str_column("region", rows, |r| r.region.label()),
            str_column("plan", rows, |r| r.plan.label()),
            Column::new("arr".into(), rows.iter().map(|r| r.arr).collect::<Vec<_>>()),
        ])
    }
}
