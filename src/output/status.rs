//! Tables of `release list|show` and `release add|remove`.

use std::io::{self, Write};

use super::{bar, table, write_table, Report};
use crate::ops::scope::{Accepted, ScopeChange};
use crate::ops::status::{ReleaseList, ReleaseView};
use crate::ui::{Paint, Style};

/// `backend 20/24` for every team, joined by `sep`; a team over its capacity
/// gets a `!`.
fn by_team(
    load: &std::collections::BTreeMap<String, u64>,
    capacity: &std::collections::BTreeMap<String, u64>,
    sep: &str,
) -> String {
    load.iter()
        .map(|(team, l)| {
            let c = capacity.get(team).copied().unwrap_or(0);
            format!("{team} {l}/{c}{}", if *l > c { " !" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(sep)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

impl Report for ReleaseList {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.releases.is_empty() {
            return writeln!(w, "no releases in {}", self.year);
        }
        let teams = self.releases.iter().any(|r| !r.load_by_team.is_empty());
        let mut header = vec![
            "release",
            "stage",
            "dev start",
            "test start",
            "release",
            "next gate",
            "days",
            "load",
        ];
        if teams {
            header.push("by team");
        }
        header.push("findings");
        let mut t = table(header);
        for r in &self.releases {
            let findings = match (r.open_findings, r.open_blockers) {
                (0, _) => String::new(),
                (n, 0) => format!("{n} open"),
                (n, b) => format!("{n} open ({b} blocker)"),
            };
            let mut cells = vec![
                format!("{}{}", r.id, if r.file { "" } else { " *" }),
                r.stage.to_string(),
                opt(r.dev_start),
                opt(r.test_start),
                opt(r.release_date),
                opt(r.next_gate),
                opt(r.days_to_next_gate),
                format!("{}/{} {}", r.load, r.capacity, bar(r.load, r.capacity, 10)),
            ];
            if teams {
                cells.push(by_team(&r.load_by_team, &r.capacity_by_team, "\n"));
            }
            cells.push(findings);
            t.add_row(cells);
        }
        write_table(w, &t)?;
        if self.releases.iter().any(|r| !r.file) {
            writeln!(w, "* calendar slot without a release file")?;
        }
        Ok(())
    }
}

impl Report for ReleaseView<'_> {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        let r = &self.row;
        writeln!(
            w,
            "{}  {}",
            paint.apply(Style::Bold, &r.id.to_string()),
            r.stage
        )?;
        writeln!(w, "  dev start:    {}", opt(r.dev_start))?;
        writeln!(w, "  test start:   {}", opt(r.test_start))?;
        writeln!(w, "  release date: {}", opt(r.release_date))?;
        if let (Some(g), Some(d)) = (r.next_gate, r.days_to_next_gate) {
            writeln!(w, "  next gate:    {g} in {d} days")?;
        }
        writeln!(
            w,
            "  load:         {}/{}{}",
            r.load,
            r.capacity,
            if self.frozen { " (scope frozen)" } else { "" }
        )?;
        for (team, load) in &r.load_by_team {
            let cap = r.capacity_by_team.get(team).copied().unwrap_or(0);
            writeln!(
                w,
                "    team {team:<12} {load}/{cap} {}",
                bar(*load, cap, 10)
            )?;
        }
        if let Some(d) = self.deployed {
            writeln!(w, "  deployed:     {d}")?;
        }
        if let Some(t) = &self.test_started_at {
            writeln!(w, "  test started: {t}")?;
        }
        if let Some(x) = self.signoff {
            writeln!(w, "  signed off:   {x}")?;
        }
        if !self.scope.is_empty() {
            writeln!(w)?;
            let mut t = table(["request", "kind", "status", "effort", "title"]);
            for i in &self.scope {
                t.add_row(vec![
                    i.id.clone(),
                    i.kind.clone(),
                    i.status.clone(),
                    i.effort.to_string(),
                    i.title.clone(),
                ]);
            }
            write_table(w, &t)?;
        }
        if !self.findings.is_empty() {
            writeln!(w, "\nfindings:")?;
            for f in self.findings {
                let state = if f.is_open() { "open" } else { "resolved" };
                writeln!(w, "  #{} {} [{state}] {}", f.number, f.severity, f.text)?;
            }
        }
        if !self.history.is_empty() {
            writeln!(w, "\nhistory:")?;
            for h in self.history {
                let what = if h.from == h.to {
                    let mut parts = Vec::new();
                    if !h.added.is_empty() {
                        parts.push(format!("added {}", h.added.join(", ")));
                    }
                    if !h.removed.is_empty() {
                        parts.push(format!("removed {}", h.removed.join(", ")));
                    }
                    if !h.accepted.is_empty() {
                        parts.push(format!("accepted {}", h.accepted.join(", ")));
                    }
                    match &h.deployed {
                        Some(d) if parts.is_empty() => format!("deployed {d}"),
                        _ => format!("scope: {}", parts.join("; ")),
                    }
                } else {
                    format!("{} → {}", h.from, h.to)
                };
                write!(w, "  {}  {what}  by {}", h.at, h.by)?;
                if h.forced {
                    write!(w, " (forced)")?;
                }
                if !h.reason.is_empty() {
                    write!(w, " — {}", h.reason)?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    }
}

impl ScopeChange {
    /// The status line of `release add|remove`.
    #[must_use]
    pub fn message(&self) -> String {
        let prep = if self.change == "added" { "to" } else { "from" };
        format!("{} {} {prep} {}", self.change, self.request, self.release)
    }
}

impl Report for ScopeChange {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(
            w,
            "{}: load {}/{}{}",
            self.message(),
            self.load,
            self.capacity,
            if self.load_by_team.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    by_team(&self.load_by_team, &self.capacity_by_team, ", ")
                )
            }
        )
    }
}

impl Accepted {
    /// The status line of `release accept`.
    #[must_use]
    pub fn message(&self) -> String {
        let ids = |v: &[crate::model::Id]| {
            v.iter()
                .map(crate::model::Id::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.accepted.is_empty() {
            format!(
                "every request in the scope of {} is accepted already; nothing changed",
                self.release
            )
        } else {
            format!(
                "accepted {} in the scope of {}",
                ids(&self.accepted),
                self.release
            )
        }
    }
}

impl Report for Accepted {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.message())
    }
}
