//! What a plain generator's body may hand to other macros: an `async` block (or async closure)
//! is a future of its own, so an `.await` inside it is legitimate even there (an `.await` of the
//! body itself is a compile error, also through a macro: `tests/ui/body/`).

use corogen::prelude::*;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

async fn one() -> u32 {
    1
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

#[generator(yield = u32)]
fn awaits_inside_async_blocks_in_macros() {
    assert_eq!(block_on(async { one().await }), 1);
    assert_eq!(block_on(async move { one().await + one().await }), 2);
    let add = async |x: u32| one().await + x;
    assert_eq!(block_on(add(2)), 3);
    yield_!(vec![block_on(async { one().await })][0]);
}

#[test]
fn an_async_block_in_a_macro_argument_may_await() {
    assert_eq!(
        awaits_inside_async_blocks_in_macros().collect::<Vec<_>>(),
        [1]
    );
}
