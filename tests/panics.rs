//! A panic in the body propagates out of the resume that ran it and finishes the generator for
//! good; resuming it again is a clear panic. Misusing a plain generator is a clear panic too.
#![cfg(panic = "unwind")] // every test catches a panic: wasm has no unwinding

use corogen::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[generator(yield = u32)]
fn fragile(fail_at: u32) {
    for i in 0.. {
        assert!(i != fail_at, "boom at {i}");
        yield_!(i);
    }
}

#[test]
fn a_panic_propagates_and_poisons_the_generator() {
    let mut g = fragile(1);
    assert_eq!(g.next(), Some(0));
    let first = catch_unwind(AssertUnwindSafe(|| g.next())).unwrap_err();
    assert_eq!(panic_message(first), "boom at 1");
    assert_eq!(g.state(), GenState::Panicked);
    assert!(g.is_finished());
    let again = catch_unwind(AssertUnwindSafe(|| g.next())).unwrap_err();
    assert_eq!(panic_message(again), "`fragile` resumed after it panicked");
}

#[test]
fn resuming_a_completed_generator_panics_but_iteration_stays_fused() {
    let mut g = gen_!({ yield_!(1) });
    assert_eq!(g.send(()), Ok(1));
    assert_eq!(g.send(()), Err(StopIteration(())));
    assert_eq!(g.next(), None);
    assert_eq!(g.next(), None);
    let err = catch_unwind(AssertUnwindSafe(|| g.resume(()))).unwrap_err();
    assert_eq!(panic_message(err), "`<gen_!>` resumed after it completed");
}

struct NeverReady;

impl std::future::Future for NeverReady {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        // A clone of the generator's waker must be harmless to keep and to wake.
        let clone = cx.waker().clone();
        clone.wake_by_ref();
        clone.wake();
        std::task::Poll::Pending
    }
}

macro_rules! sneaky_await {
    ($future:expr) => {
        $future.await
    };
}

#[generator(yield = u8)]
fn awaits_a_foreign_future() {
    yield_!(1);
    // A macro can hide an `.await` from `#[generator]`'s check; the runtime still refuses it.
    sneaky_await!(NeverReady);
    yield_!(2);
}

#[test]
fn a_plain_generator_awaiting_a_pending_future_is_a_clear_panic() {
    let mut g = awaits_a_foreign_future();
    assert_eq!(g.next(), Some(1));
    let err = catch_unwind(AssertUnwindSafe(|| g.next())).unwrap_err();
    assert!(panic_message(err).contains("awaited a future that was not ready"));
    assert_eq!(g.state(), GenState::Panicked);
}

#[generator(yield = u32)]
fn delegates_to<'a>(
    inner: &'a mut corogen::Gen<impl corogen::Body<Yield = u32, Resume = (), Return = ()>>,
) {
    yield_from!(inner);
}

// A poisoned delegate without `yield_from!` panics as soon as it is delegated to, without its
// body being polled again (its resume there no longer goes through `Gen::resume`), and poisons
// the delegating generator.
#[test]
fn delegating_to_a_poisoned_generator_is_the_same_clear_panic() {
    let mut inner = fragile(1);
    assert_eq!(inner.next(), Some(0));
    assert!(catch_unwind(AssertUnwindSafe(|| inner.next())).is_err());
    let mut outer = delegates_to(&mut inner);
    let err = catch_unwind(AssertUnwindSafe(|| outer.next())).unwrap_err();
    assert_eq!(panic_message(err), "`fragile` resumed after it panicked");
    assert_eq!(outer.state(), GenState::Panicked);
}

// A generator borrowed by `yield_from!` keeps its own state right at every step, as it outlives
// the delegation: poisoned when it panics inside it, and resumable on its own when the
// delegating generator is dropped in the middle.
#[test]
fn a_borrowed_delegate_is_poisoned_by_its_own_panic() {
    let mut inner = fragile(2);
    let mut outer = delegates_to(&mut inner);
    assert_eq!(outer.next(), Some(0));
    assert_eq!(outer.next(), Some(1));
    let err = catch_unwind(AssertUnwindSafe(|| outer.next())).unwrap_err();
    assert_eq!(panic_message(err), "boom at 2");
    assert_eq!(outer.state(), GenState::Panicked);
    drop(outer);
    assert_eq!(inner.state(), GenState::Panicked);
    let again = catch_unwind(AssertUnwindSafe(|| inner.next())).unwrap_err();
    assert_eq!(panic_message(again), "`fragile` resumed after it panicked");
}

#[test]
fn a_borrowed_delegate_goes_on_alone_after_its_delegator_is_dropped() {
    let mut inner = fragile(u32::MAX);
    let mut outer = delegates_to(&mut inner);
    assert_eq!(outer.next(), Some(0));
    assert_eq!(outer.next(), Some(1));
    drop(outer);
    assert_eq!(inner.state(), GenState::Suspended);
    assert_eq!(inner.next(), Some(2));
}

// An owned delegate that panicked before the delegation is checked when it begins.
#[test]
fn delegating_to_an_owned_poisoned_generator_is_the_same_clear_panic() {
    let mut inner = fragile(1);
    assert_eq!(inner.next(), Some(0));
    assert!(catch_unwind(AssertUnwindSafe(|| inner.next())).is_err());
    let mut outer = gen_!({ yield_from!(inner) });
    let err = catch_unwind(AssertUnwindSafe(|| outer.next())).unwrap_err();
    assert_eq!(panic_message(err), "`fragile` resumed after it panicked");
    assert_eq!(outer.state(), GenState::Panicked);
}

#[generator(yield = u32)]
async fn fragile_stream(fail_at: u32) {
    for i in 0.. {
        assert!(i != fail_at, "async boom at {i}");
        yield_!(i);
    }
}

fn poll_next_noop<S: futures::Stream + Unpin>(stream: &mut S) -> std::task::Poll<Option<S::Item>> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    std::pin::Pin::new(stream).poll_next(&mut cx)
}

// An async generator is poisoned only by a poll that unwinds: the polls before it, which yield,
// leave it usable.
#[test]
fn a_panic_in_an_async_generator_poisons_it() {
    use std::task::Poll;
    let mut s = fragile_stream(2);
    assert_eq!(poll_next_noop(&mut s), Poll::Ready(Some(0)));
    assert_eq!(poll_next_noop(&mut s), Poll::Ready(Some(1)));
    let first = catch_unwind(AssertUnwindSafe(|| poll_next_noop(&mut s))).unwrap_err();
    assert_eq!(panic_message(first), "async boom at 2");
    let again = catch_unwind(AssertUnwindSafe(|| poll_next_noop(&mut s))).unwrap_err();
    assert_eq!(
        panic_message(again),
        "`fragile_stream` polled after it panicked"
    );
}
