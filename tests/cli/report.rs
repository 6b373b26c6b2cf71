//! `git hotfix report`: the four documents from a hotfix's record, and a team's own templates.

use crate::common::TestEnv;

/// A hotfix in progress whose fix says its root cause.
fn fixed(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.linear().dir;
    env.hotfix(
        &repo,
        &["start", "ENG-1234", "fix auth bypass", "--severity", "P1"],
    )
    .ok();
    env.commit(
        &repo,
        "fix: refuse unsigned tokens\n\nRoot cause: the token check skipped\nunsigned tokens.\n\nFixes: #12",
        &[("auth.txt", "check signature\n")],
    );
    repo
}

#[test]
fn every_kind_reads_the_record_of_a_hotfix_in_progress() {
    let env = TestEnv::new();
    let repo = fixed(&env);
    let pir = env.hotfix(&repo, &["report", "pir"]).ok().stdout;
    assert!(
        pir.starts_with("# Post-incident review: ENG-1234: fix auth bypass\n"),
        "{pir}"
    );
    assert!(pir.contains("- Status: in progress"), "{pir}");
    assert!(
        pir.contains("## Root cause\n\nthe token check skipped unsigned tokens.\n"),
        "{pir}"
    );
    assert!(
        pir.contains("The fix has not reached production yet."),
        "{pir}"
    );
    assert!(
        pir.contains("No test file changed in the fix: add the regression test."),
        "{pir}"
    );
    assert!(
        pir.contains("| Checklist: regression test touched | | |"),
        "{pir}"
    );

    let internal = env
        .hotfix(&repo, &["report", "internal", "--impact", "logins failed"])
        .ok()
        .stdout;
    assert!(
        internal.starts_with("*[IN PROGRESS] P1 ENG-1234: fix auth bypass*\n"),
        "{internal}"
    );
    assert!(internal.contains("- Impact: logins failed\n"), "{internal}");
    assert!(
        internal.contains("- Verification: not in production yet\n"),
        "{internal}"
    );

    let notice = env.hotfix(&repo, &["report", "status-page"]).ok().stdout;
    assert!(
        notice.starts_with("**Monitoring**: A problem with our service"),
        "{notice}"
    );
    let email = env
        .hotfix(&repo, &["report", "email", "--impact", "logins failed"])
        .ok()
        .stdout;
    assert!(
        email.starts_with("Subject: Update: logins failed\n"),
        "{email}"
    );
}

#[test]
fn a_report_is_written_to_a_file_whole() {
    let env = TestEnv::new();
    let repo = fixed(&env);
    let run = env
        .hotfix(&repo, &["report", "pir", "-o", "review.md"])
        .ok();
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("Wrote the pir of ENG-1234 to review.md"),
        "{}",
        run.stderr
    );
    let written = std::fs::read_to_string(repo.join("review.md")).unwrap();
    let printed = env.hotfix(&repo, &["report", "pir"]).ok().stdout;
    // The same review, but for the moment it was written.
    let without_time = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with("- Written:") && !l.starts_with("- Window of impact"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_time(&written), without_time(&printed));
}

#[test]
fn a_teams_template_replaces_the_builtin_and_its_mistakes_are_named() {
    let env = TestEnv::new();
    let repo = fixed(&env);
    std::fs::create_dir_all(repo.join(".hotfix/reports")).unwrap();
    std::fs::write(
        repo.join(".hotfix/reports/internal.md"),
        "{{ ticket }} is {{ status }}; cause: {{ root_cause }}\n",
    )
    .unwrap();
    let text = env.hotfix(&repo, &["report", "internal"]).ok().stdout;
    assert_eq!(
        text,
        "ENG-1234 is in progress; cause: the token check skipped unsigned tokens.\n"
    );

    std::fs::write(repo.join("mine.md"), "Line one\n{{ tiket }}\n").unwrap();
    let run = env
        .hotfix(&repo, &["report", "pir", "--template", "mine.md"])
        .expect(1);
    assert!(run.stderr.contains("mine.md, line 2"), "{}", run.stderr);
    assert!(run.stderr.contains("--format json"), "{}", run.stderr);
    std::fs::write(repo.join("mine.md"), "{% if %}\n").unwrap();
    let run = env
        .hotfix(&repo, &["report", "pir", "--template", "mine.md"])
        .expect(1);
    assert!(run.stderr.contains("mine.md, line 1"), "{}", run.stderr);
    assert!(!repo.join("review.md").exists());
}

#[test]
fn a_template_committed_with_the_configuration_applies_on_any_branch() {
    let env = TestEnv::new();
    let repo = env.linear().dir;
    // On main, after the release: the hotfix branch (from v1.2.3) does not have it.
    env.commit(
        &repo,
        "Our words",
        &[
            (".hotfix.toml", "remote = \"origin\"\n"),
            (
                ".hotfix/reports/status-page.md",
                "{{ ticket }}: {{ status }}\n",
            ),
        ],
    );
    env.hotfix(&repo, &["start", "ENG-1234", "fix auth bypass"])
        .ok();
    assert!(!repo.join(".hotfix/reports/status-page.md").exists());
    let text = env.hotfix(&repo, &["report", "status-page"]).ok().stdout;
    assert_eq!(text, "ENG-1234: in progress\n");
}
