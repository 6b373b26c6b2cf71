//! Text from a plugin, made safe to print: a plugin must not be able to move the cursor,
//! recolour the terminal, reorder text (bidirectional overrides) or start a line of its own
//! that reads like git-hotfix's (`\nerror: ...`).
//!
//! Strings that are shown (labels, reasons, prompts, descriptions, error messages) are
//! cleaned as the host receives them; strings that are used (a file's new content, argv,
//! URLs) are left as they are and escaped where they are shown (`line`).

use std::borrow::Cow;

use crate::contract::{Assessment, PluginError, Question, QuestionKind, Step};

/// `text` on one line: every control character, and every character that changes the
/// direction of text, written as an escape (`\n`, `\u{1b}`, `\u{202e}`).
pub fn line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut clean = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            clean.extend(c.escape_default());
        } else {
            clean.push(c);
        }
    }
    Cow::Owned(clean)
}

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn clean(text: &mut String) {
    if let Cow::Owned(clean) = line(text) {
        *text = clean;
    }
}

/// A plugin's answer with its shown strings cleaned.
pub trait Shown {
    fn shown(self) -> Self;
}

impl Shown for Assessment {
    fn shown(mut self) -> Self {
        clean(&mut self.label);
        self.reasons.iter_mut().for_each(clean);
        self
    }
}

impl Shown for Question {
    fn shown(mut self) -> Self {
        clean(&mut self.id);
        clean(&mut self.prompt);
        if let QuestionKind::Choice(choices) = &mut self.kind {
            choices.iter_mut().for_each(clean);
        }
        self
    }
}

impl Shown for Step {
    /// Only what describes the step: what it runs or calls is kept exactly, to be refused
    /// or run as the plugin gave it.
    fn shown(mut self) -> Self {
        match &mut self {
            Step::Run(run) => clean(&mut run.description),
            Step::Confirm(question) => clean(question),
            Step::HttpCheck(_) | Step::Wait(_) => {}
        }
        self
    }
}

impl Shown for PluginError {
    fn shown(mut self) -> Self {
        match &mut self {
            PluginError::InvalidInput(message)
            | PluginError::Unsupported(message)
            | PluginError::Failed(message) => clean(message),
        }
        self
    }
}

impl<T: Shown> Shown for Vec<T> {
    fn shown(self) -> Self {
        self.into_iter().map(Shown::shown).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_are_escaped() {
        assert_eq!(line("fine: P0 · ünïcode"), "fine: P0 · ünïcode");
        assert_eq!(
            line("ok\r\nerror: fake\x1b[31m"),
            "ok\\r\\nerror: fake\\u{1b}[31m"
        );
        assert_eq!(line("a\u{202e}b\u{2066}"), "a\\u{202e}b\\u{2066}");
        assert_eq!(line("tab\there\u{7f}\u{9b}"), "tab\\there\\u{7f}\\u{9b}");
    }
}
