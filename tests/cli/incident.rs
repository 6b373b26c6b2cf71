//! The incident around the fix: the clock from detection, the checklist, `check`.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use insta::assert_snapshot;

use crate::common::fixtures::HOTFIX;
use crate::common::{TestEnv, scrub};

/// The tick of `item` in a `status --json` document.
fn tick<'a>(status: &'a Value, item: &str) -> &'a Value {
    status["hotfix"]["checklist"]
        .as_array()
        .expect("a checklist")
        .iter()
        .find(|t| t["item"] == item)
        .unwrap_or_else(|| panic!("no {item} in {status}"))
}

fn time(value: &Value) -> Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"))
        .parse()
        .unwrap()
}

/// A P0 detected 20 minutes ago, started, fixed, and the fix's regression test committed.
fn p0_fixed_with_a_test(env: &TestEnv, repo: &std::path::Path) {
    env.hotfix(
        repo,
        &[
            "start",
            "ENG-1234",
            "fix auth bypass",
            "--severity",
            "P0",
            "--detected-at",
            "20 minutes ago",
        ],
    )
    .ok();
    env.commit(
        repo,
        "fix: refuse unsigned tokens",
        &[("auth.txt", "check signature\n")],
    );
    env.commit(
        repo,
        "test: unsigned tokens are refused",
        &[("tests/auth_test.sh", "expect refusal\n")],
    );
}

#[test]
fn the_clock_runs_from_detection_and_the_workflow_ticks_what_it_sees() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let before = Timestamp::now();
    p0_fixed_with_a_test(&env, &repo);

    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let clock = &status["hotfix"]["clock"];
    assert_eq!(clock["severity"], "P0");
    assert_eq!(clock["target_minutes"], 120);
    let detected = time(&clock["detected"]);
    let twenty = SignedDuration::from_mins(20);
    assert!(
        detected >= before - twenty - SignedDuration::from_secs(2)
            && detected <= Timestamp::now() - twenty,
        "{clock}"
    );
    assert_eq!(
        time(&clock["deadline"]),
        detected + SignedDuration::from_hours(2)
    );
    assert_eq!(clock["state"], "running");
    let left = clock["left_minutes"].as_i64().unwrap();
    assert!((98..=100).contains(&left), "{clock}");

    for item in [
        "assessed",
        "branch-created",
        "fix-committed",
        "regression-test",
    ] {
        assert_eq!(tick(&status, item)["by"], "workflow", "{item}");
    }
    // The regression test came with the second commit (git's committer time).
    let second = env.git(&repo, &["log", "-1", "--format=%cI", HOTFIX]);
    assert_eq!(
        time(&tick(&status, "regression-test")["at"]),
        second.trim().parse::<Timestamp>().unwrap()
    );
    for item in [
        "version-bumped",
        "tagged",
        "production-deployed",
        "communicated",
    ] {
        assert_eq!(tick(&status, item)["at"], Value::Null, "{item}");
    }

    let text = env.hotfix(&repo, &["status"]).ok().stdout;
    assert!(text.contains("clock    P0 · 1h"), "{text}");
    assert!(text.contains("left of 2h"), "{text}");
    assert!(text.contains("[x] regression test touched"), "{text}");
    assert!(
        text.contains("[ ] communicated") && text.contains("`git hotfix check communicated`"),
        "{text}"
    );
}

/// With the clock fixed, what `status` says of the incident (its clock, what is left, the
/// checklist) and what `log` and the post-incident review say of it afterwards are held whole.
#[test]
fn the_clock_status_and_log_read_the_same_at_a_fixed_time() {
    let env = TestEnv::new().fixed_clock();
    let repo = env.linear().dir;
    p0_fixed_with_a_test(&env, &repo);
    let status = env.hotfix(&repo, &["status"]).ok();
    assert_snapshot!(scrub(&env, &status.stdout), @r#"
    Hotfix ENG-1234: fix auth bypass
      branch   hotfix/ENG-1234-fix-auth-bypass at [ID]
      base     v1.2.3 ([ID])
      version  1.2.4, tag v1.2.4
      severity P0 · security vulnerability: respond within 2h, deploy immediate
      started  2026-03-05 14:23 UTC (0h00m ago)
      detected 2026-03-05 14:03 UTC (20m ago)
      clock    P0 · 1h40m left of 2h (deadline 16:03 UTC)
      commits  2 since the base
        [ID] test: unsigned tokens are refused
        [ID] fix: refuse unsigned tokens

    Checklist:
      [x] assessed                14:23  T+20m
      [x] branch created          14:23  T+20m
      [x] fix committed           14:23  T+20m
      [x] regression test touched 14:23  T+20m
      [ ] checks passed
      [ ] version bumped
      [ ] changelog
      [ ] PR opened
      [ ] merged
      [ ] tagged
      [ ] pushed
      [ ] deployed to staging
      [ ] staging verified
      [ ] deployed to production
      [ ] production verified
      [ ] monitoring window over
      [ ] communicated            `git hotfix check communicated`
      [ ] follow-up sent          `git hotfix check followed-up`
      [ ] review scheduled        `git hotfix check review-scheduled`

    Finish will:
      - tag v1.2.4 on [ID] ("Hotfix 1.2.4: fix auth bypass")
      - fast-forward main to [ID]
      - delete hotfix/ENG-1234-fix-auth-bypass
      - switch [TMP]/repo to main
    "#);
    let json = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(json["hotfix"]["clock"]["detected"], "2026-03-05T14:03:00Z");
    assert_eq!(json["hotfix"]["clock"]["left_minutes"], 100);

    env.hotfix(&repo, &["finish"]).ok();
    let log = env.hotfix(&repo, &["log"]).ok();
    assert_snapshot!(scrub(&env, &log.stdout), @"
    ENG-1234     P0  1.2.4      2026-03-05 14:03  not deployed to production  fix auth bypass
    1 hotfix (P0 1); median time to deploy -; 0 of 0 within target
    ");
    let review = env.hotfix(&repo, &["report", "pir"]).ok();
    assert_snapshot!(scrub(&env, &review.stdout), @"
    # Post-incident review: ENG-1234: fix auth bypass

    - Severity: P0, security vulnerability (respond within 2h, deploy immediate)
    - Status: released
    - Release: v1.2.4 (1.2.4), branched from v1.2.3
    - Written: 2026-03-05 14:23 UTC

    ## Summary

    Fix auth bypass. Detected 2026-03-05 14:03 UTC.
    The fix has not reached production yet.

    ## Timeline (UTC)

    | Time | Since detection | What |
    |---|---|---|
    | 2026-03-05 14:03 UTC | T+0m | incident detected |
    | 2026-03-05 14:23 UTC | T+20m | assessed P0 (security vulnerability) |
    | 2026-03-05 14:23 UTC | T+20m | branch created |
    | 2026-03-05 14:23 UTC | T+20m | first fix commit |
    | 2026-03-05 14:23 UTC | T+20m | regression test touched |
    | 2026-03-05 14:23 UTC | T+20m | merged |
    | 2026-03-05 14:23 UTC | T+20m | tagged v1.2.4 |

    ## Duration

    - Detection to production deploy: not deployed yet (target 2h: running)
    - Window of impact: 20m, 2026-03-05 14:03 UTC to now

    ## Impact

    Assessed P0 (security vulnerability):
    - set with --severity P0

    _Users affected, what they experienced, revenue, reputation: to be written._

    ## Root cause

    _To be written: how it happened, and why it was not caught (missing test, race, external change, recent regression, other)._

    ## Resolution

    - [ID] fix: refuse unsigned tokens
    - [ID] test: unsigned tokens are refused (with a regression test)
    - Released as v1.2.4.

    ## What went well

    - _to be written_

    ## What went wrong

    - _to be written_

    ## Action items

    | Action | Owner | Due |
    |---|---|---|
    | _to be written_ | | |
    | Checklist: checks passed | | |
    | Checklist: pushed | | |
    | Checklist: deployed to staging | | |
    | Checklist: staging verified | | |
    | Checklist: deployed to production | | |
    | Checklist: production verified | | |
    | Checklist: monitoring window over | | |
    | Checklist: communicated | | |
    | Checklist: follow-up sent | | |
    | Checklist: review scheduled | | |

    ## Prevention

    - Tests: the fix adds a regression test; _what else would have caught it?_
    - Monitoring: _the alert or dashboard that would have shown it sooner_
    - Process: _the review, release or on-call step to change_
    - Documentation: _the runbook or doc to update_

    ## Lessons learned

    - _to be written_

    ## Links

    - Tag: v1.2.4
    ");
}

#[test]
fn check_ticks_what_only_a_person_sees_and_takes_it_back() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.start_and_fix(&repo);

    let run = env
        .hotfix(
            &repo,
            &[
                "check",
                "communicated",
                "--at",
                "5 minutes ago",
                "--note",
                "posted in #incidents",
            ],
        )
        .ok();
    assert!(
        run.stderr.contains("Checked communicated"),
        "{}",
        run.stderr
    );
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let communicated = tick(&status, "communicated");
    assert_eq!(communicated["by"], "person");
    assert_eq!(communicated["note"], "posted in #incidents");
    let at = time(&communicated["at"]);
    let ago = Timestamp::now().duration_since(at);
    assert!(
        ago >= SignedDuration::from_mins(5) && ago < SignedDuration::from_mins(6),
        "{at}"
    );
    // The journal keeps it as an event at the time given.
    let journal: Value =
        serde_json::from_slice(&std::fs::read(repo.join(".git/hotfix/ENG-1234.json")).unwrap())
            .unwrap();
    let event = journal["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "checked")
        .expect("a checked event");
    assert_eq!(event["item"], "communicated");
    assert_eq!(time(&event["at"]), at);

    // The workflow's own ticks cannot be taken back or ticked twice.
    let run = env
        .hotfix(&repo, &["check", "branch-created", "--undo"])
        .expect(1);
    assert!(
        run.stderr.contains("ticked `branch-created` itself"),
        "{}",
        run.stderr
    );
    let run = env.hotfix(&repo, &["check", "branch-created"]).ok();
    assert!(run.stderr.contains("Unchanged"), "{}", run.stderr);

    env.hotfix(&repo, &["check", "communicated", "--undo"]).ok();
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(tick(&status, "communicated")["at"], Value::Null);
    let run = env.hotfix(&repo, &["check", "communicated", "--undo"]).ok();
    assert!(run.stderr.contains("is not ticked"), "{}", run.stderr);
}

#[test]
fn times_are_checked_before_anything_is_written() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let refs = env.refs(&repo);
    for when in ["tomorrow", "in 5 minutes", "2099-01-01T00:00:00Z"] {
        let run = env
            .hotfix(&repo, &["start", "ENG-1", "fix it", "--detected-at", when])
            .expect(2);
        assert!(run.stderr.contains("--detected-at"), "{}", run.stderr);
    }
    assert_eq!(env.refs(&repo), refs);
    assert!(!repo.join(".git/hotfix/ENG-1.json").exists());
    let run = env.hotfix(&repo, &["check", "merged-ish"]).expect(2);
    assert!(run.stderr.contains("review-scheduled"), "{}", run.stderr);
}

#[test]
fn a_finished_hotfix_stays_the_open_incident_with_its_release_ticked() {
    let env = TestEnv::new();
    let repo = env.init("repo");
    env.commit(
        &repo,
        "Release 1.2.3",
        &[
            ("package.json", "{ \"version\": \"1.2.3\" }\n"),
            (
                "CHANGELOG.md",
                "# Changelog\n\n## [1.2.3] - 2026-03-01\n\n- Faster checkout\n",
            ),
            ("auth.txt", "check\n"),
        ],
    );
    env.tag(&repo, "v1.2.3");
    env.hotfix(
        &repo,
        &["start", "ENG-1234", "fix auth bypass", "--severity", "P1"],
    )
    .ok();
    env.commit(&repo, "fix: auth", &[("auth.txt", "check signature\n")]);
    env.hotfix(&repo, &["finish"]).ok();

    // Not on the hotfix branch any more, and nothing in progress: the open incident.
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["ticket"], "ENG-1234");
    assert_eq!(status["hotfix"]["state"], "finished");
    for item in ["version-bumped", "changelog", "merged", "tagged"] {
        assert_eq!(tick(&status, item)["by"], "workflow", "{item}");
    }
    assert_eq!(tick(&status, "regression-test")["at"], Value::Null);
    assert_eq!(tick(&status, "pushed")["at"], Value::Null);
    let release = env.rev(&repo, "v1.2.4^{commit}").unwrap();
    let committed = env.git(&repo, &["log", "-1", "--format=%cI", &release]);
    assert_eq!(
        time(&tick(&status, "version-bumped")["at"]),
        committed.trim().parse::<Timestamp>().unwrap()
    );
    assert_eq!(status["hotfix"]["clock"]["severity"], "P1");
    assert_eq!(status["hotfix"]["clock"]["target_minutes"], 240);

    env.hotfix(&repo, &["check", "review-scheduled"]).ok();
    let finished = std::fs::read_dir(repo.join(".git/hotfix/finished"))
        .unwrap()
        .count();
    assert_eq!(finished, 1, "the finished journal is updated, not copied");
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    assert_eq!(tick(&status, "review-scheduled")["by"], "person");
}

#[test]
fn a_severity_assessed_later_starts_the_clock_from_detection() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    env.hotfix(
        &repo,
        &[
            "start",
            "ENG-1234",
            "fix auth bypass",
            "--detected-at",
            "1 hour ago",
        ],
    )
    .ok();
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(
        status["hotfix"]["clock"],
        Value::Null,
        "no severity, no clock"
    );
    assert_eq!(tick(&status, "assessed")["at"], Value::Null);

    env.hotfix(
        &repo,
        &[
            "assess", "--record", "--label", "security", "--answer", "down=no",
        ],
    )
    .ok();
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let clock = &status["hotfix"]["clock"];
    assert_eq!(clock["severity"], "P0", "{clock}");
    let left = clock["left_minutes"].as_i64().unwrap();
    assert!((58..=60).contains(&left), "an hour of two gone: {clock}");
    assert_eq!(tick(&status, "assessed")["by"], "workflow");
}

/// The hotfix-deploy runbook's ladder: a senior engineer at 15 minutes, the engineering
/// manager at 30, the incident commander at 60. `status` names the one due and the next,
/// `check escalated` ticks the next (or the one named), the reports list them, and a rung
/// whose time comes after production is verified is not needed.
#[test]
fn the_escalation_ladder_runs_from_detection_until_production_is_verified() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    let ladder = "[[escalation]]\nafter = \"15m\"\nto = \"senior engineer\"\n\n[[escalation]]\nafter = \"30m\"\nto = \"engineering manager\"\n\n[[escalation]]\nafter = \"1h\"\nto = \"incident commander\"\n";
    env.commit(&repo, "The escalation ladder", &[(".hotfix.toml", ladder)]);
    p0_fixed_with_a_test(&env, &repo);

    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    let states: Vec<(&str, &str)> = status["hotfix"]["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["to"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("senior engineer", "due"),
            ("engineering manager", "upcoming"),
            ("incident commander", "upcoming"),
        ]
    );
    let text = env.hotfix(&repo, &["status"]).ok().stdout;
    assert!(
        text.contains("escalate senior engineer now: due")
            && text.contains("then `git hotfix check escalated`")
            && text.contains("[ ] escalated to senior engineer"),
        "{text}"
    );

    // Ticked: the next one.
    let run = env.hotfix(&repo, &["check", "escalated"]).ok();
    assert!(
        run.stderr
            .contains("Checked escalated to senior engineer of ENG-1234"),
        "{}",
        run.stderr
    );
    let text = env.hotfix(&repo, &["status"]).ok().stdout;
    assert!(
        text.contains("escalate next: engineering manager at")
            && text.contains("[x] escalated to senior engineer"),
        "{text}"
    );
    // One not on the ladder is refused with the ones it has; one named is ticked.
    let refused = env
        .hotfix(&repo, &["check", "escalated", "--note", "the CEO"])
        .expect(2);
    assert!(
        refused.stderr.contains(
            "`the CEO` is not on the escalation ladder (senior engineer, engineering manager, incident commander)"
        ),
        "{}",
        refused.stderr
    );
    let commander = ["check", "escalated", "--note", "Incident Commander"];
    env.hotfix(&repo, &commander).ok();
    // Once only: a rung ticked again is said to be ticked, not recorded twice.
    let again = env.hotfix(&repo, &commander).ok();
    assert!(
        again
            .stderr
            .contains("Unchanged escalated to incident commander is ticked already"),
        "{}",
        again.stderr
    );
    // Taken back: the last one ticked, by name.
    let undone = env.hotfix(&repo, &["check", "escalated", "--undo"]).ok();
    assert!(
        undone
            .stderr
            .contains("Unchecked escalated to incident commander of ENG-1234"),
        "{}",
        undone.stderr
    );
    let status = env.hotfix(&repo, &["status", "--json"]).ok().json();
    assert_eq!(status["hotfix"]["escalations"][2]["state"], "upcoming");

    // Before the release, the reports claim none: no tag, no cause found, no fix released.
    let pir = env.hotfix(&repo, &["report", "pir"]).ok().stdout;
    assert!(
        pir.contains("- Not released yet (its tag will be v1.2.4).")
            && !pir.contains("Released as")
            && !pir.contains("- Tag: v1.2.4"),
        "{pir}"
    );
    let page = env.hotfix(&repo, &["report", "status-page"]).ok().stdout;
    assert!(
        page.contains("We are working on a fix.") && !page.contains("found the cause"),
        "{page}"
    );
    let internal = env.hotfix(&repo, &["report", "internal"]).ok().stdout;
    assert!(internal.contains(", not released yet"), "{internal}");

    // Production verified before the manager's time: not needed, and gone from the
    // checklist; the review lists who was called in.
    env.hotfix(&repo, &["finish"]).ok();
    env.hotfix(&repo, &["check", "production-deployed"]).ok();
    env.hotfix(&repo, &["check", "production-verified"]).ok();
    let pir = env
        .hotfix(&repo, &["report", "pir", "--hotfix", "ENG-1234"])
        .ok()
        .stdout;
    assert!(pir.contains("escalated to senior engineer"), "{pir}");
    let status = env
        .hotfix(&repo, &["status", "--hotfix", "ENG-1234", "--json"])
        .ok()
        .json();
    let escalated: Vec<&Value> = status["hotfix"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["item"] == "escalated")
        .collect();
    // The manager's and the commander's time had not come: not needed, not listed.
    assert_eq!(escalated.len(), 1, "{status}");
    assert_eq!(escalated[0]["note"], "senior engineer");
    assert!(escalated[0]["at"].is_string());
    let states: Vec<&str> = status["hotfix"]["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["escalated", "not-needed", "not-needed"]);
}
