//! The client against the local test server (blocking stand-in), every framing and fault.

mod support;

use std::time::{Duration, Instant};

use downloader::client::{Client, ClientOptions, FetchError, Response};
use downloader::http::{HttpError, RedirectError};
use downloader::server::Site;
use downloader::url::Url;
use support::{StdConnector, TestServer, content, ready, refused_port};

const FILE_LEN: usize = 100_000;

fn site() -> Site {
    let mut site = Site::new()
        .with_file("/file.bin", content(FILE_LEN, 1))
        .with_file("/small.txt", "small\n")
        .with_file("/empty", "");
    site.stall = Duration::from_secs(3);
    site
}

fn client_with(timeout: Duration, options: ClientOptions) -> Client<StdConnector> {
    Client::new(StdConnector::new(timeout), options)
}

fn client() -> Client<StdConnector> {
    client_with(Duration::from_secs(5), ClientOptions::default())
}

fn get(client: &Client<StdConnector>, url: &str) -> Result<(Vec<u8>, Response), FetchError> {
    let mut body = Vec::new();
    let response = ready(client.get(&Url::parse(url).unwrap(), &mut body))?;
    assert_eq!(response.bytes, body.len() as u64);
    Ok((body, response))
}

#[test]
fn content_length_body_byte_for_byte() {
    let server = TestServer::start(site());
    let (body, response) = get(&client(), &server.url("/file.bin")).unwrap();
    assert_eq!(body, content(FILE_LEN, 1));
    assert_eq!(response.head.status, 200);
    assert_eq!(response.redirects, 0);
    let (body, _) = get(&client(), &server.url("/empty")).unwrap();
    assert!(body.is_empty());
}

#[test]
fn chunked_and_until_close_bodies() {
    let server = TestServer::start(site());
    let client = client();
    let (body, _) = get(&client, &server.url("/file.bin?fault=chunked")).unwrap();
    assert_eq!(body, content(FILE_LEN, 1));
    let (body, _) = get(&client, &server.url("/file.bin?fault=until-close")).unwrap();
    assert_eq!(body, content(FILE_LEN, 1));
}

#[test]
fn keep_alive_reuses_one_connection() {
    let server = TestServer::start(site());
    let client = client();
    for _ in 0..5 {
        get(&client, &server.url("/small.txt")).unwrap();
        get(&client, &server.url("/file.bin?fault=chunked")).unwrap();
    }
    assert_eq!(server.requests(), 10);
    assert_eq!(server.connections(), 1);
    assert_eq!(client.idle_connections(), 1);
    // A body that ends with the close leaves no connection to reuse.
    get(&client, &server.url("/file.bin?fault=until-close")).unwrap();
    assert_eq!(client.idle_connections(), 0);
    get(&client, &server.url("/small.txt")).unwrap();
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_connection_the_server_closed_is_replaced() {
    // The server answers, keeps quiet about it, and closes: the next request on that
    // connection finds it closed before any response, and goes again on a new one.
    let server = TestServer::start(site());
    let client = client();
    get(&client, &server.url("/small.txt?fault=silent-close")).unwrap();
    assert_eq!(client.idle_connections(), 1);
    std::thread::sleep(Duration::from_millis(50));
    let (body, _) = get(&client, &server.url("/small.txt")).unwrap();
    assert_eq!(body, b"small\n");
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_length_lie_does_not_poison_the_next_request() {
    let server = TestServer::start(site());
    let client = client();
    let (body, _) = get(&client, &server.url("/file.bin?fault=short-length")).unwrap();
    assert_eq!(
        body,
        content(FILE_LEN, 1)[..FILE_LEN / 2],
        "the announced length is believed"
    );
    // The extra bytes may or may not have arrived with the body; either way the next request
    // gets a clean answer (on a new connection, or after the stale bytes were noticed).
    let (body, _) = get(&client, &server.url("/small.txt")).unwrap_or_else(|e| {
        panic!("the request after a length lie failed: {e}");
    });
    assert_eq!(body, b"small\n");
}

#[test]
fn redirects_are_followed() {
    let server = TestServer::start(site());
    let client = client();
    let (body, response) = get(&client, &server.url("/redirect/3/file.bin")).unwrap();
    assert_eq!(body, content(FILE_LEN, 1));
    assert_eq!(response.redirects, 3);
    assert_eq!(response.url.to_string(), server.url("/file.bin"));
    let (body, response) = get(&client, &server.url("/relative/small.txt")).unwrap();
    assert_eq!((body.as_slice(), response.redirects), (&b"small\n"[..], 1));
    assert_eq!(
        server.connections(),
        1,
        "redirect bodies are read so the connection serves on"
    );
}

#[test]
fn redirect_limits_and_errors() {
    let server = TestServer::start(site());
    let error = get(&client(), &server.url("/loop")).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Redirect(RedirectError::TooMany { limit: 10 })
        ),
        "{error}"
    );
    assert_eq!(server.requests(), 11);
    let error = get(&client(), &server.url("/no-location")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "redirect (302) without a Location header"
    );
    let two = client_with(
        Duration::from_secs(5),
        ClientOptions {
            max_redirects: 2,
            ..ClientOptions::default()
        },
    );
    assert!(get(&two, &server.url("/redirect/2/small.txt")).is_ok());
    assert_eq!(
        get(&two, &server.url("/redirect/3/small.txt"))
            .unwrap_err()
            .to_string(),
        "more than 2 redirects"
    );
}

#[test]
fn error_statuses() {
    let server = TestServer::start(site());
    let client = client();
    let error = get(&client, &server.url("/missing")).unwrap_err();
    assert_eq!(error.to_string(), "server answered 404 Not Found");
    let error = get(&client, &server.url("/status/500")).unwrap_err();
    assert!(matches!(error, FetchError::Status { status: 500, .. }));
    assert_eq!(
        get(&client, &server.url("/small.txt")).unwrap().0,
        b"small\n"
    );
}

#[test]
fn cut_and_lying_responses() {
    let server = TestServer::start(site());
    let client = client();
    let half = (FILE_LEN / 2) as u64;
    let cases: [(&str, FetchError); 6] = [
        (
            "cut",
            FetchError::Http(HttpError::BodyTruncated {
                expected: FILE_LEN as u64,
                received: half,
            }),
        ),
        (
            "cut-chunked",
            FetchError::Http(HttpError::ChunkedTruncated { received: half }),
        ),
        (
            "long-length",
            FetchError::Http(HttpError::BodyTruncated {
                expected: FILE_LEN as u64 + 100,
                received: FILE_LEN as u64,
            }),
        ),
        (
            "malformed",
            FetchError::Http(HttpError::Malformed("invalid response status".into())),
        ),
        (
            "garbage",
            FetchError::Http(HttpError::Malformed("invalid HTTP version".into())),
        ),
        ("drop", FetchError::Http(HttpError::ClosedBeforeResponse)),
    ];
    for (fault, expected) in cases {
        let mut body = Vec::new();
        let url = Url::parse(&server.url(&format!("/file.bin?fault={fault}"))).unwrap();
        let error = ready(client.get(&url, &mut body)).unwrap_err();
        assert_eq!(error.to_string(), expected.to_string(), "{fault}");
        if fault.starts_with("cut") {
            assert_eq!(
                body,
                content(FILE_LEN, 1)[..FILE_LEN / 2],
                "what arrived went to the sink"
            );
        }
    }
    assert_eq!(
        get(&client, &server.url("/small.txt")).unwrap().0,
        b"small\n"
    );
}

#[test]
fn a_silent_server_times_out() {
    let server = TestServer::start(site());
    let client = client_with(Duration::from_millis(300), ClientOptions::default());
    for fault in ["stall", "stall-head"] {
        let started = Instant::now();
        let error = get(&client, &server.url(&format!("/file.bin?fault={fault}"))).unwrap_err();
        assert!(matches!(error, FetchError::TimedOut), "{fault}: {error}");
        assert_eq!(error.to_string(), "timed out waiting for the server");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{fault}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn refused_connection_and_unknown_host() {
    let client = client();
    let error = get(&client, &format!("http://127.0.0.1:{}/", refused_port())).unwrap_err();
    let FetchError::Connect { error: io, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    assert!(
        error
            .to_string()
            .starts_with("cannot connect to 127.0.0.1:"),
        "{error}"
    );
    let error = get(&client, "http://no-such-host.invalid/").unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot connect to no-such-host.invalid:80: unknown host no-such-host.invalid \
         (the test connector resolves no names)"
    );
}

#[test]
fn a_sink_that_fails_stops_the_download() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let server = TestServer::start(site());
    let url = Url::parse(&server.url("/file.bin")).unwrap();
    let error = ready(client().get(&url, &mut Full)).unwrap_err();
    assert_eq!(error.to_string(), "cannot write the body: disk full");
}
