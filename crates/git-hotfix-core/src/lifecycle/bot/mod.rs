//! The backport bot (`git hotfix action`): what an event asks of it, and the one comment
//! that answers on the pull request. The event's payload is read by the GitHub adapter;
//! here is what follows from it, whatever runner the bot runs on.

pub mod answer;
pub mod ask;

use crate::settings::config::Config;

/// `/backport release/1.2 release/1.3` as the first line of a comment (`/Backport`, any
/// case, as GitHub's `startsWith` in a workflow's `if:` takes it): the lines it names.
pub fn asked_lines(body: &str) -> Option<Vec<String>> {
    const COMMAND: &str = "/backport";
    let first = body.lines().map(str::trim).find(|l| !l.is_empty())?;
    let head = first.get(..COMMAND.len())?;
    if !head.eq_ignore_ascii_case(COMMAND) {
        return None;
    }
    let rest = &first[COMMAND.len()..];
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(
        rest.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The lines labels name (through `backport-labels` or `backport-label-mapping`), in
/// their order, once each.
pub fn targets_of<'a>(config: &Config, labels: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut targets: Vec<String> = Vec::new();
    for label in labels {
        for line in config.github.lines_asked_by(label) {
            if !targets.contains(&line) {
                targets.push(line);
            }
        }
    }
    targets
}

/// Whether `text` can name branches (a name, or a glob of names), as a label or a comment
/// gives it.
pub fn branch_like(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backport_comments_name_their_lines() {
        assert_eq!(
            asked_lines("/backport release/1.2, release/1.3\nthanks"),
            Some(vec!["release/1.2".into(), "release/1.3".into()])
        );
        assert_eq!(asked_lines("\n  /backport\n"), Some(vec![]));
        assert_eq!(
            asked_lines("/Backport release/1.2"),
            Some(vec!["release/1.2".into()])
        );
        assert_eq!(
            asked_lines("/BACKPORT develop"),
            Some(vec!["develop".into()])
        );
        assert_eq!(asked_lines("/backports please"), None);
        assert_eq!(asked_lines("please /backport release/1.2"), None);
        assert_eq!(asked_lines("/back"), None);
        assert_eq!(asked_lines("/backpört x"), None);
    }

    #[test]
    fn only_branch_names_reach_git() {
        assert!(branch_like("release/1.2") && branch_like("release/*"));
        for bad in ["--upload-pack=x", "a|b", "`x`", "", "a b", "x;y"] {
            assert!(!branch_like(bad), "{bad}");
        }
    }
}
