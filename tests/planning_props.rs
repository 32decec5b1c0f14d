//! Property tests for the planner: on generated small backlogs every plan is
//! feasible, the bound is never below the objective, the same input gives the same
//! plan, and the objective equals a brute-force optimum.

use proptest::prelude::*;
use zyklus::planning::{
    check, explain, objective, solve, Commitment, Contradiction, DeferredReason, Item, Options,
    Problem, Reason, Slot,
};

fn problem() -> impl Strategy<Value = Problem> {
    (1usize..=3, 1usize..=7)
        .prop_flat_map(|(r, n)| {
            let slots = proptest::collection::vec(0u64..14, r);
            let items = proptest::collection::vec(
                (
                    1u64..6,                                     // effort
                    0u32..10,                                    // score
                    proptest::collection::vec(0usize..8, 0..3),  // dep candidates
                    proptest::option::weighted(0.15, 0usize..8), // together partner
                    proptest::option::weighted(0.1, 0usize..3),  // pin
                    proptest::option::weighted(0.1, 0usize..3),  // latest
                    proptest::option::weighted(0.3, 0usize..3),  // previous
                ),
                n,
            );
            let commitments = proptest::collection::vec(
                (
                    1u32..20,
                    proptest::collection::vec(0usize..8, 1..4),
                    proptest::option::weighted(0.3, 0usize..3),
                ),
                0..3,
            );
            (Just(r), Just(n), slots, items, commitments, 0u32..3)
        })
        .prop_map(|(r, n, caps, items, commitments, penalty)| {
            let slots = caps
                .iter()
                .enumerate()
                .map(|(s, &c)| Slot {
                    id: format!("2027.{}", s + 1),
                    capacity: c,
                    weight: 1.0 - 0.1 * s as f64,
                })
                .collect();
            let requests = items
                .into_iter()
                .enumerate()
                .map(
                    |(i, (effort, score, deps, tog, pin, latest, previous))| Item {
                        id: format!("CR-{i}"),
                        effort,
                        score: f64::from(score),
                        // only earlier requests: no cycles
                        depends_on: deps.into_iter().filter(|&d| d < i).collect(),
                        together_with: tog.filter(|&t| t < n && t != i).into_iter().collect(),
                        pin: pin.filter(|&p| p < r),
                        latest: latest.filter(|&l| l < r),
                        previous: previous.filter(|&p| p < r),
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
                stability_penalty: f64::from(penalty) * 0.5,
            }
        })
}

/// The best feasible objective by enumerating every assignment (None if infeasible).
fn brute_force(p: &Problem) -> Option<f64> {
    let n = p.requests.len();
    let r = p.slots.len();
    let mut a = vec![None; n];
    let mut best: Option<f64> = None;
    let total = (r + 1).pow(u32::try_from(n).expect("small"));
    for mut code in 0..total {
        for x in a.iter_mut() {
            let d = code % (r + 1);
            code /= r + 1;
            *x = if d == r { None } else { Some(d) };
        }
        if check(p, &a).is_ok() {
            let v = objective(p, &a);
            if best.is_none_or(|b| v > b) {
                best = Some(v);
            }
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn plans_are_feasible_optimal_and_deterministic(p in problem()) {
        let options = Options::default();
        let brute = brute_force(&p);
        match solve(&p, &options, &mut |_| {}) {
            Ok(plan) => {
                prop_assert!(check(&p, &plan.assignment).is_ok(), "{:?}", check(&p, &plan.assignment));
                prop_assert!((objective(&p, &plan.assignment) - plan.objective).abs() < 1e-9);
                prop_assert!(plan.bound >= plan.objective - 1e-9);
                let best = brute.expect("a plan exists, so brute force finds one");
                prop_assert!((plan.objective - best).abs() < 1e-9, "objective {} optimum {}", plan.objective, best);
                prop_assert!(plan.bound >= best - 1e-9);
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
                            if let (true, DeferredReason::NotWorthIt { slot_id, gain }) = (alone, d) {
                                let s = p.slots.iter().position(|x| &x.id == slot_id).expect("slot");
                                let mut trial = plan.assignment.clone();
                                trial[r.request] = Some(s);
                                let delta = objective(&p, &trial) - plan.objective;
                                prop_assert!((delta - gain).abs() < 1e-9, "gain {} but objective changes by {}", gain, delta);
                                prop_assert!(*gain <= 1e-9, "the optimum cannot be improved");
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

/// Backlogs too big for the exhaustive search, so the heuristics (Lagrangian repair,
/// local search with postpone/eject moves) have to keep every constraint themselves.
fn medium_problem() -> impl Strategy<Value = Problem> {
    (1usize..=4, 12usize..=40)
        .prop_flat_map(|(r, n)| {
            let slots = proptest::collection::vec(5u64..40, r);
            let items = proptest::collection::vec(
                (
                    1u64..9,
                    0u32..30,
                    proptest::collection::vec(0usize..40, 0..3),
                    proptest::option::weighted(0.1, 0usize..40),
                    proptest::option::weighted(0.05, 0usize..4),
                    proptest::option::weighted(0.08, 0usize..4),
                    proptest::option::weighted(0.3, 0usize..4),
                ),
                n,
            );
            let commitments = proptest::collection::vec(
                (
                    1u32..60,
                    proptest::collection::vec(0usize..40, 1..5),
                    proptest::option::weighted(0.3, 0usize..4),
                ),
                0..8,
            );
            (Just(r), Just(n), slots, items, commitments)
        })
        .prop_map(|(r, n, caps, items, commitments)| Problem {
            slots: caps
                .iter()
                .enumerate()
                .map(|(s, &c)| Slot {
                    id: format!("2027.{}", s + 1),
                    capacity: c,
                    weight: 1.0 - 0.1 * s as f64,
                })
                .collect(),
            requests: items
                .into_iter()
                .enumerate()
                .map(
                    |(i, (effort, score, deps, tog, pin, latest, previous))| Item {
                        id: format!("CR-{i}"),
                        effort,
                        score: f64::from(score),
                        depends_on: deps.into_iter().filter(|&d| d < i).collect(),
                        together_with: tog.filter(|&t| t < n && t != i).into_iter().collect(),
                        pin: pin.filter(|&p| p < r),
                        latest: latest.filter(|&l| l < r),
                        previous: previous.filter(|&p| p < r),
                    },
                )
                .collect(),
            commitments: commitments
                .into_iter()
                .enumerate()
                .map(|(k, (w, reqs, latest))| Commitment {
                    label: format!("P{k}"),
                    weight: f64::from(w),
                    requests: reqs.into_iter().filter(|&x| x < n).collect(),
                    latest: latest.filter(|&l| l < r),
                })
                .collect(),
            stability_penalty: 0.5,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn heuristic_plans_are_feasible_and_deterministic(p in medium_problem()) {
        let options = Options { node_limit: 100_000, ..Options::default() };
        if let Ok(plan) = solve(&p, &options, &mut |_| {}) {
            prop_assert!(check(&p, &plan.assignment).is_ok(), "{:?}", check(&p, &plan.assignment));
            prop_assert!((objective(&p, &plan.assignment) - plan.objective).abs() < 1e-9);
            prop_assert!(plan.bound >= plan.objective - 1e-9);
            prop_assert_eq!(explain(&p, &plan).len(), p.requests.len());
            let again = solve(&p, &options, &mut |_| {}).expect("same input");
            prop_assert_eq!(plan.assignment, again.assignment);
        }
    }
}

/// Backlogs of 11–12 requests over three releases: above the exhaustive search's
/// size, small enough for the branch and bound to finish and for a pruned brute force.
fn mid_problem() -> impl Strategy<Value = Problem> {
    (11usize..=12)
        .prop_flat_map(|n| {
            let slots = proptest::collection::vec(3u64..14, 3);
            let items = proptest::collection::vec(
                (
                    1u64..6,
                    0u32..10,
                    proptest::collection::vec(0usize..12, 0..3),
                    proptest::option::weighted(0.08, 0usize..12),
                    proptest::option::weighted(0.05, 0usize..3),
                    proptest::option::weighted(0.05, 0usize..3),
                    proptest::option::weighted(0.3, 0usize..3),
                ),
                n,
            );
            let commitments = proptest::collection::vec(
                (
                    1u32..20,
                    proptest::collection::vec(0usize..12, 1..4),
                    proptest::option::weighted(0.3, 0usize..3),
                ),
                0..3,
            );
            (Just(n), slots, items, commitments, 0u32..3)
        })
        .prop_map(|(n, caps, items, commitments, penalty)| Problem {
            slots: caps
                .iter()
                .enumerate()
                .map(|(s, &c)| Slot {
                    id: format!("2027.{}", s + 1),
                    capacity: c,
                    weight: 1.0 - 0.1 * s as f64,
                })
                .collect(),
            requests: items
                .into_iter()
                .enumerate()
                .map(
                    |(i, (effort, score, deps, tog, pin, latest, previous))| Item {
                        id: format!("CR-{i}"),
                        effort,
                        score: f64::from(score),
                        depends_on: deps.into_iter().filter(|&d| d < i).collect(),
                        together_with: tog.filter(|&t| t < n && t != i).into_iter().collect(),
                        pin,
                        latest,
                        previous,
                    },
                )
                .collect(),
            commitments: commitments
                .into_iter()
                .enumerate()
                .map(|(k, (w, reqs, latest))| Commitment {
                    label: format!("P{k}"),
                    weight: f64::from(w),
                    requests: reqs.into_iter().filter(|&x| x < n).collect(),
                    latest,
                })
                .collect(),
            stability_penalty: f64::from(penalty) * 0.5,
        })
}

/// The optimum by a depth-first enumeration that cuts assignments already over
/// capacity or breaking a constraint among the requests assigned so far.
fn brute_force_pruned(p: &Problem) -> Option<f64> {
    fn go(
        p: &Problem,
        i: usize,
        a: &mut Vec<Option<usize>>,
        load: &mut [u64],
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
        for choice in (0..p.slots.len()).map(Some).chain([None]) {
            let ok = match choice {
                Some(s) => {
                    load[s] + it.effort <= p.slots[s].capacity
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
                load[s] += it.effort;
            }
            go(p, i + 1, a, load, best);
            if let Some(s) = choice {
                load[s] -= it.effort;
            }
            a[i] = None;
        }
    }
    let mut best = None;
    let mut a = vec![None; p.requests.len()];
    let mut load = vec![0; p.slots.len()];
    go(p, 0, &mut a, &mut load, &mut best);
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn mid_size_plans_are_proven_optimal(p in mid_problem()) {
        let options = Options::default();
        let brute = brute_force_pruned(&p);
        if let Ok(plan) = solve(&p, &options, &mut |_| {}) {
            let best = brute.expect("a plan exists, so brute force finds one");
            prop_assert!(check(&p, &plan.assignment).is_ok(), "{:?}", check(&p, &plan.assignment));
            prop_assert!(plan.bound >= best - 1e-9, "bound {} below the optimum {}", plan.bound, best);
            prop_assert!(plan.proven_optimal, "not proven: objective {} bound {} optimum {}", plan.objective, plan.bound, best);
            prop_assert!((plan.objective - best).abs() < 1e-9, "objective {} optimum {}", plan.objective, best);
            prop_assert!((plan.bound - plan.objective).abs() < 1e-9);
            let again = solve(&p, &options, &mut |_| {}).expect("same input");
            prop_assert_eq!(plan.assignment, again.assignment);
        }
    }
}
