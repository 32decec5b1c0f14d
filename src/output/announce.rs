//! The forms of `announce`: the report table, the list of recipients shown
//! before a send is confirmed, and the preview of `--dry-run`.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::ops::announce::{Announcement, Kind, Status};
use crate::ui::Paint;

impl Report for Announcement {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.emails.is_empty() {
            let what = if self.major == 0 {
                "no major changes, no e-mail"
            } else {
                "no e-mail to write"
            };
            writeln!(w, "{}: {what}", self.release)?;
        }
        for e in &self.emails {
            writeln!(w, "{:<13} {}  → {}", e.status.as_str(), e.file, e.to)?;
            if let Some(why) = &e.error {
                writeln!(w, "{:<13} {why}", "")?;
            }
        }
        let wiki = if self.dry_run {
            "would-write"
        } else {
            "written"
        };
        for p in &self.wiki {
            writeln!(w, "{wiki:<13} {p}")?;
        }
        Ok(())
    }
}

/// The recipients of a send, for the confirmation (partner, address, language,
/// subject).
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Recipients<'a>(pub &'a Announcement);

impl Report for Recipients<'_> {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let mut t = super::table(["partner", "address", "language", "subject"]);
        let pending: Vec<_> = self.0.pending().collect();
        for e in &pending {
            t.add_row(vec![
                e.partner.clone().unwrap_or_else(|| "–".into()),
                e.to.clone(),
                e.lang.clone(),
                e.subject.clone(),
            ]);
        }
        super::write_table(w, &t)?;
        let before = self.0.emails.len() - pending.len();
        if before > 0 {
            writeln!(
                w,
                "{before} more {} sent before and {} not sent again",
                if before == 1 { "was" } else { "were" },
                if before == 1 { "is" } else { "are" }
            )?;
        }
        Ok(())
    }
}

/// What `--dry-run` shows: every e-mail as it would go out (headers and the
/// plain-text part) and every wiki page, each marked with what would happen.
#[must_use]
pub fn preview(a: &Announcement) -> String {
    let mut s = String::new();
    for e in &a.emails {
        let what = match (e.status, e.kind) {
            (Status::AlreadySent, _) => "sent before, not again",
            (Status::WouldSend, Kind::Correction) => "correction, would be sent",
            (Status::WouldSend, Kind::Announcement) => "would be sent",
            _ => "would be written",
        };
        let _ = writeln!(s, "=== {} ({what})", e.file);
        let _ = writeln!(s, "From: {}", e.from.as_deref().unwrap_or_default());
        let to = match &e.draft.to_name {
            Some(n) => format!("{n} <{}>", e.to),
            None => e.to.clone(),
        };
        let _ = writeln!(s, "To: {to}");
        let _ = writeln!(s, "Subject: {}", e.subject);
        let _ = writeln!(s, "Content-Language: {}", e.lang);
        let _ = writeln!(s);
        let text = e.text.as_deref().unwrap_or_default();
        s.push_str(text.trim_end());
        s.push_str("\n\n");
    }
    for p in &a.pages {
        let _ = writeln!(s, "=== {} (would be written)", p.file);
        s.push_str(p.text.trim_end());
        s.push_str("\n\n");
    }
    s.truncate(s.trim_end().len());
    s.push('\n');
    s
}
