//! The cost-of-delay framework through prodops' `rank` and `sensitivity`: hand-derived scores,
//! ties, sensitivity positions, errors, and invariance properties.

use prodops_example_extension::ExtensionError;
use prodops_example_extension::prioritize::{CostOfDelay, CostOfDelayInput};
use prodops_process::ProcessError;
use prodops_process::prioritize::{Item, rank, sensitivity};
use proptest::prelude::*;

use crate::TestResult;

/// Four candidates; the scores with γ = 1 are derived in the tests.
fn backlog() -> Vec<Item<CostOfDelayInput>> {
    vec![
        Item::new("sso", CostOfDelayInput::new(12_000.0, 6.0, 0.5)),
        Item::new("export", CostOfDelayInput::new(3_000.0, 2.0, 1.0)),
        Item::new("dark-mode", CostOfDelayInput::new(2_000.0, 1.0, 0.5)),
        Item::new("audit-log", CostOfDelayInput::new(8_000.0, 8.0, 0.8)),
    ]
}

#[test]
fn ranks_with_ties_like_the_built_ins() -> TestResult {
    let ranking = rank(&CostOfDelay::default(), &backlog())?;
    // export 3000 / 2 × 1.0 = 1500; dark-mode 2000 / 1 × 0.5 = 1000; sso 12000 / 6 × 0.5 =
    // 1000; audit-log 8000 / 8 × 0.8 = 800. The tie is ordered by id and shares rank 2.
    let got: Vec<(&str, f64, usize)> = ranking
        .entries
        .iter()
        .map(|e| (e.id.as_str(), e.score, e.rank))
        .collect();
    assert_eq!(
        got,
        [
            ("export", 1500.0, 1),
            ("dark-mode", 1000.0, 2),
            ("sso", 1000.0, 2),
            ("audit-log", 800.0, 4),
        ]
    );
    assert_eq!(ranking.method, "cd3-confidence");
    Ok(())
}

#[test]
fn a_stronger_penalty_favours_confident_items() -> TestResult {
    // γ = 2: export 1500 × 1² = 1500; audit-log 1000 × 0.8² = 640; dark-mode 2000 × 0.5² = 500;
    // sso 2000 × 0.25 = 500.
    let ranking = rank(&CostOfDelay::with_penalty(2.0)?, &backlog())?;
    assert_eq!(ranking.ids(), ["export", "audit-log", "dark-mode", "sso"]);
    let ranks: Vec<usize> = ranking.entries.iter().map(|e| e.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 3]);
    assert!((ranking.entries[1].score - 640.0).abs() < 1e-9);
    // γ = 0 ignores confidence: sso 2000, dark-mode 2000, export 1500, audit-log 1000.
    let ranking = rank(&CostOfDelay::with_penalty(0.0)?, &backlog())?;
    assert_eq!(ranking.ids(), ["dark-mode", "sso", "export", "audit-log"]);
    Ok(())
}

#[test]
fn sensitivity_moves_each_input_by_ten_percent() -> TestResult {
    let s = sensitivity(&CostOfDelay::default(), &backlog(), 0.1)?;
    // No single ±10% change beats export's 1500: its lowest perturbed score is
    // 3000 / 2.2 = 1363.6, and the highest any other item reaches is 1111.1
    // (2000 / 0.9 × 0.5, 12000 / 5.4 × 0.5, 8000 / 7.2 × 0.8 = 888.9 for audit-log).
    assert!(!s.top_is_sensitive());
    let positions: Vec<(&str, usize, usize, usize)> = s
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.position, i.best_position, i.worst_position))
        .collect();
    assert_eq!(
        positions,
        [
            // Never passed, never passes anyone.
            ("export", 1, 1, 1),
            // Falls to 3 on value -10% (900) or weeks +10% (909.1), or when sso rises to 1100.
            ("dark-mode", 2, 2, 3),
            // Rises to 2 on value or confidence +10% (1100); audit-log never passes it (888.9).
            ("sso", 3, 2, 3),
            // At most 888.9 < 1000: stays last.
            ("audit-log", 4, 4, 4),
        ]
    );
    Ok(())
}

#[test]
fn bad_inputs_name_the_item_and_the_input() -> TestResult {
    let mut items = backlog();
    items.push(Item::new(
        "sandbox",
        CostOfDelayInput::new(1_000.0, 0.0, 0.9),
    ));
    match rank(&CostOfDelay::default(), &items) {
        Err(ProcessError::Score { item, what, reason }) => {
            assert_eq!(item, "sandbox");
            assert_eq!(what, "engineer_weeks");
            assert_eq!(reason, "must be a finite number > 0, got 0");
        }
        other => return Err(format!("expected a score error, got {other:?}").into()),
    }
    for (input, what) in [
        (CostOfDelayInput::new(-1.0, 1.0, 0.5), "value_per_week"),
        (
            CostOfDelayInput::new(f64::INFINITY, 1.0, 0.5),
            "value_per_week",
        ),
        (CostOfDelayInput::new(1.0, f64::NAN, 0.5), "engineer_weeks"),
        (CostOfDelayInput::new(1.0, 1.0, 0.0), "confidence"),
        (CostOfDelayInput::new(1.0, 1.0, 1.2), "confidence"),
    ] {
        let got = rank(&CostOfDelay::default(), &[Item::new("x", input)]);
        assert!(
            matches!(&got, Err(ProcessError::Score { what: w, .. }) if w == what),
            "{input:?}: {got:?}"
        );
    }
    assert!(matches!(
        CostOfDelay::with_penalty(-0.5),
        Err(ExtensionError::InvalidInput { .. })
    ));
    assert!(CostOfDelay::with_penalty(f64::NAN).is_err());
    Ok(())
}

#[test]
fn perturbing_confidence_stays_valid() -> TestResult {
    // Confidence 1.0 + 10% is capped at 1, so sensitivity never feeds the framework an
    // invalid input.
    let items = [Item::new("a", CostOfDelayInput::new(10.0, 1.0, 1.0))];
    let s = sensitivity(&CostOfDelay::default(), &items, 0.5)?;
    assert_eq!(s.items[0].worst_position, 1);
    Ok(())
}

/// Items with small integer inputs; ids are unique.
fn items() -> impl Strategy<Value = Vec<Item<CostOfDelayInput>>> {
    prop::collection::vec((0u32..50, 1u32..20, 1u32..=10), 1..12).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (v, w, c))| {
                Item::new(
                    format!("item-{i:02}"),
                    CostOfDelayInput::new(f64::from(v) * 100.0, f64::from(w), f64::from(c) / 10.0),
                )
            })
            .collect()
    })
}

proptest! {
    /// Scaling every value by the same factor keeps the ranking, ties included. The factor is
    /// a power of two so the scaling is exact in floating point and cannot create or break a tie
    /// by rounding.
    #[test]
    fn ranking_is_invariant_to_scaling_values(items in items(), k in -8i32..8, gamma in 0u32..3) {
        let framework = CostOfDelay::with_penalty(f64::from(gamma))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let scale = 2f64.powi(k);
        let scaled: Vec<_> = items
            .iter()
            .map(|it| {
                let mut it = it.clone();
                it.input.value_per_week *= scale;
                it
            })
            .collect();
        let a = rank(&framework, &items).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = rank(&framework, &scaled).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ranks = |r: &prodops_process::prioritize::Ranking| {
            r.entries.iter().map(|e| (e.id.clone(), e.rank)).collect::<Vec<_>>()
        };
        prop_assert_eq!(ranks(&a), ranks(&b));
    }

    /// The ranking does not depend on the order the items come in.
    #[test]
    fn ranking_is_invariant_to_input_order(items in items(), seed in any::<u64>()) {
        let mut shuffled = items.clone();
        // A deterministic permutation from the seed (rotation then reversal).
        let n = shuffled.len();
        shuffled.rotate_left((seed as usize) % n);
        if seed % 2 == 0 {
            shuffled.reverse();
        }
        let a = rank(&CostOfDelay::default(), &items).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = rank(&CostOfDelay::default(), &shuffled).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a, b);
    }
}
