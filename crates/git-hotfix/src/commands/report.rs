use std::path::PathBuf;

use clap::{Args, ValueEnum};
use git_hotfix_core::operations::remote;
use git_hotfix_core::views::{incident, report};
use minijinja::{Environment, UndefinedBehavior};

use crate::context::Context;
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
    let config = context.config(&repo)?;
    // What production runs is what the report says: as every clone recorded it.
    if let Err(err) = remote::refresh_deploy_records(&repo, &config, false) {
        crate::render::remote::records_not_refreshed(context, &config.remote, &err);
    }
    let (journal, picked) = incident::select_recent(&repo, args.hotfix.as_deref())?;
    if picked {
        crate::render::say_picked(context, &journal);
    }
    let facts = report::facts(&repo, &config, &journal, args.impact.clone(), context.now)?;
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
            let path = context.absolute(path);
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
        ui.json(&ReportDocument {
            kind: args.kind.name(),
            facts: &facts,
            text: &text,
            output: args.output.as_deref(),
        });
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
        let path = context.absolute(path);
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

/// A block tag alone on its line (`{% if x %}`, `{% endfor %}`) takes its line with it,
/// indentation and newline; a tag inside a line of text leaves the line as written. Jinja's
/// `trim_blocks` would also eat the newline after an inline `{% endif %}`, joining that line
/// to the next. The newline goes into a comment, so that errors keep their line numbers.
fn standalone_tags(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        let body = line.trim();
        let one_tag =
            body.starts_with("{%") && body.ends_with("%}") && body.matches("{%").count() == 1;
        if one_tag && line.ends_with('\n') {
            out.push_str(body);
            out.push_str("{#\n#}");
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Render a Jinja template; a mistake in it (syntax, a name the facts do not have) is an
/// error that names the template and the line.
fn render(source: &str, origin: &str, facts: &report::Facts) -> Result<String> {
    let source = &standalone_tags(source);
    let mut env = Environment::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(source: &str) -> String {
        let source = standalone_tags(source);
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        env.add_template("t", &source).unwrap();
        env.get_template("t")
            .unwrap()
            .render(minijinja::context! { items => ["a", "b"], yes => true })
            .unwrap()
    }

    #[test]
    fn a_tag_alone_on_its_line_takes_the_line_and_an_inline_one_leaves_it() {
        // Standalone tags vanish with their lines, indented or not.
        assert_eq!(
            rendered("Items:\n{% for i in items %}\n  - {{ i }}\n  {% endfor %}\nEnd\n"),
            "Items:\n  - a\n  - b\nEnd\n"
        );
        // An inline `{% endif %}` keeps its newline, so the blank line after it stays.
        assert_eq!(
            rendered("Status: ok{% if yes %}, verified{% endif %}\n\n## Next\n"),
            "Status: ok, verified\n\n## Next\n"
        );
        // Errors keep their line numbers: the newline is still there, in a comment.
        let source = "a\n{% if yes %}\nb\n{% endif %}\n";
        assert_eq!(standalone_tags(source).matches('\n').count(), 4);
    }
}

/// `report`: the facts the report is written from, and the text written.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ReportDocument<'a> {
    pub kind: &'static str,
    pub facts: &'a report::Facts,
    pub text: &'a str,
    /// The file it went to (`--output`), if not stdout.
    pub output: Option<&'a std::path::Path>,
}

impl crate::document::Document for ReportDocument<'_> {
    const NAME: &'static str = "report";
}
