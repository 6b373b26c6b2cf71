//! What a GitHub Actions runner reads back from a step: step outputs (`$GITHUB_OUTPUT`),
//! the job summary (`$GITHUB_STEP_SUMMARY`) and annotations (workflow commands on stdout).
//! Outside a runner the files are not set and only the annotations print.

use std::io::Write;
use std::path::PathBuf;

use git_hotfix_core::foundation::redact::redact;

pub struct Runner {
    output: Option<PathBuf>,
    summary: Option<PathBuf>,
    /// `--json`: stdout holds the one document, so no annotations go there.
    annotations: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Level {
    Error,
    Warning,
}

impl Runner {
    /// A runner told nothing (`action --plan`): no outputs, no summary, no annotations.
    pub fn silent() -> Runner {
        Runner {
            output: None,
            summary: None,
            annotations: false,
        }
    }

    pub fn from_env(json: bool) -> Runner {
        let file = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Runner {
            output: file("GITHUB_OUTPUT"),
            summary: file("GITHUB_STEP_SUMMARY"),
            annotations: !json,
        }
    }

    /// Set step outputs: `name=value` lines, a value with a newline in git's heredoc form.
    pub fn outputs(&self, outputs: &[(&str, String)]) -> std::io::Result<()> {
        let Some(path) = &self.output else {
            return Ok(());
        };
        let mut text = String::new();
        for (name, value) in outputs {
            let value = redact(value);
            if value.contains('\n') {
                // A delimiter the value does not hold, or the value would end early.
                let mut delimiter = "GIT_HOTFIX_EOF".to_string();
                while value.contains(&delimiter) {
                    delimiter.push('_');
                }
                text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
            } else {
                text.push_str(&format!("{name}={value}\n"));
            }
        }
        append(path, &text)
    }

    /// Add `markdown` to the job's summary page.
    pub fn summary(&self, markdown: &str) -> std::io::Result<()> {
        match &self.summary {
            Some(path) => append(path, &format!("{}\n", redact(markdown))),
            None => Ok(()),
        }
    }

    /// An annotation on the run: shown on the workflow's page, not only in its log.
    pub fn annotate(&self, level: Level, title: &str, message: &str) {
        if !self.annotations {
            return;
        }
        let level = match level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        // The runner reads workflow commands from stdout, whatever else the step prints.
        let _ = writeln!(
            std::io::stdout().lock(),
            "::{level} title={}::{}",
            escape_property(&redact(title)),
            escape_data(&redact(message))
        );
    }
}

fn append(path: &PathBuf, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// A workflow command's message: `%`, CR and LF escaped, as the runner unescapes them.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_what_the_runner_unescapes() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a: b, c"), "a%3A b%2C c");
    }

    #[test]
    fn outputs_with_a_newline_use_a_delimiter() {
        let dir = std::env::temp_dir().join(format!("git-hotfix-runner-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("output");
        let runner = Runner {
            output: Some(path.clone()),
            summary: None,
            annotations: false,
        };
        runner
            .outputs(&[("success", "true".into()), ("text", "a\nb".into())])
            .unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        let mut lines = written.lines();
        assert_eq!(lines.next(), Some("success=true"));
        let opening = lines.next().unwrap();
        let delimiter = opening.strip_prefix("text<<").unwrap();
        assert_eq!(lines.collect::<Vec<_>>(), ["a", "b", delimiter]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
