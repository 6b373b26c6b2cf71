//! Turning tickets and descriptions into branch names git accepts.

use gix::bstr::ByteSlice;

use crate::foundation::error::{Error, Result};
use crate::foundation::template::{Template, TemplateError};
use crate::foundation::version::Version;

pub const BRANCH_PREFIX: &str = "refs/heads/";
pub const TAG_PREFIX: &str = "refs/tags/";

/// The longest slug we put in a branch name; longer descriptions are cut at a word.
const MAX_SLUG: usize = 48;

/// Check a ticket id such as `ENG-1234` and return it ready for a branch name.
///
/// Non-ASCII letters are transliterated (`ÉNG-12` becomes `ENG-12`); anything git refuses in
/// a ref name (spaces, `..`, `~`, `^`, `:`, a leading `-`, control characters, ...) is an
/// error with a suggestion, because a ticket is an identifier that must stay recognisable.
/// A feature flag's name as `rollback --flag` takes it, the way flag services name them
/// (LaunchDarkly keys, Unleash names): letters, digits, `-`, `_`, `.`, `:` and `/`. A step's
/// command is split on whitespace and its program reads options, so nothing else goes, and
/// no name starts with `-`.
pub fn feature_flag(raw: &str) -> Result<String> {
    const LONGEST: usize = 200;
    let invalid = |reason: String| Error::InvalidFlag {
        value: raw.to_string(),
        reason,
    };
    if raw.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    if raw.starts_with('-') {
        return Err(invalid(
            "it starts with `-`, which the command would read as an option".into(),
        ));
    }
    if let Some(c) = raw
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.:/".contains(*c)))
    {
        return Err(invalid(format!("it contains {c:?}")));
    }
    if raw.len() > LONGEST {
        return Err(invalid(format!(
            "it is {} characters long (at most {LONGEST})",
            raw.len()
        )));
    }
    Ok(raw.to_string())
}

pub fn ticket(raw: &str) -> Result<String> {
    let invalid = |reason: &str| Error::InvalidName {
        what: "ticket",
        value: raw.to_string(),
        reason: reason.to_string(),
        suggestion: Some(sanitize_ticket(raw)).filter(|s| !s.is_empty()),
    };
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidName {
            what: "ticket",
            value: raw.to_string(),
            reason: "it is empty".into(),
            suggestion: None,
        });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(invalid("it contains a control character"));
    }
    let ascii = deunicode::deunicode(trimmed);
    if let Some(c) = ascii.chars().find(|c| c.is_whitespace()) {
        return Err(invalid(&format!("it contains whitespace ({c:?})")));
    }
    if let Some(c) = ascii.chars().find(|c| "~^:?*[\\/".contains(*c)) {
        return Err(invalid(&format!("it contains `{c}`")));
    }
    if ascii.contains("..") {
        return Err(invalid("it contains `..`"));
    }
    if ascii.contains("@{") {
        return Err(invalid("it contains `@{`"));
    }
    if ascii.starts_with('-') || ascii.starts_with('.') {
        return Err(invalid("it starts with `-` or `.`"));
    }
    if ascii.ends_with('.') || ascii.ends_with(".lock") {
        return Err(invalid("it ends with `.` or `.lock`"));
    }
    Ok(ascii)
}

/// The ticket with every character git refuses replaced, offered as a suggestion.
fn sanitize_ticket(raw: &str) -> String {
    let ascii = deunicode::deunicode(raw.trim());
    let mut out = String::new();
    for c in ascii.chars() {
        let keep = c.is_ascii_alphanumeric() || "-_.#+".contains(c);
        let c = if keep { c } else { '-' };
        if (c == '-' || c == '.') && out.ends_with(['-', '.']) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches(['-', '.']);
    out.strip_suffix(".lock").unwrap_or(out).to_string()
}

/// A description as a branch-name slug: `Fix auth bypass (SSO)!` becomes `fix-auth-bypass-sso`.
pub fn slug(description: &str) -> String {
    let ascii = deunicode::deunicode(description).to_lowercase();
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut slug = out.trim_end_matches('-').to_string();
    if slug.len() > MAX_SLUG {
        let cut = slug[..MAX_SLUG].rfind('-').unwrap_or(MAX_SLUG);
        slug.truncate(cut);
    }
    slug
}

/// Refuse descriptions that would put terminal control sequences into tags and messages.
pub fn description(raw: &str) -> Result<String> {
    if raw
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::InvalidName {
            what: "description",
            value: raw.escape_debug().to_string(),
            reason: "it contains a control character".into(),
            suggestion: None,
        });
    }
    Ok(raw.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// How hotfix branches are named: `hotfix/{ticket}-{slug}` by default.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct BranchTemplate(Template);

/// What a branch template is filled with.
pub struct BranchVars<'a> {
    pub ticket: &'a str,
    pub slug: &'a str,
    pub product: Option<&'a str>,
    pub version: &'a Version,
}

impl BranchTemplate {
    pub const PLACEHOLDERS: &'static [&'static str] = &["ticket", "slug", "product", "version"];
    pub const DEFAULT: &'static str = "hotfix/{ticket}-{slug}";

    /// A template must tell hotfixes apart, so it needs `{ticket}`, `{slug}` or
    /// `{version}` (a team without tickets names hotfixes by what they fix).
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let template = Template::parse(source, Self::PLACEHOLDERS)?;
        if !["ticket", "slug", "version"]
            .iter()
            .any(|p| template.uses(p))
        {
            return Err(TemplateError::Missing("ticket"));
        }
        Ok(BranchTemplate(template))
    }

    /// Whether hotfixes go by what they fix: `{slug}` is what tells them apart (no
    /// `{ticket}`, no `{version}`), as for a team without tickets.
    pub fn names_by_slug(&self) -> bool {
        !self.0.uses("ticket") && !self.0.uses("version")
    }

    /// The branch's short name, tidied and checked against git's rules.
    pub fn render(&self, vars: &BranchVars<'_>) -> Result<String> {
        let rendered = self.0.render(|name| match name {
            "ticket" => vars.ticket.to_string(),
            "slug" => vars.slug.to_string(),
            "product" => vars.product.unwrap_or_default().to_string(),
            _ => vars.version.to_string(),
        });
        let name = tidy_branch(&rendered);
        validate_ref(BRANCH_PREFIX, &name)?;
        Ok(name)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether `branch` could be one this template made: it starts with the template's
    /// fixed text (a template that starts with a placeholder recognises nothing).
    pub fn could_have_made(&self, branch: &str) -> bool {
        let prefix = self.0.literal_prefix();
        !prefix.is_empty() && branch.starts_with(prefix)
    }
}

impl<'de> serde::Deserialize<'de> for BranchTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BranchTemplate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Tidy a rendered branch name: placeholders that were empty leave no stray separators.
/// The words of a name or heading, lowercase: `Staff-Mobile`, `staff_mobile` and
/// `Staff Mobile` are the same two words (a product, its directory, its changelog heading).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

pub fn tidy_branch(rendered: &str) -> String {
    rendered
        .split('/')
        .map(|part| part.trim_matches(['-', '_', '.']))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// Check that `short` (`hotfix/ENG-1`) makes a valid full reference `prefix + short`.
pub fn validate_ref(prefix: &str, short: &str) -> Result<String> {
    let full = format!("{prefix}{short}");
    let invalid = |reason: String| Error::InvalidRefName {
        name: short.to_string(),
        reason,
    };
    if short.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    if short.starts_with('-') {
        return Err(invalid("it starts with `-`".into()));
    }
    gix::validate::reference::name(full.as_bytes().as_bstr())
        .map_err(|err| invalid(err.to_string()))?;
    Ok(full)
}

/// What a branch is to a hotfix, for errors that must say which one is missing.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum BranchRole {
    Production,
    Develop,
    ReleaseLine,
    Hotfix,
    /// The branch `patch apply --onto` names.
    PatchTarget,
}

impl std::fmt::Display for BranchRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BranchRole::Production => "production",
            BranchRole::Develop => "develop",
            BranchRole::ReleaseLine => "release line",
            BranchRole::Hotfix => "hotfix",
            BranchRole::PatchTarget => "target",
        })
    }
}

/// How backport branches are named: `backport/{target}/{name}` by default. `{name}` is the
/// hotfix branch's name without its prefix (or the picked commit's short id); `{ticket}`
/// the hotfix's ticket, or `{name}` when the commits picked belong to no hotfix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct BackportTemplate(Template);

impl BackportTemplate {
    pub const PLACEHOLDERS: &'static [&'static str] = &["target", "name", "ticket"];
    pub const DEFAULT: &'static str = "backport/{target}/{name}";

    /// Every target needs a branch of its own: without `{target}` (a team backporting to
    /// one line, `backport/rc/{name}`) a run onto several lines is refused when planned.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        Ok(BackportTemplate(Template::parse(
            source,
            Self::PLACEHOLDERS,
        )?))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether each line gets a branch of its own name (`{target}` is in the template).
    pub fn names_target(&self) -> bool {
        self.0.uses("target")
    }

    pub fn render(&self, target: &str, name: &str, ticket: Option<&str>) -> Result<String> {
        let rendered = self.0.render(|placeholder| match placeholder {
            "target" => target.to_string(),
            "ticket" => ticket.unwrap_or(name).to_string(),
            _ => name.to_string(),
        });
        let branch = tidy_branch(&rendered);
        validate_ref(BRANCH_PREFIX, &branch)?;
        Ok(branch)
    }
}

impl<'de> serde::Deserialize<'de> for BackportTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BackportTemplate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A label that asks for a backport, naming the line in `{target}`: `backport {target}`
/// makes the label `backport release/1.2` ask for `release/1.2`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct BackportLabel(Template);

impl BackportLabel {
    pub const PLACEHOLDERS: &'static [&'static str] = &["target"];
    /// korthout/backport-action's spelling and the one GitHub's own labels suggest.
    pub const DEFAULTS: &'static [&'static str] = &["backport {target}", "backport-to-{target}"];

    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let template = Template::parse(source, Self::PLACEHOLDERS)?;
        match template.count("target") {
            0 => Err(TemplateError::Missing("target")),
            1 => Ok(BackportLabel(template)),
            _ => Err(TemplateError::Repeated("target")),
        }
    }

    /// The line `label` asks for, if it is one of these labels.
    pub fn target<'a>(&self, label: &'a str) -> Option<&'a str> {
        let (before, after) = self.0.split_around("target", |_| String::new());
        let target = label
            .strip_prefix(before.as_str())?
            .strip_suffix(after.as_str())?;
        (!target.trim().is_empty()).then(|| target.trim())
    }
}

impl std::fmt::Display for BackportLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> serde::Deserialize<'de> for BackportLabel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BackportLabel::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backport_labels_name_their_line() {
        let spaced = BackportLabel::parse("backport {target}").unwrap();
        let dashed = BackportLabel::parse("backport-to-{target}").unwrap();
        assert_eq!(spaced.target("backport release/1.2"), Some("release/1.2"));
        assert_eq!(dashed.target("backport-to-v2"), Some("v2"));
        assert_eq!(spaced.target("backport"), None);
        assert_eq!(spaced.target("backport "), None);
        assert_eq!(spaced.target("bug"), None);
        assert!(BackportLabel::parse("backport").is_err());
        assert!(BackportLabel::parse("{target}-{target}").is_err());
    }

    #[test]
    fn tickets_keep_their_case_and_transliterate() {
        assert_eq!(ticket("ENG-1234").unwrap(), "ENG-1234");
        assert_eq!(ticket("  ÉNG-12 ").unwrap(), "ENG-12");
        assert_eq!(ticket("#42").unwrap(), "#42");
    }

    #[test]
    fn tickets_git_refuses_are_errors_with_a_suggestion() {
        for (raw, suggestion) in [
            ("ENG 1234", Some("ENG-1234")),
            ("a..b", Some("a.b")),
            ("x~1", Some("x-1")),
            ("-x", Some("x")),
            ("x.lock", Some("x")),
            ("a/b", Some("a-b")),
            ("bell\u{7}", Some("bell")),
            ("", None),
        ] {
            match ticket(raw) {
                Err(Error::InvalidName { suggestion: s, .. }) => {
                    assert_eq!(s.as_deref(), suggestion, "{raw:?}")
                }
                other => panic!("{raw:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn slugs_are_lowercase_ascii_words() {
        assert_eq!(slug("Fix auth bypass (SSO)!"), "fix-auth-bypass-sso");
        assert_eq!(slug("  Ünïcödé  crash "), "unicode-crash");
        assert_eq!(slug("..~^:"), "");
        let long = slug(&"word ".repeat(30));
        assert!(long.len() <= MAX_SLUG && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn tidy_drops_separators_left_by_empty_placeholders() {
        assert_eq!(tidy_branch("hotfix/ENG-1-"), "hotfix/ENG-1");
        assert_eq!(tidy_branch("hotfix//-v1.2.4"), "hotfix/v1.2.4");
    }

    #[test]
    fn a_template_recognises_the_branches_it_could_have_made() {
        let template = BranchTemplate::parse(BranchTemplate::DEFAULT).unwrap();
        assert!(template.could_have_made("hotfix/ENG-1-login"));
        assert!(!template.could_have_made("fix/tokens"));
        let bare = BranchTemplate::parse("{ticket}").unwrap();
        assert!(!bare.could_have_made("ENG-1"));
    }

    #[test]
    fn feature_flags_are_names_a_command_cannot_misread() {
        for good in ["new-checkout", "ui.v2_beta", "team/flag:on"] {
            assert_eq!(feature_flag(good).unwrap(), good);
        }
        for bad in [
            "",
            "-rf",
            "--all",
            "new ui",
            "a;b",
            "x\u{200b}",
            "a\u{1b}[2J",
            "{version}",
        ] {
            assert!(
                matches!(feature_flag(bad), Err(Error::InvalidFlag { .. })),
                "{bad:?}"
            );
        }
        assert!(feature_flag(&"f".repeat(201)).is_err());
    }

    #[test]
    fn branch_templates_render_and_tidy() {
        let version = Version::parse("1.2.4").unwrap();
        let vars = |slug| BranchVars {
            ticket: "ENG-1234",
            slug,
            product: None,
            version: &version,
        };
        let t = BranchTemplate::parse(BranchTemplate::DEFAULT).unwrap();
        assert_eq!(
            t.render(&vars("fix-auth")).unwrap(),
            "hotfix/ENG-1234-fix-auth"
        );
        assert_eq!(t.render(&vars("")).unwrap(), "hotfix/ENG-1234");
        let by_product = BranchTemplate::parse("hotfix/{product}-v{version}").unwrap();
        let mobile = BranchVars {
            product: Some("mobile"),
            ..vars("")
        };
        assert_eq!(by_product.render(&mobile).unwrap(), "hotfix/mobile-v1.2.4");
        // A team without tickets names hotfixes by what they fix; a template that tells
        // no two hotfixes apart is refused.
        let by_slug = BranchTemplate::parse("hotfix/{slug}").unwrap();
        assert!(by_slug.names_by_slug());
        assert!(!t.names_by_slug() && !by_product.names_by_slug());
        assert_eq!(
            by_slug.render(&vars("critical-auth-fix")).unwrap(),
            "hotfix/critical-auth-fix"
        );
        assert_eq!(
            BranchTemplate::parse("hotfix/{product}"),
            Err(TemplateError::Missing("ticket"))
        );
    }

    #[test]
    fn ref_validation_uses_gits_rules() {
        assert!(validate_ref("refs/heads/", "hotfix/ENG-1-fix").is_ok());
        assert!(validate_ref("refs/heads/", "a..b").is_err());
        assert!(validate_ref("refs/heads/", "-x").is_err());
        assert!(validate_ref("refs/heads/", "x.lock").is_err());
    }
}

/// A pattern of branch names as git's wildmatch reads it (`release/*`, `v[0-9]*`), checked:
/// where git's matcher gives up (a `[` never closed, a lone `\\` at the end) it matches
/// nothing, silently, and a maintained line would be left out without a word.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct BranchGlob(pub String);

impl BranchGlob {
    pub fn parse(text: &str) -> Result<BranchGlob, String> {
        let why = |what: String| format!("`{text}` is not a branch pattern: {what}");
        if text.trim().is_empty() {
            return Err(why("it is empty".into()));
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if i + 1 == bytes.len() => {
                    return Err(why("it ends in a lone `\\`".into()));
                }
                b'\\' => i += 2,
                b'[' => {
                    let open = i;
                    i += 1;
                    if matches!(bytes.get(i), Some(b'!' | b'^')) {
                        i += 1;
                    }
                    // A `]` first in the set is one of its characters.
                    if bytes.get(i) == Some(&b']') {
                        i += 1;
                    }
                    loop {
                        match bytes.get(i) {
                            None => {
                                return Err(why(format!(
                                    "the `[` at character {} is never closed",
                                    open + 1
                                )));
                            }
                            Some(b']') => break,
                            Some(b'\\') => i += 2,
                            Some(b'[') if bytes.get(i + 1) == Some(&b':') => {
                                let class = text[i + 2..].find(":]").ok_or_else(|| {
                                    why(format!("the class at character {} is never closed", i + 1))
                                })?;
                                i += 2 + class + 2;
                            }
                            Some(_) => i += 1,
                        }
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        Ok(BranchGlob(text.to_string()))
    }
}

impl<'de> serde::Deserialize<'de> for BranchGlob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BranchGlob::parse(&text).map_err(serde::de::Error::custom)
    }
}
