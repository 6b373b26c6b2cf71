//! git-hotfix's GitHub client: open or update pull requests, label them, request reviews,
//! publish releases, comment, merge a commit into a branch. Every operation is idempotent (it finds what a previous run made
//! before making anything) and every request goes through one transport that retries
//! server errors and rate limits, or only records the request for `--plan`.
//!
//! Async on tokio, as octocrab is; the CLI bridges to the synchronous rest of git-hotfix.

mod auth;
mod branches;
mod comments;
mod error;
mod events;
mod http;
mod labels;
mod pulls;
mod releases;
mod repository;

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::Value;

pub use crate::auth::{Lookup, Token};
pub use crate::branches::{Branch, MergeOutcome};
pub use crate::comments::{Comment, CommentOutcome, Permission};
pub use crate::error::{Error, Result};
pub use crate::events::{Event, EventError, PullEvent};
pub use crate::http::{Request, RetryPolicy, Retrying, untrusted};
pub use crate::labels::Label;
pub use crate::pulls::{MergeMethod, Pull, PullOutcome, PullSpec, PullState};
pub use crate::releases::{ReleaseOutcome, ReleaseSpec};
pub use crate::repository::{Repository, web_host};

use crate::http::{Reply, Transport};

/// Where GitHub's REST API is when nothing says otherwise.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// One repository on one GitHub server.
pub struct GitHub {
    transport: Transport,
    repository: Repository,
    /// Labels known to exist, so that many pull requests check each only once.
    labels: Mutex<BTreeSet<String>>,
}

impl GitHub {
    /// A client that sends requests to `api_url` with `token`.
    pub fn connect(
        api_url: &str,
        token: &Token,
        repository: Repository,
        retry: RetryPolicy,
    ) -> Result<GitHub> {
        Ok(GitHub {
            transport: Transport::live(api_url, token, retry)?,
            repository,
            labels: Mutex::default(),
        })
    }

    /// A client that sends nothing and records each request it would make (`--plan`):
    /// lookups find nothing, so the plan shows everything a first run does.
    pub fn plan(repository: Repository) -> GitHub {
        GitHub {
            transport: Transport::Plan(Mutex::default()),
            repository,
            labels: Mutex::default(),
        }
    }

    /// Be told before each retry (the CLI says why it waits).
    pub fn on_retry(&mut self, callback: impl Fn(&Retrying) + Send + Sync + 'static) {
        self.transport.set_on_retry(Box::new(callback));
    }

    /// The requests a plan-mode client recorded, in order.
    pub fn planned(&self) -> Vec<Request> {
        self.transport.planned()
    }

    pub fn repository(&self) -> &Repository {
        &self.repository
    }

    /// `/repos/{owner}/{name}` followed by `rest`.
    fn path(&self, rest: &str) -> String {
        format!(
            "/repos/{}/{}{rest}",
            segment(&self.repository.owner),
            segment(&self.repository.name)
        )
    }

    /// A GraphQL request (what REST cannot do). GitHub answers errors with 200 and an
    /// `errors` list: they are refusals, said as GitHub worded them.
    async fn graphql(&self, query: &str, variables: Value) -> Result<Value> {
        let request = Request::with_body(
            ::http::Method::POST,
            http::GRAPHQL.to_string(),
            serde_json::json!({ "query": query, "variables": variables }),
        );
        let line = request.line();
        let Reply::Json(reply) = self.transport.send(request).await? else {
            return Ok(Value::Null);
        };
        let errors: Vec<String> = reply
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(Error::Refused {
                request: line,
                message: errors.join("; "),
            });
        }
        Ok(reply.get("data").cloned().unwrap_or(Value::Null))
    }

    /// Check that the token works and may push to the repository, before anything is
    /// pushed or opened.
    pub async fn check_access(&self) -> Result<()> {
        let request = Request::get(self.path(""));
        let line = request.line();
        let Reply::Json(repo) = self.transport.send(request).await? else {
            return Ok(());
        };
        let permissions = repo.get("permissions").ok_or_else(|| Error::Unexpected {
            request: line,
            message: "no `permissions` in the repository (is the token for this server?)".into(),
        })?;
        // GitHub App tokens show no `push`; their 403s will name what is missing.
        if permissions.get("push").and_then(Value::as_bool) == Some(false) {
            return Err(Error::NoPushPermission {
                repository: self.repository.to_string(),
            });
        }
        Ok(())
    }
}

/// A value as one path segment: `/` and anything outside the unreserved set escaped.
fn segment(value: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, SET).to_string()
}

/// Decode a reply into `T`, or say what was wrong with it.
fn decode<T: serde::de::DeserializeOwned>(request: &str, json: Value) -> Result<T> {
    serde_json::from_value(json).map_err(|e| Error::Unexpected {
        request: request.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests;
