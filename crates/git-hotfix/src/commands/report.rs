use std::path::PathBuf;

use clap::{Args, ValueEnum};
use git_hotfix_core::views::incident;
use git_hotfix_core::views::report;
use minijinja::{Environment, UndefinedBehavior};

use crate::cli::Context;
use crate::error::{CommandError, Exit, Result};
use crate::ui::{EMPHASIS, paint};

/// Write an incident document from the hotfix's record: the post-incident review, the chat
/// message, the status page notice, the email to users
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub kind: Kind,
    /// The incident (default: the hotfix checked out, else the open one); a finished
    /// hotfix is found in its journal, or in the notes
    #[arg(long, value_name = "TICKET")]
    pub hotfix: Option<String>,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// What users saw, for the impact sections, e.g. `logins failed for 8% of users`
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,
    /// A template to use instead of `.hotfix/reports/<kind>.md` or the built-in one
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Post-incident review: summary, timeline, duration, impact, root cause, actions
    Pir,
    /// The message for the team's channel
    Internal,
    /// The resolved notice for the status page, with the window of impact
    StatusPage,
    /// The notice to affected users
    Email,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Pir => "pir",
            Kind::Internal => "internal",
            Kind::StatusPage => "status-page",
            Kind::Email => "email",
        }
    }

    /// The project's own words.
    fn builtin(self) -> &'static str {
        match self {
            Kind::Pir => include_str!("../../templates/reports/pir.md"),
            Kind::Internal => include_str!("../../templates/reports/internal.md"),
            Kind::StatusPage => include_str!("../../templates/reports/status-page.md"),
            Kind::Email => include_str!("../../templates/reports/email.md"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Markdown, from the template
    Md,
    /// The facts the templates are given, as JSON
    Json,
}

/// Where a team keeps its own templates, in the repository.
const TEMPLATES: &str = ".hotfix/reports";

pub fn cmd_report(context: &Context, args: ReportArgs) -> Result<Exit> {
    let ui = &context.ui;
    let repo = context.repo()?;
    let (journal, picked) = incident::select_recent(&repo, args.hotfix.as_deref())?;
    if picked {
        crate::commands::status::say_picked(context, &journal);
    }
    let facts = report::facts(&repo, &journal, args.impact.clone(), context.now)?;
    let text = match args.format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&facts).expect("serializable");
            text.push('\n');
            text
        }
        Format::Md => {
            let (source, origin) = template(context, &repo, args.kind, args.template.as_ref())?;
            render(&source, &origin, &facts)?
        }
    };
    match &args.output {
        Some(path) => {
            let path = context.cwd.join(path);
            git_hotfix_core::records::journal::write_atomically(&path, text.as_bytes())?;
            ui.status(
                "Wrote",
                format!(
                    "the {} of {} to {}",
                    args.kind.name(),
                    paint(EMPHASIS, &journal.ticket),
                    context.shown(&path.to_string_lossy())
                ),
            );
        }
        None if !ui.json_mode() => ui.raw(text.as_bytes()),
        None => {}
    }
    if ui.json_mode() {
        ui.json(&serde_json::json!({
            "kind": args.kind.name(),
            "facts": facts,
            "text": text,
            "output": args.output,
        }));
    }
    Ok(Exit::Ok)
}

/// The template for `kind`: `--template`, else the repository's (in the worktree, else as
/// committed where `.hotfix.toml` was read from), else the built-in one; with where it came
/// from, for errors.
fn template(
    context: &Context,
    repo: &git_hotfix_core::Repo,
    kind: Kind,
    chosen: Option<&PathBuf>,
) -> Result<(String, String)> {
    if let Some(path) = chosen {
        let path = context.cwd.join(path);
        let text = std::fs::read_to_string(&path).map_err(|err| {
            CommandError::new(
                Exit::Error,
                format!("could not read the template {}: {err}", path.display()),
            )
        })?;
        return Ok((text, path.display().to_string()));
    }
    let path = format!("{TEMPLATES}/{}.md", kind.name());
    let config = context.config(repo)?;
    match config.repository_file(repo, &path)? {
        Some(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                CommandError::new(Exit::Error, format!("the template {path} is not UTF-8"))
            })?;
            Ok((text, path))
        }
        None => Ok((
            kind.builtin().to_string(),
            format!("the built-in {} template", kind.name()),
        )),
    }
}

/// Render a Jinja template; a mistake in it (syntax, a name the facts do not have) is an
/// error that names the template and the line.
fn render(source: &str, origin: &str, facts: &report::Facts) -> Result<String> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let failed = |err: minijinja::Error| {
        let line = err
            .line()
            .map(|l| format!(", line {l}"))
            .unwrap_or_default();
        CommandError::new(
            Exit::Error,
            format!(
                "{origin}{line}: {}",
                err.detail().unwrap_or(&err.to_string())
            ),
        )
        .hint("`git hotfix report <kind> --format json` shows the facts a template can use")
    };
    env.add_template("report", source).map_err(failed)?;
    env.get_template("report")
        .and_then(|t| t.render(minijinja::Value::from_serialize(facts)))
        .map_err(failed)
}
