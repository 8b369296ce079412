//! Counting semaphores: [`Semaphore`] and [`BoundedSemaphore`] (over-release is an error).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use crate::hub::task::{Condition, WaitFor, WaitHandle, WaitList, Waitable};

/// A counter of permits (gevent's `Semaphore`): [`acquire`](Semaphore::acquire) waits for a
/// permit and takes it, [`release`](Semaphore::release) gives one back, waking one waiter.
///
/// ```
/// use corogen::hub::{self, Hub, Semaphore};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let sem = Semaphore::new(2);
/// for _ in 0..6 {
///     let sem = sem.clone();
///     hub.spawn(async move {
///         sem.acquire().await;
///         hub::sleep(Duration::from_secs(1)).await;
///         sem.release();
///     });
/// }
/// hub.run();
/// assert_eq!(hub.now(), Duration::from_secs(3)); // two at a time
/// ```
#[derive(Clone)]
pub struct Semaphore(Rc<SemState>);

struct SemState {
    permits: Cell<usize>,
    /// The most permits there may be, for a bounded semaphore.
    bound: Option<usize>,
    waiters: RefCell<WaitList>,
}

/// Releasing a [`BoundedSemaphore`] more often than it was acquired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverRelease;

impl fmt::Display for OverRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore released too many times")
    }
}

impl std::error::Error for OverRelease {}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore::with_bound(permits, None)
    }

    fn with_bound(permits: usize, bound: Option<usize>) -> Self {
        Semaphore(Rc::new(SemState {
            permits: Cell::new(permits),
            bound,
            waiters: RefCell::new(WaitList::default()),
        }))
    }

    /// Waits for a permit and takes it.
    pub fn acquire(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }

    /// Takes a permit if one is free.
    pub fn try_acquire(&self) -> bool {
        let permits = self.0.permits.get();
        if permits > 0 {
            self.0.permits.set(permits - 1);
        }
        permits > 0
    }

    /// Gives a permit back, waking one waiter.
    pub fn release(&self) {
        let _ = self.0.release();
    }

    /// Free permits.
    pub fn available(&self) -> usize {
        self.0.permits.get()
    }

    /// Whether no permit is free (gevent's `locked()`).
    pub fn locked(&self) -> bool {
        self.available() == 0
    }

    /// Tasks waiting for a permit.
    pub fn waiting(&self) -> usize {
        self.0.waiters.borrow().len()
    }
}

impl SemState {
    fn release(&self) -> Result<(), OverRelease> {
        let permits = self.permits.get();
        if self.bound.is_some_and(|bound| permits >= bound) {
            return Err(OverRelease);
        }
        self.permits.set(permits + 1);
        self.waiters.borrow_mut().notify_one();
        Ok(())
    }
}

impl Condition for SemState {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        let permits = self.permits.get();
        if permits > 0 {
            self.permits.set(permits - 1);
            waiters.done(registration);
            return true;
        }
        waiters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        let mut waiters = self.waiters.borrow_mut();
        if !waiters.remove(id) && self.permits.get() > 0 {
            // It was woken for a permit it will not take: wake the next one.
            waiters.notify_one();
        }
    }
}

impl Waitable for Semaphore {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.available())
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// A [`Semaphore`] that refuses to be released more often than acquired (gevent's
/// `BoundedSemaphore`): [`release`](BoundedSemaphore::release) is then an error.
///
/// ```
/// use corogen::hub::{BoundedSemaphore, OverRelease};
///
/// let sem = BoundedSemaphore::new(1);
/// assert!(sem.try_acquire());
/// assert_eq!(sem.release(), Ok(()));
/// assert_eq!(sem.release(), Err(OverRelease));
/// ```
#[derive(Clone, Debug)]
pub struct BoundedSemaphore(Semaphore);

impl BoundedSemaphore {
    /// A semaphore with `permits` permits, never more.
    pub fn new(permits: usize) -> Self {
        BoundedSemaphore(Semaphore::with_bound(permits, Some(permits)))
    }

    /// Waits for a permit and takes it.
    pub fn acquire(&self) -> WaitFor {
        self.0.acquire()
    }

    /// Takes a permit if one is free.
    pub fn try_acquire(&self) -> bool {
        self.0.try_acquire()
    }

    /// Gives a permit back; an error if all the permits are already free.
    pub fn release(&self) -> Result<(), OverRelease> {
        (self.0).0.release()
    }

    /// Free permits.
    pub fn available(&self) -> usize {
        self.0.available()
    }

    /// Whether no permit is free.
    pub fn locked(&self) -> bool {
        self.0.locked()
    }
}

impl Waitable for BoundedSemaphore {
    fn condition(&self) -> WaitHandle {
        self.0.condition()
    }
}
