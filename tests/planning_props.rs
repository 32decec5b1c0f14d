//! Property tests for the planner: on generated small backlogs (with and without
//! teams, with and without a plan on disk) every plan is feasible for every slot
//! and team capacity, dependency, coupling, pin and deadline; the bound is never
//! below the optimum; the same input gives the same plan; the objective equals a
//! brute-force optimum; and with a baseline the plan is within the re-planning
//! tolerance of that optimum while no plan within it (by brute force) has fewer
//! moves or, with as few, a higher objective.
#![allow(clippy::needless_range_loop)] // the planning branch's tests, kept as they are

use std::time::Duration;

use proptest::prelude::*;
use zyklus::planning::{
    check, explain, kept, moves, objective, solve, Commitment, Contradiction, DeferredReason, Item,
    Options, Plan, Problem, Reason, Slot, DEFAULT_NODE_LIMIT,
};

/// A deterministic work budget and, in practice, no wall-clock limit: under machine
/// load the safety net would end searches early and change their plans, so no test
/// may depend on it.
fn budget(node_limit: u64) -> Options {
    Options {
        node_limit,
        time_limit: Duration::from_secs(24 * 3600),
        ..Options::default()
    }
}

/// Whether an assignment keeps every hard constraint, read straight from the
/// problem (independently of the planner's own `check`): the total and every
/// team's capacity per slot, dependencies in the same or an earlier slot,
/// couplings in the same slot, pins, deadlines (which also make a request
/// mandatory).
fn feasible(p: &Problem, a: &[Option<usize>]) -> bool {
    if a.len() != p.requests.len() || a.iter().flatten().any(|&s| s >= p.slots.len()) {
        return false;
    }
    for (s, slot) in p.slots.iter().enumerate() {
        let here = || (0..a.len()).filter(move |&i| a[i] == Some(s));
        let total: u64 = here().map(|i| p.requests[i].effort).sum();
        if slot.capacity.is_some_and(|c| total > c) {
            return false;
        }
        for t in 0..p.teams.len() {
            let load: u64 = here()
                .flat_map(|i| p.requests[i].team_effort.iter())
                .filter(|x| x.0 == t)
                .map(|x| x.1)
                .sum();
            if load > slot.team_capacity[t] {
                return false;
            }
        }
    }
    p.requests.iter().enumerate().all(|(i, it)| {
        it.depends_on
            .iter()
            .all(|&d| a[i].is_none() || matches!((a[i], a[d]), (Some(x), Some(y)) if y <= x))
            && it.together_with.iter().all(|&t| a[t] == a[i])
            && it.pin.is_none_or(|s| a[i] == Some(s))
            && it.latest.is_none_or(|l| a[i].is_some_and(|s| s <= l))
    })
}

/// The objective read straight from the problem: score × weight of its slot, and a
/// commitment's weight × the weight of the slot of its last request when all of
/// them ship, by its latest slot if it has one.
fn value(p: &Problem, a: &[Option<usize>]) -> f64 {
    let mut v: f64 = p
        .requests
        .iter()
        .zip(a)
        .filter_map(|(it, s)| s.map(|s| it.score * p.slots[s].weight))
        .sum();
    for c in &p.commitments {
        let places: Option<Vec<usize>> = c.requests.iter().map(|&r| a[r]).collect();
        if let Some(last) = places.and_then(|x| x.into_iter().max()) {
            if c.latest.is_none_or(|l| last <= l) {
                v += c.weight * p.slots[last].weight;
            }
        }
    }
    v
}

/// What every plan must satisfy, whatever the budget: feasible (read independently),
/// its objective and moves as stated, never above its bound, within the re-planning
/// tolerance of the unconstrained best, kept/moved consistent with the baseline.
fn assert_plan_invariants(p: &Problem, plan: &Plan) -> Result<(), TestCaseError> {
    prop_assert!(
        feasible(p, &plan.assignment),
        "infeasible: {:?}",
        check(p, &plan.assignment)
    );
    prop_assert!(
        check(p, &plan.assignment).is_ok(),
        "{:?}",
        check(p, &plan.assignment)
    );
    prop_assert!((value(p, &plan.assignment) - plan.objective).abs() < 1e-9);
    prop_assert!((objective(p, &plan.assignment) - plan.objective).abs() < 1e-9);
    prop_assert!(
        plan.bound >= plan.objective - 1e-9,
        "bound {} below the objective {}",
        plan.bound,
        plan.objective
    );
    prop_assert!(plan.bound >= plan.unconstrained_best - 1e-9);
    prop_assert!(
        plan.unconstrained_best >= plan.objective - 1e-9,
        "best {} below the plan's {}",
        plan.unconstrained_best,
        plan.objective
    );
    prop_assert!(
        plan.objective >= threshold(p, plan.unconstrained_best),
        "{} below the tolerance of {}",
        plan.objective,
        plan.unconstrained_best
    );
    prop_assert_eq!(plan.moves, moves(p, &plan.assignment));
    prop_assert_eq!(plan.kept, kept(p, &plan.assignment));
    if p.has_baseline {
        let by_hand = p
            .requests
            .iter()
            .zip(&plan.assignment)
            .filter(|(it, a)| it.baseline != **a)
            .count();
        prop_assert_eq!(plan.moves, by_hand);
        prop_assert_eq!(
            plan.baseline_planned,
            p.requests.iter().filter(|it| it.baseline.is_some()).count()
        );
        prop_assert!(plan.kept <= plan.baseline_planned);
    } else {
        prop_assert_eq!((plan.moves, plan.kept, plan.baseline_planned), (0, 0, 0));
        prop_assert!((plan.objective - plan.unconstrained_best).abs() < 1e-9);
    }
    Ok(())
}

/// The problem with `assignment` as its plan on disk.
fn with_baseline(p: &Problem, assignment: &[Option<usize>]) -> Problem {
    let mut q = p.clone();
    q.has_baseline = true;
    for (it, a) in q.requests.iter_mut().zip(assignment) {
        it.baseline = *a;
    }
    q
}

/// Raw draws of one request: effort, score, dependency candidates, coupling
/// partner, pin, deadline, baseline, team split.
type RawItem = (
    u64,
    u32,
    Vec<usize>,
    Option<usize>,
    Option<usize>,
    Option<usize>,
    Option<usize>,
    (usize, u64),
);

fn raw_item(n: usize, r: usize, pin: f64, latest: f64) -> impl Strategy<Value = RawItem> {
    (
        1u64..6,
        0u32..10,
        proptest::collection::vec(0usize..n, 0..3),
        proptest::option::weighted(0.12, 0usize..n),
        proptest::option::weighted(pin, 0usize..r),
        proptest::option::weighted(latest, 0usize..r),
        proptest::option::weighted(0.5, 0usize..r),
        (0usize..4, 0u64..6),
    )
}

/// A problem from raw draws: `teams` teams (0–2), requests on team `t % (teams+1)`
/// (the last value: no team), some split; with teams the total is sometimes unlimited.
#[allow(clippy::too_many_arguments)]
fn build(
    caps: &[u64],
    team_caps: &[Vec<u64>],
    teams: usize,
    total: bool,
    items: Vec<RawItem>,
    commitments: Vec<(u32, Vec<usize>, Option<usize>)>,
    has_baseline: bool,
    tolerance: f64,
) -> Problem {
    let r = caps.len();
    let n = items.len();
    let slots = caps
        .iter()
        .enumerate()
        .map(|(s, &c)| Slot {
            id: format!("2027.{}", s + 1),
            capacity: (total || teams == 0).then_some(c),
            team_capacity: (0..teams).map(|t| team_caps[t][s]).collect(),
            weight: 1.0 - 0.1 * s as f64,
        })
        .collect();
    let requests = items
        .into_iter()
        .enumerate()
        .map(
            |(i, (effort, score, deps, tog, pin, latest, baseline, (team, split)))| {
                let team_effort = if teams == 0 || team % (teams + 1) == teams {
                    Vec::new()
                } else {
                    let t = team % (teams + 1);
                    let part = split.min(effort - 1);
                    if teams > 1 && part > 0 {
                        vec![(t, effort - part), ((t + 1) % teams, part)]
                    } else {
                        vec![(t, effort)]
                    }
                };
                Item {
                    id: format!("CR-{i}"),
                    effort,
                    score: f64::from(score),
                    // only earlier requests: no cycles
                    depends_on: deps.into_iter().filter(|&d| d < i).collect(),
                    together_with: tog.filter(|&t| t < n && t != i).into_iter().collect(),
                    pin: pin.filter(|&p| p < r),
                    latest: latest.filter(|&l| l < r),
                    team_effort,
                    baseline: baseline.filter(|&b| b < r),
                }
            },
        )
        .collect();
    let commitments = commitments
        .into_iter()
        .enumerate()
        .map(|(k, (w, reqs, latest))| Commitment {
            label: format!("P{k}"),
            weight: f64::from(w),
            requests: reqs.into_iter().filter(|&x| x < n).collect(),
            latest: latest.filter(|&l| l < r),
        })
        .collect();
    Problem {
        slots,
        requests,
        commitments,
        teams: (0..teams).map(|t| format!("team{t}")).collect(),
        has_baseline,
        replan_tolerance: tolerance,
    }
}

fn commitments(n: usize, r: usize) -> impl Strategy<Value = Vec<(u32, Vec<usize>, Option<usize>)>> {
    proptest::collection::vec(
        (
            1u32..20,
            proptest::collection::vec(0usize..n, 1..4),
            proptest::option::weighted(0.3, 0usize..r),
        ),
        0..3,
    )
}

/// The shape of generated backlogs: slot, request and team counts, capacity
/// ranges, how often requests are pinned or have a deadline, the tolerances drawn,
/// and whether every request is on a team.
struct Shape {
    slots: std::ops::RangeInclusive<usize>,
    requests: std::ops::RangeInclusive<usize>,
    teams: std::ops::RangeInclusive<usize>,
    capacity: std::ops::Range<u64>,
    team_capacity: std::ops::Range<u64>,
    with_total: f64,
    pin: f64,
    latest: f64,
    tolerances: &'static [f64],
    all_on_teams: bool,
}

/// Backlogs of a shape, with commitments and, half of the time, a plan on disk.
fn backlog(shape: Shape) -> impl Strategy<Value = Problem> {
    let Shape {
        slots,
        requests,
        teams,
        capacity,
        team_capacity,
        with_total,
        pin,
        latest,
        tolerances,
        all_on_teams,
    } = shape;
    let n_max = *requests.end();
    let r_max = *slots.end();
    (slots, requests, teams)
        .prop_flat_map(move |(r, n, teams)| {
            (
                proptest::collection::vec(capacity.clone(), r),
                proptest::collection::vec(
                    proptest::collection::vec(team_capacity.clone(), r),
                    teams,
                ),
                Just(teams),
                proptest::bool::weighted(with_total),
                proptest::collection::vec(raw_item(n_max, r_max, pin, latest), n),
                commitments(n_max, r_max),
                proptest::bool::ANY,
                proptest::sample::select(tolerances),
            )
        })
        .prop_map(
            move |(caps, team_caps, teams, total, mut items, commitments, has_baseline, tol)| {
                if all_on_teams && teams > 0 {
                    for it in &mut items {
                        it.7 .0 %= teams;
                    }
                }
                build(
                    &caps,
                    &team_caps,
                    teams,
                    total,
                    items,
                    commitments,
                    has_baseline,
                    tol,
                )
            },
        )
}

/// Tiny backlogs: 1–3 slots, 1–7 requests, up to two teams, maybe a baseline.
fn problem() -> impl Strategy<Value = Problem> {
    backlog(Shape {
        slots: 1..=3,
        requests: 1..=7,
        teams: 0..=2,
        capacity: 0..14,
        team_capacity: 0..9,
        with_total: 0.7,
        pin: 0.1,
        latest: 0.1,
        tolerances: &[0.0, 0.5, 5.0, 20.0],
        all_on_teams: false,
    })
}

/// Every feasible assignment with its objective and moves.
fn all_plans(p: &Problem) -> Vec<(Vec<Option<usize>>, f64, usize)> {
    let n = p.requests.len();
    let r = p.slots.len();
    let mut a = vec![None; n];
    let mut out = Vec::new();
    let total = (r + 1).pow(u32::try_from(n).expect("small"));
    for mut code in 0..total {
        for x in &mut a {
            let d = code % (r + 1);
            code /= r + 1;
            *x = if d == r { None } else { Some(d) };
        }
        let ok = check(p, &a).is_ok();
        assert_eq!(
            ok,
            feasible(p, &a),
            "check and the independent reading disagree on {a:?}"
        );
        if ok {
            assert!(
                (objective(p, &a) - value(p, &a)).abs() < 1e-9,
                "objective of {a:?}"
            );
            out.push((a.clone(), objective(p, &a), moves(p, &a)));
        }
    }
    out
}

/// The threshold of the re-planning tolerance below an objective (as the solver computes it).
fn threshold(p: &Problem, best: f64) -> f64 {
    best - best.abs() * p.replan_tolerance / 100.0 - 1e-9 * best.abs().max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn plans_are_feasible_optimal_stable_and_deterministic(p in problem()) {
        let options = budget(DEFAULT_NODE_LIMIT);
        let plans = all_plans(&p);
        let brute = plans.iter().map(|x| x.1).fold(None, |b: Option<f64>, v| Some(b.map_or(v, |b| b.max(v))));
        match solve(&p, &options, &mut |_| {}) {
            Ok(plan) => {
                assert_plan_invariants(&p, &plan)?;
                let best = brute.expect("a plan exists, so brute force finds one");
                prop_assert!(plan.bound >= best - 1e-9, "bound {} below the optimum {}", plan.bound, best);
                prop_assert!((plan.unconstrained_best - best).abs() < 1e-9, "best {} optimum {}", plan.unconstrained_best, best);
                if p.has_baseline {
                    // Within the tolerance of the optimum, and no plan within it has
                    // fewer moves, or as few and a higher objective.
                    let t = threshold(&p, best);
                    prop_assert!(plan.objective >= t, "objective {} below the threshold {}", plan.objective, t);
                    for (a, v, m) in &plans {
                        if *v >= t {
                            prop_assert!(*m >= plan.moves, "{:?} has {} moves, the plan {}", a, m, plan.moves);
                            if *m == plan.moves {
                                prop_assert!(*v <= plan.objective + 1e-9, "{:?} has objective {} with as few moves, the plan {}", a, v, plan.objective);
                            }
                        }
                    }
                } else {
                    prop_assert!((plan.objective - best).abs() < 1e-9, "objective {} optimum {}", plan.objective, best);
                    prop_assert_eq!(plan.moves, 0);
                }
                // Every request gets one reason that matches the plan.
                let reasons = explain(&p, &plan);
                prop_assert_eq!(reasons.len(), p.requests.len());
                for r in &reasons {
                    match &r.reason {
                        Reason::Planned { slot, .. } => prop_assert_eq!(plan.assignment[r.request], Some(*slot)),
                        Reason::Deferred(d) => {
                            prop_assert_eq!(plan.assignment[r.request], None);
                            let alone = p.requests[r.request].together_with.is_empty()
                                && !p.requests.iter().any(|x| x.together_with.contains(&r.request));
                            let gained = match d {
                                DeferredReason::NotWorthIt { slot_id, gain } => Some((slot_id, *gain, false)),
                                DeferredReason::KeptDeferred { slot_id, gain } => Some((slot_id, *gain, true)),
                                _ => None,
                            };
                            if let (true, Some((slot_id, gain, kept))) = (alone, gained) {
                                let s = p.slots.iter().position(|x| &x.id == slot_id).expect("slot");
                                let mut trial = plan.assignment.clone();
                                trial[r.request] = Some(s);
                                prop_assert!(check(&p, &trial).is_ok(), "it would fit: {:?}", check(&p, &trial));
                                let delta = objective(&p, &trial) - plan.objective;
                                prop_assert!((delta - gain).abs() < 1e-9, "gain {} but objective changes by {}", gain, delta);
                                if kept {
                                    prop_assert!(p.has_baseline && p.requests[r.request].baseline.is_none());
                                } else {
                                    prop_assert!(gain <= 1e-9, "the plan cannot be improved without a move");
                                }
                            }
                        }
                    }
                }
                let again = solve(&p, &options, &mut |_| {}).expect("same input");
                prop_assert_eq!(plan.assignment, again.assignment);
            }
            Err(Contradiction::GroupTooLarge { .. }) => {}
            Err(e) => prop_assert!(brute.is_none(), "contradiction {e} but a plan exists ({brute:?})"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// With the plan on disk equal to an optimal plan (any of them), re-planning
    /// moves nothing, whatever the tolerance.
    #[test]
    fn a_baseline_equal_to_an_optimal_plan_moves_nothing(p in problem()) {
        let plans = all_plans(&p);
        let Some(best) = plans.iter().map(|x| x.1).reduce(f64::max) else { return Ok(()) };
        let optimal: Vec<_> = plans.iter().filter(|x| x.1 >= best - 1e-9).collect();
        // the first and the last optimal plan in enumeration order
        for (a, _, _) in [optimal[0], optimal[optimal.len() - 1]] {
            let q = with_baseline(&p, a);
            let plan = match solve(&q, &budget(DEFAULT_NODE_LIMIT), &mut |_| {}) {
                Ok(plan) => plan,
                // coupling that can never fit is an error even though deferring it is feasible
                Err(Contradiction::GroupTooLarge { .. }) => return Ok(()),
                Err(e) => return Err(TestCaseError::fail(format!("contradiction {e} but a plan exists"))),
            };
            assert_plan_invariants(&q, &plan)?;
            prop_assert_eq!(plan.moves, 0);
            prop_assert_eq!(&plan.assignment, a);
            prop_assert!((plan.objective - best).abs() < 1e-9);
            prop_assert_eq!(plan.kept, plan.baseline_planned);
        }
    }
}

/// Backlogs too big for the exhaustive search, so the heuristics (Lagrangian repair,
/// local search with postpone/eject moves, the stability phase) have to keep every
/// constraint themselves.
fn medium_problem() -> impl Strategy<Value = Problem> {
    (1usize..=4, 12usize..=40, 0usize..=3)
        .prop_flat_map(|(r, n, teams)| {
            (
                proptest::collection::vec(5u64..40, r),
                proptest::collection::vec(proptest::collection::vec(3u64..25, r), teams),
                Just(teams),
                proptest::bool::weighted(0.7),
                proptest::collection::vec(raw_item(40, 4, 0.05, 0.08), n),
                proptest::collection::vec(
                    (
                        1u32..60,
                        proptest::collection::vec(0usize..40, 1..5),
                        proptest::option::weighted(0.3, 0usize..4),
                    ),
                    0..8,
                ),
                proptest::bool::ANY,
            )
        })
        .prop_map(
            |(caps, team_caps, teams, total, items, commitments, has_baseline)| {
                build(
                    &caps,
                    &team_caps,
                    teams,
                    total,
                    items,
                    commitments,
                    has_baseline,
                    0.5,
                )
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn heuristic_plans_are_feasible_stable_and_deterministic(p in medium_problem()) {
        let options = budget(100_000);
        if let Ok(plan) = solve(&p, &options, &mut |_| {}) {
            assert_plan_invariants(&p, &plan)?;
            prop_assert_eq!(explain(&p, &plan).len(), p.requests.len());
            let again = solve(&p, &options, &mut |_| {}).expect("same input");
            prop_assert_eq!(&plan.assignment, &again.assignment);
            // Re-planning unchanged input against the plan just made moves nothing.
            let q = with_baseline(&p, &plan.assignment);
            let replanned = solve(&q, &options, &mut |_| {}).expect("same input");
            assert_plan_invariants(&q, &replanned)?;
            prop_assert_eq!(replanned.moves, 0);
            prop_assert_eq!(&replanned.assignment, &plan.assignment);
            prop_assert!((replanned.unconstrained_best - plan.unconstrained_best).abs() < 1e-9);
        }
    }
}

/// Backlogs of 11–12 requests over three releases: above the exhaustive search's
/// size, small enough for the branch and bound to finish and for a pruned brute force.
fn mid_problem() -> impl Strategy<Value = Problem> {
    (11usize..=12, 0usize..=2)
        .prop_flat_map(|(n, teams)| {
            (
                proptest::collection::vec(3u64..14, 3),
                proptest::collection::vec(proptest::collection::vec(2u64..9, 3), teams),
                Just(teams),
                proptest::bool::weighted(0.7),
                proptest::collection::vec(raw_item(12, 3, 0.05, 0.05), n),
                commitments(12, 3),
            )
        })
        .prop_map(|(caps, team_caps, teams, total, items, commitments)| {
            build(
                &caps,
                &team_caps,
                teams,
                total,
                items,
                commitments,
                false,
                0.5,
            )
        })
}

/// The optimum by a depth-first enumeration that cuts assignments already over a
/// capacity or breaking a constraint among the requests assigned so far.
fn brute_force_pruned(p: &Problem) -> Option<f64> {
    fn go(
        p: &Problem,
        i: usize,
        a: &mut Vec<Option<usize>>,
        load: &mut [Vec<u64>],
        best: &mut Option<f64>,
    ) {
        let n = p.requests.len();
        if i == n {
            if check(p, a).is_ok() {
                let v = objective(p, a);
                if best.is_none_or(|b| v > b) {
                    *best = Some(v);
                }
            }
            return;
        }
        let it = &p.requests[i];
        let t_n = p.teams.len();
        let units = |t: usize| -> u64 {
            it.team_effort
                .iter()
                .filter(|x| x.0 == t)
                .map(|x| x.1)
                .sum()
        };
        for choice in (0..p.slots.len()).map(Some).chain([None]) {
            let ok = match choice {
                Some(s) => {
                    p.slots[s]
                        .capacity
                        .is_none_or(|c| load[s][t_n] + it.effort <= c)
                        && (0..t_n).all(|t| load[s][t] + units(t) <= p.slots[s].team_capacity[t])
                        && it.pin.is_none_or(|x| x == s)
                        && it.latest.is_none_or(|l| s <= l)
                        && it.depends_on.iter().all(|&d| a[d].is_some_and(|y| y <= s))
                }
                None => it.pin.is_none() && it.latest.is_none(),
            } && it.together_with.iter().all(|&t| t >= i || a[t] == choice)
                && (0..i).all(|j| !p.requests[j].together_with.contains(&i) || a[j] == choice);
            if !ok {
                continue;
            }
            a[i] = choice;
            if let Some(s) = choice {
                load[s][t_n] += it.effort;
                for (t, l) in load[s][..t_n].iter_mut().enumerate() {
                    *l += units(t);
                }
            }
            go(p, i + 1, a, load, best);
            if let Some(s) = choice {
                load[s][t_n] -= it.effort;
                for (t, l) in load[s][..t_n].iter_mut().enumerate() {
                    *l -= units(t);
                }
            }
            a[i] = None;
        }
    }
    let mut best = None;
    let mut a = vec![None; p.requests.len()];
    let mut load = vec![vec![0; p.teams.len() + 1]; p.slots.len()];
    go(p, 0, &mut a, &mut load, &mut best);
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn mid_size_plans_are_proven_optimal(p in mid_problem()) {
        // The default work budget without the wall-clock safety net: proving the
        // optimum must not depend on how loaded the machine is.
        let options = budget(DEFAULT_NODE_LIMIT);
        let brute = brute_force_pruned(&p);
        if let Ok(plan) = solve(&p, &options, &mut |_| {}) {
            let best = brute.expect("a plan exists, so brute force finds one");
            prop_assert!(check(&p, &plan.assignment).is_ok(), "{:?}", check(&p, &plan.assignment));
            prop_assert!(plan.bound >= best - 1e-9, "bound {} below the optimum {}", plan.bound, best);
            prop_assert!(plan.proven_optimal, "not proven: objective {} bound {} optimum {}", plan.objective, plan.bound, best);
            prop_assert!((plan.objective - best).abs() < 1e-9, "objective {} optimum {}", plan.objective, best);
            prop_assert!((plan.bound - plan.objective).abs() < 1e-9);
            prop_assert!(!plan.stats.hit_time_limit);
            let again = solve(&p, &options, &mut |_| {}).expect("same input");
            prop_assert_eq!(&plan.assignment, &again.assignment);
            // With that optimum as the plan on disk, re-planning moves nothing.
            let q = with_baseline(&p, &plan.assignment);
            let replanned = solve(&q, &options, &mut |_| {}).expect("same input");
            assert_plan_invariants(&q, &replanned)?;
            prop_assert_eq!(replanned.moves, 0);
            prop_assert!((replanned.objective - best).abs() < 1e-9);
        }
    }
}

/// Team-heavy backlogs: every request on one to three teams (many split), the total
/// often unlimited, so the team capacities are what binds.
fn team_problem() -> impl Strategy<Value = Problem> {
    backlog(Shape {
        slots: 2..=5,
        requests: 15..=60,
        teams: 1..=3,
        capacity: 10..60,
        team_capacity: 2..20,
        with_total: 0.4,
        pin: 0.03,
        latest: 0.05,
        tolerances: &[0.0, 0.5, 3.0],
        all_on_teams: true,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn team_capacities_hold_on_team_heavy_backlogs(p in team_problem()) {
        let options = budget(200_000);
        if let Ok(plan) = solve(&p, &options, &mut |_| {}) {
            assert_plan_invariants(&p, &plan)?;
            for (s, slot) in p.slots.iter().enumerate() {
                for (t, &cap) in slot.team_capacity.iter().enumerate() {
                    let load: u64 = p.requests.iter().zip(&plan.assignment)
                        .filter(|(_, a)| **a == Some(s))
                        .flat_map(|(it, _)| it.team_effort.iter())
                        .filter(|x| x.0 == t)
                        .map(|x| x.1)
                        .sum();
                    prop_assert!(load <= cap, "{} over in {}: {} > {}", p.teams[t], slot.id, load, cap);
                }
            }
        }
    }
}
