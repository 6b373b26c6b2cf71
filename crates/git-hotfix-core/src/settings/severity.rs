//! A team's own severity table (`[[severity-levels]]` in `.hotfix.toml`): the names its
//! runbook uses (CRITICAL, HIGH, MEDIUM), their clocks and the words that place an incident,
//! without a plugin to write. The plugin contract is unchanged: the severity policy still
//! answers P0–P3, and `operations::assess` names, times and sharpens that answer with the
//! table, so that every plugin (the built-in one or a team's) gets it the same way.

use crate::settings::config::Window;

/// The contract's levels, most urgent first: a table's first level is `P0`.
pub const CONTRACT_LEVELS: [&str; 4] = ["P0", "P1", "P2", "P3"];

/// When a level's fix goes out.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DeployWindow {
    Immediate,
    SameDay,
    NextBusinessDay,
    Scheduled,
}

impl DeployWindow {
    /// As the journal keeps it (the contract's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            DeployWindow::Immediate => "immediate",
            DeployWindow::SameDay => "same-day",
            DeployWindow::NextBusinessDay => "next-business-day",
            DeployWindow::Scheduled => "scheduled",
        }
    }
}

/// One level of a team's table. What it leaves out is the policy's answer for the same
/// contract level.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SeverityLevel {
    /// The runbook's name: `CRITICAL`.
    pub name: String,
    /// Other names `--severity` accepts: `SEV1`, `critical`.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Detection to deploy: `1h`.
    pub respond_within: Option<Window>,
    pub deploy_window: Option<DeployWindow>,
    pub skip_staging: Option<bool>,
    pub approvals: Option<u32>,
    /// Words or phrases that place an incident at this level when its title, description or
    /// labels mention them: whole words in scripts with spaces (`service down`), as written
    /// in scripts without (`服务宕机`). Case does not matter.
    #[serde(default)]
    pub criteria: Vec<String>,
}

/// A team's levels, most urgent first (at most four: P0 to P3), names and aliases unique.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct SeverityTable(Vec<SeverityLevel>);

impl<'de> serde::Deserialize<'de> for SeverityTable {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let levels = Vec::<SeverityLevel>::deserialize(deserializer)?;
        SeverityTable::new(levels).map_err(serde::de::Error::custom)
    }
}

/// Text an incident is known by, as the table reads it.
pub struct IncidentText<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub labels: &'a [String],
}

impl SeverityTable {
    pub fn new(levels: Vec<SeverityLevel>) -> Result<SeverityTable, String> {
        if levels.is_empty() || levels.len() > CONTRACT_LEVELS.len() {
            return Err(format!(
                "a severity table has one to four levels, most urgent first (it has {})",
                levels.len()
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for level in &levels {
            for name in std::iter::once(&level.name).chain(&level.aliases) {
                let key = name.trim().to_lowercase();
                if key.is_empty() {
                    return Err("a severity level's name or alias is empty".into());
                }
                // `--severity P0` names the first level whatever the levels are called.
                if CONTRACT_LEVELS.iter().any(|l| l.eq_ignore_ascii_case(&key)) {
                    return Err(format!(
                        "`{name}` names a level by its place (P0 is the first, P1 the second, …): give the level a name of its own"
                    ));
                }
                if seen.contains(&key) {
                    return Err(format!("the severity level name `{name}` is given twice"));
                }
                seen.push(key);
            }
            if level.respond_within.is_some_and(|w| w.0.is_zero()) {
                return Err(format!(
                    "severity level `{}`: respond-within is zero; give the time the team has",
                    level.name
                ));
            }
            if let Some(empty) = level.criteria.iter().find(|c| c.trim().is_empty()) {
                return Err(format!(
                    "severity level `{}`: a criterion is empty ({empty:?})",
                    level.name
                ));
            }
        }
        Ok(SeverityTable(levels))
    }

    pub fn levels(&self) -> &[SeverityLevel] {
        &self.0
    }

    /// The team's level for a contract level: the same one, else the nearest less urgent
    /// the team has, else its least urgent (a team with three levels meets a P3 as its
    /// third).
    pub fn for_contract(&self, severity: &str) -> usize {
        let rank = CONTRACT_LEVELS
            .iter()
            .position(|l| l.eq_ignore_ascii_case(severity))
            .unwrap_or(CONTRACT_LEVELS.len() - 1);
        rank.min(self.0.len() - 1)
    }
}

/// Whether `text` mentions `phrase`: as whole words where words are spaced (`down` is not in
/// `download`), as written where they are not (Chinese: `宕机` in `生产环境宕机`).
pub fn mentions(text: &str, phrase: &str) -> bool {
    let spaced = |s: &str| {
        let lower = s.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        format!(" {} ", words.join(" "))
    };
    if phrase.chars().any(unspaced_script) {
        return text.to_lowercase().contains(&phrase.trim().to_lowercase());
    }
    spaced(text).contains(&spaced(phrase))
}

/// Scripts written without spaces between words: Han, kana, Thai.
fn unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // hiragana, katakana
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{f900}'..='\u{faff}' // CJK compatibility ideographs
        | '\u{0e00}'..='\u{0e7f}' // Thai
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_where_spaced_and_as_written_where_not() {
        assert!(mentions("Service DOWN!", "service down"));
        assert!(!mentions("download service", "down"));
        assert!(mentions("生产环境宕机", "宕机"));
        assert!(mentions("認証バイパス", "バイパス"));
    }

    #[test]
    fn a_table_must_tell_its_levels_apart() {
        let level = |name: &str| SeverityLevel {
            name: name.into(),
            aliases: Vec::new(),
            respond_within: None,
            deploy_window: None,
            skip_staging: None,
            approvals: None,
            criteria: Vec::new(),
        };
        assert!(SeverityTable::new(vec![]).is_err());
        let mut instant = level("NOW");
        instant.respond_within = Some(Window::minutes(0));
        assert!(
            SeverityTable::new(vec![instant])
                .unwrap_err()
                .contains("zero")
        );
        let by_place = SeverityTable::new(vec![level("P1"), level("P0")]).unwrap_err();
        assert!(by_place.contains("by its place"), "{by_place}");
        let twice = SeverityTable::new(vec![level("A"), level("a")]).unwrap_err();
        assert!(twice.contains("twice"));
        assert!(SeverityTable::new((0..5).map(|i| level(&i.to_string())).collect()).is_err());
    }
}
