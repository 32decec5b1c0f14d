//! The table of `partner list`.

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::ops::partner::PartnerList;
use crate::ui::Paint;

impl Report for PartnerList {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.partners.is_empty() {
            return writeln!(w, "no partners (add them to partners.toml)");
        }
        let mut t = table(["id", "name", "language", "booked", "used", "left", "extra"]);
        for p in &self.partners {
            t.add_row(vec![
                p.id.clone(),
                p.name.clone(),
                p.language.clone().unwrap_or_default(),
                p.trainings.booked.to_string(),
                p.trainings.used.to_string(),
                p.trainings.left.to_string(),
                p.trainings.extra.to_string(),
            ]);
        }
        write_table(w, &t)?;
        writeln!(
            w,
            "{} partners; trainings in {}",
            self.partners.len(),
            self.year
        )
    }
}
