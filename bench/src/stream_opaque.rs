//! `stream-opaque`: the `stream` workload with every stream consumed through
//! `Pin<&mut dyn Stream<Item = u64>>`, so that no implementation's `poll_next` is inlined into
//! the consumer. The `stream` rows let LLVM inline each generator into the executor's loop (and
//! whether it does moves async-stream's figure by 5x between builds); these rows measure the
//! other case, in the same build: a stream behind a trait object, handed to code that cannot see
//! its type, as a runtime's task or a `Box<dyn Stream>` would be.
//!
//! The fat pointer passes through `black_box`, so LLVM cannot learn the vtable and turn the
//! indirect call back into a direct one. The streams are the `stream` rows' own: the
//! hand-written `HandStream`, corogen's `fib_stream`, async-stream's `stream!` (the same block
//! as `stream.rs`'s), and fauxgen's and asynk-strim's from [`crate::stream_peers`].

use crate::stream::{HandStream, PAUSE_EVERY, YieldNow, fib_stream};
use crate::stream_peers::{drain, fib_stream_asynk_strim, fib_stream_fauxgen};
use futures_core::Stream;
use std::hint::black_box;
use std::pin::{Pin, pin};

/// Drains `stream` through its vtable.
#[inline(always)]
fn drain_dyn(stream: Pin<&mut dyn Stream<Item = u64>>) -> u64 {
    drain(black_box(stream))
}

/// Hand-written `Stream`.
#[inline(never)]
pub fn hand(n: usize) -> u64 {
    drain_dyn(pin!(HandStream::new(n)))
}

/// corogen `#[generator] async fn`.
#[inline(never)]
pub fn corogen(n: usize) -> u64 {
    drain_dyn(pin!(fib_stream(n)))
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
    drain_dyn(pin!(s))
}

/// asynk-strim `stream_fn`.
#[inline(never)]
pub fn asynk_strim(n: usize) -> u64 {
    drain_dyn(pin!(fib_stream_asynk_strim(n)))
}

/// fauxgen `#[generator] async fn`.
#[inline(never)]
pub fn fauxgen(n: usize) -> u64 {
    drain_dyn(pin!(fib_stream_fauxgen(n)))
}
