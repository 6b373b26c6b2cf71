//! Patch mails as `git format-patch` writes them and `git am` reads them: an mbox `From `
//! line, `From:`/`Date:`/`Subject:` headers (RFC 2047 words for what is not ASCII), the
//! message body, `---`, then the diff.

use gix::ObjectId;

/// The date line git writes in every mbox separator: a constant, so that tools can tell a
/// patch from a real mailbox.
const MBOX_DATE: &str = "Mon Sep 17 00:00:00 2001";

/// One patch mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The commit it was made from, when the `From ` line says so.
    pub commit: Option<ObjectId>,
    pub author_name: String,
    pub author_email: String,
    /// Seconds since the epoch, and the author's offset from UTC in seconds.
    pub date: (i64, i32),
    /// The subject without `[PATCH …]`.
    pub subject: String,
    /// The rest of the message after the subject, without the blank line between.
    pub body: String,
    /// Everything after the `---` line: the diffstat, the diff, the signature.
    pub patch: Vec<u8>,
}

impl Mail {
    /// The commit message, as `git am` makes it: subject, blank line, body, cleaned up as
    /// `git stripspace` does (no trailing spaces, no runs of blank lines).
    pub fn message(&self) -> String {
        let text = format!("{}\n\n{}", self.subject, self.body);
        let mut message = String::new();
        let mut blank = false;
        for line in text.lines().map(str::trim_end) {
            if line.is_empty() {
                blank = !message.is_empty();
                continue;
            }
            if blank {
                message.push('\n');
                blank = false;
            }
            message.push_str(line);
            message.push('\n');
        }
        message
    }

    /// The mail, numbered `[PATCH n/m]` in a series of more than one.
    pub fn write(&self, number: usize, of: usize) -> Vec<u8> {
        let commit = self
            .commit
            .map_or_else(|| "0".repeat(40), |c| c.to_string());
        let prefix = if of > 1 {
            format!("[PATCH {number}/{of}]")
        } else {
            "[PATCH]".to_string()
        };
        let mut out = format!("From {commit} {MBOX_DATE}\n");
        out.push_str(&format!(
            "From: {}\n",
            address(&self.author_name, &self.author_email)
        ));
        out.push_str(&format!("Date: {}\n", rfc2822(self.date)));
        out.push_str(&format!(
            "Subject: {}\n",
            encode_words(&format!("{prefix} {}", self.subject))
        ));
        let mut content = Vec::new();
        let body = self.body.trim_matches('\n');
        if !body.is_empty() {
            content.extend_from_slice(body.as_bytes());
            content.push(b'\n');
        }
        content.extend_from_slice(b"---\n");
        content.extend_from_slice(&self.patch);
        // `git am` drops the carriage return of every line it reads (unless --keep-cr), so
        // a file with CRLF lines would not apply: such a mail is sent in base 64, as
        // `git send-email` does, and its lines reach the patch whole.
        let base64 = content.contains(&b'\r');
        out.push_str(&format!(
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: {}\n\n",
            if base64 { "base64" } else { "8bit" }
        ));
        let mut bytes = out.into_bytes();
        if base64 {
            bytes.extend_from_slice(base64_encode(&content).as_bytes());
        } else {
            bytes.extend_from_slice(&content);
        }
        bytes
    }
}

/// `Date:` as mail writes it: `Thu, 5 Mar 2026 14:23:00 +0000`, in the author's offset.
fn rfc2822((seconds, offset): (i64, i32)) -> String {
    let offset = jiff::tz::Offset::from_seconds(offset).unwrap_or(jiff::tz::Offset::UTC);
    let time = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    jiff::fmt::rfc2822::to_string(&time.to_zoned(offset.to_time_zone())).unwrap_or_default()
}

/// `Name <email>`, the name quoted when it has characters mail treats specially, and
/// encoded when it is not ASCII.
fn address(name: &str, email: &str) -> String {
    if !name.is_ascii() {
        return format!("{} <{email}>", encode_words(name));
    }
    if name.contains([
        '(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '.', '"',
    ]) {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        return format!("\"{quoted}\" <{email}>");
    }
    format!("{name} <{email}>")
}

/// A header value as one RFC 2047 `Q` word when it is not plain ASCII.
fn encode_words(text: &str) -> String {
    if text.is_ascii() && !text.contains("=?") {
        return text.to_string();
    }
    let mut out = String::from("=?UTF-8?q?");
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'!' | b'*' | b'+' | b'-' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("={byte:02X}")),
        }
    }
    out.push_str("?=");
    out
}

/// Why a mail could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("it has no `{0}:` header")]
    MissingHeader(&'static str),
    #[error("its `Date:` is not a date: {0}")]
    BadDate(String),
    #[error("its `From:` has no address: {0}")]
    BadFrom(String),
    #[error("its body is not valid {0}")]
    Encoding(&'static str),
    /// As `git mailinfo`, which refuses the mail: nothing is applied.
    #[error("its `{header}:` has a malformed encoded word: {why}")]
    EncodedWord { header: &'static str, why: String },
}

/// The mails of an mbox: split at git's `From <id> Mon Sep 17 00:00:00 2001` lines. Text
/// with no such line is one mail.
pub fn split(mbox: &[u8]) -> Vec<&[u8]> {
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    for line in mbox.split_inclusive(|b| *b == b'\n') {
        if is_separator(line) {
            starts.push(at);
        }
        at += line.len();
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| &mbox[*start..starts.get(i + 1).copied().unwrap_or(mbox.len())])
        .filter(|mail| !mail.iter().all(u8::is_ascii_whitespace))
        .collect()
}

fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let (id, date) = rest.split_at(rest.iter().position(|b| *b == b' ').unwrap_or(rest.len()));
    id.len() >= 40
        && id.iter().all(u8::is_ascii_hexdigit)
        && date.trim_ascii().starts_with(b"Mon Sep 17")
}

/// Read one mail.
pub fn parse(mail: &[u8]) -> Result<Mail, MailError> {
    let mut consumed = 0;
    let mut commit = None;
    if let Some(first) = mail.split_inclusive(|b| *b == b'\n').next()
        && is_separator(first)
    {
        commit = first.get(5..45).and_then(|id| ObjectId::from_hex(id).ok());
        consumed = first.len();
    }
    // Headers, with continuation lines unfolded.
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in mail[consumed..].split_inclusive(|b| *b == b'\n') {
        consumed += line.len();
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let decoded_header = |name: &'static str, key: &str| -> Result<String, MailError> {
        let value = header(key).ok_or(MailError::MissingHeader(name))?;
        decode_words(value).map_err(|why| MailError::EncodedWord { header: name, why })
    };
    let from = decoded_header("From", "from")?;
    let (author_name, author_email) = parse_address(&from)?;
    let date_text = header("date").ok_or(MailError::MissingHeader("Date"))?;
    let date = jiff::fmt::rfc2822::parse(date_text)
        .map_err(|_| MailError::BadDate(date_text.to_string()))?;
    let subject = clean_subject(&decoded_header("Subject", "subject")?);

    // The message body runs to the `---` line; the patch follows it. A mail without one
    // (a bare diff after the message) starts its patch at the first `diff --git`.
    let encoding = header("content-transfer-encoding").map(str::to_ascii_lowercase);
    let decoded;
    let rest = match encoding.as_deref() {
        Some("base64") => {
            let text = String::from_utf8_lossy(&mail[consumed..]);
            let text: String = text.split_whitespace().collect();
            decoded = base64_decode(&text).ok_or(MailError::Encoding("base 64"))?;
            &decoded[..]
        }
        Some("quoted-printable") => {
            decoded = quoted_printable_decode(&mail[consumed..]);
            &decoded[..]
        }
        _ => &mail[consumed..],
    };
    let mut body = Vec::new();
    let mut patch_start = rest.len();
    let mut at = 0;
    for line in rest.split_inclusive(|b| *b == b'\n') {
        let trimmed = line.trim_ascii_end();
        if trimmed == b"---" {
            patch_start = at + line.len();
            break;
        }
        if line.starts_with(b"diff --git ") || line.starts_with(b"Index: ") {
            patch_start = at;
            break;
        }
        body.extend_from_slice(line);
        at += line.len();
    }
    Ok(Mail {
        commit,
        author_name,
        author_email,
        date: (date.timestamp().as_second(), date.offset().seconds()),
        subject,
        body: String::from_utf8_lossy(&body)
            .trim_matches('\n')
            .to_string(),
        patch: rest[patch_start.min(rest.len())..].to_vec(),
    })
}

/// `Name <email>` (the name possibly quoted) or a bare address.
fn parse_address(from: &str) -> Result<(String, String), MailError> {
    match from.rsplit_once('<') {
        Some((name, rest)) => {
            let email = rest.trim_end().trim_end_matches('>').trim().to_string();
            let name = name.trim();
            let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
                None => name.to_string(),
            };
            if email.is_empty() {
                return Err(MailError::BadFrom(from.to_string()));
            }
            Ok((name, email))
        }
        None if from.contains('@') => Ok((String::new(), from.trim().to_string())),
        None => Err(MailError::BadFrom(from.to_string())),
    }
}

/// The subject without `Re:` and `[PATCH …]` prefixes; other brackets (`[HOTFIX]`) are part
/// of it and stay.
fn clean_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        if let Some(after) = rest
            .get(..3)
            .filter(|re| re.eq_ignore_ascii_case("re:"))
            .map(|_| &rest[3..])
        {
            rest = after.trim_start();
            continue;
        }
        if let Some(inner) = rest.strip_prefix('[')
            && let Some(end) = inner.find(']')
            && inner[..end].to_ascii_uppercase().contains("PATCH")
        {
            rest = inner[end + 1..].trim_start();
            continue;
        }
        return rest.to_string();
    }
}

/// Decode RFC 2047 words (`=?UTF-8?q?…?=`, `=?UTF-8?b?…?=`) by git's rules
/// (`mailinfo.c`): whitespace between two words goes; any `=?` that does not open a whole
/// word (charset, `?`, `b` or `q`, `?`, text, `?=`) in a charset known here is an error, as
/// git refuses such a mail; inside a word, git is lenient (a bad `=XX` stays as written,
/// a byte outside base 64 is skipped, text that is not UTF-8 is read as Latin-1).
fn decode_words(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, word) = rest.split_at(start);
        if !(after_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let malformed = || format!("`{word}`");
        let inner = &word[2..];
        let (charset, inner) = inner.split_once('?').ok_or_else(malformed)?;
        let mut chars = inner.chars();
        let (Some(encoding), Some('?')) = (chars.next(), chars.next()) else {
            return Err(malformed());
        };
        let inner = chars.as_str();
        let end = inner.find("?=").ok_or_else(malformed)?;
        let text = &inner[..end];
        let bytes = match encoding.to_ascii_lowercase() {
            'q' => q_decode(text),
            // As git reads a word: bytes outside the alphabet are skipped.
            'b' => base64_decode(
                &text
                    .chars()
                    .filter(|c| c.is_ascii() && BASE64.contains(&(*c as u8)))
                    .collect::<String>(),
            )
            .unwrap_or_default(),
            other => return Err(format!("`{word}`: no encoding `{other}` (b or q)")),
        };
        out.push_str(
            &in_charset(charset, &bytes)
                .ok_or_else(|| format!("`{word}`: cannot convert from {charset} to UTF-8"))?,
        );
        rest = &inner[end + 2..];
        after_word = true;
    }
    out.push_str(rest);
    Ok(out)
}

/// Text in `charset`, as UTF-8; `None` when the charset is unknown.
fn in_charset(charset: &str, bytes: &[u8]) -> Option<String> {
    // An RFC 2231 language (`UTF-8*en`) does not change the charset.
    let label = charset.split('*').next().unwrap_or(charset);
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    if encoding == encoding_rs::UTF_8 {
        // As git's commit does: text that is not UTF-8 is taken as Latin-1.
        return Some(match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(_) => bytes.iter().map(|b| *b as char).collect(),
        });
    }
    Some(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

fn q_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'_', _) => out.push(b' '),
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base 64 in lines of 76 characters, as mail wants it.
fn base64_encode(bytes: &[u8]) -> String {
    let mut encoded = String::new();
    for chunk in bytes.chunks(3) {
        let mut group = [0u8; 3];
        group[..chunk.len()].copy_from_slice(chunk);
        let value = u32::from_be_bytes([0, group[0], group[1], group[2]]);
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(BASE64[(value >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    let mut out = String::new();
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("ASCII"));
        out.push('\n');
    }
    out
}

/// Quoted-printable: `=XX` bytes and `=` at a line's end joining it to the next.
fn quoted_printable_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        // A soft break (`=` at the end) joins the line to the next.
        let text = line.trim_ascii_end().strip_suffix(b"=").unwrap_or(line);
        let mut i = 0;
        while i < text.len() {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (text[i], hex) {
                (b'=', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = BASE64.iter().position(|a| *a == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(name: &str, subject: &str, body: &str) -> Mail {
        Mail {
            commit: Some(ObjectId::from_hex(b"0123456789012345678901234567890123456789").unwrap()),
            author_name: name.into(),
            author_email: "ada@example.com".into(),
            date: (1_772_720_580, 3600),
            subject: subject.into(),
            body: body.into(),
            patch: b" a | 1 +\n 1 file changed\n\ndiff --git a/a b/a\n".to_vec(),
        }
    }

    #[test]
    fn writes_what_git_am_reads() {
        let text = mail("Ada Oncall", "fix: refuse unsigned tokens", "Why.\n").write(1, 2);
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "From 0123456789012345678901234567890123456789 Mon Sep 17 00:00:00 2001\n\
             From: Ada Oncall <ada@example.com>\n\
             Date: Thu, 5 Mar 2026 15:23:00 +0100\n\
             Subject: [PATCH 1/2] fix: refuse unsigned tokens\n\
             MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n\
             Why.\n---\n a | 1 +\n 1 file changed\n\ndiff --git a/a b/a\n"
        );
    }

    #[test]
    fn reads_back_what_it_writes_including_unicode_and_quoted_names() {
        for (name, subject) in [
            ("José Núñez", "[HOTFIX] corrige el pago — ñ"),
            ("Oncall, Ada J.", "fix: \"quoted\" =?not-a-word?="),
        ] {
            let written = mail(name, subject, "Body line\n\nSecond paragraph");
            let read = parse(&written.write(1, 1)).unwrap();
            assert_eq!(read, written);
        }
    }

    #[test]
    fn a_patch_with_carriage_returns_travels_in_base64() {
        let mut written = mail("Ada", "crlf", "");
        written.patch = b"diff --git a/c b/c\n-one\r\n+two\r\n".to_vec();
        let text = written.write(1, 1);
        assert!(!text.contains(&b'\r'));
        assert!(String::from_utf8_lossy(&text).contains("Content-Transfer-Encoding: base64\n"));
        assert_eq!(parse(&text).unwrap(), written);
        assert_eq!(
            quoted_printable_decode(b"caf=C3=A9 =\nau lait\n"),
            "café au lait\n".as_bytes()
        );
    }

    #[test]
    fn splits_a_series_and_cleans_subjects() {
        let one = mail("A", "one", "").write(1, 2);
        let two = mail("A", "two", "").write(2, 2);
        let mbox = [one.clone(), two.clone()].concat();
        assert_eq!(split(&mbox), vec![&one[..], &two[..]]);
        assert_eq!(clean_subject("Re: [PATCH v2 3/7] [HOTFIX] x"), "[HOTFIX] x");
        assert_eq!(
            decode_words("=?UTF-8?b?Sm9zw6k=?= =?UTF-8?q?_N=C3=BA=C3=B1ez?=").unwrap(),
            "José Núñez"
        );
    }

    /// What `git am` (its `mailinfo`) stores for each header, or `None` where it refuses
    /// the mail; found with git 2.47.
    #[test]
    fn encoded_words_decode_as_git_does_and_malformed_ones_are_errors() {
        let cases: &[(&str, Option<&str>)] = &[
            ("=?UTF-8?q?broken", None),
            ("=?UTF-8?q?caf=C3=A9", None),
            ("=?UTF-8?x?unknown?=", None),
            ("=?UTF-8?q?x_y?= =?broken", None),
            ("fix x=?y", None),
            ("=?unknown-cs?q?caf=E9?=", None),
            ("=?UTF-8?q?bad=ZZhex?=", Some("bad=ZZhex")),
            ("=?ISO-8859-2?q?=B1?=", Some("ą")),
            ("=?windows-1252?q?=80?=", Some("€")),
            ("=?UTF-8?q?bad=C3?=", Some("badÃ")),
            ("=?UTF-8?b?Y2Fmw6k=?=", Some("café")),
            ("plain = text ? fine", Some("plain = text ? fine")),
        ];
        for (header, git) in cases {
            assert_eq!(
                decode_words(header).ok().as_deref(),
                *git,
                "`{header}`: {:?}",
                decode_words(header)
            );
        }
    }
}
