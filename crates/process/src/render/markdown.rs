//! Markdown: the plan document, a checklist and a status digest.

use std::fmt::Write;

use crate::plan::Plan;
use crate::status::{StatusReport, TaskState};

/// Makes text safe inside a Markdown table cell or list item.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// The plan document: parameters, critical path, each stage's tasks with owners, dates and
/// slack, its gate, the communication plan, and any schedule conflicts.
pub fn markdown_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", cell(&plan.name));
    let _ = writeln!(
        out,
        "Template `{}` v{} · anchor (T) {} · {} to {} · {} working days on the critical path\n",
        plan.template,
        plan.version,
        plan.anchor,
        plan.start(),
        plan.finish(),
        plan.duration
    );
    if !plan.parameters.is_empty() {
        out.push_str("| parameter | value |\n|---|---|\n");
        for (k, v) in &plan.parameters {
            let _ = writeln!(out, "| {} | {} |", cell(k), cell(&v.to_string()));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**Critical path:** {}\n",
        plan.critical_path.join(" → ")
    );
    for stage in &plan.stages {
        let _ = writeln!(out, "## {}\n", cell(&stage.name));
        if !stage.tasks.is_empty() {
            out.push_str("| task | owner | accountable | start | due | days | slack | free float | depends on |\n|---|---|---|---|---|---|---|---|---|\n");
            for t in &stage.tasks {
                let crit = if t.timing.is_critical() {
                    " **(critical)**"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "| {}{crit} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    cell(&t.name),
                    cell(&t.owner),
                    cell(&t.raci.accountable),
                    t.start,
                    t.due,
                    t.duration,
                    t.timing.slack,
                    t.free_float,
                    cell(&t.depends_on.join(", "))
                );
            }
            out.push('\n');
        }
        if let Some(g) = &stage.gate {
            let date = g.date.map(|d| format!(" on {d}")).unwrap_or_default();
            let name = if g.name.is_empty() { &g.id } else { &g.name };
            let _ = writeln!(
                out,
                "**Gate: {}**{date}, approved by {}\n",
                cell(name),
                g.approvers.join(", ")
            );
            for c in &g.criteria {
                let _ = writeln!(out, "- {}", cell(c));
            }
            out.push('\n');
        }
    }
    if !plan.comms.is_empty() {
        out.push_str("## Communication plan\n\n| audience | channel | cadence | owner | dates | message |\n|---|---|---|---|---|---|\n");
        for c in &plan.comms {
            let dates: Vec<String> = c.dates.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {:?} | {} | {} | {} |",
                cell(&c.audience),
                cell(&c.channel),
                c.cadence,
                cell(&c.owner),
                dates.join(", "),
                cell(&c.message)
            );
        }
        out.push('\n');
    }
    if !plan.conflicts.is_empty() {
        out.push_str("## Schedule conflicts\n\n");
        for c in &plan.conflicts {
            let _ = writeln!(
                out,
                "- `{}` starts {} but depends on `{}`, due {}",
                c.task, c.task_start, c.dependency, c.dependency_due
            );
        }
    }
    out
}

/// A `- [ ]` checklist per stage, with artifacts nested under their task and the gate last;
/// with a status report, finished tasks and passed gates are ticked.
pub fn markdown_checklist(plan: &Plan, status: Option<&StatusReport>) -> String {
    let done = |id: &str| {
        status
            .and_then(|s| s.task(id))
            .is_some_and(|t| t.state == TaskState::Done)
    };
    let gate_open =
        |id: &str| status.is_some_and(|s| s.blocking_gates.iter().any(|g| g.gate == id));
    let mut out = format!("# {} checklist\n", cell(&plan.name));
    for stage in &plan.stages {
        let _ = writeln!(out, "\n## {}\n", cell(&stage.name));
        for t in &stage.tasks {
            let mark = if done(&t.id) { 'x' } else { ' ' };
            let _ = writeln!(
                out,
                "- [{mark}] {} ({}, due {})",
                cell(&t.name),
                cell(&t.owner),
                t.due
            );
            for a in &t.artifacts {
                let req = if a.required { "" } else { " (optional)" };
                let _ = writeln!(out, "  - [{mark}] {}{req}", cell(&a.id));
            }
        }
        if let Some(g) = &stage.gate {
            let passed =
                status.is_some() && !gate_open(&g.id) && stage.tasks.iter().all(|t| done(&t.id));
            let mark = if passed { 'x' } else { ' ' };
            let name = if g.name.is_empty() { &g.id } else { &g.name };
            let _ = writeln!(
                out,
                "- [{mark}] Gate: {} (approvers: {})",
                cell(name),
                g.approvers.join(", ")
            );
        }
    }
    out
}

/// What is late and who owns it, what is blocked, and completion per stage.
pub fn markdown_status(plan: &Plan, report: &StatusReport) -> String {
    let mut out = format!("# {} status as of {}\n\n", cell(&plan.name), report.as_of);
    out.push_str("| stage | done | total |\n|---|---|---|\n");
    for s in &report.stages {
        let _ = writeln!(out, "| {} | {} | {} |", cell(&s.stage), s.done, s.total);
    }
    let late = report.late_by_owner();
    if !late.is_empty() {
        out.push_str("\n## Overdue by owner\n\n");
        for (owner, tasks) in &late {
            let _ = writeln!(out, "- **{}**: {}", cell(owner), tasks.join(", "));
        }
    }
    let blocked: Vec<_> = report
        .tasks
        .iter()
        .filter(|t| t.state == TaskState::Blocked)
        .collect();
    if !blocked.is_empty() {
        out.push_str("\n## Blocked\n\n");
        for t in blocked {
            let _ = writeln!(
                out,
                "- `{}` ({}) waits on {}",
                t.id,
                cell(&t.owner),
                t.waiting_on.join(", ")
            );
        }
    }
    if !report.blocking_gates.is_empty() {
        out.push_str("\n## Gates holding work\n\n");
        for g in &report.blocking_gates {
            let overdue = if g.overdue {
                ", review date passed"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "- `{}` (approvers: {}{overdue}) holds {}",
                g.gate,
                g.approvers.join(", "),
                g.blocked_tasks.join(", ")
            );
        }
    }
    out
}
