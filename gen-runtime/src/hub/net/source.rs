//! The socket side of the reactor: [`IoCell`], a non-blocking socket that registers with the
//! running hub's [`Reactor`] the first time a task waits on it, and the future of that wait,
//! [`WaitReady`].
//!
//! Operations follow one rule (see [`reactor`](crate::hub::reactor) for why it loses no
//! wake-up): try the system call; if it would block, clear the direction's readiness and wait
//! for it; try again.

use std::cell::OnceCell;
use std::future::Future;
use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use polling::AsSource;

use crate::hub::core::Inner;
use crate::hub::reactor::{Direction, Reactor};
use crate::hub::run;
use crate::hub::time::{Elapsed, Timeout};

fn other_hub_error() -> io::Error {
    io::Error::other(
        "corogen hub: this socket waits on another hub; a socket belongs to the hub that \
         first waited on it",
    )
}

/// A socket's registration: its hub and its slot in that hub's reactor.
struct Registration {
    hub: Rc<Inner>,
    index: usize,
}

/// A non-blocking socket and, once a task has waited on it, its registration with the hub's
/// reactor. Dropping it deletes it from the poller before the socket closes.
pub(crate) struct IoCell<T: AsSource> {
    io: T,
    registration: OnceCell<Registration>,
}

impl<T: AsSource> IoCell<T> {
    /// Wraps a socket that is already in non-blocking mode.
    pub(crate) fn new(io: T) -> Self {
        IoCell {
            io,
            registration: OnceCell::new(),
        }
    }

    pub(crate) fn get_ref(&self) -> &T {
        &self.io
    }

    /// The registration, made with the running hub on first use.
    fn registration(&self) -> io::Result<&Registration> {
        let hub = run::current();
        if let Some(registration) = self.registration.get() {
            return if Rc::ptr_eq(&registration.hub, &hub) {
                Ok(registration)
            } else {
                Err(other_hub_error())
            };
        }
        let reactor = Reactor::of(&hub)?;
        // SAFETY: the source is deleted from the poller in `Drop for IoCell`, which runs
        // before the socket (a field) is dropped and closed; it is registered at most once,
        // guarded by the `OnceCell`.
        let index = unsafe { reactor.register(&self.io)? };
        Ok(self
            .registration
            .get_or_init(|| Registration { hub, index }))
    }

    /// Runs a non-blocking operation once; a "would block" clears the direction's readiness.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let result = op(&self.io);
        if let Err(error) = &result {
            if error.kind() == io::ErrorKind::WouldBlock {
                self.clear_ready(direction);
            }
        }
        result
    }

    fn clear_ready(&self, direction: Direction) {
        if let Some(registration) = self.registration.get() {
            if let Some(reactor) = registration.hub.reactor.get() {
                reactor.clear_ready(registration.index, direction);
            }
        }
    }

    /// Runs `op` until it does not block, waiting for readiness in between.
    pub(crate) async fn retry<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        // Waiting needs a real-clock hub: say so even when this call would not wait.
        self.registration()?;
        loop {
            match self.try_io(direction, &mut op) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.ready(direction).await?;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    /// Waits until the socket is ready in `direction` (at once if it is known to be).
    pub(crate) fn ready(&self, direction: Direction) -> WaitReady<&Self> {
        WaitReady::new(self, direction)
    }
}

impl<T: AsSource> Drop for IoCell<T> {
    fn drop(&mut self) {
        if let Some(registration) = self.registration.take() {
            if let Some(reactor) = registration.hub.reactor.get() {
                reactor.deregister(registration.index, &self.io);
            }
        }
    }
}

/// What a readiness wait needs of a source, object-safe so an [`Op`](crate::hub::Op) can hold
/// one.
pub(crate) trait IoObject {
    /// `Ready` when the source is ready in `direction`; otherwise registers the running task
    /// as a waiter (in `waiter`) and returns `Pending`.
    fn poll_ready(&self, direction: Direction, waiter: &mut Option<u64>) -> Poll<io::Result<()>>;
    /// The wait registered as `waiter` is given up.
    fn abandon(&self, direction: Direction, waiter: u64);
}

impl<T: AsSource> IoObject for IoCell<T> {
    fn poll_ready(&self, direction: Direction, waiter: &mut Option<u64>) -> Poll<io::Result<()>> {
        let registration = match self.registration() {
            Ok(registration) => registration,
            Err(error) => return Poll::Ready(Err(error)),
        };
        let hub = &registration.hub;
        let reactor = hub
            .reactor
            .get()
            .expect("a registered source's hub has a reactor");
        let current = || hub.core.borrow().current();
        reactor.poll_ready(registration.index, direction, waiter, current, &self.io)
    }

    fn abandon(&self, direction: Direction, waiter: u64) {
        if let Some(registration) = self.registration.get() {
            if let Some(reactor) = registration.hub.reactor.get() {
                reactor.abandon(registration.index, direction, waiter);
            }
        }
    }
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
        crate::hub::waker::adopt(cx);
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

/// Runs `future` (an I/O operation named `what`) for at most `timeout`, if there is one; a
/// timeout becomes an [`io::ErrorKind::TimedOut`] error.
pub(crate) async fn deadline<R>(
    timeout: Option<Duration>,
    what: &str,
    future: impl Future<Output = io::Result<R>>,
) -> io::Result<R> {
    match timeout {
        None => future.await,
        Some(timeout) => match Timeout::start(timeout).run(future).await {
            Ok(result) => result,
            Err(Elapsed) => Err(timed_out(what, timeout)),
        },
    }
}

/// The error of an operation cut short by its timeout.
pub(crate) fn timed_out(what: &str, timeout: Duration) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("{what} timed out after {timeout:?}"),
    )
}
