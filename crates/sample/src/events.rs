//! Product analytics events with planted funnels and retention.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use polars::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Poisson};

use crate::error::invalid;
use crate::rng::{Stream, generate_blocks};
use crate::table::{Table, datetime_column, str_column};
use crate::{SampleError, pick};

/// The ordered onboarding funnel: each user signs up, then may create a project, invite a
/// teammate and start a subscription, each step only after the previous one.
pub const FUNNEL: [&str; 4] = [
    "signed_up",
    "project_created",
    "teammate_invited",
    "subscription_started",
];

/// Events emitted on an active day, after `session_started`.
pub const ACTIVITY_EVENTS: [&str; 3] = ["session_started", "dashboard_viewed", "report_exported"];

/// Step-to-step conversion probabilities of [`FUNNEL`] (steps 2, 3, 4) by platform: web
/// converts best, Android worst.
pub const STEP_CONVERSION: [(&str, [f64; 3]); 3] = [
    ("web", [0.75, 0.50, 0.40]),
    ("ios", [0.65, 0.40, 0.30]),
    ("android", [0.55, 0.35, 0.20]),
];

/// Platform mix of new users.
const PLATFORMS: [(&str, f64); 3] = [("web", 0.60), ("ios", 0.25), ("android", 0.15)];

/// Country mix of new users.
const COUNTRIES: [(&str, f64); 7] = [
    ("US", 0.35),
    ("DE", 0.12),
    ("GB", 0.12),
    ("FR", 0.08),
    ("IN", 0.15),
    ("BR", 0.10),
    ("JP", 0.08),
];

/// The probability that a user who created a project is active `k` days after signing up:
/// `0.08 + 0.40·e^(−k/4)`, halved for users who never created one and on weekends. It decays
/// to a plateau, the usual shape of a retention curve.
pub fn activity_probability(k: u32, created_project: bool, weekend: bool) -> f64 {
    let base = 0.08 + 0.40 * (-f64::from(k) / 4.0).exp();
    let engaged = if created_project { base } else { base / 2.0 };
    if weekend { engaged / 2.0 } else { engaged }
}

/// How many users sign up, over which days.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EventsConfig {
    /// Number of users, all of whom sign up inside the window.
    pub users: usize,
    /// The first day of the window.
    pub start: NaiveDate,
    /// The number of days in the window; no event falls after it.
    pub days: u32,
    /// Seed of the random streams.
    pub seed: u64,
}

impl EventsConfig {
    /// `users` users signing up over `days` days from `start`.
    pub fn new(users: usize, start: NaiveDate, days: u32, seed: u64) -> Self {
        EventsConfig {
            users,
            start,
            days,
            seed,
        }
    }
}

/// One tracked event, with its properties as columns.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ProductEvent {
    /// `user-000001`-style id.
    pub user_id: String,
    /// The event name, from [`FUNNEL`] or [`ACTIVITY_EVENTS`].
    pub event: &'static str,
    /// When it happened (UTC), to the second.
    pub timestamp: NaiveDateTime,
    /// Property: `web`, `ios` or `android`.
    pub platform: &'static str,
    /// Property: ISO country code.
    pub country: &'static str,
    /// Property: `free` until the user's `subscription_started`, `paid` from then on.
    pub plan: &'static str,
}

/// Generates the events of the users numbered `users` (0-based, end exclusive), grouped by
/// user and in time order within a user.
///
/// # Errors
///
/// [`SampleError::InvalidConfig`] when the window has no days.
pub fn product_events(
    cfg: &EventsConfig,
    users: std::ops::Range<usize>,
) -> Result<Vec<ProductEvent>, SampleError> {
    if cfg.days == 0 {
        return Err(invalid("events.days", "must be at least 1"));
    }
    let window_end = cfg
        .start
        .checked_add_days(chrono::Days::new(u64::from(cfg.days)))
        .ok_or_else(|| invalid("events.days", "runs past the supported calendar"))?
        .and_time(chrono::NaiveTime::MIN);
    let users = users.start.min(cfg.users)..users.end.min(cfg.users);
    let per_user = generate_blocks(cfg.seed, Stream::Events, users, |rng, first, n, out| {
        for i in first..first + n {
            out.push(one_user(cfg, window_end, i, rng));
        }
    });
    Ok(per_user.into_iter().flatten().collect())
}

fn one_user(
    cfg: &EventsConfig,
    window_end: NaiveDateTime,
    index: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<ProductEvent> {
    let user_id = format!("user-{:06}", index + 1);
    let platform = pick(rng, &PLATFORMS);
    let country = pick(rng, &COUNTRIES);
    let signup = cfg.start.and_time(chrono::NaiveTime::MIN)
        + Duration::seconds(rng.random_range(0..i64::from(cfg.days) * 86_400));
    let conversion = STEP_CONVERSION
        .iter()
        .find(|(p, _)| *p == platform)
        .map_or([0.5; 3], |(_, c)| *c);
    // Mean delays between funnel steps: 2 hours, 1 day, 3 days.
    let mean_delay_secs = [2.0 * 3600.0, 86_400.0, 3.0 * 86_400.0];

    let mut events = Vec::new();
    let mut push = |event, timestamp, plan| {
        // Activity late on the window's last day can spill past midnight; the window is closed.
        if timestamp >= window_end {
            return;
        }
        events.push(ProductEvent {
            user_id: user_id.clone(),
            event,
            timestamp,
            platform,
            country,
            plan,
        });
    };
    push(FUNNEL[0], signup, "free");
    let mut at = signup;
    let mut reached = 1;
    let mut paid_from = None;
    for step in 1..FUNNEL.len() {
        if !rng.random_bool(conversion[step - 1]) {
            break;
        }
        let delay: f64 =
            Exp::new(1.0 / mean_delay_secs[step - 1]).map_or(3600.0, |d| d.sample(rng));
        at += Duration::seconds(delay.ceil() as i64);
        if at >= window_end {
            break;
        }
        let plan = if FUNNEL[step] == "subscription_started" {
            paid_from = Some(at);
            "paid"
        } else {
            "free"
        };
        push(FUNNEL[step], at, plan);
        reached = step + 1;
    }
    let created_project = reached >= 2;

    let extra_views = Poisson::new(1.5).ok();
    let signup_day = signup.date();
    let mut k = 1u32;
    while let Some(day) = signup_day.checked_add_days(chrono::Days::new(u64::from(k))) {
        if day.and_time(chrono::NaiveTime::MIN) >= window_end {
            break;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if rng.random_bool(activity_probability(k, created_project, weekend)) {
            let plan_at = |t| {
                if paid_from.is_some_and(|p| p <= t) {
                    "paid"
                } else {
                    "free"
                }
            };
            let mut t = day.and_time(crate::surveys::working_hours_time(rng));
            push(ACTIVITY_EVENTS[0], t, plan_at(t));
            let views = extra_views.map_or(1.0, |d| d.sample(rng)) as u32 + 1;
            for _ in 0..views {
                t += Duration::seconds(rng.random_range(5..600));
                push(ACTIVITY_EVENTS[1], t, plan_at(t));
            }
            if rng.random_bool(0.1) {
                t += Duration::seconds(rng.random_range(5..600));
                push(ACTIVITY_EVENTS[2], t, plan_at(t));
            }
        }
        k += 1;
    }
    events
}

impl Table for ProductEvent {
    const NAME: &'static str = "events";

    fn frame(rows: &[Self]) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            str_column("user_id", rows, |r| r.user_id.as_str()),
            str_column("event", rows, |r| r.event),
            datetime_column("timestamp", rows, |r| r.timestamp)?,
            str_column("platform", rows, |r| r.platform),
            str_column("country", rows, |r| r.country),
            str_column("plan", rows, |r| r.plan),
        ])
    }
}
