//! A run's steps as a person reads them: in `status` (what is done, what is left),
//! `continue --plan` and `abort` (what was taken back).

use git_hotfix_core::engine::Undone;
use git_hotfix_core::foundation::oid::short;
use git_hotfix_core::git::refs::{Edit, Value};
use git_hotfix_core::records::run::{Progress, Recorded, Step, Steps};

/// One line per step, marked done, under way (the run stopped or was killed in it) or left.
pub fn progress(steps: &Steps) -> Vec<String> {
    steps.0.iter().map(progress_line).collect()
}

pub fn progress_line(recorded: &Recorded) -> String {
    let mark = match recorded.progress {
        Progress::Done => "done     ",
        Progress::Started => "under way",
        Progress::Pending => "left     ",
    };
    let mut line = format!("{mark}  {}", step(&recorded.step));
    if let Some(why) = &recorded.failed {
        line.push_str(&format!(" (stopped: {why})"));
    }
    line
}

/// What a step does, in one sentence.
pub fn step(step: &Step) -> String {
    match step {
        Step::Refs { edits, .. } => {
            let moves: Vec<String> = edits.iter().map(edit).collect();
            format!("move refs: {}", moves.join(", "))
        }
        Step::Checkout {
            worktree, from, to, ..
        } => format!(
            "bring the files of {} from {} to {}",
            match worktree.is_relative() {
                true => "the main worktree".to_string(),
                false => worktree.display().to_string(),
            },
            short(*from),
            short(*to)
        ),
        Step::RemoveWorktree { path, .. } => format!("remove the worktree {}", path.display()),
        Step::Push { plan } => {
            let refs: Vec<&str> = plan.refs.iter().map(|r| r.name.as_str()).collect();
            format!("push {} to {}", refs.join(" "), plan.remote)
        }
        Step::Pull {
            request,
            opened: Some(opened),
            ..
        } => format!(
            "open the pull request #{} \"{}\" ({} into {})",
            opened.number, request.title, request.head, request.base
        ),
        Step::Pull { request, .. } => format!(
            "open the pull request \"{}\" ({} into {})",
            request.title, request.head, request.base
        ),
    }
}

fn edit(edit: &Edit) -> String {
    let name = shown_ref(&edit.name);
    match (&edit.old, &edit.new) {
        (None, Some(new)) => format!("create {name} at {}", value(new)),
        (Some(_), None) => format!("delete {name}"),
        (Some(old), Some(new)) => format!("{name} {} -> {}", value(old), value(new)),
        (None, None) => name.to_string(),
    }
}

/// What `abort` took back (`done`), or would, in one sentence.
pub fn undone(undone: &Undone, done: bool) -> String {
    let verb = |now: &'static str, past: &'static str| if done { past } else { now };
    match undone {
        Undone::Ref { name, to: None, .. } => {
            format!("{} {}", verb("delete", "deleted"), shown_ref(name))
        }
        Undone::Ref {
            name,
            from: None,
            to: Some(to),
        } => format!(
            "{} {} at {}",
            verb("recreate", "recreated"),
            shown_ref(name),
            value(to)
        ),
        Undone::Ref {
            name, to: Some(to), ..
        } => format!("put {} back to {}", shown_ref(name), value(to)),
        Undone::Checkout { worktree, to } => format!(
            "{} the files of {} back to {}",
            verb("bring", "brought"),
            worktree.display(),
            short(*to)
        ),
        Undone::Worktree { path } => {
            format!(
                "{} the worktree {} back",
                verb("add", "added"),
                path.display()
            )
        }
        Undone::Remote {
            remote,
            name,
            to: None,
        } => format!("{} {name} on {remote}", verb("delete", "deleted")),
        Undone::Remote {
            remote,
            name,
            to: Some(to),
        } => format!("put {name} on {remote} back to {}", short(*to)),
        Undone::Pull {
            number: Some(number),
            ..
        } => format!("{} the pull request #{number}", verb("close", "closed")),
        Undone::Pull { head, number: None } => {
            format!("close the pull request from {head}, if the run's call to GitHub opened one")
        }
    }
}

fn value(value: &Value) -> String {
    match value {
        Value::Object(id) => short(*id),
        Value::Symbolic(name) => shown_ref(name).to_string(),
    }
}

fn shown_ref(name: &str) -> &str {
    name.strip_prefix("refs/heads/").unwrap_or(name)
}
