//! A hotfix's journal, carried in the body of the pull request `finish --pr` opens: a hidden
//! HTML comment that lets a machine which never saw the hotfix (a GitHub Actions runner)
//! finish it once GitHub has merged it, with the same version, tag, release commit and
//! timeline as the clone that proposed it.
//!
//! It is what another clone may know ([`Journal::portable`]), secrets redacted. Markdown
//! hides an HTML comment, which ends at the first `>` after `--`: every `<` and `>` of the
//! JSON (inside its strings only) is written `\u003c` / `\u003e`, so no text of the hotfix
//! can end the comment early or open another.
//!
//! A body is text anyone who may edit the pull request can change: only the hotfix's facts
//! are read back ([`read`]), and they are taken only once they agree with the pull request
//! ([`verify`]) and with what merged ([`verify_merged`]).

use crate::foundation::error::{Error, Result};
use crate::foundation::names;
use crate::foundation::redact::redact;
use crate::git::repo::Repo;
use crate::records::journal::{EventKind, Journal, SCHEMA, State, decode};
use crate::settings::config::Config;

const START: &str = "<!-- git-hotfix:hotfix ";
const END: &str = " -->";

/// What of `journal` a pull request carries: what another clone may know of it, and of its
/// timeline what people made (started, assessed, re-versioned, ticks). What runs did here
/// (moved refs, pushes, the pull request itself) is left out — so running `finish --pr`
/// again leaves the body as it was, and so that nothing in a body anyone may edit is ever
/// taken as a step to run or a ref to push.
fn carriable(journal: &Journal) -> Journal {
    let mut carried = journal.portable();
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
    carried
}

/// The record of `journal`, to put in a pull request's body.
pub fn write(journal: &Journal) -> String {
    let json = serde_json::to_string(&carriable(journal)).expect("a journal serializes");
    let json = redact(&json)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    format!("{START}{json}{END}")
}

/// The journal a pull request's `body` carries (its last record: `finish --pr` ends the
/// body with it, and text above may quote one); `None` when it carries none (it was not
/// opened by `finish --pr`, or the record was taken out of it).
pub fn read(body: &str) -> Result<Option<Journal>> {
    let Some(start) = body.rfind(START) else {
        return Ok(None);
    };
    let rest = &body[start + START.len()..];
    let unreadable = |reason: String| Error::CarriedRecord { reason };
    let end = rest
        .find(END)
        .ok_or_else(|| unreadable("it does not end (no `-->`)".into()))?;
    let journal: Journal = decode(&rest.as_bytes()[..end], SCHEMA).map_err(unreadable)?;
    // Whatever the text says, only what a record carries is taken.
    Ok(Some(carriable(&journal)))
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

/// Take `journal`'s version and release notes only as what merged says too: each version
/// file its release commit bumped holds the version in `merged` (the commit GitHub made),
/// and the changelog holds the entry. What a hidden record says is then what reviewers saw
/// in the diff; an edited record cannot tag another version or publish other notes.
pub fn verify_merged(repo: &Repo, journal: &Journal, merged: gix::ObjectId) -> Result<()> {
    let wrong = |reason: String| Err(Error::CarriedRecord { reason });
    let Some(release) = journal.proposal.as_ref().and_then(|p| p.release.as_ref()) else {
        return Ok(());
    };
    let at = |path: &str| -> Result<String> {
        Ok(repo
            .read_file_at(merged, path)?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default())
    };
    let version = journal.version.to_string();
    for bump in &release.bumps {
        if bump.to != version || !at(&bump.path)?.contains(&bump.to) {
            return wrong(format!(
                "it releases {version}, and `{}` as merged does not say so",
                bump.path
            ));
        }
    }
    if let Some(entry) = &release.changelog
        && !at(&entry.path)?.contains(entry.text.trim())
    {
        return wrong(format!(
            "its release notes are not in `{}` as merged",
            entry.path
        ));
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
            prepared: None,
            unpublished: None,
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
    fn a_record_edited_to_carry_a_run_or_pushes_gives_neither() {
        let mut journal = journal("fix the login");
        let options = crate::records::run::FinishOptions::default();
        journal.run = Some(crate::records::run::Run::after(
            None,
            crate::records::run::RunKind::Finish,
            options,
        ));
        journal.record(
            "2026-03-05T15:10:00Z".parse().unwrap(),
            EventKind::Pushed {
                remote: "origin".into(),
                refs: vec!["refs/heads/release/1.1".into()],
            },
        );
        let json = serde_json::to_string(&journal).unwrap();
        let read = read(&format!("{START}{json}{END}")).unwrap().unwrap();
        assert_eq!(read.run, None);
        assert!(read.events.is_empty(), "{:?}", read.events);
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
