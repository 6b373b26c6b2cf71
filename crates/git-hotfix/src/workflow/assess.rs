//! Assessing an incident with the severity policy: the questions it asks (on a terminal),
//! the answers checked, and a level chosen by hand (`--severity`) held against the policy's.

use git_hotfix_core::operations::assess as team;
use git_hotfix_core::records::journal::Assessed;
use git_hotfix_core::settings::severity::{CONTRACT_LEVELS, IncidentText};
use git_hotfix_core::{Config, Repo};
use git_hotfix_plugin_host::{
    Answer, Assessment, Host, Incident, Plugin, Question, QuestionKind, World,
};

use crate::context::Context;
use crate::error::{CommandError, Result};
use crate::policies;
use crate::render::{severity_name, window_name};

/// What the severity policy said, and the questions nobody answered (no terminal to ask
/// on, and no `--answer`): the verdict counts only what was said.
pub struct Judged {
    pub assessed: Assessed,
    pub unanswered: Vec<String>,
}

/// Run the severity policy on `incident`, asking its unanswered questions on a terminal;
/// the team's severity table, if it has one, names and times the answer.
pub fn assess(
    context: &Context,
    repo: Option<&Repo>,
    config: Option<&Config>,
    mut incident: Incident,
) -> Result<Judged> {
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
    let mut unanswered = Vec::new();
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
        match answer {
            Some(value) => incident.answers.push(Answer {
                id: question.id,
                value,
            }),
            None => unanswered.push(question.id),
        }
    }
    if !unanswered.is_empty() {
        context.ui.warn(format!(
            "the severity policy's question{} {} went unanswered (no terminal to ask on): the verdict counts only what was said; answer with `--answer <id>=<answer>`",
            if unanswered.len() == 1 { "" } else { "s" },
            unanswered.join(", ")
        ));
    }
    let by = policy.plugin.to_string();
    let assessment = host
        .assess(&plugin, &incident)
        .map_err(policies::plugin_error)?
        .value;
    let assessed = to_assessed(&assessment, &by);
    let assessed = match config.and_then(|c| c.severity_levels.as_ref()) {
        None => assessed,
        Some(table) => team::place(
            table,
            assessed,
            &levels(&host, &plugin, &by)?,
            &IncidentText {
                title: &incident.title,
                description: &incident.description,
                labels: &incident.labels,
            },
        ),
    };
    Ok(Judged {
        assessed,
        unanswered,
    })
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

/// The policy's entry for a level a person chose (`start --severity P1`, or the team's
/// `CRITICAL`).
pub fn level(context: &Context, repo: &Repo, config: &Config, severity: &str) -> Result<Assessed> {
    let host = policies::host(Some(config), context.cache_home.clone())?;
    let policy = policies::policy(Some(config), World::Severity);
    let plugin = policies::load(&context.ui, &host, Some(repo), Some(config), &policy)?;
    let by = format!("--severity, {}", policy.plugin);
    let levels = levels(&host, &plugin, &by)?;
    let table = config.severity_levels.as_ref();
    let mut chosen = team::choose(table, &levels, severity).ok_or_else(|| {
        let names: Vec<String> = match table {
            Some(table) => table
                .levels()
                .iter()
                .zip(CONTRACT_LEVELS)
                .map(|(level, contract)| match level.aliases.is_empty() {
                    true => format!("{} ({contract})", level.name),
                    false => format!(
                        "{} ({contract}; also {})",
                        level.name,
                        level.aliases.join(", ")
                    ),
                })
                .collect(),
            None => levels
                .iter()
                .map(|l| format!("{} ({})", l.severity, l.label))
                .collect(),
        };
        let common = match table {
            Some(_) => "the team's table in .hotfix.toml ([[severity-levels]])",
            None => "CRITICAL, HIGH, MEDIUM and LOW name P0 to P3",
        };
        CommandError::usage(format!("the severity policy has no level {severity}"))
            .hint(format!("its levels: {}; {common}", names.join(", ")))
    })?;
    chosen.by = by;
    chosen.reasons = vec![format!("set with --severity {severity}")];
    Ok(chosen)
}

/// The policy's entry for each level it uses, as the journal keeps them.
fn levels(host: &Host, plugin: &Plugin, by: &str) -> Result<Vec<Assessed>> {
    Ok(host
        .levels(plugin)
        .map_err(policies::plugin_error)?
        .value
        .iter()
        .map(|level| to_assessed(level, by))
        .collect())
}

/// As the journal keeps it.
fn to_assessed(assessment: &Assessment, by: &str) -> Assessed {
    Assessed {
        severity: severity_name(assessment.severity).into(),
        name: None,
        label: assessment.label.clone(),
        response_minutes: assessment.response_minutes,
        deploy_window: window_name(assessment.deploy_window).into(),
        reasons: assessment.reasons.clone(),
        approvals_required: assessment.approvals_required,
        skip_staging_allowed: assessment.skip_staging_allowed,
        by: by.to_string(),
    }
}
