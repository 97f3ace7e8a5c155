//! Survey metrics with an interval on every number: NPS, CSAT, CES and any rated scale.
//!
//! The inputs are counts. A [`RatedScale`] declares a question (its range, top and bottom
//! boxes and headline [`Reducer`]); [`ScaleCounts`] tallies answers per scale point and merges
//! exactly with `+` or `Sum`, so shards, days and warehouse query results combine before any
//! statistic is computed. [`WeightedScaleCounts`] keeps Σw and Σw² per point, which is all
//! weighted NPS needs, so it merges too.
//!
//! - **NPS** ([`NpsAnalysis`] → [`NpsSummary`]): promoters, passives, detractors and the
//!   score with an adjusted-Wald interval (the default, Rocks 2016), Wald, the score
//!   interval, a seeded Multinomial bootstrap, or a Bayesian Dirichlet credible interval;
//!   the two-sample test of independent samples ([`NpsComparison`]); a paired test and a
//!   paired bootstrap for panels of the same respondents ([`PanelCounts`]); the margin of
//!   error; sample sizes for a margin or a detectable difference.
//! - **Weighted NPS** ([`WeightedNpsSummary`]): the Kish effective n, a simple and a
//!   linearised standard error.
//! - **CSAT and CES** ([`RatingSummary`]): the top-box share with a Wilson interval and the
//!   mean with a t interval; [`top_box_change`] tests a change with `prodops-experiment`.
//! - **Frames** ([`SurveyQuery`]): all of the above by any segment columns and a time grain
//!   from a polars `DataFrame` or `LazyFrame`, counted in one `group_by` pass.
//!
//! ## Scales and units
//!
//! Statistics are computed on the [−1, 1] scale of the recoded answers (+1 promoter, 0
//! passive, −1 detractor), and every result is reported on the display scale: NPS, its
//! interval, standard error and margin in points on −100..=100, shares in percent, means in
//! scale units. Intervals are clipped to the possible range and flagged when clipped. A 0–10
//! question is never NPS unless declared: only a scale with [`Reducer::Net`] (such as
//! [`RatedScale::nps`]) has an NPS.
//!
//! ## Example
//!
//! ```
//! use prodops_kpi::survey::{NpsAnalysis, NpsMethod, RatedScale, ScaleCounts, VarianceGuess};
//!
//! // Two shards of answers to the NPS question, merged exactly.
//! let web = ScaleCounts::from_scores(RatedScale::nps(), [10, 9, 9, 8, 7, 6, 3, 10].map(f64::from))?;
//! let email = ScaleCounts::from_scores(RatedScale::nps(), [9, 10, 2, 8].map(f64::from))?;
//! let all = (web + email)?;
//!
//! // 6 promoters, 3 passives, 3 detractors of 12: NPS = 100·(6 − 3)/12 = 25.
//! let nps = NpsAnalysis::default().summarize(&all)?;
//! assert_eq!((nps.promoters, nps.passives, nps.detractors), (6, 3, 3));
//! assert!((nps.score - 25.0).abs() < 1e-12);
//! // The adjusted-Wald interval is centred on NPS′ = 100·(6.75 − 3.75)/15 = 20.
//! assert!((nps.centre - 20.0).abs() < 1e-12);
//! assert!(nps.ci.lower < nps.score && nps.score < nps.ci.upper);
//!
//! // The same counts under a Bayesian model.
//! let bayes = NpsAnalysis::builder()
//!     .method(NpsMethod::Dirichlet { prior: Default::default(), draws: 4000, seed: 1 })
//!     .build()?
//!     .summarize(&all)?;
//! assert!(bayes.ci.lower < bayes.centre && bayes.centre < bayes.ci.upper);
//!
//! // How many answers for ±10 points at 95% in the worst case?
//! let n = NpsAnalysis::default().sample_size_for_margin(10.0, VarianceGuess::WorstCase)?;
//! assert_eq!(n, 382); // ⌈1.959964² / 0.1² − 3⌉ = ⌈381.15⌉
//!
//! // A 0–10 question that was not declared as NPS has no NPS.
//! let rating = ScaleCounts::from_scores(RatedScale::builder(0, 10).build()?, [9.0, 3.0])?;
//! assert!(NpsAnalysis::default().summarize(&rating).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod counts;
mod frame;
mod nps;
mod panel;
mod rating;
mod scale;
mod weighted;

pub use counts::{NpsCounts, ScaleCounts, WeightedScaleCounts};
pub use frame::{PeriodChange, SurveyGroup, SurveyQuery, SurveyQueryBuilder, SurveyTable};
pub use nps::{
    DirichletPosterior, DirichletPrior, MIN_RESAMPLES, NpsAnalysis, NpsAnalysisBuilder,
    NpsComparison, NpsMethod, NpsSummary, NpsTest, VarianceGuess,
};
pub use panel::{PairedNpsComparison, PanelCounts};
pub use rating::{
    MeanEstimate, RatingSummary, ScaleSummary, ShareEstimate, top_box_change, wald_share_interval,
    wilson_interval,
};
pub use scale::{
    Bucket, MAX_SCALE_POINTS, NpsCategory, NpsScore, RatedScale, RatedScaleBuilder, Reducer,
};
pub use weighted::WeightedNpsSummary;
