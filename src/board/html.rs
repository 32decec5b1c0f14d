//! The pages: `index.html` (timeline, one card per release, the hotfix promise,
//! deferred requests) and `release-<id>.html` per release (facts, next gate,
//! scope, deferred requests, findings with their burn-down, gate history).
//!
//! Self-contained: inline CSS and SVG, no script, no external resource; a
//! Content-Security-Policy forbids everything else, so even a text that slipped
//! through escaping could not load or run anything. Every value that comes from a
//! workspace file is written through [`Esc`].

use std::fmt::{self, Write as _};

use super::svg;
use super::{Board, Lang, NextGate, ReleaseView, SeverityCounts};
use crate::model::{Finding, HistoryEntry, Severity};

/// Writes to a `String`, which cannot fail.
macro_rules! w {
    ($o:expr, $($arg:tt)*) => {
        let _ = write!($o, $($arg)*);
    };
}
pub(super) use w;

/// Text escaped for HTML content and attribute values: `& < > " '`, and control
/// characters (which HTML forbids) shown as their Unicode control pictures
/// (U+2400 …), or U+FFFD for C1 controls. Tab and newline stay.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\t' | '\n' => f.write_char(c)?,
                '\u{0}'..='\u{1f}' => {
                    f.write_char(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))?;
                }
                '\u{7f}' => f.write_char('\u{2421}')?,
                '\u{80}'..='\u{9f}' => f.write_char('\u{fffd}')?,
                _ => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

const CSS: &str = include_str!("board.css");

/// The pages of the board as `(file name, HTML)`: `index.html` first, then one
/// `release-<id>.html` per release and hotfix release. File names are plain names
/// (no directory), so the caller writes nothing outside its output directory.
#[must_use]
pub fn render(board: &Board) -> Vec<(String, String)> {
    let mut out = vec![("index.html".to_owned(), index(board))];
    for r in &board.releases {
        out.push((r.page(), release_page(board, r)));
        for h in &r.hotfixes {
            out.push((h.page(), release_page(board, h)));
        }
    }
    out
}

/// The page frame: head, skip link, header, navigation; `main` is the caller's.
fn open_page(o: &mut String, board: &Board, title: &str, heading: &str, current: Option<&str>) {
    let lang = board.lang;
    let t = lang.t();
    w!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"generator\" content=\"zyklus board\">\n\
         <link rel=\"icon\" href=\"data:,\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">{}</a>\n\
         <header class=\"top\">\n<p class=\"product\">{}</p>\n<h1>{}</h1>\n\
         <p class=\"asof\">{}: {}</p>\n</header>\n",
        Esc(title),
        t.skip,
        Esc(&board.product),
        Esc(heading),
        t.as_of,
        lang.timestamp(board.now),
    );
    w!(o, "<nav aria-label=\"{}\">\n<ul>\n", t.releases);
    let link = |o: &mut String, href: &str, label: &str| {
        let cur = if current == Some(href) {
            " aria-current=\"page\""
        } else {
            ""
        };
        w!(
            o,
            "<li><a href=\"{}\"{cur}>{}</a></li>\n",
            Esc(href),
            Esc(label)
        );
    };
    link(o, "index.html", &format!("{} {}", t.board, board.year));
    for r in &board.releases {
        link(o, &r.page(), &r.id.to_string());
        for h in &r.hotfixes {
            link(o, &h.page(), &h.id.to_string());
        }
    }
    o.push_str("</ul>\n</nav>\n<main id=\"main\">\n");
}

fn close_page(o: &mut String, board: &Board) {
    let t = board.lang.t();
    w!(
        o,
        "</main>\n<footer>\n<p>{} · {}: {} · {}: {}</p>\n</footer>\n</body>\n</html>\n",
        t.made_by,
        t.as_of,
        board.lang.timestamp(board.now),
        t.language,
        board.lang
    );
}

/// A table in a scrollable, focusable region (wide tables scroll on a phone
/// instead of widening the page).
fn open_table(o: &mut String, label: &str, caption: Option<&str>, tall: bool) {
    w!(
        o,
        "<div class=\"scroll{}\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\n<table>\n",
        if tall { " table-tall" } else { "" },
        Esc(label)
    );
    if let Some(c) = caption {
        w!(o, "<caption>{}</caption>\n", Esc(c));
    }
}

fn head_row(o: &mut String, cols: &[(&str, bool)]) {
    o.push_str("<thead><tr>");
    for (c, num) in cols {
        w!(
            o,
            "<th scope=\"col\"{}>{}</th>",
            if *num { " class=\"num\"" } else { "" },
            Esc(c)
        );
    }
    o.push_str("</tr></thead>\n<tbody>\n");
}

fn close_table(o: &mut String) {
    o.push_str("</tbody>\n</table>\n</div>\n");
}

fn stage_badge(lang: Lang, stage: crate::model::Stage) -> String {
    format!(
        "<span class=\"stage stage-{}\">{}</span>",
        stage.as_str(),
        lang.stage(stage)
    )
}

/// Open findings as words with a shape each (▲ ■ ●), never colour alone.
fn severity_counts(lang: Lang, c: SeverityCounts) -> String {
    let t = lang.t();
    if c.total() == 0 {
        return format!("<span class=\"muted\">{}</span>", t.none);
    }
    let mut s = String::new();
    for (sev, n) in [
        (Severity::Blocker, c.blocker),
        (Severity::Major, c.major),
        (Severity::Minor, c.minor),
    ] {
        w!(
            s,
            "<span class=\"sev sev-{}{}\"><span aria-hidden=\"true\">{}</span> {n} {}</span>",
            sev.as_str(),
            if n == 0 { " zero" } else { "" },
            svg::severity_glyph(sev),
            lang.severity(sev)
        );
    }
    s
}

/// A moment as people read it (local date and time) and as machines do
/// (`datetime`, with its offset).
fn time(lang: Lang, t: crate::model::dates::Timestamp) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        t.0.to_rfc3339(),
        lang.local_time(t)
    )
}

fn date_opt(lang: Lang, d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "–".to_owned(), |d| lang.date(d))
}

fn range(lang: Lang, from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> String {
    match (from, to) {
        (None, None) => "–".into(),
        _ => format!("{} – {}", date_opt(lang, from), date_opt(lang, to)),
    }
}

/// The days of the test phase: from the code freeze to the day before the release.
fn test_range(lang: Lang, r: &ReleaseView) -> String {
    range(
        lang,
        r.test_start,
        r.release_date.and_then(|d| d.pred_opt()),
    )
}

fn dev_range(lang: Lang, r: &ReleaseView) -> String {
    range(lang, r.dev_start, r.test_start.and_then(|d| d.pred_opt()))
}

fn call_text(lang: Lang, r: &ReleaseView) -> String {
    r.coordination.as_ref().map_or_else(
        || "–".to_owned(),
        |c| {
            format!(
                "{} {} ({})",
                lang.date(c.date),
                Esc(&c.time),
                Esc(&c.timezone)
            )
        },
    )
}

/// A bar of `load` against `capacity`, hidden from screen readers (the text
/// beside it says the same).
fn meter(load: u64, capacity: u64) -> String {
    // No capacity: empty when nothing is planned, full (and "over") otherwise.
    let pct = load
        .saturating_mul(100)
        .checked_div(capacity)
        .unwrap_or(if load == 0 { 0 } else { 100 })
        .min(100);
    format!(
        "<span class=\"meter{}\" aria-hidden=\"true\"><span style=\"width:{pct}%\"></span></span>",
        if load > capacity { " over" } else { "" },
    )
}

fn load_html(lang: Lang, r: &ReleaseView) -> String {
    let l = &r.load;
    let mut s = format!(
        "{}{}",
        meter(l.load, l.capacity),
        Esc(&lang.load(l.load, l.capacity))
    );
    if !l.teams.is_empty() {
        s.push_str("<ul class=\"teams\">");
        for team in &l.teams {
            w!(
                s,
                "<li>{}: {}{}</li>",
                Esc(&team.team),
                Esc(&lang.load(team.load, team.capacity)),
                meter(team.load, team.capacity)
            );
        }
        s.push_str("</ul>");
    }
    s
}

fn gate_summary(lang: Lang, g: &NextGate) -> String {
    let t = lang.t();
    let mut s = lang.gate_into(g.to);
    if let Some(d) = g.days_left {
        w!(s, " · {}", lang.due_in(d));
    }
    if g.passed {
        w!(
            s,
            "<br><span class=\"ok\"><span aria-hidden=\"true\">✓</span> {}</span>",
            t.all_met
        );
    } else {
        s.push_str("<ul class=\"checks\">");
        for c in g.unmet() {
            w!(
                s,
                "<li><span class=\"bad\"><span aria-hidden=\"true\">✗ </span>{}:</span> {}</li>",
                Esc(lang.check(&c.name)),
                Esc(&c.detail)
            );
        }
        s.push_str("</ul>");
    }
    s
}

fn hotfix_line(lang: Lang, h: &ReleaseView) -> String {
    format!(
        "<a href=\"{}\">{}</a> {} {}",
        Esc(&h.page()),
        h.id,
        stage_badge(lang, h.stage),
        h.marker_date().map(|d| lang.date(d)).unwrap_or_default()
    )
}

// ---------------------------------------------------------------------------
// index.html

fn index(board: &Board) -> String {
    let lang = board.lang;
    let t = lang.t();
    let mut o = String::with_capacity(64 * 1024);
    let heading = format!("{} {}", t.board, board.year);
    open_page(
        &mut o,
        board,
        &format!("{heading} – {}", board.product),
        &heading,
        Some("index.html"),
    );

    // Timeline
    w!(
        o,
        "<section aria-labelledby=\"h-timeline\">\n<h2 id=\"h-timeline\">{}</h2>\n\
         <figure class=\"chart timeline\">\n",
        t.timeline
    );
    w!(
        o,
        "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\n{}</div>\n",
        t.timeline,
        svg::timeline(board)
    );
    w!(
        o,
        "<figcaption>\n<ul class=\"legend\" aria-label=\"{}\">\n",
        t.legend
    );
    for (sym, label) in [
        ("dev", t.development),
        ("test", t.test_phase),
        ("release", t.release_date),
        ("call", t.coordination),
        ("hotfix", t.hotfix),
        ("today", t.today),
    ] {
        w!(o, "<li>{}{label}</li>\n", svg::legend_symbol(sym));
    }
    o.push_str("</ul>\n</figcaption>\n</figure>\n");
    open_table(&mut o, t.timeline_table, Some(t.timeline_table), false);
    head_row(
        &mut o,
        &[
            (t.release, false),
            (t.stage, false),
            (t.development, false),
            (t.test_phase, false),
            (t.release_date, false),
            (t.coordination, false),
            (t.hotfixes, false),
        ],
    );
    for r in &board.releases {
        let hotfixes: Vec<String> = r
            .hotfixes
            .iter()
            .map(|h| {
                format!(
                    "{} ({})",
                    h.id,
                    h.marker_date()
                        .map_or_else(|| lang.stage(h.stage).to_owned(), |d| lang.date(d))
                )
            })
            .collect();
        w!(
            o,
            "<tr><th scope=\"row\" class=\"nowrap\"><a href=\"{}\">{}</a></th><td>{}</td>\
             <td class=\"nowrap\">{}</td><td class=\"nowrap\">{}</td><td class=\"nowrap\">{}</td>\
             <td class=\"nowrap\">{}</td><td>{}</td></tr>\n",
            Esc(&r.page()),
            r.id,
            lang.stage(r.stage),
            dev_range(lang, r),
            test_range(lang, r),
            date_opt(lang, r.release_date),
            call_text(lang, r),
            Esc(&hotfixes.join(", "))
        );
    }
    close_table(&mut o);
    o.push_str("</section>\n");

    // One card per release
    w!(
        o,
        "<section aria-labelledby=\"h-releases\">\n<h2 id=\"h-releases\">{} {}</h2>\n<div class=\"cards\">\n",
        t.releases,
        board.year
    );
    for r in &board.releases {
        card(&mut o, lang, r);
    }
    o.push_str("</div>\n</section>\n");

    // The hotfix promise
    w!(
        o,
        "<section aria-labelledby=\"h-sla\">\n<h2 id=\"h-sla\">{}</h2>\n",
        Esc(&lang.sla_heading(board.reaction_hours))
    );
    if board.sla.is_empty() {
        w!(o, "<p>{}</p>\n", t.sla_none);
    } else {
        let label = lang.sla_heading(board.reaction_hours);
        open_table(&mut o, &label, None, false);
        head_row(
            &mut o,
            &[
                (t.request, false),
                (t.title, false),
                (t.reported, false),
                (t.due, false),
                (t.state, false),
                (t.release, false),
            ],
        );
        for s in &board.sla {
            let state = lang.sla_state(s.late, s.left_minutes, s.met);
            let state = if s.late {
                format!(
                    "<span class=\"late\"><span aria-hidden=\"true\">⚠ </span>{}</span>",
                    Esc(&state)
                )
            } else {
                Esc(&state).to_string()
            };
            w!(
                o,
                "<tr><th scope=\"row\" class=\"nowrap\">{}</th><td class=\"wrap\">{}</td>\
                 <td class=\"nowrap\">{}</td><td class=\"nowrap\">{}</td><td>{state}</td><td>{}</td></tr>\n",
                Esc(&s.id),
                Esc(&s.title),
                s.reported_at.map(|x| time(lang, x)).unwrap_or_default(),
                s.due.map(|x| time(lang, x)).unwrap_or_default(),
                s.release.map(|x| x.to_string()).unwrap_or_default()
            );
        }
        close_table(&mut o);
    }
    o.push_str("</section>\n");

    // Deferred requests
    w!(
        o,
        "<section aria-labelledby=\"h-deferred\">\n<h2 id=\"h-deferred\">{}</h2>\n",
        t.deferred
    );
    deferred_table(&mut o, lang, &board.deferred, t.deferred_intro, true);
    o.push_str("</section>\n");

    close_page(&mut o, board);
    o
}

fn card(o: &mut String, lang: Lang, r: &ReleaseView) {
    let t = lang.t();
    w!(
        o,
        "<article class=\"card\" aria-labelledby=\"c-{id}\">\n\
         <h3 id=\"c-{id}\"><a href=\"{}\">{id}</a> {}</h3>\n<dl class=\"facts\">\n",
        Esc(&r.page()),
        stage_badge(lang, r.stage),
        id = r.id,
    );
    let mut fact = |k: &str, v: &str| {
        w!(o, "<dt>{k}</dt><dd>{v}</dd>\n");
    };
    if !r.file {
        fact(t.stage, &Esc(t.no_file).to_string());
    }
    fact(t.release_date, &date_opt(lang, r.release_date));
    fact(t.test_phase, &test_range(lang, r));
    fact(t.coordination, &call_text(lang, r));
    fact(
        t.next_gate,
        &r.next_gate
            .as_ref()
            .map_or_else(|| "–".to_owned(), |g| gate_summary(lang, g)),
    );
    fact(t.load, &load_html(lang, r));
    fact(t.open_findings, &severity_counts(lang, r.open_findings));
    if !r.hotfixes.is_empty() {
        let items: Vec<String> = r
            .hotfixes
            .iter()
            .map(|h| format!("<li>{}</li>", hotfix_line(lang, h)))
            .collect();
        fact(
            t.hotfixes,
            &format!("<ul class=\"plain\">{}</ul>", items.concat()),
        );
    }
    o.push_str("</dl>\n</article>\n");
}

fn deferred_table(
    o: &mut String,
    lang: Lang,
    items: &[super::DeferredItem],
    intro: &str,
    with_release: bool,
) {
    let t = lang.t();
    if items.is_empty() {
        let none = if with_release {
            t.deferred_none
        } else {
            t.deferred_here_none
        };
        w!(o, "<p>{none}</p>\n");
        return;
    }
    w!(o, "<p>{intro}</p>\n");
    open_table(o, t.deferred, None, false);
    let mut cols = vec![(t.request, false), (t.title, false)];
    if with_release {
        cols.push((t.release, false));
    }
    cols.push((t.reason, false));
    head_row(o, &cols);
    for d in items {
        w!(
            o,
            "<tr><th scope=\"row\" class=\"nowrap\">{}</th><td class=\"wrap\">{}</td>",
            Esc(&d.id),
            Esc(d.title.as_deref().unwrap_or(""))
        );
        if with_release {
            w!(
                o,
                "<td class=\"nowrap\">{}</td>",
                d.release.map(|x| x.to_string()).unwrap_or_default()
            );
        }
        w!(o, "<td class=\"wrap\">{}</td></tr>\n", Esc(&d.reason));
    }
    close_table(o);
}

// ---------------------------------------------------------------------------
// release-<id>.html

#[allow(clippy::too_many_lines)]
fn release_page(board: &Board, r: &ReleaseView) -> String {
    let lang = board.lang;
    let t = lang.t();
    let mut o = String::with_capacity(64 * 1024);
    let heading = match r.base {
        Some(b) => format!("{} {} ({})", t.hotfix, r.id, lang.hotfix_on(&b.to_string())),
        None => format!("{} {}", t.release, r.id),
    };
    let page = r.page();
    open_page(
        &mut o,
        board,
        &format!("{heading} – {}", board.product),
        &heading,
        Some(&page),
    );
    w!(
        o,
        "<p><a href=\"index.html\"><span aria-hidden=\"true\">← </span>{}</a></p>\n",
        t.back
    );

    // Facts
    w!(
        o,
        "<section aria-labelledby=\"h-facts\">\n<h2 id=\"h-facts\">{}</h2>\n<dl class=\"facts\">\n",
        t.facts
    );
    let mut fact = |k: &str, v: &str| {
        w!(o, "<dt>{k}</dt><dd>{v}</dd>\n");
    };
    fact(t.stage, &stage_badge(lang, r.stage));
    if !r.file {
        fact(t.stage, &Esc(t.no_file).to_string());
    }
    if r.base.is_none() {
        fact(t.development, &dev_range(lang, r));
        fact(t.test_phase, &test_range(lang, r));
        fact(t.release_date, &date_opt(lang, r.release_date));
        fact(t.coordination, &call_text(lang, r));
    } else if r.release_date.is_some() {
        fact(t.release_date, &date_opt(lang, r.release_date));
    }
    fact(t.load, &load_html(lang, r));
    fact(t.frozen, if r.frozen { t.yes } else { t.no });
    if let Some(d) = &r.deployed {
        fact(t.deployed, &Esc(d).to_string());
    }
    if let Some(x) = r.test_started_at {
        fact(t.test_started, &time(lang, x));
    }
    if let Some(x) = &r.signoff {
        fact(t.signoff, &Esc(x).to_string());
    }
    if let Some(x) = r.shipped_at {
        fact(t.shipped, &time(lang, x));
    }
    fact(t.open_findings, &severity_counts(lang, r.open_findings));
    if !r.hotfixes.is_empty() {
        let items: Vec<String> = r
            .hotfixes
            .iter()
            .map(|h| format!("<li>{}</li>", hotfix_line(lang, h)))
            .collect();
        fact(
            t.hotfixes,
            &format!("<ul class=\"plain\">{}</ul>", items.concat()),
        );
    }
    o.push_str("</dl>\n</section>\n");

    // Next gate
    w!(
        o,
        "<section aria-labelledby=\"h-gate\">\n<h2 id=\"h-gate\">{}</h2>\n",
        t.next_gate
    );
    match &r.next_gate {
        None => {
            w!(o, "<p>{}</p>\n", Esc(&lang.no_gate(r.stage)));
        }
        Some(g) => {
            let mut head = lang.gate_into(g.to);
            if let Some(d) = g.days_left {
                w!(head, " · {}", lang.due_in(d));
            }
            w!(o, "<p>{}</p>\n", Esc(&head));
            open_table(&mut o, t.next_gate, None, false);
            head_row(
                &mut o,
                &[(t.check, false), (t.state, false), (t.detail, false)],
            );
            for c in &g.checks {
                let state = if c.passed {
                    format!(
                        "<span class=\"ok\"><span aria-hidden=\"true\">✓ </span>{}</span>",
                        t.met
                    )
                } else {
                    format!(
                        "<span class=\"bad\"><span aria-hidden=\"true\">✗ </span>{}</span>",
                        t.unmet
                    )
                };
                w!(
                    o,
                    "<tr><th scope=\"row\">{}</th><td class=\"nowrap\">{state}</td><td class=\"wrap\">{}</td></tr>\n",
                    Esc(lang.check(&c.name)),
                    Esc(&c.detail)
                );
            }
            close_table(&mut o);
        }
    }
    o.push_str("</section>\n");

    // Scope
    w!(
        o,
        "<section aria-labelledby=\"h-scope\">\n<h2 id=\"h-scope\">{} ({})</h2>\n",
        t.scope,
        r.scope.len()
    );
    if r.scope.is_empty() {
        w!(o, "<p>{}</p>\n", t.scope_empty);
    } else {
        open_table(&mut o, t.scope, None, false);
        head_row(
            &mut o,
            &[
                (t.request, false),
                (t.title, false),
                (t.kind, false),
                (t.impact, false),
                (t.effort, true),
                (t.score, true),
                (t.requested_by, false),
                (t.status, false),
            ],
        );
        for s in &r.scope {
            let title = if s.missing {
                format!("<em>{}</em>", t.missing)
            } else if s.text.is_empty() || s.text == s.title {
                Esc(&s.title).to_string()
            } else {
                format!(
                    "{}<span class=\"text\">{}</span>",
                    Esc(&s.title),
                    Esc(&s.text)
                )
            };
            let requesters: Vec<String> = s
                .requested_by
                .iter()
                .map(|p| Esc(&p.name).to_string())
                .collect();
            w!(
                o,
                "<tr><th scope=\"row\" class=\"nowrap\">{}</th><td class=\"wrap\">{title}</td>\
                 <td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"wrap\">{}</td><td>{}</td></tr>\n",
                Esc(&s.id),
                s.kind.map(|k| lang.kind(k)).unwrap_or_default(),
                s.impact.map(|k| lang.impact(k)).unwrap_or_default(),
                s.effort,
                s.score.map(|x| lang.number(x)).unwrap_or_default(),
                requesters.join(", "),
                s.status.map(|k| lang.status(k)).unwrap_or_default(),
            );
        }
        w!(
            o,
            "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"4\">{}</th><td class=\"num\">{}</td><td colspan=\"3\"></td></tr></tfoot>\n</table>\n</div>\n",
            t.total,
            r.load.load
        );
    }
    o.push_str("</section>\n");

    // Deferred requests (for a release the planner still plans)
    if !r.frozen || !r.deferred.is_empty() {
        w!(
            o,
            "<section aria-labelledby=\"h-deferred\">\n<h2 id=\"h-deferred\">{}</h2>\n",
            t.deferred
        );
        deferred_table(&mut o, lang, &r.deferred, t.deferred_here, false);
        o.push_str("</section>\n");
    }

    // Findings and their burn-down
    w!(
        o,
        "<section aria-labelledby=\"h-findings\">\n<h2 id=\"h-findings\">{}</h2>\n",
        t.findings
    );
    findings_table(&mut o, lang, &r.findings);
    w!(o, "<h3 id=\"h-burndown\">{}</h3>\n", t.burndown);
    match &r.burndown {
        None => {
            w!(o, "<p>{}</p>\n", t.burndown_none);
        }
        Some(b) if b.days.is_empty() => {
            w!(o, "<p>{}</p>\n", Esc(&lang.test_starts(b.start)));
        }
        Some(b) => {
            w!(
                o,
                "<figure class=\"chart burndown\">\n<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\n{}</div>\n\
                 <figcaption><ul class=\"legend\" aria-label=\"{}\">",
                t.burndown,
                svg::burndown(lang, r, b, board.today),
                t.legend
            );
            for (sym, sev) in [
                ("blocker", Severity::Blocker),
                ("major", Severity::Major),
                ("minor", Severity::Minor),
            ] {
                w!(
                    o,
                    "<li>{}{}</li>",
                    svg::legend_symbol(sym),
                    lang.severity(sev)
                );
            }
            if let Some(d) = r.release_date {
                w!(
                    o,
                    "<li>{}{} {}</li>",
                    svg::legend_symbol("release-line"),
                    t.release_date,
                    lang.date(d)
                );
            }
            o.push_str("</ul></figcaption>\n</figure>\n");
            open_table(&mut o, t.burndown_table, Some(t.burndown_table), true);
            head_row(
                &mut o,
                &[
                    (t.date, false),
                    (lang.severity(Severity::Blocker), true),
                    (lang.severity(Severity::Major), true),
                    (lang.severity(Severity::Minor), true),
                    (t.total, true),
                ],
            );
            for d in &b.days {
                w!(
                    o,
                    "<tr><th scope=\"row\" class=\"nowrap\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                    lang.date(d.date),
                    d.blocker,
                    d.major,
                    d.minor,
                    d.counts().total()
                );
            }
            close_table(&mut o);
        }
    }
    o.push_str("</section>\n");

    // Gate history
    w!(
        o,
        "<section aria-labelledby=\"h-history\">\n<h2 id=\"h-history\">{}</h2>\n",
        t.history
    );
    history_table(&mut o, lang, &r.history);
    o.push_str("</section>\n");

    close_page(&mut o, board);
    o
}

fn findings_table(o: &mut String, lang: Lang, findings: &[Finding]) {
    let t = lang.t();
    if findings.is_empty() {
        w!(o, "<p>{}</p>\n", t.findings_none);
        return;
    }
    open_table(o, t.findings, None, false);
    head_row(
        o,
        &[
            (t.number, true),
            (t.severity, false),
            (t.description, false),
            (t.raised, false),
            (t.resolved, false),
            (t.request, false),
        ],
    );
    for f in findings {
        let resolved = f.resolved_at.map_or_else(
            || format!("<span class=\"bad\">{}</span>", t.open),
            |x| time(lang, x),
        );
        w!(
            o,
            "<tr><th scope=\"row\" class=\"num\">{}</th><td class=\"nowrap\"><span class=\"sev sev-{}\"><span aria-hidden=\"true\">{}</span> {}</span></td>\
             <td class=\"wrap\">{}</td><td class=\"nowrap\">{}</td><td class=\"nowrap\">{resolved}</td><td class=\"nowrap\">{}</td></tr>\n",
            f.number,
            f.severity.as_str(),
            svg::severity_glyph(f.severity),
            lang.severity(f.severity),
            Esc(&f.text),
            time(lang, f.raised_at),
            Esc(f.request.as_deref().unwrap_or("")),
        );
    }
    close_table(o);
}

fn history_table(o: &mut String, lang: Lang, history: &[HistoryEntry]) {
    let t = lang.t();
    if history.is_empty() {
        w!(o, "<p>{}</p>\n", t.history_none);
        return;
    }
    open_table(o, t.history, None, false);
    head_row(
        o,
        &[
            (t.when, false),
            (t.transition, false),
            (t.by, false),
            (t.note, false),
        ],
    );
    for h in history {
        let transition = if h.from == h.to {
            let mut parts = Vec::new();
            if !h.added.is_empty() {
                parts.push(format!("{}: {}", t.added, h.added.join(", ")));
            }
            if !h.removed.is_empty() {
                parts.push(format!("{}: {}", t.removed, h.removed.join(", ")));
            }
            if !h.accepted.is_empty() {
                parts.push(format!("{}: {}", t.accepted, h.accepted.join(", ")));
            }
            if parts.is_empty() && h.deployed.is_some() {
                t.deployed.to_owned()
            } else {
                format!("{}: {}", t.scope, Esc(&parts.join("; ")))
            }
        } else {
            format!("{} → {}", lang.stage(h.from), lang.stage(h.to))
        };
        let mut note = Vec::new();
        if h.forced {
            note.push(format!("<strong class=\"bad\">{}</strong>", t.forced));
        }
        for text in [&h.reason, &h.note] {
            if !text.is_empty() {
                note.push(Esc(text).to_string());
            }
        }
        if let Some(d) = &h.deployed {
            note.push(format!("{}: {}", t.deployed, Esc(d)));
        }
        if let Some(d) = &h.signoff {
            note.push(format!("{}: {}", t.signoff, Esc(d)));
        }
        let unmet: Vec<&str> = h
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| lang.check(&c.name))
            .collect();
        if !unmet.is_empty() {
            note.push(format!("{}: {}", t.unmet_then, Esc(&unmet.join(", "))));
        }
        w!(
            o,
            "<tr><th scope=\"row\" class=\"nowrap\">{}</th><td>{transition}</td><td>{}</td><td class=\"wrap\">{}</td></tr>\n",
            time(lang, h.at),
            Esc(&h.by),
            note.join("<br>")
        );
    }
    close_table(o);
}

#[cfg(test)]
mod tests {
    use super::Esc;

    #[test]
    fn escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            Esc("<script>alert(\"x\" & 'y')</script>").to_string(),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(
            Esc("a\u{7}b\u{0}c\u{1b}").to_string(),
            "a\u{2407}b\u{2400}c\u{241b}"
        );
        assert_eq!(Esc("\u{7f}\u{85}").to_string(), "\u{2421}\u{fffd}");
        assert_eq!(Esc("tab\tnew\nline").to_string(), "tab\tnew\nline");
        assert_eq!(Esc("Grüße – ok").to_string(), "Grüße – ok");
    }
}
