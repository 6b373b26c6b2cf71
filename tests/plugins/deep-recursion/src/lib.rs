//! Hostile: recurses until the stack runs out. Only scalars, so the frames live on the
//! engine's stack (arrays would go to the shadow stack in linear memory and fault there).
use git_hotfix_plugin_sdk::*;
struct Deep;
#[inline(never)]
fn down(n: u64) -> u64 {
    if std::hint::black_box(n) == u64::MAX {
        return 0;
    }
    std::hint::black_box(down(n + 1)).wrapping_add(n)
}
impl SeverityPolicy for Deep {
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        Err(PluginError::Failed(down(0).to_string()))
    }
}
export_severity_policy!(Deep);
