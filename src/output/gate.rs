//! The gate report of `gate check` (also shown on stderr before `gate advance`
//! asks) and what `gate advance` recorded.

use std::io::{self, Write};

use super::Report;
use crate::gates::GateReport;
use crate::ops::gate::{Advanced, Deployed};
use crate::ui::{Paint, Style};

fn mark(passed: bool, paint: &Paint) -> String {
    if passed {
        paint.apply(Style::Good, "met  ")
    } else {
        paint.apply(Style::Bad, "UNMET")
    }
}

fn render_report(r: &GateReport, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    let verdict = if r.passed {
        paint.apply(Style::Good, "passes")
    } else {
        paint.apply(Style::Bad, "does not pass")
    };
    writeln!(
        w,
        "{}: gate {} → {} {verdict}",
        paint.apply(Style::Bold, &r.release.to_string()),
        r.from,
        r.to
    )?;
    if r.checks.is_empty() {
        writeln!(
            w,
            "  (no criteria: going back or cancelling needs only a reason)"
        )?;
    }
    let width = r.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &r.checks {
        writeln!(
            w,
            "  {}  {:<width$}  {}",
            mark(c.passed, paint),
            c.name,
            c.detail
        )?;
    }
    Ok(())
}

impl Report for GateReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        render_report(self, w, paint)
    }
}

impl Advanced {
    /// The status line of `gate advance`.
    #[must_use]
    pub fn message(&self) -> String {
        format!(
            "{}: {} → {}{}",
            self.report.release,
            self.report.from,
            self.report.to,
            if self.forced { " (forced)" } else { "" }
        )
    }
}

impl Report for Advanced {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.message())
    }
}

impl Deployed {
    /// The status line of `gate deploy`.
    #[must_use]
    pub fn message(&self) -> String {
        if !self.changed {
            return format!(
                "{} is deployed to the test mirror already; nothing changed",
                self.deployed
            );
        }
        let since = self.test_started_at.map_or_else(String::new, |t| {
            format!("; the test phase still counts from {}", t.0.date_naive())
        });
        format!(
            "{}: {} deployed to the test mirror{}{since}",
            self.release,
            self.deployed,
            self.previous
                .as_deref()
                .map_or_else(String::new, |p| format!(" (was {p})")),
        )
    }
}

impl Report for Deployed {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.message())
    }
}
