//! Fixture repositories, made with the real `git` the way a team's history grows.

use std::path::{Path, PathBuf};

use super::TestEnv;

/// The branch of [`TestEnv::start_and_fix`].
pub const HOTFIX: &str = "hotfix/ENG-1234-fix-auth-bypass";

/// The ways GitHub merges a pull request.
#[derive(Clone, Copy, Debug)]
pub enum Merge {
    /// A merge commit whose second parent is the pull request's head.
    Commit,
    /// One commit with the pull request's change.
    Squash,
    /// The pull request's commits, each picked again with its author and time.
    Rebase,
}

/// A repository (and sometimes its origin) built for a test.
pub struct Fixture {
    pub dir: PathBuf,
    pub origin: Option<PathBuf>,
}

impl TestEnv {
    /// `git init` with an identity, on `main`.
    pub fn init(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "--quiet", "-b", "main"]);
        self.git(&dir, &["config", "user.name", "Ada Oncall"]);
        self.git(&dir, &["config", "user.email", "ada@example.com"]);
        dir
    }

    /// Write `files` and commit them with `message`.
    pub fn commit(&self, dir: &Path, message: &str, files: &[(&str, &str)]) -> String {
        for (name, content) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, content).unwrap();
            self.git(dir, &["add", "--", name]);
        }
        self.git(dir, &["commit", "--quiet", "--allow-empty", "-m", message]);
        self.rev(dir, "HEAD").unwrap()
    }

    pub fn tag(&self, dir: &Path, name: &str) {
        self.git(dir, &["tag", "-a", name, "-m", &format!("Release {name}")]);
    }

    /// main: two releases, v1.2.2 and v1.2.3 (at the tip).
    pub fn linear(&self) -> Fixture {
        let dir = self.init("repo");
        self.commit(
            &dir,
            "Initial release",
            &[("app.txt", "v1\n"), ("auth.txt", "check\n")],
        );
        self.tag(&dir, "v1.2.2");
        self.commit(&dir, "Faster checkout", &[("app.txt", "v1\nfast\n")]);
        self.tag(&dir, "v1.2.3");
        Fixture { dir, origin: None }
    }

    /// `linear` plus a develop branch one commit ahead, configured as the back-merge target.
    pub fn with_develop(&self) -> Fixture {
        let fixture = self.linear();
        let dir = &fixture.dir;
        self.commit(
            dir,
            "Configure git-hotfix",
            &[(".hotfix.toml", "develop-branch = \"develop\"\n")],
        );
        self.git(dir, &["switch", "--quiet", "-c", "develop"]);
        self.commit(dir, "New dashboard", &[("dashboard.txt", "wip\n")]);
        self.git(dir, &["switch", "--quiet", "main"]);
        fixture
    }

    /// An old line: release/1.2 holds v1.2.3; main has moved on to v2.0.0.
    pub fn old_line(&self) -> Fixture {
        let fixture = self.linear();
        let dir = &fixture.dir;
        self.commit(
            dir,
            "Configure git-hotfix",
            &[(".hotfix.toml", "release-branches = [\"release/*\"]\n")],
        );
        self.git(dir, &["branch", "release/1.2", "v1.2.3"]);
        self.commit(dir, "Rewrite for 2.0", &[("app.txt", "v2\n")]);
        self.tag(dir, "v2.0.0");
        fixture
    }

    /// A monorepo with two products, tagged `<product>/prod-v<version>`.
    pub fn monorepo(&self) -> Fixture {
        let dir = self.init("mono");
        self.commit(
            &dir,
            "Two products",
            &[
                (
                    ".hotfix.toml",
                    "branch-template = \"hotfix/{product}-v{version}\"\n\n\
                     [products.api]\nversion-files = [\"api/package.json\"]\n\n\
                     [products.mobile]\nversion-files = [\"mobile/pubspec.yaml\"]\n",
                ),
                ("api/package.json", "{ \"version\": \"0.1.0\" }\n"),
                ("mobile/pubspec.yaml", "version: 0.3.0+5\n"),
            ],
        );
        self.tag(&dir, "api/prod-v0.1.0");
        self.tag(&dir, "mobile/prod-v0.3.0");
        Fixture { dir, origin: None }
    }

    /// `git hotfix start ENG-1234 fix auth bypass` and a fix on it; returns the fix commit.
    pub fn start_and_fix(&self, repo: &Path) -> String {
        let run = self.hotfix(repo, &["start", "ENG-1234", "fix", "auth", "bypass"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        self.commit(
            repo,
            "fix: refuse unsigned tokens",
            &[("auth.txt", "check signature\n")],
        )
    }

    /// `linear` with the hotfix of [`start_and_fix`] checked out, whose change to auth.txt
    /// conflicts with a later change on main.
    pub fn conflicting_hotfix(&self) -> PathBuf {
        let repo = self.linear().dir;
        self.start_and_fix(&repo);
        self.git(&repo, &["switch", "--quiet", "main"]);
        self.commit(
            &repo,
            "Rework auth",
            &[("auth.txt", "check with the new client\n")],
        );
        self.git(&repo, &["switch", "--quiet", HOTFIX]);
        repo
    }

    /// Six release lines, `release/1.0` to `release/1.5`, forked from main at successive
    /// releases and each patched on its own since; main has moved on past them.
    pub fn release_lines(&self) -> Fixture {
        let dir = self.init("repo");
        self.commit(
            &dir,
            "Initial release",
            &[
                (".hotfix.toml", "release-branches = [\"release/*\"]\n"),
                ("auth.txt", "check\n"),
                ("app.txt", "v1\n"),
            ],
        );
        for minor in 0..6 {
            let line = format!("release/1.{minor}");
            self.tag(&dir, &format!("v1.{minor}.0"));
            self.git(&dir, &["branch", &line]);
            self.git(&dir, &["switch", "--quiet", &line]);
            self.commit(
                &dir,
                &format!("1.{minor} patch"),
                &[(&format!("line-1.{minor}.txt"), "patched\n")],
            );
            self.git(&dir, &["switch", "--quiet", "main"]);
            self.commit(
                &dir,
                &format!("Feature {minor}"),
                &[("app.txt", &format!("v1.{minor}\n"))],
            );
        }
        self.tag(&dir, "v1.6.0");
        Fixture { dir, origin: None }
    }

    /// A bare origin that has everything `fixture` has, with `origin/*` tracking refs.
    pub fn with_origin(&self, mut fixture: Fixture) -> Fixture {
        let origin = self.path("origin.git");
        self.git(
            self.root.path(),
            &["init", "--quiet", "--bare", "-b", "main", "origin.git"],
        );
        let dir = &fixture.dir;
        self.git(dir, &["remote", "add", "origin", &origin.to_string_lossy()]);
        self.git(dir, &["push", "--quiet", "--all", "origin"]);
        self.git(dir, &["push", "--quiet", "--tags", "origin"]);
        fixture.origin = Some(origin);
        fixture
    }

    /// Branch `fix/tokens` off the checked-out branch of `dir` with a pull request's two
    /// commits (a fix to `auth.txt`, a test beside it), then back; returns them, oldest first.
    pub fn tokens_fix_branch(&self, dir: &Path) -> [String; 2] {
        self.git(dir, &["switch", "--quiet", "-c", "fix/tokens"]);
        let first = self.commit(
            dir,
            "fix: refuse unsigned tokens",
            &[("auth.txt", "check signature\n")],
        );
        let second = self.commit(
            dir,
            "test: unsigned tokens",
            &[("auth_test.txt", "refused\n")],
        );
        self.git(dir, &["switch", "--quiet", "-"]);
        [first, second]
    }

    /// Merge pull request #1, branch `branch` of `commits`, into the branch checked out
    /// in `dir` as GitHub does `how`; a squash's commit says `squashed`.
    pub fn merge_as_github(
        &self,
        dir: &Path,
        how: Merge,
        branch: &str,
        commits: &[&str],
        squashed: &str,
    ) {
        match how {
            Merge::Commit => {
                let message = format!("Merge pull request #1 from acme/{branch}");
                self.git(
                    dir,
                    &["merge", "--quiet", "--no-ff", "-m", &message, branch],
                );
            }
            Merge::Squash => {
                self.git(dir, &["merge", "--quiet", "--squash", branch]);
                self.git(dir, &["commit", "--quiet", "-m", squashed]);
            }
            Merge::Rebase => {
                let mut args = vec!["cherry-pick"];
                args.extend(commits);
                self.git(dir, &args);
            }
        }
    }
}
