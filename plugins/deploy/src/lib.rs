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
//! Commands are split on whitespace into argv (there is no shell); `{version}`, `{tag}`,
//! `{previous}` and `{environment}` are filled in. `<environment>.<key>` wins over `<key>`.

use git_hotfix_plugin_sdk::*;

struct FromSettings;

fn setting<'a>(release: &'a Release, key: &str) -> Option<&'a str> {
    let specific = format!("{}.{key}", release.environment);
    let find = |wanted: &str| {
        release
            .settings
            .iter()
            .find(|(k, _)| k == wanted)
            .map(|(_, v)| v.as_str())
    };
    find(&specific).or_else(|| find(key))
}

fn fill(text: &str, release: &Release) -> String {
    text.replace("{version}", &release.version)
        .replace("{tag}", &release.tag)
        .replace("{environment}", &release.environment)
        .replace(
            "{previous}",
            release.previous_version.as_deref().unwrap_or(""),
        )
}

fn run(release: &Release, key: &str, description: &str) -> Option<Step> {
    let command = setting(release, key)?;
    let argv: Vec<String> = fill(command, release)
        .split_whitespace()
        .map(String::from)
        .collect();
    let timeout = setting(release, &format!("{key}-timeout"))
        .and_then(|t| t.parse().ok())
        .unwrap_or(600);
    Some(Step::Run(RunStep {
        argv,
        env: Vec::new(),
        timeout_seconds: timeout,
        description: description.to_string(),
    }))
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
                )
                .ok_or_else(|| {
                    PluginError::Unsupported(format!(
                        "no `{environment}.deploy` (or `deploy`) setting for the deploy policy"
                    ))
                })?;
                steps.push(deploy);
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
            Action::Rollback => {
                let rollback = run(&release, "rollback", &format!("roll {environment} back"))
                    .ok_or_else(|| {
                        PluginError::Unsupported(
                            "no `rollback` setting for the deploy policy".into(),
                        )
                    })?;
                steps.push(rollback);
                steps.extend(health(&release));
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
    fn a_missing_setting_is_unsupported_not_a_trap() {
        let err = FromSettings::plan(release("production", &[]), Action::Deploy).unwrap_err();
        assert!(matches!(err, PluginError::Unsupported(m) if m.contains("production.deploy")));
    }
}
