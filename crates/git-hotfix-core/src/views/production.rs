//! What production looks like when no hotfix is in progress — where a deploy runbook
//! starts: the production branch, the newest release (of each product), what each
//! environment runs as the journals and notes record it, and the last hotfixes.

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::Result;
use crate::foundation::version::Version;
use crate::git::repo::Repo;
use crate::git::tags::ReleaseTags;
use crate::records::journal::{PRODUCTION, STAGING, State, Store};
use crate::settings::config::{Config, ProductionVersion};
use crate::views::deployed::{self, Running};

/// How many finished hotfixes the overview names.
const RECENT: usize = 3;

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Production {
    pub branch: String,
    /// `None` when the branch does not exist (yet).
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub tip: Option<ObjectId>,
    /// The newest release tag, of each product in a monorepo.
    pub releases: Vec<Release>,
    /// What each environment runs; `None` when no deploy there is recorded.
    pub environments: Vec<(String, Option<Running>)>,
    /// The last hotfixes that ended, newest first.
    pub recent: Vec<Recent>,
    /// What the service itself says it runs (`[production-version]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported: Option<Reported>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Release {
    pub product: Option<String>,
    pub tag: String,
    pub version: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub commit: ObjectId,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Recent {
    pub ticket: String,
    pub version: String,
    pub state: &'static str,
    pub severity: Option<String>,
    /// When it was last written to: finished, deployed, verified.
    pub at: Option<Timestamp>,
}

pub fn read(repo: &Repo, config: &Config, service: &dyn Service) -> Result<Production> {
    let mut products: Vec<Option<&str>> = config
        .products
        .keys()
        .map(|name| Some(name.as_str()))
        .collect();
    if products.is_empty() {
        products.push(None);
    }
    let mut releases = Vec::new();
    for product in products {
        let settings = config.product(product)?.map(|(_, p)| p);
        let (pattern, _) = config.naming(settings);
        let tags = ReleaseTags::read(repo, pattern, product)?;
        if let Some(newest) = tags.tags.iter().max_by(|a, b| a.version.cmp(&b.version)) {
            releases.push(Release {
                product: product.map(str::to_string),
                tag: newest.name.clone(),
                version: newest.version.to_string(),
                commit: newest.commit,
            });
        }
    }
    let mut environments = Vec::new();
    for environment in config
        .staging
        .then_some(STAGING)
        .into_iter()
        .chain([PRODUCTION])
    {
        let running = deployed::stack(repo, environment)?.pop();
        environments.push((environment.to_string(), running));
    }
    let mut ended = Store::new(repo).ended()?;
    ended.sort_by_key(|j| std::cmp::Reverse(j.events.last().map(|e| e.at)));
    let recent = ended
        .into_iter()
        .take(RECENT)
        .map(|journal| Recent {
            state: match journal.state {
                State::Abandoned => "abandoned",
                _ => "finished",
            },
            severity: journal.assessment.as_ref().map(|a| a.level().to_string()),
            at: journal.events.last().map(|e| e.at),
            version: journal.version.to_string(),
            ticket: journal.ticket,
        })
        .collect();
    let reported = reported(config, service, || {
        Ok(environments
            .iter()
            .find(|(environment, _)| environment == PRODUCTION)
            .and_then(|(_, running)| running.as_ref().map(|r| r.version.clone())))
    })?;
    Ok(Production {
        tip: repo.branch_tip(&config.production_branch)?,
        branch: config.production_branch.clone(),
        releases,
        environments,
        recent,
        reported,
    })
}

/// What the service says it runs (`[production-version]`), beside what the journals record:
/// the record says what git-hotfix did, the service what is true.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Reported {
    pub url: String,
    /// The version the service reports; `None` when it could not be read.
    pub version: Option<String>,
    /// Why it could not be read: unreachable, an error status, not the shape configured.
    pub problem: Option<String>,
    /// What the journals record production runs, when a deploy is recorded.
    pub recorded: Option<String>,
    /// The two are the same version; `None` when either is unknown.
    pub agrees: Option<bool>,
}

/// Reading a URL's body: the CLI's HTTP client, or a test's.
pub trait Service {
    /// The body of a successful GET, or why there is none (a sentence).
    fn get(&self, url: &str) -> std::result::Result<String, String>;
}

/// Ask the service which version it runs, when the team says where and the settings allow
/// the network; compared with `recorded`, the version the journals say production runs
/// (read only then: it walks every journal).
pub fn reported(
    config: &Config,
    service: &dyn Service,
    recorded: impl FnOnce() -> Result<Option<String>>,
) -> Result<Option<Reported>> {
    let Some(source) = config
        .production_version
        .as_ref()
        .filter(|_| !config.offline)
    else {
        return Ok(None);
    };
    let recorded = recorded()?;
    let recorded = recorded.as_deref();
    let (version, problem) = match ask(service, source) {
        Ok(version) => (Some(version), None),
        Err(problem) => (None, Some(problem)),
    };
    let agrees = match (&version, recorded) {
        (Some(reported), Some(recorded)) => Some(same_version(reported, recorded)),
        _ => None,
    };
    Ok(Some(Reported {
        url: source.url.clone(),
        version,
        problem,
        recorded: recorded.map(str::to_string),
        agrees,
    }))
}

/// What verifying `environment` requires after the policy's steps: that the service
/// reports the release's version, when the team says where it says so (production only:
/// the setting is production's).
pub fn required<'a>(config: &'a Config, environment: &str) -> Option<&'a ProductionVersion> {
    config
        .production_version
        .as_ref()
        .filter(|_| environment == PRODUCTION)
}

/// How often `verify` asks the service while it waits for the release.
pub const ASK_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The version the service reports, or why it reports none.
pub fn ask(
    service: &dyn Service,
    source: &ProductionVersion,
) -> std::result::Result<String, String> {
    version_in(&service.get(&source.url)?, source)
}

/// The same version, however written (`v1.2.4`, `1.2.4`).
pub fn same_version(a: &str, b: &str) -> bool {
    let parse = |v: &str| Version::parse(v.strip_prefix('v').unwrap_or(v));
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// The version in a body, as `[production-version]` says where it is.
pub fn version_in(body: &str, source: &ProductionVersion) -> std::result::Result<String, String> {
    let found: String = if let Some(pointer) = &source.json_pointer {
        let json: serde_json::Value =
            serde_json::from_str(body).map_err(|err| format!("the answer is not JSON ({err})"))?;
        match json.pointer(pointer) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Number(number)) => number.to_string(),
            Some(other) => {
                return Err(format!(
                    "the answer holds {} at {pointer}, not a version",
                    shown(&other.to_string())
                ));
            }
            None => return Err(format!("the answer has nothing at {pointer}")),
        }
    } else if let Some(pattern) = &source.regex {
        // Checked when the settings were read.
        let regex = regex::Regex::new(pattern).map_err(|err| err.to_string())?;
        let captures = regex
            .captures(body)
            .ok_or_else(|| format!("the answer does not match `{pattern}`"))?;
        captures
            .get(1)
            .or_else(|| captures.get(0))
            .map_or("", |m| m.as_str())
            .to_string()
    } else {
        body.to_string()
    };
    let text = found.trim();
    match Version::parse(text.strip_prefix('v').unwrap_or(text)) {
        Some(version) => Ok(version.to_string()),
        None => Err(format!(
            "it reports {}, which is not a version",
            shown(text)
        )),
    }
}

/// Text from a service, as a sentence may quote it: one line, escaped, not too long.
fn shown(text: &str) -> String {
    const MOST: usize = 60;
    let escaped: String = text.escape_debug().collect();
    match escaped.char_indices().nth(MOST) {
        Some((cut, _)) => format!("\"{}…\"", &escaped[..cut]),
        None => format!("\"{escaped}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(pointer: Option<&str>, regex: Option<&str>) -> ProductionVersion {
        ProductionVersion {
            url: "https://app.example.com/version".into(),
            json_pointer: pointer.map(str::to_string),
            regex: regex.map(str::to_string),
            wait: crate::settings::config::Window::minutes(1),
        }
    }

    #[test]
    fn the_version_is_found_where_the_settings_say_and_nothing_else_passes_for_one() {
        let plain = source(None, None);
        assert_eq!(version_in("v1.2.4\n", &plain), Ok("1.2.4".into()));
        let json = source(Some("/build/version"), None);
        assert_eq!(
            version_in(r#"{"build": {"version": "1.2.4", "sha": "abc"}}"#, &json),
            Ok("1.2.4".into())
        );
        let regex = source(None, Some(r"version: (\S+)"));
        assert_eq!(
            version_in("status: ok\nversion: 2.0.1\n", &regex),
            Ok("2.0.1".into())
        );

        let said = |body: &str, how: &ProductionVersion| version_in(body, how).unwrap_err();
        assert_eq!(
            said(r#"{"build": {}}"#, &json),
            "the answer has nothing at /build/version"
        );
        assert!(said("<html>", &json).starts_with("the answer is not JSON"));
        assert_eq!(
            said(r#"{"build": {"version": true}}"#, &json),
            "the answer holds \"true\" at /build/version, not a version"
        );
        assert_eq!(
            said("status: ok", &regex),
            "the answer does not match `version: (\\S+)`"
        );
        // What a service says is quoted escaped and cut short.
        let hostile = format!("banana\x1b[2J{}", "x".repeat(100));
        let problem = said(&hostile, &plain);
        assert!(
            problem.starts_with("it reports \"banana\\u{1b}[2J"),
            "{problem}"
        );
        assert!(
            !problem.contains('\x1b') && problem.len() < 120,
            "{problem}"
        );
    }
}
