//! Lifecycle: a hand-worked scenario (persons created before their first activity), a
//! cross-check against pandas on data/events.csv, and the identities as properties.

use std::collections::HashMap;
use std::error::Error;

use polars::prelude::*;
use prodops_core::Grain;
use prodops_kpi::KpiError;
use prodops_kpi::events::lifecycle::{Lifecycle, LifecycleQuery, MissingCreation, PersonCreation};
use prodops_kpi::events::trends::EventSelector;
use prodops_kpi::events::{EventTable, EventTableBuilder};
use proptest::prelude::*;

use crate::trends::{TestResult, at, date, fixture, numbers, sample_events};

/// Weeks (Monday start): W0 = Sep 28 (before the range), W1 = Oct 5, W2 = Oct 12,
/// W3 = Oct 19, W4 = Oct 26. The range is Oct 5..Nov 1 (W1..W4).
fn scenario() -> Result<(EventTable, PersonCreation), Box<dyn Error>> {
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    let mut created = HashMap::new();
    let active =
        |who: &str, weeks: &[&str], b: &mut EventTableBuilder| -> Result<(), Box<dyn Error>> {
            for day in weeks {
                b.push(who, at(&format!("{day} 12:00:00"))?, "use", &[])?;
            }
            Ok(())
        };
    // ann: created W1, active W1, W2, W4.
    created.insert("ann".to_string(), at("2026-10-05 08:00:00")?);
    active("ann", &["2026-10-05", "2026-10-13", "2026-10-27"], &mut b)?;
    // bob: created in August, active W0 and W1.
    created.insert("bob".to_string(), at("2026-08-03 08:00:00")?);
    active("bob", &["2026-10-01", "2026-10-06"], &mut b)?;
    // cy: created W1 but first active in W3 (signed up, came back two weeks later).
    created.insert("cy".to_string(), at("2026-10-06 08:00:00")?);
    active("cy", &["2026-10-20", "2026-10-21"], &mut b)?;
    // dee: created long before, first activity ever in W2.
    created.insert("dee".to_string(), at("2025-01-01 00:00:00")?);
    active("dee", &["2026-10-14"], &mut b)?;
    // eve: no creation time; active W0 and W2.
    active("eve", &["2026-09-29", "2026-10-15"], &mut b)?;
    Ok((b.build(), PersonCreation::from_map(created)))
}

fn run(
    table: &EventTable,
    created: PersonCreation,
    missing: MissingCreation,
) -> Result<Lifecycle, Box<dyn Error>> {
    Ok(LifecycleQuery::builder(
        date("2026-10-05")?,
        date("2026-11-01")?,
        EventSelector::event("use"),
    )
    .grain(Grain::Week)
    .persons(created, missing)
    .build()?
    .run(table)?)
}

#[test]
fn states_of_a_hand_worked_scenario() -> TestResult {
    let (table, created) = scenario()?;
    let life = run(&table, created.clone(), MissingCreation::Exclude)?;
    // W1: ann new (created W1); bob returning (active W0).
    // W2: ann returning; dee resurrecting (created long before, inactive W1); bob dormant.
    // W3: cy resurrecting (created W1, not new in W3); ann dormant, dee dormant.
    // W4: ann resurrecting; cy dormant.
    // eve is excluded (no creation time).
    assert_eq!(life.new, vec![1, 0, 0, 0]);
    assert_eq!(life.returning, vec![1, 1, 0, 0]);
    assert_eq!(life.resurrecting, vec![0, 1, 1, 1]);
    assert_eq!(life.dormant, vec![0, -1, -2, -1]);
    assert_eq!(life.active_before, 1); // bob in W0
    assert_eq!(life.excluded_keys, 1);
    // active(t) = active(t−1) − |dormant(t)| + new + resurrecting:
    // W1: 1 − 0 + 1 + 0 = 2; W2: 2 − 1 + 0 + 1 = 2; W3: 2 − 2 + 0 + 1 = 1; W4: 1 − 1 + 0 + 1 = 1.
    assert_eq!(
        (0..4).map(|t| life.active(t)).collect::<Vec<_>>(),
        vec![2, 2, 1, 1]
    );

    // First seen: eve's first event (W0) becomes her creation → W0 new (before the range),
    // then W1 dormant, W2 resurrecting.
    let first_seen = run(&table, created, MissingCreation::FirstSeen)?;
    assert_eq!(first_seen.resurrecting, vec![0, 2, 1, 1]);
    assert_eq!(first_seen.dormant, vec![-1, -1, -3, -1]);
    assert_eq!(first_seen.active_before, 2);
    assert_eq!(first_seen.excluded_keys, 0);

    let frame = life.to_frame()?;
    assert_eq!(frame.height(), 16);
    let dormant: i64 = frame
        .clone()
        .lazy()
        .filter(col("status").eq(lit("dormant")))
        .select([col("count").sum()])
        .collect()?
        .column("count")?
        .i64()?
        .get(0)
        .ok_or("sum")?;
    assert_eq!(dormant, -4);
    Ok(())
}

#[test]
fn creation_times_from_a_person_frame() -> TestResult {
    let (table, _) = scenario()?;
    let persons = df!(
        "person" => ["ann", "bob", "cy", "dee", "eve", "ann"],
        "created_at" => [Some("2026-10-05 08:00:00"), Some("2026-08-03"), Some("2026-10-06T08:00:00Z"), Some("2025-01-01 00:00:00"), None, Some("2026-10-09 00:00:00")],
    )?;
    let created = PersonCreation::from_frame(&persons, "person", "created_at")?;
    assert_eq!(created.get("ann"), Some(at("2026-10-05 08:00:00")?)); // the earlier of two rows
    assert_eq!(created.get("eve"), None);
    let life = run(&table, created, MissingCreation::Exclude)?;
    assert_eq!(life.new, vec![1, 0, 0, 0]);
    assert_eq!(life.excluded_keys, 1);

    let bad = df!("person" => ["ann"], "created_at" => ["yesterday"])?;
    assert!(matches!(
        PersonCreation::from_frame(&bad, "person", "created_at"),
        Err(KpiError::InvalidColumn { .. })
    ));
    assert!(matches!(
        PersonCreation::from_frame(&bad, "person", "signup"),
        Err(KpiError::MissingColumn { .. })
    ));
    let no_policy = LifecycleQuery::builder(
        date("2026-10-05")?,
        date("2026-11-01")?,
        EventSelector::any(),
    )
    .build();
    assert!(matches!(no_policy, Err(KpiError::InvalidInput { .. })));
    Ok(())
}

#[test]
fn weekly_lifecycle_matches_pandas_on_the_sample_events() -> TestResult {
    let table = sample_events()?;
    let fx = &fixture()?["lifecycle_weekly"];
    let life = LifecycleQuery::builder(
        date("2026-08-17")?,
        date("2026-10-31")?,
        EventSelector::any(),
    )
    .grain(Grain::Week)
    .persons(PersonCreation::none(), MissingCreation::FirstSeen)
    .build()?
    .run(&table)?;
    let as_f64 = |v: &[u64]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
    assert_eq!(as_f64(&life.new), numbers(&fx["new"]));
    assert_eq!(as_f64(&life.returning), numbers(&fx["returning"]));
    assert_eq!(as_f64(&life.resurrecting), numbers(&fx["resurrecting"]));
    assert_eq!(
        life.dormant.iter().map(|&x| x as f64).collect::<Vec<_>>(),
        numbers(&fx["dormant"])
    );
    let starts: Vec<String> = life
        .periods
        .iter()
        .map(|p| p.first_day().to_string())
        .collect();
    let weeks: Vec<String> = fx["weeks"]
        .as_array()
        .ok_or("weeks")?
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    assert_eq!(starts, weeks);
    Ok(())
}

proptest! {
    #[test]
    fn lifecycle_identities_hold_and_shards_add_up(
        events in prop::collection::vec((0u8..10, 0u8..60), 1..80),
        created_offsets in prop::collection::vec(prop::option::of(0u8..30), 10),
    ) {
        // Persons are created at most 29 days before their first event (or have no creation
        // time and are first seen), so nobody is active before creation.
        let run = |evs: &[(u8, u8)]| -> Result<Lifecycle, Box<dyn Error>> {
            let base = at("2026-09-01 00:00:00")?;
            let mut b = EventTableBuilder::new(Vec::<String>::new());
            let mut first: HashMap<String, i64> = HashMap::new();
            for &(k, d) in evs {
                let ts = base + i64::from(d) * 86_400_000_000;
                let name = format!("k{k}");
                b.push(&name, ts, "use", &[])?;
                let e = first.entry(name).or_insert(ts);
                *e = (*e).min(ts);
            }
            let created: HashMap<String, i64> = first
                .into_iter()
                .filter_map(|(name, ts)| {
                    let k: usize = name[1..].parse().ok()?;
                    created_offsets[k].map(|o| (name, ts - i64::from(o) * 86_400_000_000))
                })
                .collect();
            Ok(LifecycleQuery::builder(date("2026-09-08")?, date("2026-10-30")?, EventSelector::any())
                .grain(Grain::Week)
                .persons(PersonCreation::from_map(created), MissingCreation::FirstSeen)
                .build()?
                .run(&b.build())?)
        };
        let life = run(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Brute force: persons active per week, from the raw events.
        let week_of = |d: u8| (i64::from(d) + 1).div_euclid(7); // day 0 is Tuesday Sep 1
        let mut previous = life.active_before;
        for t in 0..life.periods.len() {
            let active = life.active(t);
            // Week 0 is Mon Aug 31..Sun Sep 6 (the one before the range), week 1 holds Sep 8.
            let w = 1 + t as i64;
            let mut keys: Vec<u8> = events.iter().filter(|(_, d)| week_of(*d) == w).map(|(k, _)| *k).collect();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(active, keys.len() as u64, "week {}", t);
            prop_assert!(life.dormant[t] <= 0);
            prop_assert_eq!(
                active as i64,
                previous as i64 + life.dormant[t] + (life.new[t] + life.resurrecting[t]) as i64
            );
            previous = active;
        }
        let (even, odd): (Vec<_>, Vec<_>) = events.iter().partition(|(k, _)| k % 2 == 0);
        let mut merged = run(&even).map_err(|e| TestCaseError::fail(e.to_string()))?;
        merged.merge(&run(&odd).map_err(|e| TestCaseError::fail(e.to_string()))?)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(merged, life);
    }
}
