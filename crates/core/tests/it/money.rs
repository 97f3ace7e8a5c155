use prodops_core::strategies;
use prodops_core::{CoreError, Currency, Decimal, Money};
use proptest::prelude::*;

fn usd(s: &str) -> Money {
    Money::parse_amount(s, Currency::USD).unwrap()
}

#[test]
fn decimal_sums_are_exact() {
    // The classic binary floating-point failure: 0.1 + 0.2 != 0.3.
    let total = Money::sum(Currency::USD, &[usd("0.1"), usd("0.2")]).unwrap();
    assert_eq!(total, usd("0.3"));
    let many = vec![usd("0.01"); 1000];
    assert_eq!(Money::sum(Currency::USD, &many).unwrap(), usd("10"));
}

#[test]
fn currencies_must_agree() {
    let eur = Money::parse_amount("1", Currency::EUR).unwrap();
    assert!(matches!(
        usd("1").checked_add(&eur),
        Err(CoreError::CurrencyMismatch { .. })
    ));
    assert!(Money::sum(Currency::USD, &[usd("1"), eur]).is_err());
}

#[test]
fn minor_units_follow_iso_4217() {
    assert_eq!(
        Money::from_minor(1234, Currency::JPY).unwrap().to_string(),
        "1234 JPY"
    );
    let kwd = Currency::new("kwd").unwrap();
    assert_eq!(kwd.code(), "KWD");
    assert_eq!(
        Money::from_minor(1234, kwd).unwrap().to_string(),
        "1.234 KWD"
    );
    assert_eq!(usd("5").to_string(), "5.00 USD");
    assert_eq!(usd("5.125").to_string(), "5.125 USD");
}

#[test]
fn rounding_is_half_away_from_zero() {
    assert_eq!(usd("2.345").round_to_minor(), usd("2.35"));
    assert_eq!(usd("-2.345").round_to_minor(), usd("-2.35"));
    assert_eq!(usd("2.344").round_to_minor(), usd("2.34"));
}

#[test]
fn parsing_accepts_both_orders_and_rejects_junk() {
    assert_eq!("EUR 3.50".parse::<Money>().unwrap().to_string(), "3.50 EUR");
    assert_eq!("3.50 eur".parse::<Money>().unwrap().to_string(), "3.50 EUR");
    for bad in ["", "3.50", "3.50 EURO", "abc USD", "1 2 USD"] {
        assert!(bad.parse::<Money>().is_err(), "{bad:?}");
    }
    assert!(Currency::new("US").is_err());
    assert!(Currency::new("U$D").is_err());
}

#[test]
fn mul_and_sign() {
    let mrr = usd("99.99");
    assert_eq!(mrr.checked_mul(Decimal::from(12)).unwrap(), usd("1199.88"));
    assert!(usd("-0.01").is_negative());
    assert!(!usd("0").is_negative());
    assert_eq!(usd("12.5").to_f64(), 12.5);
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let max = Money::new(Decimal::MAX, Currency::USD);
    assert!(matches!(
        max.checked_add(&usd("1")),
        Err(CoreError::InvalidAmount { .. })
    ));
    assert!(max.checked_mul(Decimal::from(2)).is_err());
}

proptest! {
    #[test]
    fn add_then_sub_is_identity(a in strategies::money(), b in strategies::money()) {
        let b = Money::new(b.amount(), a.currency());
        prop_assert_eq!(a.checked_add(&b).unwrap().checked_sub(&b).unwrap(), a);
    }

    #[test]
    fn money_round_trips_through_text_and_json(m in strategies::money()) {
        prop_assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        let json = serde_json::to_string(&m).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }

    #[test]
    fn rounding_moves_less_than_half_a_minor_unit(m in strategies::money()) {
        let diff = (m.round_to_minor().amount() - m.amount()).abs();
        let half = Decimal::new(5, m.currency().minor_units() + 1);
        prop_assert!(diff <= half);
    }
}
