//! `notes`: a release's notes from the requests' customer-facing texts, and what
//! every text of a release shares (`changelog`, `announce`, `agenda` use it too):
//! choosing the language, the workspace's template overrides, the facts a text
//! states (dates from [`crate::model::facts`], never recomputed here), and the
//! warnings a text deserves — a preliminary scope, requests nobody accepted yet,
//! texts that fell back to another language.

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use crate::error::refused;
use crate::model::{facts, lang, Release, ReleaseId, Request, Stage};
use crate::notes::render::{self, TemplateError, Templates};
use crate::notes::{Audience, Context, Dates, Extras, Input, Product};
use crate::workspace::{exports, Workspace};

/// The language tag to write in: `arg` as the workspace writes it
/// ([`lang::resolve`]: `de` becomes the workspace's `de-AT`, a regional variant
/// such as `de-DE` of a workspace language stays as given), else the
/// workspace's first language.
///
/// # Errors
/// When `arg` is not a language of this workspace.
pub fn language(ws: &Workspace, arg: Option<&str>) -> Result<String> {
    let langs = &ws.config.workspace.languages;
    match arg {
        Some(l) => lang::resolve(l, langs).ok_or_else(|| {
            refused(
                format!("`{l}` is not a language of this workspace"),
                format!(
                    "use one of: {} (workspace.languages in zyklus.toml)",
                    langs.join(", ")
                ),
            )
        }),
        None => Ok(langs.first().cloned().unwrap_or_else(|| "en".into())),
    }
}

/// The templates of the workspace: the built-in ones with `templates/*.jinja`
/// on top.
///
/// # Errors
/// When the overrides cannot be read.
pub fn templates(ws: &Workspace) -> Result<Templates> {
    Ok(Templates::with_overrides(exports::template_overrides(
        &ws.root,
    )?))
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

/// The dates a text of `release` states: its release date (a hotfix in
/// production: when it entered production) and, from the test stage on, when it
/// went onto the test system.
#[must_use]
pub fn dates(ws: &Workspace, release: &Release) -> Dates {
    let d = facts::dates(&ws.config, release.id, Some(release));
    let on_test = matches!(release.stage, Stage::Test | Stage::Production);
    Dates {
        release: d.release_date,
        test_since: on_test
            .then(|| {
                facts::entered_test(release)
                    .map(|t| t.0.date_naive())
                    .or(d.test_start)
            })
            .flatten(),
    }
}

/// The template context of `release` in the language `tag` for `audience`.
#[must_use]
pub fn context(ws: &Workspace, release: &Release, tag: &str, audience: Audience) -> Context {
    let requests = scope(ws, release);
    Context::build(Input {
        product: Product::of(&ws.config, tag),
        release,
        requests: &requests,
        dates: dates(ws, release),
        lang: tag,
        audience,
        extras: Extras::of(&ws.config, &release.id.to_string(), tag),
    })
}

/// The warnings a text of `release` deserves: preliminary (the scope is not
/// frozen), requests in the scope that are not accepted, and (for the language
/// of `ctx`) texts that fell back to another language.
#[must_use]
pub fn warnings(release: &Release, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    if !release.is_frozen() {
        out.push(format!(
            "{} is {} and its scope is not frozen: the texts are marked preliminary",
            release.id, release.stage
        ));
    }
    for id in &ctx.not_accepted {
        out.push(format!(
            "{id} in the scope of {} is not accepted yet: the texts announce a change nobody has agreed to (accept it with `zyklus request set {id} --status accepted`, or take it out of the scope)",
            release.id
        ));
    }
    out.extend(fallback_warnings(ctx));
    out
}

/// One warning per request whose text fell back to another language.
#[must_use]
pub fn fallback_warnings(ctx: &Context) -> Vec<String> {
    ctx.fallbacks
        .iter()
        .map(|id| {
            format!(
                "{id} has no [text] {}: using its text in another language or its title (add `{} = \"…\"` under [text] in requests/{id}.toml)",
                ctx.lang,
                lang::primary(&ctx.lang)
            )
        })
        .collect()
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

/// The formats of `notes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

/// What `notes` was asked for.
#[derive(Debug, Clone)]
pub struct NotesRequest {
    pub id: ReleaseId,
    pub lang: Option<String>,
    pub audience: Audience,
    pub format: Format,
}

/// The notes of a release, ready to render: the context, the template that
/// renders it, and the warnings to show.
#[derive(Debug)]
pub struct Notes {
    pub context: Context,
    /// The template's file name (`notes.de.md.jinja`).
    pub template: String,
    /// Where it comes from (`templates/…` or `… (built in)`).
    pub origin: String,
    pub warnings: Vec<String>,
    templates: Templates,
}

/// What `notes --context` prints.
#[derive(Debug, Serialize)]
pub struct ContextDump<'a> {
    pub template: String,
    pub context: &'a Context,
}

impl Notes {
    /// The rendered document.
    ///
    /// # Errors
    /// When the template does not render.
    pub fn render(&self) -> Result<String> {
        self.templates
            .render(&self.template, &self.context)
            .map_err(template_error)
    }

    /// The context with the template's origin, for `--context`.
    #[must_use]
    pub fn dump(&self) -> ContextDump<'_> {
        ContextDump {
            template: self.origin.clone(),
            context: &self.context,
        }
    }
}

/// Prepares the notes of a release.
///
/// # Errors
/// On an unknown release or language, or unreadable template overrides.
pub fn notes(ws: &Workspace, req: &NotesRequest) -> Result<Notes> {
    let release = ws.release(req.id)?;
    let tag = language(ws, req.lang.as_deref())?;
    let templates = templates(ws)?;
    let context = context(ws, release, &tag, req.audience);
    let ext = match req.format {
        Format::Markdown => "md",
        Format::Html => "html",
    };
    let template = templates.name_for("notes", &tag, ext);
    Ok(Notes {
        warnings: warnings(release, &context),
        origin: templates.origin(&template),
        context,
        template,
        templates,
    })
}

/// The release date a changelog section states, or why there is none.
///
/// # Errors
/// When the release has no release date.
pub fn require_release_date(ws: &Workspace, release: &Release) -> Result<NaiveDate> {
    dates(ws, release).release.ok_or_else(|| {
        refused(
            format!("release {} has no release date", release.id),
            format!(
                "set `release_date = YYYY-MM-DD` in {}",
                ws.relative(&ws.release_path(release.id)).display()
            ),
        )
    })
}
