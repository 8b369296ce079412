//! Sans-IO HTTP/1.1 client framing on [`httparse`]: no sockets here, only bytes in and out.
//!
//! - [`get_request`] builds a `GET` request.
//! - [`ResponseReader`] is fed the bytes that arrive, in pieces of any size, and reports the
//!   response's head, then its body in chunks, then its end ([`Event`]). It finds the body's
//!   length as RFC 9112 §6.3 says: none (`HEAD`, 1xx, 204, 304), `Transfer-Encoding: chunked`,
//!   `Content-Length`, or until the connection closes ([`Framing`]).
//! - [`redirect_target`] and [`reusable`] are the client's two decisions, as pure functions.
//!
//! ```
//! use downloader::http::{Event, ResponseReader};
//!
//! let mut reader = ResponseReader::new();
//! reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
//! let Ok(Some(Event::Head(head))) = reader.next() else { panic!() };
//! assert_eq!(head.status, 200);
//! assert!(matches!(reader.next(), Ok(Some(Event::Data(b"hel")))));
//! assert!(matches!(reader.next(), Ok(None))); // wants more bytes
//! reader.feed(b"lo");
//! assert!(matches!(reader.next(), Ok(Some(Event::Data(b"lo")))));
//! assert!(matches!(reader.next(), Ok(Some(Event::End))));
//! ```

use std::fmt;

use crate::url::{Url, UrlError};

mod reader;

pub use reader::{Event, ResponseReader};

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("corogen-downloader/", env!("CARGO_PKG_VERSION"));

/// How many redirects a download follows before it gives up.
pub const MAX_REDIRECTS: u32 = 10;

/// Bounds on what a response may make the reader hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest response head (status line and headers, and so a chunked body's trailers).
    pub max_head_bytes: usize,
    /// The most header fields in a head.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: 64 * 1024,
            max_headers: 100,
        }
    }
}

/// A `GET` for `url`'s target, with `Host`, `User-Agent`, `Accept-Encoding: identity` (the body
/// is saved as it comes, so no compression) and `Connection: keep-alive`.
pub fn get_request(url: &Url) -> Vec<u8> {
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\
         Accept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n",
        url.target(),
        url.authority()
    )
    .into_bytes()
}

/// How a response's body ends (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body at all (`HEAD`, 1xx, 204, 304).
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// A response's status line and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead {
    /// `0` for HTTP/1.0, `1` for HTTP/1.1.
    pub version: u8,
    /// The status code.
    pub status: u16,
    /// The reason phrase (may be empty).
    pub reason: String,
    /// The header fields in order, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    /// How the body ends.
    pub framing: Framing,
}

impl ResponseHead {
    /// The first field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Every field named `name` (case-insensitive), in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Whether a comma-separated field `name` holds `token` (case-insensitive), as in
    /// `Connection: keep-alive, Upgrade`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers_named(name)
            .flat_map(|value| value.split(|&b| b == b','))
            .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    }
}

/// What went wrong in a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The connection closed before any byte of a response arrived (on a reused keep-alive
    /// connection: the server had closed it; the request may be sent again on a new one).
    ClosedBeforeResponse,
    /// The connection closed in the middle of the response head.
    TruncatedHead,
    /// The bytes are not an HTTP/1.x response.
    Malformed(String),
    /// The head is longer than [`Limits::max_head_bytes`].
    HeadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// More header fields than [`Limits::max_headers`].
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// A transfer coding other than `chunked` (the client asked for none).
    UnsupportedTransferCoding(String),
    /// The connection closed before the body reached its `Content-Length`.
    BodyTruncated {
        /// The `Content-Length`.
        expected: u64,
        /// The bytes that arrived.
        received: u64,
    },
    /// The connection closed before a chunked body's last chunk.
    ChunkedTruncated {
        /// The body bytes that arrived.
        received: u64,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::ClosedBeforeResponse => {
                f.write_str("connection closed before a response arrived")
            }
            HttpError::TruncatedHead => {
                f.write_str("connection closed in the middle of the response head")
            }
            HttpError::Malformed(what) => write!(f, "malformed response: {what}"),
            HttpError::HeadTooLarge { limit } => {
                write!(f, "response head larger than {limit} bytes")
            }
            HttpError::TooManyHeaders { limit } => {
                write!(f, "response has more than {limit} header fields")
            }
            HttpError::UnsupportedTransferCoding(coding) => {
                write!(f, "unsupported transfer coding {coding:?}")
            }
            HttpError::BodyTruncated { expected, received } => write!(
                f,
                "connection closed after {received} of {expected} bytes \
                 (body shorter than its Content-Length)"
            ),
            HttpError::ChunkedTruncated { received } => write!(
                f,
                "connection closed after {received} bytes, before the end of the chunked body"
            ),
        }
    }
}

impl std::error::Error for HttpError {}

/// The body's framing for a response with this status and these headers, as RFC 9112 §6.3
/// orders the rules: no body for `HEAD`, 1xx, 204 and 304; then `Transfer-Encoding` (only
/// `chunked` is supported: the client asks for no other coding); then `Content-Length` (every
/// value the same number); else until the close.
pub fn framing(
    request_was_head: bool,
    status: u16,
    headers: &[(String, Vec<u8>)],
) -> Result<Framing, HttpError> {
    if request_was_head || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(Framing::Empty);
    }
    let named = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(|&b| b == b','))
            .map(<[u8]>::trim_ascii)
    };
    let mut codings = named("transfer-encoding")
        .filter(|c| !c.is_empty())
        .peekable();
    if codings.peek().is_some() {
        let mut chunked_last = false;
        for coding in codings {
            if !coding.eq_ignore_ascii_case(b"chunked") {
                return Err(HttpError::UnsupportedTransferCoding(
                    String::from_utf8_lossy(coding).into_owned(),
                ));
            }
            if chunked_last {
                return Err(HttpError::Malformed("\"chunked\" applied twice".into()));
            }
            chunked_last = true;
        }
        return Ok(Framing::Chunked);
    }
    let mut length = None;
    for value in named("content-length") {
        let parsed = std::str::from_utf8(value)
            .ok()
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u64>().ok());
        let Some(parsed) = parsed else {
            return Err(HttpError::Malformed(format!(
                "invalid Content-Length {:?}",
                String::from_utf8_lossy(value)
            )));
        };
        if length.is_some_and(|l| l != parsed) {
            return Err(HttpError::Malformed(
                "conflicting Content-Length values".into(),
            ));
        }
        length = Some(parsed);
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// Whether the connection that carried this response can carry the next request: the response
/// was read to its end (`complete`), nothing arrived after it (`leftover_bytes == 0`: bytes
/// past the end mean a server that lied about a length, or one that is out of step), its body
/// did not end with the close, it did not carry both `Transfer-Encoding` and `Content-Length`
/// (RFC 9112 §6.3: such a connection must be closed), and the server keeps it open: HTTP/1.1
/// unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
pub fn reusable(head: &ResponseHead, complete: bool, leftover_bytes: usize) -> bool {
    if !complete || leftover_bytes != 0 || head.framing == Framing::UntilClose {
        return false;
    }
    if head.header("transfer-encoding").is_some() && head.header("content-length").is_some() {
        return false;
    }
    if head.has_token("connection", "close") {
        return false;
    }
    head.version >= 1 || head.has_token("connection", "keep-alive")
}

/// Why a redirect is not followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectError {
    /// A redirect status without a `Location`.
    MissingLocation {
        /// The status.
        status: u16,
    },
    /// A `Location` that is not a valid `http`/`https` URL or reference.
    BadLocation {
        /// The `Location` as sent (lossily decoded).
        location: String,
        /// Why it is not valid.
        error: UrlError,
    },
    /// More redirects than the limit.
    TooMany {
        /// The limit.
        limit: u32,
    },
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectError::MissingLocation { status } => {
                write!(f, "redirect ({status}) without a Location header")
            }
            RedirectError::BadLocation { location, error } => {
                write!(f, "redirect to an invalid location {location:?}: {error}")
            }
            RedirectError::TooMany { limit } => write!(f, "more than {limit} redirects"),
        }
    }
}

impl std::error::Error for RedirectError {}

/// Where a response to a `GET` of `url` sends the client: `Ok(None)` if it is no redirect
/// (anything but 301, 302, 303, 307 and 308), `Ok(Some(next))` to follow it (a `GET` stays a
/// `GET` for all five), or an error: no `Location`, a bad one, or `redirects_so_far` already at
/// `limit`. `location` is resolved against `url` ([`Url::join`]).
pub fn redirect_target(
    url: &Url,
    status: u16,
    location: Option<&[u8]>,
    redirects_so_far: u32,
    limit: u32,
) -> Result<Option<Url>, RedirectError> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = location else {
        return Err(RedirectError::MissingLocation { status });
    };
    if redirects_so_far >= limit {
        return Err(RedirectError::TooMany { limit });
    }
    let text = String::from_utf8_lossy(location);
    let text = text.trim_matches([' ', '\t']);
    url.join(text)
        .map(Some)
        .map_err(|error| RedirectError::BadLocation {
            location: text.to_owned(),
            error,
        })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod hostile_tests;
