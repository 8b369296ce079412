use corogen::prelude::*;

// `yield_from!` starts its delegate as `next()` would, which a `u64` has no value for: one error,
// at the `yield_from!`, that says to use `Option<u64>`.
#[generator(yield = u32, resume = u64)]
fn delegator() {
    yield_from!([1, 2]);
}

fn main() {
    let _ = delegator();
}
