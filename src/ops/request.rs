//! `request new|list|show|set`: the backlog of change requests, one file
//! `requests/<ID>.toml` each. The rules live here: which id a new request gets (the
//! workspace's own pattern, never wrapping around), which scores a request may
//! carry (only the criteria of the scoring model: a typo is an error, not a score
//! that silently counts 0), and how several requests change in one all-or-nothing
//! transaction. Everything else a request file must satisfy is checked by the
//! loader when the transaction commits.

use std::collections::BTreeSet;

use anyhow::Result;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use toml_edit::{value, DocumentMut, Item, Table};

use super::Context;
use crate::error::{invalid, refused};
use crate::import::ids::IdAllocator;
use crate::model::{Config, Id, Impact, Kind, ReleaseId, Request, Status};
use crate::workspace::{edit, Transaction, Workspace, REQUESTS_DIR};

/// Which requests `request list` and `score` show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    /// A partner id among `requested_by`.
    pub partner: Option<String>,
}

impl Filter {
    #[must_use]
    pub fn matches(&self, r: &Request) -> bool {
        self.kind.is_none_or(|k| r.kind == k)
            && self.status.is_none_or(|s| r.status == s)
            && self
                .partner
                .as_deref()
                .is_none_or(|p| r.requested_by.iter().any(|x| x.as_str() == p))
    }
}

/// The JSON of `request list`: `{"requests": [ … ]}`.
#[derive(Debug, Serialize)]
pub struct RequestList<'a> {
    pub requests: Vec<&'a Request>,
}

/// The requests `filter` selects, by id.
#[must_use]
pub fn list<'a>(ws: &'a Workspace, filter: &Filter) -> RequestList<'a> {
    RequestList {
        requests: ws.requests.values().filter(|r| filter.matches(r)).collect(),
    }
}

/// One request, as `request show` prints it.
#[derive(Debug, Serialize)]
pub struct RequestView<'a> {
    #[serde(flatten)]
    pub request: &'a Request,
    /// The releases whose scope holds it.
    pub releases: Vec<ReleaseId>,
}

/// Request `id` and the releases whose scope holds it.
///
/// # Errors
/// When there is no such request.
pub fn show<'a>(ws: &'a Workspace, id: &str) -> Result<RequestView<'a>> {
    let request = ws.request(id)?;
    let releases = ws
        .releases
        .values()
        .filter(|rel| rel.scope.iter().any(|x| x == request.id.as_str()))
        .map(|rel| rel.id)
        .collect();
    Ok(RequestView { request, releases })
}

/// The score names a request may carry: the criteria of the scoring model.
#[must_use]
pub fn criteria(config: &Config) -> Vec<&str> {
    crate::scoring::required_criteria(&config.scoring)
}

/// Refuses scores of criteria the model does not have (a typo such as `valeu`
/// would otherwise count 0 without anyone noticing).
///
/// # Errors
/// [`crate::error::ErrorKind::Invalid`] naming the unknown criteria and the known ones.
pub fn check_scores<'a>(config: &Config, names: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let known = criteria(config);
    let unknown: Vec<&str> = names
        .into_iter()
        .filter(|n| !known.contains(n))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let list = unknown
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let model = config.scoring.model.as_str();
    Err(if known.is_empty() {
        invalid(
            format!("{list}: the {model} model has no criteria configured, so no score counts"),
            "add the criteria to [scoring.criteria] in zyklus.toml first",
        )
    } else {
        invalid(
            format!(
                "{list} {} not a criterion of the {model} model",
                if unknown.len() == 1 { "is" } else { "are" }
            ),
            format!("score one of: {}", known.join(", ")),
        )
    })
}

/// Checks one score as a person types it: a known criterion, within its scale.
///
/// # Errors
/// When the criterion is unknown or the value outside its scale.
pub fn check_score(config: &Config, name: &str, v: f64) -> Result<()> {
    check_scores(config, [name])?;
    if !v.is_finite() {
        return Err(invalid(format!("`{v}` is not a number"), "type a number"));
    }
    if let Some(c) = config.scoring.criteria.get(name) {
        if v < c.scale[0] || v > c.scale[1] {
            return Err(invalid(
                format!(
                    "{v} is outside the scale [{}, {}] of `{name}`",
                    c.scale[0], c.scale[1]
                ),
                "use a value within the scale set in zyklus.toml",
            ));
        }
    } else if v < 0.0 {
        return Err(invalid(
            format!("`{name}` = {v} is negative"),
            "use 0 or more",
        ));
    }
    Ok(())
}

/// The fields of a new request (`request new`); what is `None` gets the default.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The id; default: the next of the workspace's pattern.
    pub id: Option<String>,
    pub title: Option<String>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub effort: Option<u32>,
    pub impact: Option<Impact>,
    pub requested_by: Vec<String>,
    pub depends_on: Vec<String>,
    pub together_with: Vec<String>,
    pub deadline: Option<NaiveDate>,
    pub pin: Option<ReleaseId>,
    pub reported_at: Option<DateTime<FixedOffset>>,
    pub scores: Vec<(String, f64)>,
    pub texts: Vec<(String, String)>,
}

/// The JSON of `request new`.
#[derive(Debug, Serialize)]
pub struct Created {
    pub id: Id,
    /// The file written, relative to the workspace.
    pub file: String,
}

/// Checks what can be checked before asking for the missing fields: an explicit
/// id is valid and free, the scores name criteria. (`new` checks it again under
/// the lock.)
///
/// # Errors
/// As [`new`].
pub fn check_draft(ws: &Workspace, d: &Draft) -> Result<()> {
    if let Some(raw) = &d.id {
        free_id(ws, raw)?;
    }
    check_scores(&ws.config, d.scores.iter().map(|(k, _)| k.as_str()))
}

fn free_id(ws: &Workspace, raw: &str) -> Result<Id> {
    let id = Id::parse(raw).map_err(|e| invalid(e.to_string(), "choose another --id"))?;
    let taken = ws
        .requests
        .keys()
        .find(|k| k.as_str().eq_ignore_ascii_case(id.as_str()));
    if let Some(k) = taken {
        return Err(refused(
            format!("request {k} already exists"),
            "choose another --id, or leave it out to get the next free one",
        ));
    }
    Ok(id)
}

/// The id a new request gets: the next of the workspace's most common pattern
/// (`CR-0042` → `CR-0043`), skipping ids taken in any case.
///
/// # Errors
/// When the pattern has run out (its number would pass `u64::MAX`, or the id
/// would be too long): ids never wrap around.
pub fn next_id(ws: &Workspace) -> Result<Id> {
    let mut alloc = IdAllocator::new(ws.requests.keys().map(Id::as_str));
    alloc.next_in_pattern().ok_or_else(|| {
        let highest = ws
            .requests
            .keys()
            .max_by_key(|k| (k.as_str().len(), k.as_str()))
            .map_or_else(String::new, ToString::to_string);
        refused(
            format!("the ids of this workspace have run out after {highest}; a next one would wrap around"),
            "choose the id yourself with --id",
        )
    })
}

/// Creates `requests/<ID>.toml` from `d`, created today.
///
/// # Errors
/// An invalid or taken id, an unknown criterion, an exhausted id pattern. The
/// rest (an unknown dependency, a score out of its scale) is found when the
/// transaction commits.
pub fn new(tx: &mut Transaction, ctx: &Context, d: &Draft) -> Result<Created> {
    let ws = tx.workspace();
    check_scores(&ws.config, d.scores.iter().map(|(k, _)| k.as_str()))?;
    let id = match &d.id {
        Some(raw) => free_id(ws, raw)?,
        None => next_id(ws)?,
    };
    let text = render_new(d, ctx.now.date_naive())?;
    let rel = std::path::Path::new(REQUESTS_DIR).join(format!("{id}.toml"));
    tx.create(&rel, &text)?;
    Ok(Created {
        id,
        file: rel.to_string_lossy().replace('\\', "/"),
    })
}

/// The text of a new request file.
fn render_new(d: &Draft, created: NaiveDate) -> Result<String> {
    let mut doc = DocumentMut::new();
    doc["title"] = value(d.title.clone().unwrap_or_default());
    doc["kind"] = value(d.kind.unwrap_or_default().as_str());
    doc["status"] = value(d.status.unwrap_or_default().as_str());
    doc["effort"] = value(i64::from(d.effort.unwrap_or(0)));
    doc["impact"] = value(d.impact.unwrap_or_default().as_str());
    if !d.requested_by.is_empty() {
        doc["requested_by"] = edit::string_array(&d.requested_by);
    }
    doc["created"] = edit::date(created)?;
    if !d.depends_on.is_empty() {
        doc["depends_on"] = edit::string_array(&d.depends_on);
    }
    if !d.together_with.is_empty() {
        doc["together_with"] = edit::string_array(&d.together_with);
    }
    if let Some(x) = d.deadline {
        doc["deadline"] = edit::date(x)?;
    }
    if let Some(p) = d.pin {
        doc["pin"] = value(p.to_string());
    }
    if let Some(t) = d.reported_at {
        doc["reported_at"] = edit::timestamp(t)?;
    }
    if !d.scores.is_empty() {
        let mut t = Table::new();
        for (k, v) in &d.scores {
            t[k] = number(*v);
        }
        doc["scores"] = Item::Table(t);
    }
    let texts: Vec<&(String, String)> = d
        .texts
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .collect();
    if !texts.is_empty() {
        let mut t = Table::new();
        for (k, v) in texts {
            t[k] = value(v.clone());
        }
        doc["text"] = Item::Table(t);
    }
    Ok(doc.to_string())
}

/// A whole number stays an integer in TOML, anything else a float.
fn number(v: f64) -> Item {
    #[allow(clippy::cast_possible_truncation)]
    if v.fract() == 0.0 && v.abs() < 1e15 {
        value(v as i64)
    } else {
        value(v)
    }
}

/// What `request set` changes; `None` and empty lists leave a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub status: Option<Status>,
    pub title: Option<String>,
    pub kind: Option<Kind>,
    pub effort: Option<u32>,
    pub impact: Option<Impact>,
    /// `Some(None)` removes the pin.
    pub pin: Option<Option<ReleaseId>>,
    /// `Some(None)` removes the deadline.
    pub deadline: Option<Option<NaiveDate>>,
    pub reported_at: Option<DateTime<FixedOffset>>,
    pub scores: Vec<(String, f64)>,
    /// `(lang, text)`; an empty text removes the language's text.
    pub texts: Vec<(String, String)>,
    pub add_depends_on: Vec<String>,
    pub remove_depends_on: Vec<String>,
    pub add_together_with: Vec<String>,
    pub remove_together_with: Vec<String>,
}

impl Change {
    /// Whether the change names anything to change at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.title.is_none()
            && self.kind.is_none()
            && self.effort.is_none()
            && self.impact.is_none()
            && self.pin.is_none()
            && self.deadline.is_none()
            && self.reported_at.is_none()
            && self.scores.is_empty()
            && self.texts.is_empty()
            && self.add_depends_on.is_empty()
            && self.remove_depends_on.is_empty()
            && self.add_together_with.is_empty()
            && self.remove_together_with.is_empty()
    }
}

/// One request of `request set`.
#[derive(Debug, Serialize)]
pub struct Updated {
    pub id: Id,
    /// False when it had these values already.
    pub changed: bool,
}

/// The JSON of `request set`: `{"requests": [{"id", "changed"}]}`.
#[derive(Debug, Serialize)]
pub struct UpdatedList {
    pub requests: Vec<Updated>,
}

/// Applies `change` to every request in `ids`, all in one transaction: when one
/// id is unknown or one result invalid, nothing is written.
///
/// # Errors
/// No id, nothing to change, an unknown request or criterion, a request made to
/// depend on itself.
pub fn set(tx: &mut Transaction, ids: &[String], change: &Change) -> Result<UpdatedList> {
    if change.is_empty() {
        return Err(refused(
            "nothing to change",
            "pass a field to set, e.g. --status accepted (see `zyklus request set --help`)",
        ));
    }
    let ws = tx.workspace();
    check_scores(&ws.config, change.scores.iter().map(|(k, _)| k.as_str()))?;
    // Every id first: an unknown one stops the whole command before any edit.
    let mut targets: Vec<Request> = Vec::new();
    for raw in ids {
        let r = ws.request(raw)?;
        if !targets.iter().any(|t| t.id == r.id) {
            targets.push(r.clone());
        }
    }
    if targets.is_empty() {
        return Err(invalid("no request named", "name one or more ids"));
    }
    let mut out = Vec::new();
    for r in &targets {
        let depends_on = edit_list(
            r,
            "depends_on",
            &r.depends_on,
            &change.add_depends_on,
            &change.remove_depends_on,
        )?;
        let together_with = edit_list(
            r,
            "together_with",
            &r.together_with,
            &change.add_together_with,
            &change.remove_together_with,
        )?;
        let mut doc = tx.request(&r.id)?;
        if let Some(v) = change.status {
            doc.put("status", Some(value(v.as_str())));
        }
        if let Some(v) = &change.title {
            doc.put("title", Some(value(v.clone())));
        }
        if let Some(v) = change.kind {
            doc.put("kind", Some(value(v.as_str())));
        }
        if let Some(v) = change.effort {
            doc.put("effort", Some(value(i64::from(v))));
        }
        if let Some(v) = change.impact {
            doc.put("impact", Some(value(v.as_str())));
        }
        if let Some(v) = change.pin {
            doc.put("pin", v.map(|p| value(p.to_string())));
        }
        if let Some(v) = change.deadline {
            doc.put("deadline", v.map(edit::date).transpose()?);
        }
        if let Some(v) = change.reported_at {
            doc.put("reported_at", Some(edit::timestamp(v)?));
        }
        for (k, v) in &change.scores {
            doc.set_in("scores", k, number(*v));
        }
        for (lang, text) in &change.texts {
            if text.trim().is_empty() {
                doc.remove_in("text", lang);
            } else {
                doc.set_in("text", lang, value(text.clone()));
            }
        }
        if let Some(list) = depends_on {
            doc.put(
                "depends_on",
                (!list.is_empty()).then(|| edit::string_array(&list)),
            );
        }
        if let Some(list) = together_with {
            doc.put(
                "together_with",
                (!list.is_empty()).then(|| edit::string_array(&list)),
            );
        }
        out.push(Updated {
            id: r.id.clone(),
            changed: doc.0.is_changed(),
        });
    }
    Ok(UpdatedList { requests: out })
}

/// `current` with `add` appended and `remove` taken out, or `None` when neither
/// is given. Removing an id that is not listed changes nothing.
fn edit_list(
    r: &Request,
    key: &str,
    current: &[Id],
    add: &[String],
    remove: &[String],
) -> Result<Option<Vec<String>>> {
    if add.is_empty() && remove.is_empty() {
        return Ok(None);
    }
    let mut list: Vec<String> = current.iter().map(ToString::to_string).collect();
    for a in add {
        if a == r.id.as_str() {
            return Err(invalid(
                format!("{} cannot be in its own {key}", r.id),
                "name another request",
            ));
        }
        if !list.contains(a) {
            list.push(a.clone());
        }
    }
    list.retain(|x| !remove.contains(x));
    Ok(Some(list))
}
