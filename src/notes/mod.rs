//! Release notes, changelog sections, customer e-mails and wiki pages — the pure
//! part: it turns a release and its requests into a [`Context`] (the data every
//! template sees), renders the minijinja templates (built in per language,
//! overridable per workspace) and splices a Keep a Changelog section into existing
//! changelog text. It never reads or writes files, talks to git or SMTP, or asks
//! the clock: the CLI loads the workspace and the override templates, passes `now`
//! in, and writes what comes out.

pub mod agenda;
pub mod changelog;
pub mod render;

use serde::Serialize;

use crate::model::{Impact, Kind, Partner, Release, Request};

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

    /// The Keep a Changelog heading (always English: parsers rely on it).
    #[must_use]
    pub fn heading(self) -> &'static str {
        match self {
            Section::Added => "Added",
            Section::Changed => "Changed",
            Section::Fixed => "Fixed",
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

/// The changes of one changelog section.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `added`, `changed` or `fixed`.
    pub key: &'static str,
    /// The Keep a Changelog heading (`Added`, …).
    pub heading: &'static str,
    pub items: Vec<Item>,
}

/// The release as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseInfo {
    pub id: String,
    pub stage: String,
    /// `YYYY-MM-DD`, or none when the release date is not known.
    pub date: Option<String>,
    /// The date written out in the rendering's language (`12. Januar 2027`).
    pub date_long: Option<String>,
}

/// The recipient of an e-mail, when rendering one.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    /// Partner id, or none for a per-language message.
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: String,
}

/// Everything a template sees. `zyklus notes --context` prints it as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The product name (`workspace.name`).
    pub product: String,
    pub lang: String,
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
    /// Request ids whose text fell back to another language.
    pub fallbacks: Vec<String>,
    pub recipient: Option<Recipient>,
}

impl Context {
    /// Builds the context for `release` in `lang`. `requests` are the requests of
    /// the scope (in any order); `date` is the release date if known.
    #[must_use]
    pub fn build(
        product: &str,
        release: &Release,
        requests: &[&Request],
        date: Option<chrono::NaiveDate>,
        lang: &str,
        audience: Audience,
    ) -> Self {
        let mut items: Vec<Item> = requests
            .iter()
            .filter(|r| audience.includes(r.impact))
            .map(|r| {
                let (text, fell_back) = r.text_in(lang);
                Item {
                    id: r.id.to_string(),
                    kind: r.kind,
                    section: section_of(r.kind),
                    impact: r.impact,
                    major: r.impact == Impact::Major,
                    title: r.title.clone(),
                    text: text.trim().to_owned(),
                    fell_back,
                    requested_by: r.requested_by.iter().map(ToString::to_string).collect(),
                    for_recipient: false,
                }
            })
            .collect();
        items.sort_by(|a, b| (a.section, !a.major, &a.id).cmp(&(b.section, !b.major, &b.id)));
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
        let (major, minor): (Vec<Item>, Vec<Item>) = items.iter().cloned().partition(|i| i.major);
        Self {
            product: product.to_owned(),
            lang: lang.to_owned(),
            audience,
            release: ReleaseInfo {
                id: release.id.to_string(),
                stage: release.stage.to_string(),
                date: date.map(|d| d.format("%Y-%m-%d").to_string()),
                date_long: date.map(|d| long_date(d, lang)),
            },
            count: items.len(),
            sections,
            major,
            minor,
            fallbacks,
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
            email: email.to_owned(),
        });
        self
    }
}

/// `12. Januar 2027` / `12 January 2027`; ISO for languages without month names.
#[must_use]
pub fn long_date(d: chrono::NaiveDate, lang: &str) -> String {
    use chrono::Datelike;
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = d.month0() as usize;
    match lang {
        "de" => format!("{}. {} {}", d.day(), DE[m], d.year()),
        "en" => format!("{} {} {}", d.day(), EN[m], d.year()),
        _ => d.format("%Y-%m-%d").to_string(),
    }
}
