//! Workspace files opened for editing: layout-preserving TOML documents
//! (toml_edit keeps comments, order and formatting) that also keep the file's
//! byte-order mark and line endings, and the typed edits of a release file and a
//! request file that every command shares.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table};

use super::edit;
use crate::model::dates::Timestamp;
use crate::model::release::{HistoryEntry, SentRecord};
use crate::model::Finding;

const BOM: &str = "\u{feff}";

/// A TOML file being edited.
#[derive(Debug, Clone)]
pub struct TomlDoc {
    /// Path relative to the workspace root.
    pub rel: PathBuf,
    /// The bytes on disk when opened (`None`: a new file).
    original: Option<Vec<u8>>,
    bom: bool,
    crlf: bool,
    /// Leading comment lines of a new file (toml_edit would put the comments of
    /// an empty document at its end).
    header: String,
    pub doc: DocumentMut,
}

impl TomlDoc {
    /// Parses a file's bytes for editing; remembers its BOM and line endings.
    ///
    /// # Errors
    /// When the bytes are not UTF-8 TOML (the loader has normally said so before).
    pub fn parse(rel: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self> {
        let rel = rel.into();
        let text = String::from_utf8(bytes.clone()).map_err(|_| {
            crate::error::invalid(
                format!("{} is not valid UTF-8", rel.display()),
                "save it as UTF-8",
            )
        })?;
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let crlf = body.contains("\r\n");
        let body = if crlf {
            body.replace("\r\n", "\n")
        } else {
            body.to_owned()
        };
        let doc = edit::parse(&body, &rel)?;
        Ok(Self {
            rel,
            original: Some(bytes),
            bom,
            crlf,
            header: String::new(),
            doc,
        })
    }

    /// A new file with `text` as its starting contents; its leading comment lines
    /// stay at the top whatever is added.
    ///
    /// # Errors
    /// When `text` is not TOML (a bug).
    pub fn new_file(rel: impl Into<PathBuf>, text: &str) -> Result<Self> {
        let rel = rel.into();
        let split = text
            .split_inclusive('\n')
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .map(str::len)
            .sum::<usize>();
        let (header, body) = text.split_at(split);
        let doc = edit::parse(body, &rel)?;
        Ok(Self {
            rel,
            original: None,
            bom: false,
            crlf: false,
            header: header.to_owned(),
            doc,
        })
    }

    /// The bytes to write: the document with the original BOM and line endings.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = format!("{}{}", self.header, self.doc);
        if self.crlf {
            text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        if self.bom {
            text.insert_str(0, BOM);
        }
        text.into_bytes()
    }

    /// Whether writing would change the file.
    #[must_use]
    pub fn is_changed(&self) -> bool {
        self.original.as_deref() != Some(self.to_bytes().as_slice())
    }

    /// Whether the file exists on disk already.
    #[must_use]
    pub fn exists(&self) -> bool {
        self.original.is_some()
    }

    /// Sets a top-level key, keeping the comments of the value it replaces.
    pub fn set(&mut self, key: &str, item: Item) {
        edit::set_item(&mut self.doc, key, item);
    }

    /// Removes a top-level key.
    pub fn remove(&mut self, key: &str) {
        edit::remove(&mut self.doc, key);
    }

    /// Appends a table to an array of tables (`[[key]]`), or an inline table when
    /// the file writes `key = [ … ]` inline.
    ///
    /// # Errors
    /// When `key` holds something else.
    pub fn push_table(&mut self, key: &str, table: Table) -> Result<()> {
        match self.doc.get_mut(key) {
            None => {
                let mut a = ArrayOfTables::new();
                a.push(table);
                self.doc[key] = Item::ArrayOfTables(a);
            }
            Some(Item::ArrayOfTables(a)) => a.push(table),
            Some(Item::Value(toml_edit::Value::Array(a))) => {
                a.push(table.into_inline_table());
            }
            Some(_) => {
                return Err(crate::error::invalid(
                    format!("`{key}` in {} is not a list of tables", self.rel.display()),
                    format!("write each entry as a [[{key}]] table"),
                ))
            }
        }
        Ok(())
    }
}

/// The edits of `releases/<ID>.toml`.
pub struct ReleaseDoc<'a>(pub &'a mut TomlDoc);

/// The scope as a TOML array, one id per line (reviewable diffs).
#[must_use]
pub fn scope_array<S: AsRef<str>>(ids: &[S]) -> Item {
    let mut a = Array::new();
    for id in ids {
        let mut v = toml_edit::Value::from(id.as_ref());
        v.decor_mut().set_prefix("\n  ");
        a.push_formatted(v);
    }
    a.set_trailing_comma(!ids.is_empty());
    a.set_trailing(if ids.is_empty() { "" } else { "\n" });
    value(a)
}

impl ReleaseDoc<'_> {
    pub fn set(&mut self, key: &str, item: Item) {
        self.0.set(key, item);
    }

    pub fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }

    /// Replaces the scope, in the layout the file uses: one id per line (as
    /// `plan` writes it), or on one line when the file has a non-empty scope so
    /// (an empty `[]` has no layout to keep).
    pub fn set_scope<S: AsRef<str>>(&mut self, ids: &[S]) {
        let one_line = self
            .0
            .doc
            .get("scope")
            .and_then(Item::as_array)
            .is_some_and(|a| !a.is_empty() && !a.to_string().contains('\n'));
        if one_line {
            self.0.set("scope", edit::string_array(ids));
        } else {
            self.0.set("scope", scope_array(ids));
        }
    }

    /// Appends a `[[history]]` entry.
    ///
    /// # Errors
    /// When `history` has an unexpected shape.
    pub fn push_history(&mut self, e: &HistoryEntry) -> Result<()> {
        let mut t = Table::new();
        t["from"] = value(e.from.as_str());
        t["to"] = value(e.to.as_str());
        t["at"] = edit::timestamp(e.at.0)?;
        t["by"] = value(e.by.clone());
        if !e.note.is_empty() {
            t["note"] = value(e.note.clone());
        }
        t["forced"] = value(e.forced);
        if !e.reason.is_empty() {
            t["reason"] = value(e.reason.clone());
        }
        if let Some(d) = &e.deployed {
            t["deployed"] = value(d.clone());
        }
        if let Some(d) = &e.signoff {
            t["signoff"] = value(d.clone());
        }
        if !e.added.is_empty() {
            t["added"] = edit::string_array(&e.added);
        }
        if !e.removed.is_empty() {
            t["removed"] = edit::string_array(&e.removed);
        }
        if !e.accepted.is_empty() {
            t["accepted"] = edit::string_array(&e.accepted);
        }
        if !e.checks.is_empty() {
            let mut a = Array::new();
            for c in &e.checks {
                let mut it = InlineTable::new();
                it.insert("name", c.name.as_str().into());
                it.insert("passed", c.passed.into());
                it.insert("detail", c.detail.as_str().into());
                a.push(it);
            }
            for v in a.iter_mut() {
                v.decor_mut().set_prefix("\n  ");
            }
            a.set_trailing_comma(true);
            a.set_trailing("\n");
            t["checks"] = value(a);
        }
        self.0.push_table("history", t)
    }

    /// Appends a `[[finding]]`.
    ///
    /// # Errors
    /// When `finding` has an unexpected shape.
    pub fn push_finding(&mut self, f: &Finding) -> Result<()> {
        let mut t = Table::new();
        t["number"] = value(i64::from(f.number));
        t["severity"] = value(f.severity.as_str());
        t["text"] = value(f.text.clone());
        t["raised_at"] = edit::timestamp(f.raised_at.0)?;
        if let Some(r) = &f.request {
            t["request"] = value(r.clone());
        }
        self.0.push_table("finding", t)
    }

    /// Sets `resolved_at` on finding `number`; false when there is none.
    ///
    /// # Errors
    /// When the timestamp cannot be formatted.
    pub fn resolve_finding(&mut self, number: u32, at: DateTime<FixedOffset>) -> Result<bool> {
        let stamp = edit::timestamp(at)?;
        let is_it = |n: Option<i64>| n == Some(i64::from(number));
        match self.0.doc.get_mut("finding") {
            Some(Item::ArrayOfTables(a)) => {
                for t in a.iter_mut() {
                    if is_it(t.get("number").and_then(Item::as_integer)) {
                        t["resolved_at"] = stamp;
                        return Ok(true);
                    }
                }
            }
            Some(Item::Value(toml_edit::Value::Array(a))) => {
                for v in a.iter_mut() {
                    if let Some(t) = v.as_inline_table_mut() {
                        if is_it(t.get("number").and_then(toml_edit::Value::as_integer)) {
                            if let Some(v) = stamp.as_value() {
                                t.insert("resolved_at", v.clone());
                            }
                            return Ok(true);
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// Appends a `[[sent]]` record of a delivered announcement.
    ///
    /// # Errors
    /// When `sent` has an unexpected shape.
    pub fn push_sent(&mut self, s: &SentRecord) -> Result<()> {
        let mut t = Table::new();
        t["to"] = value(s.to.clone());
        t["at"] = edit::timestamp(s.at.0)?;
        if !s.message_id.is_empty() {
            t["message_id"] = value(s.message_id.clone());
        }
        if !s.scope.is_empty() {
            t["scope"] = edit::string_array(&s.scope);
        }
        if s.correction {
            t["correction"] = value(true);
        }
        self.0.push_table("sent", t)
    }
}

/// The edits of `requests/<ID>.toml`.
pub struct RequestDoc<'a>(pub &'a mut TomlDoc);

impl RequestDoc<'_> {
    /// Sets (`Some`) or removes (`None`) a top-level key.
    pub fn put(&mut self, key: &str, item: Option<Item>) {
        match item {
            Some(i) => self.0.set(key, i),
            None => self.0.remove(key),
        }
    }

    /// Sets `table.key`, creating `[table]` when needed and keeping the comment of
    /// the value it replaces.
    pub fn set_in(&mut self, table: &str, key: &str, item: Item) {
        let doc = &mut self.0.doc;
        if !doc.contains_key(table) {
            doc[table] = Item::Table(Table::new());
        }
        let old = doc[table]
            .get(key)
            .and_then(Item::as_value)
            .map(|v| v.decor().clone());
        doc[table][key] = item;
        if let (Some(decor), Some(new)) = (old, doc[table][key].as_value_mut()) {
            *new.decor_mut() = decor;
        }
    }

    /// Removes `table.key`.
    pub fn remove_in(&mut self, table: &str, key: &str) {
        if let Some(t) = self.0.doc.get_mut(table).and_then(Item::as_table_like_mut) {
            t.remove(key);
        }
    }
}

/// A timestamp as a TOML value (for callers that build tables).
///
/// # Errors
/// Never for a valid timestamp.
pub fn timestamp(t: Timestamp) -> Result<Item> {
    edit::timestamp(t.0)
}

/// `path` relative to `root`, for messages.
#[must_use]
pub fn relative<'a>(root: &Path, path: &'a Path) -> &'a Path {
    path.strip_prefix(root).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_survive_an_edit() {
        let bytes = "\u{feff}# keep me\r\ntitle = \"x\"\r\nstatus = \"open\"\r\n"
            .as_bytes()
            .to_vec();
        let mut d = TomlDoc::parse("requests/CR-1.toml", bytes).expect("parse");
        assert!(!d.is_changed());
        RequestDoc(&mut d).put("status", Some(value("accepted")));
        assert_eq!(
            String::from_utf8(d.to_bytes()).expect("utf8"),
            "\u{feff}# keep me\r\ntitle = \"x\"\r\nstatus = \"accepted\"\r\n"
        );
    }

    #[test]
    fn lf_files_stay_lf_and_new_tables_get_created() {
        let mut d = TomlDoc::parse("r.toml", b"title = \"x\"\n".to_vec()).expect("parse");
        RequestDoc(&mut d).set_in("scores", "value", value(3));
        assert_eq!(
            String::from_utf8(d.to_bytes()).expect("utf8"),
            "title = \"x\"\n\n[scores]\nvalue = 3\n"
        );
    }
}
