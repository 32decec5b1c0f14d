//! Partners (customers served through agencies) and their commitments:
//! `partners.toml`, optional.

use serde::{Deserialize, Serialize};

use super::dates::Date;

/// A partner as written in `partners.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub id: String,
    /// The full name, with the legal form (`Kaiserblau Werbeagentur OG`).
    pub name: String,
    /// A short name without the legal form (`Kaiserblau`), for running text and
    /// tables; defaults to `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// Language tag (BCP 47) of the partner's e-mails: `de-AT`, `en-GB`, …
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The salutation of the partner's e-mails (`Sehr geehrte Frau Berger,`);
    /// defaults to the formal one of the language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
    #[serde(default)]
    pub trainings_booked: u32,
}

impl Partner {
    /// The short name, else the full name.
    #[must_use]
    pub fn short(&self) -> &str {
        self.short_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&self.name)
    }

    /// Problems of the text fields that go into e-mails, as `(key, message,
    /// hint)`: a language that is no language tag, a short name or salutation
    /// that is empty or holds a line break or control character.
    #[must_use]
    pub fn field_problems(&self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        if let Some(l) = &self.language {
            if let Err(e) = super::lang::check(l) {
                out.push((
                    "language",
                    e,
                    "write a language tag such as \"de\", \"de-AT\" or \"en-GB\"".to_owned(),
                ));
            }
        }
        for (key, v) in [
            ("short_name", &self.short_name),
            ("salutation", &self.salutation),
        ] {
            if let Some(v) = v {
                if v.trim().is_empty() || v.chars().any(char::is_control) {
                    out.push((
                        key,
                        format!("{key} of partner `{}` is empty or holds a line break or control character", self.id),
                        format!("write {key} on one line, e.g. {}", if key == "salutation" { "salutation = \"Sehr geehrte Frau Berger,\"" } else { "short_name = \"Kaiserblau\"" }),
                    ));
                }
            }
        }
        out
    }
}

/// A set of requests a partner needs: worth `weight` only when all of them ship
/// (by `by`, if given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    pub partner: String,
    pub requests: Vec<String>,
    pub weight: f64,
    #[serde(default)]
    pub by: Option<Date>,
}

/// The contents of `partners.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Partners {
    #[serde(default, rename = "partner")]
    pub partners: Vec<Partner>,
    #[serde(default, rename = "commitment")]
    pub commitments: Vec<Commitment>,
}

impl Partners {
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.id == id)
    }
}
