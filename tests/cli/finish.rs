use insta::assert_snapshot;

use crate::common::{TestEnv, scrub};

use crate::common::fixtures::HOTFIX as BRANCH;

#[test]
fn finish_tags_fast_forwards_back_merges_and_deletes_the_branch() {
    let env = TestEnv::new();
    let repo = env.with_develop().dir;
    // Production has not moved since v1.2.3 except for the settings commit: start from main.
    env.git(&repo, &["tag", "-d", "v1.2.3"]);
    env.tag(&repo, "v1.2.3");
    let develop_before = env.rev(&repo, "develop").unwrap();
    let fix = env.start_and_fix(&repo);

    let run = env.hotfix(&repo, &["finish"]).ok();

    // An annotated v1.2.4 on the fix, with the default message.
    assert_eq!(env.git(&repo, &["cat-file", "-t", "v1.2.4"]).trim(), "tag");
    assert_eq!(
        env.rev(&repo, "v1.2.4^{commit}").as_deref(),
        Some(fix.as_str())
    );
    let tag = env.git(&repo, &["cat-file", "-p", "v1.2.4"]);
    assert!(tag.contains("tagger Ada Oncall <ada@example.com>"), "{tag}");
    assert!(tag.ends_with("Hotfix 1.2.4: fix auth bypass\n"), "{tag}");
    // main fast-forwarded to the fix.
    assert_eq!(env.rev(&repo, "main").as_deref(), Some(fix.as_str()));
    // develop got a merge commit of its old tip and the fix.
    let develop = env.rev(&repo, "develop").unwrap();
    assert_eq!(
        env.parents(&repo, &develop),
        vec![develop_before, fix.clone()]
    );
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%s", "develop"])
            .trim(),
        format!("Merge branch '{BRANCH}' into develop")
    );
    // The merge is git's: the same tree `git merge-tree` computes.
    let expected_tree = env.git(
        &repo,
        &["merge-tree", "--write-tree", "develop^1", "develop^2"],
    );
    assert_eq!(
        env.rev(&repo, "develop^{tree}").unwrap(),
        expected_tree.trim()
    );
    // The branch is gone and the worktree is on main, clean.
    assert_eq!(env.rev(&repo, BRANCH), None);
    assert_eq!(env.branch(&repo).as_deref(), Some("main"));
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    // HEAD's reflog says so, as after `git switch`.
    let reflog = env.git(&repo, &["reflog", "-1", "--format=%H %gs", "HEAD"]);
    assert_eq!(
        reflog.trim(),
        format!("{fix} checkout: moving from {BRANCH} to main")
    );
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
          Tagged v1.2.4 on [ID]
          Merged into main (fast-forward to [ID])
          Merged into develop (merge commit [ID])
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Switched [TMP]/repo to main
        Finished hotfix ENG-1234: released 1.2.4
    ");
    // The journal moved to finished/.
    assert!(
        repo.join(".git/hotfix/finished/ENG-1234-1.2.4.json")
            .exists()
    );
    assert!(!repo.join(".git/hotfix/ENG-1234.json").exists());
    env.fsck(&repo);
}

#[test]
fn finish_merges_when_production_moved_on() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let fix = env.start_and_fix(&repo);
    env.git(&repo, &["switch", "--quiet", "main"]);
    let main_before = env.commit(&repo, "Unreleased work", &[("wip.txt", "x\n")]);
    env.git(&repo, &["switch", "--quiet", BRANCH]);

    env.hotfix(&repo, &["finish"]).ok();

    let main = env.rev(&repo, "main").unwrap();
    assert_eq!(env.parents(&repo, &main), vec![main_before, fix]);
    let tree = env.git(&repo, &["merge-tree", "--write-tree", "main^1", "main^2"]);
    assert_eq!(env.rev(&repo, "main^{tree}").unwrap(), tree.trim());
    assert_eq!(env.branch(&repo).as_deref(), Some("main"));
    assert!(repo.join("wip.txt").exists() && repo.join("auth.txt").exists());
    env.fsck(&repo);
}

#[test]
fn ff_only_refuses_to_merge_when_production_moved_and_ff_merges_it_once() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let fix = env.start_and_fix(&repo);
    env.git(&repo, &["switch", "--quiet", "main"]);
    let moved = env.commit(&repo, "Unreleased work", &[("wip.txt", "x\n")]);
    env.git(&repo, &["switch", "--quiet", BRANCH]);

    // Production moved: no merge commit is made, nothing moves, and the way out is named.
    let before = crate::common::snapshot(&repo);
    let run = env.hotfix(&repo, &["finish", "--ff-only"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: main moved since ENG-1234 started (1 commit the hotfix does not have), and a fast-forward-only finish makes no merge commit
    hint: merge this once with `--ff` (a merge commit), or `--plan` it first; a hotfix started from main's tip (`git hotfix start … --from main`) fast-forwards
    ");
    crate::common::assert_unchanged(&before, &crate::common::snapshot(&repo));
    assert_eq!(env.rev(&repo, "main").unwrap(), moved);

    // The setting from git config refuses the same; `--ff` merges this once.
    env.git(&repo, &["config", "hotfix.merge", "ff-only"]);
    env.hotfix(&repo, &["finish"]).expect(1);
    env.hotfix(&repo, &["finish", "--ff"]).ok();
    let main = env.rev(&repo, "main").unwrap();
    assert_eq!(env.parents(&repo, &main), vec![moved, fix]);
    env.fsck(&repo);
}

#[test]
fn no_ff_makes_a_merge_commit_even_when_production_has_not_moved() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let main_before = env.rev(&repo, "main").unwrap();
    let fix = env.start_and_fix(&repo);
    env.hotfix(&repo, &["finish", "-c", "merge=no-ff"]).ok();
    let main = env.rev(&repo, "main").unwrap();
    assert_eq!(env.parents(&repo, &main), vec![main_before, fix.clone()]);
    assert_eq!(
        env.rev(&repo, "main^{tree}"),
        env.rev(&repo, &format!("{fix}^{{tree}}"))
    );
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%s", "main"]).trim(),
        format!("Merge branch '{BRANCH}' into main")
    );
    // The tag is on the fix, which the merge holds.
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fix);
    env.fsck(&repo);

    // A mistyped mode is named with the ones there are.
    let env = TestEnv::new();
    let other = env.linear().dir;
    env.start_and_fix(&other);
    let run = env
        .hotfix(&other, &["finish", "-c", "merge=fast"])
        .expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: --config: `merge`: unknown variant `fast`, expected one of `ff`, `ff-only`, `no-ff`
    hint: correct the value given with `-c merge=…`
    ");
}

#[test]
fn an_old_line_is_tagged_on_its_own_and_not_merged_into_production() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    // No release branch holds v1.2.3 here: drop it so only the tag marks the line.
    env.git(&repo, &["branch", "-D", "release/1.2"]);
    let main_before = env.rev(&repo, "main").unwrap();
    env.hotfix(&repo, &["start", "ENG-20", "old", "--from", "v1.2.3"])
        .ok();
    let fix = env.commit(&repo, "fix the old line", &[("auth.txt", "old fix\n")]);

    let run = env.hotfix(&repo, &["finish"]).ok();

    assert_eq!(env.rev(&repo, "main").unwrap(), main_before);
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fix);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
          Tagged v1.2.4 on [ID]
         Skipped production: 1.2.4 is older than v2.0.0
    hint: bring the fix to newer lines with `git hotfix backport`
         Deleted hotfix/ENG-20-old
        Switched [TMP]/repo to main
        Finished hotfix ENG-20: released 1.2.4
    ");
    // The tag keeps the fix reachable after the branch is deleted.
    assert_eq!(env.rev(&repo, "hotfix/ENG-20-old"), None);
    env.fsck(&repo);
}

#[test]
fn an_old_line_with_a_release_branch_is_merged_into_that_branch() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    let main_before = env.rev(&repo, "main").unwrap();
    env.hotfix(&repo, &["start", "ENG-21", "--from", "v1.2.3"])
        .ok();
    let fix = env.commit(&repo, "fix 1.2", &[("auth.txt", "1.2 fix\n")]);

    env.hotfix(&repo, &["finish"]).ok();

    assert_eq!(
        env.rev(&repo, "release/1.2").unwrap(),
        fix,
        "fast-forwarded"
    );
    assert_eq!(env.rev(&repo, "main").unwrap(), main_before);
    assert_eq!(env.branch(&repo).as_deref(), Some("release/1.2"));
    env.fsck(&repo);
}

#[test]
fn keep_no_tag_and_no_backmerge_do_what_they_say() {
    let env = TestEnv::new();
    let repo = env.with_develop().dir;
    let develop_before = env.rev(&repo, "develop").unwrap();
    let fix = env.start_and_fix(&repo);

    env.hotfix(&repo, &["finish", "--keep", "--no-tag", "--no-backmerge"])
        .ok();

    assert_eq!(env.rev(&repo, "v1.2.4"), None);
    assert_eq!(env.rev(&repo, "develop").unwrap(), develop_before);
    assert_eq!(env.rev(&repo, BRANCH).unwrap(), fix);
    assert_eq!(env.branch(&repo).as_deref(), Some(BRANCH));
    let main = env.rev(&repo, "main").unwrap();
    assert_eq!(env.parents(&repo, &main)[1], fix);
    env.fsck(&repo);
}

#[test]
fn the_message_flag_sets_the_tag_message() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.start_and_fix(&repo);
    env.hotfix(&repo, &["finish", "-m", "Emergency release for ENG-1234"])
        .ok();
    let tag = env.git(&repo, &["tag", "-l", "--format=%(contents)", "v1.2.4"]);
    assert_eq!(tag.trim(), "Emergency release for ENG-1234");
    env.fsck(&repo);
}

#[test]
fn a_worktree_made_by_start_is_removed_and_production_checked_out_elsewhere_follows() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let wt = env.path("wt");
    env.hotfix(
        &repo,
        &["start", "ENG-22", "x", "--worktree", wt.to_str().unwrap()],
    )
    .ok();
    let fix = env.commit(&wt, "fix in the worktree", &[("auth.txt", "fixed\n")]);

    // main is checked out (clean) in the main worktree: it moves with its files.
    env.hotfix(&wt, &["finish"]).ok();

    assert!(!wt.exists(), "the worktree start made is gone");
    assert!(!env.git(&repo, &["worktree", "list"]).contains("/wt "));
    assert_eq!(env.rev(&repo, "main").unwrap(), fix);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(repo.join("auth.txt")).unwrap(),
        "fixed\n"
    );
    env.fsck(&repo);
}

#[test]
fn production_checked_out_with_local_changes_is_left_alone() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let wt = env.path("wt");
    env.hotfix(
        &repo,
        &["start", "ENG-23", "x", "--worktree", wt.to_str().unwrap()],
    )
    .ok();
    env.commit(&wt, "fix", &[("auth.txt", "fixed\n")]);
    std::fs::write(repo.join("app.txt"), "local edit\n").unwrap();
    let refs = env.refs(&repo);

    let run = env.hotfix(&wt, &["finish"]).expect(1);

    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: `main` is checked out in [TMP]/repo with local changes: app.txt
    hint: commit or stash the changes in that worktree, or switch it to another branch
    ");
    assert_eq!(env.refs(&repo), refs);
    assert!(wt.exists());
    env.fsck(&repo);
}

#[test]
fn tag_then_finish_keeps_the_tag() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let fix = env.start_and_fix(&repo);
    env.hotfix(&repo, &["tag"]).ok();
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fix);
    let tag_object = env.rev(&repo, "v1.2.4").unwrap();
    // Running it again is harmless.
    env.hotfix(&repo, &["tag"]).ok();

    let run = env.hotfix(&repo, &["finish"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
            Kept v1.2.4 on [ID]
          Merged into main (fast-forward to [ID])
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Switched [TMP]/repo to main
        Finished hotfix ENG-1234: released 1.2.4
    ");
    assert_eq!(env.rev(&repo, "v1.2.4").unwrap(), tag_object);
    env.fsck(&repo);
}

#[test]
fn tag_with_another_version_renames_the_release() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.start_and_fix(&repo);
    env.hotfix(&repo, &["tag", "1.3.0"]).ok();
    assert!(env.rev(&repo, "v1.3.0").is_some());
    let run = env.hotfix(&repo, &["status", "--json"]).ok();
    assert_eq!(run.json()["hotfix"]["version"], "1.3.0");
    assert_eq!(run.json()["hotfix"]["tag"], "v1.3.0");
    env.fsck(&repo);
}

#[test]
fn status_shows_the_hotfix_and_what_finish_will_do() {
    let env = TestEnv::new();
    let repo = env.with_develop().dir;
    env.start_and_fix(&repo);
    let run = env.hotfix(&repo, &["status"]).ok();
    let out = scrub(&env, &run.stdout);
    assert!(out.contains("Hotfix ENG-1234: fix auth bypass"), "{out}");
    assert!(out.contains("commits  1 since the base"), "{out}");
    assert!(out.contains("fix: refuse unsigned tokens"), "{out}");
    assert!(out.contains("Finish will:"), "{out}");
    assert!(out.contains("- tag v1.2.4 on [ID]"), "{out}");
    assert!(
        out.contains("- merge into main (merge commit [ID])"),
        "{out}"
    );
    assert!(
        out.contains("- merge into develop (merge commit [ID])"),
        "{out}"
    );
    assert!(out.contains(&format!("- delete {BRANCH}")), "{out}");

    // From another branch, the only hotfix in progress is shown; --all lists it.
    env.git(&repo, &["switch", "--quiet", "main"]);
    let run = env.hotfix(&repo, &["status", "--json"]).ok();
    assert_eq!(run.json()["hotfix"]["ticket"], "ENG-1234");
    let run = env.hotfix(&repo, &["status", "--all"]).ok();
    assert_snapshot!(scrub(&env, &run.stdout), @"ENG-1234  in progress  hotfix/ENG-1234-fix-auth-bypass  1.2.4");
}

#[test]
fn a_develop_branch_gets_the_fix_without_being_configured() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.git(&repo, &["branch", "develop"]);
    env.git(&repo, &["switch", "--quiet", "develop"]);
    env.commit(&repo, "Next release work", &[("next.txt", "wip\n")]);
    env.git(&repo, &["switch", "--quiet", "main"]);
    let fix = env.start_and_fix(&repo);

    let plan = env.hotfix(&repo, &["finish", "--plan"]).ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @r#"
    Would finish hotfix ENG-1234 (1 commit on hotfix/ENG-1234-fix-auth-bypass):
      - tag v1.2.4 on [ID] ("Hotfix 1.2.4: fix auth bypass")
      - fast-forward main to [ID]
      - back-merge into develop: found by name, as no `develop-branch` is configured (`develop-branch = ""` turns this off)
      - merge into develop (merge commit [ID])
      - delete hotfix/ENG-1234-fix-auth-bypass
      - switch [TMP]/repo to main
    "#);
    // Turned off on purpose, it is left alone.
    let plan = env
        .hotfix(&repo, &["-c", "develop-branch=", "finish", "--plan"])
        .ok();
    assert!(!plan.stdout.contains("develop"), "{}", plan.stdout);

    let run = env.hotfix(&repo, &["finish"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
          Tagged v1.2.4 on [ID]
          Merged into main (fast-forward to [ID])
          Merged into develop (merge commit [ID])
    hint: develop got the fix as the develop branch found by name; `develop-branch` in .hotfix.toml names another ("" for none)
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Switched [TMP]/repo to main
        Finished hotfix ENG-1234: released 1.2.4
    "#);
    env.git(&repo, &["merge-base", "--is-ancestor", &fix, "develop"]);
    env.git(&repo, &["merge-base", "--is-ancestor", &fix, "main"]);
    env.fsck(&repo);
}

#[test]
fn git_flows_develop_branch_is_the_one_found() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.git(&repo, &["branch", "develop"]);
    env.git(&repo, &["branch", "integration"]);
    env.git(&repo, &["config", "gitflow.branch.develop", "integration"]);
    let develop = env.rev(&repo, "develop").unwrap();
    let fix = env.start_and_fix(&repo);

    env.hotfix(&repo, &["finish"]).ok();
    env.git(&repo, &["merge-base", "--is-ancestor", &fix, "integration"]);
    assert_eq!(
        env.rev(&repo, "develop").unwrap(),
        develop,
        "not git-flow's"
    );
    env.fsck(&repo);
}

#[test]
fn status_all_lines_up_its_columns_whatever_the_ticket() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    for (ticket, words) in [
        ("ENG-1", "fix"),
        ("PLATFORM-INCIDENT-20261201-7", "fix the login"),
    ] {
        let mut args = vec!["start", ticket];
        args.extend(words.split(' '));
        args.push("--no-checkout");
        env.hotfix(&repo, &args).ok();
    }
    let run = env.hotfix(&repo, &["status", "--all"]).ok();
    let columns: Vec<usize> = run
        .stdout
        .lines()
        .map(|line| line.find("in progress").expect(line))
        .collect();
    assert_eq!(columns.len(), 2, "{}", run.stdout);
    assert_eq!(columns[0], columns[1], "{}", run.stdout);
}

/// Fails when auth.txt says `broken`, as a test suite would; records each run in `log`.
const CHECK: &str = "#!/bin/sh\necho \"$1\" >> \"$2\"\nif grep -q broken auth.txt; then echo \"1 test failed: auth\" >&2; exit 1; fi\necho \"$1: ok\"\n";

#[test]
fn the_projects_checks_run_before_finish_and_a_failure_releases_nothing() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let log = env.path("checks.log");
    let script = repo.join("check.sh");
    std::fs::write(&script, CHECK).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.git(&repo, &["add", "check.sh"]);
    let checks = format!(
        "checks = [\"./check.sh tests {0}\", \"./check.sh build {0}\"]\n",
        log.display()
    );
    env.commit(&repo, "Checks", &[(".hotfix.toml", &checks)]);
    env.git(&repo, &["tag", "-f", "v1.2.3"]);
    env.hotfix(&repo, &["start", "ENG-7", "auth"]).ok();
    env.commit(&repo, "fix: auth", &[("auth.txt", "broken\n")]);

    let plan = env.hotfix(&repo, &["finish", "--plan"]).ok();
    assert!(
        plan.stdout.contains(&format!(
            "run the checks: `./check.sh tests {0}`, `./check.sh build {0}`",
            log.display()
        )),
        "{}",
        plan.stdout
    );
    assert!(!log.exists(), "a plan runs nothing");

    // The first check fails: nothing is released, the second does not run.
    let main_before = env.rev(&repo, "main").unwrap();
    let run = env.hotfix(&repo, &["finish"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
           [1/2] ./check.sh tests [TMP]/checks.log
      | 1 test failed: auth
    error: the check `./check.sh tests [TMP]/checks.log` failed on [ID], so nothing was released: ./check.sh exited with 1; its last output:
    1 test failed: auth
    hint: fix it on `hotfix/ENG-7-auth`, commit, and finish again; `--no-checks` releases without them (the journal says so)
    ");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "tests\n");
    assert_eq!(env.rev(&repo, "main").unwrap(), main_before);
    assert_eq!(env.rev(&repo, "v1.2.4"), None);

    // Fixed: both pass, the release goes out, and the checklist says when they passed.
    let fixed = env.commit(&repo, "fix: auth, really", &[("auth.txt", "fixed\n")]);
    env.hotfix(&repo, &["finish", "--keep"]).ok();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "tests\ntests\nbuild\n"
    );
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fixed);
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-7", "--json"])
        .ok()
        .json();
    let tested = status["hotfix"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["item"] == "tested")
        .unwrap();
    assert!(tested["at"].is_string(), "{tested}");
    let ran: Vec<&serde_json::Value> = status["hotfix"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "checks-ran")
        .collect();
    assert_eq!(ran.len(), 2);
    assert_eq!(ran[0]["result"], "failed");
    assert_eq!(ran[1]["result"], "ok");
    assert_eq!(ran[1]["commit"], fixed.as_str());
    env.fsck(&repo);
}

#[test]
fn no_checks_releases_without_them_and_says_so() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(
        &repo,
        "Checks",
        &[(".hotfix.toml", "checks = [\"false\"]\n")],
    );
    env.git(&repo, &["tag", "-f", "v1.2.3"]);
    env.hotfix(&repo, &["start", "ENG-8", "auth"]).ok();
    env.commit(&repo, "fix: auth", &[("auth.txt", "fixed\n")]);
    let run = env.hotfix(&repo, &["finish", "--no-checks"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    warning: the project's checks were not run (`--no-checks`): `tested` stays unticked
          Tagged v1.2.4 on [ID]
          Merged into main (fast-forward to [ID])
         Deleted hotfix/ENG-8-auth
        Switched [TMP]/repo to main
        Finished hotfix ENG-8: released 1.2.4
    ");
    let journal: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.join(".git/hotfix/finished/ENG-8-1.2.4.json")).unwrap(),
    )
    .unwrap();
    assert!(
        journal["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "checks-skipped")
    );
    assert!(env.rev(&repo, "v1.2.4").is_some());
}
