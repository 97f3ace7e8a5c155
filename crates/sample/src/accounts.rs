//! Customer accounts and their monthly recurring revenue.

use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

use crate::error::invalid;
use crate::rng::{Stream, block_rng};
use crate::table::{Table, date_column, str_column};
use crate::vocab::{CustomerSegment, Plan, Region};
use crate::{SampleError, pick};

/// How many accounts to simulate, and over which months.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountsConfig {
    /// Number of accounts.
    pub accounts: usize,
    /// The first month of the MRR history (any day of it).
    pub first_month: NaiveDate,
    /// Number of months of MRR history.
    pub months: u32,
    /// Seed of the random streams.
    pub seed: u64,
}

impl AccountsConfig {
    /// A configuration for `accounts` accounts over `months` months from `first_month`.
    pub fn new(accounts: usize, first_month: NaiveDate, months: u32, seed: u64) -> Self {
        AccountsConfig {
            accounts,
            first_month,
            months,
            seed,
        }
    }
}

/// A customer account as of the end of the simulated history.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Account {
    /// `acct-00001`-style identifier.
    pub account_id: String,
    /// A made-up company name.
    pub name: String,
    /// Size class.
    pub segment: CustomerSegment,
    /// Sales region.
    pub region: Region,
    /// Plan at the end of the history.
    pub plan: Plan,
    /// Number of seats (users), which also weights how often the account answers surveys.
    pub seats: u32,
    /// The day the account was created.
    pub created_on: NaiveDate,
    /// Annual recurring revenue in USD at the end of the history: 12 × the last month's MRR,
    /// or 0 for a free or churned account.
    pub arr: f64,
}

/// One account's recurring revenue in one month. Months without revenue (before the first
/// payment, after churn, on the free plan) have no row, as in a billing export.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MrrRow {
    /// The paying account.
    pub account_id: String,
    /// The first day of the month.
    pub month: NaiveDate,
    /// Monthly recurring revenue in USD, to the cent.
    pub mrr: f64,
    /// The plan billed that month.
    pub plan: Plan,
    /// The account's size class.
    pub segment: CustomerSegment,
    /// The account's region.
    pub region: Region,
}

/// Segment mix: 60% SMB, 28% mid-market, 12% enterprise.
const SEGMENT_WEIGHTS: [(CustomerSegment, f64); 3] = [
    (CustomerSegment::Smb, 0.60),
    (CustomerSegment::MidMarket, 0.28),
    (CustomerSegment::Enterprise, 0.12),
];

/// Region mix.
const REGION_WEIGHTS: [(Region, f64); 4] = [
    (Region::NorthAmerica, 0.45),
    (Region::Emea, 0.30),
    (Region::Apac, 0.15),
    (Region::Latam, 0.10),
];

/// Monthly logo-churn probability of a paying account, by segment.
pub const MONTHLY_CHURN: [(CustomerSegment, f64); 3] = [
    (CustomerSegment::Smb, 0.030),
    (CustomerSegment::MidMarket, 0.015),
    (CustomerSegment::Enterprise, 0.007),
];

/// Monthly probability that a paying account expands (+10% to +50% MRR).
pub const MONTHLY_EXPANSION: f64 = 0.05;
/// Monthly probability that a paying account contracts (−10% to −40% MRR).
pub const MONTHLY_CONTRACTION: f64 = 0.02;
/// Monthly probability that a free account starts paying.
pub const MONTHLY_FREE_UPGRADE: f64 = 0.04;
/// Monthly probability that a churned account comes back.
pub const MONTHLY_REACTIVATION: f64 = 0.04;

const NAME_HEADS: [&str; 16] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Soylent",
    "Vandelay",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Massive",
];
const NAME_TAILS: [&str; 8] = [
    "Labs",
    "Analytics",
    "Logistics",
    "Health",
    "Retail",
    "Systems",
    "Studios",
    "Finance",
];

fn plan_for(segment: CustomerSegment, rng: &mut ChaCha8Rng) -> Plan {
    let weights: &[(Plan, f64)] = match segment {
        CustomerSegment::Smb => &[(Plan::Free, 0.35), (Plan::Starter, 0.45), (Plan::Pro, 0.20)],
        CustomerSegment::MidMarket => &[
            (Plan::Free, 0.10),
            (Plan::Starter, 0.20),
            (Plan::Pro, 0.60),
            (Plan::Enterprise, 0.10),
        ],
        CustomerSegment::Enterprise => &[(Plan::Pro, 0.30), (Plan::Enterprise, 0.70)],
    };
    pick(rng, weights)
}

/// A starting MRR in cents for a paid plan: log-normal around $99, $600 and $6,000.
fn initial_mrr_cents(plan: Plan, rng: &mut ChaCha8Rng) -> i64 {
    let median: f64 = match plan {
        Plan::Free => return 0,
        Plan::Starter => 99.0,
        Plan::Pro => 600.0,
        Plan::Enterprise => 6_000.0,
    };
    let dollars = LogNormal::new(median.ln(), 0.5).map_or(median, |d| d.sample(rng));
    (dollars * 100.0).round().max(100.0) as i64
}

fn seats_for(segment: CustomerSegment, rng: &mut ChaCha8Rng) -> u32 {
    match segment {
        CustomerSegment::Smb => rng.random_range(2..=20),
        CustomerSegment::MidMarket => rng.random_range(20..=200),
        CustomerSegment::Enterprise => rng.random_range(200..=5_000),
    }
}

fn scale_cents(cents: i64, factor: f64) -> i64 {
    ((cents as f64) * factor).round().max(100.0) as i64
}

/// Simulates every account's plan and MRR month by month.
///
/// Each account draws from its own random stream, so account `i` is the same whatever the
/// total number of accounts.
///
/// # Errors
///
/// [`SampleError::InvalidConfig`] when there are no accounts or no months, or the history runs
/// past the calendar.
pub fn accounts_and_mrr(cfg: &AccountsConfig) -> Result<(Vec<Account>, Vec<MrrRow>), SampleError> {
    if cfg.accounts == 0 {
        return Err(invalid("accounts.accounts", "must be at least 1"));
    }
    if cfg.months == 0 {
        return Err(invalid("accounts.months", "must be at least 1"));
    }
    let first = cfg
        .first_month
        .with_day(1)
        .ok_or_else(|| invalid("accounts.first_month", "has no first day"))?;
    let month_starts: Vec<NaiveDate> = (0..cfg.months)
        .map(|m| first.checked_add_months(Months::new(m)))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid("accounts.months", "runs past the supported calendar"))?;

    let mut accounts = Vec::with_capacity(cfg.accounts);
    let mut mrr_rows = Vec::new();
    for i in 0..cfg.accounts {
        let rng = &mut block_rng(cfg.seed, Stream::Accounts, i as u64);
        let account_id = format!("acct-{:05}", i + 1);
        let segment = pick(rng, &SEGMENT_WEIGHTS);
        let region = pick(rng, &REGION_WEIGHTS);
        let mut plan = plan_for(segment, rng);
        let seats = seats_for(segment, rng);
        // 40% of accounts predate the history; the rest join evenly across it.
        let created_month = if rng.random_bool(0.4) {
            0
        } else {
            rng.random_range(0..cfg.months as usize)
        };
        let created_on = month_starts[created_month]
            .checked_add_days(chrono::Days::new(rng.random_range(0..28)))
            .unwrap_or(month_starts[created_month]);
        let churn = MONTHLY_CHURN
            .iter()
            .find(|(s, _)| *s == segment)
            .map_or(0.02, |(_, p)| *p);
        let name = format!(
            "{} {}",
            NAME_HEADS[rng.random_range(0..NAME_HEADS.len())],
            NAME_TAILS[rng.random_range(0..NAME_TAILS.len())]
        );

        let mut cents = initial_mrr_cents(plan, rng);
        let mut churned_from: Option<i64> = None;
        for (k, month) in month_starts[created_month..].iter().enumerate() {
            // The transition from the previous month; the creation month has none.
            if k > 0 {
                if cents > 0 {
                    let u: f64 = rng.random();
                    if u < churn {
                        churned_from = Some(cents);
                        cents = 0;
                    } else if u < churn + MONTHLY_EXPANSION {
                        cents = scale_cents(cents, rng.random_range(1.1..1.5));
                    } else if u < churn + MONTHLY_EXPANSION + MONTHLY_CONTRACTION {
                        cents = scale_cents(cents, rng.random_range(0.6..0.9));
                    }
                } else if let Some(previous) = churned_from {
                    if rng.random_bool(MONTHLY_REACTIVATION) {
                        cents = scale_cents(previous, rng.random_range(0.7..1.0));
                        churned_from = None;
                    }
                } else if plan == Plan::Free && rng.random_bool(MONTHLY_FREE_UPGRADE) {
                    plan = Plan::Starter;
                    cents = initial_mrr_cents(plan, rng);
                }
            }
            if cents > 0 {
                mrr_rows.push(MrrRow {
                    account_id: account_id.clone(),
                    month: *month,
                    mrr: cents as f64 / 100.0,
                    plan,
                    segment,
                    region,
                });
            }
        }
        accounts.push(Account {
            account_id,
            name,
            segment,
            region,
            plan,
            seats,
            created_on,
            arr: cents as f64 * 12.0 / 100.0,
        });
    }
    Ok((accounts, mrr_rows))
}

impl Table for Account {
    const NAME: &'static str = "accounts";

    fn frame(rows: &[Self]) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            str_column("account_id", rows, |r| r.account_id.as_str()),
            str_column("name", rows, |r| r.name.as_str()),
            str_column("segment", rows, |r| r.segment.label()),
            str_column("region", rows, |r| r.region.label()),
            str_column("plan", rows, |r| r.plan.label()),
            Column::new(
                "seats".into(),
                rows.iter().map(|r| r.seats).collect::<Vec<_>>(),
            ),
            date_column("created_on", rows, |r| r.created_on)?,
            Column::new("arr".into(), rows.iter().map(|r| r.arr).collect::<Vec<_>>()),
        ])
    }
}

impl Table for MrrRow {
    const NAME: &'static str = "mrr";

    fn frame(rows: &[Self]) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            str_column("account_id", rows, |r| r.account_id.as_str()),
            date_column("month", rows, |r| r.month)?,
            Column::new("mrr".into(), rows.iter().map(|r| r.mrr).collect::<Vec<_>>()),
            str_column("plan", rows, |r| r.plan.label()),
            str_column("segment", rows, |r| r.segment.label()),
            str_column("region", rows, |r| r.region.label()),
        ])
    }
}
