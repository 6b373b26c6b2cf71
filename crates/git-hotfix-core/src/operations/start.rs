//! `start`: choose the base and the version, then create the hotfix branch and its journal.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::foundation::error::{Error, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::names::BranchRole;
use crate::foundation::names::{self, BranchVars};
use crate::foundation::version::Version;
use crate::git::cli;
use crate::git::refs::{self, Edit, Value};
use crate::git::repo::{Base, Repo};
use crate::git::tags::{self, ReleaseTags};
use crate::records::journal::{Assessed, EventKind, Journal, SCHEMA, State, Store};
use crate::settings::config::Config;

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    pub ticket: String,
    pub description: String,
    pub from: Option<String>,
    pub product: Option<String>,
    pub version: Option<String>,
    /// Let `version` be below the newest release of its line (a release meant to go out older).
    pub allow_older: bool,
    /// Make `X.Y.Z-hotfix.N` instead of the next patch.
    pub hotfix_release: bool,
    pub checkout: Checkout,
}

/// Where the new branch gets checked out.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "mode", content = "path")]
pub enum Checkout {
    /// Switch the current worktree to the branch.
    #[default]
    Switch,
    /// Only create the branch.
    None,
    /// Check the branch out in a new linked worktree at this path.
    Worktree(PathBuf),
}

/// Everything `start` will do, computed before anything is written.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct StartPlan {
    pub ticket: String,
    pub description: String,
    pub product: Option<String>,
    pub branch: String,
    pub base: Base,
    /// Why this base: `--from`, the newest production tag, or the production tip.
    pub base_reason: &'static str,
    /// The newest release tag the base contains, which the version follows.
    pub previous: Option<String>,
    pub version: Version,
    pub tag: String,
    pub checkout: Checkout,
    /// Tags that follow the pattern but are not semver, left out of the version choice.
    pub ignored_tags: Vec<String>,
    /// How urgent it is, when known at start (`--severity`, `--assess`): the caller runs
    /// the severity policy after planning, so nothing is asked before the plan holds.
    pub assessment: Option<Assessed>,
    /// When the incident was detected, when it was before the start (`--detected-at`).
    pub detected_at: Option<Timestamp>,
}

impl StartRequest {
    /// The ticket and description the hotfix goes by. Under a branch template that tells
    /// hotfixes apart by `{slug}` alone (a team without tickets: `hotfix/{slug}`), every
    /// word given is the description, and the hotfix — its journal, `--hotfix` — goes by
    /// the description's slug (`critical-auth-fix`).
    /// Whether the hotfix still lacks a description worth asking for: never under a template
    /// that names hotfixes by what they fix, where the words given (one is enough) are it.
    pub fn lacks_description(&self, config: &Config) -> bool {
        let by_slug = config
            .product(self.product.as_deref())
            .map(|chosen| config.naming(chosen.map(|(_, p)| p)).1.names_by_slug())
            .unwrap_or(false);
        self.description.trim().is_empty() && !by_slug
    }

    pub fn names(&self, config: &Config) -> Result<(String, String)> {
        let chosen = config.product(self.product.as_deref())?;
        let (_, template) = config.naming(chosen.map(|(_, p)| p));
        if !template.names_by_slug() {
            let ticket = names::ticket(&self.ticket)?;
            return Ok((ticket, names::description(&self.description)?));
        }
        let words: Vec<&str> = [self.ticket.trim(), self.description.trim()]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect();
        let description = names::description(&words.join(" "))?;
        let ticket = names::ticket(&names::slug(&description))?;
        Ok((ticket, description))
    }
}

/// Refuse a start that cannot happen — a ticket or description that cannot name a branch,
/// a checkout that cannot happen (a bare repository to switch in, a dirty worktree, a
/// worktree path taken) — before anything, a fetch included, is done for it.
pub fn ensure_possible(repo: &Repo, config: &Config, request: &StartRequest) -> Result<()> {
    request.names(config)?;
    match &request.checkout {
        Checkout::Switch if repo.is_bare() => Err(Error::BareRepository { action: "switch" }),
        Checkout::Switch => {
            repo.ensure_index_unlocked()?;
            repo.ensure_clean()
        }
        Checkout::Worktree(path) if path.exists() && !is_empty_dir(path) => {
            Err(Error::FileExists { path: path.clone() })
        }
        _ => Ok(()),
    }
}

pub fn plan(repo: &Repo, config: &Config, request: &StartRequest) -> Result<StartPlan> {
    let (ticket, description) = request.names(config)?;
    let chosen = config.product(request.product.as_deref())?;
    let product = chosen.map(|(name, _)| name);
    let (pattern, template) = config.naming(chosen.map(|(_, p)| p));
    if pattern.uses_product() && product.is_none() {
        return Err(Error::ProductRequired {
            what: "--product",
            known: config.products.keys().cloned().collect(),
        });
    }

    ensure_possible(repo, config, request)?;

    let store = Store::new(repo);
    if let Some(existing) = store.load(&ticket)? {
        return Err(Error::HotfixInProgress {
            ticket,
            branch: existing.branch,
        });
    }

    let tags = ReleaseTags::read(repo, pattern, product)?;
    let production = &config.production_branch;
    // One history walk: from the base the user named, or from the production tip, whose
    // newest tag then is both the base and the release the version follows.
    let (base, base_reason, previous) = match &request.from {
        Some(rev) => {
            let base = repo.resolve(rev)?;
            let previous = tags.newest_reachable_from(repo, base.commit())?;
            (base, "--from", previous)
        }
        None => {
            let tip = repo.require_branch(production, BranchRole::Production)?;
            match tags.newest_reachable_from(repo, tip)? {
                Some(tag) => (
                    Base::Tag {
                        name: tag.name.clone(),
                        commit: tag.commit,
                    },
                    "the newest release tag on the production branch",
                    Some(tag),
                ),
                None => (
                    Base::Branch {
                        name: production.clone(),
                        commit: tip,
                    },
                    "the production branch (no release tag on it)",
                    None,
                ),
            }
        }
    };

    let version = match (&request.version, previous) {
        (Some(text), _) => Version::parse_arg(text)?,
        (None, Some(previous)) if request.hotfix_release => {
            previous.version.next_hotfix_release(tags.versions())
        }
        (None, Some(previous)) => previous.version.next_patch(),
        (None, None) => {
            return Err(Error::NoVersionTag {
                pattern: pattern.describe(product),
                from: base.label(),
                ignored: tags.not_semver.clone(),
            });
        }
    };
    let tag = tags::ensure_untagged(repo, &tags, pattern, product, &version)?;
    if !request.allow_older
        && let Some(newer) = tags.newer_in_line(&version, previous)
    {
        return Err(Error::VersionBelowReleased {
            version: version.to_string(),
            newest: newer.name.clone(),
        });
    }

    let slug = names::slug(&description);
    let branch = template.render(&BranchVars {
        ticket: &ticket,
        slug: &slug,
        product,
        version: &version,
    })?;
    if repo.branch_tip(&branch)?.is_some() {
        return Err(Error::BranchExists { name: branch });
    }

    Ok(StartPlan {
        ticket,
        description,
        product: product.map(str::to_string),
        branch,
        base,
        base_reason,
        previous: previous.map(|t| t.name.clone()),
        version,
        tag,
        checkout: request.checkout.clone(),
        ignored_tags: tags.not_semver.clone(),
        assessment: None,
        detected_at: None,
    })
}

/// Create the branch, record the journal and check the branch out. A failing checkout
/// takes the branch and the journal back, so a failed start leaves nothing behind.
pub fn execute(repo: &Repo, plan: &StartPlan, now: Timestamp) -> Result<Journal> {
    let store = Store::new(repo);
    let _lock = store.lock()?;
    let full = format!("{BRANCH_PREFIX}{}", plan.branch);
    let create = Edit {
        name: full.clone(),
        old: None,
        new: Some(Value::Object(plan.base.commit())),
    };
    refs::ensure_unlocked(repo, std::slice::from_ref(&create))?;
    let journal = journal_of(plan, now);
    refs::apply(
        repo,
        std::slice::from_ref(&create),
        &format!("hotfix start: {} from {}", plan.ticket, plan.base.label()),
    )?;
    let checked_out = store.save(&journal).and_then(|()| match &plan.checkout {
        Checkout::None => Ok(()),
        Checkout::Switch => {
            let workdir = repo.workdir().expect("checked in plan: not bare");
            cli::switch(workdir, &plan.branch)
        }
        Checkout::Worktree(path) => repo.add_worktree(path, &full),
    });
    if let Err(err) = checked_out {
        let _ = store.remove(&plan.ticket);
        let _ = refs::apply(repo, &[create.reversed()], "hotfix start: undo");
        return Err(err);
    }
    Ok(journal)
}

/// The journal of the hotfix `plan` starts, as it is once started.
pub(crate) fn journal_of(plan: &StartPlan, now: Timestamp) -> Journal {
    let worktree = match &plan.checkout {
        Checkout::Worktree(path) => Some(std::path::absolute(path).unwrap_or(path.clone())),
        _ => None,
    };
    let mut journal = Journal {
        schema: SCHEMA,
        ticket: plan.ticket.clone(),
        description: plan.description.clone(),
        product: plan.product.clone(),
        branch: plan.branch.clone(),
        base: plan.base.clone(),
        version: plan.version.clone(),
        tag: plan.tag.clone(),
        detected_at: plan.detected_at,
        worktree,
        state: State::Active,
        assessment: plan.assessment.clone(),
        events: Vec::new(),
        run: None,
        proposal: None,
        prepared: None,
        unpublished: None,
    };
    journal.record(
        now,
        EventKind::Started {
            base: plan.base.label(),
            commit: plan.base.commit(),
        },
    );
    if let Some(assessed) = &plan.assessment {
        journal.record(
            now,
            EventKind::Assessed {
                severity: assessed.level().to_string(),
                by: assessed.by.clone(),
            },
        );
    }
    journal
}

fn is_empty_dir(path: &std::path::Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}
