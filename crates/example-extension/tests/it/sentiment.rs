//! The phrase-boosted sentiment model: hand-derived VADER scores plus phrase weights, the
//! feedback pipeline, list parsing errors, and a property over neutral texts.

use prodops_example_extension::ExtensionError;
use prodops_example_extension::sentiment::{Phrase, PhraseBoost, PhraseList};
use prodops_feedback::pii::Redactor;
use prodops_feedback::pipeline::Pipeline;
use prodops_feedback::sentiment::{Label, SentimentModel, VaderModel};
use prodops_feedback::text::Whatlang;
use proptest::prelude::*;

use crate::TestResult;

const TOL: f64 = 1e-12;

fn model() -> Result<PhraseBoost<VaderModel>, Box<dyn std::error::Error>> {
    Ok(PhraseBoost::new(
        VaderModel::stock()?,
        PhraseList::billing()?,
    ))
}

#[test]
fn the_bundled_list_parses() -> TestResult {
    let list = PhraseList::billing()?;
    assert_eq!(list.version(), "billing-2026.1");
    assert_eq!(list.phrases().len(), 9);
    assert_eq!(list.phrases()[0].text(), "charged twice");
    assert_eq!(list.phrases()[0].weight(), -0.5);
    Ok(())
}

#[test]
fn a_phrase_without_vader_words_moves_a_zero_compound() -> TestResult {
    // No word of this text is in the VADER lexicon, so VADER's compound is 0;
    // "considering alternatives" adds -0.4.
    let s = model()?.score("We are considering alternatives")?;
    assert!((s.compound - -0.4).abs() < TOL);
    assert_eq!(s.label, Label::Negative);
    assert_eq!(s.model_id, "vader-3.3.2+phrases-billing-2026.1");
    Ok(())
}

#[test]
fn phrase_weights_add_to_the_vader_compound() -> TestResult {
    // VADER: "charged" is -0.8, the only lexicon word; compound = -0.8 / sqrt(0.64 + 15)
    // = -0.8 / 3.954744 = -0.202289, rounded to 4 decimals as vaderSentiment does: -0.2023.
    // "charged twice" adds -0.5: -0.7023.
    let s = model()?.score("We were charged twice")?;
    assert!((s.compound - -0.7023).abs() < TOL, "{}", s.compound);
    assert_eq!(s.label, Label::Negative);
    Ok(())
}

#[test]
fn a_phrase_can_flip_the_label() -> TestResult {
    // VADER: "increase" is +1.3; compound = 1.3 / sqrt(1.69 + 15) = 1.3 / 4.085340 = 0.318212
    // → 0.3182, positive. "price increase" adds -0.3: 0.0182, inside ±0.05, so neutral.
    let base = VaderModel::stock()?.score("We got a price increase")?;
    assert!((base.compound - 0.3182).abs() < TOL);
    assert_eq!(base.label, Label::Positive);
    let s = model()?.score("We got a price increase")?;
    assert!((s.compound - 0.0182).abs() < 1e-9, "{}", s.compound);
    assert_eq!(s.label, Label::Neutral);
    // The shares stay the base model's: the phrases do not say which words they move.
    assert_eq!((s.pos, s.neu, s.neg), (base.pos, base.neu, base.neg));
    Ok(())
}

#[test]
fn the_sum_is_clamped_to_minus_one() -> TestResult {
    // Three occurrences: -0.4 × 3 = -1.2 → clamped to -1.
    let s = model()?
        .score("considering alternatives, considering alternatives, considering alternatives")?;
    assert_eq!(s.compound, -1.0);
    Ok(())
}

#[test]
fn matching_is_on_word_tokens() -> TestResult {
    let list = PhraseList::billing()?;
    // Case and punctuation do not matter ...
    assert_eq!(list.adjustment("CHARGED-twice!!"), -0.5);
    // ... but a phrase must match whole words.
    assert_eq!(list.adjustment("overcharged twice"), 0.0);
    // Two phrases: -0.5 (double charged) + -0.1 (per seat) = -0.6.
    let matches: Vec<(&str, usize)> = list
        .matches("Double charged per seat")
        .iter()
        .map(|(p, n)| (p.text(), *n))
        .collect();
    assert_eq!(matches, [("double charged", 1), ("per seat", 1)]);
    assert!((list.adjustment("Double charged per seat") - -0.6).abs() < TOL);
    Ok(())
}

#[test]
fn without_a_phrase_the_base_score_stands() -> TestResult {
    let text = "The new dashboards are beautiful and easy to share.";
    let base = VaderModel::stock()?.score(text)?;
    let s = model()?.score(text)?;
    assert_eq!(s.compound, base.compound);
    assert_eq!(s.label, base.label);
    assert_ne!(s.model_id, base.model_id);
    Ok(())
}

#[test]
fn the_model_runs_in_the_feedback_pipeline() -> TestResult {
    let redactor = Redactor::builtin();
    let model = PhraseBoost::new(VaderModel::product()?, PhraseList::billing()?);
    let pipeline = Pipeline::new(&redactor, &model, &Whatlang);
    let out = pipeline.process_text("f1", "Mail jo@acme.io: we are considering alternatives")?;
    // The model sees the redacted text; [EMAIL] is one neutral token.
    assert_eq!(out.text, "Mail [EMAIL]: we are considering alternatives");
    let s = out.sentiment.ok_or("no sentiment")?;
    assert_eq!(
        s.model_id,
        "vader-3.3.2+overlay-2026.1+phrases-billing-2026.1"
    );
    assert!((s.compound - -0.4).abs() < TOL);
    Ok(())
}

#[test]
fn batches_keep_input_order() -> TestResult {
    let out = model()?.score_batch(&["per seat", "invoices are clear", "we"]);
    let compounds: Vec<f64> = out
        .into_iter()
        .map(|r| r.map(|s| s.compound))
        .collect::<Result<_, _>>()?;
    // "per seat": 0 - 0.1. "invoices are clear": VADER "clear" +1.6 → 1.6 / sqrt(2.56 + 15)
    // = 1.6 / 4.190465 = 0.381820 → 0.3818, + 0.2 = 0.5818. "we": 0.
    assert!((compounds[0] - -0.1).abs() < TOL);
    assert!((compounds[1] - 0.5818).abs() < 1e-9, "{}", compounds[1]);
    assert_eq!(compounds[2], 0.0);
    Ok(())
}

#[test]
fn bad_lists_are_located() {
    let line = |text: &str| match PhraseList::parse("team.tsv", text) {
        Err(ExtensionError::KeywordLine { file, line, reason }) => Some((file, line, reason)),
        _ => None,
    };
    let missing_version = line("charged twice\t-0.5\n");
    assert_eq!(
        missing_version,
        Some(("team.tsv".into(), 0, "missing @version line".into()))
    );
    let no_tab = line("@version 1\n# note\ncharged twice -0.5\n");
    assert_eq!(
        no_tab.map(|(_, l, r)| (l, r)),
        Some((3, "expected phrase<TAB>weight".into()))
    );
    let not_a_number = line("@version 1\ncharged twice\tlots\n");
    assert_eq!(not_a_number.map(|(_, l, _)| l), Some(2));
    let too_big = line("@version 1\ncharged twice\t1.5\n");
    assert!(too_big.is_some_and(|(_, l, r)| l == 2 && r.contains("-1..=1")));
    let twice = line("@version 1\ncharged twice\t-0.5\nCharged  Twice\t-0.4\n");
    assert_eq!(
        twice.map(|(_, l, r)| (l, r)),
        Some((3, "phrase \"charged twice\" is listed twice".into()))
    );
    let empty = line("@version 1\n!!!\t-0.5\n");
    assert!(empty.is_some_and(|(_, l, r)| l == 2 && r.contains("no word")));
    let empty_version = line("@version\n");
    assert!(empty_version.is_some_and(|(_, l, _)| l == 1));
}

#[test]
fn bad_phrases_and_lists_are_typed_errors() -> TestResult {
    assert!(matches!(
        Phrase::new("refund", f64::NAN),
        Err(ExtensionError::InvalidInput { .. })
    ));
    let p = Phrase::new("refund", -0.2)?;
    assert!(matches!(
        PhraseList::new("1", vec![p.clone(), p.clone()]),
        Err(ExtensionError::InvalidInput { .. })
    ));
    assert!(matches!(
        PhraseList::new(" ", vec![p]),
        Err(ExtensionError::InvalidInput { .. })
    ));
    Ok(())
}

proptest! {
    /// On texts whose words all lack VADER valence, VADER says 0, so the score is the clamped
    /// sum of the phrase weights: -0.4 per "considering alternatives", -0.1 per "per seat".
    #[test]
    fn neutral_texts_score_the_clamped_phrase_sum(
        parts in prop::collection::vec(0usize..6, 0..20),
    ) {
        let words = ["we", "the team", "this month", "our account", "considering alternatives", "per seat"];
        let text: Vec<&str> = parts.iter().map(|&i| words[i]).collect();
        let text = text.join(" ");
        let n_alt = parts.iter().filter(|&&i| i == 4).count() as f64;
        let n_seat = parts.iter().filter(|&&i| i == 5).count() as f64;
        let expected = (-0.4 * n_alt + -0.1 * n_seat).clamp(-1.0, 1.0);
        let model = model().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let s = model.score(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((s.compound - expected).abs() < 1e-12, "{text:?}: {} vs {expected}", s.compound);
        prop_assert_eq!(s.label, Label::of(expected));
    }
}
