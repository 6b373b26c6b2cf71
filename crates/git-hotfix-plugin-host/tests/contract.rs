//! The contract is frozen once released: `wit/released.sha256` holds the hash of every file
//! of every released version, and this host serves every released line.

use std::path::{Path, PathBuf};

use git_hotfix_plugin_host::{CONTRACTS, sha256_hex, supports};

fn wit() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit")
}

/// Every file under `wit/v*/`, relative to `wit/`.
fn released_files(dir: &Path, prefix: &str, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            released_files(&entry.path(), &format!("{name}/"), found);
        } else {
            found.push(name);
        }
    }
}

#[test]
fn released_contract_files_never_change() {
    let listed = std::fs::read_to_string(wit().join("released.sha256")).unwrap();
    let listed: Vec<(&str, &str)> = listed
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split_once("  ").expect("`<sha256>  <path>` lines"))
        .collect();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(wit()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() && name.starts_with('v') {
            released_files(&entry.path(), &format!("{name}/"), &mut found);
        }
    }
    found.sort();
    let mut names: Vec<&str> = listed.iter().map(|(_, path)| *path).collect();
    names.sort();
    assert_eq!(
        names, found,
        "every file of a released version is listed in wit/released.sha256, and only those"
    );
    for (sha256, path) in listed {
        let bytes = std::fs::read(wit().join(path)).unwrap();
        assert_eq!(
            sha256_hex(&bytes),
            sha256,
            "wit/{path} is part of a released contract and must not change: \
             release a new version instead (wit/README.md)"
        );
    }
}

#[test]
fn every_released_line_is_served() {
    for entry in std::fs::read_dir(wit()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(version) = name.strip_prefix('v') {
            assert!(
                supports(version),
                "contract {version} was released: the host serves it (CONTRACTS = {CONTRACTS:?})"
            );
        }
    }
}
