//! The client against the local fake GitHub: what it sends, what it makes, how it fails.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, Fault};
use serde_json::json;

use super::*;

const TOKEN: &str = "ghp_test_7c2d9a";

async fn fake() -> FakeGitHub {
    FakeGitHub::start_async("acme", "shop", TOKEN).await
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        backoff: Duration::from_millis(10),
        max_wait: Duration::from_secs(5),
    }
}

fn client(fake: &FakeGitHub, token: &str) -> GitHub {
    let token = Token::new(token, "GITHUB_TOKEN").unwrap();
    GitHub::connect(
        &fake.url(),
        &token,
        Repository::parse("acme/shop").unwrap(),
        quick(),
    )
    .unwrap()
}

fn label(name: &str) -> Label {
    Label {
        name: name.into(),
        color: "b60205".into(),
        description: format!("{name} hotfix"),
    }
}

fn spec() -> PullSpec {
    PullSpec {
        head: "hotfix/ENG-1-auth".into(),
        base: "main".into(),
        title: "[HOTFIX][P0] ENG-1: auth".into(),
        body: "## Urgency\n".into(),
        draft: false,
        labels: vec![label("P0"), label("hotfix")],
        reviewers: vec!["alice".into(), "acme/release".into()],
        assignees: vec!["bob".into()],
        milestone: None,
        auto_merge: None,
    }
}

#[tokio::test]
async fn a_pull_request_is_opened_labelled_and_assigned_then_left_alone() {
    let fake = fake().await;
    let github = client(&fake, TOKEN);
    github.check_access().await.unwrap();
    let first = github.ensure_pull(&spec()).await.unwrap();
    assert!(first.created);
    let pull = first.pull.unwrap();
    assert_eq!(pull.number, 1);
    assert_eq!(pull.url, "https://github.test/acme/shop/pull/1");

    let pulls = fake.pulls();
    assert_eq!(pulls.len(), 1);
    let pr = &pulls[0];
    assert_eq!(
        (pr.head.as_str(), pr.base.as_str()),
        ("hotfix/ENG-1-auth", "main")
    );
    assert_eq!(pr.title, "[HOTFIX][P0] ENG-1: auth");
    assert_eq!(pr.labels, ["P0", "hotfix"]);
    assert_eq!(pr.requested_reviewers, ["alice"]);
    assert_eq!(pr.requested_teams, ["release"]);
    assert_eq!(pr.assignees, ["bob"]);
    assert_eq!(fake.labels(), ["P0", "hotfix"]);

    let received = fake.received();
    let create = received
        .iter()
        .find(|r| r.method == "POST" && r.path == "/repos/acme/shop/labels")
        .unwrap();
    assert_eq!(
        create.body,
        json!({ "name": "P0", "color": "b60205", "description": "P0 hotfix" })
    );
    for r in &received {
        assert_eq!(
            r.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "x-github-api-version" && v == "2022-11-28")
        );
    }
    let list = received
        .iter()
        .find(|r| r.method == "GET" && r.path.starts_with("/repos/acme/shop/pulls?"))
        .unwrap();
    assert_eq!(
        list.path,
        "/repos/acme/shop/pulls?state=open&head=acme:hotfix%2FENG-1-auth&base=main&per_page=100"
    );

    // The same again: found, nothing written.
    let writes = fake.writes().len();
    let second = github.ensure_pull(&spec()).await.unwrap();
    assert!(!second.created);
    assert!(second.changes.is_empty(), "{:?}", second.changes);
    assert_eq!(second.pull.unwrap().number, 1);
    assert_eq!(fake.writes().len(), writes);
    assert_eq!(fake.pulls().len(), 1);
}

#[tokio::test]
async fn an_open_pull_request_for_the_head_is_updated() {
    let fake = fake().await;
    let number = fake.add_pull("hotfix/ENG-1-auth", "main", "wip", "## Urgency\n");
    // Another head and another base are not it.
    fake.add_pull("hotfix/ENG-2", "main", "other", "");
    fake.add_pull("hotfix/ENG-1-auth", "release/1.1", "other base", "");
    let github = client(&fake, TOKEN);
    let outcome = github.ensure_pull(&spec()).await.unwrap();
    assert!(!outcome.created);
    assert_eq!(outcome.pull.unwrap().number, number);
    assert_eq!(
        outcome.changes,
        ["title", "labels P0, hotfix", "assignees bob"]
    );
    let pr = fake
        .pulls()
        .into_iter()
        .find(|p| p.number == number)
        .unwrap();
    assert_eq!(pr.title, "[HOTFIX][P0] ENG-1: auth");
    // Reviews are asked when a pull request is opened, not on each update.
    assert!(pr.requested_reviewers.is_empty());
    let patch = fake
        .writes()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(patch.path, format!("/repos/acme/shop/pulls/{number}"));
    assert_eq!(patch.body, json!({ "title": "[HOTFIX][P0] ENG-1: auth" }));
    assert_eq!(fake.pulls().len(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_and_reported() {
    let fake = fake().await;
    fake.fail(Fault::status("POST", "/pulls", 502));
    let mut github = client(&fake, TOKEN);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    github.on_retry(move |r| log.lock().unwrap().push(r.clone()));
    let outcome = github.ensure_pull(&spec()).await.unwrap();
    assert!(outcome.created);
    assert_eq!(fake.pulls().len(), 1);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].request, "POST /repos/acme/shop/pulls");
    assert_eq!(seen[0].attempt, 2);
    assert!(seen[0].reason.starts_with("502"), "{}", seen[0].reason);
    let posts = fake
        .received()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/repos/acme/shop/pulls")
        .count();
    assert_eq!(posts, 2);

    // Always failing: four attempts, then the status and GitHub's words.
    fake.fail(Fault::status("GET", "/releases/tags/v1.2.4", 503).times(10));
    let err = github
        .ensure_release(&ReleaseSpec {
            tag: "v1.2.4".into(),
            name: "v1.2.4".into(),
            body: String::new(),
            make_latest: true,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Server {
                status: 503,
                attempts: 4,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "GitHub answered GET /repos/acme/shop/releases/tags/v1.2.4 with 503 Service Unavailable (after 4 attempts)"
    );
}

#[tokio::test]
async fn a_create_that_went_through_before_failing_is_not_repeated() {
    let fake = fake().await;
    fake.fail(Fault::status("POST", "/pulls", 502).after_effect());
    let github = client(&fake, TOKEN);
    let outcome = github.ensure_pull(&spec()).await.unwrap();
    assert_eq!(fake.pulls().len(), 1);
    assert_eq!(outcome.pull.unwrap().number, 1);
    assert_eq!(fake.pulls()[0].labels, ["P0", "hotfix"]);
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_github_asks() {
    let fake = fake().await;
    fake.fail(Fault::status("GET", "/repos/acme/shop", 429).header("retry-after", "1"));
    fake.fail(
        Fault::status("POST", "/pulls", 403)
            .message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
            .header("retry-after", "1"),
    );
    let github = client(&fake, TOKEN);
    let started = Instant::now();
    github.check_access().await.unwrap();
    github.ensure_pull(&spec()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.pulls().len(), 1);

    // A wait beyond the bound is not slept through: it says when to come back.
    fake.fail(
        Fault::status("GET", "/repos/acme/shop", 403)
            .message("API rate limit exceeded for user ID 1.")
            .header("x-ratelimit-remaining", "0")
            .header(
                "x-ratelimit-reset",
                &(jiff::Timestamp::now().as_second() + 600).to_string(),
            ),
    );
    let started = Instant::now();
    let err = github.check_access().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let Error::RateLimited { wait } = err else {
        panic!("{err:?}")
    };
    assert!(
        wait > Duration::from_secs(590) && wait <= Duration::from_secs(600),
        "{wait:?}"
    );
    let text = Error::RateLimited {
        wait: Duration::from_secs(600),
    }
    .to_string();
    assert!(text.ends_with("resets in 10m"), "{text}");
}

#[tokio::test]
async fn each_refusal_says_what_github_said() {
    let fake = fake().await;
    let wrong = client(&fake, "ghp_wrong");
    let err = wrong.check_access().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "GitHub refused the token (401 Bad credentials): it is wrong, expired or revoked"
    );

    let github = client(&fake, TOKEN);
    fake.fail(
        Fault::status("POST", "/pulls", 403)
            .header("x-accepted-github-permissions", "pull_requests=write"),
    );
    let err = github.ensure_pull(&spec()).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "GitHub forbids POST /repos/acme/shop/pulls (403 Resource not accessible by personal access token); the token needs the permission pull_requests=write"
    );
    fake.fail(Fault::status("POST", "/pulls", 403).header("x-accepted-oauth-scopes", "repo"));
    let err = github.ensure_pull(&spec()).await.unwrap_err().to_string();
    assert!(err.ends_with("the token needs the scope `repo`"), "{err}");

    let elsewhere = GitHub::connect(
        &fake.url(),
        &Token::new(TOKEN, "GH_TOKEN").unwrap(),
        Repository::parse("acme/gone").unwrap(),
        quick(),
    )
    .unwrap();
    let err = elsewhere.check_access().await.unwrap_err().to_string();
    assert_eq!(err, "GitHub has no GET /repos/acme/gone (404 Not Found)");

    let mut bad_base = spec();
    bad_base.base = String::new();
    fake.fail(Fault {
        body: json!({
            "message": "Validation Failed",
            "errors": [{ "resource": "PullRequest", "field": "base", "code": "invalid" }],
        }),
        ..Fault::status("POST", "/pulls", 422)
    });
    let err = github.ensure_pull(&bad_base).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "GitHub refused POST /repos/acme/shop/pulls (422 Validation Failed: PullRequest.base: invalid)"
    );

    fake.set_push_permission(false);
    let err = github.check_access().await.unwrap_err().to_string();
    assert!(
        err.starts_with("the token cannot push to acme/shop"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_named() {
    let github = GitHub::connect(
        "http://127.0.0.1:9",
        &Token::new(TOKEN, "GITHUB_TOKEN").unwrap(),
        Repository::parse("acme/shop").unwrap(),
        quick(),
    )
    .unwrap();
    let err = github.check_access().await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("could not reach http://127.0.0.1:9/repos/acme/shop:"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
}

#[tokio::test]
async fn plan_mode_records_every_request_and_sends_none() {
    let github = GitHub::plan(Repository::parse("acme/shop").unwrap());
    github.check_access().await.unwrap();
    let outcome = github.ensure_pull(&spec()).await.unwrap();
    assert!(outcome.pull.is_none() && outcome.created);
    let lines: Vec<String> = github.planned().iter().map(Request::line).collect();
    assert_eq!(
        lines,
        [
            "GET /repos/acme/shop",
            "GET /repos/acme/shop/pulls?state=open&head=acme:hotfix%2FENG-1-auth&base=main&per_page=100",
            "POST /repos/acme/shop/pulls",
            "GET /repos/acme/shop/labels/P0",
            "GET /repos/acme/shop/labels/hotfix",
            "POST /repos/acme/shop/issues/{number}/labels",
            "POST /repos/acme/shop/pulls/{number}/requested_reviewers",
            "POST /repos/acme/shop/issues/{number}/assignees",
        ]
    );
    assert_eq!(
        github.planned()[2].body.as_ref().unwrap()["title"],
        "[HOTFIX][P0] ENG-1: auth"
    );
}

#[tokio::test]
async fn a_release_is_made_once_and_updated_after() {
    let fake = fake().await;
    let github = client(&fake, TOKEN);
    let mut spec = ReleaseSpec {
        tag: "api/prod-v1.1.5".into(),
        name: "api 1.1.5".into(),
        body: "- Fix auth (ENG-1, P0)\n".into(),
        make_latest: false,
    };
    let first = github.ensure_release(&spec).await.unwrap();
    assert!(first.created);
    assert_eq!(
        first.url.as_deref(),
        Some("https://github.test/acme/shop/releases/tag/api/prod-v1.1.5")
    );
    let again = github.ensure_release(&spec).await.unwrap();
    assert!(!again.created && again.changes.is_empty());
    spec.body.push_str("- And more\n");
    let updated = github.ensure_release(&spec).await.unwrap();
    assert_eq!(updated.changes, ["body"]);
    let releases = fake.releases();
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0].body, spec.body);
    assert_eq!(releases[0].make_latest, "false");
    assert!(
        fake.received()
            .iter()
            .any(|r| r.path == "/repos/acme/shop/releases/tags/api%2Fprod-v1.1.5")
    );
}

#[tokio::test]
async fn a_server_echoing_the_authorization_header_never_gets_the_token_shown() {
    let fake = fake().await;
    let github = client(&fake, TOKEN);
    let echo = format!("Bad request (Authorization: Bearer {TOKEN}; also seen: ghp_0therT0ken99)");
    for status in [401, 403, 422, 500, 502] {
        fake.fail(
            Fault::status("POST", "/repos/acme/shop/pulls", status)
                .message(&echo)
                .times(4),
        );
        let err = github.ensure_pull(&spec()).await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(TOKEN), "{status}: {shown}");
        assert!(shown.contains("[token hidden]"), "{status}: {shown}");
    }
}

#[test]
fn scrubbing_masks_the_token_sent() {
    assert_eq!(
        auth::scrub("a s3cr3t, twice: s3cr3t.", "s3cr3t"),
        "a [token hidden], twice: [token hidden]."
    );
    assert_eq!(auth::scrub("nothing here", "s3cr3t"), "nothing here");
}

#[test]
fn a_token_goes_over_https_or_to_this_machine_only() {
    for fit in [
        "https://api.github.com",
        "https://github.example.com/api/v3",
        "http://127.0.0.1:8080",
        "http://localhost:1234/api",
        "http://[::1]:99",
    ] {
        assert_eq!(untrusted(fit), None, "{fit}");
    }
    for unfit in [
        "http://github.example.com/api/v3",
        "http://127.0.0.1.evil.example",
        "https://user:pass@github.example.com",
        "https://127.0.0.1:1@evil.example",
        "ftp://github.example.com",
        "github.example.com/api/v3",
    ] {
        assert!(untrusted(unfit).is_some(), "{unfit}");
    }
}
