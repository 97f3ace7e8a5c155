//! Retention: hand-worked cohort tables (arithmetic in comments), a cross-check against the
//! DuckDB SQL in `fixtures/events_retention.sql` on generated data, and properties ("on" never
//! exceeds "on or after"; shards by key add up to the whole).

use std::collections::BTreeMap;
use std::error::Error;

use chrono::{NaiveDate, TimeZone, Weekday};
use chrono_tz::America::New_York;
use prodops_kpi::KpiError;
use prodops_kpi::events::funnel::{BreakdownLabel, EventMatcher};
use prodops_kpi::events::retention::{
    AverageKind, Counting, Retention, RetentionBuilder, RetentionKind, RetentionPeriod,
    RetentionReference, RetentionTable, TimeWindowMode,
};
use prodops_kpi::events::{
    Calendar, EventTable, EventTableBuilder, MICROS_PER_DAY, MICROS_PER_HOUR, parse_timestamp,
};
use proptest::prelude::*;

use crate::funnel::fixture;

type TestResult = Result<(), Box<dyn Error>>;

const D: i64 = MICROS_PER_DAY;
const H: i64 = MICROS_PER_HOUR;

fn events(rows: &[(&str, i64, &str)]) -> Result<EventTable, KpiError> {
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for &(k, t, e) in rows {
        b.push(k, t, e, &[])?;
    }
    Ok(b.build())
}

/// Daily retention of "use" over days `0..days` of the epoch.
fn daily(days: i64, intervals: usize) -> RetentionBuilder {
    Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
        .period(RetentionPeriod::Day)
        .intervals(intervals)
        .range(0, days * D)
}

#[test]
fn on_versus_on_or_after() -> TestResult {
    // PostHog #13748: a person active on days 0 and 3 only, 4 offsets, range days 0..4.
    // "On": offset k counts a return on day k exactly → [1, 0, 0, 1].
    // "On or after": a return on day ≥ k → day 3 covers offsets 1, 2, 3 → [1, 1, 1, 1].
    let table = events(&[("a", 0, "use"), ("a", 3 * D, "use")])?;
    let on = daily(4, 4).build()?.run(&table)?;
    assert_eq!(
        on.cohorts[0].retained,
        vec![Some(1), Some(0), Some(0), Some(1)]
    );
    let after = daily(4, 4)
        .counting(Counting::OnOrAfter)
        .build()?
        .run(&table)?;
    assert_eq!(
        after.cohorts[0].retained,
        vec![Some(1), Some(1), Some(1), Some(1)]
    );
    // The day-3 cohort (recurring) sees only offset 0.
    assert_eq!(on.cohorts[3].retained, vec![Some(1), None, None, None]);
    Ok(())
}

#[test]
fn period_zero_with_distinct_events_counts_returns_at_or_after_the_start() -> TestResult {
    // PostHog #14239. Start = signup, return = view, all on day 0.
    // a: view@1h, signup@2h → the only view precedes the signup: not retained at offset 0.
    // b: signup@2h, view@3h → retained.
    // c: view and signup at the same instant 2h (view first in the input) → retained (same
    //    instant included).
    // Cohort day 0: size 3, offset 0 = 2 → rate 2/3.
    let table = events(&[
        ("a", H, "view"),
        ("a", 2 * H, "signup"),
        ("b", 2 * H, "signup"),
        ("b", 3 * H, "view"),
        ("c", 2 * H, "view"),
        ("c", 2 * H, "signup"),
    ])?;
    let result = Retention::builder(EventMatcher::event("signup"), EventMatcher::event("view"))
        .intervals(2)
        .range(0, 2 * D)
        .build()?
        .run(&table)?;
    let day0 = &result.cohorts[0];
    assert_eq!(day0.size, 3);
    assert_eq!(day0.retained[0], Some(2));
    assert_eq!(day0.rates[0], Some(2.0 / 3.0));
    Ok(())
}

#[test]
fn incomplete_cohorts_are_none_and_left_out_of_the_average() -> TestResult {
    // Range days 0..3, 3 offsets. Day-0 cohort {a, b}: a returns on days 1 and 2, b on day 1.
    // Day-2 cohort {c}: only offset 0 is observable.
    // Day 0: [2, 2, 1]; day 1 (a, b active again): [2, 1 (a on day 2), None]; day 2 {a, c}:
    // [2, None, None].
    // Weighted average, offset 1: (2 + 1)/(2 + 2) = 0.75 over cohorts 0 and 1 only;
    // offset 2: 1/2 from cohort 0 only.
    let table = events(&[
        ("a", 0, "use"),
        ("a", D, "use"),
        ("a", 2 * D, "use"),
        ("b", 0, "use"),
        ("b", D, "use"),
        ("c", 2 * D, "use"),
    ])?;
    let result = daily(3, 3).build()?.run(&table)?;
    let cells: Vec<_> = result.cohorts.iter().map(|c| c.retained.clone()).collect();
    assert_eq!(
        cells,
        vec![
            vec![Some(2), Some(2), Some(1)],
            vec![Some(2), Some(1), None],
            vec![Some(2), None, None]
        ]
    );
    assert_eq!(result.average, vec![Some(1.0), Some(0.75), Some(0.5)]);
    let frame = result.to_frame()?;
    assert_eq!(frame.height(), 9);
    assert_eq!(frame.column("retained")?.null_count(), 3);
    assert_eq!(result.average_frame()?.height(), 3);
    Ok(())
}

#[test]
fn weighted_and_simple_averages() -> TestResult {
    // Day-0 cohort of 4 (two return on day 1), day-1 cohort of 1 (returns on day 2):
    // offset 1: weighted (2 + 1)/(4 + 1) = 0.6; simple (2/4 + 1/1)/2 = 0.75.
    let table = events(&[
        ("a", 0, "use"),
        ("a", D, "use"),
        ("b", 0, "use"),
        ("b", D + H, "use"),
        ("c", 0, "use"),
        ("d", 0, "use"),
        ("e", D, "use"),
        ("e", 2 * D, "use"),
    ])?;
    // Recurring cohorts would put a and b in the day-1 cohort too; first_time keeps the
    // cohorts {a, b, c, d} and {e}.
    let base = || daily(3, 2).kind(RetentionKind::FirstTime);
    let weighted = base().build()?.run(&table)?;
    assert_eq!(weighted.average[1], Some(0.6));
    let simple = base().average(AverageKind::Simple).build()?.run(&table)?;
    assert_eq!(simple.average[1], Some(0.75));
    Ok(())
}

#[test]
fn previous_offset_reference() -> TestResult {
    // Cohort of 4 on day 0; 2 return on day 1; 1 of them on day 2 as well.
    // Rates over the previous offset: [4/4, 2/4, 1/2] = [1, 0.5, 0.5].
    let table = events(&[
        ("a", 0, "use"),
        ("a", D, "use"),
        ("a", 2 * D, "use"),
        ("b", 0, "use"),
        ("b", D, "use"),
        ("c", 0, "use"),
        ("d", 0, "use"),
    ])?;
    let result = daily(3, 3)
        .kind(RetentionKind::FirstTime)
        .reference(RetentionReference::PreviousOffset)
        .build()?
        .run(&table)?;
    assert_eq!(
        result.cohorts[0].rates,
        vec![Some(1.0), Some(0.5), Some(0.5)]
    );
    Ok(())
}

#[test]
fn minimum_occurrences_per_period() -> TestResult {
    // m = 2. a: day 0 (start), one use on day 1, two on day 2 → [1, 0, 1].
    let table = events(&[
        ("a", 0, "use"),
        ("a", D, "use"),
        ("a", 2 * D, "use"),
        ("a", 2 * D + H, "use"),
    ])?;
    let result = daily(3, 3)
        .kind(RetentionKind::FirstTime)
        .min_occurrences(2)
        .build()?
        .run(&table)?;
    assert_eq!(result.cohorts[0].retained, vec![Some(1), Some(0), Some(1)]);
    Ok(())
}

#[test]
fn brackets_count_a_return_once_per_range_of_offsets() -> TestResult {
    // First-time cohorts over days 0..8; brackets days 1–3 and 4–7.
    // a: day 0, returns days 2 and 5 → [1, 1]. b: day 0, returns days 1 and 3 → [1, 0]
    // (two returns in one bracket count once). Day-0 cohort: [2, 1].
    // c: day 3, returns day 5 (offset 2) → bracket 1; bracket 2 ends at day 10 > day 7 →
    // None. Day-3 cohort: [1, None].
    let table = events(&[
        ("a", 0, "use"),
        ("a", 2 * D, "use"),
        ("a", 5 * D, "use"),
        ("b", 0, "use"),
        ("b", D, "use"),
        ("b", 3 * D, "use"),
        ("c", 3 * D, "use"),
        ("c", 5 * D, "use"),
    ])?;
    let result = daily(8, 1)
        .kind(RetentionKind::FirstTime)
        .brackets([(1, 3), (4, 7)])
        .build()?
        .run(&table)?;
    assert_eq!(result.cohorts[0].retained, vec![Some(2), Some(1)]);
    assert_eq!(result.cohorts[3].retained, vec![Some(1), None]);
    assert_eq!(result.columns[1].first_offset, 4);
    let frame = result.to_frame()?;
    assert_eq!(frame.column("last_offset")?.u64()?.get(1), Some(7));
    let overlapping = daily(8, 1).brackets([(1, 3), (3, 7)]).build();
    assert!(matches!(overlapping, Err(KpiError::InvalidInput { .. })));
    let cumulative = daily(8, 1)
        .brackets([(1, 3)])
        .counting(Counting::OnOrAfter)
        .build();
    assert!(matches!(
        cumulative,
        Err(KpiError::IncompatibleOptions { .. })
    ));
    Ok(())
}

#[test]
fn first_time_kinds_read_history_before_the_range() -> TestResult {
    // Range days 1..3. a: use on day 0 (before the range) and day 1; b: first use on day 1.
    // Recurring: day-1 cohort {a, b}. First time: a's first use is on day 0, outside the
    // range → day-1 cohort {b}.
    let table = events(&[("a", 0, "use"), ("a", D, "use"), ("b", D, "use")])?;
    let build = |kind| {
        Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
            .intervals(2)
            .range(D, 3 * D)
            .kind(kind)
            .build()
    };
    assert_eq!(
        build(RetentionKind::Recurring)?.run(&table)?.cohorts[0].size,
        2
    );
    assert_eq!(
        build(RetentionKind::FirstTime)?.run(&table)?.cohorts[0].size,
        1
    );
    Ok(())
}

#[test]
fn first_ever_occurrence_must_itself_match_the_filter() -> TestResult {
    // Start = pay with plan = pro. a: pay(free) on day 0, pay(pro) on day 1.
    // first_time: first *matching* start = day 1 → cohort day 1.
    // first_ever_occurrence: first pay ever is day 0 and it is free → a is in no cohort.
    let mut b = EventTableBuilder::new(["plan"]);
    b.push("a", 0, "pay", &[Some("free")])?;
    b.push("a", D, "pay", &[Some("pro")])?;
    let table = b.build();
    let build = |kind| {
        Retention::builder(
            EventMatcher::event("pay").with_property("plan", ["pro"]),
            EventMatcher::event("pay"),
        )
        .intervals(2)
        .range(0, 2 * D)
        .kind(kind)
        .build()
    };
    let first = build(RetentionKind::FirstTime)?.run(&table)?;
    assert_eq!((first.cohorts[0].size, first.cohorts[1].size), (0, 1));
    let ever = build(RetentionKind::FirstEverOccurrence)?.run(&table)?;
    assert_eq!((ever.cohorts[0].size, ever.cohorts[1].size), (0, 0));
    Ok(())
}

#[test]
fn rolling_24h_offsets_use_absolute_time_across_dst() -> TestResult {
    // New York springs forward on 2026-03-08. Start at 2026-03-07 12:00 EST (17:00Z); return
    // at 2026-03-08 12:30 EDT (16:30Z): Δ = 23.5 h.
    // Calendar days in New York: the return is on the next civil day → offset 1.
    // 24-hour windows: ⌊23.5/24⌋ = 0 → offset 0 only.
    let ny = |y, m, d, h, min| -> Result<i64, Box<dyn Error>> {
        let local = NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .ok_or("bad date")?;
        Ok(New_York
            .from_local_datetime(&local)
            .single()
            .ok_or("ambiguous")?
            .timestamp_micros())
    };
    let start = ny(2026, 3, 7, 12, 0)?;
    let back = ny(2026, 3, 8, 12, 30)?;
    assert_eq!(back - start, 23 * H + 30 * 60_000_000);
    let table = events(&[("a", start, "signup"), ("a", back, "use")])?;
    let build = |mode| {
        Retention::builder(EventMatcher::event("signup"), EventMatcher::event("use"))
            .intervals(2)
            .range(ny(2026, 3, 7, 0, 0)?, ny(2026, 3, 9, 0, 0)?)
            .calendar(Calendar::new(New_York, Weekday::Mon))
            .time_mode(mode)
            .build()
            .map_err(Box::<dyn Error>::from)
    };
    let calendar = build(TimeWindowMode::Calendar)?.run(&table)?;
    assert_eq!(calendar.cohorts[0].retained, vec![Some(0), Some(1)]);
    let rolling = build(TimeWindowMode::Rolling24h)?.run(&table)?;
    assert_eq!(rolling.cohorts[0].retained, vec![Some(1), Some(0)]);
    Ok(())
}

#[test]
fn cumulative_with_24h_windows_is_incompatible() {
    let r = daily(3, 3)
        .time_mode(TimeWindowMode::Rolling24h)
        .counting(Counting::OnOrAfter)
        .build();
    assert!(matches!(r, Err(KpiError::IncompatibleOptions { .. })));
    assert!(matches!(
        daily(3, 0).build(),
        Err(KpiError::InvalidInput { .. })
    ));
}

#[test]
fn weekly_cohorts_follow_the_week_start() -> TestResult {
    // 2026-11-22 is a Sunday. a: use on Sunday 22nd and Monday 23rd.
    // Monday weeks: Sunday closes week 47, Monday opens week 48 → cohort W47 retained at 1.
    // Sunday weeks: both days fall in one week → the cohort returns only at offset 0.
    let sun = parse_timestamp("2026-11-22 10:00:00").ok_or("date")?;
    let mon = parse_timestamp("2026-11-23 10:00:00").ok_or("date")?;
    let table = events(&[("a", sun, "use"), ("a", mon, "use")])?;
    let from = parse_timestamp("2026-11-16").ok_or("date")?;
    let to = parse_timestamp("2026-12-07").ok_or("date")?;
    let build = |start| {
        Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
            .period(RetentionPeriod::Week)
            .intervals(2)
            .kind(RetentionKind::FirstTime)
            .range(from, to)
            .calendar(Calendar::new(chrono_tz::UTC, start))
            .build()
    };
    let monday = build(Weekday::Mon)?.run(&table)?;
    let w47 = monday
        .cohorts
        .iter()
        .find(|c| c.label == "2026-W47")
        .ok_or("W47")?;
    assert_eq!(w47.retained, vec![Some(1), Some(1)]);
    let sunday = build(Weekday::Sun)?.run(&table)?;
    let first = sunday
        .cohorts
        .iter()
        .find(|c| c.size == 1)
        .ok_or("cohort")?;
    assert_eq!(first.retained, vec![Some(1), Some(0)]);
    Ok(())
}

#[test]
fn hourly_periods() -> TestResult {
    // use at 10:15 and 11:50 on day 0 → hour cohort 10:00 retained at offset 1.
    let table = events(&[
        ("a", 10 * H + 15 * 60_000_000, "use"),
        ("a", 11 * H + 50 * 60_000_000, "use"),
    ])?;
    let result = Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
        .period(RetentionPeriod::Hour)
        .intervals(2)
        .range(10 * H, 12 * H)
        .build()?
        .run(&table)?;
    assert_eq!(result.cohorts[0].label, "1970-01-01T10:00Z");
    assert_eq!(result.cohorts[0].retained, vec![Some(1), Some(1)]);
    Ok(())
}

#[test]
fn breakdowns_need_start_and_return_to_share_the_value() -> TestResult {
    // Property "app", range days 0..2, 2 offsets.
    // a: ios on day 0 and day 1 → ios cohort day 0 retained at offset 1.
    // b: web on day 0, ios on day 1 → web cohort day 0 [1, 0] (the ios return is another
    //    value); b joins the ios cohort of day 1 (recurring).
    // ios: day 0 {a} [1, 1]; day 1 {a, b} [2, None]. web: day 0 {b} [1, 0].
    // The same holds with 24-hour windows (PostHog #42271): a's return is exactly 24h later.
    let mut b = EventTableBuilder::new(["app"]);
    b.push("a", 0, "use", &[Some("ios")])?;
    b.push("a", D, "use", &[Some("ios")])?;
    b.push("b", 0, "use", &[Some("web")])?;
    b.push("b", D, "use", &[Some("ios")])?;
    let table = b.build();
    for mode in [TimeWindowMode::Calendar, TimeWindowMode::Rolling24h] {
        let series = daily(2, 2)
            .time_mode(mode)
            .build()?
            .run_breakdown(&table, "app")?;
        let labels: Vec<_> = series.iter().map(|s| s.label.clone()).collect();
        assert_eq!(labels, vec![value("ios"), value("web")]); // ios: 3 cohort members
        let ios: Vec<_> = series[0]
            .table
            .cohorts
            .iter()
            .map(|c| c.retained.clone())
            .collect();
        assert_eq!(ios, vec![vec![Some(1), Some(1)], vec![Some(2), None]]);
        assert_eq!(series[1].table.cohorts[0].retained, vec![Some(1), Some(0)]);
    }
    assert!(matches!(
        daily(2, 2).build()?.run_breakdown(&table, "nope"),
        Err(KpiError::MissingColumn { .. })
    ));
    Ok(())
}

fn value(v: &str) -> BreakdownLabel {
    BreakdownLabel::Value(v.to_string())
}

#[test]
fn timestamps_beyond_the_calendar_are_typed_errors() -> TestResult {
    // A day-grain retention in UTC at the very end of the i64 range: the start falls in the
    // range but the calendar cannot label weeks there → InvalidInput, not a panic.
    let table = events(&[("a", i64::MAX - 1, "use"), ("a", i64::MIN + 1, "use")])?;
    let end = Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
        .intervals(2)
        .range(i64::MAX - 2 * D, i64::MAX)
        .build()?
        .run(&table);
    assert!(end.is_ok());
    let weekly = Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
        .period(RetentionPeriod::Week)
        .intervals(2)
        .range(0, i64::MAX)
        .build()?
        .run(&table);
    assert!(matches!(weekly, Err(KpiError::InvalidInput { .. })));
    let rolling = Retention::builder(EventMatcher::event("use"), EventMatcher::event("use"))
        .time_mode(TimeWindowMode::Rolling24h)
        .intervals(2)
        .range(i64::MIN + 1, i64::MIN + 2 * D)
        .build()?
        .run(&table);
    assert!(rolling.is_ok());
    // 2^63 µs of days is far more than MAX_COHORTS periods.
    let huge = daily(1, 2).range(0, i64::MAX).build()?.run(&table);
    assert!(matches!(huge, Err(KpiError::InvalidInput { .. })));
    Ok(())
}

#[test]
fn matches_duckdb_on_generated_events() -> TestResult {
    let (table, expected) = fixture()?;
    let cases = expected["retention"].as_array().ok_or("no retention")?;
    assert_eq!(cases.len(), 26);
    for case in cases {
        let s = |k: &str| case[k].as_str().ok_or(format!("{k} missing"));
        let period = match s("grain")? {
            "day" => RetentionPeriod::Day,
            _ => RetentionPeriod::Week,
        };
        let kind = match s("kind")? {
            "recurring" => RetentionKind::Recurring,
            _ => RetentionKind::FirstTime,
        };
        let counting = match s("counting")? {
            "on" => Counting::On,
            _ => Counting::OnOrAfter,
        };
        let mode = match s("mode")? {
            "rolling" => TimeWindowMode::Rolling24h,
            _ => TimeWindowMode::Calendar,
        };
        let from = parse_timestamp(s("range_from")?).ok_or("from")?;
        let to = parse_timestamp(s("range_to")?).ok_or("to")?;
        let result = Retention::builder(
            EventMatcher::event(s("start")?),
            EventMatcher::event(s("return")?),
        )
        .period(period)
        .intervals(usize::try_from(
            case["intervals"].as_u64().ok_or("intervals")?,
        )?)
        .kind(kind)
        .counting(counting)
        .time_mode(mode)
        .min_occurrences(u32::try_from(case["min_occ"].as_u64().ok_or("min_occ")?)?)
        .range(from, to)
        .build()?
        .run(&table)?;
        // DuckDB reports (cohort start date, offset) for observed cells of non-empty cohorts.
        let mut theirs: BTreeMap<(String, u64), (u64, u64)> = BTreeMap::new();
        for cell in case["cells"].as_array().ok_or("cells")? {
            let key = (
                cell["cohort"].as_str().ok_or("cohort")?.to_string(),
                cell["offset"].as_u64().ok_or("offset")?,
            );
            let value = (
                cell["retained"].as_u64().ok_or("retained")?,
                cell["cohort_size"].as_u64().ok_or("size")?,
            );
            theirs.insert(key, value);
        }
        let mut mine = BTreeMap::new();
        for c in result.cohorts.iter().filter(|c| c.size > 0) {
            let first_day = cohort_start(&c.label, period)?;
            for (k, r) in c.retained.iter().enumerate() {
                if let Some(r) = r {
                    mine.insert((first_day.clone(), k as u64), (*r, c.size));
                }
            }
        }
        assert_eq!(mine, theirs, "{}", case_name(case));
    }
    Ok(())
}

fn case_name(case: &serde_json::Value) -> String {
    let mut c = case.clone();
    if let Some(o) = c.as_object_mut() {
        o.remove("cells");
    }
    c.to_string()
}

/// The first day of a cohort label, as DuckDB's `date_trunc` prints it.
fn cohort_start(label: &str, period: RetentionPeriod) -> Result<String, Box<dyn Error>> {
    Ok(match period {
        RetentionPeriod::Week => {
            let p: prodops_core::Period = label.parse()?;
            p.first_day().format("%Y-%m-%d").to_string()
        }
        _ => label.to_string(),
    })
}

fn arb_events() -> impl Strategy<Value = Vec<(u8, i64, bool)>> {
    prop::collection::vec((0u8..6, 0i64..(6 * 24), any::<bool>()), 0..60)
}

fn build_table(
    rows: &[(u8, i64, bool)],
    keep: impl Fn(u8) -> bool,
) -> Result<EventTable, KpiError> {
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for &(k, t, signup) in rows.iter().filter(|r| keep(r.0)) {
        b.push(
            &format!("p{k}"),
            t * H,
            if signup { "signup" } else { "use" },
            &[],
        )?;
    }
    Ok(b.build())
}

fn cells(t: &RetentionTable) -> Vec<Vec<Option<u64>>> {
    t.cohorts.iter().map(|c| c.retained.clone()).collect()
}

proptest! {
    #[test]
    fn on_never_exceeds_on_or_after_and_shards_add_up(
        rows in arb_events(),
        kind in prop::sample::select(vec![RetentionKind::Recurring, RetentionKind::FirstTime]),
        distinct_start in any::<bool>(),
        m in 1u32..3,
    ) {
        let start = if distinct_start { "signup" } else { "use" };
        let build = |counting| {
            Retention::builder(EventMatcher::event(start), EventMatcher::event("use"))
                .intervals(4)
                .range(D, 5 * D)
                .kind(kind)
                .counting(counting)
                .min_occurrences(m)
                .build()
        };
        let table = build_table(&rows, |_| true)?;
        let on = build(Counting::On)?.run(&table)?;
        let after = build(Counting::OnOrAfter)?.run(&table)?;
        for (a, b) in cells(&on).iter().flatten().zip(cells(&after).iter().flatten()) {
            prop_assert_eq!(a.is_some(), b.is_some());
            prop_assert!(a <= b);
        }
        let even = build(Counting::On)?.run(&build_table(&rows, |k| k % 2 == 0)?)?;
        let odd = build(Counting::On)?.run(&build_table(&rows, |k| k % 2 == 1)?)?;
        let merged = even.merge(&odd)?;
        prop_assert_eq!(cells(&merged), cells(&on));
        prop_assert_eq!(merged.average, on.average);
    }
}

/// Brute-force daily retention over days 1..=4 (events from day 5 on ignored), 4 offsets:
/// the definitions of the module docs written directly as loops over a person's events.
fn reference_retention(
    rows: &[(u8, i64, bool)],
    start_is_signup: bool,
    kind: RetentionKind,
    counting: Counting,
    m: usize,
) -> Vec<Vec<Option<u64>>> {
    let (first, last) = (1i64, 4i64);
    let mut cells = vec![vec![Some(0u64); 4]; 4];
    for (c, row) in cells.iter_mut().enumerate() {
        for (k, cell) in row.iter_mut().enumerate() {
            if first + (c + k) as i64 > last {
                *cell = None;
            }
        }
    }
    for p in 0..6u8 {
        // (hour, is start, is return)
        let mut evs: Vec<(i64, bool, bool)> = rows
            .iter()
            .filter(|r| r.0 == p && r.1 < 5 * 24)
            .map(|r| (r.1, if start_is_signup { r.2 } else { !r.2 }, !r.2))
            .collect();
        evs.sort_by_key(|e| e.0);
        let returns_on = |day: i64, from: i64| {
            evs.iter()
                .filter(|e| e.2 && e.0.div_euclid(24) == day && e.0 >= from)
                .count()
        };
        let mut cohorts: Vec<(i64, i64)> = Vec::new();
        match kind {
            RetentionKind::FirstTime => {
                if let Some(e) = evs.iter().find(|e| e.1) {
                    cohorts.push((e.0.div_euclid(24), e.0));
                }
            }
            _ => {
                for day in first..=last {
                    if let Some(e) = evs.iter().find(|e| e.1 && e.0.div_euclid(24) == day) {
                        cohorts.push((day, e.0));
                    }
                }
            }
        }
        for (c, t0) in cohorts {
            if c < first || c > last {
                continue;
            }
            let zero = !start_is_signup || returns_on(c, t0) >= m;
            for k in 0..4i64 {
                if c + k > last {
                    break;
                }
                let hit = match (counting, k) {
                    (Counting::On, 0) => zero,
                    (Counting::On, _) => returns_on(c + k, i64::MIN) >= m,
                    (_, 0) => zero || (c + 1..=last).any(|d| returns_on(d, i64::MIN) >= m),
                    (_, _) => (c + k..=last).any(|d| returns_on(d, i64::MIN) >= m),
                };
                if hit && let Some(v) = cells[(c - first) as usize][k as usize].as_mut() {
                    *v += 1;
                }
            }
        }
    }
    cells
}

proptest! {
    #[test]
    fn daily_retention_matches_a_brute_force_reference(
        rows in arb_events(),
        kind in prop::sample::select(vec![RetentionKind::Recurring, RetentionKind::FirstTime]),
        counting in prop::sample::select(vec![Counting::On, Counting::OnOrAfter]),
        distinct_start in any::<bool>(),
        m in 1u32..3,
    ) {
        let start = if distinct_start { "signup" } else { "use" };
        let table = Retention::builder(EventMatcher::event(start), EventMatcher::event("use"))
            .intervals(4)
            .range(D, 5 * D)
            .kind(kind)
            .counting(counting)
            .min_occurrences(m)
            .build()?
            .run(&build_table(&rows, |_| true)?)?;
        let expected = reference_retention(&rows, distinct_start, kind, counting, m as usize);
        prop_assert_eq!(cells(&table), expected);
    }
}
