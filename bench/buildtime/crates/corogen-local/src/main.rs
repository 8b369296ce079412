//! corogen with `default-features = false` and no features: a `GenLocal`, pinned where it lives.
use core::pin::pin;
use corogen::prelude::*;

#[generator(local, yield = u64)]
fn fib(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
}

fn main() {
    let sum: u64 = pin!(fib(50)).sum();
    println!("{sum}");
}
