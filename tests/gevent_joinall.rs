//! gevent's `test__joinall.py` (gevent 26.9), ported.
//!
//! Tally: 1 test method; 1 ported.

use corogen::hub::{self, Hub};

// Test.test: joinall of a list that names a task twice.
#[test]
fn joinall_with_a_task_twice() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let a = hub::spawn(async {});
        let b = hub::spawn(async {});
        let ended = hub::joinall([&a, &b, &a]).await.unwrap();
        assert_eq!(ended.len(), 3);
        assert!(a.dead() && b.dead());
    });
}
