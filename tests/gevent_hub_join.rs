//! gevent's `test__hub_join.py` (gevent 26.9), ported: gevent's `hub.join()` (run the loop
//! until it has nothing left to do) is [`Hub::wait`]`(None)` here.
//!
//! Tally: 3 test methods; 2 ported, 1 not.
//! - Ported: `TestJoin.test_join_many_times`, `test_join_in_new_thread_doesnt_leak_hub_or_greenlet`.
//! - Not portable: `test_destroy_in_main_thread_from_new_thread`: a hub made on one thread and
//!   destroyed from another; a `Hub` is `!Send`, it stays on the thread that made it.

use corogen::hub::{self, Hub};
use std::time::Duration;

// TestJoin.test_join_many_times: the hub can be joined again and again, and used in between.
#[test]
fn join_many_times() {
    let hub = Hub::new_virtual();
    assert!(hub.wait(None));
    assert!(hub.wait(None));
    hub.block_on(hub::sleep(Duration::from_millis(10)));
    assert!(hub.wait(None));
}

// TestJoin.test_join_in_new_thread_doesnt_leak_hub_or_greenlet (gevent issue 1601): a hub on a
// new thread, a greenlet started and joined on it, the hub joined and dropped: nothing of them
// is left (counted through what each task held).
#[cfg(not(target_family = "wasm"))] // threads
#[test]
fn join_in_new_thread_doesnt_leak_hub_or_greenlet() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Alive(Arc<AtomicUsize>);
    impl Drop for Alive {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }

    let alive = Arc::new(AtomicUsize::new(0));
    for _ in 0..10 {
        let alive = alive.clone();
        std::thread::spawn(move || {
            let hub = Hub::new();
            alive.fetch_add(1, Ordering::SeqCst);
            let held = Alive(alive.clone());
            hub.block_on(async move {
                let g = hub::greenlet(async move {
                    let _held = held;
                    0
                });
                g.start();
                g.join().await;
            });
            assert!(hub.wait(None));
            drop(hub);
        })
        .join()
        .unwrap();
    }
    assert_eq!(alive.load(Ordering::SeqCst), 0);
}
