//! `init [--example] [DIR]`: a new workspace — a minimal one, or the realistic
//! sample bundled with zyklus. There is no workspace to lock or load yet, so this
//! writes through its own journaled commit ([`fsio::Changes`]), which creates the
//! directories; it never overwrites a file.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use crate::error::refused;
use crate::workspace::fsio::{Changes, Fault};
use crate::workspace::CONFIG_FILE;

include!(concat!(env!("OUT_DIR"), "/example_files.rs"));

const MINIMAL_CONFIG: &str = r#"# zyklus workspace: see `zyklus --help` and docs/workspace.md for every key.
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
replan_tolerance = 0.5            # percent of the objective a re-plan may give up to move fewer requests
"#;

const GITIGNORE: &str = "# zyklus's workspace lock\n.zyklus.lock\n";

/// What `init` created.
#[derive(Debug, Serialize)]
pub struct Created {
    pub dir: PathBuf,
    pub example: bool,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
}

/// Creates a workspace in `dir`: the example (`example`) or a minimal one.
///
/// # Errors
/// When any file it would write exists already (nothing is written then), or
/// writing fails.
pub fn create(dir: &Path, example: bool, fault: Option<Fault>) -> Result<Created> {
    let mut changes = Changes::new();
    if example {
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
        return Err(refused(
            format!("{} already exists; nothing was written", existing.display()),
            "run init in an empty directory, or pass another DIR",
        ));
    }
    let files = changes.commit(dir, fault)?;
    Ok(Created {
        dir: dir.to_path_buf(),
        example,
        files,
    })
}
