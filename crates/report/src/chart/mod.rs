//! Chart types, their validation, and their data tables.
//!
//! Each chart is plain data: labels, numbers and dates. `new` validates; because the fields are
//! public, [`Chart::validate`] checks again before anything is drawn.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ReportError;
use crate::model::{NumberFormat, Table};

mod draw;

pub(crate) use draw::render_svg;

/// A chart of one of the five kinds a product review needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Chart {
    /// Lines with confidence bands over categorical x values (an NPS trend with its CI).
    LineBand(LineBandChart),
    /// Bars with optional notes (funnel steps, theme volume), vertical or horizontal.
    Bars(BarChart),
    /// A grid of values with blanks (a retention triangle).
    Heatmap(Heatmap),
    /// Estimates with intervals against a reference line (experiment effects).
    Forest(ForestPlot),
    /// Dated tasks with critical ones highlighted and milestones as diamonds (a launch plan).
    Gantt(GanttChart),
}

impl Chart {
    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::LineBand(c) => &c.title,
            Chart::Bars(c) => &c.title,
            Chart::Heatmap(c) => &c.title,
            Chart::Forest(c) => &c.title,
            Chart::Gantt(c) => &c.title,
        }
    }

    /// Checks the chart's data as its constructor does.
    ///
    /// # Errors
    ///
    /// The first [`ReportError`] found.
    pub fn validate(&self) -> Result<(), ReportError> {
        match self {
            Chart::LineBand(c) => c.validate(),
            Chart::Bars(c) => c.validate(),
            Chart::Heatmap(c) => c.validate(),
            Chart::Forest(c) => c.validate(),
            Chart::Gantt(c) => c.validate(),
        }
    }

    /// The chart's data as a table: what the Markdown report shows, and what the HTML report
    /// puts under each chart for readers who want the numbers.
    pub fn data_table(&self) -> Table {
        match self {
            Chart::LineBand(c) => c.data_table(),
            Chart::Bars(c) => c.data_table(),
            Chart::Heatmap(c) => c.data_table(),
            Chart::Forest(c) => c.data_table(),
            Chart::Gantt(c) => c.data_table(),
        }
    }

    /// The chart as a standalone SVG element (validated first).
    ///
    /// # Errors
    ///
    /// A validation error, or [`ReportError::Drawing`].
    pub fn to_svg(&self) -> Result<String, ReportError> {
        self.validate()?;
        render_svg(self)
    }
}

macro_rules! into_chart {
    ($ty:ident, $variant:ident) => {
        impl From<$ty> for Chart {
            fn from(chart: $ty) -> Self {
                Chart::$variant(chart)
            }
        }

        impl From<$ty> for crate::Block {
            fn from(chart: $ty) -> Self {
                crate::Block::Chart(Chart::$variant(chart))
            }
        }
    };
}
into_chart!(LineBandChart, LineBand);
into_chart!(BarChart, Bars);
into_chart!(Heatmap, Heatmap);
into_chart!(ForestPlot, Forest);
into_chart!(GanttChart, Gantt);

fn finite(chart: &str, what: impl FnOnce() -> String, value: f64) -> Result<(), ReportError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ReportError::NotFinite {
            chart: chart.to_string(),
            what: what(),
            value,
        })
    }
}

fn interval(
    chart: &str,
    what: impl Fn() -> String,
    low: f64,
    value: f64,
    high: f64,
) -> Result<(), ReportError> {
    finite(chart, || format!("{} value", what()), value)?;
    finite(chart, || format!("{} low", what()), low)?;
    finite(chart, || format!("{} high", what()), high)?;
    if low <= value && value <= high {
        Ok(())
    } else {
        Err(ReportError::IntervalOrder {
            chart: chart.to_string(),
            what: what(),
            low,
            value,
            high,
        })
    }
}

fn non_empty(chart: &str, what: &str, len: usize) -> Result<(), ReportError> {
    if len == 0 {
        Err(ReportError::Empty {
            chart: chart.to_string(),
            what: what.to_string(),
        })
    } else {
        Ok(())
    }
}

/// One point of a [`Series`]: a value with its interval at a categorical x position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandPoint {
    /// The x category, such as `"2026-03"`.
    pub x: String,
    /// The estimate.
    pub value: f64,
    /// The interval's lower bound.
    pub low: f64,
    /// The interval's upper bound.
    pub high: f64,
}

impl BandPoint {
    /// A point; `low <= value <= high`, all finite, is checked by [`LineBandChart::new`].
    pub fn new(x: impl Into<String>, value: f64, low: f64, high: f64) -> Self {
        Self {
            x: x.into(),
            value,
            low,
            high,
        }
    }

    /// A point without an interval (low = high = value).
    pub fn exact(x: impl Into<String>, value: f64) -> Self {
        Self::new(x, value, value, value)
    }
}

/// A named line with its band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The legend entry, such as a segment name.
    pub name: String,
    /// Points in x order. A series may skip x categories that others have.
    pub points: Vec<BandPoint>,
}

impl Series {
    /// A series.
    pub fn new(name: impl Into<String>, points: Vec<BandPoint>) -> Self {
        Self {
            name: name.into(),
            points,
        }
    }
}

/// Lines with shaded interval bands over categorical x values: an NPS trend with its CI.
///
/// The x axis lists every series' x labels in order of first appearance. A legend appears when
/// there are two or more series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineBandChart {
    /// The chart's title.
    pub title: String,
    /// The x axis label.
    pub x_label: String,
    /// The y axis label.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// How values are printed.
    pub format: NumberFormat,
}

impl LineBandChart {
    /// A line chart with bands.
    ///
    /// # Errors
    ///
    /// [`ReportError::Empty`] with no series or no points, [`ReportError::NotFinite`] or
    /// [`ReportError::IntervalOrder`] for a bad point, [`ReportError::Duplicate`] for an x label
    /// repeated within a series.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{BandPoint, LineBandChart, Series};
    ///
    /// let chart = LineBandChart::new(
    ///     "NPS by month",
    ///     "Month",
    ///     "NPS",
    ///     vec![Series::new(
    ///         "All",
    ///         vec![BandPoint::new("2026-01", 40.0, 35.0, 45.0), BandPoint::new("2026-02", 42.0, 37.5, 46.0)],
    ///     )],
    /// )?;
    /// assert_eq!(chart.series[0].points.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        series: Vec<Series>,
    ) -> Result<Self, ReportError> {
        let chart = Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series,
            format: NumberFormat::Auto,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Sets how values are printed.
    #[must_use]
    pub fn with_format(mut self, format: NumberFormat) -> Self {
        self.format = format;
        self
    }

    /// Checks the data as [`new`](Self::new) does.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn validate(&self) -> Result<(), ReportError> {
        non_empty(&self.title, "series", self.series.len())?;
        non_empty(
            &self.title,
            "points",
            self.series.iter().map(|s| s.points.len()).sum(),
        )?;
        for series in &self.series {
            let mut seen = std::collections::HashSet::new();
            for (i, p) in series.points.iter().enumerate() {
                interval(
                    &self.title,
                    || format!("series {:?} point {i} ({:?})", series.name, p.x),
                    p.low,
                    p.value,
                    p.high,
                )?;
                if !seen.insert(p.x.as_str()) {
                    return Err(ReportError::Duplicate {
                        chart: self.title.clone(),
                        what: format!("x label in series {:?}", series.name),
                        label: p.x.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The x categories: every series' labels in order of first appearance.
    pub fn categories(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in self.series.iter().flat_map(|s| &s.points) {
            if !out.contains(&p.x.as_str()) {
                out.push(&p.x);
            }
        }
        out
    }

    fn data_table(&self) -> Table {
        let f = self.format;
        Table {
            header: vec![
                "Series".into(),
                self.x_label.clone(),
                self.y_label.clone(),
                "Low".into(),
                "High".into(),
            ],
            rows: self
                .series
                .iter()
                .flat_map(|s| {
                    s.points.iter().map(move |p| {
                        vec![
                            s.name.clone(),
                            p.x.clone(),
                            f.format(p.value),
                            f.format(p.low),
                            f.format(p.high),
                        ]
                    })
                })
                .collect(),
        }
    }
}

/// One bar of a [`BarChart`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// The category, such as a funnel step or a theme.
    pub label: String,
    /// The bar's length.
    pub value: f64,
    /// Text printed at the bar's end instead of the value, such as `"1,204 (38% of prior)"`.
    pub note: Option<String>,
}

impl Bar {
    /// A bar without a note (its value is printed at its end).
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Self {
            label: label.into(),
            value,
            note: None,
        }
    }

    /// Sets the note printed at the bar's end.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// Bars for categories, in the given order: funnel steps or theme volume.
///
/// Horizontal bars suit long labels and are read top to bottom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    /// The chart's title.
    pub title: String,
    /// The category axis label.
    pub category_label: String,
    /// The value axis label.
    pub value_label: String,
    /// The bars, in order.
    pub bars: Vec<Bar>,
    /// Draw the bars left to right, categories top to bottom.
    pub horizontal: bool,
    /// How values are printed.
    pub format: NumberFormat,
}

impl BarChart {
    /// A vertical bar chart.
    ///
    /// # Errors
    ///
    /// [`ReportError::Empty`] without bars, [`ReportError::NotFinite`] for a bad value.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{Bar, BarChart};
    ///
    /// let funnel = BarChart::new(
    ///     "Signup funnel",
    ///     "Step",
    ///     "Users",
    ///     vec![Bar::new("visit", 1000.0), Bar::new("signup", 310.0).with_note("310 (31%)")],
    /// )?
    /// .horizontal();
    /// assert!(funnel.horizontal);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        title: impl Into<String>,
        category_label: impl Into<String>,
        value_label: impl Into<String>,
        bars: Vec<Bar>,
    ) -> Result<Self, ReportError> {
        let chart = Self {
            title: title.into(),
            category_label: category_label.into(),
            value_label: value_label.into(),
            bars,
            horizontal: false,
            format: NumberFormat::Auto,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Draws the bars horizontally.
    #[must_use]
    pub fn horizontal(mut self) -> Self {
        self.horizontal = true;
        self
    }

    /// Sets how values are printed.
    #[must_use]
    pub fn with_format(mut self, format: NumberFormat) -> Self {
        self.format = format;
        self
    }

    /// Checks the data as [`new`](Self::new) does.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn validate(&self) -> Result<(), ReportError> {
        non_empty(&self.title, "bars", self.bars.len())?;
        for (i, bar) in self.bars.iter().enumerate() {
            finite(
                &self.title,
                || format!("bar {i} ({:?}) value", bar.label),
                bar.value,
            )?;
        }
        Ok(())
    }

    fn data_table(&self) -> Table {
        Table {
            header: vec![
                self.category_label.clone(),
                self.value_label.clone(),
                "Note".into(),
            ],
            rows: self
                .bars
                .iter()
                .map(|b| {
                    vec![
                        b.label.clone(),
                        self.format.format(b.value),
                        b.note.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        }
    }
}

/// A grid of values coloured by size, with `None` for cells that cannot be observed yet (the
/// lower-right triangle of a retention table), drawn hatched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    /// The chart's title.
    pub title: String,
    /// The column axis label, such as `"Months since signup"`.
    pub x_label: String,
    /// The row axis label, such as `"Signup cohort"`.
    pub y_label: String,
    /// Row labels, top to bottom.
    pub row_labels: Vec<String>,
    /// Column labels, left to right.
    pub column_labels: Vec<String>,
    /// `values[row][column]`; `None` is a cell that is not observable.
    pub values: Vec<Vec<Option<f64>>>,
    /// How values are printed.
    pub format: NumberFormat,
}

impl Heatmap {
    /// A heatmap.
    ///
    /// # Errors
    ///
    /// [`ReportError::Empty`] without rows or columns, [`ReportError::RowLength`] when the
    /// number of rows differs from the row labels or a row's length from the column labels,
    /// [`ReportError::NotFinite`] for a bad value.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{Heatmap, NumberFormat};
    ///
    /// let retention = Heatmap::new(
    ///     "Retention",
    ///     "Month",
    ///     "Cohort",
    ///     vec!["2026-01".into(), "2026-02".into()],
    ///     vec!["M0".into(), "M1".into()],
    ///     vec![vec![Some(1.0), Some(0.42)], vec![Some(1.0), None]],
    /// )?
    /// .with_format(NumberFormat::Percent(0));
    /// assert_eq!(retention.values[1][1], None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        row_labels: Vec<String>,
        column_labels: Vec<String>,
        values: Vec<Vec<Option<f64>>>,
    ) -> Result<Self, ReportError> {
        let chart = Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            row_labels,
            column_labels,
            values,
            format: NumberFormat::Auto,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Sets how values are printed.
    #[must_use]
    pub fn with_format(mut self, format: NumberFormat) -> Self {
        self.format = format;
        self
    }

    /// Checks the data as [`new`](Self::new) does.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn validate(&self) -> Result<(), ReportError> {
        non_empty(&self.title, "row labels", self.row_labels.len())?;
        non_empty(&self.title, "column labels", self.column_labels.len())?;
        if self.values.len() != self.row_labels.len() {
            return Err(ReportError::RowLength {
                what: format!("{}: values (rows) against row labels", self.title),
                row: self.values.len().min(self.row_labels.len()),
                found: self.values.len(),
                expected: self.row_labels.len(),
            });
        }
        for (r, row) in self.values.iter().enumerate() {
            if row.len() != self.column_labels.len() {
                return Err(ReportError::RowLength {
                    what: format!("{}: values against column labels", self.title),
                    row: r,
                    found: row.len(),
                    expected: self.column_labels.len(),
                });
            }
            for (c, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    finite(&self.title, || format!("cell ({r}, {c})"), *v)?;
                }
            }
        }
        Ok(())
    }

    fn data_table(&self) -> Table {
        let mut header = vec![self.y_label.clone()];
        header.extend(self.column_labels.iter().cloned());
        Table {
            header,
            rows: self
                .row_labels
                .iter()
                .zip(&self.values)
                .map(|(label, row)| {
                    let mut cells = vec![label.clone()];
                    cells.extend(row.iter().map(|v| match v {
                        Some(v) => self.format.format(*v),
                        None => "n/a".into(),
                    }));
                    cells
                })
                .collect(),
        }
    }
}

/// One row of a [`ForestPlot`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestRow {
    /// The row's label, such as a metric name.
    pub label: String,
    /// The point estimate.
    pub estimate: f64,
    /// The interval's lower bound.
    pub low: f64,
    /// The interval's upper bound.
    pub high: f64,
}

impl ForestRow {
    /// A row; `low <= estimate <= high`, all finite, is checked by [`ForestPlot::new`].
    pub fn new(label: impl Into<String>, estimate: f64, low: f64, high: f64) -> Self {
        Self {
            label: label.into(),
            estimate,
            low,
            high,
        }
    }
}

/// Estimates with confidence intervals against a reference line: an experiment's effects.
///
/// Rows whose interval excludes the reference are drawn in a stronger colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestPlot {
    /// The chart's title.
    pub title: String,
    /// The value axis label, such as `"Relative effect"`.
    pub x_label: String,
    /// The row axis label, such as `"Metric"`.
    pub y_label: String,
    /// The rows, top to bottom.
    pub rows: Vec<ForestRow>,
    /// Where the reference line is drawn (0 for "no effect"; 1 for ratios).
    pub reference: f64,
    /// How values are printed.
    pub format: NumberFormat,
}

impl ForestPlot {
    /// A forest plot with its reference line at 0.
    ///
    /// # Errors
    ///
    /// [`ReportError::Empty`] without rows, [`ReportError::NotFinite`] or
    /// [`ReportError::IntervalOrder`] for a bad row.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{ForestPlot, ForestRow, NumberFormat};
    ///
    /// let effects = ForestPlot::new(
    ///     "Treatment effects",
    ///     "Relative effect",
    ///     "Metric",
    ///     vec![ForestRow::new("conversion", 0.031, 0.004, 0.058), ForestRow::new("revenue", 0.01, -0.02, 0.04)],
    /// )?
    /// .with_format(NumberFormat::Percent(1));
    /// assert_eq!(effects.reference, 0.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        rows: Vec<ForestRow>,
    ) -> Result<Self, ReportError> {
        let chart = Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            rows,
            reference: 0.0,
            format: NumberFormat::Auto,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Moves the reference line.
    ///
    /// # Errors
    ///
    /// [`ReportError::NotFinite`] for a NaN or infinite reference.
    pub fn with_reference(mut self, reference: f64) -> Result<Self, ReportError> {
        self.reference = reference;
        self.validate()?;
        Ok(self)
    }

    /// Sets how values are printed.
    #[must_use]
    pub fn with_format(mut self, format: NumberFormat) -> Self {
        self.format = format;
        self
    }

    /// Checks the data as [`new`](Self::new) does.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn validate(&self) -> Result<(), ReportError> {
        non_empty(&self.title, "rows", self.rows.len())?;
        finite(&self.title, || "reference".into(), self.reference)?;
        for (i, row) in self.rows.iter().enumerate() {
            interval(
                &self.title,
                || format!("row {i} ({:?})", row.label),
                row.low,
                row.estimate,
                row.high,
            )?;
        }
        Ok(())
    }

    fn data_table(&self) -> Table {
        let f = self.format;
        Table {
            header: vec![
                self.y_label.clone(),
                self.x_label.clone(),
                "Low".into(),
                "High".into(),
            ],
            rows: self
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.label.clone(),
                        f.format(r.estimate),
                        f.format(r.low),
                        f.format(r.high),
                    ]
                })
                .collect(),
        }
    }
}

/// One task of a [`GanttChart`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GanttTask {
    /// The task's name.
    pub name: String,
    /// The first day of the work.
    pub start: NaiveDate,
    /// The last day of the work (inclusive): a one-day task has `start == end`.
    pub end: NaiveDate,
    /// Whether the task is on the critical path (highlighted).
    pub critical: bool,
    /// Whether the task is a milestone (a diamond on its end date).
    pub milestone: bool,
}

impl GanttTask {
    /// An ordinary task from `start` to `end` inclusive.
    ///
    /// # Errors
    ///
    /// [`ReportError::DateOrder`] when `end < start`.
    pub fn new(
        name: impl Into<String>,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Self, ReportError> {
        let task = Self {
            name: name.into(),
            start,
            end,
            critical: false,
            milestone: false,
        };
        task.validate("")?;
        Ok(task)
    }

    /// Marks the task critical or not.
    #[must_use]
    pub fn critical(mut self, critical: bool) -> Self {
        self.critical = critical;
        self
    }

    /// Marks the task a milestone.
    #[must_use]
    pub fn milestone(mut self) -> Self {
        self.milestone = true;
        self
    }

    fn validate(&self, chart: &str) -> Result<(), ReportError> {
        if self.end < self.start {
            Err(ReportError::DateOrder {
                chart: chart.to_string(),
                task: self.name.clone(),
                start: self.start,
                end: self.end,
            })
        } else {
            Ok(())
        }
    }
}

/// Tasks on a calendar: a launch plan, critical tasks highlighted, milestones as diamonds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GanttChart {
    /// The chart's title.
    pub title: String,
    /// The date axis label.
    pub x_label: String,
    /// The task axis label.
    pub y_label: String,
    /// The tasks, top to bottom.
    pub tasks: Vec<GanttTask>,
}

impl GanttChart {
    /// A Gantt chart.
    ///
    /// # Errors
    ///
    /// [`ReportError::Empty`] without tasks, [`ReportError::DateOrder`] for a task that ends
    /// before it starts.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use prodops_report::{GanttChart, GanttTask};
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(2026, 4, d).ok_or("bad date");
    /// let plan = GanttChart::new(
    ///     "Launch plan",
    ///     "Date",
    ///     "Task",
    ///     vec![
    ///         GanttTask::new("Beta", day(1)?, day(10)?)?.critical(true),
    ///         GanttTask::new("GA", day(13)?, day(13)?)?.milestone(),
    ///     ],
    /// )?;
    /// assert_eq!(plan.tasks.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        tasks: Vec<GanttTask>,
    ) -> Result<Self, ReportError> {
        let chart = Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            tasks,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Checks the data as [`new`](Self::new) does.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn validate(&self) -> Result<(), ReportError> {
        non_empty(&self.title, "tasks", self.tasks.len())?;
        self.tasks.iter().try_for_each(|t| t.validate(&self.title))
    }

    fn data_table(&self) -> Table {
        Table {
            header: vec![
                self.y_label.clone(),
                "Start".into(),
                "End".into(),
                "Critical".into(),
                "Milestone".into(),
            ],
            rows: self
                .tasks
                .iter()
                .map(|t| {
                    vec![
                        t.name.clone(),
                        t.start.to_string(),
                        t.end.to_string(),
                        if t.critical { "yes" } else { "no" }.into(),
                        if t.milestone { "yes" } else { "no" }.into(),
                    ]
                })
                .collect(),
        }
    }
}
