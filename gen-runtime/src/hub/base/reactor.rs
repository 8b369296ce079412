//! The I/O reactor: a readiness poller (the `polling` crate: epoll, kqueue, event ports, IOCP)
//! that the hub blocks in when every task waits, and the sources registered with it.
//!
//! Only with the `net` feature, and reached only through the [`driver`](super::driver), the
//! hub's one seam to it. A hub makes its reactor the first time a task waits on a socket, so a
//! hub without I/O never touches a poller. From then on the driver's park blocks in
//! [`Poller::wait`] until the next timer instead of parking the thread, and wakes from other
//! threads ([`Unparker`]) interrupt the wait with [`Poller::notify`]. Sleeps and I/O share the
//! hub's one timer heap: the wait's timeout is the next timer's deadline.
//!
//! # Readiness
//!
//! Every I/O operation is tried first, on a non-blocking socket; only when the OS says it would
//! block does the task wait, and it waits for the socket's *readiness* in that direction. Each
//! registered source has, per direction (read, write):
//!
//! - `ready`: set when the poller reports the direction ready, cleared when an operation in
//!   that direction would block. Invariant: if it is clear, a readiness event comes before the
//!   socket can make progress in that direction (the operation that cleared it saw it blocked,
//!   and the kernel reports any change after that), so a task waiting for it is not lost.
//! - `waiters`: the tasks waiting for it, woken (and removed) by the event.
//!
//! Events are only taken while the hub parks, between task turns, never while a task runs: a
//! task's "would block, so clear and wait" cannot race with an event on one thread.
//!
//! Sources are registered in edge-triggered mode where the platform has it (epoll, kqueue):
//! one registration for both directions, no system call per wait. Elsewhere they use
//! `polling`'s default oneshot mode and are re-armed, per direction, when a task waits.
//!
//! While tasks are runnable the hub does not block, but it still polls without waiting every
//! few dozen task turns, so a busy hub does not starve its sockets.
//!
//! The socket side — registering on first wait, the readiness futures — is `hub/net/source.rs`
//! and `hub/task/io_wait.rs`.

use std::cell::{Cell, RefCell};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};
use std::task::Poll;
use std::time::Duration;

use polling::{AsSource, Event, Events, PollMode, Poller};

use super::driver::Unparker;
use super::key::TaskKey;

/// A direction of I/O a task waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

/// Task turns (counting the tasks each ran) between two polls of a busy hub.
const BUSY_POLL_INTERVAL: usize = 61;

#[cfg(test)]
thread_local! {
    /// Tests of the oneshot fallback: reactors made on this thread use oneshot mode.
    pub(crate) static FORCE_ONESHOT: Cell<bool> = const { Cell::new(false) };
}

/// One hub's poller and the state of the sources registered with it.
pub(crate) struct Reactor {
    poller: Arc<Poller>,
    /// Edge-triggered registrations (else oneshot, re-armed per wait).
    edge: bool,
    state: RefCell<IoState>,
    events: RefCell<Events>,
    /// Task turns since the last poll of a busy hub.
    ticks: Cell<usize>,
}

#[derive(Default)]
struct IoState {
    slots: Vec<IoSlot>,
    free: Vec<usize>,
    /// Waiters registered across the slots that keep the hub busy: while there are some, the
    /// hub is not idle.
    waiting: usize,
    /// Waiters registered across the other slots (a signal handler's): polled for like the
    /// others, but no reason to keep running.
    weak: usize,
    next_id: u64,
}

/// A registered source. Invariant: `in_use` iff a socket's registration holds this index.
#[derive(Default)]
struct IoSlot {
    in_use: bool,
    /// Its waiters count in `waiting` (else in `weak`).
    keeps_hub: bool,
    directions: [Readiness; 2],
}

impl IoState {
    /// Uncounts `n` waiters of a slot.
    fn uncount(waiting: &mut usize, weak: &mut usize, keeps_hub: bool, n: usize) {
        if keeps_hub {
            *waiting -= n;
        } else {
            *weak -= n;
        }
    }
}

/// One direction of one source (see the module docs for the invariant of `ready`).
#[derive(Default)]
struct Readiness {
    ready: bool,
    /// Oneshot mode: interest in this direction is enabled in the poller.
    armed: bool,
    waiters: Vec<(u64, TaskKey)>,
}

impl Readiness {
    /// Removes a waiter; `true` if it was still here.
    fn remove(&mut self, id: u64) -> bool {
        match self.waiters.iter().position(|&(waiter, _)| waiter == id) {
            Some(at) => {
                self.waiters.swap_remove(at);
                true
            }
            None => false,
        }
    }
}

impl Reactor {
    /// A reactor with a new poller (the [driver](super::driver) makes it, on first use).
    pub(crate) fn new() -> io::Result<Reactor> {
        let poller = Arc::new(Poller::new()?);
        #[cfg(test)]
        let edge = poller.supports_edge() && !FORCE_ONESHOT.with(Cell::get);
        #[cfg(not(test))]
        let edge = poller.supports_edge();
        Ok(Reactor {
            poller,
            edge,
            state: RefCell::new(IoState::default()),
            events: RefCell::new(Events::new()),
            ticks: Cell::new(0),
        })
    }

    /// The poller, for the [`Unparker`] to notify.
    pub(crate) fn poller(&self) -> &Arc<Poller> {
        &self.poller
    }

    /// Whether sources are registered edge-triggered (else oneshot).
    #[cfg(test)]
    pub(crate) fn edge_triggered(&self) -> bool {
        self.edge
    }

    /// Whether a task waits on a source that keeps the hub busy: then the hub is not idle.
    pub(crate) fn has_waiters(&self) -> bool {
        self.state.borrow().waiting > 0
    }

    /// A hub about to go idle with tasks waiting on weak sources only: takes the events that
    /// are in already, without blocking, and `wake`s their tasks; `true` if it woke one.
    pub(crate) fn poll_weak(&self, mut wake: impl FnMut(TaskKey)) -> bool {
        if self.state.borrow().weak == 0 {
            return false;
        }
        let mut woke = false;
        self.poll(Some(Duration::ZERO), |key| {
            woke = true;
            wake(key);
        });
        woke
    }

    /// Whether a task waits on any source, weak ones included.
    fn has_any_waiters(&self) -> bool {
        let state = self.state.borrow();
        state.waiting > 0 || state.weak > 0
    }

    /// Called at each turn of a hub that has runnable tasks (`queued` of them): every
    /// [`BUSY_POLL_INTERVAL`] task turns, takes the events that are in without blocking.
    pub(crate) fn poll_busy(&self, queued: usize, wake: impl FnMut(TaskKey)) {
        let ticks = self.ticks.get() + 1 + queued;
        if ticks < BUSY_POLL_INTERVAL || !self.has_any_waiters() {
            self.ticks.set(ticks.min(BUSY_POLL_INTERVAL));
            return;
        }
        self.ticks.set(0);
        self.poll(Some(Duration::ZERO), wake);
    }

    /// Blocks until a source is ready, `unparker` is notified, or `timeout` passes.
    pub(crate) fn park(
        &self,
        unparker: &Unparker,
        timeout: Option<Duration>,
        wake: impl FnMut(TaskKey),
    ) {
        // Pairs with the fence in `Unparker::unpark`: either that wake sees the poller (and
        // notifies it), or this load sees the wake (and does not block).
        fence(Ordering::SeqCst);
        if unparker.pending() {
            return;
        }
        self.ticks.set(0);
        self.poll(timeout, wake);
    }

    /// Waits for events for at most `timeout` and `wake`s the tasks waiting for them.
    fn poll(&self, timeout: Option<Duration>, mut wake: impl FnMut(TaskKey)) {
        let mut events = self.events.borrow_mut();
        events.clear();
        if let Err(error) = self.poller.wait(&mut events, timeout) {
            // `polling` retries interrupted waits itself; anything else means the poller is
            // broken, and every task waiting on I/O would hang.
            panic!("corogen hub: the I/O poller failed: {error}");
        }
        if events.is_empty() {
            return;
        }
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        for event in events.iter() {
            let Some(slot) = state.slots.get_mut(event.key) else {
                continue;
            };
            if !slot.in_use {
                continue;
            }
            let keeps_hub = slot.keeps_hub;
            for (direction, fired) in slot
                .directions
                .iter_mut()
                .zip([event.readable, event.writable])
            {
                if fired {
                    direction.ready = true;
                }
                if !self.edge {
                    // A oneshot registration is disabled after any event: the waiters of the
                    // other direction wake too, to re-arm it.
                    direction.armed = false;
                } else if !fired {
                    continue;
                }
                let woken = direction.waiters.len();
                IoState::uncount(&mut state.waiting, &mut state.weak, keeps_hub, woken);
                for (_, task) in direction.waiters.drain(..) {
                    wake(task);
                }
            }
        }
    }

    /// Registers `source` in a fresh slot, returning the slot's index. Its waiters keep the
    /// hub busy only if `keeps_hub` (a signal handler's do not: gevent's `ref=False`).
    ///
    /// # Safety
    /// `source` must be deleted from the poller (with [`deregister`](Self::deregister))
    /// before it is closed.
    pub(crate) unsafe fn register(
        &self,
        source: &impl AsSource,
        keeps_hub: bool,
    ) -> io::Result<usize> {
        let mut state = self.state.borrow_mut();
        let index = match state.free.pop() {
            Some(index) => index,
            None => {
                state.slots.push(IoSlot::default());
                state.slots.len() - 1
            }
        };
        let (interest, mode) = if self.edge {
            (Event::all(index), PollMode::Edge)
        } else {
            (Event::none(index), PollMode::Oneshot)
        };
        // SAFETY: forwarded to the caller, who deletes the source before closing it.
        let added = unsafe { self.poller.add_with_mode(&source.source(), interest, mode) };
        if let Err(error) = added {
            state.free.push(index);
            return Err(error);
        }
        state.slots[index] = IoSlot {
            in_use: true,
            keeps_hub,
            directions: Default::default(),
        };
        Ok(index)
    }

    /// Deletes the source of slot `index` from the poller and frees the slot.
    pub(crate) fn deregister(&self, index: usize, source: &impl AsSource) {
        // Failing to delete leaves nothing behind once the descriptor closes (epoll, kqueue
        // and event ports drop it with the descriptor), so the error is of no use.
        drop(self.poller.delete(source));
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        let slot = &mut state.slots[index];
        debug_assert!(
            slot.directions.iter().all(|d| d.waiters.is_empty()),
            "a source is dropped while a task waits on it"
        );
        let stale: usize = slot.directions.iter().map(|d| d.waiters.len()).sum();
        let keeps_hub = slot.keeps_hub;
        *slot = IoSlot::default();
        IoState::uncount(&mut state.waiting, &mut state.weak, keeps_hub, stale);
        state.free.push(index);
    }

    /// `Ready` if slot `index` is ready in `direction`; otherwise registers the task
    /// `current()` as a waiter (its id kept in `waiter`, so a later poll finds it still
    /// waiting) and returns `Pending`.
    pub(crate) fn poll_ready(
        &self,
        index: usize,
        direction: Direction,
        waiter: &mut Option<u64>,
        current: impl FnOnce() -> TaskKey,
        source: &impl AsSource,
    ) -> Poll<io::Result<()>> {
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        let keeps_hub = state.slots[index].keeps_hub;
        let wait = &mut state.slots[index].directions[direction as usize];
        if wait.ready {
            if let Some(id) = waiter.take() {
                if wait.remove(id) {
                    IoState::uncount(&mut state.waiting, &mut state.weak, keeps_hub, 1);
                }
            }
            return Poll::Ready(Ok(()));
        }
        if let Some(id) = *waiter {
            if wait.waiters.iter().any(|&(waiter, _)| waiter == id) {
                return Poll::Pending;
            }
        }
        // Not ready and not (or no longer) registered: wait.
        state.next_id += 1;
        let id = state.next_id;
        wait.waiters.push((id, current()));
        if keeps_hub {
            state.waiting += 1;
        } else {
            state.weak += 1;
        }
        *waiter = Some(id);
        if !self.edge {
            if let Err(error) = self.arm(state, index, source) {
                if state.slots[index].directions[direction as usize].remove(id) {
                    IoState::uncount(&mut state.waiting, &mut state.weak, keeps_hub, 1);
                }
                *waiter = None;
                return Poll::Ready(Err(error));
            }
        }
        Poll::Pending
    }

    /// An operation in `direction` would block: the slot is not ready that way any more.
    pub(crate) fn clear_ready(&self, index: usize, direction: Direction) {
        self.state.borrow_mut().slots[index].directions[direction as usize].ready = false;
    }

    /// The wait registered as `waiter` is given up.
    pub(crate) fn abandon(&self, index: usize, direction: Direction, waiter: u64) {
        // A wait dropped while the state is borrowed can only be dropped during a poll of the
        // reactor, which drops nothing; be lenient all the same.
        if let Ok(mut state) = self.state.try_borrow_mut() {
            let state = &mut *state;
            let slot = &mut state.slots[index];
            if slot.directions[direction as usize].remove(waiter) {
                IoState::uncount(&mut state.waiting, &mut state.weak, slot.keeps_hub, 1);
            }
        }
    }

    /// Oneshot mode: enables interest in every direction that has waiters.
    fn arm(&self, state: &mut IoState, index: usize, source: &impl AsSource) -> io::Result<()> {
        let [read, write] = &mut state.slots[index].directions;
        let want_read = read.armed || !read.waiters.is_empty();
        let want_write = write.armed || !write.waiters.is_empty();
        if want_read == read.armed && want_write == write.armed {
            return Ok(());
        }
        self.poller
            .modify(source, Event::new(index, want_read, want_write))?;
        read.armed = want_read;
        write.armed = want_write;
        Ok(())
    }
}
