//! Survey metrics by segment and period from polars frames, counted in one `group_by` pass.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use polars::prelude::*;
use serde::Serialize;

use prodops_core::{DimensionName, Grain, IngestReport, Period, Segment};

use super::counts::{ScaleCounts, WeightedScaleCounts};
use super::nps::{NpsAnalysis, NpsComparison};
use super::rating::ScaleSummary;
use super::scale::{Bucket, RatedScale, Reducer};
use super::weighted::WeightedNpsSummary;
use crate::KpiError;
use crate::events::Calendar;

const ROW: &str = "__survey_row";
const CELL: &str = "__survey_cell";
/// Added to day numbers (days since 1970, negative before) so packed cell keys of valid rows
/// are never negative: 0001-01-01 is day −719,162.
const DAY_OFFSET: i64 = 1_000_000;
const DAY: &str = "__survey_day";
const SCORE: &str = "__survey_score";
const N: &str = "__survey_n";
const W: &str = "__survey_w";
const W2: &str = "__survey_w2";

/// A survey query over a frame: the score column and its [`RatedScale`], an optional weight
/// column, any segment columns, and an optional time column bucketed by a [`Grain`].
///
/// [`SurveyQuery::run_lazy`] counts answers per (segments × period × scale point) in a single
/// polars `group_by` (with Σw and Σw² when weighted), then reduces each group's
/// [`ScaleCounts`] to its summary in Rust.
///
/// **Invalid rows are reported, not dropped silently.** A row whose score is null, not an
/// integer or off the scale, whose weight is null, not finite or not positive, whose
/// timestamp is null or unparseable, or whose segment value is null, is left out of every
/// count and listed in the table's [`IngestReport`] with its 1-based record number (zero-based
/// row index + 1) and the column at fault. Only when such rows exist does a second, filtered
/// pass read them back to name them.
///
/// Periods are civil dates in UTC; weeks start on the calendar's week start. Time columns may
/// be dates, date-times without a time zone or in UTC, or strings parsed by polars with an
/// inferred format.
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// use prodops_core::Grain;
/// use prodops_kpi::survey::{RatedScale, SurveyQuery};
///
/// let df = df!(
///     "score" => [10i64, 9, 3, 8, 10, 12],
///     "plan" => ["Pro", "Pro", "Pro", "Free", "Free", "Free"],
///     "answered_at" => ["2026-10-01 09:00:00", "2026-10-20 10:00:00", "2026-11-02 08:00:00",
///                       "2026-10-05 12:00:00", "2026-10-06 12:00:00", "2026-10-07 12:00:00"],
/// )?;
/// let query = SurveyQuery::builder("score", RatedScale::nps())
///     .segments(["plan"])
///     .time("answered_at", Grain::Month)
///     .build()?;
/// let table = query.run(&df)?;
/// // Free/2026-10, Pro/2026-10, Pro/2026-11; the 12 is reported, not counted.
/// assert_eq!(table.frame.height(), 3);
/// assert_eq!(table.report.rejected().len(), 1);
/// assert_eq!(table.report.rejected()[0].line, 6);
/// let pro_oct = &table.groups[1];
/// assert_eq!(pro_oct.counts.n(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SurveyQuery {
    score: String,
    scale: RatedScale,
    weight: Option<String>,
    segments: Vec<String>,
    time: Option<(String, Grain)>,
    calendar: Calendar,
    analysis: NpsAnalysis,
}

/// Builds a [`SurveyQuery`]; see [`SurveyQuery::builder`].
#[derive(Debug, Clone)]
pub struct SurveyQueryBuilder {
    query: SurveyQuery,
}

impl SurveyQueryBuilder {
    /// Weights each answer by this column (net scales only): adds weighted NPS per group.
    pub fn weight(mut self, column: impl Into<String>) -> Self {
        self.query.weight = Some(column.into());
        self
    }

    /// Breaks results down by these columns (their values are compared as strings).
    pub fn segments<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.query.segments = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Buckets answers by the period of `grain` containing this column's time.
    pub fn time(mut self, column: impl Into<String>, grain: Grain) -> Self {
        self.query.time = Some((column.into(), grain));
        self
    }

    /// The calendar for weeks (default UTC, weeks starting on Monday).
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.query.calendar = calendar;
        self
    }

    /// The NPS settings (α, interval method) applied to every group (default
    /// [`NpsAnalysis::default`]); α also sets the level of CSAT and CES intervals.
    pub fn analysis(mut self, analysis: NpsAnalysis) -> Self {
        self.query.analysis = analysis;
        self
    }

    /// Validates the query.
    ///
    /// # Errors
    ///
    /// [`KpiError::Core`] for a segment name that is not a valid dimension name;
    /// [`KpiError::IncompatibleOptions`] for a column used twice, a weight on a scale that is
    /// not a net scale, or a calendar outside UTC.
    pub fn build(self) -> Result<SurveyQuery, KpiError> {
        let q = self.query;
        for s in &q.segments {
            DimensionName::new(s)?;
        }
        let mut names: Vec<&str> = vec![q.score.as_str()];
        names.extend(q.weight.as_deref());
        names.extend(q.time.as_ref().map(|(t, _)| t.as_str()));
        names.extend(q.segments.iter().map(String::as_str));
        let mut sorted = names.clone();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(KpiError::IncompatibleOptions {
                reason: format!("column {:?} is used twice in the survey query", w[0]),
            });
        }
        if q.weight.is_some() && q.scale.reducer() != Reducer::Net {
            return Err(KpiError::IncompatibleOptions {
                reason: format!("weights are supported for net scales only, got {}", q.scale),
            });
        }
        if q.calendar.time_zone() != Tz::UTC {
            return Err(KpiError::IncompatibleOptions {
                reason: format!(
                    "survey periods are computed in UTC, got time zone {}",
                    q.calendar.time_zone()
                ),
            });
        }
        Ok(q)
    }
}

/// One (segment × period) cell of a [`SurveyTable`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SurveyGroup {
    /// The segment values (the whole population when no segment column was given).
    pub segment: Segment,
    /// The period, when a time column was given.
    pub period: Option<Period>,
    /// The answers' counts (mergeable: add cells to roll up).
    pub counts: ScaleCounts,
    /// The weighted counts, when a weight column was given.
    pub weighted: Option<WeightedScaleCounts>,
    /// The scale's summary: NPS for a net scale, top box and mean otherwise.
    pub summary: ScaleSummary,
    /// Weighted NPS (without the small-sample factor), when a weight column was given.
    pub weighted_nps: Option<WeightedNpsSummary>,
}

/// The result of a [`SurveyQuery`]: one row per (segment × period) with answers.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SurveyTable {
    /// One row per group, sorted by segment values then period. Columns: the segment columns,
    /// `period` (when timed), `n`, then for a net scale `promoters`, `passives`, `detractors`,
    /// `nps`, `ci_low`, `ci_high`, `std_error`, `clipped` (and, when weighted,
    /// `weighted_nps`, `n_eff`, `simple_se`, `linearised_se`, `weighted_ci_low`,
    /// `weighted_ci_high`, from the linearised SE); otherwise `top_box`, `top_box_share`,
    /// `top_box_ci_low`, `top_box_ci_high`, `mean`, `mean_ci_low`, `mean_ci_high` (null with
    /// one answer). Scores in NPS points, shares in percent.
    pub frame: DataFrame,
    /// The same groups as typed summaries, in the frame's order.
    pub groups: Vec<SurveyGroup>,
    /// Rows read, counted and rejected (with why).
    pub report: IngestReport,
}

/// One segment's NPS change from a period to the next, from [`SurveyTable::period_changes`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PeriodChange {
    /// The segment.
    pub segment: Segment,
    /// The earlier period.
    pub previous: Period,
    /// The later period, the one right after `previous`.
    pub current: Period,
    /// The independent-samples test of `current − previous`.
    pub comparison: NpsComparison,
}

impl SurveyTable {
    /// Tests each segment's NPS change from every period to the next with
    /// [`NpsAnalysis::compare`] (independent samples: different respondents each period).
    /// A period whose predecessor has no answers in that segment gets no row.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the scale is not a net scale;
    /// [`KpiError::InvalidInput`] from a Wald test without variance.
    pub fn period_changes(&self, analysis: &NpsAnalysis) -> Result<Vec<PeriodChange>, KpiError> {
        let mut out = Vec::new();
        // Groups are sorted by segment values, then period, so a segment's periods are
        // adjacent and in order.
        for pair in self.groups.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (Some(previous), Some(current)) = (a.period, b.period) else {
                continue;
            };
            if a.segment != b.segment || previous.next()? != current {
                continue;
            }
            out.push(PeriodChange {
                segment: b.segment.clone(),
                previous,
                current,
                comparison: analysis.compare(a.counts.nps_counts()?, b.counts.nps_counts()?)?,
            });
        }
        Ok(out)
    }
}

impl SurveyTable {
    /// The groups of two periods as the segments of a mix/rate decomposition (see
    /// [`crate::explain`]), so the change of the overall score between `from` and `to` can be
    /// split into what moved inside segments (rate) and what moved between them (mix).
    ///
    /// Each segment's volume is its number of answers and its numerator is what the scale
    /// reduces to, so the segment's rate is its score: promoters − detractors for a net scale
    /// (rate = NPS / 100), the top-box count for a top-box scale (rate = the share), and the
    /// sum of the answers for a mean scale (rate = the mean). A segment with answers in one
    /// period only has volume 0 in the other. Labels are the segment's values joined by
    /// `", "`, or `all` for a query without segment columns.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when the query had no time column, when `from` equals `to`,
    /// or when neither period has answers.
    ///
    /// # Examples
    ///
    /// ```
    /// use polars::prelude::*;
    /// use prodops_core::Grain;
    /// use prodops_kpi::explain::{Decomposer, Shapley};
    /// use prodops_kpi::survey::{RatedScale, SurveyQuery};
    ///
    /// let df = df!(
    ///     "score" => [10i64, 10, 5, 8, 9, 10, 3, 9, 9, 9, 0],
    ///     "region" => ["A", "A", "A", "A", "B", "A", "A", "B", "B", "B", "B"],
    ///     "answered_at" => ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04", "2026-09-05",
    ///                       "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
    ///                       "2026-10-06"],
    /// )?;
    /// let table = SurveyQuery::builder("score", RatedScale::nps())
    ///     .segments(["region"])
    ///     .time("answered_at", Grain::Month)
    ///     .build()?
    ///     .run(&df)?;
    /// let segments = table.change_segments("2026-09".parse()?, "2026-10".parse()?)?;
    /// let d = Shapley.decompose(&segments)?;
    /// // NPS 40 (3 promoters, 1 detractor of 5) → 33.3 (4 and 2 of 6).
    /// assert!((100.0 * d.change - (200.0 / 6.0 - 40.0)).abs() < 1e-9);
    /// assert!((d.mix + d.rate - d.change).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn change_segments(
        &self,
        from: Period,
        to: Period,
    ) -> Result<Vec<crate::explain::Segment>, KpiError> {
        if from == to {
            return Err(crate::error::invalid_input(
                "change periods",
                format!("from and to are both {from}"),
            ));
        }
        if self.groups.iter().any(|g| g.period.is_none()) {
            return Err(crate::error::invalid_input(
                "survey table",
                "the query has no time column, so it has no periods to compare",
            ));
        }
        let mut cells: BTreeMap<String, [(f64, f64); 2]> = BTreeMap::new();
        for g in &self.groups {
            let slot = match g.period {
                Some(p) if p == from => 0,
                Some(p) if p == to => 1,
                _ => continue,
            };
            let c = &g.counts;
            let numerator = match c.scale().reducer() {
                Reducer::Net => {
                    c.bucket_count(Bucket::Top) as f64 - c.bucket_count(Bucket::Bottom) as f64
                }
                Reducer::TopBox => c.bucket_count(Bucket::Top) as f64,
                Reducer::Mean => c.iter().map(|(v, k)| f64::from(v) * k as f64).sum(),
            };
            let label = if g.segment.is_all() {
                "all".to_owned()
            } else {
                g.segment
                    .pairs()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            cells.entry(label).or_default()[slot] = (c.n() as f64, numerator);
        }
        if cells.is_empty() {
            return Err(crate::error::invalid_input(
                "change periods",
                format!("no answers in {from} or {to}"),
            ));
        }
        cells
            .into_iter()
            .map(|(label, [(v0, n0), (v1, n1)])| {
                crate::explain::Segment::new(label, v0, n0, v1, n1)
            })
            .collect()
    }
}

type GroupKey = (Vec<String>, Option<Period>);

/// Counts per (segment values, period), sorted.
type Cells = BTreeMap<GroupKey, (ScaleCounts, Option<WeightedScaleCounts>)>;

impl SurveyQuery {
    /// A query of `score` answers on `scale`, with no segments, no time and no weight.
    pub fn builder(score: impl Into<String>, scale: RatedScale) -> SurveyQueryBuilder {
        SurveyQueryBuilder {
            query: SurveyQuery {
                score: score.into(),
                scale,
                weight: None,
                segments: Vec::new(),
                time: None,
                calendar: Calendar::utc(),
                analysis: NpsAnalysis::default(),
            },
        }
    }

    /// Runs the query on a frame.
    ///
    /// # Errors
    ///
    /// As [`SurveyQuery::run_lazy`].
    pub fn run(&self, df: &DataFrame) -> Result<SurveyTable, KpiError> {
        self.run_lazy(df.clone().lazy())
    }

    /// Runs the query on a lazy frame (a CSV or Parquet scan reads only the query's columns).
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] for an absent column; [`KpiError::InvalidColumn`] for a
    /// score or weight column that is not numeric or a time column that is not a date, a
    /// date-time (naive or UTC) or a string; [`KpiError::Polars`] when polars fails. Invalid
    /// rows are not errors: see the report.
    pub fn run_lazy(&self, lf: LazyFrame) -> Result<SurveyTable, KpiError> {
        let mut lf = lf;
        let schema = lf.collect_schema()?;
        let dtype = |name: &str, purpose: &str| {
            schema
                .get(name)
                .cloned()
                .ok_or_else(|| KpiError::MissingColumn {
                    column: name.to_owned(),
                    purpose: purpose.to_owned(),
                })
        };
        require_numeric(&self.score, &dtype(&self.score, "survey score")?)?;
        if let Some(w) = &self.weight {
            require_numeric(w, &dtype(w, "survey weight")?)?;
        }
        for s in &self.segments {
            dtype(s, "survey segment")?;
        }
        let day = match &self.time {
            Some((t, _)) => Some(day_expr(t, &dtype(t, "survey time")?)?),
            None => None,
        };

        let score = col(self.score.as_str()).cast(DataType::Float64);
        let weight = self
            .weight
            .as_ref()
            .map(|w| col(w.as_str()).cast(DataType::Float64));
        let score_ok = score
            .clone()
            .cast(DataType::Int64)
            .cast(DataType::Float64)
            .eq(score.clone())
            .and(score.clone().gt_eq(lit(f64::from(self.scale.min()))))
            .and(score.clone().lt_eq(lit(f64::from(self.scale.max()))))
            .fill_null(lit(false));
        let weight_ok = weight.clone().map(|w| {
            w.clone()
                .gt(lit(0.0))
                .and(w.lt(lit(f64::INFINITY)))
                .fill_null(lit(false))
        });
        let time_ok = day.clone().map(|d| d.is_not_null());
        let segment_ok: Vec<Expr> = self
            .segments
            .iter()
            .map(|s| col(s.as_str()).is_not_null())
            .collect();
        let mut valid = score_ok.clone();
        for e in weight_ok
            .iter()
            .chain(time_ok.iter())
            .chain(segment_ok.iter())
        {
            valid = valid.and(e.clone());
        }

        // Rows are grouped by civil day, not by period: the period (with the calendar's week
        // start and core's labels) is assigned per group in Rust, and days of one period merge
        // exactly because counts add. The group count stays small (segments × days × points).
        // Day, score and validity are packed into one integer key, cell = (day + DAY_OFFSET) ·
        // points + (score − min), or −1 for an invalid row, because polars groups one integer
        // column several times faster than three columns; invalid rows fall into the −1 groups,
        // which the Rust side counts as rejected.
        let points = i64::from(self.scale.max() - self.scale.min()) + 1;
        let day_part = match &day {
            Some(d) => d.clone().cast(DataType::Int64) + lit(DAY_OFFSET),
            None => lit(0i64),
        };
        let cell = when(valid.clone())
            .then(
                day_part * lit(points) + score.clone().cast(DataType::Int64)
                    - lit(i64::from(self.scale.min())),
            )
            .otherwise(lit(-1i64))
            .alias(CELL);
        let mut keys: Vec<Expr> = Vec::with_capacity(self.segments.len() + 1);
        for s in &self.segments {
            let c = col(s.as_str());
            keys.push(match schema.get(s.as_str()) {
                Some(DataType::String) => c,
                _ => c.cast(DataType::String).alias(s.as_str()),
            });
        }
        keys.push(cell);
        let mut aggs = vec![len().cast(DataType::UInt64).alias(N)];
        if let Some(w) = &weight {
            aggs.push(w.clone().sum().alias(W));
            aggs.push((w.clone() * w.clone()).sum().alias(W2));
        }
        // The streaming engine fuses the key expressions into its hash aggregation and scans
        // in parallel; the in-memory engine materialises every key column first.
        let grouped = lf
            .clone()
            .group_by(keys)
            .agg(aggs)
            .collect_with_engine(Engine::Streaming)?
            .unwrap_single();

        let (cells, rejected) = self.fold_groups(&grouped)?;
        let mut report = IngestReport::new("survey frame");
        let accepted: u64 = cells.values().map(|(c, _)| c.n()).sum();
        for _ in 0..accepted {
            report.accept();
        }
        if rejected > 0 {
            self.report_rejected(lf, valid, score, weight, day, &mut report)?;
        }
        self.finish(cells, report)
    }

    fn fold_groups(&self, grouped: &DataFrame) -> Result<(Cells, u64), KpiError> {
        let packed = grouped.column(CELL)?.i64()?;
        let points = i64::from(self.scale.max() - self.scale.min()) + 1;
        let ns = grouped.column(N)?.u64()?;
        let segs: Vec<&StringChunked> = self
            .segments
            .iter()
            .map(|s| grouped.column(s.as_str()).and_then(|c| c.str()))
            .collect::<Result<_, _>>()?;
        let weights = match self.weight {
            Some(_) => Some((grouped.column(W)?.f64()?, grouped.column(W2)?.f64()?)),
            None => None,
        };
        let mut cells = Cells::new();
        let mut rejected = 0;
        for i in 0..grouped.height() {
            let n = ns.get(i).unwrap_or(0);
            let Some(key) = packed.get(i).filter(|&k| k >= 0) else {
                rejected += n;
                continue;
            };
            let value =
                i32::try_from(key.rem_euclid(points)).unwrap_or_default() + self.scale.min();
            let seg_values: Vec<String> = segs
                .iter()
                .map(|c| c.get(i).unwrap_or_default().to_owned())
                .collect();
            let period = match &self.time {
                Some((_, grain)) => {
                    let d = key.div_euclid(points) - DAY_OFFSET;
                    let date = i32::try_from(d)
                        .ok()
                        .and_then(NaiveDate::from_epoch_days)
                        .ok_or_else(|| {
                            crate::error::invalid_input(
                                "survey time",
                                format!("day {d} is out of range"),
                            )
                        })?;
                    Some(self.calendar.period_of_date(date, *grain))
                }
                _ => None,
            };
            let cell = cells.entry((seg_values, period)).or_insert_with(|| {
                (
                    ScaleCounts::empty(self.scale),
                    self.weight
                        .as_ref()
                        .map(|_| WeightedScaleCounts::empty(self.scale)),
                )
            });
            cell.0.add_count(value, n)?;
            if let (Some(w), Some((sw, sw2))) = (cell.1.as_mut(), weights) {
                w.add_sums(
                    value,
                    n,
                    sw.get(i).unwrap_or(0.0),
                    sw2.get(i).unwrap_or(0.0),
                )?;
            }
        }
        Ok((cells, rejected))
    }

    fn report_rejected(
        &self,
        lf: LazyFrame,
        valid: Expr,
        score: Expr,
        weight: Option<Expr>,
        day: Option<Expr>,
        report: &mut IngestReport,
    ) -> Result<(), KpiError> {
        let mut cols = vec![col(ROW).cast(DataType::UInt64), score.alias(SCORE)];
        if let Some(w) = weight {
            cols.push(w.alias(W));
        }
        if let Some(d) = day {
            cols.push(d.cast(DataType::Int32).alias(DAY));
        }
        cols.extend(
            self.segments
                .iter()
                .map(|s| col(s.as_str()).is_null().alias(s.as_str())),
        );
        let bad = lf
            .with_row_index(ROW, None)
            .filter(valid.not())
            .select(cols)
            .collect()?;
        let rows = bad.column(ROW)?.u64()?;
        let scores = bad.column(SCORE)?.f64()?;
        let weights = match self.weight {
            Some(_) => Some(bad.column(W)?.f64()?),
            None => None,
        };
        let days = match self.time {
            Some(_) => Some(bad.column(DAY)?.i32()?),
            None => None,
        };
        let seg_null: Vec<&BooleanChunked> = self
            .segments
            .iter()
            .map(|s| bad.column(s.as_str()).and_then(|c| c.bool()))
            .collect::<Result<_, _>>()?;
        let (min, max) = (self.scale.min(), self.scale.max());
        for i in 0..bad.height() {
            let line = rows.get(i).unwrap_or_default() + 1;
            let score_value = scores.get(i);
            let on_scale = score_value.is_some_and(|v| self.scale.check_score(0, v).is_ok());
            if !on_scale {
                let reason = match score_value {
                    None => "missing score".to_owned(),
                    Some(v) => format!("score {v} is not an integer in {min}..={max}"),
                };
                report.reject(line, Some(&self.score), reason);
                continue;
            }
            if let (Some(w), Some(name)) = (weights, &self.weight) {
                let wv = w.get(i);
                if !wv.is_some_and(|x| x > 0.0 && x.is_finite()) {
                    let reason = match wv {
                        None => "missing weight".to_owned(),
                        Some(x) => format!("weight {x} is not finite and positive"),
                    };
                    report.reject(line, Some(name), reason);
                    continue;
                }
            }
            if let (Some(d), Some((name, _))) = (days, &self.time)
                && d.get(i).is_none()
            {
                report.reject(line, Some(name), "missing or unparseable timestamp");
                continue;
            }
            match self
                .segments
                .iter()
                .zip(&seg_null)
                .find(|(_, nulls)| nulls.get(i).unwrap_or(false))
            {
                Some((s, _)) => report.reject(line, Some(s), "missing segment value"),
                // Every row polars rejected is recorded, even if no check above names why.
                None => report.reject(line, None, "row failed validation"),
            }
        }
        Ok(())
    }

    fn finish(&self, cells: Cells, report: IngestReport) -> Result<SurveyTable, KpiError> {
        let alpha = self.analysis.alpha();
        let mut groups = Vec::with_capacity(cells.len());
        for ((values, period), (counts, weighted)) in cells {
            let mut segment = Segment::all();
            for (name, value) in self.segments.iter().zip(values) {
                segment = segment.with(name, value)?;
            }
            let summary = counts.summarize(&self.analysis)?;
            let weighted_nps = match &weighted {
                Some(w) => Some(WeightedNpsSummary::from_counts(w, alpha, false)?),
                None => None,
            };
            groups.push(SurveyGroup {
                segment,
                period,
                counts,
                weighted,
                summary,
                weighted_nps,
            });
        }
        let frame = self.to_frame(&groups)?;
        Ok(SurveyTable {
            frame,
            groups,
            report,
        })
    }

    fn to_frame(&self, groups: &[SurveyGroup]) -> Result<DataFrame, KpiError> {
        let mut columns: Vec<Column> = Vec::new();
        for s in &self.segments {
            let values: Vec<&str> = groups
                .iter()
                .map(|g| g.segment.get(s).unwrap_or_default())
                .collect();
            columns.push(Column::new(s.as_str().into(), values));
        }
        if self.time.is_some() {
            let labels: Vec<Option<String>> =
                groups.iter().map(|g| g.period.map(|p| p.label())).collect();
            columns.push(Column::new("period".into(), labels));
        }
        let n: Vec<u64> = groups.iter().map(|g| g.counts.n()).collect();
        columns.push(Column::new("n".into(), n));
        let f64_col = |name: &str, f: &dyn Fn(&SurveyGroup) -> Option<f64>| {
            Column::new(name.into(), groups.iter().map(f).collect::<Vec<_>>())
        };
        let u64_col = |name: &str, f: &dyn Fn(&SurveyGroup) -> Option<u64>| {
            Column::new(name.into(), groups.iter().map(f).collect::<Vec<_>>())
        };
        if self.scale.reducer() == Reducer::Net {
            let nps = |g: &SurveyGroup| match &g.summary {
                ScaleSummary::Net(s) => Some(s.clone()),
                ScaleSummary::Rating { .. } => None,
            };
            columns.push(u64_col("promoters", &|g| nps(g).map(|s| s.promoters)));
            columns.push(u64_col("passives", &|g| nps(g).map(|s| s.passives)));
            columns.push(u64_col("detractors", &|g| nps(g).map(|s| s.detractors)));
            columns.push(f64_col("nps", &|g| nps(g).map(|s| s.score)));
            columns.push(f64_col("ci_low", &|g| nps(g).map(|s| s.ci.lower)));
            columns.push(f64_col("ci_high", &|g| nps(g).map(|s| s.ci.upper)));
            columns.push(f64_col("std_error", &|g| nps(g).map(|s| s.std_error)));
            let clipped: Vec<Option<bool>> =
                groups.iter().map(|g| nps(g).map(|s| s.clipped)).collect();
            columns.push(Column::new("clipped".into(), clipped));
            if self.weight.is_some() {
                let w = |g: &SurveyGroup| g.weighted_nps.clone();
                columns.push(f64_col("weighted_nps", &|g| w(g).map(|s| s.score)));
                columns.push(f64_col("n_eff", &|g| w(g).map(|s| s.n_eff)));
                columns.push(f64_col("simple_se", &|g| w(g).map(|s| s.simple_std_error)));
                columns.push(f64_col("linearised_se", &|g| {
                    w(g).map(|s| s.linearised_std_error)
                }));
                columns.push(f64_col("weighted_ci_low", &|g| {
                    w(g).map(|s| s.linearised_ci.lower)
                }));
                columns.push(f64_col("weighted_ci_high", &|g| {
                    w(g).map(|s| s.linearised_ci.upper)
                }));
            }
        } else {
            let rating = |g: &SurveyGroup| match &g.summary {
                ScaleSummary::Rating { summary, .. } => Some(summary.clone()),
                ScaleSummary::Net(_) => None,
            };
            columns.push(u64_col("top_box", &|g| {
                rating(g).map(|r| r.top_box.successes)
            }));
            columns.push(f64_col("top_box_share", &|g| {
                rating(g).map(|r| r.top_box.share)
            }));
            columns.push(f64_col("top_box_ci_low", &|g| {
                rating(g).map(|r| r.top_box.ci.lower)
            }));
            columns.push(f64_col("top_box_ci_high", &|g| {
                rating(g).map(|r| r.top_box.ci.upper)
            }));
            columns.push(f64_col("mean", &|g| {
                rating(g).and_then(|r| r.mean).map(|m| m.mean)
            }));
            columns.push(f64_col("mean_ci_low", &|g| {
                rating(g).and_then(|r| r.mean).map(|m| m.ci.lower)
            }));
            columns.push(f64_col("mean_ci_high", &|g| {
                rating(g).and_then(|r| r.mean).map(|m| m.ci.upper)
            }));
        }
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

fn require_numeric(name: &str, dtype: &DataType) -> Result<(), KpiError> {
    if dtype.is_primitive_numeric() {
        Ok(())
    } else {
        Err(KpiError::InvalidColumn {
            column: name.to_owned(),
            reason: format!("expected a numeric column, got {dtype}"),
        })
    }
}

/// The expression giving each row's UTC civil date (as a polars `Date`), null when missing
/// or unparseable.
fn day_expr(name: &str, dtype: &DataType) -> Result<Expr, KpiError> {
    let c = col(name);
    match dtype {
        DataType::Date => Ok(c),
        DataType::Datetime(_, None) => Ok(c.cast(DataType::Date)),
        DataType::Datetime(_, Some(tz)) if tz.as_str() == "UTC" => Ok(c.cast(DataType::Date)),
        DataType::String => Ok(c
            .str()
            .to_datetime(
                Some(TimeUnit::Microseconds),
                None,
                StrptimeOptions {
                    format: None,
                    strict: false,
                    exact: true,
                    cache: true,
                },
                lit("raise"),
            )
            .cast(DataType::Date)),
        other => Err(KpiError::InvalidColumn {
            column: name.to_owned(),
            reason: format!(
                "expected a date, a date-time without time zone or in UTC, or a string; got {other}"
            ),
        }),
    }
}
