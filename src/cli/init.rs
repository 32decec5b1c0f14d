//! `zyklus init [--example] [DIR]`: arguments and glue over [`crate::ops::init`].

use std::path::PathBuf;

use anyhow::Result;

use super::{Outcome, Settings};
use crate::ops::init;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the realistic sample workspace (a partner-portal vendor with ~40
    /// change requests in German and English) instead of a minimal one
    #[arg(long)]
    pub example: bool,

    /// Where to create the workspace (default: the current directory)
    pub dir: Option<PathBuf>,
}

/// Creates the workspace; refuses to overwrite anything.
///
/// # Errors
/// When a workspace (or any file it would write) already exists, or writing fails.
pub fn run(args: &Args, s: &Settings) -> Result<Outcome> {
    let dir = match &args.dir {
        Some(d) => s.cwd.join(d),
        None => s.cwd.clone(),
    };
    let created = init::create(&dir, args.example, s.fault)?;
    s.shell.done(&created, &created.message())?;
    Ok(Outcome::Success)
}
