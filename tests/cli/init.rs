use insta::assert_snapshot;

use crate::common::{TestEnv, scrub};

#[test]
fn init_writes_what_it_detects_and_the_result_is_used() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    std::fs::remove_file(repo.join(".hotfix.toml")).unwrap();
    env.git(&repo, &["commit", "--quiet", "-am", "no settings"]);
    env.git(&repo, &["branch", "develop"]);

    let run = env.hotfix(&repo, &["init"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
           Wrote [TMP]/repo/.hotfix.toml
      Production main
         Develop develop
           Lines release/*
            Tags v{version} (3 existing tags match)
    hint: review it, then commit it on main: `git add .hotfix.toml && git commit -m "Add git-hotfix settings"`
    "#);
    let text = std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap();
    assert!(text.contains("production-branch = \"main\""), "{text}");
    assert!(text.contains("develop-branch = \"develop\""), "{text}");
    assert!(
        text.contains("release-branches = [\"release/*\"]"),
        "{text}"
    );
    assert!(text.contains("tag-pattern = \"v{version}\""), "{text}");
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() > 5,
        "commented"
    );

    // Refuses to overwrite without --force.
    let run = env.hotfix(&repo, &["init"]).expect(1);
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: .hotfix.toml has changes that are not committed: none is committed on main, so none applies (commit it on main for them to take effect; `-c <key>=<value>` sets one for a command)
    error: [TMP]/repo/.hotfix.toml already exists
    hint: choose another path, or pass `--force` where the command offers it
    ");
    env.hotfix(&repo, &["init", "--force"]).ok();

    // Committed, it is the configuration.
    env.git(&repo, &["add", ".hotfix.toml"]);
    env.git(&repo, &["commit", "--quiet", "-m", "settings"]);
    let run = env
        .hotfix(&repo, &["start", "ENG-1", "--plan", "--json"])
        .ok();
    assert_eq!(run.json()["plan"]["version"], "2.0.1");
    env.fsck(&repo);
}

#[test]
fn init_detects_products_from_their_tags() {
    let env = TestEnv::new();
    let repo = env.monorepo().dir;
    std::fs::remove_file(repo.join(".hotfix.toml")).unwrap();
    let json = env.hotfix(&repo, &["init", "--json"]).ok().json();
    assert_eq!(
        json["plan"]["detected"]["tag_pattern"],
        "{product}/prod-v{version}"
    );
    assert_eq!(
        json["plan"]["detected"]["products"],
        serde_json::json!(["api", "mobile"])
    );
    let text = std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap();
    assert!(
        text.contains("[products.api]") && text.contains("[products.mobile]"),
        "{text}"
    );
    env.fsck(&repo);
}

#[test]
fn init_finds_each_products_version_files_in_its_directory() {
    let env = TestEnv::new();
    let repo = env.init("platform");
    env.commit(
        &repo,
        "Platform",
        &[
            (
                "apps/staff_mobile/pubspec.yaml",
                "name: staff\nversion: 0.1.0+5\n",
            ),
            ("apps/staff_mobile/lib/main.dart", "void main() {}\n"),
            ("web/package.json", "{ \"version\": \"1.8.0\" }\n"),
            ("web/package-lock.json", "{ \"version\": \"1.8.0\" }\n"),
            (
                "web/node_modules/left-pad/package.json",
                "{ \"version\": \"1.0.0\" }\n",
            ),
            ("web/e2e/package.json", "{ \"version\": \"0.0.1\" }\n"),
            ("tools/Cargo.toml", "[package]\nversion = \"0.1.0\"\n"),
        ],
    );
    for tag in [
        "staff-mobile/prod-v0.1.0",
        "web/prod-v1.8.0",
        "admin/prod-v2.0.0",
    ] {
        env.tag(&repo, tag);
    }
    env.hotfix(&repo, &["init"]).ok();
    let text = std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap();
    for expected in [
        "[products.staff-mobile]\nversion-files = [\"apps/staff_mobile/pubspec.yaml\"]\n",
        "[products.web]\nversion-files = [\"web/package-lock.json\", \"web/package.json\"]\n",
        "[products.admin]\n# no version file found in a directory named admin:\n",
        "# [policies.deploy]\n",
        "# checks = [",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }

    // Written but not committed: it does not apply yet, and every command says so once.
    let run = env.hotfix(&repo, &["status"]).ok();
    assert_eq!(
        run.stderr
            .matches(".hotfix.toml has changes that are not committed: none is committed on main, so none applies")
            .count(),
        1,
        "{}",
        run.stderr
    );
    // Committed on main, it applies and nothing is said; edited again, it is said again.
    env.git(&repo, &["add", ".hotfix.toml"]);
    env.git(
        &repo,
        &["commit", "--quiet", "-m", "Add git-hotfix settings"],
    );
    let plan = env
        .hotfix(
            &repo,
            &[
                "start",
                "ENG-1",
                "fix",
                "--product",
                "web",
                "--plan",
                "--json",
            ],
        )
        .ok();
    assert!(!plan.stderr.contains("not committed"), "{}", plan.stderr);
    assert_eq!(plan.json()["plan"]["version"], "1.8.1");
    std::fs::write(
        repo.join(".hotfix.toml"),
        std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap() + "merge = \"ff-only\"\n",
    )
    .unwrap();
    let run = env.hotfix(&repo, &["status"]).ok();
    assert_snapshot!(scrub(&env, &run.stderr), @"
    warning: .hotfix.toml has changes that are not committed: the one committed on main applies (commit it on main for them to take effect; `-c <key>=<value>` sets one for a command)
    hint: start one with `git hotfix start <ticket> <description>`
    ");
}
