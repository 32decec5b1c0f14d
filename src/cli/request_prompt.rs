//! The questions `zyklus request new` asks on a terminal for what its flags leave
//! out; each answer is checked as it is typed (a whole effort above 0, a score
//! within its criterion's scale), so a typo is asked again instead of failing
//! the whole command. Without a terminal the first question fails with a hint.

use anyhow::Result;

use super::Settings;
use crate::model::{Impact, Kind};
use crate::ops::request::{self, Draft};
use crate::workspace::Workspace;

/// Asks for the fields of `d` that are missing.
///
/// # Errors
/// Without a terminal, or when the terminal fails (e.g. Ctrl-D).
pub(super) fn ask_missing(d: &mut Draft, ws: &Workspace, s: &Settings) -> Result<()> {
    let mut p = s.prompt(
        "pass at least --title and --effort (and any other fields as flags) when not on a terminal",
    );
    while d.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        let t = p.input("Title", None)?;
        if t.trim().is_empty() {
            s.warn("the title must not be empty");
        } else {
            d.title = Some(t.trim().to_owned());
        }
    }
    if d.kind.is_none() {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        d.kind = Some(Kind::ALL[p.select("Kind", &names, 0)?]);
    }
    while d.effort.is_none() {
        let e = p.input("Effort (capacity units, > 0)", None)?;
        match e.trim().parse::<u32>() {
            Ok(n) if n > 0 => d.effort = Some(n),
            _ => s.warn("effort must be a whole number above 0"),
        }
    }
    if d.impact.is_none() {
        let names: Vec<&str> = Impact::ALL.iter().map(|k| k.as_str()).collect();
        d.impact = Some(Impact::ALL[p.select("Impact (major = customer e-mail)", &names, 1)?]);
    }
    for name in request::criteria(&ws.config) {
        if d.scores.iter().any(|(k, _)| k == name) {
            continue;
        }
        let scale = ws
            .config
            .scoring
            .criteria
            .get(name)
            .map_or_else(String::new, |c| {
                format!(" ({}..{})", c.scale[0], c.scale[1])
            });
        loop {
            let v = p.input(&format!("Score `{name}`{scale}, empty to skip"), Some(""))?;
            if v.trim().is_empty() {
                break;
            }
            let checked = v
                .trim()
                .parse::<f64>()
                .map_err(|_| crate::error::invalid(format!("`{}` is not a number", v.trim()), ""))
                .and_then(|x| request::check_score(&ws.config, name, x).map(|()| x));
            match checked {
                Ok(x) => {
                    d.scores.push((name.to_owned(), x));
                    break;
                }
                Err(e) => s.warn(&e.to_string()),
            }
        }
    }
    for lang in &ws.config.workspace.languages {
        if !d.texts.iter().any(|(k, _)| k == lang) {
            let t = p.input(&format!("Customer-facing text [{lang}]"), Some(""))?;
            if !t.trim().is_empty() {
                d.texts.push((lang.clone(), t));
            }
        }
    }
    Ok(())
}
