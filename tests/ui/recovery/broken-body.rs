// While the body does not parse (as when it is being typed), the function still exists with its
// signature: the caller below gets no error of its own.
use corogen::prelude::*;

#[generator(yield = u32)]
fn half_typed(n: u32) -> u32 {
    let x = ;
    yield_!(n);
    n
}

fn main() {
    let mut g = half_typed(3);
    let _: Option<u32> = g.next();
}
