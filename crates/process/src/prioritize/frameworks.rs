//! RICE, ICE, WSJF, MoSCoW, weighted scoring, opportunity scoring and value-vs-effort quadrants.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{InputError, Item, Prioritizer, plus_minus};
use crate::error::ProcessError;
use crate::suggest::did_you_mean;

fn finite(what: &str, v: f64) -> Result<f64, InputError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(InputError::new(what, format!("must be finite, got {v}")))
    }
}

fn positive(what: &str, v: f64) -> Result<f64, InputError> {
    if finite(what, v)? > 0.0 {
        Ok(v)
    } else {
        Err(InputError::new(what, format!("must be positive, got {v}")))
    }
}

fn in_range(what: &str, v: f64, lo: f64, hi: f64) -> Result<f64, InputError> {
    if (lo..=hi).contains(&finite(what, v)?) {
        Ok(v)
    } else {
        Err(InputError::new(
            what,
            format!("must be in [{lo}, {hi}], got {v}"),
        ))
    }
}

/// Intercom impact "massive".
pub const IMPACT_MASSIVE: f64 = 3.0;
/// Intercom impact "high".
pub const IMPACT_HIGH: f64 = 2.0;
/// Intercom impact "medium".
pub const IMPACT_MEDIUM: f64 = 1.0;
/// Intercom impact "low".
pub const IMPACT_LOW: f64 = 0.5;
/// Intercom impact "minimal".
pub const IMPACT_MINIMAL: f64 = 0.25;

const IMPACT_SCALE: [f64; 5] = [
    IMPACT_MASSIVE,
    IMPACT_HIGH,
    IMPACT_MEDIUM,
    IMPACT_LOW,
    IMPACT_MINIMAL,
];
const CONFIDENCE_SCALE: [f64; 3] = [1.0, 0.8, 0.5];

/// RICE inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiceInput {
    /// People or events per period (≥ 0), such as accounts asking per quarter.
    pub reach: f64,
    /// Impact per person: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal.
    pub impact: f64,
    /// Confidence in (0, 1]: 1 high, 0.8 medium, 0.5 low.
    pub confidence: f64,
    /// Person-months (> 0).
    pub effort: f64,
}

impl RiceInput {
    /// RICE inputs (checked when scored).
    pub fn new(reach: f64, impact: f64, confidence: f64, effort: f64) -> Self {
        RiceInput {
            reach,
            impact,
            confidence,
            effort,
        }
    }
}

/// RICE (Intercom): reach × impact × confidence ÷ effort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rice {
    strict: bool,
}

impl Rice {
    /// Accepts only Intercom's scales: impact in {3, 2, 1, 0.5, 0.25}, confidence in
    /// {100%, 80%, 50%}. Sensitivity then moves only reach and effort.
    pub fn strict() -> Self {
        Rice { strict: true }
    }
}

impl Prioritizer for Rice {
    type Input = RiceInput;

    fn score(&self, x: &RiceInput) -> Result<f64, InputError> {
        let reach = finite("reach", x.reach)?;
        if reach < 0.0 {
            return Err(InputError::new(
                "reach",
                format!("must not be negative, got {reach}"),
            ));
        }
        let impact = positive("impact", x.impact)?;
        let confidence = positive("confidence", x.confidence)?;
        if confidence > 1.0 {
            return Err(InputError::new(
                "confidence",
                format!("is a fraction in (0, 1], got {confidence}"),
            ));
        }
        let effort = positive("effort", x.effort)?;
        if self.strict {
            if !IMPACT_SCALE.contains(&impact) {
                return Err(InputError::new(
                    "impact",
                    format!("must be one of 3, 2, 1, 0.5, 0.25, got {impact}"),
                ));
            }
            if !CONFIDENCE_SCALE.contains(&confidence) {
                return Err(InputError::new(
                    "confidence",
                    format!("must be one of 1, 0.8, 0.5, got {confidence}"),
                ));
            }
        }
        Ok(reach * impact * confidence / effort)
    }

    fn name(&self) -> &str {
        "RICE"
    }

    fn perturb(&self, x: &RiceInput, f: f64) -> Vec<(String, RiceInput)> {
        let mut out = Vec::new();
        for (l, v) in plus_minus("reach", x.reach, f) {
            out.push((l, RiceInput { reach: v, ..*x }));
        }
        for (l, v) in plus_minus("effort", x.effort, f) {
            out.push((l, RiceInput { effort: v, ..*x }));
        }
        if !self.strict {
            for (l, v) in plus_minus("impact", x.impact, f) {
                out.push((l, RiceInput { impact: v, ..*x }));
            }
            for (l, v) in plus_minus("confidence", x.confidence, f) {
                out.push((
                    l,
                    RiceInput {
                        confidence: v.min(1.0),
                        ..*x
                    },
                ));
            }
        }
        out
    }
}

/// ICE inputs, each on 1–10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IceInput {
    /// Impact (1–10).
    pub impact: f64,
    /// Confidence (1–10).
    pub confidence: f64,
    /// Ease (1–10).
    pub ease: f64,
}

/// How ICE combines its three inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum IceCombination {
    /// impact × confidence × ease (1–1000), as Sean Ellis proposed.
    #[default]
    Product,
    /// (impact + confidence + ease) / 3 (1–10), as some teams use.
    Mean,
}

/// ICE (Sean Ellis): impact, confidence and ease on 1–10, multiplied or averaged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ice {
    /// The combination.
    pub combination: IceCombination,
}

impl Prioritizer for Ice {
    type Input = IceInput;

    fn score(&self, x: &IceInput) -> Result<f64, InputError> {
        let i = in_range("impact", x.impact, 1.0, 10.0)?;
        let c = in_range("confidence", x.confidence, 1.0, 10.0)?;
        let e = in_range("ease", x.ease, 1.0, 10.0)?;
        Ok(match self.combination {
            IceCombination::Product => i * c * e,
            IceCombination::Mean => (i + c + e) / 3.0,
        })
    }

    fn name(&self) -> &str {
        "ICE"
    }

    fn perturb(&self, x: &IceInput, f: f64) -> Vec<(String, IceInput)> {
        let clamp = |v: f64| v.clamp(1.0, 10.0);
        let mut out = Vec::new();
        for (l, v) in plus_minus("impact", x.impact, f) {
            out.push((
                l,
                IceInput {
                    impact: clamp(v),
                    ..*x
                },
            ));
        }
        for (l, v) in plus_minus("confidence", x.confidence, f) {
            out.push((
                l,
                IceInput {
                    confidence: clamp(v),
                    ..*x
                },
            ));
        }
        for (l, v) in plus_minus("ease", x.ease, f) {
            out.push((
                l,
                IceInput {
                    ease: clamp(v),
                    ..*x
                },
            ));
        }
        out
    }
}

/// SAFe's modified Fibonacci scale for relative estimates.
pub const FIBONACCI: [f64; 7] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0];

/// WSJF inputs: relative estimates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WsjfInput {
    /// User-business value.
    pub business_value: f64,
    /// Time criticality.
    pub time_criticality: f64,
    /// Risk reduction and/or opportunity enablement.
    pub risk_reduction: f64,
    /// Job size (duration proxy), > 0.
    pub job_size: f64,
}

/// WSJF (SAFe): cost of delay ÷ job size, where cost of delay = business value + time
/// criticality + risk reduction / opportunity enablement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wsjf {
    strict: bool,
}

impl Wsjf {
    /// Requires every input on the modified Fibonacci scale 1, 2, 3, 5, 8, 13, 20 (sensitivity
    /// then has nothing to move: scale values do not move by percentages).
    pub fn fibonacci() -> Self {
        Wsjf { strict: true }
    }
}

impl Prioritizer for Wsjf {
    type Input = WsjfInput;

    fn score(&self, x: &WsjfInput) -> Result<f64, InputError> {
        let fields = [
            ("business value", x.business_value),
            ("time criticality", x.time_criticality),
            ("risk reduction", x.risk_reduction),
        ];
        let mut cod = 0.0;
        for (name, v) in fields {
            if finite(name, v)? < 0.0 {
                return Err(InputError::new(
                    name,
                    format!("must not be negative, got {v}"),
                ));
            }
            cod += v;
        }
        let size = positive("job size", x.job_size)?;
        if self.strict {
            for (name, v) in fields.into_iter().chain([("job size", size)]) {
                if !FIBONACCI.contains(&v) {
                    return Err(InputError::new(
                        name,
                        format!("must be one of 1, 2, 3, 5, 8, 13, 20, got {v}"),
                    ));
                }
            }
        }
        Ok(cod / size)
    }

    fn name(&self) -> &str {
        "WSJF"
    }

    fn perturb(&self, x: &WsjfInput, f: f64) -> Vec<(String, WsjfInput)> {
        if self.strict {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (l, v) in plus_minus("business value", x.business_value, f) {
            out.push((
                l,
                WsjfInput {
                    business_value: v,
                    ..*x
                },
            ));
        }
        for (l, v) in plus_minus("time criticality", x.time_criticality, f) {
            out.push((
                l,
                WsjfInput {
                    time_criticality: v,
                    ..*x
                },
            ));
        }
        for (l, v) in plus_minus("risk reduction", x.risk_reduction, f) {
            out.push((
                l,
                WsjfInput {
                    risk_reduction: v,
                    ..*x
                },
            ));
        }
        for (l, v) in plus_minus("job size", x.job_size, f) {
            out.push((l, WsjfInput { job_size: v, ..*x }));
        }
        out
    }
}

/// A MoSCoW category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoscowPriority {
    /// Must have.
    Must,
    /// Should have.
    Should,
    /// Could have.
    Could,
    /// Won't have this time.
    Wont,
}

/// MoSCoW inputs: the category and the effort (for the DSDM effort guideline).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MoscowInput {
    /// Category.
    pub priority: MoscowPriority,
    /// Effort in any consistent unit (≥ 0).
    pub effort: f64,
}

/// MoSCoW (DSDM): must 4, should 3, could 2, won't 1; ties (the whole category) by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moscow;

impl Prioritizer for Moscow {
    type Input = MoscowInput;

    fn score(&self, x: &MoscowInput) -> Result<f64, InputError> {
        if finite("effort", x.effort)? < 0.0 {
            return Err(InputError::new(
                "effort",
                format!("must not be negative, got {}", x.effort),
            ));
        }
        Ok(match x.priority {
            MoscowPriority::Must => 4.0,
            MoscowPriority::Should => 3.0,
            MoscowPriority::Could => 2.0,
            MoscowPriority::Wont => 1.0,
        })
    }

    fn name(&self) -> &str {
        "MoSCoW"
    }
}

/// The share of effort in "must", against DSDM's guideline of at most about 60%.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MoscowBudget {
    /// Effort of the musts.
    pub must_effort: f64,
    /// Effort of everything planned (musts, shoulds and coulds; won'ts are out of the plan).
    pub planned_effort: f64,
    /// must ÷ planned.
    pub must_share: f64,
    /// Whether the share is at most 60%.
    pub within_guideline: bool,
}

/// DSDM's guideline: musts take no more than about 60% of the planned effort.
const MUST_SHARE_GUIDELINE: f64 = 0.6;

/// The effort share of musts in a MoSCoW plan.
///
/// # Errors
/// [`ProcessError::Score`] for a negative or non-finite effort; [`ProcessError::Config`] when
/// the planned effort is zero.
pub fn moscow_budget(items: &[Item<MoscowInput>]) -> Result<MoscowBudget, ProcessError> {
    let (mut must, mut planned) = (0.0, 0.0);
    for it in items {
        Moscow.score(&it.input).map_err(|e| ProcessError::Score {
            item: it.id.clone(),
            what: e.what,
            reason: e.reason,
        })?;
        match it.input.priority {
            MoscowPriority::Must => {
                must += it.input.effort;
                planned += it.input.effort;
            }
            MoscowPriority::Should | MoscowPriority::Could => planned += it.input.effort,
            MoscowPriority::Wont => {}
        }
    }
    if planned <= 0.0 {
        return Err(ProcessError::Config {
            what: "MoSCoW plan".into(),
            reason: "no effort is planned, so the must share is undefined".into(),
        });
    }
    let share = must / planned;
    Ok(MoscowBudget {
        must_effort: must,
        planned_effort: planned,
        must_share: share,
        within_guideline: share <= MUST_SHARE_GUIDELINE,
    })
}

/// Scores per criterion name.
pub type WeightedInput = BTreeMap<String, f64>;

/// Weighted scoring with user-defined criteria: Σ weightᵢ × scoreᵢ, divided by Σ weightᵢ when
/// normalized (so the result stays on the criteria's scale).
#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    criteria: Vec<(String, f64)>,
    normalize: bool,
}

impl Weighted {
    /// Criteria with weights.
    ///
    /// # Errors
    /// [`ProcessError::Config`] for no criteria, a duplicate name, a negative or non-finite
    /// weight, or weights that sum to zero.
    ///
    /// # Examples
    /// ```
    /// use prodops_process::prioritize::{Prioritizer, Weighted};
    /// let w = Weighted::new([("revenue", 3.0), ("strategy", 2.0), ("cost", 1.0)], true)?;
    /// let item = [("revenue".to_owned(), 8.0), ("strategy".to_owned(), 5.0), ("cost".to_owned(), 2.0)].into();
    /// // (3·8 + 2·5 + 1·2) / 6 = 36 / 6 = 6
    /// assert_eq!(w.score(&item).map_err(|e| e.reason)?, 6.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new<S: Into<String>>(
        criteria: impl IntoIterator<Item = (S, f64)>,
        normalize: bool,
    ) -> Result<Self, ProcessError> {
        let criteria: Vec<(String, f64)> =
            criteria.into_iter().map(|(n, w)| (n.into(), w)).collect();
        let bad = |reason: String| ProcessError::Config {
            what: "weighted scoring criteria".into(),
            reason,
        };
        if criteria.is_empty() {
            return Err(bad("no criteria".into()));
        }
        let mut sum = 0.0;
        for (i, (name, w)) in criteria.iter().enumerate() {
            if criteria[..i].iter().any(|(n, _)| n == name) {
                return Err(bad(format!("criterion `{name}` is listed twice")));
            }
            if !w.is_finite() || *w < 0.0 {
                return Err(bad(format!(
                    "weight of `{name}` must be finite and non-negative, got {w}"
                )));
            }
            sum += w;
        }
        if sum <= 0.0 {
            return Err(bad("weights sum to zero".into()));
        }
        Ok(Weighted {
            criteria,
            normalize,
        })
    }
}

impl Prioritizer for Weighted {
    type Input = WeightedInput;

    fn score(&self, x: &WeightedInput) -> Result<f64, InputError> {
        for name in x.keys() {
            if !self.criteria.iter().any(|(n, _)| n == name) {
                let hint = did_you_mean(name, self.criteria.iter().map(|(n, _)| n.as_str()));
                return Err(InputError::new(
                    name.clone(),
                    format!(
                        "is not a criterion{}",
                        hint.map(|h| format!(" ({h})")).unwrap_or_default()
                    ),
                ));
            }
        }
        let (mut total, mut weights) = (0.0, 0.0);
        for (name, w) in &self.criteria {
            let s = x
                .get(name)
                .ok_or_else(|| InputError::new(name.clone(), "has no score"))?;
            total += w * finite(name, *s)?;
            weights += w;
        }
        Ok(if self.normalize {
            total / weights
        } else {
            total
        })
    }

    fn name(&self) -> &str {
        "weighted"
    }

    fn perturb(&self, x: &WeightedInput, f: f64) -> Vec<(String, WeightedInput)> {
        let mut out = Vec::new();
        for (name, v) in x {
            for (l, nv) in plus_minus(name, *v, f) {
                let mut y = x.clone();
                y.insert(name.clone(), nv);
                out.push((l, y));
            }
        }
        out
    }
}

/// Opportunity-scoring inputs on 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpportunityInput {
    /// Importance (0–10).
    pub importance: f64,
    /// Satisfaction (0–10).
    pub satisfaction: f64,
}

impl OpportunityInput {
    /// Importance and satisfaction from 1–5 ratings: the share of respondents answering 4 or 5,
    /// times 10 (Ulwick's top-two-box convention).
    ///
    /// # Errors
    /// [`ProcessError::Config`] for an empty list or a rating outside 1–5.
    ///
    /// # Examples
    /// ```
    /// use prodops_process::prioritize::OpportunityInput;
    /// // 8 of 10 rate importance 4–5 → 8.0; 3 of 10 are satisfied → 3.0.
    /// let x = OpportunityInput::from_ratings(&[5, 5, 4, 4, 4, 5, 4, 5, 2, 3], &[4, 5, 4, 1, 2, 3, 2, 3, 1, 2])?;
    /// assert_eq!((x.importance, x.satisfaction), (8.0, 3.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_ratings(importance: &[u8], satisfaction: &[u8]) -> Result<Self, ProcessError> {
        let top_two = |what: &str, r: &[u8]| -> Result<f64, ProcessError> {
            if r.is_empty() {
                return Err(ProcessError::Config {
                    what: what.into(),
                    reason: "no ratings".into(),
                });
            }
            if let Some(bad) = r.iter().find(|x| !(1..=5).contains(*x)) {
                return Err(ProcessError::Config {
                    what: what.into(),
                    reason: format!("rating {bad} is outside 1–5"),
                });
            }
            Ok(10.0 * r.iter().filter(|x| **x >= 4).count() as f64 / r.len() as f64)
        };
        Ok(OpportunityInput {
            importance: top_two("importance ratings", importance)?,
            satisfaction: top_two("satisfaction ratings", satisfaction)?,
        })
    }
}

/// Opportunity scoring (Ulwick, outcome-driven innovation): importance + max(importance −
/// satisfaction, 0), on 0–20.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opportunity;

impl Prioritizer for Opportunity {
    type Input = OpportunityInput;

    fn score(&self, x: &OpportunityInput) -> Result<f64, InputError> {
        let i = in_range("importance", x.importance, 0.0, 10.0)?;
        let s = in_range("satisfaction", x.satisfaction, 0.0, 10.0)?;
        Ok(i + (i - s).max(0.0))
    }

    fn name(&self) -> &str {
        "opportunity"
    }

    fn perturb(&self, x: &OpportunityInput, f: f64) -> Vec<(String, OpportunityInput)> {
        let clamp = |v: f64| v.clamp(0.0, 10.0);
        let mut out = Vec::new();
        for (l, v) in plus_minus("importance", x.importance, f) {
            out.push((
                l,
                OpportunityInput {
                    importance: clamp(v),
                    ..*x
                },
            ));
        }
        for (l, v) in plus_minus("satisfaction", x.satisfaction, f) {
            out.push((
                l,
                OpportunityInput {
                    satisfaction: clamp(v),
                    ..*x
                },
            ));
        }
        out
    }
}

/// A value-versus-effort quadrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Quadrant {
    /// High value, low effort.
    QuickWin,
    /// High value, high effort.
    BigBet,
    /// Low value, low effort.
    FillIn,
    /// Low value, high effort.
    MoneyPit,
}

/// The quadrant of an item: value is high when `value >= value_threshold`, effort is high when
/// `effort >= effort_threshold` (thresholds are the caller's, often the medians).
pub fn value_effort_quadrant(
    value: f64,
    effort: f64,
    value_threshold: f64,
    effort_threshold: f64,
) -> Quadrant {
    match (value >= value_threshold, effort >= effort_threshold) {
        (true, false) => Quadrant::QuickWin,
        (true, true) => Quadrant::BigBet,
        (false, false) => Quadrant::FillIn,
        (false, true) => Quadrant::MoneyPit,
    }
}
