//! Compiled plugins on disk, so that a command does not recompile the same component.
//!
//! An entry is keyed by the component's sha256 and the engine's compatibility hash (which
//! changes with the wasmtime version and its settings), and carries the sha256 of the
//! artifact itself: a mismatch anywhere, a corrupt file or a failed load means "compile
//! again", never an error.
//!
//! Artifacts are large (a Python policy's is ~40 MB), so the cache keeps within
//! [`CACHE_LIMIT_BYTES`]: after each write, entries of other engines (an older git-hotfix)
//! go first, then the least recently used. Using an entry marks it used.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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
        // Recently used: the last to be pruned.
        let _ = std::fs::File::options()
            .append(true)
            .open(artifact(entry))
            .and_then(|file| file.set_modified(SystemTime::now()));
        return Ok((component, true));
    }
    if let Some(reason) = what_else(bytes) {
        return Err(reason);
    }
    let component = Component::new(engine, bytes).map_err(|err| {
        let text = format!("{err:#}");
        text.lines().next().unwrap_or_default().to_string()
    })?;
    if let (Some(entry), Some(dir)) = (&entry, cache_dir) {
        // A cache that cannot be written only costs time.
        let _ = store(&component, entry);
        let _ = prune(engine, dir, CACHE_LIMIT_BYTES);
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

/// The artifact's checksum: xxh3-128, which reads a 40 MB artifact in a few milliseconds
/// where sha256 took 20. It guards against a damaged file (a bad disk, a file changed by
/// hand), not against an attacker, who could rewrite the checksum too; the write itself is
/// atomic (`write_atomically`).
fn checksum(entry: &Path) -> PathBuf {
    entry.with_extension("check")
}

fn checksum_of(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// Load an entry whose artifact still has the checksum written with it. The artifact is
/// mapped, not read: a Python policy's is 38 MB, and wasmtime uses the mapping as it is
/// (code and the initial memory image, copied on write) where a read would copy it twice.
fn load(engine: &Engine, entry: &Path) -> Option<Component> {
    let path = artifact(entry);
    let expected = std::fs::read_to_string(checksum(entry)).ok()?;
    if streamed_checksum(&path).ok()? != expected.trim() {
        return None;
    }
    deserialize(engine, &path)
}

/// The checksum of a file, read in pieces.
fn streamed_checksum(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> Option<Component> {
    // SAFETY: wasmtime runs deserialized code as is, so it must be an artifact this engine
    // produced. It is: the entry is named after this engine's compatibility hash, was written
    // by `store` from `Component::serialize`, and its bytes match the checksum stored beside
    // it (a truncated or altered file is recompiled instead). wasmtime also checks the
    // artifact's own header and engine settings and refuses a mismatch, which we treat the
    // same way. The file is mapped, so it must not change while mapped: entries are only
    // ever replaced whole, by a rename onto a new file (`write_atomically`), never written
    // in place; one replaced between the check and the mapping is another artifact `store`
    // wrote for the same component and engine.
    unsafe { Component::deserialize_file(engine, path) }.ok()
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
    write_atomically(&checksum(entry), checksum_of(&bytes).as_bytes())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// The size the cache is kept within.
pub const CACHE_LIMIT_BYTES: u64 = 512 << 20;

/// One compiled plugin in the cache.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct CacheEntry {
    /// The sha256 of the component it was compiled from.
    pub component: String,
    pub bytes: u64,
    /// When it was last loaded (or written).
    #[serde(skip)]
    pub used: SystemTime,
    /// Compiled by this engine; an entry of another one is never used again.
    pub current: bool,
    /// The file name without its extension.
    #[serde(skip)]
    stem: String,
}

/// What the cache holds, the most recently used first. Files that are no entry (a
/// temporary file left by a killed process) are counted in `other_bytes`.
pub fn entries(engine: &Engine, dir: &Path) -> std::io::Result<(Vec<CacheEntry>, u64)> {
    let key = engine_key(engine);
    let mut entries = Vec::new();
    let mut other_bytes = 0;
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok((entries, 0)),
        Err(err) => return Err(err),
    };
    for file in listing {
        let file = file?;
        let meta = file.metadata()?;
        let name = file.file_name().to_string_lossy().into_owned();
        let stem = name.strip_suffix(".cwasm");
        match stem.and_then(|stem| stem.split_once('-')) {
            Some((component, engine_key)) => entries.push(CacheEntry {
                stem: stem.unwrap_or_default().to_string(),
                component: component.to_string(),
                bytes: meta.len(),
                used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                current: engine_key == key,
            }),
            None if name.ends_with(".check") => {}
            None => other_bytes += meta.len(),
        }
    }
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.used));
    Ok((entries, other_bytes))
}

/// What a prune or a clear removed.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, schemars::JsonSchema)]
pub struct Removed {
    pub entries: usize,
    pub bytes: u64,
}

/// Remove the entries of other engines, left-over temporary files, and then the least
/// recently used entries until the rest fits in `limit` bytes.
pub fn prune(engine: &Engine, dir: &Path, limit: u64) -> std::io::Result<Removed> {
    let (entries, _) = entries(engine, dir)?;
    let mut removed = remove_strays(dir)?;
    let mut kept = 0;
    for entry in entries {
        if entry.current && kept + entry.bytes <= limit {
            kept += entry.bytes;
            continue;
        }
        remove_entry(dir, &entry, &mut removed)?;
    }
    Ok(removed)
}

/// Remove every entry and temporary file.
pub fn clear(engine: &Engine, dir: &Path) -> std::io::Result<Removed> {
    let (entries, _) = entries(engine, dir)?;
    let mut removed = remove_strays(dir)?;
    for entry in entries {
        remove_entry(dir, &entry, &mut removed)?;
    }
    Ok(removed)
}

fn remove_entry(dir: &Path, entry: &CacheEntry, removed: &mut Removed) -> std::io::Result<()> {
    let base = dir.join(&entry.stem);
    // The checksum first: an artifact without one is never loaded.
    remove_if_there(&checksum(&base))?;
    remove_if_there(&artifact(&base))?;
    removed.entries += 1;
    removed.bytes += entry.bytes;
    Ok(())
}

/// Temporary files of writes that never finished, and what an older git-hotfix kept beside
/// its artifacts (`.sha256` checksums).
fn remove_strays(dir: &Path) -> std::io::Result<Removed> {
    let mut removed = Removed::default();
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(err) => return Err(err),
    };
    for file in listing.filter_map(Result::ok) {
        let name = file.file_name().to_string_lossy().into_owned();
        if name.contains(".tmp") || name.ends_with(".sha256") {
            removed.bytes += file.metadata().map(|m| m.len()).unwrap_or(0);
            remove_if_there(&file.path())?;
        }
    }
    Ok(removed)
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}
