use clap::Args;
use git_hotfix_core::foundation::names::BackportTemplate;

use crate::args::{OnConflictArg, PlanArg, branch_glob};
use crate::context::Context;
use crate::error::{Exit, Result};
use crate::render::backport::report;
use crate::workflow::backport::{Asked, execute};

/// Pick the fix onto release lines, each on a branch of its own, without a checkout
#[derive(Debug, Args)]
pub struct BackportArgs {
    /// Commits or ranges (`A..B`) to pick, oldest first (default: the current hotfix's commits)
    #[arg(value_name = "COMMIT|RANGE")]
    pub commits: Vec<String>,
    /// Pick the commits of this hotfix (in progress or finished)
    #[arg(long, value_name = "TICKET", conflicts_with = "commits")]
    pub hotfix: Option<String>,
    /// Pick what merged pull request N put on its base on GitHub, whichever way it merged
    /// (merge commit, squash, rebase), fetching the commits this clone lacks
    #[arg(long, value_name = "N", conflicts_with_all = ["commits", "hotfix"])]
    pub pull: Option<u64>,
    /// A target branch or glob (`release/*`); repeatable
    #[arg(long = "to", value_name = "BRANCH|GLOB", value_parser = branch_glob)]
    pub to: Vec<String>,
    /// Every maintained release line of .hotfix.toml
    #[arg(long, conflicts_with = "to")]
    pub maintained: bool,
    /// Each line receives the commits as picked onto the previous one (1.2 -> 1.3 -> ...)
    #[arg(long)]
    pub cascade: bool,
    /// Name of the backport branches, with `{target}` and `{name}` or `{ticket}` (default:
    /// `backport-branch-template`, else `backport/{target}/{name}`)
    #[arg(long, value_name = "TEMPLATE", value_parser = |text: &str| BackportTemplate::parse(text))]
    pub branch_template: Option<BackportTemplate>,
    /// Move the target branches themselves instead of making backport branches
    #[arg(long)]
    pub onto_target: bool,
    /// Pick merges relative to this parent (1-based), as `git cherry-pick -m`
    #[arg(long, value_name = "N")]
    pub mainline: Option<u32>,
    /// What a conflict does: pause there (default on a terminal), skip the line (default
    /// otherwise), abort before writing anything, or commit the conflict markers on the
    /// line's branch (with `--pr`, in a draft pull request labelled `conflicts`)
    #[arg(long, value_enum, value_name = "MODE")]
    pub on_conflict: Option<OnConflictArg>,
    /// Push each backport branch and open a pull request into its line on GitHub
    #[arg(long, conflicts_with = "onto_target")]
    pub pr: bool,
    /// Decide from local state: do not fetch the lines and their tags from the remote first
    /// (default: `offline` in settings, else fetch)
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_backport(context: &Context, args: BackportArgs) -> Result<Exit> {
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    match execute(context, &repo, &config, args.into())? {
        Some(outcome) => report(context, &outcome),
        None => Ok(Exit::Ok),
    }
}

impl From<BackportArgs> for Asked {
    fn from(args: BackportArgs) -> Asked {
        Asked {
            commits: args.commits,
            hotfix: args.hotfix,
            pull: args.pull,
            to: args.to,
            maintained: args.maintained,
            cascade: args.cascade,
            branch_template: args.branch_template,
            onto_target: args.onto_target,
            mainline: args.mainline,
            on_conflict: args.on_conflict.map(Into::into),
            pr: args.pr,
            offline: args.offline,
            plan: args.plan.plan,
            plan_fetches: false,
        }
    }
}
