use insta::assert_snapshot;

use crate::common::{Run, TestEnv, scrub};

#[test]
fn start_branches_from_the_newest_production_tag() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(&repo, "Unreleased work on main", &[("wip.txt", "x\n")]);

    let run = env
        .hotfix(&repo, &["start", "ENG-1234", "fix", "auth", "bypass"])
        .ok();

    let branch = "hotfix/ENG-1234-fix-auth-bypass";
    assert_eq!(env.branch(&repo).as_deref(), Some(branch));
    assert_eq!(env.rev(&repo, branch), env.rev(&repo, "v1.2.3^{commit}"));
    assert_snapshot!(scrub(&env, &run.stderr), @"
         Created branch hotfix/ENG-1234-fix-auth-bypass from v1.2.3 ([ID])
        Switched to hotfix/ENG-1234-fix-auth-bypass
       Releasing 1.2.4 as tag v1.2.4
    hint: commit the fix (with a regression test), then run `git hotfix finish`
    ");
    // The worktree holds the release, not main's unreleased work.
    assert!(!repo.join("wip.txt").exists());
    let reflog = env.git(&repo, &["reflog", "-1", "--format=%gs", branch]);
    assert_eq!(reflog.trim(), "hotfix start: ENG-1234 from v1.2.3");
    let journal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join(".git/hotfix/ENG-1234.json")).unwrap())
            .unwrap();
    assert_eq!(journal["schema"], 1);
    assert_eq!(journal["version"], "1.2.4");
    assert_eq!(journal["tag"], "v1.2.4");
    assert_eq!(journal["base"]["name"], "v1.2.3");
    assert_eq!(journal["description"], "fix auth bypass");
    assert_eq!(journal["events"][0]["event"], "started");
    env.fsck(&repo);
}

#[test]
fn start_is_line_aware_when_fixing_an_older_release() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    let run = env
        .hotfix(
            &repo,
            &["start", "ENG-7", "patch 1.2", "--from", "v1.2.3", "--json"],
        )
        .ok();
    let plan = &run.json()["plan"];
    assert_eq!(
        plan["version"], "1.2.4",
        "2.0.0 exists but this is the 1.2 line"
    );
    assert_eq!(plan["base"]["kind"], "tag");
    assert_eq!(
        env.rev(&repo, "hotfix/ENG-7-patch-1-2"),
        env.rev(&repo, "v1.2.3^{commit}")
    );
    env.fsck(&repo);
}

#[test]
fn start_from_a_release_branch() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    let run = env
        .hotfix(
            &repo,
            &["start", "ENG-8", "--from", "release/1.2", "--json"],
        )
        .ok();
    let plan = &run.json()["plan"];
    assert_eq!(plan["base"]["kind"], "branch");
    assert_eq!(plan["base"]["name"], "release/1.2");
    assert_eq!(plan["version"], "1.2.4");
    assert_eq!(plan["branch"], "hotfix/ENG-8");
    env.fsck(&repo);
}

#[test]
fn a_version_tagged_anywhere_is_refused_with_the_next_free_one() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    // Someone already released 1.2.4 on the release line; it is not reachable from v1.2.3.
    env.git(&repo, &["switch", "--quiet", "release/1.2"]);
    env.commit(&repo, "Other fix", &[("other.txt", "x\n")]);
    env.tag(&repo, "v1.2.4");
    env.git(&repo, &["switch", "--quiet", "main"]);
    let refs = env.refs(&repo);

    let run = env
        .hotfix(&repo, &["start", "ENG-9", "--from", "v1.2.3"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: tag `v1.2.4` already exists
    hint: choose another version, e.g. `--version 1.2.5`
    ");
    assert_eq!(env.refs(&repo), refs);

    env.hotfix(
        &repo,
        &["start", "ENG-9", "--from", "v1.2.3", "--version", "1.2.5"],
    )
    .ok();
    assert_eq!(env.branch(&repo).as_deref(), Some("hotfix/ENG-9"));
    env.fsck(&repo);
}

#[test]
fn pre_release_numbering_counts_hotfix_releases() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = env
        .hotfix(
            &repo,
            &["start", "ENG-1", "--pre-release", "--plan", "--json"],
        )
        .ok();
    assert_eq!(run.json()["plan"]["version"], "1.2.3-hotfix.1");
    assert_eq!(run.json()["plan"]["tag"], "v1.2.3-hotfix.1");
    // Once one is released, the next follows it.
    env.tag(&repo, "v1.2.3-hotfix.1");
    let run = env
        .hotfix(
            &repo,
            &["start", "ENG-2", "--pre-release", "--plan", "--json"],
        )
        .ok();
    assert_eq!(run.json()["plan"]["version"], "1.2.3-hotfix.2");
    assert_eq!(run.json()["plan"]["base"]["name"], "v1.2.3-hotfix.1");
}

#[test]
fn no_checkout_only_creates_the_branch() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(&repo, &["start", "ENG-3", "crash", "--no-checkout"])
        .ok();
    assert_eq!(env.branch(&repo).as_deref(), Some("main"));
    assert!(env.rev(&repo, "hotfix/ENG-3-crash").is_some());
    env.fsck(&repo);
}

#[test]
fn worktree_checks_the_branch_out_beside_the_current_one() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let wt = env.path("hotfix-wt");
    env.hotfix(
        &repo,
        &["start", "ENG-4", "leak", "--worktree", wt.to_str().unwrap()],
    )
    .ok();
    assert_eq!(env.branch(&repo).as_deref(), Some("main"));
    assert_eq!(env.branch(&wt).as_deref(), Some("hotfix/ENG-4-leak"));
    assert_eq!(env.git(&wt, &["status", "--porcelain"]), "");
    assert!(env.git(&repo, &["worktree", "list"]).contains("hotfix-wt"));
    env.fsck(&repo);

    // A relative path is shown and kept as git would: no `..` left in it.
    let run = env
        .hotfix(
            &repo,
            &[
                "start",
                "ENG-6",
                "leak",
                "--worktree",
                "../repo/../client-wt",
            ],
        )
        .ok();
    let client = env.path("client-wt");
    assert!(
        run.stderr.contains(&format!(
            "Checked out hotfix/ENG-6-leak in {}\n",
            client.display()
        )),
        "{}",
        run.stderr
    );
    let journal = std::fs::read_to_string(repo.join(".git/hotfix/ENG-6.json")).unwrap();
    assert!(!journal.contains("/../"), "{journal}");
}

#[test]
fn bare_repositories_can_create_the_branch_only() {
    let env = TestEnv::new();
    env.linear();
    env.git(
        env.root.path(),
        &["clone", "--quiet", "--bare", "repo", "bare.git"],
    );
    let bare = env.path("bare.git");
    let run = env.hotfix(&bare, &["start", "ENG-5", "x"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: this is a bare repository: it has no worktree to switch
    hint: in a bare repository, create the branch only (`--no-checkout`) or check it out elsewhere (`--worktree <path>`)
    ");
    env.hotfix(&bare, &["start", "ENG-5", "x", "--no-checkout"])
        .ok();
    assert_eq!(
        env.rev(&bare, "hotfix/ENG-5-x"),
        env.rev(&bare, "v1.2.3^{commit}")
    );
    env.fsck(&bare);
}

#[test]
fn without_tags_the_production_tip_is_the_base_and_the_version_is_asked_for() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(&repo, "First", &[("a.txt", "a\n")]);
    let run = env.hotfix(&repo, &["start", "ENG-6"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: no tag matching `v{version}` is reachable from main
    hint: pass the version to release with `--version X.Y.Z`, or tag the release in production first
    ");
    let run = env
        .hotfix(&repo, &["start", "ENG-6", "--version", "0.1.1", "--json"])
        .ok();
    assert_eq!(run.json()["plan"]["base"]["kind"], "branch");
    assert_eq!(run.json()["plan"]["base"]["name"], "main");
    env.fsck(&repo);
}

#[test]
fn a_monorepo_product_uses_its_own_tags_and_template() {
    let env = TestEnv::new();
    let repo = env.monorepo().dir;
    let run = env.hotfix(&repo, &["start", "ENG-10", "crash"]).expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: --product is required: this repository configures several products (api, mobile)
    hint: name the product with `--product <name>`
    ");

    let run = env
        .hotfix(
            &repo,
            &["start", "ENG-10", "crash", "--product", "mobile", "--json"],
        )
        .ok();
    let plan = &run.json()["plan"];
    assert_eq!(plan["base"]["name"], "mobile/prod-v0.3.0");
    assert_eq!(plan["version"], "0.3.1");
    assert_eq!(plan["tag"], "mobile/prod-v0.3.1");
    assert_eq!(plan["branch"], "hotfix/mobile-v0.3.1");
    assert_eq!(env.branch(&repo).as_deref(), Some("hotfix/mobile-v0.3.1"));

    let run = env
        .hotfix(&repo, &["start", "ENG-11", "--product", "web"])
        .expect(2);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: product `web` is not configured (known: api, mobile)
    hint: name the product with `--product <name>`
    ");
    env.fsck(&repo);
}

#[test]
fn settings_come_from_the_production_tip_then_git_config_then_flags() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(
        &repo,
        "Settings",
        &[(".hotfix.toml", "branch-template = \"fix/{ticket}\"\n")],
    );
    // Standing on an old line without the file, and with a different one in the worktree:
    // the committed file on main is the one that counts.
    env.git(&repo, &["switch", "--quiet", "--detach", "v1.2.2"]);
    std::fs::write(
        repo.join(".hotfix.toml"),
        "branch-template = \"ignored/{ticket}\"\n",
    )
    .unwrap();
    let run = env
        .hotfix(&repo, &["start", "ENG-12", "--no-checkout", "--json"])
        .ok();
    assert_eq!(run.json()["plan"]["branch"], "fix/ENG-12");
    std::fs::remove_file(repo.join(".hotfix.toml")).unwrap();

    env.git(&repo, &["config", "hotfix.branchTemplate", "cfg/{ticket}"]);
    let run = env
        .hotfix(&repo, &["start", "ENG-13", "--plan", "--json"])
        .ok();
    assert_eq!(run.json()["plan"]["branch"], "cfg/ENG-13");

    let run = env
        .hotfix(
            &repo,
            &[
                "-c",
                "branch-template=flag/{ticket}",
                "start",
                "ENG-13",
                "--plan",
                "--json",
            ],
        )
        .ok();
    assert_eq!(run.json()["plan"]["branch"], "flag/ENG-13");
}

#[test]
fn non_ascii_descriptions_are_slugged() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let run = env
        .hotfix(
            &repo,
            &[
                "start",
                "ÉNG-14",
                "Crâne de données",
                "corrompu",
                "--plan",
                "--json",
            ],
        )
        .ok();
    assert_eq!(
        run.json()["plan"]["branch"],
        "hotfix/ENG-14-crane-de-donnees-corrompu"
    );
    assert_eq!(run.json()["plan"]["ticket"], "ENG-14");
}

#[test]
fn a_checkout_that_fails_takes_the_branch_and_journal_back() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    // v1.2.3 tracks legacy.txt; main dropped it and an untracked copy is in the way.
    env.git(&repo, &["tag", "-d", "v1.2.3"]);
    env.commit(&repo, "Legacy", &[("legacy.txt", "old\n")]);
    env.tag(&repo, "v1.2.3");
    env.git(&repo, &["rm", "--quiet", "legacy.txt"]);
    env.git(&repo, &["commit", "--quiet", "-m", "Drop legacy"]);
    std::fs::write(repo.join("legacy.txt"), "my notes\n").unwrap();
    let refs = env.refs(&repo);

    let run = env.hotfix(&repo, &["start", "ENG-30", "x"]).expect(1);

    assert_snapshot!(scrub(&env, &run.stderr), @"
    error: could not check out `hotfix/ENG-30-x` in [TMP]/repo: The following untracked working tree files would be overwritten by checkout: legacy.txt Please move or remove them before you switch branches.
    hint: nothing was left half-done; move the files git names out of the way and run it again
    ");
    assert_eq!(env.refs(&repo), refs, "the branch is gone again");
    assert!(!repo.join(".git/hotfix/ENG-30.json").exists());
    assert_eq!(
        std::fs::read_to_string(repo.join("legacy.txt")).unwrap(),
        "my notes\n"
    );
    assert_eq!(env.branch(&repo).as_deref(), Some("main"));
    env.fsck(&repo);
}

#[test]
fn tags_left_out_of_the_version_choice_are_one_line_unless_verbose() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    for tag in ["v1.2", "v1.3", "vnext"] {
        env.git(&repo, &["tag", tag, "v1.2.2"]);
    }
    let run = env.hotfix(&repo, &["start", "ENG-7", "--plan"]).ok();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("not semver"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: 3 tags follow the tag pattern but are not semver (`v1.2`, `v1.3`, …); ignored — `-v` lists them"
        ],
        "{}",
        run.stderr
    );
    let run = env.hotfix(&repo, &["-v", "start", "ENG-7", "--plan"]).ok();
    for tag in ["v1.2", "v1.3", "vnext"] {
        assert!(
            run.stderr.contains(&format!(
                "tag `{tag}` follows the tag pattern but is not semver; ignored"
            )),
            "{}",
            run.stderr
        );
    }
}

/// A team without tickets names hotfixes by what they fix (`hotfix/critical-auth-fix`): a
/// branch template with `{slug}` alone takes every word as the description, and the hotfix
/// goes by its slug from start to release.
#[test]
fn a_template_without_a_ticket_names_the_hotfix_by_what_it_fixes() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(
        &repo,
        "Configure git-hotfix",
        &[(".hotfix.toml", "branch-template = \"hotfix/{slug}\"\n")],
    );
    env.hotfix(
        &repo,
        &["start", "critical", "auth", "fix", "--severity", "P1"],
    )
    .ok();
    assert_eq!(
        env.branch(&repo).as_deref(),
        Some("hotfix/critical-auth-fix")
    );
    let journal: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.join(".git/hotfix/critical-auth-fix.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(journal["description"], "critical auth fix");
    env.commit(
        &repo,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "signed\n")],
    );
    env.hotfix(&repo, &["finish"]).ok();
    // Released under its name: the tag, and the finished record keyed by the slug.
    assert!(
        repo.join(".git/hotfix/finished/critical-auth-fix-1.2.4.json")
            .exists()
    );
    assert!(env.rev(&repo, "v1.2.4").is_some());
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "critical-auth-fix"])
        .ok();
    assert!(status.stdout.contains("1.2.4"), "{}", status.stdout);

    // On a terminal, one word is the whole name: nothing is asked (util-linux's `script`
    // gives the run a terminal; a question would wait for the input that never comes).
    let program = std::env::var_os("GIT_HOTFIX_TEST_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_git-hotfix").into());
    let line = format!(
        "{} start hotfix-login --severity P2 --no-checkout",
        program.to_string_lossy()
    );
    let run = Run::of({
        let mut command = env.command_in(&repo, "script");
        command
            .args(["-qec", &line, "/dev/null"])
            .stdin(std::process::Stdio::null());
        command
    })
    .ok();
    assert!(
        !run.stdout.contains("What does the fix do?"),
        "{}",
        run.stdout
    );
    assert!(env.rev(&repo, "refs/heads/hotfix/hotfix-login").is_some());

    // Still refused: a template that cannot tell two hotfixes apart.
    let refused = env
        .hotfix(&repo, &["-c", "branch-template=hotfix/{product}", "status"])
        .expect(2);
    assert!(
        refused.stderr.contains("`{ticket}` is required"),
        "{}",
        refused.stderr
    );
    env.fsck(&repo);
}
