//! gevent's `test__timeout.py` (gevent 26.9), ported to the hub's `Timeout`, on the virtual
//! clock.
//!
//! A Python `with Timeout(…)` block is a [`Timeout::run`] here; a timeout that fires gives
//! the run `Err` with its error (`Elapsed`, or the value of
//! [`with_error`](Timeout::with_error), gevent's exception argument); gevent's `False`
//! (silent) is the caller's `.ok()`. "Switching to the hub" forever is awaiting
//! `std::future::pending()`.
//!
//! Tally: 11 test methods; 10 ported, 1 not.
//! - Ported: `TestDirectRaise` (2: raising a timeout that was never started: it is not
//!   pending), `Test.test_expires`, `test_expires_false`, `test_expires_str`,
//!   `test_context_manager`, `test_context_manager_false` (in part: its `str()` ending with
//!   `(silent)` is not asserted, a Rust timeout has no silent flag to show), `test_context_manager_str`,
//!   `test_cancel`, `test_with_timeout`.
//! - Not portable: `test_expires_non_exception` (a `TypeError` for an exception that is not an
//!   exception: any Rust value can be a timeout's error).

use corogen::hub::{self, Elapsed, Hub, Timeout};
use std::future::pending;
use std::time::Duration;

const SHOULD_EXPIRE: Duration = Duration::from_millis(10);
const SHOULD_NOT_EXPIRE: Duration = Duration::from_millis(20);

// TestDirectRaise.test_direct_raise_class
#[test]
fn direct_raise_class() {
    let t = Timeout::new(None);
    assert!(!t.pending(), "{t:?}");
}

// TestDirectRaise.test_direct_raise_instance
#[test]
fn direct_raise_instance() {
    let timeout = Timeout::new(None);
    let t = &timeout;
    assert!(std::ptr::eq(t, &timeout));
    assert!(!t.pending(), "{t:?}");
}

/// `_check_expires`: the timeout, started, fires; restarted, it fires again; then it is closed.
async fn check_expires<E: Clone + PartialEq + std::fmt::Debug>(timeout: Timeout<E>, error: E) {
    timeout.restart();
    assert_eq!(timeout.run(pending::<()>()).await, Err(error.clone()));
    timeout.restart();
    assert_eq!(timeout.run(pending::<()>()).await, Err(error));
    timeout.cancel(); // close
    assert!(!timeout.pending());
}

// Test.test_expires
#[test]
fn expires() {
    Hub::new_virtual().block_on(check_expires(Timeout::new(SHOULD_EXPIRE), Elapsed));
}

// Test.test_expires_false: a silent timeout expires as any other.
#[test]
fn expires_false() {
    let timeout = Timeout::new(SHOULD_EXPIRE).with_error(false);
    Hub::new_virtual().block_on(check_expires(timeout, false));
}

// Test.test_expires_str: its message is the one given.
#[test]
fn expires_str() {
    let timeout = Timeout::new(SHOULD_EXPIRE).with_error("XXX");
    Hub::new_virtual().block_on(check_expires(timeout, "XXX"));
}

// Test.test_context_manager
#[test]
fn context_manager() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let timeout = Timeout::new(SHOULD_EXPIRE);
        assert_eq!(timeout.run(pending::<()>()).await, Err(Elapsed));
        assert!(timeout.expired());
    });
}

// Test.test_context_manager_false: the expiry, silenced, does not reach the caller.
#[test]
fn context_manager_false() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let timeout = Timeout::new(SHOULD_EXPIRE);
        let silent: Option<()> = timeout.run(pending()).await.ok();
        assert_eq!(silent, None);
        assert_eq!(hub::now(), SHOULD_EXPIRE);
    });
}

// Test.test_context_manager_str
#[test]
fn context_manager_str() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let timeout = Timeout::new(SHOULD_EXPIRE).with_error("XXX");
        let ex = timeout.run(pending::<()>()).await.unwrap_err();
        assert!(ex.ends_with("XXX"), "{ex}");
    });
}

// Test.test_cancel
#[test]
fn cancel() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let timeout = Timeout::new(SHOULD_EXPIRE);
        timeout.restart();
        timeout.cancel();
        hub::sleep(SHOULD_NOT_EXPIRE).await;
        assert!(!timeout.pending(), "{timeout:?}");
    });
}

// Test.test_with_timeout
#[test]
fn with_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let r = hub::with_timeout(SHOULD_EXPIRE, hub::sleep(SHOULD_NOT_EXPIRE)).await;
        assert_eq!(r, Err(Elapsed));
        let x = "X";
        let r = hub::with_timeout(SHOULD_EXPIRE, async {
            hub::sleep(SHOULD_NOT_EXPIRE).await;
            "slept"
        })
        .await
        .unwrap_or(x);
        assert_eq!(r, x);
        let r = hub::with_timeout(SHOULD_NOT_EXPIRE, hub::sleep(SHOULD_EXPIRE)).await;
        assert_eq!(r, Ok(()));
    });
}
