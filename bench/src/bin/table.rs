//! Prints one markdown table of ns/item for every workload and implementation, with the ratio to
//! the hand-written baseline measured in the same run.
//!
//! ```text
//! cargo run --release --bin table [-- --runs N [--only WORKLOAD]]
//! cargo run --release --bin table -- --callgrind WORKLOAD IMPL [ITEMS]
//! cargo run --release --bin table -- --list
//! ```
//!
//! `--callgrind` runs one implementation exactly once, so that callgrind's `--toggle-collect` on
//! its entry point counts that one call; see `README.md` and `callgrind.sh`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use corogen_bench::{Impl, WORKLOADS, Workload, check_all, workload};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => table(7, None),
        ["--runs", runs] => match runs.parse() {
            Ok(runs) if runs > 0 => table(runs, None),
            _ => usage(),
        },
        ["--runs", runs, "--only", w] => match runs.parse() {
            Ok(runs) if runs > 0 => table(runs, Some(w)),
            _ => usage(),
        },
        ["--list"] => list(),
        ["--callgrind", w, imp] => callgrind(w, imp, None),
        ["--callgrind", w, imp, n] => match n.parse() {
            Ok(n) => callgrind(w, imp, Some(n)),
            Err(_) => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: table [--runs N [--only WORKLOAD]] | table --callgrind WORKLOAD IMPL [ITEMS] \
         | table --list"
    );
    eprintln!("workloads and implementations:");
    for w in WORKLOADS {
        let names: Vec<_> = w.impls.iter().map(|i| i.name).collect();
        eprintln!("  {}: {}", w.name, names.join(", "));
    }
    ExitCode::from(2)
}

/// One line per implementation: `workload impl symbol items`, for `callgrind.sh`.
fn list() -> ExitCode {
    for w in WORKLOADS {
        for imp in w.impls {
            println!("{} {} {} {}", w.name, imp.name, imp.symbol, imp.items(w));
        }
    }
    ExitCode::SUCCESS
}

/// Times one run of `imp` over the workload's default size, in ns per item.
fn time_once(w: &Workload, imp: &Impl) -> f64 {
    let items = imp.items(w);
    let start = Instant::now();
    black_box((imp.run)(black_box(items)));
    start.elapsed().as_nanos() as f64 / items as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn table(runs: usize, only: Option<&str>) -> ExitCode {
    if only.is_some_and(|name| workload(name).is_none()) {
        return usage();
    }
    check_all(1000);
    let selected: Vec<&Workload> = WORKLOADS
        .iter()
        .filter(|w| only.is_none_or(|name| w.name == name))
        .collect();
    println!("| workload | implementation | median ns/item | ratio to hand-written |");
    println!("|---|---|---:|---:|");
    // ns/item of each implementation at each delegation depth, for the depth summary.
    let mut depths: Vec<(&str, &str, f64)> = Vec::new();
    for w in selected.iter().copied() {
        (w.prepare)();
        // One untimed run of each warms caches, the allocator and the CPU clock.
        for imp in w.impls {
            black_box((imp.run)(black_box(imp.items(w))));
        }
        // Round-robin over the implementations, so that load from other processes on a shared
        // machine hits all of them alike instead of skewing one.
        let mut samples = vec![Vec::with_capacity(runs); w.impls.len()];
        for _ in 0..runs {
            for (imp, s) in w.impls.iter().zip(&mut samples) {
                s.push(time_once(w, imp));
            }
        }
        let times: Vec<f64> = samples.into_iter().map(median).collect();
        for (imp, t) in w.impls.iter().zip(&times) {
            let ratio = t / times[0];
            println!("| {} | {} | {t:.3} | {ratio:.2}x |", w.name, imp.name);
            if w.name.starts_with("delegate-") {
                depths.push((w.name, imp.name, *t));
            }
        }
    }
    println!();
    println!("median of {runs} runs; one item is:");
    for w in &selected {
        println!("- {}: one {} ({} per run)", w.name, w.item, w.items);
        for imp in w.impls.iter().filter(|imp| imp.divisor > 1) {
            println!("  - {} runs {} per run", imp.name, imp.items(w));
        }
    }
    depth_summary(&depths);
    ExitCode::SUCCESS
}

/// The issue's delegation target is about depth, not about the baseline: for each
/// implementation, ns/item at depth 16 over ns/item at depth 1.
fn depth_summary(depths: &[(&str, &str, f64)]) {
    let at = |workload: &str, imp: &str| {
        depths
            .iter()
            .find(|(w, i, _)| *w == workload && *i == imp)
            .map(|(_, _, t)| *t)
    };
    let mut lines = Vec::new();
    for (_, imp, _) in depths.iter().filter(|(w, _, _)| *w == "delegate-1") {
        if let (Some(d1), Some(d16)) = (at("delegate-1", imp), at("delegate-16", imp)) {
            lines.push(format!("- {imp}: {:.2}x", d16 / d1));
        }
    }
    if !lines.is_empty() {
        println!();
        println!("delegate-16 / delegate-1 (ns/item, same run):");
        for line in lines {
            println!("{line}");
        }
    }
}

fn callgrind(w: &str, imp: &str, n: Option<usize>) -> ExitCode {
    let Some(w) = workload(w) else { return usage() };
    let Some(imp) = w.impls.iter().find(|i| i.name == imp) else {
        return usage();
    };
    // No check run here: it would call the same function and be counted too. `callgrind.sh`
    // compares the printed results across implementations instead. The tree is built before
    // the measured call, which is the only one callgrind counts.
    (w.prepare)();
    let n = n.map_or_else(|| imp.items(w), |n| w.round(n));
    let result = (imp.run)(black_box(n));
    println!("{}/{}: {n} items, result {result:#018x}", w.name, imp.name);
    ExitCode::SUCCESS
}
