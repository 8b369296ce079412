//! `stream`: the `fib` sequence as an async `Stream`, drained by a minimal executor. Every
//! [`PAUSE_EVERY`]th item first awaits a future that is not ready at its first poll (it wakes its
//! task and returns `Pending`, as a socket with no data yet would), so the executor's
//! `Pending` path runs too.
//!
//! - corogen: `#[generator(yield = u64)] async fn` (a PEP 525 async generator), a `Stream`.
//! - async-stream: `stream! { … yield a; … }`.
//! - The baseline is the same stream written as a `Stream` state machine by hand.
//!
//! `stream-delegate-D` (below) passes these items up through `D` levels of async delegation,
//! from a leaf of its own (see `fib_stream_leaf`).

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

// `stream-delegate-D`: the `stream` workload's items (the `fib` sequence, every
// `PAUSE_EVERY`th item first awaiting a future that is `Pending` once) passed up through `D`
// levels of async delegation (`D` = 1, 4, 16): level `D` delegates to level `D - 1`, ...,
// level 1 to the `fib` stream. Every item crosses every level, so this measures what depth
// costs per item of an async generator.
// - corogen: `yield_from!` at each level of an async generator (the outermost polls the
//   innermost directly).
// - async-stream: each level a `stream!` that loops over the level below with `for await` and
//   re-yields (its users' only way; there is no delegation), recursion through a boxed
//   `dyn Stream`, as its type system needs.
// - hand-forward: each level a hand-written `Stream` forwarding `poll_next` to the boxed level
//   below (what a `Stream` combinator chain costs).
// - The baseline is the `stream` row's hand-written `Stream` with no levels at all: the ratio
//   is the whole cost of the chain.

/// The `stream` row's executor: polls until the end, folding the items.
#[inline(always)]
fn drain_dyn<S: Stream<Item = u64> + ?Sized>(mut stream: Pin<&mut S>) -> u64 {
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

/// The baseline: the hand-written stream, undelegated.
#[inline(always)]
fn delegate_hand(_depth: u32, n: usize) -> u64 {
    drain_dyn(pin!(HandStream::new(n)))
}

/// The innermost level of `stream-delegate-D`: [`fib_stream`]'s body, in a function of its own.
/// Were the chain to delegate to `fib_stream` itself, its body would have one more caller, and
/// LLVM would stop inlining it into the `stream` and `stream-opaque` rows' executors (54 and 90
/// Ir per item instead of 21 and 63, in one build): the rows measure each workload, not how the
/// bench's workloads share code.
#[corogen::generator(yield = u64)]
async fn fib_stream_leaf(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for i in 0..n {
        if i.is_multiple_of(PAUSE_EVERY) {
            YieldNow(false).await;
        }
        corogen::yield_!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// `stream-delegate-D`, corogen: `yield_from!` at every level, the Python way (`async for x in sub: yield x`).
#[corogen::generator(yield = u64)]
pub async fn chain(depth: u32, n: usize) {
    if depth == 1 {
        corogen::yield_from!(fib_stream_leaf(n));
    } else {
        corogen::yield_from!(chain(depth - 1, n));
    }
}

#[inline(always)]
fn delegate_corogen(depth: u32, n: usize) -> u64 {
    drain_dyn(pin!(chain(depth, n)))
}

/// async-stream: `for await` over the level below, re-yielding.
fn level_async_stream(depth: u32, n: usize) -> Pin<Box<dyn Stream<Item = u64>>> {
    Box::pin(async_stream::stream! {
        if depth == 1 {
            let inner = async_stream::stream! {
                let (mut a, mut b) = (0u64, 1u64);
                for i in 0..n {
                    if i.is_multiple_of(PAUSE_EVERY) {
                        YieldNow(false).await;
                    }
                    yield a;
                    (a, b) = (b, a.wrapping_add(b));
                }
            };
            for await x in inner {
                yield x;
            }
        } else {
            for await x in level_async_stream(depth - 1, n) {
                yield x;
            }
        }
    })
}

#[inline(always)]
fn delegate_async_stream(depth: u32, n: usize) -> u64 {
    drain_dyn(level_async_stream(depth, n).as_mut())
}

/// One hand-written forwarding level.
struct Forward(Pin<Box<dyn Stream<Item = u64>>>);

impl Stream for Forward {
    type Item = u64;

    #[inline]
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        self.0.as_mut().poll_next(cx)
    }
}

fn level_forward(depth: u32, n: usize) -> Pin<Box<dyn Stream<Item = u64>>> {
    let inner: Pin<Box<dyn Stream<Item = u64>>> = if depth == 1 {
        Box::pin(HandStream::new(n))
    } else {
        level_forward(depth - 1, n)
    };
    Box::pin(Forward(inner))
}

#[inline(always)]
fn delegate_hand_forward(depth: u32, n: usize) -> u64 {
    drain_dyn(level_forward(depth, n).as_mut())
}

/// `stream-delegate-1`: Hand-written `Stream`, no delegation.
#[inline(never)]
pub fn delegate1_hand(n: usize) -> u64 {
    delegate_hand(1, n)
}

/// `stream-delegate-1`: Boxed hand-written forwarding levels.
#[inline(never)]
pub fn delegate1_hand_forward(n: usize) -> u64 {
    delegate_hand_forward(1, n)
}

/// `stream-delegate-1`: corogen `yield_from!` in async generators.
#[inline(never)]
pub fn delegate1_corogen(n: usize) -> u64 {
    delegate_corogen(1, n)
}

/// `stream-delegate-1`: async-stream `for await` + `yield`.
#[inline(never)]
pub fn delegate1_async_stream(n: usize) -> u64 {
    delegate_async_stream(1, n)
}

/// `stream-delegate-4`: Hand-written `Stream`, no delegation.
#[inline(never)]
pub fn delegate4_hand(n: usize) -> u64 {
    delegate_hand(4, n)
}

/// `stream-delegate-4`: Boxed hand-written forwarding levels.
#[inline(never)]
pub fn delegate4_hand_forward(n: usize) -> u64 {
    delegate_hand_forward(4, n)
}

/// `stream-delegate-4`: corogen `yield_from!` in async generators.
#[inline(never)]
pub fn delegate4_corogen(n: usize) -> u64 {
    delegate_corogen(4, n)
}

/// `stream-delegate-4`: async-stream `for await` + `yield`.
#[inline(never)]
pub fn delegate4_async_stream(n: usize) -> u64 {
    delegate_async_stream(4, n)
}

/// `stream-delegate-16`: Hand-written `Stream`, no delegation.
#[inline(never)]
pub fn delegate16_hand(n: usize) -> u64 {
    delegate_hand(16, n)
}

/// `stream-delegate-16`: Boxed hand-written forwarding levels.
#[inline(never)]
pub fn delegate16_hand_forward(n: usize) -> u64 {
    delegate_hand_forward(16, n)
}

/// `stream-delegate-16`: corogen `yield_from!` in async generators.
#[inline(never)]
pub fn delegate16_corogen(n: usize) -> u64 {
    delegate_corogen(16, n)
}

/// `stream-delegate-16`: async-stream `for await` + `yield`.
#[inline(never)]
pub fn delegate16_async_stream(n: usize) -> u64 {
    delegate_async_stream(16, n)
}
