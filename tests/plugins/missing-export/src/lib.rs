//! Hostile: claims contract 0.1.0 for its severity policy but does not export `levels`.
wit_bindgen::generate!({
    inline: r#"
        package git-hotfix:plugin@0.1.0;
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
            questions: func() -> list<question>;
            assess: func(incident: incident) -> result<assessment, plugin-error>;
        }
        world severity-policy { export severity; }
    "#,
});
use exports::git_hotfix::plugin::severity::Guest;
use git_hotfix::plugin::types::{
    Assessment, DeployWindow, Incident, PluginError, Question, Severity,
};
struct MissingExport;
impl Guest for MissingExport {
    fn questions() -> Vec<Question> {
        Vec::new()
    }
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        Ok(Assessment {
            severity: Severity::P2,
            label: "major bug".into(),
            response_minutes: 1440,
            deploy_window: DeployWindow::NextBusinessDay,
            reasons: Vec::new(),
            approvals_required: 1,
            skip_staging_allowed: false,
        })
    }
}
export!(MissingExport);
