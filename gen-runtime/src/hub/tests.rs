//! Unit tests of the hub's unsafe parts, small enough for Miri
//! (`cargo +nightly miri test -p corogen-runtime --lib hub::`): the pinned task allocation
//! (poll, result, drop in place on kill and panic) and the borrowed waker (wake, clone, wake
//! from another thread), and a generator task's body kept inline in the task's allocation.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use super::{Event, Hub, Op, Reply, Task, TaskError, op, sleep, spawn};

/// The three ends of a task: it returned 64, was killed, or panicked with "boom".
fn assert_ends<K, P>(returns: &Task<u32>, killed: &Task<K>, panics: &Task<P>)
where
    K: Clone + std::fmt::Debug + PartialEq + 'static,
    P: Clone + std::fmt::Debug + PartialEq + 'static,
{
    assert_eq!(returns.try_get(), Some(Ok(64)));
    assert_eq!(killed.try_get(), Some(Err(TaskError::Killed)));
    assert_eq!(
        panics.try_get(),
        Some(Err(TaskError::Panicked("boom".into())))
    );
}

/// Logs "dropped" when dropped: shows when a task's state is dropped.
struct Guard(Rc<RefCell<Vec<&'static str>>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.borrow_mut().push("dropped");
    }
}

#[test]
#[cfg_attr(panic = "abort", ignore = "a task's panic aborts the tests")]
fn pinned_task_polls_keeps_result_and_drops_in_place() {
    let hub = Hub::new_virtual();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let returns = hub.spawn(async move {
        let guard = Guard(l);
        let local = [1u8; 64];
        let borrowed = &local; // a self-reference across the await
        sleep(Duration::from_millis(1)).await;
        drop(guard);
        borrowed.iter().map(|&b| u32::from(b)).sum::<u32>()
    });
    let l = log.clone();
    let killed = hub.spawn(async move {
        let _guard = Guard(l);
        sleep(Duration::from_secs(1)).await;
    });
    let panics = hub.spawn(async {
        sleep(Duration::from_millis(1)).await;
        panic!("boom");
    });
    assert!(!hub.wait(Some(Duration::from_micros(10))));
    killed.kill();
    hub.run();
    assert_ends(&returns, &killed, &panics);
    assert_eq!(*log.borrow(), ["dropped", "dropped"]);
}

#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts a thread"
)]
fn borrowed_waker_wakes_by_ref_and_by_clone() {
    let hub = Hub::new_virtual();
    let polls = hub.spawn(async {
        let mut polls = 0;
        // wake_by_ref on the borrowed waker
        poll_fn(|cx| {
            polls += 1;
            if polls == 1 {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        // a clone, woken from another thread
        let mut sent = false;
        poll_fn(|cx| {
            polls += 1;
            if sent {
                return Poll::Ready(());
            }
            sent = true;
            let waker = cx.waker().clone();
            std::thread::spawn(move || waker.wake()).join().unwrap();
            Poll::Pending
        })
        .await;
        polls
    });
    hub.run();
    assert_eq!(polls.try_get(), Some(Ok(4)));
}

#[test]
fn events_and_nested_spawns() {
    let hub = Hub::new_virtual();
    let event = Event::new();
    let e = event.clone();
    let waiter = hub.spawn(async move {
        let child = spawn(async { 2 });
        e.wait().await;
        child.get().await.unwrap() * 21
    });
    hub.spawn(async move { event.set() });
    hub.run();
    assert_eq!(waiter.try_get(), Some(Ok(42)));
    let _: &dyn Future<Output = ()> = &sleep(Duration::ZERO);
}

/// A generator task, as `#[generator(yield = Op, resume = Reply)]` expands (the macro crate is
/// not a dependency of this one): each call makes its own marker.
macro_rules! op_gen {
    (|$co:ident| $body:expr) => {{
        enum Marker {}
        impl crate::__private::Marker for Marker {
            const NAME: &'static str = "op_gen";
        }
        // SAFETY: the `Co` is used only by the body passed with it to `new_gen`, and the marker is
        // this expansion's own.
        let $co = unsafe { crate::__private::Co::<Op, Reply, Marker>::new() };
        crate::__private::new_gen($co, async move { $body })
    }};
}

#[test]
#[cfg_attr(panic = "abort", ignore = "a task's panic aborts the tests")]
fn generator_task_runs_its_body_inline_to_its_end_kill_or_panic() {
    let hub = Hub::new_virtual();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let returns = hub.spawn(op_gen!(|co| {
        let guard = Guard(l);
        let local = [1u8; 64];
        let borrowed = &local; // a self-reference across the yield
        co.yield_(op::sleep(Duration::from_millis(1))).await;
        drop(guard);
        borrowed.iter().map(|&b| u32::from(b)).sum::<u32>()
    }));
    let l = log.clone();
    let killed = hub.spawn(op_gen!(|co| {
        let _guard = Guard(l);
        co.yield_(op::sleep(Duration::from_secs(1))).await;
    }));
    let panics = hub.spawn(op_gen!(|co| {
        co.yield_(op::pass()).await;
        panic!("boom");
    }));
    // Resumed once before it is spawned: it keeps its boxed body.
    let mut started = op_gen!(|co| {
        co.yield_(op::pass()).await;
        co.yield_(op::pass()).await;
        5
    });
    assert!(matches!(
        crate::Gen::resume(&mut started, Reply::Ready),
        crate::GeneratorState::Yielded(_)
    ));
    let started = hub.spawn(started);
    assert!(!hub.wait(Some(Duration::from_micros(10))));
    killed.kill();
    hub.run();
    assert_ends(&returns, &killed, &panics);
    assert_eq!(started.try_get(), Some(Ok(5)));
    assert_eq!(*log.borrow(), ["dropped", "dropped"]);
}

/// An async generator yielding `$y`, as `#[generator(yield = $y)] async fn` expands.
macro_rules! async_gen {
    ($y:ty, |$co:ident| $body:expr) => {{
        enum Marker {}
        impl crate::__private::Marker for Marker {
            const NAME: &'static str = "async_gen";
        }
        // SAFETY: the `AsyncCo` is used only by the body passed with it to `new_async_gen`, whose
        // yields are awaited directly in it.
        let $co = unsafe { crate::__private::AsyncCo::<$y, Marker>::new() };
        crate::__private::new_async_gen($co, async move { $body })
    }};
}

#[test]
fn hub_operations_in_async_generators_are_their_tasks_own() {
    let hub = Hub::new_virtual();
    let task = hub.spawn(async {
        let mut seen = Vec::new();
        let mut ticks = async_gen!(u32, |co| {
            for i in 0..3 {
                sleep(Duration::from_millis(1)).await;
                co.yield_(i).await;
            }
        });
        while let Some(i) = ticks.next().await {
            seen.push(i);
        }
        // One async generator polled in the body of another: the inner one's wrapper wraps the
        // task's waker, not the outer generator's wrapper.
        let mut outer = async_gen!(u32, |co| {
            let mut inner = async_gen!(u32, |co| {
                for i in [10, 20] {
                    sleep(Duration::from_millis(1)).await;
                    co.yield_(i).await;
                }
            });
            while let Some(i) = inner.next().await {
                sleep(Duration::from_millis(1)).await;
                co.yield_(i + 1).await;
            }
        });
        while let Some(i) = outer.next().await {
            seen.push(i);
        }
        let hub = super::engine::try_current().unwrap();
        let adopted = hub.core.borrow().adopted;
        (seen, adopted)
    });
    hub.run();
    // No sleep took the slow path for foreign wakers.
    assert_eq!(task.try_get(), Some(Ok((vec![0, 1, 2, 11, 21], 0))));
}

#[test]
fn freed_slots_are_reused_last_freed_first_with_a_new_generation() {
    let hub = Hub::new_virtual();
    let index = |id: u64| id & 0xffff_ffff;
    let (a, b) = (hub.spawn(async { 1 }), hub.spawn(async { 2 }));
    hub.run();
    let (a_id, b_id) = (a.id(), b.id());
    drop(a);
    drop(b);
    let (c, d, e) = (
        hub.spawn(async { 3 }),
        hub.spawn(async { 4 }),
        hub.spawn(async { 5 }),
    );
    assert_eq!(index(c.id()), index(b_id));
    assert_eq!(index(d.id()), index(a_id));
    assert_eq!(index(e.id()), 2);
    assert!(
        c.id() != b_id && d.id() != a_id,
        "a reused slot has a new generation"
    );
    hub.run();
    assert_eq!(
        (c.try_get(), d.try_get(), e.try_get()),
        (Some(Ok(3)), Some(Ok(4)), Some(Ok(5)))
    );
}
