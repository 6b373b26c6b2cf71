//! The default deploy policy: steps read from the settings in .hotfix.toml.
//!
//! ```toml
//! [policies.deploy.settings]
//! "staging.deploy" = "kubectl -n staging set image deploy/app app=registry/app:{version}"
//! "production.deploy" = "kubectl -n prod set image deploy/app app=registry/app:{version}"
//! "health-url" = "https://app.example.com/health"
//! "rollback" = "kubectl -n {environment} rollout undo deploy/app"
//! ```
//!
//! `health-retries` (10) and `health-interval` (6 s) say how long the health URL is polled;
//! `<key>-timeout` how long a command may run (600 s).
//!
//! A key may hold a list of commands, run in order, each a step of its own: a blue-green or
//! rolling deploy (`production.deploy = ["deploy.sh green", "switch.sh green", …]`). The
//! host passes a list as the key repeated.
//!
//! `verify` (what `git hotfix verify` runs before the health URL) checks what a status code
//! cannot: the version the service reports, a smoke test. `rollback-verify` runs after
//! `rollback` and its health check, and validates it (`{previous}` is the version it went
//! back to).
//!
//! `rollback-flag` turns a feature flag off instead (`git hotfix rollback --flag NAME`: the
//! host asks for a rollback whose settings hold `flag`), `{flag}` filled in, then the health
//! check; the release stays, so `rollback-verify` does not run.
//!
//! `checklist` lists what must be true before a deploy (`production.checklist = ["backup
//! done", "rollback plan ready", "people on call"]`): each is a confirmation, asked before
//! the first command and journaled with its answer.
//!
//! Commands are split on whitespace into argv (there is no shell); `{version}`, `{tag}`,
//! `{previous}`, `{environment}` and `{flag}` are filled in. `<environment>.<key>` wins over `<key>`.

use git_hotfix_plugin_sdk::*;

struct FromSettings;

/// Every value of `key` (a list repeats it), the environment's own if it has any.
fn settings<'a>(release: &'a Release, key: &str) -> Vec<&'a str> {
    let specific = format!("{}.{key}", release.environment);
    let all = |wanted: &str| -> Vec<&'a str> {
        release
            .settings
            .iter()
            .filter(|(k, _)| k == wanted)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let own = all(&specific);
    if own.is_empty() { all(key) } else { own }
}

fn setting<'a>(release: &'a Release, key: &str) -> Option<&'a str> {
    settings(release, key).last().copied()
}

fn fill(text: &str, release: &Release) -> String {
    text.replace("{version}", &release.version)
        .replace("{tag}", &release.tag)
        .replace("{environment}", &release.environment)
        .replace(
            "{previous}",
            release.previous_version.as_deref().unwrap_or(""),
        )
        .replace("{flag}", setting(release, "flag").unwrap_or(""))
}

/// A step for each command of `key`; several are numbered in their descriptions.
fn run(release: &Release, key: &str, description: &str) -> Vec<Step> {
    let commands = settings(release, key);
    let timeout = setting(release, &format!("{key}-timeout"))
        .and_then(|t| t.parse().ok())
        .unwrap_or(600);
    let count = commands.len();
    commands
        .into_iter()
        .enumerate()
        .map(|(n, command)| {
            Step::Run(RunStep {
                argv: fill(command, release)
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
                env: Vec::new(),
                timeout_seconds: timeout,
                description: if count == 1 {
                    description.to_string()
                } else {
                    format!("{description} ({} of {count})", n + 1)
                },
            })
        })
        .collect()
}

fn health(release: &Release) -> Option<Step> {
    let url = fill(setting(release, "health-url")?, release);
    Some(Step::HttpCheck(HttpCheck {
        url,
        expect_status: 200,
        retries: setting(release, "health-retries")
            .and_then(|r| r.parse().ok())
            .unwrap_or(10),
        interval_seconds: setting(release, "health-interval")
            .and_then(|s| s.parse().ok())
            .unwrap_or(6),
    }))
}

impl DeployPolicy for FromSettings {
    fn plan(release: Release, action: Action) -> Result<Vec<Step>, PluginError> {
        let environment = release.environment.clone();
        let mut steps = Vec::new();
        match action {
            Action::Deploy => {
                steps.extend(
                    settings(&release, "checklist")
                        .into_iter()
                        .map(|item| Step::Confirm(format!("Before the deploy: {item}?"))),
                );
                if environment == "production" {
                    steps.push(Step::Confirm(format!(
                        "Deploy {} to production?",
                        release.tag
                    )));
                }
                let deploy = run(
                    &release,
                    "deploy",
                    &format!("deploy {} to {environment}", release.tag),
                );
                if deploy.is_empty() {
                    return Err(PluginError::Unsupported(format!(
                        "no `{environment}.deploy` (or `deploy`) setting for the deploy policy"
                    )));
                }
                steps.extend(deploy);
                steps.extend(health(&release));
            }
            Action::Verify => {
                steps.extend(run(&release, "verify", &format!("verify {environment}")));
                steps.extend(health(&release));
                if steps.is_empty() {
                    return Err(PluginError::Unsupported(format!(
                        "no `verify` or `health-url` setting to verify {environment} with"
                    )));
                }
            }
            Action::Rollback if setting(&release, "flag").is_some() => {
                let flag = setting(&release, "flag").unwrap_or_default();
                let off = run(
                    &release,
                    "rollback-flag",
                    &format!("turn feature flag {flag} off in {environment}"),
                );
                if off.is_empty() {
                    return Err(PluginError::Unsupported(
                        "no `rollback-flag` setting for the deploy policy: the command that turns a feature flag off (`rollback-flag = \"./flags.sh off {flag}\"`)".into(),
                    ));
                }
                steps.extend(off);
                steps.extend(health(&release));
            }
            Action::Rollback => {
                let rollback = run(&release, "rollback", &format!("roll {environment} back"));
                if rollback.is_empty() {
                    return Err(PluginError::Unsupported(
                        "no `rollback` setting for the deploy policy".into(),
                    ));
                }
                steps.extend(rollback);
                steps.extend(health(&release));
                steps.extend(run(
                    &release,
                    "rollback-verify",
                    &format!("validate the rollback of {environment}"),
                ));
            }
        }
        Ok(steps)
    }
}

export_deploy_policy!(FromSettings);

#[cfg(test)]
mod tests {
    use super::*;

    fn release(environment: &str, settings: &[(&str, &str)]) -> Release {
        Release {
            version: "1.2.4".into(),
            previous_version: Some("1.2.3".into()),
            tag: "v1.2.4".into(),
            environment: environment.into(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    const SETTINGS: &[(&str, &str)] = &[
        ("deploy", "deploy.sh {environment} {version}"),
        ("production.deploy", "kubectl set image app=app:{tag}"),
        ("health-url", "https://{environment}.example.com/health"),
        ("rollback", "rollback.sh {previous}"),
    ];

    #[test]
    fn production_asks_first_then_runs_its_own_command_and_checks_health() {
        let steps = FromSettings::plan(release("production", SETTINGS), Action::Deploy).unwrap();
        assert!(matches!(&steps[0], Step::Confirm(q) if q.contains("v1.2.4")));
        let Step::Run(run) = &steps[1] else {
            panic!("{steps:?}")
        };
        assert_eq!(run.argv, ["kubectl", "set", "image", "app=app:v1.2.4"]);
        assert!(
            matches!(&steps[2], Step::HttpCheck(h) if h.url == "https://production.example.com/health")
        );
    }

    #[test]
    fn staging_falls_back_to_the_general_command_without_asking() {
        let steps = FromSettings::plan(release("staging", SETTINGS), Action::Deploy).unwrap();
        let Step::Run(run) = &steps[0] else {
            panic!("{steps:?}")
        };
        assert_eq!(run.argv, ["deploy.sh", "staging", "1.2.4"]);
        let steps = FromSettings::plan(release("staging", SETTINGS), Action::Rollback).unwrap();
        assert!(matches!(&steps[0], Step::Run(r) if r.argv == ["rollback.sh", "1.2.3"]));
    }

    #[test]
    fn a_list_is_a_step_per_command_and_a_rollback_is_validated() {
        let settings = &[
            ("deploy", "deploy.sh {environment}"),
            ("production.deploy", "deploy.sh green {version}"),
            ("production.deploy", "switch.sh green"),
            ("production.deploy", "drain.sh blue"),
            ("production.checklist", "backup done"),
            ("verify", "check-version.sh {environment} {version}"),
            ("rollback", "switch.sh blue"),
            (
                "rollback-verify",
                "check-version.sh {environment} {previous}",
            ),
        ];
        let steps = FromSettings::plan(release("production", settings), Action::Deploy).unwrap();
        let runs: Vec<(Vec<String>, String)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Run(r) => Some((r.argv.clone(), r.description.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(runs.len(), 3, "{steps:?}");
        assert!(matches!(&steps[0], Step::Confirm(q) if q == "Before the deploy: backup done?"));
        assert_eq!(runs[0].0, ["deploy.sh", "green", "1.2.4"]);
        assert_eq!(runs[0].1, "deploy v1.2.4 to production (1 of 3)");
        assert_eq!(runs[2].0, ["drain.sh", "blue"]);
        let steps = FromSettings::plan(release("production", settings), Action::Verify).unwrap();
        assert!(
            matches!(&steps[0], Step::Run(r) if r.argv == ["check-version.sh", "production", "1.2.4"])
        );
        // Staging has no list of its own: the general one-command deploy, not numbered.
        let steps = FromSettings::plan(release("staging", settings), Action::Deploy).unwrap();
        assert!(matches!(&steps[0], Step::Run(r) if r.description == "deploy v1.2.4 to staging"));
        let steps = FromSettings::plan(release("production", settings), Action::Rollback).unwrap();
        assert!(
            matches!(steps.last(), Some(Step::Run(r)) if r.argv == ["check-version.sh", "production", "1.2.3"])
        );
    }

    #[test]
    fn a_rollback_by_flag_turns_it_off_and_keeps_the_release() {
        let mut settings = SETTINGS.to_vec();
        settings.push(("rollback-flag", "flags.sh off {flag} {environment}"));
        settings.push(("flag", "new-checkout"));
        let steps = FromSettings::plan(release("production", &settings), Action::Rollback).unwrap();
        assert!(
            matches!(&steps[0], Step::Run(r) if r.argv == ["flags.sh", "off", "new-checkout", "production"]
                && r.description == "turn feature flag new-checkout off in production")
        );
        assert!(matches!(&steps[1], Step::HttpCheck(_)), "{steps:?}");
        assert_eq!(steps.len(), 2);
        // Without the command to do it, said, not a version rollback instead.
        let mut settings = SETTINGS.to_vec();
        settings.push(("flag", "new-checkout"));
        let err =
            FromSettings::plan(release("production", &settings), Action::Rollback).unwrap_err();
        assert!(matches!(err, PluginError::Unsupported(m) if m.contains("rollback-flag")));
    }

    #[test]
    fn a_missing_setting_is_unsupported_not_a_trap() {
        let err = FromSettings::plan(release("production", &[]), Action::Deploy).unwrap_err();
        assert!(matches!(err, PluginError::Unsupported(m) if m.contains("production.deploy")));
    }
}
