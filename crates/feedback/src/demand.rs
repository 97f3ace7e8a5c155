//! Demand per feature request or theme, counted by the customers behind it.
//!
//! Records (a link, a vote, or a tagged item) are grouped per key. For each key:
//!
//! - unique accounts D = |A|, and people without an account (`unique_people`);
//! - importance-weighted demand (Productboard's customer importance score): each account
//!   counts once, at its latest importance level 0–3 (a person without an account counts as
//!   its own voter; a record with neither counts alone);
//! - ARR-weighted demand R = Σ_{a∈A} g(ARR(a)) · w(a), g ∈ {identity, √, ln(1 + x)} and w an
//!   [`AccountWeight`] (by segment or plan); accounts without ARR are counted in
//!   `missing_arr`, never silently as 0;
//! - recency-decayed accounts Σ_{a∈A} 0.5^(age_a / half-life), age from the account's latest
//!   record to `as_of`;
//! - Fider's trending score ((5·v₃₀ + 3·c₃₀) − 1)/(h + 2)^1.4 with v₃₀ the records of the last
//!   30 days, c₃₀ = 0 (comments are not modelled) and h the hours since the first record.
//!
//! [`DemandAccumulator`] is mergeable: shards combine exactly (sets union; the latest record
//! per voter wins, ties to the higher importance), so demand can be computed per file or day
//! and combined. [`Demand::reach`] hands the number to prodops-process as RICE reach.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};
use prodops_core::{AccountId, Currency, UserId};
use serde::{Deserialize, Serialize};

use crate::FeedbackError;
use crate::model::{Account, FeedbackItem, Importance, Link, RequestBoard};

/// A weight per account (voting power by plan or segment, as Fider users asked for in #1132).
pub trait AccountWeight: Send + Sync {
    /// The account's weight (1 means "counts normally").
    fn weight(&self, account: &Account) -> f64;
}

/// Every account weighs 1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Uniform;

impl AccountWeight for Uniform {
    fn weight(&self, _: &Account) -> f64 {
        1.0
    }
}

/// Weights by the value of one segment dimension (default 1 for other values).
#[derive(Debug, Clone, Default)]
pub struct SegmentWeights {
    /// The dimension, such as `segment`.
    pub dimension: String,
    /// Weight per value.
    pub weights: HashMap<String, f64>,
}

impl AccountWeight for SegmentWeights {
    fn weight(&self, account: &Account) -> f64 {
        account
            .segment
            .get(&self.dimension)
            .and_then(|v| self.weights.get(v))
            .copied()
            .unwrap_or(1.0)
    }
}

/// Damping of ARR before summing, so one large account does not dominate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ArrTransform {
    /// ARR as is.
    #[default]
    Identity,
    /// √ARR.
    Sqrt,
    /// ln(1 + ARR).
    Log1p,
}

impl ArrTransform {
    fn apply(self, x: f64) -> f64 {
        match self {
            ArrTransform::Identity => x,
            ArrTransform::Sqrt => x.max(0.0).sqrt(),
            ArrTransform::Log1p => x.max(0.0).ln_1p(),
        }
    }
}

/// One piece of evidence of demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DemandRecord {
    /// The account, if known.
    pub account: Option<AccountId>,
    /// The person, if known.
    pub person: Option<UserId>,
    /// Importance (a bare vote or an untagged item is `NiceToHave`, level 1).
    pub importance: Importance,
    /// When.
    pub at: NaiveDateTime,
}

impl DemandRecord {
    /// A record.
    pub fn new(
        account: Option<AccountId>,
        person: Option<UserId>,
        importance: Importance,
        at: NaiveDateTime,
    ) -> DemandRecord {
        DemandRecord {
            account,
            person,
            importance,
            at,
        }
    }
}

/// An item as evidence of demand for whatever it is tagged with: its account, its author,
/// importance `NiceToHave` (an untagged item's level 1) and its received time. Use it to key
/// items by theme (or by any request they are matched to) for [`demand_by_key`].
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_core::AccountId;
/// use prodops_feedback::demand::DemandRecord;
/// use prodops_feedback::model::{Channel, FeedbackId, FeedbackItem, Importance};
///
/// let at = NaiveDate::from_ymd_opt(2026, 5, 4).and_then(|d| d.and_hms_opt(9, 0, 0)).ok_or("date")?;
/// let item = FeedbackItem::new(FeedbackId::new("f1")?, Channel::Survey, at, "Please add dark mode")?
///     .with_account(AccountId::new("acct-1")?);
/// let record = DemandRecord::from(&item);
/// assert_eq!(record.account, Some(AccountId::new("acct-1")?));
/// assert_eq!((record.importance, record.at), (Importance::NiceToHave, at));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl From<&FeedbackItem> for DemandRecord {
    fn from(item: &FeedbackItem) -> DemandRecord {
        DemandRecord::new(
            item.account.clone(),
            item.author.clone(),
            Importance::NiceToHave,
            item.received_at,
        )
    }
}

impl From<&Link> for DemandRecord {
    fn from(l: &Link) -> DemandRecord {
        DemandRecord::new(l.account.clone(), l.person.clone(), l.importance, l.at)
    }
}

/// Who a record counts for: its account, else its person, else itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
enum Voter {
    Account(AccountId),
    Person(UserId),
    Anonymous(u64),
}

/// The latest record of one voter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Latest {
    at: NaiveDateTime,
    importance: Importance,
    first: NaiveDateTime,
    records: u64,
}

/// Mergeable demand state of one key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandAccumulator {
    voters: BTreeMap<Voter, Latest>,
    anonymous: u64,
}

impl DemandAccumulator {
    /// Adds one record.
    pub fn add(&mut self, r: &DemandRecord) {
        let voter = match (&r.account, &r.person) {
            (Some(a), _) => Voter::Account(a.clone()),
            (None, Some(p)) => Voter::Person(p.clone()),
            (None, None) => {
                self.anonymous += 1;
                Voter::Anonymous(self.anonymous)
            }
        };
        let new = Latest {
            at: r.at,
            importance: r.importance,
            first: r.at,
            records: 1,
        };
        self.voters
            .entry(voter)
            .and_modify(|old| *old = combine(*old, new))
            .or_insert(new);
    }

    /// Folds another accumulator in. Anonymous records are renumbered so none collapse.
    pub fn merge(&mut self, other: &DemandAccumulator) {
        for (v, l) in &other.voters {
            let v = match v {
                Voter::Anonymous(_) => {
                    self.anonymous += 1;
                    Voter::Anonymous(self.anonymous)
                }
                v => v.clone(),
            };
            self.voters
                .entry(v)
                .and_modify(|old| *old = combine(*old, *l))
                .or_insert(*l);
        }
    }

    /// Computes the demand figures.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] for a half-life that is not positive and finite, or
    /// ARR in a currency other than the config's.
    pub fn finish(
        &self,
        accounts: &HashMap<AccountId, Account>,
        cfg: &DemandConfig,
        weight: &dyn AccountWeight,
    ) -> Result<Demand, FeedbackError> {
        cfg.validate()?;
        let mut d = Demand::default();
        let window = cfg.as_of - Duration::days(30);
        let mut first: Option<NaiveDateTime> = None;
        for (v, l) in &self.voters {
            d.records += l.records;
            d.importance_weighted += f64::from(l.importance.level());
            first = Some(first.map_or(l.first, |f| f.min(l.first)));
            if l.at > window && l.at <= cfg.as_of {
                d.last_30_days += 1;
            }
            let age_days = (cfg.as_of - l.at).num_seconds().max(0) as f64 / 86_400.0;
            let decay = 0.5f64.powf(age_days / cfg.half_life_days);
            match v {
                Voter::Account(a) => {
                    d.unique_accounts += 1;
                    d.decayed_accounts += decay;
                    match accounts.get(a) {
                        None => d.unknown_accounts += 1,
                        Some(acc) => {
                            let w = weight.weight(acc);
                            d.weighted_accounts += w;
                            match &acc.arr {
                                None => d.missing_arr += 1,
                                Some(m) if m.currency() != cfg.currency => {
                                    return Err(FeedbackError::InvalidInput {
                                        what: format!("ARR of account {a}"),
                                        reason: format!(
                                            "is in {}, demand is computed in {}",
                                            m.currency().code(),
                                            cfg.currency.code()
                                        ),
                                    });
                                }
                                Some(m) => {
                                    d.arr_weighted += cfg.arr_transform.apply(m.to_f64()) * w
                                }
                            }
                        }
                    }
                }
                Voter::Person(_) | Voter::Anonymous(_) => {
                    d.unique_people += 1;
                    d.decayed_people += decay;
                }
            }
        }
        if let Some(f) = first {
            let hours = ((cfg.as_of - f).num_seconds().max(0) as f64) / 3600.0;
            d.trending = (5.0 * d.last_30_days as f64 - 1.0) / (hours + 2.0).powf(1.4);
        }
        Ok(d)
    }
}

/// The later record wins; on equal times the higher importance; counts add up.
fn combine(a: Latest, b: Latest) -> Latest {
    let (at, importance) = if (b.at, b.importance) > (a.at, a.importance) {
        (b.at, b.importance)
    } else {
        (a.at, a.importance)
    };
    Latest {
        at,
        importance,
        first: a.first.min(b.first),
        records: a.records + b.records,
    }
}

/// Settings of a demand computation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DemandConfig {
    /// The reference time for recency and trending.
    pub as_of: NaiveDateTime,
    /// Half-life of the recency decay, in days.
    pub half_life_days: f64,
    /// ARR damping.
    pub arr_transform: ArrTransform,
    /// Currency of ARR.
    pub currency: Currency,
}

impl DemandConfig {
    /// Defaults: half-life 90 days, ARR as is, USD.
    pub fn new(as_of: NaiveDateTime) -> DemandConfig {
        DemandConfig {
            as_of,
            half_life_days: 90.0,
            arr_transform: ArrTransform::Identity,
            currency: Currency::USD,
        }
    }

    /// Sets the half-life in days.
    pub fn half_life_days(mut self, days: f64) -> DemandConfig {
        self.half_life_days = days;
        self
    }

    /// Sets the ARR damping.
    pub fn arr_transform(mut self, t: ArrTransform) -> DemandConfig {
        self.arr_transform = t;
        self
    }

    fn validate(&self) -> Result<(), FeedbackError> {
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(FeedbackError::InvalidInput {
                what: "half-life".to_owned(),
                reason: format!(
                    "must be a positive number of days, got {}",
                    self.half_life_days
                ),
            });
        }
        Ok(())
    }
}

/// Demand of one request or theme.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Demand {
    /// Records seen (links, votes, items), before counting each voter once.
    pub records: u64,
    /// Distinct accounts.
    pub unique_accounts: u64,
    /// Distinct people without an account (plus anonymous records).
    pub unique_people: u64,
    /// Accounts not found in the account table (counted in `unique_accounts`, no ARR).
    pub unknown_accounts: u64,
    /// Known accounts without ARR.
    pub missing_arr: u64,
    /// Σ account weights.
    pub weighted_accounts: f64,
    /// Σ g(ARR) · weight over known accounts with ARR.
    pub arr_weighted: f64,
    /// Σ latest importance level (0–3) per voter.
    pub importance_weighted: f64,
    /// Σ 0.5^(age/half-life) over accounts.
    pub decayed_accounts: f64,
    /// Σ 0.5^(age/half-life) over people without an account.
    pub decayed_people: f64,
    /// Voters whose latest record is in the 30 days before `as_of`.
    pub last_30_days: u64,
    /// Fider's trending score.
    pub trending: f64,
}

/// What [`Demand::reach`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ReachBasis {
    /// Unique accounts plus people without an account.
    #[default]
    Customers,
    /// Unique accounts only.
    Accounts,
    /// ARR-weighted demand.
    Arr,
    /// Importance-weighted demand.
    Importance,
    /// Recency-decayed accounts and people.
    Decayed,
}

impl Demand {
    /// The figure to use as RICE "reach" in prodops-process.
    pub fn reach(&self, basis: ReachBasis) -> f64 {
        match basis {
            ReachBasis::Customers => (self.unique_accounts + self.unique_people) as f64,
            ReachBasis::Accounts => self.unique_accounts as f64,
            ReachBasis::Arr => self.arr_weighted,
            ReachBasis::Importance => self.importance_weighted,
            ReachBasis::Decayed => self.decayed_accounts + self.decayed_people,
        }
    }
}

/// Demand per key from any records (theme → items, request → links).
///
/// # Errors
///
/// As [`DemandAccumulator::finish`].
pub fn demand_by_key<K: Ord + Clone>(
    records: impl IntoIterator<Item = (K, DemandRecord)>,
    accounts: &HashMap<AccountId, Account>,
    cfg: &DemandConfig,
    weight: &dyn AccountWeight,
) -> Result<BTreeMap<K, Demand>, FeedbackError> {
    let mut acc: BTreeMap<K, DemandAccumulator> = BTreeMap::new();
    for (k, r) in records {
        acc.entry(k).or_default().add(&r);
    }
    acc.into_iter()
        .map(|(k, a)| Ok((k, a.finish(accounts, cfg, weight)?)))
        .collect()
}

/// Demand per canonical request of a board (merged requests count on their target).
///
/// # Errors
///
/// [`FeedbackError::UnknownRequest`] for a dangling link; as [`DemandAccumulator::finish`].
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use chrono::NaiveDate;
/// use prodops_core::{AccountId, Money, Currency};
/// use prodops_feedback::demand::{DemandConfig, Uniform, request_demand};
/// use prodops_feedback::model::{Account, Importance, RequestBoard, RequestId};
///
/// let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).and_then(|x| x.and_hms_opt(0, 0, 0)).ok_or("date");
/// let a1 = AccountId::new("acct-1")?;
/// let accounts: HashMap<_, _> = [(a1.clone(), Account::new(a1.clone()).with_arr(Money::parse_amount("12000", Currency::USD)?)?)].into();
/// let mut board = RequestBoard::new();
/// let sso = RequestId::new("sso")?;
/// board.add_request(sso.clone(), "SSO", day(1)?)?;
/// board.vote(&sso, Some(a1.clone()), None, Importance::Critical, day(2)?)?;
/// board.vote(&sso, Some(a1.clone()), None, Importance::NiceToHave, day(3)?)?; // latest wins
/// let d = &request_demand(&board, &accounts, &DemandConfig::new(day(3)?), &Uniform)?[&sso];
/// assert_eq!((d.unique_accounts, d.importance_weighted, d.arr_weighted), (1, 1.0, 12000.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn request_demand(
    board: &RequestBoard,
    accounts: &HashMap<AccountId, Account>,
    cfg: &DemandConfig,
    weight: &dyn AccountWeight,
) -> Result<BTreeMap<crate::model::RequestId, Demand>, FeedbackError> {
    let resolved = board.resolved_links()?;
    let records = resolved.into_iter().flat_map(|(k, links)| {
        links
            .into_iter()
            .map(move |l| (k.clone(), DemandRecord::from(l)))
    });
    demand_by_key(records, accounts, cfg, weight)
}
