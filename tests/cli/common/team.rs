//! A team's shared world: one bare origin, a clone for each person, and production as a
//! file the deploy script writes — so that what runs is known apart from git-hotfix's own
//! records, and a test can hold what the tool says against it.

use std::path::{Path, PathBuf};

use super::TestEnv;

/// Puts release `$2` on environment `$1`: the file `../production/$1` next to the clone.
const DEPLOY: &str = "#!/bin/sh\nmkdir -p ../production && echo \"$2\" > \"../production/$1\"\n";
/// Verifies environment `$1` runs `$2`.
const CHECK: &str = "#!/bin/sh\ntest \"$(cat \"../production/$1\" 2>/dev/null)\" = \"$2\"\n";
/// Sets feature flag `$1` to `$2` in production: the file `../production/flag-$1`.
const FLAG: &str = "#!/bin/sh\nmkdir -p ../production && echo \"$2\" > \"../production/flag-$1\"\n";

const CONFIG: &str = r#"release-branches = ["release/*"]

[policies.deploy]
plugin = "builtin:deploy"
commands = ["./deploy.sh", "./check.sh", "./flag.sh"]

[policies.deploy.settings]
"deploy" = "./deploy.sh {environment} {version}"
"verify" = "./check.sh {environment} {version}"
"rollback" = "./deploy.sh {environment} {previous}"
"rollback-flag" = "./flag.sh {flag} off"
"#;

/// The people's clones of one origin, all beside one another under the test's root.
pub struct Team {
    pub origin: PathBuf,
    /// Ada runs git-hotfix.
    pub ada: PathBuf,
    /// Bo is a colleague who uses plain git.
    pub bo: PathBuf,
}

impl TestEnv {
    /// A web shop released as v2.3.4 (`VERSION`, a Keep a Changelog `CHANGELOG.md`, a deploy
    /// policy whose steps write and check `../production/<environment>`), a maintained
    /// `release/2.2` line (v2.2.9), pushed to a bare `origin.git` that each clone names by
    /// the relative URL `../origin.git`, as `git remote add` allows.
    pub fn team(&self) -> Team {
        let ada = self.init("ada");
        for (name, script) in [
            ("deploy.sh", DEPLOY),
            ("check.sh", CHECK),
            ("flag.sh", FLAG),
        ] {
            let path = ada.join(name);
            std::fs::write(&path, script).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        self.commit(
            &ada,
            "Release 2.2.9",
            &[
                ("VERSION", "2.2.9\n"),
                ("CHANGELOG.md", &changelog(&["2.2.9"])),
                ("auth.txt", "check\n"),
                ("cart.txt", "sum\n"),
                (".hotfix.toml", CONFIG),
                ("deploy.sh", DEPLOY),
                ("check.sh", CHECK),
                ("flag.sh", FLAG),
            ],
        );
        self.tag(&ada, "v2.2.9");
        self.git(&ada, &["branch", "release/2.2"]);
        self.commit(
            &ada,
            "Release 2.3.4",
            &[
                ("VERSION", "2.3.4\n"),
                ("CHANGELOG.md", &changelog(&["2.3.4", "2.2.9"])),
                ("cart.txt", "sum\nround\n"),
            ],
        );
        self.tag(&ada, "v2.3.4");
        self.git(
            self.root.path(),
            &["init", "--quiet", "--bare", "-b", "main", "origin.git"],
        );
        self.git(&ada, &["remote", "add", "origin", "../origin.git"]);
        self.git(&ada, &["push", "--quiet", "--all", "origin"]);
        self.git(&ada, &["push", "--quiet", "--tags", "origin"]);
        self.git(&ada, &["fetch", "--quiet", "origin"]);
        self.git(&ada, &["branch", "--quiet", "-u", "origin/main", "main"]);
        let bo = self.clone_of("bo", "Bo Colleague", "bo@example.com");
        Team {
            origin: self.path("origin.git"),
            ada,
            bo,
        }
    }

    /// Another clone of the team's origin, `name`, with its own identity.
    pub fn clone_of(&self, name: &str, person: &str, email: &str) -> PathBuf {
        self.git(self.root.path(), &["clone", "--quiet", "origin.git", name]);
        let dir = self.path(name);
        self.git(&dir, &["config", "user.name", person]);
        self.git(&dir, &["config", "user.email", email]);
        self.git(&dir, &["remote", "set-url", "origin", "../origin.git"]);
        dir
    }

    /// Feature flag `name` in production, as the flag script left it (`off`), if it ran.
    pub fn flag(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.path("production").join(format!("flag-{name}")))
            .ok()
            .map(|text| text.trim().to_string())
    }

    /// What `environment` runs, as the deploy script left it.
    pub fn running(&self, environment: &str) -> Option<String> {
        std::fs::read_to_string(self.path("production").join(environment))
            .ok()
            .map(|text| text.trim().to_string())
    }
}

impl Team {
    /// Bo fixes something on main and releases it as `version`: the version files and the
    /// changelog moved, tagged, pushed. Returns the release commit.
    pub fn colleague_releases(&self, env: &TestEnv, version: &str) -> String {
        let bo = &self.bo;
        env.git(bo, &["pull", "--quiet", "--ff-only", "origin", "main"]);
        let mut versions = vec![version.to_string()];
        versions.extend(released_versions(bo));
        let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
        let fix = format!("limit {version}\n");
        env.commit(bo, "fix: rate limit logins", &[("limits.txt", &fix)]);
        let commit = env.commit(
            bo,
            &format!("Release {version}"),
            &[
                ("VERSION", &format!("{version}\n")),
                ("CHANGELOG.md", &changelog(&versions)),
            ],
        );
        let tag = format!("v{version}");
        env.tag(bo, &tag);
        env.git(bo, &["push", "--quiet", "origin", "main", &tag]);
        commit
    }
}

/// The versions the changelog of `dir`'s checkout has sections for, newest first.
pub fn released_versions(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("CHANGELOG.md"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("## ["))
        .filter_map(|l| l.split_once(']').map(|(v, _)| v.to_string()))
        .filter(|v| v != "Unreleased")
        .collect()
}

/// A Keep a Changelog file with a section for each of `versions`, newest first.
pub fn changelog(versions: &[&str]) -> String {
    let mut text = String::from("# Changelog\n\n## [Unreleased]\n");
    for version in versions {
        text.push_str(&format!(
            "\n## [{version}] - 2026-03-01\n### Fixed\n- release {version}\n"
        ));
    }
    text
}
