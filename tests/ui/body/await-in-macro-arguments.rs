// Regression: `.await` passed through another macro's arguments compiled in a plain generator
// (and failed only at run time), where writing it directly is a compile error.
use corogen::prelude::*;

async fn fetch() -> u32 {
    1
}

#[allow(unused_macros, reason = "the generator is not expanded once it has an error")]
macro_rules! id {
    ($e:expr) => {
        $e
    };
}

#[generator(yield = u32)]
fn fetched() {
    let value = id!(fetch().await);
    yield_!(value);
    let nested = id!(id!((fetch().await, 2)));
    yield_!(nested.1);
}

fn main() {
    let _ = fetched();
}
