//! The seam between the hub and the outside world: how the run loop waits when no task can
//! run ([`Driver`]), and how other threads get it out of that wait ([`Unparker`]).
//!
//! Everything the hub knows about the reactor goes through here, and this is the only file of
//! the run loop's layers that looks at the `net` feature, but for `base/mod.rs` declaring the
//! reactor (the shape of tokio's `runtime/driver.rs`: with the feature off, a shell):
//!
//! | build | a real-time hub with nothing runnable | a wake from another thread |
//! |---|---|---|
//! | `net`, once a task waited on a socket | blocks in the I/O poller until a socket is ready or the next timer ([`reactor`](super::reactor)) | notifies the poller |
//! | `net` before that, or without `net` | parks the thread until the next timer (`thread::park_timeout`) | unparks the thread |
//! | a target without threads (wasm without atomics: `wasm32-wasip1`) | sleeps the thread until the next timer (`thread::sleep`) | cannot happen |
//!
//! A virtual hub never waits for its timers: the run loop jumps its clock to the next one. It
//! waits here only for a blocking-pool job or a foreign wake, in real time.
//!
//! On a target without threads nothing can wake the hub while it waits (no thread can hold a
//! waker), so the run loop counts owned wakers as no reason to wait there
//! ([`threads_available`]), and the blocking pool refuses jobs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::Thread;
use std::time::Duration;

use super::key::TaskKey;

#[cfg(all(feature = "net", unix))]
use super::reactor::Reactor;
#[cfg(all(feature = "net", unix))]
use std::{cell::OnceCell, io, sync::Arc, sync::OnceLock, sync::atomic::fence};

#[cfg(test)]
thread_local! {
    /// Tests of the path of targets without threads, on a host that has them: a hub on this
    /// thread sleeps instead of parking, and the blocking pool refuses its jobs.
    pub(crate) static FORCE_NO_THREADS: std::cell::Cell<bool> =
        const { std::cell::Cell::new(false) };
    /// How many times a hub on this thread slept (rather than parked) in [`Driver::park`].
    pub(crate) static SLEEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether this target can run other threads: a blocking pool, wakes from other threads.
#[inline]
pub(crate) fn threads_available() -> bool {
    #[cfg(test)]
    if FORCE_NO_THREADS.with(std::cell::Cell::get) {
        return false;
    }
    !cfg!(all(target_family = "wasm", not(target_feature = "atomics")))
}

/// The hub's side of the seam: it waits in here, and asks it between turns whether the
/// outside world keeps the hub busy.
pub(crate) struct Driver {
    /// The I/O poller and its sources, made when a task first waits on a socket.
    #[cfg(all(feature = "net", unix))]
    reactor: OnceCell<Reactor>,
}

impl Driver {
    pub(crate) fn new() -> Self {
        Driver {
            #[cfg(all(feature = "net", unix))]
            reactor: OnceCell::new(),
        }
    }

    /// Whether [`poll_busy`](Self::poll_busy) has anything to do: a reactor was made.
    #[inline]
    pub(crate) fn polls_when_busy(&self) -> bool {
        #[cfg(all(feature = "net", unix))]
        {
            self.reactor.get().is_some()
        }
        #[cfg(not(all(feature = "net", unix)))]
        {
            false
        }
    }

    /// Called at each turn of a hub that has runnable tasks (`queued` of them): the reactor,
    /// if there is one, takes the events that came in every few dozen turns and `wake`s their
    /// tasks, so a busy hub does not starve its sockets.
    #[inline]
    #[cfg_attr(
        not(all(feature = "net", unix)),
        expect(unused_variables, reason = "only the reactor polls a busy hub")
    )]
    pub(crate) fn poll_busy(&self, queued: usize, wake: impl FnMut(TaskKey)) {
        #[cfg(all(feature = "net", unix))]
        if let Some(reactor) = self.reactor.get() {
            reactor.poll_busy(queued, wake);
        }
    }

    /// Whether a task waits on the outside world (a socket): then the hub is not idle.
    #[inline]
    pub(crate) fn has_waiters(&self) -> bool {
        #[cfg(all(feature = "net", unix))]
        {
            self.reactor.get().is_some_and(Reactor::has_waiters)
        }
        #[cfg(not(all(feature = "net", unix)))]
        {
            false
        }
    }

    /// A hub about to go idle: the events already in for sources that do not keep it busy (a
    /// signal handler's) wake their tasks; `true` if one woke, and the hub is not idle.
    #[inline]
    #[cfg_attr(
        not(all(feature = "net", unix)),
        expect(unused_variables, reason = "only the reactor has such sources")
    )]
    pub(crate) fn poll_weak(&self, wake: impl FnMut(TaskKey)) -> bool {
        #[cfg(all(feature = "net", unix))]
        if let Some(reactor) = self.reactor.get() {
            return reactor.poll_weak(wake);
        }
        false
    }

    /// Waits until `unparker` is notified, `timeout` passes (`None`: no timer), or, with a
    /// reactor, a socket is ready (its tasks are then `wake`d). It may return early.
    #[cfg_attr(
        not(all(feature = "net", unix)),
        expect(unused_variables, reason = "only the reactor wakes tasks itself")
    )]
    pub(crate) fn park(
        &self,
        unparker: &Unparker,
        timeout: Option<Duration>,
        wake: impl FnMut(TaskKey),
    ) {
        #[cfg(all(feature = "net", unix))]
        if let Some(reactor) = self.reactor.get() {
            return reactor.park(unparker, timeout, wake);
        }
        match timeout {
            // Nothing can notify a hub without threads: sleeping is exact there, and parking
            // would return at once (std's park without threads is a no-op).
            Some(timeout) if !threads_available() => {
                #[cfg(test)]
                SLEEPS.with(|sleeps| sleeps.set(sleeps.get() + 1));
                std::thread::sleep(timeout);
            }
            Some(timeout) => std::thread::park_timeout(timeout),
            None => std::thread::park(),
        }
    }

    /// The reactor, if a task has waited on a socket.
    #[cfg(all(feature = "net", unix))]
    pub(crate) fn reactor(&self) -> Option<&Reactor> {
        self.reactor.get()
    }

    /// The reactor, made on first use; from then on `unparker` notifies its poller.
    #[cfg(all(feature = "net", unix))]
    pub(crate) fn reactor_or_init(&self, unparker: &Unparker) -> io::Result<&Reactor> {
        if let Some(reactor) = self.reactor.get() {
            return Ok(reactor);
        }
        let reactor = Reactor::new()?;
        // Once, on the hub's thread: later calls find the reactor above.
        drop(unparker.poller.set(Arc::clone(reactor.poller())));
        Ok(self.reactor.get_or_init(|| reactor))
    }
}

/// The other threads' side of the seam: what gets the hub out of [`Driver::park`], from any
/// thread.
pub(crate) struct Unparker {
    /// A notification came that the hub has not taken yet: it must not block.
    notified: AtomicBool,
    /// The hub's thread, to unpark it.
    thread: Thread,
    /// The hub's I/O poller, set (once, by the hub's thread) when its reactor is made; from
    /// then on the hub waits in the poller instead of parking the thread.
    #[cfg(all(feature = "net", unix))]
    poller: OnceLock<Arc<polling::Poller>>,
}

impl Unparker {
    /// An unparker of the calling thread's hub.
    pub(crate) fn new() -> Self {
        Unparker {
            notified: AtomicBool::new(false),
            thread: std::thread::current(),
            #[cfg(all(feature = "net", unix))]
            poller: OnceLock::new(),
        }
    }

    /// Gets the hub out of its wait (or keeps its next one from blocking).
    #[inline]
    pub(crate) fn notify(&self) {
        if !self.notified.swap(true, Ordering::AcqRel) {
            self.unpark();
        }
    }

    /// Whether a notification is waiting to be taken.
    #[inline]
    pub(crate) fn pending(&self) -> bool {
        self.notified.load(Ordering::Acquire)
    }

    /// Takes the notification; `true` if there was one.
    #[inline]
    pub(crate) fn take(&self) -> bool {
        // A load first: the hub calls this every turn, and a swap is a locked instruction.
        self.notified.load(Ordering::Relaxed) && self.notified.swap(false, Ordering::AcqRel)
    }

    /// Wakes the hub's wait: the poller's if it has one, else the thread's park.
    fn unpark(&self) {
        #[cfg(all(feature = "net", unix))]
        {
            // Pairs with the fence in `Reactor::park`: either this load sees the poller, or
            // the hub sees `notified` set before it blocks in the poller.
            fence(Ordering::SeqCst);
            if let Some(poller) = self.poller.get() {
                // A failed notification leaves nothing to do: the poller is broken and the
                // hub will say so at its next wait.
                drop(poller.notify());
                return;
            }
        }
        self.thread.unpark();
    }
}
