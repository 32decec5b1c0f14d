//! Every report goes out through here: as JSON (a documented, stable shape for CI)
//! or as a table for people. Renderers write to `&mut dyn Write` and never print
//! themselves, so tests render into a `Vec<u8>`; the [`Shell`] is the one owner of
//! stdout and stderr, and [`term`] keeps workspace text from driving the terminal.

pub mod announce;
pub mod board;
pub mod calendar;
pub mod changelog;
pub mod diag;
pub mod finding;
pub mod gate;
pub mod import;
pub mod init;
pub mod partner;
pub mod plan;
pub mod request;
pub mod score;
pub mod shell;
pub mod sla;
pub mod status;
pub mod term;
pub mod training;
pub mod validate;

pub use shell::Shell;

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::ui::Paint;

/// How to print reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// A report that can be shown as a table or serialised as JSON.
pub trait Report: Serialize {
    /// Writes the human-readable form.
    ///
    /// # Errors
    /// When writing fails.
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()>;
}

/// Writes `report` in `format` to `w`.
///
/// # Errors
/// When writing fails (a closed pipe included; the caller decides).
pub fn emit(
    report: &dyn ReportDyn,
    format: Format,
    paint: &Paint,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            let json = report.json().map_err(io::Error::other)?;
            writeln!(w, "{json}")
        }
        Format::Table => report.render_dyn(w, paint),
    }
}

/// Object-safe face of [`Report`].
pub trait ReportDyn {
    /// Pretty JSON of the report.
    ///
    /// # Errors
    /// When serialisation fails.
    fn json(&self) -> serde_json::Result<String>;
    /// The table form.
    ///
    /// # Errors
    /// When writing fails.
    fn render_dyn(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()>;
}

impl<T: Report> ReportDyn for T {
    fn json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }
    fn render_dyn(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        self.render(w, paint)
    }
}

/// `value` as pretty JSON, for documents that are JSON (`notes --context`).
///
/// # Errors
/// When serialisation fails.
pub fn pretty_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)?)
}

/// A table in the house style: condensed UTF-8 borders, header row, wrapped to the
/// terminal when there is one.
#[must_use]
pub fn table<I: IntoIterator<Item = S>, S: Into<comfy_table::Cell>>(header: I) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

/// The longest line of a table cell, in characters; a longer one is cut with `…`.
/// A table is for reading at a terminal (JSON keeps every text whole), and
/// comfy-table's line splitting is quadratic in the length of a line: a 10 MB title
/// took 24 s to list.
pub const CELL_MAX: usize = 200;
/// The most lines a table cell shows.
const CELL_LINES: usize = 20;

/// `text` with every line cut to [`CELL_MAX`] characters and at most
/// `CELL_LINES` lines, or `None` when it fits.
fn ellipsized(text: &str) -> Option<String> {
    let long = |l: &str| l.len() > CELL_MAX && l.chars().nth(CELL_MAX).is_some();
    if text.lines().count() <= CELL_LINES && !text.lines().any(long) {
        return None;
    }
    let mut out: Vec<String> = text
        .lines()
        .take(CELL_LINES)
        .map(|l| {
            if long(l) {
                let mut cut: String = l.chars().take(CELL_MAX - 1).collect();
                cut.push('…');
                cut
            } else {
                l.to_owned()
            }
        })
        .collect();
    if text.lines().nth(CELL_LINES).is_some() {
        out.push("…".to_owned());
    }
    Some(out.join("\n"))
}

/// Writes a table followed by a newline; overlong cells are shortened first
/// (see [`CELL_MAX`]).
///
/// # Errors
/// When writing fails.
pub fn write_table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    let too_long = t
        .header()
        .into_iter()
        .chain(t.row_iter())
        .flat_map(comfy_table::Row::cell_iter)
        .any(|c| ellipsized(&c.content()).is_some());
    if !too_long {
        return writeln!(w, "{t}");
    }
    let cells = |r: &comfy_table::Row| -> Vec<String> {
        r.cell_iter()
            .map(|c| {
                let text = c.content();
                ellipsized(&text).unwrap_or(text)
            })
            .collect()
    };
    let mut short = match t.header() {
        Some(h) => table(cells(h)),
        None => {
            let mut s = Table::new();
            s.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic);
            s
        }
    };
    if let Some(width) = t.width() {
        short.set_width(width);
    }
    for r in t.row_iter() {
        short.add_row(cells(r));
    }
    writeln!(w, "{short}")
}

/// A bar of `width` cells showing `load` against `capacity`: `█` for used, `░` for
/// free, `!` past the capacity.
#[must_use]
pub fn bar(load: u64, capacity: u64, width: usize) -> String {
    if capacity == 0 {
        return if load == 0 {
            "░".repeat(width)
        } else {
            "!".repeat(width)
        };
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_precision_loss,
        clippy::cast_sign_loss
    )]
    let filled = ((load.min(capacity) as f64 / capacity as f64) * width as f64).round() as usize;
    let mut s = "█".repeat(filled.min(width));
    s.push_str(&"░".repeat(width - filled.min(width)));
    if load > capacity {
        s.push('!');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_show_load_against_capacity() {
        assert_eq!(bar(0, 40, 4), "░░░░");
        assert_eq!(bar(20, 40, 4), "██░░");
        assert_eq!(bar(40, 40, 4), "████");
        assert_eq!(bar(50, 40, 4), "████!");
    }

    #[test]
    fn long_cells_are_cut_and_short_ones_kept() {
        assert_eq!(super::ellipsized("short"), None);
        let long = "x".repeat(5000);
        let cut = super::ellipsized(&long).expect("cut");
        assert_eq!(cut.chars().count(), super::CELL_MAX);
        assert!(cut.ends_with('…'));
        let many = "a\n".repeat(100);
        assert_eq!(super::ellipsized(&many).expect("cut").lines().count(), 21);
        let mut t = super::table(["id", "title"]);
        t.add_row(vec!["CR-1".to_owned(), "y".repeat(1_000_000)]);
        let mut out = Vec::new();
        super::write_table(&mut out, &t).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        // Four border lines and one row, each about one cut cell wide.
        assert!(
            text.chars().count() < 6 * super::CELL_MAX,
            "{} characters",
            text.chars().count()
        );
        assert!(text.contains('…'));
    }
}
