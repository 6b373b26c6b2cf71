//! {{name}}: deploy, verify and roll back with the team's script. A deploy asks first, then
//! runs `scripts/deploy.sh ENVIRONMENT VERSION`; verifying polls `health-url` from
//! `[policies.deploy.settings]`; a rollback deploys the version before. The program must be
//! granted in `.hotfix.toml` (`[policies.deploy] programs = ["scripts/deploy.sh"]`).

use git_hotfix_plugin_sdk::*;

struct Policy;

const SCRIPT: &str = "scripts/deploy.sh";

impl DeployPolicy for Policy {
    fn plan(release: Release, action: Action) -> Result<Vec<Step>, PluginError> {
        let environment = &release.environment;
        match action {
            Action::Deploy => Ok(vec![
                Step::Confirm(format!("Deploy {} to {environment}?", release.tag)),
                deploy(environment, &release.version),
            ]),
            Action::Verify => {
                let url = setting(&release, "health-url").ok_or_else(|| {
                    PluginError::InvalidInput(
                        "no `health-url` setting: add it under [policies.deploy.settings]".into(),
                    )
                })?;
                Ok(vec![Step::HttpCheck(HttpCheck {
                    url: url.into(),
                    expect_status: 200,
                    retries: 10,
                    interval_seconds: 6,
                })])
            }
            Action::Rollback => {
                let previous = release.previous_version.as_deref().ok_or_else(|| {
                    PluginError::Failed(format!(
                        "no version before {}: there is nothing to roll back to",
                        release.version
                    ))
                })?;
                Ok(vec![
                    Step::Confirm(format!(
                        "Roll {environment} back from {} to {previous}?",
                        release.version
                    )),
                    deploy(environment, previous),
                ])
            }
        }
    }
}

fn deploy(environment: &str, version: &str) -> Step {
    Step::Run(RunStep {
        argv: vec![SCRIPT.into(), environment.into(), version.into()],
        env: Vec::new(),
        timeout_seconds: 600,
        description: format!("deploy {version} to {environment}"),
    })
}

fn setting<'a>(release: &'a Release, key: &str) -> Option<&'a str> {
    release
        .settings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

export_deploy_policy!(Policy);
