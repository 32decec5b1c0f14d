//! Where exports may go, and the workspace's template overrides.
//!
//! Exports (`calendar --ics`, `announce --out`, `board --out`) are written beside
//! the workspace, never over it: [`is_workspace_file`] says whether a path is one of
//! the workspace's own files — `zyklus.toml`, `partners.toml`, anything in
//! `requests/`, `releases/`, `trainings/`, `templates/` or `.git/`, the lock, the
//! journal and commit temporaries — after resolving `.`, `..` and the symbolic
//! links of the part that exists, so `out/../zyklus.toml` or a link to
//! `partners.toml` is caught too. [`export_file`] and [`export_dir`] refuse such
//! targets with a clear error before anything is written.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

use super::fsio::{JOURNAL_FILE, LOCK_FILE};
use super::{CONFIG_FILE, PARTNERS_FILE, RELEASES_DIR, REQUESTS_DIR, TRAININGS_DIR};
use crate::error::refused;

/// The directory of a workspace that holds template overrides.
pub const TEMPLATES_DIR: &str = "templates";

/// The workspace's data directories: nothing but zyklus writes there.
pub const DATA_DIRS: [&str; 4] = [REQUESTS_DIR, RELEASES_DIR, TRAININGS_DIR, TEMPLATES_DIR];

/// `path` made absolute against `base`, with `.` and `..` resolved and the
/// symbolic links of its existing part followed; the missing rest is appended as
/// written.
///
/// # Errors
/// When the existing part cannot be resolved.
pub fn resolve(base: &Path, path: &Path) -> Result<PathBuf> {
    let mut lexical = PathBuf::new();
    for c in base.join(path).components() {
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
    while existing.symlink_metadata().is_err() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    // A dangling link is resolved as far as it goes: its own path stands.
    let mut resolved = match existing.canonicalize() {
        Ok(p) => p,
        Err(_) if existing.symlink_metadata().is_ok() => existing.clone(),
        Err(e) => return Err(e).with_context(|| format!("resolving {}", existing.display())),
    };
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

fn canonical_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// Whether the resolved path `p` is one of the workspace's own files (see the
/// module comment); `root` is canonical.
fn is_own(root: &Path, p: &Path) -> bool {
    let Ok(rel) = p.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components();
    let Some(Component::Normal(first)) = parts.next() else {
        return false;
    };
    let first = first.to_string_lossy();
    let inside = parts.next().is_some();
    if first == ".git" || (inside && DATA_DIRS.contains(&first.as_ref())) {
        return true;
    }
    if inside {
        return false;
    }
    DATA_DIRS.contains(&first.as_ref())
        || [CONFIG_FILE, PARTNERS_FILE, LOCK_FILE, JOURNAL_FILE].contains(&first.as_ref())
        || (first.starts_with(".zyklus-") && first.ends_with(".tmp"))
}

/// Whether `path` (absolute, or relative to the current directory) is one of the
/// workspace's own files or directories, which no export may replace: the
/// configuration, the partners, anything in the data directories or `.git/`, the
/// lock and the journal. `.`, `..` and symbolic links are resolved first.
#[must_use]
pub fn is_workspace_file(root: &Path, path: &Path) -> bool {
    let base = std::env::current_dir().unwrap_or_default();
    resolve(&base, path).is_ok_and(|p| is_own(&canonical_root(root), &p))
}

/// The file an export named by `flag` may be written to: `path` (relative to
/// `cwd`) resolved, unless it is a workspace file, inside any `.git` directory,
/// or a directory.
///
/// # Errors
/// A refusal that names the flag and says why; nothing has been written.
pub fn export_file(root: &Path, cwd: &Path, path: &Path, flag: &str) -> Result<PathBuf> {
    let resolved = resolve(cwd, path)?;
    let shown = path.display();
    let hint =
        "write the export outside the workspace's own files, e.g. into a directory of its own";
    if resolved.components().any(|c| c.as_os_str() == ".git") {
        return Err(refused(
            format!("{flag} {shown} is inside a .git directory; zyklus never writes there"),
            hint,
        ));
    }
    let root = canonical_root(root);
    if is_own(&root, &resolved) {
        let what = resolved.strip_prefix(&root).unwrap_or(&resolved).display();
        return Err(refused(
            format!("{flag} {shown} is the workspace's own {what}; an export never replaces a workspace file (nothing was written)"),
            hint,
        ));
    }
    if resolved.is_dir() {
        return Err(refused(
            format!("{flag} {shown} is a directory"),
            "name a file, e.g. releases.ics",
        ));
    }
    Ok(resolved)
}

/// The directory an export named by `flag` may be written into: `dir` (relative
/// to `cwd`) resolved, unless it is inside a `.git` directory, a file, the
/// workspace itself, or inside one of its data directories.
///
/// # Errors
/// A refusal that names the flag and says why; nothing has been written.
pub fn export_dir(root: &Path, cwd: &Path, dir: &Path, flag: &str) -> Result<PathBuf> {
    let resolved = resolve(cwd, dir)?;
    let shown = dir.display();
    let hint = "write it into a directory of its own, e.g. --out public";
    if resolved.components().any(|c| c.as_os_str() == ".git") {
        return Err(refused(
            format!("{flag} {shown} is inside a .git directory"),
            hint,
        ));
    }
    if resolved.exists() && !resolved.is_dir() {
        return Err(refused(
            format!("{flag} {shown} is a file, not a directory"),
            "name a directory; it is created if missing",
        ));
    }
    let root = canonical_root(root);
    if resolved == root {
        return Err(refused(
            format!("{flag} {shown} is the workspace itself"),
            hint,
        ));
    }
    for d in DATA_DIRS {
        if resolved.starts_with(root.join(d)) {
            return Err(refused(
                format!("{flag} {shown} is inside the workspace's {d}/ directory"),
                hint,
            ));
        }
    }
    Ok(resolved)
}

/// The workspace's template overrides: every `templates/*.jinja` file, by name.
///
/// # Errors
/// When the directory or a file in it cannot be read.
pub fn template_overrides(root: &Path) -> Result<BTreeMap<String, String>> {
    let dir = root.join(TEMPLATES_DIR);
    let mut overrides = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(overrides);
    }
    let entries = std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("reading {}", dir.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".jinja") || !e.path().is_file() {
            continue;
        }
        let src = std::fs::read_to_string(e.path())
            .with_context(|| format!("reading {TEMPLATES_DIR}/{name}"))?;
        overrides.insert(name, src);
    }
    Ok(overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for d in [".git/objects", "releases", "requests", "templates"] {
            std::fs::create_dir_all(root.join(d)).expect("dir");
        }
        std::fs::write(root.join("zyklus.toml"), "").expect("config");
        std::fs::write(root.join("partners.toml"), "").expect("partners");
        dir
    }

    #[test]
    fn workspace_files_are_recognised_however_they_are_named() {
        let dir = workspace();
        let root = dir.path();
        for own in [
            "zyklus.toml",
            "partners.toml",
            "requests/CR-0001.toml",
            "releases/2027.1.toml",
            "releases/new.ics",
            "trainings/2027.toml",
            "templates/notes.de.md.jinja",
            ".git/config",
            ".zyklus.lock",
            ".zyklus-journal",
            ".zyklus-abc.tmp",
            "out/../zyklus.toml",
            "./requests/../partners.toml",
            "requests",
        ] {
            assert!(
                is_own(
                    &canonical_root(root),
                    &resolve(root, Path::new(own)).expect(own)
                ),
                "{own}"
            );
            assert!(
                export_file(root, root, Path::new(own), "--ics").is_err(),
                "{own}"
            );
        }
        for other in [
            "out.ics",
            "out/cal.ics",
            "releases.ics",
            "../elsewhere.ics",
            "zyklus.toml.ics",
        ] {
            assert!(
                !is_own(
                    &canonical_root(root),
                    &resolve(root, Path::new(other)).expect(other)
                ),
                "{other}"
            );
            assert!(
                export_file(root, root, Path::new(other), "--ics").is_ok(),
                "{other}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_workspace_file_is_one() {
        let dir = workspace();
        let root = dir.path();
        std::os::unix::fs::symlink(root.join("zyklus.toml"), root.join("cal.ics")).expect("link");
        assert!(is_own(
            &canonical_root(root),
            &resolve(root, Path::new("cal.ics")).expect("resolve")
        ));
        std::os::unix::fs::symlink(root.join("releases"), root.join("site")).expect("link");
        assert!(export_dir(root, root, Path::new("site"), "--out").is_err());
    }

    #[test]
    fn out_directories_stay_clear_of_git_and_workspace_files() {
        let dir = workspace();
        let root = dir.path();
        for bad in [
            ".git",
            ".git/objects/board",
            "site/../.git/x",
            ".",
            "releases",
            "releases/site",
            "templates/x",
            "zyklus.toml",
            "a/../",
        ] {
            assert!(
                export_dir(root, root, Path::new(bad), "--out").is_err(),
                "{bad} must be refused"
            );
        }
        for good in ["public", "site/en", "releases-site", "../elsewhere"] {
            let p = export_dir(root, root, Path::new(good), "--out").expect(good);
            assert!(!p.to_string_lossy().contains(".."), "{}", p.display());
        }
    }
}
