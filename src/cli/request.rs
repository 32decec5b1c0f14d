//! `zyklus request new|list|show|set`: arguments, the questions `request new` asks
//! on a terminal, and glue over [`crate::ops::request`].

use anyhow::Result;

use super::{Outcome, Settings};
use crate::model::{Impact, Kind, ReleaseId, Status};
use crate::ops::request::{self, Change, Draft};
use crate::ops::Context;
use crate::output::Format;
use crate::workspace::Transaction;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a change request (asks on a terminal for what the flags leave out)
    New(NewArgs),
    /// List change requests, filtered by kind, status or partner
    List(ListArgs),
    /// Show one change request
    Show {
        /// The request id, e.g. CR-0042
        id: String,
    },
    /// Change fields of one or more requests (all or nothing); files keep their comments and layout
    Set(SetArgs),
}

/// Filters shared by `request list` and `score`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filter {
    /// Only requests of this kind
    #[arg(long, value_parser = parse_enum::<Kind>)]
    pub kind: Option<Kind>,
    /// Only requests with this status
    #[arg(long, value_parser = parse_enum::<Status>)]
    pub status: Option<Status>,
    /// Only requests asked for by this partner id
    #[arg(long)]
    pub partner: Option<String>,
}

impl Filter {
    /// The filter as the operations take it.
    #[must_use]
    pub fn to_filter(&self) -> request::Filter {
        request::Filter {
            kind: self.kind,
            status: self.status,
            partner: self.partner.clone(),
        }
    }
}

/// clap value parser for the domain enums (`feature`, `accepted`, …).
///
/// # Errors
/// When `s` is not one of the enum's names.
pub fn parse_enum<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.parse()
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: Filter,
}

#[derive(Debug, Default, clap::Args)]
pub struct NewArgs {
    /// The id (default: the next free one, e.g. CR-0043)
    #[arg(long)]
    pub id: Option<String>,
    /// Short title
    #[arg(long)]
    pub title: Option<String>,
    /// feature | improvement | bugfix | hotfix
    #[arg(long, value_parser = parse_enum::<Kind>)]
    pub kind: Option<Kind>,
    /// open | accepted | done | rejected
    #[arg(long, value_parser = parse_enum::<Status>)]
    pub status: Option<Status>,
    /// Capacity units (e.g. story points), a whole number > 0
    #[arg(long)]
    pub effort: Option<u32>,
    /// major (customer e-mail) | minor (wiki)
    #[arg(long, value_parser = parse_enum::<Impact>)]
    pub impact: Option<Impact>,
    /// Partner id that asked for it (repeatable)
    #[arg(long = "requested-by", value_name = "PARTNER")]
    pub requested_by: Vec<String>,
    /// Request that must ship in the same or an earlier release (repeatable)
    #[arg(long = "depends-on", value_name = "ID")]
    pub depends_on: Vec<String>,
    /// Request that must ship in the same release (repeatable)
    #[arg(long = "together-with", value_name = "ID")]
    pub together_with: Vec<String>,
    /// Must be in production by this date (YYYY-MM-DD)
    #[arg(long)]
    pub deadline: Option<chrono::NaiveDate>,
    /// Force it into this release (YYYY.N)
    #[arg(long)]
    pub pin: Option<ReleaseId>,
    /// Hotfixes: when it was reported (RFC 3339)
    #[arg(long = "reported-at", value_name = "TIME")]
    pub reported_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// A criterion score, NAME=VALUE (repeatable; only the criteria of [scoring])
    #[arg(long = "score", value_name = "NAME=VALUE", value_parser = parse_pair::<f64>)]
    pub scores: Vec<(String, f64)>,
    /// Customer-facing text, LANG=TEXT (repeatable, e.g. --text "de=Neu: …")
    #[arg(long = "text", value_name = "LANG=TEXT", value_parser = parse_pair::<String>)]
    pub texts: Vec<(String, String)>,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  zyklus request set CR-0013 CR-0033 --status accepted
  zyklus request set CR-0009 --score value=8 --text 'en=Audit reports download as PDF.'
  zyklus request set CR-0009 --depends-on CR-0007 --no-depends-on CR-0004 --no-deadline

Several ids change together: when one is unknown or one result invalid, nothing is written.")]
pub struct SetArgs {
    /// The request ids (one or more)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// New status: open | accepted | done | rejected
    #[arg(long, value_parser = parse_enum::<Status>)]
    pub status: Option<Status>,
    /// New short title
    #[arg(long)]
    pub title: Option<String>,
    /// New kind: feature | improvement | bugfix | hotfix
    #[arg(long, value_parser = parse_enum::<Kind>)]
    pub kind: Option<Kind>,
    /// New effort in capacity units, a whole number > 0
    #[arg(long)]
    pub effort: Option<u32>,
    /// New impact: major (customer e-mail) | minor (wiki)
    #[arg(long, value_parser = parse_enum::<Impact>)]
    pub impact: Option<Impact>,
    /// Pin to a release (YYYY.N); see --unpin
    #[arg(long, conflicts_with = "unpin")]
    pub pin: Option<ReleaseId>,
    /// Remove the pin
    #[arg(long)]
    pub unpin: bool,
    /// Deadline (YYYY-MM-DD); see --no-deadline
    #[arg(long, conflicts_with = "no_deadline")]
    pub deadline: Option<chrono::NaiveDate>,
    /// Remove the deadline
    #[arg(long = "no-deadline")]
    pub no_deadline: bool,
    /// Hotfixes: when it was reported (RFC 3339), the start of the reaction clock
    #[arg(long = "reported-at", value_name = "TIME")]
    pub reported_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Set a criterion score, NAME=VALUE (repeatable; only the criteria of [scoring])
    #[arg(long = "score", value_name = "NAME=VALUE", value_parser = parse_pair::<f64>)]
    pub scores: Vec<(String, f64)>,
    /// Set the customer-facing text of a language, LANG=TEXT (repeatable); LANG= removes it
    #[arg(long = "text", value_name = "LANG=TEXT", value_parser = parse_pair::<String>)]
    pub texts: Vec<(String, String)>,
    /// Add a request that must ship in the same or an earlier release (repeatable)
    #[arg(long = "depends-on", value_name = "ID")]
    pub depends_on: Vec<String>,
    /// Remove a dependency (repeatable)
    #[arg(long = "no-depends-on", value_name = "ID")]
    pub no_depends_on: Vec<String>,
    /// Add a request that must ship in the same release (repeatable)
    #[arg(long = "together-with", value_name = "ID")]
    pub together_with: Vec<String>,
    /// Remove a request from together_with (repeatable)
    #[arg(long = "no-together-with", value_name = "ID")]
    pub no_together_with: Vec<String>,
}

fn parse_pair<T: std::str::FromStr>(s: &str) -> Result<(String, T), String>
where
    T::Err: std::fmt::Display,
{
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let v = v.trim().parse::<T>().map_err(|e| format!("`{v}`: {e}"))?;
    Ok((k.trim().to_owned(), v))
}

/// Runs a `request` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::List(a) => {
            let loaded = s.load()?;
            s.emit(&request::list(&loaded.workspace, &a.filter.to_filter()))?;
        }
        Command::Show { id } => {
            let loaded = s.load()?;
            s.emit(&request::show(&loaded.workspace, &id)?)?;
        }
        Command::New(a) => new(a, s)?,
        Command::Set(a) => set(a, s)?,
    }
    Ok(Outcome::Success)
}

impl NewArgs {
    fn into_draft(self) -> Draft {
        Draft {
            id: self.id,
            title: self.title,
            kind: self.kind,
            status: self.status,
            effort: self.effort,
            impact: self.impact,
            requested_by: self.requested_by,
            depends_on: self.depends_on,
            together_with: self.together_with,
            deadline: self.deadline,
            pin: self.pin,
            reported_at: self.reported_at,
            scores: self.scores,
            texts: self.texts,
        }
    }
}

fn new(a: NewArgs, s: &Settings) -> Result<()> {
    let mut draft = a.into_draft();
    let tx = if draft.title.is_some() && draft.effort.is_some() {
        s.begin()?
    } else {
        // Ask before taking the lock: a person may take minutes to answer, and
        // other writers would wait for the lock meanwhile.
        let loaded = s.load()?;
        request::check_draft(&loaded.workspace, &draft)?;
        super::request_prompt::ask_missing(&mut draft, &loaded.workspace, s)?;
        // The warnings were shown when loading above.
        let mut tx = Transaction::begin(&s.root()?)?;
        tx.inject(s.fault);
        tx
    };
    let mut tx = tx;
    let ctx = Context {
        now: s.now,
        actor: s.actor.clone(),
    };
    let created = request::new(&mut tx, &ctx, &draft)?;
    // Say what is missing in the new file now, not on the next command.
    let after = tx.check()?;
    let ours: Vec<_> = after
        .warnings
        .into_iter()
        .filter(|d| d.file.to_string_lossy().replace('\\', "/") == created.file)
        .collect();
    s.shell.warnings(&ours);
    s.commit(tx)?;
    s.emit(&created)
}

fn set(a: SetArgs, s: &Settings) -> Result<()> {
    let change = Change {
        status: a.status,
        title: a.title,
        kind: a.kind,
        effort: a.effort,
        impact: a.impact,
        pin: if a.unpin { Some(None) } else { a.pin.map(Some) },
        deadline: if a.no_deadline {
            Some(None)
        } else {
            a.deadline.map(Some)
        },
        reported_at: a.reported_at,
        scores: a.scores,
        texts: a.texts,
        add_depends_on: a.depends_on,
        remove_depends_on: a.no_depends_on,
        add_together_with: a.together_with,
        remove_together_with: a.no_together_with,
    };
    let mut tx = s.begin()?;
    let updated = request::set(&mut tx, &a.ids, &change)?;
    s.commit(tx)?;
    if let Some(m) = updated.unchanged_message() {
        s.status(&m);
    }
    if s.shell.format() == Format::Json {
        s.emit(&updated)?;
    }
    Ok(())
}
