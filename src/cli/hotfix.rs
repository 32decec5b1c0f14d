//! `zyklus hotfix new`: a hotfix release `YYYY.N.P` on top of a production release,
//! with one request in scope and the shorter hotfix gates of `[gates]`.

use anyhow::Result;

use super::{Outcome, Settings};
use crate::model::ReleaseId;
use crate::ops::hotfix;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the next hotfix release on top of the latest production release
    New(NewArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The request the hotfix ships (normally of kind `hotfix`)
    #[arg(long, value_name = "CR")]
    pub request: String,
    /// The production release to build on (default: the latest one)
    #[arg(long, value_name = "ID")]
    pub on: Option<ReleaseId>,
}

/// Runs a `hotfix` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::New(a) => new(&a, s),
    }
}

fn new(a: &NewArgs, s: &Settings) -> Result<Outcome> {
    let mut tx = s.begin()?;
    let created = hotfix::new(&mut tx, &a.request, a.on)?;
    if let Some(w) = &created.warning {
        s.warn(w);
    }
    s.commit(tx)?;
    s.emit(&created)?;
    Ok(Outcome::Success)
}
