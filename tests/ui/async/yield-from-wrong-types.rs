// `yield_from!` in an async generator checks its delegate at the argument: a generator must
// yield and take what the delegating generator does, a stream or an iterable must have its
// item type.
use corogen::prelude::*;

#[generator(yield = u32)]
async fn words() {
    yield_!(1);
}

#[generator(yield = u32, resume = u32)]
async fn takes_numbers() {
    let _ = yield_!(1);
}

#[generator(yield = &'static str)]
async fn delegator() {
    yield_from!(words());
    yield_from!(takes_numbers());
    yield_from!(futures::stream::iter([1u32]));
    yield_from!(vec![1u32]);
}

fn main() {
    let _ = delegator();
}
