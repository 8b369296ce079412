//! gevent's `test__event.py`, its two cross-thread classes (`TestAsyncResultCrossThread` and
//! `TestEventCrossThread`, gevent 26.9), ported to the hub's `Send + Sync` pair,
//! [`ThreadAsyncResult`] and [`ThreadEvent`]: one side waits in a hub on one thread, the other
//! sets from another thread. The rest of the file is `gevent_event.rs`; its tally counts these.
//!
//! Tally: 14 test methods (7 in each class); 12 ported, 2 not.
//! - Ported, in each class: `test_cross_thread_use`, `test_cross_thread_use_bg`,
//!   `test_cross_thread_use_timed`, `test_cross_thread_use_timed_bg`,
//!   `test_cross_thread_use_set_in_bg`, `test_cross_thread_use_set_in_bg2`.
//! - Not portable, in each class: `test_cross_thread_callback_can_run_before_scheduling_returns`
//!   (it swaps the hub's loop for a proxy that stalls `run_callback_threadsafe` half-way, to
//!   run a `rawlink` callback in between: the hub has no loop object to replace, and the
//!   thread-safe pair has no `rawlink`).
//!
//! These run real threads on the real clock, so they are not in `.ci/wasm-tests`.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use corogen::hub::{self, Event, Hub, ThreadAsyncResult, ThreadEvent, with_timeout};

/// The file's `DELAY`: `SMALL_TICK + SMALL_TICK_MAX_ADJ`.
const DELAY: Duration = Duration::from_millis(120);
/// The class's `BG_WAIT_DELAY`.
const BG_WAIT_DELAY: Duration = Duration::from_secs(60);

/// What the two classes vary: gevent's `_makeOne`, `_setOne`, `wait()`'s result and
/// `_check_result`.
trait CrossThread: Clone + Send + 'static {
    type Output: PartialEq + std::fmt::Debug + Send + 'static;
    fn make_one() -> Self;
    fn set_one(&self);
    /// gevent's `one.wait()`: the result's value, or the event's `True`.
    async fn wait(&self) -> Self::Output;
    /// What `_check_result` accepts.
    fn expected() -> Self::Output;
}

impl CrossThread for ThreadAsyncResult<&'static str> {
    type Output = &'static str;
    fn make_one() -> Self {
        ThreadAsyncResult::new()
    }
    fn set_one(&self) {
        self.set("from main");
    }
    async fn wait(&self) -> &'static str {
        self.get().await.expect("set with a value")
    }
    fn expected() -> &'static str {
        "from main"
    }
}

impl CrossThread for ThreadEvent {
    type Output = bool;
    fn make_one() -> Self {
        ThreadEvent::new()
    }
    fn set_one(&self) {
        self.set();
    }
    async fn wait(&self) -> bool {
        ThreadEvent::wait(self).await;
        self.is_set()
    }
    fn expected() -> bool {
        true
    }
}

/// gevent's `test_cross_thread_use(timed_wait, wait_in_bg)` (gevent issue 1739): a thread runs
/// a hub with a task spinning on a timed wait, waits there (in its main task, or in a task of
/// its own) for `one`; the main thread sets it.
fn cross_thread_use<O: CrossThread>(timed_wait: bool, wait_in_bg: bool) {
    let one = O::make_one();
    let (running_tx, running) = mpsc::channel();
    let (finished_tx, finished) = mpsc::channel();
    let thread = thread::spawn({
        let one = one.clone();
        move || {
            let hub = Hub::new();
            hub.block_on(async move {
                // Give the loop in this thread something to do.
                let g_event = Event::new();
                let spin = hub::spawn({
                    let g_event = g_event.clone();
                    async move {
                        while !g_event.is_set() {
                            let _ = with_timeout(DELAY * 2, g_event.wait()).await;
                        }
                    }
                });
                let work = async move {
                    running_tx.send(()).unwrap();
                    if timed_wait {
                        with_timeout(BG_WAIT_DELAY, one.wait()).await.ok()
                    } else {
                        Some(one.wait().await)
                    }
                };
                let result = if wait_in_bg {
                    hub::spawn(work)
                        .get()
                        .await
                        .expect("the worker does not fail")
                } else {
                    work.await
                };
                g_event.set();
                spin.join().await;
                finished_tx.send(()).unwrap();
                result
            })
        }
    });
    running.recv().unwrap();
    one.set_one();
    let _ = finished.recv_timeout(DELAY * 5);
    let result = thread.join().expect("the thread does not panic");
    assert_eq!(result, Some(O::expected()));
}

/// gevent's `test_cross_thread_use_set_in_bg`: a task of the main thread's hub starts a thread
/// that sets `one`; the main task waits for it (for `BG_WAIT_DELAY` at most).
fn cross_thread_use_set_in_bg<O: CrossThread>() {
    let one = O::make_one();
    let hub = Hub::new();
    let (result, thread) = hub.block_on({
        let one = one.clone();
        async move {
            let glet = hub::spawn({
                let one = one.clone();
                async move { thread::spawn(move || one.set_one()) }
            });
            let result = with_timeout(BG_WAIT_DELAY, one.wait()).await.ok();
            let thread = with_timeout(DELAY, glet.get())
                .await
                .expect("the starter is done")
                .expect("the starter does not fail");
            (result, thread)
        }
    });
    thread.join().expect("the thread does not panic");
    assert_eq!(result, Some(O::expected()));
}

macro_rules! cross_thread_tests {
    ($class:ident, $one:ty) => {
        mod $class {
            use super::*;

            // test_cross_thread_use
            #[test]
            fn cross_thread_use() {
                super::cross_thread_use::<$one>(false, false);
            }

            // test_cross_thread_use_bg
            #[test]
            fn cross_thread_use_bg() {
                super::cross_thread_use::<$one>(false, true);
            }

            // test_cross_thread_use_timed
            #[test]
            fn cross_thread_use_timed() {
                super::cross_thread_use::<$one>(true, false);
            }

            // test_cross_thread_use_timed_bg
            #[test]
            fn cross_thread_use_timed_bg() {
                super::cross_thread_use::<$one>(true, true);
            }

            // test_cross_thread_use_set_in_bg
            #[test]
            fn cross_thread_use_set_in_bg() {
                super::cross_thread_use_set_in_bg::<$one>();
            }

            // test_cross_thread_use_set_in_bg2: the same again, "to make sure it works
            // multiple times" (in the same process).
            #[test]
            fn cross_thread_use_set_in_bg2() {
                super::cross_thread_use_set_in_bg::<$one>();
            }
        }
    };
}

// TestAsyncResultCrossThread
cross_thread_tests!(async_result_cross_thread, ThreadAsyncResult<&'static str>);
// TestEventCrossThread
cross_thread_tests!(event_cross_thread, ThreadEvent);
