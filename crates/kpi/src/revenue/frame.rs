//! Loading an [`MrrHistory`] from a polars frame.

use chrono::NaiveDate;
use polars::prelude::*;
use prodops_core::{Currency, DimensionName, Grain, IngestReport, Money, Period, Segment};

use super::history::{LoadedMrr, MrrHistory, MrrHistoryBuilder, RowProblem, RowRef};
use crate::error::KpiError;

/// Which columns of a frame hold the customer, the period, the MRR and the segments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MrrColumns {
    /// The customer (account) id column, text or integers. Default `"account_id"`.
    pub customer: String,
    /// The period column: a polars `Date` or `Datetime`, or text holding a date
    /// (`2026-10-01`) or a period label (`2026-10`). Dates are bucketed into the period of
    /// [`MrrColumns::grain`] containing them. Default `"month"`.
    pub period: String,
    /// The MRR column: floats, integers, or decimal text; amounts are in major units
    /// (`139.15` is 139.15, not cents). Default `"mrr"`.
    pub mrr: String,
    /// Segment columns (text or integers) for [`MrrHistory::bridges_by_segment`]; a null cell
    /// is the empty value `""`. Their names must be valid dimension names (a letter or `_`,
    /// then letters, digits or `_`). Default none.
    pub segments: Vec<String>,
    /// The grain of the data: one row per customer and period of this grain, a date standing
    /// for the period that contains it. Rows are not summed: two monthly rows in one quarter
    /// are a duplicate under [`Grain::Quarter`]. Default [`Grain::Month`].
    pub grain: Grain,
    /// A column of ISO 4217 currency codes, if the frame has one. Every row must then be in
    /// the history's currency: another code stops the load with
    /// [`KpiError::CurrencyMismatch`] (convert first; a bridge never mixes currencies), a
    /// null or malformed code rejects the row. Default none.
    pub currency: Option<String>,
}

impl Default for MrrColumns {
    fn default() -> Self {
        MrrColumns {
            customer: "account_id".into(),
            period: "month".into(),
            mrr: "mrr".into(),
            segments: Vec::new(),
            grain: Grain::Month,
            currency: None,
        }
    }
}

impl MrrColumns {
    /// These columns with the given segment columns.
    pub fn with_segments<I, S>(mut self, segments: I) -> MrrColumns
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.segments.extend(segments.into_iter().map(Into::into));
        self
    }

    /// These columns with another period grain.
    pub fn with_grain(mut self, grain: Grain) -> MrrColumns {
        self.grain = grain;
        self
    }

    /// These columns with a currency-code column.
    pub fn with_currency_column(mut self, column: impl Into<String>) -> MrrColumns {
        self.currency = Some(column.into());
        self
    }

    fn names(&self) -> Vec<&str> {
        let mut names = vec![
            self.customer.as_str(),
            self.period.as_str(),
            self.mrr.as_str(),
        ];
        names.extend(self.segments.iter().map(String::as_str));
        names.extend(self.currency.as_deref());
        names
    }
}

/// One cell of the period column.
enum PeriodCell<'a> {
    Date(NaiveDate),
    Text(&'a str),
    Missing,
}

impl MrrHistory {
    /// Loads a history from a frame with one row per customer and period, all amounts in
    /// `currency`.
    ///
    /// Row-level problems do not stop the load: a null or empty customer, a null or
    /// unparseable period or amount, a negative or non-finite amount, and a second row for
    /// a customer and period already seen are rejected in [`LoadedMrr::report`] (the first
    /// row of a duplicate pair is kept). Check [`IngestReport::is_clean`] before trusting the
    /// bridge.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] when a named column is absent; [`KpiError::InvalidColumn`]
    /// when a column has a type that cannot hold its values or a segment column's name is not
    /// a dimension name.
    ///
    /// # Examples
    ///
    /// ```
    /// use polars::prelude::*;
    /// use prodops_core::Currency;
    /// use prodops_kpi::revenue::{BridgeOptions, MrrColumns, MrrHistory};
    ///
    /// let df = df!(
    ///     "account_id" => ["a", "a", "b", "b"],
    ///     "month" => ["2026-09-01", "2026-10-01", "2026-09-01", "2026-10"],
    ///     "mrr" => [100.0, 120.0, 50.0, -1.0],
    /// )?;
    /// let loaded = MrrHistory::from_frame(&df, &MrrColumns::default(), Currency::USD)?;
    /// assert_eq!(loaded.report.rejected().len(), 1); // the negative amount, row 4
    /// let bridges = loaded.history.bridges(&BridgeOptions::default())?;
    /// let october = &bridges.bridges[0];
    /// assert_eq!(october.expansion.to_string(), "20.00 USD");
    /// assert_eq!(october.churn.to_string(), "50.00 USD"); // b has no valid October row
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_frame(
        df: &DataFrame,
        columns: &MrrColumns,
        currency: Currency,
    ) -> Result<LoadedMrr, KpiError> {
        let column = |name: &str, purpose: &str| {
            df.column(name).map_err(|_| KpiError::MissingColumn {
                column: name.to_owned(),
                purpose: purpose.to_owned(),
            })
        };
        let customers = text_column(column(&columns.customer, "customer id")?, &columns.customer)?;
        let periods = column(&columns.period, "MRR period")?;
        let amounts = amount_column(column(&columns.mrr, "MRR amount")?, &columns.mrr)?;
        let mut segment_columns = Vec::with_capacity(columns.segments.len());
        for name in &columns.segments {
            DimensionName::new(name).map_err(|e| KpiError::InvalidColumn {
                column: name.clone(),
                reason: format!("not usable as a segment dimension: {e}"),
            })?;
            segment_columns.push(text_column(column(name, "MRR segment")?, name)?);
        }
        let codes = match &columns.currency {
            Some(name) => Some(text_column(column(name, "currency code")?, name)?),
            None => None,
        };
        let mut code_iter = match &codes {
            Some(c) => Some(c.str()?.iter()),
            None => None,
        };
        let customer_ca = customers.str()?;
        let amount_ca = amounts.str()?;
        let segment_cas: Vec<&StringChunked> = segment_columns
            .iter()
            .map(|c| c.str())
            .collect::<Result<_, _>>()?;
        let period_cells = period_column(periods, &columns.period)?;

        let mut report = IngestReport::new("MRR frame");
        let mut builder = MrrHistoryBuilder::new(currency);
        let mut segment_iters: Vec<_> = segment_cas.iter().map(|c| c.iter()).collect();
        for (i, ((customer, amount), period)) in customer_ca
            .iter()
            .zip(amount_ca.iter())
            .zip(period_cells)
            .enumerate()
        {
            let line = i as u64 + 1;
            let mut segment = Ok(Segment::all());
            for (name, it) in columns.segments.iter().zip(segment_iters.iter_mut()) {
                let value = it.next().flatten().unwrap_or_default();
                segment = segment.and_then(|s: Segment| s.with(name, value));
            }
            let segment = segment?;
            let code = code_iter.as_mut().map(|it| it.next().flatten());
            let Some(customer) = customer else {
                report.reject(line, Some(&columns.customer), "missing customer id");
                continue;
            };
            let period = match period {
                PeriodCell::Missing => {
                    report.reject(line, Some(&columns.period), "missing period");
                    continue;
                }
                PeriodCell::Date(d) => Period::containing(columns.grain, d),
                PeriodCell::Text(raw) => match parse_period(raw, columns.grain) {
                    Some(p) => p,
                    None => {
                        report.reject(
                            line,
                            Some(&columns.period),
                            format!(
                                "{raw:?} is not a date or a {} label (expected e.g. 2026-10-01)",
                                columns.grain
                            ),
                        );
                        continue;
                    }
                },
            };
            let Some(raw_amount) = amount else {
                report.reject(line, Some(&columns.mrr), "missing MRR");
                continue;
            };
            let row_currency = match (code, &columns.currency) {
                (Some(code), Some(name)) => match code.map(Currency::new) {
                    Some(Ok(c)) => c,
                    Some(Err(_)) | None => {
                        report.reject(line, Some(name), format!("{code:?} is not a currency code"));
                        continue;
                    }
                },
                _ => currency,
            };
            let mrr = match Money::parse_amount(raw_amount, row_currency) {
                Ok(m) => m,
                Err(_) => {
                    report.reject(
                        line,
                        Some(&columns.mrr),
                        format!("{raw_amount:?} is not a finite decimal amount"),
                    );
                    continue;
                }
            };
            match builder.add(RowRef::Line(line), customer, period, mrr, &segment) {
                Ok(()) => report.accept(),
                Err(RowProblem::Reject { column, reason }) => {
                    let name = match column {
                        "customer" => &columns.customer,
                        "period" => &columns.period,
                        _ => &columns.mrr,
                    };
                    report.reject(line, Some(name), reason);
                }
                Err(RowProblem::Fatal(e)) => return Err(e),
            }
        }
        Ok(LoadedMrr {
            history: builder.build(),
            report,
        })
    }

    /// Collects the columns of `columns` from a lazy frame (a CSV or Parquet scan reads only
    /// those) and loads them as [`MrrHistory::from_frame`] does.
    ///
    /// # Errors
    ///
    /// As [`MrrHistory::from_frame`], plus [`KpiError::Polars`] when the scan fails.
    pub fn from_lazy(
        lf: LazyFrame,
        columns: &MrrColumns,
        currency: Currency,
    ) -> Result<LoadedMrr, KpiError> {
        let mut lf = lf;
        let schema = lf.collect_schema()?;
        for name in columns.names() {
            if schema.get(name).is_none() {
                return Err(KpiError::MissingColumn {
                    column: name.to_owned(),
                    purpose: "MRR history".into(),
                });
            }
        }
        let exprs: Vec<Expr> = columns.names().into_iter().map(col).collect();
        let df = lf.select(exprs).collect()?;
        MrrHistory::from_frame(&df, columns, currency)
    }
}

/// A text label (`2026-10`) of `grain`, or a date (`2026-10-01`) bucketed to `grain`.
fn parse_period(raw: &str, grain: Grain) -> Option<Period> {
    let raw = raw.trim();
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Some(Period::containing(grain, date));
    }
    raw.parse::<Period>().ok().filter(|p| p.grain() == grain)
}

fn text_column(column: &Column, name: &str) -> Result<Column, KpiError> {
    match column.dtype() {
        DataType::String => Ok(column.clone()),
        dt if dt.is_integer() => Ok(column.cast(&DataType::String)?),
        other => Err(KpiError::InvalidColumn {
            column: name.to_owned(),
            reason: format!("expected text or integers, found {other}"),
        }),
    }
}

/// The amounts as decimal text. Floats are written in their shortest round-trip form, so a
/// CSV value `139.15` read as `f64` becomes the decimal 139.15 exactly; NaN and infinities
/// become text that fails to parse and are rejected.
fn amount_column(column: &Column, name: &str) -> Result<Column, KpiError> {
    match column.dtype() {
        DataType::String => Ok(column.clone()),
        dt if dt.is_integer() => Ok(column.cast(&DataType::String)?),
        DataType::Float64 | DataType::Float32 => {
            let values = column.cast(&DataType::Float64)?;
            let text: StringChunked = values
                .f64()?
                .iter()
                .map(|v| v.map(|x| format!("{x}")))
                .collect();
            Ok(text.with_name(name.into()).into_column())
        }
        other => Err(KpiError::InvalidColumn {
            column: name.to_owned(),
            reason: format!("expected decimal numbers or text, found {other}"),
        }),
    }
}

fn period_column<'a>(
    column: &'a Column,
    name: &str,
) -> Result<Box<dyn Iterator<Item = PeriodCell<'a>> + 'a>, KpiError> {
    match column.dtype() {
        DataType::Date => {
            let ca = column.date()?;
            Ok(Box::new(ca.physical().iter().map(|v| {
                v.and_then(NaiveDate::from_epoch_days)
                    .map_or(PeriodCell::Missing, PeriodCell::Date)
            })))
        }
        DataType::Datetime(_, _) => {
            let dates = column.cast(&DataType::Date)?;
            let days: Vec<Option<i32>> = dates.date()?.physical().iter().collect();
            Ok(Box::new(days.into_iter().map(|v| {
                v.and_then(NaiveDate::from_epoch_days)
                    .map_or(PeriodCell::Missing, PeriodCell::Date)
            })))
        }
        DataType::String => {
            let ca = column.str()?;
            Ok(Box::new(
                ca.iter()
                    .map(|v| v.map_or(PeriodCell::Missing, PeriodCell::Text)),
            ))
        }
        other => Err(KpiError::InvalidColumn {
            column: name.to_owned(),
            reason: format!("expected a date or text period, found {other}"),
        }),
    }
}

/// Rust's shortest round-trip float text parses as the decimal the float was written from.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_text_is_exact() -> Result<(), KpiError> {
        let df = df!("mrr" => [139.15, 0.1 + 0.2, 1e-7])?;
        let text = amount_column(df.column("mrr")?, "mrr")?;
        let values: Vec<Option<&str>> = text.str()?.iter().collect();
        assert_eq!(
            values,
            [
                Some("139.15"),
                Some("0.30000000000000004"),
                Some("0.0000001")
            ]
        );
        let money = Money::parse_amount("139.15", Currency::USD)?;
        assert_eq!(money, Money::from_minor(13915, Currency::USD)?);
        Ok(())
    }
}
