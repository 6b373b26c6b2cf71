//! A team's day on one shared origin: a colleague releasing with plain git meanwhile, the
//! hints followed as written, a rollback during the monitoring window. Each test is a case
//! that once made git-hotfix untrue (issue 32); git, the remote and what the deploy script
//! put in production are the oracle. `simulation` explores the same world at random.

use insta::assert_snapshot;

use crate::common::team::Team;
use crate::common::{TestEnv, scrub};

const TICKET: &str = "GH-101";

/// Ada starts GH-101 and commits its fix with a regression test; returns the fix.
fn start_and_fix(env: &TestEnv, team: &Team, extra: &[&str]) -> String {
    let mut args = vec!["start", TICKET, "fix session expiry", "--severity", "P0"];
    args.extend(extra);
    env.hotfix(&team.ada, &args).ok();
    env.commit(
        &team.ada,
        "fix: expire sessions",
        &[
            ("auth.txt", "check expiry\n"),
            ("tests/auth_test.sh", "expired\n"),
        ],
    )
}

#[test]
fn a_remote_written_relative_is_found_as_git_finds_it() {
    let env = TestEnv::new();
    let team = env.team();
    env.git(&team.ada, &["remote", "-v"])
        .contains("../origin.git")
        .then_some(())
        .expect("the fixture names its origin relative");
    let fix = start_and_fix(&env, &team, &[]);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
      Fetched main from origin
    Committed Release 2.3.5 (GH-101) ([ID])
              VERSION 2.3.4 -> 2.3.5
              CHANGELOG.md gets an entry "fix session expiry (GH-101, P0)"
       Tagged v2.3.5 on [ID]
       Merged into main (fast-forward to [ID])
      Deleted hotfix/GH-101-fix-session-expiry
     Switched [TMP]/ada to main
       Pushed refs/tags/v2.3.5 refs/heads/main to origin
       Pushed the hotfix notes (refs/notes/hotfix) to origin
     Finished hotfix GH-101: released 2.3.5
    "#);
    let released = env.rev(&team.origin, "v2.3.5^{commit}").unwrap();
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &fix, &released],
    );
    assert_eq!(env.rev(&team.origin, "main"), env.rev(&team.ada, "main"));
    env.fsck(&team.origin);
}

#[test]
fn finish_push_goes_through_once_its_hint_is_followed() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish"]).ok();
    // Bo pushes to main meanwhile.
    env.git(&team.bo, &["pull", "--quiet", "--ff-only"]);
    let theirs = env.commit(&team.bo, "docs: on-call rota", &[("ROTA.md", "ada\n")]);
    env.git(&team.bo, &["push", "--quiet", "origin", "main"]);

    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `main` on `origin` has commits the local branch lacks ([ID])
    hint: someone pushed to it: `git fetch origin`, merge `origin/main` into `main` (`git switch main && git merge origin/main`), then run it again
    ");
    assert_eq!(env.rev(&team.origin, "v2.3.5"), None, "nothing pushed");

    // The hint, as written.
    env.git(&team.ada, &["fetch", "--quiet", "origin"]);
    env.git(&team.ada, &["merge", "--quiet", "--no-edit", "origin/main"]);
    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Pushed refs/heads/main refs/tags/v2.3.5 to origin
    Pushed the hotfix notes (refs/notes/hotfix) to origin
    ");
    let main = env.rev(&team.origin, "main").unwrap();
    assert_eq!(Some(main.clone()), env.rev(&team.ada, "main"));
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &theirs, &main],
    );
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", "v2.3.5", &main],
    );
    // Run again: nothing left to send, and it says so.
    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"   Unchanged refs/heads/main refs/tags/v2.3.5 already on origin");
    env.fsck(&team.origin);
}

/// Ada's hotfix from v2.3.4 while Bo released v2.3.5 (which `change` may make conflict).
fn superseded(env: &TestEnv, team: &Team, change: &[(&str, &str)]) -> (String, String) {
    let fix = start_and_fix(env, team, &[]);
    env.git(&team.bo, &["pull", "--quiet", "--ff-only"]);
    if !change.is_empty() {
        env.commit(&team.bo, "auth: log refusals", change);
    }
    let theirs = team.colleague_releases(env, "2.3.5");
    let run = env.hotfix(&team.ada, &["finish", "--push"]).expect(1);
    assert!(
        run.stderr.contains("`v2.3.5` already exists"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--version 2.3.6"), "{}", run.stderr);
    (fix, theirs)
}

/// What every release of the line must hold, asked of git on the remote.
fn releases_hold_the_earlier_ones(env: &TestEnv, team: &Team) {
    let tags = env.git(
        &team.origin,
        &["tag", "--list", "v2.3.*", "--sort=v:refname"],
    );
    let tags: Vec<&str> = tags.lines().collect();
    for pair in tags.windows(2) {
        let (older, newer) = (pair[0], pair[1]);
        let output = env.git_output(&team.origin, &["merge-base", "--is-ancestor", older, newer]);
        assert!(output.status.success(), "{newer} lacks {older}");
    }
}

#[test]
fn a_reversioned_release_holds_the_colleagues_release() {
    let env = TestEnv::new();
    let team = env.team();
    let (fix, theirs) = superseded(&env, &team, &[]);

    let plan = env
        .hotfix(&team.ada, &["finish", "--version", "2.3.6", "--plan"])
        .ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @r#"
    Would finish hotfix GH-101 (1 commit on hotfix/GH-101-fix-session-expiry):
      - merge the fix into v2.3.5 first, released since the hotfix started: a release holds every earlier release of its line (merge commit [ID])
      - commit "Release 2.3.6 (GH-101)" ([ID]) on the fix: VERSION 2.3.5 -> 2.3.6; CHANGELOG.md gets an entry "fix session expiry (GH-101, P0)"
      - tag v2.3.6 on [ID] ("Hotfix 2.3.6: fix session expiry")
      - fast-forward main to [ID]
      - delete hotfix/GH-101-fix-session-expiry
      - switch [TMP]/ada to main

    The release commit's changes:
    diff --git a/CHANGELOG.md b/CHANGELOG.md
    index [ID]..[ID] 100644
    --- a/CHANGELOG.md
    +++ b/CHANGELOG.md
    @@ -2,6 +2,11 @@
     
     ## [Unreleased]
     
    +## [2.3.6] - 2026-03-05
    +
    +### Fixed
    +- fix session expiry (GH-101, P0)
    +
     ## [2.3.5] - 2026-03-01
     ### Fixed
     - release 2.3.5
    diff --git a/VERSION b/VERSION
    index [ID]..[ID] 100644
    --- a/VERSION
    +++ b/VERSION
    @@ -1 +1 @@
    -2.3.5
    +2.3.6
    "#);
    let run = env
        .hotfix(&team.ada, &["finish", "--version", "2.3.6", "--push"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
         Fetched main from origin
    Re-versioning GH-101: 2.3.5 → 2.3.6 (tag v2.3.6)
          Merged the fix into v2.3.5, released since GH-101 started (merge commit [ID])
       Committed Release 2.3.6 (GH-101) ([ID])
                 VERSION 2.3.5 -> 2.3.6
                 CHANGELOG.md gets an entry "fix session expiry (GH-101, P0)"
          Tagged v2.3.6 on [ID]
          Merged into main (fast-forward to [ID])
         Deleted hotfix/GH-101-fix-session-expiry
        Switched [TMP]/ada to main
          Pushed refs/tags/v2.3.6 refs/heads/main to origin
          Pushed the hotfix notes (refs/notes/hotfix) to origin
        Finished hotfix GH-101: released 2.3.6
    "#);
    releases_hold_the_earlier_ones(&env, &team);
    let released = env.rev(&team.origin, "v2.3.6^{commit}").unwrap();
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &fix, &released],
    );
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &theirs, &released],
    );
    assert_eq!(
        env.git(&team.origin, &["show", "v2.3.6:VERSION"]).trim(),
        "2.3.6"
    );
    let changelog = env.git(&team.origin, &["show", "v2.3.6:CHANGELOG.md"]);
    let (newer, older) = (
        changelog.find("## [2.3.6]").unwrap(),
        changelog.find("## [2.3.5]").unwrap(),
    );
    assert!(newer < older, "{changelog}");
    assert_eq!(env.rev(&team.origin, "main").unwrap(), released);
    // The fix is the fix: Bo's release is not counted as part of it.
    let facts = env
        .hotfix(
            &team.ada,
            &["report", "pir", "--format", "json", "--hotfix", TICKET],
        )
        .ok()
        .report_facts();
    let commits: Vec<&str> = facts["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(commits, [fix.as_str()], "{facts}");
    env.fsck(&team.origin);
}

#[test]
fn a_reversioned_release_that_conflicts_stops_for_continue_or_abort() {
    let env = TestEnv::new();
    let team = env.team();
    let (fix, _) = superseded(&env, &team, &[("auth.txt", "check and log\n")]);
    let refs = env.refs(&team.ada);

    let run = env
        .hotfix(&team.ada, &["finish", "--version", "2.3.6", "--push"])
        .expect(3);
    assert!(
        run.stderr.contains("into v2.3.5 conflicts in auth.txt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("v2.3.6 must hold it"), "{}", run.stderr);
    // Abort: every ref as before, and the version too (the re-version went with the run).
    env.hotfix(&team.ada, &["abort"]).ok();
    assert_eq!(env.refs(&team.ada), refs);
    assert_eq!(env.rev(&team.origin, "v2.3.6"), None);
    let status = env
        .hotfix(&team.ada, &["status", "--json", "--hotfix", TICKET])
        .ok()
        .json();
    assert_eq!(status["hotfix"]["version"], "2.3.5", "{status}");
    assert_eq!(status["hotfix"]["tag"], "v2.3.5", "{status}");

    // `--next` asks again, and takes the next free version, not one past it.
    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--next"])
        .expect(3);
    assert!(run.stderr.contains("2.3.5 → 2.3.6"), "{}", run.stderr);
    let worktree = env
        .git(&team.ada, &["worktree", "list", "--porcelain"])
        .lines()
        .filter_map(|l| l.strip_prefix("worktree "))
        .find(|p| p.contains("/hotfix/resolve/"))
        .map(std::path::PathBuf::from)
        .expect("a resolution worktree");
    std::fs::write(worktree.join("auth.txt"), "check expiry and log\n").unwrap();
    env.git(&worktree, &["add", "auth.txt"]);
    env.hotfix(&worktree, &["continue"]).ok();
    releases_hold_the_earlier_ones(&env, &team);
    assert_eq!(
        env.git(&team.origin, &["show", "v2.3.6:auth.txt"]),
        "check expiry and log\n"
    );
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &fix, "v2.3.6"],
    );
    assert!(!worktree.exists());
    env.fsck(&team.origin);
    env.fsck(&team.ada);
}

#[test]
fn the_hotfix_tagged_before_its_merge_is_released_once() {
    let env = TestEnv::new();
    let team = env.team();
    let fix = start_and_fix(&env, &team, &[]);

    // The runbook's "tag and push before merge".
    let run = env.hotfix(&team.ada, &["tag", "--push"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    Committed Release 2.3.5 (GH-101) ([ID])
              VERSION 2.3.4 -> 2.3.5
              CHANGELOG.md gets an entry "fix session expiry (GH-101, P0)"
       Tagged v2.3.5 on [ID]
       Pushed v2.3.5 to origin
    "#);
    let tagged = env.rev(&team.origin, "v2.3.5^{commit}").unwrap();
    assert_eq!(
        env.git(&team.origin, &["show", "v2.3.5:VERSION"]).trim(),
        "2.3.5",
        "the tag names a tree that says its version"
    );
    assert_eq!(
        env.rev(&team.ada, "HEAD").unwrap(),
        tagged,
        "the branch has it"
    );
    assert_eq!(env.git(&team.ada, &["status", "--porcelain"]), "");
    env.git(&team.ada, &["merge-base", "--is-ancestor", &fix, &tagged]);

    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
     Fetched main from origin
        Kept v2.3.5 on [ID]
      Merged into main (fast-forward to [ID])
     Deleted hotfix/GH-101-fix-session-expiry
    Switched [TMP]/ada to main
      Pushed refs/heads/main to origin
      Pushed the hotfix notes (refs/notes/hotfix) to origin
    Finished hotfix GH-101: released 2.3.5
    ");
    // Made and pushed by `tag`, not again by the finish, nor said to be.
    assert!(!run.stderr.contains("Committed"), "{}", run.stderr);
    assert!(!run.stderr.contains("refs/tags/v2.3.5"), "{}", run.stderr);
    assert_eq!(env.rev(&team.origin, "v2.3.5^{commit}").unwrap(), tagged);
    let releases = env.git(
        &team.origin,
        &["log", "--oneline", "--grep=^Release 2.3.5", "main"],
    );
    assert_eq!(
        releases.lines().count(),
        1,
        "one release commit: {releases}"
    );
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &tagged, "main"],
    );
    let facts = env
        .hotfix(&team.ada, &["status", "--json", "--hotfix", TICKET])
        .ok()
        .json();
    assert_eq!(facts["hotfix"]["state"], "finished", "{facts}");
    env.fsck(&team.origin);
}

/// `git hotfix report <kind>` of GH-101 as text.
fn report(env: &TestEnv, team: &Team, kind: &str) -> String {
    env.hotfix(&team.ada, &["report", kind, "--hotfix", TICKET])
        .ok()
        .stdout
}

fn report_status(env: &TestEnv, team: &Team) -> String {
    let facts = env
        .hotfix(
            &team.ada,
            &["report", "pir", "--format", "json", "--hotfix", TICKET],
        )
        .ok()
        .report_facts();
    facts["status"].as_str().unwrap().to_string()
}

#[test]
fn a_rollback_in_the_monitoring_window_needs_no_ticket_and_reports_follow_production() {
    let env = TestEnv::new().real_time();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish", "--push"]).ok();
    env.hotfix(&team.ada, &["deploy", "--yes"]).ok();
    env.hotfix(&team.ada, &["verify"]).ok();
    assert_eq!(env.running("production").as_deref(), Some("2.3.5"));
    assert_eq!(report_status(&env, &team), "resolved");

    // 3 a.m.: from main, no ticket at hand.
    let run = env.hotfix(&team.ada, &["rollback", "--yes"]).ok();
    assert!(
        run.stderr
            .contains("Rollback GH-101: production from 2.3.5 to 2.3.4"),
        "{}",
        run.stderr
    );
    assert_eq!(env.running("production").as_deref(), Some("2.3.4"));

    // What the reports say follows what production runs now.
    assert_eq!(report_status(&env, &team), "rolled back");
    let page = report(&env, &team, "status-page");
    assert!(!page.contains("Resolved"), "{page}");
    assert!(!page.contains("operating normally"), "{page}");
    assert!(page.contains("the service runs 2.3.4"), "{page}");
    let internal = report(&env, &team, "internal");
    assert!(internal.contains("Status: rolled back"), "{internal}");
    assert!(!internal.contains("verified in production"), "{internal}");
    let status = env.hotfix(&team.ada, &["status", "--json"]).ok().json();
    assert_eq!(
        status["hotfix"]["ticket"], TICKET,
        "the incident is open again: {status}"
    );

    // Deployed and verified again: resolved again.
    env.hotfix(&team.ada, &["deploy", "--yes", "--hotfix", TICKET])
        .ok();
    env.hotfix(&team.ada, &["verify", "--hotfix", TICKET]).ok();
    assert_eq!(env.running("production").as_deref(), Some("2.3.5"));
    assert_eq!(report_status(&env, &team), "resolved");
}

#[test]
fn a_rollback_says_where_it_goes_and_why() {
    let env = TestEnv::new().real_time();
    let team = env.team();
    superseded(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish", "--version", "2.3.6", "--push"])
        .ok();
    env.hotfix(&team.ada, &["deploy", "--yes"]).ok();
    // Bo's 2.3.5 was never recorded as deployed: the rollback goes to the release 2.3.6
    // was built on, and says so.
    let run = env.hotfix(&team.ada, &["rollback", "--yes", "--plan"]).ok();
    assert!(
        run.stderr.contains(
            "from 2.3.6 to 2.3.5 (no deploy before 2.3.6 is recorded: it is the release 2.3.6 was built on, not recorded as having run there)"
        ),
        "{}",
        run.stderr
    );
    // Once a deploy before it is recorded, that is where it goes.
    env.hotfix(&team.ada, &["deploy", "--yes", "--hotfix", TICKET])
        .ok();
    env.git(&team.ada, &["tag", "-a", "v2.3.3", "-m", "old", "v2.3.4^"]);
    let run = env
        .hotfix(&team.ada, &["rollback", "--yes", "--to", "v2.3.3"])
        .ok();
    assert!(run.stderr.contains("to 2.3.3 (as asked)"), "{}", run.stderr);
    assert_eq!(env.running("production").as_deref(), Some("2.3.3"));
    env.hotfix(&team.ada, &["deploy", "--yes", "--hotfix", TICKET])
        .ok();
    let run = env.hotfix(&team.ada, &["rollback", "--yes"]).ok();
    assert!(
        run.stderr
            .contains("from 2.3.6 to 2.3.3 (it ran there before, put there by GH-101"),
        "{}",
        run.stderr
    );
    assert_eq!(env.running("production").as_deref(), Some("2.3.3"));
}

#[test]
fn a_person_verifying_production_starts_the_monitoring_window() {
    let env = TestEnv::new().real_time();
    let team = env.team();
    start_and_fix(&env, &team, &["--detected-at", "25 minutes ago"]);
    env.hotfix(&team.ada, &["finish"]).ok();
    env.hotfix(&team.ada, &["check", "production-deployed"])
        .ok();
    env.hotfix(&team.ada, &["check", "production-verified"])
        .ok();
    let status = env
        .hotfix(&team.ada, &["status", "--json", "--hotfix", TICKET])
        .ok()
        .json();
    let due = |item: &str| {
        status["hotfix"]["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["item"] == item)
            .map(|t| t["due"].clone())
            .unwrap()
    };
    assert!(due("monitored").is_string(), "{status}");
    assert!(due("followed-up").is_string(), "{status}");
    // Taken back, the window goes with it.
    env.hotfix(&team.ada, &["check", "production-verified", "--undo"])
        .ok();
    let status = env
        .hotfix(&team.ada, &["status", "--json", "--hotfix", TICKET])
        .ok()
        .json();
    let monitored = status["hotfix"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["item"] == "monitored")
        .unwrap()
        .clone();
    assert!(monitored["due"].is_null(), "{monitored}");

    // The timeline reads in the order things happened.
    let facts = env
        .hotfix(
            &team.ada,
            &["report", "pir", "--format", "json", "--hotfix", TICKET],
        )
        .ok()
        .report_facts();
    let timeline = facts["timeline"].as_array().unwrap();
    let at = |what: &str| {
        timeline
            .iter()
            .position(|e| e["what"].as_str().unwrap().starts_with(what))
            .unwrap_or_else(|| panic!("no `{what}` in {timeline:?}"))
    };
    assert!(
        at("branch created") < at("first fix commit"),
        "{timeline:?}"
    );
    let minutes: Vec<i64> = timeline
        .iter()
        .map(|e| {
            e["at"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
        })
        .map(|t| t.as_second())
        .collect();
    assert!(minutes.windows(2).all(|w| w[0] <= w[1]), "{timeline:?}");
}

#[test]
fn a_rollback_from_another_clone_knows_what_production_runs() {
    let env = TestEnv::new().real_time();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish", "--push"]).ok();
    env.hotfix(&team.ada, &["deploy", "--yes"]).ok();
    env.hotfix(&team.ada, &["verify"]).ok();

    // Cy is on call at 3 a.m., in a clone of his own that never saw GH-101.
    let cy = env.clone_of("cy", "Cy Oncall", "cy@example.com");
    let run = env.hotfix(&cy, &["rollback", "--yes"]).ok();
    assert!(
        run.stderr
            .contains("Rollback GH-101: production from 2.3.5 to 2.3.4"),
        "{}",
        run.stderr
    );
    assert_eq!(env.running("production").as_deref(), Some("2.3.4"));
    // Ada's report hears of it, and so does a third clone's.
    assert_eq!(report_status(&env, &team), "rolled back");
    let dee = env.clone_of("dee", "Dee Support", "dee@example.com");
    let page = env.hotfix(&dee, &["report", "status-page"]).ok().stdout;
    assert!(page.contains("the service runs 2.3.4"), "{page}");
}

#[test]
fn a_hand_ticked_verification_is_no_resolution_without_a_deploy() {
    let env = TestEnv::new().real_time();
    let team = env.team();
    start_and_fix(&env, &team, &["--detected-at", "30 minutes ago"]);
    env.hotfix(&team.ada, &["finish", "--push"]).ok();
    env.hotfix(&team.ada, &["check", "production-verified"])
        .ok();
    assert_eq!(report_status(&env, &team), "released");
    let page = report(&env, &team, "status-page");
    assert!(!page.contains("Resolved"), "{page}");
    // Nothing of the incident happened before it was detected.
    let run = env
        .hotfix(&team.ada, &["check", "communicated", "--at", "2 hours ago"])
        .expect(2);
    assert!(
        run.stderr.contains("before the incident was detected"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_release_tagged_and_pushed_before_a_colleagues_newer_one_still_finishes() {
    let env = TestEnv::new();
    let team = env.team();
    let fix = start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["tag", "--push"]).ok();
    // Bo releases 2.3.6 from main, which lacks the tagged 2.3.5 (his doing, not ours).
    team.colleague_releases(&env, "2.3.6");
    let tagged = env.rev(&team.origin, "v2.3.5^{commit}").unwrap();

    // `--version` would make a second release of a fix released already: refused.
    let run = env
        .hotfix(&team.ada, &["finish", "--version", "2.3.7"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
       Caught up main with origin/main ([ID] → [ID])
    error: GH-101 was tagged v2.3.5 by `git hotfix tag`: its version cannot change under the tag
    hint: finish it as tagged; if v2.3.5 was never pushed, `git tag -d v2.3.5` lets it take another version
    ");
    // As tagged: the release goes into main.
    let run = env.hotfix(&team.ada, &["finish", "--push"]);
    assert!(
        matches!(run.code, 0 | 3),
        "finish as tagged: {}\n{}",
        run.code,
        run.stderr
    );
    if run.code == 3 {
        // Both releases moved VERSION and the changelog.
        let worktree = env
            .git(&team.ada, &["worktree", "list", "--porcelain"])
            .lines()
            .filter_map(|l| l.strip_prefix("worktree "))
            .find(|p| p.contains("/hotfix/resolve/"))
            .map(std::path::PathBuf::from)
            .unwrap();
        std::fs::write(worktree.join("VERSION"), "2.3.6\n").unwrap();
        let theirs = env.git(&worktree, &["show", "MERGE_HEAD^1:CHANGELOG.md"]);
        std::fs::write(worktree.join("CHANGELOG.md"), theirs).unwrap();
        env.git(&worktree, &["add", "VERSION", "CHANGELOG.md"]);
        env.hotfix(&worktree, &["continue"]).ok();
    }
    assert_eq!(env.rev(&team.origin, "v2.3.5^{commit}").unwrap(), tagged);
    env.git(&team.origin, &["merge-base", "--is-ancestor", &fix, "main"]);
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", "v2.3.6", "main"],
    );
    env.fsck(&team.origin);
}

#[test]
fn conflict_markers_staged_by_mistake_are_not_released() {
    let env = TestEnv::new();
    let team = env.team();
    superseded(&env, &team, &[("auth.txt", "check and log\n")]);
    env.hotfix(&team.ada, &["finish", "--version", "2.3.6", "--push"])
        .expect(3);
    let worktree = env
        .git(&team.ada, &["worktree", "list", "--porcelain"])
        .lines()
        .filter_map(|l| l.strip_prefix("worktree "))
        .find(|p| p.contains("/hotfix/resolve/"))
        .map(std::path::PathBuf::from)
        .unwrap();
    env.git(&worktree, &["add", "auth.txt"]);
    let run = env.hotfix(&worktree, &["continue"]).expect(3);
    assert!(
        run.stderr
            .contains("still has conflict markers in auth.txt"),
        "{}",
        run.stderr
    );
    assert_eq!(env.rev(&team.origin, "v2.3.6"), None, "nothing released");
    std::fs::write(worktree.join("auth.txt"), "check expiry and log\n").unwrap();
    env.git(&worktree, &["add", "auth.txt"]);
    env.hotfix(&worktree, &["continue"]).ok();
    assert!(env.rev(&team.origin, "v2.3.6").is_some());
}

#[test]
fn a_finish_from_its_own_worktree_pushes_to_a_remote_written_relative() {
    let env = TestEnv::new();
    let team = env.team();
    let worktree = env.path("wt");
    env.hotfix(
        &team.ada,
        &[
            "start",
            TICKET,
            "fix",
            "--severity",
            "P0",
            "--worktree",
            &worktree.to_string_lossy(),
        ],
    )
    .ok();
    env.commit(
        &worktree,
        "fix: expire sessions",
        &[("auth.txt", "expiry\n")],
    );
    env.hotfix(&worktree, &["finish", "--push"]).ok();
    assert!(!worktree.exists(), "the worktree start made is removed");
    assert_eq!(
        env.rev(&team.origin, "v2.3.5"),
        env.rev(&team.ada, "v2.3.5")
    );
    assert_eq!(env.rev(&team.origin, "main"), env.rev(&team.ada, "main"));
}

#[test]
fn rollback_speaks_of_production_as_the_team_recorded_it() {
    let env = TestEnv::new().real_time();
    let team = env.team();
    // A clone made before the release: no tag of it, no notes.
    let cy = env.clone_of("cy", "Cy Oncall", "cy@example.com");
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish", "--push"]).ok();
    env.hotfix(&team.ada, &["deploy", "--yes"]).ok();
    let run = env.hotfix(&cy, &["rollback", "--yes"]).ok();
    assert!(
        run.stderr
            .contains("Rollback GH-101: production from 2.3.5 to 2.3.4"),
        "{}",
        run.stderr
    );
    // Production now runs 2.3.4, which Bo released without git-hotfix: a rollback of it
    // is no hotfix's to guess.
    let run = env.hotfix(&team.ada, &["rollback", "--yes"]).expect(1);
    assert!(
        run.stderr
            .contains("production runs 2.3.4, which no hotfix released"),
        "{}",
        run.stderr
    );
    // A finished hotfix takes no `--version`: it says so rather than ignore it.
    let run = env
        .hotfix(
            &team.ada,
            &["finish", "--push", "--next", "--hotfix", TICKET],
        )
        .expect(2);
    assert!(run.stderr.contains("is finished"), "{}", run.stderr);
}

#[test]
fn a_run_cut_before_its_checkout_leaves_a_later_commit_alone() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    // `tag` killed after its branch moved to the release commit, before the files followed.
    let mut command = env.hotfix_command(&team.ada, &["tag"]);
    command.env("GIT_HOTFIX_FAILPOINT", "checkout");
    let run = crate::common::Run::of(command);
    assert_eq!(run.code, -1, "killed: {}", run.stderr);
    // The person commits anyway, on what the branch now is.
    let theirs = env.commit(&team.ada, "fix: one more", &[("more.txt", "x\n")]);
    env.hotfix(&team.ada, &["continue"]).ok();
    assert_eq!(env.rev(&team.ada, "HEAD").unwrap(), theirs);
    assert_eq!(env.git(&team.ada, &["status", "--porcelain"]), "");
    env.fsck(&team.ada);
}

#[test]
fn no_release_goes_out_below_a_newer_one_that_lacks_it() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    // Bo skipped 2.3.5: his 2.3.6 is on the origin, and Ada has not fetched it.
    team.colleague_releases(&env, "2.3.6");
    let run = env.hotfix(&team.ada, &["tag", "--push"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: v2.3.5 would go out older than v2.3.6, which `origin` has released without it
    hint: release it above v2.3.6: `git hotfix finish --version 2.3.7` (or `git hotfix tag 2.3.7`), which takes v2.3.6 in
    ");
    assert_eq!(env.rev(&team.origin, "v2.3.5"), None);
    assert_eq!(
        env.rev(&team.ada, "v2.3.5"),
        None,
        "nothing tagged here either"
    );
    // Its way out, as written.
    env.hotfix(&team.ada, &["finish", "--version", "2.3.7", "--push"])
        .ok();
    releases_hold_the_earlier_ones(&env, &team);
}

#[test]
fn finish_push_keeps_a_colleagues_commits_on_the_hotfix_branch() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    let branch = "hotfix/GH-101-fix-session-expiry";
    env.git(&team.ada, &["push", "--quiet", "-u", "origin", branch]);
    // Bo rewrites the published branch (an amended message) and force-pushes it.
    env.git(&team.bo, &["fetch", "--quiet", "origin"]);
    env.git(&team.bo, &["switch", "--quiet", branch]);
    env.git(
        &team.bo,
        &[
            "commit",
            "--quiet",
            "--amend",
            "-m",
            "fix: expire sessions (GH-101)",
        ],
    );
    env.git(&team.bo, &["push", "--quiet", "--force", "origin", branch]);
    let theirs = env.rev(&team.bo, branch).unwrap();

    // A plan reads what Ada last fetched.
    env.git(&team.ada, &["fetch", "--quiet", "origin"]);
    let plan = env.hotfix(&team.ada, &["finish", "--push", "--plan"]).ok();
    assert!(
        plan.stdout.contains(&format!("keep {branch} on origin")),
        "{}",
        plan.stdout
    );
    // Her release goes out, and Bo's rewrite, which the release lacks, stays where he put
    // it, said as kept.
    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert!(
        run.stderr.contains(&format!("kept {branch} on origin")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Deleted refs/"), "{}", run.stderr);
    assert_eq!(env.rev(&team.origin, branch), Some(theirs));
    assert!(env.rev(&team.origin, "v2.3.5").is_some());
    env.fsck(&team.origin);
}

#[test]
fn finish_push_deletes_the_published_branch_the_release_holds() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    let branch = "hotfix/GH-101-fix-session-expiry";
    env.git(&team.ada, &["push", "--quiet", "-u", "origin", branch]);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert!(
        run.stderr
            .contains(&format!("Deleted refs/heads/{branch} on origin")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("kept"), "{}", run.stderr);
    assert_eq!(env.rev(&team.origin, branch), None);
}

#[test]
fn a_finish_never_pushed_is_taken_back_when_its_name_is_taken() {
    let env = TestEnv::new();
    let team = env.team();
    let fix = start_and_fix(&env, &team, &[]);
    let before: Vec<Option<String>> = ["main", "develop", "hotfix/GH-101-fix-session-expiry"]
        .iter()
        .map(|b| env.rev(&team.ada, b))
        .collect();
    env.hotfix(&team.ada, &["finish"]).ok();
    let ours = env.rev(&team.ada, "v2.3.5").unwrap();
    let released_here = env.rev(&team.ada, "v2.3.5^{commit}").unwrap();
    // Bo releases 2.3.5 too, and pushes first.
    let theirs = team.colleague_releases(&env, "2.3.5");

    let run = env
        .hotfix(
            &team.ada,
            &["finish", "--push", "--next", "--hotfix", TICKET],
        )
        .expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: GH-101 is finished (released v2.3.5 here): `--version` and `--next` choose the version of a hotfix in progress
    hint: its release never left this clone: `git hotfix abort --hotfix GH-101` takes the finish back, and a finish after it may choose another version
    ");
    let run = env
        .hotfix(&team.ada, &["abort", "--hotfix", TICKET, "--plan"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stdout), @"
    Would abort the finish of GH-101:
      - bring the files of [TMP]/ada back to [ID]
      - recreate hotfix/GH-101-fix-session-expiry at [ID]
      - put main-worktree/HEAD back to hotfix/GH-101-fix-session-expiry
      - put main back to [ID]
      - delete refs/tags/v2.3.5
    ");
    assert_eq!(env.rev(&team.ada, "v2.3.5"), Some(ours.clone()), "a plan");
    let run = env.hotfix(&team.ada, &["abort", "--hotfix", TICKET]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
     Undone brought the files of [TMP]/ada back to [ID]
     Undone recreated hotfix/GH-101-fix-session-expiry at [ID]
     Undone put main-worktree/HEAD back to hotfix/GH-101-fix-session-expiry
     Undone put main back to [ID]
     Undone deleted refs/tags/v2.3.5
    Aborted the finish of GH-101; everything it did is undone
    ");
    // As before the finish: no local 2.3.5 of ours, the branches where they were.
    let after: Vec<Option<String>> = ["main", "develop", "hotfix/GH-101-fix-session-expiry"]
        .iter()
        .map(|b| env.rev(&team.ada, b))
        .collect();
    assert_eq!(after, before);
    assert_eq!(env.rev(&team.ada, "v2.3.5"), None);
    assert_eq!(env.git(&team.ada, &["status", "--porcelain"]), "");
    let notes = env.git_output(&team.ada, &["notes", "--ref=hotfix", "list"]);
    let notes = String::from_utf8_lossy(&notes.stdout).to_string();
    assert!(
        !notes.contains(&released_here),
        "no note of a release taken back: {notes}"
    );

    // Finished again, above Bo's release and holding it.
    let run = env
        .hotfix(
            &team.ada,
            &["finish", "--push", "--next", "--hotfix", TICKET],
        )
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
         Fetched main from origin
       Caught up main with origin/main ([ID] → [ID])
    Re-versioning GH-101: 2.3.5 → 2.3.6 (tag v2.3.6)
          Merged the fix into v2.3.5, released since GH-101 started (merge commit [ID])
       Committed Release 2.3.6 (GH-101) ([ID])
                 VERSION 2.3.5 -> 2.3.6
                 CHANGELOG.md gets an entry "fix session expiry (GH-101, P0)"
          Tagged v2.3.6 on [ID]
          Merged into main (fast-forward to [ID])
         Deleted hotfix/GH-101-fix-session-expiry
        Switched [TMP]/ada to main
          Pushed refs/tags/v2.3.6 refs/heads/main to origin
          Pushed the hotfix notes (refs/notes/hotfix) to origin
        Finished hotfix GH-101: released 2.3.6
    "#);
    let released = env.rev(&team.origin, "v2.3.6^{commit}").unwrap();
    for held in [&theirs, &fix] {
        env.git(
            &team.origin,
            &["merge-base", "--is-ancestor", held, &released],
        );
    }
    assert_eq!(
        env.rev(&team.origin, "v2.3.5^{commit}"),
        Some(theirs.clone())
    );
    env.fsck(&team.ada);
    env.fsck(&team.origin);

    // Published now: nothing takes it back.
    let run = env
        .hotfix(&team.ada, &["abort", "--hotfix", TICKET])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: the finish of GH-101 cannot be taken back: it was pushed
    hint: a release that left this clone stays released: fix forward (a new hotfix over it), or take production back with `git hotfix rollback`
    ");
}

#[test]
fn a_rollback_with_no_deploy_recorded_does_not_say_what_runs() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish", "--push"]).ok();
    let run = env.hotfix(&team.ada, &["rollback", "--yes"]).ok();
    assert!(
        run.stderr.contains(
            "Rollback GH-101: production (no deploy to it is recorded: taken to run 2.3.5, the release of GH-101) to 2.3.4 (it is the release 2.3.5 was built on"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("from 2.3.5"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Rolled back production to 2.3.4"),
        "{}",
        run.stderr
    );
    assert_eq!(env.running("production").as_deref(), Some("2.3.4"));
    // Its status says what production runs now: not the fix.
    let status = env.hotfix(&team.ada, &["status", "--hotfix", TICKET]).ok();
    assert!(
        status.stdout.contains("production runs 2.3.4 since"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("without the fix"),
        "{}",
        status.stdout
    );
    let json = env
        .hotfix(&team.ada, &["status", "--json", "--hotfix", TICKET])
        .ok()
        .json();
    assert_eq!(json["hotfix"]["production"]["version"], "2.3.4", "{json}");
    assert_eq!(json["hotfix"]["production"]["holds_fix"], false, "{json}");
}

#[test]
fn finish_push_reads_the_hotfix_branch_as_the_remote_has_it_now() {
    let branch = "hotfix/GH-101-fix-session-expiry";
    // Bo deletes the published branch; Ada has not fetched since.
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.git(&team.ada, &["push", "--quiet", "-u", "origin", branch]);
    env.git(&team.bo, &["push", "--quiet", "origin", "--delete", branch]);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert!(!run.stderr.contains("Deleted refs/"), "{}", run.stderr);
    assert!(env.rev(&team.origin, "v2.3.5").is_some(), "{}", run.stderr);
    assert_eq!(env.rev(&team.origin, branch), None);

    // Bo pushes a commit to the published branch; Ada, unfetched, keeps it there.
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.git(&team.ada, &["push", "--quiet", "-u", "origin", branch]);
    env.git(&team.bo, &["fetch", "--quiet", "origin"]);
    env.git(&team.bo, &["switch", "--quiet", branch]);
    let theirs = env.commit(
        &team.bo,
        "test: expiry at midnight",
        &[("midnight.txt", "0\n")],
    );
    env.git(&team.bo, &["push", "--quiet", "origin", branch]);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert!(
        run.stderr.contains(&format!("kept {branch} on origin")),
        "{}",
        run.stderr
    );
    assert_eq!(env.rev(&team.origin, branch), Some(theirs));
    env.fsck(&team.origin);
}

#[test]
fn a_second_hotfix_does_not_push_the_first_release_without_its_tag() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    // GH-101's finish is cut short before its push: main holds 2.3.5, the origin does not.
    let mut command = env.hotfix_command(&team.ada, &["finish", "--push"]);
    command.env("GIT_HOTFIX_FAILPOINT", "push");
    let run = crate::common::Run::of(command);
    assert_eq!(run.code, -1, "killed: {}", run.stderr);
    // The next incident, from production as this clone has it.
    env.hotfix(
        &team.ada,
        &[
            "start",
            "GH-102",
            "fix login",
            "--severity",
            "P0",
            "--from",
            "main",
        ],
    )
    .ok();
    env.commit(&team.ada, "fix: login", &[("login.txt", "checked\n")]);

    let refs = env.refs(&team.ada);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: `main` holds 2 commits that `origin` lacks: the release of GH-101, whose run stopped before its push
    hint: `git hotfix continue --hotfix GH-101` pushes it (or `git hotfix abort --hotfix GH-101` takes it back); then finish this one
    ");
    assert_eq!(env.refs(&team.ada), refs, "nothing moved");
    assert_eq!(env.rev(&team.origin, "v2.3.6"), None);

    // The hint, as written: each release goes out with its tag, the later holding the earlier.
    env.hotfix(&team.ada, &["continue", "--hotfix", TICKET])
        .ok();
    env.hotfix(&team.ada, &["finish", "--push", "--hotfix", "GH-102"])
        .ok();
    assert!(env.rev(&team.origin, "v2.3.5").is_some());
    assert_eq!(env.rev(&team.origin, "main"), env.rev(&team.ada, "main"));
    releases_hold_the_earlier_ones(&env, &team);
    env.fsck(&team.origin);
}

#[test]
fn a_release_finished_here_unpushed_is_named_before_the_next_push() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish"]).ok();
    env.hotfix(
        &team.ada,
        &["start", "GH-102", "fix login", "--severity", "P0"],
    )
    .ok();
    env.commit(&team.ada, "fix: login", &[("login.txt", "checked\n")]);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).expect(5);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: `main` holds 2 commits that `origin` lacks: the release of GH-101, finished without `--push`
    hint: `git hotfix finish --push --hotfix GH-101` publishes it first; then finish this one
    ");
    env.hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .ok();
    env.hotfix(&team.ada, &["finish", "--push", "--hotfix", "GH-102"])
        .ok();
    assert_eq!(env.rev(&team.origin, "main"), env.rev(&team.ada, "main"));
    releases_hold_the_earlier_ones(&env, &team);
}

#[test]
fn a_notes_lock_someone_else_holds_stops_the_finish_before_anything_is_pushed() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    // A `git notes` of someone's, killed: its lock holds a commit that is not ours.
    let lock = team.ada.join(".git/refs/notes/hotfix.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let theirs = env.rev(&team.ada, "main").unwrap();
    std::fs::write(&lock, format!("{theirs}\n")).unwrap();
    let refs = env.refs(&team.ada);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    error: `[TMP]/ada/.git/refs/notes/hotfix.lock` is locked by another git process
    hint: wait for the other process; if none is running, remove [TMP]/ada/.git/refs/notes/hotfix.lock
    ");
    assert_eq!(env.refs(&team.ada), refs, "nothing moved");
    assert_eq!(env.rev(&team.origin, "v2.3.5"), None, "nothing pushed");

    // The lock gone, as the hint says: released with its note.
    std::fs::remove_file(&lock).unwrap();
    env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert!(env.rev(&team.origin, "v2.3.5").is_some());
    let note = env.git(
        &team.ada,
        &["notes", "--ref=hotfix", "show", "v2.3.5^{commit}"],
    );
    assert!(note.contains(TICKET), "{note}");
}

#[test]
fn an_abort_after_a_pull_on_the_branch_the_run_switched_to_brings_the_files_back() {
    let env = TestEnv::new();
    let team = env.team();
    // A fix of the old line, which has no branch here: tagged on its own line, the
    // finish switches Ada to main.
    env.git(&team.ada, &["branch", "--quiet", "-D", "release/2.2"]);
    env.git(
        &team.ada,
        &["update-ref", "-d", "refs/remotes/origin/release/2.2"],
    );
    env.hotfix(
        &team.ada,
        &[
            "start",
            TICKET,
            "fix old line",
            "--severity",
            "P0",
            "--from",
            "v2.2.9",
        ],
    )
    .ok();
    let fix = env.commit(
        &team.ada,
        "fix: old line",
        &[("auth.txt", "old line fixed\n")],
    );
    let mut command = env.hotfix_command(&team.ada, &["finish"]);
    command.env("GIT_HOTFIX_FAILPOINT", "done:2");
    let run = crate::common::Run::of(command);
    assert_eq!(run.code, -1, "killed: {}", run.stderr);
    assert_eq!(env.branch(&team.ada).as_deref(), Some("main"));
    // Bo pushes; Ada, on main now, pulls it before she aborts.
    env.git(&team.bo, &["pull", "--quiet", "--ff-only"]);
    let theirs = env.commit(&team.bo, "docs: rota", &[("ROTA.md", "ada\n")]);
    env.git(&team.bo, &["push", "--quiet", "origin", "main"]);
    env.git(&team.ada, &["pull", "--quiet", "--ff-only"]);

    env.hotfix(&team.ada, &["abort"]).ok();
    assert_eq!(
        env.branch(&team.ada).as_deref(),
        Some("hotfix/GH-101-fix-old-line")
    );
    assert_eq!(env.rev(&team.ada, "HEAD").as_deref(), Some(fix.as_str()));
    assert_eq!(env.git(&team.ada, &["status", "--porcelain"]), "");
    assert_eq!(env.rev(&team.ada, "main").as_deref(), Some(theirs.as_str()));
    assert_eq!(env.rev(&team.ada, "v2.2.10"), None);
    env.fsck(&team.ada);
}

#[test]
fn a_commit_made_on_the_hotfix_branch_while_a_run_waits_is_not_lost_by_continue() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    // Bo's change to the same lines: the finish stops on the conflict.
    env.git(&team.bo, &["pull", "--quiet", "--ff-only"]);
    env.commit(&team.bo, "auth: rework", &[("auth.txt", "reworked\n")]);
    env.git(&team.bo, &["push", "--quiet", "origin", "main"]);
    env.hotfix(&team.ada, &["finish"]).expect(3);
    // Ada commits one more fix on the branch while the run waits, then resolves.
    let later = env.commit(&team.ada, "fix: one more", &[("more.txt", "x\n")]);
    let resolve = team.ada.join(".git/hotfix/resolve/GH-101-main");
    std::fs::write(resolve.join("auth.txt"), "reworked, expiry checked\n").unwrap();
    env.git(&resolve, &["add", "auth.txt"]);
    let run = env.hotfix(&team.ada, &["continue"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `refs/heads/hotfix/GH-101-fix-session-expiry` moved: expected what the stopped run releases, found [ID], with commits made since the stop that the release lacks
    hint: someone moved it since the plan was made: `git hotfix abort` if a run is stopped, update, then finish again
    ");
    assert_eq!(
        env.rev(&team.ada, "refs/heads/hotfix/GH-101-fix-session-expiry"),
        Some(later.clone())
    );
    // The way on: abort, and finish again with every commit.
    env.hotfix(&team.ada, &["abort"]).ok();
    assert_eq!(
        env.rev(&team.ada, "refs/heads/hotfix/GH-101-fix-session-expiry"),
        Some(later.clone())
    );
}
