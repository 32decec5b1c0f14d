//! The drafts of an import against the requests already in the workspace: which
//! to create, which to update, which are unchanged or skipped.
//!
//! A draft belongs to the request whose `source` equals the draft's. An update
//! edits that request's TOML text with `toml_edit`: it sets only the keys listed in
//! the mapping's `update` (the keys the mapping owns), only to values the tracker
//! gave (a rule's default never overwrites), and only where the value differs, so a
//! value's comments and formatting stay and every other key — status, scores of
//! other criteria, dependencies, pins, comments, local texts — is kept as it is. A
//! key is never removed. An import of an unchanged file therefore edits nothing.
//!
//! New requests get the next free ids of the workspace's pattern
//! ([`super::ids::IdAllocator`]), in the order of the file.

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{DocumentMut, Item as TomlItem, Table, TableLike, Value};

use super::config::Owned;
use super::ids::IdAllocator;
use super::mapping::{Draft, Outcome, Skip};
use super::Position;
use crate::model::Id;

/// A request of the workspace that came from a tracker.
#[derive(Debug, Clone, Copy)]
pub struct Existing<'a> {
    pub id: &'a Id,
    /// Its `source` key.
    pub source: &'a str,
    /// The text of its file.
    pub text: &'a str,
}

/// What the import does with one issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    Skipped,
}

impl Action {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
            Action::Skipped => "skipped",
        }
    }
}

/// One issue of the file and what happens to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The key or URL (none when the issue lacks one).
    pub source: Option<String>,
    pub at: Position,
    pub title: Option<String>,
    /// The request it creates or matches.
    pub id: Option<Id>,
    pub action: Action,
    /// The keys an update changes (`effort`, `text.de`, …), or a new request's keys.
    pub changed: Vec<String>,
    pub reason: Option<Skip>,
}

/// A request file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub id: Id,
    pub contents: String,
    /// Whether the file is new.
    pub created: bool,
}

/// The whole import: an item per issue, in file order, and the files to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub items: Vec<Item>,
    pub writes: Vec<Write>,
}

impl Plan {
    /// How many items took `action`.
    #[must_use]
    pub fn count(&self, action: Action) -> usize {
        self.items.iter().filter(|i| i.action == action).count()
    }
}

/// A request file that cannot be edited (it should not happen for a workspace
/// that loaded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot edit the file of request {id}: {message}")]
pub struct MergeError {
    pub id: Id,
    pub message: String,
}

/// Decides for each outcome what to do. `ids` are all request ids of the
/// workspace; `existing` must hold every request whose `source` is among the
/// outcomes' (others may be left out); `update` lists the keys the mapping owns.
///
/// # Errors
/// When the text of an existing request is not TOML.
pub fn plan<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    existing: &[Existing<'_>],
    outcomes: Vec<Outcome>,
    update: &BTreeSet<Owned>,
) -> Result<Plan, MergeError> {
    let by_source: BTreeMap<&str, &Existing<'_>> = existing.iter().map(|e| (e.source, e)).collect();
    let mut alloc = IdAllocator::new(ids);
    let mut seen: BTreeMap<String, Position> = BTreeMap::new();
    let mut out = Plan::default();
    for outcome in outcomes {
        let (source, at, title) = match &outcome {
            Outcome::Draft(d) => (Some(d.source.clone()), d.at, Some(d.title.clone())),
            Outcome::Skipped {
                source, at, title, ..
            } => (source.clone(), *at, title.clone()),
        };
        let matched = source.as_deref().and_then(|s| by_source.get(s).copied());
        let mut item = Item {
            source: source.clone(),
            at,
            title,
            id: matched.map(|e| e.id.clone()),
            action: Action::Skipped,
            changed: Vec::new(),
            reason: None,
        };
        if let Some(s) = &source {
            if let Some(first) = seen.get(s) {
                item.reason = Some(Skip::Duplicate { first: *first });
                out.items.push(item);
                continue;
            }
            seen.insert(s.clone(), at);
        }
        match outcome {
            Outcome::Skipped { reason, .. } => item.reason = Some(reason),
            Outcome::Draft(d) => match matched {
                Some(e) => {
                    let mut doc: DocumentMut = e.text.parse().map_err(|err| MergeError {
                        id: e.id.clone(),
                        message: format!("{err}"),
                    })?;
                    item.changed = apply(&mut doc, &d, update);
                    let contents = doc.to_string();
                    if contents == e.text {
                        item.action = Action::Unchanged;
                        item.changed.clear();
                    } else {
                        item.action = Action::Updated;
                        out.writes.push(Write {
                            id: e.id.clone(),
                            contents,
                            created: false,
                        });
                    }
                }
                None => {
                    let id = alloc.next_id();
                    let (contents, keys) = render_new(&d);
                    item.id = Some(id.clone());
                    item.action = Action::Created;
                    item.changed = keys;
                    out.writes.push(Write {
                        id,
                        contents,
                        created: true,
                    });
                }
            },
        }
        out.items.push(item);
    }
    Ok(out)
}

/// The text of a new request file, and its keys.
#[must_use]
pub fn render_new(d: &Draft) -> (String, Vec<String>) {
    let mut doc = DocumentMut::new();
    let t = doc.as_table_mut();
    let mut keys = Vec::new();
    let mut put = |t: &mut Table, key: &str, v: Value| {
        t.insert(key, TomlItem::Value(v));
        keys.push(key.to_owned());
    };
    put(t, "title", Value::from(d.title.as_str()));
    put(t, "kind", Value::from(d.kind.value.as_str()));
    put(t, "status", Value::from("open"));
    put(t, "effort", Value::from(i64::from(d.effort)));
    put(t, "impact", Value::from(d.impact.value.as_str()));
    if let Some(c) = d.created {
        put(t, "created", date(c));
    }
    put(t, "source", Value::from(d.source.as_str()));
    if let Some(team) = &d.team {
        put(t, "team", Value::from(team.value.as_str()));
    }
    for (name, values) in [
        (
            "scores",
            d.scores
                .iter()
                .map(|(k, v)| (k.clone(), number(v.value)))
                .collect::<Vec<_>>(),
        ),
        (
            "text",
            d.text
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        ),
    ] {
        if values.is_empty() {
            continue;
        }
        let mut sub = Table::new();
        for (k, v) in values {
            sub.insert(&k, TomlItem::Value(v));
        }
        doc.insert(name, TomlItem::Table(sub));
        keys.push(name.to_owned());
    }
    (doc.to_string(), keys)
}

/// Sets the owned keys of `doc` to the draft's values; returns the keys changed.
fn apply(doc: &mut DocumentMut, d: &Draft, update: &BTreeSet<Owned>) -> Vec<String> {
    let mut changed = Vec::new();
    let owns = |o: Owned| update.contains(&o);
    let root = doc.as_table_mut();
    // A local `[team_effort]` split is finer than one team: the tracker's team
    // does not replace it (both keys at once would be invalid).
    let split = root.contains_key("team_effort");
    let mut top = |key: &str, v: Value| {
        if set(root, key, v) {
            changed.push(key.to_owned());
        }
    };
    if owns(Owned::Title) {
        top("title", Value::from(d.title.as_str()));
    }
    if owns(Owned::Kind) && d.kind.from_tracker {
        top("kind", Value::from(d.kind.value.as_str()));
    }
    if owns(Owned::Effort) {
        top("effort", Value::from(i64::from(d.effort)));
    }
    if owns(Owned::Impact) && d.impact.from_tracker {
        top("impact", Value::from(d.impact.value.as_str()));
    }
    if owns(Owned::Created) {
        if let Some(c) = d.created {
            top("created", date(c));
        }
    }
    if owns(Owned::Team) && !split {
        if let Some(team) = d.team.as_ref().filter(|t| t.from_tracker) {
            top("team", Value::from(team.value.as_str()));
        }
    }
    if owns(Owned::Scores) {
        for (k, v) in d.scores.iter().filter(|(_, v)| v.from_tracker) {
            if set_in(root, "scores", k, number(v.value)) {
                changed.push(format!("scores.{k}"));
            }
        }
    }
    if owns(Owned::Text) {
        for (lang, text) in &d.text {
            if set_in(root, "text", lang, Value::from(text.as_str())) {
                changed.push(format!("text.{lang}"));
            }
        }
    }
    changed
}

/// Sets `key` in `table` unless it already holds the same value; keeps the old
/// value's comments and spacing. Returns whether anything changed.
fn set(table: &mut dyn TableLike, key: &str, mut v: Value) -> bool {
    match table.get_mut(key) {
        Some(item) => {
            if let Some(old) = item.as_value() {
                if same(old, &v) {
                    return false;
                }
                *v.decor_mut() = old.decor().clone();
            }
            *item = TomlItem::Value(v);
        }
        None => {
            table.insert(key, TomlItem::Value(v));
        }
    }
    true
}

/// [`set`] inside the sub-table `name` (`[scores]`, `[text]`, an inline or dotted
/// table alike), creating it when missing.
fn set_in(root: &mut Table, name: &str, key: &str, v: Value) -> bool {
    if !root.contains_key(name) {
        root.insert(name, TomlItem::Table(Table::new()));
    }
    match root.get_mut(name).and_then(TomlItem::as_table_like_mut) {
        Some(t) => set(t, key, v),
        // `scores = 3`: not a table; validation reports it, the import leaves it.
        None => false,
    }
}

/// Whether two TOML values mean the same (`3` and `3.0`, a date and its text).
#[allow(clippy::float_cmp)]
fn same(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        #[allow(clippy::cast_precision_loss)]
        Value::Integer(i) => Some(*i.value() as f64),
        Value::Float(f) => Some(*f.value()),
        _ => None,
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Datetime(x), Value::Datetime(y)) => x.value() == y.value(),
        (Value::String(x), Value::Datetime(y)) | (Value::Datetime(y), Value::String(x)) => {
            *x.value() == y.value().to_string()
        }
        _ => matches!((num(a), num(b)), (Some(x), Some(y)) if x == y),
    }
}

/// A whole number stays an integer in TOML, anything else a float.
fn number(v: f64) -> Value {
    #[allow(clippy::cast_possible_truncation)]
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// A native TOML date.
fn date(d: chrono::NaiveDate) -> Value {
    let dt = toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: u16::try_from(chrono::Datelike::year(&d)).unwrap_or(0),
            month: u8::try_from(chrono::Datelike::month(&d)).unwrap_or(1),
            day: u8::try_from(chrono::Datelike::day(&d)).unwrap_or(1),
        }),
        time: None,
        offset: None,
    };
    Value::from(dt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::Mapped;
    use crate::model::{Impact, Kind};

    fn draft(source: &str, title: &str, effort: u32) -> Draft {
        Draft {
            source: source.into(),
            at: Position::Line(2),
            title: title.into(),
            kind: Mapped {
                value: Kind::Bugfix,
                from_tracker: true,
            },
            effort,
            impact: Mapped {
                value: Impact::Minor,
                from_tracker: false,
            },
            team: None,
            created: chrono::NaiveDate::from_ymd_opt(2026, 11, 27),
            scores: BTreeMap::new(),
            text: [("de".to_owned(), "Behoben".to_owned())].into(),
        }
    }

    fn all() -> BTreeSet<Owned> {
        Owned::ALL.iter().copied().collect()
    }

    fn id(s: &str) -> Id {
        Id::parse(s).expect("valid id")
    }

    #[test]
    fn new_requests_get_the_next_ids_and_a_full_file() {
        let ids = [id("CR-0007")];
        let p = plan(
            ids.iter().map(Id::as_str),
            &[],
            vec![
                Outcome::Draft(Box::new(draft("PP-1", "Export hangs", 3))),
                Outcome::Draft(Box::new(draft("PP-2", "Widget", 5))),
            ],
            &all(),
        )
        .expect("plan");
        assert_eq!(p.count(Action::Created), 2);
        assert_eq!(p.writes[0].id.as_str(), "CR-0008");
        assert_eq!(p.writes[1].id.as_str(), "CR-0009");
        assert_eq!(
            p.writes[0].contents,
            "title = \"Export hangs\"\nkind = \"bugfix\"\nstatus = \"open\"\neffort = 3\nimpact = \"minor\"\ncreated = 2026-11-27\nsource = \"PP-1\"\n\n[text]\nde = \"Behoben\"\n"
        );
    }

    #[test]
    fn updates_touch_only_owned_keys_with_tracker_values() {
        let text = "# keep me\ntitle = \"Export hängt\"   # renamed locally\nkind = \"bugfix\"\nstatus = \"accepted\"\neffort = 3 # estimate\nimpact = \"major\"\ncreated = 2026-11-27\nsource = \"PP-1\"\ndepends_on = [\"CR-0001\"]\n\n[scores]\nvalue = 8\n\n[text]\nde = \"Behoben\"\nen = \"Fixed\" # local\n";
        let ids = [id("CR-0001"), id("CR-0002")];
        let existing = [Existing {
            id: &ids[1],
            source: "PP-1",
            text,
        }];
        let run = |d: Draft, update: &BTreeSet<Owned>| {
            plan(
                ids.iter().map(Id::as_str),
                &existing,
                vec![Outcome::Draft(Box::new(d))],
                update,
            )
            .expect("plan")
        };
        // Not owning the title: the same effort changes nothing.
        let no_title: BTreeSet<Owned> = all().into_iter().filter(|o| *o != Owned::Title).collect();
        let p = run(draft("PP-1", "Export hangs", 3), &no_title);
        assert_eq!(p.items[0].action, Action::Unchanged);
        assert!(p.writes.is_empty());
        // A new estimate: only the number changes, its comment stays; the default
        // impact (minor) does not overwrite the local `major`.
        let p = run(draft("PP-1", "Export hangs", 5), &no_title);
        assert_eq!(p.items[0].action, Action::Updated);
        assert_eq!(p.items[0].changed, ["effort"]);
        assert_eq!(
            p.writes[0].contents,
            text.replace("effort = 3 #", "effort = 5 #")
        );
        // Owning the title: it is set, its comment kept.
        let p = run(draft("PP-1", "Export hangs", 3), &all());
        assert_eq!(p.items[0].changed, ["title"]);
        assert!(p.writes[0]
            .contents
            .contains("title = \"Export hangs\"   # renamed locally\n"));
        // A new text language and a tracker score are added to their tables.
        let mut d = draft("PP-1", "Export hängt", 3);
        d.text.insert("en".into(), "Fixed export".into());
        d.scores.insert(
            "urgency".into(),
            Mapped {
                value: 7.0,
                from_tracker: true,
            },
        );
        let p = run(d, &all());
        assert_eq!(p.items[0].changed, ["scores.urgency", "text.en"]);
        let c = &p.writes[0].contents;
        assert!(c.contains("[scores]\nvalue = 8\nurgency = 7\n"), "{c}");
        assert!(c.contains("en = \"Fixed export\" # local\n"), "{c}");
    }

    #[test]
    fn importing_a_rendered_request_again_changes_nothing() {
        let mut d = draft("PP-1", "Export \"all\" hangs", 3);
        d.text
            .insert("en".into(), "Line one.\nLine \"two\".\tTab".into());
        d.scores.insert(
            "value".into(),
            Mapped {
                value: 2.5,
                from_tracker: true,
            },
        );
        let (text, keys) = render_new(&d);
        assert!(
            text.contains("en = \"\"\"\nLine one.\nLine \"two\".\\tTab\"\"\"\n"),
            "{text}"
        );
        assert_eq!(
            keys,
            [
                "title", "kind", "status", "effort", "impact", "created", "source", "scores",
                "text"
            ]
        );
        let ids = [id("CR-0001")];
        let existing = [Existing {
            id: &ids[0],
            source: "PP-1",
            text: &text,
        }];
        let p = plan(
            ids.iter().map(Id::as_str),
            &existing,
            vec![Outcome::Draft(Box::new(d))],
            &all(),
        )
        .expect("plan");
        assert_eq!(p.items[0].action, Action::Unchanged);
        assert!(p.writes.is_empty());
    }

    #[test]
    fn skips_and_duplicates() {
        let ids = [id("CR-0001")];
        let existing = [Existing {
            id: &ids[0],
            source: "PP-1",
            text: "title = \"x\"\neffort = 1\nsource = \"PP-1\"\n",
        }];
        let p = plan(
            ids.iter().map(Id::as_str),
            &existing,
            vec![
                Outcome::Skipped {
                    source: Some("PP-1".into()),
                    title: Some("x".into()),
                    at: Position::Line(2),
                    reason: Skip::Closed {
                        status: "Done".into(),
                    },
                },
                Outcome::Draft(Box::new(draft("PP-1", "x", 1))),
                Outcome::Draft(Box::new(draft("PP-2", "y", 1))),
                Outcome::Draft(Box::new(draft("PP-2", "y", 1))),
            ],
            &all(),
        )
        .expect("plan");
        let actions: Vec<_> = p.items.iter().map(|i| i.action).collect();
        assert_eq!(
            actions,
            [
                Action::Skipped,
                Action::Skipped,
                Action::Created,
                Action::Skipped
            ]
        );
        // The closed issue names the request it would have updated.
        assert_eq!(p.items[0].id.as_ref().map(Id::as_str), Some("CR-0001"));
        assert_eq!(
            p.items[1]
                .reason
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("the same issue is already at line 2")
        );
        assert_eq!(p.writes.len(), 1);
        assert_eq!(p.writes[0].id.as_str(), "CR-0002");
    }
}
