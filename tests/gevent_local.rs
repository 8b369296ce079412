//! gevent's `test__local.py` (gevent 26.9), ported to the hub's task-local storage, `Local`.
//! gevent's file monkey-patches `threading.local` and `Thread`, so its threads are greenlets:
//! here, tasks.
//!
//! A gevent `local` is an object with per-greenlet attributes; a Rust [`Local<T>`] holds one
//! value per task (several attributes are several locals, or a struct). So most of the file,
//! which tests Python's attribute machinery on `local` subclasses, has no counterpart.
//!
//! Tally: 21 test methods; 6 ported, 15 not.
//! - Ported: `test_local_opts_not_subclassed`, `test_delete_with_no_dict`,
//!   `test_attribute_error`, `test_objects`,
//!   `test_locals_collected_when_greenlet_dead_but_still_referenced`,
//!   `test_locals_collected_when_unreferenced_even_in_running_greenlet` (in part: that the
//!   running task keeps no link for the dropped locals, `has_links()`, is not public here; the
//!   runtime's unit test `local_tests.rs` checks it).
//! - Not portable (Python's attribute and class machinery): `test_create_local_subclass_init_args`,
//!   `test_cannot_set_delete_dict`, `test_slot_and_type_attributes`, `test_getattr_called`,
//!   `test_copy`, `test_copy_no_subclass` (`copy.copy` of a local: a `Local`'s clone is the same
//!   local), `test_class_attr`, `test_class_attr_subclass`, `test_local_with_abc`,
//!   `test_local_with_staticmethod`, `test_local_with_classmethod`,
//!   `test_local_dicts_for_greenlet` (`all_local_dicts_for_greenlet`, an introspection helper);
//!   `TestLocalInterface.test_provides` (zope.interface); `TestCExt`, `TestPure` (which module
//!   gevent's `local` comes from).

use corogen::hub::{self, Hub, Local};
use std::cell::Cell;
use std::rc::Rc;

// test_local_opts_not_subclassed
#[test]
fn local_opts_not_subclassed() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let l = Local::new();
        l.set(1);
        assert_eq!(l.get(), Some(1));
    });
}

// test_delete_with_no_dict: deleting what is not set fails, here and in another task.
#[test]
fn delete_with_no_dict() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let l: Local<u8> = Local::new();
        assert_eq!(l.take(), None);
        let other = l.clone();
        let t = hub::spawn(async move { other.take() });
        assert_eq!(t.get().await, Ok(None));
    });
}

// test_attribute_error: a value set in another task is not seen here.
#[test]
fn attribute_error() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let a: Local<u32> = Local::new();
        assert_eq!(a.get(), None);
        let other = a.clone();
        hub::spawn(async move { other.set(1) }).join().await;
        assert_eq!(a.get(), None);
    });
}

// test_objects: two locals are independent.
#[test]
fn objects() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let (a, b) = (Local::new(), Local::new());
        a.set("123");
        b.set("123");
        assert_eq!(
            a.get(),
            b.get(),
            "The values in the two objects must be equal"
        );
        b.set("321");
        assert_ne!(
            a.get(),
            b.get(),
            "The values in the two objects must be different"
        );
    });
}

/// `Sentinel`: counts the values made and dropped.
struct Sentinel(Rc<Counts>);

#[derive(Default)]
struct Counts {
    created: Cell<usize>,
    deleted: Cell<usize>,
}

impl Sentinel {
    fn new(counts: &Rc<Counts>) -> Sentinel {
        counts.created.set(counts.created.get() + 1);
        Sentinel(counts.clone())
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        self.0.deleted.set(self.0.deleted.get() + 1);
    }
}

// test_locals_collected_when_greenlet_dead_but_still_referenced (gevent issue 387): a task's
// value goes when the task dies, though its handle lives on.
#[test]
fn locals_collected_when_task_dead_but_still_referenced() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let counts = Rc::new(Counts::default());
        let my_local: Local<Sentinel> = Local::new();
        // MyLocal's `__init__` runs once per task that uses it.
        let demonstrate_my_local = || {
            let (my_local, counts) = (my_local.clone(), counts.clone());
            async move { my_local.with_or_init(|| Sentinel::new(&counts), |_| ()) }
        };
        let greenlets: Vec<_> = (0..5).map(|_| hub::spawn(demonstrate_my_local())).collect();
        hub::sleep(std::time::Duration::ZERO).await;
        assert_eq!(counts.created.get(), greenlets.len());
        for g in &greenlets {
            assert!(g.dead());
        }
        hub::sleep(std::time::Duration::ZERO).await; // let the callbacks run
        assert_eq!(counts.deleted.get(), greenlets.len());
    });
}

// test_locals_collected_when_unreferenced_even_in_running_greenlet (gevent issue 981): locals
// dropped while their task runs drop its values then.
#[test]
fn locals_collected_when_unreferenced_even_in_running_task() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let counts = Rc::new(Counts::default());
        let count = 1000;
        let running = hub::spawn({
            let counts = counts.clone();
            async move {
                for _ in 0..count {
                    let x: Local<Sentinel> = Local::new();
                    assert!(x.with_or_init(|| Sentinel::new(&counts), |_| true));
                    drop(x);
                }
                assert_eq!(counts.created.get(), count);
                // They are all dropped, though this task still runs.
                assert_eq!(counts.deleted.get(), count);
            }
        });
        hub::sleep(std::time::Duration::ZERO).await;
        running.get().await.unwrap();
        assert_eq!(counts.deleted.get(), count);
    });
}
