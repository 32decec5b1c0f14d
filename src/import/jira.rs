//! Jira's CSV export (Issues → Export → CSV) into [`Record`]s.
//!
//! The export is quirky in ways a hand-written splitter gets wrong, so this uses the
//! `csv` crate: it starts with a UTF-8 byte order mark; a field with several values
//! gets one column per value under the same header (`Labels`, `Labels`, `Labels`,
//! `Component/s`, `Sprint`, …), all of which are collected; descriptions are quoted
//! and span lines; custom fields are named `Custom field (Story Points)`. Dates and
//! numbers stay text here: the mapping knows their formats.

use super::{strip_bom, ParseError, Position, Record};

/// Parses a Jira CSV export. The first record is the header.
///
/// # Errors
/// When the file is not UTF-8, a record has a different number of fields than the
/// header, or there is no header.
pub fn parse(input: &[u8]) -> Result<Vec<Record>, ParseError> {
    // The csv crate counts a record ending in CRLF as starting on the line before;
    // with plain LF it counts right. Quoted CRLFs become LF, as the mapping wants.
    let input = crlf_to_lf(strip_bom(input));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(input.as_slice());
    let mut rows = reader.records();
    let header: Vec<String> = match rows.next() {
        None => {
            return Err(ParseError {
                line: None,
                column: None,
                message: "the file is empty: a Jira CSV export starts with a header line".into(),
                hint: "export the issues from Jira with Export → CSV (all fields)".into(),
            })
        }
        Some(Err(e)) => return Err(csv_error(&e)),
        Some(Ok(h)) => h.iter().map(|s| s.trim().to_owned()).collect(),
    };
    let mut out = Vec::new();
    for row in rows {
        let row = row.map_err(|e| csv_error(&e))?;
        let line = row.position().map_or(0, csv::Position::line);
        let mut record = Record::new(Position::Line(line));
        for (name, value) in header.iter().zip(row.iter()) {
            record.push(name, value);
        }
        out.push(record);
    }
    Ok(out)
}

fn crlf_to_lf(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    for (i, &b) in input.iter().enumerate() {
        if !(b == b'\r' && input.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn csv_error(e: &csv::Error) -> ParseError {
    let line = e.position().map(csv::Position::line);
    let (message, hint) = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => (
            format!(
                "invalid CSV: this record has {}, the header has {expected_len}",
                crate::error::plural(usize::try_from(*len).unwrap_or(usize::MAX), "field")
            ),
            "a quote is probably unbalanced on this line or the one before; export the issues again or fix the quoting",
        ),
        csv::ErrorKind::Utf8 { .. } => (
            "invalid CSV: the text is not UTF-8".to_owned(),
            "export the file as UTF-8 (Jira does so by default) or convert it, e.g. with iconv",
        ),
        _ => (
            format!("invalid CSV: {e}"),
            "export the issues from Jira with Export → CSV (all fields)",
        ),
    };
    ParseError {
        line,
        column: None,
        message,
        hint: hint.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "\u{feff}Summary,Issue key,Issue Type,Labels,Labels,Labels,Sprint,Sprint,Description,Custom field (Story Points)\r\n\
Export hangs,PP-1,Bug,backend,,major,Sprint 1,Sprint 2,\"First line,\r\nsecond \"\"quoted\"\" line\r\n\r\nde: Export klappt\",3.0\r\n\
Widget,PP-2,Story,,,,,,,\r\n";

    #[test]
    fn bom_repeated_columns_and_multiline_quotes() {
        let records = parse(EXPORT.as_bytes()).expect("parses");
        assert_eq!(records.len(), 2);
        let r = &records[0];
        // The BOM is not part of the first header.
        assert_eq!(r.first("Summary"), Some("Export hangs"));
        assert_eq!(r.values("Labels"), ["backend", "major"]);
        assert_eq!(r.values("Sprint"), ["Sprint 1", "Sprint 2"]);
        assert_eq!(
            r.first("Description"),
            Some("First line,\nsecond \"quoted\" line\n\nde: Export klappt")
        );
        assert_eq!(r.first("custom field (story points)"), Some("3.0"));
        assert_eq!(r.at, Position::Line(2));
        // The record after a multi-line one starts on its own line.
        assert_eq!(records[1].at, Position::Line(6));
        assert!(records[1].values("Labels").is_empty());
        assert!(records[1].has_field("Labels"));
    }

    #[test]
    fn an_unbalanced_quote_names_its_line() {
        let bad = "Summary,Issue key\nok,PP-1\n\"broken,PP-2\nnext,PP-3\n";
        let e = parse(bad.as_bytes()).expect_err("fails");
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.contains("has 1 field, the header has 2"),
            "{}",
            e.message
        );
        let short = "Summary,Issue key\nok\n";
        assert_eq!(parse(short.as_bytes()).expect_err("fails").line, Some(2));
    }

    #[test]
    fn not_utf8_or_empty_is_an_error() {
        let e = parse(b"Summary,Issue key\n\xff\xfe,PP-1\n").expect_err("fails");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("not UTF-8"));
        assert!(parse(b"").expect_err("fails").message.contains("empty"));
        assert_eq!(parse(b"Summary,Issue key\n").expect("header only"), vec![]);
    }
}
