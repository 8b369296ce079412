use super::*;

/// What a whole response came to.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    head: Option<ResponseHead>,
    body: Vec<u8>,
    /// `Ok(leftover)` once `End` was seen; the error otherwise.
    end: Result<Vec<u8>, HttpError>,
}

/// Feeds `parts` one by one (then the close if `eof`), draining events after each; checks
/// that an error is final and that `End` comes once.
fn read_parts(parts: &[&[u8]], eof: bool) -> Outcome {
    let mut reader = ResponseReader::new();
    let mut outcome = Outcome {
        head: None,
        body: Vec::new(),
        end: Err(HttpError::Malformed("never ended".into())),
    };
    let mut steps: Vec<Option<&[u8]>> = parts.iter().copied().map(Some).collect();
    if eof {
        steps.push(None);
    }
    for step in steps {
        match step {
            Some(part) => reader.feed(part),
            None => reader.feed_eof(),
        }
        loop {
            match reader.next() {
                Ok(Some(Event::Head(head))) => {
                    assert!(outcome.head.is_none(), "two heads");
                    outcome.head = Some(head);
                }
                Ok(Some(Event::Data(data))) => {
                    assert!(!data.is_empty(), "empty Data event");
                    outcome.body.extend_from_slice(data);
                }
                Ok(Some(Event::End)) => {
                    assert!(reader.is_done());
                    assert!(outcome.end.is_err(), "two Ends");
                    outcome.end = Ok(Vec::new());
                }
                Ok(None) => break,
                Err(error) => {
                    assert_eq!(reader.next(), Err(error.clone()), "errors are final");
                    outcome.end = Err(error);
                    return outcome;
                }
            }
        }
    }
    if let Ok(leftover) = &mut outcome.end {
        *leftover = reader.leftover().to_vec();
    }
    outcome
}

/// `bytes` in pieces of `piece` bytes.
fn read_in_pieces(bytes: &[u8], piece: usize, eof: bool) -> Outcome {
    let parts: Vec<&[u8]> = bytes.chunks(piece.max(1)).collect();
    read_parts(&parts, eof)
}

/// The outcome of every way of cutting `bytes`: byte by byte, in pieces of 2, 3, 7 and 64,
/// whole, and split in two at every offset: all must agree.
fn read_every_way(bytes: &[u8], eof: bool) -> Outcome {
    let whole = read_parts(&[bytes], eof);
    for piece in [1, 2, 3, 7, 64] {
        assert_eq!(
            read_in_pieces(bytes, piece, eof),
            whole,
            "in pieces of {piece}"
        );
    }
    for split in 1..bytes.len() {
        let (a, b) = bytes.split_at(split);
        assert_eq!(read_parts(&[a, b], eof), whole, "split at {split}");
    }
    whole
}

fn head_of(outcome: &Outcome) -> &ResponseHead {
    outcome.head.as_ref().expect("a head")
}

#[test]
fn get_request_bytes() {
    let url = Url::parse("http://127.0.0.1:8080/a/b?x=1").unwrap();
    let request = String::from_utf8(get_request(&url)).unwrap();
    assert_eq!(
        request,
        format!(
            "GET /a/b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: {USER_AGENT}\r\n\
             Accept: */*\r\nAccept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n"
        )
    );
    let v6 = Url::parse("https://[::1]/").unwrap();
    assert!(
        String::from_utf8(get_request(&v6))
            .unwrap()
            .contains("\r\nHost: [::1]\r\n")
    );
}

#[test]
fn content_length_body() {
    let outcome = read_every_way(
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world",
        false,
    );
    let head = head_of(&outcome);
    assert_eq!(
        (head.version, head.status, head.reason.as_str()),
        (1, 200, "OK")
    );
    assert_eq!(head.framing, Framing::Length(11));
    assert_eq!(head.header("x-a"), Some(&b"b"[..]));
    assert_eq!(head.header("CONTENT-LENGTH"), Some(&b"11"[..]));
    assert_eq!(outcome.body, b"hello world");
    assert_eq!(outcome.end, Ok(Vec::new()));
}

#[test]
fn content_length_zero_and_no_body_statuses() {
    let outcome = read_every_way(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
    assert_eq!(
        (outcome.body.len(), outcome.end.clone()),
        (0, Ok(Vec::new()))
    );
    for status in ["204 No Content", "304 Not Modified"] {
        let response = format!("HTTP/1.1 {status}\r\nContent-Length: 10\r\n\r\n");
        let outcome = read_every_way(response.as_bytes(), false);
        assert_eq!(head_of(&outcome).framing, Framing::Empty, "{status}");
        assert_eq!(outcome.end, Ok(Vec::new()));
    }
    let mut reader = ResponseReader::with_limits(Limits::default(), true);
    reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    assert!(matches!(reader.next(), Ok(Some(Event::Head(h))) if h.framing == Framing::Empty));
    assert_eq!(reader.next(), Ok(Some(Event::End)));
}

#[test]
fn interim_responses_are_skipped() {
    let outcome = read_every_way(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
          HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        false,
    );
    assert_eq!(head_of(&outcome).status, 200);
    assert_eq!(outcome.body, b"ok");
    let outcome = read_every_way(b"HTTP/1.1 101 Switching Protocols\r\n\r\n", false);
    assert!(matches!(outcome.end, Err(HttpError::Malformed(_))));
}

#[test]
fn chunked_body_with_extensions_and_trailers() {
    let outcome = read_every_way(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n1;ext=\"v\"\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
        false,
    );
    assert_eq!(head_of(&outcome).framing, Framing::Chunked);
    assert_eq!(outcome.body, b"hello 0123456789");
    assert_eq!(outcome.end, Ok(Vec::new()));
}

#[test]
fn chunked_without_trailers_and_uppercase_hex() {
    let outcome = read_every_way(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n1F\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n",
        false,
    );
    assert_eq!(outcome.body.len(), 31);
    assert_eq!(outcome.end, Ok(Vec::new()));
}

#[test]
fn chunked_truncated_anywhere_is_an_error() {
    let full: &[u8] =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
    let head_len = full.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    for cut in head_len..full.len() {
        let outcome = read_every_way(&full[..cut], true);
        assert!(
            matches!(outcome.end, Err(HttpError::ChunkedTruncated { .. })),
            "cut at {cut}: {:?}",
            outcome.end
        );
    }
    let outcome = read_every_way(&full[..head_len + 6], true);
    assert_eq!(
        outcome.end,
        Err(HttpError::ChunkedTruncated { received: 3 })
    );
}

#[test]
fn chunked_framing_errors() {
    let bad = [
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
    ];
    for response in bad {
        let outcome = read_every_way(response, false);
        assert!(
            matches!(outcome.end, Err(HttpError::Malformed(_))),
            "{:?}",
            outcome.end
        );
    }
    let long_line = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;{}",
        "x".repeat(MAX_LINE_PROBE)
    );
    let outcome = read_in_pieces(long_line.as_bytes(), 512, false);
    assert!(matches!(outcome.end, Err(HttpError::Malformed(m)) if m.contains("chunk size line")));
}

const MAX_LINE_PROBE: usize = 5000;

#[test]
fn transfer_codings() {
    let gzip = read_every_way(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        false,
    );
    assert_eq!(
        gzip.end,
        Err(HttpError::UnsupportedTransferCoding("gzip".into()))
    );
    let twice = read_in_pieces(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        1,
        false,
    );
    assert!(matches!(twice.end, Err(HttpError::Malformed(_))));
    // Transfer-Encoding wins over Content-Length.
    let both = read_every_way(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        false,
    );
    assert_eq!(both.body, b"ok");
    assert!(
        !reusable(head_of(&both), true, 0),
        "TE + CL: close the connection"
    );
}

#[test]
fn body_until_close() {
    let outcome = read_every_way(
        b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of it\r\n\r\n",
        true,
    );
    assert_eq!(head_of(&outcome).framing, Framing::UntilClose);
    assert_eq!(head_of(&outcome).version, 0);
    assert_eq!(outcome.body, b"all of it\r\n\r\n");
    assert_eq!(outcome.end, Ok(Vec::new()));
    let open = read_in_pieces(b"HTTP/1.1 200 OK\r\n\r\nsome", 1, false);
    assert!(open.end.is_err(), "no End before the close");
    assert_eq!(open.body, b"some");
}

#[test]
fn body_shorter_than_content_length() {
    let outcome = read_every_way(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true);
    assert_eq!(outcome.body, b"abc");
    assert_eq!(
        outcome.end,
        Err(HttpError::BodyTruncated {
            expected: 10,
            received: 3
        })
    );
    assert_eq!(
        outcome.end.unwrap_err().to_string(),
        "connection closed after 3 of 10 bytes (body shorter than its Content-Length)"
    );
}

#[test]
fn bytes_after_the_end_are_leftover() {
    let outcome = read_every_way(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
        false,
    );
    assert_eq!(outcome.body, b"ok");
    assert_eq!(outcome.end, Ok(b"EXTRA".to_vec()));
    let head = head_of(&outcome);
    assert!(!reusable(head, true, 5));
    assert!(reusable(head, true, 0));
}

#[test]
fn closed_before_or_during_the_head() {
    assert_eq!(
        read_every_way(b"", true).end,
        Err(HttpError::ClosedBeforeResponse)
    );
    for cut in [b"H".len(), 8, 17, 30] {
        let bytes = &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"[..cut];
        assert_eq!(
            read_every_way(bytes, true).end,
            Err(HttpError::TruncatedHead),
            "{cut}"
        );
    }
}

#[test]
fn malformed_heads() {
    let bad = [
        &b"hello\r\n\r\n"[..],
        b"HTTP/2 200 OK\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
    ];
    for response in bad {
        let outcome = read_every_way(response, true);
        assert!(
            matches!(outcome.end, Err(HttpError::Malformed(_))),
            "{:?}: {:?}",
            String::from_utf8_lossy(response),
            outcome.end
        );
    }
    // Repeated identical lengths are one length.
    let same = read_every_way(b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", false);
    assert_eq!(same.body, b"ok");
}

#[test]
fn garbage_is_refused_at_once() {
    let mut reader = ResponseReader::new();
    reader.feed(b"SSH-2.0-OpenSSH");
    assert!(matches!(reader.next(), Err(HttpError::Malformed(_))));
}

#[test]
fn oversize_heads() {
    let limits = Limits {
        max_head_bytes: 256,
        max_headers: 4,
    };
    let mut reader = ResponseReader::with_limits(limits, false);
    reader.feed(format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(300)).as_bytes());
    assert_eq!(reader.next(), Err(HttpError::HeadTooLarge { limit: 256 }));
    // Without a line end ever coming, the limit still stops the buffering.
    let mut reader = ResponseReader::with_limits(limits, false);
    reader.feed(b"HTTP/1.1 200 OK\r\nX: ");
    assert_eq!(reader.next(), Ok(None));
    for _ in 0..300 {
        reader.feed(b"a");
        if let Err(error) = reader.next() {
            assert_eq!(error, HttpError::HeadTooLarge { limit: 256 });
            return;
        }
    }
    panic!("no limit");
}

#[test]
fn too_many_headers() {
    let limits = Limits {
        max_head_bytes: 4096,
        max_headers: 3,
    };
    let mut reader = ResponseReader::with_limits(limits, false);
    reader.feed(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
    assert_eq!(reader.next(), Err(HttpError::TooManyHeaders { limit: 3 }));
    let mut reader = ResponseReader::with_limits(limits, false);
    reader.feed(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
    assert!(matches!(reader.next(), Ok(Some(Event::Head(_)))));
}

#[test]
fn read_buf_and_commit_without_copies() {
    let response = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef";
    let mut reader = ResponseReader::new();
    let mut body = Vec::new();
    for piece in response.chunks(5) {
        let space = reader.read_buf(5);
        assert!(space.len() >= 5);
        space[..piece.len()].copy_from_slice(piece);
        reader.commit(piece.len());
        while let Some(event) = reader.next().unwrap() {
            if let Event::Data(data) = event {
                body.extend_from_slice(data);
            }
        }
    }
    assert_eq!(body, b"abcdef");
    assert!(reader.is_done());
    assert_eq!(reader.body_received(), 6);
}

#[test]
fn big_body_in_big_reads_keeps_the_buffer_small() {
    let mut reader = ResponseReader::new();
    reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
    assert!(matches!(reader.next(), Ok(Some(Event::Head(_)))));
    let (mut total, mut ended) = (0, false);
    while !ended {
        let space = reader.read_buf(16 * 1024);
        let n = space.len().min(16 * 1024);
        space[..n].fill(7);
        reader.commit(n);
        while let Some(event) = reader.next().unwrap() {
            match event {
                Event::Data(data) => total += data.len(),
                Event::End => ended = true,
                Event::Head(_) => unreachable!(),
            }
        }
    }
    assert_eq!(total, 10_000_000);
    assert_eq!(
        reader.leftover().len(),
        16 * 1024 - 10_000_000 % (16 * 1024)
    );
    assert!(
        reader.buffer_len() <= 64 * 1024,
        "buffer grew to {}",
        reader.buffer_len()
    );
}

#[test]
fn framing_rules() {
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    };
    assert_eq!(framing(false, 200, &h(&[])), Ok(Framing::UntilClose));
    assert_eq!(
        framing(false, 200, &h(&[("content-length", "5")])),
        Ok(Framing::Length(5))
    );
    assert_eq!(
        framing(true, 200, &h(&[("content-length", "5")])),
        Ok(Framing::Empty)
    );
    assert_eq!(framing(false, 204, &h(&[])), Ok(Framing::Empty));
    assert_eq!(
        framing(false, 404, &h(&[("Content-Length", "0")])),
        Ok(Framing::Length(0))
    );
    assert_eq!(
        framing(false, 200, &h(&[("Transfer-Encoding", "chunked")])),
        Ok(Framing::Chunked)
    );
}

fn head(version: u8, framing: Framing, headers: &[(&str, &str)]) -> ResponseHead {
    ResponseHead {
        version,
        status: 200,
        reason: "OK".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
        framing,
    }
}

#[test]
fn keep_alive_decisions() {
    let length = Framing::Length(3);
    assert!(reusable(&head(1, length, &[]), true, 0));
    assert!(reusable(&head(1, Framing::Chunked, &[]), true, 0));
    assert!(reusable(&head(1, Framing::Empty, &[]), true, 0));
    assert!(
        !reusable(&head(1, length, &[]), false, 0),
        "not read to the end"
    );
    assert!(
        !reusable(&head(1, length, &[]), true, 1),
        "bytes past the end"
    );
    assert!(!reusable(&head(1, Framing::UntilClose, &[]), true, 0));
    assert!(!reusable(
        &head(1, length, &[("Connection", "close")]),
        true,
        0
    ));
    assert!(!reusable(
        &head(1, length, &[("connection", "Upgrade, CLOSE")]),
        true,
        0
    ));
    assert!(
        !reusable(&head(0, length, &[]), true, 0),
        "HTTP/1.0 closes by default"
    );
    assert!(reusable(
        &head(0, length, &[("Connection", "Keep-Alive")]),
        true,
        0
    ));
    assert!(reusable(
        &head(1, length, &[("Connection", "keep-alive")]),
        true,
        0
    ));
}

#[test]
fn redirect_decisions() {
    let url = Url::parse("http://a.example/dir/page?x").unwrap();
    let follow = |status, location: &str, so_far| {
        redirect_target(
            &url,
            status,
            Some(location.as_bytes()),
            so_far,
            MAX_REDIRECTS,
        )
    };
    for status in [301, 302, 303, 307, 308] {
        assert_eq!(
            follow(status, "/new", 0).unwrap().unwrap().to_string(),
            "http://a.example/new"
        );
    }
    for status in [200, 204, 300, 304, 305, 404, 500] {
        assert_eq!(follow(status, "/new", 0), Ok(None), "{status}");
    }
    assert_eq!(
        follow(302, "other", 0).unwrap().unwrap().to_string(),
        "http://a.example/dir/other"
    );
    assert_eq!(
        follow(302, "../up", 3).unwrap().unwrap().to_string(),
        "http://a.example/up"
    );
    assert_eq!(
        follow(301, "https://b.example:8443/x", 0)
            .unwrap()
            .unwrap()
            .to_string(),
        "https://b.example:8443/x"
    );
    assert_eq!(
        follow(302, " //c.example/ ", 0)
            .unwrap()
            .unwrap()
            .to_string(),
        "http://c.example/"
    );
    assert_eq!(
        follow(302, "/new", MAX_REDIRECTS),
        Err(RedirectError::TooMany {
            limit: MAX_REDIRECTS
        })
    );
    assert_eq!(
        redirect_target(&url, 302, None, 0, MAX_REDIRECTS),
        Err(RedirectError::MissingLocation { status: 302 })
    );
    assert!(matches!(
        follow(302, "ftp://x/", 0),
        Err(RedirectError::BadLocation { .. })
    ));
    assert!(matches!(
        follow(302, "/a b", 0),
        Err(RedirectError::BadLocation { .. })
    ));
    assert!(matches!(
        redirect_target(&url, 302, Some(b"/\xff"), 0, MAX_REDIRECTS),
        Err(RedirectError::BadLocation { .. })
    ));
    assert_eq!(
        follow(302, "/new", MAX_REDIRECTS).unwrap_err().to_string(),
        "more than 10 redirects"
    );
}
