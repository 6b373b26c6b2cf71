//! The fix a hotfix carries: its commits, from the branch while it is in progress and from
//! below its release once it is finished, as the journal and the repository tell them.

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::Result;
use crate::git::repo::Repo;
use crate::records::journal::{Journal, State};

/// A commit of the fix (the release commit is not part of it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FixCommit {
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub id: ObjectId,
    pub at: Timestamp,
    pub summary: String,
    /// The message after its first line.
    pub body: String,
    /// It changes a test file: the regression test the runbook asks for.
    pub touches_tests: bool,
}

/// The fix's commits, oldest first: on the branch while it is in progress, below the
/// release commit (or the tag) once finished.
pub fn fix_commits(repo: &Repo, journal: &Journal) -> Result<Vec<FixCommit>> {
    let Some(tip) = fix_tip(repo, journal)? else {
        return Ok(Vec::new());
    };
    let mut commits = Vec::new();
    for id in fix_ids(repo, journal, tip)?.into_iter().rev() {
        let touches_tests = crate::git::diff::commit(repo, id, crate::git::diff::Style::Review)?
            .iter()
            .any(|file| is_test_path(file.path()));
        let message = repo.message(id)?;
        let (summary, body) = message.split_once('\n').unwrap_or((&message, ""));
        commits.push(FixCommit {
            id,
            at: repo.commit_time(id)?,
            summary: summary.trim().to_string(),
            body: body.trim().to_string(),
            touches_tests,
        });
    }
    Ok(commits)
}

/// The fix's commits below `tip`, newest first: from its base, without the release commits
/// its runs made, and without the newer releases it was merged into (someone else's work)
/// or those merges.
pub fn fix_ids(repo: &Repo, journal: &Journal, tip: ObjectId) -> Result<Vec<ObjectId>> {
    let merges = journal.onto_merges();
    let mut hidden = vec![journal.base.commit()];
    // A merge a stopped run made and an abort dropped may be gone: it hides nothing then.
    hidden.extend(
        merges
            .iter()
            .filter_map(|m| repo.first_parent(*m).ok().flatten()),
    );
    let releases = journal.release_commits();
    let mut commits = repo.commits_hiding(hidden, tip)?;
    commits.retain(|c| !releases.contains(c) && !merges.contains(c));
    Ok(commits)
}

fn fix_tip(repo: &Repo, journal: &Journal) -> Result<Option<ObjectId>> {
    if journal.state == State::Active
        && let Some(tip) = repo.branch_tip(&journal.branch)?
    {
        return Ok(Some(tip));
    }
    if let Some(release) = release_commit(journal) {
        return repo.first_parent(release);
    }
    repo.peeled_commit(&format!("refs/tags/{}", journal.tag))
}

/// The release commit `finish` (or `finish --pr`) made on top of the fix.
pub fn release_commit(journal: &Journal) -> Option<ObjectId> {
    journal.release_commits().last().copied()
}

/// Whether a changed path is a test: under a test directory, or named like one.
pub fn is_test_path(path: &str) -> bool {
    const DIRS: &[&str] = &["test", "tests", "spec", "specs", "__tests__", "testing"];
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or_default();
    if parts.any(|dir| DIRS.contains(&dir)) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or_default();
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
        || name.contains(".test.")
        || name.contains(".spec.")
}

/// How a commit message heads its root cause, in the languages our runbooks are written in.
const ROOT_CAUSE: &[&str] = &["root cause:", "根本原因：", "根本原因:", "根因：", "根因:"];

/// The first `Root cause:` (`根本原因：`) paragraph in the fix's commit messages: what the PR
/// body and the reports say happened.
pub fn root_cause(fix: &[FixCommit]) -> Option<String> {
    for commit in fix {
        let mut lines = commit.body.lines();
        while let Some(line) = lines.next() {
            let trimmed = line.trim();
            let Some(rest) = ROOT_CAUSE.iter().find_map(|head| {
                trimmed
                    .get(..head.len())
                    .filter(|start| start.eq_ignore_ascii_case(head))
                    .map(|_| trimmed[head.len()..].trim())
            }) else {
                continue;
            };
            let mut text = rest.to_string();
            for more in lines.by_ref() {
                let more = more.trim();
                if more.is_empty() {
                    break;
                }
                // Chinese runs on across a line break; words are spaced.
                let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
                if !(wide(text.chars().last()) && wide(more.chars().next())) {
                    text.push(' ');
                }
                text.push_str(more);
            }
            return Some(text.trim().to_string()).filter(|t| !t.is_empty());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(body: &str) -> FixCommit {
        FixCommit {
            id: ObjectId::null(gix::hash::Kind::Sha1),
            at: Timestamp::UNIX_EPOCH,
            summary: "fix: x".into(),
            body: body.into(),
            touches_tests: false,
        }
    }

    #[test]
    fn the_root_cause_paragraph_is_read_from_the_commit_messages() {
        let fix = [
            commit("Refuse unsigned tokens."),
            commit(
                "Details.\n\nRoot cause: the token check\nskipped unsigned tokens.\n\nFixes: #12",
            ),
        ];
        assert_eq!(
            root_cause(&fix).as_deref(),
            Some("the token check skipped unsigned tokens.")
        );
        assert_eq!(root_cause(&[commit("No cause given.")]), None);
        assert_eq!(
            root_cause(&[commit("ROOT CAUSE: race")]).as_deref(),
            Some("race")
        );
        assert_eq!(
            root_cause(&[commit("细节。\n\n根本原因：会话在渲染前\n未初始化。")]).as_deref(),
            Some("会话在渲染前未初始化。")
        );
    }
}
