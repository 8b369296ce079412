//! TCP: [`TcpStream`] and [`TcpListener`].

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{self, Shutdown, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, Type};

use super::source::{IoCell, deadline, timed_out, virtual_clock_error};
use super::{IoHandle, IoSource, Target, Timeouts, ToSocketAddrs, context, resolve};
use crate::hub::base::reactor::Direction;
use crate::hub::engine;
use crate::hub::task::{Elapsed, Timeout};

/// A cooperative TCP connection: its waiting methods let the hub run other tasks.
///
/// Methods take `&self`, so one task may read while another writes (share it in an `Rc`).
/// Each read or write is tried at once and waits only if the socket is not ready.
///
/// ```
/// use corogen::hub::{self, Hub, net::{TcpListener, TcpStream}};
/// use std::net::Shutdown;
///
/// let hub = Hub::new();
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// let server = hub.spawn(async move {
///     let (conn, _) = listener.accept().await.unwrap();
///     let mut request = Vec::new();
///     conn.read_to_end(&mut request).await.unwrap(); // until the client shuts down writing
///     conn.write_all(b"got ").await.unwrap();
///     conn.write_all(&request).await.unwrap();
/// });
/// let reply = hub.block_on(async move {
///     let conn = TcpStream::connect(addr).await.unwrap();
///     conn.write_all(b"hello").await.unwrap();
///     conn.shutdown(Shutdown::Write).unwrap();
///     let mut reply = Vec::new();
///     conn.read_to_end(&mut reply).await.unwrap();
///     reply
/// });
/// assert_eq!(reply, b"got hello");
/// assert!(server.successful());
/// ```
pub struct TcpStream {
    cell: Rc<IoCell<net::TcpStream>>,
    timeouts: Timeouts,
}

impl TcpStream {
    fn wrap(stream: net::TcpStream) -> TcpStream {
        TcpStream {
            cell: Rc::new(IoCell::new(stream)),
            timeouts: Timeouts::default(),
        }
    }

    /// Opens a connection to `addr`, trying each of its addresses in turn until one accepts
    /// (a name is resolved on the blocking pool first). The error names the address.
    ///
    /// # Errors
    /// The last address's error (`ConnectionRefused`…), a lookup error, or `Unsupported` on a
    /// virtual hub.
    ///
    /// # Panics
    /// Outside a running hub.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        if engine::current().virtual_clock {
            return Err(virtual_clock_error());
        }
        let target = addr.to_target()?;
        connect_to(target).await
    }

    /// As [`connect`](Self::connect), for at most `timeout` in all (lookup included).
    ///
    /// # Errors
    /// As `connect`, and `TimedOut` when the time runs out.
    pub async fn connect_timeout(
        addr: impl ToSocketAddrs,
        timeout: Duration,
    ) -> io::Result<TcpStream> {
        if engine::current().virtual_clock {
            return Err(virtual_clock_error());
        }
        let target = addr.to_target()?;
        let what = format!("connect to {target}");
        match Timeout::start(timeout).run(connect_to(target)).await {
            Ok(result) => result,
            Err(Elapsed) => Err(timed_out(&what, timeout)),
        }
    }

    /// Adopts a connected standard stream, switching it to non-blocking mode.
    pub fn from_std(stream: net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(TcpStream::wrap(stream))
    }

    /// The underlying standard stream, in non-blocking mode.
    pub fn get_ref(&self) -> &net::TcpStream {
        self.cell.get_ref()
    }

    /// Reads into `buf`, waiting until some data comes; `Ok(0)` at the end of the stream.
    ///
    /// # Errors
    /// The socket's error, or `TimedOut` after the [read timeout](Self::set_read_timeout).
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.cell.retry(Direction::Read, |mut s| s.read(buf));
        deadline(self.timeouts.read.get(), "read", read).await
    }

    /// Reads exactly `buf.len()` bytes; the read timeout bounds the whole call.
    ///
    /// # Errors
    /// `UnexpectedEof` if the stream ends first, or as [`read`](Self::read).
    pub async fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        let read = async {
            let mut filled = 0;
            while filled < buf.len() {
                match self
                    .cell
                    .retry(Direction::Read, |mut s| s.read(&mut buf[filled..]))
                    .await?
                {
                    0 => {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("the stream ended after {filled} of {} bytes", buf.len()),
                        ));
                    }
                    n => filled += n,
                }
            }
            Ok(())
        };
        deadline(self.timeouts.read.get(), "read", read).await
    }

    /// Reads until the end of the stream, appending to `buf`; returns how many bytes it read.
    /// The read timeout bounds the whole call.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    pub async fn read_to_end(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let read = async {
            let start = buf.len();
            loop {
                if buf.capacity() - buf.len() < 4096 {
                    buf.reserve(8192);
                }
                let len = buf.len();
                buf.resize(buf.capacity(), 0);
                let read = self
                    .cell
                    .retry(Direction::Read, |mut s| s.read(&mut buf[len..]))
                    .await;
                match read {
                    Ok(0) => {
                        buf.truncate(len);
                        return Ok(len - start);
                    }
                    Ok(n) => buf.truncate(len + n),
                    Err(error) => {
                        buf.truncate(len);
                        return Err(error);
                    }
                }
            }
        };
        deadline(self.timeouts.read.get(), "read", read).await
    }

    /// Writes some of `buf`, waiting until the socket takes at least one byte.
    ///
    /// # Errors
    /// The socket's error, or `TimedOut` after the [write timeout](Self::set_write_timeout).
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let write = self.cell.retry(Direction::Write, |mut s| s.write(buf));
        deadline(self.timeouts.write.get(), "write", write).await
    }

    /// Writes all of `buf`; the write timeout bounds the whole call.
    ///
    /// # Errors
    /// As [`write`](Self::write); `WriteZero` if the socket takes nothing.
    pub async fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        let write = async {
            let mut written = 0;
            while written < buf.len() {
                match self
                    .cell
                    .retry(Direction::Write, |mut s| s.write(&buf[written..]))
                    .await?
                {
                    0 => return Err(io::ErrorKind::WriteZero.into()),
                    n => written += n,
                }
            }
            Ok(())
        };
        deadline(self.timeouts.write.get(), "write", write).await
    }

    /// Writes from several buffers at once (one system call when the socket is ready).
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub async fn write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let write = self
            .cell
            .retry(Direction::Write, |mut s| s.write_vectored(bufs));
        deadline(self.timeouts.write.get(), "write", write).await
    }

    /// Reads what is there without waiting: `WouldBlock` if nothing is (then wait with
    /// [`readable`](Self::readable) or [`op::readable`](crate::hub::op::readable)).
    ///
    /// # Errors
    /// `WouldBlock`, or the socket's error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.cell.try_io(Direction::Read, |mut s| s.read(buf))
    }

    /// Writes what the socket takes without waiting: `WouldBlock` if it takes nothing.
    ///
    /// # Errors
    /// `WouldBlock`, or the socket's error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.cell.try_io(Direction::Write, |mut s| s.write(buf))
    }

    /// Waits until a read may make progress (data, the end of the stream, or an error).
    ///
    /// # Errors
    /// `Unsupported` on a virtual hub; the poller's error.
    pub async fn readable(&self) -> io::Result<()> {
        self.cell.ready(Direction::Read).await
    }

    /// Waits until a write may make progress.
    ///
    /// # Errors
    /// As [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.cell.ready(Direction::Write).await
    }

    /// Shuts down reading, writing or both (`Shutdown::Write` sends the end of the stream).
    ///
    /// # Errors
    /// The socket's error (`NotConnected`…).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.get_ref().shutdown(how)
    }

    /// Bounds each later read call ([`read`](Self::read), [`read_exact`](Self::read_exact),
    /// [`read_to_end`](Self::read_to_end)) to `timeout`; `None` waits for ever.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.timeouts.read.set(timeout);
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.timeouts.read.get()
    }

    /// Bounds each later write call ([`write`](Self::write), [`write_all`](Self::write_all),
    /// [`write_vectored`](Self::write_vectored)) to `timeout`; `None` waits for ever.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.timeouts.write.set(timeout);
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.timeouts.write.get()
    }

    /// The local address.
    ///
    /// # Errors
    /// The socket's error.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The remote address.
    ///
    /// # Errors
    /// `NotConnected`, or the socket's error.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (no Nagle delay for small writes).
    ///
    /// # Errors
    /// The socket's error.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    /// The socket's error.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.get_ref().nodelay()
    }

    /// Takes the socket's pending error (`SO_ERROR`).
    ///
    /// # Errors
    /// The error of reading it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.get_ref().take_error()
    }
}

async fn connect_to(target: Target) -> io::Result<TcpStream> {
    let addrs = resolve(target.clone()).await?;
    let mut last = None;
    for addr in addrs {
        match connect_addr(addr).await {
            Ok(stream) => return Ok(stream),
            Err(error) => last = Some(error),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("connect to {target}: no address to connect to"),
        )
    }))
}

async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
    let what = || format!("connect to {addr}");
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|error| context(error, what()))?;
    socket
        .set_nonblocking(true)
        .map_err(|error| context(error, what()))?;
    let stream = TcpStream::wrap(socket.into());
    match SockRef::from(stream.get_ref()).connect(&addr.into()) {
        Ok(()) => return Ok(stream),
        Err(error) if connect_in_progress(&error) => {}
        Err(error) => return Err(context(error, what())),
    }
    stream.cell.ready(Direction::Write).await?;
    match stream.take_error() {
        Ok(None) => Ok(stream),
        Ok(Some(error)) | Err(error) => Err(context(error, what())),
    }
}

fn connect_in_progress(error: &io::Error) -> bool {
    #[cfg(unix)]
    if error.raw_os_error() == Some(libc::EINPROGRESS) {
        return true;
    }
    error.kind() == io::ErrorKind::WouldBlock
}

impl IoSource for TcpStream {
    fn io_handle(&self) -> IoHandle {
        IoHandle(self.cell.clone())
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

/// A cooperative TCP listener: [`accept`](Self::accept) waits for a connection while the hub
/// runs other tasks. See [`net`](super) for a server.
pub struct TcpListener {
    cell: Rc<IoCell<net::TcpListener>>,
}

/// How many connections the OS queues before they are accepted.
pub(super) const BACKLOG: i32 = 1024;

impl TcpListener {
    /// Binds a listener to `addr` (port 0 picks a free port), with `SO_REUSEADDR` on Unix and a
    /// backlog of 1024. It needs no hub until it waits. A name in `addr` is resolved on the
    /// calling thread: pass a literal address from a task.
    ///
    /// # Errors
    /// The last address's error (`AddrInUse`…), naming the address.
    pub fn bind(addr: impl net::ToSocketAddrs) -> io::Result<TcpListener> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match bind_addr(addr) {
                Ok(listener) => return Ok(listener),
                Err(error) => last = Some(context(error, format_args!("bind to {addr}"))),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "bind: no address to bind to")
        }))
    }

    /// Adopts a bound standard listener, switching it to non-blocking mode.
    pub fn from_std(listener: net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener {
            cell: Rc::new(IoCell::new(listener)),
        })
    }

    /// The underlying standard listener, in non-blocking mode.
    pub fn get_ref(&self) -> &net::TcpListener {
        self.cell.get_ref()
    }

    /// Waits for a connection.
    ///
    /// # Errors
    /// The socket's error (running out of descriptors…): a server should log it and go on.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.cell.retry(Direction::Read, accept_nonblocking).await?;
        Ok((TcpStream::wrap(stream), peer))
    }

    /// Waits for a connection, as a standard non-blocking stream that no hub has taken yet
    /// (to hand to another hub).
    pub(super) async fn accept_std(&self) -> io::Result<net::TcpStream> {
        let (stream, _peer) = self.cell.retry(Direction::Read, accept_nonblocking).await?;
        Ok(stream)
    }

    /// Accepts a connection that is already there: `WouldBlock` if none is.
    ///
    /// # Errors
    /// `WouldBlock`, or the socket's error.
    pub fn try_accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.cell.try_io(Direction::Read, accept_nonblocking)?;
        Ok((TcpStream::wrap(stream), peer))
    }

    /// The local address (with the port the OS picked for port 0).
    ///
    /// # Errors
    /// The socket's error.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }
}

fn bind_addr(addr: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::from_std(bind_std(addr)?)
}

/// A standard listener bound to `addr` as [`TcpListener::bind`] binds, still blocking.
pub(super) fn bind_std(addr: SocketAddr) -> io::Result<net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Accepts one connection as a non-blocking stream (one system call on Linux).
fn accept_nonblocking(listener: &net::TcpListener) -> io::Result<(net::TcpStream, SocketAddr)> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let (socket, peer) =
            SockRef::from(listener).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)?;
        let peer = peer.as_socket().ok_or_else(|| {
            io::Error::other("accept: the peer's address is not an IP socket address")
        })?;
        Ok((socket.into(), peer))
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let (stream, peer) = listener.accept()?;
        stream.set_nonblocking(true)?;
        Ok((stream, peer))
    }
}

impl IoSource for TcpListener {
    fn io_handle(&self) -> IoHandle {
        IoHandle(self.cell.clone())
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local", &self.local_addr().ok())
            .finish()
    }
}
