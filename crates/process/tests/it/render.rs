//! Rendering: Markdown, Mermaid, iCalendar escaping and folding, JSON, user templates.

use chrono::NaiveDate;
use prodops_process::render::{self, Escape, IcsOptions};
use prodops_process::{Format, Library, Plan, Progress, Template};

type R = Result<(), Box<dyn std::error::Error>>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn tier2(anchor: NaiveDate) -> Result<Plan, Box<dyn std::error::Error>> {
    let t = Library::builtin()?.resolve("launch-tier-2")?;
    Ok(Plan::builder(&t)
        .param("product", "Atlas")
        .anchor(anchor)
        .build()?)
}

#[test]
fn markdown_plan_and_checklist() -> R {
    let plan = tier2(d(2027, 3, 2))?;
    let md = render::markdown_plan(&plan);
    assert!(md.starts_with("# Atlas tier-2 launch\n"));
    assert!(
        md.contains(
            "| Turn on Atlas **(critical)** | eng-lead | pm | 2027-03-02 | 2027-03-02 | 0 | 0 |"
        ),
        "{md}"
    );
    assert!(md.contains("**Gate: Launch readiness**"));
    assert!(md.contains("## Communication plan"));
    let tasks = plan.tasks().count();
    let artifacts: usize = plan.tasks().map(|t| t.artifacts.len()).sum();
    let gates = plan.stages.iter().filter(|s| s.gate.is_some()).count();
    let checklist = render::markdown_checklist(&plan, None);
    assert_eq!(
        checklist
            .lines()
            .filter(|l| l.trim_start().starts_with("- [ ]"))
            .count(),
        tasks + artifacts + gates
    );
    // With progress, a finished task is ticked.
    let progress = Progress::new().finished("feature-complete", d(2027, 2, 10));
    let status = plan.status(&progress, d(2027, 2, 11))?;
    let checklist = render::markdown_checklist(&plan, Some(&status));
    assert!(
        checklist
            .contains("- [x] Atlas feature complete and behind a flag (eng-lead, due 2027-02-16)"),
        "{checklist}"
    );
    let digest = render::markdown_status(&plan, &status);
    assert!(
        digest.contains("## Overdue by owner")
            && digest.contains("**pmm**: launch-brief, positioning"),
        "{digest}"
    );
    Ok(())
}

#[test]
fn mermaid_gantt_marks_critical_tasks_and_dependencies() -> R {
    let text = r#"
id = "g"
version = "1"
name = "Release: v2; final"
roles = [{ id = "pm", name = "PM" }]
[[stages]]
id = "s"
name = "Build"
tasks = [
  { id = "design-doc", name = "Design", duration = 2, raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "build", name = "Build", duration = 3, depends_on = ["design-doc"], raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "ship", name = "Ship", due = "T+10bd", duration = 0, depends_on = ["build"], raci = { responsible = ["pm"], accountable = "pm" } },
]
gate = { id = "go", criteria = ["ok"], approvers = ["pm"] }
"#;
    let t = Template::from_str_as(text, Format::Toml, "g.toml")?;
    // T = Monday 1 March 2027, Thursday 4 March a holiday. Design (no offset, no dependency)
    // works Mon 1–Tue 2. Ship is T+10bd: Tue 2, Wed 3, (Thu 4 off) Fri 5, Mon 8 … Fri 12, Mon 15,
    // Tue 16 → Tuesday 16 March.
    let cal =
        prodops_process::BusinessCalendar::default().with_holidays([d(2027, 3, 4), d(2026, 1, 1)]);
    let plan = Plan::builder(&t)
        .anchor(d(2027, 3, 1))
        .calendar(cal)
        .build()?;
    let g = render::mermaid_gantt(&plan);
    let expected = "gantt
    title Release  v2  final
    dateFormat YYYY-MM-DD
    excludes weekends
    excludes 2027-03-04
    section Build
    Design :crit, design_doc, 2027-03-01, 2027-03-03
    Build :crit, build, after design_doc, 2027-03-09
    Ship :crit, milestone, ship, 2027-03-16, 0d
    Gate go :milestone, gate_go, 2027-03-16, 0d
";
    // Build starts Wed 3 and, with the holiday Thu 4, works Wed 3, Fri 5 and Mon 8: due Mon 8,
    // so its exclusive end is Tue 9. The network: design 2 + build 3 = 5 ≥ ship 0, all critical.
    assert_eq!(g, expected);
    Ok(())
}

#[test]
fn ics_escapes_folds_and_keeps_uids_stable() -> R {
    let text = r#"
id = "cal"
version = "1"
name = "Launch; phase 1, EU"
parameters = [{ name = "product", kind = "text" }]
roles = [{ id = "pm", name = "PM" }]
[[stages]]
id = "s"
name = "Stage, one"
tasks = [
  { id = "long", name = "Ünïcödé summary for {product}: a very long name that certainly goes past the seventy-five octet limit of a content line", description = "Line one\nline two; with \\ backslash", due = "T-1bd", raci = { responsible = ["pm"], accountable = "pm" } },
]
"#;
    let t = Template::from_str_as(text, Format::Toml, "cal.toml")?;
    let plan = Plan::builder(&t)
        .param("product", "Atlas, Pro")
        .anchor(d(2027, 3, 2))
        .build()?;
    let opts = IcsOptions::new(d(2027, 1, 1).and_hms_opt(9, 30, 0).ok_or("time")?).key("atlas");
    let ics = render::ics(&plan, &opts);
    // Every line ends in CRLF and is at most 75 octets.
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
        assert!(!line.contains('\n'));
    }
    // Unfolding restores the logical lines.
    let unfolded = ics.replace("\r\n ", "");
    let summary = unfolded
        .lines()
        .find(|l| l.starts_with("SUMMARY:"))
        .ok_or("summary")?;
    assert_eq!(
        summary.trim_end(),
        "SUMMARY:Ünïcödé summary for Atlas\\, Pro: a very long name that certainly goes past the seventy-five octet limit of a content line"
    );
    assert!(unfolded.contains("X-WR-CALNAME:Launch\\; phase 1\\, EU"));
    assert!(unfolded.contains("Line one\\nline two\\; with \\\\ backslash"));
    assert!(unfolded.contains("CATEGORIES:Stage\\, one"));
    // Due T-1bd from Tuesday 2 March 2027 is Monday 1 March: an all-day event.
    assert!(unfolded.contains("DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270302"));
    assert!(unfolded.contains("DTSTAMP:20270101T093000Z"));
    assert!(unfolded.contains("UID:atlas.long@prodops.invalid"));
    // Re-planning to another anchor keeps the UID, so calendars update the event.
    let moved = Plan::builder(&t)
        .param("product", "Atlas, Pro")
        .anchor(d(2027, 4, 6))
        .build()?;
    let again = render::ics(&moved, &opts).replace("\r\n ", "");
    assert!(again.contains("UID:atlas.long@prodops.invalid"));
    assert!(again.contains("DTSTART;VALUE=DATE:20270405"));
    Ok(())
}

#[test]
fn json_round_trips_every_builtin_plan() -> R {
    let lib = Library::builtin()?;
    for id in lib.ids().filter(|i| *i != "standard-roles") {
        let t = lib.resolve(id)?;
        let mut b = Plan::builder(&t).anchor(d(2027, 3, 2));
        for p in t.parameters.iter().filter(|p| p.default.is_none()) {
            b = b.param(p.name.clone(), "x");
        }
        let plan = b.build()?;
        assert_eq!(Plan::from_json(&render::json(&plan)?)?, plan, "{id}");
    }
    Ok(())
}

#[test]
fn user_templates_are_escaped_and_sandboxed() -> R {
    let plan = tier2(d(2027, 3, 2))?;
    let src =
        "{% for t in plan.stages[0].tasks %}{{ t.id }}={{ t.due }};{% endfor %}{{ extra.note }}";
    let out = render::with_template(
        &plan,
        src,
        Escape::Html,
        &serde_json::json!({ "note": "<b>" }),
    )?;
    assert_eq!(
        out,
        "launch-brief=2027-01-19;positioning=2027-01-26;&lt;b&gt;"
    );
    let plain = render::with_template(&plan, "{{ extra }}", Escape::None, &"<b>")?;
    assert_eq!(plain, "<b>");
    // No loader: templates cannot include files.
    assert!(
        render::with_template(&plan, "{% include '/etc/passwd' %}", Escape::None, &()).is_err()
    );
    // A runaway loop runs out of fuel instead of hanging.
    let err = render::with_template(
        &plan,
        "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
        Escape::None,
        &(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("fuel"), "{err}");
    assert!(render::with_template(&plan, "{% for %}", Escape::None, &()).is_err());
    Ok(())
}

/// The plan behind `fixtures/ics_escaping.ics`; the Python `icalendar` package parsed that file
/// into `fixtures/ics_escaping.parsed.json` (script: `fixtures/ics_reference.py`).
const ICS_FIXTURE_TEMPLATE: &str = r#"
id = "cal"
version = "1"
name = "Launch; phase 1, EU"
parameters = [{ name = "product", kind = "text" }]
roles = [{ id = "pm", name = "PM" }]
[[stages]]
id = "s"
name = "Stage, one"
tasks = [
  { id = "long", name = "Ünïcödé summary for {product}: a very long name that certainly goes past the seventy-five octet limit of a content line ☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃", description = "Line one\nline two; with \\ backslash, comma", due = "T-1bd", raci = { responsible = ["pm"], accountable = "pm" } },
]
"#;

#[test]
fn ics_is_read_back_exactly_by_python_icalendar() -> R {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let t = Template::from_str_as(ICS_FIXTURE_TEMPLATE, Format::Toml, "cal.toml")?;
    let plan = Plan::builder(&t)
        .param("product", "Atlas, Pro")
        .anchor(d(2027, 3, 2))
        .build()?;
    let ics = render::ics(
        &plan,
        &IcsOptions::new(d(2027, 1, 1).and_hms_opt(9, 30, 0).ok_or("time")?),
    );
    // The renderer still writes the bytes the reference parsed.
    assert_eq!(ics, std::fs::read_to_string(dir.join("ics_escaping.ics"))?);
    let parsed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        dir.join("ics_escaping.parsed.json"),
    )?)?;
    let event = &parsed["events"][0];
    let task = plan.task("long").ok_or("task")?;
    assert_eq!(event["summary"], task.name.as_str());
    assert_eq!(
        event["description"],
        format!(
            "Owner: pm\nAccountable: pm\nStage: Stage, one\nStart: 2027-03-01\n\n{}",
            task.description
        )
        .as_str()
    );
    assert_eq!(event["uid"], "cal.long@prodops.invalid");
    assert_eq!(
        (event["dtstart"].as_str(), event["dtend"].as_str()),
        (Some("2027-03-01"), Some("2027-03-02"))
    );
    Ok(())
}
