//! The invariants that the property tests (`tests/properties/`) and the fuzz targets
//! (`fuzz/fuzz_targets/`) both check, in one place: the fuzz targets include this file.
//!
//! Every check panics with the input in its message when an invariant breaks; a parser that
//! panics on its own fails the same way.

#![allow(dead_code, reason = "each includer uses part of it")]

use downloader::http::{Event, Framing, HttpError, Limits, ResponseHead, ResponseReader};
use downloader::url::{Host, MAX_URL_LEN, Url, UrlError};

/// The input, cut to a readable length for a failure message.
fn short(input: &str) -> String {
    match input.char_indices().nth(160) {
        Some((at, _)) => format!("{:?}… ({} bytes)", &input[..at], input.len()),
        None => format!("{input:?}"),
    }
}

/// `Url::parse(input)`, checked: an accepted URL is consistent ([`check_url`]), a refused one
/// has an error that points at what is wrong ([`check_url_error`]).
pub fn parse_url(input: &str) -> Result<Url, UrlError> {
    let result = Url::parse(input);
    match &result {
        Ok(url) => check_url(url, input),
        Err(error) => check_url_error(error, input),
    }
    result
}

/// `base.join(reference)`, checked like [`parse_url`].
pub fn join_url(base: &Url, reference: &str) -> Result<Url, UrlError> {
    let result = base.join(reference);
    match &result {
        Ok(url) => {
            check_url(url, reference);
            let relative = !reference.contains(':') && !reference.starts_with("//");
            if relative {
                assert_eq!(
                    (url.scheme(), url.host(), url.port()),
                    (base.scheme(), base.host(), base.port()),
                    "{} joined with the relative {} changed origin: {}",
                    short(&base.to_string()),
                    short(reference),
                    short(&url.to_string())
                );
            }
        }
        Err(error) => check_url_error(error, reference),
    }
    result
}

/// What every accepted URL promises: its string form parses back to itself, its parts agree
/// with each other and with that string, and its target is what a request line can carry.
pub fn check_url(url: &Url, input: &str) {
    let shown = short(input);
    let printed = url.to_string();
    let printed_shown = short(&printed);
    let again = Url::parse(&printed)
        .unwrap_or_else(|e| panic!("{shown} gave {printed_shown}, which does not parse: {e}"));
    assert_eq!(&again, url, "{shown} → {printed_shown} → another URL");
    assert_eq!(
        again.to_string(),
        printed,
        "{shown}: printing is not stable"
    );
    assert_eq!(
        printed,
        format!(
            "{}://{}{}",
            url.scheme().as_str(),
            url.authority(),
            url.target()
        ),
        "{shown}"
    );
    assert_ne!(url.port(), 0, "{shown}: port 0");
    match url.host() {
        Host::Name(name) => {
            assert!(!name.is_empty(), "{shown}: empty host name");
            assert_eq!(
                name,
                &name.to_ascii_lowercase(),
                "{shown}: host not lowercased"
            );
        }
        Host::Ipv4(_) | Host::Ipv6(_) => {}
    }
    let target = url.target();
    let target_shown = short(target);
    assert!(target.starts_with('/'), "{shown}: target {target_shown}");
    assert!(
        target.bytes().all(|b| b.is_ascii_graphic() && b != b'#'),
        "{shown}: target {target_shown} has a byte a request line cannot carry"
    );
    assert!(target.len() <= MAX_URL_LEN, "{shown}: target too long");
    let path = url.path();
    assert_eq!(
        format!(
            "{path}{}",
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        ),
        target,
        "{shown}: path and query do not make the target"
    );
    assert!(
        path.split('/')
            .all(|segment| segment != "." && segment != ".."),
        "{shown}: dot segment left in {path:?}"
    );
    assert_eq!(
        url.join(&printed).as_ref(),
        Ok(url),
        "{shown}: joining its own string form gave another URL"
    );
    if !target.starts_with("//") {
        // (`//x` would be a scheme-relative reference, another host.)
        assert_eq!(
            url.join(target).as_ref(),
            Ok(url),
            "{shown}: joining its own target gave another URL"
        );
    }
}

/// A refused URL's error says what is wrong, and where, truthfully.
pub fn check_url_error(error: &UrlError, input: &str) {
    let shown = short(input);
    let message = error.to_string();
    assert!(
        message.len() > 8,
        "{shown}: unclear error {message:?} ({error:?})"
    );
    match error {
        UrlError::Empty => assert!(input.is_empty(), "{shown}: Empty"),
        // The length of the input if that is too long, else of the URL it normalizes or
        // resolves to.
        UrlError::TooLong(len) => assert!(
            *len > MAX_URL_LEN && (*len == input.len() || input.len() <= MAX_URL_LEN),
            "{shown}: TooLong({len}) for {} bytes",
            input.len()
        ),
        UrlError::InvalidChar { ch, at } => assert!(
            input.get(*at..).is_some_and(|rest| rest.starts_with(*ch)),
            "{shown}: {ch:?} is not at byte {at}"
        ),
        UrlError::InvalidPercent { at } => assert_eq!(
            input.as_bytes().get(*at),
            Some(&b'%'),
            "{shown}: no '%' at byte {at}"
        ),
        UrlError::UnsupportedScheme(scheme) => assert!(
            !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https"),
            "{shown}: {scheme:?} refused"
        ),
        UrlError::Credentials => assert!(input.contains('@'), "{shown}: Credentials"),
        UrlError::InvalidHost { host, reason } => {
            assert!(!reason.is_empty(), "{shown}: no reason");
            assert!(
                host.is_empty() || input.contains(host.as_str()),
                "{shown}: invalid host {host:?} is not in the input"
            );
        }
        UrlError::InvalidPort(port) => assert!(
            input.contains(&format!(":{port}")),
            "{shown}: invalid port {port:?} is not in the input"
        ),
        UrlError::MissingScheme | UrlError::EmptyHost => {}
    }
}

/// What a whole response came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The final response's head (1xx heads are skipped by the reader).
    pub head: Option<ResponseHead>,
    /// The body bytes of every `Data` event, in order.
    pub body: Vec<u8>,
    /// `Ok(leftover)` if `End` came (the bytes after the response), or the error.
    pub end: Result<Vec<u8>, HttpError>,
}

/// Limits small enough that generated and fuzzed heads reach them.
pub const SMALL_LIMITS: Limits = Limits {
    max_head_bytes: 512,
    max_headers: 8,
};

/// Feeds `bytes` to a fresh reader cut at `cuts` (offsets, any order, out-of-range ones
/// ignored), draining the events after each piece, then the close. Checks on the way that the
/// events come in order (one head, then data, then one end), that the body never runs past
/// the bytes fed nor past a `Content-Length`, that `End` means a complete body, that an error
/// is final and says what is wrong, and that the close always ends the response one way or
/// the other.
pub fn read_response(bytes: &[u8], cuts: &[usize], limits: Limits, head_request: bool) -> Outcome {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .copied()
        .filter(|&c| c > 0 && c < bytes.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        pieces.push(&bytes[from..cut]);
        from = cut;
    }

    let mut reader = ResponseReader::with_limits(limits, head_request);
    let mut head: Option<ResponseHead> = None;
    let mut body = Vec::new();
    let mut ended = false;
    let mut fed = 0usize;
    let show = || short(&String::from_utf8_lossy(bytes));
    for piece in pieces.into_iter().map(Some).chain([None]) {
        match piece {
            Some(piece) => {
                reader.feed(piece);
                fed += piece.len();
            }
            None => reader.feed_eof(),
        }
        loop {
            let event = reader.next();
            match event {
                Ok(Some(Event::Head(response))) => {
                    assert!(!ended, "a head after End: {}", show());
                    assert!(head.is_none(), "two heads: {}", show());
                    assert!(
                        !(100..200).contains(&response.status),
                        "an interim head reported: {}",
                        show()
                    );
                    if head_request {
                        assert_eq!(response.framing, Framing::Empty, "{}", show());
                    }
                    head = Some(response);
                }
                Ok(Some(Event::Data(data))) => {
                    assert!(!ended, "data after End: {}", show());
                    assert!(!data.is_empty(), "an empty Data event: {}", show());
                    let framing = head.as_ref().map(|h| h.framing);
                    assert!(
                        framing.is_some_and(|f| f != Framing::Empty),
                        "data without a head that has a body ({framing:?}): {}",
                        show()
                    );
                    body.extend_from_slice(data);
                    assert!(body.len() <= fed, "more body than bytes fed: {}", show());
                    if let Some(Framing::Length(n)) = framing {
                        assert!(body.len() as u64 <= n, "body past {n}: {}", show());
                    }
                    assert_eq!(reader.body_received(), body.len() as u64);
                }
                Ok(Some(Event::End)) => {
                    assert!(!ended, "two Ends: {}", show());
                    assert!(reader.is_done(), "End but not done: {}", show());
                    let head = head
                        .as_ref()
                        .unwrap_or_else(|| panic!("End without a head: {}", show()));
                    match head.framing {
                        Framing::Empty => assert!(body.is_empty()),
                        Framing::Length(n) => assert_eq!(body.len() as u64, n, "{}", show()),
                        Framing::UntilClose => {
                            assert!(piece.is_none(), "until-close body ended early")
                        }
                        Framing::Chunked => {}
                    }
                    ended = true;
                }
                Ok(None) => break,
                Err(error) => {
                    assert!(!ended, "an error after End: {}", show());
                    assert_eq!(
                        reader.next(),
                        Err(error.clone()),
                        "errors are final: {}",
                        show()
                    );
                    check_http_error(&error, bytes);
                    return Outcome {
                        head,
                        body,
                        end: Err(error),
                    };
                }
            }
        }
        assert!(
            piece.is_some() || ended,
            "the reader asked for more after the close: {}",
            show()
        );
    }
    assert_eq!(reader.next(), Ok(None), "an event after End: {}", show());
    Outcome {
        head,
        body,
        end: Ok(reader.leftover().to_vec()),
    }
}

/// [`read_response`] whole, and cut at `cuts`: both must come to the same outcome.
pub fn read_both_ways(bytes: &[u8], cuts: &[usize], limits: Limits, head_request: bool) -> Outcome {
    let whole = read_response(bytes, &[], limits, head_request);
    let cut = read_response(bytes, cuts, limits, head_request);
    assert_eq!(
        cut,
        whole,
        "cut at {cuts:?}, the response reads differently: {}",
        short(&String::from_utf8_lossy(bytes))
    );
    whole
}

/// An error says what is wrong, and its numbers are true.
pub fn check_http_error(error: &HttpError, bytes: &[u8]) {
    let message = error.to_string();
    assert!(
        message.len() > 8,
        "unclear error {message:?} ({error:?}) for {}",
        short(&String::from_utf8_lossy(bytes))
    );
    match error {
        HttpError::Malformed(what) => assert!(!what.is_empty(), "Malformed(\"\")"),
        HttpError::UnsupportedTransferCoding(coding) => {
            assert!(!coding.eq_ignore_ascii_case("chunked"), "{coding:?}")
        }
        HttpError::BodyTruncated { expected, received } => {
            assert!(received < expected, "{error:?}")
        }
        HttpError::ClosedBeforeResponse
        | HttpError::TruncatedHead
        | HttpError::HeadTooLarge { .. }
        | HttpError::TooManyHeaders { .. }
        | HttpError::ChunkedTruncated { .. } => {}
    }
}
