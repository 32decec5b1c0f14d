//! A release: `releases/<ID>.toml`, written by zyklus and readable by humans.
//!
//! It carries the release's stage, its scope, the findings of its test phase and an
//! append-only history of every gate transition.

use serde::{Deserialize, Serialize};

use super::dates::{Date, Timestamp};
use super::id::ReleaseId;
use super::request::display_as_serde;

/// Where a release is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    #[default]
    Planned,
    Development,
    Test,
    Production,
    Cancelled,
}

display_as_serde! {
    Stage => [Planned = "planned", Development = "development", Test = "test", Production = "production", Cancelled = "cancelled"]
}

impl Stage {
    /// A release in development or later has a frozen scope: `plan` never changes it.
    #[must_use]
    pub fn is_frozen(self) -> bool {
        !matches!(self, Stage::Planned)
    }

    /// The next stage on the regular path, if any.
    #[must_use]
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Planned => Some(Stage::Development),
            Stage::Development => Some(Stage::Test),
            Stage::Test => Some(Stage::Production),
            Stage::Production | Stage::Cancelled => None,
        }
    }
}

/// How bad a finding of the test phase is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Blocker,
    Major,
    Minor,
}

display_as_serde! {
    Severity => [Blocker = "blocker", Major = "major", Minor = "minor"]
}

/// A bug or wish raised during the test phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// 1-based number within the release.
    pub number: u32,
    pub severity: Severity,
    pub text: String,
    pub raised_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
}

impl Finding {
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// One gate check as it stood when a transition happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub name: String,
    pub passed: bool,
    #[serde(default)]
    pub detail: String,
}

/// One entry of the append-only history: a gate transition or a scope change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub from: Stage,
    pub to: Stage,
    pub at: Timestamp,
    #[serde(default)]
    pub by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default)]
    pub forced: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckRecord>,
    /// Requests added to a frozen scope by this entry (a scope change keeps
    /// `from` = `to` = the stage it happened in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Requests removed from a frozen scope by this entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Requests of the scope accepted by this entry (`release accept`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    /// The test deployment recorded with this transition (into test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed: Option<String>,
    /// The sign-off recorded with this transition (into production).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signoff: Option<String>,
}

impl HistoryEntry {
    /// An entry from `from` to `to` at `at` by `by`, with no note, reason, checks
    /// or scope changes; callers set the rest with struct update syntax.
    #[must_use]
    pub fn new(from: Stage, to: Stage, at: Timestamp, by: String) -> Self {
        Self {
            from,
            to,
            at,
            by,
            note: String::new(),
            forced: false,
            reason: String::new(),
            checks: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            accepted: Vec::new(),
            deployed: None,
            signoff: None,
        }
    }
}

/// The contents of `releases/<ID>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub id: ReleaseId,
    #[serde(default)]
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev_start: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_start: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<Date>,
    #[serde(default)]
    pub scope: Vec<String>,
    /// Whether the scope is frozen (development or later). Derived from the stage
    /// when absent.
    #[serde(default)]
    pub frozen: bool,
    /// The capacity the plan assumed for this release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// Reference of the build deployed to the test mirror (e.g. a git ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed: Option<String>,
    /// When the test phase actually started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_started_at: Option<Timestamp>,
    /// Who signed the release off for production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signoff: Option<String>,
    #[serde(default, rename = "finding", skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Announcement e-mails already delivered (one per recipient), so a rerun of
    /// `announce --send` sends nothing twice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<SentRecord>,
}

/// One delivered announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    pub to: String,
    pub at: Timestamp,
    #[serde(default)]
    pub message_id: String,
    /// The scope the e-mail was written for (the request ids), so that a later
    /// change of the scope can be told to the partners who heard of the old one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    /// Whether it was a correction (`announce --resend-changed`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub correction: bool,
}

impl Release {
    /// A new, empty release in the planned stage.
    #[must_use]
    pub fn new(id: ReleaseId) -> Self {
        Self {
            id,
            stage: Stage::Planned,
            dev_start: None,
            test_start: None,
            release_date: None,
            scope: Vec::new(),
            frozen: false,
            capacity: None,
            deployed: None,
            test_started_at: None,
            signoff: None,
            findings: Vec::new(),
            history: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// Frozen when marked so or when in development or later.
    #[must_use]
    pub fn is_frozen(&self) -> bool {
        self.frozen || self.stage.is_frozen()
    }

    /// Findings not yet resolved.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_open())
    }
}
