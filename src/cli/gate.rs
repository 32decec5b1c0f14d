//! `zyklus gate check|advance|deploy`: arguments and glue. The criteria are in
//! [`crate::gates`], the transition's side effects in [`crate::ops::gate`].

use anyhow::Result;

use super::request::parse_enum;
use super::{Outcome, Settings};
use crate::model::{ReleaseId, Stage};
use crate::ops::gate::{self, AdvanceRequest};
use crate::ops::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List every criterion of the next gate as met or unmet (exit 3 when any is unmet)
    Check(CheckArgs),
    /// Move a release to its next stage (or back, or to cancelled) and record it
    Advance(AdvanceArgs),
    /// Record a new build on the test mirror during the test phase (the test clock keeps running)
    Deploy(DeployArgs),
}

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The release id, e.g. 2027.1 (it must be in test)
    pub id: ReleaseId,
    /// The build now on the test mirror (e.g. a git ref)
    #[arg(long, value_name = "REF")]
    pub deployed: String,
    /// A note for the history
    #[arg(long)]
    pub note: Option<String>,
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
/// On invalid input, a gate that does not pass (exit 3) or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Check(a) => check(&a, s),
        Command::Advance(a) => advance(a, s),
        Command::Deploy(a) => {
            let mut tx = s.begin()?;
            let ctx = Context {
                now: s.now,
                actor: s.actor.clone(),
            };
            let done = gate::deploy(&mut tx, &ctx, a.id, &a.deployed, a.note.as_deref())?;
            s.commit(tx)?;
            s.shell.done(&done, &done.message())?;
            Ok(Outcome::Success)
        }
    }
}

fn check(a: &CheckArgs, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let report = gate::check(&loaded.workspace, a.id, a.to, s.now)?;
    s.emit(&report)?;
    Ok(if report.passed {
        Outcome::Success
    } else {
        Outcome::Unmet
    })
}

fn advance(a: AdvanceArgs, s: &Settings) -> Result<Outcome> {
    // Lock first, then load: a second `gate advance` waiting here sees the stage
    // the first one wrote and is judged against that.
    let mut tx = s.begin()?;
    let request = AdvanceRequest {
        to: a.to,
        deployed: a.deployed,
        signoff: a.signoff,
        note: a.note,
        reason: a.reason,
    };
    let prepared = gate::prepare(tx.workspace(), a.id, &request, s.now)?;
    s.shell.emit_to_stderr(&prepared.report)?;
    prepared.require(a.force)?;
    let question = format!(
        "Move {} from {} to {}{}?",
        a.id,
        prepared.from,
        prepared.to,
        if prepared.forced {
            " although the gate does not pass"
        } else {
            ""
        }
    );
    if !s.confirm(&question)? {
        return Err(crate::error::refused(
            "not confirmed; nothing changed",
            "run it again and answer yes",
        ));
    }
    let ctx = Context {
        now: s.now,
        actor: s.actor.clone(),
    };
    let advanced = gate::apply(&mut tx, &ctx, prepared)?;
    s.commit(tx)?;
    s.shell.done(&advanced, &advanced.message())?;
    Ok(Outcome::Success)
}
