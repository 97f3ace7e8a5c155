//! Hand-worked schedules on a business calendar, the critical path method, status, and
//! scheduling properties.

use chrono::{NaiveDate, Weekday};
use prodops_process::{
    BusinessCalendar, Format, Plan, Progress, RegionalCalendars, TaskState, Template, critical_path,
};
use proptest::prelude::*;

type R = Result<(), Box<dyn std::error::Error>>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const SMALL: &str = r#"
id = "small"
version = "1"
name = "Small"
roles = [{ id = "pm", name = "PM" }, { id = "eng", name = "Engineer" }]

[[stages]]
id = "s1"
name = "First"
tasks = [
  { id = "a", name = "A", due = "T-3bd", duration = 2, raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "b", name = "B", depends_on = ["a"], duration = 3, raci = { responsible = ["eng"], accountable = "pm" } },
]
gate = { id = "g1", criteria = ["A and B done"], approvers = ["pm"] }

[[stages]]
id = "s2"
name = "Second"
tasks = [
  { id = "c", name = "C", due = "T+3bd", duration = 2, depends_on = ["b"], raci = { responsible = ["eng"], accountable = "pm" } },
  { id = "d", name = "D", due = "T+5cd", duration = 1, raci = { responsible = ["pm"], accountable = "pm" } },
]
"#;

/// Saturday–Sunday weekends; Friday 25 December 2026 and Friday 1 January 2027 are holidays.
fn holiday_calendar() -> BusinessCalendar {
    BusinessCalendar::new(
        &[Weekday::Sat, Weekday::Sun],
        [d(2026, 12, 25), d(2027, 1, 1)],
    )
    .unwrap()
}

#[test]
fn business_days_across_a_weekend_and_holidays() -> R {
    let t = Template::from_str_as(SMALL, Format::Toml, "small.toml")?;
    // T = Tuesday 29 December 2026.
    let plan = Plan::builder(&t)
        .anchor(d(2026, 12, 29))
        .calendar(holiday_calendar())
        .build()?;
    let task = |id| plan.task(id).unwrap();
    // a: T-3bd counts back Mon 28 (1), skips Sun 27, Sat 26 and the holiday Fri 25,
    // Thu 24 (2), Wed 23 (3) → due Wed 23; two days of work start Tue 22.
    assert_eq!(
        (task("a").start, task("a").due),
        (d(2026, 12, 22), d(2026, 12, 23))
    );
    // b: no offset; starts the working day after a is due, Thu 24, and three days of work are
    // Thu 24, Mon 28 (skipping Fri 25, Sat, Sun), Tue 29 → due Tue 29.
    assert_eq!(
        (task("b").start, task("b").due),
        (d(2026, 12, 24), d(2026, 12, 29))
    );
    // c: T+3bd is Wed 30 (1), Thu 31 (2), skip Fri 1 Jan holiday, Sat, Sun, Mon 4 Jan (3);
    // two days of work start Thu 31.
    assert_eq!(
        (task("c").start, task("c").due),
        (d(2026, 12, 31), d(2027, 1, 4))
    );
    // d: T+5cd is Sunday 3 January, rolled back past Sat 2 and the holiday Fri 1 to Thu 31.
    assert_eq!(
        (task("d").start, task("d").due),
        (d(2026, 12, 31), d(2026, 12, 31))
    );
    assert!(plan.conflicts.is_empty());
    // CPM in working days: a 0–2, b 2–5, c 5–7, d 0–1; duration 7. Backward: c LF 7 LS 5,
    // b LF 5 LS 2, a LF 2 LS 0, d LF 7 LS 6 → slack a 0, b 0, c 0, d 6.
    assert_eq!(plan.duration, 7);
    assert_eq!(plan.critical_path, ["a", "b", "c"]);
    let slack: Vec<u32> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| task(id).timing.slack)
        .collect();
    assert_eq!(slack, [0, 0, 0, 6]);
    // Free float on these dates: a is due Wed 23 and b starts Thu 24 → 0; b is due Tue 29 and
    // c starts Thu 31 → one working day (Wed 30); c, with no dependents, is due on the plan's
    // last day (Mon 4 Jan) → 0; d is due Thu 31 → (Fri 1 holiday, weekend) Mon 4 → 1.
    let float: Vec<i64> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| task(id).free_float)
        .collect();
    assert_eq!(float, [0, 1, 0, 1]);
    // The gate's review date is the last due date of its stage.
    assert_eq!(
        plan.stages[0].gate.as_ref().unwrap().date,
        Some(d(2026, 12, 29))
    );
    Ok(())
}

#[test]
fn offset_that_leaves_too_little_time_is_a_conflict() -> R {
    // e depends on c (due Mon 4 Jan) but is due T+6cd = Mon 4 Jan with one day of work, so it
    // would start on the day c is due. Mixed units are checked at instantiation.
    let text = SMALL.replace(
        "{ id = \"d\", name = \"D\"",
        "{ id = \"e\", name = \"E\", due = \"T+6cd\", duration = 1, depends_on = [\"c\"], raci = { responsible = [\"pm\"], accountable = \"pm\" } },\n  { id = \"d\", name = \"D\"",
    );
    let t = Template::from_str_as(&text, Format::Toml, "small.toml")?;
    let plan = Plan::builder(&t)
        .anchor(d(2026, 12, 29))
        .calendar(holiday_calendar())
        .build()?;
    assert_eq!(plan.conflicts.len(), 1);
    let c = &plan.conflicts[0];
    assert_eq!((c.task.as_str(), c.dependency.as_str()), ("e", "c"));
    assert_eq!(
        (c.task_start, c.dependency_due),
        (d(2027, 1, 4), d(2027, 1, 4))
    );
    // c would have to be due Thu 31 Dec for e to start on time: one working day late.
    assert_eq!(plan.task("c").unwrap().free_float, -1);
    Ok(())
}

#[test]
fn regional_calendars_combine_weekends_and_holidays() -> R {
    // A Friday–Saturday weekend region together with a Saturday–Sunday one leaves Monday to
    // Thursday as common working days.
    let cals = RegionalCalendars::default()
        .with_region(
            "FS",
            BusinessCalendar::new(&[Weekday::Fri, Weekday::Sat], [])?,
        )
        .with_region(
            "SS",
            BusinessCalendar::default().with_holidays([d(2027, 3, 1)]),
        );
    let both = cals.for_regions(&["FS", "SS"])?;
    assert_eq!(
        both.weekend_days(),
        [Weekday::Fri, Weekday::Sat, Weekday::Sun]
    );
    // From Thu 25 Feb 2027 one business day: Fri, Sat, Sun are weekend, Mon 1 Mar a holiday →
    // Tue 2 Mar.
    assert_eq!(both.add_business_days(d(2027, 2, 25), 1)?, d(2027, 3, 2));
    let err = cals.for_regions(&["SX"]).unwrap_err();
    assert!(
        err.to_string().contains("did you mean `SS`?")
            || err.to_string().contains("did you mean `FS`?"),
        "{err}"
    );
    // Calendars load from data files.
    let from_toml = RegionalCalendars::from_str_as(
        "[regions.DE]\nholidays = [\"2027-01-01\"]\n[regions.IL]\nweekend = [\"Fri\", \"Sat\"]\n",
        Format::Toml,
        "cal.toml",
    )?;
    assert!(!from_toml.regions["DE"].is_working_day(d(2027, 1, 1)));
    assert!(from_toml.regions["IL"].is_working_day(d(2027, 1, 3))); // a Sunday
    Ok(())
}

#[test]
fn critical_path_of_a_textbook_network() -> R {
    // A(3), B(2), C(4) after A, D(2) after A and B, E(3) after C and D.
    // Forward: A 0–3, B 0–2, C 3–7, D 3–5, E 7–10 → duration 10.
    // Backward: E LF 10 LS 7; C LF 7 LS 3; D LF 7 LS 5; A LF min(3, 5) = 3 LS 0; B LF 5 LS 3.
    // Slack: A 0, B 3, C 0, D 2, E 0; critical path A → C → E, 3 + 4 + 3 = 10.
    let cpm = critical_path(
        &[3, 2, 4, 2, 3],
        &[vec![], vec![], vec![0], vec![0, 1], vec![2, 3]],
    )?;
    assert_eq!(cpm.duration, 10);
    assert_eq!(cpm.path, [0, 2, 4]);
    let slack: Vec<u32> = cpm.timings.iter().map(|t| t.slack).collect();
    assert_eq!(slack, [0, 3, 0, 2, 0]);
    assert_eq!(cpm.timings[3].latest_start, 5);
    assert!(critical_path(&[1, 1], &[vec![1], vec![0]]).is_err());
    Ok(())
}

#[test]
fn status_as_of_a_date() -> R {
    let t = Template::from_str_as(SMALL, Format::Toml, "small.toml")?;
    let plan = Plan::builder(&t)
        .anchor(d(2026, 12, 29))
        .calendar(holiday_calendar())
        .build()?;
    let progress = Progress::new()
        .finished("a", d(2026, 12, 23))
        .started("b", d(2026, 12, 24));
    // On Wed 30 Dec: a done; b due Tue 29 and unfinished → overdue; c and d start Thu 31 → not
    // started.
    let s = plan.status(&progress, d(2026, 12, 30))?;
    let state = |id| s.task(id).unwrap().state;
    assert_eq!(
        [state("a"), state("b"), state("c"), state("d")],
        [
            TaskState::Done,
            TaskState::Overdue,
            TaskState::NotStarted,
            TaskState::NotStarted
        ]
    );
    assert_eq!(s.stages[0].done, 1);
    assert!((s.stages[0].fraction - 0.5).abs() < 1e-12);
    assert_eq!(
        s.late_by_owner().get("eng").map(Vec::as_slice),
        Some(&["b".to_owned()][..])
    );
    // On Thu 31 Dec c and d should start, but b is not done and gate g1 has not passed.
    let s = plan.status(&progress, d(2026, 12, 31))?;
    assert_eq!(s.task("c").unwrap().state, TaskState::Blocked);
    assert_eq!(s.task("c").unwrap().waiting_on, ["b", "gate:g1"]);
    assert_eq!(s.task("d").unwrap().waiting_on, ["gate:g1"]);
    assert_eq!(s.blocking_gates.len(), 1);
    assert_eq!(s.blocking_gates[0].blocked_tasks, ["c", "d"]);
    assert!(s.blocking_gates[0].overdue); // review date Tue 29 Dec has passed
    // Once b is done and the gate passes, c is in progress when started.
    let progress = progress
        .finished("b", d(2026, 12, 30))
        .gate_passed("g1", d(2026, 12, 30))
        .started("c", d(2026, 12, 31));
    let s = plan.status(&progress, d(2026, 12, 31))?;
    assert_eq!(s.task("c").unwrap().state, TaskState::InProgress);
    assert!(s.blocking_gates.is_empty());
    assert!(
        plan.status(
            &Progress::new().started("zz", d(2026, 12, 31)),
            d(2026, 12, 31)
        )
        .is_err()
    );
    Ok(())
}

/// A random DAG: task k may depend on any earlier task.
fn dag() -> impl Strategy<Value = (Vec<u32>, Vec<Vec<usize>>)> {
    (1usize..25).prop_flat_map(|n| {
        let durations = proptest::collection::vec(0u32..6, n);
        let preds = (0..n)
            .map(|k| {
                proptest::collection::btree_set(0..k.max(1), 0..=k.min(3))
                    .prop_map(move |s| s.into_iter().filter(|&j| j < k).collect::<Vec<_>>())
            })
            .collect::<Vec<_>>();
        (durations, preds)
    })
}

fn dag_template(durations: &[u32], preds: &[Vec<usize>]) -> Template {
    let mut text = String::from(
        "id = \"p\"\nversion = \"1\"\nname = \"P\"\nroles = [{ id = \"r\", name = \"R\" }]\n[[stages]]\nid = \"s\"\nname = \"S\"\n",
    );
    for (k, (dur, ps)) in durations.iter().zip(preds).enumerate() {
        let deps: Vec<String> = ps.iter().map(|j| format!("\"t{j}\"")).collect();
        text.push_str(&format!(
            "[[stages.tasks]]\nid = \"t{k}\"\nname = \"T{k}\"\nduration = {dur}\ndepends_on = [{}]\nraci = {{ responsible = [\"r\"], accountable = \"r\" }}\n",
            deps.join(", ")
        ));
    }
    Template::from_str_as(&text, Format::Toml, "dag.toml").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tasks_start_after_their_dependencies((durations, preds) in dag(), day in 0u64..400) {
        let t = dag_template(&durations, &preds);
        let anchor = d(2026, 1, 1) + chrono::Days::new(day);
        let plan = Plan::builder(&t).anchor(anchor).calendar(holiday_calendar()).build().unwrap();
        for task in plan.tasks() {
            prop_assert!(task.start <= task.due);
            // Without offsets nothing is scheduled too early, so no float is negative.
            prop_assert!(task.free_float >= 0);
            for dep in &task.depends_on {
                let dep = plan.task(dep).unwrap();
                if task.duration == 0 {
                    prop_assert!(task.due >= dep.due);
                } else {
                    prop_assert!(task.start > dep.due, "{} starts {} but {} is due {}", task.id, task.start, dep.id, dep.due);
                }
            }
        }
        prop_assert!(plan.conflicts.is_empty());
        // The critical path's length equals the project duration.
        let on_path: u32 = plan.critical_path.iter().map(|id| plan.task(id).unwrap().duration).sum();
        prop_assert_eq!(on_path, plan.duration);
        // JSON round trip.
        let back = Plan::from_json(&plan.to_json().unwrap()).unwrap();
        prop_assert_eq!(back, plan);
    }

    #[test]
    fn cpm_respects_precedence_and_path_length((durations, preds) in dag()) {
        let cpm = critical_path(&durations, &preds).unwrap();
        for (k, ps) in preds.iter().enumerate() {
            for &p in ps {
                prop_assert!(cpm.timings[k].earliest_start >= cpm.timings[p].earliest_finish);
                prop_assert!(cpm.timings[p].latest_finish <= cpm.timings[k].latest_start);
            }
            prop_assert!(cpm.timings[k].latest_finish <= cpm.duration);
        }
        let len: u32 = cpm.path.iter().map(|&k| durations[k]).sum();
        prop_assert_eq!(len, cpm.duration);
        for w in cpm.path.windows(2) {
            prop_assert!(preds[w[1]].contains(&w[0]));
        }
    }
}

#[test]
fn replanning_around_a_late_finish_and_owner_load() -> R {
    let t = Template::from_str_as(SMALL, Format::Toml, "small.toml")?;
    let plan = Plan::builder(&t)
        .anchor(d(2026, 12, 29))
        .calendar(holiday_calendar())
        .build()?;
    // a was due Wed 23 Dec but finished Mon 28 Dec: b (no offset) now starts Tue 29 and its
    // three days are Tue 29, Wed 30, Thu 31 → due Thu 31; c keeps its T+3bd target (Mon 4 Jan),
    // starting Thu 31, the day b is now due: a conflict.
    let late = Progress::new()
        .started("a", d(2026, 12, 22))
        .finished("a", d(2026, 12, 28));
    let replan = Plan::builder(&t)
        .anchor(d(2026, 12, 29))
        .calendar(holiday_calendar())
        .progress(late)
        .build()?;
    let b = replan.task("b").unwrap();
    assert_eq!((b.start, b.due), (d(2026, 12, 29), d(2026, 12, 31)));
    assert_eq!(replan.conflicts.len(), 1);
    assert_eq!(replan.conflicts[0].task, "c");
    let changes = plan.changes(&replan);
    let ids: Vec<&str> = changes.iter().map(|c| c.task.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    // a's due moved Wed 23 → Mon 28: Thu 24, Mon 28 = 2 working days; b's Tue 29 → Thu 31: 2.
    assert_eq!(changes[0].due_shift, Some(2));
    assert_eq!(changes[1].due_shift, Some(2));
    // ISO week 52 of 2026 is Mon 21–Sun 27 Dec, week 53 Mon 28 Dec–Sun 3 Jan.
    let load = plan.load_by_owner();
    // pm: a works Tue 22, Wed 23 (week 52) and d Thu 31 (week 53); eng: b Thu 24, Mon 28, Tue 29
    // and c Thu 31, Mon 4 Jan.
    let week = |s: &str| s.parse::<prodops_core::Period>().unwrap();
    assert_eq!(load["pm"][&week("2026-W52")], 2);
    assert_eq!(load["pm"][&week("2026-W53")], 1);
    assert_eq!(load["eng"][&week("2026-W52")], 1);
    assert_eq!(load["eng"][&week("2026-W53")], 3);
    assert_eq!(load["eng"][&week("2027-W01")], 1);
    Ok(())
}

const CONDITIONAL: &str = r#"
id = "cond"
version = "1"
name = "{product} in {regions}"
parameters = [
  { name = "product", kind = "text" },
  { name = "tier", kind = "int", default = 2 },
  { name = "regions", kind = "list", default = [] },
  { name = "internal", kind = "bool", default = false },
]
roles = [{ id = "pm", name = "PM" }]
[[stages]]
id = "s"
name = "S"
tasks = [
  { id = "a", name = "A", duration = 2, raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "b", name = "B for {product}", duration = 3, depends_on = ["a"], when = "tier == 1", raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "c", name = "C", duration = 1, depends_on = ["b"], raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "gdpr", name = "GDPR", when = "(\"DE\" in regions or regions contains \"FR\") and not internal", raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "after-gdpr", name = "After", due = "gdpr+2bd", when = "internal", raci = { responsible = ["pm"], accountable = "pm" } },
]
"#;

#[test]
fn conditional_tasks_keep_the_order_of_what_remains() -> R {
    let t = Template::from_str_as(CONDITIONAL, Format::Toml, "cond.toml")?;
    let build = |tier: i64, regions: &[&str], internal: bool| {
        Plan::builder(&t)
            .anchor(d(2027, 3, 1))
            .param("product", "Atlas")
            .param("tier", tier)
            .param("regions", regions)
            .param("internal", internal)
            .build()
    };
    // Tier 1 keeps b: a Mon 1–Tue 2, b Wed 3–Fri 5, c Mon 8.
    let p = build(1, &[], false)?;
    assert_eq!(p.task("b").unwrap().name, "B for Atlas");
    assert_eq!(p.task("c").unwrap().due, d(2027, 3, 8));
    assert_eq!(p.critical_path, ["a", "b", "c"]);
    // Tier 2 drops b; c inherits b's dependency on a and starts Wed 3.
    let p = build(2, &["FR"], false)?;
    assert!(p.task("b").is_none());
    assert_eq!(p.task("c").unwrap().depends_on, ["a"]);
    assert_eq!(p.task("c").unwrap().start, d(2027, 3, 3));
    assert!(p.task("gdpr").is_some());
    assert_eq!(p.name, "Atlas in FR");
    assert!(build(2, &["US"], false)?.task("gdpr").is_none());
    // An offset anchored on a task the parameters dropped cannot be scheduled.
    let err = build(2, &["US"], true).unwrap_err();
    assert!(err.to_string().contains("anchored on `gdpr`"), "{err}");
    // Bindings are checked against the declared kinds.
    let err = Plan::builder(&t)
        .anchor(d(2027, 3, 1))
        .param("product", "A")
        .param("tier", "one")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("`one` is not an integer"), "{err}");
    let err = Plan::builder(&t).anchor(d(2027, 3, 1)).build().unwrap_err();
    assert!(
        err.to_string()
            .contains("parameter `product`: has no default"),
        "{err}"
    );
    Ok(())
}

#[test]
fn conditions_and_placeholders_are_validated() -> R {
    let broken = CONDITIONAL
        .replace("when = \"tier == 1\"", "when = \"tier == \\\"one\\\"\"")
        .replace("B for {product}", "B for {prodcut}");
    let t = Template::from_str_as(&broken, Format::Toml, "cond.toml")?;
    let ds = prodops_process::diagnostics(&t);
    assert_eq!(ds.len(), 2, "{ds:#?}");
    assert_eq!(ds[0].path, "stages[0].tasks[1].when");
    assert!(
        ds[0].message.contains("cannot apply `==` to Int and Text"),
        "{}",
        ds[0].message
    );
    assert_eq!(ds[1].path, "stages[0].tasks[1].name");
    assert_eq!(ds[1].suggestion.as_deref(), Some("did you mean `product`?"));
    Ok(())
}
