//! The planner's reasons as sentences: the one wording of why a request waits,
//! used by `plan` (English) and by the release board (German or English), and the
//! English story of why a planned request is where it is.

use crate::board::Lang;
use crate::planning::{DeferredReason, Occupant, PlannedReason, Reason};

/// Why a request is deferred, as one sentence in `lang`.
#[must_use]
pub fn deferred_reason(r: &DeferredReason, lang: Lang) -> String {
    use DeferredReason as D;
    let took = |lowest: &[Occupant]| -> Vec<String> {
        lowest
            .iter()
            .map(|o| match lang {
                Lang::De => format!(
                    "{} ({} Einheiten, Wert {})",
                    o.id,
                    o.effort,
                    lang.number(o.value)
                ),
                Lang::En => format!("{} ({} units, worth {:.1})", o.id, o.effort, o.value),
            })
            .collect()
    };
    match (lang, r) {
        (Lang::En, D::DependsOnDeferred { dependency }) => {
            format!("depends on {dependency}, which is deferred")
        }
        (Lang::De, D::DependsOnDeferred { dependency }) => {
            format!("hängt von {dependency} ab; diese Anfrage ist zurückgestellt")
        }
        (Lang::En, D::CoupledWithBlocked { request, dependency }) => {
            format!("must ship together with {request}, which waits for {dependency}")
        }
        (Lang::De, D::CoupledWithBlocked { request, dependency }) => {
            format!("muss zusammen mit {request} ausgeliefert werden; diese Anfrage wartet auf {dependency}")
        }
        (Lang::En, D::TooLarge { team: None, effort, max_capacity }) => format!(
            "needs {effort} units with what must ship with it; the largest release offers {max_capacity}"
        ),
        (Lang::De, D::TooLarge { team: None, effort, max_capacity }) => format!(
            "braucht zusammen mit allem, was mit ihr ausgeliefert werden muss, {effort} Einheiten; das größte Release bietet {max_capacity}"
        ),
        (Lang::En, D::TooLarge { team: Some(team), effort, max_capacity }) => format!(
            "needs {effort} units of team {team} with what must ship with it; team {team} has at most {max_capacity} in a release"
        ),
        (Lang::De, D::TooLarge { team: Some(team), effort, max_capacity }) => format!(
            "braucht zusammen mit allem, was mit ihr ausgeliefert werden muss, {effort} Einheiten von Team {team}; Team {team} hat in keinem Release mehr als {max_capacity}"
        ),
        (_, D::NoRoom { slot_id, team: Some(team), effort, left, lowest_value, .. }) => {
            let took = took(lowest_value);
            let mut s = match lang {
                Lang::En => format!("team {team} is full in {slot_id}: needs {effort} units, {left} left"),
                Lang::De => format!("Team {team} ist in {slot_id} voll: braucht {effort} Einheiten, {left} frei"),
            };
            match (lang, took.len()) {
                (_, 0) => {}
                (Lang::En, n) => {
                    let verb = if n == 1 { "is" } else { "are" };
                    s.push_str(&format!("; the room is taken by {}, which {verb} worth more", took.join(", ")));
                }
                (Lang::De, _) => s.push_str(&format!("; den Platz belegen {}, die mehr wert sind", took.join(", "))),
            }
            s
        }
        (Lang::En, D::KeptDeferred { slot_id, gain }) => format!(
            "would fit in {slot_id} and add {gain:.2}, but stays deferred as in the plan on disk (within the re-planning tolerance)"
        ),
        (Lang::De, D::KeptDeferred { slot_id, gain }) => {
            let gain = format!("{gain:.2}").replace('.', ",");
            format!("passt in {slot_id} und brächte {gain}, bleibt aber wie im gespeicherten Plan zurückgestellt (innerhalb der Toleranz für Umplanungen)")
        }
        (_, D::NoRoom { slot_id, needs, lowest_value, .. }) => {
            let took = took(lowest_value);
            match (lang, took.is_empty()) {
                (Lang::En, true) => format!("capacity: needs {needs} more units in {slot_id}"),
                (Lang::De, true) => format!("Kapazität: in {slot_id} fehlen {needs} Einheiten"),
                (Lang::En, false) => {
                    let verb = if took.len() == 1 { "is" } else { "are" };
                    format!(
                        "capacity: needs {needs} more units in {slot_id}; the room is taken by {}, which {verb} worth more",
                        took.join(", ")
                    )
                }
                (Lang::De, false) => format!(
                    "Kapazität: in {slot_id} fehlen {needs} Einheiten; den Platz belegen {}, die mehr wert sind",
                    took.join(", ")
                ),
            }
        }
        (Lang::En, D::NoValue { slot_id }) => {
            format!("would fit in {slot_id} but adds no value (no score, completes no commitment)")
        }
        (Lang::De, D::NoValue { slot_id }) => format!(
            "passt in {slot_id}, bringt aber keinen Wert (keine Punkte, erfüllt keine Zusage)"
        ),
        (Lang::En, D::NotWorthIt { slot_id, gain }) => {
            format!("would fit in {slot_id} but would change the objective by {gain:.2}")
        }
        (Lang::De, D::NotWorthIt { slot_id, gain }) => {
            let gain = format!("{gain:.2}").replace('.', ",");
            format!("passt in {slot_id}, würde den Zielwert aber um {gain} ändern")
        }
    }
}

/// Where a request is and why, as one English sentence (`plan --explain`).
#[must_use]
pub fn reason_text(r: &Reason) -> String {
    match r {
        Reason::Deferred(d) => deferred_reason(d, Lang::En),
        Reason::Planned { slot_id, why, .. } => {
            let parts: Vec<String> = why
                .iter()
                .map(|w| match w {
                    PlannedReason::Pinned => "pinned here".to_owned(),
                    PlannedReason::Deadline { latest } => {
                        format!("deadline: must ship by {latest}")
                    }
                    PlannedReason::NeededBy { requests } => {
                        format!("needed by {}", requests.join(", "))
                    }
                    PlannedReason::Commitments { labels } => {
                        format!("completes the commitment of {}", labels.join(", "))
                    }
                    PlannedReason::Value { score, slot_weight } => {
                        format!("score {score:.1} × slot weight {slot_weight:.2}")
                    }
                    PlannedReason::Coupled { with } => {
                        format!("ships together with {}", with.join(", "))
                    }
                    PlannedReason::WaitsForDependency { dependency } => {
                        format!("cannot ship earlier: {dependency} ships here")
                    }
                    PlannedReason::EarlierSlotsFull => "earlier releases are full".to_owned(),
                    PlannedReason::Stable => "stays where the previous plan put it".to_owned(),
                    PlannedReason::Moved { from: Some(from) } => format!("moved from {from}"),
                    PlannedReason::Moved { from: None } => {
                        "moved in (deferred in the plan on disk)".to_owned()
                    }
                })
                .collect();
            format!("planned in {slot_id}: {}", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_reasons_read_the_same_in_plan_and_on_the_board() {
        let r = DeferredReason::NoRoom {
            slot: 0,
            slot_id: "2027.2".into(),
            team: None,
            effort: 5,
            left: 2,
            needs: 3,
            lowest_value: vec![Occupant {
                id: "CR-1".into(),
                effort: 5,
                value: 12.0,
            }],
        };
        assert_eq!(
            deferred_reason(&r, Lang::En),
            "capacity: needs 3 more units in 2027.2; the room is taken by CR-1 (5 units, worth 12.0), which is worth more"
        );
        assert_eq!(
            reason_text(&Reason::Deferred(r.clone())),
            deferred_reason(&r, Lang::En)
        );
        assert_eq!(
            deferred_reason(&r, Lang::De),
            "Kapazität: in 2027.2 fehlen 3 Einheiten; den Platz belegen CR-1 (5 Einheiten, Wert 12,0), die mehr wert sind"
        );
        let planned = Reason::Planned {
            slot: 1,
            slot_id: "2027.2".into(),
            why: vec![
                PlannedReason::Pinned,
                PlannedReason::Value {
                    score: 41.0,
                    slot_weight: 0.9,
                },
            ],
        };
        assert_eq!(
            reason_text(&planned),
            "planned in 2027.2: pinned here; score 41.0 × slot weight 0.90"
        );
    }
}
