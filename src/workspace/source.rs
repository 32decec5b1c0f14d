//! Finding places in TOML source text, so that problems found after parsing (an
//! unknown dependency, a score out of scale, a duplicated partner id) point at the
//! key or value that causes them.
//!
//! The loader parses each file a second time with `toml_edit`, whose syntax tree
//! keeps the byte span of every key, value and table header, and looks a problem up
//! by its [`KeyPath`] (`partner[1].id`, `scoring.criteria.value.weight`). Because the
//! path walks the parsed tree rather than the text, dotted keys, inline tables,
//! arrays, arrays of tables and quoted keys all resolve, and the n-th entry of an
//! array of tables is the n-th one written, so a duplicate is found where it is
//! repeated. This module does not read files and knows nothing of the workspace.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::Arc;

use toml_edit::{Document, Item, Key, Table, TableLike, Value};

/// A file's text and, when it is valid TOML, its syntax tree with spans.
pub struct Source {
    text: Arc<str>,
    doc: Option<Document<Arc<str>>>,
    /// Why `toml_edit` could not parse the text: its message and place.
    error: Option<(String, Option<Range<usize>>)>,
}

impl Source {
    /// Parses `text`; a syntax error leaves the text without a tree (the loader
    /// reports it from its own parse, or from [`Source::error`] when only
    /// `toml_edit` refuses it).
    #[must_use]
    pub fn parse(text: String) -> Self {
        let text: Arc<str> = text.into();
        match Document::parse(Arc::clone(&text)) {
            Ok(doc) => Self {
                text,
                doc: Some(doc),
                error: None,
            },
            Err(e) => Self {
                text,
                doc: None,
                error: Some((e.message().trim().to_owned(), e.span())),
            },
        }
    }

    /// Why the text has no tree, if it has none: `toml_edit`'s message and place.
    /// (`toml_edit` is a little stricter than the `toml` deserializer: it refuses
    /// integers beyond `i64`, which zyklus could then never edit.)
    #[must_use]
    pub fn error(&self) -> Option<(&str, Option<Range<usize>>)> {
        self.error.as_ref().map(|(m, s)| (m.as_str(), s.clone()))
    }

    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The root table of the syntax tree, if the text parses.
    #[must_use]
    pub fn doc(&self) -> Option<&Table> {
        self.doc.as_ref().map(|d| d.as_table())
    }
}

/// 1-based line and column of a byte offset.
#[must_use]
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..offset].chars().count() + 1;
    (line, column)
}

/// One step of a [`KeyPath`]: a key of a table (or inline table), or an index into
/// an array (or array of tables).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where something is in a TOML document, as the parsed structure sees it: the keys
/// and indices from the root, whatever way the file spells them (`[a.b]` header,
/// dotted key `a.b = …`, inline table `a = { b = … }`).
///
/// Written (by [`fmt::Display`]) and read (by [`FromStr`]) as keys joined by `.`,
/// indices as `[n]`, and keys that are not bare TOML keys in double quotes:
/// `partner[2].id`, `capacity.releases."2027.x"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(Vec<Seg>);

impl KeyPath {
    /// The empty path (the document itself).
    #[must_use]
    pub fn root() -> Self {
        Self::default()
    }

    /// This path followed by the table key `key`.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(Seg::Key(key.into()));
        self
    }

    /// This path followed by the array index `index`.
    #[must_use]
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Seg::Index(index));
        self
    }

    #[must_use]
    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// The path of a key that `serde_ignored` reports as unused. Its `Option` and
    /// newtype steps have no place of their own in the file and are left out.
    #[must_use]
    pub fn from_ignored(path: &serde_ignored::Path<'_>) -> Self {
        use serde_ignored::Path as P;
        match path {
            P::Root => Self::root(),
            P::Seq { parent, index } => Self::from_ignored(parent).index(*index),
            P::Map { parent, key } => Self::from_ignored(parent).key(key.clone()),
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                Self::from_ignored(parent)
            }
        }
    }
}

fn is_bare(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_bare(k) {
                        f.write_str(k)?;
                    } else {
                        f.write_str("\"")?;
                        for c in k.chars() {
                            if matches!(c, '"' | '\\') {
                                f.write_str("\\")?;
                            }
                            write!(f, "{c}")?;
                        }
                        f.write_str("\"")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A string that is not a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a key path such as `partner[2].id`")]
pub struct BadKeyPath(String);

impl FromStr for KeyPath {
    type Err = BadKeyPath;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadKeyPath(s.to_owned());
        let mut path = Self::root();
        let mut rest = s;
        // A key is expected at the start and after every `.`.
        let mut want_key = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').ok_or_else(bad)?;
                path = path.index(r[..end].parse().map_err(|_| bad())?);
                rest = &r[end + 1..];
                want_key = false;
            } else if !want_key {
                rest = rest.strip_prefix('.').ok_or_else(bad)?;
                want_key = true;
            } else if let Some(r) = rest.strip_prefix('"') {
                let mut key = String::new();
                let mut chars = r.char_indices();
                let end = loop {
                    match chars.next().ok_or_else(bad)? {
                        (i, '"') => break i,
                        (_, '\\') => key.push(chars.next().ok_or_else(bad)?.1),
                        (_, c) => key.push(c),
                    }
                };
                path = path.key(key);
                rest = &r[end + 1..];
                want_key = false;
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                if !is_bare(&rest[..end]) {
                    return Err(bad());
                }
                path = path.key(&rest[..end]);
                rest = &rest[end..];
                want_key = false;
            }
        }
        if want_key && !path.0.is_empty() {
            return Err(bad()); // a trailing `.`
        }
        Ok(path)
    }
}

/// A place in the parsed tree: an item of a table, a value inside an inline table
/// or array, or one table of an array of tables.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a Table),
}

impl<'a> Node<'a> {
    fn table_like(self) -> Option<&'a dyn TableLike> {
        match self {
            Node::Item(i) => i.as_table_like(),
            Node::Value(v) => v.as_inline_table().map(|t| t as &dyn TableLike),
            Node::Table(t) => Some(t),
        }
    }

    fn array(self) -> Option<&'a toml_edit::Array> {
        match self {
            Node::Item(i) => i.as_array(),
            Node::Value(v) => v.as_array(),
            Node::Table(_) => None,
        }
    }

    fn at(self, index: usize) -> Option<Node<'a>> {
        match self {
            Node::Item(Item::ArrayOfTables(a)) => a.get(index).map(Node::Table),
            _ => self.array()?.get(index).map(Node::Value),
        }
    }

    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(i) => i.span(),
            Node::Value(v) => v.span(),
            Node::Table(t) => t.span(),
        }
    }
}

/// What a path resolves to: the node, and the key that names it (none when the
/// last step is an index).
struct Found<'a> {
    key: Option<&'a Key>,
    node: Node<'a>,
}

fn resolve<'a>(doc: &'a Table, path: &KeyPath) -> Option<Found<'a>> {
    let mut found = Found {
        key: None,
        node: Node::Table(doc),
    };
    for seg in path.segments() {
        found = match seg {
            Seg::Key(k) => {
                let (key, item) = found.node.table_like()?.get_key_value(k)?;
                Found {
                    key: Some(key),
                    node: Node::Item(item),
                }
            }
            Seg::Index(i) => Found {
                key: None,
                node: found.node.at(*i)?,
            },
        };
    }
    Some(found)
}

/// The span of the value at `path` (for a table, its header; for an implicit
/// table of dotted keys, its key), if the document has one there.
#[must_use]
pub fn locate(doc: &Table, path: &KeyPath) -> Option<Range<usize>> {
    if path.segments().is_empty() {
        return None;
    }
    let found = resolve(doc, path)?;
    found
        .node
        .span()
        .filter(|s| !s.is_empty())
        .or_else(|| found.key?.span())
}

/// The span of the key that names `path` (the last one of a dotted key), or of the
/// element when the path ends in an index.
#[must_use]
pub fn locate_key(doc: &Table, path: &KeyPath) -> Option<Range<usize>> {
    match path.segments().last()? {
        Seg::Key(_) => resolve(doc, path)?
            .key?
            .span()
            .or_else(|| locate(doc, path)),
        Seg::Index(_) => locate(doc, path),
    }
}

/// The span of the first string element equal to `needle` in the array at `path`
/// (an unknown id in `depends_on = ["CR-1", "CR-9"]`).
#[must_use]
pub fn locate_element(doc: &Table, path: &KeyPath, needle: &str) -> Option<Range<usize>> {
    resolve(doc, path)?
        .node
        .array()?
        .iter()
        .find(|v| v.as_str() == Some(needle))?
        .span()
}

/// The key of the longest prefix of `path` that is written in the document: where
/// to point when `path` itself is absent (a missing key of a table).
#[must_use]
pub fn locate_nearest(doc: &Table, path: &KeyPath) -> Option<Range<usize>> {
    (1..=path.segments().len()).rev().find_map(|n| {
        let prefix = KeyPath(path.segments()[..n].to_vec());
        locate_key(doc, &prefix)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parsed test document; it derefs to its root table.
    struct Doc(Source);

    impl std::ops::Deref for Doc {
        type Target = Table;
        fn deref(&self) -> &Table {
            self.0.doc().expect("test TOML parses")
        }
    }

    fn doc(src: &str) -> Doc {
        Doc(Source::parse(src.to_owned()))
    }

    fn path(s: &str) -> KeyPath {
        s.parse().expect("test path parses")
    }

    /// The text at a span, and where it starts.
    fn at(d: &Doc, span: Option<Range<usize>>) -> Option<(&str, (usize, usize))> {
        let src = d.0.text();
        span.map(|s| (&src[s.clone()], line_col(src, s.start)))
    }

    #[test]
    fn line_col_counts_characters() {
        let src = "a = 1\nä = \"ö\"\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 10), (2, 4));
        assert_eq!(line_col(src, 999), (3, 1));
    }

    #[test]
    fn paths_print_and_parse() {
        let p = KeyPath::root().key("partner").index(2).key("id");
        assert_eq!(p.to_string(), "partner[2].id");
        assert_eq!(path("partner[2].id"), p);
        let q = KeyPath::root()
            .key("capacity")
            .key("releases")
            .key("2027.x");
        assert_eq!(q.to_string(), "capacity.releases.\"2027.x\"");
        assert_eq!(path("capacity.releases.\"2027.x\""), q);
        let odd = KeyPath::root().key("a \"b\"\\").index(0).index(1);
        assert_eq!(path(&odd.to_string()), odd);
        assert_eq!(path("scope[0]"), KeyPath::root().key("scope").index(0));
        for bad in ["a..b", "a.", ".a", "a[x]", "a[1", "a b", "\"open", "a[1]b"] {
            assert!(bad.parse::<KeyPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn top_level_keys_and_table_keys() {
        let d = doc("title = \"x\"\neffort = 3\n[scores]\nvalue = 11\n");
        assert_eq!(at(&d, locate(&d, &path("title"))), Some(("\"x\"", (1, 9))));
        assert_eq!(
            at(&d, locate_key(&d, &path("effort"))),
            Some(("effort", (2, 1)))
        );
        assert_eq!(
            at(&d, locate(&d, &path("scores.value"))),
            Some(("11", (4, 9)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("scores.value"))),
            Some(("value", (4, 1)))
        );
        assert_eq!(
            at(&d, locate(&d, &path("scores"))),
            Some(("[scores]", (3, 1)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("scores"))),
            Some(("scores", (3, 2)))
        );
        assert_eq!(locate(&d, &path("nothing")), None);
        assert_eq!(locate(&d, &path("scores.urgency")), None);
        assert_eq!(locate(&d, &KeyPath::root()), None);
    }

    #[test]
    fn dotted_keys() {
        let d = doc(
            "[workspace]\nname = \"x\"\n[scoring]\nmodel = \"wsjf\"\ncriteria.value = { weight = 3 }\ntext.xx = \"y\"\n",
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("scoring.criteria.value"))),
            Some(("value", (5, 10)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("scoring.criteria.value.weight"))),
            Some(("weight", (5, 20)))
        );
        assert_eq!(
            at(&d, locate(&d, &path("scoring.criteria.value.weight"))),
            Some(("3", (5, 29)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("scoring.text.xx"))),
            Some(("xx", (6, 6)))
        );
        // The implicit table of a dotted key is found at its key.
        assert_eq!(
            at(&d, locate(&d, &path("scoring.criteria"))),
            Some(("criteria", (5, 1)))
        );
    }

    #[test]
    fn inline_tables() {
        let d = doc("title = \"x\"\nscores = { value = 11, urgency = 2 }\n");
        assert_eq!(
            at(&d, locate(&d, &path("scores.urgency"))),
            Some(("2", (2, 34)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("scores.value"))),
            Some(("value", (2, 12)))
        );
        assert_eq!(
            at(&d, locate(&d, &path("scores"))),
            Some(("{ value = 11, urgency = 2 }", (2, 10)))
        );
    }

    #[test]
    fn arrays_and_their_elements() {
        let d = doc("depends_on = [\n  \"CR-1\",\n  \"CR-9\",\n  \"CR-9\",\n]\nempty = []\n");
        assert_eq!(
            at(&d, locate_element(&d, &path("depends_on"), "CR-9")),
            Some(("\"CR-9\"", (3, 3)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("depends_on[2]"))),
            Some(("\"CR-9\"", (4, 3)))
        );
        assert_eq!(locate_element(&d, &path("depends_on"), "CR-0"), None);
        assert_eq!(locate(&d, &path("depends_on[3]")), None);
        assert_eq!(locate_element(&d, &path("empty"), "CR-1"), None);
        assert_eq!(at(&d, locate(&d, &path("empty"))), Some(("[]", (6, 9))));
    }

    #[test]
    fn arrays_of_tables_and_duplicates() {
        let d = doc(
            "[[partner]]\nid = \"acme\"\n\n[[commitment]]\npartner = \"acme\"\nweight = 1\n\n[[partner]]\nname = \"B\"\nid = \"acme\"\n\n[[commitment]]\npartner = \"acme\"\nrequests = [\"CR-1\"]\nweight = -5\n",
        );
        // The second partner's id, not the first one's.
        assert_eq!(
            at(&d, locate(&d, &path("partner[1].id"))),
            Some(("\"acme\"", (10, 6)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("partner[1].id"))),
            Some(("id", (10, 1)))
        );
        // The second commitment's weight, not its `partner =` line.
        assert_eq!(
            at(&d, locate(&d, &path("commitment[1].weight"))),
            Some(("-5", (15, 10)))
        );
        assert_eq!(
            at(&d, locate_key(&d, &path("commitment[1].requests[0]"))),
            Some(("\"CR-1\"", (14, 13)))
        );
        assert_eq!(
            at(&d, locate(&d, &path("partner[1]"))),
            Some(("[[partner]]", (8, 1)))
        );
        assert_eq!(locate(&d, &path("partner[2]")), None);
    }

    #[test]
    fn quoted_keys() {
        let d = doc("[capacity.releases]\n\"2027.1\" = 30\n'2027.x' = 20\n");
        assert_eq!(
            at(&d, locate_key(&d, &path("capacity.releases.\"2027.x\""))),
            Some(("'2027.x'", (3, 1)))
        );
        assert_eq!(
            at(&d, locate(&d, &path("capacity.releases.\"2027.1\""))),
            Some(("30", (2, 12)))
        );
    }

    #[test]
    fn the_nearest_written_key_stands_in_for_a_missing_one() {
        let d = doc("[scores]\nvalue = 1\n");
        assert_eq!(
            at(&d, locate_nearest(&d, &path("scores.urgency"))),
            Some(("scores", (1, 2)))
        );
        assert_eq!(locate_nearest(&d, &path("nothing.here")), None);
    }

    #[test]
    fn unknown_keys_from_serde_ignored() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct P {
            id: String,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct F {
            partner: Vec<P>,
            smtp: Option<P>,
        }
        let src = "[[partner]]\nid = \"a\"\n[[partner]]\nid = \"b\"\nemial = \"x\"\n[smtp]\nid = \"s\"\nhots = 1\n";
        let de = toml::Deserializer::parse(src).expect("parses");
        let mut unknown = Vec::new();
        let _: F = serde_ignored::deserialize(de, |p| unknown.push(KeyPath::from_ignored(&p)))
            .expect("deserializes");
        let shown: Vec<String> = unknown.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["partner[1].emial", "smtp.hots"]);
        let d = doc(src);
        assert_eq!(at(&d, locate_key(&d, &unknown[0])), Some(("emial", (5, 1))));
        assert_eq!(at(&d, locate_key(&d, &unknown[1])), Some(("hots", (8, 1))));
    }
}
