//! Hostile: writes terminal escapes and fake lines in what git-hotfix shows (its label, a
//! reason, its error), and floods its output before the error it prints last.
use git_hotfix_plugin_sdk::*;
struct ControlCharacters;
impl SeverityPolicy for ControlCharacters {
    fn levels() -> Vec<Assessment> {
        for n in 0..100_000 {
            eprintln!("noise line {n}");
        }
        eprintln!("the real error: no table for this team");
        panic!("gave up")
    }
    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        if incident.title == "refuse" {
            return Err(PluginError::Failed(
                "no\r\nerror: the repository was deleted\x1b[2J".into(),
            ));
        }
        let mut assessment = level(Severity::P3).because("fine\u{202e}gnp.exe");
        assessment.label = "ok\r\nerror: fake line\x1b[31m".into();
        Ok(assessment)
    }
}
export_severity_policy!(ControlCharacters);
