//! NPS with an interval (adjusted Wald, Wald, bootstrap, Bayesian Dirichlet), the two-sample
//! test, the margin of error and sample-size planning.
//!
//! Arithmetic runs on the [−1, 1] scale of the recoded answers (+1 promoter, 0 passive, −1
//! detractor); every number a result struct exposes is on the display scale ×100: the score,
//! its interval, standard error and margin in NPS points on −100..=100, shares in percent.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Gamma};
use serde::{Deserialize, Serialize};

use prodops_experiment::dist::{norm_ppf, norm_sf};
use prodops_experiment::{Alpha, Interval, Probability};

use super::counts::{NpsCounts, ScaleCounts};
use crate::KpiError;
use crate::error::invalid_input;

/// The fewest bootstrap resamples or Monte Carlo draws accepted: percentile intervals from
/// fewer are too noisy in their tails.
pub const MIN_RESAMPLES: usize = 1000;

/// Adjusted-Wald pseudo-counts (Rocks 2016): ¾ promoter and ¾ detractor, 3 answers in all
/// (so passives gain 1.5).
const ADJ_TOTAL: f64 = 3.0;
const ADJ_EXTREME: f64 = 0.75;

/// How an NPS interval is computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum NpsMethod {
    /// Adjusted Wald (Rocks 2016, MeasuringU; the default): n′ = n + 3, P′ = P + ¾,
    /// D′ = D + ¾, the interval NPS′ ± z·√(s′²/n′) with s′² = p′ + d′ − (p′ − d′)². The
    /// reported score stays the raw NPS; the interval is centred on NPS′.
    #[default]
    AdjustedWald,
    /// Wald: NPS ± z·√(s²/n), s² = p + d − (p − d)². Zero width when every answer is in one
    /// bucket.
    Wald,
    /// Percentile bootstrap over `replicates` Multinomial(n; p, a, d) resamples of the
    /// counts, O(1) each. `seed` seeds ChaCha8; it is `None` only in results of
    /// [`NpsAnalysis::bootstrap_with`], where the caller's RNG was used.
    Bootstrap {
        /// Number of resamples, at least [`MIN_RESAMPLES`].
        replicates: usize,
        /// The ChaCha8 seed.
        seed: Option<u64>,
    },
    /// The score interval: every θ whose score test of p − d = θ is not rejected,
    /// |NPS − θ| <= z·√(V(θ)), with V(θ) = [2·d̃(θ) + θ(1 − θ)]/n at the maximum-likelihood
    /// detractor share d̃(θ) under the constraint p − d = θ (a closed-form quadratic root, as
    /// in Tango's 1998 interval for paired proportions). The bounds are found by bisection;
    /// Rocks 2016 found an iterative score interval among the best performers for NPS. The
    /// interval always contains the raw score and lies in [−100, 100]; `centre` is its
    /// midpoint and `std_error` the Wald SE at the estimate.
    Score,
    /// Bayesian Dirichlet–multinomial: posterior Dir(α + (P, A, D)); exact posterior mean and
    /// standard deviation; equal-tailed credible interval from `draws` Gamma-draw Monte Carlo
    /// samples seeded with `seed` (ChaCha8).
    Dirichlet {
        /// The prior.
        prior: DirichletPrior,
        /// Monte Carlo draws, at least [`MIN_RESAMPLES`].
        draws: usize,
        /// The ChaCha8 seed.
        seed: u64,
    },
}

/// The Dirichlet prior on (promoter, passive, detractor) shares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirichletPrior {
    /// Dir(1, 1, 1), uniform on the simplex.
    #[default]
    Uniform,
    /// Dir(½, ½, ½), Jeffreys' prior.
    Jeffreys,
}

impl DirichletPrior {
    /// The common concentration α of each bucket.
    pub fn concentration(self) -> f64 {
        match self {
            DirichletPrior::Uniform => 1.0,
            DirichletPrior::Jeffreys => 0.5,
        }
    }
}

/// Which variance a two-sample test, a margin of error or a sample-size plan uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NpsTest {
    /// Adjusted-Wald counts (n + 3, P + ¾, D + ¾); sample sizes subtract the 3 added answers.
    /// The default.
    #[default]
    AdjustedWald,
    /// Raw counts (the Wald test); sample sizes have no −3.
    Wald,
}

/// An NPS with its interval. Every number is on the display scale (see the field docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NpsSummary {
    /// Promoters (top box).
    pub promoters: u64,
    /// Passives.
    pub passives: u64,
    /// Detractors (bottom box).
    pub detractors: u64,
    /// All answers.
    pub n: u64,
    /// Promoters as a percentage of answers.
    pub promoter_share: f64,
    /// Passives as a percentage of answers.
    pub passive_share: f64,
    /// Detractors as a percentage of answers.
    pub detractor_share: f64,
    /// The raw NPS, 100·(P − D)/n, in points on −100..=100, whatever the interval method.
    pub score: f64,
    /// The interval in points, clipped to [−100, 100].
    pub ci: Interval,
    /// What the interval is built around, in points: NPS′ for adjusted Wald, the raw score
    /// for Wald, the mean of the resamples for the bootstrap, the posterior mean for
    /// Dirichlet, the midpoint of the score interval.
    pub centre: f64,
    /// The standard error in points: √(s²/n) (Wald and score), √(s′²/n′) (adjusted Wald), the
    /// standard deviation of the resamples (bootstrap), the exact posterior standard deviation
    /// (Dirichlet).
    pub std_error: f64,
    /// Half the width of the interval before clipping, in points.
    pub margin_of_error: f64,
    /// The confidence (or credible) level 1 − α.
    pub confidence: f64,
    /// How the interval was computed.
    pub method: NpsMethod,
    /// Whether the interval was clipped to [−100, 100].
    pub clipped: bool,
}

/// The two-sample comparison of independent samples, `second − first`, in points.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NpsComparison {
    /// The raw score of the first sample.
    pub first_score: f64,
    /// The raw score of the second sample.
    pub second_score: f64,
    /// Δ = NPS′₂ − NPS′₁ under the adjusted test, NPS₂ − NPS₁ under Wald, in points.
    pub difference: f64,
    /// NPS₂ − NPS₁ from the raw scores, in points.
    pub raw_difference: f64,
    /// √(s₁²/n₁ + s₂²/n₂) (primed under the adjusted test), in points.
    pub std_error: f64,
    /// Δ / SE.
    pub z: f64,
    /// Two-sided p-value, 2·Φ.sf(|z|).
    pub p_value: f64,
    /// Δ ± z_{1−α/2}·SE, clipped to [−200, 200].
    pub ci: Interval,
    /// Whether the interval was clipped.
    pub clipped: bool,
    /// The confidence level 1 − α.
    pub confidence: f64,
    /// The test used.
    pub test: NpsTest,
}

impl NpsComparison {
    /// Whether the difference is significant at the analysis' α (the interval excludes 0).
    pub fn significant(&self) -> bool {
        self.p_value <= 1.0 - self.confidence
    }
}

/// The per-answer variance a sample-size plan assumes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
#[non_exhaustive]
pub enum VarianceGuess {
    /// s² = 1, the maximum (half promoters, half detractors).
    WorstCase,
    /// s² from pilot counts: s′² from the adjusted counts under [`NpsTest::AdjustedWald`], the
    /// raw s² under [`NpsTest::Wald`].
    Pilot(NpsCounts),
    /// A known s² on the [−1, 1] scale, in (0, 1].
    Known(f64),
}

/// NPS settings: α, the interval method and the test, built with [`NpsAnalysis::builder`].
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{NpsAnalysis, NpsCounts, NpsMethod};
///
/// let counts = NpsCounts::new(50, 30, 20);
/// let wald = NpsAnalysis::builder().method(NpsMethod::Wald).build()?.summarize_counts(counts)?;
/// // p = 0.5, d = 0.2: NPS = 30, s² = 0.5 + 0.2 − 0.3² = 0.61, SE = √(0.61/100) ≈ 7.81 points.
/// assert!((wald.score - 30.0).abs() < 1e-12);
/// assert!((wald.std_error - 100.0 * (0.61f64 / 100.0).sqrt()).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NpsAnalysis {
    alpha: Alpha,
    method: NpsMethod,
    test: NpsTest,
}

impl Default for NpsAnalysis {
    /// α = 0.05, adjusted-Wald intervals and test.
    fn default() -> Self {
        NpsAnalysis {
            alpha: Alpha::default(),
            method: NpsMethod::default(),
            test: NpsTest::default(),
        }
    }
}

/// Builds an [`NpsAnalysis`].
#[derive(Debug, Clone, Copy)]
pub struct NpsAnalysisBuilder {
    alpha: f64,
    method: NpsMethod,
    test: NpsTest,
}

impl NpsAnalysisBuilder {
    /// The significance level α (default 0.05): intervals have confidence 1 − α.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The interval method (default adjusted Wald).
    pub fn method(mut self, method: NpsMethod) -> Self {
        self.method = method;
        self
    }

    /// The variance used by comparisons, margins and plans (default adjusted Wald).
    pub fn test(mut self, test: NpsTest) -> Self {
        self.test = test;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::Experiment`] for α outside (0, 1); [`KpiError::InvalidInput`] for fewer
    /// than [`MIN_RESAMPLES`] resamples or draws; [`KpiError::IncompatibleOptions`] for a
    /// bootstrap without a seed (pass an RNG to [`NpsAnalysis::bootstrap_with`] instead).
    pub fn build(self) -> Result<NpsAnalysis, KpiError> {
        let alpha = Alpha::new(self.alpha)?;
        match self.method {
            NpsMethod::Bootstrap { replicates, seed } => {
                check_resamples("bootstrap replicates", replicates)?;
                if seed.is_none() {
                    return Err(KpiError::IncompatibleOptions {
                        reason: "a bootstrap analysis needs a seed; to use your own RNG call \
                                 NpsAnalysis::bootstrap_with"
                            .into(),
                    });
                }
            }
            NpsMethod::Dirichlet { draws, .. } => check_resamples("Dirichlet draws", draws)?,
            NpsMethod::AdjustedWald | NpsMethod::Wald | NpsMethod::Score => {}
        }
        Ok(NpsAnalysis {
            alpha,
            method: self.method,
            test: self.test,
        })
    }
}

fn check_resamples(what: &str, count: usize) -> Result<(), KpiError> {
    if count >= MIN_RESAMPLES {
        Ok(())
    } else {
        Err(invalid_input(
            what,
            format!("need at least {MIN_RESAMPLES}, got {count}"),
        ))
    }
}

/// A Wald-type estimate on the [−1, 1] scale.
struct WaldParts {
    centre: f64,
    /// Per-answer variance s².
    unit_variance: f64,
    /// The (pseudo-)sample size the variance is divided by.
    n: f64,
}

impl WaldParts {
    fn new(c: NpsCounts, test: NpsTest) -> Result<WaldParts, KpiError> {
        if c.n() == 0 {
            return Err(KpiError::EmptySample {
                what: "NPS counts with no answers".into(),
            });
        }
        let (extra_n, extra) = match test {
            NpsTest::AdjustedWald => (ADJ_TOTAL, ADJ_EXTREME),
            NpsTest::Wald => (0.0, 0.0),
        };
        let n = c.n() as f64 + extra_n;
        let p = (c.promoters as f64 + extra) / n;
        let d = (c.detractors as f64 + extra) / n;
        let centre = p - d;
        // p + d − (p − d)² >= 0 in exact arithmetic; rounding can leave −1e-17.
        let unit_variance = (p + d - centre * centre).max(0.0);
        Ok(WaldParts {
            centre,
            unit_variance,
            n,
        })
    }

    fn std_error(&self) -> f64 {
        (self.unit_variance / self.n).sqrt()
    }
}

fn clip(lower: f64, upper: f64, bound: f64) -> (Interval, bool) {
    let clipped = lower < -bound || upper > bound;
    (
        Interval {
            lower: lower.max(-bound),
            upper: upper.min(bound),
        },
        clipped,
    )
}

/// The `q` quantile of sorted values by linear interpolation between order statistics
/// (numpy's default, R type 7).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor();
    let i = lo as usize;
    match sorted.get(i + 1) {
        Some(&next) => sorted[i] + (h - lo) * (next - sorted[i]),
        None => sorted[i],
    }
}

fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

impl NpsAnalysis {
    /// Settings to adjust; defaults are α = 0.05 and adjusted Wald.
    pub fn builder() -> NpsAnalysisBuilder {
        NpsAnalysisBuilder {
            alpha: 0.05,
            method: NpsMethod::default(),
            test: NpsTest::default(),
        }
    }

    /// The significance level.
    pub fn alpha(&self) -> Alpha {
        self.alpha
    }

    /// The interval method.
    pub fn method(&self) -> NpsMethod {
        self.method
    }

    /// The test used for comparisons and plans.
    pub fn test(&self) -> NpsTest {
        self.test
    }

    fn z(&self) -> f64 {
        norm_ppf(1.0 - self.alpha.get() / 2.0)
    }

    /// NPS of counts on a net scale.
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] when the scale was not declared as a net scale (a
    /// 0–10 rating is not NPS unless declared); otherwise as
    /// [`NpsAnalysis::summarize_counts`].
    pub fn summarize(&self, counts: &ScaleCounts) -> Result<NpsSummary, KpiError> {
        self.summarize_counts(counts.nps_counts()?)
    }

    /// NPS of promoter / passive / detractor counts with the analysis' interval.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when there are no answers.
    pub fn summarize_counts(&self, counts: NpsCounts) -> Result<NpsSummary, KpiError> {
        let z = self.z();
        match self.method {
            NpsMethod::AdjustedWald | NpsMethod::Wald => {
                let test = if self.method == NpsMethod::Wald {
                    NpsTest::Wald
                } else {
                    NpsTest::AdjustedWald
                };
                let w = WaldParts::new(counts, test)?;
                let half = z * w.std_error();
                let (ci, clipped) = clip(w.centre - half, w.centre + half, 1.0);
                self.finish(counts, ci, w.centre, w.std_error(), half, clipped)
            }
            NpsMethod::Bootstrap { replicates, seed } => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed.unwrap_or_default());
                let mut out = self.bootstrap_inner(counts, replicates, &mut rng)?;
                out.method = self.method;
                Ok(out)
            }
            NpsMethod::Dirichlet { prior, draws, seed } => {
                self.dirichlet(counts, prior, draws, seed)
            }
            NpsMethod::Score => {
                let (lower, upper) = score_interval(counts, z)?;
                let ci = Interval { lower, upper };
                let se = WaldParts::new(counts, NpsTest::Wald)?.std_error();
                self.finish(
                    counts,
                    ci,
                    (lower + upper) / 2.0,
                    se,
                    ci.half_width(),
                    false,
                )
            }
        }
    }

    fn finish(
        &self,
        c: NpsCounts,
        ci: Interval,
        centre: f64,
        std_error: f64,
        margin: f64,
        clipped: bool,
    ) -> Result<NpsSummary, KpiError> {
        let n = c.n();
        let (p, d) = c.shares()?;
        let a = c.passives as f64 / n as f64;
        Ok(NpsSummary {
            promoters: c.promoters,
            passives: c.passives,
            detractors: c.detractors,
            n,
            promoter_share: 100.0 * p,
            passive_share: 100.0 * a,
            detractor_share: 100.0 * d,
            score: 100.0 * (p - d),
            ci: Interval {
                lower: 100.0 * ci.lower,
                upper: 100.0 * ci.upper,
            },
            centre: 100.0 * centre,
            std_error: 100.0 * std_error,
            margin_of_error: 100.0 * margin,
            confidence: self.alpha.confidence(),
            method: self.method,
            clipped,
        })
    }

    /// The percentile bootstrap with the caller's RNG: `replicates` resamples of the counts
    /// from Multinomial(n; p, a, d), each drawn as P* ~ Bin(n, p), D* ~ Bin(n − P*, d/(1 − p))
    /// in O(1). The result's method is [`NpsMethod::Bootstrap`] with `seed: None`.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when there are no answers; [`KpiError::InvalidInput`] for
    /// fewer than [`MIN_RESAMPLES`] replicates.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_kpi::survey::{NpsAnalysis, NpsCounts};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    /// let s = NpsAnalysis::default().bootstrap_with(NpsCounts::new(50, 30, 20), 2000, &mut rng)?;
    /// assert!(s.ci.lower < 30.0 && 30.0 < s.ci.upper);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bootstrap_with<R: Rng + ?Sized>(
        &self,
        counts: NpsCounts,
        replicates: usize,
        rng: &mut R,
    ) -> Result<NpsSummary, KpiError> {
        check_resamples("bootstrap replicates", replicates)?;
        self.bootstrap_inner(counts, replicates, rng)
    }

    fn bootstrap_inner<R: Rng + ?Sized>(
        &self,
        c: NpsCounts,
        replicates: usize,
        rng: &mut R,
    ) -> Result<NpsSummary, KpiError> {
        let (p, d) = c.shares()?;
        let n = c.n();
        let promoters = binomial(n, p)?;
        // Detractors among the non-promoters; with no non-promoters left the draw is 0.
        let d_given = if p < 1.0 {
            (d / (1.0 - p)).min(1.0)
        } else {
            0.0
        };
        let mut stats = Vec::with_capacity(replicates);
        for _ in 0..replicates {
            let pb = promoters.sample(rng);
            let db = binomial(n - pb, d_given)?.sample(rng);
            stats.push((pb as f64 - db as f64) / n as f64);
        }
        let (mean, sd) = mean_and_sd(&stats);
        stats.sort_by(f64::total_cmp);
        let a = self.alpha.get();
        let ci = Interval {
            lower: quantile_sorted(&stats, a / 2.0),
            upper: quantile_sorted(&stats, 1.0 - a / 2.0),
        };
        let mut out = self.finish(c, ci, mean, sd, ci.half_width(), false)?;
        out.method = NpsMethod::Bootstrap {
            replicates,
            seed: None,
        };
        Ok(out)
    }

    fn dirichlet(
        &self,
        c: NpsCounts,
        prior: DirichletPrior,
        draws: usize,
        seed: u64,
    ) -> Result<NpsSummary, KpiError> {
        let post = DirichletPosterior::new(c, prior);
        let gamma = |shape: f64| {
            Gamma::new(shape, 1.0).map_err(|e| invalid_input("Dirichlet posterior", e.to_string()))
        };
        let (gp, ga, gd) = (gamma(post.a_p)?, gamma(post.a_a)?, gamma(post.a_d)?);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut theta = Vec::with_capacity(draws);
        for _ in 0..draws {
            let (x, y, w) = (
                gp.sample(&mut rng),
                ga.sample(&mut rng),
                gd.sample(&mut rng),
            );
            theta.push((x - w) / (x + y + w));
        }
        theta.sort_by(f64::total_cmp);
        let a = self.alpha.get();
        let ci = Interval {
            lower: quantile_sorted(&theta, a / 2.0),
            upper: quantile_sorted(&theta, 1.0 - a / 2.0),
        };
        self.finish(
            c,
            ci,
            post.mean(),
            post.variance().sqrt(),
            ci.half_width(),
            false,
        )
    }

    /// The margin of error z_{1−α/2}·SE in points under the analysis' test (adjusted Wald by
    /// default).
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when there are no answers.
    pub fn margin_of_error(&self, counts: NpsCounts) -> Result<f64, KpiError> {
        Ok(100.0 * self.z() * WaldParts::new(counts, self.test)?.std_error())
    }

    /// Tests whether two independent samples (segments, or periods with different
    /// respondents) differ: Δ = NPS′₂ − NPS′₁, SE = √(s′₁²/n′₁ + s′₂²/n′₂), z = Δ/SE,
    /// p = 2·Φ.sf(|z|), CI = Δ ± z_{1−α/2}·SE (unprimed under [`NpsTest::Wald`]).
    ///
    /// A panel (the same respondents asked twice) breaks the independence this test assumes,
    /// so its SE is wrong there (usually too large, as answers are positively correlated):
    /// use [`NpsAnalysis::compare_paired`] or [`NpsAnalysis::paired_bootstrap`] instead.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when either sample is empty; [`KpiError::InvalidInput`] when
    /// the standard error is zero (only possible under Wald, when each sample has every answer
    /// in one bucket).
    pub fn compare(&self, first: NpsCounts, second: NpsCounts) -> Result<NpsComparison, KpiError> {
        let a = WaldParts::new(first, self.test)?;
        let b = WaldParts::new(second, self.test)?;
        let se = (a.unit_variance / a.n + b.unit_variance / b.n).sqrt();
        if se <= 0.0 {
            return Err(invalid_input(
                "samples",
                "the standard error is zero (each sample has every answer in one bucket); \
                 use the adjusted-Wald test",
            ));
        }
        let delta = b.centre - a.centre;
        let z = delta / se;
        let half = self.z() * se;
        let (ci, clipped) = clip(delta - half, delta + half, 2.0);
        Ok(NpsComparison {
            first_score: first.score()?,
            second_score: second.score()?,
            difference: 100.0 * delta,
            raw_difference: second.score()? - first.score()?,
            std_error: 100.0 * se,
            z,
            p_value: (2.0 * norm_sf(z.abs())).min(1.0),
            ci: Interval {
                lower: 100.0 * ci.lower,
                upper: 100.0 * ci.upper,
            },
            clipped,
            confidence: self.alpha.confidence(),
            test: self.test,
        })
    }

    fn guess_variance(&self, guess: VarianceGuess) -> Result<f64, KpiError> {
        match guess {
            VarianceGuess::WorstCase => Ok(1.0),
            VarianceGuess::Pilot(c) => {
                let s2 = WaldParts::new(c, self.test)?.unit_variance;
                if s2 > 0.0 {
                    Ok(s2)
                } else {
                    Err(invalid_input(
                        "pilot",
                        "its answers are all in one bucket, so its variance is 0; use \
                         VarianceGuess::WorstCase or the adjusted-Wald test",
                    ))
                }
            }
            VarianceGuess::Known(s2) if s2 > 0.0 && s2 <= 1.0 => Ok(s2),
            VarianceGuess::Known(s2) => Err(invalid_input(
                "variance",
                format!("the per-answer NPS variance is in (0, 1], got {s2}"),
            )),
        }
    }

    fn round_up_size(&self, raw: f64) -> u64 {
        let subtract = match self.test {
            NpsTest::AdjustedWald => ADJ_TOTAL,
            NpsTest::Wald => 0.0,
        };
        // A hair below an integer is that integer: z²s²/E² computed in floating point can
        // land 1 ulp above an exact integer, and that ulp must not cost a respondent.
        let n = (raw - subtract - 1e-9).ceil();
        // Saturates for absurd targets; at least one answer is needed for any estimate.
        (n.max(1.0)) as u64
    }

    /// Answers needed for a margin of error of `margin` NPS points at 1 − α:
    /// n = ⌈z²·s²/E² − 3⌉ with E = margin/100 (no −3 under [`NpsTest::Wald`]), at least 1.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] unless `0 < margin <= 200`, or for an invalid variance
    /// guess.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_kpi::survey::{NpsAnalysis, VarianceGuess};
    ///
    /// // ±5 points at 95% in the worst case: 1.959964² · 1 / 0.05² − 3 = 1533.6 → 1534.
    /// let n = NpsAnalysis::default().sample_size_for_margin(5.0, VarianceGuess::WorstCase)?;
    /// assert_eq!(n, 1534);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sample_size_for_margin(
        &self,
        margin: f64,
        variance: VarianceGuess,
    ) -> Result<u64, KpiError> {
        if !(margin > 0.0 && margin <= 200.0) {
            return Err(invalid_input(
                "margin of error",
                format!("must be in (0, 200] NPS points, got {margin}"),
            ));
        }
        let s2 = self.guess_variance(variance)?;
        let e = margin / 100.0;
        let z = self.z();
        Ok(self.round_up_size(z * z * s2 / (e * e)))
    }

    /// Answers needed per group to detect a difference of `difference` NPS points with power
    /// `power` in a two-sided test at α: n = ⌈(z_{1−α/2} + z_{power})²·(s₁² + s₂²)/Δ² − 3⌉
    /// (no −3 under [`NpsTest::Wald`]), at least 1.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] unless `0 < |difference| <= 200`; [`KpiError::Experiment`]
    /// for a power outside (0, 1); or for an invalid variance guess.
    pub fn sample_size_for_difference(
        &self,
        difference: f64,
        power: f64,
        first: VarianceGuess,
        second: VarianceGuess,
    ) -> Result<u64, KpiError> {
        if !(difference.abs() > 0.0 && difference.abs() <= 200.0) {
            return Err(invalid_input(
                "difference",
                format!("must be non-zero and at most 200 NPS points, got {difference}"),
            ));
        }
        let power = Probability::new(power)?.get();
        let s2 = self.guess_variance(first)? + self.guess_variance(second)?;
        let zsum = self.z() + norm_ppf(power);
        let delta = difference / 100.0;
        Ok(self.round_up_size(zsum * zsum * s2 / (delta * delta)))
    }
}

/// Bisection steps for the score interval: each halves a bracket of width at most 2, so 64
/// steps reach the spacing of doubles near the bounds.
const SCORE_BISECTIONS: usize = 64;

/// The score interval on [−1, 1]; see [`NpsMethod::Score`].
fn score_interval(c: NpsCounts, z: f64) -> Result<(f64, f64), KpiError> {
    let (p_hat, d_hat) = c.shares()?;
    let theta_hat = p_hat - d_hat;
    let n = c.n() as f64;
    let (pc, dc) = (c.promoters as f64, c.detractors as f64);
    // (NPS − θ)² − z²·V(θ): not positive exactly on the interval.
    let excess = |theta: f64| {
        let spread = theta * (1.0 - theta);
        // The constrained MLE of d solves 2n·d² + W·d − D·θ(1 − θ) = 0 (its positive root).
        let w = -pc - dc + (2.0 * n - pc + dc) * theta;
        let disc = (w * w + 8.0 * n * dc * spread).max(0.0);
        let d_tilde = (disc.sqrt() - w) / (4.0 * n);
        let v = ((2.0 * d_tilde + spread) / n).max(0.0);
        (theta_hat - theta).powi(2) - z * z * v
    };
    // The excess is positive at θ = ±1 (where V = 0) unless the estimate is there, and not
    // positive at the estimate: bisect each side.
    let bisect = |mut outside: f64, mut inside: f64| {
        for _ in 0..SCORE_BISECTIONS {
            let mid = 0.5 * (outside + inside);
            if excess(mid) > 0.0 {
                outside = mid;
            } else {
                inside = mid;
            }
        }
        inside
    };
    let lower = if theta_hat <= -1.0 {
        -1.0
    } else {
        bisect(-1.0, theta_hat)
    };
    let upper = if theta_hat >= 1.0 {
        1.0
    } else {
        bisect(1.0, theta_hat)
    };
    Ok((lower, upper))
}

fn binomial(n: u64, p: f64) -> Result<Binomial, KpiError> {
    Binomial::new(n, p).map_err(|e| invalid_input("binomial draw", e.to_string()))
}

/// The Dirichlet posterior of the (promoter, passive, detractor) shares, with exact moments
/// of the net score.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{DirichletPosterior, DirichletPrior, NpsCounts};
///
/// // Uniform prior, 50/30/20: a = (51, 31, 21), a₀ = 103, mean (51 − 21)/103.
/// let post = DirichletPosterior::new(NpsCounts::new(50, 30, 20), DirichletPrior::Uniform);
/// assert!((post.mean() - 30.0 / 103.0).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DirichletPosterior {
    /// Posterior concentration of promoters, α_P + P.
    pub a_p: f64,
    /// Posterior concentration of passives, α_A + A.
    pub a_a: f64,
    /// Posterior concentration of detractors, α_D + D.
    pub a_d: f64,
}

impl DirichletPosterior {
    /// The posterior after observing `counts` under `prior`.
    pub fn new(counts: NpsCounts, prior: DirichletPrior) -> DirichletPosterior {
        let a = prior.concentration();
        DirichletPosterior {
            a_p: a + counts.promoters as f64,
            a_a: a + counts.passives as f64,
            a_d: a + counts.detractors as f64,
        }
    }

    fn total(&self) -> f64 {
        self.a_p + self.a_a + self.a_d
    }

    /// Posterior mean of p − d on [−1, 1]: (a_P − a_D)/a₀.
    pub fn mean(&self) -> f64 {
        (self.a_p - self.a_d) / self.total()
    }

    /// Posterior variance of p − d on [−1, 1]:
    /// [a_P(a₀ − a_P) + a_D(a₀ − a_D) + 2·a_P·a_D] / [a₀²(a₀ + 1)].
    pub fn variance(&self) -> f64 {
        let a0 = self.total();
        (self.a_p * (a0 - self.a_p) + self.a_d * (a0 - self.a_d) + 2.0 * self.a_p * self.a_d)
            / (a0 * a0 * (a0 + 1.0))
    }
}
