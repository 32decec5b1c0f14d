//! The table form of `changelog`'s report.

use std::io::{self, Write};

use super::Report;
use crate::ops::changelog::ChangelogReport;
use crate::ui::Paint;

impl Report for ChangelogReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        match (&self.commit, self.changed, self.dry_run) {
            (_, true, true) => writeln!(w, "{}: would write {}", self.release, self.file)?,
            (Some(c), _, _) => writeln!(w, "{}: committed {} ({c})", self.release, self.file)?,
            _ => writeln!(
                w,
                "{}: {} is up to date; nothing to commit",
                self.release, self.file
            )?,
        }
        if let Some(t) = &self.tag {
            let what = match (self.tag_created, self.dry_run) {
                (true, true) => "would be created",
                (true, false) => "created",
                (false, _) => "exists already",
            };
            writeln!(w, "tag {t} {what}")?;
        }
        Ok(())
    }
}
