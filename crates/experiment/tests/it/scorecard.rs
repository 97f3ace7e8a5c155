use prodops_experiment::multitest::{Correction, FamilyScope, MetricRole};
use prodops_experiment::{
    Analysis, ArmMoments, CupedStats, Decision, DecisionRule, ExperimentError, MeanStats, Metric,
    MetricSpec, ProportionStats, RatioStats, RowContext, Scale, Scorecard, SrmConfig, VerdictKind,
    sample_ratio_mismatch,
};
use prodops_sample::{ExperimentUnit, SampleSpec, experiment_units};

fn arm(units: &[ExperimentUnit], variant: &str) -> (CupedStats, ProportionStats, RatioStats) {
    let rows: Vec<&ExperimentUnit> = units.iter().filter(|u| u.variant == variant).collect();
    let metric = CupedStats::from_pairs(
        &rows
            .iter()
            .map(|u| (u.metric, u.pre_metric))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let conversion =
        ProportionStats::from_outcomes(&rows.iter().map(|u| u.converted).collect::<Vec<_>>());
    let ctr = RatioStats::from_pairs(
        &rows
            .iter()
            .map(|u| (f64::from(u.clicks), f64::from(u.sessions)))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    (metric, conversion, ctr)
}

fn readout(units: &[ExperimentUnit]) -> Scorecard {
    let (m_c, c_c, r_c) = arm(units, "control");
    let (m_t, c_t, r_t) = arm(units, "treatment");
    let srm =
        sample_ratio_mismatch(&[c_c.n(), c_t.n()], &[0.5, 0.5], SrmConfig::default()).unwrap();
    let analysis = Analysis::builder().scale(Scale::Relative).build().unwrap();
    let mut card = Scorecard::builder("sample", analysis.clone(), srm);
    // CUPED on the pre-period covariate: without it the planted +2% is not detectable at this
    // size (z ≈ 1.9 on this draw).
    let cuped = analysis.cuped(&m_c, &m_t).unwrap();
    card.add_outcome(MetricSpec::success("metric"), "treatment", cuped.adjusted);
    card.add(MetricSpec::success("conversion"), "treatment", &c_c, &c_t)
        .unwrap();
    card.add(
        MetricSpec::guardrail("click_through"),
        "treatment",
        &r_c,
        &r_t,
    )
    .unwrap();
    card.build().unwrap()
}

#[test]
fn the_bundled_experiment_reads_out_as_ship_and_the_srm_one_as_invalid() {
    // The sample plants +1.0 on a metric with mean 50 (a +2% lift) with a covariate of
    // correlation 0.8, and a 4% loss of treatment units in the SRM variant.
    let spec = SampleSpec::small();
    let clean = readout(&experiment_units(&spec.experiment(), 0..10_000).unwrap());
    assert_eq!(clean.verdict, VerdictKind::Ship, "{}", clean.to_markdown());
    let metric = &clean.rows[0];
    assert_eq!(metric.decision, Decision::Win);
    assert!(metric.adjusted_p.unwrap() >= metric.outcome.p_value);
    // Guardrails are outside the default family: no adjusted p.
    assert_eq!(clean.rows[2].adjusted_p, None);
    let srm = readout(&experiment_units(&spec.experiment_with_srm(), 0..10_000).unwrap());
    assert_eq!(srm.verdict, VerdictKind::Invalid);
    let md = srm.to_markdown();
    assert!(md.contains("Verdict: Invalid"), "{md}");
    // The scorecard survives a JSON round trip.
    let json = serde_json::to_string(&clean).unwrap();
    assert_eq!(serde_json::from_str::<Scorecard>(&json).unwrap(), clean);
}

#[test]
fn a_guardrail_regression_blocks_shipping() {
    let srm = sample_ratio_mismatch(&[5_000, 5_000], &[0.5, 0.5], SrmConfig::default()).unwrap();
    let mut card = Scorecard::builder("guarded", Analysis::default(), srm);
    card.add(
        MetricSpec::success("conversion"),
        "b",
        &ProportionStats::new(5_000, 500).unwrap(),
        &ProportionStats::new(5_000, 600).unwrap(),
    )
    .unwrap();
    // Latency (lower is better) rises by 10 ms with SE ≈ 1 ms.
    let latency_a = ArmMoments::new("control", 5_000, 200.0, 2_500.0).unwrap();
    let latency_b = ArmMoments::new("treatment", 5_000, 210.0, 2_500.0).unwrap();
    card.add(
        MetricSpec::guardrail("latency_ms").lower_is_better(),
        "b",
        &latency_a,
        &latency_b,
    )
    .unwrap();
    let scorecard = card.build().unwrap();
    assert_eq!(scorecard.rows[1].decision, Decision::GuardrailFailed);
    assert!(!scorecard.guardrails_held);
    assert_eq!(scorecard.verdict, VerdictKind::DoNotShip);
    assert!(
        scorecard.summary.contains("latency_ms"),
        "{}",
        scorecard.summary
    );
}

#[test]
fn corrections_apply_over_the_chosen_family() {
    // Three success metrics and one guardrail with raw p-values chosen through the z test:
    // Holm over the three success metrics multiplies the smallest by 3.
    let srm = sample_ratio_mismatch(&[1_000, 1_000], &[0.5, 0.5], SrmConfig::default()).unwrap();
    let mut card = Scorecard::builder("family", Analysis::default(), srm);
    for (name, diff) in [("a", 0.3), ("b", 0.05), ("c", 0.0)] {
        let x = ArmMoments::new("control", 1_000, 1.0, 1.0).unwrap();
        let y = ArmMoments::new("treatment", 1_000, 1.0 + diff, 1.0).unwrap();
        card.add(MetricSpec::success(name), "t", &x, &y).unwrap();
    }
    let g = ArmMoments::new("control", 1_000, 1.0, 1.0).unwrap();
    card.add(MetricSpec::guardrail("g"), "t", &g, &g).unwrap();
    let only_success = card.build().unwrap();
    let raw = only_success.rows[0].outcome.p_value;
    assert!((only_success.rows[0].adjusted_p.unwrap() - (3.0 * raw).min(1.0)).abs() < 1e-15);
    assert_eq!(only_success.rows[3].adjusted_p, None);
    card.family_scope(FamilyScope::AllMetrics)
        .correction(Correction::Bonferroni);
    let all = card.build().unwrap();
    assert!((all.rows[0].adjusted_p.unwrap() - (4.0 * raw).min(1.0)).abs() < 1e-15);
    assert!(all.rows[3].adjusted_p.is_some());
    let ci = all.rows[0].adjusted_ci.unwrap();
    assert!(ci.lower <= all.rows[0].outcome.ci.lower && ci.upper >= all.rows[0].outcome.ci.upper);
}

#[test]
fn duplicate_rows_are_rejected_and_errors_name_the_metric() {
    let srm = sample_ratio_mismatch(&[10, 10], &[0.5, 0.5], SrmConfig::default()).unwrap();
    let mut card = Scorecard::builder("dup", Analysis::default(), srm);
    let x = ArmMoments::new("control", 10, 1.0, 1.0).unwrap();
    card.add(MetricSpec::success("m"), "t", &x, &x).unwrap();
    card.add(MetricSpec::success("m"), "t", &x, &x).unwrap();
    assert!(card.build().is_err());
    let constant = MeanStats::from_values(&[1.0, 1.0, 1.0]).unwrap();
    let err = card
        .add(MetricSpec::success("flat"), "t", &constant, &constant)
        .err()
        .unwrap();
    assert!(err.to_string().contains("flat"), "{err}");
}

/// A metric type defined outside the crate: a winsorized mean computed by the user, reduced to
/// moments through the public `Metric` trait.
struct WinsorizedMean {
    values: Vec<f64>,
    cap: f64,
}

impl Metric for WinsorizedMean {
    fn moments(&self, arm: &str) -> Result<ArmMoments, ExperimentError> {
        let capped: Vec<f64> = self.values.iter().map(|v| v.min(self.cap)).collect();
        let stats = MeanStats::from_values(&capped)?;
        ArmMoments::new(arm, stats.n(), stats.mean()?, stats.variance()?)
    }
}

/// A decision rule defined outside the crate: win only when the whole confidence interval
/// clears a practical threshold.
struct PracticalSignificance {
    min_effect: f64,
}

impl DecisionRule for PracticalSignificance {
    fn decide(&self, row: &RowContext<'_>) -> Decision {
        if row.spec.role == MetricRole::Success && row.outcome.ci.lower >= self.min_effect {
            Decision::Win
        } else if row.spec.role == MetricRole::Success {
            Decision::Inconclusive
        } else {
            prodops_experiment::SignificanceRule.decide(row)
        }
    }
}

#[test]
fn user_metric_types_and_decision_rules_plug_in() {
    let control = WinsorizedMean {
        values: (0..400)
            .map(|i| f64::from(i % 20) + if i == 7 { 1e6 } else { 0.0 })
            .collect(),
        cap: 100.0,
    };
    let treatment = WinsorizedMean {
        values: (0..400).map(|i| f64::from(i % 20) + 2.0).collect(),
        cap: 100.0,
    };
    let srm = sample_ratio_mismatch(&[400, 400], &[0.5, 0.5], SrmConfig::default()).unwrap();
    let mut card = Scorecard::builder("extension", Analysis::default(), srm);
    card.add(
        MetricSpec::success("winsorized_revenue"),
        "t",
        &control,
        &treatment,
    )
    .unwrap();
    let default_rule = card.build().unwrap();
    assert_eq!(default_rule.rows[0].decision, Decision::Win);
    card.rule(PracticalSignificance { min_effect: 5.0 });
    let strict = card.build().unwrap();
    assert_eq!(strict.rows[0].decision, Decision::Inconclusive);
    assert_eq!(strict.verdict, VerdictKind::Inconclusive);
    assert!(strict.to_markdown().contains("winsorized_revenue"));
}

/// A rule that records what it is shown, to check the context a user's rule receives.
type Seen =
    std::rc::Rc<std::cell::RefCell<Vec<(Option<f64>, Option<prodops_experiment::Interval>)>>>;

struct Recorder {
    seen: Seen,
}

impl DecisionRule for Recorder {
    fn decide(&self, row: &RowContext<'_>) -> Decision {
        self.seen
            .borrow_mut()
            .push((row.adjusted_p, row.adjusted_ci));
        prodops_experiment::SignificanceRule.decide(row)
    }
}

#[test]
fn decision_rules_see_the_corrected_interval_of_each_row() {
    // Two success metrics under Bonferroni: each adjusted p is twice the raw one (below 1), so
    // each adjusted interval is wider than the raw one and is what the scorecard reports.
    let control =
        MeanStats::from_values(&(0..200).map(|i| f64::from(i % 10)).collect::<Vec<_>>()).unwrap();
    let treatment = MeanStats::from_values(
        &(0..200)
            .map(|i| f64::from(i % 10) + 0.6)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let srm = sample_ratio_mismatch(&[200, 200], &[0.5, 0.5], SrmConfig::default()).unwrap();
    let mut card = Scorecard::builder("context", Analysis::default(), srm);
    card.correction(Correction::Bonferroni);
    card.add(MetricSpec::success("a"), "t", &control, &treatment)
        .unwrap();
    card.add(MetricSpec::success("b"), "t", &control, &treatment)
        .unwrap();
    let seen = Seen::default();
    card.rule(Recorder { seen: seen.clone() });
    let built = card.build().unwrap();
    let seen = seen.borrow();
    assert_eq!(seen.len(), 2);
    for ((adjusted_p, adjusted_ci), row) in seen.iter().zip(&built.rows) {
        assert_eq!(*adjusted_p, row.adjusted_p);
        assert_eq!(*adjusted_ci, row.adjusted_ci);
        let (raw, wide) = (row.outcome.ci, adjusted_ci.unwrap());
        assert!(
            wide.lower < raw.lower && wide.upper > raw.upper,
            "{raw:?} vs {wide:?}"
        );
    }
}
