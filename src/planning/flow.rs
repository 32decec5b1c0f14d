//! Maximum flow (Dinic, iterative) on `f64` capacities, used to find maximum-weight
//! closures for the Lagrangian bound. Any feasible flow gives a valid bound, so
//! floating-point round-off can only make the bound slightly weaker, never wrong.

#[derive(Debug, Clone)]
pub(crate) struct Flow {
    n: usize,
    adj: Vec<Vec<u32>>,
    to: Vec<u32>,
    cap: Vec<f64>,
    level: Vec<i32>,
    iter: Vec<usize>,
    /// Scratch for [`Flow::push_some`], kept between its calls (one per group
    /// tested): the path edge per node, and the search queue.
    pred: Vec<u32>,
    queue: Vec<u32>,
}

impl Flow {
    pub fn new(n: usize) -> Self {
        Self {
            n,
            adj: vec![Vec::new(); n],
            to: Vec::new(),
            cap: Vec::new(),
            level: vec![0; n],
            iter: vec![0; n],
            pred: Vec::new(),
            queue: Vec::new(),
        }
    }

    /// Adds an edge and returns its index (the reverse edge is index + 1).
    pub fn add_edge(&mut self, u: usize, v: usize, c: f64) -> usize {
        let e = self.to.len();
        #[allow(clippy::cast_possible_truncation)]
        {
            self.to.push(v as u32);
            self.cap.push(c);
            self.adj[u].push(e as u32);
            self.to.push(u as u32);
            self.cap.push(0.0);
            self.adj[v].push((e + 1) as u32);
        }
        e
    }

    pub fn set_cap(&mut self, e: usize, c: f64) {
        self.cap[e] = c;
        self.cap[e + 1] = 0.0;
    }

    fn bfs(&mut self, s: usize, t: usize, eps: f64) -> bool {
        self.level.iter_mut().for_each(|l| *l = -1);
        let mut q = std::collections::VecDeque::new();
        self.level[s] = 0;
        q.push_back(s);
        while let Some(u) = q.pop_front() {
            for &e in &self.adj[u] {
                let v = self.to[e as usize] as usize;
                if self.cap[e as usize] > eps && self.level[v] < 0 {
                    self.level[v] = self.level[u] + 1;
                    q.push_back(v);
                }
            }
        }
        self.level[t] >= 0
    }

    /// Pushes a maximum flow from s to t; returns its value.
    pub fn max_flow(&mut self, s: usize, t: usize, eps: f64) -> f64 {
        let mut total = 0.0;
        let mut path: Vec<usize> = Vec::new();
        while self.bfs(s, t, eps) {
            self.iter.iter_mut().for_each(|x| *x = 0);
            // iterative DFS with current-arc pointers
            let mut u = s;
            path.clear();
            loop {
                if u == t {
                    let mut f = f64::INFINITY;
                    for &e in &path {
                        f = f.min(self.cap[e]);
                    }
                    let mut cut_at = path.len();
                    for (k, &e) in path.iter().enumerate() {
                        self.cap[e] -= f;
                        self.cap[e ^ 1] += f;
                        if self.cap[e] <= eps && cut_at == path.len() {
                            cut_at = k;
                        }
                    }
                    total += f;
                    path.truncate(cut_at);
                    u = if let Some(&e) = path.last() {
                        self.to[e] as usize
                    } else {
                        s
                    };
                    continue;
                }
                let mut advanced = false;
                while self.iter[u] < self.adj[u].len() {
                    let e = self.adj[u][self.iter[u]] as usize;
                    let v = self.to[e] as usize;
                    if self.cap[e] > eps && self.level[v] == self.level[u] + 1 {
                        path.push(e);
                        u = v;
                        advanced = true;
                        break;
                    }
                    self.iter[u] += 1;
                }
                if !advanced {
                    self.level[u] = -1;
                    match path.pop() {
                        Some(e) => {
                            u = self.to[e ^ 1] as usize;
                            self.iter[u] += 1;
                        }
                        None => break,
                    }
                }
            }
        }
        total
    }

    /// Nodes reachable from s in the residual graph (the source side of a minimum cut).
    pub fn source_side(&self, s: usize, eps: f64) -> Vec<bool> {
        let mut seen = vec![false; self.n];
        let mut stack = vec![s];
        seen[s] = true;
        while let Some(u) = stack.pop() {
            for &e in &self.adj[u] {
                let v = self.to[e as usize] as usize;
                if self.cap[e as usize] > eps && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }
}

impl Flow {
    /// Pushes flow from `from` to `to` in the residual network along shortest
    /// augmenting paths until `enough` has moved, nothing more can, or `paths`
    /// paths were used; returns the amount, a lower bound on the maximum flow from
    /// `from` to `to`. The paths are searched from `to` backwards when `backward`
    /// (cheaper when `from` reaches much of the network, like the source); a search
    /// that has reached `visits` nodes without a path gives up. Every
    /// capacity it changes is logged in `undo` for [`Flow::restore`].
    #[allow(clippy::too_many_arguments)]
    pub fn push_some(
        &mut self,
        from: usize,
        to: usize,
        backward: bool,
        enough: f64,
        paths: usize,
        visits: usize,
        eps: f64,
        undo: &mut Vec<(u32, f64)>,
    ) -> f64 {
        const NONE: u32 = u32::MAX;
        let mut total = 0.0;
        let (root, goal) = if backward { (to, from) } else { (from, to) };
        // pred[v]: the path edge at v (into v forwards, out of v backwards).
        let mut pred = std::mem::take(&mut self.pred);
        pred.resize(self.n, NONE);
        let mut queue = std::mem::take(&mut self.queue);
        for _ in 0..paths {
            if total >= enough {
                break;
            }
            queue.clear();
            queue.push(root as u32);
            pred[root] = NONE - 1;
            let mut head = 0;
            let mut found = false;
            while head < queue.len() && !found && queue.len() <= visits {
                let u = queue[head] as usize;
                head += 1;
                for &a in &self.adj[u] {
                    let w = self.to[a as usize] as usize;
                    // Forwards the edge u → w itself; backwards its twin w → u.
                    let e = if backward { a ^ 1 } else { a };
                    if self.cap[e as usize] > eps && pred[w] == NONE {
                        pred[w] = e;
                        queue.push(w as u32);
                        if w == goal {
                            found = true;
                            break;
                        }
                    }
                }
            }
            if found {
                // The path's edges, walked from the goal back to the root.
                let step = |e: usize| {
                    if backward {
                        self.to[e] as usize
                    } else {
                        self.to[e ^ 1] as usize
                    }
                };
                let mut f = enough - total;
                let mut v = goal;
                while v != root {
                    let e = pred[v] as usize;
                    f = f.min(self.cap[e]);
                    v = step(e);
                }
                let mut v = goal;
                while v != root {
                    let e = pred[v] as usize;
                    v = step(e);
                    #[allow(clippy::cast_possible_truncation)]
                    undo.extend([(e as u32, self.cap[e]), ((e ^ 1) as u32, self.cap[e ^ 1])]);
                    self.cap[e] -= f;
                    self.cap[e ^ 1] += f;
                }
                total += f;
            }
            for &u in &queue {
                pred[u as usize] = NONE;
            }
            if !found {
                break;
            }
        }
        self.pred = pred;
        self.queue = queue;
        total
    }

    /// Undoes the changes logged by [`Flow::push_some`], latest first.
    pub fn restore(&mut self, undo: &mut Vec<(u32, f64)>) {
        while let Some((e, c)) = undo.pop() {
            self.cap[e as usize] = c;
        }
    }

    /// All residual capacities (to save and restore a network).
    pub fn caps_mut(&mut self) -> &mut Vec<f64> {
        &mut self.cap
    }
}
