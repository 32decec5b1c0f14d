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
use crate::model::calendar::{self, CalendarError};
use crate::model::config::{limits, CalendarConfig, Model, Problem};
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

/// The longest message a diagnostic carries, in characters. Messages quote what
/// they complain about (a value, an id, the parser's view of a string), and a
/// 5 MB string must not become 5 MB of error text: a longer message keeps its
/// beginning and its end (where serde says what it expected) around an ellipsis.
const MESSAGE_MAX: usize = 300;

/// `message`, cut to at most [`MESSAGE_MAX`] characters.
fn bounded(message: &str) -> String {
    let n = message.chars().count();
    if n <= MESSAGE_MAX {
        return message.to_owned();
    }
    let head: String = message.chars().take(MESSAGE_MAX * 2 / 3).collect();
    let tail: String = message.chars().skip(n - (MESSAGE_MAX / 3 - 2)).collect();
    format!("{head} … {tail}")
}

/// The path of the top-level key `name`.
fn top(name: &str) -> KeyPath {
    KeyPath::root().key(name)
}

impl Sink<'_> {
    fn push(&mut self, level: Level, at: Option<Range<usize>>, message: String, hint: &str) {
        let message = bounded(&message);
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

/// Whether a string may span lines: the customer texts of a request (`text.de`),
/// a finding's `text`, the `note`, `reason` and `detail` of a history entry, and
/// the e-mail signature of a language (`[announce] signature.de`).
/// Everything else — titles, names, ids, e-mail addresses, references — is one
/// line.
fn may_span_lines(keys: &[String]) -> bool {
    let n = keys.len();
    matches!(
        keys.last().map(String::as_str),
        Some("text" | "note" | "reason" | "detail")
    ) || (n >= 2 && matches!(keys[n - 2].as_str(), "text" | "signature"))
}

/// Whether `s` holds no control character at all (tab included).
fn control_free(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// The first character of `s` that text of its kind must not hold: a C0 or C1
/// control character other than tab, except — in text that may span lines — a
/// newline (alone or after a carriage return).
fn forbidden_char(s: &str, lines: bool) -> Option<char> {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let ok = !c.is_control()
            || c == '\t'
            || (lines && (c == '\n' || (c == '\r' && chars.peek() == Some(&'\n'))));
        if !ok {
            return Some(c);
        }
    }
    None
}

/// A control character for a message: `U+001B (ESC)`.
fn char_name(c: char) -> String {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
        "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
        "SUB", "ESC", "FS", "GS", "RS", "US",
    ];
    let code = u32::from(c);
    let name = match code {
        0..=31 => C0.get(code as usize).copied(),
        0x7f => Some("DEL"),
        0x9b => Some("CSI"),
        _ => None,
    };
    match name {
        Some(n) => format!("U+{code:04X} ({n})"),
        None => format!("U+{code:04X}"),
    }
}

/// Where in the TOML literal `raw` (quotes included) the first character `bad` of
/// its value is written: the offset of its escape (`\u001b`, `\e`, `\r`) or of the
/// raw character.
fn offset_in_literal(raw: &str, bad: char) -> Option<usize> {
    if raw.starts_with('\'') {
        return raw.find(bad);
    }
    let mut it = raw.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c == bad {
            return Some(i);
        }
        if c != '\\' {
            continue;
        }
        let Some((_, e)) = it.next() else { break };
        let hex = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, n: usize| {
            let digits: String = (0..n).filter_map(|_| it.next().map(|(_, d)| d)).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        let decoded = match e {
            'b' => Some('\u{8}'),
            't' => Some('\t'),
            'n' => Some('\n'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            'x' => hex(&mut it, 2),
            'u' => hex(&mut it, 4),
            'U' => hex(&mut it, 8),
            _ => None,
        };
        if decoded == Some(bad) {
            return Some(i);
        }
    }
    None
}

/// Checks every key and string value of a file for control characters (see
/// [`forbidden_char`]), so that NUL, ESC or a carriage return never reach a
/// terminal, an e-mail, CHANGELOG.md or a wiki page; each is an error at the
/// character's line and column.
fn control_characters(sink: &mut Sink<'_>) {
    fn walk(
        text: &str,
        found: &mut Vec<(Range<usize>, String)>,
        keys: &mut Vec<String>,
        table: &dyn toml_edit::TableLike,
    ) {
        for (key, item) in table.iter() {
            let k = table.key(key);
            if let Some(c) = forbidden_char(key, false) {
                let at = k.and_then(toml_edit::Key::span).unwrap_or(0..0);
                found.push((
                    at,
                    format!(
                        "the key {:?} holds the control character {}; keys are plain text",
                        key,
                        char_name(c)
                    ),
                ));
            }
            keys.push(key.to_owned());
            item_walk(text, found, keys, item);
            keys.pop();
        }
    }
    fn item_walk(
        text: &str,
        found: &mut Vec<(Range<usize>, String)>,
        keys: &mut Vec<String>,
        item: &toml_edit::Item,
    ) {
        match item {
            toml_edit::Item::Value(v) => value_walk(text, found, keys, v),
            toml_edit::Item::Table(t) => walk(text, found, keys, t),
            toml_edit::Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    walk(text, found, keys, t);
                }
            }
            toml_edit::Item::None => {}
        }
    }
    fn value_walk(
        text: &str,
        found: &mut Vec<(Range<usize>, String)>,
        keys: &mut Vec<String>,
        v: &toml_edit::Value,
    ) {
        match v {
            toml_edit::Value::String(f) => {
                let lines = may_span_lines(keys);
                if let Some(c) = forbidden_char(f.value(), lines) {
                    let span = f.span().unwrap_or(0..0);
                    let raw = text.get(span.clone()).unwrap_or("");
                    let start = span.start + offset_in_literal(raw, c).unwrap_or(0);
                    let what = keys.last().map_or("a value", String::as_str);
                    let rule = if lines {
                        "only tab and newline are allowed in it"
                    } else {
                        "it is one line of plain text (tab allowed)"
                    };
                    let holds = if matches!(c, '\n' | '\r') {
                        format!("a line break ({})", char_name(c))
                    } else {
                        format!("the control character {}", char_name(c))
                    };
                    found.push((start..start + 1, format!("`{what}` holds {holds}; {rule}")));
                }
            }
            toml_edit::Value::Array(a) => {
                for v in a.iter() {
                    value_walk(text, found, keys, v);
                }
            }
            toml_edit::Value::InlineTable(t) => walk(text, found, keys, t),
            _ => {}
        }
    }
    let source: &Source = sink.source;
    let Some(doc) = source.doc() else {
        return;
    };
    let mut found = Vec::new();
    walk(source.text(), &mut found, &mut Vec::new(), doc);
    for (at, message) in found {
        sink.push(
            Level::Error,
            Some(at),
            message,
            "remove it: control characters would reach terminals, e-mails, CHANGELOG.md and wiki pages (write a line break only where text may span lines)",
        );
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
    if let Some((message, span)) = sink.source.error() {
        let message = format!("invalid TOML: {message}");
        sink.push(
            Level::Error,
            span,
            message,
            "fix the syntax; TOML is described at https://toml.io (integers are 64-bit signed)",
        );
        return None;
    }
    let mut unknown = Vec::new();
    let result = serde_ignored::deserialize(de, |path| unknown.push(KeyPath::from_ignored(&path)));
    match result {
        Ok(v) => {
            for path in unknown {
                sink.key(
                    Level::Warning,
                    &path,
                    format!("unknown key `{path}` in {what}; it is ignored"),
                    "check the spelling against docs/workspace.md",
                );
            }
            Some(v)
        }
        Err(e) => {
            let at = e.span();
            let msg = e.message().trim().to_owned();
            let hint = if msg.starts_with("missing field") {
                format!("add the missing key; see the {what} format in docs/workspace.md")
            } else {
                format!("see the {what} format in docs/workspace.md")
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

/// Why `id` is no release of the calendar (a slot beyond `releases_per_year`, a
/// year outside 1971–9998), if it is not. A calendar that is itself broken, or an
/// explicit `dates` list without that year, says nothing here: `[calendar]` gets
/// its own error, and a release outside the list is not wrong in itself.
#[must_use]
pub fn not_in_calendar(calendar: &CalendarConfig, id: ReleaseId) -> Option<String> {
    match calendar::dates(calendar, id) {
        Err(e @ (CalendarError::NoSuchSlot { .. } | CalendarError::YearOutOfRange { .. })) => {
            Some(e.to_string())
        }
        _ => None,
    }
}

/// Problems with the configuration that serde cannot see: `(key path, message, hint)`,
/// the key path as a [`KeyPath`] string (`workspace.languages[2]`); the loader
/// points each at that key, or at that element. The checks are owned by the
/// modules that use the values — the configuration's own ranges, the calendar rule,
/// coordination calls, the import mappings, the changelog path, the SMTP setup —
/// and run here, so that none of those modules depends on another; one problem
/// per key.
#[must_use]
pub fn validate_config(config: &Config) -> Vec<Problem> {
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
    if config.support.workdays.is_empty() {
        bad(
            "support.workdays",
            "no working days: the SLA clock would never run".into(),
            "e.g. workdays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
        );
    }
    let calendar_problems = calendar::problems(&config.calendar);
    let total = config.capacity.releases.keys().map(|key| {
        let path = KeyPath::root().key("capacity").key("releases").key(key);
        (key, path)
    });
    let by_team = config.capacity.teams.iter().flat_map(|(team, c)| {
        c.releases.keys().map(move |key| {
            let path = KeyPath::root()
                .key("capacity")
                .key("teams")
                .key(team)
                .key("releases")
                .key(key);
            (key, path)
        })
    });
    for (key, path) in total.chain(by_team) {
        let path = path.to_string();
        match key.parse::<ReleaseId>() {
            Ok(id) if !id.is_hotfix() => {
                if let Some(why) =
                    not_in_calendar(&config.calendar, id).filter(|_| calendar_problems.is_empty())
                {
                    bad(
                        &path,
                        format!("capacity of {key}: {why}"),
                        "name a release of the calendar (`zyklus calendar` lists them)",
                    );
                }
            }
            _ => bad(
                &path,
                format!("`{key}` is not a release id"),
                "write release ids as YYYY.N, e.g. \"2027.4\" = 30",
            ),
        }
    }
    out.extend(crate::model::config::problems(config));
    out.extend(calendar_problems);
    if let Some(c) = &config.coordination {
        out.extend(calendar::coordination_problems(c));
    }
    out.extend(crate::model::import::problems(&config.import));
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
        // A URL with a line break already has its error from the check of every
        // string (one problem per key).
        let url_said = c.url.as_deref().is_some_and(|u| !control_free(u));
        owned.extend(
            crate::ics::config_problems(c)
                .into_iter()
                .filter(|(k, _, _)| !(url_said && k == "coordination.url")),
        );
    }
    if let Some(smtp) = &config.smtp {
        owned.extend(crate::mail::config_problems(smtp));
        if !control_free(&smtp.from) {
            // Said by the check of every string in the file.
        } else if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            owned.push((
                "smtp.from".to_owned(),
                format!("`{}` is not an e-mail address", smtp.from),
                "write it as releases@example.com, or as \"Product Team <releases@example.com>\""
                    .to_owned(),
            ));
        }
    }
    owned.extend(crate::notes::config_problems(config));
    for p in owned {
        if !out.iter().any(|(k, _, _)| *k == p.0) {
            out.push(p);
        }
    }
    out
}

/// Loads and validates the workspace at `root`, after completing a commit that a
/// crash interrupted (see [`super::fsio::recover`]).
///
/// # Errors
/// [`Invalid`] with every diagnostic (errors and warnings) when any error is found;
/// an I/O error when a directory cannot be listed.
pub fn load(root: &Path) -> anyhow::Result<Loaded> {
    // A commit that a crash interrupted is completed (or its leftovers removed)
    // first, under the lock, so that no reader ever sees half of it.
    if super::fsio::needs_recovery(root) {
        let _lock = super::fsio::lock(root)?;
        super::fsio::recover(root)?;
    }
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
        control_characters(&mut sink);
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
    // Whether the partners are known: partners.toml is absent (no partners) or
    // was read and parsed. When it is broken, references to partners are not
    // checked, so that its one error does not turn into one per reference.
    let mut partners_known = partners_src.is_some()
        || !((files.disk && fs::symlink_metadata(&partners_path).is_ok())
            || overlay.contains_key(&partners_path));
    let partners: Partners = match &partners_src {
        Some(source) => {
            let mut sink = Sink {
                diags: &mut diags,
                file: partners_rel.clone(),
                source,
            };
            control_characters(&mut sink);
            let parsed = parse::<Partners>(&mut sink, PARTNERS_FILE);
            partners_known &= parsed.is_some();
            parsed.unwrap_or_default()
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
        control_characters(&mut sink);
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
        control_characters(&mut sink);
        let Some(release) = parse::<Release>(&mut sink, "release file") else {
            continue;
        };
        if let Some(why) = config
            .as_ref()
            .and_then(|c| not_in_calendar(&c.calendar, release.id))
        {
            sink.value(
                Level::Error,
                &top("id"),
                format!("release {}: {why}", release.id),
                "name the file after a release of the calendar (`zyklus calendar` lists them)",
            );
        }
        if release.capacity.is_some_and(|c| c > limits::MAX_UNITS) {
            sink.value(
                Level::Error,
                &top("capacity"),
                format!(
                    "capacity is more than {} units",
                    limits::MAX_UNITS
                ),
                "the plan writes the capacity it assumed; fix [capacity] in zyklus.toml and re-plan",
            );
        }
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

    let trainings = load_trainings(root, files, &partners, partners_known, &mut diags)?;

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
        partners_known,
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
        Ok(e) if e > 0 && u64::from(e) <= limits::MAX_UNITS => e,
        _ => {
            sink.value(
                Level::Error,
                &top("effort"),
                format!(
                    "effort is {}; it must be a whole number of capacity units from 1 to {}",
                    f.effort,
                    limits::MAX_UNITS
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
        Some(Ok(r)) if !r.is_hotfix() => {
            if let Some(why) = config.and_then(|c| not_in_calendar(&c.calendar, r)) {
                sink.value(
                    Level::Error,
                    &top("pin"),
                    format!("pin = \"{r}\": {why}"),
                    "pin to a release of the calendar (`zyklus calendar` lists them)",
                );
            }
            Some(r)
        }
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
        if !value.is_finite() || value.abs() > limits::MAX_SCORE {
            sink.value(
                Level::Error,
                &at,
                format!(
                    "score `{name}` = {} is not a number within ±{}",
                    crate::model::config::show(*value),
                    limits::MAX_SCORE
                ),
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
    partners_known: bool,
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
        control_characters(&mut sink);
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
            if partners_known && partners.get(&t.partner).is_none() {
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
    partners_known: bool,
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
            if partners_known && !partner_ids.contains(p.as_str()) {
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
            if p.name.trim().is_empty() {
                sink.value(
                    Level::Error,
                    &entry.clone().key("name"),
                    format!("partner `{}` has an empty name", p.id),
                    "give the partner its name as e-mails address it, e.g. name = \"ACME Reisen GmbH\"",
                );
            }
            if p.trainings_booked > limits::MAX_TRAININGS_BOOKED {
                sink.value(
                    Level::Error,
                    &entry.clone().key("trainings_booked"),
                    format!(
                        "partner `{}` booked {} trainings; at most {} are possible",
                        p.id,
                        p.trainings_booked,
                        limits::MAX_TRAININGS_BOOKED
                    ),
                    "e.g. trainings_booked = 4",
                );
            }
            if let Some(mail) = &p.email {
                // Control characters have their own error (the check of every string).
                if control_free(mail) {
                    if let Err(e) = check_address(mail) {
                        sink.value(
                            Level::Error,
                            &entry.key("email"),
                            format!("`{mail}` is not an e-mail address: {e}"),
                            "write the bare address, e.g. email = \"it@example.com\" (the name comes from `name`)",
                        );
                    }
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
            if !c.weight.is_finite() || c.weight < 0.0 || c.weight > limits::MAX_COMMITMENT_WEIGHT {
                sink.value(
                    Level::Error,
                    &entry.key("weight"),
                    format!(
                        "commitment of `{}` has weight {}; it must be {}",
                        c.partner,
                        crate::model::config::show(c.weight),
                        if c.weight < 0.0 {
                            "≥ 0".to_owned()
                        } else {
                            format!("a number from 0 to {}", limits::MAX_COMMITMENT_WEIGHT)
                        }
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

/// A partner's e-mail address as lettre, which sends the mail, reads it: one bare
/// `local@domain` address (no display name, no list, no angle brackets).
fn check_address(mail: &str) -> Result<(), String> {
    if mail.trim() != mail {
        return Err("it has spaces around it".into());
    }
    mail.parse::<lettre::Address>()
        .map(drop)
        .map_err(|e| e.to_string())
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
