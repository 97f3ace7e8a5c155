//! MRR bridge: hand-worked buckets, the pandas reference on data/mrr.csv, bad input, and the
//! identity as a property.

use std::path::PathBuf;

use polars::prelude::*;
use prodops_core::{Currency, Decimal, Grain, Money, Period, Segment};
use prodops_kpi::KpiError;
use prodops_kpi::revenue::{
    BridgeOptions, MrrBridge, MrrColumns, MrrHistory, MrrHistoryBuilder, Reactivation,
};
use proptest::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn usd(cents: i64) -> Result<Money, KpiError> {
    Ok(Money::from_minor(cents, Currency::USD)?)
}

fn usd_text(dollars: &str) -> Result<Money, KpiError> {
    Ok(Money::parse_amount(dollars, Currency::USD)?)
}

fn month(label: &str) -> Result<Period, KpiError> {
    Ok(label.parse()?)
}

/// `start + new + reactivation + expansion − contraction − churn`, exactly.
fn identity_end(b: &MrrBridge) -> Result<Money, KpiError> {
    Ok(b.start
        .checked_add(&b.new)?
        .checked_add(&b.reactivation)?
        .checked_add(&b.expansion)?
        .checked_sub(&b.contraction)?
        .checked_sub(&b.churn)?)
}

/// Six customers over four months, one per bucket, with every bucket in March:
///
/// | customer | Jan | Feb | Mar | Apr |
/// |---|---|---|---|---|
/// | flat     | 100 | 100 | 100 | 100 |
/// | grow     |  50 |  50 |  80 |  80 |
/// | shrink   |  70 |  70 |  30 |  30 |
/// | leave    |  40 |  40 |   — |   — |
/// | comeback |  25 |   — |  35 |   — |
/// | fresh    |   — |   — |  60 |  60 |
fn six_customers() -> Result<MrrHistory, KpiError> {
    let (jan, feb, mar, apr) = (
        month("2026-01")?,
        month("2026-02")?,
        month("2026-03")?,
        month("2026-04")?,
    );
    let rows = [
        ("flat", jan, 100),
        ("flat", feb, 100),
        ("flat", mar, 100),
        ("flat", apr, 100),
        ("grow", jan, 50),
        ("grow", feb, 50),
        ("grow", mar, 80),
        ("grow", apr, 80),
        ("shrink", jan, 70),
        ("shrink", feb, 70),
        ("shrink", mar, 30),
        ("shrink", apr, 30),
        ("leave", jan, 40),
        ("leave", feb, 40),
        ("comeback", jan, 25),
        ("comeback", mar, 35),
        ("fresh", mar, 60),
        ("fresh", apr, 60),
    ];
    let rows = rows
        .into_iter()
        .map(|(c, p, dollars)| Ok((c, p, usd(dollars * 100)?)))
        .collect::<Result<Vec<_>, KpiError>>()?;
    MrrHistory::from_rows(Currency::USD, rows)
}

fn dollars(d: i64) -> Money {
    Money::new(Decimal::from(d), Currency::USD)
}

#[test]
fn every_bucket_by_hand() -> TestResult {
    let table = six_customers()?.bridges(&BridgeOptions::default())?;
    let all = Segment::all();
    assert_eq!(table.bridges.len(), 3); // Feb, Mar, Apr: January only opens the books

    // February: start = 100 + 50 + 70 + 40 + 25 = 285; comeback churns 25; end = 260.
    let feb = table.get(month("2026-02")?, &all).ok_or("no February")?;
    assert_eq!(feb.start, dollars(285));
    assert_eq!(feb.churn, dollars(25));
    assert_eq!(feb.end, dollars(260));
    assert_eq!(feb.customers.churned, 1);
    // GRR = NRR = (285 − 25) / 285 = 260/285; logo churn 1/5; revenue churn 25/285.
    assert_eq!(feb.grr.value(), Some(260.0 / 285.0));
    assert_eq!(feb.nrr.value(), Some(260.0 / 285.0));
    assert_eq!(feb.logo_churn.value(), Some(0.2));
    assert!((feb.revenue_churn.value().ok_or("undefined")? - 25.0 / 285.0).abs() < 1e-15);

    // March: start = 100 + 50 + 70 + 40 = 260.
    //   expansion  grow   80 − 50 = 30
    //   contraction shrink 70 − 30 = 40
    //   churn      leave  40
    //   reactivation comeback 35 (paid 25 in January, nothing in February)
    //   new        fresh  60
    //   end = 260 + 60 + 35 + 30 − 40 − 40 = 305 = 100 + 80 + 30 + 35 + 60
    let mar = table.get(month("2026-03")?, &all).ok_or("no March")?;
    assert_eq!(mar.start, dollars(260));
    assert_eq!(mar.new, dollars(60));
    assert_eq!(mar.reactivation, dollars(35));
    assert_eq!(mar.expansion, dollars(30));
    assert_eq!(mar.contraction, dollars(40));
    assert_eq!(mar.churn, dollars(40));
    assert_eq!(mar.end, dollars(305));
    assert_eq!(identity_end(mar)?, mar.end);
    let c = mar.customers;
    assert_eq!(
        (
            c.start,
            c.end,
            c.new,
            c.reactivated,
            c.expanded,
            c.contracted,
            c.churned
        ),
        (4, 5, 1, 1, 1, 1, 1)
    );
    // GRR = (260 − 40 − 40) / 260 = 180/260 = 9/13
    // NRR = (260 + 30 − 40 − 40) / 260 = 210/260 = 21/26
    // logo churn = 1/4; revenue churn = 40/260 = 2/13
    assert!((mar.grr.value().ok_or("undefined")? - 9.0 / 13.0).abs() < 1e-15);
    assert!((mar.nrr.value().ok_or("undefined")? - 21.0 / 26.0).abs() < 1e-15);
    assert_eq!(mar.logo_churn.value(), Some(0.25));
    assert!((mar.revenue_churn.value().ok_or("undefined")? - 2.0 / 13.0).abs() < 1e-15);
    // ARR = 12 × 305 = 3660; ARPA = 305 / 5 = 61; LTV = 61 / (1/4) = 244.
    assert_eq!(mar.arr()?, dollars(3660));
    assert_eq!(mar.arpa(), Some(dollars(61)));
    assert_eq!(mar.ltv(), Some(dollars(244)));
    assert_eq!(mar.net_new()?, dollars(45));

    // April: comeback churns again (35); everything else is flat. 305 − 35 = 270.
    let apr = table.get(month("2026-04")?, &all).ok_or("no April")?;
    assert_eq!(
        (apr.start, apr.churn, apr.end),
        (dollars(305), dollars(35), dollars(270))
    );
    assert_eq!(apr.new, dollars(0));
    assert_eq!(apr.expansion, dollars(0));
    Ok(())
}

#[test]
fn arr_arpu_ltv() -> TestResult {
    use prodops_kpi::revenue::{arpu, arr, ltv};
    // 12 × 123.45 = 1481.40
    assert_eq!(arr(&usd_text("123.45")?)?, usd_text("1481.40")?);
    // 100 / 3 = 33.333…; only zero users is undefined.
    let third = arpu(&usd_text("100.00")?, 3).ok_or("undefined")?;
    assert_eq!(third.round_to_minor(), usd_text("33.33")?);
    assert_eq!(arpu(&usd_text("100.00")?, 0), None);
    // 40 / 0.25 = 160; a zero churn rate has no finite lifetime; a negative one is an error.
    assert_eq!(
        ltv(&usd_text("40.00")?, Decimal::new(25, 2))?,
        Some(usd_text("160.00")?)
    );
    assert_eq!(ltv(&usd_text("40.00")?, Decimal::ZERO)?, None);
    assert!(matches!(
        ltv(&usd_text("40.00")?, Decimal::new(-1, 2)),
        Err(KpiError::InvalidInput { .. })
    ));
    Ok(())
}

#[test]
fn posthog_convention_folds_reactivation_into_new() -> TestResult {
    let options = BridgeOptions::default().reactivation(Reactivation::FoldIntoNew);
    let table = six_customers()?.bridges(&options)?;
    let mar = table
        .get(month("2026-03")?, &Segment::all())
        .ok_or("no March")?;
    // new = fresh 60 + comeback 35 = 95
    assert_eq!(mar.new, dollars(95));
    assert_eq!(mar.reactivation, dollars(0));
    assert_eq!((mar.customers.new, mar.customers.reactivated), (2, 0));
    assert_eq!(identity_end(mar)?, mar.end);
    Ok(())
}

#[test]
fn zero_start_gives_undefined_rates_with_reasons() -> TestResult {
    // January empty (a zero row), February one new customer: start = 0.
    let history = MrrHistory::from_rows(
        Currency::USD,
        [
            ("a", month("2026-01")?, usd(0)?),
            ("b", month("2026-02")?, usd(9_99)?),
        ],
    )?;
    let table = history.bridges(&BridgeOptions::default())?;
    let feb = table.bridges.first().ok_or("no bridge")?;
    assert_eq!(feb.new, usd(9_99)?);
    for rate in [&feb.grr, &feb.nrr, &feb.logo_churn, &feb.revenue_churn] {
        assert_eq!(rate.value(), None);
        assert!(
            rate.undefined
                .as_deref()
                .is_some_and(|r| r.contains("start"))
        );
    }
    // No churn: lifetime value is unbounded, so undefined.
    assert_eq!(feb.ltv(), None);
    let frame = table.to_frame()?;
    assert_eq!(frame.column("grr")?.null_count(), 1);
    Ok(())
}

#[test]
fn quiet_months_get_zero_bridges_and_gaps_are_churn() -> TestResult {
    // a pays in January and April only: February churn 10, March nothing, April reactivation.
    let history = MrrHistory::from_rows(
        Currency::EUR,
        [
            (
                "a",
                month("2026-01")?,
                Money::from_minor(10_00, Currency::EUR)?,
            ),
            (
                "a",
                month("2026-04")?,
                Money::from_minor(12_00, Currency::EUR)?,
            ),
        ],
    )?;
    let table = history.bridges(&BridgeOptions::default())?;
    let labels: Vec<String> = table.bridges.iter().map(|b| b.period.label()).collect();
    assert_eq!(labels, ["2026-02", "2026-03", "2026-04"]);
    let eur = |minor| Money::from_minor(minor, Currency::EUR);
    assert_eq!(table.bridges[0].churn, eur(10_00)?);
    assert_eq!(table.bridges[1].start, eur(0)?);
    assert_eq!(table.bridges[1].end, eur(0)?);
    assert_eq!(table.bridges[2].reactivation, eur(12_00)?);
    Ok(())
}

#[test]
fn bad_rows_are_errors_naming_the_row() -> TestResult {
    let oct = month("2026-10")?;
    let mut b = MrrHistoryBuilder::new(Currency::USD);
    b.push("a", oct, usd(1_00)?)?;
    let negative = b
        .push("b", oct, usd(-1)?)
        .err()
        .ok_or("negative accepted")?;
    assert!(matches!(negative, KpiError::InvalidInput { ref what, .. } if what.contains("row 1")));
    let duplicate = b
        .push("a", oct, usd(2_00)?)
        .err()
        .ok_or("duplicate accepted")?;
    assert!(duplicate.to_string().contains("row 2"));
    assert!(duplicate.to_string().contains("(row 0)"));
    let euros = b
        .push("c", oct, Money::from_minor(1, Currency::EUR)?)
        .err()
        .ok_or("euros accepted")?;
    assert!(matches!(euros, KpiError::CurrencyMismatch { ref what } if what.contains("row 3")));
    let week = Period::containing(Grain::Week, oct.first_day());
    let wrong_grain = b.push("d", week, usd(1)?).err().ok_or("week accepted")?;
    assert!(wrong_grain.to_string().contains("row 4"));
    assert!(b.push(" ", oct, usd(1)?).is_err());
    // Only the first row was accepted.
    assert_eq!(b.build().total(oct)?, usd(1_00)?);
    Ok(())
}

#[test]
fn bad_frame_rows_are_rejected_in_the_report() -> TestResult {
    let df = df!(
        "account_id" => [Some("a"), Some("a"), Some("b"), Some("c"), None, Some("d"), Some("a")],
        "month" => [Some("2026-09-01"), Some("2026-10-01"), Some("Sept"), Some("2026-10"), Some("2026-10"), None, Some("2026-10-15")],
        "mrr" => [Some("10"), Some("12.5"), Some("3"), Some("-4"), Some("1"), Some("1"), Some("99")],
    )?;
    let loaded = MrrHistory::from_frame(&df, &MrrColumns::default(), Currency::USD)?;
    let rejected: Vec<(u64, Option<&str>)> = loaded
        .report
        .rejected()
        .iter()
        .map(|r| (r.line, r.column.as_deref()))
        .collect();
    assert_eq!(
        rejected,
        [
            (3, Some("month")),      // "Sept" is not a period
            (4, Some("mrr")),        // negative
            (5, Some("account_id")), // no customer
            (6, Some("month")),      // no month
            (7, Some("month")),      // a second October row for a (2026-10-15 is October)
        ]
    );
    assert_eq!(loaded.report.rows_accepted(), 2);
    let table = loaded.history.bridges(&BridgeOptions::default())?;
    assert_eq!(table.bridges[0].expansion, usd(2_50)?);

    let missing = MrrHistory::from_frame(
        &df,
        &MrrColumns::default().with_segments(["plan"]),
        Currency::USD,
    );
    assert!(matches!(missing, Err(KpiError::MissingColumn { ref column, .. }) if column == "plan"));
    let floats = df!("account_id" => ["a"], "month" => [1.5], "mrr" => [1.0])?;
    assert!(matches!(
        MrrHistory::from_frame(&floats, &MrrColumns::default(), Currency::USD),
        Err(KpiError::InvalidColumn { .. })
    ));
    Ok(())
}

#[test]
fn currency_column_must_match() -> TestResult {
    let columns = MrrColumns::default().with_currency_column("currency");
    let df = df!(
        "account_id" => ["a", "b", "c"],
        "month" => ["2026-10", "2026-10", "2026-10"],
        "mrr" => [1.5, 2.0, 3.0],
        "currency" => [Some("usd"), Some("dollars"), None],
    )?;
    let loaded = MrrHistory::from_frame(&df, &columns, Currency::USD)?;
    // Lower case is a valid code; "dollars" and the null are rejected.
    let lines: Vec<u64> = loaded.report.rejected().iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3]);
    assert_eq!(loaded.history.total(month("2026-10")?)?, usd(1_50)?);

    let mixed = df!(
        "account_id" => ["a", "b"],
        "month" => ["2026-10", "2026-10"],
        "mrr" => [1.0, 2.0],
        "currency" => ["USD", "EUR"],
    )?;
    match MrrHistory::from_frame(&mixed, &columns, Currency::USD) {
        Err(KpiError::CurrencyMismatch { what }) => assert!(what.contains("line 2"), "{what}"),
        other => return Err(format!("expected a currency mismatch, got {other:?}").into()),
    }
    Ok(())
}

fn mrr_csv() -> Result<LazyFrame, KpiError> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mrr.csv");
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path))?
        .finish()?;
    Ok(df.lazy())
}

fn reference() -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/revenue_mrr_bridge.json");
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn check_against(expected: &serde_json::Value, b: &MrrBridge) -> TestResult {
    let what = format!("{} {}", b.period, b.segment);
    let amount = |key: &str| -> Result<Decimal, Box<dyn std::error::Error>> {
        Ok(expected[key]
            .as_str()
            .ok_or(format!("{key} missing"))?
            .parse()?)
    };
    // Amounts match exactly, as decimals.
    for (key, got) in [
        ("start", &b.start),
        ("new", &b.new),
        ("reactivation", &b.reactivation),
        ("expansion", &b.expansion),
        ("contraction", &b.contraction),
        ("churn", &b.churn),
        ("end", &b.end),
    ] {
        assert_eq!(got.amount(), amount(key)?, "{what}: {key}");
    }
    let counts = [
        ("customers_start", b.customers.start),
        ("customers_end", b.customers.end),
        ("customers_new", b.customers.new),
        ("customers_reactivated", b.customers.reactivated),
        ("customers_expanded", b.customers.expanded),
        ("customers_contracted", b.customers.contracted),
        ("customers_churned", b.customers.churned),
    ];
    for (key, got) in counts {
        assert_eq!(Some(got), expected[key].as_u64(), "{what}: {key}");
    }
    // Rates: both sides divide in 28-digit decimal then round to f64; allow 1e-12.
    for (key, got) in [
        ("grr", &b.grr),
        ("nrr", &b.nrr),
        ("logo_churn", &b.logo_churn),
        ("revenue_churn", &b.revenue_churn),
    ] {
        match (expected[key].as_f64(), got.value()) {
            (None, None) => {}
            (Some(e), Some(g)) => assert!((e - g).abs() < 1e-12, "{what}: {key} {g} vs {e}"),
            (e, g) => return Err(format!("{what}: {key} {g:?} vs {e:?}").into()),
        }
    }
    Ok(())
}

#[test]
fn matches_pandas_on_the_sample_data() -> TestResult {
    let columns = MrrColumns::default().with_segments(["segment"]);
    let loaded = MrrHistory::from_lazy(mrr_csv()?, &columns, Currency::USD)?;
    assert!(loaded.report.is_clean(), "{}", loaded.report);
    let options = BridgeOptions::default();
    let overall = loaded.history.bridges(&options)?;
    let by_segment = loaded.history.bridges_by_segment(&options)?;
    let expected = reference()?;
    let mut checked = 0;
    let mut reactivations = 0;
    for e in &expected {
        let period = month(e["month"].as_str().ok_or("month missing")?)?;
        let segment = match e["segment"].as_str() {
            None => Segment::all(),
            Some(s) => Segment::all().with("segment", s)?,
        };
        let table = if segment.is_all() {
            &overall
        } else {
            &by_segment
        };
        let b = table
            .get(period, &segment)
            .ok_or(format!("no bridge {period} {segment}"))?;
        check_against(e, b)?;
        assert_eq!(identity_end(b)?, b.end);
        checked += 1;
        reactivations += b.customers.reactivated;
    }
    assert_eq!(checked, overall.bridges.len() + by_segment.bridges.len());
    // The sample has returning customers, so the reactivation bucket is exercised.
    assert!(reactivations > 0);

    let frame = by_segment.to_frame()?;
    assert_eq!(frame.height(), by_segment.bridges.len());
    assert_eq!(frame.column("segment")?.dtype(), &DataType::String);

    // The typed bridges serialize with exact decimal amounts and every rate.
    let json = serde_json::to_value(&overall.bridges[0])?;
    assert_eq!(json["start"]["amount"], expected[0]["start"]);
    assert!(json["grr"]["value"].is_f64());
    Ok(())
}

/// A random history: up to 8 customers over up to 8 months, each month either absent or an
/// amount in cents (an explicit zero one time in five), each customer in one of two segments
/// that may change from month to month.
fn histories() -> impl Strategy<Value = Vec<(u8, u8, i64, bool)>> {
    let cents = prop_oneof![1 => Just(0i64), 4 => 1i64..100_000];
    prop::collection::vec((0u8..8, 0u8..8, cents, any::<bool>()), 0..60)
}

fn build(rows: &[(u8, u8, i64, bool)]) -> Result<MrrHistory, KpiError> {
    let base = month("2026-01")?;
    let mut b = MrrHistoryBuilder::new(Currency::USD);
    let mut seen = std::collections::HashSet::new();
    for &(customer, m, cents, pro) in rows {
        if !seen.insert((customer, m)) {
            continue;
        }
        let segment = Segment::all().with("plan", if pro { "pro" } else { "basic" })?;
        b.push_in_segment(
            format!("c{customer}"),
            base.offset(i64::from(m))?,
            usd(cents)?,
            &segment,
        )?;
    }
    Ok(b.build())
}

/// The first row of each (customer, month), as `build` keeps it.
fn first_rows(rows: &[(u8, u8, i64, bool)]) -> std::collections::BTreeMap<(u8, u8), i64> {
    let mut map = std::collections::BTreeMap::new();
    for &(customer, m, cents, _) in rows {
        map.entry((customer, m)).or_insert(cents);
    }
    map
}

/// The whole population's bridge straight from the definitions, month by month and customer
/// by customer over a dense grid: (month offset, [start, new, reactivation, expansion,
/// contraction, churn, end] in cents).
fn dense_bridges(rows: &[(u8, u8, i64, bool)]) -> Vec<(i64, [i64; 7])> {
    let map = first_rows(rows);
    let (Some(lo), Some(hi)) = (map.keys().map(|k| k.1).min(), map.keys().map(|k| k.1).max())
    else {
        return Vec::new();
    };
    let at = |c: u8, m: u8| map.get(&(c, m)).copied().unwrap_or(0);
    let mut out = Vec::new();
    for t in lo + 1..=hi {
        let mut b = [0i64; 7];
        for c in 0u8..8 {
            let (m0, m1) = (at(c, t - 1), at(c, t));
            let paid_before = (lo..t).any(|s| at(c, s) > 0);
            b[0] += m0;
            b[6] += m1;
            match (m0, m1) {
                (0, 0) => {}
                (0, _) if paid_before => b[2] += m1,
                (0, _) => b[1] += m1,
                (_, 0) => b[5] += m0,
                _ if m1 > m0 => b[3] += m1 - m0,
                _ => b[4] += m0 - m1,
            }
        }
        out.push((i64::from(t), b));
    }
    out
}

proptest! {
    #[test]
    fn sparse_walk_matches_the_dense_definition(rows in histories()) {
        let history = build(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let table = history.bridges(&BridgeOptions::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let base = month("2026-01").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let expected = dense_bridges(&rows);
        prop_assert_eq!(table.bridges.len(), expected.len());
        for (b, (t, cents)) in table.bridges.iter().zip(expected) {
            prop_assert_eq!(b.period.index() - base.index(), t);
            let got = [&b.start, &b.new, &b.reactivation, &b.expansion, &b.contraction, &b.churn, &b.end]
                .map(|m| m.amount());
            prop_assert_eq!(got, cents.map(|c| Decimal::new(c, 2)));
        }
        // Point look-ups agree with the rows.
        for ((c, m), cents) in first_rows(&rows) {
            let period = base.offset(i64::from(m)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(history.mrr(&format!("c{c}"), period).amount(), Decimal::new(cents, 2));
        }
    }

    #[test]
    fn bridge_identity_and_rate_bounds(rows in histories()) {
        let history = build(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let options = BridgeOptions::default();
        let overall = history.bridges(&options).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let by_segment = history.bridges_by_segment(&options).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut previous_end = None;
        for b in &overall.bridges {
            prop_assert_eq!(identity_end(b).map_err(|e| TestCaseError::fail(e.to_string()))?, b.end);
            // Overall, this period's start is the previous period's end.
            if let Some(end) = previous_end {
                prop_assert_eq!(b.start, end);
            }
            previous_end = Some(b.end);
            if let (Some(grr), Some(nrr)) = (b.grr.value(), b.nrr.value()) {
                prop_assert!((0.0..=1.0).contains(&grr));
                prop_assert!(grr <= nrr);
            } else {
                prop_assert!(b.start.amount().is_zero());
            }
            if let Some(logo) = b.logo_churn.value() {
                prop_assert!((0.0..=1.0).contains(&logo));
            }
            // Each bucket adds up across segments.
            let parts: Vec<&MrrBridge> = by_segment.bridges.iter().filter(|s| s.period == b.period).collect();
            let sum = |f: fn(&MrrBridge) -> Decimal| parts.iter().map(|s| f(s)).sum::<Decimal>();
            prop_assert_eq!(sum(|s| s.start.amount()), b.start.amount());
            prop_assert_eq!(sum(|s| s.new.amount()), b.new.amount());
            prop_assert_eq!(sum(|s| s.reactivation.amount()), b.reactivation.amount());
            prop_assert_eq!(sum(|s| s.expansion.amount()), b.expansion.amount());
            prop_assert_eq!(sum(|s| s.contraction.amount()), b.contraction.amount());
            prop_assert_eq!(sum(|s| s.churn.amount()), b.churn.amount());
            prop_assert_eq!(sum(|s| s.end.amount()), b.end.amount());
        }
        for s in &by_segment.bridges {
            prop_assert_eq!(identity_end(s).map_err(|e| TestCaseError::fail(e.to_string()))?, s.end);
        }
        // Folding reactivation into new moves amounts between those two buckets only.
        let folded = history
            .bridges(&BridgeOptions::default().reactivation(Reactivation::FoldIntoNew))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (a, f) in overall.bridges.iter().zip(&folded.bridges) {
            prop_assert_eq!(a.new.amount() + a.reactivation.amount(), f.new.amount());
            prop_assert!(f.reactivation.amount().is_zero());
            prop_assert_eq!(&a.grr, &f.grr);
        }
    }
}
