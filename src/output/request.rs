//! The tables of `request list|show`, and what `request new|set` did.

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::model::Id;
use crate::ops::request::{Created, RequestList, RequestView, UpdatedList};
use crate::ui::{Paint, Style};

impl Report for RequestList<'_> {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no requests match");
        }
        let mut t = table([
            "id", "kind", "status", "effort", "impact", "partners", "title",
        ]);
        for r in &self.requests {
            let partners: Vec<&str> = r.requested_by.iter().map(Id::as_str).collect();
            t.add_row(vec![
                r.id.to_string(),
                r.kind.to_string(),
                r.status.to_string(),
                r.effort.to_string(),
                r.impact.to_string(),
                partners.join(", "),
                r.title.clone(),
            ]);
        }
        write_table(w, &t)?;
        writeln!(w, "{} requests", self.requests.len())
    }
}

impl Report for RequestView<'_> {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        let r = self.request;
        writeln!(
            w,
            "{}  {}",
            paint.apply(Style::Bold, r.id.as_str()),
            r.title
        )?;
        let join = |ids: &[Id]| ids.iter().map(Id::as_str).collect::<Vec<_>>().join(", ");
        let mut rows: Vec<(&str, String)> = vec![
            ("kind", r.kind.to_string()),
            ("status", r.status.to_string()),
            ("effort", r.effort.to_string()),
            ("impact", r.impact.to_string()),
        ];
        let optional = [
            ("requested by", join(&r.requested_by)),
            ("depends on", join(&r.depends_on)),
            ("together with", join(&r.together_with)),
            (
                "created",
                r.created.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (
                "deadline",
                r.deadline.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("pin", r.pin.map(|p| p.to_string()).unwrap_or_default()),
            (
                "team",
                r.team_effort
                    .iter()
                    .map(|(t, u)| format!("{t} {u}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "reported at",
                r.reported_at.map(|t| t.to_string()).unwrap_or_default(),
            ),
            (
                "reacted at",
                r.reaction
                    .as_ref()
                    .map_or_else(String::new, |x| match &x.note {
                        Some(n) => format!("{} ({n})", x.at),
                        None => x.at.to_string(),
                    }),
            ),
            (
                "scores",
                r.scores
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "releases",
                self.releases
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ];
        rows.extend(optional.into_iter().filter(|(_, v)| !v.is_empty()));
        for (k, v) in rows {
            writeln!(w, "  {:<14}{v}", format!("{k}:"))?;
        }
        for (lang, text) in &r.text {
            writeln!(w, "\n  [{lang}] {text}")?;
        }
        Ok(())
    }
}

impl Report for Created {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.id)
    }
}

impl UpdatedList {
    /// The status line of `request set` for the requests that had their values
    /// already (the others are named by the `wrote …` lines).
    #[must_use]
    pub fn unchanged_message(&self) -> Option<String> {
        let same: Vec<&str> = self
            .requests
            .iter()
            .filter(|r| !r.changed)
            .map(|r| r.id.as_str())
            .collect();
        match same.len() {
            0 => None,
            1 => Some(format!(
                "{} already has these values; nothing changed",
                same[0]
            )),
            _ => Some(format!(
                "{} already have these values; nothing changed there",
                same.join(", ")
            )),
        }
    }
}

impl Report for UpdatedList {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        for r in &self.requests {
            writeln!(
                w,
                "{} {}",
                r.id,
                if r.changed { "updated" } else { "unchanged" }
            )?;
        }
        Ok(())
    }
}
