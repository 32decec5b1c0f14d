//! `zyklus request new|list|show|set`: the backlog of change requests.

use std::collections::BTreeMap;
use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;
use toml_edit::{value, DocumentMut, Item, Table};

use super::{Outcome, Settings};
use crate::model::{Id, Impact, Kind, ReleaseId, Request, Status};
use crate::output::{self, Report};
use crate::ui::{Paint, Style};
use crate::workspace::{edit, fsio, Loaded, Workspace};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a change request (asks on a terminal for what the flags leave out)
    New(NewArgs),
    /// List change requests, filtered by kind, status or partner
    List(ListArgs),
    /// Show one change request
    Show {
        /// The request id, e.g. CR-0042
        id: String,
    },
    /// Change fields of a request; the file keeps its comments and layout
    Set(SetArgs),
}

/// Filters shared by `request list` and `score`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filter {
    /// Only requests of this kind
    #[arg(long, value_parser = parse_enum::<Kind>)]
    pub kind: Option<Kind>,
    /// Only requests with this status
    #[arg(long, value_parser = parse_enum::<Status>)]
    pub status: Option<Status>,
    /// Only requests asked for by this partner id
    #[arg(long)]
    pub partner: Option<String>,
}

impl Filter {
    #[must_use]
    pub fn matches(&self, r: &Request) -> bool {
        self.kind.is_none_or(|k| r.kind == k)
            && self.status.is_none_or(|s| r.status == s)
            && self
                .partner
                .as_deref()
                .is_none_or(|p| r.requested_by.iter().any(|x| x.as_str() == p))
    }
}

/// clap value parser for the domain enums (`feature`, `accepted`, …).
///
/// # Errors
/// When `s` is not one of the enum's names.
pub fn parse_enum<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.parse()
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: Filter,
}

#[derive(Debug, Default, clap::Args)]
pub struct NewArgs {
    /// The id (default: the next free one, e.g. CR-0043)
    #[arg(long)]
    pub id: Option<String>,
    /// Short title
    #[arg(long)]
    pub title: Option<String>,
    /// feature | improvement | bugfix | hotfix
    #[arg(long, value_parser = parse_enum::<Kind>)]
    pub kind: Option<Kind>,
    /// open | accepted | done | rejected
    #[arg(long, value_parser = parse_enum::<Status>)]
    pub status: Option<Status>,
    /// Capacity units (e.g. story points), a whole number > 0
    #[arg(long)]
    pub effort: Option<u32>,
    /// major (customer e-mail) | minor (wiki)
    #[arg(long, value_parser = parse_enum::<Impact>)]
    pub impact: Option<Impact>,
    /// Partner id that asked for it (repeatable)
    #[arg(long = "requested-by", value_name = "PARTNER")]
    pub requested_by: Vec<String>,
    /// Request that must ship in the same or an earlier release (repeatable)
    #[arg(long = "depends-on", value_name = "ID")]
    pub depends_on: Vec<String>,
    /// Request that must ship in the same release (repeatable)
    #[arg(long = "together-with", value_name = "ID")]
    pub together_with: Vec<String>,
    /// Must be in production by this date (YYYY-MM-DD)
    #[arg(long)]
    pub deadline: Option<chrono::NaiveDate>,
    /// Force it into this release (YYYY.N)
    #[arg(long)]
    pub pin: Option<ReleaseId>,
    /// Hotfixes: when it was reported (RFC 3339)
    #[arg(long = "reported-at")]
    pub reported_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// A criterion score, NAME=VALUE (repeatable)
    #[arg(long = "score", value_name = "NAME=VALUE", value_parser = parse_pair::<f64>)]
    pub scores: Vec<(String, f64)>,
    /// Customer-facing text, LANG=TEXT (repeatable, e.g. --text "de=Neu: …")
    #[arg(long = "text", value_name = "LANG=TEXT", value_parser = parse_pair::<String>)]
    pub texts: Vec<(String, String)>,
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The request id
    pub id: String,
    #[arg(long, value_parser = parse_enum::<Status>)]
    pub status: Option<Status>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long, value_parser = parse_enum::<Kind>)]
    pub kind: Option<Kind>,
    #[arg(long)]
    pub effort: Option<u32>,
    #[arg(long, value_parser = parse_enum::<Impact>)]
    pub impact: Option<Impact>,
    /// Pin to a release (YYYY.N); see --unpin
    #[arg(long, conflicts_with = "unpin")]
    pub pin: Option<ReleaseId>,
    /// Remove the pin
    #[arg(long)]
    pub unpin: bool,
    /// Deadline (YYYY-MM-DD); see --no-deadline
    #[arg(long, conflicts_with = "no_deadline")]
    pub deadline: Option<chrono::NaiveDate>,
    /// Remove the deadline
    #[arg(long = "no-deadline")]
    pub no_deadline: bool,
    /// Set a criterion score, NAME=VALUE (repeatable)
    #[arg(long = "score", value_name = "NAME=VALUE", value_parser = parse_pair::<f64>)]
    pub scores: Vec<(String, f64)>,
}

fn parse_pair<T: std::str::FromStr>(s: &str) -> Result<(String, T), String>
where
    T::Err: std::fmt::Display,
{
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let v = v.trim().parse::<T>().map_err(|e| format!("`{v}`: {e}"))?;
    Ok((k.trim().to_owned(), v))
}

/// Runs a `request` subcommand.
///
/// # Errors
/// On invalid input or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::List(a) => list(&a, s),
        Command::Show { id } => show(&id, s),
        Command::New(a) => new(a, s),
        Command::Set(a) => set(&a, s),
    }
}

/// The JSON of `request list`: `{"requests": [ … ]}`.
#[derive(Debug, Serialize)]
pub struct RequestList<'a> {
    pub requests: Vec<&'a Request>,
}

impl Report for RequestList<'_> {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.requests.is_empty() {
            return writeln!(w, "no requests match");
        }
        let mut t = output::table([
            "id", "kind", "status", "effort", "impact", "partners", "title",
        ]);
        for r in &self.requests {
            let partners: Vec<&str> = r.requested_by.iter().map(Id::as_str).collect();
            t.add_row(vec![
                r.id.to_string(),
                r.kind.to_string(),
                r.status.to_string(),
                r.effort.to_string(),
                r.impact.to_string(),
                partners.join(", "),
                r.title.clone(),
            ]);
        }
        output::write_table(w, &t)?;
        writeln!(w, "{} requests", self.requests.len())
    }
}

fn list(a: &ListArgs, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let requests = loaded
        .workspace
        .requests
        .values()
        .filter(|r| a.filter.matches(r))
        .collect();
    s.emit(&RequestList { requests })?;
    Ok(Outcome::Success)
}

/// One request, as `request show` prints it.
#[derive(Debug, Serialize)]
pub struct RequestView<'a> {
    #[serde(flatten)]
    pub request: &'a Request,
    /// The releases whose scope holds it.
    pub releases: Vec<ReleaseId>,
}

impl Report for RequestView<'_> {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        let r = self.request;
        writeln!(
            w,
            "{}  {}",
            paint.apply(Style::Bold, r.id.as_str()),
            r.title
        )?;
        let join = |ids: &[Id]| ids.iter().map(Id::as_str).collect::<Vec<_>>().join(", ");
        let mut rows: Vec<(&str, String)> = vec![
            ("kind", r.kind.to_string()),
            ("status", r.status.to_string()),
            ("effort", r.effort.to_string()),
            ("impact", r.impact.to_string()),
        ];
        let optional = [
            ("requested by", join(&r.requested_by)),
            ("depends on", join(&r.depends_on)),
            ("together with", join(&r.together_with)),
            (
                "created",
                r.created.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (
                "deadline",
                r.deadline.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("pin", r.pin.map(|p| p.to_string()).unwrap_or_default()),
            (
                "reported at",
                r.reported_at.map(|t| t.to_string()).unwrap_or_default(),
            ),
            (
                "scores",
                r.scores
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "releases",
                self.releases
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ];
        rows.extend(optional.into_iter().filter(|(_, v)| !v.is_empty()));
        for (k, v) in rows {
            writeln!(w, "  {:<14}{v}", format!("{k}:"))?;
        }
        for (lang, text) in &r.text {
            writeln!(w, "\n  [{lang}] {text}")?;
        }
        Ok(())
    }
}

fn show(id: &str, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let request = ws.request(id)?;
    let releases = ws
        .releases
        .values()
        .filter(|rel| rel.scope.iter().any(|x| x == id))
        .map(|rel| rel.id)
        .collect();
    s.emit(&RequestView { request, releases })?;
    Ok(Outcome::Success)
}

/// The next free id in the style of the existing ones: the most common
/// `PREFIX-NNNN` pattern, one above its highest number.
#[must_use]
pub fn next_id(ws: &Workspace) -> String {
    let mut by_prefix: BTreeMap<(String, usize), (usize, u64)> = BTreeMap::new();
    for id in ws.requests.keys() {
        let s = id.as_str();
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            continue;
        }
        let (prefix, num) = s.split_at(s.len() - digits);
        let n: u64 = num.parse().unwrap_or(0);
        let e = by_prefix.entry((prefix.to_owned(), digits)).or_default();
        e.0 += 1;
        e.1 = e.1.max(n);
    }
    let Some(((prefix, width), (_, max))) =
        by_prefix.into_iter().max_by_key(|(_, (count, _))| *count)
    else {
        return "CR-0001".into();
    };
    let mut n = max + 1;
    loop {
        let candidate = format!("{prefix}{n:0width$}");
        if !ws.requests.contains_key(candidate.as_str()) {
            return candidate;
        }
        n += 1;
    }
}

fn ask_missing(a: &mut NewArgs, ws: &Workspace, s: &Settings) -> Result<()> {
    if a.title.is_some() && a.effort.is_some() {
        return Ok(());
    }
    let mut p = s.prompt(
        "pass at least --title and --effort (and any other fields as flags) when not on a terminal",
    );
    if a.title.is_none() {
        a.title = Some(p.input("Title", None)?);
    }
    if a.kind.is_none() {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        a.kind = Some(Kind::ALL[p.select("Kind", &names, 0)?]);
    }
    while a.effort.is_none() {
        let e = p.input("Effort (capacity units, > 0)", None)?;
        match e.trim().parse::<u32>() {
            Ok(n) if n > 0 => a.effort = Some(n),
            _ => s.warn("effort must be a whole number above 0"),
        }
    }
    if a.impact.is_none() {
        let names: Vec<&str> = Impact::ALL.iter().map(|k| k.as_str()).collect();
        a.impact = Some(Impact::ALL[p.select("Impact (major = customer e-mail)", &names, 1)?]);
    }
    for (name, c) in &ws.config.scoring.criteria {
        if !a.scores.iter().any(|(k, _)| k == name) {
            let v = p.input(
                &format!("Score `{name}` ({}..{})", c.scale[0], c.scale[1]),
                None,
            )?;
            if let Ok(v) = v.trim().parse::<f64>() {
                a.scores.push((name.clone(), v));
            }
        }
    }
    for lang in &ws.config.workspace.languages {
        if !a.texts.iter().any(|(k, _)| k == lang) {
            let t = p.input(&format!("Customer-facing text [{lang}]"), Some(""))?;
            if !t.trim().is_empty() {
                a.texts.push((lang.clone(), t));
            }
        }
    }
    Ok(())
}

/// Renders a new request file.
fn render_new(a: &NewArgs, created: chrono::NaiveDate) -> Result<String> {
    let mut doc = DocumentMut::new();
    doc["title"] = value(a.title.clone().unwrap_or_default());
    doc["kind"] = value(a.kind.unwrap_or_default().as_str());
    doc["status"] = value(a.status.unwrap_or_default().as_str());
    doc["effort"] = value(i64::from(a.effort.unwrap_or(0)));
    doc["impact"] = value(a.impact.unwrap_or_default().as_str());
    if !a.requested_by.is_empty() {
        doc["requested_by"] = edit::string_array(&a.requested_by);
    }
    doc["created"] = edit::date(created)?;
    if !a.depends_on.is_empty() {
        doc["depends_on"] = edit::string_array(&a.depends_on);
    }
    if !a.together_with.is_empty() {
        doc["together_with"] = edit::string_array(&a.together_with);
    }
    if let Some(d) = a.deadline {
        doc["deadline"] = edit::date(d)?;
    }
    if let Some(p) = a.pin {
        doc["pin"] = value(p.to_string());
    }
    if let Some(t) = a.reported_at {
        doc["reported_at"] = edit::timestamp(t)?;
    }
    if !a.scores.is_empty() {
        let mut t = Table::new();
        for (k, v) in &a.scores {
            t[k] = number(*v);
        }
        doc["scores"] = Item::Table(t);
    }
    if !a.texts.is_empty() {
        let mut t = Table::new();
        for (k, v) in &a.texts {
            t[k] = value(v.clone());
        }
        doc["text"] = Item::Table(t);
    }
    Ok(doc.to_string())
}

/// A whole number stays an integer in TOML, anything else a float.
fn number(v: f64) -> Item {
    #[allow(clippy::cast_possible_truncation)]
    if v.fract() == 0.0 && v.abs() < 1e15 {
        value(v as i64)
    } else {
        value(v)
    }
}

fn write_validated(loaded: &Loaded, changes: fsio::Changes, s: &Settings) -> Result<()> {
    let after = loaded.check_changes(&changes)?;
    drop(after);
    let written = changes.commit(&loaded.workspace.root, s.fault)?;
    for p in written {
        s.status(&format!(
            "wrote {}",
            loaded.workspace.relative(&p).display()
        ));
    }
    Ok(())
}

fn new(mut a: NewArgs, s: &Settings) -> Result<Outcome> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let _lock = fsio::lock(&root)?;
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let id = match a.id.take() {
        Some(raw) => Id::parse(&raw)
            .map_err(|e| crate::error::refused(e.to_string(), "choose another --id"))?,
        None => Id::parse(&next_id(ws))?,
    };
    if ws.requests.contains_key(&id) {
        return Err(crate::error::refused(
            format!("request {id} already exists"),
            "choose another --id, or leave it out to get the next free one",
        ));
    }
    ask_missing(&mut a, ws, s)?;
    let mut changes = fsio::Changes::new();
    changes.write(ws.request_path(&id), render_new(&a, s.now.date_naive())?);
    write_validated(&loaded, changes, s)?;
    let mut out = io::stdout().lock();
    writeln!(out, "{id}")?;
    Ok(Outcome::Success)
}

fn set(a: &SetArgs, s: &Settings) -> Result<Outcome> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let _lock = fsio::lock(&root)?;
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let request = ws.request(&a.id)?;
    let path = ws.request_path(&request.id);
    let src = std::fs::read_to_string(&path)?;
    let mut doc = edit::parse(&src, ws.relative(&path))?;
    let mut touched = false;
    let mut set = |doc: &mut DocumentMut, key: &str, item: Option<Item>| {
        touched = true;
        match item {
            Some(i) => edit::set_item(doc, key, i),
            None => edit::remove(doc, key),
        }
    };
    if let Some(v) = a.status {
        set(&mut doc, "status", Some(value(v.as_str())));
    }
    if let Some(v) = &a.title {
        set(&mut doc, "title", Some(value(v.clone())));
    }
    if let Some(v) = a.kind {
        set(&mut doc, "kind", Some(value(v.as_str())));
    }
    if let Some(v) = a.effort {
        set(&mut doc, "effort", Some(value(i64::from(v))));
    }
    if let Some(v) = a.impact {
        set(&mut doc, "impact", Some(value(v.as_str())));
    }
    if let Some(v) = a.pin {
        set(&mut doc, "pin", Some(value(v.to_string())));
    }
    if a.unpin {
        set(&mut doc, "pin", None);
    }
    if let Some(v) = a.deadline {
        set(&mut doc, "deadline", Some(edit::date(v)?));
    }
    if a.no_deadline {
        set(&mut doc, "deadline", None);
    }
    if !a.scores.is_empty() {
        touched = true;
        if !doc.contains_key("scores") {
            doc["scores"] = Item::Table(Table::new());
        }
        for (k, v) in &a.scores {
            let old = doc["scores"]
                .get(k)
                .and_then(Item::as_value)
                .map(|v| v.decor().clone());
            doc["scores"][k] = number(*v);
            if let (Some(decor), Some(new)) = (old, doc["scores"][k].as_value_mut()) {
                *new.decor_mut() = decor;
            }
        }
    }
    if !touched {
        return Err(crate::error::refused(
            "nothing to change",
            "pass a field to set, e.g. --status accepted (see `zyklus request set --help`)",
        ));
    }
    let mut changes = fsio::Changes::new();
    changes.write(path, doc.to_string());
    changes.drop_unchanged();
    if changes.is_empty() {
        s.status(&format!(
            "{} already has these values; nothing changed",
            a.id
        ));
        return Ok(Outcome::Success);
    }
    write_validated(&loaded, changes, s)?;
    Ok(Outcome::Success)
}
