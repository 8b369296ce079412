//! `ThreadEvent` and `ThreadAsyncResult`: set from other threads and other hubs, or from the
//! same hub; timeouts, kills and panics while waiting; both task styles. The tests without
//! threads also run on wasm32-wasip1 (.ci/wasm-tests).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use corogen::hub::{
    self, Elapsed, Hub, Op, Reply, ThreadAsyncResult, ThreadEvent, op, with_timeout,
};
use corogen::prelude::*;

#[test]
fn a_set_from_another_task_of_the_hub_wakes_the_waiters() {
    let hub = Hub::new_virtual();
    let event = ThreadEvent::new();
    let woke = Rc::new(Cell::new(0));
    for _ in 0..3 {
        let (event, woke) = (event.clone(), Rc::clone(&woke));
        hub.spawn(async move {
            event.wait().await;
            woke.set(woke.get() + 1);
            hub::now()
        });
    }
    hub.spawn({
        let event = event.clone();
        async move {
            hub::sleep(Duration::from_secs(2)).await;
            event.set();
        }
    });
    hub.run();
    assert_eq!(woke.get(), 3);
    assert_eq!(hub.now(), Duration::from_secs(2));
    // Set already: a wait is over at once.
    hub.block_on(event.wait());
}

#[test]
fn a_set_wakes_the_waiters_even_if_the_flag_is_cleared_before_they_run() {
    let hub = Hub::new_virtual();
    let event = ThreadEvent::new();
    let waiter = hub.spawn({
        let event = event.clone();
        async move { event.wait().await }
    });
    hub.spawn({
        let event = event.clone();
        async move {
            event.set();
            event.clear();
        }
    });
    hub.run();
    assert!(waiter.dead() && !event.is_set());
}

#[test]
fn a_generator_task_waits_with_op_wait() {
    #[generator(yield = Op, resume = Reply)]
    fn waiter(event: ThreadEvent, result: ThreadAsyncResult<u32>) -> u32 {
        yield_!(op::wait(&event));
        yield_!(op::wait(&result));
        result.value().unwrap()
    }
    let hub = Hub::new_virtual();
    let event = ThreadEvent::new();
    let result = ThreadAsyncResult::new();
    let task = hub.spawn(waiter(event.clone(), result.clone()));
    hub.spawn(async move {
        hub::sleep(Duration::from_secs(1)).await;
        event.set();
        hub::sleep(Duration::from_secs(1)).await;
        result.set(42);
    });
    hub.run();
    assert_eq!(task.try_get(), Some(Ok(42)));
    assert_eq!(hub.now(), Duration::from_secs(2));
}

#[test]
fn a_wait_times_out_and_leaves_nothing_registered() {
    let hub = Hub::new_virtual();
    let event = ThreadEvent::new();
    let result: ThreadAsyncResult<u8> = ThreadAsyncResult::new();
    let timed_out = hub.block_on(async {
        let first = with_timeout(Duration::from_secs(1), event.wait()).await;
        let second = with_timeout(Duration::from_secs(1), result.get()).await;
        (first, second)
    });
    assert_eq!(timed_out, (Err(Elapsed), Err(Elapsed)));
    assert_eq!(hub.now(), Duration::from_secs(2));
    // No waker is left behind: a hub with nothing else to do is idle at once.
    hub.run();
    event.set();
    result.set(1);
    hub.run();
}

#[test]
fn a_task_killed_while_waiting_gives_its_wait_up() {
    let hub = Hub::new_virtual();
    let event = ThreadEvent::new();
    let cleaned = Rc::new(Cell::new(false));
    let waiter = hub.spawn({
        let (event, cleaned) = (event.clone(), Rc::clone(&cleaned));
        async move {
            struct Cleanup(Rc<Cell<bool>>);
            impl Drop for Cleanup {
                fn drop(&mut self) {
                    self.0.set(true);
                }
            }
            let _cleanup = Cleanup(cleaned);
            event.wait().await;
        }
    });
    hub.spawn({
        let waiter = waiter.clone();
        async move {
            hub::sleep(Duration::from_secs(1)).await;
            waiter.kill();
        }
    });
    // Returns: the killed task's waker left the list, so nothing can wake the hub.
    hub.run();
    assert!(waiter.killed() && cleaned.get());
    event.set();
    hub.run();
}

#[test]
#[cfg(panic = "unwind")]
fn a_task_that_panics_while_waiting_leaves_the_others_their_wake() {
    let hub = Hub::new_virtual();
    let event = ThreadEvent::new();
    // The panicking task registers, then panics with its wait alive (polled by hand).
    let panicker = hub.spawn({
        let event = event.clone();
        async move {
            let mut wait = Box::pin(event.wait());
            std::future::poll_fn(|cx| {
                assert!(wait.as_mut().poll(cx).is_pending());
                std::task::Poll::Ready(())
            })
            .await;
            panic!("holding a wait");
        }
    });
    let waiter = hub.spawn({
        let event = event.clone();
        async move { event.wait().await }
    });
    hub.spawn({
        let event = event.clone();
        async move {
            hub::sleep(Duration::from_secs(1)).await;
            event.set();
        }
    });
    hub.run();
    assert!(panicker.exception().is_some());
    assert!(waiter.dead() && waiter.successful());
}

/// A value whose clone panics the first time: the getter panics while the result's lock is
/// held.
#[cfg(panic = "unwind")]
#[derive(Debug)]
struct Fragile(u32, std::sync::Arc<std::sync::atomic::AtomicBool>);

#[cfg(panic = "unwind")]
impl Clone for Fragile {
    fn clone(&self) -> Self {
        if !self.1.swap(true, std::sync::atomic::Ordering::SeqCst) {
            panic!("the first clone fails");
        }
        Fragile(self.0, std::sync::Arc::clone(&self.1))
    }
}

#[test]
#[cfg(panic = "unwind")]
fn a_clone_that_panics_in_get_leaves_the_result_usable() {
    let hub = Hub::new_virtual();
    let result: ThreadAsyncResult<Fragile> = ThreadAsyncResult::new();
    let first = hub.spawn({
        let result = result.clone();
        async move { result.get().await.map(|value| value.0) }
    });
    hub.spawn({
        let result = result.clone();
        async move {
            hub::sleep(Duration::from_secs(1)).await;
            result.set(Fragile(9, Default::default()));
        }
    });
    hub.run();
    assert!(first.exception().is_some());
    assert!(result.ready() && result.successful());
    assert_eq!(hub.block_on(result.get()).map(|value| value.0), Ok(9));
    assert_eq!(result.value().map(|value| value.0), Some(9));
}

#[test]
fn an_error_reaches_every_waiter() {
    let hub = Hub::new_virtual();
    let result: ThreadAsyncResult<u8> = ThreadAsyncResult::new();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let result = result.clone();
            hub.spawn(async move { result.get().await })
        })
        .collect();
    result.set_exception("failed".to_owned());
    hub.run();
    for reader in readers {
        assert_eq!(reader.try_get(), Some(Ok(Err("failed".to_owned()))));
    }
    assert_eq!(result.exception().as_deref(), Some("failed"));
    assert!(result.ready() && !result.successful());
}

#[cfg(not(target_family = "wasm"))]
mod threads {
    use super::*;
    use std::thread;
    use std::time::Instant;

    #[test]
    fn a_set_from_another_thread_wakes_a_parked_hub() {
        let hub = Hub::new();
        let event = ThreadEvent::new();
        let setter = thread::spawn({
            let event = event.clone();
            move || {
                thread::sleep(Duration::from_millis(20));
                event.set();
            }
        });
        let start = Instant::now();
        let task = hub.spawn({
            let event = event.clone();
            async move { event.wait().await }
        });
        // The waiting task keeps `run` going until the other thread sets the event.
        hub.run();
        assert!(task.dead());
        assert!(start.elapsed() >= Duration::from_millis(20));
        setter.join().unwrap();
    }

    #[test]
    fn a_set_from_another_thread_cuts_a_timed_park_short() {
        let hub = Hub::new();
        let result: ThreadAsyncResult<String> = ThreadAsyncResult::new();
        let worker = thread::spawn({
            let result = result.clone();
            move || {
                thread::sleep(Duration::from_millis(10));
                result.set("from the thread".to_owned());
            }
        });
        let got = hub.block_on(async {
            // A timer keeps the hub waiting in real time meanwhile.
            hub::spawn(hub::sleep(Duration::from_millis(50)));
            with_timeout(Duration::from_secs(20), result.get()).await
        });
        assert_eq!(got, Ok(Ok("from the thread".to_owned())));
        worker.join().unwrap();
    }

    #[test]
    fn hubs_on_two_threads_signal_each_other() {
        let ping = ThreadEvent::new();
        let pong: ThreadAsyncResult<u32> = ThreadAsyncResult::new();
        let other = thread::spawn({
            let (ping, pong) = (ping.clone(), pong.clone());
            move || {
                let hub = Hub::new();
                hub.block_on(async {
                    ping.wait().await;
                    pong.set(7);
                });
            }
        });
        let hub = Hub::new();
        let got = hub.block_on(async {
            hub::sleep(Duration::from_millis(5)).await;
            ping.set();
            pong.get().await
        });
        assert_eq!(got, Ok(7));
        other.join().unwrap();
    }

    #[test]
    fn many_threads_set_many_events_waited_on_by_one_hub() {
        let hub = Hub::new();
        let events: Vec<ThreadEvent> = (0..16).map(|_| ThreadEvent::new()).collect();
        let tasks: Vec<_> = events
            .iter()
            .map(|event| {
                let event = event.clone();
                hub.spawn(async move { event.wait().await })
            })
            .collect();
        let setters: Vec<_> = events
            .iter()
            .cloned()
            .map(|event| thread::spawn(move || event.set()))
            .collect();
        hub.run();
        assert!(tasks.iter().all(|task| task.dead()));
        for setter in setters {
            setter.join().unwrap();
        }
    }
}
