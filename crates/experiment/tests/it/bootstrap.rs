//! Quantile metrics against gbstats (fixtures/quantile.json, from make_quantile.py) and the
//! seeded bootstraps: coverage and standard errors by simulation, determinism, exact sharding
//! of the Poisson bootstrap, and input errors.

use prodops_experiment::bootstrap::{
    BootstrapOutcome, PoissonBootstrap, Statistic, bootstrap_difference, quantile_treatment_effects,
};
use prodops_experiment::quantile::QuantileStats;
use prodops_experiment::{Alpha, Analysis, ExperimentError, MeanStats, Metric, Scale};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde_json::Value;

use crate::fixtures::{assert_close, load, num};

/// Closed forms against gbstats: 1e-9 relative.
const CLOSED: f64 = 1e-9;

fn quantile_stats(v: &Value) -> QuantileStats {
    QuantileStats::new(
        v["n"].as_u64().unwrap(),
        num(&v["nu"]),
        num(&v["estimate"]),
        num(&v["lower"]),
        num(&v["upper"]),
        v["n_star"].as_u64().unwrap(),
    )
    .unwrap()
}

fn values(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn alpha(a: f64) -> Alpha {
    Alpha::new(a).unwrap()
}

#[test]
fn quantile_variance_and_tests_match_gbstats() {
    let fixtures = load("quantile.json");
    let cases = fixtures["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (a, b) = (
            quantile_stats(&case["control"]),
            quantile_stats(&case["treatment"]),
        );
        for (arm, stats) in [("control", &a), ("treatment", &b)] {
            let reference = &case[arm];
            let label = format!("{name} {arm}");
            if reference["zero_variance"].as_bool().unwrap() {
                assert!(stats.unit_variance().is_err(), "{label}: expected an error");
            } else {
                assert_close(
                    stats.unit_variance().unwrap(),
                    num(&reference["variance"]),
                    CLOSED,
                    &format!("{label} variance"),
                );
                let m = stats.moments(arm).unwrap();
                assert_eq!(m.mean, stats.estimate(), "{label}");
            }
        }
        for (key, scale) in [("absolute", Scale::Absolute), ("relative", Scale::Relative)] {
            let reference = &case[key];
            let label = format!("{name} {key}");
            let analysis = Analysis::builder().scale(scale).build().unwrap();
            let result = analysis.compare(&a, &b);
            if reference["error"].is_string() {
                let err = result.expect_err(&label);
                assert!(
                    matches!(
                        err,
                        ExperimentError::TooFewUnits { .. }
                            | ExperimentError::ZeroOrNegativeVariance { .. }
                    ),
                    "{label}: {err}"
                );
                continue;
            }
            let out = result.unwrap();
            assert_close(
                out.estimate,
                num(&reference["estimate"]),
                CLOSED,
                &format!("{label} estimate"),
            );
            let ci = values(&reference["ci"]);
            assert_close(out.ci.lower, ci[0], CLOSED, &format!("{label} lower"));
            assert_close(out.ci.upper, ci[1], CLOSED, &format!("{label} upper"));
            let p = num(&reference["p_value"]);
            if p > 1e-4 {
                assert_close(out.p_value, p, CLOSED, &format!("{label} p"));
            } else {
                assert!(out.p_value <= 1e-4, "{label}: p = {}", out.p_value);
            }
        }
    }
}

#[test]
fn too_few_units_name_the_arm_and_the_minimum() {
    let fixtures = load("quantile.json");
    let case = fixtures["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "too_few_units_p99")
        .unwrap();
    let err = Analysis::default()
        .compare(
            &quantile_stats(&case["control"]),
            &quantile_stats(&case["treatment"]),
        )
        .unwrap_err();
    // z² · 0.99 / 0.01 = 380.3: 381 units are needed.
    assert_eq!(
        err,
        ExperimentError::TooFewUnits {
            arm: "control".into(),
            n: 380,
            min: 381
        }
    );
    let mid = fixtures["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "collapsed_interval_mid_n")
        .unwrap();
    let err = quantile_stats(&mid["control"])
        .moments("control")
        .unwrap_err();
    assert!(
        matches!(err, ExperimentError::ZeroOrNegativeVariance { ref arm, .. } if arm == "control"),
        "{err}"
    );
}

#[test]
fn from_values_matches_percentile_cont_bounds() {
    let fixtures = load("quantile.json");
    let mut raw = 0;
    for case in fixtures["cases"].as_array().unwrap() {
        for arm in ["control", "treatment"] {
            let reference = &case[arm];
            if reference["values"].is_null() {
                continue;
            }
            raw += 1;
            let label = format!("{} {arm}", case["name"]);
            let stats =
                QuantileStats::from_values(&values(&reference["values"]), num(&reference["nu"]))
                    .unwrap();
            assert_eq!(stats.n(), reference["n"].as_u64().unwrap(), "{label}");
            assert_eq!(stats.n_star(), stats.n(), "{label}");
            for (got, key) in [
                (stats.estimate(), "estimate"),
                (stats.lower(), "lower"),
                (stats.upper(), "upper"),
            ] {
                assert_close(got, num(&reference[key]), 1e-12, &format!("{label} {key}"));
            }
        }
    }
    assert!(raw >= 8);
}

#[test]
fn quantile_inputs_are_validated() {
    assert!(matches!(
        QuantileStats::from_values(&[1.0, 2.0], 0.0),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(matches!(
        QuantileStats::from_values(&[1.0, 2.0], 1.5),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(matches!(
        QuantileStats::from_values(&[], 0.5),
        Err(ExperimentError::TooFewUnits { n: 0, .. })
    ));
    assert!(matches!(
        QuantileStats::from_values(&[1.0, f64::NAN], 0.5),
        Err(ExperimentError::InvalidInput { .. })
    ));
    assert!(QuantileStats::new(100, 0.5, 1.0, 2.0, 1.5, 100).is_err());
    assert!(QuantileStats::new(100, 0.5, f64::INFINITY, 1.0, 2.0, 100).is_err());
    assert!(QuantileStats::new(100, 0.5, 1.5, 1.0, 2.0, 0).is_err());
    assert!(QuantileStats::new(100, f64::NAN, 1.5, 1.0, 2.0, 100).is_err());
}

fn normal_sample(rng: &mut ChaCha8Rng, n: usize, mean: f64, sd: f64) -> Vec<f64> {
    let normal = Normal::new(mean, sd).unwrap();
    (0..n).map(|_| normal.sample(rng)).collect()
}

#[test]
fn percentile_bootstrap_covers_a_mean_difference_about_95_percent() {
    // 300 seeded experiments with a true difference of 0.5, 150 replicates each: the coverage
    // has SE √(0.95·0.05/300) ≈ 0.0126, so [0.92, 0.98] is about ±2.4 SE (the percentile
    // interval also runs slightly short at n = 40). Sizes keep the debug build fast.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let reps = 300;
    let covered = (0..reps)
        .filter(|&i| {
            let a = normal_sample(&mut rng, 40, 10.0, 2.0);
            let b = normal_sample(&mut rng, 40, 10.5, 2.0);
            let out = bootstrap_difference(&a, &b, Statistic::Mean, 150, alpha(0.05), i).unwrap();
            out.ci.contains(0.5)
        })
        .count();
    let coverage = covered as f64 / reps as f64;
    eprintln!("percentile bootstrap coverage: {coverage}");
    assert!((0.92..=0.98).contains(&coverage), "coverage {coverage}");
}

#[test]
fn bootstrap_standard_errors_match_welch_on_a_large_sample() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    // With 1,000 replicates the bootstrap SE itself has relative SE ≈ 1/√2000 ≈ 2.2%, so the
    // 5% band is about ±2.2 of its SEs.
    let a = normal_sample(&mut rng, 800, 5.0, 2.0);
    let b = normal_sample(&mut rng, 600, 5.2, 3.0);
    let welch = Analysis::default()
        .compare(
            &MeanStats::from_values(&a).unwrap(),
            &MeanStats::from_values(&b).unwrap(),
        )
        .unwrap();

    let out = bootstrap_difference(&a, &b, Statistic::Mean, 1_000, alpha(0.05), 3).unwrap();
    assert_close(out.estimate, welch.estimate, 1e-12, "estimate");
    assert_eq!(out.replicates, 1_000);
    let ratio = out.std_error / welch.std_error;
    eprintln!("bootstrap / Welch SE: {ratio}");
    assert!((0.95..=1.05).contains(&ratio), "ratio {ratio}");
    // The percentile interval is close to Welch's t interval.
    assert!((out.ci.lower - welch.ci.lower).abs() < 0.1 * welch.std_error * 4.0);
    assert!((out.ci.upper - welch.ci.upper).abs() < 0.1 * welch.std_error * 4.0);

    // The Poisson bootstrap of the same data, units numbered across both arms.
    let (mut pa, mut pb) = (
        PoissonBootstrap::new(1_000, 4).unwrap(),
        PoissonBootstrap::new(1_000, 4).unwrap(),
    );
    for (i, &x) in a.iter().enumerate() {
        pa.accumulate(i as u64, x).unwrap();
    }
    for (i, &x) in b.iter().enumerate() {
        pb.accumulate((a.len() + i) as u64, x).unwrap();
    }
    let poisson = PoissonBootstrap::mean_difference_ci(&pa, &pb, alpha(0.05)).unwrap();
    assert_close(poisson.estimate, welch.estimate, 1e-12, "Poisson estimate");
    assert_eq!(poisson.replicates, 1_000);
    let ratio = poisson.std_error / welch.std_error;
    eprintln!("Poisson bootstrap / Welch SE: {ratio}");
    assert!((0.95..=1.05).contains(&ratio), "Poisson ratio {ratio}");
}

#[test]
fn median_bootstrap_agrees_with_the_order_statistic_interval() {
    // Two ways to a median difference: the percentile bootstrap, and gbstats' normal
    // approximation from order-statistic bounds. Their standard errors agree to ~10%.
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let a = normal_sample(&mut rng, 800, 0.0, 1.0);
    let b = normal_sample(&mut rng, 800, 0.3, 1.0);
    let effects = quantile_treatment_effects(&a, &b, &[0.5, 0.9], 400, alpha(0.05), 5).unwrap();
    let median = &effects[0].outcome;
    let analytic = Analysis::default()
        .compare(
            &QuantileStats::from_values(&a, 0.5).unwrap(),
            &QuantileStats::from_values(&b, 0.5).unwrap(),
        )
        .unwrap();
    assert_close(median.estimate, analytic.estimate, 1e-12, "median estimate");
    let ratio = median.std_error / analytic.std_error;
    eprintln!("median: bootstrap / order-statistic SE: {ratio}");
    assert!((0.85..=1.15).contains(&ratio), "ratio {ratio}");
    assert!(median.ci.contains(0.3) && effects[1].outcome.ci.contains(0.3));

    // A single level gives the same numbers as bootstrap_difference with the same seed.
    let p90 = bootstrap_difference(&a, &b, Statistic::Quantile(0.9), 100, alpha(0.05), 5).unwrap();
    let single = quantile_treatment_effects(&a, &b, &[0.9], 100, alpha(0.05), 5).unwrap();
    assert_eq!(single[0].outcome, p90);
    assert_eq!(single[0].level, 0.9);
}

#[test]
fn bootstraps_are_deterministic_given_the_seed() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let a = normal_sample(&mut rng, 80, 1.0, 1.0);
    let b = normal_sample(&mut rng, 90, 1.2, 1.0);
    for statistic in [
        Statistic::Mean,
        Statistic::Quantile(0.5),
        Statistic::Quantile(0.9),
    ] {
        let run = |seed| bootstrap_difference(&a, &b, statistic, 300, alpha(0.1), seed).unwrap();
        assert_eq!(run(1), run(1), "{statistic:?}");
        assert_ne!(run(1).ci, run(2).ci, "{statistic:?}");
    }
    let poisson = |seed| {
        let (mut pa, mut pb) = (
            PoissonBootstrap::new(300, seed).unwrap(),
            PoissonBootstrap::new(300, seed).unwrap(),
        );
        for (i, &x) in a.iter().enumerate() {
            pa.accumulate(i as u64, x).unwrap();
        }
        for (i, &x) in b.iter().enumerate() {
            pb.accumulate(1_000 + i as u64, x).unwrap();
        }
        PoissonBootstrap::mean_difference_ci(&pa, &pb, alpha(0.1)).unwrap()
    };
    assert_eq!(poisson(1), poisson(1));
    assert_ne!(poisson(1).ci, poisson(2).ci);
}

/// Accumulates `(id, value)` units into one accumulator.
fn accumulate(units: &[(u64, f64)], replicates: usize, seed: u64) -> PoissonBootstrap {
    let mut acc = PoissonBootstrap::new(replicates, seed).unwrap();
    for &(id, x) in units {
        acc.accumulate(id, x).unwrap();
    }
    acc
}

#[test]
fn sharded_poisson_bootstrap_equals_a_single_pass_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    // Values of very different magnitudes, so a naive float sum would depend on the order.
    let make = |rng: &mut ChaCha8Rng, n: usize, offset: u64, shift: f64| -> Vec<(u64, f64)> {
        (0..n)
            .map(|i| {
                let scale = [1e-3, 1.0, 1e6][rng.random_range(0..3)];
                let id = offset + (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (id, shift + scale * rng.random::<f64>())
            })
            .collect()
    };
    let control = make(&mut rng, 600, 0, 0.0);
    let treatment = make(&mut rng, 500, 1, 0.5);
    let (replicates, seed) = (100, 99);
    let single = PoissonBootstrap::mean_difference_ci(
        &accumulate(&control, replicates, seed),
        &accumulate(&treatment, replicates, seed),
        alpha(0.05),
    )
    .unwrap();

    // Shard each arm at random into 4 shards, shuffle each shard, and merge in two different
    // groupings and orders.
    for round in 0..3 {
        let shard = |units: &[(u64, f64)], rng: &mut ChaCha8Rng| -> Vec<PoissonBootstrap> {
            let mut shards = vec![Vec::new(); 4];
            for &u in units {
                shards[rng.random_range(0..4)].push(u);
            }
            shards
                .into_iter()
                .map(|mut s| {
                    for i in (1..s.len()).rev() {
                        s.swap(i, rng.random_range(0..=i));
                    }
                    accumulate(&s, replicates, seed)
                })
                .collect()
        };
        let [c0, c1, c2, c3]: [PoissonBootstrap; 4] = shard(&control, &mut rng).try_into().unwrap();
        let [t0, t1, t2, t3]: [PoissonBootstrap; 4] =
            shard(&treatment, &mut rng).try_into().unwrap();
        let merged_control = ((c3 + c1).unwrap() + (c0 + c2).unwrap()).unwrap();
        let mut merged_treatment = t2;
        for t in [t0, t3, t1] {
            merged_treatment.merge(&t).unwrap();
        }
        assert_eq!(merged_control.units(), 600);
        let sharded =
            PoissonBootstrap::mean_difference_ci(&merged_control, &merged_treatment, alpha(0.05))
                .unwrap();
        assert_eq!(sharded, single, "round {round}");
        // Bit for bit, not just to rounding.
        assert_eq!(sharded.ci.lower.to_bits(), single.ci.lower.to_bits());
        assert_eq!(sharded.std_error.to_bits(), single.std_error.to_bits());
    }
}

#[test]
fn poisson_weights_depend_only_on_seed_and_unit() {
    // The same unit accumulated alone under the same seed gives the same replicate means,
    // whatever else the accumulator holds: checked through a two-unit arm built both ways.
    let one_pass = accumulate(&[(7, 1.0), (8, 3.0)], 50, 5);
    let merged = (accumulate(&[(8, 3.0)], 50, 5) + accumulate(&[(7, 1.0)], 50, 5)).unwrap();
    let other = accumulate(&[(9, 2.0), (10, 2.5)], 50, 5);
    assert_eq!(
        PoissonBootstrap::mean_difference_ci(&other, &one_pass, alpha(0.05)).unwrap(),
        PoissonBootstrap::mean_difference_ci(&other, &merged, alpha(0.05)).unwrap(),
    );
}

#[test]
fn bootstrap_inputs_are_validated() {
    let a = [1.0, 2.0, 3.0];
    let b = [2.0, 3.0, 4.0];
    let run = |a: &[f64], b: &[f64], statistic, replicates| {
        bootstrap_difference(a, b, statistic, replicates, alpha(0.05), 1)
    };
    assert!(matches!(
        run(&[], &b, Statistic::Mean, 100),
        Err(ExperimentError::TooFewUnits { ref arm, n: 0, .. }) if arm == "control"
    ));
    assert!(matches!(
        run(&a, &[1.0], Statistic::Mean, 100),
        Err(ExperimentError::TooFewUnits { ref arm, n: 1, .. }) if arm == "treatment"
    ));
    assert!(matches!(
        run(&[1.0, f64::NAN], &b, Statistic::Mean, 100),
        Err(ExperimentError::InvalidInput { .. })
    ));
    assert!(matches!(
        run(&a, &[1.0, f64::INFINITY], Statistic::Mean, 100),
        Err(ExperimentError::InvalidInput { .. })
    ));
    assert!(matches!(
        run(&a, &b, Statistic::Mean, 0),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(matches!(
        run(&a, &b, Statistic::Mean, 1),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    for level in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        assert!(
            matches!(
                run(&a, &b, Statistic::Quantile(level), 100),
                Err(ExperimentError::InvalidConfig { .. })
            ),
            "level {level}"
        );
        assert!(quantile_treatment_effects(&a, &b, &[0.5, level], 100, alpha(0.05), 1).is_err());
    }
    assert!(quantile_treatment_effects(&a, &b, &[], 100, alpha(0.05), 1).is_err());

    assert!(matches!(
        PoissonBootstrap::new(0, 1),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    let mut acc = PoissonBootstrap::new(10, 1).unwrap();
    assert!(matches!(
        acc.accumulate(1, f64::NAN),
        Err(ExperimentError::InvalidInput { .. })
    ));
    assert_eq!(acc.units(), 0);
    let empty = PoissonBootstrap::new(10, 1).unwrap();
    let full = accumulate(&[(1, 1.0), (2, 2.0), (3, 3.0)], 10, 1);
    assert!(matches!(
        PoissonBootstrap::mean_difference_ci(&empty, &full, alpha(0.05)),
        Err(ExperimentError::TooFewUnits { ref arm, n: 0, .. }) if arm == "control"
    ));
    assert!(
        PoissonBootstrap::mean_difference_ci(
            &full,
            &accumulate(&[(4, 1.0), (5, 2.0)], 11, 1),
            alpha(0.05)
        )
        .is_err()
    );
    assert!((full.clone() + accumulate(&[(4, 1.0)], 10, 2)).is_err());
    assert!((full + accumulate(&[(4, 1.0)], 11, 1)).is_err());
}

#[test]
fn outcomes_serialize() {
    let out: BootstrapOutcome = bootstrap_difference(
        &[1.0, 2.0, 4.0],
        &[2.0, 3.0, 7.0],
        Statistic::Quantile(0.5),
        50,
        alpha(0.05),
        1,
    )
    .unwrap();
    let json = serde_json::to_string(&out).unwrap();
    let back: BootstrapOutcome = serde_json::from_str(&json).unwrap();
    assert_eq!(back, out);
    let stats = QuantileStats::new(1_000, 0.9, 5.0, 4.5, 5.5, 1_000).unwrap();
    let back: QuantileStats =
        serde_json::from_str(&serde_json::to_string(&stats).unwrap()).unwrap();
    assert_eq!(back, stats);
}
