//! Capping and winsorization against numpy.percentile + numpy.clip + scipy's Welch test.

use prodops_experiment::{
    Analysis, CapBound, CapThresholds, Capping, ExperimentError, MeanStats, Metric,
};
use proptest::prelude::*;
use serde_json::Value;

use crate::fixtures::{CLOSED, assert_close, assert_estimate_and_ci, load, num};

fn values(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[test]
fn capped_statistics_match_numpy_and_scipy() -> Result<(), ExperimentError> {
    let fixture = load("capping.json");
    for case in fixture["cases"].as_array().unwrap() {
        let label = case["name"].as_str().unwrap();
        let data = &fixture["data"][case["data"].as_str().unwrap()];
        let (control, treatment) = (values(&data["control"]), values(&data["treatment"]));
        let upper = if case["fixed_upper"].is_null() {
            CapBound::Percentile(num(&case["upper_level"]))
        } else {
            CapBound::Value(num(&case["fixed_upper"]))
        };
        let mut capping =
            Capping::upper(upper)?.ignore_zeros(case["ignore_zeros"].as_bool().unwrap());
        if !case["lower_level"].is_null() {
            capping = capping.with_lower(CapBound::Percentile(num(&case["lower_level"])))?;
        }
        let caps = capping.thresholds(&[&control, &treatment])?;
        assert_close(caps.upper().unwrap(), num(&case["upper"]), CLOSED, label);
        match caps.lower() {
            Some(l) => assert_close(l, num(&case["lower"]), CLOSED, label),
            None => assert!(case["lower"].is_null(), "{label}"),
        }
        let (a, b) = (caps.mean_stats(&control)?, caps.mean_stats(&treatment)?);
        for (stats, sums) in [(a, &case["control_sums"]), (b, &case["treatment_sums"])] {
            assert_eq!(stats.n(), sums["n"].as_u64().unwrap());
            assert_close(stats.sum(), num(&sums["sum"]), CLOSED, label);
            assert_close(stats.sum_sq(), num(&sums["sum_sq"]), CLOSED, label);
        }
        let out = Analysis::default().compare(&a, &b)?;
        assert_estimate_and_ci(out.estimate, out.ci, &case["welch"], label);
        assert_close(out.p_value, num(&case["welch"]["p_value"]), 1e-7, label);
    }
    Ok(())
}

#[test]
fn ratio_capping_caps_each_side_per_unit() -> Result<(), ExperimentError> {
    let fixture = load("capping.json");
    let r = &fixture["ratio"];
    let pairs: Vec<(f64, f64)> = values(&r["numerator"])
        .into_iter()
        .zip(values(&r["denominator"]))
        .collect();
    let numerator = Capping::upper(CapBound::Value(num(&r["numerator_cap"])))?.thresholds(&[])?;
    let denominator =
        Capping::upper(CapBound::Value(num(&r["denominator_cap"])))?.thresholds(&[])?;
    let stats = numerator.ratio_stats(&denominator, &pairs)?;
    assert_close(stats.sum_products(), num(&r["sum_products"]), CLOSED, "Σmd");
    let moments = stats.moments("control")?;
    assert_close(moments.mean, num(&r["ratio"]), CLOSED, "ratio");
    assert_close(
        moments.unit_variance,
        num(&r["unit_variance"]),
        CLOSED,
        "variance",
    );
    // Numerator-only capping leaves every denominator as it was.
    let numerator_only = numerator.ratio_stats(&CapThresholds::default(), &pairs)?;
    let raw_d: f64 = pairs.iter().map(|p| p.1).sum();
    assert_close(numerator_only.denominator().sum(), raw_d, CLOSED, "Σd");
    Ok(())
}

#[test]
fn hand_example_and_errors() -> Result<(), ExperimentError> {
    // Pooled {1, 2, 3, 4, 5, 6, 7, 8, 9, 100}: the 0.8 percentile is at h = 9 · 0.8 = 7.2,
    // 8 + 0.2 · (9 − 8) = 8.2; 100 becomes 8.2 and 9 too.
    let a = [1.0, 2.0, 3.0, 4.0, 100.0];
    let b = [5.0, 6.0, 7.0, 8.0, 9.0];
    let caps = Capping::upper(CapBound::Percentile(0.8))?.thresholds(&[&a, &b])?;
    assert!((caps.upper().unwrap_or(f64::NAN) - 8.2).abs() < 1e-12);
    assert_eq!(
        caps.mean_stats(&a)?,
        MeanStats::from_values(&[1.0, 2.0, 3.0, 4.0, 8.2])?
    );
    assert_eq!(caps.apply(9.0), 8.2);

    assert!(matches!(
        Capping::upper(CapBound::Percentile(1.0)),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(Capping::upper(CapBound::Value(f64::NAN)).is_err());
    assert!(Capping::winsorize(0.9, 0.1).is_err());
    assert!(matches!(
        Capping::upper(CapBound::Percentile(0.5))?
            .ignore_zeros(true)
            .thresholds(&[&[0.0, 0.0]]),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    assert!(matches!(
        Capping::upper(CapBound::Value(1.0))?
            .with_lower(CapBound::Value(2.0))?
            .thresholds(&[]),
        Err(ExperimentError::InvalidConfig { .. })
    ));
    // ±∞ is reported, not capped into range.
    assert!(matches!(
        caps.mean_stats(&[1.0, f64::INFINITY]),
        Err(ExperimentError::InvalidInput { .. })
    ));
    Ok(())
}

proptest! {
    #[test]
    fn capping_keeps_values_within_thresholds_and_every_unit(
        a in prop::collection::vec(-100.0f64..100.0, 2..40),
        b in prop::collection::vec(-100.0f64..100.0, 2..40),
        lo in 0.01f64..0.4,
        hi in 0.6f64..0.99,
    ) {
        let caps = Capping::winsorize(lo, hi).unwrap().thresholds(&[&a, &b]).unwrap();
        let (l, u) = (caps.lower().unwrap(), caps.upper().unwrap());
        prop_assert!(l <= u);
        for &x in a.iter().chain(&b) {
            let c = caps.apply(x);
            prop_assert!(l <= c && c <= u);
            // Values inside the thresholds are untouched.
            if (l..=u).contains(&x) {
                prop_assert_eq!(c, x);
            }
        }
        // No unit is dropped.
        let capped = caps.mean_stats(&a).unwrap();
        prop_assert_eq!(capped.n(), a.len() as u64);
    }
}
