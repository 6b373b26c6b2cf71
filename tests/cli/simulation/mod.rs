//! A team's day at random. A seeded schedule interleaves, over one bare origin, git-hotfix in
//! two clones (Ada's and Cy's), a colleague using plain git (Bo), and kills (a failpoint
//! aborts the process at a step boundary, as SIGKILL would). After every operation the
//! invariants of `invariants.rs` are checked against git itself, the remote and what the
//! deploy script put in production — never against git-hotfix's own records alone.
//!
//! `model.rs` is the world and what each actor may do; `invariants.rs` is what must hold.
//! A failing seed prints the schedule that reproduces it:
//!
//! ```sh
//! HOTFIX_SIM_SEEDS=4711 cargo test --test cli simulation -- --nocapture
//! HOTFIX_SIM_SEEDS=1..5000 cargo test --test cli simulation   # explore more
//! ```
//!
//! Without `HOTFIX_SIM_SEEDS`, the seeds `0..SEEDS` run, spread over a few threads;
//! `HOTFIX_SIM_STEPS=12` makes each day longer; `HOTFIX_SIM_SHOW=1` prints every schedule.

mod invariants;
mod model;

use std::sync::atomic::{AtomicU64, Ordering};

use model::{Template, World};

/// How many schedules a plain `cargo test` runs.
const SEEDS: u64 = 300;
/// Actions in one schedule (`HOTFIX_SIM_STEPS` for longer days).
const STEPS: usize = 8;
/// Schedules run at once (each runs its processes one at a time).
const THREADS: usize = 2;

/// The seeds to run: `HOTFIX_SIM_SEEDS` (`4711`, `1,2,3`, `0..5000`), else `0..SEEDS`.
fn seeds() -> Vec<u64> {
    let Ok(spec) = std::env::var("HOTFIX_SIM_SEEDS") else {
        return (0..SEEDS).collect();
    };
    spec.split(',')
        .flat_map(|part| match part.trim().split_once("..") {
            Some((from, to)) => {
                let from: u64 = from.parse().expect("HOTFIX_SIM_SEEDS: a number");
                let to: u64 = to.parse().expect("HOTFIX_SIM_SEEDS: a number");
                (from..to).collect::<Vec<_>>()
            }
            None => vec![part.trim().parse().expect("HOTFIX_SIM_SEEDS: a number")],
        })
        .collect()
}

/// Run one schedule; a violation comes back with the schedule that led to it.
fn run(template: &Template, seed: u64) -> Result<model::Tally, String> {
    let mut world = World::new(template, seed);
    let steps = std::env::var("HOTFIX_SIM_STEPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(STEPS);
    let mut day = || {
        for _ in 0..steps {
            world.step()?;
        }
        world.settle()
    };
    let ended = day();
    if std::env::var_os("HOTFIX_SIM_SHOW").is_some() {
        eprintln!("{}", world.violation("(shown)"));
    }
    match ended {
        Ok(()) => Ok(world.tally()),
        Err(report) => {
            // The world stays on disk, to be looked at, with its day beside it.
            std::fs::write(world.env.path("schedule.txt"), &report).ok();
            eprintln!("{report}");
            let _kept = world.env.root.keep();
            Err(report)
        }
    }
}

#[test]
fn a_teams_day_at_random_never_makes_the_tool_untrue() {
    let seeds = seeds();
    let template = Template::new();
    let next = AtomicU64::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    let totals = std::sync::Mutex::new(model::Tally::default());
    std::thread::scope(|scope| {
        for _ in 0..THREADS.min(seeds.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some(&seed) = seeds.get(i) else { break };
                    match run(&template, seed) {
                        Ok(tally) => totals.lock().unwrap().add(&tally),
                        Err(report) => failures.lock().unwrap().push((seed, report)),
                    }
                }
            });
        }
    });
    let totals = totals.into_inner().unwrap();
    eprintln!(
        "simulation: {} schedules, {totals}",
        seeds.len() - failures.lock().unwrap().len()
    );
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    if let Some((seed, report)) = failures.first() {
        let failed: Vec<String> = failures.iter().map(|(s, _)| s.to_string()).collect();
        panic!(
            "{} of {} schedules broke an invariant (seeds {}). The first, seed {seed}:\n{report}\n\
             Reproduce: HOTFIX_SIM_SEEDS={seed} cargo test --test cli simulation -- --nocapture",
            failures.len(),
            seeds.len(),
            failed.join(",")
        );
    }
}
