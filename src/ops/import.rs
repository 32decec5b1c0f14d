//! `import jira|github|gitlab FILE`: a tracker's export into request files. The
//! parsing, mapping and merging are [`crate::import`]'s; this reads the export,
//! hands it the matched requests' files as the transaction holds them, and stages
//! the new and changed files on the transaction — so an import is validated with
//! the whole workspace and written all or nothing, and an updated file keeps its
//! byte-order mark and line endings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::error::Diagnostic;
use crate::import::{self, Action, Existing, Tracker};
use crate::model::Id;
use crate::workspace::fsio::Changes;
use crate::workspace::{Loaded, Transaction, Workspace, REQUESTS_DIR};

/// Reads an export file (outside the workspace); `shown` names it in messages.
///
/// # Errors
/// When it cannot be read.
pub fn read_export(path: &Path, shown: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {shown}"))
}

/// An export parsed and mapped against a workspace, waiting for the texts of
/// the requests it matches.
pub struct Prepared {
    outcomes: Vec<import::Outcome>,
    /// The requests the export matches: id and `source`.
    pub matched: Vec<(Id, String)>,
    ids: Vec<String>,
    update: BTreeSet<import::Owned>,
}

/// Parses `bytes` as an export of `tracker` and maps it with the workspace's
/// `[import.<tracker>]`.
///
/// # Errors
/// A malformed export, or one without the mapped key or title field.
pub fn prepare(ws: &Workspace, tracker: Tracker, bytes: &[u8], shown: &str) -> Result<Prepared> {
    let records = tracker
        .parse(bytes)
        .map_err(|e| parse_error(shown, tracker, e))?;
    let mapping = ws.config.import.mapping(tracker).resolve(tracker);
    check_fields(&records, &mapping, shown)?;
    let outcomes: Vec<import::Outcome> = records
        .iter()
        .map(|r| import::mapping::map(r, &mapping, &ws.config.workspace.languages))
        .collect();
    let wanted: BTreeSet<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            import::Outcome::Draft(d) => Some(d.source.as_str()),
            import::Outcome::Skipped { source, .. } => source.as_deref(),
        })
        .collect();
    let matched: Vec<(Id, String)> = ws
        .requests
        .values()
        .filter_map(|r| {
            let src = r.source.as_deref().filter(|s| wanted.contains(s))?;
            Some((r.id.clone(), src.to_owned()))
        })
        .collect();
    Ok(Prepared {
        outcomes,
        matched,
        ids: ws.requests.keys().map(ToString::to_string).collect(),
        update: mapping.update,
    })
}

impl Prepared {
    /// What to create and update, given the texts of the matched requests (in
    /// the order of [`Prepared::matched`]).
    ///
    /// # Errors
    /// When a matched request's text is not TOML.
    pub fn plan(self, texts: &[String]) -> Result<import::Plan> {
        let existing: Vec<Existing<'_>> = self
            .matched
            .iter()
            .zip(texts)
            .map(|((id, source), text)| Existing { id, source, text })
            .collect();
        Ok(import::plan(
            self.ids.iter().map(String::as_str),
            &existing,
            self.outcomes,
            &self.update,
        )?)
    }
}

/// Parses and maps the export, and stages the creates and updates on `tx`.
///
/// # Errors
/// As [`prepare`]; a request file that cannot be edited.
pub fn stage(
    tx: &mut Transaction,
    tracker: Tracker,
    bytes: &[u8],
    shown: &str,
) -> Result<ImportReport> {
    let prepared = prepare(tx.workspace(), tracker, bytes, shown)?;
    let mut texts = Vec::with_capacity(prepared.matched.len());
    for (id, _) in &prepared.matched {
        texts.push(tx.request(id)?.0.doc.to_string());
    }
    let plan = prepared.plan(&texts)?;
    let mut files = Vec::new();
    for w in &plan.writes {
        let rel = Path::new(REQUESTS_DIR).join(format!("{}.toml", w.id));
        if w.created {
            tx.create(&rel, &w.contents)?;
        } else {
            let doc = tx.request(&w.id)?;
            doc.0.doc = w
                .contents
                .parse()
                .with_context(|| format!("editing {}", rel.display()))?;
        }
        files.push(rel);
    }
    let mut report = ImportReport::new(tracker, shown, false, &plan);
    report.files = files;
    Ok(report)
}

/// `--dry-run`: what the import would do, validated with the whole workspace as
/// it would be after it, without taking the lock or writing anything. Returns the
/// report and the new warnings about the files it would write.
///
/// # Errors
/// As [`stage`]; [`crate::error::Invalid`] when the result would be invalid.
pub fn dry_run(
    loaded: &Loaded,
    tracker: Tracker,
    bytes: &[u8],
    shown: &str,
) -> Result<(ImportReport, Vec<Diagnostic>)> {
    let ws = &loaded.workspace;
    let prepared = prepare(ws, tracker, bytes, shown)?;
    let mut texts = Vec::with_capacity(prepared.matched.len());
    for (id, _) in &prepared.matched {
        let bytes = std::fs::read(ws.request_path(id))
            .with_context(|| format!("reading {}", ws.relative(&ws.request_path(id)).display()))?;
        let doc = crate::workspace::doc::TomlDoc::parse(ws.request_path(id), bytes)?;
        texts.push(doc.doc.to_string());
    }
    let plan = prepared.plan(&texts)?;
    let mut changes = Changes::new();
    let mut files = Vec::new();
    for w in &plan.writes {
        let rel = Path::new(REQUESTS_DIR).join(format!("{}.toml", w.id));
        changes.write(ws.root.join(&rel), w.contents.clone());
        files.push(rel);
    }
    let mut warnings = Vec::new();
    if !changes.is_empty() {
        let after = loaded.check_changes(&changes).with_context(|| {
            format!("importing {shown} would make the workspace invalid; nothing was written")
        })?;
        warnings = after
            .warnings
            .into_iter()
            .filter(|d| files.contains(&d.file) && !loaded.warnings.contains(d))
            .collect();
    }
    let mut report = ImportReport::new(tracker, shown, true, &plan);
    report.files = files;
    Ok((report, warnings))
}

fn parse_error(file: &str, tracker: Tracker, e: import::ParseError) -> anyhow::Error {
    let place = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_owned(),
    };
    crate::error::refused(
        format!("{place}: {} (zyklus import {tracker})", e.message),
        e.hint,
    )
}

/// An export where no issue has the key or title field is another kind of file,
/// or a mapping that names the wrong fields: an error, not a skip per issue.
fn check_fields(records: &[import::Record], m: &import::Resolved, file: &str) -> Result<()> {
    let Some(first) = records.first() else {
        return Ok(());
    };
    for (what, field) in [("source", &m.source), ("title", &m.title)] {
        if !records.iter().any(|r| r.has_field(field)) {
            let fields: Vec<&str> = first.field_names().take(12).collect();
            return Err(crate::error::refused(
                format!(
                    "{file} has no field `{field}` (the issues' {what} for `zyklus import {t}`); its fields are: {}",
                    fields.join(", "),
                    t = m.tracker
                ),
                format!(
                    "check that it is a {} export, or name the field in zyklus.toml: [import.{t}] {what} = \"…\"",
                    m.tracker.name(),
                    t = m.tracker
                ),
            ));
        }
    }
    Ok(())
}

/// The report of an import: `{"tracker", "file", "dry_run", "created", "updated",
/// "unchanged", "skipped", "items": [{"source", "id", "action", "title",
/// "changed", "reason", "reason_code", "line" | "index"}]}`.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub tracker: Tracker,
    pub file: String,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub items: Vec<ItemView>,
    /// The request files staged, relative to the workspace.
    #[serde(skip)]
    pub files: Vec<PathBuf>,
}

/// One issue in the report.
#[derive(Debug, Serialize)]
pub struct ItemView {
    pub source: Option<String>,
    pub id: Option<String>,
    pub action: Action,
    pub title: Option<String>,
    /// Keys written (a new request's keys, or the keys an update changed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<&'static str>,
    /// The CSV line the issue starts on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The position in a JSON array (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl ImportReport {
    pub fn new(tracker: Tracker, file: &str, dry_run: bool, plan: &import::Plan) -> Self {
        let items = plan
            .items
            .iter()
            .map(|i| ItemView {
                source: i.source.clone(),
                id: i.id.as_ref().map(ToString::to_string),
                action: i.action,
                title: i.title.clone(),
                changed: if i.action == Action::Updated {
                    i.changed.clone()
                } else {
                    Vec::new()
                },
                reason: i.reason.as_ref().map(ToString::to_string),
                reason_code: i.reason.as_ref().map(import::Skip::code),
                line: match i.at {
                    import::Position::Line(l) => Some(l),
                    _ => None,
                },
                index: match i.at {
                    import::Position::Index(n) => Some(n),
                    _ => None,
                },
            })
            .collect();
        Self {
            tracker,
            file: file.to_owned(),
            dry_run,
            created: plan.count(Action::Created),
            updated: plan.count(Action::Updated),
            unchanged: plan.count(Action::Unchanged),
            skipped: plan.count(Action::Skipped),
            items,
            files: Vec::new(),
        }
    }
}
