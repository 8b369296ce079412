//! async-stream 0.3: `stream! { … yield a; … }`, a `Stream`, drained by polling it with a waker
//! that does nothing (nothing in it is ever pending), so no executor crate is added.
use futures_core::Stream;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn fib(n: usize) -> impl Stream<Item = u64> {
    async_stream::stream! {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            yield a;
            (a, b) = (b, a + b);
        }
    }
}

fn main() {
    let mut stream = pin!(fib(50));
    let mut cx = Context::from_waker(Waker::noop());
    let mut sum = 0u64;
    while let Poll::Ready(Some(x)) = stream.as_mut().poll_next(&mut cx) {
        sum += x;
    }
    println!("{sum}");
}
