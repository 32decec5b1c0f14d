//! The tables of `sla` and `sla report`, what `sla ack` recorded, and the
//! markdown page of `sla report --as markdown` (for the wiki, in German or English).

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::model::dates::Timestamp;
use crate::ops::sla::{Acked, Figures, Sla, YearReport};
use crate::ui::{Paint, Style};

/// Working minutes as `3h05` (negative: `-3h05`).
#[must_use]
pub fn hours_minutes(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    format!("{sign}{}h{:02}", m / 60, m % 60)
}

fn stamp(t: Option<&Timestamp>) -> String {
    t.map_or_else(
        || "–".to_owned(),
        |t| t.0.format("%a %Y-%m-%d %H:%M").to_string(),
    )
}

impl Report for Sla {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no open hotfix requests");
        }
        let mut t = table([
            "request", "status", "reported", "due", "left", "release", "title",
        ]);
        for r in &self.requests {
            let left = match (r.left_minutes, r.met) {
                (None, _) => "no reported_at".to_owned(),
                (Some(m), Some(true)) => format!("met, {} to spare", hours_minutes(m)),
                (Some(m), Some(false)) => {
                    paint.apply(Style::Bad, &format!("MISSED by {}", hours_minutes(-m)))
                }
                (Some(m), None) if r.late => {
                    paint.apply(Style::Bad, &format!("LATE {}", hours_minutes(-m)))
                }
                (Some(m), None) => hours_minutes(m),
            };
            t.add_row(vec![
                r.id.clone(),
                r.status.to_string(),
                stamp(r.reported_at.as_ref()),
                stamp(r.due.as_ref()),
                left,
                r.release.map(|x| x.to_string()).unwrap_or_default(),
                r.title.clone(),
            ]);
        }
        write_table(w, &t)?;
        let (met, missed) = self.met_missed();
        let reactions = if met + missed > 0 {
            format!("; reactions recorded: {met} met, {missed} missed")
        } else {
            String::new()
        };
        writeln!(
            w,
            "promise: reaction within {} working hours; {} late{reactions}",
            self.reaction_hours, self.late
        )
    }
}

impl Acked {
    /// The status line of `sla ack`.
    #[must_use]
    pub fn message(&self) -> String {
        if !self.changed {
            return format!(
                "the reaction to {} at {} is recorded already; nothing changed",
                self.request, self.reacted_at
            );
        }
        let verdict = match self.left_minutes {
            Some(m) if self.met => format!("met, {} to spare", hours_minutes(m)),
            Some(m) => format!("MISSED by {}", hours_minutes(-m)),
            None => "no deadline".to_owned(),
        };
        format!(
            "{}: reaction recorded at {}, {} working hours after the report: {verdict}",
            self.request,
            self.reacted_at,
            hours_minutes(self.reaction_minutes)
        )
    }
}

impl Report for Acked {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.message())
    }
}

fn opt_hm(m: Option<i64>) -> String {
    m.map_or_else(|| "–".to_owned(), hours_minutes)
}

impl Report for YearReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no hotfix requests reported in {}", self.year);
        }
        let mut t = table([
            "partner",
            "requests",
            "met",
            "missed",
            "pending",
            "unrecorded",
            "median",
            "worst",
        ]);
        let mut row = |name: String, f: &Figures| {
            t.add_row(vec![
                name,
                f.requests.to_string(),
                f.met.to_string(),
                f.missed.to_string(),
                f.pending.to_string(),
                f.unrecorded.to_string(),
                opt_hm(f.median_minutes),
                opt_hm(f.worst_minutes),
            ]);
        };
        for p in &self.partners {
            row(
                p.partner.clone().unwrap_or_else(|| "(no partner)".into()),
                &p.figures,
            );
        }
        row("all".into(), &self.total);
        write_table(w, &t)?;
        writeln!(
            w,
            "{}: hotfix requests reported in {}; promise: reaction within {} working hours; median and worst in working hours over recorded reactions",
            self.year, self.year, self.reaction_hours
        )
    }
}

/// The words of the markdown page.
struct Words {
    title: &'static str,
    promise: &'static str,
    header: [&'static str; 8],
    no_partner: &'static str,
    all: &'static str,
    none: &'static str,
    note: &'static str,
}

const DE: Words = Words {
    title: "Reaktionszusage",
    promise:
        "Zusage: eine Reaktion innerhalb von {h} Arbeitsstunden nach der Meldung eines Hotfixes.",
    header: [
        "Partner",
        "Meldungen",
        "eingehalten",
        "verfehlt",
        "offen",
        "ohne Reaktionszeit",
        "Median",
        "längste",
    ],
    no_partner: "ohne Partner",
    all: "gesamt",
    none: "Keine Hotfix-Meldungen.",
    note:
        "Median und längste Reaktionszeit in Arbeitsstunden (h:mm), über die erfassten Reaktionen.",
};

const EN: Words = Words {
    title: "Reaction promise",
    promise: "Promise: a reaction within {h} working hours after a hotfix is reported.",
    header: [
        "Partner",
        "Requests",
        "met",
        "missed",
        "pending",
        "no reaction recorded",
        "median",
        "worst",
    ],
    no_partner: "no partner",
    all: "all",
    none: "No hotfix requests.",
    note: "Median and worst reaction time in working hours (h:mm), over the recorded reactions.",
};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// `sla report --as markdown`: the figures as a page for the wiki, in German
/// (`de…`) or English.
#[must_use]
pub fn year_markdown(r: &YearReport, lang: &str) -> String {
    let t = if lang.starts_with("de") { &DE } else { &EN };
    let hm =
        |m: Option<i64>| m.map_or_else(|| "–".to_owned(), |m| format!("{}:{:02}", m / 60, m % 60));
    let mut out = format!("# {} {}\n\n", t.title, r.year);
    out.push_str(&t.promise.replace("{h}", &r.reaction_hours.to_string()));
    out.push_str("\n\n");
    if r.requests.is_empty() {
        out.push_str(t.none);
        out.push('\n');
        return out;
    }
    out.push_str(&format!("| {} |\n", t.header.join(" | ")));
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut row = |name: String, f: &Figures| {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&name),
            f.requests,
            f.met,
            f.missed,
            f.pending,
            f.unrecorded,
            hm(f.median_minutes),
            hm(f.worst_minutes)
        ));
    };
    for p in &r.partners {
        let name = match (&p.name, &p.partner) {
            (Some(n), _) => n.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => t.no_partner.to_owned(),
        };
        row(name, &p.figures);
    }
    row(format!("**{}**", t.all), &r.total);
    out.push('\n');
    out.push_str(t.note);
    out.push('\n');
    out
}
