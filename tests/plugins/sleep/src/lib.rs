//! Hostile: waits instead of answering, where no epoch reaches it. `assess` sleeps 20 s,
//! `questions` sleeps for ever (a poll that never becomes ready), and `levels` waits for the
//! monotonic clock to pass 20 s in a loop of clock reads.
use std::time::{Duration, Instant};

use git_hotfix_plugin_sdk::*;
struct Sleep;
impl SeverityPolicy for Sleep {
    fn levels() -> Vec<Assessment> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {}
        Vec::new()
    }
    fn questions() -> Vec<Question> {
        std::thread::sleep(Duration::MAX);
        Vec::new()
    }
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        eprintln!("taking a nap");
        std::thread::sleep(Duration::from_secs(20));
        Ok(level(Severity::P3))
    }
}
export_severity_policy!(Sleep);
