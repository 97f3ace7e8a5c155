//! Seeded simulations of the error rates the procedures claim. Sizes are chosen to run in a
//! second or two in a debug build; `examples/` can run longer versions.

use prodops_experiment::{Analysis, MeanStats, MeanTest, Sequential};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

fn draw(rng: &mut ChaCha8Rng, n: usize, mean: f64) -> MeanStats {
    let normal = Normal::new(mean, 2.0).unwrap();
    let values: Vec<f64> = (0..n).map(|_| normal.sample(rng)).collect();
    MeanStats::from_values(&values).unwrap()
}

#[test]
fn a_a_tests_reject_about_alpha_of_the_time() {
    // 4,000 A/A tests at α = 0.05: the rejection rate has SE √(0.05·0.95/4000) ≈ 0.0034, so
    // [0.04, 0.06] is ±2.9 SE.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let analysis = Analysis::default();
    let reps = 4_000;
    let rejections = (0..reps)
        .filter(|_| {
            let (a, b) = (draw(&mut rng, 100, 5.0), draw(&mut rng, 100, 5.0));
            analysis.compare(&a, &b).unwrap().p_value <= 0.05
        })
        .count();
    let rate = rejections as f64 / reps as f64;
    eprintln!("A/A rejection rate at α = 0.05: {rate}");
    assert!((0.04..=0.06).contains(&rate), "A/A rejection rate {rate}");
}

#[test]
fn confidence_intervals_cover_the_true_effect_about_95_percent() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let analysis = Analysis::builder().test(MeanTest::Welch).build().unwrap();
    let reps = 4_000;
    let covered = (0..reps)
        .filter(|_| {
            let (a, b) = (draw(&mut rng, 60, 5.0), draw(&mut rng, 80, 5.7));
            analysis.compare(&a, &b).unwrap().ci.contains(0.7)
        })
        .count();
    let rate = covered as f64 / reps as f64;
    eprintln!("95% CI coverage: {rate}");
    assert!((0.94..=0.96).contains(&rate), "coverage {rate}");
}

#[test]
fn always_valid_test_survives_peeking_where_the_naive_test_does_not() {
    // 400 A/A experiments, each looked at after every batch of 50 units per arm, 20 looks.
    // Stopping at the first p ≤ 0.05 inflates the naive test's false-positive rate well above
    // α; the always-valid p-value keeps it at or below α.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let analysis = Analysis::default();
    let settings = Sequential::new(2_000.0).unwrap();
    let (reps, looks, batch) = (400, 20, 50);
    let (mut naive, mut valid) = (0, 0);
    for _ in 0..reps {
        let (mut a, mut b) = (MeanStats::default(), MeanStats::default());
        let (mut naive_hit, mut valid_hit) = (false, false);
        for _ in 0..looks {
            a += draw(&mut rng, batch, 5.0);
            b += draw(&mut rng, batch, 5.0);
            naive_hit |= analysis.compare(&a, &b).unwrap().p_value <= 0.05;
            valid_hit |= analysis.sequential(&a, &b, settings).unwrap().p_value <= 0.05;
        }
        naive += usize::from(naive_hit);
        valid += usize::from(valid_hit);
    }
    let (naive, valid) = (naive as f64 / reps as f64, valid as f64 / reps as f64);
    eprintln!("false positives with 20 peeks: naive {naive}, always-valid {valid}");
    assert!(naive > 0.12, "naive peeking rate {naive}");
    assert!(valid <= 0.05, "always-valid peeking rate {valid}");
}
