//! zyklus: plan, gate and announce a fixed release cadence — six releases a year,
//! each planned from a scored backlog of change requests kept as TOML files, moved
//! development → test → production by stage gates, and announced in German and
//! English.
//!
//! Modules, and the direction of their dependencies (`cli` → the rest → `model`):
//! - [`model`]: pure domain types (ids, requests, releases, partners, config);
//! - [`ics`]: the release calendar as iCalendar text (pure);
//! - [`gates`]: whether a release may move to its next stage (pure);
//! - [`planning`]: the planning engine: model, solver, bound, explanations (pure);
//! - [`scoring`]: a request's score under the configured model (pure);
//! - [`import`]: Jira / GitHub / GitLab exports → request files (pure: parse, map, merge);
//! - [`workspace`]: the only place that reads and writes workspace files;
//! - [`git`]: the product repository (changelog commits and tags, files at a revision
//!   for `plan --compare`; the only `git2` user);
//! - [`mail`]: announcement e-mails (RFC 5322) and SMTP delivery (the only `lettre` user);
//! - [`board`]: the release board, a static HTML site of a year (pure rendering);
//! - [`notes`]: release notes, changelog sections, e-mail and wiki texts (pure rendering);
//! - [`output`] and [`ui`]: reports as tables/JSON, colour and prompts;
//! - [`cli`]: clap definitions and the glue of each command;
//! - [`error`]: diagnostics, error printing and exit codes.

pub mod board;
pub mod cli;
pub mod error;
pub mod gates;
pub mod git;
pub mod ics;
pub mod import;
pub mod mail;
pub mod model;
pub mod notes;
pub mod ops;
pub mod output;
#[allow(dead_code)] // parts of the engine are work in progress on the `planning` branch
pub mod planning;
pub mod scoring;
pub mod ui;
pub mod workspace;

/// Runs zyklus with the process's arguments; returns the exit code.
#[must_use]
pub fn run() -> u8 {
    cli::run(std::env::args_os())
}
