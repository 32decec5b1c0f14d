//! A release's section of a Keep a Changelog 1.1.0 file, and the splice that puts
//! it into existing changelog text: newest release first, the release's own
//! section replaced if present, and nothing else touched — hand edits elsewhere
//! survive, and splicing the same section twice gives the same bytes. Pure text in,
//! text out; reading the file and committing it is the CLI's and `git`'s job.

use crate::model::ReleaseId;

use super::Context;

/// The header of a new changelog file.
pub const HEADER: &str = "# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project uses calendar versioning: YYYY.N is the N-th release of year YYYY,
YYYY.N.P a hotfix on top of it.
";

/// The section of one release: `## [2027.1] - 2027-01-12`, then `### Added`,
/// `### Changed`, `### Fixed` as far as they have entries.
#[must_use]
pub fn section(ctx: &Context, id: ReleaseId, date: chrono::NaiveDate) -> String {
    let mut out = format!("## [{id}] - {}\n", date.format("%Y-%m-%d"));
    for group in &ctx.sections {
        out.push_str(&format!("\n### {}\n\n", group.heading));
        for item in &group.items {
            let text = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push_str(&format!("- {text} ({})\n", item.id));
        }
    }
    out
}

/// Where the link references at the bottom point: the repository's web address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `https://github.com/owner/repo`, without a trailing slash.
    pub web: String,
    pub tag_prefix: String,
}

impl Links {
    fn gitlab(&self) -> bool {
        self.web.contains("gitlab")
    }

    /// The link of a release: the comparison with the previous one, or the tag.
    #[must_use]
    pub fn url(&self, id: ReleaseId, previous: Option<ReleaseId>) -> String {
        let p = &self.tag_prefix;
        let dash = if self.gitlab() { "/-" } else { "" };
        match previous {
            Some(prev) => format!("{}{dash}/compare/{p}{prev}...{p}{id}", self.web),
            None if self.gitlab() => format!("{}/-/tags/{p}{id}", self.web),
            None => format!("{}/releases/tag/{p}{id}", self.web),
        }
    }
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

/// The version a `## …` heading names: `## [2027.1] - …` → `2027.1`,
/// `## [Unreleased]` → `Unreleased`.
fn heading_label(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("## ")?.trim_start();
    if let Some(inner) = rest.strip_prefix('[') {
        inner.split(']').next()
    } else {
        rest.split_whitespace().next()
    }
}

/// The label of a link reference definition: `[2027.1]: https://…` → `2027.1`.
fn ref_label(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let (label, rest) = inner.split_once("]:")?;
    (!label.is_empty() && !rest.trim().is_empty()).then_some(label)
}

/// Puts `section` (from [`section`]) for release `id` into `existing` changelog
/// text (none or blank: a new file with [`HEADER`]). Replaces the release's own
/// section if there is one, else inserts it before the first older release; with
/// `links`, adds or replaces the release's link reference at the bottom.
#[must_use]
pub fn splice(
    existing: Option<&str>,
    id: ReleaseId,
    section: &str,
    links: Option<&Links>,
) -> String {
    let existing = existing.filter(|e| !e.trim().is_empty());
    let source = existing.map_or_else(|| HEADER.to_owned(), str::to_owned);
    // Keep the file's line endings.
    let eol = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let label = id.to_string();
    let mut lines: Vec<String> = source.lines().map(str::to_owned).collect();

    // The trailing block of link references (blank lines between allowed).
    let mut refs_start = lines.len();
    for (i, l) in lines.iter().enumerate().rev() {
        if l.trim().is_empty() {
            continue;
        }
        if ref_label(l).is_some() {
            refs_start = i;
        } else {
            break;
        }
    }
    let mut refs: Vec<String> = lines
        .split_off(refs_start)
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut body = lines;

    let new_lines: Vec<String> = section.lines().map(str::to_owned).collect();
    let headings: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("## "))
        .map(|(i, _)| i)
        .collect();
    let own = headings
        .iter()
        .copied()
        .find(|&i| heading_label(&body[i]) == Some(label.as_str()));
    if let Some(start) = own {
        let end = headings
            .iter()
            .copied()
            .find(|&j| j > start)
            .unwrap_or(body.len());
        let mut replacement = new_lines;
        replacement.push(String::new());
        body.splice(start..end, replacement);
    } else {
        let older = headings.iter().copied().find(|&i| {
            heading_label(&body[i])
                .and_then(|l| l.parse::<ReleaseId>().ok())
                .is_some_and(|other| other < id)
        });
        let mut insertion = new_lines;
        insertion.push(String::new());
        match older {
            Some(at) => {
                body.splice(at..at, insertion);
            }
            None => {
                while body.last().is_some_and(|l| l.trim().is_empty()) {
                    body.pop();
                }
                if !body.is_empty() {
                    body.push(String::new());
                }
                body.extend(insertion);
            }
        }
    }
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }

    if let Some(links) = links {
        let previous = body
            .iter()
            .filter_map(|l| heading_label(l)?.parse::<ReleaseId>().ok())
            .filter(|other| *other < id)
            .max();
        let line = format!("[{label}]: {}", links.url(id, previous));
        if let Some(pos) = refs
            .iter()
            .position(|r| ref_label(r) == Some(label.as_str()))
        {
            refs[pos] = line;
        } else {
            let at = refs
                .iter()
                .position(|r| {
                    ref_label(r)
                        .and_then(|l| l.parse::<ReleaseId>().ok())
                        .is_some_and(|other| other < id)
                })
                .unwrap_or(refs.len());
            refs.insert(at, line);
        }
    }

    let mut out = body.join(eol);
    out.push_str(eol);
    if !refs.is_empty() {
        out.push_str(eol);
        out.push_str(&refs.join(eol));
        out.push_str(eol);
    }
    out
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
        let out = splice(None, rid("2027.1"), S1, None);
        assert!(out.starts_with("# Changelog\n"));
        assert!(out.ends_with("- One (CR-1)\n"));
    }

    #[test]
    fn splicing_twice_is_identical_and_newest_first() {
        let links = Links {
            web: "https://github.com/acme/portal".into(),
            tag_prefix: "v".into(),
        };
        let one = splice(None, rid("2027.1"), S1, Some(&links));
        let two = splice(Some(&one), rid("2027.2"), S2, Some(&links));
        assert_eq!(splice(Some(&two), rid("2027.2"), S2, Some(&links)), two);
        assert_eq!(splice(Some(&two), rid("2027.1"), S1, Some(&links)), two);
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
        let out = splice(Some(hand), rid("2027.1"), S1, None);
        assert!(out.contains("Hand-written intro."));
        assert!(out.contains("- something\n"));
        assert!(out.contains("- hand edit\n"));
        assert!(!out.contains("Old text"));
        assert!(out.contains("- One (CR-1)\n\n## [2026.6]"));
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let hand = "# Changelog\r\n\r\n## [2026.6] - 2026-11-10\r\n\r\n- old\r\n";
        let out = splice(Some(hand), rid("2027.1"), S1, None);
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert!(out.starts_with("# Changelog\r\n\r\n## [2027.1] - 2027-01-12\r\n"));
        assert_eq!(splice(Some(&out), rid("2027.1"), S1, None), out);
    }

    #[test]
    fn hotfixes_sort_above_their_release() {
        let one = splice(None, rid("2027.1"), S1, None);
        let fix = "## [2027.1.1] - 2027-01-20\n\n### Fixed\n\n- Hot (CR-9)\n";
        let out = splice(Some(&one), rid("2027.1.1"), fix, None);
        let two = splice(Some(&out), rid("2027.2"), S2, None);
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
