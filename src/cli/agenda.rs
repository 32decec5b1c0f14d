//! `zyklus agenda ID`: the agenda of the partner coordination call before a
//! release — scope with the partners who asked for each change, the major changes,
//! open findings, stage, test start and release date — rendered by the (possibly
//! overridden) template `agenda.<lang>.md.jinja`.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::notes::{load_templates, pick_lang, release_date, scope, template_error};
use super::{Outcome, Settings};
use crate::model::ReleaseId;
use crate::notes::agenda::{self, AgendaContext, AgendaDates};
use crate::notes::render;
use crate::output::Format;
use crate::workspace::Workspace;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The call's date and time come from [coordination] in zyklus.toml (days_before_release,
time, duration_minutes, url); without that section the agenda has no date line.
Template: agenda.<lang>.md.jinja (override in templates/). `--as json` or the global
`--format json` print the data the template sees.")]
pub struct Args {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// Language of the agenda (default: the workspace's first language)
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

#[derive(Serialize)]
struct Dump<'a> {
    template: String,
    context: &'a AgendaContext,
}

/// The test start: the release file's `test_start`, else the calendar's.
fn test_start(ws: &Workspace, release: &crate::model::Release) -> Option<chrono::NaiveDate> {
    release.test_start.map(|d| d.0).or_else(|| {
        (!release.id.is_hotfix())
            .then(|| crate::model::calendar::dates(&ws.config.calendar, release.id).ok())
            .flatten()
            .map(|d| d.test_start)
    })
}

/// Runs `zyklus agenda`.
///
/// # Errors
/// On an unknown release or language, or a template error.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let release = ws.release(a.id)?;
    let lang = pick_lang(ws, a.lang.as_deref())?;
    let templates = load_templates(&ws.root)?;
    let dates = AgendaDates {
        release: release_date(ws, release),
        test_start: test_start(ws, release),
    };
    let call = match (&ws.config.coordination, dates.release) {
        (Some(c), Some(d)) => agenda::call(
            d,
            c.days_before_release,
            &c.time,
            c.duration_minutes,
            c.url.clone(),
            &lang,
        ),
        _ => None,
    };
    let ctx = AgendaContext::build(
        &ws.config.workspace.name,
        release,
        &scope(ws, release),
        &ws.partners,
        dates,
        call,
        &lang,
    );
    for id in &ctx.fallbacks {
        s.warn(&format!(
            "{id} has no [text] {lang}: using its text in another language"
        ));
    }
    let name = render::name("agenda", &lang, "md");
    let mut out = std::io::stdout().lock();
    if a.as_ == AgendaAs::Json || s.shell.format() == Format::Json {
        let dump = Dump {
            template: templates.origin(&name),
            context: &ctx,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&dump)?)?;
    } else {
        let text = templates.render(&name, &ctx).map_err(template_error)?;
        out.write_all(text.as_bytes())?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}
