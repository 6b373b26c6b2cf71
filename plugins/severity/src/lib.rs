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

/// The same criteria in Chinese, as the runbooks written in it name them. Chinese is
/// written without spaces: these match where they appear in the text.
const KEYWORDS_ZH: &[(&str, Severity, &str)] = &[
    ("安全漏洞", Severity::P0, "security vulnerability"),
    ("漏洞", Severity::P0, "security vulnerability"),
    ("认证绕过", Severity::P0, "security vulnerability"),
    ("身份验证绕过", Severity::P0, "security vulnerability"),
    ("鉴权绕过", Severity::P0, "security vulnerability"),
    ("授权绕过", Severity::P0, "security vulnerability"),
    ("权限绕过", Severity::P0, "security vulnerability"),
    ("越权", Severity::P0, "security vulnerability"),
    ("权限提升", Severity::P0, "security vulnerability"),
    ("提权", Severity::P0, "security vulnerability"),
    ("注入", Severity::P0, "security vulnerability"),
    ("远程代码执行", Severity::P0, "security vulnerability"),
    ("攻击", Severity::P0, "security vulnerability"),
    ("数据泄露", Severity::P0, "data exposed"),
    ("数据泄漏", Severity::P0, "data exposed"),
    ("泄露", Severity::P0, "data exposed"),
    ("数据丢失", Severity::P0, "data lost or corrupted"),
    ("数据损坏", Severity::P0, "data lost or corrupted"),
    ("生产环境宕机", Severity::P0, "production fully down"),
    ("完全宕机", Severity::P0, "production fully down"),
    ("完全不可用", Severity::P0, "production fully down"),
    ("全部不可用", Severity::P0, "production fully down"),
    ("支付", Severity::P1, "revenue impact (payments)"),
    ("宕机", Severity::P1, "production down"),
    ("不可用", Severity::P1, "production down"),
    ("服务中断", Severity::P1, "production down"),
    ("崩溃", Severity::P1, "app crash"),
    ("闪退", Severity::P1, "app crash"),
    ("大部分用户", Severity::P1, "error for most users"),
    ("大多数用户", Severity::P1, "error for most users"),
    ("所有用户", Severity::P1, "error for most users"),
    ("核心功能", Severity::P1, "critical feature broken"),
    (
        "第三方集成",
        Severity::P1,
        "third-party integration failing",
    ),
    ("数据库", Severity::P1, "database connectivity"),
    ("收入", Severity::P1, "revenue impact"),
    ("性能下降", Severity::P2, "degraded performance"),
    ("变慢", Severity::P2, "degraded performance"),
    ("缓慢", Severity::P2, "degraded performance"),
    ("部分功能", Severity::P2, "feature partly broken"),
    ("营销活动", Severity::P3, "business deadline"),
    ("合作伙伴", Severity::P3, "business deadline"),
    ("截止日期", Severity::P3, "business deadline"),
];

/// The kinds of incident as a Chinese runbook says them.
fn in_chinese(kind: &str) -> &str {
    match kind {
        "security vulnerability" => "安全漏洞",
        "data exposed" => "数据泄露",
        "data lost or corrupted" => "数据丢失或损坏",
        "data exposed or corrupted" => "数据泄露或损坏",
        "production fully down" => "生产环境完全宕机",
        "production down" => "生产环境宕机",
        "payments fully broken" => "支付完全故障",
        "revenue impact (payments)" => "影响收入（支付）",
        "revenue impact" => "影响收入",
        "app crash" => "应用崩溃",
        "error for most users" => "大部分用户出错",
        "critical feature broken" => "核心功能故障",
        "third-party integration failing" => "第三方集成故障",
        "database connectivity" => "数据库连接问题",
        "degraded performance" => "性能下降",
        "feature partly broken" => "功能部分故障",
        "business deadline" => "业务截止日期",
        other => other,
    }
}

/// Whether the incident is told in Chinese: then the verdict is given in Chinese too.
fn told_in_chinese(incident: &Incident) -> bool {
    [&incident.title, &incident.description]
        .iter()
        .any(|text| text.chars().any(is_han))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

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
/// The same in Chinese, matched where they appear.
const TOTAL_ZH: &[&str] = &["完全", "全部", "彻底", "所有", "整体"];
const PAYMENT_ZH: &[&str] = &["支付", "付款", "计费"];

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
struct Finding<'a> {
    severity: Severity,
    reason: String,
    kind: &'a str,
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
        let zh = told_in_chinese(&incident);
        let kind_of = |kind: &'static str| if zh { in_chinese(kind) } else { kind };
        let mut found: Vec<Finding> = Vec::new();
        let labels = incident.labels.join(" ");
        let sources = [
            ("title", "标题", &incident.title),
            ("description", "描述", &incident.description),
            ("labels", "标签", &labels),
        ];
        for (place, place_zh, raw) in sources {
            let text = words_of(raw);
            let raw = raw.to_lowercase();
            let said = |what: &str, kind: &str| match (zh, place) {
                (true, "labels") => format!("标签为“{what}”：{kind}"),
                (true, _) => format!("{place_zh}提到“{what}”：{kind}"),
                (false, "labels") => format!("labelled \"{what}\": {kind}"),
                (false, _) => format!("{place} mentions \"{what}\": {kind}"),
            };
            let spaced = KEYWORDS
                .iter()
                .filter(|(keyword, ..)| has_word(&text, &[keyword]));
            // A longer Chinese phrase holds its shorter ones (生产环境宕机, 宕机): the longer
            // one says more, the shorter ones add nothing.
            let unspaced: Vec<&(&str, Severity, &str)> = KEYWORDS_ZH
                .iter()
                .filter(|(keyword, ..)| raw.contains(keyword))
                .collect();
            let unspaced = unspaced.iter().copied().filter(|(keyword, ..)| {
                !unspaced
                    .iter()
                    .any(|(longer, ..)| longer != keyword && longer.contains(keyword))
            });
            for &(keyword, severity, kind) in spaced.chain(unspaced) {
                found.push(Finding {
                    severity,
                    reason: said(keyword, kind_of(kind)),
                    kind: kind_of(kind),
                });
            }
            let whole_payments = (has_word(&text, PAYMENT) && has_word(&text, TOTAL))
                || (PAYMENT_ZH.iter().any(|w| raw.contains(w))
                    && TOTAL_ZH.iter().any(|w| raw.contains(w)));
            if whole_payments {
                found.push(Finding {
                    severity: Severity::P0,
                    reason: match (zh, place) {
                        (true, _) => format!("{place_zh}表明支付整体故障"),
                        (false, "labels") => "labels say payments are broken as a whole".into(),
                        (false, _) => format!("{place} says payments are broken as a whole"),
                    },
                    kind: kind_of("payments fully broken"),
                });
            }
        }
        let yes = |id: &str| answer(&incident, id).is_some_and(|a| a.eq_ignore_ascii_case("yes"));
        for (id, severity, reason, reason_zh, kind) in [
            (
                "security",
                Severity::P0,
                "answered: it is a security issue",
                "回答：是安全问题",
                "security vulnerability",
            ),
            (
                "data",
                Severity::P0,
                "answered: data is exposed or corrupted",
                "回答：数据泄露或损坏",
                "data exposed or corrupted",
            ),
            (
                "payments",
                Severity::P0,
                "answered: payments are fully broken",
                "回答：支付完全故障",
                "payments fully broken",
            ),
            (
                "down",
                Severity::P0,
                "answered: production is fully down",
                "回答：生产环境完全宕机",
                "production fully down",
            ),
            (
                "broken",
                Severity::P1,
                "answered: a critical feature is broken for most users",
                "回答：核心功能对大部分用户故障",
                "critical feature broken",
            ),
        ] {
            if yes(id) {
                found.push(Finding {
                    severity,
                    reason: if zh { reason_zh } else { reason }.into(),
                    kind: kind_of(kind),
                });
            }
        }
        let Some(worst) = found.iter().map(|f| f.severity).min_by_key(|s| rank(*s)) else {
            let mut assessment = level(Severity::P2);
            if zh {
                assessment.label = "严重缺陷".into();
                assessment.reasons =
                    vec!["未提到紧急情况：默认为严重缺陷（回答问题可得到更准确的判断）".into()];
                return Ok(assessment);
            }
            return Ok(assessment.because(
                "nothing urgent named: a major bug by default (answer the questions for a sharper verdict)",
            ));
        };
        let decisive: Vec<&Finding> = found.iter().filter(|f| f.severity == worst).collect();
        let mut severity = worst;
        let mut reasons: Vec<String> = decisive.iter().map(|f| f.reason.clone()).collect();
        if severity == Severity::P1 && yes("workaround") {
            severity = Severity::P2;
            reasons.push(
                if zh {
                    "有变通办法：降低一级"
                } else {
                    "a workaround exists: one level lower"
                }
                .into(),
            );
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
    fn the_chinese_runbooks_criteria_are_recognised_and_answered_in_chinese() {
        for (title, severity, label) in [
            ("支付处理完全故障", Severity::P0, "支付完全故障"),
            ("认证绕过", Severity::P0, "安全漏洞"),
            ("数据泄露", Severity::P0, "数据泄露"),
            ("生产环境宕机", Severity::P0, "生产环境完全宕机"),
            ("应用崩溃", Severity::P1, "应用崩溃"),
            ("订单服务宕机", Severity::P1, "生产环境宕机"),
            ("结算页面性能下降", Severity::P2, "性能下降"),
        ] {
            let verdict = assess(title, &[], &[]);
            assert_eq!(
                (verdict.severity, verdict.label.as_str()),
                (severity, label),
                "{title}"
            );
        }
        let leak = assess("数据泄露", &[], &[]);
        assert_eq!(leak.reasons, ["标题提到“数据泄露”：数据泄露"]);
        let nothing = assess("按钮颜色不对", &[], &[]);
        assert_eq!(
            (nothing.severity, nothing.label.as_str()),
            (Severity::P2, "严重缺陷")
        );
        // Mixed: an English title with a Chinese label is still answered in English.
        let english = assess("login fails", &["安全漏洞"], &[]);
        assert_eq!(english.severity, Severity::P0);
        assert_eq!(
            english.reasons,
            ["labelled \"安全漏洞\": security vulnerability"]
        );
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
