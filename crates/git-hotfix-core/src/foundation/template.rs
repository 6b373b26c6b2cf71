//! `{placeholder}` templates for branch names and tag patterns.

use std::fmt;

/// A parsed template such as `hotfix/{ticket}-{slug}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(String),
}

/// Why a template was refused; the caller adds which setting it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder `{{{name}}}` (known: {})", known.iter().map(|k| format!("{{{k}}}")).collect::<Vec<_>>().join(" "))]
    UnknownPlaceholder {
        name: String,
        known: &'static [&'static str],
    },
    #[error("unclosed `{{`")]
    Unclosed,
    #[error("`{{{0}}}` is required")]
    Missing(&'static str),
    #[error("`{{{0}}}` may appear only once")]
    Repeated(&'static str),
}

impl Template {
    /// Parse `source`, accepting only the placeholders in `known`.
    pub fn parse(source: &str, known: &'static [&'static str]) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(Segment::Literal(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or(TemplateError::Unclosed)?;
            let name = &after[..close];
            if !known.contains(&name) {
                return Err(TemplateError::UnknownPlaceholder {
                    name: name.to_string(),
                    known,
                });
            }
            segments.push(Segment::Placeholder(name.to_string()));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_string()));
        }
        Ok(Template {
            source: source.to_string(),
            segments,
        })
    }

    /// How often `name` appears.
    pub fn count(&self, name: &str) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Placeholder(p) if p == name))
            .count()
    }

    pub fn uses(&self, name: &str) -> bool {
        self.count(name) > 0
    }

    /// Fill in every placeholder with `value(name)`.
    pub fn render(&self, mut value: impl FnMut(&str) -> String) -> String {
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.clone(),
                Segment::Placeholder(name) => value(name),
            })
            .collect()
    }

    /// Split the template around its one `{version}`: the text before and after it, with
    /// every other placeholder filled in by `value`. Used to read versions back out of tags.
    pub fn split_around(
        &self,
        placeholder: &str,
        mut value: impl FnMut(&str) -> String,
    ) -> (String, String) {
        let (mut before, mut after) = (String::new(), String::new());
        let mut seen = false;
        for segment in &self.segments {
            let text = match segment {
                Segment::Placeholder(name) if name == placeholder => {
                    seen = true;
                    continue;
                }
                Segment::Placeholder(name) => value(name),
                Segment::Literal(text) => text.clone(),
            };
            if seen {
                after.push_str(&text)
            } else {
                before.push_str(&text)
            }
        }
        (before, after)
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The text every rendering starts with (`hotfix/` of `hotfix/{ticket}-{slug}`).
    pub fn literal_prefix(&self) -> &str {
        match self.segments.first() {
            Some(Segment::Literal(text)) => text,
            _ => "",
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl serde::Serialize for Template {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

/// Its source, as written in the configuration.
impl schemars::JsonSchema for Template {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Template".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A template, as written: `hotfix/{ticket}-{slug}`",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["ticket", "slug", "version"];

    #[test]
    fn renders_placeholders_and_literals() {
        let t = Template::parse("hotfix/{ticket}-{slug}", KNOWN).unwrap();
        let out = t.render(|name| match name {
            "ticket" => "ENG-1".into(),
            _ => "fix-it".into(),
        });
        assert_eq!(out, "hotfix/ENG-1-fix-it");
    }

    #[test]
    fn refuses_unknown_and_unclosed_placeholders() {
        assert!(matches!(
            Template::parse("x/{tikcet}", KNOWN),
            Err(TemplateError::UnknownPlaceholder { name, .. }) if name == "tikcet"
        ));
        assert_eq!(
            Template::parse("x/{slug", KNOWN),
            Err(TemplateError::Unclosed)
        );
    }

    #[test]
    fn splits_around_the_version() {
        let t = Template::parse("{ticket}/prod-v{version}-x", KNOWN).unwrap();
        let (before, after) = t.split_around("version", |_| "api".into());
        assert_eq!((before.as_str(), after.as_str()), ("api/prod-v", "-x"));
    }
}
