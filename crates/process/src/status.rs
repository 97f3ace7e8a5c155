//! Status of a plan as of a date, from recorded progress.
//!
//! Each task is, in this order of precedence:
//! - **done** when it has a finish date on or before the status date;
//! - **overdue** when it is not done and its due date is before the status date;
//! - **blocked** when it should have started (its start is on or before the status date) but a
//!   dependency is not done or the gate of an earlier stage has not passed;
//! - **in progress** when it has a start date on or before the status date;
//! - **not started** otherwise.
//!
//! A stage's gate blocks the tasks of every later stage until it passes (a stage-gate process).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::ProcessError;
use crate::plan::Plan;

/// Recorded start and finish of a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskProgress {
    /// When work started.
    #[serde(default)]
    pub started: Option<NaiveDate>,
    /// When it was finished.
    #[serde(default)]
    pub finished: Option<NaiveDate>,
}

/// What has happened so far: task starts and finishes, gates passed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// By task id.
    #[serde(default)]
    pub tasks: BTreeMap<String, TaskProgress>,
    /// Date each gate passed, by gate id.
    #[serde(default)]
    pub gates: BTreeMap<String, NaiveDate>,
}

impl Progress {
    /// No progress.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// Records a start.
    pub fn started(mut self, task: impl Into<String>, date: NaiveDate) -> Self {
        self.tasks.entry(task.into()).or_default().started = Some(date);
        self
    }

    /// Records a finish (and a start on the same day if none was recorded).
    pub fn finished(mut self, task: impl Into<String>, date: NaiveDate) -> Self {
        let p = self.tasks.entry(task.into()).or_default();
        p.finished = Some(date);
        p.started.get_or_insert(date);
        self
    }

    /// Records a gate as passed.
    pub fn gate_passed(mut self, gate: impl Into<String>, date: NaiveDate) -> Self {
        self.gates.insert(gate.into(), date);
        self
    }
}

/// The state of a task on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TaskState {
    /// Finished.
    Done,
    /// Started, not finished, not late.
    InProgress,
    /// Not started and not yet due to start.
    NotStarted,
    /// Due to start but waiting on a dependency or a gate.
    Blocked,
    /// Past its due date and not finished.
    Overdue,
}

/// One task's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskStatus {
    /// Task id.
    pub id: String,
    /// Stage id.
    pub stage: String,
    /// Owner role.
    pub owner: String,
    /// Due date.
    pub due: NaiveDate,
    /// State.
    pub state: TaskState,
    /// Unfinished dependencies and unpassed gates holding it (`gate:<id>` for gates).
    pub waiting_on: Vec<String>,
}

/// Completion of a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StageCompletion {
    /// Stage id.
    pub stage: String,
    /// Tasks done.
    pub done: usize,
    /// Tasks in the stage.
    pub total: usize,
    /// done / total (1 for an empty stage).
    pub fraction: f64,
}

/// A gate that has not passed and holds work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockingGate {
    /// Gate id.
    pub gate: String,
    /// Its stage.
    pub stage: String,
    /// Who must approve.
    pub approvers: Vec<String>,
    /// Tasks of later stages that are due to start and wait on it.
    pub blocked_tasks: Vec<String>,
    /// Whether its review date has passed.
    pub overdue: bool,
}

/// A plan's status on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusReport {
    /// The status date.
    pub as_of: NaiveDate,
    /// Every task, in plan order.
    pub tasks: Vec<TaskStatus>,
    /// Completion per stage.
    pub stages: Vec<StageCompletion>,
    /// Gates holding work.
    pub blocking_gates: Vec<BlockingGate>,
}

impl StatusReport {
    /// Overdue tasks grouped by owner: the "what is late and who owns it" digest.
    pub fn late_by_owner(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in self.tasks.iter().filter(|t| t.state == TaskState::Overdue) {
            out.entry(t.owner.clone()).or_default().push(t.id.clone());
        }
        out
    }

    /// The status of one task.
    pub fn task(&self, id: &str) -> Option<&TaskStatus> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

impl Plan {
    /// The status of every task, stage and gate on `as_of`.
    ///
    /// # Errors
    /// [`ProcessError::UnknownProgressItem`] when progress names a task or gate not in the plan.
    pub fn status(
        &self,
        progress: &Progress,
        as_of: NaiveDate,
    ) -> Result<StatusReport, ProcessError> {
        let ids: std::collections::HashSet<&str> = self.tasks().map(|t| t.id.as_str()).collect();
        for id in progress.tasks.keys() {
            if !ids.contains(id.as_str()) {
                return Err(ProcessError::UnknownProgressItem {
                    kind: "task",
                    id: id.clone(),
                });
            }
        }
        for id in progress.gates.keys() {
            if !self
                .stages
                .iter()
                .any(|s| s.gate.as_ref().is_some_and(|g| &g.id == id))
            {
                return Err(ProcessError::UnknownProgressItem {
                    kind: "gate",
                    id: id.clone(),
                });
            }
        }
        let done = |id: &str| {
            progress
                .tasks
                .get(id)
                .and_then(|p| p.finished)
                .is_some_and(|f| f <= as_of)
        };
        let passed = |id: &str| progress.gates.get(id).is_some_and(|d| *d <= as_of);
        let mut tasks = Vec::new();
        let mut stages = Vec::new();
        let mut blocking: Vec<BlockingGate> = Vec::new();
        let mut open_gates: Vec<usize> = Vec::new();
        for stage in &self.stages {
            let mut n_done = 0;
            for t in &stage.tasks {
                let mut waiting_on: Vec<String> =
                    t.depends_on.iter().filter(|d| !done(d)).cloned().collect();
                for &g in &open_gates {
                    if let Some(gate) = blocking.get(g) {
                        waiting_on.push(format!("gate:{}", gate.gate));
                    }
                }
                let p = progress.tasks.get(&t.id).copied().unwrap_or_default();
                let state = if done(&t.id) {
                    n_done += 1;
                    TaskState::Done
                } else if t.due < as_of {
                    TaskState::Overdue
                } else if t.start <= as_of && !waiting_on.is_empty() {
                    TaskState::Blocked
                } else if p.started.is_some_and(|s| s <= as_of) {
                    TaskState::InProgress
                } else {
                    TaskState::NotStarted
                };
                if state != TaskState::Done && t.start <= as_of {
                    for &g in &open_gates {
                        if let Some(gate) = blocking.get_mut(g) {
                            gate.blocked_tasks.push(t.id.clone());
                        }
                    }
                }
                tasks.push(TaskStatus {
                    id: t.id.clone(),
                    stage: stage.id.clone(),
                    owner: t.owner.clone(),
                    due: t.due,
                    state,
                    waiting_on,
                });
            }
            let total = stage.tasks.len();
            stages.push(StageCompletion {
                stage: stage.id.clone(),
                done: n_done,
                total,
                fraction: if total == 0 {
                    1.0
                } else {
                    n_done as f64 / total as f64
                },
            });
            if let Some(g) = &stage.gate
                && !passed(&g.id)
            {
                open_gates.push(blocking.len());
                blocking.push(BlockingGate {
                    gate: g.id.clone(),
                    stage: stage.id.clone(),
                    approvers: g.approvers.clone(),
                    blocked_tasks: Vec::new(),
                    overdue: g.date.is_some_and(|d| d < as_of),
                });
            }
        }
        blocking.retain(|g| !g.blocked_tasks.is_empty() || g.overdue);
        Ok(StatusReport {
            as_of,
            tasks,
            stages,
            blocking_gates: blocking,
        })
    }
}
