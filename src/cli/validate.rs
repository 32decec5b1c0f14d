//! `zyklus validate`: glue over [`crate::ops::validate`].

use anyhow::Result;

use super::{Outcome, Settings};
use crate::ops::validate::{self, Validation};
use crate::output::Format;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// Validates the workspace.
///
/// # Errors
/// [`crate::error::Invalid`] when the workspace has errors.
pub fn run(_args: &Args, s: &Settings) -> Result<Outcome> {
    match validate::validate(&s.root()?)? {
        Validation::Valid(report) => {
            s.shell.warnings(&report.diagnostics);
            s.emit(&report)?;
            Ok(Outcome::Success)
        }
        Validation::Invalid(report, e) => {
            if s.shell.format() == Format::Json {
                s.emit(&report)?;
            }
            Err(e)
        }
    }
}
