//! gevent's `test__semaphore.py` (gevent 26.9), ported to the hub's `Semaphore`, on the
//! virtual clock.
//!
//! Tally: 19 test methods; 4 ported, 15 not.
//! - Ported: `TestSemaphore.test_acquire_returns_false_after_timeout`, `test_release_twice`,
//!   `test_rawlink_on_unacquired_runs_notifiers`; `TestSemaphoreFair.test_fair_or_hangs`.
//! - Not portable: `TestSemaphore.test_semaphore_weakref` (Python weak references),
//!   `test_semaphore_in_class_with_del` (a `__del__` that acquires during garbage collection,
//!   a crash of PyPy/Cython); the 6 methods of `TestSemaphoreMultiThread` and the 6 of
//!   `TestBoundedSemaphoreMultiThread` (a semaphore shared between threads: the hub's is
//!   `!Send`, each hub on its own thread); `TestCExt.test_c_extension` (the module of gevent's C
//!   extension).

use corogen::hub::{self, Elapsed, Hub, Semaphore, Task};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

// TestSemaphore.test_acquire_returns_false_after_timeout (gevent issue 39)
#[test]
fn acquire_returns_false_after_timeout() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Semaphore::new(0);
        let result = hub::with_timeout(Duration::from_millis(10), s.acquire()).await;
        assert_eq!(result, Err(Elapsed));
    });
}

// TestSemaphore.test_release_twice: links of a semaphore with permits free run.
#[test]
fn release_twice() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Semaphore::new(1);
        let result = Rc::new(RefCell::new(Vec::new()));
        let a = result.clone();
        s.rawlink(move |_| a.borrow_mut().push("a"));
        s.release();
        let b = result.clone();
        s.rawlink(move |_| b.borrow_mut().push("b"));
        s.release();
        hub::sleep(Duration::from_millis(1)).await;
        // The order, though, is not guaranteed.
        let mut result = result.borrow().clone();
        result.sort_unstable();
        assert_eq!(result, ["a", "b"]);
    });
}

// TestSemaphore.test_rawlink_on_unacquired_runs_notifiers (gevent issue 1287): waiting on a
// semaphore with a permit free is over at once.
#[test]
fn rawlink_on_unacquired_runs_notifiers() {
    let hub = Hub::new_virtual();
    hub.block_on(async {
        let s = Semaphore::new(1);
        assert_eq!(hub::wait_on([&s]).await, [&s]);
        assert_eq!(s.available(), 1, "waiting takes no permit");
    });
}

type Quit = Rc<RefCell<Vec<bool>>>;

fn acquire_then_exit(sem: Semaphore, should_quit: Quit) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        sem.acquire().await;
        should_quit.borrow_mut().push(true);
    })
}

fn acquire_then_spawn(sem: Semaphore, should_quit: Quit) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        if !should_quit.borrow().is_empty() {
            return;
        }
        sem.acquire().await;
        let g = hub::spawn(release_then_spawn(sem, should_quit));
        g.join().await;
    })
}

fn release_then_spawn(sem: Semaphore, should_quit: Quit) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        sem.release();
        if !should_quit.borrow().is_empty() {
            return;
        }
        let g = hub::spawn(acquire_then_spawn(sem, should_quit));
        g.join().await;
    })
}

// TestSemaphoreFair.test_fair_or_hangs (gevent issue 1487): if the semaphore were unfair, the
// last two tasks would pass the permit between them for ever. It is fair: the waiting task
// that exits gets the permit, and the hub then has nothing left to run (gevent's LoopExit).
#[test]
fn fair_or_hangs() {
    let hub = Hub::new_virtual();
    let sem = Semaphore::new(1);
    let should_quit = Quit::default();
    let keep_going1: Task<()> = hub.spawn(acquire_then_spawn(sem.clone(), should_quit.clone()));
    let keep_going2: Task<()> = hub.spawn(acquire_then_spawn(sem.clone(), should_quit.clone()));
    let exiting: Task<()> = hub.spawn(acquire_then_exit(sem.clone(), should_quit.clone()));
    let joiner = hub.spawn({
        let tasks = [keep_going1.clone(), keep_going2.clone(), exiting.clone()];
        async move { hub::joinall(&tasks).await }
    });
    hub.run(); // idle: the joinall waits for good (LoopExit)
    assert!(!joiner.dead());
    assert!(exiting.dead());
    assert!(keep_going2.dead());
    assert!(!keep_going1.dead());
    sem.release();
    keep_going1.kill();
    keep_going2.kill();
    exiting.kill();
    hub.run();
}
