//! `--plan` (and its alias `--dry-run`) computes everything and writes nothing: no ref, no
//! object, no file — checked by comparing every file of the repository before and after.

use crate::common::{TestEnv, assert_unchanged, snapshot};

use crate::common::fixtures::HOTFIX as BRANCH;

#[track_caller]
fn writes_nothing(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> String {
    let before = snapshot(dir);
    let run = env.hotfix(dir, args).ok();
    assert_unchanged(&before, &snapshot(dir));
    run.stdout
}

#[test]
fn start_plan_writes_nothing() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let out = writes_nothing(
        &env,
        &repo,
        &["start", "ENG-1234", "fix", "auth", "bypass", "--plan"],
    );
    assert!(out.contains("Would start hotfix ENG-1234"), "{out}");
    assert!(out.contains(&format!("branch   {BRANCH}")), "{out}");
    assert!(
        out.contains("version  1.2.4 after v1.2.3, tag v1.2.4"),
        "{out}"
    );
    writes_nothing(&env, &repo, &["start", "ENG-1234", "--dry-run", "--json"]);
    let wt = env.path("wt");
    writes_nothing(
        &env,
        &repo,
        &[
            "start",
            "ENG-1",
            "--worktree",
            wt.to_str().unwrap(),
            "--plan",
        ],
    );
    assert!(!wt.exists());
}

#[test]
fn finish_plan_writes_nothing_for_a_merge_and_shows_the_steps() {
    let env = TestEnv::new();
    let repo = env.with_develop().dir;
    env.start_and_fix(&repo);
    let out = writes_nothing(&env, &repo, &["finish", "--plan"]);
    assert!(
        out.contains("Would finish hotfix ENG-1234 (1 commit on"),
        "{out}"
    );
    assert!(out.contains("- tag v1.2.4 on"), "{out}");
    assert!(out.contains("- merge into main (merge commit"), "{out}");
    assert!(out.contains("- merge into develop (merge commit"), "{out}");
    let json = env
        .hotfix(&repo, &["finish", "--dry-run", "--json"])
        .ok()
        .json();
    // The merge commits of the plan exist only in memory.
    let commit = json["plan"]["integrations"][0]["outcome"]["commit"]
        .as_str()
        .unwrap();
    assert_eq!(env.rev(&repo, &format!("{commit}^{{commit}}")), None);
    assert_eq!(json["executed"], false);
}

#[test]
fn finish_plan_writes_nothing_when_it_would_conflict() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    let out = writes_nothing(&env, &repo, &["finish", "--plan"]);
    assert!(
        out.contains("- stop: merging into main conflicts in auth.txt"),
        "{out}"
    );
}

#[test]
fn tag_init_and_demo_plans_write_nothing() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(&repo, &["start", "ENG-1", "x"]).ok();
    env.commit(&repo, "fix", &[("auth.txt", "fixed\n")]);
    let out = writes_nothing(&env, &repo, &["tag", "--plan"]);
    assert!(out.contains("Would tag v1.2.4 on"), "{out}");
    let out = writes_nothing(&env, &repo, &["init", "--plan"]);
    assert!(out.contains("production-branch = \"main\""), "{out}");
    let out = writes_nothing(&env, env.root.path(), &["demo", "--plan", "--dir", "demo"]);
    assert!(out.contains("Would make a demo repository"), "{out}");
}

#[test]
fn continue_and_abort_plans_write_nothing() {
    let env = TestEnv::new();
    let repo = env.conflicting_hotfix();
    env.hotfix(&repo, &["finish"]).expect(3);
    let wt = repo.join(".git/hotfix/resolve/ENG-1234-main");
    std::fs::write(wt.join("auth.txt"), "both\n").unwrap();
    env.git(&wt, &["add", "auth.txt"]);

    let out = writes_nothing(&env, &repo, &["continue", "--plan"]);
    assert!(out.contains("Would continue finishing ENG-1234"), "{out}");
    assert!(out.contains("- merge into main (merge commit"), "{out}");
    let out = writes_nothing(&env, &repo, &["abort", "--plan"]);
    assert!(out.contains("remove the worktree"), "{out}");
    // And the real continue still works afterwards.
    env.hotfix(&repo, &["continue"]).ok();
    env.fsck(&repo);
}
