//! Counting semaphores: [`Semaphore`] and [`BoundedSemaphore`] (over-release is an error), and
//! their permits as guards: [`SemaphorePermit`] (async tasks) and [`PermitRequest`] (generator
//! tasks), given back when dropped, also when their task panics or is killed.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_on::{Observable, Observer, Ready, until_ready};
use crate::hub::engine::current;
use crate::hub::task::{Condition, LinkId, WaitFor, WaitHandle, WaitList, Waitable, call_soon};

/// A counter of permits (gevent's `Semaphore`): [`acquire_permit`](Semaphore::acquire_permit)
/// waits for a permit and takes it as a [`SemaphorePermit`], which gives it back when dropped
/// (gevent's `with sem:`), also when the task panics or is killed while holding it.
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
///         let _permit = sem.acquire_permit().await;
///         hub::sleep(Duration::from_secs(1)).await;
///     }); // the permit is given back here
/// }
/// hub.run();
/// assert_eq!(hub.now(), Duration::from_secs(3)); // two at a time
/// assert_eq!(sem.available(), 2);
/// ```
///
/// [`acquire`](Semaphore::acquire) and [`release`](Semaphore::release) take and give back
/// permits by hand (gevent's `acquire()` and `release()`): a task that panics or is killed
/// between the two keeps its permit for good. A generator task waits on a
/// [`request`](Semaphore::request) instead.
///
/// Waiters get permits in the order they came (the semaphore is fair). Clones are the same
/// semaphore: `==` compares identity.
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

    /// Waits for a permit and takes it, to give back with [`release`](Self::release); see
    /// [`acquire_permit`](Self::acquire_permit) for a permit given back when dropped.
    pub fn acquire(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }

    /// Takes a permit if one is free, to give back with [`release`](Self::release).
    pub fn try_acquire(&self) -> bool {
        self.0.try_take()
    }

    /// Waits for a permit and takes it, as a guard that gives it back when dropped (gevent's
    /// `with sem:`; see the example on [`Semaphore`]).
    ///
    /// The permit holds the semaphore: it may move to another task, or into a link.
    pub fn acquire_permit(&self) -> AcquirePermit {
        AcquirePermit {
            wait: self.acquire(),
            state: Rc::clone(&self.0),
        }
    }

    /// Takes a permit if one is free, as a guard that gives it back when dropped.
    ///
    /// ```
    /// use corogen::hub::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// let permit = sem.try_acquire_permit().unwrap();
    /// assert!(sem.try_acquire_permit().is_none());
    /// drop(permit);
    /// assert_eq!(sem.available(), 1);
    /// ```
    pub fn try_acquire_permit(&self) -> Option<SemaphorePermit> {
        self.0.try_take().then(|| SemaphorePermit {
            state: Rc::clone(&self.0),
        })
    }

    /// A request for a permit, for a generator task: yield [`op::wait`](crate::hub::op::wait)
    /// of it to wait for the permit; the request then holds it, and gives it back when dropped
    /// (SimPy's `with resource.request() as req: yield req`). A request whose wait timed out,
    /// or whose task was killed while waiting, holds nothing.
    ///
    /// ```
    /// use corogen::hub::{self, Hub, Op, Reply, Semaphore, op};
    /// use corogen::prelude::*;
    /// use std::time::Duration;
    ///
    /// #[generator(yield = Op, resume = Reply)]
    /// fn worker(sem: Semaphore) -> Duration {
    ///     let permit = sem.request();
    ///     yield_!(op::wait(&permit));
    ///     assert!(permit.held());
    ///     yield_!(op::sleep(Duration::from_secs(1)));
    ///     hub::now()
    /// } // the permit is given back here
    ///
    /// let hub = Hub::new_virtual();
    /// let sem = Semaphore::new(1);
    /// let a = hub.spawn(worker(sem.clone()));
    /// let b = hub.spawn(worker(sem.clone()));
    /// hub.run();
    /// assert_eq!((a.value(), b.value()), (Some(Duration::from_secs(1)), Some(Duration::from_secs(2))));
    /// assert_eq!(sem.available(), 1);
    /// ```
    pub fn request(&self) -> PermitRequest {
        PermitRequest(Rc::new(Request {
            state: Rc::clone(&self.0),
            held: Cell::new(false),
        }))
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
        self.0.waiters.borrow().waiting()
    }

    /// Waits until a permit is free, without taking it, and gives how many are (gevent's
    /// `wait()`).
    pub async fn wait(&self) -> usize {
        until_ready(self).await;
        self.available()
    }

    /// Calls `callback` from the hub's loop when a permit is free (soon, if one is now),
    /// once, without taking it (gevent's `rawlink`): a release queues the links registered
    /// before the first waiting task, and wakes that task. Give the id to
    /// [`unlink`](Self::unlink) to take it back. A link waiting for a permit does not keep the
    /// semaphore alive.
    ///
    /// ```
    /// use corogen::hub::{self, Hub, Semaphore};
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    ///
    /// let hub = Hub::new_virtual();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let l = log.clone();
    /// hub.block_on(async move {
    ///     let sem = Semaphore::new(0);
    ///     let seen = l.clone();
    ///     sem.rawlink(move |sem| seen.borrow_mut().push(sem.available()));
    ///     assert_eq!(sem.linkcount(), 1);
    ///     sem.release();
    ///     hub::sleep(std::time::Duration::ZERO).await;
    /// });
    /// assert_eq!(*log.borrow(), [1]); // the link took no permit
    /// ```
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn rawlink(&self, callback: impl FnOnce(&Semaphore) + 'static) -> LinkId {
        if self.available() > 0 {
            let sem = self.clone();
            call_soon(Box::new(move || callback(&sem)));
            return LinkId::QUEUED;
        }
        let weak = Rc::downgrade(&self.0);
        let call = Box::new(move || {
            if let Some(state) = weak.upgrade() {
                callback(&Semaphore(state));
            }
        });
        LinkId(self.0.waiters.borrow_mut().link(current(), call))
    }

    /// Takes back a link made by [`rawlink`](Self::rawlink); `false` if it already ran or was
    /// queued (or is not one of this semaphore's).
    pub fn unlink(&self, link: LinkId) -> bool {
        link != LinkId::QUEUED && self.0.waiters.borrow_mut().remove(link.0)
    }

    /// How many tasks wait on the semaphore, and links wait for a permit (gevent's
    /// `linkcount()`).
    pub fn linkcount(&self) -> usize {
        self.0.waiters.borrow().len()
    }
}

impl PartialEq for Semaphore {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Semaphore {}

impl Observable for SemState {
    fn poll_ready(&self, registration: &mut Option<u64>) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        if self.permits.get() > 0 {
            waiters.done(registration);
            return true;
        }
        waiters.ensure_observer(registration);
        false
    }

    fn forget(&self, id: u64) {
        self.waiters.borrow_mut().remove(id);
    }
}

impl Ready for Semaphore {
    fn observer(&self) -> Observer {
        Observer::state(self.0.clone())
    }
}

impl Ready for BoundedSemaphore {
    fn observer(&self) -> Observer {
        self.0.observer()
    }
}

impl SemState {
    /// Takes a permit if one is free.
    fn try_take(&self) -> bool {
        let permits = self.permits.get();
        if permits > 0 {
            self.permits.set(permits - 1);
        }
        permits > 0
    }

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

/// A permit of a [`Semaphore`] or a [`BoundedSemaphore`], given back when dropped: when the
/// task holding it returns, panics (the hub catches the panic and drops the task's future) or
/// is killed. Made by [`Semaphore::acquire_permit`] and [`Semaphore::try_acquire_permit`].
///
/// It holds its semaphore, so it may outlive the task that took it: moved into another task,
/// or into a [link](crate::hub::TaskRef::link).
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct SemaphorePermit {
    state: Rc<SemState>,
}

impl Drop for SemaphorePermit {
    fn drop(&mut self) {
        // A bounded semaphore released by hand meanwhile stays at its bound.
        let _ = self.state.release();
    }
}

impl fmt::Debug for SemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("available", &self.state.permits.get())
            .finish_non_exhaustive()
    }
}

/// The future of [`Semaphore::acquire_permit`]: waits for a permit and gives it as a
/// [`SemaphorePermit`]. Dropped before it is ready, it takes none.
#[must_use = "futures do nothing unless awaited"]
pub struct AcquirePermit {
    wait: WaitFor,
    state: Rc<SemState>,
}

impl Future for AcquirePermit {
    type Output = SemaphorePermit;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphorePermit> {
        Pin::new(&mut self.wait).poll(cx).map(|()| SemaphorePermit {
            state: Rc::clone(&self.state),
        })
    }
}

impl fmt::Debug for AcquirePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquirePermit").finish_non_exhaustive()
    }
}

/// A generator task's request for a permit ([`Semaphore::request`]): holds the permit once an
/// [`op::wait`](crate::hub::op::wait) of it is over, and gives it back when dropped, also when
/// its task panics or is killed.
pub struct PermitRequest(Rc<Request>);

/// Shared by the request and the ops waiting on it: the permit is given back when the last of
/// them is dropped.
struct Request {
    state: Rc<SemState>,
    held: Cell<bool>,
}

impl PermitRequest {
    /// Whether the request holds its permit: a wait on it is over (not timed out).
    pub fn held(&self) -> bool {
        self.0.held.get()
    }
}

impl Condition for Request {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        if self.held.get() {
            return true;
        }
        let taken = self.state.poll_wait(registration);
        self.held.set(taken);
        taken
    }

    fn abandon(&self, id: u64) {
        self.state.abandon(id);
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.held.get() {
            // As for a `SemaphorePermit`.
            let _ = self.state.release();
        }
    }
}

impl Waitable for PermitRequest {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl fmt::Debug for PermitRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitRequest")
            .field("held", &self.held())
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

    /// As [`Semaphore::acquire_permit`]: a permit given back when dropped.
    pub fn acquire_permit(&self) -> AcquirePermit {
        self.0.acquire_permit()
    }

    /// As [`Semaphore::try_acquire_permit`].
    pub fn try_acquire_permit(&self) -> Option<SemaphorePermit> {
        self.0.try_acquire_permit()
    }

    /// As [`Semaphore::request`]: a generator task's request for a permit.
    pub fn request(&self) -> PermitRequest {
        self.0.request()
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

    /// As [`Semaphore::wait`]: waits until a permit is free, without taking it.
    pub async fn wait(&self) -> usize {
        self.0.wait().await
    }

    /// As [`Semaphore::rawlink`].
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn rawlink(&self, callback: impl FnOnce(&Semaphore) + 'static) -> LinkId {
        self.0.rawlink(callback)
    }

    /// As [`Semaphore::unlink`].
    pub fn unlink(&self, link: LinkId) -> bool {
        self.0.unlink(link)
    }

    /// As [`Semaphore::linkcount`].
    pub fn linkcount(&self) -> usize {
        self.0.linkcount()
    }
}

impl Waitable for BoundedSemaphore {
    fn condition(&self) -> WaitHandle {
        self.0.condition()
    }
}
