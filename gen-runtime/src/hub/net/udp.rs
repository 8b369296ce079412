//! UDP: [`UdpSocket`].

use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use super::source::{IoCell, deadline};
use super::{IoHandle, IoSource, Timeouts, ToSocketAddrs, context, resolve};
use crate::hub::base::reactor::Direction;

/// A cooperative UDP socket: its waiting methods let the hub run other tasks.
///
/// ```
/// use corogen::hub::{Hub, net::UdpSocket};
///
/// let hub = Hub::new();
/// let reply = hub.block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").unwrap();
///     let b = UdpSocket::bind("127.0.0.1:0").unwrap();
///     a.send_to(b"hi", b.local_addr().unwrap()).await.unwrap();
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await.unwrap();
///     assert_eq!(from, a.local_addr().unwrap());
///     buf[..n].to_vec()
/// });
/// assert_eq!(reply, b"hi");
/// ```
pub struct UdpSocket {
    cell: Rc<IoCell<net::UdpSocket>>,
    timeouts: Timeouts,
}

impl UdpSocket {
    /// Binds a socket to `addr` (port 0 picks a free port). It needs no hub until it waits. A
    /// name in `addr` is resolved on the calling thread: pass a literal address from a task.
    ///
    /// # Errors
    /// The OS's error (`AddrInUse`…), naming the address.
    pub fn bind(addr: impl net::ToSocketAddrs) -> io::Result<UdpSocket> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match net::UdpSocket::bind(addr) {
                Ok(socket) => return UdpSocket::from_std(socket),
                Err(error) => last = Some(context(error, format_args!("bind to {addr}"))),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "bind: no address to bind to")
        }))
    }

    /// Adopts a bound standard socket, switching it to non-blocking mode.
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            cell: Rc::new(IoCell::new(socket)),
            timeouts: Timeouts::default(),
        })
    }

    /// The underlying standard socket, in non-blocking mode.
    pub fn get_ref(&self) -> &net::UdpSocket {
        self.cell.get_ref()
    }

    /// Sends a datagram to `target` (its first address; a name is resolved on the blocking
    /// pool), waiting until the socket takes it.
    ///
    /// # Errors
    /// The OS's error, a lookup error, or `TimedOut` after the
    /// [write timeout](Self::set_write_timeout).
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let addr = first(resolve(target.to_target()?).await?)?;
        let send = self.cell.retry(Direction::Write, |s| s.send_to(buf, addr));
        deadline(self.timeouts.write.get(), "send", send).await
    }

    /// Waits for a datagram; returns its length (truncated to `buf`) and its sender.
    ///
    /// # Errors
    /// The OS's error, or `TimedOut` after the [read timeout](Self::set_read_timeout).
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let recv = self.cell.retry(Direction::Read, |s| s.recv_from(buf));
        deadline(self.timeouts.read.get(), "receive", recv).await
    }

    /// Sets the only peer [`send`](Self::send) sends to and [`recv`](Self::recv) receives from
    /// (a name is resolved on the blocking pool).
    ///
    /// # Errors
    /// The OS's error, or a lookup error.
    pub async fn connect(&self, target: impl ToSocketAddrs) -> io::Result<()> {
        let addr = first(resolve(target.to_target()?).await?)?;
        self.get_ref().connect(addr)
    }

    /// Sends a datagram to the connected peer.
    ///
    /// # Errors
    /// As [`send_to`](Self::send_to); `NotConnected` without a peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let send = self.cell.retry(Direction::Write, |s| s.send(buf));
        deadline(self.timeouts.write.get(), "send", send).await
    }

    /// Waits for a datagram from the connected peer.
    ///
    /// # Errors
    /// As [`recv_from`](Self::recv_from).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let recv = self.cell.retry(Direction::Read, |s| s.recv(buf));
        deadline(self.timeouts.read.get(), "receive", recv).await
    }

    /// Sends without waiting: `WouldBlock` if the socket cannot take the datagram now.
    ///
    /// # Errors
    /// `WouldBlock`, or the OS's error.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.cell
            .try_io(Direction::Write, |s| s.send_to(buf, target))
    }

    /// Receives a datagram that is already there: `WouldBlock` if none is.
    ///
    /// # Errors
    /// `WouldBlock`, or the OS's error.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.cell.try_io(Direction::Read, |s| s.recv_from(buf))
    }

    /// Waits until a datagram is there.
    ///
    /// # Errors
    /// `Unsupported` on a virtual hub; the poller's error.
    pub async fn readable(&self) -> io::Result<()> {
        self.cell.ready(Direction::Read).await
    }

    /// Waits until the socket can take a datagram.
    ///
    /// # Errors
    /// As [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.cell.ready(Direction::Write).await
    }

    /// Bounds each later receive to `timeout`; `None` waits for ever.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.timeouts.read.set(timeout);
    }

    /// The receive timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.timeouts.read.get()
    }

    /// Bounds each later send to `timeout`; `None` waits for ever.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.timeouts.write.set(timeout);
    }

    /// The send timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.timeouts.write.get()
    }

    /// The local address.
    ///
    /// # Errors
    /// The OS's error.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    /// `NotConnected`, or the OS's error.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }
}

fn first(addrs: Vec<SocketAddr>) -> io::Result<SocketAddr> {
    addrs
        .into_iter()
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to send to"))
}

impl IoSource for UdpSocket {
    fn io_handle(&self) -> IoHandle {
        IoHandle(self.cell.clone())
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("timeouts", &self.timeouts)
            .finish()
    }
}
