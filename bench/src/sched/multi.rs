//! S1 and S2 across cores (`M1`, `M2`): the same tasks, all submitted from one main task, spread
//! over the hubs of a [`Runtime`] with [`hub::spawn_anywhere`] (each task built on its hub by a
//! `Send` closure, joined through its [`RemoteTask`](corogen::hub::RemoteTask)), against tokio's
//! multi-thread runtime with 2 workers (`tokio::spawn` from the `block_on` future, which goes
//! through tokio's injection queue and is work-stolen between the workers).
//!
//! `corogen-1hub` runs the same code on a runtime of one hub, where `spawn_anywhere` builds each
//! task at once on the running hub (no mailbox, but the `Send` closure and the joinable cell of
//! a [`RemoteTask`](corogen::hub::RemoteTask) all the same): the ratio of `corogen-2hubs` to it
//! is what the second core buys net of the mailbox's hop, and its ratio to S1's and S2's
//! `corogen-async` (plain `hub::spawn`) is what a cross-hub handle costs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use corogen::hub::{self, Runtime};

use super::{Outcome, ROUNDS, timed};

async fn hub_yields(rounds: u32) -> u64 {
    let mut done = 0;
    for _ in 0..rounds {
        hub::sleep(Duration::ZERO).await;
        done += 1;
    }
    done
}

/// tokio's multi-thread runtime with 2 workers, the timer on as in the other workloads.
fn tokio_two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a tokio multi-thread runtime")
}

fn m1_corogen(hubs: usize, tasks: usize) -> Outcome {
    let runtime = Runtime::new(hubs);
    let rounds = black_box(ROUNDS);
    let start = Instant::now();
    let done = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| hub::spawn_anywhere(move || hub_yields(rounds)))
            .collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await.expect("a yielding task returns");
        }
        done
    });
    let outcome = timed(start, tasks * ROUNDS as usize, done);
    drop(runtime);
    outcome
}

#[inline(never)]
pub fn m1_corogen_2hubs(tasks: usize) -> Outcome {
    m1_corogen(2, tasks)
}

#[inline(never)]
pub fn m1_corogen_1hub(tasks: usize) -> Outcome {
    m1_corogen(1, tasks)
}

#[inline(never)]
pub fn m1_tokio(tasks: usize) -> Outcome {
    let runtime = tokio_two_workers();
    let rounds = black_box(ROUNDS);
    let start = Instant::now();
    let done = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| tokio::spawn(super::tokio_yields(rounds)))
            .collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await.expect("a yielding task returns");
        }
        done
    });
    timed(start, tasks * ROUNDS as usize, done)
}

fn m2_corogen(hubs: usize, tasks: usize) -> Outcome {
    let runtime = Runtime::new(hubs);
    let start = Instant::now();
    let sum = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks as u64)
            .map(|i| hub::spawn_anywhere(move || async move { i }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("a trivial task returns");
        }
        sum
    });
    let outcome = timed(start, tasks, sum);
    drop(runtime);
    outcome
}

#[inline(never)]
pub fn m2_corogen_2hubs(tasks: usize) -> Outcome {
    m2_corogen(2, tasks)
}

#[inline(never)]
pub fn m2_corogen_1hub(tasks: usize) -> Outcome {
    m2_corogen(1, tasks)
}

#[inline(never)]
pub fn m2_tokio(tasks: usize) -> Outcome {
    let runtime = tokio_two_workers();
    let start = Instant::now();
    let sum = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks as u64)
            .map(|i| tokio::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("a trivial task returns");
        }
        sum
    });
    timed(start, tasks, sum)
}
