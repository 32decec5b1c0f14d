//! Depth-first branch and bound for small problems, on top of the Lagrangian bound.
//!
//! A node restricts every group to a domain (a window of slots, and whether it may
//! be deferred), closed under the dependencies. For the fixed multipliers λ of the
//! root, the Lagrangian of a node is still a maximum-weight closure — the same
//! network with the variables outside the domain forced — so each node has a true
//! upper bound for its subtree. A node is pruned when its bound does not beat the
//! incumbent; otherwise it branches on a group in an over-full slot of the relaxed
//! solution (children: each slot of its domain, best value first, then deferred).
//! A relaxed solution that fits the capacity is a feasible plan and is offered as
//! an incumbent. The subtree bounds are tracked, so an interrupted search still
//! gives a valid (maybe lower) bound: the largest bound of a node left open.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

use super::bound::{finish, subgradient, Net, FREE, ONE, ZERO};
use super::model::Model;
use super::search::{total_value, Search};

/// The outcome: an upper bound on the optimum (at least the incumbent), and whether
/// the tree was explored completely (then the bound is the incumbent, within tolerance).
pub(crate) struct BbResult {
    pub bound: f64,
    pub complete: bool,
    pub nodes: u64,
    pub flow_solves: u64,
}

#[derive(Clone)]
struct Dom {
    lo: Vec<usize>,
    hi: Vec<usize>,
    defer: Vec<bool>,
}

impl Dom {
    fn ships(&self, g: usize) -> bool {
        self.lo[g] <= self.hi[g]
    }

    fn size(&self, g: usize) -> usize {
        let s = if self.ships(g) {
            self.hi[g] - self.lo[g] + 1
        } else {
            0
        };
        s + usize::from(self.defer[g])
    }

    /// Closes the domains under the dependencies; false when some group has no option.
    fn propagate(&mut self, m: &Model) -> bool {
        let r_n = m.r;
        loop {
            let mut changed = false;
            // A group ships no earlier than its dependencies can, and not at all if one cannot.
            for &g in &m.topo {
                for &d in &m.deps[g] {
                    let lo = if self.ships(d) {
                        self.lo[d].max(self.lo[g])
                    } else {
                        r_n
                    };
                    if lo > self.lo[g] {
                        self.lo[g] = lo;
                        changed = true;
                    }
                }
            }
            // A group that must ship needs its dependencies shipped by its latest slot.
            for &g in m.topo.iter().rev() {
                if !self.ships(g) && !self.defer[g] {
                    return false;
                }
                if self.defer[g] {
                    continue;
                }
                for &d in &m.deps[g] {
                    if self.defer[d] {
                        self.defer[d] = false;
                        changed = true;
                    }
                    if self.hi[d] > self.hi[g] {
                        self.hi[d] = self.hi[g];
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        (0..m.groups()).all(|g| self.ships(g) || self.defer[g])
    }

    /// Groups forced into one slot must fit its capacity.
    fn fits(&self, m: &Model) -> bool {
        let mut load = vec![0u64; m.r];
        for g in 0..m.groups() {
            if !self.defer[g] && self.lo[g] == self.hi[g] {
                load[self.lo[g]] += m.effort[g];
            }
        }
        (0..m.r).all(|r| load[r] <= m.caps[r])
    }

    /// The forced "ships by slot r" variables.
    fn forcing(&self, m: &Model, fix: &mut [u8]) {
        let r_n = m.r;
        for g in 0..m.groups() {
            for r in 0..r_n {
                fix[g * r_n + r] = if !self.ships(g) || r < self.lo[g] {
                    ZERO
                } else if !self.defer[g] && r >= self.hi[g] {
                    ONE
                } else {
                    FREE
                };
            }
        }
    }
}

/// Subgradient steps per node (from the parent's multipliers).
const STEPS: usize = 3;

/// Whether group slots are a plan: windows, dependencies and capacity hold.
fn plan_ok(m: &Model, slots: &[usize]) -> bool {
    let r_n = m.r;
    let mut load = vec![0u64; r_n];
    for g in 0..m.groups() {
        let s = slots[g];
        if s < r_n {
            if s < m.earliest[g] || (m.mandatory[g] && s > m.latest[g]) {
                return false;
            }
            if m.deps[g].iter().any(|&d| slots[d] > s) {
                return false;
            }
            load[s] += m.effort[g];
        } else if m.mandatory[g] {
            return false;
        }
    }
    (0..r_n).all(|r| load[r] <= m.caps[r])
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

/// A node whose bound beats the incumbent: its domains, multipliers and relaxed solution.
struct Node {
    bound: f64,
    dom: Dom,
    lambda: Vec<f64>,
    slots: Vec<usize>,
    over: Vec<bool>,
}

enum Eval {
    /// No plan in the subtree beats the incumbent.
    Closed,
    Open(Node),
}

struct Bb<'a, 'm> {
    m: &'m Model,
    net: Net,
    steps: usize,
    unit: f64,
    search: &'a mut Search<'m>,
    tol: f64,
    nodes: u64,
    limit: u64,
    deadline: Instant,
    fix: Vec<u8>,
    solves: u64,
}

impl Bb<'_, '_> {
    /// The bound rounded down to the grid of the objective (when it has one).
    fn floor(&self, l: f64) -> f64 {
        floor_to_grid(self.unit, finish(self.m, l))
    }

    /// Bounds the subtree of `dom` (a few subgradient steps from `lambda`).
    fn eval(&mut self, mut dom: Dom, lambda: &[f64], parent: f64) -> Eval {
        let m = self.m;
        if !dom.propagate(m) || !dom.fits(m) {
            return Eval::Closed;
        }
        let r_n = m.r;
        if (0..m.groups()).all(|g| dom.size(g) < 2) {
            // A leaf: one plan (the Lagrangian would still count λ·slack on top).
            let slots: Vec<usize> = (0..m.groups())
                .map(|g| if dom.ships(g) { dom.lo[g] } else { r_n })
                .collect();
            if plan_ok(m, &slots) {
                let v = total_value(m, &slots);
                self.search.offer(&slots, v);
            }
            return Eval::Closed;
        }
        dom.forcing(m, &mut self.fix);
        // A few subgradient steps from the parent's multipliers (every λ gives a bound).
        let mut lambda = lambda.to_vec();
        let mut best_lambda = lambda.clone();
        let mut best = f64::INFINITY;
        let mut best_slots = Vec::new();
        let mut theta = 1.0;
        for _ in 0..self.steps {
            let (l, slots) = self.net.eval_fixed(m, &lambda, Some(&self.fix));
            self.solves += 1;
            self.nodes += 1;
            if !l.is_finite() {
                // cannot happen for closed domains; stay safe: leave the subtree open
                return Eval::Open(Node {
                    bound: parent,
                    dom,
                    lambda,
                    slots: Vec::new(),
                    over: Vec::new(),
                });
            }
            if l < best {
                best = l;
                best_lambda.copy_from_slice(&lambda);
                best_slots = slots.clone();
            }
            let inc = self.search.best_value();
            if self.floor(best) <= inc + self.tol {
                return Eval::Closed;
            }
            let (grad, norm) = subgradient(m, &slots, &lambda);
            if norm <= 0.0 {
                break;
            }
            let step = theta * (l - inc).max(1e-6) / norm;
            for r in 0..r_n {
                lambda[r] = (lambda[r] - step * grad[r]).max(0.0);
            }
            theta *= 0.7;
        }
        let l = self.floor(best).min(parent);
        let slots = best_slots;
        let lambda = best_lambda;
        let inc = self.search.best_value();
        if l <= inc + self.tol {
            return Eval::Closed;
        }
        let mut load = vec![0u64; r_n];
        for g in 0..m.groups() {
            if slots[g] < r_n {
                load[slots[g]] += m.effort[g];
            }
        }
        let over: Vec<bool> = (0..r_n).map(|r| load[r] > m.caps[r]).collect();
        if !over.iter().any(|&o| o) {
            // The relaxed solution is a plan (windows and dependencies hold in the closure).
            if plan_ok(m, &slots) {
                let v = total_value(m, &slots);
                self.search.offer(&slots, v);
            }
            if l <= self.search.best_value() + self.tol {
                return Eval::Closed;
            }
        }
        Eval::Open(Node {
            bound: l,
            dom,
            lambda,
            slots,
            over,
        })
    }

    /// The children of an open node (empty when every group is fixed).
    fn children(&self, node: &Node) -> Vec<Dom> {
        let m = self.m;
        let r_n = m.r;
        let (dom, slots, over, lambda) = (&node.dom, &node.slots, &node.over, &node.lambda);
        if slots.is_empty() {
            return Vec::new();
        }
        // Branch on the free group in an over-full slot that is closest to moving
        // (smallest loss of reduced value to its best other option); else any free group.
        let lam_of = |t: usize| if t < r_n { lambda[t] } else { 0.0 };
        let mut pick: Option<(bool, f64, usize)> = None;
        for g in 0..m.groups() {
            if dom.size(g) < 2 {
                continue;
            }
            #[allow(clippy::cast_precision_loss)]
            let eff = m.effort[g] as f64;
            let s = slots[g];
            let rv = |t: usize| m.value[g][t] - eff * lam_of(t);
            let mut other = f64::NEG_INFINITY;
            if dom.ships(g) {
                for t in dom.lo[g]..=dom.hi[g] {
                    if t != s {
                        other = other.max(rv(t));
                    }
                }
            }
            if dom.defer[g] && s != r_n {
                other = other.max(rv(r_n));
            }
            let key = (s < r_n && over[s], -(rv(s) - other).abs(), usize::MAX - g);
            if pick.is_none_or(|p| (key.0 && !p.0) || (key.0 == p.0 && key.1 > p.1)) {
                pick = Some(key);
            }
        }
        let Some((_, _, gi)) = pick else {
            // Every group fixed: the relaxed solution is the plan, already offered if it
            // fits; nothing is left to branch on.
            return Vec::new();
        };
        let g = usize::MAX - gi;
        let mut options: Vec<usize> = Vec::new();
        if dom.ships(g) {
            options.extend(dom.lo[g]..=dom.hi[g]);
        }
        // The relaxed slot first, then by value; deferred last.
        options.sort_by(|&a, &b| {
            (b == slots[g])
                .cmp(&(a == slots[g]))
                .then(m.value[g][b].total_cmp(&m.value[g][a]))
                .then(a.cmp(&b))
        });
        if dom.defer[g] {
            options.push(r_n);
        }
        let mut children = Vec::new();
        for s in options {
            let mut child = dom.clone();
            if s == r_n {
                child.lo[g] = r_n;
                child.hi[g] = 0;
            } else {
                child.lo[g] = s;
                child.hi[g] = s;
                child.defer[g] = false;
            }
            children.push(child);
        }
        children
    }
}

/// Runs the branch and bound from the root multipliers `lambda`; `None` when it does
/// not apply (no slots, no multipliers).
pub(crate) fn branch_and_bound<'m>(
    m: &'m Model,
    search: &mut Search<'m>,
    lambda: &[f64],
    root_bound: f64,
    node_limit: u64,
    deadline: Instant,
) -> Option<BbResult> {
    let r_n = m.r;
    if r_n == 0 || lambda.len() != r_n {
        return None;
    }
    let g_n = m.groups();
    let dom = Dom {
        lo: m.earliest.clone(),
        hi: (0..g_n)
            .map(|g| if m.mandatory[g] { m.latest[g] } else { r_n - 1 })
            .collect(),
        defer: m.mandatory.iter().map(|&x| !x).collect(),
    };
    let mut bb = Bb {
        m,
        net: Net::build(m),
        steps: STEPS,
        search,
        unit: grid(m),
        tol: m.tolerance(),
        nodes: 0,
        limit: node_limit,
        deadline,
        fix: vec![FREE; g_n * r_n],
        solves: 0,
    };
    // Best first: the largest bound of an open node is the bound of the whole tree.
    let mut open: Vec<Option<Node>> = Vec::new();
    let mut heap: BinaryHeap<Key> = BinaryHeap::new();
    let push = |open: &mut Vec<Option<Node>>, heap: &mut BinaryHeap<Key>, n: Node| {
        heap.push(Key(n.bound, Reverse(open.len())));
        open.push(Some(n));
    };
    if let Eval::Open(n) = bb.eval(dom, lambda, root_bound) {
        push(&mut open, &mut heap, n);
    }
    let mut complete = true;
    let mut left = f64::NEG_INFINITY;
    while let Some(Key(b, Reverse(i))) = heap.pop() {
        if b <= bb.search.best_value() + bb.tol {
            heap.clear();
            break;
        }
        if bb.solves >= bb.limit || (open.len().is_multiple_of(16) && Instant::now() > bb.deadline)
        {
            complete = false;
            left = b;
            break;
        }
        let Some(node) = open[i].take() else { continue };
        let children = bb.children(&node);
        if children.is_empty() {
            // Only a node whose relaxation failed (see `eval`) has nothing to branch on
            // and a bound above the incumbent: it stays open.
            complete = false;
            left = left.max(node.bound);
            continue;
        }
        for child in children {
            match bb.eval(child, &node.lambda, node.bound) {
                Eval::Closed => {}
                Eval::Open(n) => push(&mut open, &mut heap, n),
            }
        }
    }
    let inc = bb.search.best_value();
    Some(BbResult {
        bound: left.max(inc),
        complete,
        nodes: bb.nodes,
        flow_solves: bb.solves,
    })
}
