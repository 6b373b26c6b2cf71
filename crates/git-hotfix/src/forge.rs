//! The bridge to GitHub: settings and token resolved for this repository, a tokio runtime
//! for the async client, retries told to the person waiting, labels given their colours.

use std::future::Future;

use git_hotfix_core::git::repo::Repo;
use git_hotfix_core::lifecycle;
use git_hotfix_core::lifecycle::github::{
    Connect, GitHub as GitHubPort, MergeOutcome, ReleaseOutcome,
};
use git_hotfix_core::settings::config::{Config, MergeMethod};
use git_hotfix_github::{
    DEFAULT_API_URL, GitHub, Label, Lookup, ReleaseSpec, Repository, Request, RetryPolicy, web_host,
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
    /// The token's access was checked: it is asked of GitHub once.
    checked: std::cell::Cell<bool>,
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
        Ok(Forge {
            github,
            runtime,
            checked: std::cell::Cell::new(false),
        })
    }

    /// Run one GitHub operation to its end.
    pub fn run<T>(
        &self,
        operation: impl Future<Output = git_hotfix_github::Result<T>>,
    ) -> Result<T> {
        Ok(self.runtime.block_on(operation)?)
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

/// GitHub reached on the lifecycle's first need of it (most finishes never have one); the
/// client stays, for the command to show what a `--plan` recorded.
pub struct Access<'c> {
    context: &'c Context,
    repo: &'c Repo,
    config: &'c Config,
    connected: std::cell::OnceCell<Forge>,
}

impl<'c> Access<'c> {
    pub fn new(context: &'c Context, repo: &'c Repo, config: &'c Config) -> Access<'c> {
        Access {
            context,
            repo,
            config,
            connected: std::cell::OnceCell::new(),
        }
    }

    /// The same, with a client connected (and its access checked) already.
    pub fn with(
        context: &'c Context,
        repo: &'c Repo,
        config: &'c Config,
        forge: Option<Forge>,
    ) -> Access<'c> {
        let access = Access::new(context, repo, config);
        if let Some(forge) = forge {
            let _ = access.connected.set(forge);
        }
        access
    }

    /// The client, once the lifecycle asked for one.
    pub fn forge(&self) -> Option<&Forge> {
        self.connected.get()
    }

    /// The requests a `--plan` client recorded, as lines for people.
    pub fn planned_lines(&self) -> Vec<String> {
        self.forge().map(Forge::planned_lines).unwrap_or_default()
    }
}

impl Connect for Access<'_> {
    fn github(&self, plan: bool) -> CoreResult<&dyn GitHubPort> {
        if let Some(forge) = self.connected.get() {
            return Ok(forge);
        }
        let forge =
            Forge::connect(self.context, self.repo, self.config, plan).map_err(forge_error)?;
        Ok(self.connected.get_or_init(|| forge))
    }
}

/// The lifecycle's calls to GitHub, beyond the engine's.
impl GitHubPort for Forge {
    fn check_access(&self) -> CoreResult<()> {
        if !self.checked.get() {
            self.run(self.github.check_access()).map_err(forge_error)?;
            self.checked.set(true);
        }
        Ok(())
    }

    fn ensure_release(&self, release: &lifecycle::github::Release) -> CoreResult<ReleaseOutcome> {
        let spec = ReleaseSpec {
            tag: release.tag.clone(),
            name: release.name.clone(),
            body: release.body.clone(),
            make_latest: release.make_latest,
        };
        let outcome = self
            .run(self.github.ensure_release(&spec))
            .map_err(forge_error)?;
        Ok(ReleaseOutcome {
            url: outcome.url,
            created: outcome.created,
            changes: outcome.changes,
        })
    }

    fn rehearse_pull(&self, request: &PullRequest) -> CoreResult<()> {
        self.run(self.github.ensure_pull(&spec(request)))
            .map(drop)
            .map_err(forge_error)
    }

    fn pull_open_from(&self, head: &str, base: &str) -> CoreResult<Option<OpenedPull>> {
        let pull = self
            .run(self.github.open_pull(head, base))
            .map_err(forge_error)?;
        Ok(pull.map(|pull| OpenedPull {
            number: pull.number,
            url: pull.url,
            created: false,
            changes: Vec::new(),
            warnings: Vec::new(),
        }))
    }

    fn pull(&self, number: u64) -> CoreResult<Option<lifecycle::github::PullState>> {
        let state = self.run(self.github.pull(number)).map_err(forge_error)?;
        Ok(state.map(|s| lifecycle::github::PullState {
            number: s.number,
            url: s.url,
            state: s.state,
            merged: s.merged,
            merge_commit: s.merge_commit,
            merged_at: s.merged_at,
            base: s.base,
            head_sha: s.head_sha,
        }))
    }

    fn branch(&self, name: &str) -> CoreResult<Option<lifecycle::github::Branch>> {
        let branch = self.run(self.github.branch(name)).map_err(forge_error)?;
        Ok(branch.map(|b| lifecycle::github::Branch {
            name: b.name,
            protected: b.protected,
        }))
    }

    fn has_commit(&self, branch: &str, sha: &str) -> CoreResult<bool> {
        self.run(self.github.has_commit(branch, sha))
            .map_err(forge_error)
    }

    fn merge_into(&self, branch: &str, sha: &str, message: &str) -> CoreResult<MergeOutcome> {
        use git_hotfix_github::MergeOutcome as Answer;
        let answer = self
            .run(self.github.merge_into(branch, sha, message))
            .map_err(forge_error)?;
        Ok(match answer {
            Answer::Merged { sha } => MergeOutcome::Merged { sha },
            Answer::HasIt => MergeOutcome::HasIt,
            Answer::Conflict => MergeOutcome::Conflict,
            Answer::Refused { reason } => MergeOutcome::Refused { reason },
        })
    }

    fn ensure_branch(&self, name: &str, sha: &str) -> CoreResult<()> {
        self.run(self.github.ensure_branch(name, sha))
            .map(drop)
            .map_err(forge_error)
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
    GitHubPort::check_access(&forge)?;
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
        milestone: request.milestone,
        auto_merge: request.auto_merge.map(|method| match method {
            MergeMethod::Merge => git_hotfix_github::MergeMethod::Merge,
            MergeMethod::Squash => git_hotfix_github::MergeMethod::Squash,
            MergeMethod::Rebase => git_hotfix_github::MergeMethod::Rebase,
        }),
    }
}

/// A failure of the GitHub client, as the core's ports return it.
pub fn forge_error(err: CommandError) -> CoreError {
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
