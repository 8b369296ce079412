//! The seam between the downloader and the network: two small traits.
//!
//! Everything above this module — HTTP framing, TLS, redirects, keep-alive, files, reports —
//! is written once, as `async` code generic over a [`Connector`]. What runs underneath decides
//! whether downloads overlap:
//!
//! - **the hub's cooperative sockets** (`crate::hub_net`, what the binary uses): a `Connector` whose `connect` resolves the
//!   name on the hub's blocking pool (`hub::spawn_blocking`) and connects a non-blocking
//!   `TcpStream` registered with the hub's reactor; its `read`/`write_all` wait for readiness,
//!   so a task waiting on the network lets the others run, and each wait is wrapped in
//!   `hub::with_timeout`. About thirty lines:
//!
//!   ```text
//!   impl Transport for hub::TcpStream {
//!       fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>> {
//!           timed(self.timeout, hub::TcpStream::read(self, buf))
//!       }
//!       fn write_all(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>> {
//!           timed(self.timeout, hub::TcpStream::write_all(self, buf))
//!       }
//!   }
//!   impl Connector for HubConnector {
//!       type Stream = hub::TcpStream;
//!       async fn connect(&self, host: &Host, port: u16) -> io::Result<hub::TcpStream> {
//!           let addrs = resolve_on_blocking_pool(host, port).await?;
//!           timed(self.timeout, hub::TcpStream::connect(&addrs[..])).await
//!       }
//!   }
//!   ```
//!
//! - **a blocking `std::net` double** (in the tests only: `tests/support/`): the same
//!   traits over `std::net::TcpStream` with socket timeouts. Its futures are ready on their first
//!   poll, so it runs on the hub too, one download after another, which keeps fault-by-fault
//!   tests deterministic.
//!
//! Timeouts are the transport's job: a read or write that waits longer than the configured
//! timeout fails with [`io::ErrorKind::TimedOut`] (or `WouldBlock`, which the client reads the
//! same way). Name resolution is the connector's job: an unknown host fails `connect` with
//! [`io::ErrorKind::NotFound`].

use std::future::Future;
use std::io;

use crate::url::Host;

/// A connected byte stream (a TCP connection, or TLS over one).
///
/// The futures need not be `Send`: the hub runs every task on one thread.
pub trait Transport {
    /// Reads some bytes into `buf`; `Ok(0)` means the peer closed the connection.
    fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>>;

    /// Writes all of `buf`.
    fn write_all(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>>;
}

/// Opens [`Transport`]s: resolves a host and connects to it.
pub trait Connector {
    /// The connections it makes.
    type Stream: Transport;

    /// Connects to `host:port`.
    fn connect(&self, host: &Host, port: u16) -> impl Future<Output = io::Result<Self::Stream>>;
}

impl<T: Transport> Transport for Box<T> {
    fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>> {
        (**self).read(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>> {
        (**self).write_all(buf)
    }
}

impl<C: Connector + ?Sized> Connector for &C {
    type Stream = C::Stream;

    fn connect(&self, host: &Host, port: u16) -> impl Future<Output = io::Result<Self::Stream>> {
        (**self).connect(host, port)
    }
}
