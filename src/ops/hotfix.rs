//! `hotfix new`: a hotfix release `YYYY.N.P` on top of a production release, with
//! one request in scope and the shorter hotfix gates of `[gates]`.

use anyhow::Result;
use serde::Serialize;

use crate::error::refused;
use crate::model::{Id, Kind, Release, ReleaseId, Stage};
use crate::workspace::edit;
use crate::workspace::{Transaction, Workspace};

/// The JSON of `hotfix new`.
#[derive(Debug, Serialize)]
pub struct HotfixCreated {
    pub id: ReleaseId,
    pub base: ReleaseId,
    pub request: Id,
    /// A warning to show (the request is no hotfix request), if any.
    #[serde(skip)]
    pub warning: Option<String>,
}

/// The production release a hotfix goes on: `on`, else the latest in production.
///
/// # Errors
/// When `on` is not in production, or nothing is.
pub fn base(ws: &Workspace, on: Option<ReleaseId>) -> Result<ReleaseId> {
    match on {
        Some(id) => {
            let on = ws.release(id.base())?;
            if on.stage != Stage::Production {
                return Err(refused(
                    format!("{} is in {}, not in production", on.id, on.stage),
                    "a hotfix goes on top of a release in production; pick one with --on",
                ));
            }
            Ok(on.id)
        }
        None => ws
            .releases
            .values()
            .filter(|r| r.stage == Stage::Production)
            .map(|r| r.id.base())
            .max()
            .ok_or_else(|| {
                refused(
                    "no release is in production yet",
                    "a hotfix goes on top of a production release; name one with --on ID",
                )
            }),
    }
}

/// Creates the next hotfix release on `base` (see [`base`]) for `request`.
///
/// # Errors
/// When the request may not join a scope, or there is no production release.
pub fn new(tx: &mut Transaction, request: &str, on: Option<ReleaseId>) -> Result<HotfixCreated> {
    let ws = tx.workspace();
    let request = ws.request(request)?;
    let cr = request.id.clone();
    let base = base(ws, on)?;
    let patch = ws
        .releases
        .keys()
        .filter(|id| id.base() == base)
        .filter_map(|id| id.patch)
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| refused(format!("{base} has too many hotfixes"), ""))?;
    let id = ReleaseId {
        patch: Some(patch),
        ..base
    };
    super::scope::check_addable(ws, &Release::new(id), request)?;
    let warning = (request.kind != Kind::Hotfix).then(|| {
        format!(
            "{cr} is a {}, not a hotfix request; `zyklus sla` only tracks hotfix requests",
            request.kind
        )
    });
    let header = format!(
        "# Hotfix {id} on top of {base} for {cr}, created by `zyklus hotfix new`.\n\
         # It passes the hotfix gates of [gates] (hotfix_min_test_days, hotfix_require_signoff).\n"
    );
    let mut doc = tx.release_or_new(id, &header)?;
    doc.set("id", toml_edit::value(id.to_string()));
    doc.set("stage", toml_edit::value(Stage::Planned.as_str()));
    doc.set("scope", edit::string_array([cr.as_str()]));
    Ok(HotfixCreated {
        id,
        base,
        request: cr,
        warning,
    })
}
