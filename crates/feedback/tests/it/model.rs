use chrono::{NaiveDate, NaiveDateTime};
use prodops_core::AccountId;
use prodops_feedback::FeedbackError;
use prodops_feedback::model::{
    Channel, FeedbackId, FeedbackItem, Importance, RequestBoard, RequestId, Score, ScoreScale,
    Status, Taxonomy, Theme, ThemeId,
};

use crate::common::R;

fn t(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 5, day)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default()
}

#[test]
fn items_round_trip_through_serde() -> R {
    let item = FeedbackItem::new(
        FeedbackId::new("fb-1")?,
        Channel::Custom("partner".into()),
        t(1),
        "Slow export",
    )?
    .with_account(AccountId::new("acct-1")?)
    .with_score(Score::new(ScoreScale::Csat, 2.0)?)
    .with_tags(vec!["performance".into()]);
    let json = serde_json::to_string(&item)?;
    assert!(json.contains(r#""channel":{"custom":"partner"}"#), "{json}");
    let back: FeedbackItem = serde_json::from_str(&json)?;
    assert_eq!(back, item);
    assert!(serde_json::from_str::<FeedbackId>("\"  \"").is_err());
    Ok(())
}

#[test]
fn scores_are_checked_against_their_scale() {
    assert!(Score::new(ScoreScale::Nps, 10.0).is_ok());
    assert!(Score::new(ScoreScale::Nps, 0.0).is_ok());
    assert!(matches!(
        Score::new(ScoreScale::Nps, 11.0),
        Err(FeedbackError::InvalidScore { .. })
    ));
    assert!(Score::new(ScoreScale::Csat, 0.0).is_err());
    assert!(Score::new(ScoreScale::Stars, 4.5).is_err());
    assert!(Score::new(ScoreScale::Stars, f64::NAN).is_err());
    assert!(Importance::from_level(4).is_err());
    assert_eq!(
        Importance::from_level(3).map(Importance::level).ok(),
        Some(3)
    );
}

#[test]
fn status_workflow_allows_only_listed_transitions() -> R {
    let mut b = RequestBoard::new();
    let r = RequestId::new("dark-mode")?;
    b.add_request(r.clone(), "Dark mode", t(1))?;
    assert!(matches!(
        b.set_status(&r, Status::Completed),
        Err(FeedbackError::InvalidTransition { .. })
    ));
    b.set_status(&r, Status::UnderReview)?;
    b.set_status(&r, Status::Planned)?;
    b.set_status(&r, Status::InProgress)?;
    b.set_status(&r, Status::Completed)?;
    // Completed is closed: votes are refused (Fider's CanBeVoted).
    assert!(matches!(
        b.vote(&r, None, None, Importance::NiceToHave, t(2)),
        Err(FeedbackError::VoteOnClosedRequest { .. })
    ));
    b.set_status(&r, Status::Open)?;
    b.vote(&r, None, None, Importance::NiceToHave, t(2))?;
    // Duplicate is only reachable through merge.
    assert!(b.set_status(&r, Status::Duplicate(r.clone())).is_err());
    assert!(matches!(
        b.set_status(&RequestId::new("nope")?, Status::Open),
        Err(FeedbackError::UnknownRequest(_))
    ));
    Ok(())
}

#[test]
fn merges_resolve_transitively_and_reject_self_and_cycles() -> R {
    let mut b = RequestBoard::new();
    let ids: Vec<RequestId> = ["a", "b", "c"]
        .iter()
        .map(RequestId::new)
        .collect::<Result<_, _>>()?;
    for id in &ids {
        b.add_request(id.clone(), format!("request {id}"), t(1))?;
        b.vote(
            id,
            Some(AccountId::new(format!("acct-{id}"))?),
            None,
            Importance::Important,
            t(2),
        )?;
    }
    assert!(matches!(
        b.merge(&ids[0], &ids[0], t(3)),
        Err(FeedbackError::SelfMerge(_))
    ));
    b.merge(&ids[0], &ids[1], t(3))?;
    b.merge(&ids[1], &ids[2], t(4))?;
    assert_eq!(b.canonical(&ids[0])?, ids[2]);
    // c into a would close the loop a -> b -> c -> a.
    assert!(matches!(
        b.merge(&ids[2], &ids[0], t(5)),
        Err(FeedbackError::MergeCycle { .. })
    ));
    let resolved = b.resolved_links()?;
    assert_eq!(resolved.len(), 1);
    assert_eq!(
        resolved[&ids[2]].len(),
        3,
        "every account that asked is kept"
    );
    assert_eq!(b.merges().len(), 2);
    assert_eq!(b.request(&ids[2])?.merged_from, [ids[1].clone()]);
    Ok(())
}

#[test]
fn taxonomy_validates_parents_duplicates_and_cycles() -> R {
    let tax = Taxonomy::new(vec![
        Theme::new("product", None, &[])?,
        Theme::new("performance", Some("product"), &["slow"])?,
        Theme::new("load_time", Some("performance"), &["load time"])?,
    ])?;
    assert_eq!(tax.level(&ThemeId::new("load_time")?)?, 3);
    assert_eq!(
        tax.resolve("performance", "fb-1")?,
        ThemeId::new("performance")?
    );
    assert!(
        matches!(tax.resolve("speed", "fb-1"), Err(FeedbackError::UnknownTheme { by, .. }) if by == "fb-1")
    );
    assert!(tax.resolve("", "fb-1").is_err());
    assert!(matches!(
        tax.path(&ThemeId::new("x")?),
        Err(FeedbackError::UnknownTheme { .. })
    ));
    assert!(matches!(
        Taxonomy::new(vec![
            Theme::new("a", None, &[])?,
            Theme::new("a", None, &[])?
        ]),
        Err(FeedbackError::DuplicateTheme(_))
    ));
    assert!(
        Taxonomy::new(vec![
            Theme::new("a", Some("b"), &[])?,
            Theme::new("b", Some("a"), &[])?
        ])
        .is_err()
    );
    let json = serde_json::to_string(&tax)?;
    let back: Taxonomy = serde_json::from_str(&json)?;
    assert_eq!(back, tax);
    assert!(serde_json::from_str::<Taxonomy>(r#"[{"id":"a","parent":"zz","name":"a"}]"#).is_err());
    Ok(())
}
