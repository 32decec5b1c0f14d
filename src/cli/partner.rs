//! `zyklus partner list`: arguments and glue over [`crate::ops::partner`].

use anyhow::Result;
use chrono::Datelike;

use super::{Outcome, Settings};
use crate::ops::partner;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List partners with their language and trainings booked / used / left
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The year of the training quota (default: the year of now)
    #[arg(long)]
    pub year: Option<i32>,
}

/// Runs a `partner` subcommand.
///
/// # Errors
/// When the workspace does not load.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::List(a) => {
            let loaded = s.load()?;
            let year = a.year.unwrap_or_else(|| s.now.year());
            s.emit(&partner::list(&loaded.workspace, year))?;
            Ok(Outcome::Success)
        }
    }
}
