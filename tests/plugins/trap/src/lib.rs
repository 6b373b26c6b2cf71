//! Hostile: panics half-way through a call (a panic is a trap in WebAssembly).
use git_hotfix_plugin_sdk::*;
struct Trap;
impl SeverityPolicy for Trap {
    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        eprintln!("assessing {} ...", incident.ticket);
        panic!("the policy table is missing for {}", incident.title);
    }
}
export_severity_policy!(Trap);
