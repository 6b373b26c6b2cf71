use std::path::{Path, PathBuf};

use crate::common::fixtures::HOTFIX as BRANCH;
use crate::common::{TestEnv, assert_unchanged, snapshot};

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

    assert!(
        run.stderr.contains("conflicts in auth.txt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git hotfix continue"), "{}", run.stderr);
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
    assert!(run.stderr.contains("not resolved yet"), "{}", run.stderr);
    assert!(run.stderr.contains("auth.txt"), "{}", run.stderr);
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
    assert!(
        run.stderr
            .contains("has changes that are not staged: auth.txt"),
        "{}",
        run.stderr
    );
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
    assert!(
        run.stderr.contains("Finished hotfix ENG-1234"),
        "{}",
        run.stderr
    );
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

    assert!(run.stderr.contains("Aborted"), "{}", run.stderr);
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
    assert!(
        run.stderr.contains("has a stopped `finish` run"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git hotfix continue"), "{}", run.stderr);
}

#[test]
fn skip_has_nothing_to_leave_out_of_a_stopped_finish() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let before = snapshot(&repo);
    for args in [&["skip"][..], &["skip", "--plan"]] {
        let run = env.hotfix(&repo, args).expect(2);
        assert!(
            run.stderr.contains(
                "error: the stopped run is the finish of ENG-1234: there is nothing to skip in it"
            ),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("hint: resolve it and `git hotfix continue`, or `git hotfix abort`"),
            "{}",
            run.stderr
        );
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

    assert!(
        run.stderr.contains("`refs/heads/main` moved"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git hotfix abort"), "{}", run.stderr);
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
    assert!(
        run.stderr.contains("into develop conflicts in auth.txt"),
        "{}",
        run.stderr
    );
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
    assert!(
        run.stderr.contains(
            "to release now and merge develop later: `git hotfix abort`, `git hotfix finish --no-backmerge`, then merge v1.2.4 into develop (`git switch develop && git merge v1.2.4`)"
        ),
        "{}",
        run.stderr
    );

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
    assert!(
        run.stderr.contains("into develop conflicts"),
        "{}",
        run.stderr
    );
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
