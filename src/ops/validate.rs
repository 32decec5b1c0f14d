//! `validate`: load the whole workspace and report every problem at once, as the
//! counts of what loaded or as the diagnostics of what did not.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::error::{Diagnostic, Invalid, Level};
use crate::workspace;

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

/// What validating found.
pub enum Validation {
    /// The workspace loads; its warnings are in the report.
    Valid(ValidationReport),
    /// The workspace has errors: the report of them, and the error to return.
    Invalid(ValidationReport, anyhow::Error),
}

/// Validates the workspace at `root`.
///
/// # Errors
/// When it cannot be read at all (an I/O error, not a problem in a file).
pub fn validate(root: &Path) -> Result<Validation> {
    match workspace::load(root) {
        Ok(loaded) => {
            let ws = &loaded.workspace;
            Ok(Validation::Valid(ValidationReport {
                valid: true,
                requests: ws.requests.len(),
                releases: ws.releases.len(),
                partners: ws.partners.partners.len(),
                errors: 0,
                warnings: loaded.warnings.len(),
                diagnostics: loaded.warnings,
            }))
        }
        Err(e) => {
            let Some(Invalid(diags)) = e.downcast_ref::<Invalid>() else {
                return Err(e);
            };
            let errors = diags.iter().filter(|d| d.level == Level::Error).count();
            let report = ValidationReport {
                valid: false,
                requests: 0,
                releases: 0,
                partners: 0,
                errors,
                warnings: diags.len() - errors,
                diagnostics: diags.clone(),
            };
            Ok(Validation::Invalid(report, e))
        }
    }
}
