//! Primal search on the group model: a transactional state (slot per group, loads,
//! commitment values), moves that keep dependencies and windows intact by
//! construction (insert with everything needed, drop what only one element needs),
//! greedy construction, best-improvement local search with swaps, and a seeded
//! iterated local search. Also the exhaustive search used for tiny problems.

use super::clock::Deadline;
use super::model::Model;
use super::rng::Rng;
use super::Stats;

/// Something that has value when planned: a commitment, or a group with own value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    Commit(usize),
    Group(usize),
}

#[derive(Clone)]
pub(crate) struct Search<'a> {
    m: &'a Model,
    r: usize,
    slot: Vec<usize>,
    /// Load per slot and resource (`[s * K + j]`).
    load: Vec<u64>,
    cval: Vec<f64>,
    /// Per group: counting commitments whose closure contains it.
    need: Vec<u32>,
    /// Per commitment: member groups not planned.
    miss: Vec<u32>,
    gval: f64,
    csum: f64,
    /// Moves against the baseline of the current state.
    mvsum: u64,
    /// Objective units one move costs in `value()` (0 = moves do not count).
    penalty: f64,
    /// The stability phase: the best state by (fewest moves, highest objective)
    /// among those whose objective reaches the threshold.
    pub stable: Option<Stable>,
    base: Vec<usize>,
    best: Vec<usize>,
    best_val: f64,
    pub nodes: u64,
    pub iterations: u64,
    pub hit_time: bool,
    /// Set by another search that reached the bound.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
    node_limit: u64,
    deadline: Deadline,
    rng: Rng,
    // transaction
    txn: u32,
    gstamp: Vec<u32>,
    cstamp: Vec<u32>,
    undo: Vec<(usize, usize)>,
    touched_c: Vec<usize>,
    // elements
    pub elems: Vec<Elem>,
    /// Closure of each commitment sorted dependents-first.
    ccl_desc: Vec<Vec<usize>>,
    stack: Vec<usize>,
    /// Per element: the iteration in which it may not be re-added by the greedy fill.
    tabu: Vec<u64>,
    /// Accept a worse local optimum within this fraction of the best (0 = only improving or equal).
    pub accept: f64,
    scanned: u64,
    next_time_check: u64,
    /// Randomise the next fill (after a perturbation).
    noise: bool,
}

const EPS: f64 = 1e-9;

/// The best plan of the stability phase so far.
#[derive(Clone, Debug)]
pub(crate) struct Stable {
    /// Plans below this objective do not count.
    pub threshold: f64,
    pub moves: u64,
    pub objective: f64,
    pub slots: Vec<usize>,
}

impl Stable {
    /// Whether a plan with `moves` and `objective` is better (it must reach the threshold).
    pub fn better(&self, moves: u64, objective: f64) -> bool {
        objective >= self.threshold
            && (moves < self.moves || (moves == self.moves && objective > self.objective + EPS))
    }
}

/// Every group that has value (or, with a penalty, a preferred place) as an element.
fn elements(m: &Model, penalty: f64) -> Vec<Elem> {
    let mut elems: Vec<Elem> = (0..m.commits.len())
        .filter(|&k| m.commits[k].possible && m.commits[k].weight > 0.0)
        .map(Elem::Commit)
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let val = |g: usize, s: usize| m.value[g][s] - penalty * f64::from(m.moves[g][s]);
    for g in 0..m.groups() {
        let best = (0..m.r)
            .map(|s| val(g, s))
            .fold(f64::NEG_INFINITY, f64::max);
        if best > val(g, m.r) + EPS {
            elems.push(Elem::Group(g));
        }
    }
    elems
}

impl<'a> Search<'a> {
    pub fn new(m: &'a Model, base: Vec<usize>, node_limit: u64, deadline: Deadline) -> Self {
        let g_n = m.groups();
        let elems = elements(m, 0.0);
        let mut topo_pos = vec![0; g_n];
        for (i, &g) in m.topo.iter().enumerate() {
            topo_pos[g] = i;
        }
        let ccl_desc = m
            .commits
            .iter()
            .map(|c| {
                let mut v = c.closure.clone();
                v.sort_by_key(|&g| std::cmp::Reverse(topo_pos[g]));
                v
            })
            .collect();
        let mut s = Self {
            m,
            r: m.r,
            slot: base.clone(),
            load: vec![0; m.r * m.k],
            cval: vec![0.0; m.commits.len()],
            miss: vec![0; m.commits.len()],
            need: vec![0; g_n],
            gval: 0.0,
            csum: 0.0,
            mvsum: 0,
            penalty: 0.0,
            stable: None,
            base: base.clone(),
            best: base,
            best_val: f64::NEG_INFINITY,
            nodes: 0,
            iterations: 0,
            hit_time: false,
            stop: None,
            node_limit,
            deadline,
            rng: Rng::new(0x5EED_2027),
            txn: 1,
            gstamp: vec![0; g_n],
            cstamp: vec![0; m.commits.len()],
            undo: Vec::new(),
            touched_c: Vec::new(),
            elems,
            ccl_desc,
            stack: Vec::new(),
            tabu: Vec::new(),
            noise: false,
            accept: 0.0,
            scanned: 0,
            next_time_check: 0,
        };
        s.tabu = vec![0; s.elems.len()];
        let base = s.slot.clone();
        s.load_state(&base);
        s.best_val = s.value();
        s
    }

    fn load_state(&mut self, slots: &[usize]) {
        self.nodes += (self.slot.len() + self.cval.len()) as u64 / 8;
        self.slot.copy_from_slice(slots);
        self.load.iter_mut().for_each(|l| *l = 0);
        self.gval = 0.0;
        self.mvsum = 0;
        for k in 0..self.miss.len() {
            let c = &self.m.commits[k];
            #[allow(clippy::cast_possible_truncation)]
            let miss = c.groups.iter().filter(|&&g| self.slot[g] >= self.r).count() as u32;
            self.miss[k] = miss;
        }
        for g in 0..self.slot.len() {
            let s = self.slot[g];
            if s < self.r {
                self.m.add_load(&mut self.load, g, s);
            }
            self.gval += self.m.value[g][s];
            self.mvsum += u64::from(self.m.moves[g][s]);
        }
        self.csum = 0.0;
        self.need.iter_mut().for_each(|x| *x = 0);
        for k in 0..self.cval.len() {
            self.cval[k] = self.commit_value(k);
            self.csum += self.cval[k];
            if self.cval[k] > 0.0 {
                for &g in &self.m.commits[k].closure {
                    self.need[g] += 1;
                }
            }
        }
    }

    /// What the search maximises: the objective, less the penalty for each move.
    #[allow(clippy::cast_precision_loss)]
    pub fn value(&self) -> f64 {
        self.gval + self.csum - self.penalty * self.mvsum as f64
    }

    /// The objective of the current state.
    pub fn objective(&self) -> f64 {
        self.gval + self.csum
    }

    /// Group g's value in slot s as the search sees it (with the move penalty).
    #[allow(clippy::cast_precision_loss)]
    fn val(&self, g: usize, s: usize) -> f64 {
        self.m.value[g][s] - self.penalty * f64::from(self.m.moves[g][s])
    }

    /// Searches with another move penalty from now on: the elements, the current
    /// state's value and the best value are recomputed (the best plan is kept).
    pub fn set_penalty(&mut self, penalty: f64) {
        self.penalty = penalty;
        self.elems = elements(self.m, penalty);
        self.tabu = vec![0; self.elems.len()];
        let best = self.best.clone();
        self.load_state(&best);
        self.best_val = self.value();
    }

    /// Makes `slots` the current state and the best one (a fresh start, e.g. under
    /// another penalty).
    pub fn reset_to(&mut self, slots: &[usize]) {
        self.load_state(slots);
        self.best.copy_from_slice(slots);
        self.best_val = self.value();
    }

    /// The current state's slots.
    pub fn slots(&self) -> &[usize] {
        &self.slot
    }

    /// Records the current state in the stability phase's best, if it is better
    /// (and feasible).
    pub fn note_current(&mut self) {
        if self.cap_ok() {
            self.note_stable();
        }
    }

    /// Records the current state in the stability phase's best, if it is better.
    fn note_stable(&mut self) {
        let (mv, obj) = (self.mvsum, self.objective());
        if let Some(st) = self.stable.as_mut() {
            if st.better(mv, obj) {
                st.moves = mv;
                st.objective = obj;
                st.slots.copy_from_slice(&self.slot);
            }
        }
    }

    pub fn best_value(&self) -> f64 {
        self.best_val
    }

    pub fn best_slots(&self) -> &[usize] {
        &self.best
    }

    /// The plan every construction starts from (the mandatory requests packed).
    pub fn base(&self) -> &[usize] {
        &self.base
    }

    /// The work budget.
    pub fn node_limit(&self) -> u64 {
        self.node_limit
    }

    /// A copy that searches with another random seed.
    pub fn fork(&self, seed: u64) -> Self {
        let mut s = self.clone();
        s.rng = Rng::new(seed);
        s
    }

    /// The safety net's path so far (see [`Deadline::spent`]).
    pub fn spent(&self) -> std::time::Duration {
        self.deadline.spent()
    }

    /// Takes the safety net onto the calling thread, which carries `spent` (a
    /// fork running on another thread calls this first).
    pub fn move_to_this_thread(&mut self, spent: std::time::Duration) {
        self.deadline = self.deadline.on_this_thread(spent);
    }

    pub fn out_of_budget(&mut self) -> bool {
        if self.nodes >= self.node_limit {
            return true;
        }
        if let Some(stop) = self.stop {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return true;
            }
        }
        if self.nodes >= self.next_time_check {
            self.next_time_check = self.nodes + 50_000;
            if self.deadline.passed() {
                self.hit_time = true;
            }
        }
        self.hit_time
    }

    /// Offers a feasible solution (group slots) as a candidate best.
    pub fn offer(&mut self, slots: &[usize], value: f64) {
        if value > self.best_val + EPS {
            self.best.copy_from_slice(slots);
            self.best_val = value;
        }
    }

    fn record_best(&mut self) {
        if !self.cap_ok() {
            return; // never keep an over-full plan (moves check capacity; this is a guard)
        }
        if self.stable.is_some() {
            self.note_stable();
        }
        let v = self.value();
        if v > self.best_val + EPS {
            self.best.copy_from_slice(&self.slot);
            self.best_val = v;
        }
    }

    fn commit_value(&self, k: usize) -> f64 {
        let c = &self.m.commits[k];
        if !c.possible || self.miss[k] > 0 {
            return 0.0;
        }
        if self.r == 1 {
            return c.weight * self.m.weights[0];
        }
        let mut last = 0;
        for &g in &c.groups {
            let s = self.slot[g];
            if s >= self.r {
                return 0.0;
            }
            last = last.max(s);
        }
        if last > c.last {
            0.0
        } else {
            c.weight * self.m.weights[last]
        }
    }

    // ---- transactions -------------------------------------------------------

    fn set(&mut self, g: usize, s: usize) {
        let old = self.slot[g];
        if old == s {
            return;
        }
        if self.gstamp[g] != self.txn {
            self.gstamp[g] = self.txn;
            self.undo.push((g, old));
            for &k in &self.m.commits_of[g] {
                if self.cstamp[k] != self.txn {
                    self.cstamp[k] = self.txn;
                    self.touched_c.push(k);
                }
            }
        }
        self.raw_set(g, s);
    }

    fn raw_set(&mut self, g: usize, s: usize) {
        let old = self.slot[g];
        let k = self.m.k;
        for &(j, u) in &self.m.uses[g] {
            if old < self.r {
                self.load[old * k + j] -= u;
            }
            if s < self.r {
                self.load[s * k + j] += u;
            }
        }
        self.mvsum = self.mvsum + u64::from(self.m.moves[g][s]) - u64::from(self.m.moves[g][old]);
        if (old >= self.r) != (s >= self.r) {
            for &k in &self.m.commits_of[g] {
                if s >= self.r {
                    self.miss[k] += 1;
                } else {
                    self.miss[k] -= 1;
                }
            }
        }
        self.gval += self.m.value[g][s] - self.m.value[g][old];
        self.slot[g] = s;
    }

    fn txn_value(&self) -> f64 {
        let mut v = self.value();
        for &k in &self.touched_c {
            v += self.commit_value(k) - self.cval[k];
        }
        v
    }

    fn cap_ok(&self) -> bool {
        self.m.load_ok(&self.load)
    }

    fn commit(&mut self) {
        for i in 0..self.touched_c.len() {
            let k = self.touched_c[i];
            let nv = self.commit_value(k);
            self.csum += nv - self.cval[k];
            if (nv > 0.0) != (self.cval[k] > 0.0) {
                for &g in &self.m.commits[k].closure {
                    if nv > 0.0 {
                        self.need[g] += 1;
                    } else {
                        self.need[g] -= 1;
                    }
                }
            }
            self.cval[k] = nv;
        }
        self.nodes += 1 + self.undo.len() as u64;
        self.undo.clear();
        self.touched_c.clear();
        self.txn = self.txn.wrapping_add(1);
    }

    fn rollback(&mut self) {
        self.nodes += 1 + self.undo.len() as u64;
        while let Some((g, old)) = self.undo.pop() {
            self.raw_set(g, old);
        }
        self.touched_c.clear();
        self.txn = self.txn.wrapping_add(1);
    }

    // ---- moves --------------------------------------------------------------

    fn seeds(&self, e: Elem) -> &[usize] {
        match e {
            Elem::Commit(k) => &self.m.commits[k].groups,
            Elem::Group(g) => std::slice::from_ref(&self.m.members_index()[g]),
        }
    }

    fn last_slot(&self, e: Elem) -> usize {
        match e {
            Elem::Commit(k) => self.m.commits[k].last,
            Elem::Group(g) => {
                if self.m.mandatory[g] {
                    self.m.latest[g]
                } else {
                    self.r - 1
                }
            }
        }
    }

    /// Current completion slot of an element (R when it does not count).
    fn elem_slot(&self, e: Elem) -> usize {
        match e {
            Elem::Commit(k) => {
                if self.cval[k] > 0.0 {
                    self.m.commits[k]
                        .groups
                        .iter()
                        .map(|&g| self.slot[g])
                        .max()
                        .unwrap_or(self.r)
                } else {
                    self.r
                }
            }
            Elem::Group(g) => self.slot[g],
        }
    }

    /// Ships the element's groups (and what they need) in slot r or earlier.
    fn insert(&mut self, e: Elem, r: usize) -> bool {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.extend_from_slice(self.seeds(e));
        let mut ok = true;
        while let Some(h) = stack.pop() {
            if self.slot[h] <= r {
                continue;
            }
            if self.m.earliest[h] > r {
                ok = false;
                break;
            }
            self.set(h, r);
            stack.extend(self.m.deps[h].iter().copied());
        }
        self.stack = stack;
        ok
    }

    /// Moves group g to a later slot `target` (R = defer), with dependents that would
    /// otherwise ship earlier than it.
    fn postpone(&mut self, g: usize, target: usize) -> bool {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(g);
        let mut ok = true;
        while let Some(h) = stack.pop() {
            if self.slot[h] >= target {
                continue;
            }
            if self.m.mandatory[h] && target > self.m.latest[h] {
                ok = false;
                break;
            }
            self.set(h, target);
            stack.extend(self.m.dependents[h].iter().copied());
        }
        self.stack = stack;
        ok
    }

    /// Whether group h is needed by a counting commitment other than the one being
    /// dropped (`own`: h is in the closure of that counting commitment).
    fn needed_by_other(&self, h: usize, own: bool) -> bool {
        self.need[h] > u32::from(own)
    }

    /// Whether moving planned group h to `target` loses value of its own (score, or
    /// with a penalty, a kept place).
    fn has_own_value(&self, h: usize, target: usize) -> bool {
        let s = self.slot[h];
        self.val(h, s) > self.val(h, target) + EPS
    }

    /// Drops an element: defers what only it needs (to `target`, R = defer).
    fn drop_elem(&mut self, e: Elem, target: usize) -> bool {
        match e {
            Elem::Group(g) => {
                if !self.postpone(g, target) {
                    return false;
                }
                // deps that only it needed
                let mut stack: Vec<usize> = self.m.deps[g].clone();
                while let Some(h) = stack.pop() {
                    if self.garbage(h, false, target) {
                        self.set(h, target);
                        stack.extend(self.m.deps[h].iter().copied());
                    }
                }
                true
            }
            Elem::Commit(k) => {
                if self.cval[k] <= 0.0 {
                    return true;
                }
                let list = std::mem::take(&mut self.ccl_desc[k]);
                for &h in &list {
                    if self.garbage(h, true, target) {
                        self.set(h, target);
                    }
                }
                self.ccl_desc[k] = list;
                true
            }
        }
    }

    /// Whether planned group h can go to `target` without losing anything (but the
    /// commitment being dropped, when `own`).
    fn garbage(&self, h: usize, own: bool, target: usize) -> bool {
        let s = self.slot[h];
        s < target
            && !self.m.mandatory[h]
            && !self.has_own_value(h, target)
            && !self.needed_by_other(h, own)
            && self.m.dependents[h].iter().all(|&d| self.slot[d] >= target)
    }

    /// Defers every planned group that nothing counting needs.
    fn cleanup(&mut self) {
        self.nodes += self.m.topo.len() as u64 / 8;
        for idx in (0..self.m.topo.len()).rev() {
            let h = self.m.topo[idx];
            if self.garbage(h, false, self.r) {
                self.set(h, self.r);
            }
        }
        self.commit();
    }

    // ---- construction and local search --------------------------------------

    /// Greedy fill: add elements by value per effort while they fit.
    /// Tries `(ratio, elem, slot)` moves best ratio first (ties by index), committing
    /// each that still fits and still improves the plan. `Some(true)` when any was
    /// committed; `None` when `budgeted` and the work budget ran out.
    fn insert_improving(
        &mut self,
        mut moves: Vec<(f64, usize, usize)>,
        budgeted: bool,
    ) -> Option<bool> {
        moves.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut added = false;
        for (_, i, r) in moves {
            if budgeted && self.out_of_budget() {
                return None;
            }
            let e = self.elems[i];
            if self.elem_slot(e) <= r {
                continue;
            }
            let before = self.value();
            if self.insert(e, r) && self.cap_ok() && self.txn_value() > before + EPS {
                self.commit();
                added = true;
            } else {
                self.rollback();
            }
        }
        Some(added)
    }

    pub fn greedy_fill(&mut self) {
        for _round in 0..3 {
            let mut cands: Vec<(f64, usize, usize)> = Vec::new();
            for i in 0..self.elems.len() {
                if self.out_of_budget() {
                    return;
                }
                if self.iterations > 0 && self.tabu[i] == self.iterations {
                    continue;
                }
                let e = self.elems[i];
                let cur = self.elem_slot(e);
                let last = self.last_slot(e);
                for r in 0..=last.min(self.r - 1) {
                    if r >= cur {
                        break;
                    }
                    let before = self.value();
                    let ok = self.insert(e, r) && self.cap_ok();
                    let delta = self.txn_value() - before;
                    let cost = self.undo_size();
                    self.rollback();
                    if ok && delta > EPS {
                        cands.push((delta / (cost + 1e-3), i, r));
                    }
                }
            }
            if cands.is_empty() {
                return;
            }
            if self.insert_improving(cands, true) != Some(true) {
                return;
            }
        }
    }

    /// The size of the groups the open transaction moved.
    fn undo_size(&self) -> f64 {
        self.undo.iter().map(|&(g, _)| self.m.size[g]).sum()
    }

    /// Units the open transaction moved into slot r, per resource.
    fn undo_cost(&self, r: usize) -> Vec<i64> {
        let k = self.m.k;
        let mut c = vec![0i64; k];
        for &(g, _) in &self.undo {
            if self.slot[g] == r {
                for &(j, u) in &self.m.uses[g] {
                    c[j] += i64::try_from(u).unwrap_or(i64::MAX);
                }
            }
        }
        c
    }

    /// Room freed by the open transaction, per slot and resource (negative: taken).
    fn undo_freed(&self) -> Vec<i64> {
        let (r_n, k) = (self.r, self.m.k);
        let mut freed = vec![0i64; r_n * k];
        for &(g, old) in &self.undo {
            for &(j, u) in &self.m.uses[g] {
                let u = i64::try_from(u).unwrap_or(i64::MAX);
                if old < r_n {
                    freed[old * k + j] += u;
                }
                if self.slot[g] < r_n {
                    freed[self.slot[g] * k + j] -= u;
                }
            }
        }
        freed
    }

    /// Room left per slot and resource.
    fn room(&self) -> Vec<i64> {
        self.m
            .caps
            .iter()
            .zip(&self.load)
            .map(|(&c, &l)| {
                i64::try_from(c)
                    .unwrap_or(i64::MAX)
                    .saturating_sub(i64::try_from(l).unwrap_or(0))
            })
            .collect()
    }

    /// Local search: fill (adds by value per effort) and swap (drop one, add one)
    /// until neither finds an improvement.
    pub fn local_search(&mut self) {
        while !self.out_of_budget() && self.swap_pass() {}
    }

    /// One round: adds that fit if there are any, else the first improving swap for
    /// each counting element. Returns whether anything improved.
    #[allow(clippy::too_many_lines)]
    fn swap_pass(&mut self) -> bool {
        let (r_n, k) = (self.r, self.m.k);
        // Per element and slot: the add delta and cost in the current state.
        let mut adds: Vec<(usize, usize, f64, Vec<i64>)> = Vec::new(); // (elem, slot, delta, cost)
        let mut fits: Vec<(f64, usize, usize)> = Vec::new();
        for i in 0..self.elems.len() {
            if self.iterations > 0 && self.tabu[i] == self.iterations {
                continue;
            }
            let e = self.elems[i];
            let cur = self.elem_slot(e);
            let last = self.last_slot(e);
            for r in 0..=last.min(r_n - 1) {
                if r >= cur {
                    break;
                }
                let before = self.value();
                let ok = self.insert(e, r);
                let d = self.txn_value() - before;
                let fit = self.cap_ok();
                let size = self.undo_size();
                let c = if ok && d > EPS {
                    self.undo_cost(r)
                } else {
                    Vec::new()
                };
                self.rollback();
                if ok && d > EPS {
                    adds.push((i, r, d, c));
                    if fit {
                        fits.push((d / (size + 1e-3), i, r));
                    }
                }
            }
        }
        if !fits.is_empty() {
            if self.noise {
                for f in &mut fits {
                    f.0 *= 1.0 + 0.5 * self.rng.unit();
                }
            }
            self.noise = false;
            if self.insert_improving(fits, false) == Some(true) {
                return true;
            }
        }
        if adds.is_empty() {
            return false;
        }
        adds.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        // Per slot: the adds into it (by delta), with the cheapest cost (per resource)
        // from each position on, to stop scanning when nothing further can fit.
        let mut by_slot: Vec<Vec<(usize, f64, usize)>> = vec![Vec::new(); r_n];
        for (a, &(j, r, d, _)) in adds.iter().enumerate() {
            by_slot[r].push((j, d, a));
        }
        let min_cost: Vec<Vec<i64>> = by_slot
            .iter()
            .map(|list| {
                let mut m = vec![i64::MAX; (list.len() + 1) * k];
                for idx in (0..list.len()).rev() {
                    for j in 0..k {
                        m[idx * k + j] = m[(idx + 1) * k + j].min(adds[list[idx].2].3[j]);
                    }
                }
                m
            })
            .collect();
        let room_now = self.room();
        let mut improved = false;
        let mut drops: Vec<(usize, f64, Vec<i64>)> = Vec::new();
        for i in 0..self.elems.len() {
            if self.out_of_budget() {
                break;
            }
            let e1 = self.elems[i];
            let cur1 = self.elem_slot(e1);
            if cur1 >= r_n {
                continue;
            }
            // Defer it, or (with several slots) postpone it to a later slot.
            let mut done = false;
            for target in (cur1 + 1..=r_n).rev() {
                if done {
                    break;
                }
                let before = self.value();
                if !self.drop_elem(e1, target) {
                    self.rollback();
                    continue;
                }
                let loss = before - self.txn_value();
                let freed = self.undo_freed();
                self.rollback();
                if target == r_n && loss > -EPS {
                    drops.push((i, loss, freed.clone()));
                }
                let mut best: Option<(f64, usize, usize)> = None;
                for r in 0..r_n {
                    let room: Vec<i64> = (0..k)
                        .map(|j| room_now[r * k + j].saturating_add(freed[r * k + j]))
                        .collect();
                    if k == 1 && room[0] <= 0 {
                        continue;
                    }
                    let mut tries = 0;
                    for (idx, &(j, d, a)) in by_slot[r].iter().enumerate() {
                        self.scanned += 1;
                        if (0..k).any(|x| min_cost[r][idx * k + x] > room[x]) || d <= loss + EPS {
                            break; // nothing further fits, or can pay for the loss
                        }
                        if best.is_some_and(|(bg, _, _)| d - loss <= bg + EPS) {
                            break;
                        }
                        if j == i || (0..k).any(|x| adds[a].3[x] > room[x]) {
                            continue;
                        }
                        let e2 = self.elems[j];
                        if self.elem_slot(e2) <= r {
                            continue;
                        }
                        let ok = self.drop_elem(e1, target) && self.insert(e2, r) && self.cap_ok();
                        let gain = self.txn_value() - before;
                        self.rollback();
                        if ok && gain > EPS {
                            if best.is_none_or(|(bg, _, _)| gain > bg) {
                                best = Some((gain, j, r));
                            }
                            break;
                        }
                        tries += 1;
                        if tries >= 40 {
                            break;
                        }
                    }
                }
                if let Some((_, j, r)) = best {
                    let e2 = self.elems[j];
                    self.drop_elem(e1, target);
                    self.insert(e2, r);
                    self.commit();
                    improved = true;
                    done = true;
                }
            }
        }
        self.nodes += self.scanned / 8;
        self.scanned = 0;
        if !improved {
            improved = self.eject_pass(&adds, &drops);
        }
        improved
    }

    /// Adds one element, making room by dropping the counting elements that lose the
    /// least value per unit of freed room (an ejection move: one in, several out).
    fn eject_pass(
        &mut self,
        adds: &[(usize, usize, f64, Vec<i64>)],
        drops: &[(usize, f64, Vec<i64>)],
    ) -> bool {
        let (r_n, k) = (self.r, self.m.k);
        let tight = &self.m.tight;
        let mut by_slot: Vec<Vec<usize>> = Vec::with_capacity(r_n);
        for r in 0..r_n {
            #[allow(clippy::cast_precision_loss)]
            let freed = |x: usize| -> f64 {
                (0..k)
                    .map(|j| drops[x].2[r * k + j].max(0) as f64 * tight[j])
                    .sum()
            };
            let mut idx: Vec<(f64, usize)> = (0..drops.len())
                .filter(|&x| (0..k).any(|j| drops[x].2[r * k + j] > 0))
                .map(|x| (drops[x].1 / freed(x), x))
                .collect();
            idx.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            by_slot.push(idx.into_iter().map(|x| x.1).collect());
        }
        let room = self.room();
        let mut tries = 0;
        for (j, r, d, c) in adds {
            let (j, r, d) = (*j, *r, *d);
            if tries >= 60 || self.out_of_budget() {
                break;
            }
            let need: Vec<i64> = (0..k)
                .map(|x| c[x].saturating_sub(room[r * k + x]))
                .collect();
            if need.iter().all(|&x| x <= 0) {
                continue;
            }
            let mut picked = Vec::new();
            let (mut freed, mut loss) = (vec![0i64; k], 0.0);
            let covered = |freed: &[i64]| (0..k).all(|x| freed[x] >= need[x]);
            for &x in &by_slot[r] {
                if drops[x].0 == j {
                    continue;
                }
                if !(0..k).any(|y| need[y] > freed[y] && drops[x].2[r * k + y] > 0) {
                    continue; // frees nothing that is still short
                }
                picked.push(drops[x].0);
                for y in 0..k {
                    freed[y] += drops[x].2[r * k + y];
                }
                loss += drops[x].1;
                if covered(&freed) || loss >= d {
                    break;
                }
            }
            if !covered(&freed) || loss >= d - EPS {
                continue;
            }
            tries += 1;
            let before = self.value();
            let mut ok = true;
            for &i in &picked {
                ok &= self.drop_elem(self.elems[i], r_n);
            }
            ok = ok && self.insert(self.elems[j], r) && self.cap_ok();
            if ok && self.txn_value() > before + EPS {
                self.commit();
                return true;
            }
            self.rollback();
        }
        false
    }

    /// Lagrangian repair: starts from a closure that may overload slots, then, slot
    /// by slot, postpones the planned group that loses the least value per unit of
    /// room until the slot fits; finally fills greedily.
    pub fn repair(&mut self, slots: &[usize]) {
        // Mandatory groups must keep their windows; start them from the closure
        // (which respects windows), everything else as in the closure too.
        self.load_state(slots);
        let (r_n, k) = (self.r, self.m.k);
        for r in 0..r_n {
            let over = |load: &[u64], caps: &[u64]| -> Vec<bool> {
                (0..k).map(|j| load[r * k + j] > caps[r * k + j]).collect()
            };
            let over_now = over(&self.load, &self.m.caps);
            if !over_now.iter().any(|&o| o) {
                continue;
            }
            // Rank the groups in the slot once by value lost per unit of room freed
            // where the slot is over.
            let target = if r + 1 < r_n { r + 1 } else { r_n };
            let mut ranked: Vec<(f64, usize)> = Vec::new();
            for g in 0..self.slot.len() {
                if self.slot[g] != r {
                    continue;
                }
                if self.out_of_budget() {
                    break;
                }
                let before = self.value();
                let load_before: Vec<u64> = self.load[r * k..(r + 1) * k].to_vec();
                let ok = self.postpone(g, target);
                let loss = before - self.txn_value();
                #[allow(clippy::cast_precision_loss)]
                let freed: f64 = (0..k)
                    .filter(|&j| over_now[j])
                    .map(|j| {
                        load_before[j].saturating_sub(self.load[r * k + j]) as f64 * self.m.tight[j]
                    })
                    .sum();
                self.rollback();
                if ok && freed > 0.0 {
                    ranked.push((loss / freed, g));
                }
            }
            ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (_, g) in ranked {
                if !over(&self.load, &self.m.caps).iter().any(|&o| o) {
                    break;
                }
                // Only groups that still free something where the slot is over.
                let frees = self.m.uses[g]
                    .iter()
                    .any(|&(j, _)| self.load[r * k + j] > self.m.caps[r * k + j]);
                if self.slot[g] == r && frees {
                    if self.postpone(g, target) {
                        self.commit();
                    } else {
                        self.rollback();
                    }
                }
            }
        }
        if self.cap_ok() {
            self.cleanup();
            self.greedy_fill();
            self.record_best();
        } else {
            let base = self.base.clone();
            self.load_state(&base);
        }
    }

    /// The stability phase's best plan (the current best when there is none).
    pub fn stable_slots(&self) -> Vec<usize> {
        self.stable
            .as_ref()
            .map_or_else(|| self.best.clone(), |st| st.slots.clone())
    }

    /// Moves group g to slot `target` with what that drags along (dependencies
    /// earlier, dependents later), inside the open transaction.
    fn place(&mut self, g: usize, target: usize) -> bool {
        let cur = self.slot[g];
        if target < cur {
            self.insert(Elem::Group(g), target)
        } else if target > cur {
            self.postpone(g, target)
        } else {
            true
        }
    }

    /// Undoes moves against the baseline, one group at a time and in pairs (one
    /// back, and a moved group in the slot it needs room in back too), while the
    /// plan stays within the stability threshold; keeps the best by (moves,
    /// objective) in `stable`. Runs without a penalty.
    pub fn undo_moves(&mut self) {
        let Some(st) = self.stable.as_ref() else {
            return;
        };
        let home: Vec<usize> = (0..self.slot.len())
            .map(|g| {
                (0..=self.r)
                    .min_by_key(|&s| (self.m.moves[g][s], s))
                    .unwrap_or(self.r)
            })
            .collect();
        let from = st.slots.clone();
        self.load_state(&from);
        let k = self.m.k;
        for _round in 0..4 {
            let mut improved = false;
            for g in 0..self.slot.len() {
                if self.out_of_budget() {
                    return;
                }
                let (cur, h) = (self.slot[g], home[g]);
                if self.m.moves[g][cur] <= self.m.moves[g][h] {
                    continue;
                }
                let ok = self.place(g, h);
                if ok && self.cap_ok() && self.stable_better_txn() {
                    self.commit();
                    self.note_stable();
                    improved = true;
                    continue;
                }
                if !ok {
                    self.rollback();
                    continue;
                }
                // Over capacity: also move back a moved group from a slot that is over.
                let over: Vec<usize> = (0..self.r)
                    .filter(|&r| (0..k).any(|j| self.load[r * k + j] > self.m.caps[r * k + j]))
                    .collect();
                self.rollback();
                let mut partners: Vec<usize> = (0..self.slot.len())
                    .filter(|&x| {
                        x != g
                            && over.contains(&self.slot[x])
                            && self.m.moves[x][self.slot[x]] > self.m.moves[x][home[x]]
                    })
                    .collect();
                partners.truncate(40);
                for x in partners {
                    let ok = self.place(g, h) && self.place(x, home[x]);
                    if ok && self.cap_ok() && self.stable_better_txn() {
                        self.commit();
                        self.note_stable();
                        improved = true;
                        break;
                    }
                    self.rollback();
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Whether the state inside the open transaction beats the stability phase's best.
    fn stable_better_txn(&self) -> bool {
        let obj = self.txn_value() + {
            #[allow(clippy::cast_precision_loss)]
            let p = self.penalty * self.mvsum as f64;
            p
        };
        self.stable
            .as_ref()
            .is_some_and(|st| st.better(self.mvsum, obj))
    }

    /// Builds a solution from the base by inserting elements in the given order.
    pub fn construct(&mut self, order: &[(Elem, usize)]) {
        let base = self.base.clone();
        self.load_state(&base);
        for &(e, r) in order {
            if self.out_of_budget() {
                break;
            }
            let last = self.last_slot(e).min(self.r - 1);
            for rr in r..=last {
                if self.elem_slot(e) <= rr {
                    break;
                }
                let before = self.value();
                if self.insert(e, rr) && self.cap_ok() && self.txn_value() > before + EPS {
                    self.commit();
                    break;
                }
                self.rollback();
            }
        }
        self.greedy_fill();
        self.record_best();
    }

    /// Iterated local search from the best solution (late-acceptance), until the budget
    /// is spent, the bound is reached, or `stall` rounds bring nothing new.
    pub fn run(&mut self, bound: f64, tol: f64, stall: u64, report: &mut dyn FnMut(f64)) {
        let best = self.best.clone();
        self.load_state(&best);
        self.local_search();
        self.record_best();
        report(self.best_val);
        let mut stale = 0u64;
        const HIST: usize = 60;
        let mut hist = vec![self.value(); HIST];
        let mut saved = self.slot.clone();
        let restart: u64 = 1500;
        while !self.out_of_budget() && self.best_val < bound - tol && stale < stall {
            self.iterations += 1;
            self.nodes += (self.elems.len() + self.slot.len()) as u64 / 8;
            let before = self.value();
            saved.copy_from_slice(&self.slot);
            // Perturb: drop a few counting elements.
            let counting: Vec<usize> = (0..self.elems.len())
                .filter(|&i| self.elem_slot(self.elems[i]) < self.r)
                .collect();
            if counting.is_empty() {
                break;
            }
            #[allow(clippy::cast_possible_truncation)]
            let kmax = if self.rng.below(8) == 0 {
                (counting.len() / 8).max(2)
            } else {
                (2 + (stale / 50) as usize).min(6).min(counting.len())
            };
            let k = 1 + self.rng.below(kmax);
            if self.rng.below(2) == 0 {
                for _ in 0..k {
                    let i = counting[self.rng.below(counting.len())];
                    self.tabu[i] = self.iterations;
                    let e = self.elems[i];
                    if self.drop_elem(e, self.r) {
                        self.commit();
                    } else {
                        self.rollback();
                    }
                }
            } else {
                // Drop a random planned group with everything that needs it.
                let planned: Vec<usize> = (0..self.slot.len())
                    .filter(|&g| self.slot[g] < self.r && !self.m.mandatory[g])
                    .collect();
                if !planned.is_empty() {
                    let moves = if self.r == 1 { k.min(2) } else { k };
                    for _ in 0..moves {
                        let g = planned[self.rng.below(planned.len())];
                        // With several releases, often just a later release.
                        let target = if self.r == 1 || self.slot[g] >= self.r {
                            self.r
                        } else {
                            self.slot[g] + 1 + self.rng.below(self.r - self.slot[g])
                        };
                        // The first release from `target` on where it fits (or defer).
                        for t in target..=self.r {
                            if self.postpone(g, t) && self.cap_ok() {
                                self.commit();
                                break;
                            }
                            self.rollback();
                        }
                    }
                    for i in 0..self.elems.len() {
                        if self.elem_slot(self.elems[i]) >= self.r {
                            self.tabu[i] = self.iterations;
                        }
                    }
                    self.cleanup();
                }
            }
            // Often force in a random element that is not counting.
            if self.rng.below(3) != 0 {
                let off: Vec<usize> = (0..self.elems.len())
                    .filter(|&i| self.elem_slot(self.elems[i]) >= self.r)
                    .collect();
                if !off.is_empty() {
                    let i = off[self.rng.below(off.len())];
                    let e = self.elems[i];
                    let r = self.rng.below(self.last_slot(e).min(self.r - 1) + 1);
                    if self.insert(e, r) && self.cap_ok() {
                        self.commit();
                    } else {
                        self.rollback();
                        // make room: drop random counting elements until it fits (bounded)
                        for _ in 0..4 {
                            let counting: Vec<usize> = (0..self.elems.len())
                                .filter(|&j| j != i && self.elem_slot(self.elems[j]) < self.r)
                                .collect();
                            if counting.is_empty() {
                                break;
                            }
                            let j = counting[self.rng.below(counting.len())];
                            if self.drop_elem(self.elems[j], self.r) {
                                self.commit();
                            } else {
                                self.rollback();
                            }
                            if self.insert(e, r) && self.cap_ok() {
                                self.commit();
                                break;
                            }
                            self.rollback();
                        }
                    }
                }
            }
            self.noise = self.rng.below(2) == 0;
            self.local_search();
            let v = self.value();
            if v > self.best_val + EPS {
                self.record_best();
                report(self.best_val);
                stale = 0;
            } else {
                stale += 1;
                if stale.is_multiple_of(restart) {
                    // Restart from the best with a fresh history.
                    let best = self.best.clone();
                    self.load_state(&best);
                    hist.iter_mut().for_each(|h| *h = self.best_val);
                    continue;
                }
            }
            #[allow(clippy::cast_possible_truncation)]
            let slot_h = (self.iterations as usize) % HIST;
            // Threshold accepting, cooling with the spent budget.
            #[allow(clippy::cast_precision_loss)]
            let cool = 1.0 - (self.nodes as f64 / self.node_limit.max(1) as f64).min(1.0);
            let delta = self.accept * cool * self.best_val.abs();
            if v + EPS >= hist[slot_h] || v + EPS >= before || v >= self.best_val - delta {
                hist[slot_h] = v;
            } else {
                self.load_state(&saved);
                hist[slot_h] = before;
            }
        }
        // Recompute exactly (undo accumulated round-off).
        let best = self.best.clone();
        self.load_state(&best);
        self.best_val = self.value();
    }
}

impl Model {
    /// Identity map used to borrow a group index as a one-element slice.
    pub(crate) fn members_index(&self) -> &[usize] {
        &self.index
    }
}

/// Exhaustive search for tiny problems: the optimum, or None when too big or over
/// budget. With `stable = Some((threshold, _))` it returns instead the plan with the
/// fewest moves among those whose objective reaches the threshold (ties: the higher
/// objective), and None when there is none.
pub(crate) fn exhaustive(
    m: &Model,
    node_limit: u64,
    deadline: Deadline,
    stats: &mut Stats,
    threshold: Option<f64>,
) -> Option<(Vec<usize>, f64)> {
    let g_n = m.groups();
    #[allow(clippy::cast_precision_loss)]
    let space = ((m.r + 1) as f64).powi(i32::try_from(g_n).unwrap_or(i32::MAX));
    if space > 2.0e6 || m.r == 0 {
        return None;
    }
    struct Dfs<'m> {
        m: &'m Model,
        slot: Vec<usize>,
        load: Vec<u64>,
        /// (slots, objective, moves)
        best: Option<(Vec<usize>, f64, u64)>,
        threshold: Option<f64>,
        nodes: u64,
        limit: u64,
        deadline: Deadline,
        aborted: bool,
    }
    impl Dfs<'_> {
        fn go(&mut self, i: usize) {
            if self.aborted {
                return;
            }
            self.nodes += 1;
            if self.nodes >= self.limit
                || (self.nodes.is_multiple_of(4096) && self.deadline.passed())
            {
                self.aborted = true;
                return;
            }
            let m = self.m;
            if i == m.topo.len() {
                let v = total_value(m, &self.slot);
                let better = match (self.threshold, &self.best) {
                    (None, None) => true,
                    (None, Some((_, b, _))) => v > *b + EPS,
                    (Some(t), best) => {
                        let mv = total_moves(m, &self.slot);
                        v >= t
                            && best
                                .as_ref()
                                .is_none_or(|(_, b, bm)| mv < *bm || (mv == *bm && v > *b + EPS))
                    }
                };
                if better {
                    let mv = total_moves(m, &self.slot);
                    self.best = Some((self.slot.clone(), v, mv));
                }
                return;
            }
            let g = m.topo[i];
            let mut lo = m.earliest[g];
            let mut any_deferred = false;
            for &d in &m.deps[g] {
                if self.slot[d] >= m.r {
                    any_deferred = true;
                } else {
                    lo = lo.max(self.slot[d]);
                }
            }
            let hi = if m.mandatory[g] { m.latest[g] } else { m.r - 1 };
            if !any_deferred {
                for s in lo..=hi {
                    if m.fits(&self.load, g, s) {
                        m.add_load(&mut self.load, g, s);
                        self.slot[g] = s;
                        self.go(i + 1);
                        m.sub_load(&mut self.load, g, s);
                    }
                }
            }
            if !m.mandatory[g] {
                self.slot[g] = m.r;
                self.go(i + 1);
            }
            self.slot[g] = m.r;
        }
    }
    let mut dfs = Dfs {
        m,
        slot: vec![m.r; g_n],
        load: vec![0; m.r * m.k],
        best: None,
        threshold,
        nodes: 0,
        limit: node_limit,
        deadline,
        aborted: false,
    };
    dfs.go(0);
    stats.nodes += dfs.nodes;
    if dfs.aborted {
        return None;
    }
    dfs.best.map(|(s, v, _)| (s, v))
}

/// The moves against the baseline of a group-level assignment.
pub(crate) fn total_moves(m: &Model, slot: &[usize]) -> u64 {
    (0..slot.len())
        .map(|g| u64::from(m.moves[g][slot[g]]))
        .sum()
}

/// The objective of a group-level assignment.
pub(crate) fn total_value(m: &Model, slot: &[usize]) -> f64 {
    let mut v: f64 = (0..slot.len()).map(|g| m.value[g][slot[g]]).sum();
    for c in &m.commits {
        if !c.possible {
            continue;
        }
        let mut last = 0;
        let mut all = true;
        for &g in &c.groups {
            if slot[g] >= m.r {
                all = false;
                break;
            }
            last = last.max(slot[g]);
        }
        if all && last <= c.last {
            v += c.weight * m.weights[last];
        }
    }
    v
}
