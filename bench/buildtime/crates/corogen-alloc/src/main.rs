//! corogen with `default-features = false, features = ["alloc"]`: a `Gen`, one allocation.
use corogen::prelude::*;

#[generator(yield = u64)]
fn fib(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
}

fn main() {
    let sum: u64 = fib(50).sum();
    println!("{sum}");
}
