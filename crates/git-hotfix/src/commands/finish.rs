use clap::Args;
use git_hotfix_core::foundation::version::Version;
use git_hotfix_core::git::merge::Mode as MergeMode;
use git_hotfix_core::lifecycle;
use git_hotfix_core::lifecycle::finish::{FinishRequest, Flags, Ports, SettingsChanged};
use git_hotfix_core::operations::finish::begin::Begin;
use git_hotfix_core::operations::remote::Reach;
use git_hotfix_core::operations::tag;

use crate::args::PlanArg;
use crate::context::Context;
use crate::error::{Exit, Result};
use crate::forge::Access;
use crate::policies::Policies;
use crate::render;
use crate::steps::Checks;

/// Finish the hotfix: tag it, merge it into production (and develop), delete the branch;
/// or, with `--pr`, push it and open a pull request into production
#[derive(Debug, Default, Args)]
pub struct FinishArgs {
    /// Instead of merging here: put the release commit on the hotfix branch, push it, and
    /// open (or update) a pull request into production on GitHub (default: `[github] pr`)
    #[arg(long, conflicts_with_all = ["no_pr", "no_tag", "no_backmerge", "keep", "push", "message"])]
    pub pr: bool,
    /// Merge here even when `[github] pr` is set
    #[arg(long)]
    pub no_pr: bool,
    /// Once the pull request `--pr` opened has merged on GitHub: fetch what merged, tag it,
    /// push the tag, catch the local production branch up and delete the hotfix branch
    #[arg(long, conflicts_with_all = ["pr", "no_pr", "draft", "no_backmerge", "push", "no_bump", "no_changelog", "changelog"])]
    pub after_merge: bool,
    /// Publish a GitHub release for the tag, with the changelog entry as its notes (default:
    /// `[github] release`); the tag must reach GitHub: with `--push` or `--after-merge`
    #[arg(long, conflicts_with_all = ["pr", "no_tag"])]
    pub release: bool,
    /// Open the pull request as a draft
    #[arg(long)]
    pub draft: bool,
    /// Do not create the release tag
    #[arg(long)]
    pub no_tag: bool,
    /// Do not merge the fix back into the develop branch
    #[arg(long)]
    pub no_backmerge: bool,
    /// Land the fix only by fast-forward: refuse if production moved, rather than make a
    /// merge commit (default: `merge` in settings, else `ff`)
    #[arg(long, conflicts_with_all = ["no_ff", "ff", "pr"])]
    pub ff_only: bool,
    /// Land the fix with a merge commit even when production has not moved
    #[arg(long, conflicts_with_all = ["ff", "pr"])]
    pub no_ff: bool,
    /// Fast-forward when production has not moved, else a merge commit (git's default)
    #[arg(long, conflicts_with = "pr")]
    pub ff: bool,
    /// Keep the hotfix branch
    #[arg(long)]
    pub keep: bool,
    /// Release without running the project's checks (`checks` in settings); the journal
    /// records it and `tested` stays unticked
    #[arg(long, conflicts_with = "after_merge")]
    pub no_checks: bool,
    /// Push the refs that moved and the tag, atomically, with leases on their old values
    #[arg(long)]
    pub push: bool,
    /// Do not move the version in the version files
    #[arg(long)]
    pub no_bump: bool,
    /// Do not add a changelog entry
    #[arg(long, conflicts_with = "changelog")]
    pub no_changelog: bool,
    /// The changelog entry's text (default: the `changelog-entry` template, or
    /// `<description> (<ticket>, <severity>)`)
    #[arg(long, value_name = "TEXT")]
    pub changelog: Option<String>,
    /// The tag message (default: the `tag-message` template, `Hotfix <version>: <description>`)
    #[arg(short, long, value_name = "MSG")]
    pub message: Option<String>,
    /// Release as this version instead of the one planned (when its tag was taken, say):
    /// the tag, the release commit and the journal follow
    #[arg(long, value_name = "X.Y.Z", conflicts_with_all = ["next", "after_merge"])]
    pub version: Option<String>,
    /// Release as the first version after the planned one, and after every release of its
    /// line, that no tag names
    #[arg(long, conflicts_with = "after_merge")]
    pub next: bool,
    /// Allow `--version` below the newest release of its line (a release meant to go out older)
    #[arg(long, requires = "version")]
    pub allow_older_version: bool,
    /// Decide from local state: do not fetch production, develop and the tags from the
    /// remote first (default: `offline` in settings, else fetch)
    #[arg(long)]
    pub offline: bool,
    /// The fix changes the team's settings (`.hotfix.toml`, a policy plugin) and that is
    /// meant: finish without asking (the plan shows each change, old and new)
    #[arg(long)]
    pub accept_settings: bool,
    /// The hotfix to finish (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_finish(context: &Context, args: FinishArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let plan = args.plan.plan;
    let request = args.request(context)?;
    let github = Access::new(context, &repo, &config);
    let mut accept = |asked: &SettingsChanged<'_>| render::finish::accept_settings(context, asked);
    let ports = Ports {
        github: &github,
        policies: &mut Policies::new(context, &repo, &config),
        checks: &mut Checks::new(ui),
        accept_settings: match ui.interactive() {
            true => Some(&mut accept),
            false => None,
        },
        said: &mut |said| render::finish::said(context, said, plan),
    };
    let finished = lifecycle::finish::finish(&repo, &config, &request, ports)?;
    render::finish::finished(context, &repo, &finished, &github)
}

impl FinishArgs {
    /// The flags, as the core takes them.
    fn request(&self, context: &Context) -> Result<FinishRequest<'_>> {
        let version = match (&self.version, self.next) {
            (Some(text), _) => Some(tag::Choice::Exactly(Version::parse_arg(text)?)),
            (None, true) => Some(tag::Choice::NextFree),
            (None, false) => None,
        };
        Ok(FinishRequest {
            begin: Begin {
                hotfix: self.hotfix.as_deref(),
                version,
                allow_older_version: self.allow_older_version,
                after_merge: self.after_merge,
                push: self.push,
                reach: Reach {
                    offline: self.offline,
                    plan: self.plan.plan,
                },
                progress: context.ui.interactive(),
                now: context.now,
            },
            pull_request: match (self.pr, self.no_pr) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            draft: self.draft,
            release: self.release,
            no_checks: self.no_checks,
            flags: Flags {
                no_tag: self.no_tag,
                no_backmerge: self.no_backmerge,
                keep: self.keep,
                no_bump: self.no_bump,
                no_changelog: self.no_changelog,
                changelog: self.changelog.clone(),
                message: self.message.clone(),
                merge: match (self.ff, self.ff_only, self.no_ff) {
                    (true, _, _) => Some(MergeMode::Ff),
                    (_, true, _) => Some(MergeMode::FfOnly),
                    (_, _, true) => Some(MergeMode::NoFf),
                    _ => None,
                },
                accept_settings: self.accept_settings,
            },
        })
    }
}
