//! The socket side of the reactor: [`IoCell`], a non-blocking socket that registers with the
//! running hub's [`Reactor`] the first time a task waits on it, and waits with the task layer's
//! [`WaitReady`].
//!
//! Operations follow one rule (see `hub/base/reactor.rs` for why it loses no wake-up): try the
//! system call; if it would block, clear the direction's readiness and wait for it; try again.

use std::cell::OnceCell;
use std::future::Future;
use std::io;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use polling::AsSource;

use crate::hub::base::reactor::{Direction, Reactor};
use crate::hub::engine::{self, Inner};
use crate::hub::task::{Elapsed, IoObject, Timeout, WaitReady};

/// The error of I/O on a virtual hub.
pub(crate) fn virtual_clock_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "corogen hub: sockets need a hub on the real clock (Hub::new): this hub's clock is \
         virtual (Hub::new_virtual), and a simulation cannot wait for the network",
    )
}

/// The hub's reactor, made on first use. A virtual hub has none: its clock cannot wait for the
/// outside world.
fn reactor_of(hub: &Inner) -> io::Result<&Reactor> {
    if hub.virtual_clock {
        return Err(virtual_clock_error());
    }
    hub.driver.reactor_or_init(&hub.remote.unparker)
}

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
    /// Whether a task waiting on it keeps the hub busy (all but a signal handler's pipe).
    keeps_hub: bool,
}

impl<T: AsSource> IoCell<T> {
    /// Wraps a socket that is already in non-blocking mode.
    pub(crate) fn new(io: T) -> Self {
        IoCell {
            io,
            registration: OnceCell::new(),
            keeps_hub: true,
        }
    }

    /// As [`new`](Self::new), for a source whose waiters are no reason for the hub to keep
    /// running (a signal handler's pipe, as gevent's `ref=False` watchers).
    pub(crate) fn new_weak(io: T) -> Self {
        IoCell {
            io,
            registration: OnceCell::new(),
            keeps_hub: false,
        }
    }

    pub(crate) fn get_ref(&self) -> &T {
        &self.io
    }

    /// The registration, made with the running hub on first use.
    fn registration(&self) -> io::Result<&Registration> {
        let hub = engine::current();
        if let Some(registration) = self.registration.get() {
            return if Rc::ptr_eq(&registration.hub, &hub) {
                Ok(registration)
            } else {
                Err(other_hub_error())
            };
        }
        let reactor = reactor_of(&hub)?;
        // SAFETY: the source is deleted from the poller in `Drop for IoCell`, which runs
        // before the socket (a field) is dropped and closed; it is registered at most once,
        // guarded by the `OnceCell`.
        let index = unsafe { reactor.register(&self.io, self.keeps_hub)? };
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
            if let Some(reactor) = registration.hub.driver.reactor() {
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
            if let Some(reactor) = registration.hub.driver.reactor() {
                reactor.deregister(registration.index, &self.io);
            }
        }
    }
}

impl<T: AsSource> IoObject for IoCell<T> {
    fn poll_ready(&self, direction: Direction, waiter: &mut Option<u64>) -> Poll<io::Result<()>> {
        let registration = match self.registration() {
            Ok(registration) => registration,
            Err(error) => return Poll::Ready(Err(error)),
        };
        let hub = &registration.hub;
        let reactor = hub
            .driver
            .reactor()
            .expect("a registered source's hub has a reactor");
        let current = || hub.core.borrow().current();
        reactor.poll_ready(registration.index, direction, waiter, current, &self.io)
    }

    fn abandon(&self, direction: Direction, waiter: u64) {
        if let Some(registration) = self.registration.get() {
            if let Some(reactor) = registration.hub.driver.reactor() {
                reactor.abandon(registration.index, direction, waiter);
            }
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
