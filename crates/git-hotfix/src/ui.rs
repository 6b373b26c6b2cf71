//! All terminal I/O: human text on stderr (results on stdout), one JSON document on stdout
//! with `--json`, colour only on a terminal and never with `NO_COLOR`, prompts only with a TTY.

use git_hotfix_core::foundation::redact::redact;
use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

use crate::document::{Document, ErrorBody, Printed};
use crate::error::{CommandError, Exit, Result};

#[derive(Clone)]
pub struct Ui {
    json: bool,
    quiet: bool,
    interactive: bool,
}

const VERB: Style = AnsiColor::Green.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default();
pub const EMPHASIS: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
/// The clock: in time, running short, late.
pub const GOOD: Style = AnsiColor::Green.on_default();
pub const SHORT: Style = AnsiColor::Yellow.on_default();
pub const LATE: Style = AnsiColor::Red.on_default().bold();

impl Ui {
    pub fn new(json: bool, quiet: bool) -> Ui {
        Ui {
            json,
            quiet,
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        }
    }

    pub fn json_mode(&self) -> bool {
        self.json
    }

    /// Whether a command's story is wanted: not with `--json` or `--quiet`.
    pub fn narrating(&self) -> bool {
        self.chatty()
    }

    /// Whether a person can answer a prompt: a TTY, and no `--json`.
    pub fn interactive(&self) -> bool {
        self.interactive && !self.json
    }

    fn chatty(&self) -> bool {
        !self.quiet && !self.json
    }

    /// A step that happened, cargo-style: `    Created hotfix/ENG-1234-fix`.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.chatty() {
            let message = clean(message);
            let _ = writeln!(anstream::stderr(), "{VERB}{verb:>12}{VERB:#} {message}");
        }
    }

    /// A line of human output (the result of `status`, a plan): stdout, not with `--json`.
    pub fn out(&self, text: impl std::fmt::Display) {
        if !self.json {
            // A closed pipe (`git hotfix status | head`) is not an error.
            let _ = writeln!(anstream::stdout(), "{}", clean(text));
        }
    }

    /// Live output of a program a deploy step runs: stderr, even with `--json` (stdout
    /// carries the document).
    pub fn progress(&self, text: impl std::fmt::Display) {
        if !self.quiet {
            let text = clean(text);
            let _ = writeln!(anstream::stderr(), "{DIM}{text}{DIM:#}");
        }
    }

    /// Advice on what to do next.
    pub fn hint(&self, text: impl std::fmt::Display) {
        if self.chatty() {
            let text = clean(text);
            let _ = writeln!(anstream::stderr(), "{HINT}hint:{HINT:#} {text}");
        }
    }

    pub fn warn(&self, text: impl std::fmt::Display) {
        if !self.quiet {
            let text = clean(text);
            let _ = writeln!(anstream::stderr(), "{WARN}warning:{WARN:#} {text}");
        }
    }

    pub fn error(&self, message: &str, hints: &[String]) {
        self.failure(message, &[], hints);
    }

    /// An error with what caused it, one `caused by:` line each (jj's way), then the way out.
    pub fn failure(&self, message: &str, causes: &[String], hints: &[String]) {
        let mut stderr = anstream::stderr();
        let _ = writeln!(stderr, "{ERROR}error:{ERROR:#} {}", clean(message));
        for cause in causes {
            let _ = writeln!(stderr, "{ERROR}caused by:{ERROR:#} {}", clean(cause));
        }
        for hint in hints {
            let _ = writeln!(stderr, "{HINT}hint:{HINT:#} {}", clean(hint));
        }
    }

    /// Bytes on stdout as they are (a patch need not be UTF-8).
    pub fn raw(&self, bytes: &[u8]) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(bytes);
        let _ = stdout.flush();
    }

    /// The one JSON document of a `--json` run.
    pub fn json(&self, document: &impl Document) {
        self.print_json(&Printed::new(document, None));
    }

    /// The document of a result the command then failed on, the failure under `error`.
    pub fn json_failed(&self, document: &impl Document, error: ErrorBody) {
        self.print_json(&Printed::new(document, Some(error)));
    }

    /// The end of a command that prints a result and may still fail on it (a refused step,
    /// a failing case). With `--json` one document holds both, the failure under `error`,
    /// as when a command fails outright; in text the error follows the result.
    pub fn conclude(
        &self,
        document: &impl Document,
        failure: Option<CommandError>,
    ) -> Result<Exit> {
        if !self.json_mode() {
            return failure.map_or(Ok(Exit::Ok), Err);
        }
        let Some(err) = failure else {
            self.json(document);
            return Ok(Exit::Ok);
        };
        self.json_failed(document, ErrorBody::of(&err));
        self.failure(&err.message, &err.causes, &err.hints);
        Ok(err.exit)
    }

    fn print_json(&self, printed: &impl serde::Serialize) {
        let text = serde_json::to_string_pretty(printed).expect("serializable");
        let _ = writeln!(std::io::stdout().lock(), "{}", clean(text));
    }

    /// Ask for a line of text; `None` without a TTY (every prompt has a flag instead).
    pub fn prompt(&self, question: &str) -> Option<String> {
        if !self.interactive() {
            return None;
        }
        dialoguer::Input::<String>::new()
            .with_prompt(question)
            .allow_empty(true)
            .interact_text()
            .ok()
    }
}

impl Ui {
    /// Ask a yes/no question; `None` without a TTY.
    pub fn confirm(&self, question: &str) -> Option<bool> {
        if !self.interactive() {
            return None;
        }
        dialoguer::Confirm::new()
            .with_prompt(question)
            .interact()
            .ok()
    }

    /// Ask to choose one of `choices`; `None` without a TTY.
    pub fn select(&self, question: &str, choices: &[String]) -> Option<usize> {
        if !self.interactive() {
            return None;
        }
        dialoguer::Select::new()
            .with_prompt(question)
            .items(choices)
            .default(0)
            .interact()
            .ok()
    }
}

/// What is shown of `text`: secrets masked (see [`redact`]), whatever path it came by.
fn clean(text: impl std::fmt::Display) -> String {
    redact(&text.to_string()).into_owned()
}

/// `text` in `style`; anstream drops the escapes where colour is off.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// `text` as one word for a POSIX shell, the way a person would type it: as it is when
/// nothing in it is special, else in single quotes.
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || ",./:_-=@+%".contains(c);
    if text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
