//! Task-local storage as the task table sees it: a task's guards come and go with its locals.

use super::engine::current;
use super::{Hub, Local, TaskRef, getcurrent};

/// The guards of the running task.
fn my_guards(me: &TaskRef) -> usize {
    let hub = current();
    let core = hub.core.borrow();
    core.slot(me.key)
        .and_then(|slot| slot.extra.as_ref())
        .map_or(0, |extra| extra.guards.len())
}

// gevent's test__local `has_links()`: a long-lived task that uses many short-lived locals
// keeps no guard for the ones dropped, only one per local it still has a value in.
#[test]
fn a_dropped_local_takes_its_guard_back_from_a_running_task() {
    let hub = Hub::new_virtual();
    let held = Local::new();
    let counts = hub.block_on({
        let held = held.clone();
        async move {
            let me = getcurrent();
            held.set(0u32);
            for i in 0..1000 {
                let short: Local<u32> = Local::new();
                short.set(i);
            }
            let with_held = my_guards(&me);
            let other: Local<u32> = Local::new();
            other.set(1);
            let with_two = my_guards(&me);
            drop(other);
            (with_held, with_two, my_guards(&me))
        }
    });
    assert_eq!(counts, (1, 2, 1));
    assert!(held.is_empty(), "the task's value went with it");
}
