//! Planning: fixtures from scipy formulas, statsmodels and gbstats (fixtures/make_power.py),
//! round trips between power, sample size and MDE, properties and input errors.
//!
//! Tolerances: 1e-9 relative against the scipy-formula values (closed forms, and brentq at
//! 1e-15 where the two-sided power has no closed inverse); 1e-6 against statsmodels'
//! iterative `solve_power` sample sizes (the continuous size, not the rounded one); 1e-4
//! against `solve_power`'s effect sizes, whose own root finder stops at about 1e-5.

use prodops_experiment::power::{
    DEFAULT_SEQUENTIAL_TUNING, Design, PlanConfig, cohens_d, cohens_h, duration, mde, power,
    sample_size, sequential_power, sequential_sample_size,
};
use prodops_experiment::{Alternative, ExperimentError, Probability, Scale};
use proptest::prelude::*;
use serde_json::Value;

use crate::fixtures::{assert_close, load, num};

const FORMULA: f64 = 1e-9;
const SOLVE_POWER_N: f64 = 1e-6;
const SOLVE_POWER_EFFECT: f64 = 1e-4;

fn alternative(case: &Value) -> Alternative {
    match case["alternative"].as_str().unwrap() {
        "two_sided" => Alternative::TwoSided,
        "greater" => Alternative::Greater,
        "less" => Alternative::Less,
        other => panic!("unknown alternative {other}"),
    }
}

fn config(alpha: f64, alt: Alternative, ratio: f64) -> PlanConfig {
    PlanConfig::builder()
        .alpha(alpha)
        .alternative(alt)
        .allocation_ratio(ratio)
        .build()
        .unwrap()
}

fn prob(p: f64) -> Probability {
    Probability::new(p).unwrap()
}

fn mean_design(case: &Value) -> Design {
    Design::mean_unequal(num(&case["sd_control"]), num(&case["sd_treatment"])).unwrap()
}

/// A fixture case's design: a proportion when it has a baseline, else a mean.
fn design_of(case: &Value) -> Design {
    if case.get("baseline").is_some() {
        Design::proportion(num(&case["baseline"])).unwrap()
    } else {
        mean_design(case)
    }
}

#[test]
fn hand_derived_case() {
    // σ = 1, δ = 0.2, α = 0.05 two-sided, power 0.8:
    // n per arm = 2·(z_0.975 + z_0.8)²·σ²/δ² = 2·(1.959964 + 0.841621)²/0.04 = 392.44 → 393.
    // The exact two-tailed root sits a hair below the textbook value, because the wrong tail
    // Φ(−2·1.96 − 0.84) ≈ 1e-6 adds a little power.
    let cfg = config(0.05, Alternative::TwoSided, 1.0);
    let plan = sample_size(&Design::mean(1.0).unwrap(), 0.2, prob(0.8), &cfg).unwrap();
    // Textbook: 392.443_986_7; exact root (scipy brentq): 392.443_025_466_3.
    let textbook = 2.0 * (1.959_963_984_540_054_f64 + 0.841_621_233_572_914_3).powi(2) / 0.04;
    assert!(plan.continuous_treatment < textbook && plan.continuous_treatment > textbook - 1e-3);
    assert_close(
        plan.continuous_treatment,
        392.443_025_466_309_9,
        FORMULA,
        "hand case",
    );
    assert_eq!(
        (plan.control, plan.treatment, plan.variants, plan.total),
        (393, 393, 1, 786)
    );
    assert_eq!(plan.alpha_per_comparison, 0.05);
    // One-sided uses z_0.95 = 1.644854: 2·(1.644854 + 0.841621)²/0.04 = 309.1 → 310.
    let one = sample_size(
        &Design::mean(1.0).unwrap(),
        0.2,
        prob(0.8),
        &config(0.05, Alternative::Greater, 1.0),
    )
    .unwrap();
    assert_eq!(one.treatment, 310);
}

#[test]
fn mean_power_matches_scipy_and_statsmodels() {
    let fx = load("power.json");
    for (i, case) in fx["mean_power"].as_array().unwrap().iter().enumerate() {
        let cfg = config(num(&case["alpha"]), alternative(case), 1.0);
        let got = power(
            &mean_design(case),
            num(&case["effect"]),
            num(&case["n_control"]),
            num(&case["n_treatment"]),
            &cfg,
        )
        .unwrap();
        let name = format!("mean_power[{i}]");
        assert_close(got, num(&case["power"]), FORMULA, &name);
        assert_close(got, num(&case["power_statsmodels"]), FORMULA, &name);
    }
}

#[test]
fn mean_sample_size_matches_scipy_and_statsmodels() {
    let fx = load("power.json");
    for (i, case) in fx["mean_sample_size"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let cfg = config(
            num(&case["alpha"]),
            alternative(case),
            num(&case["allocation_ratio"]),
        );
        let plan = sample_size(
            &mean_design(case),
            num(&case["effect"]),
            prob(num(&case["power"])),
            &cfg,
        )
        .unwrap();
        let name = format!("mean_sample_size[{i}]");
        assert_close(
            plan.continuous_treatment,
            num(&case["continuous_treatment"]),
            FORMULA,
            &name,
        );
        assert_close(
            plan.continuous_control,
            num(&case["continuous_control"]),
            FORMULA,
            &name,
        );
        assert_close(
            plan.continuous_treatment,
            num(&case["continuous_treatment_statsmodels"]),
            SOLVE_POWER_N,
            &name,
        );
        assert_eq!(
            plan.treatment,
            case["treatment"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(plan.control, case["control"].as_u64().unwrap(), "{name}");
        assert_eq!(plan.total, plan.control + plan.treatment, "{name}");
    }
}

#[test]
fn mean_mde_matches_scipy_and_statsmodels() {
    let fx = load("power.json");
    for (i, case) in fx["mean_mde"].as_array().unwrap().iter().enumerate() {
        let cfg = config(num(&case["alpha"]), alternative(case), 1.0);
        let m = mde(
            &mean_design(case),
            num(&case["n_control"]),
            num(&case["n_treatment"]),
            prob(num(&case["power"])),
            Scale::Absolute,
            &cfg,
        )
        .unwrap();
        let name = format!("mean_mde[{i}]");
        assert_close(m.effect, num(&case["mde"]), FORMULA, &name);
        assert_eq!(m.absolute, m.effect, "{name}");
        assert_eq!(m.scale, Scale::Absolute, "{name}");
        assert_close(
            m.effect,
            num(&case["mde_statsmodels"]),
            SOLVE_POWER_EFFECT,
            &name,
        );
        // statsmodels' closed-form power at the reference MDE is the target power.
        assert_close(
            num(&case["power_statsmodels_at_mde"]),
            num(&case["power"]),
            FORMULA,
            &name,
        );
    }
}

#[test]
fn unequal_sds_match_formulas() {
    let fx = load("power.json");
    for (i, case) in fx["unequal_sd"].as_array().unwrap().iter().enumerate() {
        let name = format!("unequal_sd[{i}]");
        let cfg = config(
            num(&case["alpha"]),
            alternative(case),
            num(&case["allocation_ratio"]),
        );
        let design = mean_design(case);
        let target = prob(num(&case["power"]));
        let effect = num(&case["effect"]);
        let plan = sample_size(&design, effect, target, &cfg).unwrap();
        assert_close(
            plan.continuous_treatment,
            num(&case["continuous_treatment"]),
            FORMULA,
            &name,
        );
        assert_close(
            plan.continuous_control,
            num(&case["continuous_control"]),
            FORMULA,
            &name,
        );
        let (n_a, n_b) = (num(&case["n_control"]), num(&case["n_treatment"]));
        assert_close(
            power(&design, effect, n_a, n_b, &cfg).unwrap(),
            num(&case["power_at_n"]),
            FORMULA,
            &name,
        );
        let m = mde(&design, n_a, n_b, target, Scale::Absolute, &cfg).unwrap();
        assert_close(m.effect, num(&case["mde_at_n"]), FORMULA, &name);
    }
}

#[test]
fn proportions_match_formulas() {
    let fx = load("power.json");
    for (i, case) in fx["proportion"].as_array().unwrap().iter().enumerate() {
        let name = format!("proportion[{i}]");
        let cfg = config(
            num(&case["alpha"]),
            alternative(case),
            num(&case["allocation_ratio"]),
        );
        let design = design_of(case);
        let target = prob(num(&case["power"]));
        let effect = num(&case["effect"]);
        let plan = sample_size(&design, effect, target, &cfg).unwrap();
        assert_close(
            plan.continuous_treatment,
            num(&case["continuous_treatment"]),
            FORMULA,
            &name,
        );
        assert_close(
            plan.continuous_control,
            num(&case["continuous_control"]),
            FORMULA,
            &name,
        );
        assert_eq!(
            plan.treatment,
            case["treatment"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(plan.control, case["control"].as_u64().unwrap(), "{name}");
        let (n_a, n_b) = (num(&case["n_control"]), num(&case["n_treatment"]));
        assert_close(
            power(&design, effect, n_a, n_b, &cfg).unwrap(),
            num(&case["power_at_n"]),
            FORMULA,
            &name,
        );
        // The fixture solves |δ| = x*·σ_Δ(δ) by brentq on δ; the crate uses the closed-form
        // quadratic.
        let m = mde(&design, n_a, n_b, target, Scale::Absolute, &cfg).unwrap();
        assert_close(m.effect, num(&case["mde_at_n"]), FORMULA, &name);
        let rel = mde(&design, n_a, n_b, target, Scale::Relative, &cfg).unwrap();
        assert_close(rel.effect, m.effect / num(&case["baseline"]), 1e-15, &name);
        assert_eq!(rel.absolute, m.effect, "{name}");
    }
}

#[test]
fn proportion_without_detectable_effect_is_no_mde_solution() {
    let fx = load("power.json");
    let cfg = config(0.05, Alternative::TwoSided, 1.0);
    for case in fx["proportion_no_mde"].as_array().unwrap() {
        // Even p_B → 1 gives a standardised effect below x*.
        assert!(num(&case["edge_standardised"]) < num(&case["x_star"]));
        let r = mde(
            &design_of(case),
            num(&case["n_control"]),
            num(&case["n_treatment"]),
            prob(0.8),
            Scale::Absolute,
            &cfg,
        );
        assert!(
            matches!(r, Err(ExperimentError::NoMdeSolution { .. })),
            "{case}: {r:?}"
        );
    }
}

#[test]
fn relative_mde_matches_gbstats_variance_and_growthbook_quadratic() {
    let fx = load("power.json");
    let mut solved = 0;
    for (i, case) in fx["relative_mde"].as_array().unwrap().iter().enumerate() {
        let name = format!("relative_mde[{i}]");
        let cfg = config(num(&case["alpha"]), alternative(case), 1.0);
        let design = mean_design(case)
            .with_control_mean(num(&case["control_mean"]))
            .unwrap();
        let r = mde(
            &design,
            num(&case["n_control"]),
            num(&case["n_treatment"]),
            prob(num(&case["power"])),
            Scale::Relative,
            &cfg,
        );
        if case["mde"].is_null() {
            assert!(
                matches!(r, Err(ExperimentError::NoMdeSolution { .. })),
                "{name}: {r:?}"
            );
            continue;
        }
        let m = r.unwrap();
        solved += 1;
        assert_eq!(m.scale, Scale::Relative);
        assert_close(m.effect, num(&case["mde"]), FORMULA, &name);
        assert_close(
            m.absolute,
            m.effect * num(&case["control_mean"]).abs(),
            1e-15,
            &name,
        );
        if let Some(q) = case.get("mde_growthbook_quadratic") {
            assert_close(m.effect, num(q), FORMULA, &name);
        }
    }
    assert!(solved > 60);
}

#[test]
fn sequential_power_matches_gbstats_half_width() {
    let fx = load("power.json");
    for (i, case) in fx["sequential_power"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let name = format!("sequential_power[{i}]");
        let cfg = PlanConfig::builder()
            .alpha(num(&case["alpha"]))
            .sequential_tuning(num(&case["tuning"]))
            .build()
            .unwrap();
        let got = sequential_power(
            &design_of(case),
            num(&case["effect"]),
            num(&case["n_control"]),
            num(&case["n_treatment"]),
            &cfg,
        )
        .unwrap();
        // gbstats builds its variance from sums, which costs a few ulps.
        assert_close(got, num(&case["power_gbstats"]), FORMULA, &name);
        assert_close(got, num(&case["power_formula"]), FORMULA, &name);
    }
}

#[test]
fn sequential_sample_size_matches_brentq_and_exceeds_fixed_horizon() {
    let fx = load("power.json");
    for (i, case) in fx["sequential_sample_size"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let name = format!("sequential_sample_size[{i}]");
        let cfg = PlanConfig::builder()
            .alpha(num(&case["alpha"]))
            .allocation_ratio(num(&case["allocation_ratio"]))
            .sequential_tuning(num(&case["tuning"]))
            .build()
            .unwrap();
        let design = design_of(case);
        let effect = num(&case["effect"]);
        let target = prob(num(&case["power"]));
        let seq = sequential_sample_size(&design, effect, target, &cfg).unwrap();
        let fixed = sample_size(&design, effect, target, &cfg).unwrap();
        let seq_total = seq.continuous_control + seq.continuous_treatment;
        assert_close(seq_total, num(&case["continuous_total"]), FORMULA, &name);
        assert_close(
            fixed.continuous_control + fixed.continuous_treatment,
            num(&case["fixed_continuous_total"]),
            FORMULA,
            &name,
        );
        assert!(
            seq_total >= fixed.continuous_control + fixed.continuous_treatment,
            "{name}"
        );
        assert!(
            seq.total >= fixed.total && seq.control >= fixed.control,
            "{name}"
        );
        // The rounded plan reaches the target; the continuous one sits on it.
        let at = |a: f64, b: f64| sequential_power(&design, effect, a, b, &cfg).unwrap();
        assert!(
            at(seq.control as f64, seq.treatment as f64) >= target.get(),
            "{name}"
        );
        assert_close(
            at(seq.continuous_control, seq.continuous_treatment),
            target.get(),
            1e-9,
            &name,
        );
    }
}

#[test]
fn cohens_h_matches_statsmodels_sign_convention() {
    let fx = load("power.json");
    for (i, case) in fx["cohens_h"].as_array().unwrap().iter().enumerate() {
        let name = format!("cohens_h[{i}]");
        let h = cohens_h(num(&case["p1"]), num(&case["p2"])).unwrap();
        // proportion_effectsize(p2, p1): treatment minus control on the arcsine scale.
        assert_close(h, num(&case["h_statsmodels"]), 1e-12, &name);
        assert_close(h, num(&case["h_formula"]), 1e-12, &name);
    }
    assert!(cohens_h(0.1, 0.2).unwrap() > 0.0);
    assert!(cohens_h(-0.1, 0.2).is_err());
    assert!(cohens_h(0.1, f64::NAN).is_err());
    assert_eq!(cohens_d(-1.0, 4.0).unwrap(), -0.25);
    assert!(cohens_d(1.0, -1.0).is_err());
    assert!(cohens_d(f64::NAN, 1.0).is_err());
}

/// Designs, effects and configs covering means, proportions, both alternatives' directions
/// and the three allocation ratios.
fn round_trip_grid() -> Vec<(Design, f64, PlanConfig, f64)> {
    let mut grid = Vec::new();
    for alt in [
        Alternative::TwoSided,
        Alternative::Greater,
        Alternative::Less,
    ] {
        let sign = if alt == Alternative::Less { -1.0 } else { 1.0 };
        for alpha in [0.01, 0.05, 0.1] {
            for ratio in [1.0, 2.0, 0.5] {
                for target in [0.8, 0.9] {
                    let cfg = config(alpha, alt, ratio);
                    grid.push((Design::mean(1.0).unwrap(), sign * 0.2, cfg, target));
                    grid.push((
                        Design::mean_unequal(3.0, 5.0).unwrap(),
                        sign * 0.7,
                        cfg,
                        target,
                    ));
                    for p in [0.02, 0.1, 0.5] {
                        grid.push((Design::proportion(p).unwrap(), sign * 0.1 * p, cfg, target));
                    }
                }
            }
        }
    }
    grid
}

#[test]
fn power_of_planned_size_reaches_target_and_one_less_does_not() {
    for (design, effect, cfg, target) in round_trip_grid() {
        let plan = sample_size(&design, effect, prob(target), &cfg).unwrap();
        let case = format!("{design:?} δ={effect} {cfg:?} π={target}");
        let at = |a: f64, b: f64| power(&design, effect, a, b, &cfg).unwrap();
        assert!(
            at(plan.control as f64, plan.treatment as f64) >= target,
            "{case}"
        );
        // One unit fewer in both arms is below both continuous sizes, so below the target.
        if plan.control > 1 {
            assert!(
                at(plan.control as f64 - 1.0, plan.treatment as f64 - 1.0) < target,
                "{case}"
            );
        }
        // statrs' normal quantile is accurate to about 1e-11, hence not 1e-15.
        assert_close(
            at(plan.continuous_control, plan.continuous_treatment),
            target,
            FORMULA,
            &case,
        );
    }
}

#[test]
fn mde_of_planned_size_is_the_effect() {
    for (design, effect, cfg, target) in round_trip_grid() {
        let plan = sample_size(&design, effect, prob(target), &cfg).unwrap();
        let case = format!("{design:?} δ={effect} {cfg:?} π={target}");
        let m = mde(
            &design,
            plan.continuous_control,
            plan.continuous_treatment,
            prob(target),
            Scale::Absolute,
            &cfg,
        )
        .unwrap();
        assert_close(m.effect, effect, 1e-6, &case);
    }
}

#[test]
fn variants_split_alpha_by_bonferroni() {
    let design = Design::mean(1.0).unwrap();
    let three = PlanConfig::builder()
        .alpha(0.06)
        .variants(3)
        .build()
        .unwrap();
    let single = config(0.02, Alternative::TwoSided, 1.0);
    assert_close(three.alpha_per_comparison(), 0.02, 1e-15, "α/3");
    let a = sample_size(&design, 0.2, prob(0.8), &three).unwrap();
    let b = sample_size(&design, 0.2, prob(0.8), &single).unwrap();
    assert_close(
        a.continuous_treatment,
        b.continuous_treatment,
        1e-12,
        "per-arm size",
    );
    assert_eq!((a.control, a.treatment), (b.control, b.treatment));
    assert_eq!(a.variants, 3);
    assert_eq!(a.total, a.control + 3 * a.treatment);
    assert_close(a.alpha_per_comparison, 0.02, 1e-15, "recorded α");
    assert_close(
        power(&design, 0.2, 500.0, 500.0, &three).unwrap(),
        power(&design, 0.2, 500.0, 500.0, &single).unwrap(),
        1e-12,
        "power per comparison",
    );
}

#[test]
fn duration_rounds_days_up() {
    let d = duration(786, 1000.0, 0.1).unwrap();
    assert_eq!(d.days, 8); // 786 / 100 = 7.86
    assert_close(d.units_per_day, 100.0, 1e-15, "units per day");
    assert_eq!(duration(800, 100.0, 1.0).unwrap().days, 8); // exact: no extra day
    assert_eq!(duration(1, 1e6, 1.0).unwrap().days, 1);
    assert!(duration(0, 100.0, 0.5).is_err());
    assert!(duration(100, 0.0, 0.5).is_err());
    assert!(duration(100, -5.0, 0.5).is_err());
    assert!(duration(100, f64::NAN, 0.5).is_err());
    assert!(duration(100, f64::INFINITY, 0.5).is_err());
    assert!(duration(100, 100.0, 0.0).is_err());
    assert!(duration(100, 100.0, 1.5).is_err());
    assert!(duration(u64::MAX, 1e-300, 1e-300).is_err());
}

fn is_invalid_input<T: std::fmt::Debug>(r: Result<T, ExperimentError>) -> bool {
    matches!(r, Err(ExperimentError::InvalidInput { .. }))
}

#[test]
fn bad_inputs_are_errors() {
    let cfg = config(0.05, Alternative::TwoSided, 1.0);
    let mean = Design::mean(1.0).unwrap();
    let prop = Design::proportion(0.1).unwrap();
    let p80 = prob(0.8);

    // Designs.
    assert!(Design::mean(0.0).is_err());
    assert!(Design::mean(-1.0).is_err());
    assert!(Design::mean(f64::NAN).is_err());
    assert!(Design::mean_unequal(1.0, f64::INFINITY).is_err());
    assert!(Design::proportion(0.0).is_err());
    assert!(Design::proportion(1.0).is_err());
    assert!(prop.with_control_mean(0.1).is_err());
    assert!(mean.with_control_mean(f64::NAN).is_err());
    // A literal design is validated when used.
    let literal = Design::Mean {
        control_mean: None,
        sd_control: -1.0,
        sd_treatment: 1.0,
    };
    assert!(is_invalid_input(power(&literal, 0.2, 100.0, 100.0, &cfg)));
    assert!(is_invalid_input(sample_size(&literal, 0.2, p80, &cfg)));
    assert!(is_invalid_input(mde(
        &literal,
        100.0,
        100.0,
        p80,
        Scale::Absolute,
        &cfg
    )));

    // Effects.
    let err = sample_size(&mean, 0.0, p80, &cfg).unwrap_err();
    assert!(err.to_string().contains("effect must be non-zero"), "{err}");
    assert!(is_invalid_input(power(&mean, 0.0, 100.0, 100.0, &cfg)));
    assert!(is_invalid_input(sample_size(&mean, f64::NAN, p80, &cfg)));
    assert!(is_invalid_input(power(
        &mean,
        f64::INFINITY,
        100.0,
        100.0,
        &cfg
    )));
    // p + δ outside (0, 1).
    assert!(is_invalid_input(sample_size(&prop, 0.9, p80, &cfg)));
    assert!(is_invalid_input(sample_size(&prop, -0.1, p80, &cfg)));
    assert!(is_invalid_input(power(&prop, -0.2, 100.0, 100.0, &cfg)));
    // An effect against a one-sided alternative.
    assert!(is_invalid_input(sample_size(
        &mean,
        -0.2,
        p80,
        &config(0.05, Alternative::Greater, 1.0)
    )));
    assert!(is_invalid_input(sample_size(
        &mean,
        0.2,
        p80,
        &config(0.05, Alternative::Less, 1.0)
    )));

    // Sizes.
    for n in [0.0, -3.0, f64::NAN, f64::INFINITY] {
        assert!(is_invalid_input(power(&mean, 0.2, n, 100.0, &cfg)));
        assert!(is_invalid_input(power(&mean, 0.2, 100.0, n, &cfg)));
        assert!(is_invalid_input(mde(
            &mean,
            n,
            100.0,
            p80,
            Scale::Absolute,
            &cfg
        )));
    }
    // Too small an effect to plan below 2⁵³ units.
    assert!(is_invalid_input(sample_size(&mean, 1e-300, p80, &cfg)));

    // Power not above the per-comparison α.
    assert!(is_invalid_input(sample_size(&mean, 0.2, prob(0.04), &cfg)));
    assert!(is_invalid_input(mde(
        &mean,
        100.0,
        100.0,
        prob(0.05),
        Scale::Absolute,
        &cfg
    )));

    // Config.
    let invalid_config = |r: Result<PlanConfig, ExperimentError>| {
        matches!(r, Err(ExperimentError::InvalidConfig { .. }))
    };
    assert!(invalid_config(PlanConfig::builder().build()));
    assert!(invalid_config(PlanConfig::builder().alpha(0.0).build()));
    assert!(invalid_config(
        PlanConfig::builder().alpha(f64::NAN).build()
    ));
    assert!(invalid_config(
        PlanConfig::builder().alpha(0.05).variants(0).build()
    ));
    for ratio in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(invalid_config(
            PlanConfig::builder()
                .alpha(0.05)
                .allocation_ratio(ratio)
                .build()
        ));
    }
    assert!(invalid_config(
        PlanConfig::builder()
            .alpha(0.05)
            .sequential_tuning(0.0)
            .build()
    ));
    assert_eq!(
        PlanConfig::builder()
            .alpha(0.05)
            .build()
            .unwrap()
            .sequential_tuning(),
        DEFAULT_SEQUENTIAL_TUNING
    );

    // Relative MDE needs a non-zero control mean.
    assert!(is_invalid_input(mde(
        &mean,
        100.0,
        100.0,
        p80,
        Scale::Relative,
        &cfg
    )));
    let zero = mean.with_control_mean(0.0).unwrap();
    assert!(matches!(
        mde(&zero, 100.0, 100.0, p80, Scale::Relative, &cfg),
        Err(ExperimentError::ZeroBaseline { .. })
    ));

    // Sequential planning is two-sided only.
    let greater = config(0.05, Alternative::Greater, 1.0);
    assert!(matches!(
        sequential_sample_size(&mean, 0.2, p80, &greater),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(sequential_power(&mean, 0.2, 100.0, 100.0, &greater).is_err());
}

#[test]
fn relative_mde_without_solution() {
    // x*²σ²/(n_A μ_A²) = 7.85·100/(100·1) ≥ 1: the lift's standard error grows as fast as the
    // lift, so no effect reaches 80 % power.
    let design = Design::mean(10.0).unwrap().with_control_mean(1.0).unwrap();
    let cfg = config(0.05, Alternative::TwoSided, 1.0);
    let r = mde(&design, 100.0, 100.0, prob(0.8), Scale::Relative, &cfg);
    assert!(
        matches!(r, Err(ExperimentError::NoMdeSolution { .. })),
        "{r:?}"
    );
    // The absolute MDE still exists.
    assert!(mde(&design, 100.0, 100.0, prob(0.8), Scale::Absolute, &cfg).is_ok());
}

#[test]
fn plan_config_serde_round_trips_and_validates() {
    let cfg = PlanConfig::builder()
        .alpha(0.05)
        .variants(2)
        .allocation_ratio(2.0)
        .build()
        .unwrap();
    let json = serde_json::to_string(&cfg).unwrap();
    assert_eq!(serde_json::from_str::<PlanConfig>(&json).unwrap(), cfg);
    assert!(serde_json::from_str::<PlanConfig>(r#"{"alpha": 1.5}"#).is_err());
    assert!(serde_json::from_str::<PlanConfig>(r#"{"variants": 1}"#).is_err());
    let plan = sample_size(&Design::mean(1.0).unwrap(), 0.2, prob(0.8), &cfg).unwrap();
    let back: prodops_experiment::power::SampleSize =
        serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back, plan);
}

fn any_alternative() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Greater),
        Just(Alternative::Less)
    ]
}

proptest! {
    // No regression files: the tests are cheap and a failure prints its minimal input.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn power_is_a_probability_and_grows_with_n_and_effect(
        alt in any_alternative(),
        alpha in 0.001f64..0.2,
        sd in 0.1f64..10.0,
        size in 0.02f64..0.5,
        n in 2.0f64..5000.0,
        extra in 1.0f64..500.0,
        grow in 1.01f64..2.0,
    ) {
        let cfg = config(alpha, alt, 1.0);
        let design = Design::mean(sd).unwrap();
        // An effect in the alternative's direction (two-sided: either sign).
        let effect = if alt == Alternative::Less { -size * sd } else { size * sd };
        let p = power(&design, effect, n, n, &cfg).unwrap();
        // 1.0 exactly only when the missing probability is below f64 resolution.
        prop_assert!(p > 0.0 && p <= 1.0);
        let more_n = power(&design, effect, n + extra, n + extra, &cfg).unwrap();
        let more_effect = power(&design, effect * grow, n, n, &cfg).unwrap();
        prop_assert!(more_n >= p && more_effect >= p);
        if p < 0.999 {
            prop_assert!(more_n > p && more_effect > p);
        }
        if alt == Alternative::TwoSided {
            let mirrored = power(&design, -effect, n, n, &cfg).unwrap();
            prop_assert!((mirrored - p).abs() <= 1e-15);
        }
    }

    #[test]
    fn proportion_power_is_a_probability(
        alt in any_alternative(),
        p in 0.01f64..0.6,
        lift in 0.01f64..0.5,
        n in 10.0f64..1e6,
    ) {
        let cfg = config(0.05, alt, 1.0);
        let effect = if alt == Alternative::Less { -lift * p } else { lift * p };
        let pw = power(&Design::proportion(p).unwrap(), effect, n, n, &cfg).unwrap();
        prop_assert!(pw > 0.0 && pw <= 1.0);
    }

    #[test]
    fn sample_size_shrinks_as_alpha_grows(
        alt in any_alternative(),
        alpha in 0.001f64..0.2,
        step in 1.05f64..2.0,
        target in 0.5f64..0.99,
        ratio in 0.25f64..4.0,
        size in 0.01f64..1.0,
    ) {
        let effect = if alt == Alternative::Less { -size } else { size };
        let design = Design::mean(1.0).unwrap();
        let small = sample_size(&design, effect, prob(target), &config(alpha, alt, ratio)).unwrap();
        let large = sample_size(&design, effect, prob(target), &config(alpha * step, alt, ratio)).unwrap();
        prop_assert!(large.continuous_treatment < small.continuous_treatment);
        prop_assert!(large.total <= small.total);
    }
}
