//! next-gen 0.1: `#[generator(yield(u64))]`, pinned on the stack with `mk_gen!`.
use next_gen::prelude::*;

#[generator(yield(u64))]
fn fib(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
}

fn main() {
    mk_gen!(let g = fib(50));
    let sum: u64 = g.sum();
    println!("{sum}");
}
