//! The customer-facing texts in an issue's description: sections that start with a
//! workspace language followed by a colon.
//!
//! ```text
//! Internal analysis, not for customers …
//!
//! de: Der Export bricht bei großen Dateien nicht mehr ab.
//! en: The export no longer stops on large files.
//! ```
//!
//! A section starts at a line whose first word is a language code and a colon
//! (`de:`, `EN:`, `**de:**`, `h3. de:`, `### en:`) or that is a heading naming only
//! the language (`### de`, `h2. EN`). Its text is the rest of that line and the
//! lines after it, up to the next section, a heading, a horizontal rule (`---`,
//! `----`) or the end. Text before the first section is internal and ignored. The
//! first section of a language wins.

use std::collections::BTreeMap;

/// The sections of `description` for the given languages (two-letter codes).
#[must_use]
pub fn sections(description: &str, languages: &[String]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    let finish = |cur: Option<(String, Vec<&str>)>, out: &mut BTreeMap<String, String>| {
        if let Some((lang, lines)) = cur {
            let text = lines.join("\n").trim().to_owned();
            if !text.is_empty() {
                out.entry(lang).or_insert(text);
            }
        }
    };
    for raw in description.lines() {
        let line = raw.trim_end();
        if let Some((lang, rest)) = marker(line, languages) {
            finish(current.take(), &mut out);
            let mut lines = Vec::new();
            if !rest.is_empty() {
                lines.push(rest);
            }
            current = Some((lang, lines));
        } else if ends_section(line) {
            finish(current.take(), &mut out);
        } else if let Some((_, lines)) = &mut current {
            lines.push(line);
        }
    }
    finish(current, &mut out);
    out
}

/// Markdown (`#`) and Jira (`h1.`) heading marks, and emphasis around a marker.
fn strip_heading(line: &str) -> (&str, bool) {
    let t = line.trim_start();
    let hashes = t.trim_start_matches('#');
    if hashes.len() < t.len() {
        return (hashes.trim_start(), true);
    }
    let b = t.as_bytes();
    if b.len() >= 3
        && (b[0] == b'h' || b[0] == b'H')
        && (b'1'..=b'6').contains(&b[1])
        && b[2] == b'.'
    {
        return (t[3..].trim_start(), true);
    }
    (t, false)
}

/// `(language, text after the marker)` when `line` starts a section.
fn marker<'a>(line: &'a str, languages: &[String]) -> Option<(String, &'a str)> {
    let (t, heading) = strip_heading(line);
    let t = t.trim_start_matches(['*', '_']);
    let word_end = t
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(t.len());
    let (word, rest) = t.split_at(word_end);
    let lang = languages.iter().find(|l| l.eq_ignore_ascii_case(word))?;
    let rest = rest.trim_start_matches(['*', '_']);
    if let Some(after) = rest.strip_prefix(':') {
        let after = after.trim_start_matches(['*', '_']).trim();
        return Some((lang.clone(), after));
    }
    (heading && rest.trim_end_matches(['*', '_', ' ']).is_empty()).then(|| (lang.clone(), ""))
}

/// A heading or a horizontal rule ends a section.
fn ends_section(line: &str) -> bool {
    let t = line.trim();
    strip_heading(t).1 || (t.len() >= 3 && t.chars().all(|c| c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs() -> Vec<String> {
        vec!["de".into(), "en".into()]
    }

    #[test]
    fn inline_and_block_sections() {
        let d = "Stack trace in the attachment.\n\nde: Der Export bricht nicht mehr ab.\nEN:\nThe export no longer stops.\nOn large files either.\n\n----\nInternal: see PP-7";
        let s = sections(d, &langs());
        assert_eq!(s["de"], "Der Export bricht nicht mehr ab.");
        assert_eq!(
            s["en"],
            "The export no longer stops.\nOn large files either."
        );
    }

    #[test]
    fn markdown_and_jira_headings() {
        let d = "## Analysis\nnot for customers\n### de\nNeu: Widget\n\n**en:** New: widget\n## Tasks\n- [ ] ship";
        let s = sections(d, &langs());
        assert_eq!(s["de"], "Neu: Widget");
        assert_eq!(s["en"], "New: widget");
        let s = sections("h3. DE\nNeu\nh3. EN:\nNew\nh2. Notes\ninternal", &langs());
        assert_eq!((s["de"].as_str(), s["en"].as_str()), ("Neu", "New"));
    }

    #[test]
    fn no_sections_or_other_words() {
        assert!(sections("Describe the bug: it hangs.\nDetails: none", &langs()).is_empty());
        assert!(sections("fr: Bonjour", &langs()).is_empty());
        assert!(sections("dexterity: high\nend: now\nde:\n\nen: ", &langs()).is_empty());
        let s = sections("de: eins\nde: zwei", &langs());
        assert_eq!(s["de"], "eins");
    }
}
