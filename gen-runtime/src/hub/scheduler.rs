//! [`Hub`], the event loop's owner, and the free functions that spawn onto the running hub.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use super::base::{Clock, TaskKey};
use super::engine::{self, FutTask, Inner, RawTask, RunEnd, Schedule, TaskError};
use super::task::{GenTask, IntoTask, Op, Reply, Task, TaskRef, boxed, nanos};
use crate::{Body, Gen};

/// A coroutine scheduler: gevent's hub, on this thread.
///
/// It runs tasks — futures, or generators yielding [`Op`](crate::hub::Op)s — one at a time, switching
/// when a task waits. `Hub::new()` keeps real time; `Hub::new_virtual()` keeps a simulated clock
/// that jumps to the next timer whenever every task waits, so the same code runs as a
/// deterministic simulation.
///
/// Dropping the hub kills the tasks it still has (their cleanup runs). Their handles live on
/// with what each task ended with: [`Task::try_get`] still gives its value or [`TaskError`],
/// and a join of it is ready at once. (As with any `Rc`, a dead task whose value holds a handle
/// to itself, directly or through the values of other tasks, is never freed, nor what is left
/// of its hub.)
///
/// ```
/// use corogen::hub::{self, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let task = hub.spawn(async {
///     hub::sleep(Duration::from_secs(60)).await;
///     "a minute later"
/// });
/// hub.run();
/// assert_eq!(task.try_get(), Some(Ok("a minute later")));
/// assert_eq!(hub.now(), Duration::from_secs(60)); // and no time passed
/// ```
pub struct Hub {
    pub(crate) inner: Rc<Inner>,
}

impl Hub {
    /// A hub on the wall clock.
    ///
    /// Not on `wasm32-unknown-unknown`, whose `std` has no clock (`Instant::now` panics
    /// there): use [`Hub::new_virtual`].
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    #[cfg_attr(
        docsrs,
        doc(cfg(not(all(target_family = "wasm", target_os = "unknown"))))
    )]
    pub fn new() -> Hub {
        Hub {
            inner: Inner::new(Clock::new_real()),
        }
    }

    /// A hub on a virtual clock, starting at zero. Works on every target, `wasm32-unknown-unknown`
    /// included (where it is the only hub).
    pub fn new_virtual() -> Hub {
        Hub {
            inner: Inner::new(Clock::new_virtual()),
        }
    }

    /// Whether the clock is virtual.
    pub fn is_virtual(&self) -> bool {
        self.inner.virtual_clock
    }

    /// The hub's time: how long since it was made (virtual or real; a real hub reads the
    /// clock once per turn of its loop).
    pub fn now(&self) -> Duration {
        Duration::from_nanos(self.inner.now())
    }

    /// Tasks that have not ended yet.
    pub fn live_tasks(&self) -> usize {
        self.inner.core.borrow().live
    }

    /// Spawns a task: it runs when the hub next gets to it, after the tasks already runnable
    /// (gevent's `spawn`).
    pub fn spawn<T: IntoTask>(&self, task: T) -> Task<T::Output> {
        spawn_on(&self.inner, task, Schedule::Now, None)
    }

    /// Spawns a task that starts after `delay` (gevent's `spawn_later`).
    pub fn spawn_later<T: IntoTask>(&self, delay: Duration, task: T) -> Task<T::Output> {
        let at = self.inner.now().saturating_add(nanos(delay));
        spawn_on(&self.inner, task, Schedule::At(at), None)
    }

    /// Makes a task that starts only when switched into or [started](TaskRef::start)
    /// (greenlet's `greenlet(run)`, gevent's unstarted `Greenlet`).
    pub fn greenlet<T: IntoTask>(&self, task: T) -> Task<T::Output> {
        let parent = self.inner.core.borrow().current;
        spawn_on(&self.inner, task, Schedule::OnSwitch, parent)
    }

    /// Runs until no task can run and no timer is due: every task ended, or the rest wait for
    /// something that can no longer happen. A waker a foreign future keeps (of a task not
    /// dead) may still wake its task, from another thread: the hub waits for it. A dead task's
    /// wakers keep nothing waiting.
    ///
    /// # Panics
    /// If called from a task of this hub.
    pub fn run(&self) {
        self.inner.run_until(None, None);
    }

    /// Runs as [`run`](Self::run), for at most `timeout` of the hub's time; `true` if the hub
    /// went idle first, `false` if the time ran out (gevent's `wait(timeout=…)`).
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|timeout| self.inner.now().saturating_add(nanos(timeout)));
        self.inner.run_until(None, deadline) == RunEnd::Idle
    }

    /// Runs `task` as the hub's main task until it ends, giving its value; like gevent's main
    /// greenlet joining one task. Other tasks run meanwhile, and those not finished stay.
    ///
    /// As with `futures::executor::block_on`, the task may borrow the caller's locals: it is
    /// not `'static`, and neither is its value. It is dropped before `block_on` returns or
    /// unwinds, on every path: a main task still waiting when `block_on` gives up (the hub went
    /// idle) is killed first, its cleanup running with what it borrows still there. Spawned
    /// tasks are `'static` as always.
    ///
    /// ```
    /// use corogen::hub::{self, Hub};
    /// use std::time::Duration;
    ///
    /// let hub = Hub::new_virtual();
    /// let mut log = Vec::new();
    /// let words = vec!["one", "two"];
    /// let count = hub.block_on(async {
    ///     for word in &words {
    ///         hub::sleep(Duration::from_secs(1)).await;
    ///         log.push(*word);
    ///     }
    ///     log.len()
    /// });
    /// assert_eq!((count, log, words.len()), (2, vec!["one", "two"], 2));
    /// ```
    ///
    /// # Panics
    /// If the task panics (with its message) or is killed, if the hub goes idle before the
    /// task ends (it waits for something that can never happen), or if called from a task of
    /// this hub.
    pub fn block_on<T: IntoMainTask>(&self, task: T) -> T::Output {
        assert!(
            !self.inner.running.get(),
            "corogen hub: the hub is already running (a task cannot run its own hub)"
        );
        let output = Cell::new(None);
        let main = MainTask::spawn(&self.inner, task.into_main_future(), &output);
        self.inner.run_until(Some(main.task.key), None);
        // Dead or not, whatever stopped the run: a task killed by another can leave the hub
        // idle before the loop looks at its end.
        let ended = main.task.dead();
        let error = main.finish();
        if let Some(value) = output.into_inner() {
            return value;
        }
        match error {
            Some(TaskError::Panicked(message)) if ended => resume_unwind(Box::new(message)),
            Some(error) if ended => {
                panic!("corogen hub: block_on's task ended without a value: {error}")
            }
            _ => panic!("corogen hub: block_on's task can never finish (every task is waiting)"),
        }
    }
}

/// What [`Hub::block_on`] runs: any future, which may borrow the caller's locals, or a
/// generator whose yields are requests to the hub (as [`IntoTask`], without `'static`).
pub trait IntoMainTask {
    /// The task's result.
    type Output;
    /// The future the task runs as.
    type Future: Future<Output = Self::Output>;
    /// Turns `self` into the future the task runs.
    fn into_main_future(self) -> Self::Future;
}

impl<F: Future> IntoMainTask for F {
    type Output = F::Output;
    type Future = F;

    fn into_main_future(self) -> F {
        self
    }
}

impl<B: Body<Yield = Op, Resume = Reply>> IntoMainTask for Gen<B> {
    type Output = B::Return;
    type Future = GenTask<B>;

    fn into_main_future(self) -> GenTask<B> {
        GenTask::new(self)
    }
}

/// The main task of a [`Hub::block_on`] call, which may borrow what outlives `'a` only: the
/// task is dead, its future dropped, before this is.
///
/// The hub stores tasks as `'static`; this one's lifetime is erased (the one `unsafe` of
/// `block_on`), and what makes that sound is here: while `'a` lasts nothing of the future is
/// used after `'a`, because
///
/// - the only place the future lives is its task's allocation, and the task is killed (its
///   future dropped in place, its cleanup run) when this guard is dropped, at the latest: by
///   [`finish`](Self::finish), or while `block_on` unwinds;
/// - a kill drops the future of a task that is not running. This one cannot be running when
///   the guard drops: its poll runs inside `run_until`, below `block_on`'s frame, and a poll
///   that unwinds is caught there (if anything above the catch unwound, the future would be
///   dropped with the frame that holds it, before this one). A task killed, panicked or
///   returned is dead already, its allocation holding only `Result<(), TaskError>`;
/// - the value goes to `block_on`'s frame through `output`, not into the task's result, so
///   the dead task keeps nothing borrowed: handles to it (a [`TaskRef`] from
///   [`getcurrent`](crate::hub::getcurrent)), its links and the hub's drop find only that;
/// - the hub cannot be dropped meanwhile: `block_on` borrows it.
///
/// The guard keeps `'a` (the borrow of `output`) in its type, so the compiler checks that
/// `block_on` reads `output` only once [`finish`](Self::finish) has ended the task.
struct MainTask<'h, 'a> {
    hub: &'h Rc<Inner>,
    task: Task<()>,
    _borrows: PhantomData<&'a ()>,
}

impl<'h, 'a> MainTask<'h, 'a> {
    /// Spawns `future` as the main task; its value goes to `output`.
    fn spawn<F: Future + 'a>(
        hub: &'h Rc<Inner>,
        future: F,
        output: &'a Cell<Option<F::Output>>,
    ) -> Self {
        let body: Pin<Box<dyn RawTask + 'a>> = Box::pin(FutTask::new(async move {
            output.set(Some(future.await));
        }));
        // SAFETY: only the lifetime changes (`'a` to `'static`: the layout of a box of a trait
        // object does not depend on it). The future is not used after `'a`: the guard returned
        // here, which lives in `block_on`'s frame, inside `'a`, kills the task when dropped,
        // and see `MainTask` for why that drops the future and nothing of it is reachable
        // after.
        let body = unsafe {
            std::mem::transmute::<Pin<Box<dyn RawTask + 'a>>, Pin<Box<dyn RawTask>>>(body)
        };
        let key = hub.spawn_raw(body, Schedule::Now, None);
        MainTask {
            hub,
            task: Task::new(TaskRef::adopt(Rc::clone(hub), key)),
            _borrows: PhantomData,
        }
    }

    /// Kills the task if it is still alive (its future dropped here) and gives why it has no
    /// value: `None` if it returned.
    fn finish(self) -> Option<TaskError> {
        self.hub.kill(self.task.key);
        self.task.try_get().and_then(Result::err)
    }
}

impl Drop for MainTask<'_, '_> {
    fn drop(&mut self) {
        // A kill catches what the future's destructors throw: nothing unwinds from here.
        self.hub.kill(self.task.key);
        debug_assert!(self.task.dead(), "block_on's task outlives block_on");
    }
}

/// [`Hub::new`]: a hub on the wall clock (not on `wasm32-unknown-unknown`).
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.inner.shut_down();
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("virtual", &self.is_virtual())
            .field("now", &self.now())
            .field("live_tasks", &self.live_tasks())
            .finish()
    }
}

fn spawn_on<T: IntoTask>(
    hub: &Rc<Inner>,
    task: T,
    schedule: Schedule,
    parent: Option<TaskKey>,
) -> Task<T::Output> {
    spawn_into(Rc::clone(hub), task, schedule, parent)
}

/// As [`spawn_on`], the new handle taking `hub`.
#[inline]
fn spawn_into<T: IntoTask>(
    hub: Rc<Inner>,
    task: T,
    schedule: Schedule,
    parent: Option<TaskKey>,
) -> Task<T::Output> {
    let key = hub.spawn_raw(boxed(task), schedule, parent);
    Task::new(TaskRef::adopt(hub, key))
}

/// Spawns a task on the running hub (gevent's `spawn`).
///
/// # Panics
/// Outside a running hub.
#[inline]
pub fn spawn<T: IntoTask>(task: T) -> Task<T::Output> {
    spawn_into(engine::current(), task, Schedule::Now, None)
}

/// Spawns a task on the running hub that starts after `delay` (gevent's `spawn_later`).
///
/// # Panics
/// Outside a running hub.
pub fn spawn_later<T: IntoTask>(delay: Duration, task: T) -> Task<T::Output> {
    let hub = engine::current();
    let at = hub.now().saturating_add(nanos(delay));
    spawn_into(hub, task, Schedule::At(at), None)
}

/// Makes a task on the running hub that starts when switched into; its parent is the running
/// task (greenlet's `greenlet(run)`). See [`switch`](crate::hub::switch).
///
/// # Panics
/// Outside a running hub.
pub fn greenlet<T: IntoTask>(task: T) -> Task<T::Output> {
    let hub = engine::current();
    let parent = hub.core.borrow().current;
    spawn_into(hub, task, Schedule::OnSwitch, parent)
}
