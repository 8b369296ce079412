//! Rough figures for the hub, in the spirit of the S1–S5 table. Run with
//! `cargo run --release --example hub_perf` (debug builds are ~20x slower).
//!
//! - S1: 100,000 tasks x 10 cooperative yields, spawn to join (ns per switch), both task styles;
//! - S2: spawn + join of 1,000,000 trivial tasks (ns per task);
//! - S3: ping-pong between two tasks with `switch` (ns per hop), on the real clock as the issue's
//!   S3 (a real hub reads the wall clock only when a timer is armed or before parking);
//! - S4: 100,000 tasks x 10 sleeps of 1 ms on the real clock (total time; ideal 10 ms);
//! - S5: memory per suspended task beyond its own state (resident memory / task);
//! - virtual-time timer event (ns per event).

use corogen::hub::{self, Hub, Op, Reply, Value, op};
use corogen::prelude::*;
use std::time::{Duration, Instant};

#[generator(yield = Op, resume = Reply)]
fn yielder(rounds: u32) {
    for _ in 0..rounds {
        yield_!(op::pass());
    }
}

async fn async_yielder(rounds: u32) {
    for _ in 0..rounds {
        hub::sleep(Duration::ZERO).await;
    }
}

fn s1_generators(tasks: usize, rounds: u32) -> f64 {
    let hub = Hub::new_virtual();
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks).map(|_| hub.spawn(yielder(rounds))).collect();
    hub.run();
    let elapsed = start.elapsed();
    assert!(handles.iter().all(|t| t.successful()));
    elapsed.as_nanos() as f64 / (tasks as f64 * f64::from(rounds))
}

fn s1_futures(tasks: usize, rounds: u32) -> f64 {
    let hub = Hub::new_virtual();
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| hub.spawn(async_yielder(rounds)))
        .collect();
    hub.run();
    let elapsed = start.elapsed();
    assert!(handles.iter().all(|t| t.successful()));
    elapsed.as_nanos() as f64 / (tasks as f64 * f64::from(rounds))
}

fn s2_spawn_join(tasks: usize) -> f64 {
    let hub = Hub::new_virtual();
    let start = Instant::now();
    let sum = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks).map(|i| hub::spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in &handles {
            sum += handle.get().await.unwrap();
        }
        sum
    });
    let elapsed = start.elapsed();
    assert_eq!(sum, tasks * (tasks - 1) / 2);
    elapsed.as_nanos() as f64 / tasks as f64
}

fn s3_ping_pong(hops: u32) -> f64 {
    let hub = Hub::new();
    let start = Instant::now();
    hub.block_on(async move {
        let main = hub::getcurrent();
        let pong = hub::greenlet(async move {
            loop {
                hub::switch(&main, Value::none()).await;
            }
        });
        for _ in 0..hops / 2 {
            hub::switch(&pong, Value::none()).await;
        }
        pong.kill();
    });
    start.elapsed().as_nanos() as f64 / f64::from(hops)
}

fn s4_real_sleeps(tasks: usize, sleeps: u32) -> Duration {
    let hub = Hub::new();
    let start = Instant::now();
    for _ in 0..tasks {
        hub.spawn(async move {
            for _ in 0..sleeps {
                hub::sleep(Duration::from_millis(1)).await;
            }
        });
    }
    hub.run();
    start.elapsed()
}

fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn s5_bytes_per_task(tasks: usize) -> Option<(f64, usize)> {
    let hub = Hub::new_virtual();
    let make = || async { hub::sleep(Duration::from_secs(1)).await };
    let own_state = std::mem::size_of_val(&make());
    let before = resident_bytes()?;
    for _ in 0..tasks {
        drop(hub.spawn(make())); // detached
    }
    hub.wait(Some(Duration::from_millis(1))); // every task runs once and suspends
    let after = resident_bytes()?;
    let per_task = (after.saturating_sub(before)) as f64 / tasks as f64;
    Some((per_task - own_state as f64, own_state))
}

fn virtual_timer_events(tasks: usize, sleeps: u32) -> f64 {
    let hub = Hub::new_virtual();
    for i in 0..tasks {
        hub.spawn(async move {
            for _ in 0..sleeps {
                hub::sleep(Duration::from_micros(1 + (i as u64 * 7919) % 1000)).await;
            }
        });
    }
    let start = Instant::now();
    hub.run();
    start.elapsed().as_nanos() as f64 / (tasks as f64 * f64::from(sleeps))
}

fn virtual_timer_single(sleeps: u32) -> f64 {
    let hub = Hub::new_virtual();
    hub.spawn(async move {
        for _ in 0..sleeps {
            hub::sleep(Duration::from_micros(3)).await;
        }
    });
    let start = Instant::now();
    hub.run();
    start.elapsed().as_nanos() as f64 / f64::from(sleeps)
}

fn main() {
    if cfg!(debug_assertions) {
        println!("(debug build: run with --release for meaningful figures)");
    }
    println!(
        "S1 generator tasks, 100k x 10 yields : {:6.1} ns/switch",
        s1_generators(100_000, 10)
    );
    println!(
        "S1 async tasks,     100k x 10 yields : {:6.1} ns/switch",
        s1_futures(100_000, 10)
    );
    println!(
        "S2 spawn + join, 1M trivial tasks     : {:6.1} ns/task",
        s2_spawn_join(1_000_000)
    );
    println!(
        "S3 ping-pong, switch, 1M hops (real)  : {:6.1} ns/hop",
        s3_ping_pong(1_000_000)
    );
    let s4 = s4_real_sleeps(100_000, 10);
    println!(
        "S4 100k x 10 sleeps of 1 ms (real)    : {:6.1} ms (ideal 10 ms)",
        s4.as_secs_f64() * 1e3
    );
    match s5_bytes_per_task(1_000_000) {
        Some((extra, own)) => println!(
            "S5 memory per suspended task         : {extra:6.1} B beyond its own {own} B of state"
        ),
        None => println!("S5 memory per suspended task         :   n/a (no /proc/self/statm)"),
    }
    println!(
        "virtual-time timer event, 100k x 10    : {:6.1} ns/event",
        virtual_timer_events(100_000, 10)
    );
    println!(
        "virtual-time timer event, 1 x 1M      : {:6.1} ns/event",
        virtual_timer_single(1_000_000)
    );
}
