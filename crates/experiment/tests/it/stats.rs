use prodops_experiment::{ExperimentError, MeanStats, ProportionStats};
use proptest::prelude::*;

#[test]
fn inconsistent_sums_are_rejected() {
    // (Σx)² = 100 > n·Σx² = 2 × 10: no real data has these sums.
    assert!(matches!(
        MeanStats::new(2, 10.0, 10.0),
        Err(ExperimentError::InvalidInput { .. })
    ));
    assert!(MeanStats::new(3, f64::NAN, 1.0).is_err());
    assert!(MeanStats::new(3, 1.0, -1.0).is_err());
    assert!(MeanStats::new(0, 1.0, 1.0).is_err());
    assert!(MeanStats::from_values(&[1.0, f64::INFINITY]).is_err());
    assert!(ProportionStats::new(5, 6).is_err());
}

#[test]
fn degenerate_variances_are_typed_errors() {
    let constant = MeanStats::from_values(&[2.0, 2.0, 2.0]).unwrap();
    assert!(matches!(
        constant.variance(),
        Err(ExperimentError::ZeroOrNegativeVariance { .. })
    ));
    let single = MeanStats::from_values(&[2.0]).unwrap();
    assert!(single.variance().is_err());
    assert!(MeanStats::default().mean().is_err());
}

#[test]
fn proportions_are_means_of_zero_one_data() {
    let p = ProportionStats::from_outcomes(&[true, false, false, true]);
    assert_eq!((p.n(), p.successes()), (4, 2));
    assert_eq!(
        p.as_mean_stats(),
        MeanStats::from_values(&[1.0, 0.0, 0.0, 1.0]).unwrap()
    );
}

proptest! {
    #[test]
    fn merging_equals_concatenating(a in prop::collection::vec(-1e3f64..1e3, 0..50), b in prop::collection::vec(-1e3f64..1e3, 0..50)) {
        let merged = MeanStats::from_values(&a).unwrap() + MeanStats::from_values(&b).unwrap();
        let all: Vec<f64> = a.iter().chain(&b).copied().collect();
        let direct = MeanStats::from_values(&all).unwrap();
        prop_assert_eq!(merged.n(), direct.n());
        prop_assert!((merged.sum() - direct.sum()).abs() <= 1e-9 * (1.0 + direct.sum().abs()));
        prop_assert!((merged.sum_sq() - direct.sum_sq()).abs() <= 1e-9 * (1.0 + direct.sum_sq()));
        prop_assert!(MeanStats::new(merged.n(), merged.sum(), merged.sum_sq()).is_ok());
    }
}
