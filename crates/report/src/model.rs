//! The document model: a dashboard of sections, each a list of blocks.

use serde::{Deserialize, Serialize};

use crate::ReportError;
use crate::chart::Chart;

/// A report: a title, an optional subtitle and sections in order.
///
/// Render it with [`Dashboard::to_html`] (one self-contained HTML file) or
/// [`Dashboard::to_markdown`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The page title (the HTML `<title>` and the top heading).
    pub title: String,
    /// A line under the title, such as the data's period and when it was made.
    pub subtitle: Option<String>,
    /// The sections, in order; each gets an entry in the table of contents.
    pub sections: Vec<Section>,
}

impl Dashboard {
    /// An empty dashboard with a title.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::{Block, Dashboard, Section};
    ///
    /// let mut dashboard = Dashboard::new("Weekly review").with_subtitle("Week 12");
    /// dashboard.push(Section::new("Summary").with(Block::Paragraph("All green.".into())));
    /// assert_eq!(dashboard.sections.len(), 1);
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            subtitle: None,
            sections: Vec::new(),
        }
    }

    /// Sets the subtitle.
    #[must_use]
    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }

    /// Appends a section.
    pub fn push(&mut self, section: Section) -> &mut Self {
        self.sections.push(section);
        self
    }

    /// Checks every table and chart (finite numbers, ordered intervals, row lengths, dates),
    /// as [`to_html`](Self::to_html) does before drawing.
    ///
    /// # Errors
    ///
    /// The first [`ReportError`] found, naming the chart or table.
    pub fn validate(&self) -> Result<(), ReportError> {
        for section in &self.sections {
            for block in &section.blocks {
                match block {
                    Block::Table(table) => table.validate()?,
                    Block::Chart(chart) => chart.validate()?,
                    Block::Paragraph(_) | Block::KeyValues(_) | Block::Alert { .. } => {}
                }
            }
        }
        Ok(())
    }
}

/// A titled part of a dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The section heading, also listed in the table of contents.
    pub title: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// An empty section.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// Appends a block (or a chart or table, which convert into one) and returns the
    /// section, for chaining.
    #[must_use]
    pub fn with(mut self, block: impl Into<Block>) -> Self {
        self.blocks.push(block.into());
        self
    }

    /// Appends a block (or a chart or table).
    pub fn push(&mut self, block: impl Into<Block>) -> &mut Self {
        self.blocks.push(block.into());
        self
    }
}

/// One piece of content in a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A paragraph of plain text (no markup: it is escaped).
    Paragraph(String),
    /// Labelled values, such as `("NPS", "41.2 [38.0, 44.3]")`.
    KeyValues(Vec<(String, String)>),
    /// A table of text cells.
    Table(Table),
    /// A chart, drawn as inline SVG with its data in a table beside it.
    Chart(Chart),
    /// A highlighted message, such as an anomaly alert.
    Alert {
        /// How serious it is.
        level: AlertLevel,
        /// The message.
        text: String,
    },
}

impl From<Chart> for Block {
    fn from(chart: Chart) -> Self {
        Block::Chart(chart)
    }
}

impl From<Table> for Block {
    fn from(table: Table) -> Self {
        Block::Table(table)
    }
}

/// How serious an [`Block::Alert`] is. The level is written out in words as well as coloured,
/// so it survives black-and-white printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlertLevel {
    /// For information.
    Info,
    /// Worth a look.
    Warning,
    /// Needs action.
    Critical,
}

impl AlertLevel {
    /// The level's name as printed before the message.
    pub fn label(self) -> &'static str {
        match self {
            AlertLevel::Info => "Info",
            AlertLevel::Warning => "Warning",
            AlertLevel::Critical => "Critical",
        }
    }

    /// The CSS class suffix.
    pub(crate) fn css(self) -> &'static str {
        match self {
            AlertLevel::Info => "info",
            AlertLevel::Warning => "warning",
            AlertLevel::Critical => "critical",
        }
    }
}

/// A table of text cells under a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each with as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose rows all have as many cells as the header.
    ///
    /// # Errors
    ///
    /// [`ReportError::RowLength`] for the first row of another length.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::Table;
    ///
    /// let table = Table::new(
    ///     vec!["Segment".into(), "NPS".into()],
    ///     vec![vec!["EU".into(), "42".into()], vec!["US".into(), "38".into()]],
    /// )?;
    /// assert_eq!(table.rows.len(), 2);
    /// assert!(Table::new(vec!["a".into()], vec![vec![]]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(header: Vec<String>, rows: Vec<Vec<String>>) -> Result<Self, ReportError> {
        let table = Self { header, rows };
        table.validate()?;
        Ok(table)
    }

    /// Checks that every row has as many cells as the header.
    ///
    /// # Errors
    ///
    /// [`ReportError::RowLength`] for the first row of another length.
    pub fn validate(&self) -> Result<(), ReportError> {
        let expected = self.header.len();
        for (row, cells) in self.rows.iter().enumerate() {
            if cells.len() != expected {
                return Err(ReportError::RowLength {
                    what: format!("table with header {:?}", self.header),
                    row,
                    found: cells.len(),
                    expected,
                });
            }
        }
        Ok(())
    }
}

/// Inserts a comma every three digits of a formatted integer ("-48210" → "-48,210").
fn group_thousands(integer: &str) -> String {
    let (sign, digits) = match integer.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", integer),
    };
    let mut out = String::with_capacity(integer.len() + digits.len() / 3);
    out.push_str(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How chart values are printed on axes, in cells and in data tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NumberFormat {
    /// Integers without decimals; other numbers with 2 decimals below 10, 1 below 100 and none
    /// above; thousands separated by commas from 1,000 on.
    #[default]
    Auto,
    /// A fixed number of decimals.
    Fixed(u8),
    /// A fraction shown as a percentage with this many decimals (0.253 → "25.3%" with 1).
    Percent(u8),
}

impl NumberFormat {
    /// Formats a value.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_report::NumberFormat;
    ///
    /// assert_eq!(NumberFormat::Percent(1).format(0.253), "25.3%");
    /// assert_eq!(NumberFormat::Fixed(2).format(1.0), "1.00");
    /// assert_eq!(NumberFormat::Auto.format(1200.0), "1,200");
    /// assert_eq!(NumberFormat::Auto.format(-48210.4), "-48,210");
    /// assert_eq!(NumberFormat::Auto.format(3.14159), "3.14");
    /// ```
    pub fn format(self, value: f64) -> String {
        // Avoids "-0" for values that round to zero.
        fn clean(s: String) -> String {
            let digits_zero = s
                .trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.' || c == '%');
            if s.starts_with('-') && digits_zero {
                s[1..].to_string()
            } else {
                s
            }
        }
        let s = match self {
            NumberFormat::Auto => {
                let magnitude = value.abs();
                if value.fract() == 0.0 || magnitude >= 100.0 {
                    group_thousands(&format!("{value:.0}"))
                } else if magnitude >= 10.0 {
                    format!("{value:.1}")
                } else {
                    format!("{value:.2}")
                }
            }
            NumberFormat::Fixed(decimals) => format!("{value:.*}", usize::from(decimals)),
            NumberFormat::Percent(decimals) => {
                format!("{:.*}%", usize::from(decimals), value * 100.0)
            }
        };
        clean(s)
    }
}
