//! What `training add` recorded, and the table of `training list`.

use std::io::{self, Write};

use chrono::Datelike;

use super::{table, write_table, Report};
use crate::ops::training::{Added, TrainingList};
use crate::ui::Paint;

impl Report for Added {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let t = &self.training;
        writeln!(
            w,
            "{} {} training for {}{}{}",
            t.date,
            t.mode,
            t.partner,
            t.topic
                .as_deref()
                .map_or_else(String::new, |x| format!(": {x}")),
            if t.extra { " (extra)" } else { "" }
        )?;
        writeln!(
            w,
            "{}: {} of {} booked trainings used, {} left, {} extra",
            t.date.0.year(),
            self.quota.used,
            self.quota.booked,
            self.quota.left,
            self.quota.extra
        )
    }
}

impl Report for TrainingList {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.trainings.is_empty() {
            return writeln!(w, "no trainings in {}", self.year);
        }
        let mut t = table(["date", "partner", "mode", "topic", "quota"]);
        for x in &self.trainings {
            t.add_row(vec![
                x.date.0.format("%Y-%m-%d %a").to_string(),
                x.partner.clone(),
                x.mode.to_string(),
                x.topic.clone().unwrap_or_default(),
                if x.extra { "extra" } else { "booked" }.to_owned(),
            ]);
        }
        write_table(w, &t)?;
        writeln!(w, "{} trainings in {}", self.trainings.len(), self.year)
    }
}
