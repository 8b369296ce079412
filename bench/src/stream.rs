//! `stream`: the `fib` sequence as an async `Stream`, drained by a minimal executor. Every
//! [`PAUSE_EVERY`]th item first awaits a future that is not ready at its first poll (it wakes its
//! task and returns `Pending`, as a socket with no data yet would), so the executor's
//! `Pending` path runs too.
//!
//! - corogen: `#[generator(yield = u64)] async fn` (a PEP 525 async generator), a `Stream`.
//! - async-stream: `stream! { … yield a; … }`.
//! - The baseline is the same stream written as a `Stream` state machine by hand.

use crate::mix;
use futures_core::Stream;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// Items between two pauses.
pub const PAUSE_EVERY: usize = 16;

/// A future that is pending once: it wakes its task, returns `Pending`, and is ready when polled
/// again (what `yield_now` in an async runtime does).
pub struct YieldNow(pub bool);

impl Future for YieldNow {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The minimal executor: polls the stream until it ends, folding its items. The waker does
/// nothing: every `Pending` here comes from [`YieldNow`], which woke the task already, so the
/// stream is polled again at once.
#[inline(always)]
fn drain<S: Stream<Item = u64>>(mut stream: Pin<&mut S>) -> u64 {
    let mut cx = Context::from_waker(Waker::noop());
    let mut acc = 0;
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(x)) => acc = mix(acc, x),
            Poll::Ready(None) => return acc,
            Poll::Pending => {}
        }
    }
}

/// The baseline: the same stream written as a state machine by hand.
pub struct HandStream {
    a: u64,
    b: u64,
    i: usize,
    n: usize,
    /// Whether the pause before item `i` has happened.
    paused: bool,
}

impl HandStream {
    /// The first `n` wrapping Fibonacci numbers, pausing before every `PAUSE_EVERY`th.
    pub fn new(n: usize) -> Self {
        HandStream {
            a: 0,
            b: 1,
            i: 0,
            n,
            paused: false,
        }
    }
}

impl Stream for HandStream {
    type Item = u64;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        let this = self.get_mut();
        if this.i == this.n {
            return Poll::Ready(None);
        }
        if this.i.is_multiple_of(PAUSE_EVERY) && !this.paused {
            this.paused = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.paused = false;
        this.i += 1;
        let a = this.a;
        (this.a, this.b) = (this.b, this.a.wrapping_add(this.b));
        Poll::Ready(Some(a))
    }
}

/// Hand-written `Stream`.
#[inline(never)]
pub fn hand(n: usize) -> u64 {
    drain(pin!(HandStream::new(n)))
}

/// The corogen async generator.
#[corogen::generator(yield = u64)]
pub async fn fib_stream(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for i in 0..n {
        if i.is_multiple_of(PAUSE_EVERY) {
            YieldNow(false).await;
        }
        corogen::yield_!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// corogen `#[generator] async fn`.
#[inline(never)]
pub fn corogen(n: usize) -> u64 {
    drain(pin!(fib_stream(n)))
}

/// async-stream's `stream!`.
#[inline(never)]
pub fn async_stream(n: usize) -> u64 {
    let s = async_stream::stream! {
        let (mut a, mut b) = (0u64, 1u64);
        for i in 0..n {
            if i.is_multiple_of(PAUSE_EVERY) {
                YieldNow(false).await;
            }
            yield a;
            (a, b) = (b, a.wrapping_add(b));
        }
    };
    drain(pin!(s))
}
