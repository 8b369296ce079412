//! [`ThreadQueue`]: a FIFO between threads and hubs, bounded or not, whose waits are
//! cooperative on whichever hub waits: the `Send + Sync` counterpart of [`Queue`](crate::hub::Queue),
//! as [`ThreadEvent`](crate::hub::ThreadEvent) is of [`Event`](crate::hub::Event).
//!
//! Items and both lists of waiters live under one lock, so a getter that finds the queue empty
//! registers before any putter can miss it. A waiter keeps a clone of the waker it was polled
//! with (on a hub, the hub's owned waker: the key onto its remote queue, then its thread or
//! poller notified); a put takes one getter out of the list and wakes it, a get one putter. A
//! woken waiter tries again, and registers again at the back if another was faster. One that
//! gives up after it was woken passes the wake on, so none is lost.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::hub::sync::Full;

/// A FIFO queue between hubs and threads: `Send + Sync` (for `T: Send`), cheap to clone, and
/// cooperative on whichever hub waits. [`get`](Self::get) waits while it is empty,
/// [`put`](Self::put) while it is full (when it has a `maxsize`); the futures work on any hub
/// (and on any executor), and the `try_` forms anywhere.
///
/// ```
/// use corogen::hub::{Runtime, ThreadQueue};
///
/// let runtime = Runtime::new(2);
/// let queue = ThreadQueue::bounded(4);
/// let producer = runtime.hub(1).spawn({
///     let queue = queue.clone();
///     move || async move {
///         for i in 0..10u64 {
///             queue.put(i).await; // waits on hub 1 while the queue is full
///         }
///     }
/// });
/// let sum = runtime.block_on(async {
///     let mut sum = 0;
///     for _ in 0..10 {
///         sum += queue.get().await; // waits on hub 0 while it is empty
///     }
///     sum
/// });
/// assert_eq!(sum, 45);
/// runtime.block_on(producer).unwrap();
/// ```
pub struct ThreadQueue<T>(Arc<Shared<T>>);

struct Shared<T> {
    state: Mutex<State<T>>,
    maxsize: Option<usize>,
}

struct State<T> {
    items: VecDeque<T>,
    getters: WakerList,
    putters: WakerList,
}

impl<T> State<T> {
    fn full(&self, maxsize: Option<usize>) -> bool {
        maxsize.is_some_and(|max| self.items.len() >= max)
    }
}

impl<T> Shared<T> {
    fn state(&self) -> MutexGuard<'_, State<T>> {
        // Only a foreign waker's `clone` or `will_wake` can panic under the lock, between
        // whole steps.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Send> ThreadQueue<T> {
    /// An unbounded queue.
    pub fn new() -> Self {
        ThreadQueue::with_maxsize(None)
    }

    /// A queue of at most `maxsize` items.
    ///
    /// # Panics
    /// If `maxsize` is zero.
    pub fn bounded(maxsize: usize) -> Self {
        assert!(
            maxsize > 0,
            "corogen hub: a queue's maxsize must be at least 1"
        );
        ThreadQueue::with_maxsize(Some(maxsize))
    }

    fn with_maxsize(maxsize: Option<usize>) -> Self {
        ThreadQueue(Arc::new(Shared {
            state: Mutex::new(State {
                items: VecDeque::new(),
                getters: WakerList::default(),
                putters: WakerList::default(),
            }),
            maxsize,
        }))
    }

    /// Adds an item, waiting while the queue is full.
    pub fn put(&self, item: T) -> ThreadPut<T> {
        ThreadPut {
            queue: self.clone(),
            item: Some(item),
            registration: None,
        }
    }

    /// Adds an item if there is room (gevent's `put_nowait`).
    pub fn try_put(&self, item: T) -> Result<(), Full<T>> {
        let getter = {
            let mut state = self.0.state();
            if state.full(self.0.maxsize) {
                return Err(Full(item));
            }
            state.items.push_back(item);
            state.getters.pop()
        };
        wake(getter);
        Ok(())
    }

    /// Takes the first item, waiting while the queue is empty.
    pub fn get(&self) -> ThreadGet<T> {
        ThreadGet {
            queue: self.clone(),
            registration: None,
        }
    }

    /// Takes the first item if there is one (gevent's `get_nowait`).
    pub fn try_get(&self) -> Option<T> {
        let (item, putter) = {
            let mut state = self.0.state();
            let item = state.items.pop_front()?;
            (item, state.putters.pop())
        };
        wake(putter);
        Some(item)
    }

    /// Items in the queue.
    pub fn len(&self) -> usize {
        self.0.state().items.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a `put` would wait.
    pub fn is_full(&self) -> bool {
        self.0.state().full(self.0.maxsize)
    }

    /// The bound, `None` for an unbounded queue.
    pub fn maxsize(&self) -> Option<usize> {
        self.0.maxsize
    }
}

impl<T: Send> Default for ThreadQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for ThreadQueue<T> {
    fn clone(&self) -> Self {
        ThreadQueue(Arc::clone(&self.0))
    }
}

impl<T> fmt::Debug for ThreadQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadQueue")
            .field("len", &self.0.state().items.len())
            .field("maxsize", &self.0.maxsize)
            .finish()
    }
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// The future of [`ThreadQueue::get`].
#[must_use = "futures do nothing unless awaited"]
pub struct ThreadGet<T> {
    queue: ThreadQueue<T>,
    registration: Option<u64>,
}

impl<T> Future for ThreadGet<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        let shared = &this.queue.0;
        let (item, putter, stale) = {
            let mut state = shared.state();
            let Some(item) = state.items.pop_front() else {
                let waker = crate::async_gen::outer_waker(cx.waker());
                state.getters.ensure(&mut this.registration, waker);
                return Poll::Pending;
            };
            let stale = this
                .registration
                .take()
                .and_then(|id| state.getters.remove(id));
            (item, state.putters.pop(), stale)
        };
        wake(putter);
        drop(stale);
        Poll::Ready(item)
    }
}

impl<T> Drop for ThreadGet<T> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            let (stale, next) = {
                let mut state = self.queue.0.state();
                let stale = state.getters.remove(id);
                // Woken (out of the list) but gone before taking an item: the next getter
                // gets the wake.
                let next = if stale.is_none() && !state.items.is_empty() {
                    state.getters.pop()
                } else {
                    None
                };
                (stale, next)
            };
            drop(stale);
            wake(next);
        }
    }
}

/// The future of [`ThreadQueue::put`].
#[must_use = "futures do nothing unless awaited"]
pub struct ThreadPut<T> {
    queue: ThreadQueue<T>,
    item: Option<T>,
    registration: Option<u64>,
}

// The item is moved, never pinned.
impl<T> Unpin for ThreadPut<T> {}

impl<T> Future for ThreadPut<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let shared = &this.queue.0;
        let (getter, stale) = {
            let mut state = shared.state();
            if state.full(shared.maxsize) {
                let waker = crate::async_gen::outer_waker(cx.waker());
                state.putters.ensure(&mut this.registration, waker);
                return Poll::Pending;
            }
            let stale = this
                .registration
                .take()
                .and_then(|id| state.putters.remove(id));
            let getter = match this.item.take() {
                Some(item) => {
                    state.items.push_back(item);
                    state.getters.pop()
                }
                None => None,
            };
            (getter, stale)
        };
        wake(getter);
        drop(stale);
        Poll::Ready(())
    }
}

impl<T> Drop for ThreadPut<T> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            let (stale, next) = {
                let shared = &self.queue.0;
                let mut state = shared.state();
                let stale = state.putters.remove(id);
                let next = if stale.is_none() && !state.full(shared.maxsize) {
                    state.putters.pop()
                } else {
                    None
                };
                (stale, next)
            };
            drop(stale);
            wake(next);
        }
    }
}

/// Waiters of one side of a queue, with their wakers, in the order they came (ids increase
/// along the list). A wake takes a waiter out: a registration no longer here was woken.
#[derive(Default)]
struct WakerList {
    list: VecDeque<(u64, Waker)>,
    next_id: u64,
}

impl WakerList {
    fn position(&self, id: u64) -> Option<usize> {
        self.list.binary_search_by_key(&id, |&(id, _)| id).ok()
    }

    /// Makes sure `registration` is in the list, with `waker`.
    fn ensure(&mut self, registration: &mut Option<u64>, waker: &Waker) {
        if let Some(at) = registration.and_then(|id| self.position(id)) {
            let stored = &mut self.list[at].1;
            if !stored.will_wake(waker) {
                stored.clone_from(waker);
            }
            return;
        }
        self.next_id += 1;
        self.list.push_back((self.next_id, waker.clone()));
        *registration = Some(self.next_id);
    }

    /// Takes `id` out, giving its waker to drop after the lock; `None` if it was not there
    /// (it was woken).
    fn remove(&mut self, id: u64) -> Option<Waker> {
        let at = self.position(id)?;
        self.list.remove(at).map(|(_, waker)| waker)
    }

    /// Takes the first waiter out, to wake it (after the lock is released).
    fn pop(&mut self) -> Option<Waker> {
        self.list.pop_front().map(|(_, waker)| waker)
    }
}
