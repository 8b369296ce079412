//! `stream-delegate-D`: the `stream` workload's items (the `fib` sequence, every
//! [`PAUSE_EVERY`]th item first awaiting a future that is `Pending` once) passed up through `D`
//! levels of async delegation (`D` = 1, 4, 16): level `D` delegates to level `D - 1`, ...,
//! level 1 to the `fib` stream. Every item crosses every level, so this measures what depth
//! costs per item of an async generator.
//!
//! - corogen: `yield_from!` at each level of an async generator (the outermost polls the
//!   innermost directly).
//! - async-stream: each level a `stream!` that loops over the level below with `for await` and
//!   re-yields (its users' only way; there is no delegation), recursion through a boxed
//!   `dyn Stream`, as its type system needs.
//! - hand-forward: each level a hand-written `Stream` forwarding `poll_next` to the boxed level
//!   below (what a `Stream` combinator chain costs).
//! - The baseline is the `stream` row's hand-written `Stream` with no levels at all: the ratio
//!   is the whole cost of the chain.

use crate::mix;
use crate::stream::{HandStream, PAUSE_EVERY, YieldNow, fib_stream};
use futures_core::Stream;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// The `stream` row's executor: polls until the end, folding the items.
#[inline(always)]
fn drain<S: Stream<Item = u64> + ?Sized>(mut stream: Pin<&mut S>) -> u64 {
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
fn hand(_depth: u32, n: usize) -> u64 {
    drain(pin!(HandStream::new(n)))
}

/// corogen: `yield_from!` at every level, the Python way (`async for x in sub: yield x`).
#[corogen::generator(yield = u64)]
pub async fn chain(depth: u32, n: usize) {
    if depth == 1 {
        corogen::yield_from!(fib_stream(n));
    } else {
        corogen::yield_from!(chain(depth - 1, n));
    }
}

#[inline(always)]
fn corogen(depth: u32, n: usize) -> u64 {
    drain(pin!(chain(depth, n)))
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
fn async_stream(depth: u32, n: usize) -> u64 {
    drain(level_async_stream(depth, n).as_mut())
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
fn hand_forward(depth: u32, n: usize) -> u64 {
    drain(level_forward(depth, n).as_mut())
}

/// The `#[inline(never)]` entry points at one depth, named for callgrind.
macro_rules! entry_points {
    ($depth:literal) => {
        /// Hand-written `Stream`, no delegation.
        #[inline(never)]
        pub fn hand(n: usize) -> u64 {
            super::hand($depth, n)
        }
        /// Boxed hand-written forwarding levels.
        #[inline(never)]
        pub fn hand_forward(n: usize) -> u64 {
            super::hand_forward($depth, n)
        }
        /// corogen `yield_from!` in async generators.
        #[inline(never)]
        pub fn corogen(n: usize) -> u64 {
            super::corogen($depth, n)
        }
        /// async-stream `for await` + `yield`.
        #[inline(never)]
        pub fn async_stream(n: usize) -> u64 {
            super::async_stream($depth, n)
        }
    };
}

/// One level of delegation.
pub mod depth1 {
    entry_points!(1);
}

/// Four levels of delegation.
pub mod depth4 {
    entry_points!(4);
}

/// Sixteen levels of delegation.
pub mod depth16 {
    entry_points!(16);
}
