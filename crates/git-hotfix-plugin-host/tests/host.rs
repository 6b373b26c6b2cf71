//! The host against real components: the built-in policies, a policy written with the SDK,
//! and the hostile corpus of tests/plugins, each of which must end in the right error.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use git_hotfix_plugin_host::*;

fn dist(path: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn builtin(name: &str) -> Vec<u8> {
    dist(&format!("plugins/dist/{name}.wasm"))
}

fn hostile(name: &str) -> Vec<u8> {
    dist(&format!("tests/plugins/dist/{name}.wasm"))
}

fn host() -> Host {
    Host::new(Limits::default(), None).unwrap()
}

fn incident(title: &str) -> Incident {
    Incident {
        ticket: "ENG-1234".into(),
        title: title.into(),
        description: String::new(),
        labels: Vec::new(),
        answers: Vec::new(),
    }
}

#[test]
fn the_builtin_severity_policy_follows_the_workflow_table() {
    let host = host();
    let plugin = host.load("builtin:severity", &builtin("severity")).unwrap();
    assert_eq!(plugin.worlds(), [World::Severity]);
    host.check_imports(&plugin).unwrap();
    let p0 = host
        .assess(&plugin, &incident("auth bypass on login"))
        .unwrap();
    assert_eq!(p0.value.severity, Severity::P0);
    assert_eq!(p0.value.response_minutes, 120);
    assert!(p0.value.skip_staging_allowed);
    assert!(
        p0.value.reasons.iter().any(|r| r.contains("auth bypass")),
        "{:?}",
        p0.value.reasons
    );
    assert!(p0.fuel_used > 0);

    let mut crash = incident("checkout crash");
    crash.answers = vec![Answer {
        id: "workaround".into(),
        value: "yes".into(),
    }];
    let p2 = host.assess(&plugin, &crash).unwrap().value;
    assert_eq!(p2.severity, Severity::P2, "{:?}", p2.reasons);
    // It answers no levels of its own: the workflow's table is what the host gives.
    assert_eq!(host.levels(&plugin).unwrap().value, workflow_levels());
    assert!(host.questions(&plugin).unwrap().value.len() >= 4);
}

#[test]
fn a_policy_written_with_the_sdk_works() {
    let host = host();
    let plugin = host.load("strict.wasm", &hostile("strict")).unwrap();
    let mut customer = incident("typo");
    customer.labels = vec!["customer-facing".into()];
    assert_eq!(
        host.assess(&plugin, &customer).unwrap().value.severity,
        Severity::P0
    );
    assert_eq!(
        host.assess(&plugin, &incident("typo"))
            .unwrap()
            .value
            .severity,
        Severity::P2
    );
}

#[test]
fn the_builtin_version_files_policy_edits_only_the_version() {
    let host = host();
    let plugin = host
        .load("builtin:version-files", &builtin("version-files"))
        .unwrap();
    let found = host
        .detect(
            &plugin,
            &[
                "app/pubspec.yaml".into(),
                "README.md".into(),
                "Cargo.toml".into(),
            ],
        )
        .unwrap()
        .value;
    assert_eq!(found, ["app/pubspec.yaml", "Cargo.toml"]);
    let pubspec = File {
        path: "app/pubspec.yaml".into(),
        content: "name: app\n# the store build\nversion: 0.1.0+5\n".into(),
    };
    assert_eq!(
        host.read_version(&plugin, &pubspec).unwrap().value,
        "0.1.0+5"
    );
    assert_eq!(
        host.write_version(&plugin, &pubspec, "0.1.1")
            .unwrap()
            .value,
        "name: app\n# the store build\nversion: 0.1.1+6\n"
    );
    let readme = File {
        path: "README.md".into(),
        content: "hi".into(),
    };
    let err = host.read_version(&plugin, &readme).unwrap_err();
    assert!(
        err.to_string()
            .contains("unsupported: README.md: not a version file"),
        "{err}"
    );
}

#[test]
fn the_builtin_deploy_policy_plans_from_settings() {
    let host = host();
    let plugin = host.load("builtin:deploy", &builtin("deploy")).unwrap();
    let release = Release {
        version: "1.2.4".into(),
        previous_version: Some("1.2.3".into()),
        tag: "v1.2.4".into(),
        environment: "production".into(),
        settings: vec![
            (
                "production.deploy".into(),
                "kubectl set image app=app:{version}".into(),
            ),
            ("health-url".into(), "https://app.example.com/health".into()),
        ],
    };
    let steps = host.plan(&plugin, &release, Action::Deploy).unwrap().value;
    assert!(matches!(&steps[0], Step::Confirm(_)));
    match &steps[1] {
        Step::Run(run) => assert_eq!(run.argv, ["kubectl", "set", "image", "app=app:1.2.4"]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(&steps[2], Step::HttpCheck(c) if c.url == "https://app.example.com/health"));
    let err = host.plan(&plugin, &release, Action::Rollback).unwrap_err();
    assert!(err.to_string().contains("no `rollback` setting"), "{err}");
}

#[test]
fn a_policy_of_another_kind_is_named_for_what_it_is() {
    let host = host();
    let plugin = host.load("builtin:deploy", &builtin("deploy")).unwrap();
    let err = host.assess(&plugin, &incident("x")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingWorld {
                world: World::Severity,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("git-hotfix:plugin/deploy@0.1.0"),
        "{err}"
    );
}

#[test]
fn an_infinite_loop_runs_out_of_fuel_or_time() {
    let plugin_bytes = hostile("loop-forever");
    let fuel_limited = Host::new(
        Limits {
            fuel: 50_000_000,
            ..Limits::default()
        },
        None,
    )
    .unwrap();
    let plugin = fuel_limited
        .load("loop-forever.wasm", &plugin_bytes)
        .unwrap();
    let err = fuel_limited.assess(&plugin, &incident("x")).unwrap_err();
    assert!(matches!(err, Error::OutOfFuel { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("loop-forever.wasm assess: ran out of fuel"),
        "{err}"
    );

    let time_limited = Host::new(
        Limits {
            fuel: u64::MAX / 2,
            deadline: Duration::from_millis(300),
            ..Limits::default()
        },
        None,
    )
    .unwrap();
    let plugin = time_limited
        .load("loop-forever.wasm", &plugin_bytes)
        .unwrap();
    let started = Instant::now();
    let err = time_limited.assess(&plugin, &incident("x")).unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    let host = host();
    let plugin = host
        .load("memory-bomb.wasm", &hostile("memory-bomb"))
        .unwrap();
    let err = host.assess(&plugin, &incident("x")).unwrap_err();
    assert!(matches!(err, Error::MemoryLimit { mib: 64, .. }), "{err}");
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let host = host();
    let plugin = host
        .load("deep-recursion.wasm", &hostile("deep-recursion"))
        .unwrap();
    let err = host.assess(&plugin, &incident("x")).unwrap_err();
    assert!(matches!(err, Error::StackOverflow { .. }), "{err}");
}

#[test]
fn a_trap_mid_call_shows_what_the_plugin_printed() {
    let host = host();
    let plugin = host.load("trap.wasm", &hostile("trap")).unwrap();
    let err = host.assess(&plugin, &incident("login")).unwrap_err();
    assert!(matches!(err, Error::Trap { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("assessing ENG-1234"), "{text}");
    assert!(
        text.contains("the policy table is missing for login"),
        "{text}"
    );
}

#[test]
fn huge_output_is_stopped_by_memory_or_by_the_output_limit() {
    let host = host();
    let plugin = host
        .load("huge-output.wasm", &hostile("huge-output"))
        .unwrap();
    let err = host.assess(&plugin, &incident("100 MB")).unwrap_err();
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err}");

    let mut eight = incident("8 MB");
    eight.description = "8".into();
    let err = host.assess(&plugin, &eight).unwrap_err();
    assert!(
        matches!(err, Error::OutputTooLarge { limit, .. } if limit == 4 << 20),
        "{err}"
    );
}

#[test]
fn input_over_the_limit_is_refused_before_the_call() {
    let host = host();
    let plugin = host.load("builtin:severity", &builtin("severity")).unwrap();
    let err = host
        .assess(&plugin, &incident(&"x".repeat(9 << 20)))
        .unwrap_err();
    assert!(matches!(err, Error::InputTooLarge { .. }), "{err}");
}

#[test]
fn another_contract_version_is_named_with_the_ones_supported() {
    let host = host();
    let plugin = host
        .load("other-version.wasm", &hostile("other-version"))
        .unwrap();
    let err = host.assess(&plugin, &incident("x")).unwrap_err();
    assert!(matches!(err, Error::WrongVersion { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "other-version.wasm implements git-hotfix:plugin/severity@0.2.0, but this git-hotfix supports 0.1.x"
    );
}

#[test]
fn files_that_are_not_components_are_refused() {
    let host = host();
    let err = host.load("notes.txt", b"not wasm at all").err().unwrap();
    assert!(matches!(err, Error::NotAComponent { .. }), "{err}");
    assert!(err.to_string().contains("not WebAssembly at all"), "{err}");
    let mut truncated = builtin("severity");
    truncated.truncate(truncated.len() / 2);
    let err = host.load("truncated.wasm", &truncated).err().unwrap();
    assert!(matches!(err, Error::NotAComponent { .. }), "{err}");
    // A core module (the shape of a plugin before componentization) is no component either.
    let core_module = b"\0asm\x01\0\0\0";
    let err = host.load("core.wasm", core_module).err().unwrap();
    assert_eq!(
        err.to_string(),
        "core.wasm is not a WebAssembly component: it is a core WebAssembly module: \
         build the plugin for wasm32-wasip2, which makes a component"
    );
}

#[test]
fn wasi_gives_a_plugin_no_file_environment_or_network() {
    let host = host();
    let plugin = host.load("snoop.wasm", &hostile("snoop")).unwrap();
    let reasons = host.assess(&plugin, &incident("x")).unwrap().value.reasons;
    let text = reasons.join("\n");
    assert!(!text.contains("file: read"), "{text}");
    assert!(text.contains("env: 0 variables, HOME=None"), "{text}");
    assert!(!text.contains("socket: connected"), "{text}");
    assert!(reasons.iter().any(|r| r.starts_with("dir: Err")), "{text}");
}

#[test]
fn steps_outside_the_grants_are_refused() {
    let host = host();
    let plugin = host.load("ungranted.wasm", &hostile("ungranted")).unwrap();
    let release = Release {
        version: "1".into(),
        previous_version: None,
        tag: "v1".into(),
        environment: "staging".into(),
        settings: Vec::new(),
    };
    let steps = host.plan(&plugin, &release, Action::Deploy).unwrap().value;
    let grants = Grants {
        commands: vec!["kubectl".into()],
        http: vec!["https://app.example.com/".into()],
        ..Grants::default()
    };
    assert_eq!(
        grants.check(&steps[0]),
        Err(NotGranted::Command("curl".into()))
    );
    assert_eq!(
        grants.check(&steps[1]),
        Err(NotGranted::Url("https://evil.example/ping".into()))
    );
}

#[test]
fn compiled_plugins_are_cached_and_a_corrupt_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = builtin("severity");
    let host = Host::new(Limits::default(), Some(dir.path().to_path_buf())).unwrap();
    let first = host.load("builtin:severity", &bytes).unwrap();
    assert!(!first.cached);
    let second = host.load("builtin:severity", &bytes).unwrap();
    assert!(second.cached);
    assert_eq!(
        host.assess(&second, &incident("data leak"))
            .unwrap()
            .value
            .severity,
        Severity::P0
    );

    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "cwasm") {
            let mut artifact = std::fs::read(&path).unwrap();
            let middle = artifact.len() / 2;
            artifact[middle] ^= 0xff;
            std::fs::write(&path, artifact).unwrap();
        }
    }
    let third = host.load("builtin:severity", &bytes).unwrap();
    assert!(!third.cached, "a corrupt entry is compiled again");
    assert_eq!(
        host.assess(&third, &incident("data leak"))
            .unwrap()
            .value
            .severity,
        Severity::P0
    );
}

/// A host whose deadline is short, for the plugins that would wait for ever.
fn impatient() -> Host {
    Host::new(
        Limits {
            deadline: Duration::from_millis(500),
            fuel: u64::MAX / 2,
            ..Limits::default()
        },
        None,
    )
    .unwrap()
}

#[test]
fn sleeping_or_waiting_on_the_clock_ends_at_the_deadline() {
    let host = impatient();
    let plugin = host.load("sleep.wasm", &hostile("sleep")).unwrap();
    let calls: [(&str, &dyn Fn() -> Error); 3] = [
        ("assess", &|| {
            host.assess(&plugin, &incident("x")).unwrap_err()
        }),
        ("questions", &|| host.questions(&plugin).unwrap_err()),
        ("levels", &|| host.levels(&plugin).unwrap_err()),
    ];
    for (call, run) in calls {
        let started = Instant::now();
        let err = run();
        let took = started.elapsed();
        assert!(matches!(err, Error::Deadline { .. }), "{call}: {err}");
        assert!(
            err.to_string()
                .contains(&format!("sleep.wasm {call}: still running after 0.5 s")),
            "{err}"
        );
        assert!(took < Duration::from_millis(1500), "{call} took {took:?}");
    }
}

#[test]
fn clocks_and_randomness_are_fixed_unless_granted() {
    let host = host();
    let mut plugin = host
        .load("nondeterministic.wasm", &hostile("nondeterministic"))
        .unwrap();
    let reasons = |plugin: &Plugin| host.assess(plugin, &incident("x")).unwrap().value.reasons;
    let first = reasons(&plugin);
    assert_eq!(first, reasons(&plugin), "the same input, the same answer");
    assert_eq!(first[0], "wall clock: 0 ns");
    assert_ne!(first[1], "elapsed: 0 ns", "time still moves forward");

    plugin.grants = Grants {
        clocks: true,
        random: true,
        ..Grants::default()
    };
    let granted = reasons(&plugin);
    assert_ne!(granted[0], "wall clock: 0 ns");
    let rolls: std::collections::BTreeSet<String> =
        (0..12).map(|_| reasons(&plugin)[2].clone()).collect();
    assert!(rolls.len() > 1, "real randomness: {rolls:?}");
}

#[test]
fn exiting_instead_of_answering_is_named_as_such() {
    let host = host();
    let plugin = host
        .load("exit-instead.wasm", &hostile("exit-instead"))
        .unwrap();
    let err = host.assess(&plugin, &incident("login")).unwrap_err();
    // WASI 0.2 carries only success or failure: `exit(3)` arrives as 1.
    assert!(matches!(err, Error::Exited { code: 1, .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "exit-instead.wasm assess: exited with a failure status instead of answering; it printed:\n  | no rule for login"
    );
}

#[test]
fn a_function_missing_or_of_another_type_is_named() {
    let host = host();
    let drift = host
        .load("type-drift.wasm", &hostile("type-drift"))
        .unwrap();
    assert_eq!(drift.worlds(), [World::Severity], "it claims 0.1.0");
    let err = host.check_world(&drift, World::Severity).unwrap_err();
    assert!(
        matches!(err, Error::Contract { call: "levels", .. }),
        "{err}"
    );
    let err = host.assess(&drift, &incident("x")).unwrap_err();
    assert!(
        matches!(err, Error::Contract { call: "assess", .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("type-drift.wasm `assess` does not have the contract's type: "),
        "{err}"
    );

    let missing = host
        .load("missing-export.wasm", &hostile("missing-export"))
        .unwrap();
    let err = host.check_world(&missing, World::Severity).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing-export.wasm exports git-hotfix:plugin/severity@0.1.0 without `levels`"
    );
    // What it does have still works.
    assert_eq!(
        host.assess(&missing, &incident("x"))
            .unwrap()
            .value
            .severity,
        Severity::P2
    );
}

#[test]
fn what_the_host_copies_out_is_bounded_by_the_output_limit() {
    let host = host();
    let plugin = host.load("copy-bomb.wasm", &hostile("copy-bomb")).unwrap();
    let err = host.detect(&plugin, &["VERSION".into()]).unwrap_err();
    assert!(
        matches!(err, Error::OutputTooLarge { limit, .. } if limit == 4 << 20),
        "{err}"
    );
}

#[test]
fn what_a_plugin_says_cannot_drive_the_terminal() {
    // Its flood of output takes seconds on a loaded machine: what is tested is the text,
    // not the deadline, which gets room.
    let host = Host::new(
        Limits {
            deadline: Duration::from_secs(60),
            ..Limits::default()
        },
        None,
    )
    .unwrap();
    let plugin = host
        .load("control-characters.wasm", &hostile("control-characters"))
        .unwrap();
    let assessment = host.assess(&plugin, &incident("x")).unwrap().value;
    assert_eq!(assessment.label, "ok\\r\\nerror: fake line\\u{1b}[31m");
    assert_eq!(assessment.reasons, ["fine\\u{202e}gnp.exe"]);

    let err = host.assess(&plugin, &incident("refuse")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "control-characters.wasm assess: no\\r\\nerror: the repository was deleted\\u{1b}[2J"
    );

    // A flood of output keeps its beginning and its end, where the real error is.
    let err = host.levels(&plugin).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("  | noise line 0\n"), "{text}");
    assert!(text.contains("bytes left out ..."), "{text}");
    assert!(
        text.contains("  | the real error: no table for this team"),
        "{text}"
    );
    assert!(text.len() < 24 << 10, "{} bytes", text.len());
}

#[test]
fn a_later_patch_release_of_the_contract_runs_and_a_released_plugin_keeps_running() {
    let host = host();
    let patch = host
        .load("patch-release.wasm", &hostile("patch-release"))
        .unwrap();
    assert_eq!(patch.version_of(World::Severity), Some("0.1.1"));
    host.check_world(&patch, World::Severity).unwrap();
    let assessment = host.assess(&patch, &incident("login")).unwrap().value;
    assert_eq!(assessment.label, "built for 0.1.1");
    assert_eq!(host.levels(&patch).unwrap().value, workflow_levels());

    // Built with the SDK of the first release and never rebuilt.
    let released = dist("tests/plugins/released/strict-0.1.0.wasm");
    let plugin = host.load("strict-0.1.0.wasm", &released).unwrap();
    host.check_world(&plugin, World::Severity).unwrap();
    assert_eq!(host.levels(&plugin).unwrap().value.len(), 4);
    let mut customer = incident("typo");
    customer.labels = vec!["customer-facing".into()];
    assert_eq!(
        host.assess(&plugin, &customer).unwrap().value.severity,
        Severity::P0
    );
}

#[test]
fn every_function_of_every_world_has_the_contract_s_type() {
    // The host's types are written by hand: the built-ins, built from wit/ with the guest
    // SDK, prove them against the WIT.
    let host = host();
    for (name, world) in [
        ("severity", World::Severity),
        ("version-files", World::VersionFiles),
        ("deploy", World::Deploy),
    ] {
        let plugin = host.load(name, &builtin(name)).unwrap();
        host.check_world(&plugin, world).unwrap();
    }
}

#[test]
fn contract_versions_are_served_by_major_and_minor() {
    for served in ["0.1.0", "0.1.1", "0.1.42"] {
        assert!(supports(served), "{served}");
    }
    for refused in ["0.2.0", "1.1.0", "0.1", "0.1.0-rc1", "0.1.x", "00.1.0", ""] {
        assert!(!supports(refused), "{refused}");
    }
}

#[test]
fn the_cache_keeps_the_most_recently_used_within_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::new(Limits::default(), Some(dir.path().to_path_buf())).unwrap();
    for name in ["severity", "version-files", "deploy"] {
        host.load(name, &builtin(name)).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    // Using the oldest makes it the newest.
    assert!(host.load("severity", &builtin("severity")).unwrap().cached);
    let (entries, _) = host.cache_entries().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].component, sha256_hex(&builtin("severity")));

    let keep_two = entries[0].bytes + entries[1].bytes;
    let removed = host.prune_cache(keep_two).unwrap();
    assert_eq!(removed.entries, 1);
    let (left, _) = host.cache_entries().unwrap();
    let left: Vec<&str> = left.iter().map(|e| e.component.as_str()).collect();
    assert_eq!(
        left,
        [entries[0].component.as_str(), entries[1].component.as_str()]
    );
    // The least recently used was evicted: it compiles again.
    let evicted = ["version-files", "deploy"]
        .into_iter()
        .find(|name| sha256_hex(&builtin(name)) == entries[2].component)
        .unwrap();
    assert!(!host.load(evicted, &builtin(evicted)).unwrap().cached);
}

#[test]
fn an_import_the_host_does_not_provide_is_named() {
    let host = host();
    let plugin = host
        .load("foreign-import.wasm", &hostile("foreign-import"))
        .unwrap();
    let named = "foreign-import.wasm could not be started: it imports git-hotfix:plugin/network@0.1.0, which the host does not provide";
    assert_eq!(host.check_imports(&plugin).unwrap_err().to_string(), named);
    let err = host.assess(&plugin, &incident("x")).unwrap_err();
    assert!(matches!(err, Error::Instantiate { .. }), "{err}");
    assert_eq!(err.to_string(), named);
}
