// The basic shape: the body becomes an async closure that takes the parameters and is called once,
// each `yield_!` becomes an await of the yield slot, and the written return type is the
// generator's final value.
use corogen::prelude::*;

#[generator(yield = u64)]
fn fib(n: usize) -> &'static str {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
    "done"
}

fn main() {
    let _ = fib(10);
}
