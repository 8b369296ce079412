//! The I/O reactor: a readiness poller (the `polling` crate: epoll, kqueue, event ports, IOCP)
//! that the hub blocks in when every task waits, and the sources registered with it.
//!
//! A hub makes its reactor the first time a task waits on a socket, so a hub without I/O never
//! touches a poller. From then on [`park`](super::core::Inner) blocks in
//! [`Poller::wait`] until the next timer instead of parking the thread, and wakes from other
//! threads ([`Remote`](super::waker::Remote)) interrupt the wait with [`Poller::notify`]. Sleeps
//! and I/O share the hub's one timer heap: the wait's timeout is the next timer's deadline.
//!
//! # Readiness
//!
//! Every I/O operation is tried first, on a non-blocking socket; only when the OS says it would
//! block does the task wait, and it waits for the socket's *readiness* in that direction. Each
//! registered source has, per direction (read, write):
//!
//! - `ready`: set when the poller reports the direction ready, cleared when an operation in
//!   that direction would block. Invariant: if it is clear, a readiness event comes before the
//!   socket can make progress in that direction (the operation that cleared it saw it blocked,
//!   and the kernel reports any change after that), so a task waiting for it is not lost.
//! - `waiters`: the tasks waiting for it, woken (and removed) by the event.
//!
//! Events are only taken while the hub parks, between task turns, never while a task runs: a
//! task's "would block, so clear and wait" cannot race with an event on one thread.
//!
//! Sources are registered in edge-triggered mode where the platform has it (epoll, kqueue):
//! one registration for both directions, no system call per wait. Elsewhere they use
//! `polling`'s default oneshot mode and are re-armed, per direction, when a task waits.
//!
//! While tasks are runnable the hub does not block, but it still polls without waiting every
//! few dozen task turns, so a busy hub does not starve its sockets.

use std::cell::{Cell, OnceCell, RefCell};
use std::future::Future;
use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};
use std::task::{Context, Poll};
use std::time::Duration;

use polling::{AsSource, Event, Events, PollMode, Poller};

use super::core::Inner;
use super::run;
use super::task::TaskKey;
use super::time::{Elapsed, Timeout};

/// A direction of I/O a task waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

/// Task turns (counting the tasks each ran) between two polls of a busy hub.
const BUSY_POLL_INTERVAL: usize = 61;

#[cfg(test)]
thread_local! {
    /// Tests of the oneshot fallback: reactors made on this thread use oneshot mode.
    pub(crate) static FORCE_ONESHOT: Cell<bool> = const { Cell::new(false) };
}

/// One hub's poller and the state of the sources registered with it.
pub(crate) struct Reactor {
    poller: Arc<Poller>,
    /// Edge-triggered registrations (else oneshot, re-armed per wait).
    edge: bool,
    state: RefCell<IoState>,
    events: RefCell<Events>,
    /// Task turns since the last poll of a busy hub.
    ticks: Cell<usize>,
}

#[derive(Default)]
struct IoState {
    slots: Vec<IoSlot>,
    free: Vec<usize>,
    /// Waiters registered across all slots: while there are some, the hub is not idle.
    waiting: usize,
    next_id: u64,
}

/// A registered source. Invariant: `in_use` iff an [`IoCell`] holds this slot's index.
#[derive(Default)]
struct IoSlot {
    in_use: bool,
    directions: [Readiness; 2],
}

/// One direction of one source (see the module docs for the invariant of `ready`).
#[derive(Default)]
struct Readiness {
    ready: bool,
    /// Oneshot mode: interest in this direction is enabled in the poller.
    armed: bool,
    waiters: Vec<(u64, TaskKey)>,
}

impl Readiness {
    /// Removes a waiter; `true` if it was still here.
    fn remove(&mut self, id: u64) -> bool {
        match self.waiters.iter().position(|&(waiter, _)| waiter == id) {
            Some(at) => {
                self.waiters.swap_remove(at);
                true
            }
            None => false,
        }
    }
}

impl Reactor {
    /// The hub's reactor, made on first use. A virtual hub has none: its clock cannot wait
    /// for the outside world.
    pub(crate) fn of(hub: &Inner) -> io::Result<&Reactor> {
        if let Some(reactor) = hub.reactor.get() {
            return Ok(reactor);
        }
        if hub.virtual_clock {
            return Err(virtual_clock_error());
        }
        let poller = Arc::new(Poller::new()?);
        #[cfg(test)]
        let edge = poller.supports_edge() && !FORCE_ONESHOT.with(Cell::get);
        #[cfg(not(test))]
        let edge = poller.supports_edge();
        hub.remote.set_poller(Arc::clone(&poller));
        let reactor = Reactor {
            poller,
            edge,
            state: RefCell::new(IoState::default()),
            events: RefCell::new(Events::new()),
            ticks: Cell::new(0),
        };
        Ok(hub.reactor.get_or_init(|| reactor))
    }

    /// Whether a task waits on a source: then the hub is not idle.
    pub(crate) fn has_waiters(&self) -> bool {
        self.state.borrow().waiting > 0
    }

    /// Called at each turn of a hub that has runnable tasks (`queued` of them): every
    /// [`BUSY_POLL_INTERVAL`] task turns, takes the events that are in without blocking.
    pub(crate) fn poll_busy(&self, hub: &Inner, queued: usize) {
        let ticks = self.ticks.get() + 1 + queued;
        if ticks < BUSY_POLL_INTERVAL || !self.has_waiters() {
            self.ticks.set(ticks.min(BUSY_POLL_INTERVAL));
            return;
        }
        self.ticks.set(0);
        self.poll(hub, Some(Duration::ZERO));
    }

    /// Blocks until a source is ready, a remote wake comes, or `timeout` passes.
    pub(crate) fn park(&self, hub: &Inner, timeout: Option<Duration>) {
        // Pairs with the fence in `Remote::unpark`: either that wake sees the poller (and
        // notifies it), or this load sees the wake (and does not block).
        fence(Ordering::SeqCst);
        if hub.remote.pending() {
            return;
        }
        self.ticks.set(0);
        self.poll(hub, timeout);
    }

    /// Waits for events for at most `timeout` and wakes the tasks waiting for them.
    fn poll(&self, hub: &Inner, timeout: Option<Duration>) {
        let mut events = self.events.borrow_mut();
        events.clear();
        if let Err(error) = self.poller.wait(&mut events, timeout) {
            // `polling` retries interrupted waits itself; anything else means the poller is
            // broken, and every task waiting on I/O would hang.
            panic!("corogen hub: the I/O poller failed: {error}");
        }
        if events.is_empty() {
            return;
        }
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        let mut core = hub.core.borrow_mut();
        for event in events.iter() {
            let Some(slot) = state.slots.get_mut(event.key) else {
                continue;
            };
            if !slot.in_use {
                continue;
            }
            for (direction, fired) in slot
                .directions
                .iter_mut()
                .zip([event.readable, event.writable])
            {
                if fired {
                    direction.ready = true;
                }
                if !self.edge {
                    // A oneshot registration is disabled after any event: the waiters of the
                    // other direction wake too, to re-arm it.
                    direction.armed = false;
                } else if !fired {
                    continue;
                }
                state.waiting -= direction.waiters.len();
                for (_, task) in direction.waiters.drain(..) {
                    core.wake(task);
                }
            }
        }
    }

    /// Registers `source` in a fresh slot, returning the slot's index.
    ///
    /// # Safety
    /// `source` must be deleted from the poller (with [`deregister`](Self::deregister))
    /// before it is closed.
    unsafe fn register(&self, source: &impl AsSource) -> io::Result<usize> {
        let mut state = self.state.borrow_mut();
        let index = match state.free.pop() {
            Some(index) => index,
            None => {
                state.slots.push(IoSlot::default());
                state.slots.len() - 1
            }
        };
        let (interest, mode) = if self.edge {
            (Event::all(index), PollMode::Edge)
        } else {
            (Event::none(index), PollMode::Oneshot)
        };
        // SAFETY: forwarded to the caller, who deletes the source before closing it.
        let added = unsafe { self.poller.add_with_mode(&source.source(), interest, mode) };
        if let Err(error) = added {
            state.free.push(index);
            return Err(error);
        }
        state.slots[index] = IoSlot {
            in_use: true,
            directions: Default::default(),
        };
        Ok(index)
    }

    fn deregister(&self, index: usize, source: &impl AsSource) {
        // Failing to delete leaves nothing behind once the descriptor closes (epoll, kqueue
        // and event ports drop it with the descriptor), so the error is of no use.
        drop(self.poller.delete(source));
        let mut state = self.state.borrow_mut();
        let slot = &mut state.slots[index];
        debug_assert!(
            slot.directions.iter().all(|d| d.waiters.is_empty()),
            "a source is dropped while a task waits on it"
        );
        let stale: usize = slot.directions.iter().map(|d| d.waiters.len()).sum();
        *slot = IoSlot::default();
        state.waiting -= stale;
        state.free.push(index);
    }

    /// Oneshot mode: enables interest in every direction that has waiters.
    fn arm(&self, state: &mut IoState, index: usize, source: &impl AsSource) -> io::Result<()> {
        let [read, write] = &mut state.slots[index].directions;
        let want_read = read.armed || !read.waiters.is_empty();
        let want_write = write.armed || !write.waiters.is_empty();
        if want_read == read.armed && want_write == write.armed {
            return Ok(());
        }
        self.poller
            .modify(source, Event::new(index, want_read, want_write))?;
        read.armed = want_read;
        write.armed = want_write;
        Ok(())
    }
}

/// The error of I/O on a virtual hub.
pub(crate) fn virtual_clock_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "corogen hub: sockets need a hub on the real clock (Hub::new): this hub's clock is \
         virtual (Hub::new_virtual), and a simulation cannot wait for the network",
    )
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
                reactor.state.borrow_mut().slots[registration.index].directions
                    [direction as usize]
                    .ready = false;
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

/// What a readiness wait needs of a source, object-safe so an [`Op`](super::Op) can hold one.
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
        let mut state = reactor.state.borrow_mut();
        let state = &mut *state;
        let wait = &mut state.slots[registration.index].directions[direction as usize];
        if wait.ready {
            if let Some(id) = waiter.take() {
                if wait.remove(id) {
                    state.waiting -= 1;
                }
            }
            return Poll::Ready(Ok(()));
        }
        if let Some(id) = *waiter {
            if wait.waiters.iter().any(|&(waiter, _)| waiter == id) {
                return Poll::Pending;
            }
        }
        // Not ready and not (or no longer) registered: wait.
        let task = hub.core.borrow().current();
        state.next_id += 1;
        let id = state.next_id;
        wait.waiters.push((id, task));
        state.waiting += 1;
        *waiter = Some(id);
        if !reactor.edge {
            if let Err(error) = reactor.arm(state, registration.index, &self.io) {
                let wait = &mut state.slots[registration.index].directions[direction as usize];
                if wait.remove(id) {
                    state.waiting -= 1;
                }
                *waiter = None;
                return Poll::Ready(Err(error));
            }
        }
        Poll::Pending
    }

    fn abandon(&self, direction: Direction, waiter: u64) {
        let Some(registration) = self.registration.get() else {
            return;
        };
        let Some(reactor) = registration.hub.reactor.get() else {
            return;
        };
        if let Ok(mut state) = reactor.state.try_borrow_mut() {
            if state.slots[registration.index].directions[direction as usize].remove(waiter) {
                state.waiting -= 1;
            }
        }
    }
}

/// The future that waits for a source's readiness in one direction; `P` is `&IoCell` (the
/// async methods) or `Rc<dyn IoObject>` (an [`Op`](super::Op)).
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

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
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

/// Socket tests that need the crate's internals: the oneshot fallback (forced; this platform
/// has edge-triggered polling) and a connect that hangs (socket2's backlog control). Miri
/// cannot run sockets.
#[cfg(test)]
#[cfg_attr(miri, allow(unused_imports))]
mod tests {
    use std::io;
    use std::net::{Shutdown, SocketAddr};
    use std::rc::Rc;
    use std::time::Duration;

    use super::FORCE_ONESHOT;
    use crate::hub::net::{TcpListener, TcpStream};
    use crate::hub::{self, Hub};

    #[test]
    #[cfg_attr(miri, ignore = "Miri cannot run sockets")]
    fn oneshot_mode_echoes_in_both_directions() {
        FORCE_ONESHOT.with(|force| force.set(true));
        let hub = Hub::new();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        hub.spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            let mut buf = vec![0; 65536];
            loop {
                match conn.read(&mut buf).await.unwrap() {
                    0 => break,
                    n => conn.write_all(&buf[..n]).await.unwrap(),
                }
            }
        });
        let payload: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let expected = payload.clone();
        let echoed = hub.block_on(async move {
            let conn = Rc::new(TcpStream::connect(addr).await.unwrap());
            let reader = Rc::clone(&conn);
            let reading = hub::spawn(async move {
                let mut echoed = Vec::new();
                reader.read_to_end(&mut echoed).await.unwrap();
                echoed
            });
            conn.write_all(&payload).await.unwrap();
            conn.shutdown(Shutdown::Write).unwrap();
            reading.get().await.unwrap()
        });
        FORCE_ONESHOT.with(|force| force.set(false));
        assert!(!hub.inner.reactor.get().unwrap().edge);
        assert!(echoed == expected, "the echo differs");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri cannot run sockets")]
    fn connect_timeout_gives_up_on_a_listener_that_never_answers() {
        // A listener with a backlog of one whose queue is full: the kernel drops further SYNs,
        // so the next connect hangs until its timeout.
        let Some((_listener, addr, _held)) = listener_with_full_backlog() else {
            return; // this kernel answers anyway: nothing to test here
        };
        let hub = Hub::new();
        let started = std::time::Instant::now();
        let error = hub.block_on(async move {
            TcpStream::connect_timeout(addr, Duration::from_millis(100))
                .await
                .unwrap_err()
        });
        assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{error}");
        assert!(
            error
                .to_string()
                .contains(&format!("connect to {addr} timed out after 100ms")),
            "{error}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    /// A listener whose accept queue is full, if the kernel lets one be made.
    fn listener_with_full_backlog()
    -> Option<(std::net::TcpListener, SocketAddr, Vec<std::net::TcpStream>)> {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).ok()?;
        let any: SocketAddr = "127.0.0.1:0".parse().ok()?;
        socket.bind(&any.into()).ok()?;
        socket.listen(0).ok()?;
        let listener: std::net::TcpListener = socket.into();
        let addr = listener.local_addr().ok()?;
        let mut held = Vec::new();
        for _ in 0..8 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(stream) => held.push(stream),
                Err(_) => return Some((listener, addr, held)),
            }
        }
        None
    }
}
