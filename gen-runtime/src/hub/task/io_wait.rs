//! Waiting for a socket's readiness, the one operation of the task layer that only exists with
//! the `net` feature: [`WaitReady`], the future both task styles wait with, over any
//! [`IoObject`] (the sockets of `hub/net/` implement it on top of the reactor).

use std::future::Future;
use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::hub::base::reactor::Direction;
use crate::hub::engine::adopt;

/// A socket a generator task can wait on with [`op::readable`](crate::hub::op::readable) and
/// [`op::writable`](crate::hub::op::writable).
pub trait IoSource {
    #[doc(hidden)]
    fn io_handle(&self) -> IoHandle;
}

/// What [`op::readable`](crate::hub::op::readable) needs from a socket.
#[doc(hidden)]
pub struct IoHandle(pub(crate) Rc<dyn IoObject>);

/// What a readiness wait needs of a source, object-safe so an [`Op`](crate::hub::Op) can hold
/// one.
pub(crate) trait IoObject {
    /// `Ready` when the source is ready in `direction`; otherwise registers the running task
    /// as a waiter (in `waiter`) and returns `Pending`.
    fn poll_ready(&self, direction: Direction, waiter: &mut Option<u64>) -> Poll<io::Result<()>>;
    /// The wait registered as `waiter` is given up.
    fn abandon(&self, direction: Direction, waiter: u64);
}

/// The future that waits for a source's readiness in one direction; `P` is `&IoCell` (the
/// async methods) or `Rc<dyn IoObject>` (an [`Op`](crate::hub::Op)).
pub(crate) struct WaitReady<P: Deref<Target: IoObject>> {
    source: P,
    direction: Direction,
    waiter: Option<u64>,
}

impl<P: Deref<Target: IoObject>> WaitReady<P> {
    pub(crate) fn new(source: P, direction: Direction) -> Self {
        WaitReady {
            source,
            direction,
            waiter: None,
        }
    }
}

impl<P: Deref<Target: IoObject> + Unpin> Future for WaitReady<P> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        adopt(cx);
        let this = self.get_mut();
        this.source.poll_ready(this.direction, &mut this.waiter)
    }
}

impl<P: Deref<Target: IoObject>> Drop for WaitReady<P> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.source.abandon(self.direction, waiter);
        }
    }
}
