//! Loading feedback items and accounts from CSV, JSON and JSON Lines (and polars DataFrames
//! with the `polars` feature), through a column mapping.
//!
//! Every input row ends up either in the returned data or as a [`prodops_core::RejectedRow`]
//! in the [`IngestReport`] with its line and reason: invalid UTF-8, a wrong field count, a
//! missing or duplicate id, an unparsable time, empty text, a score off its scale, an account
//! that is not among the known accounts. Only a source that cannot be read at all (a missing
//! file, a JSON document that is not an array, a missing mapped column) is an error.
//!
//! Line numbers: for CSV the header is line 1; for JSON Lines each line counts; for a JSON
//! array the n-th element is record n.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use prodops_core::{AccountId, Currency, IngestReport, Ingested, Money, Segment, UserId};
use serde_json::Value;

use crate::FeedbackError;
use crate::model::{Account, Channel, FeedbackId, FeedbackItem, Score, ScoreScale};

/// Which input column holds each field of a [`FeedbackItem`].
///
/// The default matches the bundled `data/feedback.csv`: `feedback_id`, `channel`,
/// `received_at`, `account_id`, `author_id`, `text`, `score` (NPS), `language`, and `themes`
/// (`;`-separated) as tags. Optional fields can be switched off with `None`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ColumnMap {
    /// Item id (required).
    pub id: String,
    /// Channel; `None` means every row gets `default_channel`.
    pub channel: Option<String>,
    /// Channel for rows without one.
    pub default_channel: Channel,
    /// Received time (required): `YYYY-MM-DD HH:MM:SS`, ISO 8601 with `T`, RFC 3339 with an
    /// offset (converted to UTC), or a bare date (midnight).
    pub received_at: String,
    /// Account id.
    pub account: Option<String>,
    /// Author id.
    pub author: Option<String>,
    /// Text (required).
    pub text: String,
    /// Score.
    pub score: Option<String>,
    /// Scale of the score column.
    pub score_scale: ScoreScale,
    /// Language tag.
    pub language: Option<String>,
    /// Tags column.
    pub tags: Option<String>,
    /// Separator inside the tags column.
    pub tag_separator: char,
}

impl Default for ColumnMap {
    fn default() -> ColumnMap {
        ColumnMap {
            id: "feedback_id".to_owned(),
            channel: Some("channel".to_owned()),
            default_channel: Channel::Custom("unknown".to_owned()),
            received_at: "received_at".to_owned(),
            account: Some("account_id".to_owned()),
            author: Some("author_id".to_owned()),
            text: "text".to_owned(),
            score: Some("score".to_owned()),
            score_scale: ScoreScale::Nps,
            language: Some("language".to_owned()),
            tags: Some("themes".to_owned()),
            tag_separator: ';',
        }
    }
}

impl ColumnMap {
    /// Sets the id column.
    pub fn id(mut self, column: impl Into<String>) -> ColumnMap {
        self.id = column.into();
        self
    }
    /// Sets the text column.
    pub fn text(mut self, column: impl Into<String>) -> ColumnMap {
        self.text = column.into();
        self
    }
    /// Sets the received-time column.
    pub fn received_at(mut self, column: impl Into<String>) -> ColumnMap {
        self.received_at = column.into();
        self
    }
    /// Sets or clears the channel column.
    pub fn channel(mut self, column: Option<&str>) -> ColumnMap {
        self.channel = column.map(str::to_owned);
        self
    }
    /// Sets or clears the account column.
    pub fn account(mut self, column: Option<&str>) -> ColumnMap {
        self.account = column.map(str::to_owned);
        self
    }
    /// Sets or clears the author column.
    pub fn author(mut self, column: Option<&str>) -> ColumnMap {
        self.author = column.map(str::to_owned);
        self
    }
    /// Sets or clears the score column and its scale.
    pub fn score(mut self, column: Option<&str>, scale: ScoreScale) -> ColumnMap {
        self.score = column.map(str::to_owned);
        self.score_scale = scale;
        self
    }
    /// Sets or clears the language column.
    pub fn language(mut self, column: Option<&str>) -> ColumnMap {
        self.language = column.map(str::to_owned);
        self
    }
    /// Sets or clears the tags column and its separator.
    pub fn tags(mut self, column: Option<&str>, separator: char) -> ColumnMap {
        self.tags = column.map(str::to_owned);
        self.tag_separator = separator;
        self
    }

    /// The mapped columns, required ones first, with the field each feeds.
    fn columns(&self) -> Vec<(&'static str, &str, bool)> {
        let mut v = vec![
            ("id", self.id.as_str(), true),
            ("received_at", self.received_at.as_str(), true),
            ("text", self.text.as_str(), true),
        ];
        let opt = [
            ("channel", &self.channel),
            ("account", &self.account),
            ("author", &self.author),
            ("score", &self.score),
            ("language", &self.language),
            ("tags", &self.tags),
        ];
        for (field, col) in opt {
            if let Some(c) = col {
                v.push((field, c.as_str(), true));
            }
        }
        v
    }
}

/// Options of a feedback load: the column map and, optionally, the accounts an item may name.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FeedbackReader {
    /// Column mapping.
    pub columns: ColumnMap,
    /// When set, an item naming another account is rejected ("unknown account").
    pub known_accounts: Option<HashSet<AccountId>>,
}

impl FeedbackReader {
    /// A reader with the given mapping.
    pub fn new(columns: ColumnMap) -> FeedbackReader {
        FeedbackReader {
            columns,
            known_accounts: None,
        }
    }

    /// Rejects items whose account is not among `accounts`.
    pub fn with_known_accounts<'a>(
        mut self,
        accounts: impl IntoIterator<Item = &'a Account>,
    ) -> FeedbackReader {
        self.known_accounts = Some(accounts.into_iter().map(|a| a.id.clone()).collect());
        self
    }

    /// Reads a CSV file.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::Ingest`] when the file cannot be opened, has no readable header or
    /// fails to read part-way (so a report never stops silently);
    /// [`FeedbackError::MissingColumn`] when a mapped column is absent.
    pub fn read_csv_path(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| FeedbackError::Ingest {
            source_name: path.display().to_string(),
            reason: e.to_string(),
        })?;
        self.read_csv(&path.display().to_string(), file)
    }

    /// Reads CSV from any reader; `source` names it in the report.
    ///
    /// # Errors
    ///
    /// As [`FeedbackReader::read_csv_path`].
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_feedback::ingest::FeedbackReader;
    ///
    /// let csv = "feedback_id,channel,received_at,account_id,author_id,text,score,language,themes\n\
    ///            f1,app_review,2026-05-01 10:00:00,acct-1,u1,Love it,9,en,ui\n\
    ///            f2,app_review,yesterday,acct-1,u1,Hmm,,en,\n\
    ///            f3,email,2026-05-02,acct-2,u2,   ,,en,\n";
    /// let loaded = FeedbackReader::default().read_csv("inline", csv.as_bytes())?;
    /// assert_eq!(loaded.data.len(), 1);
    /// let lines: Vec<u64> = loaded.report.rejected().iter().map(|r| r.line).collect();
    /// assert_eq!(lines, [3, 4]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_csv(
        &self,
        source: &str,
        reader: impl Read,
    ) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = rdr
            .byte_headers()
            .map_err(|e| FeedbackError::Ingest {
                source_name: source.to_owned(),
                reason: format!("cannot read the header: {e}"),
            })?
            .clone();
        let names: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_owned())
            .collect();
        let idx = self.resolve(source, &names)?;
        let mut report = IngestReport::new(source);
        let mut data = Vec::new();
        let mut seen = HashSet::new();
        let mut record = csv::ByteRecord::new();
        loop {
            let line_hint = rdr.position().line() + 1;
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(line_hint, |p| p.line());
                    if record.len() != names.len() {
                        report.reject(
                            line,
                            None,
                            format!("expected {} fields, found {}", names.len(), record.len()),
                        );
                        continue;
                    }
                    let mut fields = HashMap::new();
                    let mut bad = None;
                    for (field, k) in &idx {
                        match std::str::from_utf8(&record[*k]) {
                            Ok(s) => {
                                fields.insert(*field, s.to_owned());
                            }
                            Err(_) => {
                                bad = Some(names[*k].clone());
                                break;
                            }
                        }
                    }
                    if let Some(col) = bad {
                        report.reject(line, Some(&col), "invalid UTF-8");
                        continue;
                    }
                    self.push(&mut report, &mut data, &mut seen, line, &fields);
                }
                Err(e) => {
                    let line = e.position().map_or(line_hint, |p| p.line());
                    if matches!(
                        e.kind(),
                        csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                    ) {
                        report.reject(line, None, format!("malformed CSV: {e}"));
                    } else {
                        // The stream cannot be read further: fail rather than return a
                        // report that silently stops here.
                        return Err(FeedbackError::Ingest {
                            source_name: source.to_owned(),
                            reason: format!("read error near line {line}: {e}"),
                        });
                    }
                }
            }
        }
        Ok(ingested(data, report))
    }

    /// Reads a JSON array of objects.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::Ingest`] when the document is not valid JSON or not an array.
    pub fn read_json(
        &self,
        source: &str,
        text: &str,
    ) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| FeedbackError::Ingest {
            source_name: source.to_owned(),
            reason: format!("invalid JSON: {e}"),
        })?;
        let Value::Array(rows) = doc else {
            return Err(FeedbackError::Ingest {
                source_name: source.to_owned(),
                reason: "expected a JSON array of objects".to_owned(),
            });
        };
        let mut report = IngestReport::new(source);
        let mut data = Vec::new();
        let mut seen = HashSet::new();
        for (k, row) in rows.iter().enumerate() {
            self.push_json(&mut report, &mut data, &mut seen, k as u64 + 1, row);
        }
        Ok(ingested(data, report))
    }

    /// Reads JSON Lines: one object per line; blank lines are skipped.
    ///
    /// # Errors
    ///
    /// None at present for in-memory text; the `Result` leaves room for stream errors.
    pub fn read_jsonl(
        &self,
        source: &str,
        text: &str,
    ) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        let mut report = IngestReport::new(source);
        let mut data = Vec::new();
        let mut seen = HashSet::new();
        for (k, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let n = k as u64 + 1;
            match serde_json::from_str::<Value>(line) {
                Ok(v) => self.push_json(&mut report, &mut data, &mut seen, n, &v),
                Err(e) => report.reject(n, None, format!("invalid JSON: {e}")),
            }
        }
        Ok(ingested(data, report))
    }

    /// Reads raw bytes as JSON Lines, rejecting lines that are not UTF-8.
    ///
    /// # Errors
    ///
    /// As [`FeedbackReader::read_jsonl`].
    pub fn read_jsonl_bytes(
        &self,
        source: &str,
        bytes: &[u8],
    ) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        let mut report = IngestReport::new(source);
        let mut data = Vec::new();
        let mut seen = HashSet::new();
        for (k, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let n = k as u64 + 1;
            let Ok(line) = std::str::from_utf8(line) else {
                report.reject(n, None, "invalid UTF-8");
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v) => self.push_json(&mut report, &mut data, &mut seen, n, &v),
                Err(e) => report.reject(n, None, format!("invalid JSON: {e}")),
            }
        }
        Ok(ingested(data, report))
    }

    /// Reads a polars DataFrame; every mapped column is cast to text, so numeric scores and
    /// datetime columns work. Rows are numbered from 1 in the report.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::MissingColumn`] for a mapped column that is absent;
    /// [`FeedbackError::Ingest`] when a column cannot be cast to text.
    #[cfg(feature = "polars")]
    pub fn read_dataframe(
        &self,
        source: &str,
        df: &polars::prelude::DataFrame,
    ) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        use polars::prelude::DataType;
        let mut cols = Vec::new();
        for (field, name, _) in self.columns.columns() {
            let col = df.column(name).map_err(|_| FeedbackError::MissingColumn {
                source_name: source.to_owned(),
                column: name.to_owned(),
                field,
            })?;
            let text = col
                .cast(&DataType::String)
                .map_err(|e| FeedbackError::Ingest {
                    source_name: source.to_owned(),
                    reason: format!("column {name:?} cannot be read as text: {e}"),
                })?;
            cols.push((field, text));
        }
        let mut strings = Vec::new();
        for (field, c) in &cols {
            let ca = c.str().map_err(|e| FeedbackError::Ingest {
                source_name: source.to_owned(),
                reason: e.to_string(),
            })?;
            strings.push((*field, ca));
        }
        let mut report = IngestReport::new(source);
        let mut data = Vec::new();
        let mut seen = HashSet::new();
        for row in 0..df.height() {
            let fields: HashMap<&'static str, String> = strings
                .iter()
                .filter_map(|(f, ca)| ca.get(row).map(|v| (*f, v.to_owned())))
                .collect();
            self.push(&mut report, &mut data, &mut seen, row as u64 + 1, &fields);
        }
        Ok(ingested(data, report))
    }

    fn push_json(
        &self,
        report: &mut IngestReport,
        data: &mut Vec<FeedbackItem>,
        seen: &mut HashSet<FeedbackId>,
        line: u64,
        row: &Value,
    ) {
        let Value::Object(obj) = row else {
            report.reject(line, None, "expected a JSON object");
            return;
        };
        let mut fields = HashMap::new();
        for (field, col, _) in self.columns.columns() {
            match obj.get(col) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => {
                    fields.insert(field, s.clone());
                }
                Some(Value::Array(a)) if field == "tags" => {
                    let sep = self.columns.tag_separator.to_string();
                    let parts: Vec<String> = a
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect();
                    fields.insert(field, parts.join(&sep));
                }
                Some(v @ (Value::Number(_) | Value::Bool(_))) => {
                    fields.insert(field, v.to_string());
                }
                Some(_) => {
                    report.reject(line, Some(col), "expected a string or number");
                    return;
                }
            }
        }
        self.push(report, data, seen, line, &fields);
    }

    /// Maps field names to column indices, failing on a missing mapped column.
    fn resolve(
        &self,
        source: &str,
        names: &[String],
    ) -> Result<Vec<(&'static str, usize)>, FeedbackError> {
        let mut out = Vec::new();
        for (field, col, _) in self.columns.columns() {
            let k = names.iter().position(|n| n == col).ok_or_else(|| {
                FeedbackError::MissingColumn {
                    source_name: source.to_owned(),
                    column: col.to_owned(),
                    field,
                }
            })?;
            out.push((field, k));
        }
        Ok(out)
    }

    /// Validates one row's fields and records it as accepted or rejected.
    fn push(
        &self,
        report: &mut IngestReport,
        data: &mut Vec<FeedbackItem>,
        seen: &mut HashSet<FeedbackId>,
        line: u64,
        fields: &HashMap<&'static str, String>,
    ) {
        match self.parse_item(fields) {
            Ok(item) => {
                if !seen.insert(item.id.clone()) {
                    report.reject(
                        line,
                        Some(&self.columns.id),
                        format!("duplicate id {}", item.id),
                    );
                    return;
                }
                report.accept();
                data.push(item);
            }
            Err((col, reason)) => report.reject(line, Some(&col), reason),
        }
    }

    fn parse_item(
        &self,
        f: &HashMap<&'static str, String>,
    ) -> Result<FeedbackItem, (String, String)> {
        let c = &self.columns;
        let get = |k: &str| f.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let err = |col: &str, e: String| (col.to_owned(), e);
        let id = FeedbackId::new(get("id").unwrap_or("")).map_err(|e| err(&c.id, e.to_string()))?;
        let at_raw =
            get("received_at").ok_or_else(|| err(&c.received_at, "missing time".to_owned()))?;
        let at = parse_time(at_raw)
            .ok_or_else(|| err(&c.received_at, format!("cannot parse time {at_raw:?}")))?;
        let channel = match get("channel") {
            Some(s) => s
                .parse()
                .map_err(|e: FeedbackError| err("channel", e.to_string()))?,
            None => c.default_channel.clone(),
        };
        let text = f.get("text").cloned().unwrap_or_default();
        let mut item =
            FeedbackItem::new(id, channel, at, text).map_err(|e| err(&c.text, e.to_string()))?;
        if let Some(a) = get("account") {
            let col = c.account.as_deref().unwrap_or("account");
            let acct = AccountId::new(a).map_err(|e| err(col, e.to_string()))?;
            if let Some(known) = &self.known_accounts
                && !known.contains(&acct)
            {
                return Err(err(col, format!("unknown account {acct}")));
            }
            item.account = Some(acct);
        }
        if let Some(a) = get("author") {
            let col = c.author.as_deref().unwrap_or("author");
            item.author = Some(UserId::new(a).map_err(|e| err(col, e.to_string()))?);
        }
        if let Some(s) = get("score") {
            let col = c.score.as_deref().unwrap_or("score");
            let v: f64 = s
                .parse()
                .map_err(|_| err(col, format!("score {s:?} is not a number")))?;
            item.score = Some(Score::new(c.score_scale, v).map_err(|e| err(col, e.to_string()))?);
        }
        item.language = get("language").map(str::to_owned);
        if let Some(t) = get("tags") {
            item.tags = t
                .split(c.tag_separator)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        Ok(item)
    }
}

/// Wraps data and its report (core's `Ingested` is non-exhaustive, so it is filled in place).
pub(crate) fn ingested<T>(data: Vec<T>, report: IngestReport) -> Ingested<T> {
    let mut out = Ingested::collect_rows(
        report.source().to_owned(),
        None,
        std::iter::empty::<(u64, Result<T, FeedbackError>)>(),
    );
    out.data = data;
    out.report = report;
    out
}

/// Parses the supported time formats (see [`ColumnMap::received_at`]).
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Which column holds each field of an [`Account`]. The default matches `data/accounts.csv`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountColumns {
    /// Account id (required).
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// ARR amount.
    pub arr: Option<String>,
    /// Currency of the ARR column.
    pub currency: Currency,
    /// Plan.
    pub plan: Option<String>,
    /// Columns that form the segment (dimension = column name).
    pub segment: Vec<String>,
}

impl Default for AccountColumns {
    fn default() -> AccountColumns {
        AccountColumns {
            id: "account_id".to_owned(),
            name: Some("name".to_owned()),
            arr: Some("arr".to_owned()),
            currency: Currency::USD,
            plan: Some("plan".to_owned()),
            segment: vec!["segment".to_owned(), "region".to_owned()],
        }
    }
}

/// Reads accounts from CSV; unmapped columns go to [`Account::custom`].
///
/// # Errors
///
/// [`FeedbackError::Ingest`] for an unreadable header or a read error part-way;
/// [`FeedbackError::MissingColumn`] for a
/// mapped column that is absent. Row problems (bad ARR, duplicate id, invalid UTF-8) are
/// rejected rows.
pub fn read_accounts_csv(
    source: &str,
    reader: impl Read,
    cols: &AccountColumns,
) -> Result<Ingested<Account>, FeedbackError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let names: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| FeedbackError::Ingest {
            source_name: source.to_owned(),
            reason: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let find = |c: &str, field: &'static str| {
        names
            .iter()
            .position(|n| n == c)
            .ok_or_else(|| FeedbackError::MissingColumn {
                source_name: source.to_owned(),
                column: c.to_owned(),
                field,
            })
    };
    let id_k = find(&cols.id, "id")?;
    let name_k = cols.name.as_deref().map(|c| find(c, "name")).transpose()?;
    let arr_k = cols.arr.as_deref().map(|c| find(c, "arr")).transpose()?;
    let plan_k = cols.plan.as_deref().map(|c| find(c, "plan")).transpose()?;
    let seg_k: Vec<usize> = cols
        .segment
        .iter()
        .map(|c| find(c, "segment"))
        .collect::<Result<_, _>>()?;
    let mut report = IngestReport::new(source);
    let mut data = Vec::new();
    let mut seen = HashSet::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        let hint = rdr.position().line() + 1;
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(hint, |p| p.line());
                let row: Result<Vec<&str>, _> = rec.iter().map(std::str::from_utf8).collect();
                let Ok(row) = row else {
                    report.reject(line, None, "invalid UTF-8");
                    continue;
                };
                if row.len() != names.len() {
                    report.reject(
                        line,
                        None,
                        format!("expected {} fields, found {}", names.len(), row.len()),
                    );
                    continue;
                }
                match parse_account(&row, &names, cols, id_k, name_k, arr_k, plan_k, &seg_k) {
                    Ok(a) if !seen.insert(a.id.clone()) => {
                        report.reject(line, Some(&cols.id), format!("duplicate account {}", a.id));
                    }
                    Ok(a) => {
                        report.accept();
                        data.push(a);
                    }
                    Err((col, reason)) => report.reject(line, Some(&col), reason),
                }
            }
            Err(e) => {
                // The stream cannot be read further: fail rather than stop silently.
                return Err(FeedbackError::Ingest {
                    source_name: source.to_owned(),
                    reason: format!("read error near line {hint}: {e}"),
                });
            }
        }
    }
    Ok(ingested(data, report))
}

#[allow(clippy::too_many_arguments)]
fn parse_account(
    row: &[&str],
    names: &[String],
    cols: &AccountColumns,
    id_k: usize,
    name_k: Option<usize>,
    arr_k: Option<usize>,
    plan_k: Option<usize>,
    seg_k: &[usize],
) -> Result<Account, (String, String)> {
    let id = AccountId::new(row[id_k]).map_err(|e| (cols.id.clone(), e.to_string()))?;
    let mut a = Account::new(id);
    if let Some(k) = name_k.filter(|k| !row[*k].trim().is_empty()) {
        a.name = Some(row[k].trim().to_owned());
    }
    if let Some(k) = arr_k.filter(|k| !row[*k].trim().is_empty()) {
        let m = Money::parse_amount(row[k].trim(), cols.currency)
            .map_err(|e| (names[k].clone(), e.to_string()))?;
        a = a
            .with_arr(m)
            .map_err(|e| (names[k].clone(), e.to_string()))?;
    }
    if let Some(k) = plan_k.filter(|k| !row[*k].trim().is_empty()) {
        a.plan = Some(row[k].trim().to_owned());
    }
    let mut seg = Segment::all();
    for k in seg_k {
        if !row[*k].trim().is_empty() {
            seg = seg
                .with(names[*k].as_str(), row[*k].trim())
                .map_err(|e| (names[*k].clone(), e.to_string()))?;
        }
    }
    a.segment = seg;
    let used: HashSet<usize> = [Some(id_k), name_k, arr_k, plan_k]
        .into_iter()
        .flatten()
        .chain(seg_k.iter().copied())
        .collect();
    let custom: BTreeMap<String, String> = names
        .iter()
        .enumerate()
        .filter(|(k, _)| !used.contains(k))
        .map(|(k, n)| (n.clone(), row[k].to_owned()))
        .collect();
    a.custom = custom;
    Ok(a)
}

/// A source of feedback items: implement it to load from a ticketing API, a database or a
/// file format the crate does not know, and the rest of the pipeline takes it unchanged.
///
/// # Examples
///
/// ```
/// use prodops_core::Ingested;
/// use prodops_feedback::FeedbackError;
/// use prodops_feedback::ingest::{FeedbackReader, FeedbackSource};
/// use prodops_feedback::model::FeedbackItem;
///
/// /// Tab-separated "id<TAB>date<TAB>text" lines.
/// struct Tsv(&'static str);
/// impl FeedbackSource for Tsv {
///     fn name(&self) -> String { "tsv".into() }
///     fn load(&self, reader: &FeedbackReader) -> Result<Ingested<FeedbackItem>, FeedbackError> {
///         let csv: String = std::iter::once("feedback_id,received_at,text".to_owned())
///             .chain(self.0.lines().map(|l| l.replace('\t', ",")))
///             .collect::<Vec<_>>()
///             .join("\n");
///         let map = reader.columns.clone().channel(None).account(None).author(None)
///             .score(None, prodops_feedback::model::ScoreScale::Nps).language(None).tags(None, ';');
///         FeedbackReader::new(map).read_csv(&self.name(), csv.as_bytes())
///     }
/// }
/// let got = Tsv("a\t2026-01-02\tslow sync\nb\tbad date\thi").load(&FeedbackReader::default())?;
/// assert_eq!((got.data.len(), got.report.rejected().len()), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait FeedbackSource {
    /// The source's name, as in the ingestion report.
    fn name(&self) -> String;

    /// Loads every item, rejecting bad rows into the report.
    ///
    /// # Errors
    ///
    /// Only when the source cannot be read at all.
    fn load(&self, reader: &FeedbackReader) -> Result<Ingested<FeedbackItem>, FeedbackError>;
}

/// A file whose format is chosen by its extension: `.csv`, `.json` or `.jsonl`/`.ndjson`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackFile(pub std::path::PathBuf);

impl FeedbackSource for FeedbackFile {
    fn name(&self) -> String {
        self.0.display().to_string()
    }

    fn load(&self, reader: &FeedbackReader) -> Result<Ingested<FeedbackItem>, FeedbackError> {
        let name = self.name();
        let ext = self
            .0
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let bytes = std::fs::read(&self.0).map_err(|e| FeedbackError::Ingest {
            source_name: name.clone(),
            reason: e.to_string(),
        })?;
        match ext.as_str() {
            "csv" => reader.read_csv(&name, &bytes[..]),
            "jsonl" | "ndjson" => reader.read_jsonl_bytes(&name, &bytes),
            "json" => {
                let text = std::str::from_utf8(&bytes).map_err(|e| FeedbackError::Ingest {
                    source_name: name.clone(),
                    reason: format!("invalid UTF-8: {e}"),
                })?;
                reader.read_json(&name, text)
            }
            other => Err(FeedbackError::Ingest {
                source_name: name,
                reason: format!("unknown extension {other:?}: expected csv, json, jsonl or ndjson"),
            }),
        }
    }
}
