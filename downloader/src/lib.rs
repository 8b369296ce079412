//! The seed's concurrent downloader (gevent's `my_download` over `urllib`), as a real tool on
//! corogen's hub: `downloader [-c CONCURRENCY] [-o DIR] [--force] URL...`.
//!
//! ```text
//! $ downloader http://www.baidu.com/ http://www.cskaoyan.com/ http://www.duolaima.com/
//! GET: http://www.baidu.com/
//! GET: http://www.cskaoyan.com/
//! GET: http://www.duolaima.com/
//! 52562 bytes received from http://www.cskaoyan.com/.
//! 153759 bytes received from http://www.baidu.com/.
//! 12605 bytes received from http://www.duolaima.com/.
//! ```
//!
//! # Layers
//!
//! Everything but the sockets is here, and most of it is sans-IO: pure functions and state
//! machines fed with bytes, tested without a network.
//!
//! | module | what |
//! |---|---|
//! | [`url`] | a strict `http`/`https` URL parser, and reference resolution for redirects |
//! | [`http`] | requests out, responses in ([`httparse`]): framing, limits, redirect and keep-alive decisions |
//! | [`server`] | the test server's side: request parsing, responses, fault modes |
//! | [`output`] | `NAME.part`, renamed only when complete; never overwriting unless asked |
//! | [`report`] | the seed's lines, error lines, the summary, a progress bar on a terminal |
//! | [`cli`] | the command line and the exit codes |
//! | [`transport`] | **the seam**: the [`Transport`] and [`Connector`] traits |
//! | [`client`] | HTTP/1.1 over any `Connector`: redirects, keep-alive per origin, HTTPS |
//! | `tls` | rustls over any `Transport` (feature `tls`, on by default) |
//! | [`download`] | one URL: the seed's `my_download(url)` and `my_download(file_name, url)` |
//! | [`run`] | every URL in a hub [`Pool`](corogen::hub::Pool) of `-c` tasks; the program's `main` |
//!
//! # Plugging in the hub's I/O
//!
//! The network is reached only through two traits ([`transport`]):
//!
//! ```text
//! pub trait Transport {
//!     fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>>;
//!     fn write_all(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>>;
//! }
//! pub trait Connector {
//!     type Stream: Transport;
//!     fn connect(&self, host: &Host, port: u16) -> impl Future<Output = io::Result<Self::Stream>>;
//! }
//! ```
//!
//! Every layer above is `async` and generic over a `Connector`, and [`run::run`] runs the
//! downloads as tasks of a [`Hub`](corogen::hub::Hub) in a `Pool`. The binary
//! (`src/main.rs`) plugs in [`hub_net::HubConnector`]: the hub's cooperative `TcpStream`, names
//! resolved on the hub's blocking pool, every wait bounded by `-t`. While one download waits on
//! the network, the others run, on one thread (`tests/hub.rs` proves the overlap).
//!
//! Most tests also use a blocking `std::net` double (`tests/support/`): its futures are ready
//! on their first poll, which makes fault-by-fault tests deterministic.

#![warn(missing_docs)]

pub mod cli;
pub mod client;
pub mod download;
pub mod http;
pub mod hub_net;
pub mod output;
pub mod report;
pub mod run;
pub mod server;
#[cfg(feature = "tls")]
pub mod tls;
pub mod transport;
pub mod url;

pub use client::{Client, ClientOptions, FetchError, Response};
pub use report::{Reporter, Summary};
pub use transport::{Connector, Transport};
pub use url::{Host, Url};
