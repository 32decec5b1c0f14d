//! The solver's view of a [`Problem`]: coupled requests merged into groups, slot
//! windows derived from pins, deadlines and dependencies, per-slot values, and the
//! contradictions found on the way. Everything downstream works on groups.

use super::{Contradiction, Problem};

/// A commitment over groups.
#[derive(Debug, Clone)]
pub(crate) struct CModel {
    pub weight: f64,
    /// Member groups, sorted, deduplicated.
    pub groups: Vec<usize>,
    /// Latest slot in which its last group may ship for it to count.
    pub last: usize,
    /// Member groups plus everything they transitively depend on, sorted.
    pub closure: Vec<usize>,
    /// Whether it can count at all (every member can ship by `last`).
    pub possible: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Model {
    /// Number of slots R; slot index R means "deferred".
    pub r: usize,
    /// Number of constrained resources K (the total and/or teams; unconstrained
    /// ones are left out).
    pub k: usize,
    /// Capacity per slot and resource, `caps[s * K + j]` (`u64::MAX` = unlimited).
    pub caps: Vec<u64>,
    pub weights: Vec<f64>,
    pub group_of: Vec<usize>,
    pub members: Vec<Vec<usize>>,
    /// Total effort per group (for messages).
    pub effort: Vec<u64>,
    /// Units per group and resource, sparse, each > 0.
    pub uses: Vec<Vec<(usize, u64)>>,
    /// A scalar size per group for value-per-size rankings: its units weighted by
    /// how tight each resource is (demand over supply), scaled to its effort when
    /// there is only one resource.
    pub size: Vec<f64>,
    /// Per resource: how tight it is (demand over supply; 1 with one resource).
    pub tight: Vec<f64>,
    /// value[g][s] for s in 0..=R (R = deferred).
    pub value: Vec<Vec<f64>>,
    /// moves[g][s]: members whose baseline place differs from s (all 0 without a baseline).
    pub moves: Vec<Vec<u32>>,
    pub deps: Vec<Vec<usize>>,
    pub dependents: Vec<Vec<usize>>,
    pub earliest: Vec<usize>,
    /// Latest slot for mandatory groups (R - 1 otherwise).
    pub latest: Vec<usize>,
    pub mandatory: Vec<bool>,
    /// Groups in topological order (dependencies first).
    pub topo: Vec<usize>,
    pub commits: Vec<CModel>,
    /// Commitments that contain a group (as a member).
    pub commits_of: Vec<Vec<usize>>,
    /// Whether every objective coefficient is an integer (bounds may be floored).
    pub integral: bool,
    pub ids: Vec<String>,
    /// 0..groups, to borrow a group index as a slice.
    pub index: Vec<usize>,
}

fn invalid(message: String) -> Contradiction {
    Contradiction::Invalid { message }
}

/// The root of x in a union-find forest (halving the path on the way).
pub(crate) fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn is_int(x: f64) -> bool {
    x.is_finite() && (x - x.round()).abs() <= 1e-9 * x.abs().max(1.0)
}

impl Model {
    #[allow(clippy::too_many_lines)]
    pub fn build(p: &Problem) -> Result<Self, Contradiction> {
        let n = p.requests.len();
        let r = p.slots.len();
        let ids: Vec<String> = p.requests.iter().map(|x| x.id.clone()).collect();
        let slot_ids: Vec<String> = p.slots.iter().map(|s| s.id.clone()).collect();
        let t_n = p.teams.len();
        if !p.replan_tolerance.is_finite() || !(0.0..=100.0).contains(&p.replan_tolerance) {
            return Err(invalid(
                "the re-planning tolerance must be a percentage from 0 to 100".into(),
            ));
        }
        for s in &p.slots {
            if !s.weight.is_finite() {
                return Err(invalid(format!(
                    "slot {} has a weight that is not finite",
                    s.id
                )));
            }
            if s.team_capacity.len() != t_n {
                return Err(invalid(format!(
                    "slot {} has {} team capacities for {t_n} teams",
                    s.id,
                    s.team_capacity.len()
                )));
            }
        }
        for (i, it) in p.requests.iter().enumerate() {
            if it.effort == 0 {
                return Err(invalid(format!("{} has effort 0", it.id)));
            }
            if !it.score.is_finite() || it.score < 0.0 {
                return Err(invalid(format!(
                    "{} has a score that is not finite and >= 0",
                    it.id
                )));
            }
            for &d in it.depends_on.iter().chain(&it.together_with) {
                if d >= n {
                    return Err(invalid(format!(
                        "{} refers to request index {d}, out of range",
                        ids[i]
                    )));
                }
            }
            if let Some(s) = it.pin.filter(|&s| s >= r) {
                return Err(invalid(format!(
                    "{} is pinned to slot {s}, outside the horizon",
                    ids[i]
                )));
            }
            if let Some(s) = it.baseline.filter(|&s| p.has_baseline && s >= r) {
                return Err(invalid(format!(
                    "{} is in slot {s} of the baseline, outside the horizon",
                    ids[i]
                )));
            }
            if let Some(&(t, _)) = it.team_effort.iter().find(|&&(t, _)| t >= t_n) {
                return Err(invalid(format!(
                    "{} names team index {t}, out of range",
                    ids[i]
                )));
            }
            if it.latest.is_some() && r == 0 {
                return Err(Contradiction::DeadlineTooEarly {
                    request: ids[i].clone(),
                    latest: "(no open release)".into(),
                    because: ids[i].clone(),
                    earliest: "(no open release)".into(),
                });
            }
        }
        for c in &p.commitments {
            if !c.weight.is_finite() {
                return Err(invalid(format!(
                    "commitment {} has a weight that is not finite",
                    c.label
                )));
            }
            if let Some(&bad) = c.requests.iter().find(|&&x| x >= n) {
                return Err(invalid(format!(
                    "commitment {} refers to request index {bad}, out of range",
                    c.label
                )));
            }
        }

        // Groups by union-find over together_with, numbered by smallest member.
        let mut parent: Vec<usize> = (0..n).collect();
        for (i, it) in p.requests.iter().enumerate() {
            for &t in &it.together_with {
                let a = find(&mut parent, i);
                let b = find(&mut parent, t);
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        // A cycle of dependencies alone is a contradiction.
        {
            let mut indeg = vec![0usize; n];
            let mut rdeps: Vec<Vec<usize>> = vec![Vec::new(); n];
            for (i, it) in p.requests.iter().enumerate() {
                for &d in &it.depends_on {
                    if d != i {
                        indeg[i] += 1;
                        rdeps[d].push(i);
                    }
                }
            }
            let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
            let mut done = 0;
            while let Some(d) = queue.pop() {
                done += 1;
                for &i in &rdeps[d] {
                    indeg[i] -= 1;
                    if indeg[i] == 0 {
                        queue.push(i);
                    }
                }
            }
            if done < n {
                let identity: Vec<usize> = (0..n).collect();
                return Err(Contradiction::DependencyCycle {
                    requests: find_cycle(p, &identity, &indeg),
                });
            }
        }
        // A cycle that closes only through couplings forces everything on it into one
        // slot (all or nothing): merge such strongly connected groups.
        merge_cyclic_groups(p, &mut parent);
        let mut group_of = vec![usize::MAX; n];
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut root_group = vec![usize::MAX; n];
        for i in 0..n {
            let root = find(&mut parent, i);
            if root_group[root] == usize::MAX {
                root_group[root] = members.len();
                members.push(Vec::new());
            }
            group_of[i] = root_group[root];
            members[root_group[root]].push(i);
        }
        let g_n = members.len();

        // Resources: the total (when some slot limits it) and every team some request uses.
        let mut res_team: Vec<Option<usize>> = Vec::new();
        if p.slots.iter().any(|s| s.capacity.is_some()) {
            res_team.push(None);
        }
        for t in 0..t_n {
            if p.requests
                .iter()
                .any(|it| it.team_effort.iter().any(|&(x, u)| x == t && u > 0))
            {
                res_team.push(Some(t));
            }
        }
        let k_n = res_team.len();
        let mut caps = vec![u64::MAX; r * k_n];
        for (s, slot) in p.slots.iter().enumerate() {
            for (j, rt) in res_team.iter().enumerate() {
                caps[s * k_n + j] = match rt {
                    None => slot.capacity.unwrap_or(u64::MAX),
                    Some(t) => slot.team_capacity[*t],
                };
            }
        }
        let res_name = |j: usize| res_team[j].map(|t| p.teams[t].clone());
        let mut effort = vec![0u64; g_n];
        let mut uses: Vec<Vec<(usize, u64)>> = vec![Vec::new(); g_n];
        let mut pin: Vec<Option<usize>> = vec![None; g_n];
        let mut own_latest: Vec<Option<(usize, usize)>> = vec![None; g_n]; // (slot, request)
        for (g, mem) in members.iter().enumerate() {
            let mut per_res = vec![0u64; k_n];
            for &i in mem {
                let it = &p.requests[i];
                effort[g] += it.effort;
                for (j, rt) in res_team.iter().enumerate() {
                    per_res[j] += match rt {
                        None => it.effort,
                        Some(t) => it
                            .team_effort
                            .iter()
                            .filter(|&&(x, _)| x == *t)
                            .map(|&(_, u)| u)
                            .sum(),
                    };
                }
                if let Some(pi) = it.pin {
                    match pin[g] {
                        Some(q) if q != pi => {
                            return Err(Contradiction::ConflictingPins {
                                requests: mem.iter().map(|&m| ids[m].clone()).collect(),
                            })
                        }
                        _ => pin[g] = Some(pi),
                    }
                    if own_latest[g].is_none_or(|(l, _)| pi < l) {
                        own_latest[g] = Some((pi, i));
                    }
                }
                if let Some(l) = it.latest {
                    let l = l.min(r.saturating_sub(1));
                    if own_latest[g].is_none_or(|(x, _)| l < x) {
                        own_latest[g] = Some((l, i));
                    }
                }
            }
            uses[g] = (0..k_n)
                .filter(|&j| per_res[j] > 0)
                .map(|j| (j, per_res[j]))
                .collect();
            if mem.len() > 1 {
                for &(j, u) in &uses[g] {
                    let max_cap = (0..r).map(|s| caps[s * k_n + j]).max().unwrap_or(0);
                    if u > max_cap {
                        return Err(Contradiction::GroupTooLarge {
                            requests: mem.iter().map(|&m| ids[m].clone()).collect(),
                            team: res_name(j),
                            effort: u,
                            max_capacity: max_cap,
                        });
                    }
                }
            }
        }
        // Tightness of each resource: demand over supply (at least a little).
        #[allow(clippy::cast_precision_loss)]
        let tight: Vec<f64> = if k_n <= 1 {
            vec![1.0; k_n]
        } else {
            (0..k_n)
                .map(|j| {
                    let demand: f64 = uses
                        .iter()
                        .flat_map(|u| u.iter().filter(|x| x.0 == j).map(|x| x.1 as f64))
                        .sum();
                    let supply: f64 = (0..r)
                        .map(|s| caps[s * k_n + j].min(1 << 40) as f64)
                        .sum::<f64>()
                        .max(1.0);
                    (demand / supply).max(0.05)
                })
                .collect()
        };
        let size = {
            #[allow(clippy::cast_precision_loss)]
            let size: Vec<f64> = (0..g_n)
                .map(|g| {
                    if k_n <= 1 {
                        effort[g] as f64
                    } else {
                        let s: f64 = uses[g].iter().map(|&(j, u)| u as f64 * tight[j]).sum();
                        s.max(1e-3)
                    }
                })
                .collect();
            size
        };

        // Group dependencies.
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); g_n];
        // (group dep) -> (request, dependency request) for messages
        let mut dep_witness: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); g_n];
        for (i, it) in p.requests.iter().enumerate() {
            let g = group_of[i];
            for &d in &it.depends_on {
                let gd = group_of[d];
                if gd != g {
                    deps[g].push(gd);
                    dep_witness[g].push((gd, i, d));
                }
            }
        }
        for d in &mut deps {
            d.sort_unstable();
            d.dedup();
        }
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); g_n];
        for (g, ds) in deps.iter().enumerate() {
            for &d in ds {
                dependents[d].push(g);
            }
        }

        // Topological order (Kahn), smallest index first for determinism.
        let mut indeg: Vec<usize> = deps.iter().map(Vec::len).collect();
        let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..g_n)
            .filter(|&g| indeg[g] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut topo = Vec::with_capacity(g_n);
        while let Some(std::cmp::Reverse(g)) = heap.pop() {
            topo.push(g);
            for &h in &dependents[g] {
                indeg[h] -= 1;
                if indeg[h] == 0 {
                    heap.push(std::cmp::Reverse(h));
                }
            }
        }
        if topo.len() < g_n {
            return Err(Contradiction::DependencyCycle {
                requests: find_cycle(p, &group_of, &indeg),
            });
        }

        // Earliest slots from pins through dependencies.
        let mut earliest = vec![0usize; g_n];
        for &g in &topo {
            let mut e = 0;
            let mut why = None;
            for &(gd, i, d) in &dep_witness[g] {
                if earliest[gd] > e || (why.is_none() && earliest[gd] == e && e > 0) {
                    e = earliest[gd];
                    why = Some((i, d));
                }
            }
            if let Some(pi) = pin[g] {
                if pi < e {
                    let (i, d) = why.unwrap_or((members[g][0], members[g][0]));
                    let pinned_req = members[g]
                        .iter()
                        .copied()
                        .find(|&m| p.requests[m].pin.is_some())
                        .unwrap_or(i);
                    return Err(Contradiction::PinBeforeDependency {
                        request: ids[pinned_req].clone(),
                        pinned: slot_ids[pi].clone(),
                        dependency: ids[d].clone(),
                        dependency_slot: slot_ids[e].clone(),
                    });
                }
                e = pi;
            }
            earliest[g] = e;
        }

        // Mandatory groups and their latest slots (from pins/deadlines of dependents).
        let mut mandatory = vec![false; g_n];
        let mut latest = vec![r.saturating_sub(1); g_n];
        let mut latest_why: Vec<usize> = members.iter().map(|m| m[0]).collect();
        for &g in topo.iter().rev() {
            if let Some((l, i)) = own_latest[g] {
                if !mandatory[g] || l < latest[g] {
                    latest[g] = l;
                    latest_why[g] = i;
                }
                mandatory[g] = true;
            }
            if mandatory[g] {
                if latest[g] < earliest[g] {
                    return Err(Contradiction::DeadlineTooEarly {
                        request: ids[members[g][0]].clone(),
                        latest: slot_ids[latest[g]].clone(),
                        because: ids[latest_why[g]].clone(),
                        earliest: slot_ids[earliest[g]].clone(),
                    });
                }
                for &d in &deps[g] {
                    if !mandatory[d] || latest[g] < latest[d] {
                        latest[d] = latest[g];
                        latest_why[d] = latest_why[g];
                        mandatory[d] = true;
                    }
                }
            }
        }

        // Groups forced into one slot must fit it.
        for s in 0..r {
            let forced: Vec<usize> = (0..g_n)
                .filter(|&g| mandatory[g] && earliest[g] == s && latest[g] == s)
                .collect();
            for j in 0..k_n {
                let total: u64 = forced
                    .iter()
                    .flat_map(|&g| uses[g].iter().filter(|x| x.0 == j).map(|x| x.1))
                    .sum();
                if total > caps[s * k_n + j] {
                    return Err(Contradiction::PinsOverCapacity {
                        slot: slot_ids[s].clone(),
                        team: res_name(j),
                        requests: forced
                            .iter()
                            .filter(|&&g| uses[g].iter().any(|x| x.0 == j))
                            .flat_map(|&g| members[g].iter().map(|&m| ids[m].clone()))
                            .collect(),
                        effort: total,
                        capacity: caps[s * k_n + j],
                    });
                }
            }
        }

        // Values (and moves against the baseline) per slot.
        let weights: Vec<f64> = p.slots.iter().map(|s| s.weight).collect();
        let mut integral = true;
        let mut value = vec![vec![0.0; r + 1]; g_n];
        let mut moves = vec![vec![0u32; r + 1]; g_n];
        for (g, mem) in members.iter().enumerate() {
            for s in 0..=r {
                let mut v = 0.0;
                for &i in mem {
                    let it = &p.requests[i];
                    if s < r {
                        v += it.score * weights[s];
                        integral &= is_int(it.score * weights[s]);
                    }
                    let place = if s < r { Some(s) } else { None };
                    if p.has_baseline && it.baseline != place {
                        moves[g][s] += 1;
                    }
                }
                value[g][s] = v;
            }
        }

        // Commitments.
        let mut commits = Vec::new();
        let mut commits_of = vec![Vec::new(); g_n];
        let mut stamp = vec![usize::MAX; g_n];
        for (ci, c) in p.commitments.iter().enumerate() {
            if c.requests.is_empty() || r == 0 {
                continue;
            }
            let mut groups: Vec<usize> = c.requests.iter().map(|&x| group_of[x]).collect();
            groups.sort_unstable();
            groups.dedup();
            let last = c.latest.unwrap_or(r - 1).min(r - 1);
            let possible = groups.iter().all(|&g| earliest[g] <= last);
            for &w in &weights {
                integral &= is_int(c.weight * w);
            }
            // Closure through dependencies.
            let mut closure = Vec::new();
            let mut stack = groups.clone();
            while let Some(g) = stack.pop() {
                if stamp[g] == ci {
                    continue;
                }
                stamp[g] = ci;
                closure.push(g);
                stack.extend(deps[g].iter().copied());
            }
            closure.sort_unstable();
            let k = commits.len();
            for &g in &groups {
                commits_of[g].push(k);
            }
            commits.push(CModel {
                weight: c.weight,
                groups,
                last,
                closure,
                possible,
            });
        }

        Ok(Self {
            r,
            k: k_n,
            caps,
            weights,
            group_of,
            members,
            effort,
            uses,
            size,
            tight,
            value,
            moves,
            deps,
            dependents,
            earliest,
            latest,
            mandatory,
            topo,
            commits,
            commits_of,
            integral,
            ids,
            index: (0..g_n).collect(),
        })
    }

    pub fn groups(&self) -> usize {
        self.members.len()
    }

    /// The units group g takes of resource j (0 when it uses none).
    pub fn units(&self, g: usize, j: usize) -> u64 {
        self.uses[g].iter().filter(|x| x.0 == j).map(|x| x.1).sum()
    }

    /// Whether group g fits into slot s on top of `load` (per slot and resource).
    pub fn fits(&self, load: &[u64], g: usize, s: usize) -> bool {
        self.uses[g]
            .iter()
            .all(|&(j, u)| load[s * self.k + j].saturating_add(u) <= self.caps[s * self.k + j])
    }

    /// Adds group g's units to slot s of `load`.
    pub fn add_load(&self, load: &mut [u64], g: usize, s: usize) {
        for &(j, u) in &self.uses[g] {
            load[s * self.k + j] += u;
        }
    }

    /// Removes group g's units from slot s of `load`.
    pub fn sub_load(&self, load: &mut [u64], g: usize, s: usize) {
        for &(j, u) in &self.uses[g] {
            load[s * self.k + j] -= u;
        }
    }

    /// Whether `load` (per slot and resource) is within every capacity.
    pub fn load_ok(&self, load: &[u64]) -> bool {
        load.iter().zip(&self.caps).all(|(l, c)| l <= c)
    }

    /// Tolerance for "objective reaches the bound".
    pub fn tolerance(&self) -> f64 {
        1e-6
    }

    /// The request-level assignment of a group-level one.
    pub fn assignment(&self, slots: &[usize]) -> Vec<Option<usize>> {
        self.group_of
            .iter()
            .map(|&g| {
                if slots[g] < self.r {
                    Some(slots[g])
                } else {
                    None
                }
            })
            .collect()
    }

    /// Packs the mandatory groups (earliest deadline first, slot by slot); everything
    /// else deferred.
    pub fn pack_mandatory(&self) -> Result<Vec<usize>, Contradiction> {
        let g_n = self.groups();
        let mut slot = vec![self.r; g_n];
        let mut load = vec![0u64; self.r * self.k];
        let mand: Vec<usize> = (0..g_n).filter(|&g| self.mandatory[g]).collect();
        if mand.is_empty() {
            return Ok(slot);
        }
        let mut placed = vec![false; g_n];
        for s in 0..self.r {
            loop {
                // candidates: unplaced mandatory, window contains s, deps placed
                let mut cand: Vec<usize> = mand
                    .iter()
                    .copied()
                    .filter(|&g| {
                        !placed[g]
                            && self.earliest[g] <= s
                            && self.deps[g].iter().all(|&d| placed[d])
                    })
                    .collect();
                if cand.is_empty() {
                    break;
                }
                cand.sort_by_key(|&g| (self.latest[g], std::cmp::Reverse(self.effort[g]), g));
                // Place one (the most urgent that fits), then look again: placing it
                // may make a more urgent dependent available.
                let Some(g) = cand.into_iter().find(|&g| self.fits(&load, g, s)) else {
                    break;
                };
                self.add_load(&mut load, g, s);
                slot[g] = s;
                placed[g] = true;
            }
            if let Some(&bad) = mand.iter().find(|&&g| !placed[g] && self.latest[g] <= s) {
                // Earliest-deadline-first is only a heuristic: before calling the
                // input contradictory, search the mandatory packings exactly.
                if let Some(found) = self.search_mandatory(&mand) {
                    return Ok(found);
                }
                let mut reqs: Vec<String> = self.members[bad]
                    .iter()
                    .map(|&m| self.ids[m].clone())
                    .collect();
                for &g in &mand {
                    if g != bad && slot[g] <= self.latest[bad] {
                        reqs.extend(self.members[g].iter().map(|&m| self.ids[m].clone()));
                    }
                }
                return Err(Contradiction::MandatoryDoNotFit { requests: reqs });
            }
        }
        Ok(slot)
    }

    /// Exact depth-first search for a packing of the mandatory groups: dependencies
    /// first, each group in its window and not before its dependencies, within the
    /// capacities. `None` when there is none — or when the (deterministic) node
    /// budget runs out, in which case the caller reports the input as contradictory.
    fn search_mandatory(&self, mand: &[usize]) -> Option<Vec<usize>> {
        const NODE_LIMIT: u64 = 2_000_000;
        if self.r == 0 {
            return None;
        }
        // Topological order of the mandatory groups (their dependencies are mandatory too).
        let mut order = Vec::with_capacity(mand.len());
        let mut done = vec![false; self.groups()];
        while order.len() < mand.len() {
            let before = order.len();
            for &g in mand {
                if !done[g] && self.deps[g].iter().all(|&d| done[d] || !self.mandatory[d]) {
                    done[g] = true;
                    order.push(g);
                }
            }
            if order.len() == before {
                return None; // a cycle; reported elsewhere
            }
        }
        let mut slot = vec![self.r; self.groups()];
        let mut load = vec![0u64; self.r * self.k];
        let mut nodes = 0u64;
        if self.place_mandatory(&order, 0, &mut slot, &mut load, &mut nodes, NODE_LIMIT) {
            Some(slot)
        } else {
            None
        }
    }

    fn place_mandatory(
        &self,
        order: &[usize],
        k: usize,
        slot: &mut [usize],
        load: &mut [u64],
        nodes: &mut u64,
        limit: u64,
    ) -> bool {
        let Some(&g) = order.get(k) else {
            return true;
        };
        *nodes += 1;
        if *nodes > limit {
            return false;
        }
        let after_deps = self.deps[g]
            .iter()
            .filter(|&&d| slot[d] < self.r)
            .map(|&d| slot[d])
            .max()
            .unwrap_or(0);
        let last = self.latest[g].min(self.r.saturating_sub(1));
        for s in self.earliest[g].max(after_deps)..=last {
            if self.fits(load, g, s) {
                self.add_load(load, g, s);
                slot[g] = s;
                if self.place_mandatory(order, k + 1, slot, load, nodes, limit) {
                    return true;
                }
                self.sub_load(load, g, s);
                slot[g] = self.r;
            }
        }
        false
    }
}

fn find_cycle(p: &Problem, group_of: &[usize], indeg: &[usize]) -> Vec<String> {
    // Request-level walk restricted to requests in groups left with indegree > 0.
    let n = p.requests.len();
    let left = |i: usize| indeg[group_of[i]] > 0;
    // edges: i -> d (dependency) or i -> together partner (same group)
    let start = (0..n).find(|&i| left(i)).unwrap_or(0);
    let mut seen = vec![usize::MAX; n];
    let mut path = Vec::new();
    let mut cur = start;
    loop {
        if seen[cur] != usize::MAX {
            let from = seen[cur];
            return path[from..]
                .iter()
                .map(|&i: &usize| p.requests[i].id.clone())
                .collect();
        }
        seen[cur] = path.len();
        path.push(cur);
        // Follow a dependency edge that stays in the cyclic part, preferring other groups.
        let next = p.requests[cur]
            .depends_on
            .iter()
            .copied()
            .find(|&d| left(d) && group_of[d] != group_of[cur])
            .or_else(|| {
                // move within the group to a member that has such an edge
                (0..n).find(|&j| {
                    group_of[j] == group_of[cur]
                        && j != cur
                        && seen[j] == usize::MAX
                        && p.requests[j]
                            .depends_on
                            .iter()
                            .any(|&d| left(d) && group_of[d] != group_of[j])
                })
            });
        match next {
            Some(x) => cur = x,
            None => return path.iter().map(|&i| p.requests[i].id.clone()).collect(),
        }
    }
}

/// Unions every strongly connected component of the group dependency graph.
fn merge_cyclic_groups(p: &Problem, parent: &mut [usize]) {
    let n = p.requests.len();
    let root: Vec<usize> = (0..n).map(|i| find(parent, i)).collect();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut radj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, it) in p.requests.iter().enumerate() {
        for &d in &it.depends_on {
            if root[i] != root[d] {
                adj[root[i]].push(root[d]);
                radj[root[d]].push(root[i]);
            }
        }
    }
    // Kosaraju, iteratively.
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for s in 0..n {
        if root[s] != s || seen[s] {
            continue;
        }
        seen[s] = true;
        let mut stack = vec![(s, 0usize)];
        while let Some((v, k)) = stack.pop() {
            if k < adj[v].len() {
                stack.push((v, k + 1));
                let w = adj[v][k];
                if !seen[w] {
                    seen[w] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(v);
            }
        }
    }
    let mut comp = vec![usize::MAX; n];
    for &s in order.iter().rev() {
        if comp[s] != usize::MAX {
            continue;
        }
        comp[s] = s;
        let mut stack = vec![s];
        while let Some(v) = stack.pop() {
            for &w in &radj[v] {
                if comp[w] == usize::MAX {
                    comp[w] = s;
                    stack.push(w);
                }
            }
        }
    }
    for v in 0..n {
        if root[v] == v && comp[v] != v {
            let a = find(parent, v);
            let b = find(parent, comp[v]);
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
}
