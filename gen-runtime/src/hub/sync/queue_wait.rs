//! The waits of a [`Queue`]: the futures of its gets and puts, its stream, and what
//! [`op::wait`](crate::hub::op::wait), [`Queue::join`] and [`wait_on`](crate::hub::wait_on)
//! wait for.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::queue::{Queue, QueueState, shut_down};
use super::queue_order::{Fifo, Order};
use super::wait_on::{Observable, Observer, Ready};
use crate::hub::engine::adopt;
use crate::hub::task::{Condition, WaitHandle, Waitable};

/// The future of [`Queue::get`].
#[must_use = "futures do nothing unless awaited"]
pub struct Get<T, S: Order<T> = Fifo<T>> {
    pub(super) queue: Queue<T, S>,
    pub(super) registration: Option<u64>,
}

/// One poll of a getter: an item, `Ready(None)` if the queue is shut down and empty, or
/// registered to wait.
#[inline]
fn poll_take<T, S: Order<T>>(
    state: &QueueState<T, S>,
    registration: &mut Option<u64>,
) -> Poll<Option<T>> {
    let mut getters = state.getters.borrow_mut();
    let item = state.items.borrow_mut().pop();
    match item {
        Some(item) => {
            getters.done(registration);
            drop(getters);
            state.putters.borrow_mut().notify_one();
            Poll::Ready(Some(item))
        }
        None if state.shutdown.get() => {
            getters.done(registration);
            Poll::Ready(None)
        }
        None => {
            getters.ensure(registration);
            Poll::Pending
        }
    }
}

/// A getter gives up, registered as `id`: if it was woken for an item it will not take, the
/// next getter is woken instead.
fn abandon_take<T, S: Order<T>>(state: &QueueState<T, S>, id: u64) {
    let mut getters = state.getters.borrow_mut();
    if !getters.remove(id) && state.has_items() {
        getters.notify_one();
    }
}

impl<T: 'static, S: Order<T> + 'static> Future for Get<T, S> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        adopt(cx);
        let this = self.get_mut();
        match poll_take(&this.queue.0, &mut this.registration) {
            Poll::Ready(Some(item)) => Poll::Ready(item),
            Poll::Ready(None) => shut_down("get"),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, S: Order<T>> Drop for Get<T, S> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            abandon_take(&self.queue.0, id);
        }
    }
}

/// The future of [`Queue::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<T, S: Order<T> = Fifo<T>> {
    pub(super) queue: Queue<T, S>,
    pub(super) registration: Option<u64>,
}

impl<T: 'static, S: Order<T> + 'static> Future for Recv<T, S> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        adopt(cx);
        let this = self.get_mut();
        poll_take(&this.queue.0, &mut this.registration)
    }
}

impl<T, S: Order<T>> Drop for Recv<T, S> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            abandon_take(&self.queue.0, id);
        }
    }
}

/// The stream of [`Queue::stream`]: the items as they come, until the queue is shut down and
/// empty.
#[must_use = "streams do nothing unless polled"]
pub struct QueueStream<T, S: Order<T> = Fifo<T>>(pub(super) Recv<T, S>);

impl<T: 'static, S: Order<T> + 'static> QueueStream<T, S> {
    /// The next item, or `None` once the queue is shut down and empty: `stream.next().await`
    /// without needing `futures::StreamExt`.
    // An async `next`, as `StreamExt::next`: not `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Recv<T, S> {
        self.0.queue.recv()
    }
}

impl<T: 'static, S: Order<T> + 'static> Stream for QueueStream<T, S> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.get_mut().0).poll(cx)
    }
}

impl<T, S: Order<T>> fmt::Debug for QueueStream<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("QueueStream").field(&self.0.queue).finish()
    }
}

/// The future of [`Queue::peek`].
#[must_use = "futures do nothing unless awaited"]
pub struct Peek<T, S: Order<T> = Fifo<T>> {
    pub(super) queue: Queue<T, S>,
    pub(super) registration: Option<u64>,
}

impl<T: Clone + 'static, S: Order<T> + 'static> Future for Peek<T, S> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        adopt(cx);
        let this = self.get_mut();
        let state = &this.queue.0;
        let mut getters = state.getters.borrow_mut();
        let item = state.items.borrow().peek().cloned();
        match item {
            Some(item) => {
                getters.done(&mut this.registration);
                Poll::Ready(item)
            }
            None if state.shutdown.get() => {
                getters.done(&mut this.registration);
                drop(getters);
                shut_down("peek")
            }
            None => {
                getters.ensure_observer(&mut this.registration);
                Poll::Pending
            }
        }
    }
}

impl<T, S: Order<T>> Drop for Peek<T, S> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            // An observer: a wake-one notification went on past it already.
            self.queue.0.getters.borrow_mut().remove(id);
        }
    }
}

/// The future of [`Queue::put`].
#[must_use = "futures do nothing unless awaited"]
pub struct Put<T, S: Order<T> = Fifo<T>> {
    pub(super) queue: Queue<T, S>,
    pub(super) item: Option<T>,
    pub(super) registration: Option<u64>,
}

impl<T, S: Order<T>> Unpin for Put<T, S> {}

impl<T: 'static, S: Order<T> + 'static> Future for Put<T, S> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        let this = self.get_mut();
        let state = &this.queue.0;
        let mut putters = state.putters.borrow_mut();
        if state.shutdown.get() {
            putters.done(&mut this.registration);
            drop(putters);
            shut_down("put");
        }
        if state.full() {
            putters.ensure(&mut this.registration);
            return Poll::Pending;
        }
        putters.done(&mut this.registration);
        drop(putters);
        if let Some(item) = this.item.take() {
            state.push(item);
        }
        Poll::Ready(())
    }
}

impl<T, S: Order<T>> Drop for Put<T, S> {
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
pub struct Readable<T, S: Order<T> = Fifo<T>>(pub(super) Queue<T, S>);
/// See [`Queue::writable`].
pub struct Writable<T, S: Order<T> = Fifo<T>>(pub(super) Queue<T, S>);

struct ReadableCondition<T, S: Order<T>>(Queue<T, S>);
struct WritableCondition<T, S: Order<T>>(Queue<T, S>);

impl<T, S: Order<T>> Condition for ReadableCondition<T, S> {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let state = &(self.0).0;
        let mut getters = state.getters.borrow_mut();
        if state.has_items() {
            getters.done(registration);
            return true;
        }
        getters.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        abandon_take(&(self.0).0, id);
    }
}

impl<T, S: Order<T>> Condition for WritableCondition<T, S> {
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

impl<T: 'static, S: Order<T> + 'static> Waitable for Readable<T, S> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(Rc::new(ReadableCondition(self.0.clone())))
    }
}

impl<T: 'static, S: Order<T> + 'static> Waitable for Writable<T, S> {
    fn condition(&self) -> WaitHandle {
        WaitHandle(Rc::new(WritableCondition(self.0.clone())))
    }
}

/// What [`Queue::join`] waits for: no unfinished item.
pub(super) struct Joined<T, S: Order<T>>(pub(super) Queue<T, S>);

impl<T, S: Order<T>> Condition for Joined<T, S> {
    fn poll_wait(&self, registration: &mut Option<u64>) -> bool {
        let state = &(self.0).0;
        let mut joiners = state.joiners.borrow_mut();
        if state.unfinished.get() == 0 || registration.is_some_and(|id| joiners.notified(id)) {
            joiners.done(registration);
            return true;
        }
        joiners.ensure(registration);
        false
    }

    fn abandon(&self, id: u64) {
        (self.0).0.joiners.borrow_mut().remove(id);
    }
}

/// A queue is ready for [`wait_on`](crate::hub::wait_on) while it holds an item.
struct HasItems<T, S: Order<T>>(Queue<T, S>);

impl<T: 'static, S: Order<T> + 'static> Observable for HasItems<T, S> {
    fn poll_ready(&self, registration: &mut Option<u64>) -> bool {
        let state = &(self.0).0;
        let mut getters = state.getters.borrow_mut();
        if state.has_items() {
            getters.done(registration);
            return true;
        }
        getters.ensure_observer(registration);
        false
    }

    fn forget(&self, id: u64) {
        (self.0).0.getters.borrow_mut().remove(id);
    }
}

impl<T: 'static, S: Order<T> + 'static> Ready for Queue<T, S> {
    fn observer(&self) -> Observer {
        Observer::state(Rc::new(HasItems(self.clone())))
    }
}
