//! The HTTP/1.1 client: a `GET` over any [`Connector`], with redirects, keep-alive
//! connections reused per origin, and HTTPS.
//!
//! It drives the sans-IO pieces of [`http`](crate::http) with the transport's reads and
//! writes, and holds no socket code of its own. One client is shared by all the downloads of a
//! run (they run on one thread: the idle connections are in a `RefCell`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::http::{
    Event, Framing, HttpError, Limits, MAX_REDIRECTS, RedirectError, ResponseHead, ResponseReader,
    get_request, redirect_target, reusable,
};
use crate::transport::{Connector, Transport};
use crate::url::{Host, Scheme, Url};

/// The most bytes asked of the transport at a time.
const READ_SIZE: usize = 64 * 1024;

/// A client's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// Redirects followed per request.
    pub max_redirects: u32,
    /// Bounds on a response's head.
    pub limits: Limits,
    /// Idle connections kept per origin.
    pub max_idle_per_origin: usize,
    /// Extra CA certificate files (PEM) for HTTPS.
    pub ca_files: Vec<PathBuf>,
    /// Whether the system's CA bundle is trusted too.
    pub system_roots: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            max_redirects: MAX_REDIRECTS,
            limits: Limits::default(),
            max_idle_per_origin: 256,
            ca_files: Vec::new(),
            system_roots: true,
        }
    }
}

/// Why a request failed.
#[derive(Debug)]
pub enum FetchError {
    /// The connection could not be made (refused, unknown host, timed out).
    Connect {
        /// `host:port`.
        origin: String,
        /// What the connector said.
        error: io::Error,
    },
    /// The connection stayed silent longer than the timeout.
    TimedOut,
    /// The connection failed (reset, …).
    Io(io::Error),
    /// The TLS handshake or a TLS record failed, or HTTPS is not set up.
    Tls(String),
    /// The response broke HTTP's rules, or was cut.
    Http(HttpError),
    /// A redirect could not be followed.
    Redirect(RedirectError),
    /// The final response is not a success (2xx).
    Status {
        /// Its status.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// The body could not be written where it goes.
    Write(io::Error),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Connect { origin, error } => {
                write!(f, "cannot connect to {origin}: {error}")
            }
            FetchError::TimedOut => f.write_str("timed out waiting for the server"),
            FetchError::Io(error) => write!(f, "connection error: {error}"),
            FetchError::Tls(error) => write!(f, "TLS: {error}"),
            FetchError::Http(error) => error.fmt(f),
            FetchError::Redirect(error) => error.fmt(f),
            FetchError::Status { status, reason } => {
                write!(f, "server answered {status} {reason}")
            }
            FetchError::Write(error) => write!(f, "cannot write the body: {error}"),
        }
    }
}

impl std::error::Error for FetchError {}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

impl From<io::Error> for FetchError {
    fn from(error: io::Error) -> Self {
        if is_timeout(&error) {
            FetchError::TimedOut
        } else {
            FetchError::Io(error)
        }
    }
}

/// A successful response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The URL that answered (after redirects).
    pub url: Url,
    /// Its head.
    pub head: ResponseHead,
    /// The body's length, all of which was written to the sink.
    pub bytes: u64,
    /// Redirects followed.
    pub redirects: u32,
}

/// Scheme, host and port: connections are reused within one origin only.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Origin {
    scheme: Scheme,
    host: Host,
    port: u16,
}

impl Origin {
    fn of(url: &Url) -> Origin {
        Origin {
            scheme: url.scheme(),
            host: url.host().clone(),
            port: url.port(),
        }
    }
}

/// A connection: plain, or TLS over the connector's stream.
enum Conn<S> {
    Plain(S),
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::TlsStream<S>>),
}

impl<S: Transport> Transport for Conn<S> {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(stream) => stream.read(buf).await,
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => stream.read(buf).await,
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Conn::Plain(stream) => stream.write_all(buf).await,
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => stream.write_all(buf).await,
        }
    }
}

/// What one request/response on one connection came to.
struct Exchange {
    head: ResponseHead,
    bytes: u64,
    reusable: bool,
}

/// A failed exchange, and whether it failed before a response head arrived. On a reused
/// connection that means the connection was stale — the server closed it while it was idle, or
/// sent bytes after its last response that it should not have — and the request (a `GET`) is
/// sent again on a new one. A timeout is not retried.
struct Failure {
    error: FetchError,
    before_head: bool,
}

/// An HTTP/1.1 client over the connections `C` makes; see [the module](self).
pub struct Client<C: Connector> {
    connector: C,
    options: ClientOptions,
    idle: RefCell<HashMap<Origin, Vec<Conn<C::Stream>>>>,
    #[cfg(feature = "tls")]
    tls: std::cell::OnceCell<Result<std::sync::Arc<rustls::ClientConfig>, String>>,
}

impl<C: Connector> fmt::Debug for Client<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.options)
            .field("idle_connections", &self.idle_connections())
            .finish_non_exhaustive()
    }
}

impl<C: Connector> Client<C> {
    /// A client making its connections with `connector`.
    pub fn new(connector: C, options: ClientOptions) -> Self {
        Client {
            connector,
            options,
            idle: RefCell::new(HashMap::new()),
            #[cfg(feature = "tls")]
            tls: std::cell::OnceCell::new(),
        }
    }

    /// Idle connections kept for reuse, over all origins.
    pub fn idle_connections(&self) -> usize {
        self.idle.borrow().values().map(Vec::len).sum()
    }

    /// `GET`s `url`, following redirects, and writes the final (2xx) response's body to
    /// `sink` as it arrives. Any other final status is an error ([`FetchError::Status`]); a
    /// body cut short is an error, with what arrived already in `sink`.
    pub async fn get(&self, url: &Url, sink: &mut dyn Write) -> Result<Response, FetchError> {
        let mut url = url.clone();
        let mut redirects = 0;
        loop {
            let exchange = self.exchange(&url, sink).await?;
            let head = exchange.head;
            let location = head.header("location");
            match redirect_target(
                &url,
                head.status,
                location,
                redirects,
                self.options.max_redirects,
            ) {
                Ok(Some(next)) => {
                    url = next;
                    redirects += 1;
                }
                Ok(None) if (200..300).contains(&head.status) => {
                    return Ok(Response {
                        url,
                        bytes: exchange.bytes,
                        head,
                        redirects,
                    });
                }
                Ok(None) => {
                    return Err(FetchError::Status {
                        status: head.status,
                        reason: head.reason,
                    });
                }
                Err(error) => return Err(FetchError::Redirect(error)),
            }
        }
    }

    /// One request and its response, on an idle connection to the origin if there is one
    /// (sent again on a fresh connection if that one turns out closed), else on a new one.
    async fn exchange(&self, url: &Url, sink: &mut dyn Write) -> Result<Exchange, FetchError> {
        let origin = Origin::of(url);
        let request = get_request(url);
        loop {
            let idle = self.idle.borrow_mut().get_mut(&origin).and_then(Vec::pop);
            let reused = idle.is_some();
            let mut conn = match idle {
                Some(conn) => conn,
                None => self.open(&origin).await?,
            };
            match self.send_and_read(&mut conn, &request, sink).await {
                Ok(exchange) => {
                    if exchange.reusable {
                        let mut idle = self.idle.borrow_mut();
                        let conns = idle.entry(origin).or_default();
                        if conns.len() < self.options.max_idle_per_origin {
                            conns.push(conn);
                        }
                    }
                    return Ok(exchange);
                }
                Err(Failure {
                    before_head: true, ..
                }) if reused => continue,
                Err(failure) => return Err(failure.error),
            }
        }
    }

    async fn open(&self, origin: &Origin) -> Result<Conn<C::Stream>, FetchError> {
        let stream = self
            .connector
            .connect(&origin.host, origin.port)
            .await
            .map_err(|error| FetchError::Connect {
                origin: format!("{}:{}", origin.host, origin.port),
                error,
            })?;
        match origin.scheme {
            Scheme::Http => Ok(Conn::Plain(stream)),
            Scheme::Https => self.start_tls(stream, &origin.host).await,
        }
    }

    #[cfg(feature = "tls")]
    async fn start_tls(
        &self,
        stream: C::Stream,
        host: &Host,
    ) -> Result<Conn<C::Stream>, FetchError> {
        let config = self
            .tls
            .get_or_init(|| {
                crate::tls::client_config(&self.options.ca_files, self.options.system_roots)
            })
            .clone()
            .map_err(FetchError::Tls)?;
        match crate::tls::TlsStream::connect(stream, config, host).await {
            Ok(tls) => Ok(Conn::Tls(Box::new(tls))),
            Err(error) if is_timeout(&error) => Err(FetchError::TimedOut),
            Err(error) => Err(FetchError::Tls(error.to_string())),
        }
    }

    #[cfg(not(feature = "tls"))]
    async fn start_tls(&self, _: C::Stream, _: &Host) -> Result<Conn<C::Stream>, FetchError> {
        Err(FetchError::Tls(
            "this build has no HTTPS (the `tls` feature is off)".into(),
        ))
    }

    /// Sends `request` and reads the response: a 2xx body into `sink`, a redirect's body
    /// nowhere (read to its end so the connection can serve again), any other body not at all.
    async fn send_and_read(
        &self,
        conn: &mut Conn<C::Stream>,
        request: &[u8],
        sink: &mut dyn Write,
    ) -> Result<Exchange, Failure> {
        let early = |error: io::Error| Failure {
            before_head: !is_timeout(&error),
            error: error.into(),
        };
        conn.write_all(request).await.map_err(early)?;
        let mut reader = ResponseReader::with_limits(self.options.limits, false);
        let mut head: Option<ResponseHead> = None;
        let mut bytes = 0u64;
        let late = |error: FetchError| Failure {
            error,
            before_head: false,
        };
        loop {
            match reader.next() {
                Ok(Some(Event::Head(response))) => {
                    let success = (200..300).contains(&response.status);
                    let redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
                    let wanted = success || (redirect && response.framing != Framing::UntilClose);
                    if !wanted {
                        // No body wanted: leave it, and the connection with it.
                        return Ok(Exchange {
                            head: response,
                            bytes: 0,
                            reusable: false,
                        });
                    }
                    head = Some(response);
                }
                Ok(Some(Event::Data(data))) => {
                    if head
                        .as_ref()
                        .is_some_and(|h| (200..300).contains(&h.status))
                    {
                        sink.write_all(data)
                            .map_err(|e| late(FetchError::Write(e)))?;
                        bytes += data.len() as u64;
                    }
                }
                Ok(Some(Event::End)) => {
                    let head = head.expect("End comes after Head");
                    let reusable = reusable(&head, true, reader.leftover().len());
                    return Ok(Exchange {
                        head,
                        bytes,
                        reusable,
                    });
                }
                Ok(None) => {
                    match conn.read(reader.read_buf(READ_SIZE)).await {
                        Ok(0) => reader.feed_eof(),
                        Ok(n) => reader.commit(n),
                        // TLS without close_notify: for a body with a known end, the HTTP
                        // framing says whether anything is missing.
                        Err(error)
                            if error.kind() == io::ErrorKind::UnexpectedEof
                                && reader.framing() != Some(Framing::UntilClose) =>
                        {
                            reader.feed_eof();
                        }
                        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                            return Err(late(FetchError::Tls(format!(
                                "{error}: the body may be truncated"
                            ))));
                        }
                        Err(error) => {
                            return Err(Failure {
                                before_head: head.is_none() && !is_timeout(&error),
                                error: error.into(),
                            });
                        }
                    }
                }
                Err(error) => {
                    return Err(Failure {
                        error: FetchError::Http(error),
                        before_head: head.is_none(),
                    });
                }
            }
        }
    }
}
