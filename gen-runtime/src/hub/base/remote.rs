//! The part of a hub other threads may touch: the keys of tasks woken through wakers, the counts
//! that keep the hub from calling itself idle, and the [`Unparker`] that gets it out of its
//! wait.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// Owned wakers alive, counted in `owned`: read without its lock, to see there are none.
    wakers: AtomicUsize,
    /// Owned wakers alive, by task. While a task that is not dead has some, a wake may still
    /// come, so a hub with nothing else to do waits for one instead of calling itself idle; a
    /// dead task's can wake nothing, and stop counting when the hub sees them
    /// ([`may_be_woken`](Self::may_be_woken)).
    owned: Mutex<HashMap<TaskKey, usize>>,
}

impl Remote {
    /// A remote for a hub that runs on the calling thread.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Remote {
            woken: Mutex::new(Vec::new()),
            unparker: Unparker::new(),
            blocking: AtomicUsize::new(0),
            wakers: AtomicUsize::new(0),
            owned: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a new owned waker of `key`.
    pub(crate) fn waker_made(&self, key: TaskKey) {
        let mut owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
        *owned.entry(key).or_insert(0) += 1;
        self.wakers.fetch_add(1, Ordering::AcqRel);
    }

    /// Uncounts an owned waker of `key` (unless the hub already did, its task being dead).
    pub(crate) fn waker_dropped(&self, key: TaskKey) {
        let counted = {
            let mut owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
            match owned.get_mut(&key) {
                Some(count) => {
                    *count -= 1;
                    if *count == 0 {
                        owned.remove(&key);
                    }
                    self.wakers.fetch_sub(1, Ordering::AcqRel);
                    true
                }
                None => false,
            }
        };
        if counted {
            // A hub waiting only because this waker was alive may now be idle.
            self.notify();
        }
    }

    /// Whether an owned waker of a task not `dead` is alive: a wake may still come. The
    /// wakers of dead tasks stop counting here.
    #[inline]
    pub(crate) fn may_be_woken(&self, dead: &dyn Fn(TaskKey) -> bool) -> bool {
        self.wakers.load(Ordering::Acquire) > 0 && self.wakers_of_live_tasks(dead)
    }

    #[cold]
    #[inline(never)]
    fn wakers_of_live_tasks(&self, dead: &dyn Fn(TaskKey) -> bool) -> bool {
        let mut owned = self.owned.lock().unwrap_or_else(PoisonError::into_inner);
        owned.retain(|&key, &mut count| {
            let live = !dead(key);
            if !live {
                self.wakers.fetch_sub(count, Ordering::AcqRel);
            }
            live
        });
        !owned.is_empty()
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
