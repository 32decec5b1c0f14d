//! `zyklus score`: arguments and glue over [`crate::ops::score`].

use anyhow::Result;

use super::request::Filter;
use super::{Outcome, Settings};
use crate::ops::score::{self, SortKey};

/// How to order the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SortArg {
    /// Highest score first
    #[default]
    Score,
    /// By id
    Id,
    /// Smallest effort first
    Effort,
    /// Highest score per capacity unit first
    ValuePerEffort,
}

impl From<SortArg> for SortKey {
    fn from(a: SortArg) -> Self {
        match a {
            SortArg::Score => SortKey::Score,
            SortArg::Id => SortKey::Id,
            SortArg::Effort => SortKey::Effort,
            SortArg::ValuePerEffort => SortKey::ValuePerEffort,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Every request, whatever its status (default: open and accepted ones)
    #[arg(long)]
    pub all: bool,
    /// Order of the rows (ties by id)
    #[arg(long, value_enum, default_value_t = SortArg::Score)]
    pub sort: SortArg,
    #[command(flatten)]
    pub filter: Filter,
}

/// Runs `zyklus score`.
///
/// # Errors
/// When the workspace does not load or a request cannot be scored.
pub fn run(a: &Args, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let report = score::score(
        &loaded.workspace,
        &a.filter.to_filter(),
        a.all,
        a.sort.into(),
    )?;
    if !report.unscored.is_empty() {
        let ids: Vec<&str> = report
            .unscored
            .iter()
            .map(crate::model::Id::as_str)
            .collect();
        s.warn(&format!(
            "{} not scored yet, scoring 0: {} (add their [scores], e.g. `zyklus request set ID --score NAME=VALUE`)",
            crate::error::plural(ids.len(), "request"),
            ids.join(", ")
        ));
    }
    s.emit(&report)?;
    Ok(Outcome::Success)
}
