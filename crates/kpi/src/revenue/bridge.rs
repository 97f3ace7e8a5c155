//! The MRR bridge: per period (and segment), the buckets that carry start MRR to end MRR.

use std::collections::BTreeSet;

use polars::prelude::*;
use prodops_core::{Currency, Decimal, Money, Period, Segment};
use serde::Serialize;

use super::history::{Entry, MrrHistory};
use crate::error::{KpiError, invalid_input};

/// Where a customer who comes back after a gap is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reactivation {
    /// In its own `reactivation` bucket (the default).
    #[default]
    Separate,
    /// In `new`, as PostHog's revenue analytics does; `reactivation` is then always zero.
    FoldIntoNew,
}

/// Options of [`MrrHistory::bridges`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgeOptions {
    /// Where returning customers are counted.
    pub reactivation: Reactivation,
}

impl BridgeOptions {
    /// These options with the reactivation convention set.
    pub fn reactivation(mut self, reactivation: Reactivation) -> BridgeOptions {
        self.reactivation = reactivation;
        self
    }
}

/// A ratio that may be undefined.
///
/// `value` is `None` exactly when the denominator is zero, and `undefined` then says why; the
/// value is never NaN or infinite.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Rate {
    /// The ratio, when defined.
    pub value: Option<f64>,
    /// Why the ratio is undefined, when it is.
    pub undefined: Option<String>,
}

impl Rate {
    /// The ratio `numerator / denominator`, undefined (with `reason`) when the denominator is
    /// zero. Computed in decimal (28 significant digits), then rounded once to the nearest
    /// `f64` through its decimal text, which, unlike `Decimal::to_f64`, rounds correctly.
    pub(crate) fn of(numerator: Decimal, denominator: Decimal, reason: &str) -> Rate {
        let quotient = numerator.checked_div(denominator);
        match quotient.and_then(|q| q.to_string().parse::<f64>().ok()) {
            Some(v) if v.is_finite() => Rate {
                value: Some(v),
                undefined: None,
            },
            _ => Rate {
                value: None,
                undefined: Some(reason.to_owned()),
            },
        }
    }

    /// The ratio, or `None` when undefined.
    pub fn value(&self) -> Option<f64> {
        self.value
    }
}

/// How many customers moved through each bucket of an [`MrrBridge`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CustomerCounts {
    /// Customers paying in the previous period (m0 > 0).
    pub start: u64,
    /// Customers paying in the current period (m1 > 0).
    pub end: u64,
    /// New customers.
    pub new: u64,
    /// Returning customers (zero unless reactivation is a separate bucket).
    pub reactivated: u64,
    /// Customers paying more than in the previous period.
    pub expanded: u64,
    /// Customers paying less, but more than zero.
    pub contracted: u64,
    /// Customers who stopped paying (logo churn).
    pub churned: u64,
}

/// One period's MRR bridge, for the whole population or one segment.
///
/// `start + new + reactivation + expansion − contraction − churn = end` holds exactly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MrrBridge {
    /// The current period; `start` is the MRR of the period before it.
    pub period: Period,
    /// The segment, [`Segment::all`] for the whole population.
    pub segment: Segment,
    /// MRR in the previous period of the customers counted here.
    pub start: Money,
    /// MRR of customers paying for the first time.
    pub new: Money,
    /// MRR of customers paying again after at least one period without paying.
    pub reactivation: Money,
    /// Increase from customers paying more.
    pub expansion: Money,
    /// Decrease from customers paying less (a positive amount).
    pub contraction: Money,
    /// Previous-period MRR of customers who stopped paying (a positive amount).
    pub churn: Money,
    /// MRR in the current period.
    pub end: Money,
    /// Customers per bucket.
    pub customers: CustomerCounts,
    /// Gross revenue retention, `(start − contraction − churn) / start`, in [0, 1].
    pub grr: Rate,
    /// Net revenue retention, `(start + expansion − contraction − churn) / start`, at least GRR.
    pub nrr: Rate,
    /// Logo churn, churned customers / customers with m0 > 0.
    pub logo_churn: Rate,
    /// Revenue churn, churned MRR / start.
    pub revenue_churn: Rate,
}

impl MrrBridge {
    /// Net new MRR, `end − start`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Core`] on decimal overflow.
    pub fn net_new(&self) -> Result<Money, KpiError> {
        Ok(self.end.checked_sub(&self.start)?)
    }

    /// ARR at the end of the period, 12 × `end`.
    ///
    /// # Errors
    ///
    /// [`KpiError::Core`] on decimal overflow.
    pub fn arr(&self) -> Result<Money, KpiError> {
        super::arr(&self.end)
    }

    /// Average MRR per paying customer at the end of the period (ARPA), `None` with no
    /// paying customer.
    pub fn arpa(&self) -> Option<Money> {
        super::arpu(&self.end, self.customers.end)
    }

    /// Lifetime value: [`MrrBridge::arpa`] divided by this period's logo churn, `None` when
    /// either is undefined or no customer churned.
    pub fn ltv(&self) -> Option<Money> {
        let arpa = self.arpa()?;
        if self.customers.churned == 0 {
            return None;
        }
        // arpa / (churned / start) = arpa × start / churned, in decimal.
        let amount = arpa
            .amount()
            .checked_mul(Decimal::from(self.customers.start))?
            .checked_div(Decimal::from(self.customers.churned))?;
        Some(Money::new(amount, arpa.currency()))
    }
}

/// The bridges of every period (and segment) of a history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MrrBridgeTable {
    /// The currency of every amount.
    pub currency: Currency,
    /// The segment dimensions, sorted; empty for the whole population.
    pub dimensions: Vec<String>,
    /// One bridge per period (and segment), by period, then segment.
    pub bridges: Vec<MrrBridge>,
}

impl MrrBridgeTable {
    /// The bridge of `period` for `segment`, if the table has one.
    pub fn get(&self, period: Period, segment: &Segment) -> Option<&MrrBridge> {
        self.bridges
            .iter()
            .find(|b| b.period == period && &b.segment == segment)
    }

    /// The bridges as a frame: `period` (label such as `2026-10`), one text column per segment
    /// dimension, `currency`, the amounts `start`, `new`, `reactivation`, `expansion`,
    /// `contraction`, `churn`, `end` (as `f64`: the exact decimals are in
    /// [`MrrBridgeTable::bridges`]), the customer counts `customers_start`, `customers_end`,
    /// `customers_new`, `customers_reactivated`, `customers_expanded`, `customers_contracted`,
    /// `customers_churned`, and the rates `grr`, `nrr`, `logo_churn`, `revenue_churn` (null
    /// when undefined).
    ///
    /// # Errors
    ///
    /// [`KpiError::Polars`] if the frame cannot be assembled.
    pub fn to_frame(&self) -> Result<DataFrame, KpiError> {
        let b = &self.bridges;
        let text = |name: &str, f: &dyn Fn(&MrrBridge) -> String| {
            Column::new(name.into(), b.iter().map(f).collect::<Vec<_>>())
        };
        let money = |name: &str, f: &dyn Fn(&MrrBridge) -> &Money| {
            Column::new(
                name.into(),
                b.iter().map(|x| f(x).to_f64()).collect::<Vec<_>>(),
            )
        };
        let count = |name: &str, f: &dyn Fn(&CustomerCounts) -> u64| {
            Column::new(
                name.into(),
                b.iter().map(|x| f(&x.customers)).collect::<Vec<_>>(),
            )
        };
        let rate = |name: &str, f: &dyn Fn(&MrrBridge) -> &Rate| {
            Column::new(
                name.into(),
                b.iter().map(|x| f(x).value).collect::<Vec<_>>(),
            )
        };
        let mut columns = vec![text("period", &|x| x.period.label())];
        for dim in &self.dimensions {
            columns.push(text(dim, &|x| {
                x.segment.get(dim).unwrap_or_default().to_owned()
            }));
        }
        columns.extend([
            text("currency", &|x| x.start.currency().to_string()),
            money("start", &|x| &x.start),
            money("new", &|x| &x.new),
            money("reactivation", &|x| &x.reactivation),
            money("expansion", &|x| &x.expansion),
            money("contraction", &|x| &x.contraction),
            money("churn", &|x| &x.churn),
            money("end", &|x| &x.end),
            count("customers_start", &|c| c.start),
            count("customers_end", &|c| c.end),
            count("customers_new", &|c| c.new),
            count("customers_reactivated", &|c| c.reactivated),
            count("customers_expanded", &|c| c.expanded),
            count("customers_contracted", &|c| c.contracted),
            count("customers_churned", &|c| c.churned),
            rate("grr", &|x| &x.grr),
            rate("nrr", &|x| &x.nrr),
            rate("logo_churn", &|x| &x.logo_churn),
            rate("revenue_churn", &|x| &x.revenue_churn),
        ]);
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

/// Running sums of one (period, segment) cell.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    start: Decimal,
    new: Decimal,
    reactivation: Decimal,
    expansion: Decimal,
    contraction: Decimal,
    churn: Decimal,
    end: Decimal,
    counts: CustomerCounts,
}

fn add(total: &mut Decimal, x: Decimal) -> Result<(), KpiError> {
    *total = total
        .checked_add(x)
        .ok_or_else(|| invalid_input("MRR", "a sum overflows the decimal range"))?;
    Ok(())
}

impl Acc {
    /// Records one customer's move from `m0` to `m1` (both ≥ 0, not both zero).
    fn record(
        &mut self,
        m0: Decimal,
        m1: Decimal,
        paid_before: bool,
        options: BridgeOptions,
    ) -> Result<(), KpiError> {
        let zero = Decimal::ZERO;
        if m0 > zero {
            add(&mut self.start, m0)?;
            self.counts.start += 1;
        }
        if m1 > zero {
            add(&mut self.end, m1)?;
            self.counts.end += 1;
        }
        if m0.is_zero() && m1 > zero {
            if paid_before && options.reactivation == Reactivation::Separate {
                add(&mut self.reactivation, m1)?;
                self.counts.reactivated += 1;
            } else {
                add(&mut self.new, m1)?;
                self.counts.new += 1;
            }
        } else if m0 > zero && m1.is_zero() {
            add(&mut self.churn, m0)?;
            self.counts.churned += 1;
        } else if m1 > m0 {
            add(&mut self.expansion, m1 - m0)?;
            self.counts.expanded += 1;
        } else if m1 < m0 {
            add(&mut self.contraction, m0 - m1)?;
            self.counts.contracted += 1;
        }
        Ok(())
    }

    fn finish(self, period: Period, segment: Segment, currency: Currency) -> MrrBridge {
        let m = |x| Money::new(x, currency);
        // Bucket amounts are bounded by start and end, so these differences cannot overflow.
        let retained = self.start - self.contraction - self.churn;
        let no_start = "no MRR at the start of the period";
        MrrBridge {
            period,
            segment,
            start: m(self.start),
            new: m(self.new),
            reactivation: m(self.reactivation),
            expansion: m(self.expansion),
            contraction: m(self.contraction),
            churn: m(self.churn),
            end: m(self.end),
            customers: self.counts,
            grr: Rate::of(retained, self.start, no_start),
            nrr: Rate::of(retained + self.expansion, self.start, no_start),
            logo_churn: Rate::of(
                Decimal::from(self.counts.churned),
                Decimal::from(self.counts.start),
                "no paying customer at the start of the period",
            ),
            revenue_churn: Rate::of(self.churn, self.start, no_start),
        }
    }
}

/// The accumulators of every (period, segment) cell of a table being computed.
struct Grid {
    /// Row-major: period (from the second of the history) then segment.
    cells: Vec<Acc>,
    /// Index of the history's first period, which only opens the books.
    first: i64,
    n_seg: usize,
    by_segment: bool,
    options: BridgeOptions,
}

impl Grid {
    /// Records a move from `m0` to `m1` in period index `t`; moves in the first period or
    /// after the last have no cell and are ignored.
    fn record(
        &mut self,
        t: i64,
        segment: u32,
        m0: Decimal,
        m1: Decimal,
        paid_before: bool,
    ) -> Result<(), KpiError> {
        let Ok(p) = usize::try_from(t - self.first - 1) else {
            return Ok(());
        };
        let s = if self.by_segment { segment as usize } else { 0 };
        match self.cells.get_mut(p * self.n_seg + s) {
            Some(acc) => acc.record(m0, m1, paid_before, self.options),
            None => Ok(()),
        }
    }
}

impl MrrHistory {
    /// The bridge of every period after the first, for the whole population.
    ///
    /// Every period from the second to the last covered by the history gets a bridge, zero
    /// where nothing moved.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] if a sum overflows the decimal range.
    pub fn bridges(&self, options: &BridgeOptions) -> Result<MrrBridgeTable, KpiError> {
        self.compute(options, false)
    }

    /// The bridge of every period after the first, per segment.
    ///
    /// A customer's movement is counted in the segment it belongs to in the current period,
    /// or, when it churned, in the previous one. Each bucket therefore adds up across segments
    /// to the whole population's bucket; a segment's `start` is that of the customers counted
    /// in it now, so it differs from the segment's previous `end` when customers moved between
    /// segments. Every segment seen anywhere in the history gets a bridge in every period.
    ///
    /// # Errors
    ///
    /// As [`MrrHistory::bridges`].
    pub fn bridges_by_segment(&self, options: &BridgeOptions) -> Result<MrrBridgeTable, KpiError> {
        self.compute(options, true)
    }

    fn compute(
        &self,
        options: &BridgeOptions,
        by_segment: bool,
    ) -> Result<MrrBridgeTable, KpiError> {
        let (segments, dimensions): (Vec<Segment>, Vec<String>) = if by_segment {
            let dims: BTreeSet<String> = self
                .segments
                .iter()
                .flat_map(|s| s.pairs().map(|(d, _)| d.as_str().to_owned()))
                .collect();
            let segments = if self.segments.is_empty() {
                vec![Segment::all()]
            } else {
                self.segments.clone()
            };
            (segments, dims.into_iter().collect())
        } else {
            (vec![Segment::all()], Vec::new())
        };
        let n_seg = segments.len().max(1);
        let Some((first, last)) = self.span else {
            return Ok(MrrBridgeTable {
                currency: self.currency,
                dimensions,
                bridges: Vec::new(),
            });
        };
        let n_periods = usize::try_from(last - first).unwrap_or(0);
        let mut grid = Grid {
            cells: vec![Acc::default(); n_periods * n_seg],
            first,
            n_seg,
            by_segment,
            options: *options,
        };
        let zero = Decimal::ZERO;
        for c in 0..self.customers.len() {
            let mut paid_before = false;
            let mut prev: Option<&Entry> = None;
            for e in self.customer_entries(c) {
                match prev {
                    Some(p) if p.period + 1 == e.period => {
                        grid.record(e.period, e.segment, p.amount, e.amount, paid_before)?;
                    }
                    _ => {
                        if let Some(p) = prev {
                            grid.record(p.period + 1, p.segment, p.amount, zero, paid_before)?;
                        }
                        grid.record(e.period, e.segment, zero, e.amount, paid_before)?;
                    }
                }
                paid_before = true;
                prev = Some(e);
            }
            if let Some(p) = prev {
                grid.record(p.period + 1, p.segment, p.amount, zero, paid_before)?;
            }
        }
        let mut bridges = Vec::with_capacity(grid.cells.len());
        for (i, acc) in grid.cells.into_iter().enumerate() {
            let t = first + 1 + (i / n_seg) as i64;
            let period = Period::from_index(self.grain, t)?;
            let segment = segments.get(i % n_seg).cloned().unwrap_or_default();
            bridges.push(acc.finish(period, segment, self.currency));
        }
        Ok(MrrBridgeTable {
            currency: self.currency,
            dimensions,
            bridges,
        })
    }
}
