//! The planning engine: which open change request ships in which release slot.
//!
//! This module is pure. It owns the planning *model* ([`Problem`]: slots with
//! capacity and value weight, requests with effort/score/constraints, partner
//! commitments, the stability penalty), its exact [`objective`], an independent
//! feasibility [`check`], the [`solve`]r (Lagrangian max-closure bound, greedy
//! construction, deterministic iterated local search, exhaustive search for tiny
//! cases) and the [`explain`](explain::explain)ations of a plan. It never reads
//! files, prints, parses command lines or looks at the clock for anything but a
//! safety time limit: the same problem and options give the same plan.
//!
//! How [`solve`] works: requests coupled by `together_with` (or by a dependency
//! cycle that closes only through couplings) become one group; pins, deadlines and
//! dependencies give each group a window of slots. Relaxing capacity with Lagrange
//! multipliers turns planning into a maximum-weight closure over "group ships by
//! slot r" and "commitment complete by slot r" variables — one minimum cut (Dinic)
//! per multiplier vector, each a true upper bound; bisection (one slot) or
//! subgradient steps (several) tighten it, and every closure is turned into a plan
//! by a greedy construction and a Lagrangian repair. Two deterministic iterated
//! local searches (add, drop-and-add, postpone-and-add, ejection moves; a cautious
//! and a bold threshold walk) then run on the two cores within the node budget;
//! tiny problems are enumerated exhaustively and come back proven optimal. Small
//! problems (≤ 80 groups) that still have a gap get a best-first branch and bound
//! on the same closure network (domains per group, a few subgradient steps per
//! node) that proves the optimum or lowers the bound to its largest open node.
//! With several releases and a gap left, [`lns`] then re-plans clusters of
//! related and nearly tied requests exactly with that tree, everything else fixed.
//! With one release (the NRP shape) and a gap left, [`fixing`] fixes the requests
//! the bound rules out and re-plans the rest exactly (proving the optimum when it
//! finishes), and [`recombine`] walks on perturbed objectives to plans of other
//! basins and re-plans exactly where they and the best plan disagree.

// Index loops over parallel per-group / per-slot arrays read clearer than zips here.
#![allow(clippy::needless_range_loop)]

mod bb;
mod bound;
mod clock;
mod decomp;
pub mod explain;
mod fixing;
mod flow;
mod lns;
mod model;
mod pairs;
mod recombine;
mod rng;
mod search;
mod stable;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use explain::{explain, DeferredReason, Occupant, PlannedReason, Reason, RequestReason};

/// Everything the solver needs: the horizon, the open requests, the commitments,
/// the teams and the baseline (the plan on disk) with its tolerance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Problem {
    /// The planning horizon, earliest slot first.
    pub slots: Vec<Slot>,
    /// The open requests; all indices below refer to this vector.
    pub requests: Vec<Item>,
    /// Partner commitments: value only when every request ships (in time).
    pub commitments: Vec<Commitment>,
    /// Team names; [`Slot::team_capacity`] and [`Item::team_effort`] index into it.
    pub teams: Vec<String>,
    /// Whether there is a plan on disk. Without one, [`Item::baseline`] is ignored,
    /// nothing counts as a move and [`solve`] returns the best plan it finds.
    pub has_baseline: bool,
    /// Stable re-planning: percent of the unconstrained best objective that the plan
    /// may give up to move fewer requests (0 = moves only break ties). Finite, 0–100.
    pub replan_tolerance: f64,
}

impl Default for Problem {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            requests: Vec::new(),
            commitments: Vec::new(),
            teams: Vec::new(),
            has_baseline: false,
            replan_tolerance: DEFAULT_REPLAN_TOLERANCE,
        }
    }
}

/// The default of [`Problem::replan_tolerance`], in percent.
pub const DEFAULT_REPLAN_TOLERANCE: f64 = 0.5;

/// One release slot of the horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    /// The release id, e.g. `2027.1`.
    pub id: String,
    /// Capacity units available in this release, all teams together (`None`:
    /// unlimited — then only the team capacities bind).
    pub capacity: Option<u64>,
    /// Capacity units per team, indexed like [`Problem::teams`] (empty without teams).
    #[serde(default)]
    pub team_capacity: Vec<u64>,
    /// Value multiplier of shipping in this slot (by default 1.0, 0.9, …).
    pub weight: f64,
}

/// One open change request.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Item {
    /// The request id, e.g. `CR-0042`.
    pub id: String,
    /// Capacity units it takes from the total; must be > 0.
    pub effort: u64,
    /// Its (absolute) score; finite and >= 0.
    pub score: f64,
    /// Indices of requests that must ship in the same or an earlier slot.
    pub depends_on: Vec<usize>,
    /// Indices of requests that must ship in the same slot (symmetric).
    pub together_with: Vec<usize>,
    /// Must ship in exactly this slot.
    pub pin: Option<usize>,
    /// Deadline: must ship, in a slot with index <= latest.
    pub latest: Option<usize>,
    /// Its effort per team, `(team index, units)`; the units count against that
    /// team's capacity of the slot it ships in (and `effort` against the total).
    /// Empty: it counts against the total only. Normally the units add up to
    /// `effort` (the workspace loader checks that); the planner does not need it.
    pub team_effort: Vec<(usize, u64)>,
    /// Its place in the baseline (the plan on disk): a slot, or `None` = deferred
    /// (also for a request that is new since). Only read when
    /// [`Problem::has_baseline`] is set.
    pub baseline: Option<usize>,
}

/// A partner commitment: a set of requests that is worth something only as a whole.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Commitment {
    /// Who it is for, used in explanations.
    pub label: String,
    /// Its value, multiplied by the weight of the slot in which its last request ships.
    pub weight: f64,
    /// Indices of the requests it needs. An empty commitment is worth nothing.
    pub requests: Vec<usize>,
    /// Counts only when its last request ships in a slot with index <= latest.
    #[serde(default)]
    pub latest: Option<usize>,
}

/// Solver budget. The work limit is the deterministic budget; the time limit only a
/// safety net (hitting it makes the result depend on the machine, and
/// [`Stats::hit_time_limit`] says so).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Safety net, in CPU time of the solver's critical path (the wall clock
    /// stops the search at three times it; see `clock.rs`).
    pub time_limit: Duration,
    /// Deterministic work budget (move evaluations, search nodes, flow work).
    pub node_limit: u64,
    /// Experiment knobs (temporary).
    #[doc(hidden)]
    pub tuning: Vec<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            node_limit: DEFAULT_NODE_LIMIT,
            tuning: Vec::new(),
        }
    }
}

/// Rounds of perturbed walk and crossover for one release (see `recombine`).
const RECOMBINE_ROUNDS: u64 = 16;

/// Reduced-cost fixing re-plans what it leaves free exactly when at most this
/// many groups are left.
const FIX_MAX_FREE: usize = 400;

/// The exact re-plan after fixing gets this many times the node limit in work
/// units (a complete one ends the search: the plan is then proven optimal).
const FIX_WORK_SHARE: u64 = 20;

/// The default deterministic work budget (see [`Options`]).
///
/// Sized so that the budget, not the 10 s safety net, ends the search on a normal
/// machine: plans must not depend on the load. The other budgets derive from it:
/// each of the two walks gets this many units, the decomposition `/ 20`, the
/// neighbourhoods `× 2`, the branch and bound `× 5` (the caps below bind only on
/// small backlogs) and the stability phase `/ 4`. About 10 M units take one CPU
/// second here (2-core AMD EPYC VM, load 4–6). At 60 M, NRP cases took a median of
/// 7 s CPU and up to 14 s, and 36 of 51 hit the clock; a generated 1,000-request
/// backlog took 7.8 s (clock hit). At 15 M: median 3.2 s, 90th percentile 5.3 s,
/// nrp4@0.7 (the largest) 9 s, no clock hits; the 1,000-request backlog takes 1.6 s.
/// The walks find their last improvement early (nrp-e1@0.5: at 2.5 of 16 s CPU),
/// so the quarter costs little. The exception is nrp2/nrp3/nrp4, whose optima lie
/// in other basins than the walks': `recombine` adds 16 perturbed walks of
/// `/ 20` each and crossovers of `/ 5` each (about 1 s), which leaves 0–0.2 %.
pub const DEFAULT_NODE_LIMIT: u64 = 15_000_000;

/// Solver statistics.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    /// Work units spent (move evaluations plus search nodes).
    pub nodes: u64,
    /// Local-search iterations (perturbation rounds).
    pub iterations: u64,
    /// Max-flow solves for the bound.
    pub flow_solves: u64,
    /// Wall-clock time spent.
    pub elapsed: Duration,
    /// Whether the safety net, not the work budget, ended (part of) the search:
    /// then the plan may differ between machines and between runs.
    pub hit_time_limit: bool,
    /// Whether the deterministic work budget ran out somewhere.
    pub hit_node_limit: bool,
    /// Whether an exhaustive search completed (so the plan is optimal).
    pub exhaustive: bool,
}

/// A plan: one slot (or none) per request.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Plan {
    /// Slot per request, `None` = deferred beyond the horizon.
    pub assignment: Vec<Option<usize>>,
    /// The exact objective of `assignment`.
    pub objective: f64,
    /// A true upper bound on the optimum (of the objective, regardless of moves).
    pub bound: f64,
    /// Whether `objective` is proven to be the optimum.
    pub proven_optimal: bool,
    /// The objective of the best plan found regardless of moves: the search for the
    /// best plan's, or the returned plan's when the stability phase found a better
    /// one (equal to `objective` without a baseline). The returned plan is within
    /// [`Problem::replan_tolerance`] percent of it.
    pub unconstrained_best: f64,
    /// Requests whose place differs from the baseline (deferred counts as a place;
    /// 0 without a baseline).
    pub moves: usize,
    /// Baseline placements kept: requests planned in the baseline that stay in
    /// their slot (0 without a baseline).
    pub kept: usize,
    /// Requests the baseline places in a slot (so `kept` of `baseline_planned`).
    pub baseline_planned: usize,
    /// How the solver spent its budget.
    pub stats: Stats,
}

impl Plan {
    /// Relative gap between bound and objective, in percent (0 when proven optimal).
    #[must_use]
    pub fn gap_percent(&self) -> f64 {
        if self.proven_optimal {
            return 0.0;
        }
        let denom = self.objective.abs().max(1e-9);
        (100.0 * (self.bound - self.objective) / denom).max(0.0)
    }

    /// What stability cost: how far `objective` is below the unconstrained best, in
    /// percent (0 without a baseline).
    #[must_use]
    pub fn stability_cost_percent(&self) -> f64 {
        let denom = self.unconstrained_best.abs().max(1e-9);
        (100.0 * (self.unconstrained_best - self.objective) / denom).max(0.0)
    }
}

/// What the solver reports while it works.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Progress {
    /// The phase: `bound`, `search` or `exhaustive`.
    pub phase: &'static str,
    /// Best objective found so far.
    pub objective: f64,
    /// Best upper bound so far.
    pub bound: f64,
    /// Time since the solver started.
    pub elapsed: Duration,
}

/// Input that cannot be planned at all; names the requests involved.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contradiction {
    /// Malformed input (an index out of range, effort 0, a score that is not finite, …).
    #[error("invalid planning input: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// The dependencies form a cycle.
    #[error("dependency cycle: {}", .requests.join(" -> "))]
    DependencyCycle {
        /// The requests on the cycle, in order.
        requests: Vec<String>,
    },
    /// Requests that must ship together are pinned to different slots.
    #[error("requests {} must ship together but are pinned to different releases", names(.requests))]
    ConflictingPins {
        /// The coupled requests.
        requests: Vec<String>,
    },
    /// A coupled group needs more than any slot offers (in total, or of one team).
    #[error("requests {} must ship together but need {effort} units{}, more than any release offers (largest: {max_capacity})", names(.requests), of_team(.team.as_deref()))]
    GroupTooLarge {
        /// The coupled requests.
        requests: Vec<String>,
        /// The team whose capacity is short (`None`: the total).
        team: Option<String>,
        /// Their total effort (of that team).
        effort: u64,
        /// The largest capacity in the horizon (of that team).
        max_capacity: u64,
    },
    /// Requests pinned to a slot need more than its capacity (in total, or of one team).
    #[error("requests pinned to {slot} need {effort} units{}, capacity is {capacity}: {}", of_team(.team.as_deref()), names(.requests))]
    PinsOverCapacity {
        /// The slot id.
        slot: String,
        /// The team whose capacity is short (`None`: the total).
        team: Option<String>,
        /// The pinned requests (with what must ship with them).
        requests: Vec<String>,
        /// Their total effort (of that team).
        effort: u64,
        /// The slot's capacity (of that team).
        capacity: u64,
    },
    /// A pin earlier than a dependency can ship.
    #[error("{request} is pinned to {pinned} but depends on {dependency}, which cannot ship before {dependency_slot}")]
    PinBeforeDependency {
        /// The pinned request.
        request: String,
        /// Its pin.
        pinned: String,
        /// The dependency.
        dependency: String,
        /// The earliest slot the dependency can ship in.
        dependency_slot: String,
    },
    /// A deadline (own or inherited from a dependent) earlier than the request can ship.
    #[error(
        "{request} must ship by {latest} (because of {because}) but cannot ship before {earliest}"
    )]
    DeadlineTooEarly {
        /// The request.
        request: String,
        /// The latest slot allowed.
        latest: String,
        /// The request whose pin or deadline imposes it.
        because: String,
        /// The earliest slot it can ship in.
        earliest: String,
    },
    /// The requests that must ship (pins, deadlines and their dependencies) could not be packed.
    #[error("the requests that must ship (pinned, with deadlines, and what they need) do not fit the capacity: {}", names(.requests))]
    MandatoryDoNotFit {
        /// The mandatory requests.
        requests: Vec<String>,
    },
}

/// " of backend" for a team, nothing for the total.
fn of_team(team: Option<&str>) -> String {
    team.map_or_else(String::new, |t| format!(" of {t}"))
}

/// A list of request ids for a message: all of them up to 12, else the first 10 and a count.
fn names(ids: &[String]) -> String {
    if ids.len() <= 12 {
        ids.join(", ")
    } else {
        format!("{} and {} more", ids[..10].join(", "), ids.len() - 10)
    }
}

/// Why an assignment is not a feasible plan (see [`check`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// The assignment has the wrong length.
    #[error("assignment has {got} entries, expected {expected}")]
    WrongLength {
        /// Entries given.
        got: usize,
        /// Requests in the problem.
        expected: usize,
    },
    /// A slot index outside the horizon.
    #[error("{request} is assigned to slot {slot}, outside the horizon")]
    NoSuchSlot {
        /// The request id.
        request: String,
        /// The index given.
        slot: usize,
    },
    /// Too much effort in a slot (in total, or of one team).
    #[error("{slot} is over capacity{}: {load} > {capacity}", of_team(.team.as_deref()))]
    OverCapacity {
        /// The slot id.
        slot: String,
        /// The team (`None`: the total).
        team: Option<String>,
        /// Its load.
        load: u64,
        /// Its capacity.
        capacity: u64,
    },
    /// A request ships without (or before) a dependency.
    #[error("{request} ships before its dependency {dependency}")]
    Dependency {
        /// The dependent request.
        request: String,
        /// The dependency.
        dependency: String,
    },
    /// Coupled requests in different slots.
    #[error("{request} and {other} must ship together")]
    Together {
        /// One request.
        request: String,
        /// The other.
        other: String,
    },
    /// A pinned request elsewhere.
    #[error("{request} is pinned but not in its pinned slot")]
    Pin {
        /// The request id.
        request: String,
    },
    /// A request with a deadline ships late or not at all.
    #[error("{request} misses its deadline")]
    Deadline {
        /// The request id.
        request: String,
    },
}

/// The exact objective of an assignment (feasible or not; constraints are not checked).
///
/// Σ score·weight(slot) + Σ commitment weight·weight(slot of its last request) for
/// commitments that fully ship in time. Moves against the baseline do not enter it.
#[must_use]
pub fn objective(problem: &Problem, assignment: &[Option<usize>]) -> f64 {
    let w = |s: usize| problem.slots.get(s).map_or(0.0, |x| x.weight);
    let mut total = 0.0;
    for (i, item) in problem.requests.iter().enumerate() {
        if let Some(s) = assignment.get(i).copied().flatten() {
            total += item.score * w(s);
        }
    }
    for c in &problem.commitments {
        if c.requests.is_empty() {
            continue;
        }
        let mut last = Some(0usize);
        for &r in &c.requests {
            match (last, assignment.get(r).copied().flatten()) {
                (Some(l), Some(s)) => last = Some(l.max(s)),
                _ => last = None,
            }
        }
        if let Some(l) = last {
            if c.latest.is_none_or(|lat| l <= lat) {
                total += c.weight * w(l);
            }
        }
    }
    total
}

/// The requests whose place in `assignment` differs from their baseline place
/// (deferred counts as a place); 0 when the problem has no baseline.
#[must_use]
pub fn moves(problem: &Problem, assignment: &[Option<usize>]) -> usize {
    if !problem.has_baseline {
        return 0;
    }
    problem
        .requests
        .iter()
        .enumerate()
        .filter(|(i, it)| assignment.get(*i).copied().flatten() != it.baseline)
        .count()
}

/// Baseline placements that `assignment` keeps (0 when the problem has no baseline).
#[must_use]
pub fn kept(problem: &Problem, assignment: &[Option<usize>]) -> usize {
    if !problem.has_baseline {
        return 0;
    }
    problem
        .requests
        .iter()
        .enumerate()
        .filter(|(i, it)| {
            it.baseline.is_some() && assignment.get(*i).copied().flatten() == it.baseline
        })
        .count()
}

/// Checks an assignment against every hard constraint of the problem.
///
/// # Errors
/// The first [`Violation`] found.
pub fn check(problem: &Problem, assignment: &[Option<usize>]) -> Result<(), Violation> {
    let n = problem.requests.len();
    if assignment.len() != n {
        return Err(Violation::WrongLength {
            got: assignment.len(),
            expected: n,
        });
    }
    let id = |i: usize| problem.requests[i].id.clone();
    let t_n = problem.teams.len();
    let mut load = vec![0u64; problem.slots.len()];
    let mut team_load = vec![0u64; problem.slots.len() * t_n];
    for (i, a) in assignment.iter().enumerate() {
        if let Some(s) = *a {
            if s >= problem.slots.len() {
                return Err(Violation::NoSuchSlot {
                    request: id(i),
                    slot: s,
                });
            }
            load[s] += problem.requests[i].effort;
            for &(t, u) in &problem.requests[i].team_effort {
                if t < t_n {
                    team_load[s * t_n + t] += u;
                }
            }
        }
    }
    for (s, slot) in problem.slots.iter().enumerate() {
        if let Some(capacity) = slot.capacity {
            if load[s] > capacity {
                return Err(Violation::OverCapacity {
                    slot: slot.id.clone(),
                    team: None,
                    load: load[s],
                    capacity,
                });
            }
        }
        for t in 0..t_n {
            let capacity = slot.team_capacity.get(t).copied().unwrap_or(0);
            if team_load[s * t_n + t] > capacity {
                return Err(Violation::OverCapacity {
                    slot: slot.id.clone(),
                    team: Some(problem.teams[t].clone()),
                    load: team_load[s * t_n + t],
                    capacity,
                });
            }
        }
    }
    for (i, item) in problem.requests.iter().enumerate() {
        let a = assignment[i];
        for &d in &item.depends_on {
            let ok = match (a, assignment.get(d).copied().flatten()) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => y <= x,
            };
            if !ok {
                return Err(Violation::Dependency {
                    request: id(i),
                    dependency: problem
                        .requests
                        .get(d)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                });
            }
        }
        for &t in &item.together_with {
            if assignment.get(t).copied().flatten() != a {
                return Err(Violation::Together {
                    request: id(i),
                    other: problem
                        .requests
                        .get(t)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                });
            }
        }
        if let Some(p) = item.pin {
            if a != Some(p) {
                return Err(Violation::Pin { request: id(i) });
            }
        }
        if let Some(l) = item.latest {
            if a.is_none_or(|s| s > l) {
                return Err(Violation::Deadline { request: id(i) });
            }
        }
    }
    Ok(())
}

/// Branch and bound runs only up to this many groups ...
const BB_MAX_GROUPS: usize = 80;
/// ... and on at most this much work (relaxations × their size) ...
const BB_WORK: u64 = 300_000_000;
/// ... and this many relaxations. (A count, not work: it binds on small backlogs,
/// where the work budget would allow more. 20,000 spent 0.5 s CPU of the agency
/// example's 0.9 s without closing its gap; with 5,000 it takes 0.7–0.8 s, most of
/// the rest being the first walk.)
const BB_EVALS: u64 = 5_000;
/// Larger backlogs get large-neighbourhood search on this much work instead.
const LNS_WORK: u64 = 100_000_000;
/// The cluster neighbourhoods' work budget, in multiples of the node limit. Their
/// units (dynamic-programming cells and flow arcs) are about 20 times cheaper than
/// the walks' move evaluations: 60 M take about 0.3 s on the 2-core machine.
/// Measured on generated backlogs of 150 requests, below the optimum on average:
/// 0.151 % without clusters, 0.094 % at 4×, 0.10 % at 8× (whole process 1.1 s,
/// over the 1 s aim); with three teams (150–200 requests) 0.22/0.35 % at 4× and
/// about 0.2/0.3 % at 10×.
const LNS_SHARE: u64 = 4;
/// The work budget of the release-pair exchanges (`pairs`), as a multiple of the
/// node limit, in dynamic-programming cells × options (60 M take well under 0.1 s).
/// Generated backlogs of 150–300 requests converge within it (0.002 / 0.000 % below
/// the optimum; 13× and 40× gave the same plans). With three teams 16× moved only
/// the 200-request mean (0.31 → 0.28 % below the optimum).
const PAIRS_SHARE: u64 = 4;
/// Clusters run only while the reported gap is above this fraction of the plan.
const LNS_MIN_GAP: f64 = 0.001;
/// The knapsack decomposition runs when one evaluation's dynamic programs cost at
/// most this much (items × capacity) ...
const DECOMP_MAX_WORK: u64 = 2_000_000;
/// ... for at most this many evaluations at the root (binds on small backlogs only,
/// like [`BB_EVALS`]).
const DECOMP_ITERS: u64 = 1_000;

/// With a baseline, the share of the time limit the search for the best plan may use;
/// the stability phase has the rest (it is cheaper: a quarter of the work budget).
const BEST_PLAN_TIME_SHARE: f64 = 0.7;

/// Plans the problem: the best assignment found within the budget, with a true upper
/// bound; with a baseline, the plan with the fewest moves among those within the
/// re-planning tolerance of that best (see [`Problem::replan_tolerance`]).
///
/// # Errors
/// A [`Contradiction`] when the input cannot be planned at all.
pub fn solve(
    problem: &Problem,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Plan, Contradiction> {
    let start = Instant::now();
    let model = model::Model::build(problem)?;
    let deadline = clock::Deadline::after(options.time_limit);
    let mut stats = Stats::default();

    // A feasible start: the mandatory requests packed, everything else deferred.
    let base = model.pack_mandatory()?;
    // With a baseline the stability phase keeps part of the safety net for itself:
    // when the clock, not the budget, ends the search for the best plan, a plan
    // with the best's moves and no attempt to undo them would be no answer.
    let stable = problem.has_baseline && model.r > 0;
    let best_deadline = if stable {
        deadline.share(BEST_PLAN_TIME_SHARE)
    } else {
        deadline
    };
    let (best_slots, mut best_bound, proven) = best_plan(
        &model,
        base.clone(),
        !stable,
        options,
        best_deadline,
        start,
        &mut stats,
        progress,
    );
    let unconstrained = model.assignment(&best_slots);
    let unconstrained_best = objective(problem, &unconstrained);
    best_bound = best_bound.max(unconstrained_best);
    if proven {
        best_bound = unconstrained_best;
    }

    // Stable re-planning: the fewest moves within the tolerance of that best.
    let slots = if stable {
        progress(Progress {
            phase: "stability",
            objective: unconstrained_best,
            bound: best_bound,
            elapsed: start.elapsed(),
        });
        stable::fewest_moves(
            &model,
            base,
            &best_slots,
            unconstrained_best,
            problem.replan_tolerance,
            options.node_limit / 4,
            deadline,
            &mut stats,
        )
    } else {
        best_slots
    };
    let assignment = model.assignment(&slots);
    let obj = objective(problem, &assignment);
    stats.hit_time_limit |= deadline.passed();
    stats.elapsed = start.elapsed();
    let baseline_planned = if problem.has_baseline {
        problem
            .requests
            .iter()
            .filter(|it| it.baseline.is_some())
            .count()
    } else {
        0
    };
    Ok(Plan {
        moves: moves(problem, &assignment),
        kept: kept(problem, &assignment),
        baseline_planned,
        proven_optimal: proven && obj >= unconstrained_best - model.tolerance(),
        // The stability phase may find a better plan than the search for the best
        // did; then it is the best found. The plans within the tolerance of it are
        // among those within the tolerance of the old best, so the choice stands.
        unconstrained_best: unconstrained_best.max(obj),
        assignment,
        objective: obj,
        bound: best_bound.max(obj),
        stats,
    })
}

/// Reduced-cost fixing with one release and an exact re-plan of what it leaves
/// (see `fixing`), run against the incumbent whenever that has improved since the
/// last run (the same incumbent would fix the same).
struct Fixing<'a> {
    lambda: &'a [f64],
    /// Work units per exact re-plan.
    work: u64,
    /// Re-plan exactly only when at most this many groups stay free.
    max_free: usize,
    deadline: clock::Deadline,
    /// The incumbent's value at the last run.
    last: f64,
}

impl Fixing<'_> {
    /// True when this proves the incumbent optimal (the bound then drops to it).
    fn run<'m>(
        &mut self,
        model: &'m model::Model,
        search: &mut search::Search<'m>,
        best_bound: &mut f64,
        stats: &mut Stats,
    ) -> bool {
        if search.best_value() <= self.last + model.tolerance() {
            return false;
        }
        self.last = search.best_value();
        let done = fixing::fix_and_replan(
            model,
            search,
            self.lambda,
            self.work,
            self.max_free,
            self.deadline,
        );
        let Some(done) = done else { return false };
        stats.flow_solves += done.evals;
        if done.proven {
            *best_bound = best_bound.min(search.best_value());
        }
        done.proven
    }
}

/// The best plan the budget finds (group slots), a true upper bound, and whether
/// the plan is proven optimal.
#[allow(clippy::too_many_arguments)]
fn best_plan(
    model: &model::Model,
    base: Vec<usize>,
    clusters: bool,
    options: &Options,
    deadline: clock::Deadline,
    start: Instant,
    stats: &mut Stats,
    progress: &mut dyn FnMut(Progress),
) -> (Vec<usize>, f64, bool) {
    let mut search = search::Search::new(model, base, options.node_limit, deadline);
    let tol = model.tolerance();
    let knob = |i: usize| options.tuning.get(i).copied().filter(|x| *x > 0.0);

    // Bound (and closure-guided starting solutions).
    let lagr = bound::lagrangian(model, &mut search, options.node_limit, deadline);
    stats.flow_solves = lagr.flow_solves;
    // Every plan's value lies on the grid of the objective's coefficients.
    let unit = bb::grid(model);
    let floor = |l: f64| bb::floor_to_grid(unit, bound::finish(model, l));
    let mut best_bound = bb::floor_to_grid(unit, lagr.bound);
    progress(Progress {
        phase: "bound",
        objective: search.best_value(),
        bound: best_bound,
        elapsed: start.elapsed(),
    });

    // Exhaustive search when the problem is tiny.
    let mut exhaustive = false;
    if let Some((slots, value)) =
        search::exhaustive(model, options.node_limit, deadline, stats, None)
    {
        search.offer(&slots, value);
        exhaustive = true;
        progress(Progress {
            phase: "exhaustive",
            objective: value,
            bound: value,
            elapsed: start.elapsed(),
        });
    }
    let open = |search: &search::Search, bound: f64| {
        !exhaustive && model.r > 0 && search.best_value() < bound - tol
    };

    // How long the local search walks without finding anything new. One release
    // (the NRP shape) rewards long walks; with several releases the Lagrangian
    // repair does most of the work and the walk stops sooner.
    let mut stall = if model.r == 1 {
        60_000.max(50 * model.groups() as u64)
    } else {
        let g = model.groups().max(1) as u64;
        (30_000 / g + 2_000_000 / (g * g)).clamp(100, 20_000)
    };
    if let Some(x) = knob(3) {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        {
            stall = ((stall as f64) * x) as u64;
        }
    }
    // With a decomposition at hand (small and mid-size backlogs), a short walk first:
    // the bound phase below finds plans too, and proves what it can.
    let decomposition = if model.r > 0 && model.k > 0 && !exhaustive {
        decomp::Decomp::new(model, &lagr.lambda, DECOMP_MAX_WORK).filter(|d| !d.is_empty())
    } else {
        None
    };
    if decomposition.is_some() {
        // The neighbourhoods and the tree find better plans per unit of work.
        stall = (stall / 4).max(50);
    }
    let first_walk = if decomposition.is_some() {
        stall / 2
    } else {
        stall
    };
    if open(&search, best_bound) {
        walk(
            model,
            &mut search,
            first_walk,
            best_bound,
            start,
            stats,
            progress,
        );
    }

    // A gap left: the knapsack decomposition tightens the bound (its closures,
    // repaired, are more starting points); small problems are then probed and
    // branched on until proven or out of budget.
    let mut bb_proven = false;
    if let Some(d) = decomposition.filter(|_| open(&search, best_bound)) {
        let per_eval = d.work + 4 * (model.groups() * model.r) as u64 + 1;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let iters = knob(0).map_or_else(
            || (options.node_limit / 20 / per_eval).clamp(10, DECOMP_ITERS),
            |x| x as u64,
        );
        let t = decomp::tighten(
            model,
            d,
            search.best_value(),
            tol,
            iters,
            deadline,
            &floor,
            &options.tuning,
        );
        stats.flow_solves += t.evals;
        best_bound = best_bound.min(floor(t.bound));
        for c in t.closures.iter().rev().take(6) {
            search.repair(c);
        }
        progress(Progress {
            phase: "decomposition",
            objective: search.best_value(),
            bound: best_bound,
            elapsed: start.elapsed(),
        });
        if model.groups() > BB_MAX_GROUPS && open(&search, best_bound) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let limit = knob(8).map_or_else(
                || options.node_limit.saturating_mul(2).min(LNS_WORK) / per_eval,
                |x| x as u64,
            );
            stats.flow_solves +=
                bb::neighbourhoods(model, &mut search, t.decomp.clone(), limit, deadline);
            progress(Progress {
                phase: "neighbourhoods",
                objective: search.best_value(),
                bound: best_bound,
                elapsed: start.elapsed(),
            });
        }
        if model.groups() <= BB_MAX_GROUPS && open(&search, best_bound) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let limit = knob(2).map_or_else(
                || (options.node_limit.saturating_mul(5).min(BB_WORK) / per_eval).min(BB_EVALS),
                |x| x as u64,
            );
            if let Some(res) = bb::branch_and_bound(
                model,
                &mut search,
                t.decomp,
                best_bound,
                limit,
                deadline,
                options.tuning.get(1).copied().unwrap_or(0.0),
            ) {
                stats.nodes += res.work / 64;
                stats.flow_solves += res.evals;
                best_bound = best_bound.min(res.bound);
                bb_proven = res.complete;
                progress(Progress {
                    phase: "branch and bound",
                    objective: search.best_value(),
                    bound: best_bound,
                    elapsed: start.elapsed(),
                });
            }
        }
        // Still a gap: the rest of the walk, from the best plan so far.
        if !bb_proven && open(&search, best_bound) && stall > first_walk {
            walk(
                model,
                &mut search,
                stall - first_walk,
                best_bound,
                start,
                stats,
                progress,
            );
        }
    }
    // One release and a gap left: fix what the bound rules out, and re-plan the
    // rest exactly when it is small (see `fixing`).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mut fixing = Fixing {
        lambda: &lagr.lambda,
        work: knob(16).map_or(options.node_limit.saturating_mul(FIX_WORK_SHARE), |x| {
            x as u64
        }),
        max_free: knob(17).map_or(FIX_MAX_FREE, |x| x as usize),
        deadline,
        last: f64::NEG_INFINITY,
    };
    if model.r == 1 && !bb_proven && open(&search, best_bound) {
        bb_proven = fixing.run(model, &mut search, &mut best_bound, stats);
    }
    // One release (the NRP shape) and a gap left: walks on a perturbed objective
    // and exact recombination with the best plan (see `recombine`).
    if model.r == 1 && !bb_proven && open(&search, best_bound) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let budget = recombine::Budget {
            rounds: knob(12).map_or(RECOMBINE_ROUNDS, |x| x as u64),
            walk: knob(13).map_or(options.node_limit / 20, |x| x as u64),
            stall: knob(14).map_or(stall, |x| x as u64),
            crossover: knob(15).map_or(options.node_limit / 5, |x| x as u64),
        };
        let done = recombine::recombine(
            model,
            &mut search,
            &lagr.lambda,
            &budget,
            best_bound,
            deadline,
        );
        stats.hit_time_limit |= done.hit_time;
        stats.nodes += done.nodes;
        stats.flow_solves += done.evals;
        // A better incumbent fixes more.
        if open(&search, best_bound) {
            bb_proven = fixing.run(model, &mut search, &mut best_bound, stats);
        }
    }
    // Still a gap: exchanges between two releases, found exactly (see `pairs`).
    let mut pair_optimal = false;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let pairs_work = knob(10).map_or(options.node_limit.saturating_mul(PAIRS_SHARE), |x| x as u64);
    if clusters && model.r > 1 && !bb_proven && open(&search, best_bound) {
        let done = pairs::improve(model, &mut search, pairs_work, deadline);
        stats.nodes += done.work / 64;
        pair_optimal = done.pair_optimal;
        progress(Progress {
            phase: "release pairs",
            objective: search.best_value(),
            bound: best_bound,
            elapsed: start.elapsed(),
        });
    }
    // Still a gap: clusters of related requests re-planned exactly (see `lns`). Not
    // with one release (the NRP shape): there no cluster ever improved the plan on
    // the benchmark, while the walks and the decomposition's closures do. Not when
    // the plan is certified within LNS_MIN_GAP of the optimum already: then the
    // clusters are not worth their time. Not when re-planning against a plan on
    // disk: their gains (0.05–0.1 %) are far below the re-planning tolerance, and
    // a best plan that depends on which neighbourhoods happened to pay off makes
    // `plan --compare` report moves that no input change asked for. Not when the
    // plan is pair-optimal: on backlogs without teams the clusters then never
    // found more (measured on gen_backlog 40-300, seeds 1-3), and cost half the time.
    let certified = search.best_value() >= best_bound - LNS_MIN_GAP * search.best_value().abs();
    if clusters
        && !bb_proven
        && !pair_optimal
        && model.r > 1
        && !certified
        && open(&search, best_bound)
    {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let work = knob(9).map_or(options.node_limit.saturating_mul(LNS_SHARE), |x| x as u64);
        let before = search.best_value();
        stats.flow_solves +=
            lns::clusters(model, &mut search, &lagr.lambda, work, best_bound, deadline);
        progress(Progress {
            phase: "clusters",
            objective: search.best_value(),
            bound: best_bound,
            elapsed: start.elapsed(),
        });
        // What the clusters changed may open exchanges between two releases again.
        if search.best_value() > before + tol && open(&search, best_bound) {
            stats.nodes += pairs::improve(model, &mut search, pairs_work, deadline).work / 64;
            progress(Progress {
                phase: "release pairs",
                objective: search.best_value(),
                bound: best_bound,
                elapsed: start.elapsed(),
            });
        }
    }
    stats.nodes += search.nodes;
    stats.iterations += search.iterations;
    stats.hit_time_limit |= search.hit_time || deadline.passed();
    stats.hit_node_limit |= search.nodes >= options.node_limit;
    stats.exhaustive = exhaustive;
    let value = search.best_value();
    let proven = exhaustive || bb_proven || value >= best_bound - tol;
    (search.best_slots().to_vec(), best_bound, proven)
}

/// Two independent, individually deterministic local searches (one per core) from
/// the best plan, until `stall` rounds bring nothing new, the budget is spent or
/// the bound is reached. The first wins ties, and only the first may stop the
/// second, so the result does not depend on timing.
fn walk<'m>(
    model: &'m model::Model,
    search: &mut search::Search<'m>,
    stall: u64,
    bound: f64,
    start: Instant,
    stats: &mut Stats,
    progress: &mut dyn FnMut(Progress),
) {
    let tol = model.tolerance();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut second = search.fork(0xC0FF_EE00_2027 ^ search.iterations);
    let forked_nodes = second.nodes;
    let forked_iterations = second.iterations;
    second.stop = Some(&stop);
    // Threshold accepting (cooling with the budget): a cautious and a bold walk.
    // With one release (the NRP shape) the cautious walk only accepts what is
    // no worse (measured best on the benchmark); with several it may wander 1 %.
    search.accept = if model.r == 1 { 0.0 } else { 0.01 };
    second.accept = 0.05;
    let spent = search.spent();
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            second.move_to_this_thread(spent);
            second.run(bound, tol, stall, &mut |_| {});
        });
        search.run(bound, tol, stall, &mut |value| {
            if value >= bound - tol {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            progress(Progress {
                phase: "search",
                objective: value,
                bound,
                elapsed: start.elapsed(),
            });
        });
        let _ = handle.join();
    });
    if second.best_value() > search.best_value() + tol * 1e-3 {
        let slots = second.best_slots().to_vec();
        let v = second.best_value();
        search.offer(&slots, v);
    }
    stats.nodes += second.nodes - forked_nodes;
    stats.iterations += second.iterations - forked_iterations;
    stats.hit_time_limit |= second.hit_time;
    stats.hit_node_limit |= second.nodes >= second.node_limit();
}
