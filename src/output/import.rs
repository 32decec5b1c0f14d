//! The table of `import`: what happened to each issue of the export.

use std::io::{self, Write};

use super::{table, write_table, Report};
use crate::import::Action;
use crate::ops::import::ImportReport;
use crate::ui::{Paint, Style};

impl Report for ImportReport {
    fn render(&self, w: &mut dyn Write, paint: &Paint) -> io::Result<()> {
        if self.items.is_empty() {
            writeln!(w, "{} holds no issues", self.file)?;
        } else {
            let mut t = table(["issue", "request", "action", "title", "detail"]);
            for i in &self.items {
                let detail = match (i.action, &i.reason) {
                    (_, Some(r)) if i.id.is_some() => {
                        format!("{r}; {} left as it is", i.id.as_deref().unwrap_or_default())
                    }
                    (_, Some(r)) => r.clone(),
                    (Action::Updated, None) => i.changed.join(", "),
                    _ => String::new(),
                };
                t.add_row(vec![
                    i.source.as_deref().map_or_else(
                        || match (i.line, i.index) {
                            (Some(l), _) => format!("(line {l})"),
                            (_, Some(n)) => format!("(issue {n})"),
                            _ => String::new(),
                        },
                        short_source,
                    ),
                    i.id.clone().unwrap_or_default(),
                    i.action.as_str().to_owned(),
                    i.title.clone().unwrap_or_default(),
                    detail,
                ]);
            }
            write_table(w, &t)?;
        }
        let summary = format!(
            "{} created, {} updated, {} unchanged, {} skipped",
            self.created, self.updated, self.unchanged, self.skipped
        );
        if self.dry_run {
            writeln!(
                w,
                "{summary} {}",
                paint.apply(Style::Dim, "(dry run: nothing written)")
            )
        } else {
            writeln!(w, "{summary}")
        }
    }
}

/// An issue URL as `owner/repo#12` (GitHub) or `group/project#12` (GitLab);
/// anything else (a Jira key) as it is.
fn short_source(source: &str) -> String {
    let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    else {
        return source.to_owned();
    };
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    let (project, number) = match path.rsplit_once("/issues/") {
        Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (p, n),
        _ => return source.to_owned(),
    };
    let project = project.strip_suffix("/-").unwrap_or(project);
    format!("{project}#{number}")
}

#[cfg(test)]
mod tests {
    use super::short_source;

    #[test]
    fn sources_shorten_to_project_and_number() {
        assert_eq!(
            short_source("https://github.com/acme/portal/issues/12"),
            "acme/portal#12"
        );
        assert_eq!(
            short_source("https://gitlab.example/group/sub/portal/-/issues/5"),
            "group/sub/portal#5"
        );
        assert_eq!(short_source("PP-101"), "PP-101");
        assert_eq!(
            short_source("https://example.com/browse/PP-1"),
            "https://example.com/browse/PP-1"
        );
    }
}
