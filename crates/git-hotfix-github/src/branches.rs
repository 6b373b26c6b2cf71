//! Branches as GitHub holds them: whether one has a commit, whether it is protected,
//! GitHub's own merge of a commit into one (`POST /merges`, so no clone needs the history
//! a merge base takes), and a branch made to propose a commit.

use http::Method;
use serde_json::{Value, json};

use crate::http::{Reply, Request};
use crate::{Error, GitHub, Result, segment};

/// A branch on GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub name: String,
    pub sha: String,
    /// Branch protection (or a ruleset) guards it: pushes and merges go through reviews.
    pub protected: bool,
}

/// What GitHub did when asked to merge a commit into a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// A merge commit, now the branch's tip.
    Merged { sha: String },
    /// The branch had the commit already.
    HasIt,
    /// The two conflict: a person must merge them.
    Conflict,
    /// GitHub would not (a protection rule, a missing commit): its words.
    Refused { reason: String },
}

/// `refs/heads/<name>` as a path, each part escaped.
fn heads_path(name: &str) -> String {
    name.split('/').map(segment).collect::<Vec<_>>().join("/")
}

impl GitHub {
    /// Branch `name`; `None` when the repository has none (or in plan mode).
    pub async fn branch(&self, name: &str) -> Result<Option<Branch>> {
        let request = Request::get(self.path(&format!("/branches/{}", segment(name))));
        let line = request.line();
        match self.transport.send(request).await {
            Ok(Reply::Json(json)) => {
                let sha = json
                    .pointer("/commit/sha")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::Unexpected {
                        request: line,
                        message: "no `commit.sha` in the answer".into(),
                    })?;
                Ok(Some(Branch {
                    name: name.to_string(),
                    sha: sha.to_string(),
                    protected: json
                        .get("protected")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                }))
            }
            Ok(Reply::Planned) | Err(Error::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Whether branch `base` has commit `sha` in its history (GitHub's compare: `behind`
    /// or `identical`). `false` in plan mode.
    pub async fn has_commit(&self, base: &str, sha: &str) -> Result<bool> {
        let request =
            Request::get(self.path(&format!("/compare/{}...{}", segment(base), segment(sha))));
        match self.transport.send(request).await? {
            Reply::Json(json) => Ok(matches!(
                json.get("status").and_then(Value::as_str),
                Some("behind" | "identical")
            )),
            Reply::Planned => Ok(false),
        }
    }

    /// Merge commit `sha` into branch `base` on GitHub, with `message`.
    pub async fn merge_into(&self, base: &str, sha: &str, message: &str) -> Result<MergeOutcome> {
        let request = Request::with_body(
            Method::POST,
            self.path("/merges"),
            json!({ "base": base, "head": sha, "commit_message": message }),
        );
        match self.transport.send(request).await {
            Ok(Reply::Json(Value::Null)) => Ok(MergeOutcome::HasIt),
            Ok(Reply::Json(json)) => match json.get("sha").and_then(Value::as_str) {
                Some(sha) => Ok(MergeOutcome::Merged {
                    sha: sha.to_string(),
                }),
                None => Ok(MergeOutcome::HasIt),
            },
            Ok(Reply::Planned) => Ok(MergeOutcome::HasIt),
            Err(Error::Server {
                status: 409,
                message,
                ..
            }) if message.to_ascii_lowercase().contains("conflict") => Ok(MergeOutcome::Conflict),
            // GitHub's no (protection, a missing commit); a server that failed may have
            // merged, so that stays an error.
            Err(
                Error::Server {
                    status: 409,
                    message,
                    ..
                }
                | Error::Forbidden { message, .. }
                | Error::NotFound { message, .. }
                | Error::Invalid { message, .. },
            ) => Ok(MergeOutcome::Refused { reason: message }),
            Err(other) => Err(other),
        }
    }

    /// Make branch `name` at `sha`, unless it exists. Returns its tip: `sha`, or what the
    /// existing branch holds (someone may have pushed to it: it is left as it is).
    pub async fn ensure_branch(&self, name: &str, sha: &str) -> Result<String> {
        if let Some(tip) = self.ref_tip(name).await? {
            return Ok(tip);
        }
        let create = Request::with_body(
            Method::POST,
            self.path("/git/refs"),
            json!({ "ref": format!("refs/heads/{name}"), "sha": sha }),
        );
        match self.transport.send(create).await {
            Ok(_) => Ok(sha.to_string()),
            // Made meanwhile (a retried request went through).
            Err(err) if err.already_exists() => {
                Ok(self.ref_tip(name).await?.unwrap_or_else(|| sha.to_string()))
            }
            Err(other) => Err(other),
        }
    }

    /// What branch `name` holds; `None` when there is none (or in plan mode).
    async fn ref_tip(&self, name: &str) -> Result<Option<String>> {
        let request = Request::get(self.path(&format!("/git/ref/heads/{}", heads_path(name))));
        let line = request.line();
        match self.transport.send(request).await {
            Ok(Reply::Json(json)) => json
                .pointer("/object/sha")
                .and_then(Value::as_str)
                .map(|sha| Some(sha.to_string()))
                .ok_or_else(|| Error::Unexpected {
                    request: line,
                    message: "no `object.sha` in the answer".into(),
                }),
            Ok(Reply::Planned) | Err(Error::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}
