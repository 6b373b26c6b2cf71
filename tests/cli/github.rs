//! `finish --pr` against a local GitHub (fake-github) and a local bare origin: the pull
//! request's words, labels and requests; retries; a second run that changes nothing;
//! refusals that leave everything as it was; the token never shown.

use std::path::Path;

use fake_github::{FakeGitHub, Fault};

use insta::assert_snapshot;

use crate::common::fixtures::{Fixture, HOTFIX, Merge};
use crate::common::{Run, TestEnv, scrub};

const TOKEN: &str = "ghp_e2e_s3cr3t_4f1c";

/// A released repository with a VERSION and a CHANGELOG, a bare origin, and a P0 hotfix
/// with one fix commit on it, set up to talk to `acme/shop`.
pub(crate) fn proposed_hotfix(env: &TestEnv) -> Fixture {
    let dir = env.init("repo");
    env.commit(
        &dir,
        "Initial release",
        &[
            ("VERSION", "1.2.3\n"),
            ("CHANGELOG.md", "# Changelog\n"),
            ("auth.txt", "check\n"),
        ],
    );
    env.tag(&dir, "v1.2.3");
    let fixture = env.with_origin(Fixture { dir, origin: None });
    let dir = &fixture.dir;
    env.git(dir, &["config", "hotfix.github.repository", "acme/shop"]);
    env.git(
        dir,
        &["config", "hotfix.github.reviewers", "alice, acme/release"],
    );
    env.hotfix(
        dir,
        &[
            "start",
            "ENG-1234",
            "fix",
            "auth",
            "bypass",
            "--severity",
            "P0",
        ],
    )
    .ok();
    env.commit(
        dir,
        "fix: refuse unsigned tokens",
        &[
            ("auth.txt", "check signature\n"),
            ("tests/auth_test.sh", "check\n"),
        ],
    );
    fixture
}

fn hotfix_with(env: &TestEnv, github: &FakeGitHub, dir: &Path, args: &[&str]) -> Run {
    let mut command = env.hotfix_command(dir, args);
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url());
    let run = Run::of(command);
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

fn journal(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".git/hotfix/ENG-1234.json")).unwrap()
}

#[test]
fn finish_pr_pushes_the_release_and_opens_a_templated_labelled_pull_request() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let fix = env.rev(dir, HOTFIX).unwrap();
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    // GitHub stumbles on the create: the run waits and tries again.
    github.fail(Fault::status("POST", "/repos/acme/shop/pulls", 502));

    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).ok();
    assert!(
        run.stderr.contains(
            "GitHub answered POST /repos/acme/shop/pulls with 502 Bad Gateway; trying again"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout.trim(), "https://github.test/acme/shop/pull/1");

    // The release commit is on the hotfix branch, on top of the fix, and pushed.
    let tip = env.rev(dir, HOTFIX).unwrap();
    assert_eq!(env.parents(dir, &tip), std::slice::from_ref(&fix));
    assert_eq!(
        env.git(dir, &["log", "-1", "--format=%s", &tip]).trim(),
        "Release 1.2.4 (ENG-1234)"
    );
    assert_eq!(
        env.git(dir, &["show", &format!("{tip}:VERSION")]),
        "1.2.4\n"
    );
    assert_eq!(env.rev(origin, HOTFIX).as_deref(), Some(tip.as_str()));
    // Nothing merged or tagged here: that waits for the review.
    assert_eq!(env.rev(dir, "main"), env.rev(dir, "v1.2.3^{commit}"));
    assert_eq!(env.rev(dir, "v1.2.4"), None);
    assert_eq!(env.branch(dir).as_deref(), Some(HOTFIX));
    assert_eq!(env.git(dir, &["status", "--porcelain"]), "");
    env.fsck(dir);
    env.fsck(origin);

    let pulls = github.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    let pr = &pulls[0];
    assert_eq!(pr.title, "[RELEASE][HOTFIX][P0] ENG-1234: fix auth bypass");
    assert_eq!((pr.head.as_str(), pr.base.as_str()), (HOTFIX, "main"));
    assert_eq!(pr.labels, ["P0", "hotfix"]);
    assert_eq!(pr.requested_reviewers, ["alice"]);
    assert_eq!(pr.requested_teams, ["release"]);
    assert!(!pr.draft);
    for section in [
        "## Urgency\n\n- [x] **P0** security vulnerability",
        "- [ ] **P1** production down",
        "## Impact",
        "- **Severity kind:** security vulnerability",
        "## Root cause\n\n_How it happened (a `Root cause:` paragraph in the fix's commit message fills this in)._",
        "## The fix",
        &format!("- {} fix: refuse unsigned tokens", &fix[..7]),
        "- VERSION: 1.2.3 → 1.2.4",
        "## Testing",
        "## Regression test\n\n- `tests/auth_test.sh`",
        "## Rollback plan",
        "- Redeploy the previous release: `v1.2.3`.",
        "## Deploy\n\n- [ ] staging skipped: P0 goes straight to production",
        "- [ ] rollback plan ready (above)",
        "## Monitoring",
        "_who, and how many?_",
    ] {
        assert!(pr.body.contains(section), "no {section:?} in\n{}", pr.body);
    }
    // The severity labels were made with their colours.
    let created = github
        .writes()
        .into_iter()
        .find(|r| r.path == "/repos/acme/shop/labels")
        .unwrap();
    assert_eq!(created.body["name"], "P0");
    assert_eq!(created.body["color"], "b60205");
    // The access check came first; every request bore the token, none showed it.
    assert_eq!(github.received()[0].path, "/repos/acme/shop");
    assert!(
        github
            .received()
            .iter()
            .all(|r| r.authorization.as_deref() == Some(&*format!("Bearer {TOKEN}")))
    );

    let journal = journal(dir);
    assert!(!journal.contains(TOKEN));
    let journal: serde_json::Value = serde_json::from_str(&journal).unwrap();
    assert_eq!(journal["proposal"]["pull"]["number"], 1);
    assert_eq!(journal["proposal"]["base"], "main");
    assert_eq!(journal["proposal"]["pushed"], tip.as_str());
    assert_eq!(journal["state"], "active");

    // The same command again: the same branch, the same pull request, nothing written.
    let writes = github.writes().len();
    let refs = env.refs(dir);
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).ok();
    assert!(run.stderr.contains("Unchanged"), "{}", run.stderr);
    assert_eq!(github.writes().len(), writes);
    assert_eq!(github.pulls().len(), 1);
    assert_eq!(env.refs(dir), refs);
    assert_eq!(env.rev(origin, HOTFIX).as_deref(), Some(tip.as_str()));

    // `status` tells where it waits, and not a local finish it should not do.
    let status = env.hotfix(dir, &["status"]).ok();
    assert!(
        status
            .stdout
            .contains("Proposed: pull request #1 into main: https://github.test/acme/shop/pull/1"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("`git hotfix finish --after-merge`"));
    assert!(!status.stdout.contains("Finish will"), "{}", status.stdout);
}

#[test]
fn a_commit_added_after_review_is_pushed_and_the_pull_request_updated_without_a_second_bump() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    hotfix_with(&env, &github, dir, &["finish", "--pr"]).ok();
    let release = env.rev(dir, HOTFIX).unwrap();

    let review_fix = env.commit(
        dir,
        "fix: also refuse empty tokens",
        &[("auth.txt", "check signature\ncheck empty\n")],
    );
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr", "--json"]).ok();
    let json = run.json();
    assert_eq!(json["proposal"]["release_is_new"], false);
    assert_eq!(json["pull"]["created"], false);
    assert_eq!(json["pull"]["changes"], serde_json::json!(["body"]));
    assert_eq!(env.rev(dir, HOTFIX).as_deref(), Some(review_fix.as_str()));
    assert_eq!(
        env.rev(origin, HOTFIX).as_deref(),
        Some(review_fix.as_str())
    );
    // One release commit in the branch's history, and VERSION moved once.
    let log = env.git(dir, &["log", "--format=%s", &format!("v1.2.3..{HOTFIX}")]);
    assert_eq!(log.matches("Release 1.2.4").count(), 1, "{log}");
    assert_eq!(
        env.git(dir, &["show", &format!("{HOTFIX}:VERSION")]),
        "1.2.4\n"
    );
    assert!(env.rev(dir, &format!("{release}^{{commit}}")).is_some());
    let body = &github.pulls()[0].body;
    // What people read (the record for the action, hidden, names the release commit).
    let (shown, _) = body.split_once("<!-- git-hotfix:hotfix ").unwrap();
    assert!(shown.contains("fix: also refuse empty tokens"), "{body}");
    assert!(!shown.contains("Release 1.2.4 (ENG-1234)"), "{body}");
}

#[test]
fn plan_prints_the_requests_and_sends_nothing() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let dir = &fixture.dir;
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    let refs = env.refs(dir);
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr", "--plan"]).ok();
    assert!(github.received().is_empty());
    assert_eq!(env.refs(dir), refs);
    for line in [
        "Would open a pull request for hotfix ENG-1234 (hotfix/ENG-1234-fix-auth-bypass into main):",
        "push hotfix/ENG-1234-fix-auth-bypass to origin",
        "  GET /repos/acme/shop\n",
        "  POST /repos/acme/shop/pulls {",
        "\"title\":\"[RELEASE][HOTFIX][P0] ENG-1234: fix auth bypass\"",
        "  POST /repos/acme/shop/issues/{number}/labels {\"labels\":[\"P0\",\"hotfix\"]}",
    ] {
        assert!(run.stdout.contains(line), "no {line:?} in\n{}", run.stdout);
    }
    let json = hotfix_with(&env, &github, dir, &["finish", "--pr", "--plan", "--json"])
        .ok()
        .json();
    assert_eq!(json["executed"], false);
    assert_eq!(json["requests"][2]["method"], "POST");
    assert_eq!(json["requests"][2]["path"], "/repos/acme/shop/pulls");
    assert!(github.received().is_empty());
}

#[test]
fn refusals_before_the_push_leave_everything_as_it_was() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let refs = env.refs(dir);
    let journal_before = journal(dir);

    // A token GitHub does not know.
    let github = FakeGitHub::start("acme", "shop", "ghp_another_token");
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    error: GitHub refused the token (401 Bad credentials): it is wrong, expired or revoked
    hint: make a new token and export it as GITHUB_TOKEN (or `gh auth login`)
    ");

    // A token that may read but not push.
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    github.set_push_permission(false);
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    error: the token cannot push to acme/shop: it needs write access to its contents and pull requests (`repo` scope, or `contents: write` and `pull_requests: write`)
    hint: give the token that permission (or use one that has it), then run the same command again
    ");

    // No token at all: said before anything is asked.
    let run = env.hotfix(dir, &["finish", "--pr"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    error: no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or sign in with `gh auth login` (looked in GITHUB_TOKEN, GH_TOKEN, [TMP]/home/.config/gh/hosts.yml (host github.com))
    hint: create a token with `repo` scope (or `contents` and `pull_requests` write) and export it as GITHUB_TOKEN
    ");

    // Someone pushed to the hotfix branch: their commit is not overwritten.
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    let other = env.path("other");
    env.git(
        env.root.path(),
        &["clone", "--quiet", &origin.to_string_lossy(), "other"],
    );
    env.git(&other, &["switch", "--quiet", "-c", HOTFIX]);
    env.commit(&other, "wip from a colleague", &[("notes.txt", "wip\n")]);
    env.git(&other, &["push", "--quiet", "origin", HOTFIX]);
    let theirs = env.rev(&other, "HEAD").unwrap();
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    error: `hotfix/ENG-1234-fix-auth-bypass` on `origin` has commits the local branch lacks ([ID])
    hint: someone pushed to it: `git fetch origin`, merge `origin/hotfix/ENG-1234-fix-auth-bypass` into `hotfix/ENG-1234-fix-auth-bypass` (`git switch hotfix/ENG-1234-fix-auth-bypass && git merge origin/hotfix/ENG-1234-fix-auth-bypass`), then run it again
    ");
    assert_eq!(env.rev(origin, HOTFIX).as_deref(), Some(theirs.as_str()));
    assert!(github.writes().is_empty());

    assert_eq!(env.refs(dir), refs);
    assert_eq!(journal(dir), journal_before);
    env.fsck(dir);
}

#[test]
fn a_pull_request_github_refuses_is_opened_by_continue() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    github.fail(Fault::status("POST", "/repos/acme/shop/pulls", 500).times(4));
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    warning: GitHub answered POST /repos/acme/shop/pulls with 500 Internal Server Error; trying again in 0.5s (attempt 2 of 4)
    warning: GitHub answered POST /repos/acme/shop/pulls with 500 Internal Server Error; trying again in 1s (attempt 3 of 4)
    warning: GitHub answered POST /repos/acme/shop/pulls with 500 Internal Server Error; trying again in 2s (attempt 4 of 4)
    error: GitHub answered POST /repos/acme/shop/pulls with 500 Internal Server Error (after 4 attempts)
    hint: `git hotfix continue` goes on from where it stopped (it never opens two pull requests); `git hotfix abort` takes the run back
    ");
    let tip = env.rev(dir, HOTFIX).unwrap();
    assert_eq!(env.rev(origin, HOTFIX).as_deref(), Some(tip.as_str()));
    let status = hotfix_with(&env, &github, dir, &["status"]).ok().stdout;
    assert!(
        status.contains("under way  open the pull request"),
        "{status}"
    );
    assert!(github.pulls().is_empty());

    // The hint, word for word.
    let run = hotfix_with(&env, &github, dir, &["continue"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
           Moved refs/heads/hotfix/ENG-1234-fix-auth-bypass
          Pushed refs/heads/hotfix/ENG-1234-fix-auth-bypass to origin
          Opened pull request #1
    hint: once it is merged, `git hotfix finish --after-merge` tags what merged
       Completed the finish --pr of ENG-1234
    ");
    assert_eq!(env.rev(dir, HOTFIX).as_deref(), Some(tip.as_str()));
    assert_eq!(github.pulls().len(), 1);
    let journal_now: serde_json::Value = serde_json::from_str(&journal(dir)).unwrap();
    assert_eq!(journal_now["proposal"]["pull"]["number"], 1);
}

#[test]
fn a_push_the_remote_refused_goes_on_with_continue_as_its_hint_says() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    let hook = crate::push::pre_receive(origin, "echo 'maintenance: no pushes' >&2\nexit 1");
    // Exit 5: the remote refused.
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    error: the push to `origin` was rejected: refs/heads/hotfix/ENG-1234-fix-auth-bypass (pre-receive hook declined)
    hint: `git hotfix continue` goes on from where it stopped (it never opens two pull requests); `git hotfix abort` takes the run back
    ");
    let tip = env.rev(dir, HOTFIX).unwrap();
    assert_eq!(env.rev(origin, HOTFIX), None);
    assert!(github.pulls().is_empty());

    // The remote takes pushes again: the hint, word for word.
    std::fs::remove_file(hook).unwrap();
    hotfix_with(&env, &github, dir, &["continue"]).ok();
    assert_eq!(env.rev(origin, HOTFIX).as_deref(), Some(tip.as_str()));
    assert_eq!(env.rev(dir, HOTFIX).as_deref(), Some(tip.as_str()));
    assert_eq!(github.pulls().len(), 1);
    let journal_now: serde_json::Value = serde_json::from_str(&journal(dir)).unwrap();
    assert_eq!(journal_now["proposal"]["pull"]["number"], 1);
    assert!(journal_now["run"].is_null());
    env.fsck(dir);
}

/// GitHub merges pull request `number`: a merge commit of the hotfix branch into main on
/// origin, made in another clone as GitHub's merge button would. Returns the merge commit.
pub(crate) fn merge_on_github(
    env: &TestEnv,
    github: &FakeGitHub,
    origin: &Path,
    number: u64,
) -> String {
    merge_branch_on_github(env, github, origin, number, HOTFIX)
}

/// What GitHub's merge button does to pull request `number` from `branch` into main.
pub(crate) fn merge_branch_on_github(
    env: &TestEnv,
    github: &FakeGitHub,
    origin: &Path,
    number: u64,
    branch: &str,
) -> String {
    merge_on_github_as(env, github, origin, number, branch, Merge::Commit)
}

/// The same, with the merge method GitHub offers: a merge commit, a squash, a rebase.
pub(crate) fn merge_on_github_as(
    env: &TestEnv,
    github: &FakeGitHub,
    origin: &Path,
    number: u64,
    branch: &str,
    how: Merge,
) -> String {
    let clone = env.path("merger");
    env.git(
        env.root.path(),
        &["clone", "--quiet", &origin.to_string_lossy(), "merger"],
    );
    let theirs = format!("origin/{branch}");
    match how {
        Merge::Commit => {
            let message = format!("Merge pull request #{number} from acme/{branch}");
            env.git(
                &clone,
                &["merge", "--quiet", "--no-ff", "-m", &message, &theirs],
            );
        }
        _ => {
            let commits = env.git(
                &clone,
                &["rev-list", "--reverse", &format!("main..{theirs}")],
            );
            let commits: Vec<&str> = commits.lines().collect();
            let squashed = format!("Hotfix (#{number})");
            env.merge_as_github(&clone, how, &theirs, &commits, &squashed);
        }
    }
    env.git(&clone, &["push", "--quiet", "origin", "main"]);
    let merge = env.rev(&clone, "HEAD").unwrap();
    github.merge(number, &merge, "2026-03-05T15:10:00Z");
    merge
}

fn finished_journal(dir: &Path) -> serde_json::Value {
    let path = dir.join(".git/hotfix/finished/ENG-1234-1.2.4.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn after_merge_tags_what_github_merged_and_publishes_the_release() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    hotfix_with(&env, &github, dir, &["finish", "--pr"]).ok();

    // Not merged yet: refused, nothing moves.
    let refs = env.refs(dir);
    let run = hotfix_with(&env, &github, dir, &["finish", "--after-merge"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: pull request #1 has not merged yet
    hint: get it reviewed and merged (https://github.test/acme/shop/pull/1), then run `git hotfix finish --after-merge` again
    ");
    assert_eq!(env.refs(dir), refs);

    let merge = merge_on_github(&env, &github, origin, 1);
    // GitHub stumbles when asked about the pull request: the run tries again.
    github.fail(Fault::status("GET", "/repos/acme/shop/pulls/1", 502));
    let run = hotfix_with(
        &env,
        &github,
        dir,
        &["finish", "--after-merge", "--release"],
    )
    .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: GitHub answered GET /repos/acme/shop/pulls/1 with 502 Bad Gateway; trying again in 0.5s (attempt 2 of 4)
          Merged #1 into main on GitHub ([ID])
          Tagged v1.2.4 on [ID]
         Updated main to what GitHub merged ([ID])
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Switched [TMP]/repo to main
          Pushed refs/tags/v1.2.4 to origin
         Deleted refs/heads/hotfix/ENG-1234-fix-auth-bypass on origin
          Pushed the hotfix notes (refs/notes/hotfix) to origin
        Finished hotfix ENG-1234: released 1.2.4
       Published GitHub release v1.2.4
          Pushed the hotfix notes (refs/notes/hotfix) to origin
    ");
    for line in [
        "Merged #1 into main on GitHub",
        "Tagged v1.2.4",
        "Updated main to what GitHub merged",
        "Deleted hotfix/ENG-1234-fix-auth-bypass",
        "Pushed refs/tags/v1.2.4",
        "Finished hotfix ENG-1234: released 1.2.4",
        "Published GitHub release v1.2.4",
    ] {
        assert!(run.stderr.contains(line), "no {line:?} in\n{}", run.stderr);
    }

    // The tag is on what merged, here and on origin; main caught up; the branch is gone.
    assert_eq!(
        env.rev(dir, "v1.2.4^{commit}").as_deref(),
        Some(merge.as_str())
    );
    assert_eq!(env.rev(origin, "v1.2.4"), env.rev(dir, "v1.2.4"));
    assert_eq!(env.rev(dir, "main").as_deref(), Some(merge.as_str()));
    assert_eq!(env.rev(dir, HOTFIX), None);
    assert_eq!(env.branch(dir).as_deref(), Some("main"));
    assert_eq!(env.git(dir, &["status", "--porcelain"]), "");
    assert_eq!(
        env.git(dir, &["cat-file", "-t", "v1.2.4"]).trim(),
        "tag",
        "an annotated tag"
    );
    env.fsck(dir);
    env.fsck(origin);

    let releases = github.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0].tag, "v1.2.4");
    assert!(
        releases[0].body.contains("fix auth bypass"),
        "{}",
        releases[0].body
    );
    assert_eq!(releases[0].make_latest, "true");

    let journal = finished_journal(dir);
    assert_eq!(journal["state"], "finished");
    let events = journal["events"].as_array().unwrap();
    let merged = events.iter().find(|e| e["event"] == "pull-merged");
    let merged = merged.unwrap_or_else(|| panic!("no pull-merged event in {events:?}"));
    assert_eq!(merged["at"], "2026-03-05T15:10:00Z");
    assert_eq!(merged["commit"], merge.as_str());
    assert!(events.iter().any(|e| e["event"] == "release-published"));

    // Again: the hotfix is finished, the release as it should be; nothing is written.
    let writes = github.writes().len();
    let refs = env.refs(dir);
    let run = hotfix_with(
        &env,
        &github,
        dir,
        &[
            "finish",
            "--after-merge",
            "--release",
            "--hotfix",
            "ENG-1234",
        ],
    )
    .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Unchanged hotfix ENG-1234 finished already: released 1.2.4
    Unchanged GitHub release v1.2.4
    ");
    assert_eq!(github.writes().len(), writes);
    assert_eq!(env.refs(dir), refs);
}

#[test]
fn a_pull_request_closed_without_merging_is_not_tagged() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let dir = &fixture.dir;
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    hotfix_with(&env, &github, dir, &["finish", "--pr"]).ok();
    github.close(1);
    let refs = env.refs(dir);
    let run = hotfix_with(&env, &github, dir, &["finish", "--after-merge"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: pull request #1 was closed without merging
    hint: reopen it on GitHub, or run `git hotfix finish --pr` again to open a new one
    ");
    assert_eq!(env.refs(dir), refs);
    assert!(github.writes().iter().all(|w| !w.path.contains("releases")));

    // A hotfix that never opened one is told how to.
    let env = TestEnv::new();
    let plain = env.linear().dir;
    env.start_and_fix(&plain);
    let run = hotfix_with(&env, &github, &plain, &["finish", "--after-merge"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: hotfix ENG-1234 has no pull request: `finish --after-merge` follows `finish --pr`
    hint: open the pull request first with `git hotfix finish --pr`
    ");
}

#[test]
fn a_local_finish_publishes_its_release_once_the_tag_is_pushed() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.old_line());
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.git(dir, &["config", "hotfix.github.repository", "acme/shop"]);
    env.git(dir, &["push", "--quiet", "origin", "release/1.2"]);
    env.hotfix(dir, &["start", "ENG-21", "--from", "v1.2.3"])
        .ok();
    env.commit(dir, "fix 1.2", &[("auth.txt", "1.2 fix\n")]);
    let github = FakeGitHub::start("acme", "shop", TOKEN);

    // The tag must reach GitHub first.
    let run = hotfix_with(&env, &github, dir, &["finish", "--release"]).expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: `--release` publishes the tag on GitHub, and a local finish keeps it here
    hint: add `--push`, or publish later with `git hotfix finish --release --hotfix <ticket>` once the tag is pushed
    ");

    let run = hotfix_with(
        &env,
        &github,
        dir,
        &["finish", "--plan", "--push", "--release"],
    )
    .ok();
    assert_snapshot!(scrub(&env, &run.stdout), @r#"
    Would finish hotfix ENG-21 (1 commit on hotfix/ENG-21):
      - tag v1.2.4 on [ID] ("Hotfix 1.2.4: ENG-21")
      - fast-forward release/1.2 to [ID]
      - not merge into production: 1.2.4 is older than v2.0.0 (backport newer lines with `git hotfix backport`)
      - delete hotfix/ENG-21
      - switch [TMP]/repo to release/1.2
      - push to origin atomically, with leases: refs/tags/v1.2.4 refs/heads/release/1.2
      - publish the GitHub release of the tag

    GitHub requests (an existing release is updated instead):
      GET /repos/acme/shop/releases/tags/v1.2.4
      POST /repos/acme/shop/releases {"body":"ENG-21: \n","draft":false,"make_latest":"false","name":"v1.2.4","prerelease":false,"tag_name":"v1.2.4"}
    "#);
    assert!(github.received().is_empty());

    hotfix_with(&env, &github, dir, &["finish", "--push", "--release"]).ok();
    assert_eq!(env.rev(origin, "v1.2.4"), env.rev(dir, "v1.2.4"));
    let releases = github.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0].tag, "v1.2.4");
    // v2.0.0 is newer: the repository's latest release stays where it is.
    assert_eq!(releases[0].make_latest, "false");
}

/// Six release lines on a bare origin, release/1.2 with its own change to auth.txt, and a
/// P1 hotfix from main whose fix changes auth.txt: it picks cleanly onto five lines and
/// conflicts on release/1.2.
fn hotfix_for_release_lines(env: &TestEnv) -> Fixture {
    let fixture = env.release_lines();
    let dir = &fixture.dir;
    env.git(dir, &["switch", "--quiet", "release/1.2"]);
    env.commit(
        dir,
        "1.2: stricter check",
        &[("auth.txt", "check strictly\n")],
    );
    env.git(dir, &["switch", "--quiet", "main"]);
    let fixture = env.with_origin(fixture);
    let dir = &fixture.dir;
    env.git(dir, &["config", "hotfix.github.repository", "acme/shop"]);
    env.hotfix(
        dir,
        &[
            "start",
            "ENG-1234",
            "fix",
            "auth",
            "bypass",
            "--severity",
            "P1",
        ],
    )
    .ok();
    env.commit(
        dir,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "check signature\n")],
    );
    fixture
}

const BACKPORT_PR: &[&str] = &[
    "backport",
    "--to",
    "release/*",
    "--pr",
    "--on-conflict",
    "commit",
];

#[test]
fn backport_pr_opens_one_pull_request_per_line_and_a_draft_for_the_conflict() {
    let env = TestEnv::new();
    let fixture = hotfix_for_release_lines(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    github.fail(Fault::status("POST", "/repos/acme/shop/pulls", 502));

    let mut args = BACKPORT_PR.to_vec();
    args.push("--json");
    let run = hotfix_with(&env, &github, dir, &args).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"warning: GitHub answered POST /repos/acme/shop/pulls with 502 Bad Gateway; trying again in 0.5s (attempt 2 of 4)");
    let json = run.json();
    let targets = json["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 6);

    let pulls = github.pulls();
    assert_eq!(pulls.len(), 6, "{pulls:?}");
    for (minor, target) in targets.iter().enumerate() {
        let line = format!("release/1.{minor}");
        let branch = format!("backport/{line}/ENG-1234-fix-auth-bypass");
        let pr = pulls.iter().find(|p| p.base == line).unwrap();
        assert_eq!(pr.head, branch);
        assert_eq!(
            pr.title,
            format!("[Backport {line}] [HOTFIX][P1] ENG-1234: fix auth bypass")
        );
        assert_eq!(target["pull"]["number"], pr.number);
        assert_eq!(
            target["pull"]["url"],
            format!("https://github.test/acme/shop/pull/{}", pr.number)
        );
        // Each branch is on origin as it is here.
        assert_eq!(env.rev(origin, &branch), env.rev(dir, &branch));
        assert!(
            pr.body.contains("Backport of hotfix ENG-1234 to"),
            "{}",
            pr.body
        );
        assert!(
            pr.body.contains("fix: refuse unsigned tokens"),
            "{}",
            pr.body
        );
        if minor == 2 {
            assert_eq!(target["status"], "conflict");
            assert!(pr.draft);
            assert_eq!(pr.labels, ["P1", "hotfix", "backport", "conflicts"]);
            assert!(pr.body.contains("## Conflicts"), "{}", pr.body);
            assert!(pr.body.contains("- `auth.txt`"), "{}", pr.body);
            let file = env.git(dir, &["show", &format!("{branch}:auth.txt")]);
            assert!(
                file.contains("<<<<<<< HEAD\ncheck strictly\n======="),
                "{file}"
            );
        } else {
            assert_eq!(target["status"], "clean");
            assert!(!pr.draft);
            assert_eq!(pr.labels, ["P1", "hotfix", "backport"]);
            assert_eq!(
                env.git(dir, &["show", &format!("{branch}:auth.txt")]),
                "check signature\n"
            );
        }
    }
    env.fsck(dir);
    env.fsck(origin);
    // The run is over: its journal archived, the hotfix's told.
    assert!(!dir.join(".git/hotfix/backports/current.json").exists());

    // The same command again: every line has its branch and its pull request, and the line
    // whose markers nobody resolved yet is still a conflict (exit 3), not "has it".
    let writes = github.writes().len();
    let refs = env.refs(dir);
    let run = hotfix_with(&env, &github, dir, BACKPORT_PR).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched release/1.0, release/1.1, release/1.2, release/1.3, release/1.4, release/1.5 from origin
          Has it release/1.0              empty     already backported on backport/release/1.0/ENG-1234-fix-auth-bypass
          Has it release/1.1              empty     already backported on backport/release/1.1/ENG-1234-fix-auth-bypass
        Conflict release/1.2              conflict  backport/release/1.2/ENG-1234-fix-auth-bypass (conflict markers committed in auth.txt)
          Has it release/1.3              empty     already backported on backport/release/1.3/ENG-1234-fix-auth-bypass
          Has it release/1.4              empty     already backported on backport/release/1.4/ENG-1234-fix-auth-bypass
          Has it release/1.5              empty     already backported on backport/release/1.5/ENG-1234-fix-auth-bypass
       Unchanged release/1.0              #1 https://github.test/acme/shop/pull/1
       Unchanged release/1.1              #2 https://github.test/acme/shop/pull/2
       Unchanged release/1.2              #3 https://github.test/acme/shop/pull/3
       Unchanged release/1.3              #4 https://github.test/acme/shop/pull/4
       Unchanged release/1.4              #5 https://github.test/acme/shop/pull/5
       Unchanged release/1.5              #6 https://github.test/acme/shop/pull/6
    error: ENG-1234 (1 commit) to 5 of 6 lines; not done: release/1.2
    hint: the table above says why for each line
    hint: the conflict markers are committed on backport/release/1.2/ENG-1234-fix-auth-bypass: resolve them there and push (their pull requests are drafts until then)
    ");
    assert_eq!(github.writes().len(), writes);
    assert_eq!(github.pulls().len(), 6);
    assert_eq!(env.refs(dir), refs);
}

#[test]
fn continue_opens_only_the_pull_requests_a_failure_left_out() {
    let env = TestEnv::new();
    let fixture = hotfix_for_release_lines(&env);
    let dir = &fixture.dir;
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    // The second pull request opens, but GitHub keeps failing to label it.
    github.fail(Fault::status("POST", "/repos/acme/shop/issues/2/labels", 500).times(4));

    let run = hotfix_with(&env, &github, dir, BACKPORT_PR).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched release/1.0, release/1.1, release/1.2, release/1.3, release/1.4, release/1.5 from origin
          Picked release/1.0              clean     backport/release/1.0/ENG-1234-fix-auth-bypass at [ID] (1 picked)
          Picked release/1.1              clean     backport/release/1.1/ENG-1234-fix-auth-bypass at [ID] (1 picked)
        Conflict release/1.2              conflict  backport/release/1.2/ENG-1234-fix-auth-bypass (conflict markers committed in auth.txt)
          Picked release/1.3              clean     backport/release/1.3/ENG-1234-fix-auth-bypass at [ID] (1 picked)
          Picked release/1.4              clean     backport/release/1.4/ENG-1234-fix-auth-bypass at [ID] (1 picked)
          Picked release/1.5              clean     backport/release/1.5/ENG-1234-fix-auth-bypass at [ID] (1 picked)
    warning: GitHub answered POST /repos/acme/shop/issues/2/labels with 500 Internal Server Error; trying again in 0.5s (attempt 2 of 4)
    warning: GitHub answered POST /repos/acme/shop/issues/2/labels with 500 Internal Server Error; trying again in 1s (attempt 3 of 4)
    warning: GitHub answered POST /repos/acme/shop/issues/2/labels with 500 Internal Server Error; trying again in 2s (attempt 4 of 4)
    error: GitHub answered POST /repos/acme/shop/issues/2/labels with 500 Internal Server Error (after 4 attempts)
    hint: run the same command again later: what was done is kept, and nothing is done twice
    hint: the pull requests opened so far are kept; `git hotfix continue` opens the ones left
    ");
    assert_eq!(github.pulls().len(), 2);
    let journal: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(".git/hotfix/backports/current.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(journal["targets"][0]["pull"]["number"], 1);
    assert!(journal["targets"][1]["pull"].is_null());

    let run = hotfix_with(&env, &github, dir, &["continue"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
            Done release/1.0              clean     backport/release/1.0/ENG-1234-fix-auth-bypass at [ID] (1 picked)
            Done release/1.1              clean     backport/release/1.1/ENG-1234-fix-auth-bypass at [ID] (1 picked)
            Done release/1.2              conflict  backport/release/1.2/ENG-1234-fix-auth-bypass (conflict markers committed in auth.txt)
            Done release/1.3              clean     backport/release/1.3/ENG-1234-fix-auth-bypass at [ID] (1 picked)
            Done release/1.4              clean     backport/release/1.4/ENG-1234-fix-auth-bypass at [ID] (1 picked)
            Done release/1.5              clean     backport/release/1.5/ENG-1234-fix-auth-bypass at [ID] (1 picked)
          Opened release/1.0              #1 https://github.test/acme/shop/pull/1
         Updated release/1.1              #2 https://github.test/acme/shop/pull/2
          Opened release/1.2              #3 https://github.test/acme/shop/pull/3
          Opened release/1.3              #4 https://github.test/acme/shop/pull/4
          Opened release/1.4              #5 https://github.test/acme/shop/pull/5
          Opened release/1.5              #6 https://github.test/acme/shop/pull/6
    error: ENG-1234 (1 commit) to 5 of 6 lines; not done: release/1.2
    hint: the table above says why for each line
    hint: the conflict markers are committed on backport/release/1.2/ENG-1234-fix-auth-bypass: resolve them there and push (their pull requests are drafts until then)
    ");
    let pulls = github.pulls();
    assert_eq!(pulls.len(), 6, "{pulls:?}");
    assert_eq!(pulls[1].labels, ["P1", "hotfix", "backport"]);
    // Only the one left over was created: numbers 1 and 2 were not opened twice.
    let created = github
        .writes()
        .into_iter()
        .filter(|w| w.method == "POST" && w.path == "/repos/acme/shop/pulls")
        .count();
    assert_eq!(created, 6);
    assert!(!dir.join(".git/hotfix/backports/current.json").exists());
}

#[test]
fn tag_push_release_publishes_the_tag_once() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);

    // `--release` needs the tag on GitHub.
    hotfix_with(&env, &github, dir, &["tag", "--release"]).expect(2);

    let run = hotfix_with(&env, &github, dir, &["tag", "--push", "--release"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    Committed Release 1.2.4 (ENG-1234) ([ID])
              VERSION 1.2.3 -> 1.2.4
              CHANGELOG.md gets an entry "fix auth bypass (ENG-1234, P0)"
       Tagged v1.2.4 on [ID]
       Pushed v1.2.4 to origin
    Published GitHub release v1.2.4
    "#);
    assert_eq!(env.rev(origin, "v1.2.4"), env.rev(dir, "v1.2.4"));
    assert_eq!(env.rev(dir, "v1.2.4^{commit}"), env.rev(dir, HOTFIX));
    let releases = github.releases();
    assert_eq!(releases.len(), 1);
    // `tag` made the release commit: its changelog entry is the release's notes.
    assert_eq!(releases[0].body, "fix auth bypass (ENG-1234, P0)");
    assert_eq!(releases[0].make_latest, "true");

    // Again: the tag is there, here and there; the release is as it should be.
    let writes = github.writes().len();
    let run = hotfix_with(&env, &github, dir, &["tag", "--push", "--release"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Kept v1.2.4 (already on [ID])
    Unchanged v1.2.4 on origin
    Unchanged GitHub release v1.2.4
    ");
    assert_eq!(github.writes().len(), writes);
    env.fsck(origin);
}

/// A hotfix finished here and never pushed: `tag --push --release` sends its tag and, as
/// asked, publishes its release, as `finish --push --release` does (it pushed the tag and
/// said nothing of the release before).
#[test]
fn tag_push_release_of_a_hotfix_finished_here_publishes_it() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    hotfix_with(&env, &github, dir, &["finish"]).ok();
    assert_eq!(env.rev(origin, "v1.2.4"), None);

    let args = ["tag", "--push", "--release", "--hotfix", "ENG-1234"];
    let run = hotfix_with(&env, &github, dir, &args).ok();
    assert!(
        run.stderr.contains("Published GitHub release v1.2.4"),
        "{}",
        run.stderr
    );
    assert_eq!(env.rev(origin, "v1.2.4"), env.rev(dir, "v1.2.4"));
    let releases = github.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0].tag, "v1.2.4");

    // Again: nothing is written, and `--json` says what is there.
    let writes = github.writes().len();
    let json = hotfix_with(&env, &github, dir, &[&args[..], &["--json"]].concat())
        .ok()
        .json();
    assert_eq!(json["finished_already"], true, "{json}");
    assert_eq!(json["release"]["created"], false, "{json}");
    assert_eq!(github.writes().len(), writes);
    env.fsck(origin);
}

#[test]
fn after_merge_works_when_the_branch_was_deleted_by_hand() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    hotfix_with(&env, &github, dir, &["finish", "--pr"]).ok();
    let merge = merge_on_github(&env, &github, origin, 1);
    env.git(dir, &["switch", "--quiet", "main"]);
    env.git(dir, &["branch", "--quiet", "-D", HOTFIX]);

    hotfix_with(
        &env,
        &github,
        dir,
        &["finish", "--after-merge", "--hotfix", "ENG-1234"],
    )
    .ok();
    assert_eq!(
        env.rev(dir, "v1.2.4^{commit}").as_deref(),
        Some(merge.as_str())
    );
    assert_eq!(env.rev(origin, "v1.2.4"), env.rev(dir, "v1.2.4"));
    assert_eq!(env.rev(dir, "main").as_deref(), Some(merge.as_str()));
    assert_eq!(env.git(dir, &["status", "--porcelain"]), "");
    assert_eq!(finished_journal(dir)["state"], "finished");
    env.fsck(dir);
}

#[test]
fn a_server_echoing_the_token_gets_it_shown_nowhere() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let dir = &fixture.dir;
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    // The token sent, and another one the proxy saw: neither is shown or kept.
    let echo = format!("Validation failed (Authorization: Bearer {TOKEN}; also ghp_0therT0ken99)");
    github.fail(Fault::status("POST", "/repos/acme/shop/pulls", 422).message(&echo));
    // `hotfix_with` checks stdout and stderr; the journal keeps why the run stopped.
    let run = hotfix_with(&env, &github, dir, &["finish", "--pr", "--json"]).expect(5);
    assert!(run.stdout.contains("[token hidden]"), "{}", run.stdout);
    assert!(!run.stdout.contains("ghp_0therT0ken99"), "{}", run.stdout);
    assert!(!journal(dir).contains(TOKEN));
    assert!(!journal(dir).contains("ghp_0therT0ken99"));
    assert!(journal(dir).contains("[token hidden]"));
    let status = hotfix_with(&env, &github, dir, &["status"]).ok();
    assert!(
        status.stdout.contains("[token hidden]"),
        "{}",
        status.stdout
    );
}

/// Whoever can commit `.hotfix.toml` on main cannot collect the token of whoever runs the
/// next finish: a committed `api-url` gets no request until the user's own git config says
/// the same, and plain http goes to this machine only.
#[test]
fn a_committed_api_url_gets_no_token_until_the_user_confirms_it() {
    let env = TestEnv::new();
    let fixture = proposed_hotfix(&env);
    let dir = &fixture.dir;
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    env.git(dir, &["switch", "--quiet", "main"]);
    env.commit(
        dir,
        "Settings",
        &[(
            ".hotfix.toml",
            &format!("[github]\napi-url = \"{}\"\n", github.url()),
        )],
    );
    env.git(dir, &["switch", "--quiet", HOTFIX]);
    let before = env.refs(dir);
    let with_token = |args: &[&str]| {
        let mut command = env.hotfix_command(dir, args);
        command.env("GITHUB_TOKEN", TOKEN);
        Run::of(command)
    };

    let run = with_token(&["finish", "--pr"]).expect(1);
    assert!(
        run.stderr.contains(&format!(
            "says `[github] api-url = \"{}\"`, and the GitHub token is sent only to an API you chose yourself",
            github.url()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("git config --global hotfix.github.apiUrl"),
        "{}",
        run.stderr
    );
    assert!(github.received().is_empty(), "{:?}", github.received());
    assert_eq!(env.refs(dir), before);

    // Plain http to another machine is refused whoever chose it; nothing is sent.
    let mut command = env.hotfix_command(dir, &["finish", "--pr"]);
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", "http://github.example.com/api/v3");
    let run = Run::of(command).expect(1);
    assert!(run.stderr.contains("plain http"), "{}", run.stderr);
    assert_eq!(env.refs(dir), before);

    // Confirmed in the user's own config, the same URL is used.
    env.git(dir, &["config", "hotfix.github.apiUrl", &github.url()]);
    let run = with_token(&["finish", "--pr"]).ok();
    assert_eq!(run.stdout.trim(), "https://github.test/acme/shop/pull/1");
    assert_eq!(github.pulls().len(), 1);
}
