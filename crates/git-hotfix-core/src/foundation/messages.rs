//! The texts a release writes: message templates (the release commit's, the tag's, a
//! changelog entry's) and the facts they are filled with.

use crate::foundation::changelog::Format;
use crate::foundation::template::{Template, TemplateError};

/// A message template: the release commit's, the tag's, a changelog entry's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct MessageTemplate(Template);

impl MessageTemplate {
    pub const PLACEHOLDERS: &'static [&'static str] = &[
        "version",
        "ticket",
        "description",
        "severity",
        "date",
        "product",
        "tag",
    ];
    pub const RELEASE: &'static str = "Release {version} ({ticket})";
    pub const TAG: &'static str = "Hotfix {version}: {description}";

    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        Template::parse(source, Self::PLACEHOLDERS).map(MessageTemplate)
    }

    pub fn render(&self, facts: &Facts) -> String {
        self.0.render(|name| facts.get(name).to_string())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'de> serde::Deserialize<'de> for MessageTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        MessageTemplate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The message templates in effect (`release-message`, `tag-message`, `changelog-entry`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Messages {
    pub release: MessageTemplate,
    pub tag: MessageTemplate,
    /// `None`: the default entry, which depends on the changelog's format and on whether
    /// the severity is known.
    pub changelog_entry: Option<MessageTemplate>,
}

impl Default for Messages {
    fn default() -> Self {
        Messages {
            release: MessageTemplate::parse(MessageTemplate::RELEASE).expect("valid default"),
            tag: MessageTemplate::parse(MessageTemplate::TAG).expect("valid default"),
            changelog_entry: None,
        }
    }
}

/// What templates are filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub version: String,
    pub ticket: String,
    /// The description, or the ticket when there is none.
    pub description: String,
    /// `P0`…`P3`, empty when not assessed.
    pub severity: String,
    /// The release date, `YYYY-MM-DD`.
    pub date: String,
    pub product: String,
    pub tag: String,
}

impl Facts {
    pub(crate) fn get(&self, name: &str) -> &str {
        match name {
            "version" => &self.version,
            "ticket" => &self.ticket,
            "description" => &self.description,
            "severity" => &self.severity,
            "date" => &self.date,
            "product" => &self.product,
            _ => &self.tag,
        }
    }

    /// The default changelog entry: `Reject expired tokens (ENG-1234, P0)`, and a table row
    /// says `HOTFIX:` first as the runbooks write it.
    pub fn default_entry(&self, format: Format) -> String {
        // The ticket is left out when it stands in for the description.
        let ticket = (self.ticket != self.description).then_some(self.ticket.as_str());
        let severity = (!self.severity.is_empty()).then_some(self.severity.as_str());
        let refs: Vec<&str> = [ticket, severity].into_iter().flatten().collect();
        let text = if refs.is_empty() {
            self.description.clone()
        } else {
            format!("{} ({})", self.description, refs.join(", "))
        };
        match format {
            Format::Table => format!("HOTFIX: {text}"),
            Format::KeepAChangelog => text,
        }
    }
}
