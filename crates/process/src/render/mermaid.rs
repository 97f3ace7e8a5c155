//! A Mermaid `gantt` chart.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{NaiveDate, Weekday};

use crate::plan::Plan;

/// Mermaid task ids are plain words.
fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Task names may not hold `:` `;` or `#` (Mermaid syntax).
fn label(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, ':' | ';' | '#' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The plan as a Mermaid Gantt chart: a section per stage, `crit` on critical tasks, gates and
/// zero-duration tasks as milestones, the calendar's weekends and holidays excluded.
///
/// A task that starts right after its dependencies is written `after dep…`; a task whose offset
/// puts it elsewhere keeps its own start date, so the chart shows the plan's dates. End dates are
/// exclusive (the day after the due date), as Mermaid draws them.
pub fn mermaid_gantt(plan: &Plan) -> String {
    let mut out = String::from("gantt\n");
    let _ = writeln!(out, "    title {}", label(&plan.name));
    out.push_str("    dateFormat YYYY-MM-DD\n");
    let weekend = plan.calendar.weekend_days();
    if weekend == [Weekday::Sat, Weekday::Sun] {
        out.push_str("    excludes weekends\n");
    } else {
        for d in weekend {
            let name = match d {
                Weekday::Mon => "monday",
                Weekday::Tue => "tuesday",
                Weekday::Wed => "wednesday",
                Weekday::Thu => "thursday",
                Weekday::Fri => "friday",
                Weekday::Sat => "saturday",
                Weekday::Sun => "sunday",
            };
            let _ = writeln!(out, "    excludes {name}");
        }
    }
    let (first, last) = (plan.start(), plan.finish());
    for h in plan
        .calendar
        .holidays()
        .filter(|h| *h >= first && *h <= last)
    {
        let _ = writeln!(out, "    excludes {h}");
    }
    let due: HashMap<&str, NaiveDate> = plan.tasks().map(|t| (t.id.as_str(), t.due)).collect();
    for stage in &plan.stages {
        let _ = writeln!(out, "    section {}", label(&stage.name));
        for t in &stage.tasks {
            let mut tags = Vec::new();
            if t.timing.is_critical() {
                tags.push("crit".to_owned());
            }
            if t.duration == 0 {
                tags.push("milestone".to_owned());
            }
            tags.push(mermaid_id(&t.id));
            let latest_dep = t
                .depends_on
                .iter()
                .filter_map(|d| due.get(d.as_str()).copied())
                .max();
            let follows = latest_dep
                .and_then(|latest| plan.calendar.add_business_days(latest, 1).ok())
                .is_some_and(|next| next == t.start);
            if follows {
                let deps: Vec<String> = t.depends_on.iter().map(|d| mermaid_id(d)).collect();
                tags.push(format!("after {}", deps.join(" ")));
            } else {
                tags.push(t.start.to_string());
            }
            if t.duration == 0 {
                tags.push("0d".to_owned());
            } else {
                tags.push(t.due.succ_opt().unwrap_or(t.due).to_string());
            }
            let _ = writeln!(out, "    {} :{}", label(&t.name), tags.join(", "));
        }
        if let (Some(g), Some(date)) = (&stage.gate, stage.gate.as_ref().and_then(|g| g.date)) {
            let name = if g.name.is_empty() { &g.id } else { &g.name };
            let _ = writeln!(
                out,
                "    Gate {} :milestone, gate_{}, {date}, 0d",
                label(name),
                mermaid_id(&g.id)
            );
        }
    }
    out
}
