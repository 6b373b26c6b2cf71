//! The webhook events a GitHub Actions workflow runs on, read from the payload GitHub
//! writes to `$GITHUB_EVENT_PATH`: only the fields git-hotfix acts on, each checked.

use serde_json::Value;

use crate::Repository;

/// What happened, as far as git-hotfix cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `pull_request` or `pull_request_target`: `action` is `closed`, `labeled`, …
    Pull {
        action: String,
        pull: PullEvent,
        /// The label a `labeled` event added.
        label: Option<String>,
        repository: Repository,
    },
    /// `issue_comment` on an issue or a pull request.
    Comment {
        action: String,
        /// The (or pull request's) number.
        number: u64,
        /// Whether it is a pull request's conversation.
        on_pull: bool,
        comment: u64,
        body: String,
        author: String,
        repository: Repository,
    },
    /// An event git-hotfix does nothing with.
    Other { name: String },
}

/// A pull request as the event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullEvent {
    pub number: u64,
    pub title: String,
    pub url: String,
    pub merged: bool,
    pub merge_commit: Option<String>,
    pub base: String,
    pub head: String,
    pub head_sha: String,
    /// The repository the head branch is in (`owner/name`): another one for a fork's pull
    /// request; `None` once that fork is deleted.
    pub head_repository: Option<String>,
    /// The description, as markdown (empty when there is none).
    pub body: String,
    pub labels: Vec<String>,
}

/// Why a payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the `{event}` event's payload has no usable `{field}`")]
pub struct EventError {
    pub event: String,
    pub field: String,
}

impl Event {
    /// The repository the event happened in (`None` for an event git-hotfix ignores).
    pub fn repository(&self) -> Option<&Repository> {
        match self {
            Event::Pull { repository, .. } | Event::Comment { repository, .. } => Some(repository),
            Event::Other { .. } => None,
        }
    }

    /// The event `name` (`$GITHUB_EVENT_NAME`) with its `payload`.
    pub fn parse(name: &str, payload: &Value) -> Result<Event, EventError> {
        let missing = |field: &str| EventError {
            event: name.to_string(),
            field: field.to_string(),
        };
        let text = |value: &Value, pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| missing(pointer.trim_start_matches('/')))
        };
        let number = |value: &Value, pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_u64)
                .ok_or_else(|| missing(pointer.trim_start_matches('/')))
        };
        let repository = |payload: &Value| {
            let full = text(payload, "/repository/full_name")?;
            Repository::parse(&full).map_err(|_| missing("repository/full_name"))
        };
        match name {
            "pull_request" | "pull_request_target" => {
                let pull = payload
                    .get("pull_request")
                    .ok_or_else(|| missing("pull_request"))?;
                let labels = pull
                    .get("labels")
                    .and_then(Value::as_array)
                    .map(|labels| {
                        labels
                            .iter()
                            .filter_map(|l| l.get("name").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let merged = pull
                    .get("merged")
                    .and_then(Value::as_bool)
                    .unwrap_or_else(|| pull.get("merged_at").is_some_and(|m| !m.is_null()));
                Ok(Event::Pull {
                    action: text(payload, "/action")?,
                    pull: PullEvent {
                        number: number(pull, "/number")?,
                        title: text(pull, "/title")?,
                        url: text(pull, "/html_url")?,
                        merged,
                        merge_commit: text(pull, "/merge_commit_sha").ok(),
                        base: text(pull, "/base/ref")?,
                        head: text(pull, "/head/ref")?,
                        head_sha: text(pull, "/head/sha")?,
                        head_repository: text(pull, "/head/repo/full_name").ok(),
                        body: text(pull, "/body").unwrap_or_default(),
                        labels,
                    },
                    label: text(payload, "/label/name").ok(),
                    repository: repository(payload)?,
                })
            }
            "issue_comment" => Ok(Event::Comment {
                action: text(payload, "/action")?,
                number: number(payload, "/issue/number")?,
                // GitHub marks a pull request's conversation with `issue.pull_request`.
                on_pull: payload
                    .pointer("/issue/pull_request")
                    .is_some_and(|p| !p.is_null()),
                comment: number(payload, "/comment/id")?,
                body: text(payload, "/comment/body")?,
                author: text(payload, "/comment/user/login")?,
                repository: repository(payload)?,
            }),
            other => Ok(Event::Other {
                name: other.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merged_pull_request_with_its_labels() {
        let payload = json!({
            "action": "closed",
            "number": 7,
            "pull_request": {
                "number": 7, "title": "Fix", "html_url": "https://github.com/a/b/pull/7",
                "merged": true, "merge_commit_sha": "abc",
                "base": { "ref": "main", "repo": { "full_name": "a/b" } },
                "head": { "ref": "fix", "sha": "def", "repo": { "full_name": "a/b" } },
                "labels": [{ "name": "backport release/1.2" }, { "name": "bug" }],
            },
            "repository": { "full_name": "a/b" },
        });
        let Event::Pull { action, pull, .. } = Event::parse("pull_request", &payload).unwrap()
        else {
            panic!("a pull request event");
        };
        assert_eq!(action, "closed");
        assert!(pull.merged);
        assert_eq!(pull.labels, ["backport release/1.2", "bug"]);
        assert_eq!(pull.merge_commit.as_deref(), Some("abc"));
    }

    #[test]
    fn what_is_missing_is_named() {
        let err = Event::parse("issue_comment", &json!({ "action": "created" })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the `issue_comment` event's payload has no usable `issue/number`"
        );
        assert_eq!(
            Event::parse("push", &json!({})).unwrap(),
            Event::Other {
                name: "push".into()
            }
        );
    }
}
