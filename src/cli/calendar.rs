//! `zyklus calendar [--year Y] [--ics FILE]`: arguments and glue. The year's
//! dates are [`crate::ops::calendar`]'s; the export never replaces a workspace
//! file ([`crate::workspace::exports`]).

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{Outcome, Settings};
use crate::ops::calendar;
use crate::workspace::{exports, fsio};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The .ics file has an all-day event for every test start and release date and a timed one
for every coordination call (with its time zone), named and described in the workspace's
languages; re-importing an export updates the same events. It may not replace a file of
the workspace (zyklus.toml, partners.toml, anything in requests/, releases/, trainings/,
templates/ or .git/): such a target is refused and nothing is written.")]
pub struct Args {
    /// The year (default: the year of the next release date, as `release list` shows)
    #[arg(long)]
    pub year: Option<i32>,
    /// Also write the year's releases, test starts and coordination calls as an
    /// iCalendar (.ics) file; re-exporting updates the same events
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

/// Runs `zyklus calendar`.
///
/// # Errors
/// When the workspace does not load, the calendar has no dates for the year, or
/// the `.ics` file may not or cannot be written.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let target = a
        .ics
        .as_ref()
        .map(|p| exports::export_file(&ws.root, &s.cwd, p, "--ics"))
        .transpose()?;
    let year = a.year.unwrap_or_else(|| calendar::default_year(ws, s.now));
    let report = calendar::year(ws, year)?;
    if let (Some(path), Some(target)) = (&a.ics, target) {
        let (text, events) = calendar::ics(ws, &report, s.now)?;
        fsio::write_atomic(&target, text).with_context(|| format!("writing {}", path.display()))?;
        s.status(&format!("wrote {} ({events} events)", path.display()));
    }
    s.emit(&report)?;
    Ok(Outcome::Success)
}
