//! `zyklus validate`: load the whole workspace and report every problem at once.

use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;

use super::{Outcome, Settings};
use crate::error::{Diagnostic, Invalid, Level};
use crate::output::{Format, Report};
use crate::ui::{Paint, Style};
use crate::workspace;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// The JSON shape of `validate`.
#[derive(Debug, Serialize)]
pub struct ValidationReport {
    pub valid: bool,
    pub requests: usize,
    pub releases: usize,
    pub partners: usize,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report for ValidationReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        writeln!(
            w,
            "{} {} requests, {} releases, {} partners; {}",
            paint.apply(Style::Good, "valid:"),
            self.requests,
            self.releases,
            self.partners,
            crate::error::plural(self.warnings, "warning")
        )
    }
}

/// Validates the workspace.
///
/// # Errors
/// [`Invalid`] when the workspace has errors.
pub fn run(_args: &Args, s: &Settings) -> Result<Outcome> {
    let root = workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    match workspace::load(&root) {
        Ok(loaded) => {
            s.shell.warnings(&loaded.warnings);
            let ws = &loaded.workspace;
            s.emit(&ValidationReport {
                valid: true,
                requests: ws.requests.len(),
                releases: ws.releases.len(),
                partners: ws.partners.partners.len(),
                errors: 0,
                warnings: loaded.warnings.len(),
                diagnostics: loaded.warnings,
            })?;
            Ok(Outcome::Success)
        }
        Err(e) => {
            if s.shell.format() == Format::Json {
                if let Some(Invalid(diags)) = e.downcast_ref::<Invalid>() {
                    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
                    s.emit(&ValidationReport {
                        valid: false,
                        requests: 0,
                        releases: 0,
                        partners: 0,
                        errors,
                        warnings: diags.len() - errors,
                        diagnostics: diags.clone(),
                    })?;
                }
            }
            Err(e)
        }
    }
}
