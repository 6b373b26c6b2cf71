//! The release commit `finish` makes on top of the fix: the version moved in every version
//! file (through the version-files policy) and an entry in the changelog, with messages
//! from templates in configuration.

use gix::ObjectId;

use crate::changelog::{self, Added, Format};
use crate::error::{Error, GitContext, Result};
use crate::journal::Journal;
use crate::policy::VersionFiles;
use crate::repo::{Repo, short};
use crate::template::{Template, TemplateError};

/// A message template: the release commit's, the tag's, a changelog entry's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// The facts of `journal`'s release, made on `date`.
    pub fn of(journal: &Journal, date: String) -> Facts {
        Facts {
            version: journal.version.to_string(),
            ticket: journal.ticket.clone(),
            description: if journal.description.is_empty() {
                journal.ticket.clone()
            } else {
                journal.description.clone()
            },
            severity: journal
                .assessment
                .as_ref()
                .map(|a| a.severity.clone())
                .unwrap_or_default(),
            date,
            product: journal.product.clone().unwrap_or_default(),
            tag: journal.tag.clone(),
        }
    }

    /// The facts of `journal`'s release made now, dated by the committer of `mem`.
    pub fn now(journal: &Journal, mem: &Repo) -> Result<Facts> {
        Ok(Facts::of(journal, date_of(&mem.committer()?)))
    }

    fn get(&self, name: &str) -> &str {
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
    fn default_entry(&self, format: Format) -> String {
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

/// The date of a signature, in its own time zone: `2026-03-05`.
pub fn date_of(signature: &gix::actor::Signature) -> String {
    let time = signature.time;
    let offset = jiff::tz::Offset::from_seconds(time.offset).unwrap_or(jiff::tz::Offset::UTC);
    jiff::Timestamp::from_second(time.seconds)
        .map(|t| t.to_zoned(offset.to_time_zone()).date().to_string())
        .unwrap_or_default()
}

/// One file a release commit changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bump {
    pub path: String,
    pub from: String,
    pub to: String,
}

/// The changelog entry a release commit adds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangelogEntry {
    pub path: String,
    pub format: Format,
    pub text: String,
    /// The file did not exist.
    pub created: bool,
}

/// The commit that moves the version in every version file, made on top of the fix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReleaseCommit {
    #[serde(with = "crate::oid::hex")]
    pub commit: ObjectId,
    pub message: String,
    pub bumps: Vec<Bump>,
    #[serde(default)]
    pub changelog: Option<ChangelogEntry>,
}

impl ReleaseCommit {
    /// Its changelog entry: the notes of the release published on the forge.
    pub fn notes(&self) -> Option<String> {
        self.changelog.as_ref().map(|c| c.text.clone())
    }
}

/// Which version files to bump.
pub struct VersionBump<'a> {
    pub policy: &'a dyn VersionFiles,
    /// The files configured; empty: those the policy finds at the repository's root.
    pub named: &'a [String],
}

/// Which changelog to write, and what.
pub struct ChangelogSpec<'a> {
    pub file: crate::config::Changelog<'a>,
    /// `--changelog`: the entry's text as given.
    pub text: Option<&'a str>,
    pub template: Option<&'a MessageTemplate>,
}

/// Make the release commit on `tip` with `bump` and `changelog`, writing objects to `mem`.
/// `None` when there is nothing to change.
pub fn commit(
    repo: &Repo,
    mem: &Repo,
    tip: ObjectId,
    facts: &Facts,
    message: &str,
    bump: Option<VersionBump>,
    changelog: Option<ChangelogSpec>,
) -> Result<Option<ReleaseCommit>> {
    let context = || format!("could not read the tree of {}", short(tip));
    let tree = repo
        .git
        .find_commit(tip)
        .and_then(|c| c.tree())
        .context(context)?;
    let mut editor = mem.git.edit_tree(tree.id).context(context)?;
    let mut write = |path: &str, content: &str| -> Result<()> {
        let blob = mem
            .git
            .write_blob(content.as_bytes())
            .context(|| format!("could not write {path}"))?;
        // The file keeps its mode (an executable stays executable).
        let kind = tree
            .lookup_entry_by_path(path)
            .context(context)?
            .map_or(gix::objs::tree::EntryKind::Blob, |e| e.mode().kind());
        editor
            .upsert(path, kind, blob.detach())
            .context(|| format!("could not change {path}"))?;
        Ok(())
    };

    let bumps = match bump {
        Some(bump) => bump_versions(repo, &tree, tip, bump, &facts.version, &mut write)?,
        None => Vec::new(),
    };
    let entry = match changelog {
        Some(spec) => add_entry(repo, tip, facts, spec, &mut write)?,
        None => None,
    };
    if bumps.is_empty() && entry.is_none() {
        return Ok(None);
    }
    let new_tree = editor.write().context(context)?.detach();
    let mut message = message.to_string();
    if !message.ends_with('\n') {
        message.push('\n');
    }
    let commit = crate::merge::commit(mem, &message, new_tree, [tip])?;
    Ok(Some(ReleaseCommit {
        commit,
        message,
        bumps,
        changelog: entry,
    }))
}

fn bump_versions(
    repo: &Repo,
    tree: &gix::Tree<'_>,
    tip: ObjectId,
    bump: VersionBump,
    version: &str,
    write: &mut dyn FnMut(&str, &str) -> Result<()>,
) -> Result<Vec<Bump>> {
    let VersionBump { policy, named } = bump;
    let unreadable = |path: &str, problem: &str| Error::VersionFile {
        path: path.to_string(),
        problem: problem.to_string(),
    };
    let paths = if named.is_empty() {
        let root: Vec<String> = tree
            .iter()
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.mode().is_blob())
            .map(|entry| entry.filename().to_string())
            .collect();
        policy.detect(&root)?
    } else {
        let handled = policy.detect(named)?;
        if let Some(unknown) = named.iter().find(|p| !handled.contains(p)) {
            return Err(Error::Policy {
                policy: "version-files".into(),
                message: format!("it does not handle {unknown}"),
            });
        }
        named.to_vec()
    };
    let mut bumps = Vec::new();
    for path in paths {
        let content = repo
            .read_file_at(tip, &path)?
            .ok_or_else(|| unreadable(&path, &format!("does not exist at {}", short(tip))))?;
        let content =
            String::from_utf8(content).map_err(|_| unreadable(&path, "is not UTF-8 text"))?;
        let from = policy.read(&path, &content)?;
        let written = policy.write(&path, &content, version)?;
        if written == content {
            continue;
        }
        let to = policy.read(&path, &written)?;
        write(&path, &written)?;
        bumps.push(Bump { path, from, to });
    }
    Ok(bumps)
}

fn add_entry(
    repo: &Repo,
    tip: ObjectId,
    facts: &Facts,
    spec: ChangelogSpec,
    write: &mut dyn FnMut(&str, &str) -> Result<()>,
) -> Result<Option<ChangelogEntry>> {
    let path = spec.file.path;
    let problem = |problem: String| Error::Changelog {
        path: path.to_string(),
        problem,
    };
    let content = match repo.read_file_at(tip, path)? {
        Some(bytes) => {
            Some(String::from_utf8(bytes).map_err(|_| problem("it is not UTF-8 text".into()))?)
        }
        None if spec.file.create => None,
        None => return Ok(None),
    };
    let format = changelog::resolve(content.as_deref(), spec.file.format)
        .map_err(|err| problem(err.to_string()))?;
    let text = match (spec.text, spec.template) {
        (Some(text), _) => text.to_string(),
        (None, Some(template)) => template.render(facts),
        (None, None) => facts.default_entry(format),
    };
    let entry = changelog::Entry {
        version: &facts.version,
        date: &facts.date,
        text: &text,
    };
    match changelog::add(content.as_deref(), format, &entry) {
        Added::AlreadyThere => Ok(None),
        Added::Written(written) => {
            write(path, &written)?;
            Ok(Some(ChangelogEntry {
                path: path.to_string(),
                format,
                text,
                created: content.is_none(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(description: &str, severity: &str) -> Facts {
        Facts {
            version: "1.2.4".into(),
            ticket: "ENG-1234".into(),
            description: description.into(),
            severity: severity.into(),
            date: "2026-03-05".into(),
            product: String::new(),
            tag: "v1.2.4".into(),
        }
    }

    #[test]
    fn the_default_entry_names_the_ticket_and_the_severity_when_known() {
        let known = facts("Reject expired tokens", "P0");
        assert_eq!(
            known.default_entry(Format::KeepAChangelog),
            "Reject expired tokens (ENG-1234, P0)"
        );
        assert_eq!(
            known.default_entry(Format::Table),
            "HOTFIX: Reject expired tokens (ENG-1234, P0)"
        );
        let unknown = facts("Reject expired tokens", "");
        assert_eq!(
            unknown.default_entry(Format::KeepAChangelog),
            "Reject expired tokens (ENG-1234)"
        );
        let bare = facts("ENG-1234", "");
        assert_eq!(bare.default_entry(Format::KeepAChangelog), "ENG-1234");
    }

    #[test]
    fn templates_fill_every_placeholder() {
        let template =
            MessageTemplate::parse("{tag} {version} {ticket} {severity} {date}: {description}")
                .unwrap();
        assert_eq!(
            template.render(&facts("Fix", "P1")),
            "v1.2.4 1.2.4 ENG-1234 P1 2026-03-05: Fix"
        );
        assert!(MessageTemplate::parse("{verison}").is_err());
    }
}
