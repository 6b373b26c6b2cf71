//! The test harness: a hermetic environment, fixture repositories made with the real `git`,
//! the built binary run against them, and checks made with `git` (the oracle).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod fixtures;
pub mod health;
pub mod team;

/// A temporary home with no user configuration, fixed time zone and dates.
pub struct TestEnv {
    pub root: tempfile::TempDir,
    home: PathBuf,
    /// Commits and tags get the time they are made, not [`DATE`]: for timelines.
    real_time: bool,
    /// git-hotfix's own clock stands at [`DATE`] too.
    fixed_clock: bool,
}

/// The outcome of one `git hotfix` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Run `command` (a `hotfix_command`, perhaps with more environment) to its end.
    pub fn of(mut command: Command) -> Run {
        let output = command.output().expect("git-hotfix runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams when the exit code is not `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        self.expect(0)
    }

    /// stdout parsed as the one JSON document `--json` promises, valid against the schema
    /// it names (`docs/schema/`).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let document = serde_json::from_str(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "stdout is not one JSON document: {err}\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        });
        if let Err(problems) = schema::validate(&document) {
            panic!(
                "the document is not what its schema says:\n{problems}\n--- stdout\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            );
        }
        document
    }
}

impl Run {
    /// stdout parsed as the facts `report --format json` writes, valid against their schema
    /// (`docs/schema/report-facts.json`).
    #[track_caller]
    pub fn report_facts(&self) -> serde_json::Value {
        let facts = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON: {err}\n{}", self.stdout));
        if let Err(problems) = schema::validate_as("report-facts", &facts) {
            panic!(
                "the facts are not what their schema says:\n{problems}\n--- stdout\n{}",
                self.stdout
            );
        }
        facts
    }
}

/// The `--json` documents' JSON Schemas, as docs/schema/ publishes them.
pub mod schema {
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::{Arc, Mutex, OnceLock};

    type Validators = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;

    /// Check `document` against the schema its `schema` field names; the problems, one a
    /// line, when it is not valid (or names none).
    pub fn validate(document: &serde_json::Value) -> Result<(), String> {
        let Some(id) = document["schema"].as_str() else {
            return Err("it has no `schema` naming its shape".to_string());
        };
        let name = id
            .strip_prefix("git-hotfix/")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .ok_or_else(|| format!("`schema` is {id}, not git-hotfix/<name>/v1"))?;
        validate_as(name, document)
    }

    /// Check `document` against `docs/schema/<name>.json`.
    pub fn validate_as(name: &str, document: &serde_json::Value) -> Result<(), String> {
        let validator = validator(name)?;
        let problems: Vec<String> = validator
            .iter_errors(document)
            .map(|err| format!("  at {}: {err}", err.instance_path()))
            .collect();
        match problems.is_empty() {
            true => Ok(()),
            false => Err(problems.join("\n")),
        }
    }

    fn validator(name: &str) -> Result<Arc<jsonschema::Validator>, String> {
        static VALIDATORS: OnceLock<Validators> = OnceLock::new();
        let mut known = VALIDATORS.get_or_init(Default::default).lock().unwrap();
        if let Some(validator) = known.get(name) {
            return Ok(validator.clone());
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/schema")
            .join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("no schema {}: {err}", path.display()))?;
        let schema: serde_json::Value = serde_json::from_str(&text)
            .map_err(|err| format!("{} is not JSON: {err}", path.display()))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|err| format!("{} is not a schema: {err}", path.display()))?;
        let validator = Arc::new(validator);
        known.insert(name.to_string(), validator.clone());
        Ok(validator)
    }
}

pub const DATE: &str = "2026-03-05T14:23:00+00:00";

impl TestEnv {
    pub fn new() -> TestEnv {
        let root = tempfile::Builder::new()
            .prefix("git-hotfix-test-")
            .tempdir()
            .expect("a temporary directory");
        let home = root.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        TestEnv {
            root,
            home,
            real_time: false,
            fixed_clock: false,
        }
    }

    /// Stop git-hotfix's clock at [`DATE`], where git's stands: what a command says of the
    /// time (the incident's clock, deadlines, the dates it records) is then the same on
    /// every run, and its output can be held whole in a snapshot.
    pub fn fixed_clock(mut self) -> TestEnv {
        self.fixed_clock = true;
        self
    }

    /// Let git (and git-hotfix's own commits) use the real time, as on call.
    pub fn real_time(mut self) -> TestEnv {
        self.real_time = true;
        self
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn hermetic(&self, mut command: Command) -> Command {
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            // Shared by all tests: each compiles a plugin once, not once per test.
            .env(
                "XDG_CACHE_HOME",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
            )
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Ada Oncall")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Oncall")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", DATE)
            .env("GIT_COMMITTER_DATE", DATE)
            .env("GIT_EDITOR", ":")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .env("NO_COLOR", "1");
        if self.real_time {
            command
                .env_remove("GIT_AUTHOR_DATE")
                .env_remove("GIT_COMMITTER_DATE");
        }
        if self.fixed_clock {
            command.env("GIT_HOTFIX_NOW", DATE);
        }
        command
    }

    /// Run `git` in `dir`, panicking on failure; returns stdout.
    #[track_caller]
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        let output = self.git_output(dir, args);
        assert!(
            output.status.success(),
            "git {} failed in {}:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        let mut command = self.hermetic(Command::new("git"));
        command.current_dir(dir).args(args);
        command.output().expect("git runs")
    }

    /// `git hotfix <args>` in `dir`, ready to run. `GIT_HOTFIX_TEST_BIN` names another build
    /// of it: a long simulation runs a copy while the tree is built again.
    pub fn hotfix_command(&self, dir: &Path, args: &[&str]) -> Command {
        let program = std::env::var_os("GIT_HOTFIX_TEST_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_git-hotfix").into());
        let mut command = self.hermetic(Command::new(program));
        command.current_dir(dir).args(args);
        command
    }

    /// `program` in `dir`, in the tests' hermetic environment.
    pub fn command_in(&self, dir: &Path, program: &str) -> Command {
        let mut command = self.hermetic(Command::new(program));
        command.current_dir(dir);
        command
    }

    /// Run `git hotfix <args>` in `dir`.
    pub fn hotfix(&self, dir: &Path, args: &[&str]) -> Run {
        Run::of(self.hotfix_command(dir, args))
    }

    /// `git rev-parse --verify <rev>`, or `None` when it does not resolve.
    pub fn rev(&self, dir: &Path, rev: &str) -> Option<String> {
        let output = self.git_output(dir, &["rev-parse", "--verify", "--quiet", rev]);
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// Every ref and what it points to.
    pub fn refs(&self, dir: &Path) -> BTreeMap<String, String> {
        self.git(dir, &["for-each-ref", "--format=%(refname) %(objectname)"])
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(name, id)| (name.to_string(), id.to_string()))
            .collect()
    }

    /// `git fsck --strict` must be clean.
    #[track_caller]
    pub fn fsck(&self, dir: &Path) {
        let output = self.git_output(dir, &["fsck", "--strict", "--no-progress"]);
        assert!(
            output.status.success(),
            "git fsck --strict failed in {}:\n{}{}",
            dir.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The current branch, or `None` when HEAD is detached.
    pub fn branch(&self, dir: &Path) -> Option<String> {
        let out = self.git(dir, &["branch", "--show-current"]);
        let out = out.trim();
        (!out.is_empty()).then(|| out.to_string())
    }

    /// The parents of a commit.
    pub fn parents(&self, dir: &Path, rev: &str) -> Vec<String> {
        self.git(dir, &["rev-list", "--parents", "-n", "1", rev])
            .split_whitespace()
            .skip(1)
            .map(String::from)
            .collect()
    }
}

/// Every file under `dir` (the worktree and `.git`) with its contents: two equal snapshots
/// mean nothing was written — no ref, no object, no file.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                files.insert(path, target.to_string_lossy().as_bytes().to_vec());
            } else {
                let content = std::fs::read(&path).unwrap();
                files.insert(path, content);
            }
        }
    }
    files
}

/// Assert two snapshots are equal, naming the files that differ.
#[track_caller]
pub fn assert_unchanged(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let mut differences = Vec::new();
    for (path, content) in before {
        match after.get(path) {
            None => differences.push(format!("removed {}", path.display())),
            Some(now) if now != content => differences.push(format!("changed {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys() {
        if !before.contains_key(path) {
            differences.push(format!("added {}", path.display()));
        }
    }
    assert!(
        differences.is_empty(),
        "files changed:\n{}",
        differences.join("\n")
    );
}

/// What a person reads, made stable for snapshots: temporary paths become `[TMP]`, object
/// ids `[ID]`, and the wall-clock start time `[TIME]`.
pub fn scrub(env: &TestEnv, text: &str) -> String {
    let root = env.root.path().to_string_lossy().into_owned();
    let canonical = env
        .root
        .path()
        .canonicalize()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| root.clone());
    let text = text.replace(&canonical, "[TMP]").replace(&root, "[TMP]");
    let text = mask_ids(&mask_ids(&text, 40), 7);
    // With the clock fixed, the times a command shows are the same on every run.
    if env.fixed_clock {
        return text;
    }
    text.lines()
        .map(|line| match line.split_once("  started  ") {
            Some((indent, _)) => format!("{indent}  started  [TIME]"),
            // A checklist tick: `  [x] fix committed            14:31  T+28m`.
            None if line.trim_start().starts_with("[x] ") => {
                let label_end = line.find("[x] ").unwrap() + 4 + 24;
                format!("{}[TIME]", &line[..label_end.min(line.len())])
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replace runs of exactly `len` lowercase hex digits (object ids) with `[ID]`.
fn mask_ids(text: &str, len: usize) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == len && run.chars().any(|c| c.is_ascii_digit()) {
            out.push_str("[ID]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}
