//! One-shot signals between tasks: [`Event`] (a flag) and [`AsyncResult`] (a value to come).
//!
//! Both notify everyone at once ([`Broadcast`]): the tasks waiting, in the order they came, and
//! the links (gevent's `rawlink`). A task that starts waiting while a notification is under way
//! (the object is ready, but tasks it woke have not run yet) waits its turn behind them, as in
//! gevent, rather than overtaking them.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};

use super::wait_on::{Observable, Observer, Ready};
use crate::hub::engine::current;
use crate::hub::task::{
    Condition, LinkId, WaitFor, WaitHandle, WaitList, Waitable, call_soon, requeue,
};

/// The registration of a wait that came while a notification was under way, and yielded to let
/// the woken waiters go first (never a wait list's id).
const BEHIND_NOTIFIED: u64 = 0;

/// The waiting room of an object that, once ready, lets everyone through.
#[derive(Default)]
struct Broadcast {
    waiters: RefCell<WaitList>,
    /// Waiters woken by the last notifications that have not run (nor given up) yet.
    notifying: Cell<usize>,
}

impl Broadcast {
    /// Wakes every waiter and queues every link.
    fn notify_all(&self) {
        let woken = self.waiters.borrow_mut().notify_all();
        self.notifying.set(self.notifying.get() + woken);
    }

    /// One poll of a wait on an object that is `ready` now (or was, for a waiter notified).
    fn poll_wait(&self, ready: bool, registration: &mut Option<u64>) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        match *registration {
            Some(BEHIND_NOTIFIED) => {
                // The waiters notified before it came have had their turn.
                *registration = None;
                return true;
            }
            Some(id) if waiters.notified(id) => {
                self.notifying.set(self.notifying.get().saturating_sub(1));
                *registration = None;
                return true;
            }
            _ => {}
        }
        if ready {
            if registration.is_none() && self.notifying.get() > 0 {
                drop(waiters);
                *registration = Some(BEHIND_NOTIFIED);
                requeue();
                return false;
            }
            waiters.done(registration);
            return true;
        }
        waiters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        if id != BEHIND_NOTIFIED && !self.waiters.borrow_mut().remove(id) {
            // Notified, but it will not run its turn.
            self.notifying.set(self.notifying.get().saturating_sub(1));
        }
    }

    fn poll_ready(&self, ready: bool, registration: &mut Option<u64>) -> bool {
        let mut waiters = self.waiters.borrow_mut();
        if ready || registration.is_some_and(|id| waiters.notified(id)) {
            waiters.done(registration);
            return true;
        }
        waiters.ensure_observer(registration);
        false
    }

    /// Links `call`, to be queued when notified.
    fn rawlink(&self, call: Box<dyn FnOnce()>) -> LinkId {
        LinkId(self.waiters.borrow_mut().link(current(), call))
    }

    fn unlink(&self, link: LinkId) -> bool {
        link != LinkId::QUEUED && self.waiters.borrow_mut().remove(link.0)
    }

    fn linkcount(&self) -> usize {
        self.waiters.borrow().len()
    }
}

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
///
/// Waiters are woken in the order they came. A task that calls `wait()` on a set event while
/// the waiters that `set` woke have not run yet goes after them (it yields once); otherwise a
/// wait on a set event is over at once.
///
/// Clones are the same event: `==` compares identity.
#[derive(Clone, Default)]
pub struct Event(Rc<EventState>);

#[derive(Default)]
struct EventState {
    flag: Cell<bool>,
    room: Broadcast,
}

impl Event {
    /// A new, unset event.
    pub fn new() -> Self {
        Event::default()
    }

    /// Sets the flag, wakes every waiter and queues every link.
    pub fn set(&self) {
        self.0.flag.set(true);
        self.0.room.notify_all();
    }

    /// Clears the flag: later waiters wait for the next `set`.
    pub fn clear(&self) {
        self.0.flag.set(false);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.0.flag.get()
    }

    /// Same as [`is_set`](Self::is_set) (gevent's `ready()`).
    pub fn ready(&self) -> bool {
        self.is_set()
    }

    /// Waits until the flag is set (at once if it is). A `set` wakes the waiters even if the
    /// flag is cleared again before they run.
    pub fn wait(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }

    /// Calls `callback` from the hub's loop once the event is set (soon, if it is set now);
    /// once, not at each `set` (gevent's `rawlink`). Give the id to [`unlink`](Self::unlink) to
    /// take it back. A link waiting for the event does not keep it alive; it never runs if the
    /// event or the hub is dropped first.
    ///
    /// ```
    /// use corogen::hub::{self, Event, Hub};
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let hub = Hub::new_virtual();
    /// let fired = Rc::new(Cell::new(0));
    /// hub.block_on({
    ///     let fired = fired.clone();
    ///     async move {
    ///         let event = Event::new();
    ///         let once = fired.clone();
    ///         event.rawlink(move |event| once.set(once.get() + u32::from(event.is_set())));
    ///         let never = event.rawlink(|_| unreachable!());
    ///         assert_eq!(event.linkcount(), 2);
    ///         assert!(event.unlink(never));
    ///         event.set();
    ///         hub::sleep(std::time::Duration::ZERO).await; // the loop runs the link
    ///     }
    /// });
    /// assert_eq!(fired.get(), 1);
    /// ```
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn rawlink(&self, callback: impl FnOnce(&Event) + 'static) -> LinkId {
        if self.is_set() {
            let event = self.clone();
            call_soon(Box::new(move || callback(&event)));
            return LinkId::QUEUED;
        }
        let weak = Rc::downgrade(&self.0);
        self.0.room.rawlink(Box::new(move || {
            if let Some(state) = Weak::upgrade(&weak) {
                callback(&Event(state));
            }
        }))
    }

    /// Takes back a link made by [`rawlink`](Self::rawlink); `false` if it already ran or was
    /// queued (or is not one of this event's).
    pub fn unlink(&self, link: LinkId) -> bool {
        self.0.room.unlink(link)
    }

    /// How many tasks wait on the event, and links wait for it (gevent's `linkcount()`).
    pub fn linkcount(&self) -> usize {
        self.0.room.linkcount()
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Event {}

impl Condition for EventState {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        self.room.poll_wait(self.flag.get(), registration)
    }

    fn abandon(&self, id: u64) {
        self.room.abandon(id);
    }
}

impl Observable for EventState {
    fn poll_ready(&self, registration: &mut Option<u64>) -> bool {
        self.room.poll_ready(self.flag.get(), registration)
    }

    fn forget(&self, id: u64) {
        self.room.waiters.borrow_mut().remove(id);
    }
}

impl Waitable for Event {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl Ready for Event {
    fn observer(&self) -> Observer {
        Observer::state(self.0.clone())
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
///
/// Waiters are woken in the order they came, as an [`Event`]'s. Clones are the same result:
/// `==` compares identity.
pub struct AsyncResult<T, E = String>(Rc<ResultState<T, E>>);

struct ResultState<T, E> {
    result: RefCell<Option<Result<T, E>>>,
    room: Broadcast,
}

impl<T, E> ResultState<T, E> {
    fn ready(&self) -> bool {
        self.result.borrow().is_some()
    }
}

impl<T: Clone + 'static, E: Clone + 'static> AsyncResult<T, E> {
    /// A new, empty result.
    pub fn new() -> Self {
        AsyncResult(Rc::new(ResultState {
            result: RefCell::new(None),
            room: Broadcast::default(),
        }))
    }

    /// Sets the value, wakes every waiter and queues every link.
    pub fn set(&self, value: T) {
        self.complete(Ok(value));
    }

    /// Sets an error, wakes every waiter and queues every link.
    pub fn set_exception(&self, error: E) {
        self.complete(Err(error));
    }

    fn complete(&self, result: Result<T, E>) {
        let old = self.0.result.replace(Some(result));
        drop(old);
        self.0.room.notify_all();
    }

    /// Whether a value or an error was set.
    pub fn ready(&self) -> bool {
        self.0.ready()
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

    /// A clone of the result if it is set, without waiting (gevent's `get_nowait()`, which
    /// raises `Timeout` where this gives `None`).
    pub fn try_get(&self) -> Option<Result<T, E>> {
        self.0.result.borrow().clone()
    }

    /// Waits until the result is set.
    pub fn wait(&self) -> WaitFor {
        WaitFor::new(self.0.clone())
    }

    /// Waits until the result is set, then gives a clone of it.
    pub async fn get(&self) -> Result<T, E> {
        self.wait().await;
        self.try_get()
            .expect("a ready AsyncResult holds its result")
    }

    /// Calls `callback` from the hub's loop once the result is set (soon, if it is set now),
    /// once (gevent's `rawlink`); see [`Event::rawlink`].
    ///
    /// # Panics
    /// Outside a running hub.
    pub fn rawlink(&self, callback: impl FnOnce(&AsyncResult<T, E>) + 'static) -> LinkId {
        if self.ready() {
            let result = self.clone();
            call_soon(Box::new(move || callback(&result)));
            return LinkId::QUEUED;
        }
        let weak = Rc::downgrade(&self.0);
        self.0.room.rawlink(Box::new(move || {
            if let Some(state) = Weak::upgrade(&weak) {
                callback(&AsyncResult(state));
            }
        }))
    }

    /// Takes back a link made by [`rawlink`](Self::rawlink); `false` if it already ran or was
    /// queued (or is not one of this result's).
    pub fn unlink(&self, link: LinkId) -> bool {
        self.0.room.unlink(link)
    }

    /// How many tasks wait on the result, and links wait for it (gevent's `linkcount()`).
    pub fn linkcount(&self) -> usize {
        self.0.room.linkcount()
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

impl<T, E> PartialEq for AsyncResult<T, E> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T, E> Eq for AsyncResult<T, E> {}

impl<T, E> Condition for ResultState<T, E> {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        self.room.poll_wait(self.ready(), registration)
    }

    fn abandon(&self, id: u64) {
        self.room.abandon(id);
    }
}

impl<T: 'static, E: 'static> Observable for ResultState<T, E> {
    fn poll_ready(&self, registration: &mut Option<u64>) -> bool {
        self.room.poll_ready(self.ready(), registration)
    }

    fn forget(&self, id: u64) {
        self.room.waiters.borrow_mut().remove(id);
    }
}

impl<T: 'static, E: 'static> Waitable for AsyncResult<T, E> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(self.0.clone())
    }
}

impl<T: 'static, E: 'static> Ready for AsyncResult<T, E> {
    fn observer(&self) -> Observer {
        Observer::state(self.0.clone())
    }
}

impl<T, E> fmt::Debug for AsyncResult<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncResult")
            .field("ready", &self.0.ready())
            .finish()
    }
}
