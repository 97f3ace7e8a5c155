//! The practical-significance decision rule inside prodops' scorecard: hand-derived intervals,
//! both metric directions, guardrails, errors, and monotonicity in the minimum effect.

use prodops_example_extension::ExtensionError;
use prodops_example_extension::decision::PracticalSignificance;
use prodops_experiment::{
    Analysis, Decision, MeanStats, MetricSpec, Scorecard, SrmConfig, VerdictKind,
    sample_ratio_mismatch,
};
use proptest::prelude::*;

use crate::TestResult;

type Error = Box<dyn std::error::Error>;

/// An arm of 10,000 units with this mean and variance 100: Σx = n·mean and
/// Σx² = (n − 1)·variance + n·mean².
fn arm(mean: f64) -> Result<MeanStats, Error> {
    let n = 10_000.0;
    Ok(MeanStats::new(
        10_000,
        n * mean,
        (n - 1.0) * 100.0 + n * mean * mean,
    )?)
}

/// The decision and verdict for one metric, under the built-in rule or the team's.
fn decide(
    spec: MetricSpec,
    control: f64,
    treatment: f64,
    rule: Option<PracticalSignificance>,
) -> Result<(Decision, VerdictKind), Error> {
    let srm = sample_ratio_mismatch(&[10_000, 10_000], &[0.5, 0.5], SrmConfig::default())?;
    let mut card = Scorecard::builder("test", Analysis::default(), srm);
    card.add(spec, "treatment", &arm(control)?, &arm(treatment)?)?;
    if let Some(rule) = rule {
        card.rule(rule);
    }
    let card = card.build()?;
    Ok((card.rows[0].decision, card.verdict))
}

fn rule(min_effect: f64) -> Result<Option<PracticalSignificance>, Error> {
    Ok(Some(PracticalSignificance::new(min_effect)?))
}

// Means 10 and 10.5, variance 100, 10,000 per arm: the standard error of the difference is
// sqrt(100/10,000 + 100/10,000) = sqrt(0.02) = 0.141421; Welch's df ≈ 19,998, t ≈ 1.96007, so
// the 95% interval is 0.5 ± 0.27720 = [0.22280, 0.77720] and p ≈ 0.0004.

#[test]
fn the_interval_by_hand() -> TestResult {
    let srm = sample_ratio_mismatch(&[10_000, 10_000], &[0.5, 0.5], SrmConfig::default())?;
    let mut card = Scorecard::builder("test", Analysis::default(), srm);
    card.add(
        MetricSpec::success("projects"),
        "treatment",
        &arm(10.0)?,
        &arm(10.5)?,
    )?;
    let ci = card.build()?.rows[0].outcome.ci;
    // 0.5 ± 1.96007 × 0.141421 (t at df ≈ 19,998 differs from z = 1.95996 by 1e-4).
    assert!((ci.lower - 0.22280).abs() < 1e-4, "{ci:?}");
    assert!((ci.upper - 0.77720).abs() < 1e-4, "{ci:?}");
    Ok(())
}

#[test]
fn a_win_must_clear_the_minimum_effect() -> TestResult {
    let success = || MetricSpec::success("projects");
    assert_eq!(
        decide(success(), 10.0, 10.5, None)?,
        (Decision::Win, VerdictKind::Ship)
    );
    // 0.2228 ≥ 0.2: still a win.
    assert_eq!(decide(success(), 10.0, 10.5, rule(0.2)?)?.0, Decision::Win);
    // 0.2228 < 0.3: significant, but the interval allows effects too small to matter.
    assert_eq!(
        decide(success(), 10.0, 10.5, rule(0.3)?)?,
        (Decision::Inconclusive, VerdictKind::Inconclusive)
    );
    // δ = 0 is the built-in rule.
    assert_eq!(decide(success(), 10.0, 10.5, rule(0.0)?)?.0, Decision::Win);
    Ok(())
}

#[test]
fn lower_is_better_uses_the_upper_bound() -> TestResult {
    let latency = || MetricSpec::success("latency").lower_is_better();
    // 10.5 → 10: the interval is [−0.7772, −0.2228]; −0.2228 ≤ −0.2 but not ≤ −0.3.
    assert_eq!(decide(latency(), 10.5, 10.0, rule(0.2)?)?.0, Decision::Win);
    assert_eq!(
        decide(latency(), 10.5, 10.0, rule(0.3)?)?.0,
        Decision::Inconclusive
    );
    Ok(())
}

#[test]
fn losses_and_noise_are_unchanged() -> TestResult {
    let success = || MetricSpec::success("projects");
    // 10.5 → 10 on a higher-is-better metric: significant and worse.
    assert_eq!(decide(success(), 10.5, 10.0, rule(0.3)?)?.0, Decision::Loss);
    // 10 → 10.1: 0.1 ± 0.2772 contains 0, not significant.
    assert_eq!(
        decide(success(), 10.0, 10.1, rule(0.0)?)?.0,
        Decision::Inconclusive
    );
    Ok(())
}

#[test]
fn guardrails_keep_the_built_in_rule() -> TestResult {
    let guard = || MetricSpec::guardrail("retention");
    // Significantly worse: fails under both rules, whatever δ.
    assert_eq!(
        decide(guard(), 10.5, 10.0, rule(5.0)?)?.0,
        Decision::GuardrailFailed
    );
    assert_eq!(
        decide(guard(), 10.5, 10.0, None)?.0,
        Decision::GuardrailFailed
    );
    assert_eq!(
        decide(guard(), 10.0, 10.1, rule(5.0)?)?.0,
        Decision::GuardrailHeld
    );
    Ok(())
}

#[test]
fn a_bad_minimum_effect_is_a_typed_error() {
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            PracticalSignificance::new(bad),
            Err(ExtensionError::InvalidInput { .. })
        ));
    }
}

proptest! {
    /// Raising the minimum effect can only turn wins into inconclusive results.
    #[test]
    fn wins_shrink_as_the_minimum_effect_grows(
        treatment in 9.0f64..11.0,
        small in 0.0f64..1.0,
        extra in 0.0f64..1.0,
    ) {
        let run = |d: f64| {
            rule(d)
                .and_then(|r| decide(MetricSpec::success("m"), 10.0, treatment, r))
                .map(|x| x.0)
                .map_err(|e| TestCaseError::fail(e.to_string()))
        };
        let (lenient, strict) = (run(small)?, run(small + extra)?);
        if strict == Decision::Win {
            prop_assert_eq!(lenient, Decision::Win);
        }
        if lenient != Decision::Win {
            prop_assert_eq!(lenient, strict);
        }
    }
}
