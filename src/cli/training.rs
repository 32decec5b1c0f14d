//! `zyklus training add|list`: arguments and glue over [`crate::ops::training`].

use anyhow::Result;
use chrono::{Datelike, NaiveDate};

use super::request::parse_enum;
use super::{Outcome, Settings};
use crate::model::Mode;
use crate::ops::training::{self, NewTraining};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a training for a partner (refused past the booked quota without --extra)
    Add(AddArgs),
    /// List the trainings of a year
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The partner id (see `zyklus partner list`)
    pub partner: String,
    /// The day of the training (YYYY-MM-DD)
    #[arg(long)]
    pub date: NaiveDate,
    /// onsite | remote
    #[arg(long, value_parser = parse_enum::<Mode>)]
    pub mode: Mode,
    /// What the training covers
    #[arg(long)]
    pub topic: Option<String>,
    /// Agreed separately: recorded outside the booked quota
    #[arg(long)]
    pub extra: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this partner's trainings
    #[arg(long)]
    pub partner: Option<String>,
    /// The year (default: the year of now)
    #[arg(long)]
    pub year: Option<i32>,
}

/// Runs a `training` subcommand.
///
/// # Errors
/// On invalid input, a used-up quota, or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Add(a) => {
            let mut tx = s.begin()?;
            let added = training::add(
                &mut tx,
                &NewTraining {
                    partner: a.partner,
                    date: a.date,
                    mode: a.mode,
                    topic: a.topic,
                    extra: a.extra,
                },
            )?;
            s.commit(tx)?;
            s.emit(&added)?;
        }
        Command::List(a) => {
            let loaded = s.load()?;
            let year = a.year.unwrap_or_else(|| s.now.year());
            s.emit(&training::list(
                &loaded.workspace,
                a.partner.as_deref(),
                year,
            )?)?;
        }
    }
    Ok(Outcome::Success)
}
