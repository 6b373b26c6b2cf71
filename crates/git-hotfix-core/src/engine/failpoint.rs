//! Failpoints: the crash tests' way to stop a run dead at a step boundary, as a kill would.
//!
//! Compiled into debug builds only (the ones the tests run). The CLI arms them from
//! `GIT_HOTFIX_FAILPOINT`: `N` aborts the process at the Nth boundary of any kind, `NAME`
//! at the first boundary called so, `NAME:N` at its Nth. Aborting (not exiting) leaves
//! everything as a SIGKILL would: no destructor runs, no buffer is flushed.

#[cfg(debug_assertions)]
mod armed {
    use std::sync::Mutex;

    pub(super) struct Armed {
        pub(super) name: Option<String>,
        pub(super) at: usize,
        pub(super) seen: usize,
    }

    pub(super) static ARMED: Mutex<Option<Armed>> = Mutex::new(None);
}

/// Arm the failpoint `spec` describes; a spec that names no boundary arms nothing.
pub fn arm(spec: &str) {
    #[cfg(debug_assertions)]
    {
        let (name, at) = match spec.rsplit_once(':') {
            Some((name, n)) => (Some(name.to_string()), n.parse().unwrap_or(1)),
            None => match spec.parse::<usize>() {
                Ok(n) => (None, n),
                Err(_) => (Some(spec.to_string()), 1),
            },
        };
        *armed::ARMED.lock().unwrap_or_else(|e| e.into_inner()) = Some(armed::Armed {
            name,
            at: at.max(1),
            seen: 0,
        });
    }
    #[cfg(not(debug_assertions))]
    let _ = spec;
}

/// A step boundary called `name`: the process dies here if it is the armed one.
pub fn hit(name: &str) {
    #[cfg(debug_assertions)]
    {
        let mut guard = armed::ARMED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(armed) = guard.as_mut()
            && armed.name.as_deref().is_none_or(|n| n == name)
        {
            armed.seen += 1;
            if armed.seen == armed.at {
                std::process::abort();
            }
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
