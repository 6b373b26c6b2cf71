//! The time a command runs at. The tests may fix it (`GIT_HOTFIX_NOW`, armed by the CLI in
//! debug builds only, like the failpoints) so that what a command says of the clock —
//! deadlines, durations, the dates of its records — can be held whole in snapshots; a
//! release build always reads the system clock.

use jiff::Timestamp;

#[cfg(debug_assertions)]
static FIXED: std::sync::OnceLock<Timestamp> = std::sync::OnceLock::new();

/// Now: the system clock, or the instant the tests fixed.
pub fn now() -> Timestamp {
    #[cfg(debug_assertions)]
    if let Some(fixed) = FIXED.get() {
        return *fixed;
    }
    Timestamp::now()
}

/// Fix the clock at `at` for the rest of the process (debug builds; a release build keeps
/// the system clock).
pub fn fix(at: Timestamp) {
    #[cfg(debug_assertions)]
    let _ = FIXED.set(at);
    #[cfg(not(debug_assertions))]
    let _ = at;
}
