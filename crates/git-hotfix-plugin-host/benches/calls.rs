//! What a policy costs in process: compiling a component (the first run on a machine),
//! loading it from the artifact cache (every later run), and one call (a fresh store, the
//! instance, the call, the answer) once loaded.
//!
//!     cargo bench -p git-hotfix-plugin-host --bench calls
//!
//! Prints the median and the 90th percentile of each; results go into docs/BENCHMARKS.md.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use git_hotfix_plugin_host::{Host, Incident, Limits};

fn builtin(name: &str) -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../plugins/dist/{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn measure(label: &str, runs: usize, mut run: impl FnMut()) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<48} median {:>9.3} ms   p90 {:>9.3} ms   ({runs} runs)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3
    );
}

fn main() {
    let cache = tempfile::tempdir().unwrap();
    let incident = Incident {
        ticket: "ENG-1234".into(),
        title: "auth bypass on login".into(),
        description: "tokens without a signature are accepted".into(),
        labels: vec!["security".into()],
        answers: Vec::new(),
    };
    for name in ["severity", "version-files", "deploy"] {
        let bytes = builtin(name);
        // Uncached: a host without a cache compiles every time.
        let uncached = Host::new(Limits::default(), None).unwrap();
        measure(
            &format!("compile builtin:{name} ({} KiB)", bytes.len() >> 10),
            5,
            || {
                uncached.load(name, &bytes).unwrap();
            },
        );
        let cached = Host::new(Limits::default(), Some(cache.path().to_path_buf())).unwrap();
        cached.load(name, &bytes).unwrap();
        measure(&format!("load builtin:{name} from the cache"), 51, || {
            assert!(cached.load(name, &bytes).unwrap().cached);
        });
    }

    let host = Host::new(Limits::default(), Some(cache.path().to_path_buf())).unwrap();
    let severity = host.load("severity", &builtin("severity")).unwrap();
    measure("engine + epoch thread (Host::new)", 21, || {
        Host::new(Limits::default(), None).unwrap();
    });
    measure("warm call: severity assess", 1001, || {
        host.assess(&severity, &incident).unwrap();
    });
    measure("warm call: severity questions", 1001, || {
        host.questions(&severity).unwrap();
    });
    let files = host
        .load("version-files", &builtin("version-files"))
        .unwrap();
    let cargo = git_hotfix_plugin_host::File {
        path: "Cargo.toml".into(),
        content: "[package]\nname = \"app\"\nversion = \"1.2.3\"\nedition = \"2024\"\n".into(),
    };
    measure("warm call: version-files write-version", 1001, || {
        host.write_version(&files, &cargo, "1.2.4").unwrap();
    });
}
