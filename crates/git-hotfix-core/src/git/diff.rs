//! Diffs between two trees in git's own format, the one `git apply` and `git am` read:
//! `diff --git` headers, mode and rename lines, full `index` lines, unified hunks with
//! three lines of context, `\ No newline at end of file`, and `GIT binary patch` literals.

use std::io::Write as _;

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::diff::blob::unified_diff::{ConsumeHunk, ContextSize, DiffLineKind, HunkHeader};
use gix::diff::blob::{Algorithm, Diff, InternedInput, UnifiedDiff};

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::oid::short;
use crate::git::repo::Repo;

/// How a file changed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Added,
    Deleted,
    Modified,
    Renamed {
        /// How much of the file stayed the same, in percent.
        similarity: u8,
    },
}

/// One side of a file change.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Side {
    pub path: String,
    /// `100644`, `100755` or `120000`.
    pub mode: String,
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub id: ObjectId,
}

/// The change of one file, rendered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FileDiff {
    pub status: Status,
    pub old: Option<Side>,
    pub new: Option<Side>,
    pub binary: bool,
    pub insertions: u32,
    pub deletions: u32,
    /// The size in bytes before and after.
    pub sizes: (u64, u64),
    /// The whole `diff --git …` block, ending in a newline: bytes, as files need not be
    /// UTF-8.
    #[serde(skip)]
    pub text: Vec<u8>,
}

impl FileDiff {
    /// The path a reader knows it by: the new one, or the old one of a deleted file.
    pub fn path(&self) -> &str {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map_or("", |s| &s.path)
    }
}

/// Who reads the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `git apply` and `git am`: full object ids on `index` lines (a three-way merge
    /// needs them) and binary files as git's binary patches.
    Patch,
    /// A person: abbreviated ids, and `Binary files … differ`.
    Review,
}

/// The changes from `old` (none: the empty tree) to `new`, renames found as git finds
/// them (50% similar), in path order.
pub fn trees(
    repo: &Repo,
    old: Option<ObjectId>,
    new: ObjectId,
    style: Style,
) -> Result<Vec<FileDiff>> {
    let context = || format!("could not diff {} against its parent", short(new));
    let find_tree = |id: ObjectId| repo.git.find_tree(id).context(context);
    let old_tree = old.map(find_tree).transpose()?;
    let new_tree = find_tree(new)?;
    let mut options = gix::diff::Options::default();
    options.track_path();
    options.track_rewrites(Some(gix::diff::Rewrites::default()));
    let changes = repo
        .git
        .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(options))
        .context(context)?;
    let mut files = Vec::new();
    for change in changes {
        use gix::object::tree::diff::ChangeDetached as C;
        let side = |path: &BString, mode: gix::objs::tree::EntryMode, id: ObjectId| {
            (!mode.is_tree()).then(|| Side {
                path: path.to_str_lossy().into_owned(),
                mode: format!("{:o}", mode.kind() as u32),
                id,
            })
        };
        let (status, old, new) = match &change {
            C::Addition {
                location,
                entry_mode,
                id,
                ..
            } => (Status::Added, None, side(location, *entry_mode, *id)),
            C::Deletion {
                location,
                entry_mode,
                id,
                ..
            } => (Status::Deleted, side(location, *entry_mode, *id), None),
            C::Modification {
                location,
                previous_entry_mode,
                previous_id,
                entry_mode,
                id,
            } => (
                Status::Modified,
                side(location, *previous_entry_mode, *previous_id),
                side(location, *entry_mode, *id),
            ),
            C::Rewrite {
                source_location,
                source_entry_mode,
                source_id,
                diff,
                entry_mode,
                id,
                location,
                copy: _,
                ..
            } => {
                let similarity = match diff {
                    Some(stats) => (stats.similarity * 100.0).floor() as u8,
                    None => 100,
                };
                (
                    Status::Renamed { similarity },
                    side(source_location, *source_entry_mode, *source_id),
                    side(location, *entry_mode, *id),
                )
            }
        };
        // A directory that became a file (or back) is the file's addition or deletion; its
        // entries come as changes of their own.
        let status = match (&old, &new) {
            (None, None) => continue,
            (Some(_), None) => Status::Deleted,
            (None, Some(_)) => Status::Added,
            (Some(_), Some(_)) => status,
        };
        for side in old.iter().chain(new.iter()) {
            if side.mode == "160000" {
                return Err(Error::Submodule {
                    path: side.path.clone(),
                });
            }
        }
        files.push(render(repo, status, old, new, style)?);
    }
    files.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(files)
}

/// The diff of one commit against its first parent (none: against the empty tree).
pub fn commit(repo: &Repo, commit: ObjectId, style: Style) -> Result<Vec<FileDiff>> {
    let context = || format!("could not read commit {}", short(commit));
    let found = repo.git.find_commit(commit).context(context)?;
    let tree = found.tree_id().context(context)?.detach();
    let parent = match found.parent_ids().next() {
        Some(parent) => Some(
            repo.git
                .find_commit(parent)
                .and_then(|c| c.tree_id())
                .context(context)?
                .detach(),
        ),
        None => None,
    };
    trees(repo, parent, tree, style)
}

fn render(
    repo: &Repo,
    status: Status,
    old: Option<Side>,
    new: Option<Side>,
    style: Style,
) -> Result<FileDiff> {
    let read = |side: &Option<Side>| -> Result<Vec<u8>> {
        match side {
            Some(side) => Ok(repo
                .git
                .find_blob(side.id)
                .context(|| format!("could not read {}", side.path))?
                .take_data()),
            None => Ok(Vec::new()),
        }
    };
    let (before, after) = (read(&old)?, read(&new)?);
    let old_path = old.as_ref().or(new.as_ref()).map_or("", |s| &s.path);
    let new_path = new.as_ref().or(old.as_ref()).map_or("", |s| &s.path);
    let (a, b) = (quote("a/", old_path), quote("b/", new_path));
    // What `---`/`+++` and `Binary files` call each side.
    let old_label = if old.is_some() {
        a.as_str()
    } else {
        "/dev/null"
    };
    let new_label = if new.is_some() {
        b.as_str()
    } else {
        "/dev/null"
    };

    let mut text = format!("diff --git {a} {b}\n");
    let same_mode = matches!((&old, &new), (Some(o), Some(n)) if o.mode == n.mode);
    match (&old, &new) {
        (None, Some(new)) => text.push_str(&format!("new file mode {}\n", new.mode)),
        (Some(old), None) => text.push_str(&format!("deleted file mode {}\n", old.mode)),
        (Some(old), Some(new)) if !same_mode => {
            text.push_str(&format!("old mode {}\nnew mode {}\n", old.mode, new.mode));
        }
        _ => {}
    }
    if let Status::Renamed { similarity } = status {
        text.push_str(&format!(
            "similarity index {similarity}%\nrename from {}\nrename to {}\n",
            quote("", old_path),
            quote("", new_path)
        ));
    }
    let mut file = FileDiff {
        status,
        binary: false,
        insertions: 0,
        deletions: 0,
        sizes: (before.len() as u64, after.len() as u64),
        text: Vec::new(),
        old: old.clone(),
        new: new.clone(),
    };
    if before == after {
        // A pure rename or a mode change: no content to show.
        file.text = text.into_bytes();
        return Ok(file);
    }
    let null = ObjectId::null(repo.git.object_hash());
    let (old_id, new_id) = (
        old.as_ref().map_or(null, |s| s.id),
        new.as_ref().map_or(null, |s| s.id),
    );
    match style {
        Style::Patch => text.push_str(&format!("index {old_id}..{new_id}")),
        Style::Review => text.push_str(&format!("index {}..{}", short(old_id), short(new_id))),
    }
    if same_mode {
        text.push_str(&format!(" {}", new.as_ref().map_or("", |s| &s.mode)));
    }
    text.push('\n');

    if is_binary(&before) || is_binary(&after) {
        file.binary = true;
        match style {
            Style::Patch => {
                text.push_str("GIT binary patch\n");
                text.push_str(&crate::foundation::patch::binary_literal(&after));
                text.push('\n');
                text.push_str(&crate::foundation::patch::binary_literal(&before));
                text.push('\n');
            }
            Style::Review => {
                text.push_str(&format!(
                    "Binary files {old_label} and {new_label} differ\n"
                ));
            }
        }
        file.text = text.into_bytes();
        return Ok(file);
    }

    // GNU patch reads a name up to a tab; git ends names with spaces in one.
    let tab = |label: &str| if label.contains(' ') { "\t" } else { "" };
    text.push_str(&format!("--- {old_label}{}\n", tab(old_label)));
    text.push_str(&format!("+++ {new_label}{}\n", tab(new_label)));
    let hunks = hunks(&before, &after);
    file.insertions = hunks.insertions;
    file.deletions = hunks.deletions;
    let mut text = text.into_bytes();
    text.extend_from_slice(&hunks.text);
    file.text = text;
    Ok(file)
}

/// git's test: a NUL byte in the first 8000 bytes.
pub fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8000)].contains(&0)
}

struct Hunks {
    text: Vec<u8>,
    insertions: u32,
    deletions: u32,
}

impl ConsumeHunk for Hunks {
    type Out = Hunks;

    fn consume_hunk(
        &mut self,
        header: HunkHeader,
        lines: &[(DiffLineKind, &[u8])],
    ) -> std::io::Result<()> {
        // git writes an empty side as starting at line 0 and leaves out a length of 1.
        let range = |start: u32, len: u32| match len {
            0 => format!("{},0", start.saturating_sub(1)),
            1 => start.to_string(),
            _ => format!("{start},{len}"),
        };
        writeln!(
            self.text,
            "@@ -{} +{} @@",
            range(header.before_hunk_start, header.before_hunk_len),
            range(header.after_hunk_start, header.after_hunk_len)
        )?;
        for (kind, line) in lines {
            match kind {
                DiffLineKind::Add => self.insertions += 1,
                DiffLineKind::Remove => self.deletions += 1,
                DiffLineKind::Context => {}
            }
            self.text.push(kind.to_prefix() as u8);
            self.text.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                self.text
                    .extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        }
        Ok(())
    }

    fn finish(self) -> Hunks {
        self
    }
}

fn hunks(before: &[u8], after: &[u8]) -> Hunks {
    let input = InternedInput::new(before, after);
    let mut diff = Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    let sink = Hunks {
        text: Vec::new(),
        insertions: 0,
        deletions: 0,
    };
    UnifiedDiff::new(&diff, &input, sink, ContextSize::symmetrical(3))
        .consume()
        .expect("writing to memory does not fail")
}

/// A path as git prints it in a patch: C-quoted when it has bytes beyond printable ASCII,
/// a quote or a backslash (git's `core.quotePath`).
pub fn quote(prefix: &str, path: &str) -> String {
    let needs = path
        .bytes()
        .any(|b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\');
    if !needs {
        return format!("{prefix}{path}");
    }
    let mut out = String::from("\"");
    out.push_str(prefix);
    for byte in path.bytes() {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b if !(0x20..0x7f).contains(&b) => out.push_str(&format!("\\{b:03o}")),
            b => out.push(b as char),
        }
    }
    out.push('"');
    out
}

/// The file-level changes from tree `old` to tree `new`, without rename tracking. Unlike
/// `Repository::diff_tree_to_tree` this needs no attribute or blob cache (which reads the
/// whole index), so it costs only the trees that differ.
pub(crate) fn tree_changes(repo: &Repo, old: ObjectId, new: ObjectId) -> Result<Vec<TreeChange>> {
    let context = || {
        format!(
            "could not compare the trees {} and {}",
            short(old),
            short(new)
        )
    };
    let old = repo.git.find_tree(old).context(context)?;
    let new = repo.git.find_tree(new).context(context)?;
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&old.data, repo.git.object_hash()),
        gix::objs::TreeRefIter::from_bytes(&new.data, repo.git.object_hash()),
        gix::diff::tree::State::default(),
        &repo.git.objects,
        &mut recorder,
    )
    .map_err(|err| Error::Git {
        context: context(),
        source: gix::Error::from_error(err),
    })?;
    Ok(recorder.records)
}

pub(crate) type TreeChange = gix::diff::tree::recorder::Change;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_paths_as_git_does() {
        assert_eq!(quote("a/", "plain name.txt"), "a/plain name.txt");
        assert_eq!(quote("a/", "café.txt"), "\"a/caf\\303\\251.txt\"");
        assert_eq!(quote("", "tab\there\"q\\"), "\"tab\\there\\\"q\\\\\"");
    }

    #[test]
    fn hunks_mark_a_missing_final_newline_and_empty_sides() {
        let out = hunks(b"", b"one\ntwo");
        assert_eq!(
            String::from_utf8(out.text).unwrap(),
            "@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file\n"
        );
        let out = hunks(b"a\nb\nc\nd\ne\nf\ng\nh\n", b"a\nb\nc\nd\nE\nf\ng\nh\n");
        assert_eq!(
            String::from_utf8(out.text).unwrap(),
            "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!((out.insertions, out.deletions), (1, 1));
    }
}
