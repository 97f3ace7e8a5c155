//! Items as demand records (`From<&FeedbackItem> for DemandRecord`), keyed by theme.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use prodops_core::{AccountId, Currency, Money, UserId};
use prodops_feedback::demand::{DemandConfig, DemandRecord, Uniform, demand_by_key};
use prodops_feedback::model::{Account, Channel, FeedbackId, FeedbackItem, Importance};

use crate::common::R;

fn at(d: u32) -> Result<NaiveDateTime, Box<dyn std::error::Error>> {
    Ok(NaiveDate::from_ymd_opt(2026, 5, d)
        .and_then(|x| x.and_hms_opt(12, 0, 0))
        .ok_or("date")?)
}

#[test]
fn items_count_once_per_account_with_the_items_time_and_level_one() -> R {
    let (a1, a2) = (AccountId::new("acct-1")?, AccountId::new("acct-2")?);
    let usd = |x: &str| Money::parse_amount(x, Currency::USD);
    let accounts: HashMap<_, _> = [
        Account::new(a1.clone()).with_arr(usd("12000")?)?,
        Account::new(a2.clone()).with_arr(usd("30000")?)?,
    ]
    .into_iter()
    .map(|a| (a.id.clone(), a))
    .collect();
    let item = |id: &str, d: u32, text: &str| -> Result<FeedbackItem, Box<dyn std::error::Error>> {
        Ok(FeedbackItem::new(
            FeedbackId::new(id)?,
            Channel::Survey,
            at(d)?,
            text,
        )?)
    };
    let items = [
        item("f1", 1, "Please add dark mode")?.with_account(a1.clone()),
        item("f2", 2, "Dark mode please, and faster search")?.with_account(a1.clone()),
        item("f3", 3, "Please add dark mode")?.with_account(a2.clone()),
        item("f4", 4, "Search is slow")?.with_author(UserId::new("anon-7")?),
    ];
    let record = DemandRecord::from(&items[3]);
    assert_eq!(record.account, None);
    assert_eq!(record.person, Some(UserId::new("anon-7")?));
    assert_eq!(
        (record.importance, record.at),
        (Importance::NiceToHave, at(4)?)
    );

    let themes = [
        vec!["dark_mode"],
        vec!["dark_mode", "search"],
        vec!["dark_mode"],
        vec!["search"],
    ];
    let records = items
        .iter()
        .zip(&themes)
        .flat_map(|(item, ts)| ts.iter().map(move |t| (*t, DemandRecord::from(item))));
    let demand = demand_by_key(records, &accounts, &DemandConfig::new(at(4)?), &Uniform)?;
    let dark = &demand["dark_mode"];
    // Three items from two accounts: acct-1 counts once. ARR 12,000 + 30,000 = 42,000.
    // Importance: each account's latest record is level 1 (NiceToHave): 1 + 1 = 2.
    assert_eq!(
        (dark.records, dark.unique_accounts, dark.unique_people),
        (3, 2, 0)
    );
    assert_eq!(dark.arr_weighted, 42_000.0);
    assert_eq!(dark.importance_weighted, 2.0);
    let search = &demand["search"];
    // acct-1 (12,000) and one person without an account (no ARR).
    assert_eq!((search.unique_accounts, search.unique_people), (1, 1));
    assert_eq!(search.arr_weighted, 12_000.0);
    Ok(())
}
