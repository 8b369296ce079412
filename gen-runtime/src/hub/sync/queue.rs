//! [`Queue`]: items between tasks, bounded or not, in the order of its [`Order`] (gevent's
//! `Queue`, which is joinable, `LifoQueue` and `PriorityQueue`), and its shutdown.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::rc::Rc;

use super::queue_order::{Fifo, Lifo, Order, Priority};
use super::queue_wait::Joined;
pub use super::queue_wait::{Get, Peek, Put, QueueStream, Readable, Recv, Writable};
use super::wait_on::{Observer, Ready};
use crate::hub::task::{WaitFor, WaitList};

/// Items between tasks: [`get`](Queue::get) waits while the queue is empty, and
/// [`put`](Queue::put) waits while it is full (when it has a `maxsize`). FIFO; see
/// [`LifoQueue`] and [`PriorityQueue`] for the other orders, and [`Channel`](super::Channel)
/// for a queue that holds nothing (a put waits for a get).
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
///
/// # Joining
///
/// As gevent's `Queue` (once `JoinableQueue`, the name kept here as [`JoinableQueue`]), every
/// queue counts its [unfinished tasks](Queue::unfinished_tasks): each item put adds one, each
/// [`task_done`](Queue::task_done) takes one away, and [`join`](Queue::join) waits until none
/// is left — every item put has been got and dealt with.
///
/// ```
/// use corogen::hub::{self, Hub, JoinableQueue};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let jobs = JoinableQueue::new();
///     let worker = jobs.clone();
///     hub::spawn(async move {
///         loop {
///             let secs: u64 = worker.get().await;
///             hub::sleep(Duration::from_secs(secs)).await;
///             worker.task_done().unwrap();
///         }
///     });
///     for secs in [1, 2] {
///         jobs.try_put(secs).unwrap();
///     }
///     jobs.join().await; // both got *and* done
///     assert_eq!(hub::now(), Duration::from_secs(3));
/// });
/// ```
///
/// # Shutting down
///
/// [`shutdown`](Queue::shutdown) closes the queue (gevent's `shutdown()`): no item can be put
/// any more, and once it is empty (at once, with `immediate`) no item comes out.
/// [`recv`](Queue::recv) and [`stream`](Queue::stream) read until then, giving `None`;
/// [`get`](Queue::get), [`put`](Queue::put) and [`try_put`](Queue::try_put), which cannot say
/// so, panic instead (gevent raises `ShutDown`), also in the tasks waiting in them when the
/// queue shuts down.
///
/// ```
/// use corogen::hub::{self, Hub, Queue};
///
/// let hub = Hub::new_virtual();
/// let got = hub.block_on(async {
///     let queue = Queue::new();
///     let producer = queue.clone();
///     hub::spawn(async move {
///         for i in 0..3 {
///             producer.put(i).await;
///         }
///         producer.shutdown(false); // the items put stay to be read
///     });
///     let mut items = queue.stream();
///     let mut got = Vec::new();
///     while let Some(item) = items.next().await {
///         got.push(item);
///     }
///     got
/// });
/// assert_eq!(got, [0, 1, 2]);
/// ```
///
/// Clones are the same queue: `==` compares identity.
pub struct Queue<T, S: Order<T> = Fifo<T>>(pub(super) Rc<QueueState<T, S>>);

pub(super) struct QueueState<T, S> {
    pub(super) items: RefCell<S>,
    maxsize: Option<usize>,
    pub(super) getters: RefCell<WaitList>,
    pub(super) putters: RefCell<WaitList>,
    /// Items put and not yet marked done.
    pub(super) unfinished: Cell<usize>,
    pub(super) joiners: RefCell<WaitList>,
    pub(super) shutdown: Cell<bool>,
    _items: PhantomData<fn(T) -> T>,
}

impl<T, S: Order<T>> QueueState<T, S> {
    pub(super) fn full(&self) -> bool {
        self.maxsize
            .is_some_and(|max| self.items.borrow().len() >= max)
    }

    pub(super) fn has_items(&self) -> bool {
        self.items.borrow().len() > 0
    }

    /// Adds an item: counts it unfinished and wakes a getter.
    #[inline]
    pub(super) fn push(&self, item: T) {
        self.items.borrow_mut().push(item);
        self.unfinished.set(self.unfinished.get() + 1);
        self.getters.borrow_mut().notify_one();
    }

    fn check_open(&self, what: &str) {
        if self.shutdown.get() {
            shut_down(what);
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
pub(super) fn shut_down(what: &str) -> ! {
    panic!("corogen hub: {what} on a queue that is shut down (read it with `recv` or `stream`)")
}

/// The error of [`Queue::try_put`] on a full queue (or [`Channel::try_put`] without a task
/// waiting for the item); it gives the item back.
///
/// [`Channel::try_put`]: super::Channel::try_put
#[derive(Debug, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T: fmt::Debug> std::error::Error for Full<T> {}

/// [`Queue::task_done`] called more times than items were put (gevent's `ValueError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put")
    }
}

impl std::error::Error for TaskDoneError {}

/// A FIFO [`Queue`] with [`task_done`](Queue::task_done) and [`join`](Queue::join): every
/// queue is one (as gevent's `Queue`, whose `JoinableQueue` is the same class).
pub type JoinableQueue<T> = Queue<T>;

impl<T: 'static> Queue<T> {
    /// An unbounded queue.
    pub fn new() -> Self {
        Queue::with_maxsize(None)
    }

    /// A queue of at most `maxsize` items.
    ///
    /// # Panics
    /// If `maxsize` is zero: a queue that holds nothing is a [`Channel`](super::Channel).
    pub fn bounded(maxsize: usize) -> Self {
        Queue::with_maxsize(Some(nonzero(maxsize)))
    }
}

fn nonzero(maxsize: usize) -> usize {
    assert!(
        maxsize > 0,
        "corogen hub: a queue's maxsize must be at least 1 (a Channel holds nothing: a put waits \
         for a get)"
    );
    maxsize
}

impl<T: 'static, S: Order<T> + 'static> Queue<T, S> {
    fn with_maxsize(maxsize: Option<usize>) -> Self {
        Queue(Rc::new(QueueState {
            items: RefCell::new(S::default()),
            maxsize,
            getters: RefCell::new(WaitList::default()),
            putters: RefCell::new(WaitList::default()),
            unfinished: Cell::new(0),
            joiners: RefCell::new(WaitList::default()),
            shutdown: Cell::new(false),
            _items: PhantomData,
        }))
    }

    /// Adds an item, waiting while the queue is full.
    ///
    /// # Panics
    /// If the queue is shut down, or shuts down while this waits.
    pub fn put(&self, item: T) -> Put<T, S> {
        Put {
            queue: self.clone(),
            item: Some(item),
            registration: None,
        }
    }

    /// Adds an item if there is room (gevent's `put_nowait`).
    ///
    /// # Panics
    /// If the queue is shut down.
    pub fn try_put(&self, item: T) -> Result<(), Full<T>> {
        self.0.check_open("try_put");
        if self.0.full() {
            return Err(Full(item));
        }
        self.0.push(item);
        Ok(())
    }

    /// Takes the next item, waiting while the queue is empty.
    ///
    /// # Panics
    /// If the queue is shut down and empty, or becomes so while this waits: see
    /// [`recv`](Self::recv).
    pub fn get(&self) -> Get<T, S> {
        Get {
            queue: self.clone(),
            registration: None,
        }
    }

    /// Takes the next item if there is one (gevent's `get_nowait`).
    pub fn try_get(&self) -> Option<T> {
        let item = self.0.items.borrow_mut().pop()?;
        self.0.putters.borrow_mut().notify_one();
        Some(item)
    }

    /// Takes the next item, waiting while the queue is empty; `None` once the queue is shut
    /// down and empty (gevent's `get`, `ShutDown` being `None`).
    pub fn recv(&self) -> Recv<T, S> {
        Recv {
            queue: self.clone(),
            registration: None,
        }
    }

    /// The items as they come, until the queue is shut down and empty: a
    /// [`Stream`](futures_core::Stream), or `while let Some(item) = stream.next().await`
    /// (gevent's `for item in queue`).
    pub fn stream(&self) -> QueueStream<T, S> {
        QueueStream(self.recv())
    }

    /// A clone of the next item, waiting while the queue is empty; the item stays (gevent's
    /// `peek`). A peeking task does not keep a getter from being woken.
    ///
    /// # Panics
    /// If the queue is shut down and empty, or becomes so while this waits.
    pub fn peek(&self) -> Peek<T, S>
    where
        T: Clone,
    {
        Peek {
            queue: self.clone(),
            registration: None,
        }
    }

    /// A clone of the next item, if there is one (gevent's `peek_nowait`).
    pub fn try_peek(&self) -> Option<T>
    where
        T: Clone,
    {
        self.0.items.borrow().peek().cloned()
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
    pub fn readable(&self) -> Readable<T, S> {
        Readable(self.clone())
    }

    /// For [`op::wait`](crate::hub::op::wait): ready when the queue has room (add with
    /// [`try_put`](Queue::try_put)).
    pub fn writable(&self) -> Writable<T, S> {
        Writable(self.clone())
    }

    /// Items put and not yet marked [done](Self::task_done) (gevent's `unfinished_tasks`).
    pub fn unfinished_tasks(&self) -> usize {
        self.0.unfinished.get()
    }

    /// Marks one item got from the queue as dealt with; when none is left unfinished, the
    /// [`join`](Self::join)s are over. An error if every item put is marked done already.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let unfinished = self.0.unfinished.get();
        if unfinished == 0 {
            return Err(TaskDoneError);
        }
        self.0.unfinished.set(unfinished - 1);
        if unfinished == 1 {
            self.0.joiners.borrow_mut().notify_all();
        }
        Ok(())
    }

    /// Waits until every item put has been marked [done](Self::task_done) (at once if none is
    /// unfinished).
    pub fn join(&self) -> WaitFor {
        WaitFor::new(Rc::new(Joined(self.clone())))
    }

    /// Shuts the queue down (gevent's `shutdown()`): no more puts; with `immediate`, the items
    /// in it are dropped at once (each marked done), else they stay to be read. Every task
    /// waiting in the queue is woken: a `recv` then gives `None` if the queue is empty, a
    /// `get` or `put` panics. For good: a queue does not open again.
    pub fn shutdown(&self, immediate: bool) {
        self.0.shutdown.set(true);
        if immediate {
            let mut dropped = Vec::new();
            while let Some(item) = self.0.items.borrow_mut().pop() {
                dropped.push(item);
            }
            let unfinished = self.0.unfinished.get().saturating_sub(dropped.len());
            self.0.unfinished.set(unfinished);
            drop(dropped);
            if unfinished == 0 {
                self.0.joiners.borrow_mut().notify_all();
            }
        }
        self.0.getters.borrow_mut().notify_all();
        self.0.putters.borrow_mut().notify_all();
    }

    /// Whether the queue was [shut down](Self::shutdown).
    pub fn is_shutdown(&self) -> bool {
        self.0.shutdown.get()
    }
}

impl<T: 'static> Default for Queue<T> {
    fn default() -> Self {
        Queue::new()
    }
}

impl<T, S: Order<T>> Clone for Queue<T, S> {
    fn clone(&self) -> Self {
        Queue(self.0.clone())
    }
}

impl<T, S: Order<T>> PartialEq for Queue<T, S> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T, S: Order<T>> Eq for Queue<T, S> {}

impl<T, S: Order<T>> fmt::Debug for Queue<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.0.items.borrow().len())
            .field("maxsize", &self.0.maxsize)
            .field("unfinished_tasks", &self.0.unfinished.get())
            .field("shutdown", &self.0.shutdown.get())
            .finish()
    }
}

/// Defines a queue of another order: a [`Queue`] of that order, with its own constructors.
macro_rules! ordered_queue {
    ($(#[$doc:meta])* $name:ident, $order:ident, [$($bound:tt)*]) => {
        $(#[$doc])*
        pub struct $name<T: $($bound)*>(Queue<T, $order<T>>);

        impl<T: $($bound)* + 'static> $name<T> {
            /// An unbounded queue.
            pub fn new() -> Self {
                $name(Queue::with_maxsize(None))
            }

            /// A queue of at most `maxsize` items.
            ///
            /// # Panics
            /// If `maxsize` is zero.
            pub fn bounded(maxsize: usize) -> Self {
                $name(Queue::with_maxsize(Some(nonzero(maxsize))))
            }
        }

        impl<T: $($bound)* + 'static> Default for $name<T> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T: $($bound)*> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name(self.0.clone())
            }
        }

        impl<T: $($bound)*> PartialEq for $name<T> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        impl<T: $($bound)*> Eq for $name<T> {}

        impl<T: $($bound)*> Deref for $name<T> {
            type Target = Queue<T, $order<T>>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl<T: $($bound)*> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl<T: $($bound)* + 'static> Ready for $name<T> {
            fn observer(&self) -> Observer {
                self.0.observer()
            }
        }
    };
}

ordered_queue!(
    /// A [`Queue`] that gives back the item put last first (gevent's `LifoQueue`); every
    /// method is the queue's (through `Deref`).
    ///
    /// ```
    /// use corogen::hub::LifoQueue;
    ///
    /// let queue = LifoQueue::new();
    /// for i in 1..=3 {
    ///     queue.try_put(i).unwrap();
    /// }
    /// assert_eq!(std::iter::from_fn(|| queue.try_get()).collect::<Vec<_>>(), [3, 2, 1]);
    /// ```
    LifoQueue,
    Lifo,
    [Sized]
);

ordered_queue!(
    /// A [`Queue`] that gives back its lowest item first (gevent's `PriorityQueue`; equal items
    /// in no set order: put `(priority, sequence, item)` tuples to keep theirs); every method is
    /// the queue's (through `Deref`).
    ///
    /// ```
    /// use corogen::hub::PriorityQueue;
    ///
    /// let queue = PriorityQueue::new();
    /// for job in [(2, "write"), (1, "read"), (3, "close")] {
    ///     queue.try_put(job).unwrap();
    /// }
    /// assert_eq!(queue.try_get(), Some((1, "read")));
    /// assert_eq!(queue.try_peek(), Some((2, "write")));
    /// ```
    PriorityQueue,
    Priority,
    [Ord]
);
