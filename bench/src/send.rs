//! `send`: `n` round trips, each sending the previous reply (xor the index) and folding the answer.
//! Every round trip depends on the one before, so none can be skipped or batched.
//!
//! `std::iter::from_fn` cannot take values, so it has no row here.
//!
//! `stream-send`, the async twin (at the end of this file, not in a module of its own: see
//! `stream.rs`), sends into an async generator.

use crate::mix;
use corosensei::{Coroutine, CoroutineResult};
use genawaiter::GeneratorState;
use genawaiter::stack::let_gen_using;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The constant xored into every reply.
pub const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The baseline: what the generators below do, written as a struct. Like them it ignores the
/// argument of the first send (which only starts the body).
pub struct Hand {
    k: u64,
    started: bool,
}

impl Hand {
    /// A fresh coroutine that xors its replies with `k`.
    pub fn new(k: u64) -> Self {
        Hand { k, started: false }
    }

    /// Takes `v`, returns the reply.
    #[inline]
    pub fn send(&mut self, v: u64) -> u64 {
        let x = if self.started {
            v
        } else {
            self.started = true;
            0
        };
        x.wrapping_mul(3) ^ self.k
    }
}

/// The generator: each resume value becomes `x`, each reply is `x * 3 ^ k`.
#[corogen::generator(yield = u64, resume = u64)]
pub fn send_gen(k: u64) {
    let mut x = 0u64;
    loop {
        x = corogen::yield_!(x.wrapping_mul(3) ^ k);
    }
}

/// The driver every implementation shares: `n` calls of `send`, each fed with the previous
/// reply, so every round trip depends on the one before.
#[inline(always)]
fn drive(n: usize, mut send: impl FnMut(u64) -> u64) -> u64 {
    let (mut v, mut acc) = (0u64, 0u64);
    for i in 0..n {
        v = send(v ^ i as u64);
        acc = mix(acc, v);
    }
    acc
}

/// For the peers whose resume returns a state: the yielded value, or a panic (the generators
/// here never return).
#[inline(always)]
fn yielded<Y, R>(state: GeneratorState<Y, R>) -> Y {
    match state {
        GeneratorState::Yielded(y) => y,
        GeneratorState::Complete(_) => unreachable!("the send generators never return"),
    }
}

/// Hand-written `send` method.
#[inline(never)]
pub fn hand(n: usize) -> u64 {
    let mut h = Hand::new(black_box(K));
    drive(n, |v| h.send(v))
}

/// corogen `Gen::send`.
#[inline(never)]
pub fn corogen(n: usize) -> u64 {
    let mut g = send_gen(black_box(K));
    drive(n, |v| match g.send(v) {
        Ok(y) => y,
        Err(_) => unreachable!("send_gen never returns"),
    })
}

macro_rules! genawaiter_send {
    ($co:expr, $k:expr) => {{
        let mut x = 0u64;
        loop {
            x = $co.yield_(x.wrapping_mul(3) ^ $k).await;
        }
    }};
}

async fn send_stack(co: genawaiter::stack::Co<'_, u64, u64>, k: u64) {
    genawaiter_send!(co, k)
}

async fn send_rc(co: genawaiter::rc::Co<u64, u64>, k: u64) {
    genawaiter_send!(co, k)
}

/// genawaiter `stack::Gen::resume_with`.
#[inline(never)]
pub fn genawaiter_stack(n: usize) -> u64 {
    let k = black_box(K);
    let_gen_using!(g, |co| send_stack(co, k));
    drive(n, |v| yielded(g.resume_with(v)))
}

/// genawaiter `rc::Gen::resume_with`.
#[inline(never)]
pub fn genawaiter_rc(n: usize) -> u64 {
    let k = black_box(K);
    let mut g = genawaiter::rc::Gen::new(|co| send_rc(co, k));
    drive(n, |v| yielded(g.resume_with(v)))
}

#[next_gen::generator(yield(u64), resume(u64))]
fn send_next_gen(k: u64) {
    let mut x = 0u64;
    loop {
        x = yield_!(x.wrapping_mul(3) ^ k);
    }
}

/// next-gen `Generator::resume`, pinned on the stack.
#[inline(never)]
pub fn next_gen(n: usize) -> u64 {
    use next_gen::prelude::GeneratorState;
    next_gen::mk_gen!(let mut g = send_next_gen(black_box(K)));
    drive(n, |v| match g.as_mut().resume(v) {
        GeneratorState::Yielded(y) => y,
        GeneratorState::Returned(()) => unreachable!("send_next_gen never returns"),
    })
}

#[diapause::coroutine(yield = u64, resume = u64)]
pub fn send_diapause(k: u64) {
    let mut x: u64 = 0;
    loop {
        x = yield_!(x.wrapping_mul(3) ^ k);
    }
}

/// diapause: `start()` for the first call (it takes no argument), `resume(v)` after.
#[inline(never)]
pub fn diapause(n: usize) -> u64 {
    use diapause::{Coroutine as _, CoroutineState};
    let mut c = send_diapause(black_box(K));
    let mut started = false;
    drive(n, |v| {
        let state = if started {
            c.resume(v)
        } else {
            started = true;
            c.start()
        };
        match state {
            CoroutineState::Yielded(y) => y,
            CoroutineState::Complete(()) => unreachable!("send_diapause never returns"),
        }
    })
}

/// generator-rs `send` (stackful); `yield_` returns the next sent value.
#[inline(never)]
pub fn generator_rs(n: usize) -> u64 {
    let k = black_box(K);
    let mut g = generator::Gn::<u64>::new_scoped(move |mut s| {
        let mut x = 0u64;
        loop {
            x = s.yield_(x.wrapping_mul(3) ^ k).unwrap_or(0);
        }
    });
    drive(n, |v| g.send(v))
}

/// corosensei `resume` (stackful); `suspend` returns the next input.
#[inline(never)]
pub fn corosensei(n: usize) -> u64 {
    let k = black_box(K);
    let mut co = Coroutine::new(move |yielder, _first: u64| {
        let mut x = 0u64;
        loop {
            x = yielder.suspend(x.wrapping_mul(3) ^ k);
        }
    });
    drive(n, |v| match co.resume(v) {
        CoroutineResult::Yield(y) => y,
        CoroutineResult::Return(()) => unreachable!("the coroutine never returns"),
    })
}

// `stream-send`: `n` round trips into an async generator that takes values (Python's `asend`),
// each sending the previous reply (xor the index) and folding the answer; before every
// `PAUSE_EVERY`th reply the body awaits a future that is `Pending` once, as in `stream`, so the
// send future's `Pending` path runs too.
// - corogen: `#[generator(yield = u64, resume = u64)] async fn`, driven by `send(v)` futures
//   polled with a no-op waker until ready.
// - The baseline is the same coroutine written by hand as a struct with a `poll_send`.
// No peer crate has async generators that take values (async-stream takes none, genawaiter's
// `async_resume` only `()`), so there is no other row.

/// The baseline: what the generator below does, as a struct. Like it, it ignores the value of
/// the first send (which only starts the body).
pub struct HandAsync {
    k: u64,
    x: u64,
    i: usize,
    started: bool,
    paused: bool,
}

impl HandAsync {
    /// A fresh coroutine that xors its replies with `k`.
    pub fn new(k: u64) -> Self {
        HandAsync {
            k,
            x: 0,
            i: 0,
            started: false,
            paused: false,
        }
    }

    /// Takes the value in `value` (when there is one), and replies, pausing once before every
    /// `crate::stream::PAUSE_EVERY`th reply.
    #[inline]
    pub fn poll_send(&mut self, cx: &mut Context<'_>, value: &mut Option<u64>) -> Poll<u64> {
        if let Some(v) = value.take() {
            if self.started {
                self.x = v;
            }
            self.started = true;
        }
        if self.i.is_multiple_of(crate::stream::PAUSE_EVERY) && !self.paused {
            self.paused = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.paused = false;
        self.i += 1;
        Poll::Ready(self.x.wrapping_mul(3) ^ self.k)
    }
}

/// The async generator: each value sent becomes `x`, each reply is `x * 3 ^ k`.
#[corogen::generator(yield = u64, resume = u64)]
pub async fn send_stream(k: u64) {
    let mut x = 0u64;
    let mut i = 0usize;
    loop {
        if i.is_multiple_of(crate::stream::PAUSE_EVERY) {
            crate::stream::YieldNow(false).await;
        }
        i += 1;
        x = corogen::yield_!(x.wrapping_mul(3) ^ k);
    }
}

/// `stream-send`: hand-written `poll_send`.
#[inline(never)]
pub fn async_hand(n: usize) -> u64 {
    let mut h = HandAsync::new(black_box(K));
    let mut cx = Context::from_waker(Waker::noop());
    let (mut v, mut acc) = (0u64, 0u64);
    for i in 0..n {
        let mut value = Some(v ^ i as u64);
        v = loop {
            if let Poll::Ready(reply) = h.poll_send(&mut cx, &mut value) {
                break reply;
            }
        };
        acc = mix(acc, v);
    }
    acc
}

/// `stream-send`: corogen `AsyncGen::send`.
#[inline(never)]
pub fn async_corogen(n: usize) -> u64 {
    let mut g = send_stream(black_box(K));
    let mut cx = Context::from_waker(Waker::noop());
    let (mut v, mut acc) = (0u64, 0u64);
    for i in 0..n {
        let mut send = g.send(v ^ i as u64);
        v = loop {
            if let Poll::Ready(reply) = Pin::new(&mut send).poll(&mut cx) {
                break reply.unwrap_or_else(|_| unreachable!("the generator never returns"));
            }
        };
        acc = mix(acc, v);
    }
    acc
}
