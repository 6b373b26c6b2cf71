//! What a policy is allowed beyond its arguments: for a deploy policy, the programs its
//! steps may run (argv[0] matching a granted glob) and the URLs they may call (under a
//! granted prefix), everything else refused before it runs, with no shell to escape
//! through; for any policy, the real clocks and real randomness, which are otherwise fixed.

use crate::Step;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Globs for argv[0] (`kubectl`, `./deploy/*.sh`); `*` and `?` as in a shell.
    pub commands: Vec<String>,
    /// URL prefixes (`https://status.example.com/health`): the same scheme, host and port,
    /// and a path under the prefix's, at a `/` boundary.
    pub http: Vec<String>,
    /// The real wall and monotonic clocks (otherwise fixed: see `sandbox`).
    pub clocks: bool,
    /// Real random bytes (otherwise a fixed stream).
    pub random: bool,
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
                if !self.http.iter().any(|grant| url_granted(grant, &check.url)) {
                    return Err(NotGranted::Url(check.url.clone()));
                }
            }
            Step::Wait(_) | Step::Confirm(_) => {}
        }
        Ok(())
    }
}

/// Whether `url` is under the granted prefix `grant`, compared as URLs rather than as
/// text: `http://127.0.0.1:18770@evil:80/` has the host `evil`, and `/api` does not grant
/// `/apix`. A URL carrying credentials is never granted.
fn url_granted(grant: &str, url: &str) -> bool {
    let (Ok(grant), Ok(url)) = (url::Url::parse(grant), url::Url::parse(url)) else {
        return false;
    };
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    let same_origin = grant.scheme() == url.scheme()
        && grant.host_str() == url.host_str()
        && grant.port_or_known_default() == url.port_or_known_default();
    let (prefix, path) = (grant.path(), url.path());
    let under = path == prefix
        || (path.starts_with(prefix)
            && (prefix.ends_with('/') || path[prefix.len()..].starts_with('/')));
    let query = grant.query().is_none_or(|q| url.query() == Some(q));
    same_origin && under && query
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
    fn urls_are_granted_by_origin_and_path_not_by_text() {
        let grant = "http://127.0.0.1:18770";
        assert!(url_granted(grant, "http://127.0.0.1:18770/health"));
        assert!(url_granted(grant, "http://127.0.0.1:18770"));
        assert!(!url_granted(
            grant,
            "http://127.0.0.1:18770@127.0.0.1:18771/health"
        ));
        assert!(!url_granted(grant, "http://127.0.0.1:187701/health"));
        assert!(!url_granted(grant, "https://127.0.0.1:18770/health"));
        assert!(!url_granted(grant, "http://user:pw@127.0.0.1:18770/health"));
        let api = "https://status.example.com/api";
        assert!(url_granted(api, "https://status.example.com/api/v1"));
        assert!(url_granted(api, "https://status.example.com:443/api"));
        assert!(!url_granted(api, "https://status.example.com/apix"));
        assert!(!url_granted(api, "https://status.example.com.evil.net/api"));
        assert!(url_granted(
            "https://status.example.com/",
            "https://status.example.com/anything"
        ));
        assert!(!url_granted("not a url", "https://status.example.com/"));
    }

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
