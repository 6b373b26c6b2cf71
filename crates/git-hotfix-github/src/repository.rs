//! Which repository on which server: `owner/name` from a remote's URL, the host from the
//! API's URL.

use std::fmt;

use crate::error::{Error, Result};

/// `owner/name` on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Repository {
    pub owner: String,
    pub name: String,
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Repository {
    /// `owner/name`, as written in config or on the command line.
    pub fn parse(value: &str) -> Result<Repository> {
        let bad = |why| Error::BadRepository {
            value: value.to_string(),
            why,
        };
        let (owner, name) = value.split_once('/').ok_or(bad("write it `owner/name`"))?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let valid = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !valid(owner) || !valid(name) {
            return Err(bad(
                "owner and name are letters, digits, `-`, `_` and `.`, written `owner/name`",
            ));
        }
        Ok(Repository {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    /// The repository a remote URL points at, in any of git's spellings:
    /// `https://host/owner/name(.git)`, `ssh://git@host[:port]/owner/name.git`,
    /// `git@host:owner/name.git`. `None` for a local path or a URL without `owner/name`.
    pub fn from_remote_url(url: &str) -> Option<(String, Repository)> {
        let url = url.trim().trim_end_matches('/');
        let (host, path) = if let Some((scheme, rest)) = url.split_once("://") {
            if !matches!(scheme, "https" | "http" | "ssh" | "git" | "git+ssh") {
                return None;
            }
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let host = host.split_once(':').map_or(host, |(h, _)| h);
            (host, path)
        } else {
            // scp-like: `[user@]host:path`, where the part before `:` has no `/`.
            let (authority, path) = url.split_once(':')?;
            if authority.contains('/') || path.starts_with("//") {
                return None;
            }
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            (host, path)
        };
        let path = path.trim_start_matches('/');
        let repository = Repository::parse(path).ok()?;
        (!host.is_empty()).then(|| (host.to_string(), repository))
    }
}

/// The web host behind an API URL, as the `gh` CLI names hosts: `api.github.com` serves
/// `github.com`; Enterprise serves its API under `https://host/api/v3`.
pub fn web_host(api_url: &str) -> Option<String> {
    let rest = api_url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host = authority.split_once(':').map_or(authority, |(h, _)| h);
    match host {
        "" => None,
        "api.github.com" => Some("github.com".into()),
        host => Some(host.strip_prefix("api.").unwrap_or(host).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(url: &str) -> Option<(String, String)> {
        Repository::from_remote_url(url).map(|(h, r)| (h, r.to_string()))
    }

    #[test]
    fn remote_urls_in_every_spelling() {
        let gh = |r: &str| Some(("github.com".to_string(), r.to_string()));
        assert_eq!(remote("https://github.com/acme/shop.git"), gh("acme/shop"));
        assert_eq!(remote("https://github.com/acme/shop"), gh("acme/shop"));
        assert_eq!(
            remote("https://ci:x@github.com/acme/shop/"),
            gh("acme/shop")
        );
        assert_eq!(
            remote("ssh://git@github.com/acme/shop.git"),
            gh("acme/shop")
        );
        assert_eq!(
            remote("ssh://git@github.com:22/acme/shop.git"),
            gh("acme/shop")
        );
        assert_eq!(remote("git@github.com:acme/shop.git"), gh("acme/shop"));
        assert_eq!(remote("github.com:acme/my.repo"), gh("acme/my.repo"));
        assert_eq!(
            remote("git@ghe.example.com:platform/api.git"),
            Some(("ghe.example.com".into(), "platform/api".into()))
        );
        assert_eq!(remote("/srv/git/shop.git"), None);
        assert_eq!(remote("file:///srv/git/acme/shop.git"), None);
        assert_eq!(remote("../origin.git"), None);
        assert_eq!(remote("https://github.com/acme"), None);
    }

    #[test]
    fn repositories_written_by_hand() {
        assert_eq!(
            Repository::parse("acme/shop").unwrap().to_string(),
            "acme/shop"
        );
        for bad in ["acme", "acme/", "/shop", "acme/sh op", "a/b/c"] {
            assert!(Repository::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_behind_api_urls() {
        assert_eq!(
            web_host("https://api.github.com").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            web_host("https://ghe.example.com/api/v3").as_deref(),
            Some("ghe.example.com")
        );
        assert_eq!(
            web_host("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(web_host("not a url"), None);
    }
}
