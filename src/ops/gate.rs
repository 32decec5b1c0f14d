//! `gate check|advance`: judge a release against the gate into a stage, and move
//! it there with a history entry. The criteria are in [`crate::gates`]; the side
//! effects of each transition (what a stage records, what going back clears) are
//! here.

use anyhow::Result;
use serde::Serialize;
use toml_edit::value;

use super::Context;
use crate::error::{invalid, refused};
use crate::gates::{self, Direction, GateReport, Inputs};
use crate::model::dates::Timestamp;
use crate::model::release::HistoryEntry;
use crate::model::{ReleaseId, Stage};
use crate::workspace::{edit, Transaction, Workspace};

fn transition_error(e: &gates::TransitionError, id: ReleaseId) -> anyhow::Error {
    refused(format!("{id}: {e}"), e.hint())
}

/// Evaluates release `id` against the gate into `to` (default: its next stage).
///
/// # Errors
/// When there is no such release or the transition is never allowed.
pub fn check(
    ws: &Workspace,
    id: ReleaseId,
    to: Option<Stage>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<GateReport> {
    let rel = ws.release(id)?;
    let to = match to {
        Some(t) => t,
        None => gates::default_target(rel.stage).map_err(|e| transition_error(&e, id))?,
    };
    let inputs = Inputs {
        config: &ws.config,
        requests: &ws.requests,
    };
    gates::evaluate(rel, to, inputs, now).map_err(|e| transition_error(&e, id))
}

/// What `gate advance` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct AdvanceRequest {
    pub to: Option<Stage>,
    pub deployed: Option<String>,
    pub signoff: Option<String>,
    pub note: Option<String>,
    pub reason: Option<String>,
}

/// A transition judged and ready to record.
#[derive(Debug, Clone)]
pub struct Advance {
    pub id: ReleaseId,
    pub from: Stage,
    pub to: Stage,
    pub direction: Direction,
    /// The gate as it stands with this command's flags.
    pub report: GateReport,
    /// Whether the gate does not pass (so the move is a forced one).
    pub forced: bool,
    pub reason: String,
    deployed: Option<String>,
    signoff: Option<String>,
    note: String,
}

fn trimmed(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_owned())
}

/// Judges `gate advance`: the flags fit the transition, and the gate is evaluated
/// as the release would stand with them.
///
/// # Errors
/// Invalid input for flags that do not fit; a refusal for a transition that is
/// never allowed or needs a reason. Whether a gate that does not pass may be
/// forced is [`Advance::require`]'s to say.
pub fn prepare(
    ws: &Workspace,
    id: ReleaseId,
    req: &AdvanceRequest,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Advance> {
    let current = ws.release(id)?;
    let from = current.stage;
    let to = match req.to {
        Some(t) => t,
        None => gates::default_target(from).map_err(|e| transition_error(&e, id))?,
    };
    let direction = gates::transition(from, to).map_err(|e| transition_error(&e, id))?;
    let reason = trimmed(req.reason.as_ref()).unwrap_or_default();
    if direction != Direction::Forward && reason.is_empty() {
        return Err(refused(
            format!("{id}: {from} → {to} needs a reason"),
            "say why with --reason \"…\" (recorded in the history)",
        ));
    }
    if req.deployed.is_some() && !(direction == Direction::Forward && to == Stage::Test) {
        return Err(invalid(
            "--deployed is recorded when a release enters test",
            format!("leave it out for {from} → {to} (during the test phase: `zyklus gate deploy`)"),
        ));
    }
    if req.signoff.is_some() && !(direction == Direction::Forward && to == Stage::Production) {
        return Err(invalid(
            "--signoff is recorded when a release enters production",
            format!("leave it out for {from} → {to}"),
        ));
    }
    for (flag, v) in [("--deployed", &req.deployed), ("--signoff", &req.signoff)] {
        if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(invalid(
                format!("{flag} is empty"),
                format!("pass a value, e.g. {flag} NAME"),
            ));
        }
    }
    let mut candidate = current.clone();
    if let Some(d) = trimmed(req.deployed.as_ref()) {
        candidate.deployed = Some(d);
    }
    if let Some(x) = trimmed(req.signoff.as_ref()) {
        candidate.signoff = Some(x);
    }
    let inputs = Inputs {
        config: &ws.config,
        requests: &ws.requests,
    };
    let report =
        gates::evaluate(&candidate, to, inputs, now).map_err(|e| transition_error(&e, id))?;
    let forced = !report.passed;
    Ok(Advance {
        id,
        from,
        to,
        direction,
        report,
        forced,
        reason,
        deployed: trimmed(req.deployed.as_ref()),
        signoff: trimmed(req.signoff.as_ref()),
        note: req.note.clone().unwrap_or_default(),
    })
}

impl Advance {
    /// A gate that does not pass stops the move unless `force` (with a reason,
    /// which clap enforces) overrides it.
    ///
    /// # Errors
    /// [`crate::error::ErrorKind::Unmet`] (exit 3) naming the unmet checks.
    pub fn require(&self, force: bool) -> Result<()> {
        if !self.forced || force {
            return Ok(());
        }
        let unmet: Vec<&str> = self
            .report
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.as_str())
            .collect();
        Err(crate::error::unmet(
            format!(
                "{}: the gate {} → {} does not pass ({} unmet: {}); nothing changed",
                self.id,
                self.from,
                self.to,
                unmet.len(),
                unmet.join(", ")
            ),
            "meet the criteria above, or override with --force --reason \"…\" (recorded)",
        ))
    }
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

/// Records a prepared transition: the new stage, what it records or clears, and
/// the history entry.
///
/// # Errors
/// When the release file cannot be edited.
pub fn apply(tx: &mut Transaction, ctx: &Context, a: Advance) -> Result<Advanced> {
    let mut doc = tx.release(a.id)?;
    doc.set("stage", value(a.to.as_str()));
    match (a.direction, a.to) {
        (Direction::Forward, Stage::Development) => doc.set("frozen", value(true)),
        (Direction::Forward, Stage::Test) => {
            if let Some(d) = &a.deployed {
                doc.set("deployed", value(d.clone()));
            }
            doc.set("test_started_at", edit::timestamp(ctx.now)?);
        }
        (Direction::Forward, Stage::Production) => {
            if let Some(x) = &a.signoff {
                doc.set("signoff", value(x.clone()));
            }
        }
        (Direction::Back, _) => {
            // A new test phase needs a new deployment and a new sign-off; the
            // history keeps the old ones.
            doc.remove("deployed");
            doc.remove("test_started_at");
            doc.remove("signoff");
            if a.to == Stage::Planned {
                doc.set("frozen", value(false));
            }
        }
        _ => {}
    }
    let entry = HistoryEntry {
        note: a.note,
        forced: a.forced,
        reason: a.reason.clone(),
        checks: a.report.checks.clone(),
        deployed: a.deployed,
        signoff: a.signoff,
        ..HistoryEntry::new(a.from, a.to, Timestamp(ctx.now), ctx.actor.clone())
    };
    doc.push_history(&entry)?;
    Ok(Advanced {
        report: a.report,
        forced: a.forced,
        reason: a.reason,
        at: entry.at,
        by: entry.by,
    })
}

/// The JSON of `gate deploy`.
#[derive(Debug, Serialize)]
pub struct Deployed {
    pub release: ReleaseId,
    pub deployed: String,
    /// The build it replaced on the test mirror.
    pub previous: Option<String>,
    /// When the test phase started: unchanged by a new build.
    pub test_started_at: Option<Timestamp>,
    pub at: Timestamp,
    pub by: String,
    /// False when this build was recorded already (nothing changed).
    pub changed: bool,
}

/// Records a new build on the test mirror during the test phase: `deployed` and a
/// history entry (test → test); the test clock (`test_started_at`) keeps running.
///
/// # Errors
/// When the release is not in test, or `deployed` is empty.
pub fn deploy(
    tx: &mut Transaction,
    ctx: &Context,
    id: ReleaseId,
    deployed: &str,
    note: Option<&str>,
) -> Result<Deployed> {
    let deployed = deployed.trim();
    if deployed.is_empty() {
        return Err(invalid(
            "--deployed is empty",
            "pass the build, e.g. --deployed v2027.1-rc2",
        ));
    }
    let rel = tx.workspace().release(id)?;
    if rel.stage != Stage::Test {
        let hint = match rel.stage {
            Stage::Development => format!(
                "the first build enters test with `zyklus gate advance {id} --deployed REF`"
            ),
            _ => "`gate deploy` records a new build during the test phase only".to_owned(),
        };
        return Err(refused(
            format!("{id} is in {}, not in test", rel.stage),
            hint,
        ));
    }
    let previous = rel.deployed.clone();
    let test_started_at = crate::model::facts::entered_test(rel);
    let mut out = Deployed {
        release: id,
        deployed: deployed.to_owned(),
        previous: previous.clone(),
        test_started_at,
        at: Timestamp(ctx.now),
        by: ctx.actor.clone(),
        changed: previous.as_deref() != Some(deployed),
    };
    if !out.changed {
        return Ok(out);
    }
    let entry = HistoryEntry {
        note: note.map(str::trim).unwrap_or_default().to_owned(),
        deployed: Some(deployed.to_owned()),
        ..HistoryEntry::new(Stage::Test, Stage::Test, out.at, out.by.clone())
    };
    let mut doc = tx.release(id)?;
    doc.set("deployed", value(deployed));
    doc.push_history(&entry)?;
    out.changed = true;
    Ok(out)
}
