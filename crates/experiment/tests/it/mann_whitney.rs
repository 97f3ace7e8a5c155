//! The Mann–Whitney U test against scipy.stats.mannwhitneyu, with properties.

use prodops_experiment::{
    Alternative, ExperimentError, MannWhitneyConfig, MannWhitneyMethod, MannWhitneyUsed,
    mann_whitney_u,
};
use proptest::prelude::*;

use crate::fixtures::{CLOSED, assert_close, load, num};

fn values(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[test]
fn matches_scipy_mannwhitneyu() -> Result<(), ExperimentError> {
    let fixture = load("mann_whitney.json");
    let mut checked = 0;
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (control, treatment) = (values(&case["control"]), values(&case["treatment"]));
        let ties = case["ties"].as_bool().unwrap();
        for r in case["results"].as_array().unwrap() {
            let alternative = match r["alternative"].as_str().unwrap() {
                "greater" => Alternative::Greater,
                "less" => Alternative::Less,
                _ => Alternative::TwoSided,
            };
            let method = match r["method"].as_str().unwrap() {
                "exact" => MannWhitneyMethod::Exact,
                "asymptotic" => MannWhitneyMethod::Asymptotic,
                _ => MannWhitneyMethod::Auto,
            };
            let continuity = r["continuity"].as_bool().unwrap();
            let label = format!("{name} {alternative:?} {method:?} continuity {continuity}");
            let config = MannWhitneyConfig::new(alternative, method, continuity);
            let out = match mann_whitney_u(&control, &treatment, config) {
                // 300 × 350 values: binom(650, 300) ≈ 1e194 overflows exact 128-bit counts,
                // where scipy switches to floating point.
                Err(ExperimentError::InvalidConfig { .. })
                    if name == "large_continuous" && method == MannWhitneyMethod::Exact =>
                {
                    continue;
                }
                other => other?,
            };
            assert_close(out.u, num(&r["u"]), CLOSED, &label);
            // The exact test counts in integers (one rounding at the end); the normal
            // approximation uses erfc. Both are closed forms.
            assert_close(out.p_value, num(&r["p_value"]), CLOSED, &label);
            let exact_expected = match method {
                MannWhitneyMethod::Exact => true,
                MannWhitneyMethod::Asymptotic => false,
                MannWhitneyMethod::Auto => !ties && (control.len() <= 8 || treatment.len() <= 8),
            };
            assert_eq!(
                out.method == MannWhitneyUsed::Exact,
                exact_expected,
                "{label}"
            );
            checked += 1;
        }
    }
    assert!(checked > 90, "{checked}");
    Ok(())
}

#[test]
fn typed_errors_instead_of_nan() {
    let config = MannWhitneyConfig::default();
    assert!(matches!(
        mann_whitney_u(&[], &[1.0], config),
        Err(ExperimentError::TooFewUnits { .. })
    ));
    assert!(matches!(
        mann_whitney_u(&[1.0, f64::NAN], &[1.0], config),
        Err(ExperimentError::InvalidInput { .. })
    ));
    // scipy: p = 1 with the continuity correction, NaN without it.
    assert!(matches!(
        mann_whitney_u(&[2.0, 2.0], &[2.0, 2.0, 2.0], config),
        Err(ExperimentError::ZeroOrNegativeVariance { .. })
    ));
    let exact = MannWhitneyConfig::new(Alternative::TwoSided, MannWhitneyMethod::Exact, true);
    assert!(matches!(
        mann_whitney_u(&[1.0, 2.0], &[2.0, 3.0], exact),
        Err(ExperimentError::InvalidConfig { .. })
    ));
}

#[test]
fn hand_derived_exact_distribution() -> Result<(), ExperimentError> {
    // n_T = 2, n_C = 2: the 6 equally likely rank sets give U = 0, 1, 2, 2, 3, 4. Treatment
    // {3, 4} above control {1, 2}: U = 4, one-sided p = P(U ≥ 4) = 1/6.
    let greater = MannWhitneyConfig::new(Alternative::Greater, MannWhitneyMethod::Exact, true);
    let out = mann_whitney_u(&[1.0, 2.0], &[3.0, 4.0], greater)?;
    assert_eq!(out.u, 4.0);
    assert!((out.p_value - 1.0 / 6.0).abs() < 1e-15);
    assert_eq!(out.probability_of_superiority, 1.0);
    Ok(())
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((0i32..20).prop_map(f64::from), 1..25)
}

proptest! {
    #[test]
    fn swapping_arms_mirrors_u_and_keeps_the_two_sided_p(a in sample(), b in sample()) {
        let config = MannWhitneyConfig::default();
        if let (Ok(ab), Ok(ba)) = (mann_whitney_u(&a, &b, config), mann_whitney_u(&b, &a, config)) {
            let pairs = (a.len() * b.len()) as f64;
            prop_assert!((ab.u + ba.u - pairs).abs() < 1e-9);
            prop_assert!((ab.p_value - ba.p_value).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&ab.p_value));
        }
    }

    #[test]
    fn one_sided_p_values_are_consistent(a in sample(), b in sample()) {
        let at = |alternative| MannWhitneyConfig::new(alternative, MannWhitneyMethod::Auto, true);
        if let (Ok(g), Ok(l), Ok(t)) = (
            mann_whitney_u(&a, &b, at(Alternative::Greater)),
            mann_whitney_u(&a, &b, at(Alternative::Less)),
            mann_whitney_u(&a, &b, at(Alternative::TwoSided)),
        ) {
            // The two-sided p doubles the smaller one-sided p (capped at 1).
            prop_assert!((t.p_value - (2.0 * g.p_value.min(l.p_value)).min(1.0)).abs() < 1e-12);
        }
    }
}
