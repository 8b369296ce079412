//! asynk-strim 0.1 (no proc macro): `stream_fn` over an async closure that yields through its
//! `Yielder`, a `Stream`, drained as async-stream's is.
use futures_core::Stream;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn fib(n: usize) -> impl Stream<Item = u64> {
    asynk_strim::stream_fn(move |mut yielder| async move {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            yielder.yield_item(a).await;
            (a, b) = (b, a + b);
        }
    })
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
