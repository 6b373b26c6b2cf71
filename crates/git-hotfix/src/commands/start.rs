use std::path::PathBuf;

use clap::Args;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::operations::start::{self, Checkout, StartRequest};

use crate::args::{IncidentArgs, PlanArg};
use crate::context::Context;
use crate::error::{CommandError, Exit, Result};
use crate::render::summary;
use crate::ui::{EMPHASIS, paint};
use crate::workflow::assess;
use git_hotfix_core::operations::remote::{self, Reach};

/// Start a hotfix: branch from what is in production, with the next patch version
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The ticket of the incident, e.g. ENG-1234 (under a branch-template of `{slug}`
    /// without `{ticket}` or `{version}`, the first word of the description: the hotfix
    /// goes by its slug)
    pub ticket: String,
    /// What the fix does, e.g. `fix auth bypass` (asked for on a terminal when missing)
    pub description: Vec<String>,
    /// Branch from this tag, branch or commit instead of the newest production release
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,
    /// The product to fix, in a repository with several
    #[arg(long, value_name = "NAME")]
    pub product: Option<String>,
    /// Release this version instead of the next patch
    #[arg(long = "version", value_name = "X.Y.Z")]
    pub release_version: Option<String>,
    /// Decide from local state: do not fetch production and its tags from the remote first
    /// (default: `offline` in settings, else fetch)
    #[arg(long)]
    pub offline: bool,
    /// Allow `--version` below the newest release of its line (a release meant to go out older)
    #[arg(long, requires = "release_version")]
    pub allow_older_version: bool,
    /// Number the release X.Y.Z-hotfix.N instead of bumping the patch
    #[arg(long, conflicts_with = "release_version")]
    pub pre_release: bool,
    /// Only create the branch; leave the current checkout alone
    #[arg(long, conflicts_with = "worktree")]
    pub no_checkout: bool,
    /// Check the branch out in a new linked worktree at PATH
    #[arg(long, value_name = "PATH")]
    pub worktree: Option<PathBuf>,
    /// How urgent it is: P0 (most urgent) to P3, CRITICAL, HIGH, MEDIUM or LOW, or the
    /// severity policy's own name for a level
    #[arg(long, value_name = "LEVEL", conflicts_with = "assess")]
    pub severity: Option<String>,
    /// Assess the severity with the policy (the description is the incident's title)
    #[arg(long)]
    pub assess: bool,
    #[command(flatten)]
    pub incident: IncidentArgs,
    /// When the incident was detected, for its clock: `20 minutes ago`, `14:03`, an RFC 3339
    /// time (default: now)
    #[arg(long, value_name = "WHEN")]
    pub detected_at: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

pub fn cmd_start(context: &Context, args: StartArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let config = context.config(&repo)?;
    let incident_given = !args.incident.labels.is_empty()
        || !args.incident.answers.is_empty()
        || args.incident.answers_file.is_some();
    if incident_given && !args.assess {
        return Err(CommandError::usage(
            "--label, --answer and --answers tell the severity policy about the incident",
        )
        .hint("add `--assess` to run it"));
    }
    let checkout = match (args.no_checkout, args.worktree) {
        (true, _) => Checkout::None,
        (false, Some(path)) => Checkout::Worktree(context.absolute(path)),
        (false, None) => Checkout::Switch,
    };
    let mut request = StartRequest {
        ticket: args.ticket,
        description: args.description.join(" "),
        from: args.from,
        product: args.product,
        version: args.release_version,
        allow_older: args.allow_older_version,
        hotfix_release: args.pre_release,
        checkout,
    };
    if request.lacks_description(&config)
        && let Some(answer) = ui.prompt("What does the fix do? (for the branch name and tag)")
    {
        request.description = answer;
    }
    let detected_at = args
        .detected_at
        .as_deref()
        .map(|text| crate::when::parse("--detected-at", text, context.now))
        .transpose()?;
    let reach = Reach {
        offline: args.offline,
        plan: args.plan.plan,
    };
    start::ensure_possible(&repo, &config, &request)?;
    let caught_up = remote::catch_up(
        &repo,
        &config,
        std::slice::from_ref(&config.production_branch),
        reach,
        context.ui.interactive(),
    )?;
    crate::render::remote::caught_up(context, caught_up.as_ref());
    let mut plan = start::plan(&repo, &config, &request)?;
    remote::ensure_tag_free(
        &repo,
        &config,
        &plan.tag,
        plan.version.next_patch().to_string(),
        reach,
    )?;
    plan.detected_at = detected_at;
    // Asked only once the plan holds, so nobody answers questions for a start that fails.
    plan.assessment = match (&args.severity, args.assess) {
        (Some(level), _) => Some(assess::level(context, &repo, &config, level)?),
        (None, true) => {
            let incident = args.incident.incident(
                plan.ticket.clone(),
                plan.description.clone(),
                String::new(),
            )?;
            Some(assess::assess(context, Some(&repo), Some(&config), incident)?.assessed)
        }
        (None, false) => None,
    };
    // A long-lived project has hundreds of such tags: one line, unless asked for each.
    match plan.ignored_tags.as_slice() {
        [] => {}
        [tag] => ui.warn(format!(
            "tag `{tag}` follows the tag pattern but is not semver; ignored"
        )),
        tags if context.verbose => {
            for tag in tags {
                ui.warn(format!(
                    "tag `{tag}` follows the tag pattern but is not semver; ignored"
                ));
            }
        }
        [first, second, rest @ ..] => ui.warn(format!(
            "{} tags follow the tag pattern but are not semver (`{first}`, `{second}`{}); ignored — `-v` lists them",
            rest.len() + 2,
            if rest.is_empty() { "" } else { ", …" }
        )),
    }

    if args.plan.plan {
        if ui.json_mode() {
            ui.json(&StartDocument {
                plan: &plan,
                executed: false,
                journal: None,
            });
        } else {
            ui.out(format!(
                "Would start hotfix {}",
                paint(EMPHASIS, &plan.ticket)
            ));
            describe(context, &plan);
        }
        return Ok(Exit::Ok);
    }

    let journal = start::execute(&repo, &plan, context.now)?;
    if ui.json_mode() {
        ui.json(&StartDocument {
            plan: &plan,
            executed: true,
            journal: Some(&journal),
        });
        return Ok(Exit::Ok);
    }
    ui.status(
        "Created",
        format!(
            "branch {} from {} ({})",
            paint(EMPHASIS, &plan.branch),
            plan.base.label(),
            short(plan.base.commit())
        ),
    );
    match &plan.checkout {
        Checkout::Switch => ui.status("Switched", format!("to {}", plan.branch)),
        Checkout::Worktree(path) => ui.status(
            "Checked out",
            format!("{} in {}", plan.branch, path.display()),
        ),
        Checkout::None => {}
    }
    ui.status(
        "Releasing",
        format!("{} as tag {}", plan.version, paint(EMPHASIS, &plan.tag)),
    );
    if let Some(assessed) = &plan.assessment {
        ui.status("Severity", summary(assessed));
    }
    ui.hint("commit the fix (with a regression test), then run `git hotfix finish`");
    Ok(Exit::Ok)
}

fn describe(context: &Context, plan: &start::StartPlan) {
    let ui = &context.ui;
    ui.out(format!("  branch   {}", plan.branch));
    ui.out(format!(
        "  base     {} ({}), {}",
        plan.base.label(),
        short(plan.base.commit()),
        plan.base_reason
    ));
    let after = plan
        .previous
        .as_ref()
        .map(|p| format!(" after {p}"))
        .unwrap_or_default();
    ui.out(format!(
        "  version  {}{after}, tag {}",
        plan.version, plan.tag
    ));
    let checkout = match &plan.checkout {
        Checkout::Switch => "switch this worktree to the branch".to_string(),
        Checkout::None => "create the branch only".to_string(),
        Checkout::Worktree(path) => format!("check the branch out in {}", path.display()),
    };
    ui.out(format!("  then     {checkout}"));
    if let Some(assessed) = &plan.assessment {
        ui.out(format!("  severity {}", summary(assessed)));
    }
}

/// `start`: the plan, and the journal of the hotfix it began.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct StartDocument<'a> {
    pub plan: &'a start::StartPlan,
    pub executed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<&'a git_hotfix_core::Journal>,
}

impl crate::document::Document for StartDocument<'_> {
    const NAME: &'static str = "start";
}
