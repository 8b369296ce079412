//! Hubs and threads: two hubs on two threads run independently; blocking calls go to the
//! thread pool while the hub runs other tasks; foreign futures wake their task from any thread.

use corogen::hub::{self, Hub, TaskError};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn transcript(clock_is_virtual: bool, tag: &'static str) -> Vec<String> {
    let hub = if clock_is_virtual {
        Hub::new_virtual()
    } else {
        Hub::new()
    };
    let log = Rc::new(RefCell::new(Vec::new()));
    for (name, step) in [("x", 2), ("y", 3)] {
        let log = log.clone();
        hub.spawn(async move {
            for i in 0..3 {
                log.borrow_mut().push(format!("{tag}:{name}{i}"));
                hub::sleep(ms(step)).await;
            }
        });
    }
    hub.run();
    log.take()
}

#[test]
fn two_hubs_on_two_threads_are_independent() {
    let expected = |tag: &str| -> Vec<String> {
        ["x0", "y0", "x1", "y1", "x2", "y2"]
            .iter()
            .map(|e| format!("{tag}:{e}"))
            .collect()
    };
    let a = std::thread::spawn(|| transcript(false, "a"));
    let b = std::thread::spawn(|| transcript(false, "b"));
    let c = std::thread::spawn(|| transcript(true, "c"));
    // x at 0,2,4 and y at 0,3,6: x1 (2ms) before y1 (3ms), x2 (4ms) before y2 (6ms).
    assert_eq!(a.join().unwrap(), expected("a"));
    assert_eq!(b.join().unwrap(), expected("b"));
    assert_eq!(c.join().unwrap(), expected("c"));
}

#[test]
fn blocking_call_runs_on_the_pool_while_the_hub_goes_on() {
    let hub = Hub::new();
    let ticks = Rc::new(RefCell::new(0));
    let t = ticks.clone();
    let ticker = hub.spawn(async move {
        loop {
            hub::sleep(ms(1)).await;
            *t.borrow_mut() += 1;
        }
    });
    let result = hub.block_on(async {
        let thread = hub::spawn_blocking(|| {
            std::thread::sleep(ms(30));
            std::thread::current().name().map(str::to_owned)
        })
        .await;
        (thread, 6 * 7)
    });
    ticker.kill();
    assert_eq!(result, (Some("corogen-blocking".to_owned()), 42));
    assert!(
        *ticks.borrow() >= 3,
        "the hub ran other tasks meanwhile ({} ticks)",
        ticks.borrow()
    );
}

#[test]
fn blocking_panic_resumes_in_the_task() {
    let hub = Hub::new_virtual();
    let task = hub.spawn(async { hub::spawn_blocking(|| -> u8 { panic!("in the pool") }).await });
    hub.run();
    assert_eq!(
        task.try_get(),
        Some(Err(TaskError::Panicked("in the pool".into())))
    );
    assert_eq!(
        hub.now(),
        Duration::ZERO,
        "a virtual clock does not move for blocking jobs"
    );
}

/// A future that is woken from another thread, the way a foreign channel would.
struct WokenFromThread {
    started: bool,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Future for WokenFromThread {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        if self.done.load(std::sync::atomic::Ordering::Acquire) {
            return Poll::Ready("woken");
        }
        if !self.started {
            self.started = true;
            let waker = cx.waker().clone();
            let done = self.done.clone();
            std::thread::spawn(move || {
                std::thread::sleep(ms(5));
                done.store(true, std::sync::atomic::Ordering::Release);
                waker.wake();
            });
        }
        Poll::Pending
    }
}

#[test]
fn foreign_future_wakes_its_task_from_another_thread() {
    for hub in [Hub::new(), Hub::new_virtual()] {
        let got = hub.block_on(async {
            let foreign = WokenFromThread {
                started: false,
                done: Default::default(),
            };
            foreign.await
        });
        assert_eq!(got, "woken");
    }
}

/// A future that keeps a clone of every waker it is polled with in a list it never prunes, as a
/// foreign channel that does not forget its waiters would; it is ready if `ready`.
fn keep_waker(
    kept: &std::sync::Arc<std::sync::Mutex<Vec<std::task::Waker>>>,
    ready: bool,
) -> impl Future<Output = ()> + 'static {
    let kept = std::sync::Arc::clone(kept);
    std::future::poll_fn(move |cx| {
        kept.lock().unwrap().push(cx.waker().clone());
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

// `Hub::run()` never returned while a clone of a finished task's waker was alive (a foreign
// future kept it in a list it never prunes): the hub waited for a wake that could do nothing.
#[test]
fn wakers_kept_after_their_tasks_ended_do_not_keep_the_hub_running() {
    let kept = std::sync::Arc::default();
    let (done, finished) = std::sync::mpsc::channel();
    let keeper = std::sync::Arc::clone(&kept);
    // On a thread of its own, so that a hub that never returns fails the test, not hangs it.
    std::thread::spawn(move || {
        for hub in [Hub::new(), Hub::new_virtual()] {
            let returned = hub.spawn({
                let keep = keep_waker(&keeper, true);
                async move {
                    keep.await;
                    7
                }
            });
            let killed = hub.spawn(keep_waker(&keeper, false));
            let killer = killed.clone();
            hub.spawn(async move {
                hub::sleep(ms(1)).await;
                killer.kill();
            });
            let panicked = hub.spawn({
                let keep = keep_waker(&keeper, true);
                async move {
                    keep.await;
                    panic!("after keeping a waker");
                }
            });
            hub.run();
            let ends = (returned.try_get(), killed.killed(), panicked.try_get());
            done.send(ends).unwrap();
        }
    });
    for clock in ["real", "virtual"] {
        let ends = finished
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("the {clock} hub's run never returned"));
        let panicked = TaskError::Panicked("after keeping a waker".into());
        assert_eq!(
            ends,
            (Some(Ok(7)), true, Some(Err::<(), _>(panicked))),
            "{clock}"
        );
    }
    assert_eq!(kept.lock().unwrap().len(), 6, "the wakers are still alive");
}
