//! The scheduler workloads of the scheduler issue (S1–S5 and the virtual-time timer event), on
//! corogen's hub, tokio's current-thread runtime and smol's `LocalExecutor`, for
//! `src/bin/sched_table.rs`.
//!
//! Every runtime does the same work the way its users would write it: a main task (the hub's
//! `block_on` task, tokio's `block_on` future, the future given to smol's `LocalExecutor::run`)
//! spawns the tasks and then joins them in spawn order, so each figure is "spawn to join". corogen
//! runs both task styles: `corogen-async` (an `async` block awaiting the hub's operations) and
//! `corogen-gen` (a `#[generator]` yielding [`Op`]s). smol is used through the crates it
//! re-exports (`smol::LocalExecutor` is async-executor's, `smol::Timer` and `smol::block_on` are
//! async-io's, `smol::channel` is async-channel, `smol::future` is futures-lite).
//!
//! Each entry point is `#[inline(never)]`, takes its size (tasks or hops) as an argument and
//! returns an [`Outcome`]: the figure and a check value (completed yields, sleeps, hops, a sum of
//! results), which the table compares with [`SchedWorkload::expected`] for every run.

use std::cell::Cell;
use std::hint::black_box;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_executor::LocalExecutor;
use corogen::hub::{self, Hub, Op, Reply, TaskRef, Value, op};
use corogen::prelude::*;

pub mod alloc;
pub mod multi;

/// Cooperative yields per task in S1.
pub const ROUNDS: u32 = 10;
/// Sleeps per task in S4 and in the virtual-time workload.
pub const SLEEPS: u32 = 10;
/// S4's sleep, on the real clock.
pub const S4_SLEEP: Duration = Duration::from_millis(1);
/// How long an S5 task sleeps: far longer than any run, so no task wakes while counted.
pub const S5_SLEEP: Duration = Duration::from_secs(3600);

/// What one run measured.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// The workload's figure, in its [`SchedWorkload::unit`].
    pub figure: f64,
    /// What the run did (completed yields, hops, sleeps, a sum of results): equal across
    /// runtimes, see [`SchedWorkload::expected`].
    pub check: u64,
    /// S5 only: the task's own state in bytes (its future, or its generator's body), which the
    /// figure leaves out.
    pub own_state: usize,
}

fn timed(start: Instant, units: usize, check: u64) -> Outcome {
    Outcome {
        figure: start.elapsed().as_nanos() as f64 / units as f64,
        check,
        own_state: 0,
    }
}

/// One runtime's implementation of one workload.
#[derive(Clone, Copy)]
pub struct SchedImpl {
    /// Short name, used on the command line and in tables.
    pub name: &'static str,
    /// Runs the workload at the given size.
    pub run: fn(usize) -> Outcome,
    /// The demangled name of `run`, for callgrind's `--toggle-collect`.
    pub symbol: &'static str,
}

macro_rules! sched_imp {
    ($name:literal, multi::$function:ident) => {
        SchedImpl {
            name: $name,
            run: multi::$function,
            symbol: concat!("corogen_bench::sched::multi::", stringify!($function)),
        }
    };
    ($name:literal, $function:ident) => {
        SchedImpl {
            name: $name,
            run: $function,
            symbol: concat!("corogen_bench::sched::", stringify!($function)),
        }
    };
}

/// A scheduler workload and its implementations.
#[derive(Clone, Copy)]
pub struct SchedWorkload {
    /// Short name, used on the command line and in tables.
    pub name: &'static str,
    /// What it does, for the table's notes.
    pub what: &'static str,
    /// The unit of [`Outcome::figure`].
    pub unit: &'static str,
    /// The default size: tasks, or hops for S3.
    pub size: usize,
    /// The check value every implementation must return at a size.
    pub expected: fn(usize) -> u64,
    /// How many units (switches, tasks, hops, events) a run of a size covers, for instructions
    /// per unit; `None` where the figure is not a time per unit (S4's total, S5's bytes).
    pub units: Option<fn(usize) -> u64>,
    /// Implementations; the one named `tokio` is the reference of the ratio column.
    pub impls: &'static [SchedImpl],
}

/// Every scheduler workload, in the order.
pub const SCHED_WORKLOADS: &[SchedWorkload] = &[
    SchedWorkload {
        name: "S1",
        what: "tasks x 10 cooperative yields, spawn to join; ns per yield",
        unit: "ns/switch",
        size: 100_000,
        expected: |n| n as u64 * u64::from(ROUNDS),
        units: Some(|n| n as u64 * u64::from(ROUNDS)),
        impls: &[
            sched_imp!("corogen-async", s1_corogen_async),
            sched_imp!("corogen-gen", s1_corogen_gen),
            sched_imp!("tokio", s1_tokio),
            sched_imp!("smol", s1_smol),
        ],
    },
    SchedWorkload {
        name: "S2",
        what: "trivial tasks spawned, then joined; ns per task",
        unit: "ns/task",
        size: 1_000_000,
        expected: |n| (n as u64) * (n as u64).saturating_sub(1) / 2,
        units: Some(|n| n as u64),
        impls: &[
            sched_imp!("corogen-async", s2_corogen_async),
            sched_imp!("corogen-gen", s2_corogen_gen),
            sched_imp!("tokio", s2_tokio),
            sched_imp!("smol", s2_smol),
        ],
    },
    SchedWorkload {
        name: "S3",
        what: "hops between two tasks (one message or switch each); ns per hop",
        unit: "ns/hop",
        size: 1_000_000,
        expected: |n| n as u64,
        units: Some(|n| n as u64),
        impls: &[
            sched_imp!("corogen-switch", s3_corogen_switch),
            sched_imp!("corogen-gen-switch", s3_corogen_gen_switch),
            sched_imp!("corogen-queue", s3_corogen_queue),
            sched_imp!("corogen-switch-vclock", s3_corogen_switch_vclock),
            sched_imp!("corogen-queue-vclock", s3_corogen_queue_vclock),
            sched_imp!("tokio", s3_tokio),
            sched_imp!("smol", s3_smol),
        ],
    },
    SchedWorkload {
        name: "S4",
        what: "tasks x 10 sleeps of 1 ms on the real clock, spawn to join; total ms (ideal 10)",
        unit: "ms",
        size: 100_000,
        expected: |n| n as u64 * u64::from(SLEEPS),
        units: None,
        impls: &[
            sched_imp!("corogen-async", s4_corogen_async),
            sched_imp!("corogen-gen", s4_corogen_gen),
            sched_imp!("tokio", s4_tokio),
            sched_imp!("smol", s4_smol),
        ],
    },
    SchedWorkload {
        name: "S5",
        what: "tasks suspended in a 1 h sleep; heap bytes per task beyond the task's own state",
        unit: "B/task",
        size: 1_000_000,
        expected: |n| n as u64,
        units: None,
        impls: &[
            sched_imp!("corogen-async", s5_corogen_async),
            sched_imp!("corogen-gen", s5_corogen_gen),
            sched_imp!("tokio", s5_tokio),
            sched_imp!("smol", s5_smol),
        ],
    },
    SchedWorkload {
        name: "S5-pending",
        what: "tasks suspended in `std::future::pending()` (no timer); heap bytes per task \
               beyond the task's own state",
        unit: "B/task",
        size: 1_000_000,
        expected: |n| n as u64,
        units: None,
        impls: &[
            sched_imp!("corogen-async", s5p_corogen_async),
            sched_imp!("tokio", s5p_tokio),
            sched_imp!("smol", s5p_smol),
        ],
    },
    SchedWorkload {
        name: "M1",
        what: "S1 across cores: tasks x 10 cooperative yields, all submitted from one main task \
               with spawn_anywhere (tokio: tokio::spawn on its multi-thread runtime, 2 workers); \
               ns per yield",
        unit: "ns/switch",
        size: 100_000,
        expected: |n| n as u64 * u64::from(ROUNDS),
        units: Some(|n| n as u64 * u64::from(ROUNDS)),
        impls: &[
            sched_imp!("corogen-2hubs", multi::m1_corogen_2hubs),
            sched_imp!("corogen-1hub", multi::m1_corogen_1hub),
            sched_imp!("tokio", multi::m1_tokio),
        ],
    },
    SchedWorkload {
        name: "M2",
        what: "S2 across cores: trivial tasks spawned with spawn_anywhere from one main task, \
               then joined (tokio: multi-thread, 2 workers); ns per task",
        unit: "ns/task",
        size: 1_000_000,
        expected: |n| (n as u64) * (n as u64).saturating_sub(1) / 2,
        units: Some(|n| n as u64),
        impls: &[
            sched_imp!("corogen-2hubs", multi::m2_corogen_2hubs),
            sched_imp!("corogen-1hub", multi::m2_corogen_1hub),
            sched_imp!("tokio", multi::m2_tokio),
        ],
    },
    SchedWorkload {
        name: "vtimer",
        what: "tasks x 10 sleeps of 1..1000 us on a virtual hub (timer events); ns per event, \
               corogen only",
        unit: "ns/event",
        size: 100_000,
        expected: |n| n as u64 * u64::from(SLEEPS),
        units: Some(|n| n as u64 * u64::from(SLEEPS)),
        impls: &[
            sched_imp!("corogen-async", vtimer_corogen_async),
            sched_imp!("corogen-gen", vtimer_corogen_gen),
        ],
    },
    SchedWorkload {
        name: "vtimer-1",
        what: "sleeps of 3 us by one task on a virtual hub (timer events); ns per event, \
               corogen only",
        unit: "ns/event",
        size: 1_000_000,
        expected: |n| n as u64,
        units: Some(|n| n as u64),
        impls: &[sched_imp!("corogen-async", vtimer1_corogen_async)],
    },
];

/// Finds a scheduler workload by name.
pub fn sched_workload(name: &str) -> Option<&'static SchedWorkload> {
    SCHED_WORKLOADS.iter().find(|w| w.name == name)
}

/// `#[tokio::main(flavor = "current_thread")]` without the I/O driver (no I/O here), with the
/// timer driver on for every workload alike (turning it off where no timer is used changes
/// S1 and S2 by less than the noise: measured 200-215 ns/switch and 434-444 ns/task either way).
fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio current-thread runtime")
}

// ---- S1: 10 cooperative yields per task -------------------------------------------------------

async fn hub_yields(rounds: u32) -> u64 {
    let mut done = 0;
    for _ in 0..rounds {
        hub::sleep(Duration::ZERO).await;
        done += 1;
    }
    done
}

#[generator(yield = Op, resume = Reply)]
fn gen_yields(rounds: u32) -> u64 {
    let mut done = 0;
    for _ in 0..rounds {
        yield_!(op::pass());
        done += 1;
    }
    done
}

async fn tokio_yields(rounds: u32) -> u64 {
    let mut done = 0;
    for _ in 0..rounds {
        tokio::task::yield_now().await;
        done += 1;
    }
    done
}

async fn smol_yields(rounds: u32) -> u64 {
    let mut done = 0;
    for _ in 0..rounds {
        futures_lite::future::yield_now().await;
        done += 1;
    }
    done
}

/// The hub keeps real time here, as tokio and smol do (S1–S4 never touch a timer except S4).
#[inline(never)]
pub fn s1_corogen_async(tasks: usize) -> Outcome {
    let hub = Hub::new();
    let rounds = black_box(ROUNDS);
    let start = Instant::now();
    let done = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks).map(|_| hub::spawn(hub_yields(rounds))).collect();
        let mut done = 0;
        for handle in &handles {
            done += handle.get().await.expect("a yielding task returns");
        }
        done
    });
    timed(start, tasks * ROUNDS as usize, done)
}

#[inline(never)]
pub fn s1_corogen_gen(tasks: usize) -> Outcome {
    let hub = Hub::new();
    let rounds = black_box(ROUNDS);
    let start = Instant::now();
    let done = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks).map(|_| hub::spawn(gen_yields(rounds))).collect();
        let mut done = 0;
        for handle in &handles {
            done += handle.get().await.expect("a yielding task returns");
        }
        done
    });
    timed(start, tasks * ROUNDS as usize, done)
}

#[inline(never)]
pub fn s1_tokio(tasks: usize) -> Outcome {
    let runtime = tokio_runtime();
    let rounds = black_box(ROUNDS);
    let start = Instant::now();
    let done = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| tokio::spawn(tokio_yields(rounds)))
            .collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await.expect("a yielding task returns");
        }
        done
    });
    timed(start, tasks * ROUNDS as usize, done)
}

#[inline(never)]
pub fn s1_smol(tasks: usize) -> Outcome {
    let ex = LocalExecutor::new();
    let rounds = black_box(ROUNDS);
    let start = Instant::now();
    let done = async_io::block_on(ex.run(async {
        let handles: Vec<_> = (0..tasks).map(|_| ex.spawn(smol_yields(rounds))).collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await;
        }
        done
    }));
    timed(start, tasks * ROUNDS as usize, done)
}

// ---- S2: spawn + join of trivial tasks --------------------------------------------------------

#[generator(yield = Op, resume = Reply)]
fn gen_trivial(i: u64) -> u64 {
    i
}

#[inline(never)]
pub fn s2_corogen_async(tasks: usize) -> Outcome {
    let hub = Hub::new();
    let start = Instant::now();
    let sum = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks as u64)
            .map(|i| hub::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for handle in &handles {
            sum += handle.get().await.expect("a trivial task returns");
        }
        sum
    });
    timed(start, tasks, sum)
}

#[inline(never)]
pub fn s2_corogen_gen(tasks: usize) -> Outcome {
    let hub = Hub::new();
    let start = Instant::now();
    let sum = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks as u64)
            .map(|i| hub::spawn(gen_trivial(i)))
            .collect();
        let mut sum = 0;
        for handle in &handles {
            sum += handle.get().await.expect("a trivial task returns");
        }
        sum
    });
    timed(start, tasks, sum)
}

#[inline(never)]
pub fn s2_tokio(tasks: usize) -> Outcome {
    let runtime = tokio_runtime();
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

#[inline(never)]
pub fn s2_smol(tasks: usize) -> Outcome {
    let ex = LocalExecutor::new();
    let start = Instant::now();
    let sum = async_io::block_on(ex.run(async {
        let handles: Vec<_> = (0..tasks as u64)
            .map(|i| ex.spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await;
        }
        sum
    }));
    timed(start, tasks, sum)
}

// ---- S3: ping-pong between two tasks ----------------------------------------------------------
//
// The main task spawns `ping` and joins it; `ping` starts `pong` (smol's main task spawns both: a
// smol task cannot borrow the executor that runs it) and they hand control back and forth `hops`
// times in all. With `switch` (greenlet's way) the hop is the switch itself and a shared counter
// counts them; with channels (tokio's and smol's natural way, and corogen's `Queue`) a hop is
// one message, each reply carrying the count so far.

#[inline(never)]
pub fn s3_corogen_switch(hops: usize) -> Outcome {
    hub_switch(Hub::new(), hops)
}

/// S3 on a virtual hub, which never reads the wall clock: the difference with
/// [`s3_corogen_switch`] is the real hub's clock read on each turn of its loop.
#[inline(never)]
pub fn s3_corogen_switch_vclock(hops: usize) -> Outcome {
    hub_switch(Hub::new_virtual(), hops)
}

fn hub_switch(hub: Hub, hops: usize) -> Outcome {
    let start = Instant::now();
    let count = hub.block_on(async move {
        let ping = hub::spawn(async move {
            let counter = Rc::new(Cell::new(0u64));
            let me = hub::getcurrent();
            let pong_counter = Rc::clone(&counter);
            let pong = hub::greenlet(async move {
                loop {
                    pong_counter.set(pong_counter.get() + 1);
                    hub::switch(&me, Value::none()).await;
                }
            });
            for _ in 0..hops / 2 {
                counter.set(counter.get() + 1);
                hub::switch(&pong, Value::none()).await;
            }
            pong.kill();
            counter.get()
        });
        ping.get().await.expect("ping returns")
    });
    timed(start, hops, count)
}

#[generator(yield = Op, resume = Reply)]
fn gen_pong(main: TaskRef, counter: Rc<Cell<u64>>) {
    loop {
        counter.set(counter.get() + 1);
        yield_!(op::switch(&main, Value::none()));
    }
}

#[generator(yield = Op, resume = Reply)]
fn gen_ping(hops: usize) -> u64 {
    let counter = Rc::new(Cell::new(0u64));
    let pong = hub::greenlet(gen_pong(hub::getcurrent(), Rc::clone(&counter)));
    for _ in 0..hops / 2 {
        counter.set(counter.get() + 1);
        yield_!(op::switch(&pong, Value::none()));
    }
    pong.kill();
    counter.get()
}

#[inline(never)]
pub fn s3_corogen_gen_switch(hops: usize) -> Outcome {
    let hub = Hub::new();
    let start = Instant::now();
    let count = hub.block_on(async move {
        let ping = hub::spawn(gen_ping(hops));
        ping.get().await.expect("ping returns")
    });
    timed(start, hops, count)
}

#[inline(never)]
pub fn s3_corogen_queue(hops: usize) -> Outcome {
    hub_queue(Hub::new(), hops)
}

/// [`s3_corogen_queue`] on a virtual hub (no clock reads).
#[inline(never)]
pub fn s3_corogen_queue_vclock(hops: usize) -> Outcome {
    hub_queue(Hub::new_virtual(), hops)
}

fn hub_queue(hub: Hub, hops: usize) -> Outcome {
    let start = Instant::now();
    let last = hub.block_on(async move {
        let ping = hub::spawn(async move {
            let (to_pong, to_ping) = (hub::Queue::<u64>::new(), hub::Queue::<u64>::new());
            let (inbox, outbox) = (to_pong.clone(), to_ping.clone());
            let pong = hub::spawn(async move {
                // u64::MAX ends the game.
                loop {
                    let n = inbox.get().await;
                    if n == u64::MAX {
                        break;
                    }
                    outbox
                        .try_put(n + 1)
                        .expect("an unbounded queue takes every item");
                }
            });
            let mut n = 0;
            for _ in 0..hops / 2 {
                to_pong
                    .try_put(n + 1)
                    .expect("an unbounded queue takes every item");
                n = to_ping.get().await;
            }
            to_pong.try_put(u64::MAX).expect("unbounded");
            pong.get().await.expect("pong returns");
            n
        });
        ping.get().await.expect("ping returns")
    });
    timed(start, hops, last)
}

#[inline(never)]
pub fn s3_tokio(hops: usize) -> Outcome {
    use tokio::sync::mpsc::unbounded_channel;
    let runtime = tokio_runtime();
    let start = Instant::now();
    let last = runtime.block_on(async move {
        let ping = tokio::spawn(async move {
            let (to_pong, mut inbox) = unbounded_channel::<u64>();
            let (outbox, mut to_ping) = unbounded_channel::<u64>();
            // The channel closing ends the game.
            let pong = tokio::spawn(async move {
                while let Some(n) = inbox.recv().await {
                    outbox.send(n + 1).expect("ping listens");
                }
            });
            let mut n = 0;
            for _ in 0..hops / 2 {
                to_pong.send(n + 1).expect("pong listens");
                n = to_ping.recv().await.expect("pong replies");
            }
            drop(to_pong);
            pong.await.expect("pong returns");
            n
        });
        ping.await.expect("ping returns")
    });
    timed(start, hops, last)
}

#[inline(never)]
pub fn s3_smol(hops: usize) -> Outcome {
    let ex = LocalExecutor::new();
    let start = Instant::now();
    let last = async_io::block_on(ex.run(async {
        let (to_pong, inbox) = async_channel::unbounded::<u64>();
        let (outbox, to_ping) = async_channel::unbounded::<u64>();
        // The channel closing ends the game. Spawned by the main task, not by `ping`: a task
        // cannot borrow the executor that owns it.
        let pong = ex.spawn(async move {
            while let Ok(n) = inbox.recv().await {
                outbox.try_send(n + 1).expect("ping listens");
            }
        });
        let ping = ex.spawn(async move {
            let mut n = 0;
            for _ in 0..hops / 2 {
                to_pong.try_send(n + 1).expect("pong listens");
                n = to_ping.recv().await.expect("pong replies");
            }
            n
        });
        let n = ping.await;
        pong.await;
        n
    }));
    timed(start, hops, last)
}

// ---- S4: 10 sleeps of 1 ms per task, real clock -----------------------------------------------

async fn hub_sleeps(sleeps: u32, period: Duration) -> u64 {
    let mut done = 0;
    for _ in 0..sleeps {
        hub::sleep(period).await;
        done += 1;
    }
    done
}

#[generator(yield = Op, resume = Reply)]
fn gen_sleeps(sleeps: u32, period: Duration) -> u64 {
    let mut done = 0;
    for _ in 0..sleeps {
        yield_!(op::sleep(period));
        done += 1;
    }
    done
}

fn ms(start: Instant, check: u64) -> Outcome {
    Outcome {
        figure: start.elapsed().as_secs_f64() * 1e3,
        check,
        own_state: 0,
    }
}

#[inline(never)]
pub fn s4_corogen_async(tasks: usize) -> Outcome {
    let hub = Hub::new();
    let period = black_box(S4_SLEEP);
    let start = Instant::now();
    let done = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| hub::spawn(hub_sleeps(SLEEPS, period)))
            .collect();
        let mut done = 0;
        for handle in &handles {
            done += handle.get().await.expect("a sleeping task returns");
        }
        done
    });
    ms(start, done)
}

#[inline(never)]
pub fn s4_corogen_gen(tasks: usize) -> Outcome {
    let hub = Hub::new();
    let period = black_box(S4_SLEEP);
    let start = Instant::now();
    let done = hub.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| hub::spawn(gen_sleeps(SLEEPS, period)))
            .collect();
        let mut done = 0;
        for handle in &handles {
            done += handle.get().await.expect("a sleeping task returns");
        }
        done
    });
    ms(start, done)
}

#[inline(never)]
pub fn s4_tokio(tasks: usize) -> Outcome {
    let runtime = tokio_runtime();
    let period = black_box(S4_SLEEP);
    let start = Instant::now();
    let done = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                tokio::spawn(async move {
                    let mut done = 0;
                    for _ in 0..SLEEPS {
                        tokio::time::sleep(period).await;
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await.expect("a sleeping task returns");
        }
        done
    });
    ms(start, done)
}

#[inline(never)]
pub fn s4_smol(tasks: usize) -> Outcome {
    let ex = LocalExecutor::new();
    let period = black_box(S4_SLEEP);
    let start = Instant::now();
    let done = async_io::block_on(ex.run(async {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                ex.spawn(async move {
                    let mut done = 0;
                    for _ in 0..SLEEPS {
                        async_io::Timer::after(period).await;
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        let mut done = 0;
        for handle in handles {
            done += handle.await;
        }
        done
    }));
    ms(start, done)
}

// ---- S5: heap bytes per suspended task --------------------------------------------------------
//
// The main task spawns `tasks` detached tasks; each counts itself in `STARTED` (a static, so it
// adds nothing to the task's state) and suspends. Once all have started, the heap's growth since
// before the first spawn, divided by the tasks, less the task's own state, is the figure: the
// task's header, the scheduler's queues and slots, the timer's entry, amortised growth of the
// runtime's containers. Counted by [`alloc::CountingAlloc`] in bytes requested (malloc's own
// per-block header is not counted, for any runtime).

static STARTED: AtomicUsize = AtomicUsize::new(0);

fn started() -> usize {
    STARTED.load(Ordering::Relaxed)
}

fn start_one() {
    STARTED.fetch_add(1, Ordering::Relaxed);
}

fn bytes_per_task(live: isize, tasks: usize, own_state: usize) -> Outcome {
    Outcome {
        figure: live as f64 / tasks as f64 - own_state as f64,
        check: started() as u64,
        own_state,
    }
}

async fn hub_sleeper() {
    start_one();
    hub::sleep(S5_SLEEP).await;
}

#[generator(yield = Op, resume = Reply)]
fn gen_sleeper() {
    start_one();
    yield_!(op::sleep(S5_SLEEP));
}

/// A generator's state is its body's allocation, which the `Gen` handle points to: counted by
/// making one.
fn gen_sleeper_state() -> usize {
    let counter = alloc::Counter::start();
    // Through `black_box`, as a spawned task's is: a generator that is only measured and
    // dropped could have its body's allocation removed by the optimiser (and then count 0).
    let generator = std::hint::black_box(gen_sleeper());
    let size = std::mem::size_of_val(&generator);
    let body = counter.live();
    drop(generator);
    size + usize::try_from(body).expect("a generator allocates its body")
}

/// The hub's main task spawns, then yields until every task has run once and suspended.
fn hub_s5<T: hub::IntoTask>(tasks: usize, own_state: usize, make: fn() -> T) -> Outcome {
    alloc::assert_counting();
    STARTED.store(0, Ordering::Relaxed);
    let hub = Hub::new();
    let live = hub.block_on(async move {
        let counter = alloc::Counter::start();
        for _ in 0..tasks {
            drop(hub::spawn(make())); // detached
        }
        while started() < tasks {
            hub::sleep(Duration::ZERO).await;
        }
        counter.live()
    });
    let outcome = bytes_per_task(live, tasks, own_state);
    drop(hub); // kills the suspended tasks, outside the count
    outcome
}

#[inline(never)]
pub fn s5_corogen_async(tasks: usize) -> Outcome {
    hub_s5(tasks, std::mem::size_of_val(&hub_sleeper()), hub_sleeper)
}

#[inline(never)]
pub fn s5_corogen_gen(tasks: usize) -> Outcome {
    hub_s5(tasks, gen_sleeper_state(), gen_sleeper)
}

fn tokio_s5<F: Future<Output = ()> + Send + 'static>(tasks: usize, make: fn() -> F) -> Outcome {
    alloc::assert_counting();
    STARTED.store(0, Ordering::Relaxed);
    let own_state = std::mem::size_of_val(&make());
    let runtime = tokio_runtime();
    let live = runtime.block_on(async move {
        let counter = alloc::Counter::start();
        for _ in 0..tasks {
            drop(tokio::spawn(make())); // detached
        }
        while started() < tasks {
            tokio::task::yield_now().await;
        }
        counter.live()
    });
    let outcome = bytes_per_task(live, tasks, own_state);
    drop(runtime);
    outcome
}

#[inline(never)]
pub fn s5_tokio(tasks: usize) -> Outcome {
    tokio_s5(tasks, || async {
        start_one();
        tokio::time::sleep(S5_SLEEP).await;
    })
}

fn smol_s5<F: Future<Output = ()> + 'static>(tasks: usize, make: fn() -> F) -> Outcome {
    alloc::assert_counting();
    STARTED.store(0, Ordering::Relaxed);
    let own_state = std::mem::size_of_val(&make());
    let ex = LocalExecutor::new();
    let live = async_io::block_on(ex.run(async {
        let counter = alloc::Counter::start();
        for _ in 0..tasks {
            ex.spawn(make()).detach();
        }
        while started() < tasks {
            futures_lite::future::yield_now().await;
        }
        counter.live()
    }));
    let outcome = bytes_per_task(live, tasks, own_state);
    drop(ex);
    outcome
}

#[inline(never)]
pub fn s5_smol(tasks: usize) -> Outcome {
    smol_s5(tasks, || async {
        start_one();
        async_io::Timer::after(S5_SLEEP).await;
    })
}

async fn hub_pending() {
    start_one();
    std::future::pending::<()>().await;
}

#[inline(never)]
pub fn s5p_corogen_async(tasks: usize) -> Outcome {
    hub_s5(tasks, std::mem::size_of_val(&hub_pending()), hub_pending)
}

#[inline(never)]
pub fn s5p_tokio(tasks: usize) -> Outcome {
    tokio_s5(tasks, || async {
        start_one();
        std::future::pending::<()>().await;
    })
}

#[inline(never)]
pub fn s5p_smol(tasks: usize) -> Outcome {
    smol_s5(tasks, || async {
        start_one();
        std::future::pending::<()>().await;
    })
}

// ---- virtual-time timer events ----------------------------------------------------------------

/// Task `i`'s sleep: 1 to 1000 us, scattered, so the timer heap really reorders.
fn period(i: usize) -> Duration {
    Duration::from_micros(1 + (i as u64).wrapping_mul(7919) % 1000)
}

/// The virtual clock must end at the latest task's last wake: checks that time really jumped.
fn check_clock(hub: &Hub, tasks: usize, sleeps: u32) {
    let last = (0..tasks).map(period).max().unwrap_or_default() * sleeps;
    assert_eq!(hub.now(), last, "the virtual clock ends at the last wake");
}

/// Spawns first, then times `run()` alone: the figure is the cost of a timer event.
fn vtimer<T: hub::IntoTask<Output = u64>>(tasks: usize, make: impl Fn(usize) -> T) -> Outcome {
    let hub = Hub::new_virtual();
    let handles: Vec<_> = (0..tasks).map(|i| hub.spawn(make(i))).collect();
    let start = Instant::now();
    hub.run();
    let elapsed = start.elapsed();
    check_clock(&hub, tasks, SLEEPS);
    let done = handles
        .iter()
        .map(|handle| handle.try_get().expect("finished").expect("returned"))
        .sum();
    Outcome {
        figure: elapsed.as_nanos() as f64 / (tasks as f64 * f64::from(SLEEPS)),
        check: done,
        own_state: 0,
    }
}

#[inline(never)]
pub fn vtimer_corogen_async(tasks: usize) -> Outcome {
    vtimer(tasks, |i| hub_sleeps(SLEEPS, period(i)))
}

#[inline(never)]
pub fn vtimer_corogen_gen(tasks: usize) -> Outcome {
    vtimer(tasks, |i| gen_sleeps(SLEEPS, period(i)))
}

#[inline(never)]
pub fn vtimer1_corogen_async(events: usize) -> Outcome {
    let hub = Hub::new_virtual();
    let sleeps = u32::try_from(events).expect("events fit a u32");
    let step = black_box(Duration::from_micros(3));
    let task = hub.spawn(hub_sleeps(sleeps, step));
    let start = Instant::now();
    hub.run();
    let outcome = timed(
        start,
        events,
        task.try_get().expect("finished").expect("ok"),
    );
    assert_eq!(
        hub.now(),
        step * sleeps,
        "the virtual clock ends at the last wake"
    );
    outcome
}
