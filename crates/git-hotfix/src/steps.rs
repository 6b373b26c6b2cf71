//! Running a deploy policy's steps: programs by argv (never a shell) with a timeout and
//! their output shown live, HTTP checks polled until they answer, waits, and confirmations
//! (a person on a terminal, or `--yes`). Whether a step may run at all is decided before:
//! only granted steps reach here.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use git_hotfix_core::records::journal::StepResult;
use git_hotfix_plugin_host::{HttpCheck, RunStep, Step};

use crate::ui::{DIM, Ui, paint};

/// How one step ended, with what a person needs to know about it.
pub struct Ran {
    pub result: StepResult,
    pub detail: Option<String>,
}

impl Ran {
    fn ok(detail: impl Into<String>) -> Ran {
        Ran {
            result: StepResult::Ok,
            detail: Some(detail.into()),
        }
    }

    fn failed(detail: impl Into<String>) -> Ran {
        Ran {
            result: StepResult::Failed,
            detail: Some(detail.into()),
        }
    }
}

pub struct Runner<'a> {
    pub ui: &'a Ui,
    /// Where programs run: the repository's worktree.
    pub dir: PathBuf,
    /// `--yes`: confirmations are answered yes.
    pub yes: bool,
}

/// The lines of a program's output kept for the journal when it fails.
const TAIL: usize = 5;

impl Runner<'_> {
    pub fn run(&self, step: &Step) -> Ran {
        match step {
            Step::Run(run) => self.program(run),
            Step::HttpCheck(check) => self.http(check),
            Step::Wait(seconds) => {
                std::thread::sleep(Duration::from_secs(u64::from(*seconds)));
                Ran::ok(format!("waited {seconds} s"))
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
            return Ran::ok("yes (--yes)");
        }
        match self.ui.confirm(question) {
            Some(true) => Ran::ok("yes"),
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
            return Ran::failed("the step has no program");
        };
        let mut command = Command::new(resolve(&self.dir, program));
        command
            .args(args)
            .envs(step.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => return Ran::failed(format!("could not run {program}: {err}")),
        };
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
        let waited = wait(&mut child, timeout);
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
            Ok(Some(status)) if status.success() => Ran::ok("exited 0"),
            Ok(Some(status)) => Ran::failed(with_output(match status.code() {
                Some(code) => format!("{program} exited with {code}"),
                None => format!("{program} was killed by a signal"),
            })),
            Ok(None) => Ran::failed(with_output(format!(
                "{program} did not finish within {} s and was stopped",
                timeout.as_secs()
            ))),
            Err(err) => Ran::failed(format!("could not wait for {program}: {err}")),
        }
    }

    fn http(&self, check: &HttpCheck) -> Ran {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect is the answer: following it would call a URL no one granted.
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(10)))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        let agent = ureq::Agent::new_with_config(config);
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
                    return Ran::ok(format!("{} after {tries}", check.expect_status));
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
                std::thread::sleep(Duration::from_secs(u64::from(check.interval_seconds)));
            }
        }
        Ran::failed(format!(
            "{} {answer} (expected {}) after {attempts} tries",
            check.url, check.expect_status
        ))
    }
}

/// A step in one line, as `--plan` shows it and the journal records it.
pub fn describe(step: &Step) -> String {
    match step {
        Step::Run(run) => format!(
            "run      {} (timeout {} s){}",
            run.argv.join(" "),
            run.timeout_seconds,
            if run.description.is_empty() {
                String::new()
            } else {
                format!(": {}", run.description)
            }
        ),
        Step::HttpCheck(check) => format!(
            "check    {} answers {} ({} tries, {} s apart)",
            check.url, check.expect_status, check.retries, check.interval_seconds
        ),
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

/// Wait for `child` up to `timeout`; past it, kill it and answer `None`.
fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<Option<std::process::ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if start.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
