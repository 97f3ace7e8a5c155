//! Mergeable counts per scale point, unweighted and weighted, and the promoter / passive /
//! detractor counts of a net scale.

use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Serialize};

use super::scale::{Bucket, NpsScore, RatedScale};
use crate::KpiError;
use crate::error::invalid_input;

/// How many answers fell on each point of a [`RatedScale`].
///
/// Counts are the sufficient statistic of every survey metric in this module, so shards,
/// days or files can be counted separately and merged exactly with `+` or [`Sum`]. Merging
/// counts of different scales is an error, which is why `+` yields a `Result`.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{RatedScale, ScaleCounts};
///
/// let monday = ScaleCounts::from_scores(RatedScale::nps(), [10.0, 9.0, 3.0])?;
/// let tuesday = ScaleCounts::from_scores(RatedScale::nps(), [8.0, 10.0])?;
/// let week = (monday + tuesday)?;
/// assert_eq!(week.n(), 5);
/// assert_eq!(week.count(10), 2);
///
/// // Row 1 (zero-based) is off the scale.
/// assert!(ScaleCounts::from_scores(RatedScale::nps(), [7.0, 11.0]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleCounts {
    scale: RatedScale,
    counts: Vec<u64>,
}

impl ScaleCounts {
    /// No answers yet.
    pub fn empty(scale: RatedScale) -> ScaleCounts {
        ScaleCounts {
            scale,
            counts: vec![0; scale.points()],
        }
    }

    /// Counts raw answers. Each must be an integer on the scale; the zero-based position in
    /// the iterator is the row reported on failure.
    ///
    /// # Errors
    ///
    /// [`KpiError::ScoreOutOfRange`] naming the first answer that is NaN, infinite, not an
    /// integer or outside `min..=max`.
    pub fn from_scores<I>(scale: RatedScale, scores: I) -> Result<ScaleCounts, KpiError>
    where
        I: IntoIterator,
        I::Item: Into<f64>,
    {
        let mut out = ScaleCounts::empty(scale);
        for (row, score) in scores.into_iter().enumerate() {
            let value = scale.check_score(row as u64, score.into())?;
            out.counts[scale.slot(value)] += 1;
        }
        Ok(out)
    }

    /// Counts validated NPS answers on [`RatedScale::nps`].
    pub fn from_nps_scores<I: IntoIterator<Item = NpsScore>>(scores: I) -> ScaleCounts {
        let scale = RatedScale::nps();
        let mut out = ScaleCounts::empty(scale);
        for s in scores {
            out.counts[usize::from(s.get())] += 1;
        }
        out
    }

    /// Counts already tallied elsewhere (a warehouse query, a dashboard export), one per scale
    /// point from `min` to `max`.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `counts` does not have one entry per scale point.
    pub fn from_counts(scale: RatedScale, counts: Vec<u64>) -> Result<ScaleCounts, KpiError> {
        if counts.len() != scale.points() {
            return Err(invalid_input(
                "counts",
                format!(
                    "expected {} entries (one per point of {scale}), got {}",
                    scale.points(),
                    counts.len()
                ),
            ));
        }
        Ok(ScaleCounts { scale, counts })
    }

    /// Adds `count` answers of `value`.
    ///
    /// # Errors
    ///
    /// [`KpiError::ScoreOutOfRange`] (row 0) when `value` is off the scale.
    pub fn add_count(&mut self, value: i32, count: u64) -> Result<(), KpiError> {
        if !self.scale.contains(value) {
            return Err(self.scale.out_of_range(0, f64::from(value)));
        }
        let slot = self.scale.slot(value);
        self.counts[slot] += count;
        Ok(())
    }

    /// The scale counted on.
    pub fn scale(&self) -> &RatedScale {
        &self.scale
    }

    /// Answers of `value` (0 for values off the scale).
    pub fn count(&self, value: i32) -> u64 {
        if self.scale.contains(value) {
            self.counts[self.scale.slot(value)]
        } else {
            0
        }
    }

    /// `(value, count)` for every scale point, lowest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (i32, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .map(|(slot, &c)| (self.scale.value_of_slot(slot), c))
    }

    /// Total answers.
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Answers in a bucket.
    pub fn bucket_count(&self, bucket: Bucket) -> u64 {
        self.iter()
            .filter(|&(v, _)| self.scale.bucket_of_valid(v) == bucket)
            .map(|(_, c)| c)
            .sum()
    }

    /// Σx and Σx² of the answers, for means and variances.
    pub(crate) fn sums(&self) -> (f64, f64) {
        self.iter().fold((0.0, 0.0), |(s, s2), (v, c)| {
            let (v, c) = (f64::from(v), c as f64);
            (s + c * v, s2 + c * v * v)
        })
    }

    /// The promoter / passive / detractor counts of a net scale.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] unless the scale was declared with
    /// [`super::Reducer::Net`]: a 0–10 rating is not NPS unless declared.
    pub fn nps_counts(&self) -> Result<NpsCounts, KpiError> {
        self.scale.require_net("NPS")?;
        Ok(NpsCounts {
            promoters: self.bucket_count(Bucket::Top),
            passives: self.bucket_count(Bucket::Middle),
            detractors: self.bucket_count(Bucket::Bottom),
        })
    }

    /// Merges two tallies of the same scale.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the scales differ.
    pub fn merge(mut self, other: &ScaleCounts) -> Result<ScaleCounts, KpiError> {
        check_same_scale(&self.scale, &other.scale)?;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        Ok(self)
    }
}

fn check_same_scale(a: &RatedScale, b: &RatedScale) -> Result<(), KpiError> {
    if a == b {
        Ok(())
    } else {
        Err(KpiError::IncompatibleOptions {
            reason: format!("cannot merge counts of scale {a} with counts of scale {b}"),
        })
    }
}

impl Add for ScaleCounts {
    type Output = Result<ScaleCounts, KpiError>;

    fn add(self, rhs: ScaleCounts) -> Self::Output {
        self.merge(&rhs)
    }
}

/// Lets chains such as `a + b + c` type-check; an earlier error passes through.
impl Add<ScaleCounts> for Result<ScaleCounts, KpiError> {
    type Output = Result<ScaleCounts, KpiError>;

    fn add(self, rhs: ScaleCounts) -> Self::Output {
        self?.merge(&rhs)
    }
}

/// Sums tallies of one scale; an empty iterator is [`KpiError::EmptySample`] because it has
/// no scale.
impl Sum<ScaleCounts> for Result<ScaleCounts, KpiError> {
    fn sum<I: Iterator<Item = ScaleCounts>>(mut iter: I) -> Self {
        let first = iter.next().ok_or_else(|| KpiError::EmptySample {
            what: "no counts to sum".into(),
        })?;
        iter.try_fold(first, |acc, c| acc.merge(&c))
    }
}

/// Per-point weighted tallies: the count, Σw and Σw² of the answers on each scale point.
///
/// Those three sums per point are all that weighted NPS, its Kish effective sample size and
/// its linearised standard error need, so weighted tallies merge exactly like unweighted
/// ones.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{RatedScale, WeightedScaleCounts};
///
/// let a = WeightedScaleCounts::from_scores(RatedScale::nps(), [(10.0, 2.0), (3.0, 1.0)])?;
/// let b = WeightedScaleCounts::from_scores(RatedScale::nps(), [(9.0, 0.5)])?;
/// let both = (a + b)?;
/// assert_eq!(both.n(), 3);
/// assert_eq!(both.weight_sum(), 3.5);
/// assert!(WeightedScaleCounts::from_scores(RatedScale::nps(), [(9.0, 0.0)]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedScaleCounts {
    scale: RatedScale,
    counts: Vec<u64>,
    sum_w: Vec<f64>,
    sum_w2: Vec<f64>,
}

impl WeightedScaleCounts {
    /// No answers yet.
    pub fn empty(scale: RatedScale) -> WeightedScaleCounts {
        let k = scale.points();
        WeightedScaleCounts {
            scale,
            counts: vec![0; k],
            sum_w: vec![0.0; k],
            sum_w2: vec![0.0; k],
        }
    }

    /// Tallies `(score, weight)` pairs; the zero-based position is the row reported on failure.
    ///
    /// # Errors
    ///
    /// [`KpiError::ScoreOutOfRange`] for a score off the scale; [`KpiError::InvalidInput`]
    /// naming the row for a weight that is not finite and positive.
    pub fn from_scores<I>(scale: RatedScale, rows: I) -> Result<WeightedScaleCounts, KpiError>
    where
        I: IntoIterator<Item = (f64, f64)>,
    {
        let mut out = WeightedScaleCounts::empty(scale);
        for (row, (score, weight)) in rows.into_iter().enumerate() {
            let value = scale.check_score(row as u64, score)?;
            out.add_sums(value, 1, weight, weight * weight)
                .map_err(|_| bad_weight(row as u64, weight))?;
        }
        Ok(out)
    }

    /// Adds `count` answers of `value` whose weights sum to `sum_w` with squares summing to
    /// `sum_w2` (as a grouped query returns them).
    ///
    /// # Errors
    ///
    /// [`KpiError::ScoreOutOfRange`] (row 0) for a value off the scale;
    /// [`KpiError::InvalidInput`] when the sums are not finite, or are negative, or are
    /// positive for a zero count, or are zero for a positive count.
    pub fn add_sums(
        &mut self,
        value: i32,
        count: u64,
        sum_w: f64,
        sum_w2: f64,
    ) -> Result<(), KpiError> {
        if !self.scale.contains(value) {
            return Err(self.scale.out_of_range(0, f64::from(value)));
        }
        let finite = sum_w.is_finite() && sum_w2.is_finite();
        let consistent = if count == 0 {
            sum_w == 0.0 && sum_w2 == 0.0
        } else {
            sum_w > 0.0 && sum_w2 > 0.0
        };
        if !(finite && consistent) {
            return Err(invalid_input(
                "weights",
                format!(
                    "{count} answers of {value} with Σw = {sum_w} and Σw² = {sum_w2}: weights must be finite and positive"
                ),
            ));
        }
        let slot = self.scale.slot(value);
        self.counts[slot] += count;
        self.sum_w[slot] += sum_w;
        self.sum_w2[slot] += sum_w2;
        Ok(())
    }

    /// The scale counted on.
    pub fn scale(&self) -> &RatedScale {
        &self.scale
    }

    /// Total answers (unweighted).
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Σw over all answers.
    pub fn weight_sum(&self) -> f64 {
        self.sum_w.iter().sum()
    }

    /// Σw² over all answers.
    pub fn weight_sq_sum(&self) -> f64 {
        self.sum_w2.iter().sum()
    }

    /// `(value, count, Σw, Σw²)` for every scale point, lowest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (i32, u64, f64, f64)> + '_ {
        (0..self.counts.len()).map(|slot| {
            (
                self.scale.value_of_slot(slot),
                self.counts[slot],
                self.sum_w[slot],
                self.sum_w2[slot],
            )
        })
    }

    /// `(count, Σw, Σw²)` of a bucket.
    pub fn bucket_sums(&self, bucket: Bucket) -> (u64, f64, f64) {
        self.iter()
            .filter(|&(v, ..)| self.scale.bucket_of_valid(v) == bucket)
            .fold((0, 0.0, 0.0), |(n, w, w2), (_, c, sw, sw2)| {
                (n + c, w + sw, w2 + sw2)
            })
    }

    /// The unweighted counts.
    pub fn unweighted(&self) -> ScaleCounts {
        ScaleCounts {
            scale: self.scale,
            counts: self.counts.clone(),
        }
    }

    /// Merges two tallies of the same scale.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the scales differ.
    pub fn merge(mut self, other: &WeightedScaleCounts) -> Result<WeightedScaleCounts, KpiError> {
        check_same_scale(&self.scale, &other.scale)?;
        for slot in 0..self.counts.len() {
            self.counts[slot] += other.counts[slot];
            self.sum_w[slot] += other.sum_w[slot];
            self.sum_w2[slot] += other.sum_w2[slot];
        }
        Ok(self)
    }
}

fn bad_weight(row: u64, weight: f64) -> KpiError {
    invalid_input(
        "weight",
        format!("row {row}: {weight} is not a finite positive weight"),
    )
}

impl Add for WeightedScaleCounts {
    type Output = Result<WeightedScaleCounts, KpiError>;

    fn add(self, rhs: WeightedScaleCounts) -> Self::Output {
        self.merge(&rhs)
    }
}

/// Chains `a + b + c`; an earlier error passes through.
impl Add<WeightedScaleCounts> for Result<WeightedScaleCounts, KpiError> {
    type Output = Result<WeightedScaleCounts, KpiError>;

    fn add(self, rhs: WeightedScaleCounts) -> Self::Output {
        self?.merge(&rhs)
    }
}

/// Sums tallies of one scale; an empty iterator is [`KpiError::EmptySample`].
impl Sum<WeightedScaleCounts> for Result<WeightedScaleCounts, KpiError> {
    fn sum<I: Iterator<Item = WeightedScaleCounts>>(mut iter: I) -> Self {
        let first = iter.next().ok_or_else(|| KpiError::EmptySample {
            what: "no weighted counts to sum".into(),
        })?;
        iter.try_fold(first, |acc, c| acc.merge(&c))
    }
}

/// Promoter, passive and detractor counts: the trinomial behind every NPS statistic.
///
/// For any scale declared with [`super::Reducer::Net`], promoters are the top box and
/// detractors the bottom box.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::NpsCounts;
///
/// let jan = NpsCounts::new(50, 30, 20);
/// let feb = NpsCounts::new(10, 5, 5);
/// let both = jan + feb;
/// assert_eq!(both.n(), 120);
/// assert!((both.score()? - 100.0 * (60.0 - 25.0) / 120.0).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NpsCounts {
    /// Answers in the top box (9–10).
    pub promoters: u64,
    /// Answers between the boxes (7–8).
    pub passives: u64,
    /// Answers in the bottom box (0–6).
    pub detractors: u64,
}

impl NpsCounts {
    /// Counts from the three buckets.
    pub fn new(promoters: u64, passives: u64, detractors: u64) -> NpsCounts {
        NpsCounts {
            promoters,
            passives,
            detractors,
        }
    }

    /// Total answers.
    pub fn n(&self) -> u64 {
        self.promoters + self.passives + self.detractors
    }

    /// The net score 100·(P − D)/n on −100..=100.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when there are no answers.
    pub fn score(&self) -> Result<f64, KpiError> {
        let (p, d) = self.shares()?;
        Ok(100.0 * (p - d))
    }

    /// `(P/n, D/n)`, as fractions.
    pub(crate) fn shares(&self) -> Result<(f64, f64), KpiError> {
        let n = self.n();
        if n == 0 {
            return Err(KpiError::EmptySample {
                what: "NPS counts with no answers".into(),
            });
        }
        let n = n as f64;
        Ok((self.promoters as f64 / n, self.detractors as f64 / n))
    }
}

impl Add for NpsCounts {
    type Output = NpsCounts;

    fn add(self, rhs: NpsCounts) -> NpsCounts {
        NpsCounts {
            promoters: self.promoters + rhs.promoters,
            passives: self.passives + rhs.passives,
            detractors: self.detractors + rhs.detractors,
        }
    }
}

impl Sum for NpsCounts {
    fn sum<I: Iterator<Item = NpsCounts>>(iter: I) -> NpsCounts {
        iter.fold(NpsCounts::default(), Add::add)
    }
}
