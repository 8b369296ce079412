//! gevent's `test__event.py` (gevent 26.9), ported to the hub's `Event`, `AsyncResult`,
//! `wait_on` (gevent's `wait(objects)`) and links, on the virtual clock.
//!
//! gevent's `wait(timeout=…)` returns `False`/`None` after a timeout, and `get(timeout=…)`
//! raises `Timeout`: here the wait is bounded with `with_timeout` or a `Timeout`, which gives
//! `Err`; `wait_on(…).timeout(…)` gives the objects ready so far, as gevent's `wait`.
//!
//! Tally: 46 test methods; 42 ported (30 here, 12 in `gevent_event_cross_thread.rs`), 4 not.
//! - Ported: `TestEventWait` (3), `TestGeventWaitOnEvent` (3), `TestAsyncResultWait` (2),
//!   `TestWaitAsyncResult` (2), `TestAsyncResultGet` (4), `TestAsyncResult` (5 of 6:
//!   `test_link`'s `rawlink(None)` raising `TypeError` is a compile error here, the rest is
//!   asserted), `TestAsyncResultAsLinkTarget` (2), `TestEvent_SetThenClear{,100,1000}` (3),
//!   `TestWait{,_notimeout,_count1,_count2}` (4), `TestEventBasics` (2 of 3:
//!   `test_wait_while_notifying` in part — the order of the waiters is asserted; that a loop
//!   `check` watcher does not run meanwhile is not: the hub has no loop watchers, and the
//!   waiters run in its next turn).
//! - Ported in `gevent_event_cross_thread.rs`, onto the `Send + Sync` pair `ThreadAsyncResult`
//!   and `ThreadEvent` (these `Event` and `AsyncResult` are the hub's, `!Send`):
//!   `TestAsyncResultCrossThread` and `TestEventCrossThread`, 6 of 7 each.
//! - Not portable: `TestAsyncResult.test_get_repeated_does_not_accumulate_traceback` (Python
//!   tracebacks); `TestEventBasics.test_weakref` (Python weak references);
//!   `test_cross_thread_callback_can_run_before_scheduling_returns` of both cross-thread
//!   classes (it replaces the hub's loop with a proxy; see `gevent_event_cross_thread.rs`).

use corogen::hub::{
    self, AsyncResult, Elapsed, Event, Hub, LinkId, Ready, Task, TaskError, Timeout,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// gevent.testing.timing's `SMALL_TICK`, `LARGE_TICK` and `SMALLEST_RELIABLE_DELAY`.
const SMALL_TICK: Duration = Duration::from_millis(10);
const LARGE_TICK: Duration = Duration::from_millis(200);
const SMALLEST: Duration = Duration::from_millis(1);
/// The file's `DELAY`: `SMALL_TICK + SMALL_TICK_MAX_ADJ`.
const DELAY: Duration = Duration::from_millis(120);

/// `AbstractGenericWaitTestCase`: `$wait(timeout)` waits for something that never comes and
/// returns (rather than raising) after its timeout.
macro_rules! generic_wait_tests {
    ($name:ident, |$t:ident| $wait:expr) => {
        mod $name {
            use super::*;

            // test_returns_none_after_timeout
            #[test]
            fn returns_none_after_timeout() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let $t = LARGE_TICK;
                    let start = hub::now();
                    $wait.await;
                    assert_eq!(hub::now() - start, LARGE_TICK);
                });
            }

            // test_outer_timeout_is_not_lost
            #[test]
            fn outer_timeout_is_not_lost() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let outer = Timeout::start(SMALLEST).with_error("outer");
                    let $t = Duration::from_secs(1);
                    assert_eq!(outer.run($wait).await, Err("outer"));
                    assert_eq!(hub::now(), SMALLEST);
                });
            }
        }
    };
}

// TestEventWait: Event().wait(timeout=…)
generic_wait_tests!(event_wait, |t| async move {
    assert_eq!(
        hub::with_timeout(t, Event::new().wait()).await,
        Err(Elapsed)
    );
});
// TestGeventWaitOnEvent: gevent.wait([Event()], timeout=…)
generic_wait_tests!(gevent_wait_on_event, |t| async move {
    let event = Event::new();
    assert!(hub::wait_on([&event]).timeout(t).await.is_empty());
});
// TestAsyncResultWait: AsyncResult().wait(timeout=…)
generic_wait_tests!(async_result_wait, |t| async move {
    let result: AsyncResult<()> = AsyncResult::new();
    assert_eq!(hub::with_timeout(t, result.wait()).await, Err(Elapsed));
});
// TestWaitAsyncResult: gevent.wait([AsyncResult()], timeout=…)
generic_wait_tests!(wait_async_result, |t| async move {
    let result: AsyncResult<()> = AsyncResult::new();
    assert!(hub::wait_on([&result]).timeout(t).await.is_empty());
});

// TestEventWait.test_cover
#[test]
fn event_cover() {
    assert_eq!(format!("{:?}", Event::new()), "Event { set: false }");
}

// TestGeventWaitOnEvent.test_set_during_wait (gevent issue 771): a wait begun by a task that a
// set woke, after clearing the event, is not over at once.
#[test]
fn set_during_wait() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let event = Event::new();
        let waiter = hub::spawn({
            let event = event.clone();
            async move {
                let s = hub::spawn({
                    let event = event.clone();
                    async move { event.set() }
                });
                event.wait().await;
                assert!(event.ready());
                s.join().await;
                event.clear();
                assert!(!event.ready());
                let o = hub::wait_on([&event]).timeout(SMALL_TICK).await;
                assert!(!event.ready());
                assert!(!o.contains(&&event));
            }
        });
        waiter.get().await.unwrap();
    });
}

// TestAsyncResultGet: AsyncResult().get(timeout=…) raises.
mod async_result_get {
    use super::*;

    // test_raises_timeout_number
    #[test]
    fn raises_timeout_number() {
        let hub = Hub::new_virtual();
        hub.block_on(async {
            let result: AsyncResult<()> = AsyncResult::new();
            assert_eq!(
                hub::with_timeout(SMALL_TICK, result.get()).await,
                Err(Elapsed)
            );
            assert_eq!(hub::now(), SMALL_TICK);
        });
    }

    // test_raises_timeout_Timeout
    #[test]
    fn raises_timeout_timeout() {
        let hub = Hub::new_virtual();
        hub.block_on(async {
            let result: AsyncResult<()> = AsyncResult::new();
            let timeout = Timeout::new(SMALL_TICK);
            assert_eq!(timeout.run(result.get()).await, Err(Elapsed));
            assert!(timeout.expired());
            assert_eq!(hub::now(), SMALL_TICK);
        });
    }

    // test_raises_timeout_Timeout_exc_customized
    #[test]
    fn raises_timeout_timeout_exc_customized() {
        let hub = Hub::new_virtual();
        hub.block_on(async {
            let result: AsyncResult<()> = AsyncResult::new();
            let timeout = Timeout::new(SMALL_TICK).with_error("expected error");
            assert_eq!(timeout.run(result.get()).await, Err("expected error"));
        });
    }

    // test_outer_timeout_is_not_lost
    #[test]
    fn outer_timeout_is_not_lost() {
        let hub = Hub::new_virtual();
        hub.block_on(async {
            let result: AsyncResult<()> = AsyncResult::new();
            let outer = Timeout::start(SMALLEST).with_error("outer");
            let inner = hub::with_timeout(Duration::from_secs(1), result.get());
            assert_eq!(outer.run(inner).await, Err("outer"));
        });
    }
}

#[derive(Clone, Debug, PartialEq)]
struct MyException(&'static str);

// TestAsyncResult.test_link: unlinking what is not linked does not fail (rawlink(None), a
// TypeError in gevent, does not compile here).
#[test]
fn async_result_link() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let ar: AsyncResult<u8> = AsyncResult::new();
        let elsewhere = Event::new();
        let not_ars: LinkId = elsewhere.rawlink(|_| {});
        assert!(!ar.unlink(not_ars));
        assert!(!ar.unlink(not_ars));
        assert_eq!(format!("{ar:?}"), "AsyncResult { ready: false }");
    });
}

// TestAsyncResult.test_set_exc
#[test]
fn async_result_set_exc() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let e: AsyncResult<(), MyException> = AsyncResult::new();
        assert_eq!(e.exception(), None);
        hub::spawn({
            let (e, log) = (e.clone(), log.clone());
            async move {
                let caught = e.get().await.unwrap_err();
                log.borrow_mut().push(("caught", caught));
            }
        });
        let obj = MyException("obj");
        e.set_exception(obj.clone());
        hub::sleep(Duration::ZERO).await;
        assert_eq!(*log.borrow(), [("caught", obj)]);
    });
}

// TestAsyncResult.test_set: a Timeout of 0 fires before a set due later.
#[test]
fn async_result_set() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let event1: AsyncResult<&str> = AsyncResult::new();
        let g = hub::spawn_later(DELAY, {
            let event1 = event1.clone();
            async move { event1.set("hello event1") }
        });
        let timer_exc = MyException("interrupted");
        let timeout = Timeout::start(Duration::ZERO).with_error(timer_exc.clone());
        assert_eq!(timeout.run(event1.get()).await, Err(timer_exc));
        g.kill();
    });
}

// TestAsyncResult.test_set_with_timeout
#[test]
fn async_result_set_with_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let event2: AsyncResult<&str> = AsyncResult::new();
        let x = Ok("X");
        let result = hub::with_timeout(DELAY, event2.get())
            .await
            .unwrap_or(x.clone());
        assert_eq!(
            result, x,
            "Nobody sent anything to event2 yet it received {result:?}"
        );
    });
}

// TestAsyncResult.test_nonblocking_get: get(block=False) and get_nowait() on an empty result.
#[test]
fn async_result_nonblocking_get() {
    let ar: AsyncResult<u8> = AsyncResult::new();
    assert_eq!(ar.try_get(), None);
    assert_eq!(ar.try_get(), None);
}

/// An `AsyncResult` as a link target (gevent's `AsyncResult.__call__`): the task's value, or
/// its error.
fn set_from(result: &AsyncResult<i32, TaskError>) -> impl FnOnce(&Task<i32>) + 'static {
    let result = result.clone();
    move |task| match (task.value(), task.exception()) {
        (Some(value), _) => result.set(value),
        (_, Some(error)) => result.set_exception(error),
        _ => result.set_exception(TaskError::Killed),
    }
}

// TestAsyncResultAsLinkTarget.test_set
#[test]
fn async_result_as_link_target_set() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let g = hub::spawn(async { 1 });
        let (s1, s2, s3) = (AsyncResult::new(), AsyncResult::new(), AsyncResult::new());
        g.link(set_from(&s1));
        g.link_value(set_from(&s2));
        g.link_exception(set_from(&s3));
        assert_eq!(s1.get().await, Ok(1));
        assert_eq!(s2.get().await, Ok(1));
        let x = Ok(-1);
        assert_eq!(
            hub::with_timeout(DELAY, s3.get())
                .await
                .unwrap_or(x.clone()),
            x
        );
    });
}

// TestAsyncResultAsLinkTarget.test_set_exception
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn async_result_as_link_target_set_exception() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let g: Task<i32> = hub::spawn(async {
            panic!("TestAsyncResultAsLinkTarget.test_set_exception");
        });
        let (s1, s2, s3) = (AsyncResult::new(), AsyncResult::new(), AsyncResult::new());
        g.link(set_from(&s1));
        g.link_value(set_from(&s2));
        g.link_exception(set_from(&s3));
        let expected = TaskError::Panicked("TestAsyncResultAsLinkTarget.test_set_exception".into());
        assert_eq!(s1.get().await, Err(expected.clone()));
        let x = Ok(-1);
        assert_eq!(
            hub::with_timeout(DELAY, s2.get())
                .await
                .unwrap_or(x.clone()),
            x
        );
        assert_eq!(s3.get().await, Err(expected));
    });
}

/// `TestEvent_SetThenClear`: `n` waiters, a set and a clear at once: they all wake.
fn set_then_clear(n: usize) {
    let hub = Hub::new_virtual();
    hub.block_on(async move {
        let e = Event::new();
        let waiters: Vec<_> = (0..n)
            .map(|_| {
                let e = e.clone();
                hub::spawn(async move { e.wait().await })
            })
            .collect();
        hub::sleep(SMALLEST).await;
        e.set();
        e.clear();
        for greenlet in &waiters {
            greenlet.join().await;
        }
    });
}

// TestEvent_SetThenClear.test
#[test]
fn event_set_then_clear() {
    set_then_clear(1);
}

// TestEvent_SetThenClear100.test
#[test]
fn event_set_then_clear_100() {
    set_then_clear(100);
}

// TestEvent_SetThenClear1000.test
#[test]
fn event_set_then_clear_1000() {
    set_then_clear(1000);
}

/// `TestWait.test` and its subclasses: waiting on events and results set one by one.
fn wait_test(count: Option<usize>, timeout: Option<Duration>) {
    const N: usize = 5;
    let period = Duration::from_millis(10); // the class's timeout (1 s) / 100
    let hub = Hub::new_virtual();
    hub.block_on(async move {
        let events: Vec<Event> = (0..N).map(|_| Event::new()).collect();
        let asyncs: Vec<AsyncResult<()>> = (0..N).map(|_| AsyncResult::new()).collect();
        let max_len = events.len() + asyncs.len();
        let sender = hub::spawn({
            let (mut events, mut asyncs) = (events.clone(), asyncs.clone());
            async move {
                while !events.is_empty() || !asyncs.is_empty() {
                    hub::sleep(period).await;
                    if let Some(event) = events.pop() {
                        event.set();
                    }
                    hub::sleep(period).await;
                    if let Some(result) = asyncs.pop() {
                        result.set(());
                    }
                }
            }
        });
        let objects: Vec<&dyn Ready> = events
            .iter()
            .map(|e| e as &dyn Ready)
            .chain(asyncs.iter().map(|a| a as &dyn Ready))
            .collect();
        let mut wait = hub::wait_on(objects);
        if let Some(count) = count {
            wait = wait.count(count);
        }
        if let Some(timeout) = timeout {
            wait = wait.timeout(timeout);
        }
        let results = wait.await;
        let mut expected_len = match timeout {
            None => max_len,
            Some(timeout) => max_len.min((timeout.as_millis() / period.as_millis()) as usize),
        };
        match count {
            None => assert!(sender.ready()),
            Some(count) => {
                expected_len = expected_len.min(count);
                assert!(!sender.ready());
                sender.kill();
            }
        }
        assert_eq!(results.len(), expected_len);
    });
}

// TestWait.test
#[test]
fn wait_on_events_and_results() {
    wait_test(None, Some(Duration::from_secs(1)));
}

// TestWait_notimeout.test
#[test]
fn wait_on_events_and_results_notimeout() {
    wait_test(None, None);
}

// TestWait_count1.test
#[test]
fn wait_on_events_and_results_count1() {
    wait_test(Some(1), Some(Duration::from_secs(1)));
}

// TestWait_count2.test
#[test]
fn wait_on_events_and_results_count2() {
    wait_test(Some(2), Some(Duration::from_secs(1)));
}

// TestEventBasics.test_wait_while_notifying (gevent issue 1520): a task that calls wait() on an
// event being set, while the waiters it woke have not run yet, runs after them.
#[test]
fn wait_while_notifying() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let event = Event::new();
        let results = Rc::new(RefCell::new(Vec::new()));
        let wait_then_append = |arg| {
            let (event, results) = (event.clone(), results.clone());
            async move {
                event.wait().await;
                results.borrow_mut().push(arg);
            }
        };
        hub::spawn(wait_then_append(1));
        hub::spawn(wait_then_append(2));
        hub::wait(None).await; // gevent.idle()
        assert_eq!(event.linkcount(), 2);
        event.set();
        wait_then_append(3).await;
        assert_eq!(*results.borrow(), [1, 2, 3]);
    });
}

// TestEventBasics.test_gevent_wait_twice_when_already_set
#[test]
fn gevent_wait_twice_when_already_set() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let event = Event::new();
        event.set();
        assert_eq!(hub::wait_on([&event]).await, [&event]);
        assert_eq!(hub::wait_on([&event]).await, [&event]);
    });
}
