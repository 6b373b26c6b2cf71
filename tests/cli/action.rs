//! `git hotfix action`, the GitHub action's entry point: driven by event payloads as GitHub
//! sends them (tests/cli/events), in a one-commit checkout as `actions/checkout` makes,
//! against fake GitHub and a bare origin. Asserted: the pull requests, their labels, the one
//! comment, the step outputs, the job summary and the annotations.

use std::path::{Path, PathBuf};

use fake_github::{FakeGitHub, Fault};
use insta::assert_snapshot;
use serde_json::{Value, json};

use crate::common::fixtures::{HOTFIX, Merge};
use crate::common::{Run, TestEnv, scrub};

pub(crate) const TOKEN: &str = "ghs_action_token_5150";

/// A shop with three release lines: 1.3 and 1.2 take the fix cleanly, 1.1 changed the
/// same line of `auth.txt` and conflicts. Pull request #1 (two commits) merged into main as
/// `how`, after main moved on.
struct Shop {
    origin: PathBuf,
    github: FakeGitHub,
}

fn shop(env: &TestEnv, how: Merge) -> Shop {
    let dev = env.init("dev");
    env.commit(
        &dev,
        "Release 1.1.0",
        &[("auth.txt", "check\n"), ("cart.txt", "sum\n")],
    );
    env.git(&dev, &["branch", "release/1.1"]);
    env.git(&dev, &["switch", "--quiet", "release/1.1"]);
    env.commit(
        &dev,
        "auth: legacy check",
        &[("auth.txt", "legacy check\n")],
    );
    env.git(&dev, &["switch", "--quiet", "main"]);
    env.commit(&dev, "Release 1.2.0", &[("cart.txt", "sum\nround\n")]);
    env.git(&dev, &["branch", "release/1.2"]);
    env.commit(&dev, "Release 1.3.0", &[("cart.txt", "sum\nround\nship\n")]);
    env.git(&dev, &["branch", "release/1.3"]);
    let [first, second] = env.tokens_fix_branch(&dev);
    env.commit(&dev, "Unrelated work on main", &[("news.txt", "later\n")]);
    env.merge_as_github(
        &dev,
        how,
        "fix/tokens",
        &[&first, &second],
        "Refuse unsigned tokens (#1)",
    );
    let merge = env.rev(&dev, "main").unwrap();
    env.git(
        env.root.path(),
        &["clone", "--quiet", "--bare", "dev", "origin.git"],
    );
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    let number = github.add_pull("fix/tokens", "main", "Refuse unsigned tokens", "");
    assert_eq!(number, 1);
    github.set_head(1, &second, 2);
    github.merge(1, &merge, "2026-03-05T15:10:00Z");
    Shop {
        origin: env.path("origin.git"),
        github,
    }
}

/// What `actions/checkout` makes by default: the one commit, one branch.
fn checkout(env: &TestEnv, shop: &Shop, name: &str) -> PathBuf {
    let url = format!("file://{}", shop.origin.display());
    env.git(
        env.root.path(),
        &["clone", "--quiet", "--depth", "1", &url, name],
    );
    let dir = env.path(name);
    assert_eq!(
        env.git(&dir, &["rev-parse", "--is-shallow-repository"])
            .trim(),
        "true"
    );
    dir
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cli/events")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// The fixture's repository made acme/shop.
fn in_shop(event: &mut Value) {
    event["repository"]["full_name"] = json!("acme/shop");
    event["repository"]["name"] = json!("shop");
    event["repository"]["owner"]["login"] = json!("acme");
}

/// A `pull_request` event for #1, `action` `closed` or `labeled`, with `labels`.
fn pull_event(shop: &Shop, action: &str, labels: &[&str], added: Option<&str>) -> Value {
    pull_payload(&shop.github, 1, action, labels, added)
}

/// A `pull_request` event for pull request `number` as fake GitHub has it (merged),
/// `action` `closed` or `labeled`, with `labels`.
pub(crate) fn pull_payload(
    github: &FakeGitHub,
    number: u64,
    action: &str,
    labels: &[&str],
    added: Option<&str>,
) -> Value {
    let known = github.pulls().into_iter().find(|p| p.number == number);
    let known = known.unwrap_or_else(|| panic!("no pull request #{number}"));
    let file = match action {
        "labeled" => "pull_request.labeled.json",
        _ => "pull_request.closed.json",
    };
    let mut event = fixture(file);
    in_shop(&mut event);
    event["action"] = json!(action);
    event["number"] = json!(number);
    let label = |name: &str| {
        let mut label = fixture("pull_request.labeled.json")["label"].clone();
        label["name"] = json!(name);
        label
    };
    if let Some(name) = added {
        event["label"] = label(name);
    }
    let pull = &mut event["pull_request"];
    pull["number"] = json!(number);
    pull["state"] = json!("closed");
    pull["merged"] = json!(known.merged);
    pull["merged_at"] = json!(known.merged_at);
    pull["merge_commit_sha"] = json!(known.merge_commit_sha);
    pull["base"]["ref"] = json!(known.base);
    pull["head"]["ref"] = json!(known.head);
    pull["head"]["sha"] = json!(known.head_sha);
    pull["base"]["repo"]["full_name"] = json!("acme/shop");
    pull["head"]["repo"]["full_name"] = json!("acme/shop");
    pull["title"] = json!(known.title);
    pull["body"] = json!(known.body);
    pull["labels"] = Value::Array(labels.iter().map(|l| label(l)).collect());
    event
}

/// An `issue_comment` event: `login` wrote `body` (fake GitHub's comment `id`) on #1.
fn comment_event(id: u64, login: &str, body: &str) -> Value {
    let mut event = fixture("issue_comment.created.json");
    in_shop(&mut event);
    event["issue"]["number"] = json!(1);
    event["issue"]["pull_request"] = json!({
        "url": "https://api.github.com/repos/acme/shop/pulls/1",
        "html_url": "https://github.com/acme/shop/pull/1",
        "merged_at": "2026-03-05T15:10:00Z",
    });
    event["comment"]["id"] = json!(id);
    event["comment"]["body"] = json!(body);
    event["comment"]["user"]["login"] = json!(login);
    event
}

/// What a step left for the runner.
struct Step {
    run: Run,
    outputs: String,
    summary: String,
}

impl Step {
    /// An output's value: the last one set, as the runner takes it.
    fn output(&self, name: &str) -> &str {
        self.outputs
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no output {name} in {}", self.outputs))
    }
}

/// `git hotfix action [args]` in `dir` for `name` with `payload`, as the runner starts it.
pub(crate) fn action(
    env: &TestEnv,
    github: &FakeGitHub,
    dir: &Path,
    name: &str,
    payload: &Value,
    args: &[&str],
) -> (std::process::Command, PathBuf, PathBuf) {
    static STEPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let step = env.path(&format!(
        "step-{}",
        STEPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&step).unwrap();
    let event = step.join("event.json");
    std::fs::write(&event, serde_json::to_vec_pretty(payload).unwrap()).unwrap();
    let (outputs, summary) = (step.join("output"), step.join("summary"));
    let mut all = vec!["action"];
    all.extend(args);
    let mut command = env.hotfix_command(dir, &all);
    command
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", name)
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url());
    (command, outputs, summary)
}

fn step(
    env: &TestEnv,
    github: &FakeGitHub,
    dir: &Path,
    name: &str,
    payload: &Value,
    args: &[&str],
    code: i32,
) -> Step {
    let (command, outputs, summary) = action(env, github, dir, name, payload, args);
    let run = Run::of(command).expect(code);
    Step {
        run,
        outputs: std::fs::read_to_string(outputs).unwrap_or_default(),
        summary: std::fs::read_to_string(summary).unwrap_or_default(),
    }
}

/// A file on a branch of the origin.
fn on_origin(env: &TestEnv, shop: &Shop, branch: &str, path: &str) -> String {
    env.git(&shop.origin, &["show", &format!("{branch}:{path}")])
}

fn subjects(env: &TestEnv, shop: &Shop, range: &str) -> Vec<String> {
    subjects_in(env, &shop.origin, range)
}

fn subjects_in(env: &TestEnv, repo: &Path, range: &str) -> Vec<String> {
    env.git(repo, &["log", "--reverse", "--format=%s", range])
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn labels_on_a_merged_pull_request_backport_each_line_once_and_say_so_in_one_comment() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let ci = checkout(&env, &shop, "ci");
    let labels = [
        "backport release/1.2",
        "backport-to-release/1.1",
        "backport release/0.9",
        "bug",
    ];
    let event = pull_event(&shop, "closed", &labels, None);
    let first = step(&env, &shop.github, &ci, "pull_request", &event, &[], 3);

    // 1.2: the pull request's two commits, in a pull request of their own.
    assert_eq!(
        subjects(&env, &shop, "release/1.2..backport/release/1.2/pr-1"),
        ["fix: refuse unsigned tokens", "test: unsigned tokens"]
    );
    assert_eq!(
        on_origin(&env, &shop, "backport/release/1.2/pr-1", "auth.txt"),
        "check signature\n"
    );
    // Only the pull request's change: not main's unrelated work, nor 1.3's.
    assert_eq!(
        on_origin(&env, &shop, "backport/release/1.2/pr-1", "cart.txt"),
        "sum\nround\n"
    );
    let pulls = shop.github.pulls();
    let into = |base: &str| {
        pulls
            .iter()
            .find(|p| p.base == base)
            .unwrap_or_else(|| panic!("no pull request into {base}: {pulls:?}"))
    };
    let clean = into("release/1.2");
    assert_eq!(clean.head, "backport/release/1.2/pr-1");
    assert!(!clean.draft);
    // Named after the pull request it comes from, which the body links with its author;
    // a plain pull request's backport is no hotfix, and is not labelled one.
    assert_eq!(clean.title, "[Backport release/1.2] Refuse unsigned tokens");
    assert!(
        clean.body.starts_with(
            "Backport of #1 by @octocat (https://github.test/acme/shop/pull/1) to `release/1.2`."
        ),
        "{}",
        clean.body
    );
    assert_eq!(clean.labels, ["backport"]);
    // 1.1: a draft with the markers committed, labelled so.
    let conflicted = into("release/1.1");
    assert!(conflicted.draft);
    assert_eq!(conflicted.labels, ["backport", "conflicts"]);
    assert!(!shop.github.labels().contains(&"hotfix".to_string()));
    assert!(
        on_origin(&env, &shop, "backport/release/1.1/pr-1", "auth.txt").contains("<<<<<<<"),
        "the markers are committed"
    );
    assert_eq!(pulls.len(), 3, "#1 and the two backports: {pulls:?}");

    // One comment on #1 with the table; the same text in the job summary.
    let comments = shop.github.comments(1);
    assert_eq!(comments.len(), 1, "{comments:?}");
    let comment = &comments[0];
    assert_eq!(comment.author, "github-actions[bot]");
    for row in [
        format!("| `release/1.2` | ✅ #{} |", clean.number),
        format!(
            "| `release/1.1` | ⚠️ conflict in `auth.txt`: draft #{} has the markers committed |",
            conflicted.number
        ),
        "| `release/0.9` | ❌ no branch `release/0.9` on origin |".to_string(),
    ] {
        assert!(comment.body.contains(&row), "{row}\n{}", comment.body);
    }
    assert!(
        comment
            .body
            .contains("git switch backport/release/1.1/pr-1")
    );
    assert!(
        comment
            .body
            .contains("[this run](https://github.com/acme/shop/actions/runs/4242)")
    );
    assert!(first.summary.contains(&comment.body));

    // The outputs: what was opened, and that not every line has the fix.
    assert_eq!(first.output("success"), "false");
    assert_eq!(
        first.output("created-pull-requests"),
        format!("{} {}", clean.number, conflicted.number)
    );
    // The rows in the labels' order.
    let rows: Value = serde_json::from_str(first.output("pull-requests")).unwrap();
    assert_eq!(rows[0]["line"], "release/1.2");
    assert_eq!(rows[0]["status"], "proposed");
    assert_eq!(rows[0]["pull"], clean.number);
    assert_eq!(rows[1]["line"], "release/1.1");
    assert_eq!(rows[1]["status"], "conflict");
    assert_eq!(rows[2]["line"], "release/0.9");
    assert_eq!(rows[2]["status"], "missing");
    // Annotations on the run's page.
    assert!(
        first
            .run
            .stdout
            .contains("::warning title=Backport to release/1.1 conflicts::conflict in auth.txt"),
        "{}",
        first.run.stdout
    );
    assert!(
        first.run.stdout.contains(
            "::error title=No backport to release/0.9::no branch `release/0.9` on origin"
        )
    );
    // The checkout stays shallow: the lines came 50 commits deep at most, not whole.
    assert_eq!(
        env.git(&ci, &["rev-parse", "--is-shallow-repository"])
            .trim(),
        "true"
    );

    // A rerun on a new runner: nothing opened twice, the same comment, still honest.
    let again = checkout(&env, &shop, "ci-rerun");
    let second = step(&env, &shop.github, &again, "pull_request", &event, &[], 3);
    assert_eq!(shop.github.pulls().len(), 3);
    let comments = shop.github.comments(1);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, comment.body);
    assert_eq!(second.output("created-pull-requests"), "");
    assert_eq!(second.output("success"), "false");
    let rows: Value = serde_json::from_str(second.output("pull-requests")).unwrap();
    assert_eq!(rows[1]["status"], "conflict", "the markers are still there");

    // A label put on after the merge: that line too, in the same comment.
    let labelled = [&labels[..], &["backport release/1.3"]].concat();
    let event = pull_event(&shop, "labeled", &labelled, Some("backport release/1.3"));
    let third = step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci-label"),
        "pull_request",
        &event,
        &[],
        3,
    );
    let newest = shop
        .github
        .pulls()
        .into_iter()
        .find(|p| p.base == "release/1.3")
        .expect("a pull request into release/1.3");
    assert_eq!(
        third.output("created-pull-requests"),
        newest.number.to_string()
    );
    let comments = shop.github.comments(1);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .body
            .contains(&format!("| `release/1.3` | ✅ #{} |", newest.number)),
        "{}",
        comments[0].body
    );
    env.fsck(&shop.origin);
}

#[test]
fn squash_and_rebase_merges_backport_what_github_merged() {
    for (how, expected) in [
        (Merge::Squash, &["Refuse unsigned tokens (#1)"][..]),
        (
            Merge::Rebase,
            &["fix: refuse unsigned tokens", "test: unsigned tokens"][..],
        ),
    ] {
        let env = TestEnv::new();
        let shop = shop(&env, how);
        let ci = checkout(&env, &shop, "ci");
        let event = pull_event(&shop, "closed", &["backport release/1.2"], None);
        let done = step(&env, &shop.github, &ci, "pull_request", &event, &[], 0);
        assert_eq!(
            subjects(&env, &shop, "release/1.2..backport/release/1.2/pr-1"),
            expected,
            "{how:?}"
        );
        assert_eq!(done.output("success"), "true");
        assert_eq!(shop.github.pulls().len(), 2);
    }
}

#[test]
fn labels_before_the_merge_and_other_events_do_nothing() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let ci = checkout(&env, &shop, "ci");
    let mut open = pull_event(
        &shop,
        "labeled",
        &["backport release/1.2"],
        Some("backport release/1.2"),
    );
    open["pull_request"]["merged"] = json!(false);
    open["pull_request"]["merged_at"] = Value::Null;
    let done = step(&env, &shop.github, &ci, "pull_request", &open, &[], 0);
    assert!(
        done.run.stderr.contains("#1 has not merged"),
        "{}",
        done.run.stderr
    );
    assert_eq!(done.output("success"), "true");
    let unlabelled = pull_event(&shop, "closed", &["bug"], None);
    let done = step(&env, &shop.github, &ci, "pull_request", &unlabelled, &[], 0);
    assert!(
        done.run
            .stderr
            .contains("no label of #1 asks for a backport")
    );
    // Named like a hotfix branch, but opened by hand: nothing says what to release.
    let mut by_hand = pull_event(&shop, "closed", &[], None);
    by_hand["pull_request"]["head"]["ref"] = json!("hotfix/ENG-9-by-hand");
    let done = step(&env, &shop.github, &ci, "pull_request", &by_hand, &[], 0);
    assert!(
        done.run.stderr.contains(
            "#1 merged `hotfix/ENG-9-by-hand`, named like a hotfix branch, but `git hotfix finish --pr` did not open it"
        ),
        "{}",
        done.run.stderr
    );
    assert_eq!(env.git(&shop.origin, &["tag", "--list"]), "");
    let pushed = step(
        &env,
        &shop.github,
        &ci,
        "push",
        &json!({ "ref": "refs/heads/main" }),
        &[],
        0,
    );
    assert!(
        pushed
            .run
            .stderr
            .contains("a `push` event asks git-hotfix for nothing"),
        "{}",
        pushed.run.stderr
    );
    assert_eq!(shop.github.writes().len(), 0, "{:?}", shop.github.writes());
    assert!(shop.github.comments(1).is_empty());
}

#[test]
fn a_backport_comment_needs_write_access_and_is_answered_with_a_reaction() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let refs = env.refs(&shop.origin);
    let ci = checkout(&env, &shop, "ci");
    shop.github.set_permission("mallory", "read");
    let id = shop
        .github
        .add_comment(1, "mallory", "/backport release/1.2");
    let event = comment_event(id, "mallory", "/backport release/1.2");
    let refused = step(&env, &shop.github, &ci, "issue_comment", &event, &[], 0);
    assert!(
        refused
            .run
            .stderr
            .contains("@mallory asked for a backport of #1, but may not push to acme/shop (their permission: read)"),
        "{}",
        refused.run.stderr
    );
    assert_eq!(
        shop.github.comments(1)[0].reactions,
        [("github-actions[bot]".to_string(), "-1".to_string())]
    );
    // Said where whoever waits for the backport looks: the run's page and its summary.
    let why = "@mallory asked for a backport of #1, but may not push to acme/shop (their permission: read); nothing was done";
    assert!(
        refused
            .run
            .stdout
            .contains(&format!("::warning title=Backport of #1 refused::{why}")),
        "{}",
        refused.run.stdout
    );
    assert_eq!(
        refused.summary,
        format!("### Backport of #1 refused\n\n{why}\n\n")
    );
    assert_eq!(refused.output("success"), "true");
    assert_eq!(env.refs(&shop.origin), refs, "nothing pushed");
    assert_eq!(shop.github.pulls().len(), 1);

    shop.github.set_permission("maintainer", "write");
    // `/Backport`, as the README's `if:` (case-insensitive) starts the job for it.
    let body = "/Backport release/1.2 release/1.3\nThanks!";
    let id = shop.github.add_comment(1, "maintainer", body);
    let event = comment_event(id, "maintainer", body);
    let done = step(&env, &shop.github, &ci, "issue_comment", &event, &[], 0);
    let comments = shop.github.comments(1);
    let asked = comments.iter().find(|c| c.id == id).unwrap();
    assert_eq!(
        asked.reactions,
        [("github-actions[bot]".to_string(), "+1".to_string())]
    );
    let pulls = shop.github.pulls();
    assert!(pulls.iter().any(|p| p.base == "release/1.2"));
    assert!(pulls.iter().any(|p| p.base == "release/1.3"));
    assert_eq!(done.output("success"), "true");
    let answers: Vec<_> = comments
        .iter()
        .filter(|c| c.body.contains("### Backport of #1"))
        .collect();
    assert_eq!(answers.len(), 1);
}

/// The comment's table, without its record and the run's link.
fn table(body: &str) -> String {
    body.lines()
        .filter(|l| l.starts_with('|') || l.starts_with("###"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_one_comment_shows_every_line_ever_asked_for() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    shop.github.set_permission("maintainer", "write");
    let labels = ["backport release/1.2", "backport release/1.1"];
    let event = pull_event(&shop, "closed", &labels, None);
    let ci = checkout(&env, &shop, "ci");
    step(&env, &shop.github, &ci, "pull_request", &event, &[], 3);
    let first = shop.github.comments(1);
    assert_snapshot!(table(&first[0].body), @"
    ### Backport of #1
    | Line | Result |
    | --- | --- |
    | `release/1.2` | ✅ #3 |
    | `release/1.1` | ⚠️ conflict in `auth.txt`: draft #2 has the markers committed |
    ");

    // Asked again for 1.2 (found, not redone) and for a new line: 1.1 stays in the table.
    let body = "/backport release/1.2 release/1.3";
    let id = shop.github.add_comment(1, "maintainer", body);
    let asked = comment_event(id, "maintainer", body);
    let second = step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci-2"),
        "issue_comment",
        &asked,
        &[],
        0,
    );
    let comments = shop.github.comments(1);
    let answer = comments
        .iter()
        .find(|c| c.body.contains("### Backport of #1"))
        .unwrap();
    assert_eq!(answer.id, first[0].id, "the same comment, edited");
    assert_snapshot!(table(&answer.body), @"
    ### Backport of #1
    | Line | Result |
    | --- | --- |
    | `release/1.2` | ✅ #3 |
    | `release/1.1` | ⚠️ conflict in `auth.txt`: draft #2 has the markers committed |
    | `release/1.3` | ✅ #4 |
    ");
    // This run's outputs and summary are this run's: the two lines it was asked for.
    let rows: Value = serde_json::from_str(second.output("pull-requests")).unwrap();
    let lines: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_str().unwrap())
        .collect();
    assert_eq!(lines, ["release/1.2", "release/1.3"]);
    assert_eq!(second.output("success"), "true");
    assert!(
        !second.summary.contains("release/1.1"),
        "{}",
        second.summary
    );

    // And once more for one line: nothing forgotten, and the draft still named.
    let body = "/Backport release/1.3";
    let id = shop.github.add_comment(1, "maintainer", body);
    let asked = comment_event(id, "maintainer", body);
    step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci-3"),
        "issue_comment",
        &asked,
        &[],
        0,
    );
    let comments = shop.github.comments(1);
    let answers: Vec<_> = comments
        .iter()
        .filter(|c| c.body.contains("### Backport of #1"))
        .collect();
    assert_eq!(answers.len(), 1);
    assert_eq!(table(&answers[0].body), table(&answer.body));
    assert!(
        answers[0]
            .body
            .contains("git switch backport/release/1.1/pr-1")
    );
    assert_eq!(
        shop.github.pulls().len(),
        4,
        "#1 and three backports, none twice"
    );
    env.fsck(&shop.origin);
}

#[test]
fn a_run_that_loses_the_race_to_push_says_rerun_and_the_rerun_finishes_from_the_winner() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    // The other run's work: #1's commits picked onto release/1.2 (with their `cherry picked
    // from` lines, as git-hotfix writes them), and its pull request.
    let other = env.path("other");
    let url = format!("file://{}", shop.origin.display());
    env.git(env.root.path(), &["clone", "--quiet", &url, "other"]);
    env.git(
        &other,
        &["switch", "--quiet", "-c", "picked", "origin/release/1.2"],
    );
    env.git(&other, &["cherry-pick", "-x", "main^1..main^2"]);
    env.git(
        &other,
        &["push", "--quiet", "origin", "picked:refs/other/pr-1"],
    );
    let theirs = shop.github.add_pull(
        "backport/release/1.2/pr-1",
        "release/1.2",
        "[Backport release/1.2] Refuse unsigned tokens",
        "",
    );
    // It pushes its branch while this run is between fetching and pushing: the origin
    // takes the branch for it just before this run's push lands.
    let hook = shop.origin.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\n\
         test -e \"$GIT_DIR/raced\" && exit 0\n\
         touch \"$GIT_DIR/raced\"\n\
         env -u GIT_QUARANTINE_PATH git update-ref refs/heads/backport/release/1.2/pr-1 refs/other/pr-1\n",
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    let event = pull_event(&shop, "closed", &["backport release/1.2"], None);
    let lost = step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci"),
        "pull_request",
        &event,
        &[],
        5,
    );
    assert!(
        lost.run
            .stderr
            .contains("error: the push to `origin` was rejected"),
        "{}",
        lost.run.stderr
    );
    // No laptop hints on a runner whose checkout is thrown away.
    assert!(
        !lost.run.stderr.contains("git hotfix continue"),
        "{}",
        lost.run.stderr
    );
    assert!(
        !lost.run.stderr.contains("git hotfix abort"),
        "{}",
        lost.run.stderr
    );
    assert!(
        lost.run.stderr.contains("re-run this job"),
        "{}",
        lost.run.stderr
    );
    assert!(lost.summary.contains("re-run this job"), "{}", lost.summary);
    assert_eq!(lost.output("success"), "false");
    assert_eq!(
        env.rev(&shop.origin, "backport/release/1.2/pr-1"),
        env.rev(&shop.origin, "refs/other/pr-1"),
        "the other run's branch stands"
    );

    // The rerun goes on from what the other run pushed and opened: nothing twice.
    let rerun = step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci-rerun"),
        "pull_request",
        &event,
        &[],
        0,
    );
    assert_eq!(rerun.output("success"), "true");
    assert_eq!(
        shop.github.pulls().len(),
        2,
        "#1 and the other run's: {:?}",
        shop.github.pulls()
    );
    assert_eq!(rerun.output("created-pull-requests"), "");
    let comments = shop.github.comments(1);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .body
            .contains(&format!("| `release/1.2` | ✅ #{theirs} |")),
        "{}",
        comments[0].body
    );
    assert_eq!(
        env.rev(&shop.origin, "backport/release/1.2/pr-1"),
        env.rev(&shop.origin, "refs/other/pr-1"),
    );
    env.fsck(&shop.origin);
}

#[test]
fn a_plan_says_what_the_event_would_do_and_writes_nothing() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let ci = checkout(&env, &shop, "ci");
    let refs = env.refs(&shop.origin);
    let labels = [
        "backport release/1.2",
        "backport release/1.1",
        "backport release/0.9",
    ];
    let event = pull_event(&shop, "closed", &labels, None);
    let plan = step(
        &env,
        &shop.github,
        &ci,
        "pull_request",
        &event,
        &["--plan"],
        0,
    );
    assert_snapshot!(scrub(&env, &plan.run.stdout), @r#"
    Would skip release/0.9: no branch `release/0.9` on origin
    Would backport 2 commits:
      release/1.1              conflict  auth.txt
      release/1.2              clean     backport/release/1.2/pr-1 (2 picked)

    Then (an open pull request for a branch is kept, not opened twice):
      push backport/release/1.1/pr-1 to origin
      push backport/release/1.2/pr-1 to origin
      GET /repos/acme/shop/pulls?state=open&head=acme:backport%2Frelease%2F1.1%2Fpr-1&base=release%2F1.1&per_page=100
      POST /repos/acme/shop/pulls {"base":"release/1.1","body":"Backport of #1 by @octocat (https://github.test/acme/shop/pull/1) to `release/1.1`.\n\n## Commits\n\n- [ID] fix: refuse unsigned tokens: picked with conflicts as [ID]\n- [ID] test: unsigned tokens: picked as [ID]\n\n## Conflicts\n\nThe pick conflicted; the conflict markers are committed on this branch. Resolve them here (and push) before merging:\n\n- `auth.txt`\n\n## Testing\n\n- [ ] CI passes on `release/1.1`\n- [ ] _the fix verified on this line_\n","draft":true,"head":"backport/release/1.1/pr-1","maintainer_can_modify":true,"title":"[Backport release/1.1] Refuse unsigned tokens"}
      GET /repos/acme/shop/labels/backport
      GET /repos/acme/shop/labels/conflicts
      POST /repos/acme/shop/issues/{number}/labels {"labels":["backport","conflicts"]}
      GET /repos/acme/shop/pulls?state=open&head=acme:backport%2Frelease%2F1.2%2Fpr-1&base=release%2F1.2&per_page=100
      POST /repos/acme/shop/pulls {"base":"release/1.2","body":"Backport of #1 by @octocat (https://github.test/acme/shop/pull/1) to `release/1.2`.\n\n## Commits\n\n- [ID] fix: refuse unsigned tokens: picked as [ID]\n- [ID] test: unsigned tokens: picked as [ID]\n\n## Testing\n\n- [ ] CI passes on `release/1.2`\n- [ ] _the fix verified on this line_\n","draft":false,"head":"backport/release/1.2/pr-1","maintainer_can_modify":true,"title":"[Backport release/1.2] Refuse unsigned tokens"}
      POST /repos/acme/shop/issues/{number}/labels {"labels":["backport"]}
    Then: one comment on #1 with a row per line (edited if there is one)
    "#);
    assert_eq!(env.refs(&shop.origin), refs, "nothing pushed");
    assert_eq!(shop.github.writes().len(), 0, "{:?}", shop.github.writes());
    assert_eq!(shop.github.comments(1).len(), 0);
    assert_eq!((plan.outputs.as_str(), plan.summary.as_str()), ("", ""));

    // A comment: the reaction is said, not made.
    shop.github.set_permission("mallory", "read");
    let id = shop
        .github
        .add_comment(1, "mallory", "/backport release/1.2");
    let event = comment_event(id, "mallory", "/backport release/1.2");
    let refused = step(
        &env,
        &shop.github,
        &ci,
        "issue_comment",
        &event,
        &["--plan"],
        0,
    );
    assert_snapshot!(scrub(&env, &refused.run.stderr), @r"
     Would react -1 to the comment
    Would refuse @mallory asked for a backport of #1, but may not push to acme/shop (their permission: read); nothing was done
    ");
    assert!(shop.github.comments(1)[0].reactions.is_empty());
    assert_eq!(shop.github.writes().len(), 0, "no reaction, no comment");
}

#[test]
fn backports_get_the_labels_a_team_asks_for_and_the_lines_it_always_wants() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    // The team's settings, committed on main after #1 merged.
    let team = env.path("team");
    let url = format!("file://{}", shop.origin.display());
    env.git(env.root.path(), &["clone", "--quiet", &url, "team"]);
    std::fs::write(
        team.join(".hotfix.toml"),
        "[github]\nbackport-add-labels = [\"needs-qa\"]\nbackport-copy-labels = \"bug|security-.*|backport.*|v.*\"\nbackport-label-mapping = { \"^v(\\\\d+)\\\\.(\\\\d+)\\\\.\\\\d+$\" = \"release/$1.$2\" }\nbackport-copy-assignees = true\nbackport-copy-reviewers = true\n",
    )
    .unwrap();
    env.git(&team, &["add", ".hotfix.toml"]);
    env.git(&team, &["commit", "--quiet", "-m", "Backport settings"]);
    env.git(&team, &["push", "--quiet", "origin", "main"]);

    // `v1.2.5` names release/1.2 through the mapping (sorenlouv/backport's way).
    let labels = ["v1.2.5", "bug", "security-high", "wontfix"];
    for label in labels {
        shop.github.add_label(1, label);
    }
    shop.github.request_review(1, "bob");
    shop.github.request_review(1, "acme/security");
    shop.github.assign(1, "alice");
    shop.github.assign(1, "carol");
    let event = pull_event(&shop, "closed", &labels, None);
    let ci = checkout(&env, &shop, "ci");
    let done = step(
        &env,
        &shop.github,
        &ci,
        "pull_request",
        &event,
        &["--to", "release/1.3"],
        0,
    );
    assert_eq!(done.output("success"), "true");
    let pulls = shop.github.pulls();
    let into = |base: &str| {
        pulls
            .iter()
            .find(|p| p.base == base)
            .unwrap_or_else(|| panic!("none into {base}: {pulls:?}"))
    };
    // The labels asked for, the matching ones copied; never one that asks for a backport.
    assert_eq!(
        into("release/1.2").labels,
        ["backport", "needs-qa", "bug", "security-high"]
    );
    // The people of #1: its assignees, and the reviews asked of people and teams.
    let backport = into("release/1.2");
    assert_eq!(backport.assignees, ["alice", "carol"]);
    assert_eq!(backport.requested_reviewers, ["bob"]);
    assert_eq!(backport.requested_teams, ["security"]);
    // `--to` (the action's `target-branches`): a line no label named.
    assert_eq!(
        into("release/1.3").labels,
        ["backport", "needs-qa", "bug", "security-high"]
    );
    assert_eq!(pulls.len(), 3);

    // A pattern that is no regular expression is refused, naming the setting.
    let bad =
        Run::of(env.hotfix_command(&ci, &["-c", "github.backport-copy-labels=bug|(", "status"]))
            .expect(2);
    assert!(
        bad.stderr.contains("backport-copy-labels"),
        "{}",
        bad.stderr
    );
    assert!(
        bad.stderr.contains("not a regular expression"),
        "{}",
        bad.stderr
    );
}

#[test]
fn backports_are_worded_milestoned_and_auto_merged_as_the_team_says() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let milestone = shop.github.add_milestone("1.2.6");
    shop.github.set_milestone(1, milestone);
    let settings = "-c";
    let ours = [
        settings,
        "github.backport-pr-title={title} ({line})",
        settings,
        "github.backport-pr-body={default}\n---\ncc @{author}: from #{number} ({url})",
        settings,
        "github.backport-copy-milestone=true",
        settings,
        "github.backport-auto-merge=squash",
    ];
    let ci = checkout(&env, &shop, "ci");

    // The repository does not allow auto-merge: the pull request opens all the same, and
    // the run says why it will not merge itself.
    let event = pull_event(&shop, "closed", &["backport release/1.2"], None);
    let done = step(&env, &shop.github, &ci, "pull_request", &event, &ours, 0);
    assert!(
        done.run
            .stderr
            .contains("auto-merge was not enabled: GitHub refused POST /graphql: Pull request Auto merge is not allowed for this repository"),
        "{}",
        done.run.stderr
    );
    let into = |base: &str| {
        let pulls = shop.github.pulls();
        pulls
            .into_iter()
            .find(|p| p.base == base)
            .unwrap_or_else(|| panic!("none into {base}"))
    };
    let first = into("release/1.2");
    assert_eq!(first.title, "Refuse unsigned tokens (release/1.2)");
    assert!(
        first.body.starts_with("Backport of #1 by @octocat"),
        "{}",
        first.body
    );
    assert!(
        first
            .body
            .ends_with("\n---\ncc @octocat: from #1 (https://github.test/acme/shop/pull/1)\n"),
        "{}",
        first.body
    );
    assert_eq!(first.milestone, Some(milestone));
    assert_eq!(first.auto_merge, None);

    // Allowed now: a clean line merges itself by squash, a conflict's draft never.
    shop.github.allow_auto_merge(true);
    let event = pull_event(
        &shop,
        "labeled",
        &[
            "backport release/1.2",
            "backport release/1.3",
            "backport release/1.1",
        ],
        Some("backport release/1.3"),
    );
    let ci = checkout(&env, &shop, "ci-2");
    step(&env, &shop.github, &ci, "pull_request", &event, &ours, 3);
    let clean = into("release/1.3");
    assert_eq!(clean.auto_merge.as_deref(), Some("SQUASH"));
    assert_eq!(clean.milestone, Some(milestone));
    let conflict = into("release/1.1");
    assert!(conflict.draft);
    assert_eq!(conflict.auto_merge, None);
    assert_eq!(shop.github.pulls().len(), 4);

    // A template naming what it may not is refused where it is written.
    let bad = Run::of(env.hotfix_command(
        &ci,
        &[
            "-c",
            "github.backport-pr-title=[{target}] {title}",
            "status",
        ],
    ))
    .expect(2);
    assert!(
        bad.stderr.contains("backport-pr-title")
            && bad.stderr.contains("unknown placeholder `{target}`"),
        "{}",
        bad.stderr
    );
}

/// A pull request whose branch merged its base to catch up: `fix`, a merge of main, `test`,
/// merged into main by a merge commit; release/1.2 lacks main's later work.
fn merges_in_the_branch(env: &TestEnv) -> Shop {
    let dev = env.init("dev");
    env.commit(
        &dev,
        "Release 1.2.0",
        &[("auth.txt", "check\n"), ("cart.txt", "sum\n")],
    );
    env.git(&dev, &["branch", "release/1.2"]);
    env.git(&dev, &["switch", "--quiet", "-c", "fix/tokens"]);
    env.commit(
        &dev,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "check signature\n")],
    );
    env.git(&dev, &["switch", "--quiet", "main"]);
    env.commit(&dev, "Unrelated work on main", &[("news.txt", "later\n")]);
    env.git(&dev, &["switch", "--quiet", "fix/tokens"]);
    env.git(
        &dev,
        &[
            "merge",
            "--quiet",
            "--no-ff",
            "-m",
            "Merge branch 'main' into fix/tokens",
            "main",
        ],
    );
    let head = env.commit(
        &dev,
        "test: unsigned tokens",
        &[("auth_test.txt", "refused\n")],
    );
    env.git(&dev, &["switch", "--quiet", "main"]);
    env.merge_as_github(&dev, Merge::Commit, "fix/tokens", &[], "");
    let merge = env.rev(&dev, "main").unwrap();
    env.git(
        env.root.path(),
        &["clone", "--quiet", "--bare", "dev", "origin.git"],
    );
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    github.add_pull("fix/tokens", "main", "Refuse unsigned tokens", "");
    github.set_head(1, &head, 3);
    github.merge(1, &merge, "2026-03-05T15:10:00Z");
    Shop {
        origin: env.path("origin.git"),
        github,
    }
}

#[test]
fn merge_commits_in_a_pull_request_fail_are_skipped_or_picked_as_one_change() {
    let branch = "backport/release/1.2/pr-1";
    for policy in ["fail", "skip", "pick"] {
        let env = TestEnv::new();
        let shop = merges_in_the_branch(&env);
        let ci = checkout(&env, &shop, "ci");
        let event = pull_event(&shop, "closed", &["backport release/1.2"], None);
        let setting = format!("github.backport-merge-commits={policy}");
        let code = if policy == "fail" { 1 } else { 0 };
        let done = step(
            &env,
            &shop.github,
            &ci,
            "pull_request",
            &event,
            &["-c", &setting],
            code,
        );
        let picked = || subjects(&env, &shop, &format!("release/1.2..{branch}"));
        let changed = || {
            env.git(
                &shop.origin,
                &["diff", "--name-only", "release/1.2", branch],
            )
        };
        match policy {
            // Nothing picked, nothing pushed, nothing opened; the merge is named, and so
            // is the way on.
            "fail" => {
                assert!(
                    done.run.stderr.contains("merge commit: ")
                        && done
                            .run
                            .stderr
                            .contains("Merge branch 'main' into fix/tokens")
                        && done.run.stderr.contains("backport-merge-commits"),
                    "{}",
                    done.run.stderr
                );
                assert!(env.rev(&shop.origin, branch).is_none());
                assert!(shop.github.pulls().iter().all(|p| p.number == 1));
            }
            "skip" => {
                assert_eq!(
                    picked(),
                    ["fix: refuse unsigned tokens", "test: unsigned tokens"]
                );
                assert_eq!(changed(), "auth.txt\nauth_test.txt\n");
                assert!(done.run.stderr.contains("Left out"), "{}", done.run.stderr);
            }
            // One commit: the pull request's change against main, not main's own work.
            _ => {
                assert_eq!(picked(), ["Merge pull request #1 from acme/fix/tokens"]);
                assert_eq!(changed(), "auth.txt\nauth_test.txt\n");
            }
        }
        env.fsck(&shop.origin);
    }
}

#[test]
fn a_conflict_answered_in_the_comment_finishes_on_a_developers_machine() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let ci = checkout(&env, &shop, "ci");
    let event = pull_event(&shop, "closed", &["backport release/1.1"], None);
    let done = step(
        &env,
        &shop.github,
        &ci,
        "pull_request",
        &event,
        &["--on-conflict", "comment"],
        3,
    );
    assert_eq!(shop.github.pulls().len(), 1, "no draft");
    let body = &shop.github.comments(1)[0].body;
    let command = "git hotfix backport --pull 1 --to release/1.1 --pr";
    assert!(body.contains(&format!("```sh\n{command}\n```")), "{body}");
    assert_eq!(done.output("success"), "false");

    // The command, on a developer's clone (main only, the line on the remote): it stops at
    // the conflict, and `continue` after the fix opens the pull request.
    let url = format!("file://{}", shop.origin.display());
    env.git(env.root.path(), &["clone", "--quiet", &url, "laptop"]);
    let laptop = env.path("laptop");
    let mut args: Vec<&str> = command.split(' ').skip(2).collect();
    args.extend(["--on-conflict", "pause"]);
    let mut backport = env.hotfix_command(&laptop, &args);
    backport
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", shop.github.url());
    env.git(
        &laptop,
        &["config", "hotfix.github.repository", "acme/shop"],
    );
    Run::of(backport).expect(3);
    let worktree = std::fs::read_dir(laptop.join(".git/hotfix/resolve"))
        .unwrap()
        .next()
        .expect("a conflict worktree")
        .unwrap()
        .path();
    std::fs::write(worktree.join("auth.txt"), "legacy check signature\n").unwrap();
    env.git(&worktree, &["add", "auth.txt"]);
    let mut resume = env.hotfix_command(&laptop, &["continue"]);
    resume
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", shop.github.url());
    Run::of(resume).ok();
    assert_eq!(
        on_origin(&env, &shop, "backport/release/1.1/pr-1", "auth.txt"),
        "legacy check signature\n"
    );
    assert!(
        shop.github
            .pulls()
            .iter()
            .any(|p| p.base == "release/1.1" && !p.draft)
    );
}

#[test]
fn the_guide_shows_the_workflow_files_as_they_are() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let guide = std::fs::read_to_string(root.join("docs/github.md")).unwrap();
    for name in [
        "backport-labels.yml",
        "backport-comments.yml",
        "hotfix-release.yml",
    ] {
        let file = std::fs::read_to_string(root.join("docs/workflows").join(name)).unwrap();
        assert!(
            guide.contains(&format!("```yaml\n{file}```")),
            "docs/github.md does not show docs/workflows/{name} as it is"
        );
    }
}

/// A release server with `files` (path → bytes), answering 404 for anything else.
fn release_server(files: Vec<(String, Vec<u8>)>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            if BufReader::new(&stream).read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            let (status, body) = match files.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", b"Not Found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{address}")
}

#[test]
fn the_action_installs_the_release_binary_only_when_its_sha256_matches() {
    use sha2::Digest;
    let env = TestEnv::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // A stand-in for the release's binary: the debug build is half a gigabyte to gzip.
    let version = env!("CARGO_PKG_VERSION");
    let staged = env.path("staged");
    std::fs::create_dir_all(&staged).unwrap();
    std::fs::write(
        staged.join("git-hotfix"),
        format!("#!/bin/sh\necho 'git-hotfix {version}'\n"),
    )
    .unwrap();
    env.command_in(&staged, "chmod")
        .args(["755", "git-hotfix"])
        .status()
        .unwrap();
    let archive = env.path("git-hotfix-x86_64-unknown-linux-gnu.tar.gz");
    let tar = env
        .command_in(&staged, "tar")
        .args(["-czf", archive.to_str().unwrap(), "git-hotfix"])
        .status()
        .unwrap();
    assert!(tar.success());
    let bytes = std::fs::read(&archive).unwrap();
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let at = format!(
        "/git-hotfix/git-hotfix/releases/download/v{version}/git-hotfix-x86_64-unknown-linux-gnu.tar.gz"
    );

    let install = |server: &str, os: &str, name: &str| {
        let temp = env.path(name);
        std::fs::create_dir_all(&temp).unwrap();
        let path_file = temp.join("github-path");
        let output = env
            .command_in(&root, "bash")
            .arg(root.join("scripts/action/install.sh"))
            .env("GITHUB_ACTION_PATH", &root)
            .env("GITHUB_SERVER_URL", server)
            .env("GITHUB_PATH", &path_file)
            .env("RUNNER_TEMP", &temp)
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", "X64")
            .env("GIT_HOTFIX_BUILD", "never")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), said, temp, path_file)
    };

    let good = release_server(vec![
        (at.clone(), bytes.clone()),
        (
            format!("{at}.sha256"),
            format!("{digest}  git-hotfix-x86_64-unknown-linux-gnu.tar.gz\n").into_bytes(),
        ),
    ]);
    let (ok, said, temp, path_file) = install(&good, "Linux", "good");
    assert!(ok, "{said}");
    assert!(said.contains(&format!("git-hotfix {version}")), "{said}");
    let bin = temp.join("git-hotfix/bin");
    assert_eq!(
        std::fs::read(bin.join("git-hotfix")).unwrap(),
        std::fs::read(staged.join("git-hotfix")).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(path_file).unwrap(),
        format!("{}\n", bin.display())
    );

    let tampered = release_server(vec![
        (at.clone(), bytes),
        (
            format!("{at}.sha256"),
            format!("{}  x\n", "0".repeat(64)).into_bytes(),
        ),
    ]);
    let (ok, said, temp, _) = install(&tampered, "Linux", "tampered");
    assert!(!ok);
    assert!(
        said.contains(&format!(
            "has sha256 {digest}, the release says {}: not installed",
            "0".repeat(64)
        )),
        "{said}"
    );
    assert!(!temp.join("git-hotfix/bin/git-hotfix").exists());

    let (ok, said, _, _) = install(&good, "Windows", "windows");
    assert!(!ok);
    assert!(
        said.contains("no prebuilt binary for Windows/X64"),
        "{said}"
    );
}

#[test]
fn a_bot_without_the_rights_it_needs_is_told_which_ones() {
    let env = TestEnv::new();
    let shop = shop(&env, Merge::Commit);
    let event = pull_event(&shop, "closed", &["backport release/1.2"], None);

    // A token that may not push: refused before anything is pushed.
    shop.github.set_push_permission(false);
    let refs = env.refs(&shop.origin);
    let denied = step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci"),
        "pull_request",
        &event,
        &[],
        5,
    );
    let said = "the token cannot push to acme/shop: it needs write access to its contents and pull requests";
    assert!(denied.run.stderr.contains(said), "{}", denied.run.stderr);
    assert!(
        denied
            .run
            .stdout
            .starts_with("::error title=git-hotfix::the token cannot push"),
        "{}",
        denied.run.stdout
    );
    assert_eq!(denied.output("success"), "false");
    assert!(denied.summary.contains(said));
    assert_eq!(env.refs(&shop.origin), refs);

    // A token that may push but not comment (a fine-grained token without pull requests):
    // GitHub's 403 names the permission, and so does the error.
    shop.github.set_push_permission(true);
    shop.github.fail(
        Fault::status("POST", "/repos/acme/shop/issues/1/comments", 403)
            .header("X-Accepted-GitHub-Permissions", "pull_requests=write"),
    );
    let forbidden = step(
        &env,
        &shop.github,
        &checkout(&env, &shop, "ci-2"),
        "pull_request",
        &event,
        &[],
        5,
    );
    assert!(
        forbidden
            .run
            .stderr
            .contains("the token needs the permission pull_requests=write"),
        "{}",
        forbidden.run.stderr
    );
    assert!(forbidden.run.stdout.contains("::error title=git-hotfix::"));
    assert_eq!(forbidden.output("success"), "false");
    // The pull request it opened before the comment failed is in the outputs all the same.
    let opened = shop
        .github
        .pulls()
        .into_iter()
        .find(|p| p.base == "release/1.2")
        .unwrap();
    assert_eq!(
        forbidden.output("created-pull-requests"),
        opened.number.to_string()
    );
}

/// A hotfix proposed with `finish --pr` and merged on GitHub by a merge commit, with fake
/// GitHub serving origin's git data; `prepare` first gets a colleague's clone of origin to
/// push what the test needs there (a develop, an older line).
struct MergedHotfix {
    dev: PathBuf,
    origin: PathBuf,
    github: FakeGitHub,
    /// The merge commit GitHub made.
    merge: String,
    /// The hotfix branch's tip that merged.
    head: String,
}

fn merged_hotfix(env: &TestEnv, prepare: impl FnOnce(&Path)) -> MergedHotfix {
    merged_hotfix_as(env, Merge::Commit, prepare)
}

/// The same, merged on GitHub `how`.
fn merged_hotfix_as(env: &TestEnv, how: Merge, prepare: impl FnOnce(&Path)) -> MergedHotfix {
    let fixture = crate::github::proposed_hotfix(env);
    let origin = fixture.origin.clone().unwrap();
    let url = format!("file://{}", origin.display());
    env.git(env.root.path(), &["clone", "--quiet", &url, "colleague"]);
    prepare(&env.path("colleague"));
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    github.serve_git(&origin);
    let hotfix = MergedHotfix {
        dev: fixture.dir,
        origin,
        github,
        merge: String::new(),
        head: String::new(),
    };
    hotfix.hotfix(env, &["finish", "--pr"]).ok();
    let head = env.rev(&hotfix.origin, HOTFIX).unwrap();
    hotfix.github.set_head(1, &head, 2);
    let merge =
        crate::github::merge_on_github_as(env, &hotfix.github, &hotfix.origin, 1, HOTFIX, how);
    MergedHotfix {
        merge,
        head,
        ..hotfix
    }
}

impl MergedHotfix {
    /// `git hotfix <args>` in the developer's clone, talking to fake GitHub.
    fn hotfix(&self, env: &TestEnv, args: &[&str]) -> Run {
        let mut command = env.hotfix_command(&self.dev, args);
        command
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", self.github.url());
        Run::of(command)
    }

    /// A fresh one-commit checkout of origin without its tags, as `actions/checkout` makes
    /// for each workflow run.
    fn checkout(&self, env: &TestEnv, name: &str) -> PathBuf {
        let url = format!("file://{}", self.origin.display());
        env.git(
            env.root.path(),
            &["clone", "--quiet", "--depth", "1", "--no-tags", &url, name],
        );
        env.path(name)
    }

    /// The merged event of its pull request, with `labels`.
    fn merged(&self, labels: &[&str]) -> Value {
        pull_payload(&self.github, 1, "closed", labels, None)
    }
}

/// The release path for every merge method GitHub offers: squashed into one commit or
/// rebased onto main, what GitHub made is tagged and released, from the same payload.
#[test]
fn a_hotfix_squashed_or_rebased_on_github_is_released_as_github_made_it() {
    for how in [Merge::Squash, Merge::Rebase] {
        let env = TestEnv::new();
        let hotfix = merged_hotfix_as(&env, how, |_| {});
        let (origin, github, merge) = (&hotfix.origin, &hotfix.github, &hotfix.merge);
        let parents = env.git(origin, &["show", "-s", "--format=%P", merge]);
        assert_eq!(
            parents.split_whitespace().count(),
            1,
            "{how:?}: no merge commit"
        );
        let ci = hotfix.checkout(&env, "ci");
        let done = step(
            &env,
            github,
            &ci,
            "pull_request_target",
            &hotfix.merged(&[]),
            &[],
            0,
        );
        assert_eq!(
            env.rev(origin, "v1.2.4^{commit}").as_deref(),
            Some(merge.as_str()),
            "{how:?}\n{}",
            done.run.stderr
        );
        assert_eq!(
            env.git(origin, &["show", &format!("{merge}:VERSION")])
                .trim(),
            "1.2.4"
        );
        assert_eq!(github.releases().len(), 1, "{how:?}");
        assert_eq!(done.output("tag"), "v1.2.4");
        assert!(github.comments(1)[0].body.contains("### Released `v1.2.4`"));
        env.fsck(origin);
    }
}

/// A hotfix proposed with `finish --pr` and merged on GitHub: the merged event's payload
/// carries the hotfix; the action tags what merged, pushes the tag and the hotfix's note,
/// publishes the GitHub release and says so on the pull request; a rerun does nothing
/// twice, and the developer's own `finish --after-merge` later finds it all in place.
#[test]
fn a_merged_hotfix_pull_request_is_released_by_the_action() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |_| {});
    let (dev, origin, github, merge) = (&hotfix.dev, &hotfix.origin, &hotfix.github, &hotfix.merge);
    let body = github.pulls()[0].body.clone();
    assert!(body.contains("<!-- git-hotfix:hotfix {"), "{body}");
    let ci = hotfix.checkout(&env, "ci");
    let event = hotfix.merged(&[]);
    let first = step(&env, github, &ci, "pull_request_target", &event, &[], 0);

    // The tag: annotated, on what GitHub merged, on origin.
    assert_eq!(
        env.rev(origin, "v1.2.4^{commit}").as_deref(),
        Some(merge.as_str())
    );
    assert_eq!(env.git(origin, &["cat-file", "-t", "v1.2.4"]).trim(), "tag");
    // The hotfix's note went with it, with the timeline the developer's clone recorded.
    let note = env.git(origin, &["notes", "--ref", "hotfix", "show", merge]);
    let note: Value = serde_json::from_str(&note).unwrap();
    assert_eq!(note["ticket"], "ENG-1234");
    assert_eq!(note["state"], "finished");
    let events: Vec<&str> = note["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for event in [
        "started",
        "assessed",
        "pull-merged",
        "finished",
        "release-published",
    ] {
        assert!(
            events.contains(&event),
            "no {event} in {events:?}\n{}",
            first.run.stderr
        );
    }
    env.fsck(origin);
    // The release, and one comment saying it.
    let releases = github.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0].tag, "v1.2.4");
    let comments = github.comments(1);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        comments[0].body.contains("### Released `v1.2.4`"),
        "{}",
        comments[0].body
    );
    assert!(first.summary.contains("### Released `v1.2.4`"));
    assert_eq!(first.output("success"), "true");
    assert_eq!(first.output("tag"), "v1.2.4");
    assert_eq!(first.output("commit"), merge);
    assert!(first.output("release-url").contains("/releases/"));

    // Rerun, from a fresh checkout as a rerun gets: the tag is found, nothing is written.
    let writes = github.writes().len();
    let tags = env.git(origin, &["show-ref", "--tags"]);
    let ci2 = hotfix.checkout(&env, "ci2");
    let again = step(&env, github, &ci2, "pull_request_target", &event, &[], 0);
    assert_eq!(again.output("tag"), "v1.2.4");
    assert_eq!(env.git(origin, &["show-ref", "--tags"]), tags);
    assert_eq!(github.writes().len(), writes, "{:?}", github.writes());
    assert_eq!(github.comments(1).len(), 1);

    // The developer's own `finish --after-merge` adopts the tag the action pushed.
    let run = hotfix.hotfix(&env, &["finish", "--after-merge"]).ok();
    assert!(
        run.stderr
            .contains("Finished hotfix ENG-1234: released 1.2.4"),
        "{}",
        run.stderr
    );
    assert_eq!(env.rev(dev, "v1.2.4"), env.rev(origin, "v1.2.4"));
    assert_eq!(env.git(origin, &["show-ref", "--tags"]), tags);
    env.fsck(dev);
    // One note tells both: the developer's record (its pull request opened), and the
    // release the action published.
    let note = env.git(origin, &["notes", "--ref", "hotfix", "show", merge]);
    let note: Value = serde_json::from_str(&note).unwrap();
    let events: Vec<&str> = note["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for event in ["pull-opened", "release-published"] {
        assert!(events.contains(&event), "no {event} in {events:?}");
    }
    assert_eq!(
        events.iter().filter(|e| **e == "finished").count(),
        1,
        "{events:?}"
    );
    env.fsck(origin);
}

/// A hotfix proposed and merged on GitHub, with a `develop` on origin that moved on since
/// (`develop_files` committed there), and fake GitHub serving origin's git data; then the
/// merged event handled in a one-commit checkout. Returns the step, origin and GitHub.
fn release_with_develop(
    env: &TestEnv,
    develop_files: &[(&str, &str)],
    protected: bool,
) -> (Step, MergedHotfix) {
    let hotfix = merged_hotfix(env, |colleague| {
        env.git(colleague, &["switch", "--quiet", "-c", "develop"]);
        env.commit(colleague, "Work for the next release", develop_files);
        env.git(colleague, &["push", "--quiet", "origin", "develop"]);
    });
    if protected {
        hotfix.github.protect("develop");
    }
    let ci = hotfix.checkout(env, "ci");
    let step = step(
        env,
        &hotfix.github,
        &ci,
        "pull_request",
        &hotfix.merged(&[]),
        &[],
        0,
    );
    (step, hotfix)
}

#[test]
fn develop_gets_a_released_hotfix_by_githubs_merge() {
    let env = TestEnv::new();
    let (first, hotfix) = release_with_develop(&env, &[("develop.txt", "next\n")], false);
    let (origin, github, head) = (&hotfix.origin, &hotfix.github, &hotfix.head);
    let develop = env.rev(origin, "develop").unwrap();
    let parents = env.git(origin, &["log", "-1", "--format=%P", "develop"]);
    assert!(parents.trim().ends_with(head.as_str()), "{parents}");
    assert_eq!(
        env.git(origin, &["show", "develop:auth.txt"]),
        "check signature\n"
    );
    assert_eq!(env.git(origin, &["show", "develop:VERSION"]), "1.2.4\n");
    assert_eq!(env.git(origin, &["show", "develop:develop.txt"]), "next\n");
    env.fsck(origin);
    let comment = &github.comments(1)[0].body;
    assert!(
        comment.contains("- `develop`: GitHub merged the hotfix into it"),
        "{comment}"
    );
    assert!(
        first
            .run
            .stderr
            .contains("Merged the hotfix into develop on GitHub")
    );
    assert_eq!(first.output("develop-pull-request"), "");
    assert_eq!(github.pulls().len(), 1, "no pull request for develop");

    // A rerun finds develop with the hotfix: nothing is written.
    let writes = github.writes().len();
    let ci2 = hotfix.checkout(&env, "ci2");
    let again = step(
        &env,
        github,
        &ci2,
        "pull_request",
        &hotfix.merged(&[]),
        &[],
        0,
    );
    assert!(
        again.run.stderr.contains("develop: it has the hotfix"),
        "{}",
        again.run.stderr
    );
    // Only the comment is edited, to say what stands now.
    let later = &github.writes()[writes..];
    assert!(
        later
            .iter()
            .all(|w| w.method == "PATCH" && w.path.contains("/issues/comments/")),
        "{later:?}"
    );
    assert_eq!(env.rev(origin, "develop"), Some(develop));
}

#[test]
fn a_protected_or_conflicting_develop_gets_a_pull_request_instead() {
    for (files, protected, why) in [
        ([("develop.txt", "next\n")], true, "`develop` is protected"),
        (
            [("auth.txt", "check harder\n")],
            false,
            "merging it into `develop` conflicts",
        ),
    ] {
        let env = TestEnv::new();
        let (first, hotfix) = release_with_develop(&env, &files, protected);
        let (origin, github, head) = (&hotfix.origin, &hotfix.github, &hotfix.head);
        let develop = env.rev(origin, "develop").unwrap();
        assert_eq!(
            env.git(origin, &["log", "-1", "--format=%s", "develop"])
                .trim(),
            "Work for the next release",
            "develop is left to its pull request"
        );
        let branch = "catch-up/develop/v1.2.4";
        assert_eq!(env.rev(origin, branch).as_deref(), Some(head.as_str()));
        let pulls = github.pulls();
        let pull = pulls.iter().find(|p| p.base == "develop");
        let pull = pull.unwrap_or_else(|| panic!("no pull request into develop: {pulls:?}"));
        assert_eq!(pull.head, branch);
        assert_eq!(pull.title, "Merge hotfix v1.2.4 into develop");
        assert!(pull.labels.contains(&"hotfix".to_string()));
        assert!(pull.body.contains(why), "{}", pull.body);
        assert!(pull.body.contains(&format!("git switch {branch}")));
        assert_eq!(
            first.output("develop-pull-request"),
            pull.number.to_string()
        );
        let comment = &github.comments(1)[0].body;
        assert!(
            comment.contains(&format!(
                "- `develop`: #{} brings the hotfix in ({why})",
                pull.number
            )),
            "{comment}"
        );

        // A rerun finds the branch and the pull request: nothing is written.
        let writes = github.writes().len();
        let ci2 = hotfix.checkout(&env, "ci2");
        step(
            &env,
            github,
            &ci2,
            "pull_request",
            &hotfix.merged(&[]),
            &[],
            0,
        );
        let later = &github.writes()[writes..];
        assert!(
            later
                .iter()
                .all(|w| w.method == "PATCH" && w.path.contains("/issues/comments/")),
            "{later:?}"
        );
        assert_eq!(github.pulls().len(), 2);
        assert_eq!(env.rev(origin, "develop"), Some(develop));
    }
}

/// The record is text in the pull request's body: one from a fork's branch, or edited to
/// name another tag, releases nothing and says why.
#[test]
fn a_record_that_does_not_match_its_pull_request_releases_nothing() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |_| {});
    let (origin, github) = (&hotfix.origin, &hotfix.github);
    let ci = hotfix.checkout(&env, "ci");
    let writes = github.writes().len();

    let mut forked = hotfix.merged(&[]);
    forked["pull_request"]["head"]["repo"]["full_name"] = json!("mallory/shop");
    let mut retagged = hotfix.merged(&[]);
    let body = retagged["pull_request"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(body.contains(r#""tag":"v1.2.4""#), "{body}");
    retagged["pull_request"]["body"] =
        json!(body.replace(r#""tag":"v1.2.4""#, r#""tag":"v9.9.9""#));
    // Consistent with itself and the tag pattern, but not with what merged.
    let mut reversioned = hotfix.merged(&[]);
    reversioned["pull_request"]["body"] = json!(
        body.replace(r#""tag":"v1.2.4""#, r#""tag":"v1.2.5""#)
            .replace(r#""version":"1.2.4""#, r#""version":"1.2.5""#)
            .replace(r#""to":"1.2.4""#, r#""to":"1.2.5""#)
    );
    for (event, why) in [
        (
            forked,
            "pull request #1 comes from mallory/shop, not from a branch of acme/shop",
        ),
        (
            retagged,
            "it names tag `v9.9.9` for version 1.2.4, where the tag pattern `v{version}` gives `v1.2.4`",
        ),
        (
            reversioned,
            "it releases 1.2.5, and `VERSION` as merged does not say so",
        ),
    ] {
        let done = step(&env, github, &ci, "pull_request_target", &event, &[], 1);
        assert!(
            done.run
                .stderr
                .contains("the hotfix record in the pull request's body cannot be used"),
            "{}",
            done.run.stderr
        );
        assert!(done.run.stderr.contains(why), "{}", done.run.stderr);
        assert_eq!(done.output("success"), "false");
    }
    assert_eq!(env.git(origin, &["tag", "--list"]).trim(), "v1.2.3");
    assert_eq!(github.writes().len(), writes, "{:?}", github.writes());
    assert!(github.releases().is_empty());
}

/// An older line, `release/1.1` at 1.1.9, pushed from `colleague`'s clone.
fn release_line(env: &TestEnv, colleague: &Path) {
    env.git(colleague, &["switch", "--quiet", "-c", "release/1.1"]);
    env.commit(colleague, "Release 1.1.9", &[("VERSION", "1.1.9\n")]);
    env.git(colleague, &["push", "--quiet", "origin", "release/1.1"]);
}

/// A hotfix's pull request labelled for an older line: released, then backported without
/// its release commit (the line's version files are its own).
#[test]
fn a_labelled_hotfix_is_released_then_backported_without_its_release_commit() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |colleague| {
        release_line(&env, colleague);
        // A newer release than the hotfix's, which the one-commit checkout does not have.
        env.git(colleague, &["tag", "v1.3.0"]);
        env.git(colleague, &["push", "--quiet", "origin", "v1.3.0"]);
    });
    let (origin, github) = (&hotfix.origin, &hotfix.github);
    let ci = hotfix.checkout(&env, "ci");
    let event = hotfix.merged(&["backport release/1.1"]);
    let done = step(&env, github, &ci, "pull_request_target", &event, &[], 0);

    assert!(env.rev(origin, "v1.2.4").is_some(), "released first");
    let releases = github.releases();
    assert_eq!(releases[0].make_latest, "false", "v1.3.0 is newer");
    assert!(
        done.run.stderr.contains("Left out")
            && done.run.stderr.contains("Release 1.2.4 (ENG-1234)"),
        "{}",
        done.run.stderr
    );
    let branch = "backport/release/1.1/pr-1";
    assert_eq!(
        subjects_in(&env, origin, &format!("release/1.1..{branch}")),
        ["fix: refuse unsigned tokens"]
    );
    assert_eq!(
        env.git(origin, &["show", &format!("{branch}:VERSION")]),
        "1.1.9\n"
    );
    assert_eq!(
        env.git(origin, &["show", &format!("{branch}:auth.txt")]),
        "check signature\n"
    );
    assert_eq!(done.output("success"), "true");
    let comments = github.comments(1);
    assert_eq!(
        comments.len(),
        2,
        "the release's and the backport's: {comments:?}"
    );
    env.fsck(origin);
}

/// A record that cannot be used stops the release, not the backports the labels ask for.
#[test]
fn the_labels_are_backported_even_when_the_release_is_refused() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |colleague| {
        release_line(&env, colleague);
    });
    let ci = hotfix.checkout(&env, "ci");
    let mut forked = hotfix.merged(&["backport release/1.1"]);
    forked["pull_request"]["head"]["repo"]["full_name"] = json!("mallory/shop");
    let done = step(
        &env,
        &hotfix.github,
        &ci,
        "pull_request_target",
        &forked,
        &[],
        1,
    );
    assert!(
        done.run.stderr.contains("the hotfix was not released")
            && done.run.stderr.contains("comes from mallory/shop"),
        "{}",
        done.run.stderr
    );
    assert_eq!(env.rev(&hotfix.origin, "v1.2.4"), None);
    assert!(hotfix.github.releases().is_empty());
    let pulls = hotfix.github.pulls();
    assert!(
        pulls.iter().any(|p| p.base == "release/1.1"),
        "the line's backport: {pulls:?}"
    );
    assert_eq!(done.output("success"), "false");
}

/// A record edited to name the fix as its release commit does not take the fix out of the
/// backports: a release commit changes only the version files and changelog it names.
#[test]
fn a_record_naming_the_fix_as_its_release_commit_leaves_nothing_out() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |colleague| {
        release_line(&env, colleague);
    });
    let fix = env.rev(&hotfix.origin, &format!("{HOTFIX}~1")).unwrap();
    let release = env.rev(&hotfix.origin, HOTFIX).unwrap();
    let body = hotfix.github.pulls()[0].body.clone();
    let edited = body.replace(
        &format!(r#""release":{{"commit":"{release}""#),
        &format!(r#""release":{{"commit":"{fix}""#),
    );
    assert_ne!(edited, body);
    hotfix.github.set_body(1, &edited);
    let event = hotfix.merged(&["backport release/1.1"]);
    let ci = hotfix.checkout(&env, "ci");
    let done = step(
        &env,
        &hotfix.github,
        &ci,
        "pull_request_target",
        &event,
        &[],
        3,
    );
    assert!(
        done.run
            .stderr
            .contains("as its release commit, but it changes auth.txt, tests/auth_test.sh too"),
        "{}",
        done.run.stderr
    );
    // The fix is picked; the real release commit too, which conflicts on VERSION.
    let branch = "backport/release/1.1/pr-1";
    let log = env.git(
        &hotfix.origin,
        &["log", "--format=%s", &format!("release/1.1..{branch}")],
    );
    assert!(log.contains("fix: refuse unsigned tokens"), "{log}");
}

/// GitHub refuses the release after the tag is pushed: the pull request is told where it
/// stopped (the tag on origin, read from origin), and a rerun finishes it in the same comment.
#[test]
fn a_release_that_stops_after_its_tag_says_so_and_a_rerun_finishes_it() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |_| {});
    let (origin, github) = (&hotfix.origin, &hotfix.github);
    github.fail(Fault::status("POST", "/repos/acme/shop/releases", 403));
    let ci = hotfix.checkout(&env, "ci");
    let event = hotfix.merged(&[]);
    let first = step(&env, github, &ci, "pull_request_target", &event, &[], 5);
    assert!(env.rev(origin, "v1.2.4").is_some(), "the tag went before");
    assert!(github.releases().is_empty());
    let comments = github.comments(1);
    assert_eq!(comments.len(), 1, "{comments:?}");
    for text in [
        "### Release of `v1.2.4` stopped",
        "Hotfix `ENG-1234` was not released: GitHub forbids",
        "The tag `v1.2.4` is on `origin`; rerunning this workflow finishes the rest",
    ] {
        assert!(
            comments[0].body.contains(text),
            "{text}\n{}",
            comments[0].body
        );
    }
    assert_eq!(first.output("success"), "false");

    let ci2 = hotfix.checkout(&env, "ci2");
    let again = step(&env, github, &ci2, "pull_request_target", &event, &[], 0);
    assert_eq!(again.output("success"), "true");
    assert_eq!(github.releases().len(), 1);
    let comments = github.comments(1);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(comments[0].body.contains("### Released `v1.2.4`"));
}

/// The action's run comes after others merged to main (a queued run, a rerun an hour
/// later): its one-commit checkout holds main's tip, not the merge; the release is made of
/// the merge all the same.
#[test]
fn a_merged_hotfix_is_released_after_main_moved_on() {
    let env = TestEnv::new();
    let hotfix = merged_hotfix(&env, |_| {});
    let later = env.path("later");
    env.git(
        env.root.path(),
        &[
            "clone",
            "--quiet",
            &hotfix.origin.to_string_lossy(),
            "later",
        ],
    );
    for n in 0..3 {
        env.commit(
            &later,
            &format!("later work {n}"),
            &[("later.txt", &format!("{n}\n"))],
        );
    }
    env.git(&later, &["push", "--quiet", "origin", "main"]);
    let ci = hotfix.checkout(&env, "ci");
    let event = hotfix.merged(&[]);
    let run = step(
        &env,
        &hotfix.github,
        &ci,
        "pull_request_target",
        &event,
        &[],
        0,
    );
    assert_eq!(run.output("commit"), hotfix.merge);
    assert_eq!(
        env.rev(&hotfix.origin, "v1.2.4^{commit}").as_deref(),
        Some(hotfix.merge.as_str())
    );
    env.fsck(&hotfix.origin);
}
