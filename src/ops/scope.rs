//! Changing a release's scope by hand (`release add|remove`, and the one request of
//! a new hotfix): the rules for what may join a scope live here, once.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::error::refused;
use crate::model::dates::Timestamp;
use crate::model::release::HistoryEntry;
use crate::model::{facts, Id, Release, ReleaseId, Request, Stage, Status};
use crate::workspace::{Transaction, Workspace};

/// Whether `request` may join the scope of `release`: not rejected, not in another
/// live release, and within the release's capacity and the capacity of every team
/// it uses (a hotfix ships what it must: it has no capacity of its own).
///
/// # Errors
/// A refusal that says what to do instead.
pub fn check_addable(ws: &Workspace, release: &Release, request: &Request) -> Result<()> {
    let cr = &request.id;
    if request.status == Status::Rejected {
        return Err(refused(
            format!("{cr} is rejected"),
            format!("accept it first: `zyklus request set {cr} --status accepted`"),
        ));
    }
    if release.scope.iter().any(|x| x == cr.as_str()) {
        return Err(refused(
            format!("{cr} is already in the scope of {}", release.id),
            "nothing to add",
        ));
    }
    if let Some(other) = ws.releases.values().find(|r| {
        r.id != release.id
            && r.stage != Stage::Cancelled
            && r.scope.iter().any(|x| x == cr.as_str())
    }) {
        return Err(refused(
            format!(
                "{cr} is already in the scope of {} ({})",
                other.id, other.stage
            ),
            format!(
                "take it out there first: `zyklus release remove {} {cr} --reason …`",
                other.id
            ),
        ));
    }
    let cap = facts::capacity(&ws.config, release);
    let load = facts::load(&release.scope, &ws.requests) + u64::from(request.effort);
    if load > cap && !release.id.is_hotfix() {
        return Err(refused(
            format!(
                "adding {cr} (effort {}) brings {} to {load} of capacity {cap}",
                request.effort, release.id
            ),
            "remove something first, or raise `capacity` in the release file",
        ));
    }
    if !release.id.is_hotfix() {
        let loads = facts::load_by_team(&ws.config, &release.scope, &ws.requests);
        let caps = facts::capacity_by_team(&ws.config, release.id);
        for (team, units) in &request.team_effort {
            let load = loads.get(team).copied().unwrap_or(0) + units;
            let cap = caps.get(team).copied().unwrap_or(0);
            if *units > 0 && load > cap {
                return Err(refused(
                    format!(
                        "adding {cr} ({units} units of team {team}) brings team {team} in {} to {load} of its capacity {cap}",
                        release.id
                    ),
                    format!("remove some of team {team}'s work first, or raise its capacity in [capacity.teams] of zyklus.toml"),
                ));
            }
        }
    }
    Ok(())
}

/// What a scope change did; the JSON of `release add|remove`.
#[derive(Debug, Serialize)]
pub struct ScopeChange {
    pub release: ReleaseId,
    pub request: Id,
    /// `added` or `removed`.
    pub change: &'static str,
    pub reason: Option<String>,
    pub load: u64,
    pub capacity: u64,
    /// The load of each team after the change (absent without teams).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub load_by_team: std::collections::BTreeMap<String, u64>,
    /// The capacity of each team (absent without teams).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub capacity_by_team: std::collections::BTreeMap<String, u64>,
}

/// Adds (`add`) or removes a request to or from the scope of release `id`, with a
/// history entry; a frozen scope needs a reason.
///
/// # Errors
/// When the release is final, the scope frozen without a reason, or the request
/// may not join (see [`check_addable`]) or is not in the scope.
pub fn change(
    tx: &mut Transaction,
    ctx: &Context,
    id: ReleaseId,
    request: &str,
    add: bool,
    reason: Option<&str>,
) -> Result<ScopeChange> {
    let ws = tx.workspace();
    let rel = ws.release(id)?;
    if matches!(rel.stage, Stage::Production | Stage::Cancelled) {
        return Err(refused(
            format!(
                "{id} is in {}; its scope does not change any more",
                rel.stage
            ),
            "for a fix after production use `zyklus hotfix new --request CR`",
        ));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if rel.is_frozen() && reason.is_none() {
        return Err(refused(
            format!("the scope of {id} is frozen ({})", rel.stage),
            "say why it changes with --reason \"…\" (recorded in the history)",
        ));
    }
    let request = ws.request(request)?;
    let cr = request.id.clone();
    let mut scope = rel.scope.clone();
    if add {
        check_addable(ws, rel, request)?;
        scope.push(cr.to_string());
    } else {
        let before = scope.len();
        scope.retain(|x| x != cr.as_str());
        if scope.len() == before {
            return Err(refused(
                format!("{cr} is not in the scope of {id}"),
                format!("see `zyklus release show {id}`"),
            ));
        }
    }
    let stage = rel.stage;
    let load = facts::load(&scope, &ws.requests);
    let capacity = facts::capacity(&ws.config, rel);
    let load_by_team = facts::load_by_team(&ws.config, &scope, &ws.requests);
    let capacity_by_team = facts::capacity_by_team(&ws.config, rel.id);
    let mut doc = tx.release(id)?;
    doc.set_scope(&scope);
    doc.push_history(&HistoryEntry {
        reason: reason.unwrap_or_default().to_owned(),
        added: if add {
            vec![cr.to_string()]
        } else {
            Vec::new()
        },
        removed: if add {
            Vec::new()
        } else {
            vec![cr.to_string()]
        },
        ..HistoryEntry::new(stage, stage, Timestamp(ctx.now), ctx.actor.clone())
    })?;
    Ok(ScopeChange {
        release: id,
        request: cr,
        change: if add { "added" } else { "removed" },
        reason: reason.map(str::to_owned),
        load,
        load_by_team,
        capacity_by_team,
        capacity,
    })
}

/// The JSON of `release accept`.
#[derive(Debug, Serialize)]
pub struct Accepted {
    pub release: ReleaseId,
    /// The requests this accepted (they were open).
    pub accepted: Vec<Id>,
    /// Requests of the scope that were accepted or done already.
    pub unchanged: Vec<Id>,
}

/// Accepts every open request in the scope of release `id` in one step, with one
/// history entry that lists them: what `plan` put into the next release passes
/// its `scope_accepted` gate without one `request set` per request.
///
/// # Errors
/// When the release is in production or cancelled, its scope names an unknown
/// request, or holds a rejected one (take it out first).
pub fn accept(tx: &mut Transaction, ctx: &Context, id: ReleaseId) -> Result<Accepted> {
    let ws = tx.workspace();
    let rel = ws.release(id)?;
    if matches!(rel.stage, Stage::Production | Stage::Cancelled) {
        return Err(refused(
            format!("{id} is in {}; its scope is settled", rel.stage),
            format!("see `zyklus release show {id}`"),
        ));
    }
    let mut accepted = Vec::new();
    let mut unchanged = Vec::new();
    for cr in &rel.scope {
        let r = ws.request(cr)?;
        match r.status {
            Status::Open => accepted.push(r.id.clone()),
            Status::Accepted | Status::Done => unchanged.push(r.id.clone()),
            Status::Rejected => {
                return Err(refused(
                    format!("{} in the scope of {id} is rejected", r.id),
                    format!(
                        "take it out first: `zyklus release remove {id} {} --reason …`, or accept it alone with `zyklus request set {} --status accepted`",
                        r.id, r.id
                    ),
                ))
            }
        }
    }
    if rel.scope.is_empty() {
        return Err(refused(
            format!("the scope of {id} is empty; nothing to accept"),
            "plan it first (`zyklus plan`) or add requests with `zyklus release add`",
        ));
    }
    let stage = rel.stage;
    for cr in &accepted {
        tx.request(cr)?
            .put("status", Some(toml_edit::value(Status::Accepted.as_str())));
    }
    if !accepted.is_empty() {
        tx.release(id)?.push_history(&HistoryEntry {
            accepted: accepted.iter().map(ToString::to_string).collect(),
            ..HistoryEntry::new(stage, stage, Timestamp(ctx.now), ctx.actor.clone())
        })?;
    }
    Ok(Accepted {
        release: id,
        accepted,
        unchanged,
    })
}
