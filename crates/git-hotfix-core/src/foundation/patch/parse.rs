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
        } else if is_signature(lines[i]) {
            // The mail's signature: nothing after it is part of the patch — unless more
            // of the patch follows it, when a hunk header was damaged into `-- ` and
            // applying what comes before would be less than the mail says.
            if let Some(more) = (i + 1..lines.len()).find(|&j| {
                let line = lines[j];
                is_signature(line)
                    || line.starts_with(b"diff --git ")
                    || line.starts_with(b"@@ -")
                    || line.starts_with(b"GIT binary patch")
            }) {
                return Err(error(
                    i,
                    format!(
                        "`-- ` is followed by more of the patch (`{}` at line {}): a hunk header is damaged",
                        text_of(lines[more]),
                        more + 1
                    ),
                ));
            }
            return Ok(files);
        } else if lines[i].starts_with(b"@@ -")
            || (!files.is_empty() && !lines[i].trim_ascii().is_empty())
        {
            // Between file patches a line belongs to none: a header line lost (git reads
            // what follows as something else, or drops it), never skipped silently.
            return Err(error(
                i,
                format!(
                    "`{}` is outside any `diff --git` file patch: the patch is damaged",
                    text_of(lines[i])
                ),
            ));
        } else {
            i += 1;
        }
    }
    // git ends every line it writes; a patch that stops mid-line (and before the signature)
    // was cut, wherever the cut fell.
    if !text.is_empty() && !text.ends_with(b"\n") {
        return Err(error(
            lines.len() - 1,
            "the patch ends in the middle of a line: it is truncated",
        ));
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
        old_path: Some(a.clone()),
        new_path: Some(b.clone()),
        ..Default::default()
    };
    let mut i = start + 1;
    // Two names in the header are one file moved only with `rename`/`copy` lines.
    let mut moved = false;
    // `---` and `+++` seen: git writes both before hunks.
    let mut names = (false, false);
    // Extended header lines, up to the hunks, a binary patch, or the next file.
    while i < lines.len() {
        let line = text_of(lines[i]);
        let value = |prefix: &str| line.strip_prefix(prefix).map(str::to_string);
        if let Some(mode) = value("new file mode ") {
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
            moved = true;
        } else if let Some(path) = value("copy from ") {
            file.old_path = Some(unquote(&path));
            file.copy = true;
            moved = true;
        } else if let Some(path) = value("rename to ").or_else(|| value("copy to ")) {
            file.new_path = Some(unquote(&path));
            moved = true;
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
        } else if let Some(name) = value("--- ") {
            same_name(&name, "a/", file.old_path.as_deref()).map_err(|why| error(i, why))?;
            names.0 = true;
        } else if let Some(name) = value("+++ ") {
            same_name(&name, "b/", file.new_path.as_deref()).map_err(|why| error(i, why))?;
            names.1 = true;
        } else if line.starts_with("similarity index ") || line.starts_with("dissimilarity index ")
        {
            // Nothing to apply.
        } else if line == "GIT binary patch" {
            unmoved_names(&a, &b, moved).map_err(|why| error(start, why))?;
            let (change, next) = binary(lines, i + 1)?;
            file.body = Body::Binary(change);
            verify(&mut file).map_err(|problem| error(start, problem))?;
            return Ok((file, skip_reverse(lines, next)?));
        } else if line.starts_with("Binary files ") {
            return Err(error(
                i,
                format!(
                    "{} is a binary file without its content (`Binary files … differ`): make the patch with `git format-patch --binary` or `git hotfix patch export`",
                    file.path()
                ),
            ));
        } else {
            // As in git, any other line ends the header: the hunks must follow.
            break;
        }
        i += 1;
    }
    unmoved_names(&a, &b, moved).map_err(|why| error(start, why))?;
    let mut hunks = Vec::new();
    while i < lines.len() && lines[i].starts_with(b"@@ ") {
        let (hunk, next) = hunk(lines, i)?;
        hunks.push(hunk);
        i = next;
    }
    if hunks.is_empty() && names != (false, false) {
        return Err(error(
            i.min(lines.len() - 1),
            format!(
                "the patch of {} has `---`/`+++` lines and no hunk: it is truncated",
                file.path()
            ),
        ));
    }
    if !hunks.is_empty() {
        if names != (true, true) {
            return Err(error(
                start,
                format!(
                    "the hunks of {} lack their `---` or `+++` line: the patch is damaged",
                    file.path()
                ),
            ));
        }
        file.body = Body::Text(hunks);
    }
    verify(&mut file).map_err(|problem| error(start, problem))?;
    Ok((file, i))
}

/// What `git apply` checks of a file patch as it reads it: its modes are ones git reads
/// (made canonical as git makes them) and it changes something. Its paths are checked
/// apart ([`outside_the_tree`]): a path git refuses is hostile, not damaged.
fn verify(file: &mut FilePatch) -> Result<(), String> {
    let path = file.path().to_string();
    for mode in [&mut file.old_mode, &mut file.new_mode]
        .into_iter()
        .flatten()
    {
        *mode = canonical_mode(mode)
            .ok_or_else(|| format!("invalid mode `{mode}` for {path}"))?
            .to_string();
    }
    let metadata = file.old_path != file.new_path
        || file.copy
        || (file.old_mode.is_some() && file.new_mode.is_some() && file.old_mode != file.new_mode);
    if file.body == Body::None && !metadata && file.old_path.is_some() && file.new_path.is_some() {
        return Err(format!(
            "the patch of {path} has a header and no change: it is truncated"
        ));
    }
    Ok(())
}

/// Why a path of `file` is not one git lets a patch write (see [`verify_path`]), if so.
pub fn outside_the_tree(file: &FilePatch) -> Option<String> {
    let path = file.path();
    let invalid = [&file.old_path, &file.new_path]
        .into_iter()
        .flatten()
        .find_map(|name| {
            let link = name == path && file.new_mode.as_deref() == Some("120000");
            verify_path(name, link).err().map(|why| (name, why))
        })
        .or_else(|| {
            let name = file.new_path.as_ref()?;
            checkout_can_hold(name).err().map(|why| (name, why))
        });
    invalid.map(|(name, why)| format!("invalid path `{name}`: {why}"))
}

/// The longest file name a file system takes (`NAME_MAX`), and the longest path
/// (`PATH_MAX`, less its closing NUL): a path beyond either can be committed but never
/// checked out, and would leave a branch moved with a checkout that cannot follow it.
const NAME_MAX: usize = 255;
const PATH_MAX: usize = 4095;

fn checkout_can_hold(path: &str) -> Result<(), String> {
    if let Some(long) = path.split('/').find(|c| c.len() > NAME_MAX) {
        return Err(format!(
            "a component of {} bytes, more than the {NAME_MAX} a file name can have: File name too long",
            long.len()
        ));
    }
    if path.len() > PATH_MAX {
        return Err(format!(
            "{} bytes, more than the {PATH_MAX} a path can have: File name too long",
            path.len()
        ));
    }
    Ok(())
}

/// A mode as git keeps it: any regular file is `100644` or, executable, `100755`; a
/// symbolic link or a submodule as written; anything else is not a mode git reads.
fn canonical_mode(mode: &str) -> Option<&'static str> {
    let bits = u32::from_str_radix(mode, 8).ok()?;
    match bits & 0o170000 {
        0o100000 if bits & 0o100 != 0 => Some("100755"),
        0o100000 => Some("100644"),
        0o120000 => Some("120000"),
        0o160000 => Some("160000"),
        _ => None,
    }
}

/// A path git would accept in a tree and check out: no empty, `.` or `..` component (so
/// nothing absolute and nothing above the repository) and no `.git` in any spelling a
/// file system takes for it (case, trailing dots and spaces, NTFS `GIT~1` and streams,
/// HFS+ ignorable code points) — with NTFS and HFS+ protection on, as git defaults to.
pub fn verify_path(path: &str, symlink: bool) -> Result<(), String> {
    use gix::validate::path::component;
    let options = component::Options {
        protect_windows: false,
        protect_hfs: true,
        protect_ntfs: true,
    };
    let mut components = path.split('/').peekable();
    while let Some(name) = components.next() {
        let mode = (symlink && components.peek().is_none()).then_some(component::Mode::Symlink);
        component(name.as_bytes().into(), mode, options).map_err(|err| match name {
            "" => format!("an empty component: {err}"),
            name => format!("component `{name}`: {err}"),
        })?;
    }
    Ok(())
}

/// The line that starts a mail's signature.
fn is_signature(line: &[u8]) -> bool {
    line == b"-- \n" || line == b"-- \r\n"
}

/// A header whose two names differ is of a file renamed or copied, which its `rename`/`copy`
/// lines say; without them it is damaged (git: "lacks filename information").
fn unmoved_names(a: &str, b: &str, moved: bool) -> Result<(), String> {
    if a != b && !moved {
        return Err(format!(
            "the header names {a} and {b} but no rename or copy: the patch is damaged"
        ));
    }
    Ok(())
}

/// A `---`/`+++` line names what the header does (git: "inconsistent filename"): `prefix`
/// and the path, or `/dev/null` for the side where the file is absent. Names with spaces end
/// at a tab.
fn same_name(written: &str, prefix: &str, path: Option<&str>) -> Result<(), String> {
    let name = if written.starts_with('"') {
        take_quoted(written).map(|(name, _)| name)
    } else {
        Some(written.split('\t').next().unwrap_or_default().to_string())
    };
    let expected = path.map_or_else(|| "/dev/null".to_string(), |p| format!("{prefix}{p}"));
    match name {
        Some(name) if name == expected => Ok(()),
        _ => Err(format!(
            "`{written}` is inconsistent with the `diff --git` header, which says `{expected}`"
        )),
    }
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
        let halves = (rest.get(..half), rest.get(half + 1..));
        if let (Some(a), Some(b)) = (
            halves.0.and_then(|a| a.strip_prefix("a/")),
            halves.1.and_then(|b| b.strip_prefix("b/")),
        ) && a == b
        {
            return Some((a.into(), b.into()));
        }
    }
    let at = rest.find(" b/")?;
    Some((rest[..at].strip_prefix("a/")?.into(), rest[at + 3..].into()))
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
    loop {
        let Some(line) = lines.get(i) else {
            return Err(error(
                i - 1,
                "the binary patch ends without its blank line: it is truncated",
            ));
        };
        let line = line.trim_ascii_end();
        i += 1;
        if line.is_empty() && deflated.is_empty() {
            return Err(error(i - 1, "a binary patch without data: it is damaged"));
        }
        if line.is_empty() {
            break;
        }
        deflated.extend(decode85_line(line).ok_or_else(|| error(i - 1, "damaged base 85 line"))?);
    }
    // Deflate shrinks by 1032:1 at most: a size beyond that is a lie, not an allocation to
    // make. One byte more than the size lets the stream reach its end, so that what follows
    // it (a line too many) shows.
    let most = deflated.len().saturating_mul(1032).saturating_add(64);
    let mut data = vec![0; size.min(most) + 1];
    let mut state = gix::zlib::Decompress::new();
    let damaged = || error(start, "the binary patch does not inflate: it is damaged");
    let inflated = gix::zlib::stream::inflate::read(&mut &deflated[..], &mut state, &mut data)
        .map_err(|_| damaged())?;
    if state.total_in() != deflated.len() as u64 {
        return Err(damaged());
    }
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

/// git writes the reverse change after the forward one: it is not needed, but it is read
/// as git reads it, so a damaged one (a cut mail) is an error, as in git.
fn skip_reverse(lines: &[&[u8]], i: usize) -> Result<usize, ParseError> {
    if lines
        .get(i)
        .is_some_and(|l| l.starts_with(b"literal ") || l.starts_with(b"delta "))
    {
        return Ok(binary(lines, i)?.1);
    }
    Ok(i)
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
    fn damage_git_would_misread_is_an_error_not_a_smaller_change() {
        let damaged = [
            // A hunk whose `diff --git` line was lost.
            (
                "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n@@ -5 +5 @@\n-p\n+q\n\
              extra\n",
                "outside any",
            ),
            (
                "diff --git a/a b/a\nindex 1..2 100644\n--- a/a\n+++ b/a\n",
                "no hunk",
            ),
            (
                "diff --git a/a b/a\nindex 1..2 100644\n",
                "header and no change",
            ),
            (
                "diff --git a/a b/b\n--- a/a\n+++ b/b\n@@ -1 +1 @@\n-x\n+y\n",
                "no rename",
            ),
            (
                "diff --git a/a b/a\n--- a/a\n+++ b/z\n@@ -1 +1 @@\n-x\n+y\n",
                "inconsistent",
            ),
            ("diff --git a/a b/a\n@@ -1 +1 @@\n-x\n+y\n", "lack their"),
            (
                "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y",
                "middle of a line",
            ),
            ("diff --git a/a b/a\nnew file mode 040000\n", "invalid mode"),
            // A size no deflated data of this length can hold: refused, not allocated.
            (
                "diff --git a/a b/a\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..1111111111111111111111111111111111111111\nGIT binary patch\nliteral 999999999999\nHcmV?d00001\n\n",
                "not 999999999999",
            ),
        ];
        for (patch, says) in damaged {
            let err = parse(patch.as_bytes()).expect_err(patch);
            assert!(err.problem.contains(says), "{patch:?}: {err}");
        }
        // The signature ends the patch; a mode git reads is made canonical.
        let files = parse(
            b"diff --git a/n b/n\nnew file mode 100664\n--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+x\n-- \n2.47.3",
        )
        .unwrap();
        assert_eq!(files[0].new_mode.as_deref(), Some("100644"));
    }

    #[test]
    fn paths_git_refuses_are_named() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            ".git/config",
            ".GIT/x",
            "GIT~1/x",
        ] {
            assert!(verify_path(bad, false).is_err(), "{bad}");
        }
        assert!(verify_path(".gitmodules", true).is_err());
        for good in [
            "a/b.txt",
            ".github/workflows/ci.yml",
            "dir with space/naïve",
            ".gitmodules",
        ] {
            assert_eq!(verify_path(good, false), Ok(()), "{good}");
        }
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
