//! `finding add|list|resolve`: the bugs and wishes raised while a release is being
//! tested, stored as `[[finding]]` tables in its release file. An open `blocker`
//! keeps the release out of production (see [`crate::gates`]).

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::error::{invalid, refused};
use crate::model::dates::Timestamp;
use crate::model::{Finding, ReleaseId, Severity, Stage};
use crate::workspace::{Transaction, Workspace};

/// The JSON of `finding add`.
#[derive(Debug, Serialize)]
pub struct Added {
    pub release: ReleaseId,
    pub number: u32,
    /// A warning to show (the request is not in the scope), if any.
    #[serde(skip)]
    pub warning: Option<String>,
}

/// Records a finding of release `id`.
///
/// # Errors
/// An empty text, a release in production or cancelled, an unknown request.
pub fn add(
    tx: &mut Transaction,
    ctx: &Context,
    id: ReleaseId,
    severity: Severity,
    text: &str,
    request: Option<&str>,
) -> Result<Added> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(
            "the finding's text is empty",
            "describe what was found",
        ));
    }
    let ws = tx.workspace();
    let rel = ws.release(id)?;
    if matches!(rel.stage, Stage::Production | Stage::Cancelled) {
        return Err(refused(
            format!("{id} is in {}; it takes no more findings", rel.stage),
            "for a problem in production open a hotfix request and `zyklus hotfix new --request CR`",
        ));
    }
    let mut warning = None;
    let request = match request {
        Some(cr) => {
            let r = ws.request(cr)?;
            if !rel.scope.iter().any(|x| x == r.id.as_str()) {
                warning = Some(format!("{} is not in the scope of {id}", r.id));
            }
            Some(r.id.to_string())
        }
        None => None,
    };
    let number = rel.findings.iter().map(|f| f.number).max().unwrap_or(0) + 1;
    let finding = Finding {
        number,
        severity,
        text: text.to_owned(),
        raised_at: Timestamp(ctx.now),
        resolved_at: None,
        request,
    };
    tx.release(id)?.push_finding(&finding)?;
    Ok(Added {
        release: id,
        number,
        warning,
    })
}

/// One finding with its release, as `finding list` shows it.
#[derive(Debug, Serialize)]
pub struct FindingRow<'a> {
    pub release: ReleaseId,
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub open: bool,
}

/// The JSON of `finding list`: `{"findings": [{release, number, severity, text,
/// raised_at, resolved_at?, request?, open}]}`.
#[derive(Debug, Serialize)]
pub struct FindingList<'a> {
    pub findings: Vec<FindingRow<'a>>,
}

/// The findings of release `id` (or of all), only open ones if `open_only`.
///
/// # Errors
/// When `id` names no release.
pub fn list(ws: &Workspace, id: Option<ReleaseId>, open_only: bool) -> Result<FindingList<'_>> {
    if let Some(id) = id {
        ws.release(id)?;
    }
    let findings = ws
        .releases
        .values()
        .filter(|r| id.is_none_or(|id| r.id == id))
        .flat_map(|r| r.findings.iter().map(move |f| (r.id, f)))
        .filter(|(_, f)| !open_only || f.is_open())
        .map(|(release, finding)| FindingRow {
            release,
            finding,
            open: finding.is_open(),
        })
        .collect();
    Ok(FindingList { findings })
}

/// What `finding resolve` did.
#[derive(Debug, Serialize)]
pub struct Resolved {
    pub release: ReleaseId,
    pub number: u32,
    pub resolved_at: Timestamp,
    /// Whether it was resolved before (then nothing changed).
    pub already: bool,
}

/// Marks finding `number` of release `id` as resolved.
///
/// # Errors
/// When there is no such finding, or it is not a `[[finding]]` table.
pub fn resolve(
    tx: &mut Transaction,
    ctx: &Context,
    id: ReleaseId,
    number: u32,
) -> Result<Resolved> {
    let rel = tx.workspace().release(id)?;
    let Some(f) = rel.findings.iter().find(|f| f.number == number) else {
        return Err(invalid(
            format!("{id} has no finding #{number}"),
            format!("see `zyklus finding list {id}`"),
        ));
    };
    if let Some(at) = f.resolved_at {
        return Ok(Resolved {
            release: id,
            number,
            resolved_at: at,
            already: true,
        });
    }
    if !tx.release(id)?.resolve_finding(number, ctx.now)? {
        return Err(invalid(
            format!("finding #{number} of {id} is not a [[finding]] table"),
            "write each finding as a [[finding]] table with a `number`",
        ));
    }
    Ok(Resolved {
        release: id,
        number,
        resolved_at: Timestamp(ctx.now),
        already: false,
    })
}
