//! [`Hub`], the event loop's owner, and the free functions that spawn onto the running hub.

use std::fmt;
use std::panic::resume_unwind;
use std::rc::Rc;
use std::time::Duration;

use super::base::{Clock, TaskKey};
use super::engine::{self, Inner, RunEnd, Schedule, TaskError};
use super::task::{IntoTask, Task, TaskRef, boxed, nanos};

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

    /// Spawns `task` and runs the hub until it ends, giving its value; like gevent's main
    /// greenlet joining one task. Other tasks run meanwhile, and those not finished stay.
    ///
    /// # Panics
    /// If the task panics (with its message) or is killed, or if the hub goes idle before the
    /// task ends (it waits for something that can never happen).
    pub fn block_on<T: IntoTask>(&self, task: T) -> T::Output {
        let task = self.spawn(task);
        if self.inner.run_until(Some(task.key), None) != RunEnd::Done {
            panic!("corogen hub: block_on's task can never finish (every task is waiting)");
        }
        match task.try_get() {
            Some(Ok(value)) => value,
            Some(Err(TaskError::Panicked(message))) => resume_unwind(Box::new(message)),
            Some(Err(error)) => {
                panic!("corogen hub: block_on's task ended without a value: {error}")
            }
            None => unreachable!("block_on's task is dead"),
        }
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
