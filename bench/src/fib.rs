//! `fib`: the first `n` wrapping Fibonacci numbers, folded with [`mix`]. Pure per-item resume cost.

use crate::{Fib, mix};
use corosensei::{Coroutine, CoroutineResult};
use genawaiter::stack::let_gen_using;

/// The sequence as a corogen generator.
#[corogen::generator(yield = u64)]
pub fn fib_gen(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        corogen::yield_!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// Hand-written iterator.
#[inline(never)]
pub fn hand(n: usize) -> u64 {
    Fib::new(n).fold(0, mix)
}

/// The sequence as `std::iter::from_fn` over a closure with the same state.
pub(crate) fn fib_from_fn(n: usize) -> impl Iterator<Item = u64> {
    let (mut a, mut b, mut remaining) = (0u64, 1u64, n);
    std::iter::from_fn(move || {
        if remaining == 0 {
            return None;
        }
        remaining -= 1;
        let out = a;
        (a, b) = (b, a.wrapping_add(b));
        Some(out)
    })
}

/// `std::iter::from_fn`.
#[inline(never)]
pub fn from_fn(n: usize) -> u64 {
    fib_from_fn(n).fold(0, mix)
}

/// corogen `#[generator(yield = u64)]`.
#[inline(never)]
pub fn corogen(n: usize) -> u64 {
    fib_gen(n).fold(0, mix)
}

/// genawaiter's producer: an async fn that yields through its `Co` (stack and rc flavours).
macro_rules! genawaiter_fib {
    ($co:expr, $n:expr) => {{
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..$n {
            $co.yield_(a).await;
            (a, b) = (b, a.wrapping_add(b));
        }
    }};
}

pub(crate) async fn fib_stack(co: genawaiter::stack::Co<'_, u64>, n: usize) {
    genawaiter_fib!(co, n)
}

pub(crate) async fn fib_rc(co: genawaiter::rc::Co<u64>, n: usize) {
    genawaiter_fib!(co, n)
}

/// genawaiter's `stack` flavour: state on a `Shelf` in this frame, no allocation.
#[inline(never)]
pub fn genawaiter_stack(n: usize) -> u64 {
    let_gen_using!(g, |co| fib_stack(co, n));
    g.into_iter().fold(0, mix)
}

/// genawaiter's `rc` flavour: the documented default, state behind an `Rc` and a `Box`.
#[inline(never)]
pub fn genawaiter_rc(n: usize) -> u64 {
    genawaiter::rc::Gen::new(|co| fib_rc(co, n))
        .into_iter()
        .fold(0, mix)
}

#[next_gen::generator(yield(u64))]
pub(crate) fn fib_next_gen(n: usize) {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a.wrapping_add(b));
    }
}

/// next-gen, pinned on the stack with `mk_gen!` (its documented form).
#[inline(never)]
pub fn next_gen(n: usize) -> u64 {
    next_gen::mk_gen!(let g = fib_next_gen(n));
    g.fold(0, mix)
}

#[diapause::coroutine(yield = u64)]
pub fn fib_diapause(n: usize) {
    let mut a: u64 = 0;
    let mut b: u64 = 1;
    for _ in 0usize..n {
        yield_!(a);
        let next: u64 = a.wrapping_add(b);
        a = b;
        b = next;
    }
}

/// diapause's state-machine enum, iterated through `diapause::Iter`.
#[inline(never)]
pub fn diapause(n: usize) -> u64 {
    diapause::Iter::new(fib_diapause(n)).fold(0, mix)
}

/// The sequence as a generator-rs generator (stackful); `done!()` ends it without yielding the
/// closure's return value.
pub(crate) fn fib_generator_rs(n: usize) -> generator::Generator<'static, (), u64> {
    generator::Gn::<()>::new_scoped(move |mut s| {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            s.yield_with(a);
            (a, b) = (b, a.wrapping_add(b));
        }
        generator::done!()
    })
}

/// generator-rs, iterated.
#[inline(never)]
pub fn generator_rs(n: usize) -> u64 {
    fib_generator_rs(n).fold(0, mix)
}

/// The sequence as a corosensei coroutine (stackful, default 1 MiB stack).
pub(crate) fn fib_corosensei(n: usize) -> Coroutine<(), u64, ()> {
    Coroutine::new(move |yielder, ()| {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            yielder.suspend(a);
            (a, b) = (b, a.wrapping_add(b));
        }
    })
}

/// corosensei: it has no `Iterator`, so the caller resumes until `Return`.
#[inline(never)]
pub fn corosensei(n: usize) -> u64 {
    drain_corosensei(&mut fib_corosensei(n))
}

/// Folds everything a `()`-resumed corosensei coroutine yields.
#[inline(always)]
pub(crate) fn drain_corosensei<S: corosensei::stack::Stack>(
    co: &mut Coroutine<(), u64, (), S>,
) -> u64 {
    let mut acc = 0;
    while let CoroutineResult::Yield(x) = co.resume(()) {
        acc = mix(acc, x);
    }
    acc
}
