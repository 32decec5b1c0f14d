//! Issue lists as JSON into [`Record`]s: what `gh issue list --json
//! number,title,body,labels,milestone,createdAt,state,url` prints, and GitLab's
//! `GET /projects/:id/issues`.
//!
//! Both are an array of objects; each key becomes a field. Values are flattened to
//! text the same way for both: strings as they are, numbers and booleans in JSON
//! notation, `null` as no value, a list as one value per element, and an object (a
//! GitHub label, a milestone, a user) as its `name`, `title`, `login` or `username`.
//! So GitHub's `labels: [{"name": "bug"}]` and GitLab's `labels: ["bug"]` both give
//! the field `labels` the value `bug`.

use serde_json::Value;

use super::{strip_bom, ParseError, Position, Record};

/// Keys whose value stands for an object (a label, milestone, user), in order.
const OBJECT_NAMES: &[&str] = &["name", "title", "login", "username"];

/// Parses a JSON array of issues.
///
/// # Errors
/// When the text is not JSON, or not an array of objects.
pub fn parse(input: &[u8]) -> Result<Vec<Record>, ParseError> {
    let value: Value = serde_json::from_slice(strip_bom(input)).map_err(|e| {
        let (line, column) = match e.line() {
            0 => (None, None),
            l => (Some(l as u64), Some(e.column() as u64)),
        };
        ParseError {
            line,
            column,
            message: format!("invalid JSON: {}", strip_position(&e.to_string())),
            hint: "save the output of `gh issue list --json number,title,body,labels,milestone,createdAt,state,url` (or GitLab's issues API) unchanged".into(),
        }
    })?;
    let Value::Array(items) = value else {
        return Err(ParseError {
            line: None,
            column: None,
            message: format!("expected a JSON array of issues, found {}", kind_of(&value)),
            hint: "`gh issue list --json …` and GitLab's issues API print an array `[{…}, …]`"
                .into(),
        });
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(fields) = item else {
            return Err(ParseError {
                line: None,
                column: None,
                message: format!(
                    "issue {} of the array is {}, not an object",
                    i + 1,
                    kind_of(&item)
                ),
                hint: "each element must be an issue object `{\"title\": …, …}`".into(),
            });
        };
        let mut record = Record::new(Position::Index(i + 1));
        for (name, v) in &fields {
            record.push(name, "");
            for text in flatten(v) {
                record.push(name, &text);
            }
        }
        out.push(record);
    }
    Ok(out)
}

/// A JSON value as the text values of a field.
fn flatten(v: &Value) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::String(s) => vec![s.replace("\r\n", "\n")],
        Value::Array(a) => a.iter().flat_map(flatten).collect(),
        Value::Object(o) => OBJECT_NAMES
            .iter()
            .find_map(|k| o.get(*k).filter(|v| !v.is_null()))
            .map(flatten)
            .unwrap_or_default(),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json appends ` at line L column C`; the caller prints the place itself.
fn strip_position(msg: &str) -> &str {
    msg.rfind(" at line ").map_or(msg, |i| &msg[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gh_issue_list_output() {
        let json = r#"[{"body":"de: Text\r\nen: Text","createdAt":"2026-11-02T08:15:00Z",
            "labels":[{"id":"LA_1","name":"bug","description":"","color":"d73a4a"},{"id":"LA_2","name":"effort:5","description":"","color":"ededed"}],
            "milestone":{"number":3,"title":"2027.1","description":"","dueOn":null},
            "number":12,"state":"OPEN","title":"Export hangs","url":"https://github.com/acme/portal/issues/12"},
            {"body":"","createdAt":"2026-11-03T08:15:00Z","labels":[],"milestone":null,"number":13,"state":"CLOSED","title":"Old","url":"https://github.com/acme/portal/issues/13"}]"#;
        let r = parse(json.as_bytes()).expect("parses");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].values("labels"), ["bug", "effort:5"]);
        assert_eq!(r[0].first("milestone"), Some("2027.1"));
        assert_eq!(r[0].first("number"), Some("12"));
        assert_eq!(r[0].first("body"), Some("de: Text\nen: Text"));
        assert_eq!(r[0].at, Position::Index(1));
        assert!(r[1].values("milestone").is_empty());
        assert!(r[1].has_field("milestone"));
    }

    #[test]
    fn gitlab_issues_api_output() {
        let json = "\u{feff}[{\"iid\":5,\"title\":\"Widget\",\"description\":null,\"state\":\"opened\",\"labels\":[\"type::feature\",\"effort::3\"],\"weight\":null,\"author\":{\"username\":\"anna\"},\"web_url\":\"https://gitlab.example/g/p/-/issues/5\"}]";
        let r = parse(json.as_bytes()).expect("parses");
        assert_eq!(r[0].values("labels"), ["type::feature", "effort::3"]);
        assert_eq!(r[0].first("author"), Some("anna"));
        assert_eq!(r[0].first("weight"), None);
        assert_eq!(r[0].first("description"), None);
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse(b"[\n  {\"title\": \"x\",}\n]").expect_err("trailing comma");
        assert_eq!((e.line, e.column), (Some(2), Some(17)));
        assert!(e.message.starts_with("invalid JSON: "), "{}", e.message);
        assert!(!e.message.contains("at line"), "{}", e.message);
        let e = parse(br#"{"issues": []}"#).expect_err("object");
        assert!(e.message.contains("found an object"), "{}", e.message);
        let e = parse(br#"[{"title": "x"}, 3]"#).expect_err("number");
        assert!(
            e.message.contains("issue 2 of the array is a number"),
            "{}",
            e.message
        );
        assert_eq!(parse(b"[]").expect("empty"), vec![]);
    }
}
