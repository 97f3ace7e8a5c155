//! Stickiness: hand-worked intervals and criteria, a cross-check against pandas on
//! data/events.csv, and properties.

use std::error::Error;

use prodops_core::Grain;
use prodops_kpi::KpiError;
use prodops_kpi::events::EventTableBuilder;
use prodops_kpi::events::stickiness::{Criterion, StickinessQuery};
use prodops_kpi::events::trends::{EventSelector, Math, Series, TrendsQuery};
use proptest::prelude::*;

use crate::trends::{TestResult, at, date, fixture, numbers, sample_events};

fn scenario() -> Result<prodops_kpi::events::EventTable, Box<dyn Error>> {
    // Oct 1..4 (4 daily intervals). Views per person and day:
    //   ann: Oct 1 ×1, Oct 2 ×3, Oct 4 ×2
    //   bob: Oct 2 ×2
    //   cy:  Oct 1 ×1, Oct 2 ×1, Oct 3 ×1, Oct 4 ×1
    //   dee: a "click" only (not selected)
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    let views = [
        ("ann", 1, 1),
        ("ann", 2, 3),
        ("ann", 4, 2),
        ("bob", 2, 2),
        ("cy", 1, 1),
        ("cy", 2, 1),
        ("cy", 3, 1),
        ("cy", 4, 1),
    ];
    for (who, day, n) in views {
        for i in 0..n {
            b.push(who, at(&format!("2026-10-0{day} 1{i}:00:00"))?, "view", &[])?;
        }
    }
    b.push("dee", at("2026-10-01 10:00:00")?, "click", &[])?;
    Ok(b.build())
}

#[test]
fn intervals_per_person_and_criteria() -> TestResult {
    let table = scenario()?;
    let run = |criterion: Criterion| -> Result<Vec<u64>, Box<dyn Error>> {
        Ok(StickinessQuery::builder(
            date("2026-10-01")?,
            date("2026-10-04")?,
            EventSelector::event("view"),
        )
        .criterion(criterion)
        .build()?
        .run(&table)?
        .persons)
    };
    // At least once: ann 3 days, bob 1, cy 4 → x = 1: bob; 3: ann; 4: cy.
    assert_eq!(run(Criterion::Gte(1))?, vec![1, 0, 1, 1]);
    // At least twice: ann Oct 2 and 4 (x = 2), bob Oct 2 (x = 1), cy never.
    assert_eq!(run(Criterion::Gte(2))?, vec![1, 1, 0, 0]);
    // At most once: ann Oct 1 (x = 1), bob never, cy all 4 days (x = 4).
    assert_eq!(run(Criterion::Lte(1))?, vec![1, 0, 0, 1]);
    // Exactly twice: ann Oct 4 (x = 1), bob Oct 2 (x = 1).
    assert_eq!(run(Criterion::Exact(2))?, vec![2, 0, 0, 0]);
    assert!(matches!(
        StickinessQuery::builder(
            date("2026-10-01")?,
            date("2026-10-04")?,
            EventSelector::any()
        )
        .criterion(Criterion::Gte(0))
        .build(),
        Err(KpiError::InvalidInput { .. })
    ));
    Ok(())
}

#[test]
fn cumulative_counts_and_dau_mau_ratio() -> TestResult {
    let table = scenario()?;
    let (from, to) = (date("2026-10-01")?, date("2026-10-04")?);
    let sticky = StickinessQuery::builder(from, to, EventSelector::event("view"))
        .build()?
        .run(&table)?;
    // persons = [1, 0, 1, 1] → ≥1: 3, ≥2: 2, ≥3: 2, ≥4: 1.
    assert_eq!(sticky.cumulative(), vec![3, 2, 2, 1]);
    // Person-days 1·1 + 3·1 + 4·1 = 8 over N·persons = 4·3 = 12 → 2/3.
    assert_eq!(sticky.dau_mau_ratio(), Some(8.0 / 12.0));
    // The same from trends: daily DAU 2 (ann, cy), 3, 1, 2 → mean 2; distinct persons over
    // the 4 days = 3; 2/3.
    let trends = TrendsQuery::builder(from, to)
        .series(Series::new(
            "dau",
            EventSelector::event("view"),
            Math::UniqueKeys,
        ))
        .build()?
        .run(&table)?;
    let dau: Vec<f64> = trends
        .values("dau", None)
        .ok_or("dau")?
        .iter()
        .flatten()
        .copied()
        .collect();
    assert_eq!(dau, vec![2.0, 3.0, 1.0, 2.0]);
    assert!((dau.iter().sum::<f64>() / 4.0 / 3.0 - 8.0 / 12.0).abs() < 1e-15);
    let frame = sticky.to_frame()?;
    assert_eq!(frame.height(), 4);
    // Weekly intervals: Oct 1..4 is one ISO week (Thu..Sun) → everyone on 1 interval.
    let weekly = StickinessQuery::builder(from, to, EventSelector::event("view"))
        .grain(Grain::Week)
        .build()?
        .run(&table)?;
    assert_eq!(weekly.persons, vec![3]);
    Ok(())
}

#[test]
fn october_dashboard_stickiness_matches_pandas() -> TestResult {
    let table = sample_events()?;
    let fx = fixture()?;
    let (from, to) = (date("2026-10-01")?, date("2026-10-31")?);
    for (criterion, name) in [(Criterion::Gte(1), "gte1"), (Criterion::Gte(2), "gte2")] {
        let sticky = StickinessQuery::builder(from, to, EventSelector::event("dashboard_viewed"))
            .criterion(criterion)
            .build()?
            .run(&table)?;
        let got: Vec<f64> = sticky.persons.iter().map(|&n| n as f64).collect();
        assert_eq!(got, numbers(&fx["stickiness_october"][name]), "{name}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn cumulative_is_non_increasing_and_shards_add_up(
        events in prop::collection::vec((0u8..10, 0u8..14, 0u8..3), 0..100),
        criterion_ix in 0usize..3,
    ) {
        let criterion = [Criterion::Gte(1), Criterion::Gte(2), Criterion::Lte(1)][criterion_ix];
        let run = |evs: &[(u8, u8, u8)]| -> Result<_, Box<dyn Error>> {
            let mut b = EventTableBuilder::new(Vec::<String>::new());
            for &(k, d, h) in evs {
                let ts = at("2026-10-01 00:00:00")? + i64::from(d) * 86_400_000_000 + i64::from(h) * 3_600_000_000;
                b.push(&format!("k{k}"), ts, "view", &[])?;
            }
            Ok(StickinessQuery::builder(date("2026-10-01")?, date("2026-10-14")?, EventSelector::any())
                .criterion(criterion)
                .build()?
                .run(&b.build())?)
        };
        let whole = run(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cumulative = whole.cumulative();
        prop_assert!(cumulative.windows(2).all(|w| w[0] >= w[1]));
        prop_assert_eq!(cumulative[0], whole.total_persons());
        let (even, odd): (Vec<_>, Vec<_>) = events.iter().partition(|(k, _, _)| k % 2 == 0);
        let mut merged = run(&even).map_err(|e| TestCaseError::fail(e.to_string()))?;
        merged.merge(&run(&odd).map_err(|e| TestCaseError::fail(e.to_string()))?)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(merged, whole);
    }
}
