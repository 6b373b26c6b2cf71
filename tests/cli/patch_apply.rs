//! `patch apply`, with git as the oracle: a series applies to the commits `git am` makes
//! (same ids, since the tests fix the dates), a hunk that does not apply stops where
//! `git apply` stops and changes nothing, and the stop resumes like a backport's.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;

use crate::common::{TestEnv, assert_unchanged, scrub, snapshot};
use crate::patch::{assert_same_commit, clone_at, every_kind_of_change, patches_in};

/// `every_kind_of_change` plus a second commit whose binary change git writes as a delta.
fn series_with_a_delta(env: &TestEnv) -> (PathBuf, Vec<String>) {
    let (src, fix) = every_kind_of_change(env);
    let mut noise = std::fs::read(src.join("new.bin")).unwrap();
    noise[2000..2010].copy_from_slice(b"0123456789");
    std::fs::write(src.join("new.bin"), noise).unwrap();
    env.git(&src, &["add", "new.bin"]);
    let second = env.commit(
        &src,
        "tweak the binary\n\nA few bytes in the middle.",
        &[("new file.txt", "new\nand more\n")],
    );
    (src, vec![fix, second])
}

fn apply(env: &TestEnv, dir: &Path, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["patch", "apply"];
    all.extend(args);
    env.hotfix(dir, &all)
}

#[test]
fn a_git_format_patch_series_applies_to_the_commits_git_am_makes() {
    let env = TestEnv::new();
    let (src, commits) = series_with_a_delta(&env);
    env.git(
        &src,
        &[
            "format-patch",
            "--quiet",
            "--cover-letter",
            "v1.0.0..HEAD",
            "-o",
            "../series",
        ],
    );
    let series = env.path("series");
    // The cover letter carries no change: neither `git am` nor we apply it.
    let patches: Vec<PathBuf> = patches_in(&series)
        .into_iter()
        .filter(|p| !p.ends_with("0000-cover-letter.patch"))
        .collect();
    assert_eq!(patches.len(), 2);
    let text: Vec<u8> = patches
        .iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect();
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("\ndelta "), "git wrote no binary delta");
    assert!(text.contains("\nliteral "));

    // git am, keeping the CRs of the CRLF file (plain `git am` strips them and fails).
    let theirs = clone_at(&env, &src, "theirs", "v1.0.0");
    let mut am = vec!["am", "--quiet", "--keep-cr"];
    let files: Vec<String> = patches
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    am.extend(files.iter().map(String::as_str));
    env.git(&theirs, &am);

    let ours = clone_at(&env, &src, "ours", "v1.0.0");
    let run = apply(&env, &ours, &["../series", "--keep-cr"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Applied ../series/0001-fix-every-kind-of-change-n-c-d.patch: fix: every kind of change — ünïcödé ([ID])
    Applied ../series/0002-tweak-the-binary.patch: tweak the binary ([ID])
    Updated main [ID]..[ID] (2 commits)
    ");
    // Same author, date, message, tree and parent, and the same committer: the same ids.
    assert_eq!(env.rev(&ours, "HEAD"), env.rev(&theirs, "HEAD"));
    assert_same_commit(&env, (&ours, "HEAD~1"), (&src, &commits[0]));
    assert_same_commit(&env, (&ours, "HEAD"), (&src, &commits[1]));
    // The checkout followed the branch, symlinks and modes included.
    assert_eq!(env.git(&ours, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_link(ours.join("new link")).unwrap(),
        Path::new("dir with space")
    );
    assert_eq!(
        std::fs::read(ours.join("crlf.txt")).unwrap(),
        b"one\r\nTWO\r\nthree\r\n"
    );
    assert!(!env.path("ours/.git/hotfix/apply/current.json").exists());
    env.fsck(&ours);
}

#[test]
fn our_export_applies_with_our_apply_after_its_manifest_is_checked() {
    let env = TestEnv::new();
    let (src, fix) = every_kind_of_change(&env);
    env.hotfix(&src, &["patch", "export", &fix, "-o", "../out"])
        .ok();
    let dst = clone_at(&env, &src, "dst", "v1.0.0");

    // A patch that is not what the manifest says is refused before anything is written.
    let tampered = env.path("tampered");
    std::fs::create_dir_all(&tampered).unwrap();
    for entry in std::fs::read_dir(env.path("out")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, tampered.join(path.file_name().unwrap())).unwrap();
    }
    let patch = patches_in(&tampered).remove(0);
    let mut bytes = std::fs::read(&patch).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&patch, bytes).unwrap();
    let before = snapshot(&dst);
    let run = apply(&env, &dst, &["../tampered"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/dst/../tampered/0001-fix-every-kind-of-change-n-c-d.patch does not match its manifest: its sha256 is 6f283484dcfc148b24da0f18738ca1608fa65cce272faaf802915fd8ce26baf0, the manifest says 8213bbcd1565b5a25da306262b54c2db4ea39ee51cad81037c8a27d848371f86
    hint: the file changed after it was exported: get the series again from its source (nothing was applied)
    ");
    assert_unchanged(&before, &snapshot(&dst));

    apply(&env, &dst, &["../out"]).ok();
    assert_same_commit(&env, (&dst, "HEAD"), (&src, &fix));
    assert_eq!(
        env.parents(&dst, "HEAD"),
        vec![env.rev(&src, "v1.0.0^{commit}").unwrap()]
    );
    assert_eq!(env.git(&dst, &["status", "--porcelain"]), "");
    env.fsck(&dst);
}

/// A file of 30 lines; the fix changes line 5 and line 25 (two hunks).
fn two_hunk_fix(env: &TestEnv) -> (PathBuf, PathBuf) {
    let src = env.init("src");
    let lines: String = (1..=30).map(|i| format!("line {i}\n")).collect();
    env.commit(&src, "base", &[("app.txt", &lines), ("other.txt", "x\n")]);
    env.tag(&src, "v1.0.0");
    let fixed = lines
        .replace("line 5\n", "line 5 fixed\n")
        .replace("line 25\n", "line 25 fixed\n");
    env.commit(
        &src,
        "fix: both ends",
        &[("app.txt", &fixed), ("other.txt", "y\n")],
    );
    env.git(
        &src,
        &["format-patch", "--quiet", "-1", "HEAD", "-o", "../series"],
    );
    let patch = patches_in(&env.path("series")).remove(0);
    (src, patch)
}

#[test]
fn a_hunk_that_does_not_apply_stops_where_git_does_and_resumes_from_its_worktree() {
    let env = TestEnv::new();
    let (src, patch) = two_hunk_fix(&env);
    let dst = clone_at(&env, &src, "dst", "v1.0.0");
    let lines: String = (1..=30).map(|i| format!("line {i}\n")).collect();
    let tip = env.commit(
        &dst,
        "local change near the end",
        &[("app.txt", &lines.replace("line 24\n", "line 24 local\n"))],
    );

    // git's verdict on the same patch.
    let check = env.git_output(&dst, &["apply", "--check", patch.to_str().unwrap()]);
    let git_says = String::from_utf8_lossy(&check.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("error: patch failed: "))
        .expect("git apply fails")
        .to_string();
    assert_eq!(git_says, "app.txt:22");

    let before = snapshot(&dst);
    let run = apply(&env, &dst, &[patch.to_str().unwrap()]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/series/0001-fix-both-ends.patch (fix: both ends) does not apply onto main: hunk #2 (@@ -22,7 +22,7 @@) of app.txt matches nowhere (git: patch failed: app.txt:22)
    hint: in [TMP]/dst/.git/hotfix/resolve/apply-main the hunks that applied are staged and the others are in app.txt.rej: apply those by hand, `git add` the files, delete the .rej files, then `git hotfix continue`
    hint: or `git hotfix abort` and apply again with `--3way`, which merges when this repository has the blobs the patch was made from
    hint: the patch is saved at [TMP]/dst/.git/hotfix/apply/current/0001.patch
    hint: `git hotfix skip` leaves this patch out; `git hotfix abort` stops here: main has not moved
    ");
    assert!(
        run.stderr.contains(&format!("patch failed: {git_says}")),
        "{}",
        run.stderr
    );
    // Nothing of the user's changed: the branch, the checkout, the files.
    assert_eq!(env.rev(&dst, "main").unwrap(), tip);
    assert_eq!(env.git(&dst, &["status", "--porcelain"]), "");
    let after = snapshot(&dst);
    let user_files = |s: &std::collections::BTreeMap<PathBuf, Vec<u8>>| {
        s.iter()
            .filter(|(p, _)| !p.starts_with(dst.join(".git")))
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(user_files(&before), user_files(&after));

    // `status` says where it stands.
    let status = env.hotfix(&dst, &["status"]).ok();
    assert!(
        status.stdout.contains("Patch apply onto main stopped:")
            && status.stdout.contains("  stopped  /")
            && status
                .stdout
                .contains("/series/0001-fix-both-ends.patch: fix: both ends"),
        "{}",
        status.stdout
    );

    // The worktree has what applied staged, and git's `.rej` for the rest.
    let worktree = env.path("dst/.git/hotfix/resolve/apply-main");
    let staged = std::fs::read_to_string(worktree.join("app.txt")).unwrap();
    assert!(staged.contains("line 5 fixed\n") && staged.contains("line 24 local\n"));
    assert_eq!(
        std::fs::read_to_string(worktree.join("other.txt")).unwrap(),
        "y\n"
    );
    let reject = std::fs::read_to_string(worktree.join("app.txt.rej")).unwrap();
    assert!(reject.starts_with("diff a/app.txt b/app.txt\t(rejected hunks)\n@@ -22,7 +22,7 @@\n"));
    assert!(reject.contains("-line 25\n+line 25 fixed\n"));

    // `continue` refuses while a .rej is left, then takes what is staged.
    std::fs::write(
        worktree.join("app.txt"),
        staged.replace("line 25\n", "line 25 fixed\n"),
    )
    .unwrap();
    env.git(&worktree, &["add", "app.txt"]);
    let run = env.hotfix(&worktree, &["continue"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/dst/.git/hotfix/resolve/apply-main still has rejected hunks: app.txt.rej
    hint: apply the hunks of each .rej file by hand, `git add` the files, delete the .rej files, then `git hotfix continue` (or `git hotfix skip`)
    ");
    std::fs::remove_file(worktree.join("app.txt.rej")).unwrap();
    let run = env.hotfix(&worktree, &["continue"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Applied [TMP]/series/0001-fix-both-ends.patch: fix: both ends ([ID])
    Updated main [ID]..[ID] (1 commit)
    ");

    assert_eq!(env.parents(&dst, "main"), vec![tip]);
    // The mail's author, date and message (the tests' environment fixes the committer).
    let format = "--format=%an <%ae>|%ad|%B";
    assert_eq!(
        env.git(&dst, &["log", "-1", format, "main"]),
        env.git(&src, &["log", "-1", format, "main"])
    );
    let result = env.git(&dst, &["show", "main:app.txt"]);
    assert!(
        result.contains("line 5 fixed\nline 6")
            && result.contains("line 24 local\nline 25 fixed\n")
    );
    assert_eq!(env.git(&dst, &["status", "--porcelain"]), "");
    assert!(!worktree.exists());
    assert!(!env.path("dst/.git/hotfix/apply/current.json").exists());
    env.fsck(&dst);
}

#[test]
fn three_way_merges_what_the_context_no_longer_matches_and_abort_or_skip_a_conflict() {
    let env = TestEnv::new();
    let (src, patch) = two_hunk_fix(&env);
    let series = env.path("series");
    let lines: String = (1..=30).map(|i| format!("line {i}\n")).collect();

    // Line 22 changed here: the context of hunk #2 no longer matches, but the blobs the
    // `index` line names are in this clone, so a three-way merge can do it.
    let setup = |name: &str, change: (&str, &str)| {
        let dir = clone_at(&env, &src, name, "v1.0.0");
        env.commit(
            &dir,
            "local change",
            &[("app.txt", &lines.replace(change.0, change.1))],
        );
        dir
    };
    let theirs = setup("theirs", ("line 22\n", "line 22 local\n"));
    env.git(&theirs, &["am", "--quiet", "-3", patch.to_str().unwrap()]);

    let ours = setup("ours", ("line 22\n", "line 22 local\n"));
    let tip = env.rev(&ours, "main").unwrap();
    // Without --3way: stopped; abort leaves everything as it was.
    let stopped = apply(&env, &ours, &["--json", "../series"])
        .expect(3)
        .json();
    assert_eq!(stopped["state"], "stopped");
    let failure = &stopped["run"]["stopped"]["failures"][0];
    assert_eq!(failure["path"], "app.txt");
    assert_eq!(failure["problem"], "hunk");
    assert_eq!(failure["number"], 2);
    assert_eq!(failure["line"], 22);
    assert_eq!(stopped["run"]["stopped"]["rejects"][0], "app.txt.rej");
    let run = env.hotfix(&ours, &["abort"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Removed worktree [TMP]/ours/.git/hotfix/resolve/apply-main
    Aborted the patch apply onto main; it had written nothing
    ");
    assert_eq!(env.rev(&ours, "main").unwrap(), tip);
    assert!(!env.path("ours/.git/hotfix/resolve/apply-main").exists());
    env.hotfix(&ours, &["continue"]).expect(1);

    let run = apply(&env, &ours, &["--3way", "../series"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
     Merged ../series/0001-fix-both-ends.patch: fix: both ends ([ID])
    Updated main [ID]..[ID] (1 commit)
    ");
    assert_eq!(env.rev(&ours, "HEAD"), env.rev(&theirs, "HEAD"));
    env.fsck(&ours);

    // The same line changed on both sides: a conflict, left with markers for a person.
    let conflicting = setup("conflicting", ("line 25\n", "line 25 local\n"));
    env.commit(&src, "more", &[("more.txt", "more\n")]);
    let more = env.git(&src, &["format-patch", "--quiet", "-1", "--stdout", "HEAD"]);
    std::fs::write(series.join("0002-more.patch"), more + "\n").unwrap();
    let run = apply(&env, &conflicting, &["-3", "../series"]).expect(3);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: ../series/0001-fix-both-ends.patch (fix: both ends) does not apply onto main: hunk #2 (@@ -22,7 +22,7 @@) of app.txt matches nowhere (git: patch failed: app.txt:22)
    hint: the three-way merge conflicts in app.txt: `cd [TMP]/conflicting/.git/hotfix/resolve/apply-main`, resolve them (or `git mergetool`), `git add` them, then `git hotfix continue`
    hint: the patch is saved at [TMP]/conflicting/.git/hotfix/apply/current/0001.patch
    hint: `git hotfix skip` leaves this patch out; `git hotfix abort` stops here: main has not moved
    ");
    let worktree = env.path("conflicting/.git/hotfix/resolve/apply-main");
    let file = std::fs::read_to_string(worktree.join("app.txt")).unwrap();
    assert!(
        file.contains(
            "<<<<<<< HEAD\nline 25 local\n=======\nline 25 fixed\n>>>>>>> fix: both ends\n"
        ),
        "{file}"
    );
    // `skip` leaves that patch out and applies the next.
    let run = env.hotfix(&conflicting, &["skip"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    Skipped ../series/0001-fix-both-ends.patch: fix: both ends
    Applied ../series/0002-more.patch: more ([ID])
    Updated main [ID]..[ID] (1 commit)
    ");
    assert_eq!(
        env.git(&conflicting, &["log", "--format=%s", "-2", "main"]),
        "more\nlocal change\n"
    );
    assert!(!worktree.exists());
    env.fsck(&conflicting);
}

#[test]
fn apply_onto_another_branch_leaves_the_checkout_alone_and_a_dirty_one_is_refused() {
    let env = TestEnv::new();
    let (src, patch) = two_hunk_fix(&env);
    let dst = clone_at(&env, &src, "dst", "v1.0.0");
    env.git(&dst, &["branch", "release/1.0"]);
    env.git(&dst, &["switch", "--quiet", "-c", "work"]);
    let patch = patch.to_str().unwrap();

    let before = snapshot(&dst);
    let run = apply(&env, &dst, &["--plan", "--onto", "release/1.0", patch]).ok();
    assert_snapshot!(scrub(&env, &run.stdout), @"
    Would apply onto release/1.0 ([ID]):
      - [TMP]/series/0001-fix-both-ends.patch: fix: both ends — applies
    and move release/1.0 to the last commit
    ");
    assert_unchanged(&before, &snapshot(&dst));

    apply(&env, &dst, &["--onto", "release/1.0", patch]).ok();
    assert_eq!(
        env.git(&dst, &["log", "-1", "--format=%s", "release/1.0"]),
        "fix: both ends\n"
    );
    assert_eq!(env.branch(&dst).as_deref(), Some("work"));
    assert_eq!(env.rev(&dst, "work"), env.rev(&dst, "v1.0.0^{commit}"));
    assert_eq!(env.git(&dst, &["status", "--porcelain"]), "");

    // The current branch with local changes: refused before anything is written.
    std::fs::write(dst.join("other.txt"), "edited\n").unwrap();
    let before = snapshot(&dst);
    let run = apply(&env, &dst, &[patch]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: `work` is checked out in [TMP]/dst with local changes: other.txt
    hint: commit or stash the changes in that worktree, or switch it to another branch
    ");
    assert_unchanged(&before, &snapshot(&dst));

    let run = apply(&env, &dst, &["--onto", "nope", patch]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: the target branch `nope` does not exist
    hint: create it (`git branch nope <start>`), or name another with `--onto`
    ");
}

#[test]
fn a_deletion_of_a_file_changed_here_stops_and_keeps_the_file() {
    let env = TestEnv::new();
    let src = env.init("src");
    env.commit(&src, "base", &[("gone.txt", "a\nb\nc\n")]);
    env.tag(&src, "v1.0.0");
    env.git(&src, &["rm", "--quiet", "gone.txt"]);
    env.git(&src, &["commit", "--quiet", "-m", "remove gone.txt"]);
    env.git(
        &src,
        &["format-patch", "--quiet", "-1", "HEAD", "-o", "../series"],
    );
    let dst = clone_at(&env, &src, "dst", "v1.0.0");
    env.commit(&dst, "local edit", &[("gone.txt", "a\nB\nc\n")]);
    let patch = patches_in(&env.path("series")).remove(0);

    let check = env.git_output(&dst, &["apply", "--check", patch.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&check.stderr).contains("patch failed: gone.txt:1"));
    let run = apply(&env, &dst, &["../series"]).expect(3);
    assert!(
        run.stderr
            .contains("hunk #1 (@@ -1,3 +0,0 @@) of gone.txt matches nowhere")
            && run.stderr.contains("patch failed: gone.txt:1"),
        "{}",
        run.stderr
    );
    let worktree = env.path("dst/.git/hotfix/resolve/apply-main");
    assert_eq!(
        std::fs::read_to_string(worktree.join("gone.txt")).unwrap(),
        "a\nB\nc\n"
    );
    assert!(worktree.join("gone.txt.rej").exists());
    // Deleting it is the resolution here.
    env.git(&worktree, &["rm", "--quiet", "gone.txt"]);
    std::fs::remove_file(worktree.join("gone.txt.rej")).unwrap();
    env.hotfix(&dst, &["continue"]).ok();
    assert_eq!(env.git(&dst, &["ls-tree", "--name-only", "main"]), "");
    assert!(!dst.join("gone.txt").exists());
    env.fsck(&dst);
}

/// A CR at the end of an added line in a plain (8bit) mail: `git am` drops it, as mail
/// transport adds them, and keeps it with `--keep-cr` or `am.keepcr`; so does `patch apply`.
#[test]
fn carriage_returns_go_or_stay_as_git_am_decides() {
    let env = TestEnv::new();
    let src = env.init("src");
    env.commit(&src, "base", &[("app.txt", "one\n")]);
    env.tag(&src, "v1.0.0");
    std::fs::write(src.join("app.txt"), "one\r\ntwo\r\n").unwrap();
    env.git(&src, &["commit", "--quiet", "-am", "fix: two"]);
    let patch = env.path("cr.patch");
    let mail = env.git(&src, &["format-patch", "--stdout", "-1", "HEAD"]);
    std::fs::write(&patch, &mail).unwrap();
    assert!(mail.contains("+two\r\n"), "{mail}");

    for (case, flags) in [
        ("default", &[][..]),
        ("keep", &["--keep-cr"][..]),
        ("config", &["-c", "am.keepcr=true"][..]),
    ] {
        let theirs = clone_at(&env, &src, &format!("theirs-{case}"), "v1.0.0");
        let mut am: Vec<&str> = flags
            .iter()
            .copied()
            .filter(|f| *f != "--keep-cr")
            .collect();
        am.push("am");
        if flags.contains(&"--keep-cr") {
            am.push("--keep-cr");
        }
        am.push(patch.to_str().unwrap());
        let git = env.git_output(&theirs, &am);
        let ours = clone_at(&env, &src, &format!("ours-{case}"), "v1.0.0");
        let mut args: Vec<&str> = Vec::new();
        if case == "config" {
            env.git(&ours, &["config", "am.keepcr", "true"]);
        }
        args.extend(flags.iter().filter(|f| **f == "--keep-cr"));
        args.push(patch.to_str().unwrap());
        let run = apply(&env, &ours, &args);
        assert_eq!(
            run.code == 0,
            git.status.success(),
            "{case}: git am {:?}, ours {}: {}",
            git.status,
            run.code,
            run.stderr
        );
        if run.code == 0 {
            assert_eq!(
                env.rev(&ours, "main^{tree}"),
                env.rev(&theirs, "HEAD^{tree}"),
                "{case}"
            );
        }
    }
}
