//! [`ResponseReader`]: bytes in, [`Event`]s out.

use std::ops::Range;

use super::{Framing, HttpError, Limits, ResponseHead, framing};

/// The longest chunk-size line accepted (the size, extensions and CRLF).
const MAX_CHUNK_LINE: usize = 4096;

/// What [`ResponseReader::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The status line and headers (interim 1xx responses are skipped).
    Head(ResponseHead),
    /// Some of the body, in order, borrowed from the reader's buffer until the next call.
    Data(&'a [u8]),
    /// The response is complete.
    End,
}

/// Where the reader is in the response.
#[derive(Clone, Debug)]
enum State {
    /// Waiting for a complete head.
    Head,
    /// A `Content-Length` body with `remaining` bytes to go.
    Length { remaining: u64, expected: u64 },
    /// A chunked body.
    Chunked(Chunk),
    /// A body that ends when the connection closes.
    UntilClose,
    /// `End` was reported; anything else in the buffer is leftover.
    Done,
    /// An error was reported; it is reported again on every call.
    Failed(HttpError),
}

/// Where a chunked body is.
#[derive(Clone, Copy, Debug)]
enum Chunk {
    /// Waiting for a chunk-size line.
    Size,
    /// In a chunk's data.
    Data { remaining: u64 },
    /// After a chunk's data: its CRLF.
    DataEnd,
    /// After the last (empty) chunk: trailer fields, then an empty line.
    Trailers,
}

/// What parsing the head found.
enum HeadStep {
    /// A final response's head.
    Final(ResponseHead),
    /// Only part of a head: more bytes are needed.
    NeedMore,
    /// An interim 1xx response, consumed: parse again.
    Interim,
}

/// One step of the reader.
enum Step {
    Head(ResponseHead),
    Data(Range<usize>),
    End,
    NeedMore,
}

/// An HTTP/1.1 response, fed as its bytes arrive; see [the module](super).
///
/// Feed it with [`feed`](Self::feed) (a copy) or by reading straight into
/// [`read_buf`](Self::read_buf) then [`commit`](Self::commit); say the connection closed with
/// [`feed_eof`](Self::feed_eof); then call [`next`](Self::next) until it returns `Ok(None)`
/// (more bytes needed) or [`Event::End`].
#[derive(Debug)]
pub struct ResponseReader {
    /// `buf[start..end]` is received and not yet consumed; `buf[end..]` is free space.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// In the `Head` state: how many of the unconsumed bytes the last parse saw (a head can
    /// only complete with a new `\n`).
    scanned: usize,
    eof: bool,
    request_was_head: bool,
    limits: Limits,
    state: State,
    received: u64,
}

impl Default for ResponseReader {
    fn default() -> Self {
        ResponseReader::new()
    }
}

impl ResponseReader {
    /// A reader for the response to a `GET`, with the default [`Limits`].
    pub fn new() -> Self {
        ResponseReader::with_limits(Limits::default(), false)
    }

    /// A reader with these limits, for the response to a `HEAD` (no body) or not.
    pub fn with_limits(limits: Limits, request_was_head: bool) -> Self {
        ResponseReader {
            buf: Vec::new(),
            start: 0,
            end: 0,
            scanned: 0,
            eof: false,
            request_was_head,
            limits,
            state: State::Head,
            received: 0,
        }
    }

    /// Copies `bytes` in.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.read_buf(bytes.len())[..bytes.len()].copy_from_slice(bytes);
        self.commit(bytes.len());
    }

    /// Free space of at least `min` bytes to read into; say how much was filled with
    /// [`commit`](Self::commit).
    pub fn read_buf(&mut self, min: usize) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 && self.buf.len() - self.end < min {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < min {
            self.buf.resize(self.end + min, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Marks `n` bytes of the last [`read_buf`](Self::read_buf) as filled.
    ///
    /// # Panics
    /// If `n` is more than that space.
    pub fn commit(&mut self, n: usize) {
        assert!(
            self.end + n <= self.buf.len(),
            "commit past read_buf's space"
        );
        self.end += n;
    }

    /// The connection closed: no more bytes will come.
    pub fn feed_eof(&mut self) {
        self.eof = true;
    }

    /// Whether [`Event::End`] has been reported.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Body bytes reported so far.
    pub fn body_received(&self) -> u64 {
        self.received
    }

    /// The body's framing, once the head is known.
    pub fn framing(&self) -> Option<Framing> {
        match self.state {
            State::Head | State::Failed(_) => None,
            State::Length { expected, .. } => Some(Framing::Length(expected)),
            State::Chunked(_) => Some(Framing::Chunked),
            State::UntilClose => Some(Framing::UntilClose),
            State::Done => None,
        }
    }

    /// Bytes received past the end of the response (after [`Event::End`]).
    pub fn leftover(&self) -> &[u8] {
        match self.state {
            State::Done => &self.buf[self.start..self.end],
            _ => &[],
        }
    }

    /// The next event: `Ok(None)` when more bytes (or the close) are needed, or after
    /// [`Event::End`]. An error is final: every later call returns it again.
    #[allow(
        clippy::should_implement_trait,
        reason = "a lending iterator: Data borrows self"
    )]
    pub fn next(&mut self) -> Result<Option<Event<'_>>, HttpError> {
        match self.step() {
            Ok(Step::Head(head)) => Ok(Some(Event::Head(head))),
            Ok(Step::Data(range)) => Ok(Some(Event::Data(&self.buf[range]))),
            Ok(Step::End) => Ok(Some(Event::End)),
            Ok(Step::NeedMore) => Ok(None),
            Err(error) => {
                self.state = State::Failed(error.clone());
                Err(error)
            }
        }
    }

    /// The buffer's size (received bytes plus free space).
    #[cfg(test)]
    pub(super) fn buffer_len(&self) -> usize {
        self.buf.len()
    }

    fn available(&self) -> usize {
        self.end - self.start
    }

    /// Takes up to `max` bytes of body.
    fn take(&mut self, max: u64) -> Range<usize> {
        let n = self
            .available()
            .min(usize::try_from(max).unwrap_or(usize::MAX));
        let range = self.start..self.start + n;
        self.start += n;
        self.received += n as u64;
        range
    }

    fn step(&mut self) -> Result<Step, HttpError> {
        loop {
            match self.state.clone() {
                State::Head => match self.parse_head()? {
                    HeadStep::Final(head) => return Ok(Step::Head(head)),
                    HeadStep::NeedMore => return Ok(Step::NeedMore),
                    HeadStep::Interim => {}
                },
                State::Length { remaining: 0, .. } => {
                    self.state = State::Done;
                    return Ok(Step::End);
                }
                State::Length {
                    remaining,
                    expected,
                } => {
                    if self.available() > 0 {
                        let range = self.take(remaining);
                        let remaining = remaining - range.len() as u64;
                        self.state = State::Length {
                            remaining,
                            expected,
                        };
                        return Ok(Step::Data(range));
                    }
                    if self.eof {
                        return Err(HttpError::BodyTruncated {
                            expected,
                            received: expected - remaining,
                        });
                    }
                    return Ok(Step::NeedMore);
                }
                State::Chunked(chunk) => {
                    if let Some(step) = self.step_chunked(chunk)? {
                        return Ok(step);
                    }
                }
                State::UntilClose => {
                    if self.available() > 0 {
                        return Ok(Step::Data(self.take(u64::MAX)));
                    }
                    if self.eof {
                        self.state = State::Done;
                        return Ok(Step::End);
                    }
                    return Ok(Step::NeedMore);
                }
                State::Done => return Ok(Step::NeedMore),
                State::Failed(error) => return Err(error),
            }
        }
    }

    fn parse_head(&mut self) -> Result<HeadStep, HttpError> {
        let data = &self.buf[self.start..self.end];
        if data.is_empty() {
            return if self.eof {
                Err(HttpError::ClosedBeforeResponse)
            } else {
                Ok(HeadStep::NeedMore)
            };
        }
        // A head within the limit is in the window; what comes after it decides nothing, so
        // that the outcome is the same however the bytes were cut.
        let window = limit_window(data, self.limits.max_head_bytes);
        let fresh = &window[self.scanned.min(window.len())..];
        // Only a new `\n` can complete a head; an error without one is found at the latest
        // when the window is full or the connection closes.
        let full = window.len() > self.limits.max_head_bytes;
        let worth_parsing = self.scanned == 0
            || fresh.contains(&b'\n')
            || (!fresh.is_empty() && (full || self.eof));
        let parsed = if worth_parsing {
            self.scanned = window.len();
            parse_response_head(window, self.limits)?
        } else {
            None
        };
        let Some((consumed, version, status, reason, headers)) = parsed else {
            if full {
                return Err(HttpError::HeadTooLarge {
                    limit: self.limits.max_head_bytes,
                });
            }
            return if self.eof {
                Err(HttpError::TruncatedHead)
            } else {
                Ok(HeadStep::NeedMore)
            };
        };
        self.start += consumed;
        self.scanned = 0;
        if (100..200).contains(&status) {
            if status == 101 {
                return Err(HttpError::Malformed(
                    "unexpected 101 Switching Protocols".into(),
                ));
            }
            return Ok(HeadStep::Interim);
        }
        let framing = framing(self.request_was_head, status, &headers)?;
        self.state = match framing {
            Framing::Empty => State::Length {
                remaining: 0,
                expected: 0,
            },
            Framing::Length(n) => State::Length {
                remaining: n,
                expected: n,
            },
            Framing::Chunked => State::Chunked(Chunk::Size),
            Framing::UntilClose => State::UntilClose,
        };
        Ok(HeadStep::Final(ResponseHead {
            version,
            status,
            reason,
            headers,
            framing,
        }))
    }

    /// One move through a chunked body: `Ok(None)` to loop (a transition without an event).
    fn step_chunked(&mut self, chunk: Chunk) -> Result<Option<Step>, HttpError> {
        let truncated = HttpError::ChunkedTruncated {
            received: self.received,
        };
        let data = &self.buf[self.start..self.end];
        match chunk {
            Chunk::Size => match httparse::parse_chunk_size(limit_window(data, MAX_CHUNK_LINE)) {
                Ok(httparse::Status::Complete((consumed, _))) if consumed > MAX_CHUNK_LINE => {
                    Err(chunk_line_too_long())
                }
                Ok(httparse::Status::Complete((consumed, size))) => {
                    self.start += consumed;
                    self.state = State::Chunked(match size {
                        0 => Chunk::Trailers,
                        remaining => Chunk::Data { remaining },
                    });
                    Ok(None)
                }
                Ok(httparse::Status::Partial) if data.len() > MAX_CHUNK_LINE => {
                    Err(chunk_line_too_long())
                }
                Ok(httparse::Status::Partial) if self.eof => Err(truncated),
                Ok(httparse::Status::Partial) => Ok(Some(Step::NeedMore)),
                Err(httparse::InvalidChunkSize) => {
                    Err(HttpError::Malformed("invalid chunk size line".into()))
                }
            },
            Chunk::Data { remaining } => {
                if self.available() > 0 {
                    let range = self.take(remaining);
                    let remaining = remaining - range.len() as u64;
                    self.state = State::Chunked(if remaining == 0 {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data { remaining }
                    });
                    return Ok(Some(Step::Data(range)));
                }
                if self.eof {
                    Err(truncated)
                } else {
                    Ok(Some(Step::NeedMore))
                }
            }
            Chunk::DataEnd => {
                if data.len() >= 2 && data.starts_with(b"\r\n") {
                    self.start += 2;
                    self.state = State::Chunked(Chunk::Size);
                    return Ok(None);
                }
                if !b"\r\n".starts_with(&data[..data.len().min(2)]) {
                    return Err(HttpError::Malformed(
                        "chunk data not followed by CRLF".into(),
                    ));
                }
                if self.eof {
                    Err(truncated)
                } else {
                    Ok(Some(Step::NeedMore))
                }
            }
            Chunk::Trailers => {
                let mut fields = vec![httparse::EMPTY_HEADER; self.limits.max_headers];
                let window = limit_window(data, self.limits.max_head_bytes);
                match httparse::parse_headers(window, &mut fields) {
                    Ok(httparse::Status::Complete((consumed, _)))
                        if consumed > self.limits.max_head_bytes =>
                    {
                        Err(HttpError::HeadTooLarge {
                            limit: self.limits.max_head_bytes,
                        })
                    }
                    Ok(httparse::Status::Complete((consumed, _))) => {
                        self.start += consumed;
                        self.state = State::Done;
                        Ok(Some(Step::End))
                    }
                    Ok(httparse::Status::Partial) if data.len() > self.limits.max_head_bytes => {
                        Err(HttpError::HeadTooLarge {
                            limit: self.limits.max_head_bytes,
                        })
                    }
                    Ok(httparse::Status::Partial) if self.eof => Err(truncated),
                    Ok(httparse::Status::Partial) => Ok(Some(Step::NeedMore)),
                    Err(httparse::Error::TooManyHeaders) => Err(HttpError::TooManyHeaders {
                        limit: self.limits.max_headers,
                    }),
                    Err(error) => Err(HttpError::Malformed(format!("invalid trailer: {error}"))),
                }
            }
        }
    }
}

/// The first `limit + 1` bytes of `data`: enough to tell whether what is parsed there fits in
/// `limit` bytes, and no more, so that bytes past the limit cannot change the outcome (whether
/// they arrived with the rest or not).
fn limit_window(data: &[u8], limit: usize) -> &[u8] {
    &data[..data.len().min(limit.saturating_add(1))]
}

fn chunk_line_too_long() -> HttpError {
    HttpError::Malformed(format!(
        "chunk size line longer than {MAX_CHUNK_LINE} bytes"
    ))
}

/// A parsed head: bytes consumed, version, status, reason, fields.
type ParsedHead = (usize, u8, u16, String, Vec<(String, Vec<u8>)>);

/// `Ok(None)` if `data` holds only part of a head.
fn parse_response_head(data: &[u8], limits: Limits) -> Result<Option<ParsedHead>, HttpError> {
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut response = httparse::Response::new(&mut fields);
    let consumed = match response.parse(data) {
        Ok(httparse::Status::Complete(consumed)) => consumed,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HttpError::TooManyHeaders {
                limit: limits.max_headers,
            });
        }
        Err(error) => return Err(HttpError::Malformed(error.to_string())),
    };
    if consumed > limits.max_head_bytes {
        return Err(HttpError::HeadTooLarge {
            limit: limits.max_head_bytes,
        });
    }
    let (Some(version), Some(status)) = (response.version, response.code) else {
        unreachable!("httparse: a complete response has a version and a status");
    };
    let reason = response.reason.unwrap_or("").to_owned();
    let headers = response
        .headers
        .iter()
        .map(|field| (field.name.to_owned(), field.value.to_vec()))
        .collect();
    Ok(Some((consumed, version, status, reason, headers)))
}
