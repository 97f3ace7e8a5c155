//! Iterator constructors: bit-for-bit equal to the slice constructors, with errors naming the
//! index of a bad value.

use prodops_experiment::{
    CovariateStats, CupedStats, ExperimentError, MeanStats, ProportionStats, RatioCupedStats,
    RatioStats,
};
use proptest::prelude::*;

#[test]
fn errors_name_the_index_of_the_bad_value() {
    let err = MeanStats::from_value_iter([1.0, 2.0, f64::NAN]).unwrap_err();
    assert!(
        matches!(&err, ExperimentError::InvalidInput { what, .. } if what == "value at index 2"),
        "{err}"
    );
    let err = RatioStats::from_pair_iter([(1.0, 2.0), (1.0, f64::INFINITY)]).unwrap_err();
    assert!(
        matches!(&err, ExperimentError::InvalidInput { what, .. } if what == "denominator at index 1"),
        "{err}"
    );
    let err = CupedStats::from_pair_iter([(f64::NAN, 2.0)]).unwrap_err();
    assert!(
        matches!(&err, ExperimentError::InvalidInput { what, .. } if what == "outcome at index 0"),
        "{err}"
    );
    let err =
        RatioCupedStats::from_row_iter([((1.0, 1.0), (1.0, 1.0)), ((1.0, 1.0), (f64::NAN, 1.0))])
            .unwrap_err();
    assert!(
        matches!(&err, ExperimentError::InvalidInput { what, .. } if what == "pre-period numerator at index 1"),
        "{err}"
    );
    let err = CovariateStats::from_rows(1, [(1.0, [1.0]), (2.0, [f64::NAN])]).unwrap_err();
    assert!(
        matches!(&err, ExperimentError::InvalidInput { what, .. } if what.ends_with("in row 1")),
        "{err}"
    );
    // Sums that overflow f64 are reported, not returned as ∞.
    assert!(MeanStats::from_value_iter([1e300, 1e300]).is_err());
}

#[test]
fn empty_iterators_give_empty_statistics() -> Result<(), ExperimentError> {
    assert_eq!(MeanStats::from_value_iter([])?, MeanStats::default());
    assert_eq!(
        ProportionStats::from_outcome_iter([]),
        ProportionStats::default()
    );
    assert_eq!(RatioStats::from_pair_iter([])?, RatioStats::default());
    Ok(())
}

fn values() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1e3f64..1e3, 0..40)
}

proptest! {
    #[test]
    fn iterators_equal_slices_bit_for_bit(x in values(), y in values(), p in values(), q in values()) {
        let n = x.len().min(y.len()).min(p.len()).min(q.len());
        let (x, y, p, q) = (&x[..n], &y[..n], &p[..n], &q[..n]);
        prop_assert_eq!(MeanStats::from_value_iter(x.iter().copied()).unwrap(), MeanStats::from_values(x).unwrap());
        let outcomes: Vec<bool> = x.iter().map(|v| *v > 0.0).collect();
        prop_assert_eq!(ProportionStats::from_outcome_iter(outcomes.iter().copied()), ProportionStats::from_outcomes(&outcomes));
        let pairs: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
        prop_assert_eq!(RatioStats::from_pair_iter(pairs.iter().copied()).unwrap(), RatioStats::from_pairs(&pairs).unwrap());
        prop_assert_eq!(CupedStats::from_pair_iter(pairs.iter().copied()).unwrap(), CupedStats::from_pairs(&pairs).unwrap());
        let rows: Vec<_> = pairs
            .iter()
            .zip(p.iter().zip(q))
            .map(|(&post, (&a, &b))| (post, (a, b)))
            .collect();
        prop_assert_eq!(
            RatioCupedStats::from_row_iter(rows.iter().copied()).unwrap(),
            RatioCupedStats::from_rows(&rows).unwrap()
        );
        let mut pushed = CovariateStats::new(2);
        for (i, &v) in x.iter().enumerate() {
            pushed.push(v, &[y[i], p[i]]).unwrap();
        }
        let from_rows = CovariateStats::from_rows(2, (0..n).map(|i| (x[i], [y[i], p[i]]))).unwrap();
        prop_assert_eq!(from_rows, pushed);
    }
}
