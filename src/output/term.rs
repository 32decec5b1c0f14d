//! Terminal safety: text from workspace files (titles, reasons, names) must never
//! drive the terminal. Everything zyklus prints goes through [`SafeWriter`], which
//! shows control characters as visible escapes (`\u{1b}`, `\r`) and lets through
//! only newlines, tabs and — when colour is on — the colour codes of
//! [`crate::ui::Paint`] itself.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::ui::Paint;

/// Control characters that are never printed raw: C0 except tab and newline,
/// DEL, and C1.
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` with every unsafe control character shown as an escape.
#[must_use]
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\r' => out.push_str("\\r"),
        c if is_unsafe(c) => out.push_str(&c.escape_unicode().to_string()),
        c => out.push(c),
    }
}

/// A writer that escapes unsafe control characters in what passes through it;
/// with `paint` enabled, the colour sequences `Paint` produces pass unchanged.
pub struct SafeWriter<W: Write> {
    inner: W,
    colour: bool,
    /// Bytes of an incomplete UTF-8 character or escape sequence from the last write.
    pending: Vec<u8>,
}

impl<W: Write> SafeWriter<W> {
    pub fn new(inner: W, paint: Paint) -> Self {
        Self {
            inner,
            colour: paint.enabled,
            pending: Vec::new(),
        }
    }

    fn filter(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if c == '\u{1b}' && self.colour {
                if let Some(len) = paint_sequence(rest) {
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                    continue;
                }
            }
            push_escaped(&mut out, c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

/// The length of a colour sequence of `Paint` at the start of `s` (`ESC [ digits ; … m`).
fn paint_sequence(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let end = body.find('m')?;
    let params = &body[..end];
    (end <= 8 && params.bytes().all(|b| b.is_ascii_digit() || b == b';')).then_some(2 + end + 1)
}

impl<W: Write> Write for SafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Hold back an incomplete UTF-8 tail; invalid bytes are shown lossily.
        let valid_up_to = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let chunk: Vec<u8> = self.pending.drain(..valid_up_to).collect();
        let text = String::from_utf8_lossy(&chunk);
        let filtered = self.filter(&text);
        self.inner.write_all(filtered.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let filtered = self.filter(&String::from_utf8_lossy(&rest));
            self.inner.write_all(filtered.as_bytes())?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(colour: bool, input: &str) -> String {
        let mut w = SafeWriter::new(Vec::new(), Paint { enabled: colour });
        w.write_all(input.as_bytes()).expect("write");
        w.flush().expect("flush");
        String::from_utf8(w.inner).expect("utf8")
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(
            through(false, "\u{1b}[2J\u{1b}[HFAKE\r\n"),
            "\\u{1b}[2J\\u{1b}[HFAKE\\r\n"
        );
        assert_eq!(through(false, "a\tb\nc\0"), "a\tb\nc\\u{0}");
        assert_eq!(escape("x\u{7f}\u{9b}"), "x\\u{7f}\\u{9b}");
    }

    #[test]
    fn our_own_colours_pass_only_when_colour_is_on() {
        let painted = Paint { enabled: true }.apply(crate::ui::Style::Bad, "UNMET");
        assert_eq!(through(true, &painted), painted);
        assert_eq!(through(false, &painted), "\\u{1b}[1;31mUNMET\\u{1b}[0m");
        // A cursor movement is no colour, even with colour on.
        assert_eq!(through(true, "\u{1b}[2J"), "\\u{1b}[2J");
    }

    #[test]
    fn utf8_split_across_writes_survives() {
        let mut w = SafeWriter::new(Vec::new(), Paint::plain());
        let s = "Jänner";
        let bytes = s.as_bytes();
        w.write_all(&bytes[..2]).expect("write");
        w.write_all(&bytes[2..]).expect("write");
        w.flush().expect("flush");
        assert_eq!(String::from_utf8(w.inner).expect("utf8"), s);
    }
}
