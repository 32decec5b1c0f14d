//! `zyklus plan`: arguments and glue. Building the planning problem, solving,
//! explaining, the diff against the plan on disk, writing the release files and
//! `--compare` are in [`crate::ops::plan`]; the tables and the Markdown comment in
//! [`crate::output::plan`].

use std::time::Duration;

use anyhow::Result;

use super::{Outcome, Settings};
use crate::model::ReleaseId;
use crate::ops::plan::{self, PlanInput, PlanOutcome};
use crate::output::Format;
use crate::workspace::Workspace;

const AFTER_HELP: &str = "\
Without --dry-run, the scope, dates and capacity of each release of the horizon are
written into releases/<ID>.toml (one transaction: all files or none).

--capacity ID=UNITS is a what-if: the plan is made with that capacity and its changes
are shown against the plan on disk, but it is never written, with or without
--dry-run. --capacity ID:TEAM=UNITS does the same for one team's capacity in that
release ([capacity.teams]). To change a capacity for good, edit [capacity] in
zyklus.toml.

--compare REF plans the workspace as it was at git revision REF (read from git; nothing
is checked out) and as its files are now, the same day and the same way, and shows what
changed: per release the requests that move in and out, requests added to or removed
from the backlog, capacity changes, and the objective and bound then and now.
`--compare HEAD` shows what uncommitted edits do, `--compare origin/main` what a branch
does. --as markdown prints it as a pull-request comment, --format json as JSON. It never
writes. The workspace may be any directory of the repository.

Objective, bound, weights and scores are rounded to two decimals, the gap to two
decimals of a percent.

Examples:
  zyklus plan --dry-run
  zyklus plan --dry-run --capacity 2027.3=20 --capacity 2027.4=50
  zyklus plan --dry-run --capacity 2027.2:backend=30
  zyklus plan --dry-run --explain CR-0042
  zyklus plan --compare origin/main --as markdown > plan-comment.md";

/// What `--compare` prints for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum As {
    /// The table (default)
    Table,
    /// A pull-request comment in Markdown
    Markdown,
}

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Show the plan but write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// How many open releases to plan
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=24))]
    pub horizon: u32,
    /// What-if capacity of a release, ID=UNITS, or of one of its teams, ID:TEAM=UNITS
    /// (repeatable), e.g. 2027.3=20 or 2027.3:backend=12; never written
    #[arg(long = "capacity", value_name = "ID[:TEAM]=UNITS", value_parser = parse_capacity, conflicts_with = "compare")]
    pub capacity: Vec<(ReleaseId, Option<String>, u64)>,
    /// Tell one request's story: score, constraints, where it went and why
    #[arg(long, value_name = "ID", conflicts_with = "compare")]
    pub explain: Option<String>,
    /// Solver safety net, in seconds of CPU time (default from [planning] time_limit).
    ///
    /// The deterministic work budget normally ends the search well before; the net
    /// counts CPU time so that a busy machine does not change the plan, and the
    /// wall clock stops the search at three times the limit.
    #[arg(long = "time-limit", value_name = "SECS", value_parser = crate::model::config::parse_time_limit)]
    pub time_limit: Option<f64>,
    /// Compare the plan at git revision REF (HEAD, origin/main, a tag) with the plan now
    #[arg(long, value_name = "REF")]
    pub compare: Option<String>,
    /// With --compare: table or markdown (a pull-request comment)
    #[arg(long = "as", value_enum, value_name = "FORMAT", requires = "compare")]
    pub as_: Option<As>,
}

fn parse_capacity(s: &str) -> Result<(ReleaseId, Option<String>, u64), String> {
    let (at, n) = s.split_once('=').ok_or_else(|| {
        format!("`{s}` is not ID=UNITS or ID:TEAM=UNITS, e.g. 2027.3=20 or 2027.3:backend=12")
    })?;
    let (id, team) = match at.split_once(':') {
        Some((id, team)) if !team.trim().is_empty() => (id, Some(team.trim().to_owned())),
        Some(_) => {
            return Err(format!(
                "`{s}` names no team after `:`, e.g. 2027.3:backend=12"
            ))
        }
        None => (at, None),
    };
    let id: ReleaseId = id.trim().parse().map_err(|e| format!("{e}"))?;
    let n: u64 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n <= crate::model::config::limits::MAX_UNITS)
        .ok_or_else(|| {
            format!(
                "`{n}` is not a whole number of capacity units from 0 to {}",
                crate::model::config::limits::MAX_UNITS
            )
        })?;
    Ok((id, team, n))
}

/// Runs `zyklus plan`.
///
/// # Errors
/// Contradictory input, an invalid workspace, a git revision that cannot be read,
/// or a failed write.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let input = PlanInput {
        horizon: a.horizon as usize,
        capacity: a
            .capacity
            .iter()
            .filter(|c| c.1.is_none())
            .map(|c| (c.0, c.2))
            .collect(),
        team_capacity: a
            .capacity
            .iter()
            .filter_map(|(id, team, n)| team.clone().map(|t| (*id, t, *n)))
            .collect(),
        explain: a.explain.clone(),
        time_limit: a.time_limit,
    };
    if let Some(rev) = &a.compare {
        return compare(a, rev, &input, s);
    }
    if a.dry_run || input.is_what_if() {
        let loaded = s.load()?;
        let outcome = solve(&loaded.workspace, &input, s)?;
        if !a.dry_run {
            s.status("--capacity is a what-if: nothing written");
        }
        s.emit(&outcome.report)?;
        return Ok(Outcome::Success);
    }
    let mut tx = s.begin()?;
    let mut outcome = solve(tx.workspace(), &input, s)?;
    plan::stage(&mut tx, &outcome)?;
    let written = s.commit(tx)?;
    if written.is_empty() {
        s.status("the plan on disk is already this plan; nothing written");
    }
    outcome.report.written = written.iter().map(|p| p.display().to_string()).collect();
    s.emit(&outcome.report)?;
    Ok(Outcome::Success)
}

/// Plans with a progress line on a terminal, and warns when the safety net hit.
fn solve(ws: &Workspace, input: &PlanInput, s: &Settings) -> Result<PlanOutcome> {
    let mut shown = false;
    let outcome = plan::plan(ws, input, s.now.date_naive(), &mut |p| {
        if p.elapsed > Duration::from_millis(300) {
            shown = true;
            s.shell.progress(&format!(
                "  planning: {} … best {:.2}, bound {:.2} ({:.1}s)",
                p.phase,
                p.objective,
                p.bound,
                p.elapsed.as_secs_f64()
            ));
        }
    });
    if shown {
        s.shell.progress_done();
    }
    let outcome = outcome?;
    if outcome.hit_time_limit {
        s.warn(&format!(
            "the solver hit its {} s time limit (CPU time) before its work budget; the plan may differ between machines (raise --time-limit)",
            outcome.time_limit
        ));
    }
    Ok(outcome)
}

fn compare(a: &Args, rev: &str, input: &PlanInput, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let now = &loaded.workspace;
    let (then, base) = plan::compare::load_at(&now.root, rev)?;
    let report = plan::compare(now, &then, base, input, s.now.date_naive())?;
    if report.hit_time_limit {
        s.warn("the solver hit its time limit; the comparison may differ between machines (raise --time-limit)");
    }
    if a.as_ == Some(As::Markdown) && s.shell.format() == Format::Table {
        s.shell
            .document(&crate::output::plan::compare_markdown(&report))?;
    } else {
        s.emit(&report)?;
    }
    Ok(Outcome::Success)
}
