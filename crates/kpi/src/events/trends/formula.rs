//! Formulas that combine series point-wise, PostHog's `A / B` style.

use std::ops::{Add, Div, Mul, Sub};

/// An arithmetic expression over series, evaluated bucket by bucket (and breakdown value by
/// breakdown value). Build one from [`Formula::series`] and [`Formula::constant`] with the
/// `+ - * /` operators.
///
/// A bucket where any operand is undefined, or a divisor is zero, is `None`: a chart shows
/// a gap, never NaN or infinity.
///
/// # Examples
///
/// ```
/// use prodops_kpi::events::trends::Formula;
///
/// // Conversion in percent: 100 × B / A.
/// let conversion = Formula::constant(100.0) * Formula::series(1) / Formula::series(0);
/// assert_eq!(conversion.evaluate(&[Some(40.0), Some(10.0)]), Some(25.0));
/// assert_eq!(conversion.evaluate(&[Some(0.0), Some(0.0)]), None); // ÷0
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Formula {
    /// The value of the series at this index in the query.
    Series(usize),
    /// A constant.
    Constant(f64),
    /// Sum.
    Add(Box<Formula>, Box<Formula>),
    /// Difference.
    Sub(Box<Formula>, Box<Formula>),
    /// Product.
    Mul(Box<Formula>, Box<Formula>),
    /// Quotient; a zero divisor gives `None`.
    Div(Box<Formula>, Box<Formula>),
}

impl Formula {
    /// The series at `index` (0 is the query's first series, PostHog's `A`).
    pub fn series(index: usize) -> Formula {
        Formula::Series(index)
    }

    /// A constant term.
    pub fn constant(value: f64) -> Formula {
        Formula::Constant(value)
    }

    /// The value given each series' value at one point; `None` when an operand is `None`, a
    /// divisor is zero, an index is out of range, or the result is not finite.
    pub fn evaluate(&self, values: &[Option<f64>]) -> Option<f64> {
        let v = match self {
            Formula::Series(i) => values.get(*i).copied().flatten()?,
            Formula::Constant(c) => *c,
            Formula::Add(a, b) => a.evaluate(values)? + b.evaluate(values)?,
            Formula::Sub(a, b) => a.evaluate(values)? - b.evaluate(values)?,
            Formula::Mul(a, b) => a.evaluate(values)? * b.evaluate(values)?,
            Formula::Div(a, b) => {
                let (num, den) = (a.evaluate(values)?, b.evaluate(values)?);
                if den == 0.0 {
                    return None;
                }
                num / den
            }
        };
        v.is_finite().then_some(v)
    }

    /// The largest series index used, `None` for a constant expression.
    pub fn max_series(&self) -> Option<usize> {
        match self {
            Formula::Series(i) => Some(*i),
            Formula::Constant(_) => None,
            Formula::Add(a, b) | Formula::Sub(a, b) | Formula::Mul(a, b) | Formula::Div(a, b) => {
                a.max_series().max(b.max_series())
            }
        }
    }
}

macro_rules! formula_op {
    ($trait:ident, $method:ident, $variant:ident) => {
        impl $trait for Formula {
            type Output = Formula;
            fn $method(self, rhs: Formula) -> Formula {
                Formula::$variant(Box::new(self), Box::new(rhs))
            }
        }
    };
}

formula_op!(Add, add, Add);
formula_op!(Sub, sub, Sub);
formula_op!(Mul, mul, Mul);
formula_op!(Div, div, Div);
