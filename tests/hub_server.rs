//! `examples/server.rs` in-process: its `serve` on 127.0.0.1 (a free port) and clients on the
//! same hub; hello, files, HEAD, keep-alive, pipelining, refusals, many clients at once.
#![cfg(feature = "net")]

#[path = "../examples/server.rs"]
#[allow(dead_code, reason = "the example's `main` is not called here")]
mod server;

use corogen::hub::net::{TcpListener, TcpStream};
use corogen::hub::{self, Hub};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A response as the tests see it.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one response from `conn`, `buffered` holding bytes already read past the last one.
async fn read_response(conn: &TcpStream, buffered: &mut Vec<u8>, head_only: bool) -> Response {
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(len) = response.parse(buffered).unwrap() {
            let status = response.code.unwrap();
            let headers: Vec<(String, String)> = response
                .headers
                .iter()
                .map(|h| {
                    let value = String::from_utf8(h.value.to_vec()).unwrap();
                    (h.name.to_owned(), value)
                })
                .collect();
            let length: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.parse().unwrap())
                .unwrap();
            let length = if head_only { 0 } else { length };
            while buffered.len() < len + length {
                read_more(conn, buffered).await;
            }
            let body = buffered[len..len + length].to_vec();
            buffered.drain(..len + length);
            return Response {
                status,
                headers,
                body,
            };
        }
        read_more(conn, buffered).await;
    }
}

async fn read_more(conn: &TcpStream, buffered: &mut Vec<u8>) {
    let mut chunk = [0; 8192];
    let n = conn.read(&mut chunk).await.unwrap();
    assert!(n > 0, "the server closed the connection mid-response");
    buffered.extend_from_slice(&chunk[..n]);
}

/// Sends one request on a fresh connection and reads the response.
async fn get(addr: SocketAddr, request: &str) -> Response {
    let conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    read_response(&conn, &mut Vec::new(), request.starts_with("HEAD")).await
}

/// Starts the server on a free port of a fresh hub and runs `clients` there.
fn with_server<T: 'static>(
    dir: Option<PathBuf>,
    clients: impl AsyncFnOnce(SocketAddr) -> T + 'static,
) -> T {
    let hub = Hub::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = server::Config {
        dir,
        idle: Duration::from_secs(5),
    };
    hub.spawn(server::serve(listener, config));
    let bounded = hub::with_timeout(Duration::from_secs(20), async move { clients(addr).await });
    hub.block_on(bounded).expect("the clients ran for 20 s")
}

/// A fresh directory of files to serve, removed when dropped.
struct Site(PathBuf);

impl Site {
    fn new(name: &str) -> Site {
        let dir =
            std::env::temp_dir().join(format!("corogen-hub-server-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("index.html"), "<h1>home</h1>\n").unwrap();
        std::fs::write(dir.join("a file.txt"), "spaces work\n").unwrap();
        let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.join("sub").join("big.bin"), big).unwrap();
        Site(dir)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn says_hello_without_a_directory() {
    let response = with_server(None, async |addr| {
        get(
            addr,
            "GET /anything HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await
    });
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"Hello, world!\n");
    assert_eq!(response.header("connection"), Some("close"));
}

#[test]
fn serves_files_and_refuses_what_it_should() {
    let site = Site::new("files");
    let responses = with_server(Some(site.0.clone()), async |addr| {
        let mut responses = Vec::new();
        for request in [
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a%20file.txt?query=1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub/big.bin HTTP/1.1\r\nHost: x\r\n\r\n",
            "HEAD /sub/big.bin HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n",
            "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
            "NOT HTTP AT ALL\r\n\r\n",
        ] {
            responses.push(get(addr, request).await);
        }
        responses
    });
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 200, 200, 404, 404, 404, 405, 400, 400]);
    assert_eq!(responses[0].body, b"<h1>home</h1>\n");
    assert_eq!(
        responses[0].header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(responses[1].body, b"spaces work\n");
    assert_eq!(
        responses[2].body,
        std::fs::read(site.0.join("sub/big.bin")).unwrap()
    );
    assert_eq!(responses[3].header("content-length"), Some("1000000"));
    assert!(responses[3].body.is_empty());
    assert_eq!(responses[7].header("allow"), Some("GET, HEAD"));
}

#[test]
fn keeps_connections_alive_and_answers_pipelined_requests_in_order() {
    let site = Site::new("keepalive");
    let bodies = with_server(Some(site.0.clone()), async |addr| {
        let conn = TcpStream::connect(addr).await.unwrap();
        let mut buffered = Vec::new();
        let mut bodies = Vec::new();
        // One after the other on one connection…
        for path in ["/", "/a%20file.txt"] {
            let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
            conn.write_all(request.as_bytes()).await.unwrap();
            let response = read_response(&conn, &mut buffered, false).await;
            assert_eq!(response.header("connection"), Some("keep-alive"));
            bodies.push(response.body);
        }
        // …then three in one write; the last closes.
        conn.write_all(
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n\
              GET /a%20file.txt HTTP/1.0\r\n\r\n",
        )
        .await
        .unwrap();
        for _ in 0..3 {
            bodies.push(read_response(&conn, &mut buffered, false).await.body);
        }
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty() && buffered.is_empty());
        bodies
    });
    let expected: [&[u8]; 5] = [
        b"<h1>home</h1>\n",
        b"spaces work\n",
        b"<h1>home</h1>\n",
        b"not found\n",
        b"spaces work\n",
    ];
    assert_eq!(bodies, expected);
}

#[test]
fn serves_many_clients_at_once() {
    let site = Site::new("many");
    let big = std::fs::read(site.0.join("sub/big.bin")).unwrap();
    let sizes = with_server(Some(site.0.clone()), async |addr| {
        let clients: Vec<_> = (0..64)
            .map(|_| {
                hub::spawn(async move {
                    get(addr, "GET /sub/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                        .await
                        .body
                })
            })
            .collect();
        let mut bodies = Vec::new();
        for client in &clients {
            bodies.push(client.get().await.unwrap());
        }
        bodies
    });
    assert_eq!(sizes.len(), 64);
    assert!(sizes.iter().all(|body| *body == big));
}
