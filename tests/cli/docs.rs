//! Docs that cannot drift: every relative link and anchor in `README.md` and
//! `docs/*.md` points at something that exists, and every `console` example in
//! them runs — in order, in one sandbox per file — and prints what it shows.
//!
//! An example block looks like this (the sandbox of a file starts as an empty directory
//! with the repository's `examples/` copied in, the clock pinned to the harness's
//! `NOW` unless a command sets `ZYKLUS_NOW=…` before `zyklus`; a `cd` holds for
//! the rest of the file):
//!
//! ````text
//! ```console
//! $ zyklus -C examples/agency validate
//! valid: 40 requests, 0 releases, 6 partners; 0 warnings
//! $ cd demo
//! $ ZYKLUS_NOW=2027-01-13T10:00:00+01:00 zyklus gate check 2027.1
//! ? 3
//! ...
//! ```
//! ````
//!
//! Lines after a command are its expected stdout: `...` on a line of its own
//! matches any number of lines, `[..]` inside a line any text; no output lines
//! means the output is not checked. `? N` expects exit code N (default 0).
//! Besides `zyklus`, a block may run `cd DIR`, `git …`, `cat FILE` and `ls DIR`;
//! `export KEY=VALUE` (e.g. `ZYKLUS_NOW`) holds, like `cd`, for the rest of the file.
//!
//! A page that needs a file zyklus does not write (a release file in a given
//! stage, a template) shows it in a block whose info string names it, and the
//! runner writes it, relative to the current directory, before the next command:
//!
//! ````text
//! ```toml file=releases/2027.1.toml
//! id = "2027.1"
//! stage = "production"
//! ```
//! ````
//!
//! `DOCS_UPDATE=1 cargo test --test cli docs::` rewrites the shown output of every
//! command whose output changed: lines that still match (wildcards included) stay
//! as written, the others become what the command prints now. A block whose
//! expected output uses `...`, or whose output lines are not written right after
//! the command, is not rewritten and still fails. `--nocapture` shows which pages
//! were rewritten; review the diff before committing.
//!
//! One liberty is taken with what a page shows: a `zyklus … plan` without
//! `--time-limit` runs with `--time-limit 600`. The limit is only the solver's
//! safety net (the work budget is counted in moves); a debug build, about ten times
//! slower, can spend the default 10 s of CPU time, and then the plan — and every
//! step of a tour after it — could differ from what a release build prints.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

use crate::support::NOW;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page under docs/.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    if let Ok(entries) = fs::read_dir(repo().join("docs")) {
        let mut pages: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        pages.sort();
        files.extend(pages);
    }
    files
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown file's headings (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    let mut fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        if let Some(h) = line.strip_prefix('#') {
            let h = h.trim_start_matches('#');
            if h.starts_with(' ') {
                let base = slug(&h.replace('`', ""));
                let n = seen.entry(base.clone()).or_insert(0);
                out.insert(if *n == 0 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                });
                *n += 1;
            }
        }
    }
    out
}

/// `(line, target)` of every inline link `[text](target)` outside code.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fence = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        // Drop inline code spans so that `[x](y)` in code is not a link.
        let mut plain = String::new();
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                plain.push(c);
            }
        }
        let mut rest = plain.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            out.push((n + 1, target.to_owned()));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    for file in doc_files() {
        let text = fs::read_to_string(&file).expect("read doc");
        let dir = file.parent().expect("parent").to_path_buf();
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                dir.join(path)
            };
            let name = file
                .strip_prefix(repo())
                .unwrap_or(&file)
                .display()
                .to_string();
            if !resolved.exists() {
                broken.push(format!("{name}:{line}: {target} (no such file)"));
                continue;
            }
            // Links must stay inside the repository (no ../shared/…).
            let canon = resolved.canonicalize().expect("canonicalize");
            if !canon.starts_with(repo().canonicalize().expect("repo")) {
                broken.push(format!("{name}:{line}: {target} (outside the repository)"));
                continue;
            }
            if let Some(a) = anchor {
                let body = fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&body).contains(a) {
                    broken.push(format!("{name}:{line}: {target} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// One command of an example block and what it should print, or (with `file`)
/// a file to write with the lines of `expected` as its content.
#[derive(Debug)]
struct Step {
    line: usize,
    command: String,
    expected: Vec<String>,
    code: i32,
    file: Option<String>,
}

fn blocks(text: &str) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<Step>> = None;
    let mut file: Option<Step> = None;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_end();
        if let Some(step) = &mut file {
            if t.trim_start() == "```" {
                out.push(vec![file.take().expect("file block")]);
            } else {
                step.expected.push(line.to_owned());
            }
            continue;
        }
        match &mut current {
            None if t.trim_start() == "```console" => current = Some(Vec::new()),
            None if t.trim_start().starts_with("```") && t.contains(" file=") => {
                let path = t.split(" file=").nth(1).unwrap_or("").trim().to_owned();
                file = Some(Step {
                    line: n + 1,
                    command: format!("(write {path})"),
                    expected: Vec::new(),
                    code: 0,
                    file: Some(path),
                });
            }
            None => {}
            Some(steps) if t.trim_start() == "```" => {
                out.push(std::mem::take(steps));
                current = None;
            }
            Some(steps) => {
                if let Some(cmd) = t.strip_prefix("$ ") {
                    steps.push(Step {
                        line: n + 1,
                        command: cmd.to_owned(),
                        expected: Vec::new(),
                        code: 0,
                        file: None,
                    });
                } else if let Some(code) = t.strip_prefix("? ") {
                    if let Some(s) = steps.last_mut() {
                        s.code = code.trim().parse().expect("exit code after `? `");
                    }
                } else if let Some(s) = steps.last_mut() {
                    s.expected.push(t.to_owned());
                }
            }
        }
    }
    out
}

/// Whether `line` matches `pattern`, where `[..]` matches any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let mut rest = line;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// Whether `actual` lines match `expected`, where a `...` line matches any lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(first, a) && lines_match(rest, more)),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// The expected output rewritten to `actual`, keeping every line that still
/// matches; None when it uses `...` (which lines it stands for is not known).
fn updated(expected: &[String], actual: &[&str]) -> Option<Vec<String>> {
    if expected.iter().any(|l| l.trim() == "...") {
        return None;
    }
    Some(
        actual
            .iter()
            .enumerate()
            .map(|(i, a)| match expected.get(i) {
                Some(e) if line_matches(e, a) => e.clone(),
                _ => a.trim_end().to_owned(),
            })
            .collect(),
    )
}

/// Replaces the output lines shown after each step's command (`(command line,
/// expected, new lines)`); None when a step's output is not right after its
/// command in `text`.
fn rewrite(text: &str, updates: &[(usize, Vec<String>, Vec<String>)]) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for (line, expected, new) in updates.iter().rev() {
        let at = *line; // the line after the command (lines are 1-based)
        let shown: Vec<String> = lines
            .get(at..at + expected.len())?
            .iter()
            .map(|l| l.trim_end().to_owned())
            .collect();
        if shown != *expected {
            return None;
        }
        lines.splice(at..at + expected.len(), new.iter().cloned());
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Some(out)
}

/// What a step did: its output as shown, or (with `DOCS_UPDATE`) the lines to
/// show instead.
enum Ran {
    AsShown,
    Update(Vec<String>),
}

fn run_step(
    sandbox: &Path,
    cwd: &mut PathBuf,
    exported: &mut Vec<(String, String)>,
    step: &Step,
) -> Result<Ran, String> {
    if let Some(path) = &step.file {
        let target = cwd.join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("mkdir for {path}: {e}"))?;
        }
        let mut body = step.expected.join("\n");
        body.push('\n');
        return fs::write(&target, body)
            .map(|()| Ran::AsShown)
            .map_err(|e| format!("writing {path}: {e}"));
    }
    let mut words: Vec<String> = step
        .command
        .split_whitespace()
        .map(|w| w.trim_matches('"').to_owned())
        .collect();
    // Quoted arguments with spaces: "a b" → one word.
    if step.command.contains('"') {
        words = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        for c in step.command.chars() {
            match c {
                '"' => quoted = !quoted,
                ' ' if !quoted => {
                    if !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                }
                c => cur.push(c),
            }
        }
        if !cur.is_empty() {
            words.push(cur);
        }
    }
    let mut env = Vec::new();
    while words
        .first()
        .is_some_and(|w| w.contains('=') && !w.starts_with('-'))
    {
        let w = words.remove(0);
        let (k, v) = w.split_once('=').expect("KEY=VALUE");
        env.push((k.to_owned(), v.to_owned()));
    }
    let Some(program) = words.first().cloned() else {
        return Ok(Ran::AsShown);
    };
    let mut args = words[1..].to_vec();
    if program == "zyklus"
        && args.iter().any(|a| a == "plan")
        && !args.iter().any(|a| a.starts_with("--time-limit"))
    {
        args.extend(["--time-limit".to_owned(), "600".to_owned()]);
    }
    let mut cmd = match program.as_str() {
        "export" => {
            for a in &args {
                let (k, v) = a
                    .split_once('=')
                    .ok_or_else(|| format!("export {a}: expected KEY=VALUE"))?;
                exported.push((k.to_owned(), v.to_owned()));
            }
            return Ok(Ran::AsShown);
        }
        "cd" => {
            let to = cwd.join(args.first().map_or(".", String::as_str));
            if !to.is_dir() {
                return Err(format!("cd {}: no such directory", to.display()));
            }
            *cwd = to;
            return Ok(Ran::AsShown);
        }
        "zyklus" => Command::cargo_bin("zyklus").expect("zyklus binary"),
        "git" | "cat" | "ls" => Command::new(&program),
        other => return Err(format!("examples may not run `{other}`")),
    };
    cmd.args(&args)
        .current_dir(&*cwd)
        .env_remove("ZYKLUS_WORKSPACE")
        .env("ZYKLUS_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("ZYKLUS_USER", "tester")
        .env("GIT_AUTHOR_NAME", "Tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "Tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .env_remove("COLUMNS")
        .stdin(std::process::Stdio::null());
    for (k, v) in exported.iter().chain(&env) {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("running {program}: {e}"))?;
    let code = out.status.code().unwrap_or(-1);
    let stdout =
        String::from_utf8_lossy(&out.stdout).replace(&sandbox.display().to_string(), "[SANDBOX]");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if code != step.code {
        return Err(format!(
            "exit code {code}, expected {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            step.code
        ));
    }
    if !step.expected.is_empty() {
        let actual: Vec<&str> = stdout.lines().collect();
        if !lines_match(&step.expected, &actual) {
            if std::env::var_os("DOCS_UPDATE").is_some() {
                if let Some(new) = updated(&step.expected, &actual) {
                    return Ok(Ran::Update(new));
                }
            }
            return Err(format!(
                "output differs\n--- expected\n{}\n--- actual\n{stdout}--- stderr\n{stderr}",
                step.expected.join("\n")
            ));
        }
    }
    Ok(Ran::AsShown)
}

#[test]
fn every_console_example_runs() {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in doc_files() {
        let text = fs::read_to_string(&file).expect("read doc");
        let name = file
            .strip_prefix(repo())
            .unwrap_or(&file)
            .display()
            .to_string();
        let sandbox = tempfile::tempdir().expect("sandbox");
        copy_dir(&repo().join("examples"), &sandbox.path().join("examples"));
        // One session per file: a `cd` holds for the blocks after it.
        let mut cwd = sandbox.path().to_path_buf();
        let mut exported = Vec::new();
        let mut updates = Vec::new();
        for block in blocks(&text) {
            for step in &block {
                count += 1;
                match run_step(sandbox.path(), &mut cwd, &mut exported, step) {
                    Ok(Ran::AsShown) => {}
                    Ok(Ran::Update(new)) => updates.push((step.line, step.expected.clone(), new)),
                    Err(e) => {
                        failures.push(format!("{name}:{}: $ {}\n{e}", step.line, step.command));
                        break;
                    }
                }
            }
        }
        if !updates.is_empty() {
            match rewrite(&text, &updates) {
                Some(new) => {
                    fs::write(&file, new).expect("rewrite doc");
                    eprintln!("DOCS_UPDATE: rewrote the output of {} commands in {name}", updates.len());
                }
                None => failures.push(format!(
                    "{name}: DOCS_UPDATE cannot rewrite it: an output is not right after its command"
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} documented commands fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_matcher_understands_wildcards() {
    let exp = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert!(lines_match(&exp(&["a", "...", "d"]), &["a", "b", "c", "d"]));
    assert!(lines_match(&exp(&["a[..]c"]), &["abbbc"]));
    assert!(!lines_match(&exp(&["a", "d"]), &["a", "b", "d"]));
    assert!(lines_match(&exp(&["..."]), &[]));
    assert_eq!(slug("Planning: `zyklus plan`"), "planning-zyklus-plan");
    assert_eq!(slug("Stages, gates & findings"), "stages-gates--findings");
}

#[test]
fn docs_update_keeps_matching_lines_and_rewrites_the_rest() {
    let exp = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        updated(
            &exp(&["objective [..]", "old line", "gone"]),
            &["objective 9", "new line"]
        ),
        Some(exp(&["objective [..]", "new line"]))
    );
    assert_eq!(updated(&exp(&["a", "..."]), &["b"]), None);
    let page = "text\n```console\n$ zyklus x\nold\n? 1\n$ zyklus y\nkeep\n```\n";
    let steps = &blocks(page)[0];
    let new = rewrite(
        page,
        &[(
            steps[0].line,
            steps[0].expected.clone(),
            exp(&["new", "more"]),
        )],
    );
    assert_eq!(
        new.as_deref(),
        Some("text\n```console\n$ zyklus x\nnew\nmore\n? 1\n$ zyklus y\nkeep\n```\n")
    );
    // An output that is not right after its command is not rewritten.
    let split = "```console\n$ zyklus x\n? 1\nold\n```\n";
    let s = &blocks(split)[0][0];
    assert_eq!(
        rewrite(split, &[(s.line, s.expected.clone(), exp(&["new"]))]),
        None
    );
}

#[test]
fn a_block_that_names_a_file_writes_it() {
    let page = "```toml file=releases/2027.1.toml\nid = \"2027.1\"\n```\n\n```console\n$ export ZYKLUS_NOW=2027-01-12T10:00:00+01:00\n$ cat releases/2027.1.toml\nid = \"2027.1\"\n```\n";
    let parsed = blocks(page);
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[0][0].file.as_deref(), Some("releases/2027.1.toml"));
    let sandbox = tempfile::tempdir().expect("sandbox");
    let mut cwd = sandbox.path().to_path_buf();
    let mut exported = Vec::new();
    for step in parsed.iter().flatten() {
        run_step(sandbox.path(), &mut cwd, &mut exported, step).expect("step runs");
    }
    assert_eq!(
        exported,
        vec![(
            "ZYKLUS_NOW".to_owned(),
            "2027-01-12T10:00:00+01:00".to_owned()
        )]
    );
}
