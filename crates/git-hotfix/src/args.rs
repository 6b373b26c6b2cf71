//! Arguments more than one command takes, and their parsers.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use git_hotfix_core::operations::backport::OnConflict;
use git_hotfix_core::operations::stopped::Which;
use git_hotfix_plugin_host::{Answer, Incident};

use crate::error::{CommandError, Result};

/// `--plan` (alias `--dry-run`) for commands that write.
#[derive(Debug, Default, Args)]
pub struct PlanArg {
    /// Show what would happen and write nothing
    #[arg(long, visible_alias = "dry-run")]
    pub plan: bool,
}

/// Which stopped run `continue`, `skip` and `abort` act on.
#[derive(Debug, Args)]
pub struct RunArg {
    /// The stopped finish of this hotfix (default: the only run stopped)
    #[arg(long, value_name = "TICKET", conflicts_with_all = ["backport", "patches"])]
    pub hotfix: Option<String>,
    /// The stopped backport
    #[arg(long, conflicts_with = "patches")]
    pub backport: bool,
    /// The stopped `patch apply`
    #[arg(long)]
    pub patches: bool,
}

impl RunArg {
    pub fn which(&self) -> Which<'_> {
        match &self.hotfix {
            Some(ticket) => Which::Finish(ticket),
            None if self.backport => Which::Backport,
            None if self.patches => Which::Patches,
            None => Which::Only,
        }
    }
}

pub fn key_value(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((key.trim().to_string(), value.to_string()))
}

/// What every action takes.
#[derive(Debug, Args)]
pub struct StepArgs {
    /// Answer the policy's confirmations yes (needed without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The incident (default: the hotfix checked out, else the open one)
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    /// Show the steps (and whether each is granted); run nothing
    #[arg(long, visible_alias = "dry-run")]
    pub plan: bool,
}

pub(crate) fn environment_name(text: &str) -> std::result::Result<String, String> {
    let valid = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(text.to_string())
    } else {
        Err("an environment is a lowercase name such as `staging` or `production`".into())
    }
}

/// What the severity policy is told besides the title, shared by `assess` and `start --assess`.
#[derive(Debug, Args, Default)]
pub struct IncidentArgs {
    /// A label, e.g. `security`; repeatable
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// Answer one of the policy's questions, e.g. `--answer down=yes`; repeatable
    #[arg(long = "answer", value_name = "ID=VALUE", value_parser = crate::args::key_value)]
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnConflictArg {
    Pause,
    Skip,
    Abort,
    Commit,
}

impl From<OnConflictArg> for OnConflict {
    fn from(arg: OnConflictArg) -> OnConflict {
        match arg {
            OnConflictArg::Pause => OnConflict::Pause,
            OnConflictArg::Skip => OnConflict::Skip,
            OnConflictArg::Abort => OnConflict::Abort,
            OnConflictArg::Commit => OnConflict::Commit,
        }
    }
}

/// `--to`, checked as `release-branches` is: a pattern git's matcher gives up on matches
/// nothing, silently.
pub fn branch_glob(text: &str) -> std::result::Result<String, String> {
    git_hotfix_core::foundation::names::BranchGlob::parse(text).map(|glob| glob.0)
}
