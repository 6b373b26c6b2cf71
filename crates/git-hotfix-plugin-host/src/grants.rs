//! What a deploy policy may make git-hotfix do: run programs whose argv[0] matches a
//! granted glob, and call URLs under a granted prefix. Everything else is refused before it
//! runs; there is no shell to escape through.

use crate::Step;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Globs for argv[0] (`kubectl`, `./deploy/*.sh`); `*` and `?` as in a shell.
    pub commands: Vec<String>,
    /// URL prefixes (`https://status.example.com/`).
    pub http: Vec<String>,
}

/// What a refused step needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotGranted {
    Command(String),
    Url(String),
}

impl Grants {
    /// Refuse a step outside the grants; waits and confirmations need none.
    pub fn check(&self, step: &Step) -> Result<(), NotGranted> {
        match step {
            Step::Run(run) => {
                let program = run.argv.first().cloned().unwrap_or_default();
                if program.is_empty() || !self.commands.iter().any(|g| glob(g, &program)) {
                    return Err(NotGranted::Command(program));
                }
            }
            Step::HttpCheck(check) => {
                if !self
                    .http
                    .iter()
                    .any(|prefix| check.url.starts_with(prefix.as_str()))
                {
                    return Err(NotGranted::Url(check.url.clone()));
                }
            }
            Step::Wait(_) | Step::Confirm(_) => {}
        }
        Ok(())
    }
}

/// As a shell matches a path: `*` and `?` within one path component, `[...]` a class.
fn glob(pattern: &str, program: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    glob::Pattern::new(pattern).is_ok_and(|p| p.matches_with(program, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob("kubectl", "kubectl"));
        assert!(glob("./deploy/*.sh", "./deploy/prod.sh"));
        assert!(glob("helm*", "helm3"));
        assert!(!glob("kubectl", "kubectl-evil"));
        assert!(!glob("./deploy/*.sh", "./deploy/prod.py"));
        assert!(glob("*", "anything"));
        assert!(!glob("./deploy/*", "./deploy/../../bin/sh"));
        assert!(!glob("[", "["), "a malformed glob grants nothing");
    }
}
