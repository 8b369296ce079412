//! The tests' network pieces. The server (`TestServer`) runs `downloader::server`'s sans-IO
//! logic with its fault modes: plain HTTP as tasks of a hub on the hub's cooperative sockets (a
//! task per connection, gevent's StreamServer), HTTPS on a thread per connection. The client
//! side has a blocking double (`StdConnector`) whose futures are ready on their first poll, so
//! fault-by-fault tests are deterministic; `tests/hub.rs` drives the real `HubConnector`.
//!
//! Everything here binds and connects to 127.0.0.1 only; the connector resolves no names (a
//! name is an "unknown host"), so no test ever reaches DNS or another address.

#![allow(dead_code, reason = "each test binary uses part of the support")]

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use corogen::hub::{self, Hub};
use downloader::server::{Action, RequestError, Site, parse_request, response_head};
use downloader::transport::{Connector, Transport};
use downloader::url::Host;

/// Connects with blocking `std::net` sockets, each read and write bounded by `timeout`.
#[derive(Clone, Debug)]
pub struct StdConnector {
    pub timeout: Duration,
}

impl StdConnector {
    pub fn new(timeout: Duration) -> Self {
        StdConnector { timeout }
    }
}

/// A blocking stream: its futures are ready on their first poll.
#[derive(Debug)]
pub struct StdStream(TcpStream);

impl Transport for StdStream {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        Write::write_all(&mut self.0, buf)
    }
}

impl Connector for StdConnector {
    type Stream = StdStream;

    async fn connect(&self, host: &Host, port: u16) -> io::Result<StdStream> {
        let ip = match host {
            Host::Ipv4(ip) if ip.is_loopback() => *ip,
            Host::Name(name) if name == "localhost" => Ipv4Addr::LOCALHOST,
            Host::Name(name) => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("unknown host {name} (the test connector resolves no names)"),
                ));
            }
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{other}: the tests reach 127.0.0.0/8 only"),
                ));
            }
        };
        let stream = TcpStream::connect_timeout(&SocketAddr::from((ip, port)), self.timeout)?;
        stream.set_read_timeout(Some(self.timeout))?;
        stream.set_write_timeout(Some(self.timeout))?;
        stream.set_nodelay(true)?;
        Ok(StdStream(stream))
    }
}

/// Runs a future of the blocking stand-in, which never waits: it is ready on its first poll.
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the blocking stand-in never waits"),
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn refused_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// Counts of what the server saw.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: AtomicUsize,
    pub requests: AtomicUsize,
    pub targets: Mutex<Vec<String>>,
}

impl Stats {
    /// Counts one request for `target`.
    fn record(&self, target: &str) {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.targets.lock().unwrap().push(target.to_owned());
    }
}

/// How the server wraps a connection (plain, or TLS on the test certificate).
pub type Wrap = Arc<dyn Fn(TcpStream) -> Option<Box<dyn ReadWrite>> + Send + Sync>;

/// A stream the server talks over.
pub trait ReadWrite: Read + Write + Send {
    /// Ends the connection (TLS: with close_notify).
    fn close(&mut self) {}
}

impl ReadWrite for TcpStream {}

/// The test server: `site` on 127.0.0.1; stops when dropped. Plain HTTP is served the gevent
/// way (`start`): one hub thread, a task per connection on the hub's cooperative sockets, as in
/// `examples/server.rs`. HTTPS (`start_wrapped`) keeps a thread per connection, because its
/// TLS layer works over blocking streams.
pub struct TestServer {
    pub port: u16,
    pub stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start(site: Site) -> TestServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (stats, stop) = (Arc::clone(&stats), Arc::clone(&stop));
            thread::spawn(move || {
                let hub = Hub::new();
                hub.block_on(async move {
                    let listener = hub::net::TcpListener::from_std(listener).unwrap();
                    let site = Rc::new(site);
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        stats.connections.fetch_add(1, Ordering::SeqCst);
                        let (site, stats) = (Rc::clone(&site), Arc::clone(&stats));
                        hub::spawn(async move {
                            let _ = stream.set_nodelay(true);
                            serve_on_hub(stream, &site, &stats).await;
                        });
                    }
                });
                // Dropping the hub ends the connections still open.
            })
        };
        TestServer {
            port,
            stats,
            stop,
            accept: Some(accept),
        }
    }

    pub fn start_wrapped(site: Site, wrap: Wrap) -> TestServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let site = Arc::new(site);
        let accept = {
            let (stats, stop) = (Arc::clone(&stats), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    stats.connections.fetch_add(1, Ordering::SeqCst);
                    let (site, stats, wrap) =
                        (Arc::clone(&site), Arc::clone(&stats), Arc::clone(&wrap));
                    thread::spawn(move || {
                        let _ = stream.set_nodelay(true);
                        if let Some(stream) = wrap(stream) {
                            serve(stream, &site, &stats);
                        }
                    });
                }
            })
        };
        TestServer {
            port,
            stats,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT{target}`.
    pub fn url(&self, target: &str) -> String {
        format!("http://127.0.0.1:{}{target}", self.port)
    }

    pub fn connections(&self) -> usize {
        self.stats.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// The answer to a request that does not parse: its status, the reason, and a close.
fn error_response(error: &RequestError) -> Vec<u8> {
    let body = format!("{error}\n");
    let mut response = response_head(
        error.status(),
        &[
            ("Content-Length", body.len().to_string()),
            ("Connection", "close".into()),
        ],
    );
    response.extend_from_slice(body.as_bytes());
    response
}

/// One connection on the hub: requests in, the site's actions out, until a close.
async fn serve_on_hub(stream: hub::net::TcpStream, site: &Site, stats: &Stats) {
    let mut pending = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match parse_request(&pending) {
            Ok(Some((request, consumed))) => {
                pending.drain(..consumed);
                stats.record(&request.target);
                for action in site.respond(&request) {
                    match action {
                        Action::Send(bytes) => {
                            if stream.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Action::Stall(duration) => hub::sleep(duration).await,
                        Action::Close => return,
                    }
                }
                continue;
            }
            Ok(None) => {}
            Err(error) => {
                let _ = stream.write_all(&error_response(&error)).await;
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

/// One connection (thread per connection, for TLS): requests in, the site's actions out.
fn serve(mut stream: Box<dyn ReadWrite>, site: &Site, stats: &Stats) {
    let mut pending = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match parse_request(&pending) {
            Ok(Some((request, consumed))) => {
                pending.drain(..consumed);
                stats.record(&request.target);
                for action in site.respond(&request) {
                    match action {
                        Action::Send(bytes) => {
                            if stream
                                .write_all(&bytes)
                                .and_then(|()| stream.flush())
                                .is_err()
                            {
                                return;
                            }
                        }
                        Action::Stall(duration) => thread::sleep(duration),
                        Action::Close => {
                            stream.close();
                            return;
                        }
                    }
                }
                continue;
            }
            Ok(None) => {}
            Err(error) => {
                let _ = stream.write_all(&error_response(&error));
                stream.close();
                return;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A fresh directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("downloader-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The file names in the directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Bytes that differ at every offset that matters (not a repeating short pattern).
pub fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A test certificate authority and a server certificate for 127.0.0.1 and `localhost`.
#[cfg(feature = "tls")]
pub mod tls {
    use super::*;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use rustls::{ServerConfig, ServerConnection, StreamOwned};

    pub struct TestCa {
        /// The CA's certificate, PEM.
        pub ca_pem: String,
        pub server_config: Arc<ServerConfig>,
    }

    impl TestCa {
        pub fn new() -> TestCa {
            use rcgen::{
                BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose,
                SanType,
            };
            let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
            ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            ca_params
                .distinguished_name
                .push(DnType::CommonName, "downloader test CA");
            ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            let ca_key = KeyPair::generate().unwrap();
            let ca = ca_params.self_signed(&ca_key).unwrap();
            let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
            params
                .subject_alt_names
                .push(SanType::IpAddress(Ipv4Addr::LOCALHOST.into()));
            let key = KeyPair::generate().unwrap();
            let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let server_config = ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![CertificateDer::from(cert.der().to_vec())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
                )
                .unwrap();
            TestCa {
                ca_pem: ca.pem(),
                server_config: Arc::new(server_config),
            }
        }

        /// Writes the CA certificate to `dir/ca.pem` and returns its path.
        pub fn write_ca(&self, dir: &Path) -> PathBuf {
            let path = dir.join("ca.pem");
            std::fs::write(&path, &self.ca_pem).unwrap();
            path
        }

        /// A test server speaking TLS with this CA's server certificate.
        pub fn start_server(&self, site: Site) -> TestServer {
            self.start(site, true)
        }

        /// One that closes connections without TLS's close_notify.
        pub fn start_unclean_server(&self, site: Site) -> TestServer {
            self.start(site, false)
        }

        fn start(&self, site: Site, close_notify: bool) -> TestServer {
            let config = Arc::clone(&self.server_config);
            TestServer::start_wrapped(
                site,
                Arc::new(move |stream| {
                    let connection = ServerConnection::new(Arc::clone(&config)).ok()?;
                    let stream =
                        TlsServerStream(StreamOwned::new(connection, stream), close_notify);
                    Some(Box::new(stream) as Box<dyn ReadWrite>)
                }),
            )
        }
    }

    struct TlsServerStream(StreamOwned<ServerConnection, TcpStream>, bool);

    impl Read for TlsServerStream {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl Write for TlsServerStream {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.0.flush()
        }
    }

    impl ReadWrite for TlsServerStream {
        fn close(&mut self) {
            if self.1 {
                self.0.conn.send_close_notify();
                let _ = self.0.flush();
            }
        }
    }
}
