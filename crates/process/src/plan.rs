//! Instantiation and scheduling: a template bound to parameters, an anchor date and a business
//! calendar becomes a [`Plan`] of dated tasks with a critical path.
//!
//! # Dates
//! - A task with a `due` offset is due on the anchor (or the anchoring task's due date) moved by
//!   the offset: business days skip non-working days, calendar days do not. A due date that
//!   lands on a non-working day moves back to the previous working day, so nothing falls due on
//!   a holiday.
//! - Its work takes `duration` working days ending on the due date, so it starts `duration − 1`
//!   working days earlier (a milestone of duration 0 starts and ends on its due date).
//! - A task without an offset starts on the first working day after its last dependency is due
//!   (on the anchor, rolled forward to a working day, when it has none) and is due `duration − 1`
//!   working days later.
//! - A task whose start is not after a dependency's due date is listed in [`Plan::conflicts`].
//!
//! # Critical path
//! The critical path method runs on the dependency network in working days: forward pass
//! ES = max(EF of predecessors) (0 for tasks without any), EF = ES + duration; backward pass
//! LF = min(LS of successors) (the project duration for tasks without any), LS = LF − duration;
//! slack = LS − ES. The critical path is a chain of zero-slack tasks from ES = 0 to the
//! project duration, so the sum of its durations equals the project duration.
//!
//! # Conditional tasks
//! Tasks whose `when` is false are left out. A task that depended on a left-out task depends on
//! that task's dependencies instead, so ordering is kept.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use prodops_core::{Grain, Period};
use serde::{Deserialize, Serialize};

use crate::calendar::{BusinessCalendar, RegionalCalendars};
use crate::condition;
use crate::error::ProcessError;
use crate::status::Progress;
use crate::suggest::did_you_mean;
use crate::template::{
    Anchor, Artifact, Cadence, DayUnit, Offset, ParamValue, Parameter, Raci, Template,
};

/// A task of a plan with its dates and timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlannedTask {
    /// Task id.
    pub id: String,
    /// Name with placeholders filled in.
    pub name: String,
    /// Description with placeholders filled in.
    pub description: String,
    /// The stage id.
    pub stage: String,
    /// The first responsible role.
    pub owner: String,
    /// All RACI roles.
    pub raci: Raci,
    /// Dependencies that are part of the plan.
    pub depends_on: Vec<String>,
    /// First working day of the work.
    pub start: NaiveDate,
    /// Due date (a working day).
    pub due: NaiveDate,
    /// Working days of work.
    pub duration: u32,
    /// Artifacts to produce.
    pub artifacts: Vec<Artifact>,
    /// Critical-path timing in working days.
    pub timing: Timing,
    /// Free float on the plan's dates: working days the due date can slip before a dependent
    /// task would have to start later than planned (for a task nothing depends on, before the
    /// plan's last due date). Negative when a dependent already starts too early (a conflict).
    pub free_float: i64,
}

/// Critical-path timing of a task, in working days from the start of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Timing {
    /// Earliest start.
    pub earliest_start: u32,
    /// Earliest finish.
    pub earliest_finish: u32,
    /// Latest start that does not delay the project.
    pub latest_start: u32,
    /// Latest finish that does not delay the project.
    pub latest_finish: u32,
    /// Latest start − earliest start.
    pub slack: u32,
}

impl Timing {
    /// Whether the task is on a critical (zero-slack) chain.
    pub fn is_critical(&self) -> bool {
        self.slack == 0
    }
}

/// A gate of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlannedGate {
    /// Gate id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Criteria to pass.
    pub criteria: Vec<String>,
    /// Approving roles.
    pub approvers: Vec<String>,
    /// Review date: the last due date of the stage's tasks.
    pub date: Option<NaiveDate>,
}

/// A stage of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlannedStage {
    /// Stage id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Tasks kept by the parameters, in template order.
    pub tasks: Vec<PlannedTask>,
    /// Exit gate.
    pub gate: Option<PlannedGate>,
}

/// A line of the communication plan with its send dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlannedComm {
    /// Comm id.
    pub id: String,
    /// Audience.
    pub audience: String,
    /// Channel.
    pub channel: String,
    /// Cadence.
    pub cadence: Cadence,
    /// Sending role.
    pub owner: String,
    /// Message with placeholders filled in.
    pub message: String,
    /// Send dates (working days).
    pub dates: Vec<NaiveDate>,
}

/// A task that cannot start after a dependency is due, given its offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleConflict {
    /// The task.
    pub task: String,
    /// The dependency.
    pub dependency: String,
    /// The task's start.
    pub task_start: NaiveDate,
    /// The dependency's due date.
    pub dependency_due: NaiveDate,
}

/// A task whose dates differ between two plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DateChange {
    /// Task id.
    pub task: String,
    /// (start, due) before; `None` for a task only the newer plan has.
    pub before: Option<(NaiveDate, NaiveDate)>,
    /// (start, due) after; `None` for a task the newer plan dropped.
    pub after: Option<(NaiveDate, NaiveDate)>,
    /// Working days the due date moved (positive is later), on the newer plan's calendar.
    pub due_shift: Option<i64>,
}

/// A template instantiated on dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// Template id.
    pub template: String,
    /// Template version.
    pub version: String,
    /// Template name.
    pub name: String,
    /// The anchor date (`T`).
    pub anchor: NaiveDate,
    /// Every parameter's value (bound or default).
    pub parameters: BTreeMap<String, ParamValue>,
    /// The calendar used.
    pub calendar: BusinessCalendar,
    /// Stages with their tasks.
    pub stages: Vec<PlannedStage>,
    /// Communication plan.
    pub comms: Vec<PlannedComm>,
    /// Task ids of the critical path, in order.
    pub critical_path: Vec<String>,
    /// Project duration in working days (the critical path's length).
    pub duration: u32,
    /// Tasks whose offsets leave them starting before a dependency is due.
    pub conflicts: Vec<ScheduleConflict>,
}

impl Plan {
    /// Starts binding `template` (already composed; see [`crate::Library::resolve`]).
    pub fn builder(template: &Template) -> PlanBuilder<'_> {
        PlanBuilder {
            template,
            anchor: None,
            values: BTreeMap::new(),
            calendar: None,
            regional: None,
            progress: None,
        }
    }

    /// All tasks in stage order.
    pub fn tasks(&self) -> impl Iterator<Item = &PlannedTask> {
        self.stages.iter().flat_map(|s| s.tasks.iter())
    }

    /// A task by id.
    pub fn task(&self, id: &str) -> Option<&PlannedTask> {
        self.tasks().find(|t| t.id == id)
    }

    /// Earliest start over all tasks (the anchor for an empty plan).
    pub fn start(&self) -> NaiveDate {
        self.tasks().map(|t| t.start).min().unwrap_or(self.anchor)
    }

    /// Latest due date over all tasks (the anchor for an empty plan).
    pub fn finish(&self) -> NaiveDate {
        self.tasks().map(|t| t.due).max().unwrap_or(self.anchor)
    }

    /// Working days of work per responsible role per ISO week: each responsible role of a task
    /// is counted once for each working day between its start and due date.
    pub fn load_by_owner(&self) -> BTreeMap<String, BTreeMap<Period, u32>> {
        let mut out: BTreeMap<String, BTreeMap<Period, u32>> = BTreeMap::new();
        for t in self.tasks().filter(|t| t.duration > 0) {
            for day in t.start.iter_days().take_while(|d| *d <= t.due) {
                if !self.calendar.is_working_day(day) {
                    continue;
                }
                let week = Period::containing(Grain::Week, day);
                for role in &t.raci.responsible {
                    *out.entry(role.clone())
                        .or_default()
                        .entry(week)
                        .or_default() += 1;
                }
            }
        }
        out
    }

    /// How the dates of `newer` (a re-plan) differ from this plan, in this plan's task order
    /// followed by tasks only `newer` has.
    pub fn changes(&self, newer: &Plan) -> Vec<DateChange> {
        let new: HashMap<&str, &PlannedTask> = newer.tasks().map(|t| (t.id.as_str(), t)).collect();
        let mut out = Vec::new();
        for t in self.tasks() {
            let after = new.get(t.id.as_str()).map(|n| (n.start, n.due));
            if after != Some((t.start, t.due)) {
                out.push(DateChange {
                    task: t.id.clone(),
                    before: Some((t.start, t.due)),
                    due_shift: after.map(|(_, d)| newer.calendar.business_days_between(t.due, d)),
                    after,
                });
            }
        }
        for t in newer.tasks() {
            if self.task(&t.id).is_none() {
                out.push(DateChange {
                    task: t.id.clone(),
                    before: None,
                    after: Some((t.start, t.due)),
                    due_shift: None,
                });
            }
        }
        out
    }

    /// The plan as pretty JSON; [`Plan::from_json`] reads it back to an equal plan.
    ///
    /// # Errors
    /// [`ProcessError::Render`] if serialization fails (it does not for plans built here).
    pub fn to_json(&self) -> Result<String, ProcessError> {
        serde_json::to_string_pretty(self).map_err(|e| ProcessError::Render(e.to_string()))
    }

    /// Reads a plan written by [`Plan::to_json`].
    ///
    /// # Errors
    /// [`ProcessError::Parse`] on malformed JSON.
    pub fn from_json(text: &str) -> Result<Plan, ProcessError> {
        crate::template::parse_as(text, crate::Format::Json, "plan.json")
    }
}

/// Binds a template; [`PlanBuilder::build`] validates and schedules.
#[derive(Debug, Clone)]
pub struct PlanBuilder<'a> {
    template: &'a Template,
    anchor: Option<NaiveDate>,
    values: BTreeMap<String, ParamValue>,
    calendar: Option<BusinessCalendar>,
    regional: Option<RegionalCalendars>,
    progress: Option<Progress>,
}

/// Checks a value against a parameter's `allowed` list.
pub(crate) fn check_allowed(p: &Parameter, v: &ParamValue) -> Result<(), String> {
    if p.allowed.is_empty() {
        return Ok(());
    }
    let ok = match v {
        ParamValue::List(items) => items
            .iter()
            .all(|i| p.allowed.contains(&ParamValue::Text(i.clone()))),
        other => p.allowed.contains(other),
    };
    if ok {
        Ok(())
    } else {
        let allowed: Vec<String> = p.allowed.iter().map(ToString::to_string).collect();
        Err(format!(
            "`{v}` is not allowed (allowed: {})",
            allowed.join(", ")
        ))
    }
}

fn fill(text: &str, values: &BTreeMap<String, ParamValue>) -> String {
    let mut out = text.to_owned();
    for name in crate::validate::placeholders(text) {
        if let Some(v) = values.get(name) {
            out = out.replace(&format!("{{{name}}}"), &v.to_string());
        }
    }
    out
}

impl PlanBuilder<'_> {
    /// The anchor date `T` (launch day, review day).
    pub fn anchor(mut self, date: NaiveDate) -> Self {
        self.anchor = Some(date);
        self
    }

    /// Binds a parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// The business calendar (default: Saturday–Sunday weekends, no holidays).
    pub fn calendar(mut self, calendar: BusinessCalendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// Calendars per region: the plan uses the combination of those named by the `regions`
    /// parameter (the default calendar when it is empty or absent). Ignored when
    /// [`PlanBuilder::calendar`] is set.
    pub fn regional_calendars(mut self, calendars: RegionalCalendars) -> Self {
        self.regional = Some(calendars);
        self
    }

    /// Re-plans around what happened: a task with a recorded finish is due on that date (and
    /// starts on its recorded start), so tasks that follow it without an offset move with it;
    /// a task with only a recorded start starts then. Offsets stay as they were (they are the
    /// targets), so a slip shows up in [`Plan::conflicts`]. Compare with [`Plan::changes`].
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    fn bind(&self) -> Result<BTreeMap<String, ParamValue>, ProcessError> {
        let t = self.template;
        let mut out = BTreeMap::new();
        for name in self.values.keys() {
            if !t.parameters.iter().any(|p| &p.name == name) {
                let hint = did_you_mean(name, t.parameters.iter().map(|p| p.name.as_str()));
                return Err(ProcessError::Parameter {
                    name: name.clone(),
                    reason: format!(
                        "the template has no such parameter{}",
                        hint.map(|h| format!(" ({h})")).unwrap_or_default()
                    ),
                });
            }
        }
        for p in &t.parameters {
            let v = match self.values.get(&p.name).or(p.default.as_ref()) {
                Some(v) => v.clone(),
                None => {
                    return Err(ProcessError::Parameter {
                        name: p.name.clone(),
                        reason: "has no default and is not bound".into(),
                    });
                }
            };
            if !v.fits(p.kind) {
                return Err(ProcessError::Parameter {
                    name: p.name.clone(),
                    reason: format!("`{v}` is not {}", p.kind.describe()),
                });
            }
            check_allowed(p, &v).map_err(|reason| ProcessError::Parameter {
                name: p.name.clone(),
                reason,
            })?;
            out.insert(p.name.clone(), v);
        }
        Ok(out)
    }

    /// Validates the template, binds the parameters and schedules.
    ///
    /// # Errors
    /// [`ProcessError::Invalid`] for an invalid template, [`ProcessError::Parameter`] for a
    /// wrong binding or a region without a calendar, [`ProcessError::Schedule`] when no anchor
    /// was given or an offset is anchored on a task the parameters left out.
    pub fn build(self) -> Result<Plan, ProcessError> {
        let t = self.template;
        crate::validate::validate(t)?;
        let anchor = self.anchor.ok_or_else(|| ProcessError::Schedule {
            task: t.id.clone(),
            reason: "no anchor date given".into(),
        })?;
        let values = self.bind()?;
        let calendar = match (&self.calendar, &self.regional) {
            (Some(c), _) => c.clone(),
            (None, Some(r)) => match values.get("regions") {
                Some(ParamValue::List(list)) => r.for_regions(list)?,
                _ => r.default.clone(),
            },
            (None, None) => BusinessCalendar::default(),
        };
        let holds = |when: &Option<String>| -> Result<bool, ProcessError> {
            match when {
                None => Ok(true),
                Some(w) => condition::parse(w)
                    .and_then(|c| c.eval(&values))
                    .map_err(|reason| ProcessError::Parameter {
                        name: "when".into(),
                        reason: format!("`{w}`: {reason}"),
                    }),
            }
        };

        // Which tasks stay, and dependencies rewired around those that go.
        let all: Vec<(usize, &crate::template::Task)> = t
            .stages
            .iter()
            .enumerate()
            .flat_map(|(si, s)| s.tasks.iter().map(move |x| (si, x)))
            .collect();
        let mut kept: HashMap<&str, bool> = HashMap::new();
        for (_, task) in &all {
            kept.insert(&task.id, holds(&task.when)?);
        }
        let by_id: HashMap<&str, &crate::template::Task> =
            all.iter().map(|(_, x)| (x.id.as_str(), *x)).collect();
        let mut deps: Vec<Vec<String>> = Vec::with_capacity(all.len());
        for (_, task) in &all {
            let mut out: Vec<String> = Vec::new();
            let mut stack: Vec<&str> = task.depends_on.iter().rev().map(String::as_str).collect();
            let mut seen = std::collections::HashSet::new();
            while let Some(d) = stack.pop() {
                if !seen.insert(d) {
                    continue;
                }
                if kept.get(d).copied().unwrap_or(false) {
                    if !out.iter().any(|x| x == d) {
                        out.push(d.to_owned());
                    }
                } else if let Some(x) = by_id.get(d) {
                    stack.extend(x.depends_on.iter().rev().map(String::as_str));
                }
            }
            deps.push(out);
        }
        let live: Vec<usize> = (0..all.len())
            .filter(|&i| kept.get(all[i].1.id.as_str()).copied().unwrap_or(false))
            .collect();
        let pos: HashMap<&str, usize> = live
            .iter()
            .enumerate()
            .map(|(k, &i)| (all[i].1.id.as_str(), k))
            .collect();

        // Topological order over dependencies and task anchors (acyclic after validation).
        let n = live.len();
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut order_preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, &i) in live.iter().enumerate() {
            for d in &deps[i] {
                if let Some(&j) = pos.get(d.as_str()) {
                    preds[k].push(j);
                    order_preds[k].push(j);
                }
            }
            if let Some(Offset {
                from: Anchor::Task(a),
                ..
            }) = &all[i].1.due
            {
                match pos.get(a.as_str()) {
                    Some(&j) => order_preds[k].push(j),
                    None => {
                        return Err(ProcessError::Schedule {
                            task: all[i].1.id.clone(),
                            reason: format!(
                                "its offset is anchored on `{a}`, which these parameters leave out"
                            ),
                        });
                    }
                }
            }
        }
        let order = topo_order(&order_preds).ok_or_else(|| ProcessError::Schedule {
            task: t.id.clone(),
            reason: "dependencies form a cycle".into(),
        })?;

        let mut start = vec![anchor; n];
        let mut due = vec![anchor; n];
        for &k in &order {
            let task = all[live[k]].1;
            let back = i64::from(task.duration.saturating_sub(1));
            match &task.due {
                Some(off) => {
                    let base = match &off.from {
                        Anchor::Start => anchor,
                        Anchor::Task(a) => pos.get(a.as_str()).map_or(anchor, |&j| due[j]),
                    };
                    due[k] = offset_date(&calendar, base, off, &task.id)?;
                    start[k] = calendar.add_business_days(due[k], -back)?;
                }
                None => {
                    start[k] = match preds[k].iter().map(|&j| due[j]).max() {
                        Some(latest) => calendar.add_business_days(latest, 1)?,
                        None => calendar.roll_forward(anchor)?,
                    };
                    due[k] = calendar.add_business_days(start[k], back)?;
                }
            }
            if let Some(actual) = self.progress.as_ref().and_then(|p| p.tasks.get(&task.id)) {
                if let Some(s) = actual.started {
                    start[k] = s;
                }
                if let Some(f) = actual.finished {
                    due[k] = f;
                    start[k] = actual.started.unwrap_or(f).min(f);
                } else if start[k] > due[k] {
                    due[k] = start[k];
                }
            }
        }
        let mut conflicts = Vec::new();
        for k in 0..n {
            let task = all[live[k]].1;
            for &j in &preds[k] {
                let bad = if task.duration == 0 {
                    due[k] < due[j]
                } else {
                    start[k] <= due[j]
                };
                if bad {
                    conflicts.push(ScheduleConflict {
                        task: task.id.clone(),
                        dependency: all[live[j]].1.id.clone(),
                        task_start: start[k],
                        dependency_due: due[j],
                    });
                }
            }
        }

        // Free float: the earliest planned start among dependents, minus one working day,
        // against the due date; the plan's finish for tasks nothing depends on.
        let finish = due.iter().copied().max().unwrap_or(anchor);
        let mut limit: Vec<Option<NaiveDate>> = vec![None; n];
        for k in 0..n {
            for &j in &preds[k] {
                let latest = if all[live[k]].1.duration == 0 {
                    start[k]
                } else {
                    calendar.add_business_days(start[k], -1)?
                };
                limit[j] = Some(limit[j].map_or(latest, |l: NaiveDate| l.min(latest)));
            }
        }
        let free_float: Vec<i64> = (0..n)
            .map(|k| calendar.business_days_between(due[k], limit[k].unwrap_or(finish)))
            .collect();

        let durations: Vec<u32> = live.iter().map(|&i| all[i].1.duration).collect();
        let cpm = critical_path(&durations, &preds)?;
        let mut stages: Vec<PlannedStage> = t
            .stages
            .iter()
            .map(|s| PlannedStage {
                id: s.id.clone(),
                name: fill(&s.name, &values),
                tasks: Vec::new(),
                gate: None,
            })
            .collect();
        for (k, &i) in live.iter().enumerate() {
            let (si, task) = all[i];
            stages[si].tasks.push(PlannedTask {
                id: task.id.clone(),
                name: fill(&task.name, &values),
                description: fill(&task.description, &values),
                stage: t.stages[si].id.clone(),
                owner: task.raci.responsible.first().cloned().unwrap_or_default(),
                raci: task.raci.clone(),
                depends_on: deps[i].clone(),
                start: start[k],
                due: due[k],
                duration: task.duration,
                artifacts: task.artifacts.clone(),
                timing: cpm.timings[k],
                free_float: free_float[k],
            });
        }
        for (stage, s) in stages.iter_mut().zip(&t.stages) {
            stage.gate = s.gate.as_ref().map(|g| PlannedGate {
                id: g.id.clone(),
                name: g.name.clone(),
                criteria: g.criteria.iter().map(|c| fill(c, &values)).collect(),
                approvers: g.approvers.clone(),
                date: stage.tasks.iter().map(|x| x.due).max(),
            });
        }
        let task_due = |id: &str| pos.get(id).map(|&k| due[k]);
        let mut comms = Vec::new();
        for c in &t.comms {
            if !holds(&c.when)? {
                continue;
            }
            let resolve = |o: &Offset| -> Result<NaiveDate, ProcessError> {
                let base = match &o.from {
                    Anchor::Start => anchor,
                    Anchor::Task(a) => task_due(a).ok_or_else(|| ProcessError::Schedule {
                        task: c.id.clone(),
                        reason: format!(
                            "its offset is anchored on `{a}`, which these parameters leave out"
                        ),
                    })?,
                };
                offset_date(&calendar, base, o, &c.id)
            };
            let first = match &c.at {
                Some(o) => resolve(o)?,
                None => calendar.roll_back(anchor)?,
            };
            let last = match &c.until {
                Some(o) => resolve(o)?,
                None => first,
            };
            comms.push(PlannedComm {
                id: c.id.clone(),
                audience: fill(&c.audience, &values),
                channel: c.channel.clone(),
                cadence: c.cadence,
                owner: c.owner.clone(),
                message: fill(&c.message, &values),
                dates: occurrences(&calendar, c.cadence, first, last)?,
            });
        }
        let critical_path = cpm
            .path
            .iter()
            .map(|&k| all[live[k]].1.id.clone())
            .collect();
        Ok(Plan {
            template: t.id.clone(),
            version: t.version.clone(),
            name: fill(&t.name, &values),
            anchor,
            parameters: values.clone(),
            calendar,
            stages,
            comms,
            critical_path,
            duration: cpm.duration,
            conflicts,
        })
    }
}

/// At most this many sends per comm line, so a daily message over years stays bounded.
const MAX_OCCURRENCES: usize = 1000;

fn occurrences(
    cal: &BusinessCalendar,
    cadence: Cadence,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<NaiveDate>, ProcessError> {
    let step = match cadence {
        Cadence::Once => return Ok(vec![first]),
        Cadence::Daily => 1,
        Cadence::Weekly => 7,
        Cadence::Biweekly => 14,
        Cadence::Monthly => 28,
    };
    let mut out: Vec<NaiveDate> = Vec::new();
    let mut nominal = first;
    while nominal <= last && out.len() < MAX_OCCURRENCES {
        let d = cal.roll_back(nominal)?;
        if out.last().is_none_or(|p| *p < d) {
            out.push(d);
        }
        nominal = match nominal.checked_add_days(Days::new(step)) {
            Some(x) => x,
            None => break,
        };
    }
    Ok(out)
}

/// The due date of an offset from `base`, rolled back to a working day.
fn offset_date(
    cal: &BusinessCalendar,
    base: NaiveDate,
    off: &Offset,
    what: &str,
) -> Result<NaiveDate, ProcessError> {
    let raw = match off.unit {
        DayUnit::Business => cal.add_business_days(base, i64::from(off.days))?,
        DayUnit::Calendar => {
            let d = if off.days >= 0 {
                base.checked_add_days(Days::new(u64::from(off.days.unsigned_abs())))
            } else {
                base.checked_sub_days(Days::new(u64::from(off.days.unsigned_abs())))
            };
            d.ok_or_else(|| ProcessError::Schedule {
                task: what.to_owned(),
                reason: format!("{off} from {base} is outside the supported dates"),
            })?
        }
    };
    cal.roll_back(raw)
}

/// Kahn's algorithm; ties taken in index order so the result is deterministic.
pub(crate) fn topo_order(preds: &[Vec<usize>]) -> Option<Vec<usize>> {
    let n = preds.len();
    let mut indeg: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, ps) in preds.iter().enumerate() {
        for &p in ps {
            succ[p].push(k);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&k| indeg[k] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(k) = ready.pop_first() {
        order.push(k);
        for &s in &succ[k] {
            indeg[s] -= 1;
            if indeg[s] == 0 {
                ready.insert(s);
            }
        }
    }
    (order.len() == n).then_some(order)
}

/// The result of the critical path method on a network of durations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CriticalPath {
    /// Timing of each task, by index.
    pub timings: Vec<Timing>,
    /// Indices of a zero-slack chain from the start to the end of the project.
    pub path: Vec<usize>,
    /// Project duration: the largest earliest finish.
    pub duration: u32,
}

/// Runs the critical path method on `durations` with `preds[k]` the predecessors of task `k`.
///
/// # Errors
/// [`ProcessError::Schedule`] if the predecessors form a cycle.
///
/// # Examples
/// ```
/// // a(3) → c(2); b(1) → c: the critical path is a, c with duration 5; b has slack 2.
/// let cpm = prodops_process::critical_path(&[3, 1, 2], &[vec![], vec![], vec![0, 1]])?;
/// assert_eq!(cpm.duration, 5);
/// assert_eq!(cpm.path, vec![0, 2]);
/// assert_eq!(cpm.timings[1].slack, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn critical_path(
    durations: &[u32],
    preds: &[Vec<usize>],
) -> Result<CriticalPath, ProcessError> {
    let n = durations.len();
    let order = topo_order(preds).ok_or_else(|| ProcessError::Schedule {
        task: "network".into(),
        reason: "predecessors form a cycle".into(),
    })?;
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, ps) in preds.iter().enumerate() {
        for &p in ps {
            succ[p].push(k);
        }
    }
    let mut es = vec![0u32; n];
    let mut ef = vec![0u32; n];
    for &k in &order {
        es[k] = preds[k].iter().map(|&p| ef[p]).max().unwrap_or(0);
        ef[k] = es[k].saturating_add(durations[k]);
    }
    let duration = ef.iter().copied().max().unwrap_or(0);
    let mut lf = vec![duration; n];
    let mut ls = vec![0u32; n];
    for &k in order.iter().rev() {
        lf[k] = succ[k].iter().map(|&s| ls[s]).min().unwrap_or(duration);
        ls[k] = lf[k].saturating_sub(durations[k]);
    }
    let timings: Vec<Timing> = (0..n)
        .map(|k| Timing {
            earliest_start: es[k],
            earliest_finish: ef[k],
            latest_start: ls[k],
            latest_finish: lf[k],
            slack: ls[k].saturating_sub(es[k]),
        })
        .collect();
    let mut path = Vec::new();
    if let Some(first) = order
        .iter()
        .copied()
        .find(|&k| es[k] == 0 && timings[k].slack == 0)
    {
        let mut cur = first;
        path.push(cur);
        loop {
            let mut next: Vec<usize> = succ[cur]
                .iter()
                .copied()
                .filter(|&s| timings[s].slack == 0 && es[s] == ef[cur])
                .collect();
            next.sort_unstable();
            match next.first() {
                Some(&s) => {
                    path.push(s);
                    cur = s;
                }
                None => break,
            }
        }
    }
    Ok(CriticalPath {
        timings,
        path,
        duration,
    })
}
