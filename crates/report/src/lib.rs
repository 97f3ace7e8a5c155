//! # prodops-report
//!
//! Reports for people: a [`Dashboard`] of sections (paragraphs, key figures, tables, alerts and
//! charts) rendered as **one self-contained HTML file** or as Markdown.
//!
//! The HTML page needs no server, no network and no script: its style sheet is inline and its
//! charts are inline SVG drawn with [plotters](https://docs.rs/plotters)' SVG backend. Every
//! piece of text the caller supplies (titles, labels, table cells, feedback excerpts, names) is
//! HTML-escaped, in the page and inside the SVG alike, so a feedback text that says
//! `<script>` is shown, never run. Each chart carries its numbers in a collapsible data table.
//!
//! The crate knows nothing of polars or of the domain crates: it takes plain labels, numbers
//! and dates, and the example binaries map domain results into them.
//!
//! ```toml
//! [dependencies]
//! prodops-report = "0.1"
//! ```
//!
//! ## Example: a small dashboard
//!
//! ```
//! use chrono::NaiveDate;
//! use prodops_report::{
//!     AlertLevel, BandPoint, Bar, BarChart, Block, Dashboard, ForestPlot, ForestRow,
//!     GanttChart, GanttTask, Heatmap, LineBandChart, NumberFormat, Section, Series, Table,
//! };
//!
//! let nps = LineBandChart::new(
//!     "NPS by month",
//!     "Month",
//!     "NPS",
//!     vec![Series::new(
//!         "All customers",
//!         vec![
//!             BandPoint::new("2026-01", 38.0, 33.1, 42.9),
//!             BandPoint::new("2026-02", 41.5, 36.8, 46.2),
//!             BandPoint::new("2026-03", 44.0, 39.6, 48.4),
//!         ],
//!     )],
//! )?;
//! let funnel = BarChart::new(
//!     "Signup funnel",
//!     "Step",
//!     "Users",
//!     vec![
//!         Bar::new("Visited pricing", 1200.0),
//!         Bar::new("Started trial", 420.0).with_note("420 (35%)"),
//!         Bar::new("Paid", 130.0).with_note("130 (31%)"),
//!     ],
//! )?
//! .horizontal();
//! let retention = Heatmap::new(
//!     "Retention by signup cohort",
//!     "Months since signup",
//!     "Cohort",
//!     vec!["2026-01".into(), "2026-02".into()],
//!     vec!["M0".into(), "M1".into()],
//!     vec![vec![Some(1.0), Some(0.41)], vec![Some(1.0), None]],
//! )?
//! .with_format(NumberFormat::Percent(0));
//! let effects = ForestPlot::new(
//!     "Experiment: new onboarding",
//!     "Relative effect",
//!     "Metric",
//!     vec![ForestRow::new("Activation", 0.062, 0.018, 0.106)],
//! )?
//! .with_format(NumberFormat::Percent(1));
//! let day = |d| NaiveDate::from_ymd_opt(2026, 4, d).ok_or("bad date");
//! let launch = GanttChart::new(
//!     "Launch plan",
//!     "Date",
//!     "Task",
//!     vec![
//!         GanttTask::new("Beta <feedback>", day(1)?, day(10)?)?.critical(true),
//!         GanttTask::new("General availability", day(13)?, day(13)?)?.milestone(),
//!     ],
//! )?;
//!
//! let dashboard = Dashboard {
//!     title: "Product review".into(),
//!     subtitle: Some("March 2026".into()),
//!     sections: vec![
//!         Section::new("Customer sentiment")
//!             .with(Block::KeyValues(vec![("NPS".into(), "44.0 [39.6, 48.4]".into())]))
//!             .with(nps)
//!             .with(Block::Alert {
//!                 level: AlertLevel::Warning,
//!                 text: "Detractors in EU rose after the 2026-03-02 incident.".into(),
//!             }),
//!         Section::new("Growth").with(funnel).with(retention),
//!         Section::new("Delivery")
//!             .with(effects)
//!             .with(launch)
//!             .with(Table::new(vec!["Quote".into()], vec![vec!["<script>alert(1)</script>".into()]])?),
//!     ],
//! };
//!
//! let html = dashboard.to_html()?;
//! assert_eq!(html.matches("<svg").count(), 5);
//! assert!(!html.contains("<script"));
//! assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
//! let markdown = dashboard.to_markdown();
//! assert!(markdown.contains("| Series | Month | NPS | Low | High |\n| --- | --- | --- | --- | --- |\n| All customers | 2026-01 | 38 | 33.1 | 42.9 |"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Charts
//!
//! | kind | for | notes |
//! | --- | --- | --- |
//! | [`LineBandChart`] | a trend with its confidence band | several series get a legend |
//! | [`BarChart`] | funnel steps, theme volume | vertical or horizontal; a note per bar |
//! | [`Heatmap`] | retention by cohort | `None` cells are hatched and named in the legend |
//! | [`ForestPlot`] | experiment effects with intervals | dashed reference line (default 0) |
//! | [`GanttChart`] | a launch plan | critical tasks in red, milestones as diamonds |
//!
//! Constructors validate (finite numbers, `low <= value <= high`, rows of equal length,
//! `start <= end`) and return [`ReportError`]; because the fields are public,
//! [`Dashboard::to_html`] validates again before drawing.
//!
//! ## Checking the page in a browser
//!
//! `tools/check_dashboard.sh PAGE.html SHOT.png [MIN_CHARTS]` in the repository renders a page
//! in headless Chromium, checks that the charts are in the rendered DOM and that the console
//! shows no error, and saves a screenshot (`docs/report.md` has the details).

mod chart;
mod error;
mod html;
mod markdown;
mod model;

pub use chart::{
    BandPoint, Bar, BarChart, Chart, ForestPlot, ForestRow, GanttChart, GanttTask, Heatmap,
    LineBandChart, Series,
};
pub use error::ReportError;
pub use html::escape_html;
pub use model::{AlertLevel, Block, Dashboard, NumberFormat, Section, Table};

impl Dashboard {
    /// Renders the dashboard as one self-contained HTML document: inline CSS, inline SVG
    /// charts, a table of contents, no script and no external resource. All text is escaped.
    ///
    /// # Errors
    ///
    /// The first invalid table or chart ([`Dashboard::validate`]), or
    /// [`ReportError::Drawing`] if the drawing library fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{Block, Dashboard, Section};
    ///
    /// let mut dashboard = Dashboard::new("Weekly <review>");
    /// dashboard.push(Section::new("Summary").with(Block::Paragraph("Quiet week & good.".into())));
    /// let html = dashboard.to_html()?;
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(html.contains("<h1>Weekly &lt;review&gt;</h1>"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_html(&self) -> Result<String, ReportError> {
        html::render(self)
    }

    /// Renders the dashboard as Markdown: headings, paragraphs, key figures as a list, tables,
    /// alerts as quotes, and each chart as its title and data table. `<` and `>` in user text
    /// become character references, so the Markdown stays inert where raw HTML is allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{Block, Dashboard, Section, Table};
    ///
    /// let mut dashboard = Dashboard::new("Weekly review");
    /// let table = Table::new(vec!["Segment".into(), "NPS".into()], vec![vec!["EU".into(), "42".into()]])?;
    /// dashboard.push(Section::new("NPS").with(Block::Table(table)));
    /// let md = dashboard.to_markdown();
    /// assert!(md.contains("| Segment | NPS |\n| --- | --- |\n| EU | 42 |"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }
}
