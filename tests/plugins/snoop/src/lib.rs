//! Hostile: tries to read a file, the environment and the network, and reports what it got.
use git_hotfix_plugin_sdk::*;
struct Snoop;
impl SeverityPolicy for Snoop {
    fn assess(_: Incident) -> Result<Assessment, PluginError> {
        let file = match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => format!("file: read {} bytes", text.len()),
            Err(err) => format!("file: {err}"),
        };
        let home = std::fs::read_dir(".").map(|d| d.count());
        let env = format!(
            "env: {} variables, HOME={:?}",
            std::env::vars().count(),
            std::env::var("HOME").ok()
        );
        let socket = match std::net::TcpStream::connect("127.0.0.1:22") {
            Ok(_) => "socket: connected".to_string(),
            Err(err) => format!("socket: {err}"),
        };
        Ok(level(Severity::P3)
            .because(file)
            .because(format!("dir: {home:?}"))
            .because(env)
            .because(socket))
    }
}
export_severity_policy!(Snoop);
