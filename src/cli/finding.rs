//! `zyklus finding add|list|resolve`: arguments and glue over [`crate::ops::finding`].

use anyhow::Result;

use super::request::parse_enum;
use super::{Outcome, Settings};
use crate::model::{ReleaseId, Severity};
use crate::ops::{finding, Context};

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
    let ctx = Context {
        now: s.now,
        actor: s.actor.clone(),
    };
    match command {
        Command::Add(a) => {
            let mut tx = s.begin()?;
            let added = finding::add(
                &mut tx,
                &ctx,
                a.id,
                a.severity,
                &a.text,
                a.request.as_deref(),
            )?;
            if let Some(w) = &added.warning {
                s.warn(w);
            }
            s.commit(tx)?;
            s.emit(&added)?;
        }
        Command::List(a) => {
            let loaded = s.load()?;
            s.emit(&finding::list(&loaded.workspace, a.id, a.open)?)?;
        }
        Command::Resolve { id, number } => {
            let mut tx = s.begin()?;
            let resolved = finding::resolve(&mut tx, &ctx, id, number)?;
            s.commit(tx)?;
            s.shell.done(&resolved, &resolved.message())?;
        }
    }
    Ok(Outcome::Success)
}
