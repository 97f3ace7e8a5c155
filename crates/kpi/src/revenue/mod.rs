//! Revenue: the MRR bridge with reactivation, gross and net revenue retention, logo and revenue
//! churn, ARR, ARPU and LTV.
//!
//! An [`MrrHistory`] holds each customer's monthly recurring revenue per period as exact
//! [`Money`] (decimal, one currency). [`MrrHistory::bridges`] walks it period by period and
//! splits the change from the previous period's MRR (`start`, the customer's `m0`) to the current
//! one (`end`, `m1`) into buckets:
//!
//! | bucket | condition | amount |
//! |---|---|---|
//! | new | m0 = 0 < m1, never paid before | m1 |
//! | reactivation | m0 = 0 < m1, paid in an earlier period | m1 |
//! | expansion | 0 < m0 < m1 | m1 − m0 |
//! | contraction | 0 < m1 < m0 | m0 − m1 |
//! | churn | m0 > 0 = m1 | m0 |
//!
//! so that `start + new + reactivation + expansion − contraction − churn = end` holds exactly
//! (decimal arithmetic, no rounding). PostHog folds reactivation into new; prodops reports it as
//! its own bucket unless [`Reactivation::FoldIntoNew`] is chosen.
//!
//! A period without a row for a customer means zero MRR in that period. The first period of the
//! history only opens the books: its customers are the next period's `start`, and bridges run
//! from the second period to the last. A customer already paying before the history begins is
//! "new" when it first appears after the first period, because the history cannot know better.
//!
//! Ratios whose denominator is zero (GRR with no starting MRR, say) are [`Rate`]s without a
//! value but with the reason, never NaN.
//!
//! ## Bad input
//!
//! - Rows pushed in code ([`MrrHistory::from_rows`], [`MrrHistoryBuilder`]): a negative amount,
//!   an empty customer id, a second row for the same customer and period, or a period of
//!   another grain is a [`KpiError::InvalidInput`] naming the 0-based row; an amount in
//!   another currency is [`KpiError::CurrencyMismatch`].
//! - Frames ([`MrrHistory::from_frame`], [`MrrHistory::from_lazy`]): row-level faults (null
//!   or empty customer, unparseable or null period or amount, negative amount, duplicate
//!   customer-period, malformed currency code) are rejected rows in the
//!   [`IngestReport`](prodops_core::IngestReport) with their 1-based line, and loading goes on;
//!   a missing column, a column of an unusable type or a row in another currency stops it with
//!   an error.
//!
//! # Examples
//!
//! ```
//! use prodops_core::{Currency, Money, Period};
//! use prodops_kpi::revenue::{BridgeOptions, MrrHistory};
//!
//! let usd = |cents| Money::from_minor(cents, Currency::USD);
//! let (sep, oct, nov): (Period, Period, Period) = ("2026-09".parse()?, "2026-10".parse()?, "2026-11".parse()?);
//! let history = MrrHistory::from_rows(Currency::USD, [
//!     ("a", sep, usd(100_00)?), ("a", oct, usd(150_00)?), ("a", nov, usd(150_00)?), // expands in October
//!     ("b", sep, usd(50_00)?),                                                       // churns in October
//!     ("b", nov, usd(60_00)?),                                                       // reactivates in November
//!     ("c", nov, usd(20_00)?),                                                       // new in November
//! ])?;
//! let table = history.bridges(&BridgeOptions::default())?;
//! let october = table.get(oct, &Default::default()).ok_or("no October")?;
//! // 150 = 150 + 0 + 0 + 50 − 0 − 50
//! assert_eq!(october.start.to_string(), "150.00 USD");
//! assert_eq!(october.expansion.to_string(), "50.00 USD");
//! assert_eq!(october.churn.to_string(), "50.00 USD");
//! assert_eq!(october.grr.value(), Some(2.0 / 3.0)); // (150 − 50) / 150
//! assert_eq!(october.nrr.value(), Some(1.0));       // (150 + 50 − 50) / 150
//! let november = table.get(nov, &Default::default()).ok_or("no November")?;
//! assert_eq!(november.reactivation.to_string(), "60.00 USD");
//! assert_eq!(november.new.to_string(), "20.00 USD");
//! assert_eq!(november.end.to_string(), "230.00 USD");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bridge;
mod frame;
mod history;

pub use bridge::{BridgeOptions, CustomerCounts, MrrBridge, MrrBridgeTable, Rate, Reactivation};
pub use frame::MrrColumns;
pub use history::{LoadedMrr, MrrHistory, MrrHistoryBuilder};

use prodops_core::{Decimal, Money};

use crate::error::{KpiError, invalid_input};

/// Annual recurring revenue: 12 × MRR.
///
/// # Errors
///
/// [`KpiError::Core`] if the product overflows the decimal range.
///
/// # Examples
///
/// ```
/// use prodops_core::Money;
/// use prodops_kpi::revenue::arr;
///
/// assert_eq!(arr(&"1250.50 EUR".parse()?)?.to_string(), "15006.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn arr(mrr: &Money) -> Result<Money, KpiError> {
    Ok(mrr.checked_mul(Decimal::from(12))?)
}

/// Average revenue per user: `revenue / active_users`, or `None` when there are no active users.
///
/// The quotient is exact to 28 significant digits; round with [`Money::round_to_minor`] for
/// display.
///
/// # Examples
///
/// ```
/// use prodops_core::Money;
/// use prodops_kpi::revenue::arpu;
///
/// let revenue: Money = "1000.00 USD".parse()?;
/// assert_eq!(arpu(&revenue, 8).map(|m| m.to_string()), Some("125.00 USD".to_string()));
/// assert_eq!(arpu(&revenue, 0), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn arpu(revenue: &Money, active_users: u64) -> Option<Money> {
    let amount = revenue.amount().checked_div(Decimal::from(active_users))?;
    Some(Money::new(amount, revenue.currency()))
}

/// Customer lifetime value: `arpu / churn_rate`, the revenue of a customer who stays
/// `1 / churn_rate` periods on average. `None` when the churn rate is zero (the lifetime is
/// unbounded).
///
/// # Errors
///
/// [`KpiError::InvalidInput`] if `churn_rate` is negative or the quotient overflows the decimal
/// range.
///
/// # Examples
///
/// ```
/// use prodops_core::{Decimal, Money};
/// use prodops_kpi::revenue::ltv;
///
/// let arpu: Money = "50.00 USD".parse()?;
/// let rate = Decimal::new(2, 2); // 2 % of customers churn per month
/// assert_eq!(ltv(&arpu, rate)?.map(|m| m.to_string()), Some("2500.00 USD".to_string()));
/// assert_eq!(ltv(&arpu, Decimal::ZERO)?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ltv(arpu: &Money, churn_rate: Decimal) -> Result<Option<Money>, KpiError> {
    if churn_rate.is_sign_negative() && !churn_rate.is_zero() {
        return Err(invalid_input(
            "churn rate",
            format!("{churn_rate} is negative"),
        ));
    }
    if churn_rate.is_zero() {
        return Ok(None);
    }
    let amount = arpu.amount().checked_div(churn_rate).ok_or_else(|| {
        invalid_input(
            "churn rate",
            format!("{arpu} / {churn_rate} overflows the decimal range"),
        )
    })?;
    Ok(Some(Money::new(amount, arpu.currency())))
}
