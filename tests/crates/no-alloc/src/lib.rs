//! A `#![no_std]` user library without an allocator: corogen with no features at all, where the
//! zero-allocation `GenLocal` (`#[generator(local)]`, `gen_local!`) is the generator. CI checks it
//! for `thumbv7em-none-eabihf` and runs its tests on the host, built alone
//! (`cargo test -p corogen-test-no-alloc`) so that no other package turns `alloc` back on.
#![no_std]
#![deny(warnings)]

use core::pin::pin;
use corogen::prelude::*;

/// The seed's `fib`, with no allocation: pin it where it lives.
#[generator(local, yield = u64)]
pub fn fib(n: usize) -> &'static str {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
    "done"
}

/// A coroutine that takes values through `send`.
#[generator(local, yield = u32, resume = u32)]
pub fn accumulate() -> u32 {
    let mut total = 0;
    while total < 100 {
        total += yield_!(total);
    }
    total
}

/// The sum of `fib(n)` and its return value, on the stack.
pub fn fib_sum(n: usize) -> (u64, &'static str) {
    let mut g = pin!(fib(n));
    let sum = g.as_mut().sum();
    (sum, g.return_value().copied().unwrap_or("unfinished"))
}

/// What `accumulate` yields for `sends`, written into `out`, and what it returned if it did.
pub fn accumulate_all(sends: &[u32], out: &mut [u32]) -> Option<u32> {
    let mut g = pin!(accumulate());
    for (send, slot) in sends.iter().zip(out.iter_mut()) {
        match g.as_mut().resume(*send) {
            GeneratorState::Yielded(total) => *slot = total,
            GeneratorState::Complete(total) => return Some(total),
        }
    }
    None
}

/// A `gen_local!` expression borrowing a slice: the squares of its items.
pub fn sum_of_squares(items: &[u32]) -> u32 {
    let g = pin!(gen_local!({
        for x in items {
            yield_!(x * x);
        }
    }));
    g.sum()
}
