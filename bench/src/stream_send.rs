//! `stream-send`: `n` round trips into an async generator that takes values (Python's `asend`),
//! each sending the previous reply (xor the index) and folding the answer; before every
//! [`PAUSE_EVERY`]th reply the body awaits a future that is `Pending` once, as in `stream`, so
//! the send future's `Pending` path runs too.
//!
//! - corogen: `#[generator(yield = u64, resume = u64)] async fn`, driven by `send(v)` futures
//!   polled with a no-op waker until ready.
//! - The baseline is the same coroutine written by hand as a struct with a `poll_send`.
//!
//! No peer crate has async generators that take values (async-stream takes none, genawaiter's
//! `async_resume` only `()`), so there is no other row.

use crate::mix;
use crate::send::K;
use crate::stream::{PAUSE_EVERY, YieldNow};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The baseline: what the generator below does, as a struct. Like it, it ignores the value of
/// the first send (which only starts the body).
pub struct HandAsync {
    k: u64,
    x: u64,
    i: usize,
    started: bool,
    paused: bool,
}

impl HandAsync {
    /// A fresh coroutine that xors its replies with `k`.
    pub fn new(k: u64) -> Self {
        HandAsync {
            k,
            x: 0,
            i: 0,
            started: false,
            paused: false,
        }
    }

    /// Takes the value in `value` (when there is one), and replies, pausing once before every
    /// `PAUSE_EVERY`th reply.
    #[inline]
    pub fn poll_send(&mut self, cx: &mut Context<'_>, value: &mut Option<u64>) -> Poll<u64> {
        if let Some(v) = value.take() {
            if self.started {
                self.x = v;
            }
            self.started = true;
        }
        if self.i.is_multiple_of(PAUSE_EVERY) && !self.paused {
            self.paused = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.paused = false;
        self.i += 1;
        Poll::Ready(self.x.wrapping_mul(3) ^ self.k)
    }
}

/// The async generator: each value sent becomes `x`, each reply is `x * 3 ^ k`.
#[corogen::generator(yield = u64, resume = u64)]
pub async fn send_stream(k: u64) {
    let mut x = 0u64;
    let mut i = 0usize;
    loop {
        if i.is_multiple_of(PAUSE_EVERY) {
            YieldNow(false).await;
        }
        i += 1;
        x = corogen::yield_!(x.wrapping_mul(3) ^ k);
    }
}

/// Hand-written `poll_send`.
#[inline(never)]
pub fn hand(n: usize) -> u64 {
    let mut h = HandAsync::new(black_box(K));
    let mut cx = Context::from_waker(Waker::noop());
    let (mut v, mut acc) = (0u64, 0u64);
    for i in 0..n {
        let mut value = Some(v ^ i as u64);
        v = loop {
            if let Poll::Ready(reply) = h.poll_send(&mut cx, &mut value) {
                break reply;
            }
        };
        acc = mix(acc, v);
    }
    acc
}

/// corogen `AsyncGen::send`.
#[inline(never)]
pub fn corogen(n: usize) -> u64 {
    let mut g = send_stream(black_box(K));
    let mut cx = Context::from_waker(Waker::noop());
    let (mut v, mut acc) = (0u64, 0u64);
    for i in 0..n {
        let mut send = g.send(v ^ i as u64);
        v = loop {
            if let Poll::Ready(reply) = Pin::new(&mut send).poll(&mut cx) {
                break reply.unwrap_or_else(|_| unreachable!("the generator never returns"));
            }
        };
        acc = mix(acc, v);
    }
    acc
}
