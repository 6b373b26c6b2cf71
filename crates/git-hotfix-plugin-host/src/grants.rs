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

/// `*` matches any run of characters, `?` one character; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
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
    }
}
