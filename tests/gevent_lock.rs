//! gevent's `test__lock.py` (gevent 26.9): none of its methods can be ported; below, the
//! scenarios of its `RLock` tests between tasks instead of threads (not ports: gevent runs them
//! between threads).
//!
//! Tally: 7 test methods; 0 ported, 7 not.
//! - `TestRLockMultiThread` (6, inherited from `test__semaphore.TestSemaphoreMultiThread`): an
//!   `RLock` shared between threads; the hub's `RLock` is `!Send`, each hub on its own thread.
//! - `TestLockReinitAfterFork.test_it`: `os.fork()` in a monkey-patched process.
//!
//! The re-entrant lock's own behaviour (re-entry, timeouts, kills and panics while holding it)
//! is tested in `hub_primitives.rs`.

use corogen::hub::{self, Elapsed, Hub, RLock};
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// After _do_test_acquire_in_one_then_another(release=True): acquired in one task, another
// waits for it, and gets it once released.
#[test]
fn acquire_in_one_then_another() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lock = RLock::new();
        lock.acquire().await;
        let other = hub::spawn({
            let lock = lock.clone();
            async move {
                lock.acquire().await;
                let owned = lock.is_owned();
                lock.release().unwrap();
                owned
            }
        });
        hub::sleep(ms(10)).await;
        assert!(!other.dead(), "it waits while the lock is held");
        lock.release().unwrap();
        assert_eq!(other.get().await, Ok(true));
        assert!(!lock.locked());
    });
}

// After test_acquire_in_one_then_another_timed: the other gives up after its timeout, and a
// release then notifies nobody.
#[test]
fn acquire_in_one_then_another_timed() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lock = RLock::new();
        lock.acquire().await;
        let other = hub::spawn({
            let lock = lock.clone();
            async move { hub::with_timeout(ms(1), lock.acquire()).await }
        });
        assert_eq!(other.get().await, Ok(Err(Elapsed)));
        assert_eq!(lock.waiting(), 0);
        lock.release().unwrap();
        assert!(!lock.locked());
    });
}

// After test_acquire_in_one_wait_greenlet_wait_thread_gives_up: a task woken for the lock
// holds it while another, arriving then, gives up after its timeout.
#[test]
fn acquire_in_one_wait_task_other_gives_up() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let lock = RLock::new();
        lock.acquire().await;
        let glet = hub::spawn({
            let lock = lock.clone();
            async move {
                lock.acquire().await;
                let late = hub::spawn({
                    let lock = lock.clone();
                    async move { hub::with_timeout(ms(200), lock.acquire()).await }
                });
                hub::sleep(ms(200)).await;
                (true, late.get().await)
            }
        });
        hub::sleep(Duration::ZERO).await;
        lock.release().unwrap();
        let (acquired, late) = glet.get().await.unwrap();
        assert!(acquired);
        assert_eq!(late, Ok(Err(Elapsed)));
        assert!(glet.dead());
    });
}
