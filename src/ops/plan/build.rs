//! The planning problem of a workspace, in zyklus's own terms: which releases
//! form the horizon (frozen ones skipped), what counts as shipped, which open
//! requests cannot be planned at all and why (hotfixes, pins beyond the horizon,
//! and — to a fixpoint — whatever needs a rejected or unplannable request), each
//! request's window (pin, deadline → latest release), partner commitments, the
//! plan on disk, and the capacities with their what-ifs. Contradictions that no
//! solver can fix are errors here, naming the requests.
//!
//! [`Built`] is independent of the solver's types; `super::solver` turns it into a
//! [`crate::planning::Problem`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use super::PlanInput;
use crate::error::refused;
use crate::model::calendar::{self, ReleaseDates};
use crate::model::{facts, Id, Kind, ReleaseId, Request, Stage, Status};
use crate::scoring::Score;
use crate::workspace::Workspace;

/// One release of the horizon: its dates, its capacity for this run (a what-if
/// or the configured one) and its value weight.
#[derive(Debug, Clone, PartialEq)]
pub struct HorizonRelease {
    pub id: ReleaseId,
    pub dev_start: NaiveDate,
    pub test_start: NaiveDate,
    pub release_date: NaiveDate,
    /// The capacity planned with (`capacity` what-ifs included).
    pub capacity: u64,
    /// The capacity `zyklus.toml` gives it.
    pub configured: u64,
    /// The capacity of each team, indexed like [`Built::teams`].
    pub team_capacity: Vec<u64>,
    pub weight: f64,
}

/// A release outside the planner's reach (development or later).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrozenRelease {
    pub id: ReleaseId,
    pub stage: Stage,
    pub load: u64,
    pub scope: Vec<String>,
}

/// An open request that cannot be planned at all, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    pub id: String,
    pub reason: String,
}

/// An open request the planner may place. Indices refer to [`Built::candidates`]
/// and [`Built::horizon`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: Id,
    pub effort: u64,
    /// Its score (never negative).
    pub score: f64,
    pub depends_on: Vec<usize>,
    pub together_with: Vec<usize>,
    /// Must ship in this release of the horizon.
    pub pin: Option<usize>,
    /// Must ship, in this release of the horizon or an earlier one (a deadline).
    pub latest: Option<usize>,
    /// Its effort per team, `(index into Built::teams, units)`; empty: no team
    /// (it counts against the total only).
    pub team_effort: Vec<(usize, u64)>,
    /// Where the plan on disk has it (the baseline of stable re-planning).
    pub previous: Option<usize>,
}

/// A partner commitment the horizon can still complete.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub partner: String,
    pub weight: f64,
    /// The open requests it needs.
    pub requests: Vec<usize>,
    /// Counts only when its last request ships in this release or earlier (`by`).
    pub latest: Option<usize>,
}

/// The planning problem of a workspace.
#[derive(Debug, Clone)]
pub struct Built {
    pub horizon: Vec<HorizonRelease>,
    pub frozen: Vec<FrozenRelease>,
    pub candidates: Vec<Candidate>,
    pub commitments: Vec<Goal>,
    /// Open requests that cannot be planned, by id.
    pub excluded: Vec<Excluded>,
    /// Score breakdowns of the candidates, by id.
    pub scores: HashMap<String, Score>,
    /// The configured teams (`[capacity.teams]`), sorted by name.
    pub teams: Vec<String>,
    /// Whether there is a plan on disk to stay close to (a horizon release
    /// whose scope holds a candidate).
    pub has_baseline: bool,
    /// `[planning] replan_tolerance`, in percent.
    pub replan_tolerance: f64,
}

impl Built {
    /// The index of a candidate.
    #[must_use]
    pub fn candidate(&self, id: &str) -> Option<usize> {
        self.candidates.iter().position(|c| c.id.as_str() == id)
    }
}

fn weight_of(weights: &[f64], i: usize) -> f64 {
    weights
        .get(i)
        .or_else(|| weights.last())
        .copied()
        .unwrap_or(1.0)
}

fn ids(horizon: &[ReleaseDates]) -> String {
    horizon
        .iter()
        .map(|d| d.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds the planning problem of `ws` on `today`.
///
/// # Errors
/// Contradictory input (pins into frozen or past releases, a deadline before the
/// first open release or on a request that cannot be planned, a commitment that
/// names a rejected request, what-if capacities for releases outside the
/// horizon), a score that cannot be computed, or a calendar without dates.
#[allow(clippy::too_many_lines)]
pub fn build(ws: &Workspace, input: &PlanInput, today: NaiveDate) -> Result<Built> {
    let cfg = &ws.config;

    // The horizon: the next releases after today that are still planned.
    let mut dates = Vec::new();
    let mut frozen_ids = BTreeSet::new();
    let mut upcoming = calendar::upcoming(&cfg.calendar, today, 64)
        .map_err(|e| refused(e.to_string(), "fix [calendar] in zyklus.toml"))?
        .into_iter();
    while dates.len() < input.horizon {
        let Some(d) = upcoming.next() else { break };
        match ws.releases.get(&d.id) {
            Some(r) if r.is_frozen() => {
                frozen_ids.insert(d.id);
            }
            _ => dates.push(d),
        }
    }
    let next_after = upcoming
        .find(|d| ws.releases.get(&d.id).is_none_or(|r| !r.is_frozen()))
        .map(|d| d.release_date);
    let slot_of: HashMap<ReleaseId, usize> =
        dates.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    for (id, _) in &input.capacity {
        if !slot_of.contains_key(id) {
            return Err(refused(
                format!("--capacity {id}=…: {id} is not an open release of the horizon"),
                format!("the horizon is {}", ids(&dates)),
            ));
        }
    }
    for (id, team, _) in &input.team_capacity {
        if !cfg.capacity.teams.contains_key(team) {
            let teams: Vec<&str> = cfg.capacity.teams.keys().map(String::as_str).collect();
            return Err(refused(
                format!("--capacity {id}:{team}=…: there is no team {team}"),
                if teams.is_empty() {
                    "no teams are configured; add [capacity.teams] to zyklus.toml, or give the release's total: --capacity ID=UNITS".to_owned()
                } else {
                    format!("the teams are {}", teams.join(", "))
                },
            ));
        }
        if !slot_of.contains_key(id) {
            return Err(refused(
                format!("--capacity {id}:{team}=…: {id} is not an open release of the horizon"),
                format!("the horizon is {}", ids(&dates)),
            ));
        }
    }

    // Frozen releases: their scope is fixed; what is in them counts as shipping.
    let mut shipped: BTreeSet<&str> = BTreeSet::new();
    let mut frozen = Vec::new();
    for r in ws.releases.values() {
        if r.is_frozen() && r.stage != Stage::Cancelled {
            if !r.id.is_hotfix() && (frozen_ids.contains(&r.id) || r.stage != Stage::Production) {
                frozen.push(FrozenRelease {
                    id: r.id,
                    stage: r.stage,
                    load: facts::load(&r.scope, &ws.requests),
                    scope: r.scope.clone(),
                });
            }
            shipped.extend(r.scope.iter().map(String::as_str));
        }
    }
    for q in ws.requests.values() {
        if q.status == Status::Done {
            shipped.insert(q.id.as_str());
        }
    }
    let open = |q: &Request| q.status.is_plannable() && !shipped.contains(q.id.as_str());

    // Which open requests cannot be planned at all.
    let mut blocked: BTreeMap<&str, String> = BTreeMap::new();
    for q in ws.requests.values().filter(|q| open(q)) {
        if q.kind == Kind::Hotfix {
            blocked.insert(
                q.id.as_str(),
                "a hotfix ships outside the cycle: use `zyklus hotfix new`".into(),
            );
        } else if let Some(p) = q.pin {
            if !slot_of.contains_key(&p) {
                if frozen_ids.contains(&p) || ws.releases.get(&p).is_some_and(|r| r.is_frozen()) {
                    return Err(refused(
                        format!("{} is pinned to {p}, which is frozen (in development or later)", q.id),
                        format!("remove the pin (`zyklus request set {} --unpin`), or add it explicitly with `zyklus release add {p} {}`", q.id, q.id),
                    ));
                }
                if dates.first().is_some_and(|f| p < f.id) {
                    return Err(refused(
                        format!("{} is pinned to {p}, which is already past", q.id),
                        format!("pin it to an open release or remove the pin (`zyklus request set {} --unpin`)", q.id),
                    ));
                }
                blocked.insert(q.id.as_str(), format!("pinned to {p}, beyond the horizon"));
            }
        }
    }
    // Anything that needs a rejected or blocked request is blocked too (to a fixpoint).
    loop {
        let mut changed = false;
        for q in ws.requests.values() {
            if !open(q) || blocked.contains_key(q.id.as_str()) {
                continue;
            }
            let reason = q.depends_on.iter().chain(&q.together_with).find_map(|d| {
                let dep = ws.requests.get(d)?;
                if shipped.contains(d.as_str()) {
                    None
                } else if dep.status == Status::Rejected {
                    Some(format!("needs {d}, which is rejected"))
                } else if dep.kind == Kind::Hotfix && dep.status.is_plannable() {
                    None // ships as a hotfix, before any release of the horizon
                } else {
                    blocked
                        .get(d.as_str())
                        .map(|_| format!("needs {d}, which cannot be planned"))
                }
            });
            if let Some(r) = reason {
                blocked.insert(q.id.as_str(), r);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut excluded = Vec::with_capacity(blocked.len());
    for (id, reason) in &blocked {
        if let Some(q) = ws.requests.get(*id) {
            if q.deadline.is_some() && q.kind != Kind::Hotfix {
                return Err(refused(
                    format!("{id} has a deadline but cannot be planned: {reason}"),
                    "remove the deadline, or resolve what blocks it",
                ));
            }
        }
        excluded.push(Excluded {
            id: (*id).to_owned(),
            reason: reason.clone(),
        });
    }

    let plannable: Vec<&Request> = ws
        .requests
        .values()
        .filter(|q| open(q) && !blocked.contains_key(q.id.as_str()))
        .collect();
    let index: HashMap<&str, usize> = plannable
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();

    // The plan on disk: which horizon release had each request.
    let mut previous: HashMap<&str, usize> = HashMap::new();
    for (i, d) in dates.iter().enumerate() {
        if let Some(r) = ws.releases.get(&d.id) {
            for id in &r.scope {
                previous.insert(id.as_str(), i);
            }
        }
    }

    let teams: Vec<String> = cfg.capacity.teams.keys().cloned().collect();
    let last_slot_by = |date: NaiveDate| dates.iter().rposition(|d| d.release_date <= date);
    let mut scores = HashMap::new();
    let mut candidates = Vec::with_capacity(plannable.len());
    for q in &plannable {
        let s = crate::scoring::score(&cfg.scoring, q)
            .map_err(|e| refused(e.to_string(), "fix the request's [scores]"))?;
        let latest = match q.deadline {
            None => None,
            // A deadline the release after the horizon still meets does not bind here.
            Some(dl) if next_after.is_some_and(|n| n <= dl.0) => None,
            Some(dl) => match last_slot_by(dl.0) {
                Some(i) => Some(i),
                None => {
                    return Err(refused(
                        format!(
                            "{} must be in production by {dl}, but the first open release is {}",
                            q.id,
                            dates.first().map_or_else(|| "none".to_owned(), |d| format!("{} on {}", d.id, d.release_date)),
                        ),
                        format!("move the deadline (`zyklus request set {} --deadline …`) or ship it as a hotfix", q.id),
                    ));
                }
            },
        };
        let indices = |ids: &[Id]| -> Vec<usize> {
            ids.iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        };
        candidates.push(Candidate {
            id: q.id.clone(),
            effort: u64::from(q.effort),
            score: s.total.max(0.0),
            depends_on: indices(&q.depends_on),
            together_with: indices(&q.together_with),
            pin: q.pin.and_then(|p| slot_of.get(&p).copied()),
            latest,
            team_effort: q
                .team_effort
                .iter()
                .filter(|(_, units)| **units > 0)
                .filter_map(|(t, units)| Some((teams.iter().position(|x| x == t)?, *units)))
                .collect(),
            previous: previous.get(q.id.as_str()).copied(),
        });
        scores.insert(q.id.to_string(), s);
    }

    let mut commitments = Vec::new();
    for c in &ws.partners.commitments {
        if let Some(r) = c.requests.iter().find(|r| {
            ws.requests
                .get(r.as_str())
                .is_some_and(|q| q.status == Status::Rejected)
        }) {
            return Err(refused(
                format!(
                    "the commitment of `{}` needs {r}, which is rejected",
                    c.partner
                ),
                "remove the request from the commitment in partners.toml, or reopen it",
            ));
        }
        let needed: Vec<&String> = c
            .requests
            .iter()
            .filter(|r| !shipped.contains(r.as_str()))
            .collect();
        if needed.is_empty() {
            continue;
        }
        let Some(requests) = needed
            .iter()
            .map(|r| index.get(r.as_str()).copied())
            .collect::<Option<Vec<_>>>()
        else {
            continue; // it needs a request that cannot be planned: worth nothing here
        };
        let latest = match c.by {
            None => None,
            Some(by) => match last_slot_by(by.0) {
                Some(i) => Some(i),
                None => continue, // its date is before every open release
            },
        };
        commitments.push(Goal {
            partner: c.partner.clone(),
            weight: c.weight,
            requests,
            latest,
        });
    }

    let candidates_previous = candidates.iter().any(|c| c.previous.is_some());
    let horizon = dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let configured = facts::configured_capacity(cfg, d.id);
            let what_if = input
                .capacity
                .iter()
                .rev()
                .find(|(r, _)| *r == d.id)
                .map(|(_, n)| *n);
            HorizonRelease {
                id: d.id,
                dev_start: d.dev_start,
                test_start: d.test_start,
                release_date: d.release_date,
                capacity: what_if.unwrap_or(configured),
                configured,
                team_capacity: facts::capacity_by_team(cfg, d.id)
                    .into_iter()
                    .map(|(team, configured)| {
                        input
                            .team_capacity
                            .iter()
                            .rev()
                            .find(|(r, t, _)| *r == d.id && *t == team)
                            .map_or(configured, |(_, _, n)| *n)
                    })
                    .collect(),
                weight: weight_of(&cfg.planning.release_weights, i),
            }
        })
        .collect();
    Ok(Built {
        horizon,
        frozen,
        candidates,
        commitments,
        excluded,
        scores,
        teams,
        has_baseline: candidates_previous,
        replan_tolerance: cfg.planning.replan_tolerance,
    })
}
