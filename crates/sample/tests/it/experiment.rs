use chrono::NaiveDate;
use prodops_sample::{
    ArmSpec, ExperimentConfig, ExperimentUnit, SampleError, SrmPlant, experiment_units,
};

use crate::se;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn mean(xs: impl Iterator<Item = f64>) -> (f64, usize) {
    let (s, n) = xs.fold((0.0, 0), |(s, n), x| (s + x, n + 1));
    (s / n as f64, n)
}

fn arm<'a>(units: &'a [ExperimentUnit], name: &'a str) -> impl Iterator<Item = &'a ExperimentUnit> {
    units.iter().filter(move |u| u.variant == name)
}

#[test]
fn true_effects_are_recovered() {
    let cfg = ExperimentConfig::two_arm(80_000, start(), 14, 17);
    let units = experiment_units(&cfg, 0..80_000).unwrap();
    assert_eq!(units.len(), 80_000);
    let (p_c, n_c) = mean(arm(&units, "control").map(|u| f64::from(u8::from(u.converted))));
    let (p_t, n_t) = mean(arm(&units, "treatment").map(|u| f64::from(u8::from(u.converted))));
    // 50/50 allocation.
    assert!(((n_t as f64 / 80_000.0) - 0.5).abs() < 4.0 * se(0.5, 80_000));
    assert!((p_c - 0.10).abs() < 4.0 * se(0.10, n_c), "{p_c}");
    assert!((p_t - 0.105).abs() < 4.0 * se(0.105, n_t), "{p_t}");
    // Metric effect +1.0; SD of the metric is 15 in each arm (see model), so the SE of the
    // difference is 15·√(1/n_c + 1/n_t).
    let (m_c, _) = mean(arm(&units, "control").map(|u| u.metric));
    let (m_t, _) = mean(arm(&units, "treatment").map(|u| u.metric));
    let se_diff = 15.0 * (1.0 / n_c as f64 + 1.0 / n_t as f64).sqrt();
    assert!(((m_t - m_c) - 1.0).abs() < 4.0 * se_diff, "{}", m_t - m_c);
    // Control mean: 10 + 0.8 × 50 = 50.
    assert!((m_c - 50.0).abs() < 4.0 * 15.0 / (n_c as f64).sqrt());
    // Click-through: sessions = 1 + Poisson(3), clicks ~ Binomial(sessions, 0.20 / 0.21).
    let ctr = |name| {
        let (c, s) = arm(&units, name).fold((0u64, 0u64), |(c, s), u| {
            (c + u64::from(u.clicks), s + u64::from(u.sessions))
        });
        (c as f64 / s as f64, s as usize)
    };
    let (ctr_c, s_c) = ctr("control");
    assert!((ctr_c - 0.20).abs() < 4.0 * se(0.20, s_c), "{ctr_c}");
    let (ctr_t, s_t) = ctr("treatment");
    assert!((ctr_t - 0.21).abs() < 4.0 * se(0.21, s_t), "{ctr_t}");
    let (sessions, _) = mean(units.iter().map(|u| f64::from(u.sessions)));
    assert!((sessions - 4.0).abs() < 0.05, "{sessions}");
}

#[test]
fn covariate_correlation_is_point_eight() {
    let cfg = ExperimentConfig::two_arm(40_000, start(), 14, 3);
    let units: Vec<_> = experiment_units(&cfg, 0..40_000)
        .unwrap()
        .into_iter()
        .filter(|u| u.variant == "control")
        .collect();
    let (mx, n) = mean(units.iter().map(|u| u.pre_metric));
    let (my, _) = mean(units.iter().map(|u| u.metric));
    let (sxy, sxx, syy) = units.iter().fold((0.0, 0.0, 0.0), |(a, b, c), u| {
        let (dx, dy) = (u.pre_metric - mx, u.metric - my);
        (a + dx * dy, b + dx * dx, c + dy * dy)
    });
    let r = sxy / (sxx * syy).sqrt();
    // SE of a sample correlation ≈ (1 − ρ²)/√n = 0.36/√n.
    assert!((r - 0.8).abs() < 4.0 * 0.36 / (n as f64).sqrt(), "{r}");
}

#[test]
fn srm_plant_drops_the_planned_share_and_leaves_other_units_alone() {
    let clean = ExperimentConfig::two_arm(50_000, start(), 14, 5);
    let srm = clean.clone().with_srm(SrmPlant { arm: 1, keep: 0.9 });
    let a = experiment_units(&clean, 0..50_000).unwrap();
    let b = experiment_units(&srm, 0..50_000).unwrap();
    let control_a: Vec<_> = arm(&a, "control").collect();
    let control_b: Vec<_> = arm(&b, "control").collect();
    assert_eq!(control_a, control_b);
    let kept = arm(&b, "treatment").count() as f64 / arm(&a, "treatment").count() as f64;
    let n = arm(&a, "treatment").count();
    assert!((kept - 0.9).abs() < 4.0 * se(0.9, n), "{kept}");
}

#[test]
fn weights_set_the_allocation_of_many_arms() {
    let mut cfg = ExperimentConfig::two_arm(30_000, start(), 7, 1);
    cfg.arms = vec![
        ArmSpec::new("a", 2.0, 0.1, 0.2, 0.0),
        ArmSpec::new("b", 1.0, 0.1, 0.2, 0.0),
        ArmSpec::new("c", 1.0, 0.1, 0.2, 0.0),
    ];
    let units = experiment_units(&cfg, 0..30_000).unwrap();
    let share = arm(&units, "a").count() as f64 / units.len() as f64;
    assert!((share - 0.5).abs() < 4.0 * se(0.5, units.len()), "{share}");
}

#[test]
fn invalid_experiments_are_rejected() {
    let mut one_arm = ExperimentConfig::two_arm(10, start(), 7, 1);
    one_arm.arms.truncate(1);
    assert!(matches!(
        experiment_units(&one_arm, 0..10),
        Err(SampleError::InvalidConfig {
            field: "experiment.arms",
            ..
        })
    ));
    let mut bad_rate = ExperimentConfig::two_arm(10, start(), 7, 1);
    bad_rate.arms[1].conversion_rate = f64::NAN;
    assert!(experiment_units(&bad_rate, 0..10).is_err());
    let bad_srm =
        ExperimentConfig::two_arm(10, start(), 7, 1).with_srm(SrmPlant { arm: 5, keep: 0.5 });
    assert!(experiment_units(&bad_srm, 0..10).is_err());
}
