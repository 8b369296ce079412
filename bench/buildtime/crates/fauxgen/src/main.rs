//! fauxgen 0.1: `#[fauxgen::generator(yield = u64)]` and `r#yield!`; pinned to iterate.
use std::pin::pin;

#[fauxgen::generator(yield = u64)]
fn fib(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        r#yield!(a);
        (a, b) = (b, a + b);
    }
}

fn main() {
    let sum: u64 = pin!(fib(50)).sum();
    println!("{sum}");
}
