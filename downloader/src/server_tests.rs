use super::*;
use crate::http::{Event, Framing, HttpError, ResponseReader, get_request, reusable};
use crate::url::Url;

fn request(target: &str) -> Request {
    let url = Url::parse(&format!("http://127.0.0.1:8000{target}")).unwrap();
    let bytes = get_request(&url);
    let (request, consumed) = parse_request(&bytes).unwrap().unwrap();
    assert_eq!(consumed, bytes.len());
    request
}

/// What a client makes of a response's actions: sent bytes fed in order, the close (if any)
/// as the end of input. Returns the status, the body and how it ended.
fn client_view(actions: &[Action]) -> (Option<u16>, Vec<u8>, Result<bool, HttpError>) {
    let mut reader = ResponseReader::new();
    let mut status = None;
    let mut body = Vec::new();
    for action in actions {
        match action {
            Action::Send(bytes) => reader.feed(bytes),
            Action::Stall(_) => {}
            Action::Close => reader.feed_eof(),
        }
    }
    loop {
        match reader.next() {
            Ok(Some(Event::Head(head))) => status = Some(head.status),
            Ok(Some(Event::Data(data))) => body.extend_from_slice(data),
            Ok(Some(Event::End)) => return (status, body, Ok(reader.leftover().is_empty())),
            Ok(None) => return (status, body, Err(HttpError::Malformed("no end".into()))),
            Err(error) => return (status, body, Err(error)),
        }
    }
}

fn site() -> Site {
    let body: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    Site::new()
        .with_file("/file.bin", body)
        .with_file("/hello.txt", "hello\n")
}

#[test]
fn parses_a_request_byte_by_byte() {
    let bytes = b"GET /a?b=c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    for end in 0..bytes.len() {
        assert_eq!(parse_request(&bytes[..end]), Ok(None), "{end}");
    }
    let (request, consumed) = parse_request(bytes).unwrap().unwrap();
    assert_eq!(consumed, bytes.len());
    assert_eq!(
        (request.method.as_str(), request.path(), request.query()),
        ("GET", "/a", Some("b=c"))
    );
    assert!(!request.keep_alive());
}

#[test]
fn pipelined_requests() {
    let bytes = b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
    let (first, n) = parse_request(bytes).unwrap().unwrap();
    let (second, m) = parse_request(&bytes[n..]).unwrap().unwrap();
    assert_eq!(
        (first.target.as_str(), second.target.as_str()),
        ("/1", "/2")
    );
    assert_eq!(n + m, bytes.len());
}

#[test]
fn keep_alive_rules() {
    let parse = |text: &str| parse_request(text.as_bytes()).unwrap().unwrap().0;
    assert!(parse("GET / HTTP/1.1\r\n\r\n").keep_alive());
    assert!(!parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive());
    assert!(!parse("GET / HTTP/1.0\r\n\r\n").keep_alive());
    assert!(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
    assert!(
        request("/").keep_alive(),
        "the downloader's own requests keep the connection"
    );
}

#[test]
fn bad_requests() {
    assert!(matches!(
        parse_request(b"BLAH\r\n\r\n"),
        Err(RequestError::Malformed(_))
    ));
    assert!(matches!(
        parse_request(b"GET / HTTP/3.0\r\n\r\n"),
        Err(RequestError::Malformed(_))
    ));
    let huge = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST_HEAD));
    assert_eq!(parse_request(huge.as_bytes()), Err(RequestError::TooLarge));
    let many: String = (0..70).map(|i| format!("X-{i}: v\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
    assert_eq!(parse_request(many.as_bytes()), Err(RequestError::TooLarge));
    let with_body = b"GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(parse_request(with_body), Err(RequestError::HasBody));
    assert_eq!(RequestError::HasBody.status(), 413);
    let zero = b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
    assert!(parse_request(zero).unwrap().is_some());
}

#[test]
fn serves_files_and_404s() {
    let site = site();
    let (status, body, end) = client_view(&site.respond(&request("/hello.txt")));
    assert_eq!(
        (status, body.as_slice(), end),
        (Some(200), &b"hello\n"[..], Ok(true))
    );
    let (status, _, end) = client_view(&site.respond(&request("/nope")));
    assert_eq!((status, end), (Some(404), Ok(true)));
    let (status, body, _) = client_view(&site.respond(&request("/status/500")));
    assert_eq!((status, body.as_slice()), (Some(500), &b"status 500\n"[..]));
}

#[test]
fn head_requests_get_no_body() {
    let (request, _) = parse_request(b"HEAD /hello.txt HTTP/1.1\r\n\r\n")
        .unwrap()
        .unwrap();
    let actions = site().respond(&request);
    let Action::Send(bytes) = &actions[0] else {
        panic!()
    };
    assert!(bytes.ends_with(b"Content-Length: 6\r\n\r\n"));
}

#[test]
fn other_methods_are_refused() {
    let (request, _) = parse_request(b"DELETE /hello.txt HTTP/1.1\r\n\r\n")
        .unwrap()
        .unwrap();
    let (status, _, _) = client_view(&site().respond(&request));
    assert_eq!(status, Some(405));
}

#[test]
fn close_when_the_client_asks() {
    let (request, _) = parse_request(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        .unwrap()
        .unwrap();
    assert_eq!(site().respond(&request).last(), Some(&Action::Close));
    assert_ne!(
        site().respond(&self::request("/hello.txt")).last(),
        Some(&Action::Close)
    );
}

#[test]
fn redirects() {
    let location = |target: &str| {
        let actions = site().respond(&request(target));
        let Action::Send(bytes) = &actions[0] else {
            panic!()
        };
        let text = String::from_utf8_lossy(bytes).into_owned();
        let status = text[9..12].to_owned();
        let location = text
            .lines()
            .find_map(|line| line.strip_prefix("Location: "))
            .map(str::to_owned);
        (status, location)
    };
    assert_eq!(
        location("/redirect/3/file.bin"),
        ("302".into(), Some("/redirect/2/file.bin".into()))
    );
    assert_eq!(
        location("/redirect/1/file.bin"),
        ("302".into(), Some("/file.bin".into()))
    );
    assert_eq!(
        location("/relative/file.bin"),
        ("301".into(), Some("../file.bin".into()))
    );
    assert_eq!(location("/loop"), ("302".into(), Some("/loop".into())));
    assert_eq!(location("/no-location"), ("302".into(), None));
}

#[test]
fn every_fault_as_the_client_sees_it() {
    let site = site();
    let full: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let view =
        |fault: &str| client_view(&site.respond(&request(&format!("/file.bin?fault={fault}"))));

    let (_, body, end) = view("cut");
    assert_eq!(body, full[..1500]);
    assert_eq!(
        end,
        Err(HttpError::BodyTruncated {
            expected: 3000,
            received: 1500
        })
    );

    let (_, body, end) = view("cut-chunked");
    assert_eq!(body, full[..1500]);
    assert_eq!(end, Err(HttpError::ChunkedTruncated { received: 1500 }));

    let actions = site.respond(&request("/file.bin?fault=stall"));
    assert_eq!(actions[1], Action::Stall(site.stall));
    let actions = site.respond(&request("/file.bin?fault=stall-head"));
    assert_eq!(actions, [Action::Stall(site.stall), Action::Close]);

    let (_, body, end) = view("long-length");
    assert_eq!(body, full);
    assert_eq!(
        end,
        Err(HttpError::BodyTruncated {
            expected: 3100,
            received: 3000
        })
    );

    let (_, body, end) = view("short-length");
    assert_eq!(body, full[..1500], "the client believes the length");
    assert_eq!(
        end,
        Ok(false),
        "and sees the bytes after it: the connection is not reused"
    );

    assert!(matches!(view("malformed").2, Err(HttpError::Malformed(_))));
    assert!(matches!(view("garbage").2, Err(HttpError::Malformed(_))));
    assert_eq!(view("drop").2, Err(HttpError::ClosedBeforeResponse));
    let (_, body, end) = view("silent-close");
    assert_eq!(
        (body, end),
        (full.clone(), Ok(true)),
        "fine, until the connection is reused"
    );

    let (_, body, end) = view("until-close");
    assert_eq!((body, end), (full.clone(), Ok(true)));

    let (_, body, end) = view("chunked");
    assert_eq!((body, end), (full, Ok(true)));

    // An unknown fault is no fault.
    let (status, _, end) = view("nonsense");
    assert_eq!((status, end), (Some(200), Ok(true)));
}

#[test]
fn chunked_encoding_round_trips() {
    for size in [0, 1, 999, 1000, 1001, 5000] {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut reader = ResponseReader::new();
        reader.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        reader.feed(&chunked(&body, 1000));
        let mut got = Vec::new();
        let mut head = None;
        while let Some(event) = reader.next().unwrap() {
            match event {
                Event::Head(h) => head = Some(h),
                Event::Data(data) => got.extend_from_slice(data),
                Event::End => break,
            }
        }
        assert_eq!(got, body, "{size}");
        let head = head.unwrap();
        assert_eq!(head.framing, Framing::Chunked);
        assert!(reusable(&head, true, reader.leftover().len()));
    }
}

#[test]
fn static_files_stay_under_the_root() {
    let root = std::env::temp_dir().join(format!("downloader-site-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("index.html"), "home").unwrap();
    std::fs::write(root.join("sub/a.txt"), "a").unwrap();
    std::fs::write(root.join("sub/index.html"), "sub home").unwrap();
    std::fs::write(root.join(".secret"), "no").unwrap();
    assert_eq!(resolve(&root, "/sub/a.txt"), Some(root.join("sub/a.txt")));
    assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
    assert_eq!(resolve(&root, "/sub/"), Some(root.join("sub/index.html")));
    assert_eq!(resolve(&root, "/sub"), Some(root.join("sub/index.html")));
    for bad in [
        "/../etc/passwd",
        "/sub/../index.html",
        "/.secret",
        "//etc/passwd",
        "/sub//a.txt",
        "/sub%2Fa.txt",
        "/nope",
        "sub/a.txt",
    ] {
        assert_eq!(resolve(&root, bad), None, "{bad}");
    }
    let site = Site::new().serving_dir(&root);
    let (status, body, _) = client_view(&site.respond(&request("/sub/a.txt")));
    assert_eq!((status, body.as_slice()), (Some(200), &b"a"[..]));
    std::fs::remove_dir_all(&root).unwrap();
}
