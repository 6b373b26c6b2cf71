//! The bridge to GitHub: settings and token resolved for this repository, a tokio runtime
//! for the async client, retries told to the person waiting, labels given their colours.

use std::future::Future;

use git_hotfix_core::git::repo::Repo;
use git_hotfix_core::records::journal::{EventKind, Journal, Released, Store};
use git_hotfix_core::settings::config::Config;
use git_hotfix_github::{
    DEFAULT_API_URL, GitHub, Label, Lookup, ReleaseOutcome, ReleaseSpec, Repository, Request,
    RetryPolicy, web_host,
};

use git_hotfix_core::engine;
use git_hotfix_core::records::run::{OpenedPull, PullRequest, Step, Steps};
use git_hotfix_core::{Error as CoreError, Result as CoreResult};
use git_hotfix_github::PullSpec;

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};

/// Where the token goes: the API the user chose (`GITHUB_API_URL`, then git config or `-c`),
/// else api.github.com. An `api-url` in the committed `.hotfix.toml` is someone else's word:
/// it counts only when the user's own settings say the same, and it is refused, never
/// silently replaced, when they do not.
fn api_url(config: &Config) -> Result<String> {
    let chosen = std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| config.github.api_url.clone());
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    match (chosen, &config.github.committed_api_url) {
        (Some(chosen), _) => Ok(chosen),
        (None, Some(committed)) if !same(committed, DEFAULT_API_URL) => {
            let file = config
                .file
                .as_ref()
                .map_or(".hotfix.toml".to_string(), |f| f.to_string());
            Err(CommandError::new(
                Exit::Error,
                format!(
                    "{file} says `[github] api-url = \"{committed}\"`, and the GitHub token is sent only to an API you chose yourself"
                ),
            )
            .hint(format!(
                "if that is your GitHub, confirm it outside the repository: `git config --global hotfix.github.apiUrl {committed}` (or GITHUB_API_URL={committed}, or `-c github.api-url={committed}`)"
            )))
        }
        _ => Ok(DEFAULT_API_URL.to_string()),
    }
}

/// A connected (or, for `--plan`, recording) GitHub client and the runtime it runs on.
pub struct Forge {
    pub github: GitHub,
    runtime: tokio::runtime::Runtime,
}

impl Forge {
    /// The GitHub of `repo`: its API URL from `GITHUB_API_URL` or `[github] api-url`, the
    /// repository from `[github] repository` or the remote's URL, the token from the
    /// environment or `gh`. With `plan`, nothing is sent and no token is needed.
    pub fn connect(context: &Context, repo: &Repo, config: &Config, plan: bool) -> Result<Forge> {
        let api_url = api_url(config)?;
        let repository = repository(repo, config)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CommandError::new(Exit::Error, format!("could not start tokio: {e}")))?;
        // octocrab's client starts its workers on the runtime it is built in.
        let _entered = runtime.enter();
        let github = if plan {
            GitHub::plan(repository)
        } else {
            let host = web_host(&api_url).unwrap_or_else(|| "github.com".into());
            let env = |name: &str| std::env::var(name).ok();
            let token = Lookup {
                env: &env,
                host: &host,
            }
            .token()?;
            git_hotfix_core::foundation::redact::register(token.expose());
            let retry = RetryPolicy::default();
            let mut github = GitHub::connect(&api_url, &token, repository, retry)?;
            let ui = context.ui.clone();
            let attempts = retry.attempts;
            github.on_retry(move |retry| {
                ui.warn(format!(
                    "GitHub answered {} with {}; trying again in {}s (attempt {} of {attempts})",
                    retry.request,
                    retry.reason,
                    retry.wait.as_secs_f32(),
                    retry.attempt
                ))
            });
            github
        };
        drop(_entered);
        Ok(Forge { github, runtime })
    }

    /// Run one GitHub operation to its end.
    pub fn run<T>(
        &self,
        operation: impl Future<Output = git_hotfix_github::Result<T>>,
    ) -> Result<T> {
        Ok(self.runtime.block_on(operation)?)
    }

    /// Publish (or bring up to date) the GitHub release of `released`, a tag that is on the
    /// remote already, and remember its page in the journal.
    pub fn publish_release(
        &self,
        context: &Context,
        repo: &Repo,
        config: &Config,
        journal: &mut Journal,
        released: Released,
    ) -> Result<ReleaseOutcome> {
        let spec = ReleaseSpec {
            name: released.tag.clone(),
            body: released
                .notes
                .unwrap_or_else(|| format!("{}: {}\n", journal.ticket, journal.description)),
            // A fix to an older line leaves the repository's latest release where it is.
            make_latest: git_hotfix_core::operations::release::is_latest(repo, config, journal)?,
            tag: released.tag,
        };
        let outcome = self.run(self.github.ensure_release(&spec)).map_err(|err| {
            err.hint(format!(
                "the tag is pushed; `git hotfix finish --release --hotfix {}` publishes its release",
                journal.ticket
            ))
        })?;
        if let Some(url) = &outcome.url {
            let known = journal.events.iter().any(
                |e| matches!(&e.what, EventKind::ReleasePublished { url: known, .. } if known == url),
            );
            if !known {
                let what = EventKind::ReleasePublished {
                    tag: spec.tag.clone(),
                    url: url.clone(),
                };
                Store::new(repo).append(journal, context.now, what)?;
            }
        }
        Ok(outcome)
    }

    /// The requests a `--plan` client recorded, as lines for people.
    pub fn planned_lines(&self) -> Vec<String> {
        self.github
            .planned()
            .iter()
            .map(|r: &Request| match &r.body {
                Some(body) => format!("{} {}", r.line(), body),
                None => r.line(),
            })
            .collect()
    }
}

/// The forge a stopped run needs to go on or be taken back: connected when one of its
/// steps opens a pull request.
pub fn for_steps(context: &Context, repo: &Repo, steps: &Steps) -> Result<Option<Forge>> {
    if !steps.0.iter().any(|r| matches!(r.step, Step::Pull { .. })) {
        return Ok(None);
    }
    let config = context.config(repo)?;
    let forge = Forge::connect(context, repo, &config, false)?;
    forge.run(forge.github.check_access())?;
    Ok(Some(forge))
}

/// The engine's calls to GitHub, for the runs that open pull requests.
impl engine::Forge for Forge {
    fn ensure_pull(&self, request: &PullRequest) -> CoreResult<OpenedPull> {
        let outcome = self
            .run(self.github.ensure_pull(&spec(request)))
            .map_err(forge_error)?;
        let pull = outcome.pull.ok_or_else(|| {
            forge_error(CommandError::new(
                Exit::Error,
                "GitHub opened no pull request",
            ))
        })?;
        Ok(OpenedPull {
            number: pull.number,
            url: pull.url,
            created: outcome.created,
            changes: outcome.changes,
            warnings: outcome.warnings,
        })
    }

    fn open_pull(&self, head: &str, base: &str) -> CoreResult<Option<u64>> {
        let pull = self
            .run(self.github.open_pull(head, base))
            .map_err(forge_error)?;
        Ok(pull.map(|p| p.number))
    }

    fn close_pull(&self, number: u64) -> CoreResult<()> {
        self.run(self.github.close_pull(number))
            .map_err(forge_error)
    }
}

/// A run's pull request as GitHub's client takes it: its labels get their colours.
pub fn spec(request: &PullRequest) -> PullSpec {
    PullSpec {
        head: request.head.clone(),
        base: request.base.clone(),
        title: request.title.clone(),
        body: request.body.clone(),
        draft: request.draft,
        labels: request.labels.iter().map(|l| label(l)).collect(),
        reviewers: request.reviewers.clone(),
        assignees: request.assignees.clone(),
    }
}

fn forge_error(err: CommandError) -> CoreError {
    CoreError::Forge(Box::new(err))
}

/// `owner/name`: configured, or read from the remote's URL.
fn repository(repo: &Repo, config: &Config) -> Result<Repository> {
    if let Some(configured) = &config.github.repository {
        return Ok(Repository::parse(configured)?);
    }
    let url = repo.remote_url(&config.remote);
    match url.as_deref().and_then(Repository::from_remote_url) {
        Some((_, repository)) => Ok(repository),
        None => Err(CommandError::new(
            Exit::Error,
            match &url {
                Some(url) => format!(
                    "cannot tell the GitHub repository from remote `{}` ({url})",
                    config.remote
                ),
                None => format!(
                    "cannot tell the GitHub repository: remote `{}` is not configured",
                    config.remote
                ),
            },
        )
        .hint("name it in `.hotfix.toml` (`[github] repository = \"owner/name\"`) or with `-c github.repository=owner/name`")),
    }
}

/// A label as git-hotfix creates it when the repository lacks it.
pub fn label(name: &str) -> Label {
    let (color, description) = match name {
        "P0" => ("b60205", "Hotfix severity P0: security vulnerability"),
        "P1" => ("d93f0b", "Hotfix severity P1: production down"),
        "P2" => ("fbca04", "Hotfix severity P2: major bug"),
        "P3" => ("0e8a16", "Hotfix severity P3: business critical"),
        "hotfix" => ("d73a4a", "An emergency fix to production"),
        "backport" => ("5319e7", "A fix brought to an older release line"),
        "conflicts" => (
            "e99695",
            "Conflict markers committed: resolve before merging",
        ),
        _ => ("ededed", "Added by git-hotfix"),
    };
    Label {
        name: name.to_string(),
        color: color.to_string(),
        description: description.to_string(),
    }
}
