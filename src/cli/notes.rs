//! `zyklus notes ID`: a release's notes from the requests' customer-facing texts,
//! rendered by the (possibly overridden) templates to stdout. Also the helpers the
//! `changelog` and `announce` commands share: choosing the language, loading the
//! workspace's template overrides, collecting the scope.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;

use super::{Outcome, Settings};
use crate::error::refused;
use crate::model::{Release, ReleaseId, Request};
use crate::notes::{self, render, Audience, Context, TemplateError, Templates};
use crate::output::Format;
use crate::workspace::Workspace;

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

Templates: built in for de and en; a file templates/notes.<lang>.md.jinja (or .html.jinja)
in the workspace overrides the built-in one. --context prints the data templates see.
`--as json` (or the global `--format json`) prints the notes as JSON.")]
pub struct Args {
    /// The release id, e.g. 2027.1
    pub id: ReleaseId,
    /// Language of the notes (default: the workspace's first language)
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

/// What `notes --context` prints.
#[derive(Debug, Serialize)]
struct ContextDump<'a> {
    template: String,
    context: &'a Context,
}

/// Runs `zyklus notes`.
///
/// # Errors
/// On an unknown release or language, or a template error.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let release = ws.release(a.id)?;
    let lang = pick_lang(ws, a.lang.as_deref())?;
    let templates = load_templates(&ws.root)?;
    let ctx = context(ws, release, &lang, a.audience.into());
    warn_fallbacks(s, &ctx);
    let json = a.as_ == As::Json || s.shell.format() == Format::Json;
    let ext = if a.as_ == As::Html { "html" } else { "md" };
    let name = render::name("notes", &lang, ext);
    let mut out = std::io::stdout().lock();
    if a.context {
        let dump = ContextDump {
            template: templates.origin(&name),
            context: &ctx,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&dump)?)?;
    } else if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&ctx)?)?;
    } else {
        let text = templates.render(&name, &ctx).map_err(template_error)?;
        out.write_all(text.as_bytes())?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// The language to render in: `arg`, else the workspace's first language.
///
/// # Errors
/// When `arg` is not one of the workspace's languages.
pub fn pick_lang(ws: &Workspace, arg: Option<&str>) -> Result<String> {
    let langs = &ws.config.workspace.languages;
    match arg {
        Some(l) if langs.iter().any(|x| x == l) => Ok(l.to_owned()),
        Some(l) => Err(refused(
            format!("`{l}` is not a language of this workspace"),
            format!(
                "use one of: {} (workspace.languages in zyklus.toml)",
                langs.join(", ")
            ),
        )),
        None => Ok(langs.first().cloned().unwrap_or_else(|| "en".into())),
    }
}

/// The requests of a release's scope, in scope order.
#[must_use]
pub fn scope<'a>(ws: &'a Workspace, release: &Release) -> Vec<&'a Request> {
    release
        .scope
        .iter()
        .filter_map(|id| ws.requests.get(id.as_str()))
        .collect()
}

/// The release date (one rule for all: [`crate::model::facts::release_date`]).
#[must_use]
pub fn release_date(ws: &Workspace, release: &Release) -> Option<chrono::NaiveDate> {
    crate::model::facts::release_date(&ws.config, release)
}

/// The template context of a release in `lang` for `audience`.
#[must_use]
pub fn context(ws: &Workspace, release: &Release, lang: &str, audience: Audience) -> Context {
    Context::build(
        &ws.config.workspace.name,
        release,
        &scope(ws, release),
        release_date(ws, release),
        lang,
        audience,
    )
}

/// One warning per request whose text fell back to another language.
pub fn warn_fallbacks(s: &Settings, ctx: &Context) {
    for id in &ctx.fallbacks {
        s.warn(&format!(
            "{id} has no [text] {}: using its text in another language or its title (add `{} = \"…\"` under [text] in requests/{id}.toml)",
            ctx.lang, ctx.lang
        ));
    }
}

/// The workspace's template overrides: every `templates/*.jinja` file.
///
/// # Errors
/// When the directory or a file in it cannot be read.
pub fn load_templates(root: &Path) -> Result<Templates> {
    let dir = root.join(render::OVERRIDE_DIR);
    let mut overrides = BTreeMap::new();
    if dir.is_dir() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for e in entries {
            let e = e.with_context(|| format!("reading {}", dir.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".jinja") || !e.path().is_file() {
                continue;
            }
            let src = std::fs::read_to_string(e.path())
                .with_context(|| format!("reading {}/{name}", render::OVERRIDE_DIR))?;
            overrides.insert(name, src);
        }
    }
    Ok(Templates::with_overrides(overrides))
}

/// A template error as a user-facing error with a hint.
#[must_use]
pub fn template_error(e: TemplateError) -> anyhow::Error {
    let hint = if e.missing {
        format!(
            "write {} (start from a built-in one: `zyklus notes ID --context` shows the data), or use a language with built-in templates (de, en)",
            e.template
        )
    } else if e.template.starts_with(render::OVERRIDE_DIR) {
        format!(
            "fix {} (minijinja syntax; undefined variables are errors — see `zyklus notes ID --context` for what is defined), or delete it to use the built-in template",
            e.template
        )
    } else {
        "report this as a bug in zyklus; meanwhile override the template in templates/".into()
    };
    refused(e.to_string(), hint)
}

/// The section of a release for a changelog (used by `changelog`).
#[must_use]
pub fn changelog_section(ctx: &Context, id: ReleaseId, date: chrono::NaiveDate) -> String {
    notes::changelog::section(ctx, id, date)
}
