//! A hotfix's journal, carried in the body of the pull request `finish --pr` opens: a hidden
//! HTML comment that lets a machine which never saw the hotfix (a GitHub Actions runner)
//! finish it once GitHub has merged it, with the same version, tag, release commit and
//! timeline as the clone that proposed it.
//!
//! It is what another clone may know ([`Journal::portable`]), secrets redacted. Markdown
//! hides an HTML comment, which ends at the first `>` after `--`: every `<` and `>` of the
//! JSON (inside its strings only) is written `\u003c` / `\u003e`, so no text of the hotfix
//! can end the comment early or open another.

use crate::foundation::error::{Error, Result};
use crate::foundation::names;
use crate::foundation::redact::redact;
use crate::records::journal::{EventKind, Journal, SCHEMA, State};
use crate::settings::config::Config;

const START: &str = "<!-- git-hotfix:hotfix ";
const END: &str = " -->";

/// The record of `journal`, to put in a pull request's body.
pub fn write(journal: &Journal) -> String {
    let mut carried = journal.portable();
    // The timeline as people made it; what runs did here (moved refs, pushes, the pull
    // request itself) is left out, so that running `finish --pr` again leaves the body as
    // it was.
    carried.events.retain(|e| {
        matches!(
            e.what,
            EventKind::Started { .. }
                | EventKind::Assessed { .. }
                | EventKind::Reversioned { .. }
                | EventKind::Checked { .. }
                | EventKind::Unchecked { .. }
        )
    });
    let json = serde_json::to_string(&carried).expect("a journal serializes");
    let json = redact(&json)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    format!("{START}{json}{END}")
}

/// The journal a pull request's `body` carries; `None` when it carries none (it was not
/// opened by `finish --pr`, or the record was taken out of it).
pub fn read(body: &str) -> Result<Option<Journal>> {
    let Some(start) = body.find(START) else {
        return Ok(None);
    };
    let rest = &body[start + START.len()..];
    let unreadable = |reason: String| Error::CarriedRecord { reason };
    let end = rest
        .find(END)
        .ok_or_else(|| unreadable("it does not end (no `-->`)".into()))?;
    let value: serde_json::Value =
        serde_json::from_str(&rest[..end]).map_err(|err| unreadable(err.to_string()))?;
    match value.get("schema").and_then(serde_json::Value::as_u64) {
        Some(found) if found == u64::from(SCHEMA) => {}
        other => {
            return Err(unreadable(format!(
                "schema {} is not the one this git-hotfix reads ({SCHEMA})",
                other.map_or("missing".to_string(), |s| s.to_string())
            )));
        }
    }
    let journal: Journal =
        serde_json::from_value(value).map_err(|err| unreadable(err.to_string()))?;
    Ok(Some(journal))
}

/// Take `journal`, read from the body of the pull request that merged `head` into `base`,
/// only if it is that pull request's hotfix and names its tag as `config` does: the record
/// is text anyone who may edit the pull request can change, and what it says is tagged and
/// pushed.
pub fn verify(journal: &Journal, config: &Config, head: &str, base: &str) -> Result<()> {
    let wrong = |reason: String| Err(Error::CarriedRecord { reason });
    names::ticket(&journal.ticket)?;
    names::validate_ref(names::TAG_PREFIX, &journal.tag)?;
    if journal.branch != head {
        return wrong(format!(
            "it is the record of branch `{}`, and the pull request merged `{head}`",
            journal.branch
        ));
    }
    match &journal.proposal {
        Some(proposal) if proposal.base == base => {}
        Some(proposal) => {
            return wrong(format!(
                "it proposed the hotfix into `{}`, and the pull request merged into `{base}`",
                proposal.base
            ));
        }
        None => return wrong("it records no proposal".into()),
    }
    let product = config.product(journal.product.as_deref())?;
    let (pattern, _) = config.naming(product.map(|(_, p)| p));
    let expected = pattern.render(&journal.version, product.map(|(name, _)| name));
    if journal.tag != expected {
        return wrong(format!(
            "it names tag `{}` for version {}, where the tag pattern `{}` gives `{expected}`",
            journal.tag,
            journal.version,
            pattern.as_str()
        ));
    }
    if journal.state != State::Active {
        return wrong("it records a hotfix that is not in progress".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::version::Version;
    use crate::git::repo::Base;

    fn journal(description: &str) -> Journal {
        Journal {
            schema: SCHEMA,
            ticket: "ENG-1".into(),
            description: description.into(),
            product: None,
            branch: "hotfix/ENG-1".into(),
            base: Base::Branch {
                name: "main".into(),
                commit: gix::ObjectId::empty_tree(gix::hash::Kind::Sha1),
            },
            version: Version::parse("1.2.4").unwrap(),
            tag: "v1.2.4".into(),
            detected_at: None,
            worktree: Some("/home/me/wt".into()),
            state: State::Active,
            assessment: None,
            events: Vec::new(),
            run: None,
            proposal: None,
        }
    }

    #[test]
    fn a_record_reads_back_as_the_journal_without_what_is_local() {
        let journal = journal("fix the login");
        let body = format!("## Fix\n\ntext\n\n{}\n", write(&journal));
        let read = read(&body).unwrap().unwrap();
        assert_eq!(read, journal.portable());
        assert_eq!(read.worktree, None);
        assert_eq!(super::read("no record here").unwrap(), None);
    }

    #[test]
    fn no_text_of_the_hotfix_ends_the_comment() {
        let journal = journal("a --> b <!-- c --!> d");
        let record = write(&journal);
        let inner = &record[START.len()..record.len() - END.len()];
        assert!(!inner.contains('>') && !inner.contains('<'), "{record}");
        let body = format!("{record}\n<!-- another comment -->");
        assert_eq!(
            read(&body).unwrap().unwrap().description,
            journal.description
        );
    }

    #[test]
    fn a_damaged_record_says_what_is_wrong() {
        let err = read("<!-- git-hotfix:hotfix {\"schema\": 99} -->").unwrap_err();
        assert!(err.to_string().contains("schema 99"), "{err}");
        let err = read("<!-- git-hotfix:hotfix {\"schema\":").unwrap_err();
        assert!(err.to_string().contains("does not end"), "{err}");
    }
}
