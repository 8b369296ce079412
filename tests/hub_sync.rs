//! Synchronisation between tasks, in both styles: Event, AsyncResult, Queue, Semaphore,
//! BoundedSemaphore, Pool, Group, timeouts, `wait`, and greenlet's `switch`. Virtual clock.

use corogen::hub::{
    self, AsyncResult, BoundedSemaphore, Elapsed, Event, Group, Hub, Op, OverRelease, Pool, Queue,
    Reply, Semaphore, TaskRef, Timeout, Value, op,
};
use corogen::prelude::*;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

#[path = "support/hub_log.rs"]
mod hub_log;
use hub_log::{Log, entries, ms, push};

// sleep(0) is round-robin among runnable tasks, whichever their style.
#[generator(yield = Op, resume = Reply)]
fn gen_worker(name: &'static str, log: Log, rounds: u32) -> u32 {
    for i in 0..rounds {
        push(&log, format!("{name}{i}"));
        yield_!(op::pass());
    }
    rounds
}

async fn async_worker(name: &'static str, log: Log, rounds: u32) -> u32 {
    for i in 0..rounds {
        push(&log, format!("{name}{i}"));
        hub::sleep(Duration::ZERO).await;
    }
    rounds
}

#[test]
fn sleep_zero_is_round_robin_across_styles() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let a = hub.spawn(gen_worker("A", log.clone(), 3));
    let b = hub.spawn(async_worker("B", log.clone(), 3));
    let c = hub.spawn(gen_worker("C", log.clone(), 2));
    hub.run();
    assert_eq!(
        entries(&log),
        ["A0", "B0", "C0", "A1", "B1", "C1", "A2", "B2"]
    );
    assert_eq!(
        (a.value(), b.value(), c.value()),
        (Some(3), Some(3), Some(2))
    );
    assert_eq!(hub.now(), Duration::ZERO);
}

// Timers due now fire between turns: tasks spinning on sleep(0) never starve them (real clock,
// because a virtual clock does not move while tasks run).
#[test]
fn sleep_zero_never_starves_timers() {
    let hub = Hub::new();
    let fired = Event::new();
    let spins = Rc::new(RefCell::new(0u64));
    for _ in 0..2 {
        let (fired, spins) = (fired.clone(), spins.clone());
        hub.spawn(async move {
            while !fired.is_set() {
                *spins.borrow_mut() += 1;
                hub::sleep(Duration::ZERO).await;
            }
        });
    }
    let setter = fired.clone();
    hub.spawn(async move {
        hub::sleep(ms(2)).await;
        setter.set();
    });
    hub.run();
    assert!(fired.is_set());
    assert!(*spins.borrow() > 2);
}

#[test]
fn event_wakes_every_waiter_in_order() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let event = Event::new();
    for name in ["w1", "w2", "w3"] {
        let (event, log) = (event.clone(), log.clone());
        hub.spawn(async move {
            event.wait().await;
            push(&log, format!("{name} at {:?}", hub::now()));
        });
    }
    let (setter, l) = (event.clone(), log.clone());
    hub.spawn(async move {
        hub::sleep(ms(5)).await;
        push(&l, "set");
        setter.set();
        setter.clear(); // waiters woken by the set still go on
    });
    hub.run();
    assert_eq!(
        entries(&log),
        ["set", "w1 at 5ms", "w2 at 5ms", "w3 at 5ms"]
    );
}

#[generator(yield = Op, resume = Reply)]
fn wait_with_timeout(event: Event, timeout: Duration) -> bool {
    let reply = yield_!(op::wait(&event).timeout(timeout));
    !reply.timed_out()
}

#[test]
fn generator_waits_on_event_with_timeout() {
    let hub = Hub::new_virtual();
    let event = Event::new();
    let early = hub.spawn(wait_with_timeout(event.clone(), ms(10)));
    let late = hub.spawn(wait_with_timeout(event.clone(), ms(100)));
    let setter = event.clone();
    hub.spawn(async move {
        hub::sleep(ms(50)).await;
        setter.set();
    });
    hub.run();
    assert_eq!(early.value(), Some(false));
    assert_eq!(late.value(), Some(true));
    assert_eq!(
        hub.now(),
        ms(50),
        "the cancelled 100ms timeout does not keep the hub busy"
    );
}

#[test]
fn async_result_gives_value_or_error_to_all() {
    let hub = Hub::new_virtual();
    let result: AsyncResult<u32, String> = AsyncResult::new();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let result = result.clone();
            hub.spawn(async move { result.get().await })
        })
        .collect();
    let setter = result.clone();
    hub.spawn(async move {
        hub::sleep(ms(3)).await;
        setter.set(7);
    });
    hub.run();
    for reader in &readers {
        assert_eq!(reader.value(), Some(Ok(7)));
    }
    assert!(result.ready() && result.successful());
    let failed: AsyncResult<u32, String> = AsyncResult::new();
    failed.set_exception("bad".into());
    assert_eq!(
        hub.block_on(async move { failed.get().await }),
        Err("bad".to_owned())
    );
}

#[test]
fn bounded_queue_blocks_producer_and_keeps_order() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let queue = Queue::bounded(2);
    let (q, l) = (queue.clone(), log.clone());
    hub.spawn(async move {
        for i in 0..5 {
            q.put(i).await;
            push(&l, format!("put {i} at {:?}", hub::now()));
        }
    });
    let (q, l) = (queue.clone(), log.clone());
    let consumer = hub.spawn(async move {
        let mut got = Vec::new();
        for _ in 0..5 {
            hub::sleep(ms(10)).await;
            let item = q.get().await;
            push(&l, format!("got {item}"));
            got.push(item);
        }
        got
    });
    hub.run();
    assert_eq!(consumer.value(), Some(vec![0, 1, 2, 3, 4]));
    assert_eq!(
        entries(&log),
        [
            "put 0 at 0ns",
            "put 1 at 0ns",
            "got 0",
            "put 2 at 10ms",
            "got 1",
            "put 3 at 20ms",
            "got 2",
            "put 4 at 30ms",
            "got 3",
            "got 4",
        ]
    );
    assert_eq!(queue.try_put(1), Ok(()));
    assert_eq!(queue.try_put(2), Ok(()));
    assert_eq!(queue.try_put(3), Err(hub::Full(3)));
    assert_eq!(queue.try_get(), Some(1));
}

// Generator style: wait until readable, then take (looping, as another task may be faster).
#[generator(yield = Op, resume = Reply)]
fn gen_consumer(queue: Queue<u32>, count: usize) -> Vec<u32> {
    let mut got = Vec::new();
    while got.len() < count {
        match queue.try_get() {
            Some(item) => got.push(item),
            None => {
                yield_!(op::wait(&queue.readable()));
            }
        }
    }
    got
}

#[test]
fn generator_consumer_with_readable() {
    let hub = Hub::new_virtual();
    let queue = Queue::new();
    let consumer = hub.spawn(gen_consumer(queue.clone(), 3));
    let q = queue.clone();
    hub.spawn(async move {
        for i in 1..=3 {
            hub::sleep(ms(1)).await;
            q.put(i).await;
        }
    });
    hub.run();
    assert_eq!(consumer.value(), Some(vec![1, 2, 3]));
}

#[test]
fn semaphore_limits_concurrency_and_survives_kills() {
    let hub = Hub::new_virtual();
    let sem = Semaphore::new(1);
    let log = Log::default();
    let mut tasks = Vec::new();
    for name in ["a", "b", "c"] {
        let (sem, log) = (sem.clone(), log.clone());
        tasks.push(hub.spawn(async move {
            sem.acquire().await;
            push(&log, format!("{name} in at {:?}", hub::now()));
            hub::sleep(ms(10)).await;
            sem.release();
        }));
    }
    // Kill b while it waits for the permit: c must still get it.
    let b = tasks[1].clone();
    hub.spawn(async move {
        hub::sleep(ms(5)).await;
        b.kill();
    });
    hub.run();
    assert_eq!(entries(&log), ["a in at 0ns", "c in at 10ms"]);
    assert_eq!(sem.available(), 1);
}

#[test]
fn bounded_semaphore_refuses_over_release() {
    let sem = BoundedSemaphore::new(2);
    assert_eq!(sem.release(), Err(OverRelease));
    assert!(sem.try_acquire());
    assert!(sem.try_acquire());
    assert!(!sem.try_acquire() && sem.locked());
    assert_eq!(sem.release(), Ok(()));
    assert_eq!(sem.release(), Ok(()));
    assert_eq!(sem.release(), Err(OverRelease));
    let hub = Hub::new_virtual();
    let plain = Semaphore::new(0);
    plain.release();
    plain.release();
    assert_eq!(plain.available(), 2, "a plain semaphore may grow");
    let s = sem.clone();
    let got = hub.spawn(async move {
        s.acquire().await;
        s.available()
    });
    hub.run();
    assert_eq!(got.value(), Some(1));
}

/// Spawns three tasks that each take a permit of `sem` (of one), log when they got it, and
/// hold it through `hold`; gives their handles.
fn permit_holders<F: Future<Output = ()> + 'static>(
    hub: &Hub,
    sem: &Semaphore,
    log: &Log,
    hold: impl Fn(&'static str) -> F,
) -> Vec<hub::Task<()>> {
    ["a", "b", "c"]
        .into_iter()
        .map(|name| {
            let (sem, log, hold) = (sem.clone(), log.clone(), hold(name));
            hub.spawn(async move {
                let _permit = sem.acquire_permit().await;
                push(&log, format!("{name} in at {:?}", hub::now()));
                hold.await;
            })
        })
        .collect()
}

// `with sem:` had no Rust form: a permit taken with `acquire` is only given back by `release`.
// A permit is now a guard: dropped at the end of its scope, it wakes the next waiter.
#[test]
fn a_semaphore_permit_is_given_back_when_dropped() {
    let hub = Hub::new_virtual();
    let sem = Semaphore::new(1);
    let log = Log::default();
    permit_holders(&hub, &sem, &log, |_| hub::sleep(ms(10)));
    hub.run();
    assert_eq!(
        entries(&log),
        ["a in at 0ns", "b in at 10ms", "c in at 20ms"]
    );
    assert_eq!((sem.available(), sem.waiting()), (1, 0));
    let permit = sem.try_acquire_permit().expect("a permit is free");
    assert!(sem.locked() && sem.try_acquire_permit().is_none());
    drop(permit);
    assert_eq!(sem.available(), 1);
}

// A task that panicked while holding a permit kept it forever (there was no guard): the tasks
// waiting for it waited for good.
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn a_task_that_panics_holding_a_permit_gives_it_back() {
    let hub = Hub::new_virtual();
    let sem = Semaphore::new(1);
    let log = Log::default();
    let tasks = permit_holders(&hub, &sem, &log, |name| async move {
        hub::sleep(ms(10)).await;
        if name != "c" {
            panic!("{name} panics holding the permit");
        }
    });
    hub.run();
    assert_eq!(
        entries(&log),
        ["a in at 0ns", "b in at 10ms", "c in at 20ms"]
    );
    assert!(tasks[0].exception().is_some() && tasks[1].exception().is_some());
    assert_eq!(tasks[2].try_get(), Some(Ok(())));
    assert_eq!(sem.available(), 1);
}

// As above, for a task killed while it holds the permit.
#[test]
fn a_task_killed_holding_a_permit_gives_it_back() {
    let hub = Hub::new_virtual();
    let sem = Semaphore::new(1);
    let log = Log::default();
    let tasks = permit_holders(&hub, &sem, &log, |_| hub::sleep(ms(10)));
    let (a, b) = (tasks[0].clone(), tasks[1].clone());
    hub.spawn(async move {
        hub::sleep(ms(4)).await;
        a.kill(); // holding the permit: b gets it now
        hub::sleep(ms(1)).await;
        b.kill_nowait(); // holding it too: c gets it at the hub's next turn
    });
    hub.run();
    assert_eq!(entries(&log), ["a in at 0ns", "b in at 4ms", "c in at 5ms"]);
    assert!(tasks[0].killed() && tasks[1].killed() && !tasks[2].killed());
    assert_eq!(sem.available(), 1);
}

#[generator(yield = Op, resume = Reply)]
fn gen_permit_holder(sem: Semaphore, log: Log, name: &'static str, patience: Duration) {
    let permit = sem.request();
    let reply = yield_!(op::wait(&permit).timeout(patience));
    assert_eq!(permit.held(), reply == Reply::Ready);
    if !permit.held() {
        push(&log, format!("{name} gave up at {:?}", hub::now()));
        return;
    }
    push(&log, format!("{name} in at {:?}", hub::now()));
    yield_!(op::sleep(ms(10)));
    if name == "b" {
        panic!("b panics holding the permit");
    }
}

// The generator form of the guard: a request waited on with `op::wait` holds the permit until
// it is dropped, when the task returns, panics or is killed; a request that timed out holds none.
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn a_generator_tasks_permit_request_is_given_back_when_dropped() {
    let hub = Hub::new_virtual();
    let sem = Semaphore::new(1);
    let log = Log::default();
    let patient = ms(1_000);
    let holder = |name, patience| gen_permit_holder(sem.clone(), log.clone(), name, patience);
    let a = hub.spawn(holder("a", patient));
    let b = hub.spawn(holder("b", patient));
    let impatient = hub.spawn(holder("impatient", ms(15)));
    let c = hub.spawn(holder("c", patient));
    let d = hub.spawn(holder("d", patient));
    let killed = c.clone();
    hub.spawn(async move {
        hub::sleep(ms(25)).await;
        killed.kill(); // holding the permit since 20ms: d gets it now
    });
    hub.run();
    assert_eq!(
        entries(&log),
        [
            "a in at 0ns",
            "b in at 10ms",
            "impatient gave up at 15ms",
            "c in at 20ms",
            "d in at 25ms",
        ]
    );
    assert_eq!(a.try_get(), Some(Ok(())));
    assert!(b.exception().is_some() && c.killed());
    assert_eq!(
        (impatient.try_get(), d.try_get()),
        (Some(Ok(())), Some(Ok(())))
    );
    assert_eq!((sem.available(), sem.waiting()), (1, 0));
}

// A bounded semaphore's permits are given back as a plain one's; one released by hand meanwhile
// leaves the semaphore at its bound, without an error.
#[test]
fn a_bounded_semaphores_permit_is_given_back_when_dropped() {
    let sem = BoundedSemaphore::new(1);
    let permit = sem.try_acquire_permit().expect("a permit is free");
    assert!(sem.try_acquire_permit().is_none());
    drop(permit);
    assert_eq!(sem.available(), 1);
    let permit = sem.try_acquire_permit().expect("a permit is free");
    assert_eq!(sem.release(), Ok(()));
    drop(permit);
    assert_eq!(sem.available(), 1);
    let hub = Hub::new_virtual();
    let s = sem.clone();
    let got = hub.block_on(async move {
        let permit = s.acquire_permit().await;
        let request = s.request();
        assert!(!request.held());
        (s.available(), drop(permit), s.available())
    });
    assert_eq!(got, (0, (), 1));
}

// A Pool lost a slot for good when the hub was dropped while one of its tasks ran: the link
// that gave the slot back was dropped unrun, and the pool stayed full on any later hub.
#[test]
fn a_pool_gets_its_slot_back_when_its_hub_is_dropped() {
    let pool = Pool::new(1);
    let hub = Hub::new_virtual();
    let p = pool.clone();
    let waiting = Event::new();
    let task = hub.block_on(async move { p.spawn(async move { waiting.wait().await }).await });
    hub.run();
    assert!(pool.full());
    drop(hub);
    assert!(task.killed());
    assert_eq!(pool.free_count(), 1);
    let hub = Hub::new_virtual();
    let p = pool.clone();
    let got = hub.block_on(async move { p.spawn(async { 3 }).await.get().await });
    assert_eq!(got, Ok(3));
}

// A full Pool(1): a non-blocking add fails clearly; a spawn waits for the slot.
#[test]
fn full_pool_of_one() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let l = log.clone();
    hub.block_on(async move {
        let pool = Pool::new(1);
        assert_eq!((pool.size(), pool.free_count()), (1, 1));
        let first_log = l.clone();
        pool.spawn(async move {
            hub::sleep(ms(10)).await;
            push(&first_log, "first done");
        })
        .await;
        assert!(pool.full());
        let refused = pool.try_spawn(async { 0 });
        assert!(refused.is_err());
        assert_eq!(refused.unwrap_err().to_string(), "the pool is full");
        let second_log = l.clone();
        let second = pool
            .spawn(async move { push(&second_log, "second runs") })
            .await;
        push(&l, format!("second spawned at {:?}", hub::now()));
        second.join().await;
        pool.join().await.unwrap();
    });
    assert_eq!(
        entries(&log),
        ["first done", "second spawned at 10ms", "second runs"]
    );
}

#[test]
fn group_tracks_joins_and_kills() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let group = Group::new();
        let short = group.spawn(hub::sleep(ms(1)));
        let long = group.spawn(hub::sleep(ms(100)));
        let outsider = hub::spawn(async {});
        group.add(&outsider);
        assert_eq!(group.len(), 3);
        let ended = group.join().count(2).await.unwrap();
        assert_eq!(ended.len(), 2);
        assert!(ended.contains(short.as_ref()) && ended.contains(outsider.as_ref()));
        // A dead task has left its group already: no turn of the hub for links.
        assert_eq!(group.tasks(), [long.as_ref().clone()]);
        group.kill();
        assert!(long.killed());
        assert!(group.is_empty());
    });
    assert_eq!(hub.now(), ms(1));
}

// Nested timeouts: the shorter fires and the longer stays pending; then the longer fires.
#[test]
fn nested_timeouts() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let l = log.clone();
    let outcome = hub.block_on(async move {
        let outer = Timeout::start(ms(200));
        outer
            .run(async {
                let inner = Timeout::start(ms(100));
                let r = inner.run(hub::sleep(ms(1000))).await;
                push(&l, format!("inner {r:?} at {:?}", hub::now()));
                assert!(inner.expired() && !inner.pending());
                assert!(outer.pending() && !outer.expired());
                // A longer inner timeout: the outer one fires first.
                let longer = Timeout::start(ms(500));
                let r = longer.run(hub::sleep(ms(1000))).await;
                push(&l, format!("never {r:?}"));
            })
            .await
    });
    assert_eq!(outcome, Err(Elapsed));
    assert_eq!(entries(&log), ["inner Err(Elapsed) at 100ms"]);
    assert_eq!(hub.now(), ms(200));
    // Cancelled timeouts do not fire.
    let done = hub.block_on(async {
        let t = Timeout::start(ms(1));
        t.cancel();
        t.run(hub::sleep(ms(5))).await
    });
    assert_eq!(done, Ok(()));
    assert_eq!(
        hub.block_on(hub::with_timeout(ms(5), async { hub::sleep(ms(1)).await })),
        Ok(())
    );
}

// wait(timeout) is false while a later-spawned task is still pending; then true.
#[test]
fn wait_with_timeout_false_while_task_pending() {
    let hub = Hub::new_virtual();
    let task = hub.spawn_later(ms(100), async { 1 });
    assert!(!hub.wait(Some(ms(10))));
    assert_eq!(hub.now(), ms(10));
    assert!(!task.dead());
    assert!(hub.wait(Some(ms(1000))));
    assert_eq!(task.value(), Some(1));
    assert_eq!(hub.now(), ms(100));
    // The same from inside a task.
    let hub = Hub::new_virtual();
    let got = hub.block_on(async {
        let later = hub::spawn_later(ms(100), async {});
        let first = hub::wait(Some(ms(10))).await;
        let dead_then = later.dead();
        let second = hub::wait(None).await;
        (first, dead_then, second, later.dead())
    });
    assert_eq!(got, (false, false, true, true));
}

// greenlet: A/B ping-pong with switch, values passed both ways, and the parent switched back
// to when a child ends.
#[test]
fn switch_ping_pong_with_parent() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let l = log.clone();
    hub.block_on(async move {
        let peer: Rc<RefCell<Option<TaskRef>>> = Rc::default();
        let (peer_a, la) = (peer.clone(), l.clone());
        let a = hub::greenlet(async move {
            let mut n = 0;
            while n < 3 {
                push(&la, format!("A{n}"));
                let b = peer_a.borrow().clone().unwrap();
                n = hub::switch(&b, Value::new(n)).await.take::<i32>().unwrap();
            }
            "a done"
        });
        let lb = l.clone();
        let a_ref = a.as_ref().clone();
        let b = hub::greenlet(async move {
            let mut got = Value::none();
            loop {
                let n = got.take::<i32>().unwrap_or(0);
                push(&lb, format!("B{n}"));
                got = hub::switch(&a_ref, Value::new(n + 1)).await;
            }
        });
        *peer.borrow_mut() = Some(b.as_ref().clone());
        let back = hub::switch(&a, Value::none()).await; // a ends: its parent (us) resumes
        assert!(back.is_none());
        assert_eq!(a.value(), Some("a done"));
        push(&l, "main back");
        b.kill();
    });
    assert_eq!(
        entries(&log),
        ["A0", "B0", "A1", "B1", "A2", "B2", "main back"]
    );
}

#[generator(yield = Op, resume = Reply)]
fn gen_pinger(log: Log, rounds: u32) -> u32 {
    let me = hub::getcurrent();
    let pong = hub::greenlet(async_ponger(log.clone(), me));
    let mut reply = yield_!(op::switch(&pong, Value::none()));
    for _ in 1..rounds {
        let n = reply.into_value().take::<u32>().unwrap();
        push(&log, format!("ping got {n}"));
        reply = yield_!(op::switch(&pong, Value::new(n)));
    }
    reply.into_value().take::<u32>().unwrap()
}

async fn async_ponger(log: Log, pinger: TaskRef) {
    let mut count = 0u32;
    loop {
        count += 1;
        push(&log, format!("pong {count}"));
        hub::switch(&pinger, Value::new(count)).await;
    }
}

#[test]
fn switch_between_generator_and_future() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let pinger = hub.spawn(gen_pinger(log.clone(), 3));
    hub.run();
    assert_eq!(pinger.value(), Some(3));
    assert_eq!(
        entries(&log),
        ["pong 1", "ping got 1", "pong 2", "ping got 2", "pong 3"]
    );
}

#[generator(yield = Op, resume = Reply)]
fn gen_switcher(log: Log) -> &'static str {
    let me = hub::getcurrent();
    let reply = yield_!(op::switch(&me, Value::new(7u8)));
    push(&log, format!("self {:?}", reply.into_value().take::<u8>()));
    let done = hub::spawn(async {});
    yield_!(op::join(&done));
    let reply = yield_!(op::switch(&done, Value::new(1u8)));
    push(
        &log,
        format!("dead task: empty {}", reply.into_value().is_none()),
    );
    let child = hub::greenlet(async { 5 });
    let reply = yield_!(op::switch(&child, Value::none()));
    push(
        &log,
        format!("child ended: empty {}", reply.into_value().is_none()),
    );
    "done"
}

// A generator's switch to itself or to a dead task comes back at once; one to a child comes back
// (empty) when the child ends.
#[test]
fn generator_switch_to_itself_a_dead_task_and_an_ending_child() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let task = hub.spawn(gen_switcher(log.clone()));
    hub.run();
    assert_eq!(task.try_get(), Some(Ok("done")));
    assert_eq!(
        entries(&log),
        [
            "self Some(7)",
            "dead task: empty true",
            "child ended: empty true"
        ]
    );
}

#[generator(yield = Op, resume = Reply)]
fn gen_switch_then_log(log: Log) {
    let child = hub::greenlet(async { hub::sleep(ms(10)).await });
    yield_!(op::switch(&child, Value::none()));
    push(&log, "resumed");
}

// A generator killed while it waits in a switch stays dead when its child ends later.
#[test]
fn generator_killed_in_a_switch_is_not_switched_back_to() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let task = hub.spawn(gen_switch_then_log(log.clone()));
    assert!(!hub.wait(Some(ms(1))));
    task.kill();
    hub.run();
    assert!(task.killed());
    assert!(entries(&log).is_empty());
    assert_eq!(hub.now(), ms(10), "the child ran to its end");
}

// Timers fire by deadline, then in the order they were set, whatever the spans (sub-microsecond
// to seconds, where the hub's timer wheel keeps them at different levels), in both styles.
async fn async_sleeper(name: &'static str, log: Log, steps: &'static [u64]) {
    for &step in steps {
        hub::sleep(Duration::from_nanos(step)).await;
        push(&log, format!("{name}@{}", hub::now().as_nanos()));
    }
}

#[generator(yield = Op, resume = Reply)]
fn gen_sleeper(name: &'static str, log: Log, steps: &'static [u64]) {
    for &step in steps {
        yield_!(op::sleep(Duration::from_nanos(step)));
        push(&log, format!("{name}@{}", hub::now().as_nanos()));
    }
}

#[test]
fn equal_deadlines_fire_in_the_order_their_timers_were_set() {
    const SLEEPERS: [(&str, &[u64]); 6] = [
        ("a", &[3_000; 12]),
        ("b", &[5_000; 8]),
        ("c", &[15_000, 15_000, 10_000, 1 << 20, 5_000_000_000]),
        ("d", &[1, 1, 2_998, 1 << 20, 70_000_000]),
        ("e", &[40_000, (1 << 20) - 40_000, 5_000_000_000]),
        ("f", &[u64::MAX >> 2]),
    ];
    // The model: a sorted map of (deadline, order set); a woken task sets its next timer.
    let mut timers = std::collections::BTreeMap::new();
    let mut set = 0;
    for (task, (_, steps)) in SLEEPERS.iter().enumerate() {
        timers.insert((steps[0], set), (task, 0));
        set += 1;
    }
    let mut expected = Vec::new();
    while let Some(((deadline, _), (task, step))) = timers.pop_first() {
        let (name, steps) = SLEEPERS[task];
        expected.push(format!("{name}@{deadline}"));
        if let Some(next) = steps.get(step + 1) {
            timers.insert((deadline + next, set), (task, step + 1));
            set += 1;
        }
    }
    for _ in 0..2 {
        let hub = Hub::new_virtual();
        let log = Log::default();
        for (i, &(name, steps)) in SLEEPERS.iter().enumerate() {
            if i % 2 == 0 {
                hub.spawn(async_sleeper(name, log.clone(), steps));
            } else {
                hub.spawn(gen_sleeper(name, log.clone(), steps));
            }
        }
        hub.run();
        assert_eq!(entries(&log), expected);
        assert_eq!(hub.now(), Duration::from_nanos(u64::MAX >> 2));
    }
}

// A task that kills another one waiting in a switch, while it waits in a switch of its own (in a
// select), still gets switched back when its child ends: the kill gives up the killed task's
// wait, not the killer's.
#[test]
fn killing_a_task_waiting_in_a_switch_leaves_the_killers_own_switch_waiting() {
    let hub = Hub::new_virtual();
    let outcome = hub.block_on(async {
        let far = hub::spawn(async { hub::sleep(ms(1_000)).await });
        let far_ref: TaskRef = (*far).clone();
        let waiter = hub::spawn(async move {
            hub::switch(&far_ref, Value::none()).await;
            "switched back"
        });
        hub::sleep(ms(1)).await;
        assert!(waiter.started() && !waiter.dead());

        // A child whose parent is this task: when it ends, its parent is switched back into.
        let child = hub::greenlet(async { hub::sleep(ms(5)).await });
        let child_ref: TaskRef = (*child).clone();
        let switch_back = Box::pin(hub::switch(&child_ref, Value::none()));
        let early = Box::pin(hub::sleep(ms(1)));
        let switch_back = match futures::future::select(switch_back, early).await {
            futures::future::Either::Right(((), switch_back)) => switch_back,
            futures::future::Either::Left(_) => panic!("the child ends at 5 ms, not before 1 ms"),
        };
        waiter.kill();
        assert!(waiter.killed());
        switch_back.await;
        far.kill();
        hub::now()
    });
    assert_eq!(outcome, ms(6), "switched back when the child ended");
}
