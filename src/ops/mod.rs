//! The use cases of zyklus (cargo's `ops`, jj's `cmd_*` bodies): one module per
//! thing a user does. An operation takes the loaded workspace — or, when it
//! writes, a [`Transaction`](crate::workspace::Transaction) — and plain inputs
//! (ids, values, [`Context`]), applies the domain rules, stages its edits on the
//! transaction, and returns a report value. It never parses arguments, prints,
//! prompts, reads the clock or the environment; commands in `cli/` do that and
//! hand the report to `output/`.
//!
//! Find a behaviour by its domain word: `plan`, `gate`, `scope` (release add/remove,
//! hotfix scope), `hotfix`, `finding`, `status` (release list/show), `request`,
//! `training`, `notes`, `changelog`, `announce`, `agenda`, `calendar`, `score`,
//! `sla`, `init`.

pub mod agenda;
pub mod announce;
pub mod board;
pub mod calendar;
pub mod changelog;
pub mod finding;
pub mod gate;
pub mod hotfix;
pub mod import;
pub mod init;
pub mod notes;
pub mod partner;
pub mod plan;
pub mod request;
pub mod scope;
pub mod score;
pub mod sla;
pub mod status;
pub mod training;
pub mod validate;

use chrono::{DateTime, FixedOffset};

/// What every operation may know about the run: the time and who acts.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<FixedOffset>,
    pub actor: String,
}

/// `x` rounded to `decimals` places, for reports: a number no more precise than
/// its input can express (`1008.35`, not `1008.3500000000003`), and never `-0`.
#[must_use]
pub fn rounded(x: f64, decimals: i32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let f = 10_f64.powi(decimals);
    let r = (x * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::rounded;

    #[test]
    fn report_numbers_are_rounded() {
        assert_eq!(rounded(1_008.350_000_000_000_3, 2).to_string(), "1008.35");
        assert_eq!(rounded(1.738_868_227_962_616_2, 2).to_string(), "1.74");
        assert_eq!(rounded(-0.001, 2).to_string(), "0");
        assert_eq!(rounded(0.9, 2).to_string(), "0.9");
        assert!(rounded(f64::NAN, 2).is_nan());
    }
}

/// Who is acting, for history entries: the first non-blank of `ZYKLUS_USER`,
/// `GIT_AUTHOR_NAME`, `USER` and `USERNAME` (looked up through `var`), else git's
/// configured `user.name`, else `unknown`.
pub fn actor(
    var: impl Fn(&str) -> Option<String>,
    git_user_name: impl FnOnce() -> Option<String>,
) -> String {
    ["ZYKLUS_USER", "GIT_AUTHOR_NAME", "USER", "USERNAME"]
        .iter()
        .find_map(|k| var(k).filter(|v| !v.trim().is_empty()))
        .or_else(git_user_name)
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod actor_tests {
    use super::actor;

    #[test]
    fn the_first_non_blank_variable_then_git_then_unknown() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let git = || Some("Git Name".to_owned());
        assert_eq!(actor(env(&[("USER", "u"), ("ZYKLUS_USER", "z")]), git), "z");
        assert_eq!(actor(env(&[("ZYKLUS_USER", " "), ("USER", "u")]), git), "u");
        assert_eq!(actor(env(&[("USERNAME", "w")]), git), "w");
        assert_eq!(actor(env(&[]), git), "Git Name");
        assert_eq!(actor(env(&[]), || None), "unknown");
    }
}
