//! `board`: the rules around the release board — which year and language it
//! shows, where it may be written (never inside `.git` or the workspace's own
//! files), and writing its pages atomically into that directory. The board itself
//! is [`crate::board`] (pure); the planner's deferrals come from the caller.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::board::{Board, Lang};
use crate::error::refused;
use crate::workspace::{fsio, Workspace};

/// What `board` reports: a summary table, or the [`Board`] itself as JSON.
pub struct Summary {
    pub board: Board,
    pub out: PathBuf,
    pub pages: usize,
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.board.serialize(s)
    }
}

/// The language of the board: `requested`, else the workspace's first language
/// that is `de` or `en`, else English; with a warning to show, if any.
///
/// # Errors
/// When `requested` is not `de` or `en`.
pub fn language(ws: &Workspace, requested: Option<&str>) -> Result<(Lang, Option<String>)> {
    let langs = &ws.config.workspace.languages;
    match requested {
        Some(l) => {
            let lang: Lang = l
                .parse()
                .map_err(|e: String| refused(e, "use --lang de or --lang en"))?;
            let warning = (!langs.iter().any(|x| x == lang.as_str())).then(|| {
                format!(
                    "the workspace's languages are {}; request texts fall back to another language",
                    langs.join(", ")
                )
            });
            Ok((lang, warning))
        }
        None => Ok(match langs.iter().find_map(|l| l.parse().ok()) {
            Some(l) => (l, None),
            None => (
                Lang::En,
                Some("no workspace language is de or en; the board is in English".into()),
            ),
        }),
    }
}

/// Writes the pages into `out` (created if missing) as one atomic set; returns
/// how many changed (0: the board there is up to date).
///
/// # Errors
/// When a page name is not a plain file name (a bug), or writing fails.
pub fn write(out: &Path, pages: &[(String, String)]) -> Result<usize> {
    let mut changes = fsio::Changes::new();
    for (name, html) in pages {
        // Plain file names only: nothing is written outside --out.
        let plain = Path::new(name).components().count() == 1
            && matches!(
                Path::new(name).components().next(),
                Some(Component::Normal(_))
            );
        anyhow::ensure!(
            plain,
            "internal error: page name `{name}` is not a plain file name"
        );
        changes.write(out.join(name), html.as_bytes());
    }
    changes.drop_unchanged();
    if changes.is_empty() {
        return Ok(0);
    }
    let n = changes.paths().count();
    changes
        .commit(out, None)
        .with_context(|| format!("writing the board into {}", out.display()))?;
    Ok(n)
}
