//! The `stream` workload (see [`crate::stream`]) written with the two newer stream peers:
//!
//! - fauxgen 0.1: `#[fauxgen::generator(yield = u64)] async fn` with `r#yield!`, a `Stream`
//!   once pinned.
//! - asynk-strim 0.1: `stream_fn(|mut yielder| async move { … yielder.yield_item(a).await; … })`,
//!   no macro and no allocation: the item passes through a frame that its `poll_next` puts in a
//!   wrapper of the executor's waker, which the yield future finds again.
//!
//! Both wrap the waker to find their slot (as corogen's async generator does); both pass
//! [`YieldNow`]'s wake on to the executor's waker. Kept out of `stream.rs` so that module's code
//! (and its codegen unit) stays as it is.

use crate::mix;
use crate::stream::{PAUSE_EVERY, YieldNow};
use futures_core::Stream;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// `stream.rs`'s minimal executor: polls with the no-op waker until the stream ends.
#[inline(always)]
pub(crate) fn drain<S: Stream<Item = u64> + ?Sized>(mut stream: Pin<&mut S>) -> u64 {
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

/// The fauxgen async generator.
#[fauxgen::generator(yield = u64)]
pub async fn fib_stream_fauxgen(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for i in 0..n {
        if i.is_multiple_of(PAUSE_EVERY) {
            YieldNow(false).await;
        }
        r#yield!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// The asynk-strim stream.
pub fn fib_stream_asynk_strim(n: usize) -> impl Stream<Item = u64> {
    asynk_strim::stream_fn(move |mut yielder| async move {
        let (mut a, mut b) = (0u64, 1u64);
        for i in 0..n {
            if i.is_multiple_of(PAUSE_EVERY) {
                YieldNow(false).await;
            }
            yielder.yield_item(a).await;
            (a, b) = (b, a.wrapping_add(b));
        }
    })
}

/// fauxgen `#[generator] async fn`.
#[inline(never)]
pub fn fauxgen(n: usize) -> u64 {
    drain(pin!(fib_stream_fauxgen(n)))
}

/// asynk-strim `stream_fn`.
#[inline(never)]
pub fn asynk_strim(n: usize) -> u64 {
    drain(pin!(fib_stream_asynk_strim(n)))
}
