//! The ingestion report every loader returns beside its data.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One input row that a loader refused, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RejectedRow {
    /// The 1-based line (or record) number in the source. For a CSV file with a header the
    /// header is line 1, so the first data row is line 2.
    pub line: u64,
    /// The column or field at fault, when one is.
    pub column: Option<String>,
    /// Why the row was refused, in words a user can act on.
    pub reason: String,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// What a loader did with its input: rows read, rows accepted and every rejected row.
///
/// The counters can only move through [`IngestReport::accept`] and [`IngestReport::reject`],
/// so `rows_read == rows_accepted + rejected().len()` always holds: no row can go missing
/// without a trace.
///
/// # Examples
///
/// ```
/// use prodops_core::IngestReport;
///
/// let mut report = IngestReport::new("scores.csv");
/// for (line, raw) in [(2, "9"), (3, "eleven"), (4, "7")] {
///     match raw.parse::<u8>() {
///         Ok(_) => report.accept(),
///         Err(e) => report.reject(line, Some("score"), e.to_string()),
///     }
/// }
/// assert_eq!((report.rows_read(), report.rows_accepted()), (3, 2));
/// assert_eq!(report.rejected()[0].line, 3);
/// assert!(!report.is_clean());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    source: String,
    rows_read: u64,
    rows_accepted: u64,
    rejected: Vec<RejectedRow>,
}

impl IngestReport {
    /// An empty report for the named source (a file path, table name or stream).
    pub fn new(source: impl Into<String>) -> IngestReport {
        IngestReport {
            source: source.into(),
            ..IngestReport::default()
        }
    }

    /// Records one accepted row.
    pub fn accept(&mut self) {
        self.rows_read += 1;
        self.rows_accepted += 1;
    }

    /// Records one rejected row, its 1-based line, the column at fault if any, and the reason.
    pub fn reject(&mut self, line: u64, column: Option<&str>, reason: impl Into<String>) {
        self.rows_read += 1;
        self.rejected.push(RejectedRow {
            line,
            column: column.map(str::to_owned),
            reason: reason.into(),
        });
    }

    /// The source this report describes.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Rows read from the source, accepted or not.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// Rows that passed validation and are in the returned data.
    pub fn rows_accepted(&self) -> u64 {
        self.rows_accepted
    }

    /// Every rejected row, in the order it was met.
    pub fn rejected(&self) -> &[RejectedRow] {
        &self.rejected
    }

    /// Whether every row was accepted.
    pub fn is_clean(&self) -> bool {
        self.rejected.is_empty()
    }

    /// Folds another report (say, the next file of a multi-file load) into this one. Line
    /// numbers stay those of their own source, so the merged source name lists both.
    pub fn merge(&mut self, other: IngestReport) {
        if self.source.is_empty() {
            self.source = other.source;
        } else if !other.source.is_empty() && other.source != self.source {
            self.source = format!("{} + {}", self.source, other.source);
        }
        self.rows_read += other.rows_read;
        self.rows_accepted += other.rows_accepted;
        self.rejected.extend(other.rejected);
    }
}

impl fmt::Display for IngestReport {
    /// A one-line summary followed by one line per rejected row.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} rows read, {} accepted, {} rejected",
            self.source,
            self.rows_read,
            self.rows_accepted,
            self.rejected.len()
        )?;
        for row in &self.rejected {
            write!(f, "\n  {row}")?;
        }
        Ok(())
    }
}

/// Loaded data together with the report of how it was loaded.
///
/// Loaders return this rather than a bare collection so a caller cannot take the data and
/// forget that some rows were refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ingested<T> {
    /// The accepted records.
    pub data: Vec<T>,
    /// How the load went.
    pub report: IngestReport,
}

impl<T> Ingested<T> {
    /// Collects parsed rows, keeping the good ones and recording the bad ones.
    ///
    /// Each item is a row's 1-based line number and its parse result; an error's `Display`
    /// text becomes the rejection reason, and [`Ingested::collect_rows`]'s caller chooses the
    /// line numbering (see [`RejectedRow::line`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_core::Ingested;
    ///
    /// let lines = ["4", "x", "10"];
    /// let rows = lines.iter().enumerate().map(|(i, s)| (i as u64 + 2, s.parse::<u8>()));
    /// let loaded = Ingested::collect_rows("scores.csv", Some("score"), rows);
    /// assert_eq!(loaded.data, vec![4, 10]);
    /// assert_eq!(loaded.report.rejected()[0].line, 3);
    /// ```
    pub fn collect_rows<E: fmt::Display>(
        source: impl Into<String>,
        column: Option<&str>,
        rows: impl IntoIterator<Item = (u64, Result<T, E>)>,
    ) -> Ingested<T> {
        let mut report = IngestReport::new(source);
        let mut data = Vec::new();
        for (line, row) in rows {
            match row {
                Ok(value) => {
                    report.accept();
                    data.push(value);
                }
                Err(e) => report.reject(line, column, e.to_string()),
            }
        }
        Ingested { data, report }
    }
}
