//! Post-stratification against a fully interacted OLS with HC2 errors (statsmodels), numpy and
//! scipy; properties of the estimator.

use prodops_experiment::{Analysis, ExperimentError, MeanStats, MeanTest, Scale, Stratum};
use proptest::prelude::*;
use serde_json::Value;

use crate::fixtures::{CLOSED, assert_close, assert_estimate_and_ci, load, mean_stats, num};

fn strata(case: &Value) -> Vec<Stratum<MeanStats>> {
    case["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            Stratum::new(
                s["name"].as_str().unwrap(),
                mean_stats(&s["control"]),
                mean_stats(&s["treatment"]),
            )
        })
        .collect()
}

#[test]
fn post_stratified_effect_matches_interacted_ols_with_hc2() -> Result<(), ExperimentError> {
    let fixtures = load("post_stratification.json");
    for case in fixtures["cases"].as_array().unwrap() {
        let label = case["name"].as_str().unwrap();
        let strata = strata(case);
        let z = Analysis::builder().test(MeanTest::Z).build()?;
        let out = z.post_stratified(&strata)?;
        // OLS coefficients come from a least-squares solve, so agreement is to rounding of
        // that solve, well inside 1e-9 relative.
        assert_close(
            out.adjusted.estimate,
            num(&case["ols"]["estimate"]),
            CLOSED,
            label,
        );
        assert_close(
            out.adjusted.std_error,
            num(&case["ols"]["se"]),
            CLOSED,
            label,
        );
        assert_estimate_and_ci(out.adjusted.estimate, out.adjusted.ci, &case["z"], label);
        assert_close(
            out.adjusted.p_value,
            num(&case["z"]["p_value"]),
            CLOSED,
            label,
        );
        for (got, want) in out.weights.iter().zip(case["weights"].as_array().unwrap()) {
            assert_close(got.1, num(want), CLOSED, &format!("{label} weight"));
        }
        assert!(out.merged_strata.is_empty());

        let relative = Analysis::builder()
            .test(MeanTest::Z)
            .scale(Scale::Relative)
            .build()?
            .post_stratified(&strata)?;
        let reference = &case["relative"];
        assert_estimate_and_ci(
            relative.adjusted.estimate,
            relative.adjusted.ci,
            reference,
            label,
        );
        assert_close(
            relative.adjusted.std_error,
            num(&reference["se"]),
            CLOSED,
            label,
        );
        assert_close(
            relative.adjusted.p_value,
            num(&reference["p_value"]),
            CLOSED,
            label,
        );

        // The unstratified comparison is scipy's Welch test on the pooled rows.
        let welch = Analysis::default().post_stratified(&strata)?;
        let reference = &case["unadjusted"];
        assert_estimate_and_ci(
            welch.unadjusted.estimate,
            welch.unadjusted.ci,
            reference,
            label,
        );
        assert_close(
            welch.unadjusted.p_value,
            num(&reference["p_value"]),
            1e-7,
            label,
        );
    }
    Ok(())
}

#[test]
fn strata_with_different_levels_reduce_variance() -> Result<(), ExperimentError> {
    let fixtures = load("post_stratification.json");
    let out = Analysis::default().post_stratified(&strata(&fixtures["cases"][0]))?;
    // Desktop ≈ 20, mobile ≈ 8: most of the pooled variance lies between strata.
    assert!(out.variance_reduction > 0.5, "{}", out.variance_reduction);
    Ok(())
}

#[test]
fn non_viable_strata_are_merged_not_dropped() -> Result<(), ExperimentError> {
    let big_a = MeanStats::from_values(&[1.0, 2.0, 3.0, 4.0])?;
    let big_b = MeanStats::from_values(&[2.0, 3.0, 4.0, 6.0])?;
    let one = MeanStats::from_values(&[5.0])?;
    let constant = MeanStats::from_values(&[7.0, 7.0])?;
    let strata = [
        Stratum::new("big", big_a, big_b),
        Stratum::new("tiny", one, one),
        Stratum::new("flat", constant, MeanStats::from_values(&[6.0, 8.0])?),
    ];
    let out = Analysis::default().post_stratified(&strata)?;
    assert_eq!(
        out.merged_strata,
        vec!["tiny".to_owned(), "flat".to_owned()]
    );
    // Both join "big" (control {1, 2, 3, 4, 5, 7, 7}, treatment {2, 3, 4, 6, 5, 6, 8}),
    // leaving one stratum: the plain comparison of the totals.
    assert_eq!(out.weights, vec![("big".to_owned(), 1.0)]);
    assert!((out.adjusted.estimate - out.unadjusted.estimate).abs() < 1e-12);

    // With several viable strata, the non-viable one joins the largest.
    let strata = [
        Stratum::new("big", big_a, big_b),
        Stratum::new(
            "small",
            MeanStats::from_values(&[1.0, 2.0])?,
            MeanStats::from_values(&[2.0, 4.0])?,
        ),
        Stratum::new("tiny", one, one),
    ];
    let out = Analysis::default().post_stratified(&strata)?;
    assert_eq!(out.merged_strata, vec!["tiny".to_owned()]);
    assert_eq!(out.weights.len(), 2);
    // big (8 units) + tiny (2) against small (4): weights 10/14 and 4/14.
    assert_eq!(out.weights[0].0, "big");
    assert!((out.weights[0].1 - 10.0 / 14.0).abs() < 1e-15);
    // Hand check: big + tiny has control mean 15/5 = 3, treatment 20/5 = 4; small has 1.5
    // and 3; Δ = (10/14)·1 + (4/14)·1.5.
    let expected = 10.0 / 14.0 + 4.0 / 14.0 * 1.5;
    assert!((out.adjusted.estimate - expected).abs() < 1e-12);
    Ok(())
}

#[test]
fn no_strata_or_no_variance_is_an_error() {
    let none: [Stratum<MeanStats>; 0] = [];
    assert!(matches!(
        Analysis::default().post_stratified(&none),
        Err(ExperimentError::InvalidInput { .. })
    ));
    let flat = MeanStats::from_values(&[1.0, 1.0, 1.0]).unwrap();
    assert!(matches!(
        Analysis::default().post_stratified(&[Stratum::new("s", flat, flat)]),
        Err(ExperimentError::ZeroOrNegativeVariance { .. })
    ));
}

fn arm() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-50.0f64..50.0, 3..30)
}

proptest! {
    #[test]
    fn one_stratum_is_the_plain_comparison(a in arm(), b in arm()) {
        let (a, b) = (MeanStats::from_values(&a).unwrap(), MeanStats::from_values(&b).unwrap());
        prop_assume!(a.variance().is_ok() && b.variance().is_ok());
        let out = Analysis::default().post_stratified(&[Stratum::new("all", a, b)]).unwrap();
        let plain = Analysis::default().compare(&a, &b).unwrap();
        prop_assert!((out.adjusted.estimate - plain.estimate).abs() <= 1e-9 * (1.0 + plain.estimate.abs()));
        prop_assert!((out.adjusted.std_error - plain.std_error).abs() <= 1e-9 * plain.std_error);
    }

    #[test]
    fn swapping_arms_negates_and_ci_contains_estimate(a1 in arm(), b1 in arm(), a2 in arm(), b2 in arm()) {
        let s = |v: &[f64]| MeanStats::from_values(v).unwrap();
        let strata = [Stratum::new("x", s(&a1), s(&b1)), Stratum::new("y", s(&a2), s(&b2))];
        let swapped = [Stratum::new("x", s(&b1), s(&a1)), Stratum::new("y", s(&b2), s(&a2))];
        if let (Ok(out), Ok(back)) = (
            Analysis::default().post_stratified(&strata),
            Analysis::default().post_stratified(&swapped),
        ) {
            prop_assert!((out.adjusted.estimate + back.adjusted.estimate).abs() <= 1e-9 * (1.0 + out.adjusted.estimate.abs()));
            prop_assert!(out.adjusted.ci.contains(out.adjusted.estimate));
            prop_assert!((0.0..=1.0).contains(&out.adjusted.p_value));
        }
    }
}
