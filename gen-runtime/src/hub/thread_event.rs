//! Signals into a hub from other threads: [`ThreadEvent`] (a flag) and [`ThreadAsyncResult`]
//! (a value to come), `Send + Sync` counterparts of [`Event`](super::Event) and
//! [`AsyncResult`](super::AsyncResult), which stay single-threaded and keep their fast path.
//!
//! gevent's `Event` and `AsyncResult` work across threads since gevent 20.12, through the
//! hub's `loop.async_()` watcher (as its threadpool's `ThreadResult` does); here that is a
//! separate type, because a hub and its tasks are not `Send`.
//!
//! # The wake path
//!
//! A waiting task keeps a clone of its [`Waker`] in the object's waiter list (behind a
//! `Mutex`): the hub's owned waker, which holds the hub's thread-safe side (its `Remote`) and
//! the task's key. Setting the object, from any thread, takes the list and wakes each waker:
//! the key goes onto the hub's remote queue and the hub is unparked (its thread's park, or its
//! I/O poller once it has one), as for a blocking-pool job. A waker polled by a combinator
//! (`FuturesUnordered`…) is the combinator's own, woken the same way.
//!
//! While a task waits here its hub keeps [`Hub::run`](super::Hub::run) going, as for any
//! future that keeps a waker: another thread may still set the object. A wait given up (a
//! timeout, a kill) takes its waker out of the list, and the hub may go idle again.
//!
//! On a target without threads (wasm without atomics) nothing else can set the object while
//! the hub waits, so a waiting task does not keep `run` going; a set from another task of the
//! same thread wakes it as everywhere.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::base::poll_with;
use super::engine;
use super::task::{Condition, WaitHandle, Waitable};

/// A flag that any thread can set and hub tasks can wait for: a `Send + Sync`
/// [`Event`](super::Event).
///
/// Cloning it gives another handle to the same flag. [`set`](Self::set) wakes every waiting
/// task, on whichever hub it waits; [`wait`](Self::wait) is a hub operation (a generator task
/// waits with [`op::wait`](super::op::wait)`(&event)`), bounded with
/// [`with_timeout`](super::with_timeout) as any other.
///
/// ```
/// use corogen::hub::{Hub, ThreadEvent};
/// use std::time::Duration;
///
/// let hub = Hub::new();
/// let event = ThreadEvent::new();
/// let setter = std::thread::spawn({
///     let event = event.clone();
///     move || {
///         std::thread::sleep(Duration::from_millis(10));
///         event.set();
///     }
/// });
/// hub.block_on(event.wait()); // the hub waits for the other thread, running its other tasks
/// assert!(event.is_set());
/// setter.join().unwrap();
/// ```
#[derive(Clone, Default)]
pub struct ThreadEvent(Arc<EventShared>);

#[derive(Default)]
struct EventShared {
    flag: AtomicBool,
    waiters: Waiters,
}

impl ThreadEvent {
    /// A new, unset event.
    pub fn new() -> Self {
        ThreadEvent::default()
    }

    /// Sets the flag and wakes every waiter, from any thread.
    pub fn set(&self) {
        self.0.flag.store(true, Ordering::Release);
        self.0.waiters.notify_all();
    }

    /// Clears the flag: later waiters wait for the next `set`.
    pub fn clear(&self) {
        self.0.flag.store(false, Ordering::Release);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.0.flag.load(Ordering::Acquire)
    }

    /// Waits until the flag is set (at once if it is). A `set` wakes the waiters even if the
    /// flag is cleared again before they run.
    pub fn wait(&self) -> ThreadWait {
        ThreadWait::new(Arc::clone(&self.0) as Arc<dyn Ready>)
    }
}

impl Waitable for ThreadEvent {
    fn condition(&self) -> WaitHandle {
        WaitHandle(Rc::new(TaskCondition {
            shared: Arc::clone(&self.0) as Arc<dyn Ready>,
        }))
    }
}

impl fmt::Debug for ThreadEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadEvent")
            .field("set", &self.is_set())
            .finish()
    }
}

/// A value that any thread can set and hub tasks can wait for: a `Send + Sync`
/// [`AsyncResult`](super::AsyncResult). Waiters get a clone of the value, or of the error.
///
/// ```
/// use corogen::hub::{Hub, ThreadAsyncResult};
///
/// let hub = Hub::new();
/// let result: ThreadAsyncResult<u64> = ThreadAsyncResult::new();
/// let worker = std::thread::spawn({
///     let result = result.clone();
///     move || result.set((1..=10).product())
/// });
/// assert_eq!(hub.block_on(result.get()), Ok(3_628_800));
/// worker.join().unwrap();
/// ```
pub struct ThreadAsyncResult<T, E = String>(Arc<ResultShared<T, E>>);

struct ResultShared<T, E> {
    result: Mutex<Option<Result<T, E>>>,
    waiters: Waiters,
}

impl<T, E> ResultShared<T, E> {
    fn result(&self) -> MutexGuard<'_, Option<Result<T, E>>> {
        // A clone that panicked while the lock was held left the result as it was.
        self.result.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Clone + Send + 'static, E: Clone + Send + 'static> ThreadAsyncResult<T, E> {
    /// A new, empty result.
    pub fn new() -> Self {
        ThreadAsyncResult(Arc::new(ResultShared {
            result: Mutex::new(None),
            waiters: Waiters::default(),
        }))
    }

    /// Sets the value and wakes every waiter, from any thread.
    pub fn set(&self, value: T) {
        self.complete(Ok(value));
    }

    /// Sets an error and wakes every waiter, from any thread.
    pub fn set_exception(&self, error: E) {
        self.complete(Err(error));
    }

    fn complete(&self, result: Result<T, E>) {
        let old = self.0.result().replace(result);
        // The old value's destructor runs without the lock held.
        drop(old);
        self.0.waiters.notify_all();
    }

    /// Whether a value or an error was set.
    pub fn ready(&self) -> bool {
        self.0.result().is_some()
    }

    /// Whether a value was set.
    pub fn successful(&self) -> bool {
        matches!(*self.0.result(), Some(Ok(_)))
    }

    /// A clone of the value, if one was set.
    pub fn value(&self) -> Option<T> {
        self.0.result().as_ref()?.as_ref().ok().cloned()
    }

    /// A clone of the error, if one was set.
    pub fn exception(&self) -> Option<E> {
        self.0.result().as_ref()?.as_ref().err().cloned()
    }

    /// Waits until the result is set.
    pub fn wait(&self) -> ThreadWait {
        ThreadWait::new(Arc::clone(&self.0) as Arc<dyn Ready>)
    }

    /// Waits until the result is set, then gives a clone of it.
    pub async fn get(&self) -> Result<T, E> {
        self.wait().await;
        self.0
            .result()
            .clone()
            .expect("a ready ThreadAsyncResult holds its result")
    }
}

impl<T: Clone + Send + 'static, E: Clone + Send + 'static> Default for ThreadAsyncResult<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> Clone for ThreadAsyncResult<T, E> {
    fn clone(&self) -> Self {
        ThreadAsyncResult(Arc::clone(&self.0))
    }
}

impl<T: Send + 'static, E: Send + 'static> Waitable for ThreadAsyncResult<T, E> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(Rc::new(TaskCondition {
            shared: Arc::clone(&self.0) as Arc<dyn Ready>,
        }))
    }
}

impl<T, E> fmt::Debug for ThreadAsyncResult<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadAsyncResult")
            .field("ready", &self.0.result().is_some())
            .finish()
    }
}

/// What a wait needs of the object: whether it is ready, and its waiters.
trait Ready: Send + Sync {
    fn is_ready(&self) -> bool;
    fn waiters(&self) -> &Waiters;
}

impl Ready for EventShared {
    fn is_ready(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    fn waiters(&self) -> &Waiters {
        &self.waiters
    }
}

impl<T: Send, E: Send> Ready for ResultShared<T, E> {
    fn is_ready(&self) -> bool {
        self.result().is_some()
    }

    fn waiters(&self) -> &Waiters {
        &self.waiters
    }
}

/// The tasks waiting on one object, with their wakers, in the order they came (ids increase
/// along the list). A notification takes a waiter out of the list: a registration that is
/// gone was notified.
#[derive(Default)]
struct Waiters(Mutex<WaiterList>);

#[derive(Default)]
struct WaiterList {
    list: Vec<(u64, Waker)>,
    next_id: u64,
}

impl WaiterList {
    fn position(&self, id: u64) -> Option<usize> {
        self.list.binary_search_by_key(&id, |&(id, _)| id).ok()
    }
}

impl Waiters {
    fn lock(&self) -> MutexGuard<'_, WaiterList> {
        // Only a foreign waker's `clone` or `will_wake` can panic while the lock is held; the
        // list is whole either way.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `true` if the wait is over (the object is ready, or `registration` was notified);
    /// otherwise makes sure `waker` is registered, in `registration`.
    ///
    /// The readiness is checked under the lock, and a setter makes the object ready before it
    /// takes the lock to notify: either this sees it ready, or the setter sees the waiter.
    fn poll(&self, ready: &dyn Ready, registration: &mut Option<u64>, waker: &Waker) -> bool {
        let mut waiters = self.lock();
        if let Some(id) = *registration {
            match waiters.position(id) {
                None => {
                    *registration = None;
                    return true;
                }
                Some(at) if ready.is_ready() => {
                    waiters.list.remove(at);
                    *registration = None;
                    return true;
                }
                Some(at) => {
                    let stored = &mut waiters.list[at].1;
                    if !stored.will_wake(waker) {
                        stored.clone_from(waker);
                    }
                    return false;
                }
            }
        }
        if ready.is_ready() {
            return true;
        }
        waiters.next_id += 1;
        let id = waiters.next_id;
        waiters.list.push((id, waker.clone()));
        *registration = Some(id);
        false
    }

    /// The wait registered as `id` is given up.
    fn abandon(&self, id: u64) {
        let waker = {
            let mut waiters = self.lock();
            waiters.position(id).map(|at| waiters.list.remove(at))
        };
        // An owned waker's drop tells its hub; not under the lock.
        drop(waker);
    }

    /// Wakes every waiter, outside the lock.
    fn notify_all(&self) {
        let woken = std::mem::take(&mut self.lock().list);
        for (_, waker) in woken {
            waker.wake();
        }
    }
}

/// The future of [`ThreadEvent::wait`] and [`ThreadAsyncResult::wait`]: ready once the object
/// is set. Dropping it gives the wait up.
#[must_use = "futures do nothing unless awaited"]
pub struct ThreadWait {
    shared: Arc<dyn Ready>,
    registration: Option<u64>,
}

impl ThreadWait {
    fn new(shared: Arc<dyn Ready>) -> Self {
        ThreadWait {
            shared,
            registration: None,
        }
    }
}

impl Future for ThreadWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Through an async generator's wrapper: it clones as the waker it wraps, which
        // `will_wake` then recognises at the next poll.
        let waker = crate::async_gen::outer_waker(cx.waker());
        let shared = &*this.shared;
        if shared.waiters().poll(shared, &mut this.registration, waker) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for ThreadWait {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            self.shared.waiters().abandon(id);
        }
    }
}

impl fmt::Debug for ThreadWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadWait")
            .field("registered", &self.registration.is_some())
            .finish()
    }
}

/// A generator task's wait ([`op::wait`](super::op::wait)): the same registration, with the
/// waker of the running task.
struct TaskCondition {
    shared: Arc<dyn Ready>,
}

impl Condition for TaskCondition {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let hub = engine::current();
        let task = hub.core.borrow().current();
        let shared = &*self.shared;
        poll_with(&hub.remote, task, |cx| {
            shared.waiters().poll(shared, registration, cx.waker())
        })
    }

    fn abandon(&self, id: u64) {
        self.shared.waiters().abandon(id);
    }
}
