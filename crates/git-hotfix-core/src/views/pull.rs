//! What a hotfix's pull request says: the title with its `[RELEASE][HOTFIX][P0]` tags,
//! the body with the sections reviewers of an emergency change look for, and the labels.
//! Filled from the journal, the assessment and the fix itself; what only a person knows is
//! left as a prompt in italics.

use crate::operations::backport::{PickStatus, SourcePull, Target};

use crate::foundation::error::Result;
use crate::foundation::oid::short;
use crate::git::repo::Repo;
use crate::operations::finish::propose::ProposePlan;
use crate::records::journal::Journal;
use crate::records::journal::TargetStatus;
use crate::records::run::Merged;
use crate::settings::config::Config;

/// A pull request's words, for any forge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct PullText {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
}

/// The levels of the default severity table, in order: the urgency checkboxes.
const LEVELS: &[(&str, &str, &str)] = &[
    (
        "P0",
        "security vulnerability",
        "respond within 2 hours, deploy immediately",
    ),
    (
        "P1",
        "production down",
        "respond within 4 hours, deploy the same day",
    ),
    (
        "P2",
        "major bug",
        "respond within 24 hours, deploy the next business day",
    ),
    (
        "P3",
        "business critical",
        "respond within 48 hours, scheduled release",
    ),
];

/// The text of `journal`'s pull request, as `plan` will push it.
pub fn hotfix(config: &Config, journal: &Journal, plan: &ProposePlan) -> PullText {
    let first = plan.commits.first().map(|c| c.summary.as_str());
    PullText {
        title: title(config, journal, first, &plan.base),
        body: body(config, journal, plan),
        labels: labels(config, journal),
    }
}

/// The hotfix's title from the `pr-title` template: `[RELEASE][HOTFIX][P0] ENG-1234: …`.
fn title(config: &Config, journal: &Journal, first_commit: Option<&str>, base: &str) -> String {
    let assessment = journal.assessment.as_ref();
    let severity = assessment.map(|a| a.level()).unwrap_or("");
    let mut tags = String::new();
    if assessment.is_some_and(|a| a.deploy_window == "immediate") {
        tags.push_str("[RELEASE]");
    }
    tags.push_str("[HOTFIX]");
    if !severity.is_empty() {
        tags.push_str(&format!("[{severity}]"));
    }
    // A hotfix started without a description is named by its first commit.
    let description = match (journal.description.as_str(), first_commit) {
        ("", Some(first)) => first.to_string(),
        ("", None) => journal.ticket.clone(),
        (description, _) => description.to_string(),
    };
    let title = config.github.pr_title.render(|name| match name {
        "tags" => tags.clone(),
        "ticket" => journal.ticket.clone(),
        "description" => description.clone(),
        "severity" => severity.to_string(),
        "version" => journal.version.to_string(),
        "product" => journal.product.clone().unwrap_or_default(),
        "branch" => journal.branch.clone(),
        "base" => base.to_string(),
        _ => String::new(),
    });
    title.trim().to_string()
}

/// The severity's label, then the configured ones.
fn labels(config: &Config, journal: &Journal) -> Vec<String> {
    let mut labels = Vec::new();
    if let Some(assessment) = &journal.assessment {
        labels.push(assessment.level().to_string());
    }
    for label in &config.github.labels {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }
    labels
}

/// The text of the pull request that proposes `target`'s backport branch: the original
/// title (the hotfix's, or the merged pull request's) behind `[Backport <line>]`, the
/// hotfix's labels plus `backport` (and `conflicts` when markers are committed; a plain
/// pull request's backport is no hotfix and gets no hotfix labels), and a body linking the
/// source pull request, its author and the commits.
pub fn backport(
    repo: &Repo,
    config: &Config,
    journal: Option<&Journal>,
    source: Option<&SourcePull>,
    target: &Target,
) -> Result<PullText> {
    let mut summaries = Vec::new();
    for record in &target.commits {
        summaries.push(repo.summary(record.source)?);
    }
    let source_pull = journal
        .and_then(|j| j.proposal.as_ref())
        .and_then(|p| p.pull.as_ref());
    let original = match (journal, summaries.as_slice()) {
        (None, _) if let Some(source) = source => source.title.clone(),
        (Some(journal), _) => {
            let base = journal
                .proposal
                .as_ref()
                .map_or(config.production_branch.as_str(), |p| p.base.as_str());
            title(config, journal, summaries.first().map(String::as_str), base)
        }
        (None, [one]) => one.clone(),
        (None, [first, rest @ ..]) => format!("{first} (and {} more)", rest.len()),
        (None, []) => target.branch.clone(),
    };
    let conflicted = target.status == TargetStatus::Conflict;
    let mut labels = match journal {
        Some(journal) => labels(config, journal),
        None => Vec::new(),
    };
    labels.push("backport".into());
    if conflicted {
        labels.push("conflicts".into());
    }
    let github = &config.github;
    let copied = match (&github.backport_copy_labels, source) {
        (Some(pattern), Some(source)) => source
            .labels
            .iter()
            .filter(|l| pattern.matches(l) && github.lines_asked_by(l).is_empty())
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    for label in github.backport_add_labels.iter().chain(&copied) {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }

    let mut body = String::new();
    let of = match (source_pull, journal, source) {
        (Some(pull), Some(journal), _) => format!("hotfix {} ({})", journal.ticket, pull.url),
        (None, Some(journal), _) => format!("hotfix {}", journal.ticket),
        (_, None, Some(source)) => match source.author.is_empty() {
            true => format!("#{} ({})", source.number, source.url),
            false => format!("#{} by @{} ({})", source.number, source.author, source.url),
        },
        _ => "the commits below".to_string(),
    };
    body.push_str(&format!("Backport of {of} to `{}`.\n\n", target.target));
    let mut commits = String::new();
    for (record, summary) in target.commits.iter().zip(&summaries) {
        let what = match (record.status, record.result) {
            (PickStatus::Picked, Some(result)) => format!("picked as {}", short(result)),
            (PickStatus::Conflict, Some(result)) => {
                format!("picked with conflicts as {}", short(result))
            }
            (PickStatus::Empty, _) => "already on the line".to_string(),
            _ => "not picked".to_string(),
        };
        commits.push_str(&format!("- {} {summary}: {what}\n", short(record.source)));
    }
    body.push_str("## Commits\n\n");
    body.push_str(&commits);
    if conflicted {
        body.push_str("\n## Conflicts\n\n");
        body.push_str(
            "The pick conflicted; the conflict markers are committed on this branch. \
             Resolve them here (and push) before merging:\n\n",
        );
        for path in &target.conflicts {
            body.push_str(&format!("- `{path}`\n"));
        }
    }
    body.push_str(&format!(
        "\n## Testing\n\n- [ ] CI passes on `{}`\n- [ ] {}\n",
        target.target,
        prompt("the fix verified on this line")
    ));

    // What the team's templates may name: the merged pull request, or the hotfix's.
    let (number, url) = match (source, source_pull) {
        (Some(source), _) => (source.number.to_string(), source.url.clone()),
        (None, Some(pull)) => (pull.number.to_string(), pull.url.clone()),
        (None, None) => (String::new(), String::new()),
    };
    let author = source.map(|s| s.author.clone()).unwrap_or_default();
    let value = |name: &str| match name {
        "line" => target.target.clone(),
        "title" => original.clone(),
        "number" => number.clone(),
        "author" => author.clone(),
        "url" => url.clone(),
        "branch" => target.branch.clone(),
        "commits" => commits.trim_end().to_string(),
        "default" => body.trim_end().to_string(),
        _ => String::new(),
    };
    let title = github.backport_pr_title.render(value);
    let body = match &github.backport_pr_body {
        Some(template) => format!("{}\n", template.render(value).trim_end()),
        None => body.clone(),
    };
    Ok(PullText {
        // A title is one line, whatever the template and the merged title hold.
        title: title.split_whitespace().collect::<Vec<_>>().join(" "),
        body,
        labels,
    })
}

/// The body of the pull request that brings a hotfix merged into production into
/// `develop`, from `branch` (at the hotfix), opened because `why`.
pub fn catch_up(
    journal: &Journal,
    merged: &Merged,
    develop: &str,
    branch: &str,
    remote: &str,
    why: &str,
) -> String {
    format!(
        "Hotfix {ticket} ({tag}) merged into `{base}` in #{number}; `{develop}` does not have it yet, and {why}. Merging this pull request brings it in, as a local `git hotfix finish` merges a hotfix back.\n\n\
         If GitHub shows conflicts, resolve them on this branch:\n\n\
         ```sh\n\
         git fetch {remote} {branch} {develop}\n\
         git switch {branch}\n\
         git merge {remote}/{develop}\n\
         # fix the files, `git add` them, `git commit`\n\
         git push {remote} {branch}\n\
         ```\n\n\
         ---\n\
         Opened by git-hotfix for {ticket} · {tag}\n",
        ticket = journal.ticket,
        tag = journal.tag,
        base = merged.base,
        number = merged.number,
    )
}

fn prompt(text: &str) -> String {
    format!("_{text}_")
}

/// The urgency checkboxes: the team's severity table, else the default one.
fn urgency_levels(config: &Config) -> Vec<(String, String, String)> {
    let Some(table) = &config.severity_levels else {
        return LEVELS
            .iter()
            .map(|(level, kind, clock)| (level.to_string(), kind.to_string(), clock.to_string()))
            .collect();
    };
    table
        .levels()
        .iter()
        .map(|level| {
            let mut clock = Vec::new();
            if let Some(within) = level.respond_within {
                clock.push(format!("respond within {}", String::from(within)));
            }
            if let Some(window) = level.deploy_window {
                clock.push(format!("deploy {}", window.as_str().replace('-', " ")));
            }
            (
                level.name.clone(),
                level.criteria.join(", "),
                clock.join(", "),
            )
        })
        .collect()
}

fn body(config: &Config, journal: &Journal, plan: &ProposePlan) -> String {
    let assessment = journal.assessment.as_ref();
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };

    line("## Urgency");
    line("");
    for (level, kind, clock) in urgency_levels(config) {
        let checked = assessment.is_some_and(|a| a.level() == level);
        let said: Vec<&str> = [kind.as_str(), clock.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        line(&format!(
            "- [{}] **{level}** {}",
            if checked { "x" } else { " " },
            said.join(": ")
        ));
    }
    match assessment {
        Some(a) => line(&format!(
            "\nAssessed {} ({}) by {}{}.",
            a.level(),
            a.label,
            a.by,
            if a.reasons.is_empty() {
                String::new()
            } else {
                format!(": {}", a.reasons.join("; "))
            }
        )),
        None => line(&format!(
            "\n{}",
            prompt("Not assessed: tick the level, or run `git hotfix assess --record`.")
        )),
    }
    line("");

    line("## Impact");
    line("");
    line(&format!(
        "- **Users affected:** {}",
        prompt("who, and how many?")
    ));
    line(&format!(
        "- **Severity kind:** {}",
        assessment.map_or_else(
            || prompt("security, outage, major bug…"),
            |a| a.label.clone()
        )
    ));
    line(&format!(
        "- **User impact:** {}",
        prompt("what users see, since when")
    ));
    line("");

    line("## Root cause");
    line("");
    match &plan.root_cause {
        Some(cause) => line(cause),
        None => line(&prompt(
            "How it happened (a `Root cause:` paragraph in the fix's commit message fills this in).",
        )),
    }
    line("");
    line("Why it was not caught:");
    for reason in [
        "missing test",
        "race condition",
        "external change",
        "recent regression",
        "other:",
    ] {
        line(&format!("- [ ] {reason}"));
    }
    line("");

    line("## The fix");
    line("");
    for commit in &plan.commits {
        line(&format!("- {} {}", short(commit.id), commit.summary));
    }
    if let Some(release) = &plan.release {
        for bump in &release.bumps {
            line(&format!("- {}: {} → {}", bump.path, bump.from, bump.to));
        }
        if let Some(entry) = &release.changelog {
            line(&format!("- {}: a new entry", entry.path));
        }
    }
    line("");
    line(&prompt("Why it works."));
    line("");

    if let Some(change) = &plan.settings {
        line("## Settings change");
        line("");
        line(&format!(
            "**This fix changes the team's settings** ({}): merged, they govern every later release and deploy. Review each change:",
            change
                .files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        line("");
        for key in &change.keys {
            line(&format!("- `{key}`"));
        }
        line("");
    }

    line("## Testing");
    line("");
    for check in [
        "the full test suite passes",
        "type check and build pass",
        "reproduced the issue before the fix",
        "verified the fix",
        "happy path and edge cases checked",
        "nothing new broken",
    ] {
        line(&format!("- [ ] {check}"));
    }
    line("");

    line("## Regression test");
    line("");
    let tests: Vec<&String> = plan.changed.iter().filter(|p| is_test(p)).collect();
    if tests.is_empty() {
        line(&prompt(
            "No test file changes in this fix: add a regression test, or say why there is none.",
        ));
    } else {
        for path in tests {
            line(&format!("- `{path}`"));
        }
    }
    line("");

    line("## Rollback plan");
    line("");
    line("- Revert: `git hotfix rollback --revert`, or revert this pull request's merge.");
    match &plan.previous_release {
        Some(tag) => line(&format!("- Redeploy the previous release: `{tag}`.")),
        None => line(&format!(
            "- {}",
            prompt("Which version to redeploy, or which feature flag to turn off.")
        )),
    }
    line("");

    line("## Deploy");
    line("");
    let staging = match assessment {
        Some(a) if a.skip_staging_allowed => format!(
            "staging skipped: {} goes straight to production (`git hotfix deploy`)",
            a.level()
        ),
        _ => "deployed to staging and verified (`git hotfix deploy staging`, `git hotfix verify`)"
            .to_string(),
    };
    for check in [
        staging.as_str(),
        "backup done",
        "rollback plan ready (above)",
        "alerts on",
        "people on call",
        "incident channel open",
    ] {
        line(&format!("- [ ] {check}"));
    }
    line("");

    line("## Monitoring");
    line("");
    for watch in [
        "error rates",
        "latency",
        "health endpoint",
        "support channels",
    ] {
        line(&format!("- [ ] {watch}"));
    }
    line("");
    line(
        "Watch for 15 to 30 minutes after the deploy, then through the monitoring period (2 to 4 hours).",
    );
    line("");
    line("---");
    line(&format!(
        "Opened by git-hotfix for {} · releases {} · from {}",
        journal.ticket,
        journal.version,
        journal.base.label()
    ));
    // For the machine that finishes it once merged (`git hotfix action`).
    line(&crate::records::carried::write(&plan.proposed(journal)));
    out
}

/// A path that looks like a test: under a test directory, or named like one.
fn is_test(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_test_dir = lower
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| matches!(dir, "test" | "tests" | "spec" | "specs" | "__tests__"));
    let stem = name.split('.').next().unwrap_or(name);
    in_test_dir
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || name.contains(".test.")
        || name.contains(".spec.")
}

#[cfg(test)]
mod tests {
    use super::is_test;

    #[test]
    fn test_files_are_recognised() {
        for path in [
            "tests/auth.rs",
            "src/__tests__/login.tsx",
            "app/auth_test.go",
            "test_login.py",
            "web/login.test.ts",
            "spec/models/user_spec.rb",
        ] {
            assert!(is_test(path), "{path}");
        }
        for path in ["src/auth.rs", "contest.txt", "latest/notes.md", "tests"] {
            assert!(!is_test(path), "{path}");
        }
    }
}
