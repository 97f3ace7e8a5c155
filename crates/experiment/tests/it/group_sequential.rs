use prodops_experiment::{Alpha, Spending, dist, group_sequential_boundaries};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::fixtures::{assert_close, load, num};

fn spending(name: &str) -> Spending {
    match name {
        "obrien_fleming" => Spending::OBrienFleming,
        "pocock" => Spending::Pocock,
        "power" => Spending::Power { rho: 2.0 },
        other => panic!("{other}"),
    }
}

/// The fixture solves each boundary from multivariate-normal rectangle probabilities (Genz–
/// Bretz, absolute error ≈ 1e-9), a method independent of the recursive integration here;
/// boundaries agree to 1e-5.
#[test]
fn boundaries_match_multivariate_normal_reference() {
    let fixtures = load("group_sequential.json");
    for case in fixtures["cases"].as_array().unwrap() {
        let ts: Vec<f64> = case["fractions"]
            .as_array()
            .unwrap()
            .iter()
            .map(num)
            .collect();
        let looks = group_sequential_boundaries(
            &ts,
            Alpha::new(num(&case["alpha"])).unwrap(),
            spending(case["spending"].as_str().unwrap()),
            1,
        )
        .unwrap();
        for (look, b) in looks.iter().zip(case["boundaries"].as_array().unwrap()) {
            assert_close(
                look.z_boundary,
                num(b),
                1e-5,
                &format!("{} {ts:?} t = {}", case["spending"], look.fraction),
            );
            assert_close(
                look.nominal_alpha,
                2.0 * dist::norm_sf(look.z_boundary),
                1e-12,
                "nominal α",
            );
        }
        assert_close(
            looks.last().unwrap().cumulative_alpha,
            0.05,
            1e-12,
            "all α spent at t = 1",
        );
    }
}

#[test]
fn a_single_look_is_the_fixed_horizon_test() {
    for s in [
        Spending::OBrienFleming,
        Spending::Pocock,
        Spending::Power { rho: 2.0 },
    ] {
        let looks = group_sequential_boundaries(&[1.0], Alpha::new(0.05).unwrap(), s, 1).unwrap();
        assert_close(
            looks[0].z_boundary,
            1.959_963_984_540_054,
            1e-9,
            "z_{0.975}",
        );
    }
    // Two comparisons split α (Bonferroni): z_{1 − 0.025/2} = 2.241402727604947.
    let two = group_sequential_boundaries(&[1.0], Alpha::new(0.05).unwrap(), Spending::Pocock, 2)
        .unwrap();
    assert_close(two[0].z_boundary, 2.241_402_727_604_947, 1e-9, "z_{0.9875}");
}

#[test]
fn simulated_brownian_motion_crosses_with_probability_alpha() {
    // 40,000 null score paths observed at the five looks: the share that ever crosses a
    // boundary estimates the design's type I error (SE ≈ 0.0011).
    let ts = [0.2, 0.4, 0.6, 0.8, 1.0];
    let looks =
        group_sequential_boundaries(&ts, Alpha::new(0.05).unwrap(), Spending::Pocock, 1).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let reps = 40_000;
    let mut crossed = 0;
    for _ in 0..reps {
        let (mut s, mut t_prev) = (0.0f64, 0.0);
        for look in &looks {
            let z: f64 = StandardNormal.sample(&mut rng);
            s += z * (look.fraction - t_prev).sqrt();
            t_prev = look.fraction;
            if (s / look.fraction.sqrt()).abs() >= look.z_boundary {
                crossed += 1;
                break;
            }
        }
    }
    let rate = crossed as f64 / reps as f64;
    assert!(
        (rate - 0.05).abs() < 4.0 * (0.05f64 * 0.95 / reps as f64).sqrt(),
        "{rate}"
    );
}

#[test]
fn bad_designs_are_rejected() {
    let a = Alpha::new(0.05).unwrap();
    assert!(group_sequential_boundaries(&[], a, Spending::Pocock, 1).is_err());
    assert!(group_sequential_boundaries(&[0.5, 0.4], a, Spending::Pocock, 1).is_err());
    assert!(group_sequential_boundaries(&[0.0, 1.0], a, Spending::Pocock, 1).is_err());
    assert!(group_sequential_boundaries(&[1.0], a, Spending::Pocock, 0).is_err());
    assert!(group_sequential_boundaries(&[1.0], a, Spending::Power { rho: -1.0 }, 1).is_err());
}
