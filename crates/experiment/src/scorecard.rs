//! The experiment read-out: one scorecard with every metric × variant, corrections over an
//! explicit family, SRM and guardrail status, and a plain-language verdict.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::bayes::MetricDirection;
use crate::config::{Alpha, Interval, Scale};
use crate::error::invalid_input;
use crate::frequentist::{Analysis, TestOutcome};
use crate::moments::Metric;
use crate::multitest::{
    Correction, Family, FamilyMember, FamilyScope, MetricRole, adjust_family, adjusted_interval,
};
use crate::srm::{SrmOutcome, SrmStatus};

/// A metric's place in the read-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetricSpec {
    /// The metric's name.
    pub name: String,
    /// Success, guardrail or secondary.
    pub role: MetricRole,
    /// Whether higher values are better.
    pub direction: MetricDirection,
}

impl MetricSpec {
    /// A success (goal) metric, where higher is better.
    pub fn success(name: impl Into<String>) -> MetricSpec {
        MetricSpec {
            name: name.into(),
            role: MetricRole::Success,
            direction: MetricDirection::HigherIsBetter,
        }
    }

    /// A guardrail metric, where higher is better: it must not get significantly worse.
    pub fn guardrail(name: impl Into<String>) -> MetricSpec {
        MetricSpec {
            name: name.into(),
            role: MetricRole::Guardrail,
            direction: MetricDirection::HigherIsBetter,
        }
    }

    /// A secondary (informational) metric, where higher is better.
    pub fn secondary(name: impl Into<String>) -> MetricSpec {
        MetricSpec {
            name: name.into(),
            role: MetricRole::Secondary,
            direction: MetricDirection::HigherIsBetter,
        }
    }

    /// The same metric with lower values better (latency, churn, errors).
    pub fn lower_is_better(mut self) -> MetricSpec {
        self.direction = MetricDirection::LowerIsBetter;
        self
    }
}

/// The decision for one metric × variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// A significant improvement.
    Win,
    /// A significant deterioration.
    Loss,
    /// No significant change.
    Inconclusive,
    /// A guardrail held: no significant deterioration.
    GuardrailHeld,
    /// A guardrail failed: a significant deterioration.
    GuardrailFailed,
}

/// What a decision rule sees for one metric × variant.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RowContext<'a> {
    /// The metric.
    pub spec: &'a MetricSpec,
    /// The test result.
    pub outcome: &'a TestOutcome,
    /// The p-value after correction, for metrics inside the family.
    pub adjusted_p: Option<f64>,
    /// The interval widened to match the corrected p-value (the same as the scorecard row's),
    /// for metrics inside the family: a rule about effect sizes should use it, not the raw
    /// interval, when several metrics or variants are tested.
    pub adjusted_ci: Option<Interval>,
    /// The significance level.
    pub alpha: Alpha,
}

impl RowContext<'_> {
    /// Whether the estimate moves in the good direction.
    pub fn improves(&self) -> bool {
        match self.spec.direction {
            MetricDirection::HigherIsBetter => self.outcome.estimate > 0.0,
            MetricDirection::LowerIsBetter => self.outcome.estimate < 0.0,
        }
    }
}

/// How a metric × variant becomes a [`Decision`]. Implement it in your own crate to add a
/// rule (a practical-significance threshold, a Bayesian rule) and still get corrections, the
/// scorecard and its rendering.
pub trait DecisionRule {
    /// The decision for one row.
    fn decide(&self, row: &RowContext<'_>) -> Decision;
}

impl<T: DecisionRule + ?Sized> DecisionRule for &T {
    fn decide(&self, row: &RowContext<'_>) -> Decision {
        (**self).decide(row)
    }
}

impl<T: DecisionRule + ?Sized> DecisionRule for Box<T> {
    fn decide(&self, row: &RowContext<'_>) -> Decision {
        (**self).decide(row)
    }
}

/// The default rule: success and secondary metrics win or lose when their (corrected, for
/// metrics in the family) p-value is at most α; guardrails fail on a raw p-value at most α in
/// the bad direction. Guardrails use the raw p-value on purpose: correcting them would make a
/// regression harder to see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignificanceRule;

impl DecisionRule for SignificanceRule {
    fn decide(&self, row: &RowContext<'_>) -> Decision {
        let p = row.adjusted_p.unwrap_or(row.outcome.p_value);
        let significant = p <= row.alpha.get();
        match row.spec.role {
            MetricRole::Guardrail => {
                if row.outcome.p_value <= row.alpha.get() && !row.improves() {
                    Decision::GuardrailFailed
                } else {
                    Decision::GuardrailHeld
                }
            }
            MetricRole::Success | MetricRole::Secondary => match (significant, row.improves()) {
                (true, true) => Decision::Win,
                (true, false) => Decision::Loss,
                (false, _) => Decision::Inconclusive,
            },
        }
    }
}

/// One metric × variant of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScorecardRow {
    /// The metric.
    pub metric: MetricSpec,
    /// The treatment variant compared with control.
    pub variant: String,
    /// The test result.
    pub outcome: TestOutcome,
    /// The corrected p-value, for metrics in the family.
    pub adjusted_p: Option<f64>,
    /// The interval widened to match the corrected p-value (GrowthBook's construction), for
    /// metrics in the family.
    pub adjusted_ci: Option<Interval>,
    /// The decision.
    pub decision: Decision,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VerdictKind {
    /// A sample-ratio mismatch: the results cannot be trusted.
    Invalid,
    /// A success metric won, none lost, and every guardrail held.
    Ship,
    /// A success metric lost or a guardrail failed.
    DoNotShip,
    /// Nothing moved significantly.
    Inconclusive,
}

/// A serde-serializable read-out of one experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Scorecard {
    /// The experiment's name.
    pub experiment: String,
    /// The significance level.
    pub alpha: Alpha,
    /// The correction applied over the family.
    pub correction: Correction,
    /// Which metrics form the family.
    pub family_scope: FamilyScope,
    /// The sample-ratio check.
    pub srm: SrmOutcome,
    /// Every metric × variant.
    pub rows: Vec<ScorecardRow>,
    /// Whether every guardrail held.
    pub guardrails_held: bool,
    /// The verdict.
    pub verdict: VerdictKind,
    /// The verdict in words.
    pub summary: String,
}

/// Collects metric results and builds a [`Scorecard`].
///
/// # Examples
///
/// ```
/// use prodops_experiment::{
///     Analysis, MeanStats, MetricSpec, ProportionStats, Scorecard, SrmConfig, VerdictKind,
///     sample_ratio_mismatch,
/// };
///
/// let srm = sample_ratio_mismatch(&[10_000, 10_050], &[0.5, 0.5], SrmConfig::default())?;
/// let mut card = Scorecard::builder("checkout-redesign", Analysis::default(), srm);
/// card.add(
///     MetricSpec::success("conversion"),
///     "treatment",
///     &ProportionStats::new(10_000, 1_000)?,
///     &ProportionStats::new(10_050, 1_130)?,
/// )?;
/// card.add(
///     MetricSpec::guardrail("latency_ms").lower_is_better(),
///     "treatment",
///     &MeanStats::new(10_000, 2_000_000.0, 10_000.0 * 40_000.0 + 9_999.0 * 2_500.0)?,
///     &MeanStats::new(10_050, 2_010_000.0, 10_050.0 * 40_000.0 + 10_049.0 * 2_500.0)?,
/// )?;
/// let scorecard = card.build()?;
/// assert_eq!(scorecard.verdict, VerdictKind::Ship);
/// assert!(scorecard.to_markdown().contains("| conversion | treatment |"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ScorecardBuilder {
    experiment: String,
    analysis: Analysis,
    srm: SrmOutcome,
    correction: Correction,
    scope: FamilyScope,
    rule: Box<dyn DecisionRule>,
    rows: Vec<(MetricSpec, String, TestOutcome)>,
}

impl Scorecard {
    /// Starts a read-out of `experiment` with the given analysis settings and SRM check. The
    /// defaults: Holm's correction over success metrics only, [`SignificanceRule`].
    pub fn builder(
        experiment: impl Into<String>,
        analysis: Analysis,
        srm: SrmOutcome,
    ) -> ScorecardBuilder {
        ScorecardBuilder {
            experiment: experiment.into(),
            analysis,
            srm,
            correction: Correction::Holm,
            scope: FamilyScope::SuccessMetricsOnly,
            rule: Box::new(SignificanceRule),
            rows: Vec::new(),
        }
    }
}

impl ScorecardBuilder {
    /// The multiple-comparison correction (default Holm).
    pub fn correction(&mut self, correction: Correction) -> &mut Self {
        self.correction = correction;
        self
    }

    /// Which metrics form the family (default success metrics only).
    pub fn family_scope(&mut self, scope: FamilyScope) -> &mut Self {
        self.scope = scope;
        self
    }

    /// The decision rule (default [`SignificanceRule`]).
    pub fn rule(&mut self, rule: impl DecisionRule + 'static) -> &mut Self {
        self.rule = Box::new(rule);
        self
    }

    /// Compares `treatment` (the variant named `variant`) with `control` on one metric.
    ///
    /// # Errors
    ///
    /// Whatever [`Analysis::compare`] returns for these statistics, with the metric named.
    pub fn add(
        &mut self,
        spec: MetricSpec,
        variant: &str,
        control: &impl Metric,
        treatment: &impl Metric,
    ) -> Result<&mut Self, ExperimentError> {
        let outcome = self.analysis.compare(control, treatment).map_err(|e| {
            invalid_input(format!("metric {} ({variant})", spec.name), e.to_string())
        })?;
        self.rows.push((spec, variant.to_owned(), outcome));
        Ok(self)
    }

    /// Adds a result computed elsewhere (a CUPED or sequential analysis, a user's own test).
    pub fn add_outcome(
        &mut self,
        spec: MetricSpec,
        variant: &str,
        outcome: TestOutcome,
    ) -> &mut Self {
        self.rows.push((spec, variant.to_owned(), outcome));
        self
    }

    /// Applies the correction over the family, decides each row and writes the verdict.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidConfig`] when the same metric and variant were added twice.
    pub fn build(&self) -> Result<Scorecard, ExperimentError> {
        let members = self
            .rows
            .iter()
            .map(|(spec, variant, _)| {
                FamilyMember::new(variant.clone(), spec.name.clone(), spec.role)
            })
            .collect();
        let family = Family::new(members, self.scope)?;
        let p_values: Vec<f64> = self.rows.iter().map(|(_, _, o)| o.p_value).collect();
        let adjusted = adjust_family(&family, &p_values, self.correction)?;
        let alpha = self.analysis.alpha();
        let rows: Vec<ScorecardRow> = self
            .rows
            .iter()
            .zip(adjusted)
            .map(|((spec, variant, outcome), adjusted_p)| {
                let adjusted_ci =
                    adjusted_p.map(|p| adjusted_interval(outcome.estimate, outcome.ci, p, alpha));
                let context = RowContext {
                    spec,
                    outcome,
                    adjusted_p,
                    adjusted_ci,
                    alpha,
                };
                ScorecardRow {
                    metric: spec.clone(),
                    variant: variant.clone(),
                    outcome: outcome.clone(),
                    adjusted_p,
                    adjusted_ci,
                    decision: self.rule.decide(&context),
                }
            })
            .collect();
        let guardrails_held = !rows.iter().any(|r| r.decision == Decision::GuardrailFailed);
        let (verdict, summary) = verdict(&self.srm, &rows, guardrails_held);
        Ok(Scorecard {
            experiment: self.experiment.clone(),
            alpha,
            correction: self.correction,
            family_scope: self.scope,
            srm: self.srm.clone(),
            rows,
            guardrails_held,
            verdict,
            summary,
        })
    }
}

fn describe(row: &ScorecardRow) -> String {
    let o = &row.outcome;
    match o.scale {
        Scale::Relative => format!(
            "{} {:+.2}% ({})",
            row.metric.name,
            100.0 * o.estimate,
            row.variant
        ),
        Scale::Absolute => format!("{} {:+.4} ({})", row.metric.name, o.estimate, row.variant),
    }
}

fn verdict(
    srm: &SrmOutcome,
    rows: &[ScorecardRow],
    guardrails_held: bool,
) -> (VerdictKind, String) {
    if srm.status == SrmStatus::Mismatch {
        return (
            VerdictKind::Invalid,
            format!(
                "Do not use these results: the arms' sizes do not match the planned allocation (SRM p = {:.2e}). Find the cause in assignment or logging first.",
                srm.p_value
            ),
        );
    }
    let named = |d: Decision| {
        rows.iter()
            .filter(|r| r.decision == d)
            .map(describe)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !guardrails_held {
        return (
            VerdictKind::DoNotShip,
            format!(
                "Do not ship: guardrail regressed: {}.",
                named(Decision::GuardrailFailed)
            ),
        );
    }
    let losses = named(Decision::Loss);
    let wins = named(Decision::Win);
    let success_loss = rows
        .iter()
        .any(|r| r.decision == Decision::Loss && r.metric.role == MetricRole::Success);
    let success_win = rows
        .iter()
        .any(|r| r.decision == Decision::Win && r.metric.role == MetricRole::Success);
    if success_loss {
        return (
            VerdictKind::DoNotShip,
            format!("Do not ship: significant loss on {losses}."),
        );
    }
    if success_win {
        return (
            VerdictKind::Ship,
            format!("Ship: significant improvement on {wins}; every guardrail held."),
        );
    }
    (
        VerdictKind::Inconclusive,
        "Inconclusive: no success metric moved significantly. Keep running if the planned sample is not reached, or treat the effect as smaller than the experiment could detect.".to_owned(),
    )
}

fn fmt_num(x: f64) -> String {
    if x.is_infinite() {
        if x > 0.0 {
            "∞".to_owned()
        } else {
            "−∞".to_owned()
        }
    } else if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}

fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// Escapes the characters that would break a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl Scorecard {
    /// The scorecard as Markdown: the verdict, the SRM check, then one table row per
    /// metric × variant.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## Experiment `{}`\n", cell(&self.experiment));
        let _ = writeln!(out, "**Verdict: {:?}.** {}\n", self.verdict, self.summary);
        let srm = &self.srm;
        let shares: Vec<String> = srm
            .observed_shares
            .iter()
            .zip(&srm.expected_shares)
            .map(|(o, e)| format!("{:.2}% (planned {:.2}%)", 100.0 * o, 100.0 * e))
            .collect();
        let _ = writeln!(
            out,
            "Sample ratio: {:?}, χ² p = {}; shares {}.\n",
            srm.status,
            fmt_p(srm.p_value),
            shares.join(", ")
        );
        let _ = writeln!(
            out,
            "α = {}, correction {:?} over {:?}. Intervals are {:.0}% confidence intervals.\n",
            self.alpha.get(),
            self.correction,
            self.family_scope,
            100.0 * self.alpha.confidence()
        );
        out.push_str("| metric | variant | role | control | treatment | effect | CI | p | adjusted p | decision |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for r in &self.rows {
            let o = &r.outcome;
            let (effect, ci) = match o.scale {
                Scale::Relative => (
                    format!("{:+.2}%", 100.0 * o.estimate),
                    format!(
                        "[{}%, {}%]",
                        fmt_num(100.0 * o.ci.lower),
                        fmt_num(100.0 * o.ci.upper)
                    ),
                ),
                Scale::Absolute => (
                    fmt_num(o.estimate),
                    format!("[{}, {}]", fmt_num(o.ci.lower), fmt_num(o.ci.upper)),
                ),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {:?} | {} | {} | {} | {} | {} | {} | {:?} |",
                cell(&r.metric.name),
                cell(&r.variant),
                r.metric.role,
                fmt_num(o.control_mean),
                fmt_num(o.treatment_mean),
                effect,
                ci,
                fmt_p(o.p_value),
                r.adjusted_p.map_or_else(|| "–".to_owned(), fmt_p),
                r.decision
            );
        }
        out
    }
}
