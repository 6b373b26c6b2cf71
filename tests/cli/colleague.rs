//! Working next to a colleague on a shared remote: their releases arrive while a hotfix is
//! under way, and no fix is ever left on no branch and no tag. The oracle is git: every
//! commit of every hotfix is reachable from a ref afterwards.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;

use crate::common::fixtures::HOTFIX as BRANCH;
use crate::common::{TestEnv, scrub};

/// A second clone of `origin`, with its own identity.
fn colleague(env: &TestEnv, origin: &Path) -> PathBuf {
    let dir = env.path("colleague");
    env.git(
        env.root.path(),
        &["clone", "--quiet", &origin.to_string_lossy(), "colleague"],
    );
    env.git(&dir, &["config", "user.name", "Bo Colleague"]);
    env.git(&dir, &["config", "user.email", "bo@example.com"]);
    dir
}

/// The colleague fixes something else on main and releases it as `tag`, pushed.
fn colleague_releases(env: &TestEnv, origin: &Path, tag: &str) -> String {
    let bo = colleague(env, origin);
    let commit = env.commit(&bo, "fix: rate limit logins", &[("limits.txt", "5/min\n")]);
    env.tag(&bo, tag);
    env.git(&bo, &["push", "--quiet", "origin", "main", tag]);
    commit
}

/// Whether `commit` is reachable from some branch or tag of `repo`.
fn held(env: &TestEnv, repo: &Path, commit: &str) -> bool {
    !env.git(
        repo,
        &[
            "for-each-ref",
            "--contains",
            commit,
            "refs/heads",
            "refs/tags",
        ],
    )
    .trim()
    .is_empty()
}

#[test]
fn a_colleagues_tag_of_the_planned_version_is_never_released_into() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let fix = env.start_and_fix(repo);
    let theirs = colleague_releases(&env, origin, "v1.2.4");
    // Offline, the tag fetched by hand is what says the version is taken.
    env.git(repo, &["fetch", "--quiet", "--tags", "origin"]);
    let refs = env.refs(repo);

    for args in [
        &["finish", "--offline"][..],
        &["finish", "--no-tag", "--offline"],
        &["finish", "--keep", "--no-tag", "--offline"],
    ] {
        let run = env.hotfix(repo, args).expect(1);
        // The same refusal whatever the finish was to do.
        insta::allow_duplicates! {
            assert_snapshot!(scrub(&env, &run.stderr), @"
                 Offline deciding from local state: nothing fetched from origin
            warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
            error: tag `v1.2.4` already exists
            hint: choose another version, e.g. `--version 1.2.5`
            ");
        }
        assert_eq!(env.refs(repo), refs, "{args:?} moved nothing");
    }
    // The hotfix is still in progress, and says so.
    let status = env.hotfix(repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["state"], "active", "{status}");

    // Online, finish catches main up first, and that does not turn the colleague's
    // release into ours either.
    env.git(repo, &["switch", "--quiet", "main"]);
    let run = env
        .hotfix(repo, &["finish", "--no-tag", "--hotfix", "ENG-1234"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
       Caught up main with origin/main ([ID] → [ID])
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: tag `v1.2.4` already exists
    hint: choose another version, e.g. `--version 1.2.5`
    ");
    assert_eq!(env.rev(repo, "main").unwrap(), theirs);
    assert!(held(&env, repo, &fix));

    // Re-versioned to the next free version: released, merged, tagged, nothing lost.
    let run = env
        .hotfix(repo, &["finish", "--next", "--hotfix", "ENG-1234"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    Re-versioning ENG-1234: 1.2.4 → 1.2.5 (tag v1.2.5)
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
          Merged the fix into v1.2.4, released since ENG-1234 started (merge commit [ID])
          Tagged v1.2.5 on [ID]
          Merged into main (fast-forward to [ID])
         Deleted hotfix/ENG-1234-fix-auth-bypass
        Finished hotfix ENG-1234: released 1.2.5
    ");
    let released = env.rev(repo, "v1.2.5^{commit}").unwrap();
    env.git(repo, &["merge-base", "--is-ancestor", &fix, &released]);
    env.git(repo, &["merge-base", "--is-ancestor", &fix, "main"]);
    env.git(repo, &["merge-base", "--is-ancestor", &theirs, "main"]);
    assert_eq!(
        env.rev(repo, "v1.2.4^{commit}").unwrap(),
        theirs,
        "their tag untouched"
    );
    assert_eq!(env.rev(repo, BRANCH), None);
    let journal = env
        .hotfix(repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    assert_eq!(journal["hotfix"]["version"], "1.2.5", "{journal}");
    assert_eq!(journal["hotfix"]["tag"], "v1.2.5", "{journal}");
    env.fsck(repo);
}

#[test]
fn a_newer_release_of_the_same_line_asks_for_another_version() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let fix = env.start_and_fix(repo);
    // The colleague released past the planned version.
    colleague_releases(&env, origin, "v1.2.5");
    env.git(repo, &["fetch", "--quiet", "--tags", "origin"]);
    env.git(repo, &["branch", "--force", "main", "origin/main"]);
    let refs = env.refs(repo);

    let run = env.hotfix(repo, &["finish"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: v1.2.5 reached production after ENG-1234 started: releasing 1.2.4 now would put it out older than what runs
    hint: re-version the hotfix: `git hotfix finish --version 1.2.6` (or `--next`)
    ");
    assert_eq!(env.refs(repo), refs);
    // Asking for a version below the line's newest release is refused the same way.
    let run = env
        .hotfix(repo, &["finish", "--version", "1.2.4"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: v1.2.5 reached production after ENG-1234 started: releasing 1.2.4 now would put it out older than what runs
    hint: re-version the hotfix: `git hotfix finish --version 1.2.6` (or `--next`)
    ");

    env.hotfix(repo, &["finish", "--version", "1.2.6"]).ok();
    env.git(repo, &["merge-base", "--is-ancestor", &fix, "v1.2.6"]);
    env.git(repo, &["merge-base", "--is-ancestor", &fix, "main"]);
    env.fsck(repo);
}

#[test]
fn finishing_with_nothing_to_hold_the_fix_is_refused() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    // No release branch holds v1.2.3: only the tag would.
    env.git(&repo, &["branch", "-D", "release/1.2"]);
    env.hotfix(&repo, &["start", "ENG-20", "old", "--from", "v1.2.3"])
        .ok();
    let fix = env.commit(&repo, "fix the old line", &[("auth.txt", "old fix\n")]);
    let refs = env.refs(&repo);

    let run = env.hotfix(&repo, &["finish", "--no-tag"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: finishing ENG-20 this way would release 1.2.4 nowhere: no tag is made and no branch receives the fix (1.2.4 is older than production's v2.0.0, and no maintained release branch of its line was found)
    hint: drop `--no-tag` so the tag holds the fix, or name the line's branch in `release-branches`
    ");
    assert_eq!(env.refs(&repo), refs);
    assert_eq!(env.rev(&repo, "hotfix/ENG-20-old").unwrap(), fix);
    env.fsck(&repo);
}

#[test]
fn a_version_below_what_production_released_needs_a_reason() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let refs = env.refs(&repo);
    let run = env
        .hotfix(&repo, &["start", "ENG-5", "--version", "0.0.1"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: 0.0.1 is lower than v1.2.3, the newest release of its line
    hint: choose a version above it, or add `--allow-older-version` if this release is meant to go out older
    ");
    assert_eq!(env.refs(&repo), refs);

    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-5",
            "--version",
            "0.0.1",
            "--allow-older-version",
        ],
    )
    .ok();
    // The tag can be moved to another version, under the same rule.
    let run = env.hotfix(&repo, &["tag", "1.2.1"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: 1.2.1 is lower than v1.2.3, the newest release of its line
    hint: choose a version above it, or add `--allow-older-version` if this release is meant to go out older
    ");
    env.fsck(&repo);
}

#[test]
fn abandon_ends_a_hotfix_and_keeps_its_branch() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let fix = env.start_and_fix(&repo);

    // Deleting a branch whose fix is on no other ref is refused.
    let run = env.hotfix(&repo, &["abandon", "--delete-branch"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `hotfix/ENG-1234-fix-auth-bypass` is checked out in [TMP]/repo
    hint: switch that worktree to another branch first (`git -C [TMP]/repo switch <branch>`)
    ");
    env.git(&repo, &["switch", "--quiet", "main"]);
    let refs = env.refs(&repo);
    let run = env
        .hotfix(
            &repo,
            &["abandon", "--hotfix", "ENG-1234", "--delete-branch"],
        )
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `hotfix/ENG-1234-fix-auth-bypass` holds 1 commit that no other branch or tag has ([ID])
    hint: keep the branch (leave out `--delete-branch`), or delete it yourself: `git branch -D hotfix/ENG-1234-fix-auth-bypass`
    ");
    assert!(run.stderr.contains(&fix[..7]), "{}", run.stderr);
    assert_eq!(env.refs(&repo), refs);

    let run = env
        .hotfix(
            &repo,
            &[
                "abandon",
                "--hotfix",
                "ENG-1234",
                "--reason",
                "fixed upstream",
            ],
        )
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Abandoned hotfix ENG-1234: ended without a finish
         Kept hotfix/ENG-1234-fix-auth-bypass at [ID]
    ");
    assert_eq!(env.rev(&repo, BRANCH).unwrap(), fix, "the branch stays");
    let journal: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.join(".git/hotfix/finished/ENG-1234-1.2.4-abandoned.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(journal["state"], "abandoned");
    let last = journal["events"].as_array().unwrap().last().unwrap();
    assert_eq!(last["event"], "abandoned", "{last}");
    assert_eq!(last["reason"], "fixed upstream");
    let listed = env.hotfix(&repo, &["status", "--all"]).ok();
    assert_snapshot!(scrub(&env, &listed.stdout), @"ENG-1234  abandoned  hotfix/ENG-1234-fix-auth-bypass  1.2.4");
    // Not a release: `finish` does not call it finished.
    let run = env
        .hotfix(&repo, &["finish", "--hotfix", "ENG-1234"])
        .expect(1);
    assert!(!run.stderr.contains("released"), "{}", run.stderr);

    // The ticket can start again; the old branch is in the way until it is dealt with.
    env.git(&repo, &["branch", "-m", BRANCH, "keep/ENG-1234"]);
    env.hotfix(&repo, &["start", "ENG-1234", "fix", "auth", "bypass"])
        .ok();
    assert!(held(&env, &repo, &fix));
    env.fsck(&repo);
}

#[test]
fn abandon_deletes_a_branch_whose_commits_are_held_elsewhere() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let fix = env.start_and_fix(&repo);
    env.git(&repo, &["switch", "--quiet", "main"]);
    env.git(&repo, &["branch", "elsewhere", &fix]);

    env.hotfix(
        &repo,
        &["abandon", "--hotfix", "ENG-1234", "--delete-branch"],
    )
    .ok();
    assert_eq!(env.rev(&repo, BRANCH), None);
    assert!(held(&env, &repo, &fix));
    let run = env.hotfix(&repo, &["status"]).ok();
    assert!(
        run.stdout.contains("No hotfix in progress"),
        "{}",
        run.stdout
    );
    env.fsck(&repo);
}

#[test]
fn start_and_finish_decide_from_what_the_remote_has() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let theirs = colleague_releases(&env, origin, "v1.2.4");

    // Offline, the plan is the stale local one, and says so.
    let run = env
        .hotfix(repo, &["start", "ENG-1300", "x", "--offline", "--plan"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stdout), @"
    Would start hotfix ENG-1300
      branch   hotfix/ENG-1300-x
      base     v1.2.3 ([ID]), the newest release tag on the production branch
      version  1.2.4 after v1.2.3, tag v1.2.4
      then     switch this worktree to the branch
    ");
    assert_snapshot!(scrub(&env, &run.stderr), @"     Offline deciding from local state: nothing fetched from origin");

    // Online: main caught up, the colleague's tag fetched with it, the next version planned.
    let run = env.hotfix(repo, &["start", "ENG-1300", "x"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched main from origin
       Caught up main with origin/main ([ID] → [ID])
         Created branch hotfix/ENG-1300-x from v1.2.4 ([ID])
        Switched to hotfix/ENG-1300-x
       Releasing 1.2.5 as tag v1.2.5
    hint: commit the fix (with a regression test), then run `git hotfix finish`
    ");
    assert_eq!(env.rev(repo, "main").unwrap(), theirs);
    assert_eq!(
        env.rev(repo, "v1.2.4^{commit}").unwrap(),
        theirs,
        "the tag followed"
    );
    let status = env.hotfix(repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["version"], "1.2.5");
    assert_eq!(status["hotfix"]["base"]["name"], "v1.2.4");
    let fix = env.commit(repo, "fix: x", &[("x.txt", "x\n")]);

    // The colleague pushes again; finish --push merges into what the remote has.
    let bo = env.path("colleague");
    let later = env.commit(&bo, "Their later work", &[("later.txt", "y\n")]);
    env.git(&bo, &["push", "--quiet", "origin", "main"]);
    env.hotfix(repo, &["finish", "--push"]).ok();
    let remote_main = env.rev(origin, "main").unwrap();
    env.git(repo, &["merge-base", "--is-ancestor", &fix, &remote_main]);
    env.git(repo, &["merge-base", "--is-ancestor", &later, &remote_main]);
    assert_eq!(env.rev(origin, "v1.2.5^{commit}").unwrap(), fix);
    env.fsck(origin);
}

#[test]
fn a_production_branch_that_diverged_from_the_remote_is_refused() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    env.start_and_fix(repo);
    colleague_releases(&env, origin, "v9.0.0");
    env.git(repo, &["switch", "--quiet", "main"]);
    env.commit(repo, "A local commit on main", &[("local.txt", "z\n")]);
    env.git(repo, &["switch", "--quiet", BRANCH]);
    let local_main = env.rev(repo, "main").unwrap();

    let run = env.hotfix(repo, &["finish"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `main` and `origin/main` have diverged: each has commits the other lacks
    hint: bring them together (`git switch main` and `git pull --rebase origin main`, or a merge), then run it again; `--offline` decides from the local branch as it is
    ");
    assert_eq!(env.rev(repo, "main").unwrap(), local_main);
    assert!(env.rev(repo, BRANCH).is_some());
    assert_eq!(env.rev(repo, "v1.2.4"), None);
}

#[test]
fn a_backport_picks_onto_the_lines_as_the_remote_has_them() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.release_lines());
    let (repo, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    // A colleague patched release/1.5 on the remote meanwhile.
    let bo = colleague(&env, origin);
    env.git(&bo, &["switch", "--quiet", "release/1.5"]);
    let theirs = env.commit(&bo, "1.5: their patch", &[("theirs.txt", "x\n")]);
    env.git(&bo, &["push", "--quiet", "origin", "release/1.5"]);
    let fix = env.commit(repo, "fix: auth", &[("auth.txt", "signed\n")]);

    let run = env
        .hotfix(repo, &["backport", &fix, "--to", "release/1.5"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
       Fetched release/1.5 from origin
     Caught up release/1.5 with origin/release/1.5 ([ID] → [ID])
        Picked release/1.5              clean     backport/release/1.5/[ID] at [ID] (1 picked)
    Backported 1 commit to 1 of 1 lines
    ");
    assert_eq!(env.rev(repo, "release/1.5").unwrap(), theirs);
    let branches = env.git(
        repo,
        &[
            "for-each-ref",
            "--format=%(objectname)",
            "refs/heads/backport/release/1.5/",
        ],
    );
    let picked = branches.trim();
    assert_eq!(picked.lines().count(), 1, "{branches}");
    env.git(repo, &["merge-base", "--is-ancestor", &theirs, picked]);
    env.fsck(repo);
}

#[test]
fn an_unreachable_remote_stops_start_and_offline_goes_on() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.linear());
    let repo = &fixture.dir;
    std::fs::rename(
        fixture.origin.as_ref().unwrap(),
        env.path("origin-gone.git"),
    )
    .unwrap();
    let refs = env.refs(repo);

    let run = env.hotfix(repo, &["start", "ENG-8", "x"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: could not fetch `main` from `origin`: could not ask it where its refs stand: fatal: '[TMP]/origin.git' does not appear to be a git repository
    fatal: Could not read from remote repository.

    Please make sure you have the correct access rights
    and the repository exists.
    hint: check the remote (`git remote -v`, the network), then run the same command again: nothing has moved; `--offline` decides from local state instead (start, finish, backport)
    ");
    assert_eq!(env.refs(repo), refs, "nothing moved");

    let run = env.hotfix(repo, &["start", "ENG-8", "x", "--offline"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Offline deciding from local state: nothing fetched from origin
         Created branch hotfix/ENG-8-x from v1.2.3 ([ID])
        Switched to hotfix/ENG-8-x
       Releasing 1.2.4 as tag v1.2.4
    hint: commit the fix (with a regression test), then run `git hotfix finish`
    ");
    assert!(env.rev(repo, "hotfix/ENG-8-x").is_some());
}
