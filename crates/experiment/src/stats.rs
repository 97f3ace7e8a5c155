//! Mergeable sufficient statistics: the data type every analysis starts from.
//!
//! Each type holds sums that add across shards, days, strata or SQL partitions, so a
//! warehouse query or a streaming job can compute partial sums and combine them exactly with
//! `+` or [`Iterator::sum`].

use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::{finite, invalid_input};

/// Relative slack allowed when checking that sums are mutually consistent, to absorb rounding
/// in sums computed elsewhere (a SQL engine, another language).
const CONSISTENCY_SLACK: f64 = 1e-9;

/// Per-item sums of `K` terms with four interleaved accumulators per term, so consecutive
/// additions do not wait on one running total: on 10M values this is several times faster than
/// a single accumulator, and the sums of a shard still merge with `+` as before.
pub(crate) fn lane_sums<const K: usize, T>(
    items: &[T],
    terms: impl Fn(&T) -> [f64; K],
) -> [f64; K] {
    let mut acc = [[0.0f64; K]; 4];
    let chunks = items.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, item) in acc.iter_mut().zip(chunk) {
            let t = terms(item);
            for (a, v) in lane.iter_mut().zip(t) {
                *a += v;
            }
        }
    }
    for item in rest {
        for (a, v) in acc[0].iter_mut().zip(terms(item)) {
            *a += v;
        }
    }
    combine_lanes(&acc)
}

/// The final sum of four lanes, in the one order both accumulators use.
fn combine_lanes<const K: usize>(acc: &[[f64; K]; 4]) -> [f64; K] {
    std::array::from_fn(|k| (acc[0][k] + acc[1][k]) + (acc[2][k] + acc[3][k]))
}

/// [`lane_sums`] for items arriving one at a time from an iterator, adding in exactly the
/// same order (groups of four across the lanes, the last n mod 4 items into lane 0), so the
/// sums of an iterator and of a slice with the same items are bit-for-bit equal.
pub(crate) struct LaneAccumulator<const K: usize> {
    acc: [[f64; K]; 4],
    pending: [[f64; K]; 4],
    pending_len: usize,
    n: u64,
}

impl<const K: usize> LaneAccumulator<K> {
    pub(crate) fn new() -> Self {
        LaneAccumulator {
            acc: [[0.0; K]; 4],
            pending: [[0.0; K]; 4],
            pending_len: 0,
            n: 0,
        }
    }

    pub(crate) fn push(&mut self, terms: [f64; K]) {
        self.pending[self.pending_len] = terms;
        self.pending_len += 1;
        self.n += 1;
        if self.pending_len == 4 {
            for (lane, item) in self.acc.iter_mut().zip(&self.pending) {
                for (a, v) in lane.iter_mut().zip(item) {
                    *a += v;
                }
            }
            self.pending_len = 0;
        }
    }

    /// The number of items and their sums.
    pub(crate) fn finish(mut self) -> (u64, [f64; K]) {
        for item in &self.pending[..self.pending_len] {
            for (a, v) in self.acc[0].iter_mut().zip(item) {
                *a += v;
            }
        }
        (self.n, combine_lanes(&self.acc))
    }
}

/// Sums the terms of every item of `items`, checking each item first with `check` (which
/// gets the item's index and names the culprit in its error), then that the sums did not
/// overflow.
pub(crate) fn iter_sums<const K: usize, T>(
    items: impl IntoIterator<Item = T>,
    check: impl Fn(usize, &T) -> Result<(), ExperimentError>,
    terms: impl Fn(&T) -> [f64; K],
) -> Result<(u64, [f64; K]), ExperimentError> {
    let mut acc = LaneAccumulator::new();
    for (i, item) in items.into_iter().enumerate() {
        check(i, &item)?;
        acc.push(terms(&item));
    }
    let (n, sums) = acc.finish();
    check_sums(&sums, || None)?;
    Ok((n, sums))
}

/// Checks that each named value of one item is finite, naming the first that is not with the
/// item's index.
pub(crate) fn finite_at(index: usize, named: &[(&str, f64)]) -> Result<(), ExperimentError> {
    match named.iter().find(|(_, v)| !v.is_finite()) {
        Some((what, v)) => finite(&format!("{what} at index {index}"), *v).map(|_| ()),
        None => Ok(()),
    }
}

/// Turns non-finite sums into an error: the first non-finite input (found by `culprit`, run
/// only on this slow path) if there is one, otherwise an overflow of the sums.
pub(crate) fn check_sums(
    sums: &[f64],
    culprit: impl FnOnce() -> Option<(String, f64)>,
) -> Result<(), ExperimentError> {
    if sums.iter().all(|s| s.is_finite()) {
        return Ok(());
    }
    match culprit() {
        Some((what, value)) => finite(&what, value).map(|_| ()),
        None => Err(invalid_input("sums", "the sums overflow the range of f64")),
    }
}

/// The sums of per-unit pairs (a, b): each side's [`MeanStats`] and Σab. `names` name the two
/// sides in the error for a non-finite value.
pub(crate) fn pair_sums(
    pairs: &[(f64, f64)],
    names: [&str; 2],
) -> Result<(MeanStats, MeanStats, f64), ExperimentError> {
    let sums = lane_sums(pairs, |&(a, b)| [a, a * a, b, b * b, a * b]);
    check_sums(&sums, || {
        pairs.iter().enumerate().find_map(|(i, &(a, b))| {
            [(names[0], a), (names[1], b)]
                .into_iter()
                .find(|(_, v)| !v.is_finite())
                .map(|(what, v)| (format!("{what} at index {i}"), v))
        })
    })?;
    pair_stats(pairs.len() as u64, sums)
}

/// [`pair_sums`] for pairs from an iterator, bit-for-bit equal on the same pairs.
pub(crate) fn pair_sums_iter(
    pairs: impl IntoIterator<Item = (f64, f64)>,
    names: [&str; 2],
) -> Result<(MeanStats, MeanStats, f64), ExperimentError> {
    let (n, sums) = iter_sums(
        pairs,
        |i, &(a, b)| finite_at(i, &[(names[0], a), (names[1], b)]),
        |&(a, b)| [a, a * a, b, b * b, a * b],
    )?;
    pair_stats(n, sums)
}

fn pair_stats(
    n: u64,
    [sa, saa, sb, sbb, sab]: [f64; 5],
) -> Result<(MeanStats, MeanStats, f64), ExperimentError> {
    Ok((
        MeanStats::new(n, sa, saa)?,
        MeanStats::new(n, sb, sbb)?,
        sab,
    ))
}

/// n, Σx and Σx² of a metric in one arm: enough for its mean and variance.
///
/// # Examples
///
/// Sums from two shards merge into the sums of all the data:
///
/// ```
/// use prodops_experiment::MeanStats;
///
/// let day1 = MeanStats::from_values(&[3.0, 5.0, 4.0])?;
/// let day2 = MeanStats::from_values(&[6.0, 2.0])?;
/// let all = MeanStats::from_values(&[3.0, 5.0, 4.0, 6.0, 2.0])?;
/// assert_eq!(day1 + day2, all);
/// assert_eq!(all.mean()?, 4.0);
/// assert_eq!(all.variance()?, 2.5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanStats {
    n: u64,
    sum: f64,
    sum_sq: f64,
}

impl MeanStats {
    /// Validated sums of `n` values.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a sum is not finite, `Σx² < 0`, an empty arm has
    /// non-zero sums, or `(Σx)² > n·Σx²` (impossible for real data, by Cauchy–Schwarz).
    pub fn new(n: u64, sum: f64, sum_sq: f64) -> Result<MeanStats, ExperimentError> {
        finite("sum", sum)?;
        finite("sum of squares", sum_sq)?;
        if sum_sq < 0.0 {
            return Err(invalid_input(
                "sum of squares",
                format!("must be ≥ 0, got {sum_sq}"),
            ));
        }
        if n == 0 && (sum != 0.0 || sum_sq != 0.0) {
            return Err(invalid_input(
                "sums",
                "an arm with n = 0 must have zero sums",
            ));
        }
        let bound = n as f64 * sum_sq;
        if sum * sum > bound * (1.0 + CONSISTENCY_SLACK) + f64::MIN_POSITIVE {
            return Err(invalid_input(
                "sums",
                format!(
                    "(Σx)² = {} exceeds n·Σx² = {bound}: the sums cannot come from real data",
                    sum * sum
                ),
            ));
        }
        Ok(MeanStats { n, sum, sum_sq })
    }

    /// The sums of a slice of values.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is NaN or infinite (naming its index).
    pub fn from_values(values: &[f64]) -> Result<MeanStats, ExperimentError> {
        let [sum, sum_sq] = lane_sums(values, |&x| [x, x * x]);
        check_sums(&[sum, sum_sq], || {
            values
                .iter()
                .position(|x| !x.is_finite())
                .map(|i| (format!("value at index {i}"), values[i]))
        })?;
        Ok(MeanStats {
            n: values.len() as u64,
            sum,
            sum_sq,
        })
    }

    /// The sums of the values of an iterator, in one pass without collecting them; equal to
    /// [`MeanStats::from_values`] on the same values, to the last bit.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when a value is NaN or infinite (naming its index).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::MeanStats;
    ///
    /// let lines = ["3.5", "4.0", "2.5"];
    /// let stats = MeanStats::from_value_iter(lines.iter().filter_map(|l| l.parse().ok()))?;
    /// assert_eq!(stats, MeanStats::from_values(&[3.5, 4.0, 2.5])?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_value_iter(
        values: impl IntoIterator<Item = f64>,
    ) -> Result<MeanStats, ExperimentError> {
        let (n, [sum, sum_sq]) = iter_sums(
            values,
            |i, &x| finite_at(i, &[("value", x)]),
            |&x| [x, x * x],
        )?;
        Ok(MeanStats { n, sum, sum_sq })
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Σx.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// Σx².
    pub fn sum_sq(&self) -> f64 {
        self.sum_sq
    }

    /// The mean Σx / n.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::TooFewUnits`] when n = 0.
    pub fn mean(&self) -> Result<f64, ExperimentError> {
        if self.n == 0 {
            return Err(ExperimentError::TooFewUnits {
                arm: "arm".into(),
                n: 0,
                min: 1,
            });
        }
        Ok(self.sum / self.n as f64)
    }

    /// The sample variance (Σx² − (Σx)²/n) / (n − 1).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::ZeroOrNegativeVariance`] when n ≤ 1 or the variance computed from the
    /// sums is not positive (constant data, or cancellation in the sums).
    pub fn variance(&self) -> Result<f64, ExperimentError> {
        self.sample_variance()
            .ok_or_else(|| ExperimentError::ZeroOrNegativeVariance {
                arm: "arm".into(),
                detail: format!("n = {}, Σx = {}, Σx² = {}", self.n, self.sum, self.sum_sq),
            })
    }

    pub(crate) fn sample_variance(&self) -> Option<f64> {
        if self.n <= 1 {
            return None;
        }
        let n = self.n as f64;
        let v = (self.sum_sq - self.sum * self.sum / n) / (n - 1.0);
        (v > 0.0 && v.is_finite()).then_some(v)
    }
}

impl Add for MeanStats {
    type Output = MeanStats;

    fn add(self, rhs: MeanStats) -> MeanStats {
        MeanStats {
            n: self.n + rhs.n,
            sum: self.sum + rhs.sum,
            sum_sq: self.sum_sq + rhs.sum_sq,
        }
    }
}

impl AddAssign for MeanStats {
    fn add_assign(&mut self, rhs: MeanStats) {
        *self = *self + rhs;
    }
}

impl Sum for MeanStats {
    fn sum<I: Iterator<Item = MeanStats>>(iter: I) -> MeanStats {
        iter.fold(MeanStats::default(), Add::add)
    }
}

/// n and the number of successes of a binary metric (conversion) in one arm.
///
/// Its variance is p(1 − p), the maximum-likelihood form used by gbstats and by the two-sample
/// proportion z-tests of statsmodels, not the n/(n − 1)-corrected sample variance of 0/1 data.
///
/// # Examples
///
/// ```
/// use prodops_experiment::ProportionStats;
///
/// let control = ProportionStats::new(1_000, 100)?;
/// assert_eq!(control.rate()?, 0.1);
/// assert!(ProportionStats::new(10, 11).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProportionStats {
    n: u64,
    successes: u64,
}

impl ProportionStats {
    /// Validated counts.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when `successes > n`.
    pub fn new(n: u64, successes: u64) -> Result<ProportionStats, ExperimentError> {
        if successes > n {
            return Err(invalid_input(
                "successes",
                format!("{successes} successes exceed {n} units"),
            ));
        }
        Ok(ProportionStats { n, successes })
    }

    /// The counts of a slice of outcomes.
    pub fn from_outcomes(outcomes: &[bool]) -> ProportionStats {
        ProportionStats {
            n: outcomes.len() as u64,
            successes: outcomes.iter().filter(|o| **o).count() as u64,
        }
    }

    /// The counts of an iterator of outcomes, in one pass.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::ProportionStats;
    ///
    /// let orders = [0u32, 2, 0, 1];
    /// let converted = ProportionStats::from_outcome_iter(orders.iter().map(|&o| o > 0));
    /// assert_eq!((converted.n(), converted.successes()), (4, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_outcome_iter(outcomes: impl IntoIterator<Item = bool>) -> ProportionStats {
        outcomes
            .into_iter()
            .fold(ProportionStats::default(), |acc, o| ProportionStats {
                n: acc.n + 1,
                successes: acc.successes + u64::from(o),
            })
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Number of successes.
    pub fn successes(&self) -> u64 {
        self.successes
    }

    /// The success rate.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::TooFewUnits`] when n = 0.
    pub fn rate(&self) -> Result<f64, ExperimentError> {
        if self.n == 0 {
            return Err(ExperimentError::TooFewUnits {
                arm: "arm".into(),
                n: 0,
                min: 1,
            });
        }
        Ok(self.successes as f64 / self.n as f64)
    }

    /// The same data as mean statistics of 0/1 values (Σx = Σx² = successes).
    pub fn as_mean_stats(&self) -> MeanStats {
        MeanStats {
            n: self.n,
            sum: self.successes as f64,
            sum_sq: self.successes as f64,
        }
    }
}

impl Add for ProportionStats {
    type Output = ProportionStats;

    fn add(self, rhs: ProportionStats) -> ProportionStats {
        ProportionStats {
            n: self.n + rhs.n,
            successes: self.successes + rhs.successes,
        }
    }
}

impl AddAssign for ProportionStats {
    fn add_assign(&mut self, rhs: ProportionStats) {
        *self = *self + rhs;
    }
}

impl Sum for ProportionStats {
    fn sum<I: Iterator<Item = ProportionStats>>(iter: I) -> ProportionStats {
        iter.fold(ProportionStats::default(), Add::add)
    }
}
