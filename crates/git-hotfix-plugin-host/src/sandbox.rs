//! What a plugin's WASI sees: no files, environment, arguments or sockets; its output
//! captured; and, unless granted, clocks and randomness that are the same on every run, so
//! that a policy answers the same input the same way (a severity decided by the time of
//! day would be a different policy each night).
//!
//! Sleeping is not refused — a policy may wait on a clock — but it cannot outlast the
//! call's deadline: the host drops a call that is still waiting when time is up.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder};

use crate::Grants;

/// The WASI context of one call.
pub fn wasi(grants: &Grants, output: &Transcript) -> WasiCtx {
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdout(output.clone())
        .stderr(output.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    if !grants.clocks {
        builder
            .wall_clock(FixedWallClock)
            .monotonic_clock(SteppingClock::default());
    }
    if !grants.random {
        builder
            .secure_random(fixed_random())
            .insecure_random(fixed_random())
            .insecure_random_seed(FIXED_SEED);
    }
    builder.build()
}

/// The wall clock of an ungranted plugin: always 1970-01-01T00:00:00Z.
struct FixedWallClock;

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

/// The monotonic clock of an ungranted plugin: it starts at zero and moves one microsecond
/// each time it is read, so that elapsed time is never zero and a loop waiting for the
/// clock ends (deterministically).
#[derive(Default)]
struct SteppingClock(AtomicU64);

impl HostMonotonicClock for SteppingClock {
    fn resolution(&self) -> u64 {
        1_000
    }
    fn now(&self) -> u64 {
        self.0.fetch_add(1_000, Ordering::Relaxed)
    }
}

const FIXED_SEED: u128 = 0x6769_742d_686f_7466_6978_2d73_6565_6421;

/// The "random" bytes of an ungranted plugin: a fixed 4 KiB stream, repeated (made once
/// per process, not per call).
fn fixed_random() -> wasmtime_wasi::Deterministic {
    static STREAM: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = STREAM.get_or_init(|| {
        (0u32..128)
            .flat_map(|block| Sha256::digest(block.to_le_bytes()))
            .collect()
    });
    wasmtime_wasi::Deterministic::new(bytes.clone())
}

/// What a plugin printed, on stdout and stderr together: the beginning and the end, with
/// what is between left out, so that a flood of output neither fills the host's memory nor
/// hides the error a plugin prints last.
#[derive(Clone)]
pub struct Transcript {
    kept: Arc<Mutex<Kept>>,
}

struct Kept {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    head_limit: usize,
    tail_limit: usize,
    left_out: usize,
}

impl Transcript {
    /// Keeps at most `limit` bytes: a quarter from the beginning, the rest from the end.
    pub fn new(limit: usize) -> Transcript {
        Transcript {
            kept: Arc::new(Mutex::new(Kept {
                head: Vec::new(),
                tail: VecDeque::new(),
                head_limit: limit / 4,
                tail_limit: limit - limit / 4,
                left_out: 0,
            })),
        }
    }

    fn push(&self, mut bytes: &[u8]) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let room = kept.head_limit - kept.head.len();
        let (head, rest) = bytes.split_at(room.min(bytes.len()));
        kept.head.extend_from_slice(head);
        bytes = rest;
        if bytes.len() > kept.tail_limit {
            kept.left_out += bytes.len() - kept.tail_limit;
            bytes = &bytes[bytes.len() - kept.tail_limit..];
        }
        let over = (kept.tail.len() + bytes.len()).saturating_sub(kept.tail_limit);
        kept.tail.drain(..over);
        kept.left_out += over;
        kept.tail.extend(bytes);
    }

    /// The text kept, with a line saying how much was left out.
    pub fn text(&self) -> String {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::from_utf8_lossy(&kept.head).into_owned();
        if kept.left_out > 0 {
            text.push_str(&format!("\n[... {} bytes left out ...]\n", kept.left_out));
        }
        let (a, b) = kept.tail.as_slices();
        text.push_str(&String::from_utf8_lossy(&[a, b].concat()));
        text
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for Transcript {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 << 10)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Transcript {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for Transcript {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for Transcript {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Transcript {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcript_keeps_the_beginning_and_the_end() {
        let transcript = Transcript::new(16);
        transcript.push(b"0123");
        transcript.push(&[b'x'; 100]);
        transcript.push(b"the error");
        let text = transcript.text();
        assert!(
            text.starts_with("0123\n[... 97 bytes left out ...]\n"),
            "{text}"
        );
        assert!(text.ends_with("xxxthe error"), "{text}");
    }
}
