//! Hostile: claims contract 0.1.0 but its severity has a fifth level, so `levels` and
//! `assess` do not have the contract's types.
wit_bindgen::generate!({
    inline: r#"
        package git-hotfix:plugin@0.1.0;
        interface types {
            variant plugin-error { invalid-input(string), unsupported(string), failed(string) }
            enum severity { p0, p1, p2, p3, p4 }
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
        world severity-policy { export severity; }
    "#,
});
use exports::git_hotfix::plugin::severity::Guest;
use git_hotfix::plugin::types::{
    Assessment, DeployWindow, Incident, PluginError, Question, Severity,
};
struct TypeDrift;
impl Guest for TypeDrift {
    fn levels() -> Vec<Assessment> {
        Vec::new()
    }
    fn questions() -> Vec<Question> {
        Vec::new()
    }
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        Ok(Assessment {
            severity: Severity::P4,
            label: "a level the contract does not have".into(),
            response_minutes: 0,
            deploy_window: DeployWindow::Scheduled,
            reasons: Vec::new(),
            approvals_required: 0,
            skip_staging_allowed: false,
        })
    }
}
export!(TypeDrift);
