use std::path::PathBuf;

use clap::Args;
use git_hotfix_core::records::journal::{Assessed, EventKind, Store};
use git_hotfix_core::views::incident;
use git_hotfix_core::{Config, Repo};
use git_hotfix_plugin_host::{
    Answer, Assessment, DeployWindow, Incident, Question, QuestionKind, Severity, World,
};

use crate::cli::{Context, PlanArg};
use crate::error::{CommandError, Exit, Result};
use crate::policies;
use crate::ui::{EMPHASIS, paint};

/// Assess how urgent an incident is, with the severity policy
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// What happened, e.g. `auth bypass on login` (default: the current hotfix's description)
    #[arg(long)]
    pub title: Option<String>,
    /// More about it
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub incident: IncidentArgs,
    /// Record the assessment in the hotfix's journal (its clock starts from it)
    #[arg(long)]
    pub record: bool,
    /// The hotfix to assess (default: the one whose branch is checked out)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    #[command(flatten)]
    pub plan: PlanArg,
}

/// What the severity policy is told besides the title, shared by `assess` and `start --assess`.
#[derive(Debug, Args, Default)]
pub struct IncidentArgs {
    /// A label, e.g. `security`; repeatable
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// Answer one of the policy's questions, e.g. `--answer down=yes`; repeatable
    #[arg(long = "answer", value_name = "ID=VALUE", value_parser = crate::cli::key_value)]
    pub answers: Vec<(String, String)>,
    /// Answers from a TOML file (`down = "yes"`)
    #[arg(long = "answers", value_name = "FILE")]
    pub answers_file: Option<PathBuf>,
}

impl IncidentArgs {
    /// The incident the policy assesses; flags answer before the file does.
    pub fn incident(self, ticket: String, title: String, description: String) -> Result<Incident> {
        let mut answers = self.answers;
        if let Some(path) = &self.answers_file {
            answers.extend(answers_from(path)?);
        }
        Ok(Incident {
            ticket,
            title,
            description,
            labels: self.labels,
            answers: answers
                .into_iter()
                .map(|(id, value)| Answer { id, value })
                .collect(),
        })
    }
}

pub fn cmd_assess(context: &Context, args: AssessArgs) -> Result<Exit> {
    let ui = &context.ui;
    // Outside a repository the built-in policy still answers.
    let repo = context.repo().ok();
    let config = repo.as_ref().map(|r| context.config(r)).transpose()?;
    let journal = repo
        .as_ref()
        .and_then(|r| incident::select(r, args.hotfix.as_deref()).ok());
    if args.record && journal.is_none() {
        return Err(CommandError::new(
            Exit::Error,
            "--record needs a hotfix (in progress or open)",
        )
        .hint("run it on the hotfix branch, or name one with `--hotfix <ticket>`"));
    }
    let title = args
        .title
        .or_else(|| journal.as_ref().map(|j| j.description.clone()))
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            CommandError::usage("say what happened: `--title \"...\"`")
                .hint("on a hotfix branch the hotfix's description is used")
        })?;
    let incident = args.incident.incident(
        journal
            .as_ref()
            .map(|j| j.ticket.clone())
            .unwrap_or_default(),
        title,
        args.description.unwrap_or_default(),
    )?;
    let (assessment, by) = assess(context, repo.as_ref(), config.as_ref(), incident)?;

    let assessed = to_assessed(&assessment, &by);
    let recorded = args.record && !args.plan.plan;
    if recorded {
        let mut journal = journal.expect("checked above");
        let repo = repo.as_ref().expect("a journal means a repository");
        let store = Store::new(repo);
        let _lock = store.lock()?;
        journal.record(
            context.now,
            EventKind::Assessed {
                severity: assessed.severity.clone(),
                by: by.clone(),
            },
        );
        journal.assessment = Some(assessed.clone());
        store.save(&journal)?;
        crate::audit::share(context, repo, &journal);
    }
    if ui.json_mode() {
        ui.json(&serde_json::json!({ "assessment": assessed, "recorded": recorded }));
    } else {
        render(context, &assessed);
        if recorded {
            ui.status("Recorded", "in the hotfix's journal");
        }
    }
    Ok(Exit::Ok)
}

/// Run the severity policy on `incident`, asking its unanswered questions on a terminal.
pub fn assess(
    context: &Context,
    repo: Option<&Repo>,
    config: Option<&Config>,
    mut incident: Incident,
) -> Result<(Assessment, String)> {
    let host = policies::host(config, context.cache_home.clone())?;
    let policy = policies::policy(config, World::Severity);
    let plugin = policies::load(&context.ui, &host, repo, config, &policy)?;
    let questions = host
        .questions(&plugin)
        .map_err(policies::plugin_error)?
        .value;
    check_answers(
        &mut incident.answers,
        &questions,
        &policy.plugin.to_string(),
    )?;
    for question in questions {
        if incident.answers.iter().any(|a| a.id == question.id) {
            continue;
        }
        let answer = match &question.kind {
            QuestionKind::YesNo => context
                .ui
                .confirm(&question.prompt)
                .map(|yes| if yes { "yes" } else { "no" }.to_string()),
            QuestionKind::Choice(choices) => context
                .ui
                .select(&question.prompt, choices)
                .map(|i| choices[i].clone()),
            QuestionKind::Text => context.ui.prompt(&question.prompt),
        };
        if let Some(value) = answer {
            incident.answers.push(Answer {
                id: question.id,
                value,
            });
        }
    }
    let assessment = host
        .assess(&plugin, &incident)
        .map_err(policies::plugin_error)?
        .value;
    Ok((assessment, policy.plugin.to_string()))
}

/// Answers given on the command line or in a file must answer the policy's questions, in
/// the form each asks for: a typo (`--answer donw=yes`, `down=maybe`) would otherwise be
/// dropped without a word and turn a P0 into a P2. Yes/no answers are spelled `yes`/`no`.
fn check_answers(answers: &mut [Answer], questions: &[Question], policy: &str) -> Result<()> {
    let ids: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    for answer in answers.iter_mut() {
        let given = format!("--answer {}={}", answer.id, answer.value);
        let Some(question) = questions.iter().find(|q| q.id == answer.id) else {
            let mut error = CommandError::usage(format!(
                "{given}: the severity policy ({policy}) asks no question `{}`",
                answer.id
            ));
            if let Some(near) = ids
                .iter()
                .find(|id| strsim::damerau_levenshtein(id, &answer.id) <= 2)
            {
                error = error.hint(format!("did you mean `{near}`?"));
            }
            return Err(error.hint(if ids.is_empty() {
                "it asks no questions: leave out --answer".to_string()
            } else {
                format!("its questions: {}", ids.join(", "))
            }));
        };
        match &question.kind {
            QuestionKind::YesNo => {
                let value = answer.value.trim().to_ascii_lowercase();
                answer.value = match value.as_str() {
                    "yes" | "y" | "true" => "yes".into(),
                    "no" | "n" | "false" => "no".into(),
                    _ => {
                        return Err(CommandError::usage(format!(
                            "{given}: `{}` is answered yes or no ({})",
                            answer.id, question.prompt
                        )));
                    }
                };
            }
            QuestionKind::Choice(choices) => {
                if !choices.contains(&answer.value) {
                    return Err(CommandError::usage(format!(
                        "{given}: `{}` is answered with one of: {}",
                        answer.id,
                        choices.join(", ")
                    )));
                }
            }
            QuestionKind::Text => {}
        }
    }
    Ok(())
}

/// The policy's entry for a level a person chose (`start --severity P1`).
pub fn level(context: &Context, repo: &Repo, config: &Config, severity: &str) -> Result<Assessed> {
    let host = policies::host(Some(config), context.cache_home.clone())?;
    let policy = policies::policy(Some(config), World::Severity);
    let plugin = policies::load(&context.ui, &host, Some(repo), Some(config), &policy)?;
    let levels = host.levels(&plugin).map_err(policies::plugin_error)?.value;
    let chosen = chosen_level(&levels, severity).ok_or_else(|| {
        let names: Vec<String> = levels
            .iter()
            .map(|l| format!("{} ({})", severity_name(l.severity), l.label))
            .collect();
        CommandError::usage(format!("the severity policy has no level {severity}")).hint(format!(
            "its levels: {}; CRITICAL, HIGH, MEDIUM and LOW name P0 to P3",
            names.join(", ")
        ))
    })?;
    let mut assessed = to_assessed(chosen, &format!("--severity, {}", policy.plugin));
    assessed.reasons = vec![format!("set with --severity {severity}")];
    Ok(assessed)
}

/// The level `name` means: `P1`; the policy's own name for it (its label, `production
/// down`, or a scheme's `HIGH`); or the common four-level names, CRITICAL, HIGH, MEDIUM and
/// LOW for P0 to P3. Case does not matter.
fn chosen_level<'a>(levels: &'a [Assessment], name: &str) -> Option<&'a Assessment> {
    let name = name.trim();
    let common = match name.to_ascii_uppercase().as_str() {
        "CRITICAL" => Some(Severity::P0),
        "HIGH" => Some(Severity::P1),
        "MEDIUM" => Some(Severity::P2),
        "LOW" => Some(Severity::P3),
        _ => None,
    };
    levels
        .iter()
        .find(|l| severity_name(l.severity).eq_ignore_ascii_case(name))
        .or_else(|| levels.iter().find(|l| l.label.eq_ignore_ascii_case(name)))
        .or_else(|| common.and_then(|s| levels.iter().find(|l| l.severity == s)))
}

pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::P0 => "P0",
        Severity::P1 => "P1",
        Severity::P2 => "P2",
        Severity::P3 => "P3",
    }
}

fn window_name(window: DeployWindow) -> &'static str {
    match window {
        DeployWindow::Immediate => "immediate",
        DeployWindow::SameDay => "same-day",
        DeployWindow::NextBusinessDay => "next-business-day",
        DeployWindow::Scheduled => "scheduled",
    }
}

/// As the journal keeps it.
pub fn to_assessed(assessment: &Assessment, by: &str) -> Assessed {
    Assessed {
        severity: severity_name(assessment.severity).into(),
        label: assessment.label.clone(),
        response_minutes: assessment.response_minutes,
        deploy_window: window_name(assessment.deploy_window).into(),
        reasons: assessment.reasons.clone(),
        approvals_required: assessment.approvals_required,
        skip_staging_allowed: assessment.skip_staging_allowed,
        by: by.to_string(),
    }
}

/// `2h`, `24h`, `45m`.
pub fn duration_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

/// One line: `P0 · Critical: respond within 1h, deploy immediate`.
pub fn summary(assessed: &Assessed) -> String {
    format!(
        "{} · {}: respond within {}, deploy {}",
        assessed.severity,
        assessed.label,
        duration_text(assessed.response_minutes),
        assessed.deploy_window.replace('-', " ")
    )
}

fn render(context: &Context, assessed: &Assessed) {
    let ui = &context.ui;
    ui.out(format!(
        "{} · {}",
        paint(EMPHASIS, &assessed.severity),
        assessed.label
    ));
    let staging = if assessed.skip_staging_allowed {
        "staging may be skipped"
    } else {
        "through staging"
    };
    let approvals = match assessed.approvals_required {
        0 => "no approval required".to_string(),
        1 => "1 approval".to_string(),
        n => format!("{n} approvals"),
    };
    ui.out(format!(
        "  respond within {}, deploy {}, {staging}, {approvals}",
        duration_text(assessed.response_minutes),
        assessed.deploy_window.replace('-', " ")
    ));
    if !assessed.reasons.is_empty() {
        ui.out("  because:");
        for reason in &assessed.reasons {
            ui.out(format!("    - {reason}"));
        }
    }
    ui.out(format!("  (policy: {})", assessed.by));
}

fn answers_from(path: &PathBuf) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| CommandError::usage(format!("could not read {}: {err}", path.display())))?;
    let table: toml::Table = toml::from_str(&text).map_err(|err| {
        CommandError::usage(format!("{} is not TOML: {}", path.display(), err.message()))
    })?;
    Ok(table
        .into_iter()
        .map(|(id, value)| {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Boolean(true) => "yes".into(),
                toml::Value::Boolean(false) => "no".into(),
                other => other.to_string(),
            };
            (id, value)
        })
        .collect())
}
