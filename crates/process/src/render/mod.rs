//! Rendering a plan: Markdown (plan document, checklist, status digest), a Mermaid Gantt chart,
//! iCalendar (RFC 5545), JSON, and user templates (minijinja, sandboxed).

mod ics;
mod markdown;
mod mermaid;

use minijinja::{AutoEscape, Environment, context};
use serde::Serialize;

use crate::error::ProcessError;
use crate::plan::Plan;

pub use ics::{IcsOptions, ics};
pub use markdown::{markdown_checklist, markdown_plan, markdown_status};
pub use mermaid::mermaid_gantt;

/// The plan as pretty JSON (see [`Plan::from_json`] to read it back).
///
/// # Errors
/// As [`Plan::to_json`].
pub fn json(plan: &Plan) -> Result<String, ProcessError> {
    plan.to_json()
}

/// How a user template escapes values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Escape {
    /// HTML escaping of every printed value (use for HTML output).
    Html,
    /// No escaping (Markdown, plain text).
    None,
}

/// Instruction budget of a user template, so a runaway loop stops instead of hanging.
const FUEL: u64 = 5_000_000;

/// Renders `plan` (available as `plan`, with its fields as in the JSON form) and optional
/// `extra` data (available as `extra`) through a user's minijinja template.
///
/// The environment is sandboxed: it has no loader (templates cannot read files or include
/// others), no functions beyond minijinja's built-in filters and tests, a bounded instruction
/// budget and recursion limit; with [`Escape::Html`] every value is HTML-escaped.
///
/// # Errors
/// [`ProcessError::Render`] when the template does not compile, fails, or runs out of budget.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use prodops_process::{render, Library, Plan};
/// let t = Library::builtin()?.resolve("launch-tier-3")?;
/// let plan = Plan::builder(&t).param("product", "<Atlas>").anchor(NaiveDate::from_ymd_opt(2027, 3, 2).ok_or("date")?).build()?;
/// let html = render::with_template(&plan, "<h1>{{ plan.name }}</h1>{% for s in plan.stages %}<p>{{ s.name }}: {{ s.tasks | length }}</p>{% endfor %}", render::Escape::Html, &())?;
/// assert!(html.starts_with("<h1>&lt;Atlas&gt; tier-3 launch</h1>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn with_template<E: Serialize>(
    plan: &Plan,
    source: &str,
    escape: Escape,
    extra: &E,
) -> Result<String, ProcessError> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(64);
    let mode = match escape {
        Escape::Html => AutoEscape::Html,
        Escape::None => AutoEscape::None,
    };
    env.set_auto_escape_callback(move |_| mode);
    let render_err = |e: minijinja::Error| ProcessError::Render(format!("{e:#}"));
    env.add_template("user", source).map_err(render_err)?;
    let tmpl = env.get_template("user").map_err(render_err)?;
    tmpl.render(context! { plan => plan, extra => extra })
        .map_err(render_err)
}
