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
    pub scores: BTreeMap<String, f64>,
    pub text: BTreeMap<String, String>,
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
