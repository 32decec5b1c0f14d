//! Editing existing TOML files without losing their comments or layout
//! (toml_edit), for commands that change one or two keys.

use anyhow::{Context, Result};
use toml_edit::{value, Array, DocumentMut, Item};

/// Parses `src` for editing.
///
/// # Errors
/// When `src` is not valid TOML.
pub fn parse(src: &str, what: &std::path::Path) -> Result<DocumentMut> {
    src.parse::<DocumentMut>()
        .with_context(|| format!("parsing {} for editing", what.display()))
}

/// Sets a top-level string key, keeping the key's position and its comments.
pub fn set_str(doc: &mut DocumentMut, key: &str, v: &str) {
    set_item(doc, key, value(v));
}

/// Sets a top-level key to any value, keeping the decoration (comments) of the
/// existing value.
pub fn set_item(doc: &mut DocumentMut, key: &str, mut item: Item) {
    if let Some(old) = doc.get(key).and_then(Item::as_value) {
        let decor = old.decor().clone();
        if let Some(v) = item.as_value_mut() {
            *v.decor_mut() = decor;
        }
    }
    doc[key] = item;
}

/// Removes a top-level key.
pub fn remove(doc: &mut DocumentMut, key: &str) {
    doc.as_table_mut().remove(key);
}

/// A TOML array of strings.
#[must_use]
pub fn string_array<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Item {
    let mut a = Array::new();
    for s in items {
        a.push(s.as_ref());
    }
    value(a)
}

/// A native TOML date value.
///
/// # Errors
/// Never for a valid `NaiveDate`.
pub fn date(d: chrono::NaiveDate) -> Result<Item> {
    let dt: toml_edit::Datetime = d
        .format("%Y-%m-%d")
        .to_string()
        .parse()
        .context("formatting a date")?;
    Ok(value(dt))
}

/// A native TOML offset date-time value.
///
/// # Errors
/// Never for a valid timestamp.
pub fn timestamp(t: chrono::DateTime<chrono::FixedOffset>) -> Result<Item> {
    let dt: toml_edit::Datetime = t
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
        .parse()
        .context("formatting a timestamp")?;
    Ok(value(dt))
}
