//! `zyklus agenda ID`: arguments and glue; the agenda's facts are gathered in
//! [`crate::ops::agenda`], its text is the template `agenda.<lang>.md.jinja`.

use anyhow::Result;

use super::{Outcome, Settings};
use crate::model::ReleaseId;
use crate::ops::agenda;
use crate::output::{self, Format};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The call's date and time come from [coordination] in zyklus.toml (days_before_release,
time, duration_minutes, url, timezone) — the same call `zyklus calendar` shows: on a day
that is no working day it moves to the working day before. The agenda gives the time with
its zone and city (10:00–11:00 CET (Vienna)); without [coordination] it has no date line.
Template: agenda.<lang>.md.jinja (override in templates/). `--as json` or the global
`--format json` print the data the template sees.")]
pub struct Args {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// Language tag of the agenda, e.g. de, de-AT, en (default: the workspace's first language)
    #[arg(long)]
    pub lang: Option<String>,
    /// Output: markdown or json
    #[arg(long = "as", value_enum, default_value_t = AgendaAs::Markdown, value_name = "FORMAT")]
    pub as_: AgendaAs,
}

/// What `agenda` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AgendaAs {
    Markdown,
    Json,
}

/// Runs `zyklus agenda`.
///
/// # Errors
/// On an unknown release or language, or a template error.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let agenda = agenda::agenda(&loaded.workspace, a.id, a.lang.as_deref())?;
    for w in &agenda.warnings {
        s.warn(w);
    }
    if a.as_ == AgendaAs::Json || s.shell.format() == Format::Json {
        s.shell.document(&output::pretty_json(&agenda.dump())?)?;
    } else {
        s.shell.document(&agenda.render()?)?;
    }
    Ok(Outcome::Success)
}
