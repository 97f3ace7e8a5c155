//! # prodops-process
//!
//! The processes a product-operations team runs (launches by tier, beta and GA releases,
//! experiment briefs, feedback reviews, prioritization cycles, regional launches) as data: a
//! declarative [`Template`] in TOML, YAML or JSON that is [validated](validate) with located
//! errors, [instantiated](Plan::builder) against parameters, an anchor date and a
//! [business calendar](BusinessCalendar), scheduled with a [critical path](critical_path),
//! [tracked](Plan::status), [prioritized](prioritize) and [rendered](render).
//! No dataframe or statistics dependency.
//!
//! ```toml
//! [dependencies]
//! prodops-process = "0.1"
//! ```
//!
//! ## Example
//!
//! Load the built-in tier-1 launch, schedule it for a launch on Tuesday 2 March 2027 in
//! Germany and the US, and print the plan:
//!
//! ```
//! use chrono::NaiveDate;
//! use prodops_process::{render, BusinessCalendar, Library, Plan, RegionalCalendars};
//!
//! let library = Library::builtin()?;
//! let template = library.resolve("launch-tier-1")?;
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date");
//! let calendars = RegionalCalendars::default()
//!     .with_region("DE", BusinessCalendar::default().with_holidays([date(2027, 1, 1)?]))
//!     .with_region("US", BusinessCalendar::default().with_holidays([date(2027, 1, 18)?, date(2027, 2, 15)?]));
//! let plan = Plan::builder(&template)
//!     .anchor(date(2027, 3, 2)?)
//!     .param("product", "Atlas")
//!     .param("regions", vec!["DE".to_owned(), "US".to_owned()])
//!     .regional_calendars(calendars)
//!     .build()?;
//! assert!(plan.conflicts.is_empty());
//! let go_live = plan.task("go-live").ok_or("no go-live task")?;
//! assert_eq!(go_live.due, date(2027, 3, 2)?);
//! println!("{}", render::markdown_plan(&plan));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## What a plan holds
//!
//! Each task's start, due date, owner, RACI roles, dependencies and artifacts; its critical-path
//! timing ([`Timing`]: earliest and latest start and finish, slack) and its free float on the
//! plan's dates; gates with their review dates; communication-plan send dates; and the
//! [conflicts](Plan::conflicts) where an offset leaves a task starting before a dependency is
//! due. [`Plan::status`] reports done, in-progress, blocked and overdue tasks, completion per
//! stage and the gates holding work; [`PlanBuilder::progress`] and [`Plan::changes`] re-plan
//! around what happened; [`Plan::load_by_owner`] gives working days per role per ISO week.
//!
//! The `plan` example prints any template as Markdown, a checklist, a Gantt chart, iCalendar or
//! JSON: `cargo run -p prodops-process --example plan -- launch-tier-1 2027-03-02 product=Atlas`.
//!
//! ## Built-in templates
//!
//! `product-launch` (with `tier` 1–3) and `launch-tier-1`, `launch-tier-2`, `launch-tier-3`
//! (which extend it), `beta-program`, `ga-release`, `experiment-brief` (pre-registration
//! fields for the experiment planner), `quarterly-feedback-review`, `feature-prioritization`,
//! `new-market-launch`, and the `standard-roles` fragment they include. The files live in the
//! crate's `templates/` folder ([`Library::builtin_sources`]); copy one to start your own and
//! add it with [`Library::add_file`].
//!
//! ## Extension
//!
//! - Templates: any file in the format above, added to a [`Library`], may `extends` or
//!   `include` the built-ins.
//! - Prioritization: implement [`prioritize::Prioritizer`] (one required method) and use
//!   [`prioritize::rank`] and [`prioritize::sensitivity`] as with the built-in frameworks.
//! - Rendering: [`render::with_template`] renders a plan through a user's minijinja template.
//!
//! See `docs/methods/process.md` for the formats, the scheduling rules and each
//! prioritization formula with its source.

mod calendar;
mod condition;
mod error;
mod library;
mod plan;
pub mod prioritize;
pub mod render;
mod status;
mod suggest;
mod template;
mod validate;

pub use calendar::{BusinessCalendar, RegionalCalendars};
pub use error::{Diagnostic, ProcessError, ValidationErrors};
pub use library::Library;
pub use plan::{
    CriticalPath, Plan, PlanBuilder, PlannedComm, PlannedGate, PlannedStage, PlannedTask,
    ScheduleConflict, Timing, critical_path,
};
pub use status::{
    BlockingGate, Progress, StageCompletion, StatusReport, TaskProgress, TaskState, TaskStatus,
};
pub use template::{
    Anchor, Artifact, ArtifactKind, Cadence, CommPlan, DayUnit, Format, Gate, Offset, Origin,
    ParamKind, ParamValue, Parameter, Raci, Role, Stage, Task, Template,
};
pub use validate::{diagnostics, validate};
