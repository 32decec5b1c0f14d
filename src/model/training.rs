//! Partner trainings: `trainings/<YEAR>.toml`, one `[[training]]` per session held
//! or planned in that year. A partner books `trainings_booked` sessions a year in
//! `partners.toml`; sessions marked `extra` were agreed separately and do not use
//! up that quota. Pure types and the quota arithmetic; the loader checks the file.

use serde::{Deserialize, Serialize};

use super::dates::Date;
use super::partner::Partner;
use super::request::display_as_serde;

/// Where a training takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Onsite,
    Remote,
}

display_as_serde! {
    Mode => [Onsite = "onsite", Remote = "remote"]
}

/// One training session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    /// Partner id from `partners.toml`.
    pub partner: String,
    pub date: Date,
    pub mode: Mode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Agreed separately: does not count against `trainings_booked`.
    #[serde(default)]
    pub extra: bool,
}

/// The contents of `trainings/<YEAR>.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrainingFile {
    #[serde(default, rename = "training")]
    pub trainings: Vec<Training>,
}

/// A partner's trainings in one year, against the booked quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub booked: u32,
    /// Sessions that count against the quota (not `extra`).
    pub used: u32,
    /// `booked − used`, never below 0.
    pub left: u32,
    /// Sessions agreed separately.
    pub extra: u32,
}

impl Quota {
    /// `partner`'s quota among `trainings` (one year's).
    #[must_use]
    pub fn of(partner: &Partner, trainings: &[Training]) -> Self {
        let mine = trainings.iter().filter(|t| t.partner == partner.id);
        let (mut used, mut extra) = (0u32, 0u32);
        for t in mine {
            if t.extra {
                extra += 1;
            } else {
                used += 1;
            }
        }
        Self {
            booked: partner.trainings_booked,
            used,
            left: partner.trainings_booked.saturating_sub(used),
            extra,
        }
    }

    /// Whether another session within the quota is possible.
    #[must_use]
    pub fn has_room(self) -> bool {
        self.used < self.booked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(partner: &str, extra: bool) -> Training {
        Training {
            partner: partner.into(),
            date: Date(NaiveDate::from_ymd_opt(2027, 2, 1).expect("date")),
            mode: Mode::Remote,
            topic: None,
            extra,
        }
    }

    #[test]
    fn quota_counts_only_regular_sessions() {
        let p = Partner {
            id: "acme".into(),
            name: "ACME".into(),
            short_name: None,
            language: None,
            email: None,
            salutation: None,
            trainings_booked: 2,
        };
        let all = [t("acme", false), t("acme", true), t("other", false)];
        let q = Quota::of(&p, &all);
        assert_eq!((q.booked, q.used, q.left, q.extra), (2, 1, 1, 1));
        assert!(q.has_room());
        let q = Quota::of(&p, &[t("acme", false), t("acme", false), t("acme", false)]);
        assert_eq!(q.left, 0);
        assert!(!q.has_room());
    }
}
