//! Prints one markdown table of ns/item for every workload and implementation, with the ratio to
//! the hand-written baseline measured in the same run.
//!
//! ```text
//! cargo run --release --bin table [-- --runs N]
//! cargo run --release --bin table -- --callgrind WORKLOAD IMPL [N]
//! ```
//!
//! `--callgrind` runs one implementation once (after checking it agrees with the baseline on a
//! small size) so callgrind's `--toggle-collect` counts exactly one call of its entry point; see
//! `README.md` and `callgrind.sh`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use corogen_bench::{Impl, WORKLOADS, Workload, check_all, workload};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => table(7),
        ["--runs", runs] => match runs.parse() {
            Ok(runs) if runs > 0 => table(runs),
            _ => usage(),
        },
        ["--callgrind", w, imp] => callgrind(w, imp, None),
        ["--callgrind", w, imp, n] => match n.parse() {
            Ok(n) => callgrind(w, imp, Some(n)),
            Err(_) => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: table [--runs N] | table --callgrind WORKLOAD IMPL [ITEMS]");
    eprintln!("workloads and implementations:");
    for w in WORKLOADS {
        let names: Vec<_> = w.impls.iter().map(|i| i.name).collect();
        eprintln!("  {}: {}", w.name, names.join(", "));
    }
    ExitCode::from(2)
}

/// Median of `runs` timed runs, in ns per item.
fn measure(w: &Workload, imp: &Impl, runs: usize) -> f64 {
    let mut ns: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box((imp.run)(black_box(w.items)));
            start.elapsed().as_nanos() as f64 / w.items as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    ns[ns.len() / 2]
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
        let times: Vec<f64> = w.impls.iter().map(|imp| measure(w, imp, runs)).collect();
        for (imp, t) in w.impls.iter().zip(&times) {
            println!("| {} | {} | {:.3} | {:.2}x |", w.name, imp.name, t, t / times[0]);
        }
    }
    println!();
    println!("median of {runs} runs; item = one yielded value (fib), one send round trip (send), one 3-item generator created and drained (create)");
    ExitCode::SUCCESS
}

fn callgrind(w: &str, imp: &str, n: Option<usize>) -> ExitCode {
    let Some(w) = workload(w) else { return usage() };
    let Some(imp) = w.impls.iter().find(|i| i.name == imp) else { return usage() };
    assert_eq!((imp.run)(1000), (w.impls[0].run)(1000), "{}/{} disagrees with the baseline", w.name, imp.name);
    let n = n.unwrap_or(w.items);
    let result = (imp.run)(black_box(n));
    println!("{}/{}: {n} items, result {result:#018x}", w.name, imp.name);
    ExitCode::SUCCESS
}
