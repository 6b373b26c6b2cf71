//! A severity policy for git-hotfix, written in Rust: a keyword rule and three questions.
//! The same policy as the Python and JavaScript examples; see the crate's README.md for how
//! to build it and docs/policies.md for policies in general.

use git_hotfix_plugin_sdk::*;

/// Words in the title, description or labels that place an incident.
const KEYWORDS: &[(&str, Severity, &str)] = &[
    ("auth bypass", Severity::P0, "security vulnerability"),
    ("exploit", Severity::P0, "security vulnerability"),
    ("data leak", Severity::P0, "data exposed"),
    ("crash", Severity::P1, "app crash"),
    ("outage", Severity::P1, "production down"),
];

const QUESTIONS: &[(&str, &str)] = &[
    (
        "security",
        "Is it a security issue (auth bypass, exploit, leak)?",
    ),
    ("down", "Is production fully down (nobody can use it)?"),
    ("workaround", "Is there a workaround users can take?"),
];

struct Example;

impl SeverityPolicy for Example {
    // `levels` is left out: the SDK answers nothing, and git-hotfix uses the workflow's
    // table when a person picks a level (`start --severity P1`).

    fn questions() -> Vec<Question> {
        QUESTIONS
            .iter()
            .map(|(id, prompt)| Question {
                id: id.to_string(),
                prompt: prompt.to_string(),
                kind: QuestionKind::YesNo,
            })
            .collect()
    }

    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        // A refusal is an `Err` of the contract's plugin-error; a panic is a crash.
        let asked: Vec<&str> = QUESTIONS.iter().map(|(id, _)| *id).collect();
        for given in &incident.answers {
            if !asked.contains(&given.id.as_str()) {
                return Err(PluginError::Unsupported(format!(
                    "this policy asks no question \"{}\" (it asks: {})",
                    given.id,
                    asked.join(", ")
                )));
            }
            if !matches!(given.value.trim().to_lowercase().as_str(), "yes" | "no") {
                return Err(PluginError::InvalidInput(format!(
                    "the answer to \"{}\" must be yes or no, not \"{}\"",
                    given.id, given.value
                )));
            }
        }
        let yes = |id| answer(&incident, id).is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"));

        let mut found: Vec<(Severity, String)> = Vec::new();
        let labels = incident.labels.join(" ");
        for (place, text) in [
            ("title", &incident.title),
            ("description", &incident.description),
            ("labels", &labels),
        ] {
            for (keyword, level, kind) in KEYWORDS {
                if words(text).contains(&format!(" {keyword} ")) {
                    let said = if place == "labels" {
                        format!("labelled \"{keyword}\"")
                    } else {
                        format!("{place} mentions \"{keyword}\"")
                    };
                    found.push((*level, format!("{said}: {kind}")));
                }
            }
        }
        if yes("security") {
            found.push((Severity::P0, "answered: it is a security issue".into()));
        }
        if yes("down") {
            found.push((Severity::P0, "answered: production is fully down".into()));
        }

        let Some(most_urgent) = found
            .iter()
            .map(|(level, _)| *level)
            .min_by_key(|l| *l as u8)
        else {
            return Ok(level(Severity::P2).because("nothing urgent named: a major bug by default"));
        };
        let mut assessment = level(most_urgent);
        assessment.reasons = found
            .into_iter()
            .filter(|(level, _)| *level == most_urgent)
            .map(|(_, reason)| reason)
            .collect();
        if most_urgent == Severity::P1 && yes("workaround") {
            let reasons = assessment.reasons;
            assessment = level(Severity::P2);
            assessment.reasons = reasons;
            assessment = assessment.because("a workaround exists: one level lower");
        }
        Ok(assessment)
    }
}

/// `text` lowercased, every run of other characters than letters and digits as one space,
/// padded with spaces: " auth bypass " is found in "Auth-bypass!", "down" not in "download".
fn words(text: &str) -> String {
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    format!(
        " {} ",
        lower.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

export_severity_policy!(Example);
