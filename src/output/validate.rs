//! What `validate` prints when the workspace is valid (the diagnostics go to
//! stderr through the shell).

use std::io::{self, Write};

use super::Report;
use crate::ops::validate::ValidationReport;
use crate::ui::{Paint, Style};

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
