//! `training add|list`: partner trainings, one `[[training]]` per session in
//! `trainings/<YEAR>.toml`. `add` refuses a session past the partner's booked quota
//! unless it is `extra` (agreed separately).

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use toml_edit::{value, Table};

use crate::error::refused;
use crate::model::dates::Date;
use crate::model::{Mode, Partner, Partners, Quota, Training};
use crate::workspace::{edit, Transaction, Workspace, TRAININGS_DIR};

fn known_partner<'a>(partners: &'a Partners, id: &str) -> Result<&'a Partner> {
    partners.get(id).ok_or_else(|| {
        let ids: Vec<&str> = partners.partners.iter().map(|p| p.id.as_str()).collect();
        refused(
            format!("no partner `{id}` in partners.toml"),
            if ids.is_empty() {
                "add the partner to partners.toml first".to_owned()
            } else {
                format!("use one of: {}", ids.join(", "))
            },
        )
    })
}

/// A training to record.
#[derive(Debug, Clone)]
pub struct NewTraining {
    pub partner: String,
    pub date: NaiveDate,
    pub mode: Mode,
    pub topic: Option<String>,
    /// Agreed separately: outside the booked quota.
    pub extra: bool,
}

/// What `training add` recorded.
#[derive(Debug, Serialize)]
pub struct Added {
    pub file: String,
    pub training: Training,
    /// The partner's quota for the year, including this session.
    pub quota: Quota,
}

/// Records a training in `trainings/<YEAR>.toml` (created when missing).
///
/// # Errors
/// An unknown partner, an empty topic, or a used-up quota without `extra`.
pub fn add(tx: &mut Transaction, n: &NewTraining) -> Result<Added> {
    let ws = tx.workspace();
    let partner = known_partner(&ws.partners, &n.partner)?;
    let year = n.date.year();
    let quota = Quota::of(partner, ws.trainings_in(year));
    if !n.extra && !quota.has_room() {
        return Err(refused(
            format!(
                "partner `{}` has used all {} trainings booked for {year}",
                partner.id, quota.booked
            ),
            "pass --extra to record it as separately agreed, or raise trainings_booked in partners.toml",
        ));
    }
    let topic = match &n.topic {
        Some(t) if t.trim().is_empty() => {
            return Err(refused(
                "the topic is empty",
                "leave --topic out, or say what the training covers",
            ))
        }
        t => t.as_ref().map(|t| t.trim().to_owned()),
    };
    let training = Training {
        partner: partner.id.clone(),
        date: Date(n.date),
        mode: n.mode,
        topic,
        extra: n.extra,
    };
    let mut all = ws.trainings_in(year).to_vec();
    all.push(training.clone());
    let quota = Quota::of(partner, &all);
    let mut entry = Table::new();
    entry["partner"] = value(training.partner.clone());
    entry["date"] = edit::date(n.date)?;
    entry["mode"] = value(n.mode.as_str());
    if let Some(topic) = &training.topic {
        entry["topic"] = value(topic.clone());
    }
    if n.extra {
        entry["extra"] = value(true);
    }
    let rel = format!("{TRAININGS_DIR}/{year}.toml");
    let header = format!(
        "# Partner trainings in {year}, written by `zyklus training add`.\n# extra = true: agreed separately, outside the booked quota.\n\n"
    );
    tx.doc_or(&rel, Some(&header))?
        .push_table("training", entry)?;
    Ok(Added {
        file: rel,
        training,
        quota,
    })
}

/// The JSON of `training list`: `{"year", "trainings": [{"partner", "date",
/// "mode", "topic", "extra"}]}`.
#[derive(Debug, Serialize)]
pub struct TrainingList {
    pub year: i32,
    pub trainings: Vec<Training>,
}

/// The trainings of `year` (only `partner`'s, if given), by date.
///
/// # Errors
/// An unknown partner.
pub fn list(ws: &Workspace, partner: Option<&str>, year: i32) -> Result<TrainingList> {
    if let Some(p) = partner {
        known_partner(&ws.partners, p)?;
    }
    let mut trainings: Vec<Training> = ws
        .trainings_in(year)
        .iter()
        .filter(|t| partner.is_none_or(|p| t.partner == p))
        .cloned()
        .collect();
    trainings.sort_by(|x, y| (x.date, &x.partner).cmp(&(y.date, &y.partner)));
    Ok(TrainingList { year, trainings })
}
