//! Hostile: never returns.
use git_hotfix_plugin_sdk::*;
struct Forever;
impl SeverityPolicy for Forever {
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}
export_severity_policy!(Forever);
