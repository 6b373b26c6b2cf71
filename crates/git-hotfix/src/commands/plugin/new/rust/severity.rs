//! {{name}}: how urgent an incident is. Words in the title and description place it, and
//! one question (do customers see it?) makes it one level more urgent. The levels' clocks
//! are git-hotfix's workflow table (`level`); change them with your own `Assessment`s.

use git_hotfix_plugin_sdk::*;

struct Policy;

/// Words that place an incident, most urgent first: (word, level, what it means).
const WORDS: &[(&str, Severity, &str)] = &[
    ("security", Severity::P0, "a security hole"),
    ("bypass", Severity::P0, "a security hole"),
    ("leak", Severity::P0, "data exposed"),
    ("outage", Severity::P1, "production down"),
    ("down", Severity::P1, "production down"),
    ("crash", Severity::P1, "a crash"),
];

impl SeverityPolicy for Policy {
    fn questions() -> Vec<Question> {
        vec![Question {
            id: "customers".into(),
            prompt: "Do customers see it?".into(),
            kind: QuestionKind::YesNo,
        }]
    }

    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        let customers = match answer(&incident, "customers") {
            None | Some("no") => false,
            Some("yes") => true,
            Some(other) => {
                return Err(PluginError::InvalidInput(format!(
                    "the answer to \"customers\" is yes or no, not \"{other}\""
                )));
            }
        };
        if let Some(unknown) = incident.answers.iter().find(|a| a.id != "customers") {
            return Err(PluginError::Unsupported(format!(
                "this policy asks no question \"{}\"",
                unknown.id
            )));
        }

        let text = words(&format!("{} {}", incident.title, incident.description));
        let found = WORDS
            .iter()
            .find(|(word, _, _)| text.contains(&format!(" {word} ")));
        let assessed = match found {
            Some((word, severity, meaning)) => {
                level(*severity).because(format!("title mentions \"{word}\": {meaning}"))
            }
            None => level(Severity::P2).because("nothing urgent named: a major bug"),
        };
        Ok(if customers {
            more_urgent(assessed).because("customers see it: one level more urgent")
        } else {
            assessed
        })
    }
}

/// `text` lowercased, each run of other characters one space, padded with spaces: " down "
/// is found in "Site down!" but not in "download".
fn words(text: &str) -> String {
    let lower = text.to_lowercase();
    let spaced: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    format!(" {} ", spaced.join(" "))
}

/// The level above, with its clocks, keeping the reasons given so far.
fn more_urgent(assessed: Assessment) -> Assessment {
    let above = match assessed.severity {
        Severity::P0 | Severity::P1 => Severity::P0,
        Severity::P2 => Severity::P1,
        Severity::P3 => Severity::P2,
    };
    Assessment {
        reasons: assessed.reasons,
        ..level(above)
    }
}

export_severity_policy!(Policy);
