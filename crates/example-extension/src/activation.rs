//! A team KPI: the activation rate of a signup cohort.
//!
//! ```text
//! activation rate = users whose key event happens within N days of their signup
//!                   ÷ users who signed up,
//! per signup period (the cohort) and breakdown value at signup
//! ```
//!
//! "Within N days" is the half-open window [signup, signup + N × 24 h). A user's cohort is the
//! period of their first signup event, and their breakdown values (platform, plan) are those
//! of that event, so a user who later upgrades still counts in the plan they signed up on.
//!
//! The rate needs two things a [`KpiDefinition`](prodops_kpi::definition::KpiDefinition)
//! cannot say: each event row must know its user's signup time, and the numerator compares two
//! columns (the event time with the signup time). So [`ActivationRate::prepare`] adds the
//! `signup_at` column with a polars window expression, and the [`Kpi`] implementation is one
//! aggregate expression over the events of a cohort; [`prodops_kpi::definition::evaluate`]
//! does the bucketing as for every KPI.
//!
//! Cohorts whose window is not over yet would read low; [`ActivationRateBuilder::observed_until`]
//! keeps only users whose whole window lies before the end of the data ([`Kpi::filter`]).

use std::path::Path;

use chrono::NaiveDateTime;
use polars::prelude::*;
use prodops_core::Grain;
use prodops_kpi::KpiError;
use prodops_kpi::definition::{Kpi, PERIOD_COLUMN, TimeBucket, VALUE_COLUMN, evaluate};

use crate::error::{ExtensionError, invalid};

/// The column [`ActivationRate::prepare`] adds: the user's first signup time.
pub const SIGNUP_AT: &str = "signup_at";

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Activation rate of signup cohorts (module docs).
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// use prodops_example_extension::activation::ActivationRate;
///
/// let hour = 3_600_000_000_i64; // microseconds
/// let events = df!(
///     "user_id" => ["a", "a", "b", "b", "c"],
///     "event" => ["signed_up", "project_created", "signed_up", "project_created", "signed_up"],
///     "timestamp" => [0, 5 * hour, 0, 200 * hour, 0],
/// )?
/// .lazy()
/// .with_column(col("timestamp").cast(DataType::Datetime(TimeUnit::Microseconds, None)));
/// let kpi = ActivationRate::builder().key_event("project_created").build()?;
/// let out = kpi.run(events)?;
/// // a activates after 5 h; b after 200 h > 168 h, too late; c never: 1 / 3.
/// assert_eq!(out.column("value")?.f64()?.get(0), Some(1.0 / 3.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationRate {
    name: String,
    user: String,
    event: String,
    timestamp: String,
    signup_event: String,
    key_event: String,
    window_days: u32,
    time: TimeBucket,
    breakdown: Vec<String>,
    observed_until: Option<NaiveDateTime>,
}

/// Builds an [`ActivationRate`]; see [`ActivationRate::builder`] for the defaults.
#[derive(Debug, Clone)]
pub struct ActivationRateBuilder {
    name: Option<String>,
    user: String,
    event: String,
    timestamp: String,
    signup_event: String,
    key_event: Option<String>,
    window_days: u32,
    grain: Grain,
    breakdown: Vec<String>,
    observed_until: Option<NaiveDateTime>,
}

impl ActivationRate {
    /// A builder with the defaults of the bundled `data/events.csv`: columns `user_id`,
    /// `event` and `timestamp`, signup event `signed_up`, a 7-day window, weekly cohorts, no
    /// breakdown. The key event has no default.
    pub fn builder() -> ActivationRateBuilder {
        ActivationRateBuilder {
            name: None,
            user: "user_id".to_owned(),
            event: "event".to_owned(),
            timestamp: "timestamp".to_owned(),
            signup_event: "signed_up".to_owned(),
            key_event: None,
            window_days: 7,
            grain: Grain::Week,
            breakdown: Vec::new(),
            observed_until: None,
        }
    }

    /// The window in days.
    pub fn window_days(&self) -> u32 {
        self.window_days
    }

    /// Adds [`SIGNUP_AT`] to every event row (null for users without a signup event), and
    /// replaces each breakdown column by its value on the user's first signup event.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::Column`] when the user, event, timestamp or a breakdown column is
    /// absent, the event column is not text, or the timestamp is not a date or date-time;
    /// [`ExtensionError::Polars`] if the schema cannot be read.
    pub fn prepare(&self, events: LazyFrame) -> Result<LazyFrame, ExtensionError> {
        let mut events = events;
        let schema = events.collect_schema()?;
        let column = |name: &str, purpose: &str| -> Result<DataType, ExtensionError> {
            schema
                .get(name)
                .cloned()
                .ok_or_else(|| ExtensionError::Column {
                    column: name.to_owned(),
                    purpose: purpose.to_owned(),
                    reason: "missing from the events".to_owned(),
                })
        };
        column(&self.user, "user id")?;
        let event_type = column(&self.event, "event name")?;
        if event_type != DataType::String {
            return Err(ExtensionError::Column {
                column: self.event.clone(),
                purpose: "event name".to_owned(),
                reason: format!("must be text, found {event_type}"),
            });
        }
        let time_type = column(&self.timestamp, "event time")?;
        if !matches!(time_type, DataType::Date | DataType::Datetime(_, _)) {
            return Err(ExtensionError::Column {
                column: self.timestamp.clone(),
                purpose: "event time".to_owned(),
                reason: format!(
                    "must be a Date or Datetime, found {time_type}; parse it first \
                     (read_events_csv does)"
                ),
            });
        }
        for b in &self.breakdown {
            column(b, "breakdown")?;
        }
        let is_signup = col(self.event.as_str()).eq(lit(self.signup_event.as_str()));
        let user = [col(self.user.as_str())];
        let mut added = vec![
            col(self.timestamp.as_str())
                .filter(is_signup.clone())
                .min()
                .over(user.clone())?
                .alias(SIGNUP_AT),
        ];
        // Rows are sorted by time within each user, so `first` is the first signup's value.
        for b in &self.breakdown {
            added.push(
                col(b.as_str())
                    .filter(is_signup.clone())
                    .first()
                    .over(user.clone())?
                    .alias(b.as_str()),
            );
        }
        Ok(events
            .sort(
                [self.user.as_str(), self.timestamp.as_str()],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .with_columns(added))
    }

    /// [`ActivationRate::prepare`], then [`evaluate`]: one row per cohort period and
    /// breakdown value with the columns `period`, the breakdown columns and `value`.
    ///
    /// # Errors
    ///
    /// As [`ActivationRate::prepare`] and [`evaluate`].
    pub fn run(&self, events: LazyFrame) -> Result<DataFrame, ExtensionError> {
        Ok(evaluate(self, self.prepare(events)?)?)
    }

    /// Microseconds since the epoch of a date or date-time column.
    fn micros(column: &str) -> Expr {
        col(column).dt().timestamp(TimeUnit::Microseconds)
    }

    fn require(&self, schema: &Schema) -> Result<(), KpiError> {
        for (name, purpose) in [
            (self.user.as_str(), "user id"),
            (self.event.as_str(), "event name"),
            (self.timestamp.as_str(), "event time"),
            (SIGNUP_AT, "signup time; run ActivationRate::prepare first"),
        ] {
            if schema.get(name).is_none() {
                return Err(KpiError::MissingColumn {
                    column: name.to_owned(),
                    purpose: purpose.to_owned(),
                });
            }
        }
        Ok(())
    }
}

impl ActivationRateBuilder {
    /// The KPI's name (default `activation_rate_{N}d`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The user id, event name and event time columns.
    pub fn columns(
        mut self,
        user: impl Into<String>,
        event: impl Into<String>,
        timestamp: impl Into<String>,
    ) -> Self {
        self.user = user.into();
        self.event = event.into();
        self.timestamp = timestamp.into();
        self
    }

    /// The event that marks a signup.
    pub fn signup_event(mut self, event: impl Into<String>) -> Self {
        self.signup_event = event.into();
        self
    }

    /// The event that counts as activation (required).
    pub fn key_event(mut self, event: impl Into<String>) -> Self {
        self.key_event = Some(event.into());
        self
    }

    /// The window length in days.
    pub fn window_days(mut self, days: u32) -> Self {
        self.window_days = days;
        self
    }

    /// The cohort grain.
    pub fn grain(mut self, grain: Grain) -> Self {
        self.grain = grain;
        self
    }

    /// Columns to break the rate down by (their value at signup).
    pub fn breakdown<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.breakdown.extend(columns.into_iter().map(Into::into));
        self
    }

    /// Keeps only users whose window ends at or before `end` (the end of the data), so young
    /// cohorts do not read low. `end` is read as UTC against a time-zoned column, and as is
    /// against a naive one.
    pub fn observed_until(mut self, end: NaiveDateTime) -> Self {
        self.observed_until = Some(end);
        self
    }

    /// The KPI.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InvalidInput`] without a key event, for a key event equal to the
    /// signup event, an empty event or column name, a window of 0 days, or a breakdown column
    /// that is one of the event columns, an output column or listed twice.
    pub fn build(self) -> Result<ActivationRate, ExtensionError> {
        let key_event = self
            .key_event
            .ok_or_else(|| invalid("key event", "is required"))?;
        for (what, value) in [
            ("user column", &self.user),
            ("event column", &self.event),
            ("timestamp column", &self.timestamp),
            ("signup event", &self.signup_event),
            ("key event", &key_event),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(what, "must not be empty"));
            }
        }
        if key_event == self.signup_event {
            return Err(invalid(
                "key event",
                format!("{key_event:?} is the signup event itself"),
            ));
        }
        if self.window_days == 0 {
            return Err(invalid("window", "must be at least 1 day"));
        }
        let reserved = [
            self.user.as_str(),
            self.event.as_str(),
            self.timestamp.as_str(),
            SIGNUP_AT,
            PERIOD_COLUMN,
            VALUE_COLUMN,
        ];
        for (i, b) in self.breakdown.iter().enumerate() {
            if b.trim().is_empty()
                || reserved.contains(&b.as_str())
                || self.breakdown[..i].contains(b)
            {
                return Err(invalid(
                    format!("breakdown column {b:?}"),
                    "must be a named column other than the event columns, signup_at, period \
                     and value, listed once",
                ));
            }
        }
        Ok(ActivationRate {
            name: self
                .name
                .unwrap_or_else(|| format!("activation_rate_{}d", self.window_days)),
            user: self.user,
            event: self.event,
            timestamp: self.timestamp,
            signup_event: self.signup_event,
            key_event,
            window_days: self.window_days,
            time: TimeBucket::new(SIGNUP_AT, self.grain),
            breakdown: self.breakdown,
            observed_until: self.observed_until,
        })
    }
}

impl Kpi for ActivationRate {
    fn name(&self) -> &str {
        &self.name
    }

    /// Distinct users with the key event in their window ÷ distinct users with a signup event,
    /// over the events of one cohort.
    fn expr(&self, schema: &Schema) -> Result<Expr, KpiError> {
        self.require(schema)?;
        let since_signup = Self::micros(&self.timestamp) - Self::micros(SIGNUP_AT);
        let window = i64::from(self.window_days) * MICROS_PER_DAY;
        let in_window = col(self.event.as_str())
            .eq(lit(self.key_event.as_str()))
            .and(since_signup.clone().gt_eq(lit(0i64)))
            .and(since_signup.lt(lit(window)));
        let activated = col(self.user.as_str()).filter(in_window).n_unique();
        let signups = col(self.user.as_str())
            .filter(col(self.event.as_str()).eq(lit(self.signup_event.as_str())))
            .n_unique();
        // A cohort always holds its users' signup events, so the denominator is positive; the
        // guard keeps a hand-made frame from producing NaN.
        Ok(when(signups.clone().gt(lit(0u32)))
            .then(activated.cast(DataType::Float64) / signups.cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64)))
    }

    fn filter(&self, schema: &Schema) -> Result<Option<Expr>, KpiError> {
        self.require(schema)?;
        Ok(self.observed_until.map(|end| {
            let window = i64::from(self.window_days) * MICROS_PER_DAY;
            (Self::micros(SIGNUP_AT) + lit(window)).lt_eq(lit(end.and_utc().timestamp_micros()))
        }))
    }

    fn time(&self) -> Option<&TimeBucket> {
        Some(&self.time)
    }

    fn breakdown(&self) -> &[String] {
        &self.breakdown
    }
}

/// Reads an events CSV (such as the bundled `data/events.csv`) with its date-times parsed.
///
/// # Errors
///
/// [`ExtensionError::Polars`] when the file cannot be read.
pub fn read_events_csv(path: impl AsRef<Path>) -> Result<LazyFrame, ExtensionError> {
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .map_parse_options(|o| o.with_try_parse_dates(true))
        .try_into_reader_with_file_path(Some(path.as_ref().to_path_buf()))?
        .finish()?;
    Ok(df.lazy())
}
