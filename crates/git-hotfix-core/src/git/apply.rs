//! Applying the file patches of a mail to a tree as `git apply` does, in the object
//! database only: every line of a hunk must match exactly (git has no fuzz by default), at
//! the line the hunk names or the nearest offset, at the start or end of the file when the
//! hunk has no context there; a binary patch applies only to the blob it was made against.

use std::collections::BTreeMap;

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::patch::parse::{BinaryChange, Body, FilePatch, Hunk, Line};
use crate::git::repo::Repo;

/// What applying a mail's patches to a tree gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Clean {
        tree: ObjectId,
    },
    /// Some hunks or files did not apply.
    Rejected(Rejected),
    /// The patch changes what git refuses to let a patch change (a file where its path needs
    /// a directory, a path beyond a symbolic link): nothing of it is to be written.
    Refused(Failure),
}

/// A patch that did not apply: what did (as `git apply --reject` leaves it) and what not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The tree with every hunk and file that applied.
    pub partial: ObjectId,
    /// In the order git meets them; the first is the one `git apply` reports.
    pub failures: Vec<Failure>,
    /// The `.rej` file to leave next to each file with hunks left out: path and content.
    pub rejects: Vec<(String, Vec<u8>)>,
}

/// One part of a patch that does not apply.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Failure {
    pub path: String,
    #[serde(flatten)]
    pub problem: Problem,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    /// Hunk `number` (from 1) matches nowhere in the file.
    Hunk {
        number: usize,
        /// Its `@@ -a,b +c,d @@` line.
        header: String,
        /// The line it names in the old file, as `git apply` reports it (`path:line`).
        line: usize,
    },
    /// The file is not what the patch expects.
    File { reason: String },
    /// The patch would change what git never lets a patch change.
    Refused { reason: String },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            Problem::Hunk { number, header, .. } => write!(
                f,
                "hunk #{number} ({header}) of {} matches nowhere",
                self.path
            ),
            Problem::File { reason } | Problem::Refused { reason } => {
                write!(f, "{}: {reason}", self.path)
            }
        }
    }
}

/// A tree entry: its kind and object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub kind: EntryKind,
    pub id: ObjectId,
}

/// A tree with edits on top, read as the edited tree.
struct Overlay<'r> {
    repo: &'r Repo,
    base: ObjectId,
    edits: BTreeMap<String, Option<Entry>>,
}

impl<'r> Overlay<'r> {
    fn new(repo: &'r Repo, base: ObjectId) -> Self {
        Overlay {
            repo,
            base,
            edits: BTreeMap::new(),
        }
    }

    fn get(&self, path: &str) -> Result<Option<Entry>> {
        if let Some(edit) = self.edits.get(path) {
            return Ok(*edit);
        }
        entry_at(self.repo, self.base, path)
    }

    fn set(&mut self, path: &str, entry: Option<Entry>) {
        self.edits.insert(path.to_string(), entry);
    }

    /// Removals first, so a file can make way for a directory of the same name.
    fn write(self) -> Result<ObjectId> {
        let context = || "could not write the patched tree".to_string();
        let mut editor = self.repo.git.edit_tree(self.base).context(context)?;
        for path in self
            .edits
            .iter()
            .filter(|(_, e)| e.is_none())
            .map(|(p, _)| p)
        {
            editor.remove(path.as_str()).context(context)?;
        }
        for (path, entry) in self.edits.iter() {
            if let Some(entry) = entry {
                editor
                    .upsert(path.as_str(), entry.kind, entry.id)
                    .context(context)?;
            }
        }
        Ok(editor.write().context(context)?.detach())
    }
}

/// The entry at `path` in `tree`, if any.
pub(crate) fn entry_at(repo: &Repo, tree: ObjectId, path: &str) -> Result<Option<Entry>> {
    let context = || format!("could not look up {path}");
    let tree = repo.git.find_tree(tree).context(context)?;
    Ok(tree
        .lookup_entry_by_path(path)
        .context(context)?
        .map(|e| Entry {
            kind: e.mode().kind(),
            id: e.object_id(),
        }))
}

/// Apply `files` (one mail's patches, in order) to `tree`, writing blobs and trees to
/// `repo`. Submodule changes are an error: there is no content here to apply them to.
pub fn apply(repo: &Repo, tree: ObjectId, files: &[FilePatch]) -> Result<Applied> {
    let mut overlay = Overlay::new(repo, tree);
    let mut failures = Vec::new();
    let mut rejects = Vec::new();
    for file in files {
        let (failed, rejected) = apply_file(repo, &mut overlay, file)?;
        if let Some(refused) = failed
            .iter()
            .find(|f| matches!(f.problem, Problem::Refused { .. }))
        {
            return Ok(Applied::Refused(refused.clone()));
        }
        failures.extend(failed);
        rejects.extend(rejected);
    }
    let tree = overlay.write()?;
    Ok(if failures.is_empty() {
        Applied::Clean { tree }
    } else {
        Applied::Rejected(Rejected {
            partial: tree,
            failures,
            rejects,
        })
    })
}

/// What did not apply of a file, and the `.rej` file for its hunks left out.
type FileFailures = (Vec<Failure>, Option<(String, Vec<u8>)>);

/// Apply one file's patch to `overlay` (what applies of it, when some hunks do not).
fn apply_file(repo: &Repo, overlay: &mut Overlay<'_>, file: &FilePatch) -> Result<FileFailures> {
    let path = file.path().to_string();
    let failure = |problem: Problem| {
        let failure = Failure {
            path: path.clone(),
            problem,
        };
        Ok((vec![failure], None))
    };
    let fail = |reason: String| failure(Problem::File { reason });
    let refuse = |reason: String| failure(Problem::Refused { reason });
    let mut failures = Vec::new();
    let old = match &file.old_path {
        Some(old_path) => match overlay.get(old_path)? {
            Some(entry) if entry.kind == EntryKind::Tree => {
                return refuse(format!("{old_path} is a directory in the tree"));
            }
            Some(entry) => Some(entry),
            None => return fail(format!("{old_path} does not exist")),
        },
        None => None,
    };
    if let Some(new_path) = &file.new_path {
        if file.old_path.as_ref() != Some(new_path) && overlay.get(new_path)?.is_some() {
            return fail(format!("{new_path} already exists"));
        }
        if let Some(reason) = blocked_by_leading(overlay, new_path)? {
            return refuse(reason);
        }
    }
    let old_kind = file.old_mode.as_deref().map(kind_of);
    let new_kind = file.new_mode.as_deref().map(kind_of);
    if [old.map(|e| e.kind), old_kind, new_kind].contains(&Some(EntryKind::Commit)) {
        return Err(Error::Submodule { path });
    }
    if let (Some(entry), Some(expected)) = (old, old_kind)
        && is_link(entry.kind) != is_link(expected)
    {
        return fail(format!(
            "is {}, the patch expects {}",
            kind_name(entry.kind),
            kind_name(expected)
        ));
    }
    // A file does not turn into a link in place, nor a link into a file: git refuses it,
    // as such a mail can point a tracked file anywhere (a type change is written as a
    // deletion and a creation).
    if let (Some(before), Some(after)) = (old_kind.or(old.map(|e| e.kind)), new_kind)
        && old.is_some()
        && is_link(before) != is_link(after)
    {
        return refuse(format!(
            "new mode ({}) of {path} does not match old mode ({})",
            mode_of(after),
            mode_of(before)
        ));
    }
    let kind = new_kind.or(old.map(|e| e.kind)).unwrap_or(EntryKind::Blob);

    let mut rejected = None;
    let id = match &file.body {
        Body::None => match old {
            // A deletion without hunks is of an empty file only.
            Some(entry) if file.new_path.is_none() && !read_blob(repo, entry.id)?.is_empty() => {
                return fail("the deletion leaves content in the file".into());
            }
            Some(entry) => entry.id,
            None => write_blob(repo, b"")?,
        },
        Body::Text(hunks) => {
            let content = match old {
                Some(entry) => read_blob(repo, entry.id)?,
                None => Vec::new(),
            };
            let (result, failed) = apply_hunks(&content, hunks);
            for &index in &failed {
                let hunk = &hunks[index];
                failures.push(Failure {
                    path: path.clone(),
                    problem: Problem::Hunk {
                        number: index + 1,
                        header: header_of(hunk),
                        line: hunk.old_start,
                    },
                });
            }
            if !failed.is_empty() {
                rejected = Some((
                    format!("{path}.rej"),
                    reject_file(file, failed.iter().map(|&i| &hunks[i])),
                ));
            }
            if file.new_path.is_none() {
                // A deletion that does not apply whole leaves the file as it is.
                if !failed.is_empty() {
                    return Ok((failures, rejected));
                }
                if !result.is_empty() {
                    return fail("the deletion leaves content in the file".into());
                }
            }
            write_blob(repo, &result)?
        }
        Body::Binary(change) => {
            let old_id = full_id(&file.old_id, old.is_none());
            let new_id = full_id(&file.new_id, file.new_path.is_none());
            let (Some(old_id), Some(new_id)) = (old_id, new_id) else {
                return fail("a binary patch needs the full ids of its `index` line".into());
            };
            if old.map(|e| e.id) != old_id {
                return fail(format!(
                    "the binary patch was made against {}, the file is {}",
                    old_id.map_or("nothing".into(), |id| id.to_string()),
                    old.map_or("absent".into(), |e| e.id.to_string())
                ));
            }
            match new_id {
                None => ObjectId::null(repo.git.object_hash()),
                Some(new_id) if repo.git.has_object(new_id) => new_id,
                Some(new_id) => {
                    let data = match change {
                        BinaryChange::Literal(data) => data.clone(),
                        BinaryChange::Delta(delta) => {
                            let base = match old {
                                Some(entry) => read_blob(repo, entry.id)?,
                                None => Vec::new(),
                            };
                            match crate::foundation::patch::parse::apply_delta(&base, delta) {
                                Some(data) => data,
                                None => return fail("the binary delta does not apply".into()),
                            }
                        }
                    };
                    let id = write_blob(repo, &data)?;
                    if id != new_id {
                        return fail(format!(
                            "the binary patch gives {id}, its `index` line says {new_id}"
                        ));
                    }
                    id
                }
            }
        }
    };

    if kind == EntryKind::Link
        && file.new_path.is_some()
        && id == ObjectId::empty_blob(repo.git.object_hash())
    {
        return refuse("a symbolic link to nothing, which no checkout can make".into());
    }
    let removes_old = match (&file.old_path, &file.new_path) {
        (Some(_), None) => true,
        (Some(old_path), Some(new_path)) => old_path != new_path && !file.copy,
        (None, _) => false,
    };
    if removes_old {
        overlay.set(file.old_path.as_deref().expect("an old path"), None);
    }
    if let Some(new_path) = &file.new_path {
        overlay.set(new_path, Some(Entry { kind, id }));
    }
    Ok((failures, rejected))
}

/// Why `path` cannot be written: one of the directories it is in is a file or a symbolic
/// link in the tree. git refuses both (a file is not replaced by a directory, and nothing is
/// written beyond a symbolic link, which could point outside the repository).
fn blocked_by_leading(overlay: &Overlay<'_>, path: &str) -> Result<Option<String>> {
    for dir in path.match_indices('/').map(|(at, _)| &path[..at]) {
        let reason = match overlay.get(dir)?.map(|e| e.kind) {
            Some(EntryKind::Link) => {
                format!("{path} is beyond a symbolic link: {dir} is a link in the tree")
            }
            Some(EntryKind::Blob | EntryKind::BlobExecutable) => {
                format!("{dir} is a file in the tree: {path} cannot be created in it")
            }
            Some(EntryKind::Commit) => format!("{dir} is a submodule: {path} is in it"),
            Some(EntryKind::Tree) | None => continue,
        };
        return Ok(Some(reason));
    }
    Ok(None)
}

/// An `index` line's id, when it is a full one: `Some(None)` when it names nothing and
/// the file is `absent` on that side (created, or deleted).
fn full_id(id: &Option<String>, absent: bool) -> Option<Option<ObjectId>> {
    match id {
        None if absent => Some(None),
        None => None,
        Some(hex) => ObjectId::from_hex(hex.as_bytes()).ok().map(Some),
    }
}

/// A mode from a patch (the reader made it canonical and refused modes git does not read).
pub(crate) fn kind_of(mode: &str) -> EntryKind {
    match mode {
        "100755" => EntryKind::BlobExecutable,
        "120000" => EntryKind::Link,
        "160000" => EntryKind::Commit,
        _ => EntryKind::Blob,
    }
}

/// A kind as a patch's mode line writes it.
fn mode_of(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Blob => "100644",
        EntryKind::BlobExecutable => "100755",
        EntryKind::Link => "120000",
        EntryKind::Commit => "160000",
        EntryKind::Tree => "40000",
    }
}

fn is_link(kind: EntryKind) -> bool {
    kind == EntryKind::Link
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Link => "a symbolic link",
        EntryKind::Tree => "a directory",
        EntryKind::Commit => "a submodule",
        EntryKind::Blob | EntryKind::BlobExecutable => "a regular file",
    }
}

pub(crate) fn read_blob(repo: &Repo, id: ObjectId) -> Result<Vec<u8>> {
    Ok(repo
        .git
        .find_blob(id)
        .context(|| format!("could not read blob {id}"))?
        .data
        .clone())
}

fn write_blob(repo: &Repo, data: &[u8]) -> Result<ObjectId> {
    Ok(repo
        .git
        .write_blob(data)
        .context(|| "could not write a blob".into())?
        .detach())
}

/// Apply `hunks` in order to `content` as `git apply --reject` does: each where it
/// matches, the others left out. Returns the result and the indices of the hunks left out.
pub fn apply_hunks(content: &[u8], hunks: &[Hunk]) -> (Vec<u8>, Vec<usize>) {
    let mut image: Vec<&[u8]> = content.split_inclusive(|b| *b == b'\n').collect();
    let mut failed = Vec::new();
    for (index, hunk) in hunks.iter().enumerate() {
        let preimage: Vec<&[u8]> = hunk.old_lines().collect();
        let trailing = hunk
            .lines
            .iter()
            .rev()
            .take_while(|l| matches!(l, Line::Context(_)))
            .count();
        // git's rules: a hunk at line 1 (or of an empty file) must match at the start, one
        // without trailing context at the end; the search starts where the hunk says the
        // new text goes, since the hunks before it have already moved the lines.
        let at_start = hunk.old_start <= 1;
        let at_end = trailing == 0;
        match find(
            &image,
            &preimage,
            hunk.new_start.saturating_sub(1),
            at_start,
            at_end,
        ) {
            Some(at) => {
                image.splice(at..at + preimage.len(), hunk.new_lines());
            }
            None => failed.push(index),
        }
    }
    (image.concat(), failed)
}

/// Where `preimage` matches `image`: at `line`, else the nearest line after or before it,
/// after first (`git apply`'s search order).
fn find(
    image: &[&[u8]],
    preimage: &[&[u8]],
    line: usize,
    at_start: bool,
    at_end: bool,
) -> Option<usize> {
    if preimage.len() > image.len() {
        return None;
    }
    let last = image.len() - preimage.len();
    let matches = |at: usize| {
        at <= last
            && (!at_start || at == 0)
            && (!at_end || at == last)
            && image[at..at + preimage.len()] == *preimage
    };
    let line = if at_start {
        0
    } else if at_end {
        last
    } else {
        line.min(image.len())
    };
    if matches(line) {
        return Some(line);
    }
    let (mut before, mut after) = (line, line);
    while before > 0 || after < image.len() {
        if after < image.len() {
            after += 1;
            if matches(after) {
                return Some(after);
            }
        }
        if before > 0 {
            before -= 1;
            if matches(before) {
                return Some(before);
            }
        }
    }
    None
}

/// `@@ -a,b +c,d @@`, as git writes it.
pub fn header_of(hunk: &Hunk) -> String {
    let old = hunk.old_lines().count();
    let new = hunk.new_lines().count();
    let range = |start: usize, count: usize| {
        if count == 1 {
            start.to_string()
        } else {
            format!("{start},{count}")
        }
    };
    format!(
        "@@ -{} +{} @@",
        range(hunk.old_start, old),
        range(hunk.new_start, new)
    )
}

/// A `.rej` file as `git apply --reject` writes it.
fn reject_file<'h>(file: &FilePatch, hunks: impl Iterator<Item = &'h Hunk>) -> Vec<u8> {
    let old = file.old_path.as_deref().unwrap_or(file.path());
    let new = file.new_path.as_deref().unwrap_or(file.path());
    let mut out = format!("diff a/{old} b/{new}\t(rejected hunks)\n").into_bytes();
    for hunk in hunks {
        out.extend_from_slice(header_of(hunk).as_bytes());
        out.push(b'\n');
        for line in &hunk.lines {
            let (sign, text) = match line {
                Line::Context(t) => (b' ', t),
                Line::Remove(t) => (b'-', t),
                Line::Add(t) => (b'+', t),
            };
            out.push(sign);
            out.extend_from_slice(text);
            if !text.ends_with(b"\n") {
                out.extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunk(old_start: usize, new_start: usize, lines: &[&str]) -> Hunk {
        Hunk {
            old_start,
            new_start,
            lines: lines
                .iter()
                .map(|l| {
                    let text = format!("{}\n", &l[1..]).into_bytes();
                    match &l[..1] {
                        " " => Line::Context(text),
                        "-" => Line::Remove(text),
                        _ => Line::Add(text),
                    }
                })
                .collect(),
        }
    }

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("{i}\n")).collect()
    }

    #[test]
    fn a_hunk_applies_at_its_line_or_the_nearest_offset() {
        let change = hunk(5, 5, &[" 5", " 6", "-7", "+seven", " 8", " 9"]);
        let (result, failed) = apply_hunks(numbered(12).as_bytes(), std::slice::from_ref(&change));
        assert!(failed.is_empty());
        assert_eq!(
            String::from_utf8(result).unwrap(),
            numbered(12).replace("7\n", "seven\n")
        );
        // Three lines added at the top: found three lines further down.
        let shifted = format!("a\nb\nc\n{}", numbered(12));
        let (result, failed) = apply_hunks(shifted.as_bytes(), &[change]);
        assert!(failed.is_empty());
        assert!(String::from_utf8(result).unwrap().contains("6\nseven\n8\n"));
    }

    #[test]
    fn context_must_match_exactly_and_failures_leave_the_rest_applied() {
        let first = hunk(2, 2, &[" 2", "-3", "+three", " 4"]);
        let second = hunk(9, 9, &[" 9", "-TEN", "+ten", " 11"]);
        let (result, failed) = apply_hunks(numbered(12).as_bytes(), &[first, second]);
        assert_eq!(failed, vec![1]);
        assert!(String::from_utf8(result).unwrap().contains("2\nthree\n4\n"));
    }

    #[test]
    fn hunks_without_context_at_an_end_must_match_at_that_end() {
        // Appending after the last line: the context must be the file's end.
        let append = hunk(11, 11, &[" 11", " 12", "+13"]);
        let (_, failed) = apply_hunks(numbered(14).as_bytes(), std::slice::from_ref(&append));
        assert_eq!(failed, vec![0]);
        let (result, failed) = apply_hunks(numbered(12).as_bytes(), &[append]);
        assert!(failed.is_empty());
        assert_eq!(String::from_utf8(result).unwrap(), numbered(13));
        // Changing line 1: it must still be the first line.
        let top = hunk(1, 1, &["-1", "+one", " 2"]);
        let (_, failed) = apply_hunks(format!("0\n{}", numbered(3)).as_bytes(), &[top]);
        assert_eq!(failed, vec![0]);
    }

    #[test]
    fn headers_and_rejects_read_as_git_writes_them() {
        let change = hunk(3, 3, &[" 3", "-4", "+four"]);
        assert_eq!(header_of(&change), "@@ -3,2 +3,2 @@");
        let file = FilePatch {
            old_path: Some("a.txt".into()),
            new_path: Some("a.txt".into()),
            ..Default::default()
        };
        assert_eq!(
            String::from_utf8(reject_file(&file, [&change].into_iter())).unwrap(),
            "diff a/a.txt b/a.txt\t(rejected hunks)\n@@ -3,2 +3,2 @@\n 3\n-4\n+four\n"
        );
    }
}
