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
    assert_eq!(host.levels(&plugin).unwrap().value.len(), 4);
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
        "other-version.wasm implements git-hotfix:plugin/severity@0.2.0, but this git-hotfix supports 0.1.0"
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
