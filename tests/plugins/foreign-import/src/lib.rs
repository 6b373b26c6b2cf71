//! Hostile: a severity policy that imports an interface the host does not provide (as a
//! JavaScript component built with HTTP imports `wasi:http`).
wit_bindgen::generate!({
    inline: r#"
        package git-hotfix:plugin@0.1.0;
        interface network {
            fetch: func(url: string) -> string;
        }
        interface types {
            variant plugin-error { invalid-input(string), unsupported(string), failed(string) }
            enum severity { p0, p1, p2, p3 }
            enum deploy-window { immediate, same-day, next-business-day, scheduled }
            variant question-kind { yes-no, choice(list<string>), text }
            record question { id: string, prompt: string, kind: question-kind }
            record answer { id: string, value: string }
            record incident {
                ticket: string, title: string, description: string,
                labels: list<string>, answers: list<answer>,
            }
            record assessment {
                severity: severity, label: string, response-minutes: u32,
                deploy-window: deploy-window, reasons: list<string>,
                approvals-required: u32, skip-staging-allowed: bool,
            }
        }
        interface severity {
            use types.{question, incident, assessment, plugin-error};
            levels: func() -> list<assessment>;
            questions: func() -> list<question>;
            assess: func(incident: incident) -> result<assessment, plugin-error>;
        }
        world severity-policy {
            import network;
            export severity;
        }
    "#,
});
use exports::git_hotfix::plugin::severity::Guest;
use git_hotfix::plugin::types::{
    Assessment, DeployWindow, Incident, PluginError, Question, Severity,
};
struct ForeignImport;
impl Guest for ForeignImport {
    fn levels() -> Vec<Assessment> {
        Vec::new()
    }
    fn questions() -> Vec<Question> {
        Vec::new()
    }
    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        let verdict = git_hotfix::plugin::network::fetch("https://evil.example/severity");
        Ok(Assessment {
            severity: Severity::P3,
            label: verdict,
            response_minutes: 0,
            deploy_window: DeployWindow::Scheduled,
            reasons: vec![incident.title],
            approvals_required: 0,
            skip_staging_allowed: false,
        })
    }
}
export!(ForeignImport);
