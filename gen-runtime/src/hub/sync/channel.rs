//! [`Channel`]: a queue that holds nothing (gevent's `Channel`): a put waits until a get takes
//! its item.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::queue::Full;
use super::wait_on::{Observable, Observer, Ready};
use crate::hub::base::TaskKey;
use crate::hub::engine::{Inner, adopt, current};
use crate::hub::task::{WaitList, wake_task};

/// A rendezvous between tasks (gevent's `Channel`, a queue of size 0): [`put`](Channel::put)
/// hands its item straight to a [`get`](Channel::get), waiting until one takes it, and a get
/// waits for a put. Items go in the order they were offered; takers in the order they came.
///
/// ```
/// use corogen::hub::{self, Channel, Hub};
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let hub = Hub::new_virtual();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let channel = Channel::new();
/// hub.spawn({
///     let (channel, log) = (channel.clone(), log.clone());
///     async move {
///         channel.put("hello").await; // waits until the item is taken
///         log.borrow_mut().push("sent");
///     }
/// });
/// hub.spawn({
///     let (channel, log) = (channel.clone(), log.clone());
///     async move {
///         let item = channel.get().await;
///         log.borrow_mut().push(item);
///     }
/// });
/// hub.run();
/// assert_eq!(*log.borrow(), ["hello", "sent"]);
/// ```
///
/// A put that is dropped before its item was taken (its task killed, or a timeout) takes the
/// item back. Clones are the same channel: `==` compares identity.
pub struct Channel<T>(Rc<ChannelState<T>>);

struct ChannelState<T> {
    /// Items offered and not taken yet, with their putters, in the order offered.
    offers: RefCell<VecDeque<Offer<T>>>,
    /// Tasks waiting to take an item (and observers).
    getters: RefCell<WaitList>,
    /// The last offer's ticket; tickets increase along `offers`.
    tickets: Cell<u64>,
}

struct Offer<T> {
    ticket: u64,
    item: T,
    /// The task waiting until its item is taken (none for a `try_put`).
    putter: Option<(Rc<Inner>, TaskKey)>,
}

impl<T> ChannelState<T> {
    fn offer(&self, item: T, putter: Option<(Rc<Inner>, TaskKey)>) -> u64 {
        let ticket = self.tickets.get() + 1;
        self.tickets.set(ticket);
        self.offers.borrow_mut().push_back(Offer {
            ticket,
            item,
            putter,
        });
        self.getters.borrow_mut().notify_one();
        ticket
    }

    /// Takes the first offer, waking its putter.
    fn take(&self) -> Option<T> {
        let offer = self.offers.borrow_mut().pop_front()?;
        if let Some((hub, putter)) = offer.putter {
            wake_task(&hub, putter);
        }
        Some(offer.item)
    }

    fn position(&self, ticket: u64) -> Option<usize> {
        self.offers
            .borrow()
            .binary_search_by_key(&ticket, |offer| offer.ticket)
            .ok()
    }
}

impl<T: 'static> Channel<T> {
    /// A channel with nobody waiting.
    pub fn new() -> Self {
        Channel(Rc::new(ChannelState {
            offers: RefCell::new(VecDeque::new()),
            getters: RefCell::new(WaitList::default()),
            tickets: Cell::new(0),
        }))
    }

    /// Offers an item, and waits until a get takes it.
    pub fn put(&self, item: T) -> ChannelPut<T> {
        ChannelPut {
            channel: self.clone(),
            stage: PutStage::Unsent(Some(item)),
        }
    }

    /// Hands an item to a task waiting in a get, if one waits for an item not offered yet
    /// (gevent's `put_nowait`); else gives it back.
    pub fn try_put(&self, item: T) -> Result<(), Full<T>> {
        if self.0.getters.borrow().waiting() == 0 {
            return Err(Full(item));
        }
        self.0.offer(item, None);
        Ok(())
    }

    /// Takes an item, waiting until one is offered.
    pub fn get(&self) -> ChannelGet<T> {
        ChannelGet {
            channel: self.clone(),
            registration: None,
        }
    }

    /// Takes an item if a put is waiting with one (gevent's `get_nowait`).
    pub fn try_get(&self) -> Option<T> {
        self.0.take()
    }

    /// Always 0: a channel holds no item (gevent's `qsize()`).
    pub fn len(&self) -> usize {
        0
    }

    /// Always `true`: a channel holds no item (gevent's `empty()`).
    pub fn is_empty(&self) -> bool {
        true
    }

    /// Always `true`: a put always waits for a get (gevent's `full()`).
    pub fn is_full(&self) -> bool {
        true
    }

    /// Puts waiting, less gets waiting (gevent's `balance`).
    pub fn balance(&self) -> isize {
        let offers = self.0.offers.borrow().len();
        let getters = self.0.getters.borrow().waiting();
        offers as isize - getters as isize
    }
}

impl<T: 'static> Default for Channel<T> {
    fn default() -> Self {
        Channel::new()
    }
}

impl<T> Clone for Channel<T> {
    fn clone(&self) -> Self {
        Channel(self.0.clone())
    }
}

impl<T> PartialEq for Channel<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Channel<T> {}

impl<T> fmt::Debug for Channel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("putters", &self.0.offers.borrow().len())
            .field("getters", &self.0.getters.borrow().waiting())
            .finish()
    }
}

enum PutStage<T> {
    Unsent(Option<T>),
    /// Offered with this ticket: done once the offer is taken.
    Offered(u64),
    Done,
}

/// The future of [`Channel::put`]: ready once a get took the item. Dropped before that, it
/// takes the item back.
#[must_use = "futures do nothing unless awaited"]
pub struct ChannelPut<T> {
    channel: Channel<T>,
    stage: PutStage<T>,
}

impl<T> Unpin for ChannelPut<T> {}

impl<T: 'static> Future for ChannelPut<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        adopt(cx);
        let this = self.get_mut();
        let state = &this.channel.0;
        match &mut this.stage {
            PutStage::Unsent(item) => {
                let item = item.take().expect("an unsent put has its item");
                let hub = current();
                let me = hub.core.borrow().current();
                this.stage = PutStage::Offered(state.offer(item, Some((hub, me))));
                Poll::Pending
            }
            PutStage::Offered(ticket) => {
                if state.position(*ticket).is_some() {
                    return Poll::Pending;
                }
                this.stage = PutStage::Done;
                Poll::Ready(())
            }
            PutStage::Done => Poll::Ready(()),
        }
    }
}

impl<T> Drop for ChannelPut<T> {
    fn drop(&mut self) {
        if let PutStage::Offered(ticket) = self.stage {
            let state = &self.channel.0;
            let withdrawn = {
                let mut offers = state.offers.borrow_mut();
                offers
                    .binary_search_by_key(&ticket, |offer| offer.ticket)
                    .ok()
                    .and_then(|at| offers.remove(at))
            };
            drop(withdrawn);
        }
    }
}

impl<T> fmt::Debug for ChannelPut<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelPut").finish_non_exhaustive()
    }
}

/// The future of [`Channel::get`].
#[must_use = "futures do nothing unless awaited"]
pub struct ChannelGet<T> {
    channel: Channel<T>,
    registration: Option<u64>,
}

impl<T: 'static> Future for ChannelGet<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        adopt(cx);
        let this = self.get_mut();
        let state = &this.channel.0;
        if let Some(item) = state.take() {
            state.getters.borrow_mut().done(&mut this.registration);
            return Poll::Ready(item);
        }
        state.getters.borrow_mut().ensure(&mut this.registration);
        Poll::Pending
    }
}

impl<T> Drop for ChannelGet<T> {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            let state = &self.channel.0;
            let mut getters = state.getters.borrow_mut();
            if !getters.remove(id) && !state.offers.borrow().is_empty() {
                // Woken for an item it will not take: the next getter takes it.
                getters.notify_one();
            }
        }
    }
}

impl<T> fmt::Debug for ChannelGet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelGet").finish_non_exhaustive()
    }
}

/// A channel is ready for [`wait_on`](crate::hub::wait_on) while a put waits with an item.
impl<T: 'static> Observable for ChannelState<T> {
    fn poll_ready(&self, registration: &mut Option<u64>) -> bool {
        let mut getters = self.getters.borrow_mut();
        if !self.offers.borrow().is_empty() {
            getters.done(registration);
            return true;
        }
        getters.ensure_observer(registration);
        false
    }

    fn forget(&self, id: u64) {
        self.getters.borrow_mut().remove(id);
    }
}

impl<T: 'static> Ready for Channel<T> {
    fn observer(&self) -> Observer {
        Observer::state(self.0.clone())
    }
}
