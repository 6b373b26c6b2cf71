//! `backport --pull N`: what a merged pull request put on its base, picked onto other
//! lines, whichever way GitHub merged it, from a full clone or a CI's one-commit checkout.

use std::path::{Path, PathBuf};

use fake_github::FakeGitHub;

use insta::assert_snapshot;

use crate::common::fixtures::Merge;
use crate::common::{Run, TestEnv, scrub};

const TOKEN: &str = "ghp_pull_backport_77";

/// A repository with a `release/1.2` line and a pull request of two commits into main,
/// which moved on meanwhile, merged on "GitHub" as `how`. Returns the origin, the pull
/// request's two commits, and the fake GitHub that knows it.
fn merged_pull(env: &TestEnv, how: Merge) -> (PathBuf, [String; 2], FakeGitHub) {
    let dev = env.init("dev");
    env.commit(
        &dev,
        "Release 1.2.0",
        &[("auth.txt", "check\n"), ("cart.txt", "sum\n")],
    );
    env.git(&dev, &["branch", "release/1.2"]);
    let [first, second] = env.tokens_fix_branch(&dev);
    env.commit(
        &dev,
        "Unrelated work on main",
        &[("cart.txt", "sum with tax\n")],
    );
    env.merge_as_github(
        &dev,
        how,
        "fix/tokens",
        &[&first, &second],
        "Fix tokens (#1)",
    );
    let merge = env.rev(&dev, "main").unwrap();
    let origin = env.path("origin.git");
    env.git(
        env.root.path(),
        &["clone", "--quiet", "--bare", "dev", "origin.git"],
    );
    let github = FakeGitHub::start("acme", "shop", TOKEN);
    let number = github.add_pull("fix/tokens", "main", "Refuse unsigned tokens", "");
    github.set_head(number, &second, 2);
    github.merge(number, &merge, "2026-03-05T15:10:00Z");
    (origin, [first, second], github)
}

fn clone(env: &TestEnv, origin: &Path, name: &str, shallow: bool) -> PathBuf {
    let url = format!("file://{}", origin.display());
    let mut args = vec!["clone", "--quiet"];
    if shallow {
        args.extend(["--depth", "1", "--no-single-branch"]);
    }
    args.extend([url.as_str(), name]);
    env.git(env.root.path(), &args);
    let dir = env.path(name);
    env.git(&dir, &["config", "hotfix.github.repository", "acme/shop"]);
    env.git(&dir, &["branch", "release/1.2", "origin/release/1.2"]);
    dir
}

fn backport(env: &TestEnv, github: &FakeGitHub, dir: &Path, args: &[&str]) -> Run {
    let mut command = env.hotfix_command(dir, args);
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url());
    Run::of(command)
}

/// The picks on the backport branch, as `git log` lists them, oldest first.
fn picked(env: &TestEnv, dir: &Path) -> Vec<String> {
    env.git(
        dir,
        &[
            "log",
            "--reverse",
            "--format=%s",
            "release/1.2..backport/release/1.2/pr-1",
        ],
    )
    .lines()
    .map(String::from)
    .collect()
}

#[test]
fn each_way_github_merges_picks_what_the_pull_request_changed() {
    for (how, expected, said) in [
        (
            Merge::Commit,
            &["fix: refuse unsigned tokens", "test: unsigned tokens"][..],
            "merged by merge commit into main): 2 commits",
        ),
        (
            Merge::Squash,
            &["Fix tokens (#1)"][..],
            "merged by squash into main): 1 commit",
        ),
        (
            Merge::Rebase,
            &["fix: refuse unsigned tokens", "test: unsigned tokens"][..],
            "merged by rebase into main): 2 commits",
        ),
    ] {
        for shallow in [false, true] {
            let env = TestEnv::new();
            let (origin, _, github) = merged_pull(&env, how);
            let dir = clone(&env, &origin, "ci", shallow);
            let run = backport(
                &env,
                &github,
                &dir,
                &["backport", "--pull", "1", "--to", "release/1.2"],
            )
            .ok();
            assert!(
                run.stderr.contains(said),
                "{how:?} {shallow}: {}",
                run.stderr
            );
            assert_eq!(picked(&env, &dir), expected, "{how:?} shallow={shallow}");
            // Only the pull request's change: not main's unrelated work.
            let tip = "backport/release/1.2/pr-1";
            assert_eq!(
                env.git(&dir, &["show", &format!("{tip}:auth.txt")]),
                "check signature\n"
            );
            assert_eq!(
                env.git(&dir, &["show", &format!("{tip}:cart.txt")]),
                "sum\n"
            );
            if !shallow {
                env.fsck(&dir);
            }
        }
    }
}

#[test]
fn a_pull_request_not_merged_or_unknown_is_named() {
    let env = TestEnv::new();
    let (origin, _, github) = merged_pull(&env, Merge::Commit);
    let dir = clone(&env, &origin, "ci", false);
    let open = github.add_pull("fix/other", "main", "Other", "");
    let run = backport(
        &env,
        &github,
        &dir,
        &[
            "backport",
            "--pull",
            &open.to_string(),
            "--to",
            "release/1.2",
        ],
    )
    .expect(1);
    assert!(
        run.stderr.contains(&format!(
            "pull request #{open} (https://github.test/acme/shop/pull/{open}) has not merged"
        )),
        "{}",
        run.stderr
    );
    let run = backport(
        &env,
        &github,
        &dir,
        &["backport", "--pull", "99", "--to", "release/1.2"],
    )
    .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Fetched release/1.2 from origin
    error: GitHub has no pull request #99 in acme/shop
    hint: check the number; a private repository also answers so when the token cannot see it
    ");
    assert_eq!(env.rev(&dir, "backport/release/1.2/pr-1"), None);
}
