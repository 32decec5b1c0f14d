//! `zyklus init [--example] [DIR]`: create a workspace.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Outcome, Settings};
use crate::workspace::fsio::Changes;
use crate::workspace::CONFIG_FILE;

include!(concat!(env!("OUT_DIR"), "/example_files.rs"));

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the realistic sample workspace (a partner-portal vendor with ~40
    /// change requests in German and English) instead of a minimal one
    #[arg(long)]
    pub example: bool,

    /// Where to create the workspace (default: the current directory)
    pub dir: Option<PathBuf>,
}

const MINIMAL_CONFIG: &str = r#"# zyklus workspace: see `zyklus --help` and the README for every key.
# Only [workspace].name is required; everything else has a default.

[workspace]
name = "My Product"               # product name used in release notes
languages = ["de", "en"]          # languages of customer-facing text; first is default

[calendar]
releases_per_year = 6
months = [1, 3, 5, 7, 9, 11]      # the month of each release slot
weekday = "tue"                   # release day: the second Tuesday …
week_of_month = 2                 # … of the month (-1 = the last)
test_weeks = 3                    # test phase before the release date
holidays = []                     # e.g. [2027-01-06]; releases move off them

[capacity]
default = 40                      # capacity units (e.g. story points) per release
# releases = { "2027.4" = 30 }    # per-release overrides

[scoring]
model = "weighted"                # weighted | wsjf | rice
criteria.value   = { weight = 3.0, scale = [1, 10] }
criteria.urgency = { weight = 2.0, scale = [1, 10] }

[planning]
release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]   # worth of shipping in slot 1..6
stability_penalty = 0.05          # cost of moving a request the last plan placed
"#;

const GITIGNORE: &str = "# zyklus's workspace lock\n.zyklus.lock\n";

fn target(dir: Option<&Path>, s: &Settings) -> PathBuf {
    match dir {
        Some(d) if d.is_absolute() => d.to_path_buf(),
        Some(d) => s.cwd.join(d),
        None => s.cwd.clone(),
    }
}

/// Creates the workspace; refuses to overwrite anything.
///
/// # Errors
/// When a workspace (or any file it would write) already exists, or writing fails.
pub fn run(args: &Args, s: &Settings) -> Result<Outcome> {
    let dir = target(args.dir.as_deref(), s);
    let mut changes = Changes::new();
    if args.example {
        for (rel, contents) in EXAMPLE_FILES {
            changes.write(dir.join(rel), *contents);
        }
    } else {
        changes.write(dir.join(CONFIG_FILE), MINIMAL_CONFIG);
        changes.write(dir.join("requests/.gitkeep"), "");
        changes.write(dir.join("releases/.gitkeep"), "");
    }
    if !dir.join(".gitignore").exists() {
        changes.write(dir.join(".gitignore"), GITIGNORE);
    }
    if let Some(existing) = changes.paths().find(|p| p.exists()) {
        return Err(crate::error::refused(
            format!("{} already exists; nothing was written", existing.display()),
            "run init in an empty directory, or pass another DIR",
        ));
    }
    let n = changes.paths().count();
    changes.commit(&dir, s.fault)?;
    s.status(&format!(
        "Created {} workspace in {} ({n} files). Try: zyklus -C {} validate",
        if args.example { "the example" } else { "a new" },
        dir.display(),
        dir.display()
    ));
    Ok(Outcome::Success)
}
