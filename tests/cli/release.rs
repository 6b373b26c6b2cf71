//! The release commit: version files and a changelog entry, messages from templates,
//! `--plan` showing the exact edits.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;

use crate::common::{TestEnv, assert_unchanged, scrub, snapshot};

const PUBSPEC: &str = "name: shop\n# the store reads the build number after +\nversion: 0.3.0+5\n\nflutter:\n  uses-material-design: true\n";
const PACKAGE_JSON: &str =
    "{\n  \"name\": \"shop-web\",\n  \"version\": \"0.3.0\",\n  \"private\": true\n}\n";
const TABLE: &str = "# Mobile releases\n\nNewest first.\n\n| Date | Version | Changes |\n|------|---------|---------|\n| 2026-02-01 | 0.3.0 | Dark mode |\n| 2026-01-10 | 0.2.0 | Offline cart |\n";

/// A monorepo whose `mobile` product ships a Flutter app and its web shell, with a table
/// changelog of its own.
fn mobile_product(env: &TestEnv) -> PathBuf {
    let repo = env.init("mono");
    env.commit(
        &repo,
        "Mobile 0.3.0",
        &[
            (
                ".hotfix.toml",
                "[products.mobile]\n\
                 version-files = [\"apps/mobile/pubspec.yaml\", \"apps/web/package.json\"]\n\
                 changelog = \"apps/mobile/CHANGELOG.md\"\n\n\
                 [products.api]\nversion-files = [\"api/VERSION\"]\n",
            ),
            ("apps/mobile/pubspec.yaml", PUBSPEC),
            ("apps/web/package.json", PACKAGE_JSON),
            ("apps/mobile/CHANGELOG.md", TABLE),
            ("apps/mobile/lib/cart.dart", "bool checkout() => false;\n"),
            ("api/VERSION", "2.0.0\n"),
        ],
    );
    env.tag(&repo, "mobile/prod-v0.3.0");
    env.tag(&repo, "api/prod-v2.0.0");
    repo
}

fn show(env: &TestEnv, repo: &Path, rev: &str, path: &str) -> String {
    env.git(repo, &["show", &format!("{rev}:{path}")])
}

#[test]
fn finish_on_a_monorepo_product_makes_one_release_commit_with_every_file_and_the_table_row() {
    let env = TestEnv::new();
    let repo = mobile_product(&env);
    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-1234",
            "Fix checkout crash",
            "--product",
            "mobile",
            "--severity",
            "P1",
        ],
    )
    .ok();
    let fix = env.commit(
        &repo,
        "fix: checkout no longer crashes",
        &[("apps/mobile/lib/cart.dart", "bool checkout() => true;\n")],
    );

    let run = env.hotfix(&repo, &["finish"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
       Committed Release 0.3.1 (ENG-1234) ([ID])
                 apps/mobile/pubspec.yaml 0.3.0+5 -> 0.3.1+6
                 apps/web/package.json 0.3.0 -> 0.3.1
                 apps/mobile/CHANGELOG.md gets an entry "HOTFIX: Fix checkout crash (ENG-1234, P1)"
          Tagged mobile/prod-v0.3.1 on [ID]
          Merged into main (fast-forward to [ID])
         Deleted hotfix/ENG-1234-fix-checkout-crash
        Switched [TMP]/mono to main
        Finished hotfix ENG-1234: released 0.3.1
    "#);

    // One release commit on the fix, with the tag on it and main at it.
    let release = env.rev(&repo, "mobile/prod-v0.3.1^{commit}").unwrap();
    assert_eq!(env.parents(&repo, &release), vec![fix]);
    assert_eq!(env.rev(&repo, "main").unwrap(), release);
    assert_eq!(
        env.git(
            &repo,
            &["diff", "--name-only", &format!("{release}^"), &release]
        ),
        "apps/mobile/CHANGELOG.md\napps/mobile/pubspec.yaml\napps/web/package.json\n"
    );
    // Every file keeps its formatting; only the version text and the new row changed.
    assert_eq!(
        show(&env, &repo, &release, "apps/mobile/pubspec.yaml"),
        PUBSPEC.replace("0.3.0+5", "0.3.1+6")
    );
    assert_eq!(
        show(&env, &repo, &release, "apps/web/package.json"),
        PACKAGE_JSON.replace("0.3.0", "0.3.1")
    );
    assert_eq!(
        show(&env, &repo, &release, "apps/mobile/CHANGELOG.md"),
        TABLE.replace(
            "|------|---------|---------|\n",
            "|------|---------|---------|\n| 2026-03-05 | 0.3.1 | HOTFIX: Fix checkout crash (ENG-1234, P1) |\n"
        )
    );
    // The other product's files are not touched.
    assert_eq!(show(&env, &repo, &release, "api/VERSION"), "2.0.0\n");
    assert_eq!(
        env.git(&repo, &["cat-file", "tag", "mobile/prod-v0.3.1"])
            .lines()
            .last(),
        Some("Hotfix 0.3.1: Fix checkout crash")
    );
    env.fsck(&repo);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

fn keep_a_changelog_repo(env: &TestEnv, extra_config: &str) -> PathBuf {
    let repo = env.init("repo");
    env.commit(
        &repo,
        "Release 1.2.3",
        &[
            (".hotfix.toml", extra_config),
            ("VERSION", "1.2.3\n"),
            (
                "CHANGELOG.md",
                "# Changelog\n\n## [Unreleased]\n\n- Work in progress\n\n## [1.2.3] - 2026-02-01\n\n### Added\n\n- Faster checkout\n\n\
                 [unreleased]: https://example.com/shop/compare/v1.2.3...HEAD\n\
                 [1.2.3]: https://example.com/shop/compare/v1.2.2...v1.2.3\n",
            ),
            ("auth.txt", "check\n"),
        ],
    );
    env.tag(&repo, "v1.2.3");
    repo
}

#[test]
fn plan_shows_the_exact_edits_of_the_release_commit_and_writes_nothing() {
    let env = TestEnv::new();
    let repo = keep_a_changelog_repo(&env, "");
    env.hotfix(&repo, &["start", "ENG-7", "Reject expired tokens"])
        .ok();
    env.commit(&repo, "fix: expiry", &[("auth.txt", "check expiry\n")]);

    let before = snapshot(&repo);
    let plan = env
        .hotfix(
            &repo,
            &[
                "finish",
                "--plan",
                "--changelog",
                "Expired tokens are refused",
            ],
        )
        .ok();
    assert_unchanged(&before, &snapshot(&repo));
    let diff = plan
        .stdout
        .split_once("The release commit's changes:\n")
        .map(|(_, diff)| diff)
        .unwrap_or_else(|| panic!("no diff in:\n{}", plan.stdout));
    let without_index = |diff: &str| {
        diff.lines()
            .filter(|l| !l.starts_with("index "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let planned = without_index(diff);
    assert_eq!(
        planned,
        "diff --git a/CHANGELOG.md b/CHANGELOG.md
--- a/CHANGELOG.md
+++ b/CHANGELOG.md
@@ -4,11 +4,18 @@
 
 - Work in progress
 
+## [1.2.4] - 2026-03-05
+
+### Fixed
+
+- Expired tokens are refused
+
 ## [1.2.3] - 2026-02-01
 
 ### Added
 
 - Faster checkout
 
-[unreleased]: https://example.com/shop/compare/v1.2.3...HEAD
+[unreleased]: https://example.com/shop/compare/v1.2.4...HEAD
+[1.2.4]: https://example.com/shop/compare/v1.2.3...v1.2.4
 [1.2.3]: https://example.com/shop/compare/v1.2.2...v1.2.3
diff --git a/VERSION b/VERSION
--- a/VERSION
+++ b/VERSION
@@ -1 +1 @@
-1.2.3
+1.2.4"
    );

    // The JSON plan carries the same diff.
    let json = env
        .hotfix(&repo, &["finish", "--plan", "--json"])
        .ok()
        .json();
    let diff = json["release_diff"].as_str().unwrap();
    assert!(
        diff.contains("+- Reject expired tokens (ENG-7)\n"),
        "{diff}"
    );
    assert_eq!(json["plan"]["release"]["changelog"]["path"], "CHANGELOG.md");
    assert_unchanged(&before, &snapshot(&repo));

    // And finish does what the plan said: git's diff of the release is the plan's diff.
    env.hotfix(
        &repo,
        &["finish", "--changelog", "Expired tokens are refused"],
    )
    .ok();
    let shown = env.git(&repo, &["diff", "v1.2.4~1", "v1.2.4"]);
    assert_eq!(without_index(&shown), planned);
    env.fsck(&repo);
}

#[test]
fn templates_in_configuration_write_the_messages_and_the_entry() {
    let env = TestEnv::new();
    let repo = keep_a_changelog_repo(
        &env,
        "release-message = \"\"\"\nchore(release): {version}\n\nTicket: {ticket}\nSeverity: {severity}\n\"\"\"\n\
         tag-message = \"{tag} ({date}): {description}\"\n\
         changelog-entry = \"**{severity}** {description} — {ticket}\"\n",
    );
    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-7",
            "Reject expired tokens",
            "--severity",
            "P0",
        ],
    )
    .ok();
    env.commit(&repo, "fix: expiry", &[("auth.txt", "check expiry\n")]);

    // A placeholder that does not exist is refused, naming the setting.
    let bad = env
        .hotfix(&repo, &["finish", "--plan", "-c", "tag-message={verison}"])
        .expect(2);
    assert_snapshot!(scrub(&env, &bad.stderr), @"
    error: --config: `tag-message`: unknown placeholder `{verison}` (known: {version} {ticket} {description} {severity} {date} {product} {tag})
    hint: correct the value given with `-c tag-message=…`
    ");

    env.hotfix(&repo, &["finish"]).ok();
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%B", "v1.2.4^{commit}"]),
        "chore(release): 1.2.4\n\nTicket: ENG-7\nSeverity: P0\n\n"
    );
    assert_eq!(
        env.git(&repo, &["tag", "-l", "--format=%(contents)", "v1.2.4"]),
        "v1.2.4 (2026-03-05): Reject expired tokens\n\n"
    );
    assert!(
        show(&env, &repo, "v1.2.4", "CHANGELOG.md")
            .contains("### Fixed\n\n- **P0** Reject expired tokens — ENG-7\n"),
    );
}

#[test]
fn a_changelog_is_created_when_configured_and_left_out_when_not_kept() {
    let env = TestEnv::new();
    // Not configured and no CHANGELOG.md: none is made; the release commit bumps VERSION.
    let repo = env.init("plain");
    env.commit(&repo, "Release 1.0.0", &[("VERSION", "1.0.0\n")]);
    env.tag(&repo, "v1.0.0");
    env.hotfix(&repo, &["start", "ENG-1", "fix"]).ok();
    env.commit(&repo, "fix", &[("fix.txt", "fixed\n")]);
    env.hotfix(&repo, &["finish"]).ok();
    assert_eq!(
        env.git(&repo, &["diff", "--name-only", "v1.0.1~1", "v1.0.1"]),
        "VERSION\n"
    );

    // Configured: created, in the configured format.
    env.hotfix(&repo, &["start", "ENG-2", "second", "fix"]).ok();
    env.commit(&repo, "fix again", &[("fix.txt", "fixed twice\n")]);
    env.hotfix(
        &repo,
        &[
            "finish",
            "-c",
            "changelog=docs/CHANGES.md",
            "-c",
            "changelog-format=table",
        ],
    )
    .ok();
    assert_eq!(
        show(&env, &repo, "v1.0.2", "docs/CHANGES.md"),
        "# Changelog\n\n| Date | Version | Changes |\n|------|---------|---------|\n\
         | 2026-03-05 | 1.0.2 | HOTFIX: second fix (ENG-2) |\n"
    );

    // `--no-changelog` and `changelog = ""` leave it alone.
    for (ticket, flags) in [
        (
            "ENG-3",
            vec!["--no-changelog", "-c", "changelog=docs/CHANGES.md"],
        ),
        ("ENG-4", vec!["-c", "changelog="]),
    ] {
        env.hotfix(&repo, &["start", ticket, "more"]).ok();
        env.commit(&repo, ticket, &[("fix.txt", ticket)]);
        let mut args = vec!["finish"];
        args.extend(flags);
        env.hotfix(&repo, &args).ok();
        let tag = env.git(&repo, &["describe", "--abbrev=0", "main"]);
        assert_eq!(
            env.git(
                &repo,
                &[
                    "diff",
                    "--name-only",
                    &format!("{}~1", tag.trim()),
                    tag.trim()
                ]
            ),
            "VERSION\n"
        );
    }
    env.fsck(&repo);
}

#[test]
fn an_entry_written_with_the_fix_is_kept_and_a_mismatched_format_stops_before_anything_moves() {
    let env = TestEnv::new();
    let repo = keep_a_changelog_repo(&env, "");
    env.hotfix(&repo, &["start", "ENG-7", "expiry"]).ok();

    // The wrong format named in configuration: exit 1, the file named, nothing moved.
    env.commit(&repo, "fix: expiry", &[("auth.txt", "check expiry\n")]);
    let before = snapshot(&repo);
    let refs = env.refs(&repo);
    let run = env
        .hotfix(&repo, &["finish", "-c", "changelog-format=table"])
        .expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: changelog CHANGELOG.md: it has no table with a Version column, and changelog-format says `table` (make the file's first table `| Date | Version | Changes |`, or set changelog-format = "keep-a-changelog")
    hint: fix the file or the changelog settings in .hotfix.toml (changelog, changelog-format), or finish with `--no-changelog`
    "#);
    assert_unchanged(&before, &snapshot(&repo));
    assert_eq!(env.refs(&repo), refs);

    // The developer wrote the entry in the fix: the release commit keeps it as it is.
    let by_hand = show(&env, &repo, "HEAD", "CHANGELOG.md").replace(
        "## [1.2.3]",
        "## [1.2.4] - 2026-03-04\n\n### Security\n\n- Expired tokens are refused\n\n## [1.2.3]",
    );
    env.commit(&repo, "changelog", &[("CHANGELOG.md", &by_hand)]);
    env.hotfix(&repo, &["finish"]).ok();
    assert_eq!(show(&env, &repo, "v1.2.4", "CHANGELOG.md"), by_hand);
    assert_eq!(
        env.git(&repo, &["diff", "--name-only", "v1.2.4~1", "v1.2.4"]),
        "VERSION\n"
    );
}

#[test]
fn a_fix_that_bumps_and_writes_its_entry_itself_is_released_as_it_is_and_ticked() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(
        &repo,
        "Release 1.2.3",
        &[
            ("VERSION", "1.2.3\n"),
            (
                "CHANGELOG.md",
                "# Changelog\n\n## [1.2.3] - 2026-01-01\n\n- Old\n",
            ),
        ],
    );
    env.tag(&repo, "v1.2.3");
    env.hotfix(&repo, &["start", "ENG-5", "fix", "tokens"]).ok();
    // The engineer did the release commit's work by hand, in the fix.
    let fix = env.commit(
        &repo,
        "fix: tokens, release 1.2.4",
        &[
            ("VERSION", "1.2.4\n"),
            (
                "CHANGELOG.md",
                "# Changelog\n\n## [1.2.4] - 2026-03-05\n\n- Fix tokens\n\n## [1.2.3] - 2026-01-01\n\n- Old\n",
            ),
            ("tests/tokens_test.sh", "ok\n"),
        ],
    );
    let plan = env.hotfix(&repo, &["finish", "--plan"]).ok();
    assert_snapshot!(scrub(&env, &plan.stdout), @r#"
    Would finish hotfix ENG-5 (1 commit on hotfix/ENG-5-fix-tokens):
      - keep VERSION, CHANGELOG.md: the fix has them for 1.2.4 already
      - tag v1.2.4 on [ID] ("Hotfix 1.2.4: fix tokens")
      - fast-forward main to [ID]
      - delete hotfix/ENG-5-fix-tokens
      - switch [TMP]/repo to main
    "#);
    env.hotfix(&repo, &["finish", "--keep"]).ok();
    // Nothing done twice: no release commit, the tag on the fix.
    assert_eq!(env.rev(&repo, "v1.2.4^{commit}").unwrap(), fix);
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-5", "--json"])
        .ok()
        .json();
    for item in ["version-bumped", "changelog"] {
        assert!(
            crate::deploy::tick_at(&status, item).is_some(),
            "{item} not ticked: {}",
            status["hotfix"]["checklist"]
        );
    }
}
