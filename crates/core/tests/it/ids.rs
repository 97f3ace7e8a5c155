use std::collections::HashSet;

use prodops_core::strategies;
use prodops_core::{AccountId, CoreError, DimensionName, Segment, UserId};
use proptest::prelude::*;

#[test]
fn ids_are_trimmed_and_validated() {
    assert_eq!(UserId::new(" u-1 ").unwrap().as_str(), "u-1");
    for bad in ["", "   ", "a\nb", "tab\there"] {
        let err = AccountId::new(bad).unwrap_err();
        assert!(
            matches!(
                err,
                CoreError::InvalidId {
                    kind: "account id",
                    ..
                }
            ),
            "{bad:?}"
        );
    }
    assert!(AccountId::new("x".repeat(257)).is_err());
    assert!(AccountId::new("x".repeat(256)).is_ok());
}

#[test]
fn ids_deserialize_through_validation() {
    let ok: AccountId = serde_json::from_str(r#""acct-1""#).unwrap();
    assert_eq!(ok.as_str(), "acct-1");
    assert!(serde_json::from_str::<AccountId>(r#""  ""#).is_err());
}

#[test]
fn dimension_names_are_identifiers() {
    for good in ["plan", "_x", "region_2"] {
        assert!(DimensionName::new(good).is_ok(), "{good}");
    }
    for bad in ["", "2plan", "plan-type", "plan type", "é"] {
        assert!(DimensionName::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn segments_replace_a_dimension_and_nest() {
    let s = Segment::all()
        .with("plan", "Pro")
        .unwrap()
        .with("plan", "Free")
        .unwrap();
    assert_eq!(s.to_string(), "plan=Free");
    let wide = Segment::all().with("region", "EMEA").unwrap();
    let narrow = wide.clone().with("plan", "Free").unwrap();
    assert!(wide.contains(&narrow));
    assert!(!narrow.contains(&wide));
    assert!(Segment::all().contains(&narrow));
    assert!(Segment::all().with("bad name", "x").is_err());
}

#[test]
fn segments_deserialize_into_canonical_order() {
    let s: Segment = serde_json::from_str(r#"{"region":"NA","plan":"Pro"}"#).unwrap();
    assert_eq!(s.to_string(), "plan=Pro, region=NA");
    assert!(serde_json::from_str::<Segment>(r#"{"bad-name":"x"}"#).is_err());
}

proptest! {
    #[test]
    fn segment_equality_ignores_insertion_order(s in strategies::segment()) {
        let reversed = s
            .pairs()
            .rev()
            .fold(Segment::all(), |acc, (d, v)| acc.with(d.as_str(), v).unwrap());
        prop_assert_eq!(&reversed, &s);
        let set: HashSet<Segment> = [s.clone(), reversed].into_iter().collect();
        prop_assert_eq!(set.len(), 1);
        let json = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<Segment>(&json).unwrap(), s);
    }
}
