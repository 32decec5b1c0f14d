//! `zyklus notes ID`: arguments and glue. The notes, their wording and their
//! warnings are [`crate::ops::notes`]'s; the templates are in [`crate::notes`].

use anyhow::Result;

use super::{Outcome, Settings};
use crate::model::ReleaseId;
use crate::notes::Audience;
use crate::ops::notes::{self, Format, NotesRequest};
use crate::output;

/// What `notes` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum As {
    Markdown,
    Html,
    Json,
}

/// Which changes the notes are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AudienceArg {
    /// Only the major changes (what the customer e-mail announces)
    Customers,
    /// Only the other changes (what the wiki page lists)
    Wiki,
    /// Every change
    All,
}

impl From<AudienceArg> for Audience {
    fn from(a: AudienceArg) -> Self {
        match a {
            AudienceArg::Customers => Audience::Customers,
            AudienceArg::Wiki => Audience::Wiki,
            AudienceArg::All => Audience::All,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The notes group the release's requests by kind (Added = feature, Changed = improvement,
Fixed = bugfix/hotfix), major changes first. Texts come from each request's [text] table;
a missing language falls back to another one with a warning on stderr.

The wording follows the release's stage: planned or in development \"planned for <date>\",
in test \"on the test system since <date>, release planned for <date>\", in production
\"released on <date>\" (a hotfix: the day it entered production). A release whose scope is
not frozen yet is marked preliminary (and warned about on stderr), and so is every request
in the scope that is not accepted yet.

Languages are tags such as de, de-AT, en-GB: de-* uses the German templates (de-AT writes
\"Jänner\"), en-* the English ones. Templates: built in for de and en; a file
templates/notes.<tag>.md.jinja (or notes.<lang>.md.jinja, .html.jinja) in the workspace
overrides the built-in one. --context prints the data templates see. `--as json` (or the
global `--format json`) prints the notes as JSON.")]
pub struct Args {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// Language tag of the notes, e.g. de, de-AT, en (default: the workspace's first language)
    #[arg(long)]
    pub lang: Option<String>,
    /// Output: markdown, html or json
    #[arg(long = "as", value_enum, default_value_t = As::Markdown, value_name = "FORMAT")]
    pub as_: As,
    /// Which changes: customers (major), wiki (the rest) or all
    #[arg(long, value_enum, default_value_t = AudienceArg::All)]
    pub audience: AudienceArg,
    /// Print the JSON the template sees instead of rendering it
    #[arg(long)]
    pub context: bool,
}

/// Runs `zyklus notes`.
///
/// # Errors
/// On an unknown release or language, or a template error.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let request = NotesRequest {
        id: a.id,
        lang: a.lang.clone(),
        audience: a.audience.into(),
        format: if a.as_ == As::Html {
            Format::Html
        } else {
            Format::Markdown
        },
    };
    let notes = notes::notes(&loaded.workspace, &request)?;
    for w in &notes.warnings {
        s.warn(w);
    }
    if a.context {
        s.shell.document(&output::pretty_json(&notes.dump())?)?;
    } else if a.as_ == As::Json || s.shell.format() == output::Format::Json {
        s.shell.document(&output::pretty_json(&notes.context)?)?;
    } else {
        s.shell.document(&notes.render()?)?;
    }
    Ok(Outcome::Success)
}
