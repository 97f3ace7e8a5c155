//! Decimal money with a currency code.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::CoreError;

/// An ISO 4217 currency code such as `USD`: three ASCII letters, stored in upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Japanese yen.
    pub const JPY: Currency = Currency(*b"JPY");

    /// Validates a currency code; lower case is accepted and stored in upper case.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidCurrency`] unless the code is exactly three ASCII letters.
    pub fn new(code: &str) -> Result<Currency, CoreError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(CoreError::InvalidCurrency(code.to_owned())),
        }
    }

    /// The code, such as `"EUR"`.
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The number of decimal places of the currency's minor unit (2 for USD, 0 for JPY, 3 for
    /// KWD), per ISO 4217. Codes not in the built-in table use 2.
    pub fn minor_units(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = CoreError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

/// An exact decimal amount in one currency.
///
/// Amounts are [`rust_decimal::Decimal`] so that sums of ARR or MRR never pick up binary
/// floating-point error; convert with [`Money::to_f64`] only at the statistics boundary.
/// Arithmetic between two amounts checks that the currencies agree.
///
/// # Examples
///
/// ```
/// use prodops_core::{Currency, Money};
///
/// let a: Money = "1200.10 USD".parse()?;
/// let b = Money::from_minor(99_90, Currency::USD)?;
/// assert_eq!(a.checked_add(&b)?.to_string(), "1300.00 USD");
/// assert!(a.checked_add(&"5 EUR".parse()?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// An amount given in the currency's minor unit (cents for USD, yen for JPY).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidAmount`] if the value does not fit a decimal.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Money, CoreError> {
        let amount = Decimal::try_from_i128_with_scale(i128::from(minor), currency.minor_units())
            .map_err(|e| CoreError::InvalidAmount {
            input: minor.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Money::new(amount, currency))
    }

    /// Parses a decimal amount such as `"1234.56"` in `currency`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidAmount`] if `amount` is not a decimal number.
    pub fn parse_amount(amount: &str, currency: Currency) -> Result<Money, CoreError> {
        let value = Decimal::from_str(amount.trim()).map_err(|e| CoreError::InvalidAmount {
            input: amount.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Money::new(value, currency))
    }

    /// The amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// The sum of two amounts in the same currency.
    ///
    /// # Errors
    ///
    /// [`CoreError::CurrencyMismatch`] if the currencies differ, [`CoreError::InvalidAmount`]
    /// on overflow.
    pub fn checked_add(&self, other: &Money) -> Result<Money, CoreError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| self.overflow("addition"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// The difference of two amounts in the same currency.
    ///
    /// # Errors
    ///
    /// [`CoreError::CurrencyMismatch`] if the currencies differ, [`CoreError::InvalidAmount`]
    /// on overflow.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, CoreError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| self.overflow("subtraction"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// The amount multiplied by a decimal factor, such as a 12× MRR-to-ARR conversion or a
    /// discount.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidAmount`] on overflow.
    pub fn checked_mul(&self, factor: Decimal) -> Result<Money, CoreError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or_else(|| self.overflow("multiplication"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// The sum of `amounts`, all in `currency`; zero for an empty iterator.
    ///
    /// # Errors
    ///
    /// [`CoreError::CurrencyMismatch`] at the first amount in another currency,
    /// [`CoreError::InvalidAmount`] on overflow.
    pub fn sum<'a>(
        currency: Currency,
        amounts: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, CoreError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// The amount rounded to the currency's minor unit, half away from zero (commercial
    /// rounding).
    pub fn round_to_minor(&self) -> Money {
        let amount = self.amount.round_dp_with_strategy(
            self.currency.minor_units(),
            RoundingStrategy::MidpointAwayFromZero,
        );
        Money::new(amount, self.currency)
    }

    /// The amount as the nearest `f64`, for statistics.
    pub fn to_f64(&self) -> f64 {
        // Every Decimal lies well inside f64's range, so the conversion always succeeds.
        self.amount.to_f64().unwrap_or(f64::NAN)
    }

    fn same_currency(&self, other: &Money) -> Result<(), CoreError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(CoreError::CurrencyMismatch {
                left: self.currency.to_string(),
                right: other.currency.to_string(),
            })
        }
    }

    fn overflow(&self, op: &str) -> CoreError {
        CoreError::InvalidAmount {
            input: self.to_string(),
            reason: format!("{op} overflows the decimal range"),
        }
    }
}

impl fmt::Display for Money {
    /// Writes the amount with at least the currency's minor-unit digits, then the code:
    /// `1300.00 USD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut amount = self.amount;
        if amount.scale() < self.currency.minor_units() {
            amount.rescale(self.currency.minor_units());
        }
        write!(f, "{amount} {}", self.currency)
    }
}

impl FromStr for Money {
    type Err = CoreError;

    /// Parses `"<amount> <CODE>"` or `"<CODE> <amount>"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace();
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CoreError::InvalidAmount {
                input: s.to_owned(),
                reason: "expected an amount and a currency code, such as \"12.50 USD\"".to_owned(),
            });
        };
        match Currency::new(b) {
            Ok(currency) => Money::parse_amount(a, currency),
            Err(_) => Money::parse_amount(b, Currency::new(a)?),
        }
    }
}
