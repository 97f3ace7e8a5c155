//! A launch plan from a process template and a launch date: Markdown, a Mermaid Gantt chart
//! and an iCalendar file written to a folder.
//!
//! ```text
//! cargo run --example launch_plan
//! cargo run --example launch_plan -- --template launch-tier-3 --date 2027-05-04 --product Reports --out plans/reports
//! cargo run --example launch_plan -- --template my-launch.yaml --date 2027-03-02     # may extend the built-ins
//! ```
//!
//! The template is a built-in id (`launch-tier-1` by default; also `launch-tier-2`,
//! `launch-tier-3`, `beta-program`, `ga-release`, `new-market-launch`, ...) or a TOML, YAML or
//! JSON file. Tasks are scheduled back from the date (`T`) in business days. Prints a summary
//! (dates, tasks, critical path, conflicts) and writes `plan.md`, `gantt.mmd` and `plan.ics`.
//! This is the root-level, all-formats version of `prodops-process`'s `plan` example, which
//! prints one format at a time and takes any parameter and regional calendars.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Parser;
use prodops::process::render::{self, IcsOptions};
use prodops::process::{Library, ParamKind, ParamValue, Plan, Template};

/// Schedule a launch and write its plan.
#[derive(Parser)]
struct Args {
    /// Built-in template id or a template file.
    #[arg(long, default_value = "launch-tier-1")]
    template: String,
    /// Launch date (the template's `T`).
    #[arg(long, default_value = "2027-03-02")]
    date: NaiveDate,
    /// Product or feature name used in task names.
    #[arg(long, default_value = "Atlas")]
    product: String,
    /// Another template parameter, `name=value` (text or integer; repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Output folder.
    #[arg(long, default_value = "target/launch-plan")]
    out: PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut library = Library::builtin()?;
    let id = if std::path::Path::new(&args.template).is_file() {
        let template = Template::from_path(&args.template)?;
        let id = template.id.clone();
        library.add(template)?;
        id
    } else {
        args.template.clone()
    };
    let template = library.resolve(&id)?;
    let mut builder = Plan::builder(&template).anchor(args.date);
    if template.parameters.iter().any(|p| p.name == "product") {
        builder = builder.param("product", args.product.as_str());
    }
    for kv in &args.params {
        let (name, value) = kv
            .split_once('=')
            .ok_or(format!("--param {kv:?}: not NAME=VALUE"))?;
        let kind = template
            .parameters
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.kind);
        builder = match kind {
            Some(ParamKind::Int) => builder.param(name, ParamValue::Int(value.parse()?)),
            _ => builder.param(name, value),
        };
    }
    let plan = builder.build()?;

    let (first, last) = (
        plan.tasks().map(|t| t.start).min(),
        plan.tasks().map(|t| t.due).max(),
    );
    let (first, last) = first.zip(last).ok_or("the plan has no tasks")?;
    let (tasks, days) = (plan.tasks().count(), plan.duration);
    println!(
        "{} ({} {}), T = {}",
        plan.name, plan.template, plan.version, plan.anchor
    );
    println!("{tasks} tasks from {first} to {last}; critical path {days} working days:");
    println!("  {}", plan.critical_path.join(" → "));
    println!("{} scheduling conflict(s)", plan.conflicts.len());
    for c in &plan.conflicts {
        let (task, dep) = (&c.task, &c.dependency);
        println!(
            "  {task} starts {} before {dep} is due {}",
            c.task_start, c.dependency_due
        );
    }

    std::fs::create_dir_all(&args.out)?;
    let stamp = args.date.and_hms_opt(0, 0, 0).ok_or("bad launch date")?;
    let files = [
        ("plan.md", render::markdown_plan(&plan)),
        ("gantt.mmd", render::mermaid_gantt(&plan)),
        (
            "plan.ics",
            render::ics(&plan, &IcsOptions::new(stamp).key(&args.product)),
        ),
    ];
    for (name, text) in files {
        let path = args.out.join(name);
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
