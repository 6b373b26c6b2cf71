//! What production looks like when no hotfix is in progress — where a deploy runbook
//! starts: the production branch, the newest release (of each product), what each
//! environment runs as the journals and notes record it, and the last hotfixes.

use gix::ObjectId;
use jiff::Timestamp;

use crate::foundation::error::Result;
use crate::git::repo::Repo;
use crate::git::tags::ReleaseTags;
use crate::records::journal::{PRODUCTION, STAGING, State, Store};
use crate::settings::config::Config;
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

pub fn read(repo: &Repo, config: &Config) -> Result<Production> {
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
    Ok(Production {
        tip: repo.branch_tip(&config.production_branch)?,
        branch: config.production_branch.clone(),
        releases,
        environments,
        recent,
    })
}
