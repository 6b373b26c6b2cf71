//! Pull requests: one per head branch, found and updated on a second run, never duplicated.

use http::Method;
use serde_json::{Map, Value, json};

use crate::http::{Reply, Request};
use crate::labels::Label;
use crate::{Error, GitHub, Result, decode, segment};

/// The pull request a command wants to exist.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PullSpec {
    /// The branch with the changes, in the same repository.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
    pub title: String,
    pub body: String,
    pub draft: bool,
    pub labels: Vec<Label>,
    /// Logins, or `org/team` for a team; asked only when the pull request is opened (a
    /// reviewer who has reviewed leaves GitHub's list, and must not be asked again).
    pub reviewers: Vec<String>,
    pub assignees: Vec<String>,
    /// The milestone's number (set when it differs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u64>,
    /// Ask GitHub to merge it this way once its checks and reviews allow (only for a new
    /// pull request that is no draft, and where the repository allows auto-merge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_merge: Option<MergeMethod>,
}

/// How GitHub merges a pull request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MergeMethod {
    Merge,
    Squash,
    Rebase,
}

impl MergeMethod {
    /// As GitHub's GraphQL API spells it (`PullRequestMergeMethod`).
    fn graphql(self) -> &'static str {
        match self {
            MergeMethod::Merge => "MERGE",
            MergeMethod::Squash => "SQUASH",
            MergeMethod::Rebase => "REBASE",
        }
    }
}

/// A pull request, as the journal remembers it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Pull {
    pub number: u64,
    /// The page people open.
    pub url: String,
}

/// What [`GitHub::ensure_pull`] did.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PullOutcome {
    /// `None` in plan mode.
    pub pull: Option<Pull>,
    pub created: bool,
    /// What changed on a pull request that existed (`title`, `labels P0, hotfix`); empty
    /// when it was already as wanted.
    pub changes: Vec<String>,
    /// What went through only in part (a reviewer GitHub would not ask).
    pub warnings: Vec<String>,
}

/// Where a pull request stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct PullState {
    pub number: u64,
    pub url: String,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    /// The commit the merge made on the base branch (or the squashed/rebased tip).
    pub merge_commit: Option<String>,
    /// When it merged (RFC 3339), as GitHub recorded it.
    pub merged_at: Option<String>,
    pub base: String,
    pub head_sha: String,
    pub title: String,
    /// The description, as markdown (empty when there is none).
    pub body: String,
    /// How many commits the pull request had: what a rebase merge put on the base.
    pub commits: u64,
    /// Who opened it (`user.login`; empty for a deleted account).
    pub author: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    /// Reviews requested: logins, and teams as `org/team`.
    pub requested_reviewers: Vec<String>,
    /// Its milestone's number.
    pub milestone: Option<u64>,
}

#[derive(serde::Deserialize)]
struct PullJson {
    number: u64,
    html_url: String,
    title: String,
    #[serde(default)]
    body: Option<String>,
    state: String,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merged_at: Option<String>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    base: Branch,
    head: Branch,
    #[serde(default)]
    commits: Option<u64>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(serde::Deserialize)]
struct Branch {
    #[serde(rename = "ref")]
    name: String,
    sha: String,
}

impl PullJson {
    fn pull(&self) -> Pull {
        Pull {
            number: self.number,
            url: self.html_url.clone(),
        }
    }

    /// The number of its milestone, if it has one.
    fn milestone(&self) -> Option<u64> {
        self.rest
            .get("milestone")
            .and_then(|m| m.get("number"))
            .and_then(Value::as_u64)
    }

    /// The `key`s (`login`, `name`) of the objects in the array field `array`.
    fn list(&self, array: &str, key: &str) -> Vec<String> {
        self.rest
            .get(array)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get(key).and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl GitHub {
    /// Open the pull request `spec` describes, or bring the open one for the same head and
    /// base up to date; then label it, and ask for reviews and assignees if it is new.
    pub async fn ensure_pull(&self, spec: &PullSpec) -> Result<PullOutcome> {
        let mut changes = Vec::new();
        let mut warnings = Vec::new();
        let (existing, created) = match self.find_open_pull(&spec.head, &spec.base).await? {
            Some(pr) => {
                let mut patch = Map::new();
                if pr.title != spec.title {
                    patch.insert("title".into(), json!(spec.title));
                    changes.push("title".to_string());
                }
                if pr.body.as_deref().unwrap_or("") != spec.body {
                    patch.insert("body".into(), json!(spec.body));
                    changes.push("body".to_string());
                }
                if !patch.is_empty() {
                    let path = self.path(&format!("/pulls/{}", pr.number));
                    self.transport
                        .send(Request::with_body(
                            Method::PATCH,
                            path,
                            Value::Object(patch),
                        ))
                        .await?;
                }
                (Some(pr), false)
            }
            None => match self.create_pull(spec).await? {
                Created::New(pr) => (pr, true),
                Created::There(pr) => (Some(pr), false),
            },
        };
        let number = existing
            .as_ref()
            .map_or_else(|| "{number}".to_string(), |p| p.number.to_string());

        self.ensure_labels(&spec.labels).await?;
        let has: Vec<String> = existing
            .as_ref()
            .map(|p| p.list("labels", "name"))
            .unwrap_or_default();
        let missing: Vec<&str> = spec
            .labels
            .iter()
            .map(|l| l.name.as_str())
            .filter(|l| !has.iter().any(|h| h == l))
            .collect();
        if !missing.is_empty() {
            let path = self.path(&format!("/issues/{number}/labels"));
            self.transport
                .send(Request::with_body(
                    Method::POST,
                    path,
                    json!({ "labels": missing }),
                ))
                .await?;
            if !created {
                changes.push(format!("labels {}", missing.join(", ")));
            }
        }

        if created && !spec.reviewers.is_empty() {
            let (teams, users): (Vec<&String>, Vec<&String>) =
                spec.reviewers.iter().partition(|r| r.contains('/'));
            let teams: Vec<&str> = teams
                .iter()
                .filter_map(|t| t.rsplit_once('/').map(|(_, slug)| slug))
                .collect();
            let path = self.path(&format!("/pulls/{number}/requested_reviewers"));
            let request = Request::with_body(
                Method::POST,
                path,
                json!({ "reviewers": users, "team_reviewers": teams }),
            );
            match self.transport.send(request).await {
                Ok(_) => {}
                // The pull request is open; a reviewer GitHub will not ask (the author, a
                // stranger to the repository) should not undo that.
                Err(err @ Error::Invalid { .. }) => {
                    warnings.push(format!("reviews were not requested: {err}"))
                }
                Err(err) => return Err(err),
            }
        }
        let assigned: Vec<String> = existing
            .as_ref()
            .map(|p| p.list("assignees", "login"))
            .unwrap_or_default();
        let unassigned: Vec<&String> = spec
            .assignees
            .iter()
            .filter(|a| !assigned.contains(a))
            .collect();
        if !unassigned.is_empty() {
            let path = self.path(&format!("/issues/{number}/assignees"));
            let request =
                Request::with_body(Method::POST, path, json!({ "assignees": unassigned }));
            self.transport.send(request).await?;
            if !created {
                changes.push(format!(
                    "assignees {}",
                    unassigned
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if let Some(milestone) = spec.milestone
            && existing.as_ref().and_then(PullJson::milestone) != Some(milestone)
        {
            // A pull request's milestone is its issue's.
            let path = self.path(&format!("/issues/{number}"));
            let request =
                Request::with_body(Method::PATCH, path, json!({ "milestone": milestone }));
            match self.transport.send(request).await {
                Ok(_) if !created => changes.push(format!("milestone {milestone}")),
                Ok(_) => {}
                // A milestone closed or deleted since: the pull request stands without it.
                Err(err @ Error::Invalid { .. }) => {
                    warnings.push(format!("the milestone was not set: {err}"))
                }
                Err(err) => return Err(err),
            }
        }
        if let (Some(method), true, false) = (spec.auto_merge, created, spec.draft) {
            let node = existing
                .as_ref()
                .and_then(|p| p.rest.get("node_id"))
                .and_then(Value::as_str)
                .unwrap_or("{node_id}");
            match self.enable_auto_merge(node, method).await {
                Ok(()) => {}
                // The repository does not allow it, or the pull request can merge at once:
                // it is open all the same, and a person merges it.
                Err(err @ (Error::Invalid { .. } | Error::Refused { .. })) => {
                    warnings.push(format!("auto-merge was not enabled: {err}"))
                }
                Err(err) => return Err(err),
            }
        }
        Ok(PullOutcome {
            pull: existing.as_ref().map(PullJson::pull),
            created,
            changes,
            warnings,
        })
    }

    /// Where pull request `number` stands: open, merged (and as which commit) or closed.
    pub async fn pull(&self, number: u64) -> Result<Option<PullState>> {
        let request = Request::get(self.path(&format!("/pulls/{number}")));
        let line = request.line();
        let Reply::Json(json) = self.transport.send(request).await? else {
            return Ok(None);
        };
        let pr: PullJson = decode(&line, json)?;
        let author = pr
            .rest
            .get("user")
            .and_then(|user| user.get("login"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let labels = pr.list("labels", "name");
        let milestone = pr.milestone();
        let assignees = pr.list("assignees", "login");
        let owner = self.repository().owner.clone();
        let mut requested_reviewers = pr.list("requested_reviewers", "login");
        requested_reviewers.extend(
            pr.list("requested_teams", "slug")
                .into_iter()
                .map(|team| format!("{owner}/{team}")),
        );
        Ok(Some(PullState {
            milestone,
            author,
            labels,
            assignees,
            requested_reviewers,
            number: pr.number,
            url: pr.html_url,
            state: pr.state,
            merged: pr.merged.unwrap_or(pr.merged_at.is_some()),
            merge_commit: pr.merge_commit_sha,
            merged_at: pr.merged_at,
            base: pr.base.name,
            head_sha: pr.head.sha,
            title: pr.title,
            body: pr.body.unwrap_or_default(),
            commits: pr.commits.unwrap_or(1),
        }))
    }

    /// Ask GitHub to merge pull request `node` (its GraphQL id) by `method` once its
    /// checks and reviews allow: GraphQL's `enablePullRequestAutoMerge`, which REST lacks.
    async fn enable_auto_merge(&self, node: &str, method: MergeMethod) -> Result<()> {
        const MUTATION: &str = "mutation($id: ID!, $method: PullRequestMergeMethod) { \
            enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) { \
            pullRequest { number autoMergeRequest { mergeMethod } } } }";
        self.graphql(MUTATION, json!({ "id": node, "method": method.graphql() }))
            .await
            .map(|_| ())
    }

    /// Close pull request `number` (an aborted run takes back the one it opened).
    pub async fn close_pull(&self, number: u64) -> Result<()> {
        let path = self.path(&format!("/pulls/{number}"));
        self.transport
            .send(Request::with_body(
                Method::PATCH,
                path,
                json!({ "state": "closed" }),
            ))
            .await?;
        Ok(())
    }

    /// The open pull request from `head` into `base`, as it is, if there is one.
    pub async fn open_pull(&self, head: &str, base: &str) -> Result<Option<Pull>> {
        Ok(self.find_open_pull(head, base).await?.map(|pr| pr.pull()))
    }

    /// The open pull request from `head` into `base`, if there is one.
    async fn find_open_pull(&self, head: &str, base: &str) -> Result<Option<PullJson>> {
        let path = self.path(&format!(
            "/pulls?state=open&head={}:{}&base={}&per_page=100",
            segment(&self.repository.owner),
            segment(head),
            segment(base)
        ));
        let request = Request::get(path);
        let line = request.line();
        let Reply::Json(json) = self.transport.send(request).await? else {
            return Ok(None);
        };
        let mut pulls: Vec<PullJson> = decode(&line, json)?;
        // GitHub filters by head and base; a server that ignores the filter must not make
        // us update someone else's pull request.
        pulls.retain(|p| p.head.name == head && p.base.name == base);
        Ok(pulls.into_iter().min_by_key(|p| p.number))
    }

    async fn create_pull(&self, spec: &PullSpec) -> Result<Created> {
        let request = Request::with_body(
            Method::POST,
            self.path("/pulls"),
            json!({
                "title": spec.title,
                "head": spec.head,
                "base": spec.base,
                "body": spec.body,
                "draft": spec.draft,
                "maintainer_can_modify": true,
            }),
        );
        let line = request.line();
        match self.transport.send(request).await {
            Ok(Reply::Json(json)) => Ok(Created::New(Some(decode(&line, json)?))),
            Ok(Reply::Planned) => Ok(Created::New(None)),
            // A retried request that went through the first time.
            Err(err) if err.already_exists() => {
                match self.find_open_pull(&spec.head, &spec.base).await? {
                    Some(pr) => Ok(Created::There(pr)),
                    None => Err(err),
                }
            }
            Err(err) => Err(err),
        }
    }
}

enum Created {
    /// Opened now (`None`: planned).
    New(Option<PullJson>),
    /// It was there after all.
    There(PullJson),
}
