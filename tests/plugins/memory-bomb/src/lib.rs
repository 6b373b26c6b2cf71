//! Hostile: allocates until something stops it.
use git_hotfix_plugin_sdk::*;
struct Bomb;
impl SeverityPolicy for Bomb {
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        let mut hoard = Vec::new();
        loop {
            hoard.push(std::hint::black_box(vec![1u8; 1 << 20]));
        }
    }
}
export_severity_policy!(Bomb);
