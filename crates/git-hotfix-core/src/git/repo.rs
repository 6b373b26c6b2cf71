//! The repository as git-hotfix sees it: HEAD, branches, tags, worktrees and their state.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::BRANCH_PREFIX;
use crate::foundation::names::BranchRole;
use crate::foundation::names::TAG_PREFIX;
use crate::foundation::oid::short;

/// An open repository.
pub struct Repo {
    pub(crate) git: gix::Repository,
    /// The committer of this run, read once: one run's commits share one time, and reading
    /// it again per commit re-reads the time zone.
    committer: std::sync::OnceLock<gix::actor::Signature>,
    /// The common directory, resolved once: a linked worktree names it relative to its own
    /// administrative directory, which `finish` may remove while it runs.
    common_dir: PathBuf,
    /// The blob caches of tree merges (attributes and filters, read from the index), made
    /// once and shared with in-memory views: gix makes them anew per merge, a scan of the
    /// whole index each time.
    merge_caches: Rc<RefCell<Option<MergeCaches>>>,
}

struct MergeCaches {
    diff: gix::diff::blob::Platform,
    merge: gix::merge::blob::Platform,
}

/// Where HEAD points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// On a branch (short name) at a commit.
    Branch { name: String, commit: ObjectId },
    /// On a branch without commits.
    Unborn { name: String },
    /// Not on a branch.
    Detached { commit: ObjectId },
}

/// A revision a user named, resolved to a commit.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Base {
    Tag {
        name: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
    Branch {
        name: String,
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
    Commit {
        #[serde(with = "crate::foundation::oid::hex")]
        #[schemars(with = "String")]
        commit: ObjectId,
    },
}

impl Base {
    pub fn commit(&self) -> ObjectId {
        match self {
            Base::Tag { commit, .. } | Base::Branch { commit, .. } | Base::Commit { commit } => {
                *commit
            }
        }
    }

    /// How to show it: the tag or branch name, else the abbreviated commit.
    pub fn label(&self) -> String {
        match self {
            Base::Tag { name, .. } | Base::Branch { name, .. } => name.clone(),
            Base::Commit { commit } => commit.to_hex_with_len(7).to_string(),
        }
    }
}

/// A commit and the first line of its message.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct CommitSummary {
    #[serde(with = "crate::foundation::oid::hex")]
    #[schemars(with = "String")]
    pub id: ObjectId,
    pub summary: String,
}

/// One worktree of the repository.
#[derive(Debug, Clone)]
pub struct Worktree {
    /// `None` for the main worktree, else the name under `.git/worktrees/`.
    pub id: Option<String>,
    pub path: PathBuf,
    pub head: Head,
    /// Whether the current process runs in it.
    pub is_current: bool,
}

impl Worktree {
    /// The ref naming this worktree's HEAD from any other worktree.
    pub fn head_ref(&self) -> String {
        match &self.id {
            None => "main-worktree/HEAD".to_string(),
            Some(id) => format!("worktrees/{id}/HEAD"),
        }
    }

    pub fn branch(&self) -> Option<&str> {
        match &self.head {
            Head::Branch { name, .. } | Head::Unborn { name } => Some(name),
            Head::Detached { .. } => None,
        }
    }
}

/// The decoded objects kept in memory per repository handle.
const OBJECT_CACHE_BYTES: usize = 16 * 1024 * 1024;

impl From<gix::Repository> for Repo {
    fn from(mut git: gix::Repository) -> Repo {
        // Picks and merges read the same trees again and again (each line's, each pick's
        // parent); without a cache every read inflates the object anew.
        git.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
        let common_dir = git
            .common_dir()
            .canonicalize()
            .unwrap_or_else(|_| git.common_dir().to_path_buf());
        Repo {
            git,
            committer: Default::default(),
            common_dir,
            merge_caches: Default::default(),
        }
    }
}

impl Repo {
    /// Find the repository containing `dir` as git does, honouring `GIT_DIR` and the other
    /// variables `git --git-dir=… hotfix` sets: gix reads them on git's behalf.
    /// `git -c` settings (`GIT_CONFIG_PARAMETERS`) count, as in git.
    pub fn discover(dir: &Path) -> Result<Repo> {
        let parameters = match std::env::var(crate::git::parameters::VARIABLE) {
            Ok(text) => crate::git::parameters::parse(&text)
                .map_err(|problem| Error::ConfigParameters { problem })?,
            Err(_) => Vec::new(),
        };
        let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
        trust.full = trust.full.cli_overrides(parameters.clone());
        trust.reduced = trust.reduced.cli_overrides(parameters);
        let git = gix::ThreadSafeRepository::discover_with_environment_overrides_opts(
            dir,
            Default::default(),
            trust,
        )
        .map_err(|_| Error::NotARepository {
            path: dir.to_path_buf(),
        })?;
        Ok(Repo::from(gix::Repository::from(git)))
    }

    /// Open the repository whose worktree or git directory is exactly `path`.
    pub fn open(path: &Path) -> Result<Repo> {
        let git = gix::open(path).map_err(|_| Error::NotARepository {
            path: path.to_path_buf(),
        })?;
        Ok(Repo::from(git))
    }

    /// The same repository, but objects written through it stay in memory: plans use it so
    /// that `--plan` writes nothing.
    pub fn in_memory(&self) -> Repo {
        Repo {
            git: self.git.clone().with_object_memory(),
            committer: self.committer.clone(),
            common_dir: self.common_dir.clone(),
            merge_caches: self.merge_caches.clone(),
        }
    }

    /// gix's three-way merge of trees, with blob caches made once per repository. The
    /// outcome is unwritten: its tree editor and conflicts.
    pub(crate) fn merge_trees(
        &self,
        base: ObjectId,
        ours: ObjectId,
        theirs: ObjectId,
        labels: gix::merge::blob::builtin_driver::text::Labels<'_>,
        options: gix::merge::tree::Options,
    ) -> Result<gix::merge::plumbing::tree::Outcome<'_>> {
        let context = || {
            format!(
                "could not merge tree {} into {}",
                short(theirs),
                short(ours)
            )
        };
        let mut caches = self.merge_caches.borrow_mut();
        if caches.is_none() {
            // The caches read the index only for its `.gitattributes` entries. Verifying
            // its checksum (gix: collision-detecting SHA-1) was most of a merge's cost at
            // 300K files; git reads it with a plain SHA-1. This handle only reads.
            let mut reader = self.git.clone();
            let mut config = reader.config_snapshot_mut();
            config
                .set_value(&gix::config::tree::Index::SKIP_HASH, "true")
                .context(context)?;
            config.commit().context(context)?;
            *caches = Some(MergeCaches {
                diff: reader
                    .diff_resource_cache_for_tree_diff()
                    .context(context)?,
                merge: reader
                    .merge_resource_cache(Default::default())
                    .context(context)?,
            });
        }
        let caches = caches.as_mut().expect("made above");
        use gix::objs::Write;
        gix::merge::plumbing::tree(
            &base,
            &ours,
            &theirs,
            labels,
            &self.git,
            |data| self.git.write_buf(gix::object::Kind::Blob, data),
            &mut Default::default(),
            &mut caches.diff,
            &mut caches.merge,
            options.into(),
        )
        .context(context)
    }

    /// This repository as its main worktree sees it, when the worktree this one was opened
    /// from is gone (a run removed it): git-hotfix goes on from the common directory. The
    /// process moves there too, as its working directory went with the worktree and
    /// opening a repository resolves paths against it.
    pub fn surviving(&self) -> Result<Option<Repo>> {
        match self.workdir() {
            Some(dir) if !dir.exists() => {
                std::env::set_current_dir(&self.common_dir).map_err(|source| Error::Io {
                    context: "could not move to the repository",
                    path: self.common_dir.clone(),
                    source,
                })?;
                Repo::open(&self.common_dir).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The directory shared by all worktrees (`.git` of the main worktree).
    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    pub fn git_dir(&self) -> &Path {
        self.git.git_dir()
    }

    pub fn workdir(&self) -> Option<&Path> {
        self.git.workdir()
    }

    /// Where git runs to talk to a remote: the main worktree's root, where a remote URL
    /// written relative (`../origin.git`) names what it named when it was added — also from
    /// a linked worktree (a conflict's, deeper down) and once a run removed the one it was
    /// started in; the common directory when bare.
    pub fn remote_dir(&self) -> PathBuf {
        // From the common directory, resolved when this one was opened: the process may be
        // in a linked worktree that a run removed, where nothing can be opened any more.
        let main = match self.common_dir.file_name() == Some(std::ffi::OsStr::new(".git")) {
            true => self.common_dir.parent().map(Path::to_path_buf),
            false => gix::open(&self.common_dir)
                .ok()
                .and_then(|main| main.workdir().map(Path::to_path_buf)),
        };
        main.filter(|dir| dir.exists())
            .unwrap_or_else(|| self.common_dir.clone())
    }

    pub fn is_bare(&self) -> bool {
        self.git.is_bare()
    }

    pub fn head(&self) -> Result<Head> {
        head_of(&self.git)
    }

    /// The current branch, or an error naming why there is none.
    pub fn current_branch(&self) -> Result<(String, ObjectId)> {
        match self.head()? {
            Head::Branch { name, commit } => Ok((name, commit)),
            Head::Unborn { name } => Err(Error::UnbornHead { branch: name }),
            Head::Detached { commit } => Err(Error::DetachedHead {
                commit: short(commit),
            }),
        }
    }

    pub fn branch_tip(&self, short_name: &str) -> Result<Option<ObjectId>> {
        self.ref_target(&format!("{BRANCH_PREFIX}{short_name}"))
    }

    /// The tip of a branch that must exist; `role` says what it is for, in the error.
    pub fn require_branch(&self, short_name: &str, role: BranchRole) -> Result<ObjectId> {
        self.branch_tip(short_name)?
            .ok_or_else(|| Error::MissingBranch {
                name: short_name.to_string(),
                role,
            })
    }

    pub fn tag_exists(&self, short_name: &str) -> Result<bool> {
        Ok(self
            .ref_target(&format!("{TAG_PREFIX}{short_name}"))?
            .is_some())
    }

    /// The object a full ref name points to (not peeled), if it exists.
    pub fn ref_target(&self, full_name: &str) -> Result<Option<ObjectId>> {
        let found = self
            .git
            .try_find_reference(full_name)
            .context(|| format!("could not read `{full_name}`"))?;
        Ok(found.and_then(|r| r.target().try_id().map(ToOwned::to_owned)))
    }

    /// Short names of the local branches matching a git wildmatch pattern (`release/*`).
    pub fn branches_matching(&self, pattern: &str) -> Result<Vec<String>> {
        let context = || "could not list branches".to_string();
        let platform = self.git.references().context(context)?;
        let mut names = Vec::new();
        for reference in platform.local_branches().context(context)? {
            let reference = reference.context(context)?;
            let name = reference.name().shorten().to_str_lossy().into_owned();
            if glob_matches(pattern, &name) {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Resolve what a user typed for `--from`: a tag, a branch, or any commit-ish.
    pub fn resolve(&self, rev: &str) -> Result<Base> {
        let unknown = || Error::UnknownRevision {
            rev: rev.to_string(),
        };
        if rev.starts_with('-') {
            return Err(unknown());
        }
        // `v1.2.3` and `release/1.2` are names; `abc123^` or `HEAD~2` are revisions only.
        let is_name = gix::validate::reference::name_partial(rev.as_bytes().as_bstr()).is_ok();
        if is_name && let Some(commit) = self.peeled_commit(&format!("{TAG_PREFIX}{rev}"))? {
            return Ok(Base::Tag {
                name: rev.to_string(),
                commit,
            });
        }
        if is_name && let Some(commit) = self.branch_tip(rev)? {
            return Ok(Base::Branch {
                name: rev.to_string(),
                commit,
            });
        }
        let id = self.git.rev_parse_single(rev).map_err(|_| unknown())?;
        let commit = id
            .object()
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .ok_or_else(unknown)?;
        Ok(Base::Commit { commit: commit.id })
    }

    /// The commit a ref points to after peeling tags, if the ref exists.
    pub fn peeled_commit(&self, full_name: &str) -> Result<Option<ObjectId>> {
        let Some(mut reference) = self
            .git
            .try_find_reference(full_name)
            .context(|| format!("could not read `{full_name}`"))?
        else {
            return Ok(None);
        };
        let commit = reference
            .peel_to_commit()
            .context(|| format!("`{full_name}` does not point to a commit"))?;
        Ok(Some(commit.id))
    }

    /// Every worktree, the main one first (a bare repository's main has no worktree).
    pub fn worktrees(&self) -> Result<Vec<Worktree>> {
        let current = self.workdir().and_then(|p| p.canonicalize().ok());
        let is_current = |path: &Path| Some(path.canonicalize().ok()) == Some(current.clone());
        let mut all = Vec::new();
        let main = self
            .git
            .main_repo()
            .context(|| "could not open the main worktree".into())?;
        if let Some(path) = main.workdir() {
            all.push(Worktree {
                id: None,
                path: path.to_path_buf(),
                head: head_of(&main)?,
                is_current: is_current(path),
            });
        }
        for proxy in self
            .git
            .worktrees()
            .context(|| "could not list worktrees".into())?
        {
            let id = proxy
                .id()
                .context(|| "could not read a worktree's name".into())?
                .to_string();
            let path = proxy
                .base()
                .context(|| format!("could not read where worktree `{id}` is"))?;
            let Ok(repo) = proxy.into_repo_with_possibly_inaccessible_worktree() else {
                continue;
            };
            all.push(Worktree {
                id: Some(id),
                is_current: is_current(&path),
                path,
                head: head_of(&repo)?,
            });
        }
        Ok(all)
    }

    /// The worktrees that have `branch` (short name) checked out.
    /// The main worktree's path, `None` in a bare repository.
    fn main_worktree(&self) -> Option<PathBuf> {
        let main = self.git.main_repo().ok()?;
        main.workdir().map(Path::to_path_buf)
    }

    /// How a run records a worktree's path: the main worktree as `.`, so that a
    /// repository moved or restored elsewhere (a copy, another mount) finds its own and a
    /// step never writes in the old place, someone else's now; a linked worktree as is.
    pub fn recorded_worktree(&self, path: &Path) -> PathBuf {
        match self.main_worktree() {
            Some(main) if main == path => PathBuf::from("."),
            _ => path.to_path_buf(),
        }
    }

    /// Where a worktree [`recorded`](Repo::recorded_worktree) by a run is now.
    pub fn recorded_at(&self, recorded: &Path) -> PathBuf {
        match (recorded.is_relative(), self.main_worktree()) {
            (true, Some(main)) => main.join(recorded).components().collect(),
            _ => recorded.to_path_buf(),
        }
    }

    pub fn worktrees_on(&self, branch: &str) -> Result<Vec<Worktree>> {
        Ok(self
            .worktrees()?
            .into_iter()
            .filter(|w| w.branch() == Some(branch))
            .collect())
    }

    /// Tracked files with changes (staged or not) in this worktree; untracked files don't count.
    pub fn dirty_files(&self) -> Result<Vec<String>> {
        dirty_files_of(&self.git)
    }

    /// Refuse to go on when this worktree has local changes, naming them.
    pub fn ensure_clean(&self) -> Result<()> {
        let files = self.dirty_files()?;
        if files.is_empty() {
            return Ok(());
        }
        Err(Error::DirtyWorktree {
            worktree: self.workdir().unwrap_or(self.git_dir()).to_path_buf(),
            files,
        })
    }

    /// Refuse when another git process holds this worktree's index.
    pub fn ensure_index_unlocked(&self) -> Result<()> {
        let lock = self.git_dir().join("index.lock");
        if lock.exists() {
            return Err(Error::Locked { path: lock });
        }
        Ok(())
    }

    /// The contents of `path` in the tree of `commit`, if it is a file there.
    pub fn read_file_at(&self, commit: ObjectId, path: &str) -> Result<Option<Vec<u8>>> {
        let tree = self
            .git
            .find_commit(commit)
            .and_then(|c| c.tree())
            .context(|| format!("could not read the tree of {}", short(commit)))?;
        let Some(entry) = tree
            .lookup_entry_by_path(path)
            .context(|| format!("could not look up {path} in {}", short(commit)))?
        else {
            return Ok(None);
        };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let blob = entry
            .object()
            .context(|| format!("could not read {path} in {}", short(commit)))?;
        Ok(Some(blob.data.clone()))
    }

    /// The tree of a commit.
    pub fn tree_of(&self, commit: ObjectId) -> Result<ObjectId> {
        self.git
            .find_commit(commit)
            .and_then(|c| c.tree_id())
            .map(|t| t.detach())
            .context(|| format!("could not read the tree of {}", short(commit)))
    }

    /// Whether `ancestor` is reachable from `descendant` (or the same commit).
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        let base = self.git.merge_base(ancestor, descendant).context(|| {
            format!(
                "could not compare {} and {}",
                short(ancestor),
                short(descendant)
            )
        })?;
        Ok(base.is_some_and(|b| b.detach() == ancestor))
    }

    /// The commits reachable from `tip` but not from `base`, newest first.
    pub fn commits_between(&self, base: ObjectId, tip: ObjectId) -> Result<Vec<ObjectId>> {
        self.commits_hiding([base], tip)
    }

    /// The commits reachable from `tip` but from none of `hidden`, newest first.
    pub fn commits_hiding(
        &self,
        hidden: impl IntoIterator<Item = ObjectId>,
        tip: ObjectId,
    ) -> Result<Vec<ObjectId>> {
        let walk = self
            .git
            .rev_walk([tip])
            .with_hidden(hidden)
            .all()
            .context(|| format!("could not walk history from {}", short(tip)))?;
        walk.map(|info| {
            info.map(|i| i.id)
                .context(|| format!("could not walk history from {}", short(tip)))
        })
        .collect()
    }

    /// The commits of branch `name` that no other branch, tag or remote-tracking ref holds,
    /// newest first: what deleting the branch would lose.
    pub fn only_on(&self, name: &str) -> Result<Vec<ObjectId>> {
        let Some(tip) = self.branch_tip(name)? else {
            return Ok(Vec::new());
        };
        let full = format!("{BRANCH_PREFIX}{name}");
        let context = || format!("could not list the refs holding `{name}`");
        let platform = self.git.references().context(context)?;
        let mut others = Vec::new();
        for reference in platform.all().context(context)? {
            let mut reference = reference.context(context)?;
            let ref_name = reference.name().as_bstr().to_str_lossy().into_owned();
            let kept = ["refs/heads/", "refs/tags/", "refs/remotes/"]
                .iter()
                .any(|p| ref_name.starts_with(p));
            if !kept || ref_name == full {
                continue;
            }
            if let Ok(commit) = reference.peel_to_commit() {
                others.push(commit.id);
            }
        }
        let walk = self
            .git
            .rev_walk([tip])
            .with_hidden(others)
            .all()
            .context(context)?;
        walk.map(|info| info.map(|i| i.id).context(context))
            .collect()
    }

    /// The commits reachable from `tip` but not from `base`, newest first, with their subjects.
    pub fn commit_summaries(&self, base: ObjectId, tip: ObjectId) -> Result<Vec<CommitSummary>> {
        self.commits_between(base, tip)?
            .into_iter()
            .map(|id| {
                Ok(CommitSummary {
                    id,
                    summary: self.summary(id)?,
                })
            })
            .collect()
    }

    /// A commit's whole message.
    pub fn message(&self, commit: ObjectId) -> Result<String> {
        let found = self
            .git
            .find_commit(commit)
            .context(|| format!("could not read commit {}", short(commit)))?;
        let message = found
            .message_raw()
            .context(|| "could not read a commit message".into())?;
        Ok(message.to_str_lossy().into_owned())
    }

    /// The first line of a commit's message.
    pub fn summary(&self, commit: ObjectId) -> Result<String> {
        let commit = self
            .git
            .find_commit(commit)
            .context(|| format!("could not read commit {}", short(commit)))?;
        let message = commit
            .message_raw()
            .context(|| "could not read a commit message".into())?;
        Ok(message
            .lines()
            .next()
            .map(|l| l.to_str_lossy().into_owned())
            .unwrap_or_default())
    }

    /// When a commit was committed (not authored: a cherry-pick keeps the author's time).
    pub fn commit_time(&self, commit: ObjectId) -> Result<jiff::Timestamp> {
        let context = || format!("could not read commit {}", short(commit));
        let seconds = self
            .git
            .find_commit(commit)
            .context(context)?
            .committer()
            .context(context)?
            .seconds();
        // Beyond jiff's range (year ±9999) only in a forged commit: clamp rather than fail.
        Ok(
            jiff::Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
                jiff::Timestamp::MIN
            } else {
                jiff::Timestamp::MAX
            }),
        )
    }

    /// A commit's first parent; `None` for a root commit.
    pub fn first_parent(&self, commit: ObjectId) -> Result<Option<ObjectId>> {
        let found = self
            .git
            .find_commit(commit)
            .context(|| format!("could not read commit {}", short(commit)))?;
        Ok(found.parent_ids().next().map(|id| id.detach()))
    }

    /// Who commits and tags in this run (user.name, user.email, and the time), as git reads it.
    pub fn committer(&self) -> Result<gix::actor::Signature> {
        if let Some(signature) = self.committer.get() {
            return Ok(signature.clone());
        }
        let signature = self
            .git
            .committer()
            .ok_or(Error::NoIdentity)?
            .context(|| "could not read the committer identity".into())?
            .to_owned()
            .context(|| "the committer identity is not valid".into())?;
        Ok(self.committer.get_or_init(|| signature).clone())
    }

    /// The author of commits this run makes itself (merges), as git reads it.
    pub fn author(&self) -> Result<gix::actor::Signature> {
        self.git
            .author()
            .ok_or(Error::NoIdentity)?
            .context(|| "could not read the author identity".into())?
            .to_owned()
            .context(|| "the author identity is not valid".into())
    }

    /// Add a linked worktree at `path` with `branch` (a full ref name) checked out.
    pub fn add_worktree(&self, path: &Path, branch: &str) -> Result<()> {
        let name: gix::refs::FullName = branch.try_into().map_err(|_| Error::InvalidRefName {
            name: branch.to_string(),
            reason: "not a full ref name".into(),
        })?;
        self.git
            .add_worktree(
                path,
                gix::worktree::add::Head::Attached(name),
                gix::progress::Discard,
                &std::sync::atomic::AtomicBool::new(false),
            )
            .context(|| format!("could not create a worktree at {}", path.display()))?;
        Ok(())
    }

    /// Write the objects a plan made in `mem` (an in-memory view of this repository) to the
    /// object database, so that refs can point at them.
    pub fn keep_objects(&self, mut mem: Repo) -> Result<()> {
        use gix::objs::Write;
        let Some(storage) = mem.git.objects.take_object_memory() else {
            return Ok(());
        };
        for (id, (kind, data)) in storage.iter() {
            self.git
                .write_buf_with_known_id(*kind, data, *id)
                .context(|| format!("could not write object {}", short(*id)))?;
        }
        Ok(())
    }

    /// The URL `remote` fetches from; a local path written relative (`../origin.git`) is
    /// made absolute from [`Repo::remote_dir`], so that it still names the repository when
    /// read elsewhere.
    pub fn remote_url(&self, remote: &str) -> Option<String> {
        let remote = self.git.find_remote(remote).ok()?;
        let url = remote.url(gix::remote::Direction::Fetch)?;
        let text = url.to_bstring().to_string();
        if url.scheme != gix::url::Scheme::File {
            return Some(text);
        }
        Some(
            crate::git::worktree::absolute(&self.remote_dir(), Path::new(&text))
                .display()
                .to_string(),
        )
    }

    /// Whether a remote of that name is configured (it has a URL).
    /// Whether this is a shallow clone (history cut at `.git/shallow`), as a CI's checkout.
    pub fn is_shallow(&self) -> bool {
        self.git.is_shallow().unwrap_or(false)
    }

    pub fn has_remote(&self, name: &str) -> bool {
        self.config_string(&format!("remote.{name}.url")).is_some()
    }

    /// Whether any remote is configured.
    pub fn has_remotes(&self) -> bool {
        !self.git.remote_names().is_empty()
    }

    /// A boolean from git config, as git would read it (`true`, `yes`, `on`, `1`, …).
    pub fn config_bool(&self, key: &str) -> Option<bool> {
        self.git.config_snapshot().boolean(key)
    }

    /// A value from git config, as git would read it.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.git
            .config_snapshot()
            .string(key)
            .map(|v| v.to_str_lossy().into_owned())
    }
}

fn head_of(git: &gix::Repository) -> Result<Head> {
    let head = git.head().context(|| "could not read HEAD".into())?;
    let name = head
        .referent_name()
        .map(|n| n.shorten().to_str_lossy().into_owned());
    Ok(match (name, head.id()) {
        (Some(name), Some(id)) => Head::Branch {
            name,
            commit: id.detach(),
        },
        (Some(name), None) => Head::Unborn { name },
        (None, Some(id)) => Head::Detached {
            commit: id.detach(),
        },
        (None, None) => Head::Unborn {
            name: "HEAD".into(),
        },
    })
}

/// Files with changes, staged or not (untracked files aside).
pub(crate) fn dirty_files_of(git: &gix::Repository) -> Result<Vec<String>> {
    changed_files(git, false)
}

/// Files whose changes are not staged: what a commit of the index would leave out.
pub(crate) fn unstaged_files_of(git: &gix::Repository) -> Result<Vec<String>> {
    changed_files(git, true)
}

fn changed_files(git: &gix::Repository, unstaged_only: bool) -> Result<Vec<String>> {
    if git.workdir().is_none() {
        return Ok(Vec::new());
    }
    let context = || "could not compute the status of the worktree".to_string();
    let iter = git
        .status(gix::progress::Discard)
        .context(context)?
        .untracked_files(gix::status::UntrackedFiles::None)
        .index_worktree_rewrites(None)
        .into_iter(None)
        .context(context)?;
    let mut files = Vec::new();
    for item in iter {
        let item = item.context(context)?;
        if unstaged_only && !matches!(item, gix::status::Item::IndexWorktree(_)) {
            continue;
        }
        files.push(item.location().to_str_lossy().into_owned());
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Whether branch `name` matches `pattern` as `--to` globs do: `*` stays within a path
/// component (`release/*` is not `release/1.2/rc`).
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    gix::glob::wildmatch(
        pattern.as_bytes().as_bstr(),
        name.as_bytes().as_bstr(),
        gix::glob::wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
    )
}
