//! `zyklus release list|show|add|remove|accept`: arguments and glue over
//! [`crate::ops::status`] (the status board) and [`crate::ops::scope`] (scope changes).

use anyhow::Result;

use super::{Outcome, Settings};
use crate::model::ReleaseId;
use crate::ops::{scope, status, Context};

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
    /// Accept every open request in a release's scope in one step (recorded in its history)
    Accept {
        /// The release id, e.g. 2027.1
        id: ReleaseId,
    },
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
        Command::List(a) => {
            let loaded = s.load()?;
            let list = status::list(&loaded.workspace, a.year, s.now.date_naive());
            if let Some(p) = &list.calendar_problem {
                s.warn(p);
            }
            s.emit(&list)?;
        }
        Command::Show { id } => {
            let loaded = s.load()?;
            s.emit(&status::show(&loaded.workspace, id, s.now.date_naive())?)?;
        }
        Command::Add(a) => change_scope(&a, true, s)?,
        Command::Remove(a) => change_scope(&a, false, s)?,
        Command::Accept { id } => {
            let mut tx = s.begin()?;
            let ctx = Context {
                now: s.now,
                actor: s.actor.clone(),
            };
            let done = scope::accept(&mut tx, &ctx, id)?;
            s.commit(tx)?;
            s.shell.done(&done, &done.message())?;
        }
    }
    Ok(Outcome::Success)
}

fn change_scope(a: &ScopeArgs, add: bool, s: &Settings) -> Result<()> {
    let mut tx = s.begin()?;
    let ctx = Context {
        now: s.now,
        actor: s.actor.clone(),
    };
    let done = scope::change(&mut tx, &ctx, a.id, &a.request, add, a.reason.as_deref())?;
    s.commit(tx)?;
    s.shell.done(&done, &done.message())
}
