//! One-shot signals between tasks: [`Event`] (a flag) and [`AsyncResult`] (a value to come).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use crate::hub::task::{Condition, WaitFor, WaitHandle, WaitList, Waitable};

/// A flag tasks can wait for (gevent's `Event`): [`set`](Event::set) wakes every waiter.
///
/// ```
/// use corogen::hub::{self, Event, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let event = Event::new();
/// let waiter = hub.spawn({
///     let event = event.clone();
///     async move {
///         event.wait().await;
///         hub::now()
///     }
/// });
/// hub.spawn({
///     let event = event.clone();
///     async move {
///         hub::sleep(Duration::from_secs(3)).await;
///         event.set();
///     }
/// });
/// hub.run();
/// assert_eq!(waiter.try_get(), Some(Ok(Duration::from_secs(3))));
/// ```
#[derive(Clone, Default)]
pub struct Event(Rc<EventState>);

#[derive(Default)]
struct EventState {
    flag: Cell<bool>,
    waiters: RefCell<WaitList>,
}

impl Event {
    /// A new, unset event.
    pub fn new() -> Self {
        Event::default()
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        self.0.flag.set(true);
        self.0.waiters.borrow_mut().notify_all();
    }

    /// Clears the flag: later waiters wait for the next `set`.
    pub fn clear(&self) {
        self.0.flag.set(false);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.0.flag.get()
    }

    /// Waits until the flag is set (at once if it is). A `set` wakes the waiters even if the
    /// flag is cleared again before they run.
    pub fn wait(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }
}

impl Condition for EventState {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        if registration.is_some_and(|id| waiters.notified(id)) || self.flag.get() {
            waiters.done(registration);
            return true;
        }
        waiters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        self.waiters.borrow_mut().remove(id);
    }
}

impl Waitable for Event {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}

/// A value that will be set later, once (gevent's `AsyncResult`): waiters get a clone of the
/// value, or of the error.
///
/// ```
/// use corogen::hub::{AsyncResult, Hub};
///
/// let hub = Hub::new_virtual();
/// let result: AsyncResult<u32, String> = AsyncResult::new();
/// let reader = hub.spawn({
///     let result = result.clone();
///     async move { result.get().await }
/// });
/// hub.spawn({
///     let result = result.clone();
///     async move { result.set(42) }
/// });
/// hub.run();
/// assert_eq!(reader.try_get(), Some(Ok(Ok(42))));
/// ```
pub struct AsyncResult<T, E = String>(Rc<ResultState<T, E>>);

struct ResultState<T, E> {
    result: RefCell<Option<Result<T, E>>>,
    waiters: RefCell<WaitList>,
}

impl<T: Clone + 'static, E: Clone + 'static> AsyncResult<T, E> {
    /// A new, empty result.
    pub fn new() -> Self {
        AsyncResult(Rc::new(ResultState {
            result: RefCell::new(None),
            waiters: RefCell::new(WaitList::default()),
        }))
    }

    /// Sets the value and wakes every waiter.
    pub fn set(&self, value: T) {
        self.complete(Ok(value));
    }

    /// Sets an error and wakes every waiter.
    pub fn set_exception(&self, error: E) {
        self.complete(Err(error));
    }

    fn complete(&self, result: Result<T, E>) {
        let old = self.0.result.replace(Some(result));
        drop(old);
        self.0.waiters.borrow_mut().notify_all();
    }

    /// Whether a value or an error was set.
    pub fn ready(&self) -> bool {
        self.0.result.borrow().is_some()
    }

    /// Whether a value was set.
    pub fn successful(&self) -> bool {
        matches!(*self.0.result.borrow(), Some(Ok(_)))
    }

    /// The value, if one was set.
    pub fn value(&self) -> Option<T> {
        self.0.result.borrow().as_ref()?.as_ref().ok().cloned()
    }

    /// The error, if one was set.
    pub fn exception(&self) -> Option<E> {
        self.0.result.borrow().as_ref()?.as_ref().err().cloned()
    }

    /// Waits until the result is set.
    pub fn wait(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }

    /// Waits until the result is set, then gives a clone of it.
    pub async fn get(&self) -> Result<T, E> {
        self.wait().await;
        self.0
            .result
            .borrow()
            .clone()
            .expect("a ready AsyncResult holds its result")
    }
}

impl<T: Clone + 'static, E: Clone + 'static> Default for AsyncResult<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> Clone for AsyncResult<T, E> {
    fn clone(&self) -> Self {
        AsyncResult(self.0.clone())
    }
}

impl<T, E> Condition for ResultState<T, E> {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        if self.result.borrow().is_some() {
            waiters.done(registration);
            return true;
        }
        waiters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        self.waiters.borrow_mut().remove(id);
    }
}

impl<T: 'static, E: 'static> Waitable for AsyncResult<T, E> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl<T, E> fmt::Debug for AsyncResult<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncResult")
            .field("ready", &self.0.result.borrow().is_some())
            .finish()
    }
}
