//! `zyklus import jira|github|gitlab FILE [--dry-run]`: a tracker's export into
//! request files. The work is in [`crate::import`]; this reads the export and the
//! matched request files, validates the workspace with the writes laid over it,
//! writes them in one set, and reports what happened to each issue.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use super::{Outcome, Settings};
use crate::import::{self, Action, Existing, Tracker};
use crate::output::{self, Report};
use crate::ui::{Paint, Style};
use crate::workspace::fsio;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// A Jira CSV export (Issues → Export → CSV); mapping in [import.jira]
    Jira(Args),
    /// `gh issue list --json number,title,body,labels,milestone,createdAt,state,url` output; mapping in [import.github]
    Github(Args),
    /// GitLab's issues API JSON (GET /projects/:id/issues); mapping in [import.gitlab]
    Gitlab(Args),
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export file
    pub file: PathBuf,
    /// Show what would be created and updated; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs an `import` subcommand.
///
/// # Errors
/// An unreadable or malformed export, an invalid mapping, or an import that would
/// make the workspace invalid (then nothing is written).
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Jira(a) => import(Tracker::Jira, &a, s),
        Command::Github(a) => import(Tracker::Github, &a, s),
        Command::Gitlab(a) => import(Tracker::Gitlab, &a, s),
    }
}

fn import(tracker: Tracker, a: &Args, s: &Settings) -> Result<Outcome> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let _lock = if a.dry_run {
        None
    } else {
        Some(fsio::lock(&root)?)
    };
    let loaded = s.load()?;
    let ws = &loaded.workspace;

    let shown = a.file.display().to_string();
    let path = if a.file.is_absolute() {
        a.file.clone()
    } else {
        s.cwd.join(&a.file)
    };
    let bytes = std::fs::read(&path).with_context(|| format!("reading {shown}"))?;
    let records = tracker
        .parse(&bytes)
        .map_err(|e| parse_error(&shown, tracker, e))?;

    let mapping = ws.config.import.mapping(tracker).resolve(tracker);
    check_fields(&records, &mapping, &shown)?;
    let outcomes: Vec<import::Outcome> = records
        .iter()
        .map(|r| import::mapping::map(r, &mapping, &ws.config.workspace.languages))
        .collect();

    // The files of the requests this export matches, for editing.
    let wanted: std::collections::BTreeSet<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            import::Outcome::Draft(d) => Some(d.source.as_str()),
            import::Outcome::Skipped { source, .. } => source.as_deref(),
        })
        .collect();
    let mut texts = Vec::new();
    for r in ws.requests.values() {
        if let Some(src) = r.source.as_deref().filter(|s| wanted.contains(s)) {
            let p = ws.request_path(&r.id);
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("reading {}", ws.relative(&p).display()))?;
            texts.push((&r.id, src, text));
        }
    }
    let existing: Vec<Existing<'_>> = texts
        .iter()
        .map(|(id, source, text)| Existing { id, source, text })
        .collect();
    let plan = import::plan(
        ws.requests.keys().map(crate::model::Id::as_str),
        &existing,
        outcomes,
        &mapping.update,
    )?;

    let mut changes = fsio::Changes::new();
    for w in &plan.writes {
        changes.write(ws.request_path(&w.id), w.contents.clone());
    }
    if !changes.is_empty() {
        let after = loaded.check_changes(&changes).with_context(|| {
            format!("importing {shown} would make the workspace invalid; nothing was written")
        })?;
        // Warnings about the files this import writes (the others were printed).
        let ours: Vec<PathBuf> = changes
            .paths()
            .map(|p| ws.relative(p).to_path_buf())
            .collect();
        let new_warnings: Vec<_> = after
            .warnings
            .into_iter()
            .filter(|d| ours.contains(&d.file) && !loaded.warnings.contains(d))
            .collect();
        s.shell.warnings(&new_warnings);
    }
    if !a.dry_run && !changes.is_empty() {
        for p in changes.commit(&ws.root, s.fault)? {
            s.status(&format!("wrote {}", ws.relative(&p).display()));
        }
    }
    s.emit(&ImportReport::new(tracker, &shown, a.dry_run, &plan))?;
    Ok(Outcome::Success)
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
    fn new(tracker: Tracker, file: &str, dry_run: bool, plan: &import::Plan) -> Self {
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
        }
    }
}

impl Report for ImportReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        if self.items.is_empty() {
            writeln!(w, "{} holds no issues", self.file)?;
        } else {
            let mut t = output::table(["issue", "request", "action", "title", "detail"]);
            for i in &self.items {
                let detail = match (i.action, &i.reason) {
                    (_, Some(r)) if i.id.is_some() => {
                        format!("{r}; {} left as it is", i.id.as_deref().unwrap_or_default())
                    }
                    (_, Some(r)) => r.clone(),
                    (Action::Updated, None) => i.changed.join(", "),
                    _ => String::new(),
                };
                t.add_row(vec![
                    i.source.as_deref().map_or_else(
                        || match (i.line, i.index) {
                            (Some(l), _) => format!("(line {l})"),
                            (_, Some(n)) => format!("(issue {n})"),
                            _ => String::new(),
                        },
                        short_source,
                    ),
                    i.id.clone().unwrap_or_default(),
                    i.action.as_str().to_owned(),
                    i.title.clone().unwrap_or_default(),
                    detail,
                ]);
            }
            output::write_table(w, &t)?;
        }
        let summary = format!(
            "{} created, {} updated, {} unchanged, {} skipped",
            self.created, self.updated, self.unchanged, self.skipped
        );
        if self.dry_run {
            writeln!(
                w,
                "{summary} {}",
                paint.apply(Style::Dim, "(dry run: nothing written)")
            )
        } else {
            writeln!(w, "{summary}")
        }
    }
}

/// An issue URL as `owner/repo#12` (GitHub) or `group/project#12` (GitLab);
/// anything else (a Jira key) as it is.
fn short_source(source: &str) -> String {
    let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    else {
        return source.to_owned();
    };
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    let (project, number) = match path.rsplit_once("/issues/") {
        Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (p, n),
        _ => return source.to_owned(),
    };
    let project = project.strip_suffix("/-").unwrap_or(project);
    format!("{project}#{number}")
}

#[cfg(test)]
mod tests {
    use super::short_source;

    #[test]
    fn sources_shorten_to_project_and_number() {
        assert_eq!(
            short_source("https://github.com/acme/portal/issues/12"),
            "acme/portal#12"
        );
        assert_eq!(
            short_source("https://gitlab.example/group/sub/portal/-/issues/5"),
            "group/sub/portal#5"
        );
        assert_eq!(short_source("PP-101"), "PP-101");
        assert_eq!(
            short_source("https://example.com/browse/PP-1"),
            "https://example.com/browse/PP-1"
        );
    }
}
