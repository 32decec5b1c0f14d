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
            TemplateError {
                template,
                line: e.line(),
                message,
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
