use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use prodops_core::{AccountId, Currency, Money, Segment, UserId};
use prodops_feedback::demand::{
    ArrTransform, DemandAccumulator, DemandConfig, DemandRecord, ReachBasis, SegmentWeights,
    Uniform, demand_by_key, request_demand,
};
use prodops_feedback::model::{Account, Importance, RequestBoard, RequestId};
use proptest::prelude::*;

use crate::common::{R, accounts, feedback};

fn day(m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, m, d)
        .and_then(|x| x.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

fn acct(id: &str, arr: Option<&str>, seg: &str) -> Result<Account, Box<dyn std::error::Error>> {
    let a = Account::new(AccountId::new(id)?).with_segment(Segment::all().with("segment", seg)?);
    Ok(match arr {
        Some(x) => a.with_arr(Money::parse_amount(x, Currency::USD)?)?,
        None => a,
    })
}

#[test]
fn demand_matches_the_hand_computation() -> R {
    let table: HashMap<AccountId, Account> = [
        acct("acct-1", Some("10000"), "Enterprise")?,
        acct("acct-2", Some("40000"), "SMB")?,
        acct("acct-3", None, "SMB")?,
    ]
    .into_iter()
    .map(|a| (a.id.clone(), a))
    .collect();
    let a = |s: &str| AccountId::new(s).ok();
    let recs = [
        DemandRecord::new(a("acct-1"), None, Importance::Important, day(5, 1)),
        DemandRecord::new(a("acct-1"), None, Importance::Critical, day(5, 21)),
        DemandRecord::new(a("acct-2"), None, Importance::NiceToHave, day(5, 31)),
        DemandRecord::new(a("acct-3"), None, Importance::NotImportant, day(5, 11)),
        DemandRecord::new(
            None,
            UserId::new("u9").ok(),
            Importance::Important,
            day(5, 21),
        ),
        DemandRecord::new(None, None, Importance::NiceToHave, day(4, 1)),
    ];
    let cfg = DemandConfig::new(day(5, 31)).half_life_days(10.0);
    let out = demand_by_key(
        recs.iter().map(|r| ("sso", r.clone())),
        &table,
        &cfg,
        &Uniform,
    )?;
    let d = &out["sso"];
    assert_eq!(
        (d.records, d.unique_accounts, d.unique_people, d.missing_arr),
        (6, 3, 2, 1)
    );
    // Latest importance per voter: acct-1 Critical 3, acct-2 1, acct-3 0, u9 2, anonymous 1.
    assert_eq!(d.importance_weighted, 7.0);
    assert_eq!(d.arr_weighted, 50_000.0);
    // Ages 10, 0, 20 days for the accounts; 10 and 60 for the others; half-life 10.
    assert!((d.decayed_accounts - 1.75).abs() < 1e-12);
    assert!((d.decayed_people - (0.5 + 0.5f64.powi(6))).abs() < 1e-12);
    // Four voters' latest records fall after 2026-05-01; the first record is 1,440 h old.
    assert_eq!(d.last_30_days, 4);
    assert!((d.trending - 19.0 / 1442f64.powf(1.4)).abs() < 1e-15);
    assert_eq!(d.reach(ReachBasis::Customers), 5.0);

    let weights = SegmentWeights {
        dimension: "segment".into(),
        weights: [("Enterprise".to_owned(), 2.0)].into(),
    };
    let cfg = cfg.arr_transform(ArrTransform::Sqrt);
    let d = &demand_by_key(
        recs.iter().map(|r| ("sso", r.clone())),
        &table,
        &cfg,
        &weights,
    )?["sso"];
    // sqrt(10000)·2 + sqrt(40000)·1 = 200 + 200.
    assert_eq!(d.arr_weighted, 400.0);
    assert_eq!(d.weighted_accounts, 4.0);
    assert!(
        demand_by_key(
            recs.iter().map(|r| ("x", r.clone())),
            &table,
            &DemandConfig::new(day(5, 31)).half_life_days(0.0),
            &Uniform
        )
        .is_err()
    );
    Ok(())
}

#[test]
fn merged_requests_count_each_account_once() -> R {
    let table: HashMap<AccountId, Account> = accounts()?
        .data
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let mut board = RequestBoard::new();
    let (a, b) = (RequestId::new("dark-mode")?, RequestId::new("dark-theme")?);
    board.add_request(a.clone(), "Dark mode", day(1, 1))?;
    board.add_request(b.clone(), "Dark theme", day(1, 1))?;
    let items = feedback()?.data;
    for it in items
        .iter()
        .filter(|i| i.text.to_lowercase().contains("dark mode"))
    {
        let target = if it.id.as_str() < "fb-001000" { &a } else { &b };
        board.link(it, target, Importance::Important, it.received_at)?;
    }
    let cfg = DemandConfig::new(day(12, 31));
    let before = request_demand(&board, &table, &cfg, &Uniform)?;
    board.merge(&b, &a, day(6, 1))?;
    let after = request_demand(&board, &table, &cfg, &Uniform)?;
    assert_eq!(after.len(), 1);
    let union: std::collections::BTreeSet<_> = items
        .iter()
        .filter(|i| i.text.to_lowercase().contains("dark mode"))
        .filter_map(|i| i.account.clone())
        .collect();
    assert_eq!(after[&a].unique_accounts, union.len() as u64);
    assert!(after[&a].unique_accounts <= before[&a].unique_accounts + before[&b].unique_accounts);
    assert!(
        after[&a].unique_accounts >= before[&a].unique_accounts.max(before[&b].unique_accounts)
    );
    Ok(())
}

fn record() -> impl Strategy<Value = DemandRecord> {
    (
        proptest::option::of(0u8..6),
        proptest::option::of(0u8..4),
        0i64..3,
        1u32..28,
        1u32..13,
    )
        .prop_map(|(a, p, imp, d, m)| {
            DemandRecord::new(
                a.and_then(|a| AccountId::new(format!("acct-{a}")).ok()),
                p.and_then(|p| UserId::new(format!("u{p}")).ok()),
                Importance::from_level(imp).unwrap_or(Importance::NiceToHave),
                day(m, d),
            )
        })
}

proptest! {
    #[test]
    fn demand_is_shard_invariant(recs in proptest::collection::vec(record(), 0..40), cut in 0usize..40) {
        let cut = cut.min(recs.len());
        let cfg = DemandConfig::new(day(12, 31));
        let table = HashMap::new();
        let mut whole = DemandAccumulator::default();
        recs.iter().for_each(|r| whole.add(r));
        let (mut left, mut right) = (DemandAccumulator::default(), DemandAccumulator::default());
        recs[..cut].iter().for_each(|r| left.add(r));
        recs[cut..].iter().for_each(|r| right.add(r));
        left.merge(&right);
        let (x, y) = (whole.finish(&table, &cfg, &Uniform), left.finish(&table, &cfg, &Uniform));
        let (x, y) = (x.map_err(|e| TestCaseError::fail(e.to_string()))?, y.map_err(|e| TestCaseError::fail(e.to_string()))?);
        prop_assert_eq!(x.unique_accounts, y.unique_accounts);
        prop_assert_eq!(x.unique_people, y.unique_people);
        prop_assert_eq!(x.records, y.records);
        prop_assert!((x.importance_weighted - y.importance_weighted).abs() < 1e-9);
        prop_assert!((x.decayed_accounts - y.decayed_accounts).abs() < 1e-9);
        prop_assert!(x.importance_weighted <= 3.0 * (x.unique_accounts + x.unique_people) as f64);
        prop_assert!(x.decayed_accounts <= x.unique_accounts as f64 + 1e-12);
    }
}

/// Theme demand on the sample against pandas (fixtures/theme_demand.py).
#[test]
fn theme_demand_matches_pandas() -> R {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/theme_demand.json"
    ))?;
    let want: serde_json::Value = serde_json::from_str(&raw)?;
    let table: HashMap<AccountId, Account> = accounts()?
        .data
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let items = feedback()?.data;
    let records = items.iter().flat_map(|it| {
        it.tags.iter().map(|t| {
            (
                t.clone(),
                DemandRecord::new(
                    it.account.clone(),
                    it.author.clone(),
                    Importance::NiceToHave,
                    it.received_at,
                ),
            )
        })
    });
    let records: Vec<_> = records.collect();
    let cfg = DemandConfig::new(day(12, 31));
    let plain = demand_by_key(records.iter().cloned(), &table, &cfg, &Uniform)?;
    let sqrt = demand_by_key(
        records,
        &table,
        &cfg.clone().arr_transform(ArrTransform::Sqrt),
        &Uniform,
    )?;
    let obj = want.as_object().ok_or("object")?;
    assert_eq!(plain.len(), obj.len());
    for (theme, w) in obj {
        let (d, s) = (&plain[theme], &sqrt[theme]);
        let f = |k: &str| w[k].as_f64().unwrap_or(f64::NAN);
        assert_eq!(d.records as f64, f("items"), "{theme}");
        assert_eq!(d.unique_accounts as f64, f("unique_accounts"), "{theme}");
        assert!((d.arr_weighted - f("arr_sum")).abs() < 1e-6, "{theme}");
        assert!((s.arr_weighted - f("arr_sqrt_sum")).abs() < 1e-8, "{theme}");
        assert!(
            (d.decayed_accounts - f("decayed_accounts")).abs() < 1e-9,
            "{theme}"
        );
        assert_eq!(d.missing_arr, 0);
    }
    Ok(())
}
