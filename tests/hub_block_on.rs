//! `Hub::block_on` runs a main task that borrows the caller's locals (no `'static`, no `move`):
//! the caller keeps its handles and reads what the task wrote. The unsafe side of it (the
//! future dropped on every path) is tested, under Miri too, in the hub's unit tests
//! (`gen-runtime/src/hub/block_on_tests.rs`).

use std::cell::RefCell;
use std::time::Duration;

use corogen::hub::{self, Hub, Op, Queue, Reply, op};
use corogen::prelude::*;

// Before: E0373 ("async block may outlive the current function"), and `move` moved `queue`.
#[test]
fn an_async_main_task_borrows_a_queue_the_caller_drains_after() {
    let hub = Hub::new_virtual();
    let queue = Queue::new();
    let mut seen = Vec::new();
    hub.block_on(async {
        for i in 0..3 {
            hub::sleep(Duration::from_secs(1)).await;
            queue.put(i).await;
            seen.push(hub::now());
        }
    });
    assert_eq!(
        std::iter::from_fn(|| queue.try_get()).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(seen.len(), 3);
}

#[generator(yield = Op, resume = Reply)]
fn count_to(limit: u32, seen: &RefCell<Vec<u32>>) -> u32 {
    for i in 0..limit {
        seen.borrow_mut().push(i);
        yield_!(op::sleep(Duration::from_secs(1)));
    }
    limit
}

#[test]
fn a_generator_main_task_borrows_too() {
    let hub = Hub::new_virtual();
    let seen = RefCell::new(Vec::new());
    assert_eq!(hub.block_on(count_to(3, &seen)), 3);
    assert_eq!(seen.into_inner(), [0, 1, 2]);
    assert_eq!(hub.now(), Duration::from_secs(3));
}

#[test]
fn a_static_main_task_still_works() {
    let hub = Hub::new_virtual();
    let task = hub.spawn(async { 7 });
    assert_eq!(hub.block_on(task.get()), Ok(7));
}
