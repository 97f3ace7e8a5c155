//! The errors of report rendering.

use thiserror::Error;

/// What can go wrong when building a chart or a table, or rendering a dashboard.
///
/// Every variant names the chart (by its title) or the table and the place at fault.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A number is NaN or infinite.
    #[error("{chart}: {what} is not a finite number ({value})")]
    NotFinite {
        /// The chart's title.
        chart: String,
        /// Which value, such as `"series \"NPS\" point 3 high"`.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// An interval is out of order: low ≤ value ≤ high does not hold.
    #[error("{chart}: {what}: expected low <= value <= high, got {low} <= {value} <= {high}")]
    IntervalOrder {
        /// The chart's title.
        chart: String,
        /// Which point or row.
        what: String,
        /// Lower bound.
        low: f64,
        /// Estimate.
        value: f64,
        /// Upper bound.
        high: f64,
    },
    /// A row has a different number of cells than its header or than the column labels.
    #[error("{what}: row {row} has {found} cells, expected {expected}")]
    RowLength {
        /// The table or chart.
        what: String,
        /// Zero-based row index.
        row: usize,
        /// Cells found.
        found: usize,
        /// Cells expected.
        expected: usize,
    },
    /// A chart has nothing to draw.
    #[error("{chart}: {what} is empty")]
    Empty {
        /// The chart's title.
        chart: String,
        /// What is empty, such as `"bars"`.
        what: String,
    },
    /// A Gantt task ends before it starts.
    #[error("{chart}: task {task:?} ends ({end}) before it starts ({start})")]
    DateOrder {
        /// The chart's title.
        chart: String,
        /// The task's name.
        task: String,
        /// Its start date.
        start: chrono::NaiveDate,
        /// Its end date.
        end: chrono::NaiveDate,
    },
    /// Two labels that must be distinct are equal (x labels within one series, for example).
    #[error("{chart}: duplicate {what} {label:?}")]
    Duplicate {
        /// The chart's title.
        chart: String,
        /// What kind of label.
        what: String,
        /// The repeated label.
        label: String,
    },
    /// The drawing library failed while drawing a chart.
    #[error("{chart}: drawing failed: {reason}")]
    Drawing {
        /// The chart's title.
        chart: String,
        /// The drawing library's message.
        reason: String,
    },
}
