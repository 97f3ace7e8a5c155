//! Validation: every problem of a template, each located and, where possible, with a suggestion.
//!
//! Checks: ids well-formed and unique per kind (parameters, roles, stages, tasks across the
//! template, gates, artifacts within a task, comms); every role, task and parameter reference
//! resolves; dependencies (and offsets anchored on tasks) form no cycle, each cycle reported with
//! all its members; every gate has an approver and a criterion; every task has responsible roles
//! and one accountable role; conditions parse and compare values of the right kinds; parameter
//! defaults fit their kind; and no task's offset puts its start on or before the due date of a
//! task it depends on (checked when both offsets count in the same unit).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::condition;
use crate::error::{Diagnostic, ProcessError, ValidationErrors};
use crate::suggest::did_you_mean;
use crate::template::{Anchor, DayUnit, ParamKind, Template};

/// Durations beyond ten years of working days are rejected as typos.
pub(crate) const MAX_DURATION: u32 = 2600;

/// Validates a (composed) template.
///
/// # Errors
/// [`ProcessError::Invalid`] with all problems found.
///
/// # Examples
/// ```
/// use prodops_process::{validate, Format, ProcessError, Template};
/// let t = Template::from_str_as(r#"
/// id = "t"
/// version = "1"
/// name = "T"
/// roles = [{ id = "qa", name = "QA" }]
/// [[stages]]
/// id = "s"
/// name = "S"
/// tasks = [
///   { id = "qa_signoff", name = "Sign off", raci = { responsible = ["qa"], accountable = "qa" } },
///   { id = "ship", name = "Ship", depends_on = ["qa_signof"], raci = { responsible = ["qa"], accountable = "qa" } },
/// ]
/// "#, Format::Toml, "t.toml")?;
/// let Err(ProcessError::Invalid(errors)) = validate(&t) else { return Err("expected errors".into()) };
/// assert_eq!(errors.diagnostics[0].path, "stages[0].tasks[1].depends_on[0]");
/// assert_eq!(errors.diagnostics[0].suggestion.as_deref(), Some("did you mean `qa_signoff`?"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(template: &Template) -> Result<(), ProcessError> {
    let diagnostics = diagnostics(template);
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(ProcessError::Invalid(ValidationErrors { diagnostics }))
    }
}

fn bad_id(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if !id
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        Some("may hold only letters, digits, `-`, `_` and `.`")
    } else {
        None
    }
}

/// Every problem of a template, in file order (empty when valid).
pub fn diagnostics(t: &Template) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let file = t.source.as_str();
    let d = |path: String, msg: String| Diagnostic::new(file, path, msg);

    if t.id.is_empty() {
        out.push(d("id".into(), "template id is empty".into()));
    }
    if t.version.trim().is_empty() {
        out.push(d("version".into(), "template version is empty".into()));
    }

    // Parameters.
    let mut kinds: BTreeMap<String, ParamKind> = BTreeMap::new();
    for (i, p) in t.parameters.iter().enumerate() {
        let path = format!("parameters[{i}]");
        if let Some(why) = bad_id(&p.name) {
            out.push(d(
                format!("{path}.name"),
                format!("parameter name `{}` {why}", p.name),
            ));
        }
        if kinds.insert(p.name.clone(), p.kind).is_some() {
            out.push(d(
                format!("{path}.name"),
                format!("duplicate parameter `{}`", p.name),
            ));
        }
        for (j, a) in p.allowed.iter().enumerate() {
            // A list parameter's allowed values are the items it may hold.
            let fits = a.fits(p.kind) || (p.kind == ParamKind::List && a.fits(ParamKind::Text));
            if !fits {
                out.push(d(
                    format!("{path}.allowed[{j}]"),
                    format!("`{a}` is not {}", p.kind.describe()),
                ));
            }
        }
        if p.kind == ParamKind::Enum && p.allowed.is_empty() {
            out.push(d(
                format!("{path}.allowed"),
                format!("enum parameter `{}` lists no allowed values", p.name),
            ));
        }
        if let Some(def) = &p.default {
            if !def.fits(p.kind) {
                out.push(d(
                    format!("{path}.default"),
                    format!("default `{def}` is not {}", p.kind.describe()),
                ));
            } else if let Err(why) = crate::plan::check_allowed(p, def) {
                out.push(d(format!("{path}.default"), why));
            }
        }
    }
    let check_placeholders = |file: &str, text: &str, path: String, out: &mut Vec<Diagnostic>| {
        for name in placeholders(text) {
            if !kinds.contains_key(name) {
                out.push(
                    Diagnostic::new(
                        file,
                        path.clone(),
                        format!("placeholder `{{{name}}}` names no parameter"),
                    )
                    .suggest(did_you_mean(name, kinds.keys().map(String::as_str))),
                );
            }
        }
    };
    let check_when =
        |file: &str, when: &Option<String>, path: String, out: &mut Vec<Diagnostic>| {
            let Some(w) = when else { return };
            match condition::parse(w) {
                Err(why) => out.push(Diagnostic::new(
                    file,
                    path,
                    format!("condition `{w}`: {why}"),
                )),
                Ok(c) => {
                    let mut names = Vec::new();
                    c.params(&mut names);
                    let mut unknown = false;
                    for n in names {
                        if !kinds.contains_key(&n) {
                            unknown = true;
                            out.push(
                                Diagnostic::new(
                                    file,
                                    path.clone(),
                                    format!("condition `{w}` names unknown parameter `{n}`"),
                                )
                                .suggest(did_you_mean(&n, kinds.keys().map(String::as_str))),
                            );
                        }
                    }
                    if !unknown && let Err(why) = c.check(&kinds) {
                        out.push(Diagnostic::new(
                            file,
                            path,
                            format!("condition `{w}`: {why}"),
                        ));
                    }
                }
            }
        };

    // Roles.
    let mut roles: HashSet<&str> = HashSet::new();
    for (i, r) in t.roles.iter().enumerate() {
        if let Some(why) = bad_id(&r.id) {
            out.push(d(
                format!("roles[{i}].id"),
                format!("role id `{}` {why}", r.id),
            ));
        }
        if !roles.insert(&r.id) {
            out.push(d(
                format!("roles[{i}].id"),
                format!("duplicate role `{}`", r.id),
            ));
        }
    }
    let role_names: Vec<&str> = t.roles.iter().map(|r| r.id.as_str()).collect();
    let check_role = |role: &str, file: &str, path: String, out: &mut Vec<Diagnostic>| {
        if !roles.contains(role) {
            out.push(
                Diagnostic::new(file, path, format!("unknown role `{role}`"))
                    .suggest(did_you_mean(role, role_names.iter().copied())),
            );
        }
    };

    // Stages and tasks: ids first, so references can be checked against all of them.
    let mut stage_ids: HashSet<&str> = HashSet::new();
    let mut gate_ids: HashSet<&str> = HashSet::new();
    let mut task_index: HashMap<&str, (usize, usize)> = HashMap::new();
    for (si, s) in t.stages.iter().enumerate() {
        let sfile = if s.origin.file.is_empty() {
            file
        } else {
            &s.origin.file
        };
        let spath = if s.origin.path.is_empty() {
            format!("stages[{si}]")
        } else {
            s.origin.path.clone()
        };
        if let Some(why) = bad_id(&s.id) {
            out.push(Diagnostic::new(
                sfile,
                format!("{spath}.id"),
                format!("stage id `{}` {why}", s.id),
            ));
        }
        if !stage_ids.insert(&s.id) {
            out.push(Diagnostic::new(
                sfile,
                format!("{spath}.id"),
                format!("duplicate stage `{}`", s.id),
            ));
        }
        for (ti, task) in s.tasks.iter().enumerate() {
            let (tfile, tpath) = task_loc(t, si, ti);
            if let Some(why) = bad_id(&task.id) {
                out.push(Diagnostic::new(
                    tfile,
                    format!("{tpath}.id"),
                    format!("task id `{}` {why}", task.id),
                ));
            } else if task.id == "T" {
                out.push(Diagnostic::new(
                    tfile,
                    format!("{tpath}.id"),
                    "task id `T` is reserved for the anchor date in offsets".to_owned(),
                ));
            }
            if let Some(&(psi, pti)) = task_index.get(task.id.as_str()) {
                let (_, first) = task_loc(t, psi, pti);
                out.push(Diagnostic::new(
                    tfile,
                    format!("{tpath}.id"),
                    format!("duplicate task `{}` (first defined at {first})", task.id),
                ));
            } else {
                task_index.insert(&task.id, (si, ti));
            }
        }
        if let Some(g) = &s.gate {
            let gpath = format!("{spath}.gate");
            if let Some(why) = bad_id(&g.id) {
                out.push(Diagnostic::new(
                    sfile,
                    format!("{gpath}.id"),
                    format!("gate id `{}` {why}", g.id),
                ));
            }
            if !gate_ids.insert(&g.id) {
                out.push(Diagnostic::new(
                    sfile,
                    format!("{gpath}.id"),
                    format!("duplicate gate `{}`", g.id),
                ));
            }
            if g.approvers.is_empty() {
                out.push(
                    Diagnostic::new(
                        sfile,
                        format!("{gpath}.approvers"),
                        format!("gate `{}` has no approver", g.id),
                    )
                    .suggest(Some("add at least one role to `approvers`".to_owned())),
                );
            }
            if g.criteria.is_empty() {
                out.push(Diagnostic::new(
                    sfile,
                    format!("{gpath}.criteria"),
                    format!("gate `{}` has no criteria to check", g.id),
                ));
            }
            for (ai, a) in g.approvers.iter().enumerate() {
                check_role(a, sfile, format!("{gpath}.approvers[{ai}]"), &mut out);
            }
        }
    }
    let task_names: Vec<&str> = t.tasks().map(|x| x.id.as_str()).collect();

    for (si, s) in t.stages.iter().enumerate() {
        for (ti, task) in s.tasks.iter().enumerate() {
            let (tfile, tpath) = task_loc(t, si, ti);
            let raci = &task.raci;
            if raci.responsible.is_empty() {
                out.push(Diagnostic::new(
                    tfile,
                    format!("{tpath}.raci.responsible"),
                    format!("task `{}` has no responsible role", task.id),
                ));
            }
            if raci.accountable.is_empty() {
                out.push(
                    Diagnostic::new(
                        tfile,
                        format!("{tpath}.raci.accountable"),
                        format!(
                            "task `{}` has no accountable role (RACI: exactly one)",
                            task.id
                        ),
                    )
                    .suggest(
                        raci.responsible
                            .first()
                            .map(|r| format!("make `{r}` accountable")),
                    ),
                );
            } else {
                check_role(
                    &raci.accountable,
                    tfile,
                    format!("{tpath}.raci.accountable"),
                    &mut out,
                );
            }
            for (field, list) in [
                ("responsible", &raci.responsible),
                ("consulted", &raci.consulted),
                ("informed", &raci.informed),
            ] {
                for (i, r) in list.iter().enumerate() {
                    check_role(r, tfile, format!("{tpath}.raci.{field}[{i}]"), &mut out);
                }
            }
            if task.duration > MAX_DURATION {
                out.push(Diagnostic::new(
                    tfile,
                    format!("{tpath}.duration"),
                    format!(
                        "duration of {} working days is more than {MAX_DURATION}",
                        task.duration
                    ),
                ));
            }
            let mut seen_deps = HashSet::new();
            for (i, dep) in task.depends_on.iter().enumerate() {
                let path = format!("{tpath}.depends_on[{i}]");
                if dep == &task.id {
                    out.push(Diagnostic::new(
                        tfile,
                        path,
                        format!("task `{}` depends on itself", task.id),
                    ));
                } else if !task_index.contains_key(dep.as_str()) {
                    out.push(
                        Diagnostic::new(tfile, path, format!("unknown task `{dep}`"))
                            .suggest(did_you_mean(dep, task_names.iter().copied())),
                    );
                } else if !seen_deps.insert(dep) {
                    out.push(Diagnostic::new(
                        tfile,
                        path,
                        format!("dependency `{dep}` is listed twice"),
                    ));
                }
            }
            if let Some(off) = &task.due
                && let Anchor::Task(a) = &off.from
            {
                if a == &task.id {
                    out.push(Diagnostic::new(
                        tfile,
                        format!("{tpath}.due"),
                        format!("task `{}` is due relative to itself", task.id),
                    ));
                } else if !task_index.contains_key(a.as_str()) {
                    out.push(
                        Diagnostic::new(
                            tfile,
                            format!("{tpath}.due"),
                            format!("offset anchored on unknown task `{a}`"),
                        )
                        .suggest(did_you_mean(a, task_names.iter().copied())),
                    );
                }
            }
            let mut artifacts = HashSet::new();
            for (ai, a) in task.artifacts.iter().enumerate() {
                if let Some(why) = bad_id(&a.id) {
                    out.push(Diagnostic::new(
                        tfile,
                        format!("{tpath}.artifacts[{ai}].id"),
                        format!("artifact id `{}` {why}", a.id),
                    ));
                }
                if !artifacts.insert(&a.id) {
                    out.push(Diagnostic::new(
                        tfile,
                        format!("{tpath}.artifacts[{ai}].id"),
                        format!("duplicate artifact `{}` in task `{}`", a.id, task.id),
                    ));
                }
            }
            check_when(tfile, &task.when, format!("{tpath}.when"), &mut out);
            check_placeholders(tfile, &task.name, format!("{tpath}.name"), &mut out);
            check_placeholders(
                tfile,
                &task.description,
                format!("{tpath}.description"),
                &mut out,
            );
        }
    }

    // Comms.
    let mut comm_ids = HashSet::new();
    for (i, c) in t.comms.iter().enumerate() {
        let (cfile, path) = if c.origin.path.is_empty() {
            (file, format!("comms[{i}]"))
        } else {
            (c.origin.file.as_str(), c.origin.path.clone())
        };
        let d = |path: String, msg: String| Diagnostic::new(cfile, path, msg);
        if let Some(why) = bad_id(&c.id) {
            out.push(d(format!("{path}.id"), format!("comm id `{}` {why}", c.id)));
        }
        if !comm_ids.insert(&c.id) {
            out.push(d(
                format!("{path}.id"),
                format!("duplicate comm `{}`", c.id),
            ));
        }
        check_role(&c.owner, cfile, format!("{path}.owner"), &mut out);
        for (field, off) in [("at", &c.at), ("until", &c.until)] {
            if let Some(o) = off
                && let Anchor::Task(a) = &o.from
                && !task_index.contains_key(a.as_str())
            {
                out.push(
                    d(
                        format!("{path}.{field}"),
                        format!("offset anchored on unknown task `{a}`"),
                    )
                    .suggest(did_you_mean(a, task_names.iter().copied())),
                );
            }
        }
        check_when(cfile, &c.when, format!("{path}.when"), &mut out);
        check_placeholders(cfile, &c.message, format!("{path}.message"), &mut out);
    }

    // Cycles over "must be known before" edges: dependencies and task anchors.
    let tasks: Vec<_> = t.tasks().collect();
    // The first task of each id; duplicates are reported above.
    let mut idx: HashMap<&str, usize> = HashMap::new();
    for (i, x) in tasks.iter().enumerate() {
        idx.entry(x.id.as_str()).or_insert(i);
    }
    let edges: Vec<Vec<usize>> = tasks
        .iter()
        .map(|task| {
            let mut e: Vec<usize> = task
                .depends_on
                .iter()
                .filter_map(|x| idx.get(x.as_str()).copied())
                .collect();
            if let Some(off) = &task.due
                && let Anchor::Task(a) = &off.from
                && let Some(&j) = idx.get(a.as_str())
            {
                e.push(j);
            }
            e
        })
        .collect();
    for cycle in find_cycles(&edges) {
        let first = cycle[0];
        let (si, ti) = task_index
            .get(tasks[first].id.as_str())
            .copied()
            .unwrap_or((0, 0));
        let (tfile, tpath) = task_loc(t, si, ti);
        let mut names: Vec<&str> = cycle.iter().map(|&i| tasks[i].id.as_str()).collect();
        names.push(tasks[first].id.as_str());
        out.push(
            Diagnostic::new(
                tfile,
                format!("{tpath}.depends_on"),
                format!("dependency cycle: {}", names.join(" → ")),
            )
            .suggest(Some("remove one of these dependencies".to_owned())),
        );
    }

    // Offsets that contradict dependencies, where both count in the same unit from `T`.
    let mut pos: HashMap<usize, Option<(i64, DayUnit)>> = HashMap::new();
    for (i, task) in tasks.iter().enumerate() {
        for dep in &task.depends_on {
            let Some(&j) = idx.get(dep.as_str()) else {
                continue;
            };
            let (Some((pb, ub)), Some((pa, ua))) = (
                position(i, &tasks, &idx, &mut pos),
                position(j, &tasks, &idx, &mut pos),
            ) else {
                continue;
            };
            if ub != ua {
                continue;
            }
            // Work of `duration` days ends on the due date, so it starts duration − 1 days
            // earlier and must start after the dependency's due date; a milestone (duration 0)
            // may fall on the dependency's due date. Calendar offsets are compared as calendar
            // days: a start that is not even a calendar day after the dependency is certainly
            // wrong, whatever the weekends.
            let start = pb - i64::from(task.duration.saturating_sub(1));
            let conflict = if task.duration == 0 {
                pb < pa
            } else {
                start <= pa
            };
            if conflict {
                let (si, ti) = task_index.get(task.id.as_str()).copied().unwrap_or((0, 0));
                let (tfile, tpath) = task_loc(t, si, ti);
                let needed = pa + i64::from(task.duration);
                let unit = if ub == DayUnit::Business { "bd" } else { "cd" };
                out.push(
                    Diagnostic::new(
                        tfile,
                        format!("{tpath}.due"),
                        format!(
                            "task `{}` is due at T{pb:+}{unit} with {} day(s) of work, so it starts at T{start:+}{unit}, \
                             not after its dependency `{dep}` is due at T{pa:+}{unit}",
                            task.id, task.duration
                        ),
                    )
                    .suggest(Some(format!("make it due at T{needed:+}{unit} or later, or drop the dependency"))),
                );
            }
        }
    }
    out
}

/// File and path of task `ti` of stage `si`.
fn task_loc(t: &Template, si: usize, ti: usize) -> (&str, String) {
    match t.stages.get(si).and_then(|s| s.tasks.get(ti)) {
        Some(task) if !task.origin.path.is_empty() => {
            (task.origin.file.as_str(), task.origin.path.clone())
        }
        _ => (t.source.as_str(), format!("stages[{si}].tasks[{ti}]")),
    }
}

/// The due position of a task in days from `T` and the unit, when its anchor chain uses a
/// single unit and has no cycle.
fn position(
    i: usize,
    tasks: &[&crate::template::Task],
    idx: &HashMap<&str, usize>,
    memo: &mut HashMap<usize, Option<(i64, DayUnit)>>,
) -> Option<(i64, DayUnit)> {
    let mut chain = Vec::new();
    let mut cur = i;
    let mut acc: i64 = 0;
    let mut unit: Option<DayUnit> = None;
    let result = loop {
        if let Some(known) = memo.get(&cur) {
            break known.and_then(|(p, u)| (unit.is_none_or(|x| x == u)).then_some((p + acc, u)));
        }
        if chain.contains(&cur) || chain.len() > tasks.len() {
            break None;
        }
        chain.push(cur);
        let off = tasks[cur].due.as_ref()?;
        if unit.is_some_and(|u| u != off.unit) {
            break None;
        }
        unit = Some(off.unit);
        acc += i64::from(off.days);
        match &off.from {
            Anchor::Start => break Some((acc, off.unit)),
            Anchor::Task(a) => cur = *idx.get(a.as_str())?,
        }
    };
    if chain.len() == 1 {
        memo.insert(i, result);
    }
    result
}

/// Elementary cycles found by depth-first search, one per back edge, each rotated to start at
/// its smallest index and deduplicated. Iterative, so deep graphs do not overflow the stack.
pub(crate) fn find_cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut color = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut on_stack_pos = vec![usize::MAX; n];
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut seen = HashSet::new();
    for root in 0..n {
        if color[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        let mut path: Vec<usize> = vec![root];
        color[root] = 1;
        on_stack_pos[root] = 0;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = edges[v].get(*next) {
                *next += 1;
                if w >= n {
                    continue;
                }
                match color[w] {
                    0 => {
                        color[w] = 1;
                        on_stack_pos[w] = path.len();
                        path.push(w);
                        stack.push((w, 0));
                    }
                    1 => {
                        let mut cyc = path[on_stack_pos[w]..].to_vec();
                        let min_at = cyc
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, x)| **x)
                            .map_or(0, |(i, _)| i);
                        cyc.rotate_left(min_at);
                        if seen.insert(cyc.clone()) {
                            found.push(cyc);
                        }
                    }
                    _ => {}
                }
            } else {
                color[v] = 2;
                on_stack_pos[v] = usize::MAX;
                path.pop();
                stack.pop();
            }
        }
    }
    found
}

/// `{name}` placeholders of a text (names of letters, digits, `_` and `-`).
pub(crate) fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    out.push(name);
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}
