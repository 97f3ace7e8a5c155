//! iCalendar (RFC 5545): one all-day event per task on its due date.

use chrono::{NaiveDate, NaiveDateTime};

use crate::plan::Plan;

/// Options of the iCalendar output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IcsOptions {
    /// DTSTAMP of every event (UTC). Passed in so the output is reproducible.
    pub stamp: NaiveDateTime,
    /// Domain part of the UIDs.
    pub domain: String,
    /// Distinguishes plans of the same template (such as the product name); UIDs are
    /// `<key>.<task>@<domain>`, so re-importing a re-planned calendar updates events rather
    /// than duplicating them. Defaults to the template id.
    pub key: Option<String>,
}

impl IcsOptions {
    /// Options with a timestamp, the domain `prodops.invalid` and the template id as key.
    pub fn new(stamp: NaiveDateTime) -> Self {
        IcsOptions {
            stamp,
            domain: "prodops.invalid".into(),
            key: None,
        }
    }

    /// Sets the UID key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets the UID domain.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = domain.into();
        self
    }
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (RFC 5545 §3.1): continuation lines start with a
/// space, and no UTF-8 character is split.
fn push_line(out: &mut String, line: &str) {
    let mut budget = 75;
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > budget {
            out.push_str("\r\n ");
            used = 1;
            budget = 75;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The plan as an iCalendar file: one all-day VEVENT per task on its due date, with the
/// owner, stage, dependencies and artifacts in the description.
pub fn ics(plan: &Plan, options: &IcsOptions) -> String {
    let mut out = String::new();
    let key = options.key.clone().unwrap_or_else(|| plan.template.clone());
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//prodops//prodops-process//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, l);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(&plan.name)));
    let stamp = options.stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for stage in &plan.stages {
        for t in &stage.tasks {
            push_line(&mut out, "BEGIN:VEVENT");
            push_line(
                &mut out,
                &format!(
                    "UID:{}.{}@{}",
                    escape(&key),
                    escape(&t.id),
                    escape(&options.domain)
                ),
            );
            push_line(&mut out, &format!("DTSTAMP:{stamp}"));
            push_line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(t.due)));
            push_line(
                &mut out,
                &format!(
                    "DTEND;VALUE=DATE:{}",
                    date(t.due.succ_opt().unwrap_or(t.due))
                ),
            );
            push_line(&mut out, &format!("SUMMARY:{}", escape(&t.name)));
            let mut desc = format!(
                "Owner: {}\nAccountable: {}\nStage: {}\nStart: {}",
                t.owner, t.raci.accountable, stage.name, t.start
            );
            if !t.depends_on.is_empty() {
                desc.push_str(&format!("\nDepends on: {}", t.depends_on.join(", ")));
            }
            if !t.artifacts.is_empty() {
                let a: Vec<&str> = t.artifacts.iter().map(|a| a.id.as_str()).collect();
                desc.push_str(&format!("\nArtifacts: {}", a.join(", ")));
            }
            if !t.description.is_empty() {
                desc.push_str(&format!("\n\n{}", t.description));
            }
            push_line(&mut out, &format!("DESCRIPTION:{}", escape(&desc)));
            push_line(&mut out, &format!("CATEGORIES:{}", escape(&stage.name)));
            push_line(&mut out, "TRANSP:TRANSPARENT");
            push_line(&mut out, "END:VEVENT");
        }
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}
