//! The table of `score`.

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::ops::score::ScoreReport;
use crate::ui::Paint;

/// Rounds for display: two decimals, without trailing zeros.
#[must_use]
pub fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_owned()
    }
}

impl Report for ScoreReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no requests match");
        }
        let mut header = vec!["id".to_owned(), "score".to_owned()];
        header.extend(self.criteria.iter().cloned());
        header.extend(["effort".into(), "score/effort".into(), "title".into()]);
        let mut t = table(header);
        for r in &self.requests {
            let mut row = vec![r.id.to_string(), num(r.score)];
            row.extend(
                self.criteria
                    .iter()
                    .map(|c| r.breakdown.get(c).map_or_else(String::new, |v| num(*v))),
            );
            row.extend([
                r.effort.to_string(),
                num(r.value_per_effort),
                r.title.clone(),
            ]);
            t.add_row(row);
        }
        write_table(w, &t)?;
        writeln!(
            w,
            "{} requests, model {}{}",
            self.requests.len(),
            self.model,
            if self.criteria.is_empty() {
                " (no criteria configured: every score is 0)"
            } else {
                ""
            }
        )
    }
}
