//! Planning a backport: what to pick and where, every target computed in memory, and what
//! a line already has (by patch-id) so that it is not picked twice.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::{
    Backport, BackportRequest, OnConflict, PickRecord, PickStatus, RefState, SCHEMA, SourceCommit,
    Target, What, load,
};
use crate::foundation::error::{Error, Result};
use crate::foundation::names;
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::names::BranchRole;
use crate::foundation::oid::short;
use crate::git::pick::{self, EmptyBecause, Picked, Source};
use crate::git::repo::Repo;
use crate::git::worktree;
use crate::records::journal::TargetStatus;
use crate::records::journal::{self, EventKind};
use crate::records::run::Steps;
use crate::settings::config::Config;

/// Compute the whole backport in memory: objects go to `mem` only.
pub fn plan(
    repo: &Repo,
    mem: &Repo,
    config: &Config,
    request: &BackportRequest,
) -> Result<Backport> {
    if let Some(run) = load(repo)? {
        return Err(Error::RunInProgress {
            ticket: run.hotfix.unwrap_or(run.name),
            command: "backport".into(),
        });
    }
    let Sources {
        journal,
        name,
        commits,
    } = sources(repo, &request.what)?;
    let hotfix = journal.map(|j| j.ticket);
    let sources = commits
        .iter()
        .map(|&c| Source::of(repo, c, request.mainline))
        .collect::<Result<Vec<_>>>()?;

    let template = request
        .branch_template
        .as_ref()
        .unwrap_or(&config.backport_branch_template);
    let lines = targets_of(repo, config, request)?;
    if lines.is_empty() {
        return Err(Error::NoTargets {
            asked: if request.maintained {
                config.release_branches.clone()
            } else {
                request.to.clone()
            },
        });
    }

    let mut targets = Vec::new();
    for line in lines {
        let tip = repo.require_branch(&line, BranchRole::ReleaseLine)?;
        if request.onto_target {
            worktree::ensure_clean_on(repo, &line)?;
        }
        let branch = if request.onto_target {
            line.clone()
        } else {
            template.render(&line, &name, hotfix.as_deref())?
        };
        // Without `{target}` every line's backport goes by one name: a branch of that name
        // left for another line is not this one's (it would read as "already backported").
        if !request.onto_target
            && !template.names_target()
            && let Some(existing) = repo.branch_tip(&branch)?
        {
            let mut foreign = false;
            for commit in repo.commits_between(tip, existing)? {
                foreign |= pick::picked_from(repo, &[commit])?.is_empty();
            }
            if foreign {
                return Err(Error::BackportBranchTaken {
                    template: template.as_str().to_string(),
                    branch,
                    line,
                });
            }
        }
        if let Some(other) = targets.iter().find(|t: &&Target| t.branch == branch) {
            return Err(Error::BackportBranchShared {
                template: template.as_str().to_string(),
                branch,
                lines: vec![other.target.clone(), line],
            });
        }
        targets.push(Target {
            target: line,
            tip,
            branch,
            status: TargetStatus::Pending,
            reason: None,
            conflicts: Vec::new(),
            commits: Vec::new(),
            result: None,
            ref_state: RefState::Untouched,
            existing: None,
            pull: None,
        });
    }
    let mut run = Backport {
        schema: SCHEMA,
        hotfix,
        name,
        sources: sources
            .iter()
            .map(|s| SourceCommit {
                commit: s.commit,
                parent: s.parent,
            })
            .collect(),
        cascade: request.cascade,
        onto_target: request.onto_target,
        on_conflict: request.on_conflict,
        targets,
        stopped: None,
        events: Vec::new(),
        open_pulls: request.open_pulls,
        source_pull: match &request.what {
            What::Pull { pull, .. } => Some(pull.clone()),
            _ => None,
        },
        steps: Steps::default(),
    };
    for index in 0..run.targets.len() {
        compute_target(mem, &mut run, index)?;
    }
    Ok(run)
}

/// The commits to pick: the hotfix's, or the ones named, oldest first.
/// The commits a backport picks (and `patch export` writes), oldest first.
pub struct Sources {
    /// The hotfix they are the fix of.
    pub journal: Option<journal::Journal>,
    /// What names them in branch and file names: the hotfix branch without its prefix, or
    /// the last commit's short id.
    pub name: String,
    pub commits: Vec<ObjectId>,
}

/// The commits `what` names; a hotfix's are its fix without the release commit, which
/// moves that line's version files (a target's own release bumps its own).
pub fn sources(repo: &Repo, what: &What) -> Result<Sources> {
    match what {
        What::Hotfix(ticket) => {
            let journal = hotfix_journal(repo, ticket.as_deref())?;
            let tip = hotfix_tip(repo, &journal)?;
            let mut commits = crate::records::fix::fix_ids(repo, &journal, tip)?;
            commits.reverse();
            if commits.is_empty() {
                return Err(Error::NothingToFinish {
                    branch: journal.branch.clone(),
                    base: journal.base.label(),
                });
            }
            let name = journal
                .branch
                .split_once('/')
                .map_or(journal.branch.as_str(), |(_, rest)| rest)
                .to_string();
            Ok(Sources {
                journal: Some(journal),
                name,
                commits,
            })
        }
        What::Pull { pull, commits } => Ok(Sources {
            journal: None,
            name: super::pull_name(pull.number),
            commits: commits.clone(),
        }),
        What::Commits(revs) => {
            let mut commits = Vec::new();
            for rev in revs {
                match rev.split_once("..") {
                    Some((from, to)) => {
                        let from = repo.resolve(from)?.commit();
                        let to = repo
                            .resolve(if to.is_empty() { "HEAD" } else { to })?
                            .commit();
                        let mut range = repo.commits_between(from, to)?;
                        range.reverse();
                        commits.extend(range);
                    }
                    None => commits.push(repo.resolve(rev)?.commit()),
                }
            }
            let Some(last) = commits.last() else {
                return Err(Error::UnknownRevision {
                    rev: revs.join(" "),
                });
            };
            Ok(Sources {
                journal: None,
                name: short(*last),
                commits,
            })
        }
    }
}

/// The hotfix named, else the current one, else the only one in progress; finished ones too.
fn hotfix_journal(repo: &Repo, ticket: Option<&str>) -> Result<journal::Journal> {
    let store = journal::Store::new(repo);
    if let Some(ticket) = ticket {
        let id = names::ticket(ticket)?;
        return store.load_any(&id)?.ok_or_else(|| Error::NotAHotfix {
            selector: format!("ticket `{id}`"),
        });
    }
    match crate::operations::finish::select(repo, None) {
        Ok(journal) => Ok(journal),
        Err(err) => {
            let mut active = store.active()?;
            if active.len() == 1 {
                Ok(active.remove(0))
            } else {
                Err(err)
            }
        }
    }
}

/// The last commit of a hotfix: its branch, or for a finished one the tip it had when
/// `finish` deleted it.
fn hotfix_tip(repo: &Repo, journal: &journal::Journal) -> Result<ObjectId> {
    if let Some(tip) = repo.branch_tip(&journal.branch)? {
        return Ok(tip);
    }
    let branch = format!("{BRANCH_PREFIX}{}", journal.branch);
    journal
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            EventKind::RefsMoved { refs } => refs
                .iter()
                .find(|r| r.name == branch && r.new.is_none())
                .and_then(|r| r.old),
            _ => None,
        })
        .ok_or(Error::MissingBranch {
            name: journal.branch.clone(),
            role: BranchRole::Hotfix,
        })
}

/// The target branches: named ones (or globs), or the maintained lines; oldest line first.
fn targets_of(repo: &Repo, config: &Config, request: &BackportRequest) -> Result<Vec<String>> {
    let patterns: Vec<String> = if request.maintained {
        config.release_branches.clone()
    } else {
        request.to.clone()
    };
    if patterns.is_empty() {
        return Err(Error::NoTargets { asked: Vec::new() });
    }
    let mut lines = Vec::new();
    for pattern in &patterns {
        if pattern.contains(['*', '?', '[']) {
            lines.extend(repo.branches_matching(pattern)?);
        } else {
            repo.require_branch(pattern, BranchRole::ReleaseLine)?;
            lines.push(pattern.clone());
        }
    }
    lines.sort_by_key(|name| line_order(name));
    lines.dedup();
    Ok(lines)
}

/// Order release lines by the version in their names (`release/1.9` before `release/1.10`),
/// lines without a number last.
fn line_order(name: &str) -> (bool, Vec<u64>, String) {
    let numbers: Vec<u64> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    (numbers.is_empty(), numbers, name.to_string())
}

/// Pick the commits onto target `index` in memory, from where it stands (its tip, or the
/// stop of a paused run), until done or a conflict. Everything is read through `mem`, which
/// also sees the picks of earlier targets that are not written yet (for `--cascade`).
pub(super) fn compute_target(mem: &Repo, run: &mut Backport, index: usize) -> Result<()> {
    let sources = sources_for(run, index);
    let target = &mut run.targets[index];
    if matches!(target.status, TargetStatus::Skipped) {
        return Ok(());
    }
    if let Some(reason) = cascade_blocked(&run.targets[..index], run.cascade) {
        let target = &mut run.targets[index];
        target.status = TargetStatus::Skipped;
        target.reason = Some(reason);
        return Ok(());
    }
    let target = &mut run.targets[index];
    // A backport branch left by an earlier run: fine if it already has the picks.
    if !run.onto_target
        && target.commits.is_empty()
        && let Some(existing) = mem.branch_tip(&target.branch)?
    {
        let commits = mem.commits_between(target.tip, existing)?;
        let trailers = pick::picked_from(mem, &commits)?;
        let picked = sources.iter().all(|s| trailers.contains(&s.commit));
        let unresolved = match picked {
            true => pick::unresolved_markers(mem, &commits, existing)?,
            false => Vec::new(),
        };
        if !unresolved.is_empty() {
            // An earlier run committed conflict markers there, and nobody resolved them yet.
            target.status = TargetStatus::Conflict;
            target.conflicts = unresolved;
            target.existing = Some(existing);
        } else if picked {
            target.status = TargetStatus::Empty;
            target.reason = Some(format!("already backported on {}", target.branch));
            target.existing = Some(existing);
        } else {
            target.status = TargetStatus::Skipped;
            target.reason = Some(format!(
                "branch {} exists; delete it or choose another --branch-template",
                target.branch
            ));
        }
        return Ok(());
    }

    let mut tip = target
        .commits
        .iter()
        .rev()
        .find_map(|p| p.result)
        .unwrap_or(target.tip);
    let start = target.commits.len();
    let mut already: Option<AlreadyThere> = None;
    for source in &sources[start..] {
        match pick::pick(mem, tip, source)? {
            Picked::Commit { commit, tree } => {
                target.commits.push(PickRecord {
                    source: source.commit,
                    status: PickStatus::Picked,
                    result: Some(commit),
                    tree: Some(tree),
                    empty: None,
                });
                tip = commit;
            }
            // Why it is empty is worth saying, and costs a look at the target's history.
            Picked::Empty { why } => {
                let found = already.get_or_insert_with(|| AlreadyThere::new(target.tip, &sources));
                let why = if mem.is_ancestor(source.commit, target.tip)? {
                    EmptyBecause::Contained
                } else if found.by_trailer(mem, source.commit)? {
                    EmptyBecause::Trailer
                } else {
                    why
                };
                target
                    .commits
                    .push(empty_record(mem, source.commit, tip, why)?);
            }
            // A change the target has in another form is no conflict: look for it there.
            Picked::Conflict { paths } => {
                let found = already.get_or_insert_with(|| AlreadyThere::new(target.tip, &sources));
                // The line holds the commit itself (the hotfix landed there): picking it
                // again conflicts with its own later changes, and is no conflict.
                let why = if mem.is_ancestor(source.commit, target.tip)? {
                    Some(EmptyBecause::Contained)
                } else if found.by_trailer(mem, source.commit)? {
                    Some(EmptyBecause::Trailer)
                } else if found.by_patch(mem, source)? {
                    Some(EmptyBecause::SamePatch)
                } else {
                    None
                };
                if let Some(why) = why {
                    target
                        .commits
                        .push(empty_record(mem, source.commit, tip, why)?);
                    continue;
                }
                if run.on_conflict == OnConflict::Commit {
                    let (commit, tree) = pick::commit_markers(mem, tip, source, &paths)?;
                    target.commits.push(PickRecord {
                        source: source.commit,
                        status: PickStatus::Conflict,
                        result: Some(commit),
                        tree: Some(tree),
                        empty: None,
                    });
                    for path in paths {
                        if !target.conflicts.contains(&path) {
                            target.conflicts.push(path);
                        }
                    }
                    tip = commit;
                    continue;
                }
                target.commits.push(PickRecord {
                    source: source.commit,
                    status: PickStatus::Conflict,
                    result: None,
                    tree: None,
                    empty: None,
                });
                target.status = TargetStatus::Conflict;
                target.conflicts = paths;
                return Ok(());
            }
        }
    }
    target.result = (tip != target.tip).then_some(tip);
    target.status = if !target.conflicts.is_empty() {
        // `--on-conflict commit`: the markers are on the branch.
        TargetStatus::Conflict
    } else if target.result.is_some() {
        TargetStatus::Clean
    } else {
        TargetStatus::Empty
    };
    Ok(())
}

fn empty_record(
    mem: &Repo,
    source: ObjectId,
    tip: ObjectId,
    why: EmptyBecause,
) -> Result<PickRecord> {
    let tree = mem.tree_of(tip)?;
    Ok(PickRecord {
        source,
        status: PickStatus::Empty,
        result: None,
        tree: Some(tree),
        empty: Some(why),
    })
}

/// With `--cascade`, a line receives what the previous line got; after a line that did not
/// get the fix the chain is broken.
fn cascade_blocked(before: &[Target], cascade: bool) -> Option<String> {
    let previous = before.last().filter(|_| cascade)?;
    (!previous.done()).then(|| format!("cascade stopped at {}", previous.target))
}

/// The commits target `index` receives: the sources, or with `--cascade` what the previous
/// line got (its picks, or the source where the previous line already had it).
pub(super) fn sources_for(run: &Backport, index: usize) -> Vec<Source> {
    let originals: Vec<Source> = run.sources.iter().map(|&s| s.into()).collect();
    if !run.cascade || index == 0 {
        return originals;
    }
    let previous = &run.targets[index - 1];
    let mut parent = Some(previous.tip);
    originals
        .iter()
        .zip(&previous.commits)
        .map(|(original, record)| match record.result {
            Some(commit) => {
                let source = Source { commit, parent };
                parent = Some(commit);
                source
            }
            None => *original,
        })
        .collect()
}

/// Finds changes a target already has, by trailer or by patch id; computed once per target
/// and only when needed (patch ids only when a pick conflicts).
struct AlreadyThere {
    tip: ObjectId,
    hide: Vec<ObjectId>,
    commits: Option<Vec<ObjectId>>,
    trailers: Option<HashSet<ObjectId>>,
    /// The target's commits by the paths they touch.
    patches: Option<HashMap<Vec<String>, Vec<Candidate>>>,
}

impl AlreadyThere {
    fn new(tip: ObjectId, sources: &[Source]) -> Self {
        AlreadyThere {
            tip,
            hide: sources.iter().map(|s| s.commit).collect(),
            commits: None,
            trailers: None,
            patches: None,
        }
    }

    /// The target's commits since it forked from the sources.
    fn commits(&mut self, repo: &Repo) -> Result<&[ObjectId]> {
        if self.commits.is_none() {
            let walk = repo
                .git
                .rev_walk([self.tip])
                .with_hidden(self.hide.iter().copied())
                .all()
                .map_err(|source| Error::Git {
                    context: format!("could not walk {}", short(self.tip)),
                    source,
                })?;
            let mut commits = Vec::new();
            for info in walk {
                commits.push(
                    info.map_err(|source| Error::Git {
                        context: format!("could not walk {}", short(self.tip)),
                        source,
                    })?
                    .id,
                );
            }
            self.commits = Some(commits);
        }
        Ok(self.commits.as_deref().expect("just filled"))
    }

    fn by_trailer(&mut self, repo: &Repo, source: ObjectId) -> Result<bool> {
        if self.trailers.is_none() {
            let commits = self.commits(repo)?.to_vec();
            self.trailers = Some(pick::picked_from(repo, &commits)?);
        }
        Ok(self
            .trailers
            .as_ref()
            .expect("just filled")
            .contains(&source))
    }

    fn by_patch(&mut self, repo: &Repo, source: &Source) -> Result<bool> {
        if self.patches.is_none() {
            // Only the paths of each commit first: a tree diff, no blob read. Patch ids are
            // computed for the few commits that touch exactly the source's paths, as git
            // filters by paths before it diffs anything.
            let commits = self.commits(repo)?.to_vec();
            let mut by_paths: HashMap<Vec<String>, Vec<Candidate>> = HashMap::new();
            for commit in commits {
                // Merges carry no single change of their own.
                if let Ok(theirs) = Source::of(repo, commit, None) {
                    let files = pick::changed_files(repo, &theirs)?;
                    let paths = files.iter().map(|(p, ..)| p.clone()).collect();
                    by_paths.entry(paths).or_default().push(Candidate {
                        commit,
                        files,
                        id: None,
                    });
                }
            }
            self.patches = Some(by_paths);
        }
        let files = pick::changed_files(repo, source)?;
        let paths: Vec<String> = files.iter().map(|(p, ..)| p.clone()).collect();
        let Some(candidates) = self.patches.as_mut().expect("just filled").get_mut(&paths) else {
            return Ok(false);
        };
        let wanted = pick::patch_id(repo, source.commit, &files)?;
        for candidate in candidates {
            let id = match candidate.id {
                Some(id) => id,
                None => {
                    *candidate
                        .id
                        .insert(pick::patch_id(repo, candidate.commit, &candidate.files)?)
                }
            };
            if id == wanted {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A commit of the target whose paths are those of a source: its patch id, once needed.
struct Candidate {
    commit: ObjectId,
    files: Vec<(String, ObjectId, ObjectId)>,
    id: Option<ObjectId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::names::BackportTemplate;

    #[test]
    fn lines_sort_by_the_version_in_their_names() {
        let mut lines = vec![
            "release/1.10",
            "main",
            "release/1.9",
            "release/2.0",
            "release/1.9.1",
        ];
        lines.sort_by_key(|l| line_order(l));
        assert_eq!(
            lines,
            [
                "release/1.9",
                "release/1.9.1",
                "release/1.10",
                "release/2.0",
                "main"
            ]
        );
    }

    #[test]
    fn backport_templates_need_the_target() {
        let t = BackportTemplate::parse(BackportTemplate::DEFAULT).unwrap();
        assert_eq!(
            t.render("release/1.2", "ENG-1-fix", Some("ENG-1")).unwrap(),
            "backport/release/1.2/ENG-1-fix"
        );
        // A team names them by ticket; commits of no hotfix fall back to their name.
        let t = BackportTemplate::parse("backport/{target}/hotfix-{ticket}").unwrap();
        assert_eq!(
            t.render("rc", "ENG-1-fix", Some("ENG-1")).unwrap(),
            "backport/rc/hotfix-ENG-1"
        );
        assert_eq!(
            t.render("rc", "1a2b3c4", None).unwrap(),
            "backport/rc/hotfix-1a2b3c4"
        );
        // A team backporting to one line names it in the template.
        let t = BackportTemplate::parse("backport/rc/{ticket}").unwrap();
        assert_eq!(
            t.render("release/2.0", "ENG-1-fix", Some("ENG-1")).unwrap(),
            "backport/rc/ENG-1"
        );
    }
}
