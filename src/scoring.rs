//! Scoring: one request's priority from its `[scores]` and the `[scoring]` model.
//! Scores are absolute — computed from the request and the configuration alone,
//! never normalised across the backlog — so adding or removing a request never
//! changes another's score. Pure: no files, no clock, no output.
//!
//! Models (DESIGN §3):
//! - `weighted`: Σ weight · value over the configured criteria; an `invert`ed
//!   criterion counts `scale_max + scale_min − value`. No criteria → every score 0.
//! - `wsjf`: (business_value + time_criticality + risk_reduction) / effort.
//! - `rice`: reach · impact · confidence / effort.
//!
//! A criterion the request does not score contributes nothing: 0 in the sum of
//! `weighted` and `wsjf` (also for an inverted criterion), a factor 0 in `rice`.
//! The loader warns about such open or accepted requests, naming the file.
//!
//! For `wsjf` and `rice` the criteria names are fixed and weights do not apply (the
//! configuration rejects them); a configured `scale` still bounds the values, and
//! without one the values must be ≥ 0. The breakdown of `weighted` and `wsjf` holds
//! each criterion's contribution (they add up to the total); that of `rice` holds
//! its factors `reach`, `impact`, `confidence` and `effort`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::config::{Model, ScoringConfig};
use crate::model::Request;

/// A request's score and what each criterion contributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub total: f64,
    pub breakdown: BTreeMap<String, f64>,
}

/// Why a request cannot be scored; each names the request and the criterion.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    #[error("request {request}: score `{criterion}` is not a finite number")]
    NotFinite { request: String, criterion: String },
    #[error(
        "request {request}: score `{criterion}` = {value} is outside its scale [{min}, {max}]"
    )]
    OutOfScale {
        request: String,
        criterion: String,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("request {request}: score `{criterion}` = {value} is negative")]
    Negative {
        request: String,
        criterion: String,
        value: f64,
    },
    #[error("request {request}: effort is 0, so `{criterion}` cannot be divided by it")]
    ZeroEffort { request: String, criterion: String },
    #[error("request {request}: the score over `{criterion}` is not a finite number")]
    Overflow { request: String, criterion: String },
}

impl ScoreError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            ScoreError::NotFinite { .. } | ScoreError::Overflow { .. } => {
                "use an ordinary number such as 5"
            }
            ScoreError::OutOfScale { .. } => "use a value within the scale set in zyklus.toml",
            ScoreError::Negative { .. } => "use a value of 0 or more",
            ScoreError::ZeroEffort { .. } => "estimate the request: effort must be above 0",
        }
    }
}

/// The criteria every request must score under `config`'s model.
#[must_use]
pub fn required_criteria(config: &ScoringConfig) -> Vec<&str> {
    match config.model.fixed_criteria() {
        Some(fixed) => fixed.to_vec(),
        None => config.criteria.keys().map(String::as_str).collect(),
    }
}

/// A criterion's value, checked to be finite and within its scale (or, for the
/// fixed criteria without a scale, ≥ 0); `None` when the request does not score it.
fn value(config: &ScoringConfig, request: &Request, name: &str) -> Result<Option<f64>, ScoreError> {
    let err_req = || request.id.to_string();
    let Some(&v) = request.scores.get(name) else {
        return Ok(None);
    };
    if !v.is_finite() {
        return Err(ScoreError::NotFinite {
            request: err_req(),
            criterion: name.to_owned(),
        });
    }
    match config.criteria.get(name) {
        Some(c) if v < c.scale[0] || v > c.scale[1] => Err(ScoreError::OutOfScale {
            request: err_req(),
            criterion: name.to_owned(),
            value: v,
            min: c.scale[0],
            max: c.scale[1],
        }),
        None if v < 0.0 => Err(ScoreError::Negative {
            request: err_req(),
            criterion: name.to_owned(),
            value: v,
        }),
        _ => Ok(Some(v)),
    }
}

/// `request`'s score under `config`.
///
/// # Errors
/// When a criterion value is not finite, outside its scale (or negative), when effort is 0 for `wsjf`/`rice`, or when the result overflows.
/// The workspace loader reports the same problems with their file and line, so a
/// loaded workspace always scores.
pub fn score(config: &ScoringConfig, request: &Request) -> Result<Score, ScoreError> {
    let mut breakdown = BTreeMap::new();
    let total = match config.model {
        Model::Weighted => {
            let mut total = 0.0;
            for (name, c) in &config.criteria {
                let contribution = match value(config, request, name)? {
                    None => 0.0,
                    Some(v) if c.invert => c.weight * (c.scale[1] + c.scale[0] - v),
                    Some(v) => c.weight * v,
                };
                breakdown.insert(name.clone(), contribution);
                total += contribution;
            }
            total
        }
        Model::Wsjf | Model::Rice => {
            let fixed = config.model.fixed_criteria().unwrap_or(&[]);
            let effort = f64::from(request.effort);
            if request.effort == 0 {
                return Err(ScoreError::ZeroEffort {
                    request: request.id.to_string(),
                    criterion: fixed.first().copied().unwrap_or("effort").to_owned(),
                });
            }
            let values = fixed
                .iter()
                .map(|name| value(config, request, name).map(|v| (*name, v.unwrap_or(0.0))))
                .collect::<Result<Vec<_>, _>>()?;
            if config.model == Model::Wsjf {
                let mut total = 0.0;
                for (name, v) in values {
                    let contribution = v / effort;
                    breakdown.insert(name.to_owned(), contribution);
                    total += contribution;
                }
                total
            } else {
                let mut product = 1.0;
                for (name, v) in values {
                    breakdown.insert(name.to_owned(), v);
                    product *= v;
                }
                breakdown.insert("effort".to_owned(), effort);
                product / effort
            }
        }
    };
    if !total.is_finite() || breakdown.values().any(|v| !v.is_finite()) {
        return Err(ScoreError::Overflow {
            request: request.id.to_string(),
            criterion: breakdown
                .iter()
                .find(|(_, v)| !v.is_finite())
                .map_or_else(|| config.model.as_str().to_owned(), |(k, _)| k.clone()),
        });
    }
    // -0.0 prints oddly in JSON and tables; scores are plain numbers.
    let total = if total == 0.0 { 0.0 } else { total };
    Ok(Score { total, breakdown })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Criterion;
    use crate::model::Status;
    use proptest::prelude::*;

    fn request(id: &str, effort: u32, scores: &[(&str, f64)]) -> Request {
        Request {
            scores: scores.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            ..Request::for_test(id, Status::Open, effort)
        }
    }

    fn crit(weight: f64, invert: bool) -> Criterion {
        Criterion {
            weight,
            invert,
            scale: [1.0, 10.0],
        }
    }

    fn weighted() -> ScoringConfig {
        ScoringConfig {
            model: Model::Weighted,
            criteria: [
                ("value".to_owned(), crit(3.0, false)),
                ("urgency".to_owned(), crit(2.0, false)),
                ("risk".to_owned(), crit(1.0, true)),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn weighted_sums_and_inverts() {
        let r = request(
            "CR-1",
            5,
            &[("value", 9.0), ("urgency", 7.0), ("risk", 5.0)],
        );
        let s = score(&weighted(), &r).expect("score");
        // 3·9 + 2·7 + 1·(10 + 1 − 5)
        assert!((s.total - 47.0).abs() < 1e-9);
        assert!((s.breakdown["risk"] - 6.0).abs() < 1e-9);
        assert_eq!(s.breakdown.len(), 3);
    }

    #[test]
    fn no_criteria_scores_zero() {
        let s = score(
            &ScoringConfig::default(),
            &request("CR-1", 3, &[("x", 4.0)]),
        )
        .expect("score");
        assert!(s.total.abs() < f64::EPSILON);
        assert!(s.breakdown.is_empty());
    }

    #[test]
    fn wsjf_and_rice() {
        let mut c = ScoringConfig {
            model: Model::Wsjf,
            ..ScoringConfig::default()
        };
        let r = request(
            "CR-2",
            4,
            &[
                ("business_value", 8.0),
                ("time_criticality", 4.0),
                ("risk_reduction", 2.0),
                ("reach", 100.0),
                ("impact", 2.0),
                ("confidence", 0.5),
            ],
        );
        let s = score(&c, &r).expect("score");
        assert!((s.total - 3.5).abs() < 1e-9);
        assert!((s.breakdown["business_value"] - 2.0).abs() < 1e-9);
        c.model = Model::Rice;
        let s = score(&c, &r).expect("score");
        assert!((s.total - 25.0).abs() < 1e-9);
        assert!((s.breakdown["effort"] - 4.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_request_and_criterion() {
        // Missing criteria contribute nothing, even inverted ones.
        let s = score(&weighted(), &request("CR-9", 1, &[("value", 1.0)])).expect("score");
        assert!((s.total - 3.0).abs() < 1e-9);
        assert!(s.breakdown["risk"].abs() < 1e-9);
        let e = score(
            &weighted(),
            &request(
                "CR-9",
                1,
                &[("value", 11.0), ("urgency", 1.0), ("risk", 1.0)],
            ),
        )
        .expect_err("error");
        assert!(matches!(e, ScoreError::OutOfScale { .. }));
        assert!(
            e.to_string().contains("CR-9") && e.to_string().contains("value"),
            "{e}"
        );
        let c = ScoringConfig {
            model: Model::Rice,
            ..ScoringConfig::default()
        };
        let r = request(
            "CR-9",
            0,
            &[("reach", 1.0), ("impact", 1.0), ("confidence", 1.0)],
        );
        assert!(matches!(score(&c, &r), Err(ScoreError::ZeroEffort { .. })));
        let r = request(
            "CR-9",
            1,
            &[
                ("reach", f64::MAX),
                ("impact", f64::MAX),
                ("confidence", 1.0),
            ],
        );
        assert!(matches!(score(&c, &r), Err(ScoreError::Overflow { .. })));
        let r = request(
            "CR-9",
            1,
            &[("reach", -1.0), ("impact", 1.0), ("confidence", 1.0)],
        );
        assert!(matches!(score(&c, &r), Err(ScoreError::Negative { .. })));
    }

    proptest! {
        /// A request's score depends on itself and the config only: scoring it
        /// within any backlog, in any order, gives the same number.
        #[test]
        fn scores_are_independent_of_the_backlog(
            values in prop::collection::vec((1.0f64..=10.0, 1.0f64..=10.0, 1.0f64..=10.0, 1u32..20), 1..30),
            model in prop::sample::select(vec![Model::Weighted, Model::Wsjf, Model::Rice]),
            drop in 0usize..30,
        ) {
            let mut config = weighted();
            if model != Model::Weighted {
                config = ScoringConfig { model, ..ScoringConfig::default() };
            }
            let backlog: Vec<Request> = values.iter().enumerate().map(|(i, (a, b, c, e))| request(
                &format!("CR-{i}"), *e,
                &[("value", *a), ("urgency", *b), ("risk", *c),
                  ("business_value", *a), ("time_criticality", *b), ("risk_reduction", *c),
                  ("reach", *a), ("impact", *b), ("confidence", *c)],
            )).collect();
            let all: Vec<Score> = backlog.iter().map(|r| score(&config, r).expect("score")).collect();
            let mut smaller = backlog.clone();
            let dropped = drop % smaller.len();
            smaller.remove(dropped);
            smaller.reverse();
            for r in &smaller {
                let i: usize = r.id.as_str()[3..].parse().expect("index");
                let s = score(&config, r).expect("score");
                prop_assert_eq!(&s, &all[i]);
                prop_assert!(s.total.is_finite());
            }
        }
    }
}
