//! The release commit `finish` makes on top of the fix: the version moved in every version
//! file (through the version-files policy) and an entry in the changelog, with messages
//! from templates in configuration.

use gix::ObjectId;

use crate::foundation::changelog::{self, Added};
use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::messages::Facts;
use crate::foundation::messages::MessageTemplate;
use crate::foundation::oid::short;
use crate::git::repo::Repo;
use crate::git::tags::ReleaseTags;
use crate::records::journal::Bump;
use crate::records::journal::ChangelogEntry;
use crate::records::journal::Held;
use crate::records::journal::Journal;
use crate::records::journal::ReleaseCommit;
use crate::settings::config::Config;
use crate::settings::policy::VersionFiles;

/// The date of a signature, in its own time zone: `2026-03-05`.
pub fn date_of(signature: &gix::actor::Signature) -> String {
    let time = signature.time;
    let offset = jiff::tz::Offset::from_seconds(time.offset).unwrap_or(jiff::tz::Offset::UTC);
    jiff::Timestamp::from_second(time.seconds)
        .map(|t| t.to_zoned(offset.to_time_zone()).date().to_string())
        .unwrap_or_default()
}

/// Which version files to bump.
pub struct VersionBump<'a> {
    pub policy: &'a dyn VersionFiles,
    /// The files configured; empty: those the policy finds at the repository's root.
    pub named: &'a [String],
}

/// Which changelog to write, and what.
pub struct ChangelogSpec<'a> {
    pub file: crate::settings::config::Changelog<'a>,
    /// `--changelog`: the entry's text as given.
    pub text: Option<&'a str>,
    pub template: Option<&'a MessageTemplate>,
}

/// Make the release commit on `tip` with `bump` and `changelog`, its objects in `mem`:
/// `None` when there is nothing to change; and what `tip` held already.
pub fn commit(
    mem: &Repo,
    tip: ObjectId,
    facts: &Facts,
    message: &str,
    bump: Option<VersionBump>,
    changelog: Option<ChangelogSpec>,
) -> Result<(Option<ReleaseCommit>, Held)> {
    let context = || format!("could not read the tree of {}", short(tip));
    let tree = mem
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

    let mut held = Held::default();
    let bumps = match bump {
        Some(bump) => bump_versions(mem, &tree, tip, bump, &facts.version, &mut write, &mut held)?,
        None => Vec::new(),
    };
    let entry = match changelog {
        Some(spec) => add_entry(mem, tip, facts, spec, &mut write, &mut held)?,
        None => None,
    };
    if bumps.is_empty() && entry.is_none() {
        return Ok((None, held));
    }
    let new_tree = editor.write().context(context)?.detach();
    let mut message = message.to_string();
    if !message.ends_with('\n') {
        message.push('\n');
    }
    let commit = crate::git::merge::commit(mem, &message, new_tree, [tip])?;
    let release = ReleaseCommit {
        commit,
        message,
        bumps,
        changelog: entry,
    };
    Ok((Some(release), held))
}

fn bump_versions(
    repo: &Repo,
    tree: &gix::Tree<'_>,
    tip: ObjectId,
    bump: VersionBump,
    version: &str,
    write: &mut dyn FnMut(&str, &str) -> Result<()>,
    held: &mut Held,
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
        crate::settings::policy::detected(policy, &root)?
    } else {
        let handled = crate::settings::policy::detected(policy, named)?;
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
        let from = crate::settings::policy::read_version(policy, &path, &content)?;
        let (written, read) =
            crate::settings::policy::write_version(policy, &path, &content, version)?;
        let Some(to) = read else {
            // The fix moved it already (`0.1.1+6` holds 0.1.1: a build number follows).
            if from.split('+').next() == Some(version) {
                held.version_files.push(path);
            }
            continue;
        };
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
    held: &mut Held,
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
        // The product's table is found by its heading: the one the product names, or its name.
        product: spec
            .file
            .heading
            .or(Some(facts.product.as_str()))
            .filter(|p| !p.is_empty()),
    };
    match changelog::add(content.as_deref(), format, &entry)
        .map_err(|err| problem(err.to_string()))?
    {
        Added::AlreadyThere => {
            held.changelog = Some(path.to_string());
            Ok(None)
        }
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

/// The facts of `journal`'s release, made on `date`.
pub fn facts(journal: &Journal, date: String) -> Facts {
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
            .map(|a| a.level().to_string())
            .unwrap_or_default(),
        date,
        product: journal.product.clone().unwrap_or_default(),
        tag: journal.tag.clone(),
    }
}

/// The facts of `journal`'s release made now, dated by the committer of `mem`.
pub fn facts_now(journal: &Journal, mem: &Repo) -> Result<Facts> {
    Ok(facts(journal, date_of(&mem.committer()?)))
}

/// Refuse to publish `release` (the commit `journal`'s tag names) on the configured remote
/// when the remote has a release of the same line below it that it lacks, or one above it
/// that lacks it: someone released there since, and a release holds every earlier release
/// of its line.
pub fn ensure_holds_published(
    repo: &Repo,
    config: &Config,
    journal: &Journal,
    release: ObjectId,
) -> Result<()> {
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let product = product.map(|(n, _)| n);
    let version = &journal.version;
    let known = |commit: ObjectId| repo.git.find_object(commit).is_ok();
    let theirs = crate::git::cli::remote_tag_commits(repo, &config.remote)?;
    // Published already: what came after it is not this push's doing.
    if theirs
        .iter()
        .any(|(name, commit)| *name == journal.tag && *commit == release)
    {
        return Ok(());
    }
    for (name, commit) in theirs {
        let Some(Ok(theirs)) = pattern.version_of(&name, product) else {
            continue;
        };
        let counts = version.is_prerelease() || !theirs.is_prerelease();
        if theirs.major_minor() != version.major_minor() || !counts || theirs == *version {
            continue;
        }
        // Below ours, it must be in ours; above, ours must be in it.
        if theirs < *version && !(known(commit) && repo.is_ancestor(commit, release)?) {
            return Err(Error::LacksRelease {
                release: journal.tag.clone(),
                missing: name,
                remote: config.remote.clone(),
            });
        }
        if theirs > *version && !(known(commit) && repo.is_ancestor(release, commit)?) {
            return Err(Error::OlderThanReleased {
                release: journal.tag.clone(),
                newer: name,
                remote: config.remote.clone(),
                suggestion: theirs.next_patch().to_string(),
            });
        }
    }
    Ok(())
}

/// Whether `journal`'s version is the highest release of its product: the release a forge
/// should show as latest (a fix to an older line is not).
pub fn is_latest(repo: &Repo, config: &Config, journal: &Journal) -> Result<bool> {
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let product = product.map(|(n, _)| n);
    let tags = ReleaseTags::read(repo, pattern, product)?;
    if tags.versions().any(|v| *v > journal.version) {
        return Ok(false);
    }
    // A clone may lack tags (a CI checkout has few; a colleague's newer release may not be
    // fetched yet): the remote's say too.
    if repo.has_remote(&config.remote) {
        let names = crate::git::cli::remote_tags(repo, &config.remote)?;
        let newer = names.iter().any(
            |name| matches!(pattern.version_of(name, product), Some(Ok(v)) if v > journal.version),
        );
        return Ok(!newer);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::changelog::Format;

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
