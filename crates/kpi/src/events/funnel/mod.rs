//! Funnels with PostHog's semantics: ordered, strict and unordered steps, a conversion window
//! anchored at the first step's event, re-entry, exclusion steps, time to convert, breakdowns
//! by event or person property, in-progress entries and funnel trends ([`Funnel::trends`],
//! the same kernel per entry period).
//!
//! # Definitions
//!
//! A person (the table's key) *reaches* step `i` when, within one **attempt**, events matching
//! steps `0..=i` happen in order (ordered and strict modes) or in any order (unordered), all
//! within the conversion window measured **from the step-0 event** (not from the previous
//! step). Step indices are 0-based throughout the API.
//!
//! - **Re-entry.** [`Reentry::MostRecent`] (PostHog, default): every step-0 event starts a new
//!   attempt and the window runs from the latest one, so a second step-0 event can rescue a
//!   conversion that the first one's window would miss. [`Reentry::FirstEntry`] (Mixpanel's
//!   default): the first step-0 event is the only attempt.
//! - **Best attempt.** A person is counted once, at the deepest step any attempt reaches; the
//!   earliest attempt reaching that depth supplies the timings, except that a clean attempt
//!   replaces an excluded one of the same depth.
//! - **Strict.** Every event of the person is scanned; an event that does not match step `i`
//!   breaks any attempt waiting at step `i`, so the steps must be consecutive events (a repeat
//!   of the step an attempt is at does not break it, as in PostHog).
//! - **Unordered.** The depth of the attempt anchored at an event is the number of distinct
//!   steps with an event in `[t₀, t₀ + window]`; the best anchor wins (with
//!   [`Reentry::FirstEntry`], the earliest anchor is the only attempt).
//! - **Exclusions** ([`Exclusion::between`]`(matcher, a, b)`): an excluded event after the
//!   attempt reached step `a`, within the window and before it reached step `b`, marks the
//!   attempt excluded; an excluded attempt stops advancing, and a person whose best attempt is
//!   excluded is dropped from the funnel. (PostHog lets an excluded attempt advance and drops the
//!   person only if that makes it the deepest; prodops treats the excluded event as ending the
//!   attempt, so a person who does the excluded event and stops is dropped too.) In unordered
//!   funnels an exclusion must span all steps and applies between the attempt's first and
//!   last step events.
//! - **Same timestamp.** Events at one instant that all match the same steps are processed one
//!   by one. Events at one instant matching different steps are split into one event per step
//!   and processed in step order, so `a` and `b` at the same instant convert `a → b`; one event
//!   is never used for two consecutive steps of an attempt, and exclusions and strict breaking
//!   are skipped for that instant (PostHog's rule).
//! - **One event, several steps.** An event matching steps `i` and `j > i` first advances an
//!   earlier attempt to `j`, then serves as step `i`, so `pageview → pageview` needs two page
//!   views.
//! - **First occurrences** ([`FunnelBuilder::step_with`]): a step may accept only the
//!   person's first event with its name (kept only if it passes the filter,
//!   [`StepOccurrence::FirstEver`]) or only the first event matching it
//!   ([`StepOccurrence::FirstMatching`]).
//! - **Optional steps** ([`FunnelBuilder::optional_step`]): an attempt may advance to step
//!   `k` from the nearest earlier step when the steps between are optional (the most recent
//!   such attempt wins). An optional step counts the persons whose best attempt did it; it
//!   has no time to convert, and the next required step's conversion, drop-off and time are
//!   measured from the last required step.
//! - **Step windows** ([`FunnelBuilder::step_window`]): a step may also have to follow the
//!   previous step within its own window; the funnel window still applies.
//! - **Holding a property constant** ([`FunnelBuilder::hold_constant`]): the key becomes
//!   (person, value), each value's events forming their own attempts.
//! - **Window.** A step at exactly `t₀ + window` converts; one microsecond later does not.
//!   Units run from seconds to months (a month is 30 days, a week 7 days).
//! - **Entry range.** [`FunnelBuilder::entry_range`] bounds the step-0 event only (PostHog
//!   #33605); later steps may fall after it.
//! - **In progress.** With [`FunnelBuilder::now`], a person whose best attempt has not reached
//!   the last step and whose window is still open (`t₀ > now − window`) is counted in
//!   [`FunnelStep::in_progress`] as well as in [`FunnelStep::persons`], so dashboards can show
//!   the not-yet-decided share apart.
//! - **Time to convert** for step `i ≥ 1`: the time from step `i − 1` to step `i` in each
//!   person's best attempt, averaged (mean) and its median, over persons reaching step `i`.
//!
//! # Breakdowns ([`Attribution`])
//!
//! - `FirstTouch` / `LastTouch`: the earliest / latest non-null value of the property on the
//!   person's events that match any step; one value per person (PostHog #3953).
//! - `AllEvents`: the funnel runs once per value on the events carrying that value (missing
//!   values form the `Null` bucket); a person may be counted under several values.
//! - `Step(k)`: the step-`k` event must carry the value; each person gets the value under
//!   which they go deepest (ties: the value seen first), or `Null` if they never reach step
//!   `k` with a value.
//! - `Person`: the person's own value ([`Breakdown::person`]), the same on every event.
//!
//! Buckets are ranked by persons entering the funnel; beyond the top N the rest are summed
//! into `Other`.
//!
//! # Performance
//!
//! The kernel is a linear pass over each key's sorted events with a fixed-size state (one
//! attempt per step plus its step times), reused across keys: no allocation per event. Event
//! codes are resolved to step bit masks once per run, so an event matching no step costs one
//! table lookup.
//!
//! # Examples
//!
//! ```
//! use prodops_kpi::events::EventTableBuilder;
//! use prodops_kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel, WindowUnit};
//!
//! let hour = 3_600_000_000_i64; // microseconds
//! let mut b = EventTableBuilder::new(Vec::<String>::new());
//! // ann: signup at 0 h, pay at 2 h → converts; bob: signup at 0 h, pay at 30 h → too late.
//! b.push("ann", 0, "signup", &[])?.push("ann", 2 * hour, "pay", &[])?;
//! b.push("bob", 0, "signup", &[])?.push("bob", 30 * hour, "pay", &[])?;
//! let table = b.build();
//!
//! let funnel = Funnel::builder()
//!     .step(EventMatcher::event("signup"))
//!     .step(EventMatcher::event("pay"))
//!     .window(ConversionWindow::new(1, WindowUnit::Day)?)
//!     .build()?;
//! let result = funnel.run(&table)?;
//! let steps = &result.series[0].steps;
//! assert_eq!((steps[0].persons, steps[1].persons), (2, 1));
//! assert_eq!(steps[1].conversion_from_first, Some(0.5));
//! assert_eq!(steps[1].median_time_to_convert, Some(7200.0)); // seconds
//! println!("{}", result.to_frame()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use prodops_core::{Grain, Period};

mod kernel;
mod result;

use kernel::{Compiled, Kernel, Outcome};
use result::Acc;
pub use result::{
    BreakdownLabel, FunnelResult, FunnelSeries, FunnelStep, FunnelTrendPoint, FunnelTrends,
};

use super::retention::PeriodIndexer;
use super::table::{Calendar, EventTable, KeyEvents, NULL_CODE};
use crate::error::{KpiError, invalid_input};

/// The most steps a funnel may have (steps are bits of a `u64` mask, bit 0 unused).
pub const MAX_STEPS: usize = 63;

/// Which events count as a step (or as an excluded or retention event): an event name and,
/// optionally, a property that must hold one of a set of values.
///
/// # Examples
///
/// ```
/// use prodops_kpi::events::funnel::EventMatcher;
///
/// let paid_pro = EventMatcher::event("pay").with_property("plan", ["pro", "team"]);
/// assert_eq!(paid_pro.event_name(), "pay");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMatcher {
    event: String,
    filter: Option<(String, Vec<String>)>,
}

impl EventMatcher {
    /// Matches every event with this name.
    pub fn event(name: impl Into<String>) -> EventMatcher {
        EventMatcher {
            event: name.into(),
            filter: None,
        }
    }

    /// Also requires the property `column` to equal one of `values` (a missing value never
    /// matches). The column must be one of the table's property columns.
    pub fn with_property<I, S>(mut self, column: impl Into<String>, values: I) -> EventMatcher
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.filter = Some((column.into(), values.into_iter().map(Into::into).collect()));
        self
    }

    /// The event name matched.
    pub fn event_name(&self) -> &str {
        &self.event
    }

    /// A label for reports: the event name, with the filter if any.
    pub fn label(&self) -> String {
        match &self.filter {
            None => self.event.clone(),
            Some((column, values)) => format!("{} [{column} in {}]", self.event, values.join("|")),
        }
    }
}

/// A matcher resolved against one table: the event code and, for a filter, the allowed
/// property codes.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedMatcher {
    pub(crate) event: Option<u32>,
    pub(crate) filter: Option<(usize, Vec<bool>)>,
}

impl ResolvedMatcher {
    pub(crate) fn resolve(m: &EventMatcher, table: &EventTable) -> Result<Self, KpiError> {
        let filter = match &m.filter {
            None => None,
            Some((column, values)) => {
                let index = table
                    .properties()
                    .iter()
                    .position(|p| p.name() == column)
                    .ok_or_else(|| KpiError::MissingColumn {
                        column: column.clone(),
                        purpose: format!("property filter of event {:?}", m.event),
                    })?;
                let prop = &table.properties()[index];
                let mut allowed = vec![false; prop.values().len()];
                for v in values {
                    if let Some(code) = prop.code_of(v) {
                        allowed[code as usize] = true;
                    }
                }
                Some((index, allowed))
            }
        };
        Ok(ResolvedMatcher {
            event: table.event_code(&m.event),
            filter,
        })
    }

    /// Whether the event at `row` matches.
    #[inline]
    pub(crate) fn matches(&self, table: &EventTable, row: usize) -> bool {
        self.event == Some(table.events()[row]) && self.filter_passes(table, row)
    }

    /// Whether the event at `row` passes the property filter.
    #[inline]
    pub(crate) fn filter_passes(&self, table: &EventTable, row: usize) -> bool {
        match &self.filter {
            None => true,
            Some((column, allowed)) => {
                let code = table.properties()[*column].codes()[row];
                allowed.get(code as usize).copied().unwrap_or(false)
            }
        }
    }
}

/// The unit of a [`ConversionWindow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WindowUnit {
    /// One second.
    Second,
    /// 60 seconds.
    Minute,
    /// 3,600 seconds.
    Hour,
    /// 24 hours (absolute time, not a civil day).
    Day,
    /// 7 days.
    Week,
    /// 30 days.
    Month,
}

impl WindowUnit {
    fn micros(self) -> i64 {
        const S: i64 = 1_000_000;
        match self {
            WindowUnit::Second => S,
            WindowUnit::Minute => 60 * S,
            WindowUnit::Hour => 3_600 * S,
            WindowUnit::Day => 86_400 * S,
            WindowUnit::Week => 7 * 86_400 * S,
            WindowUnit::Month => 30 * 86_400 * S,
        }
    }
}

/// How long after the step-0 event the later steps may happen. Tools disagree on the default
/// (PostHog 14 days, Mixpanel 7), so a funnel requires one; the presets name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConversionWindow {
    micros: i64,
}

impl ConversionWindow {
    /// PostHog's default window: 14 days.
    pub const POSTHOG_DEFAULT: ConversionWindow = ConversionWindow {
        micros: 14 * 86_400_000_000,
    };
    /// Mixpanel's default window: 7 days.
    pub const MIXPANEL_DEFAULT: ConversionWindow = ConversionWindow {
        micros: 7 * 86_400_000_000,
    };

    /// A window of `amount` units.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `amount` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_kpi::events::funnel::{ConversionWindow, WindowUnit};
    ///
    /// let two_weeks = ConversionWindow::new(2, WindowUnit::Week)?;
    /// assert_eq!(two_weeks, ConversionWindow::POSTHOG_DEFAULT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(amount: u32, unit: WindowUnit) -> Result<ConversionWindow, KpiError> {
        if amount == 0 {
            return Err(invalid_input("conversion window", "must be positive"));
        }
        Ok(ConversionWindow {
            micros: i64::from(amount) * unit.micros(),
        })
    }

    /// The window in microseconds.
    pub fn micros(self) -> i64 {
        self.micros
    }
}

/// Which of a person's events may serve as a step (PostHog's "first time for user").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StepOccurrence {
    /// Any matching event (default).
    #[default]
    Any,
    /// Only the person's first event with the step's event name, and only if it passes the
    /// step's property filter.
    FirstEver,
    /// Only the person's first event matching the step (name and filter).
    FirstMatching,
}

/// How steps must follow each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FunnelOrder {
    /// In order, other events allowed in between (default).
    #[default]
    Ordered,
    /// In order with no other event of the person in between.
    Strict,
    /// In any order within the window.
    Unordered,
}

/// What a later step-0 event does to an attempt in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reentry {
    /// Each step-0 event starts a new attempt; the window runs from the latest (PostHog,
    /// Mixpanel's "optimized re-entry"). Default.
    #[default]
    MostRecent,
    /// Only the person's first step-0 event starts an attempt (Mixpanel's default).
    FirstEntry,
}

/// An event that disqualifies an attempt when it happens between two steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    matcher: EventMatcher,
    from_step: usize,
    to_step: usize,
}

impl Exclusion {
    /// Excludes attempts with a `matcher` event after step `from_step` and before step
    /// `to_step` (0-based, `from_step < to_step`), within the window. Checked when the funnel is
    /// built.
    pub fn between(matcher: EventMatcher, from_step: usize, to_step: usize) -> Exclusion {
        Exclusion {
            matcher,
            from_step,
            to_step,
        }
    }
}

/// Which of a person's property values a breakdown uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attribution {
    /// The earliest non-null value on the person's step events.
    FirstTouch,
    /// The latest non-null value on the person's step events.
    LastTouch,
    /// The funnel per value, on the events carrying it; a person may count under several.
    AllEvents,
    /// The value on the step-`k` (0-based) event.
    Step(usize),
    /// A person property: one value per key, given with [`Breakdown::person`], whatever the
    /// events carry (PostHog #74304).
    Person,
}

/// Splits a funnel by an event property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    property: String,
    attribution: Attribution,
    top_n: Option<usize>,
    person_values: BTreeMap<String, String>,
}

impl Breakdown {
    /// Breaks down by the event property `property` with the given attribution, keeping every
    /// value. (With [`Attribution::Person`] and no values every key is `Null`: use
    /// [`Breakdown::person`].)
    pub fn new(property: impl Into<String>, attribution: Attribution) -> Breakdown {
        Breakdown {
            property: property.into(),
            attribution,
            top_n: None,
            person_values: BTreeMap::new(),
        }
    }

    /// Breaks down by a person property: `values` maps key names (as in the table's key
    /// column) to the person's value; keys without one form the `Null` bucket.
    pub fn person<I, K, V>(property: impl Into<String>, values: I) -> Breakdown
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Breakdown {
            property: property.into(),
            attribution: Attribution::Person,
            top_n: None,
            person_values: values
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// Keeps the `n` values with most persons entering the funnel and sums the rest into
    /// `Other` (checked when the funnel is built: `n ≥ 1`).
    pub fn top(mut self, n: usize) -> Breakdown {
        self.top_n = Some(n);
        self
    }
}

/// A validated funnel definition. Build one with [`Funnel::builder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funnel {
    steps: Vec<EventMatcher>,
    optional: Vec<bool>,
    occurrences: Vec<StepOccurrence>,
    step_windows: Vec<Option<ConversionWindow>>,
    hold_constant: Option<String>,
    order: FunnelOrder,
    window: ConversionWindow,
    reentry: Reentry,
    exclusions: Vec<Exclusion>,
    entry_range: Option<(i64, i64)>,
    now: Option<i64>,
    breakdown: Option<Breakdown>,
}

/// Builds a [`Funnel`]; validation happens in [`FunnelBuilder::build`].
#[derive(Debug, Clone, Default)]
pub struct FunnelBuilder {
    steps: Vec<EventMatcher>,
    optional: Vec<bool>,
    occurrences: Vec<StepOccurrence>,
    step_windows: Vec<(usize, ConversionWindow)>,
    hold_constant: Option<String>,
    order: FunnelOrder,
    window: Option<ConversionWindow>,
    reentry: Reentry,
    exclusions: Vec<Exclusion>,
    entry_range: Option<(i64, i64)>,
    now: Option<i64>,
    breakdown: Option<Breakdown>,
}

impl FunnelBuilder {
    /// Appends a step.
    pub fn step(mut self, matcher: EventMatcher) -> FunnelBuilder {
        self.steps.push(matcher);
        self.optional.push(false);
        self.occurrences.push(StepOccurrence::Any);
        self
    }

    /// Appends a step that only the person's first occurrence can fill. The first occurrence
    /// is taken over all the person's events in the table, before any entry range.
    pub fn step_with(mut self, matcher: EventMatcher, occurrence: StepOccurrence) -> FunnelBuilder {
        self.steps.push(matcher);
        self.optional.push(false);
        self.occurrences.push(occurrence);
        self
    }

    /// Appends several steps.
    pub fn steps<I: IntoIterator<Item = EventMatcher>>(mut self, matchers: I) -> FunnelBuilder {
        for m in matchers {
            self = self.step(m);
        }
        self
    }

    /// Appends an optional step: a person may skip it on the way to the next step. It is
    /// counted (persons whose best attempt did it) but is not part of the depth: the next
    /// step's conversion, drop-off and time to convert are measured from the last required
    /// step, and it has no time to convert of its own. Neither the first nor the last step
    /// may be optional, and unordered funnels have none.
    pub fn optional_step(mut self, matcher: EventMatcher) -> FunnelBuilder {
        self.steps.push(matcher);
        self.optional.push(true);
        self.occurrences.push(StepOccurrence::Any);
        self
    }

    /// Step order (default [`FunnelOrder::Ordered`]).
    pub fn order(mut self, order: FunnelOrder) -> FunnelBuilder {
        self.order = order;
        self
    }

    /// The conversion window (required).
    pub fn window(mut self, window: ConversionWindow) -> FunnelBuilder {
        self.window = Some(window);
        self
    }

    /// Re-entry rule (default [`Reentry::MostRecent`]).
    pub fn reentry(mut self, reentry: Reentry) -> FunnelBuilder {
        self.reentry = reentry;
        self
    }

    /// Adds an exclusion.
    pub fn exclude(mut self, exclusion: Exclusion) -> FunnelBuilder {
        self.exclusions.push(exclusion);
        self
    }

    /// Only step-0 events in `[from, to)` (microseconds, UTC) start attempts.
    pub fn entry_range(mut self, from: i64, to: i64) -> FunnelBuilder {
        self.entry_range = Some((from, to));
        self
    }

    /// The current instant (microseconds, UTC), to report attempts whose window is still open.
    pub fn now(mut self, now: i64) -> FunnelBuilder {
        self.now = Some(now);
        self
    }

    /// Breaks the funnel down by a property.
    pub fn breakdown(mut self, breakdown: Breakdown) -> FunnelBuilder {
        self.breakdown = Some(breakdown);
        self
    }

    /// Also requires step `step` (0-based, ≥ 1) to happen within `window` of the previous
    /// step the attempt reached (PostHog #37418). The funnel window from step 0 still applies.
    pub fn step_window(mut self, step: usize, window: ConversionWindow) -> FunnelBuilder {
        self.step_windows.push((step, window));
        self
    }

    /// Holds a property constant: every step of an attempt must carry the same non-null value
    /// of `property`, so the funnel counts (person, value) pairs (a person converting for two
    /// values counts twice; PostHog #12028). Events without a value take no part.
    pub fn hold_constant(mut self, property: impl Into<String>) -> FunnelBuilder {
        self.hold_constant = Some(property.into());
        self
    }

    /// Validates the definition.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] without steps, with more than [`MAX_STEPS`], without a
    /// window, with an empty entry range, an exclusion whose steps are not `from < to <
    /// steps`, a step attribution beyond the last step, or a top-N of zero.
    /// [`KpiError::IncompatibleOptions`] for an unordered funnel with an exclusion that does
    /// not span all steps or a step attribution other than step 0.
    pub fn build(self) -> Result<Funnel, KpiError> {
        let n = self.steps.len();
        if n == 0 {
            return Err(invalid_input(
                "funnel steps",
                "a funnel needs at least one step",
            ));
        }
        if n > MAX_STEPS {
            return Err(invalid_input(
                "funnel steps",
                format!("{n} steps, at most {MAX_STEPS} are supported"),
            ));
        }
        let window = self.window.ok_or_else(|| {
            invalid_input(
                "conversion window",
                "required: tools differ (PostHog 14 days, Mixpanel 7 days); use a preset such as ConversionWindow::POSTHOG_DEFAULT",
            )
        })?;
        if self.optional.first() == Some(&true) || self.optional.last() == Some(&true) {
            return Err(invalid_input(
                "optional steps",
                "the first and the last step of a funnel are required",
            ));
        }
        if self.order == FunnelOrder::Unordered && self.optional.contains(&true) {
            return Err(KpiError::IncompatibleOptions {
                reason: "an unordered funnel cannot have optional steps".into(),
            });
        }
        if let Some((from, to)) = self.entry_range
            && from >= to
        {
            return Err(invalid_input(
                "entry range",
                format!("start {from} is not before end {to}"),
            ));
        }
        for (i, e) in self.exclusions.iter().enumerate() {
            if e.from_step >= e.to_step || e.to_step >= n {
                return Err(invalid_input(
                    format!("exclusion {i} ({})", e.matcher.label()),
                    format!(
                        "steps {}..{} must satisfy from < to < {n}",
                        e.from_step, e.to_step
                    ),
                ));
            }
            if self.order == FunnelOrder::Unordered && (e.from_step != 0 || e.to_step != n - 1) {
                return Err(KpiError::IncompatibleOptions {
                    reason: format!(
                        "exclusion {i}: in an unordered funnel an exclusion must span all steps (0..{})",
                        n - 1
                    ),
                });
            }
        }
        let mut step_windows = vec![None; n];
        for &(step, w) in &self.step_windows {
            if step == 0 || step >= n {
                return Err(invalid_input(
                    "step window",
                    format!("step {step} has no previous step in a {n}-step funnel"),
                ));
            }
            step_windows[step] = Some(w);
        }
        if self.order == FunnelOrder::Unordered && !self.step_windows.is_empty() {
            return Err(KpiError::IncompatibleOptions {
                reason: "an unordered funnel has no previous step to measure a step window from"
                    .into(),
            });
        }
        if self.hold_constant.is_some() && self.breakdown.is_some() {
            return Err(KpiError::IncompatibleOptions {
                reason: "a funnel holding a property constant counts (person, value) pairs and cannot also be broken down".into(),
            });
        }
        if let Some(b) = &self.breakdown {
            if let Attribution::Step(k) = b.attribution {
                if k >= n {
                    return Err(invalid_input(
                        "breakdown attribution",
                        format!("step {k} does not exist in a {n}-step funnel"),
                    ));
                }
                if self.order == FunnelOrder::Unordered && k != 0 {
                    return Err(KpiError::IncompatibleOptions {
                        reason: "an unordered funnel has no fixed step order: only step 0 can carry the breakdown".into(),
                    });
                }
            }
            if b.top_n == Some(0) {
                return Err(invalid_input("breakdown top N", "must be at least 1"));
            }
        }
        Ok(Funnel {
            steps: self.steps,
            optional: self.optional,
            occurrences: self.occurrences,
            step_windows,
            hold_constant: self.hold_constant,
            order: self.order,
            window,
            reentry: self.reentry,
            exclusions: self.exclusions,
            entry_range: self.entry_range,
            now: self.now,
            breakdown: self.breakdown,
        })
    }
}

/// Distinct codes in first-seen order, reused across keys.
fn push_distinct(values: &mut Vec<u32>, code: u32) {
    if !values.contains(&code) {
        values.push(code);
    }
}

impl Funnel {
    /// Starts a funnel definition.
    pub fn builder() -> FunnelBuilder {
        FunnelBuilder::default()
    }

    /// The step labels.
    pub fn step_names(&self) -> Vec<String> {
        self.steps.iter().map(EventMatcher::label).collect()
    }

    fn entry_admits(&self, table: &EventTable, row: usize) -> bool {
        match self.entry_range {
            None => true,
            Some((from, to)) => {
                let t = table.timestamps()[row];
                t >= from && t < to
            }
        }
    }

    /// Runs the funnel over every key of the table: one linear pass per key (per key and
    /// breakdown value for [`Attribution::AllEvents`] and [`Attribution::Step`]).
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] when a filter or breakdown property is not a property
    /// column of the table.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_kpi::events::EventTableBuilder;
    /// use prodops_kpi::events::funnel::{
    ///     Attribution, Breakdown, BreakdownLabel, ConversionWindow, EventMatcher, Funnel,
    /// };
    ///
    /// let mut b = EventTableBuilder::new(["source"]);
    /// b.push("ann", 1, "view", &[Some("ads")])?.push("ann", 2, "buy", &[None])?;
    /// b.push("bob", 1, "view", &[Some("seo")])?;
    /// let funnel = Funnel::builder()
    ///     .steps([EventMatcher::event("view"), EventMatcher::event("buy")])
    ///     .window(ConversionWindow::POSTHOG_DEFAULT)
    ///     .breakdown(Breakdown::new("source", Attribution::FirstTouch))
    ///     .build()?;
    /// let result = funnel.run(&b.build())?;
    /// let ads = result.series(&BreakdownLabel::Value("ads".into())).ok_or("no ads")?;
    /// assert_eq!(ads.steps[1].persons, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(&self, table: &EventTable) -> Result<FunnelResult, KpiError> {
        let compiled = Compiled::new(self, table)?;
        let mut kernel = Kernel::new(self);
        let n = self.steps.len();
        let window = self.window.micros();
        let masks = |row: usize| compiled.masks(table, row);
        let admit = |row: usize| self.entry_admits(table, row);
        let names = self.step_names();

        let Some(breakdown) = &self.breakdown else {
            let mut acc = Acc::new(&self.optional);
            let held = match &self.hold_constant {
                None => None,
                Some(name) => {
                    Some(
                        table
                            .property(name)
                            .ok_or_else(|| KpiError::MissingColumn {
                                column: name.clone(),
                                purpose: "funnel property held constant".into(),
                            })?,
                    )
                }
            };
            let mut values: Vec<u32> = Vec::new();
            for key in table.keys() {
                compiled.prepare_key(table, &key);
                let Some(prop) = held else {
                    let out = kernel.run(&key, masks, admit);
                    acc.record(&out, &kernel.best_times, window, self.now);
                    continue;
                };
                let codes = prop.codes();
                values.clear();
                for row in key.range() {
                    if codes[row] != NULL_CODE && masks(row) != (0, 0) {
                        push_distinct(&mut values, codes[row]);
                    }
                }
                for &v in &values {
                    let only_v = |row: usize| {
                        if codes[row] == v { masks(row) } else { (0, 0) }
                    };
                    let out = kernel.run(&key, only_v, admit);
                    acc.record(&out, &kernel.best_times, window, self.now);
                }
            }
            return Ok(FunnelResult {
                series: vec![acc.series(BreakdownLabel::Total, &names)],
                window_micros: window,
                now: self.now,
            });
        };

        // Value labels and per-row codes of an event property, or for a person property the
        // labels and one code per key.
        let mut person_codes: Vec<u32> = Vec::new();
        let (labels, codes): (Vec<String>, &[u32]) = if breakdown.attribution == Attribution::Person
        {
            let mut labels: Vec<String> = Vec::new();
            person_codes = table
                .key_names()
                .iter()
                .map(|k| match breakdown.person_values.get(k) {
                    None => NULL_CODE,
                    Some(v) => match labels.iter().position(|l| l == v) {
                        Some(i) => i as u32,
                        None => {
                            labels.push(v.clone());
                            (labels.len() - 1) as u32
                        }
                    },
                })
                .collect();
            (labels, &[])
        } else {
            let prop =
                table
                    .property(&breakdown.property)
                    .ok_or_else(|| KpiError::MissingColumn {
                        column: breakdown.property.clone(),
                        purpose: "funnel breakdown".into(),
                    })?;
            (prop.values().to_vec(), prop.codes())
        };
        // Slot v for value code v, the last slot for missing values.
        let null_slot = labels.len();
        let mut accs: Vec<Option<Acc>> = vec![None; null_slot + 1];
        let slot = |code: u32| {
            if code == NULL_CODE {
                null_slot
            } else {
                code as usize
            }
        };
        let mut values: Vec<u32> = Vec::new();
        let mut chosen_times = vec![0; n];
        for key in table.keys() {
            compiled.prepare_key(table, &key);
            match breakdown.attribution {
                Attribution::Person => {
                    let value = person_codes[key.key as usize];
                    let out = kernel.run(&key, masks, admit);
                    accs[slot(value)]
                        .get_or_insert_with(|| Acc::new(&self.optional))
                        .record(&out, &kernel.best_times, window, self.now);
                }
                Attribution::FirstTouch | Attribution::LastTouch => {
                    let mut value = NULL_CODE;
                    for row in key.range() {
                        if codes[row] != NULL_CODE && masks(row).0 != 0 {
                            value = codes[row];
                            if breakdown.attribution == Attribution::FirstTouch {
                                break;
                            }
                        }
                    }
                    let out = kernel.run(&key, masks, admit);
                    accs[slot(value)]
                        .get_or_insert_with(|| Acc::new(&self.optional))
                        .record(&out, &kernel.best_times, window, self.now);
                }
                Attribution::AllEvents => {
                    values.clear();
                    for row in key.range() {
                        let (m, x) = masks(row);
                        if m != 0 || x != 0 {
                            push_distinct(&mut values, codes[row]);
                        }
                    }
                    for &v in &values {
                        let out = kernel.run(
                            &key,
                            |row| {
                                if codes[row] == v { masks(row) } else { (0, 0) }
                            },
                            admit,
                        );
                        accs[slot(v)]
                            .get_or_insert_with(|| Acc::new(&self.optional))
                            .record(&out, &kernel.best_times, window, self.now);
                    }
                }
                Attribution::Step(k) => {
                    let bit = 1u64 << (k + 1);
                    values.clear();
                    for row in key.range() {
                        if codes[row] != NULL_CODE && masks(row).0 & bit != 0 {
                            push_distinct(&mut values, codes[row]);
                        }
                    }
                    let mut chosen = (NULL_CODE, Outcome::default());
                    for &v in &values {
                        let out = kernel.run(
                            &key,
                            |row| {
                                let (m, x) = masks(row);
                                if codes[row] == v {
                                    (m, x)
                                } else {
                                    (m & !bit, x)
                                }
                            },
                            admit,
                        );
                        let usable = !out.excluded && out.depth > k;
                        if usable && out.depth > chosen.1.depth {
                            chosen = (v, out);
                            chosen_times.copy_from_slice(&kernel.best_times);
                        }
                    }
                    if chosen.0 == NULL_CODE {
                        // Never reached step k with a value: counted, unrestricted, as Null.
                        chosen.1 = kernel.run(&key, masks, admit);
                        chosen_times.copy_from_slice(&kernel.best_times);
                    }
                    accs[slot(chosen.0)]
                        .get_or_insert_with(|| Acc::new(&self.optional))
                        .record(&chosen.1, &chosen_times, window, self.now);
                }
            }
        }

        let mut ranked: Vec<(usize, &Acc)> = accs[..null_slot]
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().map(|a| (i, a)))
            .filter(|(_, a)| a.persons[0] > 0)
            .collect();
        ranked.sort_by(|a, b| {
            b.1.persons[0]
                .cmp(&a.1.persons[0])
                .then_with(|| labels[a.0].cmp(&labels[b.0]))
        });
        let keep = breakdown.top_n.unwrap_or(usize::MAX);
        let mut series = Vec::new();
        let mut other: Option<Acc> = None;
        for (rank, (i, acc)) in ranked.into_iter().enumerate() {
            if rank < keep {
                series.push(acc.series(BreakdownLabel::Value(labels[i].clone()), &names));
            } else {
                other
                    .get_or_insert_with(|| Acc::new(&self.optional))
                    .add(acc);
            }
        }
        if let Some(o) = other {
            series.push(o.series(BreakdownLabel::Other, &names));
        }
        if let Some(Some(null)) = accs.get(null_slot)
            && null.persons[0] > 0
        {
            series.push(null.series(BreakdownLabel::Null, &names));
        }
        Ok(FunnelResult {
            series,
            window_micros: window,
            now: self.now,
        })
    }

    /// Funnel trends: for each `grain` period of `calendar`, the persons with an attempt
    /// starting in it and how many of them complete the funnel. The same kernel as
    /// [`Funnel::run`] with the entry range narrowed to the period, so the two never
    /// disagree (PostHog #4369): a period's `entered` equals the step-0 count of a funnel
    /// whose entry range is that period.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] with a breakdown or a property held constant;
    /// [`KpiError::MissingColumn`] as
    /// [`Funnel::run`]; [`KpiError::InvalidInput`] for a timestamp outside the calendar.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_core::Grain;
    /// use prodops_kpi::events::{Calendar, EventTableBuilder, MICROS_PER_DAY};
    /// use prodops_kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel};
    ///
    /// let mut b = EventTableBuilder::new(Vec::<String>::new());
    /// b.push("ann", 0, "view", &[])?.push("ann", 1, "buy", &[])?;
    /// b.push("bob", MICROS_PER_DAY, "view", &[])?;
    /// let funnel = Funnel::builder()
    ///     .steps([EventMatcher::event("view"), EventMatcher::event("buy")])
    ///     .window(ConversionWindow::POSTHOG_DEFAULT)
    ///     .build()?;
    /// let trends = funnel.trends(&b.build(), Grain::Day, &Calendar::utc())?;
    /// assert_eq!(trends.points.len(), 2);
    /// assert_eq!(trends.points[0].conversion, Some(1.0)); // 1970-01-01: ann
    /// assert_eq!(trends.points[1].conversion, Some(0.0)); // 1970-01-02: bob
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trends(
        &self,
        table: &EventTable,
        grain: Grain,
        calendar: &Calendar,
    ) -> Result<FunnelTrends, KpiError> {
        if self.breakdown.is_some() || self.hold_constant.is_some() {
            return Err(KpiError::IncompatibleOptions {
                reason: "funnel trends count persons: no breakdown and no property held constant"
                    .into(),
            });
        }
        let compiled = Compiled::new(self, table)?;
        let mut kernel = Kernel::new(self);
        let n = self.steps.len();
        let window = self.window.micros();
        let masks = |row: usize| compiled.masks(table, row);
        let mut indexer = PeriodIndexer::new(*calendar, Some(grain));
        let mut buckets: Vec<i64> = Vec::new();
        // Per entry bucket of the key: (bucket, first and last row of its entries).
        let mut distinct: Vec<(i64, usize, usize)> = Vec::new();
        let mut totals: BTreeMap<i64, (u64, u64, u64)> = BTreeMap::new();
        // Attempts start at step 0, or in an unordered funnel at any step.
        let entry_bits = if self.order == FunnelOrder::Unordered {
            u64::MAX
        } else {
            2
        };
        for key in table.keys() {
            compiled.prepare_key(table, &key);
            buckets.clear();
            distinct.clear();
            for (i, row) in key.range().enumerate() {
                let b = if masks(row).0 & entry_bits != 0 && self.entry_admits(table, row) {
                    let b = indexer.index(table.timestamps()[row])?;
                    match distinct.last_mut() {
                        Some(d) if d.0 == b => d.2 = i,
                        _ => distinct.push((b, i, i)),
                    }
                    b
                } else {
                    i64::MIN
                };
                buckets.push(b);
            }
            let start = key.rows.0;
            let ts = key.timestamps;
            for &(b, first, last) in &distinct {
                // Only events from the bucket's first entry instant (same-instant events
                // included) to its last entry plus the window can serve its attempts.
                let lo = ts.partition_point(|&t| t < ts[first]);
                let end = ts[last].saturating_add(window);
                let hi = ts.partition_point(|&t| t <= end);
                let part = KeyEvents {
                    key: key.key,
                    rows: (start + lo, start + hi),
                    timestamps: &ts[lo..hi],
                    events: &key.events[lo..hi],
                };
                let out = kernel.run(&part, masks, |row| buckets[row - start] == b);
                if out.depth == 0 || out.excluded {
                    continue;
                }
                let e = totals.entry(b).or_insert((0, 0, 0));
                e.0 += 1;
                if out.depth == n {
                    e.1 += 1;
                } else if self
                    .now
                    .is_some_and(|now| now.saturating_sub(out.t0) < window)
                {
                    e.2 += 1;
                }
            }
        }
        let points = totals
            .into_iter()
            .map(|(b, (entered, converted, in_progress))| {
                Ok(FunnelTrendPoint {
                    period: Period::from_index(grain, b)?,
                    entered,
                    converted,
                    in_progress,
                    conversion: (entered > 0).then(|| converted as f64 / entered as f64),
                })
            })
            .collect::<Result<Vec<_>, KpiError>>()?;
        Ok(FunnelTrends { grain, points })
    }
}
