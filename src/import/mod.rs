//! Importing change requests from a tracker's export: a Jira CSV export, the JSON
//! that `gh issue list --json …` prints, or GitLab's issues API JSON.
//!
//! The import runs in three pure steps, so that each can be tested on its own and
//! nothing here touches the file system:
//! 1. [`jira::parse`] / [`github::parse`] turn the file into tracker-neutral
//!    [`Record`]s: every field by name, with all its values (Jira repeats columns
//!    such as `Labels`; GitHub labels are a list);
//! 2. [`mapping::map`] applies the workspace's `[import.<tracker>]` mapping
//!    ([`config::Mapping`], with defaults per tracker) to a record: a [`mapping::Draft`]
//!    with the request keys the tracker gives, or the reason it is skipped;
//! 3. [`merge::plan`] compares the drafts with the existing requests (matched by
//!    their `source` key) and decides for each: create (with the next free id),
//!    update (only the keys the mapping owns, edited with `toml_edit` so comments
//!    and every other key stay), unchanged, or skipped.
//!
//! The command (`cli/import.rs`) reads the files, validates the workspace with the
//! writes laid over it and writes them; this module never does.

pub mod github;
pub mod ids;
pub mod jira;
pub mod mapping;
pub mod merge;
pub mod sections;

use std::fmt;

/// The `[import.<tracker>]` configuration is part of the workspace configuration
/// (`model::import`), so that `model` needs nothing from here.
pub use crate::model::import as config;
pub use crate::model::import::Tracker;
pub use config::{ImportConfig, Mapping, Owned, Resolved, Rule};
pub use mapping::{Draft, Outcome, Skip};
pub use merge::{plan, Action, Existing, Item, Plan, Write};

impl Tracker {
    /// Parses an export of this tracker.
    ///
    /// # Errors
    /// When the file is not valid CSV / JSON of the expected shape.
    pub fn parse(self, input: &[u8]) -> Result<Vec<Record>, ParseError> {
        match self {
            Tracker::Jira => jira::parse(input),
            Tracker::Github | Tracker::Gitlab => github::parse(input),
        }
    }
}

/// One issue of an export, tracker-neutral: its fields in file order, each with
/// every non-empty value it has (a repeated CSV column or a JSON list gives several).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// Where the issue is in the file: the CSV line it starts on, or its 1-based
    /// position in the JSON array.
    pub at: Position,
    fields: Vec<(String, Vec<String>)>,
}

/// Where a record is in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    #[default]
    Unknown,
    /// The 1-based line a CSV record starts on.
    Line(u64),
    /// The 1-based position of an issue in a JSON array.
    Index(usize),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Unknown => f.write_str("?"),
            Position::Line(l) => write!(f, "line {l}"),
            Position::Index(i) => write!(f, "issue {i}"),
        }
    }
}

impl Record {
    #[must_use]
    pub fn new(at: Position) -> Self {
        Self {
            at,
            fields: Vec::new(),
        }
    }

    /// Adds a value to the field `name` (after its earlier values); blank values
    /// are dropped, others trimmed.
    pub fn push(&mut self, name: &str, value: &str) {
        let name = name.trim();
        let i = if let Some(i) = self.fields.iter().position(|(n, _)| n == name) {
            i
        } else {
            self.fields.push((name.to_owned(), Vec::new()));
            self.fields.len() - 1
        };
        let value = value.trim();
        if !value.is_empty() {
            self.fields[i].1.push(value.to_owned());
        }
    }

    /// Every value of the field `name` (matched exactly, else ignoring case).
    #[must_use]
    pub fn values(&self, name: &str) -> &[String] {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| {
                self.fields
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The first value of the field `name`.
    #[must_use]
    pub fn first(&self, name: &str) -> Option<&str> {
        self.values(name).first().map(String::as_str)
    }

    /// Whether the record has a field `name` at all (even an empty one).
    #[must_use]
    pub fn has_field(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|(n, _)| n == name || n.eq_ignore_ascii_case(name))
    }

    /// The field names, in file order.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(n, _)| n.as_str())
    }
}

/// Why an export file cannot be read at all (one bad issue is skipped instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// 1-based line of the problem, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// Strips a UTF-8 byte order mark (Jira and PowerShell write one).
pub(crate) fn strip_bom(input: &[u8]) -> &[u8] {
    input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input)
}
