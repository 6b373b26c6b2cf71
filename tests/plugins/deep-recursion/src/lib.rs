//! Hostile: recurses until the stack runs out.
use git_hotfix_plugin_sdk::*;
struct Deep;
#[inline(never)]
#[allow(unconditional_recursion)]
fn down(n: u64) -> u64 {
    let here = std::hint::black_box([n; 16]);
    down(n + 1) + here[3]
}
impl SeverityPolicy for Deep {
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        Err(PluginError::Failed(down(0).to_string()))
    }
}
export_severity_policy!(Deep);
