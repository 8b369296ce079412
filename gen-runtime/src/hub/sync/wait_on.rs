//! Waiting for any of many objects: [`wait_on`] (gevent's `wait(objects, timeout, count)`) and
//! [`iwait`] (gevent's `iwait`), over anything [`Ready`]: tasks, events, async results,
//! semaphores, queues.
//!
//! An object is waited for without being used: a semaphore's permit is not taken, a queue's
//! item not removed. The waiting task registers as an *observer* (see `task/wait_list.rs`), so
//! a semaphore's release or a queue's put still goes on to a task that takes it.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use crate::hub::engine::adopt;
use crate::hub::task::{Join, Sleep, Task, TaskRef, sleep};

/// The state of a synchronisation object, as [`wait_on`] sees it.
pub(crate) trait Observable: 'static {
    /// Whether the object is ready now (or was notified while observed), without taking
    /// anything; otherwise makes sure the running task observes it, in `registration`.
    fn poll_ready(&self, registration: &mut Option<u64>) -> bool;
    /// The observer registered as `id` stops, notified or not.
    fn forget(&self, id: u64);
}

/// Something [`wait_on`] and [`iwait`] can wait for: it is *ready* when a wait on it would be
/// over at once. A task is ready once dead, an [`Event`](crate::hub::Event) once set, an
/// [`AsyncResult`](crate::hub::AsyncResult) once it holds its result, a
/// [`Semaphore`](crate::hub::Semaphore) while a permit is free, a
/// [`Queue`](crate::hub::Queue) while it holds an item, a [`Channel`](crate::hub::Channel)
/// while a sender waits. References, and `&dyn Ready` for lists of mixed kinds, are `Ready`
/// too.
pub trait Ready {
    #[doc(hidden)]
    fn observer(&self) -> Observer;
}

/// A wait on one [`Ready`] object, registered at its first poll and taken back when dropped.
#[doc(hidden)]
pub struct Observer(Watch);

enum Watch {
    State {
        state: Rc<dyn Observable>,
        registration: Option<u64>,
    },
    Task(Join),
}

impl Observer {
    pub(crate) fn state(state: Rc<dyn Observable>) -> Self {
        Observer(Watch::State {
            state,
            registration: None,
        })
    }

    fn task(task: &TaskRef) -> Self {
        Observer(Watch::Task(task.join()))
    }

    /// Whether the object is ready; otherwise the running task is woken when it may be.
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> bool {
        match &mut self.0 {
            Watch::State {
                state,
                registration,
            } => state.poll_ready(registration),
            Watch::Task(join) => Pin::new(join).poll(cx).is_ready(),
        }
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        if let Watch::State {
            state,
            registration: Some(id),
        } = &self.0
        {
            state.forget(*id);
        }
    }
}

impl Future for Observer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        if self.get_mut().poll_ready(cx) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl<R: Ready + ?Sized> Ready for &R {
    fn observer(&self) -> Observer {
        (**self).observer()
    }
}

impl<R: Ready + ?Sized> Ready for Rc<R> {
    fn observer(&self) -> Observer {
        (**self).observer()
    }
}

impl Ready for TaskRef {
    fn observer(&self) -> Observer {
        Observer::task(self)
    }
}

impl<T> Ready for Task<T> {
    fn observer(&self) -> Observer {
        Observer::task(self)
    }
}

/// Waits until `objects` are ready (gevent's `wait(objects)`), giving back the ones that are,
/// in the order they became ready (those ready at once first, in the order given). Configure
/// it, then await it:
/// - [`count`](WaitOn::count): stop once this many are ready;
/// - [`timeout`](WaitOn::timeout): stop after this long, with those ready so far.
///
/// Nothing is taken from the objects: a semaphore keeps its permit, a queue its item. See
/// [`iwait`] for the objects one at a time, and [`wait`](crate::hub::wait) for waiting until
/// the hub has nothing left to do (gevent's `wait()` without objects).
///
/// ```
/// use corogen::hub::{self, Event, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let (early, late) = (Event::new(), Event::new());
///     for (event, secs) in [(&early, 1), (&late, 2)] {
///         let event = event.clone();
///         hub::spawn(async move {
///             hub::sleep(Duration::from_secs(secs)).await;
///             event.set();
///         });
///     }
///     let first = hub::wait_on([&late, &early]).count(1).await;
///     assert!(first == [&early] && hub::now() == Duration::from_secs(1));
///     let by_then = hub::wait_on([&late]).timeout(Duration::from_millis(500)).await;
///     assert!(by_then.is_empty());
///     assert_eq!(hub::wait_on([&late, &early]).await, [&early, &late]);
/// });
/// ```
///
/// Objects of several kinds go in one list as `&dyn Ready`:
///
/// ```
/// use corogen::hub::{self, Event, Hub, Ready};
///
/// let hub = Hub::new_virtual();
/// hub.block_on(async {
///     let event = Event::new();
///     let task = hub::spawn(async { 7 });
///     let ready = hub::wait_on([&event as &dyn Ready, &task]).count(1).await;
///     assert_eq!(ready.len(), 1);
///     assert!(task.dead() && !event.is_set());
/// });
/// ```
pub fn wait_on<I>(objects: I) -> WaitOn<I::Item>
where
    I: IntoIterator,
    I::Item: Ready,
{
    WaitOn {
        objects: objects.into_iter().collect(),
        count: None,
        timeout: None,
    }
}

/// The builder of [`wait_on`]: await it.
#[must_use = "wait_on does nothing unless awaited"]
pub struct WaitOn<O> {
    objects: Vec<O>,
    count: Option<usize>,
    timeout: Option<Duration>,
}

impl<O> WaitOn<O> {
    /// Stops once `count` objects are ready.
    pub fn count(self, count: usize) -> Self {
        WaitOn {
            count: Some(count),
            ..self
        }
    }

    /// Stops after `timeout`, with the objects ready so far.
    pub fn timeout(self, timeout: Duration) -> Self {
        WaitOn {
            timeout: Some(timeout),
            ..self
        }
    }
}

impl<O: Ready> IntoFuture for WaitOn<O> {
    type Output = Vec<O>;
    type IntoFuture = WaitOnFuture<O>;

    fn into_future(self) -> WaitOnFuture<O> {
        WaitOnFuture {
            watch: Watching::new(self.objects, self.count, self.timeout),
            ready: Vec::new(),
        }
    }
}

/// The objects still watched, and when to stop.
struct Watching<O> {
    objects: Vec<Option<(O, Observer)>>,
    /// Objects still to be reported before stopping.
    wanted: usize,
    timeout: Option<Duration>,
    timer: Option<Sleep>,
}

impl<O: Ready> Watching<O> {
    fn new(objects: Vec<O>, count: Option<usize>, timeout: Option<Duration>) -> Self {
        let wanted = count.unwrap_or(objects.len()).min(objects.len());
        Watching {
            objects: objects
                .into_iter()
                .map(|object| {
                    let observer = object.observer();
                    Some((object, observer))
                })
                .collect(),
            wanted,
            timeout,
            timer: None,
        }
    }

    /// Moves the objects now ready into `into`, in the order given, up to the count wanted;
    /// `true` once the wait is over (the count reached, or the timeout passed).
    fn poll(&mut self, cx: &mut Context<'_>, mut into: impl FnMut(O)) -> bool {
        adopt(cx);
        for entry in &mut self.objects {
            if self.wanted == 0 {
                break;
            }
            if let Some((_, observer)) = entry {
                if observer.poll_ready(cx) {
                    let (object, observer) = entry.take().expect("checked above");
                    drop(observer);
                    into(object);
                    self.wanted -= 1;
                }
            }
        }
        if self.wanted == 0 {
            self.objects.clear();
            return true;
        }
        if let Some(timeout) = self.timeout {
            let timer = self.timer.get_or_insert_with(|| sleep(timeout));
            if Pin::new(timer).poll(cx).is_ready() {
                self.wanted = 0;
                self.objects.clear();
                return true;
            }
        }
        false
    }
}

/// The future of [`wait_on`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitOnFuture<O> {
    watch: Watching<O>,
    ready: Vec<O>,
}

// The objects are never pinned: they are moved out as they become ready.
impl<O> Unpin for WaitOnFuture<O> {}

impl<O: Ready> Future for WaitOnFuture<O> {
    type Output = Vec<O>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<O>> {
        let this = self.get_mut();
        let ready = &mut this.ready;
        if this.watch.poll(cx, |object| ready.push(object)) {
            Poll::Ready(std::mem::take(ready))
        } else {
            Poll::Pending
        }
    }
}

impl<O> fmt::Debug for WaitOnFuture<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOnFuture")
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

/// The objects as they become ready (gevent's `iwait(objects, timeout, count)`): a
/// [`Stream`], or `while let Some(object) = it.next().await`. It ends once every object (or
/// [`count`](IWait::count) of them) came out, or when its [`timeout`](IWait::timeout) passes.
///
/// ```
/// use corogen::hub::{self, Hub};
/// use std::time::Duration;
///
/// let hub = Hub::new_virtual();
/// let order = hub.block_on(async {
///     let tasks: Vec<_> = [3, 1, 2]
///         .into_iter()
///         .map(|secs| hub::spawn(async move {
///             hub::sleep(Duration::from_secs(secs)).await;
///             secs
///         }))
///         .collect();
///     let mut done = hub::iwait(&tasks);
///     let mut order = Vec::new();
///     while let Some(task) = done.next().await {
///         order.push(task.value().unwrap());
///     }
///     order
/// });
/// assert_eq!(order, [1, 2, 3]);
/// ```
pub fn iwait<I>(objects: I) -> IWait<I::Item>
where
    I: IntoIterator,
    I::Item: Ready,
{
    IWait {
        watch: None,
        pending: Some((objects.into_iter().collect(), None, None)),
        ready: VecDeque::new(),
    }
}

/// The stream of [`iwait`].
#[must_use = "streams do nothing unless polled"]
pub struct IWait<O> {
    watch: Option<Watching<O>>,
    /// The objects and options, until the first poll.
    #[allow(clippy::type_complexity)]
    pending: Option<(Vec<O>, Option<usize>, Option<Duration>)>,
    ready: VecDeque<O>,
}

impl<O: Ready> IWait<O> {
    /// Ends the stream once `count` objects came out.
    pub fn count(mut self, count: usize) -> Self {
        if let Some((_, wanted, _)) = &mut self.pending {
            *wanted = Some(count);
        }
        self
    }

    /// Ends the stream after `timeout` (from its first poll).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if let Some((_, _, limit)) = &mut self.pending {
            *limit = Some(timeout);
        }
        self
    }

    /// The next object to become ready, or `None` once the stream has ended: `it.next().await`
    /// without needing `futures::StreamExt`.
    // An async `next`, as `StreamExt::next`: not `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<O> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

// As for `WaitOnFuture`: the objects are never pinned.
impl<O> Unpin for IWait<O> {}

impl<O: Ready> Stream for IWait<O> {
    type Item = O;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<O>> {
        let this = self.get_mut();
        if let Some((objects, count, timeout)) = this.pending.take() {
            this.watch = Some(Watching::new(objects, count, timeout));
        }
        if let Some(object) = this.ready.pop_front() {
            return Poll::Ready(Some(object));
        }
        let Some(watch) = &mut this.watch else {
            return Poll::Ready(None);
        };
        let ready = &mut this.ready;
        let over = watch.poll(cx, |object| ready.push_back(object));
        if over {
            this.watch = None;
        }
        match this.ready.pop_front() {
            Some(object) => Poll::Ready(Some(object)),
            None if over => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}

impl<O> fmt::Debug for IWait<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IWait")
            .field("ready", &self.ready.len())
            .field("ended", &(self.watch.is_none() && self.pending.is_none()))
            .finish_non_exhaustive()
    }
}

/// Waits until `object` is [ready](Ready), without taking anything from it.
pub(crate) fn until_ready(object: &impl Ready) -> Observer {
    object.observer()
}
