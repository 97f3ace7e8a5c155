//! Multiple-comparison corrections: statsmodels fixtures, hand-derived examples, properties,
//! adjusted intervals and explicit families.

use prodops_experiment::dist::{norm_ppf, norm_sf};
use prodops_experiment::multitest::{
    Correction, Family, FamilyMember, FamilyScope, MetricRole, adjust, adjust_family,
    adjusted_interval, bonferroni_alpha, reject,
};
use prodops_experiment::{Alpha, ExperimentError, Interval};
use proptest::prelude::*;

use crate::fixtures::{assert_close, load, num};

/// The closed forms match statsmodels to rounding; 1e-12 leaves room for a different libm
/// `log1p`/`expm1` and numpy's pairwise sum in Benjamini–Yekutieli's harmonic number.
const REL: f64 = 1e-12;

fn nums(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[test]
fn every_fixture_case_matches_statsmodels() {
    let fixture = load("multitest.json");
    let methods: Vec<&str> = fixture["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    // Every statsmodels method in the fixture has a Correction, and vice versa.
    let ours: Vec<&str> = Correction::ALL
        .iter()
        .filter_map(|c| c.statsmodels_method())
        .collect();
    let mut sorted_methods = methods.clone();
    let mut sorted_ours = ours.clone();
    sorted_methods.sort_unstable();
    sorted_ours.sort_unstable();
    assert_eq!(sorted_methods, sorted_ours);

    let cases = fixture["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 12,
        "expected about 12 cases, found {}",
        cases.len()
    );
    let mut checked = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let p = nums(&case["p"]);
        for correction in Correction::ALL {
            let Some(method) = correction.statsmodels_method() else {
                continue;
            };
            let expected = nums(&case["adjusted"][method]);
            let actual = adjust(&p, correction).unwrap();
            assert_eq!(actual.len(), expected.len(), "{name} {method}");
            for (i, (&a, &e)) in actual.iter().zip(&expected).enumerate() {
                assert_close(a, e, REL, &format!("{name} {method} [{i}]"));
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} values checked");
}

#[test]
fn no_correction_returns_the_raw_p_values() {
    let p = [0.3, 0.0, 1.0, 0.04];
    assert_eq!(adjust(&p, Correction::None).unwrap(), p.to_vec());
}

#[test]
fn hand_derived_holm_and_benjamini_hochberg() {
    // m = 3. Sorted: p(1) = 0.01 (input 0), p(2) = 0.03 (input 2), p(3) = 0.04 (input 1).
    let p = [0.01, 0.04, 0.03];

    // Holm: (m − j + 1)·p(j) = 3 × 0.01 = 0.03, 2 × 0.03 = 0.06, 1 × 0.04 = 0.04.
    // Running max from the smallest: 0.03, 0.06, max(0.06, 0.04) = 0.06.
    // In input order: [0.03, 0.06, 0.06].
    let holm = adjust(&p, Correction::Holm).unwrap();
    for (a, e) in holm.iter().zip([0.03, 0.06, 0.06]) {
        assert_close(*a, e, 1e-15, "holm");
    }
    // At α = 0.05 only the smallest survives.
    let alpha = Alpha::new(0.05).unwrap();
    assert_eq!(
        reject(&p, Correction::Holm, alpha).unwrap(),
        vec![true, false, false]
    );

    // BH: m·p(j)/j = 3 × 0.01 / 1 = 0.03, 3 × 0.03 / 2 = 0.045, 3 × 0.04 / 3 = 0.04.
    // Running min from the largest: 0.04, min(0.045, 0.04) = 0.04, min(0.03, 0.04) = 0.03.
    // In input order: [0.03, 0.04, 0.04].
    let bh = adjust(&p, Correction::BenjaminiHochberg).unwrap();
    for (a, e) in bh.iter().zip([0.03, 0.04, 0.04]) {
        assert_close(*a, e, 1e-15, "bh");
    }
    assert_eq!(
        reject(&p, Correction::BenjaminiHochberg, alpha).unwrap(),
        vec![true, true, true]
    );

    // BY: BH × (1 + 1/2 + 1/3) = BH × 11/6: [0.055, 0.0733…, 0.0733…].
    let by = adjust(&p, Correction::BenjaminiYekutieli).unwrap();
    for (a, e) in by
        .iter()
        .zip([0.03 * 11.0 / 6.0, 0.04 * 11.0 / 6.0, 0.04 * 11.0 / 6.0])
    {
        assert_close(*a, e, 1e-14, "by");
    }

    // Hommel, m = 3. Start a = p(sorted) = [0.01, 0.03, 0.04].
    // k = 3: Simes of all three: min(3×0.01/1, 3×0.03/2, 3×0.04/3) = 0.03; every a ≥ 0.03
    //        → [0.03, 0.03, 0.04].
    // k = 2: Simes of the two largest: min(2×0.03/1, 2×0.04/2) = 0.04; a(2), a(3) ≥ 0.04 and
    //        a(1) ≥ min(2×0.01, 0.04) = 0.02 → [0.03, 0.04, 0.04].
    // In input order: [0.03, 0.04, 0.04] (here equal to Hochberg).
    let hommel = adjust(&p, Correction::Hommel).unwrap();
    for (a, e) in hommel.iter().zip([0.03, 0.04, 0.04]) {
        assert_close(*a, e, 1e-15, "hommel");
    }
}

#[test]
fn sidak_keeps_precision_for_tiny_p_values() {
    // Naively 1 − (1 − 1e-300)^5 is 0; the log1p/expm1 form gives 5e-300.
    let adjusted = adjust(&[1e-300; 5], Correction::Sidak).unwrap();
    assert_close(adjusted[0], 5e-300, 1e-12, "sidak tiny");
    // p = 1 stays exactly 1 (ln_1p(−1) = −∞, exp_m1(−∞) = −1).
    assert_eq!(adjust(&[1.0, 0.5], Correction::Sidak).unwrap()[0], 1.0);
    assert_eq!(adjust(&[1.0, 0.5], Correction::HolmSidak).unwrap()[0], 1.0);
}

#[test]
fn invalid_p_values_are_typed_errors_naming_the_index() {
    for bad in [f64::NAN, 1.5, -0.1, f64::INFINITY, f64::NEG_INFINITY] {
        for correction in Correction::ALL {
            let err = adjust(&[0.2, bad, 0.3], correction).unwrap_err();
            match err {
                ExperimentError::InvalidInput { what, .. } => assert_eq!(what, "p_values[1]"),
                other => panic!("{bad} under {correction:?}: unexpected {other:?}"),
            }
        }
    }
    let alpha = Alpha::default();
    assert!(matches!(
        reject(&[f64::NAN], Correction::Holm, alpha),
        Err(ExperimentError::InvalidInput { .. })
    ));
}

#[test]
fn empty_in_empty_out() {
    for correction in Correction::ALL {
        assert_eq!(adjust(&[], correction).unwrap(), Vec::<f64>::new());
        assert_eq!(
            reject(&[], correction, Alpha::default()).unwrap(),
            Vec::<bool>::new()
        );
    }
}

#[test]
fn negative_zero_is_accepted_as_zero() {
    let adjusted = adjust(&[-0.0, 0.5], Correction::Bonferroni).unwrap();
    assert_eq!(adjusted[0].to_bits(), 0.0f64.to_bits());
}

#[test]
fn bonferroni_alpha_divides_by_the_family_size() {
    let alpha = Alpha::new(0.05).unwrap();
    assert_close(
        bonferroni_alpha(alpha, 5).unwrap().get(),
        0.01,
        1e-15,
        "0.05 / 5",
    );
    assert_eq!(bonferroni_alpha(alpha, 1).unwrap(), alpha);
    assert!(matches!(
        bonferroni_alpha(alpha, 0),
        Err(ExperimentError::InvalidInput { .. })
    ));
}

/// A symmetric raw interval Δ̂ ± z_{1−α/2}·SE.
fn symmetric(estimate: f64, se: f64, alpha: Alpha) -> Interval {
    let z = -norm_ppf(alpha.get() / 2.0);
    Interval {
        lower: estimate - z * se,
        upper: estimate + z * se,
    }
}

#[test]
fn adjusted_interval_hand_example() {
    let alpha = Alpha::new(0.05).unwrap();
    let z = 1.959_963_984_540_054; // Φ⁻¹(0.975)
    // Δ̂ = 2 with SE 1: raw CI 2 ± 1.96 = [0.04, 3.96].
    let raw = symmetric(2.0, 1.0, alpha);
    // statrs' Φ⁻¹ is accurate to ~1e-15 absolute, which is 1e-14 relative at 0.04.
    assert_close(raw.lower, 2.0 - z, 1e-12, "raw lower");
    // Suppose the adjusted p is 2Φ(−1) ≈ 0.3173: Φ⁻¹(1 − p/2) = 1, so SE_adj = |Δ̂| / 1 = 2
    // and the adjusted CI is 2 ± 1.96 × 2 = [−1.92, 5.92], which now includes 0, as a p-value
    // above α must.
    // 2Φ(−1) from scipy, written out: statrs' normal sf(1) is only ~1e-10 accurate (relative),
    // which would hide the 1e-12 check on Φ⁻¹ below.
    let p_adj = 0.317_310_507_862_914_15;
    let adjusted = adjusted_interval(2.0, raw, p_adj, alpha);
    assert_close(adjusted.lower, 2.0 - 2.0 * z, 1e-12, "adjusted lower");
    assert_close(adjusted.upper, 2.0 + 2.0 * z, 1e-12, "adjusted upper");
    assert!(adjusted.contains(0.0));
}

#[test]
fn adjusted_interval_edge_cases() {
    let alpha = Alpha::new(0.05).unwrap();
    let raw = symmetric(2.0, 1.0, alpha);
    let whole = Interval {
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    };
    // p_adj = 1 (or within 1e-12 of it) is consistent with any effect.
    assert_eq!(adjusted_interval(2.0, raw, 1.0, alpha), whole);
    assert_eq!(adjusted_interval(2.0, raw, 1.0 - 1e-13, alpha), whole);
    assert_eq!(adjusted_interval(0.0, raw, 1.0, alpha), whole);
    // Δ̂ = 0: the implied SE is 0, so the raw interval stands.
    let centred = symmetric(0.0, 1.0, alpha);
    assert_eq!(adjusted_interval(0.0, centred, 0.5, alpha), centred);
    // p_adj = 0: SE_adj = 0, so the raw interval stands.
    assert_eq!(adjusted_interval(2.0, raw, 0.0, alpha), raw);
    // An adjusted p no larger than the raw p gives an interval no wider than raw: raw stands.
    let raw_p = 2.0 * norm_sf(2.0);
    let same = adjusted_interval(2.0, raw, raw_p, alpha);
    assert_close(same.lower, raw.lower, 1e-12, "same lower");
    assert_close(same.upper, raw.upper, 1e-12, "same upper");
    // Inputs outside the domain give the conservative whole line, never NaN.
    assert_eq!(adjusted_interval(f64::NAN, raw, 0.5, alpha), whole);
    assert_eq!(adjusted_interval(2.0, raw, f64::NAN, alpha), whole);
    assert_eq!(adjusted_interval(2.0, raw, 1.5, alpha), whole);
    let nan_raw = Interval {
        lower: f64::NAN,
        upper: 1.0,
    };
    assert_eq!(adjusted_interval(2.0, nan_raw, 0.5, alpha), whole);
}

#[test]
fn family_scope_decides_which_metrics_dilute_alpha() {
    let members = vec![
        FamilyMember::new("B", "conversion", MetricRole::Success),
        FamilyMember::new("B", "latency", MetricRole::Guardrail),
        FamilyMember::new("C", "conversion", MetricRole::Success),
        FamilyMember::new("C", "revenue", MetricRole::Secondary),
    ];
    let p = [0.01, 0.001, 0.02, 0.03];

    // Success metrics only: m = 2; the guardrail and the secondary metric keep their raw p.
    let success = Family::new(members.clone(), FamilyScope::SuccessMetricsOnly).unwrap();
    assert_eq!(success.members_in_scope(), vec![0, 2]);
    let adjusted = adjust_family(&success, &p, Correction::Bonferroni).unwrap();
    assert_eq!(adjusted.len(), 4);
    assert_close(adjusted[0].unwrap(), 0.02, 1e-15, "B conversion");
    assert_eq!(adjusted[1], None);
    assert_close(adjusted[2].unwrap(), 0.04, 1e-15, "C conversion");
    assert_eq!(adjusted[3], None);

    // All metrics: m = 4, every comparison is corrected, the guardrail included.
    let all = Family::new(members, FamilyScope::AllMetrics).unwrap();
    assert_eq!(all.members_in_scope(), vec![0, 1, 2, 3]);
    let adjusted = adjust_family(&all, &p, Correction::Bonferroni).unwrap();
    for (a, e) in adjusted.iter().zip([0.04, 0.004, 0.08, 0.12]) {
        assert_close(a.unwrap(), e, 1e-15, "all metrics");
    }
    // The same answer as adjusting the whole vector.
    let direct = adjust(&p, Correction::Holm).unwrap();
    let via_family = adjust_family(&all, &p, Correction::Holm).unwrap();
    assert_eq!(via_family, direct.into_iter().map(Some).collect::<Vec<_>>());
}

#[test]
fn family_errors() {
    let members = vec![
        FamilyMember::new("B", "conversion", MetricRole::Success),
        FamilyMember::new("B", "latency", MetricRole::Guardrail),
    ];
    let family = Family::new(members.clone(), FamilyScope::SuccessMetricsOnly).unwrap();
    // Length mismatch.
    assert!(matches!(
        adjust_family(&family, &[0.01], Correction::Holm),
        Err(ExperimentError::InvalidInput { .. })
    ));
    // An invalid p-value is an error even outside the scope.
    assert!(matches!(
        adjust_family(&family, &[0.01, f64::NAN], Correction::Holm),
        Err(ExperimentError::InvalidInput { .. })
    ));
    // The same comparison twice.
    let mut twice = members;
    twice.push(FamilyMember::new("B", "conversion", MetricRole::Secondary));
    assert!(matches!(
        Family::new(twice, FamilyScope::AllMetrics),
        Err(ExperimentError::InvalidInput { .. })
    ));
    // An empty family adjusts nothing.
    let empty = Family::new(vec![], FamilyScope::AllMetrics).unwrap();
    assert!(empty.is_empty());
    assert_eq!(
        adjust_family(&empty, &[], Correction::Holm).unwrap(),
        Vec::<Option<f64>>::new()
    );
}

#[test]
fn family_serde_round_trips_and_validates() {
    let family = Family::new(
        vec![
            FamilyMember::new("B", "conversion", MetricRole::Success),
            FamilyMember::new("B", "latency", MetricRole::Guardrail),
        ],
        FamilyScope::SuccessMetricsOnly,
    )
    .unwrap();
    let json = serde_json::to_string(&family).unwrap();
    assert_eq!(serde_json::from_str::<Family>(&json).unwrap(), family);
    let duplicate = r#"{"members":[
        {"variant":"B","metric":"m","role":"success"},
        {"variant":"B","metric":"m","role":"guardrail"}],
        "scope":"all_metrics"}"#;
    assert!(serde_json::from_str::<Family>(duplicate).is_err());
    let correction: Correction = serde_json::from_str("\"benjamini_hochberg\"").unwrap();
    assert_eq!(correction, Correction::BenjaminiHochberg);
}

/// p-values with deliberate ties and exact 0 and 1, so the properties see the edge cases.
fn p_values() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            4 => 0.0f64..=1.0,
            2 => 0.0f64..0.001,
            1 => Just(0.0),
            1 => Just(1.0),
            1 => Just(0.01),
            1 => Just(0.05),
        ],
        1..40,
    )
}

/// p-values and a permutation of their indices.
fn p_values_and_permutation() -> impl Strategy<Value = (Vec<f64>, Vec<usize>)> {
    p_values().prop_flat_map(|p| {
        let n = p.len();
        (Just(p), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
    })
}

/// a ≤ b up to rounding: the inequalities hold exactly in real arithmetic, but e.g. Šidák's
/// expm1/log1p form can land an ulp below p for m = 1.
fn leq(a: f64, b: f64) -> bool {
    a <= b + 1e-12 * b.abs().max(1e-300)
}

proptest! {
    #[test]
    fn adjusted_p_values_are_valid_and_no_smaller_than_raw(p in p_values()) {
        for correction in Correction::ALL {
            let adjusted = adjust(&p, correction).unwrap();
            prop_assert_eq!(adjusted.len(), p.len());
            for (&a, &raw) in adjusted.iter().zip(&p) {
                prop_assert!((0.0..=1.0).contains(&a), "{:?}: {} outside [0, 1]", correction, a);
                prop_assert!(leq(raw, a), "{:?}: adjusted {} < raw {}", correction, a, raw);
            }
        }
    }

    #[test]
    fn permuting_inputs_permutes_outputs((p, perm) in p_values_and_permutation()) {
        let permuted: Vec<f64> = perm.iter().map(|&i| p[i]).collect();
        for correction in Correction::ALL {
            let adjusted = adjust(&p, correction).unwrap();
            let adjusted_permuted = adjust(&permuted, correction).unwrap();
            for (k, &i) in perm.iter().enumerate() {
                // Exact: the sorted values are identical and ties get identical results.
                prop_assert_eq!(adjusted_permuted[k].to_bits(), adjusted[i].to_bits(), "{:?}", correction);
            }
        }
    }

    #[test]
    fn adjusted_p_values_are_monotone_in_the_sorted_order(p in p_values()) {
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
        for correction in Correction::ALL {
            let adjusted = adjust(&p, correction).unwrap();
            for pair in order.windows(2) {
                // Exact: every method is built from monotone operations on the sorted p.
                prop_assert!(
                    adjusted[pair[0]] <= adjusted[pair[1]],
                    "{:?}: p {} -> {} but p {} -> {}",
                    correction, p[pair[0]], adjusted[pair[0]], p[pair[1]], adjusted[pair[1]]
                );
            }
        }
    }

    #[test]
    fn documented_inequalities_between_methods(p in p_values()) {
        let get = |c| adjust(&p, c).unwrap();
        let bonferroni = get(Correction::Bonferroni);
        let sidak = get(Correction::Sidak);
        let holm = get(Correction::Holm);
        let holm_sidak = get(Correction::HolmSidak);
        let hochberg = get(Correction::Hochberg);
        let hommel = get(Correction::Hommel);
        let bh = get(Correction::BenjaminiHochberg);
        let by = get(Correction::BenjaminiYekutieli);
        for i in 0..p.len() {
            // Holm steps down from Bonferroni; Hochberg steps up from the same constants;
            // Hommel's closed Simes test dominates Hochberg (Hommel 1989).
            prop_assert!(leq(holm[i], bonferroni[i]), "holm {} > bonferroni {}", holm[i], bonferroni[i]);
            prop_assert!(leq(hochberg[i], holm[i]), "hochberg {} > holm {}", hochberg[i], holm[i]);
            prop_assert!(leq(hommel[i], hochberg[i]), "hommel {} > hochberg {}", hommel[i], hochberg[i]);
            // Šidák's levels are less strict than Bonferroni's: 1 − (1 − p)^k ≤ k·p.
            prop_assert!(leq(sidak[i], bonferroni[i]));
            prop_assert!(leq(holm_sidak[i], holm[i]));
            // BH's constants m/j never exceed Hochberg's m − j + 1; BY scales BH up by Σ 1/j ≥ 1.
            prop_assert!(leq(bh[i], hochberg[i]), "bh {} > hochberg {}", bh[i], hochberg[i]);
            prop_assert!(leq(bh[i], by[i]), "bh {} > by {}", bh[i], by[i]);
        }
    }

    #[test]
    fn reject_is_adjusted_p_at_most_alpha(p in p_values(), a in 0.001f64..0.2) {
        let alpha = Alpha::new(a).unwrap();
        for correction in Correction::ALL {
            let adjusted = adjust(&p, correction).unwrap();
            let decisions = reject(&p, correction, alpha).unwrap();
            for (&adj, &r) in adjusted.iter().zip(&decisions) {
                prop_assert_eq!(r, adj <= a);
            }
        }
    }

    #[test]
    fn adjusted_intervals_contain_raw_and_agree_with_the_adjusted_p(
        estimate in prop_oneof![-5.0f64..-0.01, 0.01f64..5.0],
        se in 0.01f64..3.0,
        inflation in 1.0f64..20.0,
        a in 0.01f64..0.2,
    ) {
        let alpha = Alpha::new(a).unwrap();
        let raw = symmetric(estimate, se, alpha);
        let raw_p = 2.0 * norm_sf(estimate.abs() / se);
        let p_adj = (raw_p * inflation).min(1.0);
        let adjusted = adjusted_interval(estimate, raw, p_adj, alpha);
        prop_assert!(!adjusted.lower.is_nan() && !adjusted.upper.is_nan());
        prop_assert!(adjusted.lower <= raw.lower && adjusted.upper >= raw.upper);
        if p_adj >= 1.0 - 1e-12 {
            prop_assert!(adjusted.lower.is_infinite() && adjusted.upper.is_infinite());
        } else if (p_adj - a).abs() > 1e-9 {
            // Duality: the interval excludes 0 exactly when the adjusted test rejects.
            prop_assert_eq!(!adjusted.contains(0.0), p_adj < a, "p_adj {} alpha {} {:?}", p_adj, a, adjusted);
        }
    }
}

#[test]
fn two_stage_fdr_matches_statsmodels() -> Result<(), ExperimentError> {
    let fixture = load("multitest.json");
    let cases = fixture["two_stage"].as_array().unwrap();
    assert!(cases.len() >= 60);
    for case in cases {
        let alpha = Alpha::new(num(&case["alpha"]))?;
        let method = case["method"].as_str().unwrap();
        let correction = if method == "fdr_tsbh" {
            Correction::TwoStageBenjaminiHochberg { alpha }
        } else {
            Correction::TwoStageBenjaminiKriegerYekutieli { alpha }
        };
        assert_eq!(correction.statsmodels_method(), Some(method));
        let p = nums(&case["p"]);
        let label = format!("{} {method} α = {}", case["name"], alpha.get());
        let adjusted = adjust(&p, correction)?;
        for (i, (&a, e)) in adjusted.iter().zip(nums(&case["adjusted"])).enumerate() {
            assert_close(a, e, REL, &format!("{label} [{i}]"));
        }
        // statsmodels' reject comes from its second-stage BH pass; ours from adjusted ≤ α.
        let expected: Vec<bool> = case["reject"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_bool().unwrap())
            .collect();
        assert_eq!(reject(&p, correction, alpha)?, expected, "{label}");
    }
    Ok(())
}

#[test]
fn two_stage_bh_scales_by_the_estimated_null_share() -> Result<(), ExperimentError> {
    // Hand example, m = 4, α = 0.05: BH values 0.004, 0.02, 0.04·4/3 = 0.05333, 0.8. The
    // first stage rejects the p-values under (j/4)·0.05 = 0.0125, 0.025, 0.0375, 0.05:
    // 0.001 and 0.01, so r₁ = 2, m₀ = 2 and the values halve.
    let alpha = Alpha::new(0.05)?;
    let adjusted = adjust(
        &[0.001, 0.01, 0.04, 0.8],
        Correction::TwoStageBenjaminiHochberg { alpha },
    )?;
    let expected = [0.002, 0.01, 0.04 * 4.0 / 3.0 / 2.0, 0.4];
    for (a, e) in adjusted.iter().zip(expected) {
        assert!((a - e).abs() < 1e-15, "{a} vs {e}");
    }
    Ok(())
}

#[test]
fn simultaneous_one_sided_bounds_match_spotify_confidence() -> Result<(), ExperimentError> {
    use prodops_experiment::multitest::simultaneous_one_sided_bounds;
    use prodops_experiment::{Alternative, Analysis, ArmMoments, MeanTest};
    let fixture = load("multitest.json");
    let cases = fixture["simultaneous_bounds"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let alpha = Alpha::new(num(&case["alpha"]))?;
        let correction = match case["method"].as_str().unwrap() {
            "holm" => Correction::Holm,
            "hommel" => Correction::Hommel,
            "simes-hochberg" => Correction::Hochberg,
            _ => Correction::Bonferroni,
        };
        let label = format!("{} {:?} α = {}", case["name"], correction, alpha.get());
        // z tests with exactly these estimates and standard errors: control mean 0 and
        // treatment mean Δ̂, each arm with variance SE²/2 of its mean.
        let n = 1_000;
        let mut outcomes = Vec::new();
        for (i, larger) in case["larger"].as_array().unwrap().iter().enumerate() {
            let se = num(&case["std_error"][i]);
            let unit_variance = se * se / 2.0 * n as f64;
            let analysis = Analysis::builder()
                .test(MeanTest::Z)
                .alternative(if larger.as_bool().unwrap() {
                    Alternative::Greater
                } else {
                    Alternative::Less
                })
                .null_value(num(&case["null_value"][i]))
                .alpha(alpha.get())
                .build()?;
            let a = ArmMoments::new("control", n, 0.0, unit_variance)?;
            let b = ArmMoments::new("treatment", n, num(&case["estimate"][i]), unit_variance)?;
            let outcome = analysis.compare_moments(&a, &b)?;
            assert_close(outcome.p_value, num(&case["p_value"][i]), 1e-9, &label);
            outcomes.push(outcome);
        }
        let bounds = simultaneous_one_sided_bounds(&outcomes, correction, alpha)?;
        for (i, b) in bounds.iter().enumerate() {
            assert_close(
                b.lower,
                num(&case["lower"][i]),
                1e-9,
                &format!("{label} lower [{i}]"),
            );
            assert_close(
                b.upper,
                num(&case["upper"][i]),
                1e-9,
                &format!("{label} upper [{i}]"),
            );
        }
    }
    Ok(())
}

#[test]
fn simultaneous_bounds_reject_two_sided_tests_and_other_corrections() -> Result<(), ExperimentError>
{
    use prodops_experiment::multitest::simultaneous_one_sided_bounds;
    use prodops_experiment::{Analysis, ArmMoments};
    let a = ArmMoments::new("control", 100, 1.0, 1.0)?;
    let b = ArmMoments::new("treatment", 100, 1.2, 1.0)?;
    let two_sided = Analysis::default().compare_moments(&a, &b)?;
    let alpha = Alpha::new(0.05)?;
    assert!(matches!(
        simultaneous_one_sided_bounds(std::slice::from_ref(&two_sided), Correction::Holm, alpha),
        Err(ExperimentError::InvalidInput { .. })
    ));
    assert!(matches!(
        simultaneous_one_sided_bounds(&[two_sided], Correction::BenjaminiHochberg, alpha),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(simultaneous_one_sided_bounds(&[], Correction::Holm, alpha)?.is_empty());
    Ok(())
}

proptest! {
    #[test]
    fn two_stage_values_lie_in_the_unit_interval_and_below_scaled_bh(p in p_values(), a in 0.001f64..0.5) {
        let alpha = Alpha::new(a).unwrap();
        let bh = adjust(&p, Correction::BenjaminiHochberg).unwrap();
        for correction in [
            Correction::TwoStageBenjaminiHochberg { alpha },
            Correction::TwoStageBenjaminiKriegerYekutieli { alpha },
        ] {
            let adjusted = adjust(&p, correction).unwrap();
            for (&v, &b) in adjusted.iter().zip(&bh) {
                prop_assert!((0.0..=1.0).contains(&v));
                // The null share is at most 1 and the BKY factor is 1 + α.
                prop_assert!(v <= b * (1.0 + a) * (1.0 + 1e-12));
            }
        }
    }
}
