//! Bad input gets a clear error that names the problem and the way out, and changes nothing.

use std::path::Path;

use insta::assert_snapshot;

use crate::common::{Run, TestEnv, assert_unchanged, scrub, snapshot};

/// Run `args` in `dir`, expect `code`, and check that no file under `dir` changed.
#[track_caller]
fn refused(env: &TestEnv, dir: &Path, args: &[&str], code: i32) -> Run {
    let before = snapshot(dir);
    let run = env.hotfix(dir, args).expect(code);
    assert_unchanged(&before, &snapshot(dir));
    assert!(run.stderr.contains("error: "), "{}", run.stderr);
    run
}

fn hinted(run: &Run, message: &str, hint: &str) {
    assert!(
        run.stderr.contains(message),
        "no `{message}` in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("hint: {hint}")),
        "no hint `{hint}` in:\n{}",
        run.stderr
    );
}

#[test]
fn outside_a_repository() {
    let env = TestEnv::new();
    let dir = env.path("plain");
    std::fs::create_dir_all(&dir).unwrap();
    let run = refused(&env, &dir, &["start", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: not a git repository: [TMP]/plain
    hint: run it inside a git repository (or create one with `git init`)
    ");
    let run = refused(&env, &dir, &["status"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: not a git repository: [TMP]/plain
    hint: run it inside a git repository (or create one with `git init`)
    ");
}

#[test]
fn an_empty_repository_has_no_production_branch() {
    let env = TestEnv::new();
    let repo = env.init("empty");
    let run = refused(&env, &repo, &["start", "ENG-1", "--version", "1.0.1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: the production branch `main` does not exist
    hint: create it, or name the right one with `production-branch` in .hotfix.toml (or `-c production-branch=<name>`)
    ");
}

#[test]
fn finish_on_an_unborn_or_detached_head() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.git(&repo, &["switch", "--quiet", "--detach", "v1.2.3"]);
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: HEAD is detached at [ID]: not on a branch
    hint: switch to the hotfix branch (`git switch <branch>`) or name the hotfix with `--hotfix <ticket>`
    ");
    env.git(&repo, &["switch", "--quiet", "--orphan", "empty"]);
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: HEAD is unborn: branch `empty` has no commits yet
    hint: make a first commit, then start the hotfix
    ");
}

#[test]
fn a_dirty_tree_is_named_file_by_file() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    std::fs::write(repo.join("app.txt"), "edited\n").unwrap();
    std::fs::write(repo.join("auth.txt"), "edited\n").unwrap();
    env.git(&repo, &["add", "auth.txt"]);
    let run = refused(&env, &repo, &["start", "ENG-1", "x"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: the worktree at [TMP]/repo has local changes: app.txt, auth.txt
    hint: commit or stash them (`git stash --include-untracked`), then run this again
    ");

    env.git(&repo, &["stash", "--quiet"]);
    env.hotfix(&repo, &["start", "ENG-1", "x"]).ok();
    env.commit(&repo, "fix", &[("auth.txt", "fixed\n")]);
    std::fs::write(repo.join("app.txt"), "edited again\n").unwrap();
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: the worktree at [TMP]/repo has local changes: app.txt
    hint: commit or stash them (`git stash --include-untracked`), then run this again
    ");
}

#[test]
fn an_existing_branch() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.git(&repo, &["branch", "hotfix/ENG-1-x"]);
    let run = refused(&env, &repo, &["start", "ENG-1", "x"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: branch `hotfix/ENG-1-x` already exists
    hint: finish or delete it (`git branch -D hotfix/ENG-1-x`), or choose another ticket or description
    ");
}

#[test]
fn an_existing_tag_for_the_version() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = refused(&env, &repo, &["start", "ENG-1", "--version", "1.2.3"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: tag `v1.2.3` already exists
    hint: choose another version, e.g. `--version 1.2.4`
    ");
}

#[test]
fn no_tags_and_no_version() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(&repo, "first", &[("a", "a\n")]);
    let run = refused(&env, &repo, &["start", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no tag matching `v{version}` is reachable from main
    hint: pass the version to release with `--version X.Y.Z`, or tag the release in production first
    ");
}

#[test]
fn tags_that_are_not_semver_are_named_and_left_out() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(&repo, "first", &[("a", "a\n")]);
    env.tag(&repo, "v1.2");
    env.tag(&repo, "vnext");
    let run = refused(&env, &repo, &["start", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no tag matching `v{version}` is reachable from main (not semver, left out: v1.2, vnext)
    hint: pass the version to release with `--version X.Y.Z`, or tag the release in production first
    ");
    let run = refused(&env, &repo, &["start", "ENG-1", "--version", "1.2"], 2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: version `1.2` is not a semantic version (expected X.Y.Z)
    hint: write versions as X.Y.Z, e.g. 1.2.4
    ");
}

#[test]
fn tickets_that_cannot_be_part_of_a_branch_name() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    for (ticket, reason, suggestion) in [
        ("ENG 1234", "whitespace", "ENG-1234"),
        ("ENG..1", "`..`", "ENG.1"),
        ("ENG~1", "`~`", "ENG-1"),
        ("ENG:1", "`:`", "ENG-1"),
        ("x.lock", "`.lock`", "x"),
        ("bell\u{7}", "control character", "bell"),
    ] {
        let run = refused(&env, &repo, &["start", ticket], 2);
        hinted(&run, reason, &format!("try `{suggestion}`"));
    }
    // A leading dash is refused too (after `--`, which stops option parsing).
    let run = refused(&env, &repo, &["start", "--", "-ENG"], 2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: ticket `-ENG` cannot be used in a branch name: it starts with `-` or `.`
    hint: try `ENG`
    ");
    let run = refused(&env, &repo, &["start", "ENG-1", "tab\u{1b}[31m"], 2);
    assert!(run.stderr.contains("description"), "{}", run.stderr);
}

#[test]
fn a_configuration_file_that_is_not_toml() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(
        &repo,
        "settings",
        &[(
            ".hotfix.toml",
            "production-branch = \"main\"\nrelease-branches = [\n",
        )],
    );
    let run = refused(&env, &repo, &["start", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `.hotfix.toml` on main ([ID]), line 2, column 21: not valid TOML: unclosed array, expected `]`
    hint: fix it in the file (committed on the production branch), or override it with `-c <key>=<value>`
    ");
    assert!(run.stderr.contains("line 2, column 21"), "{}", run.stderr);
    assert!(run.stderr.contains("not valid TOML"), "{}", run.stderr);
}

#[test]
fn unknown_keys_and_wrong_types_name_the_key_file_and_line() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(
        &repo,
        "settings",
        &[(".hotfix.toml", "# settings\nprodution-branch = \"main\"\n")],
    );
    let run = refused(&env, &repo, &["start", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `.hotfix.toml` on main ([ID]), line 2, column 1: unknown key `prodution-branch`, expected one of `production-branch`, `develop-branch`, `release-branches`, `branch-template`, `tag-pattern`, `remote`, `offline`, `merge`, `checks`, `staging`, `push-notes`, `monitoring`, `follow-up`, `backport-branch-template`, `version-files`, `changelog`, `changelog-format`, `release-message`, `tag-message`, `changelog-entry`, `policies`, `plugin-limits`, `production-version`, `severity-levels`, `escalation`, `products`, `github`
    hint: fix it in the file (committed on the production branch), or override it with `-c <key>=<value>`
    ");

    env.commit(
        &repo,
        "settings",
        &[(".hotfix.toml", "[products.api]\nversion-files = \"a\"\n")],
    );
    let run = refused(&env, &repo, &["start", "ENG-1"], 1);
    assert!(
        run.stderr.contains("line 2, column 17: `products.api.version-files`: invalid type: string \"a\", expected a sequence"),
        "{}",
        run.stderr
    );

    env.commit(&repo, "settings", &[(".hotfix.toml", "")]);
    env.git(&repo, &["config", "hotfix.productoin", "x"]);
    let run = refused(&env, &repo, &["start", "ENG-1"], 1);
    assert!(run.stderr.contains("git config"), "{}", run.stderr);
    assert!(
        run.stderr.contains(".git/config: unknown key `productoin`"),
        "{}",
        run.stderr
    );
    env.git(&repo, &["config", "--unset", "hotfix.productoin"]);

    let run = refused(
        &env,
        &repo,
        &["-c", "tag-pattern=release", "start", "ENG-1"],
        2,
    );
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: --config: `tag-pattern`: `{version}` is required
    hint: correct the value given with `-c tag-pattern=…`
    ");

    // A value refused in git config is blamed on git config, even with `-c` given too.
    env.git(&repo, &["config", "hotfix.merge", "sometimes"]);
    let run = refused(&env, &repo, &["-c", "offline=true", "start", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: git config [TMP]/repo/.git/config: `merge`: unknown variant `sometimes`, expected one of `ff`, `ff-only`, `no-ff`
    hint: fix it with `git config hotfix.merge <value>`, or remove it with `git config --unset hotfix.merge`
    ");
}

#[test]
fn finish_on_a_branch_that_is_not_a_hotfix() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.git(&repo, &["switch", "--quiet", "-c", "hotfix/by-hand"]);
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no hotfix is in progress for branch `hotfix/by-hand`
    hint: start one with `git hotfix start <ticket> <description>`; `git hotfix status --all` lists them
    ");
}

#[test]
fn finish_without_a_commit_beyond_the_base() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(&repo, &["start", "ENG-1", "x"]).ok();
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: `hotfix/ENG-1-x` has no commits beyond its base v1.2.3
    hint: commit the fix on the hotfix branch first
    ");
}

#[test]
fn a_second_hotfix_for_the_same_ticket() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(&repo, &["start", "ENG-1", "x", "--no-checkout"])
        .ok();
    let run = refused(&env, &repo, &["start", "ENG-1", "y"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: a hotfix for `ENG-1` is already in progress on `hotfix/ENG-1-x`
    hint: `git hotfix status` shows it; finish it first, or use another ticket
    ");
}

#[test]
fn a_lock_held_by_another_git_process() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    std::fs::write(repo.join(".git/index.lock"), "").unwrap();
    let run = refused(&env, &repo, &["start", "ENG-1", "x"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `[TMP]/repo/.git/index.lock` is locked by another git process
    hint: wait for the other process; if none is running, remove [TMP]/repo/.git/index.lock
    ");
    std::fs::remove_file(repo.join(".git/index.lock")).unwrap();

    env.hotfix(&repo, &["start", "ENG-1", "x"]).ok();
    env.commit(&repo, "fix", &[("auth.txt", "fixed\n")]);
    std::fs::write(repo.join(".git/refs/heads/main.lock"), "").unwrap();
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: `[TMP]/repo/.git/refs/heads/main.lock` is locked by another git process
    hint: wait for the other process; if none is running, remove [TMP]/repo/.git/refs/heads/main.lock
    ");
    std::fs::remove_file(repo.join(".git/refs/heads/main.lock")).unwrap();
    env.hotfix(&repo, &["finish"]).ok();
    env.fsck(&repo);
}

#[test]
fn continue_and_abort_without_a_stopped_run() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = refused(&env, &repo, &["continue"], 1);
    assert!(
        run.stderr.contains("there is no stopped run to continue"),
        "{}",
        run.stderr
    );
    let run = refused(&env, &repo, &["abort"], 1);
    assert!(
        run.stderr.contains("there is no stopped run to abort"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_revision_for_from() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = refused(&env, &repo, &["start", "ENG-1", "--from", "v9.9.9"], 2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `v9.9.9` does not name a commit
    hint: check it with `git rev-parse --verify v9.9.9`
    ");
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let before = snapshot(&repo);
    let run = env.hotfix(&repo, &["start"]).expect(2);
    assert!(run.stderr.contains("<TICKET>"), "{}", run.stderr);
    env.hotfix(
        &repo,
        &["start", "ENG-1", "--no-checkout", "--worktree", "x"],
    )
    .expect(2);
    env.hotfix(&repo, &["frobnicate"]).expect(2);
    assert_unchanged(&before, &snapshot(&repo));
}

#[test]
fn another_git_hotfix_writing_at_the_same_time() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    std::fs::create_dir_all(repo.join(".git/hotfix")).unwrap();
    let held = std::fs::File::create(repo.join(".git/hotfix/lock")).unwrap();
    held.try_lock().unwrap();
    let run = refused(&env, &repo, &["start", "ENG-1", "x"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: another git hotfix is writing to this repository (it holds [TMP]/repo/.git/hotfix/lock)
    hint: wait for it to finish, then run this again
    ");
    drop(held);
    env.hotfix(&repo, &["start", "ENG-1", "x"]).ok();
    env.fsck(&repo);
}

#[test]
fn a_configured_develop_branch_that_does_not_exist() {
    let env = TestEnv::new();
    let repo = env.with_develop().dir;
    env.git(&repo, &["branch", "-D", "develop"]);
    env.start_and_fix(&repo);
    let run = refused(&env, &repo, &["finish"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: the develop branch `develop` does not exist
    hint: create it, name the right one with `develop-branch`, or finish with `--no-backmerge`
    ");
    env.hotfix(&repo, &["finish", "--no-backmerge"]).ok();
    env.fsck(&repo);
}

#[test]
fn a_hotfix_branch_deleted_behind_its_back() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(&repo, &["start", "ENG-1", "x", "--no-checkout"])
        .ok();
    env.git(&repo, &["branch", "-D", "hotfix/ENG-1-x"]);
    let run = refused(&env, &repo, &["finish", "--hotfix", "ENG-1"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: the hotfix branch `hotfix/ENG-1-x` does not exist
    hint: it was deleted outside git hotfix: recreate it at the fix (`git branch hotfix/ENG-1-x <commit>`; `git reflog` lists recent commits), or end the hotfix with `git hotfix abandon --hotfix <ticket>`
    ");
}

/// No git identity: the error says so with the two `git config` lines, before anything is
/// written (not gix's reflog error half-way through).
#[test]
fn no_git_identity_is_named_with_the_lines_that_set_it() {
    let env = TestEnv::new();
    let fixture = env.linear();
    let dir = &fixture.dir;
    env.git(dir, &["config", "--unset", "user.name"]);
    env.git(dir, &["config", "--unset", "user.email"]);
    let before = env.refs(dir);
    let mut command = env.hotfix_command(dir, &["start", "ENG-1", "fix", "--severity", "P1"]);
    for name in [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ] {
        command.env_remove(name);
    }
    let run = Run::of(command).expect(1);
    assert!(
        run.stderr
            .contains("no committer identity is configured (user.name and user.email)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git config --global user.email"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("reflog"), "{}", run.stderr);
    assert_eq!(env.refs(dir), before);
    assert!(!dir.join(".git/hotfix/ENG-1.json").exists());
}

#[test]
fn the_records_directory_or_one_of_its_own_as_a_symbolic_link_is_refused() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let outside = env.path("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join(".git/hotfix")).unwrap();
    let run = refused(&env, &repo, &["start", "ENG-1", "fix"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/repo/.git/hotfix is a symbolic link: git-hotfix keeps its records inside the repository and follows no link there
    hint: remove the link (`rm [TMP]/repo/.git/hotfix`), move back what it points to if it holds hotfix records, and run this again
    ");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    assert_eq!(env.rev(&repo, "refs/heads/hotfix/ENG-1-fix"), None);

    // `finished/` as a link: the finish that would write there moves nothing.
    std::fs::remove_file(repo.join(".git/hotfix")).unwrap();
    env.start_and_fix(&repo);
    std::os::unix::fs::symlink(&outside, repo.join(".git/hotfix/finished")).unwrap();
    let refs = env.refs(&repo);
    let run = env.hotfix(&repo, &["finish"]).expect(1);
    assert!(
        run.stderr.contains("finished is a symbolic link"),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(&repo), refs);
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn temporary_files_of_killed_writes_are_swept_and_a_live_writers_kept() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.start_and_fix(&repo);
    let records = repo.join(".git/hotfix");
    // A pid above any the kernel hands out is a writer long gone; this test's is alive.
    let dead = records.join(".ENG-1234.json.99999999.tmp");
    let finished = records.join("finished");
    std::fs::create_dir_all(&finished).unwrap();
    let dead_finished = finished.join(".ENG-1234-1.2.4.json.99999998.tmp");
    let live = records.join(format!(".ENG-1234.json.{}.tmp", std::process::id()));
    for file in [&dead, &dead_finished, &live] {
        std::fs::write(file, "{\"half\": ").unwrap();
    }
    env.hotfix(&repo, &["check", "tested"]).ok();
    assert!(!dead.exists() && !dead_finished.exists());
    assert!(live.exists(), "a live process's write is not touched");
    // Nothing else in the records was taken.
    assert!(records.join("ENG-1234.json").exists());
}

#[test]
fn a_branch_pattern_git_cannot_match_is_named_where_it_was_written() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = refused(
        &env,
        &repo,
        &["-c", "release-branches=release/[*", "status"],
        2,
    );
    assert!(
        run.stderr.contains(
            "`release/[*` is not a branch pattern: the `[` at character 9 is never closed"
        ),
        "{}",
        run.stderr
    );
    env.commit(
        &repo,
        "Configure",
        &[(".hotfix.toml", "release-branches = [\"release/[*\"]\n")],
    );
    let run = refused(&env, &repo, &["status"], 1);
    assert!(
        run.stderr.contains(".hotfix.toml` on main") && run.stderr.contains("line 1"),
        "{}",
        run.stderr
    );
    env.git(&repo, &["reset", "--quiet", "--hard", "HEAD~1"]);
    env.start_and_fix(&repo);
    let run = refused(&env, &repo, &["backport", "--to", "release/[*"], 2);
    assert!(run.stderr.contains("never closed"), "{}", run.stderr);
}

#[test]
fn an_api_url_that_is_not_http_is_refused_where_it_was_written() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = refused(
        &env,
        &repo,
        &["-c", "github.api-url=ftp://github.test", "status"],
        2,
    );
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: --config: `github.api-url`: `ftp://github.test` is not an http(s) URL (GitHub Enterprise: `https://github.example.com/api/v3`)
    hint: correct the value given with `-c github.api-url=…`
    ");
}

#[test]
fn an_unknown_remote_is_refused_before_anything_is_done() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let repo = &fixture.dir;
    let run = refused(
        &env,
        repo,
        &["-c", "remote=upstrem", "start", "ENG-1", "fix"],
        1,
    );
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no remote named `upstrem` is configured
    hint: add it with `git remote add upstrem <url>`, or name another with `-c remote=<name>`
    ");
    assert_eq!(env.rev(repo, "refs/heads/hotfix/ENG-1-fix"), None);
}

#[test]
fn start_in_a_bare_repository_is_refused_before_its_fetch() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let bare = env.path("bare.git");
    env.git(
        env.root.path(),
        &[
            "clone",
            "--quiet",
            "--bare",
            fixture.dir.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let run = refused(&env, &bare, &["start", "ENG-1", "fix"], 1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: this is a bare repository: it has no worktree to switch
    hint: in a bare repository, create the branch only (`--no-checkout`) or check it out elsewhere (`--worktree <path>`)
    ");
    assert!(!run.stderr.contains("Fetched"), "{}", run.stderr);
}

#[test]
fn what_git_or_the_filesystem_fails_at_is_internal_and_keeps_its_cause() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    // Where the journals go is a file: the filesystem refuses, not the user's input.
    std::fs::write(repo.join(".git/hotfix"), "").unwrap();
    let run = refused(&env, &repo, &["start", "ENG-1", "fix", "--offline"], 6);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("error: could not read the journal"))
        .unwrap_or_else(|| panic!("no error line in:\n{}", run.stderr));
    assert!(
        lines[at + 1].starts_with("caused by: Not a directory"),
        "the cause is not under the error:\n{}",
        run.stderr
    );
    let json = env
        .hotfix(&repo, &["start", "ENG-1", "fix", "--offline", "--json"])
        .expect(6)
        .json();
    assert_eq!(json["error"]["kind"], "internal");
    assert_eq!(json["error"]["exit"], 6);
    let causes = json["error"]["causes"].as_array().unwrap();
    assert!(
        causes.len() == 1 && causes[0].as_str().unwrap().starts_with("Not a directory"),
        "{json}"
    );
    assert!(env.rev(&repo, "hotfix/ENG-1-fix").is_none());
    env.fsck(&repo);
}

#[test]
fn a_users_mistake_has_no_causes_to_show() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let json = env
        .hotfix(&repo, &["finish", "--hotfix", "ENG-404", "--json"])
        .expect(1)
        .json();
    assert_eq!(json["error"]["kind"], "error");
    assert_eq!(json["error"]["causes"], serde_json::json!([]));
}
