//! [`Hub::block_on`] with a main task that borrows the caller's locals: what it borrows is
//! usable after it returns or unwinds, and nothing of the task touches it after. Small enough
//! for Miri, which checks the lifetime erasure in `scheduler.rs` (stacked and tree borrows):
//!
//! ```text
//! CARGO_TARGET_DIR=target/miri cargo +nightly miri test -p corogen-runtime --lib hub::block_on
//! ```

use std::cell::RefCell;
#[cfg(panic = "unwind")]
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use super::{Event, Hub, TaskRef, getcurrent, sleep, spawn};

/// Pushes `"dropped"` onto the borrowed log when the main task's future is dropped.
struct LogOnDrop<'a>(&'a RefCell<Vec<&'static str>>);

impl Drop for LogOnDrop<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().push("dropped");
    }
}

#[test]
fn a_main_task_borrows_a_local_vec_and_a_handle_the_caller_uses_after() {
    let hub = Hub::new_virtual();
    let mut log = Vec::new();
    let event = Event::new();
    let helper = hub.spawn({
        let event = event.clone();
        async move {
            sleep(Duration::from_secs(1)).await;
            event.set();
            7
        }
    });
    let total = hub.block_on(async {
        event.wait().await;
        log.push("set");
        let value = helper.get().await.unwrap();
        log.push("joined");
        value + log.len()
    });
    assert_eq!(total, 9);
    assert_eq!(log, ["set", "joined"]);
    // The handles the main task borrowed are still the caller's.
    assert!(event.is_set());
    assert!(helper.dead());
    assert_eq!(hub.now(), Duration::from_secs(1));
}

#[test]
fn the_value_may_borrow_the_callers_locals() {
    let hub = Hub::new_virtual();
    let words = [String::from("alpha"), String::from("beta")];
    let longest: &str = hub.block_on(async {
        sleep(Duration::from_millis(1)).await;
        words.iter().max_by_key(|word| word.len()).unwrap().as_str()
    });
    assert_eq!(longest, "alpha");
}

#[test]
fn the_main_tasks_handle_reports_it_dead_after_block_on_returns() {
    let hub = Hub::new_virtual();
    let log = RefCell::new(Vec::new());
    let me: RefCell<Option<TaskRef>> = RefCell::new(None);
    hub.block_on(async {
        let _guard = LogOnDrop(&log);
        *me.borrow_mut() = Some(getcurrent());
        sleep(Duration::from_secs(1)).await;
    });
    assert_eq!(*log.borrow(), ["dropped"]);
    let me = me.into_inner().unwrap();
    assert!(me.dead() && me.successful() && !me.killed());
    assert!(me.exception().is_none());
    // A join is ready at once; nothing of the future is left to reach.
    assert!(hub.block_on(async { hub::with_timeout(Duration::ZERO, me.join()).await.is_ok() }));
    drop(log);
    drop(hub);
    assert!(me.dead());
}

/// The idle panic: the main task waits for an event nobody sets. It is killed before
/// `block_on` unwinds; after the caller catches the panic, the borrowed locals are intact and
/// the hub (still usable, then dropped) touches them no more.
#[test]
#[cfg(panic = "unwind")]
fn a_caught_idle_panic_leaves_the_borrowed_locals_usable_and_untouched() {
    let hub = Hub::new_virtual();
    let me: RefCell<Option<TaskRef>> = RefCell::new(None);
    {
        let mut numbers = vec![1, 2, 3];
        let log = RefCell::new(Vec::new());
        let never = Event::new();
        let caught = catch_unwind(AssertUnwindSafe(|| {
            hub.block_on(async {
                let _guard = LogOnDrop(&log);
                *me.borrow_mut() = Some(getcurrent());
                numbers.push(4);
                log.borrow_mut().push("waiting");
                never.wait().await;
                numbers.push(5); // never reached
            })
        }));
        let message = *caught.unwrap_err().downcast::<&str>().unwrap();
        assert!(message.contains("can never finish"), "{message}");
        // The future was dropped before the panic reached the caller.
        assert_eq!(*log.borrow(), ["waiting", "dropped"]);
        numbers.push(6);
        assert_eq!(numbers, [1, 2, 3, 4, 6]);
        // The locals die here, before the hub runs again and is dropped.
    }
    let me = me.into_inner().unwrap();
    assert!(me.dead() && me.killed());
    // The hub goes on: another main task runs, and the hub's drop finds nothing borrowed.
    assert_eq!(
        hub.block_on(async { spawn(async { 5 }).get().await }),
        Ok(5)
    );
    drop(hub);
    assert!(me.dead());
}

#[test]
#[cfg(panic = "unwind")]
fn a_main_task_that_panics_unwinds_from_block_on_with_its_future_dropped() {
    let hub = Hub::new_virtual();
    let log = RefCell::new(Vec::new());
    let caught = catch_unwind(AssertUnwindSafe(|| {
        hub.block_on(async {
            let _guard = LogOnDrop(&log);
            sleep(Duration::from_secs(1)).await;
            panic!("main failed");
        })
    }));
    assert_eq!(
        *caught.unwrap_err().downcast::<String>().unwrap(),
        "main failed"
    );
    assert_eq!(*log.borrow(), ["dropped"]);
}

#[test]
#[cfg(panic = "unwind")]
fn a_main_task_killed_by_another_task_is_dropped_before_block_on_panics() {
    let hub = Hub::new_virtual();
    let log = RefCell::new(Vec::new());
    let caught = catch_unwind(AssertUnwindSafe(|| {
        hub.block_on(async {
            let _guard = LogOnDrop(&log);
            let me = getcurrent();
            spawn(async move { me.kill() });
            sleep(Duration::from_secs(1)).await;
        })
    }));
    let message = *caught.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("killed"), "{message}");
    assert_eq!(*log.borrow(), ["dropped"]);
}

#[test]
#[cfg(panic = "unwind")]
fn block_on_inside_a_task_of_the_same_hub_panics_and_spawns_nothing() {
    let hub = Hub::new_virtual();
    let hub = std::rc::Rc::new(hub);
    let inner = std::rc::Rc::clone(&hub);
    let task = hub.spawn(async move {
        let local = 5;
        inner.block_on(async { local })
    });
    hub.run();
    assert!(
        matches!(task.try_get(), Some(Err(super::TaskError::Panicked(message)))
        if message.contains("already running"))
    );
    assert_eq!(hub.live_tasks(), 0);
}

use crate::hub;
