//! Finding places in TOML source text, so that problems found after parsing
//! (an unknown dependency, a score out of scale) still point at a line and column.

/// 1-based line and column of a byte offset.
#[must_use]
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..offset].chars().count() + 1;
    (line, column)
}

/// Where `key = …` is written (the key's own line), searching from `from`.
fn key_offset(src: &str, key: &str, from: usize) -> Option<usize> {
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if start < from {
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.strip_prefix(key).or_else(|| {
            trimmed
                .strip_prefix('"')
                .and_then(|t| t.strip_prefix(key))
                .and_then(|t| t.strip_prefix('"'))
        });
        if let Some(rest) = bare {
            if rest.trim_start().starts_with('=') {
                return Some(start + indent);
            }
        }
    }
    None
}

/// Where a table header `[name]` / `[[name]]` starts.
fn header_offset(src: &str, name: &str) -> Option<usize> {
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim();
        let inner = t.trim_start_matches('[').trim_end_matches(']').trim();
        if t.starts_with('[') && inner == name {
            return Some(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    None
}

/// The place of a dotted key path like `scores.value`, `calendar.months` or
/// `partner.2.email`: the last key's line, searched for after its table header when
/// there is one. Falls back to the header, then to nothing.
#[must_use]
pub fn locate_key(src: &str, path: &str) -> Option<(usize, usize)> {
    let parts: Vec<&str> = path
        .split('.')
        .filter(|p| !p.is_empty() && !p.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let (last, tables) = parts.split_last()?;
    let mut from = 0;
    for i in (1..=tables.len()).rev() {
        if let Some(o) = header_offset(src, &tables[..i].join(".")) {
            from = o;
            break;
        }
    }
    key_offset(src, last, from)
        .or_else(|| key_offset(src, last, 0))
        .or_else(|| header_offset(src, &parts.join(".")))
        .map(|o| line_col(src, o))
}

/// The place of the string value `"needle"` written under `key` (e.g. an unknown
/// id in `depends_on = ["CR-1", "CR-9"]`), or of the key itself.
#[must_use]
pub fn locate_value(src: &str, key: &str, needle: &str) -> Option<(usize, usize)> {
    let key_at = locate_key(src, key).map(|(l, _)| {
        src.split_inclusive('\n')
            .take(l - 1)
            .map(str::len)
            .sum::<usize>()
    });
    let from = key_at.unwrap_or(0);
    let quoted = [format!("\"{needle}\""), format!("'{needle}'")];
    quoted
        .iter()
        .filter_map(|q| src[from..].find(q.as_str()).map(|i| from + i))
        .min()
        .map(|o| line_col(src, o))
        .or_else(|| locate_key(src, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str =
        "title = \"x\"\ndepends_on = [\n  \"CR-1\",\n  \"CR-9\",\n]\n[scores]\nvalue = 11\n";

    #[test]
    fn finds_keys_values_and_headers() {
        assert_eq!(line_col(SRC, 0), (1, 1));
        assert_eq!(locate_key(SRC, "title"), Some((1, 1)));
        assert_eq!(locate_key(SRC, "scores.value"), Some((7, 1)));
        assert_eq!(locate_value(SRC, "depends_on", "CR-9"), Some((4, 3)));
        assert_eq!(locate_key(SRC, "scores"), Some((6, 1)));
        assert_eq!(locate_key(SRC, "nothing"), None);
    }
}
