//! Explanations of a plan: for each deferred request the constraint that binds
//! (a deferred dependency, a blocked coupling, which planned requests took the room,
//! or that it simply adds no value), and for each planned request a short story of
//! why it is planned and why in that slot. Structured data only; the CLI renders
//! it as text or JSON.

use super::{Plan, Problem};

/// One request's story.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RequestReason {
    /// Index of the request in `Problem::requests`.
    pub request: usize,
    /// The request id.
    pub id: String,
    /// Where it is and why.
    pub reason: Reason,
}

/// Where a request is and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reason {
    /// Planned into `slot`, for these reasons (most important first).
    Planned {
        /// Slot index.
        slot: usize,
        /// Slot id.
        slot_id: String,
        /// Why it is planned, and why there.
        why: Vec<PlannedReason>,
    },
    /// Deferred beyond the horizon.
    Deferred(DeferredReason),
}

/// A planned request that takes room which a deferred request would need.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Occupant {
    /// The request id.
    pub id: String,
    /// Its effort.
    pub effort: u64,
    /// What it contributes where it is (score × slot weight plus the commitments it
    /// completes).
    pub value: f64,
}

/// Why a request is deferred.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DeferredReason {
    /// It depends on a request that is deferred.
    DependsOnDeferred {
        /// The deferred dependency.
        dependency: String,
    },
    /// It must ship together with a request that cannot ship.
    CoupledWithBlocked {
        /// The coupled request that is blocked.
        request: String,
        /// The deferred dependency that blocks it.
        dependency: String,
    },
    /// It (with what must ship with it) needs more than any slot offers, in total
    /// or of one team.
    TooLarge {
        /// The team whose capacity is too small (`None`: the total).
        team: Option<String>,
        /// Its effort (with coupled requests; of that team).
        effort: u64,
        /// The largest capacity (of that team).
        max_capacity: u64,
    },
    /// There is no room: the slot where it comes closest to fitting, the capacity
    /// that is short there (a team's, or the total), what it needs of it, what is
    /// left, and the lowest-value planned requests using it there that would have to go.
    NoRoom {
        /// Slot index.
        slot: usize,
        /// Slot id.
        slot_id: String,
        /// The team that is full (`None`: the total capacity).
        team: Option<String>,
        /// Units it needs there (of that team; with coupled requests).
        effort: u64,
        /// Units left there (of that team).
        left: u64,
        /// Units missing (`effort − left`).
        needs: u64,
        /// Lowest-value planned requests in that slot using that capacity (enough to
        /// free the room).
        lowest_value: Vec<Occupant>,
    },
    /// It would fit and add `gain`, but it stays deferred as in the plan on disk:
    /// planning it is a move, and the plan is already within the re-planning
    /// tolerance of the best with fewer moves.
    KeptDeferred {
        /// The slot where it would fit.
        slot_id: String,
        /// Objective change of adding it there.
        gain: f64,
    },
    /// It would fit but adds nothing to the objective (no score, and no commitment it
    /// would complete).
    NoValue {
        /// The slot where it would fit.
        slot_id: String,
    },
    /// It would fit, but planning it changes the objective by `gain` (≤ 0 unless the
    /// search missed it).
    NotWorthIt {
        /// The slot where it would fit.
        slot_id: String,
        /// Objective change of adding it there.
        gain: f64,
    },
}

/// Why a planned request is planned, and why in its slot.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PlannedReason {
    /// Pinned to this slot.
    Pinned,
    /// Has a deadline.
    Deadline {
        /// The latest slot allowed.
        latest: String,
    },
    /// Planned requests depend on it.
    NeededBy {
        /// Their ids.
        requests: Vec<String>,
    },
    /// It completes these commitments.
    Commitments {
        /// Their labels.
        labels: Vec<String>,
    },
    /// Its own score.
    Value {
        /// Its score.
        score: f64,
        /// The slot's weight.
        slot_weight: f64,
    },
    /// It must ship together with these requests.
    Coupled {
        /// Their ids.
        with: Vec<String>,
    },
    /// It cannot ship earlier because a dependency ships in this slot.
    WaitsForDependency {
        /// The dependency's id.
        dependency: String,
    },
    /// Every earlier slot is too full for it.
    EarlierSlotsFull,
    /// It stays where the plan on disk put it (moving it was not worth a move
    /// within the re-planning tolerance).
    Stable,
    /// It moved against the plan on disk (`from`: its slot there, `None` = deferred).
    Moved {
        /// Its slot id in the plan on disk (`None`: deferred there, or new).
        from: Option<String>,
    },
}

/// The capacities of a problem: the total (when some slot limits it) and every
/// team, with the load of a plan.
struct Capacities<'p> {
    problem: &'p Problem,
    /// `None` = the total, `Some(t)` = team t.
    res: Vec<Option<usize>>,
    /// Load per slot and resource, `[s * K + j]`.
    load: Vec<u64>,
}

impl<'p> Capacities<'p> {
    fn new(problem: &'p Problem, a: &[Option<usize>]) -> Self {
        let mut res = Vec::new();
        if problem.slots.iter().any(|s| s.capacity.is_some()) {
            res.push(None);
        }
        res.extend((0..problem.teams.len()).map(Some));
        let mut caps = Self {
            problem,
            res,
            load: Vec::new(),
        };
        let k = caps.res.len();
        let mut load = vec![0u64; problem.slots.len() * k];
        for (i, s) in a.iter().enumerate() {
            if let Some(s) = (*s).filter(|&s| s < problem.slots.len()) {
                for j in 0..k {
                    load[s * k + j] += caps.units(i, j);
                }
            }
        }
        caps.load = load;
        caps
    }

    /// Units request i takes of resource j.
    fn units(&self, i: usize, j: usize) -> u64 {
        let it = &self.problem.requests[i];
        match self.res[j] {
            None => it.effort,
            Some(t) => it
                .team_effort
                .iter()
                .filter(|x| x.0 == t)
                .map(|x| x.1)
                .sum(),
        }
    }

    /// Capacity of resource j in slot s (`None`: unlimited).
    fn cap(&self, s: usize, j: usize) -> Option<u64> {
        let slot = &self.problem.slots[s];
        match self.res[j] {
            None => slot.capacity,
            Some(t) => Some(slot.team_capacity.get(t).copied().unwrap_or(0)),
        }
    }

    fn name(&self, j: usize) -> Option<String> {
        self.res[j].map(|t| self.problem.teams[t].clone())
    }

    /// Units missing per resource for `group` to fit into slot s (all 0: it fits).
    fn shortfall(&self, group: &[usize], s: usize) -> Vec<(u64, u64, u64)> {
        let k = self.res.len();
        (0..k)
            .map(|j| {
                let need: u64 = group.iter().map(|&i| self.units(i, j)).sum();
                let left = self
                    .cap(s, j)
                    .map_or(u64::MAX, |c| c.saturating_sub(self.load[s * k + j]));
                (need, left, need.saturating_sub(left))
            })
            .collect()
    }

    fn fits(&self, group: &[usize], s: usize) -> bool {
        self.shortfall(group, s).iter().all(|x| x.2 == 0)
    }
}

/// Explains every request of a plan, in request order.
#[must_use]
pub fn explain(problem: &Problem, plan: &Plan) -> Vec<RequestReason> {
    let a = &plan.assignment;
    let n = problem.requests.len();
    let id = |i: usize| problem.requests[i].id.clone();
    let caps = Capacities::new(problem, a);
    // Coupled groups (connected components of together_with).
    let mut group = (0..n).collect::<Vec<_>>();
    fn root(g: &mut [usize], mut x: usize) -> usize {
        while g[x] != x {
            g[x] = g[g[x]];
            x = g[x];
        }
        x
    }
    for i in 0..n {
        for &t in &problem.requests[i].together_with {
            if t < n {
                let (x, y) = (root(&mut group, i), root(&mut group, t));
                if x != y {
                    group[x.max(y)] = x.min(y);
                }
            }
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| root(&mut group, i)).collect();
    let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); n];
    for j in 0..n {
        by_root[roots[j]].push(j);
    }
    let members = |i: usize| -> Vec<usize> { by_root[roots[i]].clone() };
    let mut commits_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, c) in problem.commitments.iter().enumerate() {
        for &r in &c.requests {
            if r < n && commits_of[r].last() != Some(&k) {
                commits_of[r].push(k);
            }
        }
    }
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, it) in problem.requests.iter().enumerate() {
        for &d in &it.depends_on {
            if d < n {
                dependents[d].push(i);
            }
        }
    }
    // Counting commitments and the slot that completes them.
    let counting: Vec<Option<usize>> = problem
        .commitments
        .iter()
        .map(|c| {
            if c.requests.is_empty() {
                return None;
            }
            let mut last = 0;
            for &r in &c.requests {
                last = last.max(a.get(r).copied().flatten()?);
            }
            c.latest.is_none_or(|l| last <= l).then_some(last)
        })
        .collect();
    let weight = |s: usize| problem.slots.get(s).map_or(0.0, |x| x.weight);
    let value_of = |i: usize| -> f64 {
        let Some(s) = a[i] else { return 0.0 };
        let mut v = problem.requests[i].score * weight(s);
        for &k in &commits_of[i] {
            if let Some(cs) = counting[k] {
                v += problem.commitments[k].weight * weight(cs);
            }
        }
        v
    };

    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let it = &problem.requests[i];
        let reason = if let Some(s) = a[i] {
            let mut why = Vec::new();
            if it.pin == Some(s) {
                why.push(PlannedReason::Pinned);
            }
            if let Some(l) = it.latest {
                why.push(PlannedReason::Deadline {
                    latest: problem
                        .slots
                        .get(l)
                        .map_or_else(String::new, |x| x.id.clone()),
                });
            }
            let labels: Vec<String> = commits_of[i]
                .iter()
                .filter(|&&k| counting[k].is_some())
                .map(|&k| problem.commitments[k].label.clone())
                .collect();
            if !labels.is_empty() {
                why.push(PlannedReason::Commitments { labels });
            }
            if it.score > 0.0 {
                why.push(PlannedReason::Value {
                    score: it.score,
                    slot_weight: weight(s),
                });
            }
            let needed: Vec<String> = dependents[i]
                .iter()
                .filter(|&&d| a[d].is_some())
                .map(|&d| id(d))
                .collect();
            if !needed.is_empty() {
                why.push(PlannedReason::NeededBy { requests: needed });
            }
            let group = members(i);
            if group.len() > 1 {
                why.push(PlannedReason::Coupled {
                    with: group.iter().filter(|&&j| j != i).map(|&j| id(j)).collect(),
                });
            }
            if s > 0 && it.pin != Some(s) {
                let dep_here = group
                    .iter()
                    .flat_map(|&j| problem.requests[j].depends_on.iter().copied())
                    .find(|&d| {
                        a.get(d).copied().flatten() == Some(s) && roots.get(d) != Some(&roots[i])
                    });
                if let Some(d) = dep_here {
                    why.push(PlannedReason::WaitsForDependency { dependency: id(d) });
                } else if (0..s).all(|r| !caps.fits(&group, r)) {
                    why.push(PlannedReason::EarlierSlotsFull);
                }
            }
            if problem.has_baseline {
                if it.baseline == Some(s) {
                    why.push(PlannedReason::Stable);
                } else {
                    why.push(PlannedReason::Moved {
                        from: it
                            .baseline
                            .and_then(|b| problem.slots.get(b))
                            .map(|x| x.id.clone()),
                    });
                }
            }
            Reason::Planned {
                slot: s,
                slot_id: problem
                    .slots
                    .get(s)
                    .map_or_else(String::new, |x| x.id.clone()),
                why,
            }
        } else {
            Reason::Deferred(deferred_reason(
                &caps,
                a,
                i,
                &members(i),
                &commits_of,
                &value_of,
            ))
        };
        out.push(RequestReason {
            request: i,
            id: id(i),
            reason,
        });
    }
    out
}

fn deferred_reason(
    caps: &Capacities,
    a: &[Option<usize>],
    i: usize,
    group: &[usize],
    commits_of: &[Vec<usize>],
    value_of: &dyn Fn(usize) -> f64,
) -> DeferredReason {
    let problem = caps.problem;
    let id = |j: usize| problem.requests[j].id.clone();
    let n = problem.requests.len();
    let in_group = |j: usize| group.contains(&j);
    if let Some(&d) = problem.requests[i]
        .depends_on
        .iter()
        .find(|&&d| d < n && !in_group(d) && a[d].is_none())
    {
        return DeferredReason::DependsOnDeferred { dependency: id(d) };
    }
    for &j in group {
        if let Some(&d) = problem.requests[j]
            .depends_on
            .iter()
            .find(|&&d| d < n && !in_group(d) && a[d].is_none())
        {
            return DeferredReason::CoupledWithBlocked {
                request: id(j),
                dependency: id(d),
            };
        }
    }
    let r_n = problem.slots.len();
    for j in 0..caps.res.len() {
        let effort: u64 = group.iter().map(|&x| caps.units(x, j)).sum();
        let limits: Option<Vec<u64>> = (0..r_n).map(|s| caps.cap(s, j)).collect();
        if let Some(max_capacity) = limits.and_then(|l| l.into_iter().max()) {
            if effort > max_capacity {
                return DeferredReason::TooLarge {
                    team: caps.name(j),
                    effort,
                    max_capacity,
                };
            }
        }
    }
    // Earliest slot its dependencies allow.
    let first = group
        .iter()
        .flat_map(|&j| problem.requests[j].depends_on.iter().copied())
        .filter(|&d| d < n && !in_group(d))
        .filter_map(|d| a[d])
        .max()
        .unwrap_or(0);
    let mut best_fit: Option<(f64, usize)> = None;
    // (units missing, slot, resource, needed, left)
    let mut closest: Option<(u64, usize, usize, u64, u64)> = None;
    for r in first..r_n {
        let short = caps.shortfall(group, r);
        if short.iter().all(|x| x.2 == 0) {
            let gain = insert_gain(problem, a, group, r, commits_of);
            if best_fit.is_none_or(|(g, _)| gain > g + 1e-12) {
                best_fit = Some((gain, r));
            }
        } else {
            // The resource that is shortest here.
            let (j, &(need, left, _)) = short
                .iter()
                .enumerate()
                .max_by_key(|(j, x)| (x.2, std::cmp::Reverse(*j)))
                .unwrap_or((0, &(0, 0, 0)));
            let total: u64 = short.iter().map(|x| x.2).sum();
            if closest.is_none_or(|(t, ..)| total < t) {
                closest = Some((total, r, j, need, left.min(need)));
            }
        }
    }
    if let Some((gain, r)) = best_fit {
        let slot_id = problem.slots[r].id.clone();
        let kept = problem.has_baseline
            && group
                .iter()
                .all(|&x| problem.requests[x].baseline.is_none());
        return if gain.abs() <= 1e-12 {
            DeferredReason::NoValue { slot_id }
        } else if kept && gain > 0.0 {
            DeferredReason::KeptDeferred { slot_id, gain }
        } else {
            DeferredReason::NotWorthIt { slot_id, gain }
        };
    }
    let Some((_, slot, j, effort, left)) = closest else {
        let effort: u64 = group.iter().map(|&x| problem.requests[x].effort).sum();
        return DeferredReason::TooLarge {
            team: None,
            effort,
            max_capacity: 0,
        };
    };
    let needs = effort.saturating_sub(left);
    let mut occupants: Vec<(u64, Occupant)> = (0..n)
        .filter(|&x| {
            a[x] == Some(slot)
                && caps.units(x, j) > 0
                && problem.requests[x].pin.is_none()
                && problem.requests[x].latest.is_none()
        })
        .map(|x| {
            (
                caps.units(x, j),
                Occupant {
                    id: id(x),
                    effort: problem.requests[x].effort,
                    value: value_of(x),
                },
            )
        })
        .collect();
    occupants.sort_by(|(ux, x), (uy, y)| {
        #[allow(clippy::cast_precision_loss)]
        let (vx, vy) = (x.value / *ux as f64, y.value / *uy as f64);
        vx.total_cmp(&vy).then_with(|| x.id.cmp(&y.id))
    });
    let mut freed = 0;
    let mut lowest_value = Vec::new();
    for (u, o) in occupants {
        if freed >= needs {
            break;
        }
        freed += u;
        lowest_value.push(o);
    }
    DeferredReason::NoRoom {
        slot,
        slot_id: problem.slots[slot].id.clone(),
        team: caps.name(j),
        effort,
        left,
        needs,
        lowest_value,
    }
}

/// The objective change of planning a deferred coupled group into slot r.
fn insert_gain(
    problem: &Problem,
    a: &[Option<usize>],
    group: &[usize],
    r: usize,
    commits_of: &[Vec<usize>],
) -> f64 {
    let w = |s: usize| problem.slots.get(s).map_or(0.0, |x| x.weight);
    let mut gain = 0.0;
    let mut ks = Vec::new();
    for &j in group {
        let it = &problem.requests[j];
        gain += it.score * w(r);
        ks.extend(commits_of[j].iter().copied());
    }
    ks.sort_unstable();
    ks.dedup();
    let slot_of = |x: usize| {
        if group.contains(&x) {
            Some(r)
        } else {
            a.get(x).copied().flatten()
        }
    };
    for k in ks {
        let c = &problem.commitments[k];
        let mut last = Some(0usize);
        for &x in &c.requests {
            last = match (last, slot_of(x)) {
                (Some(l), Some(s)) => Some(l.max(s)),
                _ => None,
            };
        }
        if let Some(l) = last {
            if c.latest.is_none_or(|lat| l <= lat) {
                gain += c.weight * w(l); // it was not counting before: a member was deferred
            }
        }
    }
    gain
}
