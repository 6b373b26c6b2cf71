//! A team's own severity policy in a few lines: customer-facing incidents are P0, the rest
//! waits for the next business day.

use git_hotfix_plugin_sdk::*;

struct Strict;

impl SeverityPolicy for Strict {
    fn questions() -> Vec<Question> {
        vec![Question {
            id: "customers".into(),
            prompt: "Do customers see it?".into(),
            kind: QuestionKind::YesNo,
        }]
    }

    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        let labelled = incident.labels.iter().any(|l| l == "customer-facing");
        let answered = answer(&incident, "customers") == Some("yes");
        Ok(if labelled || answered {
            level(Severity::P0).because("customers see it: strict policy")
        } else {
            level(Severity::P2).because("internal only: strict policy")
        })
    }
}

export_severity_policy!(Strict);
