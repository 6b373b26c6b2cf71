//! What an event asks of the bot: a merged pull request's labels (and the lines a team
//! always wants), the hotfix its body carries, or a `/backport` comment from someone who
//! may push. Decided here, whatever runner delivered the event; GitHub is asked through a
//! port only what the event cannot say (the commenter's permission, whether the pull
//! request merged).

use std::fmt;

use super::targets_of;
use crate::foundation::error::{Error, Result};
use crate::records::carried;
use crate::records::journal::Journal;
use crate::settings::config::Config;

/// A pull request as the event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    pub number: u64,
    pub merged: bool,
    pub base: String,
    pub head: String,
    /// The repository the head branch is in (`owner/name`): another one for a fork's pull
    /// request; `None` once that fork is deleted.
    pub head_repository: Option<String>,
    /// The description, as markdown.
    pub body: String,
    pub labels: Vec<String>,
}

/// What an event asks for.
#[derive(Debug)]
pub enum Ask {
    /// Backport merged pull request `number` to `targets` (branch names or globs).
    Backport { number: u64, targets: Vec<String> },
    /// Finish the hotfix carried in the merged pull request's body (or say why its record
    /// cannot be used), then backport the pull request to `targets`.
    Release {
        release: Result<Box<Journal>>,
        targets: Vec<String>,
    },
    /// Nothing.
    Nothing(Idle),
    /// Nothing, because a comment's request was refused: said on the run's page too, where
    /// whoever looks for the backport will look.
    Refused(Refusal),
}

/// Why an event asks for nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idle {
    /// An event the bot does nothing with.
    Ignored {
        event: String,
    },
    /// A comment that is no `/backport`.
    NoCommand,
    /// A `/backport` that is an edit, or on an issue.
    NotANewPullComment,
    /// A pull request opened, edited, …
    PullAction {
        number: u64,
        action: String,
    },
    ClosedUnmerged {
        number: u64,
    },
    /// Labelled before it merged: the labels are acted on when it does.
    NotMergedYet {
        number: u64,
    },
    /// The label just put on asks for no line.
    LabelAsksNothing {
        number: u64,
    },
    /// Named like a hotfix branch, but no record of a hotfix in its body.
    HotfixWithoutRecord {
        number: u64,
        head: String,
    },
    /// No label asks for a backport.
    NoBackportLabel {
        number: u64,
        labels: Vec<String>,
    },
}

impl fmt::Display for Idle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Idle::Ignored { event } => write!(f, "a `{event}` event asks git-hotfix for nothing"),
            Idle::NoCommand => f.write_str("the comment asks git-hotfix for nothing"),
            Idle::NotANewPullComment => {
                f.write_str("`/backport` is answered when it is a new comment on a pull request")
            }
            Idle::PullAction { number, action } => {
                write!(f, "pull request #{number} was {action}")
            }
            Idle::ClosedUnmerged { number } => {
                write!(f, "pull request #{number} was closed without merging")
            }
            Idle::NotMergedYet { number } => write!(
                f,
                "pull request #{number} has not merged: its labels are acted on when it does"
            ),
            Idle::LabelAsksNothing { number } => {
                write!(f, "the label put on #{number} asks for no backport")
            }
            Idle::HotfixWithoutRecord { number, head } => write!(
                f,
                "#{number} merged `{head}`, named like a hotfix branch, but `git hotfix finish --pr` did not open it: its body carries no record of the hotfix's version and tag, so nothing is released (`git hotfix finish --after-merge` releases it where the hotfix started)"
            ),
            Idle::NoBackportLabel { number, labels } => write!(
                f,
                "no label of #{number} asks for a backport (labels like `{}`)",
                labels.join("`, `")
            ),
        }
    }
}

/// A `/backport` comment refused: who asked for which pull request, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub number: u64,
    pub author: String,
    pub why: Refused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The commenter may not push to `repository` (their permission, as GitHub names it).
    MayNotPush {
        repository: String,
        permission: String,
    },
    /// The comment names no line.
    NoLine,
    /// The pull request has not merged.
    NotMerged,
}

impl Refusal {
    /// The annotation's title.
    pub fn title(&self) -> String {
        format!("Backport of #{} refused", self.number)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Refusal { number, author, .. } = self;
        match &self.why {
            Refused::MayNotPush {
                repository,
                permission,
            } => write!(
                f,
                "@{author} asked for a backport of #{number}, but may not push to {repository} (their permission: {permission}); nothing was done"
            ),
            Refused::NoLine => write!(
                f,
                "@{author}'s `/backport` names no line (write `/backport release/1.2`)"
            ),
            Refused::NotMerged => write!(
                f,
                "@{author} asked for a backport of #{number}, which has not merged: ask again once it has"
            ),
        }
    }
}

/// What a `pull_request` event with `action` asks for: the hotfix released when
/// `finish --pr` opened the pull request, and the lines its labels name — with `always`,
/// the lines every merged pull request goes to. `repository` is the one the event is about.
pub fn by_pull(
    config: &Config,
    always: &[String],
    repository: &str,
    action: &str,
    pull: &Pull,
    label: Option<&str>,
) -> Ask {
    let number = pull.number;
    if !matches!(action, "closed" | "labeled") {
        return Ask::Nothing(Idle::PullAction {
            number,
            action: action.to_string(),
        });
    }
    if !pull.merged {
        return Ask::Nothing(match action {
            "closed" => Idle::ClosedUnmerged { number },
            _ => Idle::NotMergedYet { number },
        });
    }
    let mut targets = targets_of(config, pull.labels.iter().map(String::as_str));
    for line in always {
        if !targets.contains(line) {
            targets.push(line.clone());
        }
    }
    if action == "closed" {
        let release = match carried_by(config, repository, pull) {
            Ok(None) => None,
            Ok(Some(journal)) => Some(Ok(Box::new(journal))),
            Err(err) => Some(Err(err)),
        };
        if let Some(release) = release {
            return Ask::Release { release, targets };
        }
    }
    // A label added after the merge: the run answers for every label, so that the comment
    // tells all the lines (the ones done before are found, not done twice).
    if action == "labeled" && label.is_none_or(|l| targets_of(config, [l]).is_empty()) {
        return Ask::Nothing(Idle::LabelAsksNothing { number });
    }
    if targets.is_empty() {
        if action == "closed" && config.branch_template.could_have_made(&pull.head) {
            return Ask::Nothing(Idle::HotfixWithoutRecord {
                number,
                head: pull.head.clone(),
            });
        }
        return Ask::Nothing(Idle::NoBackportLabel {
            number,
            labels: config
                .github
                .backport_labels
                .iter()
                .map(ToString::to_string)
                .collect(),
        });
    }
    Ask::Backport { number, targets }
}

/// The hotfix merged pull request `pull` carries in its body, checked against the pull
/// request and the repository's naming; `None` when it carries none.
pub fn carried_by(config: &Config, repository: &str, pull: &Pull) -> Result<Option<Journal>> {
    let Some(journal) = carried::read(&pull.body)? else {
        return Ok(None);
    };
    // A fork's branch is not this repository's hotfix, whatever its body says.
    if pull.head_repository.as_deref() != Some(repository) {
        return Err(Error::CarriedRecord {
            reason: format!(
                "pull request #{} comes from {}, not from a branch of {repository}",
                pull.number,
                pull.head_repository
                    .as_deref()
                    .unwrap_or("a deleted repository")
            ),
        });
    }
    carried::verify(&journal, config, &pull.head, &pull.base)?;
    Ok(Some(journal))
}

/// How the bot answers a comment at once: a reaction on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Taken.
    Yes,
    /// Refused: may not push.
    No,
    /// Refused: nothing to act on.
    Confused,
}

impl Reaction {
    /// As GitHub names the reaction.
    pub fn content(self) -> &'static str {
        match self {
            Reaction::Yes => "+1",
            Reaction::No => "-1",
            Reaction::Confused => "confused",
        }
    }
}

/// What the bot asks GitHub of a `/backport` comment.
pub trait Commented {
    /// The repository (`owner/name`).
    fn repository(&self) -> String;
    /// `login`'s permission, as GitHub names it, and whether it lets them push.
    fn permission(&self, login: &str) -> Result<(String, bool)>;
    /// Whether pull request `number` merged.
    fn merged(&self, number: u64) -> Result<bool>;
    /// React to comment `comment` (a plan only says it would).
    fn react(&self, comment: u64, reaction: Reaction) -> Result<()>;
}

/// A `/backport <line>…` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The pull request it is on.
    pub number: u64,
    /// The comment's id.
    pub id: u64,
    pub author: String,
    /// The lines it names.
    pub targets: Vec<String>,
}

/// What a `/backport` comment asks for: answered only for someone who may push, on a
/// merged pull request, with a reaction either way.
pub fn by_comment(github: &dyn Commented, comment: Comment) -> Result<Ask> {
    let Comment {
        number,
        id,
        author,
        targets,
    } = comment;
    let (permission, may_push) = github.permission(&author)?;
    let refused = |why: Refused, reaction: Reaction| -> Result<Ask> {
        github.react(id, reaction)?;
        Ok(Ask::Refused(Refusal {
            number,
            author: author.clone(),
            why,
        }))
    };
    if !may_push {
        let repository = github.repository();
        return refused(
            Refused::MayNotPush {
                repository,
                permission,
            },
            Reaction::No,
        );
    }
    if targets.is_empty() {
        return refused(Refused::NoLine, Reaction::Confused);
    }
    if !github.merged(number)? {
        return refused(Refused::NotMerged, Reaction::Confused);
    }
    github.react(id, Reaction::Yes)?;
    Ok(Ask::Backport { number, targets })
}

/// The lines an `issue_comment` event's `/backport` names, or why it asks for nothing: a
/// comment that is no `/backport`, or one edited or on an issue.
pub fn comment_lines(
    action: &str,
    on_pull: bool,
    body: &str,
) -> std::result::Result<Vec<String>, Idle> {
    let targets = super::asked_lines(body).ok_or(Idle::NoCommand)?;
    match action == "created" && on_pull {
        true => Ok(targets),
        false => Err(Idle::NotANewPullComment),
    }
}
