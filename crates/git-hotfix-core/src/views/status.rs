//! `status`: where a hotfix stands and what `finish` would do next.

use gix::ObjectId;

use crate::foundation::error::Result;
use crate::git::repo::{CommitSummary, Repo};
use crate::operations::finish::{self, FinishPlan};
use crate::records::journal::Journal;
use crate::records::run::FinishOptions;
use crate::records::run::Run;
use crate::settings::config::Config;
use crate::views::incident::{self, Clock, Tick};

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct HotfixStatus {
    #[serde(flatten)]
    pub journal: Journal,
    /// The branch tip, when the branch still exists.
    #[serde(with = "crate::foundation::oid::hex_opt")]
    #[schemars(with = "Option<String>")]
    pub tip: Option<ObjectId>,
    /// Commits on the branch since its base (once finished, the fix's), newest first.
    pub commits: Vec<CommitSummary>,
    /// A run that stopped or was interrupted, waiting for `continue` or `abort`: its
    /// conflict, or its steps done and left.
    pub stopped: Option<Run>,
    /// What `finish` would do now, or why it would refuse; none while a run is stopped.
    pub finish: Option<FinishPreview>,
    /// The response clock, once the severity is known.
    pub clock: Option<Clock>,
    pub checklist: Vec<Tick>,
    /// The escalation ladder, read at the moment (`[[escalation]]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<crate::views::escalation::Rung>,
    /// Once finished: what production runs now, as deploys and rollbacks record it (none
    /// recorded: `None`), and whether that holds this hotfix's release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub production: Option<InProduction>,
    /// What the service itself says it runs (`[production-version]`), beside what the
    /// journals record production runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported: Option<crate::views::production::Reported>,
}

/// What production runs now, seen from one hotfix.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct InProduction {
    #[serde(flatten)]
    pub running: crate::views::deployed::Running,
    /// Whether it holds the hotfix's release; `None` when either tag is unknown here.
    pub holds_fix: Option<bool>,
    /// The feature flag `rollback --flag` turned off since production was last verified:
    /// the release runs, the fix's feature does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flagged_off: Option<FlaggedOff>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct FlaggedOff {
    pub flag: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum FinishPreview {
    Plan { plan: Box<FinishPlan> },
    Refused { reason: String },
}

pub fn of(
    repo: &Repo,
    config: &Config,
    journal: Journal,
    version_files: Option<&dyn crate::settings::policy::VersionFiles>,
    service: &dyn crate::views::production::Service,
    now: jiff::Timestamp,
) -> Result<HotfixStatus> {
    let checklist = incident::checklist(repo, &journal, &config.escalation)?;
    let clock = Clock::of(&journal, now);
    let escalations = crate::views::escalation::ladder(&config.escalation, &journal, now);
    let tip = repo.branch_tip(&journal.branch)?;
    let commits = match tip {
        Some(tip) if journal.state == crate::records::journal::State::Active => {
            repo.commit_summaries(journal.base.commit(), tip)?
        }
        // Finished: the fix as it was released, its branch gone or not.
        _ => crate::records::fix::fix_commits(repo, &journal)?
            .into_iter()
            .rev()
            .map(|c| CommitSummary {
                id: c.id,
                summary: c.summary,
            })
            .collect(),
    };
    let stopped = journal.run.clone();
    let finish = match (&journal.state, &stopped) {
        (crate::records::journal::State::Active, None) => {
            // Computed in memory: status never writes.
            let mem = repo.in_memory();
            let plan = finish::plan(
                repo,
                &mem,
                config,
                &journal,
                &FinishOptions::default(),
                &finish::Prior::default(),
                version_files,
            );
            Some(match plan {
                Ok(plan) => FinishPreview::Plan {
                    plan: Box::new(plan),
                },
                Err(err) => FinishPreview::Refused {
                    reason: err.to_string(),
                },
            })
        }
        _ => None,
    };
    let production = match journal.state {
        crate::records::journal::State::Finished => crate::views::deployed::running(
            repo,
            config,
            &journal,
            crate::records::journal::PRODUCTION,
        )?
        .map(|(running, holds_fix)| InProduction {
            running,
            holds_fix,
            flagged_off: incident::flagged_off(&journal).map(|(at, flag)| FlaggedOff { flag, at }),
        }),
        _ => None,
    };
    let reported = crate::views::production::reported(config, service, || {
        Ok(
            crate::views::deployed::stack(repo, crate::records::journal::PRODUCTION)?
                .pop()
                .map(|running| running.version),
        )
    })?;
    Ok(HotfixStatus {
        journal,
        tip,
        commits,
        stopped,
        finish,
        clock,
        checklist,
        escalations,
        production,
        reported,
    })
}
