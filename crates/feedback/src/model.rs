//! The feedback data model: items, accounts, feature requests with a status workflow and
//! merge links, item-to-request links with importance, and a hierarchical theme taxonomy.
//!
//! All types are serde-serialisable. Constructors validate and return `Result`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use prodops_core::{AccountId, Money, Segment, UserId};
use serde::{Deserialize, Serialize};

use crate::FeedbackError;

/// Defines a validated string id: trimmed, non-empty, at most 256 bytes, no control characters.
macro_rules! feedback_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an id: surrounding whitespace is trimmed; the rest must be
            /// non-empty, at most 256 bytes and free of control characters.
            ///
            /// # Errors
            ///
            /// [`FeedbackError::InvalidInput`] naming the rule that failed.
            pub fn new(value: impl AsRef<str>) -> Result<Self, FeedbackError> {
                let raw = value.as_ref();
                let t = raw.trim();
                let reason = if t.is_empty() {
                    "must not be empty"
                } else if t.len() > 256 {
                    "must be at most 256 bytes"
                } else if t.chars().any(char::is_control) {
                    "must not contain control characters"
                } else {
                    return Ok($name(t.to_owned()));
                };
                Err(FeedbackError::InvalidInput {
                    what: format!("{} {:?}", $kind, raw),
                    reason: reason.to_owned(),
                })
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FeedbackError;
            fn try_from(s: String) -> Result<Self, FeedbackError> {
                $name::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

feedback_id!(
    /// The id of a feedback item, such as `fb-000001`.
    FeedbackId,
    "feedback id"
);
feedback_id!(
    /// The id of a feature request.
    RequestId,
    "request id"
);
feedback_id!(
    /// The id of a theme in a [`Taxonomy`].
    ThemeId,
    "theme id"
);

/// Where a feedback item came from. Built-in kinds plus `Custom` for anything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// A survey answer (NPS, CSAT or free text).
    Survey,
    /// A support ticket or chat.
    SupportTicket,
    /// An app-store review.
    AppReview,
    /// Notes from a sales or customer-success call.
    SalesCall,
    /// A social-media post.
    Social,
    /// A community forum or feature-voting board.
    Community,
    /// An email.
    Email,
    /// Any other source, by name.
    Custom(String),
}

impl FromStr for Channel {
    type Err = FeedbackError;

    /// Parses common spellings (`survey`, `survey_comment`, `support_ticket`, `ticket`,
    /// `app_review`, `sales_call`, `social`, `social_post`, `community`, `email`); any other
    /// non-empty name becomes `Custom`.
    fn from_str(s: &str) -> Result<Channel, FeedbackError> {
        let t = s.trim().to_lowercase().replace(['-', ' '], "_");
        Ok(match t.as_str() {
            "" => {
                return Err(FeedbackError::InvalidInput {
                    what: "channel".to_owned(),
                    reason: "must not be empty".to_owned(),
                });
            }
            "survey" | "survey_comment" | "nps" | "csat" => Channel::Survey,
            "support_ticket" | "ticket" | "support" | "chat" => Channel::SupportTicket,
            "app_review" | "review" | "app_store" | "play_store" => Channel::AppReview,
            "sales_call" | "call" | "sales" => Channel::SalesCall,
            "social" | "social_post" | "twitter" | "tweet" => Channel::Social,
            "community" | "forum" | "voting_board" => Channel::Community,
            "email" => Channel::Email,
            _ => Channel::Custom(s.trim().to_owned()),
        })
    }
}

/// An optional numeric rating attached to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scale", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Score {
    /// Net Promoter answer, 0..=10.
    Nps(u8),
    /// Customer satisfaction, 1..=5.
    Csat(u8),
    /// Star rating, 1..=5.
    Stars(u8),
}

impl Score {
    /// A validated score.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidScore`] when the value is outside the scale or not a whole number.
    pub fn new(scale: ScoreScale, value: f64) -> Result<Score, FeedbackError> {
        let (name, min, max) = match scale {
            ScoreScale::Nps => ("NPS", 0.0, 10.0),
            ScoreScale::Csat => ("CSAT", 1.0, 5.0),
            ScoreScale::Stars => ("star", 1.0, 5.0),
        };
        if !value.is_finite() || value.fract() != 0.0 || !(min..=max).contains(&value) {
            return Err(FeedbackError::InvalidScore {
                scale: name,
                value,
                min,
                max,
            });
        }
        // In range and whole, so the cast is exact.
        let v = value as u8;
        Ok(match scale {
            ScoreScale::Nps => Score::Nps(v),
            ScoreScale::Csat => Score::Csat(v),
            ScoreScale::Stars => Score::Stars(v),
        })
    }

    /// The raw value.
    pub fn value(self) -> u8 {
        match self {
            Score::Nps(v) | Score::Csat(v) | Score::Stars(v) => v,
        }
    }
}

/// The scale of a [`Score`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreScale {
    /// 0..=10.
    Nps,
    /// 1..=5.
    Csat,
    /// 1..=5.
    Stars,
}

/// One piece of customer feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeedbackItem {
    /// Unique id.
    pub id: FeedbackId,
    /// Source channel.
    pub channel: Channel,
    /// When it was received (UTC, naive).
    pub received_at: NaiveDateTime,
    /// The person who wrote it, if known.
    pub author: Option<UserId>,
    /// The customer account, if known.
    pub account: Option<AccountId>,
    /// The text (non-empty after whitespace clean-up).
    pub text: String,
    /// A rating given with the text.
    pub score: Option<Score>,
    /// Language tag (ISO 639-1 or 639-3), given or detected.
    pub language: Option<String>,
    /// Free tags (themes, labels).
    pub tags: Vec<String>,
}

impl FeedbackItem {
    /// A new item; the text must contain something other than whitespace.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::EmptyText`] for blank text.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use prodops_feedback::model::{Channel, FeedbackId, FeedbackItem};
    ///
    /// let at = NaiveDate::from_ymd_opt(2026, 5, 1).ok_or("date")?.and_hms_opt(9, 0, 0).ok_or("time")?;
    /// let item = FeedbackItem::new(FeedbackId::new("fb-1")?, Channel::AppReview, at, "Love it")?;
    /// assert_eq!(item.text, "Love it");
    /// assert!(FeedbackItem::new(FeedbackId::new("fb-2")?, Channel::Email, at, "  ").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        id: FeedbackId,
        channel: Channel,
        received_at: NaiveDateTime,
        text: impl Into<String>,
    ) -> Result<FeedbackItem, FeedbackError> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(FeedbackError::EmptyText { id: id.to_string() });
        }
        Ok(FeedbackItem {
            id,
            channel,
            received_at,
            author: None,
            account: None,
            text,
            score: None,
            language: None,
            tags: Vec::new(),
        })
    }

    /// Sets the author.
    pub fn with_author(mut self, author: UserId) -> FeedbackItem {
        self.author = Some(author);
        self
    }

    /// Sets the account.
    pub fn with_account(mut self, account: AccountId) -> FeedbackItem {
        self.account = Some(account);
        self
    }

    /// Sets the score.
    pub fn with_score(mut self, score: Score) -> FeedbackItem {
        self.score = Some(score);
        self
    }

    /// Sets the language tag.
    pub fn with_language(mut self, language: impl Into<String>) -> FeedbackItem {
        self.language = Some(language.into());
        self
    }

    /// Sets the tags.
    pub fn with_tags(mut self, tags: Vec<String>) -> FeedbackItem {
        self.tags = tags;
        self
    }
}

/// A customer account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// Account id.
    pub id: AccountId,
    /// Display name.
    pub name: Option<String>,
    /// Annual recurring revenue.
    pub arr: Option<Money>,
    /// Segment (dimension = value pairs such as `segment=Enterprise`, `region=EMEA`).
    pub segment: Segment,
    /// Plan name.
    pub plan: Option<String>,
    /// Any further fields.
    pub custom: BTreeMap<String, String>,
}

impl Account {
    /// An account with only its id; fill the rest with the `with_*` methods.
    pub fn new(id: AccountId) -> Account {
        Account {
            id,
            name: None,
            arr: None,
            segment: Segment::all(),
            plan: None,
            custom: BTreeMap::new(),
        }
    }

    /// Sets the ARR.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] for a negative amount.
    pub fn with_arr(mut self, arr: Money) -> Result<Account, FeedbackError> {
        if arr.is_negative() {
            return Err(FeedbackError::InvalidInput {
                what: format!("ARR of account {}", self.id),
                reason: format!("must not be negative, got {}", arr.amount()),
            });
        }
        self.arr = Some(arr);
        Ok(self)
    }

    /// Sets the segment.
    pub fn with_segment(mut self, segment: Segment) -> Account {
        self.segment = segment;
        self
    }

    /// Sets the plan.
    pub fn with_plan(mut self, plan: impl Into<String>) -> Account {
        self.plan = Some(plan.into());
        self
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Account {
        self.name = Some(name.into());
        self
    }
}

/// The coarse class of a request status: voting and linking rules look only at this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusClass {
    /// Collecting feedback.
    Open,
    /// Being planned or built.
    Active,
    /// Done, declined or merged: no new votes or links.
    Closed,
}

/// The status of a feature request (Fider's fixed set plus `UnderReview`, which Fider users
/// asked for).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// New and open for votes.
    Open,
    /// Being reviewed by the product team.
    UnderReview,
    /// Accepted and on the roadmap.
    Planned,
    /// Being built.
    InProgress,
    /// Shipped.
    Completed,
    /// Will not be done.
    Declined,
    /// Merged into another request.
    Duplicate(RequestId),
}

impl Status {
    /// The status class.
    pub fn class(&self) -> StatusClass {
        match self {
            Status::Open | Status::UnderReview => StatusClass::Open,
            Status::Planned | Status::InProgress => StatusClass::Active,
            Status::Completed | Status::Declined | Status::Duplicate(_) => StatusClass::Closed,
        }
    }

    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::UnderReview => "under_review",
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Declined => "declined",
            Status::Duplicate(_) => "duplicate",
        }
    }

    /// Whether the workflow allows moving from `self` to `to` with [`RequestBoard::set_status`].
    ///
    /// Open ⇄ UnderReview → Planned → InProgress → Completed, with Declined reachable from
    /// every non-closed status, a step back from InProgress to Planned, and re-opening of
    /// Completed or Declined requests. `Duplicate` is set only by a merge and is final.
    pub fn can_move_to(&self, to: &Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Open, UnderReview | Planned | Declined)
                | (UnderReview, Open | Planned | Declined)
                | (Planned, InProgress | Declined | UnderReview)
                | (InProgress, Completed | Planned | Declined)
                | (Completed | Declined, Open)
        )
    }
}

/// A feature request (an idea, a post on a voting board).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeatureRequest {
    /// Id.
    pub id: RequestId,
    /// Title.
    pub title: String,
    /// Current status.
    pub status: Status,
    /// Themes it belongs to.
    pub themes: Vec<ThemeId>,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// Requests merged into this one.
    pub merged_from: Vec<RequestId>,
}

/// How important a request is to the person behind a link (Productboard insight levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    /// 0.
    NotImportant,
    /// 1 (the default for a bare vote or a link without a level).
    NiceToHave,
    /// 2.
    Important,
    /// 3.
    Critical,
}

impl Importance {
    /// The level from its number.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidImportance`] outside 0..=3.
    pub fn from_level(level: i64) -> Result<Importance, FeedbackError> {
        Ok(match level {
            0 => Importance::NotImportant,
            1 => Importance::NiceToHave,
            2 => Importance::Important,
            3 => Importance::Critical,
            _ => return Err(FeedbackError::InvalidImportance(level)),
        })
    }

    /// The level's number, 0..=3.
    pub fn level(self) -> u8 {
        self as u8
    }
}

/// A link from a feedback item (or a vote) to a request, with the account and person behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The feedback item, or `None` for a bare vote.
    pub feedback: Option<FeedbackId>,
    /// The request as linked (merges are resolved when demand is computed).
    pub request: RequestId,
    /// The account behind it.
    pub account: Option<AccountId>,
    /// The person behind it.
    pub person: Option<UserId>,
    /// Importance.
    pub importance: Importance,
    /// When the link was made.
    pub at: NaiveDateTime,
}

/// A recorded merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MergeEvent {
    /// The request merged away.
    pub from: RequestId,
    /// The request it went into.
    pub into: RequestId,
    /// When.
    pub at: NaiveDateTime,
}

/// Feature requests, their links and merge history, with the workflow rules enforced.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_core::AccountId;
/// use prodops_feedback::model::{Importance, RequestBoard, RequestId, Status};
///
/// let t = NaiveDate::from_ymd_opt(2026, 5, 1).ok_or("date")?.and_hms_opt(9, 0, 0).ok_or("time")?;
/// let mut board = RequestBoard::new();
/// let sso = RequestId::new("sso")?;
/// let okta = RequestId::new("okta-sso")?;
/// board.add_request(sso.clone(), "Single sign-on", t)?;
/// board.add_request(okta.clone(), "SSO with Okta", t)?;
/// board.vote(&okta, Some(AccountId::new("acct-1")?), None, Importance::Critical, t)?;
/// board.merge(&okta, &sso, t)?;
/// assert_eq!(board.canonical(&okta)?, sso);
/// assert!(matches!(board.request(&okta)?.status, Status::Duplicate(_)));
/// // A closed request accepts no votes.
/// assert!(board.vote(&okta, None, None, Importance::NiceToHave, t).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestBoard {
    requests: BTreeMap<RequestId, FeatureRequest>,
    links: Vec<Link>,
    merges: Vec<MergeEvent>,
}

impl RequestBoard {
    /// An empty board.
    pub fn new() -> RequestBoard {
        RequestBoard::default()
    }

    /// Adds an open request.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] if the id exists or the title is blank.
    pub fn add_request(
        &mut self,
        id: RequestId,
        title: impl Into<String>,
        created_at: NaiveDateTime,
    ) -> Result<&mut FeatureRequest, FeedbackError> {
        let title = title.into();
        if title.trim().is_empty() {
            return Err(FeedbackError::InvalidInput {
                what: format!("title of request {id}"),
                reason: "must not be blank".to_owned(),
            });
        }
        if self.requests.contains_key(&id) {
            return Err(FeedbackError::InvalidInput {
                what: format!("request {id}"),
                reason: "already exists".to_owned(),
            });
        }
        Ok(self
            .requests
            .entry(id.clone())
            .or_insert_with(|| FeatureRequest {
                id,
                title,
                status: Status::Open,
                themes: Vec::new(),
                created_at,
                merged_from: Vec::new(),
            }))
    }

    /// A request by id.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownRequest`].
    pub fn request(&self, id: &RequestId) -> Result<&FeatureRequest, FeedbackError> {
        self.requests
            .get(id)
            .ok_or_else(|| FeedbackError::UnknownRequest(id.to_string()))
    }

    /// All requests, by id.
    pub fn requests(&self) -> impl Iterator<Item = &FeatureRequest> {
        self.requests.values()
    }

    /// All links, as made (not resolved through merges).
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// The merge history.
    pub fn merges(&self) -> &[MergeEvent] {
        &self.merges
    }

    /// Moves a request to a new status.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownRequest`]; [`FeedbackError::InvalidTransition`] when the
    /// workflow ([`Status::can_move_to`]) forbids it.
    pub fn set_status(&mut self, id: &RequestId, to: Status) -> Result<(), FeedbackError> {
        let r = self
            .requests
            .get_mut(id)
            .ok_or_else(|| FeedbackError::UnknownRequest(id.to_string()))?;
        if !r.status.can_move_to(&to) {
            return Err(FeedbackError::InvalidTransition {
                request: id.to_string(),
                from: r.status.name().to_owned(),
                to: to.name().to_owned(),
            });
        }
        r.status = to;
        Ok(())
    }

    /// Links a feedback item to a request.
    ///
    /// # Errors
    ///
    /// As [`RequestBoard::vote`].
    pub fn link(
        &mut self,
        item: &FeedbackItem,
        request: &RequestId,
        importance: Importance,
        at: NaiveDateTime,
    ) -> Result<(), FeedbackError> {
        self.push_link(Link {
            feedback: Some(item.id.clone()),
            request: request.clone(),
            account: item.account.clone(),
            person: item.author.clone(),
            importance,
            at,
        })
    }

    /// Records a vote (a link without a feedback item).
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownRequest`]; [`FeedbackError::VoteOnClosedRequest`] when the
    /// request's status class is closed (Fider's `CanBeVoted`).
    pub fn vote(
        &mut self,
        request: &RequestId,
        account: Option<AccountId>,
        person: Option<UserId>,
        importance: Importance,
        at: NaiveDateTime,
    ) -> Result<(), FeedbackError> {
        self.push_link(Link {
            feedback: None,
            request: request.clone(),
            account,
            person,
            importance,
            at,
        })
    }

    fn push_link(&mut self, link: Link) -> Result<(), FeedbackError> {
        let r = self.request(&link.request)?;
        if r.status.class() == StatusClass::Closed {
            return Err(FeedbackError::VoteOnClosedRequest {
                request: r.id.to_string(),
                status: r.status.name().to_owned(),
            });
        }
        self.links.push(link);
        Ok(())
    }

    /// Follows duplicate links to the request that is not a duplicate.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownRequest`].
    pub fn canonical(&self, id: &RequestId) -> Result<RequestId, FeedbackError> {
        let mut cur = self.request(id)?;
        // Merges reject cycles, so the chain ends; the bound guards a hand-edited board.
        for _ in 0..=self.requests.len() {
            match &cur.status {
                Status::Duplicate(next) => cur = self.request(next)?,
                _ => return Ok(cur.id.clone()),
            }
        }
        Err(FeedbackError::MergeCycle {
            from: id.to_string(),
            into: cur.id.to_string(),
        })
    }

    /// Merges `from` into `into`: `from` becomes `Duplicate(into)`, its links count for
    /// `into` from now on (every account that asked is kept; demand counts each once), and
    /// the merge is recorded.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::SelfMerge`], [`FeedbackError::UnknownRequest`],
    /// [`FeedbackError::MergeCycle`] when `into` is (a duplicate of) `from`, and
    /// [`FeedbackError::InvalidTransition`] when `from` is already a duplicate.
    pub fn merge(
        &mut self,
        from: &RequestId,
        into: &RequestId,
        at: NaiveDateTime,
    ) -> Result<(), FeedbackError> {
        if from == into {
            return Err(FeedbackError::SelfMerge(from.to_string()));
        }
        self.request(from)?;
        if self.canonical(into)? == *from {
            return Err(FeedbackError::MergeCycle {
                from: from.to_string(),
                into: into.to_string(),
            });
        }
        let target = self.canonical(into)?;
        let src = self
            .requests
            .get_mut(from)
            .ok_or_else(|| FeedbackError::UnknownRequest(from.to_string()))?;
        if let Status::Duplicate(_) = src.status {
            return Err(FeedbackError::InvalidTransition {
                request: from.to_string(),
                from: "duplicate".to_owned(),
                to: "duplicate".to_owned(),
            });
        }
        src.status = Status::Duplicate(target.clone());
        if let Some(t) = self.requests.get_mut(&target) {
            t.merged_from.push(from.clone());
        }
        self.merges.push(MergeEvent {
            from: from.clone(),
            into: target,
            at,
        });
        Ok(())
    }

    /// Links grouped by canonical request (merges resolved).
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownRequest`] for a link to an unknown request.
    pub fn resolved_links(&self) -> Result<BTreeMap<RequestId, Vec<&Link>>, FeedbackError> {
        let mut out: BTreeMap<RequestId, Vec<&Link>> = BTreeMap::new();
        for l in &self.links {
            out.entry(self.canonical(&l.request)?).or_default().push(l);
        }
        Ok(out)
    }
}

/// Whether a theme names what the feedback is about or why the customer cares (Enterpret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThemeKind {
    /// A product area or feature.
    #[default]
    What,
    /// A reason or motivation.
    Why,
}

/// A node of the theme taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Theme {
    /// Id.
    pub id: ThemeId,
    /// Parent, `None` at level 1.
    pub parent: Option<ThemeId>,
    /// Display name.
    pub name: String,
    /// What or why.
    #[serde(default)]
    pub kind: ThemeKind,
    /// Keywords and phrases that tag an item with this theme (matched after stemming).
    #[serde(default)]
    pub phrases: Vec<String>,
}

impl Theme {
    /// A theme with phrases.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] for an invalid id.
    pub fn new(id: &str, parent: Option<&str>, phrases: &[&str]) -> Result<Theme, FeedbackError> {
        Ok(Theme {
            id: ThemeId::new(id)?,
            parent: parent.map(ThemeId::new).transpose()?,
            name: id.to_owned(),
            kind: ThemeKind::What,
            phrases: phrases.iter().map(|p| (*p).to_owned()).collect(),
        })
    }
}

/// A validated hierarchy of themes (a forest: each theme has at most one parent).
///
/// # Examples
///
/// ```
/// use prodops_feedback::model::{Taxonomy, Theme, ThemeId};
///
/// let tax = Taxonomy::new(vec![
///     Theme::new("performance", None, &["slow"])?,
///     Theme::new("mobile_performance", Some("performance"), &["app lag"])?,
/// ])?;
/// let path = tax.path(&ThemeId::new("mobile_performance")?)?;
/// let path: Vec<&str> = path.iter().map(|t| t.as_str()).collect();
/// assert_eq!(path, ["performance", "mobile_performance"]);
/// assert!(Taxonomy::new(vec![Theme::new("a", Some("missing"), &[])?]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Theme>", into = "Vec<Theme>")]
pub struct Taxonomy {
    themes: Vec<Theme>,
    index: HashMap<ThemeId, usize>,
}

impl Taxonomy {
    /// Validates a list of themes: unique ids, known parents, no cycles.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::DuplicateTheme`], [`FeedbackError::UnknownTheme`] for a missing parent,
    /// [`FeedbackError::InvalidInput`] for a cycle.
    pub fn new(themes: Vec<Theme>) -> Result<Taxonomy, FeedbackError> {
        let mut index = HashMap::new();
        for (k, t) in themes.iter().enumerate() {
            if index.insert(t.id.clone(), k).is_some() {
                return Err(FeedbackError::DuplicateTheme(t.id.to_string()));
            }
        }
        for t in &themes {
            if let Some(p) = &t.parent
                && !index.contains_key(p)
            {
                return Err(FeedbackError::UnknownTheme {
                    theme: p.to_string(),
                    by: format!("parent of {}", t.id),
                });
            }
        }
        let tax = Taxonomy { themes, index };
        for t in &tax.themes {
            let mut seen = HashSet::new();
            let mut cur = Some(&t.id);
            while let Some(id) = cur {
                if !seen.insert(id) {
                    return Err(FeedbackError::InvalidInput {
                        what: format!("taxonomy at {}", t.id),
                        reason: "parent links form a cycle".to_owned(),
                    });
                }
                cur = tax.get(id).and_then(|x| x.parent.as_ref());
            }
        }
        Ok(tax)
    }

    /// A theme by id.
    pub fn get(&self, id: &ThemeId) -> Option<&Theme> {
        self.index.get(id).map(|k| &self.themes[*k])
    }

    /// All themes, in definition order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// The ids from the root down to `id`.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownTheme`].
    pub fn path(&self, id: &ThemeId) -> Result<Vec<ThemeId>, FeedbackError> {
        let mut out = Vec::new();
        let mut cur = Some(self.get(id).ok_or_else(|| FeedbackError::UnknownTheme {
            theme: id.to_string(),
            by: "path lookup".to_owned(),
        })?);
        while let Some(t) = cur {
            out.push(t.id.clone());
            cur = t.parent.as_ref().and_then(|p| self.get(p));
        }
        out.reverse();
        Ok(out)
    }

    /// Looks up a theme id given as text (say, a tag column), naming `by` in the error.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownTheme`] when no theme has that id.
    pub fn resolve(&self, id: &str, by: &str) -> Result<ThemeId, FeedbackError> {
        let unknown = || FeedbackError::UnknownTheme {
            theme: id.to_owned(),
            by: by.to_owned(),
        };
        let tid = ThemeId::new(id).map_err(|_| unknown())?;
        self.get(&tid).map(|t| t.id.clone()).ok_or_else(unknown)
    }

    /// The depth of a theme (1 for a root).
    ///
    /// # Errors
    ///
    /// [`FeedbackError::UnknownTheme`].
    pub fn level(&self, id: &ThemeId) -> Result<usize, FeedbackError> {
        Ok(self.path(id)?.len())
    }
}

impl TryFrom<Vec<Theme>> for Taxonomy {
    type Error = FeedbackError;
    fn try_from(v: Vec<Theme>) -> Result<Taxonomy, FeedbackError> {
        Taxonomy::new(v)
    }
}

impl From<Taxonomy> for Vec<Theme> {
    fn from(t: Taxonomy) -> Vec<Theme> {
        t.themes
    }
}
