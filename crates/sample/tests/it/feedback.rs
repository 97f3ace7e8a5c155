use std::collections::HashMap;

use chrono::NaiveDate;
use prodops_sample::{
    Channel, FeedbackConfig, PiiKind, SampleError, Sentiment, Theme, feedback_items,
};
use proptest::prelude::*;

use crate::small_accounts;

/// Luhn check, written independently of the generator: double every second digit from the
/// right, subtract 9 from two-digit results, and require a sum divisible by 10.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][d as usize]
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Card numbers as planted: 16 digits in four groups separated by one space or dash.
fn card_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for start in 0..chars.len().saturating_sub(18) {
        let window: String = chars[start..start + 19].iter().collect();
        let groups: Vec<&str> = window.split([' ', '-']).collect();
        if groups.len() == 4
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_digit()))
        {
            found.push(groups.concat());
        }
    }
    found
}

#[test]
fn luhn_reference_accepts_known_test_numbers() {
    // Published test numbers: 4111 1111 1111 1111 and 4012 8888 8888 1881 are valid;
    // changing the last digit breaks them.
    assert!(luhn_valid("4111111111111111"));
    assert!(luhn_valid("4012888888881881"));
    assert!(!luhn_valid("4111111111111112"));
}

#[test]
fn items_carry_consistent_truth() {
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let cfg = FeedbackConfig::new(20_000, start, 100, 9);
    let items = feedback_items(&cfg, &accounts, 0..20_000).unwrap();
    let mut pii_counts: HashMap<PiiKind, usize> = HashMap::new();
    let mut foreign = 0;
    for item in &items {
        assert!(
            !item.themes.is_empty() && item.themes.len() <= 2,
            "{}",
            item.feedback_id
        );
        assert!(!item.text.trim().is_empty());
        match (item.channel, item.score) {
            (Channel::SurveyComment, Some(s)) => {
                let ok = match item.sentiment {
                    Sentiment::Negative => s <= 6,
                    Sentiment::Neutral => (7..=8).contains(&s),
                    Sentiment::Positive => s >= 9,
                };
                assert!(
                    ok,
                    "{}: score {s} vs {:?}",
                    item.feedback_id, item.sentiment
                );
            }
            (Channel::AppReview, Some(s)) => assert!((1..=5).contains(&s)),
            (Channel::SupportTicket | Channel::SocialPost, None) => {}
            (c, s) => panic!("{}: channel {c:?} with score {s:?}", item.feedback_id),
        }
        for kind in &item.pii {
            *pii_counts.entry(*kind).or_default() += 1;
            match kind {
                PiiKind::Email => assert!(item.text.contains('@'), "{}", item.text),
                PiiKind::CardNumber => {
                    let cards = card_numbers(&item.text);
                    assert_eq!(cards.len(), 1, "{}", item.text);
                    assert!(luhn_valid(&cards[0]), "{}", item.text);
                }
                PiiKind::Phone => assert!(item.text.contains("555") || item.text.contains("7946")),
            }
        }
        if item.pii.is_empty() {
            assert!(
                !item.text.contains('@') || item.channel == Channel::SocialPost,
                "{}",
                item.text
            );
        }
        foreign += usize::from(item.language != "en");
    }
    // Each item carries PII with probability 0.15 (0.30 for tickets), the kind uniform over
    // three; every kind shows up hundreds of times in 20,000 items.
    for kind in [PiiKind::Email, PiiKind::Phone, PiiKind::CardNumber] {
        assert!(
            pii_counts.get(&kind).copied().unwrap_or(0) > 500,
            "{kind:?}: {pii_counts:?}"
        );
    }
    // 5% foreign among the 96% of items that are not duplicates (duplicates copy the language).
    let share = foreign as f64 / items.len() as f64;
    assert!(
        (share - 0.05).abs() < 4.0 * crate::se(0.05, items.len()),
        "{share}"
    );
}

#[test]
fn duplicates_point_back_to_an_earlier_original_from_another_item() {
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let items = feedback_items(
        &FeedbackConfig::new(5_000, start, 60, 2),
        &accounts,
        0..5_000,
    )
    .unwrap();
    let by_id: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, f)| (f.feedback_id.as_str(), i))
        .collect();
    let duplicates: Vec<_> = items.iter().filter(|f| f.duplicate_of.is_some()).collect();
    // 4% of items after the first of each block.
    assert!(
        (150..=260).contains(&duplicates.len()),
        "{}",
        duplicates.len()
    );
    for dup in duplicates {
        let original = &items[by_id[dup.duplicate_of.as_deref().unwrap()]];
        assert!(
            original.duplicate_of.is_none(),
            "chains resolve to the first original"
        );
        assert!(by_id[original.feedback_id.as_str()] < by_id[dup.feedback_id.as_str()]);
        assert_eq!(original.themes, dup.themes);
        let lower = dup.text.to_lowercase();
        assert!(
            lower.contains(&original.text.to_lowercase()),
            "{} / {}",
            dup.text,
            original.text
        );
    }
}

#[test]
fn mobile_app_feedback_rises_at_the_end_of_the_window() {
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut cfg = FeedbackConfig::new(30_000, start, 100, 4);
    cfg.foreign_rate = 0.0;
    let items = feedback_items(&cfg, &accounts, 0..30_000).unwrap();
    let share = |from: i64, to: i64| {
        let window: Vec<_> = items
            .iter()
            .filter(|f| (from..to).contains(&(f.received_at.date() - start).num_days()))
            .collect();
        window
            .iter()
            .filter(|f| f.themes.contains(&Theme::MobileApp))
            .count() as f64
            / window.len() as f64
    };
    // The theme's weight is flat to day 70 and triples by day 100.
    let early = share(0, 70);
    let late = share(90, 100);
    assert!(late > 2.0 * early, "early {early:.3}, late {late:.3}");
}

#[test]
fn rates_outside_zero_one_are_rejected() {
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut cfg = FeedbackConfig::new(10, start, 10, 1);
    cfg.pii_rate = 1.5;
    assert!(matches!(
        feedback_items(&cfg, &accounts, 0..10),
        Err(SampleError::InvalidConfig {
            field: "feedback.pii_rate",
            ..
        })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn every_planted_card_passes_luhn(seed in any::<u64>()) {
        let accounts = small_accounts();
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut cfg = FeedbackConfig::new(300, start, 10, seed);
        cfg.pii_rate = 1.0;
        for item in feedback_items(&cfg, &accounts, 0..300).unwrap() {
            for card in card_numbers(&item.text) {
                prop_assert!(luhn_valid(&card), "{}", item.text);
            }
        }
    }
}
