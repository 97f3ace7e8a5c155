//! Mid-experiment power (gbstats MidExperimentPower's power function, solved with scipy's
//! brentq) and scaled impact (gbstats 0.8.0 `difference_type="scaled"`).

use prodops_experiment::power::{Horizon, PlanConfig, RunningExperiment};
use prodops_experiment::{Alternative, Analysis, ExperimentError, Probability};
use proptest::prelude::*;

use crate::fixtures::{CLOSED, assert_close, assert_estimate_and_ci, load, mean_stats, num};

/// Iterative solutions (bisection here, brentq there) agree to this relative tolerance.
const ITERATIVE: f64 = 1e-6;

fn horizon(case: &serde_json::Value) -> Horizon {
    if case["sequential"].as_bool().unwrap() {
        Horizon::Sequential
    } else {
        Horizon::Fixed
    }
}

fn config(case: &serde_json::Value) -> Result<PlanConfig, ExperimentError> {
    PlanConfig::builder()
        .alpha(num(&case["alpha"]))
        .sequential_tuning(num(&case["tuning"]))
        .build()
}

#[test]
fn scaled_impact_matches_gbstats() -> Result<(), ExperimentError> {
    let fixture = load("mid_experiment.json");
    for case in fixture["scaled"].as_array().unwrap() {
        let label = case["name"].as_str().unwrap();
        let impact = Analysis::default().scaled_impact(
            &mean_stats(&case["control"]),
            &mean_stats(&case["treatment"]),
            num(&case["treatment_share"]),
            num(&case["days"]),
        )?;
        assert_estimate_and_ci(impact.estimate, impact.ci, case, label);
        assert_close(impact.std_error, num(&case["std_error"]), CLOSED, label);
        // gbstats' p-value is 2(1 − cdf); well above 1e-4 here, so comparable.
        assert_close(impact.p_value, num(&case["p_value"]), 1e-9, label);
    }
    Ok(())
}

#[test]
fn scaled_impact_rejects_bad_traffic() -> Result<(), ExperimentError> {
    let a = mean_stats(&load("mid_experiment.json")["scaled"][0]["control"]);
    for (share, days) in [(0.0, 7.0), (1.5, 7.0), (0.5, 0.0), (0.5, f64::NAN)] {
        assert!(matches!(
            Analysis::default().scaled_impact(&a, &a, share, days),
            Err(ExperimentError::InvalidConfig { .. })
        ));
    }
    Ok(())
}

#[test]
fn mid_experiment_power_matches_the_reference() -> Result<(), ExperimentError> {
    let fixture = load("mid_experiment.json");
    for case in fixture["power"].as_array().unwrap() {
        let label = case["name"].as_str().unwrap();
        let running = RunningExperiment::new(num(&case["variance"]).sqrt(), num(&case["units"]))?;
        let (config, horizon) = (config(case)?, horizon(case));
        let mde = num(&case["mde"]);
        // The power function is a closed form.
        assert_close(
            running.power(mde, 0.0, horizon, &config)?,
            num(&case["power_now"]),
            CLOSED,
            label,
        );
        for point in case["power_at"].as_array().unwrap() {
            assert_close(
                running.power(mde, num(&point[0]), horizon, &config)?,
                num(&point[1]),
                CLOSED,
                label,
            );
        }
        let plan = running.units_for_power(
            mde,
            Probability::new(num(&case["target_power"]))?,
            horizon,
            &config,
        )?;
        let expected = num(&case["scaling_factor"]);
        if expected == 0.0 {
            assert_eq!(plan.scaling_factor, 0.0, "{label}");
        } else {
            assert_close(plan.scaling_factor, expected, ITERATIVE, label);
            assert_close(
                plan.additional_units,
                num(&case["additional_units"]),
                ITERATIVE,
                label,
            );
        }
    }
    Ok(())
}

#[test]
fn units_for_a_target_half_width_match_the_reference() -> Result<(), ExperimentError> {
    let fixture = load("mid_experiment.json");
    for case in fixture["half_width"].as_array().unwrap() {
        let label = case["name"].as_str().unwrap();
        let running = RunningExperiment::new(num(&case["variance"]).sqrt(), num(&case["units"]))?;
        let plan = running.units_for_half_width(
            num(&case["target_half_width"]),
            horizon(case),
            &config(case)?,
        )?;
        let expected = num(&case["scaling_factor"]);
        if expected == 0.0 {
            assert_eq!(plan.scaling_factor, 0.0, "{label}");
        } else if horizon(case) == Horizon::Fixed {
            assert_close(plan.scaling_factor, expected, CLOSED, label);
        } else {
            assert_close(plan.scaling_factor, expected, ITERATIVE, label);
        }
    }
    Ok(())
}

#[test]
fn conditional_power_matches_the_final_estimate_distribution() -> Result<(), ExperimentError> {
    let fixture = load("mid_experiment.json");
    for (i, case) in fixture["conditional"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let running = RunningExperiment::new(num(&case["variance"]).sqrt(), num(&case["units"]))?;
        let config = PlanConfig::builder().alpha(num(&case["alpha"])).build()?;
        let cp = running.conditional_power(
            num(&case["estimate"]),
            num(&case["assumed_effect"]),
            num(&case["scaling_factor"]),
            &config,
        )?;
        assert_close(
            cp,
            num(&case["conditional_power"]),
            CLOSED,
            &format!("case {i}"),
        );
    }
    let running = RunningExperiment::new(0.2, 100.0)?;
    let config = PlanConfig::builder().alpha(0.05).build()?;
    assert!(running.conditional_power(0.1, 0.1, 0.0, &config).is_err());
    assert!(
        running
            .conditional_power(f64::NAN, 0.1, 1.0, &config)
            .is_err()
    );
    Ok(())
}

#[test]
fn bad_inputs_are_typed_errors() -> Result<(), ExperimentError> {
    assert!(RunningExperiment::new(0.0, 100.0).is_err());
    assert!(RunningExperiment::new(1.0, f64::NAN).is_err());
    let running = RunningExperiment::new(0.2, 2_000.0)?;
    let config = PlanConfig::builder().alpha(0.05).build()?;
    assert!(running.power(0.0, 1.0, Horizon::Fixed, &config).is_err());
    assert!(running.power(0.3, -1.0, Horizon::Fixed, &config).is_err());
    assert!(
        running
            .units_for_half_width(0.0, Horizon::Fixed, &config)
            .is_err()
    );
    let one_sided = PlanConfig::builder()
        .alpha(0.05)
        .alternative(Alternative::Greater)
        .build()?;
    assert!(matches!(
        running.power(0.3, 1.0, Horizon::Fixed, &one_sided),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    Ok(())
}

proptest! {
    #[test]
    fn conditional_power_is_a_probability_symmetric_in_sign(
        se in 0.01f64..2.0,
        estimate in -3.0f64..3.0,
        assumed in -3.0f64..3.0,
        s in 0.01f64..100.0,
    ) {
        let running = RunningExperiment::new(se, 1_000.0).unwrap();
        let config = PlanConfig::builder().alpha(0.05).build().unwrap();
        let cp = running.conditional_power(estimate, assumed, s, &config).unwrap();
        let mirrored = running.conditional_power(-estimate, -assumed, s, &config).unwrap();
        prop_assert!((0.0..=1.0).contains(&cp));
        prop_assert!((cp - mirrored).abs() < 1e-12);
    }

    #[test]
    fn the_plan_reaches_its_target_and_no_less_would(
        se in 0.01f64..2.0,
        units in 100.0f64..1e6,
        mde in 0.01f64..1.0,
        target in 0.5f64..0.99,
        sequential in any::<bool>(),
    ) {
        let running = RunningExperiment::new(se, units).unwrap();
        let config = PlanConfig::builder().alpha(0.05).build().unwrap();
        let horizon = if sequential { Horizon::Sequential } else { Horizon::Fixed };
        let plan = running
            .units_for_power(mde, Probability::new(target).unwrap(), horizon, &config)
            .unwrap();
        let reached = running.power(mde, plan.scaling_factor, horizon, &config).unwrap();
        prop_assert!(reached >= target);
        if plan.scaling_factor > 0.0 {
            let short = running.power(mde, plan.scaling_factor * (1.0 - 1e-6), horizon, &config).unwrap();
            prop_assert!(short < target);
        }
    }
}
