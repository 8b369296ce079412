//! gevent's `test__api_timeout.py` (gevent 26.9), ported to the hub's `Timeout`, on the
//! virtual clock (see `gevent_timeout.rs` for how a `with Timeout(…)` block is written here).
//!
//! Tally: 5 test methods; 3 ported, 2 not.
//! - Ported: `Test.test_api`, `test_ref`, `test_nested_timeout`.
//! - Not portable: `test_timeout_calls_update_now`, `test_sleep_calls_update_now` (they swap
//!   the hub's loop for a proxy that counts `update_now` calls: the hub's clock reads are its
//!   own, see `base/clock.rs`, and there is no loop object to replace).

use corogen::hub::{self, Elapsed, Hub, Timeout};
use std::rc::Rc;
use std::time::Duration;

/// gevent.testing.timing's `SMALL_TICK`, the file's `DELAY`.
const DELAY: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, PartialEq)]
enum Error {
    Io(&'static str),
    Value,
    ZeroDivision,
}

// Test.test_api
#[test]
fn api() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        // Nothing happens if the block finishes before the timeout expires.
        let t = Timeout::new(DELAY * 2);
        assert!(!t.pending(), "{t:?}");
        t.run(async {
            assert!(t.pending(), "{t:?}");
            hub::sleep(DELAY).await;
        })
        .await
        .unwrap();
        // The timer was cancelled.
        assert!(!t.pending(), "{t:?}");
        hub::sleep(DELAY * 2).await;

        // The timeout is raised if it is not.
        let t = Timeout::new(DELAY);
        assert_eq!(t.run(hub::sleep(DELAY * 10)).await, Err(Elapsed));
        assert!(t.expired());

        // A custom exception.
        let t = Timeout::new(DELAY).with_error(Error::Io("Operation takes way too long"));
        let raised = t.run(hub::sleep(DELAY * 10)).await;
        assert_eq!(raised, Err(Error::Io("Operation takes way too long")));

        // A class rather than an instance: here, a value either way.
        let t = Timeout::new(DELAY).with_error(Error::Value);
        assert_eq!(t.run(hub::sleep(DELAY * 10)).await, Err(Error::Value));

        // The class of the exception being handled (`sys.exc_info()[0]`).
        let handled = Error::ZeroDivision;
        let t = Timeout::new(DELAY).with_error(handled.clone());
        let raised = t
            .run(async {
                hub::sleep(DELAY * 10).await;
                unreachable!("should not get there");
            })
            .await;
        assert_eq!(raised, Err(handled));

        // The timer can be cancelled inside the block.
        let timer = Timeout::new(DELAY);
        let ran = timer
            .run(async {
                timer.cancel();
                hub::sleep(DELAY * 2).await;
            })
            .await;
        assert_eq!(ran, Ok(()));

        // A silent timeout, then: the caller sees it as nothing.
        let xdelay = Duration::from_millis(100);
        let start = hub::now();
        let silent = Timeout::new(xdelay).run(hub::sleep(xdelay * 2)).await.ok();
        assert_eq!(silent, None);
        let delta = hub::now() - start;
        assert!(delta <= xdelay * 2, "{delta:?}");

        // `None` as seconds disables the timer.
        let disabled = Timeout::new(None);
        assert_eq!(disabled.run(hub::sleep(DELAY)).await, Ok(()));
        hub::sleep(DELAY).await;
    });
}

#[derive(Debug)]
struct RefError;

// Test.test_ref: a timeout's exception is not kept after its block.
#[test]
fn ref_() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let err = Rc::new(RefError);
        let err_ref = Rc::downgrade(&err);
        Timeout::new(DELAY * 2)
            .with_error(err)
            .run(hub::sleep(DELAY))
            .await
            .unwrap();
        assert!(err_ref.upgrade().is_none(), "{err_ref:?}");
    });
}

// Test.test_nested_timeout: the shorter of two timeouts fires, and only it is pending no more
// (the block where the error is caught is the inner run, guarded by both).
#[test]
fn nested_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let outer = Timeout::new(DELAY);
        let silenced = outer
            .run(async {
                let inner = Timeout::new(DELAY * 10);
                let _ = inner.run(hub::sleep(DELAY * 3 * 20)).await;
                unreachable!("should not get there");
            })
            .await
            .ok();
        assert!(silenced.is_none());

        let t1 = Timeout::start(DELAY).with_error("t1");
        let t2 = Timeout::start(DELAY * 20).with_error("t2");
        t2.run(async {
            assert_eq!(t1.run(hub::sleep(DELAY * 30)).await, Err("t1"));
            assert!(!t1.pending(), "{t1:?}");
            assert!(t2.pending(), "{t2:?}");
        })
        .await
        .unwrap();
        assert!(!t2.pending());

        let t1 = Timeout::start(DELAY * 20).with_error("t1");
        t1.run(async {
            let t2 = Timeout::start(DELAY).with_error("t2");
            assert_eq!(t2.run(hub::sleep(DELAY * 30)).await, Err("t2"));
            assert!(t1.pending(), "{t1:?}");
            assert!(!t2.pending(), "{t2:?}");
        })
        .await
        .unwrap();
        assert!(!t1.pending());
    });
}
