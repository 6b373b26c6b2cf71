//! A team's day on one shared origin: a colleague releasing with plain git meanwhile, the
//! hints followed as written, a rollback during the monitoring window. Each test is a case
//! that once made git-hotfix untrue (issue 32); git, the remote and what the deploy script
//! put in production are the oracle. `simulation` explores the same world at random.

use crate::common::TestEnv;
use crate::common::team::Team;

const TICKET: &str = "GH-101";

/// Ada starts GH-101 and commits its fix with a regression test; returns the fix.
fn start_and_fix(env: &TestEnv, team: &Team, extra: &[&str]) -> String {
    let mut args = vec!["start", TICKET, "fix session expiry", "--severity", "P0"];
    args.extend(extra);
    env.hotfix(&team.ada, &args).ok();
    env.commit(
        &team.ada,
        "fix: expire sessions",
        &[
            ("auth.txt", "check expiry\n"),
            ("tests/auth_test.sh", "expired\n"),
        ],
    )
}

#[test]
fn a_remote_written_relative_is_found_as_git_finds_it() {
    let env = TestEnv::new();
    let team = env.team();
    env.git(&team.ada, &["remote", "-v"])
        .contains("../origin.git")
        .then_some(())
        .expect("the fixture names its origin relative");
    let fix = start_and_fix(&env, &team, &[]);
    let run = env.hotfix(&team.ada, &["finish", "--push"]).ok();
    assert!(run.stderr.contains("Pushed"), "{}", run.stderr);
    let released = env.rev(&team.origin, "v2.3.5^{commit}").unwrap();
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &fix, &released],
    );
    assert_eq!(env.rev(&team.origin, "main"), env.rev(&team.ada, "main"));
    env.fsck(&team.origin);
}

#[test]
fn finish_push_goes_through_once_its_hint_is_followed() {
    let env = TestEnv::new();
    let team = env.team();
    start_and_fix(&env, &team, &[]);
    env.hotfix(&team.ada, &["finish"]).ok();
    // Bo pushes to main meanwhile.
    env.git(&team.bo, &["pull", "--quiet", "--ff-only"]);
    let theirs = env.commit(&team.bo, "docs: on-call rota", &[("ROTA.md", "ada\n")]);
    env.git(&team.bo, &["push", "--quiet", "origin", "main"]);

    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .expect(5);
    assert!(
        run.stderr.contains("has commits the local branch lacks"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git merge origin/main"),
        "{}",
        run.stderr
    );
    assert_eq!(env.rev(&team.origin, "v2.3.5"), None, "nothing pushed");

    // The hint, as written.
    env.git(&team.ada, &["fetch", "--quiet", "origin"]);
    env.git(&team.ada, &["merge", "--quiet", "--no-edit", "origin/main"]);
    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .ok();
    assert!(run.stderr.contains("Pushed"), "{}", run.stderr);
    let main = env.rev(&team.origin, "main").unwrap();
    assert_eq!(Some(main.clone()), env.rev(&team.ada, "main"));
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", &theirs, &main],
    );
    env.git(
        &team.origin,
        &["merge-base", "--is-ancestor", "v2.3.5", &main],
    );
    // Run again: nothing left to send, and it says so.
    let run = env
        .hotfix(&team.ada, &["finish", "--push", "--hotfix", TICKET])
        .ok();
    assert!(run.stderr.contains("already on origin"), "{}", run.stderr);
    env.fsck(&team.origin);
}
