//! Validation collects every problem with file, path and suggestion, and never panics.

use prodops_process::{Format, Library, ProcessError, Template, diagnostics, validate};
use proptest::prelude::*;

type R = Result<(), Box<dyn std::error::Error>>;

const BROKEN: &str = r#"
id = "broken"
version = "1"
name = "Broken"
parameters = [{ name = "tier", kind = "int", default = 2 }]
roles = [{ id = "eng-lead", name = "Engineering lead" }, { id = "pm", name = "PM" }]

[[stages]]
id = "one"
name = "One"
tasks = [
  { id = "x", name = "X", depends_on = ["z"], raci = { responsible = ["eng_lead"], accountable = "pm" } },
  { id = "y", name = "Y", depends_on = ["x"], raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "z", name = "Z", depends_on = ["y"], raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "qa_signoff", name = "QA", due = "T-2bd", duration = 1, raci = { responsible = ["pm"], accountable = "pm" } },
]
gate = { id = "g", criteria = ["ok"], approvers = [] }

[[stages]]
id = "two"
name = "Two"
tasks = [
  { id = "ship", name = "Ship", due = "T-3bd", duration = 2, depends_on = ["qa_signof", "qa_signoff"], raci = { responsible = ["pm"], accountable = "pm" } },
  { id = "x", name = "Duplicate X", raci = { responsible = ["pm"], accountable = "" } },
  { id = "press", name = "Press", when = "teir <= 1", raci = { responsible = ["pm"], accountable = "pm" } },
]
"#;

#[test]
fn every_problem_is_reported_with_location_and_suggestion() -> R {
    let t = Template::from_str_as(BROKEN, Format::Toml, "broken.toml")?;
    let ds = diagnostics(&t);
    let find = |needle: &str| {
        ds.iter()
            .find(|d| d.message.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {ds:#?}"))
    };

    let role = find("unknown role `eng_lead`");
    assert_eq!(role.path, "stages[0].tasks[0].raci.responsible[0]");
    assert_eq!(role.file, "broken.toml");
    assert_eq!(role.suggestion.as_deref(), Some("did you mean `eng-lead`?"));

    let dep = find("unknown task `qa_signof`");
    assert_eq!(dep.path, "stages[1].tasks[0].depends_on[0]");
    assert_eq!(
        dep.suggestion.as_deref(),
        Some("did you mean `qa_signoff`?")
    );

    let cycle = find("dependency cycle");
    assert_eq!(cycle.message, "dependency cycle: x → z → y → x");

    let dup = find("duplicate task `x`");
    assert_eq!(dup.path, "stages[1].tasks[1].id");
    assert!(dup.message.contains("stages[0].tasks[0]"));

    assert_eq!(find("has no approver").path, "stages[0].gate.approvers");
    assert!(
        find("no accountable role")
            .path
            .ends_with("raci.accountable")
    );

    // ship is due T-3bd with 2 days of work, so it starts T-4bd: before qa_signoff (T-2bd).
    let offset = find("not after its dependency `qa_signoff`");
    assert_eq!(offset.path, "stages[1].tasks[0].due");
    assert_eq!(
        offset.suggestion.as_deref(),
        Some("make it due at T+0bd or later, or drop the dependency")
    );

    let when = find("unknown parameter `teir`");
    assert_eq!(when.suggestion.as_deref(), Some("did you mean `tier`?"));
    assert_eq!(ds.len(), 8, "{ds:#?}");
    // The error type carries all of them and prints one per line.
    let Err(ProcessError::Invalid(all)) = validate(&t) else {
        return Err("expected errors".into());
    };
    assert_eq!(all.to_string().lines().count(), 9);
    Ok(())
}

#[test]
fn offsets_parse_in_both_forms() -> R {
    use prodops_process::{Anchor, DayUnit, Offset};
    let o: Offset = "readout+2bd".parse()?;
    assert_eq!(
        (o.from, o.days, o.unit),
        (Anchor::Task("readout".into()), 2, DayUnit::Business)
    );
    let o: Offset = "T-10cd".parse()?;
    assert_eq!(
        (o.from, o.days, o.unit),
        (Anchor::Start, -10, DayUnit::Calendar)
    );
    let o: Offset = "café-3".parse()?;
    assert_eq!((o.from, o.days), (Anchor::Task("café".into()), -3));
    assert_eq!(
        "é5bd".parse::<Offset>().unwrap_err(),
        "offset `é5bd`: expected ANCHOR(+|-)DAYS(bd|cd), such as `T-10bd`"
    );
    assert!("T+4000bd".parse::<Offset>().is_err());
    assert_eq!(Offset::business(-10).to_string(), "T-10bd");
    let t = Template::from_str_as(
        "id: a\nversion: '1'\nname: A\nstages: [{ id: s, name: S, tasks: [{ id: t, name: T, due: { days: -4, unit: calendar }, raci: { responsible: [x], accountable: x } }] }]\n",
        Format::Yaml,
        "a.yaml",
    )?;
    assert_eq!(t.stages[0].tasks[0].due, Some(Offset::calendar(-4)));
    Ok(())
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let err = Template::from_str_as(
        "id = \"a\"\nversion = \"1\"\nname = \"A\"\ndepends-on = 3\n",
        Format::Toml,
        "a.toml",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("a.toml: cannot parse TOML"), "{text}");
    assert!(
        text.contains("line 4") && text.contains("depends-on"),
        "{text}"
    );
    let err = Template::from_str_as("id: a\nversion: '1'\nname: A\nstages: [{ id: s, name: S, tasks: [{ id: t, name: T, due: T-3xd, raci: {} }] }]\n", Format::Yaml, "a.yaml").unwrap_err();
    assert!(err.to_string().contains("offset `T-3xd`"), "{err}");
}

#[test]
fn composition_errors_are_located() -> R {
    let mut lib = Library::builtin()?;
    lib.add(Template::from_str_as(
        "id = \"a\"\nversion = \"1\"\nname = \"A\"\nextends = \"b\"\n",
        Format::Toml,
        "a.toml",
    )?)?;
    lib.add(Template::from_str_as(
        "id = \"b\"\nversion = \"1\"\nname = \"B\"\nextends = \"a\"\n",
        Format::Toml,
        "b.toml",
    )?)?;
    lib.add(Template::from_str_as(
        "id = \"c\"\nversion = \"1\"\nname = \"C\"\nextends = \"launch-tier-7\"\n",
        Format::Toml,
        "c.toml",
    )?)?;
    let Err(ProcessError::Invalid(e)) = lib.resolve("a") else {
        return Err("expected a cycle".into());
    };
    assert!(e.diagnostics[0].message.ends_with("a → b → a"), "{e}");
    let Err(ProcessError::Invalid(e)) = lib.resolve("c") else {
        return Err("expected unknown".into());
    };
    assert_eq!(e.diagnostics[0].path, "extends");
    assert_eq!(
        e.diagnostics[0].suggestion.as_deref(),
        Some("did you mean `launch-tier-1`?")
    );
    assert!(matches!(
        lib.resolve("beta-programme"),
        Err(ProcessError::UnknownTemplate {
            suggestion: Some(_),
            ..
        })
    ));
    Ok(())
}

fn arbitrary_template() -> impl Strategy<Value = String> {
    let id = prop::sample::select(vec!["a", "b", "c", "pm", "eng", "T", "", "x y", "tier"]);
    let offset = prop::sample::select(vec![
        "T-3bd",
        "T+2cd",
        "a+1bd",
        "b-2bd",
        "T",
        "zz+1bd",
        "c",
        "é5bd",
        "ü-3bd",
        "a+99999bd",
    ]);
    let when = prop::sample::select(vec![
        "",
        "tier <= 2",
        "tier",
        "(",
        "tier in regions",
        "not x",
        "\"EU\" in regions",
        "tier == \"x\"",
    ]);
    let task = (id.clone(), prop::collection::vec(id.clone(), 0..3), id.clone(), offset, prop::sample::select(vec![0u32, 1, 3, 5000]), when)
        .prop_map(|(i, deps, r, off, dur, w)| {
            let deps: Vec<String> = deps.iter().map(|x| format!("\"{x}\"")).collect();
            let when = if w.is_empty() { String::new() } else { format!(", when = {w:?}") };
            format!("{{ id = \"{i}\", name = \"N {{tier}}\", due = \"{off}\", duration = {dur}, depends_on = [{}], raci = {{ responsible = [\"{r}\"], accountable = \"{r}\" }}{when} }}", deps.join(", "))
        });
    let stage = (
        id.clone(),
        prop::collection::vec(task, 0..5),
        prop::option::of(prop::collection::vec(id.clone(), 0..2)),
    )
        .prop_map(|(i, tasks, gate)| {
            let gate = gate
                .map(|a| {
                    let a: Vec<String> = a.iter().map(|x| format!("\"{x}\"")).collect();
                    format!(
                        "gate = {{ id = \"g{i}\", criteria = [\"c\"], approvers = [{}] }}\n",
                        a.join(", ")
                    )
                })
                .unwrap_or_default();
            format!(
                "[[stages]]\nid = \"{i}\"\nname = \"S\"\ntasks = [{}]\n{gate}",
                tasks.join(", ")
            )
        });
    (prop::collection::vec(id, 0..4), prop::collection::vec(stage, 0..4)).prop_map(|(roles, stages)| {
        let roles: Vec<String> = roles.iter().map(|r| format!("{{ id = \"{r}\", name = \"R\" }}")).collect();
        format!(
            "id = \"p\"\nversion = \"1\"\nname = \"P\"\nparameters = [{{ name = \"tier\", kind = \"int\", default = 1 }}, {{ name = \"regions\", kind = \"list\", default = [] }}]\nroles = [{}]\n{}",
            roles.join(", "),
            stages.join("\n")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn validation_never_panics_and_valid_templates_schedule(text in arbitrary_template()) {
        // Malformed offsets are parse errors, never panics.
        let Ok(t) = Template::from_str_as(&text, Format::Toml, "gen.toml") else { return Ok(()) };
        let ds = diagnostics(&t);
        for d in &ds {
            prop_assert_eq!(d.file.as_str(), "gen.toml");
            prop_assert!(!d.message.is_empty());
        }
        if ds.is_empty() {
            let anchor = chrono::NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
            // A valid template either schedules or names the task it cannot schedule.
            match prodops_process::Plan::builder(&t).anchor(anchor).build() {
                Ok(plan) => prop_assert!(plan.tasks().all(|x| x.start <= x.due)),
                Err(e) => prop_assert!(matches!(e, ProcessError::Schedule { .. }), "{e}"),
            }
        }
    }
}
