//! How a real-time hub waits when no task can run, without sockets: it parks the thread until
//! its next timer and is unparked by wakes from other threads; on a target without threads
//! (simulated here on the host) it sleeps instead, owned wakers do not keep it waiting, and the
//! blocking pool refuses jobs with an error. Small enough for Miri.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use super::base::{FORCE_NO_THREADS, SLEEPS, threads_available};
use super::{Hub, TaskError, sleep, spawn_blocking, try_spawn_blocking};

/// Runs `test` as on a target without threads, and puts the host back after.
fn without_threads<R>(test: impl FnOnce() -> R) -> R {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            FORCE_NO_THREADS.with(|force| force.set(false));
        }
    }
    FORCE_NO_THREADS.with(|force| force.set(true));
    let _restore = Restore;
    test()
}

fn sleeps() -> usize {
    SLEEPS.with(Cell::get)
}

#[test]
fn a_real_hub_parks_until_its_next_timer() {
    let hub = Hub::new();
    let before = sleeps();
    let started = Instant::now();
    hub.block_on(sleep(Duration::from_millis(5)));
    assert!(started.elapsed() >= Duration::from_millis(5));
    assert!(hub.now() >= Duration::from_millis(5));
    assert_eq!(
        sleeps() > before,
        !threads_available(),
        "a target with threads parks, one without sleeps"
    );
}

#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts a thread"
)]
fn a_real_hub_is_unparked_by_a_wake_from_another_thread() {
    let hub = Hub::new();
    let done = Arc::new(AtomicBool::new(false));
    let woken = hub.block_on(async move {
        let mut started = false;
        poll_fn(|cx| {
            if done.load(Ordering::Acquire) {
                return Poll::Ready(true);
            }
            if !started {
                started = true;
                let (waker, done) = (cx.waker().clone(), Arc::clone(&done));
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(5));
                    done.store(true, Ordering::Release);
                    waker.wake();
                });
            }
            Poll::Pending
        })
        .await
    });
    assert!(woken);
}

#[test]
fn without_threads_a_real_hub_sleeps_until_its_next_timer() {
    without_threads(|| {
        let hub = Hub::new();
        let before = sleeps();
        let started = Instant::now();
        hub.block_on(sleep(Duration::from_millis(5)));
        assert!(started.elapsed() >= Duration::from_millis(5));
        assert!(sleeps() > before, "it slept instead of parking");
    });
}

#[test]
fn without_threads_an_owned_waker_does_not_keep_the_hub_waiting() {
    // Nothing can wake the task while the hub waits: it is idle (with threads, it would wait
    // for a wake from another thread).
    without_threads(|| {
        let hub = Hub::new();
        let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
        let keeper = Rc::clone(&kept);
        let task = hub.spawn(poll_fn(move |cx| {
            *keeper.borrow_mut() = Some(cx.waker().clone());
            Poll::<()>::Pending
        }));
        hub.run();
        assert!(!task.dead());
        task.kill();
        drop(kept);
    });
}

#[test]
fn without_threads_blocking_jobs_are_refused_with_an_error() {
    without_threads(|| {
        let hub = Hub::new_virtual();
        let refused = hub.block_on(async {
            let error = try_spawn_blocking(|| 1).map(drop).unwrap_err();
            (error.kind(), error.to_string())
        });
        assert_eq!(refused.0, io::ErrorKind::Unsupported);
        assert!(refused.1.contains("no threads"), "{}", refused.1);
        // Nothing was counted as running: the virtual clock still jumps.
        hub.block_on(sleep(Duration::from_secs(1)));
        assert_eq!(hub.now(), Duration::from_secs(1));
    });
}

#[test]
#[cfg_attr(panic = "abort", ignore = "a task's panic aborts the tests")]
fn without_threads_spawn_blocking_panics_in_its_task() {
    without_threads(|| {
        let hub = Hub::new_virtual();
        let panics = hub.spawn(async { spawn_blocking(|| 1).await });
        hub.run();
        match panics.try_get() {
            Some(Err(TaskError::Panicked(message))) => {
                assert!(message.contains("spawn_blocking"), "{message}");
            }
            other => panic!("spawn_blocking should panic in its task, got {other:?}"),
        }
        // Nothing was counted as running: the virtual clock still jumps.
        hub.block_on(sleep(Duration::from_secs(1)));
        assert_eq!(hub.now(), Duration::from_secs(1));
    });
}
