//! One hotfix request as the reaction promise judges it. `zyklus sla` computes the
//! rows (`ops::sla::report`); `sla` and the release board both show them, so the
//! two can never disagree.

use serde::Serialize;

use super::dates::Timestamp;
use super::{ReleaseId, Status};

/// One hotfix request under the promise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaRow {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub reported_at: Option<Timestamp>,
    /// `reported_at` plus `reaction_hours` working hours.
    pub due: Option<Timestamp>,
    /// Past the deadline without a reaction.
    pub late: bool,
    /// Working minutes until `due` (negative: past it); for a recorded reaction,
    /// the working minutes it had left (negative: by how much it missed).
    pub left_minutes: Option<i64>,
    /// The release whose scope holds it, if any.
    pub release: Option<ReleaseId>,
    /// When the team reacted (`zyklus sla ack`).
    pub reacted_at: Option<Timestamp>,
    /// Whether the reaction met the promise (null without a reaction).
    pub met: Option<bool>,
}
