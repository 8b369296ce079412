//! Prints one markdown table of ns/item for every workload and implementation, with the ratio to
//! the hand-written baseline measured in the same run.
//!
//! ```text
//! cargo run --release --bin table [-- --runs N]
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
        [] => table(7),
        ["--runs", runs] => match runs.parse() {
            Ok(runs) if runs > 0 => table(runs),
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
    eprintln!("usage: table [--runs N] | table --callgrind WORKLOAD IMPL [ITEMS] | table --list");
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
            println!("{} {} {} {}", w.name, imp.name, imp.symbol, w.items);
        }
    }
    ExitCode::SUCCESS
}

/// Times one run of `imp` over the workload's default size, in ns per item.
fn time_once(w: &Workload, imp: &Impl) -> f64 {
    let start = Instant::now();
    black_box((imp.run)(black_box(w.items)));
    start.elapsed().as_nanos() as f64 / w.items as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn table(runs: usize) -> ExitCode {
    check_all(1000);
    println!("| workload | implementation | ns/item | ratio to hand-written |");
    println!("|---|---|---:|---:|");
    for w in WORKLOADS {
        // One untimed run of each warms caches, the allocator and the CPU clock.
        for imp in w.impls {
            black_box((imp.run)(black_box(w.items)));
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
        }
    }
    println!();
    println!("median of {runs} runs; one item is:");
    for w in WORKLOADS {
        println!("- {}: one {} ({} per run)", w.name, w.item, w.items);
    }
    ExitCode::SUCCESS
}

fn callgrind(w: &str, imp: &str, n: Option<usize>) -> ExitCode {
    let Some(w) = workload(w) else { return usage() };
    let Some(imp) = w.impls.iter().find(|i| i.name == imp) else {
        return usage();
    };
    // No check run here: it would call the same function and be counted too. `callgrind.sh`
    // compares the printed results across implementations instead.
    let n = n.unwrap_or(w.items);
    let result = (imp.run)(black_box(n));
    println!("{}/{}: {n} items, result {result:#018x}", w.name, imp.name);
    ExitCode::SUCCESS
}
