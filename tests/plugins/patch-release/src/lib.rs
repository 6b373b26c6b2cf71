//! A severity policy built against a later patch release of the contract (0.1.1, the same
//! types): a host serving 0.1 must run it.
wit_bindgen::generate!({
    inline: r#"
        package git-hotfix:plugin@0.1.1;
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
        world severity-policy { export severity; }
    "#,
});
use exports::git_hotfix::plugin::severity::Guest;
use git_hotfix::plugin::types::{
    Assessment, DeployWindow, Incident, PluginError, Question, Severity,
};
struct PatchRelease;
impl Guest for PatchRelease {
    fn levels() -> Vec<Assessment> {
        Vec::new()
    }
    fn questions() -> Vec<Question> {
        Vec::new()
    }
    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        Ok(Assessment {
            severity: Severity::P1,
            label: "built for 0.1.1".into(),
            response_minutes: 240,
            deploy_window: DeployWindow::SameDay,
            reasons: vec![incident.title],
            approvals_required: 1,
            skip_staging_allowed: false,
        })
    }
}
export!(PatchRelease);
