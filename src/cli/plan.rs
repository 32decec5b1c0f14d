//! `zyklus plan`: assign open requests to the releases of the planning horizon.
//!
//! Glue only: build a [`planning::Problem`] from the workspace (horizon from the
//! calendar and the release files, scores, constraints, commitments, the plan on
//! disk), solve it, explain it, show it, and — without `--dry-run` — write the
//! scope of each horizon release into `releases/<id>.toml`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use toml_edit::{value, DocumentMut, Item as TomlItem};

use super::{Outcome, Settings};
use crate::model::calendar::{self, ReleaseDates};
use crate::model::{Id, Kind, ReleaseId, Request, Stage, Status};
use crate::output::{self, Report};
use crate::planning::{self, Commitment, Item, Options, Problem, Slot};
use crate::ui::{Paint, Style};
use crate::workspace::{edit, fsio, Workspace};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show the plan but write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// How many open releases to plan
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=24))]
    pub horizon: u32,
    /// What-if capacity for one release, ID=UNITS (repeatable), e.g. 2027.3=20
    #[arg(long = "capacity", value_name = "ID=UNITS", value_parser = parse_capacity)]
    pub capacity: Vec<(ReleaseId, u64)>,
    /// Tell one request's story: score, constraints, where it went and why
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
    /// Solver time limit in seconds (a safety net; default from [planning] time_limit)
    #[arg(long = "time-limit", value_name = "SECS")]
    pub time_limit: Option<f64>,
}

fn parse_capacity(s: &str) -> Result<(ReleaseId, u64), String> {
    let (id, n) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not ID=UNITS, e.g. 2027.3=20"))?;
    let id: ReleaseId = id.trim().parse().map_err(|e| format!("{e}"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a whole number of capacity units"))?;
    Ok((id, n))
}

/// One release of the horizon as planned.
#[derive(Debug, Serialize)]
pub struct PlannedRelease {
    pub id: ReleaseId,
    pub dev_start: NaiveDate,
    pub test_start: NaiveDate,
    pub release_date: NaiveDate,
    pub capacity: u64,
    pub load: u64,
    pub weight: f64,
    pub scope: Vec<String>,
}

/// A release outside the planner's reach (development or later).
#[derive(Debug, Serialize)]
pub struct FrozenRelease {
    pub id: ReleaseId,
    pub stage: Stage,
    pub load: u64,
    pub scope: Vec<String>,
}

/// A request that is not planned, with the reason.
#[derive(Debug, Serialize)]
pub struct Deferred {
    pub id: String,
    pub reason: String,
}

/// A request that moved against the plan on disk.
#[derive(Debug, Serialize)]
pub struct Change {
    pub id: String,
    /// Release it was in (`null`: was not planned).
    pub from: Option<String>,
    /// Release it is in now (`null`: deferred).
    pub to: Option<String>,
}

/// The report of `zyklus plan`.
#[derive(Debug, Serialize)]
pub struct PlanReport {
    pub releases: Vec<PlannedRelease>,
    pub frozen: Vec<FrozenRelease>,
    pub deferred: Vec<Deferred>,
    pub changes: Vec<Change>,
    pub objective: f64,
    pub bound: f64,
    /// (bound − objective) / objective in percent.
    pub gap: f64,
    pub optimal: bool,
    pub solve_ms: u64,
    pub written: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Story>,
    #[serde(skip)]
    titles: HashMap<String, (String, u32, f64)>,
    #[serde(skip)]
    first_plan: bool,
}

/// One request's story (`--explain`).
#[derive(Debug, Serialize)]
pub struct Story {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub effort: u32,
    pub score: f64,
    pub breakdown: BTreeMap<String, f64>,
    pub constraints: Vec<String>,
    /// Where it is now (`null`: not planned).
    pub release: Option<String>,
    pub story: Vec<String>,
}

/// The planning problem and how its indices map back to the workspace.
pub struct Built {
    pub problem: Problem,
    pub horizon: Vec<ReleaseDates>,
    pub frozen: Vec<FrozenRelease>,
    /// Requests that cannot be planned, with the reason (not in the problem).
    pub excluded: Vec<Deferred>,
    /// Score breakdowns by request id.
    pub scores: HashMap<String, crate::scoring::Score>,
}

fn weight_of(weights: &[f64], i: usize) -> f64 {
    weights
        .get(i)
        .or_else(|| weights.last())
        .copied()
        .unwrap_or(1.0)
}

/// Builds the planning problem from a workspace.
///
/// # Errors
/// Contradictory input (pins into frozen releases, deadlines before the first open
/// release, a commitment that names a rejected request, what-if capacities for
/// releases outside the horizon) or a calendar that cannot be computed.
#[allow(clippy::too_many_lines)]
pub fn build(ws: &Workspace, args: &Args, today: NaiveDate) -> Result<Built> {
    let cfg = &ws.config;

    // The horizon: the next releases after today that are still planned.
    let mut horizon = Vec::new();
    let mut frozen_ids = BTreeSet::new();
    let mut candidates = calendar::upcoming(&cfg.calendar, today, 64)
        .map_err(|e| crate::error::with_hint(e.to_string(), "fix [calendar] in zyklus.toml"))?
        .into_iter();
    while horizon.len() < args.horizon as usize {
        let Some(d) = candidates.next() else { break };
        match ws.releases.get(&d.id) {
            Some(r) if r.is_frozen() => {
                frozen_ids.insert(d.id);
            }
            _ => horizon.push(d),
        }
    }
    let next_after = candidates
        .find(|d| ws.releases.get(&d.id).is_none_or(|r| !r.is_frozen()))
        .map(|d| d.release_date);
    let slot_of: HashMap<ReleaseId, usize> =
        horizon.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    for (id, _) in &args.capacity {
        if !slot_of.contains_key(id) {
            return Err(crate::error::with_hint(
                format!("--capacity {id}=…: {id} is not an open release of the horizon"),
                format!(
                    "the horizon is {}",
                    horizon
                        .iter()
                        .map(|d| d.id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }

    // Frozen releases: their scope is fixed; what is in them counts as shipping.
    let mut shipped: BTreeSet<&str> = BTreeSet::new();
    let mut frozen = Vec::new();
    for r in ws.releases.values() {
        if r.is_frozen() && r.stage != Stage::Cancelled {
            let load = r
                .scope
                .iter()
                .filter_map(|id| ws.requests.get(id.as_str()))
                .map(|q| u64::from(q.effort))
                .sum();
            if !r.id.is_hotfix() && (frozen_ids.contains(&r.id) || r.stage != Stage::Production) {
                frozen.push(FrozenRelease {
                    id: r.id,
                    stage: r.stage,
                    load,
                    scope: r.scope.clone(),
                });
            }
            shipped.extend(r.scope.iter().map(String::as_str));
        }
    }
    for q in ws.requests.values() {
        if q.status == Status::Done {
            shipped.insert(q.id.as_str());
        }
    }

    // Which open requests can be planned at all.
    let mut excluded: Vec<Deferred> = Vec::new();
    let mut blocked: BTreeMap<&str, String> = BTreeMap::new();
    for q in ws.requests.values() {
        if !q.status.is_plannable() || shipped.contains(q.id.as_str()) {
            continue;
        }
        if q.kind == Kind::Hotfix {
            blocked.insert(
                q.id.as_str(),
                "a hotfix ships outside the cycle: use `zyklus hotfix new`".into(),
            );
        } else if let Some(p) = q.pin {
            if !slot_of.contains_key(&p) {
                if frozen_ids.contains(&p) || ws.releases.get(&p).is_some_and(|r| r.is_frozen()) {
                    return Err(crate::error::with_hint(
                        format!("{} is pinned to {p}, which is frozen (in development or later)", q.id),
                        format!("remove the pin (`zyklus request set {} --unpin`), or add it explicitly with `zyklus release add {p} {}`", q.id, q.id),
                    ));
                }
                let first = horizon.first().map(|d| d.id);
                if first.is_some_and(|f| p < f) {
                    return Err(crate::error::with_hint(
                        format!("{} is pinned to {p}, which is already past", q.id),
                        format!("pin it to an open release or remove the pin (`zyklus request set {} --unpin`)", q.id),
                    ));
                }
                blocked.insert(q.id.as_str(), format!("pinned to {p}, beyond the horizon"));
            }
        }
    }
    // Anything that needs a rejected or blocked request is blocked too (to a fixpoint).
    loop {
        let mut changed = false;
        for q in ws.requests.values() {
            if !q.status.is_plannable()
                || shipped.contains(q.id.as_str())
                || blocked.contains_key(q.id.as_str())
            {
                continue;
            }
            let reason = q.depends_on.iter().chain(&q.together_with).find_map(|d| {
                let dep = ws.requests.get(d)?;
                if shipped.contains(d.as_str()) {
                    None
                } else if dep.status == Status::Rejected {
                    Some(format!("needs {d}, which is rejected"))
                } else if dep.kind == Kind::Hotfix && dep.status.is_plannable() {
                    None // ships as a hotfix, before any release of the horizon
                } else {
                    blocked
                        .get(d.as_str())
                        .map(|_| format!("needs {d}, which cannot be planned"))
                }
            });
            if let Some(r) = reason {
                blocked.insert(q.id.as_str(), r);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (id, reason) in &blocked {
        if let Some(q) = ws.requests.get(*id) {
            if q.deadline.is_some() && q.kind != Kind::Hotfix {
                return Err(crate::error::with_hint(
                    format!("{id} has a deadline but cannot be planned: {reason}"),
                    "remove the deadline, or resolve what blocks it",
                ));
            }
        }
        excluded.push(Deferred {
            id: (*id).to_owned(),
            reason: reason.clone(),
        });
    }

    let plannable: Vec<&Request> = ws
        .requests
        .values()
        .filter(|q| {
            q.status.is_plannable()
                && !shipped.contains(q.id.as_str())
                && !blocked.contains_key(q.id.as_str())
        })
        .collect();
    let index: HashMap<&str, usize> = plannable
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();

    // The plan on disk: which horizon release had each request.
    let mut previous: HashMap<&str, usize> = HashMap::new();
    for (i, d) in horizon.iter().enumerate() {
        if let Some(r) = ws.releases.get(&d.id) {
            for id in &r.scope {
                previous.insert(id.as_str(), i);
            }
        }
    }

    let last_slot_by = |date: NaiveDate| horizon.iter().rposition(|d| d.release_date <= date);
    let mut scores = HashMap::new();
    let mut items = Vec::with_capacity(plannable.len());
    for q in &plannable {
        let s = crate::scoring::score(&cfg.scoring, q)
            .map_err(|e| crate::error::with_hint(e.to_string(), "fix the request's [scores]"))?;
        let latest = match q.deadline {
            None => None,
            // A deadline the release after the horizon still meets does not bind here.
            Some(dl) if next_after.is_some_and(|n| n <= dl.0) => None,
            Some(dl) => match last_slot_by(dl.0) {
                Some(i) => Some(i),
                None => {
                    return Err(crate::error::with_hint(
                        format!(
                            "{} must be in production by {dl}, but the first open release is {}",
                            q.id,
                            horizon.first().map_or_else(|| "none".to_owned(), |d| format!("{} on {}", d.id, d.release_date)),
                        ),
                        format!("move the deadline (`zyklus request set {} --deadline …`) or ship it as a hotfix", q.id),
                    ));
                }
            },
        };
        items.push(Item {
            id: q.id.to_string(),
            effort: u64::from(q.effort),
            score: s.total.max(0.0),
            depends_on: q
                .depends_on
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect(),
            together_with: q
                .together_with
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect(),
            pin: q.pin.and_then(|p| slot_of.get(&p).copied()),
            latest,
            team_effort: Vec::new(),
            baseline: previous.get(q.id.as_str()).copied(),
        });
        scores.insert(q.id.to_string(), s);
    }

    let mut commitments = Vec::new();
    for c in &ws.partners.commitments {
        if let Some(r) = c.requests.iter().find(|r| {
            ws.requests
                .get(r.as_str())
                .is_some_and(|q| q.status == Status::Rejected)
        }) {
            return Err(crate::error::with_hint(
                format!(
                    "the commitment of `{}` needs {r}, which is rejected",
                    c.partner
                ),
                "remove the request from the commitment in partners.toml, or reopen it",
            ));
        }
        let open: Vec<&String> = c
            .requests
            .iter()
            .filter(|r| !shipped.contains(r.as_str()))
            .collect();
        if open.is_empty() {
            continue;
        }
        let Some(reqs) = open
            .iter()
            .map(|r| index.get(r.as_str()).copied())
            .collect::<Option<Vec<_>>>()
        else {
            continue; // it needs a request that cannot be planned: worth nothing here
        };
        let latest = match c.by {
            None => None,
            Some(by) => match last_slot_by(by.0) {
                Some(i) => Some(i),
                None => continue, // its date is before every open release
            },
        };
        commitments.push(Commitment {
            label: c.partner.clone(),
            weight: c.weight,
            requests: reqs,
            latest,
        });
    }

    let capacity_of = |id: ReleaseId| -> u64 {
        args.capacity
            .iter()
            .rev()
            .find(|(r, _)| *r == id)
            .map(|(_, n)| *n)
            .or_else(|| cfg.capacity.releases.get(&id.to_string()).copied())
            .unwrap_or(cfg.capacity.default)
    };
    let slots = horizon
        .iter()
        .enumerate()
        .map(|(i, d)| Slot {
            id: d.id.to_string(),
            capacity: Some(capacity_of(d.id)),
            team_capacity: Vec::new(),
            weight: weight_of(&cfg.planning.release_weights, i),
        })
        .collect();
    Ok(Built {
        problem: Problem {
            slots,
            requests: items,
            commitments,
            teams: Vec::new(),
            has_baseline: !previous.is_empty(),
            replan_tolerance: planning::DEFAULT_REPLAN_TOLERANCE,
        },
        horizon,
        frozen,
        excluded,
        scores,
    })
}

fn line(titles: &HashMap<String, (String, u32, f64)>, id: &str) -> String {
    match titles.get(id) {
        Some((title, effort, score)) => format!("{id:<10} {effort:>3}  {score:>7.1}  {title}"),
        None => id.to_owned(),
    }
}

impl Report for PlanReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        if let Some(story) = &self.explain {
            return render_story(story, w, paint);
        }
        writeln!(w, "{:<12} {:>3}  {:>7}  title", "", "eff", "score")?;
        for f in &self.frozen {
            writeln!(
                w,
                "{}  {} (frozen), load {}: {}",
                paint.apply(Style::Bold, &f.id.to_string()),
                f.stage,
                f.load,
                f.scope.join(", ")
            )?;
        }
        for r in &self.releases {
            writeln!(
                w,
                "\n{}  release {}  test from {}  load {:>3}/{:<3} {}",
                paint.apply(Style::Bold, &r.id.to_string()),
                r.release_date,
                r.test_start,
                r.load,
                r.capacity,
                paint.apply(
                    if r.load > r.capacity {
                        Style::Bad
                    } else {
                        Style::Good
                    },
                    &output::bar(r.load, r.capacity, 20)
                ),
            )?;
            if r.scope.is_empty() {
                writeln!(w, "  (empty)")?;
            }
            for id in &r.scope {
                writeln!(w, "  {}", line(&self.titles, id))?;
            }
        }
        if !self.deferred.is_empty() {
            writeln!(
                w,
                "\n{} ({})",
                paint.apply(Style::Bold, "Deferred"),
                self.deferred.len()
            )?;
            for d in &self.deferred {
                writeln!(w, "  {:<10} {}", d.id, d.reason)?;
            }
        }
        writeln!(
            w,
            "\n{}",
            paint.apply(Style::Bold, "Changes against the plan on disk")
        )?;
        if self.first_plan {
            writeln!(w, "  none on disk yet: this is the first plan")?;
        } else if self.changes.is_empty() {
            writeln!(w, "  none")?;
        }
        for c in self.changes.iter().filter(|_| !self.first_plan) {
            let desc = match (&c.from, &c.to) {
                (None, Some(to)) => format!("moved in: → {to}"),
                (Some(from), None) => format!("moved out: {from} → deferred"),
                (Some(from), Some(to)) => format!("moved: {from} → {to}"),
                (None, None) => "unchanged".into(),
            };
            writeln!(w, "  {:<10} {desc}", c.id)?;
        }
        writeln!(
            w,
            "\nobjective {:.2}  bound {:.2}  gap {:.3} %{}  ({} ms)",
            self.objective,
            self.bound,
            self.gap,
            if self.optimal { "  proven optimal" } else { "" },
            self.solve_ms
        )
    }
}

fn render_story(s: &Story, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    writeln!(w, "{}  {}", paint.apply(Style::Bold, &s.id), s.title)?;
    writeln!(
        w,
        "  status {}, effort {}, score {:.2}",
        s.status, s.effort, s.score
    )?;
    for (k, v) in &s.breakdown {
        writeln!(w, "    {k:<18} {v:>8.2}")?;
    }
    for c in &s.constraints {
        writeln!(w, "  constraint: {c}")?;
    }
    match &s.release {
        Some(r) => writeln!(w, "  planned in {r}")?,
        None => writeln!(w, "  not planned")?,
    }
    for line in &s.story {
        writeln!(w, "  {line}")?;
    }
    Ok(())
}

/// The scope as a TOML array, one id per line (reviewable diffs).
fn scope_array(ids: &[String]) -> TomlItem {
    let mut a = toml_edit::Array::new();
    for id in ids {
        let mut v = toml_edit::Value::from(id.as_str());
        v.decor_mut().set_prefix("\n  ");
        a.push_formatted(v);
    }
    a.set_trailing_comma(!ids.is_empty());
    a.set_trailing(if ids.is_empty() { "" } else { "\n" });
    value(a)
}

const RELEASE_HEADER: &str = "# Release file written by `zyklus plan` and `zyklus gate`. You may edit it;\n# zyklus validates it like any other input and keeps your comments.\n";

/// The new contents of a horizon release's file.
fn release_file(
    ws: &Workspace,
    d: &ReleaseDates,
    capacity: u64,
    scope: &[String],
) -> Result<String> {
    let path = ws.release_path(d.id);
    let mut doc = if path.exists() {
        let src = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        edit::parse(&src, ws.relative(&path))?
    } else {
        let mut doc: DocumentMut = RELEASE_HEADER.parse().context("release header")?;
        doc["id"] = value(d.id.to_string());
        doc["stage"] = value(Stage::Planned.as_str());
        doc
    };
    edit::set_item(&mut doc, "dev_start", edit::date(d.dev_start)?);
    edit::set_item(&mut doc, "test_start", edit::date(d.test_start)?);
    edit::set_item(&mut doc, "release_date", edit::date(d.release_date)?);
    edit::set_item(
        &mut doc,
        "capacity",
        value(i64::try_from(capacity).unwrap_or(i64::MAX)),
    );
    edit::set_item(&mut doc, "scope", scope_array(scope));
    Ok(doc.to_string())
}

/// Removes `ids` from the scope of a planned release outside the horizon.
fn without(ws: &Workspace, id: ReleaseId, ids: &BTreeSet<&str>) -> Result<Option<String>> {
    let r = ws.release(id)?;
    let keep: Vec<String> = r
        .scope
        .iter()
        .filter(|s| !ids.contains(s.as_str()))
        .cloned()
        .collect();
    if keep.len() == r.scope.len() {
        return Ok(None);
    }
    let path = ws.release_path(id);
    let src =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut doc = edit::parse(&src, ws.relative(&path))?;
    edit::set_item(&mut doc, "scope", scope_array(&keep));
    Ok(Some(doc.to_string()))
}

/// Runs `zyklus plan`.
///
/// # Errors
/// Contradictory input, an invalid workspace, or a failed write.
#[allow(clippy::too_many_lines)]
pub fn run(args: &Args, s: &Settings) -> Result<Outcome> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let _lock = if args.dry_run {
        None
    } else {
        Some(fsio::lock(&root)?)
    };
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let built = build(ws, args, s.now.date_naive())?;
    if built.horizon.is_empty() {
        return Err(crate::error::with_hint(
            "no open release to plan",
            "check [calendar] in zyklus.toml",
        ));
    }
    let problem = &built.problem;
    let limit = args.time_limit.unwrap_or(ws.config.planning.time_limit);
    if !limit.is_finite() || limit <= 0.0 {
        return Err(crate::error::with_hint(
            format!("--time-limit {limit} is not a positive number of seconds"),
            "e.g. --time-limit 5",
        ));
    }
    let options = Options {
        time_limit: Duration::from_secs_f64(limit),
        ..Options::default()
    };
    let show_progress = !s.quiet && io::stderr().is_terminal() && s.format == output::Format::Table;
    let mut shown = false;
    let mut progress = |p: planning::Progress| {
        if show_progress && p.elapsed > Duration::from_millis(300) {
            shown = true;
            let _ = write!(
                io::stderr(),
                "\r  planning: {} … best {:.2}, bound {:.2} ({:.1}s)   ",
                p.phase,
                p.objective,
                p.bound,
                p.elapsed.as_secs_f64()
            );
        }
    };
    let plan = planning::solve(problem, &options, &mut progress).map_err(|e| {
        crate::error::with_hint(
            format!("the plan is contradictory: {e}"),
            "change the pins, deadlines, couplings or capacities named above; nothing was written",
        )
    })?;
    if shown {
        let _ = write!(io::stderr(), "\r{:60}\r", "");
    }
    if plan.stats.hit_time_limit {
        s.warn(&format!("the solver hit its {limit:.1}s time limit; the plan may differ between machines (raise --time-limit)"));
    }

    let titles: HashMap<String, (String, u32, f64)> = ws
        .requests
        .values()
        .map(|q| {
            let score = built.scores.get(q.id.as_str()).map_or(0.0, |s| s.total);
            (q.id.to_string(), (q.title.clone(), q.effort, score))
        })
        .collect();
    let mut releases = Vec::new();
    for (i, d) in built.horizon.iter().enumerate() {
        let scope: Vec<String> = problem
            .requests
            .iter()
            .zip(&plan.assignment)
            .filter(|(_, a)| **a == Some(i))
            .map(|(it, _)| it.id.clone())
            .collect();
        let load = problem
            .requests
            .iter()
            .zip(&plan.assignment)
            .filter(|(_, a)| **a == Some(i))
            .map(|(it, _)| it.effort)
            .sum();
        releases.push(PlannedRelease {
            id: d.id,
            dev_start: d.dev_start,
            test_start: d.test_start,
            release_date: d.release_date,
            capacity: problem.slots[i].capacity.unwrap_or(u64::MAX),
            load,
            weight: problem.slots[i].weight,
            scope,
        });
    }

    let reasons = planning::explain(problem, &plan);
    let mut deferred: Vec<Deferred> = reasons
        .iter()
        .filter(|r| plan.assignment[r.request].is_none())
        .map(|r| Deferred {
            id: r.id.clone(),
            reason: reason_text(&r.reason),
        })
        .collect();
    deferred.extend(built.excluded.iter().map(|d| Deferred {
        id: d.id.clone(),
        reason: d.reason.clone(),
    }));
    deferred.sort_by(|a, b| a.id.cmp(&b.id));

    // Changes against the plan on disk (every non-frozen release file).
    let mut before: BTreeMap<&str, String> = BTreeMap::new();
    for r in ws.releases.values().filter(|r| !r.is_frozen()) {
        for id in &r.scope {
            before.insert(id.as_str(), r.id.to_string());
        }
    }
    let mut after: BTreeMap<&str, String> = BTreeMap::new();
    for r in &releases {
        for id in &r.scope {
            after.insert(id.as_str(), r.id.to_string());
        }
    }
    let mut changes = Vec::new();
    for id in before
        .keys()
        .chain(after.keys())
        .copied()
        .collect::<BTreeSet<_>>()
    {
        let (b, a) = (before.get(id), after.get(id));
        // Requests kept in planned releases beyond the horizon are unchanged.
        let beyond =
            b.is_some_and(|b| a.is_none() && !built.horizon.iter().any(|d| d.id.to_string() == *b));
        if b != a && !beyond {
            changes.push(Change {
                id: id.to_owned(),
                from: b.cloned(),
                to: a.cloned(),
            });
        }
    }

    let story = match &args.explain {
        None => None,
        Some(id) => Some(story(ws, &built, &plan, &reasons, id)?),
    };

    let mut written = Vec::new();
    if !args.dry_run {
        let mut files = fsio::Changes::new();
        for (d, r) in built.horizon.iter().zip(&releases) {
            files.write(
                ws.release_path(d.id),
                release_file(ws, d, r.capacity, &r.scope)?,
            );
        }
        let planned: BTreeSet<&str> = after.keys().copied().collect();
        for r in ws.releases.values() {
            if !r.is_frozen() && !built.horizon.iter().any(|d| d.id == r.id) {
                if let Some(contents) = without(ws, r.id, &planned)? {
                    files.write(ws.release_path(r.id), contents);
                }
            }
        }
        files.drop_unchanged();
        loaded.check_changes(&files)?;
        for p in files.commit()? {
            written.push(ws.relative(&p).display().to_string());
        }
        if written.is_empty() {
            s.status("the plan on disk is already this plan; nothing written");
        } else {
            s.status(&format!("wrote {}", written.join(", ")));
        }
    }

    let report = PlanReport {
        releases,
        frozen: built.frozen,
        deferred,
        changes,
        objective: plan.objective,
        bound: plan.bound,
        gap: plan.gap_percent(),
        optimal: plan.proven_optimal,
        solve_ms: u64::try_from(plan.stats.elapsed.as_millis()).unwrap_or(u64::MAX),
        written,
        explain: story,
        titles,
        first_plan: before.is_empty(),
    };
    s.emit(&report)?;
    Ok(Outcome::Success)
}

fn story(
    ws: &Workspace,
    built: &Built,
    plan: &planning::Plan,
    reasons: &[planning::RequestReason],
    id: &str,
) -> Result<Story> {
    let q = ws.request(id)?;
    let score = built.scores.get(id);
    let mut constraints = Vec::new();
    if !q.depends_on.is_empty() {
        constraints.push(format!("depends on {}", join(&q.depends_on)));
    }
    if !q.together_with.is_empty() {
        constraints.push(format!("ships together with {}", join(&q.together_with)));
    }
    if let Some(p) = q.pin {
        constraints.push(format!("pinned to {p}"));
    }
    if let Some(d) = q.deadline {
        constraints.push(format!("must be in production by {d}"));
    }
    for c in ws
        .partners
        .commitments
        .iter()
        .filter(|c| c.requests.iter().any(|r| r == id))
    {
        constraints.push(format!(
            "part of the commitment of {} (weight {}) with {}",
            c.partner,
            c.weight,
            c.requests.join(", ")
        ));
    }
    let index = built.problem.requests.iter().position(|it| it.id == id);
    let release = index
        .and_then(|i| plan.assignment[i])
        .map(|s| built.problem.slots[s].id.clone());
    let mut lines = Vec::new();
    match index {
        Some(i) => {
            if let Some(r) = reasons.iter().find(|r| r.request == i) {
                lines.push(reason_text(&r.reason));
            }
        }
        None => {
            if let Some(d) = built.excluded.iter().find(|d| d.id == id) {
                lines.push(format!("not planned: {}", d.reason));
            } else if q.status == Status::Done {
                lines.push("done: already shipped".into());
            } else if q.status == Status::Rejected {
                lines.push("rejected: never planned".into());
            } else if let Some(r) = ws
                .releases
                .values()
                .find(|r| r.scope.iter().any(|s| s == id))
            {
                lines.push(format!("in {} ({}), which is frozen", r.id, r.stage));
            }
        }
    }
    Ok(Story {
        id: q.id.to_string(),
        title: q.title.clone(),
        status: q.status,
        effort: q.effort,
        score: score.map_or(0.0, |s| s.total),
        breakdown: score.map(|s| s.breakdown.clone()).unwrap_or_default(),
        constraints,
        release,
        story: lines,
    })
}

fn join(ids: &[Id]) -> String {
    ids.iter().map(Id::as_str).collect::<Vec<_>>().join(", ")
}

/// Renders a planner reason as one sentence.
fn reason_text(r: &planning::Reason) -> String {
    use planning::explain::DeferredReason as D;
    use planning::PlannedReason as P;
    match r {
        planning::Reason::Deferred(d) => match d {
            D::DependsOnDeferred { dependency } => format!("depends on {dependency}, which is deferred"),
            D::CoupledWithBlocked { request, dependency } => {
                format!("must ship together with {request}, which waits for {dependency}")
            }
            D::TooLarge { team: None, effort, max_capacity } => format!(
                "needs {effort} units with what must ship with it; the largest release offers {max_capacity}"
            ),
            D::TooLarge { team: Some(team), effort, max_capacity } => format!(
                "needs {effort} units of {team} with what must ship with it; {team} has at most {max_capacity} in a release"
            ),
            D::NoRoom { slot_id, team: Some(team), effort, left, lowest_value, .. } => {
                let took: Vec<String> = lowest_value
                    .iter()
                    .map(|o| format!("{} ({} units, worth {:.1})", o.id, o.effort, o.value))
                    .collect();
                let mut s = format!("{team} is full in {slot_id}: needs {effort}, {left} left");
                if !took.is_empty() {
                    s.push_str(&format!("; lower-value {team} requests there: {}", took.join(", ")));
                }
                s
            }
            D::KeptDeferred { slot_id, gain } => format!(
                "would add {gain:.2} in {slot_id}, but stays deferred as in the plan on disk (within the re-planning tolerance)"
            ),
            D::NoRoom { slot_id, needs, lowest_value, .. } => {
                let took: Vec<String> = lowest_value
                    .iter()
                    .map(|o| format!("{} ({} units, worth {:.1})", o.id, o.effort, o.value))
                    .collect();
                if took.is_empty() {
                    format!("capacity: needs {needs} more units in {slot_id}")
                } else {
                    let verb = if took.len() == 1 { "is" } else { "are" };
                    format!(
                        "capacity: needs {needs} more units in {slot_id}; the room is taken by {}, which {verb} worth more",
                        took.join(", ")
                    )
                }
            }
            D::NoValue { slot_id } => {
                format!("would fit in {slot_id} but adds no value (no score, completes no commitment)")
            }
            D::NotWorthIt { slot_id, gain } => {
                format!("would fit in {slot_id} but would change the objective by {gain:.2}")
            }
        },
        planning::Reason::Planned { slot_id, why, .. } => {
            let parts: Vec<String> = why
                .iter()
                .map(|w| match w {
                    P::Pinned => "pinned here".to_owned(),
                    P::Deadline { latest } => format!("deadline: must ship by {latest}"),
                    P::NeededBy { requests } => format!("needed by {}", requests.join(", ")),
                    P::Commitments { labels } => format!("completes the commitment of {}", labels.join(", ")),
                    P::Value { score, slot_weight } => {
                        format!("score {score:.1} × slot weight {slot_weight:.2}")
                    }
                    P::Coupled { with } => format!("ships together with {}", with.join(", ")),
                    P::WaitsForDependency { dependency } => {
                        format!("cannot ship earlier: {dependency} ships here")
                    }
                    P::EarlierSlotsFull => "earlier releases are full".to_owned(),
                    P::Stable => "stays where the previous plan put it".to_owned(),
                    P::Moved { from: Some(from) } => format!("moved from {from}"),
                    P::Moved { from: None } => "moved in (deferred in the plan on disk)".to_owned(),
                })
                .collect();
            format!("planned in {slot_id}: {}", parts.join("; "))
        }
    }
}
