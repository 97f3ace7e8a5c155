use prodops_experiment::{
    Alpha, Analysis, CupedStats, MeanStats, Metric, MetricDirection, Prior, ProportionStats, Scale,
    Sequential, beta_binomial_win_probability, pooled_theta,
};
use serde_json::Value;

use crate::fixtures::{
    CLOSED, assert_close, assert_estimate_and_ci, load, mean_stats, num, proportion_stats,
};

fn cuped_stats(v: &Value) -> CupedStats {
    CupedStats::new(
        mean_stats(&v["post"]),
        mean_stats(&v["pre"]),
        num(&v["sum_products"]),
    )
    .unwrap()
}

fn scale(name: &str) -> Scale {
    if name == "relative" {
        Scale::Relative
    } else {
        Scale::Absolute
    }
}

/// gbstats p-values are `1 - cdf`; compared relatively only where p > 1e-4.
#[track_caller]
fn assert_p(actual: f64, expected: f64, label: &str) {
    if expected > 1e-4 {
        assert_close(actual, expected, CLOSED, label);
    } else {
        assert!(
            (actual - expected).abs() < 1e-12,
            "{label}: {actual} vs {expected}"
        );
    }
}

#[test]
fn cuped_matches_gbstats_and_ols() {
    let fixtures = load("models.json");
    for case in fixtures["cuped"].as_array().unwrap() {
        let (a, b) = (
            cuped_stats(&case["control"]),
            cuped_stats(&case["treatment"]),
        );
        let label = case["name"].as_str().unwrap();
        let theta = pooled_theta(&a, &b).unwrap();
        assert_close(
            theta,
            num(&case["theta"]),
            CLOSED,
            &format!("{label} θ vs gbstats"),
        );
        // θ is the OLS slope of y on x over both arms pooled: an independent reference.
        assert_close(
            theta,
            num(&case["ols_slope"]),
            1e-9,
            &format!("{label} θ vs OLS"),
        );
        for name in ["absolute", "relative"] {
            let out = Analysis::builder()
                .scale(scale(name))
                .build()
                .unwrap()
                .cuped(&a, &b)
                .unwrap();
            let reference = &case[name];
            assert_close(
                out.adjusted.estimate,
                num(&reference["estimate"]),
                CLOSED,
                &format!("{label} {name} estimate"),
            );
            assert_close(
                out.adjusted.ci.lower,
                num(&reference["ci"][0]),
                CLOSED,
                &format!("{label} {name} lower"),
            );
            assert_close(
                out.adjusted.ci.upper,
                num(&reference["ci"][1]),
                CLOSED,
                &format!("{label} {name} upper"),
            );
            assert_p(
                out.adjusted.p_value,
                num(&reference["p_value"]),
                &format!("{label} {name} p"),
            );
            assert!(out.variance_reduction > 0.0 && out.variance_reduction < 1.0);
        }
    }
}

#[test]
fn cuped_reduces_variance_by_rho_squared_on_sample_data() {
    // The sample generator plants corr(pre_metric, metric) = 0.8, so CUPED should remove about
    // ρ² = 64% of the variance of the estimate.
    use prodops_sample::{SampleSpec, experiment_units};
    let units = experiment_units(&SampleSpec::small().experiment(), 0..10_000).unwrap();
    let arm = |name: &str| {
        let pairs: Vec<(f64, f64)> = units
            .iter()
            .filter(|u| u.variant == name)
            .map(|u| (u.metric, u.pre_metric))
            .collect();
        CupedStats::from_pairs(&pairs).unwrap()
    };
    let out = Analysis::default()
        .cuped(&arm("control"), &arm("treatment"))
        .unwrap();
    assert!(
        (out.variance_reduction - 0.64).abs() < 0.03,
        "{}",
        out.variance_reduction
    );
    // True effect +1.0 inside the adjusted 95% interval; the covariate is balanced.
    assert!(out.adjusted.ci.contains(1.0), "{:?}", out.adjusted.ci);
    assert!(out.pre_period_balance.unwrap().p_value > 0.001);
    assert!(!out.sign_flipped && !out.theta_degenerate);
}

#[test]
fn constant_covariate_falls_back_to_the_unadjusted_test() {
    let a = CupedStats::from_pairs(&[(1.0, 5.0), (2.0, 5.0), (3.0, 5.0)]).unwrap();
    let b = CupedStats::from_pairs(&[(2.0, 5.0), (3.0, 5.0), (5.0, 5.0)]).unwrap();
    // The covariate has no variance: θ = 0, the adjusted test equals the unadjusted one, and
    // there is no balance test to report.
    assert_eq!(pooled_theta(&a, &b), None);
    let out = Analysis::default().cuped(&a, &b).unwrap();
    assert!(out.theta_degenerate);
    assert_eq!(out.theta, 0.0);
    assert_eq!(out.adjusted.estimate, out.unadjusted.estimate);
    assert_eq!(out.adjusted.p_value, out.unadjusted.p_value);
    assert_eq!(out.variance_reduction, 0.0);
    assert!(out.pre_period_balance.is_none());
}

#[test]
fn bayesian_model_matches_gbstats() {
    let fixtures = load("models.json");
    for case in fixtures["bayes"].as_array().unwrap() {
        let kind = case["kind"].as_str().unwrap();
        let (a, b): (Box<dyn Metric>, Box<dyn Metric>) = if kind == "mean" {
            (
                Box::new(mean_stats(&case["control"])),
                Box::new(mean_stats(&case["treatment"])),
            )
        } else {
            (
                Box::new(proportion_stats(&case["control"])),
                Box::new(proportion_stats(&case["treatment"])),
            )
        };
        for r in case["results"].as_array().unwrap() {
            let prior = match r["prior"].as_str().unwrap() {
                "flat" => Prior::Flat,
                s => Prior::Normal {
                    mean: num(&r["prior_mean"]),
                    variance: num(&r["prior_variance"]),
                    scale: scale(s),
                },
            };
            let direction = if r["inverse"].as_bool().unwrap() {
                MetricDirection::LowerIsBetter
            } else {
                MetricDirection::HigherIsBetter
            };
            let analysis = Analysis::builder()
                .scale(scale(r["scale"].as_str().unwrap()))
                .build()
                .unwrap();
            let out = analysis.bayesian(&a, &b, prior, direction).unwrap();
            let label = format!(
                "{} {} prior={} inverse={}",
                case["name"], r["scale"], r["prior"], r["inverse"]
            );
            assert_close(
                out.estimate,
                num(&r["estimate"]),
                CLOSED,
                &format!("{label} mean"),
            );
            assert_close(
                out.credible_interval.lower,
                num(&r["ci"][0]),
                CLOSED,
                &format!("{label} lower"),
            );
            assert_close(
                out.credible_interval.upper,
                num(&r["ci"][1]),
                CLOSED,
                &format!("{label} upper"),
            );
            assert_close(
                out.chance_to_win,
                num(&r["chance_to_win"]),
                1e-9,
                &format!("{label} chance to win"),
            );
            // gbstats' risk goes through truncated-normal means; agreement to 1e-8 relative.
            assert_close(
                out.risk.control,
                num(&r["risk"][0]),
                1e-8,
                &format!("{label} risk control"),
            );
            assert_close(
                out.risk.treatment,
                num(&r["risk"][1]),
                1e-8,
                &format!("{label} risk treatment"),
            );
        }
    }
}

#[test]
fn prior_scale_conversion_round_trips() {
    // A relative prior N(0.1, 0.02) in an absolute analysis with control mean 10 becomes
    // N(1.0, 2.0); stated directly in absolute terms it must give the same posterior.
    let a = MeanStats::new(100, 1_000.0, 100.0 * 100.0 + 99.0 * 4.0).unwrap();
    let b = MeanStats::new(100, 1_050.0, 100.0 * 110.25 + 99.0 * 4.0).unwrap();
    let analysis = Analysis::default();
    let rel = Prior::Normal {
        mean: 0.1,
        variance: 0.02,
        scale: Scale::Relative,
    };
    let abs = Prior::Normal {
        mean: 1.0,
        variance: 2.0,
        scale: Scale::Absolute,
    };
    let x = analysis
        .bayesian(&a, &b, rel, MetricDirection::HigherIsBetter)
        .unwrap();
    let y = analysis
        .bayesian(&a, &b, abs, MetricDirection::HigherIsBetter)
        .unwrap();
    assert_close(x.estimate, y.estimate, 1e-12, "posterior mean");
    assert_close(x.std_error, y.std_error, 1e-12, "posterior sd");
    let bad = Prior::Normal {
        mean: 0.0,
        variance: 0.0,
        scale: Scale::Relative,
    };
    assert!(
        analysis
            .bayesian(&a, &b, bad, MetricDirection::HigherIsBetter)
            .is_err()
    );
}

#[test]
fn sequential_matches_gbstats() {
    let fixtures = load("models.json");
    for case in fixtures["sequential"].as_array().unwrap() {
        let (a, b) = (mean_stats(&case["control"]), mean_stats(&case["treatment"]));
        let settings = Sequential::new(num(&case["tuning"])).unwrap();
        for name in ["absolute", "relative"] {
            let analysis = Analysis::builder()
                .alpha(num(&case["alpha"]))
                .scale(scale(name))
                .build()
                .unwrap();
            let out = analysis.sequential(&a, &b, settings).unwrap();
            let reference = &case[name];
            let label = format!("{} {name}", case["name"]);
            assert_estimate_and_ci(out.estimate, out.ci, reference, &label);
            assert_p(
                out.p_value,
                num(&reference["p_value"]),
                &format!("{label} p"),
            );
        }
    }
}

#[test]
fn sequential_p_value_is_the_msprt_closed_form() {
    // Independent mSPRT form: with τ² = ρ²σ̂²/… the normal-mixture likelihood ratio is
    // Λ = sqrt(V/(V + τ²))·exp(τ²Δ̂²/(2V(V + τ²))) with τ² = ρ²·V·n, and p = min(1, 1/Λ).
    let a = MeanStats::new(1_000, 10_000.0, 1_000.0 * 100.0 + 999.0 * 9.0).unwrap();
    let b = MeanStats::new(1_000, 10_300.0, 1_000.0 * 106.09 + 999.0 * 9.0).unwrap();
    let settings = Sequential::default();
    let out = Analysis::default().sequential(&a, &b, settings).unwrap();
    let v = out.std_error.powi(2);
    let rho = settings.rho(Alpha::default());
    let tau2 = rho * rho * v * 2_000.0;
    let lambda =
        (v / (v + tau2)).sqrt() * (tau2 * out.estimate.powi(2) / (2.0 * v * (v + tau2))).exp();
    assert_close(out.p_value, (1.0 / lambda).min(1.0), 1e-12, "mSPRT p");
}

#[test]
fn beta_binomial_matches_numerical_integration() {
    let fixtures = load("models.json");
    for case in fixtures["beta_binomial"].as_array().unwrap() {
        let a = proportion_stats(&case["control"]);
        let b = proportion_stats(&case["treatment"]);
        let p = beta_binomial_win_probability(
            &a,
            &b,
            case["prior_alpha"].as_u64().unwrap(),
            num(&case["prior_beta"]),
        )
        .unwrap();
        // quad's own error estimate is about 1e-13; allow 1e-9 relative.
        assert_close(p, num(&case["p_b_beats_a"]), 1e-9, &format!("{case}"));
    }
    let a = ProportionStats::new(10, 1).unwrap();
    assert!(beta_binomial_win_probability(&a, &a, 0, 1.0).is_err());
    assert!(beta_binomial_win_probability(&a, &a, 1, f64::NAN).is_err());
}

fn covariate_stats(v: &Value) -> prodops_experiment::CovariateStats {
    // Rebuild the sums through the public API: k covariates from the fixture's sums are set by
    // deserializing the same field names.
    let k = v["sum_x"].as_array().unwrap().len();
    let json = serde_json::json!({
        "n": v["n"], "sum_y": v["sum_y"], "sum_yy": v["sum_yy"],
        "sum_x": v["sum_x"], "sum_xx": v["sum_xx"], "sum_xy": v["sum_xy"],
    });
    let stats: prodops_experiment::CovariateStats = serde_json::from_value(json).unwrap();
    assert_eq!(stats.k(), k);
    stats
}

#[test]
fn regression_adjustment_matches_ols_and_welch_on_residuals() {
    let fixtures = load("cuped_multi.json");
    for (i, case) in fixtures["cases"].as_array().unwrap().iter().enumerate() {
        let (a, b) = (
            covariate_stats(&case["control"]),
            covariate_stats(&case["treatment"]),
        );
        let theta = prodops_experiment::pooled_thetas(&a, &b).unwrap().unwrap();
        for (t, expected) in theta.iter().zip(case["theta"].as_array().unwrap()) {
            assert_close(*t, num(expected), 1e-9, &format!("case {i} θ"));
        }
        let out = Analysis::default().regression_adjusted(&a, &b).unwrap();
        assert_close(
            out.adjusted.estimate,
            num(&case["estimate"]),
            1e-9,
            &format!("case {i} estimate"),
        );
        assert_close(
            out.adjusted.p_value,
            num(&case["p_value"]),
            1e-8,
            &format!("case {i} p"),
        );
        assert_close(
            out.adjusted.df.unwrap(),
            num(&case["df"]),
            1e-8,
            &format!("case {i} df"),
        );
        assert_close(
            out.adjusted.ci.lower,
            num(&case["ci"][0]),
            1e-9,
            &format!("case {i} lower"),
        );
        assert_close(
            out.adjusted.ci.upper,
            num(&case["ci"][1]),
            1e-9,
            &format!("case {i} upper"),
        );
    }
}

#[test]
fn one_covariate_regression_adjustment_equals_cuped() {
    let fixtures = load("models.json");
    let case = &fixtures["cuped"][0];
    let (a, b) = (
        cuped_stats(&case["control"]),
        cuped_stats(&case["treatment"]),
    );
    let as_cov = |c: &CupedStats| {
        let json = serde_json::json!({
            "n": c.n(), "sum_y": c.post().sum(), "sum_yy": c.post().sum_sq(),
            "sum_x": [c.pre().sum()], "sum_xx": [c.pre().sum_sq()], "sum_xy": [c.sum_products()],
        });
        serde_json::from_value::<prodops_experiment::CovariateStats>(json).unwrap()
    };
    let multi = Analysis::default()
        .regression_adjusted(&as_cov(&a), &as_cov(&b))
        .unwrap();
    let single = Analysis::default().cuped(&a, &b).unwrap();
    assert_close(
        multi.adjusted.estimate,
        single.adjusted.estimate,
        1e-12,
        "estimate",
    );
    assert_close(
        multi.adjusted.std_error,
        single.adjusted.std_error,
        1e-12,
        "se",
    );
    assert_close(multi.theta[0], single.theta, 1e-12, "θ");
}

#[test]
fn collinear_covariates_are_a_typed_error() {
    let mut a = prodops_experiment::CovariateStats::new(2);
    let mut b = prodops_experiment::CovariateStats::new(2);
    for i in 0..20 {
        let x = f64::from(i);
        a.push(x + 0.5 * f64::from(i % 3), &[x, 2.0 * x]).unwrap();
        b.push(x + 1.0, &[x, 2.0 * x]).unwrap();
    }
    assert!(Analysis::default().regression_adjusted(&a, &b).is_err());
}

fn ratio_stats(v: &Value) -> prodops_experiment::RatioStats {
    prodops_experiment::RatioStats::new(
        mean_stats(&v["numerator"]),
        mean_stats(&v["denominator"]),
        num(&v["sum_products"]),
    )
    .unwrap()
}

fn ratio_cuped_stats(v: &Value) -> prodops_experiment::RatioCupedStats {
    let cross: Vec<f64> = v["cross"].as_array().unwrap().iter().map(num).collect();
    prodops_experiment::RatioCupedStats::new(
        ratio_stats(&v["post"]),
        ratio_stats(&v["pre"]),
        [cross[0], cross[1], cross[2], cross[3]],
    )
    .unwrap()
}

#[test]
fn ratio_cuped_matches_influence_functions_on_raw_rows() {
    let fixtures = load("cuped_ratio.json");
    for (i, case) in fixtures["cases"].as_array().unwrap().iter().enumerate() {
        let (a, b) = (
            ratio_cuped_stats(&case["control"]),
            ratio_cuped_stats(&case["treatment"]),
        );
        let theta = prodops_experiment::pooled_ratio_theta(&a, &b)
            .unwrap()
            .unwrap();
        assert_close(theta, num(&case["theta"]), 1e-9, &format!("case {i} θ"));
        let out = Analysis::default().cuped_ratio(&a, &b).unwrap();
        assert_close(
            out.adjusted.estimate,
            num(&case["estimate"]),
            1e-9,
            &format!("case {i} estimate"),
        );
        assert_close(
            out.adjusted.ci.lower,
            num(&case["ci"][0]),
            1e-9,
            &format!("case {i} lower"),
        );
        assert_close(
            out.adjusted.ci.upper,
            num(&case["ci"][1]),
            1e-9,
            &format!("case {i} upper"),
        );
        assert_close(
            out.adjusted.p_value,
            num(&case["p_value"]),
            1e-8,
            &format!("case {i} p"),
        );
        assert!(
            out.variance_reduction > 0.0,
            "case {i}: {}",
            out.variance_reduction
        );
    }
}

#[test]
fn ratio_cuped_theta_minimises_the_variance() {
    let fixtures = load("cuped_ratio.json");
    let case = &fixtures["cases"][0];
    let (a, b) = (
        ratio_cuped_stats(&case["control"]),
        ratio_cuped_stats(&case["treatment"]),
    );
    let out = Analysis::default().cuped_ratio(&a, &b).unwrap();
    // Unadjusted equals the plain ratio analysis; the adjusted SE is smaller.
    let plain = Analysis::default().compare(a.post(), b.post()).unwrap();
    assert_close(
        out.unadjusted.std_error,
        plain.std_error,
        1e-12,
        "unadjusted",
    );
    assert!(out.adjusted.std_error < plain.std_error);
    let zero = prodops_experiment::RatioCupedStats::new(
        *a.post(),
        prodops_experiment::RatioStats::from_pairs(&[(0.0, 1.0); 3]).unwrap(),
        [0.0; 4],
    );
    assert!(zero.is_err(), "mismatched n is rejected");
}

#[test]
fn explicit_msprt_equals_the_confidence_sequence_p_value() {
    let a = MeanStats::new(1_000, 10_000.0, 1_000.0 * 100.0 + 999.0 * 9.0).unwrap();
    let b = MeanStats::new(1_000, 10_250.0, 1_000.0 * 105.0625 + 999.0 * 9.0).unwrap();
    let settings = Sequential::default();
    let analysis = Analysis::default();
    let seq = analysis.sequential(&a, &b, settings).unwrap();
    let rho = settings.rho(Alpha::default());
    let tau2 = rho * rho * seq.std_error.powi(2) * 2_000.0;
    assert_close(
        analysis.msprt_p_value(&a, &b, tau2).unwrap(),
        seq.p_value,
        1e-12,
        "mSPRT",
    );
    assert!(analysis.msprt_p_value(&a, &b, 0.0).is_err());
}

#[test]
fn sequential_cuped_matches_gbstats() {
    let fixtures = load("sequential_cuped.json");
    for case in fixtures["cases"].as_array().unwrap() {
        let (a, b) = (
            cuped_stats(&case["control"]),
            cuped_stats(&case["treatment"]),
        );
        let settings = Sequential::new(num(&case["tuning"])).unwrap();
        for name in ["absolute", "relative"] {
            let analysis = Analysis::builder()
                .alpha(num(&case["alpha"]))
                .scale(scale(name))
                .build()
                .unwrap();
            let out = analysis.sequential_cuped(&a, &b, settings).unwrap();
            let reference = &case[name];
            let label = format!("{} {name}", case["name"]);
            assert_estimate_and_ci(out.estimate, out.ci, reference, &label);
            assert_p(
                out.p_value,
                num(&reference["p_value"]),
                &format!("{label} p"),
            );
            // Same estimate as the fixed-horizon CUPED test, with a wider interval.
            let fixed = analysis.cuped(&a, &b).unwrap().adjusted;
            assert_close(out.estimate, fixed.estimate, 1e-12, &label);
            assert!(out.ci.upper - out.ci.lower > fixed.ci.upper - fixed.ci.lower);
        }
    }
}
