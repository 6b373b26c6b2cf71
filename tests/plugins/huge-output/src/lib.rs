//! Hostile: answers with megabytes (the description says how many; 100 by default).
use git_hotfix_plugin_sdk::*;
struct Huge;
impl SeverityPolicy for Huge {
    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        let megabytes: usize = incident.description.parse().unwrap_or(100);
        Ok(level(Severity::P3).because("x".repeat(megabytes << 20)))
    }
}
export_severity_policy!(Huge);
