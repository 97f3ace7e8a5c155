//! Number formatting for axes, cells and data tables.

use prodops_report::NumberFormat;

#[test]
fn auto_format_picks_decimals_by_magnitude_and_groups_thousands() {
    let f = NumberFormat::Auto;
    assert_eq!(f.format(0.0), "0");
    assert_eq!(f.format(1.23456), "1.23");
    assert_eq!(f.format(-1.23456), "-1.23");
    assert_eq!(f.format(42.25), "42.2"); // round-half-even of the binary value 42.25 → 42.2
    assert_eq!(f.format(999.0), "999");
    assert_eq!(f.format(1000.0), "1,000");
    assert_eq!(f.format(123_456.7), "123,457");
    assert_eq!(f.format(-1_234_567.0), "-1,234,567");
}

#[test]
fn fixed_and_percent_formats() {
    assert_eq!(NumberFormat::Fixed(1).format(2.0), "2.0");
    assert_eq!(NumberFormat::Fixed(0).format(2.6), "3");
    assert_eq!(NumberFormat::Percent(0).format(0.416), "42%");
    assert_eq!(NumberFormat::Percent(2).format(-0.0312), "-3.12%");
}

#[test]
fn values_that_round_to_zero_have_no_minus_sign() {
    assert_eq!(NumberFormat::Fixed(1).format(-0.04), "0.0");
    assert_eq!(NumberFormat::Percent(1).format(-0.0001), "0.0%");
    assert_eq!(NumberFormat::Auto.format(-0.0), "0");
}
