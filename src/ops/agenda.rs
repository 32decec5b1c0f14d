//! `agenda`: the agenda of the partner coordination call before a release. The
//! dates come from [`crate::model::facts`], the call's day and time (moved to the
//! working day before when needed, in its time zone) from
//! [`crate::model::calendar::coordination`] — the same call `calendar` shows and
//! exports.

use anyhow::Result;
use serde::Serialize;

use super::notes;
use crate::model::calendar::{self, ReleaseDates};
use crate::model::{facts, ReleaseId};
use crate::notes::agenda::{self, AgendaContext};
use crate::notes::render::Templates;
use crate::notes::{Audience, Extras, Input, Product};
use crate::workspace::Workspace;

/// The agenda of a release, ready to render.
#[derive(Debug)]
pub struct Agenda {
    pub context: AgendaContext,
    /// The template's file name (`agenda.de.md.jinja`).
    pub template: String,
    pub origin: String,
    pub warnings: Vec<String>,
    templates: Templates,
}

/// What `agenda --as json` prints.
#[derive(Debug, Serialize)]
pub struct Dump<'a> {
    pub template: String,
    pub context: &'a AgendaContext,
}

impl Agenda {
    /// The rendered agenda.
    ///
    /// # Errors
    /// When the template does not render.
    pub fn render(&self) -> Result<String> {
        self.templates
            .render(&self.template, &self.context)
            .map_err(notes::template_error)
    }

    /// The context with the template's origin.
    #[must_use]
    pub fn dump(&self) -> Dump<'_> {
        Dump {
            template: self.origin.clone(),
            context: &self.context,
        }
    }
}

/// Prepares the agenda of release `id` in `lang` (default: the workspace's
/// first language).
///
/// # Errors
/// On an unknown release or language, or unreadable template overrides.
pub fn agenda(ws: &Workspace, id: ReleaseId, lang: Option<&str>) -> Result<Agenda> {
    let release = ws.release(id)?;
    let tag = notes::language(ws, lang)?;
    let templates = notes::templates(ws)?;
    let d = facts::dates(&ws.config, release.id, Some(release));
    let call = match (
        &ws.config.coordination,
        d.release_date,
        release.id.is_hotfix(),
    ) {
        (Some(c), Some(release_date), false) => {
            let dates = ReleaseDates {
                id: release.id,
                dev_start: d.dev_start.unwrap_or(release_date),
                test_start: d.test_start.unwrap_or(release_date),
                release_date,
            };
            calendar::coordination(&ws.config.calendar, c, &dates)
                .ok()
                .map(|call| agenda::call(&call, &tag))
        }
        _ => None,
    };
    let requests = notes::scope(ws, release);
    let context = AgendaContext::build(
        Input {
            product: Product::of(&ws.config, &tag),
            release,
            requests: &requests,
            dates: notes::dates(ws, release),
            lang: &tag,
            audience: Audience::All,
            extras: Extras::of(&ws.config, &release.id.to_string(), &tag),
        },
        &ws.partners,
        d.test_start,
        call,
    );
    let mut warnings = Vec::new();
    for id in &context.not_accepted {
        warnings.push(format!(
            "{id} in the scope of {} is not accepted yet",
            release.id
        ));
    }
    for id in &context.fallbacks {
        warnings.push(format!(
            "{id} has no [text] {}: using its text in another language",
            context.lang
        ));
    }
    let template = templates.name_for("agenda", &tag, "md");
    Ok(Agenda {
        origin: templates.origin(&template),
        context,
        template,
        warnings,
        templates,
    })
}
