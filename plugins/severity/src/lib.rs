//! The default severity policy: the P0–P3 table of git-hotfix's workflow. Keywords in the
//! title, description and labels, and the answers to a few questions, each give a level
//! with a reason; the most urgent wins.

use git_hotfix_plugin_sdk::*;

struct Table;

/// Words that place an incident, with the level and the kind of incident they mean (the
/// kind becomes the assessment's label: a P0 for an outage reads "production fully down",
/// not the level's generic "security vulnerability"). Matched as whole words, lowercased,
/// punctuation as spaces: "CVE-2026-1234" holds "cve".
const KEYWORDS: &[(&str, Severity, &str)] = &[
    ("auth bypass", Severity::P0, "security vulnerability"),
    (
        "authentication bypass",
        Severity::P0,
        "security vulnerability",
    ),
    (
        "authorization bypass",
        Severity::P0,
        "security vulnerability",
    ),
    (
        "access control bypass",
        Severity::P0,
        "security vulnerability",
    ),
    (
        "privilege escalation",
        Severity::P0,
        "security vulnerability",
    ),
    ("security", Severity::P0, "security vulnerability"),
    ("vulnerability", Severity::P0, "security vulnerability"),
    ("cve", Severity::P0, "security vulnerability"),
    ("exploit", Severity::P0, "security vulnerability"),
    ("sql injection", Severity::P0, "security vulnerability"),
    (
        "remote code execution",
        Severity::P0,
        "security vulnerability",
    ),
    ("rce", Severity::P0, "security vulnerability"),
    ("data leak", Severity::P0, "data exposed"),
    ("leak", Severity::P0, "data exposed"),
    ("breach", Severity::P0, "data exposed"),
    ("data loss", Severity::P0, "data lost or corrupted"),
    ("data corruption", Severity::P0, "data lost or corrupted"),
    ("corrupt", Severity::P0, "data lost or corrupted"),
    ("corrupted", Severity::P0, "data lost or corrupted"),
    ("fully down", Severity::P0, "production fully down"),
    ("completely down", Severity::P0, "production fully down"),
    (
        "completely unavailable",
        Severity::P0,
        "production fully down",
    ),
    ("totally unavailable", Severity::P0, "production fully down"),
    (
        "entirely unavailable",
        Severity::P0,
        "production fully down",
    ),
    ("payment", Severity::P1, "revenue impact (payments)"),
    ("payments", Severity::P1, "revenue impact (payments)"),
    ("outage", Severity::P1, "production down"),
    ("down", Severity::P1, "production down"),
    ("unavailable", Severity::P1, "production down"),
    ("crash", Severity::P1, "app crash"),
    ("crashes", Severity::P1, "app crash"),
    ("majority of users", Severity::P1, "error for most users"),
    ("most users", Severity::P1, "error for most users"),
    ("all users", Severity::P1, "error for most users"),
    ("feature failure", Severity::P1, "critical feature broken"),
    ("completely broken", Severity::P1, "critical feature broken"),
    ("fully broken", Severity::P1, "critical feature broken"),
    (
        "third party integration",
        Severity::P1,
        "third-party integration failing",
    ),
    (
        "integration failure",
        Severity::P1,
        "third-party integration failing",
    ),
    ("database", Severity::P1, "database connectivity"),
    ("revenue", Severity::P1, "revenue impact"),
    ("degraded", Severity::P2, "degraded performance"),
    ("slow", Severity::P2, "degraded performance"),
    ("partly", Severity::P2, "feature partly broken"),
    ("campaign", Severity::P3, "business deadline"),
    ("partner", Severity::P3, "business deadline"),
    ("deadline", Severity::P3, "business deadline"),
];

/// Words saying that something is broken as a whole: with a payment word, payments are fully
/// broken, which the workflow puts at P0.
const TOTAL: &[&str] = &[
    "completely",
    "fully",
    "totally",
    "entirely",
    "all",
    "every",
    "nothing",
];
const PAYMENT: &[&str] = &["payment", "payments", "billing"];

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::P0 => 0,
        Severity::P1 => 1,
        Severity::P2 => 2,
        Severity::P3 => 3,
    }
}

fn words_of(text: &str) -> String {
    let lower = text.to_lowercase();
    let spaced: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    format!(
        " {} ",
        spaced.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

fn has_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(&format!(" {w} ")))
}

/// Something that places an incident: its level, why, and the kind of incident.
struct Finding {
    severity: Severity,
    reason: String,
    kind: &'static str,
}

impl SeverityPolicy for Table {
    fn questions() -> Vec<Question> {
        let yes_no = |id: &str, prompt: &str| Question {
            id: id.into(),
            prompt: prompt.into(),
            kind: QuestionKind::YesNo,
        };
        vec![
            yes_no(
                "security",
                "Is it a security issue (auth bypass, exploit, leak)?",
            ),
            yes_no("data", "Is data exposed or corrupted?"),
            yes_no("down", "Is production fully down (nobody can use it)?"),
            yes_no(
                "broken",
                "Is a critical feature fully broken, or failing for most users?",
            ),
            yes_no("payments", "Are payments fully broken?"),
            yes_no("workaround", "Is there a workaround users can take?"),
        ]
    }

    fn assess(incident: Incident) -> Result<Assessment, PluginError> {
        let mut found: Vec<Finding> = Vec::new();
        let sources = [
            ("title", words_of(&incident.title)),
            ("description", words_of(&incident.description)),
            ("labels", words_of(&incident.labels.join(" "))),
        ];
        for (place, text) in &sources {
            let said = |what: &str| match *place {
                "labels" => format!("labelled \"{what}\""),
                _ => format!("{place} mentions \"{what}\""),
            };
            for (keyword, severity, kind) in KEYWORDS {
                if has_word(text, &[keyword]) {
                    found.push(Finding {
                        severity: *severity,
                        reason: format!("{}: {kind}", said(keyword)),
                        kind,
                    });
                }
            }
            if has_word(text, PAYMENT) && has_word(text, TOTAL) {
                found.push(Finding {
                    severity: Severity::P0,
                    reason: match *place {
                        "labels" => "labels say payments are broken as a whole".to_string(),
                        _ => format!("{place} says payments are broken as a whole"),
                    },
                    kind: "payments fully broken",
                });
            }
        }
        let yes = |id: &str| answer(&incident, id).is_some_and(|a| a.eq_ignore_ascii_case("yes"));
        for (id, severity, reason, kind) in [
            (
                "security",
                Severity::P0,
                "answered: it is a security issue",
                "security vulnerability",
            ),
            (
                "data",
                Severity::P0,
                "answered: data is exposed or corrupted",
                "data exposed or corrupted",
            ),
            (
                "payments",
                Severity::P0,
                "answered: payments are fully broken",
                "payments fully broken",
            ),
            (
                "down",
                Severity::P0,
                "answered: production is fully down",
                "production fully down",
            ),
            (
                "broken",
                Severity::P1,
                "answered: a critical feature is broken for most users",
                "critical feature broken",
            ),
        ] {
            if yes(id) {
                found.push(Finding {
                    severity,
                    reason: reason.into(),
                    kind,
                });
            }
        }
        let Some(worst) = found.iter().map(|f| f.severity).min_by_key(|s| rank(*s)) else {
            return Ok(level(Severity::P2).because(
                "nothing urgent named: a major bug by default (answer the questions for a sharper verdict)",
            ));
        };
        let decisive: Vec<&Finding> = found.iter().filter(|f| f.severity == worst).collect();
        let mut severity = worst;
        let mut reasons: Vec<String> = decisive.iter().map(|f| f.reason.clone()).collect();
        if severity == Severity::P1 && yes("workaround") {
            severity = Severity::P2;
            reasons.push("a workaround exists: one level lower".into());
        }
        let mut assessment = level(severity);
        assessment.label = decisive[0].kind.to_string();
        assessment.reasons = reasons;
        Ok(assessment)
    }
}

export_severity_policy!(Table);

#[cfg(test)]
mod tests {
    use super::*;

    fn assess(title: &str, labels: &[&str], answers: &[(&str, &str)]) -> Assessment {
        Table::assess(Incident {
            ticket: "ENG-1".into(),
            title: title.into(),
            description: String::new(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            answers: answers
                .iter()
                .map(|(id, value)| Answer {
                    id: id.to_string(),
                    value: value.to_string(),
                })
                .collect(),
        })
        .unwrap()
    }

    #[test]
    fn the_most_urgent_match_wins_and_says_why() {
        let verdict = assess("auth bypass on login, checkout slow", &[], &[]);
        assert_eq!(verdict.severity, Severity::P0);
        assert_eq!(verdict.response_minutes, 120);
        assert!(verdict.skip_staging_allowed);
        assert_eq!(
            verdict.reasons,
            ["title mentions \"auth bypass\": security vulnerability"]
        );
    }

    #[test]
    fn labels_and_answers_count_too() {
        assert_eq!(
            assess("login fails", &["security"], &[]).severity,
            Severity::P0
        );
        assert_eq!(
            assess("login fails", &[], &[("down", "yes")]).severity,
            Severity::P0
        );
        assert_eq!(
            assess("login fails", &[], &[("broken", "YES")]).severity,
            Severity::P1
        );
    }

    #[test]
    fn a_workaround_lowers_p1_only() {
        let crash = assess("app crash on start", &[], &[("workaround", "yes")]);
        assert_eq!(crash.severity, Severity::P2);
        assert!(crash.reasons.iter().any(|r| r.contains("workaround")));
        let leak = assess("data leak", &[], &[("workaround", "yes")]);
        assert_eq!(leak.severity, Severity::P0);
    }

    #[test]
    fn words_match_whole_words_only() {
        // "download" holds "down", "rcel" holds "rce": neither is a keyword match.
        let verdict = assess("download button misaligned in parcel view", &[], &[]);
        assert_eq!(verdict.severity, Severity::P2);
        assert!(verdict.reasons[0].starts_with("nothing urgent named"));
    }

    #[test]
    fn the_workflow_s_criteria_are_recognised_and_named() {
        for (title, severity, label) in [
            (
                "Authorization bypass on admin API",
                Severity::P0,
                "security vulnerability",
            ),
            (
                "CVE-2026-1234 in jsonwebtoken",
                Severity::P0,
                "security vulnerability",
            ),
            (
                "Production service completely unavailable",
                Severity::P0,
                "production fully down",
            ),
            (
                "Payment processing completely broken",
                Severity::P0,
                "payments fully broken",
            ),
            (
                "Data corruption in orders",
                Severity::P0,
                "data lost or corrupted",
            ),
            (
                "Error affecting majority of users",
                Severity::P1,
                "error for most users",
            ),
            (
                "complete feature failure in search",
                Severity::P1,
                "critical feature broken",
            ),
            (
                "Third-party integration failure (Stripe webhooks)",
                Severity::P1,
                "third-party integration failing",
            ),
            ("app crash on start", Severity::P1, "app crash"),
            (
                "banner wrong for the partner campaign",
                Severity::P3,
                "business deadline",
            ),
        ] {
            let verdict = assess(title, &[], &[]);
            assert_eq!(
                (verdict.severity, verdict.label.as_str()),
                (severity, label),
                "{title}"
            );
        }
    }

    #[test]
    fn every_question_is_yes_no_with_a_unique_id() {
        let questions = Table::questions();
        let mut ids: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), questions.len());
        assert!(
            questions
                .iter()
                .all(|q| matches!(q.kind, QuestionKind::YesNo))
        );
    }
}
