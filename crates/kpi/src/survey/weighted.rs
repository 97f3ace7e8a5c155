//! Weighted NPS with the Kish effective sample size and a linearised standard error.

use serde::Serialize;

use prodops_experiment::dist::norm_ppf;
use prodops_experiment::{Alpha, Interval};

use super::counts::WeightedScaleCounts;
use super::scale::Bucket;
use crate::KpiError;

/// Weighted NPS (survey weights or account value) with both standard errors. Numbers are on
/// the display scale: points on −100..=100 and shares in percent.
///
/// With answers recoded y ∈ {+1, 0, −1} and weights w > 0:
/// - NPS_w = Σwy/Σw, p_w and d_w the weighted promoter and detractor shares;
/// - Kish n_eff = (Σw)²/Σw²;
/// - simple SE = √([p_w + d_w − (p_w − d_w)²]/n_eff), the unweighted formula at n_eff;
/// - linearised SE of the ratio estimator = √(Σw²(y − NPS_w)²)/Σw, computed per bucket from
///   the mergeable Σw² (y is constant within a bucket), optionally ×√(n/(n − 1)).
///
/// The linearised SE reflects how the weights fall across buckets; the simple SE only their
/// spread. Weighting by revenue answers a different question ("revenue-weighted NPS"), not a
/// bias correction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WeightedNpsSummary {
    /// Answers (unweighted).
    pub n: u64,
    /// Σw.
    pub weight_sum: f64,
    /// Kish effective sample size (Σw)²/Σw².
    pub n_eff: f64,
    /// Weighted promoter share, percent.
    pub promoter_share: f64,
    /// Weighted passive share, percent.
    pub passive_share: f64,
    /// Weighted detractor share, percent.
    pub detractor_share: f64,
    /// NPS_w in points.
    pub score: f64,
    /// The simple (Kish) standard error in points.
    pub simple_std_error: f64,
    /// The linearised standard error in points.
    pub linearised_std_error: f64,
    /// Whether the linearised SE carries the √(n/(n − 1)) factor.
    pub small_sample_factor: bool,
    /// NPS_w ± z·simple SE, clipped to [−100, 100].
    pub simple_ci: Interval,
    /// NPS_w ± z·linearised SE, clipped to [−100, 100].
    pub linearised_ci: Interval,
    /// Whether either interval was clipped.
    pub clipped: bool,
    /// The confidence level 1 − α.
    pub confidence: f64,
}

impl WeightedNpsSummary {
    /// Weighted NPS of weighted tallies on a net scale at confidence 1 − α; with
    /// `small_sample_factor` the linearised SE is multiplied by √(n/(n − 1)).
    ///
    /// # Errors
    ///
    /// [`KpiError::IncompatibleOptions`] for a scale not declared as a net scale;
    /// [`KpiError::EmptySample`] with no answers, or with one answer when the small-sample
    /// factor is asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::Alpha;
    /// use prodops_kpi::survey::{RatedScale, WeightedNpsSummary, WeightedScaleCounts};
    ///
    /// let rows = [(10.0, 3.0), (9.0, 1.0), (7.0, 1.0), (2.0, 1.0)];
    /// let w = WeightedScaleCounts::from_scores(RatedScale::nps(), rows)?;
    /// let s = WeightedNpsSummary::from_counts(&w, Alpha::default(), false)?;
    /// // Σw = 6: p_w = 4/6, d_w = 1/6, NPS_w = 50; n_eff = 36/12 = 3.
    /// assert!((s.score - 50.0).abs() < 1e-12);
    /// assert!((s.n_eff - 3.0).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_counts(
        counts: &WeightedScaleCounts,
        alpha: Alpha,
        small_sample_factor: bool,
    ) -> Result<WeightedNpsSummary, KpiError> {
        counts.scale().require_net("weighted NPS")?;
        let n = counts.n();
        if n == 0 || (small_sample_factor && n < 2) {
            return Err(KpiError::EmptySample {
                what: format!(
                    "weighted NPS needs at least {} answers, got {n}",
                    if small_sample_factor { 2 } else { 1 }
                ),
            });
        }
        let (_, wp, w2p) = counts.bucket_sums(Bucket::Top);
        let (_, wa, w2a) = counts.bucket_sums(Bucket::Middle);
        let (_, wd, w2d) = counts.bucket_sums(Bucket::Bottom);
        let w = wp + wa + wd;
        let w2 = w2p + w2a + w2d;
        let (p, a, d) = (wp / w, wa / w, wd / w);
        let theta = p - d;
        let n_eff = w * w / w2;
        let simple = ((p + d - theta * theta).max(0.0) / n_eff).sqrt();
        // Σw²(y − θ)² by bucket: y = +1, 0, −1.
        let resid = w2p * (1.0 - theta).powi(2) + w2a * theta * theta + w2d * (1.0 + theta).powi(2);
        let mut linearised = resid.sqrt() / w;
        if small_sample_factor {
            let nf = n as f64;
            linearised *= (nf / (nf - 1.0)).sqrt();
        }
        let z = norm_ppf(1.0 - alpha.get() / 2.0);
        let interval = |se: f64| {
            let (lo, hi) = (theta - z * se, theta + z * se);
            let clipped = lo < -1.0 || hi > 1.0;
            (
                Interval {
                    lower: 100.0 * lo.max(-1.0),
                    upper: 100.0 * hi.min(1.0),
                },
                clipped,
            )
        };
        let (simple_ci, c1) = interval(simple);
        let (linearised_ci, c2) = interval(linearised);
        Ok(WeightedNpsSummary {
            n,
            weight_sum: w,
            n_eff,
            promoter_share: 100.0 * p,
            passive_share: 100.0 * a,
            detractor_share: 100.0 * d,
            score: 100.0 * theta,
            simple_std_error: 100.0 * simple,
            linearised_std_error: 100.0 * linearised,
            small_sample_factor,
            simple_ci,
            linearised_ci,
            clipped: c1 || c2,
            confidence: alpha.confidence(),
        })
    }
}
