//! Hostile patch files. What `git am` refuses, `patch apply` refuses too, with git's reason
//! and exit 1, and writes nothing: no ref, object or file in the repository, nothing
//! outside it. `git am` (with its default `core.protectNTFS`, and `core.protectHFS` on) is
//! the oracle for every case.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;

use crate::common::{TestEnv, assert_unchanged, scrub, snapshot};

/// A repository with a file `foo`, a file `app.txt`, and a symbolic link `a` to a
/// directory outside it (`outside/`, holding `secret`).
fn target(env: &TestEnv) -> PathBuf {
    let outside = env.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret"), "ssh-ed25519 AAAA… ada\n").unwrap();
    let repo = env.init("repo");
    std::os::unix::fs::symlink(&outside, repo.join("a")).unwrap();
    env.git(&repo, &["add", "a"]);
    env.commit(&repo, "base", &[("foo", "x\n"), ("app.txt", "hi\n")]);
    repo
}

/// A mail as `git format-patch` writes one, around `diff`.
fn mail(diff: &str) -> String {
    format!(
        "From 0123456789012345678901234567890123456789 Mon Sep 17 00:00:00 2001\n\
From: Mallory <mallory@example.com>\n\
Date: Thu, 5 Mar 2026 14:23:00 +0000\n\
Subject: [PATCH] hostile\n\n---\n{diff}-- \n2.47.3\n\n"
    )
}

/// A mail creating the file `path` (as it is written in the header, quoted or not).
fn creating(path: &str) -> String {
    mail(&format!(
        "diff --git {a} {b}\nnew file mode 100644\nindex 0000000..e69de29\n--- /dev/null\n+++ {b}\n@@ -0,0 +1 @@\n+pwned\n",
        a = with_prefix("a/", path),
        b = with_prefix("b/", path),
    ))
}

/// `a/` or `b/` before a name, inside its quotes when it is quoted.
fn with_prefix(prefix: &str, path: &str) -> String {
    match path.strip_prefix('"') {
        Some(quoted) => format!("\"{prefix}{quoted}"),
        None => format!("{prefix}{path}"),
    }
}

/// `git am` of `patch` in a fresh clone of `repo`: whether git takes it.
fn git_am_takes(env: &TestEnv, repo: &Path, patch: &Path, name: &str) -> bool {
    let clone = env.path(name);
    env.git(
        env.root.path(),
        &[
            "clone",
            "--quiet",
            repo.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    env.git_output(
        &clone,
        &[
            "-c",
            "core.protectHFS=true",
            "am",
            "--quiet",
            patch.to_str().unwrap(),
        ],
    )
    .status
    .success()
}

/// `patch apply` of `text` is refused like `git am` refuses it: exit 1, `says` in the
/// error, and not a byte changed in the repository (but the hotfix lock file, which every
/// command that writes takes) or outside it. Returns the error.
#[track_caller]
fn refused(env: &TestEnv, repo: &Path, case: &str, text: &str, says: &str) -> String {
    let patch = env.path(&format!("{case}.patch"));
    std::fs::write(&patch, text).unwrap();
    assert!(
        !git_am_takes(env, repo, &patch, &format!("am-{case}")),
        "{case}: git am takes it"
    );
    let lock = repo.join(".git/hotfix/lock");
    let repo_files = || {
        let mut files = snapshot(repo);
        files.remove(&lock);
        files
    };
    let (before, outside) = (repo_files(), snapshot(&env.path("outside")));
    let run = env
        .hotfix(repo, &["patch", "apply", patch.to_str().unwrap()])
        .expect(1);
    assert!(
        run.stderr.contains(says),
        "{case}: `{says}` not in\n{}",
        run.stderr
    );
    assert_unchanged(&before, &repo_files());
    assert_unchanged(&outside, &snapshot(&env.path("outside")));
    run.stderr
}

#[test]
fn paths_git_refuses_are_refused_before_anything_is_written() {
    let env = TestEnv::new();
    let repo = target(&env);
    let paths = [
        ("parent", "../outside/pwned", "component `..`"),
        ("climb", "x/../../outside/pwned", "component `..`"),
        ("absolute", "/tmp/git-hotfix-pwned", "an empty component"),
        ("trailing-slash", "x/", "an empty component"),
        ("dot", "./x", "component `.`"),
        ("dot-git", ".git/hooks/post-applypatch", ".git"),
        ("nested-dot-git", "sub/.git/config", ".git"),
        ("case", ".GIT/config", ".git"),
        ("trailing-dot", ".git./config", ".git"),
        ("trailing-space", "\".git /config\"", ".git"),
        ("ntfs-short-name", "GIT~1/config", ".git"),
        ("ntfs-stream", ".git::$INDEX_ALLOCATION/config", ".git"),
        // `.g` ZERO WIDTH NON-JOINER `it`: HFS+ ignores the code point.
        ("hfs-ignorable", "\".g\\342\\200\\214it/config\"", ".git"),
    ];
    for (case, path, says) in paths {
        let error = refused(&env, &repo, case, &creating(path), "invalid path");
        assert!(error.contains(says), "{case}: `{says}` not in\n{error}");
    }
    // Paths a tree holds and no checkout can: the branch would move and the files could
    // never follow it (git: "File name too long").
    let long = "n".repeat(300);
    let long_in_dir = format!("d/{}", "n".repeat(300));
    let deep = format!("{}f", "a/".repeat(2500));
    let components = vec!["c".repeat(250); 17].join("/");
    for (case, path) in [
        ("long-name", long.as_str()),
        ("long-in-directory", long_in_dir.as_str()),
        ("deep", deep.as_str()),
        ("long-path", components.as_str()),
    ] {
        let error = refused(&env, &repo, case, &creating(path), "invalid path");
        assert!(
            error.contains("File name too long"),
            "{case}: not in\n{error}"
        );
    }
}

#[test]
fn changes_git_refuses_are_refused_with_its_reason() {
    let env = TestEnv::new();
    let repo = target(&env);
    // A hunk header damaged into `-- `: more of the patch follows what reads as the
    // signature (git: "patch fragment without header").
    refused(
        &env,
        &repo,
        "damaged-hunk-header",
        &mail(
            "diff --git a/app.txt b/app.txt\nindex 45b983b..1111111 100644\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-hi\n+ho\n-- \n-x\n+y\n@@ -9 +9 @@\n-p\n+q\n",
        ),
        "a hunk header is damaged",
    );
    // A header git cannot decode: git refuses the mail, rather than keep it raw.
    for (case, subject) in [
        ("unclosed-word", "=?UTF-8?q?broken"),
        ("unknown-charset", "=?unknown-cs?q?caf=E9?="),
    ] {
        let text = mail(
            "diff --git a/app.txt b/app.txt\nindex 45b983b..1111111 100644\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-hi\n+ho\n",
        )
        .replace("Subject: [PATCH] hostile", &format!("Subject: [PATCH] {subject}"));
        refused(
            &env,
            &repo,
            case,
            &text,
            "its `Subject:` has a malformed encoded word",
        );
    }
    // A tracked file turned into a link in place (here to a file outside), with a hunk,
    // with the new mode only, or with no hunk at all; and a link turned into a file.
    for (case, diff) in [
        (
            "file-to-link",
            "diff --git a/app.txt b/app.txt\nold mode 100644\nnew mode 120000\nindex 45b983b..1111111\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-hi\n+/etc/passwd\n\\ No newline at end of file\n",
        ),
        (
            "file-to-link-new-mode-only",
            "diff --git a/app.txt b/app.txt\nnew mode 120000\nindex 45b983b..1111111\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-hi\n+/etc/passwd\n\\ No newline at end of file\n",
        ),
        (
            "file-to-link-no-hunk",
            "diff --git a/app.txt b/app.txt\nold mode 100644\nnew mode 120000\n",
        ),
    ] {
        refused(&env, &repo, case, &mail(diff), "does not match old mode");
    }
    // A directory where the tree has a file: git does not replace the file.
    refused(
        &env,
        &repo,
        "file-to-directory",
        &creating("foo/new"),
        "foo is a file in the tree: foo/new cannot be created in it",
    );
    // Through the symbolic link `a`, which points outside.
    refused(
        &env,
        &repo,
        "beyond-link",
        &creating("a/y"),
        "a/y is beyond a symbolic link",
    );
    // Headers and no hunks: a truncated mail is not "already there".
    refused(
        &env,
        &repo,
        "truncated",
        &mail(
            "diff --git a/app.txt b/app.txt\nindex 45b983b..e69de29 100644\n--- a/app.txt\n+++ b/app.txt\n",
        ),
        "and no hunk: it is truncated",
    );
    refused(
        &env,
        &repo,
        "bad-mode",
        &mail(
            "diff --git a/n b/n\nnew file mode 10x644\nindex 0000000..e69de29\n--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+p\n",
        ),
        "invalid mode `10x644`",
    );
    refused(&env, &repo, "empty", "", "it is empty");

    // A deletion without hunks of a file that has content does not apply, as in git:
    // the run stops (exit 3) with main where it was.
    let patch = env.path("deletion.patch");
    std::fs::write(
        &patch,
        mail("diff --git a/app.txt b/app.txt\ndeleted file mode 100644\nindex 45b983b..0000000\n"),
    )
    .unwrap();
    assert!(!git_am_takes(&env, &repo, &patch, "am-deletion"));
    let main = env.rev(&repo, "main");
    let run = env
        .hotfix(&repo, &["patch", "apply", patch.to_str().unwrap()])
        .expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/deletion.patch (hostile) does not apply onto main: app.txt: the deletion leaves content in the file
    hint: in [TMP]/repo/.git/hotfix/resolve/apply-main the hunks that applied are staged; the others are in the saved patch below: apply them by hand, `git add` the files, then `git hotfix continue`
    hint: or `git hotfix abort` and apply again with `--3way`, which merges when this repository has the blobs the patch was made from
    hint: the patch is saved at [TMP]/repo/.git/hotfix/apply/current/0001.patch
    hint: `git hotfix skip` leaves this patch out; `git hotfix abort` stops here: main has not moved
    ");
    assert_eq!(env.rev(&repo, "main"), main);
    env.hotfix(&repo, &["abort"]).ok();
}

/// Two hunks, the second's header damaged into `-- `: git applies the first and says
/// nothing of the second; `patch apply` takes all of a mail or none of it.
#[test]
fn a_mail_cut_by_a_damaged_hunk_header_is_refused_though_git_am_takes_part() {
    refused_though_git_am_takes_it(
        "half",
        "diff --git a/app.txt b/app.txt\nindex 45b983b..1111111 100644\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-hi\n+ho\n-- \n-x\n+y\n",
        "a hunk header is damaged",
    );
}

/// git itself takes a tree mode in a patch (and then cannot read its own index); a patch
/// cannot make a directory entry, so it is refused.
#[test]
fn a_directory_mode_is_refused_though_git_am_takes_it() {
    refused_though_git_am_takes_it(
        "tree-mode",
        "diff --git a/n b/n\nnew file mode 040000\nindex 0000000..e69de29\n--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+p\n",
        "invalid mode `040000`",
    );
}

/// `patch apply` of a mail around `diff` exits 1 saying `says`, and changes nothing.
fn refused_though_git_am_takes_it(case: &str, diff: &str, says: &str) {
    let env = TestEnv::new();
    let repo = target(&env);
    let patch = env.path(&format!("{case}.patch"));
    std::fs::write(&patch, mail(diff)).unwrap();
    let before = snapshot(&repo);
    let run = env
        .hotfix(&repo, &["patch", "apply", patch.to_str().unwrap()])
        .expect(1);
    assert!(run.stderr.contains(says), "{case}: {}", run.stderr);
    assert_unchanged(&before, &snapshot(&repo));
}

/// The first mail adds a link `app.txt.rej` to a file outside; the second has a hunk for
/// `app.txt` that does not apply. `git apply --reject` would write the reject through the
/// link; the stop leaves the link alone and says where the hunk is.
#[test]
fn a_reject_is_never_written_through_a_link_the_series_made() {
    let env = TestEnv::new();
    let repo = target(&env);
    let secret = env.path("outside").join("secret");
    let link = mail(&format!(
        "diff --git a/app.txt.rej b/app.txt.rej\nnew file mode 120000\nindex 0000000..1111111\n--- /dev/null\n+++ b/app.txt.rej\n@@ -0,0 +1 @@\n+{}\n\\ No newline at end of file\n",
        secret.display()
    ));
    let miss = mail(
        "diff --git a/app.txt b/app.txt\nindex 45b983b..1111111 100644\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-not what is there\n+pwned\n",
    );
    let series = env.path("series");
    std::fs::create_dir_all(&series).unwrap();
    std::fs::write(series.join("0001-link.patch"), link).unwrap();
    std::fs::write(series.join("0002-miss.patch"), miss).unwrap();

    let outside = snapshot(&env.path("outside"));
    let run = env
        .hotfix(&repo, &["patch", "apply", series.to_str().unwrap()])
        .expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Applied [TMP]/series/0001-link.patch: hostile ([ID])
    error: [TMP]/series/0002-miss.patch (hostile) does not apply onto main: hunk #1 (@@ -1 +1 @@) of app.txt matches nowhere (git: patch failed: app.txt:1)
    hint: in [TMP]/repo/.git/hotfix/resolve/apply-main the hunks that applied are staged; the others are in the saved patch below: apply them by hand, `git add` the files, then `git hotfix continue`
    hint: or `git hotfix abort` and apply again with `--3way`, which merges when this repository has the blobs the patch was made from
    hint: the patch is saved at [TMP]/repo/.git/hotfix/apply/current/0002.patch
    hint: `git hotfix skip` leaves this patch out; `git hotfix abort` stops here: main has not moved
    ");
    assert_unchanged(&outside, &snapshot(&env.path("outside")));
    // The link is in the resolution worktree as the first mail made it, still a link.
    let worktree = env.git(&repo, &["worktree", "list", "--porcelain"]);
    let resolution = worktree
        .lines()
        .filter_map(|l| l.strip_prefix("worktree "))
        .find(|p| p.contains("resolve"))
        .expect("a resolution worktree");
    let rej = Path::new(resolution).join("app.txt.rej");
    assert!(rej.symlink_metadata().unwrap().is_symlink());
    assert_eq!(std::fs::read_link(&rej).unwrap(), secret);
    // And the way out works: abort leaves main as it was.
    let main = env.rev(&repo, "main");
    env.hotfix(&repo, &["abort"]).ok();
    assert_eq!(env.rev(&repo, "main"), main);
    assert_unchanged(&outside, &snapshot(&env.path("outside")));
    env.fsck(&repo);
}

#[test]
fn a_file_in_the_way_of_the_checkout_is_refused_before_the_branch_moves() {
    let env = TestEnv::new();
    let repo = target(&env);
    // A person's untracked file where the mail creates one: git am refuses to overwrite it.
    std::fs::write(repo.join("new.txt"), "mine\n").unwrap();
    let patch = env.path("in-the-way.patch");
    std::fs::write(&patch, creating("new.txt")).unwrap();
    let main = env.rev(&repo, "main");
    let run = env
        .hotfix(&repo, &["patch", "apply", patch.to_str().unwrap()])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: could not check out `[ID]` in [TMP]/repo: error: Untracked working tree file 'new.txt' would be overwritten by merge.
    hint: nothing was left half-done; move the files git names out of the way and run it again
    ");
    assert_eq!(env.rev(&repo, "main"), main, "the branch did not move");
    assert_eq!(
        std::fs::read_to_string(repo.join("new.txt")).unwrap(),
        "mine\n"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "?? new.txt\n");
    let again = env.hotfix(&repo, &["abort", "--plan"]);
    assert_snapshot!(scrub(&env, &again.stderr), @"error: there is no stopped run to abort");
}
