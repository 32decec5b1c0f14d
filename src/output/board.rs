//! The summary table of `board` (its JSON is the board itself).

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::ops::board::Summary;
use crate::ui::Paint;

impl Report for Summary {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let mut t = table([
            "release",
            "stage",
            "next gate",
            "unmet",
            "load",
            "open findings",
        ]);
        let rows = self
            .board
            .releases
            .iter()
            .flat_map(|r| std::iter::once(r).chain(&r.hotfixes));
        for r in rows {
            let (gate, unmet) = r.next_gate.as_ref().map_or_else(
                || ("–".to_owned(), String::new()),
                |g| {
                    (
                        g.to.to_string(),
                        g.unmet()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                },
            );
            let f = r.open_findings;
            t.add_row(vec![
                r.id.to_string(),
                r.stage.to_string(),
                gate,
                unmet,
                format!("{}/{}", r.load.load, r.load.capacity),
                if f.total() == 0 {
                    String::new()
                } else {
                    format!(
                        "{} blocker, {} major, {} minor",
                        f.blocker, f.major, f.minor
                    )
                },
            ]);
        }
        write_table(w, &t)?;
        writeln!(
            w,
            "{} pages in {} (open {})",
            self.pages,
            self.out.display(),
            self.out.join("index.html").display()
        )
    }
}
