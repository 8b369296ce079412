//! The requests a generator task yields to the hub: `yield_!(op::sleep(d))`, the SimPy way.
//!
//! Each is the generator-style twin of a future of the async style, and resumes the generator
//! with a [`Reply`](super::Reply): `Ready` when the request is done, `TimedOut` when an
//! [`Op::timeout`](super::Op::timeout) came first, `Switched(value)` after a switch.
//!
//! Sockets ([`net`](super::net)) are waited on with [`readable`] and [`writable`]: try the
//! non-blocking operation (`conn.try_read(&mut buf)`), and when it fails with `WouldBlock`,
//! yield `op::readable(&conn)` and try again.

use std::time::Duration;

use super::gen_task::{Op, OpKind, Value};
use super::handle::TaskRef;
use super::net::IoSource;
use super::reactor::Direction;
use super::wait_list::Waitable;

/// Lets every other runnable task take a turn, and due timers fire (gevent's `sleep(0)`).
pub fn pass() -> Op {
    Op::new(OpKind::Pass)
}

/// Waits for `duration` (SimPy's `env.timeout(d)`, gevent's `sleep(d)`).
pub fn sleep(duration: Duration) -> Op {
    Op::new(OpKind::Sleep(duration))
}

/// Waits until `task` is dead (then take its value with
/// [`Task::try_get`](super::Task::try_get)).
pub fn join(task: &TaskRef) -> Op {
    Op::new(OpKind::Join(task.join()))
}

/// Waits on a synchronisation object: until an [`Event`](super::Event) or an
/// [`AsyncResult`](super::AsyncResult) is set, a [`Semaphore`](super::Semaphore) permit is
/// acquired, or a [`Queue`](super::Queue) may be read ([`Queue::readable`](super::Queue::readable))
/// or written ([`Queue::writable`](super::Queue::writable)).
pub fn wait(on: &impl Waitable) -> Op {
    Op::new(OpKind::Wait(on.condition().0))
}

/// Switches to `target` with `value`, and waits until something switches back (greenlet's
/// `target.switch(value)`); the generator is resumed with `Reply::Switched(value)`.
pub fn switch(target: &TaskRef, value: Value) -> Op {
    Op::new(OpKind::Switch(super::switch::switch(target, value)))
}

/// Waits until `socket` is ready to read (data, the end of the stream, an error, or a
/// connection to accept): yield it when a `try_read`/`try_accept`/`try_recv_from` fails with
/// `WouldBlock`, then try again.
///
/// ```
/// use corogen::hub::{Hub, Op, Reply, net::{TcpListener, TcpStream}, op};
/// use corogen::prelude::*;
/// use std::io;
///
/// // A generator task: read whatever comes first.
/// #[generator(yield = Op, resume = Reply)]
/// fn first_bytes(conn: TcpStream) -> Vec<u8> {
///     let mut buf = [0; 64];
///     loop {
///         match conn.try_read(&mut buf) {
///             Ok(n) => return buf[..n].to_vec(),
///             Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
///                 yield_!(op::readable(&conn));
///             }
///             Err(e) => panic!("{e}"),
///         }
///     }
/// }
///
/// let hub = Hub::new();
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// let got = hub.block_on(async move {
///     let client = TcpStream::connect(addr).await.unwrap();
///     let (conn, _) = listener.accept().await.unwrap();
///     let reader = corogen::hub::spawn(first_bytes(conn));
///     client.write_all(b"hello").await.unwrap();
///     reader.get().await.unwrap()
/// });
/// assert_eq!(got, b"hello");
/// ```
///
/// # Panics
/// The generator task panics (with a message that says why) if the socket cannot wait on this
/// hub: a virtual hub, or a socket that waits on another hub.
pub fn readable(socket: &impl IoSource) -> Op {
    Op::new(OpKind::Io(socket.io_handle().0, Direction::Read))
}

/// Waits until `socket` can take a write (or has an error); see [`readable`].
///
/// # Panics
/// As [`readable`].
pub fn writable(socket: &impl IoSource) -> Op {
    Op::new(OpKind::Io(socket.io_handle().0, Direction::Write))
}
