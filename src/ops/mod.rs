//! The use cases of zyklus (cargo's `ops`, jj's `cmd_*` bodies): one module per
//! thing a user does. An operation takes the loaded workspace — or, when it
//! writes, a [`Transaction`](crate::workspace::Transaction) — and plain inputs
//! (ids, values, [`Context`]), applies the domain rules, stages its edits on the
//! transaction, and returns a report value. It never parses arguments, prints,
//! prompts, reads the clock or the environment; commands in `cli/` do that and
//! hand the report to `output/`.
//!
//! Find a behaviour by its domain word: `plan`, `gate`, `scope` (release add/remove,
//! hotfix scope), `hotfix`, `finding`, `status` (release list/show), `request`,
//! `training`, `notes`, `changelog`, `announce`, `agenda`, `calendar`, `score`,
//! `sla`, `init`.

pub mod agenda;
pub mod announce;
pub mod board;
pub mod calendar;
pub mod changelog;
pub mod finding;
pub mod gate;
pub mod hotfix;
pub mod import;
pub mod init;
pub mod notes;
pub mod partner;
pub mod request;
pub mod scope;
pub mod score;
pub mod sla;
pub mod status;
pub mod training;
pub mod validate;

use chrono::{DateTime, FixedOffset};

/// What every operation may know about the run: the time and who acts.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<FixedOffset>,
    pub actor: String,
}
