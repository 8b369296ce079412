//! `ResponseReader` on responses from the grammar, their mutations, and noise, cut anywhere.

use downloader::http::{Framing, HttpError, Limits, reusable};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::check::{SMALL_LIMITS, read_both_ways};
use crate::strategies::{self, Body, config, resolve};

proptest! {
    #![proptest_config(config(1024))]

    /// A valid response, however it is cut, reads as exactly its head and its body, and ends.
    #[test]
    fn valid_responses_read_exactly(
        response in strategies::response(),
        cuts in strategies::cuts(24),
        extra in vec(any::<u8>(), 0..16),
    ) {
        let mut bytes = response.to_bytes();
        // Bytes after a self-delimited response are left over, not body.
        let extra = if response.self_delimited() { extra } else { Vec::new() };
        bytes.extend_from_slice(&extra);
        let outcome = read_both_ways(&bytes, &resolve(&cuts, bytes.len()), Limits::default(), false);
        let head = outcome.head.as_ref().expect("a head");
        prop_assert_eq!(head.status, response.status);
        prop_assert_eq!(head.version, response.version);
        prop_assert_eq!(&head.reason, &response.reason);
        for (name, value) in &response.fields {
            prop_assert!(
                head.headers_named(name).any(|v| v == value.as_bytes()),
                "{} missing", name
            );
        }
        let framing = match (&response.framing, response.has_body()) {
            (_, false) => Framing::Empty,
            (Body::Length { .. }, true) => Framing::Length(response.body.len() as u64),
            (Body::Chunked { .. }, true) => Framing::Chunked,
            (Body::UntilClose, true) => Framing::UntilClose,
        };
        prop_assert_eq!(head.framing, framing);
        prop_assert_eq!(&outcome.body, response.expected_body());
        prop_assert_eq!(outcome.end.as_deref(), Ok(&extra[..]));
        if matches!(response.framing, Body::Chunked { with_length: true, .. }) && response.has_body() {
            prop_assert!(!reusable(head, true, 0), "chunked and a length: not reusable");
        }
    }

    /// The same response to a `HEAD`: no body, whatever the head says; the body is left over.
    #[test]
    fn responses_to_head_have_no_body(response in strategies::response(), cuts in strategies::cuts(8)) {
        let bytes = response.to_bytes();
        let outcome = read_both_ways(&bytes, &resolve(&cuts, bytes.len()), Limits::default(), true);
        prop_assert_eq!(outcome.head.map(|h| h.framing), Some(Framing::Empty));
        prop_assert!(outcome.body.is_empty());
        prop_assert!(outcome.end.is_ok());
    }

    /// A response cut short — anywhere — whose end is in its bytes never ends: it is an error
    /// that says it was cut, and the body so far is a prefix of the real one.
    #[test]
    fn truncated_responses_end_in_an_error(
        response in strategies::delimited_response_with(strategies::STATUSES),
        keep in any::<prop::sample::Index>(),
        cuts in strategies::cuts(8),
    ) {
        let bytes = response.to_bytes();
        let kept = &bytes[..keep.index(bytes.len())];
        let outcome = read_both_ways(kept, &resolve(&cuts, kept.len()), Limits::default(), false);
        prop_assert!(
            matches!(
                outcome.end,
                Err(HttpError::ClosedBeforeResponse
                    | HttpError::TruncatedHead
                    | HttpError::BodyTruncated { .. }
                    | HttpError::ChunkedTruncated { .. })
            ),
            "{:?}", outcome.end
        );
        prop_assert!(response.expected_body().starts_with(&outcome.body));
    }

    /// Mutated responses (bit flips, tokens inserted, bytes deleted or repeated, cuts), read
    /// with the default limits and with small ones, to a `GET` or a `HEAD`: any outcome but a
    /// panic, the same one however the bytes are cut, and an error that says what is wrong.
    #[test]
    fn mutated_responses_never_panic(
        response in strategies::response(),
        mutations in vec(strategies::mutation(), 1..5),
        cuts in strategies::cuts(16),
        small in any::<bool>(),
        head_request in prop::bool::weighted(0.1),
    ) {
        let bytes = strategies::mutate(&response.to_bytes(), &mutations);
        let limits = if small { SMALL_LIMITS } else { Limits::default() };
        read_both_ways(&bytes, &resolve(&cuts, bytes.len()), limits, head_request);
    }

    /// Noise, alone or after a status line.
    #[test]
    fn arbitrary_bytes_never_panic(
        noise in vec(any::<u8>(), 0..1024),
        prefixed in any::<bool>(),
        cuts in strategies::cuts(16),
    ) {
        let mut bytes = if prefixed { b"HTTP/1.1 200 OK\r\n".to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&noise);
        read_both_ways(&bytes, &resolve(&cuts, bytes.len()), SMALL_LIMITS, false);
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Two different `Content-Length`s are refused; the same one twice is one length.
    #[test]
    fn conflicting_content_lengths_are_refused(
        response in strategies::response_with(&[200]),
        other in any::<u64>(),
        cuts in strategies::cuts(8),
    ) {
        let mut response = response;
        response.interim.clear(); // (the first blank line is the final head's)
        response.framing = Body::Length { copies: 1 };
        let mut bytes = response.to_bytes();
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
        let field = format!("Content-Length: {other}\r\n");
        bytes.splice(end..end, field.bytes());
        let outcome = read_both_ways(&bytes, &resolve(&cuts, bytes.len()), Limits::default(), false);
        if other == response.body.len() as u64 {
            prop_assert_eq!(&outcome.body, &response.body);
            prop_assert!(outcome.end.is_ok());
        } else {
            prop_assert_eq!(
                outcome.end,
                Err(HttpError::Malformed("conflicting Content-Length values".into()))
            );
            prop_assert!(outcome.body.is_empty());
        }
    }

    /// A chunk size past what arrives is a cut body (or, past `u64`, a malformed one); the
    /// body reported is never more than the bytes sent.
    #[test]
    fn huge_chunk_sizes_are_refused(
        response in strategies::response_with(&[200]),
        size in prop_oneof![1u64 << 20.., Just(u64::MAX)],
        overflow in prop::bool::weighted(0.3),
    ) {
        let mut response = response;
        response.interim.clear(); // (the first blank line is the final head's)
        response.framing = Body::Chunked {
            cuts: Vec::new(),
            upper: false,
            extensions: Vec::new(),
            trailers: Vec::new(),
            with_length: false,
        };
        prop_assume!(!response.body.is_empty());
        let bytes = response.to_bytes();
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let line_end = head_end + bytes[head_end..].windows(2).position(|w| w == b"\r\n").unwrap();
        let size = if overflow { format!("1{size:016x}") } else { format!("{size:x}") };
        let mut mutated = bytes[..head_end].to_vec();
        mutated.extend_from_slice(size.as_bytes());
        mutated.extend_from_slice(&bytes[line_end..]);
        let outcome = read_both_ways(&mutated, &[], Limits::default(), false);
        let fed = (mutated.len() - head_end) as u64;
        match outcome.end {
            Err(HttpError::ChunkedTruncated { received }) => {
                prop_assert!(!overflow);
                prop_assert!(received <= fed)
            }
            Err(HttpError::Malformed(what)) => {
                prop_assert!(overflow, "{}", what);
                prop_assert_eq!(what, "invalid chunk size line");
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    /// Chunk extensions of any bytes: a valid body or a malformed chunk line, nothing else.
    #[test]
    fn odd_chunk_extensions(
        response in strategies::response_with(&[200]),
        // (No `\n`: a line end would make the rest chunk data, another body.)
        extension in vec(any::<u8>().prop_map(|b| if b == b'\n' { b'n' } else { b }), 0..24),
    ) {
        let mut response = response;
        response.interim.clear(); // (the first blank line is the final head's)
        response.framing = Body::Chunked {
            cuts: Vec::new(),
            upper: true,
            extensions: Vec::new(),
            trailers: Vec::new(),
            with_length: false,
        };
        let bytes = response.to_bytes();
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let line_end = head_end + bytes[head_end..].windows(2).position(|w| w == b"\r\n").unwrap();
        let mut mutated = bytes[..line_end].to_vec();
        mutated.push(b';');
        mutated.extend_from_slice(&extension);
        mutated.extend_from_slice(&bytes[line_end..]);
        let outcome = read_both_ways(&mutated, &[], Limits::default(), false);
        if outcome.end.is_ok() {
            prop_assert_eq!(&outcome.body, &response.body);
        } else {
            prop_assert!(matches!(outcome.end, Err(HttpError::Malformed(_) | HttpError::ChunkedTruncated { .. })), "{:?}", outcome.end);
        }
    }
}
