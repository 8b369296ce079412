//! gevent's `test__greenletset.py` (gevent 26.9), ported to the hub's `Group` and `killall`, on
//! the virtual clock (its timings are exact here).
//!
//! Tally: 9 test methods; 7 ported, 2 not.
//! - Ported: `test_basic`, `test_waitall`, `test_kill_block`, `test_kill_noblock`,
//!   `test_killall_subclass`, `test_killall_iterable_argument_non_block`,
//!   `test_killall_iterable_argument_timeout_not_started`.
//! - Not portable: `test_kill_fires_once` and `test_killall_iterable_argument_timeout_started`:
//!   their greenlets catch `GreenletExit` and go on (one counts its "shots", the other sleeps
//!   on in its `except`); a Rust task cannot refuse its kill, which drops its future.

use corogen::hub::{self, Group, Hub, Task, TaskRef};
use std::time::Duration;

/// gevent.testing.timing's `LARGE_TICK` and `LARGE_TICK_MIN_ADJ`; the file's `DELAY`.
const LARGE_TICK: Duration = Duration::from_millis(200);
const LARGE_TICK_MIN_ADJ: Duration = Duration::from_millis(100);
const DELAY: Duration = LARGE_TICK;

// Test.test_basic
#[test]
fn basic() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Group::new();
        s.spawn(hub::sleep(LARGE_TICK));
        assert_eq!(s.len(), 1, "{s:?}");
        s.spawn(hub::sleep(LARGE_TICK * 5));
        assert_eq!(s.len(), 2, "{s:?}");
        hub::sleep(Duration::ZERO).await;
        hub::sleep(LARGE_TICK * 2 + LARGE_TICK_MIN_ADJ).await;
        assert_eq!(s.len(), 1, "{s:?}");
        hub::sleep(LARGE_TICK * 5 + LARGE_TICK_MIN_ADJ).await;
        assert!(s.is_empty());
    });
}

// Test.test_waitall
#[test]
fn waitall() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Group::new();
        s.spawn(hub::sleep(DELAY));
        s.spawn(hub::sleep(DELAY * 2));
        assert_eq!(s.len(), 2, "{s:?}");
        let start = hub::now();
        s.join().raise_error(true).await.unwrap();
        let delta = hub::now() - start;
        assert!(s.is_empty());
        assert_eq!(s.len(), 0);
        assert_eq!(delta, DELAY * 2);
    });
}

// Test.test_kill_block
#[test]
fn kill_block() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Group::new();
        s.spawn(hub::sleep(DELAY));
        s.spawn(hub::sleep(DELAY * 2));
        assert_eq!(s.len(), 2, "{s:?}");
        let start = hub::now();
        s.kill();
        assert!(s.is_empty());
        assert_eq!(s.len(), 0);
        assert!(hub::now() - start < DELAY * 8 / 10);
    });
}

// Test.test_kill_noblock
#[test]
fn kill_noblock() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Group::new();
        s.spawn(hub::sleep(DELAY));
        s.spawn(hub::sleep(DELAY * 2));
        assert_eq!(s.len(), 2, "{s:?}");
        s.kill_nowait();
        assert_eq!(s.len(), 2, "{s:?}");
        hub::sleep(Duration::from_micros(100)).await;
        assert!(s.is_empty());
        assert_eq!(s.len(), 0);
    });
}

// Test.test_killall_subclass: a group of two tasks (one that would raise) killed.
#[test]
fn killall_subclass() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let p1: Task<i32> = hub::spawn(async {
            let zero = std::hint::black_box(0);
            1 / zero
        });
        let p2 = hub::spawn(hub::sleep(Duration::from_secs(10)));
        let s: Group = [p1.as_ref(), p2.as_ref()].into_iter().collect();
        s.kill();
        assert!(p1.killed() && p2.killed());
    });
}

// Test.test_killall_iterable_argument_non_block
#[test]
fn killall_iterable_argument_non_block() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let half = Duration::from_millis(500);
        let s: Vec<TaskRef> = (0..2)
            .map(|_| hub::spawn(hub::sleep(half)).into_ref())
            .collect();
        hub::killall_nowait(&s);
        hub::sleep(half).await;
        for g in &s {
            assert!(g.dead());
        }
    });
}

// Test.test_killall_iterable_argument_timeout_not_started: tasks killed before they run are
// dead within the timeout.
#[test]
fn killall_iterable_argument_timeout_not_started() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let f = || async {
            hub::sleep(Duration::from_millis(1500)).await;
        };
        let s = [hub::spawn(f()), hub::spawn(f())];
        let killed = hub::killall_timeout(&s, Duration::from_millis(500)).await;
        assert_eq!(killed, Ok(()));
        for g in &s {
            assert!(g.dead(), "{g}");
        }
    });
}
