//! A cooperative HTTP/1.1 server, gevent's `StreamServer` done on the hub: one thread, one task
//! per connection, each waiting on its socket while the others run.
//!
//! ```sh
//! cargo run --release --example server                        # http://127.0.0.1:8000/ says hello
//! cargo run --release --example server -- --port 0 --dir DIR  # serves DIR's files on a free port
//! cargo run --release --example server -- --hubs 2             # one hub per core, two cores
//! ```
//!
//! Options: `--port N` (default 8000; 0 picks a free port), `--dir DIR` (serve the files under
//! DIR, `index.html` for a directory; without it every path says hello), `--host ADDR` (default
//! 127.0.0.1), `--idle SECS` (close a connection idle that long, default 30), `--hubs N` (a
//! [`Runtime`] of N hubs, each accepting on its own `SO_REUSEPORT` listener on Linux, see
//! [`HubListeners`]; default 1, a plain [`Hub`]). The first line printed is
//! `listening on http://ADDR/`.
//!
//! GET and HEAD, keep-alive (HTTP/1.1's default, HTTP/1.0's `Connection: keep-alive`),
//! pipelined requests, `httparse` for the request head. Paths with a `..` segment are refused.
//! Files are read on the hub's thread: from the page cache that is quicker than a hop to the
//! blocking pool; a server of slow disks would read them with `hub::spawn_blocking`.
//!
//! `tests/hub_server.rs` runs [`serve`] in-process against clients on the same hub.

use corogen::hub::net::{Acceptor, HubListeners, TcpListener, TcpStream};
use corogen::hub::{self, Hub, Runtime};
use std::fmt::Write as _;
use std::io::{self, IoSlice};
use std::net::ToSocketAddrs;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The longest request head accepted (431 beyond).
const MAX_HEAD: usize = 16 * 1024;

/// What the server serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Serve the files under this directory; `None` says hello on every path.
    pub dir: Option<PathBuf>,
    /// Close a connection that sends nothing for this long.
    pub idle: Duration,
}

/// Accepts connections for ever, each served by its own task (gevent's `StreamServer`): from a
/// plain [`TcpListener`], or one hub's [`Acceptor`] of a runtime's [`HubListeners`].
pub async fn serve(listener: impl Into<Acceptor>, config: Config) {
    let listener = listener.into();
    let config = Rc::new(config);
    loop {
        match listener.accept().await {
            Ok((conn, _peer)) => {
                let config = Rc::clone(&config);
                // Detached: the task ends with its connection.
                drop(hub::spawn(async move {
                    // A client that resets or times out is no news.
                    drop(handle(conn, &config).await);
                }));
            }
            Err(error) => {
                // Out of descriptors, most likely: let connections close, then go on.
                eprintln!("accept: {error}");
                hub::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// A parsed request: what answering it needs.
struct Request {
    head_only: bool,
    method_ok: bool,
    path: String,
    keep_alive: bool,
    has_body: bool,
}

/// Serves the requests of one connection until it closes (or must be closed).
async fn handle(conn: TcpStream, config: &Config) -> io::Result<()> {
    conn.set_nodelay(true)?;
    conn.set_read_timeout(Some(config.idle));
    let mut buf = vec![0; 4096];
    let mut filled = 0;
    loop {
        let parsed = {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&buf[..filled]) {
                Ok(httparse::Status::Complete(len)) => Ok(Some((read_request(&request), len))),
                Ok(httparse::Status::Partial) => Ok(None),
                Err(error) => Err(error),
            }
        };
        match parsed {
            Ok(Some((request, len))) => {
                buf.copy_within(len..filled, 0);
                filled -= len;
                if !answer(&conn, &request, config).await? {
                    return Ok(());
                }
            }
            Ok(None) if filled == MAX_HEAD => {
                let (head, body) = text(431, "request head too large\n");
                return send(&conn, &head, &body).await;
            }
            Ok(None) => {
                if filled == buf.len() {
                    buf.resize((buf.len() * 2).min(MAX_HEAD), 0);
                }
                match conn.read(&mut buf[filled..]).await? {
                    0 => return Ok(()),
                    n => filled += n,
                }
            }
            Err(error) => {
                let (head, body) = text(400, &format!("malformed request: {error}\n"));
                return send(&conn, &head, &body).await;
            }
        }
    }
}

fn read_request(request: &httparse::Request<'_, '_>) -> Request {
    let method = request.method.unwrap_or("");
    let version = request.version.unwrap_or(0);
    let header = |name: &'static str| {
        request
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    let connection_has = |token: &str| {
        header("connection")
            .flat_map(|value| value.split(|&b| b == b','))
            .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    };
    let has_body = header("transfer-encoding").next().is_some()
        || header("content-length").any(|value| value.trim_ascii() != b"0");
    Request {
        head_only: method == "HEAD",
        method_ok: matches!(method, "GET" | "HEAD"),
        path: request.path.unwrap_or("/").to_owned(),
        keep_alive: !connection_has("close") && (version >= 1 || connection_has("keep-alive")),
        has_body,
    }
}

/// Answers one request; `false` when the connection must close after it.
async fn answer(conn: &TcpStream, request: &Request, config: &Config) -> io::Result<bool> {
    let keep_alive = request.keep_alive && !request.has_body;
    let (status, content_type, body) = if !request.method_ok {
        (405, "text/plain", b"only GET and HEAD\n".to_vec())
    } else if request.has_body {
        (
            400,
            "text/plain",
            b"a request body is not accepted\n".to_vec(),
        )
    } else {
        route(&request.path, config)
    };
    let head = response_head(status, content_type, body.len(), keep_alive);
    let body = if request.head_only { &[][..] } else { &body };
    send(conn, &head, body).await?;
    Ok(keep_alive)
}

/// Status, content type and body for a path.
fn route(path: &str, config: &Config) -> (u16, &'static str, Vec<u8>) {
    let Some(dir) = &config.dir else {
        return (200, "text/plain", b"Hello, world!\n".to_vec());
    };
    let Some(mut file) = file_under(dir, path) else {
        return (404, "text/plain", b"not found\n".to_vec());
    };
    let mut read = std::fs::read(&file);
    if read
        .as_ref()
        .is_err_and(|error| error.kind() == io::ErrorKind::IsADirectory)
    {
        file.push("index.html");
        read = std::fs::read(&file);
    }
    match read {
        Ok(body) => (200, content_type(&file), body),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            (404, "text/plain", b"not found\n".to_vec())
        }
        Err(error) => (500, "text/plain", format!("{error}\n").into_bytes()),
    }
}

/// The file a request path names under `root`: percent-decoded, without its query, and only
/// plain segments (no `..`, no absolute path smuggled in).
fn file_under(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(segment) => file.push(segment),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(file)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out).ok()?;
    (!decoded.contains('\0')).then_some(decoded)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    }
}

fn response_head(status: u16, content_type: &str, length: usize, keep_alive: bool) -> Vec<u8> {
    let mut head = String::with_capacity(160);
    let connection = if keep_alive { "keep-alive" } else { "close" };
    let _ = write!(
        head,
        "HTTP/1.1 {status} {}\r\nServer: corogen-example\r\nContent-Type: {content_type}\r\n\
         Content-Length: {length}\r\nConnection: {connection}\r\n\r\n",
        reason(status)
    );
    if status == 405 {
        head.insert_str(head.len() - 2, "Allow: GET, HEAD\r\n");
    }
    head.into_bytes()
}

/// A plain-text response that closes the connection.
fn text(status: u16, body: &str) -> (Vec<u8>, Vec<u8>) {
    let head = response_head(status, "text/plain", body.len(), false);
    (head, body.as_bytes().to_vec())
}

/// Sends head and body, in one system call when the socket takes them.
async fn send(conn: &TcpStream, head: &[u8], body: &[u8]) -> io::Result<()> {
    let mut sent = 0;
    while sent < head.len() {
        let slices = [IoSlice::new(&head[sent..]), IoSlice::new(body)];
        match conn.write_vectored(&slices).await? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => sent += n,
        }
    }
    conn.write_all(&body[sent - head.len()..]).await
}

fn usage() -> ! {
    eprintln!("usage: server [--port N] [--host ADDR] [--dir DIR] [--idle SECS] [--hubs N]");
    std::process::exit(2)
}

fn main() {
    let mut port = 8000u16;
    let mut hubs = 1usize;
    let mut host = "127.0.0.1".to_owned();
    let mut config = Config {
        dir: None,
        idle: Duration::from_secs(30),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--port" => port = value().parse().unwrap_or_else(|_| usage()),
            "--host" => host = value(),
            "--hubs" => match value().parse() {
                Ok(n) if n > 0 => hubs = n,
                _ => usage(),
            },
            "--dir" => config.dir = Some(PathBuf::from(value())),
            "--idle" => {
                config.idle = Duration::from_secs(value().parse().unwrap_or_else(|_| usage()));
            }
            _ => usage(),
        }
    }
    if let Some(dir) = &config.dir {
        if !dir.is_dir() {
            eprintln!("server: {} is not a directory", dir.display());
            std::process::exit(2);
        }
    }
    if hubs > 1 {
        serve_on_hubs(&host, port, hubs, config);
        return;
    }
    let listener = match TcpListener::bind((host.as_str(), port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("server: {error}");
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    announce(addr, &config);
    Hub::new().block_on(serve(listener, config));
}

fn announce(addr: std::net::SocketAddr, config: &Config) {
    println!("listening on http://{addr}/");
    match &config.dir {
        Some(dir) => println!("serving the files under {}", dir.display()),
        None => println!("saying hello"),
    }
}

/// A runtime of `hubs` hubs, each accepting on its own listener and serving its connections.
fn serve_on_hubs(host: &str, port: u16, hubs: usize, config: Config) {
    let bound = (host, port)
        .to_socket_addrs()
        .and_then(|mut addrs| {
            addrs
                .next()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address"))
        })
        .and_then(|addr| HubListeners::bind(addr, hubs));
    let listeners = match bound {
        Ok(listeners) => Arc::new(listeners),
        Err(error) => {
            eprintln!("server: {error}");
            std::process::exit(1);
        }
    };
    announce(listeners.local_addr(), &config);
    println!("on {hubs} hubs");
    let runtime = Runtime::new(hubs);
    for index in 1..hubs {
        let (listeners, config) = (Arc::clone(&listeners), config.clone());
        drop(runtime.hub(index).spawn(move || async move {
            match listeners.acceptor(index) {
                Ok(acceptor) => serve(acceptor, config).await,
                Err(error) => eprintln!("server: hub {index}: {error}"),
            }
        }));
    }
    runtime.block_on(async {
        let acceptor = listeners
            .acceptor(0)
            .expect("hub 0's acceptor is not taken");
        serve(acceptor, config).await;
    });
}
