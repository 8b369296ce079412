//! The waiting room every synchronisation object uses: a FIFO list of waiting tasks, and the
//! future that waits on a [`Condition`].
//!
//! A waiter registers and gets an id; a notification removes it from the list and wakes its
//! task. Waking is a hint: the woken future checks its condition again and registers again if it
//! still cannot go on (another task was faster). A waiter that gives up after it was notified
//! passes the notification on, so no wake-one notification is lost.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::hub::base::TaskKey;
use crate::hub::engine::{Inner, adopt, current};

struct Waiter {
    id: u64,
    hub: Rc<Inner>,
    task: TaskKey,
}

/// Tasks waiting for something, in the order they came. Ids increase along the list.
#[derive(Default)]
pub(crate) struct WaitList {
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

impl WaitList {
    /// Registers the running task.
    pub(crate) fn register(&mut self) -> u64 {
        let hub = current();
        let task = hub.core.borrow().current();
        self.next_id += 1;
        self.waiters.push_back(Waiter {
            id: self.next_id,
            hub,
            task,
        });
        self.next_id
    }

    fn position(&self, id: u64) -> Option<usize> {
        self.waiters
            .binary_search_by_key(&id, |waiter| waiter.id)
            .ok()
    }

    /// Makes sure the running task waits here: registers it unless `registration` still is.
    pub(crate) fn ensure(&mut self, registration: &mut Option<u64>) {
        if registration.is_none_or(|id| self.position(id).is_none()) {
            *registration = Some(self.register());
        }
    }

    /// The wait is over: removes the registration if it is still here.
    pub(crate) fn done(&mut self, registration: &mut Option<u64>) {
        if let Some(id) = registration.take() {
            self.remove(id);
        }
    }

    /// Whether `id` was notified (it is registered no more).
    pub(crate) fn notified(&self, id: u64) -> bool {
        self.position(id).is_none()
    }

    /// Removes a registration; `false` if it was already notified.
    pub(crate) fn remove(&mut self, id: u64) -> bool {
        match self.position(id) {
            Some(at) => {
                self.waiters.remove(at);
                true
            }
            None => false,
        }
    }

    /// Wakes the first waiter; `false` if there was none.
    pub(crate) fn notify_one(&mut self) -> bool {
        match self.waiters.pop_front() {
            Some(waiter) => {
                wake(&waiter);
                true
            }
            None => false,
        }
    }

    /// Wakes every waiter.
    pub(crate) fn notify_all(&mut self) {
        for waiter in self.waiters.drain(..) {
            wake(&waiter);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.waiters.len()
    }
}

fn wake(waiter: &Waiter) {
    if let Ok(mut core) = waiter.hub.core.try_borrow_mut() {
        core.wake(waiter.task);
    } else {
        waiter.hub.remote.wake(waiter.task);
    }
}

/// Something a task can wait for: the shared state of an event, a semaphore, a queue…
pub(crate) trait Condition {
    /// `true` when the wait is over (taking what it waited for, for a semaphore); otherwise
    /// makes sure the running task is registered, in `registration`.
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool;
    /// The waiter gives up while registered as `id`.
    fn abandon(&self, id: u64);
}

/// What [`op::wait`](crate::hub::op::wait) needs from a synchronisation object.
#[doc(hidden)]
pub struct WaitHandle(pub(crate) Rc<dyn Condition>);

/// A synchronisation object a generator task can wait on with [`op::wait`](crate::hub::op::wait).
pub trait Waitable {
    #[doc(hidden)]
    fn condition(&self) -> WaitHandle;
}

/// The future that waits on a synchronisation object ([`Event::wait`](crate::hub::Event::wait),
/// [`Semaphore::acquire`](crate::hub::Semaphore::acquire)…).
#[must_use = "futures do nothing unless awaited"]
pub struct WaitFor {
    condition: Rc<dyn Condition>,
    registration: Option<u64>,
}

pub(crate) type CondWait = WaitFor;

impl WaitFor {
    pub(crate) fn new(condition: Rc<dyn Condition>) -> Self {
        WaitFor {
            condition,
            registration: None,
        }
    }
}

impl Future for WaitFor {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        let this = self.get_mut();
        if this.condition.poll_wait(&mut this.registration) {
            this.registration = None;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for WaitFor {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            self.condition.abandon(id);
        }
    }
}
