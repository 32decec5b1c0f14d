//! A release's section of a Keep a Changelog 1.1.0 file, and the splice that puts
//! it into existing changelog text: newest release first, the release's own
//! section replaced if present, and nothing else touched — hand edits elsewhere
//! survive, and splicing the same section twice gives the same bytes. Pure text in,
//! text out; reading the file and committing it is the CLI's and `git`'s job.

use crate::model::ReleaseId;

use super::Context;

/// The header of a new changelog file, in English.
pub const HEADER: &str = "# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project uses calendar versioning: YYYY.N is the N-th release of year YYYY,
YYYY.N.P a hotfix on top of it.
";

/// The header of a new changelog file, in German.
pub const HEADER_DE: &str = "# Changelog

Alle wesentlichen Änderungen an diesem Projekt werden in dieser Datei festgehalten.

Das Format folgt [Keep a Changelog](https://keepachangelog.com/de/1.1.0/), die
Versionsnummern folgen dem Kalender: JJJJ.N ist die N-te Version des Jahres JJJJ,
JJJJ.N.P ein Hotfix dazu.
";

/// The header of a new changelog file in the language `tag` (German for `de-*`,
/// English otherwise): the whole file is in one language.
#[must_use]
pub fn header(tag: &str) -> &'static str {
    if crate::model::lang::primary(tag) == "de" {
        HEADER_DE
    } else {
        HEADER
    }
}

/// The section of one release: `## [2027.1] - 2027-01-12`, then the kinds
/// (`### Added`, `### Changed`, `### Fixed`, or in German `### Neu`,
/// `### Verbessert`, `### Behoben`) as far as they have entries — headings and
/// entries in the context's one language.
#[must_use]
pub fn section(ctx: &Context, id: ReleaseId, date: chrono::NaiveDate) -> String {
    let mut out = format!("## [{id}] - {}\n", date.format("%Y-%m-%d"));
    for group in &ctx.sections {
        let heading = group
            .items
            .first()
            .map_or(group.heading, |i| i.section.heading_in(&ctx.lang));
        out.push_str(&format!("\n### {heading}\n\n"));
        for item in &group.items {
            let text = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push_str(&format!("- {text} ({})\n", item.id));
        }
    }
    out
}

/// Where a release's link reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A forge's web address (`https://github.com/owner/repo`, no trailing
    /// slash), derived from the repository's remote: a compare view, or the tag
    /// page for the first release.
    Forge(String),
    /// `[changelog] compare_url`, a template with `{tag}`, `{previous}`,
    /// `{version}` and `{previous_version}`.
    Compare(String),
}

/// How the link reference definitions at the bottom are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    pub target: LinkTarget,
    pub tag_prefix: String,
}

/// The placeholders of `[changelog] compare_url`.
pub const COMPARE_PLACEHOLDERS: [&str; 4] = ["tag", "previous", "version", "previous_version"];

impl Links {
    /// The link of release `version` (tag `tag`), given the previous release
    /// (`(version, tag)`); none when the target needs a previous release and
    /// there is none.
    #[must_use]
    pub fn url(&self, version: &str, tag: &str, previous: Option<(&str, &str)>) -> Option<String> {
        match &self.target {
            LinkTarget::Forge(web) => {
                let gitlab = web.contains("gitlab");
                let dash = if gitlab { "/-" } else { "" };
                Some(match previous {
                    Some((_, prev)) => format!("{web}{dash}/compare/{prev}...{tag}"),
                    None if gitlab => format!("{web}/-/tags/{tag}"),
                    None => format!("{web}/releases/tag/{tag}"),
                })
            }
            LinkTarget::Compare(template) => {
                let needs_previous =
                    template.contains("{previous}") || template.contains("{previous_version}");
                if needs_previous && previous.is_none() {
                    return None;
                }
                let (pv, pt) = previous.unwrap_or_default();
                Some(
                    template
                        .replace("{previous_version}", pv)
                        .replace("{previous}", pt)
                        .replace("{version}", version)
                        .replace("{tag}", tag),
                )
            }
        }
    }
}

/// Checks `[changelog] compare_url`: an http(s) URL once its placeholders
/// (`{tag}`, `{previous}`, `{version}`, `{previous_version}`) are filled in, naming
/// the release with `{tag}` or `{version}`. Pure; `validate` calls it.
///
/// # Errors
/// A sentence saying what is wrong.
pub fn check_compare_url(template: &str) -> Result<(), String> {
    super::check_placeholders(template, &COMPARE_PLACEHOLDERS)?;
    if !(template.contains("{tag}") || template.contains("{version}")) {
        return Err(format!(
            "`{template}` names no release: use {{tag}} (or {{version}}) in it"
        ));
    }
    let sample = Links {
        target: LinkTarget::Compare(template.to_owned()),
        tag_prefix: "v".into(),
    }
    .url("2027.2", "v2027.2", Some(("2027.1", "v2027.1")))
    .unwrap_or_default();
    crate::ics::check_url(&sample)
}

/// The web address of a repository from its remote URL (`git@github.com:o/r.git`,
/// `https://…`, `ssh://…`); none for local paths and anything unrecognised.
#[must_use]
pub fn web_url(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let (host, path) = if let Some(rest) = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))
        .or_else(|| remote.strip_prefix("ssh://"))
        .or_else(|| remote.strip_prefix("git://"))
    {
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        let host = host.split(':').next()?;
        (host.to_owned(), path.to_owned())
    } else if let Some((user_host, path)) = remote.split_once(':') {
        if user_host.contains('/') || path.starts_with("//") {
            return None;
        }
        let host = user_host.rsplit('@').next()?;
        (host.to_owned(), path.to_owned())
    } else {
        return None;
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if host.is_empty() || path.is_empty() || !host.contains('.') {
        return None;
    }
    Some(format!("https://{host}/{path}"))
}

/// A version in a heading or link label: `2027.1`, `v1.2.3`, `2027.1.1`,
/// `2.0.0-rc.1`; at least two numeric components. Missing components count as
/// zero (`2027.1` = `2027.1.0`), and a pre-release orders before its release.
#[derive(Debug, Clone)]
struct Version {
    nums: Vec<u64>,
    pre: Vec<String>,
}

impl Version {
    fn parse(label: &str) -> Option<Self> {
        let l = label.trim();
        let l = l.strip_prefix(['v', 'V']).unwrap_or(l);
        let l = l.split('+').next().unwrap_or(l);
        let (core, pre) = match l.split_once('-') {
            Some((c, p)) => (c, p.split('.').map(str::to_owned).collect()),
            None => (l, Vec::new()),
        };
        let nums = core
            .split('.')
            .map(|p| {
                if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                    p.parse().ok()
                } else {
                    None
                }
            })
            .collect::<Option<Vec<u64>>>()?;
        (nums.len() >= 2).then_some(Self { nums, pre })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let n = self.nums.len().max(other.nums.len());
        for i in 0..n {
            let a = self.nums.get(i).copied().unwrap_or(0);
            let b = other.nums.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let o = match (a.parse::<u64>(), b.parse::<u64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                (Err(_), Err(_)) => a.cmp(b),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Version {}

/// One line of the changelog as the Markdown block structure sees it.
#[derive(Debug)]
struct Line {
    /// Byte offset of the line's first byte.
    start: usize,
    /// Byte offset after its line ending.
    end: usize,
    blank: bool,
    /// Inside a fenced code block or an HTML comment (fence lines included).
    code: bool,
    /// The level of an ATX heading (`#` … `######`) outside code.
    heading: Option<u8>,
    /// The label of a heading (`[2027.1] - …` → `2027.1`) or of a link
    /// reference definition (`[2027.1]: https://…` → `2027.1`).
    label: Option<String>,
    /// Whether the line is a link reference definition outside code.
    reference: bool,
}

/// Up to three spaces of indentation, as CommonMark allows before a block.
fn unindent(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3).then_some(rest)
}

/// A fence opener: (character, length).
fn fence_open(line: &str) -> Option<(char, usize)> {
    let rest = unindent(line)?;
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = rest.chars().take_while(|&c| c == ch).count();
    if n < 3 || (ch == '`' && rest[n..].contains('`')) {
        return None;
    }
    Some((ch, n))
}

fn fence_close(line: &str, ch: char, len: usize) -> bool {
    let Some(rest) = unindent(line) else {
        return false;
    };
    let n = rest.chars().take_while(|&c| c == ch).count();
    n >= len && rest[n..].trim().is_empty()
}

/// An ATX heading: (level, text without the `#`s).
fn atx(line: &str) -> Option<(u8, &str)> {
    let rest = unindent(line)?;
    let n = rest.bytes().take_while(|&b| b == b'#').count();
    if n == 0 || n > 6 {
        return None;
    }
    let after = &rest[n..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    // An optional closing sequence: `## 1.0 ##`.
    let trimmed = text.trim_end_matches('#');
    let text = if trimmed.is_empty() || trimmed.ends_with([' ', '\t']) {
        trimmed.trim_end()
    } else {
        text
    };
    Some((u8::try_from(n).unwrap_or(6), text))
}

/// `[2027.1] - 2027-01-12` → `2027.1`; `v1.0 (2020-01-01)` → `v1.0`.
fn heading_label(text: &str) -> Option<String> {
    let label = match text.strip_prefix('[') {
        Some(inner) => inner.split(']').next(),
        None => text.split_whitespace().next(),
    }?;
    (!label.is_empty()).then(|| label.to_owned())
}

/// The label of a link reference definition: `[2027.1]: https://…` → `2027.1`.
fn reference_label(line: &str) -> Option<String> {
    let rest = unindent(line)?.strip_prefix('[')?;
    let (label, dest) = rest.split_once("]:")?;
    (!label.trim().is_empty() && !label.contains('[') && !dest.trim().is_empty())
        .then(|| label.to_owned())
}

/// The lines of `src` with their block structure: fenced code (``` and ~~~) and
/// HTML comments are opaque, so a `## [2027.1]` in them is not a heading.
fn scan(src: &str) -> Vec<Line> {
    enum State {
        Text,
        Fence(char, usize),
        Comment,
    }
    let mut state = State::Text;
    let mut out = Vec::new();
    let mut start = 0;
    for raw in src.split_inclusive('\n') {
        let end = start + raw.len();
        let mut text = raw.trim_end_matches(['\n', '\r']);
        if start == 0 {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        let mut line = Line {
            start,
            end,
            blank: text.trim().is_empty(),
            code: false,
            heading: None,
            label: None,
            reference: false,
        };
        match state {
            State::Fence(ch, len) => {
                line.code = true;
                if fence_close(text, ch, len) {
                    state = State::Text;
                }
            }
            State::Comment => {
                line.code = true;
                if text.contains("-->") {
                    state = State::Text;
                }
            }
            State::Text => {
                if let Some((ch, len)) = fence_open(text) {
                    line.code = true;
                    state = State::Fence(ch, len);
                } else if unindent(text).is_some_and(|t| t.starts_with("<!--")) {
                    line.code = true;
                    let after = &text[text.find("<!--").map_or(0, |i| i + 4)..];
                    if !after.contains("-->") {
                        state = State::Comment;
                    }
                } else if let Some((level, t)) = atx(text) {
                    line.heading = Some(level);
                    line.label = heading_label(t);
                } else if let Some(label) = reference_label(text) {
                    line.reference = true;
                    line.label = Some(label);
                }
            }
        }
        out.push(line);
        start = end;
    }
    out
}

/// The first line of the trailing block of link reference definitions (blank
/// lines between them allowed), if the text ends with one.
fn references_start(lines: &[Line]) -> Option<usize> {
    let mut first = None;
    for (i, l) in lines.iter().enumerate().rev() {
        if l.reference {
            first = Some(i);
        } else if !l.blank || l.code {
            break;
        }
    }
    first
}

/// The line ending the file uses (that of its first line), `\n` for a new one.
fn line_ending(src: &str) -> &'static str {
    match src.find('\n') {
        Some(i) if i > 0 && src.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// What goes before an insertion at `at` so that it starts on a line of its own
/// after a blank line.
fn separator(src: &str, lines: &[Line], at: usize, eol: &str) -> String {
    let before = &src[..at];
    if before.is_empty() {
        return String::new();
    }
    let mut sep = String::new();
    if !before.ends_with('\n') {
        sep.push_str(eol);
    }
    let prev_blank = lines
        .iter()
        .rev()
        .find(|l| l.start < at)
        .is_none_or(|l| l.blank);
    if !prev_blank || !before.ends_with('\n') {
        sep.push_str(eol);
    }
    sep
}

/// Puts `section` (from [`section`]) for release `id` into `existing` changelog
/// text (none or blank: a new file starting with `header`), reading the file's Markdown
/// structure (headings in fenced code blocks and HTML comments do not count):
///
/// - the release's own `##` section, if there is one, is replaced, up to the next
///   heading of level 1 or 2 (its trailing blank lines stay);
/// - otherwise the section goes in newest first, in Keep a Changelog order: above
///   the first older release, else below `[Unreleased]` and any newer release, else
///   below the intro; versions compare numerically (`2027.1.1` is newer than
///   `2027.1`, `v1.2.3` is a version too);
/// - with `links`, when the file has a trailing block of link reference
///   definitions (or is new), the release's reference is added there in version
///   order, or replaced.
///
/// Every other byte stays as it was, line endings (LF or CRLF) included, so that
/// splicing the same section again gives the same text.
#[must_use]
pub fn splice(
    existing: Option<&str>,
    header: &str,
    id: ReleaseId,
    section: &str,
    links: Option<&Links>,
) -> String {
    let existing = existing.filter(|e| !e.trim().is_empty());
    let is_new = existing.is_none();
    let mut text = existing.map_or_else(|| header.to_owned(), str::to_owned);
    let eol = line_ending(&text);
    let label = id.to_string();
    let ours = Version::parse(&label);
    let section = if eol == "\n" {
        section.to_owned()
    } else {
        section.replace('\n', eol)
    };
    let version_of = |l: &Line| l.label.as_deref().and_then(Version::parse);

    // The section.
    let lines = scan(&text);
    let body_end = references_start(&lines).map_or(text.len(), |i| lines[i].start);
    let boundaries: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].heading.is_some_and(|h| h <= 2) && lines[i].start < body_end)
        .collect();
    let section_end = |i: usize| {
        boundaries
            .iter()
            .find(|&&j| j > i)
            .map_or(body_end, |&j| lines[j].start)
    };
    let releases: Vec<usize> = boundaries
        .iter()
        .copied()
        .filter(|&i| lines[i].heading == Some(2))
        .collect();
    let own = releases
        .iter()
        .copied()
        .find(|&i| ours.is_some() && version_of(&lines[i]) == ours);
    if let Some(i) = own {
        let end = section_end(i);
        let content_end = lines
            .iter()
            .filter(|l| l.start >= lines[i].start && l.end <= end && !l.blank)
            .map(|l| l.end)
            .max()
            .unwrap_or(end);
        text.replace_range(lines[i].start..content_end, &section);
    } else {
        let mut older = None;
        let mut last_newer = None;
        for &i in &releases {
            let unreleased = lines[i]
                .label
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case("unreleased"));
            match (version_of(&lines[i]), &ours) {
                (Some(v), Some(o)) if v < *o => {
                    older = Some(i);
                    break;
                }
                (Some(_), _) => last_newer = Some(i),
                (None, _) if unreleased => last_newer = Some(i),
                (None, _) => {}
            }
        }
        let at = match (older, last_newer) {
            (Some(i), _) => lines[i].start,
            (None, Some(i)) => section_end(i),
            (None, None) => releases.first().map_or(body_end, |&i| lines[i].start),
        };
        let mut insert = separator(&text, &lines, at, eol);
        insert.push_str(&section);
        if at < text.len() {
            insert.push_str(eol);
        }
        text.insert_str(at, &insert);
    }

    // The link reference.
    let Some(links) = links else {
        return text;
    };
    let lines = scan(&text);
    let refs = references_start(&lines);
    if refs.is_none() && !is_new {
        return text;
    }
    let tag_of = |l: &str| {
        if l.starts_with(links.tag_prefix.as_str()) {
            l.to_owned()
        } else {
            format!("{}{l}", links.tag_prefix)
        }
    };
    let previous = lines
        .iter()
        .filter(|l| l.heading == Some(2))
        .filter_map(|l| Some((version_of(l)?, l.label.clone()?)))
        .filter(|(v, _)| ours.as_ref().is_some_and(|o| v < o))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, l)| l);
    let previous_tag = previous.as_deref().map(tag_of);
    let Some(url) = links.url(
        &label,
        &tag_of(&label),
        previous.as_deref().zip(previous_tag.as_deref()),
    ) else {
        return text;
    };
    let definition = format!("[{label}]: {url}");
    let Some(first) = refs else {
        let mut insert = separator(&text, &lines, text.len(), eol);
        insert.push_str(&definition);
        insert.push_str(eol);
        text.push_str(&insert);
        return text;
    };
    let defs: Vec<&Line> = lines[first..].iter().filter(|l| l.reference).collect();
    if let Some(own) = defs
        .iter()
        .find(|l| ours.is_some() && version_of(l) == ours)
    {
        let content = text[own.start..own.end]
            .trim_end_matches(['\n', '\r'])
            .len();
        text.replace_range(own.start..own.start + content, &definition);
        return text;
    }
    let mut at = None;
    let mut after = None;
    for l in &defs {
        let unreleased = l
            .label
            .as_deref()
            .is_some_and(|x| x.eq_ignore_ascii_case("unreleased"));
        match (version_of(l), &ours) {
            (Some(v), Some(o)) if v < *o => {
                at = Some(l.start);
                break;
            }
            (Some(_), _) => after = Some(l.end),
            (None, _) if unreleased => after = Some(l.end),
            (None, _) => {}
        }
    }
    let at = at
        .or(after)
        .unwrap_or_else(|| defs.last().map_or(text.len(), |l| l.end));
    let mut insert = String::new();
    if !text[..at].ends_with('\n') {
        insert.push_str(eol);
    }
    insert.push_str(&definition);
    insert.push_str(eol);
    text.insert_str(at, &insert);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rid(s: &str) -> ReleaseId {
        s.parse().expect("release id")
    }

    const S1: &str = "## [2027.1] - 2027-01-12\n\n### Added\n\n- One (CR-1)\n";
    const S2: &str = "## [2027.2] - 2027-03-09\n\n### Fixed\n\n- Two (CR-2)\n";

    #[test]
    fn new_file_gets_header_and_section() {
        let out = splice(None, HEADER, rid("2027.1"), S1, None);
        assert!(out.starts_with("# Changelog\n"));
        assert!(out.ends_with("- One (CR-1)\n"));
    }

    #[test]
    fn splicing_twice_is_identical_and_newest_first() {
        let links = Links {
            target: LinkTarget::Forge("https://github.com/acme/portal".into()),
            tag_prefix: "v".into(),
        };
        let one = splice(None, HEADER, rid("2027.1"), S1, Some(&links));
        let two = splice(Some(&one), HEADER, rid("2027.2"), S2, Some(&links));
        assert_eq!(
            splice(Some(&two), HEADER, rid("2027.2"), S2, Some(&links)),
            two
        );
        assert_eq!(
            splice(Some(&two), HEADER, rid("2027.1"), S1, Some(&links)),
            two
        );
        let p2 = two.find("## [2027.2]").expect("2027.2");
        let p1 = two.find("## [2027.1]").expect("2027.1");
        assert!(p2 < p1);
        assert!(two.contains(
            "[2027.2]: https://github.com/acme/portal/compare/v2027.1...v2027.2\n[2027.1]: https://github.com/acme/portal/releases/tag/v2027.1\n"
        ));
    }

    #[test]
    fn replaces_only_its_own_section() {
        let hand = "# Changelog\n\nHand-written intro.\n\n## [Unreleased]\n\n- something\n\n## [2027.1] - 2027-01-12\n\n### Added\n\n- Old text (CR-1)\n\n## [2026.6] - 2026-11-10\n\n- hand edit\n";
        let out = splice(Some(hand), HEADER, rid("2027.1"), S1, None);
        assert!(out.contains("Hand-written intro."));
        assert!(out.contains("- something\n"));
        assert!(out.contains("- hand edit\n"));
        assert!(!out.contains("Old text"));
        assert!(out.contains("- One (CR-1)\n\n## [2026.6]"));
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let hand = "# Changelog\r\n\r\n## [2026.6] - 2026-11-10\r\n\r\n- old\r\n";
        let out = splice(Some(hand), HEADER, rid("2027.1"), S1, None);
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert!(out.starts_with("# Changelog\r\n\r\n## [2027.1] - 2027-01-12\r\n"));
        assert_eq!(splice(Some(&out), HEADER, rid("2027.1"), S1, None), out);
    }

    #[test]
    fn hotfixes_sort_above_their_release() {
        let one = splice(None, HEADER, rid("2027.1"), S1, None);
        let fix = "## [2027.1.1] - 2027-01-20\n\n### Fixed\n\n- Hot (CR-9)\n";
        let out = splice(Some(&one), HEADER, rid("2027.1.1"), fix, None);
        let two = splice(Some(&out), HEADER, rid("2027.2"), S2, None);
        let p2 = two.find("## [2027.2]").expect("2027.2");
        let p11 = two.find("## [2027.1.1]").expect("2027.1.1");
        let p1 = two.find("## [2027.1]").expect("2027.1");
        assert!(p2 < p11 && p11 < p1, "{two}");
    }

    #[test]
    fn web_urls() {
        assert_eq!(
            web_url("git@github.com:acme/portal.git").as_deref(),
            Some("https://github.com/acme/portal")
        );
        assert_eq!(
            web_url("https://user@gitlab.example.com/acme/portal.git").as_deref(),
            Some("https://gitlab.example.com/acme/portal")
        );
        assert_eq!(web_url("/srv/git/portal.git"), None);
        assert_eq!(web_url("../portal"), None);
    }
}
