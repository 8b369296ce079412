//! [`Queue`]: a FIFO between tasks, bounded or not (gevent's `Queue(maxsize)`).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::hub::engine::adopt;
use crate::hub::task::{Condition, WaitHandle, WaitList, Waitable};

/// A FIFO queue between tasks: [`get`](Queue::get) waits while it is empty, and
/// [`put`](Queue::put) waits while it is full (when it has a `maxsize`).
///
/// ```
/// use corogen::hub::{Hub, Queue};
///
/// let hub = Hub::new_virtual();
/// let queue = Queue::bounded(1);
/// let producer = hub.spawn({
///     let queue = queue.clone();
///     async move {
///         for i in 0..3 {
///             queue.put(i).await; // waits while the queue is full
///         }
///     }
/// });
/// let consumer = hub.spawn({
///     let queue = queue.clone();
///     async move {
///         let mut got = Vec::new();
///         for _ in 0..3 {
///             got.push(queue.get().await);
///         }
///         got
///     }
/// });
/// hub.run();
/// assert!(producer.dead());
/// assert_eq!(consumer.try_get(), Some(Ok(vec![0, 1, 2])));
/// ```
pub struct Queue<T>(Rc<QueueState<T>>);

struct QueueState<T> {
    items: RefCell<VecDeque<T>>,
    maxsize: Option<usize>,
    getters: RefCell<WaitList>,
    putters: RefCell<WaitList>,
}

impl<T> QueueState<T> {
    fn full(&self) -> bool {
        self.maxsize
            .is_some_and(|max| self.items.borrow().len() >= max)
    }
}

/// The error of [`Queue::try_put`] on a full queue; it gives the item back.
#[derive(Debug, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T: fmt::Debug> std::error::Error for Full<T> {}

impl<T: 'static> Queue<T> {
    /// An unbounded queue.
    pub fn new() -> Self {
        Queue::with_maxsize(None)
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
        Queue::with_maxsize(Some(maxsize))
    }

    fn with_maxsize(maxsize: Option<usize>) -> Self {
        Queue(Rc::new(QueueState {
            items: RefCell::new(VecDeque::new()),
            maxsize,
            getters: RefCell::new(WaitList::default()),
            putters: RefCell::new(WaitList::default()),
        }))
    }

    /// Adds an item, waiting while the queue is full.
    pub fn put(&self, item: T) -> Put<T> {
        Put {
            queue: self.clone(),
            item: Some(item),
            registration: None,
        }
    }

    /// Adds an item if there is room (gevent's `put_nowait`).
    pub fn try_put(&self, item: T) -> Result<(), Full<T>> {
        if self.0.full() {
            return Err(Full(item));
        }
        self.0.items.borrow_mut().push_back(item);
        self.0.getters.borrow_mut().notify_one();
        Ok(())
    }

    /// Takes the first item, waiting while the queue is empty.
    pub fn get(&self) -> Get<T> {
        Get {
            queue: self.clone(),
            registration: None,
        }
    }

    /// Takes the first item if there is one (gevent's `get_nowait`).
    pub fn try_get(&self) -> Option<T> {
        let item = self.0.items.borrow_mut().pop_front()?;
        self.0.putters.borrow_mut().notify_one();
        Some(item)
    }

    /// Items in the queue.
    pub fn len(&self) -> usize {
        self.0.items.borrow().len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the queue is full.
    pub fn is_full(&self) -> bool {
        self.0.full()
    }

    /// The queue's bound, if it has one.
    pub fn maxsize(&self) -> Option<usize> {
        self.0.maxsize
    }

    /// For [`op::wait`](crate::hub::op::wait): ready when the queue has an item (take it with
    /// [`try_get`](Queue::try_get); a faster task may have taken it, so loop).
    pub fn readable(&self) -> Readable<T> {
        Readable(self.clone())
    }

    /// For [`op::wait`](crate::hub::op::wait): ready when the queue has room (add with
    /// [`try_put`](Queue::try_put)).
    pub fn writable(&self) -> Writable<T> {
        Writable(self.clone())
    }
}

impl<T: 'static> Default for Queue<T> {
    fn default() -> Self {
        Queue::new()
    }
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue(self.0.clone())
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.0.items.borrow().len())
            .field("maxsize", &self.0.maxsize)
            .finish()
    }
}

/// The future of [`Queue::get`].
#[must_use = "futures do nothing unless awaited"]
pub struct Get<T> {
    queue: Queue<T>,
    registration: Option<u64>,
}

impl<T: 'static> Future for Get<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        adopt(cx);
        let this = self.get_mut();
        let state = &this.queue.0;
        let mut getters = state.getters.borrow_mut();
        let item = state.items.borrow_mut().pop_front();
        match item {
            Some(item) => {
                getters.done(&mut this.registration);
                drop(getters);
                state.putters.borrow_mut().notify_one();
                Poll::Ready(item)
            }
            None => {
                getters.ensure(&mut this.registration);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Get<T> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            let state = &self.queue.0;
            let mut getters = state.getters.borrow_mut();
            if !getters.remove(id) && !state.items.borrow().is_empty() {
                getters.notify_one();
            }
        }
    }
}

/// The future of [`Queue::put`].
#[must_use = "futures do nothing unless awaited"]
pub struct Put<T> {
    queue: Queue<T>,
    item: Option<T>,
    registration: Option<u64>,
}

impl<T> Unpin for Put<T> {}

impl<T: 'static> Future for Put<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        let this = self.get_mut();
        let state = &this.queue.0;
        let mut putters = state.putters.borrow_mut();
        if state.full() {
            putters.ensure(&mut this.registration);
            return Poll::Pending;
        }
        putters.done(&mut this.registration);
        drop(putters);
        if let Some(item) = this.item.take() {
            state.items.borrow_mut().push_back(item);
            state.getters.borrow_mut().notify_one();
        }
        Poll::Ready(())
    }
}

impl<T> Drop for Put<T> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            let state = &self.queue.0;
            let mut putters = state.putters.borrow_mut();
            if !putters.remove(id) && !state.full() {
                putters.notify_one();
            }
        }
    }
}

/// See [`Queue::readable`].
pub struct Readable<T>(Queue<T>);
/// See [`Queue::writable`].
pub struct Writable<T>(Queue<T>);

struct ReadableCondition<T>(Queue<T>);
struct WritableCondition<T>(Queue<T>);

impl<T> Condition for ReadableCondition<T> {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let state = &(self.0).0;
        let mut getters = state.getters.borrow_mut();
        if !state.items.borrow().is_empty() {
            getters.done(registration);
            return true;
        }
        getters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        let state = &(self.0).0;
        let mut getters = state.getters.borrow_mut();
        if !getters.remove(id) && !state.items.borrow().is_empty() {
            getters.notify_one();
        }
    }
}

impl<T> Condition for WritableCondition<T> {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let state = &(self.0).0;
        let mut putters = state.putters.borrow_mut();
        if !state.full() {
            putters.done(registration);
            return true;
        }
        putters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        let state = &(self.0).0;
        let mut putters = state.putters.borrow_mut();
        if !putters.remove(id) && !state.full() {
            putters.notify_one();
        }
    }
}

impl<T: 'static> Waitable for Readable<T> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(Rc::new(ReadableCondition(self.0.clone())))
    }
}

impl<T: 'static> Waitable for Writable<T> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(Rc::new(WritableCondition(self.0.clone())))
    }
}
