//! A small, strict parser for the URLs the downloader fetches: `http://host[:port]/path?query`
//! and `https://…`.
//!
//! The host is an IPv4 address, an IPv6 address in brackets, or a DNS name; the port defaults to
//! the scheme's. Percent-encoding is checked (`%` must start two hex digits) but left as it is:
//! the path goes to the server exactly as written, after `.`/`..` segments are removed as
//! RFC 3986 §5.2.4 says. A `#fragment` is dropped (it is never sent). Anything else — a space or
//! control character, non-ASCII text, credentials (`user@host`), a port out of range, an IPv6
//! address without brackets, a zone id — is refused with an error that says what is wrong, so
//! that a bad URL fails alone and clearly instead of reaching a server half-understood.
//!
//! ```
//! use downloader::url::{Host, Url};
//!
//! let url = Url::parse("HTTP://Example.com:8080/a/./b/../c?x=1#top").unwrap();
//! assert_eq!(url.host(), &Host::Name("example.com".into()));
//! assert_eq!(url.port(), 8080);
//! assert_eq!(url.target(), "/a/c?x=1");
//! assert_eq!(url.to_string(), "http://example.com:8080/a/c?x=1");
//! assert!(Url::parse("http://example.com:99999/").is_err());
//! ```

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 8 * 1024;

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP, port 80 by default.
    Http,
    /// HTTP over TLS, port 443 by default.
    Https,
}

impl Scheme {
    /// The port used when the URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// The host part of a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A dotted-quad IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets in the URL).
    Ipv6(Ipv6Addr),
    /// A DNS name, lowercased.
    Name(String),
}

impl fmt::Display for Host {
    /// As written in a URL or a `Host` header: IPv6 addresses in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ipv4(addr) => write!(f, "{addr}"),
            Host::Ipv6(addr) => write!(f, "[{addr}]"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// A parsed `http` or `https` URL. Its `Display` is the canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Url {
    scheme: Scheme,
    host: Host,
    port: u16,
    /// Path (starting with `/`) and query, as sent on the request line.
    target: String,
}

/// Why a URL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// The URL is empty.
    Empty,
    /// The URL is longer than [`MAX_URL_LEN`] bytes: as written, or once normalized or
    /// resolved against a base (this length).
    TooLong(usize),
    /// No `scheme://` in front.
    MissingScheme,
    /// A scheme other than `http` or `https`.
    UnsupportedScheme(String),
    /// A character that may not appear in a URL (space, control, non-ASCII, `<>"{}|\^` and
    /// backquote), at this byte offset.
    InvalidChar {
        /// The character.
        ch: char,
        /// Its byte offset in the URL.
        at: usize,
    },
    /// A `%` not followed by two hex digits, at this byte offset.
    InvalidPercent {
        /// The `%`'s byte offset in the URL.
        at: usize,
    },
    /// `user:password@` in the authority.
    Credentials,
    /// No host between `//` and the path.
    EmptyHost,
    /// A host that is not a valid name or address.
    InvalidHost {
        /// The host as written.
        host: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A port that is not a number from 1 to 65535.
    InvalidPort(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Empty => f.write_str("empty URL"),
            UrlError::TooLong(len) => {
                write!(f, "URL too long ({len} bytes; at most {MAX_URL_LEN})")
            }
            UrlError::MissingScheme => {
                f.write_str("no scheme: the URL must start with http:// or https://")
            }
            UrlError::UnsupportedScheme(scheme) => {
                write!(
                    f,
                    "unsupported scheme {scheme:?}: only http and https are supported"
                )
            }
            UrlError::InvalidChar { ch, at } => write!(
                f,
                "character {ch:?} at byte {at} is not allowed in a URL (percent-encode it)"
            ),
            UrlError::InvalidPercent { at } => {
                write!(f, "'%' at byte {at} is not followed by two hex digits")
            }
            UrlError::Credentials => {
                f.write_str("credentials (user@host) in URLs are not supported")
            }
            UrlError::EmptyHost => f.write_str("no host in URL"),
            UrlError::InvalidHost { host, reason } => write!(f, "invalid host {host:?}: {reason}"),
            UrlError::InvalidPort(port) => {
                write!(f, "invalid port {port:?}: must be a number from 1 to 65535")
            }
        }
    }
}

impl std::error::Error for UrlError {}

impl Url {
    /// Parses an absolute `http` or `https` URL.
    pub fn parse(input: &str) -> Result<Url, UrlError> {
        check_chars(input)?;
        let Some((scheme, rest)) = split_scheme(input)? else {
            return Err(UrlError::MissingScheme);
        };
        let Some(rest) = rest.strip_prefix("//") else {
            return Err(UrlError::MissingScheme);
        };
        let rest = strip_fragment(rest);
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(end);
        let (host, port) = parse_authority(authority, scheme)?;
        Url {
            scheme,
            host,
            port,
            target: normalize_target(target),
        }
        .within_limit()
    }

    /// Resolves `reference` (a redirect's `Location`: absolute, `//host…`, `/path`, `?query`
    /// or a relative path) against this URL, as RFC 3986 §5.2 does.
    pub fn join(&self, reference: &str) -> Result<Url, UrlError> {
        check_chars(reference)?;
        if split_scheme(reference)?.is_some() {
            return Url::parse(reference);
        }
        if reference.starts_with("//") {
            return Url::parse(&format!("{}:{reference}", self.scheme.as_str()));
        }
        let reference = strip_fragment(reference);
        let (path, query) = match reference.find('?') {
            Some(at) => reference.split_at(at),
            None => (reference, ""),
        };
        let path = if path.is_empty() {
            self.path().to_owned()
        } else if path.starts_with('/') {
            path.to_owned()
        } else {
            let base = self.path();
            let dir = &base[..=base.rfind('/').unwrap_or(0)];
            format!("{dir}{path}")
        };
        let query = if reference.is_empty() {
            self.query_with_mark()
        } else {
            query
        };
        Url {
            scheme: self.scheme,
            host: self.host.clone(),
            port: self.port,
            target: format!("{}{query}", remove_dot_segments(&path)),
        }
        .within_limit()
    }

    /// The URL if its string form fits in [`MAX_URL_LEN`] (so that it parses back): a URL
    /// resolved against a long base, or one that normalizing made longer (`http://h?q` is
    /// `http://h/?q`), may not.
    fn within_limit(self) -> Result<Url, UrlError> {
        let len =
            self.scheme.as_str().len() + "://".len() + self.authority().len() + self.target.len();
        if len > MAX_URL_LEN {
            return Err(UrlError::TooLong(len));
        }
        Ok(self)
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port: the one written, or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Path and query, as sent on the request line (`/a/b?x=1`).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path, starting with `/`.
    pub fn path(&self) -> &str {
        match self.target.find('?') {
            Some(at) => &self.target[..at],
            None => &self.target,
        }
    }

    /// The query without its `?`, if there is one.
    pub fn query(&self) -> Option<&str> {
        self.target.find('?').map(|at| &self.target[at + 1..])
    }

    fn query_with_mark(&self) -> &str {
        &self.target[self.path().len()..]
    }

    /// `host` or `host:port` when the port is not the scheme's default: the `Host` header.
    pub fn authority(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host.to_string()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.authority(),
            self.target
        )
    }
}

impl std::str::FromStr for Url {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Url, UrlError> {
        Url::parse(s)
    }
}

/// Length, allowed characters and percent-escapes, over the whole input.
fn check_chars(input: &str) -> Result<(), UrlError> {
    if input.is_empty() {
        return Err(UrlError::Empty);
    }
    if input.len() > MAX_URL_LEN {
        return Err(UrlError::TooLong(input.len()));
    }
    let bytes = input.as_bytes();
    for (at, ch) in input.char_indices() {
        let allowed = ch.is_ascii_graphic()
            && !matches!(ch, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`');
        if !allowed {
            return Err(UrlError::InvalidChar { ch, at });
        }
        if ch == '%' {
            let hex = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(at + 1) && hex(at + 2)) {
                return Err(UrlError::InvalidPercent { at });
            }
        }
    }
    Ok(())
}

/// `Some((scheme, rest after ':'))` if `input` starts with a scheme (RFC 3986:
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`), `None` if it has none.
fn split_scheme(input: &str) -> Result<Option<(Scheme, &str)>, UrlError> {
    let Some(colon) = input.find(':') else {
        return Ok(None);
    };
    let name = &input[..colon];
    let mut chars = name.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return Ok(None);
    }
    let scheme = match name.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => return Err(UrlError::UnsupportedScheme(name.to_owned())),
    };
    Ok(Some((scheme, &input[colon + 1..])))
}

fn strip_fragment(s: &str) -> &str {
    s.find('#').map_or(s, |at| &s[..at])
}

fn parse_authority(authority: &str, scheme: Scheme) -> Result<(Host, u16), UrlError> {
    if authority.contains('@') {
        return Err(UrlError::Credentials);
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(invalid_host(authority, "'[' without ']'"));
        };
        let port = match &rest[close + 1..] {
            "" => None,
            after => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return Err(invalid_host(authority, "unexpected text after ']'")),
            },
        };
        let literal = &rest[..close];
        let addr = literal.parse::<Ipv6Addr>().map_err(|_| {
            invalid_host(literal, "not an IPv6 address (zone ids are not supported)")
        })?;
        (Host::Ipv6(addr), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if port.is_some_and(|p| p.contains(':')) {
            return Err(invalid_host(
                authority,
                "an IPv6 address must be written in brackets",
            ));
        }
        (parse_host_name(host)?, port)
    };
    let port = match port {
        None => scheme.default_port(),
        Some(text) => parse_port(text)?,
    };
    Ok((host, port))
}

fn parse_port(text: &str) -> Result<u16, UrlError> {
    let bad = || UrlError::InvalidPort(text.to_owned());
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match text.parse::<u32>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        _ => Err(bad()),
    }
}

fn parse_host_name(host: &str) -> Result<Host, UrlError> {
    if host.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    if host.len() > 253 {
        return Err(invalid_host(host, "longer than 253 characters"));
    }
    let last_label = host.rsplit('.').next().unwrap_or(host);
    if !last_label.is_empty() && last_label.bytes().all(|b| b.is_ascii_digit()) {
        // All-numeric last label: it must be a whole dotted quad (no `1.2.3`, no `256.0.0.1`,
        // no leading zeros, which some parsers read as octal).
        return host
            .parse::<Ipv4Addr>()
            .map(Host::Ipv4)
            .map_err(|_| invalid_host(host, "not a valid IPv4 address"));
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(invalid_host(host, "empty label"));
        }
        if label.len() > 63 {
            return Err(invalid_host(host, "a label is longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid_host(
                host,
                "only letters, digits, '-', '_' and '.' are allowed",
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid_host(host, "a label starts or ends with '-'"));
        }
    }
    Ok(Host::Name(host.to_ascii_lowercase()))
}

fn invalid_host(host: &str, reason: &'static str) -> UrlError {
    UrlError::InvalidHost {
        host: host.to_owned(),
        reason,
    }
}

/// `""` → `/`, `?q` → `/?q`, and the path's dot segments removed.
fn normalize_target(target: &str) -> String {
    let (path, query) = match target.find('?') {
        Some(at) => target.split_at(at),
        None => (target, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    format!("{}{query}", remove_dot_segments(path))
}

/// RFC 3986 §5.2.4 on a path starting with `/`: `/a/./b/../c` → `/a/c`; `..` never climbs
/// above the root; a path ending in `.` or `..` keeps its trailing `/`.
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => out.push(other),
        }
        if i == last && matches!(*segment, "." | "..") {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
#[path = "url_tests.rs"]
mod tests;
