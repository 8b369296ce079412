//! What fuzzing and the property tests found, each a named test with its symptom.

use downloader::http::{HttpError, Limits, ResponseReader};
use downloader::url::{MAX_URL_LEN, Url, UrlError};

use crate::check::{SMALL_LIMITS, join_url, parse_url, read_both_ways};

/// Bytes fed one at a time.
fn byte_by_byte(bytes: &[u8]) -> Vec<usize> {
    (1..bytes.len()).collect()
}

#[test]
fn malformed_head_without_a_line_end_is_malformed_however_it_arrives() {
    // Symptom: "\r\n\r\nabcd" fed whole was "invalid HTTP version", fed in pieces it was
    // "connection closed in the middle of the response head" (the bytes after the last `\n`
    // were never parsed). Found by the http_reader fuzz target.
    let bytes = b"\r\n\r\nabcd";
    let outcome = read_both_ways(bytes, &byte_by_byte(bytes), Limits::default(), false);
    assert_eq!(
        outcome.end,
        Err(HttpError::Malformed("invalid HTTP version".into()))
    );
    let mut reader = ResponseReader::new();
    reader.feed(b"HTTP/1.1 200 OK\r\nX");
    assert_eq!(reader.next(), Ok(None));
    reader.feed(b"\x01");
    reader.feed_eof();
    assert_eq!(
        reader.next(),
        Err(HttpError::Malformed("invalid header name".into()))
    );
}

#[test]
fn bytes_past_the_head_limit_do_not_change_the_error() {
    // Symptom: a head over the limit with a bad byte after the limit was "malformed" when it
    // arrived whole and "head larger than 512 bytes" when it arrived in pieces. Found reading
    // the reader for the bug above; this test failed before the fix.
    let mut bytes = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    bytes.extend_from_slice(&[b'a'; 600]);
    bytes.extend_from_slice(b"\x01\r\n\r\n");
    let outcome = read_both_ways(&bytes, &byte_by_byte(&bytes), SMALL_LIMITS, false);
    assert_eq!(outcome.end, Err(HttpError::HeadTooLarge { limit: 512 }));
}

#[test]
fn long_chunk_size_line_is_refused_however_it_arrives() {
    // Symptom: a 5000-byte chunk-size line (size, then extensions) was accepted when it
    // arrived whole and refused as too long when it arrived in pieces. Found with the one
    // above; this test failed before the fix.
    let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2".to_vec();
    for _ in 0..1000 {
        bytes.extend_from_slice(b";ab=c");
    }
    bytes.extend_from_slice(b"\r\nok\r\n0\r\n\r\n");
    let outcome = read_both_ways(&bytes, &[60, 3000, 4200], Limits::default(), false);
    assert_eq!(
        outcome.end,
        Err(HttpError::Malformed(
            "chunk size line longer than 4096 bytes".into()
        ))
    );
}

#[test]
fn long_trailers_are_refused_however_they_arrive() {
    // Symptom (same cause): trailers over the head limit with a bad byte past the limit were
    // "invalid trailer" whole and "head larger than 512 bytes" in pieces.
    let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: ".to_vec();
    bytes.extend_from_slice(&[b'a'; 600]);
    bytes.extend_from_slice(b"\x01\r\n\r\n");
    let outcome = read_both_ways(&bytes, &[80, 300, 540, 560, 600], SMALL_LIMITS, false);
    assert_eq!(outcome.end, Err(HttpError::HeadTooLarge { limit: 512 }));
}

#[test]
fn a_relative_redirect_cannot_make_a_url_too_long_to_parse() {
    // Symptom: joining a long relative reference to a long base gave a 9009-byte URL, which
    // `Url::parse` of its own string form refused as too long (a redirect could make the
    // client send a target it would never accept). Found writing the round-trip check.
    let base = Url::parse(&format!("http://h/{}", "a/".repeat(4000))).unwrap();
    let error = join_url(&base, &"b".repeat(1000)).unwrap_err();
    assert_eq!(error, UrlError::TooLong(9009));
    assert_eq!(
        error.to_string(),
        format!("URL too long (9009 bytes; at most {MAX_URL_LEN})")
    );
    // At the limit exactly, it is a URL.
    let fits = "b".repeat(MAX_URL_LEN - base.to_string().len());
    let joined = join_url(&base, &fits).unwrap();
    assert_eq!(joined.to_string().len(), MAX_URL_LEN);
}

#[test]
fn a_url_at_the_limit_that_normalizes_longer_is_refused() {
    // Symptom: "http://h?q…" of exactly MAX_URL_LEN bytes was accepted, but its string form
    // ("http://h/?q…", one byte longer) was refused by `Url::parse`: an accepted URL that
    // does not parse back. Found with the one above.
    let text = format!("http://h?{}", "q".repeat(MAX_URL_LEN - 9));
    assert_eq!(text.len(), MAX_URL_LEN);
    assert_eq!(parse_url(&text), Err(UrlError::TooLong(MAX_URL_LEN + 1)));
    // The same with its path written out fits.
    let written = format!("http://h/?{}", "q".repeat(MAX_URL_LEN - 10));
    assert_eq!(parse_url(&written).unwrap().to_string(), written);
}
