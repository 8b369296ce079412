//! Sans-IO HTTP/1.1 server logic for the hello/static-file server the downloader is tested and
//! benchmarked against: request parsing on [`httparse`], response building, and fault modes.
//!
//! A connection loop (the hub's `StreamServer`-like task per connection, later; a thread in the
//! tests now) feeds received bytes to [`parse_request`], hands each request to
//! [`Site::respond`], and carries out the [`Action`]s it gets back in order: send bytes, stall,
//! or close. It closes after the last action if the request did not keep the connection alive.
//!
//! # Routes
//!
//! | target | response |
//! |---|---|
//! | a file's path | the file: from [`Site::with_file`], else under [`Site::serving_dir`]'s root |
//! | `/status/NNN` | status NNN with a short text body |
//! | `/redirect/N/REST` | 302 to `/redirect/N-1/REST`, and from `/redirect/1/REST` to `/REST` |
//! | `/relative/REST` | 301 to the relative reference `../REST` |
//! | `/loop` | 302 to itself |
//! | `/no-location` | 302 without `Location` |
//!
//! A file's response can be spoiled with `?fault=NAME` ([`Fault`]): cut mid-body, stalled, lying
//! about its length, malformed, and more.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The longest request head accepted.
pub const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// A request's line and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request target (`/path?query`).
    pub target: String,
    /// `0` for HTTP/1.0, `1` for HTTP/1.1.
    pub version: u8,
    /// Header fields in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Request {
    /// The target's path.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&self.target, |(path, _)| path)
    }

    /// The target's query, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, query)| query)
    }

    /// Whether the client wants the connection kept open after the response: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
                .flat_map(|(_, value)| value.split(|&b| b == b','))
                .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
        };
        !has("close") && (self.version >= 1 || has("keep-alive"))
    }
}

/// A request the server cannot take; the connection answers with [`status`](Self::status)
/// and closes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// Not an HTTP/1.x request.
    Malformed(String),
    /// A head longer than [`MAX_REQUEST_HEAD`], or too many fields.
    TooLarge,
    /// A request with a body (this server takes none).
    HasBody,
}

impl RequestError {
    /// The status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            RequestError::Malformed(_) => 400,
            RequestError::TooLarge => 431,
            RequestError::HasBody => 413,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Malformed(what) => write!(f, "malformed request: {what}"),
            RequestError::TooLarge => f.write_str("request head too large"),
            RequestError::HasBody => f.write_str("request bodies are not accepted"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Parses one request from the start of `buf`: `Ok(Some((request, consumed)))`, or `Ok(None)`
/// if more bytes are needed. Pipelined requests follow at `buf[consumed..]`.
pub fn parse_request(buf: &[u8]) -> Result<Option<(Request, usize)>, RequestError> {
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut fields);
    let consumed = match request.parse(buf) {
        Ok(httparse::Status::Complete(consumed)) => consumed,
        Ok(httparse::Status::Partial) if buf.len() > MAX_REQUEST_HEAD => {
            return Err(RequestError::TooLarge);
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(RequestError::TooLarge),
        Err(error) => return Err(RequestError::Malformed(error.to_string())),
    };
    if consumed > MAX_REQUEST_HEAD {
        return Err(RequestError::TooLarge);
    }
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        unreachable!("httparse: a complete request has a method, a target and a version");
    };
    let headers: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|field| (field.name.to_owned(), field.value.to_vec()))
        .collect();
    let has_body = headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value.trim_ascii() != b"0")
    });
    if has_body {
        return Err(RequestError::HasBody);
    }
    let request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        version,
        headers,
    };
    Ok(Some((request, consumed)))
}

/// One thing the connection loop does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send these bytes.
    Send(Vec<u8>),
    /// Send nothing for this long.
    Stall(Duration),
    /// Close the connection (no more actions follow).
    Close,
}

/// The reason phrase for a status.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// A response head: status line, `Server`, the given fields, and the blank line.
pub fn response_head(status: u16, fields: &[(&str, String)]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nServer: corogen\r\n",
        reason(status)
    );
    for (name, value) in fields {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// `body` in chunked encoding, in chunks of `chunk` bytes, with a chunk extension on the first
/// chunk and a trailer field, to exercise a client's parser.
pub fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / chunk.max(1) * 8 + 32);
    for (i, piece) in body.chunks(chunk.max(1)).enumerate() {
        let extension = if i == 0 { ";name=value" } else { "" };
        out.extend_from_slice(format!("{:x}{extension}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\nX-Trailer: done\r\n\r\n");
    out
}

/// Ways to spoil a file's response, chosen with `?fault=NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `cut`: the right `Content-Length`, half the body, then the connection closes.
    Cut,
    /// `cut-chunked`: chunked, half the body, then the connection closes (no last chunk).
    CutChunked,
    /// `stall`: the head and half the body, then silence for [`Site::stall`], then a close.
    Stall,
    /// `stall-head`: silence for [`Site::stall`] before anything, then a close.
    StallHead,
    /// `long-length`: a `Content-Length` 100 bytes longer than the body sent, then a close.
    LongLength,
    /// `short-length`: a `Content-Length` of half the body, and the whole body sent.
    ShortLength,
    /// `malformed`: a status line that is not HTTP's, then a close.
    Malformed,
    /// `garbage`: bytes that are not HTTP at all, then a close.
    Garbage,
    /// `drop`: a close before any response.
    Drop,
    /// `silent-close`: a correct response that keeps the connection, then a close anyway (as a
    /// server does when an idle keep-alive connection times out).
    SilentClose,
    /// `until-close`: no length, `Connection: close`, the body, then a close.
    UntilClose,
    /// `chunked`: a correct chunked body in small chunks (not a fault: a framing to test).
    Chunked,
}

impl Fault {
    /// The fault named in a query (`fault=NAME` among `&`-separated pairs).
    pub fn from_query(query: Option<&str>) -> Option<Fault> {
        let name = query?
            .split('&')
            .find_map(|pair| pair.strip_prefix("fault="))?;
        Some(match name {
            "cut" => Fault::Cut,
            "cut-chunked" => Fault::CutChunked,
            "stall" => Fault::Stall,
            "stall-head" => Fault::StallHead,
            "long-length" => Fault::LongLength,
            "short-length" => Fault::ShortLength,
            "malformed" => Fault::Malformed,
            "garbage" => Fault::Garbage,
            "drop" => Fault::Drop,
            "silent-close" => Fault::SilentClose,
            "until-close" => Fault::UntilClose,
            "chunked" => Fault::Chunked,
            _ => return None,
        })
    }
}

/// What the server serves; see [the module](self) for the routes.
#[derive(Clone, Debug)]
pub struct Site {
    files: HashMap<String, Vec<u8>>,
    root: Option<PathBuf>,
    /// How long [`Fault::Stall`] and [`Fault::StallHead`] stay silent.
    pub stall: Duration,
}

impl Default for Site {
    fn default() -> Self {
        Site::new()
    }
}

impl Site {
    /// A site with no files (only the built-in routes).
    pub fn new() -> Self {
        Site {
            files: HashMap::new(),
            root: None,
            stall: Duration::from_secs(5),
        }
    }

    /// Serves `body` at `path` (which starts with `/`).
    pub fn with_file(mut self, path: &str, body: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_owned(), body.into());
        self
    }

    /// Serves the files under `root` too.
    pub fn serving_dir(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// What to do for `request`: the actions, ending with [`Action::Close`] when the
    /// connection must close.
    pub fn respond(&self, request: &Request) -> Vec<Action> {
        let keep_alive = request.keep_alive();
        let head_only = request.method == "HEAD";
        let mut actions = if request.method != "GET" && !head_only {
            simple(
                405,
                "only GET and HEAD\n",
                &[("Allow", "GET, HEAD".into())],
                head_only,
            )
        } else {
            self.route(request, head_only)
        };
        if !keep_alive && actions.last() != Some(&Action::Close) {
            actions.push(Action::Close);
        }
        actions
    }

    fn route(&self, request: &Request, head_only: bool) -> Vec<Action> {
        let path = request.path();
        if let Some(code) = path.strip_prefix("/status/") {
            return match code.parse::<u16>() {
                Ok(status @ 200..=599) => {
                    simple(status, &format!("status {status}\n"), &[], head_only)
                }
                _ => simple(404, "not found\n", &[], head_only),
            };
        }
        if let Some(rest) = path.strip_prefix("/redirect/") {
            let (count, rest) = rest.split_once('/').unwrap_or((rest, ""));
            return match count.parse::<u32>() {
                Ok(0 | 1) => redirect(302, format!("/{rest}"), head_only),
                Ok(n) => redirect(302, format!("/redirect/{}/{rest}", n - 1), head_only),
                Err(_) => simple(404, "not found\n", &[], head_only),
            };
        }
        if let Some(rest) = path.strip_prefix("/relative/") {
            return redirect(301, format!("../{rest}"), head_only);
        }
        match path {
            "/loop" => return redirect(302, "/loop".into(), head_only),
            "/no-location" => return simple(302, "", &[], head_only),
            _ => {}
        }
        match self.file(path) {
            Some(body) => file_response(
                &body,
                Fault::from_query(request.query()),
                self.stall,
                head_only,
            ),
            None => simple(404, "not found\n", &[], head_only),
        }
    }

    fn file(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(body) = self.files.get(path) {
            return Some(body.clone());
        }
        std::fs::read(resolve(self.root.as_ref()?, path)?).ok()
    }
}

/// The file under `root` that `path` names, if it is a plain, visible one: no segment may be
/// empty (except a final one: `index.html`) or start with `.`, so nothing outside `root`, and
/// no hidden file, is ever served; percent-escapes are not decoded.
pub fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let path = path.strip_prefix('/')?;
    let mut resolved = root.to_path_buf();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if segment.is_empty() && last {
            resolved.push("index.html");
            break;
        }
        if segment.is_empty() || segment.starts_with('.') || segment.contains(['\\', '%', '\0']) {
            return None;
        }
        resolved.push(segment);
    }
    if resolved.is_dir() {
        resolved.push("index.html");
    }
    resolved.is_file().then_some(resolved)
}

fn simple(status: u16, body: &str, fields: &[(&str, String)], head_only: bool) -> Vec<Action> {
    let mut all = vec![
        ("Content-Type", "text/plain".to_owned()),
        ("Content-Length", body.len().to_string()),
    ];
    all.extend(fields.iter().cloned());
    let mut bytes = response_head(status, &all);
    if !head_only {
        bytes.extend_from_slice(body.as_bytes());
    }
    vec![Action::Send(bytes)]
}

fn redirect(status: u16, location: String, head_only: bool) -> Vec<Action> {
    simple(
        status,
        "redirecting\n",
        &[("Location", location)],
        head_only,
    )
}

fn file_response(
    body: &[u8],
    fault: Option<Fault>,
    stall: Duration,
    head_only: bool,
) -> Vec<Action> {
    let octets = ("Content-Type", "application/octet-stream".to_owned());
    let length = |n: usize| ("Content-Length", n.to_string());
    let half = body.len() / 2;
    let with_body = |mut head: Vec<u8>, body: &[u8]| {
        if !head_only {
            head.extend_from_slice(body);
        }
        Action::Send(head)
    };
    match fault {
        None => vec![with_body(
            response_head(200, &[octets, length(body.len())]),
            body,
        )],
        Some(Fault::Cut) => vec![
            with_body(
                response_head(200, &[octets, length(body.len())]),
                &body[..half],
            ),
            Action::Close,
        ],
        Some(Fault::CutChunked) => {
            let mut encoded = chunked(&body[..half], half.max(1));
            encoded.truncate(encoded.len() - b"0\r\nX-Trailer: done\r\n\r\n".len());
            let te = ("Transfer-Encoding", "chunked".to_owned());
            vec![
                with_body(response_head(200, &[octets, te]), &encoded),
                Action::Close,
            ]
        }
        Some(Fault::Stall) => vec![
            with_body(
                response_head(200, &[octets, length(body.len())]),
                &body[..half],
            ),
            Action::Stall(stall),
            Action::Close,
        ],
        Some(Fault::StallHead) => vec![Action::Stall(stall), Action::Close],
        Some(Fault::LongLength) => vec![
            with_body(
                response_head(200, &[octets, length(body.len() + 100)]),
                body,
            ),
            Action::Close,
        ],
        Some(Fault::ShortLength) => {
            vec![with_body(response_head(200, &[octets, length(half)]), body)]
        }
        Some(Fault::Malformed) => vec![
            Action::Send(b"HTTP/1.1 2x0 OK\r\n\r\n".to_vec()),
            Action::Close,
        ],
        Some(Fault::Garbage) => vec![
            Action::Send(b"this is not HTTP\r\n\r\n".to_vec()),
            Action::Close,
        ],
        Some(Fault::Drop) => vec![Action::Close],
        Some(Fault::SilentClose) => vec![
            with_body(response_head(200, &[octets, length(body.len())]), body),
            Action::Close,
        ],
        Some(Fault::UntilClose) => vec![
            with_body(
                response_head(200, &[octets, ("Connection", "close".into())]),
                body,
            ),
            Action::Close,
        ],
        Some(Fault::Chunked) => {
            let te = ("Transfer-Encoding", "chunked".to_owned());
            vec![with_body(
                response_head(200, &[octets, te]),
                &chunked(body, 1000),
            )]
        }
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
