//! The three runbooks git-hotfix was started from, each walked step by step on a repository
//! shaped like its users', with no workaround in between: every artifact checked with git,
//! the fake GitHub, the journal and the reports.

use std::path::{Path, PathBuf};

use fake_github::FakeGitHub;
use serde_json::Value;

use insta::assert_snapshot;

use crate::common::fixtures::Fixture;
use crate::common::health::Health;
use crate::common::{Run, TestEnv, scrub};
use crate::github::merge_branch_on_github;

const TOKEN: &str = "ghp_runbook_5e3c";

/// Records its arguments, one line per run, in the file named last.
const RECORDER: &str = "#!/bin/sh\nfor log; do :; done\necho \"$*\" >> \"$log\"\n";

fn executable(repo: &Path, path: &str, content: &str) {
    let file = repo.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, content).unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

fn with_github(env: &TestEnv, github: &FakeGitHub, dir: &Path, args: &[&str]) -> Run {
    let mut command = env.hotfix_command(dir, args);
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url());
    Run::of(command)
}

fn status(env: &TestEnv, dir: &Path, ticket: &str) -> Value {
    env.hotfix(dir, &["status", "--hotfix", ticket, "--json"])
        .ok()
        .json()
}

/// The checklist items ticked, by name.
fn ticked(status: &Value) -> Vec<String> {
    status["hotfix"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["at"].is_string())
        .map(|t| t["item"].as_str().unwrap().to_string())
        .collect()
}

fn show(env: &TestEnv, dir: &Path, rev: &str, path: &str) -> String {
    env.git(dir, &["show", &format!("{rev}:{path}")])
}

const PACKAGE_JSON: &str = "{\n  \"name\": \"shop-web\",\n  \"version\": \"2.4.1\",\n  \"private\": true,\n  \"scripts\": { \"test\": \"node --test\" },\n  \"dependencies\": { \"semver\": \"^7.6.0\" }\n}\n";
const PACKAGE_LOCK: &str = "{\n  \"name\": \"shop-web\",\n  \"version\": \"2.4.1\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"shop-web\",\n      \"version\": \"2.4.1\",\n      \"dependencies\": { \"semver\": \"^7.6.0\" }\n    },\n    \"node_modules/semver\": {\n      \"version\": \"7.6.0\",\n      \"resolved\": \"https://registry.npmjs.org/semver/-/semver-7.6.0.tgz\"\n    }\n  }\n}\n";
const CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\n## [2.4.1] - 2026-02-01\n\n### Fixed\n\n- Cart totals round half up\n\n[Unreleased]: https://github.com/acme/shop/compare/v2.4.1...HEAD\n[2.4.1]: https://github.com/acme/shop/compare/v2.4.0...v2.4.1\n";

/// The emergency-release skill's repository: a web app with package.json and its lock,
/// a Keep a Changelog file, develop and a release candidate `rc`, the project's checks,
/// a deploy script and a health endpoint; pushed to a bare origin.
fn web_app(env: &TestEnv, health: &Health, log: &Path) -> Fixture {
    let repo = env.init("web");
    executable(&repo, "scripts/check.sh", RECORDER);
    executable(&repo, "deploy.sh", RECORDER);
    env.git(&repo, &["add", "scripts/check.sh", "deploy.sh"]);
    let config = format!(
        r#"develop-branch = "develop"
release-branches = ["rc"]
backport-branch-template = "backport/{{target}}/hotfix-{{ticket}}"
checks = [
    "./scripts/check.sh test {log}",
    "./scripts/check.sh typecheck {log}",
    "./scripts/check.sh build {log}",
]

[github]
repository = "acme/shop"
reviewers = ["alice"]

[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh"]
http = ["{origin}"]

[policies.deploy.settings]
deploy = "./deploy.sh deploy {{environment}} {{version}} {log}"
verify = "./deploy.sh smoke {{environment}} {{version}} {log}"
health-url = "{url}"
health-retries = 2
health-interval = 0
"#,
        log = log.display(),
        origin = health.origin,
        url = health.url,
    );
    env.commit(
        &repo,
        "Release 2.4.1",
        &[
            (".hotfix.toml", &config),
            ("package.json", PACKAGE_JSON),
            ("package-lock.json", PACKAGE_LOCK),
            ("CHANGELOG.md", CHANGELOG),
            (
                "src/admin.js",
                "export const allowed = (token) => token.claims.role === 'admin';\n",
            ),
            (
                "tests/cart.test.js",
                "test('totals round half up', () => {});\n",
            ),
        ],
    );
    env.tag(&repo, "v2.4.1");
    env.git(&repo, &["branch", "rc"]);
    env.git(&repo, &["branch", "develop"]);
    env.git(&repo, &["switch", "--quiet", "rc"]);
    env.commit(
        &repo,
        "rc: checkout page",
        &[("src/checkout.js", "// rc\n")],
    );
    env.git(&repo, &["switch", "--quiet", "develop"]);
    env.commit(
        &repo,
        "develop: wishlists",
        &[("src/wishlist.js", "// dev\n")],
    );
    env.git(&repo, &["switch", "--quiet", "main"]);
    env.with_origin(Fixture {
        dir: repo,
        origin: None,
    })
}

/// The emergency-release skill: assess, branch, minimal fix with a regression test and its
/// root cause, the project's checks, version and lock and changelog, the templated pull
/// request, merge, tag and push, deploy and verify, the messages, backports to rc and
/// develop as pull requests, patch files for a place that cannot pull, the review.
#[test]
fn the_emergency_release_skill_on_a_web_app() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let log = env.path("runbook.log");
    let fixture = web_app(&env, &health, &log);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());
    let github = FakeGitHub::start("acme", "shop", TOKEN);

    // 1. Assess and declare: the policy reads the incident's words.
    let start = env
        .hotfix(
            dir,
            &[
                "start",
                "ENG-1234",
                "Authorization bypass on admin API",
                "--assess",
                "--detected-at",
                "25 minutes ago",
            ],
        )
        .ok();
    assert_snapshot!(scrub(&env, &start.stderr), @"
         Fetched main from origin
    warning: the severity policy's questions security, data, down, broken, payments, workaround went unanswered (no terminal to ask on): the verdict counts only what was said; answer with `--answer <id>=<answer>`
         Created branch hotfix/ENG-1234-authorization-bypass-on-admin-api from v2.4.1 ([ID])
        Switched to hotfix/ENG-1234-authorization-bypass-on-admin-api
       Releasing 2.4.2 as tag v2.4.2
        Severity P0 · security vulnerability: respond within 2h, deploy immediate
    hint: commit the fix (with a regression test), then run `git hotfix finish`
    ");
    let branch = "hotfix/ENG-1234-authorization-bypass-on-admin-api";
    assert_eq!(env.branch(dir).as_deref(), Some(branch));
    assert_eq!(
        env.rev(dir, "HEAD"),
        env.rev(dir, "v2.4.1^{commit}"),
        "branched from the production tag"
    );

    // 3-5. A minimal fix, its regression test, the root cause in the message.
    let fix = env.commit(
        dir,
        "fix: check the admin role on a verified token\n\nRoot cause: the admin router trusted the role claim of tokens\nwhose signature was never checked.\n\nFixes: ENG-1234",
        &[
            (
                "src/admin.js",
                "export const allowed = (token) => token.verified && token.claims.role === 'admin';\n",
            ),
            (
                "tests/admin.test.js",
                "test('unsigned admin tokens are refused', () => {});\n",
            ),
        ],
    );

    // 4, 6-8. The checks run, the release commit is made, the pull request opened.
    let run = with_github(&env, &github, dir, &["finish", "--pr"]).ok();
    assert!(
        !run.stderr.contains("no commit of the fix touches a test"),
        "{}",
        run.stderr
    );
    let checks = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        checks
            .lines()
            .map(|l| l.split(' ').next().unwrap())
            .collect::<Vec<_>>(),
        ["test", "typecheck", "build"]
    );
    let release = env.rev(dir, branch).unwrap();
    assert_eq!(env.parents(dir, &release), vec![fix.clone()]);
    assert_eq!(
        show(&env, dir, &release, "package.json"),
        PACKAGE_JSON.replace("\"2.4.1\"", "\"2.4.2\"")
    );
    assert_eq!(
        show(&env, dir, &release, "package-lock.json"),
        PACKAGE_LOCK.replacen("\"2.4.1\"", "\"2.4.2\"", 2),
        "the lock moves with package.json, its dependencies do not"
    );
    let changelog = show(&env, dir, &release, "CHANGELOG.md");
    assert!(
        changelog.contains("## [Unreleased]\n\n## [2.4.2] - "),
        "{changelog}"
    );
    assert!(
        changelog.contains("- Authorization bypass on admin API (ENG-1234, P0)"),
        "{changelog}"
    );
    let pulls = github.pulls();
    assert_eq!(pulls.len(), 1);
    let pr = &pulls[0];
    assert_eq!(
        pr.title,
        "[RELEASE][HOTFIX][P0] ENG-1234: Authorization bypass on admin API"
    );
    assert_eq!((pr.head.as_str(), pr.base.as_str()), (branch, "main"));
    assert_eq!(pr.labels, ["P0", "hotfix"]);
    for section in [
        "- [x] **P0** security vulnerability",
        "## Root cause\n\nthe admin router trusted the role claim of tokens whose signature was never checked.",
        "- package.json: 2.4.1 → 2.4.2",
        "- package-lock.json: 2.4.1 → 2.4.2",
        "## Regression test\n\n- `tests/admin.test.js`",
        "## Rollback plan",
        "- Redeploy the previous release: `v2.4.1`.",
        "## Deploy\n\n- [ ] staging skipped: P0 goes straight to production",
        "## Monitoring",
    ] {
        assert!(pr.body.contains(section), "no {section:?} in\n{}", pr.body);
    }

    // 9. Merged on GitHub: tagged on what merged, pushed.
    let merge = merge_branch_on_github(&env, &github, origin, 1, branch);
    with_github(&env, &github, dir, &["finish", "--after-merge"]).ok();
    assert_eq!(env.rev(dir, "v2.4.2^{commit}").as_deref(), Some(&*merge));
    assert_eq!(env.rev(origin, "v2.4.2"), env.rev(dir, "v2.4.2"));
    assert_eq!(
        env.git(dir, &["cat-file", "-p", "v2.4.2"])
            .lines()
            .last()
            .unwrap(),
        "Hotfix 2.4.2: Authorization bypass on admin API"
    );

    // 10-11. P0: straight to production, then verified.
    env.hotfix(dir, &["deploy", "--yes", "--hotfix", "ENG-1234"])
        .ok();
    env.hotfix(
        dir,
        &["verify", "production", "--yes", "--hotfix", "ENG-1234"],
    )
    .ok();
    let ran = std::fs::read_to_string(&log).unwrap();
    assert!(
        ran.contains("deploy production 2.4.2") && ran.contains("smoke production 2.4.2"),
        "{ran}"
    );

    // 13. The messages: the internal one has the facts a person would write.
    let internal = env
        .hotfix(dir, &["report", "internal", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    for fact in [
        "ENG-1234",
        "Priority: P0",
        "Root cause: the admin router trusted the role claim",
        "released as v2.4.2",
        "PR: https://github.test/acme/shop/pull/1",
        "verified in production",
    ] {
        assert!(internal.contains(fact), "no {fact:?} in\n{internal}");
    }

    // 14. Backports to rc and develop, one pull request each, named by ticket.
    let run = with_github(
        &env,
        &github,
        dir,
        &[
            "backport", "--hotfix", "ENG-1234", "--to", "rc", "--to", "develop", "--pr", "--json",
        ],
    )
    .ok();
    let backport = run.json();
    for target in ["rc", "develop"] {
        let name = format!("backport/{target}/hotfix-ENG-1234");
        let tip = env
            .rev(origin, &name)
            .unwrap_or_else(|| panic!("{name} pushed"));
        assert_eq!(
            env.parents(origin, &tip),
            vec![env.rev(dir, target).unwrap()]
        );
        assert_eq!(
            show(&env, origin, &tip, "src/admin.js"),
            show(&env, dir, &fix, "src/admin.js")
        );
        // The release commit stays behind: each line bumps its own version.
        assert_eq!(show(&env, origin, &tip, "package.json"), PACKAGE_JSON);
        assert!(
            github
                .pulls()
                .iter()
                .any(|p| p.head == name && p.base == target),
            "{:?}",
            github.pulls()
        );
    }
    assert_eq!(backport["state"], "done", "{backport}");

    // Patch files for a place that cannot pull: applied there as git would.
    let out = env.path("patches");
    env.hotfix(
        dir,
        &[
            "patch",
            "export",
            "--hotfix",
            "ENG-1234",
            "-o",
            &out.to_string_lossy(),
        ],
    )
    .ok();
    let elsewhere = env.path("air-gapped");
    env.git(
        env.root.path(),
        &[
            "clone",
            "--quiet",
            "--branch",
            "v2.4.1",
            &origin.to_string_lossy(),
            "air-gapped",
        ],
    );
    env.git(&elsewhere, &["switch", "--quiet", "-c", "support"]);
    env.hotfix(&elsewhere, &["patch", "apply", &out.to_string_lossy()])
        .ok();
    assert_eq!(
        env.git(&elsewhere, &["log", "-1", "--format=%s"]).trim(),
        "fix: check the admin role on a verified token"
    );
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("src/admin.js")).unwrap(),
        show(&env, dir, &fix, "src/admin.js")
    );

    // 16. The review: the timeline, and the sections the runbook asks for.
    let pir = env
        .hotfix(dir, &["report", "pir", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    for section in [
        "## Timeline (UTC)",
        "incident detected",
        "## Root cause\n\nthe admin router trusted",
        "## What went well",
        "## What went wrong",
        "## Action items",
        "## Prevention",
        "## Lessons learned",
        "(with a regression test)",
    ] {
        assert!(pir.contains(section), "no {section:?} in\n{pir}");
    }

    // The checklist agrees with what happened, and only that.
    let done = ticked(&status(&env, dir, "ENG-1234"));
    for item in [
        "assessed",
        "branch-created",
        "fix-committed",
        "regression-test",
        "tested",
        "version-bumped",
        "changelog",
        "pr-opened",
        "merged",
        "tagged",
        "pushed",
        "production-deployed",
        "production-verified",
    ] {
        assert!(
            done.iter().any(|d| d == item),
            "{item} not ticked: {done:?}"
        );
    }
    for item in [
        "staging-deployed",
        "communicated",
        "followed-up",
        "review-scheduled",
    ] {
        assert!(!done.iter().any(|d| d == item), "{item} ticked: {done:?}");
    }
    env.fsck(dir);
    env.fsck(origin);
    env.fsck(&elsewhere);
}

/// `deploy.sh <environment> <step> <version> <state> <log>`: puts `version` in the state
/// file of the environment, as a rollout would.
const DEPLOY: &str =
    "#!/bin/sh\necho \"deploy $1 $2 $3\" >> \"$5\"\nmkdir -p \"$4\"\necho \"$3\" > \"$4/$1\"\n";
/// `check-version.sh <environment> <expected> <state> <log>`: what the service reports must
/// be the version expected.
const CHECK_VERSION: &str = "#!/bin/sh\necho \"check $1 $2\" >> \"$4\"\nrunning=$(cat \"$3/$1\" 2>/dev/null)\nif [ \"$running\" != \"$2\" ]; then echo \"$1 reports ${running:-nothing}, expected $2\" >&2; exit 1; fi\necho \"$1 reports $running\"\n";

/// The hotfix-deploy command's Node API: `prod-v*` tags, staging, a rolling production
/// deploy in batches behind a pre-deploy checklist, version checks, a validated rollback.
fn node_api(env: &TestEnv, health: &Health, state: &Path, log: &Path) -> PathBuf {
    let repo = env.init("api");
    executable(&repo, "scripts/deploy.sh", DEPLOY);
    executable(&repo, "scripts/check-version.sh", CHECK_VERSION);
    env.git(&repo, &["add", "scripts"]);
    let tail = format!("{} {}", state.display(), log.display());
    let config = format!(
        r#"tag-pattern = "prod-v{{version}}"

[policies.deploy]
plugin = "builtin:deploy"
commands = ["scripts/*.sh"]
http = ["{origin}"]

[policies.deploy.settings]
verify = "scripts/check-version.sh {{environment}} {{version}} {tail}"
rollback = "scripts/deploy.sh {{environment}} all {{previous}} {tail}"
rollback-verify = "scripts/check-version.sh {{environment}} {{previous}} {tail}"
health-url = "{url}"
health-retries = 2
health-interval = 0

[policies.deploy.settings.staging]
deploy = "scripts/deploy.sh staging all {{version}} {tail}"

[policies.deploy.settings.production]
checklist = ["backup done", "rollback plan ready", "alerts on", "people on call", "incident channel open"]
deploy = [
    "scripts/deploy.sh production batch-1 {{version}} {tail}",
    "scripts/deploy.sh production batch-2 {{version}} {tail}",
    "scripts/deploy.sh production batch-3 {{version}} {tail}",
]
"#,
        origin = health.origin,
        url = health.url,
    );
    env.commit(
        &repo,
        "Release 3.1.0",
        &[
            (".hotfix.toml", &config),
            (
                "package.json",
                "{\n  \"name\": \"orders-api\",\n  \"version\": \"3.1.0\"\n}\n",
            ),
            (
                "package-lock.json",
                "{\n  \"name\": \"orders-api\",\n  \"version\": \"3.1.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"orders-api\", \"version\": \"3.1.0\" }\n  }\n}\n",
            ),
            ("src/orders.js", "export const total = (o) => o.items.sum;\n"),
        ],
    );
    env.tag(&repo, "prod-v3.1.0");
    repo
}

/// The hotfix-deploy command: the production state first, a `-hotfix.1` release from the
/// production tag, staging then production in batches behind the pre-deploy checklist, the
/// version each reports checked, the monitoring window, and a rollback that is validated.
#[test]
fn the_hotfix_deploy_command_on_a_node_api() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (state, log) = (env.path("running"), env.path("deploy.log"));
    let dir = &node_api(&env, &health, &state, &log);
    let running = |environment: &str| {
        std::fs::read_to_string(state.join(environment))
            .unwrap_or_default()
            .trim()
            .to_string()
    };

    // The runbook starts from what production is.
    let before = env.hotfix(dir, &["status"]).ok().stdout;
    assert!(before.contains("No hotfix in progress."), "{before}");
    assert!(before.contains("release     prod-v3.1.0"), "{before}");
    assert!(
        before.contains("production  no deploy recorded"),
        "{before}"
    );

    env.hotfix(
        dir,
        &[
            "start",
            "INC-42",
            "Orders API returns 500 for most users",
            "--severity",
            "P1",
            "--pre-release",
        ],
    )
    .ok();
    env.commit(
        dir,
        "fix: total the items' prices\n\nRoot cause: a refactor summed the wrong field.",
        &[
            (
                "src/orders.js",
                "export const total = (o) => o.items.reduce((s, i) => s + i.price, 0);\n",
            ),
            ("test/orders.test.js", "test('totals', () => {});\n"),
        ],
    );
    env.hotfix(dir, &["finish"]).ok();
    let tag = "prod-v3.1.0-hotfix.1";
    assert_eq!(
        show(&env, dir, tag, "package.json"),
        "{\n  \"name\": \"orders-api\",\n  \"version\": \"3.1.0-hotfix.1\"\n}\n"
    );
    assert_eq!(
        show(&env, dir, tag, "package-lock.json")
            .matches("3.1.0-hotfix.1")
            .count(),
        2
    );

    // P1: staging first; production waits for it.
    let held = env
        .hotfix(
            dir,
            &["deploy", "production", "--yes", "--hotfix", "INC-42"],
        )
        .expect(4);
    assert!(held.stderr.contains("verified staging"), "{}", held.stderr);
    env.hotfix(dir, &["deploy", "--yes", "--hotfix", "INC-42"])
        .ok();
    assert_eq!(running("staging"), "3.1.0-hotfix.1");
    env.hotfix(dir, &["verify", "--yes", "--hotfix", "INC-42"])
        .ok();

    // Production: the checklist, then one batch after the other, then its health.
    let plan = env
        .hotfix(dir, &["deploy", "--plan", "--hotfix", "INC-42"])
        .ok()
        .stdout;
    for step in [
        "confirm  Before the deploy: backup done?",
        "confirm  Before the deploy: incident channel open?",
        "confirm  Deploy prod-v3.1.0-hotfix.1 to production?",
        "deploy prod-v3.1.0-hotfix.1 to production (1 of 3)",
        "deploy prod-v3.1.0-hotfix.1 to production (3 of 3)",
    ] {
        assert!(plan.contains(step), "no {step:?} in\n{plan}");
    }
    env.hotfix(dir, &["deploy", "--yes", "--hotfix", "INC-42"])
        .ok();
    let verified = env
        .hotfix(dir, &["verify", "--yes", "--hotfix", "INC-42"])
        .ok();
    assert!(
        verified.stderr.contains("Monitor production until"),
        "{}",
        verified.stderr
    );
    assert_eq!(running("production"), "3.1.0-hotfix.1");
    let ran = std::fs::read_to_string(&log).unwrap();
    let production: Vec<&str> = ran
        .lines()
        .filter(|l| l.starts_with("deploy production"))
        .collect();
    assert_eq!(
        production,
        [
            "deploy production batch-1 3.1.0-hotfix.1",
            "deploy production batch-2 3.1.0-hotfix.1",
            "deploy production batch-3 3.1.0-hotfix.1",
        ]
    );
    assert!(ran.contains("check production 3.1.0-hotfix.1"), "{ran}");
    let journal: Value = serde_json::from_slice(
        &std::fs::read(dir.join(".git/hotfix/finished/INC-42-3.1.0-hotfix.1.json")).unwrap(),
    )
    .unwrap();
    let confirmed: Vec<&Value> = journal["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["event"] == "deploy-step"
                && e["step"].as_str().unwrap().contains("Before the deploy")
                && e["detail"] == "yes (--yes)"
        })
        .collect();
    assert_eq!(confirmed.len(), 5);

    // Verified: nothing in progress, and the production state says what runs where.
    let after = env.hotfix(dir, &["status"]).ok().stdout;
    assert!(after.contains("No hotfix in progress."), "{after}");
    assert!(
        after.contains("production  runs 3.1.0-hotfix.1 since") && after.contains("(INC-42)"),
        "{after}"
    );
    assert!(
        after.contains("INC-42  3.1.0-hotfix.1  finished · P1"),
        "{after}"
    );

    // Rolled back, and the rollback validated against what production reports.
    env.hotfix(dir, &["rollback", "--yes", "--hotfix", "INC-42"])
        .ok();
    assert_eq!(running("production"), "3.1.0");
    let ran = std::fs::read_to_string(&log).unwrap();
    assert!(
        ran.ends_with("deploy production all 3.1.0\ncheck production 3.1.0\n"),
        "{ran}"
    );
    let done = ticked(&status(&env, dir, "INC-42"));
    for item in [
        "staging-deployed",
        "staging-verified",
        "production-deployed",
        "production-verified",
        "tagged",
        "version-bumped",
    ] {
        assert!(
            done.iter().any(|d| d == item),
            "{item} not ticked: {done:?}"
        );
    }
    env.fsck(dir);
}

const PRODUCT_CHANGELOG: &str = "# Changelog\n\n## Staff Mobile\n\n| Date | Version | Changes |\n|------|---------|---------|\n| 2026-02-10 | 0.1.0 | First release |\n\n## Customer Mobile\n\n| Date | Version | Changes |\n|------|---------|---------|\n| 2026-02-11 | 2.3.0 | Loyalty points |\n\n## Web\n\n| Date | Version | Changes |\n|------|---------|---------|\n| 2026-02-12 | 1.8.0 | New checkout |\n";

/// The multi-product process's monorepo: two Flutter apps with store build numbers and a
/// web app, `<product>/prod-v*` tags, one CHANGELOG with a table per product, production
/// merged fast-forward only, no staging, and a deploy that can be verified.
fn monorepo(env: &TestEnv, health: &Health, log: &Path) -> Fixture {
    let repo = env.init("platform");
    executable(&repo, "deploy.sh", RECORDER);
    env.git(&repo, &["add", "deploy.sh"]);
    let config = format!(
        r#"branch-template = "hotfix/{{product}}-v{{version}}"
merge = "ff-only"
staging = false
changelog-format = "table"

[products.staff-mobile]
version-files = ["staff-mobile/pubspec.yaml"]

[products.customer-mobile]
version-files = ["customer-mobile/pubspec.yaml"]

[products.web]
version-files = ["web/package.json", "web/package-lock.json"]

[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh"]
http = ["{origin}"]

[policies.deploy.settings]
deploy = "./deploy.sh {{tag}} {log}"
health-url = "{url}"
health-retries = 1
health-interval = 0
"#,
        log = log.display(),
        origin = health.origin,
        url = health.url,
    );
    env.commit(
        &repo,
        "Platform",
        &[
            (".hotfix.toml", &config),
            ("CHANGELOG.md", PRODUCT_CHANGELOG),
            (
                "staff-mobile/pubspec.yaml",
                "name: staff\nversion: 0.1.0+5\n",
            ),
            (
                "customer-mobile/pubspec.yaml",
                "name: customer\nversion: 2.3.0+41\n",
            ),
            (
                "web/package.json",
                "{\n  \"name\": \"web\",\n  \"version\": \"1.8.0\"\n}\n",
            ),
            (
                "web/package-lock.json",
                "{\n  \"name\": \"web\",\n  \"version\": \"1.8.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"web\", \"version\": \"1.8.0\" }\n  }\n}\n",
            ),
            ("web/checkout.js", "export const pay = () => {};\n"),
            ("staff-mobile/lib/login.dart", "void login() {}\n"),
        ],
    );
    for tag in [
        "staff-mobile/prod-v0.1.0",
        "customer-mobile/prod-v2.3.0",
        "web/prod-v1.8.0",
    ] {
        env.tag(&repo, tag);
    }
    env.with_origin(Fixture {
        dir: repo,
        origin: None,
    })
}

/// The staff app's login fixed on its hotfix branch with `message` and finished with
/// `--push`: its tag, whose pubspec moved with its store build number and the other app's
/// did not, and the changelog at that tag.
fn staff_app_fixed(env: &TestEnv, dir: &Path, message: &str) -> (&'static str, String) {
    env.commit(
        dir,
        message,
        &[
            (
                "staff-mobile/lib/login.dart",
                "void login() { session ??= Session(); }\n",
            ),
            ("staff-mobile/test/login_test.dart", "void main() {}\n"),
        ],
    );
    env.hotfix(dir, &["finish", "--push"]).ok();
    let staff = "staff-mobile/prod-v0.1.1";
    assert_eq!(
        show(env, dir, staff, "staff-mobile/pubspec.yaml"),
        "name: staff\nversion: 0.1.1+6\n",
        "the store's build number moves with the version"
    );
    assert_eq!(
        show(env, dir, staff, "customer-mobile/pubspec.yaml"),
        "name: customer\nversion: 2.3.0+41\n"
    );
    (staff, show(env, dir, staff, "CHANGELOG.md"))
}

/// A product whose table in the shared changelog is headed by another name than the
/// product's (`## Staff Mobile` for `app`): `changelog-heading` says which, and the row
/// goes there without the heading renamed first.
#[test]
fn a_product_names_the_heading_of_its_table_in_the_shared_changelog() {
    let env = TestEnv::new();
    let repo = env.init("platform");
    let config = "changelog-format = \"table\"\n\n[products.app]\nversion-files = [\"staff/pubspec.yaml\"]\nchangelog-heading = \"Staff Mobile\"\n\n[products.web]\nversion-files = [\"web/VERSION\"]\n";
    env.commit(
        &repo,
        "Platform",
        &[
            (".hotfix.toml", config),
            ("CHANGELOG.md", PRODUCT_CHANGELOG),
            ("staff/pubspec.yaml", "name: staff\nversion: 0.1.0+5\n"),
            ("staff/lib/login.dart", "void login() {}\n"),
            ("web/VERSION", "1.8.0\n"),
        ],
    );
    env.tag(&repo, "app/prod-v0.1.0");
    env.tag(&repo, "web/prod-v1.8.0");
    let start = [
        "start",
        "ENG-9",
        "login",
        "--product",
        "app",
        "--severity",
        "P1",
    ];
    env.hotfix(&repo, &start).ok();
    env.commit(
        &repo,
        "fix: null session",
        &[("staff/lib/login.dart", "void login() { s ??= S(); }\n")],
    );
    // Without the setting, the product's name is looked for, and not found: said, not guessed.
    let unset = ["-c", "products.app.changelog-heading=", "finish", "--plan"];
    let refused = env.hotfix(&repo, &unset).expect(1);
    assert!(
        refused
            .stderr
            .contains("none is under a heading that names app"),
        "{}",
        refused.stderr
    );
    env.hotfix(&repo, &["finish"]).ok();
    let changelog = env.git(&repo, &["show", "app/prod-v0.1.1:CHANGELOG.md"]);
    let rows = rows_under(&changelog, "Staff Mobile");
    assert_eq!(rows.len(), 2, "{changelog}");
    assert!(rows[0].contains("| 0.1.1 |"), "{changelog}");
    assert_eq!(rows_under(&changelog, "Web").len(), 1);
    env.fsck(&repo);
}

/// The rows of the table under `heading`.
fn rows_under(changelog: &str, heading: &str) -> Vec<String> {
    changelog
        .split("\n## ")
        .find(|section| section.starts_with(heading))
        .unwrap_or_else(|| panic!("no {heading} in {changelog}"))
        .lines()
        .filter(|l| l.starts_with("| 20"))
        .map(String::from)
        .collect()
}

/// The multi-product process: a web hotfix and a staff-app hotfix in one monorepo, each
/// tagged `<product>/prod-v…`, its row in its product's table, the app's build number
/// moved, production fast-forwarded only, and the people told now and 24 hours later.
#[test]
fn the_multi_product_process_on_a_monorepo() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let log = env.path("deploy.log");
    let fixture = monorepo(&env, &health, &log);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());

    // The web app first.
    env.hotfix(
        dir,
        &[
            "start",
            "ENG-77",
            "Checkout button does nothing",
            "--product",
            "web",
            "--severity",
            "P1",
        ],
    )
    .ok();
    assert_eq!(env.branch(dir).as_deref(), Some("hotfix/web-v1.8.1"));
    env.commit(
        dir,
        "fix: bind the checkout button\n\nRoot cause: the handler was attached before render.",
        &[
            ("web/checkout.js", "export const pay = () => submit();\n"),
            ("web/checkout.test.js", "test('pays', () => {});\n"),
        ],
    );
    env.hotfix(dir, &["finish", "--push"]).ok();
    let web = "web/prod-v1.8.1";
    let main = env.rev(dir, "main").unwrap();
    assert_eq!(
        env.rev(dir, &format!("{web}^{{commit}}")).as_deref(),
        Some(&*main)
    );
    assert_eq!(env.rev(origin, web), env.rev(dir, web));
    assert_eq!(
        env.git(dir, &["rev-list", "--merges", "web/prod-v1.8.0..main"]),
        "",
        "production moved by fast-forward only"
    );
    assert_eq!(
        show(&env, dir, web, "web/package-lock.json")
            .matches("1.8.1")
            .count(),
        2
    );
    let changelog = show(&env, dir, web, "CHANGELOG.md");
    let web_rows = rows_under(&changelog, "Web");
    assert_eq!(web_rows.len(), 2, "{changelog}");
    assert!(
        web_rows[0].ends_with("| 1.8.1 | HOTFIX: Checkout button does nothing (ENG-77, P1) |"),
        "{changelog}"
    );
    assert_eq!(rows_under(&changelog, "Staff Mobile").len(), 1);
    assert_eq!(rows_under(&changelog, "Customer Mobile").len(), 1);

    // No staging here: production at once, then verified; the people told now, and the
    // follow-up comes due a day later.
    env.hotfix(dir, &["deploy", "--yes", "--hotfix", "ENG-77"])
        .ok();
    env.hotfix(dir, &["verify", "--yes", "--hotfix", "ENG-77"])
        .ok();
    assert!(
        std::fs::read_to_string(&log).unwrap().contains(web),
        "deployed its own tag"
    );
    let now = env
        .hotfix(dir, &["report", "status-page", "--hotfix", "ENG-77"])
        .ok()
        .stdout;
    assert!(now.contains("**Resolved**"), "{now}");
    env.hotfix(
        dir,
        &[
            "check",
            "communicated",
            "--note",
            "#incidents",
            "--hotfix",
            "ENG-77",
        ],
    )
    .ok();
    let told = status(&env, dir, "ENG-77");
    let follow_up = told["hotfix"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["item"] == "followed-up")
        .unwrap();
    let due: jiff::Timestamp = follow_up["due"].as_str().unwrap().parse().unwrap();
    let verified = crate::deploy::tick_at(&told, "production-verified").unwrap();
    assert_eq!(due.duration_since(verified).as_hours(), 24);
    env.hotfix(
        dir,
        &["check", "followed-up", "--at", "now", "--hotfix", "ENG-77"],
    )
    .ok();
    assert!(ticked(&status(&env, dir, "ENG-77")).contains(&"followed-up".to_string()));

    // Then the staff app, from production's tip so that it fast-forwards too.
    env.hotfix(
        dir,
        &[
            "start",
            "ENG-78",
            "Staff app crashes on login",
            "--product",
            "staff-mobile",
            "--severity",
            "P0",
            "--from",
            "main",
        ],
    )
    .ok();
    assert_eq!(
        env.branch(dir).as_deref(),
        Some("hotfix/staff-mobile-v0.1.1")
    );
    let (_, changelog) = staff_app_fixed(&env, dir, "fix: null session on first login");
    assert!(
        rows_under(&changelog, "Staff Mobile")[0]
            .ends_with("| 0.1.1 | HOTFIX: Staff app crashes on login (ENG-78, P0) |"),
        "{changelog}"
    );
    assert_eq!(rows_under(&changelog, "Web").len(), 2);
    assert_eq!(
        env.git(dir, &["rev-list", "--merges", "web/prod-v1.8.0..main"]),
        ""
    );
    assert_eq!(env.rev(origin, "main"), env.rev(dir, "main"));
    env.fsck(dir);
    env.fsck(origin);
}

/// The Hotfix Process's own table: CRITICAL (service down, data loss, security; under an
/// hour), HIGH and MEDIUM with their own times, in `.hotfix.toml` and no plugin. The
/// built-in policy still judges; the plan, clock, pull request and labels speak the team's
/// names and times.
const HOTFIX_PROCESS_LEVELS: &str = r#"
[[severity-levels]]
name = "CRITICAL"
aliases = ["SEV1"]
respond-within = "1h"
deploy-window = "immediate"
skip-staging = true
criteria = ["service down", "data loss", "security", "服务宕机"]

[[severity-levels]]
name = "HIGH"
respond-within = "4h"
deploy-window = "same-day"

[[severity-levels]]
name = "MEDIUM"
respond-within = "24h"
deploy-window = "next-business-day"
"#;

#[test]
fn a_team_s_severity_table_names_the_levels_and_times_without_a_plugin() {
    let env = TestEnv::new();
    let repo = env.init("staff-app");
    env.commit(
        &repo,
        "Staff app",
        &[
            (".hotfix.toml", HOTFIX_PROCESS_LEVELS),
            ("VERSION", "3.1.0\n"),
            ("lib/login.dart", "void login() {}\n"),
        ],
    );
    env.tag(&repo, "v3.1.0");
    let fixture = env.with_origin(Fixture {
        dir: repo,
        origin: None,
    });
    let repo = fixture.dir.clone();
    let assess = |title: &str| {
        env.hotfix(&repo, &["assess", "--title", title, "--json"])
            .ok()
            .json()["assessment"]
            .clone()
    };

    // The built-in policy's verdict, named and timed by the table.
    let crash = assess("App crash on launch");
    assert_eq!(
        (
            &crash["severity"],
            &crash["name"],
            &crash["response_minutes"]
        ),
        (&"P1".into(), &"HIGH".into(), &240.into()),
        "{crash}"
    );
    // The table's own criteria: a service down is CRITICAL, in English or Chinese.
    for title in ["Service down in eu-west", "排班服务宕机"] {
        let down = assess(title);
        assert_eq!(down["name"], "CRITICAL", "{title}: {down}");
        assert_eq!(down["response_minutes"], 60);
        assert_eq!(down["skip_staging_allowed"], true);
    }
    // The team has no fourth level: the policy's P3 is its MEDIUM, and says so.
    let campaign = assess("banner wrong for the partner campaign");
    assert_eq!(campaign["name"], "MEDIUM", "{campaign}");
    assert!(
        campaign["reasons"]
            .to_string()
            .contains("the team's MEDIUM"),
        "{campaign}"
    );

    // A level chosen by hand, by the team's name or alias; a name it does not have is
    // refused with the ones it has.
    let unknown = ["start", "ENG-5", "crash", "--severity", "LOW"];
    let refused = env.hotfix(&repo, &unknown).expect(2);
    assert!(
        refused
            .stderr
            .contains("its levels: CRITICAL (P0; also SEV1), HIGH (P1), MEDIUM (P2)"),
        "{}",
        refused.stderr
    );
    assert!(env.rev(&repo, "refs/heads/hotfix/ENG-5-crash").is_none());
    env.hotfix(&repo, &["start", "ENG-5", "crash", "--severity", "sev1"])
        .ok();
    let status = status(&env, &repo, "ENG-5");
    assert_eq!(status["hotfix"]["assessment"]["name"], "CRITICAL");
    assert_eq!(status["hotfix"]["clock"]["severity"], "CRITICAL");
    assert_eq!(status["hotfix"]["clock"]["target_minutes"], 60);

    // The pull request: the team's level in its title, label and urgency boxes.
    env.commit(
        &repo,
        "fix: null session",
        &[("lib/login.dart", "void login() { s ??= S(); }\n")],
    );
    let github = FakeGitHub::start("acme", "staff", TOKEN);
    let plan = [
        "-c",
        "github.repository=acme/staff",
        "finish",
        "--pr",
        "--plan",
    ];
    let run = with_github(&env, &github, &repo, &plan).ok();
    for said in [
        "[RELEASE][HOTFIX][CRITICAL] ENG-5: crash",
        r#"{"labels":["CRITICAL","hotfix"]}"#,
        r#"- [x] **CRITICAL** service down, data loss, security, 服务宕机: respond within 1h, deploy immediate"#,
        r#"- [ ] **HIGH** respond within 4h, deploy same day"#,
        "staging skipped: CRITICAL goes straight to production",
    ] {
        assert!(
            run.stdout.contains(&said.replace('\n', "\\n")),
            "no {said:?} in\n{}",
            run.stdout
        );
    }
    assert!(github.received().is_empty());
    env.fsck(&repo);
}

/// The Chinese runbooks' own example incidents, with the built-in policy and no settings:
/// each placed as the runbook's table places it, and told in Chinese.
#[test]
fn the_chinese_runbooks_incidents_are_assessed_in_chinese() {
    let env = TestEnv::new();
    let repo = env.init("api");
    env.commit(&repo, "API", &[("VERSION", "1.0.0\n")]);
    for (title, severity, label) in [
        ("支付处理完全故障", "P0", "支付完全故障"),
        ("认证绕过", "P0", "安全漏洞"),
        ("数据泄露", "P0", "数据泄露"),
        ("生产环境宕机", "P0", "生产环境完全宕机"),
        ("应用崩溃", "P1", "应用崩溃"),
    ] {
        let json = env
            .hotfix(&repo, &["assess", "--title", title, "--json"])
            .ok()
            .json();
        let assessment = &json["assessment"];
        assert_eq!(
            (&assessment["severity"], &assessment["label"]),
            (&severity.into(), &label.into()),
            "{title}: {assessment}"
        );
        assert!(
            assessment["reasons"][0]
                .as_str()
                .unwrap()
                .starts_with("标题"),
            "{assessment}"
        );
    }
    let shown = env.hotfix(&repo, &["assess", "--title", "认证绕过"]).ok();
    assert!(shown.stdout.contains("P0 · 安全漏洞"), "{}", shown.stdout);
}

/// The emergency-release runbook as its Chinese version is followed: the incident told in
/// Chinese from start to review — assessed in Chinese, a branch name git accepts, the
/// changelog and the review in the team's words.
#[test]
fn the_chinese_emergency_release_on_a_web_app() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let log = env.path("runbook.log");
    let fixture = web_app(&env, &health, &log);
    let dir = &fixture.dir;

    let start = env
        .hotfix(
            dir,
            &[
                "start",
                "ENG-2001",
                "认证绕过：管理接口未校验签名",
                "--assess",
                "--answer",
                "workaround=no",
                "--detected-at",
                "10 minutes ago",
            ],
        )
        .ok();
    assert!(
        start
            .stderr
            .contains("Severity P0 · 安全漏洞: respond within 2h"),
        "{}",
        start.stderr
    );
    let branch = env.branch(dir).unwrap();
    assert!(
        branch.starts_with("hotfix/ENG-2001-") && branch.is_ascii(),
        "{branch}"
    );
    env.git(dir, &["check-ref-format", &format!("refs/heads/{branch}")]);
    env.commit(
        dir,
        "fix: 管理接口校验令牌签名",
        &[
            (
                "src/admin.js",
                "export const allowed = (token) => token.verified && token.claims.role === 'admin';\n",
            ),
            ("tests/admin.test.js", "test('未签名的令牌被拒绝', () => {});\n"),
        ],
    );
    env.hotfix(dir, &["finish"]).ok();
    let changelog = show(&env, dir, "v2.4.2", "CHANGELOG.md");
    assert!(
        changelog.contains("认证绕过：管理接口未校验签名"),
        "{changelog}"
    );
    let pir = env
        .hotfix(dir, &["report", "pir", "--hotfix", "ENG-2001"])
        .ok()
        .stdout;
    assert!(pir.contains("认证绕过：管理接口未校验签名"), "{pir}");
    assert!(pir.contains("安全漏洞"), "{pir}");
    env.fsck(dir);
}

/// The hotfix-deploy runbook as its Chinese version is followed (热修复部署): an incident told
/// in Chinese, staging then production in batches, the escalation ladder counting from
/// detection, and the internal report in the team's words.
#[test]
fn the_chinese_hotfix_deploy_on_a_node_api() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (state, log) = (env.path("running"), env.path("deploy.log"));
    let dir = &node_api(&env, &health, &state, &log);
    let ladder = "\n[[escalation]]\nafter = \"15m\"\nto = \"高级工程师\"\n\n[[escalation]]\nafter = \"30m\"\nto = \"工程经理\"\n";
    let config = std::fs::read_to_string(dir.join(".hotfix.toml")).unwrap();
    env.commit(
        dir,
        "升级路径",
        &[(".hotfix.toml", &format!("{config}{ladder}"))],
    );
    env.git(dir, &["tag", "-f", "prod-v3.1.0"]);

    let start = env
        .hotfix(
            dir,
            &[
                "start",
                "INC-77",
                "订单接口对大部分用户返回500",
                "--assess",
                "--answer",
                "workaround=no",
                "--pre-release",
                "--detected-at",
                "20 minutes ago",
            ],
        )
        .ok();
    assert!(
        start.stderr.contains("Severity P1 · 大部分用户出错"),
        "{}",
        start.stderr
    );
    let status = env.hotfix(dir, &["status"]).ok().stdout;
    assert!(status.contains("escalate 高级工程师 now"), "{status}");
    env.hotfix(dir, &["check", "escalated"]).ok();
    env.commit(
        dir,
        "fix: 订单总额按商品价格求和",
        &[
            (
                "src/orders.js",
                "export const total = (o) => o.items.reduce((s, i) => s + i.price, 0);\n",
            ),
            ("test/orders.test.js", "test('总额', () => {});\n"),
        ],
    );
    env.hotfix(dir, &["finish"]).ok();
    for step in [
        &["deploy", "--yes", "--hotfix", "INC-77"][..],
        &["verify", "--yes", "--hotfix", "INC-77"],
        &["deploy", "--yes", "--hotfix", "INC-77"],
        &["verify", "--yes", "--hotfix", "INC-77"],
    ] {
        env.hotfix(dir, step).ok();
    }
    let running = std::fs::read_to_string(state.join("production")).unwrap();
    assert_eq!(running.trim(), "3.1.0-hotfix.1");
    let internal = env
        .hotfix(dir, &["report", "internal", "--hotfix", "INC-77"])
        .ok()
        .stdout;
    assert!(
        internal.contains("订单接口对大部分用户返回500"),
        "{internal}"
    );
    let pir = env
        .hotfix(dir, &["report", "pir", "--hotfix", "INC-77"])
        .ok()
        .stdout;
    assert!(pir.contains("escalated to 高级工程师"), "{pir}");
    env.fsck(dir);
}

/// The multi-product process told in Chinese: two apps of the monorepo hotfixed one after
/// the other from incidents written in Chinese, each assessed by the built-in policy in
/// Chinese, tagged and bumped as its own product, its row under its own heading of the
/// shared changelog, deployed by its own tag.
#[test]
fn the_chinese_multi_product_process_on_a_monorepo() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let log = env.path("deploy.log");
    let fixture = monorepo(&env, &health, &log);
    let (dir, origin) = (&fixture.dir, fixture.origin.as_ref().unwrap());

    let start = env
        .hotfix(
            dir,
            &[
                "start",
                "INC-901",
                "员工端应用登录时崩溃",
                "--product",
                "staff-mobile",
                "--assess",
                "--answer",
                "workaround=no",
            ],
        )
        .ok();
    assert!(
        start.stderr.contains("Severity P1 · 应用崩溃"),
        "{}",
        start.stderr
    );
    assert_eq!(
        env.branch(dir).as_deref(),
        Some("hotfix/staff-mobile-v0.1.1")
    );
    let (staff, changelog) = staff_app_fixed(
        &env,
        dir,
        "fix: 首次登录时会话为空\n\n根本原因：会话在渲染前未初始化。",
    );
    assert!(
        rows_under(&changelog, "Staff Mobile")[0]
            .ends_with("| 0.1.1 | HOTFIX: 员工端应用登录时崩溃 (INC-901, P1) |"),
        "{changelog}"
    );
    env.hotfix(dir, &["deploy", "--yes", "--hotfix", "INC-901"])
        .ok();
    env.hotfix(dir, &["verify", "--yes", "--hotfix", "INC-901"])
        .ok();
    assert!(std::fs::read_to_string(&log).unwrap().contains(staff));
    let pir = env
        .hotfix(dir, &["report", "pir", "--hotfix", "INC-901"])
        .ok()
        .stdout;
    assert!(
        pir.contains("员工端应用登录时崩溃")
            && pir.contains("\n## Root cause\n\n会话在渲染前未初始化。\n"),
        "{pir}"
    );

    // Then the customer app, its payment page broken: from production's tip, its own tag,
    // version and table; the staff app's release untouched.
    let start = env
        .hotfix(
            dir,
            &[
                "start",
                "INC-902",
                "客户端支付页面白屏，用户无法付款",
                "--product",
                "customer-mobile",
                "--assess",
                "--answer",
                "workaround=no",
                "--from",
                "main",
            ],
        )
        .ok();
    assert!(
        start.stderr.contains("Severity P1 · 影响收入（支付）"),
        "{}",
        start.stderr
    );
    env.commit(
        dir,
        "fix: 支付页面加载失败时显示重试",
        &[(
            "customer-mobile/lib/pay.dart",
            "void pay() { retryOnFailure(); }\n",
        )],
    );
    env.hotfix(dir, &["finish", "--push"]).ok();
    let customer = "customer-mobile/prod-v2.3.1";
    assert_eq!(
        show(&env, dir, customer, "customer-mobile/pubspec.yaml"),
        "name: customer\nversion: 2.3.1+42\n"
    );
    assert_eq!(
        show(&env, dir, customer, "staff-mobile/pubspec.yaml"),
        "name: staff\nversion: 0.1.1+6\n"
    );
    let changelog = show(&env, dir, customer, "CHANGELOG.md");
    assert!(
        rows_under(&changelog, "Customer Mobile")[0]
            .ends_with("| 2.3.1 | HOTFIX: 客户端支付页面白屏，用户无法付款 (INC-902, P1) |"),
        "{changelog}"
    );
    assert_eq!(rows_under(&changelog, "Staff Mobile").len(), 2);
    assert_eq!(rows_under(&changelog, "Web").len(), 1);
    assert_eq!(env.rev(origin, customer), env.rev(dir, customer));
    assert_eq!(env.rev(origin, "main"), env.rev(dir, "main"));
    env.fsck(dir);
    env.fsck(origin);
}
