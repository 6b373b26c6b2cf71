use insta::assert_snapshot;

use crate::common::{TestEnv, scrub};

use crate::common::fixtures::HOTFIX as BRANCH;

#[test]
fn push_sends_exactly_the_changed_refs_and_the_tag() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.with_develop());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.git(repo, &["branch", "untouched"]);
    env.start_and_fix(repo);
    // The hotfix branch was published for review: finish deletes it on the remote too.
    env.git(repo, &["push", "--quiet", "origin", BRANCH]);

    let run = env.hotfix(repo, &["finish", "--push", "--json"]).ok();

    let remote = env.refs(origin);
    for name in ["refs/heads/main", "refs/heads/develop", "refs/tags/v1.2.4"] {
        assert_eq!(
            remote.get(name),
            env.refs(repo).get(name),
            "{name} on the remote matches the local one"
        );
    }
    assert!(!remote.contains_key(&format!("refs/heads/{BRANCH}")));
    assert!(
        !remote.contains_key("refs/heads/untouched"),
        "only the refs it changed"
    );
    let pushed = &run.json()["outcome"]["plan"]["push"]["refs"];
    let names: Vec<&str> = pushed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "refs/tags/v1.2.4",
            "refs/heads/main",
            "refs/heads/develop",
            &format!("refs/heads/{BRANCH}")
        ]
    );
    env.fsck(repo);
    env.fsck(origin);

    // Said as it happened: three refs set, one deleted, not four "pushed".
    let env = TestEnv::new();
    let fixture = env.with_origin(env.with_develop());
    let repo = &fixture.dir;
    env.start_and_fix(repo);
    env.git(repo, &["push", "--quiet", "origin", BRANCH]);
    let run = env.hotfix(repo, &["finish", "--push"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main, develop from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
          Tagged v1.2.4 on [ID]
          Merged into main (merge commit [ID])
          Merged into develop (merge commit [ID])
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Switched [TMP]/repo to main
          Pushed refs/tags/v1.2.4 refs/heads/main refs/heads/develop to origin
         Deleted refs/heads/hotfix/ENG-1234-fix-auth-bypass on origin
          Pushed the hotfix notes (refs/notes/hotfix) to origin
        Finished hotfix ENG-1234: released 1.2.4
    ");
    assert!(
        run.stderr
            .contains(&format!("Deleted refs/heads/{BRANCH} on origin")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_rejected_push_keeps_the_local_release_and_can_be_retried_or_aborted() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let fix = env.start_and_fix(repo);
    let before = env.refs(repo);
    // Someone pushes to main on the remote meanwhile.
    let other = env.path("other");
    env.git(
        env.root.path(),
        &["clone", "--quiet", origin.to_str().unwrap(), "other"],
    );
    env.git(&other, &["config", "user.name", "B"]);
    env.git(&other, &["config", "user.email", "b@example.com"]);
    env.commit(&other, "their change", &[("theirs.txt", "x\n")]);
    env.git(&other, &["push", "--quiet", "origin", "main"]);
    let remote_before = env.refs(origin);

    // Offline, the stale main goes unnoticed until the push.
    let run = env
        .hotfix(repo, &["finish", "--push", "--offline"])
        .expect(5);

    assert_snapshot!(scrub(&env, &run.stderr), @"
         Offline deciding from local state: nothing fetched from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: the push to `origin` was rejected: refs/heads/main (stale info), refs/tags/v1.2.4 (atomic push failed)
    hint: the remote moved since the run began, so pushing again cannot work
    hint: `git hotfix abort` takes back what the run did here; then run the same command again (`finish` and `backport` fetch what the remote has first; before any other, `git pull` the branch)
    ");
    // Nothing reached the remote (the push is atomic) and nothing local was lost.
    assert_eq!(env.refs(origin), remote_before);
    assert_eq!(env.rev(repo, "main").unwrap(), fix);
    assert_eq!(env.rev(repo, "v1.2.4^{commit}").unwrap(), fix);
    let status = env.hotfix(repo, &["status", "--json"]).ok().json();
    let push = step(&status["hotfix"]["stopped"]["steps"], "push");
    assert_eq!(push["step"], "push");
    assert_eq!(push["progress"], "started");
    assert!(
        push["failed"].as_str().unwrap().contains("rejected"),
        "{push}"
    );

    // Retrying while the remote still disagrees fails the same way.
    env.hotfix(repo, &["continue"]).expect(5);

    // Abort puts every ref back and the worktree on the hotfix branch.
    env.hotfix(repo, &["abort"]).ok();
    assert_eq!(env.refs(repo), before);
    assert_eq!(env.branch(repo).as_deref(), Some(BRANCH));
    assert_eq!(env.git(repo, &["status", "--porcelain"]), "");
    env.fsck(repo);

    // The hint, followed word for word, releases on top of what the remote has:
    // after the abort, the same command again (finish fetches first).
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Offline deciding from local state: nothing fetched from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: the push to `origin` was rejected: refs/heads/main (stale info), refs/tags/v1.2.4 (atomic push failed)
    hint: the remote moved since the run began, so pushing again cannot work
    hint: `git hotfix abort` takes back what the run did here; then run the same command again (`finish` and `backport` fetch what the remote has first; before any other, `git pull` the branch)
    ");
    env.hotfix(repo, &["finish", "--push"]).ok();
    let theirs = env.rev(&other, "main").unwrap();
    assert_eq!(env.rev(origin, "main"), env.rev(repo, "main"));
    assert_eq!(env.parents(repo, "main"), vec![theirs, fix.clone()]);
    assert_eq!(env.rev(origin, "v1.2.4^{commit}").unwrap(), fix);
    env.fsck(origin);
}

#[test]
fn continue_retries_the_push_once_the_remote_accepts_it() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let fix = env.start_and_fix(repo);
    // Make the remote refuse: a hook that rejects every update.
    let hook = pre_receive(origin, "echo 'frozen for the release' >&2\nexit 1");

    env.hotfix(repo, &["finish", "--push"]).expect(5);
    std::fs::remove_file(&hook).unwrap();
    let run = env.hotfix(repo, &["continue"]).ok();

    assert_snapshot!(scrub(&env, &run.stderr), @"
       Moved refs/tags/v1.2.4 refs/heads/main refs/heads/hotfix/ENG-1234-fix-auth-bypass
      Pushed refs/tags/v1.2.4 refs/heads/main to origin
      Pushed the hotfix notes (refs/notes/hotfix) to origin
    Finished hotfix ENG-1234: released 1.2.4
    ");
    assert_released(&env, repo, origin, &fix);
    env.fsck(origin);
}

#[test]
fn an_unknown_remote_is_refused_before_anything_moves() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(&repo, &["start", "ENG-1", "x"]).ok();
    env.commit(&repo, "fix", &[("auth.txt", "fixed\n")]);
    let refs = env.refs(&repo);
    let run = env.hotfix(&repo, &["finish", "--push"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: no remote named `origin` is configured
    hint: add it with `git remote add origin <url>`, or name another with `-c remote=<name>`
    ");
    assert_eq!(env.refs(&repo), refs);
}

/// The first step of a journaled run called `name`.
#[track_caller]
fn step<'a>(steps: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no {name} step in {steps}"))
}

/// The remote has the fix on main and as v1.2.4, and the hotfix is recorded as finished.
#[track_caller]
fn assert_released(env: &TestEnv, repo: &std::path::Path, origin: &std::path::Path, fix: &str) {
    assert_eq!(env.rev(origin, "main").unwrap(), fix);
    assert_eq!(env.rev(origin, "v1.2.4^{commit}").unwrap(), fix);
    assert!(
        repo.join(".git/hotfix/finished/ENG-1234-1.2.4.json")
            .exists()
    );
}

/// Install `script` as the remote's pre-receive hook.
pub(crate) fn pre_receive(origin: &std::path::Path, script: &str) -> std::path::PathBuf {
    hook(origin, "pre-receive", script)
}

/// Install `script` as the remote's hook `name`.
pub(crate) fn hook(origin: &std::path::Path, name: &str, script: &str) -> std::path::PathBuf {
    let hook = origin.join("hooks").join(name);
    std::fs::write(&hook, format!("#!/bin/sh\n{script}\n")).unwrap();
    make_executable(&hook);
    hook
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    permissions.set_mode(0o755);
    std::fs::set_permissions(path, permissions).unwrap();
}

/// Start `finish --push` against a remote whose hook hangs, and kill the whole process
/// group (git-hotfix, git push, the remote side) once the push is under way.
fn kill_during_push(env: &TestEnv, repo: &std::path::Path, origin: &std::path::Path) {
    use std::os::unix::process::CommandExt;
    let started = env.path("push-started");
    let hook = pre_receive(origin, &format!("touch '{}'\nsleep 30", started.display()));
    let mut child = env
        .hotfix_command(repo, &["finish", "--push"])
        .process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the push never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let group = format!("-{}", child.id());
    let killed = std::process::Command::new("kill")
        .args(["-KILL", "--", &group])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    std::fs::remove_file(&hook).unwrap();
}

#[test]
fn a_finish_killed_during_the_push_is_completed_by_continue() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let fix = env.start_and_fix(repo);
    let remote_before = env.refs(origin);

    kill_during_push(&env, repo, origin);

    // The local refs moved in one transaction; the journal knows it.
    assert_eq!(env.rev(repo, "main").unwrap(), fix);
    assert_eq!(env.refs(origin), remote_before);
    let status = env
        .hotfix(repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    let steps = &status["hotfix"]["stopped"]["steps"];
    assert_eq!(step(steps, "refs")["progress"], "done");
    assert_eq!(step(steps, "push")["progress"], "started");
    let plan = env
        .hotfix(repo, &["continue", "--plan", "--json"])
        .ok()
        .json();
    assert_eq!(plan["plan"]["next"], "steps");
    assert_eq!(plan["plan"]["left"][0]["step"], "push");

    let run = env.hotfix(repo, &["continue"]).ok();

    assert_snapshot!(scrub(&env, &run.stderr), @"
       Moved refs/tags/v1.2.4 refs/heads/main refs/heads/hotfix/ENG-1234-fix-auth-bypass
      Pushed refs/tags/v1.2.4 refs/heads/main to origin
      Pushed the hotfix notes (refs/notes/hotfix) to origin
    Finished hotfix ENG-1234: released 1.2.4
    ");
    assert_released(&env, repo, origin, &fix);
    env.fsck(repo);
    env.fsck(origin);
}

#[test]
fn a_finish_killed_during_the_push_can_be_aborted() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.start_and_fix(repo);
    let before = env.refs(repo);

    kill_during_push(&env, repo, origin);
    let plan = env.hotfix(repo, &["abort", "--plan", "--json"]).ok().json();
    assert!(!plan["plan"]["undo"].as_array().unwrap().is_empty());
    env.hotfix(repo, &["abort"]).ok();

    assert_eq!(env.refs(repo), before);
    assert_eq!(env.branch(repo).as_deref(), Some(BRANCH));
    assert_eq!(env.git(repo, &["status", "--porcelain"]), "");
    env.fsck(repo);
}

#[test]
fn a_hotfix_finished_here_is_pushed_later() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.start_and_fix(repo);
    env.hotfix(repo, &["finish"]).ok();
    assert!(!env.refs(origin).contains_key("refs/tags/v1.2.4"));

    // The tag alone first, as `tag --push` does.
    let run = env
        .hotfix(repo, &["tag", "--push", "--hotfix", "ENG-1234"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Pushed refs/tags/v1.2.4 to origin
    Pushed the hotfix notes (refs/notes/hotfix) to origin
    ");
    let remote = env.refs(origin);
    assert_eq!(
        remote.get("refs/tags/v1.2.4"),
        env.refs(repo).get("refs/tags/v1.2.4")
    );
    assert_ne!(
        remote.get("refs/heads/main"),
        env.refs(repo).get("refs/heads/main")
    );

    let plan = env
        .hotfix(
            repo,
            &["finish", "--push", "--hotfix", "ENG-1234", "--plan"],
        )
        .ok();
    assert_snapshot!(scrub(&env, &plan.stderr), @"
    Would push refs/heads/main to origin
     Unchanged refs/tags/v1.2.4 already on origin
    ");
    assert_eq!(env.refs(origin), remote, "a plan pushes nothing");

    let run = env
        .hotfix(repo, &["finish", "--push", "--hotfix", "ENG-1234"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
       Pushed refs/heads/main to origin
    Unchanged refs/tags/v1.2.4 already on origin
       Pushed the hotfix notes (refs/notes/hotfix) to origin
    ");
    for name in ["refs/heads/main", "refs/tags/v1.2.4"] {
        assert_eq!(
            env.refs(origin).get(name),
            env.refs(repo).get(name),
            "{name}"
        );
    }
    assert_eq!(
        env.rev(repo, "origin/main"),
        env.rev(repo, "main"),
        "tracking ref follows"
    );
    // Once more: nothing left to send.
    let run = env
        .hotfix(
            repo,
            &["finish", "--push", "--hotfix", "ENG-1234", "--json"],
        )
        .ok();
    assert_eq!(run.json()["pushed"]["push"]["refs"], serde_json::json!([]));
    env.fsck(origin);
}

#[test]
fn pushing_later_never_drops_what_a_colleague_pushed() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.start_and_fix(repo);
    env.hotfix(repo, &["finish"]).ok();
    env.git(
        env.root.path(),
        &["clone", "--quiet", &origin.to_string_lossy(), "colleague"],
    );
    let bo = env.path("colleague");
    env.commit(&bo, "Their work", &[("theirs.txt", "x\n")]);
    env.git(&bo, &["push", "--quiet", "origin", "main"]);
    let remote = env.refs(origin);

    let run = env.hotfix(repo, &["finish", "--push", "--hotfix", "ENG-1234"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `main` on `origin` has commits the local branch lacks ([ID])
    hint: someone pushed to it: `git fetch origin`, merge `origin/main` into `main` (`git switch main && git merge origin/main`), then run it again
    ");
    assert_eq!(env.refs(origin), remote, "nothing pushed, nothing lost");
}

/// What the checklist says follows the repository: a merge an abort took back is no longer
/// ticked, and a tag made by `git hotfix tag` is.
#[test]
fn the_checklist_follows_what_an_abort_took_back_and_what_tag_made() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.start_and_fix(repo);
    let tick = |item: &str| {
        let status = env
            .hotfix(repo, &["status", "--hotfix", "ENG-1234", "--json"])
            .ok()
            .json();
        status["hotfix"]["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["item"] == item)
            .map(|t| !t["at"].is_null())
            .unwrap()
    };

    // The local refs move, then the remote refuses the push; abort puts them back.
    let hook = pre_receive(origin, "echo 'main is protected' >&2\nexit 1");
    let run = env.hotfix(repo, &["finish", "--push"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    env.hotfix(repo, &["abort"]).ok();
    assert!(!tick("merged"), "abort put main back");
    assert!(!tick("tagged"));

    std::fs::remove_file(hook).unwrap();
    env.hotfix(repo, &["tag"]).ok();
    assert!(env.rev(repo, "v1.2.4").is_some());
    assert!(tick("tagged"), "tagged by `git hotfix tag`");
}
