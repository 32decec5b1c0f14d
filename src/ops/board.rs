//! `board`: the rules around the release board — which year and language it
//! shows, where it may be written (never inside `.git` or the workspace's own
//! files), and writing its pages atomically into that directory. The board itself
//! is [`crate::board`] (pure); the planner's deferrals come from the caller.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::board::{Board, Lang};
use crate::error::refused;
use crate::workspace::{self, fsio, Workspace};

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

/// `out` with `.` and `..` resolved and symbolic links of its existing part
/// followed, if the board may be written there: not inside a `.git` directory,
/// not a file, not the workspace root and not inside its data directories.
pub fn allowed_out(out: &Path, root: &Path) -> Result<PathBuf> {
    let mut lexical = PathBuf::new();
    for c in out.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing
        .canonicalize()
        .with_context(|| format!("resolving {}", existing.display()))?;
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    let shown = out.display();
    if resolved.components().any(|c| c.as_os_str() == ".git") {
        return Err(refused(
            format!("--out {shown} is inside a .git directory"),
            "write the board somewhere else, e.g. --out public",
        ));
    }
    if resolved.exists() && !resolved.is_dir() {
        return Err(refused(
            format!("--out {shown} is a file, not a directory"),
            "name a directory; it is created if missing",
        ));
    }
    let root = root
        .canonicalize()
        .with_context(|| format!("resolving {}", root.display()))?;
    if resolved == root {
        return Err(refused(
            format!("--out {shown} is the workspace itself"),
            "write the board into a directory of its own, e.g. --out public",
        ));
    }
    for dir in [
        workspace::REQUESTS_DIR,
        workspace::RELEASES_DIR,
        workspace::TRAININGS_DIR,
        "templates",
    ] {
        if resolved.starts_with(root.join(dir)) {
            return Err(refused(
                format!("--out {shown} is inside the workspace's {dir}/ directory"),
                "write the board into a directory of its own, e.g. --out public",
            ));
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::allowed_out;

    #[test]
    fn out_must_stay_clear_of_git_and_workspace_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git/objects")).expect("git dir");
        std::fs::create_dir_all(root.join("releases")).expect("releases");
        std::fs::write(root.join("zyklus.toml"), "").expect("config");
        for bad in [
            ".git",
            ".git/objects/board",
            "site/../.git/x",
            ".",
            "releases",
            "releases/site",
            "zyklus.toml",
            "a/../",
        ] {
            assert!(
                allowed_out(&root.join(bad), root).is_err(),
                "{bad} must be refused"
            );
        }
        for good in ["public", "site/en", "releases-site", "../elsewhere"] {
            let p = allowed_out(&root.join(good), root).expect(good);
            assert!(!p.to_string_lossy().contains(".."), "{}", p.display());
        }
    }
}
