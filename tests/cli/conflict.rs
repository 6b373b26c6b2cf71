use std::path::{Path, PathBuf};

use insta::assert_snapshot;

use crate::common::fixtures::HOTFIX as BRANCH;
use crate::common::{TestEnv, assert_unchanged, scrub, snapshot};

/// Write the resolution of auth.txt in the worktree `wt` and stage it.
pub(crate) fn resolve(env: &TestEnv, wt: &Path, content: &str) {
    std::fs::write(wt.join("auth.txt"), content).unwrap();
    env.git(wt, &["add", "auth.txt"]);
}

/// `with_develop`, where develop has changed auth.txt since the release.
fn develop_reworks_auth(env: &TestEnv) -> PathBuf {
    let repo = env.with_develop().dir;
    env.git(&repo, &["switch", "--quiet", "develop"]);
    env.commit(
        &repo,
        "develop reworks auth",
        &[("auth.txt", "develop auth\n")],
    );
    env.git(&repo, &["switch", "--quiet", "main"]);
    repo
}

fn resolution_worktree(repo: &Path) -> PathBuf {
    repo.join(".git/hotfix/resolve/ENG-1234-main")
}

#[test]
fn a_conflict_stops_with_exit_3_and_a_worktree_in_gits_conflict_state() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    let refs = env.refs(&repo);

    let run = env.hotfix(&repo, &["finish"]).expect(3);

    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: merging hotfix/ENG-1234-fix-auth-bypass into main conflicts in auth.txt; stopped for you to resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-main
    hint: `cd [TMP]/repo/.git/hotfix/resolve/ENG-1234-main`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: `git hotfix abort` drops the run; no ref has moved
    ");
    // No ref moved, the user's checkout is untouched.
    assert_eq!(env.refs(&repo), refs);
    assert_eq!(env.branch(&repo).as_deref(), Some(BRANCH));
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    // The resolution worktree looks like any `git merge` that stopped.
    let wt = resolution_worktree(&repo);
    let unmerged = env.git(&wt, &["ls-files", "--unmerged"]);
    let stages: Vec<&str> = unmerged
        .lines()
        .map(|l| l.split('\t').next().unwrap().rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(stages, ["1", "2", "3"], "{unmerged}");
    let file = std::fs::read_to_string(wt.join("auth.txt")).unwrap();
    assert!(file.contains("<<<<<<< main"), "{file}");
    assert!(file.contains(&format!(">>>>>>> {BRANCH}")), "{file}");
    let status = env.git(&wt, &["status"]);
    assert!(status.contains("You have unmerged paths"), "{status}");
    assert!(status.contains("both modified:   auth.txt"), "{status}");
    assert_eq!(
        env.rev(&wt, "MERGE_HEAD"),
        env.rev(&repo, BRANCH),
        "MERGE_HEAD names the hotfix"
    );
    // The journal says where it stopped.
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["stopped"]["conflict"]["branch"], "main");
    assert_eq!(
        status["hotfix"]["stopped"]["conflict"]["paths"][0],
        "auth.txt"
    );
    env.fsck(&repo);
}

#[test]
fn continue_before_resolving_names_the_files() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let run = env.hotfix(&repo, &["continue"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: the conflicts in [TMP]/repo/.git/hotfix/resolve/ENG-1234-main are not resolved yet: auth.txt
    hint: resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-main, `git add` them there, then run `git hotfix continue` (or `git hotfix abort`)
    ");
    assert!(
        resolution_worktree(&repo).exists(),
        "the resolution is kept"
    );
}

#[test]
fn continue_refuses_a_resolution_edited_after_it_was_staged() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    let refs = env.refs(&repo);
    env.hotfix(&repo, &["finish"]).expect(3);
    let wt = resolution_worktree(&repo);
    resolve(&env, &wt, "first try\n");
    // Edited again but not staged: committing the index would lose this.
    std::fs::write(wt.join("auth.txt"), "the real resolution\n").unwrap();
    let run = env.hotfix(&repo, &["continue"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/repo/.git/hotfix/resolve/ENG-1234-main has changes that are not staged: auth.txt
    hint: `git add` them there (or `git checkout -- <file>` to drop those changes), then `git hotfix continue`
    ");
    assert_eq!(env.refs(&repo), refs);
    env.git(&wt, &["add", "auth.txt"]);
    env.hotfix(&repo, &["continue"]).ok();
    assert_eq!(
        env.git(&repo, &["show", "main:auth.txt"]),
        "the real resolution\n"
    );
}

#[test]
fn continue_takes_the_staged_resolution_and_finishes() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    let main_before = env.rev(&repo, "main").unwrap();
    let fix = env.rev(&repo, BRANCH).unwrap();
    env.hotfix(&repo, &["finish"]).expect(3);
    let wt = resolution_worktree(&repo);
    resolve(&env, &wt, "check signature with the new client\n");

    let run = env.hotfix(&repo, &["continue"]).ok();

    let main = env.rev(&repo, "main").unwrap();
    assert_eq!(env.parents(&repo, &main), vec![main_before, fix.clone()]);
    assert_eq!(
        env.git(&repo, &["show", "main:auth.txt"]),
        "check signature with the new client\n"
    );
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fix);
    assert_eq!(env.rev(&repo, BRANCH), None);
    assert!(!wt.exists(), "the resolution worktree is removed");
    assert!(!env.git(&repo, &["worktree", "list"]).contains("resolve"));
    assert_eq!(env.branch(&repo).as_deref(), Some("main"));
    assert_snapshot!(scrub(&env, &run.stderr), @"
      Tagged v1.2.4 on [ID]
      Merged into main (merge commit [ID])
     Deleted hotfix/ENG-1234-fix-auth-bypass
    Switched [TMP]/repo to main
    Finished hotfix ENG-1234: released 1.2.4
    ");
    env.fsck(&repo);
}

#[test]
fn continue_accepts_a_merge_committed_in_the_worktree() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let wt = resolution_worktree(&repo);
    resolve(&env, &wt, "resolved\n");
    env.git(&wt, &["commit", "--quiet", "--no-edit"]);
    let committed = env.rev(&wt, "HEAD").unwrap();

    env.hotfix(&repo, &["continue"]).ok();

    assert_eq!(env.rev(&repo, "main").unwrap(), committed);
    env.fsck(&repo);
}

#[test]
fn abort_after_a_conflict_leaves_everything_as_before() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    let refs = env.refs(&repo);
    let worktrees = env.git(&repo, &["worktree", "list", "--porcelain"]);

    env.hotfix(&repo, &["finish"]).expect(3);
    let run = env.hotfix(&repo, &["abort"]).ok();

    assert_snapshot!(scrub(&env, &run.stderr), @"
    Removed worktree [TMP]/repo/.git/hotfix/resolve/ENG-1234-main
    Aborted the finish of ENG-1234; it had written nothing
    ");
    assert_eq!(env.refs(&repo), refs);
    assert_eq!(
        env.git(&repo, &["worktree", "list", "--porcelain"]),
        worktrees
    );
    assert!(!resolution_worktree(&repo).exists());
    assert!(
        !repo.join(".git/hotfix/resolve").exists(),
        "no empty directory left"
    );
    assert!(
        !repo.join(".git/worktrees").exists(),
        "git's worktree record is gone too"
    );
    assert_eq!(env.branch(&repo).as_deref(), Some(BRANCH));
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["stopped"], serde_json::Value::Null);
    assert_eq!(status["hotfix"]["state"], "active");
    env.fsck(&repo);
    // The hotfix can be finished again (and stops again).
    env.hotfix(&repo, &["finish"]).expect(3);
}

#[test]
fn finish_refuses_while_a_run_is_stopped() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let run = env.hotfix(&repo, &["finish"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: hotfix `ENG-1234` has a stopped `finish` run
    hint: resume it with `git hotfix continue`, or undo it with `git hotfix abort`
    ");
}

#[test]
fn skip_has_nothing_to_leave_out_of_a_stopped_finish() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let before = snapshot(&repo);
    for args in [&["skip"][..], &["skip", "--plan"]] {
        let run = env.hotfix(&repo, args).expect(2);
        // The same refusal, planned or not.
        insta::allow_duplicates! {
            assert_snapshot!(scrub(&env, &run.stderr), @"
            error: the stopped run is the finish of ENG-1234: there is nothing to skip in it
            hint: resolve it and `git hotfix continue`, or `git hotfix abort`
            ");
        }
    }
    assert_unchanged(&before, &snapshot(&repo));
    // The run still waits: abort takes it back.
    env.hotfix(&repo, &["abort"]).ok();
}

#[test]
fn production_moved_by_someone_else_during_the_stop_is_a_stale_ref() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let wt = resolution_worktree(&repo);
    resolve(&env, &wt, "resolved\n");
    // Meanwhile someone lands a commit on main.
    let other = env.path("other");
    env.git(
        &repo,
        &[
            "worktree",
            "add",
            "--quiet",
            other.to_str().unwrap(),
            "main",
        ],
    );
    let moved = env.commit(&other, "Someone else's change", &[("other.txt", "x\n")]);
    env.git(&repo, &["worktree", "remove", other.to_str().unwrap()]);
    let before = snapshot(&repo);

    let run = env.hotfix(&repo, &["continue"]).expect(1);

    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `refs/heads/main` moved: expected [ID], found [ID]
    hint: someone moved it since the plan was made: `git hotfix abort` if a run is stopped, update, then finish again
    ");
    assert_eq!(env.rev(&repo, "main").unwrap(), moved);
    assert_unchanged(&before, &snapshot(&repo));
    env.hotfix(&repo, &["abort"]).ok();
    env.fsck(&repo);
}

#[test]
fn a_conflict_in_the_back_merge_stops_before_production_moves() {
    let env = TestEnv::new();
    let repo = develop_reworks_auth(&env);
    let refs = env.refs(&repo);
    let fix = env.start_and_fix(&repo);

    let run = env.hotfix(&repo, &["finish"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: merging hotfix/ENG-1234-fix-auth-bypass into develop conflicts in auth.txt; stopped for you to resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-develop
    hint: `cd [TMP]/repo/.git/hotfix/resolve/ENG-1234-develop`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: `git hotfix abort` drops the run; no ref has moved
    hint: to release now and merge develop later: `git hotfix abort`, `git hotfix finish --no-backmerge`, then merge v1.2.4 into develop (`git switch develop && git merge v1.2.4`)
    ");
    assert_eq!(env.rev(&repo, "main"), refs.get("refs/heads/main").cloned());

    let wt = repo.join(".git/hotfix/resolve/ENG-1234-develop");
    resolve(&env, &wt, "both\n");
    env.hotfix(&repo, &["continue"]).ok();

    assert_eq!(env.parents(&repo, "develop")[1], fix);
    assert_eq!(env.git(&repo, &["show", "develop:auth.txt"]), "both\n");
    assert_eq!(env.parents(&repo, "main")[1], fix);
    env.fsck(&repo);
}

#[test]
fn a_back_merge_conflict_does_not_hold_production_back() {
    let env = TestEnv::new();
    let repo = develop_reworks_auth(&env);
    let develop_before = env.rev(&repo, "develop").unwrap();
    let fix = env.start_and_fix(&repo);
    let run = env.hotfix(&repo, &["finish"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: merging hotfix/ENG-1234-fix-auth-bypass into develop conflicts in auth.txt; stopped for you to resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-develop
    hint: `cd [TMP]/repo/.git/hotfix/resolve/ENG-1234-develop`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: `git hotfix abort` drops the run; no ref has moved
    hint: to release now and merge develop later: `git hotfix abort`, `git hotfix finish --no-backmerge`, then merge v1.2.4 into develop (`git switch develop && git merge v1.2.4`)
    ");

    // The way out the hint gives, step by step.
    env.hotfix(&repo, &["abort"]).ok();
    env.hotfix(&repo, &["finish", "--no-backmerge"]).ok();
    assert_eq!(env.parents(&repo, "main")[1], fix);
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fix);
    assert_eq!(env.rev(&repo, "develop").unwrap(), develop_before);
    env.git(&repo, &["switch", "--quiet", "develop"]);
    let merged = env.git_output(&repo, &["merge", "v1.2.4"]);
    assert!(
        !merged.status.success(),
        "develop still conflicts, in git too"
    );
    env.fsck(&repo);
}

#[test]
fn two_conflicts_in_one_finish_are_resolved_one_after_the_other() {
    let env = TestEnv::new();
    let repo = develop_reworks_auth(&env);
    env.commit(&repo, "main reworks auth", &[("auth.txt", "main auth\n")]);
    let fix = env.start_and_fix(&repo);

    env.hotfix(&repo, &["finish"]).expect(3);
    let main_wt = resolution_worktree(&repo);
    resolve(&env, &main_wt, "main + fix\n");
    let run = env.hotfix(&repo, &["continue"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: merging hotfix/ENG-1234-fix-auth-bypass into develop conflicts in auth.txt; stopped for you to resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-develop
    hint: `cd [TMP]/repo/.git/hotfix/resolve/ENG-1234-develop`, fix the files (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: `git hotfix abort` drops the run; no ref has moved
    hint: to release now and merge develop later: `git hotfix abort`, `git hotfix finish --no-backmerge`, then merge v1.2.4 into develop (`git switch develop && git merge v1.2.4`)
    ");
    assert!(
        !main_wt.exists(),
        "the first resolution is taken and its worktree gone"
    );

    let develop_wt = repo.join(".git/hotfix/resolve/ENG-1234-develop");
    resolve(&env, &develop_wt, "develop + fix\n");
    env.hotfix(&repo, &["continue"]).ok();

    assert_eq!(env.git(&repo, &["show", "main:auth.txt"]), "main + fix\n");
    assert_eq!(
        env.git(&repo, &["show", "develop:auth.txt"]),
        "develop + fix\n"
    );
    assert_eq!(env.parents(&repo, "main")[1], fix);
    assert_eq!(env.parents(&repo, "develop")[1], fix);
    env.fsck(&repo);
}
