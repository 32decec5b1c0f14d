//! How diagnostics and errors look on stderr: cargo's and rustc's layout —
//! headline, ` --> file:line:col`, the source line with a caret, then the hint.

use std::io::{self, Write};

use crate::error::{Diagnostic, Invalid, Level};
use crate::ui::{Paint, Style};

/// Writes one diagnostic.
///
/// # Errors
/// When writing fails.
pub fn write_diagnostic(d: &Diagnostic, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    let (label, style) = match d.level {
        Level::Error => ("error", Style::Error),
        Level::Warning => ("warning", Style::Warning),
    };
    writeln!(w, "{}: {}", paint.apply(style, label), d.message)?;
    writeln!(w, "  {} {}", paint.apply(Style::Dim, "-->"), d.location())?;
    if let (Some(line), Some(col), Some(src)) = (d.line, d.column, &d.snippet) {
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        // Control characters are shown escaped, so the caret must count them so too.
        let shown: Vec<String> = src
            .chars()
            .map(|c| super::term::escape(&c.to_string()).into_owned())
            .collect();
        writeln!(w, "  {pad} |")?;
        writeln!(w, "  {num} | {}", shown.concat())?;
        let caret_pad: String = src
            .chars()
            .zip(&shown)
            .take(col.saturating_sub(1))
            .map(|(c, s)| {
                if c == '\t' {
                    "\t".to_owned()
                } else {
                    " ".repeat(s.chars().count())
                }
            })
            .collect();
        writeln!(w, "  {pad} | {caret_pad}{}", paint.apply(style, "^"))?;
    }
    if let Some(h) = &d.hint {
        writeln!(w, "  = {}: {h}", paint.apply(Style::Hint, "help"))?;
    }
    Ok(())
}

/// Writes an error with its diagnostics, its cause chain and its hint.
///
/// # Errors
/// When writing fails.
pub fn write_error(err: &anyhow::Error, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    if let Some(Invalid(diags)) = err.chain().find_map(|c| c.downcast_ref::<Invalid>()) {
        for d in diags {
            write_diagnostic(d, w, paint)?;
        }
    }
    writeln!(w, "{}: {err}", paint.apply(Style::Error, "error"))?;
    for cause in err.chain().skip(1) {
        writeln!(w, "  caused by: {cause}")?;
    }
    if let Some(h) = crate::error::hint_of(err) {
        writeln!(w, "  = {}: {h}", paint.apply(Style::Hint, "help"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_points_at_the_column() {
        let src = "a = 1\nscores = { value = 11 }\n";
        let d = Diagnostic::error("requests/CR-1.toml", "value 11 is above the scale")
            .at(src, 2, 19)
            .hint("use 1–10");
        let mut out = Vec::new();
        write_diagnostic(&d, &mut out, &Paint::plain()).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "error: value 11 is above the scale\n  --> requests/CR-1.toml:2:19\n    |\n  2 | scores = { value = 11 }\n    |                   ^\n  = help: use 1–10\n"
        );
    }
}
