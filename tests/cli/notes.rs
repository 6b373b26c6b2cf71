//! The audit trail in the repository: each finished hotfix's record as a git note under
//! `refs/notes/hotfix`, pushed with its release, merged with others', and read by `log`.

use serde_json::Value;

use insta::assert_snapshot;

use crate::common::health::Health;
use crate::common::{TestEnv, scrub};
use crate::deploy::{deployable, tick_at, time};

/// The issue's own scenario: a P0 detected 20 minutes ago, fixed, finished and pushed,
/// deployed to production by a local script and verified against a local health endpoint.
#[test]
fn a_p0_from_detection_to_verified_is_timed_and_travels_with_the_repository() {
    let env = TestEnv::new().real_time();
    let health = Health::answering(&[200]);
    let (repo, _log) = deployable(&env, &health, "");
    let origin = env.with_origin(crate::common::fixtures::Fixture {
        dir: repo.clone(),
        origin: None,
    });
    let origin = origin.origin.unwrap();
    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-1234",
            "fix auth bypass",
            "--severity",
            "P0",
            "--detected-at",
            "20 minutes ago",
        ],
    )
    .ok();
    env.commit(
        &repo,
        "fix: refuse unsigned tokens",
        &[
            ("auth.txt", "check signature\n"),
            ("tests/auth_test.sh", "expect refusal\n"),
        ],
    );
    let run = env.hotfix(&repo, &["finish", "--push"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
      Fetched main from origin
    Committed Release 1.2.4 (ENG-1234) ([ID])
              package.json 1.2.3 -> 1.2.4
              CHANGELOG.md gets an entry "fix auth bypass (ENG-1234, P0)"
       Tagged v1.2.4 on [ID]
       Merged into main (fast-forward to [ID])
      Deleted hotfix/ENG-1234-fix-auth-bypass
     Switched [TMP]/repo to main
       Pushed refs/tags/v1.2.4 refs/heads/main to origin
       Pushed the hotfix notes (refs/notes/hotfix) to origin
     Finished hotfix ENG-1234: released 1.2.4
    "#);
    env.hotfix(&repo, &["deploy", "--yes"]).ok();
    env.hotfix(&repo, &["verify"]).ok();

    // Every step has its time in status.
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    for item in [
        "assessed",
        "branch-created",
        "fix-committed",
        "regression-test",
        "version-bumped",
        "changelog",
        "merged",
        "tagged",
        "pushed",
        "production-deployed",
        "production-verified",
    ] {
        assert!(tick_at(&status, item).is_some(), "{item} has a time");
    }
    let text = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(text.contains("deployed in 20m, within 2h"), "{text}");
    assert!(text.contains("[x] production verified"), "{text}");

    // The review's timeline is those times.
    let review = env
        .hotfix(
            &repo,
            &["report", "pir", "--hotfix", "ENG-1234", "--format", "json"],
        )
        .ok()
        .report_facts();
    let timeline = review["timeline"].as_array().unwrap();
    let at_of = |what: &str| {
        timeline
            .iter()
            .find(|e| e["what"] == what)
            .map(|e| time(&e["at"]))
            .unwrap_or_else(|| panic!("no `{what}` in {timeline:?}"))
    };
    for (what, item) in [
        ("branch created", "branch-created"),
        ("first fix commit", "fix-committed"),
        ("merged", "merged"),
        ("tagged v1.2.4", "tagged"),
        ("deployed to production", "production-deployed"),
        ("verified production", "production-verified"),
        ("resolved: verified in production", "production-verified"),
    ] {
        assert_eq!(Some(at_of(what)), tick_at(&status, item), "{what}");
    }
    assert_eq!(timeline[0]["what"], "incident detected");
    assert_eq!(timeline[0]["offset"], "T+0m");
    assert_eq!(review["time_to_deploy"], "20m");
    assert_eq!(review["within_target"], true);
    let markdown = env
        .hotfix(&repo, &["report", "pir", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    let deployed = tick_at(&status, "production-deployed").unwrap();
    let row = format!(
        "| {} | T+20m | deployed to production |",
        deployed.strftime("%Y-%m-%d %H:%M UTC")
    );
    assert!(markdown.contains(&row), "{row} in\n{markdown}");
    assert!(markdown.contains("within the 2h target"), "{markdown}");

    // git itself reads the note, on the tagged commit.
    let note = env.git(
        &repo,
        &["notes", "--ref", "hotfix", "show", "v1.2.4^{commit}"],
    );
    let noted: Value = serde_json::from_str(&note).unwrap();
    assert_eq!(noted["ticket"], "ENG-1234");
    assert!(
        noted["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "deploy-ended" && e["action"] == "verify"),
        "the verification reached the note"
    );
    assert_eq!(
        env.rev(&origin, "refs/notes/hotfix"),
        env.rev(&repo, "refs/notes/hotfix"),
        "the note after the verification was pushed too"
    );

    // A fresh clone, once it fetched the notes, lists the hotfix with its duration.
    env.git(
        env.root.path(),
        &["clone", "--quiet", &origin.to_string_lossy(), "fresh"],
    );
    let fresh = env.path("fresh");
    let run = env.hotfix(&fresh, &["log"]).ok();
    assert_snapshot!(scrub(&env, &run.stdout), @"No hotfixes in the notes.");
    assert_snapshot!(scrub(&env, &run.stderr), @"hint: finished hotfixes are noted under refs/notes/hotfix; in a clone, fetch them: `git fetch origin refs/notes/hotfix:refs/notes/hotfix`");
    env.git(
        &fresh,
        &[
            "fetch",
            "--quiet",
            "origin",
            "refs/notes/hotfix:refs/notes/hotfix",
        ],
    );
    let log = env.hotfix(&fresh, &["log", "--json"]).ok().json();
    let row = &log["hotfixes"][0];
    assert_eq!(row["ticket"], "ENG-1234");
    assert_eq!(row["severity"], "P0");
    assert_eq!(row["version"], "1.2.4");
    assert_eq!(row["minutes_to_deploy"], 20);
    assert_eq!(row["within_target"], true);
    assert_eq!(
        time(&row["deployed"]),
        tick_at(&status, "production-deployed").unwrap()
    );
    assert_eq!(log["summary"]["median_minutes_to_deploy"], 20);
    let text = env.hotfix(&fresh, &["log"]).ok().stdout;
    assert!(
        text.contains("ENG-1234") && text.contains("deployed in 20m (within 2h)"),
        "{text}"
    );
    assert!(
        text.contains("1 hotfix (P0 1); median time to deploy 20m; 1 of 1 within target"),
        "{text}"
    );
    // The journal is not in the clone: the review comes from the note, the same.
    assert!(!fresh.join(".git/hotfix").exists());
    let again = env
        .hotfix(
            &fresh,
            &["report", "pir", "--hotfix", "ENG-1234", "--format", "json"],
        )
        .ok()
        .report_facts();
    assert_eq!(again["timeline"], review["timeline"]);
    assert_eq!(again["commits"], review["commits"]);
    env.fsck(&repo);
    env.fsck(&fresh);
}

#[test]
fn notes_from_two_clones_are_merged_on_the_remote_not_overwritten() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (first, origin) = (fixture.dir, fixture.origin.unwrap());
    env.hotfix(
        &first,
        &[
            "start",
            "ENG-1",
            "fix login",
            "--severity",
            "P1",
            "--detected-at",
            "2 hours ago",
        ],
    )
    .ok();
    env.commit(&first, "fix: login", &[("auth.txt", "login\n")]);
    env.hotfix(&first, &["finish", "--push"]).ok();

    // Another engineer's clone, made before the first notes existed there.
    env.git(
        env.root.path(),
        &["clone", "--quiet", &origin.to_string_lossy(), "second"],
    );
    let second = env.path("second");
    env.git(&second, &["config", "user.name", "Bo Oncall"]);
    env.git(&second, &["config", "user.email", "bo@example.com"]);
    env.hotfix(
        &second,
        &[
            "start",
            "ENG-2",
            "fix logout",
            "--severity",
            "P2",
            "--detected-at",
            "2 hours ago",
        ],
    )
    .ok();
    env.commit(&second, "fix: logout", &[("app.txt", "logout\n")]);
    env.hotfix(&second, &["finish", "--push"]).ok();

    let merged = env.rev(&origin, "refs/notes/hotfix").unwrap();
    assert_eq!(
        env.parents(&origin, &merged).len(),
        2,
        "a merge of both histories"
    );
    let listed = env.git(&origin, &["notes", "--ref", "hotfix", "list"]);
    assert_eq!(listed.lines().count(), 2, "{listed}");

    // The first clone gets the second's notes by fetching; log shows both.
    env.git(
        &first,
        &[
            "fetch",
            "--quiet",
            "origin",
            "+refs/notes/hotfix:refs/notes/hotfix",
        ],
    );
    let log = env.hotfix(&first, &["log", "--json"]).ok().json();
    let tickets: Vec<&str> = log["hotfixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ticket"].as_str().unwrap())
        .collect();
    assert_eq!(tickets, ["ENG-1", "ENG-2"]);
    assert_eq!(log["summary"]["per_severity"]["P1"], 1);
    assert_eq!(log["summary"]["per_severity"]["P2"], 1);
    assert_eq!(log["summary"]["median_minutes_to_deploy"], Value::Null);

    let recent = env
        .hotfix(&first, &["log", "--since", "3 hours ago", "--json"])
        .ok()
        .json();
    assert_eq!(recent["hotfixes"].as_array().unwrap().len(), 2);
    env.hotfix(&first, &["log", "--since", "2099-01-01"])
        .expect(2);
    env.fsck(&origin);
}

#[test]
fn push_notes_false_keeps_the_notes_here() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (fixture.dir, fixture.origin.unwrap());
    env.git(&repo, &["config", "hotfix.pushNotes", "false"]);
    env.start_and_fix(&repo);
    let run = env.hotfix(&repo, &["finish", "--push"]).ok();
    assert!(!run.stderr.contains("hotfix notes"), "{}", run.stderr);
    env.hotfix(&repo, &["check", "communicated"]).ok();
    // The release went; the notes did not, and are here.
    assert!(env.rev(&origin, "v1.2.4").is_some());
    assert_eq!(env.rev(&origin, "refs/notes/hotfix"), None);
    assert!(env.rev(&repo, "refs/notes/hotfix").is_some());
    // Without the setting, the next command takes them along.
    env.git(&repo, &["config", "--unset", "hotfix.pushNotes"]);
    env.hotfix(&repo, &["check", "review-scheduled"]).ok();
    assert_eq!(
        env.rev(&origin, "refs/notes/hotfix"),
        env.rev(&repo, "refs/notes/hotfix")
    );
}
