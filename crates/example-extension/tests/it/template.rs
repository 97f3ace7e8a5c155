//! The pricing-change template: composition over the built-in launch, validation, a schedule
//! derived by hand on a weekends-only calendar, and located errors for broken team templates.

use chrono::NaiveDate;
use prodops_example_extension::template::{PRICING_CHANGE, pricing_change, team_library};
use prodops_process::{
    BusinessCalendar, Format, Library, Plan, ProcessError, Template, diagnostics,
};

use crate::TestResult;

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, Box<dyn std::error::Error>> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "bad date".into())
}

fn plan() -> Result<Plan, Box<dyn std::error::Error>> {
    let template = team_library()?.resolve("pricing-change")?;
    Ok(Plan::builder(&template)
        .anchor(day(2027, 3, 1)?) // a Monday
        .param("product", "Atlas")
        .param("new_price", "$12 per seat per month")
        .calendar(BusinessCalendar::default()) // Saturday and Sunday off, no holidays
        .build()?)
}

#[test]
fn the_team_template_sits_next_to_the_built_ins() -> TestResult {
    let library = team_library()?;
    let ids: Vec<&str> = library.ids().collect();
    assert!(ids.contains(&"pricing-change"));
    assert!(ids.contains(&"product-launch"));
    assert_eq!(pricing_change()?.extends.as_deref(), Some("product-launch"));
    // The shipped file loads the way a team's own folder would.
    let mut from_dir = Library::builtin()?;
    let added =
        from_dir.add_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))?;
    assert_eq!(added, 1);
    let task_ids = |t: &Template| t.tasks().map(|x| x.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        task_ids(&from_dir.resolve("pricing-change")?),
        task_ids(&library.resolve("pricing-change")?)
    );
    Ok(())
}

#[test]
fn composition_replaces_adds_and_removes_tasks() -> TestResult {
    let t = team_library()?.resolve("pricing-change")?;
    assert!(diagnostics(&t).is_empty());
    let task = |id: &str| t.tasks().find(|x| x.id == id).cloned();
    // Removed from the base launch.
    for gone in ["press-kit", "webinar", "war-room"] {
        assert!(task(gone).is_none(), "{gone} should be removed");
    }
    // Replaced in place: the base's pricing review depended on positioning.
    let review = task("pricing-review").ok_or("no pricing review")?;
    assert_eq!(review.depends_on, ["price-test-readout"]);
    assert_eq!(review.raci.accountable, "exec-sponsor");
    // Kept from the base.
    assert!(task("legal-review").is_some());
    assert!(task("qa-signoff").is_some());
    // Added: the new stage comes after the base's four.
    let stages: Vec<&str> = t.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(stages, ["plan", "build", "enable", "launch", "billing"]);
    assert_eq!(
        t.comms
            .iter()
            .filter(|c| c.id == "price-change-notice")
            .count(),
        1
    );
    Ok(())
}

#[test]
fn the_schedule_by_hand() -> TestResult {
    let plan = plan()?;
    assert!(plan.conflicts.is_empty(), "{:?}", plan.conflicts);
    let dates = |id: &str| -> Result<(NaiveDate, NaiveDate), Box<dyn std::error::Error>> {
        let t = plan.task(id).ok_or_else(|| format!("no task {id}"))?;
        Ok((t.start, t.due))
    };
    // T = Monday 1 March 2027; five business days back from a Monday is the Monday before.
    // go-live: T, a milestone.
    assert_eq!(dates("go-live")?, (day(2027, 3, 1)?, day(2027, 3, 1)?));
    // billing-dry-run: T-3bd = Fri 26, Thu 25, Wed 24 Feb; 2 days of work: Tue 23 – Wed 24.
    assert_eq!(
        dates("billing-dry-run")?,
        (day(2027, 2, 23)?, day(2027, 2, 24)?)
    );
    // billing-config: T-10bd = Mon 15 Feb; 5 days: Tue 9 – Mon 15 Feb.
    assert_eq!(
        dates("billing-config")?,
        (day(2027, 2, 9)?, day(2027, 2, 15)?)
    );
    // customer-notice: T-30cd = Sat 30 Jan, rolled back to Fri 29 Jan; 1 day.
    assert_eq!(
        dates("customer-notice")?,
        (day(2027, 1, 29)?, day(2027, 1, 29)?)
    );
    // notice-legal-review: T-25bd = Mon 25 Jan, -26 Fri 22, -27 Thu 21 Jan; 3 days from Tue 19.
    assert_eq!(
        dates("notice-legal-review")?,
        (day(2027, 1, 19)?, day(2027, 1, 21)?)
    );
    // grandfathering-policy: T-30bd = Mon 18 Jan, -32 = Thu 14 Jan; 3 days from Tue 12.
    assert_eq!(
        dates("grandfathering-policy")?,
        (day(2027, 1, 12)?, day(2027, 1, 14)?)
    );
    // pricing-review: T-35bd = Mon 11 Jan; 3 days from Thu 7 Jan.
    assert_eq!(
        dates("pricing-review")?,
        (day(2027, 1, 7)?, day(2027, 1, 11)?)
    );
    // price-test-readout: T-40bd = Mon 4 Jan; 5 days back over Fri 1 Jan (a working day on
    // this calendar), Thu 31, Wed 30 Dec, to Tue 29 Dec 2026, the plan's start.
    assert_eq!(
        dates("price-test-readout")?,
        (day(2026, 12, 29)?, day(2027, 1, 4)?)
    );
    assert_eq!(plan.start(), day(2026, 12, 29)?);
    // Placeholders are filled from the parameters.
    let config = plan.task("billing-config").ok_or("no billing-config")?;
    assert_eq!(config.name, "Configure $12 per seat per month in billing");
    Ok(())
}

#[test]
fn a_missing_parameter_is_named() -> TestResult {
    let template = team_library()?.resolve("pricing-change")?;
    let result = Plan::builder(&template)
        .anchor(day(2027, 3, 1)?)
        .param("product", "Atlas")
        .build();
    match result {
        Err(ProcessError::Parameter { name, .. }) => assert_eq!(name, "new_price"),
        other => return Err(format!("expected a parameter error, got {other:?}").into()),
    }
    // The tier is fixed at 1 by the team template.
    let result = Plan::builder(&template)
        .anchor(day(2027, 3, 1)?)
        .param("product", "Atlas")
        .param("new_price", "$12")
        .param("tier", 2)
        .build();
    assert!(matches!(result, Err(ProcessError::Parameter { name, .. }) if name == "tier"));
    Ok(())
}

#[test]
fn broken_team_templates_are_located() -> TestResult {
    // A typo in the parent's id gets a suggestion.
    let typo = PRICING_CHANGE.replace(
        "extends = \"product-launch\"",
        "extends = \"product-lunch\"",
    );
    let mut library = Library::builtin()?;
    library.add(Template::from_str_as(
        &typo,
        Format::Toml,
        "pricing-change.toml",
    )?)?;
    let message = library
        .resolve("pricing-change")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("product-launch"), "{message}");
    // An unknown role is reported with the file and the task's place in it.
    let bad_role =
        PRICING_CHANGE.replace("responsible = [\"qa-lead\"]", "responsible = [\"qa-team\"]");
    let mut library = Library::builtin()?;
    library.add(Template::from_str_as(
        &bad_role,
        Format::Toml,
        "pricing-change.toml",
    )?)?;
    let message = library
        .resolve("pricing-change")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("qa-team"), "{message}");
    assert!(message.contains("pricing-change.toml"), "{message}");
    // Adding the same id twice is refused.
    assert!(matches!(
        team_library()?.add(pricing_change()?),
        Err(ProcessError::DuplicateTemplate(id)) if id == "pricing-change"
    ));
    Ok(())
}
