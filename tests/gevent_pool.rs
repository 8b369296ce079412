//! gevent's `test__pool.py` (gevent 26.9), ported to the hub's `Pool`, on the virtual clock.
//!
//! gevent raises the mapped function's exception; here a task that panics gives
//! `TaskError::Panicked` with the message: `map` gives the first error in the order of the
//! items, `imap`/`imap_unordered` give it in place of that task's result and go on. gevent's
//! `list(pool.imap(…))` in the main greenlet is `IMap` read as a `Stream` in a task (or as an
//! `Iterator` outside the hub). Timings are gevent's, exact on the virtual clock; random sleeps
//! are a fixed pseudo-random sequence.
//!
//! Tally: 132 test methods; 130 ported, 2 not.
//! - Ported: `TestCoroutinePool` 5 of 6, `PoolBasicTests` 7 of 8, `TestPool`, `TestPool2`,
//!   `TestPool3`, `TestPool10`, `TestPoolUnlimit` (21 each: 105), `TestPool0` 1,
//!   `TestJoinSleep` 2, `TestJoinSleep_raise_error` 2, `TestJoinEmpty` 1, `TestSpawn` 2,
//!   `TestErrorInIterator` 2, `TestErrorInHandler` 3.
//! - Not portable: `TestCoroutinePool.test_stderr_raising` (replaces `sys.stderr` so that
//!   printing a greenlet's traceback raises; the hub prints no traceback of its own), and
//!   `PoolBasicTests.test_init_error` (`Pool(-1)`: a size is a `usize`).

use corogen::hub::{self, Elapsed, Event, Hub, IMap, Pool, PoolFull, Queue, TaskError};
use corogen::prelude::*;
use futures::FutureExt;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The file's `TIMEOUT1`, `TIMEOUT2`.
const TIMEOUT1: Duration = Duration::from_millis(82);
const TIMEOUT2: Duration = Duration::from_millis(35);
const SMALL_RANGE: u64 = 10;
const LARGE_RANGE: u64 = 1000;
/// gevent.testing.timing's `LARGE_TICK` and `SMALLEST_RELIABLE_DELAY`.
const LARGE_TICK: Duration = Duration::from_millis(200);
const SMALLEST: Duration = Duration::from_millis(1);

async fn sqr(x: u64) -> u64 {
    x * x
}

/// `sqr(x, wait)`.
async fn sqr_wait(x: u64, wait: Duration) -> u64 {
    hub::sleep(wait).await;
    x * x
}

/// `sqr_random_sleep`: a sleep of up to 100 ms, the same for the same `x`.
async fn sqr_random_sleep(x: u64) -> u64 {
    let random = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57; // 0..128
    hub::sleep(ms(random * 100 / 128)).await;
    x * x
}

fn squares(n: u64) -> Vec<u64> {
    (0..n).map(|x| x * x).collect()
}

/// `list(it)`: the results, which must all be values.
async fn list<T: 'static>(mut it: IMap<T>) -> Vec<T> {
    let mut all = Vec::new();
    while let Some(result) = it.next().await {
        all.push(result.unwrap());
    }
    all
}

async fn sorted(it: IMap<u64>) -> Vec<u64> {
    let mut all = list(it).await;
    all.sort_unstable();
    all
}

// TestCoroutinePool.test_apply_async
#[test]
fn coroutine_pool_apply_async() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let done = Event::new();
        let pool = Pool::new(2);
        let set = done.clone();
        pool.apply_async(async move { set.set() });
        done.wait().await;
    });
}

// TestCoroutinePool.test_apply
#[test]
fn coroutine_pool_apply() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let pool = Pool::new(2);
        assert_eq!(
            pool.apply(async { "return value" }).await,
            Ok("return value")
        );
    });
}

// TestCoroutinePool.test_apply_raises
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn coroutine_pool_apply_raises() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let pool = Pool::new(1);
        let raised = pool.apply(async { panic!("ExpectedException") }).await;
        assert_eq!(
            raised,
            Err::<(), _>(TaskError::Panicked("ExpectedException".into()))
        );
    });
}

// TestCoroutinePool.test_multiple_coros
#[test]
fn coroutine_pool_multiple_coros() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let evt = Event::new();
        let results = Rc::new(RefCell::new(Vec::new()));
        let producer = {
            let (evt, results) = (evt.clone(), results.clone());
            async move {
                hub::sleep(SMALLEST).await;
                results.borrow_mut().push("prod");
                evt.set();
            }
        };
        let consumer = {
            let (evt, results) = (evt.clone(), results.clone());
            async move {
                results.borrow_mut().push("cons1");
                evt.wait().await;
                results.borrow_mut().push("cons2");
            }
        };
        let pool = Pool::new(2);
        let done = pool.spawn(consumer).await;
        pool.apply_async(producer);
        done.get().await.unwrap();
        assert_eq!(*results.borrow(), ["cons1", "prod", "cons2"]);
    });
}

// TestCoroutinePool.test_reentrant: apply from a task of a full pool runs in that task.
#[test]
fn coroutine_pool_reentrant() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let pool = Pool::new(1);
        let inner = pool.clone();
        let result = pool
            .apply(async move { inner.apply(async { 5 + 1 }).await })
            .await;
        assert_eq!(result, Ok(Ok(6)));
        let evt = Event::new();
        let set = evt.clone();
        pool.apply_async(async move { set.set() });
        evt.wait().await;
    });
}

// PoolBasicTests.test_execute_async: apply_async never blocks, even on a full pool.
#[test]
fn basic_execute_async() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(2);
        assert_eq!(p.free_count(), 2);
        let r = Rc::new(RefCell::new(Vec::new()));
        let append = |n| {
            let r = r.clone();
            async move { r.borrow_mut().push(n) }
        };
        let first = p.spawn(append(1)).await;
        assert_eq!(p.free_count(), 1);
        first.get().await.unwrap();
        assert_eq!(*r.borrow(), [1]);
        hub::sleep(Duration::ZERO).await;
        assert_eq!(p.free_count(), 2);
        // Once the pool is exhausted, an apply_async goes on in a task of its own.
        p.apply_async(append(2));
        assert_eq!(p.free_count(), 1);
        assert_eq!(*r.borrow(), [1]);
        p.apply_async(append(3));
        assert_eq!(p.free_count(), 0);
        assert_eq!(*r.borrow(), [1]);
        p.apply_async(append(4));
        assert_eq!(*r.borrow(), [1]);
        hub::sleep(ms(10)).await;
        let mut got = r.borrow().clone();
        got.sort_unstable();
        assert_eq!(got, [1, 2, 3, 4]);
    });
}

// PoolBasicTests.test_discard: a task discarded gives its slot back.
#[test]
fn basic_discard() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let first = p.spawn(hub::sleep(ms(1_000_000))).await;
        p.discard(&first);
        first.kill();
        assert!(!first.started() && first.dead());
        assert_eq!(p.len(), 0);
        assert_eq!(p.free_count(), 1);
    });
}

// PoolBasicTests.test_add_method
#[test]
fn basic_add_method() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let first = hub::spawn(hub::sleep(ms(1_000_000)));
        let second = hub::spawn(hub::sleep(ms(1_000_000)));
        assert_eq!(p.free_count(), 1);
        assert_eq!(p.len(), 0);
        p.add(&first, None).await.unwrap();
        assert_eq!(p.free_count(), 0);
        assert_eq!(p.len(), 1);
        assert_eq!(
            hub::with_timeout(ms(100), p.add(&second, None)).await,
            Err(Elapsed)
        );
        assert_eq!(p.free_count(), 0);
        assert_eq!(p.len(), 1);
        second.kill();
        first.kill();
    });
}

// PoolBasicTests.test_add_method_non_blocking
#[test]
fn basic_add_method_non_blocking() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let first = hub::spawn(hub::sleep(ms(1_000_000)));
        let second = hub::spawn(hub::sleep(ms(1_000_000)));
        p.add(&first, None).await.unwrap();
        assert!(matches!(p.try_add(&second), Err(PoolFull(()))));
        second.kill();
        first.kill();
    });
}

// PoolBasicTests.test_add_method_timeout
#[test]
fn basic_add_method_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let first = hub::spawn(hub::sleep(ms(1_000_000)));
        let second = hub::spawn(hub::sleep(ms(1_000_000)));
        p.add(&first, None).await.unwrap();
        assert!(matches!(
            p.add(&second, Some(ms(100))).await,
            Err(PoolFull(()))
        ));
        assert_eq!(hub::now(), ms(100));
        second.kill();
        first.kill();
    });
}

// PoolBasicTests.test_start_method_timeout
#[test]
fn basic_start_method_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let first = hub::spawn(hub::sleep(ms(1_000_000)));
        let second = hub::greenlet(hub::sleep(ms(1_000_000)));
        p.add(&first, None).await.unwrap();
        assert!(matches!(
            p.start(&second, Some(ms(100))).await,
            Err(PoolFull(()))
        ));
        assert!(!second.started());
        second.kill();
        first.kill();
    });
}

// PoolBasicTests.test_apply
#[test]
fn basic_apply() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::unbounded();
        let foo = |a| async move { ("foo", a) };
        let result = p.apply(foo(1)).await;
        assert_eq!(result, Ok(("foo", 1)));
    });
}

/// gevent's `TestPool` and its subclasses, for a pool of `$size` (`$make` makes it).
macro_rules! pool_tests {
    ($name:ident, $make:expr, $size:expr) => {
        mod $name {
            use super::*;

            fn pool() -> Pool {
                $make
            }

            // test_apply
            #[test]
            fn apply() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    assert_eq!(pool.apply(sqr(5)).await, Ok(25));
                    assert_eq!(pool.apply(sqr(3)).await, Ok(9)); // gevent passes x=3 by name
                    pool.join().await.unwrap();
                });
            }

            // test_map
            #[test]
            fn map() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    assert_eq!(
                        pool.map(sqr, 0..SMALL_RANGE).await,
                        Ok(squares(SMALL_RANGE))
                    );
                    assert_eq!(pool.map(sqr, 0..100).await, Ok(squares(100)));
                });
            }

            // test_async
            #[test]
            fn async_() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    let res = pool.apply_async(sqr_wait(7, TIMEOUT1));
                    let start = hub::now();
                    assert_eq!(res.get().await, Ok(49));
                    assert_eq!(hub::now() - start, TIMEOUT1);
                });
            }

            // test_async_callback
            #[test]
            fn async_callback() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    let result = Rc::new(RefCell::new(Vec::new()));
                    let res = pool.apply_async(sqr_wait(7, TIMEOUT1));
                    let callback = result.clone();
                    res.link_value(move |task| callback.borrow_mut().push(task.value().unwrap()));
                    let start = hub::now();
                    assert_eq!(res.value(), None);
                    res.join().await;
                    assert_eq!(res.value(), Some(49));
                    assert_eq!(hub::now() - start, TIMEOUT1);
                    hub::sleep(Duration::ZERO).await; // lets the callback run
                    assert_eq!(*result.borrow(), [49]);
                });
            }

            // test_async_timeout
            #[test]
            fn async_timeout() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    let res = pool.apply_async(sqr_wait(6, TIMEOUT2 + ms(200)));
                    let start = hub::now();
                    assert_eq!(hub::with_timeout(TIMEOUT2, res.get()).await, Err(Elapsed));
                    assert_eq!(hub::now() - start, TIMEOUT2);
                    pool.join().await.unwrap();
                });
            }

            // test_imap_list_small
            #[test]
            fn imap_list_small() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let it = pool().imap(sqr, 0..SMALL_RANGE);
                    assert_eq!(list(it).await, squares(SMALL_RANGE));
                });
            }

            /// `test_imap_it_*`: `next(it)` for each item, then `StopIteration`.
            async fn imap_it(n: u64) {
                let mut it = pool().imap(sqr, 0..n);
                for i in 0..n {
                    assert_eq!(it.next().await, Some(Ok(i * i)));
                }
                assert_eq!(it.next().await, None);
            }

            // test_imap_it_small
            #[test]
            fn imap_it_small() {
                Hub::new_virtual().block_on(imap_it(SMALL_RANGE));
            }

            // test_imap_it_large
            #[test]
            fn imap_it_large() {
                Hub::new_virtual().block_on(imap_it(LARGE_RANGE));
            }

            // test_imap_random
            #[test]
            fn imap_random() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let it = pool().imap(sqr_random_sleep, 0..SMALL_RANGE);
                    assert_eq!(list(it).await, squares(SMALL_RANGE));
                });
            }

            // test_imap_unordered
            #[test]
            fn imap_unordered() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    let it = pool.imap_unordered(sqr, 0..LARGE_RANGE);
                    assert_eq!(sorted(it).await, squares(LARGE_RANGE));
                    let it = pool.imap_unordered(sqr, 0..LARGE_RANGE);
                    assert_eq!(sorted(it).await, squares(LARGE_RANGE));
                });
            }

            // test_imap_unordered_random
            #[test]
            fn imap_unordered_random() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let it = pool().imap_unordered(sqr_random_sleep, 0..SMALL_RANGE);
                    assert_eq!(sorted(it).await, squares(SMALL_RANGE));
                });
            }

            // test_empty_imap_unordered
            #[test]
            fn empty_imap_unordered() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let it = pool().imap_unordered(sqr, Vec::new());
                    assert_eq!(list(it).await, Vec::<u64>::new());
                });
            }

            // test_empty_imap
            #[test]
            fn empty_imap() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let it = pool().imap(sqr, Vec::new());
                    assert_eq!(list(it).await, Vec::<u64>::new());
                });
            }

            // test_empty_map
            #[test]
            fn empty_map() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    assert_eq!(pool().map(sqr, Vec::new()).await, Ok(Vec::new()));
                });
            }

            // test_terminate: killing the pool ends a map in progress at once.
            #[test]
            fn terminate() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    let size: Option<usize> = $size;
                    let n = size.unwrap_or(10) * 2;
                    let mapping = pool.clone();
                    let result =
                        hub::spawn(async move { mapping.map(hub::sleep, vec![ms(100); n]).await });
                    hub::sleep(ms(100)).await;
                    let start = hub::now();
                    pool.kill();
                    assert!(hub::now() - start <= ms(500));
                    result.join().await;
                });
            }

            fn sleep(x: u64) -> impl std::future::Future<Output = String> {
                async move {
                    hub::sleep(ms(x * 100)).await;
                    x.to_string()
                }
            }

            // test_imap_unordered_sleep: imap_unordered gives results in completion order.
            #[test]
            fn imap_unordered_sleep() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let pool = pool();
                    let result = list(pool.imap_unordered(sleep, [10, 1, 2])).await;
                    let expected = if pool.size() == 1 {
                        ["10", "1", "2"]
                    } else {
                        ["1", "2", "10"]
                    };
                    assert_eq!(result, expected);
                });
            }

            // test_imap_no_stop (gevent issue 423): a queue's items until it is closed.
            #[test]
            fn imap_no_stop() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let q = Queue::new();
                    q.put(123).await;
                    let closer = q.clone();
                    hub::spawn_later(ms(100), async move { closer.shutdown(false) });
                    let result = list(pool().imap(|x: u64| async move { x }, q)).await;
                    assert_eq!(result, [123]);
                });
            }

            // test_imap_unordered_no_stop
            #[test]
            fn imap_unordered_no_stop() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let q = Queue::new();
                    q.put(1234).await;
                    let closer = q.clone();
                    hub::spawn_later(ms(100), async move { closer.shutdown(false) });
                    let result = list(pool().imap_unordered(|x: u64| async move { x }, q)).await;
                    assert_eq!(result, [1234]);
                });
            }

            // test_imap_final_sleep (gevent issue 311): items that wait after the last one.
            #[test]
            fn imap_final_sleep() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let result = list(pool().imap(sqr, final_sleep())).await;
                    assert_eq!(result, [0, 1, 4]);
                });
            }

            // test_imap_unordered_final_sleep
            #[test]
            fn imap_unordered_final_sleep() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let result = list(pool().imap_unordered(sqr, final_sleep())).await;
                    assert_eq!(result, [0, 1, 4]);
                });
            }

            // test_imap_unordered_bounded_queue (gevent issue 638): with a maxsize, the
            // tasks do not run ahead of a slow reader; two iterables, zipped.
            #[test]
            fn imap_unordered_bounded_queue() {
                let hub = Hub::new_virtual();
                hub.block_on(async {
                    let iterable: Vec<u64> = (0..100).collect();
                    let running = Rc::new(Cell::new(0u64));
                    for ordered in [false, true] {
                        running.set(0);
                        let counter = running.clone();
                        let short_running_func = move |(i, _j): (u64, u64)| {
                            counter.set(counter.get() + 1);
                            async move { i }
                        };
                        let items = iterable.clone().into_iter().zip(iterable.clone());
                        let pool = pool();
                        let mut mapping = if ordered {
                            pool.imap(short_running_func, items)
                        } else {
                            pool.imap_unordered(short_running_func, items)
                        }
                        .maxsize(1);
                        let mut l = Vec::new();
                        let mut i = 0;
                        while let Some(x) = mapping.next().await {
                            assert!(running.get() <= i + 2, "{}", running.get());
                            l.push(x.unwrap());
                            hub::sleep(ms(10)).await;
                            assert!(mapping.buffered() <= 2, "{}", mapping.buffered());
                            i += 1;
                        }
                        l.sort_unstable();
                        assert_eq!(l, iterable);
                    }
                });
            }
        }
    };
}

/// `final_sleep`: three items, then a sleep before the end.
#[generator(yield = u64)]
async fn final_sleep() {
    for i in 0..3 {
        yield_!(i);
    }
    hub::sleep(ms(200)).await;
}

// TestPool
pool_tests!(pool_1, Pool::new(1), Some(1));
// TestPool2
pool_tests!(pool_2, Pool::new(2), Some(2));
// TestPool3
pool_tests!(pool_3, Pool::new(3), Some(3));
// TestPool10
pool_tests!(pool_10, Pool::new(10), Some(10));
// TestPoolUnlimit
pool_tests!(pool_unlimited, Pool::unbounded(), None);

// TestPool0.test_wait_full
#[test]
fn pool_0_wait_full() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(0);
        assert_eq!(p.free_count(), 0);
        assert!(p.full());
        assert_eq!(p.wait_available(Some(ms(10))).await, 0);
        assert_eq!(hub::now(), ms(10));
    });
}

/// `TestJoinSleep`'s wait: a pool's join, with a timeout, of a task that sleeps longer.
async fn join_sleep(timeout: Duration, raise_error: bool) {
    let p = Pool::unbounded();
    let g = p.spawn(hub::sleep(ms(10_000))).await;
    let ended = p.join().timeout(timeout).raise_error(raise_error).await;
    assert_eq!(ended, Ok(Vec::new()));
    g.kill();
}

// TestJoinSleep.test_returns_none_after_timeout
#[test]
fn join_sleep_returns_none_after_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(join_sleep(LARGE_TICK, false));
    assert_eq!(hub.now(), LARGE_TICK);
}

// TestJoinSleep.test_outer_timeout_is_not_lost
#[test]
fn join_sleep_outer_timeout_is_not_lost() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let outer = hub::Timeout::start(SMALLEST).with_error("outer");
        let joined = outer.run(join_sleep(Duration::from_secs(1), false)).await;
        assert_eq!(joined, Err("outer"));
    });
}

// TestJoinSleep_raise_error.test_returns_none_after_timeout
#[test]
fn join_sleep_raise_error_returns_none_after_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(join_sleep(LARGE_TICK, true));
    assert_eq!(hub.now(), LARGE_TICK);
}

// TestJoinSleep_raise_error.test_outer_timeout_is_not_lost
#[test]
fn join_sleep_raise_error_outer_timeout_is_not_lost() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let outer = hub::Timeout::start(SMALLEST).with_error("outer");
        let joined = outer.run(join_sleep(Duration::from_secs(1), true)).await;
        assert_eq!(joined, Err("outer"));
    });
}

// TestJoinEmpty.test: joining an empty pool is over at once (without switching).
#[test]
fn join_empty() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::unbounded();
        let res = p.join().into_future().now_or_never();
        assert_eq!(res, Some(Ok(Vec::new())), "empty should return true");
        assert!(p.is_empty());
    });
}

// TestSpawn.test: a spawn on a full pool waits for the old task to finish.
#[test]
fn spawn_waits_for_a_slot() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        assert_eq!(p.len(), 0);
        p.spawn(hub::sleep(ms(100))).await;
        assert_eq!(p.len(), 1);
        p.spawn(hub::sleep(ms(100))).await; // this spawn waits until the old one finishes
        assert_eq!(p.len(), 1);
        hub::sleep(ms(190)).await;
        assert_eq!(p.len(), 0);
    });
}

// TestSpawn.testSpawnAndWait
#[test]
fn spawn_and_wait() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        assert_eq!(p.len(), 0);
        p.spawn(hub::sleep(ms(100))).await;
        assert_eq!(p.len(), 1);
        p.join().timeout(ms(10)).await.unwrap();
        assert!(!p.is_empty(), "waiting on a full pool should return false");
        p.join().await.unwrap();
        assert!(p.is_empty(), "waiting to finish should be true");
        assert_eq!(p.len(), 0);
    });
}

/// `error_iter`: 1, 2, then raises.
#[cfg(panic = "unwind")]
fn error_iter() -> impl Iterator<Item = u64> {
    [1, 2]
        .into_iter()
        .chain(std::iter::from_fn(|| panic!("ExpectedException")))
}

// TestErrorInIterator.test: an error of the items reaches the caller of map.
#[cfg(panic = "unwind")] // the items panic: wasm has no unwinding
#[test]
fn error_in_iterator() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(3);
        let mapping = hub::spawn(async move { p.map(|_| async {}, error_iter()).await });
        mapping.join().await;
        assert_eq!(
            mapping.exception(),
            Some(TaskError::Panicked("ExpectedException".into()))
        );
        hub::sleep(SMALLEST).await;
    });
}

// TestErrorInIterator.test_unordered
#[cfg(panic = "unwind")] // the items panic: wasm has no unwinding
#[test]
fn error_in_iterator_unordered() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(3);
        let mut it = p.imap_unordered(|_| async {}, error_iter());
        let mut results = Vec::new();
        while let Some(result) = it.next().await {
            results.push(result);
        }
        assert!(results.contains(&Err(TaskError::Panicked("ExpectedException".into()))));
        hub::sleep(SMALLEST).await;
    });
}

/// `divide_by`: `1.0 / x`, raising for 0 (Rust's float division does not).
#[cfg(panic = "unwind")]
async fn divide_by(x: u32) -> f64 {
    assert!(x != 0, "ZeroDivisionError: float division by zero");
    1.0 / f64::from(x)
}

#[cfg(panic = "unwind")]
fn zero_division() -> TaskError {
    TaskError::Panicked("ZeroDivisionError: float division by zero".into())
}

// TestErrorInHandler.test_map
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn error_in_handler_map() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(3);
        assert_eq!(p.map(divide_by, [1, 0, 2]).await, Err(zero_division()));
    });
}

// TestErrorInHandler.test_imap: the error comes in the place of its item; the others go on.
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn error_in_handler_imap() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let mut it = p.imap(divide_by, [1, 0, 2]);
        assert_eq!(it.next().await, Some(Ok(1.0)));
        assert_eq!(it.next().await, Some(Err(zero_division())));
        assert_eq!(it.next().await, Some(Ok(0.5)));
        assert_eq!(it.next().await, None);
    });
}

// TestErrorInHandler.test_imap_unordered
#[cfg(panic = "unwind")] // a task panics: wasm has no unwinding
#[test]
fn error_in_handler_imap_unordered() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p = Pool::new(1);
        let mut it = p.imap_unordered(divide_by, [1, 0, 2]);
        assert_eq!(it.next().await, Some(Ok(1.0)));
        assert_eq!(it.next().await, Some(Err(zero_division())));
        assert_eq!(it.next().await, Some(Ok(0.5)));
        assert_eq!(it.next().await, None);
    });
}

// gevent's `list(pool.imap(…))` from the main greenlet: the Iterator, outside the hub.
#[test]
fn imap_as_an_iterator_outside_the_hub() {
    let hub = Hub::new_virtual();
    let it = hub.block_on(async { Pool::new(2).imap(|x| sqr_wait(x, ms(10)), 0..5) });
    let got: Vec<u64> = it.map(Result::unwrap).collect();
    assert_eq!(got, squares(5));
    assert_eq!(hub.now(), ms(30));
}
