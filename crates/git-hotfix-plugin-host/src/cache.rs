//! Compiled plugins on disk, so that a command does not recompile the same component.
//!
//! An entry is keyed by the component's sha256 and the engine's compatibility hash (which
//! changes with the wasmtime version and its settings), and carries the sha256 of the
//! artifact itself: a mismatch anywhere, a corrupt file or a failed load means "compile
//! again", never an error.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stable hash of the engine's compatibility (std's hashers are not stable across builds).
fn engine_key(engine: &Engine) -> String {
    struct ShaHasher(Sha256);
    impl Hasher for ShaHasher {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = ShaHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex(&hasher.0.finalize()[..12])
}

fn entry(engine: &Engine, cache_dir: &Path, sha256: &str) -> PathBuf {
    cache_dir.join(format!("{sha256}-{}", engine_key(engine)))
}

/// Whether the cache holds an artifact for the component `sha256` (not checked further).
pub fn is_cached(engine: &Engine, cache_dir: Option<&Path>, sha256: &str) -> bool {
    cache_dir.is_some_and(|dir| artifact(&entry(engine, dir, sha256)).is_file())
}

/// The component for `bytes`, from the cache when a sound entry is there (the flag says so).
pub fn compile(
    engine: &Engine,
    cache_dir: Option<&Path>,
    sha256: &str,
    bytes: &[u8],
) -> Result<(Component, bool), String> {
    let entry = cache_dir.map(|dir| entry(engine, dir, sha256));
    if let Some(entry) = &entry
        && let Some(component) = load(engine, entry)
    {
        return Ok((component, true));
    }
    if let Some(reason) = what_else(bytes) {
        return Err(reason);
    }
    let component = Component::new(engine, bytes).map_err(|err| {
        let text = format!("{err:#}");
        text.lines().next().unwrap_or_default().to_string()
    })?;
    if let Some(entry) = &entry {
        // A cache that cannot be written only costs time.
        let _ = store(&component, entry);
    }
    Ok((component, false))
}

/// What a file is when its header already says it is no component, in words a person
/// can act on (the compiler's would be about magic numbers).
fn what_else(bytes: &[u8]) -> Option<String> {
    const MAGIC: &[u8] = b"\0asm";
    const CORE_MODULE: &[u8] = &[1, 0, 0, 0];
    if !bytes.starts_with(MAGIC) {
        return Some("it is not WebAssembly at all (no `\\0asm` header)".into());
    }
    if bytes.get(4..8) == Some(CORE_MODULE) {
        return Some(
            "it is a core WebAssembly module: build the plugin for wasm32-wasip2, which makes a component"
                .into(),
        );
    }
    None
}

fn artifact(entry: &Path) -> PathBuf {
    entry.with_extension("cwasm")
}

fn checksum(entry: &Path) -> PathBuf {
    entry.with_extension("sha256")
}

/// Load an entry whose artifact still has the checksum written with it.
fn load(engine: &Engine, entry: &Path) -> Option<Component> {
    let bytes = std::fs::read(artifact(entry)).ok()?;
    let expected = std::fs::read_to_string(checksum(entry)).ok()?;
    if sha256_hex(&bytes) != expected.trim() {
        return None;
    }
    deserialize(engine, &bytes)
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, bytes: &[u8]) -> Option<Component> {
    // SAFETY: wasmtime runs deserialized code as is, so it must be an artifact this engine
    // produced. It is: the entry is named after this engine's compatibility hash, was written
    // by `store` from `Component::serialize`, and its bytes match the checksum stored beside
    // it (a truncated or altered file is recompiled instead). wasmtime also checks the
    // artifact's own header and engine settings and refuses a mismatch, which we treat the
    // same way.
    unsafe { Component::deserialize(engine, bytes) }.ok()
}

/// Write an entry: artifact, then its checksum, each through a temporary file and a rename,
/// so a reader sees a whole entry or none.
fn store(component: &Component, entry: &Path) -> std::io::Result<()> {
    let bytes = component
        .serialize()
        .map_err(|err| std::io::Error::other(err.to_string()))?;
    if let Some(dir) = entry.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_atomically(&artifact(entry), &bytes)?;
    write_atomically(&checksum(entry), sha256_hex(&bytes).as_bytes())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
