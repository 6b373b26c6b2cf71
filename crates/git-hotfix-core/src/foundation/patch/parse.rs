//! Reading the diff of a patch as `git apply` reads it: `diff --git` headers with their
//! extended lines, unified hunks (counted, so a removed line `- ` is never taken for the
//! mail's `-- ` signature), and binary patches (literal or delta, base 85 and deflated).

use crate::foundation::patch::BASE85;

/// The change of one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilePatch {
    /// `None` for a created file.
    pub old_path: Option<String>,
    /// `None` for a deleted file.
    pub new_path: Option<String>,
    pub old_mode: Option<String>,
    pub new_mode: Option<String>,
    /// The `index` line's ids (abbreviated or full), for a three-way fallback.
    pub old_id: Option<String>,
    pub new_id: Option<String>,
    /// `copy from`/`copy to`: the old file stays.
    pub copy: bool,
    pub body: Body,
}

impl FilePatch {
    /// The path a person knows the file by.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// Only a rename or a mode change.
    #[default]
    None,
    Text(Vec<Hunk>),
    /// The forward change (git writes the reverse too; it is not needed).
    Binary(BinaryChange),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryChange {
    /// The whole new content.
    Literal(Vec<u8>),
    /// A git delta against the old content.
    Delta(Vec<u8>),
}

/// One `@@ -a,b +c,d @@` hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// 1-based, as written (0 for an empty side).
    pub old_start: usize,
    pub new_start: usize,
    pub lines: Vec<Line>,
}

impl Hunk {
    /// The lines the hunk expects (context and removed), each with its line ending.
    pub fn old_lines(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.iter().filter_map(|l| match l {
            Line::Context(t) | Line::Remove(t) => Some(t.as_slice()),
            Line::Add(_) => None,
        })
    }

    /// The lines it leaves (context and added).
    pub fn new_lines(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.iter().filter_map(|l| match l {
            Line::Context(t) | Line::Add(t) => Some(t.as_slice()),
            Line::Remove(_) => None,
        })
    }
}

/// A hunk line with its ending (`\n`, `\r\n`, or none when `\ No newline at end of file`
/// followed it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Context(Vec<u8>),
    Remove(Vec<u8>),
    Add(Vec<u8>),
}

/// Why a patch could not be read; `line` counts from 1 in the text given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    pub line: usize,
    pub problem: String,
}

/// The file patches of `text` (a mail's part after `---`, or `git diff` output). Text
/// before the first `diff --git` (a diffstat) and after the last hunk (a signature) is
/// skipped.
pub fn parse(text: &[u8]) -> Result<Vec<FilePatch>, ParseError> {
    let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
    let mut files = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with(b"diff --git ") {
            let (file, next) = file_patch(&lines, i)?;
            files.push(file);
            i = next;
        } else {
            i += 1;
        }
    }
    Ok(files)
}

fn error(line: usize, problem: impl Into<String>) -> ParseError {
    ParseError {
        line: line + 1,
        problem: problem.into(),
    }
}

fn text_of(line: &[u8]) -> String {
    String::from_utf8_lossy(line)
        .trim_end_matches(['\n', '\r'])
        .to_string()
}

fn file_patch(lines: &[&[u8]], start: usize) -> Result<(FilePatch, usize), ParseError> {
    let header = text_of(lines[start]);
    let (a, b) = git_header_paths(&header["diff --git ".len()..])
        .ok_or_else(|| error(start, format!("cannot read the paths of `{header}`")))?;
    let mut file = FilePatch {
        old_path: Some(a),
        new_path: Some(b),
        ..Default::default()
    };
    let mut i = start + 1;
    // Extended header lines, up to the hunks, a binary patch, or the next file.
    while i < lines.len() {
        let line = text_of(lines[i]);
        let value = |prefix: &str| line.strip_prefix(prefix).map(str::to_string);
        if line.starts_with("diff --git ") || line.starts_with("@@ ") {
            break;
        } else if let Some(mode) = value("new file mode ") {
            file.new_mode = Some(mode);
            file.old_path = None;
        } else if let Some(mode) = value("deleted file mode ") {
            file.old_mode = Some(mode);
            file.new_path = None;
        } else if let Some(mode) = value("old mode ") {
            file.old_mode = Some(mode);
        } else if let Some(mode) = value("new mode ") {
            file.new_mode = Some(mode);
        } else if let Some(path) = value("rename from ") {
            file.old_path = Some(unquote(&path));
        } else if let Some(path) = value("copy from ") {
            file.old_path = Some(unquote(&path));
            file.copy = true;
        } else if let Some(path) = value("rename to ").or_else(|| value("copy to ")) {
            file.new_path = Some(unquote(&path));
        } else if let Some(ids) = value("index ") {
            let (range, mode) = ids.split_once(' ').unwrap_or((&ids, ""));
            if let Some((old, new)) = range.split_once("..") {
                file.old_id = Some(old.to_string()).filter(|id| !is_null(id));
                file.new_id = Some(new.to_string()).filter(|id| !is_null(id));
            }
            if !mode.is_empty() {
                file.old_mode.get_or_insert_with(|| mode.to_string());
                file.new_mode.get_or_insert_with(|| mode.to_string());
            }
        } else if line.starts_with("--- ") || line.starts_with("+++ ") {
            // The names were read from the header; `---`/`+++` add nothing git needs.
        } else if line == "GIT binary patch" {
            let (change, next) = binary(lines, i + 1)?;
            file.body = Body::Binary(change);
            return Ok((file, skip_reverse(lines, next)));
        } else if line.starts_with("Binary files ") {
            return Err(error(
                i,
                format!(
                    "{} is a binary file without its content (`Binary files … differ`): make the patch with `git format-patch --binary` or `git hotfix patch export`",
                    file.path()
                ),
            ));
        }
        // Other lines (similarity index, dissimilarity index) carry nothing to apply.
        i += 1;
    }
    let mut hunks = Vec::new();
    while i < lines.len() && lines[i].starts_with(b"@@ ") {
        let (hunk, next) = hunk(lines, i)?;
        hunks.push(hunk);
        i = next;
    }
    if !hunks.is_empty() {
        file.body = Body::Text(hunks);
    }
    Ok((file, i))
}

fn is_null(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// `a/x b/x` — with quoted names, or with spaces where both halves name the same file.
fn git_header_paths(rest: &str) -> Option<(String, String)> {
    if rest.starts_with('"') {
        let (a, after) = take_quoted(rest)?;
        let b = after.trim_start();
        let b = if b.starts_with('"') {
            take_quoted(b)?.0
        } else {
            b.to_string()
        };
        return Some((a.strip_prefix("a/")?.into(), b.strip_prefix("b/")?.into()));
    }
    if let Some(at) = rest.find(" \"b/") {
        let b = take_quoted(&rest[at + 1..])?.0;
        return Some((rest[..at].strip_prefix("a/")?.into(), b[2..].into()));
    }
    // Unquoted: the two names are equal unless it is a rename, whose names come from the
    // `rename from/to` lines; split where the halves match, else at the first ` b/`.
    let bytes = rest.len();
    if bytes % 2 == 1 {
        let half = bytes / 2;
        let (a, b) = (&rest[..half], &rest[half + 1..]);
        if let (Some(a), Some(b)) = (a.strip_prefix("a/"), b.strip_prefix("b/"))
            && a == b
        {
            return Some((a.into(), b.into()));
        }
    }
    let at = rest.find(" b/")?;
    Some((rest[2..at].into(), rest[at + 3..].into()))
}

/// A C-quoted name (`"a/caf\303\251"`) and what follows it.
fn take_quoted(text: &str) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), &text[i + 1..])),
            b'\\' => {
                let next = *bytes.get(i + 1)?;
                i += 2;
                out.push(match next {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'0'..=b'7' => {
                        let octal = std::str::from_utf8(bytes.get(i - 1..i + 2)?).ok()?;
                        i += 2;
                        u8::from_str_radix(octal, 8).ok()?
                    }
                    other => other,
                });
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

/// A name from a `rename from` line: quoted or not.
fn unquote(name: &str) -> String {
    if name.starts_with('"') {
        take_quoted(name).map_or_else(|| name.to_string(), |(n, _)| n)
    } else {
        name.to_string()
    }
}

fn hunk(lines: &[&[u8]], start: usize) -> Result<(Hunk, usize), ParseError> {
    let header = text_of(lines[start]);
    let bad = || error(start, format!("`{header}` is not a hunk header"));
    let ranges = header
        .strip_prefix("@@ -")
        .and_then(|r| r.split_once(" @@"))
        .map(|(r, _)| r)
        .ok_or_else(bad)?;
    let (old, new) = ranges.split_once(" +").ok_or_else(bad)?;
    let range = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((s, l)) => Some((s.parse().ok()?, l.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (old_start, mut old_left) = range(old).ok_or_else(bad)?;
    let (new_start, mut new_left) = range(new).ok_or_else(bad)?;
    let mut hunk = Hunk {
        old_start,
        new_start,
        lines: Vec::new(),
    };
    let mut i = start + 1;
    while old_left > 0 || new_left > 0 {
        let Some(line) = lines.get(i) else {
            return Err(error(
                i.saturating_sub(1),
                format!("the hunk `{header}` ends early: the patch is truncated"),
            ));
        };
        let content = line.get(1..).unwrap_or_default().to_vec();
        match line.first() {
            // An empty line is a context line whose space an editor or mailer trimmed.
            Some(b' ') | Some(b'\n') | Some(b'\r') if old_left > 0 && new_left > 0 => {
                let content = if line[0] == b' ' {
                    content
                } else {
                    line.to_vec()
                };
                hunk.lines.push(Line::Context(content));
                old_left -= 1;
                new_left -= 1;
            }
            Some(b'-') if old_left > 0 => {
                hunk.lines.push(Line::Remove(content));
                old_left -= 1;
            }
            Some(b'+') if new_left > 0 => {
                hunk.lines.push(Line::Add(content));
                new_left -= 1;
            }
            Some(b'\\') => {}
            _ => {
                return Err(error(
                    i,
                    format!(
                        "the hunk `{header}` has fewer lines than its header says: the patch is damaged"
                    ),
                ));
            }
        }
        i += 1;
        no_newline(lines, &mut i, &mut hunk);
    }
    Ok((hunk, i))
}

/// After a line: `\ No newline at end of file` takes the ending off it.
fn no_newline(lines: &[&[u8]], i: &mut usize, hunk: &mut Hunk) {
    if lines.get(*i).is_some_and(|l| l.starts_with(b"\\ "))
        && let Some(Line::Context(t) | Line::Remove(t) | Line::Add(t)) = hunk.lines.last_mut()
    {
        if t.ends_with(b"\n") {
            t.pop();
        }
        *i += 1;
    }
}

/// `literal <size>` or `delta <size>`, base 85 lines, a blank line.
fn binary(lines: &[&[u8]], start: usize) -> Result<(BinaryChange, usize), ParseError> {
    let head = lines.get(start).map(|l| text_of(l)).unwrap_or_default();
    let (kind, size) = head
        .split_once(' ')
        .ok_or_else(|| error(start, "a binary patch without `literal` or `delta`"))?;
    let size: usize = size
        .parse()
        .map_err(|_| error(start, format!("`{head}`: not a size")))?;
    let mut deflated = Vec::new();
    let mut i = start + 1;
    while let Some(line) = lines.get(i) {
        let line = line.trim_ascii_end();
        if line.is_empty() {
            i += 1;
            break;
        }
        deflated.extend(decode85_line(line).ok_or_else(|| error(i, "damaged base 85 line"))?);
        i += 1;
    }
    let mut data = vec![0; size];
    let mut state = gix::zlib::Decompress::new();
    let inflated = gix::zlib::stream::inflate::read(&mut &deflated[..], &mut state, &mut data)
        .map_err(|_| error(start, "the binary patch does not inflate: it is damaged"))?;
    data.truncate(inflated);
    if data.len() != size {
        return Err(error(
            start,
            format!("the binary patch holds {} bytes, not {size}", data.len()),
        ));
    }
    let change = match kind {
        "literal" => BinaryChange::Literal(data),
        "delta" => BinaryChange::Delta(data),
        _ => return Err(error(start, format!("`{kind}`: not `literal` or `delta`"))),
    };
    Ok((change, i))
}

/// git writes the reverse change after the forward one; skip it.
fn skip_reverse(lines: &[&[u8]], mut i: usize) -> usize {
    if lines
        .get(i)
        .is_some_and(|l| l.starts_with(b"literal ") || l.starts_with(b"delta "))
    {
        i += 1;
        while lines.get(i).is_some_and(|l| !l.trim_ascii_end().is_empty()) {
            i += 1;
        }
        i += 1;
    }
    i
}

/// One base 85 line: a length letter, then groups of five characters for four bytes.
fn decode85_line(line: &[u8]) -> Option<Vec<u8>> {
    let len = match line[0] {
        b @ b'A'..=b'Z' => (b - b'A' + 1) as usize,
        b @ b'a'..=b'z' => (b - b'a' + 27) as usize,
        _ => return None,
    };
    let mut out = Vec::new();
    for group in line[1..].chunks(5) {
        if group.len() != 5 {
            return None;
        }
        let mut value: u64 = 0;
        for c in group {
            value = value * 85 + BASE85.iter().position(|b| b == c)? as u64;
        }
        out.extend_from_slice(&u32::try_from(value).ok()?.to_be_bytes());
    }
    (out.len() >= len).then(|| {
        out.truncate(len);
        out
    })
}

/// Apply a git delta to `base`: the sizes, then copy (from the base) and insert ops.
pub fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let mut size = || -> Option<usize> {
        let mut value = 0usize;
        let mut shift = 0;
        loop {
            let byte = *delta.get(at)?;
            at += 1;
            value |= ((byte & 0x7f) as usize) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    };
    let (base_size, result_size) = (size()?, size()?);
    if base_size != base.len() {
        return None;
    }
    let mut out = Vec::with_capacity(result_size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut read = |bits: std::ops::Range<u8>| -> Option<usize> {
                let mut value = 0usize;
                for (n, bit) in bits.enumerate() {
                    if op & (1 << bit) != 0 {
                        value |= (*delta.get(at)? as usize) << (8 * n);
                        at += 1;
                    }
                }
                Some(value)
            };
            let offset = read(0..4)?;
            let len = match read(4..7)? {
                0 => 0x10000,
                len => len,
            };
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if op != 0 {
            out.extend_from_slice(delta.get(at..at + op as usize)?);
            at += op as usize;
        } else {
            return None;
        }
    }
    (out.len() == result_size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = " a.txt | 2 +-\n 1 file changed\n\n\
diff --git a/a.txt b/a.txt\n\
index 1111111..2222222 100644\n\
--- a/a.txt\n\
+++ b/a.txt\n\
@@ -1,3 +1,3 @@\n one\n-- \n+two\n three\n\
diff --git \"a/caf\\303\\251 x.txt\" \"b/caf\\303\\251 x.txt\"\n\
new file mode 100755\n\
index 0000000..3333333\n\
--- /dev/null\n\
+++ \"b/caf\\303\\251 x.txt\"\t\n\
@@ -0,0 +1 @@\n+end\n\\ No newline at end of file\n\
diff --git a/old name b/new name\n\
similarity index 100%\n\
rename from old name\n\
rename to new name\n\
-- \ngit-hotfix 0.1.0\n\n";

    #[test]
    fn reads_hunks_by_their_counts_names_modes_and_renames() {
        let files = parse(PATCH.as_bytes()).unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].path(), "a.txt");
        assert_eq!(files[0].old_id.as_deref(), Some("1111111"));
        assert_eq!(files[0].new_mode.as_deref(), Some("100644"));
        let Body::Text(hunks) = &files[0].body else {
            panic!("no hunks")
        };
        // `-- ` inside the hunk is a removed line `- `, not the signature.
        assert_eq!(
            hunks[0].lines,
            vec![
                Line::Context(b"one\n".to_vec()),
                Line::Remove(b"- \n".to_vec()),
                Line::Add(b"two\n".to_vec()),
                Line::Context(b"three\n".to_vec()),
            ]
        );
        assert_eq!(files[1].old_path, None);
        assert_eq!(files[1].new_path.as_deref(), Some("café x.txt"));
        assert_eq!(files[1].new_mode.as_deref(), Some("100755"));
        let Body::Text(hunks) = &files[1].body else {
            panic!("no hunks")
        };
        assert_eq!(hunks[0].lines, vec![Line::Add(b"end".to_vec())]);
        assert_eq!(files[2].old_path.as_deref(), Some("old name"));
        assert_eq!(files[2].new_path.as_deref(), Some("new name"));
        assert_eq!(files[2].body, Body::None);
    }

    #[test]
    fn a_truncated_hunk_is_an_error_with_its_line() {
        let truncated = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n one\n-two\n";
        let err = parse(truncated.as_bytes()).unwrap_err();
        assert_eq!(err.line, 6);
        assert!(err.problem.contains("truncated"), "{err}");
    }

    #[test]
    fn binary_literals_read_back_what_the_diff_writes() {
        let content: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let patch = format!(
            "diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0000000..1234567\nGIT binary patch\n{}\n{}\n",
            crate::foundation::patch::binary_literal(&content),
            crate::foundation::patch::binary_literal(b"")
        );
        let files = parse(patch.as_bytes()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].body, Body::Binary(BinaryChange::Literal(content)));
    }

    #[test]
    fn deltas_copy_and_insert() {
        let base = b"hello, world";
        // base 12, result 11: copy 7 bytes at 0 ("hello, "), insert "git!".
        let delta = [12, 11, 0x80 | 0x10, 7, 4, b'g', b'i', b't', b'!'];
        assert_eq!(apply_delta(base, &delta).unwrap(), b"hello, git!");
        assert_eq!(apply_delta(b"short", &delta), None);
    }
}
