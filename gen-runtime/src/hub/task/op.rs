//! The requests a generator task yields to the hub: `yield_!(op::sleep(d))`, the SimPy way.
//!
//! Each is the generator-style twin of a future of the async style, and resumes the generator
//! with a [`Reply`](crate::hub::Reply): `Ready` when the request is done, `TimedOut` when an
//! [`Op::timeout`](crate::hub::Op::timeout) came first, `Switched(value)` after a switch.
//!
//! With the `net` feature, sockets (`hub::net`) are waited on with `readable` and `writable`:
//! try the non-blocking operation (`conn.try_read(&mut buf)`), and when it fails with
//! `WouldBlock`, yield `op::readable(&conn)` and try again.

use std::time::Duration;

use super::gen_task::{Op, OpKind};
use super::handle::TaskRef;
#[cfg(all(feature = "net", unix))]
use super::io_wait::IoSource;
use super::wait_list::Waitable;
#[cfg(all(feature = "net", unix))]
use crate::hub::base::reactor::Direction;
use crate::hub::engine::Value;

/// Lets every other runnable task take a turn, and due timers fire (gevent's `sleep(0)`).
pub fn pass() -> Op {
    Op::new(OpKind::Pass)
}

/// Waits for `duration` (SimPy's `env.timeout(d)`, gevent's `sleep(d)`).
pub fn sleep(duration: Duration) -> Op {
    Op::new(OpKind::Sleep(duration))
}

/// Waits until `task` is dead (then take its value with
/// [`Task::try_get`](crate::hub::Task::try_get)).
pub fn join(task: &TaskRef) -> Op {
    Op::new(OpKind::Join(task.join()))
}

/// Waits on a synchronisation object: until an [`Event`](crate::hub::Event) or an
/// [`AsyncResult`](crate::hub::AsyncResult) is set, a [`Semaphore`](crate::hub::Semaphore) permit
/// is acquired (or a [`PermitRequest`](crate::hub::PermitRequest) holds one), or a
/// [`Queue`](crate::hub::Queue) may be read
/// ([`Queue::readable`](crate::hub::Queue::readable)) or written
/// ([`Queue::writable`](crate::hub::Queue::writable)).
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
#[cfg(all(feature = "net", unix))]
#[cfg_attr(docsrs, doc(cfg(feature = "net")))]
pub fn readable(socket: &impl IoSource) -> Op {
    Op::new(OpKind::Io(socket.io_handle().0, Direction::Read))
}

/// Waits until `socket` can take a write (or has an error); see [`readable`].
///
/// # Panics
/// As [`readable`].
#[cfg(all(feature = "net", unix))]
#[cfg_attr(docsrs, doc(cfg(feature = "net")))]
pub fn writable(socket: &impl IoSource) -> Op {
    Op::new(OpKind::Io(socket.io_handle().0, Direction::Write))
}
