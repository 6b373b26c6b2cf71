//! Hostile: calls `exit` instead of returning its error.
use git_hotfix_plugin_sdk::*;
struct ExitInstead;
impl SeverityPolicy for ExitInstead {
    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        eprintln!("no rule for {}", incident.title);
        std::process::exit(3)
    }
}
export_severity_policy!(ExitInstead);
