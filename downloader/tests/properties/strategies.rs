//! Strategies: URLs from their grammar (valid, and with odd parts), HTTP responses from
//! theirs (always valid, with what reading them must give), and byte mutations of both.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// The runner's settings: `cases` unless `PROPTEST_CASES` says otherwise (for longer runs).
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

// ---- bytes ----

/// One change to a byte string.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Flip one bit of the byte at an offset.
    Flip(Index, u8),
    /// Replace the byte at an offset.
    Replace(Index, u8),
    /// Insert bytes (often a token that matters to a parser) at an offset.
    Insert(Index, Vec<u8>),
    /// Remove up to this many bytes at an offset.
    Delete(Index, usize),
    /// Repeat a piece at an offset.
    Duplicate(Index, usize),
    /// Cut everything from an offset on.
    Truncate(Index),
}

/// Bytes that mean something to an HTTP or URL parser.
const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n\r\n",
    b":",
    b" ",
    b"\t",
    b";",
    b",",
    b"0",
    b"F",
    b"\0",
    b"\x7f",
    b"\xc3\xa9",
    b"\xff",
    b"ffffffffffffffffff",
    b"7fffffffffffffff",
    b"Content-Length: 7\r\n",
    b"Content-Length: 18446744073709551616\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Connection: close\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
    b"0\r\n\r\n",
    b";ext=\"q\"",
    b"/",
    b"//",
    b"?",
    b"#",
    b"@",
    b"[",
    b"]",
    b"%",
    b"%2e",
    b"..",
    b"./",
    b"::",
    b":65536",
    b":0",
];

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let inserted = prop_oneof![
        3 => select(TOKENS).prop_map(<[u8]>::to_vec),
        1 => vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        1 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        3 => (any::<Index>(), inserted).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        1 => (any::<Index>(), 1usize..16).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (any::<Index>(), 1usize..32).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// `bytes` with the mutations applied in order.
pub fn mutate(bytes: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for mutation in mutations {
        let len = bytes.len();
        match mutation {
            Mutation::Flip(at, bit) if len > 0 => bytes[at.index(len)] ^= 1 << bit,
            Mutation::Replace(at, byte) if len > 0 => bytes[at.index(len)] = *byte,
            Mutation::Insert(at, new) => {
                let at = at.index(len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete(at, n) if len > 0 => {
                let at = at.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Duplicate(at, n) if len > 0 => {
                let at = at.index(len);
                let piece = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, piece);
            }
            Mutation::Truncate(at) => bytes.truncate(at.index(len + 1)),
            _ => {}
        }
    }
    bytes
}

/// Offsets to cut a byte string at: up to `max` of them, resolved against its length.
pub fn cuts(max: usize) -> impl Strategy<Value = Vec<Index>> {
    vec(any::<Index>(), 0..=max)
}

pub fn resolve(cuts: &[Index], len: usize) -> Vec<usize> {
    cuts.iter().map(|c| c.index(len + 1)).collect()
}

// ---- URLs ----

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z0-9]([a-zA-Z0-9_-]{0,10}[a-zA-Z0-9])?",
        1 => "[a-z0-9_-]{0,70}",
        1 => Just(String::new()),
    ]
}

/// Hosts as written: names, addresses, and near misses of both.
pub fn host_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => vec(label(), 1..5).prop_map(|labels| labels.join(".")),
        2 => any::<[u8; 4]>().prop_map(|o| format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])),
        1 => vec(0u32..400, 1..6).prop_map(|o| {
            o.iter().map(|n| format!("{n:0>2}")).collect::<Vec<_>>().join(".")
        }),
        2 => any::<u128>().prop_map(|a| format!("[{}]", std::net::Ipv6Addr::from(a))),
        1 => any::<u128>().prop_map(|a| std::net::Ipv6Addr::from(a).to_string()),
        1 => any::<[u16; 3]>().prop_map(|g| format!("[{:x}::{:X}:{:x}%25eth0]", g[0], g[1], g[2])),
        1 => "\\[[0-9a-fA-F:.]{0,20}\\]?",
        1 => "[ -~]{0,12}",
    ]
}

fn port_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        3 => (1u32..=65535).prop_map(|p| format!(":{p}")),
        1 => (65536u32..).prop_map(|p| format!(":{p}")),
        1 => select(&[":", ":0", ":00080", ":-1", ":+80", ":8o", ":80:80", ":0x50"][..])
            .prop_map(str::to_owned),
    ]
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z0-9._~!$&'()*+,;=:@-]{0,8}",
        2 => select(&[".", "..", "", "%41", "%2e", "%2E%2e", "%zz", "%", "%4", "a b", "é", "x:y"][..])
            .prop_map(str::to_owned),
        1 => "[ -~]{0,6}",
    ]
}

/// `scheme://[userinfo@]host[:port]/path[?query][#fragment]`, each part drawn from what is
/// valid and what is nearly so.
pub fn url_text() -> impl Strategy<Value = String> {
    let scheme = select(
        &[
            "http",
            "https",
            "HTTP",
            "hTtPs",
            "ftp",
            "h",
            "",
            "javascript",
            "http+x",
            "1http",
        ][..],
    );
    let separator = prop_oneof![
        8 => Just("://"),
        1 => select(&[":/", ":", "//", ":///", ":\\\\"][..]),
    ];
    let userinfo = prop_oneof![
        8 => Just(""),
        1 => select(&["user@", "u:p@", "@", "a@b@"][..]),
    ];
    let query = prop_oneof![
        2 => Just(String::new()),
        1 => "[a-z0-9=&%/?:@.]{0,12}".prop_map(|q| format!("?{q}")),
    ];
    let fragment = prop_oneof![
        3 => Just(String::new()),
        1 => "[ -~]{0,8}".prop_map(|f| format!("#{f}")),
    ];
    (
        scheme,
        separator,
        userinfo,
        host_text(),
        port_text(),
        vec(segment(), 0..6),
        query,
        fragment,
    )
        .prop_map(|(scheme, sep, user, host, port, path, query, fragment)| {
            let path: String = path.iter().map(|s| format!("/{s}")).collect();
            format!("{scheme}{sep}{user}{host}{port}{path}{query}{fragment}")
        })
}

/// Text for `Url::parse`: any text, grammar-made URLs, their mutations, and long ones.
pub fn any_url_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => "[ -~]{0,40}",
        4 => url_text(),
        4 => (url_text(), vec(mutation(), 1..4))
            .prop_map(|(url, m)| String::from_utf8_lossy(&mutate(url.as_bytes(), &m)).into_owned()),
        1 => (url_text(), 8000usize..8300, select(&["a", "/", "/..", "%41", ".", "a."][..]))
            .prop_map(|(url, len, filler)| {
                let mut long = url;
                while long.len() < len {
                    long.push_str(filler);
                }
                long
            }),
        1 => (300usize..8300).prop_map(|n| format!("http://{}/", "a.".repeat(n / 2))),
        // Within a few bytes of the limit, where normalizing can push a URL over it.
        1 => ("https?://[a-z]{1,8}", prop::option::of("[?/]"), 0usize..4).prop_map(|(start, sep, short)| {
            let mut text = start + sep.as_deref().unwrap_or("");
            let len = downloader::url::MAX_URL_LEN - short;
            while text.len() < len {
                text.push('q');
            }
            text
        }),
    ]
}

/// References a redirect's `Location` may hold.
pub fn reference_text() -> impl Strategy<Value = String> {
    let relative = || {
        (
            select(&["", "/", "//", "./", "../", "../../../", "?", "#"][..]),
            vec(segment(), 0..4),
            prop_oneof![
                Just(String::new()),
                "[a-z=&]{0,6}".prop_map(|q| format!("?{q}"))
            ],
        )
            .prop_map(|(lead, path, query)| format!("{lead}{}{query}", path.join("/")))
    };
    prop_oneof![
        4 => relative(),
        2 => url_text(),
        2 => (relative(), vec(mutation(), 1..3))
            .prop_map(|(r, m)| String::from_utf8_lossy(&mutate(r.as_bytes(), &m)).into_owned()),
        1 => any::<String>(),
        // Long: against a long base, the URL it resolves to can pass the limit.
        1 => (1000usize..8300, select(&["b", "b/", "../", "./", "%41", "?q"][..]))
            .prop_map(|(len, filler)| filler.repeat(len / filler.len())),
    ]
}

/// A valid URL and what its parts must come out as.
#[derive(Clone, Debug)]
pub struct ValidUrl {
    pub text: String,
    pub https: bool,
    pub host: downloader::url::Host,
    pub port: u16,
    pub query: Option<String>,
}

pub fn valid_url() -> impl Strategy<Value = ValidUrl> {
    use downloader::url::Host;
    let host = prop_oneof![
        3 => vec("[a-zA-Z]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", 1..4)
            .prop_map(|l| { let name = l.join("."); (name.clone(), Host::Name(name.to_ascii_lowercase())) }),
        1 => any::<[u8; 4]>().prop_map(|o| {
            let addr = std::net::Ipv4Addr::from(o);
            (addr.to_string(), Host::Ipv4(addr))
        }),
        1 => any::<u128>().prop_map(|a| {
            let addr = std::net::Ipv6Addr::from(a);
            (format!("[{addr}]"), Host::Ipv6(addr))
        }),
    ];
    (
        any::<bool>(),
        select(&["", "HTTP", "Http"][..]),
        host,
        prop::option::of(1u16..),
        vec("[a-zA-Z0-9._~-]{1,8}", 0..4),
        prop::option::of("[a-z0-9=&]{0,8}"),
    )
        .prop_map(|(https, case, (host_text, host), port, path, query)| {
            let scheme = match (https, case) {
                (false, "") => "http".to_owned(),
                (true, "") => "https".to_owned(),
                (false, case) => case.to_owned(),
                (true, case) => format!("{case}s"),
            };
            let default = if https { 443 } else { 80 };
            let port_text = port.map(|p| format!(":{p}")).unwrap_or_default();
            let path: String = path.iter().map(|s| format!("/{s}")).collect();
            let query_text = query.as_ref().map(|q| format!("?{q}")).unwrap_or_default();
            ValidUrl {
                text: format!("{scheme}://{host_text}{port_text}{path}{query_text}"),
                https,
                host,
                port: port.unwrap_or(default),
                query,
            }
        })
}

// ---- HTTP responses ----

/// How a generated body is framed.
#[derive(Clone, Debug)]
pub enum Body {
    /// `Content-Length`, written this many times (the same value).
    Length { copies: usize },
    /// `Transfer-Encoding: chunked`: the body cut at these offsets into chunks, each size line
    /// in upper or lower case hex with these extensions, then these trailer fields.
    Chunked {
        cuts: Vec<Index>,
        upper: bool,
        extensions: Vec<String>,
        trailers: Vec<(String, String)>,
        with_length: bool,
    },
    /// Until the close (HTTP/1.0, or 1.1 without a length).
    UntilClose,
}

/// A valid response, and what reading it must give.
#[derive(Clone, Debug)]
pub struct Response {
    /// 1xx interim responses before it (100, 102, 103), each with its fields.
    pub interim: Vec<(u16, Vec<(String, String)>)>,
    pub version: u8,
    pub status: u16,
    pub reason: String,
    pub fields: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub framing: Body,
}

fn field() -> impl Strategy<Value = (String, String)> {
    (
        "X-[A-Za-z0-9-]{1,10}",
        // Visible text with inner spaces and tabs; httparse trims the ends.
        "[!-~]([ -~\t]{0,20}[!-~])?",
    )
}

fn chunk_extension() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => "[a-z]{1,6}".prop_map(|n| format!(";{n}")),
        1 => ("[a-z]{1,6}", "[a-z0-9]{0,6}").prop_map(|(n, v)| format!(";{n}={v}")),
        1 => ("[a-z]{1,6}", "[a-z0-9 ]{0,6}").prop_map(|(n, v)| format!(";{n}=\"{v}\"")),
    ]
}

impl Response {
    /// Whether the status has a body at all (204 and 304 have none).
    pub fn has_body(&self) -> bool {
        !matches!(self.status, 204 | 304)
    }

    /// The body the reader must report.
    pub fn expected_body(&self) -> &[u8] {
        if self.has_body() { &self.body } else { &[] }
    }

    /// Whether its end is marked in the bytes (not by the close).
    pub fn self_delimited(&self) -> bool {
        !self.has_body() || !matches!(self.framing, Body::UntilClose)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (status, fields) in &self.interim {
            out.extend_from_slice(format!("HTTP/1.1 {status} Interim\r\n").as_bytes());
            for (name, value) in fields {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(
            format!(
                "HTTP/1.{} {} {}\r\n",
                self.version, self.status, self.reason
            )
            .as_bytes(),
        );
        for (name, value) in &self.fields {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        match &self.framing {
            Body::Length { copies } => {
                for _ in 0..*copies {
                    out.extend_from_slice(
                        format!("Content-Length: {}\r\n", self.body.len()).as_bytes(),
                    );
                }
            }
            Body::Chunked { with_length, .. } => {
                out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
                if *with_length {
                    // Both: chunked wins (RFC 9112 §6.3), whatever the length says.
                    out.extend_from_slice(b"Content-Length: 3\r\n");
                }
            }
            Body::UntilClose => {}
        }
        out.extend_from_slice(b"\r\n");
        if !self.has_body() {
            return out;
        }
        match &self.framing {
            Body::Length { .. } | Body::UntilClose => out.extend_from_slice(&self.body),
            Body::Chunked {
                cuts,
                upper,
                extensions,
                trailers,
                ..
            } => {
                let mut offsets = resolve(cuts, self.body.len());
                offsets.push(0);
                offsets.push(self.body.len());
                offsets.sort_unstable();
                offsets.dedup();
                for (i, pair) in offsets.windows(2).enumerate() {
                    let chunk = &self.body[pair[0]..pair[1]];
                    let size = if *upper {
                        format!("{:X}", chunk.len())
                    } else {
                        format!("{:x}", chunk.len())
                    };
                    let ext = extensions.get(i).map_or("", String::as_str);
                    out.extend_from_slice(format!("{size}{ext}\r\n").as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n");
                for (name, value) in trailers {
                    out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
                }
                out.extend_from_slice(b"\r\n");
            }
        }
        out
    }
}

/// A valid response whose status is in `statuses`.
pub fn response_with(statuses: &'static [u16]) -> impl Strategy<Value = Response> {
    let interim = vec((select(&[100u16, 102, 103][..]), vec(field(), 0..3)), 0..3);
    let body = prop_oneof![
        4 => vec(any::<u8>(), 0..600),
        1 => "[ -~\r\n]{0,200}".prop_map(String::into_bytes),
    ];
    let framing = prop_oneof![
        3 => (1usize..3).prop_map(|copies| Body::Length { copies }),
        3 => (
            cuts(6),
            any::<bool>(),
            vec(chunk_extension(), 0..8),
            vec(field(), 0..3),
            prop::bool::weighted(0.2),
        )
            .prop_map(|(cuts, upper, extensions, trailers, with_length)| Body::Chunked {
                cuts,
                upper,
                extensions,
                trailers,
                with_length,
            }),
        1 => Just(Body::UntilClose),
    ];
    (
        interim,
        0u8..2,
        select(statuses),
        "[A-Za-z]([A-Za-z ]{0,12}[A-Za-z])?",
        vec(field(), 0..5),
        body,
        framing,
    )
        .prop_map(
            |(interim, version, status, reason, fields, body, framing)| Response {
                interim,
                version,
                status,
                reason,
                fields,
                body,
                framing,
            },
        )
}

/// Statuses of every kind that has a final response.
pub const STATUSES: &[u16] = &[200, 201, 204, 206, 301, 302, 304, 307, 404, 500, 503];

pub fn response() -> impl Strategy<Value = Response> {
    response_with(STATUSES)
}

/// A valid response whose end is in its bytes (no body until the close).
pub fn delimited_response_with(statuses: &'static [u16]) -> impl Strategy<Value = Response> {
    response_with(statuses).prop_map(|mut response| {
        if matches!(response.framing, Body::UntilClose) {
            response.framing = Body::Length { copies: 1 };
        }
        response
    })
}
