//! The waiting room every synchronisation object uses: a FIFO list of waiting tasks and links,
//! and the future that waits on a [`Condition`].
//!
//! A waiter registers and gets an id; a notification removes it from the list and wakes its
//! task. Waking is a hint: the woken future checks its condition again and registers again if it
//! still cannot go on (another task was faster). A waiter that gives up after it was notified
//! passes the notification on, so no wake-one notification is lost.
//!
//! Three kinds of entries share the one list, so that they are notified in the order they came:
//! - a *waiter*, a task that will take what it waits for (a semaphore's permit, a queue's item):
//!   a wake-one notification ([`WaitList::notify_one`]) ends with the first waiter it wakes;
//! - an *observer*, a task that only looks ([`wait_on`](crate::hub::wait_on), a queue's `peek`):
//!   woken like a waiter, but a wake-one notification goes on past it;
//! - a *link* (gevent's `rawlink`): a callback, queued on the hub's loop when notified, and, like
//!   an observer, passed by a wake-one notification.
//!
//! Ids increase along the list; an observer's or a link's is odd, a waiter's even, and 0 is
//! never an id (a synchronisation object may use it as a mark of its own).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::hub::base::TaskKey;
use crate::hub::engine::{Callback, Inner, adopt, current};

struct Waiter {
    id: u64,
    who: Who,
}

enum Who {
    Task { hub: Rc<Inner>, task: TaskKey },
    Link(Box<Link>),
}

struct Link {
    hub: Rc<Inner>,
    call: Box<dyn FnOnce()>,
}

// A task waiting on a queue or a semaphore holds one entry: keep it three words.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<Waiter>() == 24);

/// Tasks waiting for something, and links, in the order they came. Ids increase along the list.
#[derive(Default)]
pub(crate) struct WaitList {
    waiters: VecDeque<Waiter>,
    /// The last id given, even.
    next_id: u64,
}

/// The running task and its hub.
#[inline]
fn running() -> (Rc<Inner>, TaskKey) {
    let hub = current();
    let task = hub.core.borrow().current();
    (hub, task)
}

/// Whether `id` is an observer's or a link's: a wake-one notification goes on past it.
#[inline]
fn passes(id: u64) -> bool {
    id & 1 == 1
}

impl WaitList {
    #[inline]
    fn next(&mut self, odd: bool) -> u64 {
        self.next_id += 2;
        self.next_id | u64::from(odd)
    }

    /// Registers the running task as a waiter.
    #[inline]
    pub(crate) fn register(&mut self) -> u64 {
        self.register_task(false)
    }

    #[inline]
    fn register_task(&mut self, observer: bool) -> u64 {
        let (hub, task) = running();
        let id = self.next(observer);
        self.waiters.push_back(Waiter {
            id,
            who: Who::Task { hub, task },
        });
        id
    }

    /// Registers `call`, to be queued on `hub`'s loop when notified (a link). It never runs if
    /// the hub is dropped first.
    pub(crate) fn link(&mut self, hub: Rc<Inner>, call: Box<dyn FnOnce()>) -> u64 {
        let id = self.next(true);
        self.waiters.push_back(Waiter {
            id,
            who: Who::Link(Box::new(Link { hub, call })),
        });
        id
    }

    #[inline]
    fn position(&self, id: u64) -> Option<usize> {
        self.waiters
            .binary_search_by_key(&id, |waiter| waiter.id)
            .ok()
    }

    /// Makes sure the running task waits here: registers it unless `registration` still is.
    #[inline]
    pub(crate) fn ensure(&mut self, registration: &mut Option<u64>) {
        if registration.is_none_or(|id| self.position(id).is_none()) {
            *registration = Some(self.register());
        }
    }

    /// As [`ensure`](Self::ensure), as an observer: a wake-one notification wakes it and goes
    /// on to the next entry.
    pub(crate) fn ensure_observer(&mut self, registration: &mut Option<u64>) {
        if registration.is_none_or(|id| self.position(id).is_none()) {
            *registration = Some(self.register_task(true));
        }
    }

    /// The wait is over: removes the registration if it is still here.
    #[inline]
    pub(crate) fn done(&mut self, registration: &mut Option<u64>) {
        if let Some(id) = registration.take() {
            self.remove(id);
        }
    }

    /// Whether `id` was notified (it is registered no more).
    pub(crate) fn notified(&self, id: u64) -> bool {
        self.position(id).is_none()
    }

    /// Removes a registration or a link; `false` if it was already notified.
    #[inline]
    pub(crate) fn remove(&mut self, id: u64) -> bool {
        match self.position(id) {
            Some(at) => {
                let removed = self.waiters.remove(at);
                drop(removed);
                true
            }
            None => false,
        }
    }

    /// Wakes the entries up to and including the first waiter (not an observer, not a link);
    /// `false` if there was no waiter.
    #[inline]
    pub(crate) fn notify_one(&mut self) -> bool {
        let Some(waiter) = self.waiters.pop_front() else {
            return false;
        };
        match waiter {
            // The common case: a task that will take what it is woken for.
            Waiter {
                id,
                who: Who::Task { hub, task },
            } if !passes(id) => {
                wake_task(&hub, task);
                true
            }
            waiter => self.notify_past(waiter),
        }
    }

    /// [`notify_one`](Self::notify_one) from an observer or a link on.
    #[cold]
    #[inline(never)]
    fn notify_past(&mut self, first: Waiter) -> bool {
        let mut next = Some(first);
        while let Some(waiter) = next {
            let passed = passes(waiter.id);
            notify(waiter);
            if !passed {
                return true;
            }
            next = self.waiters.pop_front();
        }
        false
    }

    /// Wakes every entry; gives how many were waiters (not observers, not links).
    pub(crate) fn notify_all(&mut self) -> usize {
        let mut waiters = 0;
        for waiter in self.waiters.drain(..) {
            waiters += usize::from(!passes(waiter.id));
            notify(waiter);
        }
        waiters
    }

    /// Entries: waiters, observers and links (gevent's `linkcount()`).
    pub(crate) fn len(&self) -> usize {
        self.waiters.len()
    }

    /// Waiters only (not observers, not links).
    pub(crate) fn waiting(&self) -> usize {
        self.waiters
            .iter()
            .filter(|waiter| !passes(waiter.id))
            .count()
    }
}

/// Puts the running task at the back of the run queue: its next poll comes after the tasks
/// already runnable.
pub(crate) fn requeue() {
    let (hub, task) = running();
    hub.core.borrow_mut().wake(task);
}

#[inline]
fn notify(waiter: Waiter) {
    match waiter.who {
        Who::Task { hub, task } => wake_task(&hub, task),
        Who::Link(link) => queue_link(*link),
    }
}

/// Queues a link notified on its hub's loop (not if the hub was dropped).
#[cold]
#[inline(never)]
fn queue_link(link: Link) {
    let Link { hub, call } = link;
    if hub.closed.get() {
        return;
    }
    // No user code runs while the table is borrowed, so the borrow succeeds.
    if let Ok(mut core) = hub.core.try_borrow_mut() {
        core.callbacks.push_back(Callback::Call(call));
    }
}

/// Queues `call` on the running hub's loop now (a link made on an object already ready).
pub(crate) fn call_soon(call: Box<dyn FnOnce()>) {
    current()
        .core
        .borrow_mut()
        .callbacks
        .push_back(Callback::Call(call));
}

/// Wakes `task` of `hub`: through the table, or, if it is borrowed, through the remote side.
#[inline]
pub(crate) fn wake_task(hub: &Inner, task: TaskKey) {
    if let Ok(mut core) = hub.core.try_borrow_mut() {
        core.wake(task);
    } else {
        wake_remotely(hub, task);
    }
}

#[cold]
#[inline(never)]
fn wake_remotely(hub: &Inner, task: TaskKey) {
    hub.remote.wake(task);
}

/// The id of a link made by `rawlink`, to [`unlink`] it (gevent's `unlink(callback)`).
///
/// [`unlink`]: crate::hub::Event::unlink
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkId(pub(crate) u64);

impl LinkId {
    /// The id of a link that was queued at once (its object was ready): unlinking it does
    /// nothing.
    pub(crate) const QUEUED: LinkId = LinkId(0);
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
