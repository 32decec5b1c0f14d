//! `zyklus sla [ack|report]`: arguments and glue over [`crate::ops::sla`], the
//! hotfix reaction promise (`[support] reaction_hours` working hours).

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset};

use super::{Outcome, Settings};
use crate::ops::{sla, Context};
use crate::output::Format;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Also list done and rejected hotfix requests (default: open and accepted)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record that the team reacted to a hotfix request (reacted_at in its file)
    Ack(AckArgs),
    /// The promise over a year: requests, met, missed, median and worst reaction, per partner
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct AckArgs {
    /// The hotfix request, e.g. CR-0026
    pub request: String,
    /// When the team reacted (RFC 3339; default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<DateTime<FixedOffset>>,
    /// What the reaction was (stored as reaction_note)
    #[arg(long)]
    pub note: Option<String>,
}

/// What `sla report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum As {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The year the requests were reported in (default: the year of now)
    #[arg(long)]
    pub year: Option<i32>,
    /// Output: table, markdown (a wiki page) or json (also with --format json)
    #[arg(long = "as", value_enum, default_value_t = As::Table, value_name = "FORMAT")]
    pub as_: As,
    /// Language of the markdown page (default: the workspace's first language)
    #[arg(long)]
    pub lang: Option<String>,
}

/// Runs `zyklus sla` or one of its subcommands.
///
/// # Errors
/// When the workspace cannot be loaded, an acknowledgement is refused, or stdout fails.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    match &a.command {
        None => due(a.all, s),
        Some(Command::Ack(x)) => {
            let mut tx = s.begin()?;
            let ctx = Context {
                now: s.now,
                actor: s.actor.clone(),
            };
            let acked = sla::ack(&mut tx, &ctx, &x.request, x.at, x.note.as_deref())?;
            s.commit(tx)?;
            s.shell.done(&acked, &acked.message())?;
            Ok(Outcome::Success)
        }
        Some(Command::Report(x)) => {
            let loaded = s.load()?;
            let ws = &loaded.workspace;
            let year = x.year.unwrap_or_else(|| s.now.year());
            let report = sla::year_report(ws, year, s.now);
            if x.as_ == As::Markdown && s.shell.format() != Format::Json {
                let lang = x
                    .lang
                    .clone()
                    .unwrap_or_else(|| ws.config.workspace.default_lang().to_owned());
                s.shell
                    .document(&crate::output::sla::year_markdown(&report, &lang))?;
            } else if x.as_ == As::Json {
                s.shell.document(&serde_json::to_string_pretty(&report)?)?;
            } else {
                s.emit(&report)?;
            }
            Ok(Outcome::Success)
        }
    }
}

fn due(all: bool, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let report = sla::report(&loaded.workspace, s.now, all);
    for r in report.requests.iter().filter(|r| r.reported_at.is_none()) {
        s.warn(&format!(
            "hotfix request {} has no reported_at, so no deadline; set it with `zyklus request set {} --reported-at TIME`",
            r.id, r.id
        ));
    }
    for r in report
        .requests
        .iter()
        .filter(|r| r.reported_at.is_some() && r.due.is_none())
    {
        s.warn(&format!(
            "no working day within three years after {} was reported; check [support] workdays",
            r.id
        ));
    }
    s.emit(&report)?;
    Ok(if report.late > 0 {
        Outcome::Unmet
    } else {
        Outcome::Success
    })
}
