//! `status`: where a hotfix stands and what `finish` would do next.

use gix::ObjectId;

use crate::config::Config;
use crate::error::Result;
use crate::finish::{self, FinishOptions, FinishPlan, Stage};
use crate::incident::{self, Clock, Tick};
use crate::journal::Journal;
use crate::repo::{CommitSummary, Repo};

#[derive(Debug, Clone, serde::Serialize)]
pub struct HotfixStatus {
    #[serde(flatten)]
    pub journal: Journal,
    /// The branch tip, when the branch still exists.
    #[serde(with = "crate::oid::hex_opt")]
    pub tip: Option<ObjectId>,
    /// Commits on the branch since its base (once finished, the fix's), newest first.
    pub commits: Vec<CommitSummary>,
    /// A stopped run, waiting for `continue` or `abort`.
    pub stopped: Option<Stage>,
    /// What `finish` would do now, or why it would refuse; none while a run is stopped.
    pub finish: Option<FinishPreview>,
    /// The response clock, once the severity is known.
    pub clock: Option<Clock>,
    pub checklist: Vec<Tick>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum FinishPreview {
    Plan { plan: Box<FinishPlan> },
    Refused { reason: String },
}

pub fn of(
    repo: &Repo,
    config: &Config,
    journal: Journal,
    version_files: Option<&dyn crate::policy::VersionFiles>,
    now: jiff::Timestamp,
) -> Result<HotfixStatus> {
    let checklist = incident::checklist(repo, &journal)?;
    let clock = Clock::of(&journal, now);
    let tip = repo.branch_tip(&journal.branch)?;
    let commits = match tip {
        Some(tip) if journal.state == crate::journal::State::Active => {
            repo.commit_summaries(journal.base.commit(), tip)?
        }
        // Finished: the fix as it was released, its branch gone or not.
        _ => incident::fix_commits(repo, &journal)?
            .into_iter()
            .rev()
            .map(|c| CommitSummary {
                id: c.id,
                summary: c.summary,
            })
            .collect(),
    };
    let stopped = journal.run.as_ref().map(|r| r.stage.clone());
    let finish = match (&journal.state, &stopped) {
        (crate::journal::State::Active, None) => {
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
    Ok(HotfixStatus {
        journal,
        tip,
        commits,
        stopped,
        finish,
        clock,
        checklist,
    })
}
