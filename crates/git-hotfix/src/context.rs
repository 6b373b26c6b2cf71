//! What every command gets: the terminal, where it runs, the settings overrides, the time.

use std::path::PathBuf;

use git_hotfix_core::{Config, Repo};
use jiff::Timestamp;

use crate::error::Result;
use crate::ui::Ui;

/// What every command gets: the terminal, where it runs, the overrides, and the time.
pub struct Context {
    pub ui: Ui,
    pub cwd: PathBuf,
    pub overrides: Vec<(String, String)>,
    /// `--verbose`: list what a line sums up.
    pub verbose: bool,
    pub now: Timestamp,
    /// Where compiled plugins are cached: `$XDG_CACHE_HOME`, else `~/.cache`.
    pub cache_home: Option<PathBuf>,
    /// Whether the settings file here was compared with the committed one (once a run).
    pub settings_checked: std::sync::atomic::AtomicBool,
}

impl Context {
    pub fn repo(&self) -> Result<Repo> {
        Ok(Repo::discover(&self.cwd)?)
    }

    pub fn config(&self, repo: &Repo) -> Result<Config> {
        let config = Config::load(repo, &self.overrides)?;
        if !self
            .settings_checked
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.warn_uncommitted_settings(repo, &config);
        }
        Ok(config)
    }

    /// The settings come from the file committed on the production branch: an edit of it
    /// here that is not committed does not apply, and should not be ignored without a word.
    fn warn_uncommitted_settings(&self, repo: &Repo, config: &Config) {
        use git_hotfix_core::git::repo::Head;
        use git_hotfix_core::settings::config::FILE_NAME;
        let Some(root) = repo.workdir() else { return };
        let Ok(here) = std::fs::read(root.join(FILE_NAME)) else {
            return;
        };
        let committed = match repo.head() {
            Ok(Head::Branch { commit, .. } | Head::Detached { commit }) => {
                repo.read_file_at(commit, FILE_NAME).ok().flatten()
            }
            _ => None,
        };
        if committed.as_deref() == Some(here.as_slice()) {
            return;
        }
        let applies = match &config.file {
            Some(origin) => format!("the one committed on {} applies", origin.branch),
            None => format!(
                "none is committed on {}, so none applies",
                config.production_branch
            ),
        };
        self.ui.warn(format!(
            "{FILE_NAME} has changes that are not committed: {applies} (commit it on {} for them to take effect; `-c <key>=<value>` sets one for a command)",
            config.production_branch
        ));
    }

    /// The same context with one more `-c key=value`, for a command that knows a setting
    /// better than the repository does (the action: the event's GitHub repository).
    pub fn with_override(&self, key: &str, value: &str) -> Context {
        let mut overrides = self.overrides.clone();
        overrides.push((key.to_string(), value.to_string()));
        Context {
            ui: self.ui.clone(),
            cwd: self.cwd.clone(),
            overrides,
            verbose: self.verbose,
            now: self.now,
            cache_home: self.cache_home.clone(),
            settings_checked: std::sync::atomic::AtomicBool::new(
                self.settings_checked
                    .load(std::sync::atomic::Ordering::Relaxed),
            ),
        }
    }

    /// `path` as given on the command line, made absolute from `cwd` with `.` and `..`
    /// taken out (`main-wt/../client-wt` is `client-wt`), so that it is shown, stored and
    /// compared as git shows worktrees. Symbolic links are left as they are.
    pub fn absolute(&self, path: impl AsRef<std::path::Path>) -> PathBuf {
        git_hotfix_core::git::worktree::absolute(&self.cwd, path.as_ref())
    }

    /// A path the core was given joined to `cwd`, shown relative to it as people wrote it.
    pub fn shown(&self, path: &str) -> String {
        std::path::Path::new(path)
            .strip_prefix(&self.cwd)
            .map_or_else(|_| path.to_string(), |p| p.display().to_string())
    }
}
