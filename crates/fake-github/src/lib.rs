//! A local stand-in for the parts of GitHub's REST API git-hotfix uses: one repository with
//! its pull requests, labels and releases, kept in memory, so that a second run sees what
//! the first one made. Faults (a 502, a rate limit with `Retry-After`, a 403) are queued
//! on demand, and every request is recorded for assertions.
//!
//! It answers like GitHub does where git-hotfix depends on it: `Bearer` tokens, 401 for a
//! wrong one, 404 for what is not there, 422 with `errors` for a duplicate, the head and
//! base filters of the pull request list. Every request is first checked against GitHub's
//! own description of the operation (`contract`): one GitHub would refuse is refused, and
//! fails the test that sent it when the fake is dropped.

mod contract;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard};

use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A pull request as the fake keeps it.
#[derive(Debug, Clone)]
pub struct Pull {
    pub number: u64,
    pub head: String,
    pub base: String,
    pub title: String,
    pub body: String,
    pub draft: bool,
    pub state: String,
    pub merged: bool,
    pub merge_commit_sha: Option<String>,
    pub merged_at: Option<String>,
    /// The head branch's tip, and how many commits the pull request has.
    pub head_sha: String,
    pub commits: u64,
    pub labels: Vec<String>,
    pub requested_reviewers: Vec<String>,
    pub requested_teams: Vec<String>,
    pub assignees: Vec<String>,
    /// Who opened it (`user.login`).
    pub author: String,
    /// Its milestone's number.
    pub milestone: Option<u64>,
    /// How GitHub will merge it once it may (`MERGE`, `SQUASH`, `REBASE`): auto-merge.
    pub auto_merge: Option<String>,
}

impl Pull {
    fn open(
        number: u64,
        head: String,
        base: String,
        title: String,
        body: String,
        draft: bool,
        author: String,
    ) -> Pull {
        Pull {
            author,
            number,
            head,
            base,
            title,
            body,
            draft,
            state: "open".into(),
            merged: false,
            merge_commit_sha: None,
            merged_at: None,
            head_sha: "0".repeat(40),
            commits: 1,
            labels: Vec::new(),
            requested_reviewers: Vec::new(),
            requested_teams: Vec::new(),
            assignees: Vec::new(),
            milestone: None,
            auto_merge: None,
        }
    }

    /// Its id in GitHub's GraphQL API.
    fn node_id(&self) -> String {
        format!("PR_kwDOfake{}", self.number)
    }
}

#[derive(Debug, Clone)]
pub struct Release {
    pub id: u64,
    pub tag: String,
    pub name: String,
    pub body: String,
    pub make_latest: String,
}

/// A comment on an issue or pull request.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    /// The issue's or pull request's number.
    pub issue: u64,
    pub body: String,
    pub author: String,
    /// `User` or `Bot`.
    pub author_type: String,
    /// Reactions to it, as `(login, content)`.
    pub reactions: Vec<(String, String)>,
}

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// With the query.
    pub path: String,
    pub body: Value,
    pub authorization: Option<String>,
    pub headers: Vec<(String, String)>,
}

/// A response to give instead of the real one.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    /// Matches requests whose path (without the query) ends with this.
    pub path_suffix: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    /// How many matching requests get it.
    pub times: u32,
    /// Do what the request asks before failing (a POST that went through, then a 502).
    pub after_effect: bool,
}

impl Fault {
    pub fn status(method: &'static str, path_suffix: &str, status: u16) -> Fault {
        Fault {
            method,
            path_suffix: path_suffix.to_string(),
            status,
            headers: Vec::new(),
            body: json!({ "message": reason(status) }),
            times: 1,
            after_effect: false,
        }
    }

    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Fault {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn message(mut self, message: &str) -> Fault {
        self.body = json!({ "message": message });
        self
    }

    pub fn after_effect(mut self) -> Fault {
        self.after_effect = true;
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        401 => "Bad credentials",
        403 => "Resource not accessible by personal access token",
        404 => "Not Found",
        422 => "Validation Failed",
        429 => "API rate limit exceeded",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

#[derive(Debug)]
struct State {
    owner: String,
    name: String,
    token: String,
    push: bool,
    next_number: u64,
    pulls: Vec<Pull>,
    labels: Vec<(String, String, String)>,
    releases: Vec<Release>,
    comments: Vec<Comment>,
    /// Collaborators' permissions (`write`, `read`, …); anyone else has none.
    permissions: Vec<(String, String)>,
    /// Who the token is (`GET /user`); `None`: a GitHub Actions token, which GitHub will
    /// not say, and whose comments are `github-actions[bot]`'s.
    identity: Option<String>,
    faults: Vec<Fault>,
    received: Vec<Received>,
    /// Requests out of GitHub's description of its API: `METHOD path: why`.
    violations: Vec<String>,
    /// The bare repository the fake's branches, compares and merges read and write.
    git_dir: Option<PathBuf>,
    /// Branches protection guards: GitHub's merge refuses them.
    protected: Vec<String>,
    /// The repository's milestones: `(number, title)`.
    milestones: Vec<(u64, String)>,
    /// The repository allows auto-merge (a setting of the repository, off by default).
    allow_auto_merge: bool,
}

/// The running fake. Dropping it stops the server.
pub struct FakeGitHub {
    server: MockServer,
    state: Arc<Mutex<State>>,
    /// Keeps the runtime that started the server, for synchronous tests.
    _runtime: Option<tokio::runtime::Runtime>,
}

impl FakeGitHub {
    /// Serve repository `owner/name` to requests bearing `token`, from a synchronous test.
    pub fn start(owner: &str, name: &str, token: &str) -> FakeGitHub {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let mut fake = runtime.block_on(FakeGitHub::start_async(owner, name, token));
        fake._runtime = Some(runtime);
        fake
    }

    /// The same from an async test.
    pub async fn start_async(owner: &str, name: &str, token: &str) -> FakeGitHub {
        let server = MockServer::builder().start().await;
        let state = Arc::new(Mutex::new(State {
            owner: owner.to_string(),
            name: name.to_string(),
            token: token.to_string(),
            push: true,
            next_number: 1,
            pulls: Vec::new(),
            labels: Vec::new(),
            releases: Vec::new(),
            comments: Vec::new(),
            permissions: Vec::new(),
            identity: None,
            faults: Vec::new(),
            received: Vec::new(),
            violations: Vec::new(),
            git_dir: None,
            protected: Vec::new(),
            milestones: Vec::new(),
            allow_auto_merge: false,
        }));
        Mock::given(any())
            .respond_with(Responder(state.clone()))
            .mount(&server)
            .await;
        FakeGitHub {
            server,
            state,
            _runtime: None,
        }
    }

    /// The API's base URL, for `GITHUB_API_URL`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("not poisoned")
    }

    /// Keep the repository's git data in the bare repository `git_dir` (the tests' origin):
    /// branches, compares, GitHub's merges and new refs read and write it, as GitHub's own.
    pub fn serve_git(&self, git_dir: &Path) {
        self.state().git_dir = Some(git_dir.to_path_buf());
    }

    /// Branch protection on `branch`.
    pub fn protect(&self, branch: &str) {
        self.state().protected.push(branch.to_string());
    }

    pub fn fail(&self, fault: Fault) {
        self.state().faults.push(fault);
    }

    /// Whether the token may push (`permissions.push` of the repository).
    pub fn set_push_permission(&self, push: bool) {
        self.state().push = push;
    }

    pub fn pulls(&self) -> Vec<Pull> {
        self.state().pulls.clone()
    }

    pub fn labels(&self) -> Vec<String> {
        self.state().labels.iter().map(|l| l.0.clone()).collect()
    }

    pub fn releases(&self) -> Vec<Release> {
        self.state().releases.clone()
    }

    pub fn received(&self) -> Vec<Received> {
        self.state().received.clone()
    }

    /// The requests GitHub's description of its API refuses, as `METHOD path: why`.
    pub fn violations(&self) -> Vec<String> {
        self.state().violations.clone()
    }

    /// The requests that would change something (not GETs).
    pub fn writes(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// Someone asked `reviewer` (a login, or `org/team`) to review pull request `number`.
    pub fn request_review(&self, number: u64, reviewer: &str) {
        if let Some(pull) = self.state().pulls.iter_mut().find(|p| p.number == number) {
            match reviewer.split_once('/') {
                Some((_, team)) => pull.requested_teams.push(team.to_string()),
                None => pull.requested_reviewers.push(reviewer.to_string()),
            }
        }
    }

    /// Someone assigned pull request `number` to `assignee`.
    pub fn assign(&self, number: u64, assignee: &str) {
        if let Some(pull) = self.state().pulls.iter_mut().find(|p| p.number == number) {
            pull.assignees.push(assignee.to_string());
        }
    }

    /// A milestone titled `title`; returns its number.
    pub fn add_milestone(&self, title: &str) -> u64 {
        let mut state = self.state();
        let number = state.milestones.len() as u64 + 1;
        state.milestones.push((number, title.to_string()));
        number
    }

    /// Someone put pull request `number` in milestone `milestone`.
    pub fn set_milestone(&self, number: u64, milestone: u64) {
        if let Some(pull) = self.state().pulls.iter_mut().find(|p| p.number == number) {
            pull.milestone = Some(milestone);
        }
    }

    /// The repository's setting "Allow auto-merge".
    pub fn allow_auto_merge(&self, allow: bool) {
        self.state().allow_auto_merge = allow;
    }

    /// Pull request `number` was opened by `login`.
    pub fn set_author(&self, number: u64, login: &str) {
        if let Some(pull) = self.state().pulls.iter_mut().find(|p| p.number == number) {
            pull.author = login.to_string();
        }
    }

    /// Someone merged pull request `number` on GitHub at `at` (RFC 3339), making `sha`.
    pub fn merge(&self, number: u64, sha: &str, at: &str) {
        let mut state = self.state();
        let pull = state
            .pull_mut(&number.to_string())
            .expect("a pull request with that number");
        pull.state = "closed".into();
        pull.merged = true;
        pull.merge_commit_sha = Some(sha.to_string());
        pull.merged_at = Some(at.to_string());
    }

    /// Pull request `number`'s head is at `sha`, with `commits` commits.
    pub fn set_head(&self, number: u64, sha: &str, commits: u64) {
        let mut state = self.state();
        let pull = state
            .pull_mut(&number.to_string())
            .expect("a pull request with that number");
        pull.head_sha = sha.to_string();
        pull.commits = commits;
    }

    /// Someone edited pull request `number`'s description.
    pub fn set_body(&self, number: u64, body: &str) {
        let mut state = self.state();
        let pull = state
            .pull_mut(&number.to_string())
            .expect("a pull request with that number");
        pull.body = body.to_string();
    }

    /// Someone put label `name` on pull request `number`.
    pub fn add_label(&self, number: u64, name: &str) {
        let mut state = self.state();
        let pull = state
            .pull_mut(&number.to_string())
            .expect("a pull request with that number");
        pull.labels.push(name.to_string());
    }

    /// `login` commented `body` on issue or pull request `issue`; returns the comment's id.
    pub fn add_comment(&self, issue: u64, login: &str, body: &str) -> u64 {
        self.state().comment(issue, login, "User", body)
    }

    pub fn comments(&self, issue: u64) -> Vec<Comment> {
        let state = self.state();
        state
            .comments
            .iter()
            .filter(|c| c.issue == issue)
            .cloned()
            .collect()
    }

    /// What `login` may do in the repository: `admin`, `write`, `read`, …
    pub fn set_permission(&self, login: &str, permission: &str) {
        self.state()
            .permissions
            .push((login.to_string(), permission.to_string()));
    }

    /// The token is `login`'s (a personal token), not a GitHub Actions one.
    pub fn set_identity(&self, login: &str) {
        self.state().identity = Some(login.to_string());
    }

    /// Someone closed pull request `number` without merging it.
    pub fn close(&self, number: u64) {
        let mut state = self.state();
        let pull = state
            .pull_mut(&number.to_string())
            .expect("a pull request with that number");
        pull.state = "closed".into();
    }

    /// A pull request opened by someone else, as if through GitHub's page.
    pub fn add_pull(&self, head: &str, base: &str, title: &str, body: &str) -> u64 {
        let mut state = self.state();
        let number = state.next_number;
        state.next_number += 1;
        state.pulls.push(Pull::open(
            number,
            head.into(),
            base.into(),
            title.into(),
            body.into(),
            false,
            "octocat".into(),
        ));
        number
    }
}

/// A test that sent GitHub a request it would refuse fails, whatever else it asserted.
impl Drop for FakeGitHub {
    fn drop(&mut self) {
        let violations = match self.state.lock() {
            Ok(state) => state.violations.clone(),
            Err(_) => return,
        };
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "requests out of GitHub's API description (crates/fake-github/openapi):\n{}",
                violations.join("\n")
            );
        }
    }
}

struct Responder(Arc<Mutex<State>>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().expect("not poisoned");
        let path = request.url.path().to_string();
        let full_path = match request.url.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.clone(),
        };
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        state.received.push(Received {
            method: request.method.to_string(),
            path: full_path.clone(),
            body: serde_json::from_slice(&request.body).unwrap_or(Value::Null),
            authorization: header("authorization"),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
        });
        if header("authorization") != Some(format!("Bearer {}", state.token)) {
            return reply(401, json!({ "message": "Bad credentials" }));
        }
        let method = request.method.as_str();
        if let Err(violation) = contract::check(method, &path, request.url.query(), &request.body) {
            let sent = format!("{method} {}: {}", full_path, violation.message);
            state.violations.push(sent);
            let body = match violation.status {
                404 => json!({ "message": "Not Found" }),
                200 => json!({ "errors": [{ "message": violation.message }] }),
                _ => json!({ "message": format!("Invalid request.\n\n{}", violation.message) }),
            };
            return reply(violation.status, body);
        }
        let fault = state
            .faults
            .iter()
            .position(|f| f.method == method && path.ends_with(&f.path_suffix));
        if let Some(index) = fault {
            let fault = state.faults[index].clone();
            if fault.times <= 1 {
                state.faults.remove(index);
            } else {
                state.faults[index].times -= 1;
            }
            if fault.after_effect {
                let _ = state.handle(request, &path);
            }
            let mut template = reply(fault.status, fault.body);
            for (name, value) in &fault.headers {
                template = template.insert_header(name.as_str(), value.as_str());
            }
            return template;
        }
        let (status, body) = state.handle(request, &path);
        reply(status, body)
    }
}

fn reply(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn not_found() -> (u16, Value) {
    (404, json!({ "message": "Not Found" }))
}

fn invalid(resource: &str, code: &str, message: Option<String>) -> (u16, Value) {
    let mut error = json!({ "resource": resource, "code": code, "field": "name" });
    if let Some(message) = message {
        error["message"] = json!(message);
    }
    (
        422,
        json!({ "message": "Validation Failed", "errors": [error] }),
    )
}

impl State {
    fn web(&self, rest: &str) -> String {
        format!("https://github.test/{}/{}/{rest}", self.owner, self.name)
    }

    fn pull_json(&self, pull: &Pull) -> Value {
        json!({
            "number": pull.number,
            "html_url": self.web(&format!("pull/{}", pull.number)),
            "title": pull.title,
            "body": pull.body,
            "draft": pull.draft,
            "state": pull.state,
            "merged": pull.merged,
            "merge_commit_sha": pull.merge_commit_sha,
            "merged_at": pull.merged_at,
            "base": { "ref": pull.base, "sha": "0".repeat(40) },
            "head": { "ref": pull.head, "sha": pull.head_sha },
            "commits": pull.commits,
            "user": { "login": pull.author, "type": "User" },
            "labels": pull.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
            "requested_reviewers": pull.requested_reviewers.iter().map(|l| json!({ "login": l })).collect::<Vec<_>>(),
            "requested_teams": pull.requested_teams.iter().map(|l| json!({ "slug": l })).collect::<Vec<_>>(),
            "assignees": pull.assignees.iter().map(|l| json!({ "login": l })).collect::<Vec<_>>(),
            "node_id": pull.node_id(),
            "milestone": pull.milestone.and_then(|m| self.milestone_json(m)),
            "auto_merge": pull.auto_merge.as_ref().map(|m| json!({ "merge_method": m.to_lowercase() })),
        })
    }

    fn milestone_json(&self, number: u64) -> Option<Value> {
        let (number, title) = self.milestones.iter().find(|m| m.0 == number)?;
        Some(json!({ "number": number, "title": title, "state": "open" }))
    }

    /// `POST /graphql`: the one mutation git-hotfix sends, answered as GitHub does (errors
    /// with 200).
    fn graphql(&mut self, body: &Value) -> (u16, Value) {
        let query = body["query"].as_str().unwrap_or_default();
        let error = |message: &str| {
            json!({
                "data": { "enablePullRequestAutoMerge": null },
                "errors": [{ "type": "UNPROCESSABLE", "path": ["enablePullRequestAutoMerge"], "message": message }],
            })
        };
        if !query.contains("enablePullRequestAutoMerge") {
            return (
                200,
                json!({ "errors": [{ "message": "the fake answers enablePullRequestAutoMerge only" }] }),
            );
        }
        let id = body["variables"]["id"].as_str().unwrap_or_default();
        let method = body["variables"]["method"]
            .as_str()
            .unwrap_or("MERGE")
            .to_string();
        let allowed = self.allow_auto_merge;
        let Some(pull) = self.pulls.iter_mut().find(|p| p.node_id() == id) else {
            return (
                200,
                json!({ "data": null, "errors": [{ "type": "NOT_FOUND", "message": format!("Could not resolve to a node with the global id of '{id}'") }] }),
            );
        };
        if !allowed {
            return (
                200,
                error("Pull request Auto merge is not allowed for this repository"),
            );
        }
        if pull.draft {
            return (200, error("Pull request is in draft state"));
        }
        pull.auto_merge = Some(method.clone());
        let number = pull.number;
        (
            200,
            json!({ "data": { "enablePullRequestAutoMerge": { "pullRequest": { "number": number, "autoMergeRequest": { "mergeMethod": method } } } } }),
        )
    }

    fn release_json(&self, release: &Release) -> Value {
        json!({
            "id": release.id,
            "tag_name": release.tag,
            "name": release.name,
            "body": release.body,
            "html_url": self.web(&format!("releases/tag/{}", release.tag)),
        })
    }

    /// The pull request a path names by number.
    fn pull_mut(&mut self, number: &str) -> Option<&mut Pull> {
        self.pulls
            .iter_mut()
            .find(|p| p.number.to_string() == number)
    }

    fn comment(&mut self, issue: u64, login: &str, kind: &str, body: &str) -> u64 {
        let id = 9000 + self.comments.len() as u64;
        self.comments.push(Comment {
            id,
            issue,
            body: body.to_string(),
            author: login.to_string(),
            author_type: kind.to_string(),
            reactions: Vec::new(),
        });
        id
    }

    fn comment_json(&self, comment: &Comment) -> Value {
        json!({
            "id": comment.id,
            "html_url": self.web(&format!("pull/{}#issuecomment-{}", comment.issue, comment.id)),
            "body": comment.body,
            "user": { "login": comment.author, "type": comment.author_type },
        })
    }

    /// Who the token's comments are by.
    fn author(&self) -> (String, &'static str) {
        match &self.identity {
            Some(login) => (login.clone(), "User"),
            None => ("github-actions[bot]".into(), "Bot"),
        }
    }

    /// `git` in the served repository: its stdout when it succeeded.
    fn git(&self, args: &[&str]) -> Option<String> {
        let git_dir = self.git_dir.as_ref()?;
        let output = Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "GitHub")
            .env("GIT_AUTHOR_EMAIL", "noreply@github.com")
            .env("GIT_COMMITTER_NAME", "GitHub")
            .env("GIT_COMMITTER_EMAIL", "noreply@github.com")
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// The commit `rev` names, if the repository has it.
    fn git_commit(&self, rev: &str) -> Option<String> {
        self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
    }

    fn git_branch(&self, name: &str) -> (u16, Value) {
        match self.git_commit(&format!("refs/heads/{name}")) {
            Some(sha) => (
                200,
                json!({
                    "name": name,
                    "commit": { "sha": sha },
                    "protected": self.protected.iter().any(|p| p == name),
                }),
            ),
            None => (404, json!({ "message": "Branch not found" })),
        }
    }

    fn git_compare(&self, base: &str, head: &str) -> (u16, Value) {
        let (Some(base), Some(head)) = (self.git_commit(base), self.git_commit(head)) else {
            return not_found();
        };
        let ancestor =
            |a: &str, b: &str| self.git(&["merge-base", "--is-ancestor", a, b]).is_some();
        let status = match (
            base == head,
            ancestor(head.as_str(), base.as_str()),
            ancestor(base.as_str(), head.as_str()),
        ) {
            (true, _, _) => "identical",
            (_, true, _) => "behind",
            (_, _, true) => "ahead",
            _ => "diverged",
        };
        (200, json!({ "status": status }))
    }

    /// `POST /merges`: GitHub merges `head` into branch `base` itself.
    fn git_merge(&mut self, base: &str, head: &str, message: &str) -> (u16, Value) {
        let Some(tip) = self.git_commit(&format!("refs/heads/{base}")) else {
            return (404, json!({ "message": "Base does not exist" }));
        };
        let Some(head) = self.git_commit(head) else {
            return (404, json!({ "message": "Head does not exist" }));
        };
        if self
            .git(&["merge-base", "--is-ancestor", &head, &tip])
            .is_some()
        {
            return (204, Value::Null);
        }
        if self.protected.iter().any(|p| p == base) {
            return (
                409,
                json!({ "message": format!("Protected branch update failed for refs/heads/{base}.") }),
            );
        }
        let Some(tree) = self.git(&["merge-tree", "--write-tree", &tip, &head]) else {
            return (409, json!({ "message": "Merge conflict" }));
        };
        let tree = tree.lines().next().unwrap_or_default().to_string();
        let Some(commit) =
            self.git(&["commit-tree", &tree, "-p", &tip, "-p", &head, "-m", message])
        else {
            return (500, json!({ "message": "could not write the merge" }));
        };
        match self.git(&["update-ref", &format!("refs/heads/{base}"), &commit, &tip]) {
            Some(_) => (
                201,
                json!({ "sha": commit, "commit": { "message": message } }),
            ),
            None => (409, json!({ "message": "Reference update failed" })),
        }
    }

    /// `PUT /pulls/{number}/merge`: merge pull request `number` as GitHub's button does,
    /// with a merge commit or a squash (a rebase is not served), in the served repository.
    fn merge_pull(&mut self, number: &str, method: &str, title: Option<String>) -> (u16, Value) {
        let Some(pull) = self.pull_mut(number).map(|p| p.clone()) else {
            return not_found();
        };
        let refused = |message: &str| (405, json!({ "message": message }));
        if pull.state != "open" {
            return refused("Pull Request is not mergeable");
        }
        let Some(head) = self.git_commit(&format!("refs/heads/{}", pull.head)) else {
            return refused("Head branch was modified. Review and try the merge again.");
        };
        let base = format!("refs/heads/{}", pull.base);
        let Some(tip) = self.git_commit(&base) else {
            return refused("Base branch was modified. Review and try the merge again.");
        };
        let commits = self
            .git(&["rev-list", "--count", &format!("{tip}..{head}")])
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(1);
        let (status, merged) = match method {
            "merge" => {
                let message = title.unwrap_or_else(|| {
                    format!(
                        "Merge pull request #{number} from {}/{}",
                        self.owner, pull.head
                    )
                });
                self.git_merge(&pull.base, &head, &message)
            }
            "squash" => {
                let message = title.unwrap_or_else(|| format!("{} (#{number})", pull.title));
                let tree = self
                    .git(&["merge-tree", "--write-tree", &tip, &head])
                    .map(|t| t.lines().next().unwrap_or_default().to_string());
                let commit = tree
                    .and_then(|tree| self.git(&["commit-tree", &tree, "-p", &tip, "-m", &message]));
                match commit.map(|c| c.trim().to_string()) {
                    Some(commit) if self.git(&["update-ref", &base, &commit, &tip]).is_some() => {
                        (201, json!({ "sha": commit }))
                    }
                    _ => (409, Value::Null),
                }
            }
            _ => return refused("the fake merges by merge commit or squash only"),
        };
        let Some(sha) = merged["sha"].as_str().filter(|_| status == 201) else {
            return refused("Pull Request is not mergeable");
        };
        let sha = sha.trim().to_string();
        let pull = self.pull_mut(number).expect("found above");
        pull.state = "closed".into();
        pull.merged = true;
        pull.merge_commit_sha = Some(sha.clone());
        pull.merged_at = Some("2026-03-05T15:10:00Z".into());
        pull.head_sha = head;
        pull.commits = commits;
        (
            200,
            json!({ "sha": sha, "merged": true, "message": "Pull Request successfully merged" }),
        )
    }

    /// `POST /git/refs`: a new ref at `sha`.
    fn git_create_ref(&mut self, name: &str, sha: &str) -> (u16, Value) {
        if !name.starts_with("refs/") || self.git(&["check-ref-format", name]).is_none() {
            return (422, json!({ "message": "Reference name is not valid" }));
        }
        if self.git_commit(name).is_some() {
            return (422, json!({ "message": "Reference already exists" }));
        }
        let Some(sha) = self.git_commit(sha) else {
            return (422, json!({ "message": "Object does not exist" }));
        };
        match self.git(&["update-ref", name, &sha, ""]) {
            Some(_) => (
                201,
                json!({ "ref": name, "object": { "sha": sha, "type": "commit" } }),
            ),
            None => (422, json!({ "message": "Reference already exists" })),
        }
    }

    fn handle(&mut self, request: &Request, path: &str) -> (u16, Value) {
        if path == "/graphql" {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            return self.graphql(&body);
        }
        if path == "/user" {
            return match &self.identity {
                Some(login) => (200, json!({ "login": login, "type": "User" })),
                None => (
                    403,
                    json!({ "message": "Resource not accessible by integration" }),
                ),
            };
        }
        let prefix = format!("/repos/{}/{}", self.owner, self.name);
        let Some(rest) = path.strip_prefix(&prefix) else {
            return not_found();
        };
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        let list = |key: &str| -> Vec<String> {
            body.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let query = |key: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        // Split, then decode: a tag or label may hold an escaped `/`.
        let parts: Vec<String> = rest
            .trim_start_matches('/')
            .split('/')
            .map(|p| percent_decode_str(p).decode_utf8_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["branches", name]) => self.git_branch(name),
            ("GET", ["compare", range]) => match range.split_once("...") {
                Some((base, head)) => self.git_compare(base, head),
                None => not_found(),
            },
            ("POST", ["merges"]) => self.git_merge(
                &text("base").unwrap_or_default(),
                &text("head").unwrap_or_default(),
                &text("commit_message").unwrap_or_default(),
            ),
            ("POST", ["git", "refs"]) => self.git_create_ref(
                &text("ref").unwrap_or_default(),
                &text("sha").unwrap_or_default(),
            ),
            ("GET", ["git", "ref", "heads", name @ ..]) => {
                match self.git_commit(&format!("refs/heads/{}", name.join("/"))) {
                    Some(sha) => (
                        200,
                        json!({ "ref": format!("refs/heads/{}", name.join("/")), "object": { "sha": sha, "type": "commit" } }),
                    ),
                    None => not_found(),
                }
            }
            ("GET", [""]) => (
                200,
                json!({
                    "full_name": format!("{}/{}", self.owner, self.name),
                    "default_branch": "main",
                    "allow_auto_merge": self.allow_auto_merge,
                    "permissions": { "admin": false, "push": self.push, "pull": true },
                }),
            ),
            ("GET", ["pulls"]) => {
                let state = query("state").unwrap_or_else(|| "open".into());
                let head = query("head");
                let base = query("base");
                let pulls: Vec<Value> = self
                    .pulls
                    .iter()
                    .filter(|p| state == "all" || p.state == state)
                    .filter(|p| {
                        head.as_ref()
                            .is_none_or(|h| *h == format!("{}:{}", self.owner, p.head))
                    })
                    .filter(|p| base.as_ref().is_none_or(|b| *b == p.base))
                    .map(|p| self.pull_json(p))
                    .collect();
                (200, Value::Array(pulls))
            }
            ("POST", ["pulls"]) => {
                let (Some(head), Some(base), Some(title)) =
                    (text("head"), text("base"), text("title"))
                else {
                    return invalid("PullRequest", "missing_field", None);
                };
                if self
                    .pulls
                    .iter()
                    .any(|p| p.state == "open" && p.head == head && p.base == base)
                {
                    let message =
                        format!("A pull request already exists for {}:{head}.", self.owner);
                    return invalid("PullRequest", "custom", Some(message));
                }
                let number = self.next_number;
                self.next_number += 1;
                let draft = body.get("draft").and_then(Value::as_bool).unwrap_or(false);
                let pull = Pull::open(
                    number,
                    head,
                    base,
                    title,
                    text("body").unwrap_or_default(),
                    draft,
                    self.author().0,
                );
                let json = self.pull_json(&pull);
                self.pulls.push(pull);
                (201, json)
            }
            (method @ ("GET" | "PATCH"), ["pulls", number]) => {
                let Some(pull) = self.pull_mut(number) else {
                    return not_found();
                };
                if method == "PATCH" {
                    if let Some(title) = text("title") {
                        pull.title = title;
                    }
                    if let Some(body) = text("body") {
                        pull.body = body;
                    }
                    if let Some(state) = text("state") {
                        pull.state = state;
                    }
                }
                let pull = pull.clone();
                (200, self.pull_json(&pull))
            }
            ("PUT", ["pulls", number, "merge"]) => self.merge_pull(
                number,
                &text("merge_method").unwrap_or_else(|| "merge".into()),
                text("commit_title"),
            ),
            ("PATCH", ["issues", number]) => {
                let milestone = body.get("milestone").and_then(Value::as_u64);
                if milestone.is_some_and(|m| !self.milestones.iter().any(|(n, _)| *n == m)) {
                    return invalid("Issue", "invalid", None);
                }
                let Some(pull) = self.pull_mut(number) else {
                    return not_found();
                };
                if body.get("milestone").is_some() {
                    pull.milestone = milestone;
                }
                let pull = pull.clone();
                (200, self.pull_json(&pull))
            }
            ("POST", ["pulls", number, "requested_reviewers"]) => {
                let Some(pull) = self.pull_mut(number) else {
                    return not_found();
                };
                pull.requested_reviewers.extend(list("reviewers"));
                pull.requested_teams.extend(list("team_reviewers"));
                let pull = pull.clone();
                (201, self.pull_json(&pull))
            }
            ("POST", ["issues", number, kind @ ("labels" | "assignees")]) => {
                let added = list(kind);
                let Some(pull) = self.pull_mut(number) else {
                    return not_found();
                };
                let target = if *kind == "labels" {
                    &mut pull.labels
                } else {
                    &mut pull.assignees
                };
                for name in &added {
                    if !target.contains(name) {
                        target.push(name.clone());
                    }
                }
                if *kind == "labels" {
                    // GitHub creates a label that is put on an issue without existing.
                    for name in added {
                        if !self.labels.iter().any(|l| l.0 == name) {
                            self.labels.push((name, "ededed".into(), String::new()));
                        }
                    }
                }
                (200, json!([]))
            }
            ("GET", ["issues", number, "comments"]) => {
                let page: usize = query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let per_page: usize = query("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
                let comments: Vec<Value> = self
                    .comments
                    .iter()
                    .filter(|c| c.issue.to_string() == *number)
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|c| self.comment_json(c))
                    .collect();
                (200, Value::Array(comments))
            }
            ("POST", ["issues", number, "comments"]) => {
                let (Ok(issue), Some(text)) = (number.parse(), text("body")) else {
                    return invalid("IssueComment", "missing_field", None);
                };
                if !self.pulls.iter().any(|p| p.number == issue) {
                    return not_found();
                }
                let (login, kind) = self.author();
                let id = self.comment(issue, &login, kind, &text);
                let comment = self
                    .comments
                    .iter()
                    .find(|c| c.id == id)
                    .expect("just made");
                (201, self.comment_json(comment))
            }
            ("PATCH", ["issues", "comments", id]) => {
                let (login, _) = self.author();
                let Some(index) = self.comments.iter().position(|c| c.id.to_string() == *id) else {
                    return not_found();
                };
                if self.comments[index].author != login {
                    return (
                        403,
                        json!({ "message": "Must have admin rights to Repository." }),
                    );
                }
                if let Some(text) = text("body") {
                    self.comments[index].body = text;
                }
                (200, self.comment_json(&self.comments[index]))
            }
            ("POST", ["issues", "comments", id, "reactions"]) => {
                let (login, _) = self.author();
                let Some(content) = text("content") else {
                    return invalid("Reaction", "missing_field", None);
                };
                let Some(comment) = self.comments.iter_mut().find(|c| c.id.to_string() == *id)
                else {
                    return not_found();
                };
                let reaction = (login, content.clone());
                // GitHub keeps one reaction of a kind per person: 200 for the same again.
                if comment.reactions.contains(&reaction) {
                    return (200, json!({ "content": content }));
                }
                comment.reactions.push(reaction);
                (201, json!({ "content": content }))
            }
            ("GET", ["collaborators", login, "permission"]) => {
                let permission = self
                    .permissions
                    .iter()
                    .find(|(l, _)| l == login)
                    .map_or("none", |(_, p)| p.as_str());
                (
                    200,
                    json!({ "permission": permission, "user": { "login": login } }),
                )
            }
            ("GET", ["labels", name]) => match self.labels.iter().find(|l| l.0 == *name) {
                Some((name, color, description)) => (
                    200,
                    json!({ "name": name, "color": color, "description": description }),
                ),
                None => not_found(),
            },
            ("POST", ["labels"]) => {
                let Some(name) = text("name") else {
                    return invalid("Label", "missing_field", None);
                };
                if self.labels.iter().any(|l| l.0 == name) {
                    return invalid("Label", "already_exists", None);
                }
                let label = (
                    name,
                    text("color").unwrap_or_default(),
                    text("description").unwrap_or_default(),
                );
                self.labels.push(label.clone());
                (201, json!({ "name": label.0, "color": label.1 }))
            }
            ("GET", ["releases", "tags", tag]) => {
                match self.releases.iter().find(|r| r.tag == *tag) {
                    Some(release) => (200, self.release_json(release)),
                    None => not_found(),
                }
            }
            ("POST", ["releases"]) => {
                let Some(tag) = text("tag_name") else {
                    return invalid("Release", "missing_field", None);
                };
                if self.releases.iter().any(|r| r.tag == tag) {
                    return invalid("Release", "already_exists", None);
                }
                let release = Release {
                    id: 1000 + self.releases.len() as u64,
                    tag,
                    name: text("name").unwrap_or_default(),
                    body: text("body").unwrap_or_default(),
                    make_latest: text("make_latest").unwrap_or_else(|| "true".into()),
                };
                let json = self.release_json(&release);
                self.releases.push(release);
                (201, json)
            }
            ("PATCH", ["releases", id]) => {
                let Some(index) = self.releases.iter().position(|r| r.id.to_string() == *id) else {
                    return not_found();
                };
                let release = &mut self.releases[index];
                if let Some(name) = text("name") {
                    release.name = name;
                }
                if let Some(body) = text("body") {
                    release.body = body;
                }
                if let Some(latest) = text("make_latest") {
                    release.make_latest = latest;
                }
                (200, self.release_json(&self.releases[index]))
            }
            _ => not_found(),
        }
    }
}
