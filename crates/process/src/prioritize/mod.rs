//! Prioritization frameworks behind one trait, with a deterministic ranking and a sensitivity
//! check.
//!
//! | framework | input | score |
//! |---|---|---|
//! | [`Rice`] (Intercom) | [`RiceInput`] | reach × impact × confidence ÷ effort |
//! | [`Ice`] (Sean Ellis) | [`IceInput`] | impact × confidence × ease, or their mean |
//! | [`Wsjf`] (SAFe) | [`WsjfInput`] | (business value + time criticality + risk reduction/opportunity enablement) ÷ job size |
//! | [`Kano`] (Kano 1984; Berger et al. 1993) | [`KanoInput`] | category, then better − worse |
//! | [`Moscow`] (DSDM) | [`MoscowInput`] | must 4, should 3, could 2, won't 1 |
//! | [`Weighted`] (scorecards) | [`WeightedInput`] | Σ weightᵢ × scoreᵢ (optionally ÷ Σ weightᵢ) |
//! | [`Opportunity`] (Ulwick) | [`OpportunityInput`] | importance + max(importance − satisfaction, 0) |
//!
//! [`rank`] orders items by score, highest first; equal scores are ordered by item id
//! (byte-wise ascending), so the result does not depend on the input order, and tied items share
//! a competition rank ("1, 2, 2, 4"). [`sensitivity`] moves every numeric input of every item by
//! ±x% (as [`Prioritizer::perturb`] defines) and reports whether the top item changes and how
//! far each item can move when any single input moves.
//!
//! Reach is a plain count, so it can come straight from another tool's demand estimate (for
//! example the number of accounts asking for a feature).
//!
//! A user framework implements [`Prioritizer::score`] (and optionally `perturb` and `name`) and
//! gets ranking and sensitivity for free.

mod frameworks;
mod kano;

use std::cmp::Ordering;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::ProcessError;

pub use frameworks::{
    FIBONACCI, IMPACT_HIGH, IMPACT_LOW, IMPACT_MASSIVE, IMPACT_MEDIUM, IMPACT_MINIMAL, Ice,
    IceCombination, IceInput, Moscow, MoscowBudget, MoscowInput, MoscowPriority, Opportunity,
    OpportunityInput, Quadrant, Rice, RiceInput, Weighted, WeightedInput, Wsjf, WsjfInput,
    moscow_budget, value_effort_quadrant,
};
pub use kano::{Kano, KanoAnswer, KanoCategory, KanoInput, KanoResult, classify, evaluate};

/// Why an input cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputError {
    /// The input, such as `"effort"`.
    pub what: String,
    /// Why it is rejected, such as `"must be positive, got 0"`.
    pub reason: String,
}

impl InputError {
    /// An input error.
    pub fn new(what: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

/// A prioritization framework: turns an item's inputs into a score (higher is better).
pub trait Prioritizer {
    /// The inputs of one item.
    type Input;

    /// The item's score; finite.
    ///
    /// # Errors
    /// An [`InputError`] naming the input out of its domain.
    fn score(&self, input: &Self::Input) -> Result<f64, InputError>;

    /// A short name for reports.
    fn name(&self) -> &str {
        "custom"
    }

    /// Copies of `input` with one numeric input moved by `+fraction` or `−fraction` (relative),
    /// each labelled, for [`sensitivity`]. The default has none, so the framework is reported
    /// as insensitive.
    fn perturb(&self, input: &Self::Input, fraction: f64) -> Vec<(String, Self::Input)> {
        let _ = (input, fraction);
        Vec::new()
    }
}

impl<P: Prioritizer + ?Sized> Prioritizer for &P {
    type Input = P::Input;
    fn score(&self, input: &Self::Input) -> Result<f64, InputError> {
        (**self).score(input)
    }
    fn name(&self) -> &str {
        (**self).name()
    }
    fn perturb(&self, input: &Self::Input, fraction: f64) -> Vec<(String, Self::Input)> {
        (**self).perturb(input, fraction)
    }
}

impl<P: Prioritizer + ?Sized> Prioritizer for Box<P> {
    type Input = P::Input;
    fn score(&self, input: &Self::Input) -> Result<f64, InputError> {
        (**self).score(input)
    }
    fn name(&self) -> &str {
        (**self).name()
    }
    fn perturb(&self, input: &Self::Input, fraction: f64) -> Vec<(String, Self::Input)> {
        (**self).perturb(input, fraction)
    }
}

/// An item to rank: an id and the framework's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item<I> {
    /// Unique id, also the tie-breaker.
    pub id: String,
    /// Inputs.
    pub input: I,
}

impl<I> Item<I> {
    /// An item.
    pub fn new(id: impl Into<String>, input: I) -> Self {
        Item {
            id: id.into(),
            input,
        }
    }
}

/// One ranked item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ranked {
    /// Item id.
    pub id: String,
    /// Score.
    pub score: f64,
    /// Competition rank: 1 + the number of items with a strictly higher score.
    pub rank: usize,
}

/// Items in priority order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ranking {
    /// The framework's name.
    pub method: String,
    /// Highest score first; ties by id.
    pub entries: Vec<Ranked>,
}

impl Ranking {
    /// The first item, if any.
    pub fn top(&self) -> Option<&Ranked> {
        self.entries.first()
    }

    /// Ids in order.
    pub fn ids(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.id.as_str()).collect()
    }
}

fn order(a_score: f64, a_id: &str, b_score: f64, b_id: &str) -> Ordering {
    b_score.total_cmp(&a_score).then_with(|| a_id.cmp(b_id))
}

fn checked_score<P: Prioritizer>(p: &P, id: &str, input: &P::Input) -> Result<f64, ProcessError> {
    let s = p.score(input).map_err(|e| ProcessError::Score {
        item: id.to_owned(),
        what: e.what,
        reason: e.reason,
    })?;
    if s.is_finite() {
        Ok(s)
    } else {
        Err(ProcessError::Score {
            item: id.to_owned(),
            what: "score".into(),
            reason: format!("is not finite ({s})"),
        })
    }
}

/// Scores and orders items.
///
/// # Errors
/// [`ProcessError::Score`] for the first item whose inputs are rejected (naming it), or
/// [`ProcessError::DuplicateItem`].
///
/// # Examples
/// ```
/// use prodops_process::prioritize::{rank, Item, Rice, RiceInput, IMPACT_HIGH, IMPACT_MASSIVE};
/// let items = vec![
///     Item::new("sso", RiceInput::new(2000.0, IMPACT_HIGH, 0.8, 4.0)),
///     Item::new("export", RiceInput::new(500.0, IMPACT_MASSIVE, 1.0, 1.0)),
/// ];
/// let ranking = rank(&Rice::default(), &items)?;
/// // sso: 2000 × 2 × 0.8 / 4 = 800; export: 500 × 3 × 1 / 1 = 1500.
/// assert_eq!(ranking.ids(), ["export", "sso"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rank<P: Prioritizer>(p: &P, items: &[Item<P::Input>]) -> Result<Ranking, ProcessError> {
    let mut ids = HashSet::with_capacity(items.len());
    for it in items {
        if !ids.insert(it.id.as_str()) {
            return Err(ProcessError::DuplicateItem(it.id.clone()));
        }
    }
    let mut scored: Vec<(f64, &str)> = Vec::with_capacity(items.len());
    for it in items {
        scored.push((checked_score(p, &it.id, &it.input)?, &it.id));
    }
    scored.sort_unstable_by(|a, b| order(a.0, a.1, b.0, b.1));
    let mut entries: Vec<Ranked> = Vec::with_capacity(scored.len());
    for (i, (score, id)) in scored.iter().enumerate() {
        let rank = match entries.last() {
            Some(prev) if score.total_cmp(&prev.score) == Ordering::Equal => prev.rank,
            _ => i + 1,
        };
        entries.push(Ranked {
            id: (*id).to_owned(),
            score: *score,
            rank,
        });
    }
    Ok(Ranking {
        method: p.name().to_owned(),
        entries,
    })
}

/// A perturbation that makes another item the top one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TopChange {
    /// The item whose input moved.
    pub item: String,
    /// The perturbation's label, such as `"effort +10%"`.
    pub change: String,
    /// The item that becomes the top one.
    pub new_top: String,
}

/// How far one item's position can move when any single input (its own or another item's)
/// moves by ±x%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ItemSensitivity {
    /// Item id.
    pub id: String,
    /// Position in the ranking (1-based).
    pub position: usize,
    /// Best position reached.
    pub best_position: usize,
    /// Worst position reached.
    pub worst_position: usize,
}

impl ItemSensitivity {
    /// Whether no perturbation moves the item.
    pub fn is_stable(&self) -> bool {
        self.best_position == self.position && self.worst_position == self.position
    }
}

/// The result of [`sensitivity`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sensitivity {
    /// The relative change applied, such as 0.1 for ±10%.
    pub fraction: f64,
    /// The ranking without perturbation.
    pub ranking: Ranking,
    /// Perturbations that change the top item (empty when the top is robust).
    pub top_changes: Vec<TopChange>,
    /// Per item, in ranking order.
    pub items: Vec<ItemSensitivity>,
}

impl Sensitivity {
    /// Whether any single ±x% change of one input changes the top item.
    pub fn top_is_sensitive(&self) -> bool {
        !self.top_changes.is_empty()
    }
}

/// Moves each numeric input of each item, one at a time, by ±`fraction` and re-ranks.
///
/// Cost: one score per perturbation and a binary search, so O(n·k·log n) for n items with k
/// inputs each, plus O(n) to collect the positions shifted by other items' moves.
///
/// # Errors
/// [`ProcessError::Config`] unless `0 < fraction < 1`; otherwise as [`rank`], also for a
/// perturbed input the framework rejects.
pub fn sensitivity<P: Prioritizer>(
    p: &P,
    items: &[Item<P::Input>],
    fraction: f64,
) -> Result<Sensitivity, ProcessError> {
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(ProcessError::Config {
            what: "sensitivity fraction".into(),
            reason: format!("must be in (0, 1), got {fraction}"),
        });
    }
    let ranking = rank(p, items)?;
    let entries = &ranking.entries;
    let position: std::collections::HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let mut top_changes = Vec::new();
    let mut per_item: Vec<ItemSensitivity> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| ItemSensitivity {
            id: e.id.clone(),
            position: i + 1,
            best_position: i + 1,
            worst_position: i + 1,
        })
        .collect();
    // When one item moves from position p to q, every item in between shifts by one place:
    // down when it moves up past them, up when it falls below them. Difference arrays record
    // which positions some perturbation shifts, in O(1) per perturbation.
    let n = entries.len();
    let mut pushed_down = vec![0i64; n + 1];
    let mut pulled_up = vec![0i64; n + 1];
    for it in items {
        let Some(&orig) = position.get(it.id.as_str()) else {
            continue;
        };
        for (label, perturbed) in p.perturb(&it.input, fraction) {
            let s = checked_score(p, &it.id, &perturbed)?;
            // Items that sort before the perturbed one, not counting itself.
            let before =
                entries.partition_point(|e| order(e.score, &e.id, s, &it.id) == Ordering::Less);
            let new_pos = if orig < before { before - 1 } else { before };
            if new_pos < orig {
                pushed_down[new_pos] += 1;
                pushed_down[orig] -= 1;
            } else if new_pos > orig {
                pulled_up[orig + 1] += 1;
                pulled_up[new_pos + 1] -= 1;
            }
            let slot = &mut per_item[orig];
            slot.best_position = slot.best_position.min(new_pos + 1);
            slot.worst_position = slot.worst_position.max(new_pos + 1);
            let new_top = if new_pos == 0 {
                it.id.as_str()
            } else if orig == 0 {
                entries.get(1).map_or(it.id.as_str(), |e| e.id.as_str())
            } else {
                entries[0].id.as_str()
            };
            if new_top != entries[0].id {
                top_changes.push(TopChange {
                    item: it.id.clone(),
                    change: label,
                    new_top: new_top.to_owned(),
                });
            }
        }
    }
    let (mut down, mut up) = (0i64, 0i64);
    for (r, slot) in per_item.iter_mut().enumerate() {
        down += pushed_down[r];
        up += pulled_up[r];
        if down > 0 {
            slot.worst_position = slot.worst_position.max(r + 2);
        }
        if up > 0 {
            slot.best_position = slot.best_position.min(r);
        }
    }
    Ok(Sensitivity {
        fraction,
        ranking,
        top_changes,
        items: per_item,
    })
}

/// `value × (1 ± fraction)` labelled, the usual perturbation of a positive input.
pub(crate) fn plus_minus(name: &str, value: f64, fraction: f64) -> [(String, f64); 2] {
    let pct = fraction * 100.0;
    [
        (format!("{name} +{pct}%"), value * (1.0 + fraction)),
        (format!("{name} -{pct}%"), value * (1.0 - fraction)),
    ]
}
