//! Finding the token: `GITHUB_TOKEN`, `GH_TOKEN`, then the `gh` CLI's hosts file.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A GitHub token. It is shown nowhere: `Debug` and `Display` print where it came from.
#[derive(Clone)]
pub struct Token {
    secret: String,
    /// `GITHUB_TOKEN`, `GH_TOKEN`, or the hosts file's path.
    pub source: String,
}

impl Token {
    /// A token read from `source`; refused when it could not travel in an HTTP header.
    pub fn new(secret: &str, source: impl Into<String>) -> Result<Token> {
        let source = source.into();
        let secret = secret.trim();
        let problem = if secret.is_empty() {
            Some("nothing")
        } else if !secret.bytes().all(|b| b.is_ascii_graphic()) {
            Some("spaces or characters outside printable ASCII")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::MalformedToken {
                source_name: source,
                problem,
            });
        }
        Ok(Token {
            secret: secret.to_string(),
            source,
        })
    }

    /// The secret itself: for the request header, and for masking it wherever it might
    /// be shown. Never to print.
    pub fn expose(&self) -> &str {
        &self.secret
    }

    /// Whether `text` contains this token (for tests and for scrubbing).
    pub fn appears_in(&self, text: &str) -> bool {
        text.contains(&self.secret)
    }
}

/// What a server said, without the token this client sent: servers and proxies echo
/// request headers in their errors. (Everything else shaped like a token is masked where
/// git-hotfix shows or keeps text, by its one redaction; this client knows its own secret.)
pub(crate) fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    text.replace(secret, "[token hidden]")
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(from {})", self.source)
    }
}

/// Where to look for a token.
pub struct Lookup<'a> {
    /// The environment, as a function so tests need not touch the process's.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The host the API serves (`github.com` for `api.github.com`), as `gh` names it.
    pub host: &'a str,
}

impl Lookup<'_> {
    /// The first token found, in the order GitHub's own tools use.
    pub fn token(&self) -> Result<Token> {
        for name in ["GITHUB_TOKEN", "GH_TOKEN"] {
            if let Some(value) = (self.env)(name).filter(|v| !v.trim().is_empty()) {
                return Token::new(&value, name);
            }
        }
        let hosts = self.gh_hosts_file();
        if let Some(path) = &hosts
            && let Ok(text) = std::fs::read_to_string(path)
            && let Some(secret) = gh_token(&text, self.host)
        {
            return Token::new(&secret, path.display().to_string());
        }
        let mut looked = "GITHUB_TOKEN, GH_TOKEN".to_string();
        if let Some(path) = hosts {
            looked.push_str(&format!(", {} (host {})", path.display(), self.host));
        }
        Err(Error::NoToken { looked })
    }

    /// `gh` keeps its hosts in `$GH_CONFIG_DIR`, `$XDG_CONFIG_HOME/gh` or `~/.config/gh`.
    fn gh_hosts_file(&self) -> Option<PathBuf> {
        let env = |name: &str| (self.env)(name).filter(|v| !v.is_empty());
        let dir = env("GH_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| env("XDG_CONFIG_HOME").map(|d| Path::new(&d).join("gh")))
            .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config").join("gh")))?;
        Some(dir.join("hosts.yml"))
    }
}

/// The token `gh` stored for `host` in its `hosts.yml`: the host's own `oauth_token`, which
/// belongs to its active user. Newer `gh` versions keep tokens in the system keyring
/// instead; then there is none here.
fn gh_token(hosts_yml: &str, host: &str) -> Option<String> {
    let mut in_host = false;
    let mut host_indent = None;
    for line in hosts_yml.lines() {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            let key = content.trim_end().trim_end_matches(':');
            in_host = unquote(key) == host;
            host_indent = None;
            continue;
        }
        if !in_host {
            continue;
        }
        // Only the host's own keys, not those of `users:` below it.
        let level = *host_indent.get_or_insert(indent);
        if indent != level {
            continue;
        }
        if let Some(value) = content.strip_prefix("oauth_token:") {
            let value = unquote(value.trim());
            return (!value.is_empty()).then(|| value.to_string());
        }
    }
    None
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTS: &str = "\
github.com:
    users:
        octocat:
            oauth_token: gho_user_level
    git_protocol: https
    oauth_token: gho_active
    user: octocat
ghe.example.com:
    oauth_token: \"ghe_token\"
";

    #[test]
    fn the_hosts_file_gives_the_host_level_token() {
        assert_eq!(gh_token(HOSTS, "github.com").as_deref(), Some("gho_active"));
        assert_eq!(
            gh_token(HOSTS, "ghe.example.com").as_deref(),
            Some("ghe_token")
        );
        assert_eq!(gh_token(HOSTS, "other.example.com"), None);
        // Keyring users: no token in the file.
        assert_eq!(
            gh_token("github.com:\n    user: octocat\n", "github.com"),
            None
        );
    }

    #[test]
    fn the_environment_comes_first_then_gh() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.yml"), HOSTS).unwrap();
        let config_dir = dir.path().display().to_string();
        let env = |vars: &'static [(&'static str, &'static str)]| {
            let config_dir = config_dir.clone();
            move |name: &str| {
                if name == "GH_CONFIG_DIR" {
                    return Some(config_dir.clone());
                }
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let both = env(&[("GITHUB_TOKEN", "ghp_a"), ("GH_TOKEN", "ghp_b")]);
        let token = Lookup {
            env: &both,
            host: "github.com",
        }
        .token()
        .unwrap();
        assert_eq!(
            (token.expose(), token.source.as_str()),
            ("ghp_a", "GITHUB_TOKEN")
        );
        let gh_only = env(&[("GH_TOKEN", "ghp_b")]);
        let lookup = Lookup {
            env: &gh_only,
            host: "github.com",
        };
        assert_eq!(lookup.token().unwrap().expose(), "ghp_b");
        let none = env(&[]);
        let from_file = Lookup {
            env: &none,
            host: "github.com",
        }
        .token()
        .unwrap();
        assert_eq!(from_file.expose(), "gho_active");
        assert!(from_file.source.ends_with("hosts.yml"));
        assert!(!format!("{from_file:?}").contains("gho_active"));
        let missing = Lookup {
            env: &none,
            host: "nowhere.example.com",
        }
        .token()
        .unwrap_err()
        .to_string();
        assert!(missing.contains("GITHUB_TOKEN, GH_TOKEN"), "{missing}");
        assert!(missing.contains("host nowhere.example.com"), "{missing}");
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_without_showing_it() {
        let err = Token::new("ghp_abc def", "GITHUB_TOKEN")
            .unwrap_err()
            .to_string();
        assert!(err.contains("GITHUB_TOKEN"), "{err}");
        assert!(!err.contains("ghp_abc"), "{err}");
        assert!(Token::new("  ", "GH_TOKEN").is_err());
        assert_eq!(Token::new("ghp_x\n", "GH_TOKEN").unwrap().expose(), "ghp_x");
    }
}
