//! The Kano model: classification of functional/dysfunctional answer pairs with the standard
//! evaluation table, the category per feature, and the better/worse coefficients.
//!
//! Evaluation table (Berger et al. 1993), rows the answer to the functional question ("if the
//! product has X"), columns the answer to the dysfunctional one ("if it does not"):
//!
//! | functional \ dysfunctional | like | expect | neutral | live with | dislike |
//! |---|---|---|---|---|---|
//! | like | Q | A | A | A | O |
//! | expect | R | I | I | I | M |
//! | neutral | R | I | I | I | M |
//! | live with | R | I | I | I | M |
//! | dislike | R | R | R | R | Q |
//!
//! A feature's category is the most frequent one among its respondents. **Tie rule:** when
//! categories are equally frequent, the first in the order M > O > A > I > R > Q wins, the
//! "M > O > A > I" rule: when in doubt, classify toward the category that hurts most if
//! neglected.
//!
//! Better = (A + O) / (A + O + M + I); Worse = −(O + M) / (A + O + M + I). Both are undefined
//! (reported as `None`) when every answer is reverse or questionable.

use serde::{Deserialize, Serialize};

use super::{InputError, Prioritizer};

/// An answer to a Kano question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KanoAnswer {
    /// "I like it that way."
    Like,
    /// "I expect it that way" (it must be that way).
    Expect,
    /// "I am neutral."
    Neutral,
    /// "I can live with it that way."
    LiveWith,
    /// "I dislike it that way."
    Dislike,
}

/// A Kano category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KanoCategory {
    /// Must-be (M): expected; its absence dissatisfies.
    MustBe,
    /// One-dimensional (O): more is better.
    OneDimensional,
    /// Attractive (A): delights when present, not missed when absent.
    Attractive,
    /// Indifferent (I).
    Indifferent,
    /// Reverse (R): respondents prefer its absence.
    Reverse,
    /// Questionable (Q): contradictory answers.
    Questionable,
}

impl KanoCategory {
    /// Tie-break and ranking order: M, O, A, I, R, Q.
    const ORDER: [KanoCategory; 6] = [
        KanoCategory::MustBe,
        KanoCategory::OneDimensional,
        KanoCategory::Attractive,
        KanoCategory::Indifferent,
        KanoCategory::Reverse,
        KanoCategory::Questionable,
    ];

    /// The one-letter code (M, O, A, I, R, Q).
    pub fn code(self) -> char {
        match self {
            KanoCategory::MustBe => 'M',
            KanoCategory::OneDimensional => 'O',
            KanoCategory::Attractive => 'A',
            KanoCategory::Indifferent => 'I',
            KanoCategory::Reverse => 'R',
            KanoCategory::Questionable => 'Q',
        }
    }
}

/// The category of one respondent's answer pair, from the evaluation table.
pub fn classify(functional: KanoAnswer, dysfunctional: KanoAnswer) -> KanoCategory {
    use KanoAnswer as K;
    use KanoCategory as C;
    match (functional, dysfunctional) {
        (K::Like, K::Like) | (K::Dislike, K::Dislike) => C::Questionable,
        (K::Like, K::Dislike) => C::OneDimensional,
        (K::Like, _) => C::Attractive,
        (_, K::Like) | (K::Dislike, _) => C::Reverse,
        (_, K::Dislike) => C::MustBe,
        _ => C::Indifferent,
    }
}

/// The answer pairs of a feature's respondents: (functional, dysfunctional).
pub type KanoInput = Vec<(KanoAnswer, KanoAnswer)>;

/// A feature's Kano evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KanoResult {
    /// Respondents per category, in the order M, O, A, I, R, Q.
    pub counts: [usize; 6],
    /// The most frequent category (ties by M > O > A > I > R > Q).
    pub category: KanoCategory,
    /// (A + O) / (A + O + M + I), the potential to satisfy.
    pub better: Option<f64>,
    /// −(O + M) / (A + O + M + I), the potential to dissatisfy.
    pub worse: Option<f64>,
}

impl KanoResult {
    /// Respondents in a category.
    pub fn count(&self, c: KanoCategory) -> usize {
        KanoCategory::ORDER
            .iter()
            .position(|x| *x == c)
            .map_or(0, |i| self.counts[i])
    }
}

/// Classifies every answer pair and summarizes the feature.
///
/// # Errors
/// An [`InputError`] when there are no answers.
///
/// # Examples
/// ```
/// use prodops_process::prioritize::{evaluate, KanoAnswer::*, KanoCategory};
/// // Two must-be answers (expect/dislike) and one attractive (like/neutral).
/// let r = evaluate(&[(Expect, Dislike), (Neutral, Dislike), (Like, Neutral)]).map_err(|e| e.reason)?;
/// assert_eq!(r.category, KanoCategory::MustBe);
/// assert_eq!(r.better, Some(1.0 / 3.0));
/// assert_eq!(r.worse, Some(-2.0 / 3.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(answers: &[(KanoAnswer, KanoAnswer)]) -> Result<KanoResult, InputError> {
    if answers.is_empty() {
        return Err(InputError::new("answers", "there are none"));
    }
    let mut counts = [0usize; 6];
    for (f, d) in answers {
        let c = classify(*f, *d);
        if let Some(i) = KanoCategory::ORDER.iter().position(|x| *x == c) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for i in 1..6 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    let [m, o, a, i, _, _] = counts.map(|c| c as f64);
    let valid = a + o + m + i;
    let (better, worse) = if valid > 0.0 {
        (Some((a + o) / valid), Some(-(o + m) / valid))
    } else {
        (None, None)
    };
    Ok(KanoResult {
        counts,
        category: KanoCategory::ORDER[best],
        better,
        worse,
    })
}

/// Kano as a prioritizer: features rank by category (must-be, one-dimensional, attractive,
/// indifferent, then reverse and questionable), and within a category by better − worse (the
/// combined potential to satisfy and to dissatisfy, 0–2). The score is
/// 10 × (4 for M, 3 for O, 2 for A, 1 for I, 0 for R and Q) + (better − worse).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kano;

impl Prioritizer for Kano {
    type Input = KanoInput;

    fn score(&self, x: &KanoInput) -> Result<f64, InputError> {
        let r = evaluate(x)?;
        let tier = match r.category {
            KanoCategory::MustBe => 4.0,
            KanoCategory::OneDimensional => 3.0,
            KanoCategory::Attractive => 2.0,
            KanoCategory::Indifferent => 1.0,
            KanoCategory::Reverse | KanoCategory::Questionable => 0.0,
        };
        Ok(10.0 * tier + r.better.unwrap_or(0.0) - r.worse.unwrap_or(0.0))
    }

    fn name(&self) -> &str {
        "Kano"
    }
}
