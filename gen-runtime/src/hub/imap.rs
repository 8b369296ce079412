//! The results of [`Pool::imap`] and [`Pool::imap_unordered`]: [`IMap`], a `Stream` (and,
//! outside the hub, an `Iterator`), fed by a task of its own that takes the items
//! ([`IntoItems`]) and spawns a task in the pool for each.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::engine::{Inner, RunEnd, Schedule, TaskError, adopt, try_current};
use super::pool::Pool;
use super::scheduler::spawn;
use super::sync::{LifoQueue, Order, PriorityQueue, Queue, QueueStream, Semaphore};
use super::task::{IntoTask, Task, TaskRef, WaitList, boxed};

/// Items to map over with [`Pool::imap`] and [`Pool::imap_unordered`]: any [`IntoIterator`]
/// (gevent's iterable), a queue ([`Queue`], [`LifoQueue`], [`PriorityQueue`], a
/// [`QueueStream`]) read until it is shut down (gevent's `imap(f, queue)` until
/// `StopIteration` comes out of it), or an async generator
/// ([`AsyncGen`](crate::AsyncGen)), whose body may wait on the hub between items.
pub trait IntoItems {
    /// What `f` is called with.
    type Item: 'static;
    #[doc(hidden)]
    fn into_items(self) -> Items<Self::Item>;
}

/// The items of an [`IntoItems`], as a stream.
#[doc(hidden)]
pub struct Items<T>(Pin<Box<dyn Stream<Item = T>>>);

impl<T> Items<T> {
    async fn next(&mut self) -> Option<T> {
        poll_fn(|cx| self.0.as_mut().poll_next(cx)).await
    }
}

/// An iterator as a stream that is always ready.
struct IterStream<I>(I);

impl<I: Iterator + Unpin> Stream for IterStream<I> {
    type Item = I::Item;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.get_mut().0.next())
    }
}

impl<I> IntoItems for I
where
    I: IntoIterator,
    I::IntoIter: 'static,
    I::Item: 'static,
{
    type Item = I::Item;

    fn into_items(self) -> Items<I::Item> {
        Items(Box::pin(IterStream(Box::new(self.into_iter()))))
    }
}

impl<T: 'static, S: Order<T> + 'static> IntoItems for Queue<T, S> {
    type Item = T;

    fn into_items(self) -> Items<T> {
        Items(Box::pin(self.stream()))
    }
}

impl<T: 'static, S: Order<T> + 'static> IntoItems for QueueStream<T, S> {
    type Item = T;

    fn into_items(self) -> Items<T> {
        Items(Box::pin(self))
    }
}

/// An async generator's yields (gevent's generator as an iterable), which may wait on the hub
/// between items.
impl<B> IntoItems for crate::async_gen::AsyncGen<B>
where
    B: crate::body::Body<Resume = ()> + 'static,
    B::Yield: 'static,
{
    type Item = B::Yield;

    fn into_items(self) -> Items<B::Yield> {
        Items(Box::pin(self))
    }
}

impl<T: 'static> IntoItems for LifoQueue<T> {
    type Item = T;

    fn into_items(self) -> Items<T> {
        Items(Box::pin(self.stream()))
    }
}

impl<T: Ord + 'static> IntoItems for PriorityQueue<T> {
    type Item = T;

    fn into_items(self) -> Items<T> {
        Items(Box::pin(self.stream()))
    }
}

/// The results of [`Pool::imap`] (in the order of the items) or [`Pool::imap_unordered`] (in
/// the order the tasks end), each `Ok` with a task's value or `Err` with why it has none (it
/// panicked, or was killed); the other tasks go on after an error, as in gevent, where `next`
/// raises that task's exception and the next `next` goes on.
///
/// - In a task, it is a [`Stream`]: `while let Some(result) = results.next().await`.
/// - Outside the hub, it is an [`Iterator`] (gevent's `list(pool.imap(…))` from the main
///   greenlet): each `next` runs the hub until the next result is ready. Make it in a task
///   (the hub must be running to take the items), then iterate after the run.
///
/// ```
/// use corogen::hub::{self, Hub, Pool};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let squares = hub.block_on(async {
///     Pool::new(3).imap(|x: u64| async move {
///         hub::sleep(Duration::from_millis(10 - x)).await;
///         x * x
///     }, 0..5)
/// });
/// let squares: Vec<u64> = squares.map(Result::unwrap).collect(); // runs the hub
/// assert_eq!(squares, [0, 1, 4, 9, 16]);
/// ```
///
/// It starts taking items at its first poll. Dropping it stops the taking of items; the tasks
/// already spawned go on in the pool. If taking the items panics, the stream gives that error
/// after the results of the tasks spawned before, and ends.
#[must_use = "streams do nothing unless polled"]
pub struct IMap<T: 'static> {
    reader: Rc<RefCell<Reader<T>>>,
}

/// Makes the task that takes the items, given the shared state.
type Start<T> = Box<dyn FnOnce(Rc<Shared<T>>) -> TaskRef>;

struct Reader<T: 'static> {
    shared: Rc<Shared<T>>,
    /// The hub the map was made on, for the `Iterator`.
    hub: Option<Rc<Inner>>,
    start: Option<Start<T>>,
    maxsize: Option<usize>,
    /// The task taking the items, once started.
    feeder: Option<TaskRef>,
    registration: Option<u64>,
}

/// What the tasks of a map and its reader share.
struct Shared<T> {
    ordered: bool,
    /// Results not read yet, by item index, in the order they came.
    results: RefCell<VecDeque<(usize, Result<T, TaskError>)>>,
    /// Results read; for an ordered map, the index of the next.
    given: Cell<usize>,
    /// Tasks spawned (and an error of the items, counted as one more).
    spawned: Cell<usize>,
    /// How many results there are, once the items ran out.
    total: Cell<Option<usize>>,
    reader: RefCell<WaitList>,
    /// With a `maxsize`, a permit per result not read yet (gevent's `_result_semaphore`).
    credits: RefCell<Option<Semaphore>>,
}

impl<T> Shared<T> {
    fn deliver(&self, index: usize, result: Result<T, TaskError>) {
        self.results.borrow_mut().push_back((index, result));
        self.reader.borrow_mut().notify_all();
    }

    fn end(&self, total: usize) {
        self.total.set(Some(total));
        self.reader.borrow_mut().notify_all();
    }

    /// The next result to give, if it is here.
    fn take(&self) -> Option<Result<T, TaskError>> {
        let mut results = self.results.borrow_mut();
        let at = if self.ordered {
            let next = self.given.get();
            results.iter().position(|&(index, _)| index == next)?
        } else if results.is_empty() {
            return None;
        } else {
            0
        };
        let (_, result) = results.remove(at)?;
        drop(results);
        self.given.set(self.given.get() + 1);
        if let Some(credits) = &*self.credits.borrow() {
            credits.release();
        }
        Some(result)
    }

    fn finished(&self) -> bool {
        self.total
            .get()
            .is_some_and(|total| self.given.get() >= total)
    }
}

impl<T: 'static> IMap<T> {
    pub(crate) fn new<I, F, K>(pool: Pool, mut f: F, items: I, ordered: bool) -> IMap<T>
    where
        I: IntoItems,
        F: FnMut(I::Item) -> K + 'static,
        K: IntoTask<Output = T>,
    {
        let mut items = items.into_items();
        let start: Start<T> = Box::new(move |shared: Rc<Shared<T>>| {
            let feeding = Rc::clone(&shared);
            let feeder = spawn(async move {
                let shared = feeding;
                while let Some(item) = items.next().await {
                    let credits = shared.credits.borrow().clone();
                    if let Some(credits) = credits {
                        credits.acquire().await;
                    }
                    let task = pool.spawn(f(item)).await;
                    let index = shared.spawned.get();
                    shared.spawned.set(index + 1);
                    let (result_of, delivery) = (task.clone(), Rc::clone(&shared));
                    task.on_death(move || {
                        let result = result_of.try_get().unwrap_or(Err(TaskError::Taken));
                        delivery.deliver(index, result);
                    });
                }
                shared.end(shared.spawned.get());
            })
            .into_ref();
            let (feeder_ref, ended) = (feeder.clone(), shared);
            feeder.on_death(move || {
                if ended.total.get().is_some() {
                    return;
                }
                // The items panicked (an error after the results before it), or the map was
                // dropped (nobody reads).
                let spawned = ended.spawned.get();
                match feeder_ref.exception() {
                    Some(error) => {
                        ended.deliver(spawned, Err(error));
                        ended.end(spawned + 1);
                    }
                    None => ended.end(spawned),
                }
            });
            feeder
        });
        IMap {
            reader: Rc::new(RefCell::new(Reader {
                shared: Rc::new(Shared {
                    ordered,
                    results: RefCell::new(VecDeque::new()),
                    given: Cell::new(0),
                    spawned: Cell::new(0),
                    total: Cell::new(None),
                    reader: RefCell::new(WaitList::default()),
                    credits: RefCell::new(None),
                }),
                hub: try_current(),
                start: Some(start),
                maxsize: None,
                feeder: None,
                registration: None,
            })),
        }
    }

    /// Lets at most `maxsize` results wait to be read: the tasks for further items are
    /// spawned only as results are read (gevent's `maxsize`). Set it before the first poll.
    pub fn maxsize(self, maxsize: usize) -> Self {
        self.reader.borrow_mut().maxsize = Some(maxsize.max(1));
        self
    }

    /// Results ready and not read yet.
    pub fn buffered(&self) -> usize {
        self.reader.borrow().shared.results.borrow().len()
    }

    /// The next result, or `None` once every item's came out: `results.next().await` without
    /// needing `futures::StreamExt`. (The `Iterator`'s `next`, for outside the hub, is
    /// `Iterator::next(&mut results)`.)
    // An async `next`, as `StreamExt::next`: the blocking one is `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<T, TaskError>> {
        poll_fn(|cx| self.reader.borrow_mut().poll_next(cx)).await
    }
}

impl<T: 'static> Reader<T> {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, TaskError>>> {
        adopt(cx);
        if let Some(start) = self.start.take() {
            if let Some(maxsize) = self.maxsize {
                *self.shared.credits.borrow_mut() = Some(Semaphore::new(maxsize));
            }
            self.feeder = Some(start(Rc::clone(&self.shared)));
        }
        let mut reader = self.shared.reader.borrow_mut();
        if let Some(result) = self.shared.take() {
            reader.done(&mut self.registration);
            return Poll::Ready(Some(result));
        }
        if self.shared.finished() {
            reader.done(&mut self.registration);
            return Poll::Ready(None);
        }
        reader.ensure(&mut self.registration);
        Poll::Pending
    }
}

impl<T: 'static> Stream for IMap<T> {
    type Item = Result<T, TaskError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.reader.borrow_mut().poll_next(cx)
    }
}

/// Outside the hub: each `next` runs the hub until the next result is ready.
///
/// # Panics
/// In a task of the hub (await the `Stream` there), if the map was made outside a hub, or if
/// the hub can no longer give the next result (every task waits for something that cannot
/// come).
impl<T: 'static> Iterator for IMap<T> {
    type Item = Result<T, TaskError>;

    fn next(&mut self) -> Option<Self::Item> {
        let Some(hub) = self.reader.borrow().hub.clone() else {
            panic!("corogen hub: this imap was made outside a hub: iterate it as a Stream")
        };
        let reader = Rc::clone(&self.reader);
        let next = async move { poll_fn(|cx| reader.borrow_mut().poll_next(cx)).await };
        let key = hub.spawn_raw(boxed(next), Schedule::Now, None);
        let task: Task<Option<Self::Item>> = Task::new(TaskRef::adopt(Rc::clone(&hub), key));
        if hub.run_until(Some(key), None) != RunEnd::Done {
            panic!("corogen hub: an imap's next result can never come (every task is waiting)");
        }
        match task.try_get() {
            Some(Ok(next)) => next,
            Some(Err(TaskError::Panicked(message))) => resume_unwind(Box::new(message)),
            _ => None,
        }
    }
}

impl<T: 'static> Drop for IMap<T> {
    fn drop(&mut self) {
        let (feeder, registration, shared) = {
            let mut reader = self.reader.borrow_mut();
            (
                reader.feeder.take(),
                reader.registration.take(),
                Rc::clone(&reader.shared),
            )
        };
        if let Some(id) = registration {
            shared.reader.borrow_mut().remove(id);
        }
        if let Some(feeder) = feeder {
            feeder.kill();
        }
    }
}

impl<T: 'static> fmt::Debug for IMap<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reader = self.reader.borrow();
        f.debug_struct("IMap")
            .field("ordered", &reader.shared.ordered)
            .field("given", &reader.shared.given.get())
            .field("buffered", &reader.shared.results.borrow().len())
            .finish_non_exhaustive()
    }
}
