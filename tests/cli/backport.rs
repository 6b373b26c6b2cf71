//! Backports: picks checked against `git cherry-pick` (the oracle), then the run — six lines
//! at once, conflicts paused, skipped or refused, continue/skip/abort, cascade, kills.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;

use crate::common::{TestEnv, assert_unchanged, scrub, snapshot};

/// What git makes of picking `sources` one by one onto `target`.
#[derive(Debug, PartialEq, Eq)]
enum GitPick {
    Tree(String),
    Empty,
    Conflict(Vec<String>),
}

/// The oracle: `git cherry-pick -x` in a scratch worktree, one source at a time.
fn git_picks(env: &TestEnv, repo: &Path, target: &str, sources: &[&str]) -> Vec<GitPick> {
    let wt = env.path(&format!("oracle-{}", target.replace('/', "-")));
    env.git(
        repo,
        &[
            "worktree",
            "add",
            "--quiet",
            "--detach",
            wt.to_str().unwrap(),
            target,
        ],
    );
    let mut picks = Vec::new();
    for source in sources {
        let output = env.git_output(&wt, &["cherry-pick", "-x", source]);
        if output.status.success() {
            picks.push(GitPick::Tree(env.rev(&wt, "HEAD^{tree}").unwrap()));
            continue;
        }
        let unmerged = env.git(&wt, &["diff", "--name-only", "--diff-filter=U"]);
        let mut paths: Vec<String> = unmerged.lines().map(String::from).collect();
        paths.sort();
        paths.dedup();
        if paths.is_empty() {
            picks.push(GitPick::Empty);
            env.git(&wt, &["cherry-pick", "--skip"]);
        } else {
            picks.push(GitPick::Conflict(paths));
            env.git(&wt, &["cherry-pick", "--abort"]);
            break;
        }
    }
    env.git(
        repo,
        &["worktree", "remove", "--force", wt.to_str().unwrap()],
    );
    picks
}

/// What `backport --plan --json` says of picking `sources` onto `target`, in the oracle's terms.
fn our_picks(env: &TestEnv, repo: &Path, target: &str, sources: &[&str]) -> Vec<GitPick> {
    let mut args = vec!["backport"];
    args.extend_from_slice(sources);
    args.extend_from_slice(&["--to", target, "--plan", "--json"]);
    let plan = env.hotfix(repo, &args).ok().json();
    let line = &plan["targets"][0];
    line["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|commit| match commit["status"].as_str().unwrap() {
            "picked" => GitPick::Tree(commit["tree"].as_str().unwrap().to_string()),
            "empty" => GitPick::Empty,
            _ => GitPick::Conflict(
                line["conflicts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string())
                    .collect(),
            ),
        })
        .collect()
}

/// A repository with one commit per kind of change on `src`, and a `target` line that has
/// moved on differently (it renamed a file, changed another, added its own).
fn kinds_of_change(env: &TestEnv) -> (PathBuf, Vec<(&'static str, String)>) {
    let repo = env.init("kinds");
    let bin: String = (0..64u8).map(|b| (b % 7) as char).collect();
    env.commit(
        &repo,
        "Base",
        &[
            ("mod.txt", "1\n2\n3\n4\n5\n"),
            ("del.txt", "delete me\n"),
            ("ren.txt", "rename me\nline 2\nline 3\nline 4\n"),
            (
                "ren2.txt",
                "the target renames me\nline 2\nline 3\nline 4\n",
            ),
            ("mode.sh", "#!/bin/sh\necho hi\n"),
            ("bin.dat", &bin),
            ("nonl.txt", "no newline at the end"),
            ("crlf.txt", "a\r\nb\r\nc\r\n"),
            ("conflict.txt", "base\n"),
            ("dep-base.txt", "x\n"),
            ("gone-there.txt", "the target deletes me\n"),
            ("rr.txt", "both sides rename me\nline 2\nline 3\nline 4\n"),
            ("tm.txt", "the target changes me\nline 2\nline 3\nline 4\n"),
        ],
    );
    std::os::unix::fs::symlink("mod.txt", repo.join("link")).unwrap();
    env.git(&repo, &["add", "link"]);
    env.git(&repo, &["commit", "--quiet", "-m", "Symlink"]);

    env.git(&repo, &["branch", "target"]);
    env.git(&repo, &["switch", "--quiet", "target"]);
    env.git(&repo, &["mv", "ren2.txt", "renamed2.txt"]);
    env.git(
        &repo,
        &["commit", "--quiet", "-m", "Target renames ren2.txt"],
    );
    env.commit(
        &repo,
        "Target changes conflict.txt",
        &[("conflict.txt", "target\n")],
    );
    env.commit(&repo, "Target adds its own file", &[("own.txt", "own\n")]);
    env.git(&repo, &["rm", "--quiet", "gone-there.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "Target deletes a file"]);
    env.git(&repo, &["mv", "rr.txt", "rr-target.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "Target renames rr.txt"]);
    env.commit(&repo, "Target adds both.txt", &[("both.txt", "target's\n")]);
    env.commit(
        &repo,
        "Target changes tm.txt",
        &[(
            "tm.txt",
            "the target changes me\nline 2\nline three\nline 4\n",
        )],
    );

    env.git(&repo, &["switch", "--quiet", "-c", "src", "main"]);
    let mut commits = Vec::new();
    let mut add = |name: &'static str, commit: String| commits.push((name, commit));
    add(
        "modify",
        env.commit(&repo, "modify", &[("mod.txt", "1\n2\nthree\n4\n5\n")]),
    );
    add("add", env.commit(&repo, "add", &[("new.txt", "new\n")]));
    env.git(&repo, &["rm", "--quiet", "del.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "delete"]);
    add("delete", env.rev(&repo, "HEAD").unwrap());
    env.git(&repo, &["mv", "ren.txt", "moved.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "rename here"]);
    add("rename on the source side", env.rev(&repo, "HEAD").unwrap());
    add(
        "modify a file the target renamed",
        env.commit(
            &repo,
            "modify ren2",
            &[(
                "ren2.txt",
                "the target renames me\nline 2\nline three\nline 4\n",
            )],
        ),
    );
    env.git(&repo, &["update-index", "--chmod=+x", "mode.sh"]);
    env.git(&repo, &["commit", "--quiet", "-m", "mode"]);
    add("mode change", env.rev(&repo, "HEAD").unwrap());
    std::fs::remove_file(repo.join("link")).unwrap();
    std::os::unix::fs::symlink("new.txt", repo.join("link")).unwrap();
    env.git(&repo, &["add", "link"]);
    env.git(&repo, &["commit", "--quiet", "-m", "retarget symlink"]);
    add("symlink", env.rev(&repo, "HEAD").unwrap());
    let bin2: String = (0..64u8).map(|b| (b % 5) as char).collect();
    add("binary", env.commit(&repo, "binary", &[("bin.dat", &bin2)]));
    add(
        "no trailing newline",
        env.commit(&repo, "nonl", &[("nonl.txt", "still no newline, changed")]),
    );
    add(
        "crlf",
        env.commit(&repo, "crlf", &[("crlf.txt", "a\r\nB\r\nc\r\n")]),
    );
    add(
        "conflict",
        env.commit(&repo, "conflict", &[("conflict.txt", "source\n")]),
    );
    add(
        "modify a file the target deleted",
        env.commit(
            &repo,
            "modify gone",
            &[("gone-there.txt", "modified here\n")],
        ),
    );
    env.git(&repo, &["mv", "rr.txt", "rr-source.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "rename rr here"]);
    add(
        "rename both sides differently",
        env.rev(&repo, "HEAD").unwrap(),
    );
    env.git(&repo, &["mv", "tm.txt", "tm-moved.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "rename tm here"]);
    add(
        "rename a file the target changed",
        env.rev(&repo, "HEAD").unwrap(),
    );
    add(
        "add on both sides",
        env.commit(&repo, "add both.txt", &[("both.txt", "source's\n")]),
    );
    (repo, commits)
}

#[test]
fn every_kind_of_change_is_picked_as_git_picks_it() {
    let env = TestEnv::new();
    let (repo, commits) = kinds_of_change(&env);
    for (kind, commit) in &commits {
        let ours = our_picks(&env, &repo, "target", &[commit]);
        let git = git_picks(&env, &repo, "target", &[commit]);
        assert_eq!(ours, git, "{kind}");
    }
    // The conflict is a real one, seen the same way.
    let (_, conflict) = commits.iter().find(|(k, _)| *k == "conflict").unwrap();
    assert_eq!(
        our_picks(&env, &repo, "target", &[conflict]),
        [GitPick::Conflict(vec!["conflict.txt".into()])]
    );
    env.fsck(&repo);
}

/// A pick is merged on trees narrowed to the paths it changes, then grafted onto the
/// target; these are the shapes where that could go wrong, each against `git cherry-pick`:
/// deep directories, a real content merge and a conflict there, a directory the target
/// emptied or filled, and a file that is a directory on the other side (the whole merge).
#[test]
fn picks_in_nested_directories_are_git_picks() {
    let env = TestEnv::new();
    let repo = env.init("nested");
    let lines = |first: &str, last: &str| format!("{first}\n2\n3\n4\n5\n6\n7\n8\n9\n{last}\n");
    env.commit(
        &repo,
        "Base",
        &[
            ("deep/a/b/merge.txt", &lines("1", "10")),
            ("deep/a/b/near.txt", "near\n"),
            ("deep/a/other.txt", "other\n"),
            ("deep/c/far.txt", "far\n"),
            ("gone/only.txt", "only\n"),
            ("dfx", "a file here, a directory on the target\n"),
            ("df/file", "a file the source turns into a directory\n"),
        ],
    );
    env.git(&repo, &["branch", "target"]);
    env.git(&repo, &["switch", "--quiet", "target"]);
    env.git(&repo, &["rm", "--quiet", "dfx"]);
    env.commit(
        &repo,
        "Target moves on",
        &[
            ("deep/a/b/merge.txt", &lines("1", "ten on the target")),
            ("deep/a/other.txt", "other, changed on the target\n"),
            ("deep/c/new-there.txt", "target's\n"),
            ("gone/extra.txt", "the target adds to this directory\n"),
            ("dfx/inner.txt", "now a directory\n"),
        ],
    );

    env.git(&repo, &["switch", "--quiet", "-c", "src", "main"]);
    let mut commits = Vec::new();
    let mut add = |name: &'static str, commit: String| commits.push((name, commit));
    add(
        "a content merge three directories down",
        env.commit(
            &repo,
            "merge",
            &[("deep/a/b/merge.txt", &lines("one", "10"))],
        ),
    );
    add(
        "several files, one of them merged",
        env.commit(
            &repo,
            "several",
            &[
                ("deep/a/b/near.txt", "near, fixed\n"),
                ("deep/a/other.txt", "other\nand more\n"),
                ("deep/c/far.txt", "far, fixed\n"),
            ],
        ),
    );
    add(
        "a new directory",
        env.commit(&repo, "new dir", &[("new/x/y/z.txt", "new\n")]),
    );
    env.git(&repo, &["rm", "--quiet", "gone/only.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "empty gone/"]);
    add(
        "the last file of a directory the target added to",
        env.rev(&repo, "HEAD").unwrap(),
    );
    add(
        "a file the target turned into a directory",
        env.commit(&repo, "dfx", &[("dfx", "changed here\n")]),
    );
    env.git(&repo, &["rm", "--quiet", "df/file"]);
    env.commit(&repo, "df", &[("df/file/inner.txt", "a directory now\n")]);
    add(
        "a file turned into a directory",
        env.rev(&repo, "HEAD").unwrap(),
    );
    add(
        "a conflict three directories down",
        env.commit(
            &repo,
            "conflict",
            &[("deep/a/b/merge.txt", &lines("one", "ten on the source"))],
        ),
    );
    for (kind, commit) in &commits {
        let ours = our_picks(&env, &repo, "target", &[commit]);
        let git = git_picks(&env, &repo, "target", &[commit]);
        assert_eq!(ours, git, "{kind}");
    }
    let (_, conflict) = commits
        .iter()
        .rfind(|(k, _)| k.starts_with("a conflict"))
        .unwrap();
    assert_eq!(
        our_picks(&env, &repo, "target", &[conflict]),
        [GitPick::Conflict(vec!["deep/a/b/merge.txt".into()])]
    );
    // The whole series, each pick on the one before, as git picks it.
    let all: Vec<&str> = commits.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(
        our_picks(&env, &repo, "target", &all[..4]),
        git_picks(&env, &repo, "target", &all[..4])
    );
    env.fsck(&repo);
}

/// merge-ort merges file contents by histogram diff whatever `diff.algorithm` says; with
/// Myers, gix's content merge conflicts where git's is clean. The shape is a real backport
/// of SQLAlchemy's (`pyproject.toml`, each distinct line replaced by a token): the line
/// kept a few sections and dropped the rest, the pick adds a section among those dropped.
#[test]
fn content_merges_use_git_s_histogram_diff() {
    let lines = |spec: &str| -> String {
        spec.split(' ')
            .map(|token| match token {
                "_" => "\n".to_string(),
                n => format!("line {n}\n"),
            })
            .collect()
    };
    let tail = "15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 27 _ 34 _ 35 36 37 38 _ \
                39 40 41 42 _ _ 43 _ 44 45 27 _ 46 47 _ _ _ 48 49 50 _ 51 52 53 54 55 56 _ 57 58 _ \
                59 60 61 62";
    let head = "1 2 3 4 5 6 7 _ 8 9 10 _ 11 12 _ 13 14 _";
    let base = lines(&format!("{head} _ {tail}"));
    let picked = lines(&format!("{head} 65 66 67 68 69 70 _ _ {tail}"));
    let line = lines("8 9 63 _ 11 12 64 _ _");

    let env = TestEnv::new();
    let repo = env.init("histogram");
    env.commit(&repo, "Base", &[("pyproject.toml", &base)]);
    env.git(&repo, &["branch", "target"]);
    let fix = env.commit(&repo, "Add a section", &[("pyproject.toml", &picked)]);
    env.git(&repo, &["switch", "--quiet", "target"]);
    env.commit(&repo, "Drop most sections", &[("pyproject.toml", &line)]);

    let git = git_picks(&env, &repo, "target", &[&fix]);
    assert!(matches!(git[0], GitPick::Tree(_)), "git merges it: {git:?}");
    assert_eq!(our_picks(&env, &repo, "target", &[&fix]), git);
    // A user's `diff.algorithm` does not change it, for git or for us.
    env.git(&repo, &["config", "diff.algorithm", "myers"]);
    assert_eq!(our_picks(&env, &repo, "target", &[&fix]), git);
}

/// Merges read `.gitattributes` as git does: a `merge=union` file takes both sides'
/// lines where a plain text merge conflicts.
#[test]
fn merge_attributes_are_honoured_as_git_honours_them() {
    let env = TestEnv::new();
    let repo = env.init("attributes");
    env.commit(
        &repo,
        "Base",
        &[
            (".gitattributes", "CHANGES merge=union\n"),
            ("CHANGES", "one\n"),
            ("plain.txt", "one\n"),
        ],
    );
    env.git(&repo, &["branch", "target"]);
    let union = env.commit(&repo, "Source's entry", &[("CHANGES", "one\nsource\n")]);
    let plain = env.commit(&repo, "Source's line", &[("plain.txt", "one\nsource\n")]);
    env.git(&repo, &["switch", "--quiet", "target"]);
    env.commit(
        &repo,
        "Target's entries",
        &[("CHANGES", "one\ntarget\n"), ("plain.txt", "one\ntarget\n")],
    );

    let git = git_picks(&env, &repo, "target", &[&union]);
    assert!(matches!(git[0], GitPick::Tree(_)), "union merges: {git:?}");
    assert_eq!(our_picks(&env, &repo, "target", &[&union]), git);
    assert_eq!(
        our_picks(&env, &repo, "target", &[&plain]),
        [GitPick::Conflict(vec!["plain.txt".into()])]
    );
    assert_eq!(
        git_picks(&env, &repo, "target", &[&plain]),
        [GitPick::Conflict(vec!["plain.txt".into()])]
    );
}

/// A file the pick adds inside a directory the line renamed (as when `main` moved a
/// directory and the fix adds a test there): git puts it in the renamed directory and
/// stops (`CONFLICT (file location)`); so do we, in the plan and in the worktree the stop
/// leaves — not in a directory the line no longer has.
#[test]
fn a_file_added_in_a_directory_the_line_renamed_goes_where_git_puts_it() {
    let env = TestEnv::new();
    let repo = env.init("renamed-dir");
    env.commit(
        &repo,
        "Base",
        &[
            ("src/auth/check.txt", "check\n"),
            ("src/auth/token.txt", "token\n"),
            ("src/auth/session.txt", "session\n"),
            ("README", "readme\n"),
        ],
    );
    env.git(&repo, &["branch", "target"]);
    let fix = env.commit(
        &repo,
        "Add a regression test",
        &[("src/auth/test_bypass.txt", "test\n")],
    );
    env.git(&repo, &["switch", "--quiet", "target"]);
    env.git(&repo, &["mv", "src/auth", "src/security"]);
    env.git(&repo, &["commit", "--quiet", "-m", "Move auth"]);

    let git = git_picks(&env, &repo, "target", &[&fix]);
    assert_eq!(
        git,
        [GitPick::Conflict(vec![
            "src/security/test_bypass.txt".into()
        ])]
    );
    assert_eq!(our_picks(&env, &repo, "target", &[&fix]), git);

    // The stop: the file in the renamed directory, theirs alone (stage 3), as git leaves it.
    env.hotfix(
        &repo,
        &["backport", &fix, "--to", "target", "--on-conflict", "pause"],
    )
    .expect(3);
    let resolve = repo.join(".git/hotfix/resolve");
    let wt = std::fs::read_dir(&resolve)
        .unwrap()
        .next()
        .expect("a conflict worktree")
        .unwrap()
        .path();
    let unmerged = env.git(&wt, &["ls-files", "--unmerged"]);
    assert!(
        unmerged.ends_with(" 3\tsrc/security/test_bypass.txt\n") && unmerged.lines().count() == 1,
        "{unmerged}"
    );
    assert_eq!(
        std::fs::read_to_string(wt.join("src/security/test_bypass.txt")).unwrap(),
        "test\n"
    );
    assert!(!wt.join("src/auth").exists());
    env.git(&wt, &["add", "src/security/test_bypass.txt"]);
    env.hotfix(&repo, &["continue"]).ok();
    let branch = env.git(
        &repo,
        &[
            "branch",
            "--list",
            "backport/*",
            "--format=%(refname:short)",
        ],
    );
    let files = env.git(&repo, &["ls-tree", "-r", "--name-only", branch.trim()]);
    assert!(files.contains("src/security/test_bypass.txt\n"), "{files}");
    assert!(!files.contains("src/auth/"), "{files}");
    env.fsck(&repo);
}

#[test]
fn on_conflict_commit_commits_the_markers_git_would_leave() {
    let env = TestEnv::new();
    let (repo, commits) = kinds_of_change(&env);
    let (_, conflict) = commits.iter().find(|(k, _)| *k == "conflict").unwrap();

    // What `git cherry-pick -x` leaves in the file.
    let wt = env.path("oracle");
    env.git(
        &repo,
        &[
            "worktree",
            "add",
            "--quiet",
            "--detach",
            wt.to_str().unwrap(),
            "target",
        ],
    );
    assert!(
        !env.git_output(&wt, &["cherry-pick", "-x", conflict])
            .status
            .success()
    );
    let expected = std::fs::read_to_string(wt.join("conflict.txt")).unwrap();
    env.git(&wt, &["cherry-pick", "--abort"]);
    assert!(expected.contains("<<<<<<< HEAD"), "{expected}");

    let run = env
        .hotfix(
            &repo,
            &[
                "backport",
                conflict,
                "--to",
                "target",
                "--on-conflict",
                "commit",
            ],
        )
        .expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
        Conflict target                   conflict  backport/target/[ID] (conflict markers committed in conflict.txt)
    error: 1 commit to 0 of 1 lines; not done: target
    hint: the table above says why for each line
    hint: the conflict markers are committed on backport/target/[ID]: resolve them there and push
    ");
    let branch = format!("backport/target/{}", &conflict[..7]);
    assert_eq!(
        env.git(&repo, &["show", &format!("{branch}:conflict.txt")]),
        expected
    );
    let message = env.git(&repo, &["log", "-1", "--format=%B", &branch]);
    assert!(
        message.contains("Conflicts (markers committed"),
        "{message}"
    );
    assert!(
        message.contains(&format!("(cherry picked from commit {conflict})")),
        "{message}"
    );
    assert_eq!(
        env.parents(&repo, &branch),
        [env.rev(&repo, "target").unwrap()]
    );
    env.fsck(&repo);
}

#[test]
fn a_series_where_later_commits_need_earlier_ones_agrees_with_git() {
    let env = TestEnv::new();
    let (repo, _) = kinds_of_change(&env);
    let first = env.commit(&repo, "add dep.txt", &[("dep.txt", "one\n")]);
    let second = env.commit(&repo, "change dep.txt", &[("dep.txt", "one\ntwo\n")]);
    let third = env.commit(
        &repo,
        "change it again",
        &[("dep.txt", "one\ntwo\nthree\n")],
    );
    let series = [first.as_str(), second.as_str(), third.as_str()];
    assert_eq!(
        our_picks(&env, &repo, "target", &series),
        git_picks(&env, &repo, "target", &series)
    );
    // The same series as a range, in order.
    let range = format!("{first}^..{third}");
    let ours = our_picks(&env, &repo, "target", &[&range]);
    assert_eq!(ours, git_picks(&env, &repo, "target", &series));
    // Alone, the second commit does not apply (its file does not exist there): both conflict.
    assert_eq!(
        our_picks(&env, &repo, "target", &[&second]),
        git_picks(&env, &repo, "target", &[&second])
    );
}

#[test]
fn changes_a_line_already_has_are_empty() {
    let env = TestEnv::new();
    let (repo, commits) = kinds_of_change(&env);
    let modify = commits[0].1.clone();
    // Cherry-picked earlier with -x: found by its trailer.
    env.git(&repo, &["branch", "picked", "target"]);
    let wt = env.path("wt-picked");
    env.git(
        &repo,
        &["worktree", "add", "--quiet", wt.to_str().unwrap(), "picked"],
    );
    env.git(&wt, &["cherry-pick", "-x", &modify]);
    // Made by hand, the same change: the pick changes nothing.
    env.git(&repo, &["branch", "by-hand", "target"]);
    let wt2 = env.path("wt-by-hand");
    env.git(
        &repo,
        &[
            "worktree",
            "add",
            "--quiet",
            wt2.to_str().unwrap(),
            "by-hand",
        ],
    );
    env.commit(
        &wt2,
        "same fix by hand",
        &[("mod.txt", "1\n2\nthree\n4\n5\n")],
    );
    // The same change, then more work on the same line: git would conflict, the patch is there.
    env.git(&repo, &["branch", "reworked", "by-hand"]);
    let wt3 = env.path("wt-reworked");
    env.git(
        &repo,
        &[
            "worktree",
            "add",
            "--quiet",
            wt3.to_str().unwrap(),
            "reworked",
        ],
    );
    env.commit(&wt3, "rework line 3", &[("mod.txt", "1\n2\nTHREE\n4\n5\n")]);

    let plan = env
        .hotfix(
            &repo,
            &[
                "backport", &modify, "--to", "picked", "--to", "by-hand", "--to", "reworked",
                "--to", "src", "--plan", "--json",
            ],
        )
        .ok()
        .json();
    let why = |i: usize| {
        plan["targets"][i]["commits"][0]["empty"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let names: Vec<&str> = plan["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    for name in ["picked", "by-hand", "reworked", "src"] {
        assert_eq!(plan["targets"][at(name)]["status"], "empty", "{name}");
    }
    assert_eq!(why(at("picked")), "trailer");
    assert_eq!(why(at("by-hand")), "no-change");
    assert_eq!(why(at("reworked")), "same-patch");
    assert_eq!(why(at("src")), "contained");
    // git agrees that the first two are empty.
    assert_eq!(
        git_picks(&env, &repo, "picked", &[&modify]),
        [GitPick::Empty]
    );
    assert_eq!(
        git_picks(&env, &repo, "by-hand", &[&modify]),
        [GitPick::Empty]
    );
}

fn line_branches(env: &TestEnv, repo: &Path) -> Vec<String> {
    env.git(
        repo,
        &[
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/heads/backport/",
        ],
    )
    .lines()
    .map(String::from)
    .collect()
}

#[test]
fn six_lines_get_a_branch_each_without_touching_the_worktree() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let index_before = std::fs::read(repo.join(".git/index")).unwrap();
    let head_before = env.git(&repo, &["symbolic-ref", "HEAD"]);

    let run = env
        .hotfix(&repo, &["backport", &fix, "--to", "release/*"])
        .ok();

    let branches = line_branches(&env, &repo);
    assert_eq!(branches.len(), 6, "{branches:?}");
    for minor in 0..6 {
        let branch = format!("backport/release/1.{minor}/{}", fix[..7].to_owned());
        let line = format!("release/1.{minor}");
        assert!(branches.contains(&branch), "{branch} in {branches:?}");
        assert_eq!(
            env.parents(&repo, &branch),
            vec![env.rev(&repo, &line).unwrap()]
        );
        // The tree is git's cherry-pick, the message has git's -x trailer, the author is kept.
        assert_eq!(
            vec![GitPick::Tree(
                env.rev(&repo, &format!("{branch}^{{tree}}")).unwrap()
            )],
            git_picks(&env, &repo, &line, &[&fix])
        );
        let message = env.git(&repo, &["log", "-1", "--format=%B", &branch]);
        assert!(
            message.ends_with(&format!("\n\n(cherry picked from commit {fix})\n\n")),
            "{message}"
        );
        assert_eq!(
            env.git(&repo, &["log", "-1", "--format=%an %ad", &branch]),
            env.git(&repo, &["log", "-1", "--format=%an %ad", &fix])
        );
        // The line itself does not move.
        assert_eq!(env.parents(&repo, &line).len(), 1);
    }
    // Oldest line first.
    let order: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("release/1."))
        .collect();
    assert!(
        order[0].contains("release/1.0") && order[5].contains("release/1.5"),
        "{order:?}"
    );
    assert_eq!(
        std::fs::read(repo.join(".git/index")).unwrap(),
        index_before
    );
    assert_eq!(env.git(&repo, &["symbolic-ref", "HEAD"]), head_before);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    env.fsck(&repo);
}

#[test]
fn the_current_hotfix_is_picked_by_default_onto_the_maintained_lines() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    env.start_and_fix(&repo);
    let json = env
        .hotfix(&repo, &["backport", "--maintained", "--json"])
        .ok()
        .json();
    assert_eq!(json["hotfix"], "ENG-1234");
    assert_eq!(json["state"], "done");
    let first = &json["targets"][0];
    assert_eq!(first["target"], "release/1.0");
    assert_eq!(
        first["branch"],
        "backport/release/1.0/ENG-1234-fix-auth-bypass"
    );
    assert_eq!(first["status"], "clean");
    assert_eq!(first["commits"][0]["status"], "picked");
    assert!(first["commits"][0]["result"].is_string());
    // The hotfix's journal remembers it.
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let events = status["hotfix"]["events"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["event"] == "backported"),
        "{events:?}"
    );
    env.fsck(&repo);
}

#[test]
fn backport_branches_can_be_named_by_ticket() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    env.start_and_fix(&repo);
    let json = env
        .hotfix(
            &repo,
            &[
                "-c",
                "backport-branch-template=backport/{target}/hotfix-{ticket}",
                "backport",
                "--to",
                "release/1.0",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(
        json["targets"][0]["branch"],
        "backport/release/1.0/hotfix-ENG-1234"
    );
    let picked = json["targets"][0]["commits"][0]["result"].as_str().unwrap();
    assert_eq!(
        env.rev(&repo, "backport/release/1.0/hotfix-ENG-1234")
            .as_deref(),
        Some(picked)
    );
    env.fsck(&repo);
}

#[test]
fn a_finished_hotfix_is_backported_from_its_journal() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    env.hotfix(&repo, &["finish"]).ok();
    let json = env
        .hotfix(
            &repo,
            &[
                "backport",
                "--hotfix",
                "ENG-1234",
                "--to",
                "release/1.5",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(json["sources"], serde_json::json!([fix]));
    assert_eq!(json["targets"][0]["status"], "clean");
}

/// `release_lines` where release/1.3 changed auth.txt its own way, so the fix conflicts there.
fn one_line_conflicts(env: &TestEnv) -> (PathBuf, String) {
    let repo = env.release_lines().dir;
    env.git(&repo, &["switch", "--quiet", "release/1.3"]);
    env.commit(&repo, "1.3 reworks auth", &[("auth.txt", "check on 1.3\n")]);
    env.git(&repo, &["switch", "--quiet", "main"]);
    let fix = env.start_and_fix(&repo);
    (repo, fix)
}

#[test]
fn a_conflict_pauses_and_continue_brings_the_fix_to_every_line() {
    let env = TestEnv::new();
    let (repo, fix) = one_line_conflicts(&env);

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
    // The lines before it are done, the ones after it wait.
    assert_eq!(line_branches(&env, &repo).len(), 3);
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let states: Vec<&str> = status["backport"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["clean", "clean", "clean", "conflict", "pending", "pending"]
    );
    let wt = repo.join(".git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3");
    let git_status = env.git(&wt, &["status"]);
    assert!(
        git_status.contains("You are currently cherry-picking commit"),
        "{git_status}"
    );
    assert!(
        git_status.contains("both modified:   auth.txt"),
        "{git_status}"
    );
    // Unresolved, continue refuses and says so.
    let refused = env.hotfix(&repo, &["continue"]).expect(3);
    assert_snapshot!(scrub(&env, &refused.stderr), @"
    error: the conflicts in [TMP]/repo/.git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3 are not resolved yet: auth.txt
    hint: resolve them in [TMP]/repo/.git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3, `git add` them there, then run `git hotfix continue` (or `git hotfix abort`)
    ");

    std::fs::write(wt.join("auth.txt"), "check signature on 1.3\n").unwrap();
    env.git(&wt, &["add", "auth.txt"]);
    env.hotfix(&repo, &["continue"]).ok();

    let branches = line_branches(&env, &repo);
    assert_eq!(branches.len(), 6, "{branches:?}");
    let resolved = "backport/release/1.3/ENG-1234-fix-auth-bypass";
    assert_eq!(
        env.git(&repo, &["show", &format!("{resolved}:auth.txt")]),
        "check signature on 1.3\n"
    );
    assert!(
        env.git(&repo, &["log", "-1", "--format=%B", resolved])
            .contains(&format!("(cherry picked from commit {fix})"))
    );
    assert!(!wt.exists());
    assert!(!repo.join(".git/hotfix/backports/current.json").exists());
    env.fsck(&repo);
}

#[test]
fn without_a_terminal_conflicting_lines_are_skipped_and_the_exit_code_says_so() {
    let env = TestEnv::new();
    let (repo, _) = one_line_conflicts(&env);
    let json = env
        .hotfix(&repo, &["backport", "--maintained", "--json"])
        .expect(3)
        .json();
    assert_eq!(json["state"], "done");
    let states: Vec<&str> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["clean", "clean", "clean", "conflict", "clean", "clean"]
    );
    assert_eq!(
        json["targets"][3]["conflicts"],
        serde_json::json!(["auth.txt"])
    );
    assert_eq!(line_branches(&env, &repo).len(), 5);
    assert!(!repo.join(".git/hotfix/resolve").exists());
    env.fsck(&repo);
}

#[test]
fn on_conflict_abort_writes_nothing_unless_every_line_is_clean() {
    let env = TestEnv::new();
    let (repo, _) = one_line_conflicts(&env);
    let before = snapshot(&repo);
    let run = env
        .hotfix(
            &repo,
            &["backport", "--maintained", "--on-conflict", "abort"],
        )
        .expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: a line conflicts and --on-conflict abort was asked: nothing was written
    hint: backport with `--on-conflict pause` to resolve it, or `skip` to leave it out
    ");
    assert_unchanged(&before, &snapshot(&repo));
}

#[test]
fn skip_leaves_the_conflicting_line_out_and_goes_on() {
    let env = TestEnv::new();
    let (repo, _) = one_line_conflicts(&env);
    env.hotfix(
        &repo,
        &["backport", "--maintained", "--on-conflict", "pause"],
    )
    .expect(3);
    let json = env.hotfix(&repo, &["skip", "--json"]).expect(1).json();
    let states: Vec<&str> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["clean", "clean", "clean", "skipped", "clean", "clean"]
    );
    assert_eq!(line_branches(&env, &repo).len(), 5);
    assert!(!repo.join(".git/hotfix/resolve").exists());
    env.fsck(&repo);
}

#[test]
fn abort_removes_every_branch_and_worktree_the_run_made() {
    let env = TestEnv::new();
    let (repo, _) = one_line_conflicts(&env);
    let refs = env.refs(&repo);
    env.hotfix(
        &repo,
        &["backport", "--maintained", "--on-conflict", "pause"],
    )
    .expect(3);
    let plan = env.hotfix(&repo, &["abort", "--plan"]).ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @"
    Would abort the backport of ENG-1234:
      - remove the worktree [TMP]/repo/.git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3
      - delete backport/release/1.2/ENG-1234-fix-auth-bypass
      - delete backport/release/1.1/ENG-1234-fix-auth-bypass
      - delete backport/release/1.0/ENG-1234-fix-auth-bypass
    ");
    env.hotfix(&repo, &["abort"]).ok();
    assert_eq!(env.refs(&repo), refs);
    assert!(!repo.join(".git/hotfix/resolve").exists());
    assert!(!repo.join(".git/worktrees").exists());
    assert!(!repo.join(".git/hotfix/backports/current.json").exists());
    env.fsck(&repo);
}

#[test]
fn cascade_picks_each_line_from_the_previous_one() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let json = env
        .hotfix(
            &repo,
            &[
                "backport",
                &fix,
                "--to",
                "release/1.4",
                "--to",
                "release/1.5",
                "--cascade",
                "--json",
            ],
        )
        .ok()
        .json();
    let first = json["targets"][0]["commits"][0]["result"]
        .as_str()
        .unwrap()
        .to_string();
    let second = json["targets"][1]["commits"][0]["result"]
        .as_str()
        .unwrap()
        .to_string();
    let message = env.git(&repo, &["log", "-1", "--format=%B", &second]);
    assert!(
        message.contains(&format!("(cherry picked from commit {first})")),
        "{message}"
    );
    env.fsck(&repo);
}

#[test]
fn cascade_stops_at_the_first_conflict() {
    let env = TestEnv::new();
    let (repo, fix) = one_line_conflicts(&env);
    let json = env
        .hotfix(
            &repo,
            &["backport", &fix, "--maintained", "--cascade", "--json"],
        )
        .expect(3)
        .json();
    let states: Vec<&str> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["clean", "clean", "clean", "conflict", "skipped", "skipped"]
    );
    assert_eq!(
        json["targets"][4]["reason"],
        "cascade stopped at release/1.3"
    );
    env.fsck(&repo);
}

#[test]
fn onto_target_moves_the_lines_themselves() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let before = env.rev(&repo, "release/1.5").unwrap();
    env.hotfix(
        &repo,
        &["backport", &fix, "--to", "release/1.5", "--onto-target"],
    )
    .ok();
    assert_eq!(env.parents(&repo, "release/1.5"), vec![before]);
    assert!(line_branches(&env, &repo).is_empty());
    env.fsck(&repo);
}

#[test]
fn merges_need_a_mainline() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    env.git(&repo, &["switch", "--quiet", "-c", "topic", "main"]);
    env.commit(&repo, "topic fix", &[("auth.txt", "fixed\n")]);
    env.git(&repo, &["switch", "--quiet", "main"]);
    env.git(
        &repo,
        &["merge", "--quiet", "--no-ff", "-m", "Merge topic", "topic"],
    );
    let run = env
        .hotfix(&repo, &["backport", "HEAD", "--to", "release/1.5"])
        .expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [ID] is a merge of 2 parents: say which parent's side to pick with --mainline N
    hint: `--mainline 1` picks the change the merge brought to its first parent
    ");
    env.hotfix(
        &repo,
        &["backport", "HEAD", "--to", "release/1.5", "--mainline", "1"],
    )
    .ok();
    let branch = line_branches(&env, &repo).pop().unwrap();
    assert_eq!(
        env.git(&repo, &["show", &format!("{branch}:auth.txt")]),
        "fixed\n"
    );
    env.fsck(&repo);
}

#[test]
fn the_plan_writes_nothing_and_a_second_run_finds_the_work_done() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let before = snapshot(&repo);
    let out = env
        .hotfix(&repo, &["backport", &fix, "--to", "release/*", "--plan"])
        .ok()
        .stdout;
    assert_unchanged(&before, &snapshot(&repo));
    assert_eq!(
        out.lines().filter(|l| l.contains(" clean ")).count(),
        6,
        "{out}"
    );

    env.hotfix(&repo, &["backport", &fix, "--to", "release/*"])
        .ok();
    let again = env
        .hotfix(&repo, &["backport", &fix, "--to", "release/*", "--json"])
        .ok()
        .json();
    for target in again["targets"].as_array().unwrap() {
        assert_eq!(target["status"], "empty", "{target}");
        assert!(
            target["reason"]
                .as_str()
                .unwrap()
                .starts_with("already backported on"),
            "{target}"
        );
    }
}

#[test]
fn bad_targets_and_sources_are_refused_before_anything_is_written() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let before = snapshot(&repo);
    let run = env.hotfix(&repo, &["backport", &fix]).expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: say where to backport: `--to <branch|glob>` or `--maintained`
    hint: `--maintained` uses release-branches from .hotfix.toml
    ");
    let run = env
        .hotfix(&repo, &["backport", &fix, "--to", "support/*"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no branch to backport to: nothing matches support/*
    hint: name existing branches with `--to`, or set release-branches in .hotfix.toml for `--maintained`
    ");
    let run = env
        .hotfix(&repo, &["backport", &fix, "--to", "release/9.9"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: the release line branch `release/9.9` does not exist
    hint: create it again, or start the hotfix from a tag
    ");
    let run = env
        .hotfix(&repo, &["backport", "nope", "--to", "release/1.0"])
        .expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `nope` does not name a commit
    hint: check it with `git rev-parse --verify nope`
    ");
    let run = env
        .hotfix(
            &repo,
            &[
                "backport",
                &fix,
                "--to",
                "release/*",
                "--branch-template",
                "bp/{name}",
            ],
        )
        .expect(2);
    // One line may go by a template without `{target}` (`backport/rc/{name}`); several
    // would share its branch.
    assert!(
        run.stderr.starts_with(
            "error: the backport branch template `bp/{name}` names the backports to release/1.0 and release/1.1 alike: `bp/"
        ) && run.stderr.contains("hint: backport to one of them at a time (`--to`), or put `{target}`"),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &snapshot(&repo));
}

/// Kill the run at different moments; whatever is left, `status` shows it and `continue`
/// (or a new run) ends with every line done and a sound repository.
#[test]
fn a_run_killed_at_any_moment_is_recovered() {
    use std::os::unix::process::CommandExt;
    for delay_ms in [0u64, 3, 8, 15, 30, 60] {
        let env = TestEnv::new();
        let repo = env.release_lines().dir;
        let fix = env.start_and_fix(&repo);
        let mut child = env
            .hotfix_command(&repo, &["backport", &fix, "--to", "release/*"])
            .process_group(0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
        let _ = child.wait();

        env.hotfix(&repo, &["status"]).ok();
        if repo.join(".git/hotfix/backports/current.json").exists() {
            env.hotfix(&repo, &["continue"]).ok();
        } else if line_branches(&env, &repo).len() < 6 {
            env.hotfix(&repo, &["backport", &fix, "--to", "release/*"])
                .ok();
        }
        assert_eq!(
            line_branches(&env, &repo).len(),
            6,
            "after a kill at {delay_ms} ms"
        );
        env.fsck(&repo);
    }
}

/// A run killed inside its ref transaction leaves git's lock files behind; `continue` knows
/// the ones holding what it was writing are its own, and leaves anyone else's alone.
#[test]
fn locks_left_by_a_killed_run_are_cleared_and_foreign_ones_kept() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let plan = env
        .hotfix(
            &repo,
            &[
                "backport",
                &fix,
                "--to",
                "release/1.0",
                "--to",
                "release/1.1",
                "--plan",
                "--json",
            ],
        )
        .ok()
        .json();
    let lock = |i: usize| {
        let branch = plan["targets"][i]["branch"].as_str().unwrap();
        repo.join(format!(".git/refs/heads/{branch}.lock"))
    };
    let ours = plan["targets"][0]["result"].as_str().unwrap();
    std::fs::create_dir_all(lock(0).parent().unwrap()).unwrap();
    std::fs::write(lock(0), format!("{ours}\n")).unwrap();

    // The run stops at the lock with the journal saying the refs were moving.
    let run = env
        .hotfix(
            &repo,
            &[
                "backport",
                &fix,
                "--to",
                "release/1.0",
                "--to",
                "release/1.1",
            ],
        )
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `[TMP]/repo/.git/refs/heads/backport/release/1.0/[ID].lock` is locked by another git process
    hint: wait for the other process; if none is running, remove [TMP]/repo/.git/refs/heads/backport/release/1.0/[ID].lock
    ");
    // A lock with someone else's value is not ours to remove.
    std::fs::create_dir_all(lock(1).parent().unwrap()).unwrap();
    std::fs::write(lock(1), "0123456789012345678901234567890123456789\n").unwrap();
    let run = env.hotfix(&repo, &["continue"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `[TMP]/repo/.git/refs/heads/backport/release/1.1/[ID].lock` is locked by another git process
    hint: wait for the other process; if none is running, remove [TMP]/repo/.git/refs/heads/backport/release/1.1/[ID].lock
    ");
    assert!(!lock(0).exists(), "our own lock is cleared");
    assert!(lock(1).exists(), "a foreign lock stays");

    std::fs::remove_file(lock(1)).unwrap();
    env.hotfix(&repo, &["continue"]).ok();
    assert_eq!(line_branches(&env, &repo).len(), 2);
    env.fsck(&repo);
}

#[test]
fn onto_target_moves_a_checked_out_line_with_its_worktree_or_refuses_when_dirty() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let wt = env.path("line-wt");
    env.git(
        &repo,
        &[
            "worktree",
            "add",
            "--quiet",
            wt.to_str().unwrap(),
            "release/1.5",
        ],
    );
    std::fs::write(wt.join("line-1.5.txt"), "local edit\n").unwrap();
    let refs = env.refs(&repo);
    let run = env
        .hotfix(
            &repo,
            &["backport", &fix, "--to", "release/1.5", "--onto-target"],
        )
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `release/1.5` is checked out in [TMP]/line-wt with local changes: line-1.5.txt
    hint: commit or stash the changes in that worktree, or switch it to another branch
    ");
    assert_eq!(env.refs(&repo), refs);
    assert!(
        !repo.join(".git/hotfix/backports").exists(),
        "refused before anything was written"
    );

    env.git(&wt, &["checkout", "--quiet", "--", "line-1.5.txt"]);
    env.hotfix(
        &repo,
        &["backport", &fix, "--to", "release/1.5", "--onto-target"],
    )
    .ok();
    assert_eq!(env.git(&wt, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(wt.join("auth.txt")).unwrap(),
        "check signature\n"
    );
    env.fsck(&repo);
}

#[test]
fn a_backport_run_under_way_elsewhere_is_not_called_stopped() {
    let env = TestEnv::new();
    let (repo, _) = one_line_conflicts(&env);
    env.hotfix(
        &repo,
        &["backport", "--maintained", "--on-conflict", "pause"],
    )
    .expect(3);
    let run = env.hotfix(&repo, &["status"]).ok();
    assert_snapshot!(scrub(&env, &run.stdout), @r#"
    Hotfix ENG-1234: fix auth bypass
      branch   hotfix/ENG-1234-fix-auth-bypass at [ID]
      base     v1.6.0 ([ID])
      version  1.6.1, tag v1.6.1
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
      - tag v1.6.1 on [ID] ("Hotfix 1.6.1: fix auth bypass")
      - fast-forward main to [ID]
      - delete hotfix/ENG-1234-fix-auth-bypass
      - switch [TMP]/repo to main

    Backport of ENG-1234 stopped:
      release/1.0              clean     backport/release/1.0/ENG-1234-fix-auth-bypass at [ID] (1 picked)
      release/1.1              clean     backport/release/1.1/ENG-1234-fix-auth-bypass at [ID] (1 picked)
      release/1.2              clean     backport/release/1.2/ENG-1234-fix-auth-bypass at [ID] (1 picked)
      release/1.3              conflict  auth.txt
      release/1.4              pending   
      release/1.5              pending   
      Resolve in [TMP]/repo/.git/hotfix/resolve/ENG-1234-fix-auth-bypass-release-1.3, `git add` the files there, then `git hotfix continue` (or `skip`, `abort`).
    "#);

    // Another git-hotfix holds the lock, as a run under way does.
    let lock = std::fs::File::options()
        .write(true)
        .open(repo.join(".git/hotfix/lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let run = env.hotfix(&repo, &["status"]).ok();
    assert_snapshot!(scrub(&env, &run.stdout), @r#"
    Hotfix ENG-1234: fix auth bypass
      branch   hotfix/ENG-1234-fix-auth-bypass at [ID]
      base     v1.6.0 ([ID])
      version  1.6.1, tag v1.6.1
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
      - tag v1.6.1 on [ID] ("Hotfix 1.6.1: fix auth bypass")
      - fast-forward main to [ID]
      - delete hotfix/ENG-1234-fix-auth-bypass
      - switch [TMP]/repo to main

    Backport of ENG-1234 under way (another git hotfix is running it):
      release/1.0              clean     backport/release/1.0/ENG-1234-fix-auth-bypass at [ID] (1 picked)
      release/1.1              clean     backport/release/1.1/ENG-1234-fix-auth-bypass at [ID] (1 picked)
      release/1.2              clean     backport/release/1.2/ENG-1234-fix-auth-bypass at [ID] (1 picked)
      release/1.3              conflict  auth.txt
      release/1.4              pending   
      release/1.5              pending
    "#);
    assert!(
        !run.stdout.contains("git hotfix continue"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_plan_with_no_line_to_fetch_names_none() {
    let env = TestEnv::new();
    let fixture = env.with_origin(env.release_lines());
    let fix = env.start_and_fix(&fixture.dir);
    let run = env
        .hotfix(
            &fixture.dir,
            &["backport", &fix, "--to", "nothing/*", "--plan"],
        )
        .expect(1);
    assert!(!run.stderr.contains("fetches  from"), "{}", run.stderr);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no branch to backport to: nothing matches nothing/*
    hint: name existing branches with `--to`, or set release-branches in .hotfix.toml for `--maintained`
    ");
}

/// A template without `{target}` (`backport/rc/{name}`) serves a team with one line to
/// backport to. Its branch, left for one line, is not another line's backport: refused,
/// never "already backported".
#[test]
fn a_one_line_template_s_branch_is_not_another_line_s_backport() {
    let env = TestEnv::new();
    let repo = env.release_lines().dir;
    let fix = env.start_and_fix(&repo);
    let one_line = ["--branch-template", "backport/rc/{name}"];
    let to = |line: &str| {
        let mut args = vec!["backport", fix.as_str(), "--to", line];
        args.extend(one_line);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let args = to("release/1.1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.hotfix(&repo, &args).ok();
    let branch = env
        .git(
            &repo,
            &[
                "branch",
                "--list",
                "backport/rc/*",
                "--format=%(refname:short)",
            ],
        )
        .trim()
        .to_string();
    let made = env.rev(&repo, &branch).unwrap();
    let before = snapshot(&repo);

    let args = to("release/1.0");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let refused = env.hotfix(&repo, &args).expect(1);
    assert!(
        refused.stderr.contains(&format!(
            "backport branch `{branch}` holds commits that are not release/1.0's"
        )) && refused.stderr.contains(&format!("git branch -D {branch}")),
        "{}",
        refused.stderr
    );
    assert_unchanged(&before, &snapshot(&repo));
    assert_eq!(env.rev(&repo, &branch).unwrap(), made);
    // The same line again: its own branch, already backported.
    let args = to("release/1.1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let again = env
        .hotfix(&repo, &[&args[..], &["--json"]].concat())
        .ok()
        .json();
    assert_eq!(again["targets"][0]["status"], "empty", "{again}");
    // Said as it is: nothing was picked.
    let said = env.hotfix(&repo, &args).ok();
    assert!(
        said.stderr.contains("Unchanged")
            && said.stderr.contains("is on 1 of 1 lines already")
            && !said.stderr.contains("Backported"),
        "{}",
        said.stderr
    );
    env.fsck(&repo);
}
