//! `partner list`: the partners with their language and a year's trainings
//! (booked, used, left, extra; the arithmetic is [`crate::model::Quota`]).

use serde::Serialize;

use crate::model::Quota;
use crate::workspace::Workspace;

/// One partner.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub language: Option<String>,
    pub email: Option<String>,
    pub trainings: Quota,
}

/// The JSON of `partner list`: `{"year", "partners": [{"id", "name", "language",
/// "email", "trainings": {"booked", "used", "left", "extra"}}]}`.
#[derive(Debug, Serialize)]
pub struct PartnerList {
    pub year: i32,
    pub partners: Vec<Row>,
}

/// Every partner of `partners.toml` with its training quota in `year`.
#[must_use]
pub fn list(ws: &Workspace, year: i32) -> PartnerList {
    let trainings = ws.trainings_in(year);
    let partners = ws
        .partners
        .partners
        .iter()
        .map(|p| Row {
            id: p.id.clone(),
            name: p.name.clone(),
            language: p.language.clone(),
            email: p.email.clone(),
            trainings: Quota::of(p, trainings),
        })
        .collect();
    PartnerList { year, partners }
}
