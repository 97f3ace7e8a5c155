//! Panels: the same respondents answering twice. Their two scores are correlated, so the
//! independent-samples test of [`NpsAnalysis::compare`] gets the standard error wrong (too
//! large when answers are stable, which is the usual case); these use the pairing.

use std::iter::Sum;
use std::ops::Add;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};

use prodops_experiment::Interval;
use prodops_experiment::dist::{norm_ppf, norm_sf};

use super::counts::NpsCounts;
use super::nps::{MIN_RESAMPLES, NpsAnalysis};
use super::scale::{Bucket, RatedScale};
use crate::KpiError;
use crate::error::invalid_input;

const BUCKETS: [Bucket; 3] = [Bucket::Top, Bucket::Middle, Bucket::Bottom];

fn index(b: Bucket) -> usize {
    match b {
        Bucket::Top => 0,
        Bucket::Middle => 1,
        Bucket::Bottom => 2,
    }
}

/// The recoded answer: +1 promoter, 0 passive, −1 detractor.
fn recode(i: usize) -> i64 {
    1 - i as i64
}

/// Counts of respondents by (first-wave bucket, second-wave bucket) on a net scale: the
/// sufficient statistic of a paired NPS comparison, mergeable with `+`.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{Bucket, PanelCounts, RatedScale};
///
/// let panel = PanelCounts::from_pairs(RatedScale::nps(), [(9.0, 10.0), (6.0, 9.0), (8.0, 3.0)])?;
/// assert_eq!(panel.n(), 3);
/// assert_eq!(panel.cell(Bucket::Bottom, Bucket::Top), 1);
/// assert_eq!(panel.first().promoters, 1);
/// assert_eq!(panel.second().promoters, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PanelCounts {
    /// `cells[first][second]`, buckets in the order promoter, passive, detractor.
    cells: [[u64; 3]; 3],
}

impl PanelCounts {
    /// Tallies `(first, second)` answers of the same respondents on a net scale; the
    /// zero-based position is the row reported on failure.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] for a scale not declared as a net scale;
    /// [`KpiError::ScoreOutOfRange`] for an answer off the scale.
    pub fn from_pairs<I>(scale: RatedScale, pairs: I) -> Result<PanelCounts, KpiError>
    where
        I: IntoIterator<Item = (f64, f64)>,
    {
        scale.require_net("a paired NPS comparison")?;
        let mut out = PanelCounts::default();
        for (row, (a, b)) in pairs.into_iter().enumerate() {
            let a = scale.bucket_of_valid(scale.check_score(row as u64, a)?);
            let b = scale.bucket_of_valid(scale.check_score(row as u64, b)?);
            out.cells[index(a)][index(b)] += 1;
        }
        Ok(out)
    }

    /// Adds `count` respondents who moved from bucket `first` to bucket `second`.
    pub fn add(&mut self, first: Bucket, second: Bucket, count: u64) {
        self.cells[index(first)][index(second)] += count;
    }

    /// Respondents who were in `first`, then in `second`.
    pub fn cell(&self, first: Bucket, second: Bucket) -> u64 {
        self.cells[index(first)][index(second)]
    }

    /// Respondents.
    pub fn n(&self) -> u64 {
        self.cells.iter().flatten().sum()
    }

    /// The first wave's counts.
    pub fn first(&self) -> NpsCounts {
        let row = |i: usize| self.cells[i].iter().sum();
        NpsCounts::new(row(0), row(1), row(2))
    }

    /// The second wave's counts.
    pub fn second(&self) -> NpsCounts {
        let col = |j: usize| self.cells.iter().map(|r| r[j]).sum();
        NpsCounts::new(col(0), col(1), col(2))
    }

    /// Σ(y₂ − y₁) and Σ(y₂ − y₁)² over respondents.
    fn difference_sums(&self) -> (f64, f64) {
        let mut sum = 0.0;
        let mut sum_sq = 0.0;
        for (i, row) in self.cells.iter().enumerate() {
            for (j, &c) in row.iter().enumerate() {
                let y = (recode(j) - recode(i)) as f64;
                sum += c as f64 * y;
                sum_sq += c as f64 * y * y;
            }
        }
        (sum, sum_sq)
    }
}

impl Add for PanelCounts {
    type Output = PanelCounts;

    fn add(mut self, rhs: PanelCounts) -> PanelCounts {
        for (a, b) in self
            .cells
            .iter_mut()
            .flatten()
            .zip(rhs.cells.iter().flatten())
        {
            *a += b;
        }
        self
    }
}

impl Sum for PanelCounts {
    fn sum<I: Iterator<Item = PanelCounts>>(iter: I) -> PanelCounts {
        iter.fold(PanelCounts::default(), Add::add)
    }
}

/// A paired comparison of two waves of the same respondents, `second − first`, in points.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PairedNpsComparison {
    /// Respondents.
    pub n: u64,
    /// The first wave's raw score.
    pub first_score: f64,
    /// The second wave's raw score.
    pub second_score: f64,
    /// NPS₂ − NPS₁, the mean of the per-respondent changes y₂ − y₁.
    pub difference: f64,
    /// √(s²/n) with s² the variance (n denominator) of y₂ − y₁ (Wald); the standard
    /// deviation of the resamples (bootstrap).
    pub std_error: f64,
    /// Δ / SE (Wald only).
    pub z: Option<f64>,
    /// 2·Φ.sf(|z|) (Wald only).
    pub p_value: Option<f64>,
    /// Δ ± z_{1−α/2}·SE clipped to [−200, 200] (Wald), or the percentile interval
    /// (bootstrap).
    pub ci: Interval,
    /// The confidence level 1 − α.
    pub confidence: f64,
    /// `Some((replicates, seed))` for the bootstrap, `None` for Wald.
    pub bootstrap: Option<(usize, u64)>,
}

impl NpsAnalysis {
    /// The paired Wald test of a panel: the per-respondent change y₂ − y₁ ∈ {−2, …, 2} has
    /// mean Δ = NPS₂ − NPS₁ and variance s² (n denominator, as the one-sample Wald), so
    /// SE = √(s²/n), z = Δ/SE, p = 2·Φ.sf(|z|).
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] for an empty panel; [`KpiError::InvalidInput`] when every
    /// respondent changed by the same amount (zero variance).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_kpi::survey::{Bucket, NpsAnalysis, PanelCounts};
    ///
    /// let mut panel = PanelCounts::default();
    /// panel.add(Bucket::Top, Bucket::Top, 40);
    /// panel.add(Bucket::Middle, Bucket::Top, 10);
    /// panel.add(Bucket::Middle, Bucket::Middle, 30);
    /// panel.add(Bucket::Bottom, Bucket::Bottom, 20);
    /// // Changes: 10 of +1, 90 of 0: Δ = 0.1, s² = 0.1 − 0.01 = 0.09, SE = 0.03.
    /// let t = NpsAnalysis::default().compare_paired(&panel)?;
    /// assert!((t.difference - 10.0).abs() < 1e-12);
    /// assert!((t.std_error - 3.0).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compare_paired(&self, panel: &PanelCounts) -> Result<PairedNpsComparison, KpiError> {
        let (delta, var, n) = paired_moments(panel)?;
        let se = (var / n).sqrt();
        if se <= 0.0 {
            return Err(invalid_input(
                "panel",
                "every respondent changed by the same amount, so the change has no variance",
            ));
        }
        let z = delta / se;
        let half = norm_ppf(1.0 - self.alpha().get() / 2.0) * se;
        Ok(PairedNpsComparison {
            n: panel.n(),
            first_score: panel.first().score()?,
            second_score: panel.second().score()?,
            difference: 100.0 * delta,
            std_error: 100.0 * se,
            z: Some(z),
            p_value: Some((2.0 * norm_sf(z.abs())).min(1.0)),
            ci: Interval {
                lower: 100.0 * (delta - half).max(-2.0),
                upper: 100.0 * (delta + half).min(2.0),
            },
            confidence: self.alpha().confidence(),
            bootstrap: None,
        })
    }

    /// The paired percentile bootstrap of a panel: `replicates` resamples of respondents,
    /// each drawn as Multinomial(n) over the nine (first, second) cells by sequential
    /// binomials (O(1) per resample), seeded ChaCha8.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] for an empty panel; [`KpiError::InvalidInput`] for fewer
    /// than [`MIN_RESAMPLES`] replicates.
    pub fn paired_bootstrap(
        &self,
        panel: &PanelCounts,
        replicates: usize,
        seed: u64,
    ) -> Result<PairedNpsComparison, KpiError> {
        if replicates < MIN_RESAMPLES {
            return Err(invalid_input(
                "bootstrap replicates",
                format!("need at least {MIN_RESAMPLES}, got {replicates}"),
            ));
        }
        let (delta, _, nf) = paired_moments(panel)?;
        let n = panel.n();
        let cells: Vec<(u64, f64)> = BUCKETS
            .iter()
            .flat_map(|&a| BUCKETS.iter().map(move |&b| (a, b)))
            .map(|(a, b)| {
                let y = (recode(index(b)) - recode(index(a))) as f64;
                (panel.cell(a, b), y)
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut stats = Vec::with_capacity(replicates);
        for _ in 0..replicates {
            let mut left = n;
            let mut mass = nf;
            let mut total = 0.0;
            for &(count, y) in &cells {
                if left == 0 || mass <= 0.0 {
                    break;
                }
                let p = (count as f64 / mass).min(1.0);
                let draw = Binomial::new(left, p)
                    .map_err(|e| invalid_input("binomial draw", e.to_string()))?
                    .sample(&mut rng);
                total += draw as f64 * y;
                left -= draw;
                mass -= count as f64;
            }
            stats.push(total / nf);
        }
        let mean = stats.iter().sum::<f64>() / replicates as f64;
        let var = stats.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (replicates - 1) as f64;
        stats.sort_by(f64::total_cmp);
        let a = self.alpha().get();
        let q = |level: f64| {
            let h = (replicates - 1) as f64 * level;
            let i = h.floor() as usize;
            let next = stats.get(i + 1).copied().unwrap_or(stats[i]);
            stats[i] + (h - h.floor()) * (next - stats[i])
        };
        Ok(PairedNpsComparison {
            n,
            first_score: panel.first().score()?,
            second_score: panel.second().score()?,
            difference: 100.0 * delta,
            std_error: 100.0 * var.sqrt(),
            z: None,
            p_value: None,
            ci: Interval {
                lower: 100.0 * q(a / 2.0),
                upper: 100.0 * q(1.0 - a / 2.0),
            },
            confidence: self.alpha().confidence(),
            bootstrap: Some((replicates, seed)),
        })
    }
}

/// (mean, variance with n denominator, n) of the per-respondent change.
fn paired_moments(panel: &PanelCounts) -> Result<(f64, f64, f64), KpiError> {
    let n = panel.n();
    if n == 0 {
        return Err(KpiError::EmptySample {
            what: "a panel with no respondents".into(),
        });
    }
    let nf = n as f64;
    let (sum, sum_sq) = panel.difference_sums();
    let mean = sum / nf;
    Ok((mean, (sum_sq / nf - mean * mean).max(0.0), nf))
}
