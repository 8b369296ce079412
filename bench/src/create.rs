//! `create`: `n` tiny generators of 3 items each, created and drained: the per-generator setup
//! cost.
//!
//! Two variants of every implementation:
//! - [`local`]: the generator is created and drained in place. LLVM may see its whole life and
//!   remove an allocation (it does for corogen's `Box`), so this is the zero-allocation path.
//! - [`escaped`]: the generator (or the handle to it) passes through `black_box` before it is
//!   drained, as when it is stored or returned. Its memory must then really exist: this is the
//!   default, allocating path of corogen and of every peer that allocates.
//!
//! corogen appears three times: a `#[generator]` function and a `gen_!` expression (both `Gen`,
//! which allocates its state once), and a `#[generator(local)]` function (`GenLocal`, state
//! inline, pinned with `pin!`, never allocated).
//!
//! The items are `i`, `i + 1` and `i * 3`, so no two generators yield the same thing.

use crate::mix;
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};
use genawaiter::stack::let_gen_using;
use std::hint::black_box;
use std::pin::pin;

/// The baseline: a hand-written 3-item iterator.
pub struct Three {
    i: u64,
    state: u8,
}

impl Iterator for Three {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let out = match self.state {
            0 => self.i,
            1 => self.i.wrapping_add(1),
            2 => self.i.wrapping_mul(3),
            _ => return None,
        };
        self.state += 1;
        Some(out)
    }
}

/// The same 3 items from a `#[generator]` function. Generic over the row (`create` or
/// `create-escaped`) so that each row has a body of its own: shared, whether LLVM inlines it
/// into each flips with code elsewhere in the crate (39 and 228 Ir per generator, or 244 and
/// 244), and the rows measure each workload, not how the bench's workloads share code.
#[corogen::generator(yield = u64)]
pub fn three<const ESCAPE: bool>(i: u64) {
    corogen::yield_!(i);
    corogen::yield_!(i.wrapping_add(1));
    corogen::yield_!(i.wrapping_mul(3));
}

/// The same 3 items from `#[generator(recycle)]`: a `Gen` whose body block comes from a
/// per-thread free list. Generic over the row, as [`three`] is.
#[corogen::generator(recycle, yield = u64)]
pub fn three_recycled<const ESCAPE: bool>(i: u64) {
    corogen::yield_!(i);
    corogen::yield_!(i.wrapping_add(1));
    corogen::yield_!(i.wrapping_mul(3));
}

/// The same 3 items from `#[generator(local)]`: a `GenLocal` with its state inline, pinned where
/// it lives, never allocated.
#[corogen::generator(local, yield = u64)]
pub fn three_local(i: u64) {
    corogen::yield_!(i);
    corogen::yield_!(i.wrapping_add(1));
    corogen::yield_!(i.wrapping_mul(3));
}

macro_rules! genawaiter_three {
    ($co:expr, $i:expr) => {{
        $co.yield_($i).await;
        $co.yield_($i.wrapping_add(1)).await;
        $co.yield_($i.wrapping_mul(3)).await;
    }};
}

async fn three_stack(co: genawaiter::stack::Co<'_, u64>, i: u64) {
    genawaiter_three!(co, i)
}

async fn three_rc(co: genawaiter::rc::Co<u64>, i: u64) {
    genawaiter_three!(co, i)
}

#[next_gen::generator(yield(u64))]
fn three_next_gen(i: u64) {
    yield_!(i);
    yield_!(i.wrapping_add(1));
    yield_!(i.wrapping_mul(3));
}

#[diapause::coroutine(yield = u64)]
pub fn three_diapause(i: u64) {
    yield_!(i);
    yield_!(i.wrapping_add(1));
    yield_!(i.wrapping_mul(3));
}

/// The implementations, generic over whether the generator escapes.
mod imp {
    use super::*;

    /// Passes the generator through `black_box` when `ESCAPE`, forcing it into memory.
    #[inline(always)]
    fn escape<const ESCAPE: bool, T>(x: T) -> T {
        if ESCAPE { black_box(x) } else { x }
    }

    #[inline(always)]
    pub fn hand<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            escape::<ESCAPE, _>(Three { i, state: 0 }).fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn from_fn<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let mut state = 0u8;
            let it = std::iter::from_fn(move || {
                let out = match state {
                    0 => i,
                    1 => i.wrapping_add(1),
                    2 => i.wrapping_mul(3),
                    _ => return None,
                };
                state += 1;
                Some(out)
            });
            escape::<ESCAPE, _>(it).fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn corogen_fn<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            escape::<ESCAPE, _>(three::<ESCAPE>(i)).fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn corogen_recycle<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            escape::<ESCAPE, _>(three_recycled::<ESCAPE>(i)).fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn corogen_expr<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let g = corogen::gen_!({
                corogen::yield_!(i);
                corogen::yield_!(i.wrapping_add(1));
                corogen::yield_!(i.wrapping_mul(3));
            });
            escape::<ESCAPE, _>(g).fold(acc, mix)
        })
    }

    /// Pinned on the stack with `pin!`; what escapes is the `Pin<&mut GenLocal>`.
    #[inline(always)]
    pub fn corogen_local<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let g = pin!(three_local(i));
            escape::<ESCAPE, _>(g).fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn genawaiter_stack<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let_gen_using!(g, |co| three_stack(co, i));
            escape::<ESCAPE, _>(g).into_iter().fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn genawaiter_rc<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let g = genawaiter::rc::Gen::new(|co| three_rc(co, i));
            escape::<ESCAPE, _>(g).into_iter().fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn next_gen<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            next_gen::mk_gen!(let g = three_next_gen(i));
            escape::<ESCAPE, _>(g).fold(acc, mix)
        })
    }

    #[inline(always)]
    pub fn diapause<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            diapause::Iter::new(escape::<ESCAPE, _>(three_diapause(i))).fold(acc, mix)
        })
    }

    /// generator-rs yields the closure's return value as the last item; returning the third
    /// value avoids `done!()`, which ends a generator by unwinding a panic.
    #[inline(always)]
    pub fn generator_rs<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let g = generator::Gn::<()>::new_scoped(move |mut s| {
                s.yield_with(i);
                s.yield_with(i.wrapping_add(1));
                i.wrapping_mul(3)
            });
            escape::<ESCAPE, _>(g).fold(acc, mix)
        })
    }

    /// One corosensei coroutine, on `stack`.
    #[inline(always)]
    fn corosensei_three(stack: DefaultStack, i: u64) -> Coroutine<(), u64, (), DefaultStack> {
        Coroutine::with_stack(stack, move |yielder, ()| {
            yielder.suspend(i);
            yielder.suspend(i.wrapping_add(1));
            yielder.suspend(i.wrapping_mul(3));
        })
    }

    /// A fresh stack for every coroutine.
    #[inline(always)]
    pub fn corosensei<const ESCAPE: bool>(n: usize) -> u64 {
        (0..n as u64).fold(0, |acc, i| {
            let stack = DefaultStack::default();
            let mut co = escape::<ESCAPE, _>(corosensei_three(stack, i));
            let mut acc = acc;
            while let CoroutineResult::Yield(x) = co.resume(()) {
                acc = mix(acc, x);
            }
            acc
        })
    }

    /// corosensei's fast path for many short coroutines: `into_stack` hands the finished
    /// coroutine's stack to the next one, so only one stack is ever mapped.
    #[inline(always)]
    pub fn corosensei_reuse<const ESCAPE: bool>(n: usize) -> u64 {
        let mut stack = Some(DefaultStack::default());
        (0..n as u64).fold(0, |acc, i| {
            let mut co = escape::<ESCAPE, _>(corosensei_three(stack.take().expect("stack"), i));
            let mut acc = acc;
            while let CoroutineResult::Yield(x) = co.resume(()) {
                acc = mix(acc, x);
            }
            stack = Some(co.into_stack());
            acc
        })
    }
}

/// The `#[inline(never)]` entry points of one variant, named for callgrind.
macro_rules! entry_points {
    ($escape:literal) => {
        /// Hand-written iterator.
        #[inline(never)]
        pub fn hand(n: usize) -> u64 {
            super::imp::hand::<$escape>(n)
        }
        /// `std::iter::from_fn` with a state counter.
        #[inline(never)]
        pub fn from_fn(n: usize) -> u64 {
            super::imp::from_fn::<$escape>(n)
        }
        /// corogen `#[generator]` function.
        #[inline(never)]
        pub fn corogen_fn(n: usize) -> u64 {
            super::imp::corogen_fn::<$escape>(n)
        }
        /// corogen `gen_!` expression.
        #[inline(never)]
        pub fn corogen_expr(n: usize) -> u64 {
            super::imp::corogen_expr::<$escape>(n)
        }
        /// corogen `#[generator(recycle)]` function (its block from a free list).
        #[inline(never)]
        pub fn corogen_recycle(n: usize) -> u64 {
            super::imp::corogen_recycle::<$escape>(n)
        }
        /// corogen `#[generator(local)]`, pinned on the stack (never allocates).
        #[inline(never)]
        pub fn corogen_local(n: usize) -> u64 {
            super::imp::corogen_local::<$escape>(n)
        }
        /// genawaiter `stack` (a `Shelf` per generator, in this frame).
        #[inline(never)]
        pub fn genawaiter_stack(n: usize) -> u64 {
            super::imp::genawaiter_stack::<$escape>(n)
        }
        /// genawaiter `rc` (allocates).
        #[inline(never)]
        pub fn genawaiter_rc(n: usize) -> u64 {
            super::imp::genawaiter_rc::<$escape>(n)
        }
        /// next-gen, stack-pinned with `mk_gen!`.
        #[inline(never)]
        pub fn next_gen(n: usize) -> u64 {
            super::imp::next_gen::<$escape>(n)
        }
        /// diapause state enum (a value; never allocates).
        #[inline(never)]
        pub fn diapause(n: usize) -> u64 {
            super::imp::diapause::<$escape>(n)
        }
        /// generator-rs with its default stack (32 KiB) per generator.
        #[inline(never)]
        pub fn generator_rs(n: usize) -> u64 {
            super::imp::generator_rs::<$escape>(n)
        }
        /// corosensei with a fresh default stack (1 MiB, mapped lazily) per coroutine.
        #[inline(never)]
        pub fn corosensei(n: usize) -> u64 {
            super::imp::corosensei::<$escape>(n)
        }
        /// corosensei reusing one stack (`into_stack`).
        #[inline(never)]
        pub fn corosensei_reuse(n: usize) -> u64 {
            super::imp::corosensei_reuse::<$escape>(n)
        }
    };
}

/// Generators created and drained in place (LLVM may elide their allocation).
pub mod local {
    entry_points!(false);
}

/// Generators passed through `black_box` before they are drained (their memory must exist).
pub mod escaped {
    entry_points!(true);
}
