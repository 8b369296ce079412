//! The part of a hub other threads may touch: the keys of tasks woken through wakers, the counts
//! that keep the hub from calling itself idle, and the [`Unparker`] that gets it out of its
//! wait.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, PoisonError};

use super::driver::Unparker;
use super::key::TaskKey;

/// A hub's thread-safe side, shared by its wakers and its blocking-pool jobs.
pub(crate) struct Remote {
    woken: Mutex<Vec<TaskKey>>,
    /// Gets the hub out of its wait; its flag says a wake is waiting to be taken.
    pub(crate) unparker: Unparker,
    /// Blocking-pool jobs started by this hub's tasks and not finished yet: while there are
    /// some, the hub is not idle and a virtual clock does not jump ahead.
    pub(crate) blocking: AtomicUsize,
    /// Owned wakers alive: while there are some, a wake may still come, so a hub with nothing
    /// else to do waits for one instead of calling itself idle.
    pub(crate) wakers: AtomicUsize,
}

impl Remote {
    /// A remote for a hub that runs on the calling thread.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Remote {
            woken: Mutex::new(Vec::new()),
            unparker: Unparker::new(),
            blocking: AtomicUsize::new(0),
            wakers: AtomicUsize::new(0),
        })
    }

    /// Schedules the task `key`, from any thread.
    pub(crate) fn wake(&self, key: TaskKey) {
        self.woken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(key);
        self.unparker.notify();
    }

    /// Gets the hub out of its wait without waking a task (a blocking job finished).
    pub(crate) fn notify(&self) {
        self.unparker.notify();
    }

    /// Whether a wake is waiting to be taken.
    #[inline]
    pub(crate) fn pending(&self) -> bool {
        self.unparker.pending()
    }

    /// Moves the woken keys into `into`.
    #[inline]
    pub(crate) fn take(&self, into: &mut Vec<TaskKey>) {
        if self.unparker.take() {
            let mut woken = self.woken.lock().unwrap_or_else(PoisonError::into_inner);
            into.append(&mut woken);
        }
    }
}
