//! `[import.jira]`, `[import.github]` and `[import.gitlab]` in `zyklus.toml`: which
//! field of a tracker's issue gives which key of a request, and which keys a
//! re-import may overwrite.
//!
//! Every key is optional; what is left out falls back to the tracker's default
//! ([`Mapping::resolve`]), so an empty or missing section imports a standard Jira
//! export or `gh issue list` output as it is. A rule written in the file replaces the
//! default rule for that key as a whole (it does not merge with it).
//!
//! A rule ([`Rule`]) picks a value from one field of the issue: the first of the
//! field's values that carries one of the `prefix`es (if any are given; the prefix is
//! cut off) and is a key of `map` (if a map is given; the map's value is taken). When
//! no value qualifies, the rule's `default` applies — a default is written when a
//! request is created but never overwrites a local edit on re-import. Several rules
//! for one key are tried in order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::{Impact, Kind};

/// The trackers zyklus imports from (`zyklus import <tracker>`, `[import.<tracker>]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tracker {
    /// Jira's CSV export (Issues → Export → CSV).
    Jira,
    /// `gh issue list --json number,title,body,labels,milestone,createdAt,state,url`.
    Github,
    /// GitLab's `GET /projects/:id/issues` JSON.
    Gitlab,
}

impl Tracker {
    /// The name in `[import.<name>]` and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Tracker::Jira => "jira",
            Tracker::Github => "github",
            Tracker::Gitlab => "gitlab",
        }
    }

    /// The tracker's name in prose: `Jira`, `GitHub`, `GitLab`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Tracker::Jira => "Jira",
            Tracker::Github => "GitHub",
            Tracker::Gitlab => "GitLab",
        }
    }
}

impl fmt::Display for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `[import]` table: one mapping per tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ImportConfig {
    pub jira: Mapping,
    pub github: Mapping,
    pub gitlab: Mapping,
}

impl ImportConfig {
    /// The mapping section of `tracker`, as written.
    #[must_use]
    pub fn mapping(&self, tracker: Tracker) -> &Mapping {
        match tracker {
            Tracker::Jira => &self.jira,
            Tracker::Github => &self.github,
            Tracker::Gitlab => &self.gitlab,
        }
    }
}

/// One `[import.<tracker>]` section as written; `None` means the tracker's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Mapping {
    /// The field with the issue's key or URL, stored as the request's `source`.
    pub source: Option<String>,
    /// The field with the title.
    pub title: Option<String>,
    /// The field with the description, searched for `de:` / `en:` sections.
    pub description: Option<String>,
    /// The field with the creation date.
    pub created: Option<String>,
    /// The field with the issue's status.
    pub status: Option<String>,
    /// Status values (any case) of closed issues, which are skipped.
    pub closed: Option<Vec<String>>,
    /// chrono formats of dates, tried after RFC 3339 and `YYYY-MM-DD`.
    pub date_formats: Option<Vec<String>>,
    pub effort: Option<Rules>,
    pub kind: Option<Rules>,
    pub impact: Option<Rules>,
    pub team: Option<Rules>,
    /// Criterion name → rule giving its score.
    pub scores: BTreeMap<String, Rules>,
    /// Whether `de:` / `en:` sections of the description become the request's texts.
    pub texts: Option<bool>,
    /// The keys a re-import overwrites with the tracker's value.
    pub update: Option<Vec<Owned>>,
}

/// A request key that a mapping may own: a re-import overwrites it with the
/// tracker's value when the key is listed in `update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owned {
    Title,
    Kind,
    Effort,
    Impact,
    Team,
    Created,
    Scores,
    Text,
}

impl Owned {
    pub const ALL: &'static [Owned] = &[
        Owned::Title,
        Owned::Kind,
        Owned::Effort,
        Owned::Impact,
        Owned::Team,
        Owned::Created,
        Owned::Scores,
        Owned::Text,
    ];
}

/// How one value is read from an issue; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The field (CSV column, JSON key) to read.
    pub field: String,
    /// Only values starting with one of these count (compared ignoring case); the
    /// prefix is cut off, e.g. `effort:` turns the label `effort:5` into `5`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub prefix: Vec<String>,
    /// Value (any case) → result; when given, only values listed here count.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub map: BTreeMap<String, String>,
    /// The result when no value of the field counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl Rule {
    /// A rule that takes the field's first value as it is.
    #[must_use]
    pub fn field(name: &str) -> Self {
        Self {
            field: name.to_owned(),
            prefix: Vec::new(),
            map: BTreeMap::new(),
            default: None,
        }
    }

    fn prefixed(name: &str, prefixes: &[&str]) -> Self {
        Self {
            prefix: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            ..Self::field(name)
        }
    }

    fn mapped(name: &str, map: &[(&str, &str)], default: Option<&str>) -> Self {
        Self {
            map: map
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            default: default.map(str::to_owned),
            ..Self::field(name)
        }
    }
}

impl fmt::Display for Rule {
    /// How the rule reads in a message: `Labels`, `labels effort:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.field)?;
        if !self.prefix.is_empty() {
            let p: Vec<String> = self.prefix.iter().map(|p| format!("{p}…")).collect();
            write!(f, " {}", p.join(" / "))?;
        }
        Ok(())
    }
}

/// One or more rules for a key: written as a field name, a rule table, or a list
/// of either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Rules(pub Vec<Rule>);

impl<'de> Deserialize<'de> for Rules {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Rules;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name, a rule { field = …, prefix = …, map = …, default = … }, or a list of them")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Rules, E> {
                Ok(Rules(vec![Rule::field(s)]))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Rules, A::Error> {
                Rule::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|r| Rules(vec![r]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rules, A::Error> {
                let mut out = Vec::new();
                while let Some(OneRule(r)) = seq.next_element()? {
                    out.push(r);
                }
                Ok(Rules(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// One rule, as a field name or a table (an element of a list of rules).
struct OneRule(Rule);

impl<'de> Deserialize<'de> for OneRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneRule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a field name or a rule { field = …, prefix = …, map = …, default = … }",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OneRule, E> {
                Ok(OneRule(Rule::field(s)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneRule, A::Error> {
                Rule::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneRule)
            }
        }
        d.deserialize_any(V)
    }
}

/// `"x"` or `["x", "y"]`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<String>, E> {
            Ok(vec![s.to_owned()])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

/// A mapping with every default filled in: what the import actually uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub tracker: Tracker,
    pub source: String,
    pub title: String,
    pub description: String,
    pub created: String,
    pub status: String,
    pub closed: Vec<String>,
    pub date_formats: Vec<String>,
    pub effort: Vec<Rule>,
    pub kind: Vec<Rule>,
    pub impact: Vec<Rule>,
    pub team: Vec<Rule>,
    pub scores: BTreeMap<String, Vec<Rule>>,
    pub texts: bool,
    pub update: BTreeSet<Owned>,
}

/// Date formats of Jira's CSV export (`27/Nov/26 9:15 AM` by default) and of
/// common locale settings.
const DATE_FORMATS: &[&str] = &[
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %I:%M %p",
];

/// Labels that make a request's impact major (or say minor), for every tracker.
const IMPACT_LABELS: &[(&str, &str)] = &[
    ("major", "major"),
    ("impact:major", "major"),
    ("impact::major", "major"),
    ("impact/major", "major"),
    ("minor", "minor"),
    ("impact:minor", "minor"),
    ("impact::minor", "minor"),
    ("impact/minor", "minor"),
];

impl Mapping {
    /// The mapping with `tracker`'s defaults for everything left out.
    #[must_use]
    pub fn resolve(&self, tracker: Tracker) -> Resolved {
        let d = Defaults::of(tracker);
        let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
        let rules = |v: &Option<Rules>, d: Vec<Rule>| v.as_ref().map_or(d, |r| r.0.clone());
        Resolved {
            tracker,
            source: or(&self.source, d.source),
            title: or(&self.title, d.title),
            description: or(&self.description, d.description),
            created: or(&self.created, d.created),
            status: or(&self.status, d.status),
            closed: self
                .closed
                .clone()
                .unwrap_or_else(|| d.closed.iter().map(|s| (*s).to_owned()).collect()),
            date_formats: self
                .date_formats
                .clone()
                .unwrap_or_else(|| DATE_FORMATS.iter().map(|s| (*s).to_owned()).collect()),
            effort: rules(&self.effort, d.effort),
            kind: rules(&self.kind, d.kind),
            impact: rules(&self.impact, d.impact),
            team: rules(&self.team, Vec::new()),
            scores: self
                .scores
                .iter()
                .map(|(k, v)| (k.clone(), v.0.clone()))
                .collect(),
            texts: self.texts.unwrap_or(true),
            update: self.update.as_ref().map_or_else(
                || Owned::ALL.iter().copied().collect(),
                |u| u.iter().copied().collect(),
            ),
        }
    }
}

/// A tracker's defaults.
struct Defaults {
    source: &'static str,
    title: &'static str,
    description: &'static str,
    created: &'static str,
    status: &'static str,
    closed: &'static [&'static str],
    effort: Vec<Rule>,
    kind: Vec<Rule>,
    impact: Vec<Rule>,
}

impl Defaults {
    fn of(tracker: Tracker) -> Self {
        match tracker {
            Tracker::Jira => Self {
                source: "Issue key",
                title: "Summary",
                description: "Description",
                created: "Created",
                status: "Status",
                closed: &["Done", "Closed", "Resolved", "Won't Do", "Cancelled"],
                effort: vec![
                    Rule::field("Custom field (Story Points)"),
                    Rule::field("Custom field (Story point estimate)"),
                ],
                kind: vec![Rule::mapped(
                    "Issue Type",
                    &[
                        ("Bug", "bugfix"),
                        ("Story", "feature"),
                        ("New Feature", "feature"),
                        ("Improvement", "improvement"),
                        ("Task", "improvement"),
                    ],
                    None,
                )],
                impact: vec![Rule::mapped("Labels", IMPACT_LABELS, Some("minor"))],
            },
            Tracker::Github => Self {
                source: "url",
                title: "title",
                description: "body",
                created: "createdAt",
                status: "state",
                closed: &["closed"],
                effort: vec![Rule::prefixed(
                    "labels",
                    &["effort:", "effort/", "points:", "points/", "sp:"],
                )],
                kind: vec![Rule::mapped(
                    "labels",
                    &[
                        ("bug", "bugfix"),
                        ("enhancement", "feature"),
                        ("feature", "feature"),
                        ("improvement", "improvement"),
                    ],
                    Some("feature"),
                )],
                impact: vec![Rule::mapped("labels", IMPACT_LABELS, Some("minor"))],
            },
            Tracker::Gitlab => Self {
                source: "web_url",
                title: "title",
                description: "description",
                created: "created_at",
                status: "state",
                closed: &["closed"],
                effort: vec![
                    Rule::field("weight"),
                    Rule::prefixed("labels", &["effort::", "points::", "effort:", "points:"]),
                ],
                kind: vec![Rule::mapped(
                    "labels",
                    &[
                        ("bug", "bugfix"),
                        ("type::bug", "bugfix"),
                        ("enhancement", "feature"),
                        ("feature", "feature"),
                        ("type::feature", "feature"),
                        ("improvement", "improvement"),
                        ("type::improvement", "improvement"),
                    ],
                    Some("feature"),
                )],
                impact: vec![Rule::mapped("labels", IMPACT_LABELS, Some("minor"))],
            },
        }
    }
}

/// Problems with the `[import]` sections that serde cannot see, as `(key path,
/// message, hint)` like [`super::config::problems`].
#[must_use]
pub fn problems(config: &ImportConfig) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for tracker in [Tracker::Jira, Tracker::Github, Tracker::Gitlab] {
        let m = config.mapping(tracker).resolve(tracker);
        let t = tracker.as_str();
        let mut check = |key: &str, rules: &[Rule], what: &str, ok: &dyn Fn(&str) -> bool| {
            for r in rules {
                if r.field.trim().is_empty() {
                    out.push((
                        format!("import.{t}.{key}"),
                        format!("[import.{t}] {key}: a rule without a field"),
                        "name the field (CSV column or JSON key) to read, e.g. field = \"Labels\""
                            .to_owned(),
                    ));
                }
                for v in r.map.values().chain(&r.default) {
                    if !ok(v) {
                        out.push((
                            format!("import.{t}.{key}"),
                            format!("[import.{t}] {key}: `{v}` is not {what}"),
                            format!("map values and defaults of `{key}` must be {what}"),
                        ));
                    }
                }
            }
        };
        let number = |s: &str| parse_number(s).is_some();
        check(
            "kind",
            &m.kind,
            "a kind (feature, improvement, bugfix, hotfix)",
            &|s| s.parse::<Kind>().is_ok(),
        );
        check("impact", &m.impact, "an impact (major, minor)", &|s| {
            s.parse::<Impact>().is_ok()
        });
        check("effort", &m.effort, "a number above 0", &|s| {
            parse_number(s).is_some_and(|n| n > 0.0)
        });
        check("team", &m.team, "a team name", &|s| !s.trim().is_empty());
        for (name, rules) in &m.scores {
            check(&format!("scores.{name}"), rules, "a number", &number);
        }
        for f in &m.date_formats {
            let bad = chrono::format::StrftimeItems::new(f)
                .any(|i| matches!(i, chrono::format::Item::Error));
            if bad {
                out.push((
                    format!("import.{t}.date_formats"),
                    format!("[import.{t}] date_formats: `{f}` is not a chrono format"),
                    "write formats like \"%d/%b/%y %I:%M %p\" (see chrono's strftime docs)"
                        .to_owned(),
                ));
            }
        }
    }
    out
}

/// A number as trackers write it: `3`, `3.0`, `2,5`; finite only.
#[must_use]
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let n: f64 = s.parse().or_else(|_| s.replace(',', ".").parse()).ok()?;
    n.is_finite().then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Wrap {
        #[serde(default)]
        import: ImportConfig,
    }

    fn parse(src: &str) -> ImportConfig {
        toml::from_str::<Wrap>(src).expect("valid").import
    }

    #[test]
    fn empty_sections_resolve_to_the_trackers_defaults() {
        let c = parse("");
        let j = c.jira.resolve(Tracker::Jira);
        assert_eq!(j.source, "Issue key");
        assert_eq!(j.effort[0].field, "Custom field (Story Points)");
        assert_eq!(j.kind[0].map["Bug"], "bugfix");
        assert_eq!(j.update.len(), Owned::ALL.len());
        let g = c.github.resolve(Tracker::Github);
        assert_eq!(g.source, "url");
        assert_eq!(g.kind[0].default.as_deref(), Some("feature"));
        assert!(problems(&c).is_empty());
    }

    #[test]
    fn rules_are_a_name_a_table_or_a_list() {
        let c = parse(
            r#"
[import.jira]
effort = "Custom field (Points)"
kind = { field = "Issue Type", map = { Epic = "feature" } }
update = ["effort", "kind"]
scores.urgency = [{ field = "Priority", map = { High = "8" } }, "Custom field (Urgency)"]

[import.github]
effort = { field = "labels", prefix = "size/" }
"#,
        );
        let j = c.jira.resolve(Tracker::Jira);
        assert_eq!(j.effort, vec![Rule::field("Custom field (Points)")]);
        assert_eq!(j.kind[0].map.len(), 1);
        assert_eq!(
            j.update,
            [Owned::Effort, Owned::Kind]
                .into_iter()
                .collect::<BTreeSet<_>>()
        );
        assert_eq!(j.scores["urgency"].len(), 2);
        assert_eq!(j.scores["urgency"][1].field, "Custom field (Urgency)");
        let g = c.github.resolve(Tracker::Github);
        assert_eq!(g.effort[0].prefix, ["size/"]);
        assert!(problems(&c).is_empty());
    }

    #[test]
    fn bad_values_are_problems_or_errors() {
        let c = parse("[import.jira]\nkind = { field = \"Issue Type\", map = { Bug = \"bug\" } }\ndate_formats = [\"%Q\"]\n");
        let p = problems(&c);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].0, "import.jira.kind");
        assert!(p[0].1.contains("`bug` is not a kind"), "{}", p[0].1);
        assert_eq!(p[1].0, "import.jira.date_formats");
        assert!(toml::from_str::<Wrap>("[import.jira]\nupdate = [\"status\"]\n").is_err());
        assert!(
            toml::from_str::<Wrap>("[import.jira]\nkind = { field = \"x\", mapp = {} }\n").is_err()
        );
    }

    #[test]
    fn numbers_as_trackers_write_them() {
        assert_eq!(parse_number("3.0"), Some(3.0));
        assert_eq!(parse_number(" 2,5 "), Some(2.5));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("five"), None);
    }
}
