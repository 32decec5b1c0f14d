//! The minijinja templates: the built-in ones (German and English, compiled in
//! with `include_str!`) and a workspace's overrides from `templates/`, which the
//! CLI reads and hands in as strings. Rendering is strict — an undefined variable
//! is an error, not an empty string — and fuel-limited, so a broken override
//! cannot loop forever. Errors name the template file and line.

use std::collections::BTreeMap;
use std::fmt;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// Instructions a single rendering may execute before it is stopped.
pub const FUEL: u64 = 500_000;

/// The built-in templates, by file name.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "notes.de.md.jinja",
        include_str!("templates/notes.de.md.jinja"),
    ),
    (
        "notes.en.md.jinja",
        include_str!("templates/notes.en.md.jinja"),
    ),
    (
        "notes.de.html.jinja",
        include_str!("templates/notes.de.html.jinja"),
    ),
    (
        "notes.en.html.jinja",
        include_str!("templates/notes.en.html.jinja"),
    ),
    (
        "mail.de.subject.jinja",
        include_str!("templates/mail.de.subject.jinja"),
    ),
    (
        "mail.en.subject.jinja",
        include_str!("templates/mail.en.subject.jinja"),
    ),
    (
        "mail.de.txt.jinja",
        include_str!("templates/mail.de.txt.jinja"),
    ),
    (
        "mail.en.txt.jinja",
        include_str!("templates/mail.en.txt.jinja"),
    ),
    (
        "mail.de.html.jinja",
        include_str!("templates/mail.de.html.jinja"),
    ),
    (
        "mail.en.html.jinja",
        include_str!("templates/mail.en.html.jinja"),
    ),
    (
        "wiki.de.md.jinja",
        include_str!("templates/wiki.de.md.jinja"),
    ),
    (
        "wiki.en.md.jinja",
        include_str!("templates/wiki.en.md.jinja"),
    ),
    (
        "correction.de.subject.jinja",
        include_str!("templates/correction.de.subject.jinja"),
    ),
    (
        "correction.en.subject.jinja",
        include_str!("templates/correction.en.subject.jinja"),
    ),
    (
        "correction.de.txt.jinja",
        include_str!("templates/correction.de.txt.jinja"),
    ),
    (
        "correction.en.txt.jinja",
        include_str!("templates/correction.en.txt.jinja"),
    ),
    (
        "correction.de.html.jinja",
        include_str!("templates/correction.de.html.jinja"),
    ),
    (
        "correction.en.html.jinja",
        include_str!("templates/correction.en.html.jinja"),
    ),
    (
        "agenda.de.md.jinja",
        include_str!("templates/agenda.de.md.jinja"),
    ),
    (
        "agenda.en.md.jinja",
        include_str!("templates/agenda.en.md.jinja"),
    ),
];

/// The directory of a workspace that holds template overrides.
pub const OVERRIDE_DIR: &str = "templates";

/// A template that failed to load or render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    /// Where the template comes from: `templates/notes.de.md.jinja` or
    /// `notes.de.md.jinja (built in)`.
    pub template: String,
    pub line: Option<usize>,
    pub message: String,
    /// The template does not exist at all (neither built in nor overridden).
    pub missing: bool,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "template {}:{l}: {}", self.template, self.message),
            None => write!(f, "template {}: {}", self.template, self.message),
        }
    }
}

/// The templates of one workspace: the built-in ones, with overrides on top.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    /// File name → source of the workspace's overrides.
    overrides: BTreeMap<String, String>,
}

impl Templates {
    /// Built-in templates only.
    #[must_use]
    pub fn built_in() -> Self {
        Self::default()
    }

    /// Built-in templates with `overrides` (file name in `templates/` → source).
    #[must_use]
    pub fn with_overrides(overrides: BTreeMap<String, String>) -> Self {
        Self { overrides }
    }

    /// Whether a template of this name exists (built in or overridden).
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.overrides.contains_key(name) || BUILT_IN.iter().any(|(n, _)| *n == name)
    }

    /// The template of a kind of document in the language `tag` and a format:
    /// a workspace's `templates/<kind>.<tag>.<ext>.jinja` for exactly that tag
    /// (`notes.de-AT.md.jinja`), else the one of its language
    /// (`notes.de.md.jinja`, overridden or built in). The name of the latter when
    /// neither exists, for the error.
    #[must_use]
    pub fn name_for(&self, kind: &str, tag: &str, ext: &str) -> String {
        let exact = name(kind, tag, ext);
        if self.overrides.contains_key(&exact) {
            return exact;
        }
        name(kind, &crate::model::lang::primary(tag), ext)
    }

    /// Where the template of this name comes from, for messages.
    #[must_use]
    pub fn origin(&self, name: &str) -> String {
        if self.overrides.contains_key(name) {
            format!("{OVERRIDE_DIR}/{name}")
        } else {
            format!("{name} (built in)")
        }
    }

    fn source(&self, name: &str) -> Option<String> {
        self.overrides.get(name).cloned().or_else(|| {
            BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| (*s).to_owned())
        })
    }

    fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        // In Markdown a line break inside a text could start a heading, a list or
        // a table row of its own: every value a Markdown template prints is one
        // line (line breaks become spaces). HTML and e-mails keep them.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(text) if state.name().ends_with(".md.jinja") && text.contains(['\n', '\r']) => {
                let line = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                minijinja::escape_formatter(out, state, &minijinja::Value::from(line))
            }
            _ => minijinja::escape_formatter(out, state, value),
        });
        let me = self.clone();
        env.set_loader(move |name| Ok(me.source(name)));
        env
    }

    /// Renders the template `name` with `ctx`.
    ///
    /// # Errors
    /// When there is no such template, or it does not parse or render; the error
    /// names the template file and line.
    pub fn render<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String, TemplateError> {
        if !self.has(name) {
            return Err(TemplateError {
                template: format!("{OVERRIDE_DIR}/{name}"),
                line: None,
                message: "there is no such template (built in are only German and English)".into(),
                missing: true,
            });
        }
        let env = self.environment();
        let located = |e: &minijinja::Error| {
            let template = e
                .name()
                .map_or_else(|| self.origin(name), |n| self.origin(n));
            let mut message = e.kind().to_string();
            if let Some(d) = e.detail() {
                message = format!("{message}: {d}");
            }
            let source = self.source(e.name().unwrap_or(name)).unwrap_or_default();
            let at = e
                .range()
                .and_then(|r| source.get(r))
                .filter(|s| !s.trim().is_empty() && s.len() <= 80 && !s.contains('\n'))
                .or_else(|| {
                    e.line()
                        .and_then(|l| source.lines().nth(l.saturating_sub(1)))
                        .map(str::trim)
                        .filter(|s| !s.is_empty() && s.len() <= 120)
                });
            if let Some(at) = at {
                message = format!("{message} at `{at}`");
            }
            if e.kind() == minijinja::ErrorKind::OutOfFuel {
                message
                    .push_str(" (the template does too much work: an endless or very large loop?)");
            }
            TemplateError {
                template,
                line: e.line(),
                message,
                missing: false,
            }
        };
        let tmpl = env.get_template(name).map_err(|e| located(&e))?;
        tmpl.render(minijinja::Value::from_serialize(ctx))
            .map_err(|e| located(&e))
    }
}

/// The template file name for a kind of document in a language and format:
/// `notes.de.md.jinja`.
#[must_use]
pub fn name(kind: &str, lang: &str, ext: &str) -> String {
    format!("{kind}.{lang}.{ext}.jinja")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Id, Impact, Kind, Partner, Release, Request, Stage, Status};
    use crate::notes::{Audience, Context, CorrectionContext, Dates, Extras, Input, Product};

    fn input<'a>(
        release: &'a Release,
        refs: &'a [&'a Request],
        date: Option<chrono::NaiveDate>,
        lang: &'a str,
        audience: Audience,
    ) -> Input<'a> {
        Input {
            product: Product {
                name: "Portal".into(),
                in_text: if lang.starts_with("de") {
                    "das Portal".into()
                } else {
                    "Portal".into()
                },
            },
            release,
            requests: refs,
            dates: Dates {
                release: date,
                test_since: date.and_then(|d| d.checked_sub_days(chrono::Days::new(21))),
            },
            lang,
            audience,
            extras: Extras {
                wiki_url: date.map(|_| "https://wiki.example/2027.1".to_owned()),
                signature: vec!["Anna Berger".into(), "ACME GmbH".into()],
            },
        }
    }

    fn request(id: &str, kind: Kind, impact: Impact) -> Request {
        Request {
            title: format!("Title of {id}"),
            kind,
            impact,
            requested_by: vec![Id::parse("acme").expect("id")],
            text: BTreeMap::from([
                ("de".into(), format!("Text <{id}> für & mit Ümläuten")),
                ("en".into(), format!("Text <{id}> in English")),
            ]),
            ..Request::for_test(id, Status::Done, 1)
        }
    }

    /// Every built-in template renders in strict mode, in every stage, with and
    /// without a date, with and without a recipient, for every audience.
    #[test]
    fn every_built_in_template_renders() {
        let reqs = [
            request("CR-1", Kind::Feature, Impact::Major),
            request("CR-2", Kind::Improvement, Impact::Minor),
            request("CR-3", Kind::Hotfix, Impact::Minor),
        ];
        let refs: Vec<&Request> = reqs.iter().collect();
        let partner = Partner {
            id: "acme".into(),
            name: "ACME & Söhne".into(),
            short_name: Some("ACME".into()),
            language: Some("de".into()),
            email: Some("it@acme.example".into()),
            salutation: Some("Sehr geehrte Frau Berger,".into()),
            trainings_booked: 0,
        };
        let t = Templates::built_in();
        for id in ["2027.1", "2027.1.1"] {
            for stage in [
                Stage::Planned,
                Stage::Development,
                Stage::Test,
                Stage::Production,
                Stage::Cancelled,
            ] {
                let mut release = Release::new(id.parse().expect("release id"));
                release.stage = stage;
                for (name, _) in BUILT_IN.iter().filter(|(n, _)| !n.starts_with("agenda.")) {
                    let lang = name.split('.').nth(1).expect("lang");
                    for date in [None, chrono::NaiveDate::from_ymd_opt(2027, 1, 12)] {
                        for audience in [Audience::All, Audience::Customers, Audience::Wiki] {
                            let ctx = Context::build(input(&release, &refs, date, lang, audience));
                            if name.starts_with("correction.") {
                                let c = CorrectionContext::build(
                                    ctx.for_recipient(Some(&partner), "it@acme.example"),
                                    &refs[..1],
                                    &refs[1..],
                                    chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("day"),
                                );
                                t.render(name, &c).expect("renders a correction");
                                continue;
                            }
                            let out = t.render(name, &ctx).expect("renders");
                            assert!(!out.trim().is_empty(), "{name}");
                            let ctx = ctx.for_recipient(Some(&partner), "it@acme.example");
                            t.render(name, &ctx).expect("renders for a recipient");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn templates_follow_the_language_tag() {
        let t = Templates::with_overrides(BTreeMap::from([(
            "notes.de-AT.md.jinja".to_owned(),
            "AT".to_owned(),
        )]));
        assert_eq!(t.name_for("notes", "de-AT", "md"), "notes.de-AT.md.jinja");
        assert_eq!(t.name_for("notes", "de-DE", "md"), "notes.de.md.jinja");
        assert_eq!(t.name_for("mail", "en-GB", "txt"), "mail.en.txt.jinja");
        assert_eq!(t.name_for("notes", "fr-CA", "md"), "notes.fr.md.jinja");
    }

    #[test]
    fn agenda_templates_render_with_and_without_call_and_findings() {
        use crate::model::calendar::CoordinationCall;
        use crate::model::dates::Timestamp;
        use crate::model::{Finding, Partners, Severity};
        use crate::notes::agenda::{self, AgendaContext};
        let mut release = Release::new("2027.1".parse().expect("release id"));
        let reqs = [
            request("CR-1", Kind::Feature, Impact::Major),
            request("CR-2", Kind::Bugfix, Impact::Minor),
        ];
        let refs: Vec<&Request> = reqs.iter().collect();
        let t = Templates::built_in();
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 12);
        for lang in ["de", "en"] {
            let empty = AgendaContext::build(
                input(&release, &[], None, lang, Audience::All),
                &Partners::default(),
                None,
                None,
            );
            t.render(&name("agenda", lang, "md"), &empty)
                .expect("empty agenda");
        }
        release.findings.push(Finding {
            number: 1,
            severity: Severity::Blocker,
            text: "Broken | pipe".into(),
            raised_at: Timestamp(
                chrono::DateTime::parse_from_rfc3339("2026-12-22T10:00:00+01:00").expect("ts"),
            ),
            resolved_at: None,
            request: Some("CR-1".into()),
        });
        let start = chrono::DateTime::parse_from_rfc3339("2027-01-05T10:00:00+01:00").expect("ts");
        let c = CoordinationCall {
            release: "2027.1".parse().expect("id"),
            date: chrono::NaiveDate::from_ymd_opt(2027, 1, 5).expect("day"),
            time: "10:00".into(),
            timezone: "Europe/Vienna".into(),
            start,
            end: start + chrono::Duration::minutes(60),
            duration_minutes: 60,
            url: None,
            languages: Vec::new(),
        };
        for (lang, when) in [
            (
                "de-AT",
                "Termin: Dienstag, 5. Jänner 2027, 10:00–11:00 CET (Wien)",
            ),
            (
                "en",
                "When: Tuesday, 5 January 2027, 10:00–11:00 CET (Vienna)",
            ),
        ] {
            let ctx = AgendaContext::build(
                input(&release, &refs, day, lang, Audience::All),
                &Partners::default(),
                None,
                Some(agenda::call(&c, lang)),
            );
            let out = t
                .render(&t.name_for("agenda", lang, "md"), &ctx)
                .expect("agenda");
            assert!(out.contains("Broken | pipe"), "{out}");
            assert!(out.contains("Text <CR-1>"), "{out}");
            assert!(out.contains(when), "{out}");
            assert_eq!(ctx.blockers, 1);
        }
    }

    #[test]
    fn markdown_values_are_one_line() {
        let t = Templates::with_overrides(BTreeMap::from([(
            "x.md.jinja".to_owned(),
            "- {{ text }}\n".to_owned(),
        )]));
        let md = t
            .render(
                "x.md.jinja",
                &serde_json::json!({"text": "a\r\n## Forged\n\n| x |"}),
            )
            .expect("md");
        assert_eq!(md, "- a ## Forged | x |\n");
    }

    #[test]
    fn html_is_escaped_markdown_is_not() {
        let release = Release::new("2027.1".parse().expect("release id"));
        let reqs = [request("CR-1", Kind::Feature, Impact::Major)];
        let refs: Vec<&Request> = reqs.iter().collect();
        let ctx = Context::build(input(&release, &refs, None, "en", Audience::All));
        let t = Templates::built_in();
        let html = t.render("notes.en.html.jinja", &ctx).expect("html");
        assert!(html.contains("Text &lt;CR-1&gt; in English"), "{html}");
        let md = t.render("notes.en.md.jinja", &ctx).expect("md");
        assert!(md.contains("Text <CR-1> in English"), "{md}");
    }

    #[test]
    fn override_errors_name_file_and_line() {
        let t = Templates::with_overrides(BTreeMap::from([(
            "notes.en.md.jinja".to_owned(),
            "a\nb\n{{ missing }}\n".to_owned(),
        )]));
        let e = t
            .render("notes.en.md.jinja", &serde_json::json!({}))
            .expect_err("undefined");
        assert_eq!(e.template, "templates/notes.en.md.jinja");
        assert_eq!(e.line, Some(3));
        assert!(e
            .to_string()
            .starts_with("template templates/notes.en.md.jinja:3: undefined value"));
        let e = t
            .render("notes.fr.md.jinja", &serde_json::json!({}))
            .expect_err("missing");
        assert!(e.message.contains("no such template"));
    }
}
