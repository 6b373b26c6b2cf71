//! Patch files, with git as the oracle: what `patch export` writes, `git am` applies to
//! the same tree, author, date and message.

use std::path::{Path, PathBuf};

use sha2::Digest;

use insta::assert_snapshot;

use crate::common::{TestEnv, scrub};

/// A base commit, then one fix commit with every kind of change a diff can carry.
pub fn every_kind_of_change(env: &TestEnv) -> (PathBuf, String) {
    let repo = env.init("src");
    let lines: String = (1..=20).map(|i| format!("moved line {i}\n")).collect();
    env.commit(
        &repo,
        "base",
        &[
            ("modify.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"),
            ("delete-me.txt", "bye\n"),
            ("rename-me.txt", &lines),
            ("script.sh", "#!/bin/sh\necho hi\n"),
            ("no-newline.txt", "a\nb\nc"),
            ("crlf.txt", "one\r\ntwo\r\nthree\r\n"),
            ("dir with space/naïve file.txt", "x\n"),
            ("ünïcödé/日本.txt", "こんにちは\n"),
        ],
    );
    std::fs::write(repo.join("image.bin"), b"BIN\0\x01\x02\x03data").unwrap();
    std::os::unix::fs::symlink("modify.txt", repo.join("link")).unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "--quiet", "--amend", "--no-edit"]);
    env.tag(&repo, "v1.0.0");

    std::fs::write(
        repo.join("modify.txt"),
        "1\n2\nTHREE\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
    )
    .unwrap();
    env.git(&repo, &["rm", "--quiet", "delete-me.txt"]);
    std::fs::create_dir_all(repo.join("renamed")).unwrap();
    env.git(&repo, &["mv", "rename-me.txt", "renamed/moved.txt"]);
    std::fs::write(
        repo.join("renamed/moved.txt"),
        format!("{lines}one more line\n"),
    )
    .unwrap();
    env.git(&repo, &["update-index", "--chmod=+x", "script.sh"]);
    std::fs::remove_file(repo.join("link")).unwrap();
    std::os::unix::fs::symlink("crlf.txt", repo.join("link")).unwrap();
    std::os::unix::fs::symlink("dir with space", repo.join("new link")).unwrap();
    std::fs::write(repo.join("no-newline.txt"), "a\nb\nc\nd").unwrap();
    std::fs::write(repo.join("crlf.txt"), "one\r\nTWO\r\nthree\r\n").unwrap();
    std::fs::write(repo.join("image.bin"), b"BIN\0\x01\x02\x03DATA, more").unwrap();
    let noise: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(repo.join("new.bin"), noise).unwrap();
    std::fs::write(repo.join("dir with space/naïve file.txt"), "y\n").unwrap();
    std::fs::write(repo.join("ünïcödé/日本.txt"), "さようなら\n").unwrap();
    std::fs::write(repo.join("new file.txt"), "new\n").unwrap();
    std::fs::write(repo.join("latin1.txt"), b"caf\xe9\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(
        &repo,
        &[
            "commit",
            "--quiet",
            "-m",
            "fix: every kind of change — ünïcödé\n\nBody paragraph.\n\nFixes: #1",
        ],
    );
    let fix = env.rev(&repo, "HEAD").unwrap();
    (repo, fix)
}

/// A clone of `src` at `at`, with another identity: what `git am` records comes from the
/// patch, not from here.
pub fn clone_at(env: &TestEnv, src: &Path, name: &str, at: &str) -> PathBuf {
    let dir = env.path(name);
    env.git(
        src.parent().unwrap(),
        &[
            "clone",
            "--quiet",
            src.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    );
    env.git(&dir, &["config", "user.name", "Someone Else"]);
    env.git(&dir, &["config", "user.email", "else@example.com"]);
    env.git(&dir, &["reset", "--quiet", "--hard", at]);
    dir
}

pub fn git_am(env: &TestEnv, dir: &Path, patches: &[PathBuf]) {
    let mut args = vec!["am", "--quiet"];
    let paths: Vec<&str> = patches.iter().map(|p| p.to_str().unwrap()).collect();
    args.extend(paths);
    env.git(dir, &args);
}

pub fn patches_in(dir: &Path) -> Vec<PathBuf> {
    let mut patches: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "patch"))
        .collect();
    patches.sort();
    patches
}

/// Same tree, author, author date and message.
pub fn assert_same_commit(env: &TestEnv, ours: (&Path, &str), theirs: (&Path, &str)) {
    let describe = |(dir, rev): (&Path, &str)| {
        env.git(dir, &["log", "-1", "--format=%T%n%an <%ae>%n%aD%n%B", rev])
    };
    assert_eq!(describe(ours), describe(theirs));
}

#[test]
fn export_then_git_am_reproduces_every_kind_of_change_byte_for_byte() {
    let env = TestEnv::new();
    let (src, fix) = every_kind_of_change(&env);
    let run = env
        .hotfix(&src, &["patch", "export", &fix, "-o", "../out"])
        .ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
           Wrote ../out/0001-fix-every-kind-of-change-n-c-d.patch ([ID] fix: every kind of change — ünïcödé)
           Wrote ../out/manifest.json
    hint: apply them elsewhere with `git am ../out/*.patch`
    ");
    let out = env.path("out");
    // Named as git names it: what is not ASCII becomes a dash.
    let patch = std::fs::read(out.join("0001-fix-every-kind-of-change-n-c-d.patch")).unwrap();
    // A CRLF file is in the series: the mail travels in base 64 so `git am` keeps the CRs.
    assert!(String::from_utf8_lossy(&patch).contains("Content-Transfer-Encoding: base64"));

    let dst = clone_at(&env, &src, "dst", "v1.0.0");
    git_am(&env, &dst, &patches_in(&out));
    assert_same_commit(&env, (&dst, "HEAD"), (&src, &fix));
    env.fsck(&dst);

    // What git's own format-patch writes for the same commit lists the same files.
    let ours = env.git(&dst, &["show", "--stat=200", "--format=", "HEAD"]);
    let theirs = env.git(&src, &["show", "--stat=200", "--format=", &fix]);
    assert_eq!(ours, theirs);
}

#[test]
fn a_finished_hotfix_exports_its_fix_with_a_manifest_and_as_one_mbox() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(
        &repo,
        "Release 1.2.3",
        &[("VERSION", "1.2.3\n"), ("auth.txt", "check\n")],
    );
    env.tag(&repo, "v1.2.3");
    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-1234",
            "fix",
            "auth",
            "bypass",
            "--severity",
            "P0",
        ],
    )
    .ok();
    let first = env.commit(
        &repo,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "check signature\n")],
    );
    let second = env.commit(
        &repo,
        "test: unsigned tokens are refused",
        &[("auth_test.txt", "unsigned -> 401\n")],
    );
    env.hotfix(&repo, &["finish"]).ok();
    let released = env.rev(&repo, "v1.2.4^{commit}").unwrap();
    assert_eq!(env.parents(&repo, &released), vec![second.clone()]);
    // Its origin is written as people write it, relative to the repository.
    env.git(&repo, &["remote", "add", "origin", "../origin.git"]);

    // The fix, without the release commit (its VERSION belongs to this line).
    env.hotfix(
        &repo,
        &["patch", "export", "--hotfix", "ENG-1234", "-o", "../out"],
    )
    .ok();
    let out = env.path("out");
    let patches = patches_in(&out);
    let names: Vec<String> = patches
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "0001-fix-refuse-unsigned-tokens.patch",
            "0002-test-unsigned-tokens-are-refused.patch"
        ]
    );
    let text = std::fs::read_to_string(&patches[0]).unwrap();
    assert!(text.contains("Subject: [PATCH 1/2] fix: refuse unsigned tokens\n"));

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "git-hotfix-patches/1");
    // The manifest names it so that it still means something where the patches arrive.
    assert_eq!(
        manifest["source"]["repository"],
        env.path("origin.git").display().to_string()
    );
    assert_eq!(manifest["ticket"], "ENG-1234");
    assert_eq!(manifest["version"], "1.2.4");
    assert_eq!(manifest["severity"], "P0");
    assert_eq!(
        manifest["source"]["base"],
        env.rev(&repo, "v1.2.3^{commit}").unwrap()
    );
    assert_eq!(
        manifest["source"]["commits"],
        serde_json::json!([first, second])
    );
    for (entry, path) in manifest["patches"].as_array().unwrap().iter().zip(&patches) {
        let bytes = std::fs::read(path).unwrap();
        let hash: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(entry["sha256"], hash);
        assert_eq!(entry["file"], path.file_name().unwrap().to_str().unwrap());
    }

    // `git am` in another clone reproduces both commits.
    let dst = clone_at(&env, &repo, "dst", "v1.2.3");
    git_am(&env, &dst, &patches);
    assert_same_commit(&env, (&dst, "HEAD~1"), (&repo, &first));
    assert_same_commit(&env, (&dst, "HEAD"), (&repo, &second));

    // `--stdout` is the same series as one mbox.
    let mbox = env
        .hotfix_command(
            &repo,
            &["patch", "export", "--hotfix", "ENG-1234", "--stdout"],
        )
        .output()
        .unwrap();
    assert!(mbox.status.success());
    let joined: Vec<u8> = patches
        .iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(mbox.stdout, joined);
}

#[test]
fn other_patches_in_the_directory_and_merge_commits_are_refused_before_writing() {
    let env = TestEnv::new();
    let (src, fix) = every_kind_of_change(&env);
    let out = env.path("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("0003-from-last-week.patch"), "stale").unwrap();
    let run = env
        .hotfix(&src, &["patch", "export", &fix, "-o", "../out"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [TMP]/out has patches that are not part of this series: 0003-from-last-week.patch
    hint: a series is the files its manifest lists, and `git am <dir>/*.patch` would take the others too: move them out, or export to an empty directory with `-o`
    ");
    assert_eq!(patches_in(&out).len(), 1);
    assert!(!out.join("manifest.json").exists());

    env.git(&src, &["switch", "--quiet", "-c", "side", "v1.0.0"]);
    env.commit(&src, "side", &[("side.txt", "side\n")]);
    env.git(&src, &["switch", "--quiet", "main"]);
    env.git(&src, &["merge", "--quiet", "--no-edit", "side"]);
    let run = env.hotfix(&src, &["patch", "export", "HEAD"]).expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: [ID] is a merge of 2 parents: say which parent's side to pick with --mainline N
    hint: `--mainline 1` picks the change the merge brought to its first parent
    ");
}
