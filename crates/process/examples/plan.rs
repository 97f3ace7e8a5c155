//! Instantiates a process template and prints it.
//!
//! ```text
//! cargo run -p prodops-process --example plan -- launch-tier-1 2027-03-02 product=Atlas
//! cargo run -p prodops-process --example plan -- my-launch.yaml 2027-03-02 product=Atlas regions=DE,US \
//!     --calendars calendars.toml --format ics
//! ```
//!
//! The first argument is a built-in template id or a template file (which may extend the
//! built-ins); the second the anchor date `T`; then `name=value` parameters (integers and
//! `true`/`false` are typed, `a,b` is a list for list parameters). `--calendars FILE` reads
//! regional calendars (`[regions.DE] holidays = [...]`), `--format` picks `md` (default),
//! `checklist`, `gantt`, `ics` or `json`.

use std::process::ExitCode;

use chrono::NaiveDate;
use prodops_process::render::{self, IcsOptions};
use prodops_process::{Format, Library, ParamKind, ParamValue, Plan, RegionalCalendars, Template};

fn run() -> Result<String, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: plan TEMPLATE ANCHOR [name=value ...] [--calendars FILE] [--format md|checklist|gantt|ics|json]";
    let which = args.next().ok_or(usage)?;
    let anchor: NaiveDate = args.next().ok_or(usage)?.parse()?;
    let mut library = Library::builtin()?;
    let id = if std::path::Path::new(&which).is_file() {
        let t = Template::from_path(&which)?;
        let id = t.id.clone();
        library.add(t)?;
        id
    } else {
        which
    };
    let template = library.resolve(&id)?;
    let mut builder = Plan::builder(&template).anchor(anchor);
    let mut format = "md".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => format = args.next().ok_or(usage)?,
            "--calendars" => {
                let path = args.next().ok_or(usage)?;
                let text = std::fs::read_to_string(&path)?;
                let fmt = Format::from_path(std::path::Path::new(&path))?;
                builder =
                    builder.regional_calendars(RegionalCalendars::from_str_as(&text, fmt, &path)?);
            }
            kv => {
                let (name, value) = kv.split_once('=').ok_or(usage)?;
                let kind = template
                    .parameters
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.kind);
                let value = match kind {
                    Some(ParamKind::List) => ParamValue::List(
                        value
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    ),
                    Some(ParamKind::Int) => ParamValue::Int(value.parse()?),
                    Some(ParamKind::Bool) => ParamValue::Bool(value.parse()?),
                    _ => ParamValue::Text(value.to_owned()),
                };
                builder = builder.param(name, value);
            }
        }
    }
    let plan = builder.build()?;
    Ok(match format.as_str() {
        "md" => render::markdown_plan(&plan),
        "checklist" => render::markdown_checklist(&plan, None),
        "gantt" => render::mermaid_gantt(&plan),
        "ics" => render::ics(
            &plan,
            &IcsOptions::new(anchor.and_hms_opt(0, 0, 0).ok_or("bad time")?),
        ),
        "json" => render::json(&plan)?,
        other => return Err(format!("unknown format `{other}`; {usage}").into()),
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
