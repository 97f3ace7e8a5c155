//! Survey metrics: NPS, weighted NPS, CSAT and CES against scipy / statsmodels / numpy
//! fixtures (`fixtures/survey.json`, made by `fixtures/survey_fixtures.py`), hand-worked
//! cases with their arithmetic, properties, and the polars adapter on `data/surveys.csv`.

use std::path::Path;

use polars::prelude::*;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use prodops_core::Grain;
use prodops_experiment::{Alpha, Analysis, ProportionSe};
use prodops_kpi::KpiError;
use prodops_kpi::events::Calendar;
use prodops_kpi::survey::{
    Bucket, DirichletPosterior, DirichletPrior, MeanEstimate, NpsAnalysis, NpsCategory, NpsCounts,
    NpsMethod, NpsScore, NpsTest, PanelCounts, RatedScale, RatingSummary, Reducer, ScaleCounts,
    ScaleSummary, SurveyQuery, VarianceGuess, WeightedNpsSummary, WeightedScaleCounts,
    top_box_change, wald_share_interval, wilson_interval,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Closed forms against scipy / statsmodels / numpy: 1e-9 relative, with an absolute floor of
/// 1e-12 for expected values at or near zero (where a relative error is undefined).
const CLOSED: f64 = 1e-9;

fn fixture() -> Result<Value, Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/survey.json");
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn num(v: &Value) -> Result<f64, Box<dyn std::error::Error>> {
    v.as_f64()
        .ok_or_else(|| format!("not a number: {v}").into())
}

fn int(v: &Value) -> Result<u64, Box<dyn std::error::Error>> {
    v.as_u64()
        .ok_or_else(|| format!("not an integer: {v}").into())
}

fn arr(v: &Value) -> Result<&Vec<Value>, Box<dyn std::error::Error>> {
    v.as_array()
        .ok_or_else(|| format!("not an array: {v}").into())
}

fn pair(v: &Value) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let a = arr(v)?;
    Ok((num(&a[0])?, num(&a[1])?))
}

fn counts3(v: &Value) -> Result<NpsCounts, Box<dyn std::error::Error>> {
    let a = arr(v)?;
    Ok(NpsCounts::new(int(&a[0])?, int(&a[1])?, int(&a[2])?))
}

#[track_caller]
fn close(actual: f64, expected: f64, rel: f64, case: &str) {
    let tol = rel * expected.abs().max(1e-3);
    assert!(
        (actual - expected).abs() <= tol.max(1e-12),
        "{case}: got {actual:e}, expected {expected:e}"
    );
}

fn analysis(alpha: f64, method: NpsMethod) -> Result<NpsAnalysis, KpiError> {
    NpsAnalysis::builder().alpha(alpha).method(method).build()
}

// ---------------------------------------------------------------------------------------
// Scales and counts
// ---------------------------------------------------------------------------------------

#[test]
fn undeclared_zero_to_ten_question_has_no_nps() -> TestResult {
    let rating = RatedScale::builder(0, 10)
        .top_box(9)
        .bottom_box(6)
        .build()?;
    assert_eq!(rating.reducer(), Reducer::Mean);
    assert!(!rating.is_nps());
    let counts = ScaleCounts::from_scores(rating, [10.0, 9.0, 3.0, 7.0])?;
    assert!(matches!(
        NpsAnalysis::default().summarize(&counts),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    assert!(matches!(
        counts.nps_counts(),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    let w = WeightedScaleCounts::from_scores(rating, [(10.0, 1.0)])?;
    assert!(matches!(
        WeightedNpsSummary::from_counts(&w, Alpha::default(), false),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    // Its summary is the mean and top box, not a net score.
    match counts.summarize(&NpsAnalysis::default())? {
        ScaleSummary::Rating { reducer, summary } => {
            assert_eq!(reducer, Reducer::Mean);
            assert!((summary.mean.ok_or("mean")?.mean - 7.25).abs() < 1e-12); // 29/4
        }
        other => panic!("expected a rating summary, got {other:?}"),
    }
    // Declared as a net scale, the same answers have an NPS: 2 P, 1 A, 1 D → 25.
    let declared = RatedScale::builder(0, 10)
        .top_box(9)
        .bottom_box(6)
        .reducer(Reducer::Net)
        .build()?;
    assert!(declared.is_nps());
    let counts = ScaleCounts::from_scores(declared, [10.0, 9.0, 3.0, 7.0])?;
    assert!((NpsAnalysis::default().summarize(&counts)?.score - 25.0).abs() < 1e-12);
    Ok(())
}

#[test]
fn scale_presets_and_validation() -> TestResult {
    let csat = RatedScale::csat_5();
    assert_eq!((csat.min(), csat.max(), csat.top_min()), (1, 5, 4));
    for (points, top) in [(3, 3), (7, 6), (10, 9)] {
        let s = RatedScale::csat(points, top)?;
        assert_eq!((s.min(), s.max(), s.top_min()), (1, points, top));
    }
    assert!(RatedScale::csat(4, 3).is_err());
    let ces = RatedScale::ces_7();
    assert_eq!((ces.top_min(), ces.reducer()), (5, Reducer::Mean));
    assert_eq!(RatedScale::ces_5().top_min(), 4);
    assert!(RatedScale::builder(5, 5).build().is_err());
    assert!(RatedScale::builder(0, 200).build().is_err());
    assert!(RatedScale::builder(1, 5).top_box(1).build().is_err());
    assert!(
        RatedScale::builder(1, 5)
            .top_box(4)
            .bottom_box(4)
            .build()
            .is_err()
    );
    assert!(matches!(
        RatedScale::builder(1, 5).reducer(Reducer::Net).build(),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    Ok(())
}

#[test]
fn nps_score_newtype() -> TestResult {
    let cats: Vec<NpsCategory> = (0..=10u8)
        .map(|s| NpsScore::new(s).map(NpsScore::category))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        cats.iter()
            .filter(|c| **c == NpsCategory::Detractor)
            .count(),
        7
    );
    assert_eq!(
        cats.iter().filter(|c| **c == NpsCategory::Passive).count(),
        2
    );
    assert_eq!(
        cats.iter().filter(|c| **c == NpsCategory::Promoter).count(),
        2
    );
    assert!(matches!(
        NpsScore::new(11),
        Err(KpiError::ScoreOutOfRange { .. })
    ));
    let counts = ScaleCounts::from_nps_scores([NpsScore::new(9)?, NpsScore::new(0)?]);
    assert_eq!(counts.nps_counts()?, NpsCounts::new(1, 0, 1));
    Ok(())
}

#[test]
fn bad_scores_name_their_row() {
    let nps = RatedScale::nps();
    for (scores, row, shown) in [
        (vec![9.0, 11.0], 1, 11.0),
        (vec![9.0, 8.0, -1.0], 2, -1.0),
        (vec![7.5], 0, 7.5),
    ] {
        match ScaleCounts::from_scores(nps, scores) {
            Err(KpiError::ScoreOutOfRange {
                row: r,
                value,
                min: 0,
                max: 10,
            }) => {
                assert_eq!((r, value), (row, shown));
            }
            other => panic!("expected ScoreOutOfRange, got {other:?}"),
        }
    }
    match ScaleCounts::from_scores(nps, [9.0, f64::NAN]) {
        Err(KpiError::ScoreOutOfRange { row: 1, value, .. }) => assert!(value.is_nan()),
        other => panic!("expected ScoreOutOfRange, got {other:?}"),
    }
    assert!(matches!(
        WeightedScaleCounts::from_scores(nps, [(9.0, 1.0), (9.0, -2.0)]),
        Err(KpiError::InvalidInput { .. })
    ));
    assert!(ScaleCounts::from_counts(nps, vec![1, 2]).is_err());
}

#[test]
fn merging_counts_of_different_scales_fails() -> TestResult {
    let nps = ScaleCounts::from_scores(RatedScale::nps(), [5.0])?;
    let csat = ScaleCounts::from_scores(RatedScale::csat_5(), [5.0])?;
    assert!(matches!(
        nps.clone() + csat,
        Err(KpiError::IncompatibleOptions { .. })
    ));
    let empty: Result<ScaleCounts, KpiError> = Vec::<ScaleCounts>::new().into_iter().sum();
    assert!(matches!(empty, Err(KpiError::EmptySample { .. })));
    let three = (nps.clone() + nps.clone() + nps)?;
    assert_eq!(three.count(5), 3);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// NPS: hand-worked cases
// ---------------------------------------------------------------------------------------

#[test]
fn fifty_thirty_twenty_by_hand() -> TestResult {
    let c = NpsCounts::new(50, 30, 20);
    let z = 1.959_963_984_540_054; // Φ⁻¹(0.975)
    // Wald: p = 0.5, d = 0.2, NPS = 0.3; s² = 0.5 + 0.2 − 0.09 = 0.61; SE = √(0.61/100)
    // = 0.0781025; CI = 0.3 ± 1.959964·0.0781025 = [0.146922, 0.453078].
    let w = analysis(0.05, NpsMethod::Wald)?.summarize_counts(c)?;
    assert!((w.score - 30.0).abs() < 1e-12);
    assert!((w.centre - 30.0).abs() < 1e-12);
    let se = (0.61f64 / 100.0).sqrt();
    assert!((w.std_error - 100.0 * se).abs() < 1e-12);
    assert!((w.ci.lower - 100.0 * (0.3 - z * se)).abs() < 1e-9);
    assert!((w.ci.upper - 100.0 * (0.3 + z * se)).abs() < 1e-9);
    assert!((w.ci.lower - 14.6922).abs() < 1e-4);
    assert_eq!(
        (w.promoter_share, w.passive_share, w.detractor_share),
        (50.0, 30.0, 20.0)
    );
    // Adjusted Wald: n′ = 103, P′ = 50.75, D′ = 20.75; p′ = 0.492718, d′ = 0.201456,
    // NPS′ = 30/103 = 0.291262; s′² = 0.694175 − 0.084834 = 0.609341;
    // SE′ = √(0.609341/103) = 0.076915; CI = 0.291262 ± 0.150750 = [0.140512, 0.442012].
    let a = NpsAnalysis::default().summarize_counts(c)?;
    assert!(
        (a.score - 30.0).abs() < 1e-12,
        "the estimate stays the raw NPS"
    );
    assert!((a.centre - 100.0 * 30.0 / 103.0).abs() < 1e-12);
    let (p, d) = (50.75 / 103.0, 20.75 / 103.0);
    let s2: f64 = p + d - (p - d) * (p - d);
    assert!((s2 - 0.609_341).abs() < 1e-6);
    let se = (s2 / 103.0).sqrt();
    assert!((a.ci.lower - 100.0 * (30.0 / 103.0 - z * se)).abs() < 1e-9);
    assert!((a.ci.upper - 14.0512 - 30.15).abs() < 1e-3);
    assert!(!a.clipped && !w.clipped);
    // The adjusted interval is narrower here (smaller s′², larger n′) and shifted towards 0.
    assert!(a.ci.upper < w.ci.upper && a.ci.lower < w.ci.lower);
    Ok(())
}

#[test]
fn all_promoters_wald_is_degenerate_adjusted_is_clipped() -> TestResult {
    let c = NpsCounts::new(10, 0, 0);
    // Wald: p = 1, d = 0, s² = 1 + 0 − 1 = 0: a zero-width interval at 100, nothing to clip.
    let w = analysis(0.05, NpsMethod::Wald)?.summarize_counts(c)?;
    assert_eq!(
        (w.score, w.ci.lower, w.ci.upper, w.std_error),
        (100.0, 100.0, 100.0, 0.0)
    );
    assert!(!w.clipped);
    // Adjusted: n′ = 13, p′ = 10.75/13, d′ = 0.75/13, NPS′ = 10/13 = 0.769231;
    // s′² = 11.5/13 − (10/13)² = 49.5/169 = 0.292899; SE′ = √(0.292899/13) = 0.150103;
    // upper = 0.769231 + 1.959964·0.150103 = 1.063426 > 1, so it is clipped to 100.
    let a = NpsAnalysis::default().summarize_counts(c)?;
    assert!(a.clipped);
    assert_eq!(a.ci.upper, 100.0);
    let se = (49.5f64 / 169.0 / 13.0).sqrt();
    assert!((a.std_error - 100.0 * se).abs() < 1e-12);
    assert!((a.ci.lower - 100.0 * (10.0 / 13.0 - 1.959_963_984_540_054 * se)).abs() < 1e-9);
    assert!((a.margin_of_error - 100.0 * 1.959_963_984_540_054 * se).abs() < 1e-9);
    // All detractors mirror it.
    let d = NpsAnalysis::default().summarize_counts(NpsCounts::new(0, 0, 10))?;
    assert!(d.clipped && d.ci.lower == -100.0 && (d.ci.upper + a.ci.lower).abs() < 1e-12);
    Ok(())
}

#[test]
fn adjusted_interval_of_a_single_promoter_excludes_the_raw_score() -> TestResult {
    // n = 1 promoter: NPS = 100, but n′ = 4, p′ = 1.75/4, d′ = 0.75/4, NPS′ = 0.25,
    // s′² = 0.625 − 0.0625 = 0.5625, SE′ = √(0.5625/4) = 0.375, upper = 0.25 + 1.96·0.375
    // = 0.985: the interval is centred on NPS′ and, at this n, does not reach the raw score.
    let s = NpsAnalysis::default().summarize_counts(NpsCounts::new(1, 0, 0))?;
    assert_eq!(s.score, 100.0);
    assert!((s.ci.upper - 100.0 * (0.25 + 1.959_963_984_540_054 * 0.375)).abs() < 1e-9);
    assert!(!s.ci.contains(s.score) && s.ci.contains(s.centre));
    Ok(())
}

#[test]
fn empty_counts_are_an_error() {
    assert!(matches!(
        NpsAnalysis::default().summarize_counts(NpsCounts::new(0, 0, 0)),
        Err(KpiError::EmptySample { .. })
    ));
}

#[test]
fn sample_size_rounding_and_the_minus_three() -> TestResult {
    let adjusted = NpsAnalysis::default();
    let wald = NpsAnalysis::builder().test(NpsTest::Wald).build()?;
    // ±10 points, worst case: z²/0.1² = 384.1459; − 3 = 381.1459 → 382 (Wald, no −3: 385).
    assert_eq!(
        adjusted.sample_size_for_margin(10.0, VarianceGuess::WorstCase)?,
        382
    );
    assert_eq!(
        wald.sample_size_for_margin(10.0, VarianceGuess::WorstCase)?,
        385
    );
    // s² = 0.61: 0.61·384.1459 = 234.329; − 3 = 231.329 → 232.
    assert_eq!(
        adjusted.sample_size_for_margin(10.0, VarianceGuess::Known(0.61))?,
        232
    );
    // A margin so wide that the −3 takes the size below one answer: at least 1.
    assert_eq!(
        adjusted.sample_size_for_margin(200.0, VarianceGuess::WorstCase)?,
        1
    );
    // The pilot's variance under the adjusted test is s′² (50/30/20: 0.609341).
    let pilot = VarianceGuess::Pilot(NpsCounts::new(50, 30, 20));
    let expected = (1.959_963_984_540_054f64.powi(2) * 0.609_340_937_411_254_6 / 0.01 - 3.0).ceil();
    assert_eq!(
        adjusted.sample_size_for_margin(10.0, pilot)? as f64,
        expected
    );
    // Detect 10 points with 80% power, worst case both: (1.959964 + 0.841621)²·2/0.01 − 3
    // = 1569.78 − 3 = 1566.78 → 1567 per group.
    let n = adjusted.sample_size_for_difference(
        10.0,
        0.8,
        VarianceGuess::WorstCase,
        VarianceGuess::WorstCase,
    )?;
    assert_eq!(n, 1567);
    assert!(
        adjusted
            .sample_size_for_margin(0.0, VarianceGuess::WorstCase)
            .is_err()
    );
    assert!(
        adjusted
            .sample_size_for_margin(5.0, VarianceGuess::Known(1.5))
            .is_err()
    );
    assert!(
        adjusted
            .sample_size_for_difference(
                10.0,
                1.0,
                VarianceGuess::WorstCase,
                VarianceGuess::WorstCase
            )
            .is_err()
    );
    // A pilot with every answer in one bucket has no variance under Wald.
    assert!(
        wald.sample_size_for_margin(5.0, VarianceGuess::Pilot(NpsCounts::new(9, 0, 0)))
            .is_err()
    );
    Ok(())
}

#[test]
fn settings_are_validated() {
    assert!(NpsAnalysis::builder().alpha(1.5).build().is_err());
    assert!(
        NpsAnalysis::builder()
            .method(NpsMethod::Bootstrap {
                replicates: 999,
                seed: Some(1)
            })
            .build()
            .is_err()
    );
    assert!(matches!(
        NpsAnalysis::builder()
            .method(NpsMethod::Bootstrap {
                replicates: 2000,
                seed: None
            })
            .build(),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    assert!(
        NpsAnalysis::builder()
            .method(NpsMethod::Dirichlet {
                prior: DirichletPrior::Jeffreys,
                draws: 10,
                seed: 1
            })
            .build()
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------
// NPS against the fixtures
// ---------------------------------------------------------------------------------------

#[test]
fn wald_and_adjusted_wald_match_the_reference() -> TestResult {
    let f = fixture()?;
    for case in arr(&f["nps"])? {
        let c = counts3(&case["counts"])?;
        let alpha = num(&case["alpha"])?;
        for (key, method) in [
            ("wald", NpsMethod::Wald),
            ("adjusted", NpsMethod::AdjustedWald),
        ] {
            let name = format!("{key} {c:?} α={alpha}");
            let s = analysis(alpha, method)?.summarize_counts(c)?;
            let r = &case[key];
            close(s.score, num(&case["score"])?, CLOSED, &name);
            close(s.centre, num(&r["centre"])?, CLOSED, &name);
            close(s.std_error, num(&r["std_error"])?, CLOSED, &name);
            close(s.margin_of_error, num(&r["margin"])?, CLOSED, &name);
            let (lo, hi) = pair(&r["ci"])?;
            close(s.ci.lower, lo, CLOSED, &name);
            close(s.ci.upper, hi, CLOSED, &name);
            assert_eq!(Some(s.clipped), r["clipped"].as_bool(), "{name}");
            let test = if key == "wald" {
                NpsTest::Wald
            } else {
                NpsTest::AdjustedWald
            };
            let moe = NpsAnalysis::builder()
                .alpha(alpha)
                .test(test)
                .build()?
                .margin_of_error(c)?;
            close(moe, num(&r["margin"])?, CLOSED, &name);
        }
    }
    Ok(())
}

#[test]
fn score_interval_matches_numeric_inversion() -> TestResult {
    // The reference finds the constrained MLE numerically and inverts the score test with
    // brentq; ours uses the closed-form root and bisection.
    let f = fixture()?;
    for case in arr(&f["score_interval"])? {
        let c = counts3(&case["counts"])?;
        let alpha = num(&case["alpha"])?;
        let s = analysis(alpha, NpsMethod::Score)?.summarize_counts(c)?;
        let (lo, hi) = pair(&case["ci"])?;
        let name = format!("score {c:?} α={alpha}");
        close(s.ci.lower, lo, CLOSED, &name);
        close(s.ci.upper, hi, CLOSED, &name);
        assert!(s.ci.contains(s.score) && !s.clipped, "{name}");
    }
    Ok(())
}

#[test]
fn score_interval_of_all_promoters_by_hand() -> TestResult {
    // All promoters, n = 10: under p − d = θ the constrained MLE puts no one in the passives,
    // so V(θ) = (1 − θ²)/n, and (1 − θ)² = z²(1 − θ²)/n gives θ = (n − z²)/(n + z²)
    // = (10 − 3.841459)/(10 + 3.841459) = 0.444934: twice Wilson's lower bound for 10/10,
    // minus one. Unlike Wald it has width and, unlike adjusted Wald, needs no clipping.
    let s = analysis(0.05, NpsMethod::Score)?.summarize_counts(NpsCounts::new(10, 0, 0))?;
    let z2 = 1.959_963_984_540_054f64.powi(2);
    assert!((s.ci.lower - 100.0 * (10.0 - z2) / (10.0 + z2)).abs() < 1e-9);
    assert_eq!(s.ci.upper, 100.0);
    assert!(!s.clipped);
    let wilson = wilson_interval(10, 10, Alpha::default())?;
    assert!((s.ci.lower - 100.0 * (2.0 * wilson.lower - 1.0)).abs() < 1e-9);
    Ok(())
}

#[test]
fn dirichlet_moments_match_scipy() -> TestResult {
    let f = fixture()?;
    for case in arr(&f["nps"])? {
        let c = counts3(&case["counts"])?;
        for (key, prior) in [
            ("uniform", DirichletPrior::Uniform),
            ("jeffreys", DirichletPrior::Jeffreys),
        ] {
            let name = format!("{key} {c:?}");
            let post = DirichletPosterior::new(c, prior);
            close(100.0 * post.mean(), num(&case[key]["mean"])?, CLOSED, &name);
            close(
                100.0 * post.variance().sqrt(),
                num(&case[key]["std_error"])?,
                CLOSED,
                &name,
            );
            let s = analysis(
                0.05,
                NpsMethod::Dirichlet {
                    prior,
                    draws: 1000,
                    seed: 5,
                },
            )?
            .summarize_counts(c)?;
            close(s.centre, num(&case[key]["mean"])?, CLOSED, &name);
            close(s.std_error, num(&case[key]["std_error"])?, CLOSED, &name);
        }
    }
    Ok(())
}

/// Standard normal density, for the Monte Carlo error of a quantile.
fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

#[test]
fn dirichlet_credible_interval_within_monte_carlo_tolerance_of_numpy() -> TestResult {
    let f = fixture()?;
    let draws = 20_000usize;
    for case in arr(&f["dirichlet_mc"])? {
        let c = counts3(&case["counts"])?;
        let alpha = num(&case["alpha"])?;
        let prior = match case["prior"].as_str() {
            Some("jeffreys") => DirichletPrior::Jeffreys,
            _ => DirichletPrior::Uniform,
        };
        let s = analysis(
            alpha,
            NpsMethod::Dirichlet {
                prior,
                draws,
                seed: 42,
            },
        )?
        .summarize_counts(c)?;
        let numpy_draws = int(&case["draws"])? as f64;
        let (lo, hi) = pair(&case["ci"])?;
        // The sampling sd of an empirical q-quantile is √(q(1 − q)/N)/f(x_q); with f from the
        // normal approximation, f(x_q) = φ(z_q)/sd. Both estimates are noisy (ours with N =
        // 20 000 draws, numpy's with 400 000), so allow 5 combined sds (wider than that
        // only with probability < 1e-6 if the density approximation held; skewed posteriors
        // such as all-promoters get the same allowance).
        let q = alpha / 2.0;
        let zq = prodops_experiment::dist::norm_ppf(1.0 - q);
        let sd = num(&case["sd"])?;
        let tol =
            5.0 * (q * (1.0 - q) * (1.0 / draws as f64 + 1.0 / numpy_draws)).sqrt() / phi(zq) * sd;
        assert!(
            (s.ci.lower - lo).abs() <= tol,
            "{c:?}: lower {} vs {lo} (tol {tol})",
            s.ci.lower
        );
        assert!(
            (s.ci.upper - hi).abs() <= tol,
            "{c:?}: upper {} vs {hi} (tol {tol})",
            s.ci.upper
        );
        assert!(matches!(
            s.method,
            NpsMethod::Dirichlet {
                draws: 20_000,
                seed: 42,
                ..
            }
        ));
    }
    Ok(())
}

#[test]
fn dirichlet_interval_is_close_to_normal_for_large_n() -> TestResult {
    // n = 10 000: the posterior of p − d is nearly normal, so the equal-tailed interval is
    // mean ± z·sd up to Monte Carlo error (4 sds of the quantile estimate, 20 000 draws:
    // 4·√(0.025·0.975/20 000)/φ(1.96) = 0.076 sd).
    let c = NpsCounts::new(4000, 3000, 3000);
    let s = analysis(
        0.05,
        NpsMethod::Dirichlet {
            prior: DirichletPrior::Uniform,
            draws: 20_000,
            seed: 9,
        },
    )?
    .summarize_counts(c)?;
    let z = 1.959_963_984_540_054;
    let tol = 4.0 * (0.025f64 * 0.975 / 20_000.0).sqrt() / phi(z) * s.std_error;
    assert!((s.ci.lower - (s.centre - z * s.std_error)).abs() <= tol);
    assert!((s.ci.upper - (s.centre + z * s.std_error)).abs() <= tol);
    Ok(())
}

#[test]
fn bootstrap_is_reproducible_and_close_to_wald_for_large_n() -> TestResult {
    let c = NpsCounts::new(4000, 3000, 3000);
    let method = NpsMethod::Bootstrap {
        replicates: 4000,
        seed: Some(17),
    };
    let a = analysis(0.05, method)?.summarize_counts(c)?;
    let b = analysis(0.05, method)?.summarize_counts(c)?;
    assert_eq!(a, b, "same seed, same interval");
    let other = analysis(
        0.05,
        NpsMethod::Bootstrap {
            replicates: 4000,
            seed: Some(18),
        },
    )?
    .summarize_counts(c)?;
    assert_ne!(a.ci, other.ci);
    // The caller's RNG seeded the same way gives the same draws.
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let with_rng = NpsAnalysis::default().bootstrap_with(c, 4000, &mut rng)?;
    assert_eq!(with_rng.ci, a.ci);
    assert_eq!(
        with_rng.method,
        NpsMethod::Bootstrap {
            replicates: 4000,
            seed: None
        }
    );
    assert_eq!(a.method, method);
    // Wald at n = 10 000: SE = √(0.69/10 000) = 0.830662 points. The percentile bounds'
    // Monte Carlo sd with B = 4000 is √(0.025·0.975/4000)/φ(1.96) = 0.042 SE, and the
    // multinomial is very nearly normal here: allow 0.15 SE (3.5 MC sds) on each bound and
    // 5% on the standard error.
    let w = analysis(0.05, NpsMethod::Wald)?.summarize_counts(c)?;
    assert!((w.std_error - 100.0 * 0.000_069f64.sqrt()).abs() < 1e-9);
    let tol = 0.15 * w.std_error;
    assert!(
        (a.ci.lower - w.ci.lower).abs() < tol,
        "{:?} vs {:?}",
        a.ci,
        w.ci
    );
    assert!(
        (a.ci.upper - w.ci.upper).abs() < tol,
        "{:?} vs {:?}",
        a.ci,
        w.ci
    );
    assert!((a.std_error / w.std_error - 1.0).abs() < 0.05);
    assert!((a.score - 10.0).abs() < 1e-12);
    Ok(())
}

#[test]
fn bootstrap_of_all_promoters_is_a_point() -> TestResult {
    let s = analysis(
        0.05,
        NpsMethod::Bootstrap {
            replicates: 1000,
            seed: Some(1),
        },
    )?
    .summarize_counts(NpsCounts::new(7, 0, 0))?;
    assert_eq!((s.ci.lower, s.ci.upper), (100.0, 100.0));
    Ok(())
}

#[test]
fn two_sample_tests_match_the_reference() -> TestResult {
    let f = fixture()?;
    for case in arr(&f["compare"])?.iter().chain(arr(&f["boundary"])?) {
        let (first, second) = (counts3(&case["first"])?, counts3(&case["second"])?);
        let alpha = num(&case["alpha"])?;
        let test = if case["adjusted"].as_bool() == Some(true) {
            NpsTest::AdjustedWald
        } else {
            NpsTest::Wald
        };
        let name = format!("{test:?} {first:?} vs {second:?} α={alpha}");
        let t = NpsAnalysis::builder()
            .alpha(alpha)
            .test(test)
            .build()?
            .compare(first, second)?;
        close(t.difference, num(&case["difference"])?, CLOSED, &name);
        close(t.std_error, num(&case["std_error"])?, CLOSED, &name);
        close(t.z, num(&case["z"])?, CLOSED, &name);
        close(t.p_value, num(&case["p_value"])?, CLOSED, &name);
        let (lo, hi) = pair(&case["ci"])?;
        close(t.ci.lower, lo, CLOSED, &name);
        close(t.ci.upper, hi, CLOSED, &name);
        close(
            t.raw_difference,
            second.score()? - first.score()?,
            CLOSED,
            &name,
        );
        assert_eq!(Some(t.clipped), case["clipped"].as_bool(), "{name}");
    }
    Ok(())
}

#[test]
fn two_periods_near_the_significance_boundary() -> TestResult {
    // First period 60/70/70 (NPS −5); the second gains promoters from passives. The fixture
    // search found the step where the adjusted test crosses p = 0.05: 95 promoters give
    // p = 0.0549 (not significant), 96 give p = 0.0491 (significant).
    let f = fixture()?;
    let cases = arr(&f["boundary"])?;
    let analysis = NpsAnalysis::default();
    let before = analysis.compare(counts3(&cases[0]["first"])?, counts3(&cases[0]["second"])?)?;
    let after = analysis.compare(counts3(&cases[1]["first"])?, counts3(&cases[1]["second"])?)?;
    assert!(before.p_value > 0.05 && !before.significant() && before.ci.contains(0.0));
    assert!(after.p_value <= 0.05 && after.significant() && !after.ci.contains(0.0));
    assert!(before.p_value - after.p_value < 0.01);
    Ok(())
}

#[test]
fn wald_test_without_variance_is_an_error() -> TestResult {
    let wald = NpsAnalysis::builder().test(NpsTest::Wald).build()?;
    assert!(matches!(
        wald.compare(NpsCounts::new(5, 0, 0), NpsCounts::new(0, 0, 5)),
        Err(KpiError::InvalidInput { .. })
    ));
    // The adjusted test always has variance: NPS′₁ = (5.75 − 0.75)/8 = 0.625, NPS′₂ = −0.625,
    // Δ′ = −1.25; s′² = 6.5/8 − 0.625² = 0.421875 each, SE = √(2·0.421875/8) = 0.324760.
    let t = NpsAnalysis::default().compare(NpsCounts::new(5, 0, 0), NpsCounts::new(0, 0, 5))?;
    assert!((t.difference + 125.0).abs() < 1e-9);
    assert!((t.std_error - 100.0 * (2.0f64 * 0.421_875 / 8.0).sqrt()).abs() < 1e-9);
    assert!(t.ci.lower >= -200.0 && t.ci.upper < 0.0);
    Ok(())
}

#[test]
fn paired_panel_test_matches_numpy() -> TestResult {
    let f = fixture()?;
    let case = &f["panel"];
    let pairs: Vec<(f64, f64)> = arr(&case["pairs"])?
        .iter()
        .map(pair)
        .collect::<Result<_, _>>()?;
    let panel = PanelCounts::from_pairs(RatedScale::nps(), pairs.clone())?;
    let buckets = [Bucket::Top, Bucket::Middle, Bucket::Bottom];
    for (i, a) in buckets.iter().enumerate() {
        for (j, b) in buckets.iter().enumerate() {
            assert_eq!(panel.cell(*a, *b), int(&case["cells"][i][j])?);
        }
    }
    // Shards of respondents merge.
    let (head, tail) = pairs.split_at(1000);
    let merged = PanelCounts::from_pairs(RatedScale::nps(), head.to_vec())?
        + PanelCounts::from_pairs(RatedScale::nps(), tail.to_vec())?;
    assert_eq!(merged, panel);
    let t = NpsAnalysis::default().compare_paired(&panel)?;
    close(t.difference, num(&case["difference"])?, CLOSED, "panel Δ");
    close(t.std_error, num(&case["std_error"])?, CLOSED, "panel SE");
    close(t.z.ok_or("z")?, num(&case["z"])?, CLOSED, "panel z");
    close(
        t.p_value.ok_or("p")?,
        num(&case["p_value"])?,
        CLOSED,
        "panel p",
    );
    let (lo, hi) = pair(&case["ci"])?;
    close(t.ci.lower, lo, CLOSED, "panel CI");
    close(t.ci.upper, hi, CLOSED, "panel CI");
    close(
        t.second_score - t.first_score,
        t.difference,
        CLOSED,
        "Δ = NPS₂ − NPS₁",
    );
    // Treating the waves as independent samples ignores that most answers stay put: its SE
    // is several times the paired one.
    let independent = NpsAnalysis::builder()
        .test(NpsTest::Wald)
        .build()?
        .compare(panel.first(), panel.second())?;
    assert!(independent.std_error > 3.0 * t.std_error);
    Ok(())
}

#[test]
fn paired_bootstrap_is_reproducible_and_close_to_paired_wald() -> TestResult {
    let f = fixture()?;
    let pairs: Vec<(f64, f64)> = arr(&f["panel"]["pairs"])?
        .iter()
        .map(pair)
        .collect::<Result<_, _>>()?;
    let panel = PanelCounts::from_pairs(RatedScale::nps(), pairs)?;
    let analysis = NpsAnalysis::default();
    let a = analysis.paired_bootstrap(&panel, 4000, 3)?;
    assert_eq!(a, analysis.paired_bootstrap(&panel, 4000, 3)?);
    // Another seed draws other resamples (the bounds sit on the lattice k/3000, so compare
    // the standard errors).
    assert_ne!(
        a.std_error,
        analysis.paired_bootstrap(&panel, 4000, 4)?.std_error
    );
    assert_eq!(a.bootstrap, Some((4000, 3)));
    // n = 3000 respondents: the resampled mean change is close to normal. The percentile
    // bounds' Monte Carlo sd with B = 4000 is 0.042 SE: allow 0.15 SE, and 5% on the SE.
    let w = analysis.compare_paired(&panel)?;
    let tol = 0.15 * w.std_error;
    assert!(
        (a.ci.lower - w.ci.lower).abs() < tol,
        "{:?} vs {:?}",
        a.ci,
        w.ci
    );
    assert!(
        (a.ci.upper - w.ci.upper).abs() < tol,
        "{:?} vs {:?}",
        a.ci,
        w.ci
    );
    assert!((a.std_error / w.std_error - 1.0).abs() < 0.05);
    assert!(analysis.paired_bootstrap(&panel, 10, 3).is_err());
    Ok(())
}

#[test]
fn panel_errors() -> TestResult {
    let mut same = PanelCounts::default();
    same.add(Bucket::Top, Bucket::Top, 5);
    same.add(Bucket::Bottom, Bucket::Bottom, 5);
    // Nobody moved: every change is 0, so the paired test has no variance.
    assert!(matches!(
        NpsAnalysis::default().compare_paired(&same),
        Err(KpiError::InvalidInput { .. })
    ));
    assert!(matches!(
        NpsAnalysis::default().compare_paired(&PanelCounts::default()),
        Err(KpiError::EmptySample { .. })
    ));
    assert!(matches!(
        PanelCounts::from_pairs(RatedScale::csat_5(), [(5.0, 4.0)]),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    assert!(matches!(
        PanelCounts::from_pairs(RatedScale::nps(), [(5.0, 4.0), (5.0, 12.0)]),
        Err(KpiError::ScoreOutOfRange { row: 1, .. })
    ));
    Ok(())
}

#[test]
fn sample_sizes_match_the_reference() -> TestResult {
    let f = fixture()?;
    for case in arr(&f["margin_sizes"])? {
        let test = if case["adjusted"].as_bool() == Some(true) {
            NpsTest::AdjustedWald
        } else {
            NpsTest::Wald
        };
        let a = NpsAnalysis::builder()
            .alpha(num(&case["alpha"])?)
            .test(test)
            .build()?;
        let n = a.sample_size_for_margin(
            num(&case["margin"])?,
            VarianceGuess::Known(num(&case["s2"])?),
        )?;
        assert_eq!(n, int(&case["n"])?, "{case}");
    }
    for case in arr(&f["difference_sizes"])? {
        let test = if case["adjusted"].as_bool() == Some(true) {
            NpsTest::AdjustedWald
        } else {
            NpsTest::Wald
        };
        let a = NpsAnalysis::builder()
            .alpha(num(&case["alpha"])?)
            .test(test)
            .build()?;
        let n = a.sample_size_for_difference(
            num(&case["difference"])?,
            num(&case["power"])?,
            VarianceGuess::Known(num(&case["s2_first"])?),
            VarianceGuess::Known(num(&case["s2_second"])?),
        )?;
        assert_eq!(n, int(&case["n"])?, "{case}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Weighted NPS
// ---------------------------------------------------------------------------------------

fn weighted_rows(case: &Value) -> Result<Vec<(f64, f64)>, Box<dyn std::error::Error>> {
    arr(&case["rows"])?.iter().map(pair).collect()
}

#[test]
fn weighted_nps_matches_numpy() -> TestResult {
    let f = fixture()?;
    for (i, case) in arr(&f["weighted"])?.iter().enumerate() {
        let rows = weighted_rows(case)?;
        let alpha = Alpha::new(num(&case["alpha"])?)?;
        let w = WeightedScaleCounts::from_scores(RatedScale::nps(), rows.clone())?;
        let s = WeightedNpsSummary::from_counts(&w, alpha, false)?;
        let name = format!("weighted case {i}");
        close(s.score, num(&case["score"])?, CLOSED, &name);
        close(
            s.promoter_share,
            num(&case["promoter_share"])?,
            CLOSED,
            &name,
        );
        close(
            s.detractor_share,
            num(&case["detractor_share"])?,
            CLOSED,
            &name,
        );
        close(s.n_eff, num(&case["n_eff"])?, CLOSED, &name);
        close(s.simple_std_error, num(&case["simple_se"])?, CLOSED, &name);
        close(
            s.linearised_std_error,
            num(&case["linearised_se"])?,
            CLOSED,
            &name,
        );
        let (lo, hi) = pair(&case["linearised_ci"])?;
        close(s.linearised_ci.lower, lo, CLOSED, &name);
        close(s.linearised_ci.upper, hi, CLOSED, &name);
        let with_factor = WeightedNpsSummary::from_counts(&w, alpha, true)?;
        close(
            with_factor.linearised_std_error,
            num(&case["linearised_se_factor"])?,
            CLOSED,
            &name,
        );
        assert_eq!(s.n, rows.len() as u64);
    }
    Ok(())
}

#[test]
fn two_strata_with_very_different_weights() -> TestResult {
    // 120 small accounts (w = 1) mostly promoters and 12 large ones (w = 50) mostly
    // detractors: the large accounts dominate NPS_w, and Kish's n_eff is far below n.
    let f = fixture()?;
    let case = &arr(&f["weighted"])?[0];
    let rows = weighted_rows(case)?;
    let w = WeightedScaleCounts::from_scores(RatedScale::nps(), rows.clone())?;
    let s = WeightedNpsSummary::from_counts(&w, Alpha::default(), false)?;
    // Σw = 120 + 600 = 720, Σw² = 120 + 12·2500 = 30 120, n_eff = 720²/30 120 = 17.21.
    assert!((s.n_eff - 720.0 * 720.0 / 30_120.0).abs() < 1e-9);
    assert!(s.n_eff < 0.15 * s.n as f64);
    let unweighted = NpsAnalysis::default().summarize(&w.unweighted())?;
    assert!(s.score < unweighted.score - 50.0);
    // The simple SE treats the sample as n_eff answers spread like the weighted shares; the
    // linearised SE sees that the heavy weights sit mostly on one value (detractors, close
    // to NPS_w), so its residuals are small: here it is well below the simple SE.
    assert!(s.linearised_std_error < 0.7 * s.simple_std_error);
    // With equal weights both reduce to the unweighted Wald SE (linearised: up to n/(n − 1)
    // aside, exactly √(Σ(y − θ)²)/n = √(s²/n)).
    let equal: Vec<(f64, f64)> = rows.iter().map(|&(score, _)| (score, 2.5)).collect();
    let e = WeightedNpsSummary::from_counts(
        &WeightedScaleCounts::from_scores(RatedScale::nps(), equal)?,
        Alpha::default(),
        false,
    )?;
    let wald = analysis(0.05, NpsMethod::Wald)?.summarize(&w.unweighted())?;
    assert!((e.n_eff - rows.len() as f64).abs() < 1e-9);
    assert!((e.simple_std_error - wald.std_error).abs() < 1e-9);
    assert!((e.linearised_std_error - wald.std_error).abs() < 1e-9);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// CSAT and CES
// ---------------------------------------------------------------------------------------

#[test]
fn wilson_and_wald_match_statsmodels() -> TestResult {
    let f = fixture()?;
    for case in arr(&f["shares"])? {
        let (k, n) = (int(&case["successes"])?, int(&case["n"])?);
        let alpha = Alpha::new(num(&case["alpha"])?)?;
        let name = format!("{k}/{n} α={}", alpha.get());
        let w = wilson_interval(k, n, alpha)?;
        let (lo, hi) = pair(&case["wilson"])?;
        close(w.lower, lo, CLOSED, &name);
        close(w.upper, hi, CLOSED, &name);
        let wald = wald_share_interval(k, n, alpha)?;
        let (lo, hi) = pair(&case["wald"])?;
        close(wald.lower, lo, CLOSED, &name);
        close(wald.upper, hi, CLOSED, &name);
    }
    Ok(())
}

#[test]
fn csat_wilson_versus_wald() -> TestResult {
    // 0 of 20 satisfied: Wald collapses to [0, 0]; Wilson keeps an upper bound of
    // z²/(n + z²) = 3.841459/23.841459 = 0.161125.
    let alpha = Alpha::default();
    let wald = wald_share_interval(0, 20, alpha)?;
    assert_eq!((wald.lower, wald.upper), (0.0, 0.0));
    let wilson = wilson_interval(0, 20, alpha)?;
    let z2 = 1.959_963_984_540_054f64.powi(2);
    assert_eq!(wilson.lower, 0.0);
    assert!((wilson.upper - z2 / (20.0 + z2)).abs() < 1e-12);
    // 1 of 2: Wald runs past both ends (clipped to [0, 1]); Wilson stays inside.
    let wald = wald_share_interval(1, 2, alpha)?;
    assert_eq!((wald.lower, wald.upper), (0.0, 1.0));
    let wilson = wilson_interval(1, 2, alpha)?;
    assert!(wilson.lower > 0.09 && wilson.upper < 0.91);
    // A CSAT summary: 1–5 answers 10/10/30/30/20 → top-2-box = 50/100 = 50%.
    let csat = ScaleCounts::from_counts(RatedScale::csat_5(), vec![10, 10, 30, 30, 20])?;
    let s = RatingSummary::from_counts(&csat, alpha)?;
    assert_eq!(s.top_box.share, 50.0);
    let w = wilson_interval(50, 100, alpha)?;
    assert!((s.top_box.ci.lower - 100.0 * w.lower).abs() < 1e-12);
    // Mean = (10 + 20 + 90 + 120 + 100)/100 = 3.4.
    assert!((s.mean.ok_or("mean")?.mean - 3.4).abs() < 1e-12);
    assert!(matches!(
        wilson_interval(0, 0, alpha),
        Err(KpiError::EmptySample { .. })
    ));
    assert!(wilson_interval(3, 2, alpha).is_err());
    Ok(())
}

#[test]
fn ces_t_interval_matches_scipy() -> TestResult {
    let f = fixture()?;
    for case in arr(&f["t"])? {
        let scale = RatedScale::builder(int(&case["min"])? as i32, int(&case["max"])? as i32)
            .top_box(5)
            .build()?;
        let counts_v: Vec<u64> = arr(&case["counts"])?
            .iter()
            .map(int)
            .collect::<Result<_, _>>()?;
        let counts = ScaleCounts::from_counts(scale, counts_v)?;
        let alpha = Alpha::new(num(&case["alpha"])?)?;
        let m = MeanEstimate::from_counts(&counts, alpha)?;
        let name = format!("t n={}", counts.n());
        close(m.mean, num(&case["mean"])?, CLOSED, &name);
        close(m.std_dev, num(&case["std_dev"])?, CLOSED, &name);
        let (lo, hi) = pair(&case["ci"])?;
        close(m.ci.lower, lo, CLOSED, &name);
        close(m.ci.upper, hi, CLOSED, &name);
        // The same from the mergeable sums n, Σx, Σx².
        let (sum, sum_sq) = counts.iter().fold((0.0, 0.0), |(s, s2), (v, c)| {
            (
                s + c as f64 * f64::from(v),
                s2 + c as f64 * f64::from(v * v),
            )
        });
        let from_sums = MeanEstimate::from_sums(counts.n(), sum, sum_sq, alpha)?;
        close(from_sums.ci.lower, lo, CLOSED, &name);
        close(from_sums.ci.upper, hi, CLOSED, &name);
    }
    Ok(())
}

#[test]
fn ces_hand_worked() -> TestResult {
    // CES 1–7 answers 5, 6, 7, 7: x̄ = 25/4 = 6.25; Σ(x − x̄)² = 1.5625 + 0.0625 + 2·0.5625
    // = 2.75; s² = 2.75/3 = 0.916667; SE = √(0.916667/4) = 0.478714; t_{3, 0.975} = 3.182446;
    // CI = 6.25 ± 1.523459. % agree (5–7) = 4/4 = 100%, Wilson lower = 4/(4 + z²) = 0.510.
    let ces = ScaleCounts::from_scores(RatedScale::ces_7(), [5.0, 6.0, 7.0, 7.0])?;
    let s = RatingSummary::from_counts(&ces, Alpha::default())?;
    let m = s.mean.ok_or("mean")?;
    assert!((m.mean - 6.25).abs() < 1e-12);
    let se = (2.75f64 / 3.0 / 4.0).sqrt();
    assert!((m.ci.upper - (6.25 + 3.182_446_305_284_263 * se)).abs() < 1e-9);
    assert_eq!(s.top_box.share, 100.0);
    assert_eq!(s.top_box.ci.upper, 100.0);
    let z2 = 1.959_963_984_540_054f64.powi(2);
    assert!((s.top_box.ci.lower - 100.0 * 4.0 / (4.0 + z2)).abs() < 1e-9);
    // One answer: no t interval, but a share.
    let one = RatingSummary::from_counts(
        &ScaleCounts::from_scores(RatedScale::ces_7(), [4.0])?,
        Alpha::default(),
    )?;
    assert!(one.mean.is_none());
    assert_eq!(one.top_box.share, 0.0);
    // Constant answers: s = 0, a zero-width interval rather than NaN.
    let flat = MeanEstimate::from_sums(3, 15.0, 75.0, Alpha::default())?;
    assert_eq!((flat.ci.lower, flat.ci.upper), (5.0, 5.0));
    Ok(())
}

#[test]
fn csat_change_reuses_the_experiment_proportion_test() -> TestResult {
    let before = ScaleCounts::from_counts(RatedScale::csat_5(), vec![10, 10, 30, 30, 20])?;
    let after = ScaleCounts::from_counts(RatedScale::csat_5(), vec![5, 5, 20, 40, 30])?;
    let ours = top_box_change(&before, &after, &Analysis::default(), ProportionSe::Pooled)?;
    let direct = Analysis::default().proportions(
        &prodops_experiment::ProportionStats::new(100, 50)?,
        &prodops_experiment::ProportionStats::new(100, 70)?,
        ProportionSe::Pooled,
    )?;
    assert_eq!(ours, direct);
    let ces = ScaleCounts::from_counts(RatedScale::ces_5(), vec![1, 1, 1, 1, 1])?;
    assert!(top_box_change(&before, &ces, &Analysis::default(), ProportionSe::Pooled).is_err());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

fn nps_counts() -> impl Strategy<Value = NpsCounts> {
    (0u64..400, 0u64..400, 0u64..400)
        .prop_filter("at least one answer", |(p, a, d)| p + a + d > 0)
        .prop_map(|(p, a, d)| NpsCounts::new(p, a, d))
}

proptest! {
    #[test]
    fn nps_and_intervals_stay_in_range(c in nps_counts(), alpha in 0.01f64..0.3) {
        for method in [NpsMethod::Wald, NpsMethod::AdjustedWald, NpsMethod::Score] {
            let s = analysis(alpha, method).map_err(|e| TestCaseError::fail(e.to_string()))?
                .summarize_counts(c).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!((-100.0..=100.0).contains(&s.score));
            prop_assert!(-100.0 <= s.ci.lower && s.ci.lower <= s.ci.upper && s.ci.upper <= 100.0);
            // Every interval contains its centre (NPS′ for adjusted Wald, the estimate for Wald,
            // the midpoint for the score interval).
            prop_assert!(s.ci.contains(s.centre));
            // Wald and the score interval contain the estimate (the score test never rejects
            // the observed value).
            if method != NpsMethod::AdjustedWald {
                prop_assert!(s.ci.contains(s.score));
            }
            // Clipped exactly when the unclipped interval leaves [−100, 100].
            let unclipped_out = s.centre - s.margin_of_error < -100.0 || s.centre + s.margin_of_error > 100.0;
            prop_assert_eq!(s.clipped, unclipped_out);
            prop_assert_eq!(s.n, c.n());
        }
    }

    #[test]
    fn merged_counts_equal_counts_of_the_concatenation(
        a in proptest::collection::vec(0i32..=10, 0..60),
        b in proptest::collection::vec(0i32..=10, 0..60),
        wa in proptest::collection::vec(0.01f64..100.0, 60),
    ) {
        let nps = RatedScale::nps();
        let ca = ScaleCounts::from_scores(nps, a.iter().map(|&x| f64::from(x))).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cb = ScaleCounts::from_scores(nps, b.iter().map(|&x| f64::from(x))).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let all = ScaleCounts::from_scores(nps, a.iter().chain(&b).map(|&x| f64::from(x))).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let merged = (ca.clone() + cb.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&merged, &all);
        let summed: Result<ScaleCounts, KpiError> = vec![ca.clone(), cb.clone()].into_iter().sum();
        prop_assert_eq!(&summed.map_err(|e| TestCaseError::fail(e.to_string()))?, &all);
        prop_assert_eq!(
            ca.nps_counts().map_err(|e| TestCaseError::fail(e.to_string()))? + cb.nps_counts().map_err(|e| TestCaseError::fail(e.to_string()))?,
            all.nps_counts().map_err(|e| TestCaseError::fail(e.to_string()))?
        );
        // Weighted: counts and Σw, Σw² per point add up (Σw up to rounding order).
        let rows_a: Vec<(f64, f64)> = a.iter().zip(&wa).map(|(&s, &w)| (f64::from(s), w)).collect();
        let rows_b: Vec<(f64, f64)> = b.iter().zip(wa.iter().rev()).map(|(&s, &w)| (f64::from(s), w)).collect();
        let wa_c = WeightedScaleCounts::from_scores(nps, rows_a.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let wb_c = WeightedScaleCounts::from_scores(nps, rows_b.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let w_all = WeightedScaleCounts::from_scores(nps, rows_a.into_iter().chain(rows_b)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let w_merged = (wa_c + wb_c).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (m, x) in w_merged.iter().zip(w_all.iter()) {
            prop_assert_eq!(m.0, x.0);
            prop_assert_eq!(m.1, x.1);
            prop_assert!((m.2 - x.2).abs() <= 1e-9 * x.2.max(1.0));
            prop_assert!((m.3 - x.3).abs() <= 1e-9 * x.3.max(1.0));
        }
    }

    #[test]
    fn wilson_contains_the_share_and_stays_in_unit_interval(n in 1u64..500, frac in 0.0f64..=1.0) {
        let k = ((n as f64) * frac).floor() as u64;
        let ci = wilson_interval(k, n, Alpha::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(0.0 <= ci.lower && ci.upper <= 1.0);
        prop_assert!(ci.contains(k as f64 / n as f64));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn monte_carlo_intervals_stay_in_range(c in nps_counts(), seed in 0u64..1000) {
        for method in [
            NpsMethod::Bootstrap { replicates: 1000, seed: Some(seed) },
            NpsMethod::Dirichlet { prior: DirichletPrior::Jeffreys, draws: 1000, seed },
        ] {
            let s = analysis(0.05, method).map_err(|e| TestCaseError::fail(e.to_string()))?
                .summarize_counts(c).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(-100.0 <= s.ci.lower && s.ci.lower <= s.ci.upper && s.ci.upper <= 100.0);
            prop_assert!(!s.clipped);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Polars adapter
// ---------------------------------------------------------------------------------------

fn surveys_csv() -> Result<DataFrame, Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/surveys.csv");
    Ok(CsvReadOptions::default()
        .with_has_header(true)
        .with_parse_options(CsvParseOptions::default().with_try_parse_dates(true))
        .try_into_reader_with_file_path(Some(path))?
        .finish()?)
}

#[test]
fn nps_by_segment_and_month_matches_pandas() -> TestResult {
    let f = fixture()?;
    let expected = &f["surveys_csv"];
    let df = surveys_csv()?;
    let query = SurveyQuery::builder("score", RatedScale::nps())
        .segments(["segment"])
        .time("answered_at", Grain::Month)
        .build()?;
    let table = query.run(&df)?;
    assert!(table.report.is_clean());
    assert_eq!(table.report.rows_read(), int(&expected["rows"])?);
    let cases = arr(&expected["by_segment_month"])?;
    assert_eq!(table.groups.len(), cases.len());
    let frame = &table.frame;
    let segment = frame.column("segment")?.str()?;
    let period = frame.column("period")?.str()?;
    let n = frame.column("n")?.u64()?;
    let promoters = frame.column("promoters")?.u64()?;
    let nps = frame.column("nps")?.f64()?;
    let ci_low = frame.column("ci_low")?.f64()?;
    let ci_high = frame.column("ci_high")?.f64()?;
    for (i, (case, group)) in cases.iter().zip(&table.groups).enumerate() {
        let name = format!("{} {}", case["segment"], case["period"]);
        assert_eq!(segment.get(i), case["segment"].as_str(), "{name}");
        assert_eq!(period.get(i), case["period"].as_str(), "{name}");
        assert_eq!(n.get(i), Some(int(&case["n"])?), "{name}");
        let c = counts3(&case["counts"])?;
        assert_eq!(group.counts.nps_counts()?, c, "{name}");
        assert_eq!(promoters.get(i), Some(c.promoters), "{name}");
        close(nps.get(i).ok_or("nps")?, num(&case["nps"])?, CLOSED, &name);
        let (lo, hi) = pair(&case["ci"])?;
        close(ci_low.get(i).ok_or("ci_low")?, lo, CLOSED, &name);
        close(ci_high.get(i).ok_or("ci_high")?, hi, CLOSED, &name);
        assert_eq!(group.segment.get("segment"), case["segment"].as_str());
    }
    // Month-over-month tests per segment: every consecutive pair present, each the
    // independent-samples test of the two months' counts from the fixture.
    let changes = table.period_changes(&NpsAnalysis::default())?;
    let mut expected_changes = 0;
    for w in cases.windows(2) {
        if w[0]["segment"] != w[1]["segment"] {
            continue;
        }
        expected_changes += 1;
        let change = changes
            .iter()
            .find(|c| {
                c.segment.get("segment") == w[1]["segment"].as_str()
                    && Some(c.current.label().as_str()) == w[1]["period"].as_str()
            })
            .ok_or("missing change")?;
        let direct =
            NpsAnalysis::default().compare(counts3(&w[0]["counts"])?, counts3(&w[1]["counts"])?)?;
        assert_eq!(change.comparison, direct);
        assert_eq!(
            Some(change.previous.label().as_str()),
            w[0]["period"].as_str()
        );
    }
    assert_eq!(changes.len(), expected_changes);
    // Rolling the cells up by merging counts gives the whole-file NPS.
    let total: Result<ScaleCounts, KpiError> = table.groups.iter().map(|g| g.counts.clone()).sum();
    assert_eq!(total?.n(), int(&expected["rows"])?);
    Ok(())
}

#[test]
fn weighted_nps_by_segment_matches_numpy() -> TestResult {
    let f = fixture()?;
    let expected = arr(&f["surveys_csv"]["weighted_by_segment"])?;
    let lf = surveys_csv()?.lazy();
    let query = SurveyQuery::builder("score", RatedScale::nps())
        .segments(["segment"])
        .weight("arr")
        .build()?;
    let table = query.run_lazy(lf)?;
    assert_eq!(table.groups.len(), expected.len());
    let lin = table.frame.column("linearised_se")?.f64()?;
    for (i, (case, group)) in expected.iter().zip(&table.groups).enumerate() {
        let name = format!("weighted {}", case["segment"]);
        let w = group.weighted_nps.as_ref().ok_or("weighted summary")?;
        close(w.score, num(&case["score"])?, CLOSED, &name);
        close(w.n_eff, num(&case["n_eff"])?, CLOSED, &name);
        close(w.simple_std_error, num(&case["simple_se"])?, CLOSED, &name);
        close(
            w.linearised_std_error,
            num(&case["linearised_se"])?,
            CLOSED,
            &name,
        );
        close(
            lin.get(i).ok_or("linearised_se")?,
            num(&case["linearised_se"])?,
            CLOSED,
            &name,
        );
    }
    Ok(())
}

#[test]
fn parquet_scan_gives_the_csv_result() -> TestResult {
    // The same survey as Parquet, read lazily (only the query's columns are scanned).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/surveys.parquet");
    let path = path.to_str().ok_or("path")?;
    let lf = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?;
    let query = SurveyQuery::builder("score", RatedScale::nps())
        .segments(["segment"])
        .time("answered_at", Grain::Month)
        .build()?;
    let from_parquet = query.run_lazy(lf)?;
    let from_csv = query.run(&surveys_csv()?)?;
    assert_eq!(from_parquet.groups, from_csv.groups);
    assert!(from_parquet.frame.equals_missing(&from_csv.frame));
    Ok(())
}

#[test]
fn shards_of_a_frame_merge_to_the_whole() -> TestResult {
    // Split the file into two row ranges, run the same query on each, merge the cells' counts
    // by key: the result equals the query on the whole file.
    let df = surveys_csv()?;
    let query = SurveyQuery::builder("score", RatedScale::nps())
        .segments(["plan", "region"])
        .time("answered_at", Grain::Week)
        .weight("arr")
        .build()?;
    let whole = query.run(&df)?;
    let (a, b) = (
        query.run(&df.slice(0, 1234))?,
        query.run(&df.slice(1234, df.height()))?,
    );
    let mut merged = std::collections::BTreeMap::new();
    for g in a.groups.iter().chain(&b.groups) {
        let key = (g.segment.to_string(), g.period);
        let entry = merged
            .entry(key)
            .or_insert_with(|| ScaleCounts::empty(RatedScale::nps()));
        *entry = entry.clone().merge(&g.counts)?;
    }
    assert_eq!(merged.len(), whole.groups.len());
    for g in &whole.groups {
        assert_eq!(
            merged.get(&(g.segment.to_string(), g.period)),
            Some(&g.counts)
        );
    }
    assert_eq!(
        a.report.rows_read() + b.report.rows_read(),
        whole.report.rows_read()
    );
    Ok(())
}

#[test]
fn invalid_rows_are_reported_not_dropped() -> TestResult {
    let df = df!(
        "score" => [Some(10.0), Some(11.0), None, Some(7.5), Some(9.0), Some(3.0), Some(8.0), Some(6.0)],
        "w" => [Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(0.0), Some(2.0), Some(1.0), None],
        "plan" => [Some("Pro"), Some("Pro"), Some("Pro"), Some("Pro"), Some("Pro"), None, Some("Free"), Some("Free")],
        "at" => ["2026-10-01", "2026-10-01", "2026-10-01", "2026-10-01", "2026-10-01", "2026-10-02", "not a date", "2026-10-03"],
    )?;
    let query = SurveyQuery::builder("score", RatedScale::nps())
        .segments(["plan"])
        .time("at", Grain::Week)
        .weight("w")
        .build()?;
    let table = query.run(&df)?;
    let r = &table.report;
    assert_eq!((r.rows_read(), r.rows_accepted()), (8, 1));
    let rejected: Vec<(u64, Option<&str>)> = r
        .rejected()
        .iter()
        .map(|x| (x.line, x.column.as_deref()))
        .collect();
    assert_eq!(
        rejected,
        [
            (2, Some("score")),
            (3, Some("score")),
            (4, Some("score")),
            (5, Some("w")),
            (6, Some("plan")),
            (7, Some("at")),
            (8, Some("w")),
        ]
    );
    assert!(r.rejected()[0].reason.contains("11"));
    assert_eq!(table.groups.len(), 1);
    assert_eq!(table.groups[0].counts.count(10), 1);
    assert_eq!(
        table.groups[0].period.map(|p| p.label()).as_deref(),
        Some("2026-W40")
    );
    Ok(())
}

#[test]
fn csat_by_region_and_adapter_errors() -> TestResult {
    // Treat the 0–10 score as a 0–10 satisfaction rating with a 9–10 top box: not NPS, so
    // the frame has top-box and mean columns.
    let df = surveys_csv()?;
    let scale = RatedScale::builder(0, 10).top_box(9).build()?;
    let table = SurveyQuery::builder("score", scale)
        .segments(["region"])
        .build()?
        .run(&df)?;
    assert!(table.frame.column("nps").is_err());
    let top = table.frame.column("top_box")?.u64()?;
    for (i, g) in table.groups.iter().enumerate() {
        // Independent count: rows of this region with score >= 9.
        let region = g.segment.get("region").ok_or("region")?;
        let mask = df.column("region")?.str()?.equal(region);
        let scores = df.column("score")?.i64()?.filter(&mask)?;
        let expected = scores.iter().flatten().filter(|&s| s >= 9).count() as u64;
        assert_eq!(top.get(i), Some(expected), "{region}");
    }
    // Errors: a missing column, a non-numeric score, a non-UTC calendar, a reused column.
    let missing = SurveyQuery::builder("nope", RatedScale::nps())
        .build()?
        .run(&df);
    assert!(matches!(missing, Err(KpiError::MissingColumn { .. })));
    let text = SurveyQuery::builder("segment", RatedScale::nps())
        .build()?
        .run(&df);
    assert!(matches!(text, Err(KpiError::InvalidColumn { .. })));
    let ny = Calendar::new(chrono_tz::America::New_York, chrono::Weekday::Mon);
    assert!(
        SurveyQuery::builder("score", RatedScale::nps())
            .calendar(ny)
            .build()
            .is_err()
    );
    assert!(
        SurveyQuery::builder("score", RatedScale::nps())
            .segments(["score"])
            .build()
            .is_err()
    );
    assert!(
        SurveyQuery::builder("score", RatedScale::csat_5())
            .weight("arr")
            .build()
            .is_err()
    );
    Ok(())
}
