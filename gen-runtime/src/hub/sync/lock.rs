//! [`RLock`]: a lock the task holding it may take again (gevent's `RLock`), on a semaphore of
//! one permit.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::semaphore::Semaphore;
use crate::hub::base::TaskKey;
use crate::hub::engine::current;
use crate::hub::task::{Condition, WaitFor, WaitHandle, Waitable};

/// A task and its hub: who holds a lock.
type Holder = (usize, TaskKey);

/// The running task, as a holder.
fn me() -> Holder {
    let hub = current();
    let task = hub.core.borrow().current();
    (Rc::as_ptr(&hub) as *const () as usize, task)
}

/// A re-entrant lock (gevent's `RLock`): the task holding it may take it again without waiting,
/// and it is free once released as many times as it was taken. Other tasks wait, in the order
/// they came.
///
/// [`lock`](RLock::lock) takes it as a guard ([`RLockGuard`]) that releases it when dropped
/// (gevent's `with lock:`), also when the task panics or is killed while holding it:
///
/// ```
/// use corogen::hub::{self, Hub, RLock};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let lock = RLock::new();
/// let inner = hub.spawn({
///     let lock = lock.clone();
///     async move {
///         let _outer = lock.lock().await;
///         let _inner = lock.lock().await; // the holder takes it again at once
///         assert_eq!(lock.count(), 2);
///         hub::sleep(Duration::from_secs(1)).await;
///     }
/// });
/// let other = hub.spawn({
///     let lock = lock.clone();
///     async move {
///         let _guard = lock.lock().await; // waits for both guards to go
///         hub::now()
///     }
/// });
/// hub.run();
/// assert!(inner.dead());
/// assert_eq!(other.try_get(), Some(Ok(Duration::from_secs(1))));
/// assert!(!lock.locked());
/// ```
///
/// [`acquire`](RLock::acquire) and [`release`](RLock::release) take and release it by hand
/// (gevent's `acquire()` and `release()`); a task that panics or is killed between the two
/// keeps it for good. `release` by a task that does not hold the lock is an error.
///
/// Clones are the same lock: `==` compares identity.
#[derive(Clone)]
pub struct RLock(Rc<RLockState>);

struct RLockState {
    block: Semaphore,
    /// The semaphore's state, to wait on.
    block_state: Rc<dyn Condition>,
    holder: Cell<Option<Holder>>,
    count: Cell<usize>,
}

/// Releasing an [`RLock`] the running task does not hold (gevent's `RuntimeError: cannot
/// release un-acquired lock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotHeld;

impl fmt::Display for NotHeld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot release a lock this task does not hold")
    }
}

impl std::error::Error for NotHeld {}

impl RLock {
    /// A free lock.
    pub fn new() -> Self {
        let block = Semaphore::new(1);
        RLock(Rc::new(RLockState {
            block_state: block.condition().0,
            block,
            holder: Cell::new(None),
            count: Cell::new(0),
        }))
    }

    /// Waits for the lock and takes it, at once if the running task holds it already; release
    /// it with [`release`](Self::release).
    pub fn acquire(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }

    /// Takes the lock if it is free or the running task holds it.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn try_acquire(&self) -> bool {
        self.0.take(me())
    }

    /// Releases the lock once; it is free when released as many times as it was taken.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn release(&self) -> Result<(), NotHeld> {
        if self.0.holder.get() != Some(me()) {
            return Err(NotHeld);
        }
        self.0.release_once();
        Ok(())
    }

    /// Waits for the lock and takes it, as a guard that releases it when dropped (gevent's
    /// `with lock:`).
    pub fn lock(&self) -> RLockLock {
        RLockLock {
            wait: self.acquire(),
            lock: self.clone(),
        }
    }

    /// Takes the lock as a guard if it is free or the running task holds it.
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn try_lock(&self) -> Option<RLockGuard> {
        self.try_acquire()
            .then(|| RLockGuard { lock: self.clone() })
    }

    /// Whether some task holds the lock.
    pub fn locked(&self) -> bool {
        self.0.count.get() > 0
    }

    /// Whether the running task holds the lock (gevent's `_is_owned()`).
    ///
    /// # Panics
    /// Outside a task of a running hub.
    pub fn is_owned(&self) -> bool {
        self.0.holder.get() == Some(me())
    }

    /// How many times the holder took the lock (0 when free).
    pub fn count(&self) -> usize {
        self.0.count.get()
    }

    /// Tasks waiting for the lock.
    pub fn waiting(&self) -> usize {
        self.0.block.waiting()
    }
}

impl RLockState {
    /// Takes the lock for `holder` if it is free or `holder` holds it.
    fn take(&self, holder: Holder) -> bool {
        if self.holder.get() == Some(holder) {
            self.count.set(self.count.get() + 1);
            return true;
        }
        if !self.block.try_acquire() {
            return false;
        }
        self.hold(holder);
        true
    }

    fn hold(&self, holder: Holder) {
        self.holder.set(Some(holder));
        self.count.set(1);
    }

    fn release_once(&self) {
        let count = self.count.get().saturating_sub(1);
        self.count.set(count);
        if count == 0 {
            self.holder.set(None);
            self.block.release();
        }
    }
}

impl Condition for RLockState {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let holder = me();
        if registration.is_none() && self.holder.get() == Some(holder) {
            self.count.set(self.count.get() + 1);
            return true;
        }
        if self.block_state.poll_wait(registration) {
            self.hold(holder);
            return true;
        }
        false
    }

    fn abandon(&self, id: u64) {
        self.block_state.abandon(id);
    }
}

impl Waitable for RLock {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl Default for RLock {
    fn default() -> Self {
        RLock::new()
    }
}

impl PartialEq for RLock {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for RLock {}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLock")
            .field("count", &self.count())
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// The future of [`RLock::lock`]. Dropped before it is ready, it takes nothing.
#[must_use = "futures do nothing unless awaited"]
pub struct RLockLock {
    wait: WaitFor,
    lock: RLock,
}

impl Future for RLockLock {
    type Output = RLockGuard;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RLockGuard> {
        Pin::new(&mut self.wait).poll(cx).map(|()| RLockGuard {
            lock: self.lock.clone(),
        })
    }
}

impl fmt::Debug for RLockLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockLock").finish_non_exhaustive()
    }
}

/// One hold of an [`RLock`], released when dropped: when the task returns, panics or is killed.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RLockGuard {
    lock: RLock,
}

impl Drop for RLockGuard {
    fn drop(&mut self) {
        self.lock.0.release_once();
    }
}

impl fmt::Debug for RLockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard")
            .field("count", &self.lock.count())
            .finish()
    }
}
