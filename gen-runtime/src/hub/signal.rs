//! Signals as hub events: gevent's `gevent.signal_handler`, and a [`Signals`] stream to await.
//!
//! A registration is a self-pipe: [signal-hook] installs the process's handler for the
//! signal, which writes a byte to the registration's socket; the hub waits for that socket to
//! be readable like any other, in its I/O poller, so a signal wakes a hub that waits for
//! nothing else, and the handler runs in a task, where anything may be done (not in the
//! signal's context, where almost nothing may).
//!
//! ```
//! use corogen::hub::{Hub, signal::{self, Signals}};
//!
//! let hub = Hub::new();
//! let got = hub.block_on(async {
//!     let mut signals = Signals::new([signal::SIGUSR1]).unwrap();
//!     // Any thread, any process may send it; here the process sends it to itself.
//!     signal::raise(signal::SIGUSR1).unwrap();
//!     signals.recv().await.unwrap()
//! });
//! assert_eq!(got, signal::SIGUSR1);
//! ```
//!
//! # Which hub gets a signal
//!
//! Signals belong to the process, hubs to threads. A signal goes to **every** registration
//! alive for it when it comes, whichever thread the OS delivered it to: each [`Signals`] and
//! each [`signal_handler`], on whatever hub waits on it (the hub that first waits on a
//! registration keeps it, as with sockets). Two hubs that both handle `SIGTERM` both see it;
//! a hub with no registration for a signal never does. Deliveries that come before a
//! registration reads them are coalesced, as the OS does for a pending signal: a burst may
//! count once.
//!
//! # What a registration changes for the process
//!
//! Once a signal has been registered, the OS's default action for it (terminating on
//! `SIGINT`, `SIGTERM`…) no longer happens, even after every registration is gone: signal-hook
//! leaves its handler installed, doing nothing. A program that wants the default back after
//! its handlers are cancelled calls `signal_hook::low_level::emulate_default_handler` itself.
//! `SIGKILL`, `SIGSTOP`, `SIGILL`, `SIGFPE` and `SIGSEGV` cannot be registered.
//!
//! [signal-hook]: https://docs.rs/signal-hook

use std::fmt;
use std::future::Future as _;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use libc::c_int;
use signal_hook::SigId;

use super::base::reactor::Direction;
use super::net::source::IoCell;
use super::task::{Task, WaitReady};

pub use libc::{
    SIGALRM, SIGCHLD, SIGCONT, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM, SIGTSTP, SIGUSR1,
    SIGUSR2, SIGWINCH,
};

/// Sends `signal` to the calling thread (C's `raise`): its handlers run before this returns,
/// and a hub's registrations for it have their delivery waiting.
///
/// # Errors
/// The OS's, for a signal number it does not know.
pub fn raise(signal: c_int) -> io::Result<()> {
    signal_hook::low_level::raise(signal)
}

/// One signal's self-pipe: the read end (waited on by the hub) and signal-hook's registration,
/// which owns the write end.
struct Pipe {
    signal: c_int,
    read: Rc<IoCell<UnixStream>>,
    id: SigId,
}

impl Pipe {
    fn new(signal: c_int, keeps_hub: bool) -> io::Result<Pipe> {
        if signal_hook::consts::FORBIDDEN.contains(&signal) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "corogen hub: signal {signal} cannot be handled (SIGKILL, SIGSTOP, SIGILL, SIGFPE and SIGSEGV cannot)"
                ),
            ));
        }
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        // The write end is signal-hook's from here: it writes without blocking, and closes it
        // when the registration is removed.
        let id = signal_hook::low_level::pipe::register(signal, write)?;
        let read = if keeps_hub {
            IoCell::new(read)
        } else {
            IoCell::new_weak(read)
        };
        Ok(Pipe {
            signal,
            read: Rc::new(read),
            id,
        })
    }

    /// Takes every byte the handler wrote: `true` if there was one (a delivery since the
    /// last call). A "would block" clears the pipe's readiness, so the hub waits for the next.
    fn drain(&self) -> io::Result<bool> {
        let mut got = false;
        let mut buf = [0; 64];
        loop {
            match self
                .read
                .try_io(Direction::Read, |mut pipe| pipe.read(&mut buf))
            {
                // Only signal-hook closes the write end, when the registration is removed,
                // which this pipe's drop does: a pipe at its end would stay readable forever.
                Ok(0) if !got => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "corogen hub: a signal's pipe was closed",
                    ));
                }
                Ok(0) => return Ok(got),
                Ok(_) => got = true,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(got),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        signal_hook::low_level::unregister(self.id);
    }
}

/// Signals to await: each [`recv`](Self::recv) waits for the next delivery of one of them
/// (tokio's `signal::unix::Signal`, for several signals at once). Also a
/// [`Stream`](futures_core::Stream) of them.
///
/// While a task waits on it, its hub keeps [`Hub::run`](super::Hub::run) going (a
/// [`signal_handler`] does not). Waiting needs a hub on the real clock: on a virtual hub
/// `recv` fails with an [`io::ErrorKind::Unsupported`] error, as sockets do.
///
/// Deliveries are coalesced while nobody reads them; between different signals, the order
/// they came in is not kept. Dropping it removes its registrations.
pub struct Signals {
    pipes: Vec<Pipe>,
    /// The waits of an unfinished `recv`, one per pipe.
    waits: Vec<WaitReady<Rc<IoCell<UnixStream>>>>,
}

impl Signals {
    /// Registers for `signals` (see [which hub gets a signal](self#which-hub-gets-a-signal)).
    ///
    /// # Errors
    /// `InvalidInput` for a signal that cannot be handled (`SIGKILL`…), or the OS's error.
    pub fn new(signals: impl IntoIterator<Item = c_int>) -> io::Result<Signals> {
        Signals::with(signals, true)
    }

    fn with(signals: impl IntoIterator<Item = c_int>, keeps_hub: bool) -> io::Result<Signals> {
        let pipes = signals
            .into_iter()
            .map(|signal| Pipe::new(signal, keeps_hub))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Signals {
            pipes,
            waits: Vec::new(),
        })
    }

    /// Waits for the next delivery of one of the signals, and says which.
    ///
    /// # Errors
    /// `Unsupported` on a virtual hub; the error of the pipe (unlikely).
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn recv(&mut self) -> io::Result<c_int> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// A delivery that has come already, if any: the form for a generator task or a check
    /// between other work. It does not wait, and needs no hub.
    ///
    /// # Errors
    /// The error of the pipe (unlikely).
    pub fn try_recv(&mut self) -> io::Result<Option<c_int>> {
        for pipe in &self.pipes {
            if pipe.drain()? {
                self.waits.clear();
                return Ok(Some(pipe.signal));
            }
        }
        Ok(None)
    }

    /// Polls for the next delivery, as [`recv`](Self::recv) awaits it.
    ///
    /// # Errors
    /// As `recv`.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<c_int>> {
        loop {
            if let Some(signal) = self.try_recv()? {
                return Poll::Ready(Ok(signal));
            }
            if self.pipes.is_empty() {
                return Poll::Pending;
            }
            if self.waits.is_empty() {
                self.waits = self
                    .pipes
                    .iter()
                    .map(|pipe| WaitReady::new(Rc::clone(&pipe.read), Direction::Read))
                    .collect();
            }
            let mut ready = false;
            for wait in &mut self.waits {
                match Pin::new(wait).poll(cx) {
                    Poll::Ready(Ok(())) => ready = true,
                    Poll::Ready(Err(error)) => {
                        self.waits.clear();
                        return Poll::Ready(Err(error));
                    }
                    Poll::Pending => {}
                }
            }
            if !ready {
                return Poll::Pending;
            }
            // A pipe is readable: take its byte above, waiting afresh if it was spurious.
            self.waits.clear();
        }
    }
}

impl futures_core::Stream for Signals {
    type Item = io::Result<c_int>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx).map(Some)
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signals: Vec<c_int> = self.pipes.iter().map(|pipe| pipe.signal).collect();
        f.debug_struct("Signals")
            .field("signals", &signals)
            .finish()
    }
}

/// Calls `handler` in a task of the running hub each time `signal` comes (gevent's
/// `gevent.signal_handler(signalnum, handler)`), until [cancelled](SignalHandler::cancel).
///
/// As gevent's (a `ref=False` watcher), the handler does not keep [`Hub::run`](super::Hub::run)
/// going: a hub whose other tasks are done returns from `run`, after the handler has run for
/// the deliveries that came in already. See the [module docs](self#which-hub-gets-a-signal)
/// for which hub gets a signal when several handle it.
///
/// ```
/// use corogen::hub::{self, Hub, signal};
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// let hub = Hub::new();
/// let hangups = Rc::new(Cell::new(0));
/// hub.block_on({
///     let hangups = Rc::clone(&hangups);
///     async move {
///         let handler = signal::signal_handler(signal::SIGHUP, move || {
///             hangups.set(hangups.get() + 1); // e.g. reload the configuration
///         })
///         .unwrap();
///         signal::raise(signal::SIGHUP).unwrap();
///         hub::sleep(std::time::Duration::from_millis(10)).await;
///         handler.cancel();
///     }
/// });
/// assert_eq!(hangups.get(), 1);
/// ```
///
/// A panic in `handler` ends it (the panic is kept in [`SignalHandler::task`]).
///
/// # Errors
/// As [`Signals::new`]; and `Unsupported` on a virtual hub.
///
/// # Panics
/// Outside a running hub.
pub fn signal_handler(
    signal: c_int,
    mut handler: impl FnMut() + 'static,
) -> io::Result<SignalHandler> {
    if super::engine::current().virtual_clock {
        return Err(super::net::source::virtual_clock_error());
    }
    let mut signals = Signals::with([signal], false)?;
    let task = super::spawn(async move {
        while signals.recv().await.is_ok() {
            handler();
        }
    });
    Ok(SignalHandler { signal, task })
}

/// A handler installed by [`signal_handler`]: gevent's `signal` object.
///
/// Dropping it leaves the handler installed (as dropping a task's handle leaves the task
/// running); [`cancel`](Self::cancel) removes it.
pub struct SignalHandler {
    signal: c_int,
    task: Task<()>,
}

impl SignalHandler {
    /// Removes the handler: it is not called again (gevent's `cancel()`).
    pub fn cancel(&self) {
        self.task.kill();
    }

    /// The signal handled (gevent's `signalnum`).
    pub fn signalnum(&self) -> c_int {
        self.signal
    }

    /// The task that runs the handler: dead once cancelled, or if the handler panicked.
    pub fn task(&self) -> &Task<()> {
        &self.task
    }
}

impl fmt::Debug for SignalHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalHandler")
            .field("signal", &self.signal)
            .field("task", &self.task)
            .finish()
    }
}

/// A registration for `SIGCHLD`, for the child processes' fallback wait (without pidfd).
pub(crate) struct ChildSignal(Signals);

impl ChildSignal {
    pub(crate) fn new() -> io::Result<Self> {
        Signals::new([SIGCHLD]).map(ChildSignal)
    }

    /// Waits for a `SIGCHLD` that came after [`new`](Self::new) or the last call.
    pub(crate) async fn next(&mut self) -> io::Result<()> {
        self.0.recv().await.map(drop)
    }
}
