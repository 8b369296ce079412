//! The primitives of gevent's second round, beyond what gevent's own tests check: for each,
//! timeouts, kills while waiting, and panics (or kills) while holding. Virtual clock.

use corogen::hub::{
    self, Channel, Elapsed, Event, Group, Hub, LifoQueue, Local, Op, Pool, PriorityQueue, Queue,
    RLock, Reply, Semaphore, Timeout, op,
};
use corogen::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

#[path = "support/hub_log.rs"]
mod hub_log;
use hub_log::{Log, entries, ms, push};

// --- RLock ---

#[test]
fn rlock_is_reentrant_for_its_holder_only() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lock = RLock::new();
        lock.acquire().await;
        lock.acquire().await;
        assert!(lock.try_acquire());
        assert_eq!((lock.count(), lock.is_owned()), (3, true));
        let other = hub::spawn({
            let lock = lock.clone();
            async move { (lock.try_acquire(), lock.is_owned(), lock.release()) }
        });
        assert_eq!(
            other.get().await,
            Ok((false, false, Err(hub::NotHeld))),
            "another task neither takes nor releases it"
        );
        for _ in 0..3 {
            lock.release().unwrap();
        }
        assert!(!lock.locked());
        assert_eq!(lock.release(), Err(hub::NotHeld));
    });
}

#[test]
fn rlock_waits_time_out_and_kills_while_waiting_take_nothing() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let l = log.clone();
    hub.block_on(async move {
        let lock = RLock::new();
        let guard = lock.lock().await;
        let impatient = hub::spawn({
            let lock = lock.clone();
            async move { hub::with_timeout(ms(5), lock.lock()).await.map(drop) }
        });
        let killed = hub::spawn({
            let lock = lock.clone();
            async move { drop(lock.lock().await) }
        });
        let patient = hub::spawn({
            let (lock, l) = (lock.clone(), l.clone());
            async move {
                let _guard = lock.lock().await;
                push(&l, format!("patient in at {:?}", hub::now()));
            }
        });
        hub::sleep(ms(1)).await;
        assert_eq!(lock.waiting(), 3);
        killed.kill();
        assert_eq!(impatient.get().await, Ok(Err(Elapsed)));
        assert_eq!(lock.waiting(), 1);
        hub::sleep(ms(5)).await;
        drop(guard);
        patient.join().await;
        assert!(!lock.locked());
    });
    assert_eq!(entries(&log), ["patient in at 10ms"]);
}

#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn an_rlock_held_twice_by_a_task_that_panics_is_released() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lock = RLock::new();
        let holder = hub::spawn({
            let lock = lock.clone();
            async move {
                let _outer = lock.lock().await;
                let _inner = lock.lock().await;
                hub::sleep(ms(1)).await;
                panic!("holding it twice");
            }
        });
        let next = hub::spawn({
            let lock = lock.clone();
            async move {
                let _guard = lock.lock().await;
                hub::now()
            }
        });
        assert!(next.get().await == Ok(ms(1)) && holder.exception().is_some());
        assert!(!lock.locked());
    });
}

#[test]
fn an_rlock_held_by_a_killed_task_is_released() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lock = RLock::new();
        let holder = hub::spawn({
            let lock = lock.clone();
            async move {
                let _guard = lock.lock().await;
                hub::sleep(ms(100)).await;
            }
        });
        hub::sleep(ms(1)).await;
        assert!(lock.locked());
        holder.kill();
        assert!(!lock.locked());
    });
}

#[generator(yield = Op, resume = Reply)]
fn gen_reentrant(lock: RLock) -> usize {
    yield_!(op::wait(&lock));
    yield_!(op::wait(&lock)); // its holder: at once
    let count = lock.count();
    lock.release().unwrap();
    lock.release().unwrap();
    count
}

#[test]
fn a_generator_task_takes_an_rlock_again() {
    let hub = Hub::new_virtual();
    let lock = RLock::new();
    let task = hub.spawn(gen_reentrant(lock.clone()));
    hub.run();
    assert_eq!(task.try_get(), Some(Ok(2)));
    assert!(!lock.locked());
}

// --- Channel ---

#[test]
fn a_channel_put_that_times_out_or_is_killed_takes_its_item_back() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let channel = Channel::new();
        assert_eq!(
            hub::with_timeout(ms(5), channel.put("late")).await,
            Err(Elapsed)
        );
        let killed = hub::spawn({
            let channel = channel.clone();
            async move { channel.put("killed").await }
        });
        hub::sleep(ms(1)).await;
        assert_eq!(channel.balance(), 1);
        killed.kill();
        assert_eq!(channel.balance(), 0);
        assert_eq!(channel.try_get(), None);
        let sender = channel.clone();
        hub::spawn(async move { sender.put("on time").await });
        assert_eq!(channel.get().await, "on time");
    });
}

#[test]
fn a_channel_getter_killed_after_it_was_woken_passes_the_item_on() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let channel = Channel::new();
        let first = hub::spawn({
            let channel = channel.clone();
            async move { channel.get().await }
        });
        let second = hub::spawn({
            let channel = channel.clone();
            async move { channel.get().await }
        });
        hub::sleep(ms(1)).await;
        assert_eq!(channel.balance(), -2);
        channel.try_put(7).unwrap(); // wakes `first`
        first.kill(); // before it ran
        assert_eq!(second.get().await, Ok(7));
    });
}

// --- Queues ---

#[test]
fn lifo_and_priority_queues_wake_their_getters() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lifo = LifoQueue::bounded(2);
        let waiter = hub::spawn({
            let lifo = lifo.clone();
            async move { lifo.get().await }
        });
        hub::sleep(ms(1)).await;
        lifo.put(1).await;
        assert_eq!(waiter.get().await, Ok(1));
        for i in 2..=3 {
            lifo.put(i).await;
        }
        assert!(lifo.is_full());
        assert_eq!((lifo.try_get(), lifo.try_get()), (Some(3), Some(2)));

        let priority = PriorityQueue::new();
        for job in [5, 1, 3] {
            priority.put(job).await;
        }
        assert_eq!(priority.peek().await, 1);
        let mut order = Vec::new();
        while let Some(job) = priority.try_get() {
            order.push(job);
        }
        assert_eq!(order, [1, 3, 5]);
        assert_eq!(priority.unfinished_tasks(), 3);
    });
}

#[test]
fn a_queue_join_times_out_and_a_killed_worker_leaves_it_unfinished() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let jobs = Queue::new();
        jobs.try_put(1u64).unwrap();
        let worker = hub::spawn({
            let jobs = jobs.clone();
            async move {
                let secs = jobs.get().await;
                hub::sleep(Duration::from_secs(secs)).await;
                jobs.task_done().unwrap();
            }
        });
        assert_eq!(hub::with_timeout(ms(10), jobs.join()).await, Err(Elapsed));
        worker.kill();
        assert_eq!(jobs.unfinished_tasks(), 1);
        assert_eq!(hub::with_timeout(ms(10), jobs.join()).await, Err(Elapsed));
        jobs.task_done().unwrap();
        jobs.join().await;
    });
}

#[test]
fn a_peeking_task_does_not_keep_a_getter_from_its_item() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let queue = Queue::new();
        let peeker = hub::spawn({
            let queue = queue.clone();
            async move { queue.peek().await }
        });
        let getter = hub::spawn({
            let queue = queue.clone();
            async move { queue.get().await }
        });
        hub::sleep(ms(1)).await;
        queue.try_put("item").unwrap(); // one item, one wake-one: both are woken
        assert_eq!(getter.get().await, Ok("item"));
        assert_eq!(peeker.get().await, Ok("item"));
        assert!(queue.is_empty());
    });
}

#[test]
fn a_queue_shut_down_wakes_its_readers_and_keeps_its_items_for_them() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let queue: Queue<u32> = Queue::bounded(2);
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let queue = queue.clone();
                hub::spawn(async move { queue.recv().await })
            })
            .collect();
        hub::sleep(ms(1)).await;
        queue.try_put(1).unwrap();
        queue.shutdown(false);
        let mut got = Vec::new();
        for reader in &readers {
            got.push(reader.get().await.unwrap());
        }
        assert_eq!(got, [Some(1), None, None]);
        assert!(queue.is_shutdown());
    });
}

#[cfg(panic = "unwind")] // tasks panic: wasm has no unwinding
#[test]
fn a_get_or_put_waiting_when_the_queue_shuts_down_panics() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let full = Queue::bounded(1);
        full.try_put(0).unwrap();
        let putter = hub::spawn({
            let full = full.clone();
            async move { full.put(1).await }
        });
        let empty: Queue<u8> = Queue::new();
        let getter = hub::spawn({
            let empty = empty.clone();
            async move { empty.get().await }
        });
        hub::sleep(ms(1)).await;
        full.shutdown(true);
        empty.shutdown(false);
        putter.join().await;
        getter.join().await;
        for error in [putter.exception(), getter.exception()] {
            let message = error.unwrap().to_string();
            assert!(message.contains("shut down"), "{message}");
        }
        assert_eq!(full.unfinished_tasks(), 0, "dropped at once, marked done");
    });
}

// --- wait_on, iwait, links ---

#[test]
fn wait_on_takes_nothing_and_a_killed_waiter_leaves_no_trace() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let sem = Semaphore::new(0);
        let queue: Queue<u8> = Queue::new();
        let watcher = hub::spawn({
            let (sem, queue) = (sem.clone(), queue.clone());
            async move {
                let ready = hub::wait_on([&sem as &dyn hub::Ready, &queue])
                    .count(2)
                    .await;
                ready.len()
            }
        });
        let killed = hub::spawn({
            let sem = sem.clone();
            async move { hub::wait_on([&sem]).await.len() }
        });
        let taker = hub::spawn({
            let sem = sem.clone();
            async move { sem.acquire().await }
        });
        hub::sleep(ms(1)).await;
        killed.kill();
        assert_eq!(sem.linkcount(), 2, "the watcher and the taker");
        sem.release(); // the watcher sees it, the taker takes it
        queue.try_put(9).unwrap();
        assert_eq!(watcher.get().await, Ok(2));
        taker.join().await;
        assert_eq!((sem.available(), sem.linkcount()), (0, 0));
        assert_eq!(queue.try_get(), Some(9), "the queue kept its item");
    });
}

#[test]
fn iwait_stops_at_its_count_or_its_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let tasks: Vec<_> = (1..=4)
            .map(|i| hub::spawn(hub::sleep(ms(i * 10))))
            .collect();
        let mut first_two = hub::iwait(&tasks).count(2);
        let mut seen = Vec::new();
        while let Some(task) = first_two.next().await {
            seen.push(task.id());
        }
        assert_eq!(seen, [tasks[0].id(), tasks[1].id()]);
        let mut by_35ms = hub::iwait(&tasks[2..]).timeout(ms(15));
        assert_eq!(by_35ms.next().await.map(|t| t.id()), Some(tasks[2].id()));
        assert!(by_35ms.next().await.is_none());
        assert_eq!(hub::now(), ms(35));
    });
}

#[test]
fn a_link_unlinked_never_runs_and_one_made_on_a_set_event_runs_soon() {
    let hub = Hub::new_virtual();
    let log = Log::default();
    let l = log.clone();
    hub.block_on(async move {
        let event = Event::new();
        let (a, b) = (l.clone(), l.clone());
        let gone = event.rawlink(move |_| push(&a, "unlinked"));
        event.rawlink(move |_| push(&b, "linked"));
        assert!(event.unlink(gone));
        assert!(!event.unlink(gone));
        event.set();
        assert_eq!(event.linkcount(), 0);
        let c = l.clone();
        event.rawlink(move |_| push(&c, "late"));
        assert!(entries(&l).is_empty(), "links run from the loop");
        hub::sleep(Duration::ZERO).await;
    });
    assert_eq!(entries(&log), ["linked", "late"]);
}

#[test]
fn a_link_of_a_hub_dropped_never_runs() {
    let fired = Rc::new(Cell::new(false));
    let event = Event::new();
    let hub = Hub::new_virtual();
    hub.block_on({
        let (event, fired) = (event.clone(), fired.clone());
        async move {
            event.rawlink(move |_| fired.set(true));
        }
    });
    drop(hub);
    event.set();
    assert!(!fired.get());
}

// --- Local ---

struct Noisy(Rc<RefCell<Vec<&'static str>>>, &'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        self.0.borrow_mut().push(self.1);
    }
}

#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn a_tasks_local_values_go_when_it_panics_is_killed_or_its_hub_is_dropped() {
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let local: Local<Noisy> = Local::new();
    let hub = Hub::new_virtual();
    let value = |name| Noisy(dropped.clone(), name);
    let (panicking, killed, forever) = (value("panicked"), value("killed"), value("forever"));
    let panicker = hub.spawn({
        let local = local.clone();
        async move {
            local.set(panicking);
            hub::sleep(ms(1)).await;
            panic!("with a local value");
        }
    });
    let victim = hub.spawn({
        let local = local.clone();
        async move {
            local.set(killed);
            hub::sleep(ms(100)).await;
        }
    });
    hub.spawn({
        let local = local.clone();
        async move {
            local.set(forever);
            std::future::pending::<()>().await;
        }
    });
    assert!(!hub.wait(Some(ms(2))));
    assert!(panicker.exception().is_some());
    assert_eq!(*dropped.borrow(), ["panicked"]);
    victim.kill();
    assert_eq!(*dropped.borrow(), ["panicked", "killed"]);
    assert_eq!(local.len(), 1);
    drop(hub);
    assert_eq!(*dropped.borrow(), ["panicked", "killed", "forever"]);
    assert!(local.is_empty());
}

#[cfg(panic = "unwind")] // a destructor panics: wasm has no unwinding
#[test]
fn a_local_value_that_panics_when_dropped_does_not_stop_the_hub() {
    struct Bad;
    impl Drop for Bad {
        fn drop(&mut self) {
            panic!("a local's value panics as it is dropped");
        }
    }
    let hub = Hub::new_virtual();
    let local: Local<Bad> = Local::new();
    let l = local.clone();
    let task = hub.spawn(async move {
        l.set(Bad);
    });
    let after = hub.spawn(async {
        hub::sleep(ms(1)).await;
        "the hub goes on"
    });
    hub.run();
    assert_eq!(task.try_get(), Some(Ok(())));
    assert_eq!(after.try_get(), Some(Ok("the hub goes on")));
    assert!(local.is_empty());
}

// --- Pool and Group ---

// gevent's group forgets a greenlet as it dies; so does a Group, whichever way the task ends,
// with no turn of the hub in between (no sleep(0) for the links).
#[test]
fn a_group_forgets_a_dead_task_at_once() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let group = Group::new();
        let returns = group.spawn(hub::sleep(ms(1)));
        let killed = group.spawn(hub::sleep(ms(100)));
        let killed_nowait = group.spawn(hub::sleep(ms(100)));
        assert_eq!(group.len(), 3);
        returns.join().await;
        assert_eq!(group.len(), 2, "gone as it returned");
        killed.kill();
        assert_eq!(group.len(), 1, "gone as the kill returned");
        killed_nowait.kill_nowait();
        assert_eq!(
            group.len(),
            1,
            "not dead yet: killed at the hub's next turn"
        );
        killed_nowait.join().await;
        assert!(group.is_empty(), "gone as it was killed");
    });
}

#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn a_group_forgets_a_task_that_panics_at_once() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let group = Group::new();
        let panics = group.spawn(async {
            hub::sleep(ms(1)).await;
            panic!("boom");
        });
        assert_eq!(group.len(), 1);
        panics.join().await;
        assert!(group.is_empty(), "gone as it panicked");
    });
}

#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn a_pool_task_that_panics_or_is_killed_frees_its_slot_at_once() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let pool = Pool::new(1);
        let panicking = pool
            .spawn(async {
                hub::sleep(ms(1)).await;
                panic!("in the pool");
            })
            .await;
        panicking.join().await;
        assert_eq!((pool.free_count(), pool.len()), (1, 0));
        let sleeper = pool.spawn(hub::sleep(ms(100))).await;
        assert!(pool.full());
        pool.killone(&sleeper);
        assert_eq!((pool.free_count(), pool.len()), (1, 0));
    });
}

#[test]
fn an_apply_async_waiting_for_a_slot_and_killed_takes_none() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let pool = Pool::new(1);
        let busy = pool.spawn(hub::sleep(ms(10))).await;
        let waiting = pool.apply_async(async { 1 });
        hub::sleep(ms(1)).await;
        waiting.kill();
        busy.join().await;
        assert_eq!((pool.free_count(), pool.len()), (1, 0));
        assert_eq!(pool.apply(async { 2 }).await, Ok(2));
    });
}

#[test]
fn dropping_an_imap_stops_taking_items() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let pool = Pool::new(1);
        let taken = Rc::new(Cell::new(0));
        let counter = taken.clone();
        let items = (0..100).inspect(move |_| counter.set(counter.get() + 1));
        let mut it = pool.imap(|x: u64| async move { x }, items);
        assert_eq!(it.next().await, Some(Ok(0)));
        drop(it);
        let so_far = taken.get();
        hub::sleep(ms(10)).await;
        assert_eq!(taken.get(), so_far);
        assert!(so_far < 100);
    });
}

#[test]
fn group_killone_kills_only_its_own_tasks() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let group = Group::new();
        let member = group.spawn(hub::sleep(ms(10)));
        let outsider = hub::spawn(hub::sleep(ms(10)));
        group.killone(&outsider);
        assert!(!outsider.dead());
        group.killone_nowait(&member);
        assert!(!member.dead() && group.len() == 1);
        hub::sleep(Duration::ZERO).await;
        assert!(member.killed() && group.is_empty());
        outsider.kill();
    });
}

// --- Timeout ---

#[test]
fn a_timeout_restarted_or_cancelled_inside_its_run_moves_its_deadline() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let timeout = Timeout::new(ms(10));
        let ran = timeout
            .run(async {
                hub::sleep(ms(8)).await;
                timeout.restart(); // now due at 18ms
                hub::sleep(ms(8)).await;
                hub::now()
            })
            .await;
        assert_eq!(ran, Ok(ms(16)));
        assert!(!timeout.pending() && !timeout.expired());
        let again = timeout.run(hub::sleep(ms(100))).await;
        assert_eq!(
            again,
            Err(Elapsed),
            "a second run guards until the same deadline"
        );
        assert_eq!(hub::now(), ms(18));
        assert!(timeout.expired() && timeout.deadline().is_none());
    });
}

#[test]
fn a_task_killed_inside_a_timeouts_run_leaves_it_not_pending() {
    let hub = Hub::new_virtual();
    let timeout = Rc::new(RefCell::new(None));
    let t = timeout.clone();
    hub.block_on(async move {
        let inside = hub::spawn({
            let t = t.clone();
            async move {
                let timeout = Timeout::new(ms(100));
                let pending = Rc::new(timeout);
                *t.borrow_mut() = Some(pending.clone());
                let _ = pending.run(std::future::pending::<()>()).await;
            }
        });
        hub::sleep(ms(1)).await;
        assert!(t.borrow().as_ref().unwrap().pending());
        inside.kill();
        assert!(!t.borrow().as_ref().unwrap().pending());
    });
    assert_eq!(hub.now(), ms(1));
}
