//! The template model: what a process is made of, as plain serde data.
//!
//! A template is read from TOML, YAML or JSON ([`Template::from_str_as`], [`Template::from_path`]).
//! Unknown fields are rejected so that a typo such as `depends-on` is an error rather than a
//! silently ignored line. Each stage, task and gate remembers the file and path it was read
//! from, so validation errors point at the right place even after composition merged several
//! files.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ProcessError;

/// The serialization format of a template or data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// TOML.
    Toml,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// The format named by a file's extension (`.toml`, `.yaml`, `.yml`, `.json`).
    ///
    /// # Errors
    /// [`ProcessError::UnknownFormat`] for any other extension.
    pub fn from_path(path: &Path) -> Result<Format, ProcessError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Ok(Format::Toml),
            Some("yaml" | "yml") => Ok(Format::Yaml),
            Some("json") => Ok(Format::Json),
            _ => Err(ProcessError::UnknownFormat(path.display().to_string())),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Yaml => "YAML",
            Format::Json => "JSON",
        }
    }
}

/// Parses any serde type from text in the given format, naming `file` in errors.
pub(crate) fn parse_as<T: serde::de::DeserializeOwned>(
    text: &str,
    format: Format,
    file: &str,
) -> Result<T, ProcessError> {
    let err = |message: String| ProcessError::Parse {
        file: file.to_owned(),
        format: format.name(),
        message,
    };
    match format {
        Format::Toml => toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_owned())),
        Format::Yaml => serde_norway::from_str(text).map_err(|e| err(e.to_string())),
        Format::Json => serde_json::from_str(text).map_err(|e| err(e.to_string())),
    }
}

/// Where an element of a template was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// File or source name.
    pub file: String,
    /// Path inside the file, such as `stages[1].tasks[0]`.
    pub path: String,
}

/// A process template: parameters, roles, stages of tasks with gates, and a communication plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Identifier used by `extends`, `include` and the library, such as `launch-tier-1`.
    pub id: String,
    /// The template's own version, so a plan records which revision it came from.
    pub version: String,
    /// Human-readable name.
    pub name: String,
    /// What the process is for.
    #[serde(default)]
    pub description: String,
    /// A template this one extends: its content is the base, this template's content is merged
    /// on top (same-id tasks replace, new ones are appended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Templates whose roles, parameters, stages and comms are merged in, in order, after the
    /// base and before this template's own content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Task ids of the base to drop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// Parameters bound at instantiation.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// Roles that tasks, gates and comms refer to.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Stages in order.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// The communication plan.
    #[serde(default)]
    pub comms: Vec<CommPlan>,
    /// The file this template was read from (set by the loaders).
    #[serde(skip)]
    pub source: String,
}

/// The kind of a template parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ParamKind {
    /// Free text, such as a product name.
    Text,
    /// An integer, such as a launch tier.
    Int,
    /// True or false.
    Bool,
    /// One of `allowed`.
    Enum,
    /// A list of text values, such as regions.
    List,
    /// An ISO date (`2026-03-02`).
    Date,
}

impl ParamKind {
    /// "an integer", "a list", … for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ParamKind::Text => "text",
            ParamKind::Int => "an integer",
            ParamKind::Bool => "true or false",
            ParamKind::Enum => "one of the allowed values",
            ParamKind::List => "a list",
            ParamKind::Date => "a date (YYYY-MM-DD)",
        }
    }
}

/// A value bound to a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Text (also enums and dates).
    Text(String),
    /// A list of text values.
    List(Vec<String>),
}

impl ParamValue {
    /// Whether this value fits the kind (an enum or a date is text).
    pub fn fits(&self, kind: ParamKind) -> bool {
        match (self, kind) {
            (ParamValue::Bool(_), ParamKind::Bool)
            | (ParamValue::Int(_), ParamKind::Int)
            | (ParamValue::Text(_), ParamKind::Text | ParamKind::Enum)
            | (ParamValue::List(_), ParamKind::List) => true,
            (ParamValue::Text(s), ParamKind::Date) => {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
            }
            _ => false,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Text(s) => f.write_str(s),
            ParamValue::List(l) => f.write_str(&l.join(", ")),
        }
    }
}

impl From<i64> for ParamValue {
    fn from(v: i64) -> Self {
        ParamValue::Int(v)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}
impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue::Text(v.to_owned())
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        ParamValue::Text(v)
    }
}
impl From<Vec<String>> for ParamValue {
    fn from(v: Vec<String>) -> Self {
        ParamValue::List(v)
    }
}
impl From<&[&str]> for ParamValue {
    fn from(v: &[&str]) -> Self {
        ParamValue::List(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

/// A template parameter, such as the launch tier or the product name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Name used in conditions (`when = "tier <= 2"`) and placeholders (`{product}`).
    pub name: String,
    /// The kind of value.
    pub kind: ParamKind,
    /// Value used when none is bound; a parameter without a default must be bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<ParamValue>,
    /// The allowed values (for enums; for ints and lists, when non-empty, a restriction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<ParamValue>,
    /// What the parameter means.
    #[serde(default)]
    pub description: String,
}

/// A role that owns, approves or is told about work, such as `pm` or `eng-lead`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Identifier referred to from RACI lists, gates and comms.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the role does in this process.
    #[serde(default)]
    pub description: String,
}

/// A stage: tasks and an optional exit gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Tasks of the stage.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// The gate that must pass before work of later stages proceeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// Where the stage was read from.
    #[serde(skip)]
    pub origin: Origin,
}

/// Responsible, accountable, consulted and informed roles of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raci {
    /// Roles doing the work; the first is the task's owner.
    #[serde(default)]
    pub responsible: Vec<String>,
    /// The single role answerable for the outcome.
    #[serde(default)]
    pub accountable: String,
    /// Roles asked for input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consulted: Vec<String>,
    /// Roles told of the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub informed: Vec<String>,
}

fn one() -> u32 {
    1
}

/// A task of a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Identifier, unique across the template.
    pub id: String,
    /// Display name; `{param}` placeholders are replaced by parameter values.
    pub name: String,
    /// What to do; placeholders as in `name`.
    #[serde(default)]
    pub description: String,
    /// Who does what.
    pub raci: Raci,
    /// Tasks that must be done before this one starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// When the task is due, relative to the anchor or to another task. Without it the task
    /// starts on the working day after its last dependency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Offset>,
    /// Working days of work, ending on the due date (0 for a milestone).
    #[serde(default = "one")]
    pub duration: u32,
    /// Artifacts the task produces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    /// A condition on the parameters (`tier <= 2`, `"EU" in regions`); the task exists only when
    /// it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Where the task was read from.
    #[serde(skip)]
    pub origin: Origin,
}

/// A gate: criteria that must hold and the roles that approve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// Identifier.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// What must be true to pass.
    #[serde(default)]
    pub criteria: Vec<String>,
    /// Roles that sign off; at least one.
    #[serde(default)]
    pub approvers: Vec<String>,
}

/// The kind of an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ArtifactKind {
    /// A document.
    Doc,
    /// A checklist.
    Checklist,
    /// A link to something that exists elsewhere.
    Link,
    /// Release notes.
    ReleaseNotes,
    /// Frequently asked questions.
    Faq,
    /// Training material.
    Training,
    /// A brief with named fields to fill (such as an experiment pre-registration).
    Brief,
    /// A report.
    Report,
}

fn yes() -> bool {
    true
}

/// Something a task produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// Identifier, unique within the task.
    pub id: String,
    /// Kind.
    pub kind: ArtifactKind,
    /// Whether the task is done only with this artifact.
    #[serde(default = "yes")]
    pub required: bool,
    /// What it contains.
    #[serde(default)]
    pub description: String,
    /// Named fields to fill (for briefs), such as `hypothesis` or `sample_size_per_arm`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// How often a message goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Cadence {
    /// Once, on `at`.
    Once,
    /// Every working day from `at` to `until`.
    Daily,
    /// Every 7 days.
    Weekly,
    /// Every 14 days.
    Biweekly,
    /// Every 28 days (a four-week rhythm keeps the weekday).
    Monthly,
}

/// One line of the communication plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommPlan {
    /// Identifier.
    pub id: String,
    /// Who hears it, such as "customers on the beta" or "sales".
    pub audience: String,
    /// Where, such as "email", "#launch Slack channel", "in-app".
    pub channel: String,
    /// How often.
    pub cadence: Cadence,
    /// First send (default: the anchor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Offset>,
    /// Last send for recurring messages (default: `at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Offset>,
    /// The role that sends it.
    pub owner: String,
    /// What it says; placeholders as in task names.
    #[serde(default)]
    pub message: String,
    /// A condition on the parameters, as for tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Where the line was read from.
    #[serde(skip)]
    pub origin: Origin,
}

/// What an offset counts from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The plan's anchor date (launch day, review date), written `T`.
    Start,
    /// Another task's due date, written with the task id.
    Task(String),
}

/// Business days skip weekends and holidays; calendar days do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayUnit {
    /// Working days of the plan's calendar (`bd`).
    Business,
    /// Calendar days (`cd`).
    Calendar,
}

/// A due date relative to the anchor or to another task, such as `T-10bd` (ten business days
/// before the anchor), `T+3cd` or `beta-exit+2bd`.
///
/// The text form is `ANCHOR[(+|-)DAYS[bd|cd]]`; `T` is the anchor date, anything else a task id;
/// the unit defaults to business days. A table form `{ from = "T", days = -10, unit = "business" }`
/// is accepted as well. Offsets serialize to the text form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "OffsetRepr", into = "String")]
pub struct Offset {
    /// What the days count from.
    pub from: Anchor,
    /// Signed days: negative is before (T-minus), positive after (T-plus).
    pub days: i32,
    /// Business or calendar days.
    pub unit: DayUnit,
}

/// Offsets beyond ten years are rejected as typos.
pub(crate) const MAX_OFFSET_DAYS: i32 = 3660;

impl Offset {
    /// `days` business days from the anchor.
    pub fn business(days: i32) -> Offset {
        Offset {
            from: Anchor::Start,
            days,
            unit: DayUnit::Business,
        }
    }

    /// `days` calendar days from the anchor.
    pub fn calendar(days: i32) -> Offset {
        Offset {
            from: Anchor::Start,
            days,
            unit: DayUnit::Calendar,
        }
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.from {
            Anchor::Start => f.write_str("T")?,
            Anchor::Task(t) => f.write_str(t)?,
        }
        let unit = match self.unit {
            DayUnit::Business => "bd",
            DayUnit::Calendar => "cd",
        };
        write!(f, "{:+}{unit}", self.days)
    }
}

impl From<Offset> for String {
    fn from(o: Offset) -> String {
        o.to_string()
    }
}

impl FromStr for Offset {
    type Err = String;

    fn from_str(s: &str) -> Result<Offset, String> {
        let s = s.trim();
        let (rest, unit) = if let Some(r) = s.strip_suffix("bd") {
            (r, Some(DayUnit::Business))
        } else if let Some(r) = s.strip_suffix("cd") {
            (r, Some(DayUnit::Calendar))
        } else if let Some(r) = s.strip_suffix('d') {
            (r, Some(DayUnit::Business))
        } else {
            (s, None)
        };
        let digits_start = rest
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit())
            .last()
            .map(|(i, _)| i);
        // The sign is the ASCII character just before the digits; checking with `ends_with`
        // keeps multi-byte characters in task ids from being sliced.
        let signed = digits_start.and_then(|i| {
            let head = &rest[..i];
            let negative = head.ends_with('-');
            (negative || head.ends_with('+')).then_some((i, negative))
        });
        let (anchor, days) = match signed {
            Some((i, negative)) => {
                let n: i32 = rest[i..]
                    .parse()
                    .map_err(|_| format!("offset `{s}`: day count is too large"))?;
                (&rest[..i - 1], if negative { -n } else { n })
            }
            _ if unit.is_some() => {
                return Err(format!(
                    "offset `{s}`: expected ANCHOR(+|-)DAYS(bd|cd), such as `T-10bd`"
                ));
            }
            _ => (rest, 0),
        };
        if anchor.is_empty() {
            return Err(format!(
                "offset `{s}`: missing anchor (`T` or a task id) before the sign"
            ));
        }
        if days.abs() > MAX_OFFSET_DAYS {
            return Err(format!("offset `{s}`: more than {MAX_OFFSET_DAYS} days"));
        }
        let from = if anchor == "T" {
            Anchor::Start
        } else {
            Anchor::Task(anchor.to_owned())
        };
        Ok(Offset {
            from,
            days,
            unit: unit.unwrap_or(DayUnit::Business),
        })
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OffsetRepr {
    Text(String),
    Parts {
        #[serde(default)]
        from: Option<String>,
        days: i32,
        #[serde(default)]
        unit: Option<DayUnit>,
    },
}

impl TryFrom<OffsetRepr> for Offset {
    type Error = String;

    fn try_from(r: OffsetRepr) -> Result<Offset, String> {
        match r {
            OffsetRepr::Text(s) => s.parse(),
            OffsetRepr::Parts { from, days, unit } => {
                if days.abs() > MAX_OFFSET_DAYS {
                    return Err(format!(
                        "offset of {days} days: more than {MAX_OFFSET_DAYS}"
                    ));
                }
                let from = match from.as_deref() {
                    None | Some("T") => Anchor::Start,
                    Some(t) => Anchor::Task(t.to_owned()),
                };
                Ok(Offset {
                    from,
                    days,
                    unit: unit.unwrap_or(DayUnit::Business),
                })
            }
        }
    }
}

impl Template {
    /// Parses a template from text, naming `file` in errors and in the origins of its elements.
    ///
    /// # Errors
    /// [`ProcessError::Parse`] with the parser's message (which carries line and column).
    ///
    /// # Examples
    /// ```
    /// use prodops_process::{Format, Template};
    /// let t = Template::from_str_as(r#"
    /// id = "mini"
    /// version = "1"
    /// name = "Mini"
    /// roles = [{ id = "pm", name = "Product manager" }]
    /// [[stages]]
    /// id = "ship"
    /// name = "Ship"
    /// tasks = [{ id = "notes", name = "Write notes", due = "T-2bd", raci = { responsible = ["pm"], accountable = "pm" } }]
    /// "#, Format::Toml, "mini.toml")?;
    /// assert_eq!(t.stages[0].tasks[0].due.as_ref().map(|o| o.days), Some(-2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_str_as(text: &str, format: Format, file: &str) -> Result<Template, ProcessError> {
        let mut t: Template = parse_as(text, format, file)?;
        t.set_origins(file);
        Ok(t)
    }

    /// Reads a template file; the format comes from the extension.
    ///
    /// # Errors
    /// [`ProcessError::Io`], [`ProcessError::UnknownFormat`] or [`ProcessError::Parse`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Template, ProcessError> {
        let path = path.as_ref();
        let format = Format::from_path(path)?;
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ProcessError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Template::from_str_as(&text, format, &file)
    }

    /// Writes the template in a format (origins are not part of the text).
    ///
    /// # Errors
    /// [`ProcessError::Parse`] if the serializer rejects a value (TOML cannot hold some shapes).
    pub fn to_string_as(&self, format: Format) -> Result<String, ProcessError> {
        let err = |message: String| ProcessError::Parse {
            file: self.source.clone(),
            format: format.name(),
            message,
        };
        match format {
            Format::Toml => toml::to_string(self).map_err(|e| err(e.to_string())),
            Format::Yaml => serde_norway::to_string(self).map_err(|e| err(e.to_string())),
            Format::Json => serde_json::to_string_pretty(self).map_err(|e| err(e.to_string())),
        }
    }

    /// Records `file` and each element's path, for error messages.
    pub(crate) fn set_origins(&mut self, file: &str) {
        self.source = file.to_owned();
        for (i, stage) in self.stages.iter_mut().enumerate() {
            stage.origin = Origin {
                file: file.to_owned(),
                path: format!("stages[{i}]"),
            };
            for (j, task) in stage.tasks.iter_mut().enumerate() {
                task.origin = Origin {
                    file: file.to_owned(),
                    path: format!("stages[{i}].tasks[{j}]"),
                };
            }
        }
        for (i, comm) in self.comms.iter_mut().enumerate() {
            comm.origin = Origin {
                file: file.to_owned(),
                path: format!("comms[{i}]"),
            };
        }
    }

    /// All tasks in stage order.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.stages.iter().flat_map(|s| s.tasks.iter())
    }
}
