//! Validated per-customer MRR histories.

use std::collections::HashMap;

use prodops_core::{Currency, Decimal, Grain, IngestReport, Money, Period, Segment};

use crate::error::{KpiError, invalid_input};

/// One customer's MRR in one period.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    /// [`Period::index`] of the period.
    pub(super) period: i64,
    /// MRR, strictly positive (zero rows are dropped: they mean the same as no row).
    pub(super) amount: Decimal,
    /// Index into [`MrrHistory::segments`].
    pub(super) segment: u32,
}

/// Every customer's MRR per period, in one currency and one grain, validated: no negative
/// amounts, no customer twice in a period.
///
/// Build it with [`MrrHistory::from_rows`], a [`MrrHistoryBuilder`], or from a polars frame with
/// [`MrrHistory::from_frame`]; then compute [`MrrHistory::bridges`].
#[derive(Debug, Clone)]
pub struct MrrHistory {
    pub(super) currency: Currency,
    pub(super) grain: Grain,
    pub(super) customers: Vec<String>,
    customer_index: HashMap<String, u32>,
    pub(super) segments: Vec<Segment>,
    /// Entries of customer `c` are `entries[offsets[c]..offsets[c + 1]]`, sorted by period.
    pub(super) offsets: Vec<usize>,
    pub(super) entries: Vec<Entry>,
    /// First and last period index with any row (zero rows included: a zero row still says
    /// the period is covered by the data).
    pub(super) span: Option<(i64, i64)>,
}

/// An [`MrrHistory`] loaded from a frame, with the report of the rows that were refused.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoadedMrr {
    /// The accepted rows.
    pub history: MrrHistory,
    /// Rows read, accepted, and each rejected row (a null or empty customer, a period or
    /// amount that is null or does not parse, a negative amount, a second row for the same
    /// customer and period, a null or malformed currency code). Line numbers are 1-based row
    /// numbers of the frame.
    pub report: IngestReport,
}

/// Where a row came from, for error messages: the 0-based index of a pushed row, or the
/// 1-based line of a frame row.
#[derive(Debug, Clone, Copy)]
pub(super) enum RowRef {
    Index(u64),
    Line(u64),
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowRef::Index(i) => write!(f, "row {i}"),
            RowRef::Line(l) => write!(f, "line {l}"),
        }
    }
}

/// Why one row could not be added.
#[derive(Debug)]
pub(super) enum RowProblem {
    /// The row is wrong on its own; a loader may skip it and report it.
    Reject {
        column: &'static str,
        reason: String,
    },
    /// The row contradicts the whole history (another currency or grain); loading stops.
    Fatal(KpiError),
}

/// Collects rows into an [`MrrHistory`], checking each as it arrives.
///
/// Rows are numbered from 0 in the order pushed; errors name the row.
///
/// # Examples
///
/// ```
/// use prodops_core::{Currency, Money, Period, Segment};
/// use prodops_kpi::revenue::MrrHistoryBuilder;
///
/// let oct: Period = "2026-10".parse()?;
/// let smb = Segment::all().with("segment", "SMB")?;
/// let mut builder = MrrHistoryBuilder::new(Currency::EUR);
/// builder.push_in_segment("acme", oct, "99.00 EUR".parse()?, &smb)?;
/// assert!(builder.push("acme", oct, "5.00 EUR".parse()?).is_err()); // acme already has October
/// assert!(builder.push("initech", oct, "5.00 USD".parse()?).is_err()); // not euros
/// let history = builder.build();
/// assert_eq!(history.customer_count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MrrHistoryBuilder {
    currency: Currency,
    grain: Option<Grain>,
    customer_index: HashMap<String, u32>,
    customers: Vec<String>,
    segment_index: HashMap<Segment, u32>,
    segments: Vec<Segment>,
    /// Where each (customer, period index) was first seen, to name the first of two duplicates.
    seen: HashMap<(u32, i64), RowRef>,
    rows: Vec<(u32, Entry)>,
    span: Option<(i64, i64)>,
    next_row: u64,
}

impl MrrHistoryBuilder {
    /// An empty history in `currency`; its grain is that of the first period pushed.
    pub fn new(currency: Currency) -> MrrHistoryBuilder {
        MrrHistoryBuilder {
            currency,
            grain: None,
            customer_index: HashMap::new(),
            customers: Vec::new(),
            segment_index: HashMap::new(),
            segments: Vec::new(),
            seen: HashMap::new(),
            rows: Vec::new(),
            span: None,
            next_row: 0,
        }
    }

    /// Adds a customer's MRR for a period, in the whole population's segment.
    ///
    /// # Errors
    ///
    /// As [`MrrHistoryBuilder::push_in_segment`].
    pub fn push(
        &mut self,
        customer: impl AsRef<str>,
        period: Period,
        mrr: Money,
    ) -> Result<(), KpiError> {
        self.push_in_segment(customer, period, mrr, &Segment::all())
    }

    /// Adds a customer's MRR for a period, with the segment (plan, region, ...) the customer
    /// belongs to in that period.
    ///
    /// # Errors
    ///
    /// [`KpiError::CurrencyMismatch`] if `mrr` is not in the history's currency;
    /// [`KpiError::InvalidInput`] naming the row if the customer is empty, the amount negative,
    /// the period of another grain than earlier rows, or the customer already has a row for
    /// that period. A refused row is not added; the builder stays usable.
    pub fn push_in_segment(
        &mut self,
        customer: impl AsRef<str>,
        period: Period,
        mrr: Money,
        segment: &Segment,
    ) -> Result<(), KpiError> {
        let row = self.next_row;
        self.next_row += 1;
        let customer = customer.as_ref();
        self.add(RowRef::Index(row), customer, period, mrr, segment)
            .map_err(|p| match p {
                RowProblem::Fatal(e) => e,
                RowProblem::Reject { column, reason } => invalid_input(
                    format!("row {row} (customer {customer:?}, {period}, column {column})"),
                    reason,
                ),
            })
    }

    /// Checks and adds one row.
    pub(super) fn add(
        &mut self,
        row: RowRef,
        customer: &str,
        period: Period,
        mrr: Money,
        segment: &Segment,
    ) -> Result<(), RowProblem> {
        let customer = customer.trim();
        if customer.is_empty() {
            return Err(RowProblem::Reject {
                column: "customer",
                reason: "empty customer id".into(),
            });
        }
        if mrr.currency() != self.currency {
            return Err(RowProblem::Fatal(KpiError::CurrencyMismatch {
                what: format!(
                    "{row}: customer {customer:?} has MRR {mrr} in a {} history",
                    self.currency
                ),
            }));
        }
        match self.grain {
            Some(g) if g != period.grain() => {
                return Err(RowProblem::Fatal(invalid_input(
                    format!("{row} (customer {customer:?})"),
                    format!(
                        "period {period} is a {}, but earlier rows are {g}s",
                        period.grain()
                    ),
                )));
            }
            _ => self.grain = Some(period.grain()),
        }
        if mrr.is_negative() {
            return Err(RowProblem::Reject {
                column: "mrr",
                reason: format!("negative MRR {mrr}"),
            });
        }
        let next_customer = u32::try_from(self.customers.len()).map_err(|_| {
            RowProblem::Fatal(invalid_input("customers", "more than 2^32 customers"))
        })?;
        let customer_id = *self.customer_index.get(customer).unwrap_or(&next_customer);
        let index = period.index();
        if let Some(first) = self.seen.get(&(customer_id, index)) {
            return Err(RowProblem::Reject {
                column: "period",
                reason: format!("customer {customer:?} already has MRR for {period} ({first})"),
            });
        }
        if customer_id == next_customer {
            self.customer_index.insert(customer.to_owned(), customer_id);
            self.customers.push(customer.to_owned());
        }
        self.seen.insert((customer_id, index), row);
        self.span = Some(match self.span {
            None => (index, index),
            Some((lo, hi)) => (lo.min(index), hi.max(index)),
        });
        if mrr.amount().is_zero() {
            return Ok(());
        }
        let segment_id = match self.segment_index.get(segment) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.segments.len()).map_err(|_| {
                    RowProblem::Fatal(invalid_input("segments", "more than 2^32 segments"))
                })?;
                self.segment_index.insert(segment.clone(), id);
                self.segments.push(segment.clone());
                id
            }
        };
        self.rows.push((
            customer_id,
            Entry {
                period: index,
                amount: mrr.amount(),
                segment: segment_id,
            },
        ));
        Ok(())
    }

    /// The history of the rows accepted so far.
    pub fn build(self) -> MrrHistory {
        let mut rows = self.rows;
        rows.sort_unstable_by_key(|(c, e)| (*c, e.period));
        let mut offsets = Vec::with_capacity(self.customers.len() + 1);
        let mut entries = Vec::with_capacity(rows.len());
        let mut rows = rows.into_iter().peekable();
        for c in 0..self.customers.len() {
            offsets.push(entries.len());
            while let Some((_, e)) = rows.next_if(|(rc, _)| *rc as usize == c) {
                entries.push(e);
            }
        }
        offsets.push(entries.len());
        MrrHistory {
            currency: self.currency,
            grain: self.grain.unwrap_or(Grain::Month),
            customers: self.customers,
            customer_index: self.customer_index,
            segments: self.segments,
            offsets,
            entries,
            span: self.span,
        }
    }
}

impl MrrHistory {
    /// A history from `(customer, period, mrr)` rows, all in `currency`.
    ///
    /// # Errors
    ///
    /// As [`MrrHistoryBuilder::push`], at the first bad row (rows are numbered from 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_core::{Currency, Money, Period};
    /// use prodops_kpi::revenue::MrrHistory;
    ///
    /// let oct: Period = "2026-10".parse()?;
    /// let bad = MrrHistory::from_rows(Currency::USD, [
    ///     ("a", oct, Money::from_minor(10_00, Currency::USD)?),
    ///     ("b", oct, Money::from_minor(-5_00, Currency::USD)?),
    /// ]);
    /// assert!(bad.err().ok_or("accepted")?.to_string().contains("row 1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_rows<I, C>(currency: Currency, rows: I) -> Result<MrrHistory, KpiError>
    where
        I: IntoIterator<Item = (C, Period, Money)>,
        C: AsRef<str>,
    {
        let mut builder = MrrHistoryBuilder::new(currency);
        for (customer, period, mrr) in rows {
            builder.push(customer, period, mrr)?;
        }
        Ok(builder.build())
    }

    /// The currency of every amount.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The grain of the periods (months unless the rows said otherwise).
    pub fn grain(&self) -> Grain {
        self.grain
    }

    /// Number of distinct customers with at least one row.
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// The first and last period covered by any row, or `None` for an empty history.
    pub fn span(&self) -> Option<(Period, Period)> {
        let (lo, hi) = self.span?;
        let lo = Period::from_index(self.grain, lo).ok()?;
        let hi = Period::from_index(self.grain, hi).ok()?;
        Some((lo, hi))
    }

    /// The MRR of `customer` in `period`: zero if the customer has no row for it.
    pub fn mrr(&self, customer: &str, period: Period) -> Money {
        let amount = self
            .customer_index
            .get(customer.trim())
            .filter(|_| period.grain() == self.grain)
            .and_then(|&c| {
                let entries = self.customer_entries(c as usize);
                entries
                    .binary_search_by_key(&period.index(), |e| e.period)
                    .ok()
                    .and_then(|i| entries.get(i))
            })
            .map_or(Decimal::ZERO, |e| e.amount);
        Money::new(amount, self.currency)
    }

    /// The total MRR in `period`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Core`] if the sum overflows the decimal range.
    pub fn total(&self, period: Period) -> Result<Money, KpiError> {
        let mut total = Money::zero(self.currency);
        if period.grain() != self.grain {
            return Ok(total);
        }
        for e in self.entries.iter().filter(|e| e.period == period.index()) {
            total = total.checked_add(&Money::new(e.amount, self.currency))?;
        }
        Ok(total)
    }

    pub(super) fn customer_entries(&self, customer: usize) -> &[Entry] {
        let lo = self.offsets.get(customer).copied().unwrap_or(0);
        let hi = self.offsets.get(customer + 1).copied().unwrap_or(lo);
        self.entries.get(lo..hi).unwrap_or(&[])
    }
}
