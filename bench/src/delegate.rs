//! `delegate-D`: the `fib` stream passed up through `D` levels of delegation (`D` = 1, 4, 16):
//! level `D` delegates to level `D - 1`, ..., level 1 delegates to the `fib` generator. Every item
//! crosses every level, so this measures what depth costs per item.
//!
//! - corogen: `yield_from!` at each level (PEP 380).
//! - generator-rs: its `Scope::yield_from`. diapause: `yield_all!` (boxed, as recursion needs).
//! - genawaiter, next-gen, corosensei and `from_fn` have no delegation: each level loops over the
//!   level below and re-yields its items, as their users write it; recursion goes through a
//!   `Box` where the type system needs one.
//! - The baseline is the hand-written `Fib` iterator with no levels at all: the ratio is the
//!   whole cost of the chain.

use crate::fib::{
    fib_corosensei, fib_diapause, fib_from_fn, fib_generator_rs, fib_next_gen, fib_rc, fib_stack,
};
use crate::{Fib, mix};
use corosensei::{Coroutine, CoroutineResult};
use genawaiter::stack::let_gen_using;
use std::future::Future;
use std::pin::Pin;

/// The baseline: the hand-written iterator, undelegated.
#[inline(always)]
fn hand(_depth: u32, n: usize) -> u64 {
    Fib::new(n).fold(0, mix)
}

/// Each level a `from_fn` closure pulling from the boxed level below.
fn from_fn_chain(depth: u32, n: usize) -> Box<dyn Iterator<Item = u64>> {
    let mut inner: Box<dyn Iterator<Item = u64>> = if depth == 1 {
        Box::new(fib_from_fn(n))
    } else {
        from_fn_chain(depth - 1, n)
    };
    Box::new(std::iter::from_fn(move || inner.next()))
}

#[inline(always)]
fn from_fn(depth: u32, n: usize) -> u64 {
    from_fn_chain(depth, n).fold(0, mix)
}

/// The innermost level of corogen's chain: [`fib_gen`](crate::fib::fib_gen)'s body, in a
/// function of its own. Shared, the body has the `fib` row's callers and the chain's, and
/// whether LLVM inlines it into each (3.5 and 58 Ir per item, or 70 and 96) flips with code
/// elsewhere in the crate (the `flat-map` and peer modules did it): the rows measure each
/// workload, not how the bench's workloads share code.
#[corogen::generator(yield = u64)]
fn fib_leaf(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        corogen::yield_!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// corogen: `yield_from!` at every level, the Python way.
#[corogen::generator(yield = u64)]
pub fn chain(depth: u32, n: usize) {
    if depth == 1 {
        corogen::yield_from!(fib_leaf(n));
    } else {
        corogen::yield_from!(chain(depth - 1, n));
    }
}

#[inline(always)]
fn corogen(depth: u32, n: usize) -> u64 {
    chain(depth, n).fold(0, mix)
}

/// genawaiter `stack`: each level keeps the level below on a `Shelf` in its own future (boxed
/// for the recursion) and re-yields its items.
async fn level_stack(co: genawaiter::stack::Co<'_, u64>, depth: u32, n: usize) {
    if depth == 1 {
        let_gen_using!(inner, |co| fib_stack(co, n));
        for x in inner {
            co.yield_(x).await;
        }
    } else {
        let_gen_using!(inner, |co| Box::pin(level_stack(co, depth - 1, n)));
        for x in inner {
            co.yield_(x).await;
        }
    }
}

#[inline(always)]
fn genawaiter_stack(depth: u32, n: usize) -> u64 {
    let_gen_using!(g, |co| level_stack(co, depth, n));
    g.into_iter().fold(0, mix)
}

/// A genawaiter `rc` generator whose future is boxed, so that it can name itself.
type RcLevel = genawaiter::rc::Gen<u64, (), Pin<Box<dyn Future<Output = ()>>>>;

fn level_rc(depth: u32, n: usize) -> RcLevel {
    genawaiter::rc::Gen::new(move |co| {
        Box::pin(async move {
            if depth == 1 {
                for x in genawaiter::rc::Gen::new(|co| fib_rc(co, n)) {
                    co.yield_(x).await;
                }
            } else {
                for x in level_rc(depth - 1, n) {
                    co.yield_(x).await;
                }
            }
        }) as Pin<Box<dyn Future<Output = ()>>>
    })
}

#[inline(always)]
fn genawaiter_rc(depth: u32, n: usize) -> u64 {
    level_rc(depth, n).into_iter().fold(0, mix)
}

/// next-gen: the leaf pinned in the level's state, deeper levels boxed (`mk_gen!(let g = box
/// …)`), items re-yielded.
#[next_gen::generator(yield(u64))]
fn level_next_gen(depth: u32, n: usize) {
    if depth == 1 {
        next_gen::mk_gen!(let inner = fib_next_gen(n));
        for x in inner {
            yield_!(x);
        }
    } else {
        next_gen::mk_gen!(let inner = box level_next_gen(depth - 1, n));
        for x in inner {
            yield_!(x);
        }
    }
}

#[inline(always)]
fn next_gen(depth: u32, n: usize) -> u64 {
    next_gen::mk_gen!(let g = level_next_gen(depth, n));
    g.fold(0, mix)
}

/// diapause: `yield_all!`, the leaf stored by value, deeper levels boxed (required for
/// recursion).
#[diapause::coroutine(yield = u64)]
pub fn level_diapause(depth: u32, n: usize) {
    if depth == 1 {
        yield_all!(fib_diapause(n));
    } else {
        let sub: level_diapause::State = level_diapause(depth - 1, n);
        yield_all!(box sub);
    }
}

#[inline(always)]
fn diapause(depth: u32, n: usize) -> u64 {
    diapause::Iter::new(level_diapause(depth, n)).fold(0, mix)
}

/// generator-rs: `Scope::yield_from` at every level, each level on its own stack.
fn level_generator_rs(depth: u32, n: usize) -> generator::Generator<'static, (), u64> {
    generator::Gn::<()>::new_scoped(move |mut s| {
        let inner = if depth == 1 {
            fib_generator_rs(n)
        } else {
            level_generator_rs(depth - 1, n)
        };
        s.yield_from(inner);
        generator::done!()
    })
}

#[inline(always)]
fn generator_rs(depth: u32, n: usize) -> u64 {
    level_generator_rs(depth, n).fold(0, mix)
}

/// corosensei: each level a coroutine resuming the level below and suspending with its items.
fn level_corosensei(depth: u32, n: usize) -> Coroutine<(), u64, ()> {
    Coroutine::new(move |yielder, ()| {
        let mut inner = if depth == 1 {
            fib_corosensei(n)
        } else {
            level_corosensei(depth - 1, n)
        };
        while let CoroutineResult::Yield(x) = inner.resume(()) {
            yielder.suspend(x);
        }
    })
}

#[inline(always)]
fn corosensei(depth: u32, n: usize) -> u64 {
    crate::fib::drain_corosensei(&mut level_corosensei(depth, n))
}

/// The `#[inline(never)]` entry points at one depth, named for callgrind.
macro_rules! entry_points {
    ($depth:literal) => {
        /// Hand-written `Fib`, no delegation.
        #[inline(never)]
        pub fn hand(n: usize) -> u64 {
            super::hand($depth, n)
        }
        /// Boxed `from_fn` levels.
        #[inline(never)]
        pub fn from_fn(n: usize) -> u64 {
            super::from_fn($depth, n)
        }
        /// corogen `yield_from!`.
        #[inline(never)]
        pub fn corogen(n: usize) -> u64 {
            super::corogen($depth, n)
        }
        /// genawaiter `stack`, re-yielding.
        #[inline(never)]
        pub fn genawaiter_stack(n: usize) -> u64 {
            super::genawaiter_stack($depth, n)
        }
        /// genawaiter `rc`, re-yielding.
        #[inline(never)]
        pub fn genawaiter_rc(n: usize) -> u64 {
            super::genawaiter_rc($depth, n)
        }
        /// next-gen, re-yielding.
        #[inline(never)]
        pub fn next_gen(n: usize) -> u64 {
            super::next_gen($depth, n)
        }
        /// diapause `yield_all!`.
        #[inline(never)]
        pub fn diapause(n: usize) -> u64 {
            super::diapause($depth, n)
        }
        /// generator-rs `yield_from`.
        #[inline(never)]
        pub fn generator_rs(n: usize) -> u64 {
            super::generator_rs($depth, n)
        }
        /// corosensei, re-yielding.
        #[inline(never)]
        pub fn corosensei(n: usize) -> u64 {
            super::corosensei($depth, n)
        }
    };
}

/// One level of delegation.
pub mod depth1 {
    entry_points!(1);
}

/// Four levels of delegation.
pub mod depth4 {
    entry_points!(4);
}

/// Sixteen levels of delegation.
pub mod depth16 {
    entry_points!(16);
}
