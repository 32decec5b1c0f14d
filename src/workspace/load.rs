//! Parsing and validating every workspace file in one pass.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::source::{
    line_col, locate, locate_element, locate_key, locate_nearest, KeyPath, Source,
};
use super::{
    Loaded, Workspace, CONFIG_FILE, PARTNERS_FILE, RELEASES_DIR, REQUESTS_DIR, TRAININGS_DIR,
};
use crate::error::{Diagnostic, Invalid, Level};
use crate::model::config::Model;
use crate::model::request::RequestFile;
use crate::model::{Config, Id, Partners, Release, ReleaseId, Request, Status};

/// Collects diagnostics for one file at a time, each pointing at the place in the
/// file that its [`KeyPath`] names (or, when that is not written, at the nearest
/// key that is).
struct Sink<'a> {
    diags: &'a mut Vec<Diagnostic>,
    file: PathBuf,
    source: &'a Source,
}

/// The path of the top-level key `name`.
fn top(name: &str) -> KeyPath {
    KeyPath::root().key(name)
}

impl Sink<'_> {
    fn push(&mut self, level: Level, at: Option<Range<usize>>, message: String, hint: &str) {
        let mut d = match level {
            Level::Error => Diagnostic::error(&self.file, message),
            Level::Warning => Diagnostic::warning(&self.file, message),
        };
        if let Some(span) = at {
            let src = self.source.text();
            let (l, c) = line_col(src, span.start);
            d = d.at(src, l, c);
        }
        if !hint.is_empty() {
            d = d.hint(hint);
        }
        self.diags.push(d);
    }

    /// A problem with the key at `path` (unknown, misspelt): points at the key, or
    /// at the element when `path` ends in an index.
    fn key(&mut self, level: Level, path: &KeyPath, message: String, hint: &str) {
        let at = self
            .source
            .doc()
            .and_then(|doc| locate_key(doc, path).or_else(|| locate_nearest(doc, path)));
        self.push(level, at, message, hint);
    }

    /// A problem with the value at `path`: points at the value.
    fn value(&mut self, level: Level, path: &KeyPath, message: String, hint: &str) {
        let at = self
            .source
            .doc()
            .and_then(|doc| locate(doc, path).or_else(|| locate_nearest(doc, path)));
        self.push(level, at, message, hint);
    }

    /// A problem with the string `needle` in the array at `path` (an unknown id in
    /// `depends_on`): points at that element.
    fn element(&mut self, level: Level, path: &KeyPath, needle: &str, message: String, hint: &str) {
        let at = self.source.doc().and_then(|doc| {
            locate_element(doc, path, needle)
                .or_else(|| locate(doc, path))
                .or_else(|| locate_nearest(doc, path))
        });
        self.push(level, at, message, hint);
    }
}

/// Parses `src` as a `T`, reporting syntax and type errors with their place and
/// unknown keys as warnings.
fn parse<T: DeserializeOwned>(sink: &mut Sink<'_>, what: &str) -> Option<T> {
    let de = match toml::Deserializer::parse(sink.source.text()) {
        Ok(de) => de,
        Err(e) => {
            sink.push(
                Level::Error,
                e.span(),
                format!("invalid TOML: {}", e.message().trim()),
                "fix the syntax; TOML is described at https://toml.io",
            );
            return None;
        }
    };
    let mut unknown = Vec::new();
    let result = serde_ignored::deserialize(de, |path| unknown.push(KeyPath::from_ignored(&path)));
    match result {
        Ok(v) => {
            for path in unknown {
                sink.key(
                    Level::Warning,
                    &path,
                    format!("unknown key `{path}` in {what}; it is ignored"),
                    "check the spelling against the file format in the README",
                );
            }
            Some(v)
        }
        Err(e) => {
            let at = e.span();
            let msg = e.message().trim().to_owned();
            let hint = if msg.starts_with("missing field") {
                format!("add the missing key; see the {what} format in the README")
            } else {
                format!("see the {what} format in the README")
            };
            sink.push(Level::Error, at, format!("invalid {what}: {msg}"), &hint);
            None
        }
    }
}

/// Pending writes that loading treats as if they were on disk, so that a command
/// can validate the workspace it is about to write before writing it.
pub type Overlay = HashMap<PathBuf, Vec<u8>>;

/// Where the loader reads: the overlay first, then (unless `disk` is false) the
/// files on disk.
#[derive(Clone, Copy)]
struct Files<'a> {
    overlay: &'a Overlay,
    disk: bool,
}

fn read(path: &Path, rel: &Path, diags: &mut Vec<Diagnostic>, files: Files) -> Option<String> {
    let bytes = match files.overlay.get(path) {
        Some(b) => Ok(b.clone()),
        None if !files.disk => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
        None => match fs::metadata(path) {
            // Never open a FIFO (it would block) or a device; say what it is instead.
            Ok(m) if !m.is_file() => {
                let what = if m.is_dir() {
                    "a directory"
                } else {
                    "not a regular file (a FIFO, socket or device)"
                };
                diags.push(
                    Diagnostic::error(rel, format!("{} is {what}", rel.display()))
                        .hint("replace it by a regular TOML file, or remove it"),
                );
                return None;
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && fs::symlink_metadata(path).is_ok() =>
            {
                diags.push(
                    Diagnostic::error(
                        rel,
                        format!("{} is a symbolic link to nothing", rel.display()),
                    )
                    .hint("fix the link or remove it"),
                );
                return None;
            }
            _ => fs::read(path),
        },
    };
    match bytes {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Some(match s.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_owned(),
                None => s,
            }),
            Err(_) => {
                diags.push(
                    Diagnostic::error(rel, "the file is not valid UTF-8").hint("save it as UTF-8"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::error(rel, format!("cannot read the file: {e}")));
            None
        }
    }
}

/// The `*.toml` files of a directory (and of the overlay), sorted; missing
/// directory = none.
fn toml_files(dir: &Path, from: Files) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let listing = if from.disk {
        fs::read_dir(dir)
    } else {
        Err(std::io::ErrorKind::NotFound.into())
    };
    match listing {
        Ok(entries) => {
            for e in entries {
                let p = e?.path();
                // Everything named *.toml is read, so that a directory, FIFO or
                // dangling link in its place is reported rather than skipped.
                if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listed: std::collections::HashSet<PathBuf> = files.iter().cloned().collect();
    for p in from.overlay.keys() {
        if p.parent() == Some(dir)
            && p.extension().is_some_and(|x| x == "toml")
            && !listed.contains(p)
        {
            files.push(p.clone());
        }
    }
    files.sort();
    Ok(files)
}

/// One workspace file as read: its path relative to the root, its text, its stem.
struct SourceFile {
    rel: PathBuf,
    src: String,
    stem: String,
}

/// Reads every `*.toml` file of `root/dir` (and of the overlay); files that cannot
/// be read become diagnostics.
fn read_dir_files(
    root: &Path,
    dir: &str,
    files: Files,
    diags: &mut Vec<Diagnostic>,
) -> anyhow::Result<Vec<SourceFile>> {
    let abs = root.join(dir);
    let paths =
        toml_files(&abs, files).map_err(|e| anyhow::anyhow!("listing {}: {e}", abs.display()))?;
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let rel = Path::new(dir).join(path.file_name().unwrap_or_default());
        let Some(src) = read(&path, &rel, diags, files) else {
            continue;
        };
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        out.push(SourceFile { rel, src, stem });
    }
    Ok(out)
}

/// Problems with the configuration that serde cannot see: `(key path, message, hint)`,
/// the key path as a [`KeyPath`] string (`workspace.languages[2]`); the loader
/// points each at that key, or at that element.
#[must_use]
pub fn validate_config(config: &Config) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut bad =
        |key: &str, msg: String, hint: &str| out.push((key.to_owned(), msg, hint.to_owned()));
    if config.workspace.name.trim().is_empty() {
        bad(
            "workspace.name",
            "the workspace name is empty".into(),
            "set `name` to the product's name, used in notes",
        );
    }
    if config.workspace.languages.is_empty() {
        bad(
            "workspace.languages",
            "no languages".into(),
            "list at least one, e.g. languages = [\"de\", \"en\"]",
        );
    }
    for (i, l) in config.workspace.languages.iter().enumerate() {
        if let Err(e) = crate::model::lang::check(l) {
            bad(
                &format!("workspace.languages[{i}]"),
                e,
                "use language tags such as \"de\", \"de-AT\", \"en\" or \"en-GB\"",
            );
        }
    }
    for key in config.capacity.releases.keys() {
        if key.parse::<ReleaseId>().map_or(true, ReleaseId::is_hotfix) {
            bad(
                &KeyPath::root()
                    .key("capacity")
                    .key("releases")
                    .key(key)
                    .to_string(),
                format!("`{key}` is not a release id"),
                "write release ids as YYYY.N, e.g. \"2027.4\" = 30",
            );
        }
    }
    for (name, c) in &config.scoring.criteria {
        let criterion = KeyPath::root().key("scoring").key("criteria").key(name);
        if c.scale[0] >= c.scale[1] || !c.scale.iter().all(|x| x.is_finite()) {
            bad(
                &criterion.clone().key("scale").to_string(),
                format!(
                    "criterion `{name}` has scale [{}, {}]; the minimum must be below the maximum",
                    c.scale[0], c.scale[1]
                ),
                "write scale = [MIN, MAX], e.g. [1, 10]",
            );
        }
        if !c.weight.is_finite() {
            bad(
                &criterion.key("weight").to_string(),
                format!("criterion `{name}` has a weight that is not a number"),
                "use a finite weight such as 2.0",
            );
        }
    }
    let w = &config.planning.release_weights;
    if w.is_empty() || w.iter().any(|x| !x.is_finite() || *x < 0.0) {
        bad(
            "planning.release_weights",
            "release weights must be a non-empty list of numbers ≥ 0".into(),
            "e.g. release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]",
        );
    }
    let t = config.planning.replan_tolerance;
    if !t.is_finite() || !(0.0..=100.0).contains(&t) {
        bad(
            "planning.replan_tolerance",
            format!("replan_tolerance is {t}; it must be a percentage from 0 to 100"),
            "e.g. replan_tolerance = 0.5 (give up at most 0.5 % of the objective to move fewer requests; 0: moves only break ties)",
        );
    }
    for (team, c) in &config.capacity.teams {
        let at = KeyPath::root().key("capacity").key("teams").key(team);
        if crate::model::Id::parse(team).is_err() {
            bad(
                &at.to_string(),
                format!("`{team}` is not a valid team name"),
                "name teams with 1–64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit, e.g. backend",
            );
        }
        if c.default < 0 {
            bad(
                &at.clone().key("default").to_string(),
                format!(
                    "team `{team}` has capacity {}; it must be a whole number of units ≥ 0",
                    c.default
                ),
                "e.g. default = 24",
            );
        }
        for (key, units) in &c.releases {
            if *units < 0 {
                bad(
                    &at.clone().key("releases").key(key).to_string(),
                    format!("team `{team}` has capacity {units} in {key}; it must be a whole number of units ≥ 0"),
                    "use 0 for a release without this team",
                );
            }
            if key.parse::<ReleaseId>().map_or(true, ReleaseId::is_hotfix) {
                bad(
                    &at.clone().key("releases").key(key).to_string(),
                    format!("`{key}` is not a release id"),
                    "write release ids as YYYY.N, e.g. releases = { \"2027.4\" = 16 }",
                );
            }
        }
    }
    let t = config.planning.time_limit;
    if !t.is_finite() || t <= 0.0 {
        bad(
            "planning.time_limit",
            format!("time_limit is {t}; it must be > 0 seconds"),
            "e.g. time_limit = 5",
        );
    }
    if config.support.workdays.is_empty() {
        bad(
            "support.workdays",
            "no working days: the SLA clock would never run".into(),
            "e.g. workdays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
        );
    }
    for (key, msg, hint) in crate::model::config::extra_problems(config) {
        out.push((key, msg, hint));
    }
    // Checks owned by the modules that use the values (changelog path and links,
    // calendar URL, SMTP security); one problem per key.
    let mut owned = Vec::new();
    if let Err(e) = crate::git::check_changelog_path(&config.changelog.file) {
        owned.push((
            "changelog.file".to_owned(),
            e,
            "use a path relative to the product repository's top directory, e.g. \"CHANGELOG.md\" or \"docs/CHANGELOG.md\"".to_owned(),
        ));
    }
    if let Some(url) = &config.changelog.compare_url {
        if let Err(e) = crate::notes::changelog::check_compare_url(url) {
            owned.push((
                "changelog.compare_url".to_owned(),
                e,
                "e.g. compare_url = \"https://git.example/product/compare/{previous}...{tag}\""
                    .to_owned(),
            ));
        }
    }
    if let Some(c) = &config.coordination {
        owned.extend(crate::ics::config_problems(c));
    }
    if let Some(smtp) = &config.smtp {
        owned.extend(crate::mail::config_problems(smtp));
    }
    owned.extend(crate::notes::config_problems(config));
    for p in owned {
        if !out.iter().any(|(k, _, _)| *k == p.0) {
            out.push(p);
        }
    }
    out
}

/// Loads and validates the workspace at `root`.
///
/// # Errors
/// [`Invalid`] with every diagnostic (errors and warnings) when any error is found;
/// an I/O error when a directory cannot be listed.
pub fn load(root: &Path) -> anyhow::Result<Loaded> {
    load_with(root, &Overlay::new())
}

/// [`load`], reading `overlay`'s contents instead of the files on disk.
///
/// # Errors
/// As [`load`].
pub fn load_with(root: &Path, overlay: &Overlay) -> anyhow::Result<Loaded> {
    load_from(
        root,
        Files {
            overlay,
            disk: true,
        },
    )
}

/// [`load`] entirely from memory: `files` (absolute paths below `root`, e.g. a
/// workspace as it was at a git revision) are the only files there are; nothing
/// is read from disk.
///
/// # Errors
/// As [`load`].
pub fn load_files(root: &Path, files: &Overlay) -> anyhow::Result<Loaded> {
    load_from(
        root,
        Files {
            overlay: files,
            disk: false,
        },
    )
}

fn load_from(root: &Path, files: Files) -> anyhow::Result<Loaded> {
    let overlay = files.overlay;
    let mut diags = Vec::new();

    // zyklus.toml
    let config_path = root.join(CONFIG_FILE);
    let config_rel = PathBuf::from(CONFIG_FILE);
    let config_src = read(&config_path, &config_rel, &mut diags, files).unwrap_or_default();
    let config_source = Source::parse(config_src);
    let config: Option<Config> = {
        let mut sink = Sink {
            diags: &mut diags,
            file: config_rel.clone(),
            source: &config_source,
        };
        let config = parse::<Config>(&mut sink, CONFIG_FILE);
        if let Some(c) = &config {
            for (key, msg, hint) in validate_config(c) {
                match key.parse::<KeyPath>() {
                    Ok(path) => sink.key(Level::Error, &path, msg, &hint),
                    Err(_) => sink.push(Level::Error, None, msg, &hint),
                }
            }
            if c.planning.stability_penalty.is_some() {
                sink.key(
                    Level::Warning,
                    &KeyPath::root().key("planning").key("stability_penalty"),
                    "`stability_penalty` is retired and has no effect: re-planning keeps the plan on disk within `replan_tolerance`".into(),
                    "remove it; set [planning] replan_tolerance (percent, default 0.5) instead",
                );
            }
        }
        config
    };

    // partners.toml
    let partners_path = root.join(PARTNERS_FILE);
    let partners_rel = PathBuf::from(PARTNERS_FILE);
    let partners_src = if (files.disk && fs::symlink_metadata(&partners_path).is_ok())
        || overlay.contains_key(&partners_path)
    {
        read(&partners_path, &partners_rel, &mut diags, files).map(Source::parse)
    } else {
        None
    };
    let partners: Partners = match &partners_src {
        Some(source) => {
            let mut sink = Sink {
                diags: &mut diags,
                file: partners_rel.clone(),
                source,
            };
            parse::<Partners>(&mut sink, PARTNERS_FILE).unwrap_or_default()
        }
        None => Partners::default(),
    };

    // requests/*.toml
    let mut requests = BTreeMap::new();
    let mut request_src: HashMap<Id, (PathBuf, Source)> = HashMap::new();
    let mut lowercase: HashMap<String, Id> = HashMap::new();
    for SourceFile { rel, src, stem } in read_dir_files(root, REQUESTS_DIR, files, &mut diags)? {
        let source = Source::parse(src);
        let mut sink = Sink {
            diags: &mut diags,
            file: rel.clone(),
            source: &source,
        };
        let Ok(id) = Id::parse(&stem) else {
            sink.push(Level::Error, None, format!("`{stem}` is not a valid request id (the file stem is the id)"), "rename the file: ids use 1–64 characters from A-Z a-z 0-9 . _ - and start with a letter or digit");
            continue;
        };
        if let Some(other) = lowercase.insert(stem.to_lowercase(), id.clone()) {
            sink.push(
                Level::Error,
                None,
                format!("duplicate request id: `{id}` and `{other}` differ only in case"),
                "rename one of them; ids must stay distinct on case-insensitive file systems",
            );
        }
        let Some(file) = parse::<RequestFile>(&mut sink, "request file") else {
            continue;
        };
        let req = convert_request(id.clone(), file, &mut sink, config.as_ref());
        requests.insert(id.clone(), req);
        request_src.insert(id, (rel, source));
    }

    // releases/*.toml
    let mut releases = BTreeMap::new();
    let mut release_src = Vec::new();
    for SourceFile { rel, src, stem } in read_dir_files(root, RELEASES_DIR, files, &mut diags)? {
        let source = Source::parse(src);
        let mut sink = Sink {
            diags: &mut diags,
            file: rel.clone(),
            source: &source,
        };
        let Some(release) = parse::<Release>(&mut sink, "release file") else {
            continue;
        };
        if release.id.to_string() != stem {
            sink.value(
                Level::Error,
                &top("id"),
                format!(
                    "the file is named {stem}.toml but says id = \"{}\"",
                    release.id
                ),
                "rename the file or fix the id: the file stem must be the release id",
            );
            continue;
        }
        release_src.push((release.id, rel, source));
        releases.insert(release.id, release);
    }

    let trainings = load_trainings(root, files, &partners, &mut diags)?;

    let Some(config) = config else {
        return Err(Invalid(sorted(diags)).into());
    };

    cross_check(
        &mut diags,
        &requests,
        &request_src,
        &releases,
        &release_src,
        &partners,
        partners_src.as_ref(),
        &config,
    );

    let diags = sorted(diags);
    if diags.iter().any(|d| d.level == Level::Error) {
        return Err(Invalid(diags).into());
    }
    Ok(Loaded {
        workspace: Workspace {
            root: root.to_path_buf(),
            config,
            requests,
            releases,
            partners,
            trainings,
        },
        warnings: diags,
    })
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    diags
}

/// The ids of the array `key`; an invalid one is an error, a repeated one a
/// warning at its second mention.
fn ids(sink: &mut Sink<'_>, key: &str, raw: Vec<String>) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::with_capacity(raw.len());
    for (i, s) in raw.into_iter().enumerate() {
        let at = top(key).index(i);
        match Id::parse(&s) {
            Ok(id) if out.contains(&id) => {
                sink.key(
                    Level::Warning,
                    &at,
                    format!("`{s}` is listed twice in {key}"),
                    "remove the duplicate",
                );
            }
            Ok(id) => out.push(id),
            Err(e) => sink.key(Level::Error, &at, format!("{key}: {e}"), "fix the id"),
        }
    }
    out
}

fn convert_request(
    id: Id,
    f: RequestFile,
    sink: &mut Sink<'_>,
    config: Option<&Config>,
) -> Request {
    let effort = match u32::try_from(f.effort) {
        Ok(e) if e > 0 => e,
        _ => {
            sink.value(
                Level::Error,
                &top("effort"),
                format!(
                    "effort is {}; it must be a whole number of capacity units above 0",
                    f.effort
                ),
                "estimate the request, e.g. effort = 3",
            );
            0
        }
    };
    if f.title.trim().is_empty() {
        sink.value(
            Level::Error,
            &top("title"),
            "the title is empty".into(),
            "give the request a short title",
        );
    }
    let pin = match f.pin.as_deref().map(str::parse::<ReleaseId>) {
        None => None,
        Some(Ok(r)) if !r.is_hotfix() => Some(r),
        Some(Ok(r)) => {
            sink.value(
                Level::Error,
                &top("pin"),
                format!("pin = \"{r}\" names a hotfix; pins are for regular releases"),
                "use `zyklus hotfix new --request` for hotfixes",
            );
            None
        }
        Some(Err(e)) => {
            sink.value(
                Level::Error,
                &top("pin"),
                e.to_string(),
                "e.g. pin = \"2027.2\"",
            );
            None
        }
    };
    for (name, value) in &f.scores {
        let at = top("scores").key(name);
        if !value.is_finite() {
            sink.value(
                Level::Error,
                &at,
                format!("score `{name}` is not a number"),
                "use a number within the criterion's scale",
            );
            continue;
        }
        let Some(config) = config else { continue };
        match config.scoring.criteria.get(name) {
            Some(c) if *value < c.scale[0] || *value > c.scale[1] => {
                sink.value(
                    Level::Error,
                    &at,
                    format!(
                        "score `{name}` = {value} is outside its scale [{}, {}]",
                        c.scale[0], c.scale[1]
                    ),
                    "use a value within the scale set in zyklus.toml",
                );
            }
            Some(_) => {}
            None if config.scoring.model == Model::Weighted
                && !config.scoring.criteria.is_empty() =>
            {
                sink.key(
                    Level::Warning,
                    &at,
                    format!("`{name}` is not a criterion in zyklus.toml; it does not count"),
                    "check the spelling, or add the criterion to [scoring.criteria]",
                );
            }
            None => {}
        }
    }
    if let Some(config) = config {
        missing_scores(sink, &f.scores, f.status.is_plannable(), config);
    }
    if f.kind == crate::model::Kind::Hotfix && f.reported_at.is_none() && f.status.is_plannable() {
        sink.value(
            Level::Warning,
            &top("kind"),
            "a hotfix request without `reported_at`: its 12-hour reaction clock cannot run".into(),
            "add reported_at = 2027-02-12T20:00:00+01:00 (when it was reported)",
        );
    }
    let source = match f.source {
        Some(s) if s.trim().is_empty() => {
            sink.value(
                Level::Error,
                &KeyPath::root().key("source"),
                "`source` is empty".into(),
                "remove it, or set it to the tracker's key or URL, e.g. source = \"JIRA-123\"",
            );
            None
        }
        s => s,
    };
    let team_effort = team_effort(sink, f.team, f.team_effort, effort, config);
    let requested_by = ids(sink, "requested_by", f.requested_by);
    let depends_on = ids(sink, "depends_on", f.depends_on);
    let together_with = ids(sink, "together_with", f.together_with);
    // Even an erroneous request is kept, so cross-file checks still see it; the
    // errors recorded above make the load fail.
    Request {
        id,
        title: f.title,
        kind: f.kind,
        status: f.status,
        effort,
        impact: f.impact,
        requested_by,
        created: f.created,
        depends_on,
        together_with,
        deadline: f.deadline,
        pin,
        reported_at: f.reported_at,
        source,
        reaction: crate::model::request::Reaction::from_file(f.reacted_at, f.reaction_note),
        team_effort,
        scores: f.scores,
        text: f.text,
    }
}

/// A request's effort per team; its problems point at the key or the value.
fn team_effort(
    sink: &mut Sink<'_>,
    team: Option<String>,
    split: BTreeMap<String, i64>,
    effort: u32,
    config: Option<&Config>,
) -> BTreeMap<String, u64> {
    let teams = config.map(|c| &c.capacity.teams);
    let (out, problems) = crate::model::request::team_effort(team, split, effort, teams);
    for p in problems {
        let at = p.key.iter().fold(KeyPath::root(), |k, s| k.key(s.as_str()));
        if p.on_value {
            sink.value(Level::Error, &at, p.message, &p.hint);
        } else {
            sink.key(Level::Error, &at, p.message, &p.hint);
        }
    }
    out
}

/// Criteria the scoring model uses but an open or accepted request with other
/// scores does not score (a warning: the criterion counts 0), and (for the fixed criteria of wsjf/rice
/// without a scale) negative values.
fn missing_scores(
    sink: &mut Sink<'_>,
    scores: &BTreeMap<String, f64>,
    plannable: bool,
    config: &Config,
) {
    let model = config.scoring.model.as_str();
    // A request without any scores is not scored yet: `zyklus score` says so. One
    // with some scores but not all most likely lacks one by mistake.
    let partly = !scores.is_empty();
    for name in crate::scoring::required_criteria(&config.scoring) {
        match scores.get(name) {
            None if plannable && partly => sink.key(
                Level::Warning,
                &top("scores"),
                format!("no score for criterion `{name}`: it counts 0 in the {model} model"),
                &format!("add `{name} = …` under [scores]"),
            ),
            None => {}
            Some(v) if *v < 0.0 && !config.scoring.criteria.contains_key(name) => sink.value(
                Level::Error,
                &top("scores").key(name),
                format!("score `{name}` = {v} is negative"),
                "use a value of 0 or more",
            ),
            Some(_) => {}
        }
    }
}

/// `trainings/<YEAR>.toml`: the file stem is the year, every date lies in it, every
/// partner exists; a partner past its booked quota (without `extra`) is a warning.
fn load_trainings(
    root: &Path,
    files: Files,
    partners: &Partners,
    diags: &mut Vec<Diagnostic>,
) -> anyhow::Result<BTreeMap<i32, Vec<crate::model::Training>>> {
    let mut out = BTreeMap::new();
    for SourceFile { rel, src, stem } in read_dir_files(root, TRAININGS_DIR, files, diags)? {
        let source = Source::parse(src);
        let mut sink = Sink {
            diags,
            file: rel.clone(),
            source: &source,
        };
        let year = match stem.parse::<i32>() {
            Ok(y) if stem.len() == 4 => y,
            _ => {
                sink.push(
                    Level::Error,
                    None,
                    format!("`{stem}.toml` is not named after a year"),
                    "name training files after their year, e.g. trainings/2027.toml",
                );
                continue;
            }
        };
        let Some(file) = parse::<crate::model::training::TrainingFile>(&mut sink, "training file")
        else {
            continue;
        };
        for (i, t) in file.trainings.iter().enumerate() {
            let entry = top("training").index(i);
            if partners.get(&t.partner).is_none() {
                sink.value(
                    Level::Error,
                    &entry.clone().key("partner"),
                    format!(
                        "training {}: `{}` is no partner in partners.toml",
                        i + 1,
                        t.partner
                    ),
                    "use a partner id from partners.toml (`zyklus partner list`)",
                );
            }
            if chrono::Datelike::year(&t.date.0) != year {
                sink.value(
                    Level::Error,
                    &entry.key("date"),
                    format!(
                        "training {}: {} is not in {year}, the year of this file",
                        i + 1,
                        t.date
                    ),
                    &format!(
                        "move it to trainings/{}.toml",
                        chrono::Datelike::year(&t.date.0)
                    ),
                );
            }
        }
        for p in &partners.partners {
            let q = crate::model::Quota::of(p, &file.trainings);
            if q.used > q.booked {
                sink.push(
                    Level::Warning,
                    None,
                    format!(
                        "partner `{}` has {} trainings in {year} but booked {}",
                        p.id, q.used, q.booked
                    ),
                    "mark sessions agreed separately with `extra = true`, or raise trainings_booked",
                );
            }
        }
        out.insert(year, file.trainings);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn cross_check(
    diags: &mut Vec<Diagnostic>,
    requests: &BTreeMap<Id, Request>,
    request_src: &HashMap<Id, (PathBuf, Source)>,
    releases: &BTreeMap<ReleaseId, Release>,
    release_src: &[(ReleaseId, PathBuf, Source)],
    partners: &Partners,
    partners_src: Option<&Source>,
    config: &Config,
) {
    let partner_ids: BTreeSet<&str> = partners.partners.iter().map(|p| p.id.as_str()).collect();
    let mut sources: BTreeMap<&str, &Id> = BTreeMap::new();

    for (id, req) in requests {
        let (rel, source) = &request_src[id];
        let mut sink = Sink {
            diags,
            file: rel.clone(),
            source,
        };
        if let Some(source) = req.source.as_deref() {
            if let Some(&first) = sources.get(source) {
                sink.value(
                    Level::Error,
                    &KeyPath::root().key("source"),
                    format!("source `{source}` is also the source of {first}"),
                    "a tracker issue belongs to one request (`zyklus import` matches on it): remove `source` from one of them",
                );
            } else {
                sources.insert(source, id);
            }
        }
        for (key, list) in [
            ("depends_on", &req.depends_on),
            ("together_with", &req.together_with),
        ] {
            for other in list {
                if other == id {
                    sink.element(
                        Level::Error,
                        &top(key),
                        other.as_str(),
                        format!("{id} lists itself in {key}"),
                        "remove it",
                    );
                } else if !requests.contains_key(other) {
                    sink.element(
                        Level::Error,
                        &top(key),
                        other.as_str(),
                        format!("{key} names `{other}`, which is no request in requests/"),
                        "fix the id, or create the request with `zyklus request new`",
                    );
                }
            }
        }
        for p in &req.requested_by {
            if !partner_ids.contains(p.as_str()) {
                let hint = if partners_src.is_some() {
                    "fix the id, or add the partner to partners.toml"
                } else {
                    "create partners.toml with a [[partner]] of that id"
                };
                sink.element(
                    Level::Error,
                    &top("requested_by"),
                    p.as_str(),
                    format!("requested_by names `{p}`, which is no partner in partners.toml"),
                    hint,
                );
            }
        }
        for lang in req.text.keys() {
            if crate::model::lang::resolve(lang, &config.workspace.languages).is_none() {
                sink.key(
                    Level::Warning,
                    &top("text").key(lang),
                    format!(
                        "text in `{lang}`, which is not one of the workspace languages {:?}",
                        config.workspace.languages
                    ),
                    "add the language to [workspace] languages, or fix the key",
                );
            }
        }
    }

    // Dependency cycles, each reported once with its members in order.
    for cycle in find_cycles(requests) {
        let first = &cycle[0];
        let (rel, source) = &request_src[first];
        let next = &cycle[1 % cycle.len()];
        let path: Vec<&str> = cycle
            .iter()
            .chain(std::iter::once(first))
            .map(Id::as_str)
            .collect();
        let mut sink = Sink {
            diags,
            file: rel.clone(),
            source,
        };
        sink.element(Level::Error, &top("depends_on"), next.as_str(), format!("dependency cycle: {}", path.join(" → ")), "a request cannot depend on itself, even indirectly: remove one of these depends_on entries");
    }

    // partners.toml
    if let Some(source) = partners_src {
        let mut sink = Sink {
            diags,
            file: PathBuf::from(PARTNERS_FILE),
            source,
        };
        let mut seen = BTreeSet::new();
        for (i, p) in partners.partners.iter().enumerate() {
            let entry = top("partner").index(i);
            if Id::parse(&p.id).is_err() {
                sink.value(Level::Error, &entry.clone().key("id"), format!("`{}` is not a valid partner id", p.id), "ids use 1–64 characters from A-Z a-z 0-9 . _ - and start with a letter or digit");
            } else if !seen.insert(p.id.as_str()) {
                sink.value(
                    Level::Error,
                    &entry.clone().key("id"),
                    format!("duplicate partner id `{}`", p.id),
                    "give each partner its own id",
                );
            }
            for (key, message, hint) in p.field_problems() {
                sink.value(Level::Error, &entry.clone().key(key), message, &hint);
            }
            if let Some(lang) = &p.language {
                if crate::model::lang::check(lang).is_ok()
                    && crate::model::lang::resolve(lang, &config.workspace.languages).is_none()
                {
                    sink.value(Level::Warning, &entry.clone().key("language"), format!("partner `{}` speaks `{lang}`, which is not a workspace language; mail goes out in {}", p.id, config.workspace.languages.first().map_or("the default", String::as_str)), "add the language to [workspace] languages");
                }
            }
            if let Some(mail) = &p.email {
                if !mail.contains('@') || mail.contains(char::is_whitespace) {
                    sink.value(
                        Level::Error,
                        &entry.key("email"),
                        format!("`{mail}` is not an e-mail address"),
                        "write it as name@example.com",
                    );
                }
            }
        }
        for (i, c) in partners.commitments.iter().enumerate() {
            let entry = top("commitment").index(i);
            if !partner_ids.contains(c.partner.as_str()) {
                sink.value(
                    Level::Error,
                    &entry.clone().key("partner"),
                    format!("commitment of `{}`, which is no partner", c.partner),
                    "add the [[partner]] or fix the id",
                );
            }
            if c.requests.is_empty() {
                sink.value(
                    Level::Error,
                    &entry.clone().key("requests"),
                    format!("commitment of `{}` names no requests", c.partner),
                    "list the requests it needs in `requests`",
                );
            }
            for (j, r) in c.requests.iter().enumerate() {
                if !requests.contains_key(r.as_str()) {
                    sink.value(
                        Level::Error,
                        &entry.clone().key("requests").index(j),
                        format!(
                            "commitment of `{}` names `{r}`, which is no request",
                            c.partner
                        ),
                        "fix the id or remove it",
                    );
                }
            }
            if !c.weight.is_finite() || c.weight < 0.0 {
                sink.value(
                    Level::Error,
                    &entry.key("weight"),
                    format!(
                        "commitment of `{}` has weight {}; it must be ≥ 0",
                        c.partner, c.weight
                    ),
                    "e.g. weight = 20",
                );
            }
        }
    }

    // releases/*.toml
    let mut placed: BTreeMap<&str, ReleaseId> = BTreeMap::new();
    for (rid, rel, source) in release_src {
        let release = &releases[rid];
        let mut sink = Sink {
            diags,
            file: rel.clone(),
            source,
        };
        for (i, r) in release.scope.iter().enumerate() {
            let at = top("scope").index(i);
            match requests.get(r.as_str()) {
                None => sink.value(
                    Level::Error,
                    &at,
                    format!("the scope names `{r}`, which is no request"),
                    "remove it from the scope, or restore requests/<id>.toml",
                ),
                Some(req) => {
                    if release.stage != crate::model::Stage::Cancelled {
                        if let Some(other) = placed.insert(r.as_str(), *rid) {
                            sink.value(
                                Level::Error,
                                &at,
                                format!("`{r}` is in the scope of both {other} and {rid}"),
                                "a request ships in one release: remove it from one scope",
                            );
                        }
                    }
                    if req.status == Status::Rejected && !release.stage.is_frozen() {
                        sink.value(
                            Level::Warning,
                            &at,
                            format!("`{}` is rejected but still in the planned scope", req.id),
                            "run `zyklus plan` to re-plan",
                        );
                    }
                }
            }
        }
        let mut numbers = BTreeSet::new();
        for (i, f) in release.findings.iter().enumerate() {
            if !numbers.insert(f.number) {
                sink.value(
                    Level::Error,
                    &top("finding").index(i).key("number"),
                    format!("finding number {} is used twice", f.number),
                    "number findings 1, 2, 3, …",
                );
            }
        }
    }
}

/// Every elementary cycle reachable in `depends_on`, found by DFS; each cycle once,
/// rotated to start at its smallest id.
fn find_cycles(requests: &BTreeMap<Id, Request>) -> Vec<Vec<Id>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let index: HashMap<&Id, usize> = requests.keys().enumerate().map(|(i, id)| (id, i)).collect();
    let ids: Vec<&Id> = requests.keys().collect();
    let edges: Vec<Vec<usize>> = requests
        .values()
        .map(|r| {
            r.depends_on
                .iter()
                .filter_map(|d| index.get(d).copied())
                .collect()
        })
        .collect();
    let mut mark = vec![Mark::New; ids.len()];
    let mut cycles: BTreeSet<Vec<Id>> = BTreeSet::new();
    for start in 0..ids.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS with an explicit stack of (node, next edge).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                match mark[to] {
                    Mark::New => {
                        mark[to] = Mark::Active;
                        stack.push((to, 0));
                    }
                    Mark::Active if to == node => {} // a self-loop is reported on its own
                    Mark::Active => {
                        let pos = stack.iter().position(|&(n, _)| n == to).unwrap_or(0);
                        let mut cycle: Vec<Id> =
                            stack[pos..].iter().map(|&(n, _)| ids[n].clone()).collect();
                        let min = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, id)| *id)
                            .map_or(0, |(i, _)| i);
                        cycle.rotate_left(min);
                        cycles.insert(cycle);
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    cycles.into_iter().collect()
}
