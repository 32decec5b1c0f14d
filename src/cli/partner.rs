//! `zyklus partner list`: the partners with their language and this year's
//! trainings (booked, used, left, extra). Glue only: the quota arithmetic is
//! [`crate::model::Quota`].

use std::io::{self, Write};

use anyhow::Result;
use chrono::Datelike;
use serde::Serialize;

use super::{Outcome, Settings};
use crate::model::Quota;
use crate::output::{self, Report};
use crate::ui::Paint;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List partners with their language and trainings booked / used / left
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The year of the training quota (default: the year of now)
    #[arg(long)]
    pub year: Option<i32>,
}

/// One partner.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub language: Option<String>,
    pub email: Option<String>,
    pub trainings: Quota,
}

/// The JSON of `partner list`: `{"year", "partners": [{"id", "name", "language",
/// "email", "trainings": {"booked", "used", "left", "extra"}}]}`.
#[derive(Debug, Serialize)]
pub struct PartnerList {
    pub year: i32,
    pub partners: Vec<Row>,
}

impl Report for PartnerList {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.partners.is_empty() {
            return writeln!(w, "no partners (add them to partners.toml)");
        }
        let mut t = output::table(["id", "name", "language", "booked", "used", "left", "extra"]);
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
        output::write_table(w, &t)?;
        writeln!(
            w,
            "{} partners; trainings in {}",
            self.partners.len(),
            self.year
        )
    }
}

/// Runs a `partner` subcommand.
///
/// # Errors
/// When the workspace does not load.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::List(a) => {
            let loaded = s.load()?;
            let ws = &loaded.workspace;
            let year = a.year.unwrap_or_else(|| s.now.year());
            let trainings = ws.trainings_in(year);
            let partners = ws
                .partners
                .partners
                .iter()
                .map(|p| Row {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    language: p.language.clone(),
                    email: p.email.clone(),
                    trainings: Quota::of(p, trainings),
                })
                .collect();
            s.emit(&PartnerList { year, partners })?;
            Ok(Outcome::Success)
        }
    }
}
