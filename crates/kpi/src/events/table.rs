//! The event table every event analysis runs on: events grouped by key and sorted by time,
//! with keys, event names and properties dictionary-encoded.
//!
//! Trends, funnels, retention, stickiness and lifecycle all scan one person's events in time
//! order. Loading does the grouping once (a counting sort by key, then a sort by time within
//! each key) so every kernel is a linear pass over `u32` codes and `i64` timestamps with no
//! per-event allocation. Because each key's events are contiguous, results computed on shards
//! partitioned by key add up to the result on the whole table.

use std::ops::Range;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;
use polars::prelude::*;
use prodops_core::{Grain, IngestReport, Period};

use crate::error::KpiError;

/// Microseconds in one day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Microseconds in one hour.
pub const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// [`Period::index`] of 1970-01-01 at [`Grain::Day`]: days from 0001-01-01 (CE).
const EPOCH_DAY_FROM_CE: i64 = 719_163;

/// The code of a missing property value in [`PropertyColumn::codes`].
pub const NULL_CODE: u32 = u32::MAX;

/// Which columns of an event frame hold the aggregation key, the time, the event name and the
/// properties an analysis may break down or filter by.
///
/// The key is whatever the analysis counts: a person, a group (account) or a session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventSchema {
    /// The aggregation key column (person, group or session id). Default `"user_id"`.
    pub key: String,
    /// The timestamp column: a polars `Datetime` (naive values are read as UTC), a `Date`, or
    /// a string such as `2026-10-18 08:15:19` or `2026-10-18T08:15:19.250Z`. Default
    /// `"timestamp"`.
    pub timestamp: String,
    /// The event name column. Default `"event"`.
    pub event: String,
    /// Property columns kept, dictionary-encoded, for breakdowns and filters.
    pub properties: Vec<String>,
}

impl Default for EventSchema {
    fn default() -> Self {
        EventSchema {
            key: "user_id".into(),
            timestamp: "timestamp".into(),
            event: "event".into(),
            properties: Vec::new(),
        }
    }
}

impl EventSchema {
    /// A schema with the given key, timestamp and event columns and no properties.
    pub fn new(
        key: impl Into<String>,
        timestamp: impl Into<String>,
        event: impl Into<String>,
    ) -> EventSchema {
        EventSchema {
            key: key.into(),
            timestamp: timestamp.into(),
            event: event.into(),
            properties: Vec::new(),
        }
    }

    /// Keeps these property columns as well.
    pub fn with_properties<I, S>(mut self, properties: I) -> EventSchema
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.properties
            .extend(properties.into_iter().map(Into::into));
        self
    }
}

/// Where calendar buckets fall: the time zone whose civil dates define days, weeks and months,
/// and the first day of the week.
///
/// Timestamps are instants (UTC); an analysis in `America/New_York` counts an event at
/// 02:00 UTC on the 2nd as the 1st. "24-hour" modes ignore the calendar and use absolute time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    tz: Tz,
    week_start: Weekday,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::utc()
    }
}

impl Calendar {
    /// UTC with ISO weeks starting on Monday.
    pub fn utc() -> Calendar {
        Calendar {
            tz: Tz::UTC,
            week_start: Weekday::Mon,
        }
    }

    /// A calendar in an IANA time zone with the given first day of the week.
    pub fn new(tz: Tz, week_start: Weekday) -> Calendar {
        Calendar { tz, week_start }
    }

    /// The time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The first day of the week.
    pub fn week_start(&self) -> Weekday {
        self.week_start
    }

    /// The civil date of an instant (microseconds since the Unix epoch, UTC) in this zone.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when the instant is outside chrono's representable range.
    pub fn civil_date(&self, micros: i64) -> Result<NaiveDate, KpiError> {
        if self.tz == Tz::UTC {
            return epoch_date(micros.div_euclid(MICROS_PER_DAY));
        }
        let utc = DateTime::from_timestamp_micros(micros).ok_or_else(|| out_of_range(micros))?;
        Ok(self.tz.from_utc_datetime(&utc.naive_utc()).date_naive())
    }

    /// The civil day of an instant as days since 1970-01-01 (not [`Period::index`], which
    /// counts days from 0001-01-01; use [`Calendar::period_index`] for that).
    ///
    /// # Errors
    ///
    /// As [`Calendar::civil_date`].
    pub fn day_number(&self, micros: i64) -> Result<i64, KpiError> {
        if self.tz == Tz::UTC {
            return Ok(micros.div_euclid(MICROS_PER_DAY));
        }
        Ok(self.civil_date(micros)?.to_epoch_days().into())
    }

    /// The period of `grain` containing the instant's civil date, honouring the week start:
    /// with a Sunday start, a Sunday belongs to the week of the Monday after it, and the week
    /// is labelled by that ISO week.
    ///
    /// # Errors
    ///
    /// As [`Calendar::civil_date`].
    pub fn period(&self, micros: i64, grain: Grain) -> Result<Period, KpiError> {
        let date = self.civil_date(micros)?;
        Ok(self.period_of_date(date, grain))
    }

    /// The period of `grain` containing a civil date, honouring the week start.
    pub fn period_of_date(&self, date: NaiveDate, grain: Grain) -> Period {
        let date = match grain {
            Grain::Week => {
                let shift = (7 - self.week_start.num_days_from_monday()) % 7;
                date.checked_add_days(Days::new(u64::from(shift)))
                    .unwrap_or(date)
            }
            _ => date,
        };
        Period::containing(grain, date)
    }

    /// The index ([`Period::index`]) of the period containing the instant. Consecutive periods
    /// have consecutive indices, so offsets between periods are differences of indices.
    ///
    /// # Errors
    ///
    /// As [`Calendar::civil_date`].
    pub fn period_index(&self, micros: i64, grain: Grain) -> Result<i64, KpiError> {
        if self.tz == Tz::UTC && grain == Grain::Day {
            // Period::index of a day counts days from 0001-01-01 (CE); 1970-01-01 is day 719,163.
            return Ok(micros.div_euclid(MICROS_PER_DAY) + EPOCH_DAY_FROM_CE);
        }
        Ok(self.period(micros, grain)?.index())
    }
}

fn epoch_date(days: i64) -> Result<NaiveDate, KpiError> {
    i32::try_from(days)
        .ok()
        .and_then(NaiveDate::from_epoch_days)
        .ok_or_else(|| out_of_range(days.saturating_mul(MICROS_PER_DAY)))
}

fn out_of_range(micros: i64) -> KpiError {
    crate::error::invalid_input(
        "timestamp",
        format!("{micros} µs since the epoch is outside the supported date range"),
    )
}

/// Converts a naive date-time read as UTC to microseconds since the Unix epoch.
pub fn utc_micros(ts: NaiveDateTime) -> i64 {
    ts.and_utc().timestamp_micros()
}

/// A dictionary-encoded property column aligned with the table's event order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyColumn {
    name: String,
    codes: Vec<u32>,
    values: Vec<String>,
}

impl PropertyColumn {
    /// The column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One code per event, in table order; [`NULL_CODE`] where the value is missing.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The distinct values; a code indexes this slice.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The value of a code, `None` for [`NULL_CODE`] or an unknown code.
    pub fn value(&self, code: u32) -> Option<&str> {
        self.values.get(code as usize).map(String::as_str)
    }

    /// The code of a value, if any event carries it.
    pub fn code_of(&self, value: &str) -> Option<u32> {
        self.values
            .iter()
            .position(|v| v == value)
            .and_then(|i| u32::try_from(i).ok())
    }
}

/// Events grouped by key and sorted by time within each key.
///
/// Build one with [`EventTable::from_frame`], [`EventTable::from_lazy`] or
/// [`EventTableBuilder`]. Within a key, events with equal timestamps keep their input order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventTable {
    key_names: Vec<String>,
    offsets: Vec<usize>,
    timestamps: Vec<i64>,
    events: Vec<u32>,
    event_names: Vec<String>,
    properties: Vec<PropertyColumn>,
}

/// One key's events: a contiguous slice of the table.
#[derive(Debug, Clone, Copy)]
pub struct KeyEvents<'a> {
    /// The key's code (its index in [`EventTable::key_names`]).
    pub key: u32,
    /// The rows of the table this key owns.
    pub rows: (usize, usize),
    /// Timestamps, ascending, in microseconds since the Unix epoch (UTC).
    pub timestamps: &'a [i64],
    /// Event codes aligned with `timestamps`.
    pub events: &'a [u32],
}

impl KeyEvents<'_> {
    /// The table rows of this key as a range, for indexing property codes.
    pub fn range(&self) -> Range<usize> {
        self.rows.0..self.rows.1
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether the key has no events (never true for a key in a table).
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }
}

/// An [`EventTable`] with the report of the rows that could not be loaded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoadedEvents {
    /// The accepted events.
    pub table: EventTable,
    /// Rows read, accepted, and each rejected row with its reason (a missing key, event or
    /// timestamp, or a timestamp that does not parse). Line numbers are 1-based row numbers
    /// of the frame.
    pub report: IngestReport,
}

impl EventTable {
    /// Loads events from a frame.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] when a schema column is absent; [`KpiError::InvalidColumn`]
    /// when the timestamp column is neither a date-time, a date nor a string. Rows with a null
    /// key, event or timestamp, or an unparseable timestamp, are rejected in the report.
    ///
    /// # Examples
    ///
    /// ```
    /// use polars::prelude::*;
    /// use prodops_kpi::events::{EventSchema, EventTable};
    ///
    /// let df = df!(
    ///     "user_id" => ["b", "a", "a", "c"],
    ///     "timestamp" => ["2026-10-02 09:00:00", "2026-10-01 10:00:00", "2026-10-01 09:00:00", "oops"],
    ///     "event" => ["signup", "pay", "signup", "signup"],
    /// )?;
    /// let loaded = EventTable::from_frame(&df, &EventSchema::default())?;
    /// assert_eq!(loaded.report.rejected().len(), 1); // "oops" is not a timestamp
    /// let table = loaded.table;
    /// assert_eq!(table.n_keys(), 2);
    /// let a = table.key(table.key_code("a").ok_or("no a")?);
    /// assert_eq!(table.event_name(a.events[0]), Some("signup")); // sorted by time
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_frame(df: &DataFrame, schema: &EventSchema) -> Result<LoadedEvents, KpiError> {
        let column = |name: &str, purpose: &str| {
            df.column(name).map_err(|_| KpiError::MissingColumn {
                column: name.to_string(),
                purpose: purpose.to_string(),
            })
        };
        let keys = string_column(column(&schema.key, "event key")?, &schema.key)?;
        let events = string_column(column(&schema.event, "event name")?, &schema.event)?;
        let timestamps =
            timestamp_column(column(&schema.timestamp, "event time")?, &schema.timestamp)?;
        let mut props = Vec::with_capacity(schema.properties.len());
        for name in &schema.properties {
            props.push(string_column(column(name, "event property")?, name)?);
        }
        let key_ca = keys.str()?;
        let event_ca = events.str()?;
        let prop_cas: Vec<&StringChunked> =
            props.iter().map(|c| c.str()).collect::<Result<_, _>>()?;

        let mut report = IngestReport::new("event frame");
        let mut rows = RowSink::new(schema.properties.clone());
        let mut prop_values: Vec<Option<&str>> = vec![None; prop_cas.len()];
        let mut prop_iters: Vec<_> = prop_cas.iter().map(|c| c.iter()).collect();
        for (i, ((key, event), ts)) in key_ca
            .iter()
            .zip(event_ca.iter())
            .zip(timestamps)
            .enumerate()
        {
            for (slot, it) in prop_values.iter_mut().zip(prop_iters.iter_mut()) {
                *slot = it.next().flatten();
            }
            let line = i as u64 + 1;
            match (key, event, ts) {
                (None, _, _) => report.reject(line, Some(&schema.key), "missing key"),
                (_, None, _) => report.reject(line, Some(&schema.event), "missing event name"),
                (_, _, TimestampCell::Missing) => {
                    report.reject(line, Some(&schema.timestamp), "missing timestamp")
                }
                (_, _, TimestampCell::Unparsed(raw)) => report.reject(
                    line,
                    Some(&schema.timestamp),
                    format!("{raw:?} is not a timestamp (expected e.g. 2026-10-18 08:15:19)"),
                ),
                (Some(key), Some(event), TimestampCell::Micros(ts)) => {
                    report.accept();
                    rows.push(key, ts, event, &prop_values);
                }
            }
        }
        Ok(LoadedEvents {
            table: rows.finish(),
            report,
        })
    }

    /// Collects the schema's columns from a lazy frame (a Parquet or CSV scan reads only
    /// those) and loads them as [`EventTable::from_frame`] does.
    ///
    /// # Errors
    ///
    /// As [`EventTable::from_frame`], plus [`KpiError::Polars`] when the scan fails.
    pub fn from_lazy(lf: LazyFrame, schema: &EventSchema) -> Result<LoadedEvents, KpiError> {
        let mut lf = lf;
        let available = lf.collect_schema()?;
        let mut wanted = vec![&schema.key, &schema.timestamp, &schema.event];
        wanted.extend(schema.properties.iter());
        for name in &wanted {
            if available.get(name.as_str()).is_none() {
                return Err(KpiError::MissingColumn {
                    column: (*name).clone(),
                    purpose: "event table".into(),
                });
            }
        }
        let exprs: Vec<Expr> = wanted.iter().map(|n| col(n.as_str())).collect();
        let df = lf.select(exprs).collect()?;
        EventTable::from_frame(&df, schema)
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether the table has no events.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Number of distinct keys.
    pub fn n_keys(&self) -> usize {
        self.key_names.len()
    }

    /// The key names; a key code indexes this slice.
    pub fn key_names(&self) -> &[String] {
        &self.key_names
    }

    /// The code of a key name.
    pub fn key_code(&self, name: &str) -> Option<u32> {
        self.key_names
            .iter()
            .position(|k| k == name)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The distinct event names; an event code indexes this slice.
    pub fn event_names(&self) -> &[String] {
        &self.event_names
    }

    /// The name of an event code.
    pub fn event_name(&self, code: u32) -> Option<&str> {
        self.event_names.get(code as usize).map(String::as_str)
    }

    /// The code of an event name, `None` when no event has it.
    pub fn event_code(&self, name: &str) -> Option<u32> {
        self.event_names
            .iter()
            .position(|e| e == name)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// All timestamps in table order (grouped by key, ascending within a key).
    pub fn timestamps(&self) -> &[i64] {
        &self.timestamps
    }

    /// All event codes in table order.
    pub fn events(&self) -> &[u32] {
        &self.events
    }

    /// Row offsets: key `k` owns rows `offsets[k]..offsets[k + 1]`.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// A property column by name.
    pub fn property(&self, name: &str) -> Option<&PropertyColumn> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// All property columns.
    pub fn properties(&self) -> &[PropertyColumn] {
        &self.properties
    }

    /// One key's events. Codes at or above [`EventTable::n_keys`] give an empty slice.
    pub fn key(&self, key: u32) -> KeyEvents<'_> {
        let k = key as usize;
        let (start, end) = match (self.offsets.get(k), self.offsets.get(k + 1)) {
            (Some(&s), Some(&e)) => (s, e),
            _ => (0, 0),
        };
        KeyEvents {
            key,
            rows: (start, end),
            timestamps: &self.timestamps[start..end],
            events: &self.events[start..end],
        }
    }

    /// Every key's events, in key-code order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = KeyEvents<'_>> + '_ {
        (0..self.key_names.len()).map(move |k| self.key(k as u32))
    }

    /// The earliest and latest timestamps, `None` for an empty table.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let min = self.timestamps.iter().copied().min()?;
        let max = self.timestamps.iter().copied().max()?;
        Some((min, max))
    }
}

/// Builds an [`EventTable`] from rows pushed one at a time: the way to construct events in
/// code or from a source other than polars.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_kpi::events::{EventTableBuilder, utc_micros};
///
/// let day = NaiveDate::from_ymd_opt(2026, 10, 1).ok_or("bad date")?;
/// let mut builder = EventTableBuilder::new(["plan"]);
/// builder.push("u1", utc_micros(day.and_hms_opt(9, 0, 0).ok_or("bad time")?), "signup", &[Some("free")])?;
/// builder.push("u1", utc_micros(day.and_hms_opt(8, 0, 0).ok_or("bad time")?), "visit", &[None])?;
/// let table = builder.build();
/// assert_eq!(table.event_name(table.key(0).events[0]), Some("visit"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct EventTableBuilder {
    property_names: Vec<String>,
    keys: Vec<String>,
    timestamps: Vec<i64>,
    events: Vec<String>,
    properties: Vec<Vec<Option<String>>>,
}

impl EventTableBuilder {
    /// A builder whose rows carry these properties, in this order.
    pub fn new<I, S>(property_names: I) -> EventTableBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let property_names: Vec<String> = property_names.into_iter().map(Into::into).collect();
        let properties = vec![Vec::new(); property_names.len()];
        EventTableBuilder {
            property_names,
            properties,
            ..EventTableBuilder::default()
        }
    }

    /// Adds one event at `micros` since the Unix epoch (UTC).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `properties` does not have one value per property name.
    pub fn push(
        &mut self,
        key: &str,
        micros: i64,
        event: &str,
        properties: &[Option<&str>],
    ) -> Result<&mut EventTableBuilder, KpiError> {
        if properties.len() != self.property_names.len() {
            return Err(crate::error::invalid_input(
                "event properties",
                format!(
                    "{} values given for {} property columns",
                    properties.len(),
                    self.property_names.len()
                ),
            ));
        }
        self.keys.push(key.to_string());
        self.timestamps.push(micros);
        self.events.push(event.to_string());
        for (column, value) in self.properties.iter_mut().zip(properties) {
            column.push(value.map(str::to_string));
        }
        Ok(self)
    }

    /// Groups and sorts the rows into a table.
    pub fn build(self) -> EventTable {
        let mut sink = RowSink::new(self.property_names);
        let mut values: Vec<Option<&str>> = vec![None; self.properties.len()];
        for i in 0..self.keys.len() {
            for (slot, column) in values.iter_mut().zip(&self.properties) {
                *slot = column[i].as_deref();
            }
            sink.push(&self.keys[i], self.timestamps[i], &self.events[i], &values);
        }
        sink.finish()
    }
}

/// Accumulates rows in input order with dictionary codes, then sorts them into a table.
struct RowSink<'a> {
    /// The last key and event interned: event logs are usually clustered by key or time, so
    /// most rows repeat the previous row's key or event name and skip the hash lookup.
    last_key: Option<(&'a str, u32)>,
    last_event: Option<(&'a str, u32)>,
    key_index: PlHashMap<&'a str, u32>,
    key_names: Vec<&'a str>,
    event_index: PlHashMap<&'a str, u32>,
    event_names: Vec<&'a str>,
    prop_names: Vec<String>,
    prop_index: Vec<PlHashMap<&'a str, u32>>,
    prop_values: Vec<Vec<&'a str>>,
    keys: Vec<u32>,
    timestamps: Vec<i64>,
    events: Vec<u32>,
    props: Vec<Vec<u32>>,
}

fn intern<'a>(index: &mut PlHashMap<&'a str, u32>, names: &mut Vec<&'a str>, s: &'a str) -> u32 {
    if let Some(&code) = index.get(s) {
        return code;
    }
    // Dictionaries hold fewer than u32::MAX entries: the table itself is indexed by usize and
    // a code equal to NULL_CODE would need 4 billion distinct values.
    let code = names.len() as u32;
    index.insert(s, code);
    names.push(s);
    code
}

impl<'a> RowSink<'a> {
    fn new(prop_names: Vec<String>) -> RowSink<'a> {
        let n = prop_names.len();
        RowSink {
            last_key: None,
            last_event: None,
            key_index: PlHashMap::default(),
            key_names: Vec::new(),
            event_index: PlHashMap::default(),
            event_names: Vec::new(),
            prop_names,
            prop_index: (0..n).map(|_| PlHashMap::default()).collect(),
            prop_values: vec![Vec::new(); n],
            keys: Vec::new(),
            timestamps: Vec::new(),
            events: Vec::new(),
            props: vec![Vec::new(); n],
        }
    }

    fn push(&mut self, key: &'a str, ts: i64, event: &'a str, props: &[Option<&'a str>]) {
        let key_code = match self.last_key {
            Some((last, code)) if last == key => code,
            _ => intern(&mut self.key_index, &mut self.key_names, key),
        };
        self.last_key = Some((key, key_code));
        let event_code = match self.last_event {
            Some((last, code)) if last == event => code,
            _ => intern(&mut self.event_index, &mut self.event_names, event),
        };
        self.last_event = Some((event, event_code));
        self.keys.push(key_code);
        self.events.push(event_code);
        self.timestamps.push(ts);
        for (j, value) in props.iter().enumerate() {
            let code = match value {
                Some(v) => intern(&mut self.prop_index[j], &mut self.prop_values[j], v),
                None => NULL_CODE,
            };
            self.props[j].push(code);
        }
    }

    /// Counting sort by key (keys keep first-seen order), then a stable sort by time within
    /// each key, so ties keep input order.
    fn finish(self) -> EventTable {
        let n_keys = self.key_names.len();
        let mut offsets = vec![0usize; n_keys + 1];
        for &k in &self.keys {
            offsets[k as usize + 1] += 1;
        }
        for k in 0..n_keys {
            offsets[k + 1] += offsets[k];
        }
        let mut cursor = offsets.clone();
        let mut order = vec![0usize; self.keys.len()];
        for (row, &k) in self.keys.iter().enumerate() {
            order[cursor[k as usize]] = row;
            cursor[k as usize] += 1;
        }
        for k in 0..n_keys {
            let slice = &mut order[offsets[k]..offsets[k + 1]];
            if !slice.is_sorted_by_key(|&r| self.timestamps[r]) {
                slice.sort_by_key(|&r| self.timestamps[r]);
            }
        }
        let gather = |v: &[u32]| order.iter().map(|&r| v[r]).collect::<Vec<u32>>();
        EventTable {
            key_names: self.key_names.iter().map(|s| s.to_string()).collect(),
            timestamps: order.iter().map(|&r| self.timestamps[r]).collect(),
            events: gather(&self.events),
            event_names: self.event_names.iter().map(|s| s.to_string()).collect(),
            properties: self
                .prop_names
                .into_iter()
                .zip(self.props.iter().zip(&self.prop_values))
                .map(|(name, (codes, values))| PropertyColumn {
                    name,
                    codes: gather(codes),
                    values: values.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            offsets,
        }
    }
}

fn string_column(column: &Column, name: &str) -> Result<Column, KpiError> {
    match column.dtype() {
        DataType::String => Ok(column.clone()),
        dt if dt.is_primitive_numeric() || dt.is_bool() => Ok(column.cast(&DataType::String)?),
        other => Err(KpiError::InvalidColumn {
            column: name.to_string(),
            reason: format!("expected text or integers, found {other}"),
        }),
    }
}

enum TimestampCell<'a> {
    Micros(i64),
    Missing,
    Unparsed(&'a str),
}

/// Reads a timestamp column as microseconds since the epoch, one cell per row.
fn timestamp_column<'a>(
    column: &'a Column,
    name: &str,
) -> Result<Box<dyn Iterator<Item = TimestampCell<'a>> + 'a>, KpiError> {
    let cell = |v: Option<i64>| v.map_or(TimestampCell::Missing, TimestampCell::Micros);
    match column.dtype() {
        DataType::Datetime(unit, _) => {
            let factor_num: i64 = match unit {
                TimeUnit::Nanoseconds => 1,
                TimeUnit::Microseconds => 1,
                TimeUnit::Milliseconds => 1_000,
            };
            let is_ns = matches!(unit, TimeUnit::Nanoseconds);
            let physical = column.datetime()?.physical();
            Ok(Box::new(physical.iter().map(move |v| {
                cell(v.map(|x| {
                    if is_ns {
                        x.div_euclid(1_000)
                    } else {
                        x * factor_num
                    }
                }))
            })))
        }
        DataType::Date => {
            let physical = column.date()?.physical();
            Ok(Box::new(physical.iter().map(move |v| {
                cell(v.map(|d| i64::from(d) * MICROS_PER_DAY))
            })))
        }
        DataType::String => {
            let ca = column.str()?;
            Ok(Box::new(ca.iter().map(|v| match v {
                None => TimestampCell::Missing,
                Some(raw) => {
                    parse_timestamp(raw).map_or(TimestampCell::Unparsed(raw), TimestampCell::Micros)
                }
            })))
        }
        other => Err(KpiError::InvalidColumn {
            column: name.to_string(),
            reason: format!("expected a date-time, date or text timestamp, found {other}"),
        }),
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS[.f]`, the same with `T`, an RFC 3339 instant with an offset, or
/// a bare date (midnight UTC).
pub fn parse_timestamp(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Ok(ts) = DateTime::parse_from_rfc3339(raw) {
        return Some(ts.timestamp_micros());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(ts) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(utc_micros(ts));
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(utc_micros)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn sunday_weeks_start_on_sunday() -> Result<(), KpiError> {
        let cal = Calendar::new(Tz::UTC, Weekday::Sun);
        let sat = NaiveDate::from_ymd_opt(2026, 11, 21).ok_or_else(|| out_of_range(0))?;
        let sun = NaiveDate::from_ymd_opt(2026, 11, 22).ok_or_else(|| out_of_range(0))?;
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or_else(|| out_of_range(0))?;
        assert_eq!(sun.weekday(), Weekday::Sun);
        assert_ne!(
            cal.period_of_date(sat, Grain::Week),
            cal.period_of_date(sun, Grain::Week)
        );
        assert_eq!(
            cal.period_of_date(sun, Grain::Week),
            cal.period_of_date(mon, Grain::Week)
        );
        Ok(())
    }
}
