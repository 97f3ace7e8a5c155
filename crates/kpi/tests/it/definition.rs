//! Declarative KPIs: each aggregation, filters, grains, ratios with a zero denominator, JSON,
//! a user-defined KPI and schema errors, all against values worked out by hand below.

use chrono::NaiveDate;
use polars::prelude::*;
use prodops_core::Grain;
use prodops_kpi::KpiError;
use prodops_kpi::definition::{
    Aggregation, Filter, FilterOp, Kpi, KpiDefinition, Measure, Scalar, TimeBucket, evaluate,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// | # | day        | user | plan | amount | converted |
/// |---|------------|------|------|--------|-----------|
/// | 0 | 2026-09-29 | u1   | pro  | 10     | true      |
/// | 1 | 2026-09-30 | u2   | free | 0      | false     |
/// | 2 | 2026-10-01 | u1   | pro  | 20     | true      |
/// | 3 | 2026-10-01 | u3   | free | null   | false     |
/// | 4 | 2026-10-05 | u3   | pro  | 30     | true      |
/// | 5 | 2026-10-12 | u4   | free | 5      | false     |
/// | 6 | 2026-11-02 | u1   | pro  | 40     | false     |
/// | 7 | null       | u5   | pro  | 99     | true      |
///
/// 2026-09-28, 2026-10-05, 2026-10-12 and 2026-11-02 are Mondays.
fn events() -> Result<DataFrame, PolarsError> {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
    df!(
        "day" => [d(9, 29), d(9, 30), d(10, 1), d(10, 1), d(10, 5), d(10, 12), d(11, 2), None],
        "user" => ["u1", "u2", "u1", "u3", "u3", "u4", "u1", "u5"],
        "plan" => ["pro", "free", "pro", "free", "pro", "free", "pro", "pro"],
        "amount" => [Some(10.0), Some(0.0), Some(20.0), None, Some(30.0), Some(5.0), Some(40.0), Some(99.0)],
        "converted" => [true, false, true, false, true, false, false, true],
    )
}

fn values(df: &DataFrame) -> Result<Vec<Option<f64>>, PolarsError> {
    Ok(df
        .column("value")?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

fn texts(df: &DataFrame, name: &str) -> Result<Vec<String>, PolarsError> {
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("null").to_owned())
        .collect())
}

fn run(kpi: &KpiDefinition) -> Result<DataFrame, KpiError> {
    evaluate(kpi, events()?.lazy())
}

fn one_value(kpi: &KpiDefinition) -> Result<Option<f64>, Box<dyn std::error::Error>> {
    let out = run(kpi)?;
    assert_eq!(out.height(), 1);
    Ok(values(&out)?[0])
}

fn col_agg(kind: &str, column: &str) -> Aggregation {
    match kind {
        "sum" => Aggregation::Sum {
            column: column.into(),
        },
        "mean" => Aggregation::Mean {
            column: column.into(),
        },
        _ => Aggregation::DistinctCount {
            column: column.into(),
        },
    }
}

#[test]
fn each_aggregation_over_all_rows() -> TestResult {
    // 8 rows.
    assert_eq!(
        one_value(&KpiDefinition::new("n", Aggregation::Count))?,
        Some(8.0)
    );
    // u1..u5.
    assert_eq!(
        one_value(&KpiDefinition::new("users", col_agg("distinct", "user")))?,
        Some(5.0)
    );
    // 10 + 0 + 20 + 30 + 5 + 40 + 99 = 204 (the null is skipped).
    assert_eq!(
        one_value(&KpiDefinition::new("revenue", col_agg("sum", "amount")))?,
        Some(204.0)
    );
    // 204 over the 7 non-null amounts.
    assert_eq!(
        one_value(&KpiDefinition::new("aov", col_agg("mean", "amount")))?,
        Some(204.0 / 7.0)
    );
    Ok(())
}

#[test]
fn filters_of_every_operator() -> TestResult {
    let count = |f: Filter| KpiDefinition::new("n", Aggregation::Count).with_filter(f);
    let cases = [
        (Filter::eq("plan", "pro"), 5.0), // rows 0, 2, 4, 6, 7
        (Filter::new("plan", FilterOp::Ne, "pro"), 3.0), // rows 1, 3, 5
        (Filter::new("amount", FilterOp::Lt, 10i64), 2.0), // 0 and 5; null fails
        (Filter::new("amount", FilterOp::Le, 10.0), 3.0), // 0, 5, 10
        (Filter::new("amount", FilterOp::Gt, 30i64), 2.0), // 40, 99
        (Filter::new("amount", FilterOp::Ge, 30.5), 2.0), // 40, 99
        (Filter::is_in("plan", [Scalar::Text("free".into())]), 3.0), // rows 1, 3, 5
        (
            Filter::is_in("amount", [Scalar::Int(10), Scalar::Float(40.0)]),
            2.0,
        ), // rows 0, 6
        (Filter::is_null("amount"), 1.0), // row 3
        (Filter::not_null("day"), 7.0),   // all but row 7
        (Filter::eq("converted", true), 4.0), // rows 0, 2, 4, 7
        (Filter::new("day", FilterOp::Ge, "2026-10-01"), 5.0), // rows 2..=6
        (
            Filter::is_in(
                "day",
                [
                    Scalar::Text("2026-10-01".into()),
                    Scalar::Text("2026-11-02".into()),
                ],
            ),
            3.0, // rows 2, 3, 6
        ),
    ];
    for (filter, expected) in cases {
        let label = format!("{filter:?}");
        assert_eq!(one_value(&count(filter))?, Some(expected), "{label}");
    }
    // Filters combine with "and": pro rows with amount ≥ 20 are 2, 4, 6, 7.
    let both =
        count(Filter::eq("plan", "pro")).with_filter(Filter::new("amount", FilterOp::Ge, 20i64));
    assert_eq!(one_value(&both)?, Some(4.0));
    Ok(())
}

#[test]
fn month_and_week_buckets() -> TestResult {
    let monthly = KpiDefinition::new("n", Aggregation::Count).by_period("day", Grain::Month);
    let out = run(&monthly)?;
    // Row 7 has no day and is left out. September: 0, 1; October: 2, 3, 4, 5; November: 6.
    assert_eq!(
        texts(&out, "period")?,
        ["2026-09-01", "2026-10-01", "2026-11-01"]
    );
    assert_eq!(values(&out)?, [Some(2.0), Some(4.0), Some(1.0)]);
    assert_eq!(out.column("period")?.dtype(), &DataType::Date);

    let weekly = KpiDefinition::new("n", Aggregation::Count).by_period("day", Grain::Week);
    let out = run(&weekly)?;
    // Week of Monday 28 Sep: rows 0–3 (29 Sep to Thu 1 Oct); then one row per week.
    assert_eq!(
        texts(&out, "period")?,
        ["2026-09-28", "2026-10-05", "2026-10-12", "2026-11-02"]
    );
    assert_eq!(values(&out)?, [Some(4.0), Some(1.0), Some(1.0), Some(1.0)]);

    // Distinct users per month: September u1, u2; October u1, u3, u4; November u1.
    let users =
        KpiDefinition::new("users", col_agg("distinct", "user")).by_period("day", Grain::Month);
    assert_eq!(values(&run(&users)?)?, [Some(2.0), Some(3.0), Some(1.0)]);
    // Mean amount per quarter: Q3 (10 + 0) / 2 = 5; Q4 (20 + 30 + 5 + 40) / 4 = 23.75.
    let mean =
        KpiDefinition::new("aov", col_agg("mean", "amount")).by_period("day", Grain::Quarter);
    let out = run(&mean)?;
    assert_eq!(texts(&out, "period")?, ["2026-07-01", "2026-10-01"]);
    assert_eq!(values(&out)?, [Some(5.0), Some(23.75)]);
    Ok(())
}

#[test]
fn breakdown_with_period() -> TestResult {
    let kpi = KpiDefinition::new("revenue", col_agg("sum", "amount"))
        .by_period("day", Grain::Month)
        .with_breakdown(["plan"]);
    let out = run(&kpi)?;
    // Sep free 0, Sep pro 10, Oct free 5 (null skipped), Oct pro 20 + 30, Nov pro 40.
    assert_eq!(texts(&out, "plan")?, ["free", "pro", "free", "pro", "pro"]);
    assert_eq!(
        values(&out)?,
        [Some(0.0), Some(10.0), Some(5.0), Some(50.0), Some(40.0)]
    );
    Ok(())
}

#[test]
fn ratio_is_null_where_the_denominator_is_zero() -> TestResult {
    // Pro revenue per free row, per month.
    let kpi = KpiDefinition::new(
        "pro_revenue_per_free_row",
        Aggregation::Ratio {
            numerator: Box::new(
                Measure::new(col_agg("sum", "amount")).with_filter(Filter::eq("plan", "pro")),
            ),
            denominator: Box::new(
                Measure::new(Aggregation::Count).with_filter(Filter::eq("plan", "free")),
            ),
        },
    )
    .by_period("day", Grain::Month);
    let out = run(&kpi)?;
    // September 10 / 1 = 10; October (20 + 30) / 2 = 25; November 40 / 0: null, not inf.
    assert_eq!(values(&out)?, [Some(10.0), Some(25.0), None]);

    // Conversion rate per plan: a ratio of counts, with the KPI-level filter applied to both.
    let conversion = KpiDefinition::new(
        "conversion",
        Aggregation::Ratio {
            numerator: Box::new(
                Measure::new(Aggregation::Count).with_filter(Filter::eq("converted", true)),
            ),
            denominator: Box::new(Measure::new(Aggregation::Count)),
        },
    )
    .with_filter(Filter::not_null("day"))
    .with_breakdown(["plan"]);
    let out = run(&conversion)?;
    // free: 0 of 3; pro (row 7 filtered out): rows 0, 2, 4 of 0, 2, 4, 6 = 3/4.
    assert_eq!(values(&out)?, [Some(0.0), Some(0.75)]);
    Ok(())
}

#[test]
fn nan_counts_as_missing_and_never_comes_out() -> TestResult {
    let df = df!("x" => [1.0, f64::NAN, 3.0], "y" => [f64::INFINITY, f64::NEG_INFINITY, 1.0])?;
    let mean = KpiDefinition::new("m", col_agg("mean", "x"));
    // (1 + 3) / 2: the NaN is skipped.
    assert_eq!(values(&evaluate(&mean, df.clone().lazy())?)?, [Some(2.0)]);
    // +∞ and −∞ average to NaN; reported as null.
    let odd = KpiDefinition::new("m", col_agg("mean", "y")).with_filter(Filter::new(
        "x",
        FilterOp::Lt,
        2.5,
    ));
    assert_eq!(values(&evaluate(&odd, df.lazy())?)?, [None]);
    Ok(())
}

#[test]
fn json_round_trip_and_validation() -> TestResult {
    let json = r#"{
        "name": "pro_conversion",
        "aggregation": {
            "type": "ratio",
            "numerator": {"aggregation": {"type": "distinct_count", "column": "user"},
                          "filters": [{"column": "converted", "op": "=", "value": true}]},
            "denominator": {"aggregation": {"type": "distinct_count", "column": "user"}}
        },
        "filters": [{"column": "plan", "op": "in", "value": ["pro", "enterprise"]},
                    {"column": "amount", "op": "ge", "value": 0},
                    {"column": "day", "op": "not_null"}],
        "time": {"column": "day", "grain": "month"},
        "breakdown": ["plan"]
    }"#;
    let kpi = KpiDefinition::from_json(json)?;
    assert_eq!(kpi.time, Some(TimeBucket::new("day", Grain::Month)));
    assert_eq!(kpi.filters[1].op, FilterOp::Ge);
    let again = KpiDefinition::from_json(&kpi.to_json()?)?;
    assert_eq!(again, kpi);
    // Per month, pro rows with a day: Sep u1 converted (1/1); Oct u1, u3 converted (2/2);
    // Nov u1 not converted (0/1).
    assert_eq!(values(&run(&kpi)?)?, [Some(1.0), Some(1.0), Some(0.0)]);

    let list = KpiDefinition::list_from_json(&format!(
        "[{json}, {{\"name\": \"n\", \"aggregation\": {{\"type\": \"count\"}}}}]"
    ))?;
    assert_eq!(list.len(), 2);
    assert_eq!(list[1], KpiDefinition::new("n", Aggregation::Count));

    let bad = [
        // A typo in a field name.
        r#"{"name": "n", "aggregation": {"type": "count"}, "filter": []}"#,
        // An unknown aggregation.
        r#"{"name": "n", "aggregation": {"type": "median", "column": "x"}}"#,
        // `in` needs a list; `is_null` takes no value; `>` needs a value.
        r#"{"name": "n", "aggregation": {"type": "count"}, "filters": [{"column": "a", "op": "in", "value": 3}]}"#,
        r#"{"name": "n", "aggregation": {"type": "count"}, "filters": [{"column": "a", "op": "is_null", "value": 3}]}"#,
        r#"{"name": "n", "aggregation": {"type": "count"}, "filters": [{"column": "a", "op": ">"}]}"#,
        r#"{"name": " ", "aggregation": {"type": "count"}}"#,
    ];
    for b in bad {
        assert!(
            matches!(
                KpiDefinition::from_json(b),
                Err(KpiError::InvalidInput { .. })
            ),
            "{b}"
        );
    }
    Ok(())
}

#[test]
fn unknown_and_mistyped_columns_fail_before_running() -> TestResult {
    let missing = |kpi: KpiDefinition, name: &str| -> TestResult {
        match run(&kpi) {
            Err(KpiError::MissingColumn { column, .. }) if column == name => Ok(()),
            other => Err(format!("expected MissingColumn {name}, got {other:?}").into()),
        }
    };
    missing(
        KpiDefinition::new("r", col_agg("sum", "revenue")),
        "revenue",
    )?;
    missing(
        KpiDefinition::new("n", Aggregation::Count).with_filter(Filter::eq("country", "FR")),
        "country",
    )?;
    missing(
        KpiDefinition::new("n", Aggregation::Count).by_period("ts", Grain::Day),
        "ts",
    )?;
    missing(
        KpiDefinition::new("n", Aggregation::Count).with_breakdown(["region"]),
        "region",
    )?;
    missing(
        KpiDefinition::new(
            "ratio",
            Aggregation::Ratio {
                numerator: Box::new(Measure::new(Aggregation::Count)),
                denominator: Box::new(Measure::new(col_agg("distinct", "account"))),
            },
        ),
        "account",
    )?;

    let invalid = |kpi: KpiDefinition| -> TestResult {
        match run(&kpi) {
            Err(KpiError::InvalidColumn { .. }) => Ok(()),
            other => Err(format!("expected InvalidColumn, got {other:?}").into()),
        }
    };
    invalid(KpiDefinition::new("s", col_agg("sum", "plan")))?;
    invalid(
        KpiDefinition::new("n", Aggregation::Count).with_filter(Filter::new(
            "plan",
            FilterOp::Gt,
            3i64,
        )),
    )?;
    invalid(KpiDefinition::new("n", Aggregation::Count).with_filter(Filter::eq("amount", "ten")))?;
    invalid(
        KpiDefinition::new("n", Aggregation::Count).with_filter(Filter::eq("day", "yesterday")),
    )?;
    invalid(KpiDefinition::new("n", Aggregation::Count).by_period("plan", Grain::Month))?;
    assert!(matches!(
        run(&KpiDefinition::new("n", Aggregation::Count).with_breakdown(["value"])),
        Err(KpiError::MissingColumn { .. })
    ));
    let df = events()?.lazy().with_column(col("plan").alias("value"));
    assert!(matches!(
        evaluate(
            &KpiDefinition::new("n", Aggregation::Count).with_breakdown(["value"]),
            df
        ),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    Ok(())
}

/// Revenue per distinct user, a KPI written in code.
struct RevenuePerUser {
    time: TimeBucket,
}

impl Kpi for RevenuePerUser {
    fn name(&self) -> &str {
        "revenue_per_user"
    }

    fn expr(&self, schema: &Schema) -> Result<Expr, KpiError> {
        for column in ["amount", "user"] {
            if schema.get(column).is_none() {
                return Err(KpiError::MissingColumn {
                    column: column.into(),
                    purpose: "revenue per user".into(),
                });
            }
        }
        Ok(col("amount").sum() / col("user").n_unique().cast(DataType::Float64))
    }

    fn time(&self) -> Option<&TimeBucket> {
        Some(&self.time)
    }
}

#[test]
fn user_defined_kpi() -> TestResult {
    let custom = RevenuePerUser {
        time: TimeBucket::new("day", Grain::Month),
    };
    let out = custom.evaluate(events()?.lazy())?;
    // September (10 + 0) / 2 users = 5; October (20 + 30 + 5) / 3 users; November 40 / 1.
    assert_eq!(values(&out)?, [Some(5.0), Some(55.0 / 3.0), Some(40.0)]);

    // Built-in and custom KPIs side by side, as trait objects.
    let kpis: Vec<Box<dyn Kpi>> = vec![
        Box::new(KpiDefinition::new("n", Aggregation::Count)),
        Box::new(custom),
    ];
    let names: Vec<&str> = kpis.iter().map(|k| k.name()).collect();
    assert_eq!(names, ["n", "revenue_per_user"]);
    let heights = kpis
        .iter()
        .map(|k| Ok(evaluate(k, events()?.lazy())?.height()))
        .collect::<Result<Vec<_>, KpiError>>()?;
    assert_eq!(heights, [1, 3]);
    Ok(())
}

#[test]
fn datetime_time_column() -> TestResult {
    // Date-times bucket by their date: 2026-03-31 23:59 is in Q1, 2026-04-01 00:00 in Q2.
    let df = df!(
        "ts" => ["2026-03-31 23:59:00", "2026-04-01 00:00:00", "2026-06-30 12:00:00"],
        "x" => [1i64, 2, 3],
    )?
    .lazy()
    .with_column(col("ts").str().to_datetime(
        Some(TimeUnit::Microseconds),
        None,
        StrptimeOptions::default(),
        lit("raise"),
    ));
    let kpi = KpiDefinition::new("x", col_agg("sum", "x"))
        .by_period("ts", Grain::Quarter)
        .with_filter(Filter::new("ts", FilterOp::Lt, "2026-06-30 12:00:00"));
    let out = evaluate(&kpi, df)?;
    assert_eq!(texts(&out, "period")?, ["2026-01-01", "2026-04-01"]);
    assert_eq!(values(&out)?, [Some(1.0), Some(2.0)]);
    Ok(())
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Rows of (day offset 0..120 from 2026-01-01, plan 0..3, amount −50..50 or null).
    fn rows() -> impl Strategy<Value = Vec<(u32, u8, Option<i64>)>> {
        prop::collection::vec((0u32..120, 0u8..3, prop::option::of(-50i64..50)), 0..40)
    }

    fn frame(rows: &[(u32, u8, Option<i64>)]) -> Result<DataFrame, TestCaseError> {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or(TestCaseError::fail("date"))?;
        let days: Vec<Option<NaiveDate>> = rows
            .iter()
            .map(|r| start.checked_add_days(chrono::Days::new(u64::from(r.0))))
            .collect();
        let plans: Vec<String> = rows.iter().map(|r| format!("p{}", r.1)).collect();
        let amounts: Vec<Option<i64>> = rows.iter().map(|r| r.2).collect();
        df!("day" => days, "plan" => plans, "amount" => amounts)
            .map_err(|e| TestCaseError::fail(e.to_string()))
    }

    fn fail(e: impl std::fmt::Display) -> TestCaseError {
        TestCaseError::fail(e.to_string())
    }

    proptest! {
        // Each case runs seven polars queries; 32 cases keep the suite fast.
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn buckets_partition_the_total_and_ratios_stay_finite(rows in rows()) {
            let df = frame(&rows)?;
            for kpi in [
                KpiDefinition::new("n", Aggregation::Count),
                KpiDefinition::new("s", Aggregation::Sum { column: "amount".into() }),
            ] {
                let total: f64 = values(&evaluate(&kpi, df.clone().lazy()).map_err(fail)?)
                    .map_err(fail)?
                    .into_iter()
                    .flatten()
                    .sum();
                for grain in [Grain::Week, Grain::Month] {
                    let bucketed = kpi.clone().by_period("day", grain).with_breakdown(["plan"]);
                    let parts: f64 = values(&evaluate(&bucketed, df.clone().lazy()).map_err(fail)?)
                        .map_err(fail)?
                        .into_iter()
                        .flatten()
                        .sum();
                    // Integer-valued sums well below 2^53: exact in f64.
                    prop_assert_eq!(parts, total);
                }
            }
            // Share of rows with a positive amount, per month: in [0, 1] or null, never NaN.
            let share = KpiDefinition::new(
                "share",
                Aggregation::Ratio {
                    numerator: Box::new(Measure::new(Aggregation::Count).with_filter(Filter::new("amount", FilterOp::Gt, 0i64))),
                    denominator: Box::new(Measure::new(Aggregation::Count).with_filter(Filter::not_null("amount"))),
                },
            )
            .by_period("day", Grain::Month);
            for v in values(&evaluate(&share, df.lazy()).map_err(fail)?)
                .map_err(fail)?
                .into_iter()
                .flatten()
            {
                prop_assert!((0.0..=1.0).contains(&v));
            }
        }
    }
}
