//! `zyklus release list|show|add|remove`: the status board of a year's releases and
//! changes to a frozen scope. Also the shared editing of `releases/<ID>.toml` with
//! toml_edit (history and findings appended as `[[history]]`/`[[finding]]` tables,
//! comments kept), used by `gate`, `finding` and `hotfix`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::Serialize;
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table};

use super::{Outcome, Settings};
use crate::error::with_hint;
use crate::gates;
use crate::model::calendar;
use crate::model::dates::Timestamp;
use crate::model::release::HistoryEntry;
use crate::model::{Finding, Release, ReleaseId, Stage};
use crate::output::{self, Report};
use crate::ui::{Paint, Style};
use crate::workspace::{edit, fsio, Loaded, Workspace};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The status board: every release of a year with stage, dates, next gate, load
    List(ListArgs),
    /// One release: dates, scope, findings, history
    Show {
        /// The release id, e.g. 2027.1
        id: ReleaseId,
    },
    /// Add a request to a release's scope (recorded in its history)
    Add(ScopeArgs),
    /// Remove a request from a release's scope (recorded in its history)
    Remove(ScopeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The year (default: the year of the next release date)
    #[arg(long)]
    pub year: Option<i32>,
}

#[derive(Debug, clap::Args)]
pub struct ScopeArgs {
    /// The release id
    pub id: ReleaseId,
    /// The request id
    pub request: String,
    /// Why the scope changes (required once the scope is frozen)
    #[arg(long)]
    pub reason: Option<String>,
}

/// Runs a `release` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::List(a) => list(&a, s),
        Command::Show { id } => show(id, s),
        Command::Add(a) => change_scope(&a, true, s),
        Command::Remove(a) => change_scope(&a, false, s),
    }
}

// ---------------------------------------------------------------------------
// Editing release files

/// Takes the workspace lock, then loads: every mutating command starts here, so
/// what it decides on is what is on disk while it holds the lock.
///
/// # Errors
/// When there is no workspace, the lock is held too long, or the workspace is invalid.
pub(crate) fn lock_and_load(s: &Settings) -> Result<(fsio::Lock, Loaded)> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let lock = fsio::lock(&root)?;
    let loaded = s.load()?;
    Ok((lock, loaded))
}

/// A release file opened for editing.
pub(crate) struct ReleaseDoc {
    pub path: PathBuf,
    pub doc: DocumentMut,
}

impl ReleaseDoc {
    /// Opens `releases/<id>.toml`.
    ///
    /// # Errors
    /// When it cannot be read or parsed.
    pub fn open(ws: &Workspace, id: ReleaseId) -> Result<Self> {
        let path = ws.release_path(id);
        let src = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!(e).context(format!("reading {}", path.display())))?;
        let doc = edit::parse(&src, ws.relative(&path))?;
        Ok(Self { path, doc })
    }

    pub fn set(&mut self, key: &str, item: Item) {
        edit::set_item(&mut self.doc, key, item);
    }

    pub fn remove(&mut self, key: &str) {
        edit::remove(&mut self.doc, key);
    }

    /// Appends a table to an array of tables (`[[key]]`), or an inline table when
    /// the file writes `key = [ … ]` inline.
    fn push_table(&mut self, key: &str, table: Table) -> Result<()> {
        match self.doc.get_mut(key) {
            None => {
                let mut a = ArrayOfTables::new();
                a.push(table);
                self.doc[key] = Item::ArrayOfTables(a);
            }
            Some(Item::ArrayOfTables(a)) => a.push(table),
            Some(Item::Value(toml_edit::Value::Array(a))) => {
                a.push(table.into_inline_table());
            }
            Some(_) => {
                return Err(with_hint(
                    format!("`{key}` in {} is not a list of tables", self.path.display()),
                    format!("write each entry as a [[{key}]] table"),
                ))
            }
        }
        Ok(())
    }

    /// Appends a `[[history]]` entry.
    ///
    /// # Errors
    /// When `history` has an unexpected shape.
    pub fn push_history(&mut self, e: &HistoryEntry) -> Result<()> {
        let mut t = Table::new();
        t["from"] = value(e.from.as_str());
        t["to"] = value(e.to.as_str());
        t["at"] = edit::timestamp(e.at.0)?;
        t["by"] = value(e.by.clone());
        if !e.note.is_empty() {
            t["note"] = value(e.note.clone());
        }
        t["forced"] = value(e.forced);
        if !e.reason.is_empty() {
            t["reason"] = value(e.reason.clone());
        }
        if let Some(d) = &e.deployed {
            t["deployed"] = value(d.clone());
        }
        if let Some(d) = &e.signoff {
            t["signoff"] = value(d.clone());
        }
        if !e.added.is_empty() {
            t["added"] = edit::string_array(&e.added);
        }
        if !e.removed.is_empty() {
            t["removed"] = edit::string_array(&e.removed);
        }
        if !e.checks.is_empty() {
            let mut a = Array::new();
            for c in &e.checks {
                let mut it = InlineTable::new();
                it.insert("name", c.name.as_str().into());
                it.insert("passed", c.passed.into());
                it.insert("detail", c.detail.as_str().into());
                a.push(it);
            }
            for v in a.iter_mut() {
                v.decor_mut().set_prefix("\n  ");
            }
            a.set_trailing_comma(true);
            a.set_trailing("\n");
            t["checks"] = value(a);
        }
        self.push_table("history", t)
    }

    /// Appends a `[[finding]]`.
    ///
    /// # Errors
    /// When `finding` has an unexpected shape.
    pub fn push_finding(&mut self, f: &Finding) -> Result<()> {
        let mut t = Table::new();
        t["number"] = value(i64::from(f.number));
        t["severity"] = value(f.severity.as_str());
        t["text"] = value(f.text.clone());
        t["raised_at"] = edit::timestamp(f.raised_at.0)?;
        if let Some(r) = &f.request {
            t["request"] = value(r.clone());
        }
        self.push_table("finding", t)
    }

    /// Sets `resolved_at` on finding `number`; false when there is none.
    ///
    /// # Errors
    /// When the timestamp cannot be formatted.
    pub fn resolve_finding(&mut self, number: u32, at: DateTime<FixedOffset>) -> Result<bool> {
        let stamp = edit::timestamp(at)?;
        let is_it = |n: Option<i64>| n == Some(i64::from(number));
        match self.doc.get_mut("finding") {
            Some(Item::ArrayOfTables(a)) => {
                for t in a.iter_mut() {
                    if is_it(t.get("number").and_then(Item::as_integer)) {
                        t["resolved_at"] = stamp;
                        return Ok(true);
                    }
                }
            }
            Some(Item::Value(toml_edit::Value::Array(a))) => {
                for v in a.iter_mut() {
                    if let Some(t) = v.as_inline_table_mut() {
                        if is_it(t.get("number").and_then(toml_edit::Value::as_integer)) {
                            if let Some(v) = stamp.as_value() {
                                t.insert("resolved_at", v.clone());
                            }
                            return Ok(true);
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// Queues the edited file.
    #[must_use]
    pub fn into_changes(self) -> fsio::Changes {
        let mut c = fsio::Changes::new();
        c.write(self.path, self.doc.to_string());
        c
    }
}

/// Validates the workspace as it would be after `changes`, then writes them.
///
/// # Errors
/// When the result would be invalid (nothing is written) or a write fails.
pub(crate) fn write_validated(loaded: &Loaded, changes: fsio::Changes, s: &Settings) -> Result<()> {
    drop(loaded.check_changes(&changes)?);
    for p in changes.commit()? {
        s.status(&format!(
            "wrote {}",
            loaded.workspace.relative(&p).display()
        ));
    }
    Ok(())
}

/// The release file, or an error that says how to get one.
///
/// # Errors
/// When there is no such release file.
pub(crate) fn release(ws: &Workspace, id: ReleaseId) -> Result<&Release> {
    ws.releases.get(&id).ok_or_else(|| {
        with_hint(
            format!(
                "no release {id}: there is no {}",
                ws.relative(&ws.release_path(id)).display()
            ),
            "create it with `zyklus plan` (or write the file), or see `zyklus release list`",
        )
    })
}

// ---------------------------------------------------------------------------
// The board

/// One row of the status board.
#[derive(Debug, Serialize)]
pub struct BoardRow {
    pub id: ReleaseId,
    /// `planned` for a calendar slot without a file.
    pub stage: Stage,
    /// Whether `releases/<id>.toml` exists.
    pub file: bool,
    pub dev_start: Option<NaiveDate>,
    pub test_start: Option<NaiveDate>,
    pub release_date: Option<NaiveDate>,
    /// The stage the next gate leads into, if any.
    pub next_gate: Option<Stage>,
    /// The date that gate is due by the calendar.
    pub next_gate_date: Option<NaiveDate>,
    /// Days from today to `next_gate_date` (negative: overdue).
    pub days_to_next_gate: Option<i64>,
    pub load: u64,
    pub capacity: u64,
    pub open_findings: usize,
    pub open_blockers: usize,
}

/// The JSON of `release list`: `{"year", "releases": [row…]}`.
#[derive(Debug, Serialize)]
pub struct Board {
    pub year: i32,
    pub releases: Vec<BoardRow>,
}

fn row(ws: &Workspace, id: ReleaseId, release: Option<&Release>, today: NaiveDate) -> BoardRow {
    let cal = calendar::dates(&ws.config.calendar, id).ok();
    let pick = |file: Option<crate::model::dates::Date>, cal: Option<NaiveDate>| {
        file.map(|d| d.0)
            .or(if id.is_hotfix() { None } else { cal })
    };
    let dev_start = pick(release.and_then(|r| r.dev_start), cal.map(|c| c.dev_start));
    let test_start = pick(
        release.and_then(|r| r.test_start),
        cal.map(|c| c.test_start),
    );
    let release_date = pick(
        release.and_then(|r| r.release_date),
        cal.map(|c| c.release_date),
    );
    let stage = release.map_or(Stage::Planned, |r| r.stage);
    let next_gate = stage.next();
    let next_gate_date = match next_gate {
        Some(Stage::Development) => dev_start,
        Some(Stage::Test) => test_start,
        Some(Stage::Production) => release_date,
        _ => None,
    };
    BoardRow {
        id,
        stage,
        file: release.is_some(),
        dev_start,
        test_start,
        release_date,
        next_gate,
        next_gate_date,
        days_to_next_gate: next_gate_date.map(|d| (d - today).num_days()),
        load: release.map_or(0, |r| gates::load(&r.scope, &ws.requests)),
        capacity: release.map_or_else(
            || gates::capacity_of(id, &ws.config),
            |r| gates::capacity(r, &ws.config),
        ),
        open_findings: release.map_or(0, |r| r.open_findings().count()),
        open_blockers: release.map_or(0, |r| {
            r.open_findings()
                .filter(|f| f.severity == crate::model::Severity::Blocker)
                .count()
        }),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

impl Report for Board {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.releases.is_empty() {
            return writeln!(w, "no releases in {}", self.year);
        }
        let mut t = output::table([
            "release",
            "stage",
            "dev start",
            "test start",
            "release",
            "next gate",
            "days",
            "load",
            "findings",
        ]);
        for r in &self.releases {
            let findings = match (r.open_findings, r.open_blockers) {
                (0, _) => String::new(),
                (n, 0) => format!("{n} open"),
                (n, b) => format!("{n} open ({b} blocker)"),
            };
            t.add_row(vec![
                format!("{}{}", r.id, if r.file { "" } else { " *" }),
                r.stage.to_string(),
                opt(r.dev_start),
                opt(r.test_start),
                opt(r.release_date),
                opt(r.next_gate),
                opt(r.days_to_next_gate),
                format!(
                    "{}/{} {}",
                    r.load,
                    r.capacity,
                    output::bar(r.load, r.capacity, 10)
                ),
                findings,
            ]);
        }
        output::write_table(w, &t)?;
        if self.releases.iter().any(|r| !r.file) {
            writeln!(w, "* calendar slot without a release file")?;
        }
        Ok(())
    }
}

fn list(a: &ListArgs, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let today = s.now.date_naive();
    let year = a.year.unwrap_or_else(|| {
        calendar::upcoming(&ws.config.calendar, today, 1)
            .ok()
            .and_then(|v| v.first().map(|r| r.id.year))
            .unwrap_or(today.year())
    });
    let mut ids: Vec<ReleaseId> = ws
        .releases
        .keys()
        .filter(|id| id.year == year)
        .copied()
        .collect();
    match calendar::year(&ws.config.calendar, year) {
        Ok(slots) => ids.extend(slots.iter().map(|r| r.id)),
        Err(e) => s.warn(&format!("the calendar has no slots for {year}: {e}")),
    }
    ids.sort();
    ids.dedup();
    let releases = ids
        .into_iter()
        .map(|id| row(ws, id, ws.releases.get(&id), today))
        .collect();
    s.emit(&Board { year, releases })?;
    Ok(Outcome::Success)
}

/// One request of a scope, as `release show` lists it.
#[derive(Debug, Serialize)]
pub struct ScopeItem {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub effort: u32,
}

/// The JSON of `release show`: the board row, the scope, findings and history.
#[derive(Debug, Serialize)]
pub struct ReleaseView<'a> {
    #[serde(flatten)]
    pub row: BoardRow,
    pub frozen: bool,
    pub deployed: Option<&'a str>,
    pub test_started_at: Option<Timestamp>,
    pub signoff: Option<&'a str>,
    pub scope: Vec<ScopeItem>,
    pub findings: &'a [Finding],
    pub history: &'a [HistoryEntry],
}

impl Report for ReleaseView<'_> {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        let r = &self.row;
        writeln!(
            w,
            "{}  {}",
            paint.apply(Style::Bold, &r.id.to_string()),
            r.stage
        )?;
        writeln!(w, "  dev start:    {}", opt(r.dev_start))?;
        writeln!(w, "  test start:   {}", opt(r.test_start))?;
        writeln!(w, "  release date: {}", opt(r.release_date))?;
        if let (Some(g), Some(d)) = (r.next_gate, r.days_to_next_gate) {
            writeln!(w, "  next gate:    {g} in {d} days")?;
        }
        writeln!(
            w,
            "  load:         {}/{}{}",
            r.load,
            r.capacity,
            if self.frozen { " (scope frozen)" } else { "" }
        )?;
        if let Some(d) = self.deployed {
            writeln!(w, "  deployed:     {d}")?;
        }
        if let Some(t) = &self.test_started_at {
            writeln!(w, "  test started: {t}")?;
        }
        if let Some(x) = self.signoff {
            writeln!(w, "  signed off:   {x}")?;
        }
        if !self.scope.is_empty() {
            writeln!(w)?;
            let mut t = output::table(["request", "kind", "status", "effort", "title"]);
            for i in &self.scope {
                t.add_row(vec![
                    i.id.clone(),
                    i.kind.clone(),
                    i.status.clone(),
                    i.effort.to_string(),
                    i.title.clone(),
                ]);
            }
            output::write_table(w, &t)?;
        }
        if !self.findings.is_empty() {
            writeln!(w, "\nfindings:")?;
            for f in self.findings {
                let state = if f.is_open() { "open" } else { "resolved" };
                writeln!(w, "  #{} {} [{state}] {}", f.number, f.severity, f.text)?;
            }
        }
        if !self.history.is_empty() {
            writeln!(w, "\nhistory:")?;
            for h in self.history {
                let what = if h.from == h.to {
                    let mut parts = Vec::new();
                    if !h.added.is_empty() {
                        parts.push(format!("added {}", h.added.join(", ")));
                    }
                    if !h.removed.is_empty() {
                        parts.push(format!("removed {}", h.removed.join(", ")));
                    }
                    format!("scope: {}", parts.join("; "))
                } else {
                    format!("{} → {}", h.from, h.to)
                };
                write!(w, "  {}  {what}  by {}", h.at, h.by)?;
                if h.forced {
                    write!(w, " (forced)")?;
                }
                if !h.reason.is_empty() {
                    write!(w, " — {}", h.reason)?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    }
}

fn show(id: ReleaseId, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let rel = release(ws, id)?;
    let scope = rel
        .scope
        .iter()
        .map(|cr| match ws.requests.get(cr.as_str()) {
            Some(r) => ScopeItem {
                id: cr.clone(),
                title: r.title.clone(),
                kind: r.kind.to_string(),
                status: r.status.to_string(),
                effort: r.effort,
            },
            None => ScopeItem {
                id: cr.clone(),
                title: String::new(),
                kind: String::new(),
                status: "missing".into(),
                effort: 0,
            },
        })
        .collect();
    s.emit(&ReleaseView {
        row: row(ws, id, Some(rel), s.now.date_naive()),
        frozen: rel.is_frozen(),
        deployed: rel.deployed.as_deref(),
        test_started_at: rel.test_started_at,
        signoff: rel.signoff.as_deref(),
        scope,
        findings: &rel.findings,
        history: &rel.history,
    })?;
    Ok(Outcome::Success)
}

// ---------------------------------------------------------------------------
// Scope changes

fn change_scope(a: &ScopeArgs, add: bool, s: &Settings) -> Result<Outcome> {
    let (_lock, loaded) = lock_and_load(s)?;
    let ws = &loaded.workspace;
    let rel = release(ws, a.id)?;
    if matches!(rel.stage, Stage::Production | Stage::Cancelled) {
        return Err(with_hint(
            format!(
                "{} is in {}; its scope does not change any more",
                a.id, rel.stage
            ),
            "for a fix after production use `zyklus hotfix new --request CR`",
        ));
    }
    let reason = a.reason.as_deref().map(str::trim).unwrap_or_default();
    if rel.is_frozen() && reason.is_empty() {
        return Err(with_hint(
            format!("the scope of {} is frozen ({})", a.id, rel.stage),
            "say why it changes with --reason \"…\" (recorded in the history)",
        ));
    }
    let request = ws.request(&a.request)?;
    let cr = request.id.to_string();
    let mut scope = rel.scope.clone();
    if add {
        if request.status == crate::model::Status::Rejected {
            return Err(with_hint(
                format!("{cr} is rejected"),
                format!("accept it first: `zyklus request set {cr} --status accepted`"),
            ));
        }
        if scope.contains(&cr) {
            return Err(with_hint(
                format!("{cr} is already in the scope of {}", a.id),
                "nothing to add",
            ));
        }
        if let Some(other) = ws
            .releases
            .values()
            .find(|r| r.id != a.id && r.stage != Stage::Cancelled && r.scope.contains(&cr))
        {
            return Err(with_hint(
                format!("{cr} is already in the scope of {}", other.id),
                format!(
                    "remove it there first: `zyklus release remove {} {cr} --reason …`",
                    other.id
                ),
            ));
        }
        let cap = gates::capacity(rel, &ws.config);
        let load = gates::load(&scope, &ws.requests) + u64::from(request.effort);
        if load > cap {
            return Err(with_hint(
                format!(
                    "adding {cr} (effort {}) brings {} to {load} of capacity {cap}",
                    request.effort, a.id
                ),
                "remove something first, or raise `capacity` in the release file",
            ));
        }
        scope.push(cr.clone());
    } else {
        let before = scope.len();
        scope.retain(|x| *x != cr);
        if scope.len() == before {
            return Err(with_hint(
                format!("{cr} is not in the scope of {}", a.id),
                "see `zyklus release show ID`",
            ));
        }
    }
    let mut doc = ReleaseDoc::open(ws, a.id)?;
    doc.set("scope", edit::string_array(&scope));
    doc.push_history(&HistoryEntry {
        from: rel.stage,
        to: rel.stage,
        at: Timestamp(s.now),
        by: s.actor(),
        note: String::new(),
        forced: false,
        reason: reason.to_owned(),
        checks: Vec::new(),
        added: if add { vec![cr.clone()] } else { Vec::new() },
        removed: if add { Vec::new() } else { vec![cr.clone()] },
        deployed: None,
        signoff: None,
    })?;
    write_validated(&loaded, doc.into_changes(), s)?;
    s.status(&format!(
        "{} {cr} {} {}",
        if add { "added" } else { "removed" },
        if add { "to" } else { "from" },
        a.id
    ));
    Ok(Outcome::Success)
}
