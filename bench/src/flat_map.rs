//! `flat-map`: short-lived generators inside `Iterator::flat_map`. Each of `n` input elements
//! `x` becomes 3 items, `x`, `x + 1`, `x + 2`, and every item is folded: the cost of creating,
//! draining and dropping a tiny inner iterator inside an adapter, against the same code over
//! arrays (`flat_map(|x| [x, x + 1, x + 2])`, the baseline).
//!
//! Two consumers, because they compile differently:
//! - [`fold`] (`flat-map`): `.fold(0, mix)`, internal iteration, as `sum`, `for_each` and `fold`
//!   do. `FlatMap::fold` folds each inner iterator whole, so LLVM sees a `Gen`'s whole life and
//!   removes its allocation (as in `create`).
//! - [`for_loop`] (`flat-map-for`): a `for` loop, external iteration through `FlatMap::next`, as
//!   `for`, `collect` and `zip` do. The inner iterator then lives in `FlatMap`'s state between
//!   calls, and a `Gen`'s body is allocated and freed per element.
//!
//! The implementations:
//! - `arrays`: `[x, x + 1, x + 2]`, the baseline. `iter-from_fn`: a counter in a closure.
//!   `hand-state`: a hand-written 3-state `Iterator` (a `match` on its state, as a generator's
//!   state machine is).
//! - `corogen`: a `#[generator]` fn (a `Gen`), `flat_map(small)`: the plain form.
//! - `GenLocal` cannot be returned from `flat_map`'s closure as it is: it is `!Unpin` and only
//!   `Pin<&mut GenLocal>` is an `Iterator`, which cannot outlive the closure (`pin!` in the
//!   closure does not compile). What does work: `corogen-local-boxed`, `Box::pin(small_local(x))`
//!   wrapped in `from_fn` (`Pin<Box<GenLocal>>` is not an `Iterator`); `corogen-local-adapter`,
//!   the runtime's flat-map adapter (`corogen::FlatMapPinned`, itself pinned with `pin!`) that keeps
//!   the current `GenLocal` in its own pinned state and replaces it in place (its `fold` pins
//!   each later one with `pin!` and folds it whole, as `FlatMap::fold` does); and
//!   `corogen-local-loop`, no `flat_map` at all: an outer `fold`/`for` that pins each
//!   `GenLocal` with `pin!` (what the `GenLocal` docs show for hot loops).
//! - `genawaiter-rc`: `flat_map(|x| rc::Gen::new(…))` (genawaiter's `stack` flavour keeps its
//!   state in the caller's frame, so it cannot be returned from a closure either).
//! - `fauxgen`: `flat_map(|x| Box::pin(small_fauxgen(x)))`: fauxgen implements `Iterator` for
//!   `Pin<Box<…>>` of its generators for this.
//! - `diapause`: `flat_map(|x| diapause::Iter::new(small_diapause(x)))`: its state is a plain
//!   enum value, which moves freely.

use crate::mix;
use corogen::FlatMapPinned;
use std::pin::pin;

/// The 3 items of element `x`, as a `Gen`. Generic over the row (see "Rows do not share a
/// generator's body" in bench/README.md): `FOR` is the consumer's.
#[corogen::generator(yield = u64)]
pub fn small<const FOR: bool>(x: u64) {
    corogen::yield_!(x);
    corogen::yield_!(x + 1);
    corogen::yield_!(x + 2);
}

/// The 3 items of element `x`, as a `GenLocal`; `FOR` (the consumer's) and `FORM` (0 boxed,
/// 1 adapter, 2 loop) tell the rows apart, so that none shares its body with another.
#[corogen::generator(local, yield = u64)]
pub fn small_local<const FOR: bool, const FORM: u8>(x: u64) {
    corogen::yield_!(x);
    corogen::yield_!(x + 1);
    corogen::yield_!(x + 2);
}

#[fauxgen::generator(yield = u64)]
fn small_fauxgen(x: u64) {
    r#yield!(x);
    r#yield!(x + 1);
    r#yield!(x + 2);
}

#[diapause::coroutine(yield = u64)]
pub fn small_diapause(x: u64) {
    yield_!(x);
    yield_!(x + 1);
    yield_!(x + 2);
}

async fn small_rc(co: genawaiter::rc::Co<u64>, x: u64) {
    co.yield_(x).await;
    co.yield_(x + 1).await;
    co.yield_(x + 2).await;
}

/// The hand-written 3-state iterator.
pub struct Three {
    x: u64,
    state: u8,
}

impl Iterator for Three {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let out = match self.state {
            0 => self.x,
            1 => self.x + 1,
            2 => self.x + 2,
            _ => return None,
        };
        self.state += 1;
        Some(out)
    }
}

/// The implementations, generic over the consumer (`FOR`: a `for` loop; else `fold`).
mod imp {
    use super::*;

    /// Folds `it`'s items with `fold`, or with a `for` loop when `FOR`.
    #[inline(always)]
    fn consume<const FOR: bool>(it: impl Iterator<Item = u64>) -> u64 {
        if FOR {
            let mut acc = 0;
            for x in it {
                acc = mix(acc, x);
            }
            acc
        } else {
            it.fold(0, mix)
        }
    }

    #[inline(always)]
    pub fn arrays<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(|x| [x, x + 1, x + 2]))
    }

    #[inline(always)]
    pub fn from_fn<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(|x| {
            let mut k = 0;
            std::iter::from_fn(move || {
                if k == 3 {
                    return None;
                }
                k += 1;
                Some(x + k - 1)
            })
        }))
    }

    #[inline(always)]
    pub fn hand_state<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(|x| Three { x, state: 0 }))
    }

    #[inline(always)]
    pub fn corogen<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(small::<FOR>))
    }

    #[inline(always)]
    pub fn corogen_local_boxed<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(|x| {
            let mut g = Box::pin(small_local::<FOR, 0>(x));
            std::iter::from_fn(move || g.as_mut().next())
        }))
    }

    #[inline(always)]
    pub fn corogen_local_adapter<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>(pin!(FlatMapPinned::new(0..n as u64, small_local::<FOR, 1>)))
    }

    #[inline(always)]
    pub fn corogen_local_loop<const FOR: bool>(n: usize) -> u64 {
        if FOR {
            let mut acc = 0;
            for x in 0..n as u64 {
                for y in pin!(small_local::<FOR, 2>(x)) {
                    acc = mix(acc, y);
                }
            }
            acc
        } else {
            (0..n as u64).fold(0, |acc, x| pin!(small_local::<FOR, 2>(x)).fold(acc, mix))
        }
    }

    #[inline(always)]
    pub fn genawaiter_rc<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>(
            (0..n as u64).flat_map(|x| genawaiter::rc::Gen::new(move |co| small_rc(co, x))),
        )
    }

    #[inline(always)]
    pub fn fauxgen<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(|x| Box::pin(small_fauxgen(x))))
    }

    #[inline(always)]
    pub fn diapause<const FOR: bool>(n: usize) -> u64 {
        consume::<FOR>((0..n as u64).flat_map(|x| diapause::Iter::new(small_diapause(x))))
    }
}

/// The `#[inline(never)]` entry points of one consumer, named for callgrind.
macro_rules! entry_points {
    ($for_loop:literal) => {
        /// `flat_map` over arrays (the baseline).
        #[inline(never)]
        pub fn arrays(n: usize) -> u64 {
            super::imp::arrays::<$for_loop>(n)
        }
        /// `flat_map` over `std::iter::from_fn` with a counter.
        #[inline(never)]
        pub fn from_fn(n: usize) -> u64 {
            super::imp::from_fn::<$for_loop>(n)
        }
        /// `flat_map` over a hand-written 3-state iterator.
        #[inline(never)]
        pub fn hand_state(n: usize) -> u64 {
            super::imp::hand_state::<$for_loop>(n)
        }
        /// `flat_map` over a corogen `#[generator]` fn (`Gen`).
        #[inline(never)]
        pub fn corogen(n: usize) -> u64 {
            super::imp::corogen::<$for_loop>(n)
        }
        /// `flat_map` over `Box::pin(GenLocal)` in `from_fn`.
        #[inline(never)]
        pub fn corogen_local_boxed(n: usize) -> u64 {
            super::imp::corogen_local_boxed::<$for_loop>(n)
        }
        /// [`FlatMapPinned`](corogen::FlatMapPinned) over `GenLocal`s.
        #[inline(never)]
        pub fn corogen_local_adapter(n: usize) -> u64 {
            super::imp::corogen_local_adapter::<$for_loop>(n)
        }
        /// No `flat_map`: a `GenLocal` pinned with `pin!` per element in the outer loop.
        #[inline(never)]
        pub fn corogen_local_loop(n: usize) -> u64 {
            super::imp::corogen_local_loop::<$for_loop>(n)
        }
        /// `flat_map` over genawaiter `rc::Gen`.
        #[inline(never)]
        pub fn genawaiter_rc(n: usize) -> u64 {
            super::imp::genawaiter_rc::<$for_loop>(n)
        }
        /// `flat_map` over `Box::pin` of a fauxgen generator.
        #[inline(never)]
        pub fn fauxgen(n: usize) -> u64 {
            super::imp::fauxgen::<$for_loop>(n)
        }
        /// `flat_map` over `diapause::Iter`.
        #[inline(never)]
        pub fn diapause(n: usize) -> u64 {
            super::imp::diapause::<$for_loop>(n)
        }
    };
}

/// Consumed with `fold` (internal iteration).
pub mod fold {
    entry_points!(false);
}

/// Consumed with a `for` loop (external iteration, `next()`).
pub mod for_loop {
    entry_points!(true);
}
