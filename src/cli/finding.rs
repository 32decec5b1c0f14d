//! `zyklus finding add|list|resolve`: the bugs and wishes raised while a release is
//! being tested, stored as `[[finding]]` tables in its release file. An open
//! `blocker` keeps the release out of production (see `crate::gates`).

use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;

use super::release::{lock_and_load, release, write_validated, ReleaseDoc};
use super::request::parse_enum;
use super::{Outcome, Settings};
use crate::error::with_hint;
use crate::model::dates::Timestamp;
use crate::model::{Finding, ReleaseId, Severity, Stage};
use crate::output::{self, Report};
use crate::ui::Paint;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a finding of the test phase
    Add(AddArgs),
    /// List findings of one release or of all
    List(ListArgs),
    /// Mark finding N of a release as resolved
    Resolve {
        /// The release id
        id: ReleaseId,
        /// The finding's number
        number: u32,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The release id
    pub id: ReleaseId,
    /// blocker (keeps the release out of production) | major | minor
    #[arg(long, value_parser = parse_enum::<Severity>)]
    pub severity: Severity,
    /// What was found
    pub text: String,
    /// The request it concerns
    #[arg(long, value_name = "CR")]
    pub request: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this release
    pub id: Option<ReleaseId>,
    /// Only unresolved findings
    #[arg(long)]
    pub open: bool,
}

/// Runs a `finding` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Add(a) => add(&a, s),
        Command::List(a) => list(&a, s),
        Command::Resolve { id, number } => resolve(id, number, s),
    }
}

fn add(a: &AddArgs, s: &Settings) -> Result<Outcome> {
    let text = a.text.trim();
    if text.is_empty() {
        return Err(with_hint(
            "the finding's text is empty",
            "describe what was found",
        ));
    }
    let (_lock, loaded) = lock_and_load(s)?;
    let ws = &loaded.workspace;
    let rel = release(ws, a.id)?;
    if matches!(rel.stage, Stage::Production | Stage::Cancelled) {
        return Err(with_hint(
            format!("{} is in {}; it takes no more findings", a.id, rel.stage),
            "for a problem in production open a hotfix request and `zyklus hotfix new --request CR`",
        ));
    }
    let request = match &a.request {
        Some(cr) => {
            let r = ws.request(cr)?;
            if !rel.scope.iter().any(|x| x == r.id.as_str()) {
                s.warn(&format!("{} is not in the scope of {}", r.id, a.id));
            }
            Some(r.id.to_string())
        }
        None => None,
    };
    let number = rel.findings.iter().map(|f| f.number).max().unwrap_or(0) + 1;
    let finding = Finding {
        number,
        severity: a.severity,
        text: text.to_owned(),
        raised_at: Timestamp(s.now),
        resolved_at: None,
        request,
    };
    let mut doc = ReleaseDoc::open(ws, a.id)?;
    doc.push_finding(&finding)?;
    write_validated(&loaded, doc.into_changes(), s)?;
    writeln!(io::stdout().lock(), "{number}")?;
    Ok(Outcome::Success)
}

/// One finding with its release, as `finding list` shows it.
#[derive(Debug, Serialize)]
pub struct FindingRow<'a> {
    pub release: ReleaseId,
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub open: bool,
}

/// The JSON of `finding list`: `{"findings": [{release, number, severity, text,
/// raised_at, resolved_at?, request?, open}]}`.
#[derive(Debug, Serialize)]
pub struct FindingList<'a> {
    pub findings: Vec<FindingRow<'a>>,
}

impl Report for FindingList<'_> {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.findings.is_empty() {
            return writeln!(w, "no findings");
        }
        let mut t = output::table([
            "release", "#", "severity", "state", "request", "raised", "text",
        ]);
        for r in &self.findings {
            let f = r.finding;
            t.add_row(vec![
                r.release.to_string(),
                f.number.to_string(),
                f.severity.to_string(),
                if r.open {
                    "open".into()
                } else {
                    "resolved".to_owned()
                },
                f.request.clone().unwrap_or_default(),
                f.raised_at.0.format("%Y-%m-%d %H:%M").to_string(),
                f.text.clone(),
            ]);
        }
        output::write_table(w, &t)
    }
}

fn list(a: &ListArgs, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    if let Some(id) = a.id {
        release(ws, id)?;
    }
    let findings = ws
        .releases
        .values()
        .filter(|r| a.id.is_none_or(|id| r.id == id))
        .flat_map(|r| r.findings.iter().map(move |f| (r.id, f)))
        .filter(|(_, f)| !a.open || f.is_open())
        .map(|(release, finding)| FindingRow {
            release,
            finding,
            open: finding.is_open(),
        })
        .collect();
    s.emit(&FindingList { findings })?;
    Ok(Outcome::Success)
}

fn resolve(id: ReleaseId, number: u32, s: &Settings) -> Result<Outcome> {
    let (_lock, loaded) = lock_and_load(s)?;
    let ws = &loaded.workspace;
    let rel = release(ws, id)?;
    let Some(f) = rel.findings.iter().find(|f| f.number == number) else {
        return Err(with_hint(
            format!("{id} has no finding #{number}"),
            format!("see `zyklus finding list {id}`"),
        ));
    };
    if let Some(at) = f.resolved_at {
        s.status(&format!(
            "finding #{number} of {id} was resolved at {at} already; nothing changed"
        ));
        return Ok(Outcome::Success);
    }
    let mut doc = ReleaseDoc::open(ws, id)?;
    if !doc.resolve_finding(number, s.now)? {
        return Err(with_hint(
            format!(
                "finding #{number} is not a [[finding]] table in {}",
                ws.relative(&doc.path).display()
            ),
            "write each finding as a [[finding]] table with a `number`",
        ));
    }
    write_validated(&loaded, doc.into_changes(), s)?;
    s.status(&format!("resolved finding #{number} of {id}"));
    Ok(Outcome::Success)
}
