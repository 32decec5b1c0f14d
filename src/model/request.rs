//! A change request: one file `requests/<ID>.toml`, whose file stem is its id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dates::{Date, Timestamp};
use super::id::{Id, ReleaseId};

/// What kind of change a request is; decides its changelog section.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Feature,
    Improvement,
    Bugfix,
    Hotfix,
}

/// Where a request stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Open,
    Accepted,
    Done,
    Rejected,
}

/// How a change is announced: major → customer e-mail, minor → wiki.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Major,
    #[default]
    Minor,
}

macro_rules! display_as_serde {
    ($($t:ty => [$($v:ident = $s:literal),*]),*) => {$(
        impl $t {
            /// Every value, in declaration order.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// The name used in files and on the command line.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(<$t>::$v),)*
                    _ => Err(format!("`{s}` is not one of: {}", [$($s),*].join(", "))),
                }
            }
        }
    )*};
}
pub(crate) use display_as_serde;

display_as_serde! {
    Kind => [Feature = "feature", Improvement = "improvement", Bugfix = "bugfix", Hotfix = "hotfix"],
    Status => [Open = "open", Accepted = "accepted", Done = "done", Rejected = "rejected"],
    Impact => [Major = "major", Minor = "minor"]
}

impl Status {
    /// Open and accepted requests can still be planned.
    #[must_use]
    pub fn is_plannable(self) -> bool {
        matches!(self, Status::Open | Status::Accepted)
    }
}

/// The contents of `requests/<ID>.toml`. The id is the file stem, not a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestFile {
    pub title: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub status: Status,
    pub effort: i64,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub requested_by: Vec<String>,
    #[serde(default)]
    pub created: Option<Date>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub together_with: Vec<String>,
    #[serde(default)]
    pub deadline: Option<Date>,
    #[serde(default)]
    pub pin: Option<String>,
    #[serde(default)]
    pub reported_at: Option<Timestamp>,
    /// Where the request came from (a Jira key, an issue URL); set by `zyklus import`.
    #[serde(default)]
    pub source: Option<String>,
    /// Hotfixes: when the team reacted; set by `zyklus sla ack`.
    #[serde(default)]
    pub reacted_at: Option<Timestamp>,
    /// Hotfixes: what the reaction was (`zyklus sla ack --note`).
    #[serde(default)]
    pub reaction_note: Option<String>,
    /// The team whose capacity the whole effort uses (`[capacity.teams]`).
    #[serde(default)]
    pub team: Option<String>,
    /// … or the effort split across teams; the units add up to `effort`.
    #[serde(default)]
    pub team_effort: BTreeMap<String, i64>,
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
    #[serde(default)]
    pub text: BTreeMap<String, String>,
}

/// A validated change request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub id: Id,
    pub title: String,
    pub kind: Kind,
    pub status: Status,
    /// Capacity units, > 0.
    pub effort: u32,
    pub impact: Impact,
    pub requested_by: Vec<Id>,
    pub created: Option<Date>,
    pub depends_on: Vec<Id>,
    pub together_with: Vec<Id>,
    pub deadline: Option<Date>,
    pub pin: Option<ReleaseId>,
    pub reported_at: Option<Timestamp>,
    /// Where the request came from (a Jira key, an issue URL); unique in a workspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Hotfixes: the recorded reaction to the report (`zyklus sla ack`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction: Option<Reaction>,
    /// Its effort per team: all of it for `team = "…"`, the split of
    /// `[team_effort]`; empty for a request without a team, which counts against
    /// the total capacity only.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub team_effort: BTreeMap<String, u64>,
    pub scores: BTreeMap<String, f64>,
    pub text: BTreeMap<String, String>,
}

#[cfg(test)]
impl Request {
    /// A request for unit tests: the id, the status and the effort; title `t`, the
    /// default kind and impact, everything else empty. Tests set what else they
    /// need with struct update syntax.
    pub(crate) fn for_test(id: &str, status: Status, effort: u32) -> Self {
        Self {
            id: Id::parse(id).expect("id"),
            title: "t".into(),
            kind: Kind::default(),
            status,
            effort,
            impact: Impact::default(),
            requested_by: Vec::new(),
            created: None,
            depends_on: Vec::new(),
            together_with: Vec::new(),
            deadline: None,
            pin: None,
            reported_at: None,
            source: None,
            reaction: None,
            team_effort: BTreeMap::new(),
            scores: BTreeMap::new(),
            text: BTreeMap::new(),
        }
    }
}

/// The team's reaction to a hotfix request, which the reaction promise is judged by
/// (`reacted_at` and `reaction_note` in the request file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reaction {
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Reaction {
    /// The reaction recorded in a request file, if any (a note without a time is
    /// no reaction).
    #[must_use]
    pub fn from_file(at: Option<Timestamp>, note: Option<String>) -> Option<Self> {
        at.map(|at| Self {
            at,
            note: note.filter(|n| !n.trim().is_empty()),
        })
    }
}

impl Request {
    /// The customer-facing text in `lang`, falling back to any other language
    /// (the returned flag says whether it fell back), then to the title.
    #[must_use]
    pub fn text_in(&self, lang: &str) -> (&str, bool) {
        if let Some(t) = self.text.get(lang).filter(|t| !t.trim().is_empty()) {
            return (t, false);
        }
        match self.text.values().find(|t| !t.trim().is_empty()) {
            Some(t) => (t, true),
            None => (&self.title, true),
        }
    }
}

/// A problem with a request's team keys: where (`key`, at the value or the key)
/// and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamProblem {
    pub key: Vec<String>,
    pub on_value: bool,
    pub message: String,
    pub hint: String,
}

/// A request's effort per team from its `team` or `[team_effort]`, checked
/// against the configured teams (`None`: unknown, e.g. zyklus.toml is broken):
/// a known team, not both keys, whole units ≥ 0 that add up to `effort`, and no
/// team at all while no teams are configured. With problems the map is empty.
#[must_use]
pub fn team_effort<T>(
    team: Option<String>,
    split: BTreeMap<String, i64>,
    effort: u32,
    teams: Option<&BTreeMap<String, T>>,
) -> (BTreeMap<String, u64>, Vec<TeamProblem>) {
    let mut problems = Vec::new();
    let mut problem = |key: &[&str], on_value: bool, message: String, hint: String| {
        problems.push(TeamProblem {
            key: key.iter().map(|k| (*k).to_owned()).collect(),
            on_value,
            message,
            hint,
        });
    };
    let configured = |t: &str| teams.is_none_or(|ts| ts.contains_key(t));
    let known = teams.map_or_else(String::new, |ts| {
        ts.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
    });
    let unknown_hint = format!("use a team of [capacity.teams] in zyklus.toml: {known}");
    let mut out = BTreeMap::new();
    if teams.is_some_and(BTreeMap::is_empty) && (team.is_some() || !split.is_empty()) {
        let key = if team.is_some() {
            "team"
        } else {
            "team_effort"
        };
        problem(
            &[key],
            false,
            format!("`{key}` is set, but zyklus.toml configures no teams"),
            "add the teams to [capacity.teams] in zyklus.toml (e.g. backend = { default = 24 }), or remove the key".into(),
        );
        return (out, problems);
    }
    if team.is_some() && !split.is_empty() {
        problem(
            &["team_effort"],
            false,
            "both `team` and `[team_effort]` are set".into(),
            "keep one: `team` when one team does all of the work, `[team_effort]` to split it"
                .into(),
        );
        return (out, problems);
    }
    if let Some(t) = team {
        if configured(&t) {
            out.insert(t, u64::from(effort));
        } else {
            problem(&["team"], true, format!("unknown team `{t}`"), unknown_hint);
        }
        return (out, problems);
    }
    let mut ok = true;
    for (t, units) in split {
        if !configured(&t) {
            problem(
                &["team_effort", &t],
                false,
                format!("unknown team `{t}`"),
                unknown_hint.clone(),
            );
            ok = false;
        }
        if let Ok(u) = u64::try_from(units) {
            out.insert(t, u);
        } else {
            problem(
                &["team_effort", &t],
                true,
                format!("team_effort.{t} is {units}; it must be a whole number of units ≥ 0"),
                "e.g. backend = 5".into(),
            );
            ok = false;
        }
    }
    let sum: u64 = out.values().sum();
    if ok && !out.is_empty() && effort > 0 && sum != u64::from(effort) {
        problem(
            &["team_effort"],
            false,
            format!("the team efforts add up to {sum}, but effort is {effort}"),
            "make the units of [team_effort] add up to effort, or change effort".into(),
        );
        ok = false;
    }
    if !ok {
        out.clear();
    }
    (out, problems)
}
