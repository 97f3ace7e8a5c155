//! CSAT, CES and any other rated scale: the top-box share with a Wilson interval and the mean
//! with a t interval, both from mergeable counts.

use serde::Serialize;

use prodops_experiment::dist::{norm_ppf, t_ppf};
use prodops_experiment::{Alpha, Analysis, Interval, ProportionSe, ProportionStats, TestOutcome};

use super::NpsAnalysis;
use super::counts::ScaleCounts;
use super::nps::NpsSummary;
use super::scale::{Bucket, Reducer};
use crate::KpiError;
use crate::error::invalid_input;

/// A share (top box, "% agree") with its interval, in percent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ShareEstimate {
    /// Answers in the box.
    pub successes: u64,
    /// All answers.
    pub n: u64,
    /// successes/n in percent.
    pub share: f64,
    /// The Wilson score interval in percent.
    pub ci: Interval,
    /// The confidence level 1 − α.
    pub confidence: f64,
}

impl ShareEstimate {
    /// The share `successes/n` with a Wilson interval at 1 − α.
    ///
    /// # Errors
    ///
    /// As [`wilson_interval`].
    pub fn new(successes: u64, n: u64, alpha: Alpha) -> Result<ShareEstimate, KpiError> {
        let ci = wilson_interval(successes, n, alpha)?;
        Ok(ShareEstimate {
            successes,
            n,
            share: 100.0 * successes as f64 / n as f64,
            ci: Interval {
                lower: 100.0 * ci.lower,
                upper: 100.0 * ci.upper,
            },
            confidence: alpha.confidence(),
        })
    }
}

fn check_share(successes: u64, n: u64) -> Result<f64, KpiError> {
    if n == 0 {
        return Err(KpiError::EmptySample {
            what: "a share of zero answers".into(),
        });
    }
    if successes > n {
        return Err(invalid_input(
            "share",
            format!("{successes} successes out of {n} answers"),
        ));
    }
    Ok(successes as f64 / n as f64)
}

/// The Wilson score interval of a proportion, as fractions in [0, 1]:
/// centre (p̂ + z²/(2n))/(1 + z²/n), half-width z·√(p̂(1 − p̂)/n + z²/(4n²))/(1 + z²/n).
/// Unlike Wald it keeps a positive width at p̂ = 0 or 1 and stays inside [0, 1].
///
/// # Errors
///
/// [`KpiError::EmptySample`] when `n = 0`; [`KpiError::InvalidInput`] when `successes > n`.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_kpi::survey::wilson_interval;
///
/// let ci = wilson_interval(0, 20, Alpha::default())?;
/// assert_eq!(ci.lower, 0.0);
/// assert!(ci.upper > 0.15 && ci.upper < 0.17); // statsmodels: 0.16113
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn wilson_interval(successes: u64, n: u64, alpha: Alpha) -> Result<Interval, KpiError> {
    let p = check_share(successes, n)?;
    let z = norm_ppf(1.0 - alpha.get() / 2.0);
    let (nf, z2) = (n as f64, z * z);
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // At p̂ = 0 (or 1) the bound is exactly 0 (or 1) in exact arithmetic; set it so rounding
    // does not leave 1e-18.
    Ok(Interval {
        lower: if successes == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        upper: if successes == n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    })
}

/// The Wald interval p̂ ± z·√(p̂(1 − p̂)/n) of a proportion, as fractions clipped to [0, 1]
/// (as statsmodels' `proportion_confint(method='normal')`): the textbook interval, kept for
/// comparison with [`wilson_interval`]. It collapses to a point at p̂ = 0 or 1.
///
/// # Errors
///
/// As [`wilson_interval`].
pub fn wald_share_interval(successes: u64, n: u64, alpha: Alpha) -> Result<Interval, KpiError> {
    let p = check_share(successes, n)?;
    let z = norm_ppf(1.0 - alpha.get() / 2.0);
    let half = z * (p * (1.0 - p) / n as f64).sqrt();
    Ok(Interval {
        lower: (p - half).max(0.0),
        upper: (p + half).min(1.0),
    })
}

/// A mean with its t interval, in scale units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MeanEstimate {
    /// Answers.
    pub n: u64,
    /// x̄.
    pub mean: f64,
    /// The sample standard deviation s (n − 1 denominator).
    pub std_dev: f64,
    /// s/√n.
    pub std_error: f64,
    /// x̄ ± t_{n−1, 1−α/2}·s/√n.
    pub ci: Interval,
    /// n − 1.
    pub df: f64,
    /// The confidence level 1 − α.
    pub confidence: f64,
}

impl MeanEstimate {
    /// The mean and t interval from the mergeable sums n, Σx and Σx².
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] for fewer than 2 answers; [`KpiError::InvalidInput`] for
    /// non-finite sums.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::Alpha;
    /// use prodops_kpi::survey::MeanEstimate;
    ///
    /// // Answers 5, 6, 7: x̄ = 6, s = 1, SE = 1/√3, t_{2, 0.975} = 4.302653.
    /// let m = MeanEstimate::from_sums(3, 18.0, 110.0, Alpha::default())?;
    /// assert!((m.mean - 6.0).abs() < 1e-12);
    /// assert!((m.ci.upper - (6.0 + 4.302652729911275 / 3f64.sqrt())).abs() < 1e-9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_sums(
        n: u64,
        sum: f64,
        sum_sq: f64,
        alpha: Alpha,
    ) -> Result<MeanEstimate, KpiError> {
        if n < 2 {
            return Err(KpiError::EmptySample {
                what: format!("a t interval needs at least 2 answers, got {n}"),
            });
        }
        if !(sum.is_finite() && sum_sq.is_finite()) {
            return Err(invalid_input(
                "sums",
                format!("Σx = {sum} and Σx² = {sum_sq} must be finite"),
            ));
        }
        let nf = n as f64;
        let mean = sum / nf;
        // Σ(x − x̄)² = Σx² − n·x̄²; rounding may leave a tiny negative for constant answers.
        let var = ((sum_sq - nf * mean * mean) / (nf - 1.0)).max(0.0);
        Self::finish(n, mean, var, alpha)
    }

    /// The mean and t interval of the answers in `counts`, computed around the mean so the
    /// variance keeps full precision.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] for fewer than 2 answers.
    pub fn from_counts(counts: &ScaleCounts, alpha: Alpha) -> Result<MeanEstimate, KpiError> {
        let n = counts.n();
        if n < 2 {
            return Err(KpiError::EmptySample {
                what: format!("a t interval needs at least 2 answers, got {n}"),
            });
        }
        let nf = n as f64;
        let mean = counts.sums().0 / nf;
        let ss: f64 = counts
            .iter()
            .map(|(v, c)| c as f64 * (f64::from(v) - mean).powi(2))
            .sum();
        Self::finish(n, mean, ss / (nf - 1.0), alpha)
    }

    fn finish(n: u64, mean: f64, var: f64, alpha: Alpha) -> Result<MeanEstimate, KpiError> {
        let df = (n - 1) as f64;
        let std_dev = var.sqrt();
        let std_error = std_dev / (n as f64).sqrt();
        let t = t_ppf(1.0 - alpha.get() / 2.0, df)?;
        Ok(MeanEstimate {
            n,
            mean,
            std_dev,
            std_error,
            ci: Interval {
                lower: mean - t * std_error,
                upper: mean + t * std_error,
            },
            df,
            confidence: alpha.confidence(),
        })
    }
}

/// The summary of a CSAT, CES or other rated question: the top-box share (CSAT top-2-box,
/// CES "% agree") with a Wilson interval, and the mean with a t interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RatingSummary {
    /// Answers.
    pub n: u64,
    /// The top-box share in percent with its Wilson interval.
    pub top_box: ShareEstimate,
    /// The mean with its t interval; `None` with fewer than 2 answers, where no t interval
    /// exists.
    pub mean: Option<MeanEstimate>,
}

impl RatingSummary {
    /// Summarises tallies of any scale at confidence 1 − α.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when there are no answers.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::Alpha;
    /// use prodops_kpi::survey::{RatedScale, RatingSummary, ScaleCounts};
    ///
    /// let csat = ScaleCounts::from_scores(RatedScale::csat_5(), [5, 4, 4, 3, 1].map(f64::from))?;
    /// let s = RatingSummary::from_counts(&csat, Alpha::default())?;
    /// assert_eq!(s.top_box.share, 60.0); // 3 of 5 answers are 4 or 5
    /// assert!(s.mean.is_some_and(|m| (m.mean - 3.4).abs() < 1e-12));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_counts(counts: &ScaleCounts, alpha: Alpha) -> Result<RatingSummary, KpiError> {
        let n = counts.n();
        let top_box = ShareEstimate::new(counts.bucket_count(Bucket::Top), n, alpha)?;
        let mean = if n >= 2 {
            Some(MeanEstimate::from_counts(counts, alpha)?)
        } else {
            None
        };
        Ok(RatingSummary { n, top_box, mean })
    }
}

/// The headline of a scale, chosen by its [`Reducer`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum ScaleSummary {
    /// A net scale: NPS with its interval.
    Net(NpsSummary),
    /// A top-box or mean scale: both the share and the mean; the reducer says which is the
    /// headline.
    Rating {
        /// The scale's reducer ([`Reducer::TopBox`] or [`Reducer::Mean`]).
        reducer: Reducer,
        /// The share and mean.
        summary: RatingSummary,
    },
}

impl ScaleCounts {
    /// The summary the scale declares: NPS (with `nps`' interval and α) for a net scale, the
    /// [`RatingSummary`] otherwise (at `nps`' α).
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] when there are no answers.
    pub fn summarize(&self, nps: &NpsAnalysis) -> Result<ScaleSummary, KpiError> {
        match self.scale().reducer() {
            Reducer::Net => Ok(ScaleSummary::Net(nps.summarize(self)?)),
            reducer => Ok(ScaleSummary::Rating {
                reducer,
                summary: RatingSummary::from_counts(self, nps.alpha())?,
            }),
        }
    }

    /// The top box as experiment proportion statistics (n, answers in the top box).
    ///
    /// # Errors
    ///
    /// [`KpiError::Experiment`] if the top box held more answers than the total, which the
    /// counts' construction rules out.
    pub fn top_box_stats(&self) -> Result<ProportionStats, KpiError> {
        Ok(ProportionStats::new(
            self.n(),
            self.bucket_count(Bucket::Top),
        )?)
    }
}

/// Tests a change in the top-box share (CSAT, CES "% agree") from `before` to `after` with
/// `prodops-experiment`'s two-proportion z test; `analysis` sets α, the alternative and the
/// absolute or relative scale, `se` the p-value's standard error. The estimate is a
/// difference of fractions (not percent), as in `prodops-experiment`.
///
/// # Errors
///
/// [`KpiError::IncompatibleOptions`] when the scales differ; [`KpiError::Experiment`] when an
/// arm has fewer than 2 answers or neither arm has any variance.
///
/// # Examples
///
/// ```
/// use prodops_experiment::{Analysis, ProportionSe};
/// use prodops_kpi::survey::{RatedScale, ScaleCounts, top_box_change};
///
/// let before = ScaleCounts::from_counts(RatedScale::csat_5(), vec![10, 10, 30, 30, 20])?;
/// let after = ScaleCounts::from_counts(RatedScale::csat_5(), vec![5, 5, 20, 40, 30])?;
/// let t = top_box_change(&before, &after, &Analysis::default(), ProportionSe::Pooled)?;
/// assert!((t.estimate - 0.2).abs() < 1e-12); // 70% − 50%
/// assert!(t.p_value < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn top_box_change(
    before: &ScaleCounts,
    after: &ScaleCounts,
    analysis: &Analysis,
    se: ProportionSe,
) -> Result<TestOutcome, KpiError> {
    if before.scale() != after.scale() {
        return Err(KpiError::IncompatibleOptions {
            reason: format!(
                "cannot compare top boxes of scale {} and scale {}",
                before.scale(),
                after.scale()
            ),
        });
    }
    Ok(analysis.proportions(&before.top_box_stats()?, &after.top_box_stats()?, se)?)
}
