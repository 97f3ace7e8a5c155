//! Funnels: hand-worked scenarios for every rule of the definition (timelines in comments),
//! a cross-check against the DuckDB SQL in `fixtures/events_funnel.sql` on generated data, and
//! properties (counts never increase down the funnel; shards by key add up to the whole).

use std::error::Error;

use polars::prelude::*;
use prodops_core::Grain;
use prodops_kpi::KpiError;
use prodops_kpi::events::funnel::{
    Attribution, Breakdown, BreakdownLabel, ConversionWindow, EventMatcher, Exclusion, Funnel,
    FunnelOrder, FunnelResult, Reentry, StepOccurrence, WindowUnit,
};
use prodops_kpi::events::{
    Calendar, EventSchema, EventTable, EventTableBuilder, MICROS_PER_DAY, MICROS_PER_HOUR,
};
use proptest::prelude::*;

type TestResult = Result<(), Box<dyn Error>>;

const H: i64 = MICROS_PER_HOUR;

/// A table from `(person, time in µs, event)` rows without properties.
fn events(rows: &[(&str, i64, &str)]) -> Result<EventTable, KpiError> {
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for &(k, t, e) in rows {
        b.push(k, t, e, &[])?;
    }
    Ok(b.build())
}

fn steps(names: &[&str]) -> Vec<EventMatcher> {
    names.iter().map(|n| EventMatcher::event(*n)).collect()
}

fn day_window() -> Result<ConversionWindow, KpiError> {
    ConversionWindow::new(1, WindowUnit::Day)
}

fn persons(result: &FunnelResult) -> Vec<u64> {
    result.series[0].steps.iter().map(|s| s.persons).collect()
}

fn persons_of(result: &FunnelResult, label: BreakdownLabel) -> Option<Vec<u64>> {
    result
        .series(&label)
        .map(|s| s.steps.iter().map(|x| x.persons).collect())
}

fn value(v: &str) -> BreakdownLabel {
    BreakdownLabel::Value(v.to_string())
}

#[test]
fn a_second_entry_re_anchors_the_window_and_rescues_the_conversion() -> TestResult {
    // Window 24 h. view@0h, view@30h, signup@40h.
    // MostRecent: the attempt from 0h cannot use the signup (40h > 24h), the attempt from 30h
    // can (40 − 30 = 10h ≤ 24h): converts, time to convert 10h = 36,000 s.
    // FirstEntry: only the 0h attempt exists: no conversion.
    let table = events(&[
        ("a", 0, "view"),
        ("a", 30 * H, "view"),
        ("a", 40 * H, "signup"),
    ])?;
    let recent = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .build()?
        .run(&table)?;
    assert_eq!(persons(&recent), vec![1, 1]);
    assert_eq!(
        recent.series[0].steps[1].mean_time_to_convert,
        Some(36_000.0)
    );
    let first = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .reentry(Reentry::FirstEntry)
        .build()?
        .run(&table)?;
    assert_eq!(persons(&first), vec![1, 0]);
    Ok(())
}

#[test]
fn steps_out_of_order_do_not_convert_an_ordered_funnel() -> TestResult {
    // signup@0 then view@1h: the signup precedes any view, so view → signup stops at step 0;
    // unordered, both steps fall within 24h of the first: converts.
    let table = events(&[("a", 0, "signup"), ("a", H, "view")])?;
    let ordered = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .build()?;
    assert_eq!(persons(&ordered.run(&table)?), vec![1, 0]);
    let unordered = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .order(FunnelOrder::Unordered)
        .build()?;
    let result = unordered.run(&table)?;
    assert_eq!(persons(&result), vec![1, 1]);
    // Unordered timings: the sorted step times 0h, 1h → 3,600 s.
    assert_eq!(
        result.series[0].steps[1].median_time_to_convert,
        Some(3_600.0)
    );
    Ok(())
}

#[test]
fn the_window_is_inclusive_to_the_microsecond() -> TestResult {
    // Window 24h from the view at 0: a signup at exactly 24h converts (a), one 1 µs later
    // does not (b).
    let table = events(&[
        ("a", 0, "view"),
        ("a", 24 * H, "signup"),
        ("b", 0, "view"),
        ("b", 24 * H + 1, "signup"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![2, 1]);
    Ok(())
}

#[test]
fn the_window_runs_from_step_one_not_from_the_previous_step() -> TestResult {
    // Window 24h. view@0, signup@20h, pay@30h: pay is 10h after the signup but 30h after the
    // view, so the person stops at signup.
    let table = events(&[
        ("a", 0, "view"),
        ("a", 20 * H, "signup"),
        ("a", 30 * H, "pay"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(day_window()?)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![1, 1, 0]);
    Ok(())
}

#[test]
fn exclusions_inside_the_window_drop_the_attempt_and_outside_do_not() -> TestResult {
    // view → signup, window 24h, exclusion "cancel" between steps 0 and 1.
    // a: view@0, cancel@2h, signup@3h: the attempt is excluded; it is a's deepest → dropped.
    // b: view@0, cancel@30h (outside the 0h window: no effect), view@40h, signup@41h → 2 steps.
    // c: view@0, cancel@2h, view@4h, signup@5h: a clean attempt from 4h replaces the excluded
    //    one → 2 steps.
    // d: view@0, cancel@2h and nothing more: the only attempt is excluded → dropped.
    // e: view@0, signup@1h, cancel@2h: the cancel comes after step 1 was reached → 2 steps.
    let table = events(&[
        ("a", 0, "view"),
        ("a", 2 * H, "cancel"),
        ("a", 3 * H, "signup"),
        ("b", 0, "view"),
        ("b", 30 * H, "cancel"),
        ("b", 40 * H, "view"),
        ("b", 41 * H, "signup"),
        ("c", 0, "view"),
        ("c", 2 * H, "cancel"),
        ("c", 4 * H, "view"),
        ("c", 5 * H, "signup"),
        ("d", 0, "view"),
        ("d", 2 * H, "cancel"),
        ("e", 0, "view"),
        ("e", H, "signup"),
        ("e", 2 * H, "cancel"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .exclude(Exclusion::between(EventMatcher::event("cancel"), 0, 1))
        .build()?;
    let result = funnel.run(&table)?;
    assert_eq!(persons(&result), vec![3, 3]); // b, c, e
    // Times to convert: b 1h, c 1h, e 1h.
    assert_eq!(
        result.series[0].steps[1].mean_time_to_convert,
        Some(3_600.0)
    );
    Ok(())
}

#[test]
fn strict_order_is_broken_by_an_unrelated_event() -> TestResult {
    // a: view@0, other@1h, signup@2h; b: view@0, signup@1h.
    // Ordered: both convert. Strict: "other" between view and signup breaks a's attempt.
    let table = events(&[
        ("a", 0, "view"),
        ("a", H, "other"),
        ("a", 2 * H, "signup"),
        ("b", 0, "view"),
        ("b", H, "signup"),
    ])?;
    let build = |order| {
        Funnel::builder()
            .steps(steps(&["view", "signup"]))
            .window(ConversionWindow::POSTHOG_DEFAULT)
            .order(order)
            .build()
    };
    assert_eq!(
        persons(&build(FunnelOrder::Ordered)?.run(&table)?),
        vec![2, 2]
    );
    assert_eq!(
        persons(&build(FunnelOrder::Strict)?.run(&table)?),
        vec![2, 1]
    );
    // c: view@0, signup@1h, signup@2h, pay@3h with steps view → signup → pay. The second
    // signup matches the step the attempt is at, so it does not break it (PostHog's rule:
    // only an event not matching step i clears step i) → 3 steps; timings from the first
    // signup: 1h to it, then 2h to pay.
    let repeat = events(&[
        ("c", 0, "view"),
        ("c", H, "signup"),
        ("c", 2 * H, "signup"),
        ("c", 3 * H, "pay"),
    ])?;
    let strict = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(ConversionWindow::POSTHOG_DEFAULT)
        .order(FunnelOrder::Strict)
        .build()?
        .run(&repeat)?;
    assert_eq!(persons(&strict), vec![1, 1, 1]);
    assert_eq!(
        strict.series[0].steps[2].mean_time_to_convert,
        Some(7_200.0)
    );
    Ok(())
}

#[test]
fn steps_at_the_same_instant_are_taken_in_step_order() -> TestResult {
    // a: view and signup both at 5h (view first in the input); b: the same with signup first
    // in the input. Split into one event per step in step order, view then signup: both
    // convert with a time to convert of 0 s.
    let table = events(&[
        ("a", 5 * H, "view"),
        ("a", 5 * H, "signup"),
        ("b", 5 * H, "signup"),
        ("b", 5 * H, "view"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .build()?;
    let result = funnel.run(&table)?;
    assert_eq!(persons(&result), vec![2, 2]);
    assert_eq!(result.series[0].steps[1].median_time_to_convert, Some(0.0));
    Ok(())
}

#[test]
fn one_event_never_fills_two_consecutive_steps() -> TestResult {
    // Funnel view → view[plan = pro]. A pro view matches both steps.
    // a: a single pro view → step 0 only (it first tries to advance an earlier attempt, of
    //    which there is none, then enters).
    // b: two pro views 1h apart → 2 steps.
    // c: a free view then a pro view → 2 steps.
    let mut b = EventTableBuilder::new(["plan"]);
    b.push("a", 0, "view", &[Some("pro")])?;
    b.push("b", 0, "view", &[Some("pro")])?;
    b.push("b", H, "view", &[Some("pro")])?;
    b.push("c", 0, "view", &[Some("free")])?;
    b.push("c", H, "view", &[Some("pro")])?;
    let table = b.build();
    let funnel = Funnel::builder()
        .step(EventMatcher::event("view"))
        .step(EventMatcher::event("view").with_property("plan", ["pro"]))
        .window(day_window()?)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![3, 2]);
    Ok(())
}

#[test]
fn optional_steps_may_be_skipped_and_add_no_timings() -> TestResult {
    // view → tour (optional) → signup, window 24h.
    // a: view@0, tour@1h, signup@3h → all three.
    // b: view@0, signup@2h → skips the tour, reaches signup.
    // c: view@0, tour@1h → tour only.
    // d: view@0.
    // Persons: view 4, tour 2 (a, c), signup 2 (a, b). Signup is measured from the view, the
    // last required step: conversion 2/4, drop-off 2, time (3h + 2h)/2 = 2.5h = 9,000 s; the
    // tour has no time to convert.
    let table = events(&[
        ("a", 0, "view"),
        ("a", H, "tour"),
        ("a", 3 * H, "signup"),
        ("b", 0, "view"),
        ("b", 2 * H, "signup"),
        ("c", 0, "view"),
        ("c", H, "tour"),
        ("d", 0, "view"),
    ])?;
    let funnel = Funnel::builder()
        .step(EventMatcher::event("view"))
        .optional_step(EventMatcher::event("tour"))
        .step(EventMatcher::event("signup"))
        .window(day_window()?)
        .build()?;
    let result = funnel.run(&table)?;
    assert_eq!(persons(&result), vec![4, 2, 2]);
    let signup = &result.series[0].steps[2];
    assert_eq!(signup.conversion_from_previous, Some(0.5));
    assert_eq!(signup.drop_off, 2);
    assert_eq!(signup.mean_time_to_convert, Some(9_000.0));
    let tour = &result.series[0].steps[1];
    assert!(tour.optional);
    assert_eq!(tour.mean_time_to_convert, None);
    let first_optional = Funnel::builder()
        .optional_step(EventMatcher::event("tour"))
        .step(EventMatcher::event("signup"))
        .window(day_window()?)
        .build();
    assert!(matches!(first_optional, Err(KpiError::InvalidInput { .. })));
    Ok(())
}

#[test]
fn a_step_window_limits_the_gap_from_the_previous_step() -> TestResult {
    // Funnel window 7 days; pay must follow signup within 1h.
    // a: view@0, signup@1h, pay@1.5h → 30 min gap: 3 steps.
    // b: view@0, signup@1h, pay@3h → 2h gap: stops at signup.
    let table = events(&[
        ("a", 0, "view"),
        ("a", H, "signup"),
        ("a", 3 * H / 2, "pay"),
        ("b", 0, "view"),
        ("b", H, "signup"),
        ("b", 3 * H, "pay"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(ConversionWindow::new(7, WindowUnit::Day)?)
        .step_window(2, ConversionWindow::new(1, WindowUnit::Hour)?)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![2, 2, 1]);
    let bad = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .step_window(0, day_window()?)
        .build();
    assert!(matches!(bad, Err(KpiError::InvalidInput { .. })));
    Ok(())
}

#[test]
fn holding_a_property_constant_counts_person_value_pairs() -> TestResult {
    // plan held constant. a: view(free)@0, signup(pro)@1h, view(pro)@2h, signup(pro)@3h.
    // (a, free): view only → 1 step. (a, pro): view@2h → signup@3h → 2 steps.
    // Pairs: step 0 = 2, step 1 = 1. Without holding it, a is one person converting (1, 1).
    let mut b = EventTableBuilder::new(["plan"]);
    b.push("a", 0, "view", &[Some("free")])?;
    b.push("a", H, "signup", &[Some("pro")])?;
    b.push("a", 2 * H, "view", &[Some("pro")])?;
    b.push("a", 3 * H, "signup", &[Some("pro")])?;
    let table = b.build();
    let window = day_window()?;
    let base = || {
        Funnel::builder()
            .steps(steps(&["view", "signup"]))
            .window(window)
    };
    let held = base().hold_constant("plan").build()?.run(&table)?;
    assert_eq!(persons(&held), vec![2, 1]);
    let plain = base().build()?.run(&table)?;
    assert_eq!(persons(&plain), vec![1, 1]);
    Ok(())
}

#[test]
fn first_ever_versus_first_matching_occurrence() -> TestResult {
    // signup → pay[plan = pro].
    // a: signup@0, pay(free)@1h, pay(pro)@2h. First-ever pay is the free one, which fails
    //    the filter → no step 1; first matching pay is the pro one at 2h → converts.
    // b: pay(pro)@−5h, signup@0, pay(pro)@1h. Both first occurrences are the pay at −5h,
    //    before the signup → no conversion; with any occurrence the 1h pay converts.
    // Any: [2, 2]; first matching: [2, 1]; first ever: [2, 0].
    let mut b = EventTableBuilder::new(["plan"]);
    b.push("a", 0, "signup", &[None])?;
    b.push("a", H, "pay", &[Some("free")])?;
    b.push("a", 2 * H, "pay", &[Some("pro")])?;
    b.push("b", -5 * H, "pay", &[Some("pro")])?;
    b.push("b", 0, "signup", &[None])?;
    b.push("b", H, "pay", &[Some("pro")])?;
    let table = b.build();
    let pro_pay = || EventMatcher::event("pay").with_property("plan", ["pro"]);
    let window = day_window()?;
    let run = |occ| {
        Funnel::builder()
            .step(EventMatcher::event("signup"))
            .step_with(pro_pay(), occ)
            .window(window)
            .build()?
            .run(&table)
    };
    assert_eq!(persons(&run(StepOccurrence::Any)?), vec![2, 2]);
    assert_eq!(persons(&run(StepOccurrence::FirstMatching)?), vec![2, 1]);
    assert_eq!(persons(&run(StepOccurrence::FirstEver)?), vec![2, 0]);
    Ok(())
}

#[test]
fn time_to_convert_mean_and_median() -> TestResult {
    // view → signup gaps of 1h, 2h, 3h and 6h for four persons:
    // mean = (1 + 2 + 3 + 6)/4 = 3h = 10,800 s; median = (2 + 3)/2 = 2.5h = 9,000 s.
    let mut rows = Vec::new();
    for (k, gap) in [("a", 1), ("b", 2), ("c", 3), ("d", 6)] {
        rows.push((k, 0, "view"));
        rows.push((k, gap * H, "signup"));
    }
    let table = events(&rows)?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .build()?;
    let result = funnel.run(&table)?;
    let step = &result.series[0].steps[1];
    assert_eq!(step.mean_time_to_convert, Some(10_800.0));
    assert_eq!(step.median_time_to_convert, Some(9_000.0));
    assert_eq!(result.series[0].steps[0].mean_time_to_convert, None);
    Ok(())
}

#[test]
fn conversion_and_drop_off() -> TestResult {
    // 4 view, 2 of them signup, 1 of those pays: persons 4, 2, 1;
    // from first 1, 0.5, 0.25; from previous 1, 0.5, 0.5; drop-off 0, 2, 1.
    let table = events(&[
        ("a", 0, "view"),
        ("a", H, "signup"),
        ("a", 2 * H, "pay"),
        ("b", 0, "view"),
        ("b", H, "signup"),
        ("c", 0, "view"),
        ("d", 0, "view"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(day_window()?)
        .build()?;
    let result = funnel.run(&table)?;
    let s = &result.series[0].steps;
    assert_eq!(persons(&result), vec![4, 2, 1]);
    let first: Vec<_> = s.iter().map(|x| x.conversion_from_first).collect();
    assert_eq!(first, vec![Some(1.0), Some(0.5), Some(0.25)]);
    let prev: Vec<_> = s.iter().map(|x| x.conversion_from_previous).collect();
    assert_eq!(prev, vec![Some(1.0), Some(0.5), Some(0.5)]);
    let drop: Vec<_> = s.iter().map(|x| x.drop_off).collect();
    assert_eq!(drop, vec![0, 2, 1]);
    let df = result.to_frame()?;
    assert_eq!(df.height(), 3);
    let col = df.column("persons")?.u64()?;
    assert_eq!(col.get(2), Some(1));
    Ok(())
}

#[test]
fn in_progress_entries_are_reported_apart() -> TestResult {
    // now = 10h, window 24h.
    // a: view@0, nothing else: window open until 24h > now → in progress at step 0.
    // b: view@0, signup@1h: finished the funnel → not in progress.
    // c: view@−30h: window closed at −6h → a plain drop-off.
    let table = events(&[
        ("a", 0, "view"),
        ("b", 0, "view"),
        ("b", H, "signup"),
        ("c", -30 * H, "view"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .now(10 * H)
        .build()?;
    let result = funnel.run(&table)?;
    assert_eq!(persons(&result), vec![3, 1]);
    let open: Vec<u64> = result.series[0]
        .steps
        .iter()
        .map(|s| s.in_progress)
        .collect();
    assert_eq!(open, vec![1, 0]);
    Ok(())
}

#[test]
fn the_entry_range_bounds_step_one_only() -> TestResult {
    // Entry range [0h, 10h): a: view@5h, signup@12h → converts (the signup may fall after the
    // range); b: view@11h → never enters.
    let table = events(&[
        ("a", 5 * H, "view"),
        ("a", 12 * H, "signup"),
        ("b", 11 * H, "view"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .entry_range(0, 10 * H)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![1, 1]);
    Ok(())
}

#[test]
fn unordered_counts_distinct_steps_within_the_window() -> TestResult {
    // Window 24h, steps view, signup, pay in any order.
    // a: pay@0, view@1h, signup@2h → all three within 24h of 0h: 3 steps.
    // b: pay@0, view@30h → no two within 24h: 1 step.
    let table = events(&[
        ("a", 0, "pay"),
        ("a", H, "view"),
        ("a", 2 * H, "signup"),
        ("b", 0, "pay"),
        ("b", 30 * H, "view"),
    ])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(day_window()?)
        .order(FunnelOrder::Unordered)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![2, 1, 1]);
    // c: view@0, signup@30h, pay@31h. Best anchor: the signup at 30h (signup, pay) → 2 steps;
    // with first entry only the 0h anchor exists (view alone) → 1 step.
    let late = events(&[
        ("c", 0, "view"),
        ("c", 30 * H, "signup"),
        ("c", 31 * H, "pay"),
    ])?;
    assert_eq!(persons(&funnel.run(&late)?), vec![1, 1, 0]);
    let first = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(day_window()?)
        .order(FunnelOrder::Unordered)
        .reentry(Reentry::FirstEntry)
        .build()?;
    assert_eq!(persons(&first.run(&late)?), vec![1, 0, 0]);
    Ok(())
}

/// P: view@0 (ads), signup@1h (seo), pay@2h (none) → 3 steps.
/// Q: view@0 (none), view@1h (seo), signup@2h (ads) → 2 steps.
/// R: view@0 (mail) → 1 step.
fn attribution_table() -> Result<EventTable, KpiError> {
    let mut b = EventTableBuilder::new(["source"]);
    b.push("P", 0, "view", &[Some("ads")])?;
    b.push("P", H, "signup", &[Some("seo")])?;
    b.push("P", 2 * H, "pay", &[None])?;
    b.push("Q", 0, "view", &[None])?;
    b.push("Q", H, "view", &[Some("seo")])?;
    b.push("Q", 2 * H, "signup", &[Some("ads")])?;
    b.push("R", 0, "view", &[Some("mail")])?;
    Ok(b.build())
}

fn attributed(attribution: Attribution, top: Option<usize>) -> Result<FunnelResult, KpiError> {
    let mut breakdown = Breakdown::new("source", attribution);
    if let Some(n) = top {
        breakdown = breakdown.top(n);
    }
    Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(day_window()?)
        .breakdown(breakdown)
        .build()?
        .run(&attribution_table()?)
}

#[test]
fn first_and_last_touch_attribution() -> TestResult {
    // First touch: P → ads (its view), Q → seo (first non-null, the 1h view), R → mail.
    let first = attributed(Attribution::FirstTouch, None)?;
    assert_eq!(persons_of(&first, value("ads")), Some(vec![1, 1, 1]));
    assert_eq!(persons_of(&first, value("seo")), Some(vec![1, 1, 0]));
    assert_eq!(persons_of(&first, value("mail")), Some(vec![1, 0, 0]));
    // Last touch: P → seo (the pay has no value), Q → ads (its signup), R → mail.
    let last = attributed(Attribution::LastTouch, None)?;
    assert_eq!(persons_of(&last, value("seo")), Some(vec![1, 1, 1]));
    assert_eq!(persons_of(&last, value("ads")), Some(vec![1, 1, 0]));
    Ok(())
}

#[test]
fn all_events_attribution_runs_per_value() -> TestResult {
    // Each value sees only its own events:
    // P: ads = {view} → 1 step; seo = {signup} → no view, not counted; none = {pay} → nothing.
    // Q: none = {view@0} → 1; seo = {view@1h} → 1; ads = {signup} → nothing.
    // R: mail = {view} → 1.
    let all = attributed(Attribution::AllEvents, None)?;
    assert_eq!(persons_of(&all, value("ads")), Some(vec![1, 0, 0]));
    assert_eq!(persons_of(&all, value("seo")), Some(vec![1, 0, 0]));
    assert_eq!(persons_of(&all, value("mail")), Some(vec![1, 0, 0]));
    assert_eq!(persons_of(&all, BreakdownLabel::Null), Some(vec![1, 0, 0]));
    Ok(())
}

#[test]
fn step_attribution_takes_the_value_of_that_step() -> TestResult {
    // Step 1 (signup): P's signup says seo → seo gets P's 3 steps; Q's says ads → 2 steps;
    // R never signs up → Null with 1 step.
    let step1 = attributed(Attribution::Step(1), None)?;
    assert_eq!(persons_of(&step1, value("seo")), Some(vec![1, 1, 1]));
    assert_eq!(persons_of(&step1, value("ads")), Some(vec![1, 1, 0]));
    assert_eq!(
        persons_of(&step1, BreakdownLabel::Null),
        Some(vec![1, 0, 0])
    );
    // Step 0 (view): P → ads (3 steps); Q's valued view is seo@1h, which still leads to the
    // signup@2h → seo 2 steps; R → mail.
    let step0 = attributed(Attribution::Step(0), None)?;
    assert_eq!(persons_of(&step0, value("ads")), Some(vec![1, 1, 1]));
    assert_eq!(persons_of(&step0, value("seo")), Some(vec![1, 1, 0]));
    assert_eq!(persons_of(&step0, value("mail")), Some(vec![1, 0, 0]));
    Ok(())
}

#[test]
fn person_property_breakdowns_use_the_persons_value() -> TestResult {
    // Person values: P → EU, Q → US, R none. Whatever the events carry:
    // EU = P's 3 steps, US = Q's 2 steps, Null = R's 1 step.
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup", "pay"]))
        .window(day_window()?)
        .breakdown(Breakdown::person("region", [("P", "EU"), ("Q", "US")]))
        .build()?;
    let result = funnel.run(&attribution_table()?)?;
    assert_eq!(persons_of(&result, value("EU")), Some(vec![1, 1, 1]));
    assert_eq!(persons_of(&result, value("US")), Some(vec![1, 1, 0]));
    assert_eq!(
        persons_of(&result, BreakdownLabel::Null),
        Some(vec![1, 0, 0])
    );
    Ok(())
}

#[test]
fn top_n_sums_the_rest_into_other() -> TestResult {
    // First touch: ads, seo, mail one person each; ties rank by value, so top 1 keeps ads
    // and Other = seo [1, 1, 0] + mail [1, 0, 0] = [2, 1, 0].
    let top = attributed(Attribution::FirstTouch, Some(1))?;
    assert_eq!(top.series.len(), 2);
    assert_eq!(persons_of(&top, value("ads")), Some(vec![1, 1, 1]));
    assert_eq!(persons_of(&top, BreakdownLabel::Other), Some(vec![2, 1, 0]));
    let df = top.to_frame()?;
    assert_eq!(df.column("breakdown")?.str()?.get(3), Some("Other"));
    Ok(())
}

#[test]
fn invalid_definitions_are_typed_errors() -> TestResult {
    let no_window = Funnel::builder().steps(steps(&["a", "b"])).build();
    assert!(matches!(no_window, Err(KpiError::InvalidInput { .. })));
    let backwards = Funnel::builder()
        .steps(steps(&["a", "b"]))
        .window(day_window()?)
        .exclude(Exclusion::between(EventMatcher::event("x"), 1, 1))
        .build();
    assert!(matches!(backwards, Err(KpiError::InvalidInput { .. })));
    let unordered_step = Funnel::builder()
        .steps(steps(&["a", "b"]))
        .window(day_window()?)
        .order(FunnelOrder::Unordered)
        .breakdown(Breakdown::new("p", Attribution::Step(1)))
        .build();
    assert!(matches!(
        unordered_step,
        Err(KpiError::IncompatibleOptions { .. })
    ));
    assert!(ConversionWindow::new(0, WindowUnit::Hour).is_err());
    let unknown_property = Funnel::builder()
        .steps(steps(&["view"]))
        .window(day_window()?)
        .breakdown(Breakdown::new("nope", Attribution::FirstTouch))
        .build()?
        .run(&events(&[("a", 0, "view")])?);
    assert!(matches!(
        unknown_property,
        Err(KpiError::MissingColumn { .. })
    ));
    Ok(())
}

#[test]
fn extreme_timestamps_do_not_overflow() -> TestResult {
    // Differences of timestamps at the ends of the i64 range would overflow; they saturate,
    // so the signup 2^64 µs after the view is simply outside the window.
    let table = events(&[("a", i64::MIN + 1, "view"), ("a", i64::MAX - 1, "signup")])?;
    let funnel = Funnel::builder()
        .steps(steps(&["view", "signup"]))
        .window(day_window()?)
        .now(i64::MAX)
        .build()?;
    assert_eq!(persons(&funnel.run(&table)?), vec![1, 0]);
    Ok(())
}

#[test]
fn trends_agree_with_a_funnel_restricted_to_each_entry_day() -> TestResult {
    // a: view on day 0 and day 1, signup on day 1 (2h after the day-1 view).
    // Day 0's attempt (0h) reaches the signup at 26h within 48h → day 0 converts;
    // day 1's attempt (24h) converts too. b: view on day 1 only.
    let table = events(&[
        ("a", 0, "view"),
        ("a", 24 * H, "view"),
        ("a", 26 * H, "signup"),
        ("b", 25 * H, "view"),
    ])?;
    let builder = || {
        Funnel::builder()
            .steps(steps(&["view", "signup"]))
            .window(ConversionWindow::new(2, WindowUnit::Day)?)
            .build()
    };
    let trends = builder()?.trends(&table, Grain::Day, &Calendar::utc())?;
    let points: Vec<(String, u64, u64)> = trends
        .points
        .iter()
        .map(|p| (p.period.label(), p.entered, p.converted))
        .collect();
    assert_eq!(
        points,
        vec![
            ("1970-01-01".to_string(), 1, 1),
            ("1970-01-02".to_string(), 2, 1)
        ]
    );
    for (day, p) in trends.points.iter().enumerate() {
        let restricted = Funnel::builder()
            .steps(steps(&["view", "signup"]))
            .window(ConversionWindow::new(2, WindowUnit::Day)?)
            .entry_range(
                day as i64 * MICROS_PER_DAY,
                (day as i64 + 1) * MICROS_PER_DAY,
            )
            .build()?
            .run(&table)?;
        assert_eq!(persons(&restricted), vec![p.entered, p.converted]);
    }
    assert_eq!(trends.to_frame()?.height(), 2);
    Ok(())
}

fn fixture_table() -> Result<EventTable, Box<dyn Error>> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let path = format!("{dir}/fixtures/events_sample.csv");
    let lf = LazyCsvReader::new(PlRefPath::new(path.as_str())).finish()?;
    let loaded = EventTable::from_lazy(lf, &EventSchema::default().with_properties(["plan"]))?;
    assert!(loaded.report.rejected().is_empty());
    Ok(loaded.table)
}

fn fixture_json() -> Result<serde_json::Value, Box<dyn Error>> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{dir}/fixtures/events_expected.json"))?;
    Ok(serde_json::from_str(&text)?)
}

pub(crate) fn fixture() -> Result<(EventTable, serde_json::Value), Box<dyn Error>> {
    Ok((fixture_table()?, fixture_json()?))
}

fn micros_of(date: &str) -> Result<i64, Box<dyn Error>> {
    prodops_kpi::events::parse_timestamp(date).ok_or_else(|| format!("bad date {date}").into())
}

#[test]
fn matches_duckdb_on_generated_events() -> TestResult {
    let (table, expected) = fixture()?;
    assert_eq!(Some(table.len() as u64), expected["n_events"].as_u64());
    let funnels = expected["funnels"].as_array().ok_or("no funnels")?;
    assert_eq!(funnels.len(), 6);
    for case in funnels {
        let window = case["window_s"].as_u64().ok_or("window")?;
        let reentry = match case["reentry"].as_str() {
            Some("most_recent") => Reentry::MostRecent,
            _ => Reentry::FirstEntry,
        };
        let order = match case["order"].as_str() {
            Some("strict") => FunnelOrder::Strict,
            _ => FunnelOrder::Ordered,
        };
        let from = micros_of(case["entry_from"].as_str().ok_or("from")?)?;
        let to = micros_of(case["entry_to"].as_str().ok_or("to")?)?;
        let result = Funnel::builder()
            .steps(steps(&["view", "signup", "pay"]))
            .window(ConversionWindow::new(
                u32::try_from(window)?,
                WindowUnit::Second,
            )?)
            .reentry(reentry)
            .order(order)
            .entry_range(from, to)
            .build()?
            .run(&table)?;
        let got = &result.series[0].steps;
        for (i, step) in case["steps"].as_array().ok_or("steps")?.iter().enumerate() {
            assert_eq!(Some(got[i].persons), step["persons"].as_u64(), "{case}");
            // DuckDB averages epoch seconds as doubles: agree to 1e-9 relative.
            for (mine, theirs) in [
                (got[i].mean_time_to_convert, step["mean_s"].as_f64()),
                (got[i].median_time_to_convert, step["median_s"].as_f64()),
            ] {
                match (mine, theirs) {
                    (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} vs {b}"),
                    (a, b) => assert_eq!(a, b),
                }
            }
        }
    }
    Ok(())
}

/// Random events for up to 6 persons over 4 event kinds and 3 days.
fn arb_events() -> impl Strategy<Value = Vec<(u8, i64, u8)>> {
    prop::collection::vec((0u8..6, 0i64..72, 0u8..4), 0..60)
}

fn build_table(rows: &[(u8, i64, u8)], keep: impl Fn(u8) -> bool) -> Result<EventTable, KpiError> {
    let names = ["view", "signup", "pay", "other"];
    let mut b = EventTableBuilder::new(Vec::<String>::new());
    for &(k, t, e) in rows.iter().filter(|r| keep(r.0)) {
        b.push(&format!("p{k}"), t * H, names[e as usize], &[])?;
    }
    Ok(b.build())
}

proptest! {
    #[test]
    fn counts_never_increase_and_shards_add_up(
        rows in arb_events(),
        order in prop::sample::select(vec![FunnelOrder::Ordered, FunnelOrder::Strict, FunnelOrder::Unordered]),
        reentry in prop::sample::select(vec![Reentry::MostRecent, Reentry::FirstEntry]),
        hours in 1u32..48,
    ) {
        let funnel = Funnel::builder()
            .steps(steps(&["view", "signup", "pay"]))
            .window(ConversionWindow::new(hours, WindowUnit::Hour)?)
            .order(order)
            .reentry(reentry)
            .exclude(Exclusion::between(EventMatcher::event("other"), 0, 2))
            .build()?;
        let whole = funnel.run(&build_table(&rows, |_| true)?)?;
        let counts = persons(&whole);
        prop_assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        let even = funnel.run(&build_table(&rows, |k| k % 2 == 0)?)?;
        let odd = funnel.run(&build_table(&rows, |k| k % 2 == 1)?)?;
        let merged = even.merge(&odd)?;
        prop_assert_eq!(persons(&merged), counts);
        for (a, b) in merged.series[0].steps.iter().zip(&whole.series[0].steps) {
            prop_assert_eq!(a.median_time_to_convert, b.median_time_to_convert);
        }
    }
}

/// Independent reference for ordered and strict funnels on events with distinct timestamps
/// per person (the semantics the DuckDB SQL encodes): every `view` is an anchor; ordered
/// takes the first `signup` after it and the first `pay` after that; strict first drops
/// events repeating the previous event (except views: a repeat neither advances nor breaks an
/// attempt) and then takes the next events only; all within the window of the anchor. A
/// person's depth is the deepest anchor; timings come from the deepest anchor finishing first
/// (latest anchor on a tie).
fn reference_funnel(rows: &[(u8, i64, u8)], window: i64, strict: bool) -> (Vec<u64>, Vec<i64>) {
    let names = ["view", "signup", "pay", "other"];
    let mut persons = vec![0u64; 3];
    let mut sums = vec![0i64; 3];
    for p in 0..6u8 {
        let mut evs: Vec<(i64, &str)> = rows
            .iter()
            .filter(|r| r.0 == p)
            .map(|r| (r.1, names[r.2 as usize]))
            .collect();
        evs.sort();
        if strict {
            let mut previous: Option<&str> = None;
            evs.retain(|&(_, e)| {
                let keep = previous != Some(e) || e == "view";
                previous = Some(e);
                keep
            });
        }
        // (depth, last time, anchor, step times)
        let mut best: Option<(usize, i64, i64, Vec<i64>)> = None;
        for (i, &(t0, e)) in evs.iter().enumerate() {
            if e != "view" {
                continue;
            }
            let mut times = vec![t0];
            let mut pos = i;
            for want in ["signup", "pay"] {
                let next = if strict {
                    evs.get(pos + 1).filter(|x| x.1 == want).map(|_| pos + 1)
                } else {
                    (pos + 1..evs.len()).find(|&j| evs[j].1 == want)
                };
                match next {
                    Some(j) if evs[j].0 - t0 <= window => {
                        times.push(evs[j].0);
                        pos = j;
                    }
                    _ => break,
                }
            }
            let cand = (times.len(), *times.last().unwrap_or(&t0), t0, times);
            best = match best {
                None => Some(cand),
                Some(b) => {
                    let better = cand.0 > b.0 || (cand.0 == b.0 && (cand.1, -cand.2) < (b.1, -b.2));
                    Some(if better { cand } else { b })
                }
            };
        }
        if let Some((depth, _, _, times)) = best {
            for i in 0..depth {
                persons[i] += 1;
                if i > 0 {
                    sums[i] += times[i] - times[i - 1];
                }
            }
        }
    }
    (persons, sums)
}

/// Events with distinct timestamps per person: (person, minute, event).
fn arb_distinct_events() -> impl Strategy<Value = Vec<(u8, i64, u8)>> {
    prop::collection::btree_map((0u8..6, 0i64..(72 * 60)), 0u8..4, 0..80)
        .prop_map(|m| m.into_iter().map(|((p, t), e)| (p, t, e)).collect())
}

proptest! {
    #[test]
    fn ordered_and_strict_match_a_brute_force_reference(
        rows in arb_distinct_events(),
        strict in any::<bool>(),
        minutes in 1u32..(48 * 60),
    ) {
        let names = ["view", "signup", "pay", "other"];
        let mut b = EventTableBuilder::new(Vec::<String>::new());
        for &(k, t, e) in &rows {
            b.push(&format!("p{k}"), t * 60_000_000, names[e as usize], &[])?;
        }
        let result = Funnel::builder()
            .steps(steps(&["view", "signup", "pay"]))
            .window(ConversionWindow::new(minutes, WindowUnit::Minute)?)
            .order(if strict { FunnelOrder::Strict } else { FunnelOrder::Ordered })
            .build()?
            .run(&b.build())?;
        let (persons_ref, sums_ref) =
            reference_funnel(&rows, i64::from(minutes), strict);
        prop_assert_eq!(persons(&result), persons_ref.clone());
        for i in 1..3 {
            // Mean seconds × persons = total seconds; the reference sums minutes.
            let total = result.series[0].steps[i].mean_time_to_convert.map_or(0.0, |m| m * persons_ref[i] as f64);
            prop_assert!((total - 60.0 * sums_ref[i] as f64).abs() < 1e-6 * (1.0 + total.abs()));
        }
    }
}

proptest! {
    #[test]
    fn unordered_matches_a_brute_force_reference(
        rows in arb_distinct_events(),
        minutes in 1u32..(48 * 60),
    ) {
        // Reference: a person's depth is the most distinct steps (view, signup, pay) among
        // events in [t, t + window] over anchors t at their step events.
        let names = ["view", "signup", "pay", "other"];
        let w = i64::from(minutes);
        let mut expected = vec![0u64; 3];
        for p in 0..6u8 {
            let evs: Vec<(i64, u8)> =
                rows.iter().filter(|r| r.0 == p && r.2 < 3).map(|r| (r.1, r.2)).collect();
            let depth = evs
                .iter()
                .map(|&(t0, _)| {
                    let mut seen = [false; 3];
                    for &(t, e) in &evs {
                        if t >= t0 && t - t0 <= w {
                            seen[e as usize] = true;
                        }
                    }
                    seen.iter().filter(|&&s| s).count()
                })
                .max()
                .unwrap_or(0);
            for slot in expected.iter_mut().take(depth) {
                *slot += 1;
            }
        }
        let mut b = EventTableBuilder::new(Vec::<String>::new());
        for &(k, t, e) in &rows {
            b.push(&format!("p{k}"), t * 60_000_000, names[e as usize], &[])?;
        }
        let result = Funnel::builder()
            .steps(steps(&["view", "signup", "pay"]))
            .window(ConversionWindow::new(minutes, WindowUnit::Minute)?)
            .order(FunnelOrder::Unordered)
            .build()?
            .run(&b.build())?;
        prop_assert_eq!(persons(&result), expected);
    }
}

proptest! {
    #[test]
    fn trends_equal_funnels_restricted_to_each_day(
        rows in arb_events(),
        order in prop::sample::select(vec![FunnelOrder::Ordered, FunnelOrder::Strict, FunnelOrder::Unordered]),
        hours in 1u32..48,
    ) {
        // PostHog #4369: trends and steps must agree. Each day's entered/converted equals the
        // step-0 and last-step counts of the funnel whose entry range is that day.
        let table = build_table(&rows, |_| true)?;
        let build = |range: Option<(i64, i64)>| {
            let mut b = Funnel::builder()
                .steps(steps(&["view", "signup", "pay"]))
                .window(ConversionWindow::new(hours, WindowUnit::Hour)?)
                .order(order);
            if let Some((from, to)) = range {
                b = b.entry_range(from, to);
            }
            b.build()
        };
        let trends = build(None)?.trends(&table, Grain::Day, &Calendar::utc())?;
        let mut entered_days = 0;
        for day in 0..3i64 {
            let restricted = persons(&build(Some((day * MICROS_PER_DAY, (day + 1) * MICROS_PER_DAY)))?.run(&table)?);
            let label = format!("1970-01-0{}", day + 1);
            match trends.points.iter().find(|p| p.period.label() == label) {
                Some(p) => {
                    entered_days += 1;
                    prop_assert_eq!((p.entered, p.converted), (restricted[0], restricted[2]));
                }
                None => prop_assert_eq!(restricted[0], 0),
            }
        }
        prop_assert_eq!(entered_days, trends.points.len());
    }
}
