//! `patch export`: one mail per commit, numbered `0001-<subject>.patch`, and the manifest.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::oid::short;
use crate::foundation::patch::mail::Mail;
use crate::foundation::patch::{
    MANIFEST, MANIFEST_FORMAT, Manifest, ManifestEntry, Source, sha256,
};
use crate::git::diff::{self, FileDiff, Status, Style};
use crate::git::repo::Repo;
use crate::operations::backport::{self, What};
use crate::records::journal::write_atomically;

/// One patch file of a series.
#[derive(Debug, Clone)]
pub struct PatchFile {
    pub name: String,
    pub commit: ObjectId,
    pub subject: String,
    pub content: Vec<u8>,
}

/// A series and its manifest.
#[derive(Debug, Clone)]
pub struct Series {
    pub patches: Vec<PatchFile>,
    pub manifest: Manifest,
}

impl Series {
    /// Write the patches and `manifest.json` into `dir`, each file whole or not at all.
    /// Other `.patch` files there would join the series in `git am dir/*.patch`: they are
    /// refused before anything is written.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let ours: Vec<&str> = self.patches.iter().map(|p| p.name.as_str()).collect();
            let mut strangers: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".patch") && !ours.contains(&name.as_str()))
                .collect();
            if !strangers.is_empty() {
                strangers.sort();
                return Err(Error::OtherPatches {
                    dir: dir.to_path_buf(),
                    files: strangers,
                });
            }
        }
        let mut written = Vec::new();
        for patch in &self.patches {
            let path = dir.join(&patch.name);
            write_atomically(&path, &patch.content)?;
            written.push(path);
        }
        let mut manifest =
            serde_json::to_vec_pretty(&self.manifest).expect("a manifest serializes");
        manifest.push(b'\n');
        let path = dir.join(MANIFEST);
        write_atomically(&path, &manifest)?;
        written.push(path);
        Ok(written)
    }

    /// The series as one mbox, as `git format-patch --stdout` prints it.
    pub fn mbox(&self) -> Vec<u8> {
        self.patches
            .iter()
            .flat_map(|p| p.content.iter().copied())
            .collect()
    }
}

/// The patches of the commits `what` names, oldest first.
pub fn export(repo: &Repo, what: &What, remote: &str) -> Result<Series> {
    let sources = backport::sources(repo, what)?;
    let total = sources.commits.len();
    let mut patches = Vec::new();
    for (index, commit) in sources.commits.iter().enumerate() {
        patches.push(patch_file(repo, *commit, index + 1, total)?);
    }
    let base = match sources.commits.first() {
        Some(first) => repo
            .git
            .find_commit(*first)
            .context(|| format!("could not read {}", short(*first)))?
            .parent_ids()
            .next()
            .map(|id| id.detach()),
        None => None,
    };
    let journal = sources.journal.as_ref();
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_string(),
        source: Source {
            repository: repo.remote_url(remote),
            base,
            commits: sources.commits.clone(),
        },
        ticket: journal.map(|j| j.ticket.clone()),
        version: journal.map(|j| j.version.to_string()),
        severity: journal.and_then(|j| j.assessment.as_ref().map(|a| a.level().to_string())),
        product: journal.and_then(|j| j.product.clone()),
        patches: patches
            .iter()
            .map(|p| ManifestEntry {
                file: p.name.clone(),
                commit: p.commit,
                subject: p.subject.clone(),
                sha256: sha256(&p.content),
            })
            .collect(),
    };
    Ok(Series { patches, manifest })
}

fn patch_file(repo: &Repo, commit: ObjectId, number: usize, total: usize) -> Result<PatchFile> {
    let context = || format!("could not read commit {}", short(commit));
    let found = repo.git.find_commit(commit).context(context)?;
    let parents = found.parent_ids().count();
    if parents > 1 {
        return Err(Error::MergeCommit {
            commit: short(commit),
            parents,
        });
    }
    let decoded = found.decode().context(context)?;
    let author = decoded.author().context(context)?;
    let time = author.time().context(context)?;
    let message = String::from_utf8_lossy(decoded.message).into_owned();
    let (subject, body) = split_message(&message);
    let files = diff::commit(repo, commit, Style::Patch)?;
    let mut patch = stat(&files).into_bytes();
    patch.push(b'\n');
    for file in &files {
        patch.extend_from_slice(&file.text);
    }
    patch
        .extend_from_slice(format!("-- \ngit-hotfix {}\n\n", env!("CARGO_PKG_VERSION")).as_bytes());
    let mail = Mail {
        commit: Some(commit),
        author_name: author.name.to_string(),
        author_email: author.email.to_string(),
        date: (time.seconds, time.offset),
        subject: subject.clone(),
        body,
        patch,
    };
    Ok(PatchFile {
        name: format!("{number:04}-{}.patch", file_slug(&subject)),
        commit,
        subject,
        content: mail.write(number, total),
    })
}

/// The subject is the first paragraph on one line, as git makes it; the body the rest.
fn split_message(message: &str) -> (String, String) {
    let message = message.trim_start_matches('\n');
    let (first, rest) = message.split_once("\n\n").unwrap_or((message, ""));
    let subject = first.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    (subject, rest.trim_end().to_string())
}

/// A file name from a subject as git makes it: letters, digits, `.` and `_`, other runs
/// made one `-`, at most 52 characters.
fn file_slug(subject: &str) -> String {
    let mut out = String::new();
    for c in subject.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut slug = out.trim_matches(['-', '.']).to_string();
    slug.truncate(52);
    let slug = slug.trim_end_matches(['-', '.']).to_string();
    if slug.is_empty() {
        "patch".to_string()
    } else {
        slug
    }
}

/// The diffstat: ` path | 3 ++-`, the totals, then created, deleted, renamed files and
/// mode changes, as git lists them.
fn stat(files: &[FileDiff]) -> String {
    let name = |f: &FileDiff| match (&f.old, &f.new, f.status) {
        (Some(old), Some(new), Status::Renamed { .. }) => format!("{} => {}", old.path, new.path),
        _ => f.path().to_string(),
    };
    let names: Vec<String> = files.iter().map(name).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let most = files
        .iter()
        .map(|f| f.insertions + f.deletions)
        .max()
        .unwrap_or(0);
    let count_width = most.to_string().len();
    // The graph fits in 72 columns, at least 6 wide.
    let graph_width = 72usize.saturating_sub(width + count_width + 4).max(6) as u32;
    let mut out = String::new();
    let (mut insertions, mut deletions) = (0, 0);
    for (file, name) in files.iter().zip(&names) {
        insertions += file.insertions;
        deletions += file.deletions;
        let pad = width - name.chars().count();
        if file.binary {
            let (before, after) = file.sizes;
            out.push_str(&format!(
                " {name}{} | Bin {before} -> {after} bytes\n",
                " ".repeat(pad)
            ));
            continue;
        }
        let changed = file.insertions + file.deletions;
        let (plus, minus) = if most > graph_width {
            let scale = |n: u32| {
                if n == 0 {
                    0
                } else {
                    ((n as u64 * graph_width as u64) / most as u64).max(1) as u32
                }
            };
            (scale(file.insertions), scale(file.deletions))
        } else {
            (file.insertions, file.deletions)
        };
        out.push_str(&format!(
            " {name}{} | {changed:>count_width$} {}{}\n",
            " ".repeat(pad),
            "+".repeat(plus as usize),
            "-".repeat(minus as usize)
        ));
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&format!(" {} changed", plural(files.len(), "file")));
    if insertions > 0 || deletions == 0 {
        out.push_str(&format!(
            ", {}(+)",
            plural(insertions as usize, "insertion")
        ));
    }
    if deletions > 0 || insertions == 0 {
        out.push_str(&format!(", {}(-)", plural(deletions as usize, "deletion")));
    }
    out.push('\n');
    for file in files {
        match (&file.old, &file.new, file.status) {
            (None, Some(new), _) => {
                out.push_str(&format!(" create mode {} {}\n", new.mode, new.path))
            }
            (Some(old), None, _) => {
                out.push_str(&format!(" delete mode {} {}\n", old.mode, old.path))
            }
            (Some(old), Some(new), Status::Renamed { similarity }) => out.push_str(&format!(
                " rename {} => {} ({similarity}%)\n",
                old.path, new.path
            )),
            (Some(old), Some(new), _) if old.mode != new.mode => out.push_str(&format!(
                " mode change {} => {} {}\n",
                old.mode, new.mode, new.path
            )),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_gits() {
        assert_eq!(
            file_slug("fix: refuse unsigned tokens (ENG-1234)"),
            "fix-refuse-unsigned-tokens-ENG-1234"
        );
        assert_eq!(file_slug("..."), "patch");
        assert_eq!(file_slug(&"a".repeat(80)).len(), 52);
    }

    #[test]
    fn the_subject_is_the_first_paragraph() {
        assert_eq!(
            split_message("fix: one\ntwo\n\nBody\n\nMore\n"),
            ("fix: one two".to_string(), "Body\n\nMore".to_string())
        );
    }
}
