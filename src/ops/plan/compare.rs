//! `plan --compare REF`: the plan of the workspace as it was at a git revision
//! against the plan of its files now — both solved the same way (a dry run, the
//! same day, the same horizon), each against its own plan on disk. What a pull
//! request does to the roadmap: per release the requests that move in and out,
//! requests added to or removed from the backlog, capacity changes, and the
//! objective and bound then and now.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use serde::Serialize;

use super::{dry_run, PlanInput, PlanOutcome};
use crate::model::{ReleaseId, Status};
use crate::workspace::{self, Overlay, Workspace};

/// The revision compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Base {
    /// As given: `HEAD`, `origin/main`, a tag or a commit id.
    pub rev: String,
    /// The commit it names, short form.
    pub commit: String,
    /// The commit's summary line (`null` when it has none).
    pub summary: Option<String>,
}

/// A value then (at the revision) and now (the files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ThenNow<T> {
    pub then: T,
    pub now: T,
}

/// How a request's place changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// From one release to another.
    Moved,
    /// Deferred then, planned now.
    Planned,
    /// Planned then, deferred now (still open).
    Deferred,
    /// Planned then, rejected or done now.
    Closed,
    /// New in the backlog, planned now.
    Added,
    /// Planned then, no longer in the backlog.
    Removed,
}

/// A request whose release differs between then and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub id: String,
    pub title: String,
    pub change: MoveKind,
    /// Its status now (`null`: no longer in the backlog).
    pub status: Option<Status>,
    /// Its release then (`null`: not planned, or not in the backlog).
    pub from: Option<ReleaseId>,
    /// Its release now (`null`: not planned, or not in the backlog).
    pub to: Option<ReleaseId>,
}

/// One release, then and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseDelta {
    pub id: ReleaseId,
    /// The capacity planned with (`null`: not in that horizon, e.g. frozen).
    pub capacity: ThenNow<Option<u64>>,
    /// The effort of its scope (`null`: not planned then or now).
    pub load: ThenNow<Option<u64>>,
    pub moved_in: Vec<Move>,
    pub moved_out: Vec<Move>,
}

impl ReleaseDelta {
    /// Whether anything about it changed.
    #[must_use]
    pub fn changed(&self) -> bool {
        !self.moved_in.is_empty()
            || !self.moved_out.is_empty()
            || self.capacity.then != self.capacity.now
    }
}

/// A request added to or removed from the backlog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BacklogItem {
    pub id: String,
    pub title: String,
    /// Where the plan puts it (now for an added request, then for a removed one).
    pub release: Option<ReleaseId>,
}

/// A release whose capacity differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapacityChange {
    pub release: ReleaseId,
    pub then: u64,
    pub now: u64,
}

/// The report of `plan --compare REF`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub base: Base,
    /// Whether the plan, the backlog or a capacity changed.
    pub changed: bool,
    /// Every release of either plan (horizon and frozen), by id.
    pub releases: Vec<ReleaseDelta>,
    /// Every request whose release differs, by id.
    pub moves: Vec<Move>,
    pub added: Vec<BacklogItem>,
    pub removed: Vec<BacklogItem>,
    pub capacity: Vec<CapacityChange>,
    pub objective: ThenNow<f64>,
    pub bound: ThenNow<f64>,
    pub gap: ThenNow<f64>,
    pub optimal: ThenNow<bool>,
    /// Whether a solver's safety net, not its work budget, ended either search
    /// (then a move may come from the machine, not from the change).
    pub hit_time_limit: bool,
}

/// The workspace at `root` as it was at revision `rev` of its git repository,
/// read from git's object store (nothing is checked out), and the revision.
///
/// # Errors
/// A refusal when `root` is not in a git repository, `rev` names no commit, or
/// the workspace did not exist there; the workspace's errors when it was invalid.
pub fn load_at(root: &Path, rev: &str) -> Result<(Workspace, Base)> {
    let keep = |p: &Path| p.extension().is_some_and(|x| x == "toml");
    let tree = crate::git::read_tree_files(root, rev, &keep)?;
    let files: Overlay = tree
        .files
        .into_iter()
        .map(|(rel, bytes)| (root.join(rel), bytes))
        .collect();
    let shown = if tree.subdir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tree.subdir.clone()
    };
    let loaded = workspace::load_files(root, &files).with_context(|| {
        format!(
            "the workspace {} at {rev} ({}) cannot be loaded",
            shown.display(),
            tree.commit
        )
    })?;
    Ok((
        loaded.workspace,
        Base {
            rev: tree.rev,
            commit: tree.commit,
            summary: (!tree.summary.is_empty()).then_some(tree.summary),
        },
    ))
}

/// Compares the plan of `then` (the workspace at `base`) with the plan of `now`,
/// both planned on `today` with `input` (its horizon and time limit).
///
/// # Errors
/// When either workspace cannot be planned (the message says which).
pub fn compare(
    now: &Workspace,
    then: &Workspace,
    base: Base,
    input: &PlanInput,
    today: NaiveDate,
) -> Result<CompareReport> {
    let input = PlanInput {
        capacity: Vec::new(),
        team_capacity: Vec::new(),
        explain: None,
        ..input.clone()
    };
    let old = dry_run(then, &input, today)
        .with_context(|| format!("planning the workspace at {} ({})", base.rev, base.commit))?;
    let new = dry_run(now, &input, today).context("planning the workspace now")?;
    Ok(diff(then, now, &old, &new, base))
}

fn diff(
    then_ws: &Workspace,
    now_ws: &Workspace,
    old: &PlanOutcome,
    new: &PlanOutcome,
    base: Base,
) -> CompareReport {
    let (old_r, new_r) = (&old.report, &new.report);
    let (at_then, at_now) = (old_r.placement(), new_r.placement());
    let title = |id: &str| -> String {
        now_ws
            .requests
            .get(id)
            .or_else(|| then_ws.requests.get(id))
            .map(|q| q.title.clone())
            .unwrap_or_default()
    };

    let ids: BTreeSet<&str> = then_ws
        .requests
        .keys()
        .chain(now_ws.requests.keys())
        .map(crate::model::Id::as_str)
        .collect();
    let mut moves = Vec::new();
    for id in &ids {
        let (from, to) = (at_then.get(id).copied(), at_now.get(id).copied());
        if from == to {
            continue;
        }
        let status = now_ws.requests.get(*id).map(|q| q.status);
        let change = match (from, to, status) {
            (Some(_), Some(_), _) => MoveKind::Moved,
            (None, _, _) if !then_ws.requests.contains_key(*id) => MoveKind::Added,
            (None, _, _) => MoveKind::Planned,
            (Some(_), None, None) => MoveKind::Removed,
            (Some(_), None, Some(s)) if !s.is_plannable() => MoveKind::Closed,
            (Some(_), None, Some(_)) => MoveKind::Deferred,
        };
        moves.push(Move {
            id: (*id).to_owned(),
            title: title(id),
            change,
            status,
            from,
            to,
        });
    }

    let backlog = |ws: &Workspace, other: &Workspace, at: &BTreeMap<&str, ReleaseId>| {
        ws.requests
            .values()
            .filter(|q| !other.requests.contains_key(q.id.as_str()))
            .map(|q| BacklogItem {
                id: q.id.to_string(),
                title: q.title.clone(),
                release: at.get(q.id.as_str()).copied(),
            })
            .collect::<Vec<_>>()
    };
    let added = backlog(now_ws, then_ws, &at_now);
    let removed = backlog(then_ws, now_ws, &at_then);

    // Capacity and load of every release either plan knows.
    let info = |o: &PlanOutcome| -> BTreeMap<ReleaseId, (Option<u64>, u64)> {
        let mut m: BTreeMap<ReleaseId, (Option<u64>, u64)> = o
            .report
            .frozen
            .iter()
            .map(|f| (f.id, (None, f.load)))
            .collect();
        for r in &o.report.releases {
            m.insert(r.id, (Some(r.capacity), r.load));
        }
        m
    };
    let (info_then, info_now) = (info(old), info(new));
    let release_ids: BTreeSet<ReleaseId> =
        info_then.keys().chain(info_now.keys()).copied().collect();
    let mut releases = Vec::new();
    let mut capacity = Vec::new();
    for id in release_ids {
        let (cap_then, load_then) = info_then
            .get(&id)
            .map_or((None, None), |(c, l)| (*c, Some(*l)));
        let (cap_now, load_now) = info_now
            .get(&id)
            .map_or((None, None), |(c, l)| (*c, Some(*l)));
        if let (Some(then), Some(now)) = (cap_then, cap_now) {
            if then != now {
                capacity.push(CapacityChange {
                    release: id,
                    then,
                    now,
                });
            }
        }
        releases.push(ReleaseDelta {
            id,
            capacity: ThenNow {
                then: cap_then,
                now: cap_now,
            },
            load: ThenNow {
                then: load_then,
                now: load_now,
            },
            moved_in: moves.iter().filter(|m| m.to == Some(id)).cloned().collect(),
            moved_out: moves
                .iter()
                .filter(|m| m.from == Some(id))
                .cloned()
                .collect(),
        });
    }

    CompareReport {
        base,
        changed: !moves.is_empty()
            || !added.is_empty()
            || !removed.is_empty()
            || !capacity.is_empty(),
        releases,
        moves,
        added,
        removed,
        capacity,
        objective: ThenNow {
            then: old_r.objective,
            now: new_r.objective,
        },
        bound: ThenNow {
            then: old_r.bound,
            now: new_r.bound,
        },
        gap: ThenNow {
            then: old_r.gap,
            now: new_r.gap,
        },
        optimal: ThenNow {
            then: old_r.optimal,
            now: new_r.optimal,
        },
        hit_time_limit: old.hit_time_limit || new.hit_time_limit,
    }
}
