//! The text people read, as snapshots: plans, progress, a stop on a conflict, errors.

use insta::assert_snapshot;

use crate::common::{TestEnv, scrub};

#[test]
fn start_plan_and_start() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let plan = env
        .hotfix(
            &repo,
            &["start", "ENG-1234", "fix", "auth", "bypass", "--plan"],
        )
        .ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @"
    Would start hotfix ENG-1234
      branch   hotfix/ENG-1234-fix-auth-bypass
      base     v1.2.3 ([ID]), the newest release tag on the production branch
      version  1.2.4 after v1.2.3, tag v1.2.4
      then     switch this worktree to the branch
    ");
    let run = env
        .hotfix(&repo, &["start", "ENG-1234", "fix", "auth", "bypass"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Created branch hotfix/ENG-1234-fix-auth-bypass from v1.2.3 ([ID])
        Switched to hotfix/ENG-1234-fix-auth-bypass
       Releasing 1.2.4 as tag v1.2.4
    hint: commit the fix (with a regression test), then run `git hotfix finish`
    ");
}

#[test]
fn status_and_finish() {
    let env = TestEnv::new();
    let repo = env.with_develop().dir;
    env.start_and_fix(&repo);
    let status = env.hotfix(&repo, &["status"]).ok();
    assert_snapshot!(scrub(&env, &status.stdout), @r#"
    Hotfix ENG-1234: fix auth bypass
      branch   hotfix/ENG-1234-fix-auth-bypass at [ID]
      base     v1.2.3 ([ID])
      version  1.2.4, tag v1.2.4
      started  [TIME]
      commits  1 since the base
        [ID] fix: refuse unsigned tokens

    Checklist:
      [ ] assessed
      [x] branch created          [TIME]
      [x] fix committed           [TIME]
      [ ] regression test touched
      [ ] checks passed
      [ ] version bumped
      [ ] changelog
      [ ] PR opened
      [ ] merged
      [ ] tagged
      [ ] pushed
      [ ] deployed to staging
      [ ] staging verified
      [ ] deployed to production
      [ ] production verified
      [ ] monitoring window over
      [ ] communicated            `git hotfix check communicated`
      [ ] follow-up sent          `git hotfix check followed-up`
      [ ] review scheduled        `git hotfix check review-scheduled`

    Finish will:
      - tag v1.2.4 on [ID] ("Hotfix 1.2.4: fix auth bypass")
      - merge into main (merge commit [ID])
      - merge into develop (merge commit [ID])
      - delete hotfix/ENG-1234-fix-auth-bypass
      - switch [TMP]/repo to main
    "#);
    let plan = env.hotfix(&repo, &["finish", "--plan"]).ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @r#"
    Would finish hotfix ENG-1234 (1 commit on hotfix/ENG-1234-fix-auth-bypass):
      - tag v1.2.4 on [ID] ("Hotfix 1.2.4: fix auth bypass")
      - merge into main (merge commit [ID])
      - merge into develop (merge commit [ID])
      - delete hotfix/ENG-1234-fix-auth-bypass
      - switch [TMP]/repo to main
    "#);
    let run = env.hotfix(&repo, &["finish"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
          Tagged v1.2.4 on [ID]
          Merged into main (merge commit [ID])
          Merged into develop (merge commit [ID])
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Switched [TMP]/repo to main
        Finished hotfix ENG-1234: released 1.2.4
    ");
}

#[test]
fn a_stop_on_a_conflict() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    let run = env.hotfix(&repo, &["finish"]).expect(3);
    assert_snapshot!(scrub(&env, &format!("{}{}", run.stderr, run.stdout)), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: merging hotfix/ENG-1234-fix-auth-bypass into main conflicts in auth.txt; stopped for you to resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-main
    hint: `cd [TMP]/repo/.git/hotfix/resolve/ENG-1234-main`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: `git hotfix abort` drops the run; no ref has moved
    ");
    let status = env.hotfix(&repo, &["status"]).ok();
    assert_snapshot!(scrub(&env, &status.stdout), @"
    Hotfix ENG-1234: fix auth bypass
      branch   hotfix/ENG-1234-fix-auth-bypass at [ID]
      base     v1.2.3 ([ID])
      version  1.2.4, tag v1.2.4
      started  [TIME]
      commits  1 since the base
        [ID] fix: refuse unsigned tokens

    Checklist:
      [ ] assessed
      [x] branch created          [TIME]
      [x] fix committed           [TIME]
      [ ] regression test touched
      [ ] checks passed
      [ ] version bumped
      [ ] changelog
      [ ] PR opened
      [ ] merged
      [ ] tagged
      [ ] pushed
      [ ] deployed to staging
      [ ] staging verified
      [ ] deployed to production
      [ ] production verified
      [ ] monitoring window over
      [ ] communicated            `git hotfix check communicated`
      [ ] follow-up sent          `git hotfix check followed-up`
      [ ] review scheduled        `git hotfix check review-scheduled`

    Stopped: merging into main conflicts in auth.txt.
      Resolve in [TMP]/repo/.git/hotfix/resolve/ENG-1234-main, `git add` the files there, then `git hotfix continue`.
      `git hotfix abort` undoes the run.
    ");
}

#[test]
fn errors_name_the_problem_and_the_way_out() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    std::fs::write(repo.join("app.txt"), "edited\n").unwrap();
    let dirty = env.hotfix(&repo, &["start", "ENG-1", "x"]).expect(1);
    assert_snapshot!(scrub(&env, &dirty.stderr), @"
    error: the worktree at [TMP]/repo has local changes: app.txt
    hint: commit or stash them (`git stash --include-untracked`), then run this again
    ");
    let ticket = env.hotfix(&repo, &["start", "ENG 1"]).expect(2);
    assert_snapshot!(scrub(&env, &ticket.stderr), @"
    error: ticket `ENG 1` cannot be used in a branch name: it contains whitespace (' ')
    hint: try `ENG-1`
    ");
    env.git(&repo, &["stash", "--quiet"]);
    env.commit(
        &repo,
        "settings",
        &[(".hotfix.toml", "[products.api]\ntag-patern = 'x'\n")],
    );
    let config = env.hotfix(&repo, &["start", "ENG-1"]).expect(1);
    assert_snapshot!(scrub(&env, &config.stderr), @"
    error: `.hotfix.toml` on main ([ID]), line 2, column 1: `products.api.tag-patern`: unknown key `tag-patern`, expected one of `tag-pattern`, `branch-template`, `version-files`, `changelog`, `changelog-format`, `changelog-heading`, `checks`
    hint: fix it in the file (committed on the production branch), or override it with `-c <key>=<value>`
    ");
}

#[test]
fn a_backport_plan_and_a_pause() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    env.git(&repo, &["switch", "--quiet", "release/1.3"]);
    env.commit(&repo, "1.3 reworks auth", &[("auth.txt", "check on 1.3\n")]);
    env.git(&repo, &["switch", "--quiet", "main"]);
    env.start_and_fix(&repo);
    let plan = env
        .hotfix(&repo, &["backport", "--maintained", "--plan"])
        .ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @"
    Would backport ENG-1234 (1 commit):
      release/1.0              clean     backport/release/1.0/ENG-1234-fix-auth-bypass (1 picked)
      release/1.1              clean     backport/release/1.1/ENG-1234-fix-auth-bypass (1 picked)
      release/1.2              clean     backport/release/1.2/ENG-1234-fix-auth-bypass (1 picked)
      release/1.3              conflict  auth.txt
      release/1.4              clean     backport/release/1.4/ENG-1234-fix-auth-bypass (1 picked)
      release/1.5              clean     backport/release/1.5/ENG-1234-fix-auth-bypass (1 picked)
    ");
    let run = env
        .hotfix(
            &repo,
            &["backport", "--maintained", "--on-conflict", "pause"],
        )
        .expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
          Picked release/1.0              clean     backport/release/1.0/ENG-1234-fix-auth-bypass at [ID] (1 picked)
          Picked release/1.1              clean     backport/release/1.1/ENG-1234-fix-auth-bypass at [ID] (1 picked)
          Picked release/1.2              clean     backport/release/1.2/ENG-1234-fix-auth-bypass at [ID] (1 picked)
        Conflict release/1.3              conflict  auth.txt
    error: picking [ID] onto release/1.3 conflicts in auth.txt; stopped for you to resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3
    hint: `cd [TMP]/repo/.git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: `git hotfix skip` leaves this line out; `git hotfix abort` removes every branch this run made
    ");
}

/// Under `--json`, a usage error is one JSON document on stdout like any other error (exit
/// 2), and clap's text stays on stderr for a person.
#[test]
fn usage_errors_are_json_under_json() {
    let env = TestEnv::new();
    let dir = env.init("repo");
    for (args, message) in [
        (
            &["start", "--json"][..],
            "the following required arguments were not provided: <TICKET>",
        ),
        (
            &["--json", "start", "ENG-1", "--worktree"][..],
            "a value is required for '--worktree <PATH>' but none was supplied",
        ),
    ] {
        let run = env.hotfix(&dir, args).expect(2);
        let error = &run.json()["error"];
        assert_eq!(error["kind"], "usage", "{args:?}");
        assert_eq!(error["exit"], 2);
        assert_eq!(error["message"], message);
        let hints = error["hints"].as_array().unwrap();
        assert!(
            hints.last().unwrap().as_str().unwrap().contains("--help"),
            "{hints:?}"
        );
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    // Without --json, nothing on stdout; `--help` is no error.
    let run = env.hotfix(&dir, &["start"]).expect(2);
    assert_eq!(run.stdout, "");
    let run = env.hotfix(&dir, &["start", "--help", "--json"]).ok();
    assert!(run.stdout.contains("Usage:"), "{}", run.stdout);
}
