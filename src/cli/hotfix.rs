//! `zyklus hotfix new`: a hotfix release `YYYY.N.P` on top of a production release,
//! with one request in scope and the shorter hotfix gates of `[gates]`.

use std::io::{self, Write};

use anyhow::Result;
use toml_edit::{value, DocumentMut};

use super::release::{lock_and_load, release, write_validated};
use super::{Outcome, Settings};
use crate::error::with_hint;
use crate::model::{Kind, ReleaseId, Stage, Status};
use crate::workspace::{edit, fsio};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the next hotfix release on top of the latest production release
    New(NewArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The request the hotfix ships (normally of kind `hotfix`)
    #[arg(long, value_name = "CR")]
    pub request: String,
    /// The production release to build on (default: the latest one)
    #[arg(long, value_name = "ID")]
    pub on: Option<ReleaseId>,
}

/// Runs a `hotfix` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::New(a) => new(&a, s),
    }
}

fn new(a: &NewArgs, s: &Settings) -> Result<Outcome> {
    let (_lock, loaded) = lock_and_load(s)?;
    let ws = &loaded.workspace;
    let request = ws.request(&a.request)?;
    let cr = request.id.to_string();
    if request.status == Status::Rejected {
        return Err(with_hint(
            format!("{cr} is rejected"),
            format!("accept it first: `zyklus request set {cr} --status accepted`"),
        ));
    }
    if let Some(other) = ws
        .releases
        .values()
        .find(|r| r.stage != Stage::Cancelled && r.scope.contains(&cr))
    {
        return Err(with_hint(
            format!(
                "{cr} is already in the scope of {} ({})",
                other.id, other.stage
            ),
            format!(
                "take it out there first (`zyklus release remove {} {cr} --reason …`)",
                other.id
            ),
        ));
    }
    if request.kind != Kind::Hotfix {
        s.warn(&format!(
            "{cr} is a {}, not a hotfix request; `zyklus sla` only tracks hotfix requests",
            request.kind
        ));
    }
    let base = match a.on {
        Some(id) => {
            let on = release(ws, id.base())?;
            if on.stage != Stage::Production {
                return Err(with_hint(
                    format!("{} is in {}, not in production", on.id, on.stage),
                    "a hotfix goes on top of a release in production; pick one with --on",
                ));
            }
            on.id
        }
        None => ws
            .releases
            .values()
            .filter(|r| r.stage == Stage::Production)
            .map(|r| r.id.base())
            .max()
            .ok_or_else(|| {
                with_hint(
                    "no release is in production yet",
                    "a hotfix goes on top of a production release; name one with --on ID",
                )
            })?,
    };
    let patch = ws
        .releases
        .keys()
        .filter(|id| id.base() == base)
        .filter_map(|id| id.patch)
        .max()
        .unwrap_or(0)
        + 1;
    let id = ReleaseId {
        patch: Some(patch),
        ..base
    };
    let mut doc = DocumentMut::new();
    doc["id"] = value(id.to_string());
    doc["stage"] = value(Stage::Planned.as_str());
    doc["scope"] = edit::string_array([cr.as_str()]);
    doc.decor_mut().set_prefix(format!(
        "# Hotfix {id} on top of {base} for {cr}, created by `zyklus hotfix new`.\n\
         # It passes the hotfix gates of [gates] (hotfix_min_test_days, hotfix_require_signoff).\n"
    ));
    let mut changes = fsio::Changes::new();
    changes.write(ws.release_path(id), doc.to_string());
    write_validated(&loaded, changes, s)?;
    writeln!(io::stdout().lock(), "{id}")?;
    Ok(Outcome::Success)
}
