//! Says what time it is and rolls a die: the host's fixed clocks and randomness make it
//! answer the same way every time unless the real ones are granted.
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Instant, SystemTime};

use git_hotfix_plugin_sdk::*;
struct Nondeterministic;
impl SeverityPolicy for Nondeterministic {
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        let since_epoch = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let start = Instant::now();
        let elapsed = start.elapsed();
        let die = RandomState::new().hash_one("die") % 6 + 1;
        Ok(level(Severity::P2)
            .because(format!("wall clock: {} ns", since_epoch.as_nanos()))
            .because(format!("elapsed: {} ns", elapsed.as_nanos()))
            .because(format!("die: {die}")))
    }
}
export_severity_policy!(Nondeterministic);
