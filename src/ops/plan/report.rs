//! What `zyklus plan` reports: the horizon as planned, the frozen releases, every
//! deferred request with its reason, the changes against the plan on disk, and
//! the objective, bound and gap — numbers rounded to what the input can express.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::build::{Built, FrozenRelease};
use super::reason::deferred_reason;
use super::solver::Solved;
use super::story::Story;
use crate::board::Lang;
use crate::model::ReleaseId;
use crate::ops::rounded;
use crate::planning::{DeferredReason, Reason};
use crate::workspace::Workspace;

/// One release of the horizon as planned.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRelease {
    pub id: ReleaseId,
    pub dev_start: NaiveDate,
    pub test_start: NaiveDate,
    pub release_date: NaiveDate,
    /// The capacity planned with (a what-if, when one is given).
    pub capacity: u64,
    pub load: u64,
    /// The load of each team (`[capacity.teams]`; absent without teams).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub load_by_team: BTreeMap<String, u64>,
    /// The capacity of each team (absent without teams).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity_by_team: BTreeMap<String, u64>,
    pub weight: f64,
    pub scope: Vec<String>,
}

/// Why a request is not planned.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// The solver left it out.
    Planner(DeferredReason),
    /// It cannot be planned at all (a hotfix, a pin beyond the horizon, it needs
    /// a rejected request); the sentence is English.
    Excluded(String),
}

impl Why {
    /// The reason as one sentence in `lang`.
    #[must_use]
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Why::Planner(d) => deferred_reason(d, lang),
            Why::Excluded(s) => s.clone(),
        }
    }
}

/// A request that is not planned, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Deferred {
    pub id: String,
    pub reason: String,
    /// The release the reason names (where the room is missing, where it would fit).
    #[serde(skip)]
    pub release: Option<ReleaseId>,
    #[serde(skip)]
    pub why: Why,
}

/// A request that moved against the plan on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: String,
    /// Release it was in (`null`: was not planned).
    pub from: Option<String>,
    /// Release it is in now (`null`: deferred).
    pub to: Option<String>,
}

/// A capacity what-if of this run (never written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub id: ReleaseId,
    /// The team whose capacity this is; `null` for the release's total.
    pub team: Option<String>,
    /// The capacity planned with.
    pub capacity: u64,
    /// The capacity `zyklus.toml` gives the release.
    pub configured: u64,
}

/// How a request shows in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub title: String,
    pub effort: u32,
    pub score: f64,
}

/// The report of `zyklus plan`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub releases: Vec<PlannedRelease>,
    pub frozen: Vec<FrozenRelease>,
    pub deferred: Vec<Deferred>,
    /// Against the plan on disk.
    pub changes: Vec<Change>,
    pub objective: f64,
    pub bound: f64,
    /// (bound − objective) / objective in percent.
    pub gap: f64,
    pub optimal: bool,
    /// The best objective found before stable re-planning chose the plan with
    /// the fewest moves within `replan_tolerance` (= `objective` without a plan
    /// on disk).
    pub unconstrained_best: f64,
    /// Requests of the horizon placed elsewhere than in the plan on disk
    /// (deferral counts as a place); 0 without a plan on disk.
    pub moves: usize,
    /// Placements of the plan on disk that this plan keeps …
    pub kept: usize,
    /// … of this many.
    pub baseline_planned: usize,
    pub solve_ms: u64,
    /// Whether the solver's safety net, not its deterministic work budget, ended
    /// the search: the plan may then differ between machines (see `--time-limit`).
    pub hit_time_limit: bool,
    /// The files written (relative to the workspace); set by the caller.
    pub written: Vec<String>,
    /// The capacity what-ifs planned with; a plan with any is never written.
    pub what_if: Vec<WhatIf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Story>,
    /// Title, effort and score of every request in the horizon's scopes.
    #[serde(skip)]
    pub lines: HashMap<String, Line>,
    /// Whether no release file had a plan before this one.
    #[serde(skip)]
    pub first_plan: bool,
}

impl PlanReport {
    /// Where each request is: its horizon release, or the frozen release whose
    /// scope holds it.
    #[must_use]
    pub fn placement(&self) -> BTreeMap<&str, ReleaseId> {
        let mut at = BTreeMap::new();
        for f in &self.frozen {
            for id in &f.scope {
                at.insert(id.as_str(), f.id);
            }
        }
        for r in &self.releases {
            for id in &r.scope {
                at.insert(id.as_str(), r.id);
            }
        }
        at
    }
}

/// The report of a solved plan (without `explain` and `written`).
#[must_use]
pub fn assemble(
    ws: &Workspace,
    built: &Built,
    solved: &Solved,
    what_if: Vec<WhatIf>,
) -> PlanReport {
    let mut releases = Vec::with_capacity(built.horizon.len());
    for (i, h) in built.horizon.iter().enumerate() {
        let members: Vec<usize> = (0..built.candidates.len())
            .filter(|&c| solved.slot[c] == Some(i))
            .collect();
        releases.push(PlannedRelease {
            id: h.id,
            dev_start: h.dev_start,
            test_start: h.test_start,
            release_date: h.release_date,
            capacity: h.capacity,
            load: members.iter().map(|&c| built.candidates[c].effort).sum(),
            load_by_team: built
                .teams
                .iter()
                .enumerate()
                .map(|(t, name)| {
                    let units = members
                        .iter()
                        .flat_map(|&c| &built.candidates[c].team_effort)
                        .filter(|(team, _)| *team == t)
                        .map(|(_, u)| u)
                        .sum();
                    (name.clone(), units)
                })
                .collect(),
            capacity_by_team: built
                .teams
                .iter()
                .cloned()
                .zip(h.team_capacity.iter().copied())
                .collect(),
            weight: rounded(h.weight, 2),
            scope: members
                .iter()
                .map(|&c| built.candidates[c].id.to_string())
                .collect(),
        });
    }

    let mut deferred: Vec<Deferred> = Vec::new();
    for (c, reason) in built.candidates.iter().zip(&solved.reasons) {
        if let Some(Reason::Deferred(d)) = reason {
            let release = match d {
                DeferredReason::NoRoom { slot_id, .. }
                | DeferredReason::NoValue { slot_id }
                | DeferredReason::NotWorthIt { slot_id, .. }
                | DeferredReason::KeptDeferred { slot_id, .. } => slot_id.parse().ok(),
                _ => None,
            };
            let why = Why::Planner(d.clone());
            deferred.push(Deferred {
                id: c.id.to_string(),
                reason: why.text(Lang::En),
                release,
                why,
            });
        }
    }
    deferred.extend(built.excluded.iter().map(|e| Deferred {
        id: e.id.clone(),
        reason: e.reason.clone(),
        release: None,
        why: Why::Excluded(e.reason.clone()),
    }));
    deferred.sort_by(|a, b| a.id.cmp(&b.id));

    // Changes against the plan on disk (every release file that is not frozen).
    let mut before: BTreeMap<&str, String> = BTreeMap::new();
    for r in ws.releases.values().filter(|r| !r.is_frozen()) {
        for id in &r.scope {
            before.insert(id.as_str(), r.id.to_string());
        }
    }
    let mut after: BTreeMap<&str, String> = BTreeMap::new();
    for r in &releases {
        for id in &r.scope {
            after.insert(id.as_str(), r.id.to_string());
        }
    }
    let in_horizon: BTreeSet<String> = built.horizon.iter().map(|h| h.id.to_string()).collect();
    let mut changes = Vec::new();
    for id in before
        .keys()
        .chain(after.keys())
        .copied()
        .collect::<BTreeSet<_>>()
    {
        let (b, a) = (before.get(id), after.get(id));
        // Requests kept in planned releases beyond the horizon are unchanged.
        let beyond = b.is_some_and(|b| a.is_none() && !in_horizon.contains(b));
        if b != a && !beyond {
            changes.push(Change {
                id: id.to_owned(),
                from: b.cloned(),
                to: a.cloned(),
            });
        }
    }

    let lines = after
        .keys()
        .filter_map(|id| {
            let q = ws.requests.get(*id)?;
            let score = built.scores.get(*id).map_or(0.0, |s| s.total);
            Some((
                (*id).to_owned(),
                Line {
                    title: q.title.clone(),
                    effort: q.effort,
                    score,
                },
            ))
        })
        .collect();

    PlanReport {
        releases,
        frozen: built.frozen.clone(),
        deferred,
        changes,
        objective: rounded(solved.objective, 2),
        bound: rounded(solved.bound, 2),
        gap: rounded(solved.gap, 2),
        optimal: solved.optimal,
        unconstrained_best: rounded(solved.unconstrained_best, 2),
        moves: solved.moves,
        kept: solved.kept,
        baseline_planned: solved.baseline_planned,
        solve_ms: u64::try_from(solved.elapsed.as_millis()).unwrap_or(u64::MAX),
        hit_time_limit: solved.hit_time_limit,
        written: Vec::new(),
        what_if,
        explain: None,
        lines,
        first_plan: before.is_empty(),
    }
}
