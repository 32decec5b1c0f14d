//! The table form of `calendar`.

use std::io::{self, Write};

use super::Report;
use crate::ops::calendar::CalendarReport;
use crate::ui::Paint;

impl Report for CalendarReport {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let with_calls = self.releases.iter().any(|r| r.coordination.is_some());
        let mut header = vec![
            "release",
            "dev start",
            "test start",
            "release date",
            "stage",
        ];
        if with_calls {
            header.push("coordination call");
        }
        let mut t = super::table(header);
        for r in &self.releases {
            let mut row = vec![
                r.id.to_string(),
                r.dev_start.format("%Y-%m-%d %a").to_string(),
                r.test_start.format("%Y-%m-%d %a").to_string(),
                r.release_date.format("%Y-%m-%d %a").to_string(),
                r.stage.map_or_else(|| "—".to_owned(), |s| s.to_string()),
            ];
            if with_calls {
                row.push(r.coordination.as_ref().map_or_else(String::new, |c| {
                    format!("{} {} {}", c.date.format("%Y-%m-%d %a"), c.time, c.timezone)
                }));
            }
            t.add_row(row);
        }
        super::write_table(w, &t)?;
        writeln!(w, "{} releases in {}", self.releases.len(), self.year)
    }
}
