//! Partners (customers served through agencies) and their commitments:
//! `partners.toml`, optional.

use serde::{Deserialize, Serialize};

use super::dates::Date;

/// A partner as written in `partners.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub trainings_booked: u32,
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
