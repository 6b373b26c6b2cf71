//! What a backport the action ran tells people: one row per line asked for, shown in the
//! comment on the pull request, the job summary and the step outputs alike.

use git_hotfix_core::operations::backport::{Backport, Target};
use git_hotfix_core::records::journal::TargetStatus;

/// The marker that finds the action's comment again on a rerun.
pub const MARKER: &str = "<!-- git-hotfix:backport -->";

/// How a line conflicting is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConflictAnswer {
    /// A draft pull request with the conflict markers committed, labelled `conflicts`
    Draft,
    /// Only a row in the comment, with the command that finishes it on a developer's machine
    Comment,
}

/// One line's result.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether this run opened the pull request (not found from an earlier run).
    pub created: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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

/// The comment on the pull request (and the job summary): a table of lines, then how to
/// finish each conflicting one.
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
pub(super) fn code(text: &str) -> String {
    let text = cell(text);
    let fence = "`".repeat(longest_backticks(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text in a table cell: on one line, its `|` escaped.
pub(super) fn cell(text: &str) -> String {
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
    }
}
