//! Release notes, changelog sections, customer e-mails and wiki pages — the pure
//! part: it turns a release and its requests into a [`Context`] (the data every
//! template sees), renders the minijinja templates (built in per language,
//! overridable per workspace) and splices a Keep a Changelog section into existing
//! changelog text. It never reads or writes files, talks to git or SMTP, or asks
//! the clock: `ops::notes` gathers the facts (dates from `model::facts`, the
//! override templates from the workspace) and hands them in.
//!
//! The texts follow the release's stage (planned for / on the test system since /
//! released on) and mark a release whose scope is not frozen as preliminary; the
//! context carries what the wording needs, the templates say it. German texts use
//! one term per thing: *Version* for the thing, *Veröffentlichung* for the event,
//! *Testumgebung*/*Testphase*, *Partnerabstimmung*, *Änderungen*.

pub mod agenda;
pub mod changelog;
pub mod render;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::config::Config;
use crate::model::lang;
use crate::model::{Impact, Kind, Partner, Release, Request, Stage, Status};

pub use render::{TemplateError, Templates};

/// The Keep a Changelog section a request kind goes into.
#[must_use]
pub fn section_of(kind: Kind) -> Section {
    match kind {
        Kind::Feature => Section::Added,
        Kind::Improvement => Section::Changed,
        Kind::Bugfix | Kind::Hotfix => Section::Fixed,
    }
}

/// A changelog section, in Keep a Changelog order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Added,
    Changed,
    Fixed,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Added, Section::Changed, Section::Fixed];

    /// The Keep a Changelog heading in English.
    #[must_use]
    pub fn heading(self) -> &'static str {
        match self {
            Section::Added => "Added",
            Section::Changed => "Changed",
            Section::Fixed => "Fixed",
        }
    }

    /// The heading in the language of `tag`: the words the German notes use
    /// (`Neu`, `Verbessert`, `Behoben`), English otherwise. Keep a Changelog
    /// parsers key on the `###` structure, not on the words.
    #[must_use]
    pub fn heading_in(self, tag: &str) -> &'static str {
        match (lang::primary(tag).as_str(), self) {
            ("de", Section::Added) => "Neu",
            ("de", Section::Changed) => "Verbessert",
            ("de", Section::Fixed) => "Behoben",
            _ => self.heading(),
        }
    }

    /// The key templates see (`added`, `changed`, `fixed`).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Section::Added => "added",
            Section::Changed => "changed",
            Section::Fixed => "fixed",
        }
    }
}

/// Which changes a rendering is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// The major changes (the customer e-mail).
    Customers,
    /// Everything that is not major (the wiki page).
    Wiki,
    /// Every change.
    #[default]
    All,
}

impl Audience {
    fn includes(self, impact: Impact) -> bool {
        match self {
            Audience::Customers => impact == Impact::Major,
            Audience::Wiki => impact != Impact::Major,
            Audience::All => true,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Customers => "customers",
            Audience::Wiki => "wiki",
            Audience::All => "all",
        }
    }
}

/// One change as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    pub kind: Kind,
    pub section: Section,
    pub impact: Impact,
    pub major: bool,
    /// The request's status (`open`, `accepted`, `done`, `rejected`).
    pub status: Status,
    pub title: String,
    /// The customer-facing text in the rendering's language (or the fallback).
    pub text: String,
    /// Whether `text` is in another language because this one is missing.
    pub fell_back: bool,
    /// Partner ids that asked for it.
    pub requested_by: Vec<String>,
    /// Whether the recipient of an e-mail asked for it (false outside e-mails).
    pub for_recipient: bool,
}

impl Item {
    /// The change `r` as templates see it, in the language `tag`.
    #[must_use]
    pub fn of(r: &Request, tag: &str) -> Self {
        let (text, fell_back) = text_in(r, tag);
        Item {
            id: r.id.to_string(),
            kind: r.kind,
            section: section_of(r.kind),
            impact: r.impact,
            major: r.impact == Impact::Major,
            status: r.status,
            title: r.title.clone(),
            text: text.trim().to_owned(),
            fell_back,
            requested_by: r.requested_by.iter().map(ToString::to_string).collect(),
            for_recipient: false,
        }
    }
}

/// The text of `r` in the language `tag` ([`lang::pick`]: the tag, its bare
/// language, another variant of it), and whether it fell back to another
/// language (or the title) because there is none.
#[must_use]
pub fn text_in<'r>(r: &'r Request, tag: &str) -> (&'r str, bool) {
    let filled: Vec<&String> = r
        .text
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(k, _)| k)
        .collect();
    if let Some(k) = lang::pick(filled.iter().copied(), tag) {
        return (&r.text[k], false);
    }
    match filled.first() {
        Some(k) => (&r.text[k.as_str()], true),
        None => (&r.title, true),
    }
}

/// The changes of one changelog section.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `added`, `changed` or `fixed`.
    pub key: &'static str,
    /// The Keep a Changelog heading (`Added`, …).
    pub heading: &'static str,
    pub items: Vec<Item>,
}

/// The release as templates see it. The wording of the built-in templates
/// follows `stage`: planned or in development → "planned for `date`"; test → "on
/// the test system since `test_since`, release on `date`"; production →
/// "released on `date`"; and `preliminary` adds a visible note.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseInfo {
    pub id: String,
    pub stage: Stage,
    /// A hotfix release (`2027.1.1`).
    pub hotfix: bool,
    /// The release a hotfix is based on (`2027.1`).
    pub base: Option<String>,
    /// Whether the scope is frozen (development or later, or marked so).
    pub frozen: bool,
    /// Whether the texts are preliminary: the scope is not frozen yet.
    pub preliminary: bool,
    /// `YYYY-MM-DD`: the release date (for a hotfix in production: the day it
    /// entered production), or none when it is not known.
    pub date: Option<String>,
    /// The date written out in the rendering's language (`12. Jänner 2027`).
    pub date_long: Option<String>,
    /// `YYYY-MM-DD`: since when it is on the test system (test stage and later).
    pub test_since: Option<String>,
    pub test_since_long: Option<String>,
}

/// The dates the texts need, as `model::facts` gives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dates {
    /// The release date (a hotfix in production: when it entered production).
    pub release: Option<NaiveDate>,
    /// When the release went onto the test system, if it did.
    pub test_since: Option<NaiveDate>,
}

impl ReleaseInfo {
    /// The release `r` with `dates`, dates written for `tag`.
    #[must_use]
    pub fn of(r: &Release, dates: Dates, tag: &str) -> Self {
        let iso = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        let long = |d: Option<NaiveDate>| d.map(|d| lang::long_date(d, tag));
        Self {
            id: r.id.to_string(),
            stage: r.stage,
            hotfix: r.id.is_hotfix(),
            base: r.id.is_hotfix().then(|| r.id.base().to_string()),
            frozen: r.is_frozen(),
            preliminary: !r.is_frozen(),
            date: iso(dates.release),
            date_long: long(dates.release),
            test_since: iso(dates.test_since),
            test_since_long: long(dates.test_since),
        }
    }
}

/// The recipient of an e-mail, when rendering one.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    /// Partner id, or none for a per-language message.
    pub id: Option<String>,
    /// The full name (with the legal form).
    pub name: Option<String>,
    /// The short name without the legal form (`short_name`, else `name`).
    pub short_name: Option<String>,
    /// The partner's own salutation (`salutation` in partners.toml), if any;
    /// the built-in templates greet formally otherwise.
    pub salutation: Option<String>,
    pub email: String,
}

/// The product as texts name it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Product {
    /// `workspace.name`: headings, subjects (`Partnerportal 2027.1`).
    pub name: String,
    /// Running text, with the article the language needs (`das Partnerportal`).
    pub in_text: String,
}

impl Product {
    /// The product of `config` as texts in `tag` name it.
    #[must_use]
    pub fn of(config: &Config, tag: &str) -> Self {
        let name = config.workspace.name.clone();
        let in_text = match lang::pick(config.workspace.article.keys(), tag) {
            Some(k) => format!("{} {name}", config.workspace.article[k].trim()),
            None => name.clone(),
        };
        Self { name, in_text }
    }
}

/// What the texts carry besides the changes: the wiki link and the signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// `[announce] wiki_url` for this release and the wiki page's language.
    pub wiki_url: Option<String>,
    /// `[announce] signature` of this language, as lines.
    pub signature: Vec<String>,
}

impl Extras {
    /// The extras of `config` for release `id` in `tag`.
    #[must_use]
    pub fn of(config: &Config, id: &str, tag: &str) -> Self {
        let a = &config.announce;
        Self {
            // The wiki pages are written per workspace language: `{lang}` is
            // the one that serves `tag` (`de` for a partner in `de-AT`).
            wiki_url: a.wiki_url.as_deref().map(|u| {
                let page = lang::pick(config.workspace.languages.iter(), tag).unwrap_or(tag);
                u.replace("{release}", id).replace("{lang}", page)
            }),
            signature: lang::pick(a.signature.keys(), tag)
                .map(|k| {
                    a.signature[k]
                        .trim_end()
                        .lines()
                        .map(|l| l.trim_end().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Everything a template sees. `zyklus notes --context` prints it as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The product name (`workspace.name`), for headings and subjects.
    pub product: String,
    /// The product in running text, with its article where the language needs
    /// one (`[workspace] article`): `das Partnerportal`.
    pub product_in_text: String,
    /// The language tag (`de-AT`).
    pub lang: String,
    /// Its primary language (`de`), which picks the built-in template.
    pub language: String,
    pub audience: Audience,
    pub release: ReleaseInfo,
    /// Non-empty sections in Keep a Changelog order; major changes first in each.
    pub sections: Vec<Group>,
    /// The major changes of this audience, in section order.
    pub major: Vec<Item>,
    /// The other changes of this audience, in section order.
    pub minor: Vec<Item>,
    /// Number of changes in `sections`.
    pub count: usize,
    /// Whether customers get an e-mail for this release: it has major changes
    /// (whatever this rendering's audience).
    pub customer_email: bool,
    /// The release's wiki page (`[announce] wiki_url`), if configured.
    pub wiki_url: Option<String>,
    /// The signature block of this language (`[announce] signature`), as lines.
    pub signature: Vec<String>,
    /// Request ids whose text fell back to another language.
    pub fallbacks: Vec<String>,
    /// Request ids of the scope that are not accepted yet (`open`, `rejected`).
    pub not_accepted: Vec<String>,
    pub recipient: Option<Recipient>,
}

/// What [`Context::build`] needs.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub product: Product,
    pub release: &'a Release,
    /// The requests of the scope, in any order.
    pub requests: &'a [&'a Request],
    pub dates: Dates,
    /// The language tag of the rendering.
    pub lang: &'a str,
    pub audience: Audience,
    pub extras: Extras,
}

/// Sorts items in changelog order: by section, major first, then by id.
fn sort_items(items: &mut [Item]) {
    items.sort_by(|a, b| (a.section, !a.major, &a.id).cmp(&(b.section, !b.major, &b.id)));
}

impl Context {
    /// Builds the context of a release in a language for an audience.
    #[must_use]
    pub fn build(input: Input<'_>) -> Self {
        let Input {
            product,
            release,
            requests,
            dates,
            lang,
            audience,
            extras,
        } = input;
        let mut items: Vec<Item> = requests
            .iter()
            .filter(|r| audience.includes(r.impact))
            .map(|r| Item::of(r, lang))
            .collect();
        sort_items(&mut items);
        let sections: Vec<Group> = Section::ALL
            .iter()
            .map(|s| Group {
                key: s.key(),
                heading: s.heading(),
                items: items.iter().filter(|i| i.section == *s).cloned().collect(),
            })
            .filter(|g| !g.items.is_empty())
            .collect();
        let fallbacks = items
            .iter()
            .filter(|i| i.fell_back)
            .map(|i| i.id.clone())
            .collect();
        let mut not_accepted: Vec<String> = requests
            .iter()
            .filter(|r| matches!(r.status, Status::Open | Status::Rejected))
            .map(|r| r.id.to_string())
            .collect();
        not_accepted.sort();
        let (major, minor): (Vec<Item>, Vec<Item>) = items.iter().cloned().partition(|i| i.major);
        Self {
            product: product.name,
            product_in_text: product.in_text,
            lang: lang.to_owned(),
            language: lang::primary(lang),
            audience,
            release: ReleaseInfo::of(release, dates, lang),
            count: items.len(),
            sections,
            major,
            minor,
            customer_email: requests.iter().any(|r| r.impact == Impact::Major),
            wiki_url: extras.wiki_url,
            signature: extras.signature,
            fallbacks,
            not_accepted,
            recipient: None,
        }
    }

    /// The same context addressed to one recipient: marks the changes the
    /// partner asked for.
    #[must_use]
    pub fn for_recipient(mut self, partner: Option<&Partner>, email: &str) -> Self {
        if let Some(p) = partner {
            let mark = |items: &mut Vec<Item>| {
                for i in items {
                    i.for_recipient = i.requested_by.contains(&p.id);
                }
            };
            for g in &mut self.sections {
                mark(&mut g.items);
            }
            mark(&mut self.major);
            mark(&mut self.minor);
        }
        self.recipient = Some(Recipient {
            id: partner.map(|p| p.id.clone()),
            name: partner.map(|p| p.name.clone()),
            short_name: partner.map(|p| p.short().to_owned()),
            salutation: partner.and_then(|p| p.salutation.clone()),
            email: email.to_owned(),
        });
        self
    }
}

/// What a correction e-mail (`announce --resend-changed`) sees: the context of
/// the announcement as it would be written now, and what changed in the scope
/// since the recipient's last e-mail.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionContext {
    #[serde(flatten)]
    pub context: Context,
    /// Changes in the scope now that the last e-mail did not cover.
    pub added: Vec<Item>,
    /// Changes the last e-mail covered that are no longer in the scope.
    pub removed: Vec<Item>,
    /// When the last e-mail went out, `YYYY-MM-DD` and written out.
    pub announced_on: String,
    pub announced_on_long: String,
}

impl CorrectionContext {
    /// The correction of `context` (addressed to its recipient) for the changes
    /// `added` and `removed` since the e-mail of `announced_on`.
    #[must_use]
    pub fn build(
        context: Context,
        added: &[&Request],
        removed: &[&Request],
        announced_on: NaiveDate,
    ) -> Self {
        let tag = context.lang.clone();
        let items = |rs: &[&Request]| {
            let mut v: Vec<Item> = rs.iter().map(|r| Item::of(r, &tag)).collect();
            sort_items(&mut v);
            v
        };
        Self {
            added: items(added),
            removed: items(removed),
            announced_on: announced_on.format("%Y-%m-%d").to_string(),
            announced_on_long: lang::long_date(announced_on, &tag),
            context,
        }
    }
}

/// A date written out in the language `tag` (see [`lang::long_date`]).
#[must_use]
pub fn long_date(d: NaiveDate, tag: &str) -> String {
    lang::long_date(d, tag)
}

/// The placeholders of `[announce] wiki_url`.
pub const WIKI_PLACEHOLDERS: [&str; 2] = ["release", "lang"];

/// Problems of the configuration the texts use, as `(key path, message, hint)`:
/// `[workspace] article`, `[announce] wiki_url` and `signature`, `[smtp]
/// from_name`. Pure; `validate` calls it.
#[must_use]
pub fn config_problems(config: &Config) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let quoted = |k: &str| format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""));
    let one_line = |s: &str| !s.trim().is_empty() && !s.chars().any(char::is_control);
    for (k, v) in &config.workspace.article {
        let key = format!("workspace.article.{}", quoted(k));
        if let Err(e) = lang::check(k) {
            out.push((
                key,
                e,
                "key the article by a language tag, e.g. article = { de = \"das\" }".into(),
            ));
        } else if !one_line(v) {
            out.push((
                key,
                format!(
                    "the article for `{k}` is empty or holds a line break or control character"
                ),
                "e.g. article = { de = \"das\" }".into(),
            ));
        }
    }
    if let Some(url) = &config.announce.wiki_url {
        if let Err(e) = check_wiki_url(url) {
            out.push((
                "announce.wiki_url".into(),
                e,
                "e.g. wiki_url = \"https://wiki.example.com/releases/{release}\" ({release} and {lang} are filled in)".into(),
            ));
        }
    }
    for (k, v) in &config.announce.signature {
        let key = format!("announce.signature.{}", quoted(k));
        if let Err(e) = lang::check(k) {
            out.push((
                key,
                e,
                "key the signature by a language tag, e.g. signature.de = \"…\"".into(),
            ));
        } else if v.trim().is_empty()
            || v.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            out.push((
                key,
                format!("the signature for `{k}` is empty or holds a control character"),
                "write the lines of the signature block in a multi-line string (\"\"\"…\"\"\")"
                    .into(),
            ));
        }
    }
    if let Some(name) = config.smtp.as_ref().and_then(|s| s.from_name.as_ref()) {
        if !one_line(name) || name.contains(['<', '>', '"']) {
            out.push((
                "smtp.from_name".into(),
                format!("from_name `{}` must be one line without control characters, quotes or angle brackets", name.escape_debug()),
                "e.g. from_name = \"Partnerportal\"".into(),
            ));
        }
    }
    out
}

/// Checks that every `{name}` in a URL template is one of `allowed` and that
/// every `{` is closed.
///
/// # Errors
/// A sentence naming the placeholder that is not allowed, or the unclosed `{`.
pub(crate) fn check_placeholders(template: &str, allowed: &[&str]) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{template}` has a `{{` without `}}`"))?;
        let name = &after[..close];
        if !allowed.contains(&name) {
            return Err(format!(
                "`{{{name}}}` in `{template}` is not one of {}",
                allowed
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Checks `[announce] wiki_url`: an http(s) URL once `{release}` and `{lang}`
/// are filled in, with no other placeholder.
///
/// # Errors
/// A sentence saying what is wrong.
pub fn check_wiki_url(template: &str) -> Result<(), String> {
    check_placeholders(template, &WIKI_PLACEHOLDERS)?;
    crate::ics::check_url(
        &template
            .replace("{release}", "2027.1")
            .replace("{lang}", "de"),
    )
}
