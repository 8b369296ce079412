//! Unit tests of the hub's unsafe paths that cross threads or outlive a poll, small enough for
//! Miri (`cargo +nightly miri test -p corogen-runtime --lib hub::`), beside those of `tests.rs`:
//!
//! - the blocking pool, whose jobs wake their tasks from its threads;
//! - owned wakers (clones of the borrowed one) woken, cloned and dropped on other threads, also
//!   after their task died or their hub was dropped, or just as the hub finds nothing to do;
//! - an async generator's wrapper waker cloned and woken on the hub's thread and on another
//!   one, during the poll that lent it;
//! - `adopt_foreign`: hub operations polled with a combinator's waker, with an async
//!   generator's wrapper of one, or with a generator body's slot waker;
//! - dropping a hub whose tasks are still alive, in every state, holding each other.
//!
//! The threads a test starts are joined before it ends, as Miri wants, but for the blocking
//! pool's, which live for the rest of the process: Miri ignores the `blocking_pool_` tests in
//! the run above, and runs them apart, without its check that every thread ended (which is also
//! its leak check):
//!
//! ```text
//! MIRIFLAGS=-Zmiri-ignore-leaks cargo +nightly miri test -p corogen-runtime --lib \
//!     hub::miri_tests::blocking_pool_ -- --ignored
//! ```

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use super::{
    Event, Hub, Op, Reply, Semaphore, Task, TaskError, TaskRef, op, sleep, spawn_blocking,
};

/// Both clocks: the same test runs on a real hub and on a virtual one.
fn hubs() -> [Hub; 2] {
    [Hub::new(), Hub::new_virtual()]
}

#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "no threads, no blocking pool"
)]
#[cfg_attr(
    miri,
    ignore = "the pool's threads outlive the test: run apart (see the module docs)"
)]
fn blocking_pool_jobs_wake_their_tasks_from_its_threads() {
    for hub in hubs() {
        let sum = hub.spawn(async {
            let (a, b) = (spawn_blocking(|| 20), spawn_blocking(|| 22));
            a.await + b.await
        });
        // The job outlives its task: it wakes a dead task, and the hub waits for it all the
        // same (its count keeps the hub busy), then goes idle.
        let (release, gate) = mpsc::channel::<()>();
        let killed = hub.spawn(async move {
            spawn_blocking(move || gate.recv().unwrap()).await;
        });
        let killer = killed.clone();
        hub.spawn(async move {
            sleep(Duration::ZERO).await;
            killer.kill();
            release.send(()).unwrap();
        });
        hub.run();
        assert_eq!(sum.try_get(), Some(Ok(42)));
        assert!(killed.killed());
    }
}

#[test]
#[cfg_attr(
    any(
        panic = "abort",
        all(target_family = "wasm", not(target_feature = "atomics"))
    ),
    ignore = "a task's panic aborts the tests; no blocking pool without threads"
)]
#[cfg_attr(
    miri,
    ignore = "the pool's threads outlive the test: run apart (see the module docs)"
)]
fn blocking_pool_panic_resumes_in_the_task() {
    let hub = Hub::new_virtual();
    let task = hub.spawn(async { spawn_blocking(|| -> u8 { panic!("in the pool") }).await });
    hub.run();
    assert_eq!(
        task.try_get(),
        Some(Err(TaskError::Panicked("in the pool".into())))
    );
}

/// A future that keeps clones of its waker where the test says, and counts its polls.
fn keep_wakers(
    kept: &Arc<Mutex<Vec<Waker>>>,
    ready_after: usize,
) -> impl Future<Output = usize> + use<> {
    let kept = Arc::clone(kept);
    let mut polls = 0;
    poll_fn(move |cx| {
        polls += 1;
        kept.lock().unwrap().push(cx.waker().clone());
        if polls > ready_after {
            Poll::Ready(polls)
        } else {
            Poll::Pending
        }
    })
}

#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts threads"
)]
fn owned_wakers_are_woken_cloned_and_dropped_on_other_threads() {
    for hub in hubs() {
        let kept = Arc::default();
        let task = hub.spawn(keep_wakers(&kept, 2));
        // Once it waits: wake it from one thread by reference, from another by value, and clone
        // and drop its wakers on a third.
        let waker_of = |kept: &Arc<Mutex<Vec<Waker>>>| kept.lock().unwrap().pop().unwrap();
        let kept_ = Arc::clone(&kept);
        hub.spawn(async move {
            sleep(Duration::ZERO).await;
            let waker = waker_of(&kept_);
            let clones = waker.clone();
            thread::spawn(move || {
                waker.wake_by_ref();
                let other = waker.clone();
                drop(waker);
                other.wake();
            })
            .join()
            .unwrap();
            sleep(Duration::from_millis(1)).await;
            thread::spawn(move || {
                // A clone of an owned waker (its count), woken by value on this thread.
                let clone = clones.clone();
                drop(clones);
                clone.wake();
            })
            .join()
            .unwrap();
        });
        hub.run();
        assert_eq!(task.try_get(), Some(Ok(3)));
        // Wakers of a dead task, kept past its hub: waking and dropping them is harmless.
        let left = std::mem::take(&mut *kept.lock().unwrap());
        drop(hub);
        thread::spawn(move || left.into_iter().for_each(Waker::wake))
            .join()
            .unwrap();
    }
}

// A dead task's waker, alive, keeps no hub waiting; a live task's waker does, until another
// thread wakes the task with it.
#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts threads"
)]
fn the_hub_waits_for_the_wakers_of_live_tasks_only() {
    for hub in hubs() {
        let kept = Arc::default();
        let finished = hub.spawn(keep_wakers(&kept, 0));
        let waiting = hub.spawn(keep_wakers(&kept, 1));
        // Once both were polled, a thread wakes `waiting` with the last waker kept, its own.
        let (started, go) = mpsc::channel::<()>();
        let kept_ = Arc::clone(&kept);
        let waker = thread::spawn(move || {
            go.recv().unwrap();
            let waker = kept_.lock().unwrap().pop().unwrap();
            waker.wake();
        });
        hub.spawn(async move {
            sleep(Duration::ZERO).await;
            started.send(()).unwrap();
        });
        hub.run();
        waker.join().unwrap();
        assert_eq!(
            (finished.try_get(), waiting.try_get()),
            (Some(Ok(1)), Some(Ok(2)))
        );
        assert_eq!(
            kept.lock().unwrap().len(),
            2,
            "the dead tasks' wakers are alive"
        );
    }
}

// `Hub::run` could return with a task woken but not run: a wake from another thread that came
// just as the hub found nothing to do, its waker dropped right after (a channel's sender does
// that), was seen neither as a wake nor as a waker keeping the hub waiting. (Miri found it in
// the test above, under some of its schedules.)
#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts threads"
)]
fn a_wake_from_a_waker_dropped_at_once_is_not_lost() {
    let rounds = if cfg!(miri) { 16 } else { 1000 };
    for round in 0..rounds {
        let hub = if round % 2 == 0 {
            Hub::new()
        } else {
            Hub::new_virtual()
        };
        let wakers = Rc::new(RefCell::new(Vec::new()));
        let threads = Rc::clone(&wakers);
        let mut polls = 0;
        let task = hub.spawn(poll_fn(move |cx| {
            polls += 1;
            if polls > 1 {
                return Poll::Ready(polls);
            }
            let waker = cx.waker().clone();
            // Woken by value: the waker is dropped as the wake ends.
            threads
                .borrow_mut()
                .push(thread::spawn(move || waker.wake()));
            Poll::Pending
        }));
        hub.run();
        wakers.take().into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(task.try_get(), Some(Ok(2)), "round {round}");
    }
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
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts threads"
)]
fn wrapper_wakers_clone_and_wake_as_the_tasks_own_on_any_thread() {
    let hub = Hub::new_virtual();
    let task = hub.spawn(async {
        let mut items = async_gen!(u32, |co| {
            // Cloned on the hub's thread, woken from another one after the poll.
            let mut sent = false;
            poll_fn(|cx| {
                if sent {
                    return Poll::Ready(());
                }
                sent = true;
                let waker = cx.waker().clone();
                thread::spawn(move || waker.wake()).join().unwrap();
                Poll::Pending
            })
            .await;
            co.yield_(1).await;
            // Lent to another thread during the poll: cloned and woken there.
            let mut woken = false;
            poll_fn(|cx| {
                if woken {
                    return Poll::Ready(());
                }
                woken = true;
                let waker: &Waker = cx.waker();
                thread::scope(|scope| {
                    scope.spawn(|| {
                        waker.wake_by_ref();
                        // The wrapper cloned here, on another thread.
                        let clone = waker.clone();
                        clone.wake();
                    });
                });
                Poll::Pending
            })
            .await;
            co.yield_(2).await;
        });
        let mut seen = Vec::new();
        while let Some(item) = items.next().await {
            seen.push(item);
        }
        seen
    });
    hub.run();
    assert_eq!(task.try_get(), Some(Ok(vec![1, 2])));
}

/// Counts its wakes and passes them on to the waker of the task polling the combinator.
struct ChildWaker {
    wakes: AtomicUsize,
    parent: Mutex<Option<Waker>>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::Relaxed);
        if let Some(parent) = &*self.parent.lock().unwrap() {
            parent.wake_by_ref();
        }
    }
}

/// A combinator that polls its child with a waker of its own, and only when that waker was
/// woken, as `FuturesUnordered` does.
struct OwnWaker<F> {
    child: Pin<Box<F>>,
    waker: Arc<ChildWaker>,
    polled: bool,
}

fn own_waker<F: Future>(child: F) -> OwnWaker<F> {
    OwnWaker {
        child: Box::pin(child),
        waker: Arc::new(ChildWaker {
            wakes: AtomicUsize::new(0),
            parent: Mutex::new(None),
        }),
        polled: false,
    }
}

impl<F: Future> Future for OwnWaker<F> {
    type Output = (F::Output, usize);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        *self.waker.parent.lock().unwrap() = Some(cx.waker().clone());
        let wakes = self.waker.wakes.swap(0, Ordering::Relaxed);
        if self.polled && wakes == 0 {
            return Poll::Pending;
        }
        self.polled = true;
        let waker = Waker::from(Arc::clone(&self.waker));
        let polled = self.child.as_mut().poll(&mut Context::from_waker(&waker));
        let adopted = super::engine::current().core.borrow().adopted;
        polled.map(|output| (output, adopted))
    }
}

/// A generator task's body, as `#[generator(yield = Op, resume = Reply)]` expands (the macro
/// crate is not a dependency of this one).
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
fn hub_operations_polled_with_foreign_wrapper_or_slot_wakers_are_adopted() {
    let hub = Hub::new_virtual();
    let done = spawn_dead(&hub);
    // A combinator's waker: kept, and woken before the task's next poll.
    let foreign = hub.spawn(own_waker(sleep(Duration::from_millis(1))));
    // An async generator polled by that combinator: its wrapper wraps the combinator's waker,
    // which the hub keeps (looking through the wrapper).
    let wrapped = hub.spawn(own_waker(async {
        let mut ticks = async_gen!(u32, |co| {
            sleep(Duration::from_millis(2)).await;
            co.yield_(7).await;
        });
        ticks.next().await
    }));
    // A generator's body awaiting a hub operation (ready at once) with its slot waker: the
    // hub keeps a clone of it (a no-op waker), woken harmlessly at the task's next wake.
    let set = Event::new();
    set.set();
    let slot = hub.spawn(op_gen!(|co| {
        set.wait().await;
        done.join().await;
        co.yield_(op::sleep(Duration::from_millis(3))).await;
        set.wait().await;
        9
    }));
    hub.run();
    let ((), adopted_foreign) = foreign.try_get().unwrap().unwrap();
    let (item, adopted_wrapped) = wrapped.try_get().unwrap().unwrap();
    assert_eq!(item, Some(7));
    assert!(adopted_foreign >= 1 && adopted_wrapped > adopted_foreign);
    assert_eq!(slot.try_get(), Some(Ok(9)));
    assert_eq!(hub.now(), Duration::from_millis(3));
}

/// A task of `hub` that is already dead.
fn spawn_dead(hub: &Hub) -> Task<()> {
    let task = hub.spawn(async {});
    hub.run();
    task
}

/// Counts its live instances.
struct Alive(Rc<Cell<usize>>);

impl Alive {
    fn new(count: &Rc<Cell<usize>>) -> Alive {
        count.set(count.get() + 1);
        Alive(Rc::clone(count))
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

#[test]
#[cfg_attr(
    all(target_family = "wasm", not(target_feature = "atomics")),
    ignore = "starts a thread"
)]
fn dropping_a_hub_with_live_tasks_frees_them_all() {
    let alive = Rc::new(Cell::new(0));
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (held_result, held_kill) = {
        let hub = Hub::new_virtual();
        let event = Event::new();
        let sem = Semaphore::new(1);
        let handles: Rc<RefCell<Vec<TaskRef>>> = Rc::default();
        // Tasks that hold handles to each other (and to themselves), guards, permits, and a
        // waker kept by another thread.
        for _ in 0..2 {
            let (guard, event, sem, all) = (
                Alive::new(&alive),
                event.clone(),
                sem.clone(),
                Rc::clone(&handles),
            );
            let keeper = Arc::clone(&kept);
            let task = hub.spawn(async move {
                let _guard = guard;
                let _all = all;
                keep_wakers(&keeper, 0).await;
                // The first holds the permit, the second waits for it.
                let _permit = sem.acquire_permit().await;
                event.wait().await;
            });
            handles.borrow_mut().push(task.into_ref());
        }
        let gen_guard = Alive::new(&alive);
        let join_all = handles.borrow().clone();
        let generator = hub.spawn(op_gen!(|co| {
            let _guard = gen_guard;
            for task in &join_all {
                co.yield_(op::join(task)).await;
            }
        }));
        let unstarted = hub.greenlet({
            let guard = Alive::new(&alive);
            async move { drop(guard) }
        });
        let later = hub.spawn_later(Duration::from_secs(1), {
            let guard = Alive::new(&alive);
            async move { drop(guard) }
        });
        let result = hub.spawn({
            let guard = Alive::new(&alive);
            async move { guard }
        });
        for task in [generator.as_ref(), unstarted.as_ref(), later.as_ref()] {
            let guard = Alive::new(&alive);
            task.link(move |_| drop(guard));
        }
        assert!(!hub.wait(Some(Duration::from_millis(1))));
        assert_eq!(hub.live_tasks(), 5);
        drop((event, sem, handles));
        (result, generator)
        // The hub is dropped here, its tasks' wakers still held by `kept`.
    };
    // Only the result kept by its handle is left; the wakers outlive the hub, on any thread.
    assert_eq!(alive.get(), 1);
    assert!(held_kill.killed());
    let wakers = std::mem::take(&mut *kept.lock().unwrap());
    assert_eq!(wakers.len(), 2);
    thread::spawn(move || wakers.into_iter().for_each(Waker::wake))
        .join()
        .unwrap();
    drop(held_result.try_get());
    assert_eq!(alive.get(), 0);
    drop((held_result, held_kill));
}
