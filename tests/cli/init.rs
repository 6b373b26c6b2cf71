use crate::common::TestEnv;

#[test]
fn init_writes_what_it_detects_and_the_result_is_used() {
    let env = TestEnv::new();
    let repo = env.old_line().dir;
    std::fs::remove_file(repo.join(".hotfix.toml")).unwrap();
    env.git(&repo, &["commit", "--quiet", "-am", "no settings"]);
    env.git(&repo, &["branch", "develop"]);

    let run = env.hotfix(&repo, &["init"]).ok();
    assert!(run.stderr.contains("Wrote"), "{}", run.stderr);
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
    assert!(
        run.stderr.contains(".hotfix.toml already exists"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
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
