//! The template library: built-in templates, user templates, and composition
//! (`extends` / `include`).
//!
//! Composition order for a template `t`: start from the resolved `extends` parent (or empty),
//! merge each resolved `include` in order, then merge `t`'s own content, then drop the task ids
//! in `remove`. Merging is by id: a role, parameter, comm or task with an id already present
//! replaces it in place; a stage with an id already present keeps its place, takes the newer
//! name and gate when given, and merges its tasks the same way; anything new is appended.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Diagnostic, ProcessError, ValidationErrors};
use crate::suggest::did_you_mean;
use crate::template::{Format, Stage, Template};

/// The built-in templates: (file name, text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "standard-roles.toml",
        include_str!("../templates/standard-roles.toml"),
    ),
    (
        "product-launch.toml",
        include_str!("../templates/product-launch.toml"),
    ),
    (
        "launch-tier-1.toml",
        include_str!("../templates/launch-tier-1.toml"),
    ),
    (
        "launch-tier-2.toml",
        include_str!("../templates/launch-tier-2.toml"),
    ),
    (
        "launch-tier-3.toml",
        include_str!("../templates/launch-tier-3.toml"),
    ),
    (
        "beta-program.yaml",
        include_str!("../templates/beta-program.yaml"),
    ),
    (
        "ga-release.toml",
        include_str!("../templates/ga-release.toml"),
    ),
    (
        "experiment-brief.toml",
        include_str!("../templates/experiment-brief.toml"),
    ),
    (
        "quarterly-feedback-review.yaml",
        include_str!("../templates/quarterly-feedback-review.yaml"),
    ),
    (
        "feature-prioritization.json",
        include_str!("../templates/feature-prioritization.json"),
    ),
    (
        "new-market-launch.toml",
        include_str!("../templates/new-market-launch.toml"),
    ),
];

/// A set of templates by id, able to resolve composition.
#[derive(Debug, Clone, Default)]
pub struct Library {
    templates: BTreeMap<String, Template>,
}

impl Library {
    /// An empty library.
    pub fn new() -> Library {
        Library::default()
    }

    /// The built-in templates (see the crate docs for the list).
    ///
    /// # Errors
    /// Only if a shipped file fails to parse, which the crate's tests rule out.
    ///
    /// # Examples
    /// ```
    /// let lib = prodops_process::Library::builtin()?;
    /// assert!(lib.ids().any(|id| id == "launch-tier-1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builtin() -> Result<Library, ProcessError> {
        let mut lib = Library::new();
        for (file, text) in BUILTIN {
            let format = Format::from_path(Path::new(file))?;
            lib.add(Template::from_str_as(
                text,
                format,
                &format!("builtin:{file}"),
            )?)?;
        }
        Ok(lib)
    }

    /// The built-in template files as (file name, text), for users who want to copy one.
    pub fn builtin_sources() -> &'static [(&'static str, &'static str)] {
        BUILTIN
    }

    /// Adds a template.
    ///
    /// # Errors
    /// [`ProcessError::DuplicateTemplate`] if its id is taken.
    pub fn add(&mut self, template: Template) -> Result<(), ProcessError> {
        if self.templates.contains_key(&template.id) {
            return Err(ProcessError::DuplicateTemplate(template.id));
        }
        self.templates.insert(template.id.clone(), template);
        Ok(())
    }

    /// Reads a template file and adds it.
    ///
    /// # Errors
    /// As [`Template::from_path`] and [`Library::add`].
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> Result<(), ProcessError> {
        self.add(Template::from_path(path)?)
    }

    /// Adds every `.toml`, `.yaml`, `.yml` and `.json` file of a directory (not recursive), in
    /// file-name order.
    ///
    /// # Errors
    /// As [`Library::add_file`], for the first file that fails.
    pub fn add_dir(&mut self, dir: impl AsRef<Path>) -> Result<usize, ProcessError> {
        let dir = dir.as_ref();
        let io = |e: std::io::Error| ProcessError::Io {
            file: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| Format::from_path(p).is_ok())
            .collect();
        paths.sort();
        for p in &paths {
            self.add_file(p)?;
        }
        Ok(paths.len())
    }

    /// Template ids in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    /// The template as written (before composition).
    pub fn get(&self, id: &str) -> Option<&Template> {
        self.templates.get(id)
    }

    fn unknown(&self, id: &str) -> ProcessError {
        ProcessError::UnknownTemplate {
            id: id.to_owned(),
            suggestion: did_you_mean(id, self.ids()),
        }
    }

    /// The template with its `extends` and `include` applied, validated.
    ///
    /// # Errors
    /// [`ProcessError::UnknownTemplate`] for an unknown id; [`ProcessError::Invalid`] with every
    /// composition and validation problem (including an `extends`/`include` cycle).
    pub fn resolve(&self, id: &str) -> Result<Template, ProcessError> {
        let t = self.get(id).ok_or_else(|| self.unknown(id))?;
        let resolved = self.compose(t)?;
        crate::validate::validate(&resolved)?;
        Ok(resolved)
    }

    /// Applies composition to a template that need not be in the library (its parents must be).
    ///
    /// # Errors
    /// [`ProcessError::Invalid`] naming an unknown parent or a composition cycle.
    pub fn compose(&self, template: &Template) -> Result<Template, ProcessError> {
        let mut chain = Vec::new();
        self.compose_inner(template, &mut chain)
    }

    fn compose_inner(
        &self,
        t: &Template,
        chain: &mut Vec<String>,
    ) -> Result<Template, ProcessError> {
        if chain.contains(&t.id) {
            let mut cycle = chain.clone();
            cycle.push(t.id.clone());
            let start = cycle.iter().position(|x| *x == t.id).unwrap_or(0);
            return Err(invalid(Diagnostic::new(
                &t.source,
                "extends",
                format!(
                    "templates compose in a cycle: {}",
                    cycle[start..].join(" → ")
                ),
            )));
        }
        chain.push(t.id.clone());
        let mut base = match &t.extends {
            Some(parent) => {
                let p = self.get(parent).ok_or_else(|| {
                    invalid(
                        Diagnostic::new(
                            &t.source,
                            "extends",
                            format!("unknown template `{parent}`"),
                        )
                        .suggest(did_you_mean(parent, self.ids())),
                    )
                })?;
                self.compose_inner(p, chain)?
            }
            None => empty_like(t),
        };
        for (i, inc) in t.include.iter().enumerate() {
            let p = self.get(inc).ok_or_else(|| {
                invalid(
                    Diagnostic::new(
                        &t.source,
                        format!("include[{i}]"),
                        format!("unknown template `{inc}`"),
                    )
                    .suggest(did_you_mean(inc, self.ids())),
                )
            })?;
            let included = self.compose_inner(p, chain)?;
            merge(&mut base, included);
        }
        chain.pop();
        let mut own = t.clone();
        own.include.clear();
        merge(&mut base, own);
        let removed = &t.remove;
        let mut missing = Vec::new();
        for (i, r) in removed.iter().enumerate() {
            if !base.tasks().any(|task| &task.id == r) {
                missing.push(
                    Diagnostic::new(
                        &t.source,
                        format!("remove[{i}]"),
                        format!("no task `{r}` to remove"),
                    )
                    .suggest(did_you_mean(r, base.tasks().map(|x| x.id.as_str()))),
                );
            }
        }
        if !missing.is_empty() {
            return Err(ProcessError::Invalid(ValidationErrors {
                diagnostics: missing,
            }));
        }
        for stage in &mut base.stages {
            stage.tasks.retain(|task| !removed.contains(&task.id));
        }
        base.id = t.id.clone();
        base.version = t.version.clone();
        base.name = t.name.clone();
        base.description = t.description.clone();
        base.source = t.source.clone();
        base.extends = None;
        base.include.clear();
        base.remove.clear();
        Ok(base)
    }
}

fn invalid(d: Diagnostic) -> ProcessError {
    ProcessError::Invalid(ValidationErrors {
        diagnostics: vec![d],
    })
}

fn empty_like(t: &Template) -> Template {
    Template {
        id: t.id.clone(),
        version: t.version.clone(),
        name: t.name.clone(),
        description: String::new(),
        extends: None,
        include: Vec::new(),
        remove: Vec::new(),
        parameters: Vec::new(),
        roles: Vec::new(),
        stages: Vec::new(),
        comms: Vec::new(),
        source: t.source.clone(),
    }
}

fn merge_by<T>(base: &mut Vec<T>, add: Vec<T>, key: impl Fn(&T) -> &str) {
    for item in add {
        match base.iter().position(|b| key(b) == key(&item)) {
            Some(i) => base[i] = item,
            None => base.push(item),
        }
    }
}

fn merge(base: &mut Template, add: Template) {
    merge_by(&mut base.parameters, add.parameters, |p| &p.name);
    merge_by(&mut base.roles, add.roles, |r| &r.id);
    merge_by(&mut base.comms, add.comms, |c| &c.id);
    for stage in add.stages {
        let idx = match base.stages.iter().position(|s| s.id == stage.id) {
            Some(i) => {
                let existing = &mut base.stages[i];
                if !stage.name.is_empty() {
                    existing.name = stage.name;
                }
                if stage.gate.is_some() {
                    existing.gate = stage.gate;
                }
                existing.origin = stage.origin;
                i
            }
            None => {
                base.stages.push(Stage {
                    tasks: Vec::new(),
                    ..stage.clone()
                });
                base.stages.len() - 1
            }
        };
        for task in stage.tasks {
            if let Some(pos) = base.stages[idx].tasks.iter().position(|t| t.id == task.id) {
                base.stages[idx].tasks[pos] = task;
                continue;
            }
            // A task the child places in another stage moves there.
            for other in &mut base.stages {
                other.tasks.retain(|t| t.id != task.id);
            }
            base.stages[idx].tasks.push(task);
        }
    }
}
