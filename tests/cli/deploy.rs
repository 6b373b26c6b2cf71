//! `deploy`, `verify` and `rollback --to` with the built-in deploy policy: a local script
//! and a local health endpoint, each step journaled.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::Value;

use crate::common::TestEnv;
use crate::common::health::Health;

/// Records its arguments in the file named last; `broken` makes it fail, `slow` hang.
const SCRIPT: &str = r#"#!/bin/sh
for log; do :; done
echo "$*" >> "$log"
echo "deploying: $*"
case "$*" in
  *broken*) echo "cannot reach the cluster" >&2; exit 3 ;;
  *leaky*) echo "using token $GITHUB_TOKEN"; exit 1 ;;
  *slow*) sleep 30 & echo $! >> "$log.pids"; sleep 31 & echo $! >> "$log.pids"; wait ;;
esac
"#;

/// A released 1.2.3 with a deploy script and a deploy policy that runs it and polls
/// `health`; `extra` adds settings. Returns the repository and the script's log.
pub fn deployable(env: &TestEnv, health: &Health, extra: &str) -> (PathBuf, PathBuf) {
    let repo = env.init("repo");
    let log = env.path("deploy.log");
    let config = format!(
        r#"[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh"]
http = ["{origin}"]

[policies.deploy.settings]
"deploy" = "./deploy.sh {{environment}} {{version}} {log}"
"verify" = "./deploy.sh smoke {{environment}} {log}"
"rollback" = "./deploy.sh rollback {{environment}} {{previous}} {log}"
"health-url" = "{url}"
"health-retries" = "2"
"health-interval" = "0"
{extra}
"#,
        origin = health.origin,
        url = health.url,
        log = log.display(),
    );
    let script = repo.join("deploy.sh");
    std::fs::write(&script, SCRIPT).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.git(&repo, &["add", "deploy.sh"]);
    env.commit(
        &repo,
        "Release 1.2.3",
        &[
            ("package.json", "{ \"version\": \"1.2.3\" }\n"),
            ("CHANGELOG.md", "# Changelog\n"),
            ("auth.txt", "check\n"),
            (".hotfix.toml", &config),
        ],
    );
    env.tag(&repo, "v1.2.3");
    (repo, log)
}

/// Start at `severity`, fix with a regression test, finish.
pub fn finished(env: &TestEnv, repo: &Path, severity: &str, detected: &str) {
    env.hotfix(
        repo,
        &[
            "start",
            "ENG-1234",
            "fix auth bypass",
            "--severity",
            severity,
            "--detected-at",
            detected,
        ],
    )
    .ok();
    env.commit(
        repo,
        "fix: refuse unsigned tokens",
        &[
            ("auth.txt", "check signature\n"),
            ("tests/auth_test.sh", "expect refusal\n"),
        ],
    );
    env.hotfix(repo, &["finish"]).ok();
}

/// The finished journal of ENG-1234's 1.2.4.
fn journal(repo: &Path) -> Value {
    let path = repo.join(".git/hotfix/finished/ENG-1234-1.2.4.json");
    serde_json::from_slice(&std::fs::read(path).expect("a finished journal")).unwrap()
}

fn events<'a>(journal: &'a Value, kind: &str) -> Vec<&'a Value> {
    journal["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == kind)
        .collect()
}

fn log_of(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

pub fn tick_at(status: &Value, item: &str) -> Option<Timestamp> {
    status["hotfix"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["item"] == item)
        .and_then(|t| t["at"].as_str())
        .map(|t| t.parse().unwrap())
}

pub fn time(value: &Value) -> Timestamp {
    value.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_p0_goes_straight_to_production_and_every_step_is_timed() {
    let env = TestEnv::new().real_time();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P0", "20 minutes ago");

    let before = Timestamp::now();
    let run = env.hotfix(&repo, &["deploy", "--yes"]).ok();
    assert!(
        run.stderr
            .contains("Skipping staging: the severity policy lets P0"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("| deploying: production 1.2.4"),
        "the script's output is shown live: {}",
        run.stderr
    );
    assert_eq!(
        log_of(&log),
        format!("production 1.2.4 {}\n", log.display())
    );
    assert_eq!(health.hits(), 1);
    env.hotfix(&repo, &["verify"]).ok();
    let after = Timestamp::now();
    assert_eq!(health.hits(), 2);
    assert!(
        log_of(&log).contains("smoke production"),
        "{}",
        log_of(&log)
    );

    let journal = journal(&repo);
    let steps = events(&journal, "deploy-step");
    let described: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps.len(),
        5,
        "confirm, run, check; run, check: {described:?}"
    );
    assert!(described[1].starts_with("run      ./deploy.sh production 1.2.4"));
    for step in &steps {
        assert_eq!(step["result"], "ok", "{step}");
        let (started, ended) = (time(&step["started"]), time(&step["at"]));
        assert!(
            before <= started && started <= ended && ended <= after,
            "{step}"
        );
    }
    let ended = events(&journal, "deploy-ended");
    assert_eq!(ended.len(), 2);
    assert_eq!(ended[0]["action"], "deploy");
    assert_eq!(ended[1]["action"], "verify");
    assert!(
        ended
            .iter()
            .all(|e| e["ok"] == true && e["environment"] == "production")
    );

    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    assert_eq!(
        tick_at(&status, "production-deployed"),
        Some(time(&ended[0]["at"]))
    );
    assert_eq!(
        tick_at(&status, "production-verified"),
        Some(time(&ended[1]["at"]))
    );
    assert_eq!(tick_at(&status, "staging-deployed"), None);
    let clock = &status["hotfix"]["clock"];
    assert_eq!(clock["state"], "met", "{clock}");
    assert_eq!(clock["took_minutes"], 20, "{clock}");

    // Verified in production: the incident is no longer the open one.
    let run = env.hotfix(&repo, &["deploy"]).expect(1);
    assert!(run.stderr.contains("no incident is open"), "{}", run.stderr);
    // Its follow-ups still find it, and say so: communicating and the review come after.
    for args in [
        &["check", "communicated"][..],
        &["status"],
        &["report", "internal"],
    ] {
        let run = env.hotfix(&repo, args).ok();
        assert!(
            run.stderr
                .contains("ENG-1234 (1.2.4): the most recent hotfix"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["ticket"], "ENG-1234");
    assert!(tick_at(&status, "communicated").is_some(), "{status}");
}

#[test]
fn production_waits_for_a_verified_staging_unless_forced() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P1", "5 minutes ago");
    let before = journal(&repo);

    let run = env
        .hotfix(&repo, &["deploy", "production", "--yes"])
        .expect(4);
    assert!(
        run.stderr.contains("production before a verified staging"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(log_of(&log), "", "nothing ran");
    assert_eq!(journal(&repo), before, "nothing was journaled");

    // Without a word, deploy goes to staging; verified there, production may follow.
    let run = env.hotfix(&repo, &["deploy"]).ok();
    assert!(
        run.stderr.contains("Deployed v1.2.4 to staging"),
        "{}",
        run.stderr
    );
    env.hotfix(&repo, &["deploy", "production", "--yes"])
        .expect(4);
    env.hotfix(&repo, &["verify", "staging"]).ok();
    let run = env
        .hotfix(&repo, &["deploy", "--json", "--yes"])
        .ok()
        .json();
    assert_eq!(run["environment"], "production");
    assert_eq!(run["forced"], false);
    assert_eq!(
        log_of(&log)
            .lines()
            .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>(),
        ["staging 1.2.4", "smoke staging", "production 1.2.4"]
    );
}

#[test]
fn force_deploys_production_first_and_the_journal_says_so() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P2", "1 hour ago");
    let run = env
        .hotfix(&repo, &["deploy", "production", "--force", "--yes"])
        .ok();
    assert!(
        run.stderr.contains("before staging is verified (--force)"),
        "{}",
        run.stderr
    );
    assert!(log_of(&log).starts_with("production 1.2.4"));
    let journal = journal(&repo);
    let ended = events(&journal, "deploy-ended");
    assert_eq!(ended[0]["forced"], true);
}

#[test]
fn a_failing_step_stops_the_deploy_and_says_how_to_go_back() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let log = env.path("deploy.log");
    let broken = format!(
        "\"staging.deploy\" = \"./deploy.sh broken {{environment}} {}\"",
        log.display()
    );
    let (repo, _) = deployable(&env, &health, &broken);
    finished(&env, &repo, "P1", "now");

    let run = env.hotfix(&repo, &["deploy", "staging"]).expect(1);
    assert!(
        run.stderr
            .contains("deploy v1.2.4 to staging failed at step 1")
            && run.stderr.contains("exited with 3")
            && run.stderr.contains("cannot reach the cluster"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git hotfix rollback"), "{}", run.stderr);
    assert_eq!(health.hits(), 0, "no step after the failed one");
    assert!(log_of(&log).starts_with("broken staging"));
    let journal = journal(&repo);
    let steps = events(&journal, "deploy-step");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["result"], "failed");
    assert!(
        steps[0]["detail"]
            .as_str()
            .unwrap()
            .contains("cannot reach the cluster")
    );
    assert_eq!(events(&journal, "deploy-ended")[0]["ok"], false);
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(tick_at(&status, "staging-deployed"), None);
}

#[test]
fn a_health_check_is_polled_then_fails_and_a_slow_step_is_stopped() {
    let env = TestEnv::new();
    let health = Health::answering(&[503]);
    let (repo, log) = deployable(&env, &health, "\"deploy-timeout\" = \"1\"");
    finished(&env, &repo, "P1", "now");

    let run = env.hotfix(&repo, &["verify", "staging"]).expect(1);
    assert_eq!(health.hits(), 3, "one try and two retries");
    assert!(
        run.stderr
            .contains("answered 503 (expected 200) after 3 tries"),
        "{}",
        run.stderr
    );

    let config = std::fs::read_to_string(repo.join(".hotfix.toml"))
        .unwrap()
        .replace("{environment} {version}", "slow {environment} {version}");
    env.commit(&repo, "Slow deploys", &[(".hotfix.toml", &config)]);
    let started = std::time::Instant::now();
    let run = env.hotfix(&repo, &["deploy", "staging"]).expect(1);
    assert!(
        run.stderr
            .contains("did not finish within 1 s and was stopped, with every process it started"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed().as_secs() < 20,
        "the 30 s sleep was cut short"
    );
    // The script's own children are gone too, not only the script.
    assert_all_gone(&log);
}

/// Every process whose id the slow script wrote is gone (or a zombie its new parent has
/// not reaped yet).
#[track_caller]
fn assert_all_gone(log: &Path) {
    let pids = std::fs::read_to_string(format!("{}.pids", log.display())).unwrap();
    assert_eq!(pids.lines().count(), 2, "{pids}");
    for pid in pids.lines() {
        let stat = Path::new("/proc").join(pid).join("stat");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let running = || {
            std::fs::read_to_string(&stat).is_ok_and(|s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
            })
        };
        while running() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(!running(), "process {pid} the step started still runs");
    }
}

/// Ctrl-C during a deploy step stops the step with everything it started, journals the
/// step as stopped, starts no further step, and says so.
#[test]
fn ctrl_c_stops_the_step_and_what_it_started_and_says_so() {
    stopped_by("-INT", "Ctrl-C");
}

/// A dropped SSH session (SIGHUP) or a TERM is handled as Ctrl-C is, and named as what it is.
#[test]
fn a_hang_up_or_a_term_stops_the_step_as_ctrl_c_does() {
    stopped_by("-HUP", "a hang-up (the terminal or SSH session went away)");
    stopped_by("-TERM", "a TERM signal");
}

fn stopped_by(signal: &str, said: &str) {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P1", "now");
    let config = std::fs::read_to_string(repo.join(".hotfix.toml"))
        .unwrap()
        .replace("{environment} {version}", "slow {environment} {version}");
    env.commit(&repo, "Slow deploys", &[(".hotfix.toml", &config)]);

    let command = env.hotfix_command(&repo, &["deploy", "staging"]);
    let child = running_slow_step(command, &log);
    // A second deploy meanwhile is refused, naming the one that runs.
    let second = env.hotfix(&repo, &["deploy", "staging"]).expect(1);
    assert!(
        second.stderr.contains(
            "another git hotfix is writing to this repository (the deploy of 1.2.4 to staging (ENG-1234): step 1 `run ./deploy.sh slow staging 1.2.4"
        ) && second.stderr.contains(&format!("by pid {})", child.id())),
        "{}",
        second.stderr
    );
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "was stopped by {said}, with every process it started"
        )),
        "{stderr}"
    );
    assert_all_gone(&log);
    assert_eq!(health.hits(), 0, "no step after the stopped one");
    let journal = journal(&repo);
    let steps = events(&journal, "deploy-step");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["result"], "failed");
    assert_eq!(events(&journal, "deploy-ended")[0]["ok"], false);
}

#[test]
fn steps_outside_the_grants_or_without_an_answer_run_nothing() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P0", "now");

    // Production asks for a confirmation: no terminal and no --yes.
    let run = env.hotfix(&repo, &["deploy", "production"]).expect(2);
    assert!(run.stderr.contains("pass `--yes`"), "{}", run.stderr);

    let config = std::fs::read_to_string(repo.join(".hotfix.toml"))
        .unwrap()
        .replace("commands = [\"./deploy.sh\"]", "commands = [\"kubectl\"]");
    env.commit(&repo, "Grant kubectl only", &[(".hotfix.toml", &config)]);
    let run = env
        .hotfix(&repo, &["deploy", "production", "--yes"])
        .expect(4);
    assert!(
        run.stderr.contains("may not run `./deploy.sh`"),
        "{}",
        run.stderr
    );
    let plan = env
        .hotfix(&repo, &["deploy", "production", "--plan", "--json"])
        .expect(4)
        .json();
    assert_eq!(plan["steps"][1]["granted"], false);
    assert_eq!(log_of(&log), "");
    assert_eq!(health.hits(), 0);
    assert!(events(&journal(&repo), "deploy-step").is_empty());
}

#[test]
fn rollback_runs_the_policys_steps_for_the_release_before() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P0", "now");
    env.hotfix(&repo, &["deploy", "--yes"]).ok();

    // Production is rolled back under the rule that deploys there: no terminal to ask on
    // and no --yes, nothing runs.
    let before = log_of(&log);
    let run = env.hotfix(&repo, &["rollback"]).expect(2);
    assert!(run.stderr.contains("pass `--yes`"), "{}", run.stderr);
    assert_eq!(log_of(&log), before);
    let plan = env.hotfix(&repo, &["rollback", "--plan"]).ok();
    assert!(
        plan.stdout
            .contains("1. confirm  Roll production back from 1.2.4 to 1.2.3?"),
        "{}",
        plan.stdout
    );

    let run = env.hotfix(&repo, &["rollback", "--yes"]).ok();
    assert!(
        run.stderr
            .contains("Rolled back production from 1.2.4 to 1.2.3"),
        "{}",
        run.stderr
    );
    assert!(
        log_of(&log).contains("rollback production 1.2.3"),
        "{}",
        log_of(&log)
    );
    let run = env
        .hotfix(&repo, &["rollback", "--to", "v9.9.9", "--yes"])
        .expect(2);
    assert!(run.stderr.contains("no tag `v9.9.9`"), "{}", run.stderr);
    let journal = journal(&repo);
    let ended = events(&journal, "deploy-ended");
    assert_eq!(ended.last().unwrap()["action"], "rollback");
}

#[test]
fn nothing_is_deployed_before_the_release_is_tagged() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    env.hotfix(&repo, &["start", "ENG-1", "fix it", "--severity", "P0"])
        .ok();
    let run = env.hotfix(&repo, &["deploy", "--yes"]).expect(1);
    assert!(
        run.stderr.contains("v1.2.4 of ENG-1 is not tagged yet"),
        "{}",
        run.stderr
    );
    // Nor rolled back: production never ran it.
    let run = env.hotfix(&repo, &["rollback", "--yes"]).expect(1);
    assert!(
        run.stderr.contains(
            "ENG-1 was never released (v1.2.4 is not tagged): production does not run it"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("rollback --to <tag>"), "{}", run.stderr);
    assert_eq!(log_of(&log), "");
}

#[test]
fn rollback_revert_releases_the_fix_taken_back_as_git_revert_would() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, _) = deployable(&env, &health, "");
    let origin = env
        .with_origin(crate::common::fixtures::Fixture {
            dir: repo.clone(),
            origin: None,
        })
        .origin
        .unwrap();
    finished(&env, &repo, "P0", "now");
    env.git(&repo, &["push", "--quiet", "origin", "main", "v1.2.4"]);
    let fix = env.rev(&repo, "v1.2.4^{commit}^").unwrap();

    let before = crate::common::snapshot(&repo);
    let plan = env
        .hotfix(&repo, &["rollback", "--revert", "--plan"])
        .ok()
        .stdout;
    assert!(
        plan.contains("revert 1 commit of ENG-1234 on v1.2.4"),
        "{plan}"
    );
    assert!(plan.contains("releasing 1.2.5 as tag v1.2.5"), "{plan}");
    crate::common::assert_unchanged(&before, &crate::common::snapshot(&repo));

    let run = env.hotfix(&repo, &["rollback", "--revert", "--push"]).ok();
    assert!(
        run.stderr.contains("Reverted 1 commit of ENG-1234"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("released 1.2.5"), "{}", run.stderr);

    // The release: v1.2.5 = a release commit on the revert, on v1.2.4; main and origin have it.
    let release = env.rev(&repo, "v1.2.5^{commit}").unwrap();
    let revert = env.rev(&repo, "v1.2.5^{commit}^").unwrap();
    assert_eq!(
        env.parents(&repo, &revert),
        [env.rev(&repo, "v1.2.4^{commit}").unwrap()]
    );
    assert_eq!(env.rev(&repo, "main").unwrap(), release);
    assert_eq!(
        env.rev(&origin, "refs/tags/v1.2.5"),
        env.rev(&repo, "refs/tags/v1.2.5")
    );
    let message = env.git(&repo, &["log", "-1", "--format=%B", &revert]);
    assert!(
        message.starts_with("Revert \"fix: refuse unsigned tokens\"\n\nThis reverts commit ")
            && message.contains(&fix),
        "{message}"
    );
    assert_eq!(env.git(&repo, &["show", "v1.2.5:auth.txt"]), "check\n");
    assert_eq!(
        env.git(&repo, &["show", "v1.2.5:package.json"]),
        "{ \"version\": \"1.2.5\" }\n"
    );

    // git revert of the fix on v1.2.4 gives the same tree.
    env.git(
        env.root.path(),
        &["clone", "--quiet", &repo.to_string_lossy(), "oracle"],
    );
    let oracle = env.path("oracle");
    env.git(&oracle, &["config", "user.name", "Oracle"]);
    env.git(&oracle, &["config", "user.email", "oracle@example.com"]);
    env.git(&oracle, &["checkout", "--quiet", "--detach", "v1.2.4"]);
    env.git(&oracle, &["revert", "--no-edit", &fix]);
    assert_eq!(
        env.rev(&oracle, "HEAD^{tree}"),
        env.rev(&repo, &format!("{revert}^{{tree}}"))
    );

    // The rollback's journal says what it takes back; the one taken back is left as it was.
    let rollback: Value = serde_json::from_slice(
        &std::fs::read(repo.join(".git/hotfix/finished/ENG-1234-rollback-1.2.5.json")).unwrap(),
    )
    .unwrap();
    let reverts = events(&rollback, "reverts");
    assert_eq!(reverts.len(), 1);
    assert_eq!(reverts[0]["ticket"], "ENG-1234");
    assert_eq!(reverts[0]["commit"], revert);
    assert!(events(&journal(&repo), "reverted").is_empty());
    let status = env
        .hotfix(
            &repo,
            &["status", "--hotfix", "ENG-1234-rollback", "--json"],
        )
        .ok()
        .json();
    assert_eq!(status["hotfix"]["state"], "finished");
    assert_eq!(status["hotfix"]["assessment"]["severity"], "P0");
    let review = env
        .hotfix(&repo, &["report", "pir", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(
        review.contains("taken back: reverted by ENG-1234-rollback"),
        "{review}"
    );
    env.fsck(&repo);
}

#[test]
fn only_a_released_hotfix_can_be_reverted() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.start_and_fix(&repo);
    let refs = env.refs(&repo);
    let run = env.hotfix(&repo, &["rollback", "--revert"]).expect(1);
    assert!(
        run.stderr.contains("ENG-1234 is not released"),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(&repo), refs);
    env.hotfix(&repo, &["rollback", "--push"]).expect(2);
}

/// A deploy script that prints the GitHub token of its environment (an Enterprise token,
/// with no telling shape) gets it shown nowhere: not live, not in the error, not in the
/// journal or the note.
#[test]
fn a_step_printing_the_token_gets_it_masked_everywhere() {
    const SECRET: &str = "enterprise-s3cr3t-4f1c9";
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, _log) = deployable(&env, &health, "");
    finished(&env, &repo, "P1", "now");
    let config = std::fs::read_to_string(repo.join(".hotfix.toml"))
        .unwrap()
        .replace("{environment} {version}", "leaky {environment} {version}");
    env.commit(&repo, "Leaky deploys", &[(".hotfix.toml", &config)]);
    let mut command = env.hotfix_command(&repo, &["deploy", "staging", "--json"]);
    command.env("GITHUB_TOKEN", SECRET);
    let run = crate::common::Run::of(command).expect(1);
    assert!(
        run.stderr.contains("using token [token hidden]"),
        "{}",
        run.stderr
    );
    for (what, text) in [("stderr", &run.stderr), ("stdout", &run.stdout)] {
        assert!(!text.contains(SECRET), "{what}: {text}");
    }
    let kept = std::fs::read_to_string(repo.join(".git/hotfix/ENG-1234.json"))
        .or_else(|_| {
            let finished = repo.join(".git/hotfix/finished");
            let entry = std::fs::read_dir(finished)
                .unwrap()
                .next()
                .unwrap()
                .unwrap();
            std::fs::read_to_string(entry.path())
        })
        .unwrap();
    assert!(kept.contains("using token [token hidden]"), "{kept}");
    assert!(!kept.contains(SECRET));
    let notes = env.git(&repo, &["log", "-p", "refs/notes/hotfix", "--format="]);
    assert!(!notes.contains(SECRET));
}

/// A granted health endpoint that redirects to one no grant names: the redirect is the
/// answer (the check fails), and the other host is never called.
#[test]
fn a_redirect_to_an_ungranted_host_is_not_followed() {
    let env = TestEnv::new();
    let elsewhere = Health::answering(&[200]);
    let health = Health::redirecting_to(&elsewhere.url);
    let (repo, _log) = deployable(&env, &health, "");
    finished(&env, &repo, "P1", "now");
    let run = env.hotfix(&repo, &["verify", "staging"]).expect(1);
    assert!(
        run.stderr.contains("answered 302 (expected 200)"),
        "{}",
        run.stderr
    );
    assert_eq!(health.hits(), 3, "one try and two retries");
    assert_eq!(elsewhere.hits(), 0, "the redirect was followed");
}

/// The emergency-release runbook rolls back by feature flag first: the deploy policy's
/// `rollback-flag` command, confirmed like any production rollback, journaled as a
/// rollback that leaves the release running; the incident is open again and the report
/// says how it was rolled back.
#[test]
fn a_rollback_by_feature_flag_keeps_the_release_and_reopens_the_incident() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    // The log's path ends the command, as the script wants.
    let flags = format!(
        r#""rollback-flag" = "./deploy.sh flag-off {{flag}} {{environment}} {}""#,
        env.path("deploy.log").display()
    );
    let (repo, log) = deployable(&env, &health, &flags);
    finished(&env, &repo, "P0", "now");
    env.hotfix(&repo, &["deploy", "--yes"]).ok();
    env.hotfix(&repo, &["verify", "production", "--yes"]).ok();
    let report_status = |env: &TestEnv| {
        env.hotfix(
            &repo,
            &["report", "pir", "--format", "json", "--hotfix", "ENG-1234"],
        )
        .ok()
        .report_facts()["status"]
            .clone()
    };
    assert_eq!(report_status(&env), "resolved");

    let plan = env
        .hotfix(&repo, &["rollback", "--flag", "new-checkout", "--plan"])
        .ok();
    assert!(
        plan.stdout
            .contains("1. confirm  Turn feature flag `new-checkout` off in production?")
            && plan
                .stdout
                .contains("turn feature flag new-checkout off in production"),
        "{}",
        plan.stdout
    );
    // A name the command would misread is refused before anything runs.
    for bad in ["new checkout", "--all", "a;b"] {
        let refused = env
            .hotfix(&repo, &["rollback", &format!("--flag={bad}"), "--yes"])
            .expect(2);
        assert!(
            refused
                .stderr
                .contains("cannot be passed to the deploy policy"),
            "{bad}: {}",
            refused.stderr
        );
    }
    assert!(!log_of(&log).contains("flag-off"), "{}", log_of(&log));
    let run = env
        .hotfix(&repo, &["rollback", "--flag", "new-checkout", "--yes"])
        .ok();
    assert!(
        run.stderr.contains(
            "Rolled back production by turning feature flag `new-checkout` off (1.2.4 stays)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        log_of(&log).contains("flag-off new-checkout production"),
        "{}",
        log_of(&log)
    );
    let journal = journal(&repo);
    let ended = *events(&journal, "deploy-ended").last().unwrap();
    assert_eq!(
        (&ended["action"], &ended["flag"], &ended["ok"]),
        (&"rollback".into(), &"new-checkout".into(), &true.into()),
        "{ended}"
    );
    assert!(ended.get("version").is_none(), "{ended}");

    // status says the flag is off beside what production runs, not only that 1.2.4 runs.
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(
        status.contains("production runs 1.2.4")
            && status.contains("its feature flag new-checkout is off since"),
        "{status}"
    );
    let json = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    assert_eq!(
        json["hotfix"]["production"]["flagged_off"]["flag"], "new-checkout",
        "{json}"
    );

    // Not resolved any more, and the timeline says how it was rolled back.
    assert_eq!(report_status(&env), "rolled back");
    let pir = env
        .hotfix(&repo, &["report", "pir", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(
        pir.contains("rolled back production by turning feature flag `new-checkout` off"),
        "{pir}"
    );
    // Told to users as what it is: the feature off, not a fix taken back.
    let page = env
        .hotfix(&repo, &["report", "status-page", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(
        page.contains("We turned the feature off at") && !page.contains("took the fix"),
        "{page}"
    );
    // The release still runs: a version rollback after it starts from 1.2.4.
    let plan = env
        .hotfix(&repo, &["rollback", "--hotfix", "ENG-1234", "--plan"])
        .ok();
    assert!(
        plan.stdout
            .contains("Roll production back from 1.2.4 to 1.2.3?"),
        "{}",
        plan.stdout
    );
    // Verified again (the flag back on by hand): resolved again.
    env.hotfix(
        &repo,
        &["verify", "production", "--yes", "--hotfix", "ENG-1234"],
    )
    .ok();
    assert_eq!(report_status(&env), "resolved");
}

#[test]
fn rollback_goes_back_from_what_runs_to_what_ran_before() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P0", "now");
    env.hotfix(&repo, &["deploy", "--yes"]).ok();
    // A second release goes out on top of it.
    env.hotfix(&repo, &["start", "ENG-1300", "second", "--severity", "P0"])
        .ok();
    env.commit(&repo, "fix: second", &[("second.txt", "x\n")]);
    env.hotfix(&repo, &["finish"]).ok();
    env.hotfix(&repo, &["deploy", "--hotfix", "ENG-1300", "--yes"])
        .ok();

    // The first incident's rollback starts from what production runs: 1.2.5.
    let run = env
        .hotfix(&repo, &["rollback", "--hotfix", "ENG-1234", "--yes"])
        .ok();
    assert!(
        run.stderr
            .contains("Rolled back production from 1.2.5 to 1.2.4"),
        "{}",
        run.stderr
    );
    assert!(
        log_of(&log).contains("rollback production 1.2.4"),
        "{}",
        log_of(&log)
    );
    // And the next one from where that one left it.
    let run = env
        .hotfix(&repo, &["rollback", "--hotfix", "ENG-1234", "--yes"])
        .ok();
    assert!(
        run.stderr
            .contains("Rolled back production from 1.2.4 to 1.2.3"),
        "{}",
        run.stderr
    );
    // Nothing older is known: the way on is named, not guessed.
    let plan = env
        .hotfix(&repo, &["rollback", "--hotfix", "ENG-1234", "--plan"])
        .expect(2);
    assert!(
        plan.stderr
            .contains("no release is recorded on production before 1.2.3"),
        "{}",
        plan.stderr
    );
}

/// Records `switch` and its arguments in the file named last.
const SWITCH: &str = "#!/bin/sh\nfor log; do :; done\necho \"switch $*\" >> \"$log\"\n";

#[test]
fn a_blue_green_deploy_is_a_list_of_commands_and_scripts_come_from_production() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P0", "now");
    // Production gets a script the release does not have, and settings that name it.
    let config = format!(
        r#"[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh", "scripts/switch.sh"]
http = ["{origin}"]

[policies.deploy.settings]
rollback = "./deploy.sh rollback {{environment}} {{previous}} {log}"
rollback-verify = ["./deploy.sh reports {{previous}} {log}"]
health-url = "{url}"
health-retries = 2
health-interval = 0

[policies.deploy.settings.production]
deploy = [
    "./deploy.sh green {{version}} {log}",
    "scripts/switch.sh green {log}",
    "./deploy.sh drain blue {log}",
]
"#,
        origin = health.origin,
        url = health.url,
        log = log.display(),
    );
    let script = repo.join("scripts/switch.sh");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(&script, SWITCH).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.git(&repo, &["add", "scripts/switch.sh"]);
    env.commit(&repo, "Blue-green deploys", &[(".hotfix.toml", &config)]);
    // Deploy from a checkout of the release, which has no scripts/ directory.
    env.git(&repo, &["checkout", "--quiet", "v1.2.4"]);
    assert!(!repo.join("scripts/switch.sh").exists());

    let plan = env.hotfix(&repo, &["deploy", "--plan"]).ok();
    assert!(
        plan.stdout.contains("deploy v1.2.4 to production (2 of 3)"),
        "{}",
        plan.stdout
    );
    env.hotfix(&repo, &["deploy", "--yes"]).ok();
    let lines: Vec<String> = log_of(&log).lines().map(String::from).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("green 1.2.4 "), "{lines:?}");
    assert!(lines[1].starts_with("switch green "), "{lines:?}");
    assert!(lines[2].starts_with("drain blue "), "{lines:?}");
    let journal = journal(&repo);
    let steps: Vec<&str> = events(&journal, "deploy-step")
        .iter()
        .filter(|e| e["result"] == "ok")
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("(3 of 3)") && s.contains("drain")),
        "{steps:?}"
    );

    // The rollback is validated after its health check, against the version it went to.
    env.hotfix(&repo, &["rollback", "--yes"]).ok();
    let log = log_of(&log);
    assert!(
        log.lines().last().unwrap().starts_with("reports 1.2.3 "),
        "{log}"
    );
    assert!(log.contains("rollback production 1.2.3"), "{log}");
}

#[test]
fn without_staging_production_is_not_held_and_verifying_it_starts_the_watch() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P2", "now");
    // A P2 waits for staging where there is one…
    env.hotfix(&repo, &["deploy", "production", "--yes"])
        .expect(4);
    // …and with none, goes to production by default, with no --force.
    let run = env
        .hotfix(&repo, &["-c", "staging=false", "deploy", "--yes"])
        .ok();
    assert!(
        run.stderr.contains("Deployed v1.2.4 to production"),
        "{}",
        run.stderr
    );
    assert!(
        log_of(&log).contains("production 1.2.4"),
        "{}",
        log_of(&log)
    );
    let run = env
        .hotfix(&repo, &["-c", "staging=false", "deploy", "staging"])
        .expect(2);
    assert!(
        run.stderr.contains("no staging environment"),
        "{}",
        run.stderr
    );
    assert!(
        !events(&journal(&repo), "deploy-ended")
            .iter()
            .any(|e| e["forced"] == true)
    );

    // Verified: production is watched for the window, and the follow-up comes due.
    let run = env
        .hotfix(
            &repo,
            &["-c", "monitoring=1h 30m", "verify", "production", "--yes"],
        )
        .ok();
    assert!(
        run.stderr.contains("Monitor production until") && run.stderr.contains("(1h 30m)"),
        "{}",
        run.stderr
    );
    let journal = journal(&repo);
    let watch = events(&journal, "monitoring")[0];
    let verified = time(&watch["at"]);
    assert_eq!(time(&watch["until"]).duration_since(verified).as_mins(), 90);
    assert_eq!(
        time(&watch["follow_up"])
            .duration_since(verified)
            .as_hours(),
        24
    );
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    assert_eq!(tick_at(&status, "monitored"), None);
    let due = |item: &str| {
        status["hotfix"]["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["item"] == item)
            .unwrap()["due"]
            .clone()
    };
    assert_eq!(due("monitored"), watch["until"]);
    assert_eq!(due("followed-up"), watch["follow_up"]);
    let text = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(
        text.contains("[ ] monitoring window over")
            && text.contains("[ ] follow-up sent")
            && text.contains("`git hotfix check followed-up`"),
        "{text}"
    );

    // A window that has passed is over: ticked at its end.
    env.hotfix(
        &repo,
        &[
            "-c",
            "monitoring=0s",
            "verify",
            "production",
            "--yes",
            "--hotfix",
            "ENG-1234",
        ],
    )
    .ok();
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    assert!(tick_at(&status, "monitored").is_some());
}

/// git-hotfix killed (SIGKILL) while a step of a deploy, a verification or a rollback
/// runs: the step was journaled before it began, so `status` says its outcome is unknown,
/// another run is refused, and `continue` runs that step again and the rest, or `abort`
/// records the run as failed.
#[test]
fn a_run_killed_mid_step_is_unknown_until_continue_or_abort() {
    for case in &CUTS {
        for way in ["continue", "abort"] {
            killed_mid_step(case, way);
        }
    }
}

/// The runs killed mid-step in the tests below.
const CUTS: [Cut; 3] = [
    Cut {
        action: &["deploy", "staging"],
        before: &[],
        words: "{environment} {version}",
        said: "the deploy of 1.2.4 to staging",
    },
    Cut {
        action: &["verify", "staging"],
        before: &[&["deploy", "staging"]],
        words: "smoke {environment}",
        said: "the verification of 1.2.4 in staging",
    },
    Cut {
        action: &["rollback", "--environment", "staging", "--yes"],
        before: &[&["deploy", "staging"]],
        words: "rollback {environment}",
        said: "the rollback of staging from 1.2.4 to 1.2.3",
    },
];

/// A run to kill mid-step: the command, what runs before it, the words of its step made
/// slow, and how git-hotfix names the run.
struct Cut {
    action: &'static [&'static str],
    before: &'static [&'static [&'static str]],
    words: &'static str,
    said: &'static str,
}

fn killed_mid_step(case: &Cut, way: &str) {
    let Cut {
        action,
        before,
        words,
        said,
    } = case;
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P1", "now");
    for args in before.iter() {
        env.hotfix(&repo, args).ok();
    }
    let ended_before = events(&journal(&repo), "deploy-ended").len();
    let fast = std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap();
    let slow = fast.replace(words, &format!("slow {words}"));
    assert_ne!(slow, fast, "{words}");
    env.commit(&repo, "Slow steps", &[(".hotfix.toml", &slow)]);

    let command = env.hotfix_command(&repo, action);
    let mut child = running_slow_step(command, &log);
    let pids = PathBuf::from(format!("{}.pids", log.display()));
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    // What the step started outlives git-hotfix: said, and nothing starts beside it.
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(
        status
            .stdout
            .contains("what the step started still runs (process group"),
        "{}",
        status.stdout
    );
    for args in [action, &["continue"][..]] {
        let beside = env.hotfix(&repo, args).expect(1);
        assert!(
            beside
                .stderr
                .contains("a step a killed git-hotfix began still runs"),
            "{args:?}: {}",
            beside.stderr
        );
    }
    // The test ends it as a person would.
    for pid in std::fs::read_to_string(&pids).unwrap().lines() {
        let _ = std::process::Command::new("kill").arg(pid).status();
    }
    std::fs::remove_file(&pids).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while env
        .hotfix(&repo, &["status"])
        .ok()
        .stdout
        .contains("still runs")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the step's group never ended"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    env.commit(&repo, "Fast steps", &[(".hotfix.toml", &fast)]);
    let log_before = log_of(&log);

    let status = env.hotfix(&repo, &["status"]).ok();
    for shown in [
        format!("{said} was cut short during step"),
        "its outcome is unknown".to_string(),
    ] {
        assert!(
            status.stdout.contains(&shown),
            "{shown}:\n{}",
            status.stdout
        );
    }
    let again = env.hotfix(&repo, action).expect(1);
    assert!(
        again.stderr.contains("was cut short during step"),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stderr
            .contains("`git hotfix continue --hotfix ENG-1234` runs that step again"),
        "{}",
        again.stderr
    );

    if way == "abort" {
        // One JSON document, as every command gives: what is recorded, and where.
        let plan = env
            .hotfix(&repo, &["abort", "--plan", "--json"])
            .ok()
            .json();
        assert_eq!(plan["executed"], false, "{plan}");
        assert_eq!(plan["plan"]["run"], *said, "{plan}");
        assert_eq!(plan["plan"]["environment"], "staging", "{plan}");
        let done = env.hotfix(&repo, &["abort", "--json"]).ok().json();
        assert_eq!(done["executed"], true, "{done}");
        assert_eq!(done["aborted"]["run"], *said, "{done}");
    } else {
        env.hotfix(&repo, &[way]).ok();
    }
    let journal = journal(&repo);
    let ended = events(&journal, "deploy-ended");
    assert_eq!(ended.len(), ended_before + 1, "{said}, {way}");
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(!status.stdout.contains("cut short"), "{}", status.stdout);
    match way {
        "continue" => {
            assert_eq!(ended.last().unwrap()["ok"], true, "{said}");
            assert!(
                log_of(&log).len() > log_before.len(),
                "{said}: the step ran again: {}",
                log_of(&log)
            );
        }
        _ => {
            assert_eq!(ended.last().unwrap()["ok"], false, "{said}");
            let steps = events(&journal, "deploy-step");
            let last = steps.last().unwrap();
            assert_eq!(last["result"], "failed");
            assert!(
                last["detail"].as_str().unwrap().contains("outcome unknown"),
                "{steps:?}"
            );
            assert_eq!(log_of(&log), log_before, "{said}: nothing ran");
        }
    }
}

/// A hang-up or a TERM while a step of a deploy, a verification or a rollback runs: the
/// step's processes are stopped, the run is recorded as ended, failed, by that signal, and
/// nothing is left cut short.
#[test]
fn a_hang_up_or_a_term_mid_step_ends_each_kind_of_run_recorded() {
    for case in &CUTS {
        for (signal, said) in [
            ("-HUP", "a hang-up (the terminal or SSH session went away)"),
            ("-TERM", "a TERM signal"),
        ] {
            let env = TestEnv::new();
            let health = Health::answering(&[200]);
            let (repo, log) = deployable(&env, &health, "");
            finished(&env, &repo, "P1", "now");
            for args in case.before.iter() {
                env.hotfix(&repo, args).ok();
            }
            let config = std::fs::read_to_string(repo.join(".hotfix.toml")).unwrap();
            let slow = config.replace(case.words, &format!("slow {}", case.words));
            env.commit(&repo, "Slow steps", &[(".hotfix.toml", &slow)]);
            let command = env.hotfix_command(&repo, case.action);
            let child = running_slow_step(command, &log);
            let sent = std::process::Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{}: {stderr}", case.said);
            assert!(
                stderr.contains(&format!("was stopped by {said}")),
                "{}: {stderr}",
                case.said
            );
            assert_all_gone(&log);
            let journal = journal(&repo);
            let steps = events(&journal, "deploy-step");
            assert_eq!(steps.last().unwrap()["result"], "failed");
            assert_eq!(
                events(&journal, "deploy-ended").last().unwrap()["ok"],
                false
            );
            let status = env.hotfix(&repo, &["status"]).ok();
            assert!(!status.stdout.contains("cut short"), "{}", status.stdout);
        }
    }
}

/// Killed between two steps (after the first passed and was journaled): `status` says
/// which passed and that the rest did not run; `continue` runs only the rest.
#[test]
fn a_deploy_killed_between_steps_goes_on_from_the_next() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let (repo, log) = deployable(&env, &health, "");
    finished(&env, &repo, "P1", "now");
    let mut command = env.hotfix_command(&repo, &["deploy", "staging"]);
    command.env("GIT_HOTFIX_FAILPOINT", "deploy-step:2");
    let run = crate::common::Run::of(command);
    assert_eq!(run.code, -1, "killed: {}", run.stderr);
    assert_eq!(log_of(&log).lines().count(), 1, "the script ran once");
    assert_eq!(health.hits(), 0);

    let status = env.hotfix(&repo, &["status"]).ok();
    for shown in [
        "the deploy of 1.2.4 to staging was cut short after step 1 (`run ./deploy.sh staging 1.2.4",
        "passed: the steps after it did not run",
        "`git hotfix continue --hotfix ENG-1234` runs the steps after it",
    ] {
        assert!(status.stdout.contains(shown), "{shown}:\n{}", status.stdout);
    }
    env.hotfix(&repo, &["continue"]).ok();
    assert_eq!(
        log_of(&log).lines().count(),
        1,
        "the passed step is not run again"
    );
    assert_eq!(health.hits(), 1, "the step after it ran");
    let journal = journal(&repo);
    let ended = events(&journal, "deploy-ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["ok"], true);
    assert_eq!(ended[0]["version"], "1.2.4");
}

/// Start `command`, its output piped, and wait until its slow step runs (the script wrote
/// the pids of what it started beside `log`).
fn running_slow_step(mut command: std::process::Command, log: &Path) -> std::process::Child {
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().unwrap();
    let pids = PathBuf::from(format!("{}.pids", log.display()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read_to_string(&pids).map_or(0, |p| p.lines().count()) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the step never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

#[test]
fn status_shows_what_production_says_it_runs_and_when_that_is_not_what_was_recorded() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let service = Health::answering(&[200]);
    service.set_body(r#"{"build": {"version": "1.2.3", "sha": "abc"}}"#);
    let section = format!(
        "\n[production-version]\nurl = \"{}\"\njson-pointer = \"/build/version\"\n",
        service.url
    );
    let (repo, _log) = deployable(&env, &health, &section);
    finished(&env, &repo, "P0", "now");
    // Finished, not deployed: the service still runs 1.2.3, and no deploy is recorded.
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(
        status.stdout.contains(&format!(
            "service     says it runs 1.2.3 ({}); no deploy of it is recorded",
            service.url
        )),
        "{}",
        status.stdout
    );

    env.hotfix(&repo, &["deploy", "--yes"]).ok();
    service.set_body(r#"{"build": {"version": "1.2.4"}}"#);
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(
        status.stdout.contains(&format!(
            "says it runs 1.2.4 ({}), as recorded",
            service.url
        )),
        "{}",
        status.stdout
    );
    let json = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let reported = &json["hotfix"]["reported"];
    assert_eq!(reported["version"], "1.2.4", "{json}");
    assert_eq!(reported["recorded"], "1.2.4", "{json}");
    assert_eq!(reported["agrees"], true, "{json}");

    // A colleague rolls production back by hand: the journals cannot know, the service can.
    service.set_body(r#"{"build": {"version": "1.2.3"}}"#);
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(
        status.stdout.contains(
            "says it runs 1.2.3 (http://127.0.0.1:"
        ) && status
            .stdout
            .contains("but the journals record 1.2.4: a deploy or rollback happened outside git-hotfix, or did not take"),
        "{}",
        status.stdout
    );
    let json = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(json["hotfix"]["reported"]["agrees"], false, "{json}");

    // An answer of another shape is said as such, escaped; status still shows the rest.
    service.set_body("<html>\x1b[2Jdown</html>");
    let status = env.hotfix(&repo, &["status"]).ok();
    assert!(
        status.stdout.contains("the answer is not JSON") && !status.stdout.contains('\x1b'),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("production runs 1.2.4"),
        "{}",
        status.stdout
    );
    // Offline, the service is not asked.
    let asked = service.hits();
    let status = env.hotfix(&repo, &["-c", "offline=true", "status"]).ok();
    assert!(!status.stdout.contains("service"), "{}", status.stdout);
    assert_eq!(service.hits(), asked);
}

#[test]
fn verify_production_passes_only_once_the_service_reports_the_release() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let service = Health::answering(&[200]);
    service.set_body("1.2.3\n");
    let section = format!(
        "\n[production-version]\nurl = \"{}\"\nwait = \"0s\"\n",
        service.url
    );
    let (repo, _log) = deployable(&env, &health, &section);
    finished(&env, &repo, "P0", "now");
    env.hotfix(&repo, &["deploy", "--yes"]).ok();

    let plan = env.hotfix(&repo, &["verify", "production", "--plan"]).ok();
    assert!(
        plan.stdout.contains(&format!(
            "{} reports 1.2.4 (asked every 5 s for up to 0s)",
            service.url
        )),
        "{}",
        plan.stdout
    );
    let json = env
        .hotfix(&repo, &["verify", "production", "--plan", "--json"])
        .ok()
        .json();
    assert_eq!(json["then"]["version"], "1.2.4", "{json}");

    // The deploy did not take: the health URL answers, the service still runs 1.2.3.
    // Verify fails on it, and nothing says production is verified.
    let run = env
        .hotfix(&repo, &["verify", "production", "--yes"])
        .expect(1);
    assert!(
        run.stderr.contains(&format!(
            "{}: reports 1.2.3, not 1.2.4 (1 try in 0s)",
            service.url
        )),
        "{}",
        run.stderr
    );
    let facts = env
        .hotfix(
            &repo,
            &["report", "pir", "--format", "json", "--hotfix", "ENG-1234"],
        )
        .ok()
        .report_facts();
    assert_ne!(facts["status"], "resolved", "{facts}");

    // Once it reports the release, production is verified.
    service.set_body("v1.2.4\n");
    let run = env.hotfix(&repo, &["verify", "production", "--yes"]).ok();
    assert!(run.stderr.contains("reports 1.2.4"), "{}", run.stderr);
    let facts = env
        .hotfix(
            &repo,
            &["report", "pir", "--format", "json", "--hotfix", "ENG-1234"],
        )
        .ok()
        .report_facts();
    assert_eq!(facts["status"], "resolved", "{facts}");
}

/// A feature flag turned off for one hotfix, then another hotfix released and deployed over
/// it: the first is still not resolved (its feature is off), and status says both what runs
/// and that the flag is off; the second's verification does not close the first.
#[test]
fn a_flag_turned_off_stays_said_when_a_newer_release_is_deployed_over_it() {
    let env = TestEnv::new();
    let health = Health::answering(&[200]);
    let flags = format!(
        r#""rollback-flag" = "./deploy.sh flag-off {{flag}} {{environment}} {}""#,
        env.path("deploy.log").display()
    );
    let (repo, _log) = deployable(&env, &health, &flags);
    finished(&env, &repo, "P0", "now");
    env.hotfix(&repo, &["deploy", "--yes"]).ok();
    env.hotfix(&repo, &["verify", "production", "--yes"]).ok();
    env.hotfix(
        &repo,
        &[
            "rollback",
            "--flag",
            "new-checkout",
            "--yes",
            "--hotfix",
            "ENG-1234",
        ],
    )
    .ok();

    // Meanwhile the next incident: released and deployed over 1.2.4, and verified.
    env.hotfix(
        &repo,
        &["start", "ENG-2", "cart total rounding", "--severity", "P0"],
    )
    .ok();
    env.commit(
        &repo,
        "fix: round the cart total once",
        &[
            ("cart.txt", "round once\n"),
            ("tests/cart_test.sh", "expect\n"),
        ],
    );
    env.hotfix(&repo, &["finish"]).ok();
    env.hotfix(&repo, &["deploy", "--yes", "--hotfix", "ENG-2"])
        .ok();
    env.hotfix(
        &repo,
        &["verify", "production", "--yes", "--hotfix", "ENG-2"],
    )
    .ok();

    let facts = |ticket: &str| {
        env.hotfix(
            &repo,
            &["report", "pir", "--format", "json", "--hotfix", ticket],
        )
        .ok()
        .report_facts()
    };
    assert_eq!(facts("ENG-2")["status"], "resolved");
    assert_eq!(facts("ENG-1234")["status"], "rolled back");
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(
        status.contains("production runs 1.2.5")
            && status.contains("which holds the fix")
            && status.contains("its feature flag new-checkout is off since"),
        "{status}"
    );
    // Verified again (the flag back on, by whoever turned it on): resolved, and said so.
    env.hotfix(
        &repo,
        &["verify", "production", "--yes", "--hotfix", "ENG-1234"],
    )
    .ok();
    assert_eq!(facts("ENG-1234")["status"], "resolved");
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(!status.contains("feature flag"), "{status}");
    env.fsck(&repo);
}
