//! The runtime of one hub per core: tasks built on other hubs and joined from anywhere, the
//! queue between hubs under load, panics that stay on their hub, kills across hubs, and the
//! shutdown of live tasks on every hub. (That no thread is left after it: `hub_runtime_threads.rs`,
//! a binary of its own.)

#![cfg(not(target_family = "wasm"))]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use corogen::hub::{
    self, Hub, Op, RemoteTask, Reply, Runtime, TaskError, ThreadAsyncResult, ThreadEvent,
    ThreadQueue, op,
};
use corogen::prelude::*;

/// Where a task ran: its hub's index and its thread.
fn here() -> (usize, ThreadId) {
    let hub = hub::current_hub().expect("a task of a runtime's hub");
    (hub.index(), thread::current().id())
}

#[test]
fn a_task_built_for_a_hub_runs_on_that_hub() {
    let runtime = Runtime::new(3);
    let ran = runtime.block_on(async {
        let tasks: Vec<_> = (0..3)
            .map(|i| hub::spawn_on(runtime.hub(i), || async { here() }))
            .collect();
        let mut ran = Vec::new();
        for task in tasks {
            ran.push(task.await.unwrap());
        }
        ran
    });
    assert_eq!(ran.iter().map(|&(i, _)| i).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(ran[0].1, thread::current().id(), "hub 0 is this thread");
    assert_ne!(ran[1].1, ran[2].1);
    assert_ne!(ran[1].1, ran[0].1);
}

#[test]
fn the_task_itself_need_not_be_send() {
    let runtime = Runtime::new(2);
    let task = runtime.hub(1).spawn(|| {
        // Built on hub 1: an `Rc` and a `RefCell` live across its waits.
        let log = Rc::new(RefCell::new(Vec::new()));
        async move {
            for i in 0..3 {
                hub::sleep(Duration::from_millis(1)).await;
                log.borrow_mut().push(i);
            }
            log.borrow().clone()
        }
    });
    assert_eq!(runtime.block_on(task), Ok(vec![0, 1, 2]));
}

#[generator(yield = Op, resume = Reply)]
fn nap(times: u32) -> u32 {
    for _ in 0..times {
        yield_!(op::sleep(Duration::from_millis(1)));
    }
    times
}

#[test]
fn a_generator_task_is_built_the_same_way() {
    let runtime = Runtime::new(2);
    let task = runtime.hub(1).spawn(|| nap(3));
    assert_eq!(runtime.block_on(task), Ok(3));
}

#[test]
fn joined_from_another_hub_from_a_plain_thread_and_from_a_plain_hub() {
    let runtime = Runtime::new(3);
    let slow = |ms| move || async move { hub::sleep(Duration::from_millis(ms)).await };
    let first = runtime.hub(1).spawn(slow(20));
    // A task of hub 2 joins a task of hub 1.
    let joiner = runtime
        .hub(2)
        .spawn(move || async move { (first.await, here().0) });
    // A thread with no hub, through any executor.
    let second = runtime.hub(1).spawn(slow(20));
    let plain = thread::spawn(move || futures::executor::block_on(second));
    // A plain hub on another thread waits for it cooperatively.
    let third = runtime.hub(2).spawn(slow(20));
    let other_hub = thread::spawn(move || {
        let hub = Hub::new();
        let ticks = Rc::new(Cell::new(0));
        let ticker = hub.spawn({
            let ticks = Rc::clone(&ticks);
            async move {
                loop {
                    hub::sleep(Duration::from_millis(1)).await;
                    ticks.set(ticks.get() + 1);
                }
            }
        });
        let result = hub.block_on(third);
        ticker.kill();
        (result, ticks.get())
    });
    assert_eq!(runtime.block_on(joiner), Ok((Ok(()), 2)));
    assert_eq!(plain.join().unwrap(), Ok(()));
    let (result, ticks) = other_hub.join().unwrap();
    assert_eq!(result, Ok(()));
    assert!(
        ticks > 0,
        "the plain hub ran its other task while it waited"
    );
}

#[test]
fn spawn_anywhere_goes_round_robin() {
    let runtime = Runtime::new(3);
    let count = |tasks: Vec<RemoteTask<usize>>| async move {
        let mut per_hub = [0; 3];
        for task in tasks {
            per_hub[task.await.unwrap()] += 1;
        }
        per_hub
    };
    let from_a_task = runtime.block_on(async {
        let tasks = (0..30)
            .map(|_| hub::spawn_anywhere(|| async { here().0 }))
            .collect();
        count(tasks).await
    });
    assert_eq!(from_a_task, [10, 10, 10]);
    let handle = runtime.handle();
    let from_outside = thread::spawn(move || {
        let tasks = (0..30)
            .map(|_| handle.spawn_anywhere(|| async { here().0 }))
            .collect();
        futures::executor::block_on(count(tasks))
    });
    // Hub 0 runs its tasks only in `block_on`: the main thread waits there for the outsider.
    let from_outside =
        runtime.block_on(async { hub::spawn_blocking(move || from_outside.join().unwrap()).await });
    assert_eq!(from_outside, [10, 10, 10]);
}

#[test]
fn spawn_anywhere_outside_a_runtime_panics() {
    let hub = Hub::new();
    let task = hub.spawn(async {
        drop(hub::spawn_anywhere(|| async {}));
    });
    hub.run();
    let Some(Err(TaskError::Panicked(message))) = task.try_get() else {
        panic!("{:?}", task.try_get())
    };
    assert!(
        message.contains("needs a running hub of a Runtime"),
        "{message}"
    );
}

#[test]
fn the_builder_runs_at_once_on_the_running_hub() {
    let runtime = Runtime::new(2);
    runtime.block_on(async {
        let built = Arc::new(AtomicUsize::new(0));
        let me = hub::current_hub().unwrap();
        let task = me.spawn({
            let built = Arc::clone(&built);
            move || {
                built.fetch_add(1, Ordering::SeqCst);
                async { 7 }
            }
        });
        assert_eq!(built.load(Ordering::SeqCst), 1);
        assert_eq!(task.await, Ok(7));
    });
}

#[test]
fn a_panic_stays_on_its_hub() {
    let runtime = Runtime::new(3);
    // A task that runs on hub 1 across the panic of another task of hub 1.
    let survivor = runtime.hub(1).spawn(|| async {
        let mut turns = 0;
        for _ in 0..20 {
            hub::sleep(Duration::from_millis(2)).await;
            turns += 1;
        }
        turns
    });
    let panics = runtime.hub(1).spawn(|| async {
        hub::sleep(Duration::from_millis(5)).await;
        panic!("boom on hub 1");
    });
    let builder_panics = runtime
        .hub(2)
        .spawn(|| -> std::future::Ready<()> { panic!("the builder fails on hub 2") });
    assert_eq!(
        runtime.block_on(panics),
        Err(TaskError::Panicked("boom on hub 1".into()))
    );
    assert_eq!(
        runtime.block_on(builder_panics),
        Err(TaskError::Panicked("the builder fails on hub 2".into()))
    );
    assert_eq!(runtime.block_on(survivor), Ok(20));
    // Both hubs go on taking work.
    for i in 1..3 {
        assert_eq!(
            runtime.block_on(runtime.hub(i).spawn(|| async { here().0 })),
            Ok(i)
        );
    }
    // The main task's panic reaches the caller of block_on; the runtime goes on.
    let main = catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async { panic!("boom in the main task") })
    }));
    assert!(main.is_err());
    assert_eq!(
        runtime.block_on(runtime.hub(1).spawn(|| async { 1 + 1 })),
        Ok(2)
    );
}

/// Records where its cleanup ran.
struct Cleanup {
    log: Arc<Mutex<Vec<(usize, ThreadId)>>>,
    hub: usize,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.log
            .lock()
            .unwrap()
            .push((self.hub, thread::current().id()));
    }
}

#[test]
fn a_kill_runs_the_cleanup_on_the_tasks_hub() {
    let runtime = Runtime::new(2);
    let log = Arc::new(Mutex::new(Vec::new()));
    let started = ThreadEvent::new();
    let task = runtime.hub(1).spawn({
        let (log, started) = (Arc::clone(&log), started.clone());
        move || async move {
            let _cleanup = Cleanup { log, hub: 1 };
            started.set();
            hub::sleep(Duration::from_secs(3600)).await;
        }
    });
    let hub_1_thread = runtime.block_on(async {
        started.wait().await;
        task.kill();
        assert_eq!(task.await, Err(TaskError::Killed));
        hub::spawn_on(&runtime.hub(1).clone(), || async { thread::current().id() })
            .await
            .unwrap()
    });
    assert_eq!(*log.lock().unwrap(), [(1, hub_1_thread)]);
    // A kill before the task is built: it never runs. Hub 1 is held in a builder until the
    // kill is in, so that it cannot build the request first.
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let held = runtime.hub(1).spawn(move || {
        gate.recv().unwrap();
        async {}
    });
    let never = runtime
        .hub(1)
        .spawn(|| -> std::future::Ready<()> { unreachable!("a killed request is not built") });
    never.kill();
    release.send(()).unwrap();
    assert_eq!(runtime.block_on(never), Err(TaskError::Killed));
    assert_eq!(runtime.block_on(held), Ok(()));
}

#[test]
fn shutdown_ends_live_tasks_on_every_hub_with_their_cleanup() {
    const HUBS: usize = 4;
    const PER_HUB: usize = 10;
    let runtime = Runtime::new(HUBS);
    let log = Arc::new(Mutex::new(Vec::new()));
    let started = ThreadQueue::new();
    let queue: ThreadQueue<u32> = ThreadQueue::new();
    let mut tasks = Vec::new();
    for hub in 0..HUBS {
        for i in 0..PER_HUB {
            let (log, started, queue) = (Arc::clone(&log), started.clone(), queue.clone());
            tasks.push(runtime.hub(hub).spawn(move || async move {
                let _cleanup = Cleanup { log, hub };
                started.try_put(here()).unwrap();
                // Each waits in its own way: a long sleep, the queue, a pending future.
                match i % 3 {
                    0 => hub::sleep(Duration::from_secs(3600)).await,
                    1 => drop(queue.get().await),
                    _ => std::future::pending().await,
                }
            }));
        }
    }
    let threads: HashMap<usize, ThreadId> = runtime.block_on(async {
        let mut threads = HashMap::new();
        for _ in 0..HUBS * PER_HUB {
            let (hub, thread) = started.get().await;
            threads.insert(hub, thread);
        }
        threads
    });
    assert_eq!(threads.len(), HUBS);
    let handle = runtime.handle();
    drop(runtime);
    let mut log = log.lock().unwrap().clone();
    log.sort_by_key(|&(hub, _)| hub);
    assert_eq!(log.len(), HUBS * PER_HUB, "every task's cleanup ran");
    for (hub, thread) in log {
        assert_eq!(
            thread, threads[&hub],
            "hub {hub}'s cleanup ran on its own thread"
        );
    }
    for task in tasks {
        assert_eq!(futures::executor::block_on(task), Err(TaskError::Killed));
    }
    // A handle that outlives its runtime: requests end as killed, never built.
    let late = handle.spawn_anywhere(|| -> std::future::Ready<()> { unreachable!() });
    assert_eq!(futures::executor::block_on(late), Err(TaskError::Killed));
}

#[test]
fn the_queue_under_load_many_producers_and_consumers_on_every_hub() {
    const HUBS: usize = 4;
    const PRODUCERS: u64 = 8;
    const CONSUMERS: usize = 8;
    const ITEMS: u64 = 5_000;
    let runtime = Runtime::new(HUBS);
    // Small, so that putters wait for getters as often as getters for putters.
    let queue: ThreadQueue<Option<u64>> = ThreadQueue::bounded(16);
    let started = Instant::now();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let queue = queue.clone();
            runtime.hub(p as usize % HUBS).spawn(move || async move {
                for i in 0..ITEMS {
                    queue.put(Some(p * ITEMS + i)).await;
                    if i % 100 == 0 {
                        hub::sleep(Duration::ZERO).await;
                    }
                }
            })
        })
        .collect();
    // One more producer: a thread with no hub.
    let outsider = {
        let queue = queue.clone();
        thread::spawn(move || {
            for i in 0..ITEMS {
                futures::executor::block_on(queue.put(Some(PRODUCERS * ITEMS + i)));
            }
        })
    };
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|c| {
            let queue = queue.clone();
            runtime.hub((c + 1) % HUBS).spawn(move || async move {
                let mut got = Vec::new();
                while let Some(item) = queue.get().await {
                    got.push(item);
                }
                got
            })
        })
        .collect();
    let got = runtime.block_on(async {
        for producer in producers {
            producer.await.unwrap();
        }
        hub::spawn_blocking(move || outsider.join().unwrap()).await;
        for _ in 0..CONSUMERS {
            queue.put(None).await;
        }
        let mut got = Vec::new();
        for consumer in consumers {
            got.push(consumer.await.unwrap());
        }
        got
    });
    let mut all: Vec<u64> = got.iter().flatten().copied().collect();
    all.sort_unstable();
    let expected: Vec<u64> = (0..(PRODUCERS + 1) * ITEMS).collect();
    assert_eq!(all, expected, "every item came out exactly once");
    // Each producer's items come out in its order, whoever got them.
    for consumer in &got {
        let mut last = HashMap::new();
        for &item in consumer {
            let previous = last.insert(item / ITEMS, item);
            assert!(previous.is_none_or(|previous| previous < item));
        }
    }
    assert!(queue.is_empty());
    // Generous: 45,000 items through a queue of 16 on a loaded 2-core machine.
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn the_queue_alone() {
    let queue = ThreadQueue::bounded(2);
    assert_eq!(queue.maxsize(), Some(2));
    queue.try_put(1).unwrap();
    queue.try_put(2).unwrap();
    assert!(queue.is_full());
    assert_eq!(queue.try_put(3), Err(hub::Full(3)));
    assert_eq!(queue.try_get(), Some(1));
    assert_eq!(queue.len(), 1);
    // A waiting get on a thread with no hub, woken by a put from a hub.
    let (getter, runtime) = (queue.clone(), Runtime::new(2));
    assert_eq!(queue.try_get(), Some(2));
    let waiting = thread::spawn(move || futures::executor::block_on(getter.get()));
    thread::sleep(Duration::from_millis(20));
    runtime
        .block_on(runtime.hub(1).spawn({
            let queue = queue.clone();
            move || async move { queue.put(9).await }
        }))
        .unwrap();
    assert_eq!(waiting.join().unwrap(), 9);
    // A get given up (a timeout) loses no item for the next getter.
    runtime.block_on(async {
        assert!(
            hub::with_timeout(Duration::from_millis(10), queue.get())
                .await
                .is_err()
        );
        queue.try_put(5).unwrap();
        assert_eq!(queue.get().await, 5);
    });
}

#[test]
fn thread_events_and_results_cross_hubs() {
    let runtime = Runtime::new(3);
    let event = ThreadEvent::new();
    let result: ThreadAsyncResult<u64> = ThreadAsyncResult::new();
    let waiters: Vec<_> = (1..3)
        .map(|i| {
            let (event, result) = (event.clone(), result.clone());
            runtime.hub(i).spawn(move || async move {
                event.wait().await;
                result.get().await.unwrap() + i as u64
            })
        })
        .collect();
    let got = runtime.block_on(async {
        hub::sleep(Duration::from_millis(10)).await;
        event.set();
        result.set(40);
        let mut got = Vec::new();
        for waiter in waiters {
            got.push(waiter.await.unwrap());
        }
        got
    });
    assert_eq!(got, [41, 42]);
}

#[test]
fn blocking_jobs_of_runtime_hubs_go_to_the_runtimes_pool() {
    let name = || thread::current().name().map(str::to_owned);
    let runtime = Runtime::new(2);
    let on_hub_1 = runtime.hub(1).spawn(move || hub::spawn_blocking(name));
    let on_hub_0 = runtime.block_on(async { hub::spawn_blocking(name).await });
    assert_eq!(on_hub_0.as_deref(), Some("corogen-rt-blocking"));
    assert_eq!(
        runtime.block_on(on_hub_1).unwrap().as_deref(),
        Some("corogen-rt-blocking")
    );
    // A plain hub keeps the process's pool, even on a thread that has a runtime.
    let plain = Hub::new();
    assert_eq!(
        plain
            .block_on(async { hub::spawn_blocking(name).await })
            .as_deref(),
        Some("corogen-blocking")
    );
}

#[test]
fn a_join_given_up_keeps_no_hub_waiting() {
    let runtime = Runtime::new(2);
    let slow = runtime
        .hub(1)
        .spawn(|| hub::sleep(Duration::from_millis(200)));
    runtime.block_on(async {
        let mut slow = slow;
        let waited = hub::with_timeout(Duration::from_millis(10), &mut slow).await;
        assert!(waited.is_err());
        drop(slow);
    });
    // A plain hub whose task joins a remote task and gives up goes idle: the handle left no
    // waker behind to keep it waiting.
    let other = runtime
        .hub(1)
        .spawn(|| hub::sleep(Duration::from_secs(3600)));
    let hub = Hub::new();
    let gave_up = Rc::new(Cell::new(false));
    hub.spawn({
        let gave_up = Rc::clone(&gave_up);
        async move {
            let mut other = other;
            gave_up.set(
                hub::with_timeout(Duration::from_millis(10), &mut other)
                    .await
                    .is_err(),
            );
            drop(other);
            std::future::pending::<()>().await;
        }
    });
    hub.run();
    assert!(gave_up.get());
}
