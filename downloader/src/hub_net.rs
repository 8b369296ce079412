//! The downloader on the hub's cooperative sockets: while one download waits on the network,
//! the others run, all on one thread.
//!
//! Names are resolved on the hub's blocking pool (inside `TcpStream::connect_timeout`), the
//! connect is bounded by the run's timeout, and every read and write by the socket's own
//! timeouts, so a stalled server fails its URL with `TimedOut` and holds up nobody else.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use corogen::hub::net::TcpStream;

use crate::transport::{Connector, Transport};
use crate::url::Host;

impl Transport for TcpStream {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        TcpStream::read(self, buf).await
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        TcpStream::write_all(self, buf).await
    }
}

/// Connects through the hub's reactor, with `timeout` for the connect (lookup included) and for
/// each read and write.
#[derive(Debug, Clone, Copy)]
pub struct HubConnector {
    timeout: Duration,
}

impl HubConnector {
    /// A connector whose every wait is bounded by `timeout`.
    pub fn new(timeout: Duration) -> Self {
        HubConnector { timeout }
    }
}

impl Connector for HubConnector {
    type Stream = TcpStream;

    async fn connect(&self, host: &Host, port: u16) -> io::Result<TcpStream> {
        let stream = match host {
            Host::Ipv4(ip) => {
                let address = SocketAddr::new(IpAddr::V4(*ip), port);
                TcpStream::connect_timeout(address, self.timeout).await?
            }
            Host::Ipv6(ip) => {
                let address = SocketAddr::new(IpAddr::V6(*ip), port);
                TcpStream::connect_timeout(address, self.timeout).await?
            }
            Host::Name(name) => {
                TcpStream::connect_timeout((name.as_str(), port), self.timeout).await?
            }
        };
        stream.set_read_timeout(Some(self.timeout));
        stream.set_write_timeout(Some(self.timeout));
        // Requests are small and written at once; do not let Nagle hold them back.
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}
