//! Seeded bootstrap confidence intervals for treatment-minus-control differences: the
//! percentile bootstrap of a difference in means or in any quantile (quantile treatment
//! effects), and a Poisson bootstrap of a difference in means that runs on sharded data.
//!
//! All randomness comes from the caller's seed (ChaCha8), so the same inputs and seed give the
//! same interval on every run and platform.

use std::ops::Add;
use std::sync::LazyLock;

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::config::{Alpha, Interval};
use crate::error::{finite, invalid_config, invalid_input};
use crate::quantile::{check_level, percentile_sorted};

/// The statistic of each arm whose treatment-minus-control difference is bootstrapped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Statistic {
    /// The arithmetic mean.
    Mean,
    /// The sample quantile at this level in (0, 1) (0.5 for the median, 0.9 for p90), by
    /// linear interpolation between order statistics (`PERCENTILE_CONT`, numpy's default,
    /// R's type 7).
    Quantile(f64),
}

/// A bootstrap estimate of a treatment-minus-control difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BootstrapOutcome {
    /// The difference on the original data: statistic(treatment) − statistic(control).
    pub estimate: f64,
    /// The percentile interval: the α/2 and 1 − α/2 quantiles of the replicate differences,
    /// by linear interpolation (as `scipy.stats.bootstrap(method="percentile")`).
    pub ci: Interval,
    /// The number of bootstrap replicates the interval is built from.
    pub replicates: usize,
    /// The bootstrap standard error: the standard deviation (n − 1 denominator) of the
    /// replicate differences.
    pub std_error: f64,
}

/// The bootstrap estimate of the difference at one quantile level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QuantileEffect {
    /// The quantile level.
    pub level: f64,
    /// The treatment-minus-control difference in that quantile.
    pub outcome: BootstrapOutcome,
}

/// Checks the replicate count shared by every bootstrap.
fn check_replicates(replicates: usize) -> Result<usize, ExperimentError> {
    if replicates >= 2 {
        Ok(replicates)
    } else {
        Err(invalid_config(
            "replicates",
            format!("a bootstrap needs at least 2 replicates, got {replicates}"),
        ))
    }
}

/// Checks an arm of raw values: at least 2 units, all finite.
fn check_arm(arm: &str, values: &[f64]) -> Result<(), ExperimentError> {
    if values.len() < 2 {
        return Err(ExperimentError::TooFewUnits {
            arm: arm.to_owned(),
            n: values.len() as u64,
            min: 2,
        });
    }
    for (i, &x) in values.iter().enumerate() {
        finite(&format!("{arm} value at index {i}"), x)?;
    }
    Ok(())
}

/// What is computed on each (re)sample of an arm.
#[derive(Clone, Copy)]
enum Plan<'a> {
    Mean,
    Quantiles(&'a [f64]),
}

impl Plan<'_> {
    fn len(self) -> usize {
        match self {
            Plan::Mean => 1,
            Plan::Quantiles(levels) => levels.len(),
        }
    }

    /// Writes the plan's statistics of `sample` into `out`; sorts `sample` for quantiles.
    fn evaluate(self, sample: &mut [f64], out: &mut [f64]) {
        match self {
            Plan::Mean => {
                let mean = sample.iter().sum::<f64>() / sample.len() as f64;
                if let Some(o) = out.first_mut() {
                    *o = mean;
                }
            }
            Plan::Quantiles(levels) => {
                sample.sort_unstable_by(f64::total_cmp);
                for (o, &level) in out.iter_mut().zip(levels) {
                    *o = percentile_sorted(sample, level);
                }
            }
        }
    }
}

/// The percentile interval and standard error of replicate differences around `estimate`.
fn summarize(
    estimate: f64,
    mut diffs: Vec<f64>,
    alpha: Alpha,
) -> Result<BootstrapOutcome, ExperimentError> {
    finite("bootstrap estimate", estimate)?;
    for &d in &diffs {
        finite("bootstrap replicate difference", d)?;
    }
    let b = diffs.len();
    if b < 2 {
        return Err(invalid_input(
            "bootstrap replicates",
            format!("{b} usable replicates; at least 2 are needed"),
        ));
    }
    let mean = diffs.iter().sum::<f64>() / b as f64;
    let ss: f64 = diffs.iter().map(|d| (d - mean) * (d - mean)).sum();
    let std_error = finite("bootstrap standard error", (ss / (b as f64 - 1.0)).sqrt())?;
    diffs.sort_unstable_by(f64::total_cmp);
    let a = alpha.get();
    Ok(BootstrapOutcome {
        estimate,
        ci: Interval {
            lower: percentile_sorted(&diffs, a / 2.0),
            upper: percentile_sorted(&diffs, 1.0 - a / 2.0),
        },
        replicates: b,
        std_error,
    })
}

/// A uniform index in `0..n` (n ≥ 1): Lemire's multiply-and-shift of a 32-bit draw with
/// rejection of the biased low range, so every index is exactly equally likely. One 32-bit
/// draw almost always suffices, which keeps resampling cheap.
fn uniform_index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let Ok(n32) = u32::try_from(n) else {
        return rng.random_range(0..n);
    };
    if n32 == 0 {
        return 0;
    }
    let n64 = u64::from(n32);
    // 2³² mod n: products whose low half falls below it would over-represent some indices.
    let threshold = (u32::MAX - n32 + 1) % n32;
    loop {
        let m = u64::from(rng.next_u32()) * n64;
        if (m as u32) >= threshold {
            return (m >> 32) as usize;
        }
    }
}

/// The resampling engine: per replicate, draws each arm with replacement (control first, then
/// treatment, from one ChaCha8 stream seeded with `seed`) and records the differences of the
/// plan's statistics. Returns one outcome per statistic of the plan.
fn resample(
    control: &[f64],
    treatment: &[f64],
    plan: Plan<'_>,
    replicates: usize,
    alpha: Alpha,
    seed: u64,
) -> Result<Vec<BootstrapOutcome>, ExperimentError> {
    check_replicates(replicates)?;
    check_arm("control", control)?;
    check_arm("treatment", treatment)?;
    let k = plan.len();
    let (mut stat_a, mut stat_b) = (vec![0.0; k], vec![0.0; k]);

    let (mut buf_a, mut buf_b) = (control.to_vec(), treatment.to_vec());
    plan.evaluate(&mut buf_a, &mut stat_a);
    plan.evaluate(&mut buf_b, &mut stat_b);
    let estimates: Vec<f64> = stat_b.iter().zip(&stat_a).map(|(b, a)| b - a).collect();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut diffs = vec![Vec::with_capacity(replicates); k];
    for _ in 0..replicates {
        for (slot, source) in [(&mut buf_a, control), (&mut buf_b, treatment)] {
            for x in slot.iter_mut() {
                *x = source[uniform_index(&mut rng, source.len())];
            }
        }
        plan.evaluate(&mut buf_a, &mut stat_a);
        plan.evaluate(&mut buf_b, &mut stat_b);
        for ((d, b), a) in diffs.iter_mut().zip(&stat_b).zip(&stat_a) {
            d.push(b - a);
        }
    }
    estimates
        .into_iter()
        .zip(diffs)
        .map(|(estimate, d)| summarize(estimate, d, alpha))
        .collect()
}

/// A percentile-bootstrap confidence interval for statistic(treatment) − statistic(control).
///
/// Each of `replicates` replicates resamples every arm with replacement to its own size
/// (control first, then treatment, from one ChaCha8 stream seeded with `seed`) and records the
/// difference of the statistic; the interval is the α/2 and 1 − α/2 quantiles of those
/// differences (linear interpolation, as `scipy.stats.bootstrap(method="percentile")`; the
/// random streams differ, so intervals agree with scipy's in distribution, not digit for
/// digit). The percentile interval is first-order accurate: expect coverage a little under
/// 1 − α for small or skewed samples.
///
/// # Errors
///
/// [`ExperimentError::InvalidConfig`] when `replicates < 2` or a quantile level is not in
/// (0, 1); [`ExperimentError::TooFewUnits`] when an arm has fewer than 2 values;
/// [`ExperimentError::InvalidInput`] when a value is NaN or infinite (naming arm and index)
/// or a difference overflows.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_experiment::bootstrap::{Statistic, bootstrap_difference};
///
/// let control = [3.0, 5.0, 4.0, 6.0, 2.0, 4.5, 3.5, 5.5];
/// let treatment = [5.0, 7.0, 6.0, 8.0, 4.0, 6.5, 5.5, 7.5];
/// let out = bootstrap_difference(&control, &treatment, Statistic::Mean, 2_000, Alpha::new(0.05)?, 7)?;
/// assert_eq!(out.estimate, 2.0);
/// assert!(out.ci.lower > 0.0 && out.ci.contains(2.0));
/// // The same seed gives the same interval.
/// let again = bootstrap_difference(&control, &treatment, Statistic::Mean, 2_000, Alpha::new(0.05)?, 7)?;
/// assert_eq!(out, again);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bootstrap_difference(
    control: &[f64],
    treatment: &[f64],
    statistic: Statistic,
    replicates: usize,
    alpha: Alpha,
    seed: u64,
) -> Result<BootstrapOutcome, ExperimentError> {
    let level;
    let plan = match statistic {
        Statistic::Mean => Plan::Mean,
        Statistic::Quantile(l) => {
            level = [check_level(l)?];
            Plan::Quantiles(&level)
        }
    };
    resample(control, treatment, plan, replicates, alpha, seed)?
        .into_iter()
        .next()
        .ok_or_else(|| invalid_input("bootstrap", "no statistic was computed"))
}

/// Quantile treatment effects: percentile-bootstrap intervals for the treatment-minus-control
/// difference at each of `levels` (say the median and p90), from one set of resamples.
///
/// The resampling is that of [`bootstrap_difference`]; every level is computed on the same
/// resamples, so with one level the result equals
/// `bootstrap_difference(.., Statistic::Quantile(level), ..)` with the same seed.
///
/// # Errors
///
/// As [`bootstrap_difference`], and [`ExperimentError::InvalidConfig`] when `levels` is empty.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_experiment::bootstrap::quantile_treatment_effects;
///
/// let control: Vec<f64> = (0..200).map(|i| f64::from(i % 100)).collect();
/// let treatment: Vec<f64> = control.iter().map(|x| x + 10.0).collect();
/// let effects = quantile_treatment_effects(&control, &treatment, &[0.5, 0.9], 500, Alpha::new(0.05)?, 1)?;
/// assert_eq!(effects.len(), 2);
/// assert_eq!(effects[0].level, 0.5);
/// assert!((effects[0].outcome.estimate - 10.0).abs() < 1e-12);
/// assert!(effects[1].outcome.ci.contains(10.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quantile_treatment_effects(
    control: &[f64],
    treatment: &[f64],
    levels: &[f64],
    replicates: usize,
    alpha: Alpha,
    seed: u64,
) -> Result<Vec<QuantileEffect>, ExperimentError> {
    if levels.is_empty() {
        return Err(invalid_config(
            "quantile levels",
            "at least one level is needed",
        ));
    }
    for &level in levels {
        check_level(level)?;
    }
    let outcomes = resample(
        control,
        treatment,
        Plan::Quantiles(levels),
        replicates,
        alpha,
        seed,
    )?;
    Ok(levels
        .iter()
        .zip(outcomes)
        .map(|(&level, outcome)| QuantileEffect { level, outcome })
        .collect())
}

/// An exact floating-point sum: the non-overlapping partials of Shewchuk's algorithm (as
/// Python's `math.fsum`). The represented sum is exact whatever the order of the terms, and
/// [`ExactSum::value`] rounds it correctly, so the value does not depend on the order in which
/// terms were added or accumulators merged (barring overflow).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    fn add(&mut self, mut x: f64) {
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The correctly rounded sum (CPython's `math_fsum` finalisation, including its
    /// half-even correction across partials).
    fn value(&self) -> f64 {
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

/// The cumulative distribution of Poisson(1) at 0, 1, …, 20, scaled to 2³² and truncated to
/// integers, computed with libm so it is the same on every platform. A weight is the number of
/// thresholds at or below a uniform 32-bit draw (inversion of the CDF), so each probability is
/// resolved to 2⁻³² (weights above 13 have probability below 10⁻¹⁰ and never occur).
static POISSON_1_THRESHOLDS: LazyLock<[u64; 21]> = LazyLock::new(|| {
    let mut thresholds = [0; 21];
    let mut term = libm::exp(-1.0);
    let mut total = 0.0;
    for (k, t) in thresholds.iter_mut().enumerate() {
        if k > 0 {
            term /= k as f64;
        }
        total += term;
        *t = (total * 4_294_967_296.0) as u64;
    }
    thresholds
});

/// A Poisson(1) draw by inversion of its CDF from one uniform 32-bit draw.
fn poisson_1(rng: &mut ChaCha8Rng) -> u64 {
    let u = u64::from(rng.next_u32());
    POISSON_1_THRESHOLDS
        .iter()
        .position(|&t| u < t)
        .unwrap_or(POISSON_1_THRESHOLDS.len()) as u64
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of a unit's weight stream: a function of the bootstrap seed and the unit's id only.
fn unit_seed(seed: u64, unit_id: u64) -> u64 {
    splitmix64(splitmix64(unit_id) ^ splitmix64(seed ^ 0x5042_4F4F_5453_5452))
}

/// A Poisson bootstrap of one arm's mean, accumulated unit by unit and mergeable across shards.
///
/// In each of the `replicates` replicates every unit gets a Poisson(1) weight w (by inversion
/// of the CDF from a 32-bit uniform, so probabilities are exact to 2⁻³²), and the arm
/// keeps n, Σx and per replicate (Σw, Σw·x); a replicate's mean is Σw·x / Σw. A unit's weights
/// come from a ChaCha8 stream seeded by a hash of the bootstrap seed and the unit's id alone
/// (never from the order units arrive in), so a unit gets the same weights whichever shard
/// processes it. Σw is an integer count; each product w·x is rounded identically on every
/// shard, and the sums of x and w·x are kept exactly (as Python's `math.fsum`) and rounded
/// once at the end, so **merging shards with `+` (in any
/// grouping and order) gives exactly the same intervals, bit for bit, as one pass over all the
/// units**, provided every shard uses the same `replicates` and seed and each unit is
/// accumulated once.
///
/// `unit_id` should be a stable 64-bit hash of the randomization unit's id (the same hash on
/// every shard and run); [`std::collections::hash_map::DefaultHasher`] is not guaranteed
/// stable across Rust releases.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_experiment::bootstrap::PoissonBootstrap;
///
/// let (replicates, seed) = (1_000, 42);
/// let arm = |ids: std::ops::Range<u64>, shift: f64| -> Result<PoissonBootstrap, Box<dyn std::error::Error>> {
///     let mut acc = PoissonBootstrap::new(replicates, seed)?;
///     for id in ids {
///         acc.accumulate(id, (id % 10) as f64 + shift)?;
///     }
///     Ok(acc)
/// };
/// // The control arm processed in two shards, merged; the treatment arm in one pass.
/// let control = (arm(0..300, 0.0)? + arm(300..600, 0.0)?)?;
/// let treatment = arm(600..1_200, 1.0)?;
/// let out = PoissonBootstrap::mean_difference_ci(&control, &treatment, Alpha::new(0.05)?)?;
/// assert!((out.estimate - 1.0).abs() < 1e-12);
/// assert!(out.ci.contains(1.0));
/// // Merging shards is exact: the same as one pass over the control units.
/// let single = PoissonBootstrap::mean_difference_ci(&arm(0..600, 0.0)?, &treatment, Alpha::new(0.05)?)?;
/// assert_eq!(out, single);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoissonBootstrap {
    seed: u64,
    units: u64,
    sum: ExactSum,
    weights: Vec<u64>,
    weighted_sums: Vec<ExactSum>,
}

impl PoissonBootstrap {
    /// An empty accumulator of `replicates` replicates whose weights derive from `seed`.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] when `replicates < 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::bootstrap::PoissonBootstrap;
    ///
    /// let acc = PoissonBootstrap::new(1_000, 7)?;
    /// assert_eq!(acc.replicates(), 1_000);
    /// assert_eq!(acc.units(), 0);
    /// assert!(PoissonBootstrap::new(0, 7).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(replicates: usize, seed: u64) -> Result<PoissonBootstrap, ExperimentError> {
        check_replicates(replicates)?;
        Ok(PoissonBootstrap {
            seed,
            units: 0,
            sum: ExactSum::default(),
            weights: vec![0; replicates],
            weighted_sums: vec![ExactSum::default(); replicates],
        })
    }

    /// The number of replicates.
    pub fn replicates(&self) -> usize {
        self.weights.len()
    }

    /// The seed the weights derive from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of units accumulated.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// Adds one unit with id `unit_id` and metric value `value`, drawing its Poisson(1) weight
    /// in every replicate from the stream of (seed, `unit_id`).
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when `value` is NaN or infinite (the accumulator is
    /// left unchanged).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::bootstrap::PoissonBootstrap;
    ///
    /// let mut acc = PoissonBootstrap::new(100, 7)?;
    /// acc.accumulate(12_345, 3.5)?;
    /// assert_eq!(acc.units(), 1);
    /// assert!(acc.accumulate(12_346, f64::NAN).is_err());
    /// assert_eq!(acc.units(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accumulate(&mut self, unit_id: u64, value: f64) -> Result<(), ExperimentError> {
        finite(&format!("value of unit {unit_id}"), value)?;
        let mut rng = ChaCha8Rng::seed_from_u64(unit_seed(self.seed, unit_id));
        for (weight, weighted) in self.weights.iter_mut().zip(&mut self.weighted_sums) {
            let w = poisson_1(&mut rng);
            if w > 0 {
                *weight += w;
                weighted.add(w as f64 * value);
            }
        }
        self.units += 1;
        self.sum.add(value);
        Ok(())
    }

    /// Merges another shard's accumulator into this one.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when the two differ in replicates or seed (their
    /// weights would not line up); `self` is left unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::bootstrap::PoissonBootstrap;
    ///
    /// let mut a = PoissonBootstrap::new(100, 7)?;
    /// a.accumulate(1, 2.0)?;
    /// let mut b = PoissonBootstrap::new(100, 7)?;
    /// b.accumulate(2, 3.0)?;
    /// a.merge(&b)?;
    /// assert_eq!(a.units(), 2);
    /// assert!(a.merge(&PoissonBootstrap::new(100, 8)?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn merge(&mut self, other: &PoissonBootstrap) -> Result<(), ExperimentError> {
        if self.seed != other.seed || self.replicates() != other.replicates() {
            return Err(invalid_input(
                "Poisson bootstrap shards",
                format!(
                    "cannot merge (replicates {}, seed {}) with (replicates {}, seed {})",
                    self.replicates(),
                    self.seed,
                    other.replicates(),
                    other.seed
                ),
            ));
        }
        self.units += other.units;
        self.sum.merge(&other.sum);
        for (w, ow) in self.weights.iter_mut().zip(&other.weights) {
            *w += ow;
        }
        for (s, os) in self.weighted_sums.iter_mut().zip(&other.weighted_sums) {
            s.merge(os);
        }
        Ok(())
    }

    /// The mean Σx / n of the arm's values.
    fn mean(&self) -> f64 {
        self.sum.value() / self.units as f64
    }

    /// A percentile interval for mean(treatment) − mean(control) from two arms' accumulators.
    ///
    /// The estimate is the difference of the plain means; each replicate's difference is
    /// Σw·x/Σw (treatment) − Σw·x/Σw (control); the interval is the α/2 and 1 − α/2 quantiles
    /// of those differences (linear interpolation), and the standard error their standard
    /// deviation. A replicate in which an arm's weights are all zero (probability e⁻ⁿ) has
    /// no mean and is left out; [`BootstrapOutcome::replicates`] counts the replicates used.
    /// The arms' seeds may differ, but their replicate counts must agree.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] when the arms have different replicate counts, fewer
    /// than 2 replicates are usable, or a sum overflows; [`ExperimentError::TooFewUnits`] when
    /// an arm has fewer than 2 units.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::Alpha;
    /// use prodops_experiment::bootstrap::PoissonBootstrap;
    ///
    /// let mut control = PoissonBootstrap::new(500, 1)?;
    /// let mut treatment = PoissonBootstrap::new(500, 1)?;
    /// for id in 0..400_u64 {
    ///     let x = (id % 7) as f64;
    ///     if id % 2 == 0 { control.accumulate(id, x)? } else { treatment.accumulate(id, x + 2.0)? }
    /// }
    /// let out = PoissonBootstrap::mean_difference_ci(&control, &treatment, Alpha::new(0.05)?)?;
    /// assert!(out.ci.lower > 0.0);
    /// assert!(out.std_error > 0.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mean_difference_ci(
        control: &PoissonBootstrap,
        treatment: &PoissonBootstrap,
        alpha: Alpha,
    ) -> Result<BootstrapOutcome, ExperimentError> {
        if control.replicates() != treatment.replicates() {
            return Err(invalid_input(
                "Poisson bootstrap arms",
                format!(
                    "control has {} replicates but treatment has {}",
                    control.replicates(),
                    treatment.replicates()
                ),
            ));
        }
        for (arm, acc) in [("control", control), ("treatment", treatment)] {
            if acc.units < 2 {
                return Err(ExperimentError::TooFewUnits {
                    arm: arm.to_owned(),
                    n: acc.units,
                    min: 2,
                });
            }
        }
        let estimate = treatment.mean() - control.mean();
        let replicate_mean = |acc: &PoissonBootstrap, r: usize| {
            let w = acc.weights[r];
            (w > 0).then(|| acc.weighted_sums[r].value() / w as f64)
        };
        let diffs: Vec<f64> = (0..control.replicates())
            .filter_map(|r| Some(replicate_mean(treatment, r)? - replicate_mean(control, r)?))
            .collect();
        summarize(estimate, diffs, alpha)
    }
}

impl Add for PoissonBootstrap {
    /// Merging can fail (different replicates or seeds), so `+` returns a `Result`.
    type Output = Result<PoissonBootstrap, ExperimentError>;

    /// The accumulator of both shards' units ([`PoissonBootstrap::merge`]).
    fn add(mut self, rhs: PoissonBootstrap) -> Self::Output {
        self.merge(&rhs)?;
        Ok(self)
    }
}
