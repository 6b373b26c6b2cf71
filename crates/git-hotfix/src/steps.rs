//! Running a deploy policy's steps: programs by argv (never a shell) with a timeout and
//! their output shown live, HTTP checks polled until they answer, waits, and confirmations
//! (a person on a terminal, or `--yes`). Whether a step may run at all is decided before:
//! only granted steps reach here.
//!
//! A program runs in a process group of its own, so that stopping it (past its timeout, or
//! on Ctrl-C) stops everything it started too — a script's `kubectl rollout` as well as the
//! script: TERM to the group, then KILL to what is left after a grace period.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use git_hotfix_core::operations::deploy::{Ran, StepRunner};
use git_hotfix_core::operations::finish::checks::CheckRunner;
use git_hotfix_core::records::journal::StepResult;
use git_hotfix_core::settings::config::ProductionVersion;
use git_hotfix_core::views::production;
use git_hotfix_plugin_host::{HttpCheck, RunStep, Step, sanitize};

use crate::error::{CommandError, Exit, Result};
use crate::ui::{DIM, Ui, paint};

/// The programs a policy's steps name by a path in the repository (`scripts/deploy.sh`)
/// that the checkout does not have, taken from the commit the settings were read from: the
/// settings come from production, so a script committed there is found from a hotfix
/// branch cut before it existed. A script the checkout has runs from there, where
/// `$(dirname "$0")` finds the rest of the repository.
#[derive(Default)]
pub struct Committed {
    /// Holds the scripts while the steps run; removed with this.
    dir: Option<tempfile::TempDir>,
    scripts: std::collections::BTreeMap<String, PathBuf>,
}

impl Committed {
    /// Write out the scripts `steps` run that `checkout` lacks, from `commit` of `repo`.
    pub fn scripts(
        repo: &git_hotfix_core::Repo,
        checkout: &Path,
        commit: git_hotfix_core::ObjectId,
        steps: &[Step],
    ) -> Result<Committed> {
        use std::os::unix::fs::PermissionsExt as _;
        let failed = |what: String, err: std::io::Error| {
            CommandError::new(Exit::Error, format!("could not {what}: {err}"))
        };
        let mut committed = Committed::default();
        for step in steps {
            let Step::Run(run) = step else { continue };
            let Some(program) = run.argv.first() else {
                continue;
            };
            let relative = program.contains('/') && Path::new(program).is_relative();
            if !relative
                || committed.scripts.contains_key(program)
                || checkout.join(program).exists()
            {
                continue;
            }
            let path = Path::new(program)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let Some(content) = repo.read_file_at(commit, &path)? else {
                continue;
            };
            if committed.dir.is_none() {
                let dir = tempfile::Builder::new()
                    .prefix("git-hotfix-steps-")
                    .tempdir()
                    .map_err(|err| failed("make a directory for the deploy scripts".into(), err))?;
                committed.dir = Some(dir);
            }
            let dir = committed.dir.as_ref().expect("made above").path();
            // One file per script, named after it, so its output and errors still say which.
            let file = dir
                .join(committed.scripts.len().to_string())
                .join(Path::new(&path).file_name().unwrap_or_default());
            std::fs::create_dir_all(file.parent().expect("has a parent"))
                .and_then(|()| std::fs::write(&file, &content))
                .and_then(|()| {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o700))
                })
                .map_err(|err| failed(format!("write out {path}"), err))?;
            committed.scripts.insert(program.clone(), file);
        }
        Ok(committed)
    }
}

fn passed(detail: impl Into<String>) -> Ran {
    Ran {
        result: StepResult::Ok,
        detail: Some(detail.into()),
    }
}

fn did_not_pass(detail: impl Into<String>) -> Ran {
    Ran {
        result: StepResult::Failed,
        detail: Some(detail.into()),
    }
}

pub struct Runner<'a> {
    ui: &'a Ui,
    /// Where programs run: the repository's worktree.
    dir: PathBuf,
    committed: Committed,
    /// `--yes`: confirmations are answered yes.
    yes: bool,
    interrupt: Interrupt,
    /// Where the running program's process group id is written while it runs: a
    /// git-hotfix killed meanwhile leaves it, and the next one can tell whether that
    /// program still runs ([`live_group`]).
    marker: Option<PathBuf>,
}

/// The lines of a program's output kept for the journal when it fails.
const TAIL: usize = 5;

/// How long a stopped program's group has between TERM and KILL.
const GRACE: Duration = Duration::from_secs(5);

/// How often a wait looks at the clock, the program and Ctrl-C.
const TICK: Duration = Duration::from_millis(20);

/// Ctrl-C, TERM or a hang-up (an SSH session dropped) while steps run is caught, so that
/// the step under way is stopped with everything it started, and the journal says so,
/// before git-hotfix ends. A second one ends git-hotfix at once (exit 130), as a person
/// pressing Ctrl-C again expects.
struct Interrupt {
    caught: Arc<AtomicBool>,
    /// Which signal came (the last, when several did).
    signal: Arc<AtomicUsize>,
    handlers: Vec<signal_hook::SigId>,
}

impl Interrupt {
    fn catch() -> Interrupt {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let caught = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        let mut handlers = Vec::new();
        for number in [SIGINT, SIGTERM, SIGHUP] {
            // The first registered runs first: it ends the process only once caught is set.
            for handler in [
                signal_hook::flag::register_conditional_shutdown(number, 130, Arc::clone(&caught)),
                signal_hook::flag::register_usize(number, Arc::clone(&signal), number as usize),
                signal_hook::flag::register(number, Arc::clone(&caught)),
            ] {
                handlers.extend(handler.ok());
            }
        }
        Interrupt {
            caught,
            signal,
            handlers,
        }
    }

    fn caught(&self) -> bool {
        self.caught.load(Ordering::SeqCst)
    }

    /// What stopped the steps, as a person would say it.
    fn cause(&self) -> &'static str {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        match self.signal.load(Ordering::SeqCst) as i32 {
            SIGTERM => "a TERM signal",
            SIGHUP => "a hang-up (the terminal or SSH session went away)",
            _ => "Ctrl-C",
        }
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        for handler in self.handlers.drain(..) {
            signal_hook::low_level::unregister(handler);
        }
    }
}

/// How waiting for a program ended.
enum Waited {
    Exited(ExitStatus),
    TimedOut,
    Interrupted,
}

impl<'a> Runner<'a> {
    /// A runner for one sequence of steps; Ctrl-C is caught while it lives.
    /// A runner for one sequence of steps in `dir`, the programs of `committed` taken from
    /// there; Ctrl-C is caught while it lives.
    pub fn new(ui: &'a Ui, dir: PathBuf, committed: Committed, yes: bool) -> Runner<'a> {
        Runner {
            ui,
            dir,
            committed,
            yes,
            interrupt: Interrupt::catch(),
            marker: None,
        }
    }

    /// Write each program's process group to `marker` while it runs.
    pub fn marking(mut self, marker: PathBuf) -> Runner<'a> {
        self.marker = Some(marker);
        self
    }

    /// Whether Ctrl-C (or TERM) came: no further step is to start.
    pub fn interrupted(&self) -> bool {
        self.interrupt.caught()
    }

    /// Sleep for `duration`, unless Ctrl-C comes first: whether it did not.
    fn pause(&self, duration: Duration) -> bool {
        let until = Instant::now() + duration;
        while Instant::now() < until {
            if self.interrupted() {
                return false;
            }
            std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
        }
        !self.interrupted()
    }

    pub fn run(&self, step: &Step) -> Ran {
        match step {
            Step::Run(run) => self.program(run),
            Step::HttpCheck(check) => self.http(check),
            Step::Wait(seconds) => {
                if self.pause(Duration::from_secs(u64::from(*seconds))) {
                    passed(format!("waited {seconds} s"))
                } else {
                    did_not_pass(format!(
                        "the wait was cut short by {}",
                        self.interrupt.cause()
                    ))
                }
            }
            Step::Confirm(question) => self.confirm(question),
        }
    }

    /// Whether every confirmation among `steps` can be answered: by `--yes`, or a person.
    pub fn can_confirm(&self, steps: &[Step]) -> bool {
        self.yes || self.ui.interactive() || !steps.iter().any(|s| matches!(s, Step::Confirm(_)))
    }

    fn confirm(&self, question: &str) -> Ran {
        if self.yes {
            return passed("yes (--yes)");
        }
        match self.ui.confirm(question) {
            Some(true) => passed("yes"),
            Some(false) => Ran {
                result: StepResult::Declined,
                detail: Some("answered no".into()),
            },
            None => Ran {
                result: StepResult::Declined,
                detail: Some("no terminal to ask on, and no --yes".into()),
            },
        }
    }

    fn program(&self, step: &RunStep) -> Ran {
        let Some((program, args)) = step.argv.split_first() else {
            return did_not_pass("the step has no program");
        };
        let resolved = match self.committed.scripts.get(program) {
            Some(script) => script.clone(),
            None => resolve(&self.dir, program),
        };
        let mut command = Command::new(resolved);
        command
            .args(args)
            .envs(step.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => return did_not_pass(format!("could not run {program}: {err}")),
        };
        // Best effort: the mark is a courtesy to the next git-hotfix, not the step's record.
        if let Some(marker) = &self.marker {
            let _ = std::fs::write(marker, child.id().to_string());
        }
        let tail = Arc::new(Mutex::new(Vec::<String>::new()));
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let readers = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        .map(|stream| {
            let (ui, tail, done) = (self.ui.clone(), Arc::clone(&tail), done.clone());
            std::thread::spawn(move || {
                echo(stream, &ui, &tail);
                let _ = done.send(());
            })
        })
        .count();
        let timeout = Duration::from_secs(u64::from(step.timeout_seconds.max(1)));
        let waited = self.wait(&mut child, timeout);
        if let Some(marker) = &self.marker {
            let _ = std::fs::remove_file(marker);
        }
        // A program it started may hold the output open after it ended (a script's
        // background job): read what is there, but do not wait on it for long.
        let grace = Instant::now() + Duration::from_secs(1);
        for _ in 0..readers {
            let left = grace.saturating_duration_since(Instant::now());
            if finished.recv_timeout(left).is_err() {
                break;
            }
        }
        let last = tail.lock().map(|t| t.join("\n")).unwrap_or_default();
        let with_output = |message: String| {
            if last.is_empty() {
                message
            } else {
                format!("{message}; its last output:\n{last}")
            }
        };
        match waited {
            Ok(Waited::Exited(status)) if status.success() => passed("exited 0"),
            Ok(Waited::Exited(status)) => did_not_pass(with_output(match status.code() {
                Some(code) => format!("{program} exited with {code}"),
                None => format!("{program} was killed by a signal"),
            })),
            Ok(Waited::TimedOut) => did_not_pass(with_output(format!(
                "{program} did not finish within {} s and was stopped, with every process it started",
                timeout.as_secs()
            ))),
            Ok(Waited::Interrupted) => did_not_pass(with_output(format!(
                "{program} was stopped by {}, with every process it started",
                self.interrupt.cause()
            ))),
            Err(err) => did_not_pass(format!("could not wait for {program}: {err}")),
        }
    }

    /// Wait for `child` up to `timeout` or Ctrl-C; then stop its whole group.
    fn wait(&self, child: &mut Child, timeout: Duration) -> std::io::Result<Waited> {
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(Waited::Exited(status));
            }
            let why = if self.interrupted() {
                Waited::Interrupted
            } else if start.elapsed() >= timeout {
                Waited::TimedOut
            } else {
                std::thread::sleep(TICK);
                continue;
            };
            stop_group(child);
            return Ok(why);
        }
    }

    /// Ask the service which version it runs until it says the release's, or `wait` is up.
    fn ask_service(&self, check: &ServiceCheck<'_>) -> Ran {
        let start = Instant::now();
        let wait = check.source.wait.0.unsigned_abs();
        let mut tries = 0;
        loop {
            tries += 1;
            let answer = match production::ask(&crate::http::Production, check.source) {
                Ok(reported) if production::same_version(&reported, &check.version) => {
                    return passed(format!("reports {reported}"));
                }
                Ok(reported) => format!("reports {reported}"),
                Err(problem) => problem,
            };
            let said = format!(
                "{}: {answer}, not {}",
                sanitize::line(&check.source.url),
                check.version
            );
            if start.elapsed() + production::ASK_EVERY > wait {
                let tries = if tries == 1 {
                    "1 try".to_string()
                } else {
                    format!("{tries} tries")
                };
                return did_not_pass(format!("{said} ({tries} in {:#})", check.source.wait.0));
            }
            self.ui.status("Waiting", paint(DIM, &said));
            if !self.pause(production::ASK_EVERY) {
                return did_not_pass(format!("{said}; Ctrl-C stopped the asking"));
            }
        }
    }

    fn http(&self, check: &HttpCheck) -> Ran {
        let agent = crate::http::agent(Duration::from_secs(10));
        let attempts = check.retries.saturating_add(1);
        let mut answer = String::new();
        for attempt in 1..=attempts {
            answer = match agent.get(&check.url).call() {
                Ok(response) if response.status().as_u16() == check.expect_status => {
                    let tries = if attempt == 1 {
                        "1 try".to_string()
                    } else {
                        format!("{attempt} tries")
                    };
                    return passed(format!("{} after {tries}", check.expect_status));
                }
                Ok(response) => format!("answered {}", response.status().as_u16()),
                Err(err) => format!("could not be reached: {err}"),
            };
            if attempt < attempts {
                self.ui.status(
                    "Waiting",
                    paint(
                        DIM,
                        format!(
                            "{} {answer}; try {} of {attempts} in {} s",
                            check.url,
                            attempt + 1,
                            check.interval_seconds
                        ),
                    ),
                );
                if !self.pause(Duration::from_secs(u64::from(check.interval_seconds))) {
                    return did_not_pass(format!(
                        "{} {answer}; Ctrl-C stopped the polling",
                        check.url
                    ));
                }
            }
        }
        did_not_pass(format!(
            "{} {answer} (expected {}) after {attempts} tries",
            check.url, check.expect_status
        ))
    }
}

/// A step in one line, as `--plan` shows it and the journal records it. What the step runs
/// and calls is the plugin's text: shown with its control characters escaped.
pub fn describe(step: &Step) -> String {
    let shown = |text: &str| sanitize::line(text).into_owned();
    match step {
        Step::Run(run) => format!(
            "run      {} (timeout {} s){}",
            shown(&run.argv.join(" ")),
            run.timeout_seconds,
            if run.description.is_empty() {
                String::new()
            } else {
                format!(": {}", run.description)
            }
        ),
        Step::HttpCheck(check) => {
            // The check runs once, then once per retry.
            let tries = check.retries.saturating_add(1);
            format!(
                "check    {} answers {} (up to {tries} {}, {} s apart)",
                shown(&check.url),
                check.expect_status,
                if tries == 1 { "try" } else { "tries" },
                check.interval_seconds
            )
        }
        Step::Wait(seconds) => format!("wait     {seconds} s"),
        Step::Confirm(question) => format!("confirm  {question}"),
    }
}

/// A relative program path (`./deploy/prod.sh`) is the repository's, not the caller's.
fn resolve(dir: &Path, program: &str) -> PathBuf {
    if program.contains('/') && Path::new(program).is_relative() {
        dir.join(program)
    } else {
        PathBuf::from(program)
    }
}

/// Show each line of a program's output as it comes, keeping the last few.
fn echo(stream: Box<dyn Read + Send>, ui: &Ui, tail: &Mutex<Vec<String>>) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        ui.progress(format!("  | {line}"));
        if let Ok(mut tail) = tail.lock() {
            tail.push(line);
            if tail.len() > TAIL {
                tail.remove(0);
            }
        }
    }
}

/// A deploy policy's steps, run one at a time for the core's run of them
/// (`operations::deploy`), each program's process group marked where the runner marks it.
pub struct PolicySteps<'a> {
    pub runner: Runner<'a>,
    pub steps: &'a [Step],
    /// Verifying production: after the policy's steps, the service itself is asked.
    pub then: Option<&'a ServiceCheck<'a>>,
}

/// The last step of `verify production` when `[production-version]` says where the service
/// reports its version: it must report the release's, within `wait`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ServiceCheck<'a> {
    /// Where and how the service is asked (`[production-version]`).
    #[serde(flatten)]
    pub source: &'a ProductionVersion,
    /// The release's version, which the service must report.
    pub version: String,
}

impl<'a> ServiceCheck<'a> {
    pub fn new(source: &'a ProductionVersion, version: &str) -> ServiceCheck<'a> {
        ServiceCheck {
            source,
            version: version.to_string(),
        }
    }

    /// In one line, as steps are described (`--plan`, the journal).
    pub fn describe(&self) -> String {
        format!(
            "check    {} reports {} (asked every {} s for up to {:#})",
            sanitize::line(&self.source.url),
            self.version,
            production::ASK_EVERY.as_secs(),
            self.source.wait.0
        )
    }
}

impl StepRunner for PolicySteps<'_> {
    fn left_running(&mut self) -> Option<i32> {
        let marker = self.runner.marker.as_ref()?;
        let group = live_group(marker);
        if group.is_none() {
            let _ = std::fs::remove_file(marker);
        }
        group
    }

    fn interrupted(&self) -> bool {
        self.runner.interrupted()
    }

    fn run(&mut self, n: usize) -> Ran {
        match (self.steps.get(n), self.then) {
            (Some(step), _) => self.runner.run(step),
            (None, Some(check)) => self.runner.ask_service(check),
            (None, None) => did_not_pass("no such step"),
        }
    }
}

/// The project's checks, run as steps of their own in the fix's checkout; Ctrl-C is caught
/// from the first one on, while this lives.
pub struct Checks<'a> {
    ui: &'a Ui,
    runner: Option<Runner<'a>>,
}

impl<'a> Checks<'a> {
    pub fn new(ui: &'a Ui) -> Checks<'a> {
        Checks { ui, runner: None }
    }
}

impl CheckRunner for Checks<'_> {
    fn interrupted(&self) -> bool {
        self.runner.as_ref().is_some_and(Runner::interrupted)
    }

    /// The Ctrl-C catch goes with the runner: what follows the checks stops on Ctrl-C.
    fn done(&mut self) {
        self.runner = None;
    }

    fn run(&mut self, dir: &Path, command: &str, timeout_seconds: u32) -> Ran {
        let ui = self.ui;
        let runner = self
            .runner
            .get_or_insert_with(|| Runner::new(ui, dir.to_path_buf(), Committed::default(), false));
        runner.dir = dir.to_path_buf();
        runner.run(&Step::Run(RunStep {
            argv: command.split_whitespace().map(String::from).collect(),
            env: Vec::new(),
            timeout_seconds,
            description: command.to_string(),
        }))
    }
}

/// The process group a git-hotfix killed while it ran a program left [`marked`](Runner::marking),
/// if any of it still runs.
pub fn live_group(marker: &Path) -> Option<i32> {
    let group: i32 = std::fs::read_to_string(marker).ok()?.trim().parse().ok()?;
    let pid = rustix::process::Pid::from_raw(group)?;
    rustix::process::test_kill_process_group(pid)
        .is_ok()
        .then_some(group)
}

/// Stop the process group `child` leads: TERM to all of it, then, after [`GRACE`] or as soon
/// as every member is gone, KILL to whatever is left. The leader is reaped.
fn stop_group(child: &mut Child) {
    use rustix::process::{Pid, Signal, kill_process_group, test_kill_process_group};
    let group = Pid::from_child(child);
    let _ = kill_process_group(group, Signal::TERM);
    let until = Instant::now() + GRACE;
    let mut reaped = false;
    while Instant::now() < until {
        reaped = reaped || matches!(child.try_wait(), Ok(Some(_)));
        // A leader not yet reaped still counts as a member.
        if reaped && test_kill_process_group(group).is_err() {
            return;
        }
        std::thread::sleep(TICK);
    }
    let _ = kill_process_group(group, Signal::KILL);
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_described_as_it_runs_with_the_plugin_s_text_escaped() {
        let check = Step::HttpCheck(HttpCheck {
            url: "https://app.example.com/health\x1b[2J".into(),
            expect_status: 200,
            retries: 3,
            interval_seconds: 5,
        });
        assert_eq!(
            describe(&check),
            "check    https://app.example.com/health\\u{1b}[2J answers 200 (up to 4 tries, 5 s apart)"
        );
        let run = Step::Run(RunStep {
            argv: vec!["kubectl\r\nerror:".into(), "apply".into()],
            env: Vec::new(),
            timeout_seconds: 60,
            description: String::new(),
        });
        assert_eq!(
            describe(&run),
            "run      kubectl\\r\\nerror: apply (timeout 60 s)"
        );
    }
}
