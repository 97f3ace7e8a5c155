//! Every built-in template resolves, validates, instantiates and round-trips through each format.

use chrono::NaiveDate;
use prodops_process::{Format, Library, Plan, ProcessError, Template};

type R = Result<(), Box<dyn std::error::Error>>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Parameters every built-in needs (those without defaults).
fn bind<'a>(b: prodops_process::PlanBuilder<'a>, t: &Template) -> prodops_process::PlanBuilder<'a> {
    let mut b = b;
    for p in &t.parameters {
        if p.default.is_none() {
            b = b.param(p.name.clone(), format!("Sample {}", p.name));
        }
    }
    b
}

#[test]
fn every_builtin_validates_and_instantiates_without_conflicts() -> R {
    let lib = Library::builtin()?;
    let ids: Vec<String> = lib.ids().map(str::to_owned).collect();
    assert_eq!(ids.len(), 11);
    for id in &ids {
        let t = lib.resolve(id)?;
        if t.stages.is_empty() {
            assert_eq!(id, "standard-roles");
            continue;
        }
        let plan = bind(Plan::builder(&t), &t).anchor(d(2027, 3, 2)).build()?;
        assert!(plan.conflicts.is_empty(), "{id}: {:?}", plan.conflicts);
        assert!(plan.tasks().count() >= 5, "{id} is too small to be real");
        assert!(!plan.critical_path.is_empty(), "{id}");
        // Every task is owned, and every gate has approvers and criteria.
        for task in plan.tasks() {
            assert!(!task.owner.is_empty(), "{id}/{}", task.id);
            assert!(
                !task.name.contains('{'),
                "{id}/{}: unfilled placeholder in {}",
                task.id,
                task.name
            );
        }
    }
    Ok(())
}

#[test]
fn launch_tiers_differ_by_conditional_tasks() -> R {
    let lib = Library::builtin()?;
    let count = |id: &str| -> Result<Vec<String>, ProcessError> {
        let t = lib.resolve(id)?;
        let plan = Plan::builder(&t)
            .param("product", "Atlas")
            .anchor(d(2027, 3, 2))
            .build()?;
        Ok(plan.tasks().map(|t| t.id.clone()).collect())
    };
    let (t1, t2, t3) = (
        count("launch-tier-1")?,
        count("launch-tier-2")?,
        count("launch-tier-3")?,
    );
    // Tier 1 adds pricing, legal, press, webinar and the war room to tier 2; tier 3 keeps only
    // the unconditional engineering, docs and release-note tasks.
    for extra in [
        "pricing-review",
        "legal-review",
        "press-kit",
        "webinar",
        "war-room",
    ] {
        assert!(
            t1.contains(&extra.to_owned()) && !t2.contains(&extra.to_owned()),
            "{extra}"
        );
    }
    for t2_only in [
        "blog-post",
        "in-app-announcement",
        "sales-enablement",
        "support-training",
    ] {
        assert!(
            t2.contains(&t2_only.to_owned()) && !t3.contains(&t2_only.to_owned()),
            "{t2_only}"
        );
    }
    assert_eq!(
        t3,
        [
            "feature-complete",
            "qa-signoff",
            "docs",
            "release-note",
            "go-live",
            "launch-review"
        ]
    );
    // A tier-3 template refuses another tier.
    let t = lib.resolve("launch-tier-3")?;
    let err = Plan::builder(&t)
        .param("product", "Atlas")
        .param("tier", 1)
        .anchor(d(2027, 3, 2))
        .build();
    assert!(
        matches!(err, Err(ProcessError::Parameter { ref name, .. }) if name == "tier"),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn experiment_brief_lists_the_planner_fields() -> R {
    let t = Library::builtin()?.resolve("experiment-brief")?;
    let prereg = t
        .tasks()
        .find(|t| t.id == "pre-registration")
        .ok_or("missing")?;
    let fields = &prereg.artifacts[0].fields;
    for f in [
        "hypothesis",
        "primary_metric",
        "mde",
        "alpha",
        "power",
        "sample_size_per_arm",
        "duration_days",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f}");
    }
    // The sequential variant adds the stopping-boundary task.
    let with = Plan::builder(&t)
        .param("experiment", "x")
        .param("sequential", true)
        .anchor(d(2027, 3, 2))
        .build()?;
    let without = Plan::builder(&t)
        .param("experiment", "x")
        .anchor(d(2027, 3, 2))
        .build()?;
    assert!(with.task("stopping-boundaries").is_some());
    assert!(without.task("stopping-boundaries").is_none());
    Ok(())
}

#[test]
fn templates_round_trip_through_toml_yaml_and_json() -> R {
    let lib = Library::builtin()?;
    for id in [
        "launch-tier-1",
        "beta-program",
        "feature-prioritization",
        "new-market-launch",
    ] {
        let t = lib.resolve(id)?;
        for format in [Format::Toml, Format::Yaml, Format::Json] {
            let text = t.to_string_as(format)?;
            let back = Template::from_str_as(&text, format, "round-trip")?;
            assert_eq!(
                back.to_string_as(Format::Json)?,
                t.to_string_as(Format::Json)?,
                "{id} {format:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn user_template_extends_a_builtin_from_a_file() -> R {
    let dir = std::env::temp_dir().join(format!("prodops-process-ext-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("acme-launch.yaml");
    std::fs::write(
        &path,
        r#"
id: acme-launch
version: "2"
name: "Acme {product} launch"
extends: launch-tier-2
remove: [in-app-announcement]
roles:
  - { id: partner-manager, name: Partner manager }
stages:
  - id: enable
    name: Enable the field and partners
    tasks:
      - id: partner-briefing
        name: Brief resellers on {product}
        due: T-4bd
        duration: 2
        depends_on: [positioning]
        raci: { responsible: [partner-manager], accountable: pmm }
"#,
    )?;
    let mut lib = Library::builtin()?;
    assert_eq!(lib.add_dir(&dir)?, 1);
    let t = lib.resolve("acme-launch")?;
    let plan = Plan::builder(&t)
        .param("product", "Atlas")
        .anchor(d(2027, 3, 2))
        .build()?;
    let briefing = plan.task("partner-briefing").ok_or("missing")?;
    assert_eq!(briefing.stage, "enable");
    assert_eq!(briefing.name, "Brief resellers on Atlas");
    assert!(plan.task("in-app-announcement").is_none());
    assert!(plan.task("blog-post").is_some());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
