//! `zyklus plan` for people: the horizon with load bars, deferred requests with
//! their reasons, the changes against the plan on disk, the objective and bound;
//! one request's story (`--explain`); and `--compare` as a table or as Markdown
//! for a pull-request comment.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use crate::model::ReleaseId;
use crate::ops::plan::compare::{CompareReport, Move, MoveKind, ThenNow};
use crate::ops::plan::{PlanReport, Story, WhatIf};
use crate::ui::{Paint, Style};

fn line(r: &PlanReport, id: &str) -> String {
    match r.lines.get(id) {
        Some(l) => format!("{id:<10} {:>3}  {:>7.1}  {}", l.effort, l.score, l.title),
        None => id.to_owned(),
    }
}

impl Report for PlanReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        if let Some(story) = &self.explain {
            return render_story(story, w, paint);
        }
        writeln!(w, "{:<12} {:>3}  {:>7}  title", "", "eff", "score")?;
        for f in &self.frozen {
            writeln!(
                w,
                "{}  {} (frozen), load {}: {}",
                paint.apply(Style::Bold, &f.id.to_string()),
                f.stage,
                f.load,
                f.scope.join(", ")
            )?;
        }
        for r in &self.releases {
            let what_if = what_if_note(&self.what_if, r.id, None);
            writeln!(
                w,
                "\n{}  release {}  test from {}  load {:>3}/{:<3} {}{what_if}",
                paint.apply(Style::Bold, &r.id.to_string()),
                r.release_date,
                r.test_start,
                r.load,
                r.capacity,
                paint.apply(
                    if r.load > r.capacity {
                        Style::Bad
                    } else {
                        Style::Good
                    },
                    &super::bar(r.load, r.capacity, 20)
                ),
            )?;
            for (team, load) in &r.load_by_team {
                let cap = r.capacity_by_team.get(team).copied().unwrap_or(0);
                let what_if = what_if_note(&self.what_if, r.id, Some(team));
                writeln!(
                    w,
                    "  team {team:<13} load {load:>3}/{cap:<3} {}{what_if}",
                    paint.apply(
                        if *load > cap { Style::Bad } else { Style::Good },
                        &super::bar(*load, cap, 20)
                    ),
                )?;
            }
            if r.scope.is_empty() {
                writeln!(w, "  (empty)")?;
            }
            for id in &r.scope {
                writeln!(w, "  {}", line(self, id))?;
            }
        }
        if !self.deferred.is_empty() {
            writeln!(
                w,
                "\n{} ({})",
                paint.apply(Style::Bold, "Deferred"),
                self.deferred.len()
            )?;
            for d in &self.deferred {
                writeln!(w, "  {:<10} {}", d.id, d.reason)?;
            }
        }
        writeln!(
            w,
            "\n{}",
            paint.apply(Style::Bold, "Changes against the plan on disk")
        )?;
        if self.first_plan {
            writeln!(w, "  none on disk yet: this is the first plan")?;
        } else if self.changes.is_empty() {
            writeln!(w, "  none")?;
        }
        for c in self.changes.iter().filter(|_| !self.first_plan) {
            let desc = match (&c.from, &c.to) {
                (None, Some(to)) => format!("moved in: → {to}"),
                (Some(from), None) => format!("moved out: {from} → deferred"),
                (Some(from), Some(to)) => format!("moved: {from} → {to}"),
                (None, None) => "unchanged".into(),
            };
            writeln!(w, "  {:<10} {desc}", c.id)?;
        }
        if !self.first_plan {
            let cost = if self.unconstrained_best > 0.0 {
                100.0 * (self.unconstrained_best - self.objective) / self.unconstrained_best
            } else {
                0.0
            };
            let moves = if self.moves == 1 { "move" } else { "moves" };
            writeln!(
                w,
                "  kept {} of {} placements; {} {moves}, objective {:.2} % below the unconstrained best ({:.2})",
                self.kept,
                self.baseline_planned,
                self.moves,
                cost.max(0.0),
                self.unconstrained_best
            )?;
        }
        if !self.what_if.is_empty() {
            writeln!(
                w,
                "\nA what-if (--capacity): nothing is written; the changes are against the plan on disk."
            )?;
        }
        writeln!(
            w,
            "\nobjective {:.2}  bound {:.2}  gap {:.2} %{}  ({} ms)",
            self.objective,
            self.bound,
            self.gap,
            if self.optimal { "  proven optimal" } else { "" },
            self.solve_ms
        )
    }
}

/// `  (what-if; configured N)` for the release's total (`team` None) or one team's
/// capacity, when this run changed it; empty otherwise.
fn what_if_note(what_if: &[WhatIf], id: ReleaseId, team: Option<&String>) -> String {
    what_if
        .iter()
        .find(|x| x.id == id && x.team.as_ref() == team)
        .map(|x| format!("  (what-if; configured {})", x.configured))
        .unwrap_or_default()
}

fn render_story(s: &Story, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    writeln!(w, "{}  {}", paint.apply(Style::Bold, &s.id), s.title)?;
    writeln!(
        w,
        "  status {}, effort {}, score {:.2}",
        s.status, s.effort, s.score
    )?;
    for (k, v) in &s.breakdown {
        writeln!(w, "    {k:<18} {v:>8.2}")?;
    }
    for c in &s.constraints {
        writeln!(w, "  constraint: {c}")?;
    }
    match &s.release {
        Some(r) => writeln!(w, "  planned in {r}")?,
        None => writeln!(w, "  not planned")?,
    }
    for line in &s.story {
        writeln!(w, "  {line}")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// plan --compare

fn place(r: Option<ReleaseId>) -> String {
    r.map_or_else(|| "deferred".to_owned(), |r| r.to_string())
}

/// Where a request came from, seen from the release it moved into.
fn came_from(m: &Move) -> String {
    match m.change {
        MoveKind::Added => "new in the backlog".to_owned(),
        MoveKind::Planned => "was not planned".to_owned(),
        _ => format!("from {}", place(m.from)),
    }
}

/// Where a request went, seen from the release it left.
fn went_to(m: &Move) -> String {
    match m.change {
        MoveKind::Removed => "removed from the backlog".to_owned(),
        MoveKind::Deferred => "not planned now".to_owned(),
        MoveKind::Closed => m
            .status
            .map_or_else(|| "closed".to_owned(), |s| format!("now {s}")),
        _ => format!("to {}", place(m.to)),
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

/// `40 → 45`, or `40` when it did not change.
fn then_now(v: ThenNow<Option<u64>>) -> String {
    if v.then == v.now {
        opt(v.now)
    } else {
        format!("{} → {}", opt(v.then), opt(v.now))
    }
}

fn summary(r: &CompareReport) -> String {
    let n = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let mut parts = vec![n(r.moves.len(), "request moves", "requests move")];
    if !r.added.is_empty() {
        parts.push(format!("{} added to the backlog", r.added.len()));
    }
    if !r.removed.is_empty() {
        parts.push(format!("{} removed from the backlog", r.removed.len()));
    }
    if !r.capacity.is_empty() {
        parts.push(n(r.capacity.len(), "capacity change", "capacity changes"));
    }
    parts.join(", ")
}

impl Report for CompareReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        writeln!(
            w,
            "{} {} ({}) → now",
            paint.apply(Style::Bold, "Plan at"),
            self.base.rev,
            self.base.commit
        )?;
        if !self.changed {
            writeln!(w, "\nThe plan does not change.")?;
        } else {
            writeln!(w, "\n{}", summary(self))?;
        }
        for r in self.releases.iter().filter(|r| r.changed()) {
            writeln!(
                w,
                "\n{}  capacity {}  load {}",
                paint.apply(Style::Bold, &r.id.to_string()),
                then_now(r.capacity),
                then_now(r.load)
            )?;
            for m in &r.moved_in {
                writeln!(w, "  + {:<10} {:<24} {}", m.id, came_from(m), m.title)?;
            }
            for m in &r.moved_out {
                writeln!(w, "  - {:<10} {:<24} {}", m.id, went_to(m), m.title)?;
            }
        }
        if !self.added.is_empty() || !self.removed.is_empty() {
            writeln!(w, "\n{}", paint.apply(Style::Bold, "Backlog"))?;
            for b in &self.added {
                writeln!(
                    w,
                    "  added    {:<10} {:<10} {}",
                    b.id,
                    place(b.release),
                    b.title
                )?;
            }
            for b in &self.removed {
                writeln!(
                    w,
                    "  removed  {:<10} {:<10} {}",
                    b.id,
                    place(b.release),
                    b.title
                )?;
            }
        }
        writeln!(
            w,
            "\nobjective {:.2} → {:.2}  bound {:.2} → {:.2}  gap {:.2} % → {:.2} %",
            self.objective.then,
            self.objective.now,
            self.bound.then,
            self.bound.now,
            self.gap.then,
            self.gap.now
        )
    }
}

/// Text from request files made inert for Markdown: no emphasis, links, HTML,
/// mentions or table breaks.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '@' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `plan --compare REF --as markdown`: a pull-request comment.
#[must_use]
pub fn compare_markdown(r: &CompareReport) -> String {
    let mut s = String::new();
    // A marker, so that CI can find and update its own comment.
    let _ = writeln!(s, "<!-- zyklus plan --compare -->");
    let _ = writeln!(
        s,
        "### Roadmap: `{}` ({}) → this change\n",
        r.base.rev.replace(['`', '\n'], "'"),
        r.base.commit
    );
    if r.changed {
        let _ = writeln!(s, "**{}.**\n", summary(r));
    } else {
        let _ = writeln!(s, "The plan does not change.\n");
    }
    for d in r.releases.iter().filter(|d| d.changed()) {
        let _ = writeln!(
            s,
            "#### {} — capacity {}, load {}\n",
            d.id,
            then_now(d.capacity),
            then_now(d.load)
        );
        for m in &d.moved_in {
            let _ = writeln!(s, "- ➕ **{}** {} — {}", m.id, md(&m.title), came_from(m));
        }
        for m in &d.moved_out {
            let _ = writeln!(s, "- ➖ **{}** {} — {}", m.id, md(&m.title), went_to(m));
        }
        let _ = writeln!(s);
    }
    if !r.added.is_empty() || !r.removed.is_empty() {
        let _ = writeln!(s, "#### Backlog\n");
        for b in &r.added {
            let _ = writeln!(
                s,
                "- added **{}** {} — {}",
                b.id,
                md(&b.title),
                b.release
                    .map_or_else(|| "not planned".to_owned(), |r| format!("planned in {r}"))
            );
        }
        for b in &r.removed {
            let _ = writeln!(
                s,
                "- removed **{}** {} — {}",
                b.id,
                md(&b.title),
                b.release
                    .map_or_else(|| "was not planned".to_owned(), |r| format!("was in {r}"))
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "| | then | now |\n|---|---:|---:|");
    let _ = writeln!(
        s,
        "| objective | {:.2} | {:.2} |",
        r.objective.then, r.objective.now
    );
    let _ = writeln!(s, "| bound | {:.2} | {:.2} |", r.bound.then, r.bound.now);
    let _ = writeln!(s, "| gap | {:.2} % | {:.2} % |", r.gap.then, r.gap.now);
    s
}
