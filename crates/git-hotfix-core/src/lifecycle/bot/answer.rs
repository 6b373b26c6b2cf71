//! What the bot's backports tell people: one row per line asked for, shown in the comment
//! on the pull request, the job summary and the step outputs alike. The comment is the
//! state of every line ever asked for on its pull request: it carries its rows as a record
//! (an HTML comment GitHub does not show), and each run's rows are merged into what the
//! last one recorded, so that asking for one more line never makes the others disappear.

use crate::operations::backport::{Backport, Target};
use crate::records::journal::TargetStatus;

/// The marker that finds the action's comment again on a rerun.
pub const MARKER: &str = "<!-- git-hotfix:backport -->";

/// Where the comment's record of its rows starts (and `-->` where it ends).
const RECORD: &str = "<!-- git-hotfix:backport-rows ";

/// One line's result.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Row {
    pub line: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The backport branch, when one was pushed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Conflicting paths, or why nothing was done.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether this run opened the pull request (not found from an earlier run).
    #[serde(default)]
    pub created: bool,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Picked cleanly, in a pull request.
    Proposed,
    /// The line has the change already.
    HasIt,
    Conflict,
    Skipped,
    /// No branch of that name on the remote.
    Missing,
}

impl Row {
    pub fn missing(line: &str, remote: &str) -> Row {
        Row {
            line: line.to_string(),
            status: Status::Missing,
            pull: None,
            url: None,
            branch: None,
            conflicts: Vec::new(),
            reason: Some(format!("no branch `{line}` on {remote}")),
            created: false,
        }
    }

    fn of(run: &Backport, target: &Target) -> Row {
        let status = match target.status {
            TargetStatus::Clean => Status::Proposed,
            TargetStatus::Empty if target.existing.is_some() => Status::Proposed,
            TargetStatus::Empty => Status::HasIt,
            TargetStatus::Conflict => Status::Conflict,
            TargetStatus::Skipped | TargetStatus::Pending => Status::Skipped,
        };
        let created = run
            .steps
            .opened()
            .any(|(request, opened)| request.head == target.branch && opened.created);
        Row {
            line: target.target.clone(),
            status,
            pull: target.pull.as_ref().map(|p| p.number),
            url: target.pull.as_ref().map(|p| p.url.clone()),
            branch: target
                .proposed_tip()
                .is_some()
                .then(|| target.branch.clone()),
            conflicts: target.conflicts.clone(),
            reason: target.reason.clone(),
            created,
        }
    }

    /// Whether the line has the fix, or will once its pull request merges.
    pub fn done(&self) -> bool {
        matches!(self.status, Status::Proposed | Status::HasIt)
    }
}

/// The rows of a run's targets, after the lines that were not there.
pub fn rows(run: &Backport, missing: Vec<Row>) -> Vec<Row> {
    let mut rows = missing;
    rows.extend(run.targets.iter().map(|t| Row::of(run, t)));
    rows
}

/// The rows an earlier run recorded in comment `body` (none when it has no record, or one
/// that does not read: the comment is then rewritten from this run alone). A row whose line
/// could not name a branch is dropped.
pub fn remembered(body: &str) -> Vec<Row> {
    let Some(start) = body.find(RECORD) else {
        return Vec::new();
    };
    let rest = &body[start + RECORD.len()..];
    let Some(end) = rest.find("-->") else {
        return Vec::new();
    };
    let rows: Vec<Row> = serde_json::from_str(rest[..end].trim()).unwrap_or_default();
    rows.into_iter()
        .filter(|row| row.status == Status::Missing || super::branch_like(&row.line))
        .map(|row| Row {
            created: false,
            ..row
        })
        .collect()
}

/// What the comment shows after this run: the lines `earlier` recorded, in their order,
/// each as this run left it when it was asked again, then the lines asked for the first
/// time.
pub fn merged(earlier: Vec<Row>, now: &[Row]) -> Vec<Row> {
    let mut rows: Vec<Row> = earlier
        .into_iter()
        .map(|old| match now.iter().find(|row| row.line == old.line) {
            Some(row) => row.clone(),
            None => old,
        })
        .collect();
    for row in now {
        if !rows.iter().any(|r| r.line == row.line) {
            rows.push(row.clone());
        }
    }
    rows
}

/// The rows as the comment's record: JSON in an HTML comment, `<` and `>` escaped so that
/// no text of a row can end it. It keeps what the table shows, so that a rerun that finds
/// everything as it was leaves the comment as it was.
fn record(rows: &[Row]) -> String {
    let rows: Vec<Row> = rows
        .iter()
        .map(|row| Row {
            created: false,
            reason: match row.status {
                Status::Proposed | Status::Conflict => None,
                _ => row.reason.clone(),
            },
            ..row.clone()
        })
        .collect();
    let json = serde_json::to_string(&rows)
        .expect("rows serialize")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    format!("{RECORD}{json} -->\n")
}

/// The comment on the pull request (and the job summary): a table of lines, then how to
/// finish each conflicting one, and the rows' record for the next run.
pub fn markdown(number: u64, rows: &[Row], remote: &str, run_url: Option<&str>) -> String {
    let mut text =
        format!("{MARKER}\n### Backport of #{number}\n\n| Line | Result |\n| --- | --- |\n");
    for row in rows {
        let result = match row.status {
            Status::Proposed => match row.pull {
                Some(pull) => format!("✅ #{pull}"),
                None => "✅ picked".into(),
            },
            Status::HasIt => format!(
                "✅ {}",
                cell(row.reason.as_deref().unwrap_or("already has the change"))
            ),
            Status::Conflict => {
                let paths = paths(&row.conflicts);
                match row.pull {
                    Some(pull) => {
                        format!("⚠️ conflict in {paths}: draft #{pull} has the markers committed")
                    }
                    None => format!("⚠️ conflict in {paths}"),
                }
            }
            Status::Skipped | Status::Missing => {
                format!("❌ {}", cell(row.reason.as_deref().unwrap_or("skipped")))
            }
        };
        text.push_str(&format!("| {} | {result} |\n", code(&row.line)));
    }
    for row in rows.iter().filter(|r| r.status == Status::Conflict) {
        text.push('\n');
        let (what, commands) = match (&row.branch, row.pull) {
            (Some(branch), Some(_)) => (
                format!(
                    "To resolve {}: fetch the draft's branch, fix the files, commit and push, then mark it ready for review:",
                    code(&row.line)
                ),
                format!("git fetch {remote} {branch}\ngit switch {branch}"),
            ),
            _ => (
                format!(
                    "To backport to {} on your machine (it stops at the conflict for you to resolve, then `git hotfix continue` opens the pull request):",
                    code(&row.line)
                ),
                command(number, &row.line),
            ),
        };
        let fence = "`".repeat(longest_backticks(&commands).max(2) + 1);
        text.push_str(&format!("{what}\n\n{fence}sh\n{commands}\n{fence}\n"));
    }
    if let Some(url) = run_url {
        text.push_str(&format!(
            "\n<sub>By git-hotfix in [this run]({url}).</sub>\n"
        ));
    }
    text.push_str(&record(rows));
    text
}

/// The command that does a line's backport on a developer's machine.
pub fn command(number: u64, line: &str) -> String {
    format!("git hotfix backport --pull {number} --to {line} --pr")
}

fn paths(paths: &[String]) -> String {
    if paths.is_empty() {
        return "the picked files".into();
    }
    paths.iter().map(|p| code(p)).collect::<Vec<_>>().join(", ")
}

/// `text` (a branch name, a path: anything git allows) as inline code in a table cell: a
/// fence longer than its longest run of backticks, `|` escaped (GitHub splits cells on it
/// even in code), control characters as `?`.
pub fn code(text: &str) -> String {
    let text = one_line(text);
    let fence = "`".repeat(longest_backticks(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text in a table cell: on one line, its `|` escaped, and no HTML (a `<!--` would hide
/// the rest of the comment).
pub fn cell(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect::<String>()
        .replace('|', "\\|")
}

fn longest_backticks(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_git_cannot_break_the_table() {
        assert_eq!(code("release/1.2"), "`release/1.2`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("two\nlines"), "`two?lines`");
        assert_eq!(cell("see | here"), "see \\| here");
        assert_eq!(cell("a <!-- b"), "a &lt;!-- b");
        assert_eq!(code("a<b"), "`a<b`");
    }

    fn row(line: &str, status: Status, pull: Option<u64>) -> Row {
        Row {
            line: line.into(),
            status,
            pull,
            url: None,
            branch: None,
            conflicts: Vec::new(),
            reason: None,
            created: true,
        }
    }

    #[test]
    fn the_comment_remembers_every_line_ever_asked_for() {
        let first = [
            row("release/1.2", Status::Proposed, Some(2)),
            row("release/1.1", Status::Conflict, Some(3)),
        ];
        let text = markdown(1, &first, "origin", None);
        let earlier = remembered(&text);
        assert_eq!(earlier.len(), 2);
        assert!(earlier.iter().all(|r| !r.created));
        let now = [
            row("release/1.2", Status::HasIt, None),
            row("develop", Status::Proposed, Some(4)),
        ];
        let rows = merged(earlier, &now);
        let lines: Vec<(&str, Status)> = rows.iter().map(|r| (r.line.as_str(), r.status)).collect();
        assert_eq!(
            lines,
            [
                ("release/1.2", Status::HasIt),
                ("release/1.1", Status::Conflict),
                ("develop", Status::Proposed),
            ]
        );
        // Again from the new comment: nothing forgotten.
        let again = remembered(&markdown(1, &rows, "origin", None));
        assert_eq!(again.len(), 3);
    }

    #[test]
    fn no_text_in_a_row_ends_the_record_early() {
        let mut hostile = row("release/1.2", Status::Skipped, None);
        hostile.reason = Some("--> <script>alert(1)</script> <!--".into());
        let text = markdown(1, std::slice::from_ref(&hostile), "origin", None);
        assert!(!text.contains("<script>"));
        assert_eq!(remembered(&text)[0].reason, hostile.reason);
        // A record edited into nonsense is forgotten, not trusted.
        assert!(remembered("<!-- git-hotfix:backport-rows [{\"line\":1}] -->").is_empty());
        let forged = r#"<!-- git-hotfix:backport-rows [{"line":"a b|c","status":"proposed","created":true}] -->"#;
        assert!(remembered(forged).is_empty());
    }
}
