//! Prints one markdown table of the scheduler workloads (S1–S5, virtual-time timers): corogen's
//! hub, tokio's current-thread runtime and smol's `LocalExecutor`, in one process, with the
//! ratio of each median to tokio's median from the same run.
//!
//! ```text
//! cargo run --release --bin sched_table [-- --runs N] [--only WORKLOAD]...
//! cargo run --release --bin sched_table -- --once WORKLOAD IMPL [SIZE]
//! cargo run --release --bin sched_table -- --list
//! ```
//!
//! `--once` runs one implementation once (for callgrind or perf); see `README.md`.

use std::process::ExitCode;

use corogen_bench::sched::{
    Outcome, SCHED_WORKLOADS, SchedImpl, SchedWorkload, alloc::CountingAlloc, sched_workload,
};

// S5 counts the heap bytes each runtime allocates per suspended task.
#[global_allocator]
static COUNTING: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["--list"] => list(),
        ["--once", w, imp] => once(w, imp, None),
        ["--once", w, imp, n] => match n.parse() {
            Ok(n) => once(w, imp, Some(n)),
            Err(_) => usage(),
        },
        rest => {
            let mut runs = 5;
            let mut only = Vec::new();
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match (*arg, rest.next()) {
                    ("--runs", Some(n)) => match n.parse() {
                        Ok(n) if n > 0 => runs = n,
                        _ => return usage(),
                    },
                    ("--only", Some(w)) if sched_workload(w).is_some() => only.push(*w),
                    _ => return usage(),
                }
            }
            table(runs, &only)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: sched_table [--runs N] [--only WORKLOAD]... \
         | sched_table --once WORKLOAD IMPL [SIZE] | sched_table --list"
    );
    eprintln!("workloads and implementations:");
    for w in SCHED_WORKLOADS {
        let names: Vec<_> = w.impls.iter().map(|i| i.name).collect();
        eprintln!("  {}: {}", w.name, names.join(", "));
    }
    ExitCode::from(2)
}

/// One line per implementation: `workload impl symbol size`, for callgrind.
fn list() -> ExitCode {
    for w in SCHED_WORKLOADS {
        for imp in w.impls {
            println!("{} {} {} {}", w.name, imp.name, imp.symbol, w.size);
        }
    }
    ExitCode::SUCCESS
}

/// Runs once and checks the result: a run that did other work than the others is not timed.
fn run_checked(w: &SchedWorkload, imp: &SchedImpl, n: usize) -> Outcome {
    let outcome = (imp.run)(n);
    assert_eq!(
        outcome.check,
        (w.expected)(n),
        "{}/{} did different work",
        w.name,
        imp.name
    );
    outcome
}

fn once(w: &str, imp: &str, n: Option<usize>) -> ExitCode {
    let Some(w) = sched_workload(w) else {
        return usage();
    };
    let Some(imp) = w.impls.iter().find(|i| i.name == imp) else {
        return usage();
    };
    let n = n.unwrap_or(w.size);
    let outcome = run_checked(w, imp, n);
    // `units` is what callgrind-sched.sh divides the instruction count by.
    let units = w
        .units
        .map_or_else(|| "-".to_owned(), |units| units(n).to_string());
    println!(
        "{}/{}: size {n}, {:.3} {}, check {}, units {units}",
        w.name, imp.name, outcome.figure, w.unit, outcome.check
    );
    ExitCode::SUCCESS
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn table(runs: usize, only: &[&str]) -> ExitCode {
    let selected: Vec<&SchedWorkload> = SCHED_WORKLOADS
        .iter()
        .filter(|w| only.is_empty() || only.contains(&w.name))
        .collect();
    println!(
        "| workload | runtime | median | ratio to tokio (current_thread; M1, M2: multi_thread, 2 workers) |"
    );
    println!("|---|---|---:|---:|");
    let mut own_states = Vec::new();
    for w in selected.iter().copied() {
        // One untimed run of each at a tenth of the size warms the allocator and the caches.
        for imp in w.impls {
            run_checked(w, imp, (w.size / 10).max(2));
        }
        // Round-robin over the runtimes, so that load from other processes on a shared machine
        // hits all of them alike instead of skewing one.
        let mut samples = vec![Vec::with_capacity(runs); w.impls.len()];
        for _ in 0..runs {
            for (imp, s) in w.impls.iter().zip(&mut samples) {
                let outcome = run_checked(w, imp, w.size);
                s.push(outcome.figure);
                if outcome.own_state > 0 && s.len() == 1 {
                    own_states.push((w.name, imp.name, outcome.own_state));
                }
            }
        }
        let medians: Vec<f64> = samples.into_iter().map(median).collect();
        let tokio = w
            .impls
            .iter()
            .position(|imp| imp.name == "tokio")
            .map(|i| medians[i]);
        for (imp, m) in w.impls.iter().zip(&medians) {
            let ratio = tokio.map_or_else(|| "–".to_owned(), |t| format!("{:.2}x", m / t));
            println!(
                "| {} | {} | {m:.1} {} | {ratio} |",
                w.name, imp.name, w.unit
            );
        }
    }
    println!();
    println!("median of {runs} runs, every run checked (same count of yields, hops, sleeps,");
    println!("tasks or the same sum of results in every runtime); the workloads:");
    for w in &selected {
        println!("- {}: {} {}", w.name, w.size, w.what);
    }
    if !own_states.is_empty() {
        println!();
        println!("S5's tasks' own state (left out of the figure):");
        for (w, imp, bytes) in own_states {
            println!("- {w} {imp}: {bytes} B");
        }
    }
    ExitCode::SUCCESS
}
