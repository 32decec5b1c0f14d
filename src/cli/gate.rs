//! `zyklus gate check|advance`: evaluate a release against its next gate, and move
//! it there (recorded in its append-only history). The criteria live in
//! `crate::gates`; this file only loads, asks, records and writes.

use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;
use toml_edit::value;

use super::release::{lock_and_load, release, write_validated, ReleaseDoc};
use super::request::parse_enum;
use super::{Outcome, Settings};
use crate::error::with_hint;
use crate::gates::{self, Direction, GateReport, Inputs};
use crate::model::dates::Timestamp;
use crate::model::release::HistoryEntry;
use crate::model::{ReleaseId, Stage};
use crate::output::Report;
use crate::ui::{Paint, Style};
use crate::workspace::edit;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List every criterion of the next gate as met or unmet (exit 3 when any is unmet)
    Check(CheckArgs),
    /// Move a release to its next stage (or back, or to cancelled) and record it
    Advance(AdvanceArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// The stage to check against (default: the next one)
    #[arg(long, value_parser = parse_enum::<Stage>)]
    pub to: Option<Stage>,
}

#[derive(Debug, clap::Args)]
pub struct AdvanceArgs {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// The target stage (default: the next one); an earlier stage or `cancelled`
    /// needs --reason
    #[arg(long, value_parser = parse_enum::<Stage>)]
    pub to: Option<Stage>,
    /// Entering test: the build deployed to the test mirror (e.g. a git ref)
    #[arg(long, value_name = "REF")]
    pub deployed: Option<String>,
    /// Entering production: who signs the release off
    #[arg(long, value_name = "NAME")]
    pub signoff: Option<String>,
    /// A note for the history
    #[arg(long)]
    pub note: Option<String>,
    /// Advance although checks fail (needs --reason; recorded)
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why: required with --force, for going back, and for cancelling
    #[arg(long)]
    pub reason: Option<String>,
}

/// Runs a `gate` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Check(a) => check(&a, s),
        Command::Advance(a) => advance(&a, s),
    }
}

fn transition_error(e: &gates::TransitionError, id: ReleaseId) -> anyhow::Error {
    with_hint(format!("{id}: {e}"), e.hint())
}

fn mark(passed: bool, paint: &Paint) -> String {
    if passed {
        paint.apply(Style::Good, "met  ")
    } else {
        paint.apply(Style::Bad, "UNMET")
    }
}

fn render_report(r: &GateReport, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    let verdict = if r.passed {
        paint.apply(Style::Good, "passes")
    } else {
        paint.apply(Style::Bad, "does not pass")
    };
    writeln!(
        w,
        "{}: gate {} → {} {verdict}",
        paint.apply(Style::Bold, &r.release.to_string()),
        r.from,
        r.to
    )?;
    if r.checks.is_empty() {
        writeln!(
            w,
            "  (no criteria: going back or cancelling needs only a reason)"
        )?;
    }
    let width = r.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &r.checks {
        writeln!(
            w,
            "  {}  {:<width$}  {}",
            mark(c.passed, paint),
            c.name,
            c.detail
        )?;
    }
    Ok(())
}

impl Report for GateReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        render_report(self, w, paint)
    }
}

fn check(a: &CheckArgs, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let rel = release(ws, a.id)?;
    let to = match a.to {
        Some(t) => t,
        None => gates::default_target(rel.stage).map_err(|e| transition_error(&e, a.id))?,
    };
    let inputs = Inputs {
        config: &ws.config,
        requests: &ws.requests,
    };
    let report = gates::evaluate(rel, to, inputs, s.now).map_err(|e| transition_error(&e, a.id))?;
    s.emit(&report)?;
    Ok(if report.passed {
        Outcome::Success
    } else {
        Outcome::Unmet
    })
}

/// The JSON of `gate advance`: the gate report plus what was recorded.
#[derive(Debug, Serialize)]
pub struct Advanced {
    #[serde(flatten)]
    pub report: GateReport,
    pub forced: bool,
    pub reason: String,
    pub at: Timestamp,
    pub by: String,
}

impl Report for Advanced {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(
            w,
            "{}: {} → {}{}",
            self.report.release,
            self.report.from,
            self.report.to,
            if self.forced { " (forced)" } else { "" }
        )
    }
}

#[allow(clippy::too_many_lines)]
fn advance(a: &AdvanceArgs, s: &Settings) -> Result<Outcome> {
    // Lock first, then load: a second `gate advance` waiting here sees the stage
    // the first one wrote and is judged against that.
    let (_lock, loaded) = lock_and_load(s)?;
    let ws = &loaded.workspace;
    let current = release(ws, a.id)?;
    let from = current.stage;
    let to = match a.to {
        Some(t) => t,
        None => gates::default_target(from).map_err(|e| transition_error(&e, a.id))?,
    };
    let direction = gates::transition(from, to).map_err(|e| transition_error(&e, a.id))?;
    let reason = a
        .reason
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if direction != Direction::Forward && reason.is_empty() {
        return Err(with_hint(
            format!("{}: {from} → {to} needs a reason", a.id),
            "say why with --reason \"…\" (recorded in the history)",
        ));
    }
    if a.deployed.is_some() && !(direction == Direction::Forward && to == Stage::Test) {
        return Err(with_hint(
            "--deployed is recorded when a release enters test",
            format!("leave it out for {from} → {to}"),
        ));
    }
    if a.signoff.is_some() && !(direction == Direction::Forward && to == Stage::Production) {
        return Err(with_hint(
            "--signoff is recorded when a release enters production",
            format!("leave it out for {from} → {to}"),
        ));
    }
    for (flag, v) in [("--deployed", &a.deployed), ("--signoff", &a.signoff)] {
        if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(with_hint(
                format!("{flag} is empty"),
                format!("pass a value, e.g. {flag} NAME"),
            ));
        }
    }

    // Judge the release as it would stand with this command's flags.
    let mut candidate = current.clone();
    if let Some(d) = &a.deployed {
        candidate.deployed = Some(d.trim().to_owned());
    }
    if let Some(x) = &a.signoff {
        candidate.signoff = Some(x.trim().to_owned());
    }
    let inputs = Inputs {
        config: &ws.config,
        requests: &ws.requests,
    };
    let report =
        gates::evaluate(&candidate, to, inputs, s.now).map_err(|e| transition_error(&e, a.id))?;
    if !s.quiet {
        let mut err = io::stderr().lock();
        render_report(&report, &mut err, &s.err_paint)?;
    }
    let forced = !report.passed;
    if forced && !a.force {
        let unmet: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.as_str())
            .collect();
        let e = with_hint(
            format!(
                "{}: the gate {from} → {to} does not pass ({} unmet: {}); nothing changed",
                a.id,
                unmet.len(),
                unmet.join(", ")
            ),
            "meet the criteria above, or override with --force --reason \"…\" (recorded)",
        );
        crate::error::report(&e, &mut io::stderr().lock(), &s.err_paint);
        return Ok(Outcome::Unmet);
    }
    let question = format!(
        "Move {} from {from} to {to}{}?",
        a.id,
        if forced {
            " although the gate does not pass"
        } else {
            ""
        }
    );
    if !s.confirm(&question)? {
        return Err(with_hint(
            "not confirmed; nothing changed",
            "run it again and answer yes",
        ));
    }

    let mut doc = ReleaseDoc::open(ws, a.id)?;
    doc.set("stage", value(to.as_str()));
    match (direction, to) {
        (Direction::Forward, Stage::Development) => doc.set("frozen", value(true)),
        (Direction::Forward, Stage::Test) => {
            if let Some(d) = &candidate.deployed {
                doc.set("deployed", value(d.clone()));
            }
            doc.set("test_started_at", edit::timestamp(s.now)?);
        }
        (Direction::Forward, Stage::Production) => {
            if let Some(x) = &candidate.signoff {
                doc.set("signoff", value(x.clone()));
            }
        }
        (Direction::Back, _) => {
            // A new test phase needs a new deployment and a new sign-off; the
            // history keeps the old ones.
            doc.remove("deployed");
            doc.remove("test_started_at");
            doc.remove("signoff");
            if to == Stage::Planned {
                doc.set("frozen", value(false));
            }
        }
        _ => {}
    }
    let entry = HistoryEntry {
        from,
        to,
        at: Timestamp(s.now),
        by: s.actor(),
        note: a.note.clone().unwrap_or_default(),
        forced,
        reason: reason.clone(),
        checks: report.checks.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        deployed: a.deployed.as_ref().map(|d| d.trim().to_owned()),
        signoff: a.signoff.as_ref().map(|d| d.trim().to_owned()),
    };
    doc.push_history(&entry)?;
    write_validated(&loaded, doc.into_changes(), s)?;
    s.emit(&Advanced {
        report,
        forced,
        reason,
        at: entry.at,
        by: entry.by,
    })?;
    Ok(Outcome::Success)
}
