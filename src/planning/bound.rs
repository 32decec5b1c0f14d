//! The upper bound: capacity relaxed with Lagrange multipliers λ_r ≥ 0 turns the
//! plan into a maximum-weight closure over "request ships by slot r" and "commitment
//! complete by slot r" variables, solved exactly as one minimum cut. For every λ the
//! result is a true upper bound; λ is tuned by bisection (one slot) or subgradient
//! steps (several). Each closure also seeds a primal solution for the search.

use super::clock::Deadline;
use super::flow::Flow;
use super::model::Model;
use super::search::{Elem, Search};

pub(crate) struct LagrResult {
    pub bound: f64,
    pub flow_solves: u64,
    /// The multipliers of the best (lowest) bound found.
    pub lambda: Vec<f64>,
}

pub(crate) const FREE: u8 = 0;
pub(crate) const ONE: u8 = 1;
pub(crate) const ZERO: u8 = 2;
/// "Ships by r" equals "ships by r − 1": the group does not ship in slot r.
pub(crate) const HOLE: u8 = 3;

/// How hard [`Net::losses`] looks for each loss: augmenting paths per test, and
/// nodes per path search (a search that reaches that many gives up).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Effort {
    pub paths: usize,
    pub visits: usize,
}

/// What forcing each group across the minimum cut costs the bound (see
/// [`Net::losses`]).
pub(crate) struct Losses {
    /// Per group, its slot in the closure (R: deferred).
    pub slots: Vec<usize>,
    /// Per group, a lower bound on the loss (∞ for groups the network fixes; 0
    /// for those left untested).
    pub lost: Vec<f64>,
    /// A group is fixed when it loses more than this.
    pub need: f64,
    /// Whether the tests stopped early (too many groups failed).
    pub stopped: bool,
}

impl Losses {
    /// Per group, the slot every plan worth the target keeps (`None`: free).
    pub fn fixed(&self) -> Vec<Option<usize>> {
        self.slots
            .iter()
            .zip(&self.lost)
            .map(|(&s, &x)| (x > self.need).then_some(s))
            .collect()
    }
}

pub(crate) struct Net {
    r: usize,
    g_n: usize,
    status: Vec<u8>,
    base_w: Vec<f64>,
    src_e: Vec<usize>,
    snk_e: Vec<usize>,
    /// Per group node (g, r ≥ 1): an edge (g, r) → (g, r − 1), infinite when the
    /// group must not ship in slot r (`HOLE`), else without capacity.
    hole_e: Vec<usize>,
    flow: Flow,
    init_caps: Vec<f64>,
    s: usize,
    t: usize,
}

impl Net {
    fn z(&self, g: usize, r: usize) -> usize {
        g * self.r + r
    }

    pub(crate) fn build(m: &Model) -> Self {
        Self::build_masked(m, None)
    }

    /// The network for the plans in which every group takes one of the options of
    /// its mask (bit s: slot s, bit R: deferred; the masks must be propagated):
    /// variables the masks decide are constants, not nodes with edges, so a
    /// network for a small part of the plan solves much faster.
    #[allow(clippy::too_many_lines)]
    pub(crate) fn build_masked(m: &Model, masks: Option<&[u64]>) -> Self {
        let r_n = m.r;
        let g_n = m.groups();
        let c_n = m.commits.len();
        let n = (g_n + c_n) * r_n;
        let mut status = vec![FREE; n];
        let mut base_w = vec![0.0; n];
        let mut holes = vec![false; g_n * r_n];
        // The lowest slot a group may ship in (R: it cannot ship).
        let mut first_slot = vec![0usize; g_n];
        for g in 0..g_n {
            let mask = masks.map(|mk| mk[g]);
            first_slot[g] = match mask {
                None => m.earliest[g],
                Some(x) => {
                    let slots = x & ((1u64 << r_n) - 1);
                    if slots == 0 {
                        r_n
                    } else {
                        slots.trailing_zeros() as usize
                    }
                }
            };
            for r in 0..r_n {
                let v = g * r_n + r;
                match mask {
                    None => {
                        if r < m.earliest[g] {
                            status[v] = ZERO;
                        } else if m.mandatory[g] && r >= m.latest[g] {
                            status[v] = ONE;
                        }
                    }
                    Some(x) => {
                        let upto = (1u64 << (r + 1)) - 1;
                        if x & upto == 0 {
                            status[v] = ZERO;
                        } else if x & !upto == 0 {
                            status[v] = ONE;
                        } else if x & (1 << r) == 0 {
                            holes[v] = true;
                        }
                    }
                }
                base_w[v] = m.value[g][r] - m.value[g][r + 1];
            }
        }
        for (k, c) in m.commits.iter().enumerate() {
            let first = c.groups.iter().map(|&g| first_slot[g]).max().unwrap_or(0);
            for r in 0..r_n {
                let v = (g_n + k) * r_n + r;
                if !c.possible || r > c.last || r < first {
                    status[v] = ZERO;
                    continue;
                }
                base_w[v] = if r < c.last {
                    c.weight * (m.weights[r] - m.weights[r + 1])
                } else {
                    c.weight * m.weights[r]
                };
            }
        }
        let s = n;
        let t = n + 1;
        let mut flow = Flow::new(n + 2);
        let mut src_e = vec![usize::MAX; n];
        let mut snk_e = vec![usize::MAX; n];
        for v in 0..n {
            if status[v] == FREE {
                src_e[v] = flow.add_edge(s, v, 0.0);
                snk_e[v] = flow.add_edge(v, t, 0.0);
            }
        }
        let edge = |flow: &mut Flow, u: usize, v: usize| {
            if status[u] == FREE && status[v] == FREE {
                flow.add_edge(u, v, f64::INFINITY);
            }
        };
        let mut hole_e = vec![usize::MAX; g_n * r_n];
        for g in 0..g_n {
            for r in 1..r_n {
                let u = g * r_n + r;
                if status[u] == FREE && status[u - 1] == FREE {
                    let cap = if holes[u] { f64::INFINITY } else { 0.0 };
                    hole_e[u] = flow.add_edge(u, u - 1, cap);
                }
            }
        }
        for g in 0..g_n {
            for r in 0..r_n {
                let u = g * r_n + r;
                if r + 1 < r_n {
                    edge(&mut flow, u, u + 1);
                }
                for &d in &m.deps[g] {
                    edge(&mut flow, u, d * r_n + r);
                }
            }
        }
        for (k, c) in m.commits.iter().enumerate() {
            for r in 0..r_n {
                let u = (g_n + k) * r_n + r;
                if r < c.last {
                    edge(&mut flow, u, u + 1);
                }
                for &g in &c.groups {
                    edge(&mut flow, u, g * r_n + r);
                }
            }
        }
        let init_caps = flow.caps_mut().clone();
        Self {
            r: r_n,
            g_n,
            status,
            base_w,
            src_e,
            snk_e,
            hole_e,
            flow,
            init_caps,
            s,
            t,
        }
    }

    /// L(λ), and the slot of each group in the optimal closure (R = not in it).
    fn eval(&mut self, m: &Model, lambda: &[f64]) -> (f64, Vec<usize>) {
        self.eval_fixed(m, lambda, None)
    }

    /// L(λ) with some "group ships by slot r" variables forced (`fix[g * R + r]` is
    /// `FREE`, `ONE` or `ZERO`; only consulted where the network leaves them free).
    /// The forcing must be closed under the dependency arcs (no forced one needing a
    /// forced zero); otherwise the result is not finite.
    pub(crate) fn eval_fixed(
        &mut self,
        m: &Model,
        lambda: &[f64],
        fix: Option<&[u8]>,
    ) -> (f64, Vec<usize>) {
        let (price, constant) = cap_prices(m, lambda);
        self.eval_prices(m, &price, constant, fix)
    }

    /// The maximum-weight closure when shipping group g in slot r costs
    /// `price[g * R + r]`, plus `constant`: the relaxed objective and the slot of
    /// each group in the optimal closure.
    pub(crate) fn eval_prices(
        &mut self,
        m: &Model,
        price: &[f64],
        extra: f64,
        fix: Option<&[u8]>,
    ) -> (f64, Vec<usize>) {
        let r_n = self.r;
        let gr = self.g_n * r_n;
        self.flow.caps_mut().copy_from_slice(&self.init_caps);
        let mut constant: f64 = (0..self.g_n).map(|g| m.value[g][r_n]).sum::<f64>() + extra;
        let mut pos = 0.0;
        let mut scale = 1.0 + extra.abs();
        for v in 0..self.status.len() {
            if self.status[v] == ZERO {
                continue;
            }
            let w = if v < gr {
                let r = v % r_n;
                let next = if r + 1 < r_n { price[v + 1] } else { 0.0 };
                self.base_w[v] - (price[v] - next)
            } else {
                self.base_w[v]
            };
            if self.status[v] == ONE {
                constant += w;
                continue;
            }
            let forced = fix.and_then(|f| f.get(v).copied()).unwrap_or(FREE);
            if forced == ONE {
                constant += w;
                self.flow.set_cap(self.src_e[v], f64::INFINITY);
                continue;
            }
            if forced == ZERO {
                self.flow.set_cap(self.snk_e[v], f64::INFINITY);
                continue;
            }
            if forced == HOLE && v < gr && self.hole_e[v] != usize::MAX {
                self.flow.set_cap(self.hole_e[v], f64::INFINITY);
            }
            scale += w.abs();
            if w > 0.0 {
                pos += w;
                self.flow.set_cap(self.src_e[v], w);
            } else if w < 0.0 {
                self.flow.set_cap(self.snk_e[v], -w);
            }
        }
        let eps = 1e-13 * scale;
        let f = self.flow.max_flow(self.s, self.t, eps);
        let side = self.flow.source_side(self.s, eps);
        let mut slots = vec![r_n; self.g_n];
        for (g, slot) in slots.iter_mut().enumerate() {
            for r in 0..r_n {
                let v = self.z(g, r);
                let forced = fix.and_then(|f| f.get(v).copied()).unwrap_or(FREE);
                if self.status[v] == ONE
                    || (self.status[v] == FREE && forced != ZERO && (forced == ONE || side[v]))
                {
                    *slot = r;
                    break;
                }
            }
        }
        let l = constant + pos - f;
        (l + 1e-9 * scale, slots)
    }

    /// Reduced-cost fixing with one slot. Forcing a group across the minimum cut
    /// at `lambda` (shipped where the closure defers it, deferred where it ships
    /// it) lowers L(λ) by the maximum flow that the forced side lets through the
    /// residual network: to the sink for a group forced in, from the source for one
    /// forced out. A partial flow, found with `effort`, is a lower bound of that
    /// loss; each test stops once the loss proves that no plan worth `beat` or more
    /// lies on the other side. The groups on which `incumbent` and the closure
    /// disagree are tested first (they lose the least), and the tests stop when
    /// more than `max_free` groups failed. `None` when there is more than one slot.
    pub(crate) fn losses(
        &mut self,
        m: &Model,
        lambda: &[f64],
        beat: f64,
        effort: Effort,
        max_free: usize,
        incumbent: &[usize],
    ) -> Option<Losses> {
        if self.r != 1 {
            return None;
        }
        let (l, slots) = self.eval_fixed(m, lambda, None);
        let margin = 1e-7 * l.abs().max(1.0);
        // A group is fixed when forcing it across loses more than this.
        let need = l - beat + margin;
        let eps = 1e-13 * l.abs().max(1.0);
        let mut undo = Vec::new();
        let mut left = 0;
        let mut lost = vec![0.0; self.g_n];
        let disagree = |g: &usize| incumbent[*g] != slots[*g];
        let order = (0..self.g_n)
            .filter(disagree)
            .chain((0..self.g_n).filter(|g| !disagree(g)));
        for g in order {
            if left > max_free {
                break;
            }
            lost[g] = if self.status[g] != FREE || need <= 0.0 {
                f64::INFINITY
            } else {
                let (from, to, backward) = if slots[g] == 0 {
                    (self.s, g, true)
                } else {
                    (g, self.t, false)
                };
                let x = self.flow.push_some(
                    from,
                    to,
                    backward,
                    need + margin,
                    effort.paths,
                    effort.visits,
                    eps,
                    &mut undo,
                );
                self.flow.restore(&mut undo);
                left += usize::from(x <= need);
                x
            };
        }
        Some(Losses {
            slots,
            lost,
            need,
            stopped: left > max_free,
        })
    }

    /// The number of edges (a measure of the work of one cut).
    pub(crate) fn edges(&self) -> u64 {
        self.init_caps.len().max(1) as u64
    }
}

/// Prices of the capacity relaxation: shipping group g in slot r costs
/// Σ_j units(g, j) · λ[r·K + j]; the constant is Σ λ · capacity (unlimited
/// capacities must have λ = 0 and add nothing).
pub(crate) fn cap_prices(m: &Model, lambda: &[f64]) -> (Vec<f64>, f64) {
    let (r_n, k) = (m.r, m.k);
    let mut price = vec![0.0; m.groups() * r_n];
    for g in 0..m.groups() {
        for r in 0..r_n {
            #[allow(clippy::cast_precision_loss)]
            let p: f64 = m.uses[g]
                .iter()
                .map(|&(j, u)| u as f64 * lambda[r * k + j])
                .sum();
            price[g * r_n + r] = p;
        }
    }
    let mut constant = 0.0;
    for (i, &c) in m.caps.iter().enumerate() {
        if c != u64::MAX {
            #[allow(clippy::cast_precision_loss)]
            {
                constant += lambda[i] * c as f64;
            }
        }
    }
    (price, constant)
}

pub(crate) fn finish(m: &Model, l: f64) -> f64 {
    if m.integral {
        (l + 1e-7 * l.abs().max(1.0)).floor()
    } else {
        l
    }
}

/// Builds a primal from a closure: its elements in order of slot and value per effort.
fn seed(m: &Model, search: &mut Search, slots: &[usize], repair: bool) {
    let r_n = m.r;
    let mut order: Vec<(usize, f64, Elem)> = Vec::new();
    for i in 0..search.elems.len() {
        let e = search.elems[i];
        match e {
            Elem::Commit(k) => {
                let c = &m.commits[k];
                let last = c.groups.iter().map(|&g| slots[g]).max().unwrap_or(r_n);
                if last < r_n && last <= c.last {
                    let size: f64 = c.closure.iter().map(|&g| m.size[g]).sum();
                    order.push((last, c.weight * m.weights[last] / (size + 1e-3), e));
                }
            }
            Elem::Group(g) => {
                let s = slots[g];
                if s < r_n {
                    order.push((s, (m.value[g][s] - m.value[g][r_n]) / m.size[g], e));
                }
            }
        }
    }
    order.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let order: Vec<(Elem, usize)> = order.into_iter().map(|(s, _, e)| (e, s)).collect();
    search.construct(&order);
    if repair {
        search.repair(slots);
    }
}

/// The subgradient of the Lagrangian at `lambda` for the closure's `slots` (capacity
/// minus load per release and resource; 0 where unlimited), and its squared norm
/// projected onto λ ≥ 0.
pub(crate) fn subgradient(m: &Model, slots: &[usize], lambda: &[f64]) -> (Vec<f64>, f64) {
    let (r_n, k) = (m.r, m.k);
    let mut load = vec![0u64; r_n * k];
    for g in 0..m.groups() {
        if slots[g] < r_n {
            m.add_load(&mut load, g, slots[g]);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let grad: Vec<f64> = (0..r_n * k)
        .map(|i| {
            if m.caps[i] == u64::MAX {
                0.0
            } else {
                m.caps[i] as f64 - load[i] as f64
            }
        })
        .collect();
    let norm = projected_sq_norm(&grad, lambda);
    (grad, norm)
}

/// The squared length of a step against direction `v` from `lambda`, projected
/// onto λ ≥ 0: components that would push a zero multiplier below zero count
/// nothing.
fn projected_sq_norm(v: &[f64], lambda: &[f64]) -> f64 {
    v.iter()
        .zip(lambda)
        .map(|(g, l)| if *l <= 0.0 && *g > 0.0 { 0.0 } else { g * g })
        .sum()
}

/// Whether the bound `l` improves on `best` by more than rounding noise (a
/// relative 1e-9).
pub(crate) fn improves(l: f64, best: f64) -> bool {
    l < best - 1e-9 * l.abs().max(1.0)
}

/// How much of the previous direction `d` a deflected subgradient step
/// (Camerini–Fratta–Maffioli) adds to the subgradient g, from gd = g·d and
/// dd = d·d: `factor` times the part of d that g turns back against, none when g
/// does not turn back.
pub(crate) fn deflection(gd: f64, dd: f64, factor: f64) -> f64 {
    if gd < 0.0 && dd > 0.0 {
        -factor * gd / dd
    } else {
        0.0
    }
}

/// The deflection factor of the capacity multipliers' steps (see [`lagrangian`]).
const DEFLECT: f64 = 1.5;

/// One sequence of capacity multipliers under Polyak subgradient steps towards the
/// best plan, the step factor halved after eight cuts without a better bound;
/// with `deflect` > 0 each direction is the subgradient plus `deflect` times the
/// part of the previous direction it turns back against.
struct Steps {
    lambda: Vec<f64>,
    dir: Vec<f64>,
    theta: f64,
    stale: u32,
    deflect: f64,
    best: f64,
}

impl Steps {
    fn new(n: usize, deflect: f64) -> Self {
        Self {
            lambda: vec![0.0; n],
            dir: vec![0.0; n],
            theta: 1.0,
            stale: 0,
            deflect,
            best: f64::INFINITY,
        }
    }

    /// Whether the step factor has shrunk too far for further steps to matter.
    fn spent(&self) -> bool {
        self.theta < 1e-4
    }

    /// Takes the value `l` at the current multipliers into this sequence's and
    /// the overall best (`best`, `best_lambda`), and halves the step factor after
    /// eight cuts without a better bound of its own.
    fn record(&mut self, l: f64, best: &mut f64, best_lambda: &mut [f64]) {
        if l < *best {
            *best = l;
            best_lambda.copy_from_slice(&self.lambda);
        }
        if improves(l, self.best) {
            self.stale = 0;
        } else {
            self.stale += 1;
            if self.stale >= 8 {
                self.theta *= 0.5;
                self.stale = 0;
            }
        }
        self.best = self.best.min(l);
    }

    /// One step from the value `l` towards the plan's value `lb` along `grad`
    /// (capacity minus load, see [`subgradient`]), projected onto λ ≥ 0.
    fn step(&mut self, l: f64, lb: f64, grad: &[f64]) {
        let gd: f64 = grad.iter().zip(&self.dir).map(|(a, b)| a * b).sum();
        let dd: f64 = self.dir.iter().map(|b| b * b).sum();
        let beta = deflection(gd, dd, self.deflect);
        for (d, g) in self.dir.iter_mut().zip(grad) {
            *d = g + beta * *d;
        }
        let norm = projected_sq_norm(&self.dir, &self.lambda);
        if norm <= 0.0 {
            return;
        }
        let step = self.theta * (l - lb).max(1e-6 * l.abs().max(1.0)) / norm;
        for (lam, d) in self.lambda.iter_mut().zip(&self.dir) {
            *lam = (*lam - step * d).max(0.0);
        }
    }
}

pub(crate) fn lagrangian(
    m: &Model,
    search: &mut Search,
    node_limit: u64,
    deadline: Deadline,
) -> LagrResult {
    let (r_n, k) = (m.r, m.k);
    if r_n == 0 {
        let v: f64 = (0..m.groups()).map(|g| m.value[g][0]).sum();
        return LagrResult {
            bound: v,
            flow_solves: 0,
            lambda: Vec::new(),
        };
    }
    // A greedy start, so the bound phase has a primal to aim at.
    search.construct(&[]);
    let mut net = Net::build(m);
    let edges = net.edges();
    // Deterministic number of cuts, scaled to the network's size and the budget.
    let iters = if r_n == 1 {
        (node_limit / edges).clamp(12, 60)
    } else {
        (node_limit / edges / 2).clamp(12, 150)
    };
    let mut best = f64::INFINITY;
    let mut best_lambda = vec![0.0; r_n * k];
    let mut solves = 0u64;
    if k == 0 {
        // Nothing limits the plan: the closure is the optimum.
        let (l, slots) = net.eval(m, &[]);
        solves += 1;
        seed(m, search, &slots, true);
        best = l;
    } else if r_n == 1 && k == 1 {
        let hi0: f64 = net.base_w.iter().filter(|w| **w > 0.0).sum::<f64>() + 1.0;
        let (mut lo, mut hi) = (0.0f64, hi0);
        for it in 0..iters {
            if it > 0 && deadline.passed() {
                break;
            }
            let lam = if it == 0 { 0.0 } else { 0.5 * (lo + hi) };
            let (l, slots) = net.eval(m, &[lam]);
            solves += 1;
            if l < best {
                best = l;
                best_lambda[0] = lam;
            }
            let load: u64 = (0..m.groups())
                .filter(|&g| slots[g] == 0)
                .flat_map(|g| m.uses[g].iter().map(|x| x.1))
                .sum();
            search.nodes += edges / 16;
            seed(m, search, &slots, true);
            if load > m.caps[0] {
                lo = lam;
            } else {
                if it == 0 {
                    break; // everything fits: the closure is optimal
                }
                hi = lam;
            }
            if finish(m, best) <= search.best_value() + m.tolerance() || hi - lo < 1e-9 * hi0 {
                break;
            }
        }
    } else {
        // Two sequences of multipliers, one cut each per round, and the closures of
        // both, repaired, seed the search. Deflected steps (Camerini–Fratta–
        // Maffioli) damp the zig-zag between a release's total and its teams'
        // multipliers and reach the bound: plain steps ended up to 0.83 % above the
        // LP bound on three-team backlogs of 150–200 requests, deflected ones within
        // 0.1 % of it in as many cuts. Plain steps wander, and the plans their
        // closures give are what the search of a backlog of thousands of requests
        // is mostly made of: with deflected steps alone those came out up to 0.3 %
        // worse.
        let mut plain = Steps::new(r_n * k, 0.0);
        let mut deflected = Steps::new(r_n * k, DEFLECT);
        let repair_every = (m.groups() as u64 / 300).max(1);
        // One cut at a sequence's multipliers: its closure seeds the search
        // (repaired only now and then: repairs are the expensive part on big
        // backlogs); its value, the subgradient and its norm come back.
        let mut cut = |steps: &Steps, search: &mut Search, repair: bool| {
            let (l, slots) = net.eval(m, &steps.lambda);
            solves += 1;
            search.nodes += edges / 16;
            seed(m, search, &slots, repair);
            let (grad, norm) = subgradient(m, &slots, &steps.lambda);
            (l, grad, norm)
        };
        for it in 0..iters {
            // (at least one cut: it is what makes the bound finite)
            if it > 0 && (deadline.passed() || search.nodes >= node_limit / 4 * 3) {
                break;
            }
            let repair = it % repair_every == 0 || it + 1 == iters;
            let (l, grad, norm) = cut(&plain, search, repair);
            plain.record(l, &mut best, &mut best_lambda);
            let lb = search.best_value();
            if norm <= 0.0 || finish(m, best) <= lb + m.tolerance() || plain.spent() {
                break;
            }
            plain.step(l, lb, &grad);
            if !deflected.spent() {
                let (l, grad, norm) = cut(&deflected, search, repair);
                deflected.record(l, &mut best, &mut best_lambda);
                if norm <= 0.0 {
                    deflected.theta = 0.0;
                } else {
                    deflected.step(l, lb, &grad);
                }
            }
        }
    }
    LagrResult {
        bound: finish(m, best),
        flow_solves: solves,
        lambda: best_lambda,
    }
}
