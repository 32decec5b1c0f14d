//! Proving small plans optimal: probing (reduced-cost fixing) and a best-first
//! branch and bound on the knapsack decomposition of `decomp`.
//!
//! A node restricts every group to a set of options (a mask over the slots and
//! "deferred"), closed under the dependencies. Its bound is the decomposition's:
//! the closure network with the options outside the masks forced away (a slot
//! that is not an option ties "ships by r" to "ships by r − 1"), plus a 0/1
//! knapsack per release and resource over the items still allowed there — a true
//! upper bound for every plan in the node, for any multipliers μ; a few
//! subgradient steps from the parent's μ tighten it.
//!
//! At the root, every option of every group is probed: when the bound with the
//! group forced to that option does not beat the incumbent, the option is removed
//! (as a MIP solver fixes variables by reduced cost), the masks are propagated and
//! μ re-tuned, until a round removes nothing. The tree then branches on a group
//! the closure and a knapsack disagree about (in that slot, or not), best bound
//! first. A relaxation whose closure agrees with every knapsack is a plan and
//! becomes an incumbent. An interrupted search still gives a valid bound: the
//! largest bound of a node left open.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::bound::{finish, Net, FREE, HOLE, ONE, ZERO};
use super::clock::Deadline;
use super::decomp::{Decomp, Descent, Eval, Schedule};
use super::model::Model;
use super::search::{total_value, Search};

/// The outcome: an upper bound on the optimum (at least the incumbent), and whether
/// the tree was explored completely (then the bound is the incumbent, within tolerance).
pub(crate) struct BbResult {
    pub bound: f64,
    pub complete: bool,
    /// Relaxations evaluated.
    pub evals: u64,
    /// Work spent (evaluations × their size).
    pub work: u64,
}

/// Options per group: bit s (s < R) = ships in slot s, bit R = deferred.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Masks(pub Vec<u64>);

impl Masks {
    /// Every group's window, and deferral unless it must ship.
    pub fn root(m: &Model) -> Self {
        let r_n = m.r;
        Self(
            (0..m.groups())
                .map(|g| {
                    let hi = if m.mandatory[g] { m.latest[g] } else { r_n - 1 };
                    let mut mask = 0u64;
                    for s in m.earliest[g]..=hi.min(r_n - 1) {
                        mask |= 1 << s;
                    }
                    if !m.mandatory[g] {
                        mask |= 1 << r_n;
                    }
                    mask
                })
                .collect(),
        )
    }

    /// The plan `slots` with the groups `free` names opened up: group g takes the
    /// options `free(g)` returns, or stays in its slot of the plan.
    pub fn around(slots: &[usize], mut free: impl FnMut(usize) -> Option<u64>) -> Self {
        Self(
            slots
                .iter()
                .enumerate()
                .map(|(g, &s)| free(g).unwrap_or(1u64 << s))
                .collect(),
        )
    }

    /// How many groups have more than one option.
    pub fn free(&self) -> usize {
        self.0.iter().filter(|x| x.count_ones() > 1).count()
    }

    fn slots(m: &Model, mask: u64) -> u64 {
        mask & ((1u64 << m.r) - 1)
    }

    /// Closes the masks under the dependencies; false when some group has no option.
    pub fn propagate(&mut self, m: &Model) -> bool {
        let r_n = m.r;
        let defer = 1u64 << r_n;
        loop {
            let mut changed = false;
            // A group ships no earlier than its dependencies can, and not at all if
            // one cannot.
            for &g in &m.topo {
                for &d in &m.deps[g] {
                    let ds = Self::slots(m, self.0[d]);
                    let allowed = if ds == 0 {
                        0
                    } else {
                        !((1u64 << ds.trailing_zeros()) - 1)
                    };
                    let new = (self.0[g] & allowed & ((1u64 << r_n) - 1)) | (self.0[g] & defer);
                    if new != self.0[g] {
                        self.0[g] = new;
                        changed = true;
                    }
                }
            }
            // A group that must ship needs its dependencies shipped by its latest slot.
            for &g in m.topo.iter().rev() {
                if self.0[g] == 0 {
                    return false;
                }
                if self.0[g] & defer != 0 {
                    continue;
                }
                let hi = 63 - Self::slots(m, self.0[g]).leading_zeros();
                let upto = (1u64 << (hi + 1)) - 1;
                for &d in &m.deps[g] {
                    let new = self.0[d] & upto;
                    if new != self.0[d] {
                        self.0[d] = new;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        self.0.iter().all(|&x| x != 0)
    }

    /// Groups with a single slot as their only option must fit its capacity.
    pub fn fits(&self, m: &Model) -> bool {
        let mut load = vec![0u64; m.r * m.k];
        for g in 0..m.groups() {
            let mask = self.0[g];
            if mask.count_ones() == 1 && Self::slots(m, mask) != 0 {
                m.add_load(&mut load, g, mask.trailing_zeros() as usize);
            }
        }
        m.load_ok(&load)
    }

    /// The forcing of the "ships by r" variables (`fix[g * R + r]`).
    pub fn forcing(&self, m: &Model) -> Vec<u8> {
        let r_n = m.r;
        let mut fix = vec![FREE; m.groups() * r_n];
        for g in 0..m.groups() {
            let mask = self.0[g];
            for r in 0..r_n {
                let upto = (1u64 << (r + 1)) - 1;
                fix[g * r_n + r] = if mask & upto == 0 {
                    ZERO
                } else if mask & !upto == 0 {
                    ONE
                } else if mask & (1 << r) == 0 {
                    HOLE
                } else {
                    FREE
                };
            }
        }
        fix
    }

    /// The plan when every group has one option.
    fn single(&self, m: &Model) -> Option<Vec<usize>> {
        self.0
            .iter()
            .map(|&x| (x.count_ones() == 1).then(|| (x.trailing_zeros() as usize).min(m.r)))
            .collect()
    }
}

/// Subgradient steps per node (from the parent's multipliers).
const STEPS: usize = 4;

/// Whether group slots are a plan: windows, dependencies and capacity hold.
pub(crate) fn plan_ok(m: &Model, slots: &[usize]) -> bool {
    let r_n = m.r;
    let mut load = vec![0u64; r_n * m.k];
    for g in 0..m.groups() {
        let s = slots[g];
        if s < r_n {
            if s < m.earliest[g] || (m.mandatory[g] && s > m.latest[g]) {
                return false;
            }
            if m.deps[g].iter().any(|&d| slots[d] > s) {
                return false;
            }
            m.add_load(&mut load, g, s);
        } else if m.mandatory[g] {
            return false;
        }
    }
    m.load_ok(&load)
}

/// Rounds an upper bound down to the grid `unit` of the objective (0 = no grid): every
/// plan's value is a multiple of the unit, so a bound just above one is worth that one.
pub(crate) fn floor_to_grid(unit: f64, l: f64) -> f64 {
    if unit > 0.0 && l.is_finite() {
        let k = l / unit;
        (k + 1e-7 * k.abs().max(1.0)).floor() * unit
    } else {
        l
    }
}

/// The largest unit of which every objective coefficient is a multiple (0 = none found).
pub(crate) fn grid(m: &Model) -> f64 {
    let mut coef: Vec<f64> = m.value.iter().flatten().copied().collect();
    for c in &m.commits {
        coef.extend(m.weights.iter().map(|w| c.weight * w));
    }
    for u in [1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01] {
        let on = coef.iter().all(|&x| {
            let k = x / u;
            (k - k.round()).abs() <= 1e-9 * k.abs().max(1.0)
        });
        if on {
            return u;
        }
    }
    0.0
}

/// Heap key: larger bound first, then the earlier node.
struct Key(f64, Reverse<usize>);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

/// A node whose bound beats the incumbent: its masks, multipliers and the branch.
struct Node {
    bound: f64,
    masks: Masks,
    mu: Vec<Vec<f64>>,
    /// (group, slot) the relaxation disagrees about.
    branch: Option<(usize, usize)>,
}

pub(super) struct Bb<'a, 'm> {
    m: &'m Model,
    net: Net,
    d: Decomp,
    unit: f64,
    search: &'a mut Search<'m>,
    tol: f64,
    /// Relaxations evaluated so far.
    pub(super) evals: u64,
    limit: u64,
    deadline: Deadline,
    /// Nodes evaluated (to repair every few relaxations into a plan).
    nodes: u64,
}

impl<'a, 'm> Bb<'a, 'm> {
    /// A search on the network `net` and decomposition `d` (the whole model's, or a
    /// neighbourhood's) that offers its plans to `search`, on at most `limit`
    /// evaluations.
    pub(super) fn new(
        m: &'m Model,
        net: Net,
        d: Decomp,
        search: &'a mut Search<'m>,
        limit: u64,
        deadline: Deadline,
    ) -> Self {
        Self {
            m,
            net,
            d,
            unit: grid(m),
            search,
            tol: m.tolerance(),
            evals: 0,
            limit,
            deadline,
            nodes: 0,
        }
    }
}

impl Bb<'_, '_> {
    /// The bound rounded down to the grid of the objective (when it has one).
    fn floor(&self, l: f64) -> f64 {
        floor_to_grid(self.unit, finish(self.m, l))
    }

    fn out_of_budget(&self) -> bool {
        self.evals >= self.limit || self.deadline.passed()
    }

    /// One evaluation; offers the closure as a plan when it is one.
    fn eval(&mut self, masks: &Masks) -> Eval {
        self.evals += 1;
        let e = self.d.eval(self.m, &mut self.net, Some(masks));
        if plan_ok(self.m, &e.slots) {
            let v = total_value(self.m, &e.slots);
            self.search.offer(&e.slots, v);
        }
        e
    }

    /// A descent on μ for `masks`; offers the closures that are plans.
    fn descend(&mut self, masks: &Masks, s: &Schedule) -> Descent {
        let (m, unit, tol) = (self.m, self.unit, self.tol);
        let search: &Search = self.search;
        let r = self.d.descend(
            m,
            &mut self.net,
            Some(masks),
            &|| search.best_value(),
            &|b| floor_to_grid(unit, finish(m, b)) > search.best_value() + tol,
            s,
            self.deadline,
        );
        self.evals += r.evals;
        for c in &r.closures {
            if plan_ok(m, c) {
                let v = total_value(m, c);
                self.search.offer(c, v);
            }
        }
        r
    }

    /// Bounds the subtree of `masks` (a few subgradient steps from `mu`); `None`
    /// when no plan in it beats the incumbent.
    fn node(
        &mut self,
        mut masks: Masks,
        mu: &[Vec<f64>],
        parent: f64,
        steps: usize,
    ) -> Option<Node> {
        let m = self.m;
        if !masks.propagate(m) || !masks.fits(m) {
            return None;
        }
        if let Some(slots) = masks.single(m) {
            if plan_ok(m, &slots) {
                let v = total_value(m, &slots);
                self.search.offer(&slots, v);
            }
            return None;
        }
        self.d.mu = mu.to_vec();
        let r = self.descend(
            &masks,
            &Schedule {
                iters: steps as u64,
                theta: 1.0,
                patience: 2,
                min_theta: 0.05,
                aim: 0.0,
                deflect: 1.5,
            },
        );
        if r.exact {
            return None; // the closure is this node's best plan, offered above
        }
        self.nodes += 1;
        if self.nodes % 4 == 1 {
            if let Some(c) = r.closures.last() {
                self.search.repair(c);
            }
        }
        let bound = self.floor(r.bound).min(parent);
        if bound <= self.search.best_value() + self.tol {
            return None;
        }
        let branch = r.eval.as_ref().and_then(|e| disagreement(m, &self.d, e));
        Some(Node {
            bound,
            masks,
            mu: self.d.mu.clone(),
            branch,
        })
    }

    /// Removes every option whose forced bound does not beat the incumbent, until a
    /// round removes nothing; re-tunes μ between rounds. False when nothing is left
    /// (no plan beats the incumbent).
    fn probe(&mut self, masks: &mut Masks, rounds: usize, retune: u64) -> bool {
        let m = self.m;
        let g_n = m.groups();
        for round in 0..rounds {
            if round > 0 {
                self.retune(masks, retune);
            }
            let mut removed = false;
            for g in 0..g_n {
                let mask = masks.0[g];
                if mask.count_ones() < 2 {
                    continue;
                }
                for o in 0..=m.r {
                    if self.out_of_budget() {
                        return true;
                    }
                    let bit = 1u64 << o;
                    if masks.0[g] & bit == 0 || masks.0[g].count_ones() < 2 {
                        continue;
                    }
                    let mut trial = masks.clone();
                    trial.0[g] = bit;
                    let beats = trial.propagate(m) && trial.fits(m) && {
                        let e = self.eval(&trial);
                        self.floor(e.bound) > self.search.best_value() + self.tol
                    };
                    if !beats {
                        masks.0[g] &= !bit;
                        removed = true;
                        if !masks.propagate(m) || !masks.fits(m) {
                            return false;
                        }
                    }
                }
            }
            if !removed {
                break;
            }
        }
        true
    }

    /// Subgradient steps on μ for the node `masks`; returns the best bound.
    /// Probes `masks` before a tree (see [`Bb::probe`]); when a better plan may
    /// remain, the options probing removed leave the network too and μ is
    /// re-tuned on `iters` steps. False when no option can beat the incumbent.
    fn probe_root(&mut self, masks: &mut Masks, iters: u64) -> bool {
        if !self.probe(masks, 4, iters) {
            return false;
        }
        self.net = Net::build_masked(self.m, Some(&masks.0));
        self.retune(masks, iters);
        true
    }

    fn retune(&mut self, masks: &Masks, iters: u64) -> f64 {
        self.descend(
            masks,
            &Schedule {
                iters,
                theta: 1.0,
                patience: 30,
                min_theta: 1e-3,
                aim: 0.0,
                deflect: 1.5,
            },
        )
        .bound
    }

    /// The children of an open node: the group in the slot it is disagreed about, and
    /// the group anywhere else.
    fn children(&self, node: &Node) -> Vec<Masks> {
        let Some((g, s)) = node.branch else {
            // No disagreement recorded: branch on the first group with options left.
            let Some(g) = (0..self.m.groups()).find(|&g| node.masks.0[g].count_ones() > 1) else {
                return Vec::new();
            };
            let first = node.masks.0[g].trailing_zeros();
            let mut a = node.masks.clone();
            a.0[g] = 1 << first;
            let mut b = node.masks.clone();
            b.0[g] &= !(1 << first);
            return vec![a, b];
        };
        let bit = 1u64 << s;
        let mut a = node.masks.clone();
        a.0[g] = bit;
        let mut b = node.masks.clone();
        b.0[g] &= !bit;
        vec![a, b]
    }
}

/// The (group, slot) to branch on: where the closure and a knapsack disagree, the
/// item with the most units (ties: the lower group, then slot).
fn disagreement(m: &Model, d: &Decomp, e: &Eval) -> Option<(usize, usize)> {
    let mut best: Option<(u64, Reverse<usize>, Reverse<usize>)> = None;
    for (kp, take) in d.knapsacks().zip(&e.take) {
        for (&(g, u), &y) in kp.1.iter().zip(take) {
            let x = e.slots[g] == kp.0;
            if x != y {
                let key = (u, Reverse(g), Reverse(kp.0));
                if best.is_none_or(|b| key > b) {
                    best = Some(key);
                }
            }
        }
    }
    let _ = m;
    best.map(|(_, Reverse(g), Reverse(s))| (g, s))
}

/// Probes and then branches from the decomposition `d` (its μ tuned at the root);
/// `None` when it does not apply (no slots or resources).
pub(crate) fn branch_and_bound<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    d: Decomp,
    root_bound: f64,
    eval_limit: u64,
    deadline: Deadline,
    retune_iters: f64,
) -> Option<BbResult> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let retune = if retune_iters > 0.0 {
        retune_iters as u64
    } else {
        300
    };
    if m.r == 0 || m.k == 0 || m.r > 62 {
        return None;
    }
    let per_eval = d.work + 4 * (m.groups() * m.r) as u64 + 1;
    let mut bb = Bb::new(m, Net::build(m), d, search, eval_limit, deadline);
    let mut root = Masks::root(m);
    if !root.propagate(m) {
        return None;
    }
    let mu0 = bb.d.mu.clone();
    // Large neighbourhoods first, for a better incumbent: a few releases at a time
    // re-planned exactly (everything else stays), with a quarter of the budget.
    bb.lns(&mu0, eval_limit / 4);
    bb.limit = eval_limit;
    // Probing: options that cannot beat the incumbent go.
    if !bb.probe_root(&mut root, retune) {
        let inc = bb.search.best_value();
        return Some(BbResult {
            bound: inc,
            complete: true,
            evals: bb.evals,
            work: bb.evals * per_eval,
        });
    }
    let mu = bb.d.mu.clone();
    let (left, complete) = bb.tree(root, &mu, root_bound);
    let inc = bb.search.best_value();
    Some(BbResult {
        bound: left.max(inc),
        complete,
        evals: bb.evals,
        work: bb.evals * per_eval,
    })
}

impl Bb<'_, '_> {
    /// Best-first search from `root`, plunging: after a node, its better child
    /// comes next (the other waits in the heap) until a plunge ends in closed
    /// nodes. Returns the largest bound of a node left open (or −∞) and whether
    /// the tree was explored completely.
    pub(super) fn tree(&mut self, root: Masks, mu: &[Vec<f64>], root_bound: f64) -> (f64, bool) {
        let mut open: Vec<Option<Node>> = Vec::new();
        let mut heap: BinaryHeap<Key> = BinaryHeap::new();
        let push = |open: &mut Vec<Option<Node>>, heap: &mut BinaryHeap<Key>, n: Node| {
            heap.push(Key(n.bound, Reverse(open.len())));
            open.push(Some(n));
        };
        let mut left = f64::NEG_INFINITY;
        let mut current = self.node(root, mu, root_bound, STEPS);
        loop {
            let node = match current.take() {
                Some(n) => n,
                None => {
                    let Some(Key(_, Reverse(i))) = heap.pop() else {
                        break;
                    };
                    let Some(n) = open[i].take() else { continue };
                    n
                }
            };
            if node.bound <= self.search.best_value() + self.tol {
                if heap
                    .peek()
                    .is_none_or(|k| k.0 <= self.search.best_value() + self.tol)
                {
                    heap.clear();
                    break;
                }
                continue;
            }
            if self.out_of_budget() {
                left = node
                    .bound
                    .max(heap.peek().map_or(f64::NEG_INFINITY, |k| k.0));
                return (left, false);
            }
            let children = self.children(&node);
            if children.is_empty() {
                left = left.max(node.bound);
                continue;
            }
            let mut best: Option<Node> = None;
            for child in children {
                if let Some(n) = self.node(child, &node.mu, node.bound, STEPS) {
                    match best.take() {
                        None => best = Some(n),
                        Some(b) if n.bound > b.bound => {
                            push(&mut open, &mut heap, b);
                            best = Some(n);
                        }
                        Some(b) => {
                            push(&mut open, &mut heap, n);
                            best = Some(b);
                        }
                    }
                }
            }
            current = best;
        }
        (left, left == f64::NEG_INFINITY)
    }

    /// Re-plans a few consecutive releases at a time exactly (with what is
    /// deferred), everything else fixed, each on at most `share` evaluations; the
    /// improvements go to the incumbent.
    fn lns(&mut self, mu: &[Vec<f64>], total: u64) {
        let m = self.m;
        let r_n = m.r;
        let root = Masks::root(m);
        // (first slot, releases, whether deferred requests may come in)
        let mut windows: Vec<(usize, usize, bool)> = Vec::new();
        for len in 2..=r_n.min(4) {
            windows.extend((0..=r_n - len).map(|a| (a, len, false)));
        }
        for len in 1..=r_n.min(2) {
            windows.extend((0..=r_n - len).map(|a| (a, len, true)));
        }
        let weight: u64 = windows.iter().map(|w| w.1 as u64).sum::<u64>().max(1);
        let share = (total / weight).max(10);
        let end = self.evals + total;
        // Passes over the windows while the last one improved the plan.
        for _pass in 0..3 {
            let before = self.search.best_value();
            for &(a, len, with_deferred) in &windows {
                if self.deadline.passed() || self.evals >= end {
                    return;
                }
                let cur = self.search.best_slots().to_vec();
                let free = |s: usize| (a..a + len).contains(&s) || (with_deferred && s == r_n);
                let keep: u64 = (a..a + len)
                    .fold(if with_deferred { 1u64 << r_n } else { 0 }, |k, s| {
                        k | (1 << s)
                    });
                let mut masks = Masks::around(&cur, |g| free(cur[g]).then(|| root.0[g] & keep));
                if !masks.propagate(m) || masks.free() < 2 {
                    continue;
                }
                self.limit = (self.evals + share * len as u64).min(end);
                // A network of just this window's free part.
                let net = std::mem::replace(&mut self.net, Net::build_masked(m, Some(&masks.0)));
                self.tree(masks, mu, f64::INFINITY);
                self.net = net;
            }
            if self.search.best_value() <= before + self.tol {
                break;
            }
        }
    }
}

/// Large-neighbourhood search alone (for backlogs too big for the tree): a few
/// releases at a time re-planned exactly, on at most `eval_limit` evaluations.
/// Returns the evaluations spent.
pub(crate) fn neighbourhoods<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    d: Decomp,
    eval_limit: u64,
    deadline: Deadline,
) -> u64 {
    if m.r == 0 || m.k == 0 || m.r > 62 {
        return 0;
    }
    let mut bb = Bb::new(m, Net::build(m), d, search, eval_limit, deadline);
    let mu = bb.d.mu.clone();
    bb.lns(&mu, eval_limit);
    bb.evals
}

/// What re-planning one neighbourhood exactly spent (see [`replan`]).
pub(super) struct Replanned {
    /// Relaxations evaluated.
    pub evals: u64,
    /// The work of one relaxation of this neighbourhood.
    pub per_eval: u64,
    /// Whether the tree was explored completely (the neighbourhood's optimum is
    /// then the incumbent or worse).
    pub complete: bool,
}

/// Re-plans the neighbourhood `masks` exactly: the tree on the decomposition
/// restricted to its free groups, with a network of just those, on at most
/// `limit(per_eval)` relaxations. Improvements go to the incumbent. With `probe`,
/// the options of the free groups are probed first and μ re-tuned (as
/// [`branch_and_bound`] does at its root): for neighbourhoods whose optimum is to
/// be proven, not only improved.
pub(super) fn replan<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    mut masks: Masks,
    probe: bool,
    limit: impl FnOnce(u64) -> u64,
    deadline: Deadline,
) -> Replanned {
    let d = Decomp::restricted(m, lambda, &masks);
    let net = Net::build_masked(m, Some(&masks.0));
    let per_eval = d.work + net.edges() + 4 * (m.groups() * m.r) as u64 + 1;
    let mut bb = Bb::new(m, net, d, search, limit(per_eval), deadline);
    if probe {
        bb.retune(&masks, PROBE_RETUNE);
        if !bb.probe_root(&mut masks, PROBE_RETUNE) {
            return Replanned {
                evals: bb.evals,
                per_eval,
                complete: true,
            };
        }
    }
    let mu = bb.d.mu.clone();
    let (_, complete) = bb.tree(masks, &mu, f64::INFINITY);
    Replanned {
        evals: bb.evals,
        per_eval,
        complete,
    }
}

/// Re-plans the neighbourhood `masks` (propagated first) to improve the
/// incumbent, on at most `work` units of relaxations; returns the relaxations
/// evaluated (none when the masks leave no choice).
pub(super) fn improve<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    mut masks: Masks,
    work: u64,
    deadline: Deadline,
) -> u64 {
    if !masks.propagate(m) || masks.free() == 0 {
        return 0;
    }
    replan(
        m,
        search,
        lambda,
        masks,
        false,
        |per_eval| work / per_eval + 1,
        deadline,
    )
    .evals
}

/// Subgradient steps that tune μ before and after probing in [`replan`].
const PROBE_RETUNE: u64 = 100;
