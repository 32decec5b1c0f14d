//! The charts as inline SVG: the year's timeline and a release's findings
//! burn-down, plus the small symbols of their legends. Each chart is an image
//! with a `<title>` and a `<desc>` (the pages put the same data in a table next
//! to it); shapes and dash patterns tell the series apart, colour only helps.
//! Coordinates are written with one decimal, so the output is the same bytes on
//! every machine.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::html::{w, Esc};
use super::{Board, Burndown, Lang, ReleaseView};
use crate::model::{Severity, Stage};

const INK: &str = "#1b1f24";
const MUTED: &str = "#4a5560";
const GRID: &str = "#d0d7de";
const DEV_FILL: &str = "#c6dafc";
const DEV_LINE: &str = "#1a4a8a";
const TEST_FILL: &str = "#ffe8a3";
const TEST_LINE: &str = "#7a4100";
const RELEASE: &str = "#0d5223";
const CALL: &str = "#6a1b9a";
const TODAY: &str = "#b3261e";

/// The glyph that stands for a severity in text (the chart uses the same shapes).
pub(super) fn severity_glyph(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "■",
        Severity::Major => "▲",
        Severity::Minor => "●",
    }
}

fn severity_style(s: Severity) -> (&'static str, &'static str) {
    // (colour, dash pattern)
    match s {
        Severity::Blocker => ("#8c1d18", ""),
        Severity::Major => ("#7a4100", "7 4"),
        Severity::Minor => ("#1a4a8a", "2 3"),
    }
}

fn marker(o: &mut String, s: Severity, x: f64, y: f64) {
    let (c, _) = severity_style(s);
    match s {
        Severity::Blocker => {
            w!(
                o,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{c}\"/>",
                x - 3.5,
                y - 3.5
            );
        }
        Severity::Major => {
            w!(
                o,
                "<path d=\"M{:.1} {:.1}l4.5 7.5h-9z\" fill=\"{c}\"/>",
                x,
                y - 4.5
            );
        }
        Severity::Minor => {
            w!(
                o,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.8\" fill=\"{c}\"/>"
            );
        }
    }
}

fn diamond(o: &mut String, x: f64, y: f64, r: f64, fill: &str) {
    w!(
        o,
        "<path d=\"M{x:.1} {:.1}l{r:.1} {r:.1}l-{r:.1} {r:.1}l-{r:.1} -{r:.1}z\" fill=\"{fill}\"/>",
        y - r
    );
}

fn triangle_down(o: &mut String, x: f64, y: f64, fill: &str) {
    w!(
        o,
        "<path d=\"M{:.1} {y:.1}h10l-5 8z\" fill=\"{fill}\"/>",
        x - 5.0
    );
}

/// A small symbol for a legend entry (decorative: the entry's text says it).
pub(super) fn legend_symbol(kind: &str) -> String {
    let mut o = String::from(
        "<svg class=\"sym\" width=\"30\" height=\"16\" viewBox=\"0 0 30 16\" aria-hidden=\"true\" focusable=\"false\">",
    );
    match kind {
        "dev" => {
            w!(o, "<rect x=\"1\" y=\"3\" width=\"28\" height=\"10\" fill=\"{DEV_FILL}\" stroke=\"{DEV_LINE}\"/>");
        }
        "test" => {
            w!(o, "<rect x=\"1\" y=\"3\" width=\"28\" height=\"10\" fill=\"{TEST_FILL}\" stroke=\"{TEST_LINE}\"/>");
            for x in [4, 11, 18, 25] {
                w!(
                    o,
                    "<path d=\"M{x} 13l5 -10\" stroke=\"{TEST_LINE}\" stroke-width=\"1.5\"/>"
                );
            }
        }
        "release" => diamond(&mut o, 15.0, 8.0, 6.0, RELEASE),
        "call" => {
            w!(o, "<circle cx=\"15\" cy=\"8\" r=\"5\" fill=\"#fff\" stroke=\"{CALL}\" stroke-width=\"2.5\"/>");
        }
        "hotfix" => triangle_down(&mut o, 15.0, 4.0, INK),
        "today" => {
            w!(o, "<path d=\"M15 0v16\" stroke=\"{TODAY}\" stroke-width=\"2.5\" stroke-dasharray=\"4 2\"/>");
        }
        "release-line" => {
            w!(o, "<path d=\"M15 0v16\" stroke=\"{RELEASE}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>");
        }
        "blocker" | "major" | "minor" => {
            let s = match kind {
                "blocker" => Severity::Blocker,
                "major" => Severity::Major,
                _ => Severity::Minor,
            };
            let (c, dash) = severity_style(s);
            w!(
                o,
                "<path d=\"M1 8h28\" stroke=\"{c}\" stroke-width=\"2.5\" stroke-dasharray=\"{dash}\"/>"
            );
            marker(&mut o, s, 15.0, 8.0);
        }
        _ => {}
    }
    o.push_str("</svg>");
    o
}

// ---------------------------------------------------------------------------
// The timeline of the year

const TL_W: f64 = 960.0;
const TL_LEFT: f64 = 128.0;
const TL_RIGHT: f64 = 16.0;
const TL_HEAD: f64 = 30.0;
const TL_ROW: f64 = 54.0;
const TL_FOOT: f64 = 28.0;

struct Axis {
    first: NaiveDate,
    days: f64,
    x0: f64,
    width: f64,
}

impl Axis {
    /// The x of the start of day `d`, clamped to the axis.
    #[allow(clippy::cast_precision_loss)]
    fn x(&self, d: NaiveDate) -> f64 {
        let n = (d - self.first).num_days() as f64;
        self.x0 + n.clamp(0.0, self.days) / self.days * self.width
    }

    /// The x of the middle of day `d`.
    fn mid(&self, d: NaiveDate) -> f64 {
        let day = self.width / self.days;
        (self.x(d) + day / 2.0).min(self.x0 + self.width)
    }

    #[allow(clippy::cast_precision_loss)]
    fn contains(&self, d: NaiveDate) -> bool {
        let n = (d - self.first).num_days() as f64;
        (0.0..self.days).contains(&n)
    }
}

fn year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
    ))
}

/// The year as a timeline: a row per release with its phases and dates.
#[allow(clippy::too_many_lines, clippy::cast_precision_loss)]
pub(super) fn timeline(board: &Board) -> String {
    let lang = board.lang;
    let t = lang.t();
    let mut o = String::new();
    let Some((jan1, next_jan1)) = year_bounds(board.year) else {
        return o;
    };
    let axis = Axis {
        first: jan1,
        days: (next_jan1 - jan1).num_days() as f64,
        x0: TL_LEFT,
        width: TL_W - TL_LEFT - TL_RIGHT,
    };
    let n = board.releases.len();
    let height = TL_HEAD + TL_ROW * n as f64 + TL_FOOT;
    w!(
        o,
        "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {TL_W:.0} {height:.0}\" role=\"img\" aria-labelledby=\"tl-title tl-desc\">\n\
         <title id=\"tl-title\">{} {}</title>\n<desc id=\"tl-desc\">{}</desc>\n\
         <defs><pattern id=\"hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"8\" height=\"8\" fill=\"{TEST_FILL}\"/><path d=\"M0 0v8\" stroke=\"{TEST_LINE}\" stroke-width=\"2\"/></pattern></defs>\n",
        t.timeline,
        board.year,
        Esc(&lang.timeline_desc(board.year, board.today, n)),
    );
    // Row backgrounds, then the month grid on top of them.
    for i in 0..n {
        let y = TL_HEAD + TL_ROW * i as f64;
        if i % 2 == 0 {
            w!(
                o,
                "<rect x=\"0\" y=\"{y:.1}\" width=\"{TL_W:.0}\" height=\"{TL_ROW:.0}\" fill=\"#f6f8fa\"/>\n"
            );
        }
    }
    let bottom = height - TL_FOOT;
    for m in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(board.year, m, 1) else {
            continue;
        };
        let next = if m == 12 {
            next_jan1
        } else {
            NaiveDate::from_ymd_opt(board.year, m + 1, 1).unwrap_or(next_jan1)
        };
        let x = axis.x(first);
        let mid = (x + axis.x(next)) / 2.0;
        w!(
            o,
            "<path d=\"M{x:.1} {:.1}V{bottom:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{mid:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\" fill=\"{MUTED}\">{}</text>\n",
            TL_HEAD - 4.0,
            TL_HEAD - 10.0,
            t.months[first.month0() as usize]
        );
    }
    let end_x = axis.x0 + axis.width;
    w!(
        o,
        "<path d=\"M{end_x:.1} {:.1}V{bottom:.1}\" stroke=\"{GRID}\"/>\n",
        TL_HEAD - 4.0
    );

    for (i, r) in board.releases.iter().enumerate() {
        let y = TL_HEAD + TL_ROW * i as f64;
        let faded = if r.stage == Stage::Cancelled {
            " opacity=\"0.45\""
        } else {
            ""
        };
        w!(
            o,
            "<g>\n<text x=\"8\" y=\"{:.1}\" font-size=\"15\" font-weight=\"700\" fill=\"{INK}\">{}</text>\
             <text x=\"8\" y=\"{:.1}\" font-size=\"12.5\" fill=\"{MUTED}\">{}</text>\n",
            y + 21.0,
            r.id,
            y + 39.0,
            lang.stage(r.stage)
        );
        let bar_y = y + 10.0;
        let bar_h = 16.0;
        if let (Some(dev), Some(test)) = (r.dev_start, r.test_start) {
            let (x1, x2) = (axis.x(dev), axis.x(test));
            if x2 > x1 {
                w!(
                    o,
                    "<rect x=\"{x1:.1}\" y=\"{bar_y:.1}\" width=\"{:.1}\" height=\"{bar_h:.0}\" fill=\"{DEV_FILL}\" stroke=\"{DEV_LINE}\"{faded}>\
                     <title>{} {}: {} – {}</title></rect>\n",
                    x2 - x1,
                    r.id,
                    t.development,
                    lang.date(dev),
                    lang.date(test.pred_opt().unwrap_or(test))
                );
            }
        }
        if let (Some(test), Some(rel)) = (r.test_start, r.release_date) {
            let (x1, x2) = (axis.x(test), axis.x(rel));
            if x2 > x1 {
                w!(
                    o,
                    "<rect x=\"{x1:.1}\" y=\"{bar_y:.1}\" width=\"{:.1}\" height=\"{bar_h:.0}\" fill=\"url(#hatch)\" stroke=\"{TEST_LINE}\"{faded}>\
                     <title>{} {}: {} – {}</title></rect>\n",
                    x2 - x1,
                    r.id,
                    t.test_phase,
                    lang.date(test),
                    lang.date(rel.pred_opt().unwrap_or(rel))
                );
            }
        }
        // Phases that begin in the year before, or end in the next, get an arrow.
        if let Some(first) = r.dev_start.or(r.test_start).filter(|d| *d < jan1) {
            w!(
                o,
                "<path d=\"M{:.1} {:.1}l7 -6v12z\" fill=\"{INK}\"><title>{} {}</title></path>\n",
                TL_LEFT - 9.0,
                bar_y + bar_h / 2.0,
                r.id,
                lang.date(first)
            );
        }
        if let Some(last) = r.release_date.filter(|d| *d >= next_jan1) {
            w!(
                o,
                "<path d=\"M{:.1} {:.1}l-7 -6v12z\" fill=\"{INK}\"><title>{} {}</title></path>\n",
                end_x + 9.0,
                bar_y + bar_h / 2.0,
                r.id,
                lang.date(last)
            );
        }
        if let Some(c) = r.coordination.as_ref().filter(|c| axis.contains(c.date)) {
            w!(
                o,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5.5\" fill=\"#fff\" stroke=\"{CALL}\" stroke-width=\"2.5\"><title>{} {}: {} {}</title></circle>\n",
                axis.mid(c.date),
                bar_y + bar_h / 2.0,
                r.id,
                t.coordination,
                lang.date(c.date),
                Esc(&c.time)
            );
        }
        if let Some(rel) = r.release_date.filter(|d| axis.contains(*d)) {
            let x = axis.mid(rel);
            w!(
                o,
                "<g><title>{} {}: {}</title>",
                r.id,
                t.release_date,
                lang.date(rel)
            );
            diamond(&mut o, x, bar_y + bar_h / 2.0, 8.0, RELEASE);
            o.push_str("</g>");
            let label = lang.day_month(rel);
            if x > end_x - 60.0 {
                w!(
                    o,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12.5\" font-weight=\"600\" fill=\"{RELEASE}\">{label}</text>\n",
                    x - 11.0,
                    bar_y + bar_h + 14.0
                );
            } else {
                w!(
                    o,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12.5\" font-weight=\"600\" fill=\"{RELEASE}\">{label}</text>\n",
                    x + 11.0,
                    bar_y + 12.5
                );
            }
        }
        for h in &r.hotfixes {
            let Some(d) = h.marker_date().filter(|d| axis.contains(*d)) else {
                continue;
            };
            let x = axis.mid(d);
            let ty = bar_y + bar_h + 3.0;
            w!(
                o,
                "<g><title>{} {} ({})</title>",
                t.hotfix,
                h.id,
                lang.date(d)
            );
            triangle_down(&mut o, x, ty, INK);
            o.push_str("</g>");
            let anchor = if x > end_x - 70.0 { "end" } else { "start" };
            let lx = if anchor == "end" { x - 7.0 } else { x + 7.0 };
            w!(
                o,
                "<text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"{INK}\">{}</text>\n",
                ty + 11.0,
                h.id
            );
        }
        o.push_str("</g>\n");
    }

    if axis.contains(board.today) {
        let x = axis.mid(board.today);
        let label = format!("{} {}", t.today, lang.day_month(board.today));
        let anchor = if x > end_x - 60.0 {
            "end"
        } else if x < TL_LEFT + 60.0 {
            "start"
        } else {
            "middle"
        };
        w!(
            o,
            "<path d=\"M{x:.1} {:.1}V{:.1}\" stroke=\"{TODAY}\" stroke-width=\"2.5\" stroke-dasharray=\"6 3\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"13\" font-weight=\"700\" fill=\"{TODAY}\">{label}</text>\n",
            TL_HEAD - 4.0,
            bottom + 4.0,
            height - 8.0
        );
    }
    o.push_str("</svg>\n");
    o
}

// ---------------------------------------------------------------------------
// The findings burn-down of one release

const BD_W: f64 = 640.0;
const BD_H: f64 = 290.0;
const BD_LEFT: f64 = 44.0;
const BD_RIGHT: f64 = 104.0;
const BD_TOP: f64 = 26.0;
const BD_BOTTOM: f64 = 40.0;

/// Open findings per severity per day, one line each, over the test phase.
#[allow(clippy::too_many_lines, clippy::cast_precision_loss)]
pub(super) fn burndown(lang: Lang, r: &ReleaseView, b: &Burndown, today: NaiveDate) -> String {
    let t = lang.t();
    let mut o = String::new();
    let span = (b.end - b.start).num_days().max(1);
    let axis = Axis {
        first: b.start,
        days: span as f64,
        x0: BD_LEFT,
        width: BD_W - BD_LEFT - BD_RIGHT,
    };
    let chart_h = BD_H - BD_TOP - BD_BOTTOM;
    let max = b
        .days
        .iter()
        .map(|d| d.blocker.max(d.major).max(d.minor))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = if max <= 8 { 1 } else { max.div_ceil(6) };
    let top = max.div_ceil(step) * step;
    let y = |v: u32| BD_TOP + chart_h - f64::from(v) / f64::from(top) * chart_h;
    let last = b.days.last().map(|d| (d.date, d.blocker, d.major, d.minor));
    let id = r.id.to_string();
    w!(
        o,
        "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {BD_W:.0} {BD_H:.0}\" role=\"img\" aria-labelledby=\"bd-title bd-desc\">\n\
         <title id=\"bd-title\">{} {id}</title>\n<desc id=\"bd-desc\">{}</desc>\n",
        t.burndown,
        Esc(&lang.burndown_desc(&id, b.start, b.end, last)),
    );
    // Horizontal grid with counts.
    let mut v = 0;
    while v <= top {
        let yy = y(v);
        w!(
            o,
            "<path d=\"M{BD_LEFT:.1} {yy:.1}H{:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"{MUTED}\">{v}</text>\n",
            axis.x0 + axis.width,
            BD_LEFT - 6.0,
            yy + 4.0
        );
        v += step;
    }
    // Axes.
    let base = y(0);
    w!(
        o,
        "<path d=\"M{BD_LEFT:.1} {BD_TOP:.1}V{base:.1}H{:.1}\" fill=\"none\" stroke=\"{INK}\"/>\n",
        axis.x0 + axis.width
    );
    // Date ticks: every week from the start (more apart on long charts).
    let tick = 7 * (span / 7 / 6 + 1);
    let mut d = b.start;
    while d <= b.end {
        let x = axis.x(d);
        w!(
            o,
            "<path d=\"M{x:.1} {base:.1}v5\" stroke=\"{INK}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{MUTED}\">{}</text>\n",
            base + 18.0,
            lang.day_month(d)
        );
        d += chrono::Duration::days(tick);
    }
    // The release date and today.
    if let Some(rel) = r.release_date.filter(|d| *d >= b.start && *d <= b.end) {
        let x = axis.x(rel);
        w!(
            o,
            "<path d=\"M{x:.1} {BD_TOP:.1}V{base:.1}\" stroke=\"{RELEASE}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\" fill=\"{RELEASE}\">{} {}</text>\n",
            BD_TOP - 8.0,
            t.release_date,
            lang.day_month(rel)
        );
    }
    if today >= b.start && today < b.end {
        let x = axis.x(today);
        w!(
            o,
            "<path d=\"M{x:.1} {BD_TOP:.1}V{base:.1}\" stroke=\"{TODAY}\" stroke-width=\"2\" stroke-dasharray=\"3 3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"700\" fill=\"{TODAY}\">{}</text>\n",
            x + 4.0,
            base - 6.0,
            t.today
        );
    }
    // One line per severity, with a shape at every day when there is room.
    let severities = [Severity::Blocker, Severity::Major, Severity::Minor];
    let value = |d: &super::BurndownDay, s: Severity| match s {
        Severity::Blocker => d.blocker,
        Severity::Major => d.major,
        Severity::Minor => d.minor,
    };
    let with_markers = b.days.len() <= 70;
    for s in severities {
        let (c, dash) = severity_style(s);
        let points: Vec<String> = b
            .days
            .iter()
            .map(|d| format!("{:.1},{:.1}", axis.mid(d.date), y(value(d, s))))
            .collect();
        w!(
            o,
            "<g><title>{}</title><polyline points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.5\" stroke-linejoin=\"round\" stroke-dasharray=\"{dash}\"/>",
            lang.severity(s),
            points.join(" ")
        );
        if with_markers {
            for d in &b.days {
                marker(&mut o, s, axis.mid(d.date), y(value(d, s)));
            }
        }
        o.push_str("</g>\n");
    }
    // Labels at the end of the lines, pushed apart so they never overlap.
    if let Some(lastday) = b.days.last() {
        let x = axis.mid(lastday.date) + 10.0;
        let mut labels: Vec<(f64, Severity, u32)> = severities
            .iter()
            .map(|s| (y(value(lastday, *s)), *s, value(lastday, *s)))
            .collect();
        labels.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut prev = f64::MIN;
        for (ly, s, n) in labels {
            let ly = ly.max(prev + 14.0);
            prev = ly;
            let (c, _) = severity_style(s);
            w!(
                o,
                "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"600\" fill=\"{c}\">{} {n}</text>\n",
                ly + 4.0,
                lang.severity(s)
            );
        }
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_maps_the_year_onto_the_chart_and_clamps() {
        let (jan1, next) = year_bounds(2027).expect("year");
        let axis = Axis {
            first: jan1,
            days: (next - jan1).num_days() as f64,
            x0: 100.0,
            width: 365.0,
        };
        assert!((axis.x(jan1) - 100.0).abs() < 1e-9);
        let d = NaiveDate::from_ymd_opt(2027, 1, 11).expect("date");
        assert!((axis.x(d) - 110.0).abs() < 1e-9);
        let before = NaiveDate::from_ymd_opt(2026, 11, 11).expect("date");
        assert!((axis.x(before) - 100.0).abs() < 1e-9);
        assert!((axis.x(NaiveDate::from_ymd_opt(2028, 2, 1).expect("date")) - 465.0).abs() < 1e-9);
        assert!(!axis.contains(before));
        assert!(axis.contains(d));
    }
}
