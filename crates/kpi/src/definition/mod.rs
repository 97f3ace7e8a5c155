//! Declarative KPIs: a KPI written as data (JSON), compiled to polars expressions.
//!
//! A [`KpiDefinition`] names an [`Aggregation`] (count, distinct count, sum, mean, or a ratio
//! of two [`Measure`]s), row [`Filter`]s, an optional time column with a [`Grain`], and optional
//! breakdown columns. [`evaluate`] runs any [`Kpi`] over a [`LazyFrame`] and returns one row per
//! period and breakdown value: the columns `period` (a `Date`, the first day of the bucket)
//! when a time column is set, the breakdown columns, and `value`.
//!
//! Columns are checked against the frame's schema before anything runs: an unknown column is
//! [`KpiError::MissingColumn`], a column of the wrong type (a sum over text, a text value
//! compared with a number) is [`KpiError::InvalidColumn`]. A ratio whose denominator is zero in
//! a bucket is null there, never NaN or infinite; so is a mean over no rows. NaN values in
//! float columns count as missing.
//!
//! Custom KPIs implement the [`Kpi`] trait: a name and a polars aggregate expression.
//! [`KpiDefinition`] is itself the reference implementation.
//!
//! # Examples
//!
//! ```
//! use chrono::NaiveDate;
//! use polars::prelude::*;
//! use prodops_kpi::definition::{KpiDefinition, evaluate};
//!
//! let events = df!(
//!     "day" => [NaiveDate::from_ymd_opt(2026, 9, 30), NaiveDate::from_ymd_opt(2026, 10, 1),
//!               NaiveDate::from_ymd_opt(2026, 10, 5), NaiveDate::from_ymd_opt(2026, 10, 9)],
//!     "plan" => ["pro", "pro", "free", "pro"],
//!     "amount" => [10.0, 20.0, 0.0, 30.0],
//! )?;
//! let kpi = KpiDefinition::from_json(r#"{
//!     "name": "pro_revenue",
//!     "aggregation": {"type": "sum", "column": "amount"},
//!     "filters": [{"column": "plan", "op": "=", "value": "pro"}],
//!     "time": {"column": "day", "grain": "month"}
//! }"#)?;
//! let out = evaluate(&kpi, events.lazy())?;
//! // September: 10; October: 20 + 30 = 50 (the free plan's row is filtered out).
//! let values: Vec<Option<f64>> = out.column("value")?.f64()?.iter().collect();
//! assert_eq!(values, [Some(10.0), Some(50.0)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compile;

use polars::prelude::*;
use prodops_core::Grain;
use serde::{Deserialize, Serialize};

use crate::error::{KpiError, invalid_input};

/// A KPI computed per bucket by a polars aggregate expression.
///
/// Implement [`Kpi::name`] and [`Kpi::expr`]; the other methods have defaults (no row filter,
/// no time bucketing, no breakdown). Run it with [`evaluate`] or [`Kpi::evaluate`].
///
/// # Examples
///
/// A KPI that is not expressible as a [`KpiDefinition`]: the largest order.
///
/// ```
/// use polars::prelude::*;
/// use prodops_kpi::KpiError;
/// use prodops_kpi::definition::Kpi;
///
/// struct LargestOrder;
///
/// impl Kpi for LargestOrder {
///     fn name(&self) -> &str {
///         "largest_order"
///     }
///     fn expr(&self, _schema: &Schema) -> Result<Expr, KpiError> {
///         Ok(col("amount").max())
///     }
/// }
///
/// let orders = df!("amount" => [3.0, 9.5, 1.0])?;
/// let out = LargestOrder.evaluate(orders.lazy())?;
/// assert_eq!(out.column("value")?.f64()?.get(0), Some(9.5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Kpi {
    /// The KPI's name.
    fn name(&self) -> &str;

    /// The aggregate expression computing the KPI over the rows of one bucket.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] or [`KpiError::InvalidColumn`] when `schema` lacks a
    /// column the expression needs or has it with the wrong type.
    fn expr(&self, schema: &Schema) -> Result<Expr, KpiError>;

    /// A predicate keeping the rows the KPI is computed over, applied before bucketing.
    ///
    /// # Errors
    ///
    /// As [`Kpi::expr`].
    fn filter(&self, _schema: &Schema) -> Result<Option<Expr>, KpiError> {
        Ok(None)
    }

    /// The time column and grain to bucket rows by, if any.
    fn time(&self) -> Option<&TimeBucket> {
        None
    }

    /// The columns to break the KPI down by.
    fn breakdown(&self) -> &[String] {
        &[]
    }

    /// Computes the KPI over `lf`; see [`evaluate`].
    ///
    /// # Errors
    ///
    /// As [`evaluate`].
    fn evaluate(&self, lf: LazyFrame) -> Result<DataFrame, KpiError> {
        evaluate(self, lf)
    }
}

impl<K: Kpi + ?Sized> Kpi for &K {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn expr(&self, schema: &Schema) -> Result<Expr, KpiError> {
        (**self).expr(schema)
    }
    fn filter(&self, schema: &Schema) -> Result<Option<Expr>, KpiError> {
        (**self).filter(schema)
    }
    fn time(&self) -> Option<&TimeBucket> {
        (**self).time()
    }
    fn breakdown(&self) -> &[String] {
        (**self).breakdown()
    }
}

impl<K: Kpi + ?Sized> Kpi for Box<K> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn expr(&self, schema: &Schema) -> Result<Expr, KpiError> {
        (**self).expr(schema)
    }
    fn filter(&self, schema: &Schema) -> Result<Option<Expr>, KpiError> {
        (**self).filter(schema)
    }
    fn time(&self) -> Option<&TimeBucket> {
        (**self).time()
    }
    fn breakdown(&self) -> &[String] {
        (**self).breakdown()
    }
}

/// The name of the output column holding the bucket's first day.
pub const PERIOD_COLUMN: &str = "period";
/// The name of the output column holding the KPI's value.
pub const VALUE_COLUMN: &str = "value";

/// Computes `kpi` over `lf`: one row per period and breakdown value (one row in all when the
/// KPI has neither), sorted by period then breakdown, with the columns `period` (a `Date`: the
/// first day of the bucket; weeks start on Monday), the breakdown columns, and `value`.
///
/// Rows whose time column is null are left out of a bucketed KPI. Buckets without any row
/// (after the KPI's filter) do not appear.
///
/// # Errors
///
/// [`KpiError::MissingColumn`] for a time, breakdown or measured column absent from the schema,
/// checked before the query runs; [`KpiError::InvalidColumn`] for a time column that is not a
/// `Date` or `Datetime` or a column of the wrong type; [`KpiError::IncompatibleOptions`] when a
/// breakdown column is named `value`, or `period` in a bucketed KPI (the output columns), or
/// is listed twice;
/// [`KpiError::Polars`] if the query fails.
pub fn evaluate<K: Kpi + ?Sized>(kpi: &K, lf: LazyFrame) -> Result<DataFrame, KpiError> {
    let mut lf = lf;
    let schema = lf.collect_schema()?;
    let mut keys: Vec<Expr> = Vec::new();
    let mut names: Vec<PlSmallStr> = Vec::new();
    if let Some(time) = kpi.time() {
        let dtype = schema_dtype(&schema, &time.column, "time column")?;
        keys.push(compile::bucket(&time.column, time.grain, dtype)?.alias(PERIOD_COLUMN));
        names.push(PERIOD_COLUMN.into());
        lf = lf.filter(col(time.column.as_str()).is_not_null());
    }
    for b in kpi.breakdown() {
        schema_dtype(&schema, b, "breakdown")?;
        if b == VALUE_COLUMN || names.iter().any(|n| n == b) {
            return Err(KpiError::IncompatibleOptions {
                reason: format!(
                    "breakdown column {b:?} clashes with an output column of the same name"
                ),
            });
        }
        keys.push(col(b.as_str()));
        names.push(b.as_str().into());
    }
    let value = kpi.expr(&schema)?.alias(VALUE_COLUMN);
    if let Some(predicate) = kpi.filter(&schema)? {
        lf = lf.filter(predicate);
    }
    let out = if keys.is_empty() {
        lf.select([value])
    } else {
        lf.group_by(keys)
            .agg([value])
            .sort(names, SortMultipleOptions::default().with_nulls_last(true))
    };
    Ok(out.collect()?)
}

fn schema_dtype<'a>(
    schema: &'a Schema,
    column: &str,
    purpose: &str,
) -> Result<&'a DataType, KpiError> {
    schema.get(column).ok_or_else(|| KpiError::MissingColumn {
        column: column.to_owned(),
        purpose: purpose.to_owned(),
    })
}

/// The time column and the grain its values are bucketed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TimeBucket {
    /// A `Date` or `Datetime` column (naive date-times are read as they are, time-zoned ones
    /// in their own zone).
    pub column: String,
    /// The bucket width.
    pub grain: Grain,
}

impl TimeBucket {
    /// Buckets `column` by `grain`.
    pub fn new(column: impl Into<String>, grain: Grain) -> TimeBucket {
        TimeBucket {
            column: column.into(),
            grain,
        }
    }
}

/// How rows are aggregated into one number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Aggregation {
    /// The number of rows.
    Count,
    /// The number of distinct non-null values of a column.
    DistinctCount {
        /// The column.
        column: String,
    },
    /// The sum of a numeric column (0 over no rows).
    Sum {
        /// The column.
        column: String,
    },
    /// The mean of a numeric column (null over no rows).
    Mean {
        /// The column.
        column: String,
    },
    /// One measure divided by another, bucket by bucket; null where the denominator is zero.
    Ratio {
        /// The numerator.
        numerator: Box<Measure>,
        /// The denominator.
        denominator: Box<Measure>,
    },
}

/// An aggregation over the rows that pass its own filters (and the KPI's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Measure {
    /// How rows are aggregated.
    pub aggregation: Aggregation,
    /// Rows kept for this measure only (all must hold).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
}

impl Measure {
    /// A measure without filters.
    pub fn new(aggregation: Aggregation) -> Measure {
        Measure {
            aggregation,
            filters: Vec::new(),
        }
    }

    /// This measure, keeping only rows that pass `filter` as well.
    pub fn with_filter(mut self, filter: Filter) -> Measure {
        self.filters.push(filter);
        self
    }
}

/// A comparison operator of a [`Filter`]. In JSON: `=`, `!=`, `<`, `<=`, `>`, `>=`, `in`,
/// `is_null`, `not_null` (or the names `eq`, `ne`, `lt`, `le`, `gt`, `ge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FilterOp {
    /// Equal to the value.
    #[serde(rename = "=", alias = "eq", alias = "==")]
    Eq,
    /// Not equal to the value (null cells do not pass).
    #[serde(rename = "!=", alias = "ne")]
    Ne,
    /// Less than the value.
    #[serde(rename = "<", alias = "lt")]
    Lt,
    /// At most the value.
    #[serde(rename = "<=", alias = "le")]
    Le,
    /// Greater than the value.
    #[serde(rename = ">", alias = "gt")]
    Gt,
    /// At least the value.
    #[serde(rename = ">=", alias = "ge")]
    Ge,
    /// One of a list of values.
    #[serde(rename = "in")]
    In,
    /// The cell is null (takes no value).
    #[serde(rename = "is_null")]
    IsNull,
    /// The cell is not null (takes no value).
    #[serde(rename = "not_null", alias = "is_not_null")]
    NotNull,
}

/// One literal a filter compares with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Scalar {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text; compared with a date or date-time column, it is parsed as `YYYY-MM-DD` or
    /// `YYYY-MM-DD HH:MM:SS`.
    Text(String),
}

/// The right-hand side of a filter: one value, or a list for `in`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum FilterValue {
    /// A single value.
    One(Scalar),
    /// A list of values, for `in`.
    List(Vec<Scalar>),
}

impl From<Scalar> for FilterValue {
    fn from(s: Scalar) -> Self {
        FilterValue::One(s)
    }
}

impl From<&str> for FilterValue {
    fn from(s: &str) -> Self {
        FilterValue::One(Scalar::Text(s.to_owned()))
    }
}

impl From<i64> for FilterValue {
    fn from(v: i64) -> Self {
        FilterValue::One(Scalar::Int(v))
    }
}

impl From<f64> for FilterValue {
    fn from(v: f64) -> Self {
        FilterValue::One(Scalar::Float(v))
    }
}

impl From<bool> for FilterValue {
    fn from(v: bool) -> Self {
        FilterValue::One(Scalar::Bool(v))
    }
}

/// A row condition: `column op value`. A row whose cell is null passes only `is_null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Filter {
    /// The column tested.
    pub column: String,
    /// The operator.
    pub op: FilterOp,
    /// The value compared with; absent for `is_null` and `not_null`, a list for `in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FilterValue>,
}

impl Filter {
    /// `column op value`.
    pub fn new(column: impl Into<String>, op: FilterOp, value: impl Into<FilterValue>) -> Filter {
        Filter {
            column: column.into(),
            op,
            value: Some(value.into()),
        }
    }

    /// `column = value`.
    pub fn eq(column: impl Into<String>, value: impl Into<FilterValue>) -> Filter {
        Filter::new(column, FilterOp::Eq, value)
    }

    /// `column in values`.
    pub fn is_in(column: impl Into<String>, values: impl IntoIterator<Item = Scalar>) -> Filter {
        Filter {
            column: column.into(),
            op: FilterOp::In,
            value: Some(FilterValue::List(values.into_iter().collect())),
        }
    }

    /// `column is_null`.
    pub fn is_null(column: impl Into<String>) -> Filter {
        Filter {
            column: column.into(),
            op: FilterOp::IsNull,
            value: None,
        }
    }

    /// `column not_null`.
    pub fn not_null(column: impl Into<String>) -> Filter {
        Filter {
            column: column.into(),
            op: FilterOp::NotNull,
            value: None,
        }
    }
}

/// A KPI written as data: an aggregation, filters, an optional time bucket and breakdown.
///
/// Serialized as JSON like
/// `{"name": "...", "aggregation": {"type": "count"}, "filters": [...], "time": {"column":
/// "timestamp", "grain": "week"}, "breakdown": ["plan"]}`; `aggregation` is tagged by `type`
/// (`count`, `distinct_count`, `sum`, `mean`, `ratio`), a ratio holds a `numerator` and a
/// `denominator`, each `{"aggregation": ..., "filters": [...]}`. Unknown fields are errors, so
/// a typo does not silently change a KPI.
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// use prodops_core::Grain;
/// use prodops_kpi::definition::{Aggregation, Filter, KpiDefinition, Measure, evaluate};
///
/// // Share of sessions that converted, per plan.
/// let kpi = KpiDefinition::new(
///     "conversion",
///     Aggregation::Ratio {
///         numerator: Box::new(Measure::new(Aggregation::Count).with_filter(Filter::eq("converted", true))),
///         denominator: Box::new(Measure::new(Aggregation::Count)),
///     },
/// )
/// .with_breakdown(["plan"]);
/// let sessions = df!(
///     "plan" => ["free", "free", "free", "pro"],
///     "converted" => [true, false, false, true],
/// )?;
/// let out = evaluate(&kpi, sessions.lazy())?;
/// let values: Vec<Option<f64>> = out.column("value")?.f64()?.iter().collect();
/// assert_eq!(values, [Some(1.0 / 3.0), Some(1.0)]); // free 1/3, pro 1/1
/// assert_eq!(KpiDefinition::from_json(&kpi.to_json()?)?, kpi);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KpiDefinition {
    /// The KPI's name.
    pub name: String,
    /// How rows are aggregated.
    pub aggregation: Aggregation,
    /// Rows kept (all must hold), applied before bucketing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// The time bucket, if the KPI is a time series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeBucket>,
    /// Columns to break the KPI down by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<String>,
}

impl KpiDefinition {
    /// A KPI over all rows, with no time bucket or breakdown.
    pub fn new(name: impl Into<String>, aggregation: Aggregation) -> KpiDefinition {
        KpiDefinition {
            name: name.into(),
            aggregation,
            filters: Vec::new(),
            time: None,
            breakdown: Vec::new(),
        }
    }

    /// This KPI over the rows that pass `filter` as well.
    pub fn with_filter(mut self, filter: Filter) -> KpiDefinition {
        self.filters.push(filter);
        self
    }

    /// This KPI bucketed by `grain` on the date or date-time `column`.
    pub fn by_period(mut self, column: impl Into<String>, grain: Grain) -> KpiDefinition {
        self.time = Some(TimeBucket::new(column, grain));
        self
    }

    /// This KPI broken down by these columns as well.
    pub fn with_breakdown<I, S>(mut self, columns: I) -> KpiDefinition
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.breakdown.extend(columns.into_iter().map(Into::into));
        self
    }

    /// Parses and validates one definition from JSON.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] with serde's line and column when the JSON does not describe
    /// a KPI (unknown fields included), or as [`KpiDefinition::validate`].
    pub fn from_json(json: &str) -> Result<KpiDefinition, KpiError> {
        let kpi: KpiDefinition = serde_json::from_str(json)
            .map_err(|e| invalid_input("KPI definition JSON", e.to_string()))?;
        kpi.validate()?;
        Ok(kpi)
    }

    /// Parses and validates a JSON array of definitions.
    ///
    /// # Errors
    ///
    /// As [`KpiDefinition::from_json`]; a validation error names the definition.
    pub fn list_from_json(json: &str) -> Result<Vec<KpiDefinition>, KpiError> {
        let kpis: Vec<KpiDefinition> = serde_json::from_str(json)
            .map_err(|e| invalid_input("KPI definitions JSON", e.to_string()))?;
        for (i, kpi) in kpis.iter().enumerate() {
            kpi.validate().map_err(|e| {
                invalid_input(
                    format!("KPI definition {i} ({:?})", kpi.name),
                    e.to_string(),
                )
            })?;
        }
        Ok(kpis)
    }

    /// The definition as pretty-printed JSON, readable by [`KpiDefinition::from_json`].
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] if serialization fails (it does not for definitions built
    /// from finite numbers).
    pub fn to_json(&self) -> Result<String, KpiError> {
        serde_json::to_string_pretty(self)
            .map_err(|e| invalid_input("KPI definition", e.to_string()))
    }

    /// Checks what can be checked without a frame: a non-empty name and column names, and
    /// that each filter has a value exactly when its operator takes one (a list for `in`, a
    /// single finite value for comparisons).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] naming the KPI and the faulty part.
    pub fn validate(&self) -> Result<(), KpiError> {
        let what = |part: &str| format!("KPI {:?}, {part}", self.name);
        if self.name.trim().is_empty() {
            return Err(invalid_input("KPI name", "must not be empty"));
        }
        compile::validate_aggregation(&self.aggregation)
            .map_err(|reason| invalid_input(what("aggregation"), reason))?;
        for f in &self.filters {
            compile::validate_filter(f).map_err(|reason| {
                invalid_input(what(&format!("filter on {:?}", f.column)), reason)
            })?;
        }
        if let Some(t) = &self.time
            && t.column.trim().is_empty()
        {
            return Err(invalid_input(what("time"), "empty column name"));
        }
        if self.breakdown.iter().any(|b| b.trim().is_empty()) {
            return Err(invalid_input(what("breakdown"), "empty column name"));
        }
        Ok(())
    }

    /// The aggregate expression of this KPI's value over one bucket, checked against
    /// `schema`. The KPI-level [`KpiDefinition::filters`] are not in it: [`evaluate`] applies
    /// them to the rows first (see [`Kpi::filter`]).
    ///
    /// # Errors
    ///
    /// As [`KpiDefinition::validate`]; [`KpiError::MissingColumn`] for a column absent from
    /// `schema`; [`KpiError::InvalidColumn`] for a sum or mean over a non-numeric column or a
    /// filter value of the wrong type for its column.
    pub fn to_expr(&self, schema: &Schema) -> Result<Expr, KpiError> {
        self.validate()?;
        compile::aggregation(&self.aggregation, None, schema)
    }

    /// The conjunction of [`KpiDefinition::filters`], or `None` without filters.
    ///
    /// # Errors
    ///
    /// As [`KpiDefinition::to_expr`].
    pub fn filter_expr(&self, schema: &Schema) -> Result<Option<Expr>, KpiError> {
        self.validate()?;
        compile::conjunction(&self.filters, schema)
    }
}

impl Kpi for KpiDefinition {
    fn name(&self) -> &str {
        &self.name
    }

    fn expr(&self, schema: &Schema) -> Result<Expr, KpiError> {
        self.to_expr(schema)
    }

    fn filter(&self, schema: &Schema) -> Result<Option<Expr>, KpiError> {
        self.filter_expr(schema)
    }

    fn time(&self) -> Option<&TimeBucket> {
        self.time.as_ref()
    }

    fn breakdown(&self) -> &[String] {
        &self.breakdown
    }
}
