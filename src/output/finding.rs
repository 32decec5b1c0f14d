//! The table of `finding list`, and what `finding add|resolve` did.

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::ops::finding::{Added, FindingList, Resolved};
use crate::ops::hotfix::HotfixCreated;
use crate::ui::Paint;

impl Report for FindingList<'_> {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.findings.is_empty() {
            return writeln!(w, "no findings");
        }
        let mut t = table([
            "release", "#", "severity", "state", "request", "raised", "text",
        ]);
        for r in &self.findings {
            let f = r.finding;
            t.add_row(vec![
                r.release.to_string(),
                f.number.to_string(),
                f.severity.to_string(),
                if r.open {
                    "open".into()
                } else {
                    "resolved".to_owned()
                },
                f.request.clone().unwrap_or_default(),
                f.raised_at.0.format("%Y-%m-%d %H:%M").to_string(),
                f.text.clone(),
            ]);
        }
        write_table(w, &t)
    }
}

impl Report for Added {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.number)
    }
}

impl Resolved {
    /// The status line of `finding resolve`.
    #[must_use]
    pub fn message(&self) -> String {
        if self.already {
            format!(
                "finding #{} of {} was resolved at {} already; nothing changed",
                self.number, self.release, self.resolved_at
            )
        } else {
            format!("resolved finding #{} of {}", self.number, self.release)
        }
    }
}

impl Report for Resolved {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.message())
    }
}

impl Report for HotfixCreated {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.id)
    }
}
