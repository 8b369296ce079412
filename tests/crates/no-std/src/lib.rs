//! A `#![no_std]` user library with an allocator, as on a microcontroller: corogen with
//! `default-features = false, features = ["alloc"]`. CI checks it for `thumbv7em-none-eabihf`
//! (where it brings its own global allocator) and runs its tests on the host (`tests/run.rs`),
//! built alone (`cargo test -p corogen-test-no-std`) so that no other package turns `std` back on.
#![no_std]
#![deny(warnings)]

extern crate alloc;

use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use corogen::prelude::*;
use corogen::{Body, GenState};

/// The seed's `fib`, returning `"done"` as its `StopIteration` value.
#[generator(yield = u64)]
pub fn fib(n: usize) -> &'static str {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
    "done"
}

/// A coroutine that takes values through `send`: the running average.
#[generator(yield = u32, resume = Option<u32>)]
pub fn averager() -> u32 {
    let (mut total, mut count) = (0u32, 0u32);
    while let Some(value) = yield_!(total.checked_div(count).unwrap_or(0)) {
        total += value;
        count += 1;
    }
    total
}

/// A recursive walk through `yield_from!`: the values of a complete binary tree of `depth`
/// levels, in order.
#[generator(yield = u32)]
pub fn in_order(low: u32, depth: u32) -> u32 {
    if depth == 0 {
        return 0;
    }
    let half = 1 << (depth - 1);
    let left = yield_from!(in_order(low, depth - 1));
    yield_!(low + half - 1);
    let right = yield_from!(in_order(low + half, depth - 1));
    left + right + 1
}

/// Delegation to an iterable and to a sub-generator, collecting the sub-generator's return.
#[generator(yield = u32, resume = Option<u32>)]
pub fn report() -> Vec<u32> {
    let mut totals = Vec::new();
    yield_from!([100, 200]);
    totals.push(yield_from!(averager()));
    totals
}

/// An error a caller throws into [`counter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Skips ahead by ten.
    Skip,
    /// Ends the generator with this error.
    Fatal(&'static str),
}

/// `throw`: each `yield_!` is a `Result`.
#[generator(yield = u32, throw = Signal)]
pub fn counter() -> Result<u32, Signal> {
    let mut n = 0;
    loop {
        match yield_!(n) {
            Ok(()) => n += 1,
            Err(Signal::Skip) => n += 10,
            Err(fatal) => return Err(fatal),
        }
    }
}

/// An anonymous generator that borrows, boxed as a trait object.
pub fn evens(limit: u32) -> BoxedEvens {
    gen_!({
        for i in (0..limit).step_by(2) {
            yield_!(i);
        }
    })
    .boxed()
}

/// What [`evens`] returns.
pub type BoxedEvens = corogen::BoxGenerator<'static, u32>;

/// The state a generator reports, to check `state()` from the tests.
pub fn state_of<B: Body>(generator: &corogen::Gen<B>) -> GenState {
    generator.state()
}

/// An async generator (a `Stream`) that awaits a future that is ready at once.
#[generator(yield = u32)]
pub async fn countdown(from: u32) -> &'static str {
    for i in (1..=from).rev() {
        core::future::ready(()).await;
        yield_!(i);
    }
    "liftoff"
}

/// Drains `countdown` with a no-op waker (`no_std` has no executor), through the generator's own
/// `next()` future.
pub fn drain_countdown(from: u32) -> (Vec<u32>, Option<&'static str>) {
    let mut stream = countdown(from);
    let mut cx = Context::from_waker(Waker::noop());
    let mut items = Vec::new();
    loop {
        let mut next = stream.next();
        match Pin::new(&mut next).poll(&mut cx) {
            Poll::Ready(Some(item)) => items.push(item),
            Poll::Ready(None) => break,
            Poll::Pending => unreachable!("every future countdown awaits is ready"),
        }
    }
    (items, stream.return_value().copied())
}

/// The allocator of the microcontroller build: a bump allocator over a static arena (the
/// generators above allocate little). Only on bare-metal targets; elsewhere `std`'s is used.
#[cfg(target_os = "none")]
mod bare_metal {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;
    use core::sync::atomic::{AtomicUsize, Ordering};

    const ARENA: usize = 64 * 1024;

    struct Bump {
        arena: UnsafeCell<[u8; ARENA]>,
        next: AtomicUsize,
    }

    // SAFETY: the arena is handed out in disjoint pieces, claimed with an atomic update.
    unsafe impl Sync for Bump {}

    // SAFETY: each block is a fresh, disjoint, suitably aligned piece of the arena or null.
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let base = self.arena.get() as usize;
            let mut claimed = 0;
            let result = self
                .next
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
                    let start = (base + next).next_multiple_of(layout.align()) - base;
                    let end = start.checked_add(layout.size())?;
                    claimed = start;
                    (end <= ARENA).then_some(end)
                });
            match result {
                Ok(_) => (base + claimed) as *mut u8,
                Err(_) => core::ptr::null_mut(),
            }
        }

        unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
    }

    #[global_allocator]
    static ALLOCATOR: Bump = Bump {
        arena: UnsafeCell::new([0; ARENA]),
        next: AtomicUsize::new(0),
    };
}
