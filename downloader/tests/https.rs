//! HTTPS through rustls against a local TLS test server with an rcgen certificate authority.

#![cfg(feature = "tls")]

mod support;

use std::path::PathBuf;
use std::time::Duration;

use downloader::client::{Client, ClientOptions, FetchError};
use downloader::report::{Capture, Reporter};
use downloader::run::main_with;
use downloader::server::Site;
use downloader::url::Url;
use support::tls::TestCa;
use support::{StdConnector, TempDir, TestServer, content, ready};

const LEN: usize = 200_000;

fn site() -> Site {
    Site::new()
        .with_file("/file.bin", content(LEN, 7))
        .with_file("/small.txt", "small\n")
}

fn client(ca_files: Vec<PathBuf>) -> Client<StdConnector> {
    Client::new(
        StdConnector::new(Duration::from_secs(5)),
        ClientOptions {
            ca_files,
            system_roots: false,
            ..ClientOptions::default()
        },
    )
}

fn get(client: &Client<StdConnector>, url: &str) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    ready(client.get(&Url::parse(url).unwrap(), &mut body))?;
    Ok(body)
}

fn https(server: &TestServer, target: &str) -> String {
    format!("https://127.0.0.1:{}{target}", server.port)
}

#[test]
fn downloads_over_tls_with_keep_alive() {
    let ca = TestCa::new();
    let dir = TempDir::new("tls");
    let server = ca.start_server(site());
    let client = client(vec![ca.write_ca(dir.path())]);
    for _ in 0..3 {
        assert_eq!(
            get(&client, &https(&server, "/file.bin")).unwrap(),
            content(LEN, 7)
        );
    }
    assert_eq!(
        get(&client, &https(&server, "/file.bin?fault=chunked")).unwrap(),
        content(LEN, 7)
    );
    assert_eq!(server.connections(), 1);
    // By name too: the certificate names localhost.
    let by_name = format!("https://localhost:{}/small.txt", server.port);
    assert_eq!(get(&client, &by_name).unwrap(), b"small\n");
}

#[test]
fn body_until_close_needs_close_notify() {
    let ca = TestCa::new();
    let dir = TempDir::new("tls-close");
    let server = ca.start_server(site());
    let client = client(vec![ca.write_ca(dir.path())]);
    // The test server ends with close_notify: the body is whole.
    assert_eq!(
        get(&client, &https(&server, "/file.bin?fault=until-close")).unwrap(),
        content(LEN, 7)
    );
    // Without it, the body may have been cut by anyone on the path: an error.
    let unclean = ca.start_unclean_server(site());
    let error = get(&client, &https(&unclean, "/file.bin?fault=until-close")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "TLS: connection closed without TLS close_notify: the body may be truncated"
    );
    // A body with a length needs no close_notify.
    assert_eq!(
        get(&client, &https(&unclean, "/file.bin?fault=silent-close")).unwrap(),
        content(LEN, 7)
    );
}

#[test]
fn cut_bodies_are_errors_over_tls_too() {
    let ca = TestCa::new();
    let dir = TempDir::new("tls-cut");
    let server = ca.start_server(site());
    let client = client(vec![ca.write_ca(dir.path())]);
    let error = get(&client, &https(&server, "/file.bin?fault=cut")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("body shorter than its Content-Length"),
        "{error}"
    );
    let error = get(&client, &https(&server, "/file.bin?fault=malformed")).unwrap_err();
    assert!(
        error.to_string().starts_with("malformed response"),
        "{error}"
    );
}

#[test]
fn an_unknown_authority_is_refused() {
    let ca = TestCa::new();
    let other = TestCa::new();
    let dir = TempDir::new("tls-untrusted");
    let server = ca.start_server(site());
    let client = client(vec![other.write_ca(dir.path())]);
    let error = get(&client, &https(&server, "/small.txt")).unwrap_err();
    assert!(matches!(error, FetchError::Tls(_)), "{error}");
    assert!(error.to_string().contains("certificate"), "{error}");
}

#[test]
fn no_roots_is_a_clear_error() {
    let server = TestCa::new().start_server(site());
    let error = get(&client(Vec::new()), &https(&server, "/small.txt")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "TLS: no trusted CA certificates: none found on this system (use --cacert FILE)"
    );
    let missing = client(vec![PathBuf::from("/nonexistent/ca.pem")]);
    let error = get(&missing, &https(&server, "/small.txt")).unwrap_err();
    assert!(
        error.to_string().starts_with("TLS: /nonexistent/ca.pem: "),
        "{error}"
    );
}

#[test]
fn the_wrong_protocol_either_way() {
    let ca = TestCa::new();
    let dir = TempDir::new("tls-mixed");
    let tls_server = ca.start_server(site());
    let plain_server = TestServer::start(site());
    let client = client(vec![ca.write_ca(dir.path())]);
    // http:// to a TLS server: no HTTP response comes back.
    let plain_to_tls = format!("http://127.0.0.1:{}/small.txt", tls_server.port);
    assert!(matches!(
        get(&client, &plain_to_tls).unwrap_err(),
        FetchError::Http(_)
    ));
    // https:// to a plain server: the handshake fails.
    let tls_to_plain = format!("https://127.0.0.1:{}/small.txt", plain_server.port);
    assert!(matches!(
        get(&client, &tls_to_plain).unwrap_err(),
        FetchError::Tls(_)
    ));
}

#[test]
fn the_program_with_cacert() {
    let ca = TestCa::new();
    let dir = TempDir::new("tls-cli");
    let server = ca.start_server(site());
    let ca_file = ca.write_ca(dir.path());
    let out_dir = dir.path().join("out");
    let url = https(&server, "/file.bin");
    let (out, err) = (Capture::new(), Capture::new());
    let args = [
        "--cacert".to_owned(),
        ca_file.display().to_string(),
        "-o".to_owned(),
        out_dir.display().to_string(),
        url.clone(),
    ];
    let code = {
        let (out, err) = (out.clone(), err.clone());
        main_with(
            args,
            |options| StdConnector::new(options.timeout),
            &mut std::io::sink(),
            &mut std::io::sink(),
            move |n| Reporter::new(Box::new(out), Box::new(err), n, false),
        )
    };
    assert_eq!(code, 0, "{}", err.contents());
    assert_eq!(
        out.contents(),
        format!("GET: {url}\n{LEN} bytes received from {url}.\n")
    );
    assert_eq!(
        std::fs::read(out_dir.join("file.bin")).unwrap(),
        content(LEN, 7)
    );
}
