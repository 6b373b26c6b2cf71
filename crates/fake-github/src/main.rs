//! `fake-github`: the test server as a program, for the benchmark scripts (and for trying
//! the GitHub commands by hand): it serves one repository with one merged pull request and
//! prints its URL, until it is killed.
//!
//!   fake-github <owner/name> <token> <head> <base> <merge-sha> <head-sha> <commits> [label…]
//!
//! A `label` written `review:<login>` (or `review:<org>/<team>`) asks that review of the
//! pull request, and `assign:<login>` assigns it, instead of labelling it; `git:<dir>`
//! serves the bare repository `<dir>` as the repository's git data (branches, GitHub's
//! merges, `PUT /pulls/{n}/merge`).
// A program that says where it listens, and how it was misused.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use fake_github::FakeGitHub;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [
        repository,
        token,
        head,
        base,
        merge,
        head_sha,
        commits,
        labels @ ..,
    ] = args.as_slice()
    else {
        eprintln!(
            "usage: fake-github <owner/name> <token> <head> <base> <merge-sha> <head-sha> <commits> [label…]"
        );
        std::process::exit(2);
    };
    let Some((owner, name)) = repository.split_once('/') else {
        eprintln!("fake-github: the repository is owner/name, not {repository}");
        std::process::exit(2);
    };
    let Ok(commits) = commits.parse() else {
        eprintln!("fake-github: the commit count is a number, not {commits}");
        std::process::exit(2);
    };
    let github = FakeGitHub::start(owner, name, token);
    let number = github.add_pull(head, base, &format!("Merge {head}"), "");
    github.set_head(number, head_sha, commits);
    github.merge(number, merge, "2026-01-01T00:00:00Z");
    for label in labels {
        if let Some(dir) = label.strip_prefix("git:") {
            github.serve_git(std::path::Path::new(dir));
            continue;
        }
        match (label.strip_prefix("review:"), label.strip_prefix("assign:")) {
            (Some(reviewer), _) => github.request_review(number, reviewer),
            (_, Some(assignee)) => github.assign(number, assignee),
            _ => github.add_label(number, label),
        }
    }
    println!("{}", github.url());
    loop {
        std::thread::park();
    }
}
