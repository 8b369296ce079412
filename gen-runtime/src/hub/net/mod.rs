//! Cooperative sockets: gevent's `gevent.socket`, without monkey-patching.
//!
//! [`TcpStream`], [`TcpListener`] and [`UdpSocket`] are non-blocking sockets whose waiting
//! operations are futures of the hub: while one task waits for a socket, the hub runs the
//! others, and when nothing is runnable it blocks in its I/O poller (epoll, kqueue…) until a
//! socket is ready or the next timer is due. Names are resolved on the hub's blocking pool
//! ([`spawn_blocking`](super::spawn_blocking)), so a slow DNS server stalls only the task
//! that asked.
//!
//! ```
//! use corogen::hub::{self, Hub, net::{TcpListener, TcpStream}};
//!
//! let hub = Hub::new();
//! let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//! let addr = listener.local_addr().unwrap();
//! // The server: one task per connection (gevent's StreamServer).
//! hub.spawn(async move {
//!     loop {
//!         let (conn, _) = listener.accept().await.unwrap();
//!         hub::spawn(async move {
//!             let mut buf = [0; 64];
//!             let n = conn.read(&mut buf).await.unwrap();
//!             conn.write_all(&buf[..n]).await.unwrap();
//!         });
//!     }
//! });
//! let echoed = hub.block_on(async move {
//!     let conn = TcpStream::connect(addr).await.unwrap();
//!     conn.write_all(b"ping").await.unwrap();
//!     let mut buf = [0; 4];
//!     conn.read_exact(&mut buf).await.unwrap();
//!     buf
//! });
//! assert_eq!(&echoed, b"ping");
//! ```
//!
//! # Two styles
//!
//! Async tasks await the methods (`conn.read(&mut buf).await`). Generator tasks try the
//! non-blocking form (`conn.try_read(&mut buf)`) and, when it would block, yield
//! [`op::readable(&conn)`](super::op::readable) or [`op::writable`](super::op::writable) and try
//! again.
//!
//! # Timeouts
//!
//! Each waiting method can be bounded with [`with_timeout`](super::with_timeout) or a
//! [`Timeout`](super::Timeout) (an [`Elapsed`](super::Elapsed) converts into an
//! [`io::ErrorKind::TimedOut`] error, so `with_timeout(d, conn.read(buf)).await??` works), or
//! once per socket with `set_read_timeout`/`set_write_timeout` (gevent's `settimeout`): each
//! call then fails with `TimedOut` if it does not finish in time. All of them are timers of the
//! hub's one timer heap.
//!
//! # Real clock only
//!
//! The waiting methods need a hub on the real clock ([`Hub::new`](super::Hub::new)): on a
//! virtual hub they fail with an [`io::ErrorKind::Unsupported`] error that says so, since a
//! simulation cannot wait for the network. The `try_*` methods are plain non-blocking system
//! calls and work anywhere.
//!
//! A socket belongs to the hub that first waits on it; hubs on other threads make their own.

use std::cell::Cell;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::Duration;

use super::blocking::try_spawn_blocking;
pub(crate) mod source;
// Every hub of a runtime on one address: threads, so not on wasm.
#[cfg(not(target_family = "wasm"))]
mod per_hub;
mod tcp;
#[cfg(test)]
mod tests;
mod udp;

pub use crate::hub::task::{IoHandle, IoSource};
#[cfg(not(target_family = "wasm"))]
pub use per_hub::{Acceptor, HubListeners};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;

/// Per-socket timeouts of the waiting methods (gevent's `settimeout`).
#[derive(Default)]
struct Timeouts {
    read: Cell<Option<Duration>>,
    write: Cell<Option<Duration>>,
}

impl fmt::Debug for Timeouts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeouts")
            .field("read", &self.read.get())
            .field("write", &self.write.get())
            .finish()
    }
}

/// Addresses to connect or send to: a [`SocketAddr`] (or its parts), or a host name and a
/// port, resolved on the blocking pool.
///
/// Implemented for `SocketAddr`, `SocketAddrV4`, `SocketAddrV6`, `(IpAddr, u16)`,
/// `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)`, `(&str, u16)`, `(String, u16)`, `"host:port"` as
/// `&str` or `String`, and slices of `SocketAddr`. Literal addresses are never sent to the
/// pool.
pub trait ToSocketAddrs {
    #[doc(hidden)]
    fn to_target(&self) -> io::Result<Target>;
}

/// Where a [`ToSocketAddrs`] points: addresses, or a name to resolve.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Target(TargetKind);

#[derive(Clone, Debug)]
enum TargetKind {
    Addrs(Vec<SocketAddr>),
    Host(String, u16),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            TargetKind::Addrs(addrs) => match addrs.as_slice() {
                [addr] => write!(f, "{addr}"),
                addrs => write!(f, "{addrs:?}"),
            },
            TargetKind::Host(host, port) if host.contains(':') => write!(f, "[{host}]:{port}"),
            TargetKind::Host(host, port) => write!(f, "{host}:{port}"),
        }
    }
}

fn addrs(addrs: Vec<SocketAddr>) -> io::Result<Target> {
    Ok(Target(TargetKind::Addrs(addrs)))
}

fn host(host: &str, port: u16) -> io::Result<Target> {
    Ok(match host.parse::<IpAddr>() {
        Ok(ip) => Target(TargetKind::Addrs(vec![SocketAddr::new(ip, port)])),
        Err(_) => Target(TargetKind::Host(host.to_owned(), port)),
    })
}

impl ToSocketAddrs for SocketAddr {
    fn to_target(&self) -> io::Result<Target> {
        addrs(vec![*self])
    }
}

impl ToSocketAddrs for SocketAddrV4 {
    fn to_target(&self) -> io::Result<Target> {
        addrs(vec![SocketAddr::V4(*self)])
    }
}

impl ToSocketAddrs for SocketAddrV6 {
    fn to_target(&self) -> io::Result<Target> {
        addrs(vec![SocketAddr::V6(*self)])
    }
}

impl ToSocketAddrs for (IpAddr, u16) {
    fn to_target(&self) -> io::Result<Target> {
        addrs(vec![SocketAddr::new(self.0, self.1)])
    }
}

impl ToSocketAddrs for (Ipv4Addr, u16) {
    fn to_target(&self) -> io::Result<Target> {
        addrs(vec![SocketAddr::new(IpAddr::V4(self.0), self.1)])
    }
}

impl ToSocketAddrs for (Ipv6Addr, u16) {
    fn to_target(&self) -> io::Result<Target> {
        addrs(vec![SocketAddr::new(IpAddr::V6(self.0), self.1)])
    }
}

impl ToSocketAddrs for (&str, u16) {
    fn to_target(&self) -> io::Result<Target> {
        host(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {
    fn to_target(&self) -> io::Result<Target> {
        host(&self.0, self.1)
    }
}

impl ToSocketAddrs for str {
    fn to_target(&self) -> io::Result<Target> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return addrs(vec![addr]);
        }
        let invalid = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid socket address {self:?}: expected host:port"),
            )
        };
        let (name, port) = self.rsplit_once(':').ok_or_else(invalid)?;
        let port = port.parse().map_err(|_| invalid())?;
        host(name, port)
    }
}

impl ToSocketAddrs for String {
    fn to_target(&self) -> io::Result<Target> {
        self.as_str().to_target()
    }
}

impl ToSocketAddrs for [SocketAddr] {
    fn to_target(&self) -> io::Result<Target> {
        addrs(self.to_vec())
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    fn to_target(&self) -> io::Result<Target> {
        (**self).to_target()
    }
}

/// Resolves `addr` into socket addresses; a host name is looked up on the hub's blocking
/// pool while the hub runs other tasks (tokio's `lookup_host`).
///
/// ```
/// use corogen::hub::{Hub, net};
///
/// let hub = Hub::new();
/// let addrs = hub.block_on(net::lookup_host("localhost:80")).unwrap();
/// assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
/// ```
///
/// # Errors
/// `InvalidInput` for a malformed address; `NotFound` for a name the resolver cannot resolve
/// (the message names it and keeps the resolver's words); the error of
/// [`try_spawn_blocking`] if no pool thread can be started.
///
/// # Panics
/// Outside a running hub, when there is a name to resolve.
pub async fn lookup_host(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    resolve(addr.to_target()?).await
}

async fn resolve(target: Target) -> io::Result<Vec<SocketAddr>> {
    let (name, port) = match target.0 {
        TargetKind::Addrs(addrs) => return Ok(addrs),
        TargetKind::Host(name, port) => (name, port),
    };
    let lookup = name.clone();
    let found = try_spawn_blocking(move || {
        std::net::ToSocketAddrs::to_socket_addrs(&(lookup.as_str(), port))
            .map(Iterator::collect::<Vec<_>>)
    })
    .map_err(|error| context(error, format_args!("lookup of {name}")))?
    .await;
    match found {
        Ok(addrs) if addrs.is_empty() => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("lookup of {name}: no address found"),
        )),
        Ok(addrs) => Ok(addrs),
        // The resolver's failures have no kind of their own: an unknown name, or no answer.
        Err(error) if error.kind() != io::ErrorKind::InvalidInput => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("lookup of {name}: {error}"),
        )),
        Err(error) => Err(io::Error::new(
            error.kind(),
            format!("lookup of {name}: {error}"),
        )),
    }
}

/// Adds what was being done to an error, keeping its kind.
fn context(error: io::Error, what: impl fmt::Display) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}
